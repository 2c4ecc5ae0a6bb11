//! Directory → room.
//!
//! Sub-directories become folders (a level at a time, a hundred a call),
//! files become documents (created in batches, each uploaded as soon as it
//! is created, concurrently, streamed from disk). A file whose document
//! already exists at its path gets a new version of that same document; an
//! unchanged file (its SHA-1 equals `fileHashDownload`) is skipped. Every
//! uploaded document's `fileHashDownload` is checked against the local
//! SHA-1: a folder of [`VERIFY_ALONE`] uploads or more by a listing of its
//! own as its last upload ends, the rest by one listing at the end. Only
//! the folder pushed into is listed, when its subtree is small. Nothing in
//! the room is ever deleted or renamed; what exists only there is reported.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use futures_util::StreamExt;
use intralinks_ext::api::types::{
    CreateDocumentsRequest, CreateFoldersRequest, Document, DocumentInput, DocumentInputItem,
    FolderInput, FolderInputItem,
};
use serde::Serialize;

use super::journal::{Journal, Record};
use super::local::{Found, Target, Walked, walk};
use super::march::{Marched, march};
use super::names::{local_component, place, split_parent as parent_of};
use super::{Failure, SyncEvent, SyncOptions, with_retries};
use intralinks_ext::{Checked, Error, Result};
use intralinks_ext::{DocumentRef, Intralinks};

/// The push journal's name in the state directory.
pub(crate) const JOURNAL: &str = "push.jsonl";

/// Files of at most this size are read whole before their upload.
const READ_AT_ONCE: u64 = 64 * 1024;

/// Documents created per call.
const CREATE_BATCH: usize = 100;

/// A folder with at least this many uploads is verified by a listing of
/// its own as soon as its last upload ends; the uploads of smaller folders
/// are verified together by one listing of the room at the end.
const VERIFY_ALONE: usize = 32;

/// A file to upload: into which document, in which folder, with its SHA-1.
struct Upload {
    f: Found,
    sha1: String,
    doc: Document,
    /// Whether the document existed before the run (a new version).
    existed: bool,
    /// The folder the document is in.
    folder: i64,
}

/// What was sent: the file's path, its document, and the SHA-1 sent.
type Sent = (String, i64, String);

/// What a push run did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PushReport {
    /// Local files considered.
    pub files: usize,
    /// Folders created in the room.
    pub folders_created: usize,
    /// Documents created in the room.
    pub documents_created: usize,
    /// Files uploaded this run (new documents and new versions).
    pub uploaded: usize,
    /// Of those, new versions of documents that already existed.
    pub new_versions: usize,
    /// Files whose document already had their SHA-1.
    pub unchanged: usize,
    /// Uploaded documents whose `fileHashDownload` was checked equal to the local SHA-1.
    pub verified: usize,
    /// Bytes uploaded this run.
    pub bytes_uploaded: u64,
    /// Attempts beyond the first, over all items.
    pub retries: u32,
    /// Paths of documents that exist only in the room (left alone).
    pub remote_only: Vec<String>,
    /// Local entries not pushed: links, special files, names that would not
    /// come back the same, names the room would take for another's.
    pub skipped: Vec<String>,
    /// Documents push created whose upload did not complete, removed again
    /// at the end of the run (their paths): a rerun creates them anew.
    pub removed_empty: Vec<String>,
    /// Documents push created whose upload did not complete and that could
    /// not be removed (their paths): a rerun completes these same documents.
    pub left_empty: Vec<String>,
    /// Files not attempted because the run was stopped.
    pub not_started: usize,
    /// Whether the run was stopped before the end.
    pub interrupted: bool,
    /// Every item that did not complete (but those the run never started
    /// after [`PushReport::fatal`]).
    pub failures: Vec<Failure>,
    /// Each file this run pushed — a document created, or a new version of
    /// one — with the document's id and new version, sorted by path. At
    /// most [`SyncOptions::max_changed`] entries, the first by path; the
    /// others are counted in [`PushReport::changed_omitted`].
    pub changed: Vec<super::Changed>,
    /// Files this run pushed that `changed` does not list (beyond
    /// [`SyncOptions::max_changed`]); 0 when it lists them all.
    pub changed_omitted: usize,
    /// The failure that ended the run early, since no further item could
    /// succeed (a refused token, a full disk: [`intralinks_ext::Verdict::StopRun`]);
    /// the files not started after it are counted in `not_started`.
    pub fatal: Option<Failure>,
    /// With [`SyncOptions::dry_run`]: the folders and documents push would
    /// create and the new versions it would upload (nothing was sent).
    pub planned: Vec<super::Planned>,
    /// The bulk upload (posting) the run's new documents and versions were
    /// sent in ([`SyncOptions::bulk_upload`]); none when not asked for or
    /// nothing was sent.
    pub posting: Option<i64>,
}

impl PushReport {
    /// Adds what another part of the same run did (the creates, told
    /// apart from the uploads that run at the same time).
    fn absorb(&mut self, other: PushReport) {
        self.documents_created += other.documents_created;
        self.retries += other.retries;
        self.not_started += other.not_started;
        self.failures.extend(other.failures);
        match (&self.fatal, other.fatal) {
            (None, fatal) => self.fatal = fatal,
            // A second fatal failure is one more item not started.
            (Some(_), Some(_)) => self.not_started += 1,
            (Some(_), None) => {}
        }
    }

    /// Counts error `e` against each of `paths` (one file, or a batch of
    /// creates that failed as one), none of which has a document yet.
    fn fail_paths(
        &mut self,
        halt: &super::StopSignal,
        paths: impl IntoIterator<Item = String>,
        e: Error,
        attempts: u32,
    ) {
        let kind = super::FailureKind::of(&e);
        let error = super::ItemError::from(e);
        for path in paths {
            self.fail(
                halt,
                Failure {
                    path,
                    id: None,
                    kind,
                    error: error.clone(),
                    attempts,
                },
            );
        }
    }

    /// Counts one failure ([`super::tally_failure`]); `halt` is the run's own stop.
    fn fail(&mut self, halt: &super::StopSignal, f: Failure) {
        super::tally_failure(
            f,
            &mut self.failures,
            &mut self.fatal,
            &mut self.not_started,
            halt,
        );
    }
}

/// Whether every component of `rel` survives the mirror's naming as it is.
fn round_trips(rel: &str) -> bool {
    rel.is_empty()
        || rel
            .split('/')
            .all(|c| local_component(c).name == c && c != super::names::STATE_DIR)
}

/// Phase 1 of a push: the local directories and files whose names the
/// room can hold as they are (each one it cannot is said in `skipped`,
/// once, at the top of what it leaves out).
fn holdable(walked: &Walked, skipped: &mut Vec<String>) -> (Vec<String>, Vec<Found>) {
    let dirs: Vec<String> = walked
        .dirs
        .iter()
        .filter(|d| {
            let ok = round_trips(d);
            if !ok && round_trips(parent_of(d).0) {
                skipped.push(format!("{d} (a name the room cannot hold as it is)"));
            }
            ok
        })
        .cloned()
        .collect();
    let files: Vec<Found> = walked
        .files
        .iter()
        .filter(|f| {
            let ok = round_trips(&f.path);
            if !ok && round_trips(parent_of(&f.path).0) {
                skipped.push(format!("{} (a name the room cannot hold as it is)", f.path));
            }
            ok
        })
        .cloned()
        .collect();

    (dirs, files)
}

/// Pushes `dir` into [`SyncOptions::folder`] of workspace `workspace_id`.
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
/// std::fs::create_dir(dir.path().join("Q1"))?;
/// std::fs::write(dir.path().join("Q1/minutes.txt"), "minutes of the first meeting")?;
/// let options = SyncOptions {
///     folder: Some(demo::FOLDER_LEGAL),
///     ..SyncOptions::default()
/// };
/// let report = sync::push(&il, demo::MAIN_WORKSPACE, dir.path(), &options).await?;
/// assert!(report.failures.is_empty());
/// assert_eq!((report.folders_created, report.documents_created), (1, 1));
/// // Nothing changed: a second push sends no write at all.
/// let again = sync::push(&il, demo::MAIN_WORKSPACE, dir.path(), &options).await?;
/// assert_eq!((again.uploaded, again.unchanged), (0, 1));
/// # Ok(()) }
/// ```
pub async fn push(
    il: &Intralinks,
    workspace_id: i64,
    dir: &Path,
    options: &SyncOptions,
) -> Result<PushReport> {
    let top = options.folder.ok_or_else(|| {
        Error::InvalidInput(
            "a push needs the id of the folder to push into; list the folders to find it".into(),
        )
    })?;
    if !dir.is_dir() {
        return Err(Error::InvalidInput(format!(
            "{} is not a directory; give the directory to push",
            dir.display()
        )));
    }
    // Every request of the run through one limiter; it says what it
    // settled on when the run ends.
    let (il, _paced) = &super::Paced::new(il, options);
    // Raised by the caller's signal, or by the run itself on a fatal error.
    let halt = options.stop.child();
    let options = &SyncOptions {
        stop: halt.clone(),
        ..options.clone()
    };
    // The engine retries each step itself (`with_retries`): the runtime
    // retries none of the calls made under it.
    let once = &il.with_retry(intralinks_ext::api::RetryPolicy::none());
    let target = Arc::new(Target::open(dir, false)?);
    // One push of this tree at a time: a second waits, then finds the
    // documents the first created (a dry run writes nothing, and waits for
    // nobody).
    let _writer = if options.dry_run {
        None
    } else {
        let waiting = || {
            let reason = format!(
                "another push from {} is running on this host; waiting for it to end",
                dir.display()
            );
            tracing::warn!("{reason}");
            options.emit(SyncEvent::Waiting { reason });
        };
        Some(target.writer_lock(waiting).await?)
    };
    if !options.dry_run {
        target.clear_parts();
    }
    let journal = std::sync::Arc::new(Journal::open(&target.state, JOURNAL, workspace_id)?);
    // The tree is walked on the blocking pool while the room is listed.
    let root = target.root_dir()?;
    // The room's folders, and the documents below the folder pushed into.
    let (walked, listed) = tokio::join!(
        super::blocking(move || walk(&root)),
        super::room::list_below(il, workspace_id, top, options)
    );
    let (walked, listed) = (walked?, listed?);
    let mut report = PushReport::default();
    report.skipped.extend(
        walked
            .skipped
            .iter()
            .map(|(p, what)| format!("{p} ({what})")),
    );
    let (dirs, files) = holdable(&walked, &mut report.skipped);

    let plan = place(listed, Some(top));
    let Marched {
        dirs,
        mut remote_dirs,
        files,
        remote_only,
    } = march(dirs, files, &plan.wanted(), "pushed", &mut report.skipped);
    report.files = files.len();
    options.emit(SyncEvent::Planned {
        items: files.len(),
        bytes: files.iter().map(|(f, _)| f.size).sum(),
    });
    report.remote_only = remote_only.into_iter().map(|(p, _)| p).collect();

    create_folders(
        once,
        workspace_id,
        &dirs,
        &mut remote_dirs,
        options,
        &mut report,
    )
    .await;

    // Which files need an upload, and into which document. A new file is
    // hashed later, next to its create, so that its hashing overlaps the
    // uploads already under way.
    let mut uploads: Vec<Upload> = Vec::new();
    let mut to_create: BTreeMap<i64, Vec<Found>> = BTreeMap::new();
    for (f, remote) in files {
        let (parent, _) = parent_of(&f.path);
        let Some(&folder_id) = remote_dirs.get(parent) else {
            report.fail(&options.stop, Failure {
                path: f.path.clone(),
                id: None,
                error: Error::InvalidInput(format!(
                    "its folder {parent:?} could not be created in the room; nothing was uploaded"
                ))
                .into(),
                kind: super::FailureKind::Retryable,
                attempts: 0,
            });
            continue;
        };
        let Some(i) = remote else {
            to_create.entry(folder_id).or_default().push(f);
            continue;
        };
        let sha1 = match local_hash(&target, &journal, &f, Some(plan.docs[i].id), options) {
            Ok(h) => h,
            Err(e) => {
                report.fail_paths(&options.stop, [f.path], e, 0);
                continue;
            }
        };
        if plan.hash(i) == Some(sha1.as_str()) {
            let doc = plan.docs[i];
            let version = plan.strings.opt(doc.version).map(str::to_string);
            report.unchanged += 1;
            options.emit(SyncEvent::Skipped {
                path: f.path.clone(),
                bytes: f.size,
            });
            if !options.dry_run
                && journal
                    .get(&f.path)
                    .is_none_or(|r| r.sha1 != sha1 || r.mtime != f.mtime || r.pending)
            {
                journal.record(record(workspace_id, &f, doc.id, version, sha1))?;
            }
        } else {
            uploads.push(Upload {
                f,
                sha1,
                doc: plan.docs[i].to_document(&plan.strings),
                existed: true,
                folder: folder_id,
            });
        }
    }
    if options.dry_run {
        for u in &uploads {
            report.planned.push(super::Planned {
                action: super::PlannedAction::NewVersion,
                path: u.f.path.clone(),
                id: Some(u.doc.id),
            });
        }
        for f in to_create.values().flatten() {
            report.planned.push(super::Planned {
                action: super::PlannedAction::CreateDocument,
                path: f.path.clone(),
                id: None,
            });
        }
        report.planned.sort_by(|a, b| a.path.cmp(&b.path));
        return Ok(report);
    }

    // One bulk upload for all that is sent, opened (once: not retried, it
    // is no idempotent call) when the count is known.
    let posted;
    let options = match options.bulk_upload {
        super::BulkUpload::Open if !uploads.is_empty() || !to_create.is_empty() => {
            let count = uploads.len() + to_create.values().map(Vec::len).sum::<usize>();
            let size = u32::try_from(count).unwrap_or(u32::MAX);
            let id = once.open_bulk_upload(workspace_id, size).await?;
            posted = SyncOptions {
                bulk_upload: super::BulkUpload::Into(id),
                ..options.clone()
            };
            &posted
        }
        _ => options,
    };
    report.posting = options.bulk_upload.batch();

    // The uploads start as soon as their documents exist: new versions at
    // once, new documents as each batch of creates lands. Each folder is
    // verified as its last upload ends.
    let mut expected: HashMap<i64, usize> = HashMap::new();
    for (folder, list) in &to_create {
        *expected.entry(*folder).or_default() += list.len();
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Upload>();
    for u in uploads {
        *expected.entry(u.folder).or_default() += 1;
        // The receiver is right here: a send cannot fail.
        let _ = tx.send(u);
    }
    let created = create_documents_for(
        once,
        workspace_id,
        to_create,
        &target,
        &journal,
        options,
        tx,
    );
    let ready =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|u| (u, rx)) });
    let uploaded = upload_all(
        once,
        workspace_id,
        &target,
        &journal,
        ready,
        expected,
        options,
        &mut report,
    );
    let (created, sent) = tokio::join!(created, uploaded);
    report.absorb(created);
    report.interrupted = halt.is_stopped();

    verify_sent(il, (workspace_id, top), options, sent, &mut report).await?;
    leave_none_empty(il, workspace_id, &journal, &mut report).await?;
    journal.compact()?;
    report.failures.sort_by(|a, b| a.path.cmp(&b.path));
    report.skipped.sort();
    report.removed_empty.sort();
    report.left_empty.sort();
    Ok(report)
}

/// Phase 3 of a push: the folders the room lacks, a level at a time
/// (parents first), a hundred a call, each level's calls concurrently; with
/// [`SyncOptions::dry_run`], named in the plan with stand-in ids instead.
async fn create_folders(
    il: &Intralinks,
    workspace_id: i64,
    dirs: &[String],
    remote_dirs: &mut HashMap<String, i64>,
    options: &SyncOptions,
    report: &mut PushReport,
) {
    let mut levels: BTreeMap<usize, Vec<&String>> = BTreeMap::new();
    for d in dirs {
        if !remote_dirs.contains_key(d) {
            levels.entry(d.matches('/').count()).or_default().push(d);
        }
    }
    let mut would_be = -1i64;
    for (_, level) in levels {
        let wanted: Vec<(String, i64)> = level
            .into_iter()
            .filter_map(|d| remote_dirs.get(parent_of(d).0).map(|p| (d.clone(), *p)))
            .collect();
        if options.dry_run {
            // Named, not made: a stand-in id places what goes inside.
            for (d, _) in wanted {
                report.planned.push(super::Planned {
                    action: super::PlannedAction::CreateFolder,
                    path: d.clone(),
                    id: None,
                });
                remote_dirs.insert(d, would_be);
                would_be -= 1;
            }
            continue;
        }
        // A level's folders, a hundred a call.
        let batches: Vec<Vec<(String, i64)>> =
            wanted.chunks(CREATE_BATCH).map(<[_]>::to_vec).collect();
        let mut created = futures_util::stream::iter(batches.into_iter().map(|batch| async move {
            let asked: Vec<(&str, i64)> = batch
                .iter()
                .map(|(d, parent_id)| (parent_of(d).1, *parent_id))
                .collect();
            let tries = std::sync::atomic::AtomicU32::new(0);
            let (result, attempts) = with_retries(options, || {
                let first = tries.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0;
                create_folder_batch(il, workspace_id, &asked, first)
            })
            .await;
            (batch, result, attempts)
        }))
        .buffer_unordered(options.jobs.ceiling());
        while let Some((batch, result, attempts)) = created.next().await {
            report.retries += attempts.saturating_sub(1);
            let ids = match result {
                Ok(ids) => ids,
                Err(e) => {
                    report.fail_paths(
                        &options.stop,
                        batch.into_iter().map(|(d, _)| d),
                        e,
                        attempts,
                    );
                    continue;
                }
            };
            for ((d, _), id) in batch.into_iter().zip(ids) {
                match id {
                    Some(id) => {
                        report.folders_created += 1;
                        remote_dirs.insert(d, id);
                    }
                    None => report.fail(
                        &options.stop,
                        Failure {
                            path: d,
                            id: None,
                            error: Error::InvalidInput(
                                "the service did not say which folder it created for this directory; run the push again".into(),
                            )
                            .into(),
                            kind: super::FailureKind::Retryable,
                            attempts,
                        },
                    ),
                }
            }
        }
    }
}

/// Phase 5 of a push: the new documents, in batches per folder, a few
/// batches at a time (they share the run's requests with the uploads);
/// each batch's files are hashed on the blocking pool, then created; each
/// created document is recorded (pending) before its upload, so that a
/// rerun after a kill completes it, never a second one, and is sent on to
/// the uploads. Answers what it did: documents created, retries, failures.
async fn create_documents_for(
    il: &Intralinks,
    workspace_id: i64,
    to_create: BTreeMap<i64, Vec<Found>>,
    target: &Arc<Target>,
    journal: &Journal,
    options: &SyncOptions,
    uploads: tokio::sync::mpsc::UnboundedSender<Upload>,
) -> PushReport {
    let mut report = PushReport::default();
    let batches: Vec<(i64, Vec<Found>)> = to_create
        .into_iter()
        .flat_map(|(folder_id, list)| {
            list.chunks(CREATE_BATCH)
                .map(|b| (folder_id, b.to_vec()))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut created =
        futures_util::stream::iter(batches.into_iter().map(|(folder_id, batch)| async move {
            if options.stop.is_stopped() {
                return (folder_id, Vec::new(), Err(batch), None);
            }
            let hashed = super::blocking({
                let (target, batch) = (Arc::clone(target), batch.clone());
                move || {
                    Ok(batch
                        .into_iter()
                        .map(|f| {
                            let sha1 = target.hash(&f.path);
                            (f, sha1)
                        })
                        .collect::<Vec<_>>())
                }
            })
            .await;
            let hashed = match hashed {
                Ok(h) => h,
                // The hashing task itself failed: each file says why.
                Err(e) => {
                    let failed = batch
                        .into_iter()
                        .map(|f| (f, Error::InvalidInput(e.to_string())))
                        .collect();
                    return (folder_id, failed, Ok(Vec::new()), None);
                }
            };
            let (mut read, mut unreadable): (Vec<(Found, String)>, _) = (Vec::new(), Vec::new());
            for (f, sha1) in hashed {
                match sha1 {
                    Ok(sha1) => read.push((f, sha1)),
                    Err(e) => unreadable.push((f, e)),
                }
            }
            let hashed = read;
            if hashed.is_empty() {
                return (folder_id, unreadable, Ok(hashed), None);
            }
            let names: Vec<String> = hashed
                .iter()
                .map(|(f, _)| parent_of(&f.path).1.to_string())
                .collect();
            let tries = std::sync::atomic::AtomicU32::new(0);
            let outcome = with_retries(options, || {
                let first = tries.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0;
                let batch = options.bulk_upload.batch();
                create_documents(il, workspace_id, folder_id, &names, first, batch)
            })
            .await;
            (folder_id, unreadable, Ok(hashed), Some(outcome))
        }))
        .buffer_unordered(options.jobs.ceiling().div_ceil(CREATES_PER_JOBS));
    while let Some((folder_id, unreadable, batch, outcome)) = created.next().await {
        for (f, e) in unreadable {
            report.fail_paths(&options.stop, [f.path], e, 0);
        }
        let batch = match batch {
            Ok(batch) => batch,
            Err(not_started) => {
                report.not_started += not_started.len();
                continue;
            }
        };
        let Some((created, attempts)) = outcome else {
            continue;
        };
        report.retries += attempts.saturating_sub(1);
        match created {
            Ok(docs) => {
                report.documents_created += docs.len();
                let mut by_name: HashMap<String, Document> = docs
                    .into_iter()
                    .map(|d| (d.name.clone().unwrap_or_default(), d))
                    .collect();
                for (f, sha1) in batch {
                    match by_name.remove(parent_of(&f.path).1) {
                        Some(doc) => {
                            // Recorded before the upload: a rerun after a
                            // kill completes this document, never a second.
                            let pending = Record {
                                pending: true,
                                ..record(workspace_id, &f, doc.id, doc.version.clone(), sha1.clone())
                            };
                            if let Err(e) = journal.record(pending) {
                                report.fail(&options.stop, Failure {
                                    path: f.path.clone(),
                                    id: Some(doc.id),
                                    kind: super::FailureKind::of(&e),
                                    error: e.into(),
                                    attempts,
                                });
                                continue;
                            }
                            // The uploads end only once this sender is
                            // dropped: they are there to receive.
                            let _ = uploads.send(Upload {
                                f,
                                sha1,
                                doc,
                                existed: false,
                                folder: folder_id,
                            });
                        }
                        None => report.fail(&options.stop, Failure {
                            path: f.path.clone(),
                            id: None,
                            error: Error::InvalidInput("the service did not say which document it created for this file; run the push again".into()).into(),
                            kind: super::FailureKind::Retryable,
                            attempts,
                        }),
                    }
                }
            }
            Err(e) => {
                report.fail_paths(
                    &options.stop,
                    batch.into_iter().map(|(f, _)| f.path),
                    e,
                    attempts,
                );
            }
        }
    }
    report
}

/// The creates run at most one batch at a time for this many jobs (and at
/// least one): with 100 documents a batch, a few keep the uploads fed.
const CREATES_PER_JOBS: usize = 8;

/// Phase 6 of a push: every upload as its document is ready, `jobs` at a
/// time, each recorded in the journal as it completes; a folder of at
/// least [`VERIFY_ALONE`] uploads is verified by a listing of its own once
/// its last upload ends (`expected`: how many each folder awaits), while
/// the others go on. Answers what was sent and is not verified yet.
#[allow(clippy::too_many_arguments)]
async fn upload_all(
    il: &Intralinks,
    workspace_id: i64,
    target: &Target,
    journal: &std::sync::Arc<Journal>,
    uploads: impl futures_util::Stream<Item = Upload>,
    mut expected: HashMap<i64, usize>,
    options: &SyncOptions,
    report: &mut PushReport,
) -> Vec<Sent> {
    let results = uploads
        .map(|u| async move {
            let Upload {
                f,
                sha1,
                doc,
                existed,
                folder,
            } = u;
            if options.stop.is_stopped() {
                return (f, sha1, doc.id, existed, folder, None);
            }
            let tries = std::sync::atomic::AtomicU32::new(0);
            let (result, attempts) = with_retries(options, || {
                let first = tries.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0;
                upload_once(il, workspace_id, target, &f, &sha1, &doc, options, first)
            })
            .await;
            // Recorded here (a line appended to the journal), and flushed to
            // disk on the blocking pool when a flush is due (every few
            // records): a hop to the pool for each record cost more than the
            // record.
            if let Ok(version) = &result {
                let r = record(workspace_id, &f, doc.id, version.clone(), sha1.clone());
                let recorded = match journal.record_now(r) {
                    Ok(Some(due)) => super::blocking(move || due.flush()).await,
                    Ok(None) => Ok(()),
                    Err(e) => Err(e),
                };
                if let Err(e) = recorded {
                    return (f, sha1, doc.id, existed, folder, Some((Err(e), attempts)));
                }
            }
            (f, sha1, doc.id, existed, folder, Some((result, attempts)))
        })
        .buffer_unordered(super::items_at_once(options.jobs));
    let mut results = std::pin::pin!(results);
    // What was sent into each folder, until its last upload ends.
    let mut sent_into: HashMap<i64, Vec<Sent>> = HashMap::new();
    let mut unverified: Vec<Sent> = Vec::new();
    let mut verifying = futures_util::stream::FuturesUnordered::new();
    let mut changes = super::Changes::new(options.max_changed);
    loop {
        let (f, sha1, id, existed, folder, outcome) = tokio::select! {
            next = results.next() => match next {
                Some(landed) => landed,
                None => break,
            },
            Some((sent, listed)) = verifying.next(), if !verifying.is_empty() => {
                check_folder(sent, listed, &mut unverified, options, report);
                continue;
            }
        };
        match outcome {
            None => {
                options.emit(SyncEvent::Stopped {
                    path: f.path.clone(),
                });
                report.not_started += 1;
            }
            Some((Ok(version), attempts)) => {
                options.emit(SyncEvent::Done {
                    path: f.path.clone(),
                    bytes: f.size,
                });
                changes.push(super::Changed {
                    path: f.path.clone(),
                    id,
                    version,
                    bytes: f.size,
                    kind: if existed {
                        super::ChangeKind::NewVersion
                    } else {
                        super::ChangeKind::Created
                    },
                });
                report.retries += attempts.saturating_sub(1);
                report.uploaded += 1;
                report.new_versions += usize::from(existed);
                report.bytes_uploaded += f.size;
                sent_into
                    .entry(folder)
                    .or_default()
                    .push((f.path, id, sha1));
            }
            Some((Err(e), attempts)) => {
                report.retries += attempts.saturating_sub(1);
                if matches!(e, Error::Stopped { .. }) {
                    options.emit(SyncEvent::Stopped {
                        path: f.path.clone(),
                    });
                    report.not_started += 1;
                } else {
                    options.emit(SyncEvent::Failed {
                        path: f.path.clone(),
                        error: e.to_string(),
                    });
                    report.fail(
                        &options.stop,
                        Failure {
                            path: f.path,
                            id: Some(id),
                            kind: super::FailureKind::of(&e),
                            error: e.into(),
                            attempts,
                        },
                    );
                }
            }
        }
        // The folder's last upload: verified now, on its own when it is
        // large enough, else with the others at the end.
        let left = expected.entry(folder).or_default();
        *left = left.saturating_sub(1);
        if *left == 0 {
            let sent = sent_into.remove(&folder).unwrap_or_default();
            if sent.len() >= VERIFY_ALONE && !options.stop.is_stopped() {
                verifying.push(async move {
                    let listed =
                        super::room::list_folder_documents(il, workspace_id, folder, options).await;
                    (sent, listed)
                });
            } else {
                unverified.extend(sent);
            }
        }
    }
    while let Some((sent, listed)) = verifying.next().await {
        check_folder(sent, listed, &mut unverified, options, report);
    }
    // Folders some of whose files never reached an upload (a failed
    // create, a stop).
    unverified.extend(sent_into.into_values().flatten());
    // Bounded (the first by path), sorted by path.
    (report.changed, report.changed_omitted) = changes.finish();
    unverified
}

/// Checks what was sent into one folder against that folder's listing; when
/// the listing failed, leaves it all to the listing of the room at the end.
fn check_folder(
    sent: Vec<Sent>,
    listed: Result<(Vec<super::room::RoomDoc>, super::room::Strings)>,
    unverified: &mut Vec<Sent>,
    options: &SyncOptions,
    report: &mut PushReport,
) {
    match listed {
        Ok((documents, strings)) => {
            let hashes = hashes_by_id(&documents, &strings);
            // A document the folder's listing does not show (moved
            // meanwhile, say) is looked for in the whole room.
            let (here, elsewhere): (Vec<Sent>, Vec<Sent>) = sent
                .into_iter()
                .partition(|(_, id, _)| hashes.contains_key(id));
            unverified.extend(elsewhere);
            check_sent(&hashes, here, options, report);
        }
        Err(e) => {
            tracing::debug!(
                "a folder's listing to verify its uploads failed ({e}); the room's listing verifies them"
            );
            unverified.extend(sent);
        }
    }
}

/// Each listed document's `fileHashDownload`, by its id.
fn hashes_by_id<'a>(
    documents: &[super::room::RoomDoc],
    strings: &'a super::room::Strings,
) -> HashMap<i64, Option<&'a str>> {
    documents
        .iter()
        .map(|d| (d.id, strings.opt(d.hash)))
        .collect()
}

/// Checks every upload's `fileHashDownload`, as `hashes` (by document id)
/// has it, against the local SHA-1 it was sent with; a mismatch (or none)
/// is a failure to push again.
fn check_sent(
    hashes: &HashMap<i64, Option<&str>>,
    sent: Vec<Sent>,
    options: &SyncOptions,
    report: &mut PushReport,
) {
    for (path, id, sha1) in sent {
        match hashes.get(&id) {
            Some(Some(h)) if *h == sha1 => report.verified += 1,
            other => report.fail(&options.stop, Failure {
                path,
                id: Some(id),
                error: Error::InvalidInput(format!(
                    "after the upload, document {id}'s fileHashDownload is {} but the local SHA-1 is {sha1}; push again",
                    match other {
                        Some(Some(h)) => h.to_string(),
                        _ => "missing".into(),
                    }
                ))
                .into(),
                kind: super::FailureKind::Retryable,
                attempts: 1,
            }),
        }
    }
}

/// The phase after the uploads: what no folder's own listing verified,
/// checked against a listing of the room below the folder pushed into.
async fn verify_sent(
    il: &Intralinks,
    (workspace_id, top): (i64, i64),
    options: &SyncOptions,
    sent: Vec<Sent>,
    report: &mut PushReport,
) -> Result<()> {
    if !sent.is_empty() {
        let room = super::room::list_below(il, workspace_id, top, options).await?;
        check_sent(
            &hashes_by_id(&room.documents, &room.strings),
            sent,
            options,
            report,
        );
    }
    Ok(())
}

/// The last phase: no document push created is left empty — what did not
/// complete is removed while it has no file (a rerun creates it anew), or
/// named in [`PushReport::left_empty`] when it cannot be.
async fn leave_none_empty(
    il: &Intralinks,
    workspace_id: i64,
    journal: &Journal,
    report: &mut PushReport,
) -> Result<()> {
    for r in journal.select(|_, r| r.pending) {
        let target = DocumentRef {
            workspace_id,
            document_id: r.id,
        };
        match il.remove_empty_document(target).await {
            intralinks_ext::transfer::Removal::Removed => {
                report.removed_empty.push(r.path.clone());
                journal.record(Record { gone: true, ..r })?;
            }
            intralinks_ext::transfer::Removal::HasFile => {}
            intralinks_ext::transfer::Removal::Failed => report.left_empty.push(r.path.clone()),
        }
    }
    Ok(())
}

fn record(ws: i64, f: &Found, id: i64, version: Option<String>, sha1: String) -> Record {
    Record {
        ws,
        path: f.path.clone(),
        id,
        version,
        sha1,
        size: f.size,
        mtime: f.mtime,
        gone: false,
        pending: false,
    }
}

/// The local SHA-1, from the journal when size and mtime are as recorded
/// for this very document (and not [`SyncOptions::verify`]), else hashed.
fn local_hash(
    target: &Target,
    journal: &Journal,
    f: &Found,
    remote_id: Option<i64>,
    options: &SyncOptions,
) -> Result<String> {
    if !options.verify
        && let Some(r) = journal.get(&f.path)
        && r.describes(f.size, f.mtime)
        && remote_id == Some(r.id)
    {
        return Ok(r.sha1);
    }
    target.hash(&f.path)
}

/// Creates folders `asked` (name, parent) in one call, or finds those an
/// earlier attempt created; answers each one's id in the order asked
/// (`None`: the answer did not say which it is).
async fn create_folder_batch(
    il: &Intralinks,
    ws: i64,
    asked: &[(&str, i64)],
    first: bool,
) -> Result<Vec<Option<i64>>> {
    let mut ids: Vec<Option<i64>> = vec![None; asked.len()];
    // A create is not idempotent: after a failure, look before creating again.
    if !first {
        let existing = il
            .api()
            .list_folders()
            .workspace_id(ws)
            .send()
            .checked()
            .await?;
        for (slot, (name, parent)) in ids.iter_mut().zip(asked) {
            *slot = existing
                .folder
                .iter()
                .find(|f| f.parent_id == Some(*parent) && f.name.as_deref() == Some(*name))
                .map(|f| f.id);
        }
    }
    let missing: Vec<usize> = (0..asked.len()).filter(|&i| ids[i].is_none()).collect();
    if missing.is_empty() {
        return Ok(ids);
    }
    let answer = il
        .api()
        .create_folder()
        .workspace_id(ws)
        .body(CreateFoldersRequest {
            folders: missing
                .iter()
                .map(|&i| FolderInputItem {
                    folder: FolderInput {
                        name: asked[i].0.to_string(),
                        note: None,
                        parent_id: Some(asked[i].1),
                    },
                })
                .collect(),
        })
        .send()
        .checked()
        .await?;
    let wanted: Vec<(&str, i64)> = missing.iter().map(|&i| asked[i]).collect();
    for (&i, id) in missing
        .iter()
        .zip(match_partials(&wanted, &answer.folder_partial))
    {
        ids[i] = id;
    }
    Ok(ids)
}

/// The id a create answer gives each of `asked` (name, parent): each by its
/// name and parent (an answer without `parentId` matches by name), or by
/// its place when the answer names none and has as many as were asked;
/// each partial answers one folder, since two folders of a level may share
/// a name under different parents.
fn match_partials(
    asked: &[(&str, i64)],
    partials: &[intralinks_ext::api::types::EntityPartial],
) -> Vec<Option<i64>> {
    let by_position = partials.len() == asked.len();
    let mut taken = vec![false; partials.len()];
    asked
        .iter()
        .enumerate()
        .map(|(k, &(name, parent))| {
            let at = (0..partials.len())
                .find(|&j| {
                    let p = &partials[j];
                    !taken[j]
                        && p.name.as_deref() == Some(name)
                        && p.parent_id.is_none_or(|q| q == parent)
                })
                .or_else(|| {
                    (by_position && !taken[k] && partials[k].name.is_none()).then_some(k)
                })?;
            taken[at] = true;
            partials[at].id
        })
        .collect()
}

/// Creates documents `names` in `folder`, or finds those an earlier
/// attempt created; answers each with its id, name and version.
async fn create_documents(
    il: &Intralinks,
    ws: i64,
    folder: i64,
    names: &[String],
    first: bool,
    batch: Option<i64>,
) -> Result<Vec<Document>> {
    // A create is not idempotent: after a failure, look before creating again.
    let existing = if first {
        Vec::new()
    } else {
        il.api()
            .list_documents()
            .workspace_id(ws)
            .folder_id(folder)
            .send()
            .checked()
            .await?
            .document
    };
    let mut found: Vec<Document> = Vec::new();
    let mut missing: Vec<&String> = Vec::new();
    for n in names {
        match existing.iter().find(|d| {
            d.name.as_deref() == Some(n.as_str()) && d.parent_id.or(d.folder_id) == Some(folder)
        }) {
            Some(d) => found.push(d.clone()),
            None => missing.push(n),
        }
    }
    if missing.is_empty() {
        return Ok(found);
    }
    let mut call = il.api().create_documents().workspace_id(ws);
    if let Some(b) = batch {
        call = call.batch_id(b);
    }
    let answer = call
        .body(CreateDocumentsRequest {
            documents: missing
                .iter()
                .map(|n| DocumentInputItem {
                    document: DocumentInput {
                        name: (*n).clone(),
                        parent_id: folder,
                        note: None,
                    },
                })
                .collect(),
        })
        .send()
        .checked()
        .await?;
    for p in answer.document_partial {
        let value = serde_json::json!({
            "id": p.id, "name": p.name, "version": p.version, "parentId": p.parent_id.unwrap_or(folder),
        });
        if let Ok(d) = serde_json::from_value::<Document>(value)
            && p.id.is_some()
        {
            found.push(d);
        }
    }
    Ok(found)
}

/// One attempt at uploading file `f` as the next version of `doc`;
/// answers the document's new version.
#[allow(clippy::too_many_arguments)]
async fn upload_once(
    il: &Intralinks,
    ws: i64,
    target: &Target,
    f: &Found,
    sha1: &str,
    doc: &Document,
    options: &SyncOptions,
    first: bool,
) -> Result<Option<String>> {
    let current = if first {
        doc.clone()
    } else {
        // An earlier attempt may have landed with its answer lost: look first.
        let current = il.document(ws, doc.id).await?;
        if current.file_hash_download.as_deref() == Some(sha1) {
            return Ok(current.version);
        }
        current
    };
    let version = current.version.clone().unwrap_or_default();
    let file = target.open_file(&f.path)?;
    // A small file is read here, at once (no more than its size as walked;
    // the upload checks the length it sends): each read of a file through
    // tokio is a hand-off to the blocking pool, which costs more than the
    // read.
    let file: std::pin::Pin<Box<dyn tokio::io::AsyncRead + Send>> = if f.size <= READ_AT_ONCE {
        let mut bytes = Vec::with_capacity(f.size as usize);
        std::io::Read::read_to_end(&mut std::io::Read::take(file, f.size), &mut bytes).map_err(
            |source| Error::Io {
                action: "cannot read",
                path: target.shown(&f.path),
                source,
            },
        )?;
        Box::pin(std::io::Cursor::new(bytes))
    } else {
        Box::pin(tokio::fs::File::from_std(file))
    };
    options.emit(SyncEvent::Started {
        path: f.path.clone(),
        bytes: f.size,
        resumed_from: 0,
    });
    let progress: Option<intralinks_ext::ProgressFn> = options.progress.clone().map(|hook| {
        let path = f.path.clone();
        let last = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let p: intralinks_ext::ProgressFn =
            std::sync::Arc::new(move |p: intralinks_ext::Progress| {
                let before = last.swap(p.done, std::sync::atomic::Ordering::Relaxed);
                hook.call(&SyncEvent::Moved {
                    path: path.clone(),
                    bytes: p.done.saturating_sub(before),
                });
            });
        p
    });
    // No cap on the whole upload: the pipeline fails it only when its
    // bytes stop moving or crawl, and waits for the answer once all are sent.
    let to = DocumentRef {
        workspace_id: ws,
        document_id: doc.id,
    };
    let name = parent_of(&f.path).1;
    let (limits, timeout) = (options.limits, il.read_timeout());
    let upload = async {
        match options.bulk_upload.batch() {
            Some(b) => {
                il.put_version_in_batch(
                    b, to, &version, name, file, f.size, progress, limits, timeout,
                )
                .await
            }
            None => {
                il.put_version(to, &version, name, file, f.size, progress, limits, timeout)
                    .await
            }
        }
    };
    let uploaded = tokio::select! {
        r = upload => r?,
        _ = options.stop.stopped() => return Err(super::fetch::stopped(doc.id)),
    };
    Ok(uploaded.version.or(current.version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use intralinks_ext::api::types::EntityPartial;

    fn partials(json: serde_json::Value) -> Vec<EntityPartial> {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_create_answer_gives_each_folder_asked_its_own_id() {
        // Two folders named "x" under different parents.
        let asked = [("x", 1), ("x", 2), ("y", 1)];
        // With parents: by name and parent, in any order.
        let answer = partials(serde_json::json!([
            {"id": 12, "name": "x", "parentId": 2},
            {"id": 13, "name": "y", "parentId": 1},
            {"id": 11, "name": "x", "parentId": 1},
        ]));
        assert_eq!(
            match_partials(&asked, &answer),
            [Some(11), Some(12), Some(13)]
        );
        // Names without parents: each partial answers one folder.
        let answer = partials(serde_json::json!([
            {"id": 11, "name": "x"}, {"id": 12, "name": "x"}, {"id": 13, "name": "y"},
        ]));
        assert_eq!(
            match_partials(&asked, &answer),
            [Some(11), Some(12), Some(13)]
        );
        // No names, as many as asked: by place.
        let answer = partials(serde_json::json!([{"id": 21}, {"id": 22}, {"id": 23}]));
        assert_eq!(
            match_partials(&asked, &answer),
            [Some(21), Some(22), Some(23)]
        );
        // No names and one short: none can be told apart.
        let answer = partials(serde_json::json!([{"id": 21}, {"id": 22}]));
        assert_eq!(match_partials(&asked, &answer), [None, None, None]);
        // One named, one not: the named one by name, the rest unknown.
        let answer = partials(serde_json::json!([{"id": 31, "name": "y", "parentId": 1}]));
        assert_eq!(match_partials(&asked, &answer), [None, None, Some(31)]);
    }
}
