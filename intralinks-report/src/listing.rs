//! One workspace's listings, the document and member rows built from them,
//! and how those rows list a workspace ([`Row::fetch`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use intralinks_ext::api::types;
use intralinks_ext::fields::{self, FieldDefinition};
use intralinks_ext::listing::{FolderPaths as Tree, document_folder as doc_folder};
use intralinks_ext::{Checked, Error, Intralinks, Result};

use crate::rows::{
    Column, DocumentRow, MemberGroupRow, MemberRow, PATH_SEPARATOR, Row, WorkspaceRef, date,
    number, text, when,
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

/// The column each custom field is written in: its definition's name; a
/// field without a named definition is `customField.{id}` (as the
/// Intralinks Python SDK's notebooks name it); a name that a fixed column
/// or another field has already gets ` (field {id})`.
pub(crate) struct FieldNames {
    by_id: BTreeMap<i64, String>,
}

impl FieldNames {
    pub(crate) fn new(definitions: &[FieldDefinition], fixed: &[&str]) -> Self {
        let mut taken: BTreeSet<String> = fixed.iter().map(|f| f.to_lowercase()).collect();
        let mut by_id = BTreeMap::new();
        let mut named: Vec<(i64, &str)> = definitions
            .iter()
            .filter_map(|d| Some((d.id, d.name.as_deref()?)))
            .filter(|(_, n)| !n.trim().is_empty())
            .collect();
        named.sort();
        for (id, name) in named {
            if by_id.contains_key(&id) {
                continue;
            }
            let column = if taken.contains(&name.to_lowercase()) {
                format!("{name} (field {id})")
            } else {
                name.to_string()
            };
            taken.insert(column.to_lowercase());
            by_id.insert(id, column);
        }
        FieldNames { by_id }
    }

    /// An entity's values (`customFields.field`) by column name, as text.
    pub(crate) fn values(
        &self,
        custom: Option<&types::CustomFieldValues>,
    ) -> BTreeMap<String, String> {
        fields::values(custom)
            .into_iter()
            .map(|(id, v)| {
                let column = self
                    .by_id
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| format!("customField.{id}"));
                (column, fields::text(&v))
            })
            .collect()
    }
}

/// The room's field definitions when `needed` (some entity carries a
/// value), else none: no request. A room the service has no definitions
/// for (it answers 404) has none.
pub(crate) async fn definitions(
    il: &Intralinks,
    ws: i64,
    needed: bool,
) -> Result<Vec<FieldDefinition>> {
    if !needed {
        return Ok(Vec::new());
    }
    match il.field_definitions(ws).await {
        Ok(d) => Ok(d),
        Err(
            Error::NotFound { .. }
            | Error::UnexpectedBody {
                status: Some(404), ..
            },
        ) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// Whether any of `values` holds a value.
fn any_values<'a>(mut values: impl Iterator<Item = Option<&'a types::CustomFieldValues>>) -> bool {
    values.any(|v| v.is_some_and(|v| v.field.iter().any(|f| f.value.is_some())))
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

fn person_first(p: Option<&types::Person>) -> String {
    p.and_then(|p| p.first_name.clone()).unwrap_or_default()
}

fn person_last(p: Option<&types::Person>) -> String {
    p.and_then(|p| p.last_name.clone()).unwrap_or_default()
}

/// Builds document rows from one workspace's listings; custom field values
/// go in columns named `customField.{id}` (see [`document_rows_with_fields`]).
pub fn document_rows(
    ws: &WorkspaceRef,
    folders: &[types::Folder],
    documents: &[types::Document],
) -> Vec<DocumentRow> {
    document_rows_with_fields(ws, folders, documents, &[])
}

/// Builds document rows from one workspace's listings, each custom field
/// value in the column of its field's name (from `definitions`, `GET
/// …/fieldDefinitions`; `customField.{id}` for a field not defined there).
pub fn document_rows_with_fields(
    ws: &WorkspaceRef,
    folders: &[types::Folder],
    documents: &[types::Document],
    definitions: &[FieldDefinition],
) -> Vec<DocumentRow> {
    let names = FieldNames::new(definitions, DocumentRow::HEADER);
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
                index_number: d.index_number.clone(),
                extension: d.extension.clone(),
                created_by_first_name: person_first(d.created_by.as_ref()),
                created_by_last_name: person_last(d.created_by.as_ref()),
                custom_fields: names.values(d.custom_fields.as_ref()),
            };
            ((PathKey(row.folder_path.clone()), name, d.id), row)
        })
        .collect();
    sorted(keyed)
}

/// Builds member rows from one workspace's listings (`phase` is the
/// workspace's); custom field values go in columns named `customField.{id}`
/// (see [`member_rows_with_fields`]).
pub fn member_rows(
    ws: &WorkspaceRef,
    phase: &str,
    users: &[types::User],
    groups: &types::GroupList,
) -> Vec<MemberRow> {
    member_rows_with_fields(ws, phase, users, groups, &[])
}

/// Builds member rows from one workspace's listings, each custom field
/// value in the column of its field's name (as [`document_rows_with_fields`]).
pub fn member_rows_with_fields(
    ws: &WorkspaceRef,
    phase: &str,
    users: &[types::User],
    groups: &types::GroupList,
    definitions: &[FieldDefinition],
) -> Vec<MemberRow> {
    let field_names = FieldNames::new(definitions, MemberRow::HEADER);
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
                last_alert_sent_date: date(u.last_alert_sent_date),
                created_by_first_name: person_first(u.created_by.as_ref()),
                created_by_last_name: person_last(u.created_by.as_ref()),
                created_on: date(u.created_on),
                custom_fields: field_names.values(u.custom_fields.as_ref()),
            };
            ((email.to_lowercase(), id), row)
        })
        .collect();
    sorted(keyed)
}

/// Builds one row per (member, group) from one workspace's listings; a
/// member of no group has one row with the group columns empty. Sorted by
/// e-mail, member id, then group name and id.
pub fn member_group_rows(
    ws: &WorkspaceRef,
    users: &[types::User],
    groups: &types::GroupList,
) -> Vec<MemberGroupRow> {
    let by_id: HashMap<i64, &types::Group> = groups.groups.iter().map(|g| (g.id, g)).collect();
    let mut of_member: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for link in &groups.workspace_group_members {
        if let (Some(g), Some(m)) = (link.workspace_group_id, link.workspace_user_id)
            && by_id.contains_key(&g)
        {
            of_member.entry(m).or_default().insert(g);
        }
    }
    let mut keyed = Vec::new();
    for (id, u) in users.iter().filter_map(|u| Some((u.id?, u))) {
        let email = u.email_id.clone().unwrap_or_default();
        let row = |group: Option<&types::Group>| MemberGroupRow {
            workspace_id: ws.id,
            workspace_name: ws.name.clone(),
            id,
            user_id: u.user_id,
            email_id: email.clone(),
            first_name: u.first_name.clone().unwrap_or_default(),
            last_name: u.last_name.clone().unwrap_or_default(),
            organization: u.organization.clone().unwrap_or_default(),
            role_type: u.role_type.clone().unwrap_or_default(),
            group_id: group.map(|g| g.id),
            group_name: group.map(group_name).unwrap_or_default(),
            group_type: group
                .and_then(|g| g.group_type.clone().or(g.type_.clone()))
                .unwrap_or_default(),
            status: u.status.clone().unwrap_or_default(),
        };
        match of_member.get(&id) {
            Some(ids) => {
                for g in ids {
                    let r = row(by_id.get(g).copied());
                    keyed.push(((email.to_lowercase(), id, r.group_name.clone(), *g), r));
                }
            }
            None => keyed.push(((email.to_lowercase(), id, String::new(), 0), row(None))),
        }
    }
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
        "indexNumber",
        "extension",
        "createdByFirstName",
        "createdByLastName",
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
        text("indexNumber", "Index"),
        text("extension", "Extension"),
        text("createdByFirstName", "Created by (first name)"),
        text("createdByLastName", "Created by (last name)"),
    ];
    const SHEET: &'static str = "Documents";
    const HAS_FIELDS: bool = true;
    async fn fetch(il: &Intralinks, ws: &WorkspaceRef) -> Result<Vec<Self>> {
        let (f, d) = futures_util::try_join!(folders(il, ws.id), documents(il, ws.id))?;
        let needed = any_values(d.iter().map(|d| d.custom_fields.as_ref()));
        let defs = definitions(il, ws.id, needed).await?;
        Ok(document_rows_with_fields(ws, &f, &d, &defs))
    }
    fn fields(&self) -> Option<&BTreeMap<String, String>> {
        Some(&self.custom_fields)
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
        "lastAlertSentDate",
        "createdByFirstName",
        "createdByLastName",
        "createdOn",
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
        when("lastAlertSentDate", "Last alert (UTC)"),
        text("createdByFirstName", "Added by (first name)"),
        text("createdByLastName", "Added by (last name)"),
        when("createdOn", "Added (UTC)"),
    ];
    const SHEET: &'static str = "Members";
    const HAS_FIELDS: bool = true;
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
        let needed = any_values(u.iter().map(|u| u.custom_fields.as_ref()));
        let defs = definitions(il, ws.id, needed).await?;
        Ok(member_rows_with_fields(ws, &phase, &u, &g, &defs))
    }
    fn fields(&self) -> Option<&BTreeMap<String, String>> {
        Some(&self.custom_fields)
    }
}

impl Row for MemberGroupRow {
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
        "groupId",
        "groupName",
        "groupType",
        "status",
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
        number("groupId", "Group ID"),
        text("groupName", "Group"),
        text("groupType", "Group type"),
        text("status", "Status"),
    ];
    const SHEET: &'static str = "Members by group";
    async fn fetch(il: &Intralinks, ws: &WorkspaceRef) -> Result<Vec<Self>> {
        let (u, g) = futures_util::try_join!(members(il, ws.id), groups(il, ws.id))?;
        Ok(member_group_rows(ws, &u, &g))
    }
}
