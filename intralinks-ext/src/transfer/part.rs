//! Part files: where a download to a file keeps its bytes until they are
//! complete and verified, named after the document's version so that a
//! part of another version is never resumed.

use std::path::{Path, PathBuf};

use intralinks_api::types::Document;
use sha1::{Digest, Sha1};

use crate::error::{Error, Result};

/// The part file of a download of `doc` to `dest`: hidden beside it, named
/// after the document's id, version, hash and size, so that a part of any
/// other version is never resumed.
pub(super) fn part_path(dest: &Path, doc: &Document) -> (PathBuf, String, String) {
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

/// The partial file a stopped or failed
/// [`Intralinks::download`](crate::Intralinks::download) to `dest`
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
pub(super) fn remove_stray_parts(dir: &Path, prefix: &str, keep: &Path) {
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
pub(super) fn open_part(part: &Path) -> Result<(std::fs::File, u64)> {
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
    let mut file = options.open(part).map_err(io("cannot open"))?;
    let mut meta = file.metadata().map_err(io("cannot read"))?;
    if has_other_names(&meta) {
        // A hard link (a `cp -al` snapshot, `rsync --link-dest`): appending
        // would grow the other name too. This name goes; a new file starts.
        drop(file);
        std::fs::remove_file(part).map_err(io("cannot remove"))?;
        file = options.open(part).map_err(io("cannot open"))?;
        meta = file.metadata().map_err(io("cannot read"))?;
    }
    if !meta.is_file() || has_other_names(&meta) {
        return Err(Error::InvalidInput(format!(
            "{} is not a regular file; remove it and download again",
            part.display()
        )));
    }
    Ok((file, meta.len()))
}

/// Whether a file has names other than the one it was opened by.
pub fn has_other_names(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::nlink(meta) > 1
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Never open a part file through a symbolic link.
#[cfg(unix)]
const NOFOLLOW: i32 = libc::O_NOFOLLOW;

/// A partial download open for
/// [`Intralinks::fill_part`](crate::Intralinks::fill_part), wherever it
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
