//! The durable record of completed items: one JSON line per item, appended
//! as each completes, in the target's state directory.
//!
//! A line is written with one `write` on a file opened for appending, so a
//! kill leaves at worst one partial last line, which loading ignores. The
//! journal is flushed to disk every [`SYNC_EVERY`] records and at the end of
//! a run; a record lost to a power cut only costs a re-hash (the file is
//! adopted when its SHA-1 matches). At the end of a run the journal is
//! rewritten compactly (temporary file, then rename).

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use cap_std::fs::{Dir, OpenOptions};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Records between two flushes to disk.
pub(crate) const SYNC_EVERY: usize = 64;

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

pub(crate) struct Journal {
    name: String,
    ws: i64,
    state: Dir,
    file: Mutex<(std::fs::File, usize)>,
    records: Mutex<BTreeMap<String, Record>>,
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
pub(crate) fn load(state: &Dir, name: &str, ws: i64) -> Result<BTreeMap<String, Record>> {
    let mut records = BTreeMap::new();
    match state.open(name) {
        Ok(f) => {
            let reader = std::io::BufReader::new(f.into_std());
            for line in reader.lines() {
                let Ok(line) = line else { break };
                let Ok(r) = serde_json::from_str::<Record>(&line) else {
                    continue;
                };
                if r.ws != ws {
                    continue;
                }
                if r.gone {
                    records.remove(&r.path);
                } else {
                    records.insert(r.path.clone(), r);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io("cannot read", name)(e)),
    }
    Ok(records)
}

impl Journal {
    /// Opens (or starts) journal `name` in `state`, keeping `ws`'s records.
    pub fn open(state: &Dir, name: &str, ws: i64) -> Result<Journal> {
        let state = state.try_clone().map_err(io("cannot open", name))?;
        let records = load(&state, name, ws)?;
        let file = state
            .open_with(name, OpenOptions::new().append(true).create(true))
            .map_err(io("cannot write", name))?
            .into_std();
        Ok(Journal {
            name: name.to_string(),
            ws,
            state,
            file: Mutex::new((file, 0)),
            records: Mutex::new(records),
        })
    }

    /// The record at `path`, if any.
    pub fn get(&self, path: &str) -> Option<Record> {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .cloned()
    }

    /// Every record.
    pub fn all(&self) -> Vec<Record> {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Appends `record` (with this journal's workspace).
    pub fn record(&self, mut record: Record) -> Result<()> {
        record.ws = self.ws;
        let mut line = serde_json::to_vec(&record)
            .map_err(|e| Error::InvalidInput(format!("cannot encode a journal record: {e}")))?;
        line.push(b'\n');
        {
            let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
            file.0
                .write_all(&line)
                .map_err(io("cannot write", &self.name))?;
            file.1 += 1;
            if file.1 >= SYNC_EVERY {
                file.1 = 0;
                file.0.sync_data().map_err(io("cannot flush", &self.name))?;
            }
        }
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if record.gone {
            records.remove(&record.path);
        } else {
            records.insert(record.path.clone(), record);
        }
        Ok(())
    }

    /// Rewrites the journal with only the current records, durably.
    pub fn compact(&self) -> Result<()> {
        let temp = format!("{}.tmp", self.name);
        let mut text = Vec::new();
        for r in self.all() {
            serde_json::to_writer(&mut text, &r)
                .map_err(|e| Error::InvalidInput(format!("cannot encode a journal record: {e}")))?;
            text.push(b'\n');
        }
        let mut keep = Vec::new();
        // Records of other workspaces stay as they were.
        if let Ok(f) = self.state.open(&self.name) {
            for line in std::io::BufReader::new(f.into_std()).lines() {
                let Ok(line) = line else { break };
                if let Ok(r) = serde_json::from_str::<Record>(&line)
                    && r.ws != self.ws
                {
                    keep.extend_from_slice(line.as_bytes());
                    keep.push(b'\n');
                }
            }
        }
        keep.extend_from_slice(&text);
        let mut f = self
            .state
            .open_with(
                &temp,
                OpenOptions::new().write(true).create(true).truncate(true),
            )
            .map_err(io("cannot write", &temp))?
            .into_std();
        f.write_all(&keep).map_err(io("cannot write", &temp))?;
        f.sync_all().map_err(io("cannot flush", &temp))?;
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        self.state
            .rename(&temp, &self.state, &self.name)
            .map_err(io("cannot write", &self.name))?;
        file.0 = self
            .state
            .open_with(&self.name, OpenOptions::new().append(true).create(true))
            .map_err(io("cannot write", &self.name))?
            .into_std();
        file.1 = 0;
        Ok(())
    }
}
