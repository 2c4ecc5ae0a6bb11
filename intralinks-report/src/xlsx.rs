//! The workbook writer (the `xlsx` feature).

use std::io::Write;

use chrono::DateTime;

use intralinks_ext::{Error, Result};

use crate::error::io;
use crate::rows::{CellKind, Column, Row};

/// The most rows a worksheet holds, header included (Excel's limit).
/// Needs the `xlsx` feature (on by default).
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

/// The most characters a cell holds (Excel's limit); a longer text is cut
/// to this, its last character `…`. Needs the `xlsx` feature (on by default).
pub const XLSX_MAX_CELL_CHARS: usize = 32_767;

/// Width (in characters) a column may grow to from its content.
const XLSX_MAX_WIDTH: usize = 60;

/// Characters of a date as shown (`yyyy-mm-dd hh:mm:ss`).
const DATE_WIDTH: usize = 19;

/// Days from Excel's epoch (1899-12-30, in the 1900 system) to 1970-01-01.
const EXCEL_UNIX_EPOCH_DAYS: f64 = 25_569.0;

/// A workbook being filled; written out by [`Writer::finish`].
///
/// [`Writer::finish`]: crate::Writer::finish
pub(crate) struct Sheet<W: Write> {
    out: W,
    book: rust_xlsxwriter::Workbook,
    columns: &'static [Column],
    /// The custom field columns, after the fixed ones: text cells.
    fields: Vec<String>,
    /// The next row to fill (0 is the header).
    pub(crate) next: u32,
    /// The widest content of each column so far, in characters.
    widths: Vec<usize>,
    date: rust_xlsxwriter::Format,
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    match e {
        rust_xlsxwriter::XlsxError::IoError(e) => io(e),
        other => Error::InvalidInput(format!("cannot write the workbook: {other}")),
    }
}

/// An RFC 3339 date as an Excel date: days since 1899-12-30, UTC. `None`
/// for a date Excel cannot show (before 1900-03-01, where its calendar is
/// off by the day it thinks 1900-02-29 was).
pub(crate) fn excel_date(text: &str) -> Option<f64> {
    let d = DateTime::parse_from_rfc3339(text).ok()?;
    let serial = EXCEL_UNIX_EPOCH_DAYS + d.timestamp_millis() as f64 / 86_400_000.0;
    (61.0..2_958_466.0).contains(&serial).then_some(serial)
}

/// `text` cut to what a cell holds.
pub(crate) fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(XLSX_MAX_CELL_CHARS) {
        Some(_) => {
            let keep: String = text.chars().take(XLSX_MAX_CELL_CHARS - 1).collect();
            std::borrow::Cow::Owned(keep + "…")
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

impl<W: Write> Sheet<W> {
    /// Whether `rows` more rows fit in the sheet.
    pub(crate) fn reserve(&self, rows: usize) -> Result<()> {
        let left = (XLSX_MAX_ROWS - self.next) as usize;
        if rows > left {
            return Err(Error::InvalidInput(format!(
                "the report has more rows than an Excel sheet holds ({XLSX_MAX_ROWS}, the header included: {} written, {rows} more); write it as CSV or JSON (--format csv), or report fewer workspaces at a time",
                self.next - 1
            )));
        }
        Ok(())
    }

    pub(crate) fn new<R: Row>(out: W, fields: Vec<String>) -> Result<Self> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name(R::SHEET).map_err(xlsx_error)?;
        let titles = R::COLUMNS
            .iter()
            .map(|c| c.title)
            .chain(fields.iter().map(String::as_str));
        for (i, title) in titles.enumerate() {
            sheet
                .write_string_with_format(0, i as u16, title, &bold)
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(Sheet {
            out,
            book,
            columns: R::COLUMNS,
            next: 1,
            widths: R::COLUMNS
                .iter()
                .map(|c| match c.kind {
                    CellKind::Date => DATE_WIDTH.max(c.title.chars().count()),
                    _ => c.title.chars().count(),
                })
                .chain(fields.iter().map(|f| f.chars().count()))
                .collect(),
            fields,
            date: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        })
    }

    /// Writes `row`, and `fields` (one text per custom field column) after it.
    pub(crate) fn write<R: Row>(&mut self, row: &R, fields: &[&str]) -> Result<()> {
        if self.next >= XLSX_MAX_ROWS {
            return Err(Error::InvalidInput(format!(
                "the report has more than {} rows, more than a worksheet holds; \
                 write it as CSV or JSON, or report fewer workspaces at a time",
                XLSX_MAX_ROWS - 1
            )));
        }
        let value = serde_json::to_value(row)
            .map_err(|e| Error::InvalidInput(format!("cannot write a row: {e}")))?;
        let at = self.next;
        let sheet = self.book.worksheet_from_index(0).map_err(xlsx_error)?;
        for (i, column) in self.columns.iter().enumerate() {
            let col = i as u16;
            let shown = match value.get(column.name) {
                None | Some(serde_json::Value::Null) => continue,
                Some(serde_json::Value::Number(n)) if column.kind != CellKind::Date => {
                    // Ids fit a double exactly up to 2^53; beyond that a
                    // number would be rounded, so it is written as text.
                    match n.as_i64() {
                        Some(v) if v.unsigned_abs() <= 1 << 53 => {
                            sheet.write_number(at, col, v as f64).map_err(xlsx_error)?;
                            v.to_string().len()
                        }
                        _ => {
                            let t = n.to_string();
                            sheet.write_string(at, col, &t).map_err(xlsx_error)?;
                            t.len()
                        }
                    }
                }
                Some(serde_json::Value::String(t)) => match (column.kind, excel_date(t)) {
                    (CellKind::Date, Some(serial)) => {
                        sheet
                            .write_number_with_format(at, col, serial, &self.date)
                            .map_err(xlsx_error)?;
                        DATE_WIDTH
                    }
                    _ => {
                        sheet
                            .write_string(at, col, cell_text(t))
                            .map_err(xlsx_error)?;
                        t.chars().count()
                    }
                },
                Some(other) => {
                    let t = other.to_string();
                    sheet
                        .write_string(at, col, cell_text(&t))
                        .map_err(xlsx_error)?;
                    t.chars().count()
                }
            };
            if let Some(w) = self.widths.get_mut(i) {
                *w = (*w).max(shown.min(XLSX_MAX_WIDTH));
            }
        }
        for (j, text) in fields.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let i = self.columns.len() + j;
            sheet
                .write_string(at, i as u16, cell_text(text))
                .map_err(xlsx_error)?;
            if let Some(w) = self.widths.get_mut(i) {
                *w = (*w).max(text.chars().count().min(XLSX_MAX_WIDTH));
            }
        }
        self.next += 1;
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<W> {
        let last_row = self.next - 1;
        let last_col = (self.columns.len() + self.fields.len()).saturating_sub(1) as u16;
        let sheet = self.book.worksheet_from_index(0).map_err(xlsx_error)?;
        for (i, w) in self.widths.iter().enumerate() {
            sheet
                .set_column_width(i as u16, (*w + 2) as f64)
                .map_err(xlsx_error)?;
        }
        sheet
            .autofilter(0, 0, last_row, last_col)
            .map_err(xlsx_error)?;
        let bytes = self.book.save_to_buffer().map_err(xlsx_error)?;
        self.out.write_all(&bytes).map_err(io)?;
        self.out.flush().map_err(io)?;
        Ok(self.out)
    }
}
