//! Files opened as a careful writer opens them: never through a symbolic
//! link, and locked so that one process at a time writes what they guard
//! (a stored session, a room being applied).
//!
//! The locks are the operating system's advisory locks (`File::lock`):
//! they hold between processes on one host, and go when the file is closed
//! or the process ends, `kill -9` included; they do not span machines.

use std::path::Path;

use crate::error::{Error, Result};

/// Opens `path` with `options`, refusing a symbolic link as its last
/// component ([`Error::UnsafePath`]) instead of following it; a file it
/// creates is `mode` (before the umask) on Unix.
pub fn open_nofollow(
    path: &Path,
    options: &mut std::fs::OpenOptions,
    mode: u32,
) -> Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode).custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path).map_err(|source| {
        #[cfg(unix)]
        if source.raw_os_error() == Some(libc::ELOOP) {
            return Error::UnsafePath {
                path: path.into(),
                what: "symbolic link",
            };
        }
        Error::Io {
            action: "cannot open",
            path: path.into(),
            source,
        }
    })
}

/// Takes `file`'s exclusive lock, `path` naming it in errors: at once when
/// no one holds it; otherwise `waiting` is told once, and the lock is
/// waited for on the blocking pool. The lock goes with the file.
pub async fn exclusive(
    file: std::fs::File,
    path: &Path,
    waiting: impl FnOnce(),
) -> Result<std::fs::File> {
    let fail = |source| Error::Io {
        action: "cannot lock",
        path: path.into(),
        source,
    };
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => waiting(),
        Err(std::fs::TryLockError::Error(e)) => return Err(fail(e)),
    }
    tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|e| Error::InvalidInput(format!("the lock's task failed: {e}")))?
        .map_err(fail)
}

/// Creates (0600) or opens the lock file at `path`, not through a link,
/// and takes its exclusive lock as [`exclusive`] does.
pub async fn hold(path: &Path, waiting: impl FnOnce()) -> Result<std::fs::File> {
    exclusive(open_lock_file(path)?, path, waiting).await
}

/// [`hold`] for code that may block (a thread, the blocking pool): waits
/// for the lock in place.
pub fn hold_blocking(path: &Path) -> Result<std::fs::File> {
    let file = open_lock_file(path)?;
    file.lock().map_err(|source| Error::Io {
        action: "cannot lock",
        path: path.into(),
        source,
    })?;
    Ok(file)
}

fn open_lock_file(path: &Path) -> Result<std::fs::File> {
    open_nofollow(
        path,
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
        0o600,
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_holder_is_told_and_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let first = hold(&path, || panic!("nobody holds it yet")).await.unwrap();
        let told = Arc::new(AtomicUsize::new(0));
        let second = tokio::spawn({
            let (path, told) = (path.clone(), Arc::clone(&told));
            async move {
                hold(&path, || {
                    told.fetch_add(1, Ordering::SeqCst);
                })
                .await
                .map(|_| ())
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert!(!second.is_finished());
        assert_eq!(told.load(Ordering::SeqCst), 1);
        drop(first);
        second.await.unwrap().unwrap();
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_symbolic_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, dir.path().join("x.lock")).unwrap();
        let e = hold(&dir.path().join("x.lock"), || {}).await.unwrap_err();
        assert!(matches!(e, Error::UnsafePath { .. }), "{e:?}");
        assert!(!target.exists(), "nothing was created through the link");
    }
}
