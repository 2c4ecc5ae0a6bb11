//! The rows: their types and columns. How each lists one workspace
//! ([`Row::fetch`]) is with the listings it builds on: documents and members
//! in `listing`, access in `access`.

use std::collections::BTreeMap;
use std::future::Future;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize, Serializer};

use intralinks_ext::api::types::PermissionPermission;
use intralinks_ext::{Checked, Intralinks, Result};

/// A workspace a report covers: its id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceRef {
    /// Workspace id.
    pub id: i64,
    /// Workspace name (empty when the service gave none).
    pub name: String,
}

impl From<i64> for WorkspaceRef {
    /// Only the id: the rows' `workspaceName` column stays empty. Use
    /// [`WorkspaceRef::lookup`] for the name.
    fn from(id: i64) -> Self {
        WorkspaceRef {
            id,
            name: String::new(),
        }
    }
}

impl WorkspaceRef {
    /// The workspace `id` with its name, as the service gives it (one
    /// request).
    pub async fn lookup(il: &Intralinks, id: i64) -> Result<Self> {
        let answer = il
            .api()
            .get_workspace()
            .workspace_id(id)
            .send()
            .checked()
            .await?;
        let name = answer
            .workspace
            .into_iter()
            .find(|w| w.id == id)
            .and_then(|w| w.name.or(w.workspace_name))
            .unwrap_or_default();
        Ok(WorkspaceRef { id, name })
    }
}

/// The separator between the names of a path.
pub const PATH_SEPARATOR: &str = "/";

/// One row of a report: its CSV header (the serde field names, in order)
/// and how to list one workspace's rows, sorted.
pub trait Row: Serialize + Sized {
    /// The header row: the serialized field names, in order.
    const HEADER: &'static [&'static str];
    /// The same columns, in the same order, for people: title and cell type.
    const COLUMNS: &'static [Column];
    /// The name of the sheet in a workbook.
    const SHEET: &'static str;
    /// Whether the rows carry custom field values ([`Row::fields`]): one
    /// more column per field, after the fixed ones, whose names are known
    /// only once the rows are ([`field_columns`](crate::field_columns)).
    const HAS_FIELDS: bool = false;
    /// This workspace's rows, sorted by path.
    fn fetch(il: &Intralinks, ws: &WorkspaceRef) -> impl Future<Output = Result<Vec<Self>>>;
    /// The row's custom field values by column name, as text; none by default.
    fn fields(&self) -> Option<&BTreeMap<String, String>> {
        None
    }
}

/// What a column holds, which decides its cell type in a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CellKind {
    /// Text, written as a text cell whatever it looks like.
    Text,
    /// A whole number (an id, a size, a version), written as a number.
    Number,
    /// A UTC date and time, written as an Excel date (a number with a date
    /// format), shown as `yyyy-mm-dd hh:mm:ss`.
    Date,
}

/// One column of a report, for a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Column {
    /// The wire name: the serde name and CSV header of the field.
    pub name: &'static str,
    /// The column's title for people, e.g. "E-mail".
    pub title: &'static str,
    /// The cell type.
    pub kind: CellKind,
}

pub(crate) const fn text(name: &'static str, title: &'static str) -> Column {
    Column {
        name,
        title,
        kind: CellKind::Text,
    }
}

pub(crate) const fn number(name: &'static str, title: &'static str) -> Column {
    Column {
        name,
        title,
        kind: CellKind::Number,
    }
}

pub(crate) const fn when(name: &'static str, title: &'static str) -> Column {
    Column {
        name,
        title,
        kind: CellKind::Date,
    }
}

pub(crate) fn rfc3339<S: Serializer>(
    d: &Option<DateTime<Utc>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_rfc3339_opts(SecondsFormat::Millis, true)),
        None => s.serialize_none(),
    }
}

pub(crate) fn date(m: Option<intralinks_ext::Millis>) -> Option<DateTime<Utc>> {
    m.and_then(|m| m.to_datetime())
}

/// One document: where it is and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DocumentRow {
    /// Workspace id.
    pub workspace_id: i64,
    /// Workspace name.
    pub workspace_name: String,
    /// The names of the folders from the root down to the document's folder,
    /// joined by [`PATH_SEPARATOR`].
    pub folder_path: String,
    /// Document name.
    pub name: String,
    /// Document id.
    pub id: i64,
    /// Size in bytes.
    pub file_size: Option<i64>,
    /// Created, UTC.
    #[serde(serialize_with = "rfc3339")]
    pub created_on: Option<DateTime<Utc>>,
    /// Last modified, UTC.
    #[serde(serialize_with = "rfc3339")]
    pub last_modified_on: Option<DateTime<Utc>>,
    /// Version number of the content.
    pub version_number: Option<i64>,
    /// Base64 SHA-1 of the content, as the service gives it.
    pub file_hash_download: Option<String>,
    /// The document's note.
    pub note: Option<String>,
    /// Its index number in the room (`1.2.3`), as the service gives it.
    pub index_number: Option<String>,
    /// Its file extension, as the service gives it (`pdf`).
    pub extension: Option<String>,
    /// The first name of whoever created it.
    pub created_by_first_name: String,
    /// The last name of whoever created it.
    pub created_by_last_name: String,
    /// Its custom field values by column name (the field's name), as text;
    /// written after the fixed columns, one column per field.
    #[serde(skip)]
    pub custom_fields: BTreeMap<String, String>,
}

/// One member of a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MemberRow {
    /// Workspace id.
    pub workspace_id: i64,
    /// Workspace name.
    pub workspace_name: String,
    /// Membership id (workspace user id).
    pub id: i64,
    /// Global user id.
    pub user_id: Option<i64>,
    /// E-mail.
    pub email_id: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Organisation.
    pub organization: String,
    /// Role in the workspace (roleType).
    pub role_type: String,
    /// Names of the member's groups, sorted, joined by `"; "`.
    pub groups: String,
    /// First access, UTC.
    #[serde(serialize_with = "rfc3339")]
    pub first_accessed: Option<DateTime<Utc>>,
    /// Last access, UTC.
    #[serde(serialize_with = "rfc3339")]
    pub last_accessed_on: Option<DateTime<Utc>>,
    /// Membership status, as the service gives it (e.g. `ACTIVE`).
    pub status: String,
    /// The workspace's phase, as the service gives it (e.g. `OPEN`).
    pub phase: String,
    /// The last alert sent to the member, UTC; none when none was sent.
    #[serde(serialize_with = "rfc3339")]
    pub last_alert_sent_date: Option<DateTime<Utc>>,
    /// The first name of whoever added the member.
    pub created_by_first_name: String,
    /// The last name of whoever added the member.
    pub created_by_last_name: String,
    /// When the member was added, UTC.
    #[serde(serialize_with = "rfc3339")]
    pub created_on: Option<DateTime<Utc>>,
    /// The member's custom field values by column name (the field's name),
    /// as text; written after the fixed columns, one column per field.
    #[serde(skip)]
    pub custom_fields: BTreeMap<String, String>,
}

/// One (member, group) pair of a workspace: a member of three groups has
/// three rows, a member of none one row with the group columns empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MemberGroupRow {
    /// Workspace id.
    pub workspace_id: i64,
    /// Workspace name.
    pub workspace_name: String,
    /// Membership id (workspace user id).
    pub id: i64,
    /// Global user id.
    pub user_id: Option<i64>,
    /// E-mail.
    pub email_id: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Organisation.
    pub organization: String,
    /// Role in the workspace (roleType).
    pub role_type: String,
    /// Group id; none for a member of no group.
    pub group_id: Option<i64>,
    /// Group name.
    pub group_name: String,
    /// Group type, as the service gives it (`groupType`, else `type`).
    pub group_type: String,
    /// Membership status, as the service gives it (e.g. `ACTIVE`).
    pub status: String,
}

/// Whether an access row is about a folder or a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ItemKind {
    /// A folder.
    Folder,
    /// A document.
    Document,
}

/// One group's effective level on one folder or document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessRow {
    /// Workspace id.
    pub workspace_id: i64,
    /// Workspace name.
    pub workspace_name: String,
    /// Folder names from the root, and the document's name for a document,
    /// joined by [`PATH_SEPARATOR`].
    pub path: String,
    /// Folder or document.
    #[serde(rename = "type")]
    pub kind: ItemKind,
    /// The folder's or document's id.
    pub id: i64,
    /// Group id.
    pub group_id: i64,
    /// Group name.
    pub group_name: String,
    /// The strongest level that applies (see the module docs).
    pub permission: PermissionPermission,
}

/// One member's effective level on one folder or document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserAccessRow {
    /// Workspace id.
    pub workspace_id: i64,
    /// Workspace name.
    pub workspace_name: String,
    /// As in [`AccessRow::path`].
    pub path: String,
    /// Folder or document.
    #[serde(rename = "type")]
    pub kind: ItemKind,
    /// The folder's or document's id.
    pub id: i64,
    /// Membership id (workspace user id).
    pub workspace_user_id: i64,
    /// E-mail.
    pub email_id: String,
    /// The member's first name.
    pub first_name: String,
    /// The member's last name.
    pub last_name: String,
    /// The strongest level any of the member's groups has here.
    pub permission: PermissionPermission,
    /// The groups giving that level, sorted, joined by `"; "`.
    pub groups: String,
}
