//! The session `intralinks login` saves for later commands: base URL, client
//! id and access token, in a file only the user can read.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// What is saved.
#[derive(Serialize, Deserialize)]
pub struct Saved {
    /// Host root the token belongs to.
    pub base_url: String,
    /// The app's client_id (needed to revoke).
    pub client_id: Option<String>,
    /// The access token.
    pub access_token: String,
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

/// Reads the saved session, if there is one for `base_url`.
pub fn load(base_url: &str) -> Option<Saved> {
    let text = std::fs::read_to_string(path()?).ok()?;
    let saved: Saved = serde_json::from_str(&text).ok()?;
    (saved.base_url.trim_end_matches('/') == base_url.trim_end_matches('/')).then_some(saved)
}

/// Saves the session, readable by the user only.
pub fn store(saved: &Saved) -> Result<PathBuf, String> {
    let path =
        path().ok_or("cannot tell where to save the session: set INTRALINKS_SESSION_FILE")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(saved).map_err(|e| e.to_string())?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    options
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot save the session to {}: {e}", path.display()))?;
    Ok(path)
}

/// Forgets the saved session.
pub fn remove() {
    if let Some(p) = path() {
        let _ = std::fs::remove_file(p);
    }
}
