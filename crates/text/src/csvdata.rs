//! Reading messages from CSV files such as those in shared/data/tipdm2020c.
//!
//! Column sets differ between files (some have `text`, some `title` and
//! `detail`, some a `label`), so columns are found by name and whatever is
//! missing is left empty.

use std::path::Path;

use crate::error::{Result, TextError};

/// One resident's message as read from a CSV row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    pub id: i64,
    pub title: String,
    pub detail: String,
    /// Title and detail together; built from them when the file has no `text`.
    pub text: String,
    pub label: Option<String>,
    /// Unix seconds (the files' local time taken as UTC); 0 when unknown.
    pub time: i64,
    pub supports: i64,
    pub place: Option<String>,
    /// The street address it gives, when the file has one.
    pub address: Option<String>,
    /// Who wrote it (an opaque user id), when the file says.
    pub user: Option<String>,
}

impl Message {
    /// The title when known; many training rows only have the joined text.
    pub fn title(&self) -> Option<&str> {
        (!self.title.trim().is_empty()).then_some(self.title.as_str())
    }
}

pub fn read_messages(path: &Path) -> Result<Vec<Message>> {
    let csv_err = |source| TextError::Csv { path: path.to_path_buf(), source };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path).map_err(csv_err)?;
    let headers = reader.headers().map_err(csv_err)?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim().trim_start_matches('\u{feff}') == name);
    let (id, title, detail, text, label, time, supports, place) = (
        col("id"),
        col("title"),
        col("detail"),
        col("text"),
        col("label"),
        col("time"),
        col("supports"),
        col("place").or_else(|| col("unit")),
    );
    let user = col("user");
    let address = col("address");
    if text.is_none() && title.is_none() && detail.is_none() {
        return Err(TextError::Columns {
            path: path.to_path_buf(),
            detail: "need `text` or `title` and `detail`".into(),
        });
    }
    let mut out = Vec::new();
    for (row_no, record) in reader.records().enumerate() {
        let record = record.map_err(csv_err)?;
        let get = |c: Option<usize>| c.and_then(|i| record.get(i)).unwrap_or("").trim().to_string();
        let title_v = get(title);
        let detail_v = get(detail);
        let mut text_v = get(text);
        if text_v.is_empty() {
            text_v = format!("{title_v}{detail_v}");
        }
        let label_v = get(label);
        let place_v = get(place);
        let user_v = get(user);
        let address_v = get(address);
        out.push(Message {
            id: get(id).parse().unwrap_or(row_no as i64 + 1),
            title: title_v,
            detail: detail_v,
            text: text_v,
            label: (!label_v.is_empty()).then_some(label_v),
            time: parse_time(&get(time)).unwrap_or(0),
            supports: get(supports).parse().unwrap_or(0),
            place: (!place_v.is_empty()).then_some(place_v),
            address: (!address_v.is_empty()).then_some(address_v),
            user: (!user_v.is_empty()).then_some(user_v),
        });
    }
    Ok(out)
}

/// Parses "2020/1/6 12:09:38", "2017-06-08 17:31:20" or a bare date into unix
/// seconds. Hand-written because these two shapes are all the data has and a
/// date crate would be this crate's only use for one.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, clock) = s.split_once(' ').unwrap_or((s, "0:0:0"));
    let mut d = date.split(['/', '-']).map(|p| p.trim().parse::<i64>());
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let mut c = clock.trim().split(':').map(|p| p.parse::<i64>());
    let h = c.next().and_then(|v| v.ok()).unwrap_or(0);
    let min = c.next().and_then(|v| v.ok()).unwrap_or(0);
    let sec = c.next().and_then(|v| v.ok()).unwrap_or(0);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(y, m, day) * 86_400 + h * 3600 + min * 60 + sec)
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_time_shapes_parse() {
        assert_eq!(parse_time("1970/1/1 0:00:00"), Some(0));
        assert_eq!(parse_time("2020/1/6 12:09:38"), Some(1_578_312_578));
        assert_eq!(parse_time("2017-06-08 17:31:20"), Some(1_496_943_080));
        assert_eq!(parse_time("2020-02-30"), Some(1_583_020_800)); // lenient, like the data
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn reads_title_detail_or_text_columns() {
        let dir = std::env::temp_dir().join(format!("gongzhi-text-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a.csv");
        std::fs::write(&a, "id,title,detail,time,supports\n7,井盖丢失,A3区路口井盖丢失,2019/2/28 11:25:05,3\n")
            .unwrap();
        let m = &read_messages(&a).unwrap()[0];
        assert_eq!((m.id, m.text.as_str(), m.supports), (7, "井盖丢失A3区路口井盖丢失", 3));
        assert_eq!(m.title(), Some("井盖丢失"));
        let b = dir.join("b.csv");
        std::fs::write(&b, "text,label\n噪音扰民,环境保护\n").unwrap();
        let m = &read_messages(&b).unwrap()[0];
        assert_eq!((m.title(), m.label.as_deref()), (None, Some("环境保护")));
        let c = dir.join("c.csv");
        std::fs::write(&c, "foo,bar\n1,2\n").unwrap();
        assert!(matches!(read_messages(&c), Err(TextError::Columns { .. })));
        std::fs::remove_dir_all(&dir).ok();
    }
}
