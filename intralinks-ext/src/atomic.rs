//! An output that lands whole or not at all.
//!
//! [`AtomicFile`] writes to a temporary file in the target's directory; only
//! [`AtomicFile::commit`] — after the bytes are flushed and synced — renames
//! it over the target, in one step. A run that fails half-way (a full disk,
//! the service gone, a kill) leaves the previous file byte for byte, and at
//! worst a stray temporary file that starts with `.` and ends in `.tmp`.
//! The target is never opened, so a symbolic link there is replaced by the
//! new file, not written through.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A file being written, that replaces its target on [`AtomicFile::commit`]
/// and leaves it alone when dropped without it.
#[derive(Debug)]
pub struct AtomicFile {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl AtomicFile {
    /// Starts writing what will become `target`. The new file gets the
    /// target's permissions when it exists, else `rw-r--r--` (Unix).
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{} names no file; give a file name",
                    target.display()
                ))
            })?
            .to_string_lossy()
            .into_owned();
        let io = |source| Error::Io {
            action: "cannot create a file beside",
            path: target.into(),
            source,
        };
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(io)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = match std::fs::metadata(target) {
                Ok(m) if m.is_file() => m.permissions().mode() & 0o777,
                _ => 0o644,
            };
            temp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode))
                .map_err(io)?;
        }
        Ok(AtomicFile {
            temp,
            target: target.into(),
        })
    }

    /// The file it will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes and syncs what was written, then renames it over the target.
    pub fn commit(mut self) -> Result<()> {
        let target = self.target.clone();
        let io = |action, source| Error::Io {
            action,
            path: target.clone(),
            source,
        };
        self.temp
            .flush()
            .and_then(|()| self.temp.as_file().sync_all())
            .map_err(|e| io("cannot write", e))?;
        self.temp
            .persist(&self.target)
            .map_err(|e| io("cannot replace", e.error))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.temp.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn the_target_changes_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.csv");
        std::fs::write(&target, "last week\n").unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"this week\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "last week\n");
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "this week\n");
        assert_eq!(names(dir.path()), ["report.csv"]);

        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"half").unwrap();
        drop(f);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "this week\n");
        assert_eq!(names(dir.path()), ["report.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_target_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("profile");
        std::fs::write(&elsewhere, "keep").unwrap();
        let target = dir.path().join("out.yaml");
        std::os::unix::fs::symlink(&elsewhere, &target).unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(!std::fs::symlink_metadata(&target).unwrap().is_symlink());
    }
}
