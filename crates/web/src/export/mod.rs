//! Spreadsheet downloads: every list a cadre sees can leave as an XLSX file, because
//! that is where their reports are written.
//!
//! Callers describe sheets as plain rows of cells; this module owns the file format, the
//! header styling and the download headers, so every export looks and behaves the same.

use std::borrow::Cow;
use std::io;

use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use percent_encoding::utf8_percent_encode;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

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

/// Text a cell may hold: without the control characters XML forbids (they do turn up in
/// pasted text; written escaped they would show as `_x0001_` in every spreadsheet).
fn cell_text(text: &str) -> Cow<'_, str> {
    let forbidden =
        |c: char| (c < '\u{20}' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}');
    if text.contains(forbidden) {
        Cow::Owned(text.chars().filter(|&c| !forbidden(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Display width of a text in character cells: CJK characters take two.
fn width_of(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Columns as wide as their header or their first rows, within reason.
fn column_widths(sheet: &MadeSheet) -> Vec<usize> {
    let first_rows: Vec<Cow<[Cell]>> = (0..sheet.len().min(200)).map(|i| sheet.row(i)).collect();
    let columns = sheet.header.len().max(first_rows.iter().map(|r| r.len()).max().unwrap_or(0));
    (0..columns)
        .map(|col| {
            let header = sheet.header.get(col).map(|h| width_of(h)).unwrap_or(0);
            let body = first_rows.iter().filter_map(|r| match r.get(col) {
                Some(Cell::Text(t)) => Some(width_of(t)),
                Some(Cell::Int(_) | Cell::Number(_)) => Some(10),
                _ => None,
            });
            body.max().unwrap_or(0).max(header).clamp(8, 60) + 2
        })
        .collect()
}

/// Writes one sheet row by row. In constant-memory mode each finished row leaves memory
/// for a temporary file, so a year of lists is never held as XML.
fn write_worksheet(sheet: &MadeSheet, name: &str, out: &mut Worksheet, bold: &Format) -> Result<(), XlsxError> {
    out.set_name(name)?;
    for (col, width) in column_widths(sheet).into_iter().enumerate() {
        out.set_column_width(col as u16, width as f64)?;
    }
    let first: u32 = if sheet.header.is_empty() { 0 } else { 1 };
    if first == 1 {
        out.set_freeze_panes(1, 0)?;
        for (col, title) in sheet.header.iter().enumerate() {
            out.write_string_with_format(0, col as u16, cell_text(title), bold)?;
        }
    }
    let len = sheet.len();
    for i in 0..len.min(MAX_ROWS) {
        let row = first + i as u32;
        for (col, cell) in sheet.row(i).iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(text) => {
                    out.write_string(row, col, cell_text(text))?;
                }
                Cell::Int(n) => {
                    out.write_number(row, col, *n as f64)?;
                }
                Cell::Number(x) if x.is_finite() => {
                    out.write_number(row, col, *x)?;
                }
                Cell::Number(_) | Cell::Empty => {}
            }
        }
    }
    if len > MAX_ROWS {
        out.write_string_with_format(first + MAX_ROWS as u32, 0, format!("… {MAX_ROWS} / {len}"), bold)?;
    }
    Ok(())
}

/// The workbook's bytes: an XLSX file any spreadsheet program opens.
pub fn workbook(sheets: &[MadeSheet]) -> io::Result<Vec<u8>> {
    let empty = [MadeSheet::from(Sheet { name: "Sheet1".into(), ..Sheet::default() })];
    let sheets = if sheets.is_empty() { &empty[..] } else { sheets };
    let names = sheet_names(sheets.iter().map(|s| s.name.as_str()));
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        // The fastest deflate: a year of lists is a few megabytes either way, and the
        // export's time is mostly spent compressing at the default level.
        book.set_zip_compression_level(1);
        let bold = Format::new().set_bold();
        for (sheet, name) in sheets.iter().zip(&names) {
            write_worksheet(sheet, name, book.add_worksheet_with_constant_memory()?, &bold)?;
        }
        book.save_to_buffer()
    };
    build().map_err(io::Error::other)
}

/// An XLSX download named `filename` (UTF-8 names are sent the RFC 6266 way). The file
/// is built off the request threads: a year of lists takes seconds of CPU, and the
/// pages of everyone else must not wait behind it.
pub async fn download<S: Into<MadeSheet>>(filename: &str, sheets: Vec<S>) -> Response {
    let sheets: Vec<MadeSheet> = sheets.into_iter().map(Into::into).collect();
    // Neither failure is expected (the temporary files could not be written, or the
    // task died); either is logged and answered as a server error.
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
    utf8_percent_encode(text, crate::pages::login::UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_what_excel_accepts() {
        let names = sheet_names(["a/b:c", "??", &"长".repeat(40), "abc"].into_iter());
        assert_eq!(names[0], "abc");
        assert_eq!(names[1], "Sheet2");
        assert_eq!(names[2].chars().count(), 31);
        assert_eq!(names[3], "Sheet4");
    }

    #[test]
    fn file_names_survive_in_both_forms() {
        assert_eq!(percent_encode("清单.xlsx"), "%E6%B8%85%E5%8D%95.xlsx");
    }
}
