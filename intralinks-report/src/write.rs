//! The [`Writer`]: rows as CSV, JSON or (with the `xlsx` feature) a workbook.

use std::io::Write;

use intralinks_ext::{Error, Result};

use crate::error::io;
use crate::rows::Row;
#[cfg(feature = "xlsx")]
use crate::xlsx::Sheet;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Format {
    /// RFC 4180 CSV, UTF-8, with a header row.
    #[default]
    Csv,
    /// One JSON array of records, one record a line.
    Json,
    /// An Excel workbook (Office Open XML, `.xlsx`) of one sheet: see the
    /// module docs. A workbook is a zip archive written whole, so the rows
    /// are kept in memory and the file is written by [`Writer::finish`].
    /// Needs the `xlsx` feature (on by default).
    #[cfg(feature = "xlsx")]
    Xlsx,
}

pub(crate) enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Json {
        out: W,
        first: bool,
    },
    #[cfg(feature = "xlsx")]
    Xlsx(Box<Sheet<W>>),
}

/// Writes rows as they come, in CSV or JSON (or into a workbook, written at
/// the end); call [`Writer::finish`] at the end.
pub struct Writer<W: Write> {
    pub(crate) sink: Sink<W>,
    /// The custom field columns, after the fixed ones ([`Writer::with_fields`]).
    fields: Vec<String>,
}

/// The custom field columns of `rows` ([`Row::fields`]): every column name
/// any row has a value in, sorted — what [`Writer::with_fields`] takes.
pub fn field_columns<R: Row>(rows: &[R]) -> Vec<String> {
    let mut names: std::collections::BTreeSet<&String> = std::collections::BTreeSet::new();
    for r in rows {
        names.extend(r.fields().into_iter().flat_map(|f| f.keys()));
    }
    names.into_iter().cloned().collect()
}

/// Each of `columns`' value in `row` (empty where it has none).
fn field_cells<'a, R: Row>(row: &'a R, columns: &[String]) -> Vec<&'a str> {
    let values = row.fields();
    columns
        .iter()
        .map(|c| {
            values
                .and_then(|v| v.get(c))
                .map(String::as_str)
                .unwrap_or("")
        })
        .collect()
}

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => io(e),
        other => Error::InvalidInput(format!("cannot write a CSV row: {other:?}")),
    }
}

/// `row` as CSV fields, every text cell that a spreadsheet would read as a
/// formula neutralised ([`intralinks_ext::text::csv_cell`]). A cell that is a plain
/// number (an id, a size) is a number, not text, and is left as it is.
fn safe_record<R: Row>(row: &R) -> Result<csv::StringRecord> {
    let mut scratch = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    scratch.serialize(row).map_err(csv_error)?;
    let line = scratch.into_inner().map_err(|e| io(e.into_error()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_slice());
    let mut fields = csv::StringRecord::new();
    reader.read_record(&mut fields).map_err(csv_error)?;
    Ok(fields
        .iter()
        .map(|cell| {
            if cell.parse::<i64>().is_ok() || cell.parse::<f64>().is_ok_and(f64::is_finite) {
                std::borrow::Cow::Borrowed(cell)
            } else {
                intralinks_ext::text::csv_cell(cell)
            }
        })
        .collect())
}

impl<W: Write> Writer<W> {
    /// Starts a report of `R` rows: writes the CSV header, opens the JSON
    /// array, or starts a workbook with its header row.
    pub fn new<R: Row>(out: W, format: Format) -> Result<Self> {
        Self::with_fields::<R>(out, format, Vec::new())
    }

    /// [`Writer::new`], with one more column per custom field after the
    /// fixed ones (`fields`, e.g. from [`field_columns`]): each row's value
    /// ([`Row::fields`]) as a text cell, empty where it has none; in JSON,
    /// one more key per field with a value.
    pub fn with_fields<R: Row>(out: W, format: Format, fields: Vec<String>) -> Result<Self> {
        let sink = match format {
            Format::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(out);
                // Field names come from the service: neutralised like any
                // text cell, so a name cannot be a formula.
                let header = R::HEADER.iter().map(|h| h.to_string()).chain(
                    fields
                        .iter()
                        .map(|f| intralinks_ext::text::csv_cell(f).into_owned()),
                );
                w.write_record(header).map_err(csv_error)?;
                Sink::Csv(Box::new(w))
            }
            Format::Json => {
                let mut out = out;
                out.write_all(b"[").map_err(io)?;
                Sink::Json { out, first: true }
            }
            #[cfg(feature = "xlsx")]
            Format::Xlsx => Sink::Xlsx(Box::new(Sheet::new::<R>(out, fields.clone())?)),
        };
        Ok(Writer { sink, fields })
    }

    /// Says that `rows` more rows are coming, before they are gathered or
    /// written: with [`Format`]'s workbook, more rows than the sheet has
    /// left is an [`Error::InvalidInput`] now, rather than after the
    /// workbook has grown in memory; CSV and JSON take any number.
    pub fn reserve(&self, rows: usize) -> Result<()> {
        match &self.sink {
            #[cfg(feature = "xlsx")]
            Sink::Xlsx(sheet) => sheet.reserve(rows),
            _ => {
                let _ = rows;
                Ok(())
            }
        }
    }

    #[cfg_attr(
        feature = "xlsx",
        doc = " Writes one row (into the workbook, for [`Format::Xlsx`]). With",
        doc = " [`Format::Xlsx`], a row past [`XLSX_MAX_ROWS`](crate::XLSX_MAX_ROWS) is an",
        doc = " [`Error::InvalidInput`]."
    )]
    #[cfg_attr(not(feature = "xlsx"), doc = " Writes one row.")]
    pub fn write<R: Row>(&mut self, row: &R) -> Result<()> {
        match &mut self.sink {
            Sink::Csv(w) => {
                let mut record = safe_record(row)?;
                for cell in field_cells(row, &self.fields) {
                    record.push_field(&intralinks_ext::text::csv_cell(cell));
                }
                w.write_record(&record).map_err(csv_error)
            }
            Sink::Json { out, first } => {
                let mut text = serde_json::to_string(row)
                    .map_err(|e| Error::InvalidInput(format!("cannot write a JSON row: {e}")))?;
                // The fields after the fixed keys, in the columns' order.
                if let Some(values) = row.fields()
                    && text.ends_with('}')
                {
                    text.pop();
                    let json = |t: &String| {
                        serde_json::to_string(t).map_err(|e| {
                            Error::InvalidInput(format!("cannot write a JSON row: {e}"))
                        })
                    };
                    for c in &self.fields {
                        if let Some(v) = values.get(c) {
                            text.push(',');
                            text.push_str(&json(c)?);
                            text.push(':');
                            text.push_str(&json(v)?);
                        }
                    }
                    text.push('}');
                }
                let lead: &[u8] = if *first { b"\n  " } else { b",\n  " };
                *first = false;
                out.write_all(lead).map_err(io)?;
                out.write_all(text.as_bytes()).map_err(io)
            }
            #[cfg(feature = "xlsx")]
            Sink::Xlsx(sheet) => sheet.write(row, &field_cells(row, &self.fields)),
        }
    }

    /// Ends the report (closes the JSON array, or writes the whole
    /// workbook) and flushes; gives back the output.
    pub fn finish(self) -> Result<W> {
        match self.sink {
            Sink::Csv(w) => (*w).into_inner().map_err(|e| io(e.into_error())),
            Sink::Json { mut out, first } => {
                out.write_all(if first { b"]\n" } else { b"\n]\n" })
                    .map_err(io)?;
                out.flush().map_err(io)?;
                Ok(out)
            }
            #[cfg(feature = "xlsx")]
            Sink::Xlsx(sheet) => sheet.finish(),
        }
    }
}
