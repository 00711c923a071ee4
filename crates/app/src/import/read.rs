//! A historical file as rows of text: XLSX (or the older XLS) read with calamine, CSV
//! with the csv crate in UTF-8 (with or without a byte-order mark) or GBK/GB18030, the
//! encoding Chinese offices' spreadsheet programs save in. Anything else is refused
//! with the reason, never read as garbage.

use calamine::{Data, Reader};
use serde::Serialize;

/// How the file was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Xlsx,
    Xls,
    Utf8,
    Utf8Bom,
    Gb18030,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Utf8 => "utf8",
            Format::Utf8Bom => "utf8_bom",
            Format::Gb18030 => "gb18030",
        }
    }
}

/// A file read: its header row and the rows under it, as text.
#[derive(Debug, Clone)]
pub struct Table {
    pub format: Format,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Why a file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    #[error("the file is empty")]
    Empty,
    #[error("the file has no header row")]
    NoHeader,
    #[error("the file is UTF-16 text: save it as UTF-8 or GBK")]
    Utf16,
    #[error("the file is neither a spreadsheet nor text")]
    Binary,
    #[error("the text is neither UTF-8 nor GBK/GB18030")]
    Encoding,
    #[error("the spreadsheet cannot be read: {0}")]
    Spreadsheet(String),
    #[error("the CSV cannot be read at line {0}")]
    Csv(u64),
}

impl Unreadable {
    /// A stable code for the message catalogue.
    pub fn code(&self) -> &'static str {
        match self {
            Unreadable::Empty => "empty",
            Unreadable::NoHeader => "no_header",
            Unreadable::Utf16 => "utf16",
            Unreadable::Binary => "binary",
            Unreadable::Encoding => "encoding",
            Unreadable::Spreadsheet(_) => "spreadsheet",
            Unreadable::Csv(_) => "csv",
        }
    }
}

const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads a file by its first bytes, whatever its name says.
pub fn read(bytes: &[u8]) -> Result<Table, Unreadable> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Unreadable::Empty);
    }
    if bytes.starts_with(ZIP) {
        let book =
            calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| Unreadable::Spreadsheet(e.to_string()))?;
        return sheet(book, Format::Xlsx);
    }
    if bytes.starts_with(OLE) {
        let book =
            calamine::Xls::new(std::io::Cursor::new(bytes)).map_err(|e| Unreadable::Spreadsheet(e.to_string()))?;
        return sheet(book, Format::Xls);
    }
    let (text, format) = decode(bytes)?;
    csv(&text, format)
}

/// UTF-8, else GB18030 (a superset of GBK); refused when it is neither, or not text.
pub fn decode(bytes: &[u8]) -> Result<(String, Format), Unreadable> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Unreadable::Utf16);
    }
    // Text files hold no NUL: a file that does is binary (or UTF-16 without its mark).
    if bytes.contains(&0) {
        return Err(Unreadable::Binary);
    }
    let (text, format) = match std::str::from_utf8(bytes) {
        Ok(text) => match text.strip_prefix('\u{feff}') {
            Some(rest) => (rest.to_string(), Format::Utf8Bom),
            None => (text.to_string(), Format::Utf8),
        },
        Err(_) => {
            let decoded = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes);
            (decoded.ok_or(Unreadable::Encoding)?.into_owned(), Format::Gb18030)
        }
    };
    // Control characters other than tabs and line ends mean a binary file that happened
    // to decode.
    let controls = text.chars().filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')).count();
    if controls * 100 > text.chars().count().max(1) {
        return Err(Unreadable::Binary);
    }
    Ok((text, format))
}

fn csv(text: &str, format: Format) -> Result<Table, Unreadable> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Unreadable::Csv(e.position().map_or(0, |p| p.line())))?;
        rows.push(record.iter().map(str::to_string).collect::<Vec<_>>());
    }
    table(rows, format)
}

fn table(mut rows: Vec<Vec<String>>, format: Format) -> Result<Table, Unreadable> {
    let blank = |row: &Vec<String>| row.iter().all(|c| c.trim().is_empty());
    let first = rows.iter().position(|r| !blank(r)).ok_or(Unreadable::NoHeader)?;
    let mut rows = rows.split_off(first);
    let headers: Vec<String> =
        rows.remove(0).into_iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect();
    Ok(Table { format, headers, rows })
}

/// The first sheet that holds anything.
fn sheet<R: std::io::Read + std::io::Seek, B: Reader<R>>(mut book: B, format: Format) -> Result<Table, Unreadable>
where
    B::Error: std::fmt::Display,
{
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| Unreadable::Spreadsheet(e.to_string()))?;
        if range.is_empty() {
            continue;
        }
        let skip = range.start().map(|(_, col)| col as usize).unwrap_or(0);
        let rows = range
            .rows()
            .map(|cells| std::iter::repeat_n(String::new(), skip).chain(cells.iter().map(cell)).collect())
            .collect();
        return table(rows, format);
    }
    Err(Unreadable::Empty)
}

/// A cell as the text it shows: dates as `2019-04-25 09:32:09`, whole numbers (phone
/// numbers, ids) without a decimal point.
fn cell(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
        Data::Float(x) => x.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(at) => match at.as_datetime() {
            Some(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => at.as_f64().to_string(),
        },
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_read_in_utf8_with_or_without_its_mark_and_in_gbk() {
        let csv = "标题,内容\n井盖,井盖缺失\n";
        assert_eq!(read(csv.as_bytes()).unwrap().format, Format::Utf8);
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), csv.as_bytes()].concat();
        let table = read(&with_bom).unwrap();
        assert_eq!((table.format, table.headers[0].as_str()), (Format::Utf8Bom, "标题"));
        let (gbk, _, _) = encoding_rs::GBK.encode(csv);
        let table = read(&gbk).unwrap();
        assert_eq!(table.format, Format::Gb18030);
        assert_eq!(table.rows, vec![vec!["井盖".to_string(), "井盖缺失".to_string()]]);
    }

    #[test]
    fn what_is_not_a_table_is_refused_with_the_reason() {
        assert_eq!(read(b"").unwrap_err(), Unreadable::Empty);
        assert_eq!(read(&[0xFF, 0xFE, b'a', 0]).unwrap_err(), Unreadable::Utf16);
        assert_eq!(read(&[0x89, b'P', b'N', b'G', 0, 0, 1, 2]).unwrap_err(), Unreadable::Binary);
        // Latin-1 text with bytes that are neither UTF-8 nor GB18030.
        assert_eq!(read(&[b'a', b',', 0xFF, b'\n']).unwrap_err(), Unreadable::Encoding);
        assert!(matches!(read(b"PK\x03\x04broken").unwrap_err(), Unreadable::Spreadsheet(_)));
    }
}
