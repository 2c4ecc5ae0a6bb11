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
//! also go into any [`AsyncWrite`](tokio::io::AsyncWrite) (memory, object storage, a socket), checked
//! the same way. Uploads create the document, then stream the bytes as the
//! multipart part `documentFile` — from a file (retried on transient
//! failures by reopening it) or from any [`AsyncRead`](tokio::io::AsyncRead) of known length —
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

mod download;
mod part;
mod upload;

use std::path::{Path, PathBuf};

use base64::Engine;
use intralinks_api::types::Document;
use sha1::{Digest, Sha1};

use crate::Intralinks;
use crate::error::{Checked, Error, Result};
use crate::pipe::{Pump, TransferLimits};

pub use crate::pipe::{Progress, ProgressFn};
pub use download::{Body, Filled, SMALL_DOWNLOAD};
pub use part::{Part, has_other_names, part_key, partial_download};
pub use upload::Removal;

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
}
