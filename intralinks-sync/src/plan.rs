//! A mirror's dry run: what it would fetch, replace and delete, read from the
//! room's listing, the target and the journal without writing anything — not
//! the target directory, not its state directory, not a part file.
//!
//! It also holds what a mirror run shares with its dry run — the journal's
//! name, the [`MirrorReport`] both answer, and [`left_behind`] — so that the
//! run (`mirror`) depends on its plan, never the other way round.

use std::path::Path;

use cap_std::ambient_authority;
use cap_std::fs::Dir;
use serde::Serialize;

use super::decide::{Decision, Facts, Skip, decide};
use super::journal::{self, Record};
use super::local::{Entry, hash_in, peek_in};
use super::names::{Notice, STATE_DIR, place};
use super::{Failure, FailureKind, Planned, PlannedAction, SyncOptions, list_room};
use intralinks_ext::Intralinks;
use intralinks_ext::{Error, Result};

/// The mirror journal's name in the state directory.
pub(crate) const JOURNAL: &str = "mirror.jsonl";

/// What a mirror run did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MirrorReport {
    /// Folders placed.
    pub folders: usize,
    /// Documents in the room (or the subtree).
    pub documents: usize,
    /// Documents downloaded this run.
    pub fetched: usize,
    /// Documents already on disk with the right SHA-1, taken as they are.
    pub adopted: usize,
    /// Documents already present and current.
    pub up_to_date: usize,
    /// Local files removed because their documents left the room.
    pub deleted: usize,
    /// Bytes downloaded this run (successful transfers).
    pub bytes_fetched: u64,
    /// Attempts beyond the first, over all items.
    pub retries: u32,
    /// Partial files of earlier runs removed (other versions, documents gone).
    pub stale_parts_removed: usize,
    /// Documents whose download went on from a partial file of an earlier
    /// attempt or run.
    pub resumed: usize,
    /// Bytes of those partial files, kept and not fetched again.
    pub bytes_resumed: u64,
    /// Documents not attempted because the run was stopped.
    pub not_started: usize,
    /// Whether the run was stopped before the end.
    pub interrupted: bool,
    /// Renamed entries, orphans, broken cycles.
    pub notices: Vec<Notice>,
    /// The local files removed because their documents left the room.
    pub deleted_paths: Vec<String>,
    /// Local files the mirror wrote whose documents left the room, left alone
    /// (without [`SyncOptions::delete`]).
    pub left_room: Vec<String>,
    /// With [`SyncOptions::dry_run`]: what the mirror would fetch, replace and
    /// delete (nothing was written).
    pub planned: Vec<Planned>,
    /// Each document this run fetched, replaced, adopted or deleted, with
    /// its id and version, sorted by path (those already up to date are
    /// not listed): what changed. At most [`SyncOptions::max_changed`]
    /// entries, the first by path; the others are counted in
    /// [`MirrorReport::changed_omitted`].
    ///
    /// [`SyncOptions::max_changed`]: super::SyncOptions::max_changed
    pub changed: Vec<super::Changed>,
    /// Changes this run made that `changed` does not list (beyond
    /// [`SyncOptions::max_changed`](super::SyncOptions::max_changed)); 0
    /// when it lists them all.
    pub changed_omitted: usize,
    /// Every item that did not complete (but those the run never started
    /// after [`MirrorReport::fatal`]).
    pub failures: Vec<Failure>,
    /// The failure that ended the run early, since no further item could
    /// succeed (a refused token, a full disk: [`intralinks_ext::Verdict::StopRun`]);
    /// the items not started after it are counted in `not_started`.
    pub fatal: Option<Failure>,
}

/// Of the journal records whose documents are not in the room (as the
/// caller selected them), those whose files are still the mirror's own (the
/// size and mtime it recorded), as `peek` finds them: what `delete` would
/// remove.
pub(crate) fn left_behind<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    peek: impl Fn(&str) -> Entry,
) -> Vec<&'a Record> {
    records
        .into_iter()
        .filter(
            |r| matches!(peek(&r.path), Entry::File { size, mtime } if r.describes(size, mtime)),
        )
        .collect()
}

/// What the target holds at `rel`, looked up without creating anything.
fn peek(root: Option<&Dir>, rel: &str) -> Entry {
    root.map_or(Entry::Missing, |r| peek_in(r, rel))
}

/// The mirror's plan for `dir`; see [`SyncOptions::dry_run`].
pub(crate) async fn mirror_plan(
    il: &Intralinks,
    workspace_id: i64,
    dir: &Path,
    options: &SyncOptions,
) -> Result<MirrorReport> {
    let root = match Dir::open_ambient_dir(dir, ambient_authority()) {
        Ok(root) => Some(root),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(Error::Io {
                action: "cannot open",
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let records = match root.as_ref().map(|r| r.open_dir(STATE_DIR)) {
        Some(Ok(state)) => journal::load(&state, JOURNAL, workspace_id)?,
        _ => Default::default(),
    };
    let plan = place(list_room(il, workspace_id, options).await?, options.folder);
    let mut report = MirrorReport {
        folders: plan.folders.values().filter(|p| !p.is_empty()).count(),
        documents: plan.document_count(),
        notices: plan.notices.clone(),
        ..MirrorReport::default()
    };
    let ours = |rel: &str, size: u64, mtime: i128| -> Option<Record> {
        records.get(rel).filter(|r| r.describes(size, mtime))
    };
    for i in 0..plan.document_count() {
        let (id, rel) = (plan.docs[i].id, &plan.path(i));
        let planned = |action| Planned {
            action,
            path: rel.clone(),
            id: Some(id),
        };
        let local = peek(root.as_ref(), rel);
        let known = match local {
            Entry::File { size, mtime } => ours(rel, size, mtime),
            _ => None,
        };
        let mut facts = Facts {
            remote: plan.hash(i),
            local,
            ours: known.as_ref(),
            hashed: None,
            verify: options.verify,
            force: options.force,
        };
        let mut decision = decide(&facts);
        let hashed;
        if let (Decision::Hash, Some(root)) = (decision, root.as_ref()) {
            hashed = hash_in(root, rel, &dir.join(rel))?;
            facts.hashed = Some(&hashed);
            decision = decide(&facts);
        }
        match decision {
            Decision::Fetch => report.planned.push(planned(PlannedAction::Fetch)),
            Decision::Replace => report.planned.push(planned(PlannedAction::Replace)),
            Decision::Keep => report.up_to_date += 1,
            Decision::Adopt => report.adopted += 1,
            Decision::Skip(why) => report.failures.push(Failure {
                path: rel.clone(),
                id: Some(id),
                kind: match why {
                    Skip::InTheWay => FailureKind::LocalFileInTheWay,
                    Skip::NoHash | Skip::NotAFile(_) => FailureKind::Other,
                },
                error: why.error(id, dir.join(rel)).into(),
                attempts: 0,
            }),
            // Only without a directory to hash in, where nothing is there.
            Decision::Hash => report.planned.push(planned(PlannedAction::Fetch)),
        }
    }
    // Local files the mirror wrote whose documents left the room.
    let wanted = plan.wanted();
    let gone = records.select(|path, _| !wanted.contains(path));
    for r in left_behind(&gone, |rel| peek(root.as_ref(), rel)) {
        if options.delete {
            report.planned.push(Planned {
                action: PlannedAction::Delete,
                path: r.path.clone(),
                id: Some(r.id),
            });
        } else {
            report.left_room.push(r.path.clone());
        }
    }
    report.planned.sort_by(|a, b| a.path.cmp(&b.path));
    report.failures.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(report)
}
