//! Streaming transfers with SHA-1 checks.
//!
//! Downloads stream to a temporary file beside the destination while the
//! SHA-1 is computed; the file is renamed into place only when complete and
//! equal to the document's `fileHashDownload` (base64 of the SHA-1), so a
//! failed or corrupt download never reaches the destination. A download can
//! also go into any [`AsyncWrite`] (memory, object storage, a socket), checked
//! the same way. Uploads create the document, then stream the bytes as the
//! multipart part `documentFile` — from a file (retried on transient
//! failures by reopening it) or from any [`AsyncRead`] of known length —
//! never read whole into memory.
//!
//! Documents and folders are named by [`DocumentRef`] and [`FolderRef`], so
//! that a workspace id and a document id cannot swap places unnoticed.

use std::path::{Path, PathBuf};

use base64::Engine;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use intralinks_api::types::{
    CreateDocumentsRequest, Document, DocumentInput, DocumentInputItem, DocumentPartialResponse,
};
use sha1::{Digest, Sha1};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use crate::Intralinks;
use crate::error::{Checked, Error, Result};
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
pub struct Written {
    /// Bytes written.
    pub bytes: u64,
    /// base64 of the SHA-1 of the bytes, equal to the document's fileHashDownload.
    pub sha1_base64: String,
}

/// How far a transfer got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
pub struct Downloaded {
    /// Where the file is.
    pub path: PathBuf,
    /// Bytes written.
    pub bytes: u64,
    /// base64 of the SHA-1 of the bytes, equal to the document's fileHashDownload.
    pub sha1_base64: String,
}

/// A finished upload.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// What to check the bytes against before they are kept.
/// The most read of an upload's JSON answer (one document's fields).
const UPLOAD_ANSWER_LIMIT: u64 = 1024 * 1024;

pub(crate) struct Expect<'a> {
    pub document_id: i64,
    pub sha1_base64: &'a str,
}

/// What a body being copied must live up to, besides its declared size.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Limits {
    /// Abort when no byte arrives for this long.
    pub stall: Option<std::time::Duration>,
    /// Abort when fewer than `.0` bytes/s arrive over a window of `.1` (as
    /// curl's `--speed-limit`/`--speed-time`).
    pub min_rate: Option<(u64, std::time::Duration)>,
}

/// One body being copied: what it is, where it goes, what it must meet.
pub(crate) struct Pump<'a> {
    /// The document the body is, for errors.
    pub document_id: Option<i64>,
    /// The size it declares (Content-Length, or the document's size).
    pub declared: Option<u64>,
    /// Names the destination in errors.
    pub at: &'a Path,
    /// Stall and rate limits.
    pub limits: Limits,
    /// Told of every chunk.
    pub progress: Option<ProgressFn>,
}

impl Pump<'_> {
    /// Copies `body` into `out`, hashing as it goes; stops the moment the
    /// body outgrows its declared size or breaks a limit, and fails when it
    /// ends short. Returns the bytes copied and base64 of their SHA-1.
    pub(crate) async fn run<S, W>(self, body: S, out: &mut W) -> Result<(u64, String)>
    where
        S: Stream<Item = std::result::Result<Bytes, reqwest::Error>>,
        W: AsyncWrite + Unpin + ?Sized,
    {
        let io = |source| Error::Io {
            action: "cannot write",
            path: self.at.to_path_buf(),
            source,
        };
        let stalled = |detail: String| Error::Stalled {
            document_id: self.document_id,
            detail,
        };
        let mut hasher = Sha1::new();
        let mut done = 0u64;
        let mut window = (std::time::Instant::now(), 0u64);
        let mut body = std::pin::pin!(body);
        loop {
            let next = match self.limits.stall {
                Some(stall) => tokio::time::timeout(stall, body.next())
                    .await
                    .map_err(|_| {
                        stalled(format!(
                            "no byte arrived for {} s after {done} bytes",
                            stall.as_secs_f64()
                        ))
                    })?,
                None => body.next().await,
            };
            let Some(chunk) = next else { break };
            let chunk = chunk.map_err(Error::from_reqwest)?;
            let after = done + chunk.len() as u64;
            if let Some(declared) = self.declared
                && after > declared
            {
                return Err(Error::BodyTooLong {
                    document_id: self.document_id,
                    declared,
                });
            }
            hasher.update(&chunk);
            out.write_all(&chunk).await.map_err(io)?;
            done = after;
            if let Some(p) = &self.progress {
                p(Progress {
                    done,
                    total: self.declared,
                });
            }
            if let Some((min, over)) = self.limits.min_rate {
                window.1 += chunk.len() as u64;
                let elapsed = window.0.elapsed();
                if min > 0 && elapsed >= over {
                    let rate = window.1 as f64 / elapsed.as_secs_f64();
                    if rate < min as f64 {
                        return Err(stalled(format!(
                            "{rate:.0} bytes/s over {} s, below the minimum of {min} bytes/s",
                            elapsed.as_secs_f64().round()
                        )));
                    }
                    window = (std::time::Instant::now(), 0);
                }
            }
        }
        out.flush().await.map_err(io)?;
        if let Some(declared) = self.declared
            && done != declared
        {
            return Err(Error::BodyCutShort {
                document_id: self.document_id,
                received: done,
                expected: declared,
            });
        }
        Ok((
            done,
            base64::engine::general_purpose::STANDARD.encode(hasher.finalize()),
        ))
    }
}

/// Removes `.{name}.*.part` files beside the destination: what a download
/// of the same file left when it was killed.
async fn remove_stray_parts(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let is_file = entry.file_type().await.is_ok_and(|t| t.is_file());
        if is_file && n.starts_with(&prefix) && n.ends_with(".part") {
            let _ = tokio::fs::remove_file(entry.path()).await;
        }
    }
}

/// Streams `body` into a temporary file beside `dest`, hashing as it goes;
/// renames it to `dest` only when the stream ended cleanly and, with
/// `expect`, the hash matches. On any failure the temporary file is removed
/// and `dest` is untouched.
pub(crate) async fn write_verified<S>(
    body: S,
    dest: &Path,
    total: Option<u64>,
    expect: Option<Expect<'_>>,
    progress: Option<ProgressFn>,
) -> Result<Downloaded>
where
    S: Stream<Item = std::result::Result<Bytes, reqwest::Error>>,
{
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|source| Error::Io {
            action: "cannot create the directory",
            path: dir.clone(),
            source,
        })?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_stray_parts(&dir, &name).await;
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".part");
    // Like any tool's output: 0666 less the umask (tempfile's default is 0600).
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
    let mut file = tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(file));
    let (done, actual) = Pump {
        document_id: expect.as_ref().map(|e| e.document_id),
        declared: total,
        at: &temp_path,
        limits: Limits::default(),
        progress,
    }
    .run(body, &mut file)
    .await?;
    let file = file.into_inner();
    file.sync_all().await.map_err(|source| Error::Io {
        action: "cannot flush",
        path: temp_path.to_path_buf(),
        source,
    })?;
    drop(file);
    if let Some(expect) = expect
        && expect.sha1_base64 != actual
    {
        return Err(Error::HashMismatch {
            document_id: expect.document_id,
            expected: expect.sha1_base64.to_string(),
            actual,
            destination: Some(dest.to_path_buf()),
        });
    }
    temp_path.persist(dest).map_err(|e| Error::Io {
        action: "cannot move the download into place at",
        path: dest.to_path_buf(),
        source: e.error,
    })?;
    Ok(Downloaded {
        path: dest.to_path_buf(),
        bytes: done,
        sha1_base64: actual,
    })
}

/// Streams a response into `dest` without a hash to check (splash images);
/// still written beside it and renamed only when complete.
pub(crate) async fn stream_to_file(response: reqwest::Response, dest: &Path) -> Result<Downloaded> {
    let total = response.content_length();
    write_verified(response.bytes_stream(), dest, total, None, None).await
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

    /// Downloads a document to `dest`, verified against its fileHashDownload.
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

    /// Opens the body of a document whose metadata is at hand: the expected
    /// hash, the byte stream and its declared length.
    async fn open_body(
        &self,
        workspace_id: i64,
        doc: &Document,
    ) -> Result<(
        String,
        impl Stream<Item = std::result::Result<Bytes, reqwest::Error>> + use<>,
        Option<u64>,
    )> {
        let expected = doc.file_hash_download.clone().ok_or_else(|| {
            Error::InvalidInput(format!(
                "document {} has no fileHashDownload, so its bytes cannot be verified; nothing was downloaded",
                doc.id
            ))
        })?;
        let response = self
            .api()
            .download_document_file()
            .workspace_id(workspace_id)
            .document_id(doc.id)
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => return Err(Error::from_api(e).await),
        };
        let total = response
            .headers()
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .or(doc.file_size.map(|s| s as u64));
        Ok((expected, response.into_inner().into_inner(), total))
    }

    /// Downloads a document whose metadata is already at hand.
    pub async fn download_document(
        &self,
        workspace_id: i64,
        doc: &Document,
        dest: &Path,
        progress: Option<ProgressFn>,
    ) -> Result<Downloaded> {
        let (expected, stream, total) = self.open_body(workspace_id, doc).await?;
        write_verified(
            stream,
            dest,
            total,
            Some(Expect {
                document_id: doc.id,
                sha1_base64: &expected,
            }),
            progress,
        )
        .await
    }

    /// Streams a document into `writer` (memory, your own storage, a socket),
    /// hashing as it goes; fails with [`Error::HashMismatch`] or
    /// [`Error::BodyCutShort`] or [`Error::BodyTooLong`] when the bytes are not the document's. The writer
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
        let (expected, stream, total) = self.open_body(workspace_id, doc).await?;
        let to = PathBuf::from("(the writer)");
        let (done, actual) = Pump {
            document_id: Some(doc.id),
            declared: total,
            at: &to,
            limits: Limits::default(),
            progress,
        }
        .run(stream, writer)
        .await?;
        if actual != expected {
            return Err(Error::HashMismatch {
                document_id: doc.id,
                expected,
                actual,
                destination: None,
            });
        }
        Ok(Written {
            bytes: done,
            sha1_base64: actual,
        })
    }

    /// Creates a document in `folder` named `name` (default: the file's
    /// name) and uploads the file, streamed from disk. A transient failure
    /// (429, 502–504, a refused connection) is retried as the client's retry
    /// policy allows, reopening the file each time.
    pub async fn upload(
        &self,
        folder: FolderRef,
        path: &Path,
        name: Option<&str>,
        progress: Option<ProgressFn>,
    ) -> Result<Uploaded> {
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
        let name = match name {
            Some(n) => n.to_string(),
            None => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| {
                    Error::InvalidInput(format!("{} has no file name; pass a name", path.display()))
                })?,
        };
        let (document_id, version) = self.create_document(folder, &name).await?;
        let target = DocumentRef {
            workspace_id: folder.workspace_id,
            document_id,
        };
        let retry = self.api().inner().retry.clone();
        let mut attempt = 1u32;
        loop {
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|source| Error::Io {
                    action: "cannot open",
                    path: path.into(),
                    source,
                })?;
            let result = self
                .put_file(target, &version, &name, file, meta.len(), progress.clone())
                .await;
            match result {
                Err(e) if e.is_transient() && attempt < retry.max_attempts => {
                    let delay = retry.delay(attempt, None);
                    tracing::debug!(document_id, error = %e, ?delay, attempt, "retrying the upload");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Creates a document in `folder` named `name` and uploads `len` bytes
    /// read from `reader`, streamed. A reader cannot be read twice, so a
    /// failure is not retried; the error says whether it may be worth trying
    /// again ([`Error::is_transient`]).
    pub async fn upload_from<R>(
        &self,
        folder: FolderRef,
        name: &str,
        reader: R,
        len: u64,
        progress: Option<ProgressFn>,
    ) -> Result<Uploaded>
    where
        R: AsyncRead + Send + Sync + 'static,
    {
        let (document_id, version) = self.create_document(folder, name).await?;
        let target = DocumentRef {
            workspace_id: folder.workspace_id,
            document_id,
        };
        self.put_file(target, &version, name, reader, len, progress)
            .await
    }

    /// Creates the document's metadata; returns its id and version.
    async fn create_document(&self, folder: FolderRef, name: &str) -> Result<(i64, String)> {
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
            detail: "the documentPartial has no id".into(),
        })?;
        Ok((document_id, partial.version.unwrap_or_default()))
    }

    /// [`Intralinks::put_version`], for callers that have no use for `Retry-After`.
    async fn put_file<R>(
        &self,
        target: DocumentRef,
        version: &str,
        name: &str,
        reader: R,
        len: u64,
        progress: Option<ProgressFn>,
    ) -> Result<Uploaded>
    where
        R: AsyncRead + Send + Sync + 'static,
    {
        self.put_version(target, version, name, reader, len, progress)
            .await
            .map_err(|(e, _)| e)
    }

    /// One `PUT .../file?version=` with `len` bytes of `reader` as the part
    /// `documentFile`, through the shared runtime: the new version of an
    /// existing document. A failure comes with the answer's `Retry-After`,
    /// for callers that retry on their own (the sync engine).
    pub(crate) async fn put_version<R>(
        &self,
        target: DocumentRef,
        version: &str,
        name: &str,
        reader: R,
        len: u64,
        progress: Option<ProgressFn>,
    ) -> std::result::Result<Uploaded, (Error, Option<std::time::Duration>)>
    where
        R: AsyncRead + Send + Sync + 'static,
    {
        let plain = |e: Error| (e, None);
        use tokio::io::AsyncReadExt;
        let url = self
            .v2_url(&format!(
                "workspaces/{}/documents/{}/file",
                target.workspace_id, target.document_id
            ))
            .map_err(plain)?;
        let hasher = std::sync::Arc::new(std::sync::Mutex::new(Sha1::new()));
        let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (h, s, report) = (hasher.clone(), sent.clone(), progress);
        // Never more than `len` bytes, whatever the reader holds.
        let stream = tokio_util::io::ReaderStream::with_capacity(reader.take(len), 256 * 1024)
            .inspect_ok(move |chunk| {
                if let Ok(mut h) = h.lock() {
                    h.update(chunk);
                }
                let done = s.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed)
                    + chunk.len() as u64;
                if let Some(p) = &report {
                    p(Progress {
                        done,
                        total: Some(len),
                    });
                }
            });
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
                .map_err(|e| plain(Error::from_reqwest(e)))?;
        let form = reqwest::multipart::Form::new().part("documentFile", part);
        let request = self
            .request(reqwest::Method::PUT, url)
            .query(&[("version", version)])
            .multipart(form);
        // A streamed body is never sent twice by the runtime: retries are
        // the caller's, with a fresh reader.
        let response = self
            .send_once(request, "upload_document_file")
            .await
            .map_err(plain)?;
        if !response.status().is_success() {
            let after = intralinks_api::retry_after(response.headers());
            return Err((Error::from_response(response).await, after));
        }
        let bytes = sent.load(std::sync::atomic::Ordering::Relaxed);
        if bytes != len {
            return Err(plain(Error::BodyCutShort {
                document_id: Some(target.document_id),
                received: bytes,
                expected: len,
            }));
        }
        // An answer cut off on the way is a transport failure (transient);
        // one that arrives whole but is not the API's is the service's.
        let answer = crate::error::read_whole(response, UPLOAD_ANSWER_LIMIT)
            .await
            .map_err(plain)?;
        let answer: DocumentPartialResponse = serde_json::from_slice(&answer).map_err(|e| {
            plain(Error::UnexpectedBody {
                status: Some(200),
                content_type: Some("application/json".into()),
                decode_error: Some(format!("the upload answer is not the API's: {e}")),
                excerpt: intralinks_api::mask_secrets(&String::from_utf8_lossy(
                    &answer[..answer.len().min(160)],
                )),
            })
        })?;
        let digest = hasher
            .lock()
            .map(|h| h.clone().finalize())
            .map_err(|_| plain(Error::InvalidInput("the upload hasher was poisoned".into())))?;
        Ok(Uploaded {
            document_id: target.document_id,
            version: answer
                .document_partial
                .into_iter()
                .next()
                .and_then(|p| p.version)
                .or(Some(version.to_string())),
            bytes,
            sha1_base64: base64::engine::general_purpose::STANDARD.encode(digest),
        })
    }
}
