//! Where `download -o` writes and where `upload` reads, decided before a byte
//! moves: `-` is standard output (or input); a pipe or a character device
//! (`/dev/stdout`, `/dev/null`, a FIFO) is written through, never replaced; a
//! symbolic link, a directory or anything else that is not a regular file is
//! refused and left alone; a missing directory is an error, never created.

use std::path::{Path, PathBuf};

use crate::output::safe;

/// Where a download goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Output {
    /// A regular file (new, or replaced atomically once verified).
    File(PathBuf),
    /// Standard output.
    Stdout,
    /// A pipe or character device, opened and written as it is.
    Through(PathBuf),
}

/// How `path` is written (see the module's doc).
pub fn output(path: &Path) -> Result<Output, String> {
    if path.as_os_str() == "-" {
        return Ok(Output::Stdout);
    }
    let shown = || safe(&path.display().to_string()).into_owned();
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match std::fs::metadata(path) {
            Ok(target) if written_through(&target) => Ok(Output::Through(path.to_path_buf())),
            _ => Err(format!(
                "{} is a symbolic link and was left alone: give the path of the file itself, or remove the link",
                shown()
            )),
        },
        Ok(meta) if written_through(&meta) => Ok(Output::Through(path.to_path_buf())),
        Ok(meta) if meta.is_dir() => Err(format!(
            "{} is a directory: name a file in it, e.g. -o {}/NAME",
            shown(),
            shown()
        )),
        Ok(meta) if meta.is_file() => Ok(Output::File(path.to_path_buf())),
        Ok(_) => Err(format!(
            "{} is neither a regular file, a pipe nor a terminal, and was left alone",
            shown()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            match std::fs::metadata(parent) {
                Ok(m) if m.is_dir() => Ok(Output::File(path.to_path_buf())),
                Ok(_) => Err(format!(
                    "{} is not a directory",
                    safe(&parent.display().to_string())
                )),
                Err(_) => Err(format!(
                    "the directory {} does not exist: create it first, or write elsewhere",
                    safe(&parent.display().to_string())
                )),
            }
        }
        Err(e) => Err(format!("cannot use {}: {e}", shown())),
    }
}

/// A pipe (FIFO), a socket or a character device: written as it is.
fn written_through(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        t.is_fifo() || t.is_char_device() || t.is_socket()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Copies standard input into a private temporary file, so that an upload
/// knows its length and can be sent again; the file goes when dropped.
pub async fn spool_stdin() -> Result<tempfile::NamedTempFile, String> {
    let spool = tempfile::NamedTempFile::new()
        .map_err(|e| format!("cannot make a temporary file for standard input: {e}"))?;
    let file = spool
        .reopen()
        .map_err(|e| format!("cannot write the temporary file: {e}"))?;
    let mut file = tokio::fs::File::from_std(file);
    let mut stdin = tokio::io::stdin();
    tokio::io::copy(&mut stdin, &mut file)
        .await
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    tokio::io::AsyncWriteExt::flush(&mut file)
        .await
        .map_err(|e| format!("cannot write the temporary file: {e}"))?;
    Ok(spool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_path_is_decided() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(output(Path::new("-")).unwrap(), Output::Stdout);
        assert_eq!(
            output(&d.join("new.pdf")).unwrap(),
            Output::File(d.join("new.pdf"))
        );
        std::fs::write(d.join("old.pdf"), b"x").unwrap();
        assert_eq!(
            output(&d.join("old.pdf")).unwrap(),
            Output::File(d.join("old.pdf"))
        );
        let e = output(&d.join("missing/x.pdf")).unwrap_err();
        assert!(e.starts_with("the directory "), "{e}");
        assert!(
            e.ends_with("missing does not exist: create it first, or write elsewhere"),
            "{e}"
        );
        assert!(!d.join("missing").exists());
        let e = output(d).unwrap_err();
        assert!(e.contains("is a directory: name a file in it"), "{e}");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.join("old.pdf"), d.join("link.pdf")).unwrap();
            let e = output(&d.join("link.pdf")).unwrap_err();
            assert!(e.ends_with("is a symbolic link and was left alone: give the path of the file itself, or remove the link"), "{e}");
            assert_eq!(
                output(Path::new("/dev/null")).unwrap(),
                Output::Through("/dev/null".into())
            );
            let fifo = d.join("fifo");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: mkfifo on a path string this test owns.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            assert_eq!(output(&fifo).unwrap(), Output::Through(fifo.clone()));
        }
    }
}
