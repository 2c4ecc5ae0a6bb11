//! One sync engine for a data room and a local directory: [`mirror`]
//! (room → directory), [`push`] (directory → room) and [`diff`] (compare).
//!
//! What it promises, whatever the server sends or what is already on disk:
//!
//! - **Confinement.** Every write goes through a capability handle on the
//!   target directory (`cap-std`), one path component at a time; a
//!   component that is a symbolic link is refused, so nothing lands outside
//!   the target. Names come from one rule ([`local_component`]): safe, NFC, tool-active names
//!   renamed visibly, collisions resolved after case folding.
//! - **Resume.** Each completed item is appended to a journal in
//!   [`STATE_DIR`] as it completes, so a rerun after a kill, a full
//!   disk or a power cut transfers only what is missing or changed; a
//!   partial download is kept there and the next attempt or run asks only
//!   for the rest (`Range` with `If-Range`, the part named after the
//!   document's version), while partial files of other versions are
//!   removed; a file already on disk whose SHA-1 equals the remote hash is
//!   adopted, not fetched again.
//! - **Progress.** [`SyncOptions::progress`] hears every step ([`SyncEvent`]).
//! - **Retries.** Each item's transient failures (5xx and 429 with
//!   `Retry-After`, connection errors, bodies dropped or cut short) are
//!   retried with bounded, jittered backoff; a run ends with every failure
//!   in its report.
//! - **Limits.** Reading stops as soon as a body exceeds its declared size;
//!   a transfer that stalls, or stays below a minimum rate, is aborted.
//! - **Ordinary files.** Permissions come from the umask; mtime from the
//!   document's `lastModifiedOn`. A local file the engine did not write (or
//!   that changed since) is never overwritten unless [`SyncOptions::force`].

#![deny(missing_docs)]

mod decide;
mod diff;
mod fetch;
mod journal;
mod local;
mod march;
mod mirror;
pub(crate) mod names;
mod plan;
mod push;
mod room;

use std::sync::Arc;
use std::time::Duration;

use intralinks_ext::api::RetryPolicy;
use serde::Serialize;

pub use diff::{DiffEntry, DiffKind, DiffReport, diff};
pub use mirror::{MirrorReport, mirror};
pub use names::{LocalName, Notice, STATE_DIR, document_file_name, fold_key, local_component};
pub use push::{PushReport, push};
pub(crate) use room::list_room;
pub use room::{LISTING_BYTES_PER_ITEM, LISTING_MAX_ITEMS, LISTING_MAX_STRING_BYTES};

pub use intralinks_ext::StopSignal;
pub use intralinks_ext::concurrency::Jobs;
use intralinks_ext::{Error, FixedAnswers, TransferLimits};

/// How a sync run behaves. `Default` gives sensible values for a person at
/// a terminal; services tune them.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Requests at once: [`Jobs::Auto`] (the default, at most
    /// [`Jobs::DEFAULT_MAX`]) finds what the service allows — more while
    /// answers come as fast, less on 429 or rising latency, every request
    /// paused on a `Retry-After` ([`intralinks_ext::concurrency`]);
    /// [`Jobs::Fixed`] sends that many, fewer only while throttled. Items
    /// under way are at most [`Jobs::ceiling`], which bounds the memory of
    /// the transfers; the room's model takes a few hundred bytes a document.
    /// The run ends with [`SyncEvent::Settled`] (and an info log) saying
    /// what it settled on.
    pub jobs: Jobs,
    /// Only this folder's subtree (the room's root when `None`).
    pub folder: Option<i64>,
    /// Mirror: remove local files the engine wrote whose documents left the room.
    pub delete: bool,
    /// Overwrite local files the engine did not write (or that changed since).
    pub force: bool,
    /// Plan only: list what would be written or deleted
    /// ([`MirrorReport::planned`], [`PushReport::planned`]) and change nothing:
    /// a mirror writes nothing in or under its directory, a push sends no
    /// request that changes the room (it lists the room and hashes the files).
    pub dry_run: bool,
    /// Re-hash local files instead of trusting recorded size and mtime.
    pub verify: bool,
    /// Retries of each item's transient failures (a stall is retried once,
    /// a hash mismatch twice).
    pub retry: RetryPolicy,
    /// Each transfer's limits, the ones `Intralinks::download` and
    /// `upload` are held to: abort when no answer or byte arrives for the
    /// stall timeout, or when the rate stays under the minimum (curl's
    /// `--speed-limit`; 0 turns it off) for the rate window (`--speed-time`).
    pub limits: TransferLimits,
    /// Stops the run promptly when raised; what finished is kept.
    pub stop: StopSignal,
    /// How to enter the workspace when it must be entered first (a splash
    /// to accept, a security question, a one-time password, a content
    /// declaration; [`intralinks_ext::Intralinks::enter`]): with `Some`, a
    /// room that answers "enter first" is entered with these answers, once,
    /// and the run goes on; with `None` (the default) the run fails with
    /// [`Error::EntryRequired`], and the caller enters the workspace itself
    /// (`Intralinks::enter`, or entry one step at a time across requests:
    /// `Intralinks::start_entry`). Rooms without those features need no entry.
    pub entry: Option<FixedAnswers>,
    /// Told of each step as the run goes ([`SyncEvent`]); none by default.
    pub progress: Option<SyncHook>,
    /// Push: whether the run's new documents and new versions go up as one
    /// bulk upload (a posting, `intralinks_ext::postings`); no by default.
    /// Mirror ignores it.
    pub bulk_upload: BulkUpload,
    /// The most entries a run's report keeps in `changed`
    /// ([`MirrorReport::changed`], [`PushReport::changed`]):
    /// [`SyncOptions::DEFAULT_MAX_CHANGED`] by default. Those kept are the
    /// first by path; the others are counted (`changed_omitted`), not
    /// listed, so that the report of a first mirror of a million documents
    /// stays small. Each item is still told one by one through
    /// [`SyncOptions::progress`] ([`SyncEvent::Done`], [`SyncEvent::Skipped`]).
    pub max_changed: usize,
}

/// Whether a [`push`] posts what it sends as a bulk upload (a posting),
/// which a deal team then follows (`Intralinks::posting_access_report`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum BulkUpload {
    /// No: documents are created and versions put as such (the default).
    #[default]
    No,
    /// Open one bulk upload for the run's new documents and new versions
    /// once the run knows how many there are (none when there is nothing to
    /// send); [`PushReport::posting`] gives its id.
    Open,
    /// Into this bulk upload, opened already (`Intralinks::open_bulk_upload`).
    Into(i64),
}

impl BulkUpload {
    /// The open bulk upload's id, for [`BulkUpload::Into`].
    pub fn batch(self) -> Option<i64> {
        match self {
            BulkUpload::Into(id) => Some(id),
            _ => None,
        }
    }
}

/// What a running [`mirror`] or [`push`] reports, in order for each item:
/// [`SyncEvent::Planned`] once (the totals), then per item `Started`,
/// `Moved` (as bytes move) and `Done` or `Failed` — or `Skipped` for an
/// item with nothing to transfer, `Stopped` for one the run did not finish
/// because it was stopped (never `Failed`). Paths are relative to the
/// target, as the room or the disk spells them: escape them before showing
/// them. Events serialise as JSON objects tagged by `event` (`"done"`, ...)
/// with camelCase fields, ready for server-sent events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum SyncEvent {
    /// The work ahead, known before any transfer starts.
    Planned {
        /// Items (documents or files) the run considers.
        items: usize,
        /// Their bytes in all.
        bytes: u64,
    },
    /// An item's transfer starts (again, after a retry).
    Started {
        /// The item's path.
        path: String,
        /// Its size.
        bytes: u64,
        /// Bytes an earlier attempt or run left, not moved again.
        resumed_from: u64,
    },
    /// Bytes moved for an item since its last event.
    Moved {
        /// The item's path.
        path: String,
        /// Bytes moved since the last `Moved` (or `Started`) of this item.
        bytes: u64,
    },
    /// An item is complete.
    Done {
        /// The item's path.
        path: String,
        /// Its size.
        bytes: u64,
    },
    /// An item needed no transfer (up to date, adopted, unchanged).
    Skipped {
        /// The item's path.
        path: String,
        /// Its size.
        bytes: u64,
    },
    /// An item failed for this run.
    Failed {
        /// The item's path.
        path: String,
        /// What went wrong.
        error: String,
    },
    /// An item the run did not start or finish because it was stopped (by
    /// the caller's [`StopSignal`], or by a failure that ended the run);
    /// what arrived of it is kept for the next run.
    Stopped {
        /// The item's path.
        path: String,
    },
    /// Another run writes into the same target (a second `push` of the
    /// same directory on this host): this one waits for it to end, then
    /// goes on and finds its work done.
    Waiting {
        /// Whom the run waits for.
        reason: String,
    },
    /// The run is over: how many requests it sent at once and how fast,
    /// as [`SyncOptions::jobs`] settled (told once, last).
    Settled {
        /// What was asked for: `auto`, `auto:MAX` or a number.
        jobs: String,
        /// Requests at once at the end.
        limit: usize,
        /// The most that were in flight at once.
        peak: usize,
        /// Requests per second the run held itself to at the end (rounded),
        /// when the service throttled it.
        rate: Option<u64>,
        /// Requests sent.
        requests: u64,
        /// Answers 429.
        throttled: u64,
        /// Milliseconds every request waited on `Retry-After`, in all.
        paused_ms: u64,
    },
}

/// A subscriber to [`SyncEvent`]s: called on the engine's tasks, so keep it
/// quick (update counters, or send into a channel).
#[derive(Clone)]
pub struct SyncHook(Arc<dyn Fn(&SyncEvent) + Send + Sync>);

impl SyncHook {
    /// Calls `f` with every event.
    pub fn new(f: impl Fn(&SyncEvent) + Send + Sync + 'static) -> Self {
        SyncHook(Arc::new(f))
    }

    /// Sends every event into `tx`, dropping events while it is full (a
    /// slow reader loses `Moved` figures, never stalls the transfers).
    pub fn channel(tx: tokio::sync::mpsc::Sender<SyncEvent>) -> Self {
        SyncHook::new(move |e| {
            let _ = tx.try_send(e.clone());
        })
    }

    /// A hook that keeps a [`Snapshot`] of the run's progress, and a
    /// receiver of it: any number of subscribers clone the receiver and
    /// read (`borrow`) or wait for (`changed`) the figures — a status line,
    /// a web page polling, server-sent events — without keeping counters
    /// of their own.
    ///
    /// ```
    /// use intralinks_sync::{SyncHook, SyncOptions};
    ///
    /// let (hook, progress) = SyncHook::snapshots();
    /// let options = SyncOptions { progress: Some(hook), ..SyncOptions::default() };
    /// // ... sync::mirror(&il, ws, &dir, &options) in a task; meanwhile:
    /// let now = progress.borrow().clone();
    /// println!("{} of {} files", now.items_done, now.items_total);
    /// # assert_eq!(now.items_total, 0);
    /// # let _ = options;
    /// ```
    pub fn snapshots() -> (SyncHook, tokio::sync::watch::Receiver<Snapshot>) {
        let (tx, rx) = tokio::sync::watch::channel(Snapshot::default());
        let hook = SyncHook::new(move |e| tx.send_modify(|s| s.apply(e)));
        (hook, rx)
    }

    /// A hook that tells `self`, then `other`, of every event: a snapshot
    /// for a status page and a per-document stream, from one run.
    pub fn and(self, other: SyncHook) -> SyncHook {
        SyncHook::new(move |e| {
            self.call(e);
            other.call(e);
        })
    }

    pub(crate) fn call(&self, e: &SyncEvent) {
        (self.0)(e)
    }
}

/// A run's progress so far, as [`SyncHook::snapshots`] keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Snapshot {
    /// Items the run considers.
    pub items_total: usize,
    /// Their bytes.
    pub bytes_total: u64,
    /// Items done (transferred, or with nothing to transfer).
    pub items_done: usize,
    /// Bytes done: moved, resumed from an earlier run, or already in place.
    pub bytes_done: u64,
    /// Items that failed.
    pub failed: usize,
    /// Items the run stopped before they were done.
    pub stopped: usize,
    /// Whether the run waits for another that writes the same target.
    pub waiting: bool,
}

impl Snapshot {
    fn apply(&mut self, e: &SyncEvent) {
        match e {
            SyncEvent::Planned { items, bytes } => {
                self.items_total = *items;
                self.bytes_total = *bytes;
                self.waiting = false;
            }
            SyncEvent::Started { resumed_from, .. } => self.bytes_done += resumed_from,
            SyncEvent::Moved { bytes, .. } => self.bytes_done += bytes,
            SyncEvent::Done { .. } => self.items_done += 1,
            SyncEvent::Skipped { bytes, .. } => {
                self.items_done += 1;
                self.bytes_done += bytes;
            }
            SyncEvent::Failed { .. } => self.failed += 1,
            SyncEvent::Stopped { .. } => self.stopped += 1,
            SyncEvent::Waiting { .. } => self.waiting = true,
            SyncEvent::Settled { .. } => {}
        }
    }
}

impl std::fmt::Debug for SyncHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncHook")
    }
}

impl SyncOptions {
    /// The default of [`SyncOptions::max_changed`]: 10,000 entries, about
    /// 2 MiB of report.
    pub const DEFAULT_MAX_CHANGED: usize = 10_000;

    /// Tells the subscriber, when there is one.
    pub(crate) fn emit(&self, e: SyncEvent) {
        if let Some(h) = &self.progress {
            h.call(&e);
        }
    }
}

/// A run's requests held to one [`intralinks_ext::Limiter`]: the handle
/// to send them through, and a guard that tells [`SyncEvent::Settled`]
/// when the run ends, however it ends (the limiter logs it too).
pub(crate) struct Paced {
    limiter: Arc<intralinks_ext::Limiter>,
    progress: Option<SyncHook>,
}

impl Paced {
    /// `il` held to a new limiter for `options.jobs`.
    pub(crate) fn new(
        il: &intralinks_ext::Intralinks,
        options: &SyncOptions,
    ) -> (intralinks_ext::Intralinks, Paced) {
        let limiter = intralinks_ext::Limiter::new(options.jobs, options.retry.max_delay);
        let il = il.with_limiter(&limiter);
        (
            il,
            Paced {
                limiter,
                progress: options.progress.clone(),
            },
        )
    }
}

impl Drop for Paced {
    fn drop(&mut self) {
        let s = self.limiter.settled();
        if let Some(h) = &self.progress {
            h.call(&SyncEvent::Settled {
                jobs: s.jobs.to_string(),
                limit: s.limit,
                peak: s.peak,
                rate: s.rate.map(|r| r.round() as u64),
                requests: s.requests,
                throttled: s.throttled,
                paused_ms: s.paused.as_millis() as u64,
            });
        }
    }
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            dry_run: false,
            jobs: Jobs::default(),
            folder: None,
            delete: false,
            force: false,
            verify: false,
            retry: RetryPolicy {
                max_attempts: 8,
                base_delay: Duration::from_millis(100),
                max_delay: Duration::from_secs(10),
            },
            limits: TransferLimits::default(),
            stop: StopSignal::default(),
            entry: None,
            progress: None,
            bulk_upload: BulkUpload::No,
            max_changed: SyncOptions::DEFAULT_MAX_CHANGED,
        }
    }
}

/// One document a run changed — on disk (mirror) or in the room (push):
/// what the run did, to which document, as its report lists them
/// (documents already up to date are not listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Changed {
    /// The path, relative to the target.
    pub path: String,
    /// The document.
    pub id: i64,
    /// Its version, as listed.
    pub version: Option<String>,
    /// Its size.
    pub bytes: u64,
    /// What the run did.
    pub kind: ChangeKind,
}

/// A run's [`Changed`] entries as they come, bounded: the first `max` by
/// path (then id) are kept, the rest counted, whatever the order they
/// arrive in.
pub(crate) struct Changes {
    max: usize,
    /// The kept entries, the last by path on top.
    kept: std::collections::BinaryHeap<ByPath>,
    omitted: usize,
}

/// A [`Changed`] ordered by path, then id.
struct ByPath(Changed);

impl PartialEq for ByPath {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for ByPath {}

impl PartialOrd for ByPath {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ByPath {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0.path.as_str(), self.0.id).cmp(&(other.0.path.as_str(), other.0.id))
    }
}

impl Changes {
    /// None yet, at most `max` kept ([`SyncOptions::max_changed`]).
    pub(crate) fn new(max: usize) -> Changes {
        Changes {
            max,
            kept: std::collections::BinaryHeap::new(),
            omitted: 0,
        }
    }

    /// Notes one entry: kept if it is among the first `max` by path so far
    /// (the last kept is then counted out instead), counted otherwise.
    pub(crate) fn push(&mut self, c: Changed) {
        if self.kept.len() < self.max {
            self.kept.push(ByPath(c));
            return;
        }
        self.omitted += 1;
        let c = ByPath(c);
        if let Some(mut last) = self.kept.peek_mut()
            && c < *last
        {
            *last = c;
        }
    }

    /// The kept entries sorted by path (then id), and how many were left out.
    pub(crate) fn finish(self) -> (Vec<Changed>, usize) {
        let kept = self.kept.into_sorted_vec();
        (kept.into_iter().map(|c| c.0).collect(), self.omitted)
    }
}

/// What a run did to one document's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ChangeKind {
    /// Downloaded where there was no file.
    Fetched,
    /// Downloaded over an older file the mirror wrote (or one `force` allowed).
    Replaced,
    /// A file with the right bytes was already there: recorded, not downloaded.
    Adopted,
    /// Removed: its document left the room (`delete`).
    Deleted,
    /// Push: a document created for a new file, and its file uploaded.
    Created,
    /// Push: a new version of a document uploaded for a changed file.
    NewVersion,
}

/// One item that did not complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Failure {
    /// Its path, relative to the target.
    pub path: String,
    /// The document id, when there is one.
    pub id: Option<i64>,
    /// What went wrong, and what to do: the typed error, which shows as
    /// its message (and reads as that text, `&str`).
    pub error: ItemError,
    /// Attempts made.
    pub attempts: u32,
    /// What kind of failure: whether running again may help.
    pub kind: FailureKind,
}

/// The error of one item that did not complete: the typed [`Error`]
/// (shared, so that a report can be cloned) with its message. It shows,
/// serializes, compares and reads (`Deref` to `str`) as the message.
#[derive(Debug, Clone)]
pub struct ItemError {
    error: Arc<Error>,
    message: Box<str>,
}

impl ItemError {
    /// The typed error.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The message: what went wrong, and what to do.
    pub fn as_str(&self) -> &str {
        &self.message
    }

    /// A shared handle on the typed error, to keep beyond the report.
    pub fn shared(&self) -> Arc<Error> {
        Arc::clone(&self.error)
    }
}

impl From<Error> for ItemError {
    fn from(error: Error) -> Self {
        let message = error.to_string().into_boxed_str();
        ItemError {
            error: Arc::new(error),
            message,
        }
    }
}

impl std::fmt::Display for ItemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::ops::Deref for ItemError {
    type Target = str;
    fn deref(&self) -> &str {
        &self.message
    }
}

impl PartialEq for ItemError {
    fn eq(&self, other: &Self) -> bool {
        self.message == other.message
    }
}

impl Eq for ItemError {}

impl Serialize for ItemError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.message)
    }
}

/// One write a dry run would make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Planned {
    /// What would be done.
    pub action: PlannedAction,
    /// The path, relative to the target (mirror) or the pushed directory (push).
    pub path: String,
    /// The document, when there is one already.
    pub id: Option<i64>,
}

/// What a dry run would do to one item. Serialises as the words a person
/// reads: `"fetch"`, `"replace"`, `"delete"`, `"create folder"`,
/// `"create document"`, `"new version"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[non_exhaustive]
pub enum PlannedAction {
    /// Mirror: download a document where there is no file.
    #[serde(rename = "fetch")]
    Fetch,
    /// Mirror: download over a file the mirror wrote (or one `force` allows).
    #[serde(rename = "replace")]
    Replace,
    /// Mirror: remove a file whose document left the room (`delete`).
    #[serde(rename = "delete")]
    Delete,
    /// Push: create a folder.
    #[serde(rename = "create folder")]
    CreateFolder,
    /// Push: create a document and upload its file.
    #[serde(rename = "create document")]
    CreateDocument,
    /// Push: upload a new version of a document.
    #[serde(rename = "new version")]
    NewVersion,
}

impl PlannedAction {
    /// The words a person reads (as it serialises).
    pub fn as_str(self) -> &'static str {
        match self {
            PlannedAction::Fetch => "fetch",
            PlannedAction::Replace => "replace",
            PlannedAction::Delete => "delete",
            PlannedAction::CreateFolder => "create folder",
            PlannedAction::CreateDocument => "create document",
            PlannedAction::NewVersion => "new version",
        }
    }
}

/// What kind of failure an item had, so that a caller can tell what helps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum FailureKind {
    /// Transient (network, service busy, body cut short): running again may help.
    Retryable,
    /// A local file the sync did not write (or that changed since) is in the
    /// way: it is left alone unless overwriting is allowed.
    LocalFileInTheWay,
    /// The run was stopped on request before the item finished.
    Stopped,
    /// No further item could succeed (a refused token, a full disk): the
    /// run ended here ([`Error::verdict`] is `StopRun`).
    Fatal,
    /// Anything else: running again as it is will not help.
    #[default]
    Other,
}

impl FailureKind {
    /// The kind of `e`.
    pub fn of(e: &Error) -> Self {
        match e {
            Error::LocalFileInTheWay { .. } => FailureKind::LocalFileInTheWay,
            Error::Stopped { .. } => FailureKind::Stopped,
            e if e.ends_the_run() => FailureKind::Fatal,
            e if e.is_transient() => FailureKind::Retryable,
            _ => FailureKind::Other,
        }
    }
}

/// Counts one item's failure into a run's report: a stop is an item not
/// started; the first failure that ends the run ([`FailureKind::Fatal`])
/// raises `halt` and becomes the run's `fatal`, and any other item that
/// fails the same way meanwhile is not started either, so that a refused
/// token is one line, not one per item.
pub(crate) fn tally_failure(
    f: Failure,
    failures: &mut Vec<Failure>,
    fatal: &mut Option<Failure>,
    not_started: &mut usize,
    halt: &StopSignal,
) {
    match f.kind {
        FailureKind::Stopped => *not_started += 1,
        FailureKind::Fatal if fatal.is_none() => {
            halt.stop();
            *fatal = Some(f);
        }
        FailureKind::Fatal => *not_started += 1,
        _ => failures.push(f),
    }
}

/// How many items a run works on at once: more than it sends requests
/// for at once ([`Jobs::ceiling`]), so that while some items are on the
/// disk (a file written and renamed, one read before its upload) others
/// wait at the run's limiter and every slot it allows is kept busy.
pub(crate) fn items_at_once(jobs: Jobs) -> usize {
    let ceiling = jobs.ceiling();
    ceiling + ceiling.div_ceil(HEADROOM_DIV)
}

/// [`items_at_once`] is the ceiling and one part in this many more.
const HEADROOM_DIV: usize = 2;

/// Runs `f` (file work) on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> intralinks_ext::Result<T> + Send + 'static,
) -> intralinks_ext::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(Error::InvalidInput(format!("a file task failed: {e}"))))
}

/// Attempts that may end in a stall before an item is given up.
const MAX_STALLS: u32 = 2;

/// Attempts that may end in a hash mismatch before an item is given up.
const MAX_MISMATCHES: u32 = 3;

/// Runs `call` through the one retry loop ([`intralinks_ext::retry::retrying`]):
/// what [`Error::verdict`] says may be retried, a stall at most
/// [`MAX_STALLS`] times and a wrong hash [`MAX_MISMATCHES`] times (each
/// costs a whole timeout or body), stopped by [`SyncOptions::stop`].
/// Returns the result and the attempts made.
pub(crate) async fn with_retries<T, F, Fut>(
    options: &SyncOptions,
    call: F,
) -> (intralinks_ext::Result<T>, u32)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let (mut stalls, mut mismatches) = (0, 0);
    let again = |e: &Error| {
        match e {
            Error::Stalled { .. } => stalls += 1,
            Error::HashMismatch { .. } => mismatches += 1,
            _ => {}
        }
        stalls < MAX_STALLS && mismatches < MAX_MISMATCHES
    };
    intralinks_ext::retry::retrying(&options.retry, Some(&options.stop), again, call).await
}
