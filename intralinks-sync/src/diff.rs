//! Directory ↔ room, compared by SHA-1.

use std::path::Path;

use serde::Serialize;

use super::local::{Target, hash_in, walk};
use super::march::march;
use super::names::{STATE_DIR, place};
use super::{SyncOptions, journal, list_room};
use intralinks_ext::Intralinks;
use intralinks_ext::{Error, Result};

/// How a path differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum DiffKind {
    /// A local file with no document at that path.
    LocalOnly,
    /// A document with no local file at that path.
    RemoteOnly,
    /// Both exist; their SHA-1s differ.
    Different,
}

/// One path that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiffEntry {
    /// Path relative to the directory (and to the folder in the room).
    pub path: String,
    /// How it differs.
    pub kind: DiffKind,
    /// The document, when there is one.
    pub document_id: Option<i64>,
}

/// What [`diff`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiffReport {
    /// Paths whose local file and document have the same SHA-1.
    pub equal: usize,
    /// Paths that differ, sorted.
    pub entries: Vec<DiffEntry>,
    /// Local entries not compared, each with the reason: symbolic links and
    /// special files, and a name the room would take for another local
    /// name (they differ only in case or Unicode form), as
    /// [`super::push`] would skip it.
    pub skipped: Vec<String>,
}

impl DiffReport {
    /// Whether the directory and the room hold the same files.
    pub fn identical(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Compares `dir` with the room (or [`SyncOptions::folder`]'s subtree):
/// paths laid out as [`super::mirror`] lays them, paired as the room
/// compares names and as [`super::push`] pairs them (a local name that
/// differs from the room's only in case or Unicode form is that document,
/// and reported under the local name), files compared by SHA-1
/// (local hashes recorded by earlier runs are trusted while size and mtime
/// are unchanged, unless [`SyncOptions::verify`]). Writes nothing.
///
/// ```
/// # use intralinks_ext::{AppKeys, FixedAnswers, Grant, Intralinks, Secret};
/// # use intralinks_sim::{SimConfig, Simulator, demo};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sim = Simulator::start(SimConfig::default()).await?;
/// # let il = Intralinks::builder(sim.url())
/// #     .login(
/// #         AppKeys { client_id: demo::CLIENT_ID.into(), client_secret: Secret::new(demo::CLIENT_SECRET) },
/// #         Grant::Password {
/// #             email: demo::EMAIL.into(),
/// #             password: Secret::new(demo::PASSWORD),
/// #             end_other_sessions: false,
/// #         },
/// #     )
/// #     .await?;
/// # il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default()).await?;
/// # let dir = tempfile::tempdir()?;
/// use intralinks_sync::{self as sync, DiffKind, SyncOptions};
///
/// let options = SyncOptions {
///     folder: Some(demo::FOLDER_LEGAL),
///     ..SyncOptions::default()
/// };
/// sync::mirror(&il, demo::MAIN_WORKSPACE, dir.path(), &options).await?;
/// assert!(sync::diff(&il, demo::MAIN_WORKSPACE, dir.path(), &options).await?.identical());
/// // A local edit shows as a difference.
/// std::fs::write(dir.path().join("Contracts/Mutual NDA.txt"), "edited")?;
/// let report = sync::diff(&il, demo::MAIN_WORKSPACE, dir.path(), &options).await?;
/// assert_eq!(report.entries.len(), 1);
/// assert_eq!(report.entries[0].path, "Contracts/Mutual NDA.txt");
/// assert_eq!(report.entries[0].kind, DiffKind::Different);
/// # Ok(()) }
/// ```
pub async fn diff(
    il: &Intralinks,
    workspace_id: i64,
    dir: &Path,
    options: &SyncOptions,
) -> Result<DiffReport> {
    let root = Target::open_read(dir)?;
    let walked = walk(&root)?;
    let plan = place(list_room(il, workspace_id, options).await?, options.folder);
    // The journals' records, loaded against the layout: a document's own
    // record takes 16 bytes (see `Journal::open_placed`).
    let wanted = plan.wanted();
    let mut known = journal::Records::default();
    if let Ok(state) = root.open_dir(STATE_DIR) {
        for name in [super::mirror::JOURNAL, super::push::JOURNAL] {
            known.extend_placed(
                journal::load_placed(&state, name, workspace_id, &wanted)?,
                &wanted,
            );
        }
    }
    let mut report = DiffReport {
        skipped: walked
            .skipped
            .iter()
            .map(|(p, what)| format!("{p} ({what})"))
            .collect(),
        ..DiffReport::default()
    };
    let marched = march(
        walked.dirs,
        walked.files,
        &wanted,
        "compared",
        &mut report.skipped,
    );
    for (f, remote) in &marched.files {
        let Some(i) = *remote else {
            report.entries.push(DiffEntry {
                path: f.path.clone(),
                kind: DiffKind::LocalOnly,
                document_id: None,
            });
            continue;
        };
        // The record at the file's path: the slot of the document placed
        // at exactly that path (the pairing may be by folded name), else
        // one kept by path.
        let at = wanted.at(&f.path);
        let cached = match at {
            Some(j) => known.get_at(j, &f.path, &journal::Placement::doc(&wanted, j)),
            None => known.get(&f.path),
        }
        .filter(|r| !options.verify && r.describes(f.size, f.mtime))
        .map(|r| r.sha1.clone());
        let local = match cached {
            Some(h) => h,
            None => {
                let (parent, name) = super::names::split_parent(&f.path);
                let d = if parent.is_empty() {
                    root.try_clone()
                } else {
                    root.open_dir(parent)
                }
                .map_err(|source| Error::Io {
                    action: "cannot open",
                    path: dir.join(parent),
                    source,
                })?;
                hash_in(&d, name, &dir.join(&f.path))?
            }
        };
        if plan.hash(i) == Some(local.as_str()) {
            report.equal += 1;
        } else {
            report.entries.push(DiffEntry {
                path: f.path.clone(),
                kind: DiffKind::Different,
                document_id: Some(plan.docs[i].id),
            });
        }
    }
    for (path, i) in marched.remote_only {
        report.entries.push(DiffEntry {
            path,
            kind: DiffKind::RemoteOnly,
            document_id: Some(plan.docs[i].id),
        });
    }
    report.skipped.sort();
    report.entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(report)
}
