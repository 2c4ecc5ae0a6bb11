//! Permissions: a group's level on a folder (and everything in it) or on
//! one document.
//!
//! The published createPermission assigns a permission "for a folder or
//! document"; the published body names only `folderId`, and no source shows
//! the field that names a document. The simulator takes `documentId`, as
//! the overlay declares (our reading), and lists a permission with the one
//! it was given.

use super::*;

impl State {
    fn permission_json(p: &PermissionRec) -> Value {
        let mut v = json!({
            "id": p.id,
            "groupId": p.group_id,
            "permission": p.level,
        });
        match p.on {
            On::Folder(f) => v["folderId"] = json!(f),
            On::Document(d) => v["documentId"] = json!(d),
        }
        v
    }

    /// `GET /workspaces/{id}/permissions`.
    pub(crate) fn list_permissions(
        &self,
        caller: &Caller,
        ws: i64,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        Ok(self
            .permissions
            .values()
            .filter(|p| p.workspace_id == ws)
            .map(Self::permission_json)
            .collect())
    }

    /// `POST /workspaces/{id}/permissions`: one group, one folder or
    /// document, one level; replaces that group's earlier permission there.
    pub(crate) fn create_permission(
        &mut self,
        caller: &Caller,
        ws: i64,
        input: crate::wire::PermissionInput,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        let group = input
            .group_id
            .ok_or_else(|| ApiError::Invalid("groupId is required".into()))?;
        let on = match (input.folder_id, input.document_id) {
            (Some(f), None) => On::Folder(f),
            (None, Some(d)) => On::Document(d),
            (None, None) => {
                return Err(ApiError::Invalid(
                    "folderId or documentId is required".into(),
                ));
            }
            (Some(_), Some(_)) => {
                return Err(ApiError::Invalid(
                    "a permission is on a folder or on a document: send folderId or documentId, not both".into(),
                ));
            }
        };
        let level = input
            .permission
            .ok_or_else(|| ApiError::Invalid("permission is required".into()))?;
        if !matches!(
            level.as_str(),
            "SEE" | "SEE_AND_DOWNLOAD" | "SEE_DOWNLOAD_AND_PRINT"
        ) {
            return Err(ApiError::Invalid(
                "permission must be SEE, SEE_AND_DOWNLOAD or SEE_DOWNLOAD_AND_PRINT".into(),
            ));
        }
        self.group_in(ws, group)?;
        match on {
            On::Folder(f) => self.folder_in(ws, f).map(|_| ())?,
            On::Document(d) => self.doc_in(ws, d).map(|_| ())?,
        }
        self.permissions
            .retain(|_, p| !(p.group_id == group && p.on == on));
        let id = self.new_id();
        self.permissions.insert(
            id,
            PermissionRec {
                id,
                workspace_id: ws,
                group_id: group,
                on,
                level,
            },
        );
        Ok(())
    }

    /// `GET /workspaces/{id}/documents/{did}/permissions`: the permissions
    /// the document inherits from its folder and the folder's ancestors,
    /// and those on the document itself.
    pub(crate) fn document_permissions(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        let d = self.doc_in(ws, id)?;
        Ok(self
            .permissions
            .values()
            .filter(|p| p.workspace_id == ws)
            .filter(|p| match p.on {
                On::Folder(f) => self.is_descendant(d.folder_id, f),
                On::Document(doc) => doc == d.id,
            })
            .map(Self::permission_json)
            .collect())
    }

    /// Forgets the permissions on folders and documents that are gone.
    pub(super) fn forget_permissions(
        &mut self,
        folders: &BTreeSet<i64>,
        documents: &BTreeSet<i64>,
    ) {
        self.permissions.retain(|_, p| match p.on {
            On::Folder(f) => !folders.contains(&f),
            On::Document(d) => !documents.contains(&d),
        });
    }
}
