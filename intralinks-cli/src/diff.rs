//! `intralinks diff`: a directory against the room, exit status as diff(1).

use crate::output::{say, tell};

use intralinks_ext::sync::{DiffKind, DiffReport};

use crate::advice::Status;

/// Prints the differences as a table (or JSON records); whether they differ.
pub fn finish(json: bool, report: &DiffReport) -> Result<Status, String> {
    let status = if report.identical() {
        Status::Done
    } else {
        Status::Differs
    };
    if json {
        return crate::output::json(report).map(|()| status);
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
    Ok(status)
}

fn count(report: &DiffReport, kind: DiffKind) -> usize {
    report.entries.iter().filter(|e| e.kind == kind).count()
}
