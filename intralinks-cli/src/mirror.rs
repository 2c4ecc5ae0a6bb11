//! `intralinks mirror`, `push` and `diff`: thin shells over
//! [`intralinks_ext::sync`] — flags in, a summary out.

use crate::output::{say, tell};
use std::path::Path;
use std::time::Duration;

use intralinks_ext::sync::{Failure, MirrorReport, Notice, StopSignal, SyncOptions};
use intralinks_ext::types::Document;

/// The document's file name: its name, with its extension when the name lacks it.
pub fn file_name(doc: &Document) -> String {
    intralinks_ext::sync::document_file_name(doc)
}

/// Flags every sync command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// Transfers at once.
    #[arg(long, default_value_t = 8)]
    pub jobs: usize,
    /// Abort a transfer when no answer or byte arrives for this many seconds (retried once).
    #[arg(long, value_name = "SECS", default_value_t = 20)]
    pub stall_timeout: u64,
    /// Abort a transfer slower than this many bytes per second for --speed-time (0: off).
    #[arg(long, value_name = "BYTES", default_value_t = 1024)]
    pub speed_limit: u64,
    /// The window of --speed-limit, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub speed_time: u64,
    /// Attempts per item (the first included) on transient failures.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub attempts: u32,
    /// Re-hash local files instead of trusting their recorded size and mtime.
    #[arg(long)]
    pub verify: bool,
}

impl SyncArgs {
    /// The engine's options; Ctrl-C raises their stop signal.
    pub fn options(&self, folder: Option<i64>) -> SyncOptions {
        let options = self.plain_options(folder);
        stop_on_ctrl_c(options.stop.clone());
        options
    }

    /// The engine's options, Ctrl-C left as it is (it ends the process).
    pub fn plain_options(&self, folder: Option<i64>) -> SyncOptions {
        let defaults = SyncOptions::default();
        SyncOptions {
            jobs: self.jobs.max(1),
            folder,
            verify: self.verify,
            stall_timeout: Duration::from_secs(self.stall_timeout.max(1)),
            speed_limit: self.speed_limit,
            speed_time: Duration::from_secs(self.speed_time.max(1)),
            retry: intralinks_ext::RetryPolicy {
                max_attempts: self.attempts.max(1),
                ..defaults.retry.clone()
            },
            ..defaults
        }
    }
}

/// The first Ctrl-C stops the run (what finished is kept); a second one exits at once.
fn stop_on_ctrl_c(stop: StopSignal) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        tell!(
            "stopping: finished files are kept, and what arrived of the others is kept in the directory's .intralinks-sync to go on from (Ctrl-C again to quit now)"
        );
        stop.stop();
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
}

/// Failures shown in the summary; the JSON report has them all.
const SHOWN: usize = 5;

/// The summary lines of `failures` of `total` items, and the error to exit with.
pub fn failure_summary(failures: &[Failure], total: usize, what: &str) -> Option<String> {
    if failures.is_empty() {
        return None;
    }
    tell!("{} of {total} {what} failed:", failures.len());
    for f in failures.iter().take(SHOWN) {
        let line: String = f.error.lines().collect::<Vec<_>>().join(" ");
        tell!(
            "  {}: {}",
            crate::output::safe(&crate::output::clip(&f.path, 300)),
            crate::output::safe(&crate::output::clip(&line, 1000))
        );
    }
    if failures.len() > SHOWN {
        tell!(
            "  … and {} more (--json lists them all)",
            failures.len() - SHOWN
        );
    }
    use intralinks_ext::sync::FailureKind;
    let in_the_way = failures
        .iter()
        .filter(|f| f.kind == FailureKind::LocalFileInTheWay)
        .count();
    let retryable = failures.iter().any(|f| f.kind == FailureKind::Retryable);
    let mut advice = Vec::new();
    if in_the_way > 0 {
        advice.push(format!(
            "{in_the_way} local file(s) this command did not write (or that changed since) were left alone: move them away, or pass --force to overwrite them"
        ));
    }
    if retryable {
        advice.push("run the same command again to retry the rest".to_string());
    }
    Some(format!(
        "{} of {total} {what} failed (listed above); what finished is kept{}",
        failures.len(),
        if advice.is_empty() {
            String::new()
        } else {
            format!(" — {}", advice.join("; "))
        }
    ))
}

/// Prints a dry run's plan (stdout: one line per write) and its summary.
pub fn print_plan(planned: &[intralinks_ext::sync::Planned]) {
    for p in planned {
        let what = match p.action {
            "new version" => "upload a new version of",
            other => other,
        };
        say!("would {what}: {}", crate::output::safe(&p.path));
    }
}

/// A mirror's dry run: what it would fetch, replace and delete.
pub fn finish_plan(json: bool, report: &MirrorReport) -> Result<(), String> {
    if json {
        return crate::output::json(report);
    }
    print_plan(&report.planned);
    let count = |a: &str| report.planned.iter().filter(|p| p.action == a).count();
    tell!(
        "dry run: {} to fetch, {} to replace, {} to delete, {} up to date, {} adopted; nothing was written",
        count("fetch"),
        count("replace"),
        count("delete"),
        report.up_to_date,
        report.adopted
    );
    show_left_room(&report.left_room);
    match failure_summary(&report.failures, report.documents, "documents") {
        Some(e) => Err(e.replace(" failed (listed above)", " would fail (listed above)")),
        None => Ok(()),
    }
}

/// Names local files whose documents left the room (left alone).
fn show_left_room(paths: &[String]) {
    if paths.is_empty() {
        return;
    }
    tell!(
        "{} local file(s) whose documents left the room were left alone (--delete removes them):",
        paths.len()
    );
    for p in paths.iter().take(SHOWN) {
        tell!("  {}", crate::output::safe(p));
    }
    if paths.len() > SHOWN {
        tell!(
            "  … and {} more (--json lists them all)",
            paths.len() - SHOWN
        );
    }
}

/// Prints renames, orphans and cycles to stderr.
pub fn show_notices(notices: &[Notice]) {
    for n in notices.iter().take(SHOWN) {
        tell!(
            "note: {}: {}",
            crate::output::safe(&n.path),
            crate::output::safe(&n.what)
        );
    }
    if notices.len() > SHOWN {
        tell!(
            "note: … and {} more (--json lists them all)",
            notices.len() - SHOWN
        );
    }
}

/// Prints a mirror's outcome; an error when anything failed or it was stopped.
pub fn finish(json: bool, workspace: i64, dir: &Path, report: &MirrorReport) -> Result<(), String> {
    if json {
        crate::output::json(report)?;
    } else {
        show_notices(&report.notices);
        say!(
            "mirrored workspace {workspace} into {}: {} folders, {} documents ({} fetched, {} adopted, {} up to date, {} deleted, {} fetched, {} retries)",
            crate::output::safe(&dir.display().to_string()),
            report.folders,
            report.documents,
            report.fetched,
            report.adopted,
            report.up_to_date,
            report.deleted,
            crate::output::size(Some(report.bytes_fetched.min(i64::MAX as u64) as i64)),
            report.retries,
        );
    }
    if !json {
        for p in &report.deleted_paths {
            tell!("deleted: {}", crate::output::safe(p));
        }
        show_left_room(&report.left_room);
    }
    if report.interrupted {
        return Err(format!(
            "stopped: {} documents finished and kept, {} not done; run the same command again to resume",
            report.fetched + report.adopted + report.up_to_date,
            report.not_started + report.failures.len()
        ));
    }
    match failure_summary(&report.failures, report.documents, "documents") {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
