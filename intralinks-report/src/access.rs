//! Access: each group's and each member's strongest level on every path,
//! and how those rows list a workspace ([`Row::fetch`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures_util::StreamExt;

use intralinks_ext::api::types::{self, PermissionPermission};
use intralinks_ext::listing::{FolderPaths as Tree, document_folder as doc_folder};
use intralinks_ext::{Checked, Error, Intralinks, Result};

use crate::listing::{
    PathKey, documents, folders, group_name, groups, join, members, permissions, sorted,
};
use crate::rows::{AccessRow, Column, ItemKind, Row, UserAccessRow, WorkspaceRef, number, text};

/// Folder id → each group's strongest level on it, along its ancestors.
type Inherited = HashMap<i64, BTreeMap<i64, PermissionPermission>>;

/// Each folder's levels, parents before children: one pass, however deep.
fn inherited(tree: &Tree, direct: &HashMap<i64, Vec<(i64, PermissionPermission)>>) -> Inherited {
    let forest = tree.forest();
    let mut out: Inherited = HashMap::with_capacity(forest.top_down().len());
    for &id in forest.top_down() {
        let mut levels = forest
            .parent(id)
            .and_then(|p| out.get(&p))
            .cloned()
            .unwrap_or_default();
        for (group, level) in direct.get(&id).into_iter().flatten() {
            let at = levels.entry(*group).or_insert(*level);
            *at = (*at).max(*level);
        }
        out.insert(id, levels);
    }
    out
}

/// One folder or document with its path and the folder whose chain applies.
struct Item {
    path: String,
    kind: ItemKind,
    id: i64,
    folder: Option<i64>,
}

fn items(tree: &Tree, folders: &[types::Folder], documents: &[types::Document]) -> Vec<Item> {
    let mut out: Vec<Item> = folders
        .iter()
        .map(|f| Item {
            path: join(&tree.segments(f.id)),
            kind: ItemKind::Folder,
            id: f.id,
            folder: Some(f.id),
        })
        .collect();
    out.extend(documents.iter().map(|d| {
        let folder = doc_folder(d);
        let mut segments = folder.map(|f| tree.segments(f)).unwrap_or_default();
        segments.push(d.name.clone().unwrap_or_default());
        Item {
            path: join(&segments),
            kind: ItemKind::Document,
            id: d.id,
            folder,
        }
    }));
    out
}

/// Each group's strongest level on `item`: along its folder's ancestor
/// chain, and for a document the levels set on it itself.
fn levels_on(
    inherited: &Inherited,
    on_documents: &Direct,
    item: &Item,
) -> BTreeMap<i64, PermissionPermission> {
    let mut levels = item
        .folder
        .and_then(|f| inherited.get(&f))
        .cloned()
        .unwrap_or_default();
    if item.kind == ItemKind::Document {
        for (group, level) in on_documents.get(&item.id).into_iter().flatten() {
            let at = levels.entry(*group).or_insert(*level);
            *at = (*at).max(*level);
        }
    }
    levels
}

/// Folder or document id → the (group, level) permissions set directly on it.
type Direct = HashMap<i64, Vec<(i64, PermissionPermission)>>;

/// The permissions set directly on folders, and those set on one document
/// (`documentId`), each by the id it names.
fn direct(perms: &[types::Permission]) -> (Direct, Direct) {
    let (mut folders, mut documents) = (Direct::new(), Direct::new());
    for p in perms {
        match (p.folder_id, p.document_id, p.group_id, p.permission) {
            (Some(f), None, Some(g), Some(l)) => folders.entry(f).or_default().push((g, l)),
            (None, Some(d), Some(g), Some(l)) => documents.entry(d).or_default().push((g, l)),
            _ => {}
        }
    }
    (folders, documents)
}

/// Builds per-group access rows from one workspace's listings.
pub fn access_rows(
    ws: &WorkspaceRef,
    folders: &[types::Folder],
    documents: &[types::Document],
    groups: &[types::Group],
    permissions: &[types::Permission],
) -> Vec<AccessRow> {
    access_rows_with_documents(ws, folders, documents, groups, permissions, &HashMap::new())
}

/// As [`access_rows`] (where a document's levels are its folders' and those
/// set on it itself, `documentId`), but each document in `per_document`
/// gets the levels the service lists for it (`GET /workspaces/{id}/documents/{id}/permissions`:
/// per group, the strongest one listed) instead of those its folders give.
/// Documents missing from `per_document` keep their folders' levels.
pub fn access_rows_with_documents(
    ws: &WorkspaceRef,
    folders: &[types::Folder],
    documents: &[types::Document],
    groups: &[types::Group],
    permissions: &[types::Permission],
    per_document: &HashMap<i64, Vec<types::Permission>>,
) -> Vec<AccessRow> {
    let tree = Tree::new(folders);
    let (on_folders, on_documents) = direct(permissions);
    let inherited = inherited(&tree, &on_folders);
    let names: HashMap<i64, String> = groups.iter().map(|g| (g.id, group_name(g))).collect();
    let mut keyed = Vec::new();
    for item in items(&tree, folders, documents) {
        let levels = match per_document.get(&item.id) {
            Some(listed) if item.kind == ItemKind::Document => {
                let mut levels: BTreeMap<i64, PermissionPermission> = BTreeMap::new();
                for p in listed {
                    if let (Some(g), Some(l)) = (p.group_id, p.permission) {
                        let at = levels.entry(g).or_insert(l);
                        *at = (*at).max(l);
                    }
                }
                levels
            }
            _ => levels_on(&inherited, &on_documents, &item),
        };
        for (group, level) in levels {
            let name = names.get(&group).cloned().unwrap_or_default();
            let row = AccessRow {
                workspace_id: ws.id,
                workspace_name: ws.name.clone(),
                path: item.path.clone(),
                kind: item.kind,
                id: item.id,
                group_id: group,
                group_name: name.clone(),
                permission: level,
            };
            keyed.push((
                (PathKey(item.path.clone()), item.kind, item.id, name, group),
                row,
            ));
        }
    }
    sorted(keyed)
}

/// Each document's permissions as the service lists them, eight documents
/// at a time; a document the service has none for (it answers 404) is left
/// out, so that its folders' levels apply.
pub(crate) async fn document_permissions(
    il: &Intralinks,
    ws: i64,
    documents: &[types::Document],
) -> Result<HashMap<i64, Vec<types::Permission>>> {
    let answers: Vec<(i64, Result<types::PermissionList>)> =
        futures_util::stream::iter(documents.iter().map(|d| d.id))
            .map(|id| async move {
                let r = il
                    .api()
                    .list_document_permissions()
                    .workspace_id(ws)
                    .document_id(id)
                    .send()
                    .checked()
                    .await;
                (id, r)
            })
            .buffer_unordered(8)
            .collect()
            .await;
    let mut out = HashMap::new();
    for (id, r) in answers {
        match r {
            Ok(list) => {
                out.insert(id, list.permissions);
            }
            Err(
                Error::NotFound { .. }
                | Error::UnexpectedBody {
                    status: Some(404), ..
                },
            ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Builds per-member access rows from one workspace's listings: each
/// member's strongest level through their groups.
pub fn user_access_rows(
    ws: &WorkspaceRef,
    folders: &[types::Folder],
    documents: &[types::Document],
    groups: &types::GroupList,
    users: &[types::User],
    permissions: &[types::Permission],
) -> Vec<UserAccessRow> {
    let tree = Tree::new(folders);
    let (on_folders, on_documents) = direct(permissions);
    let inherited = inherited(&tree, &on_folders);
    let names: HashMap<i64, String> = groups
        .groups
        .iter()
        .map(|g| (g.id, group_name(g)))
        .collect();
    let mut members_of: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for link in &groups.workspace_group_members {
        if let (Some(g), Some(m)) = (link.workspace_group_id, link.workspace_user_id) {
            members_of.entry(g).or_default().insert(m);
        }
    }
    // member → (e-mail, first name, last name); a record without an id is
    // an account, not a member.
    let people: HashMap<i64, (String, String, String)> = users
        .iter()
        .filter_map(|u| {
            let name = |n: &Option<String>| n.clone().unwrap_or_default();
            Some((
                u.id?,
                (name(&u.email_id), name(&u.first_name), name(&u.last_name)),
            ))
        })
        .collect();
    let mut keyed = Vec::new();
    for item in items(&tree, folders, documents) {
        // member → (level, groups giving it)
        let mut best: BTreeMap<i64, (PermissionPermission, BTreeSet<String>)> = BTreeMap::new();
        for (group, level) in levels_on(&inherited, &on_documents, &item) {
            let name = names.get(&group).cloned().unwrap_or_default();
            for m in members_of.get(&group).into_iter().flatten() {
                let at = best.entry(*m).or_insert((level, BTreeSet::new()));
                if level > at.0 {
                    *at = (level, BTreeSet::new());
                }
                if level == at.0 {
                    at.1.insert(name.clone());
                }
            }
        }
        for (member, (level, via)) in best {
            let (email, first_name, last_name) = people.get(&member).cloned().unwrap_or_default();
            let row = UserAccessRow {
                workspace_id: ws.id,
                workspace_name: ws.name.clone(),
                path: item.path.clone(),
                kind: item.kind,
                id: item.id,
                workspace_user_id: member,
                email_id: email.clone(),
                first_name,
                last_name,
                permission: level,
                groups: via.into_iter().collect::<Vec<_>>().join("; "),
            };
            keyed.push((
                (
                    PathKey(item.path.clone()),
                    item.kind,
                    item.id,
                    email.to_lowercase(),
                    member,
                ),
                row,
            ));
        }
    }
    sorted(keyed)
}

impl Row for AccessRow {
    const HEADER: &'static [&'static str] = &[
        "workspaceId",
        "workspaceName",
        "path",
        "type",
        "id",
        "groupId",
        "groupName",
        "permission",
    ];
    const COLUMNS: &'static [Column] = &[
        number("workspaceId", "Workspace ID"),
        text("workspaceName", "Workspace"),
        text("path", "Path"),
        text("type", "Type"),
        number("id", "ID"),
        number("groupId", "Group ID"),
        text("groupName", "Group"),
        text("permission", "Permission"),
    ];
    const SHEET: &'static str = "Access by group";
    async fn fetch(il: &Intralinks, ws: &WorkspaceRef) -> Result<Vec<Self>> {
        let (f, d, g, p) = futures_util::try_join!(
            folders(il, ws.id),
            documents(il, ws.id),
            groups(il, ws.id),
            permissions(il, ws.id)
        )?;
        let per_document = document_permissions(il, ws.id, &d).await?;
        Ok(access_rows_with_documents(
            ws,
            &f,
            &d,
            &g.groups,
            &p,
            &per_document,
        ))
    }
}

impl Row for UserAccessRow {
    const HEADER: &'static [&'static str] = &[
        "workspaceId",
        "workspaceName",
        "path",
        "type",
        "id",
        "workspaceUserId",
        "emailId",
        "firstName",
        "lastName",
        "permission",
        "groups",
    ];
    const COLUMNS: &'static [Column] = &[
        number("workspaceId", "Workspace ID"),
        text("workspaceName", "Workspace"),
        text("path", "Path"),
        text("type", "Type"),
        number("id", "ID"),
        number("workspaceUserId", "Member ID"),
        text("emailId", "E-mail"),
        text("firstName", "First name"),
        text("lastName", "Last name"),
        text("permission", "Permission"),
        text("groups", "Through groups"),
    ];
    const SHEET: &'static str = "Access by member";
    async fn fetch(il: &Intralinks, ws: &WorkspaceRef) -> Result<Vec<Self>> {
        let (f, d, g, u, p) = futures_util::try_join!(
            folders(il, ws.id),
            documents(il, ws.id),
            groups(il, ws.id),
            members(il, ws.id),
            permissions(il, ws.id)
        )?;
        Ok(user_access_rows(ws, &f, &d, &g, &u, &p))
    }
}
