//! A mirror's dry run: what it would fetch, replace and delete, read from the
//! room's listing, the target and the journal without writing anything — not
//! the target directory, not its state directory, not a part file.

use std::path::Path;

use cap_std::ambient_authority;
use cap_std::fs::Dir;

use super::journal::{self, Record};
use super::local::{Entry, hash_in, peek_in};
use super::mirror::{JOURNAL, MirrorReport, left_behind};
use super::names::{STATE_DIR, place};
use super::{Failure, FailureKind, Planned, SyncOptions, list_room};
use intralinks_ext::Intralinks;
use intralinks_ext::{Error, Result};

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
        let expected = plan.hash(i).unwrap_or_default();
        let planned = |action| Planned {
            action,
            path: rel.clone(),
            id: Some(id),
        };
        match peek(root.as_ref(), rel) {
            Entry::Missing => report.planned.push(planned("fetch")),
            Entry::File { size, mtime } => {
                let known = ours(rel, size, mtime);
                if known.as_ref().is_some_and(|r| r.sha1 == expected) && !options.verify {
                    report.up_to_date += 1;
                    continue;
                }
                let local = root
                    .as_ref()
                    .map(|r| hash_in(r, rel, &dir.join(rel)))
                    .transpose()?;
                if local.as_deref() == Some(expected) {
                    if known.is_some() {
                        report.up_to_date += 1;
                    } else {
                        report.adopted += 1;
                    }
                } else if known.is_some() || options.force {
                    report.planned.push(planned("replace"));
                } else {
                    report.failures.push(Failure {
                        path: rel.clone(),
                        id: Some(id),
                        error: Error::LocalFileInTheWay {
                            path: dir.join(rel),
                        }
                        .into(),
                        attempts: 0,
                        kind: FailureKind::LocalFileInTheWay,
                    });
                }
            }
            Entry::Dir | Entry::Other(_) => report.failures.push(Failure {
                path: rel.clone(),
                id: Some(id),
                error: Error::InvalidInput(format!(
                    "{} is not a regular file; nothing would be written through it",
                    dir.join(rel).display()
                ))
                .into(),
                attempts: 0,
                kind: FailureKind::Other,
            }),
        }
    }
    // Local files the mirror wrote whose documents left the room.
    let wanted = plan.wanted();
    let gone = records.select(|path, _| !wanted.contains(path));
    for r in left_behind(&gone, |rel| peek(root.as_ref(), rel)) {
        if options.delete {
            report.planned.push(Planned {
                action: "delete",
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
