//! Uploads: create the document, then stream its bytes as the multipart
//! part `documentFile` — retried from a file, sent once from a reader.

use std::path::Path;

use futures_util::StreamExt;
use intralinks_api::types::{
    CreateDocumentsRequest, DocumentInput, DocumentInputItem, DocumentPartialResponse,
};
use progenitor_client::ClientInfo;
use tokio::io::AsyncRead;

use super::{DocumentRef, FolderRef, Progress, ProgressFn, Uploaded};
use crate::Intralinks;
use crate::error::{Checked, Error, Result};
use crate::pipe::TransferLimits;

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

impl Intralinks {
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
    /// use intralinks_ext::{FolderRef, file_hash};
    ///
    /// // This workspace demands nothing at entry, so it needs no entry call.
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
        self.upload_into(None, folder, path, name, progress).await
    }

    /// [`Intralinks::upload`], the document created in open batch `batch`
    /// when one is given (`crate::postings`).
    pub(crate) async fn upload_into(
        &self,
        batch: Option<i64>,
        folder: FolderRef,
        path: &Path,
        name: Option<&str>,
        progress: Option<ProgressFn>,
    ) -> Result<Uploaded> {
        let len = regular_file_len(path).await?;
        let name = upload_name(path, name)?;
        let (document_id, version) = self.create_document_into(batch, folder, &name).await?;
        let target = DocumentRef {
            workspace_id: folder.workspace_id,
            document_id,
        };
        let result = self
            .put_file_retried(batch, target, Some(version), &name, path, len, progress)
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
        self.put_new_version_into(None, document, path, name, progress)
            .await
    }

    /// [`Intralinks::put_new_version`], posted in open batch `batch` when
    /// one is given (`crate::postings`).
    pub(crate) async fn put_new_version_into(
        &self,
        batch: Option<i64>,
        document: DocumentRef,
        path: &Path,
        name: Option<&str>,
        progress: Option<ProgressFn>,
    ) -> Result<Uploaded> {
        let len = regular_file_len(path).await?;
        let name = upload_name(path, name)?;
        self.put_file_retried(batch, document, None, &name, path, len, progress)
            .await
    }

    /// Puts `path` into `target`, retried on transient failures with a
    /// fresh file each time. `version` is the document's current version
    /// when known; otherwise it is looked up first.
    #[allow(clippy::too_many_arguments)]
    async fn put_file_retried(
        &self,
        batch: Option<i64>,
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
                    self.put_version_into(
                        batch,
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
        self.create_document_into(None, folder, name).await
    }

    /// [`Intralinks::create_document`], in open batch `batch` when one is
    /// given (`batch_id`, `crate::postings`).
    pub(crate) async fn create_document_into(
        &self,
        batch: Option<i64>,
        folder: FolderRef,
        name: &str,
    ) -> Result<(i64, String)> {
        let mut create = self
            .api()
            .create_documents()
            .workspace_id(folder.workspace_id);
        if let Some(b) = batch {
            create = create.batch_id(b);
        }
        let created = create
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
        self.put_version_into(
            None,
            target,
            version,
            name,
            reader,
            len,
            progress,
            limits,
            answer_timeout,
        )
        .await
    }

    /// [`Intralinks::put_version`], the new version posted in open batch
    /// `batch` when one is given: `batch_id` on the file PUT, as on the
    /// document create (the simulator's reading; no source shows the
    /// parameter on the PUT). See [`Intralinks::put_version_in_batch`].
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn put_version_into<R>(
        &self,
        batch: Option<i64>,
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
        let mut request = self
            .request(reqwest::Method::PUT, url)
            .query(&[("version", version)]);
        if let Some(b) = batch {
            request = request.query(&[("batch_id", b)]);
        }
        let request = request.multipart(form);
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
