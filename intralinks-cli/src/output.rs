//! Tables for people, JSON for scripts — and the one way text reaches a
//! person.
//!
//! Names, messages and splash text come from the server or the disk and may
//! hold terminal controls. Everything printed for people goes through
//! [`say!`] (stdout) or [`tell!`] (stderr), which escape every control
//! character (C0 but line feed and tab, DEL, C1) and bidi control of the
//! whole message; a value interpolated into a line is passed through [`safe`]
//! first, which escapes line feeds and tabs too, so a name cannot forge a
//! line. Table cells are escaped one by one. JSON stays exact: C1 and bidi
//! controls, which JSON does not have to escape, are written as `\uXXXX`.

use std::borrow::Cow;
use std::time::Duration;

use serde::Serialize;

/// Prints a line for people on stdout; see the module's doc.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::say_line(&format!($($arg)*))
    };
}

/// Prints a line for people on stderr; see the module's doc.
macro_rules! tell {
    ($($arg:tt)*) => {
        $crate::output::tell_line(&format!($($arg)*))
    };
}

pub(crate) use {say, tell};

/// How a command prints, from the global options: JSON records or text for
/// people, and whether progress is shown.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json`: records for scripts instead of tables and sentences.
    pub json: bool,
    /// `-q`: no progress (no bar on a terminal, no status lines otherwise).
    pub quiet: bool,
    /// The pause between two status lines of mirror and push.
    pub status_every: Duration,
}

/// One value (a name, a path, a server's message) for a line meant for a
/// person: every control character escaped, line feeds and tabs included.
pub fn safe(text: &str) -> Cow<'_, str> {
    intralinks_ext::text::for_terminal(text)
}

/// `text` cut to at most `max` characters, with `…` where it was cut: a path
/// or message from a server can be any length.
pub fn clip(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
        None => Cow::Borrowed(text),
    }
}

/// Writes `text` and a line feed to stdout, controls escaped.
pub fn say_line(text: &str) {
    println!("{}", intralinks_ext::text::for_terminal_text(text));
}

/// Writes `text` and a line feed to stderr, controls escaped.
pub fn tell_line(text: &str) {
    eprintln!("{}", intralinks_ext::text::for_terminal_text(text));
}

/// Prints records as JSON (one array) with RFC 3339 dates and exact ids.
pub fn json<T: Serialize>(records: &T) -> Result<(), String> {
    let value =
        intralinks_ext::json::to_output(records).map_err(|e| format!("cannot write JSON: {e}"))?;
    let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
    println!("{}", json_for_terminal(&text));
    Ok(())
}

/// JSON text with the controls JSON leaves raw (C1, DEL, bidi) written as
/// `\uXXXX` escapes: the same value, nothing a terminal acts on. They can
/// only occur inside strings, where the escape is valid.
fn json_for_terminal(text: &str) -> Cow<'_, str> {
    let raw = |c: char| c.is_control() || intralinks_ext::text::is_bidi_control(c);
    if !text.chars().any(raw) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if raw(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Prints an aligned table of cells already escaped.
fn table_of_safe_cells(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<width$}", width = widths.get(i).copied().unwrap_or(0)))
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for row in rows {
        line(row.clone());
    }
}

/// A listing as the command was asked for it: `items` as JSON records with
/// `--json`, else a table of one `row` per item under `headers`.
pub fn listing<T: Serialize>(
    as_json: bool,
    items: &[T],
    headers: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) -> Result<(), String> {
    if as_json {
        return json(&items);
    }
    let rows: Vec<Vec<String>> = items.iter().map(row).collect();
    table(headers, &rows);
    Ok(())
}

/// Prints an aligned table; every cell passes through [`safe`].
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|c| safe(c).into_owned()).collect())
        .collect();
    table_of_safe_cells(headers, &rows);
}

/// A millisecond date as `YYYY-MM-DD HH:MM` UTC, or empty.
pub fn date(m: Option<intralinks_ext::Millis>) -> String {
    m.and_then(|m| m.to_datetime())
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Bytes in a readable unit.
pub fn size(bytes: Option<i64>) -> String {
    let Some(b) = bytes else { return String::new() };
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < units.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_its_value_and_loses_raw_controls() {
        let value = serde_json::json!({"name": "a\u{9b}2J\u{202e}b\u{1b}c\nd"});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let shown = json_for_terminal(&text);
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown}"
        );
        assert!(shown.contains("a\\u009b2J\\u202eb\\u001bc\\nd"), "{shown}");
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back, value);
    }
}
