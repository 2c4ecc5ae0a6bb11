//! The one transfer pipeline: every download and upload of a document body
//! goes through here, so a limit or a fix made once holds everywhere.
//!
//! - **Limits that follow bytes.** A transfer fails only when no byte moved
//!   for [`TransferLimits::stall_timeout`], or fewer than
//!   [`TransferLimits::min_rate`] bytes per second moved over
//!   [`TransferLimits::rate_window`] — measured on the request body while
//!   uploading ([`Meter`], checked by [`watch_upload`]) and on the answer
//!   while downloading ([`Pump`]). There is no cap on a whole transfer, and
//!   the wait for an upload's answer starts only when its body is sent.
//! - **Hashing and writing off the async threads.** A body's chunks go
//!   through a bounded channel to a blocking worker that hashes them; a
//!   large file's chunks go on to a second worker that writes them in
//!   batches (vectored, no copy) and asks the kernel to start writing them
//!   back as it goes, so that hashing, writing and the flush before the
//!   rename overlap with the network. The network side never waits on
//!   SHA-1 or the page cache unless a worker falls a whole channel behind.
//!   A new file of at most 64 KiB is the exception: gathered, hashed and
//!   written on the spot, since a thread hand-off costs more than that work.
//! - **Resume.** A file sink can start with bytes already on disk: the worker
//!   hashes those first, so the final SHA-1 covers the whole file.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha1::{Digest, Sha1};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::error::{Error, Result};

/// What every transfer is held to; set with [`crate::Builder::transfer_limits`].
///
/// The defaults (20 s, 1024 bytes/s over 60 s) are those of the command line.
/// Start from them and change what you need, so a limit added later keeps
/// its default:
///
/// ```
/// use std::time::Duration;
/// use intralinks_ext::TransferLimits;
///
/// let limits = TransferLimits::default()
///     .with_stall_timeout(Duration::from_secs(5))
///     .with_min_rate(0);
/// assert_eq!(limits.rate_window, Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferLimits {
    /// Abort when no byte moved (either way) for this long.
    pub stall_timeout: Duration,
    /// Abort when fewer than this many bytes per second moved over
    /// [`TransferLimits::rate_window`] (curl's `--speed-limit`); 0 turns it off.
    pub min_rate: u64,
    /// The window of the minimum-rate check (curl's `--speed-time`).
    pub rate_window: Duration,
}

impl TransferLimits {
    /// The same, aborting when no byte moved for `timeout`.
    pub fn with_stall_timeout(mut self, timeout: Duration) -> Self {
        self.stall_timeout = timeout;
        self
    }

    /// The same, aborting under `bytes_per_sec` over the rate window; 0
    /// turns the minimum-rate check off.
    pub fn with_min_rate(mut self, bytes_per_sec: u64) -> Self {
        self.min_rate = bytes_per_sec;
        self
    }

    /// The same, with the minimum rate measured over `window`.
    pub fn with_rate_window(mut self, window: Duration) -> Self {
        self.rate_window = window;
        self
    }
}

impl Default for TransferLimits {
    fn default() -> Self {
        TransferLimits {
            stall_timeout: Duration::from_secs(20),
            min_rate: 1024,
            rate_window: Duration::from_secs(60),
        }
    }
}

/// How far a transfer got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Bytes moved so far.
    pub done: u64,
    /// Bytes in all, when known.
    pub total: Option<u64>,
}

/// A progress callback, shared with the transfer's stream.
pub type ProgressFn = std::sync::Arc<dyn Fn(Progress) + Send + Sync>;

/// Chunks in flight between the network and the hashing/writing worker.
const CHANNEL: usize = 32;

/// Where a body goes.
pub(crate) enum Sink<'a, W: ?Sized> {
    /// A file, written by the worker; `existing` bytes already in it (a
    /// resumed download) are hashed first and kept.
    File {
        /// The open file, positioned anywhere.
        file: std::fs::File,
        /// Bytes of an earlier attempt to keep.
        existing: u64,
    },
    /// Any writer, written here; the worker only hashes.
    Writer(&'a mut W),
}

/// A file sink: `existing` bytes of `file` kept and hashed first.
pub(crate) fn file_sink(file: std::fs::File, existing: u64) -> Sink<'static, tokio::io::Sink> {
    Sink::File { file, existing }
}

/// What a finished pump hands back.
pub(crate) struct Pumped {
    /// Bytes in the sink at the end (earlier ones included).
    pub total: u64,
    /// base64 SHA-1 of all of them.
    pub sha1_base64: String,
    /// The file, for a file sink, flushed to the page cache.
    pub file: Option<std::fs::File>,
}

/// One body being copied: what it is, where it goes, what it must meet.
pub(crate) struct Pump<'a> {
    /// The document the body is, for errors.
    pub document_id: Option<i64>,
    /// The bytes this body must carry (the rest of the document for a
    /// resumed download), when known; never more are read.
    pub declared: Option<u64>,
    /// The most a body may hold whatever it declares, and what it is (for
    /// the error): a splash image.
    pub cap: Option<(u64, &'static str)>,
    /// Names the destination in errors.
    pub at: &'a Path,
    /// Stall and rate limits.
    pub limits: Option<TransferLimits>,
    /// Told of every chunk, with the whole file's figures.
    pub progress: Option<ProgressFn>,
}

/// Raises its flag when dropped while armed: the pump's future was given
/// up mid-way.
struct Cancel {
    flag: Arc<std::sync::atomic::AtomicBool>,
    armed: bool,
}

impl Drop for Cancel {
    fn drop(&mut self) {
        if self.armed {
            self.flag.store(true, Ordering::Release);
        }
    }
}

type Worker = tokio::task::JoinHandle<std::io::Result<(Sha1, Option<std::fs::File>)>>;

/// The writing worker of a large file: the file, once every chunk is in.
type FileWriter = tokio::task::JoinHandle<std::io::Result<std::fs::File>>;

/// The most bytes the writer gathers into one `write` call.
const WRITE_BATCH: usize = 1024 * 1024;

/// Bodies from this size on are written by a worker of their own.
const SPLIT_FROM: u64 = 4 * 1024 * 1024;

/// A new file's body of at most this size is gathered, hashed and written
/// on the spot, with no worker: for a small document, handing its one
/// chunk to a thread and waiting for it costs more than hashing and
/// writing it (at 200 bytes, the hand-offs were most of a mirror's CPU).
pub(crate) const INLINE_UP_TO: u64 = 64 * 1024;

/// Bytes written between two requests to start writing them back to disk,
/// so that the flush before a download's rename finds little left to do.
#[cfg(target_os = "linux")]
const WRITE_BEHIND: u64 = 32 * 1024 * 1024;

/// Reads at `offset` without moving the file's position (which a writer
/// sharing the file may be using).
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buf, offset)
    }
}

/// Starts the hashing worker: hashes the first `existing` bytes of `file`
/// (when there is one), then every chunk it is sent — and, when `write`,
/// appends each chunk to the file (a small body, spared a second worker).
fn start_worker(
    file: Option<std::fs::File>,
    existing: u64,
    write: bool,
    mut rx: tokio::sync::mpsc::Receiver<Bytes>,
    cancelled: Arc<std::sync::atomic::AtomicBool>,
) -> Worker {
    tokio::task::spawn_blocking(move || {
        let mut hasher = Sha1::new();
        if let Some(f) = file.as_ref() {
            let mut at = 0u64;
            let mut buf = vec![0u8; 256 * 1024];
            while at < existing {
                let want = buf
                    .len()
                    .min(usize::try_from(existing - at).unwrap_or(usize::MAX));
                let n = read_at(f, &mut buf[..want], at)?;
                if n == 0 {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the partial file is shorter than recorded",
                    ));
                }
                hasher.update(&buf[..n]);
                at += n as u64;
            }
        }
        let mut out = match file {
            Some(f) if write => Some(append_from(f, existing)?),
            _ => None,
        };
        while let Some(chunk) = rx.blocking_recv() {
            // A transfer given up (its future dropped) writes no more, not
            // even what is waiting: the file keeps the prefix written so
            // far, for a resume, and stops changing at once.
            if cancelled.load(Ordering::Acquire) {
                break;
            }
            if let Some(f) = out.as_mut() {
                f.write_all(&chunk)?;
            }
            hasher.update(&chunk);
        }
        Ok((hasher, out))
    })
}

/// `file` cut to its first `existing` bytes, positioned after them. A
/// file of that length already (a new part is empty) is not truncated:
/// on ext4 a truncation to zero makes the close write the file back at
/// once, a cost per file that a mirror of small files felt.
fn append_from(mut file: std::fs::File, existing: u64) -> std::io::Result<std::fs::File> {
    if file.seek(SeekFrom::End(0))? != existing {
        file.set_len(existing)?;
        file.seek(SeekFrom::Start(existing))?;
    }
    Ok(file)
}

/// Starts the writing worker of a large file (which holds `existing`
/// bytes to keep): appends every chunk it is sent, a batch per `write`,
/// with no copy, asking the kernel to start writing back as it goes. It
/// runs beside the hashing worker, fed by the network side, so neither
/// waits on the other.
fn start_writer(
    file: std::fs::File,
    existing: u64,
    mut rx: tokio::sync::mpsc::Receiver<Bytes>,
    cancelled: Arc<std::sync::atomic::AtomicBool>,
) -> FileWriter {
    tokio::task::spawn_blocking(move || {
        let mut file = append_from(file, existing)?;
        let mut batch: Vec<Bytes> = Vec::with_capacity(64);
        #[cfg(target_os = "linux")]
        let (mut written, mut behind) = (existing, existing);
        while let Some(first) = rx.blocking_recv() {
            let mut len = first.len();
            batch.push(first);
            while len < WRITE_BATCH {
                match rx.try_recv() {
                    Ok(chunk) => {
                        len += chunk.len();
                        batch.push(chunk);
                    }
                    Err(_) => break,
                }
            }
            if cancelled.load(Ordering::Acquire) {
                break;
            }
            write_all_of(&mut file, &batch)?;
            batch.clear();
            #[cfg(target_os = "linux")]
            {
                written += len as u64;
                if written - behind >= WRITE_BEHIND {
                    write_behind(&file, behind, written - behind);
                    behind = written;
                }
            }
        }
        Ok(file)
    })
}

/// Writes every byte of `chunks`, in order, with vectored writes.
fn write_all_of(file: &mut std::fs::File, chunks: &[Bytes]) -> std::io::Result<()> {
    let mut slices: Vec<std::io::IoSlice<'_>> =
        chunks.iter().map(|c| std::io::IoSlice::new(c)).collect();
    let mut slices = &mut slices[..];
    while !slices.is_empty() {
        match file.write_vectored(slices) {
            Ok(0) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::WriteZero,
                    "the file took no more bytes",
                ));
            }
            Ok(n) => std::io::IoSlice::advance_slices(&mut slices, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Asks the kernel to start writing `len` bytes from `offset` back to disk,
/// without waiting for them: a hint, whose failure changes nothing (the
/// final flush still covers every byte).
#[cfg(target_os = "linux")]
fn write_behind(file: &std::fs::File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: the descriptor is open for as long as `file` is borrowed, and
    // the call reads no memory of ours.
    let _ = unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE)
    };
}

impl Pump<'_> {
    fn stalled(&self, detail: String) -> Error {
        Error::Stalled {
            document_id: self.document_id,
            detail,
        }
    }

    /// Copies `body` into `sink`, hashing as it goes; stops the moment the
    /// body outgrows its declared size or breaks a limit, and fails when it
    /// ends short.
    pub(crate) async fn run<S, W>(self, body: S, sink: Sink<'_, W>) -> Result<Pumped>
    where
        S: Stream<Item = std::result::Result<Bytes, reqwest::Error>>,
        W: AsyncWrite + Unpin + ?Sized,
    {
        let io = |action: &'static str, at: &Path| {
            let path = at.to_path_buf();
            move |source| Error::Io {
                action,
                path,
                source,
            }
        };
        let sink = match sink {
            Sink::File { file, existing: 0 }
                if self.declared.is_some_and(|d| d <= INLINE_UP_TO) =>
            {
                return self.run_inline(body, file).await;
            }
            sink => sink,
        };
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(CHANNEL);
        let mut cancel = Cancel {
            flag: Arc::default(),
            armed: true,
        };
        let flag = cancel.flag.clone();
        let mut file_writer: Option<(tokio::sync::mpsc::Sender<Bytes>, FileWriter)> = None;
        let (existing, mut writer, worker) = match sink {
            Sink::File { file, existing } if self.declared.is_none_or(|d| d >= SPLIT_FROM) => {
                // A large body: hashed and written side by side.
                let reader = file.try_clone().map_err(io("cannot read", self.at))?;
                let (wtx, wrx) = tokio::sync::mpsc::channel::<Bytes>(CHANNEL);
                file_writer = Some((wtx, start_writer(file, existing, wrx, flag.clone())));
                (
                    existing,
                    None,
                    start_worker(Some(reader), existing, false, rx, flag),
                )
            }
            Sink::File { file, existing } => (
                existing,
                None,
                start_worker(Some(file), existing, true, rx, flag),
            ),
            Sink::Writer(w) => (0, Some(w), start_worker(None, 0, false, rx, flag)),
        };
        let copied = self
            .copy(
                body,
                Some(&tx),
                file_writer.as_ref().map(|(wtx, _)| wtx),
                writer.as_deref_mut(),
                existing,
            )
            .await;
        drop(tx);
        let (joined, written) = match file_writer {
            Some((wtx, job)) => {
                drop(wtx);
                let (h, w) = tokio::join!(worker, job);
                (h, Some(w))
            }
            None => (worker.await, None),
        };
        // Finished (well or not) rather than given up: the workers are done.
        cancel.armed = false;
        drop(cancel);
        let done = copied?;
        let failed = |e: tokio::task::JoinError| {
            Error::InvalidInput(format!("the hashing or writing task failed ({e}); retry"))
        };
        let (hasher, mut file) = match joined {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => return Err(io("cannot write", self.at)(e)),
            Err(e) => return Err(failed(e)),
        };
        match written {
            Some(Ok(Ok(f))) => file = Some(f),
            Some(Ok(Err(e))) => return Err(io("cannot write", self.at)(e)),
            Some(Err(e)) => return Err(failed(e)),
            None => {}
        }
        if let Some(w) = writer {
            w.flush().await.map_err(io("cannot write", self.at))?;
        }
        if let Some(declared) = self.declared
            && done != declared
        {
            return Err(Error::BodyCutShort {
                document_id: self.document_id,
                received: existing + done,
                expected: existing + declared,
            });
        }
        Ok(Pumped {
            total: existing + done,
            sha1_base64: base64::engine::general_purpose::STANDARD.encode(hasher.finalize()),
            file,
        })
    }

    /// A small new file's body ([`INLINE_UP_TO`]): gathered under the same
    /// limits, then hashed and written here, with no worker. A body that
    /// fails part way leaves what arrived in the file, as the workers do,
    /// for the next attempt to resume; a pump given up writes nothing.
    async fn run_inline<S>(self, body: S, file: std::fs::File) -> Result<Pumped>
    where
        S: Stream<Item = std::result::Result<Bytes, reqwest::Error>>,
    {
        let io = |action: &'static str, at: &Path| {
            let path = at.to_path_buf();
            move |source| Error::Io {
                action,
                path,
                source,
            }
        };
        let (bytes, copied) = self.collect(body).await;
        let write = |file: std::fs::File, bytes: &[u8]| -> std::io::Result<std::fs::File> {
            let mut file = append_from(file, 0)?;
            file.write_all(bytes)?;
            Ok(file)
        };
        let done = match copied {
            Ok(done) => done,
            Err(e) => {
                // Best effort: the error that stopped the body is the one
                // to report.
                if !matches!(e, Error::BodyTooLong { .. }) {
                    let _ = write(file, &bytes);
                }
                return Err(e);
            }
        };
        let file = write(file, &bytes).map_err(io("cannot write", self.at))?;
        self.whole(done)?;
        Ok(Pumped {
            total: done,
            sha1_base64: base64::engine::general_purpose::STANDARD.encode(Sha1::digest(&bytes)),
            file: Some(file),
        })
    }

    /// A small body ([`INLINE_UP_TO`] declared at most) into memory,
    /// gathered under the same limits and hashed here, with no worker:
    /// the bytes and their base64 SHA-1.
    pub(crate) async fn gather<S>(self, body: S) -> Result<(Vec<u8>, String)>
    where
        S: Stream<Item = std::result::Result<Bytes, reqwest::Error>>,
    {
        let (bytes, copied) = self.collect(body).await;
        self.whole(copied?)?;
        let sha1 = base64::engine::general_purpose::STANDARD.encode(Sha1::digest(&bytes));
        Ok((bytes, sha1))
    }

    /// A small body gathered into memory under the limits: what arrived,
    /// and how the body ended (its length, or why it stopped).
    async fn collect<S>(&self, body: S) -> (Vec<u8>, Result<u64>)
    where
        S: Stream<Item = std::result::Result<Bytes, reqwest::Error>>,
    {
        let declared = self.declared.unwrap_or(0);
        let mut bytes: Vec<u8> = Vec::with_capacity(
            usize::try_from(declared)
                .unwrap_or(0)
                .min(INLINE_UP_TO as usize),
        );
        let copied = self
            .copy::<S, Vec<u8>>(body, None, None, Some(&mut bytes), 0)
            .await;
        (bytes, copied)
    }

    /// Fails a gathered body of `done` bytes shorter than declared.
    fn whole(&self, done: u64) -> Result<()> {
        let declared = self.declared.unwrap_or(0);
        if done != declared {
            return Err(Error::BodyCutShort {
                document_id: self.document_id,
                received: done,
                expected: declared,
            });
        }
        Ok(())
    }

    /// The network side: reads chunks under the limits, hands them to the
    /// worker (and the writer). Answers the bytes of this body.
    async fn copy<S, W>(
        &self,
        body: S,
        tx: Option<&tokio::sync::mpsc::Sender<Bytes>>,
        file: Option<&tokio::sync::mpsc::Sender<Bytes>>,
        mut writer: Option<&mut W>,
        existing: u64,
    ) -> Result<u64>
    where
        S: Stream<Item = std::result::Result<Bytes, reqwest::Error>>,
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut body = std::pin::pin!(body);
        let mut done = 0u64;
        let mut window = (Instant::now(), 0u64);
        let total = self.declared.map(|d| existing + d);
        loop {
            let next = match self.limits {
                Some(l) => tokio::time::timeout(l.stall_timeout, body.next())
                    .await
                    .map_err(|_| {
                        self.stalled(format!(
                            "no byte arrived for {} s after {} bytes",
                            l.stall_timeout.as_secs_f64(),
                            existing + done
                        ))
                    })?,
                None => body.next().await,
            };
            let Some(chunk) = next else { break };
            let chunk = chunk.map_err(Error::from_reqwest)?;
            let after = done + chunk.len() as u64;
            if let Some((limit, what)) = self.cap
                && after > limit
            {
                return Err(Error::TooLarge { what, limit });
            }
            if let Some(declared) = self.declared
                && after > declared
            {
                return Err(Error::BodyTooLong {
                    document_id: self.document_id,
                    declared: existing + declared,
                });
            }
            if let Some(w) = writer.as_deref_mut() {
                w.write_all(&chunk).await.map_err(|source| Error::Io {
                    action: "cannot write",
                    path: self.at.to_path_buf(),
                    source,
                })?;
            }
            let n = chunk.len() as u64;
            if let Some(file) = file
                && file.send(chunk.clone()).await.is_err()
            {
                // The writer stopped: its error is reported by the caller.
                return Ok(done);
            }
            if let Some(tx) = tx
                && tx.send(chunk).await.is_err()
            {
                // The worker stopped: its error is reported by the caller.
                return Ok(done);
            }
            done = after;
            if let Some(p) = &self.progress {
                p(Progress {
                    done: existing + done,
                    total,
                });
            }
            if let Some(l) = self.limits
                && l.min_rate > 0
            {
                window.1 += n;
                let elapsed = window.0.elapsed();
                if elapsed >= l.rate_window {
                    let rate = window.1 as f64 / elapsed.as_secs_f64();
                    if rate < l.min_rate as f64 {
                        return Err(self.stalled(format!(
                            "{rate:.0} bytes/s over {} s, below the minimum of {} bytes/s",
                            elapsed.as_secs_f64().round(),
                            l.min_rate
                        )));
                    }
                    window = (Instant::now(), 0);
                }
            }
        }
        Ok(done)
    }
}

/// SHA-1 of a stream's chunks, computed on a blocking worker.
pub(crate) struct Hashing {
    tx: Option<tokio::sync::mpsc::Sender<Bytes>>,
    worker: Worker,
}

impl Hashing {
    pub(crate) fn start() -> Self {
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(CHANNEL);
        let worker = start_worker(None, 0, false, rx, Arc::default());
        Hashing {
            tx: Some(tx),
            worker,
        }
    }

    /// A sender for the chunks; the hash is final once every sender is gone.
    pub(crate) fn sender(&self) -> tokio::sync::mpsc::Sender<Bytes> {
        self.tx
            .clone()
            .unwrap_or_else(|| tokio::sync::mpsc::channel(1).0)
    }

    /// base64 of the SHA-1 of every chunk sent.
    pub(crate) async fn finish(mut self) -> Result<String> {
        self.tx = None;
        match self.worker.await {
            Ok(Ok((hasher, _))) => {
                Ok(base64::engine::general_purpose::STANDARD.encode(hasher.finalize()))
            }
            Ok(Err(e)) => Err(Error::InvalidInput(format!("hashing failed ({e}); retry"))),
            Err(e) => Err(Error::InvalidInput(format!(
                "the hashing task failed ({e}); retry"
            ))),
        }
    }
}

/// How far a request body got, shared by the body stream and its watchdog.
#[derive(Debug)]
pub(crate) struct Meter {
    start: Instant,
    /// Bytes handed to the connection.
    pub bytes: AtomicU64,
    /// Nanoseconds from `start` to the last byte handed over.
    last: AtomicU64,
    /// Nanoseconds from `start` to the end of the body, plus one; 0 while sending.
    done: AtomicU64,
}

impl Meter {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Meter {
            start: Instant::now(),
            bytes: AtomicU64::new(0),
            last: AtomicU64::new(0),
            done: AtomicU64::new(0),
        })
    }

    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// `n` more bytes went out; answers the total.
    pub(crate) fn moved(&self, n: u64) -> u64 {
        self.last.store(self.now(), Ordering::Relaxed);
        self.bytes.fetch_add(n, Ordering::Relaxed) + n
    }

    /// The whole body went out.
    pub(crate) fn finished(&self) {
        let _ = self.done.compare_exchange(
            0,
            self.now().saturating_add(1),
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }

    fn finished_for(&self) -> Option<Duration> {
        match self.done.load(Ordering::Relaxed) {
            0 => None,
            d => Some(Duration::from_nanos(self.now().saturating_sub(d - 1))),
        }
    }

    fn idle_for(&self) -> Duration {
        Duration::from_nanos(self.now().saturating_sub(self.last.load(Ordering::Relaxed)))
    }

    /// How long the bytes the operating system may still hold take to go
    /// out at the rate seen so far: the body is measured as the connection
    /// takes it, and a send buffer (up to [`SEND_BUFFER`]) holds bytes that
    /// have not left yet.
    fn drain_allowance(&self) -> Duration {
        let bytes = self.bytes.load(Ordering::Relaxed);
        let elapsed = Duration::from_nanos(self.last.load(Ordering::Relaxed)).as_secs_f64();
        if bytes == 0 || elapsed <= 0.0 {
            return Duration::ZERO;
        }
        let rate = bytes as f64 / elapsed;
        Duration::from_secs_f64((bytes.min(SEND_BUFFER) as f64 / rate).min(600.0))
    }
}

/// The most a send buffer is taken to hold (Linux's default ceiling).
const SEND_BUFFER: u64 = 4 * 1024 * 1024;

/// Watches an upload's body: resolves with the error to fail it with, when
/// no byte went out for the stall timeout, the rate stayed under the
/// minimum for its window, or — once the body is sent — no answer came
/// within `answer_timeout`. Never resolves otherwise. Both clocks allow for
/// the bytes a send buffer may still hold ([`Meter::drain_allowance`]).
pub(crate) async fn watch_upload(
    meter: Arc<Meter>,
    limits: TransferLimits,
    answer_timeout: Duration,
    document_id: i64,
) -> Error {
    let tick =
        (limits.stall_timeout / 8).clamp(Duration::from_millis(10), Duration::from_millis(250));
    let mut window = (Instant::now(), meter.bytes.load(Ordering::Relaxed));
    loop {
        tokio::time::sleep(tick).await;
        if let Some(waited) = meter.finished_for() {
            if waited >= answer_timeout + meter.drain_allowance() {
                return Error::Timeout {
                    after: Some(answer_timeout),
                };
            }
            continue;
        }
        let sent = meter.bytes.load(Ordering::Relaxed);
        if meter.idle_for() >= limits.stall_timeout + meter.drain_allowance() {
            return Error::Stalled {
                document_id: Some(document_id),
                detail: format!(
                    "no byte of the upload went out for {} s after {sent} bytes",
                    limits.stall_timeout.as_secs_f64()
                ),
            };
        }
        let elapsed = window.0.elapsed();
        if limits.min_rate > 0 && elapsed >= limits.rate_window {
            let rate = sent.saturating_sub(window.1) as f64 / elapsed.as_secs_f64();
            if rate < limits.min_rate as f64 {
                return Error::Stalled {
                    document_id: Some(document_id),
                    detail: format!(
                        "the upload moved {rate:.0} bytes/s over {} s, below the minimum of {} bytes/s",
                        elapsed.as_secs_f64().round(),
                        limits.min_rate
                    ),
                };
            }
            window = (Instant::now(), sent);
        }
    }
}

/// A document's declared size: the bound its body is held to. A negative
/// or missing `fileSize` is refused: a body without a bound is never read.
pub(crate) fn declared_size(doc: &intralinks_api::types::Document) -> Result<u64> {
    match doc.file_size {
        Some(s) if s >= 0 => Ok(s.unsigned_abs()),
        other => Err(Error::InvalidInput(format!(
            "document {} declares {} as its fileSize, so its body cannot be bounded; nothing was downloaded — report this to the service's operator",
            doc.id,
            other.map_or_else(|| "nothing".to_string(), |s| s.to_string())
        ))),
    }
}
