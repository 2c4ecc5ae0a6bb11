//! Downloads: to a file through a part file, or into any writer, each
//! checked against the document's SHA-1 before it counts.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::Stream;
use intralinks_api::types::Document;
use tokio::io::AsyncWrite;

use super::part::{Part, open_part, part_path, partial_download, remove_stray_parts};
use super::{DocumentRef, Downloaded, ProgressFn, Written};
use crate::Intralinks;
use crate::error::{Error, Result};
use crate::pipe::{Pump, Sink, TransferLimits};

/// The most bytes [`Intralinks::download_small`] takes into memory.
pub const SMALL_DOWNLOAD: u64 = crate::pipe::INLINE_UP_TO;

/// The hash a document's bytes must have.
fn expected_hash(doc: &Document) -> Result<String> {
    doc.file_hash_download.clone().ok_or_else(|| {
        Error::InvalidInput(format!(
            "document {} has no fileHashDownload, so its bytes cannot be verified; nothing was downloaded",
            doc.id
        ))
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

    /// The whole body of a small document, in memory: checked like any
    /// download (its declared size, its SHA-1), held to `limits` with
    /// `answer_timeout` for the answer, and gathered and hashed as it
    /// arrives, with no worker thread — for a small document, a hand-off
    /// to a thread costs more than the work. `on_open` learns how many bytes
    /// the body carries and answers the progress hook for them. A document
    /// that declares more than [`SMALL_DOWNLOAD`] bytes is refused before
    /// anything is asked for.
    pub async fn download_small(
        &self,
        workspace_id: i64,
        doc: &Document,
        (limits, answer_timeout): (TransferLimits, std::time::Duration),
        on_open: impl FnOnce(u64, u64) -> Option<ProgressFn>,
    ) -> Result<(Vec<u8>, Written)> {
        let expected = expected_hash(doc)?;
        let size = crate::pipe::declared_size(doc)?;
        if size > SMALL_DOWNLOAD {
            return Err(Error::InvalidInput(format!(
                "document {} declares {size} bytes, more than the {SMALL_DOWNLOAD} of a download into memory; download it to a file",
                doc.id
            )));
        }
        let body = self.open_body(workspace_id, doc, 0, answer_timeout).await?;
        let to = PathBuf::from("(memory)");
        let progress = on_open(body.start, body.len);
        let (bytes, sha1_base64) = Pump {
            document_id: Some(doc.id),
            declared: Some(body.len),
            cap: None,
            at: &to,
            limits: Some(limits),
            progress,
        }
        .gather(body.stream)
        .await?;
        if sha1_base64 != expected {
            return Err(Error::HashMismatch {
                document_id: doc.id,
                expected,
                actual: sha1_base64,
                destination: None,
            });
        }
        let written = Written {
            bytes: bytes.len() as u64,
            sha1_base64,
        };
        Ok((bytes, written))
    }
}
