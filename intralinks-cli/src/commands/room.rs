//! `intralinks room export|plan|apply`: rooms as code, over
//! `intralinks_room`.
//!
//! `plan` exits 0 when nothing would change, 1 when something would, 2 on
//! error (as diff(1)). `apply` records what it creates in `FILE.journal`
//! beside each room file, one flushed line per object.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use futures_util::StreamExt;
use intralinks_ext::Intralinks;
use intralinks_ext::atomic::AtomicFile;
use intralinks_ext::text::for_terminal;
use intralinks_room::{self as room, Action, Applied, Change, Options, Plan, RoomFile};
use serde::Serialize;

use crate::advice::{CliError, CliResult, Status, err};
use crate::changes::line as change_line;
use crate::context::Context;
use crate::output::{Output, say, tell};

/// The command of rooms as code.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rooms as code: export a room to a file, plan and apply files (groups, members, folders, permissions).
    Room {
        /// What to do.
        #[command(subcommand)]
        what: RoomCmd,
    },
}

/// The room subcommands.
#[derive(Debug, Subcommand)]
pub enum RoomCmd {
    /// Write a room's groups, members, folders and permissions as a room file (stable order).
    Export {
        /// Workspace id.
        workspace: i64,
        /// Write here instead of to stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Show what apply would create, change and (with --prune) remove; exit 0 nothing, 1 changes, 2 error.
    Plan {
        /// Room files, one workspace each.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also list what the files do not name (apply --prune would remove it).
        #[arg(long)]
        prune: bool,
    },
    /// Make the rooms match the files: create, change and (with --prune) remove; safe to rerun.
    Apply {
        /// Room files, one workspace each.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Remove members, groups and empty folders the files do not name.
        #[arg(long)]
        prune: bool,
        /// Do not ask before removing anything.
        #[arg(long)]
        yes: bool,
        /// Requests at once, workspaces applied at once at most that many:
        /// auto finds what the service allows (at most 64; auto:MAX for
        /// another ceiling), a number sends that many. -v tells what auto
        /// settled on.
        #[arg(long, value_name = "N|auto", default_value = "auto")]
        jobs: intralinks_ext::Jobs,
    },
}

/// Where apply records what it created for `file`.
pub fn journal_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

fn options(ctx: &Context, file: &Path, prune: bool) -> Options {
    let options = Options::new(prune)
        .with_entry(ctx.entry_flags())
        .with_journal(journal_path(file));
    // One apply of a room at a time for this user on this host: the lock
    // lives beside the saved session (`locks/`).
    match crate::saved::path().as_deref().and_then(Path::parent) {
        Some(dir) => options.with_lock_dir(dir.join("locks")),
        None => options,
    }
}

/// Reads every file; two files naming one workspace are an error.
fn load(files: &[PathBuf]) -> Result<Vec<RoomFile>, String> {
    let mut rooms: Vec<RoomFile> = Vec::new();
    for f in files {
        let room = RoomFile::load(f).map_err(|e| e.to_string())?;
        if let Some(other) = rooms.iter().position(|r| {
            r.workspace.name == room.workspace.name
                || (r.workspace.id.is_some() && r.workspace.id == room.workspace.id)
        }) {
            return Err(format!(
                "{} and {} name the same workspace; keep one file per workspace",
                for_terminal(&files[other].display().to_string()),
                for_terminal(&f.display().to_string())
            ));
        }
        rooms.push(room);
    }
    Ok(rooms)
}

impl Command {
    /// Whether the command compares (`room plan`): it exits 2 on error, as diff(1).
    pub fn compares(&self) -> bool {
        matches!(
            self,
            Command::Room {
                what: RoomCmd::Plan { .. }
            }
        )
    }

    /// Runs a room command; `plan` says whether anything would change.
    pub async fn run(self, ctx: &Context) -> CliResult<Status> {
        let il = ctx.il().await?;
        let Command::Room { what } = self;
        match &what {
            RoomCmd::Export { workspace, output } => export(ctx, il, *workspace, output.as_deref())
                .await
                .map(|()| Status::Done),
            RoomCmd::Plan { files, prune } => {
                let rooms = load(files)?;
                let plans = plans(ctx, il, files, &rooms, *prune, 4).await?;
                print_plans(&ctx.out, ctx.out.json, &plans)?;
                Ok(if plans.iter().any(|p| !p.is_empty()) {
                    Status::Differs
                } else {
                    Status::Done
                })
            }
            RoomCmd::Apply {
                files,
                prune,
                yes,
                jobs,
            } => {
                // Every request through one limiter (it logs what it
                // settled on when the files are applied).
                let (il, _limiter) = il.paced(*jobs);
                let il = &il;
                apply(ctx, il, files, *prune, *yes, jobs.ceiling())
                    .await
                    .map(|()| Status::Done)
            }
        }
    }
}

async fn export(ctx: &Context, il: &Intralinks, ws: i64, output: Option<&Path>) -> CliResult {
    let file = room::export(il, ws, &ctx.entry_flags())
        .await
        .map_err(err)?;
    let yaml = file.to_yaml().map_err(err)?;
    match output {
        // Whole or not at all: a failed write leaves the old file as it was.
        Some(path) => {
            let mut file = AtomicFile::create(path).map_err(err)?;
            file.write_all(yaml.as_bytes()).map_err(|e| {
                CliError::new(format!(
                    "cannot write {}: {e}; check the directory; the old file was left as it was",
                    for_terminal(&path.display().to_string())
                ))
            })?;
            file.commit().map_err(err)
        }
        None if ctx.out.streams.out.is_terminal() => ctx
            .out
            .raw(intralinks_ext::text::for_terminal_text(&yaml).as_bytes()),
        None => ctx.out.raw(yaml.as_bytes()),
    }
}

async fn plans(
    ctx: &Context,
    il: &Intralinks,
    files: &[PathBuf],
    rooms: &[RoomFile],
    prune: bool,
    jobs: usize,
) -> CliResult<Vec<Plan>> {
    let results: Vec<CliResult<Plan>> = futures_util::stream::iter(rooms.iter().zip(files))
        .map(|(r, f)| async move {
            room::plan(il, r, &options(ctx, f, prune))
                .await
                .map_err(|e| err(e).within(&for_terminal(&f.display().to_string())))
        })
        .buffered(jobs)
        .collect()
        .await;
    results.into_iter().collect()
}

fn heading(name: &str, id: Option<i64>) -> String {
    format!(
        "workspace {:?} ({}):",
        for_terminal(name).as_ref(),
        id.map_or("new".to_string(), |i| format!("id {i}"))
    )
}

/// One record of `--json` output.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    workspace: &'a str,
    workspace_id: Option<i64>,
    #[serde(flatten)]
    change: &'a Change,
}

/// Prints `plans` on `out`: JSON records (notes on stderr) when `json`,
/// else each workspace's changes and the totals.
fn print_plans(out: &Output, json: bool, plans: &[Plan]) -> CliResult {
    if json {
        let records: Vec<Record> = plans
            .iter()
            .flat_map(|p| {
                p.changes.iter().map(|c| Record {
                    workspace: &p.workspace,
                    workspace_id: p.workspace_id,
                    change: c,
                })
            })
            .collect();
        for p in plans {
            for n in &p.notes {
                tell!(
                    out,
                    "note: {}: {}",
                    for_terminal(&p.workspace),
                    for_terminal(n)
                )?;
            }
        }
        return out.print_json(&records);
    }
    let mut totals = [0usize; 4];
    for p in plans {
        say!(out, "{}", heading(&p.workspace, p.workspace_id))?;
        if p.is_empty() {
            say!(out, "  no changes")?;
        }
        for c in &p.changes {
            say!(out, "{}", change_line(c))?;
        }
        for n in &p.notes {
            say!(out, "  note: {}", for_terminal(n))?;
        }
        for (i, a) in [
            Action::Create,
            Action::Change,
            Action::Remove,
            Action::CannotRemove,
        ]
        .into_iter()
        .enumerate()
        {
            totals[i] += p.count(a);
        }
    }
    say!(
        out,
        "Plan: {} to create, {} to change, {} to remove, {} not removable through the API.",
        totals[0],
        totals[1],
        totals[2],
        totals[3]
    )
}

/// Asks on `out`'s stderr whether to remove `removals` objects; refused
/// when stdin is not a terminal (pass --yes).
fn confirm(out: &Output, removals: usize) -> CliResult {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(format!(
            "apply --prune would remove {removals} object(s), listed above; pass --yes to confirm"
        )));
    }
    out.ask(&format!(
        "Remove the {removals} object(s) listed above? [y/N] "
    ))?;
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err("nothing applied: removal not confirmed".into())
    }
}

async fn apply(
    ctx: &Context,
    il: &Intralinks,
    files: &[PathBuf],
    prune: bool,
    yes: bool,
    jobs: usize,
) -> CliResult {
    let rooms = load(files)?;
    if prune && !yes {
        let plans = plans(ctx, il, files, &rooms, true, jobs).await?;
        let removals: usize = plans.iter().map(|p| p.count(Action::Remove)).sum();
        if removals > 0 {
            print_plans(&ctx.out, false, &plans)?;
            confirm(&ctx.out, removals)?;
        }
    }
    let results: Vec<(String, CliResult<Applied>)> =
        futures_util::stream::iter(rooms.iter().zip(files))
            .map(|(r, f)| async move {
                let shown = for_terminal(&f.display().to_string()).into_owned();
                let result = room::apply(il, r, &options(ctx, f, prune))
                    .await
                    .map_err(|e| err(e).within(&shown));
                (shown, result)
            })
            .buffered(jobs)
            .collect()
            .await;
    let mut failures = Vec::new();
    let mut applied = Vec::new();
    for (file, r) in results {
        match r {
            Ok(a) => applied.push(a),
            Err(e) => failures.push((file, e)),
        }
    }
    if ctx.out.json {
        let records: Vec<Record> = applied
            .iter()
            .flat_map(|a| {
                a.done.iter().chain(a.not_removable.iter()).map(|c| Record {
                    workspace: &a.workspace,
                    workspace_id: Some(a.workspace_id),
                    change: c,
                })
            })
            .collect();
        ctx.out.print_json(&records)?;
    } else {
        for a in &applied {
            let count = |x: Action| a.done.iter().filter(|c| c.action == x).count();
            say!(
                ctx.out,
                "{} {} created, {} changed, {} removed",
                heading(&a.workspace, Some(a.workspace_id)),
                count(Action::Create),
                count(Action::Change),
                count(Action::Remove)
            )?;
            for c in &a.not_removable {
                say!(ctx.out, "{}", change_line(c))?;
            }
        }
    }
    if failures.is_empty() {
        return Ok(());
    }
    for (_, e) in &failures {
        tell!(ctx.out, "failed: {e}")?;
    }
    Err(CliError::new(format!(
        "{} of {} room file(s) failed (listed above); fix what they say and apply again — what was created stays and is not created twice",
        failures.len(),
        files.len()
    )))
}
