//! Where a session's tokens live between runs, shared by every process that
//! uses them.
//!
//! Refresh tokens are single-use: when two processes hold the same pair and
//! both refresh, the second is refused and logged out. A [`Session`] given a
//! [`TokenStore`] ([`crate::Builder::token_store`]) therefore refreshes under
//! the store's lock, and reads the store again once it holds the lock: a pair
//! another process stored meanwhile is taken as it is, so that N processes
//! whose token is due cost one refresh, and all of them go on. Each new pair
//! (the login's, every refresh's) is written back before the lock is let go.
//!
//! [`FileStore`] keeps one pair in a file: mode 0600, replaced atomically
//! (a temporary file in the same directory, synced, renamed over), never
//! read or written through a symbolic link, locked through a `.lock` file
//! beside it with the operating system's advisory lock (`File::lock`). Your
//! own store (a vault, a database row) implements the two traits.
//!
//! ```
//! # fn main() -> intralinks_ext::Result<()> {
//! use std::sync::Arc;
//! use intralinks_ext::store::{FileStore, TokenStore};
//!
//! let dir = tempfile::tempdir().expect("a temporary directory");
//! let store = FileStore::new(dir.path().join("session.json"));
//! // Nothing stored yet: log in, with `Builder::token_store(Arc::new(store))`.
//! assert!(store.lock()?.load()?.is_none());
//! # Ok(()) }
//! ```
//!
//! [`Session`]: crate::Session

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use std::fmt;
use std::time::SystemTime;

use intralinks_api::Secret;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The tokens of a session, to keep across restarts: hand them to
/// [`crate::Builder::session`] to go on without logging in again.
///
/// Refresh tokens are single-use: after every refresh the session publishes
/// a new pair ([`crate::Session::subscribe`]), and only the newest one works. The
/// pair serializes with the tokens in clear (it is meant to be stored), so
/// store it as you would a password; its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    /// The access token.
    pub access_token: Secret,
    /// The refresh token, when the service granted one.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// When the access token expires.
    #[serde(with = "unix_seconds")]
    pub expires_at: SystemTime,
    /// The email the service says the token belongs to.
    #[serde(default)]
    pub email: Option<String>,
}

impl fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenPair")
            .field("access_token", &"***")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .field("expires_at", &self.expires_at)
            .field("email", &self.email)
            .finish()
    }
}

mod unix_seconds {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        let secs = t
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        s.serialize_u64(secs)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
        let secs = u64::deserialize(d)?;
        UNIX_EPOCH
            .checked_add(Duration::from_secs(secs))
            .ok_or_else(|| serde::de::Error::custom("expiry out of range"))
    }
}

/// A place that keeps one [`TokenPair`] for several processes.
pub trait TokenStore: Send + Sync + 'static {
    /// Takes the store's exclusive lock, waiting while another holder (in
    /// this process or another) has it; it is let go when the answer is
    /// dropped. Blocking: a session calls it on the blocking pool.
    fn lock(&self) -> Result<Box<dyn LockedStore>>;
}

/// A [`TokenStore`] under its lock.
pub trait LockedStore: Send {
    /// The pair stored now, if any.
    fn load(&mut self) -> Result<Option<TokenPair>>;
    /// Stores `pair` in place of what was there, whole or not at all.
    fn save(&mut self, pair: &TokenPair) -> Result<()>;
}

/// A store as the builder and the session hold it.
#[derive(Clone)]
pub(crate) struct Shared(pub(crate) std::sync::Arc<dyn TokenStore>);

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenStore")
    }
}

impl Shared {
    /// Runs `f` under the store's lock, on the blocking pool.
    pub(crate) async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn LockedStore) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = std::sync::Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || {
            let mut locked = store.lock()?;
            f(locked.as_mut())
        })
        .await
        .unwrap_or_else(|e| {
            Err(Error::InvalidInput(format!(
                "the token store's task failed: {e}"
            )))
        })
    }

    /// Takes the lock and keeps it (on the blocking pool) until the answer is dropped.
    pub(crate) async fn hold(&self) -> Result<Box<dyn LockedStore>> {
        let store = std::sync::Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || store.lock())
            .await
            .unwrap_or_else(|e| {
                Err(Error::InvalidInput(format!(
                    "the token store's task failed: {e}"
                )))
            })
    }
}

/// One [`TokenPair`] in a JSON file (see the [module](self) for the rules).
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// The store at `path`; its lock is `path` with `.lock` added. Nothing
    /// is touched until the first [`TokenStore::lock`], which creates the
    /// directory when it is missing.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore { path: path.into() }
    }

    /// The file that holds the pair.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl TokenStore for FileStore {
    fn lock(&self) -> Result<Box<dyn LockedStore>> {
        let mut name = self.path.as_os_str().to_owned();
        name.push(".lock");
        let lock_path = PathBuf::from(name);
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                action: "cannot create",
                path: dir.into(),
                source,
            })?;
        }
        let file = crate::lock::hold_blocking(&lock_path)?;
        Ok(Box::new(LockedFile {
            path: self.path.clone(),
            _lock: file,
        }))
    }
}

/// A [`FileStore`] under its lock; the lock goes with the handle.
struct LockedFile {
    path: PathBuf,
    _lock: std::fs::File,
}

/// The most a stored pair may take (a pair is well under 16 KiB).
const STORED_LIMIT: u64 = 1024 * 1024;

impl LockedStore for LockedFile {
    fn load(&mut self) -> Result<Option<TokenPair>> {
        let file = match open_private(&self.path) {
            Ok(f) => f,
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let io = |source| Error::Io {
            action: "cannot read",
            path: self.path.clone(),
            source,
        };
        let meta = file.metadata().map_err(io)?;
        if !meta.is_file() {
            return Err(Error::UnsafePath {
                path: self.path.clone(),
                what: "special file",
            });
        }
        let mut text = String::new();
        file.take(STORED_LIMIT + 1)
            .read_to_string(&mut text)
            .map_err(io)?;
        if text.len() as u64 > STORED_LIMIT {
            return Err(Error::InvalidInput(format!(
                "{} is larger than a stored session can be; remove it and log in again",
                self.path.display()
            )));
        }
        serde_json::from_str(&text).map(Some).map_err(|e| {
            Error::InvalidInput(format!(
                "{} does not hold a stored session ({e}); remove it and log in again",
                self.path.display()
            ))
        })
    }

    fn save(&mut self, pair: &TokenPair) -> Result<()> {
        let io = |action, source| Error::Io {
            action,
            path: self.path.clone(),
            source,
        };
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        // tempfile creates its file 0600 on Unix, in the same directory, so
        // the rename is atomic and never follows a link at `path`.
        let mut temp = tempfile::Builder::new()
            .prefix(".session")
            .tempfile_in(dir)
            .map_err(|e| io("cannot write", e))?;
        let json = serde_json::to_vec_pretty(pair)
            .map_err(|e| io("cannot write", std::io::Error::other(e)))?;
        temp.write_all(&json)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| io("cannot write", e))?;
        temp.persist(&self.path)
            .map_err(|e| io("cannot replace", e.error))?;
        Ok(())
    }
}

/// Opens `path` for reading, without following a symbolic link.
fn open_private(path: &Path) -> Result<std::fs::File> {
    crate::lock::open_nofollow(path, std::fs::OpenOptions::new().read(true), 0o600)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use intralinks_api::Secret;

    use super::*;

    fn pair(access: &str) -> TokenPair {
        TokenPair {
            access_token: Secret::new(access),
            refresh_token: Some(Secret::new(format!("r-{access}"))),
            expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000),
            email: Some("a@example.com".into()),
        }
    }

    #[test]
    fn a_pair_is_stored_whole_and_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("s.json"));
        assert!(store.lock().unwrap().load().unwrap().is_none());
        store.lock().unwrap().save(&pair("one")).unwrap();
        // A directory that does not exist yet is made.
        let deeper = FileStore::new(dir.path().join("a/b/s.json"));
        deeper.lock().unwrap().save(&pair("x")).unwrap();
        assert!(deeper.lock().unwrap().load().unwrap().is_some());
        std::fs::remove_dir_all(dir.path().join("a")).unwrap();
        store.lock().unwrap().save(&pair("two")).unwrap();
        let got = store.lock().unwrap().load().unwrap().unwrap();
        assert_eq!(got.access_token.expose(), "two");
        assert_eq!(got.refresh_token.unwrap().expose(), "r-two");
        assert_eq!(got.email.as_deref(), Some("a@example.com"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Only the pair and its lock are left in the directory.
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["s.json", "s.json.lock"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_neither_read_nor_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "kept").unwrap();
        let path = dir.path().join("s.json");
        std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        let store = FileStore::new(&path);
        let e = store.lock().unwrap().load().unwrap_err();
        assert!(matches!(e, Error::UnsafePath { .. }), "{e:?}");
        store.lock().unwrap().save(&pair("one")).unwrap();
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "kept");
        assert!(!std::fs::symlink_metadata(&path).unwrap().is_symlink());
    }

    #[test]
    fn the_lock_is_exclusive_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("s.json"));
        let held = store.lock().unwrap();
        let other = store.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let _second = other.lock().unwrap();
            tx.send(()).unwrap();
        });
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
        drop(held);
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        waiter.join().unwrap();
    }

    #[test]
    fn a_file_that_is_not_a_pair_is_an_error_that_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("s.json"));
        std::fs::write(store.path(), "{not json").unwrap();
        let e = store.lock().unwrap().load().unwrap_err();
        assert!(e.to_string().contains("log in again"), "{e}");
    }
}
