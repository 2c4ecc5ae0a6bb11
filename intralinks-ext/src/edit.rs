//! Changing a room's documents and folders: new folders, and renaming,
//! moving, re-noting and deleting documents and folders.
//!
//! Every update and delete names the entity at the `version` it was read
//! at (the service's optimistic concurrency): pass the [`Document`] or
//! [`Folder`] as listed or fetched, not an id. When the entity changed
//! since, nothing is changed and the call fails with
//! [`Error::ChangedMeanwhile`]: look again, then retry. (The service
//! answers a stale version with a 400; the simulator's subCode is `3-3`,
//! and that answer is what becomes the typed error.)
//!
//! An update sends the entity as it was read with the change applied, as
//! the Intralinks Python SDK does (`functions/v2/documents.py`
//! `update_document` sends the document as listed; `functions/v2/folders.py`
//! `update_folder` sends the folder without the fields the service computes,
//! which are left out here too). A document moves by its `parentId`.
//!
//! Paths name folders and documents by their names from the top, joined by
//! `/` ([`folders_at`], [`documents_at`]), placed as
//! [`crate::listing::FolderPaths`] places them; the service allows two
//! siblings of one name, so a path may name several.
//!
//! ```
//! # use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
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
//! # il.enter(demo::MAIN_WORKSPACE, &mut intralinks_ext::FixedAnswers::default()).await?;
//! use intralinks_ext::Error;
//! use intralinks_ext::edit::{Edit, documents_at};
//!
//! let ws = demo::MAIN_WORKSPACE;
//! let (folders, docs) = (il.folders(ws).await?, il.documents(ws, None).await?);
//! let readme = documents_at(&folders, &docs, "Financials/Read me.txt")[0].clone();
//! let renamed = il.update_document(ws, &readme, &Edit::rename("README.txt")).await?;
//! assert_eq!(renamed.name.as_deref(), Some("README.txt"));
//!
//! // `readme` is the document as it was before the rename: out of date.
//! let stale = il.delete_document(ws, &readme).await.unwrap_err();
//! assert!(matches!(stale, Error::ChangedMeanwhile { what: "document", .. }));
//! # Ok(()) }
//! ```

use intralinks_api::types::{
    CreateFoldersRequest, DeleteDocumentsRequest, Document, EntityPartial, EntityRef, Folder,
    FolderInput, FolderInputItem, UpdateDocumentsRequest, UpdateFoldersRequest,
};

use crate::Intralinks;
use crate::error::{Checked, Error, Result, STALE_VERSION};
use crate::listing::{FolderPaths, document_folder};

/// What an update changes; what is `None` stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Edit {
    /// A new name.
    pub name: Option<String>,
    /// A new parent folder: the folder to move into.
    pub parent: Option<i64>,
    /// A new note; `""` removes the note.
    pub note: Option<String>,
}

impl Edit {
    /// A new name.
    pub fn rename(name: impl Into<String>) -> Self {
        Edit {
            name: Some(name.into()),
            ..Edit::default()
        }
    }

    /// A move into folder `folder`.
    pub fn move_to(folder: i64) -> Self {
        Edit {
            parent: Some(folder),
            ..Edit::default()
        }
    }

    /// A new note (`""` removes it).
    pub fn note(text: impl Into<String>) -> Self {
        Edit {
            note: Some(text.into()),
            ..Edit::default()
        }
    }

    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.parent.is_none() && self.note.is_none()
    }
}

/// Checks a new name: not empty, no `/` (which separates the names of a
/// path), no control character.
pub fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::InvalidInput(
            "a name cannot be empty; give the new name".into(),
        ));
    }
    if name.contains('/') {
        return Err(Error::InvalidInput(format!(
            "a name cannot hold '/', which separates the names of a path: {:?}; choose another name",
            crate::text::for_terminal(name)
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::InvalidInput(format!(
            "a name cannot hold control characters: {:?}; choose another name",
            crate::text::for_terminal(name)
        )));
    }
    Ok(())
}

/// The names of a path: `/`-separated, empty names (a leading, trailing
/// or doubled `/`) left out.
pub fn path_names(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// The folders of a listing at `path` (names from the top, joined by `/`).
pub fn folders_at<'a>(folders: &'a [Folder], path: &str) -> Vec<&'a Folder> {
    let want = path_names(path);
    if want.is_empty() {
        return Vec::new();
    }
    let tree = FolderPaths::new(folders);
    folders
        .iter()
        .filter(|f| f.name.as_deref() == want.last().copied())
        .filter(|f| tree.segments(f.id) == want)
        .collect()
}

/// The documents of a listing at `path`: their folder's path, `/`, their name.
pub fn documents_at<'a>(
    folders: &[Folder],
    documents: &'a [Document],
    path: &str,
) -> Vec<&'a Document> {
    let mut want = path_names(path);
    let Some(name) = want.pop() else {
        return Vec::new();
    };
    let tree = FolderPaths::new(folders);
    documents
        .iter()
        .filter(|d| d.name.as_deref() == Some(name))
        .filter(|d| {
            document_folder(d)
                .map(|f| tree.segments(f))
                .unwrap_or_default()
                == want
        })
        .collect()
}

/// The version an entity was read at, or why it cannot be changed.
fn version_of(what: &str, id: i64, version: Option<&str>) -> Result<String> {
    match version {
        Some(v) if !v.is_empty() => Ok(v.to_string()),
        _ => Err(Error::InvalidInput(format!(
            "{what} {id} was read without its version, which an update or delete must name; read it again (list or get it), then retry"
        ))),
    }
}

/// A stale version's 400 as [`Error::ChangedMeanwhile`]; any other error as it is.
fn stale(e: Error, what: &'static str, id: i64, version: &str) -> Error {
    match e {
        Error::Service {
            status: 400,
            subcode: Some(ref s),
            ref message,
            ..
        } if s == STALE_VERSION => Error::ChangedMeanwhile {
            what,
            id,
            version: version.to_string(),
            message: message.clone(),
        },
        e => e,
    }
}

fn check_edit(what: &str, id: i64, edit: &Edit) -> Result<()> {
    if edit.is_empty() {
        return Err(Error::InvalidInput(format!(
            "nothing to change on {what} {id}: give a new name, folder or note"
        )));
    }
    if let Some(name) = &edit.name {
        check_name(name)?;
    }
    Ok(())
}

/// The one partial of a create or update answer.
fn one(partials: Vec<EntityPartial>, what: &str) -> Result<EntityPartial> {
    partials.into_iter().next().ok_or_else(|| Error::Protocol {
        status: 202,
        detail: format!("the answer to a {what} carries no partial"),
    })
}

impl Intralinks {
    /// Creates folder `name` in `parent` (at the top with `None`), with a
    /// note when one is given: its partial (id, name, version). The service
    /// accepts a second folder of the same name beside the first, so look
    /// first ([`folders_at`]) when there must be one.
    pub async fn create_folder(
        &self,
        workspace_id: i64,
        name: &str,
        parent: Option<i64>,
        note: Option<&str>,
    ) -> Result<EntityPartial> {
        check_name(name)?;
        let answer = self
            .api()
            .create_folder()
            .workspace_id(workspace_id)
            .body(CreateFoldersRequest {
                folders: vec![FolderInputItem {
                    folder: FolderInput {
                        name: name.to_string(),
                        parent_id: parent,
                        note: note.filter(|n| !n.is_empty()).map(str::to_string),
                    },
                }],
            })
            .send()
            .checked()
            .await?;
        one(answer.folder_partial, "folder create")
    }

    /// Renames, moves or re-notes `document` (as it was read): its partial
    /// after the change (the new name and version). A document changed
    /// since it was read is [`Error::ChangedMeanwhile`].
    pub async fn update_document(
        &self,
        workspace_id: i64,
        document: &Document,
        edit: &Edit,
    ) -> Result<EntityPartial> {
        check_edit("document", document.id, edit)?;
        let version = version_of("document", document.id, document.version.as_deref())?;
        let mut sent = document.clone();
        if let Some(name) = &edit.name {
            sent.name = Some(name.clone());
        }
        if let Some(parent) = edit.parent {
            sent.parent_id = Some(parent);
            sent.folder_id = Some(parent);
        }
        if let Some(note) = &edit.note {
            sent.note = Some(note.clone());
        }
        let answer = self
            .api()
            .update_documents()
            .workspace_id(workspace_id)
            .body(UpdateDocumentsRequest {
                documents: vec![sent],
            })
            .send()
            .checked()
            .await
            .map_err(|e| stale(e, "document", document.id, &version))?;
        one(answer.document_partial, "document update")
    }

    /// Deletes `document` (as it was read). A document changed since it was
    /// read is [`Error::ChangedMeanwhile`], and stays.
    pub async fn delete_document(&self, workspace_id: i64, document: &Document) -> Result<()> {
        let version = version_of("document", document.id, document.version.as_deref())?;
        self.api()
            .delete_documents()
            .workspace_id(workspace_id)
            .body(DeleteDocumentsRequest {
                documents: vec![EntityRef {
                    id: document.id,
                    version: version.clone(),
                }],
            })
            .send()
            .checked()
            .await
            .map_err(|e| stale(e, "document", document.id, &version))?;
        Ok(())
    }

    /// Renames, moves or re-notes `folder` (as it was read): its partial
    /// after the change. A folder cannot move into itself; one changed
    /// since it was read is [`Error::ChangedMeanwhile`].
    pub async fn update_folder(
        &self,
        workspace_id: i64,
        folder: &Folder,
        edit: &Edit,
    ) -> Result<EntityPartial> {
        check_edit("folder", folder.id, edit)?;
        if edit.parent == Some(folder.id) {
            return Err(Error::InvalidInput(format!(
                "folder {} cannot move into itself; name another folder",
                folder.id
            )));
        }
        let version = version_of("folder", folder.id, folder.version.as_deref())?;
        let mut sent = folder.clone();
        // What the service computes, left out as the SDK's update_folder does.
        sent.is_emailin = None;
        sent.version_number = None;
        sent.is_favorite = None;
        sent.last_modified_by = None;
        sent.last_modified_on = None;
        sent.created_by = None;
        sent.created_on = None;
        sent.has_child_folders = None;
        sent.order_number = None;
        sent.index_number = None;
        if let Some(name) = &edit.name {
            sent.name = Some(name.clone());
        }
        if let Some(parent) = edit.parent {
            sent.parent_id = Some(parent);
        }
        if let Some(note) = &edit.note {
            sent.note = Some(note.clone());
        }
        let answer = self
            .api()
            .update_folders()
            .workspace_id(workspace_id)
            .body(UpdateFoldersRequest {
                folders: vec![sent],
            })
            .send()
            .checked()
            .await
            .map_err(|e| stale(e, "folder", folder.id, &version))?;
        one(answer.folder_partial, "folder update")
    }

    /// Deletes `folder` (as it was read); with `with_contents`, everything
    /// in it too (`deleteFolderContents=true`), else the service refuses a
    /// folder that is not empty. A folder changed since it was read is
    /// [`Error::ChangedMeanwhile`], and stays.
    pub async fn delete_folder(
        &self,
        workspace_id: i64,
        folder: &Folder,
        with_contents: bool,
    ) -> Result<()> {
        let version = version_of("folder", folder.id, folder.version.as_deref())?;
        self.api()
            .delete_folder()
            .workspace_id(workspace_id)
            .folder_id(folder.id)
            .version(version.clone())
            .delete_folder_contents(with_contents)
            .send()
            .checked()
            .await
            .map_err(|e| stale(e, "folder", folder.id, &version))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(id: i64, parent: Option<i64>, name: &str) -> Folder {
        serde_json::from_value(serde_json::json!({"id": id, "parentId": parent, "name": name}))
            .unwrap()
    }

    fn doc(id: i64, parent: i64, name: &str) -> Document {
        serde_json::from_value(serde_json::json!({"id": id, "parentId": parent, "name": name}))
            .unwrap()
    }

    #[test]
    fn paths_name_folders_and_documents_by_their_names_from_the_top() {
        let folders = [
            folder(1, None, "A"),
            folder(2, Some(1), "B"),
            folder(3, None, "B"),
            folder(4, Some(1), "B"),
        ];
        let docs = [doc(10, 2, "x.txt"), doc(11, 3, "x.txt")];
        let ids = |v: Vec<&Folder>| v.iter().map(|f| f.id).collect::<Vec<_>>();
        assert_eq!(ids(folders_at(&folders, "A/B")), [2, 4]);
        assert_eq!(ids(folders_at(&folders, "/B/")), [3]);
        assert_eq!(ids(folders_at(&folders, "")), Vec::<i64>::new());
        assert_eq!(ids(folders_at(&folders, "C")), Vec::<i64>::new());
        let found: Vec<i64> = documents_at(&folders, &docs, "B/x.txt")
            .iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(found, [11]);
        assert!(documents_at(&folders, &docs, "x.txt").is_empty());
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("Q4 pack.pdf").is_ok());
        for bad in ["", "  ", "a/b", "a\u{7}"] {
            let e = check_name(bad).unwrap_err();
            assert!(matches!(e, Error::InvalidInput(_)), "{bad:?}");
        }
    }

    #[test]
    fn a_stale_version_becomes_changed_meanwhile_and_nothing_else_does() {
        let service = |subcode: &str| Error::Service {
            status: 400,
            code: Some(400),
            subcode: Some(subcode.into()),
            message: "version".into(),
            error_id: None,
            retry_after: None,
        };
        let e = stale(service("3-3"), "folder", 7, "abc");
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.subcode(), Some("3-3"));
        assert_eq!(
            e.to_string(),
            "folder 7 changed meanwhile (it is no longer at the version that was read, abc); nothing was changed: look at it again, then retry"
        );
        assert!(matches!(
            stale(service("2-1"), "folder", 7, "abc"),
            Error::Service { .. }
        ));
    }
}
