//! Streaming transfers with SHA-1 checks.
//!
//! Every body goes through the crate's transfer pipeline (`pipe`: limits
//! that follow the bytes, SHA-1 and writes on a blocking worker).
//!
//! Downloads stream to a part file beside the destination, named after the
//! document's version, while the SHA-1 is computed; the file is renamed into
//! place only when complete and equal to the document's `fileHashDownload`
//! (base64 of the SHA-1), so a failed or corrupt download never reaches the
//! destination. A failed or stopped download keeps its part, and the next
//! download of the same version asks only for the rest. A download can
//! also go into any [`AsyncWrite`] (memory, object storage, a socket), checked
//! the same way. Uploads create the document, then stream the bytes as the
//! multipart part `documentFile` — from a file (retried on transient
//! failures by reopening it) or from any [`AsyncRead`] of known length —
//! never read whole into memory; an upload that fails for good removes the
//! document it created, or names it ([`Error::UploadIncomplete`]).
//!
//! Documents and folders are named by [`DocumentRef`] and [`FolderRef`], so
//! that a workspace id and a document id cannot swap places unnoticed.
//!
//! The steps the whole-file calls are made of are public too, for engines
//! built on this crate (the sync engine, `intralinks-sync`, is one):
//! [`Intralinks::open_body`] and [`Intralinks::fill_part`] with a [`Part`]
//! named by [`part_key`]; [`Intralinks::create_document`],
//! [`Intralinks::put_version`] and [`Intralinks::remove_empty_document`].

use std::path::{Path, PathBuf};

use base64::Engine;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use intralinks_api::types::{
    CreateDocumentsRequest, Document, DocumentInput, DocumentInputItem, DocumentPartialResponse,
};
use sha1::{Digest, Sha1};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::Intralinks;
use crate::error::{Checked, Error, Result};
use crate::pipe::{Pump, Sink, TransferLimits};
use progenitor_client::ClientInfo;

/// A document, by workspace and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocumentRef {
    /// The workspace.
    pub workspace_id: i64,
    /// The document.
    pub document_id: i64,
}

/// A folder, by workspace and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FolderRef {
    /// The workspace.
    pub workspace_id: i64,
    /// The folder.
    pub folder_id: i64,
}

/// A download into a writer, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Written {
    /// Bytes written.
    pub bytes: u64,
    /// base64 of the SHA-1 of the bytes, equal to the document's fileHashDownload.
    pub sha1_base64: String,
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

/// A verified download.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// Where the file is.
    pub path: PathBuf,
    /// Bytes in the file.
    pub bytes: u64,
    /// base64 of the SHA-1 of the bytes, equal to the document's fileHashDownload.
    pub sha1_base64: String,
    /// Bytes an earlier, interrupted download had left, kept and not fetched
    /// again (0 for a download from the start).
    pub resumed_from: u64,
}

/// A finished upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Uploaded {
    /// The new document's id.
    pub document_id: i64,
    /// Its version after the upload, when the service said.
    pub version: Option<String>,
    /// Bytes sent.
    pub bytes: u64,
    /// base64 of the SHA-1 of the bytes sent, to compare with fileHashDownload.
    pub sha1_base64: String,
}

/// The name an upload of `path` goes by: `name`, else the file's own;
/// a path without one (`/`, `..`) needs a name.
fn upload_name(path: &Path, name: Option<&str>) -> Result<String> {
    match name {
        Some(n) => Ok(n.to_string()),
        None => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                Error::InvalidInput(format!("{} has no file name; pass a name", path.display()))
            }),
    }
}

/// base64 of the SHA-1 of `bytes`, as fileHashDownload carries it.
pub fn file_hash(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha1::digest(bytes))
}

/// base64 SHA-1 of a file on disk, read in chunks.
pub async fn file_hash_of(path: &Path) -> Result<String> {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|source| Error::Io {
            action: "cannot open",
            path: path.into(),
            source,
        })?;
    let mut hasher = Sha1::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).await.map_err(|source| Error::Io {
            action: "cannot read",
            path: path.into(),
            source,
        })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(hasher.finalize()))
}

/// The hash a document's bytes must have.
fn expected_hash(doc: &Document) -> Result<String> {
    doc.file_hash_download.clone().ok_or_else(|| {
        Error::InvalidInput(format!(
            "document {} has no fileHashDownload, so its bytes cannot be verified; nothing was downloaded",
            doc.id
        ))
    })
}

/// The part file of a download of `doc` to `dest`: hidden beside it, named
/// after the document's id, version, hash and size, so that a part of any
/// other version is never resumed.
fn part_path(dest: &Path, doc: &Document) -> (PathBuf, String, String) {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let part = dir.join(format!("{prefix}{}.part", part_key(doc)));
    (part, prefix, dir.to_string_lossy().into_owned())
}

/// 16 hex digits naming a document's version: id, version, hash and size.
pub fn part_key(doc: &Document) -> String {
    let mut h = Sha1::new();
    h.update(
        format!(
            "{}\n{}\n{}\n{}",
            doc.id,
            doc.version.as_deref().unwrap_or(""),
            doc.file_hash_download.as_deref().unwrap_or(""),
            doc.file_size.unwrap_or(-1)
        )
        .as_bytes(),
    );
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The partial file a stopped or failed [`Intralinks::download`] to `dest`
/// left, and its size: the next download of the same version resumes from
/// it. `None` when there is none.
pub fn partial_download(dest: &Path) -> Option<(PathBuf, u64)> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dest.file_name()?.to_string_lossy().into_owned();
    let prefix = format!(".{name}.");
    std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_str()?.to_string();
            let meta = e.path().symlink_metadata().ok()?;
            (n.starts_with(&prefix) && n.ends_with(".part") && meta.is_file())
                .then(|| (e.path(), meta.len()))
        })
        .max_by_key(|(_, len)| *len)
}

/// Removes `.{name}.*.part` files beside the destination other than `keep`:
/// what downloads of other versions of the same file left.
fn remove_stray_parts(dir: &Path, prefix: &str, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let path = entry.path();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && n.starts_with(prefix) && n.ends_with(".part") && path != keep {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Opens (or creates) a part file for appending, never through a link:
/// answers it and the bytes already in it.
fn open_part(part: &Path) -> Result<(std::fs::File, u64)> {
    let io = |action: &'static str| {
        let path = part.to_path_buf();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    };
    if let Ok(meta) = part.symlink_metadata()
        && !meta.is_file()
    {
        std::fs::remove_file(part).map_err(io("cannot remove"))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Like any tool's output: 0666 less the umask; never through a link.
        options.mode(0o666).custom_flags(NOFOLLOW);
    }
    let file = options.open(part).map_err(io("cannot open"))?;
    let meta = file.metadata().map_err(io("cannot read"))?;
    if !meta.is_file() {
        return Err(Error::InvalidInput(format!(
            "{} is not a regular file; remove it and download again",
            part.display()
        )));
    }
    Ok((file, meta.len()))
}

/// Never open a part file through a symbolic link.
#[cfg(unix)]
const NOFOLLOW: i32 = libc::O_NOFOLLOW;

/// The most a splash image may hold.
pub const SPLASH_IMAGE_LIMIT: u64 = 20 * 1024 * 1024;

/// Streams a splash image into `dest` (no hash to check, at most
/// [`SPLASH_IMAGE_LIMIT`] bytes); written beside it and renamed only when complete.
pub(crate) async fn stream_to_file(
    response: reqwest::Response,
    dest: &Path,
    limits: TransferLimits,
) -> Result<Downloaded> {
    if let Some(len) = response.content_length()
        && len > SPLASH_IMAGE_LIMIT
    {
        return Err(Error::TooLarge {
            what: "splash image",
            limit: SPLASH_IMAGE_LIMIT,
        });
    }
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".splash.").suffix(".part");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(&dir).map_err(|source| Error::Io {
        action: "cannot create a temporary file in",
        path: dir.clone(),
        source,
    })?;
    let (file, temp_path) = temp.into_parts();
    let pumped = Pump {
        document_id: None,
        declared: response.content_length(),
        cap: Some((SPLASH_IMAGE_LIMIT, "splash image")),
        at: &temp_path,
        limits: Some(limits),
        progress: None,
    }
    .run(response.bytes_stream(), crate::pipe::file_sink(file, 0))
    .await?;
    temp_path.persist(dest).map_err(|e| Error::Io {
        action: "cannot move the download into place at",
        path: dest.to_path_buf(),
        source: e.error,
    })?;
    Ok(Downloaded {
        path: dest.to_path_buf(),
        bytes: pumped.total,
        sha1_base64: pumped.sha1_base64,
        resumed_from: 0,
    })
}

/// A document's body, opened: the stream, the byte it starts at, and how
/// many bytes it must carry.
pub struct Body {
    /// The body's bytes, as they arrive.
    pub stream:
        std::pin::Pin<Box<dyn Stream<Item = std::result::Result<Bytes, reqwest::Error>> + Send>>,
    /// The document's byte the stream starts at (a resumed part's length).
    pub start: u64,
    /// The bytes the stream must carry, from `start` to the end.
    pub len: u64,
}

/// A partial download open for [`Intralinks::fill_part`], wherever it
/// lives: beside the destination, or in the sync's state directory.
pub struct Part<'a> {
    /// Open for reading and writing.
    pub file: std::fs::File,
    /// Bytes already in it, from an earlier attempt or run.
    pub existing: u64,
    /// Names it in errors.
    pub shown: &'a Path,
    /// Removes it, when what it holds is no use any more.
    pub remove: &'a (dyn Fn() + Send + Sync),
}

/// A part holding the whole document, its hash checked.
#[non_exhaustive]
pub struct Filled {
    /// The file, flushed to the page cache (not yet to the disk).
    pub file: Option<std::fs::File>,
    /// base64 SHA-1 of the whole document.
    pub sha1_base64: String,
    /// Its size.
    pub total: u64,
    /// Bytes taken over from an earlier attempt or run.
    pub start: u64,
}

/// Reads `bytes A-B/N` of a `Content-Range`.
fn content_range(response: &reqwest::Response) -> Option<(u64, u64, u64)> {
    let v = response
        .headers()
        .get(reqwest::header::CONTENT_RANGE)?
        .to_str()
        .ok()?;
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (a, b) = range.split_once('-')?;
    Some((
        a.trim().parse().ok()?,
        b.trim().parse().ok()?,
        total.trim().parse().ok()?,
    ))
}

impl Intralinks {
    /// The document's metadata (its one-element list, unwrapped).
    pub async fn document(&self, workspace_id: i64, document_id: i64) -> Result<Document> {
        let list = self
            .api()
            .get_document()
            .workspace_id(workspace_id)
            .document_id(document_id)
            .send()
            .checked()
            .await?;
        list.document
            .into_iter()
            .next()
            .ok_or_else(|| Error::NotFound {
                message: format!("document {document_id} is not in workspace {workspace_id}"),
                error_id: None,
            })
    }

    /// Downloads a document to `dest`, verified against its fileHashDownload,
    /// held to the client's [`TransferLimits`]. The bytes go to a hidden
    /// part file beside `dest` (`.{name}.{key}.part`), renamed into place
    /// only when complete and verified; a failed or stopped download keeps
    /// it ([`partial_download`] finds it), and the next download of the same
    /// version asks only for the rest (`Range`, checked with `If-Range`).
    pub async fn download(
        &self,
        document: DocumentRef,
        dest: &Path,
        progress: Option<ProgressFn>,
    ) -> Result<Downloaded> {
        let doc = self
            .document(document.workspace_id, document.document_id)
            .await?;
        self.download_document(document.workspace_id, &doc, dest, progress)
            .await
    }

    /// Opens the body of `doc` from byte `from` (0: the whole): `Range`
    /// with `If-Range` on its version, so that a server with another
    /// version, or without range support, answers the whole body (200),
    /// which is taken from the start. `Content-Length` larger than what is
    /// left of the document's `fileSize` is refused before any byte is read.
    pub async fn open_body(
        &self,
        workspace_id: i64,
        doc: &Document,
        from: u64,
        answer_timeout: std::time::Duration,
    ) -> Result<Body> {
        let size = crate::pipe::declared_size(doc)?;
        let from = if doc.version.is_some() && from <= size {
            from
        } else {
            0
        };
        if from == size && size > 0 {
            // Everything is on disk already: only the hash is left to check.
            return Ok(Body {
                stream: Box::pin(futures_util::stream::empty()),
                start: from,
                len: 0,
            });
        }
        let url = self.v2_url(&format!(
            "workspaces/{workspace_id}/documents/{}/file",
            doc.id
        ))?;
        let mut request = self.request(reqwest::Method::GET, url);
        if from > 0
            && let Some(version) = &doc.version
        {
            request = request
                .header(reqwest::header::RANGE, format!("bytes={from}-"))
                .header(reqwest::header::IF_RANGE, format!("\"{version}\""));
        }
        let response = tokio::time::timeout(
            answer_timeout,
            self.send_transfer(request, "download_document_file"),
        )
        .await
        .map_err(|_| Error::Stalled {
            document_id: Some(doc.id),
            detail: format!("no answer within {} s", answer_timeout.as_secs_f64()),
        })??;
        let status = response.status();
        let start = if status == reqwest::StatusCode::PARTIAL_CONTENT && from > 0 {
            match content_range(&response) {
                Some((a, b, n)) if a == from && n == size && b.checked_add(1) == Some(size) => from,
                other => {
                    return Err(Error::Protocol {
                        status: 206,
                        detail: format!(
                            "asked for bytes {from}- of {size}, the answer's Content-Range is {}",
                            other.map_or_else(
                                || "missing or unreadable".to_string(),
                                |(a, b, n)| format!("{a}-{b}/{n}")
                            )
                        ),
                    });
                }
            }
        } else if status == reqwest::StatusCode::RANGE_NOT_SATISFIABLE && from > 0 {
            // The part is not a prefix of this version after all: start over.
            return Box::pin(self.open_body(workspace_id, doc, 0, answer_timeout)).await;
        } else if status.is_success() {
            0
        } else {
            return Err(Error::from_response(response).await);
        };
        let len = size - start;
        if let Some(announced) = response.content_length()
            && announced > len
        {
            return Err(Error::BodyTooLong {
                document_id: Some(doc.id),
                declared: size,
            });
        }
        Ok(Body {
            stream: Box::pin(response.bytes_stream()),
            start,
            len,
        })
    }

    /// Downloads a document whose metadata is already at hand (see
    /// [`Intralinks::download`]).
    pub async fn download_document(
        &self,
        workspace_id: i64,
        doc: &Document,
        dest: &Path,
        progress: Option<ProgressFn>,
    ) -> Result<Downloaded> {
        let resuming = partial_download(dest).is_some_and(|(_, n)| n > 0);
        let first = self
            .download_once(workspace_id, doc, dest, progress.clone())
            .await;
        match first {
            // A resumed download that does not add up (its part is gone
            // now): once more, from zero.
            Err(Error::HashMismatch { .. }) | Err(Error::Protocol { status: 206, .. })
                if resuming && partial_download(dest).is_none() =>
            {
                self.download_once(workspace_id, doc, dest, progress).await
            }
            other => other,
        }
    }

    async fn download_once(
        &self,
        workspace_id: i64,
        doc: &Document,
        dest: &Path,
        progress: Option<ProgressFn>,
    ) -> Result<Downloaded> {
        let (part, prefix, dir) = part_path(dest, doc);
        let dir = PathBuf::from(dir);
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|source| Error::Io {
                action: "cannot create the directory",
                path: dir.clone(),
                source,
            })?;
        let (file, existing) = {
            let (dir, prefix, part) = (dir.clone(), prefix.clone(), part.clone());
            tokio::task::spawn_blocking(move || {
                remove_stray_parts(&dir, &prefix, &part);
                open_part(&part)
            })
            .await
            .map_err(|e| Error::InvalidInput(format!("a file task failed ({e}); retry")))??
        };
        let remove = || {
            let _ = std::fs::remove_file(&part);
        };
        let filled = self
            .fill_part(
                workspace_id,
                doc,
                Part {
                    file,
                    existing,
                    shown: &part,
                    remove: &remove,
                },
                dest,
                (self.limits, self.read_timeout),
                |start, _| {
                    if start > 0 {
                        tracing::info!(document_id = doc.id, from = start, "resuming a download");
                    }
                    progress
                },
            )
            .await;
        let filled = match filled {
            Ok(f) => f,
            Err(e) => {
                if part.exists() {
                    tracing::info!(part = %part.display(), "the partial download is kept for the next attempt");
                }
                return Err(e);
            }
        };
        let file = filled.file;
        let synced = tokio::task::spawn_blocking(move || file.map(|f| f.sync_all()))
            .await
            .map_err(|e| Error::InvalidInput(format!("a file task failed ({e}); retry")))?;
        if let Some(Err(source)) = synced {
            return Err(Error::Io {
                action: "cannot flush",
                path: part,
                source,
            });
        }
        std::fs::rename(&part, dest).map_err(|source| Error::Io {
            action: "cannot move the download into place at",
            path: dest.to_path_buf(),
            source,
        })?;
        Ok(Downloaded {
            path: dest.to_path_buf(),
            bytes: filled.total,
            sha1_base64: filled.sha1_base64,
            resumed_from: filled.start,
        })
    }

    /// The one step under both downloads to a file ([`Intralinks::download`]
    /// and the sync engine's fetch): asks for the bytes `part` lacks, pumps
    /// them in held to `limits` (with the answer's own timeout), and checks
    /// the whole file's SHA-1 against the document's. One rule for the part
    /// on failure: an answer that does not continue it (a bad
    /// `Content-Range`, a body longer than declared) or a whole that does not
    /// hash right removes it; anything else (a stall, a cut, a write error,
    /// a stop) keeps it, since what it holds is a prefix of the document
    /// that the next attempt hashes again before it adds to it. `on_open`
    /// learns where the body starts and how many bytes it carries, and
    /// returns the progress hook for them.
    pub async fn fill_part(
        &self,
        workspace_id: i64,
        doc: &Document,
        part: Part<'_>,
        destination: &Path,
        (limits, answer_timeout): (TransferLimits, std::time::Duration),
        on_open: impl FnOnce(u64, u64) -> Option<ProgressFn>,
    ) -> Result<Filled> {
        let expected = expected_hash(doc)?;
        let size = crate::pipe::declared_size(doc)?;
        let existing = if part.existing > size {
            0
        } else {
            part.existing
        };
        let body = match self
            .open_body(workspace_id, doc, existing, answer_timeout)
            .await
        {
            Ok(b) => b,
            Err(e) => {
                if matches!(e, Error::Protocol { .. } | Error::BodyTooLong { .. }) {
                    (part.remove)();
                }
                return Err(e);
            }
        };
        let progress = on_open(body.start, body.len);
        let pumped = Pump {
            document_id: Some(doc.id),
            declared: Some(body.len),
            cap: None,
            at: part.shown,
            limits: Some(limits),
            progress,
        }
        .run(body.stream, crate::pipe::file_sink(part.file, body.start))
        .await;
        let pumped = match pumped {
            Ok(p) => p,
            Err(e) => {
                if matches!(e, Error::BodyTooLong { .. }) {
                    (part.remove)();
                }
                return Err(e);
            }
        };
        if pumped.sha1_base64 != expected {
            (part.remove)();
            return Err(Error::HashMismatch {
                document_id: doc.id,
                expected,
                actual: pumped.sha1_base64,
                destination: Some(destination.to_path_buf()),
            });
        }
        Ok(Filled {
            file: pumped.file,
            sha1_base64: pumped.sha1_base64,
            total: pumped.total,
            start: body.start,
        })
    }

    /// Streams a document into `writer` (memory, your own storage, a socket),
    /// hashing as it goes, held to the client's [`TransferLimits`]; fails
    /// with [`Error::HashMismatch`] or [`Error::BodyCutShort`] or
    /// [`Error::BodyTooLong`] when the bytes are not the document's. The writer
    /// has the bytes as they arrive, so keep them only when this returns `Ok`.
    ///
    /// ```no_run
    /// # async fn run(il: intralinks_ext::Intralinks) -> intralinks_ext::Result<()> {
    /// use intralinks_ext::DocumentRef;
    /// let mut bytes = Vec::new();
    /// let doc = il.document(701421, 5678).await?;
    /// il.download_into(701421, &doc, &mut bytes, None).await?;
    /// # let _ = DocumentRef { workspace_id: 701421, document_id: 5678 };
    /// # Ok(()) }
    /// ```
    pub async fn download_into<W>(
        &self,
        workspace_id: i64,
        doc: &Document,
        writer: &mut W,
        progress: Option<ProgressFn>,
    ) -> Result<Written>
    where
        W: AsyncWrite + Unpin + Send + ?Sized,
    {
        let expected = expected_hash(doc)?;
        let body = self
            .open_body(workspace_id, doc, 0, self.read_timeout)
            .await?;
        let to = PathBuf::from("(the writer)");
        let pumped = Pump {
            document_id: Some(doc.id),
            declared: Some(body.len),
            cap: None,
            at: &to,
            limits: Some(self.limits),
            progress,
        }
        .run(body.stream, Sink::Writer(writer))
        .await?;
        if pumped.sha1_base64 != expected {
            return Err(Error::HashMismatch {
                document_id: doc.id,
                expected,
                actual: pumped.sha1_base64,
                destination: None,
            });
        }
        Ok(Written {
            bytes: pumped.total,
            sha1_base64: pumped.sha1_base64,
        })
    }
    /// Creates a document in `folder` named `name` (default: the file's
    /// name) and uploads the file, streamed from disk and held to the
    /// client's [`TransferLimits`]. A transient failure (429, 502–504, a
    /// refused connection, a stall) is retried as the client's retry policy
    /// allows, reopening the file each time. When it fails for good, the
    /// document it created is removed, or, when that fails too, named in
    /// [`Error::UploadIncomplete`] for you to finish
    /// ([`Intralinks::put_new_version`]) or remove: never left empty unsaid.
    ///
    /// # Examples
    ///
    /// ```
    /// # use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
    /// # use intralinks_sim::{SimConfig, Simulator, demo};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> intralinks_ext::Result<()> {
    /// # let sim = Simulator::start(SimConfig::default()).await.expect("simulator");
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
    /// use intralinks_ext::{FixedAnswers, FolderRef, file_hash};
    ///
    /// // This workspace asks nothing at entry, but must be entered.
    /// il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default()).await?;
    /// let dir = tempfile::tempdir().expect("a temporary directory");
    /// let path = dir.path().join("Q1 figures.txt");
    /// std::fs::write(&path, "revenue: 12\n").expect("written");
    /// let folder = FolderRef { workspace_id: demo::MAIN_WORKSPACE, folder_id: demo::FOLDER_FINANCIALS };
    /// let up = il.upload(folder, &path, None, None).await?;
    /// assert_eq!(up.bytes, 12);
    /// assert_eq!(up.sha1_base64, file_hash(b"revenue: 12\n"));
    /// let doc = il.document(demo::MAIN_WORKSPACE, up.document_id).await?;
    /// assert_eq!(doc.name.as_deref(), Some("Q1 figures.txt"));
    /// # sim.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn upload(
        &self,
        folder: FolderRef,
        path: &Path,
        name: Option<&str>,
        progress: Option<ProgressFn>,
    ) -> Result<Uploaded> {
        let len = regular_file_len(path).await?;
        let name = upload_name(path, name)?;
        let (document_id, version) = self.create_document(folder, &name).await?;
        let target = DocumentRef {
            workspace_id: folder.workspace_id,
            document_id,
        };
        let result = self
            .put_file_retried(target, Some(version), &name, path, len, progress)
            .await;
        self.created_or_removed(target, result).await
    }

    /// Uploads the file at `path` as the next version of an existing
    /// document (one that an [`Error::UploadIncomplete`] named, or any
    /// other), retried like [`Intralinks::upload`]; the part's file name is
    /// `name`, or the file's (a path without one, such as `..`, is refused with
    /// [`Error::InvalidInput`]).
    pub async fn put_new_version(
        &self,
        document: DocumentRef,
        path: &Path,
        name: Option<&str>,
        progress: Option<ProgressFn>,
    ) -> Result<Uploaded> {
        let len = regular_file_len(path).await?;
        let name = upload_name(path, name)?;
        self.put_file_retried(document, None, &name, path, len, progress)
            .await
    }

    /// Puts `path` into `target`, retried on transient failures with a
    /// fresh file each time. `version` is the document's current version
    /// when known; otherwise it is looked up first.
    async fn put_file_retried(
        &self,
        target: DocumentRef,
        version: Option<String>,
        name: &str,
        path: &Path,
        len: u64,
        progress: Option<ProgressFn>,
    ) -> Result<Uploaded> {
        let retry = self.api().inner().retry.clone();
        let current = match version {
            Some(v) => v,
            None => self
                .document(target.workspace_id, target.document_id)
                .await?
                .version
                .unwrap_or_default(),
        };
        let current = current.as_str();
        let (result, _) = crate::retry::retrying(
            &retry,
            None,
            |_| true,
            move || {
                let progress = progress.clone();
                async move {
                    let file = tokio::fs::File::open(path)
                        .await
                        .map_err(|source| Error::Io {
                            action: "cannot open",
                            path: path.into(),
                            source,
                        })?;
                    self.put_version(
                        target,
                        current,
                        name,
                        file,
                        len,
                        progress,
                        self.limits,
                        self.read_timeout,
                    )
                    .await
                }
            },
        )
        .await;
        result
    }

    /// A failed upload into a document this call created: removes the
    /// document, and says so in [`Error::UploadIncomplete`].
    async fn created_or_removed(
        &self,
        target: DocumentRef,
        result: Result<Uploaded>,
    ) -> Result<Uploaded> {
        let e = match result {
            Ok(u) => return Ok(u),
            Err(e) => e,
        };
        let removed = self.remove_empty_document(target).await;
        Err(Error::UploadIncomplete {
            document_id: target.document_id,
            removed: removed == Removal::Removed,
            source: Box::new(e),
        })
    }

    /// Removes a document that has no file yet. One holding a file (an
    /// upload that landed after all) is kept.
    pub async fn remove_empty_document(&self, target: DocumentRef) -> Removal {
        let current = match self.document(target.workspace_id, target.document_id).await {
            Ok(d) => d,
            Err(Error::NotFound { .. }) => return Removal::Removed,
            Err(_) => return Removal::Failed,
        };
        if current.file_hash_download.is_some() || current.file_size.is_some_and(|s| s > 0) {
            return Removal::HasFile;
        }
        let removed = self
            .api()
            .delete_documents()
            .workspace_id(target.workspace_id)
            .body(intralinks_api::types::DeleteDocumentsRequest {
                documents: vec![intralinks_api::types::EntityRef {
                    id: target.document_id,
                    version: current.version.unwrap_or_default(),
                }],
            })
            .send()
            .checked()
            .await;
        match removed {
            Ok(_) => Removal::Removed,
            Err(e) => {
                tracing::warn!(document_id = target.document_id, error = %e, "cannot remove the empty document");
                Removal::Failed
            }
        }
    }

    /// Creates a document in `folder` named `name` and uploads `len` bytes
    /// read from `reader`, streamed and held to the client's
    /// [`TransferLimits`]. A reader cannot be read twice, so a failure is
    /// not retried; the document created is then removed (or named in
    /// [`Error::UploadIncomplete`] when it cannot be), and the error says
    /// whether trying again may help ([`Error::is_transient`]). Any
    /// `AsyncRead + Send` will do — it need not be `Sync`, as a web
    /// framework's request body often is not.
    pub async fn upload_from<R>(
        &self,
        folder: FolderRef,
        name: &str,
        reader: R,
        len: u64,
        progress: Option<ProgressFn>,
    ) -> Result<Uploaded>
    where
        R: AsyncRead + Send + 'static,
    {
        let (document_id, version) = self.create_document(folder, name).await?;
        let target = DocumentRef {
            workspace_id: folder.workspace_id,
            document_id,
        };
        let result = self
            .put_version(
                target,
                &version,
                name,
                reader,
                len,
                progress,
                self.limits,
                self.read_timeout,
            )
            .await;
        self.created_or_removed(target, result).await
    }

    /// Creates the document's metadata; returns its id and version.
    pub async fn create_document(&self, folder: FolderRef, name: &str) -> Result<(i64, String)> {
        let created = self
            .api()
            .create_documents()
            .workspace_id(folder.workspace_id)
            .body(CreateDocumentsRequest {
                documents: vec![DocumentInputItem {
                    document: DocumentInput {
                        name: name.to_string(),
                        parent_id: folder.folder_id,
                        note: None,
                    },
                }],
            })
            .send()
            .checked()
            .await?;
        let partial =
            created
                .document_partial
                .into_iter()
                .next()
                .ok_or_else(|| Error::Protocol {
                    status: 201,
                    detail: "the create answer has no documentPartial".into(),
                })?;
        let document_id = partial.id.ok_or_else(|| Error::Protocol {
            status: 201,
            detail: "the create answer's documentPartial has no id".into(),
        })?;
        Ok((document_id, partial.version.unwrap_or_default()))
    }

    /// One `PUT .../file?version=` with `len` bytes of `reader` as the part
    /// `documentFile`: the new version of an existing document, through the
    /// transfer pipeline. The body is held to `limits` while it goes out
    /// (no byte for the stall timeout, or under the minimum rate, fails
    /// it); the wait for the answer, `answer_timeout`, starts once the body
    /// is sent. A failure comes with the answer's `Retry-After`, for
    /// callers that retry on their own (the sync engine).
    #[allow(clippy::too_many_arguments)]
    pub async fn put_version<R>(
        &self,
        target: DocumentRef,
        version: &str,
        name: &str,
        reader: R,
        len: u64,
        progress: Option<ProgressFn>,
        limits: TransferLimits,
        answer_timeout: std::time::Duration,
    ) -> Result<Uploaded>
    where
        R: AsyncRead + Send + 'static,
    {
        use tokio::io::AsyncReadExt;
        let url = self.v2_url(&format!(
            "workspaces/{}/documents/{}/file",
            target.workspace_id, target.document_id
        ))?;
        let meter = crate::pipe::Meter::new();
        // SHA-1 on a blocking worker, fed as the chunks go out.
        let hashing = crate::pipe::Hashing::start();
        let (tx, m, report) = (hashing.sender(), meter.clone(), progress);
        // Never more than `len` bytes, whatever the reader holds.
        let stream = tokio_util::io::ReaderStream::with_capacity(reader.take(len), 256 * 1024)
            .then(move |chunk| {
                let tx = tx.clone();
                let m = m.clone();
                let report = report.clone();
                async move {
                    if let Ok(chunk) = &chunk {
                        // The worker ends only with this stream: a send fails
                        // only when the upload is being given up.
                        let _ = tx.send(chunk.clone()).await;
                        let done = m.moved(chunk.len() as u64);
                        if done >= len {
                            m.finished();
                        }
                        if let Some(p) = &report {
                            p(Progress {
                                done,
                                total: Some(len),
                            });
                        }
                    }
                    chunk
                }
            });
        let m = meter.clone();
        let stream = stream.chain(futures_util::stream::poll_fn(move |_| {
            // The body's end: the wait for the answer starts now.
            m.finished();
            std::task::Poll::Ready(None)
        }));
        // The part's file name rides in a header: control characters there
        // would break the multipart body (the document's name was set on create).
        let header_name: String = name
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let part =
            reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), len)
                .file_name(header_name)
                .mime_str("application/octet-stream")
                .map_err(Error::from_reqwest)?;
        let form = reqwest::multipart::Form::new().part("documentFile", part);
        let request = self
            .request(reqwest::Method::PUT, url)
            .query(&[("version", version)])
            .multipart(form);
        // A streamed body is never sent twice by the runtime: retries are
        // the caller's, with a fresh reader.
        let watchdog =
            crate::pipe::watch_upload(meter.clone(), limits, answer_timeout, target.document_id);
        let response = tokio::select! {
            r = self.send_transfer(request, "upload_document_file") => r?,
            e = watchdog => return Err(e),
        };
        if !response.status().is_success() {
            return Err(Error::from_response(response).await);
        }
        let bytes = meter.bytes.load(std::sync::atomic::Ordering::Relaxed);
        if bytes != len {
            return Err(Error::BodyCutShort {
                document_id: Some(target.document_id),
                received: bytes,
                expected: len,
            });
        }
        // An answer cut off on the way is a transport failure (transient);
        // one that arrives whole but is not the API's is the service's.
        let answer = tokio::time::timeout(answer_timeout, read_capped(response, ANSWER_LIMIT))
            .await
            .map_err(|_| Error::Timeout {
                after: Some(answer_timeout),
            })??;
        let answer: DocumentPartialResponse =
            serde_json::from_slice(&answer).map_err(|e| Error::UnexpectedBody {
                status: Some(200),
                content_type: Some("application/json".into()),
                decode_error: Some(format!("the upload answer is not the API's: {e}")),
                excerpt: intralinks_api::mask_secrets(&String::from_utf8_lossy(
                    &answer[..answer.len().min(160)],
                )),
            })?;
        let sha1_base64 = hashing.finish().await?;
        Ok(Uploaded {
            document_id: target.document_id,
            version: answer
                .document_partial
                .into_iter()
                .next()
                .and_then(|p| p.version)
                .or(Some(version.to_string())),
            bytes,
            sha1_base64,
        })
    }
}

/// What became of a document an upload created and could not fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// It is gone.
    Removed,
    /// It has a file after all: kept.
    HasFile,
    /// It could not be removed.
    Failed,
}

/// The most an upload's answer (a small JSON document) may hold.
const ANSWER_LIMIT: usize = 1024 * 1024;

/// Reads a whole small answer, refusing more than `limit` bytes.
async fn read_capped(response: reqwest::Response, limit: usize) -> Result<Vec<u8>> {
    crate::error::read_whole(response, limit as u64)
        .await
        .map_err(|e| match e {
            Error::AnswerTooLarge { limit } => Error::TooLarge {
                what: "upload answer",
                limit,
            },
            other => other,
        })
}

/// The length of the regular file at `path`.
async fn regular_file_len(path: &Path) -> Result<u64> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|source| Error::Io {
            action: "cannot read",
            path: path.into(),
            source,
        })?;
    if !meta.is_file() {
        return Err(Error::InvalidInput(format!(
            "{} is not a file; upload takes one file",
            path.display()
        )));
    }
    Ok(meta.len())
}

#[cfg(test)]
mod upload_name_tests {
    use super::*;

    #[test]
    fn an_upload_is_named_as_asked_else_after_its_file_and_a_path_without_a_name_is_refused() {
        assert_eq!(
            upload_name(Path::new("dir/deal.bin"), None).unwrap(),
            "deal.bin"
        );
        assert_eq!(
            upload_name(Path::new("dir/deal.bin"), Some("Deal v2.bin")).unwrap(),
            "Deal v2.bin"
        );
        let e = upload_name(Path::new(".."), None).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput(m) if m == ".. has no file name; pass a name"),
            "{e:?}"
        );
    }
}
