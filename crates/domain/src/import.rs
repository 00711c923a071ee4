//! Historical records (历史数据导入): which column of a hotline file holds what, and what
//! a row must say to become a request that keeps its original number, times, state,
//! unit, category, reply and verdict.
//!
//! Everything here is pure: the file is already text in rows, the units and categories
//! are given. Each refused value becomes a `Problem` naming the row, the column, the
//! value and the reason, so that one pass over a file reports every fault in it.
//!
//! The words offices put in headers and cells (受理时间, 已办结, 基本满意 …) are data,
//! kept in `data/import_headers.csv` and `data/import_values.csv`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;
use crate::catalogue::Category;
use crate::deadline::DeadlinePolicy;
use crate::lifecycle::{Action, EventDraft};
use crate::request::{vocabulary, Channel, Kind, NewRequest, Request, RequesterType, Satisfaction, Status};
use crate::request::{MAX_CONTENT, MAX_PHONE, MAX_SHORT, MAX_TITLE};
use crate::time::{self, Millis};
use crate::unit::Unit;

pub const HEADERS_CSV: &str = include_str!("../data/import_headers.csv");
pub const VALUES_CSV: &str = include_str!("../data/import_values.csv");

vocabulary! {
    /// What a column of a historical file may hold.
    Field {
        SourceId = "source_id",
        Number = "number",
        CreatedAt = "created_at",
        Title = "title",
        Content = "content",
        Unit = "unit",
        Category = "category",
        Kind = "kind",
        Status = "status",
        Reply = "reply",
        RepliedAt = "replied_at",
        Satisfaction = "satisfaction",
        Solved = "solved",
        Phone = "phone",
        Name = "name",
        Address = "address",
    }
}

vocabulary! {
    /// Why a value was refused; the message catalogue says it in words.
    Reason {
        Missing = "missing",
        BadDate = "bad_date",
        FutureDate = "future_date",
        RepliedBeforeCreated = "replied_before_created",
        UnknownUnit = "unknown_unit",
        AmbiguousUnit = "ambiguous_unit",
        NotAPlace = "not_a_place",
        UnitInactive = "unit_inactive",
        UnknownCategory = "unknown_category",
        AmbiguousCategory = "ambiguous_category",
        UnknownKind = "unknown_kind",
        UnknownStatus = "unknown_status",
        MergedStatus = "merged_status",
        UnknownSatisfaction = "unknown_satisfaction",
        UnknownSolved = "unknown_solved",
        TooLong = "too_long",
        BadPhone = "bad_phone",
        DuplicateSource = "duplicate_source",
        DuplicateNumber = "duplicate_number",
        NumberTaken = "number_taken",
    }
}

/// One refused value: the row as a spreadsheet numbers it (the header is row 1), the
/// column's header, what the cell held, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub reason: Reason,
}

/// Longest value a problem repeats: enough to find the cell, not a whole letter.
const VALUE_SHOWN: usize = 60;

/// Which column holds each field, by header, so that a mapping saved for one file fits
/// the next file of the same system whatever the order of its columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Mapping {
    pub columns: BTreeMap<Field, String>,
    /// The place (name or code) of rows that name none, or of files without a unit column.
    #[serde(default)]
    pub default_unit: String,
    /// The kind of rows that say none.
    #[serde(default)]
    pub default_kind: Option<Kind>,
}

/// Lower case, without spaces, the byte-order mark and the punctuation around a header.
fn normalise(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ':' | '：' | '*' | '(' | ')' | '（' | '）' | '"'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn header_words() -> Vec<(Field, String)> {
    HEADERS_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (field, header) = line.split_once(',')?;
            Some((Field::parse(field.trim())?, normalise(header)))
        })
        .collect()
}

impl Mapping {
    /// The mapping the headers suggest: a header that is one of a field's names first,
    /// then one that contains a Chinese name (the longest names first, so that 答复时间
    /// is a reply time before it is a time). Each field and each column is taken once.
    pub fn guess(headers: &[String]) -> Mapping {
        let words = header_words();
        let seen: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let mut columns: BTreeMap<Field, String> = BTreeMap::new();
        let mut taken: HashSet<usize> = HashSet::new();
        for (field, word) in &words {
            if columns.contains_key(field) {
                continue;
            }
            if let Some(i) = seen.iter().enumerate().position(|(i, h)| h == word && !taken.contains(&i)) {
                columns.insert(*field, headers[i].clone());
                taken.insert(i);
            }
        }
        let mut partial: Vec<&(Field, String)> =
            words.iter().filter(|(_, w)| w.chars().count() >= 2 && !w.is_ascii()).collect();
        partial.sort_by_key(|(_, w)| std::cmp::Reverse(w.chars().count()));
        for (field, word) in partial {
            if columns.contains_key(field) {
                continue;
            }
            if let Some(i) = seen.iter().enumerate().position(|(i, h)| h.contains(word.as_str()) && !taken.contains(&i))
            {
                columns.insert(*field, headers[i].clone());
                taken.insert(i);
            }
        }
        Mapping { columns, default_unit: String::new(), default_kind: None }
    }

    /// Where each field is in a file with these headers; the headers the mapping names
    /// that the file lacks are an error.
    pub fn locate(&self, headers: &[String]) -> Result<Columns, Vec<String>> {
        let mut at = HashMap::new();
        let mut missing = Vec::new();
        for (field, header) in &self.columns {
            let wanted = normalise(header);
            match headers.iter().position(|h| normalise(h) == wanted) {
                Some(i) => {
                    at.insert(*field, (i, headers[i].clone()));
                }
                None => missing.push(header.clone()),
            }
        }
        if missing.is_empty() {
            Ok(Columns { at })
        } else {
            Err(missing)
        }
    }
}

/// A mapping located in one file: each field's column index and header.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    at: HashMap<Field, (usize, String)>,
}

impl Columns {
    pub fn has(&self, field: Field) -> bool {
        self.at.contains_key(&field)
    }

    /// The header of the column that holds `field`, or the field's own name.
    pub fn header(&self, field: Field) -> String {
        self.at.get(&field).map(|(_, h)| h.clone()).unwrap_or_else(|| field.as_str().to_string())
    }

    /// The trimmed text of `field` in a row; empty when the file has no such column.
    pub fn get<'r>(&self, row: &'r [String], field: Field) -> &'r str {
        self.at.get(&field).and_then(|(i, _)| row.get(*i)).map(|s| s.trim()).unwrap_or("")
    }
}

/// The words of a cell for a kind, state, verdict or yes/no, from the values file, and
/// the glossary's own codes.
fn value_words(field: &str) -> HashMap<String, String> {
    VALUES_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.split(',');
            let (f, value, code) = (parts.next()?, parts.next()?, parts.next()?);
            (f == field).then(|| (normalise(value), code.trim().to_string()))
        })
        .collect()
}

/// What the units and the catalogue are called, to find a row's unit and category by name.
pub struct Directory {
    units: HashMap<String, Vec<Unit>>,
    inactive: HashSet<i64>,
    category_paths: HashMap<String, i64>,
    category_names: HashMap<String, Vec<i64>>,
    kinds: HashMap<String, String>,
    states: HashMap<String, String>,
    verdicts: HashMap<String, String>,
    yes_no: HashMap<String, bool>,
}

impl Directory {
    /// Units by name and by code; categories by their path (`一级/二级/三级`, or with
    /// `-`, `>` or `,` between the levels), else by a name only one category has.
    pub fn new(units: &[Unit], inactive: &HashSet<i64>, categories: &[Category]) -> Directory {
        let mut by_name: HashMap<String, Vec<Unit>> = HashMap::new();
        for unit in units {
            by_name.entry(normalise(&unit.name)).or_default().push(unit.clone());
            if normalise(&unit.code) != normalise(&unit.name) {
                by_name.entry(normalise(&unit.code)).or_default().push(unit.clone());
            }
        }
        let by_id: HashMap<i64, &Category> = categories.iter().map(|c| (c.id, c)).collect();
        let mut by_path: HashMap<String, i64> = HashMap::new();
        let mut named: HashMap<String, Vec<i64>> = HashMap::new();
        for category in categories {
            let mut names = vec![normalise(&category.name)];
            let mut parent = category.parent_id.and_then(|p| by_id.get(&p));
            while let Some(p) = parent.filter(|_| names.len() < 8) {
                names.push(normalise(&p.name));
                parent = p.parent_id.and_then(|q| by_id.get(&q));
            }
            names.reverse();
            by_path.insert(levels(&names.join("/")), category.id);
            named.entry(levels(&category.name)).or_default().push(category.id);
        }
        let mut yes_no = HashMap::new();
        for (word, yes) in [("是", true), ("已解决", true), ("解决", true), ("yes", true), ("true", true), ("1", true)]
        {
            yes_no.insert(normalise(word), yes);
        }
        for (word, no) in [("否", false), ("未解决", false), ("no", false), ("false", false), ("0", false)] {
            yes_no.insert(normalise(word), no);
        }
        Directory {
            units: by_name,
            inactive: inactive.clone(),
            category_paths: by_path,
            category_names: named,
            kinds: value_words("kind"),
            states: value_words("status"),
            verdicts: value_words("satisfaction"),
            yes_no,
        }
    }

    fn unit(&self, text: &str) -> Result<&Unit, Reason> {
        match self.units.get(&normalise(text)).map(Vec::as_slice) {
            None | Some([]) => Err(Reason::UnknownUnit),
            Some([unit]) => Ok(unit),
            Some(_) => Err(Reason::AmbiguousUnit),
        }
    }

    fn category(&self, text: &str) -> Result<i64, Reason> {
        let key = levels(text);
        if let Some(id) = self.category_paths.get(&key) {
            return Ok(*id);
        }
        match self.category_names.get(&key).map(Vec::as_slice).unwrap_or_default() {
            [] => Err(Reason::UnknownCategory),
            [id] => Ok(*id),
            _ => Err(Reason::AmbiguousCategory),
        }
    }

    fn coded<T>(words: &HashMap<String, String>, text: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
        let key = normalise(text);
        parse(&key).or_else(|| words.get(&key).and_then(|code| parse(code)))
    }
}

/// A category's path or name as a key: files write the levels apart with `/`, `-`, `>`
/// or `、`, and names hold some of these themselves (房产证登记、办理), so the catalogue's
/// own paths are keyed the same way as the text looked up and the two meet.
fn levels(text: &str) -> String {
    normalise(text).replace(['-', '>', ',', '，', '、', '＞'], "/")
}

/// The value of one cell in a problem, cut to what helps find it.
fn shown(value: &str) -> String {
    let mut shown: String = value.chars().take(VALUE_SHOWN).collect();
    if value.chars().count() > VALUE_SHOWN {
        shown.push('…');
    }
    shown
}

/// Reads a local (UTC+8) date and time as offices write them: `2019/4/25 9:32:09`,
/// `2019-04-25 09:32`, `2019年4月25日`, `20190425093209`, with or without the time.
pub fn parse_time(text: &str) -> Option<Millis> {
    let text = text.trim().replace('T', " ");
    const WITH_TIME: &[&str] = &[
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M",
        "%Y.%m.%d %H:%M:%S",
        "%Y.%m.%d %H:%M",
        "%Y年%m月%d日 %H:%M:%S",
        "%Y年%m月%d日 %H:%M",
        "%Y年%m月%d日%H时%M分",
        "%Y%m%d%H%M%S",
    ];
    const DATE_ONLY: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"];
    let local = WITH_TIME
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&text, f).ok())
        .or_else(|| DATE_ONLY.iter().find_map(|f| NaiveDate::parse_from_str(&text, f).ok()?.and_hms_opt(0, 0, 0)))?;
    if !(1990..=2100).contains(&chrono::Datelike::year(&local)) {
        return None;
    }
    time::local().from_local_datetime(&local).single().map(|t| t.timestamp_millis())
}

/// The title of a record that has none: the start of its content, to its first full stop.
fn title_from(content: &str) -> String {
    let first = content.split(['。', '！', '？', '\n', '!', '?']).next().unwrap_or(content).trim();
    first.chars().take(30).collect()
}

/// What the rules need besides the row: the deadline policy and calendar the deadlines
/// are computed on, each category's own days, and the time now.
pub struct Rules<'a> {
    pub policy: &'a DeadlinePolicy,
    pub calendar: &'a WorkCalendar,
    pub category_days: &'a HashMap<i64, u32>,
    pub now: Millis,
}

/// A row that passed: the request as it stands, its history as far as the file tells
/// it, and its source id when the file has a column for it.
#[derive(Debug, Clone)]
pub struct Record {
    pub source_id: Option<String>,
    pub request: Request,
    pub events: Vec<(Millis, String, EventDraft)>,
}

/// Reads one row (`row` numbered as the spreadsheet shows it) into a record, or every
/// problem it has.
pub fn read_row(
    cells: &[String],
    row: usize,
    columns: &Columns,
    mapping: &Mapping,
    directory: &Directory,
    rules: &Rules,
) -> Result<Record, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut refuse = |field: Field, value: &str, reason: Reason| {
        problems.push(Problem { row, column: columns.header(field), value: shown(value), reason });
    };
    let get = |field: Field| columns.get(cells, field);

    let created_text = get(Field::CreatedAt);
    let created_at = match parse_time(created_text) {
        _ if created_text.is_empty() => {
            refuse(Field::CreatedAt, created_text, Reason::Missing);
            None
        }
        None => {
            refuse(Field::CreatedAt, created_text, Reason::BadDate);
            None
        }
        Some(at) if at > rules.now => {
            refuse(Field::CreatedAt, created_text, Reason::FutureDate);
            None
        }
        Some(at) => Some(at),
    };
    let content = get(Field::Content).to_string();
    if content.is_empty() {
        refuse(Field::Content, "", Reason::Missing);
    } else if content.chars().count() > MAX_CONTENT {
        refuse(Field::Content, &content, Reason::TooLong);
    }
    let mut title = get(Field::Title).to_string();
    if title.is_empty() {
        title = title_from(&content);
    } else if title.chars().count() > MAX_TITLE {
        refuse(Field::Title, &title, Reason::TooLong);
    }
    let unit_text = match get(Field::Unit) {
        "" => mapping.default_unit.trim(),
        text => text,
    };
    let unit = if unit_text.is_empty() {
        refuse(Field::Unit, "", Reason::Missing);
        None
    } else {
        match directory.unit(unit_text) {
            Ok(unit) if !unit.kind.is_place() => {
                refuse(Field::Unit, unit_text, Reason::NotAPlace);
                None
            }
            Ok(unit) if directory.inactive.contains(&unit.id) => {
                refuse(Field::Unit, unit_text, Reason::UnitInactive);
                None
            }
            Ok(unit) => Some(unit),
            Err(reason) => {
                refuse(Field::Unit, unit_text, reason);
                None
            }
        }
    };
    let category_text = get(Field::Category);
    let category_id = if category_text.is_empty() {
        None
    } else {
        directory.category(category_text).map_err(|reason| refuse(Field::Category, category_text, reason)).ok()
    };
    let kind_text = get(Field::Kind);
    let kind = if kind_text.is_empty() {
        mapping.default_kind.unwrap_or(Kind::Complaint)
    } else {
        Directory::coded(&directory.kinds, kind_text, Kind::parse).unwrap_or_else(|| {
            refuse(Field::Kind, kind_text, Reason::UnknownKind);
            Kind::Complaint
        })
    };
    let verdict_text = get(Field::Satisfaction);
    let satisfaction = if verdict_text.is_empty() {
        None
    } else {
        let found = Directory::coded(&directory.verdicts, verdict_text, Satisfaction::parse);
        if found.is_none() {
            refuse(Field::Satisfaction, verdict_text, Reason::UnknownSatisfaction);
        }
        found
    };
    let solved_text = get(Field::Solved);
    let solved = if solved_text.is_empty() {
        // A verdict without its own "solved": satisfied (基本满意 too) is taken as solved.
        satisfaction.map(Satisfaction::counts_as_satisfied)
    } else {
        let found = directory.yes_no.get(&normalise(solved_text)).copied();
        if found.is_none() {
            refuse(Field::Solved, solved_text, Reason::UnknownSolved);
        }
        found
    };
    let reply = get(Field::Reply).to_string();
    if reply.chars().count() > MAX_CONTENT {
        refuse(Field::Reply, &reply, Reason::TooLong);
    }
    let status_text = get(Field::Status);
    let status = if status_text.is_empty() {
        // The file does not say: what it holds does.
        Some(if satisfaction.is_some() {
            Status::Closed
        } else if !reply.is_empty() {
            Status::Resolved
        } else {
            Status::Submitted
        })
    } else {
        match Directory::coded(&directory.states, status_text, Status::parse) {
            Some(Status::Merged) => {
                refuse(Field::Status, status_text, Reason::MergedStatus);
                None
            }
            Some(Status::Resolved) if satisfaction.is_some() => Some(Status::Closed),
            Some(status) => Some(status),
            None => {
                refuse(Field::Status, status_text, Reason::UnknownStatus);
                None
            }
        }
    };
    let done = matches!(status, Some(Status::Resolved | Status::Closed));
    let replied_text = get(Field::RepliedAt);
    let replied_at = if replied_text.is_empty() {
        if done {
            refuse(Field::RepliedAt, "", Reason::Missing);
        }
        None
    } else {
        match parse_time(replied_text) {
            None => {
                refuse(Field::RepliedAt, replied_text, Reason::BadDate);
                None
            }
            Some(at) if at > rules.now => {
                refuse(Field::RepliedAt, replied_text, Reason::FutureDate);
                None
            }
            Some(at) if created_at.is_some_and(|c| at < c) => {
                refuse(Field::RepliedAt, replied_text, Reason::RepliedBeforeCreated);
                None
            }
            Some(at) => Some(at),
        }
    };
    let phone = get(Field::Phone).to_string();
    if phone.chars().count() > MAX_PHONE {
        refuse(Field::Phone, &phone, Reason::TooLong);
    } else if !phone.chars().all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ') {
        refuse(Field::Phone, &phone, Reason::BadPhone);
    }
    for field in [Field::Name, Field::Address, Field::Number, Field::SourceId] {
        let value = get(field);
        if value.chars().count() > MAX_SHORT {
            refuse(field, value, Reason::TooLong);
        }
    }
    let (Some(created_at), Some(unit), Some(status), true) = (created_at, unit, status, problems.is_empty()) else {
        return Err(problems);
    };
    let new = NewRequest {
        kind,
        channel: Channel::Import,
        title,
        content,
        address: get(Field::Address).to_string(),
        unit_id: unit.id,
        category_id,
        urgent: false,
        requester_type: RequesterType::Resident,
        requester_name: get(Field::Name).to_string(),
        requester_phone: phone,
        anonymous: false,
        location: None,
    };
    let mut request = Request::submitted(new, unit.path.clone(), created_at);
    request.number = get(Field::Number).to_string();
    request.status = status;
    let handled = matches!(status, Status::Dispatched | Status::InProgress | Status::Resolved | Status::Closed);
    if handled {
        // The file tells neither when it was dispatched nor when it was claimed: it is
        // taken as dispatched to its place when it came in, and its claim (unknown) is
        // not counted in the response rate. Its resolve deadline is the one dispatch
        // would have set, so the on-time rate counts its reply time against it.
        request.assignee_unit_id = Some(unit.id);
        request.assignee_path = Some(unit.path.clone());
        request.dispatched_at = Some(created_at);
        let days = category_id.and_then(|id| rules.category_days.get(&id).copied());
        let due = rules.policy.deadlines(rules.calendar, created_at, kind, false, days);
        request.resolve_by = Some(due.resolve_by);
        request.deadline_estimated = due.estimated;
    }
    if !reply.is_empty() {
        request.reply = Some(reply);
    }
    if done {
        request.resolved_at = replied_at;
        request.first_resolved_at = replied_at;
    }
    if status == Status::Closed {
        // The verdict's own time is seldom kept; the reply's stands for it.
        request.closed_at = replied_at;
        if satisfaction.is_some() {
            request.satisfaction = satisfaction;
            request.solved = solved;
            request.evaluated_at = replied_at;
        }
    }
    let events = history(&request);
    let source_id = Some(get(Field::SourceId).to_string()).filter(|s| !s.is_empty());
    Ok(Record { source_id, request, events })
}

/// The one step the file tells after the submission, as an event: how the record got to
/// the state it is in.
fn history(request: &Request) -> Vec<(Millis, String, EventDraft)> {
    let (action, at) = match request.status {
        Status::Submitted | Status::Merged => return Vec::new(),
        Status::PendingDispatch => (Action::Accept, request.created_at),
        Status::Rejected => (Action::Reject, request.created_at),
        Status::Dispatched => (Action::Dispatch, request.created_at),
        Status::InProgress => (Action::Claim, request.created_at),
        Status::Resolved => (Action::Resolve, request.resolved_at.unwrap_or(request.created_at)),
        Status::Closed if request.satisfaction.is_some() => {
            (Action::Evaluate, request.evaluated_at.unwrap_or(request.created_at))
        }
        Status::Closed => (Action::AutoClose, request.closed_at.unwrap_or(request.created_at)),
    };
    let draft = EventDraft {
        action,
        from: Status::Submitted,
        to: request.status,
        note: String::new(),
        payload: serde_json::json!({ "imported": true }),
    };
    vec![(at, "import".to_string(), draft)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::UnitKind;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_are_guessed_in_chinese_and_english() {
        let file = headers(&["工单编号", "受理时间", "诉求内容", "答复内容", "答复时间", "满意度", "所属社区"]);
        let mapping = Mapping::guess(&file);
        assert_eq!(mapping.columns[&Field::Number], "工单编号");
        assert_eq!(mapping.columns[&Field::CreatedAt], "受理时间");
        assert_eq!(mapping.columns[&Field::Content], "诉求内容");
        assert_eq!(mapping.columns[&Field::Reply], "答复内容");
        assert_eq!(mapping.columns[&Field::RepliedAt], "答复时间");
        assert_eq!(mapping.columns[&Field::Satisfaction], "满意度");
        assert_eq!(mapping.columns[&Field::Unit], "所属社区");
        let tipdm = Mapping::guess(&headers(&["id", "user", "title", "time", "detail", "reply", "reply_time"]));
        assert_eq!(tipdm.columns[&Field::SourceId], "id");
        assert_eq!(tipdm.columns[&Field::CreatedAt], "time");
        assert_eq!(tipdm.columns[&Field::RepliedAt], "reply_time");
        assert_eq!(tipdm.columns[&Field::Name], "user");
        assert_eq!(tipdm.columns[&Field::Content], "detail");
        // 12345 exports name the time of a call in a longer header.
        let long = Mapping::guess(&headers(&["市民来电时间", "来电内容"]));
        assert_eq!(long.columns[&Field::CreatedAt], "市民来电时间");
    }

    #[test]
    fn times_are_read_as_offices_write_them() {
        let at = parse_time("2019-04-25 09:32:09").unwrap();
        for text in ["2019/4/25 9:32:09", "2019-04-25T09:32:09", "2019年4月25日 9:32:09", "20190425093209"] {
            assert_eq!(parse_time(text), Some(at), "{text}");
        }
        assert_eq!(parse_time("2019/4/25"), parse_time("2019-04-25 00:00"));
        assert_eq!(time::display(at), "2019-04-25 09:32");
        for bad in ["2019-13-01", "昨天", "", "25/04/2019", "1899-01-01"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    fn place() -> Unit {
        Unit {
            id: 3,
            parent_id: Some(2),
            kind: UnitKind::Community,
            code: "C1".into(),
            name: "柳湾社区".into(),
            path: "/1/2/3/".into(),
        }
    }

    #[test]
    fn a_row_keeps_its_history_and_every_fault_is_named() {
        let categories = vec![
            Category {
                id: 1,
                parent_id: None,
                level: 1,
                name: "城乡建设".into(),
                default_unit_id: None,
                resolve_days: None,
            },
            Category {
                id: 2,
                parent_id: Some(1),
                level: 2,
                name: "市政设施".into(),
                default_unit_id: None,
                resolve_days: None,
            },
        ];
        let directory = Directory::new(&[place()], &HashSet::new(), &categories);
        let file = headers(&["编号", "受理时间", "标题", "内容", "社区", "分类", "答复", "答复时间", "满意度"]);
        let mapping = Mapping::guess(&file);
        let columns = mapping.locate(&file).unwrap();
        let (policy, calendar) = (DeadlinePolicy::default(), WorkCalendar::default());
        let rules = Rules { policy: &policy, calendar: &calendar, category_days: &HashMap::new(), now: time::now() };
        let good = headers(&[
            "A1",
            "2019/4/25 9:32",
            "井盖",
            "井盖缺失",
            "C1",
            "城乡建设/市政设施",
            "已补装",
            "2019/4/26 10:00",
            "基本满意",
        ]);
        let record = read_row(&good, 2, &columns, &mapping, &directory, &rules).unwrap();
        let r = &record.request;
        assert_eq!((r.number.as_str(), r.status, r.new.category_id), ("A1", Status::Closed, Some(2)));
        assert_eq!(r.satisfaction, Some(Satisfaction::BasicallySatisfied));
        assert_eq!(r.resolved_at, parse_time("2019-04-26 10:00"));
        assert_eq!(record.events[0].2.action, Action::Evaluate);
        let bad = headers(&["A2", "2019/2/30", "", "", "某社区", "无此类", "已答复", "2019/4/1", "很好"]);
        let problems = read_row(&bad, 3, &columns, &mapping, &directory, &rules).unwrap_err();
        let reasons: Vec<Reason> = problems.iter().map(|p| p.reason).collect();
        assert_eq!(
            reasons,
            [
                Reason::BadDate,
                Reason::Missing,
                Reason::UnknownUnit,
                Reason::UnknownCategory,
                Reason::UnknownSatisfaction
            ]
        );
        assert!(problems.iter().all(|p| p.row == 3));
        assert_eq!(problems[2].column, "社区");
        assert_eq!(problems[2].value, "某社区");
    }

    #[test]
    fn categories_are_found_by_path_or_by_a_name_that_holds_separators() {
        let category = |id, parent_id, name: &str| Category {
            id,
            parent_id,
            level: if parent_id.is_some() { 2 } else { 1 },
            name: name.into(),
            default_unit_id: None,
            resolve_days: None,
        };
        let categories = vec![
            category(1, None, "城乡建设"),
            category(2, Some(1), "房产证登记、办理"),
            category(3, Some(1), "市政设施"),
            category(4, None, "交通运输"),
            category(5, Some(4), "市政设施"),
        ];
        let directory = Directory::new(&[place()], &HashSet::new(), &categories);
        for text in ["城乡建设/房产证登记、办理", "房产证登记、办理", "城乡建设-房产证登记、办理"]
        {
            assert_eq!(directory.category(text), Ok(2), "{text}");
        }
        for text in ["城乡建设/市政设施", "城乡建设-市政设施", "城乡建设>市政设施", "城乡建设、市政设施"]
        {
            assert_eq!(directory.category(text), Ok(3), "{text}");
        }
        assert_eq!(directory.category("交通运输"), Ok(4));
        assert_eq!(directory.category("市政设施"), Err(Reason::AmbiguousCategory));
        assert_eq!(directory.category("房产证"), Err(Reason::UnknownCategory));
    }
}
