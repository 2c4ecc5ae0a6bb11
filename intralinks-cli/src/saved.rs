//! The sessions `intralinks login` saves for later commands, one per host:
//! base URL, the app's keys (needed to refresh and to revoke) and the token
//! pair, in a file only the user can read. Logging in to a second host keeps
//! the first; the host logged in to last is the default when no base URL is
//! given.
//!
//! Refresh tokens are single-use, so every new pair is written back as soon
//! as the library hands it out. Writes are atomic (a temporary file in the
//! same directory, created 0600, synced, then renamed over the old one) and
//! made under an advisory lock, so the file is 0600 whatever was there
//! before, a crash never leaves half a file, two commands on two hosts do not
//! lose each other's tokens, and a symbolic link at the path is replaced,
//! never followed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use intralinks_ext::store::{LockedStore, TokenStore};
use intralinks_ext::{AppKeys, Secret, TokenPair};
use serde::{Deserialize, Serialize};

/// One host's session.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    /// Host root the tokens belong to.
    pub base_url: String,
    /// The app's client_id.
    pub client_id: Option<String>,
    /// The app's client_secret (to refresh and revoke without the environment).
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// The token pair.
    #[serde(default)]
    pub tokens: Option<TokenPair>,
    /// A bare access token, as files written by earlier versions hold.
    #[serde(default, alias = "access_token", skip_serializing)]
    pub access_token: Option<Secret>,
}

impl Saved {
    /// The app keys, when both halves are known.
    pub fn keys(&self) -> Option<AppKeys> {
        Some(AppKeys {
            client_id: self.client_id.clone()?,
            client_secret: self.client_secret.clone()?,
        })
    }

    /// The access token to revoke.
    pub fn access(&self) -> Option<Secret> {
        self.tokens
            .as_ref()
            .map(|t| t.access_token.clone())
            .or_else(|| self.access_token.clone())
    }
}

/// The whole file: every host's session and the default host.
#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sessions {
    /// Host root (canonical) → its session.
    #[serde(default)]
    pub sessions: BTreeMap<String, Saved>,
    /// The host logged in to last.
    #[serde(default)]
    pub default: Option<String>,
}

/// The form a base URL is filed under: the checked host root without a
/// trailing slash or `/v2`, so `https://h/`, `https://h/v2` and `https://h`
/// find the same session. A URL the library refuses is kept as typed (the
/// command then fails with the library's message).
pub fn canonical(base_url: &str) -> String {
    match intralinks_ext::parse_base_url(base_url) {
        Ok(url) => url.as_str().trim_end_matches('/').to_string(),
        Err(_) => base_url.trim().trim_end_matches('/').to_string(),
    }
}

/// Where the session lives: $INTRALINKS_SESSION_FILE, else
/// $XDG_CONFIG_HOME/intralinks/session.json, else ~/.config/intralinks/session.json.
pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("INTRALINKS_SESSION_FILE") {
        return Some(PathBuf::from(p));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("intralinks").join("session.json"))
}

/// The most a session file may hold; this program writes well under 4 KiB.
const MAX_SESSION_BYTES: u64 = 64 * 1024;

/// Reads the saved session for `base_url`, if there is one. A session file
/// that is a symbolic link is refused: it may point at someone else's file.
/// The file is opened without following a link (`O_NOFOLLOW`) and the opened
/// handle is checked (`fstat`), so a link swapped in between a check and the
/// read cannot slip another session in.
pub fn load(base_url: &str) -> Result<Option<Saved>, String> {
    Ok(read_all()?.sessions.remove(&canonical(base_url)))
}

/// Every saved session, and the default host.
pub fn read_all() -> Result<Sessions, String> {
    let Some(path) = path() else {
        return Ok(Sessions::default());
    };
    let Some(text) = read_private(&path)? else {
        return Ok(Sessions::default());
    };
    parse(&text).map_err(|e| {
        format!(
            "the session file {} is not one this program wrote ({e}); remove it and run `intralinks login`",
            path.display()
        )
    })
}

/// The file's text: the per-host form, or the one session earlier versions wrote.
fn parse(text: &str) -> Result<Sessions, serde_json::Error> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    if value.get("baseUrl").is_some() {
        let one: Saved = serde_json::from_value(value)?;
        let key = canonical(&one.base_url);
        return Ok(Sessions {
            default: Some(key.clone()),
            sessions: BTreeMap::from([(key, one)]),
        });
    }
    let mut all: Sessions = serde_json::from_value(value)?;
    // Keys are canonical whatever wrote them.
    all.sessions = std::mem::take(&mut all.sessions)
        .into_values()
        .map(|s| (canonical(&s.base_url), s))
        .collect();
    Ok(all)
}

/// The host logged in to last, when there is a saved session.
pub fn default_host() -> Option<String> {
    let all = read_all().ok()?;
    all.default
        .filter(|d| all.sessions.contains_key(d))
        .or_else(|| (all.sessions.len() == 1).then(|| all.sessions.keys().next().cloned())?)
}

/// Opens `path` without following a symbolic link, checks what was opened
/// (a regular file, not too large) and reads it; `None` when there is none.
fn read_private(path: &Path) -> Result<Option<String>, String> {
    use std::io::Read;
    let link = || {
        format!(
            "the session file {} is a symbolic link; remove it and run `intralinks login`",
            path.display()
        )
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(link()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    // The handle's own metadata: what was opened, not what the path names now.
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.file_type().is_symlink() {
        return Err(link());
    }
    if !meta.is_file() {
        return Err(format!(
            "the session file {} is not a regular file; remove it and run `intralinks login`",
            path.display()
        ));
    }
    if meta.len() > MAX_SESSION_BYTES {
        return Err(format!(
            "the session file {} is larger than a session ({} bytes); remove it and run `intralinks login`",
            path.display(),
            meta.len()
        ));
    }
    let mut text = String::new();
    file.take(MAX_SESSION_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Some(text))
}

/// Saves `saved` as its host's session (others are kept) and makes that host
/// the default, atomically, readable by the user only.
pub fn store(saved: &Saved) -> Result<PathBuf, String> {
    update(|all| {
        let key = canonical(&saved.base_url);
        all.sessions.insert(key.clone(), saved.clone());
        all.default = Some(key);
    })
}

/// Writes back `saved`'s tokens without changing the default host.
pub fn store_tokens(saved: &Saved) -> Result<PathBuf, String> {
    update(|all| {
        all.sessions
            .insert(canonical(&saved.base_url), saved.clone());
    })
}

/// Reads, changes and writes the file under an advisory lock.
fn update(change: impl FnOnce(&mut Sessions)) -> Result<PathBuf, String> {
    let path =
        path().ok_or("cannot tell where to save the session: set INTRALINKS_SESSION_FILE")?;
    let _lock = Lock::take(&path)?;
    update_locked(&path, change)?;
    Ok(path)
}

/// [`update`], with the lock already held.
fn update_locked(path: &Path, change: impl FnOnce(&mut Sessions)) -> Result<(), String> {
    let mut all = read_all()?;
    change(&mut all);
    write_private(
        path,
        &serde_json::to_vec_pretty(&all).map_err(|e| e.to_string())?,
    )
}

/// One host's saved session as the library's token store: the session
/// refreshes under the session file's lock and reads the file again once it
/// holds it, so that commands started together (`xargs -P4`, cron at the top
/// of the hour) cost one refresh, and all of them go on.
pub struct HostStore {
    base_url: String,
}

impl HostStore {
    /// The store of `base_url`'s session.
    pub fn new(base_url: &str) -> Self {
        HostStore {
            base_url: canonical(base_url),
        }
    }
}

impl TokenStore for HostStore {
    fn lock(&self) -> intralinks_ext::Result<Box<dyn LockedStore>> {
        let path = path().ok_or_else(|| {
            intralinks_ext::Error::InvalidInput(
                "cannot tell where the session is saved: set INTRALINKS_SESSION_FILE".into(),
            )
        })?;
        let lock = Lock::take(&path).map_err(intralinks_ext::Error::InvalidInput)?;
        Ok(Box::new(LockedHost {
            _lock: lock,
            path,
            base_url: self.base_url.clone(),
        }))
    }
}

/// A [`HostStore`] under the session file's lock.
struct LockedHost {
    _lock: Lock,
    path: PathBuf,
    base_url: String,
}

impl LockedStore for LockedHost {
    fn load(&mut self) -> intralinks_ext::Result<Option<TokenPair>> {
        let mut all = read_all().map_err(intralinks_ext::Error::InvalidInput)?;
        Ok(all.sessions.remove(&self.base_url).and_then(|s| s.tokens))
    }

    fn save(&mut self, pair: &TokenPair) -> intralinks_ext::Result<()> {
        update_locked(&self.path, |all| {
            if let Some(s) = all.sessions.get_mut(&self.base_url) {
                s.tokens = Some(pair.clone());
            }
        })
        .map_err(intralinks_ext::Error::InvalidInput)
    }
}

/// An advisory lock on `<session file>.lock`, released when dropped.
struct Lock(#[allow(dead_code)] std::fs::File);

impl Lock {
    fn take(path: &Path) -> Result<Lock, String> {
        let mut name = path.as_os_str().to_owned();
        name.push(".lock");
        let lock_path = PathBuf::from(name);
        if let Some(dir) = lock_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let file = intralinks_ext::lock::hold_blocking(&lock_path).map_err(|e| e.to_string())?;
        Ok(Lock(file))
    }
}

/// Writes `bytes` to `path` through a 0600 temporary file renamed into place.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let fail = |e: std::io::Error| format!("cannot save the session to {}: {e}", path.display());
    // tempfile creates the file with mode 0600 on Unix.
    let mut temp = tempfile::Builder::new()
        .prefix(".session.")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Forgets `base_url`'s session; the file goes when it holds no other.
pub fn remove(base_url: &str) -> Result<(), String> {
    let path = update(|all| {
        let key = canonical(base_url);
        all.sessions.remove(&key);
        if all.default.as_deref() == Some(key.as_str()) {
            all.default = None;
        }
    })?;
    if read_all()?.sessions.is_empty() {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_link_swapped_in_is_never_read_through() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.json");
        std::fs::write(&other, "OTHER SESSION").unwrap();
        let session = dir.path().join("session.json");
        std::os::unix::fs::symlink(&other, &session).unwrap();
        let e = read_private(&session).unwrap_err();
        assert!(e.contains("is a symbolic link; remove it"), "{e}");

        // A file and a link to another session swapped back and forth
        // while reading: only the file's own text is ever read.
        std::fs::remove_file(&session).unwrap();
        let mine = dir.path().join("mine.json");
        let link = dir.path().join("link.json");
        std::fs::write(&mine, "MY SESSION").unwrap();
        std::os::unix::fs::symlink(&other, &link).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let swapper = {
            let (stop, session, mine, link) =
                (stop.clone(), session.clone(), mine.clone(), link.clone());
            std::thread::spawn(move || {
                let (tmp_file, tmp_link) =
                    (session.with_extension("f"), session.with_extension("l"));
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = std::fs::copy(&mine, &tmp_file);
                    let _ = std::fs::rename(&tmp_file, &session);
                    let _ = std::fs::remove_file(&tmp_link);
                    let _ =
                        std::os::unix::fs::symlink(std::fs::read_link(&link).unwrap(), &tmp_link);
                    let _ = std::fs::rename(&tmp_link, &session);
                }
            })
        };
        let (mut files, mut links) = (0, 0);
        let started = std::time::Instant::now();
        while files < 500 || links < 500 {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "the swap was seen {files} times as a file, {links} as a link"
            );
            match read_private(&session) {
                Ok(Some(text)) => {
                    assert_eq!(text, "MY SESSION");
                    files += 1;
                }
                Err(e) if e.contains("symbolic link") => links += 1,
                Ok(None) => {}
                Err(e) => panic!("{e}"),
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        swapper.join().unwrap();
    }

    #[test]
    fn a_session_file_too_large_or_not_a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b' '; 70 * 1024]).unwrap();
        let e = read_private(&big).unwrap_err();
        assert!(e.contains("larger than a session (71680 bytes)"), "{e}");
        let e = read_private(dir.path()).unwrap_err();
        assert!(e.contains("is not a regular file"), "{e}");
        assert_eq!(read_private(&dir.path().join("none.json")).unwrap(), None);
    }

    #[cfg(unix)]
    #[test]
    fn writes_are_private_and_replace_a_symlink_instead_of_following_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        let session = dir.path().join("session.json");
        std::os::unix::fs::symlink(&victim, &session).unwrap();
        write_private(&session, b"{\"secret\": 1}").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        let meta = std::fs::symlink_metadata(&session).unwrap();
        assert!(meta.file_type().is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);

        // An existing world-readable file ends up 0600 too.
        let open = dir.path().join("open.json");
        std::fs::write(&open, "old").unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&open, b"new").unwrap();
        assert_eq!(
            std::fs::metadata(&open).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(std::fs::read_to_string(&open).unwrap(), "new");
    }
}
