//! `intralinks push`: a directory tree into a folder of the room.

use crate::output::{say, tell};
use std::path::Path;

use intralinks_ext::sync::PushReport;

/// Prints a push's outcome; an error when anything failed or it was stopped.
pub fn finish(json: bool, folder: i64, dir: &Path, report: &PushReport) -> Result<(), String> {
    if json {
        crate::output::json(report)?;
    } else {
        for s in &report.skipped {
            tell!("skipped: {}", crate::output::safe(s));
        }
        say!(
            "pushed {} into folder {folder}: {} files ({} uploaded, {} of them new versions, {} unchanged, {} verified), {} folders and {} documents created, {} uploaded, {} retries",
            crate::output::safe(&dir.display().to_string()),
            report.files,
            report.uploaded,
            report.new_versions,
            report.unchanged,
            report.verified,
            report.folders_created,
            report.documents_created,
            crate::output::size(Some(report.bytes_uploaded.min(i64::MAX as u64) as i64)),
            report.retries,
        );
        for p in &report.removed_empty {
            tell!(
                "removed: {} (its document was created but its upload did not complete; a rerun creates it again)",
                crate::output::safe(p)
            );
        }
        for p in &report.left_empty {
            tell!(
                "left empty: {} (its document was created, its upload did not complete and it could not be removed; a rerun completes it)",
                crate::output::safe(p)
            );
        }
        if !report.remote_only.is_empty() {
            say!(
                "{} documents exist only in the room (left alone):",
                report.remote_only.len()
            );
            for p in &report.remote_only {
                say!("  {}", crate::output::safe(p));
            }
        }
    }
    if report.interrupted {
        return Err(format!(
            "stopped: {} files uploaded and kept, {} not done; run the same command again to resume",
            report.uploaded,
            report.not_started + report.failures.len()
        ));
    }
    match crate::mirror::failure_summary(&report.failures, report.files, "files") {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A push's dry run: the folders and documents it would create and the new
/// versions it would upload.
pub fn finish_plan(json: bool, report: &PushReport) -> Result<(), String> {
    if json {
        return crate::output::json(report);
    }
    for s in &report.skipped {
        tell!("skipped: {}", crate::output::safe(s));
    }
    crate::mirror::print_plan(&report.planned);
    let count = |a: &str| report.planned.iter().filter(|p| p.action == a).count();
    tell!(
        "dry run: {} folder(s) and {} document(s) to create, {} new version(s) to upload, {} unchanged; nothing was sent",
        count("create folder"),
        count("create document"),
        count("new version"),
        report.unchanged
    );
    match crate::mirror::failure_summary(&report.failures, report.files, "files") {
        Some(e) => Err(e.replace(" failed (listed above)", " would fail (listed above)")),
        None => Ok(()),
    }
}
