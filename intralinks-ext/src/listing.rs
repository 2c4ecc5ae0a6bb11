//! A room's folders and documents as the service describes them: the one
//! typed listing under reports, rooms as code and the command line.
//!
//! The sync engine lists through its own compact model instead
//! (`intralinks-sync`: parsed as the body arrives, a few fields kept), since
//! it holds every document of a room at once; both go through the client's
//! runtime (token, refresh, answer limit) and place folders by
//! [`crate::tree::Forest`].

use std::collections::HashMap;

use intralinks_api::types::{Document, Folder};

use crate::Intralinks;
use crate::error::{Checked, Result};

/// A group's name: `groupName`, else `name` (the service sends one or the
/// other); empty when it sends neither.
pub fn group_name(g: &intralinks_api::types::Group) -> &str {
    g.group_name
        .as_deref()
        .or(g.name.as_deref())
        .unwrap_or_default()
}

/// A workspace's name: `name`, else `workspaceName` (the service sends one
/// or the other); empty when it sends neither.
pub fn workspace_name(w: &intralinks_api::types::Workspace) -> &str {
    w.name
        .as_deref()
        .or(w.workspace_name.as_deref())
        .unwrap_or_default()
}

/// The folder a document is in: `parentId`, else `folderId` (the service
/// sends one or the other).
pub fn document_folder(doc: &Document) -> Option<i64> {
    doc.parent_id.or(doc.folder_id)
}

/// The folder tree of one workspace by name: each folder's path from the
/// top, placed by [`crate::tree::Forest`]'s one rule (orphans and cycles at
/// the top, depth bounded), so the reports and rooms as code name a folder
/// alike.
#[derive(Debug, Clone)]
pub struct FolderPaths {
    forest: crate::tree::Forest,
    names: HashMap<i64, String>,
}

impl FolderPaths {
    /// The paths of `folders`, as listed (a folder listed twice keeps its
    /// first name; a folder without a name has an empty one).
    pub fn new(folders: &[Folder]) -> Self {
        let mut names = HashMap::with_capacity(folders.len());
        for f in folders {
            names
                .entry(f.id)
                .or_insert_with(|| f.name.clone().unwrap_or_default());
        }
        FolderPaths {
            forest: crate::tree::Forest::new(folders.iter().map(|f| (f.id, f.parent_id))),
            names,
        }
    }

    /// The names from the top down to folder `id`, as its path shows them
    /// (at most [`crate::tree::MAX_DEPTH`]); empty for a folder not listed.
    pub fn segments(&self, id: i64) -> Vec<String> {
        let mut names: Vec<String> = self
            .forest
            .shown_chain(id)
            .iter()
            .filter_map(|f| self.names.get(f).cloned())
            .collect();
        names.reverse();
        names
    }

    /// Where each folder is placed: parents, and the folders parents first.
    pub fn forest(&self) -> &crate::tree::Forest {
        &self.forest
    }
}

impl Intralinks {
    /// Every folder of workspace `workspace_id`, as listed.
    ///
    /// ```
    /// # use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
    /// # use intralinks_sim::{SimConfig, Simulator, demo};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = Simulator::start(SimConfig::default()).await?;
    /// # let il = Intralinks::builder(sim.url())
    /// #     .login(
    /// #         AppKeys { client_id: demo::CLIENT_ID.into(), client_secret: Secret::new(demo::CLIENT_SECRET) },
    /// #         Grant::Password {
    /// #             email: demo::EMAIL.into(),
    /// #             password: Secret::new(demo::PASSWORD),
    /// #             end_other_sessions: false,
    /// #         },
    /// #     )
    /// #     .await?;
    /// let folders = il.folders(demo::MAIN_WORKSPACE).await?;
    /// let legal = folders.iter().find(|f| f.id == demo::FOLDER_LEGAL).unwrap();
    /// assert_eq!(legal.name.as_deref(), Some("Legal"));
    /// # Ok(()) }
    /// ```
    pub async fn folders(&self, workspace_id: i64) -> Result<Vec<Folder>> {
        Ok(self
            .api()
            .list_folders()
            .workspace_id(workspace_id)
            .send()
            .checked()
            .await?
            .folder)
    }

    /// The documents of workspace `workspace_id`: all of them, or with
    /// `Some(folder)` those directly in that folder (asked of the service
    /// and checked again here, by [`document_folder`]).
    ///
    /// ```
    /// # use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
    /// # use intralinks_sim::{SimConfig, Simulator, demo};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = Simulator::start(SimConfig::default()).await?;
    /// # let il = Intralinks::builder(sim.url())
    /// #     .login(
    /// #         AppKeys { client_id: demo::CLIENT_ID.into(), client_secret: Secret::new(demo::CLIENT_SECRET) },
    /// #         Grant::Password {
    /// #             email: demo::EMAIL.into(),
    /// #             password: Secret::new(demo::PASSWORD),
    /// #             end_other_sessions: false,
    /// #         },
    /// #     )
    /// #     .await?;
    /// use intralinks_ext::listing::document_folder;
    ///
    /// let all = il.documents(demo::MAIN_WORKSPACE, None).await?;
    /// let contracts = il.documents(demo::MAIN_WORKSPACE, Some(demo::FOLDER_CONTRACTS)).await?;
    /// assert!(!contracts.is_empty() && contracts.len() < all.len());
    /// assert!(contracts.iter().all(|d| document_folder(d) == Some(demo::FOLDER_CONTRACTS)));
    /// # Ok(()) }
    /// ```
    pub async fn documents(&self, workspace_id: i64, folder: Option<i64>) -> Result<Vec<Document>> {
        let mut call = self.api().list_documents().workspace_id(workspace_id);
        if let Some(f) = folder {
            call = call.folder_id(f);
        }
        let mut docs = call.send().checked().await?.document;
        if let Some(f) = folder {
            docs.retain(|d| document_folder(d) == Some(f));
        }
        Ok(docs)
    }
}
