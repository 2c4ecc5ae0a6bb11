//! A change feed: what is new, changed or removed in a room since a saved
//! point, for a service that acts on what is posted (archive it, tell
//! someone, start a review).
//!
//! The service offers no "changes since" call, so the point is a
//! [`ChangeCursor`]: what a listing of the room's documents said, a few
//! fields per document (id, name, folder, version, last modified). The next
//! listing compared with it gives the [`Change`]s and the next cursor
//! ([`Intralinks::changes`]). A cursor is plain data: keep it anywhere
//! ([`ChangeCursor::to_json`], [`ChangeCursor::from_json`]), and a restart
//! goes on from it without reporting anything twice.
//!
//! What counts as a change of a document: a new version (`versionNumber`),
//! a new name, another folder, or any other edit the service dates with
//! `lastModifiedOn` (a note, a title). Who read it (`lastAccessedOn`,
//! `unread`) is not a change. A document is created before its file is put
//! (version 0, then 1): a listing between the two shows it new at version 0,
//! and the next one changed (its version) once the file is there.
//!
//! ```
//! # use intralinks_ext::{AppKeys, FolderRef, Grant, Intralinks, Secret};
//! # use intralinks_sim::{SimConfig, Simulator, demo};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = Simulator::start(SimConfig::default()).await?;
//! # let il = Intralinks::builder(sim.url())
//! #     .login(
//! #         AppKeys { client_id: demo::CLIENT_ID.into(), client_secret: Secret::new(demo::CLIENT_SECRET) },
//! #         Grant::Password {
//! #             email: demo::EMAIL.into(),
//! #             password: Secret::new(demo::PASSWORD),
//! #             end_other_sessions: false,
//! #         },
//! #     )
//! #     .await?;
//! use intralinks_ext::changes::{ChangeCursor, ChangeKind};
//!
//! // The point to start from: the room as it is now (nothing to report).
//! let cursor = il.change_point(demo::MAIN_WORKSPACE).await?;
//! let saved = cursor.to_json()?; // kept by the service, across restarts
//!
//! let folder = FolderRef { workspace_id: demo::MAIN_WORKSPACE, folder_id: demo::FOLDER_LEGAL };
//! let (id, _) = il.create_document(folder, "Term sheet.pdf").await?;
//!
//! let since = ChangeCursor::from_json(&saved)?;
//! let feed = il.changes(&since).await?;
//! assert_eq!(feed.changes.len(), 1);
//! assert_eq!(feed.changes[0].kind, ChangeKind::New);
//! assert_eq!(feed.changes[0].document_id, id);
//! assert_eq!(feed.changes[0].path, "Legal/Term sheet.pdf");
//! // From the new point on, nothing happened.
//! assert!(il.changes(&feed.cursor).await?.changes.is_empty());
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use intralinks_api::types::{Document, Folder};
use serde::{Deserialize, Serialize};

use crate::Intralinks;
use crate::error::{Error, Result};
use crate::listing::{FolderPaths, document_folder};

/// The cursor format this version writes and reads.
const FORMAT: u32 = 1;

/// The most bytes [`ChangeCursor::from_json`] reads: some 2 million
/// documents' worth.
pub const CURSOR_LIMIT: usize = 512 * 1024 * 1024;

/// A saved point of one room: what its documents were when it was taken.
/// Serialisable (JSON through [`ChangeCursor::to_json`]), so that a service
/// can keep it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeCursor {
    format: u32,
    workspace_id: i64,
    /// When the listing it holds was taken.
    taken_at: Option<DateTime<Utc>>,
    documents: BTreeMap<i64, Seen>,
}

/// What a cursor keeps of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Seen {
    name: String,
    folder_id: Option<i64>,
    /// Its path (folders and name), for a change that removes it.
    path: String,
    version: Option<i64>,
    /// `lastModifiedOn`, in milliseconds.
    modified: Option<i64>,
}

impl ChangeCursor {
    /// A point before anything in workspace `workspace_id`: from it, every
    /// document listed is [`ChangeKind::New`].
    pub fn empty(workspace_id: i64) -> Self {
        ChangeCursor {
            format: FORMAT,
            workspace_id,
            taken_at: None,
            documents: BTreeMap::new(),
        }
    }

    /// The workspace it is a point of.
    pub fn workspace_id(&self) -> i64 {
        self.workspace_id
    }

    /// When the listing it holds was taken (`None` for [`ChangeCursor::empty`]).
    pub fn taken_at(&self) -> Option<DateTime<Utc>> {
        self.taken_at
    }

    /// How many documents it holds.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// Whether it holds no document.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// The cursor as JSON, to keep.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self)
            .map_err(|e| Error::InvalidInput(format!("cannot write the change cursor: {e}")))
    }

    /// A cursor kept with [`ChangeCursor::to_json`]. Anything else — another
    /// format, a truncated file, more than [`CURSOR_LIMIT`] bytes — is
    /// [`Error::InvalidInput`] saying so.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > CURSOR_LIMIT {
            return Err(Error::InvalidInput(format!(
                "the change cursor is {} bytes, more than a cursor holds ({CURSOR_LIMIT}); start again from a new point",
                bytes.len()
            )));
        }
        let cursor: ChangeCursor = serde_json::from_slice(bytes).map_err(|e| {
            Error::InvalidInput(format!(
                "this is not a change cursor written by this library ({e}); start again from a new point"
            ))
        })?;
        if cursor.format != FORMAT {
            return Err(Error::InvalidInput(format!(
                "the change cursor is of format {}, this library reads format {FORMAT}; start again from a new point",
                cursor.format
            )));
        }
        Ok(cursor)
    }
}

/// What happened to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// It was not there at the saved point.
    New,
    /// It was there and is different now (see [`Change::what`]).
    Changed,
    /// It was there and is not listed any more (deleted, moved out of your
    /// sight, or its permissions withdrawn).
    Removed,
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChangeKind::New => "new",
            ChangeKind::Changed => "changed",
            ChangeKind::Removed => "removed",
        })
    }
}

/// What changed about a document that was there before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Changed {
    /// A new version (`versionNumber` moved).
    Version,
    /// Renamed.
    Name,
    /// Moved to another folder.
    Folder,
    /// Another edit the service dated (`lastModifiedOn` moved): a note, a title.
    Modified,
}

impl std::fmt::Display for Changed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Changed::Version => "version",
            Changed::Name => "name",
            Changed::Folder => "folder",
            Changed::Modified => "modified",
        })
    }
}

/// One document that is new, changed or removed since a saved point.
/// Its name and path are as the service sent them: sanitise them before
/// they reach a terminal or a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// New, changed or removed.
    pub kind: ChangeKind,
    /// The document's id.
    pub document_id: i64,
    /// Its name (for a removed one, the last name seen).
    pub name: String,
    /// Its folder's id.
    pub folder_id: Option<i64>,
    /// Its folders' names from the top and its name, `/` between them.
    pub path: String,
    /// Its version number (for a removed one, the last seen).
    pub version: Option<i64>,
    /// Its `lastModifiedOn` (for a removed one, the last seen).
    pub modified_on: Option<DateTime<Utc>>,
    /// For [`ChangeKind::Changed`], what changed; empty otherwise.
    pub what: Vec<Changed>,
}

/// The changes since a point, and the point to go on from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Each document new, changed or removed, by path (then id).
    pub changes: Vec<Change>,
    /// The room as listed now: give it to the next [`Intralinks::changes`].
    pub cursor: ChangeCursor,
}

fn millis_of(m: &Option<crate::Millis>) -> Option<i64> {
    m.as_ref().and_then(|m| m.milliseconds)
}

fn date_of(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::<Utc>::from_timestamp_millis)
}

/// The point the listing `folders` and `documents` of workspace
/// `workspace_id` make, taken at `taken_at`.
pub fn point(
    workspace_id: i64,
    folders: &[Folder],
    documents: &[Document],
    taken_at: Option<DateTime<Utc>>,
) -> ChangeCursor {
    let paths = FolderPaths::new(folders);
    let mut seen = BTreeMap::new();
    for d in documents {
        let name = d.name.clone().unwrap_or_default();
        let folder_id = document_folder(d);
        let mut segments = folder_id.map(|f| paths.segments(f)).unwrap_or_default();
        segments.push(name.clone());
        seen.entry(d.id).or_insert(Seen {
            name,
            folder_id,
            path: segments.join("/"),
            version: d.version_number,
            modified: millis_of(&d.last_modified_on),
        });
    }
    ChangeCursor {
        format: FORMAT,
        workspace_id,
        taken_at,
        documents: seen,
    }
}

/// What differs between the point `since` and the point `now` of the same
/// room: each document new, changed or removed, by path (then id).
pub fn compare(since: &ChangeCursor, now: &ChangeCursor) -> Vec<Change> {
    let change = |kind, id: i64, s: &Seen, what| Change {
        kind,
        document_id: id,
        name: s.name.clone(),
        folder_id: s.folder_id,
        path: s.path.clone(),
        version: s.version,
        modified_on: date_of(s.modified),
        what,
    };
    let mut out = Vec::new();
    for (id, s) in &now.documents {
        match since.documents.get(id) {
            None => out.push(change(ChangeKind::New, *id, s, Vec::new())),
            Some(before) => {
                let mut what = Vec::new();
                if before.version != s.version {
                    what.push(Changed::Version);
                }
                if before.name != s.name {
                    what.push(Changed::Name);
                }
                if before.folder_id != s.folder_id {
                    what.push(Changed::Folder);
                }
                if what.is_empty() && before.modified != s.modified {
                    what.push(Changed::Modified);
                }
                if !what.is_empty() {
                    out.push(change(ChangeKind::Changed, *id, s, what));
                }
            }
        }
    }
    for (id, before) in &since.documents {
        if !now.documents.contains_key(id) {
            out.push(change(ChangeKind::Removed, *id, before, Vec::new()));
        }
    }
    out.sort_by(|a, b| (a.path.as_str(), a.document_id).cmp(&(b.path.as_str(), b.document_id)));
    out
}

impl Intralinks {
    /// The point workspace `workspace_id` is at now: its documents listed,
    /// to compare later listings with ([`Intralinks::changes`]).
    pub async fn change_point(&self, workspace_id: i64) -> Result<ChangeCursor> {
        let taken_at = DateTime::<Utc>::from(std::time::SystemTime::now());
        let folders = self.folders(workspace_id).await?;
        let documents = self.documents(workspace_id, None).await?;
        Ok(point(workspace_id, &folders, &documents, Some(taken_at)))
    }

    /// What is new, changed or removed in the cursor's workspace since
    /// `since` (one listing of its folders and one of its documents), and
    /// the point to go on from. A workspace that must be entered first is
    /// [`Error::EntryRequired`], as for any listing.
    pub async fn changes(&self, since: &ChangeCursor) -> Result<Changes> {
        let now = self.change_point(since.workspace_id).await?;
        Ok(Changes {
            changes: compare(since, &now),
            cursor: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(id: i64, parent: Option<i64>, name: &str) -> Folder {
        serde_json::from_value(serde_json::json!({"id": id, "parentId": parent, "name": name}))
            .unwrap()
    }

    fn doc(id: i64, folder: i64, name: &str, version: i64, modified: i64) -> Document {
        serde_json::from_value(serde_json::json!({
            "id": id, "parentId": folder, "name": name, "versionNumber": version,
            "lastModifiedOn": {"milliseconds": modified}, "lastAccessedOn": {"milliseconds": modified},
        }))
        .unwrap()
    }

    #[test]
    fn new_changed_and_removed_documents_by_path() {
        let folders = [
            folder(1, None, "Legal"),
            folder(2, Some(1), "NDAs"),
            folder(3, None, "Tax"),
        ];
        let before = point(
            7,
            &folders,
            &[
                doc(10, 1, "SPA.pdf", 1, 1000),
                doc(11, 2, "A.pdf", 1, 1000),
                doc(12, 3, "Return.pdf", 2, 1000),
                doc(13, 3, "Note.pdf", 1, 1000),
                doc(14, 1, "Same.pdf", 1, 1000),
            ],
            None,
        );
        let mut read = doc(14, 1, "Same.pdf", 1, 1000);
        read.last_accessed_on = Some(crate::Millis::from_millis(99_999));
        read.unread = Some(false);
        let now = point(
            7,
            &folders,
            &[
                doc(10, 1, "SPA.pdf", 2, 2000),
                doc(11, 3, "B.pdf", 1, 2000),
                doc(13, 3, "Note.pdf", 1, 3000),
                doc(15, 2, "New.pdf", 1, 4000),
                read,
            ],
            None,
        );
        let got: Vec<(ChangeKind, i64, String, Vec<Changed>)> = compare(&before, &now)
            .into_iter()
            .map(|c| (c.kind, c.document_id, c.path, c.what))
            .collect();
        use ChangeKind::{New, Removed};
        let changed = ChangeKind::Changed;
        assert_eq!(
            got,
            [
                (New, 15, "Legal/NDAs/New.pdf".to_string(), vec![]),
                (changed, 10, "Legal/SPA.pdf".into(), vec![Changed::Version]),
                (
                    changed,
                    11,
                    "Tax/B.pdf".into(),
                    vec![Changed::Name, Changed::Folder]
                ),
                (changed, 13, "Tax/Note.pdf".into(), vec![Changed::Modified]),
                (Removed, 12, "Tax/Return.pdf".into(), vec![]),
            ]
        );
        // A removed one is told as last seen.
        let removed = compare(&before, &now).pop().unwrap();
        assert_eq!(removed.version, Some(2));
        assert_eq!(removed.modified_on.unwrap().timestamp_millis(), 1000);
        assert_eq!(compare(&now, &now), []);
    }

    #[test]
    fn a_cursor_reads_back_and_anything_else_is_refused_with_advice() {
        let c = point(
            7,
            &[folder(1, None, "Legal")],
            &[doc(10, 1, "SPA.pdf", 1, 1000)],
            DateTime::<Utc>::from_timestamp_millis(5000),
        );
        let json = c.to_json().unwrap();
        assert_eq!(
            String::from_utf8(json.clone()).unwrap(),
            r#"{"format":1,"workspaceId":7,"takenAt":"1970-01-01T00:00:05Z","documents":{"10":{"name":"SPA.pdf","folderId":1,"path":"Legal/SPA.pdf","version":1,"modified":1000}}}"#
        );
        assert_eq!(ChangeCursor::from_json(&json).unwrap(), c);
        assert_eq!(c.len(), 1);
        assert_eq!(c.workspace_id(), 7);
        let e = ChangeCursor::from_json(&json[..json.len() - 3]).unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
        assert!(
            e.to_string().ends_with("start again from a new point"),
            "{e}"
        );
        let other = String::from_utf8(json)
            .unwrap()
            .replace(r#""format":1"#, r#""format":9"#);
        assert_eq!(
            ChangeCursor::from_json(other.as_bytes())
                .unwrap_err()
                .to_string(),
            "the change cursor is of format 9, this library reads format 1; start again from a new point"
        );
    }

    #[test]
    fn from_the_empty_point_everything_is_new() {
        let now = point(7, &[], &[doc(10, 99, "Orphan.pdf", 1, 1000)], None);
        let got = compare(&ChangeCursor::empty(7), &now);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].kind, ChangeKind::New);
        // A folder not listed: the name alone.
        assert_eq!(got[0].path, "Orphan.pdf");
    }
}
