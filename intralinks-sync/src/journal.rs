//! The durable record of completed items: one JSON line per item, appended
//! as each completes, in the target's state directory.
//!
//! A line is written with one `write` on a file opened for appending, so a
//! kill leaves at worst one partial last line, which loading ignores. The
//! journal is flushed to disk every [`SYNC_EVERY`] records (at most once
//! every [`SYNC_GAP`]) and at the end of a run; a record lost to a power
//! cut only costs a re-hash (the file is adopted when its SHA-1 matches).
//! At the end of a run that recorded anything the journal is rewritten
//! compactly (temporary file, then rename).
//!
//! On Linux each of those flushes is a group commit of the files too: the
//! mirror does not flush each file before its rename (on a journaling file
//! system every flush waits for a commit of its own, and at 0 ms these
//! waits were the mirror's wall time), and the journal's flush flushes the
//! whole file system it is on (`syncfs`), so the files placed since the last
//! flush are on disk before the run goes on, and every file of a run is
//! on disk when it ends. A power cut between two flushes can leave the last
//! files placed empty or short; their size and mtime then do not match
//! their records, so the next run hashes them and fetches them again. Other
//! systems flush each file before its rename, as before.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use cap_std::fs::{Dir, OpenOptions};
use serde::{Deserialize, Serialize};

use intralinks_ext::{Error, Result};

/// Records between two flushes to disk.
pub(crate) const SYNC_EVERY: usize = 64;

/// The least time between two flushes to disk: a flush of the file system
/// makes its journal commit, which holds up every create and rename under
/// way (at 0 ms, 64 records took a few milliseconds).
pub(crate) const SYNC_GAP: std::time::Duration = std::time::Duration::from_millis(250);

/// One completed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    /// The workspace.
    pub ws: i64,
    /// Path relative to the target, `/`-separated.
    pub path: String,
    /// The document.
    pub id: i64,
    /// The document's version when the item completed.
    #[serde(default)]
    pub version: Option<String>,
    /// base64 SHA-1 of the bytes.
    pub sha1: String,
    /// Size of the local file.
    pub size: u64,
    /// mtime of the local file, nanoseconds since the epoch.
    pub mtime: i128,
    /// The item was removed (a later run forgets it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gone: bool,
    /// Push created the document and has not completed its upload yet:
    /// recorded before the upload, so that a rerun completes this same
    /// document (or the end of a run removes it while it is empty).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
}

/// A SHA-1 as the room spells it (base64), kept as its 20 bytes when the
/// text is their canonical base64, else as the text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Hash {
    Sha1([u8; 20]),
    Text(Box<str>),
}

impl Hash {
    fn new(text: &str) -> Hash {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        if let Ok(bytes) = b64.decode(text)
            && let Ok(raw) = <[u8; 20]>::try_from(bytes.as_slice())
            && b64.encode(raw) == text
        {
            return Hash::Sha1(raw);
        }
        Hash::Text(text.into())
    }

    fn text(&self) -> String {
        use base64::Engine;
        match self {
            Hash::Sha1(raw) => base64::engine::general_purpose::STANDARD.encode(raw),
            Hash::Text(t) => t.to_string(),
        }
    }
}

/// A document's version as the room spells it, kept as its 20 bytes when
/// the text is 40 lowercase hexadecimal digits (as the service's versions
/// are), else as the text: inline, where a boxed text took 64 bytes a
/// record (a no-op rerun of a mirror of 1,000,000 documents holds them all).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Version {
    None,
    Hex([u8; 20]),
    Text(Box<str>),
}

impl Version {
    fn new(text: Option<&str>) -> Version {
        let Some(text) = text else {
            return Version::None;
        };
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let mut raw = [0u8; 20];
        if text.len() == 40
            && text
                .as_bytes()
                .chunks_exact(2)
                .zip(raw.iter_mut())
                .all(|(pair, out)| match (digit(pair[0]), digit(pair[1])) {
                    (Some(hi), Some(lo)) => {
                        *out = hi << 4 | lo;
                        true
                    }
                    _ => false,
                })
        {
            return Version::Hex(raw);
        }
        Version::Text(text.into())
    }

    fn text(&self) -> Option<String> {
        match self {
            Version::None => None,
            Version::Hex(raw) => Some(raw.iter().map(|b| format!("{b:02x}")).collect()),
            Version::Text(t) => Some(t.to_string()),
        }
    }
}

/// A current record as kept in memory (its path is the key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Kept {
    id: i64,
    version: Version,
    sha1: Hash,
    size: u64,
    /// The mtime's two halves, high then low: an `i128` would align the
    /// record on 16 bytes.
    mtime: [u64; 2],
    /// See [`Record::pending`].
    pub pending: bool,
}

impl Kept {
    fn of(r: &Record) -> Kept {
        Kept {
            id: r.id,
            version: Version::new(r.version.as_deref()),
            sha1: Hash::new(&r.sha1),
            size: r.size,
            mtime: [(r.mtime >> 64) as u64, r.mtime as u64],
            pending: r.pending,
        }
    }

    fn record(&self, ws: i64, path: &str) -> Record {
        Record {
            ws,
            path: path.to_string(),
            id: self.id,
            version: self.version.text(),
            sha1: self.sha1.text(),
            size: self.size,
            mtime: (i128::from(self.mtime[0] as i64) << 64) | i128::from(self.mtime[1]),
            gone: false,
            pending: self.pending,
        }
    }
}

impl Record {
    /// Whether a local file of `size` bytes last modified at `mtime` is
    /// still as this record left it — the one rule by which mirror, push
    /// and diff trust a recorded SHA-1 instead of hashing again, and by
    /// which the mirror knows a file as its own (to replace or delete it).
    pub(crate) fn describes(&self, size: u64, mtime: i128) -> bool {
        !self.gone && self.size == size && self.mtime == mtime
    }
}

/// The current records of one workspace in a journal, by path, compact.
#[derive(Debug, Default)]
pub(crate) struct Records {
    ws: i64,
    /// Each record boxed: a table's buckets number a power of two, up to
    /// twice the records, and an empty bucket of a boxed record takes 24
    /// bytes instead of about a hundred (50 MiB less for a journal of
    /// 1,000,000 records).
    by_path: HashMap<Box<str>, Box<Kept>>,
    /// Opened against a layout ([`Journal::open_placed`]): per placed
    /// document, its record's size and mtime when the record is that
    /// document's, at its path, of its version and with its hash — all the
    /// rest of such a record is the layout's already. `by_path` then holds
    /// only the records that are not in a slot.
    slots: Vec<Slot>,
    /// Lines of the file the records were loaded from that a compaction
    /// would drop: superseded or removed records of this workspace, lines
    /// that do not read as a record.
    stale_lines: usize,
}

/// A placed document's record, as its size and its mtime in nanoseconds
/// (16 bytes where a record of its own takes about 200 with its path and
/// its place in a table: a no-op rerun of a mirror of 1,000,000 documents
/// holds one per document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    size: u64,
    /// [`Slot::EMPTY`]'s `i64::MIN` when the document has none.
    mtime: i64,
}

impl Slot {
    const EMPTY: Slot = Slot {
        size: 0,
        mtime: i64::MIN,
    };

    /// `r` as the slot of the placed document `d`, when it fits one.
    fn of(r: &Record, d: &Placed<'_>) -> Option<Slot> {
        let mtime = i64::try_from(r.mtime).ok().filter(|&m| m != i64::MIN)?;
        (!r.gone
            && !r.pending
            && r.id == d.id
            && r.version.as_deref() == d.version
            && d.hash == Some(r.sha1.as_str()))
        .then_some(Slot {
            size: r.size,
            mtime,
        })
    }

    fn record(self, ws: i64, path: String, d: &Placed<'_>) -> Option<Record> {
        (self != Slot::EMPTY).then(|| Record {
            ws,
            path,
            id: d.id,
            version: d.version.map(str::to_string),
            sha1: d.hash.unwrap_or_default().to_string(),
            size: self.size,
            mtime: i128::from(self.mtime),
            gone: false,
            pending: false,
        })
    }
}

/// What a journal opened against a layout knows of one placed document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placed<'a> {
    pub id: i64,
    pub version: Option<&'a str>,
    /// `fileHashDownload`.
    pub hash: Option<&'a str>,
}

/// A room's layout as a journal opened against it ([`Journal::open_placed`])
/// sees it: its documents by index.
pub(crate) trait Placement {
    /// How many documents are placed.
    fn count(&self) -> usize;
    /// The document placed at `path`, if any.
    fn at(&self, path: &str) -> Option<usize>;
    /// Document `i`'s path.
    fn path(&self, i: usize) -> String;
    /// Document `i`.
    fn doc(&self, i: usize) -> Placed<'_>;
}

/// A room's layout, by the paths of its documents.
impl Placement for super::names::Wanted<'_> {
    fn count(&self) -> usize {
        self.layout().document_count()
    }

    fn at(&self, path: &str) -> Option<usize> {
        super::names::Wanted::at(self, path)
    }

    fn path(&self, i: usize) -> String {
        self.layout().path(i)
    }

    fn doc(&self, i: usize) -> Placed<'_> {
        let layout = self.layout();
        Placed {
            id: layout.docs[i].id,
            version: layout.version(i),
            hash: layout.hash(i),
        }
    }
}

impl Records {
    /// How many current records there are.
    fn len(&self) -> usize {
        self.by_path.len() + self.slots.iter().filter(|s| **s != Slot::EMPTY).count()
    }

    /// The record of the placed document `i` at `path`, which is `d` (of
    /// records loaded against the layout `d` is from).
    pub fn get_at(&self, i: usize, path: &str, d: &Placed<'_>) -> Option<Record> {
        match self.slots.get(i) {
            Some(&slot) if slot != Slot::EMPTY => slot.record(self.ws, path.to_string(), d),
            _ => self.get(path),
        }
    }

    /// Adds `other`'s records, both loaded against `placement` (a path in
    /// both takes `other`'s).
    pub fn extend_placed(&mut self, other: Records, placement: &dyn Placement) {
        self.ws = other.ws;
        if self.slots.len() != other.slots.len() {
            self.slots = vec![Slot::EMPTY; other.slots.len()];
        }
        for (i, slot) in other.slots.into_iter().enumerate() {
            if slot != Slot::EMPTY {
                self.slots[i] = slot;
                self.by_path.remove(placement.path(i).as_str());
            }
        }
        for (path, kept) in other.by_path {
            if let Some(i) = placement.at(&path) {
                self.slots[i] = Slot::EMPTY;
            }
            self.by_path.insert(path, kept);
        }
    }

    /// Takes in `r`, the record of the placed document `at` when there is
    /// one at its path (a placed journal), of which `slot` is `r` as a slot
    /// when it fits one: the path's record is then the slot, else `r`.
    fn apply_at(&mut self, r: &Record, at: Option<usize>, slot: Option<Slot>) {
        if let Some(i) = at
            && let Some(s) = self.slots.get_mut(i)
        {
            *s = slot.unwrap_or(Slot::EMPTY);
        }
        match slot {
            Some(_) => {
                self.by_path.remove(r.path.as_str());
            }
            None => self.apply(r),
        }
    }

    /// Takes in `r`: a record replaces the path's, a `gone` one removes it.
    fn apply(&mut self, r: &Record) {
        if r.gone {
            self.by_path.remove(r.path.as_str());
        } else if let Some(kept) = self.by_path.get_mut(r.path.as_str()) {
            **kept = Kept::of(r);
        } else {
            self.by_path
                .insert(r.path.as_str().into(), Box::new(Kept::of(r)));
        }
    }

    /// The record at `path`, if any.
    pub fn get(&self, path: &str) -> Option<Record> {
        self.by_path.get(path).map(|k| k.record(self.ws, path))
    }

    /// The records `keep` selects by path and record, in path order.
    pub fn select(&self, keep: impl Fn(&str, &Kept) -> bool) -> Vec<Record> {
        let mut out: Vec<Record> = self
            .by_path
            .iter()
            .filter(|(p, k)| keep(p, k))
            .map(|(p, k)| k.record(self.ws, p))
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// Writes every record as a journal line, in path order.
    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut paths: Vec<&str> = self.by_path.keys().map(|p| &**p).collect();
        paths.sort_unstable();
        for p in paths {
            if let Some(k) = self.by_path.get(p) {
                serde_json::to_writer(&mut *out, &k.record(self.ws, p))
                    .map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    }
}

/// Flushes `file`, and on Linux every file of its file system (`syncfs`):
/// the group commit of the files placed since the last flush (see the
/// module's documentation).
fn flush_filesystem(file: &std::fs::File) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: `syncfs` only reads the descriptor, which `file` keeps
        // open for the duration of the call.
        if unsafe { libc::syncfs(file.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    file.sync_data()
}

/// A flush to disk of a journal's file system that an append left due
/// ([`Journal::record_now`]).
#[must_use = "the flush is due: run it (on the blocking pool) before the record counts as durable"]
pub(crate) struct FlushDue {
    file: std::sync::Arc<std::fs::File>,
    name: String,
}

impl FlushDue {
    /// Runs the flush (milliseconds: not on the runtime's threads).
    pub fn flush(self) -> Result<()> {
        flush_filesystem(&self.file).map_err(io("cannot flush", &self.name))
    }
}

pub(crate) struct Journal {
    name: String,
    ws: i64,
    state: Dir,
    /// The appending file and the records written since its last flush.
    file: Mutex<(std::sync::Arc<std::fs::File>, usize, std::time::Instant)>,
    records: Mutex<Records>,
    /// Records appended since it was opened.
    appended: std::sync::atomic::AtomicUsize,
}

fn io(action: &'static str, name: &str) -> impl FnOnce(std::io::Error) -> Error + use<> {
    let path = PathBuf::from(super::names::STATE_DIR).join(name);
    move |source| Error::Io {
        action,
        path,
        source,
    }
}

/// The current records of `ws` in journal `name` (none when it is missing).
pub(crate) fn load(state: &Dir, name: &str, ws: i64) -> Result<Records> {
    load_with(state, name, ws, None)
}

/// [`load`], into slots of `placement`'s documents where records fit them
/// (see [`Journal::open_placed`]); read them with [`Records::get_at`].
pub(crate) fn load_placed(
    state: &Dir,
    name: &str,
    ws: i64,
    placement: &dyn Placement,
) -> Result<Records> {
    load_with(state, name, ws, Some(placement))
}

fn load_with(
    state: &Dir,
    name: &str,
    ws: i64,
    placement: Option<&dyn Placement>,
) -> Result<Records> {
    let mut records = Records {
        ws,
        by_path: HashMap::new(),
        slots: vec![Slot::EMPTY; placement.map_or(0, |p| p.count())],
        stale_lines: 0,
    };
    let mut lines = 0usize;
    match state.open(name) {
        Ok(f) => {
            let reader = std::io::BufReader::new(f.into_std());
            for line in reader.lines() {
                let Ok(line) = line else {
                    records.stale_lines += 1;
                    break;
                };
                let Ok(r) = serde_json::from_str::<Record>(&line) else {
                    records.stale_lines += 1;
                    continue;
                };
                if r.ws != ws {
                    continue;
                }
                lines += 1;
                match placement {
                    Some(p) => {
                        let at = p.at(&r.path);
                        let slot = at.and_then(|i| Slot::of(&r, &p.doc(i)));
                        records.apply_at(&r, at, slot);
                    }
                    None => records.apply(&r),
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io("cannot read", name)(e)),
    }
    records.stale_lines += lines.saturating_sub(records.len());
    Ok(records)
}

impl Journal {
    /// Opens (or starts) journal `name` in `state`, keeping `ws`'s records.
    pub fn open(state: &Dir, name: &str, ws: i64) -> Result<Journal> {
        Journal::open_with(state, name, ws, None)
    }

    /// [`Journal::open`] against the layout of the room (the mirror's): a
    /// record of a placed document, at its path, of its version and with
    /// its hash, is kept as a [`Slot`] of 16 bytes, the rest of it being
    /// the layout's. Such records are read with [`Journal::get_at`], written
    /// with [`Journal::record_at`] and compacted with
    /// [`Journal::compact_placed`], given the same layout;
    /// [`Journal::select`] sees only the others.
    pub fn open_placed(
        state: &Dir,
        name: &str,
        ws: i64,
        placement: &dyn Placement,
    ) -> Result<Journal> {
        Journal::open_with(state, name, ws, Some(placement))
    }

    fn open_with(
        state: &Dir,
        name: &str,
        ws: i64,
        placement: Option<&dyn Placement>,
    ) -> Result<Journal> {
        let state = state.try_clone().map_err(io("cannot open", name))?;
        let records = load_with(&state, name, ws, placement)?;
        let mut file = state
            .open_with(
                name,
                OpenOptions::new().append(true).read(true).create(true),
            )
            .map_err(io("cannot write", name))?
            .into_std();
        let start = file.metadata().map_err(io("cannot read", name))?.len();
        if start > 0 {
            // A line cut short by a kill is ended, so that the next one
            // is read whole.
            use std::io::{Read, Seek, SeekFrom};
            let mut last = [0u8];
            file.seek(SeekFrom::Start(start - 1))
                .and_then(|_| file.read_exact(&mut last))
                .map_err(io("cannot read", name))?;
            if last[0] != b'\n' {
                file.write_all(b"\n").map_err(io("cannot write", name))?;
            }
        }
        Ok(Journal {
            name: name.to_string(),
            ws,
            state,
            file: Mutex::new((std::sync::Arc::new(file), 0, std::time::Instant::now())),
            records: Mutex::new(records),
            appended: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    fn records(&self) -> std::sync::MutexGuard<'_, Records> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The record at `path`, if any.
    pub fn get(&self, path: &str) -> Option<Record> {
        self.records().get(path)
    }

    /// The record of the placed document `i` at `path` (of a journal
    /// opened against the layout `d` is from).
    pub fn get_at(&self, i: usize, path: &str, d: &Placed<'_>) -> Option<Record> {
        self.records().get_at(i, path, d)
    }

    /// The records `keep` selects by path and record, in path order (of a
    /// journal opened against a layout, only those not in a slot).
    pub fn select(&self, keep: impl Fn(&str, &Kept) -> bool) -> Vec<Record> {
        self.records().select(keep)
    }

    /// Appends `record` (with this journal's workspace): of a journal
    /// opened against a layout, the record of a path where no document is
    /// placed.
    pub fn record(&self, record: Record) -> Result<()> {
        self.append(record, None)
    }

    /// Appends `record`, of the placed document `i` (at its path), which
    /// is `d` (of a journal opened against the layout `d` is from).
    pub fn record_at(&self, record: Record, i: usize, d: &Placed<'_>) -> Result<()> {
        self.append(record, Some((i, d)))
    }

    /// Appends `record` as [`Journal::record`] does, but leaves the flush
    /// to disk that falls due (every [`SYNC_EVERY`] records) to the caller:
    /// a line appended to a local file takes microseconds and may be written
    /// from the runtime, while the flush takes milliseconds and belongs on
    /// the blocking pool ([`FlushDue::flush`]). The record counts as
    /// written; the caller reports it done only once the flush, if due, has
    /// run.
    pub fn record_now(&self, record: Record) -> Result<Option<FlushDue>> {
        self.append_now(record, None)
    }

    fn append(&self, record: Record, at: Option<(usize, &Placed<'_>)>) -> Result<()> {
        match self.append_now(record, at)? {
            Some(due) => due.flush(),
            None => Ok(()),
        }
    }

    fn append_now(
        &self,
        mut record: Record,
        at: Option<(usize, &Placed<'_>)>,
    ) -> Result<Option<FlushDue>> {
        record.ws = self.ws;
        let mut line = serde_json::to_vec(&record)
            .map_err(|e| Error::InvalidInput(format!("cannot encode a journal record: {e}")))?;
        line.push(b'\n');
        let flush = {
            let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
            (&*file.0)
                .write_all(&line)
                .map_err(io("cannot write", &self.name))?;
            file.1 += 1;
            self.appended
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            (file.1 >= SYNC_EVERY && file.2.elapsed() >= SYNC_GAP).then(|| {
                file.1 = 0;
                file.2 = std::time::Instant::now();
                std::sync::Arc::clone(&file.0)
            })
        };
        let mut records = self.records();
        match at {
            Some((i, d)) => records.apply_at(&record, Some(i), Slot::of(&record, d)),
            None => records.apply(&record),
        }
        // Flushed without the lock: the other records go on meanwhile (a
        // flush of the file system takes milliseconds, and every job that
        // completed would wait on it).
        Ok(flush.map(|file| FlushDue {
            file,
            name: self.name.clone(),
        }))
    }

    /// Rewrites the journal with only the current records, durably, one
    /// line at a time (never the whole text in memory).
    pub fn compact(&self) -> Result<()> {
        self.compact_with(None)
    }

    /// [`Journal::compact`] of a journal opened against `placement`.
    pub fn compact_placed(&self, placement: &dyn Placement) -> Result<()> {
        self.compact_with(Some(placement))
    }

    fn compact_with(&self, placement: Option<&dyn Placement>) -> Result<()> {
        // Nothing recorded since a load that kept every line: the file is
        // compact already (a no-op rerun of a large room rewrote it whole).
        if self.appended.load(std::sync::atomic::Ordering::SeqCst) == 0
            && self.records().stale_lines == 0
        {
            return Ok(());
        }
        let temp = format!("{}.tmp", self.name);
        let f = self
            .state
            .open_with(
                &temp,
                OpenOptions::new().write(true).create(true).truncate(true),
            )
            .map_err(io("cannot write", &temp))?
            .into_std();
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, f);
        // Records of other workspaces stay as they were.
        if let Ok(f) = self.state.open(&self.name) {
            for line in std::io::BufReader::new(f.into_std()).lines() {
                let Ok(line) = line else { break };
                if let Ok(r) = serde_json::from_str::<Record>(&line)
                    && r.ws != self.ws
                {
                    out.write_all(line.as_bytes())
                        .and_then(|()| out.write_all(b"\n"))
                        .map_err(io("cannot write", &temp))?;
                }
            }
        }
        let records = self.records();
        if let Some(p) = placement {
            for (i, slot) in records.slots.iter().enumerate() {
                if let Some(r) = slot.record(self.ws, p.path(i), &p.doc(i)) {
                    serde_json::to_writer(&mut out, &r)
                        .map_err(std::io::Error::from)
                        .and_then(|()| out.write_all(b"\n"))
                        .map_err(io("cannot write", &temp))?;
                }
            }
        }
        records
            .write_to(&mut out)
            .map_err(io("cannot write", &temp))?;
        drop(records);
        let f = out
            .into_inner()
            .map_err(|e| io("cannot write", &temp)(e.into_error()))?;
        f.sync_all().map_err(io("cannot flush", &temp))?;
        // Every file placed in this run is on disk when it ends.
        flush_filesystem(&f).map_err(io("cannot flush", &temp))?;
        drop(f);
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        self.state
            .rename(&temp, &self.state, &self.name)
            .map_err(io("cannot write", &self.name))?;
        file.0 = std::sync::Arc::new(
            self.state
                .open_with(&self.name, OpenOptions::new().append(true).create(true))
                .map_err(io("cannot write", &self.name))?
                .into_std(),
        );
        file.1 = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_describes_a_file_of_its_size_and_mtime_only() {
        let r = rec("a/b.txt", 1, "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
        assert!(r.describes(5, -12));
        assert!(!r.describes(6, -12));
        assert!(!r.describes(5, -11));
        let gone = Record { gone: true, ..r };
        assert!(!gone.describes(5, -12));
    }

    fn rec(path: &str, id: i64, sha1: &str) -> Record {
        Record {
            ws: 7,
            path: path.into(),
            id,
            version: Some("3".into()),
            sha1: sha1.into(),
            size: 5,
            mtime: -12,
            gone: false,
            pending: false,
        }
    }

    fn state() -> (tempfile::TempDir, Dir) {
        let dir = tempfile::tempdir().unwrap();
        let state = Dir::open_ambient_dir(dir.path(), cap_std::ambient_authority()).unwrap();
        (dir, state)
    }

    fn lines(dir: &tempfile::TempDir) -> Vec<String> {
        std::fs::read_to_string(dir.path().join("j.jsonl"))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn a_record_now_is_written_at_once_and_leaves_the_due_flush_to_its_caller() {
        let (dir, state) = state();
        let j = Journal::open(&state, "j.jsonl", 7).unwrap();
        // The last flush was just now: none is due before the gap has passed.
        for i in 0..SYNC_EVERY {
            let due = j.record_now(rec(&format!("f{i}"), i as i64, "h")).unwrap();
            assert!(due.is_none(), "record {i}");
        }
        // Written and applied at once, before any flush.
        assert_eq!(lines(&dir).len(), SYNC_EVERY);
        assert_eq!(j.get("f3").unwrap().id, 3);
        std::thread::sleep(SYNC_GAP);
        let due = j.record_now(rec("late", 99, "h")).unwrap();
        due.expect("a flush is due after SYNC_EVERY records and SYNC_GAP")
            .flush()
            .unwrap();
        // The count starts again from the flush.
        assert!(j.record_now(rec("next", 100, "h")).unwrap().is_none());
        assert_eq!(lines(&dir).len(), SYNC_EVERY + 2);
        drop(j);
        let j = Journal::open(&state, "j.jsonl", 7).unwrap();
        assert_eq!(j.get("late").unwrap().id, 99);
        assert_eq!(j.get("next").unwrap().id, 100);
    }

    #[test]
    fn a_sha1_is_kept_as_its_bytes_and_any_other_text_as_it_is() {
        let sha1 = "qUqP5cyxm6YcTAhz05Hph5gvu9M=";
        assert!(matches!(Hash::new(sha1), Hash::Sha1(_)));
        assert_eq!(Hash::new(sha1).text(), sha1);
        for other in ["", "h", "qUqP5cyxm6YcTAhz05Hph5gvu9N=", "not base64!"] {
            assert_eq!(Hash::new(other).text(), other);
        }
        assert!(matches!(Hash::new("h"), Hash::Text(_)));
    }

    #[test]
    fn a_version_of_40_lowercase_hex_digits_is_kept_as_its_bytes_and_any_other_as_it_is() {
        let hex = "0123456789abcdef0123456789abcdef01234567";
        assert!(matches!(Version::new(Some(hex)), Version::Hex(_)));
        assert_eq!(Version::new(Some(hex)).text().as_deref(), Some(hex));
        for other in [
            "",
            "7",
            "0123456789ABCDEF0123456789abcdef01234567",
            "0123456789abcdef0123456789abcdef0123456",
            "0123456789abcdef0123456789abcdef012345678",
            "0123456789abcdef0123456789abcdef0123456g",
            "é123456789abcdef0123456789abcdef0123456",
        ] {
            assert!(matches!(Version::new(Some(other)), Version::Text(_)));
            assert_eq!(Version::new(Some(other)).text().as_deref(), Some(other));
        }
        assert_eq!(Version::new(None), Version::None);
        assert_eq!(Version::new(None).text(), None);
    }

    #[test]
    fn a_kept_record_gives_back_the_record_it_was_made_of() {
        for mtime in [0, 1, -1, i128::MAX, i128::MIN, 1_733_000_000_123_456_789] {
            for version in [
                None,
                Some("abc"),
                Some("00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff"),
            ] {
                let r = Record {
                    version: version.map(str::to_string),
                    mtime,
                    pending: mtime == 1,
                    ..rec("a/b.txt", 7, "qUqP5cyxm6YcTAhz05Hph5gvu9M=")
                };
                assert_eq!(Kept::of(&r).record(r.ws, "a/b.txt"), r);
            }
        }
        // What a record costs in its box: 88 bytes (before, 80 and a boxed
        // version of 40 bytes, 144 bytes of heap in all with the allocator's).
        assert_eq!(std::mem::size_of::<Kept>(), 88);
    }

    /// A layout of three documents: `(path, id, version, hash)`.
    struct Three(
        Vec<(
            &'static str,
            i64,
            Option<&'static str>,
            Option<&'static str>,
        )>,
    );

    impl Placement for Three {
        fn count(&self) -> usize {
            self.0.len()
        }
        fn at(&self, path: &str) -> Option<usize> {
            self.0.iter().position(|d| d.0 == path)
        }
        fn path(&self, i: usize) -> String {
            self.0[i].0.to_string()
        }
        fn doc(&self, i: usize) -> Placed<'_> {
            Placed {
                id: self.0[i].1,
                version: self.0[i].2,
                hash: self.0[i].3,
            }
        }
    }

    #[test]
    fn a_journal_on_a_layout_keeps_the_records_that_fit_in_slots_and_the_rest_by_path() {
        let (dir, state) = state();
        let (h1, h2) = ("qUqP5cyxm6YcTAhz05Hph5gvu9M=", "h2");
        let layout = Three(vec![
            ("a", 1, Some("3"), Some(h1)),
            ("b", 2, Some("v2"), Some(h1)),
            ("c", 3, Some("3"), Some(h1)),
        ]);
        let j = Journal::open(&state, "j.jsonl", 7).unwrap();
        // Fits doc 0's slot.
        j.record(rec("a", 1, h1)).unwrap();
        // Of doc 1, but of an older version: kept by path.
        j.record(Record {
            version: Some("v1".into()),
            ..rec("b", 2, h1)
        })
        .unwrap();
        // At doc 2's path, but another document's: kept by path.
        j.record(rec("c", 9, h1)).unwrap();
        // No document is placed there.
        j.record(rec("left", 4, h1)).unwrap();
        drop(j);
        Journal::open(&state, "j.jsonl", 8)
            .unwrap()
            .record(rec("other", 5, "x"))
            .unwrap();

        let j = Journal::open_placed(&state, "j.jsonl", 7, &layout).unwrap();
        let slots = j.records().slots.clone();
        assert_eq!(
            slots,
            vec![
                Slot {
                    size: 5,
                    mtime: -12
                },
                Slot::EMPTY,
                Slot::EMPTY
            ]
        );
        assert_eq!(j.get_at(0, "a", &layout.doc(0)), Some(rec("a", 1, h1)));
        assert_eq!(
            j.get_at(1, "b", &layout.doc(1)).map(|r| r.version),
            Some(Some("v1".to_string()))
        );
        assert_eq!(j.get_at(2, "c", &layout.doc(2)).map(|r| r.id), Some(9));
        assert_eq!(
            j.select(|_, _| true)
                .into_iter()
                .map(|r| r.path)
                .collect::<Vec<_>>(),
            ["b", "c", "left"]
        );

        // Doc 1 fetched anew: its record moves into its slot.
        let b = Record {
            version: Some("v2".into()),
            ..rec("b", 2, h1)
        };
        j.record_at(b.clone(), 1, &layout.doc(1)).unwrap();
        assert_eq!(j.get_at(1, "b", &layout.doc(1)), Some(b.clone()));
        // Doc 0 with bytes that are not its hash: out of its slot.
        let a = rec("a", 1, h2);
        j.record_at(a.clone(), 0, &layout.doc(0)).unwrap();
        assert_eq!(j.records().slots[0], Slot::EMPTY);
        assert_eq!(j.get_at(0, "a", &layout.doc(0)), Some(a.clone()));
        j.record(Record {
            gone: true,
            ..rec("left", 4, h1)
        })
        .unwrap();
        assert_eq!(
            j.select(|_, _| true)
                .into_iter()
                .map(|r| r.path)
                .collect::<Vec<_>>(),
            ["a", "c"]
        );
        j.compact_placed(&layout).unwrap();
        assert_eq!(lines(&dir).len(), 4, "{:?}", lines(&dir));
        assert_eq!(
            load(&state, "j.jsonl", 7).unwrap().select(|_, _| true),
            vec![a, b, rec("c", 9, h1)]
        );
        assert_eq!(
            load(&state, "j.jsonl", 8).unwrap().select(|_, _| true),
            vec![Record {
                ws: 8,
                ..rec("other", 5, "x")
            }]
        );
    }

    #[test]
    fn records_of_two_journals_on_one_layout_merge_the_later_over_the_earlier() {
        let (_dir, state) = state();
        let h1 = "qUqP5cyxm6YcTAhz05Hph5gvu9M=";
        let layout = Three(vec![
            ("a", 1, Some("3"), Some(h1)),
            ("b", 2, Some("3"), Some(h1)),
            ("c", 3, Some("3"), Some(h1)),
        ]);
        let mirror = Journal::open(&state, "m.jsonl", 7).unwrap();
        mirror.record(rec("a", 1, h1)).unwrap();
        mirror.record(rec("b", 2, "old")).unwrap();
        mirror.record(rec("c", 3, h1)).unwrap();
        let push = Journal::open(&state, "p.jsonl", 7).unwrap();
        push.record(rec("a", 1, "pushed")).unwrap();
        push.record(rec("b", 2, h1)).unwrap();
        let mut known = load_placed(&state, "m.jsonl", 7, &layout).unwrap();
        known.extend_placed(load_placed(&state, "p.jsonl", 7, &layout).unwrap(), &layout);
        let sha1 = |i: usize| {
            known
                .get_at(i, &layout.path(i), &layout.doc(i))
                .map(|r| r.sha1)
        };
        assert_eq!(
            [sha1(0), sha1(1), sha1(2)],
            [Some("pushed".into()), Some(h1.into()), Some(h1.into())]
        );
        assert_eq!(known.select(|_, _| true).len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_journal_that_is_compact_and_got_nothing_new_is_not_rewritten() {
        use std::os::unix::fs::MetadataExt;
        let (dir, state) = state();
        let inode = || std::fs::metadata(dir.path().join("j.jsonl")).unwrap().ino();
        let j = Journal::open(&state, "j.jsonl", 7).unwrap();
        j.record(rec("a", 1, "h")).unwrap();
        j.record(rec("b", 2, "h")).unwrap();
        j.compact().unwrap();
        drop(j);
        // Loaded whole, nothing new: the same file stays.
        let before = inode();
        let j = Journal::open(&state, "j.jsonl", 7).unwrap();
        j.compact().unwrap();
        assert_eq!(inode(), before);
        // A record superseded in the file: rewritten.
        j.record(rec("a", 1, "h2")).unwrap();
        drop(j);
        let j = Journal::open(&state, "j.jsonl", 7).unwrap();
        j.compact().unwrap();
        assert_ne!(inode(), before);
        assert_eq!(lines(&dir).len(), 2);
        // A line that does not read as a record: rewritten without it.
        drop(j);
        let mut text = std::fs::read_to_string(dir.path().join("j.jsonl")).unwrap();
        text.push_str("{\"ws\":7,\"pa\n");
        std::fs::write(dir.path().join("j.jsonl"), text).unwrap();
        let j = Journal::open(&state, "j.jsonl", 7).unwrap();
        j.compact().unwrap();
        assert_eq!(lines(&dir).len(), 2);
    }

    #[test]
    fn a_line_cut_by_a_kill_does_not_swallow_the_next_record() {
        let (dir, state) = state();
        let line = serde_json::to_string(&rec("a", 1, "h")).unwrap();
        std::fs::write(
            dir.path().join("j.jsonl"),
            format!("{line}\n{{\"ws\":7,\"pa"),
        )
        .unwrap();
        let j = Journal::open(&state, "j.jsonl", 7).unwrap();
        j.record(rec("b", 2, "h")).unwrap();
        drop(j);
        let records = load(&state, "j.jsonl", 7).unwrap();
        assert_eq!(
            records.select(|_, _| true),
            vec![rec("a", 1, "h"), rec("b", 2, "h")]
        );
    }
}
