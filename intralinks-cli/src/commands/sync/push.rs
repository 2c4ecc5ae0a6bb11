//! `intralinks push`: a directory tree into a folder of the room.

use std::path::{Path, PathBuf};

use intralinks_sync::{PlannedAction, PushReport};

use super::SyncArgs;
use crate::advice::{CliError, CliResult};
use crate::context::Context;
use crate::output::{self, Output, say, tell};

/// `intralinks push`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Workspace id.
    pub workspace: i64,
    /// The directory to push.
    pub dir: PathBuf,
    /// The folder to push into.
    #[arg(long)]
    pub folder: i64,
    /// List the folders and documents that would be created and the new
    /// versions that would be uploaded; send nothing that changes the room.
    #[arg(long)]
    pub dry_run: bool,
    /// Post the new documents and new versions as one bulk upload (a posting) and print its id.
    #[arg(long)]
    pub batch: bool,
    #[command(flatten)]
    pub sync: SyncArgs,
}

impl Args {
    /// Runs `push`: a dry run, or the push with its progress.
    pub async fn run(self, ctx: &Context) -> CliResult {
        let Args {
            workspace,
            dir,
            folder,
            dry_run,
            batch,
            sync,
        } = self;
        let dir = dir.as_path();
        let il = ctx.il().await?;
        if dry_run {
            let options = intralinks_sync::SyncOptions {
                dry_run: true,
                ..sync.plain_options(Some(folder))
            };
            // A dry run never enters the room: entering may mail a
            // one-time password or spend an attempt.
            let report = intralinks_sync::push(il, workspace, dir, &options)
                .await
                .map_err(super::without_entry)?;
            return finish_plan(&ctx.out, &report);
        }
        let (hook, display) = ctx.sync_progress("push");
        let options = intralinks_sync::SyncOptions {
            progress: hook,
            bulk_upload: if batch {
                intralinks_sync::BulkUpload::Open
            } else {
                intralinks_sync::BulkUpload::No
            },
            ..sync.options(Some(folder), &ctx.out)
        };
        let report = ctx
            .in_workspace(workspace, || {
                intralinks_sync::push(il, workspace, dir, &options)
            })
            .await;
        display.finish();
        let report = report?;
        if !ctx.out.json {
            match report.posting {
                Some(id) => say!(
                    ctx.out,
                    "posted as bulk upload {id} (who has seen it: intralinks report activity {workspace} --posting {id})"
                )?,
                None if batch => tell!(ctx.out, "nothing was sent, so no bulk upload was opened")?,
                None => {}
            }
        }
        finish(&ctx.out, folder, dir, &report)
    }
}

/// Prints a push's outcome; an error when anything failed or it was stopped.
fn finish(out: &Output, folder: i64, dir: &Path, report: &PushReport) -> CliResult {
    if out.json {
        out.print_json(report)?;
    } else {
        for s in &report.skipped {
            tell!(out, "skipped: {}", output::safe(s))?;
        }
        say!(
            out,
            "pushed {} into folder {folder}: {} files ({} uploaded, {} of them new versions, {} unchanged, {} verified), {} folders and {} documents created, {} uploaded, {} retries",
            output::safe(&dir.display().to_string()),
            report.files,
            report.uploaded,
            report.new_versions,
            report.unchanged,
            report.verified,
            report.folders_created,
            report.documents_created,
            output::size(Some(report.bytes_uploaded.min(i64::MAX as u64) as i64)),
            report.retries,
        )?;
        for p in &report.removed_empty {
            tell!(
                out,
                "removed: {} (its document was created but its upload did not complete; a rerun creates it again)",
                output::safe(p)
            )?;
        }
        for p in &report.left_empty {
            tell!(
                out,
                "left empty: {} (its document was created, its upload did not complete and it could not be removed; a rerun completes it)",
                output::safe(p)
            )?;
        }
        if !report.remote_only.is_empty() {
            say!(
                out,
                "{} documents exist only in the room (left alone):",
                report.remote_only.len()
            )?;
            for p in &report.remote_only {
                say!(out, "  {}", output::safe(p))?;
            }
        }
    }
    if let Some(fatal) = &report.fatal {
        return Err(super::ended_by(
            fatal,
            report.uploaded,
            report.not_started + report.failures.len() + 1,
        ));
    }
    if report.interrupted {
        return Err(CliError::new(format!(
            "stopped: {} files uploaded and kept, {} not done; run the same command again to resume",
            report.uploaded,
            report.not_started + report.failures.len()
        )));
    }
    super::failure_summary(out, &report.failures, report.files, "files", false)
}

/// A push's dry run: the folders and documents it would create and the new
/// versions it would upload.
fn finish_plan(out: &Output, report: &PushReport) -> CliResult {
    if out.json {
        return out.print_json(report);
    }
    for s in &report.skipped {
        tell!(out, "skipped: {}", output::safe(s))?;
    }
    super::print_plan(out, &report.planned)?;
    let count = |a| report.planned.iter().filter(|p| p.action == a).count();
    tell!(
        out,
        "dry run: {} folder(s) and {} document(s) to create, {} new version(s) to upload, {} unchanged; nothing was sent",
        count(PlannedAction::CreateFolder),
        count(PlannedAction::CreateDocument),
        count(PlannedAction::NewVersion),
        report.unchanged
    )?;
    super::failure_summary(out, &report.failures, report.files, "files", true)
}
