//! Tables for people, JSON for scripts.

use serde::Serialize;

/// Prints records as JSON (one array) with RFC 3339 dates and exact ids.
pub fn json<T: Serialize>(records: &T) -> Result<(), String> {
    let value =
        intralinks_ext::json::to_output(records).map_err(|e| format!("cannot write JSON: {e}"))?;
    println!(
        "{}",
        serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// Prints an aligned table.
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
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
