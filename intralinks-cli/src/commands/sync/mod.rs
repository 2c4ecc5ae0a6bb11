//! `intralinks mirror`, `push` and `diff`: thin shells over
//! [`intralinks_sync`] — flags in, a summary out. What the three share
//! (their flags, Ctrl-C, the failure summary, a dry run's lines) is here;
//! each command is in its own file.

mod diff;
mod mirror;
mod push;

use std::time::Duration;

use clap::Subcommand;
use intralinks_sync::{Failure, Notice, StopSignal, SyncOptions};

use crate::advice::{CliError, CliResult, Status};
use crate::context::Context;
use crate::output::{Output, say, tell};

/// The commands that compare and copy trees.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Copy a data room (or one folder's subtree) into a directory; a rerun fetches only what changed.
    Mirror(mirror::Args),
    /// Copy a directory tree into a folder: new documents, or new versions of changed ones; never deletes.
    Push(push::Args),
    /// Compare a directory with the room by SHA-1; exit status 0 when identical, 1 when not, 2 on error.
    Diff(diff::Args),
}

impl Command {
    /// Whether the command compares (`diff`): it exits 2 on error, as diff(1).
    pub fn compares(&self) -> bool {
        matches!(self, Command::Diff(_))
    }

    /// Runs the command; for `diff`, its status says whether things differ.
    pub async fn run(self, ctx: &Context) -> CliResult<Status> {
        match self {
            Command::Mirror(args) => args.run(ctx).await.map(|()| Status::Done),
            Command::Push(args) => args.run(ctx).await.map(|()| Status::Done),
            Command::Diff(args) => args.run(ctx).await,
        }
    }
}

/// Flags every sync command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// Requests at once: auto finds what the service allows (at most 64;
    /// auto:MAX for another ceiling), a number sends that many (fewer only
    /// while the service throttles). -v tells what auto settled on.
    #[arg(long, value_name = "N|auto", default_value = "auto")]
    pub jobs: intralinks_sync::Jobs,
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
    /// The engine's options; Ctrl-C raises their stop signal (and says so
    /// on `out`'s stderr).
    pub fn options(&self, folder: Option<i64>, out: &Output) -> SyncOptions {
        let options = self.plain_options(folder);
        stop_on_ctrl_c(options.stop.clone(), out.clone());
        options
    }

    /// The engine's options, Ctrl-C left as it is (it ends the process).
    pub fn plain_options(&self, folder: Option<i64>) -> SyncOptions {
        let defaults = SyncOptions::default();
        SyncOptions {
            jobs: self.jobs,
            folder,
            verify: self.verify,
            limits: intralinks_ext::TransferLimits::default()
                .with_stall_timeout(Duration::from_secs(self.stall_timeout.max(1)))
                .with_min_rate(self.speed_limit)
                .with_rate_window(Duration::from_secs(self.speed_time.max(1))),
            retry: intralinks_ext::RetryPolicy {
                max_attempts: self.attempts.max(1),
                ..defaults.retry.clone()
            },
            ..defaults
        }
    }
}

/// The first Ctrl-C stops the run (what finished is kept); a second one exits at once.
fn stop_on_ctrl_c(stop: StopSignal, out: Output) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        // A stderr that went away does not keep the run from stopping.
        let _ = tell!(
            out,
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

/// Prints the summary lines of `failures` of `total` items on `out`'s
/// stderr, and ends with the error to exit with: "N of M … failed", or
/// "would fail" for a `dry_run`.
pub fn failure_summary(
    out: &Output,
    failures: &[Failure],
    total: usize,
    what: &str,
    dry_run: bool,
) -> CliResult {
    if failures.is_empty() {
        return Ok(());
    }
    tell!(out, "{} of {total} {what} failed:", failures.len())?;
    for f in failures.iter().take(SHOWN) {
        let line: String = f.error.lines().collect::<Vec<_>>().join(" ");
        tell!(
            out,
            "  {}: {}",
            crate::output::safe(&crate::output::clip(&f.path, 300)),
            crate::output::safe(&crate::output::clip(&line, 1000))
        )?;
    }
    if failures.len() > SHOWN {
        tell!(
            out,
            "  … and {} more (--json lists them all)",
            failures.len() - SHOWN
        )?;
    }
    use intralinks_sync::FailureKind;
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
    Err(CliError::new(format!(
        "{} of {total} {what} {} (listed above); what finished is kept{}",
        failures.len(),
        if dry_run { "would fail" } else { "failed" },
        if advice.is_empty() {
            String::new()
        } else {
            format!(" — {}", advice.join("; "))
        }
    )))
}

/// The one line of a run that a fatal error ended ([`intralinks_sync::FailureKind::Fatal`]):
/// what ended it, what was kept and what is left.
pub fn ended_by(fatal: &Failure, kept: usize, not_done: usize) -> CliError {
    let line: String = fatal.error.lines().collect::<Vec<_>>().join(" ");
    CliError::new(format!(
        "the run ended early, at {}: {}; {kept} finished and kept, {not_done} not done: run the same command again once that is dealt with",
        crate::output::safe(&crate::output::clip(&fatal.path, 300)),
        crate::output::safe(&crate::output::clip(&line, 1000))
    ))
}

/// A dry run's error: a room that must be entered first is said so, with
/// the command that enters it, since a dry run does not.
pub fn without_entry(e: intralinks_ext::Error) -> CliError {
    match e {
        intralinks_ext::Error::EntryRequired {
            workspace_id: Some(id),
        } => CliError::new(format!(
            "workspace {id} must be entered first, and a dry run does not enter it (entering may send a one-time password)"
        ))
        .with_hint(format!("run `intralinks enter {id}`, then the dry run again")),
        other => other.into(),
    }
}

/// Prints a dry run's plan on `out`'s stdout, one line per write.
pub fn print_plan(out: &Output, planned: &[intralinks_sync::Planned]) -> CliResult {
    for p in planned {
        let what = match p.action {
            intralinks_sync::PlannedAction::NewVersion => "upload a new version of",
            other => other.as_str(),
        };
        say!(out, "would {what}: {}", crate::output::safe(&p.path))?;
    }
    Ok(())
}

/// Prints renames, orphans and cycles on `out`'s stderr.
pub fn show_notices(out: &Output, notices: &[Notice]) -> CliResult {
    for n in notices.iter().take(SHOWN) {
        tell!(
            out,
            "note: {}: {}",
            crate::output::safe(&n.path),
            crate::output::safe(&n.what)
        )?;
    }
    if notices.len() > SHOWN {
        tell!(
            out,
            "note: … and {} more (--json lists them all)",
            notices.len() - SHOWN
        )?;
    }
    Ok(())
}
