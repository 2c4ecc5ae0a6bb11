//! `intralinks mirror`: a room (or one folder's subtree) into a directory.

use std::path::{Path, PathBuf};

use intralinks_sync::{MirrorReport, PlannedAction};

use super::SyncArgs;
use crate::advice::{CliError, CliResult};
use crate::context::Context;
use crate::output::{self, Output, say, tell};

/// `intralinks mirror`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Workspace id.
    pub workspace: i64,
    /// Target directory.
    pub dir: PathBuf,
    /// Only this folder's subtree.
    #[arg(long)]
    pub folder: Option<i64>,
    /// Remove local files this command wrote whose documents left the room.
    #[arg(long)]
    pub delete: bool,
    /// Overwrite local files this command did not write (or that changed since).
    #[arg(long)]
    pub force: bool,
    /// List what would be fetched, replaced and deleted; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// With --delete, delete without asking (on a terminal it asks first).
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub sync: SyncArgs,
}

impl Args {
    /// Runs `mirror`: a dry run, or (after asking on a terminal what
    /// --delete would remove) the mirror with its progress.
    pub async fn run(self, ctx: &Context) -> CliResult {
        let il = ctx.il().await?;
        let Args {
            workspace,
            dir,
            folder,
            delete,
            force,
            dry_run,
            yes,
            sync,
        } = self;
        let dir = dir.as_path();
        // What the mirror would do, written nowhere.
        let plan = || async {
            let options = intralinks_sync::SyncOptions {
                delete,
                force,
                dry_run: true,
                ..sync.plain_options(folder)
            };
            ctx.in_workspace(workspace, || {
                intralinks_sync::mirror(il, workspace, dir, &options)
            })
            .await
        };
        if dry_run {
            // A dry run never enters the room: entering may mail a
            // one-time password or spend an attempt.
            let options = intralinks_sync::SyncOptions {
                delete,
                force,
                dry_run: true,
                ..sync.plain_options(folder)
            };
            let report = intralinks_sync::mirror(il, workspace, dir, &options)
                .await
                .map_err(super::without_entry)?;
            return finish_plan(&ctx.out, &report);
        }
        // --delete on a terminal: name what would go, and ask first.
        let mut delete = delete;
        if delete && !yes && crate::prompt::interactive(&ctx.out) {
            let plan = plan().await?;
            let doomed: Vec<&str> = plan
                .planned
                .iter()
                .filter(|p| p.action == PlannedAction::Delete)
                .map(|p| p.path.as_str())
                .collect();
            if !doomed.is_empty() {
                for p in &doomed {
                    tell!(ctx.out, "would delete: {}", output::safe(p))?;
                }
                let answer = crate::prompt::ask_line(
                    &ctx.out,
                    &format!(
                        "Delete these {} local file(s), whose documents left the room? [y/N] ",
                        doomed.len()
                    ),
                );
                if !answer
                    .is_some_and(|a| a.eq_ignore_ascii_case("y") || a.eq_ignore_ascii_case("yes"))
                {
                    tell!(ctx.out, "nothing will be deleted; mirroring the rest")?;
                    delete = false;
                }
            }
        }
        let (hook, display) = ctx.sync_progress("mirror");
        let options = intralinks_sync::SyncOptions {
            delete,
            force,
            progress: hook,
            ..sync.options(folder, &ctx.out)
        };
        let report = ctx
            .in_workspace(workspace, || {
                intralinks_sync::mirror(il, workspace, dir, &options)
            })
            .await;
        display.finish();
        finish(&ctx.out, workspace, dir, &report?)
    }
}

/// A mirror's dry run: what it would fetch, replace and delete.
fn finish_plan(out: &Output, report: &MirrorReport) -> CliResult {
    if out.json {
        return out.print_json(report);
    }
    super::print_plan(out, &report.planned)?;
    let count = |a| report.planned.iter().filter(|p| p.action == a).count();
    tell!(
        out,
        "dry run: {} to fetch, {} to replace, {} to delete, {} up to date, {} adopted; nothing was written",
        count(PlannedAction::Fetch),
        count(PlannedAction::Replace),
        count(PlannedAction::Delete),
        report.up_to_date,
        report.adopted
    )?;
    show_left_room(out, &report.left_room)?;
    super::failure_summary(out, &report.failures, report.documents, "documents", true)
}

/// Names local files whose documents left the room (left alone).
fn show_left_room(out: &Output, paths: &[String]) -> CliResult {
    if paths.is_empty() {
        return Ok(());
    }
    tell!(
        out,
        "{} local file(s) whose documents left the room were left alone (--delete removes them):",
        paths.len()
    )?;
    for p in paths.iter().take(super::SHOWN) {
        tell!(out, "  {}", output::safe(p))?;
    }
    if paths.len() > super::SHOWN {
        tell!(
            out,
            "  … and {} more (--json lists them all)",
            paths.len() - super::SHOWN
        )?;
    }
    Ok(())
}

/// Prints a mirror's outcome; an error when anything failed or it was stopped.
fn finish(out: &Output, workspace: i64, dir: &Path, report: &MirrorReport) -> CliResult {
    if out.json {
        out.print_json(report)?;
    } else {
        super::show_notices(out, &report.notices)?;
        say!(
            out,
            "mirrored workspace {workspace} into {}: {} folders, {} documents ({} fetched, {} adopted, {} up to date, {} deleted, {} fetched, {} retries)",
            output::safe(&dir.display().to_string()),
            report.folders,
            report.documents,
            report.fetched,
            report.adopted,
            report.up_to_date,
            report.deleted,
            output::size(Some(report.bytes_fetched.min(i64::MAX as u64) as i64)),
            report.retries,
        )?;
        for p in &report.deleted_paths {
            tell!(out, "deleted: {}", output::safe(p))?;
        }
        show_left_room(out, &report.left_room)?;
    }
    if let Some(fatal) = &report.fatal {
        return Err(super::ended_by(
            fatal,
            report.fetched + report.adopted + report.up_to_date,
            report.not_started + report.failures.len() + 1,
        ));
    }
    if report.interrupted {
        return Err(CliError::new(format!(
            "stopped: {} documents finished and kept, {} not done; run the same command again to resume",
            report.fetched + report.adopted + report.up_to_date,
            report.not_started + report.failures.len()
        )));
    }
    super::failure_summary(out, &report.failures, report.documents, "documents", false)
}
