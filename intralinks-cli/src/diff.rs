//! `intralinks diff`: a directory against the room, exit status as diff(1).

use crate::output::{say, tell};
use std::sync::atomic::{AtomicBool, Ordering};

use intralinks_ext::sync::{DiffKind, DiffReport};

static DIFFERS: AtomicBool = AtomicBool::new(false);

/// Whether the last diff found differences (exit status 1).
pub fn differs() -> bool {
    DIFFERS.load(Ordering::SeqCst)
}

/// Prints the differences as a table (or JSON records).
pub fn finish(json: bool, report: &DiffReport) -> Result<(), String> {
    DIFFERS.store(!report.identical(), Ordering::SeqCst);
    if json {
        return crate::output::json(report);
    }
    for s in &report.skipped {
        tell!("skipped (not a regular file): {}", crate::output::safe(s));
    }
    let rows: Vec<Vec<String>> = report
        .entries
        .iter()
        .map(|e| {
            vec![
                match e.kind {
                    DiffKind::LocalOnly => "local only",
                    DiffKind::RemoteOnly => "remote only",
                    DiffKind::Different => "different",
                }
                .to_string(),
                e.document_id.map(|i| i.to_string()).unwrap_or_default(),
                e.path.clone(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        crate::output::table(&["STATE", "DOCUMENT", "PATH"], &rows);
    }
    say!(
        "{} equal, {} different, {} local only, {} remote only",
        report.equal,
        count(report, DiffKind::Different),
        count(report, DiffKind::LocalOnly),
        count(report, DiffKind::RemoteOnly)
    );
    Ok(())
}

fn count(report: &DiffReport, kind: DiffKind) -> usize {
    report.entries.iter().filter(|e| e.kind == kind).count()
}
