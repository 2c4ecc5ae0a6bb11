//! One document body into its partial file, through the crate's transfer
//! pipeline: limits, resume from what an earlier attempt or run left, SHA-1.

use std::sync::Arc;

use intralinks_ext::api::types::Document;

use super::local::{Target, io_err, mtime_of, nanos};
use super::{SyncEvent, SyncOptions, blocking};
use intralinks_ext::Intralinks;
use intralinks_ext::transfer::Part;
use intralinks_ext::{Error, Result};

/// What a fetched file is, once in place.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub size: u64,
    /// Bytes taken over from an earlier attempt or run.
    pub resumed_from: u64,
    /// What recording it said (in the same hop to the blocking pool as
    /// the rename): a file in place whose record failed is no reason to
    /// fetch it again, so this is not the attempt's result.
    pub recorded: Result<()>,
}

/// Records a fetched file (its SHA-1, size and mtime) once it is in place.
pub(crate) type Recorder = Arc<dyn Fn(String, u64, i128) -> Result<()> + Send + Sync>;

/// A partial file opened already (with the bytes in it), by the hop that
/// looked at the document's path, for the first attempt to use.
pub(crate) type Opened = std::sync::Mutex<Option<(std::fs::File, u64)>>;

/// The partial file's name for this version of `doc`: a part of any other
/// version is never resumed (and is removed at the start of a run).
pub(crate) fn part_name(doc: &Document) -> String {
    format!(
        "{}-{}.part",
        doc.id,
        intralinks_ext::transfer::part_key(doc)
    )
}

/// One attempt at fetching `doc` into its partial file, then into `rel`.
/// Asks only for the bytes the partial file lacks; stops reading at the
/// declared size, on a stall, below the minimum rate, or on a stop request
/// (the partial file is kept for the next attempt or run); checks size and
/// SHA-1 before placing; then `record`s it. The file work runs in two hops
/// to the blocking pool (one when `opened` holds the partial file already):
/// each hop costs more than a small file's work.
pub(crate) async fn fetch_once(
    il: &Intralinks,
    workspace_id: i64,
    (doc, rel): (&Document, &str),
    target: &Arc<Target>,
    options: &SyncOptions,
    (opened, record): (&Opened, &Recorder),
) -> Result<Fetched> {
    let result = fetch_inner(
        il,
        workspace_id,
        (doc, rel),
        target,
        options,
        (opened, record),
    )
    .await;
    if result.is_err() {
        // An attempt that got no byte leaves no empty file behind.
        target.drop_part_if_empty(&part_name(doc));
    }
    result
}

async fn fetch_inner(
    il: &Intralinks,
    workspace_id: i64,
    (doc, rel): (&Document, &str),
    target: &Arc<Target>,
    options: &SyncOptions,
    (opened, record): (&Opened, &Recorder),
) -> Result<Fetched> {
    let part = part_name(doc);
    let taken = opened.lock().unwrap_or_else(|e| e.into_inner()).take();
    let (file, existing) = match taken {
        Some(opened) => opened,
        None => {
            blocking({
                let (target, part) = (Arc::clone(target), part.clone());
                move || target.open_part(&part)
            })
            .await?
        }
    };
    let shown = target.part_shown(&part);
    let remove = {
        let (target, part) = (Arc::clone(target), part.clone());
        move || target.drop_part(&part)
    };
    let on_open = opener(options, rel);
    let destination = target.shown(rel);
    let filled = il.fill_part(
        workspace_id,
        doc,
        Part {
            file,
            existing,
            shown: &shown,
            remove: &remove,
        },
        &destination,
        (options.limits, options.limits.stall_timeout),
        on_open,
    );
    let filled = tokio::select! {
        r = filled => r?,
        _ = options.stop.stopped() => return Err(stopped(doc.id)),
    };
    let Some(file) = filled.file else {
        return Err(Error::InvalidInput(
            "the partial file was lost on the way; run again".into(),
        ));
    };
    let when = mtime_of(doc.last_modified_on.or(doc.created_on));
    // On the blocking pool, in one go: the mtime, the data on disk (on
    // Linux at the journal's next group commit instead, see
    // `journal::flush_filesystem`), the rename into place, then the record.
    let recorded = blocking({
        let (target, rel, record) = (Arc::clone(target), rel.to_string(), Arc::clone(record));
        let (sha1, size) = (filled.sha1_base64, filled.total);
        move || {
            settle(file, (&target, &part, &rel), when, |mtime| {
                record(sha1, size, mtime)
            })
        }
    })
    .await?;
    Ok(Fetched {
        size: filled.total,
        resumed_from: filled.start,
        recorded,
    })
}

/// The last of a fetched file's work, on the blocking pool: its mtime
/// (`when`), its data on disk where files are flushed one by one (see
/// `journal::flush_filesystem`), the rename of its partial file `part` into
/// place at `rel`, then `record` with the mtime the file ended with. A
/// failure before the rename removes the part. Answers what recording said.
fn settle(
    file: std::fs::File,
    (target, part, rel): (&Target, &str, &str),
    when: Option<std::time::SystemTime>,
    record: impl FnOnce(i128) -> Result<()>,
) -> Result<Result<()>> {
    let synced = (|| -> std::io::Result<i128> {
        if let Some(t) = when {
            file.set_modified(t)?;
        }
        #[cfg(not(target_os = "linux"))]
        file.sync_data()?;
        Ok(nanos(file.metadata()?.modified()?))
    })();
    let mtime = match synced {
        Ok(m) => m,
        Err(e) => {
            target.drop_part(part);
            return Err(io_err("cannot write", target.shown(rel))(e));
        }
    };
    drop(file);
    target.place(part, rel)?;
    Ok(record(mtime))
}

/// What a transfer tells when its body opens: `Started`, then `Moved` as
/// bytes arrive (through the progress hook it answers).
fn opener<'a>(
    options: &'a SyncOptions,
    rel: &str,
) -> impl FnOnce(u64, u64) -> Option<intralinks_ext::ProgressFn> + 'a {
    let path = rel.to_string();
    move |start: u64, len: u64| {
        options.emit(SyncEvent::Started {
            path: path.clone(),
            bytes: start + len,
            resumed_from: start,
        });
        let last = Arc::new(std::sync::atomic::AtomicU64::new(start));
        options.progress.clone().map(|hook| {
            let f: intralinks_ext::ProgressFn = Arc::new(move |p: intralinks_ext::Progress| {
                let before = last.swap(p.done, std::sync::atomic::Ordering::Relaxed);
                hook.call(&SyncEvent::Moved {
                    path: path.clone(),
                    bytes: p.done.saturating_sub(before),
                });
            });
            f
        })
    }
}

/// One attempt at fetching a new small `doc` (at most
/// [`intralinks_ext::transfer::SMALL_DOWNLOAD`] bytes declared) into
/// `rel`, where nothing was when the run began: its body in memory, checked (size, SHA-1) on the way, then in one hop to
/// the blocking pool its partial file written, its mtime set, renamed
/// into place and recorded — one hop where a document whose partial file
/// is opened first takes two. Nothing is resumed: what an earlier attempt
/// left in the partial file is written over.
pub(crate) async fn fetch_small(
    il: &Intralinks,
    workspace_id: i64,
    (doc, rel): (&Document, &str),
    target: &Arc<Target>,
    options: &SyncOptions,
    record: &Recorder,
) -> Result<Fetched> {
    let fetched = il.download_small(
        workspace_id,
        doc,
        (options.limits, options.limits.stall_timeout),
        opener(options, rel),
    );
    let (bytes, written) = tokio::select! {
        r = fetched => match r {
            // Nothing was written: say where it would have gone.
            Err(Error::HashMismatch { document_id, expected, actual, destination: None }) => {
                return Err(Error::HashMismatch {
                    document_id,
                    expected,
                    actual,
                    destination: Some(target.shown(rel)),
                });
            }
            r => r?,
        },
        _ = options.stop.stopped() => return Err(stopped(doc.id)),
    };
    let when = mtime_of(doc.last_modified_on.or(doc.created_on));
    let (part, rel) = (part_name(doc), rel.to_string());
    let (target, record) = (Arc::clone(target), Arc::clone(record));
    let size = written.bytes;
    let recorded = blocking(move || {
        let (mut file, existing) = target.open_part(&part)?;
        let wrote = (|| -> std::io::Result<()> {
            use std::io::Write;
            if existing > 0 {
                file.set_len(0)?;
            }
            file.write_all(&bytes)
        })();
        if let Err(e) = wrote {
            target.drop_part(&part);
            return Err(io_err("cannot write", target.shown(&rel))(e));
        }
        settle(file, (&target, &part, &rel), when, |mtime| {
            record(written.sha1_base64, size, mtime)
        })
    })
    .await?;
    Ok(Fetched {
        size,
        resumed_from: 0,
        recorded,
    })
}

pub(crate) fn stopped(document_id: i64) -> Error {
    Error::Stopped {
        document_id: Some(document_id),
    }
}
