//! `intralinks diff`: a directory against the room, exit status as diff(1).

use std::path::PathBuf;

use intralinks_sync::{DiffKind, DiffReport};

use super::SyncArgs;
use crate::advice::{CliResult, Status};
use crate::context::Context;
use crate::output::{self, Output, say, tell};

/// `intralinks diff`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Workspace id.
    pub workspace: i64,
    /// The directory to compare.
    pub dir: PathBuf,
    /// Compare with this folder's subtree instead of the whole room.
    #[arg(long)]
    pub folder: Option<i64>,
    #[command(flatten)]
    pub sync: SyncArgs,
}

impl Args {
    /// Runs `diff`; its status says whether the directory and the room differ.
    pub async fn run(self, ctx: &Context) -> CliResult<Status> {
        let Args {
            workspace,
            dir,
            folder,
            sync,
        } = self;
        let dir = dir.as_path();
        let il = ctx.il().await?;
        // Writes nothing, so Ctrl-C may simply end it.
        let options = sync.plain_options(folder);
        let report = ctx
            .in_workspace(workspace, || {
                intralinks_sync::diff(il, workspace, dir, &options)
            })
            .await?;
        finish(&ctx.out, &report)
    }
}

/// Prints the differences on `out` as a table (or JSON records); whether
/// they differ.
fn finish(out: &Output, report: &DiffReport) -> CliResult<Status> {
    let status = if report.identical() {
        Status::Done
    } else {
        Status::Differs
    };
    if out.json {
        return out.print_json(report).map(|()| status);
    }
    for s in &report.skipped {
        tell!(out, "skipped: {}", output::safe(s))?;
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
                    // A kind this build does not know yet.
                    _ => "differs",
                }
                .to_string(),
                e.document_id.map(|i| i.to_string()).unwrap_or_default(),
                e.path.clone(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        out.table(&["STATE", "DOCUMENT", "PATH"], &rows)?;
    }
    say!(
        out,
        "{} equal, {} different, {} local only, {} remote only",
        report.equal,
        count(report, DiffKind::Different),
        count(report, DiffKind::LocalOnly),
        count(report, DiffKind::RemoteOnly)
    )?;
    Ok(status)
}

fn count(report: &DiffReport, kind: DiffKind) -> usize {
    report.entries.iter().filter(|e| e.kind == kind).count()
}
