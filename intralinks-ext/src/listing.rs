//! A room's folders and documents as the service describes them: the one
//! typed listing under reports, rooms as code and the command line.
//!
//! The sync engine lists through its own compact model instead
//! ([`crate::sync`]: parsed as the body arrives, a few fields kept), since
//! it holds every document of a room at once; both go through the client's
//! runtime (token, refresh, answer limit) and place folders by
//! [`crate::tree::Forest`].

use intralinks_api::types::{Document, Folder};

use crate::Intralinks;
use crate::error::{Checked, Result};

/// The folder a document is in: `parentId`, else `folderId` (the service
/// sends one or the other).
pub fn document_folder(doc: &Document) -> Option<i64> {
    doc.parent_id.or(doc.folder_id)
}

impl Intralinks {
    /// Every folder of workspace `workspace_id`, as listed.
    ///
    /// ```
    /// # use intralinks_ext::{AppKeys, FixedAnswers, Grant, Intralinks, Secret};
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
    /// # il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default()).await?;
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
    /// # use intralinks_ext::{AppKeys, FixedAnswers, Grant, Intralinks, Secret};
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
    /// # il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default()).await?;
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
