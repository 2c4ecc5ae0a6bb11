//! The journal of what apply created.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use intralinks_ext::lock::open_nofollow;
use intralinks_ext::{Error, Result};

/// The most a journal may hold: a record per object of a room, some 200
/// bytes each, for rooms far larger than any room file.
const JOURNAL_LIMIT: u64 = 64 * 1024 * 1024;

/// One object apply created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Record {
    /// The workspace's name in the file.
    pub room: String,
    /// `workspace`, `folder`, `group`, `member`, `membership` or `permission`.
    pub kind: String,
    /// What was created (a path, a name, an e-mail).
    pub name: String,
    /// The workspace's id.
    pub workspace_id: i64,
    /// The object's id, when the answer gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
}

/// An append-only record (JSON lines) of what apply created, each line
/// written and flushed to disk before the next call, so that after a kill
/// the rerun knows which workspace it created. A torn last line (the kill
/// came mid-write) is ignored.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    records: Vec<Record>,
    /// Where a torn last line starts: cut off before the next append.
    torn_at: Option<u64>,
}

impl Journal {
    /// Reads the journal at `path` (none yet is an empty journal).
    pub fn open(path: &Path) -> Result<Journal> {
        let mut text = String::new();
        match open_nofollow(path, std::fs::OpenOptions::new().read(true), 0o666) {
            Ok(f) => {
                use std::io::Read;
                f.take(JOURNAL_LIMIT + 1)
                    .read_to_string(&mut text)
                    .map_err(|e| {
                        Error::InvalidInput(format!(
                            "cannot read the journal {}: {e}; check its permissions",
                            path.display()
                        ))
                    })?;
                if text.len() as u64 > JOURNAL_LIMIT {
                    return Err(Error::InvalidInput(format!(
                        "the journal {} is larger than a journal can be; move it away and run again (apply looks everything up anyway)",
                        path.display()
                    )));
                }
            }
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        // A line without its newline is torn (the kill came mid-write):
        // it is ignored, and cut off before the next record is appended.
        let (whole, torn_at) = match text.rfind('\n') {
            _ if text.is_empty() || text.ends_with('\n') => (text.as_str(), None),
            Some(i) => (&text[..=i], Some(i as u64 + 1)),
            None => ("", Some(0)),
        };
        let mut records = Vec::new();
        for (i, line) in whole.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let r = serde_json::from_str::<Record>(line).map_err(|e| {
                Error::InvalidInput(format!(
                    "the journal {} has a broken line {}: {e}; move the file away and run again (apply looks everything up anyway)",
                    path.display(),
                    i + 1
                ))
            })?;
            records.push(r);
        }
        Ok(Journal {
            path: path.to_owned(),
            records,
            torn_at,
        })
    }

    /// What it holds, oldest first.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The workspace apply created for the room named `room`, if any.
    pub fn workspace(&self, room: &str) -> Option<i64> {
        self.records
            .iter()
            .rev()
            .find(|r| r.kind == "workspace" && r.room == room)
            .map(|r| r.workspace_id)
    }

    /// Appends one record and flushes it to disk.
    pub fn append(&mut self, record: Record) -> Result<()> {
        let io = |e: std::io::Error| {
            Error::InvalidInput(format!(
                "cannot write the journal {}: {e}; free space or fix its permissions, then run again",
                self.path.display()
            ))
        };
        let mut line = serde_json::to_string(&record)
            .map_err(|e| Error::InvalidInput(format!("cannot encode a journal record: {e}")))?;
        line.push('\n');
        if let Some(at) = self.torn_at.take() {
            let f = open_nofollow(&self.path, std::fs::OpenOptions::new().write(true), 0o666)?;
            f.set_len(at).map_err(io)?;
        }
        let mut f = open_nofollow(
            &self.path,
            std::fs::OpenOptions::new().create(true).append(true),
            0o666,
        )?;
        f.write_all(line.as_bytes()).map_err(io)?;
        f.sync_data().map_err(io)?;
        self.records.push(record);
        Ok(())
    }
}
