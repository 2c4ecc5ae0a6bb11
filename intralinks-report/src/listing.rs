//! One workspace's listings, the document and member rows built from them,
//! and how those rows list a workspace ([`Row::fetch`]).

use std::collections::{BTreeSet, HashMap};

use intralinks_ext::api::types;
use intralinks_ext::listing::{FolderPaths as Tree, document_folder as doc_folder};
use intralinks_ext::{Checked, Intralinks, Result};

use crate::rows::{
    Column, DocumentRow, MemberRow, PATH_SEPARATOR, Row, WorkspaceRef, date, number, text, when,
};

pub(crate) fn join(segments: &[String]) -> String {
    segments.join(PATH_SEPARATOR)
}

pub(crate) async fn folders(il: &Intralinks, ws: i64) -> Result<Vec<types::Folder>> {
    il.folders(ws).await
}

pub(crate) async fn documents(il: &Intralinks, ws: i64) -> Result<Vec<types::Document>> {
    il.documents(ws, None).await
}

pub(crate) async fn groups(il: &Intralinks, ws: i64) -> Result<types::GroupList> {
    il.api()
        .list_groups()
        .workspace_id(ws)
        .include_workspace_group_members(true)
        .send()
        .checked()
        .await
}

pub(crate) async fn members(il: &Intralinks, ws: i64) -> Result<Vec<types::User>> {
    Ok(il
        .api()
        .list_workspace_members()
        .workspace_id(ws)
        .send()
        .checked()
        .await?
        .users)
}

pub(crate) async fn permissions(il: &Intralinks, ws: i64) -> Result<Vec<types::Permission>> {
    Ok(il
        .api()
        .list_permissions()
        .workspace_id(ws)
        .send()
        .checked()
        .await?
        .permissions)
}

pub(crate) fn group_name(g: &types::Group) -> String {
    intralinks_ext::listing::group_name(g).to_string()
}

/// A path that sorts segment by segment, so that a folder's contents follow
/// it (`A/B` before `A B`). One string per row, not one per segment.
#[derive(PartialEq, Eq)]
pub(crate) struct PathKey(pub(crate) String);

impl Ord for PathKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0
            .split(PATH_SEPARATOR)
            .cmp(other.0.split(PATH_SEPARATOR))
    }
}

impl PartialOrd for PathKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Sorts rows by their keys and drops the keys.
pub(crate) fn sorted<K: Ord, R>(mut keyed: Vec<(K, R)>) -> Vec<R> {
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, r)| r).collect()
}

/// Builds document rows from one workspace's listings.
pub fn document_rows(
    ws: &WorkspaceRef,
    folders: &[types::Folder],
    documents: &[types::Document],
) -> Vec<DocumentRow> {
    let tree = Tree::new(folders);
    let keyed = documents
        .iter()
        .map(|d| {
            let segments = doc_folder(d).map(|f| tree.segments(f)).unwrap_or_default();
            let name = d.name.clone().unwrap_or_default();
            let row = DocumentRow {
                workspace_id: ws.id,
                workspace_name: ws.name.clone(),
                folder_path: join(&segments),
                name: name.clone(),
                id: d.id,
                file_size: d.file_size,
                created_on: date(d.created_on),
                last_modified_on: date(d.last_modified_on),
                version_number: d.version_number,
                file_hash_download: d.file_hash_download.clone(),
                note: d.note.clone(),
            };
            ((PathKey(row.folder_path.clone()), name, d.id), row)
        })
        .collect();
    sorted(keyed)
}

/// Builds member rows from one workspace's listings (`phase` is the workspace's).
pub fn member_rows(
    ws: &WorkspaceRef,
    phase: &str,
    users: &[types::User],
    groups: &types::GroupList,
) -> Vec<MemberRow> {
    let names: HashMap<i64, String> = groups
        .groups
        .iter()
        .map(|g| (g.id, group_name(g)))
        .collect();
    let mut of_member: HashMap<i64, BTreeSet<String>> = HashMap::new();
    for link in &groups.workspace_group_members {
        if let (Some(g), Some(m)) = (link.workspace_group_id, link.workspace_user_id)
            && let Some(name) = names.get(&g)
        {
            of_member.entry(m).or_default().insert(name.clone());
        }
    }
    // A record without an id is an account, not a member: no row.
    let keyed = users
        .iter()
        .filter_map(|u| Some((u.id?, u)))
        .map(|(id, u)| {
            let email = u.email_id.clone().unwrap_or_default();
            let row = MemberRow {
                workspace_id: ws.id,
                workspace_name: ws.name.clone(),
                id,
                user_id: u.user_id,
                email_id: email.clone(),
                first_name: u.first_name.clone().unwrap_or_default(),
                last_name: u.last_name.clone().unwrap_or_default(),
                organization: u.organization.clone().unwrap_or_default(),
                role_type: u.role_type.clone().unwrap_or_default(),
                groups: of_member
                    .get(&id)
                    .map(|s| s.iter().cloned().collect::<Vec<_>>().join("; "))
                    .unwrap_or_default(),
                first_accessed: date(u.first_accessed),
                last_accessed_on: date(u.last_accessed_on),
                status: u.status.clone().unwrap_or_default(),
                phase: phase.to_string(),
            };
            ((email.to_lowercase(), id), row)
        })
        .collect();
    sorted(keyed)
}

impl Row for DocumentRow {
    const HEADER: &'static [&'static str] = &[
        "workspaceId",
        "workspaceName",
        "folderPath",
        "name",
        "id",
        "fileSize",
        "createdOn",
        "lastModifiedOn",
        "versionNumber",
        "fileHashDownload",
        "note",
    ];
    const COLUMNS: &'static [Column] = &[
        number("workspaceId", "Workspace ID"),
        text("workspaceName", "Workspace"),
        text("folderPath", "Folder path"),
        text("name", "Name"),
        number("id", "Document ID"),
        number("fileSize", "Size (bytes)"),
        when("createdOn", "Created (UTC)"),
        when("lastModifiedOn", "Last modified (UTC)"),
        number("versionNumber", "Version"),
        text("fileHashDownload", "SHA-1 (base64)"),
        text("note", "Note"),
    ];
    const SHEET: &'static str = "Documents";
    async fn fetch(il: &Intralinks, ws: &WorkspaceRef) -> Result<Vec<Self>> {
        let (f, d) = futures_util::try_join!(folders(il, ws.id), documents(il, ws.id))?;
        Ok(document_rows(ws, &f, &d))
    }
}

impl Row for MemberRow {
    const HEADER: &'static [&'static str] = &[
        "workspaceId",
        "workspaceName",
        "id",
        "userId",
        "emailId",
        "firstName",
        "lastName",
        "organization",
        "roleType",
        "groups",
        "firstAccessed",
        "lastAccessedOn",
        "status",
        "phase",
    ];
    const COLUMNS: &'static [Column] = &[
        number("workspaceId", "Workspace ID"),
        text("workspaceName", "Workspace"),
        number("id", "Member ID"),
        number("userId", "User ID"),
        text("emailId", "E-mail"),
        text("firstName", "First name"),
        text("lastName", "Last name"),
        text("organization", "Organization"),
        text("roleType", "Role"),
        text("groups", "Groups"),
        when("firstAccessed", "First access (UTC)"),
        when("lastAccessedOn", "Last access (UTC)"),
        text("status", "Status"),
        text("phase", "Workspace phase"),
    ];
    const SHEET: &'static str = "Members";
    async fn fetch(il: &Intralinks, ws: &WorkspaceRef) -> Result<Vec<Self>> {
        let workspace = async {
            il.api()
                .get_workspace()
                .workspace_id(ws.id)
                .send()
                .checked()
                .await
        };
        let (u, g, w) = futures_util::try_join!(members(il, ws.id), groups(il, ws.id), workspace)?;
        let phase = w
            .workspace
            .into_iter()
            .find_map(|w| w.phase)
            .unwrap_or_default();
        Ok(member_rows(ws, &phase, &u, &g))
    }
}
