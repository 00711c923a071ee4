//! Spreadsheet downloads: every list a cadre sees can leave as an XLSX file, because
//! that is where their reports are written.
//!
//! Callers describe sheets as plain rows of cells; this module owns the file format, the
//! header styling and the download headers, so every export looks and behaves the same.

mod zip;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Largest number of rows one export carries; a list longer than this is cut, and the
/// last row says so, rather than building a file nobody can open.
pub const MAX_ROWS: usize = 100_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Number(f64),
    Empty,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_string())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Cell {
        value.map(Into::into).unwrap_or(Cell::Empty)
    }
}

/// One worksheet: a header row and the rows under it.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A sheet as the file is written from: its rows held, or made one at a time from data
/// a closure owns, so that a long list is never held a second time as cells.
pub struct MadeSheet {
    pub name: String,
    pub header: Vec<String>,
    rows: Rows,
}

enum Rows {
    Held(Vec<Vec<Cell>>),
    Made { len: usize, row: Box<dyn Fn(usize) -> Vec<Cell> + Send> },
}

impl MadeSheet {
    /// A sheet of `len` rows, row `i` made by `row(i)` when it is written.
    pub fn new(
        name: String,
        header: Vec<String>,
        len: usize,
        row: impl Fn(usize) -> Vec<Cell> + Send + 'static,
    ) -> MadeSheet {
        MadeSheet { name, header, rows: Rows::Made { len, row: Box::new(row) } }
    }

    fn len(&self) -> usize {
        match &self.rows {
            Rows::Held(rows) => rows.len(),
            Rows::Made { len, .. } => *len,
        }
    }

    fn row(&self, index: usize) -> Cow<'_, [Cell]> {
        match &self.rows {
            Rows::Held(rows) => Cow::Borrowed(&rows[index]),
            Rows::Made { row, .. } => Cow::Owned(row(index)),
        }
    }
}

impl From<Sheet> for MadeSheet {
    fn from(sheet: Sheet) -> MadeSheet {
        MadeSheet { name: sheet.name, header: sheet.header, rows: Rows::Held(sheet.rows) }
    }
}

/// Sheet names Excel accepts: at most 31 characters, none of `[]:*?/\`, no two alike.
fn sheet_names<'a>(sheets: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (index, name) in sheets.enumerate() {
        let clean: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        let name =
            if clean.trim().is_empty() || names.contains(&clean) { format!("Sheet{}", index + 1) } else { clean };
        names.push(name);
    }
    names
}

/// Text as XML character data: escaped, and without the control characters XML forbids
/// (they do turn up in pasted text, and a file containing one will not open).
fn xml_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA.
fn column(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

fn text_cell(out: &mut String, reference: &str, text: &str, style: u8) {
    let _ = write!(out, r#"<c r="{reference}" t="inlineStr" s="{style}"><is><t xml:space="preserve">"#);
    xml_text(out, text);
    out.push_str("</t></is></c>");
}

/// Display width of a text in character cells: CJK characters take two.
fn width_of(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Writes a sheet's XML into `out` a few rows at a time: a year of lists is hundreds of
/// megabytes of XML, which is never held whole.
fn write_worksheet(sheet: &MadeSheet, out: &mut impl Write) -> io::Result<()> {
    const FLUSH_AT: usize = 64 * 1024;
    let mut xml = String::with_capacity(FLUSH_AT + 4096);
    xml.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    xml.push_str(r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#);
    xml.push_str(r#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#);
    // Columns as wide as their header or their first rows, within reason.
    let (header, len) = (&sheet.header, sheet.len());
    let first_rows: Vec<Cow<[Cell]>> = (0..len.min(200)).map(|i| sheet.row(i)).collect();
    let columns = header.len().max(first_rows.iter().map(|r| r.len()).max().unwrap_or(0));
    if columns > 0 {
        xml.push_str("<cols>");
        for col in 0..columns {
            let header = header.get(col).map(|h| width_of(h)).unwrap_or(0);
            let body = first_rows.iter().filter_map(|r| match r.get(col) {
                Some(Cell::Text(t)) => Some(width_of(t)),
                Some(Cell::Int(_) | Cell::Number(_)) => Some(10),
                _ => None,
            });
            let width = body.max().unwrap_or(0).max(header).clamp(8, 60) + 2;
            let _ = write!(xml, r#"<col min="{n}" max="{n}" width="{width}" customWidth="1"/>"#, n = col + 1);
        }
        xml.push_str("</cols>");
    }
    drop(first_rows);
    xml.push_str("<sheetData>");
    if !header.is_empty() {
        xml.push_str(r#"<row r="1">"#);
        for (col, title) in header.iter().enumerate() {
            text_cell(&mut xml, &format!("{}1", column(col)), title, 1);
        }
        xml.push_str("</row>");
    }
    let first = if header.is_empty() { 1 } else { 2 };
    for i in 0..len.min(MAX_ROWS) {
        let cells = sheet.row(i);
        let row = first + i;
        let _ = write!(xml, r#"<row r="{row}">"#);
        for (col, cell) in cells.iter().enumerate() {
            let reference = format!("{}{row}", column(col));
            match cell {
                Cell::Text(text) => text_cell(&mut xml, &reference, text, 0),
                Cell::Int(n) => {
                    let _ = write!(xml, r#"<c r="{reference}"><v>{n}</v></c>"#);
                }
                Cell::Number(x) if x.is_finite() => {
                    let _ = write!(xml, r#"<c r="{reference}"><v>{x}</v></c>"#);
                }
                Cell::Number(_) | Cell::Empty => {}
            }
        }
        xml.push_str("</row>");
        if xml.len() >= FLUSH_AT {
            out.write_all(xml.as_bytes())?;
            xml.clear();
        }
    }
    if len > MAX_ROWS {
        let row = first + MAX_ROWS;
        let _ = write!(xml, r#"<row r="{row}">"#);
        text_cell(&mut xml, &format!("A{row}"), &format!("… {MAX_ROWS} / {len}"), 1);
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    out.write_all(xml.as_bytes())
}

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

/// Two cell styles: plain (0) and bold for headers (1).
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#;

/// The workbook's bytes: an XLSX file any spreadsheet program opens. Fails only when a
/// sheet outgrows what a ZIP without its 64-bit extension holds (4 GB).
pub fn workbook(sheets: &[MadeSheet]) -> io::Result<Vec<u8>> {
    let empty = [MadeSheet::from(Sheet { name: "Sheet1".into(), ..Sheet::default() })];
    let sheets = if sheets.is_empty() { &empty[..] } else { sheets };
    let names = sheet_names(sheets.iter().map(|s| s.name.as_str()));
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    );
    let mut book = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{main}" xmlns:r="{relationships}"><sheets>"#
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, name) in names.iter().enumerate() {
        let n = i + 1;
        let _ = write!(
            types,
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        );
        book.push_str(r#"<sheet name=""#);
        xml_text(&mut book, name);
        let _ = write!(book, r#"" sheetId="{n}" r:id="rId{n}"/>"#);
        let _ = write!(
            rels,
            r#"<Relationship Id="rId{n}" Type="{relationships}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        );
    }
    types.push_str("</Types>");
    book.push_str("</sheets></workbook>");
    let _ = write!(
        rels,
        r#"<Relationship Id="rId{}" Type="{relationships}/styles" Target="styles.xml"/>"#,
        names.len() + 1
    );
    rels.push_str("</Relationships>");

    let mut zip = zip::ZipWriter::default();
    zip.add("[Content_Types].xml", types.as_bytes())?;
    zip.add("_rels/.rels", ROOT_RELS.as_bytes())?;
    zip.add("xl/workbook.xml", book.as_bytes())?;
    zip.add("xl/_rels/workbook.xml.rels", rels.as_bytes())?;
    zip.add("xl/styles.xml", STYLES.as_bytes())?;
    for (i, sheet) in sheets.iter().enumerate() {
        zip.add_with(&format!("xl/worksheets/sheet{}.xml", i + 1), |entry| write_worksheet(sheet, entry))?;
    }
    zip.finish()
}

/// An XLSX download named `filename` (UTF-8 names are sent the RFC 6266 way). The file
/// is built off the request threads: a year of lists takes seconds of CPU, and the
/// pages of everyone else must not wait behind it.
pub async fn download<S: Into<MadeSheet>>(filename: &str, sheets: Vec<S>) -> Response {
    let sheets: Vec<MadeSheet> = sheets.into_iter().map(Into::into).collect();
    // MAX_ROWS keeps every sheet far below the 4 GB a ZIP entry may hold, so neither
    // failure is expected; either is logged and answered as a server error.
    let bytes = match tokio::task::spawn_blocking(move || workbook(&sheets)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) => {
            tracing::error!(%error, "an export could not be built");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Err(error) => {
            tracing::error!(%error, "building an export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let ascii: String =
        filename.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", percent_encode(filename));
    (
        StatusCode::OK,
        [(CONTENT_TYPE, XLSX_TYPE.to_string()), (CONTENT_DISPOSITION, disposition), (CACHE_CONTROL, "no-store".into())],
        bytes,
    )
        .into_response()
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b".-_~".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A sheet read back: its name and its rows of cell text.
pub type ReadSheet = (String, Vec<Vec<String>>);

/// Reads back a workbook this module wrote: each sheet's name and its rows of cell text,
/// header included. For tests and for checking an export end to end; it is not a general
/// XLSX reader.
pub fn read(bytes: &[u8]) -> Result<Vec<ReadSheet>, String> {
    let entries = zip::entries(bytes)?;
    let part = |name: &str| {
        entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, data)| String::from_utf8_lossy(data).into_owned())
            .ok_or_else(|| format!("no {name} in the workbook"))
    };
    let book = part("xl/workbook.xml")?;
    let mut sheets = Vec::new();
    for (i, tag) in book.split("<sheet ").skip(1).enumerate() {
        let name = tag.split("name=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default();
        let xml = part(&format!("xl/worksheets/sheet{}.xml", i + 1))?;
        let rows = xml
            .split("<row ")
            .skip(1)
            .map(|row| {
                // Empty cells are left out of the file: place each by its reference.
                let mut cells: Vec<String> = Vec::new();
                for cell in row.split("<c ").skip(1) {
                    let inner = |open: &str, close: &str| {
                        cell.split_once(open)
                            .and_then(|(_, rest)| rest.split_once('>'))
                            .and_then(|(_, rest)| rest.split_once(close))
                            .map(|(text, _)| unescape(text))
                    };
                    let reference = cell.split("r=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default();
                    let index = column_index(reference).unwrap_or(cells.len());
                    if cells.len() <= index {
                        cells.resize(index + 1, String::new());
                    }
                    cells[index] = inner("<t", "</t>").or_else(|| inner("<v", "</v>")).unwrap_or_default();
                }
                cells
            })
            .collect();
        sheets.push((unescape(name), rows));
    }
    Ok(sheets)
}

/// The column of a cell reference: "A1" → 0, "AB7" → 27.
fn column_index(reference: &str) -> Option<usize> {
    let letters: Vec<u8> = reference.bytes().take_while(u8::is_ascii_uppercase).collect();
    if letters.is_empty() {
        return None;
    }
    Some(letters.iter().fold(0usize, |n, b| n * 26 + (b - b'A' + 1) as usize) - 1)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_reads_back_with_every_sheet_and_cell() {
        let sheets = vec![
            Sheet {
                name: "问题清单".into(),
                header: vec!["编号".into(), "标题".into()],
                rows: vec![
                    vec![Cell::from("A-1"), Cell::from("井盖 <缺失> & \u{1}损坏")],
                    vec![Cell::Empty, Cell::Int(7)],
                ],
            },
            Sheet { name: "bad/name?".into(), header: vec![], rows: vec![vec![Cell::Int(3), Cell::Number(2.5)]] },
        ];
        let bytes = workbook(&sheets.into_iter().map(MadeSheet::from).collect::<Vec<_>>()).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let read = read(&bytes).expect("read back");
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].0, "问题清单");
        assert_eq!(read[0].1[0], vec!["编号", "标题"]);
        assert_eq!(read[0].1[1], vec!["A-1", "井盖 <缺失> & 损坏"]);
        assert_eq!(read[0].1[2], vec!["", "7"]);
        assert_eq!(read[1].0, "badname");
        assert_eq!(read[1].1[0], vec!["3", "2.5"]);
    }

    #[test]
    fn a_long_sheet_is_written_in_pieces_and_reads_back_whole() {
        let rows: Vec<Vec<Cell>> =
            (0..5_000).map(|i| vec![Cell::Int(i), Cell::from(format!("第{i}条 小区路灯不亮，晚上出行不便"))]).collect();
        let sheet = Sheet { name: "清单".into(), header: vec!["序号".into(), "内容".into()], rows };
        let bytes = workbook(&[MadeSheet::from(sheet)]).unwrap();
        let read = read(&bytes).expect("read back");
        assert_eq!(read[0].1.len(), 5_001);
        assert_eq!(read[0].1[5_000], vec!["4999", "第4999条 小区路灯不亮，晚上出行不便"]);
        // Deflated: far smaller than the XML it holds.
        assert!(bytes.len() < 5_000 * 20, "{} bytes", bytes.len());
    }

    #[test]
    fn sheet_names_are_what_excel_accepts() {
        let names = sheet_names(["a/b:c", "??", &"长".repeat(40), "abc"].into_iter());
        assert_eq!(names[0], "abc");
        assert_eq!(names[1], "Sheet2");
        assert_eq!(names[2].chars().count(), 31);
        assert_eq!(names[3], "Sheet4");
    }

    #[test]
    fn columns_are_lettered_like_a_spreadsheet() {
        assert_eq!(column(0), "A");
        assert_eq!(column(25), "Z");
        assert_eq!(column(26), "AA");
        assert_eq!(column(701), "ZZ");
        assert_eq!(column(702), "AAA");
        for n in [0, 25, 26, 701, 702] {
            assert_eq!(column_index(&format!("{}12", column(n))), Some(n));
        }
    }

    #[test]
    fn file_names_survive_in_both_forms() {
        assert_eq!(percent_encode("清单.xlsx"), "%E6%B8%85%E5%8D%95.xlsx");
    }
}
