//! The target directory, reached only through `cap-std` handles.
//!
//! Paths are `/`-separated relative strings built by [`super::names`]; each
//! directory is opened one component at a time, refusing symbolic links
//! and non-directories, and every file is opened or renamed relative to its
//! directory's handle. `cap-std` itself refuses any `..`, absolute path or
//! link that would leave the target, so even a racing change on disk cannot
//! move a write outside it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use cap_std::ambient_authority;
use cap_std::fs::{Dir, OpenOptions};
use sha1::{Digest, Sha1};

use super::names::STATE_DIR;
use super::names::split_parent as split;
use intralinks_ext::{Error, Result};

/// Size and mtime of a local file, or what else is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// Nothing.
    Missing,
    /// A regular file.
    File { size: u64, mtime: i128 },
    /// A directory.
    Dir,
    /// A symbolic link or a special file.
    Other(&'static str),
}

/// How many subdirectories of `parts/` the partial files are spread over.
pub(crate) const PART_SHARDS: u64 = 64;

/// The subdirectory of `parts/` of the partial file `name`: FNV-1a of the
/// name, stable across runs and builds, so that a resumed part is found
/// where the last run left it.
fn shard_of(name: &str) -> u64 {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash % PART_SHARDS
}

pub(crate) struct Target {
    root: Dir,
    pub state: Dir,
    parts: Dir,
    /// The subdirectories of `parts`, opened (or made) by their first part.
    shards: [std::sync::OnceLock<Dir>; PART_SHARDS as usize],
    dirs: Mutex<HashMap<String, Arc<Dir>>>,
    shown: PathBuf,
}

pub(crate) fn io_err<P: Into<PathBuf>>(
    action: &'static str,
    path: P,
) -> impl FnOnce(std::io::Error) -> Error + use<P> {
    let path = path.into();
    move |source| Error::Io {
        action,
        path,
        source,
    }
}

/// Directory handles kept open between calls.
const OPEN_DIRS: usize = 256;

/// Nanoseconds since the epoch (negative before it).
pub(crate) fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// What is at `rel` below `dir`, looked up without creating anything.
pub(crate) fn peek_in(dir: &Dir, rel: &str) -> Entry {
    match dir.symlink_metadata(rel) {
        Ok(m) => kind_of(&m),
        Err(_) => Entry::Missing,
    }
}

pub(crate) fn kind_of(meta: &cap_std::fs::Metadata) -> Entry {
    let ft = meta.file_type();
    if ft.is_symlink() {
        Entry::Other("symbolic link")
    } else if ft.is_dir() {
        Entry::Dir
    } else if ft.is_file() {
        let mtime = meta
            .modified()
            .map(|t| nanos(t.into_std()))
            .unwrap_or_default();
        Entry::File {
            size: meta.len(),
            mtime,
        }
    } else {
        Entry::Other("special file")
    }
}

/// The tree's writer lock, in the state directory.
const WRITER_LOCK: &str = "push.lock";

impl Target {
    /// Takes the tree's writer lock ([`WRITER_LOCK`] in the state
    /// directory, an advisory lock of the operating system): one run that
    /// writes the room from this tree at a time on this host. When another
    /// holds it, `waiting` is told once and the run waits for it to end. The
    /// lock goes with the answer.
    pub(crate) async fn writer_lock(&self, waiting: impl FnOnce()) -> Result<std::fs::File> {
        let shown = self.shown.join(STATE_DIR).join(WRITER_LOCK);
        let file = self
            .state
            .open_with(
                WRITER_LOCK,
                cap_std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true),
            )
            .map_err(io_err("cannot open", shown.clone()))?
            .into_std();
        intralinks_ext::lock::exclusive(file, &shown, waiting).await
    }

    /// Opens `dir` (created when missing), its state directory, and clears
    /// partial files left by earlier runs.
    pub fn open(dir: &Path, create: bool) -> Result<Target> {
        if create {
            std::fs::create_dir_all(dir).map_err(io_err("cannot create", dir))?;
        }
        let root =
            Dir::open_ambient_dir(dir, ambient_authority()).map_err(io_err("cannot open", dir))?;
        match root.symlink_metadata(STATE_DIR) {
            Ok(m) if m.file_type().is_dir() => {}
            Ok(_) => {
                return Err(Error::UnsafePath {
                    path: dir.join(STATE_DIR),
                    what: "not a directory where the sync keeps its state",
                });
            }
            Err(_) => root
                .create_dir(STATE_DIR)
                .map_err(io_err("cannot create", dir.join(STATE_DIR)))?,
        }
        let state = root
            .open_dir(STATE_DIR)
            .map_err(io_err("cannot open", dir.join(STATE_DIR)))?;
        if state.symlink_metadata("parts").is_err() {
            state
                .create_dir("parts")
                .map_err(io_err("cannot create", dir.join(STATE_DIR).join("parts")))?;
        }
        let parts = state
            .open_dir("parts")
            .map_err(io_err("cannot open", dir.join(STATE_DIR).join("parts")))?;
        Ok(Target {
            root,
            state,
            parts,
            shards: std::array::from_fn(|_| std::sync::OnceLock::new()),
            dirs: Mutex::new(HashMap::new()),
            shown: dir.to_path_buf(),
        })
    }

    /// Opens `dir` for reading only (nothing is created; no state directory).
    pub fn open_read(dir: &Path) -> Result<Dir> {
        Dir::open_ambient_dir(dir, ambient_authority()).map_err(io_err("cannot open", dir))
    }

    /// Removes partial files of earlier runs; how many there were.
    pub fn clear_parts(&self) -> usize {
        self.clear_parts_except(|_| false)
    }

    /// The path shown to people for `rel`.
    pub fn shown(&self, rel: &str) -> PathBuf {
        self.shown.join(rel)
    }

    /// The directory `rel` ("" for the target), created when missing. Opened
    /// one component at a time from the deepest directory already open, with
    /// no recursion; a path of more than [`intralinks_ext::tree::MAX_DEPTH`]
    /// directories (the layout never makes one; a journal edited by hand
    /// might hold one) is refused.
    pub fn dir(&self, rel: &str) -> Result<Arc<Dir>> {
        if let Some(d) = self.cached(rel) {
            return Ok(d);
        }
        if rel.split('/').count() > intralinks_ext::tree::MAX_DEPTH as usize + 1 {
            return Err(Error::InvalidInput(format!(
                "{} is nested more than {} folders deep, deeper than the sync ever writes; if the journal in {} was edited, remove that directory and run again",
                intralinks_ext::text::for_terminal(&rel.chars().take(200).collect::<String>()),
                intralinks_ext::tree::MAX_DEPTH,
                self.shown(STATE_DIR).display()
            )));
        }
        // The deepest ancestor already open, then down from there.
        let mut at = rel.len();
        let mut dir = loop {
            let prefix = &rel[..at];
            if let Some(d) = self.cached(prefix) {
                break d;
            }
            if prefix.is_empty() {
                let root = self
                    .root
                    .try_clone()
                    .map_err(io_err("cannot open", self.shown.clone()))?;
                break self.remember("", root);
            }
            at = prefix.rfind('/').unwrap_or(0);
        };
        while at < rel.len() {
            let start = if at == 0 { 0 } else { at + 1 };
            let end = rel[start..].find('/').map_or(rel.len(), |i| start + i);
            let (sub, name) = (&rel[..end], &rel[start..end]);
            match dir.symlink_metadata(name).map(|m| kind_of(&m)) {
                Ok(Entry::Dir) => {}
                Ok(Entry::Other(what)) => {
                    return Err(Error::UnsafePath {
                        path: self.shown(sub),
                        what,
                    });
                }
                Ok(Entry::File { .. }) => {
                    return Err(Error::LocalFileInTheWay {
                        path: self.shown(sub),
                    });
                }
                Ok(Entry::Missing) | Err(_) => match dir.create_dir(name) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io_err("cannot create", self.shown(sub))(e)),
                },
            }
            let opened = dir
                .open_dir(name)
                .map_err(io_err("cannot open", self.shown(sub)))?;
            dir = self.remember(sub, opened);
            at = end;
        }
        Ok(dir)
    }

    fn cached(&self, rel: &str) -> Option<Arc<Dir>> {
        self.dirs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(rel)
            .cloned()
    }

    /// Keeps `dir` open for later calls. At most [`OPEN_DIRS`] are kept, so a
    /// room of 100,000 folders does not hold 100,000 descriptors: the cache
    /// is emptied when full (callers hold their own handle).
    fn remember(&self, rel: &str, dir: Dir) -> Arc<Dir> {
        let dir = Arc::new(dir);
        let mut dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
        if dirs.len() >= OPEN_DIRS {
            dirs.clear();
        }
        dirs.insert(rel.to_string(), dir.clone());
        dir
    }

    /// Whether the directory `rel` (opened, or created, as by
    /// [`Target::dir`]) holds nothing (the target: nothing but the state
    /// directory); `false` when it cannot be read.
    pub fn is_empty_dir(&self, rel: &str) -> bool {
        let Ok(dir) = self.dir(rel) else {
            return false;
        };
        let Ok(mut entries) = dir.entries() else {
            return false;
        };
        // The target itself holds the state directory.
        entries.all(|e| {
            e.is_ok_and(|e| rel.is_empty() && e.file_name() == std::ffi::OsStr::new(STATE_DIR))
        })
    }

    /// What is at `rel`, looked up without creating anything (a missing
    /// directory on the way is [`Entry::Missing`]).
    pub fn peek(&self, rel: &str) -> Entry {
        peek_in(&self.root, rel)
    }

    /// What is at `rel` (its directory is created when missing).
    pub fn entry(&self, rel: &str) -> Result<Entry> {
        let (parent, name) = split(rel);
        let dir = self.dir(parent)?;
        Ok(match dir.symlink_metadata(name) {
            Ok(m) => kind_of(&m),
            Err(_) => Entry::Missing,
        })
    }

    /// base64 SHA-1 of the regular file at `rel`.
    pub fn hash(&self, rel: &str) -> Result<String> {
        let (parent, name) = split(rel);
        hash_in(&*self.dir(parent)?, name, &self.shown(rel))
    }

    /// Where the partial file `name` is, under `parts/`: in one of
    /// [`PART_SHARDS`] subdirectories picked by its name. Concurrent creates
    /// in one directory contend for its lock and its inode group (on ext4
    /// with a journal, 8 writers in one directory took 1.7 times the system
    /// time of 8 spread over subdirectories); spread, they do not.
    pub fn part_path(name: &str) -> String {
        format!("{:02x}/{name}", shard_of(name))
    }

    /// The subdirectory of `parts` the partial file `name` is in, opened
    /// once per run (made when missing).
    fn shard(&self, name: &str) -> std::io::Result<&Dir> {
        let k = shard_of(name);
        let cell = &self.shards[k as usize];
        if let Some(d) = cell.get() {
            return Ok(d);
        }
        let sub = format!("{k:02x}");
        let dir = match self.parts.open_dir(&sub) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                match self.parts.create_dir(&sub) {
                    Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
                    _ => self.parts.open_dir(&sub)?,
                }
            }
            other => other?,
        };
        // Another thread may have set it meanwhile: either handle will do.
        let _ = cell.set(dir);
        cell.get()
            .ok_or_else(|| std::io::Error::other("the partial files' directory was not kept"))
    }

    /// The path shown to people for the partial file `name`.
    pub fn part_shown(&self, name: &str) -> PathBuf {
        self.shown
            .join(STATE_DIR)
            .join("parts")
            .join(Target::part_path(name))
    }

    /// The partial file `name` (created when missing, never through a
    /// link), and the bytes already in it.
    pub fn open_part(&self, name: &str) -> Result<(std::fs::File, u64)> {
        let shown = self.part_shown(name);
        let shard = self
            .shard(name)
            .map_err(io_err("cannot create", shown.clone()))?;
        if let Ok(m) = shard.symlink_metadata(name)
            && !m.is_file()
        {
            shard
                .remove_file(name)
                .map_err(io_err("cannot remove", shown.clone()))?;
        }
        let open = || {
            shard
                .open_with(name, OpenOptions::new().read(true).write(true).create(true))
                .map(|f| f.into_std())
                .map_err(io_err("cannot create", shown.clone()))
        };
        let mut file = open()?;
        let mut meta = file
            .metadata()
            .map_err(io_err("cannot read", shown.clone()))?;
        if intralinks_ext::transfer::has_other_names(&meta) {
            // A hard link: appending would grow its other name too. This
            // name goes, and the part starts anew.
            drop(file);
            shard
                .remove_file(name)
                .map_err(io_err("cannot remove", shown.clone()))?;
            file = open()?;
            meta = file
                .metadata()
                .map_err(io_err("cannot read", shown.clone()))?;
            if intralinks_ext::transfer::has_other_names(&meta) {
                return Err(Error::UnsafePath {
                    path: shown,
                    what: "file with other names (a hard link)",
                });
            }
        }
        Ok((file, meta.len()))
    }

    /// Removes the partial file `name`.
    pub fn drop_part(&self, name: &str) {
        if let Ok(shard) = self.shard(name) {
            let _ = shard.remove_file(name);
        }
    }

    /// Removes the partial file `name` when nothing was written to it.
    pub fn drop_part_if_empty(&self, name: &str) {
        if self
            .shard(name)
            .and_then(|shard| shard.symlink_metadata(name))
            .is_ok_and(|m| m.is_file() && m.len() == 0)
        {
            self.drop_part(name);
        }
    }

    /// Removes partial files other than `keep` (which is given their
    /// names), and anything else in `parts/` that is not a shard's
    /// directory (such as a part an older release kept at the top); how
    /// many files were removed.
    pub fn clear_parts_except(&self, keep: impl Fn(&str) -> bool) -> usize {
        let mut n = 0;
        let Ok(entries) = self.parts.entries() else {
            return 0;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let shard = name.to_str().filter(|s| {
                s.len() == 2 && u64::from_str_radix(s, 16).is_ok_and(|v| v < PART_SHARDS)
            });
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            let (Some(shard), true) = (shard, is_dir) else {
                if self.parts.remove_file(&name).is_ok() {
                    n += 1;
                }
                continue;
            };
            let Ok(inner) = self.parts.read_dir(shard) else {
                continue;
            };
            for e in inner.flatten() {
                let name = e.file_name();
                if name
                    .to_str()
                    .is_some_and(|s| keep(s) && Target::part_path(s).starts_with(shard))
                {
                    continue;
                }
                if self.parts.remove_file(Path::new(shard).join(&name)).is_ok() {
                    n += 1;
                }
            }
        }
        n
    }

    /// Moves the finished partial file `part` to `rel`, replacing what is there.
    pub fn place(&self, part: &str, rel: &str) -> Result<()> {
        let (parent, name) = split(rel);
        let dir = self.dir(parent)?;
        if let Entry::Dir | Entry::Other(_) = self.entry(rel)? {
            self.drop_part(part);
            return Err(Error::UnsafePath {
                path: self.shown(rel),
                what: "directory or special file where a file goes",
            });
        }
        self.shard(part)
            .and_then(|shard| shard.rename(part, &dir, name))
            .map_err(io_err("cannot move into place at", self.shown(rel)))
    }

    /// A handle on the target directory itself.
    pub fn root_dir(&self) -> Result<Dir> {
        self.root
            .try_clone()
            .map_err(io_err("cannot open", self.shown.clone()))
    }

    /// Opens the regular file at `rel` for reading (never through a link).
    pub fn open_file(&self, rel: &str) -> Result<std::fs::File> {
        let (parent, name) = split(rel);
        let dir = self.dir(parent)?;
        match self.entry(rel)? {
            Entry::File { .. } => {}
            Entry::Other(what) => {
                return Err(Error::UnsafePath {
                    path: self.shown(rel),
                    what,
                });
            }
            _ => {
                return Err(Error::InvalidInput(format!(
                    "{} is no longer a regular file; nothing was read",
                    self.shown(rel).display()
                )));
            }
        }
        dir.open(name)
            .map(|f| f.into_std())
            .map_err(io_err("cannot open", self.shown(rel)))
    }

    /// Removes the file at `rel`.
    pub fn remove(&self, rel: &str) -> Result<()> {
        let (parent, name) = split(rel);
        self.dir(parent)?
            .remove_file(name)
            .map_err(io_err("cannot remove", self.shown(rel)))
    }
}

/// base64 SHA-1 of regular file `name` in `dir`.
pub(crate) fn hash_in(dir: &Dir, name: &str, shown: &Path) -> Result<String> {
    use std::io::Read;
    match dir.symlink_metadata(name).map(|m| kind_of(&m)) {
        Ok(Entry::File { .. }) => {}
        Ok(Entry::Other(what)) => {
            return Err(Error::UnsafePath {
                path: shown.into(),
                what,
            });
        }
        _ => {
            return Err(Error::InvalidInput(format!(
                "{} is not a regular file; nothing was read",
                shown.display()
            )));
        }
    }
    let mut file = dir
        .open(name)
        .map_err(io_err("cannot open", shown))?
        .into_std();
    let mut hasher = Sha1::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(io_err("cannot read", shown))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(hasher.finalize()))
}

/// A file found by [`walk`].
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// `/`-separated path relative to the walked directory.
    pub path: String,
    pub size: u64,
    pub mtime: i128,
}

/// What [`walk`] found: directories (parents first), files, and what it skipped.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub dirs: Vec<String>,
    pub files: Vec<Found>,
    pub skipped: Vec<(String, &'static str)>,
}

/// Every directory and regular file below `dir`, sorted; symbolic links
/// and special files are skipped (never followed), and so is the state
/// directory at the top.
pub(crate) fn walk(dir: &Dir) -> Result<Walked> {
    let mut out = Walked::default();
    let mut stack: Vec<(String, Dir)> = vec![(
        String::new(),
        dir.try_clone().map_err(io_err("cannot open", "."))?,
    )];
    while let Some((base, d)) = stack.pop() {
        let mut entries: Vec<(String, Entry)> = Vec::new();
        for e in d.entries().map_err(io_err("cannot list", base.clone()))? {
            let e = e.map_err(io_err("cannot list", base.clone()))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if base.is_empty() && name == STATE_DIR {
                continue;
            }
            let kind = d
                .symlink_metadata(&name)
                .map(|m| kind_of(&m))
                .unwrap_or(Entry::Missing);
            entries.push((name, kind));
        }
        entries.sort_by(|a, b| b.0.cmp(&a.0));
        for (name, kind) in entries {
            let rel = if base.is_empty() {
                name.clone()
            } else {
                format!("{base}/{name}")
            };
            match kind {
                Entry::Dir => {
                    let sub = d
                        .open_dir(&name)
                        .map_err(io_err("cannot open", rel.clone()))?;
                    out.dirs.push(rel.clone());
                    stack.push((rel, sub));
                }
                Entry::File { size, mtime } => out.files.push(Found {
                    path: rel,
                    size,
                    mtime,
                }),
                Entry::Other(what) => out.skipped.push((rel, what)),
                Entry::Missing => {}
            }
        }
    }
    out.dirs.sort();
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out.skipped.sort();
    Ok(out)
}

/// Time since the epoch of a document date, for a file's mtime.
pub(crate) fn mtime_of(millis: Option<intralinks_ext::Millis>) -> Option<SystemTime> {
    let ms = millis?.to_datetime()?.timestamp_millis();
    if ms >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_millis(ms as u64))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_millis(ms.unsigned_abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_lives_in_the_subdirectory_its_name_picks_the_same_in_every_release() {
        assert_eq!(Target::part_path("701421-abc.part"), "32/701421-abc.part");
        assert_eq!(Target::part_path("7-x.part"), "02/7-x.part");
    }

    #[test]
    fn clearing_parts_keeps_the_kept_where_they_belong_and_removes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let target = Target::open(dir.path(), true).unwrap();
        let (kept, mut file) = (
            ("701421-abc.part"),
            target.open_part("701421-abc.part").unwrap(),
        );
        std::io::Write::write_all(&mut file.0, b"half").unwrap();
        target.open_part("7-x.part").unwrap();
        let parts = dir.path().join(STATE_DIR).join("parts");
        // A part at the top, as an older release kept it, and a part with a
        // kept name in another subdirectory than its own.
        std::fs::write(parts.join("701421-abc.part"), b"old").unwrap();
        std::fs::create_dir_all(parts.join("00")).unwrap();
        std::fs::write(parts.join("00/701421-abc.part"), b"astray").unwrap();
        assert_eq!(target.clear_parts_except(|p| p == kept), 3);
        assert_eq!(
            std::fs::read(parts.join("32/701421-abc.part")).unwrap(),
            b"half"
        );
        assert!(!parts.join("02/7-x.part").exists());
        // Reopened, the kept part says how much it holds.
        assert_eq!(target.open_part(kept).unwrap().1, 4);
        assert_eq!(target.clear_parts(), 1);
    }
}
