//! Inspections (创文迎检, 河湖巡查, 开学安全检查): an admin keeps points and checklists, a
//! campaign plans rounds, an inspector marks a round item by item on a phone, and each
//! failed item of a finished round becomes a rectification request — through `submit`,
//! like every request — sent at once to the point's department with a deadline by its
//! severity. A reinspection on site closes it or sends it back for rework; the second
//! failure of one item at one point within a campaign opens a press order (重点整改督办)
//! through the supervision use case.
//!
//! The rules are `gongzhi_domain::inspection`'s and the lifecycle's; nobody measured by a
//! figure sets it: scores come only from the inspector's findings, counts only from the
//! requests.

use gongzhi_domain::geo::Point as Location;
use gongzhi_domain::inspection::{self, ItemDraft, Mark, RoundAction, RoundRefused, Score, Severity};
use gongzhi_domain::request::{Channel, Kind, NewRequest, RequesterType};
use gongzhi_domain::role::{Role, Staff};
use gongzhi_domain::supervision::OrderKind;
use gongzhi_domain::time::{self, Millis};
use gongzhi_domain::{Actor, Broken, Command, Request};
use gongzhi_store::inspection::{Chain, ItemRow, NewPoint, Rectification, Round};
use gongzhi_store::{NewOrder, Store, StoreError};

use crate::handling::{carry_out, Act};
use crate::intake::{submit, NoSuggestions, Submission};
use crate::Result;

fn refused(code: &'static str) -> crate::AppError {
    StoreError::Refused(code).into()
}

fn round_refused(why: RoundRefused) -> crate::AppError {
    refused(match why {
        RoundRefused::WrongState(_) => "round_finished",
        RoundRefused::NotInspector => "not_round_inspector",
        RoundRefused::Unmarked(_) => "round_unmarked",
        RoundRefused::FailWithoutNote => "fail_without_note",
        RoundRefused::NoteTooLong => "note_too_long",
    })
}

fn admin_only(staff: &Staff) -> Result<()> {
    if staff.role != Role::Admin {
        return Err(refused("not_admin"));
    }
    Ok(())
}

/// Adds an inspection point in a place of the admin's subtree.
pub async fn add_point(store: &Store, admin: &Staff, new: NewPoint, at: Millis) -> Result<i64> {
    admin_only(admin)?;
    inspection::check_kind(&new.kind)?;
    let known = inspection::POINT_KINDS.contains(&new.kind.as_str())
        || store.point_kinds().await?.iter().any(|(code, _)| *code == new.kind);
    if !known {
        return Err(refused("unknown_point_kind"));
    }
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(refused("bad_name"));
    }
    if new.address.chars().count() > gongzhi_domain::request::MAX_SHORT {
        return Err(
            gongzhi_domain::Broken::Invalid { field: "address", reason: "longer than 200 characters".into() }.into()
        );
    }
    match (new.lat, new.long) {
        (Some(lat), Some(long)) => {
            Location::new(lat, long)?;
        }
        (None, None) => {}
        _ => return Err(refused("half_location")),
    }
    let new = NewPoint { name: name.to_string(), address: new.address.trim().to_string(), ..new };
    Ok(store.add_point(admin, &new, at).await?)
}

/// Adds a point kind beside the built-in ones.
pub async fn add_point_kind(store: &Store, admin: &Staff, code: &str, name: &str) -> Result<()> {
    admin_only(admin)?;
    inspection::check_kind(code)?;
    if inspection::POINT_KINDS.contains(&code) {
        return Err(StoreError::Duplicate("point kind".into()).into());
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(refused("bad_name"));
    }
    Ok(store.add_point_kind(code, name).await?)
}

/// Sets a point's four-level chain.
pub async fn set_chain(store: &Store, admin: &Staff, point_id: i64, chain: Chain) -> Result<()> {
    admin_only(admin)?;
    Ok(store.set_chain(admin, point_id, &chain).await?)
}

/// Stores a checklist as the next version of its name.
pub async fn add_checklist(store: &Store, admin: &Staff, name: &str, items: &[ItemDraft], at: Millis) -> Result<i64> {
    admin_only(admin)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(refused("bad_name"));
    }
    inspection::check_items(items)?;
    let entries = crate::catalogue::entries(store).await?;
    let mut resolved = items.to_vec();
    for (n, item) in resolved.iter_mut().enumerate() {
        // Line n + 2 of a file: its first line is the header.
        item.category_id = crate::catalogue::named(&item.category, &entries)
            .map_err(|reason| Broken::Invalid { field: "checklist", reason: format!("line {}: {reason}", n + 2) })?;
    }
    Ok(store.add_checklist(name, &resolved, Some(admin.user_id), at).await?)
}

/// Reads a checklist file: an XLSX workbook's first sheet or a CSV text, a header row
/// then one item a row (text, points, severity, category).
pub fn read_checklist(bytes: &[u8]) -> Result<Vec<ItemDraft>> {
    let rows = if bytes.starts_with(b"PK") { xlsx_rows(bytes)? } else { csv_rows(bytes)? };
    let items = rows
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, row)| row.iter().any(|cell| !cell.trim().is_empty()))
        .map(|(i, row)| ItemDraft::from_cells(&row.iter().map(String::as_str).collect::<Vec<_>>(), i + 1))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    inspection::check_items(&items)?;
    Ok(items)
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| refused("file_not_utf8"))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| record.map(|r| r.iter().map(str::to_string).collect()).map_err(|_| refused("file_unreadable")))
        .collect()
}

/// The first sheet's rows as text: a cell holds text or a number.
pub fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    use calamine::{Data, Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| refused("file_unreadable"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| refused("file_unreadable"))?
        .map_err(|_| refused("file_unreadable"))?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

/// Loads the shipped example checklists (创文, 开学, 河湖) that are not there yet.
pub async fn load_example_checklists(store: &Store, at: Millis) -> Result<Vec<i64>> {
    let have = store.checklists().await?;
    let entries = crate::catalogue::entries(store).await?;
    let mut ids = Vec::new();
    for (name, text) in inspection::EXAMPLE_CHECKLISTS {
        if let Some(found) = have.iter().find(|c| c.name == *name) {
            ids.push(found.id);
            continue;
        }
        // The examples name the shipped catalogue's categories; a district that changed
        // its catalogue gets them without the categories it no longer has.
        let mut items = inspection::parse_checklist(text)?;
        for item in &mut items {
            item.category_id = crate::catalogue::named(&item.category, &entries).ok().flatten();
        }
        ids.push(store.add_checklist(name, &items, None, at).await?);
    }
    Ok(ids)
}

/// A rectification's point, round and item, named for a request.
struct Origin<'a> {
    point: &'a gongzhi_store::inspection::Point,
    round: &'a Round,
    item: &'a ItemRow,
    note: &'a str,
}

/// Starts a round at a point in the inspector's scope: on a campaign's checklist, or ad
/// hoc on any.
pub async fn start_round(
    store: &Store,
    inspector: &Staff,
    point_id: i64,
    checklist_id: i64,
    campaign_id: Option<i64>,
    at: Millis,
) -> Result<i64> {
    if inspector.role != Role::Inspector {
        return Err(refused("not_round_inspector"));
    }
    store.point(inspector, point_id).await?;
    store.checklist(checklist_id).await?;
    if let Some(campaign) = campaign_id {
        let planned = store.campaigns().await?.into_iter().find(|c| c.id == campaign).ok_or(StoreError::NotFound)?;
        let assigned = store.campaign_points(campaign).await?.into_iter().find(|a| a.point_id == point_id);
        let Some(assigned) = assigned.filter(|_| planned.checklist_id == checklist_id) else {
            return Err(refused("not_on_campaign"));
        };
        // A planned point is inspected by the inspector the plan names: the round's
        // score is theirs to give, not a colleague's who might be kinder to it.
        if assigned.inspector_id.is_some_and(|id| id != inspector.user_id) {
            return Err(refused("not_assigned_inspector"));
        }
    }
    Ok(store.start_round(point_id, checklist_id, campaign_id, inspector.user_id, at).await?)
}

/// A round with its checklist's items and the findings saved so far, and its score.
pub struct RoundView {
    pub round: Round,
    pub items: Vec<(ItemRow, Option<gongzhi_store::inspection::Finding>)>,
    pub score: Score,
}

pub async fn round(store: &Store, staff: &Staff, round_id: i64) -> Result<RoundView> {
    let round = store.round(staff, round_id).await?;
    let (_, items) = store.checklist(round.checklist_id).await?;
    let mut findings = store.findings(round_id).await?;
    let items: Vec<_> = items
        .into_iter()
        .map(|item| {
            let found = findings.iter().position(|f| f.item_id == item.id).map(|i| findings.swap_remove(i));
            (item, found)
        })
        .collect();
    let score =
        inspection::score(items.iter().map(|(item, f)| (item.points as u32, f.as_ref().and_then(|f| f.mark()))));
    Ok(RoundView { round, items, score })
}

/// Saves one item's finding: each item is its own request, so a lost connection loses
/// nothing already saved. Marking an item again replaces its mark and note.
pub async fn mark_item(
    store: &Store,
    inspector: &Staff,
    round_id: i64,
    item_id: i64,
    mark: Mark,
    note: &str,
    photos: Vec<Vec<u8>>,
    at: Millis,
) -> Result<RoundView> {
    let view = round(store, inspector, round_id).await?;
    inspection::may(RoundAction::Mark, view.round.status(), inspector, view.round.inspector_id, &view.score)
        .map_err(round_refused)?;
    inspection::check_finding(mark, note).map_err(round_refused)?;
    gongzhi_domain::lifecycle::printable(note).then_some(()).ok_or_else(|| refused("note_unprintable"))?;
    if !view.items.iter().any(|(item, _)| item.id == item_id) {
        return Err(StoreError::NotFound.into());
    }
    store.mark_item(round_id, item_id, mark, note, &photos, at).await?;
    round(store, inspector, round_id).await
}

/// Finishes a round once every item is marked: its score is kept, and each failed item
/// becomes a rectification request sent to the point's department. Returns the
/// requests.
pub async fn finish_round(store: &Store, inspector: &Staff, round_id: i64, at: Millis) -> Result<Vec<Request>> {
    let view = round(store, inspector, round_id).await?;
    inspection::may(RoundAction::Finish, view.round.status(), inspector, view.round.inspector_id, &view.score)
        .map_err(round_refused)?;
    let point = store.point(inspector, view.round.point_id).await?;
    let failed: Vec<_> = view
        .items
        .iter()
        .filter_map(|(item, f)| f.as_ref().filter(|f| f.mark() == Some(Mark::Fail)).map(|f| (item, f)))
        .collect();
    let department = match point.department_id {
        Some(department) => department,
        None if failed.is_empty() => 0,
        None => return Err(refused("point_without_department")),
    };
    // The requests first: a finish sent again after a lost answer finds them by their
    // keys instead of making them twice, and only then the round closes.
    let mut made = Vec::new();
    for (item, finding) in failed {
        let origin = Origin { point: &point, round: &view.round, item, note: &finding.note };
        made.push(rectify(store, inspector, &origin, department, at).await?);
    }
    store.finish_round(round_id, &view.score, at).await?;
    Ok(made)
}

async fn rectify(
    store: &Store,
    inspector: &Staff,
    origin: &Origin<'_>,
    department: i64,
    at: Millis,
) -> Result<Request> {
    let Origin { point, round, item, note } = origin;
    let severity = item.severity();
    let settings = store.settings();
    let due = inspection::rectification_due(&settings.calendar, severity, at);
    let short: String = item.text.chars().take(40).collect();
    let new = NewRequest {
        kind: Kind::Report,
        channel: Channel::Inspection,
        title: format!("{}：{}", point.name, short),
        content: format!(
            "{}（第{}项，{}分）：{}\n{}",
            round.checklist_name, item.position, item.points, item.text, note
        ),
        address: point.address.clone(),
        unit_id: point.unit_id,
        category_id: item.category_id,
        urgent: severity == Severity::Severe,
        requester_type: RequesterType::Resident,
        requester_name: round.inspector_name.clone(),
        requester_phone: String::new(),
        anonymous: true,
        location: point.lat.zip(point.long).map(|(lat, long)| Location { lat, long }),
    };
    let photos = store.finding_photos(round.id, item.id).await?.into_iter().map(|(_, _, bytes)| bytes).collect();
    let then = Command::Rectify { unit_id: department, due, instructions: String::new() };
    let submission = Submission {
        new,
        key: Some(format!("inspection:{}:{}", round.id, item.id)),
        actor: Actor::Staff(inspector.clone()),
        photos,
        then: Some(then),
    };
    let created = submit(store, &NoSuggestions, submission).await?;
    let rectification = Rectification {
        request_id: created.request.id,
        point_id: point.id,
        round_id: round.id,
        item_id: item.id,
        campaign_id: round.campaign_id,
        severity: severity.as_str().to_string(),
        order_id: None,
        leader_id: point.leader_id,
    };
    if !created.replayed {
        store.record_rectification(&rectification, at).await?;
        failed_again(store, &rectification, &created.request, at).await?;
    }
    Ok(created.request)
}

/// Counts a failure of the item at the point; the second within a campaign escalates to
/// the point leader with a press order on the request, opened by the supervisor over the
/// department through the supervision use case. Without such a supervisor nothing is
/// opened, and the figures still show the repeated failure.
async fn failed_again(store: &Store, r: &Rectification, request: &Request, at: Millis) -> Result<()> {
    if !inspection::escalates(store.count_failure(r, at).await?) {
        return Ok(());
    }
    let path = request.assignee_path.clone().unwrap_or_else(|| request.unit_path.clone());
    let Some(supervisor) = store.supervisor_over(&path).await? else {
        tracing::warn!(request = request.id, "no supervisor over the unit to press a repeated failure");
        return Ok(());
    };
    let leader = match r.leader_id {
        Some(id) => store.account(id).await.map(|u| u.name).unwrap_or_default(),
        None => String::new(),
    };
    let reason = format!(
        "重点整改督办：同一点位同一检查项在本次活动中第{}次不合格，请包保领导{leader}督促整改",
        inspection::ESCALATE_AT
    );
    let due_at = inspection::press_due(&store.settings().calendar, at);
    let new = NewOrder { kind: OrderKind::Press, request_id: request.id, reason, due_at };
    match crate::supervision::open_order(store, &supervisor, new, at).await {
        Ok(order) => store.set_rectification_order(request.id, order.id).await?,
        Err(crate::AppError::Store(StoreError::AlreadyOpen { .. })) => {}
        Err(error) => return Err(error),
    }
    Ok(())
}

/// The reinspection (复查) of a rectification on site, by an inspector or the point's own
/// leader: passed, the request closes; failed, it goes back to its unit for rework with a
/// new deadline by its severity, and counts as another failure of the item.
pub async fn reinspect(
    store: &Store,
    staff: &Staff,
    request_id: i64,
    passed: bool,
    note: &str,
    photos: Vec<Vec<u8>>,
    at: Millis,
) -> Result<Request> {
    let r = store.rectification(request_id).await?.ok_or(StoreError::NotFound)?;
    if !inspection::may_reinspect(staff, r.leader_id) {
        return Err(refused("not_reinspector"));
    }
    let command = if passed {
        Command::ReinspectPass { note: note.trim().to_string() }
    } else {
        let severity = Severity::parse(&r.severity).unwrap_or(Severity::Minor);
        let due = inspection::rectification_due(&store.settings().calendar, severity, at);
        Command::ReinspectFail { reason: note.trim().to_string(), due }
    };
    let request =
        carry_out(store, Act::new(request_id, None, command, Actor::Staff(staff.clone())).at(at).with_photos(photos))
            .await?;
    if !passed {
        failed_again(store, &r, &request, at).await?;
    }
    Ok(request)
}

/// Today's start and the period's bounds for the figures: from the start of `from` to the
/// end of `to`, local days.
pub fn period(from: chrono::NaiveDate, to: chrono::NaiveDate) -> (Millis, Millis) {
    (time::start_of(from), time::start_of(to.succ_opt().unwrap_or(to)))
}

/// A row of an uploaded file that cannot be taken: its line and what is wrong, as a
/// code the pages put into words (`chain_row.{code}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRefused {
    pub line: usize,
    pub code: &'static str,
}

/// Sets the chains of many points from a workbook's rows (the template's columns: point
/// id, point name, leader login, department code, cadre login, volunteer logins joined
/// by 、). Nothing is set unless every row is good. Returns how many points were set.
pub async fn import_chains(
    store: &Store,
    admin: &Staff,
    rows: &[Vec<String>],
) -> Result<std::result::Result<usize, RowRefused>> {
    admin_only(admin)?;
    let accounts = store.accounts().await?;
    let login = |text: &str| accounts.iter().find(|a| a.login == text.trim()).map(|a| a.id);
    let mut chains = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        let line = i + 1;
        let cell = |n: usize| row.get(n).map(|c| c.trim()).unwrap_or("");
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let bad = |code| Ok(Err(RowRefused { line, code }));
        let Ok(point) = cell(0).parse::<i64>() else { return bad("point") };
        if store.point(admin, point).await.is_err() {
            return bad("point");
        }
        let person = |text: &str| if text.is_empty() { Ok(None) } else { login(text).map(Some).ok_or(()) };
        let Ok(leader_id) = person(cell(2)) else { return bad("leader") };
        let department_id = match cell(3) {
            "" => None,
            code => match store.unit_by_code(code).await? {
                Some(unit) => Some(unit.id),
                None => return bad("department"),
            },
        };
        let Ok(cadre_id) = person(cell(4)) else { return bad("cadre") };
        let mut volunteer_ids = Vec::new();
        for name in cell(5).split(['、', ',', '，']).map(str::trim).filter(|n| !n.is_empty()) {
            match login(name) {
                Some(id) if !volunteer_ids.contains(&id) => volunteer_ids.push(id),
                Some(_) => {}
                None => return bad("volunteer"),
            }
        }
        chains.push((point, Chain { leader_id, department_id, cadre_id, volunteer_ids }));
    }
    for (point, chain) in &chains {
        if let Err(error) = store.set_chain(admin, *point, chain).await {
            return match error {
                StoreError::Rule(_) => Ok(Err(RowRefused { line: 0, code: "department" })),
                other => Err(other.into()),
            };
        }
    }
    Ok(Ok(chains.len()))
}

/// Plans a campaign: a checklist applied to points of the admin's scope between two
/// days, each point with its inspector.
pub async fn plan_campaign(
    store: &Store,
    admin: &Staff,
    name: &str,
    checklist_id: i64,
    bounds: (Millis, Millis),
    points: &[gongzhi_store::inspection::Assignment],
    at: Millis,
) -> Result<i64> {
    admin_only(admin)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(refused("bad_name"));
    }
    for point in points {
        store.point(admin, point.point_id).await?;
    }
    Ok(store.add_campaign(name, checklist_id, bounds, points, admin.user_id, at).await?)
}

/// A past of rounds written in bulk, with their findings and scores as the rounds' own
/// pages would have left them (a district's history brought over, or a benchmark's year):
/// returns their ids in the order given. Rounds left open are the caller's to finish
/// through `finish_round`, which makes their failed items rectification requests.
pub async fn load_past_rounds(store: &Store, rounds: &[gongzhi_store::history::PastRound]) -> Result<Vec<i64>> {
    Ok(store.load_rounds(rounds).await?)
}
