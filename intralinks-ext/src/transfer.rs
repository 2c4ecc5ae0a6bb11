//! Streaming transfers with SHA-1 checks.
//!
//! Downloads stream to a temporary file beside the destination while the
//! SHA-1 is computed; the file is renamed into place only when complete and
//! equal to the document's `fileHashDownload` (base64 of the SHA-1), so a
//! failed or corrupt download never reaches the destination. Uploads create
//! the document, then stream the file from disk as the multipart part
//! `documentFile` — never read whole into memory.

use std::path::{Path, PathBuf};

use base64::Engine;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use intralinks_api::types::{
    CreateDocumentsRequest, Document, DocumentInput, DocumentInputItem, DocumentPartialResponse,
};
use sha1::{Digest, Sha1};
use tokio::io::AsyncWriteExt;

use crate::Intralinks;
use crate::error::{Checked, Error, Result};

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
pub(crate) struct Expect<'a> {
    pub document_id: i64,
    pub sha1_base64: &'a str,
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
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        .tempfile_in(&dir)
        .map_err(|source| Error::Io {
            action: "cannot create a temporary file in",
            path: dir.clone(),
            source,
        })?;
    let (file, temp_path) = temp.into_parts();
    let mut file = tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(file));
    let mut hasher = Sha1::new();
    let mut done = 0u64;
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(Error::from_reqwest)?;
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(|source| Error::Io {
            action: "cannot write",
            path: temp_path.to_path_buf(),
            source,
        })?;
        done += chunk.len() as u64;
        if let Some(p) = &progress {
            p(Progress { done, total });
        }
    }
    file.flush().await.map_err(|source| Error::Io {
        action: "cannot write",
        path: temp_path.to_path_buf(),
        source,
    })?;
    let file = file.into_inner();
    file.sync_all().await.map_err(|source| Error::Io {
        action: "cannot flush",
        path: temp_path.to_path_buf(),
        source,
    })?;
    drop(file);
    if let Some(total) = total
        && done != total
    {
        return Err(Error::UnexpectedBody {
            status: 200,
            content_type: "a truncated file".into(),
            excerpt: format!(
                "{done} of {total} bytes arrived; nothing was written to {}",
                dest.display()
            ),
        });
    }
    let actual = base64::engine::general_purpose::STANDARD.encode(hasher.finalize());
    if let Some(expect) = expect
        && expect.sha1_base64 != actual
    {
        return Err(Error::HashMismatch {
            document_id: expect.document_id,
            expected: expect.sha1_base64.to_string(),
            actual,
            destination: dest.to_path_buf(),
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
        workspace_id: i64,
        document_id: i64,
        dest: &Path,
        progress: Option<ProgressFn>,
    ) -> Result<Downloaded> {
        let doc = self.document(workspace_id, document_id).await?;
        self.download_document(workspace_id, &doc, dest, progress)
            .await
    }

    /// Downloads a document whose metadata is already at hand.
    pub async fn download_document(
        &self,
        workspace_id: i64,
        doc: &Document,
        dest: &Path,
        progress: Option<ProgressFn>,
    ) -> Result<Downloaded> {
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
        let stream = response.into_inner().into_inner();
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

    /// Creates a document in `folder_id` named `name` (default: the file's
    /// name) and uploads the file, streamed from disk.
    pub async fn upload(
        &self,
        workspace_id: i64,
        folder_id: i64,
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
        let created = self
            .api()
            .create_documents()
            .workspace_id(workspace_id)
            .body(CreateDocumentsRequest {
                documents: vec![DocumentInputItem {
                    document: DocumentInput {
                        name: name.clone(),
                        parent_id: folder_id,
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
                .ok_or_else(|| Error::UnexpectedBody {
                    status: 201,
                    content_type: "application/json".into(),
                    excerpt: "the create answer has no documentPartial".into(),
                })?;
        let document_id = partial.id.ok_or_else(|| Error::UnexpectedBody {
            status: 201,
            content_type: "application/json".into(),
            excerpt: "the documentPartial has no id".into(),
        })?;
        let version = partial.version.unwrap_or_default();
        let len = meta.len();
        let url = self.v2_url(&format!(
            "workspaces/{workspace_id}/documents/{document_id}/file"
        ))?;

        let mut refreshed = false;
        loop {
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|source| Error::Io {
                    action: "cannot open",
                    path: path.into(),
                    source,
                })?;
            let hasher = std::sync::Arc::new(std::sync::Mutex::new(Sha1::new()));
            let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let (h, s, report) = (hasher.clone(), sent.clone(), progress.clone());
            let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024).inspect_ok(
                move |chunk| {
                    if let Ok(mut h) = h.lock() {
                        h.update(chunk);
                    }
                    let done = s
                        .fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed)
                        + chunk.len() as u64;
                    if let Some(p) = &report {
                        p(Progress {
                            done,
                            total: Some(len),
                        });
                    }
                },
            );
            let part = reqwest::multipart::Part::stream_with_length(
                reqwest::Body::wrap_stream(stream),
                len,
            )
            // The part's filename is a header: a line break in the name would end it
            // and break the body. The document's name was set at create.
            .file_name(name.replace(char::is_control, " "))
            .mime_str("application/octet-stream")
            .map_err(Error::from_reqwest)?;
            let form = reqwest::multipart::Form::new().part("documentFile", part);
            let request = self
                .http
                .put(url.clone())
                .query(&[("version", version.as_str())])
                .multipart(form);
            let (response, token) = self.send_with_token(request).await?;
            if response.status() == reqwest::StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                if self.refresh_after_401(token).await {
                    continue;
                }
            }
            if !response.status().is_success() {
                return Err(Error::from_response(response).await);
            }
            let answer: DocumentPartialResponse =
                response.json().await.map_err(Error::from_reqwest)?;
            let digest = hasher
                .lock()
                .map(|h| h.clone().finalize())
                .map_err(|_| Error::InvalidInput("the upload hasher was poisoned".into()))?;
            return Ok(Uploaded {
                document_id,
                version: answer
                    .document_partial
                    .into_iter()
                    .next()
                    .and_then(|p| p.version)
                    .or(Some(version)),
                bytes: sent.load(std::sync::atomic::Ordering::Relaxed),
                sha1_base64: base64::engine::general_purpose::STANDARD.encode(digest),
            });
        }
    }
}
