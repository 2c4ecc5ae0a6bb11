//! Room → directory.

use std::path::Path;
use std::sync::Arc;

use futures_util::StreamExt;
use intralinks_ext::api::types::Document;

use super::decide::{Decision, Facts, decide};
use super::fetch::{Opened, Recorder, fetch_once, fetch_small, part_name};
use super::journal::{Journal, Placed, Record};
use super::local::{Entry, Target};
use super::names::{Layout, place};
pub(crate) use super::plan::JOURNAL;
pub use super::plan::MirrorReport;
use super::plan::left_behind;
use super::{Failure, SyncEvent, SyncOptions, blocking, list_room, with_retries};
use intralinks_ext::Intralinks;
use intralinks_ext::{Error, Result};

enum Outcome {
    UpToDate,
    Adopted,
    /// Bytes, attempts, bytes resumed from, and whether a file was replaced.
    Fetched(u64, u32, u64, bool),
    Failed(Failure),
    Skipped,
}

/// A document as the journal knows it, owned by the closures that record it.
struct Known {
    id: i64,
    version: Option<String>,
    hash: Option<String>,
}

impl Known {
    fn placed(&self) -> Placed<'_> {
        Placed {
            id: self.id,
            version: self.version.as_deref(),
            hash: self.hash.as_deref(),
        }
    }
}

/// The document an outcome is about.
struct Item {
    path: String,
    id: i64,
    version: Option<String>,
    bytes: u64,
}

/// Mirrors workspace `workspace_id` (or [`SyncOptions::folder`]'s subtree)
/// into `dir`. Fails only when nothing can be done at all (the listing or
/// the target directory); per-item failures are in the report.
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
/// use intralinks_sync::{self as sync, SyncOptions};
///
/// // The Legal folder's subtree, at most four requests at a time.
/// let options = SyncOptions {
///     folder: Some(demo::FOLDER_LEGAL),
///     jobs: sync::Jobs::Fixed(4),
///     ..SyncOptions::default()
/// };
/// let report = sync::mirror(&il, demo::MAIN_WORKSPACE, dir.path(), &options).await?;
/// assert!(report.failures.is_empty());
/// // Legal holds one document, in its subfolder Contracts.
/// assert_eq!(report.fetched, 1);
/// assert!(dir.path().join("Contracts/Mutual NDA.txt").is_file());
/// // A rerun fetches only what changed: nothing.
/// let again = sync::mirror(&il, demo::MAIN_WORKSPACE, dir.path(), &options).await?;
/// assert_eq!(again.fetched, 0);
/// # Ok(()) }
/// ```
pub async fn mirror(
    il: &Intralinks,
    workspace_id: i64,
    dir: &Path,
    options: &SyncOptions,
) -> Result<MirrorReport> {
    // Every request of the run through one limiter; it says what it
    // settled on when the run ends.
    let (il, _paced) = &super::Paced::new(il, options);
    if options.dry_run {
        return super::plan::mirror_plan(il, workspace_id, dir, options).await;
    }
    // Raised by the caller's signal, or by the run itself on a fatal error.
    let halt = options.stop.child();
    let options = &SyncOptions {
        stop: halt.clone(),
        ..options.clone()
    };
    // Shared with the blocking threads that do each document's file work.
    let target = Arc::new(Target::open(dir, true)?);
    let mut report = MirrorReport::default();
    let plan = place(list_room(il, workspace_id, options).await?, options.folder);
    // Opened after the listing, whose tables then grow in a heap the
    // journal's loading has not cut up; against the layout, so that a
    // document's record takes 16 bytes.
    let wanted = plan.wanted();
    let journal = Arc::new(Journal::open_placed(
        &target.state,
        JOURNAL,
        workspace_id,
        &wanted,
    )?);
    // Partial files of the documents' current versions are resumed; any
    // other (an older version, a document gone) is removed.
    report.stale_parts_removed = target.clear_parts_except(|part| current_part(&plan, part));
    options.emit(SyncEvent::Planned {
        items: plan.document_count(),
        bytes: plan.docs.iter().map(|d| d.bytes()).sum(),
    });
    report.folders = plan.folders.values().filter(|p| !p.is_empty()).count();
    report.documents = plan.document_count();
    report.notices = plan.notices.clone();

    let mut paths: Vec<&String> = plan.folders.values().filter(|p| !p.is_empty()).collect();
    paths.sort();
    let mut bad_dirs: Vec<(String, super::ItemError)> = Vec::new();
    for p in paths {
        if bad_dirs
            .iter()
            .any(|(b, _)| p.starts_with(&format!("{b}/")))
        {
            continue;
        }
        if let Err(e) = target.dir(p) {
            bad_dirs.push((p.clone(), super::ItemError::from(e)));
        }
    }

    // The directories that held nothing when the run began (most often,
    // just made): a document of theirs is missing without a look at its
    // path, and a small one is fetched in one hop to the blocking pool.
    let fresh: Vec<bool> = plan
        .dir_paths()
        .iter()
        .map(|d| target.is_empty_dir(d))
        .collect();
    let fresh = &fresh;
    let jobs = super::items_at_once(options.jobs);
    let mut changes = super::Changes::new(options.max_changed);
    let target = &target;
    let journal = &journal;
    let bad_dirs = &bad_dirs;
    let mut results =
        // Owned items: a closure over borrowed ones makes the future not `Send`.
        futures_util::stream::iter((0..plan.document_count()).map(|i| {
            // Each item gets its document and path when it starts.
            let (doc, rel) = (plan.docs[i].to_document(&plan.strings), plan.path(i));
            let fresh = fresh[plan.dir_index(i)];
            async move {
                let outcome = async {
                    if options.stop.is_stopped() {
                        return Outcome::Skipped;
                    }
                    if let Some((_, why)) = bad_dirs
                        .iter()
                        .find(|(b, _)| rel.starts_with(&format!("{b}/")))
                    {
                        return Outcome::Failed(Failure {
                            path: rel.clone(),
                            id: Some(doc.id),
                            error: why.clone(),
                            kind: super::FailureKind::Other,
                            attempts: 0,
                        });
                    }
                    one(il, workspace_id, (i, &doc, &rel, fresh), target, journal, options).await
                }
                .await;
                let item = Item {
                    id: doc.id,
                    version: doc.version.clone(),
                    bytes: doc.file_size.unwrap_or(0).max(0).unsigned_abs(),
                    path: rel,
                };
                (item, outcome)
            }
        }))
        .buffer_unordered(jobs);
    while let Some((item, outcome)) = results.next().await {
        // Events and the report are told here, one item at a time, so the
        // two agree: an item the run did not finish because it was stopped
        // (or ended by another's fatal failure) is `Stopped`, never `Failed`.
        let stopped = match &outcome {
            Outcome::Skipped => true,
            Outcome::Failed(f) => {
                f.kind == super::FailureKind::Stopped
                    || (f.kind == super::FailureKind::Fatal && report.fatal.is_some())
            }
            _ => false,
        };
        options.emit(match &outcome {
            _ if stopped => SyncEvent::Stopped {
                path: item.path.clone(),
            },
            Outcome::UpToDate | Outcome::Adopted => SyncEvent::Skipped {
                path: item.path.clone(),
                bytes: item.bytes,
            },
            Outcome::Fetched(..) => SyncEvent::Done {
                path: item.path.clone(),
                bytes: item.bytes,
            },
            Outcome::Failed(f) => SyncEvent::Failed {
                path: item.path.clone(),
                error: f.error.to_string(),
            },
            Outcome::Skipped => SyncEvent::Stopped {
                path: item.path.clone(),
            },
        });
        let changed = |kind| super::Changed {
            path: item.path.clone(),
            id: item.id,
            version: item.version.clone(),
            bytes: item.bytes,
            kind,
        };
        match outcome {
            Outcome::UpToDate => report.up_to_date += 1,
            Outcome::Adopted => {
                report.adopted += 1;
                changes.push(changed(super::ChangeKind::Adopted));
            }
            Outcome::Fetched(bytes, attempts, resumed_from, replaced) => {
                changes.push(changed(if replaced {
                    super::ChangeKind::Replaced
                } else {
                    super::ChangeKind::Fetched
                }));
                report.fetched += 1;
                report.retries += attempts.saturating_sub(1);
                report.bytes_fetched += bytes - resumed_from;
                if resumed_from > 0 {
                    report.resumed += 1;
                    report.bytes_resumed += resumed_from;
                }
            }
            Outcome::Failed(f) => {
                report.retries += f.attempts.saturating_sub(1);
                super::tally_failure(
                    f,
                    &mut report.failures,
                    &mut report.fatal,
                    &mut report.not_started,
                    &halt,
                );
            }
            Outcome::Skipped => report.not_started += 1,
        }
    }
    drop(results);
    report.interrupted = halt.is_stopped();

    // The records whose documents are not in the room (any more).
    let records = journal.select(|path, _| !wanted.contains(path));
    if !options.delete {
        // Say which local files' documents left the room; leave them alone.
        report.left_room = left_behind(&records, |rel| target.peek(rel))
            .into_iter()
            .map(|r| r.path.clone())
            .collect();
    }
    if options.delete && !report.interrupted {
        for r in records {
            match target.entry(&r.path) {
                Ok(Entry::File { size, mtime }) if r.describes(size, mtime) => {
                    match target.remove(&r.path) {
                        Ok(()) => {
                            report.deleted += 1;
                            report.deleted_paths.push(r.path.clone());
                            changes.push(super::Changed {
                                path: r.path.clone(),
                                id: r.id,
                                version: r.version.clone(),
                                bytes: r.size,
                                kind: super::ChangeKind::Deleted,
                            });
                        }
                        Err(e) => report.failures.push(Failure {
                            path: r.path.clone(),
                            id: Some(r.id),
                            kind: super::FailureKind::of(&e),
                            error: e.into(),
                            attempts: 1,
                        }),
                    }
                }
                Ok(Entry::Missing) => {}
                Err(e) => {
                    report.failures.push(Failure {
                        path: r.path.clone(),
                        id: Some(r.id),
                        kind: super::FailureKind::of(&e),
                        error: e.into(),
                        attempts: 0,
                    });
                    continue;
                }
                _ => {
                    report.failures.push(Failure {
                        path: r.path.clone(),
                        id: Some(r.id),
                        error: Error::LocalFileInTheWay {
                            path: target.shown(&r.path),
                        }
                        .into(),
                        kind: super::FailureKind::LocalFileInTheWay,
                        attempts: 0,
                    });
                    continue;
                }
            }
            journal.record(Record { gone: true, ..r })?;
        }
    }
    journal.compact_placed(&wanted)?;
    report.failures.sort_by(|a, b| a.path.cmp(&b.path));
    // Bounded (the first by path), sorted by path, then id.
    (report.changed, report.changed_omitted) = changes.finish();
    Ok(report)
}

/// Whether `part` is the partial file of a document's current version in
/// `plan` (`{id}-{key}.part`).
fn current_part(plan: &Layout, part: &str) -> bool {
    let Some(id) = part
        .strip_suffix(".part")
        .and_then(|p| p.rsplit_once('-'))
        .and_then(|(id, _)| id.parse::<i64>().ok())
    else {
        return false;
    };
    plan.docs
        .binary_search_by_key(&id, |d| d.id)
        .is_ok_and(|i| super::fetch::part_name(&plan.docs[i].to_document(&plan.strings)) == part)
}

/// Brings one document up to date; never fails the run. Its file work (a
/// look at its path, a hash, the journal record) runs on the blocking pool,
/// so that the runtime's threads only move bytes.
async fn one(
    il: &Intralinks,
    workspace_id: i64,
    (i, doc, rel, fresh): (usize, &Document, &str, bool),
    target: &Arc<Target>,
    journal: &Arc<Journal>,
    options: &SyncOptions,
) -> Outcome {
    let fail = |e: Error, attempts: u32| {
        Outcome::Failed(Failure {
            path: rel.to_string(),
            id: Some(doc.id),
            kind: super::FailureKind::of(&e),
            error: e.into(),
            attempts,
        })
    };
    // Records the file at `rel` as this document's, on the thread it is
    // called on (the blocking pool). The journal keeps a record of it, at
    // its path, of its version and with its hash, in 16 bytes.
    let recorder: Recorder = {
        let journal = Arc::clone(journal);
        let path = rel.to_string();
        let known = Known {
            id: doc.id,
            version: doc.version.clone(),
            hash: doc.file_hash_download.clone(),
        };
        Arc::new(move |sha1, size, mtime| {
            journal.record_at(
                Record {
                    ws: workspace_id,
                    path: path.clone(),
                    id: known.id,
                    version: known.version.clone(),
                    sha1,
                    size,
                    mtime,
                    gone: false,
                    pending: false,
                },
                i,
                &known.placed(),
            )
        })
    };
    // One hop to the blocking pool looks at the path and, when nothing is
    // there (a document to fetch: `decide` fetches what is missing and has a
    // hash), opens its partial file too. In a directory that held nothing
    // when the run began there is nothing to look at: a small document is
    // fetched by `fetch_small`, a larger one opens its partial file in its
    // own hop.
    let hashed = doc.file_hash_download.is_some();
    let small = fresh
        && hashed
        && doc
            .file_size
            .is_some_and(|s| (0..=intralinks_ext::transfer::SMALL_DOWNLOAD as i64).contains(&s));
    let looked = if fresh {
        Ok((Entry::Missing, None))
    } else {
        blocking({
            let (target, rel, part) = (Arc::clone(target), rel.to_string(), part_name(doc));
            move || {
                let entry = target.entry(&rel)?;
                let opened = match entry {
                    Entry::Missing if hashed => Some(target.open_part(&part)?),
                    _ => None,
                };
                Ok((entry, opened))
            }
        })
        .await
    };
    let (entry, opened) = match looked {
        Ok(e) => e,
        Err(e) => return fail(e, 0),
    };
    let opened: Opened = std::sync::Mutex::new(opened);
    let known = match entry {
        Entry::File { size, mtime } => journal
            .get_at(
                i,
                rel,
                &Placed {
                    id: doc.id,
                    version: doc.version.as_deref(),
                    hash: doc.file_hash_download.as_deref(),
                },
            )
            .filter(|r| r.describes(size, mtime)),
        _ => None,
    };
    let mut facts = Facts {
        remote: doc.file_hash_download.as_deref(),
        local: entry,
        ours: known.as_ref(),
        hashed: None,
        verify: options.verify,
        force: options.force,
    };
    let mut decision = decide(&facts);
    let local_hash;
    if decision == Decision::Hash {
        local_hash = match blocking({
            let (target, rel) = (Arc::clone(target), rel.to_string());
            move || target.hash(&rel)
        })
        .await
        {
            Ok(h) => h,
            Err(e) => return fail(e, 0),
        };
        facts.hashed = Some(&local_hash);
        decision = decide(&facts);
    }
    match decision {
        Decision::Fetch | Decision::Replace => {}
        Decision::Keep | Decision::Adopt => {
            // A hash taken now is recorded, so the next run trusts it.
            if let (Some(h), Entry::File { size, mtime }) = (facts.hashed, entry)
                && let Err(e) = blocking({
                    let (recorder, sha1) = (Arc::clone(&recorder), h.to_string());
                    move || recorder(sha1, size, mtime)
                })
                .await
            {
                return fail(e, 0);
            }
            return if decision == Decision::Keep {
                Outcome::UpToDate
            } else {
                Outcome::Adopted
            };
        }
        Decision::Skip(why) => return fail(why.error(doc.id, target.shown(rel)), 0),
        // decide asks for a hash only while it has none: not reached.
        Decision::Hash => {
            return fail(
                Error::InvalidInput(format!(
                    "the mirror could not decide what to do with {rel}; report this"
                )),
                0,
            );
        }
    }
    let (result, attempts) = with_retries(options, || {
        if small {
            futures_util::future::Either::Left(fetch_small(
                il,
                workspace_id,
                (doc, rel),
                target,
                options,
                &recorder,
            ))
        } else {
            futures_util::future::Either::Right(fetch_once(
                il,
                workspace_id,
                (doc, rel),
                target,
                options,
                (&opened, &recorder),
            ))
        }
    })
    .await;
    if let Some((_, _)) = opened.lock().unwrap_or_else(|e| e.into_inner()).take() {
        // Opened for a fetch that was not needed: no empty file is left.
        target.drop_part_if_empty(&part_name(doc));
    }
    match result {
        Ok(done) => match done.recorded {
            Ok(()) => Outcome::Fetched(
                done.size,
                attempts,
                done.resumed_from,
                decision == Decision::Replace,
            ),
            Err(e) => fail(e, attempts),
        },
        Err(e) => fail(e, attempts),
    }
}
