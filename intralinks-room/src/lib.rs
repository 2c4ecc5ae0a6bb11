//! Rooms as code: a workspace's groups, members, folders and permissions
//! described in a YAML file, compared with the room ([`plan`]), made to
//! match it ([`apply`]) and written out from it ([`export`]).
//!
//! ```yaml
//! workspace:
//!   name: Hackathon Capital I   # by `id` when given, else by exact name, else created
//!   description: Fund I         # optional, as are splash and settings
//!   splash: {text: "Confidential.", accept_text: I accept, required: true}
//!   settings: {PVP_ENABLED: F}
//! groups:
//!   - name: ABP_C
//! members:
//!   - email: ann.lee@abp.example
//!     first_name: Ann
//!     last_name: Lee
//!     role: REVIEWER
//!     groups: [ABP_C]
//! folders:
//!   - path: ABP/Capital Calls
//!     permissions: {ABP_C: SEE_AND_DOWNLOAD}
//! ```
//!
//! What the rules are:
//! - An unknown key is an error naming its line; so is a group, member or
//!   folder named twice, or a group used but not declared.
//! - [`apply`] creates in dependency order — workspace, folders (parents
//!   first), groups, members, memberships, permissions — and looks every
//!   object up before creating it, so a rerun after an interruption creates
//!   nothing twice (the service itself accepts two groups or two folders of
//!   one name). Each object created is recorded at once in a [`Journal`].
//! - Settings and the splash screen come last (a splash that must be
//!   accepted gates the room's content; afterwards, plan and apply need
//!   entry answers that accept it).
//! - Nothing the file does not name is removed unless `prune` is set; then
//!   members (never a `MANAGER_PLUS`, the room's owners), groups and empty
//!   folders go. The API has no call that removes one group membership or
//!   revokes a permission: such differences are listed as
//!   [`Action::CannotRemove`] and left alone.
//! - [`export`] lists everything in a stable order, so two exports diff
//!   cleanly, and applying an export to another room reproduces it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};

use intralinks_ext::listing::FolderPaths as Tree;
use intralinks_ext::types::{self, PermissionPermission};
use intralinks_ext::{Checked, Error, FixedAnswers, Intralinks, Result};

/// The separator of folder paths in a room file.
pub const PATH_SEPARATOR: char = '/';

/// The role a member gets when the file names none (the service's default).
pub const OWNER_ROLE: &str = "MANAGER_PLUS";

// ------------------------------------------------------------------ file

/// One room file: one workspace and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomFile {
    /// The workspace.
    pub workspace: WorkspaceSpec,
    /// Its groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupSpec>,
    /// Its members and the groups each belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberSpec>,
    /// Its folders (parents are implied by paths) and each group's level on them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<FolderSpec>,
}

/// The workspace: found by `id`, else by exact `name`, else created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceSpec {
    /// Its name.
    pub name: String,
    /// Its id, when it exists already.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Its description; `""` and absent on the service are the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its splash screen; compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splash: Option<SplashSpec>,
    /// Settings by name (`workspaceSettings` items `{name, value}`); only
    /// the names given are compared, the others are kept.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_keys"
    )]
    pub settings: BTreeMap<String, String>,
}

/// A splash screen (the `splash` of `GET`/`PUT /workspaces/{id}/splash`).
/// Applied last: a splash that must be accepted gates the room's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplashSpec {
    /// The text shown (`splashText`).
    pub text: String,
    /// The accept button's text (`acceptText`); compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_text: Option<String>,
    /// Whether it must be accepted to enter (`splashRequired`); compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// Its name, unique in the file.
    pub name: String,
    /// Its type (`groupType`), e.g. `WORKSPACE`; compared only when given.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A member of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberSpec {
    /// E-mail, unique in the file (compared without case).
    pub email: String,
    /// First name; compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name; compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Organisation; compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Role (`roleType`), e.g. `REVIEWER`; compared only when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The groups the member belongs to, each declared under `groups`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// A folder, by its path from the root (`ABP/Capital Calls`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderSpec {
    /// Names from the root, joined by `/`.
    pub path: String,
    /// Each group's level on this folder.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_keys"
    )]
    pub permissions: BTreeMap<String, PermissionPermission>,
}

/// A map whose keys must be unique: YAML parsers keep the last of two equal
/// keys silently, which would apply a level nobody reviewed.
fn unique_keys<'de, D, V>(d: D) -> std::result::Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map of names to values")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(k) = map.next_key::<String>()? {
                if out.contains_key(&k) {
                    return Err(serde::de::Error::custom(format!(
                        "duplicate entry {k:?}; keep one"
                    )));
                }
                let v = map.next_value()?;
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique(std::marker::PhantomData))
}

fn invalid(origin: &str, what: String) -> Error {
    Error::InvalidInput(format!("{origin}: {what}"))
}

/// Splits a folder path into its names; `None` when a name is empty.
fn segments(path: &str) -> Option<Vec<String>> {
    let parts: Vec<String> = path.split(PATH_SEPARATOR).map(str::to_owned).collect();
    if parts.iter().any(|p| p.trim().is_empty()) {
        return None;
    }
    Some(parts)
}

impl RoomFile {
    /// Parses and checks a room file; `origin` (its path) starts every
    /// error message. An unknown key is an error naming its line.
    pub fn parse(text: &str, origin: &str) -> Result<RoomFile> {
        let file: RoomFile = serde_yaml_ng::from_str(text).map_err(|e| {
            invalid(
                origin,
                format!(
                    "{e}; fix the file (the keys are described in the room module's documentation)"
                ),
            )
        })?;
        file.check(origin)?;
        Ok(file)
    }

    /// Reads and parses a room file.
    pub fn load(path: &Path) -> Result<RoomFile> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            invalid(
                &origin,
                format!("cannot read the room file: {e}; check the path"),
            )
        })?;
        RoomFile::parse(&text, &origin)
    }

    /// The file as YAML, as [`RoomFile::parse`] reads it.
    pub fn to_yaml(&self) -> Result<String> {
        serde_yaml_ng::to_string(self)
            .map_err(|e| Error::InvalidInput(format!("cannot write the room as YAML: {e}")))
    }

    /// Checks what serde cannot: names unique, groups declared, paths whole.
    pub fn check(&self, origin: &str) -> Result<()> {
        if self.workspace.name.trim().is_empty() {
            return Err(invalid(
                origin,
                "workspace.name is empty; name the workspace".into(),
            ));
        }
        let mut groups = BTreeSet::new();
        for g in &self.groups {
            if g.name.trim().is_empty() {
                return Err(invalid(origin, "a group has an empty name; name it".into()));
            }
            if !groups.insert(g.name.as_str()) {
                return Err(invalid(
                    origin,
                    format!("group {:?} is declared twice; keep one", g.name),
                ));
            }
        }
        let mut emails = BTreeSet::new();
        for m in &self.members {
            let e = m.email.trim();
            if e.is_empty() || !e.contains('@') || e != m.email {
                return Err(invalid(
                    origin,
                    format!(
                        "member e-mail {:?} is not an e-mail address; correct it",
                        m.email
                    ),
                ));
            }
            if !emails.insert(e.to_lowercase()) {
                return Err(invalid(
                    origin,
                    format!("member {:?} is listed twice; keep one", m.email),
                ));
            }
            for g in &m.groups {
                if !groups.contains(g.as_str()) {
                    return Err(invalid(
                        origin,
                        format!(
                            "member {:?} is in group {g:?}, which is not declared under groups; declare it",
                            m.email
                        ),
                    ));
                }
            }
        }
        let mut paths = BTreeSet::new();
        for f in &self.folders {
            let Some(parts) = segments(&f.path) else {
                return Err(invalid(
                    origin,
                    format!(
                        "folder path {:?} has an empty name; write names separated by single '/'",
                        f.path
                    ),
                ));
            };
            if !paths.insert(parts) {
                return Err(invalid(
                    origin,
                    format!("folder {:?} is listed twice; keep one", f.path),
                ));
            }
            for g in f.permissions.keys() {
                if !groups.contains(g.as_str()) {
                    return Err(invalid(
                        origin,
                        format!(
                            "folder {:?} gives a permission to group {g:?}, which is not declared under groups; declare it",
                            f.path
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every folder path the file needs, parents included, parents first.
    fn all_paths(&self) -> Vec<Vec<String>> {
        let mut all = BTreeSet::new();
        for f in &self.folders {
            if let Some(parts) = segments(&f.path) {
                for n in 1..=parts.len() {
                    all.insert(parts[..n].to_vec());
                }
            }
        }
        let mut v: Vec<Vec<String>> = all.into_iter().collect();
        v.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        v
    }
}

// ------------------------------------------------------------- the room

#[derive(Debug, Clone)]
struct FolderObs {
    id: i64,
    version: String,
}

#[derive(Debug, Clone)]
struct GroupObs {
    id: i64,
    name: String,
    version: String,
    kind: Option<String>,
}

#[derive(Debug, Clone)]
struct MemberObs {
    id: i64,
    email: String,
    version: String,
    first_name: String,
    last_name: String,
    organization: String,
    role: String,
}

/// What one workspace holds, as its listings show it.
#[derive(Debug, Clone, Default)]
struct Observed {
    name: String,
    description: Option<String>,
    /// (text, accept text, required), when the workspace has a splash.
    splash: Option<(String, String, bool)>,
    /// The settings as listed, in order.
    settings: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Path → folder (the lowest id when two share a path).
    folders: BTreeMap<Vec<String>, FolderObs>,
    /// Folder id → path.
    paths: HashMap<i64, Vec<String>>,
    /// Name → group (the lowest id when two share a name).
    groups: BTreeMap<String, GroupObs>,
    /// Lower-case e-mail → member.
    members: BTreeMap<String, MemberObs>,
    /// (group id, member id).
    memberships: BTreeSet<(i64, i64)>,
    /// (folder id, group id) → level.
    permissions: BTreeMap<(i64, i64), PermissionPermission>,
    /// What the room holds that the comparison cannot account for.
    notes: Vec<String>,
}

/// A setting's value as text (the service sends strings; anything else is
/// shown as its JSON).
fn setting_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Observed {
    /// The settings as name → value.
    fn setting_map(&self) -> BTreeMap<String, String> {
        self.settings
            .iter()
            .filter_map(|m| {
                let name = m.get("name")?.as_str()?.to_string();
                Some((name, m.get("value").map(setting_value).unwrap_or_default()))
            })
            .collect()
    }
}

fn text(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

async fn observe(il: &Intralinks, ws: i64, answers: &FixedAnswers) -> Result<Observed> {
    let api = il.api();
    let w = api
        .get_workspace()
        .workspace_id(ws)
        .send()
        .checked()
        .await?;
    let w = w
        .workspace
        .into_iter()
        .next()
        .ok_or_else(|| Error::NotFound {
            message: format!("workspace {ws} is not in its own listing"),
            error_id: None,
        })?;
    let splash = api
        .get_splash()
        .workspace_id(ws)
        .send()
        .checked()
        .await?
        .splash
        .filter(|s| s.splash_text.is_some());
    let settings = api
        .get_workspace_settings()
        .workspace_id(ws)
        .send()
        .checked()
        .await?
        .workspace_settings;
    let folders = il.in_workspace(ws, answers, || il.folders(ws)).await?;
    let groups = api
        .list_groups()
        .workspace_id(ws)
        .include_workspace_group_members(true)
        .send()
        .checked()
        .await?;
    let users = api
        .list_workspace_members()
        .workspace_id(ws)
        .send()
        .checked()
        .await?
        .users;
    let permissions = api
        .list_permissions()
        .workspace_id(ws)
        .send()
        .checked()
        .await?
        .permissions;

    let mut o = Observed {
        name: w
            .name
            .clone()
            .or(w.workspace_name.clone())
            .unwrap_or_default(),
        description: w.description.clone().filter(|d| !d.is_empty()),
        splash: splash.map(|s| {
            (
                text(&s.splash_text),
                text(&s.accept_text),
                s.splash_required.or(s.has_accept_button).unwrap_or(false),
            )
        }),
        settings,
        ..Observed::default()
    };
    let tree = Tree::new(&folders);
    let mut sorted: Vec<&types::Folder> = folders.iter().collect();
    sorted.sort_by_key(|f| f.id);
    for f in sorted {
        let path = tree.segments(f.id);
        o.paths.insert(f.id, path.clone());
        match o.folders.get(&path) {
            Some(first) => o.notes.push(format!(
                "folder {:?} exists twice (ids {} and {}); only {} is compared",
                path.join("/"),
                first.id,
                f.id,
                first.id
            )),
            None => {
                o.folders.insert(
                    path,
                    FolderObs {
                        id: f.id,
                        version: text(&f.version),
                    },
                );
            }
        }
    }
    let mut gs: Vec<&types::Group> = groups.groups.iter().collect();
    gs.sort_by_key(|g| g.id);
    for g in gs {
        let name = g.group_name.clone().or(g.name.clone()).unwrap_or_default();
        match o.groups.get(&name) {
            Some(first) => o.notes.push(format!(
                "group {name:?} exists twice (ids {} and {}); only {} is compared",
                first.id, g.id, first.id
            )),
            None => {
                o.groups.insert(
                    name.clone(),
                    GroupObs {
                        id: g.id,
                        name,
                        version: text(&g.version),
                        kind: g.group_type.clone().or(g.type_.clone()),
                    },
                );
            }
        }
    }
    for l in &groups.workspace_group_members {
        if let (Some(g), Some(m)) = (l.workspace_group_id, l.workspace_user_id) {
            o.memberships.insert((g, m));
        }
    }
    let mut us: Vec<&types::User> = users.iter().collect();
    us.sort_by_key(|u| u.id);
    for u in us {
        let email = text(&u.email_id);
        o.members.entry(email.to_lowercase()).or_insert(MemberObs {
            id: u.id,
            email,
            version: text(&u.version),
            first_name: text(&u.first_name),
            last_name: text(&u.last_name),
            organization: text(&u.organization),
            role: text(&u.role_type),
        });
    }
    for p in permissions {
        if let (Some(f), Some(g), Some(l)) = (p.folder_id, p.group_id, p.permission) {
            o.permissions.insert((f, g), l);
        }
    }
    Ok(o)
}

// ----------------------------------------------------------------- plan

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// Creates the object.
    Create,
    /// Changes the object in place.
    Change,
    /// Removes the object (only with `prune`).
    Remove,
    /// The room has it, the file does not, and no call of the API removes it.
    CannotRemove,
}

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Kind {
    /// The workspace itself.
    Workspace,
    /// A folder, by path.
    Folder,
    /// A group, by name.
    Group,
    /// A member, by e-mail.
    Member,
    /// A member in a group.
    Membership,
    /// A group's level on a folder.
    Permission,
    /// The workspace's splash screen.
    Splash,
    /// The workspace's settings.
    Settings,
}

/// One difference between the file and the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Change {
    /// What apply does about it.
    pub action: Action,
    /// What it is about.
    pub kind: Kind,
    /// Which object: a path, a name, an e-mail, `e-mail in group`, `group on path`.
    pub target: String,
    /// What differs (`role REVIEWER -> MANAGER`), or why it cannot be removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip)]
    op: Op,
}

/// What apply sends for a change.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    None,
    CreateWorkspace,
    UpdateWorkspace {
        name: String,
        description: Option<String>,
    },
    CreateFolder(Vec<String>),
    CreateGroup(GroupSpec),
    UpdateGroup(GroupSpec),
    CreateMember(MemberSpec),
    UpdateMember(MemberSpec),
    AddMembership {
        group: String,
        email: String,
    },
    SetPermission {
        path: Vec<String>,
        group: String,
        level: PermissionPermission,
    },
    DeleteMember {
        id: i64,
        version: String,
    },
    DeleteGroup {
        id: i64,
        version: String,
    },
    DeleteFolder {
        id: i64,
        version: String,
    },
    UpdateSplash(SplashSpec),
    UpdateSettings(Vec<serde_json::Map<String, serde_json::Value>>),
}

/// What would change in one workspace.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// The workspace's name in the file.
    pub workspace: String,
    /// Its id, when it exists.
    pub workspace_id: Option<i64>,
    /// The changes, in the order apply makes them.
    pub changes: Vec<Change>,
    /// What the room holds that plan and apply leave alone and a person
    /// should know about (a group or folder that exists twice).
    pub notes: Vec<String>,
}

impl Plan {
    /// Whether apply would send anything.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes of this action.
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
}

/// How plan and apply treat the room.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// Remove what the file does not name (members other than
    /// `MANAGER_PLUS`, groups, empty folders).
    pub prune: bool,
    /// What to answer when a workspace must be entered.
    pub entry: FixedAnswers,
    /// Where apply records each object it creates (see [`Journal`]).
    pub journal: Option<PathBuf>,
}

impl Options {
    /// Options that remove (`prune`) or not, with no entry answers and no journal.
    pub fn new(prune: bool) -> Self {
        Options {
            prune,
            ..Options::default()
        }
    }

    /// The same options with these entry answers.
    pub fn with_entry(mut self, entry: FixedAnswers) -> Self {
        self.entry = entry;
        self
    }

    /// The same options with a journal file.
    pub fn with_journal(mut self, journal: impl Into<PathBuf>) -> Self {
        self.journal = Some(journal.into());
        self
    }
}

fn change(action: Action, kind: Kind, target: String, detail: Option<String>, op: Op) -> Change {
    Change {
        action,
        kind,
        target,
        detail,
        op,
    }
}

fn differs(label: &str, want: &Option<String>, have: &str, out: &mut Vec<String>) {
    if let Some(w) = want
        && w != have
    {
        out.push(format!("{label} {have:?} -> {w:?}"));
    }
}

/// The changes that make `room` (`None`: not created yet) match `file`.
fn diff(file: &RoomFile, room: Option<&Observed>, prune: bool) -> Vec<Change> {
    let empty = Observed::default();
    let o = room.unwrap_or(&empty);
    let mut out = Vec::new();
    match room {
        None => out.push(change(
            Action::Create,
            Kind::Workspace,
            file.workspace.name.clone(),
            None,
            Op::CreateWorkspace,
        )),
        Some(o) => {
            // The name is compared when the file finds the room by id.
            let mut d = Vec::new();
            if file.workspace.name != o.name {
                d.push(format!("name {:?} -> {:?}", o.name, file.workspace.name));
            }
            let have = o.description.clone().unwrap_or_default();
            if let Some(want) = &file.workspace.description
                && *want != have
            {
                d.push(format!("description {have:?} -> {want:?}"));
            }
            if !d.is_empty() {
                out.push(change(
                    Action::Change,
                    Kind::Workspace,
                    file.workspace.name.clone(),
                    Some(d.join(", ")),
                    Op::UpdateWorkspace {
                        name: file.workspace.name.clone(),
                        description: file.workspace.description.clone().or(o.description.clone()),
                    },
                ));
            }
        }
    }
    for path in file.all_paths() {
        if !o.folders.contains_key(&path) {
            out.push(change(
                Action::Create,
                Kind::Folder,
                path.join("/"),
                None,
                Op::CreateFolder(path),
            ));
        }
    }
    for g in &file.groups {
        match o.groups.get(&g.name) {
            None => out.push(change(
                Action::Create,
                Kind::Group,
                g.name.clone(),
                None,
                Op::CreateGroup(g.clone()),
            )),
            Some(have) => {
                let mut d = Vec::new();
                differs("type", &g.kind, have.kind.as_deref().unwrap_or(""), &mut d);
                if !d.is_empty() {
                    out.push(change(
                        Action::Change,
                        Kind::Group,
                        g.name.clone(),
                        Some(d.join(", ")),
                        Op::UpdateGroup(g.clone()),
                    ));
                }
            }
        }
    }
    for m in &file.members {
        match o.members.get(&m.email.to_lowercase()) {
            None => out.push(change(
                Action::Create,
                Kind::Member,
                m.email.clone(),
                m.role.clone().map(|r| format!("role {r}")),
                Op::CreateMember(m.clone()),
            )),
            Some(have) => {
                let mut d = Vec::new();
                differs("role", &m.role, &have.role, &mut d);
                differs("first_name", &m.first_name, &have.first_name, &mut d);
                differs("last_name", &m.last_name, &have.last_name, &mut d);
                differs("organization", &m.organization, &have.organization, &mut d);
                if !d.is_empty() {
                    out.push(change(
                        Action::Change,
                        Kind::Member,
                        m.email.clone(),
                        Some(d.join(", ")),
                        Op::UpdateMember(m.clone()),
                    ));
                }
            }
        }
    }
    // Memberships, group by group.
    let mut wanted_links: BTreeSet<(String, String)> = BTreeSet::new();
    for m in &file.members {
        for g in &m.groups {
            wanted_links.insert((g.clone(), m.email.to_lowercase()));
        }
    }
    for (g, email) in &wanted_links {
        let have = match (o.groups.get(g), o.members.get(email)) {
            (Some(g), Some(m)) => o.memberships.contains(&(g.id, m.id)),
            _ => false,
        };
        if !have {
            let shown = file
                .members
                .iter()
                .find(|m| m.email.to_lowercase() == *email)
                .map_or(email.clone(), |m| m.email.clone());
            out.push(change(
                Action::Create,
                Kind::Membership,
                format!("{shown} in {g}"),
                None,
                Op::AddMembership {
                    group: g.clone(),
                    email: email.clone(),
                },
            ));
        }
    }
    // Permissions, folder by folder.
    let mut wanted_perms: BTreeSet<(Vec<String>, String)> = BTreeSet::new();
    for f in &file.folders {
        let Some(path) = segments(&f.path) else {
            continue;
        };
        for (g, level) in &f.permissions {
            wanted_perms.insert((path.clone(), g.clone()));
            let have = match (o.folders.get(&path), o.groups.get(g)) {
                (Some(f), Some(g)) => o.permissions.get(&(f.id, g.id)).copied(),
                _ => None,
            };
            if have == Some(*level) {
                continue;
            }
            let (action, detail) = match have {
                None => (Action::Create, format!("{level}")),
                Some(h) => (Action::Change, format!("{h} -> {level}")),
            };
            out.push(change(
                action,
                Kind::Permission,
                format!("{g} on {}", path.join("/")),
                Some(detail),
                Op::SetPermission {
                    path: path.clone(),
                    group: g.clone(),
                    level: *level,
                },
            ));
        }
    }
    if prune && room.is_some() {
        prune_changes(file, o, &wanted_links, &wanted_perms, &mut out);
    }
    // Last: a splash that must be accepted gates every call before it.
    settings_change(file, o, &mut out);
    if let Some(want) = &file.workspace.splash {
        let have = o.splash.clone();
        let mut d = Vec::new();
        match &have {
            None => d.push("none yet".to_string()),
            Some((text, accept, required)) => {
                if &want.text != text {
                    d.push(format!(
                        "text {} chars -> {} chars",
                        text.chars().count(),
                        want.text.chars().count()
                    ));
                }
                differs("accept_text", &want.accept_text, accept, &mut d);
                if let Some(r) = want.required
                    && r != *required
                {
                    d.push(format!("required {required} -> {r}"));
                }
            }
        }
        if !d.is_empty() {
            out.push(change(
                if have.is_none() {
                    Action::Create
                } else {
                    Action::Change
                },
                Kind::Splash,
                "splash".into(),
                Some(d.join(", ")),
                Op::UpdateSplash(want.clone()),
            ));
        }
    }
    out
}

/// One change for every setting the file gives a new value: a single
/// `PUT` of the whole list, the others kept as they are.
fn settings_change(file: &RoomFile, o: &Observed, out: &mut Vec<Change>) {
    let have = o.setting_map();
    let mut d = Vec::new();
    for (name, value) in &file.workspace.settings {
        match have.get(name) {
            Some(v) if v == value => {}
            Some(v) => d.push(format!("{name} {v:?} -> {value:?}")),
            None => d.push(format!("{name} -> {value:?}")),
        }
    }
    if d.is_empty() {
        return;
    }
    let mut list = o.settings.clone();
    for (name, value) in &file.workspace.settings {
        match list
            .iter_mut()
            .find(|m| m.get("name").and_then(|n| n.as_str()) == Some(name.as_str()))
        {
            Some(m) => {
                m.insert("value".into(), serde_json::json!(value));
            }
            None => {
                let mut m = serde_json::Map::new();
                m.insert("name".into(), serde_json::json!(name));
                m.insert("value".into(), serde_json::json!(value));
                list.push(m);
            }
        }
    }
    out.push(change(
        Action::Change,
        Kind::Settings,
        "settings".into(),
        Some(d.join(", ")),
        Op::UpdateSettings(list),
    ));
}

fn prune_changes(
    file: &RoomFile,
    o: &Observed,
    wanted_links: &BTreeSet<(String, String)>,
    wanted_perms: &BTreeSet<(Vec<String>, String)>,
    out: &mut Vec<Change>,
) {
    let no_call = |what: &str| {
        Some(format!(
            "the API has no call that removes {what}; remove it in the Intralinks web interface"
        ))
    };
    // What pruning removes takes its memberships and permissions with it:
    // those are not listed as left behind.
    let emails: BTreeSet<String> = file
        .members
        .iter()
        .map(|m| m.email.to_lowercase())
        .collect();
    let group_names: BTreeSet<&str> = file.groups.iter().map(|g| g.name.as_str()).collect();
    let leaving_member =
        |m: &MemberObs| !emails.contains(&m.email.to_lowercase()) && m.role != OWNER_ROLE;
    let leaving_group = |g: &GroupObs| !group_names.contains(g.name.as_str());
    for (group, member) in o.memberships.iter().filter_map(|(g, m)| {
        let group = o.groups.values().find(|x| x.id == *g)?;
        let member = o.members.values().find(|x| x.id == *m)?;
        Some((group, member))
    }) {
        if leaving_member(member) || leaving_group(group) {
            continue;
        }
        if !wanted_links.contains(&(group.name.clone(), member.email.to_lowercase())) {
            out.push(change(
                Action::CannotRemove,
                Kind::Membership,
                format!("{} in {}", member.email, group.name),
                no_call("one group membership"),
                Op::None,
            ));
        }
    }
    for ((f, g), level) in &o.permissions {
        let (Some(path), Some(group)) = (o.paths.get(f), o.groups.values().find(|x| x.id == *g))
        else {
            continue;
        };
        if leaving_group(group) {
            continue;
        }
        if !wanted_perms.contains(&(path.clone(), group.name.clone())) {
            out.push(change(
                Action::CannotRemove,
                Kind::Permission,
                format!("{} on {}", group.name, path.join("/")),
                no_call(&format!("a permission ({level})")),
                Op::None,
            ));
        }
    }
    for m in o.members.values() {
        if leaving_member(m) {
            out.push(change(
                Action::Remove,
                Kind::Member,
                m.email.clone(),
                Some(format!("role {}", m.role)),
                Op::DeleteMember {
                    id: m.id,
                    version: m.version.clone(),
                },
            ));
        }
    }
    let groups: BTreeSet<&str> = file.groups.iter().map(|g| g.name.as_str()).collect();
    for (name, g) in &o.groups {
        if !groups.contains(name.as_str()) {
            out.push(change(
                Action::Remove,
                Kind::Group,
                name.clone(),
                None,
                Op::DeleteGroup {
                    id: g.id,
                    version: g.version.clone(),
                },
            ));
        }
    }
    let paths: BTreeSet<Vec<String>> = file.all_paths().into_iter().collect();
    let mut extra: Vec<(&Vec<String>, &FolderObs)> = o
        .folders
        .iter()
        .filter(|(p, _)| !paths.contains(*p))
        .collect();
    // Deepest first: children go before their parents.
    extra.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(b.0)));
    for (path, f) in extra {
        out.push(change(
            Action::Remove,
            Kind::Folder,
            path.join("/"),
            Some("only when empty: documents are never deleted".into()),
            Op::DeleteFolder {
                id: f.id,
                version: f.version.clone(),
            },
        ));
    }
}

/// The workspace the file names: by id, else by exact name (the journal's
/// record first). `None`: it does not exist yet.
async fn resolve(
    il: &Intralinks,
    file: &RoomFile,
    journal: Option<&Journal>,
) -> Result<Option<i64>> {
    if let Some(id) = file.workspace.id {
        return Ok(Some(id));
    }
    let all: Vec<types::Workspace> = il.list_all_workspaces().try_collect().await?;
    let named: Vec<i64> = all
        .iter()
        .filter(|w| {
            w.name.as_deref().or(w.workspace_name.as_deref()) == Some(file.workspace.name.as_str())
        })
        .map(|w| w.id)
        .collect();
    if let Some(id) = journal.and_then(|j| j.workspace(&file.workspace.name))
        && named.contains(&id)
    {
        return Ok(Some(id));
    }
    match named.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        many => Err(Error::InvalidInput(format!(
            "{} workspaces are named {:?} (ids {}); put the one you mean as `id:` under workspace in the file",
            many.len(),
            file.workspace.name,
            many.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// What [`apply`] would do to make the room match `file`.
pub async fn plan(il: &Intralinks, file: &RoomFile, options: &Options) -> Result<Plan> {
    let journal = match &options.journal {
        Some(p) => Some(Journal::open(p)?),
        None => None,
    };
    let ws = resolve(il, file, journal.as_ref()).await?;
    let observed = match ws {
        Some(ws) => Some(observe(il, ws, &options.entry).await?),
        None => None,
    };
    Ok(Plan {
        workspace: file.workspace.name.clone(),
        workspace_id: ws,
        changes: diff(file, observed.as_ref(), options.prune),
        notes: observed.map(|o| o.notes).unwrap_or_default(),
    })
}

// --------------------------------------------------------------- journal

/// One object apply created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Record {
    /// The workspace's name in the file.
    pub room: String,
    /// `workspace`, `folder`, `group`, `member`, `membership` or `permission`.
    pub kind: String,
    /// What was created (a path, a name, an e-mail).
    pub name: String,
    /// The workspace's id.
    pub workspace_id: i64,
    /// The object's id, when the answer gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
}

/// An append-only record (JSON lines) of what apply created, each line
/// written and flushed to disk before the next call, so that after a kill
/// the rerun knows which workspace it created. A torn last line (the kill
/// came mid-write) is ignored.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    records: Vec<Record>,
    /// Where a torn last line starts: cut off before the next append.
    torn_at: Option<u64>,
}

impl Journal {
    /// Reads the journal at `path` (none yet is an empty journal).
    pub fn open(path: &Path) -> Result<Journal> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(Error::InvalidInput(format!(
                    "cannot read the journal {}: {e}; check its permissions",
                    path.display()
                )));
            }
        };
        // A line without its newline is torn (the kill came mid-write):
        // it is ignored, and cut off before the next record is appended.
        let (whole, torn_at) = match text.rfind('\n') {
            _ if text.is_empty() || text.ends_with('\n') => (text.as_str(), None),
            Some(i) => (&text[..=i], Some(i as u64 + 1)),
            None => ("", Some(0)),
        };
        let mut records = Vec::new();
        for (i, line) in whole.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let r = serde_json::from_str::<Record>(line).map_err(|e| {
                Error::InvalidInput(format!(
                    "the journal {} has a broken line {}: {e}; move the file away and run again (apply looks everything up anyway)",
                    path.display(),
                    i + 1
                ))
            })?;
            records.push(r);
        }
        Ok(Journal {
            path: path.to_owned(),
            records,
            torn_at,
        })
    }

    /// What it holds, oldest first.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The workspace apply created for the room named `room`, if any.
    pub fn workspace(&self, room: &str) -> Option<i64> {
        self.records
            .iter()
            .rev()
            .find(|r| r.kind == "workspace" && r.room == room)
            .map(|r| r.workspace_id)
    }

    /// Appends one record and flushes it to disk.
    pub fn append(&mut self, record: Record) -> Result<()> {
        let io = |e: std::io::Error| {
            Error::InvalidInput(format!(
                "cannot write the journal {}: {e}; free space or fix its permissions, then run again",
                self.path.display()
            ))
        };
        let mut line = serde_json::to_string(&record)
            .map_err(|e| Error::InvalidInput(format!("cannot encode a journal record: {e}")))?;
        line.push('\n');
        if let Some(at) = self.torn_at.take() {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(&self.path)
                .map_err(io)?;
            f.set_len(at).map_err(io)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(io)?;
        f.write_all(line.as_bytes()).map_err(io)?;
        f.sync_data().map_err(io)?;
        self.records.push(record);
        Ok(())
    }
}

// ---------------------------------------------------------------- apply

/// What apply did in one workspace.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Applied {
    /// The workspace's name in the file.
    pub workspace: String,
    /// Its id.
    pub workspace_id: i64,
    /// The changes made, in order.
    pub done: Vec<Change>,
    /// Differences left alone: the API cannot remove them.
    pub not_removable: Vec<Change>,
}

/// Ids known while applying, updated as objects are created.
struct Ids {
    folders: BTreeMap<Vec<String>, i64>,
    groups: BTreeMap<String, (i64, String)>,
    members: BTreeMap<String, (i64, String)>,
}

impl From<&Observed> for Ids {
    fn from(observed: &Observed) -> Self {
        Ids {
            folders: observed
                .folders
                .iter()
                .map(|(p, f)| (p.clone(), f.id))
                .collect(),
            groups: observed
                .groups
                .iter()
                .map(|(n, g)| (n.clone(), (g.id, g.version.clone())))
                .collect(),
            members: observed
                .members
                .iter()
                .map(|(e, m)| (e.clone(), (m.id, m.version.clone())))
                .collect(),
        }
    }
}

struct Run<'a> {
    il: &'a Intralinks,
    file: &'a RoomFile,
    ws: i64,
    journal: Option<Journal>,
}

impl Run<'_> {
    fn record(&mut self, kind: &str, name: &str, id: Option<i64>) -> Result<()> {
        if let Some(j) = &mut self.journal {
            j.append(Record {
                room: self.file.workspace.name.clone(),
                kind: kind.into(),
                name: name.into(),
                workspace_id: self.ws,
                id,
            })?;
        }
        Ok(())
    }
}

fn missing(what: String) -> Error {
    Error::Protocol {
        status: 200,
        detail: format!("no id known for {what}; run apply again, it looks every object up first"),
    }
}

fn member_update(id: i64, version: &str, m: &MemberSpec) -> Result<types::User> {
    let mut v = serde_json::json!({ "id": id, "version": version });
    for (key, value) in [
        ("roleType", &m.role),
        ("firstName", &m.first_name),
        ("lastName", &m.last_name),
        ("organization", &m.organization),
    ] {
        if let Some(x) = value {
            v[key] = serde_json::json!(x);
        }
    }
    serde_json::from_value(v)
        .map_err(|e| Error::InvalidInput(format!("cannot build the member update: {e}")))
}

/// Makes the room match `file`: creates what is missing, changes what
/// differs, and with `prune` removes what the file does not name. A second
/// run right after sends no write.
pub async fn apply(il: &Intralinks, file: &RoomFile, options: &Options) -> Result<Applied> {
    let journal = match &options.journal {
        Some(p) => Some(Journal::open(p)?),
        None => None,
    };
    let existing = resolve(il, file, journal.as_ref()).await?;
    let mut run = Run {
        il,
        file,
        ws: existing.unwrap_or(0),
        journal,
    };
    let mut done = Vec::new();
    if existing.is_none() {
        let body = types::CreateWorkspacesRequest {
            workspaces: vec![types::WorkspaceInput {
                name: file.workspace.name.clone(),
                description: file.workspace.description.clone().filter(|d| !d.is_empty()),
                host: None,
                phase: None,
                suppress_welcome_alert: None,
            }],
        };
        let answer = il
            .api()
            .create_workspace()
            .body(body)
            .send()
            .checked()
            .await?;
        let p = answer.workspace_partial.first();
        run.ws = p
            .and_then(|p| p.workspace_id.or(p.id))
            .ok_or_else(|| missing(format!("workspace {:?}", file.workspace.name)))?;
        run.record("workspace", &file.workspace.name, Some(run.ws))?;
        done.push(change(
            Action::Create,
            Kind::Workspace,
            file.workspace.name.clone(),
            None,
            Op::None,
        ));
    }
    let ws = run.ws;
    let observed = observe(il, ws, &options.entry).await?;
    let changes = diff(file, Some(&observed), options.prune);
    let mut ids = Ids::from(&observed);
    let mut not_removable = Vec::new();
    // Memberships go in one call per group.
    let mut links: BTreeMap<String, Vec<(String, Change)>> = BTreeMap::new();
    for c in changes {
        if let Op::AddMembership { group, email } = &c.op {
            links
                .entry(group.clone())
                .or_default()
                .push((email.clone(), c.clone()));
            continue;
        }
        if !links.is_empty() && !matches!(c.kind, Kind::Membership) {
            add_memberships(&mut run, &ids, std::mem::take(&mut links), &mut done).await?;
        }
        if c.action == Action::CannotRemove {
            not_removable.push(c);
            continue;
        }
        execute(&mut run, &mut ids, &c).await?;
        done.push(c);
    }
    if !links.is_empty() {
        add_memberships(&mut run, &ids, links, &mut done).await?;
    }
    Ok(Applied {
        workspace: file.workspace.name.clone(),
        workspace_id: ws,
        done,
        not_removable,
    })
}

async fn add_memberships(
    run: &mut Run<'_>,
    ids: &Ids,
    links: BTreeMap<String, Vec<(String, Change)>>,
    done: &mut Vec<Change>,
) -> Result<()> {
    for (group, members) in links {
        let (gid, _) = ids
            .groups
            .get(&group)
            .cloned()
            .ok_or_else(|| missing(format!("group {group:?}")))?;
        let mut users = Vec::new();
        for (email, _) in &members {
            let (mid, _) = ids
                .members
                .get(email)
                .cloned()
                .ok_or_else(|| missing(format!("member {email:?}")))?;
            users.push(types::GroupMemberRef {
                workspace_user_id: mid,
            });
        }
        run.il
            .api()
            .add_group_members()
            .workspace_id(run.ws)
            .group_id(gid)
            .body(types::AddGroupUsersRequest { users })
            .send()
            .checked()
            .await?;
        for (_, c) in members {
            run.record("membership", &c.target, None)?;
            done.push(c);
        }
    }
    Ok(())
}

async fn execute(run: &mut Run<'_>, ids: &mut Ids, c: &Change) -> Result<()> {
    let api = run.il.api();
    let ws = run.ws;
    match &c.op {
        Op::None | Op::CreateWorkspace | Op::AddMembership { .. } => {}
        Op::UpdateSplash(want) => {
            api.update_splash()
                .workspace_id(ws)
                .body(types::Splash {
                    splash_text: Some(want.text.clone()),
                    accept_text: want.accept_text.clone(),
                    splash_required: want.required,
                    ..types::Splash::default()
                })
                .send()
                .checked()
                .await?;
        }
        Op::UpdateSettings(list) => {
            api.update_workspace_settings()
                .workspace_id(ws)
                .body(types::UpdateWorkspaceSettingsRequest {
                    workspace_settings: list.clone(),
                })
                .send()
                .checked()
                .await?;
        }
        Op::UpdateWorkspace { name, description } => {
            api.update_workspace()
                .workspace_id(ws)
                .body(types::WorkspaceInput {
                    name: name.clone(),
                    description: description.clone(),
                    host: None,
                    phase: None,
                    suppress_welcome_alert: None,
                })
                .send()
                .checked()
                .await?;
        }
        Op::CreateFolder(path) => {
            let parent = match path.len() {
                0 | 1 => None,
                n => Some(
                    *ids.folders
                        .get(&path[..n - 1])
                        .ok_or_else(|| missing(format!("folder {:?}", path[..n - 1].join("/"))))?,
                ),
            };
            let name = path.last().cloned().unwrap_or_default();
            let answer = api
                .create_folder()
                .workspace_id(ws)
                .body(types::CreateFoldersRequest {
                    folders: vec![types::FolderInputItem {
                        folder: types::FolderInput {
                            name,
                            parent_id: parent,
                            note: None,
                        },
                    }],
                })
                .send()
                .checked()
                .await?;
            let id = answer
                .folder_partial
                .first()
                .and_then(|p| p.id)
                .ok_or_else(|| missing(format!("folder {:?}", c.target)))?;
            ids.folders.insert(path.clone(), id);
            run.record("folder", &c.target, Some(id))?;
        }
        Op::CreateGroup(g) => {
            let answer = api
                .create_group()
                .workspace_id(ws)
                .body(types::GroupInput {
                    group_name: g.name.clone(),
                    group_type: g.kind.clone(),
                    note: None,
                    version: None,
                })
                .send()
                .checked()
                .await?;
            let p = answer
                .group_partials
                .first()
                .ok_or_else(|| missing(format!("group {:?}", g.name)))?;
            let id = p.id.ok_or_else(|| missing(format!("group {:?}", g.name)))?;
            ids.groups
                .insert(g.name.clone(), (id, p.version.clone().unwrap_or_default()));
            run.record("group", &g.name, Some(id))?;
        }
        Op::UpdateGroup(g) => {
            let (id, version) = ids
                .groups
                .get(&g.name)
                .cloned()
                .ok_or_else(|| missing(format!("group {:?}", g.name)))?;
            api.update_group()
                .workspace_id(ws)
                .group_id(id)
                .body(types::GroupInput {
                    group_name: g.name.clone(),
                    group_type: g.kind.clone(),
                    note: None,
                    version: Some(version),
                })
                .send()
                .checked()
                .await?;
        }
        Op::CreateMember(m) => {
            let answer = api
                .create_workspace_members()
                .workspace_id(ws)
                .body(types::UsersRequest {
                    users: vec![types::UserInput {
                        email_id: m.email.clone(),
                        first_name: m.first_name.clone(),
                        last_name: m.last_name.clone(),
                        organization: m.organization.clone(),
                        role_type: m.role.clone(),
                        send_alert: None,
                    }],
                })
                .send()
                .checked()
                .await?;
            let p = answer
                .user_partials
                .first()
                .ok_or_else(|| missing(format!("member {:?}", m.email)))?;
            let id =
                p.id.ok_or_else(|| missing(format!("member {:?}", m.email)))?;
            ids.members.insert(
                m.email.to_lowercase(),
                (id, p.version.clone().unwrap_or_default()),
            );
            run.record("member", &m.email, Some(id))?;
        }
        Op::UpdateMember(m) => {
            let (id, version) = ids
                .members
                .get(&m.email.to_lowercase())
                .cloned()
                .ok_or_else(|| missing(format!("member {:?}", m.email)))?;
            api.update_workspace_members()
                .workspace_id(ws)
                .body(types::UpdateUsersRequest {
                    users: vec![member_update(id, &version, m)?],
                })
                .send()
                .checked()
                .await?;
        }
        Op::SetPermission { path, group, level } => {
            let folder = *ids
                .folders
                .get(path)
                .ok_or_else(|| missing(format!("folder {:?}", path.join("/"))))?;
            let (gid, _) = ids
                .groups
                .get(group)
                .cloned()
                .ok_or_else(|| missing(format!("group {group:?}")))?;
            api.create_permission()
                .workspace_id(ws)
                .body(types::Permission {
                    id: None,
                    folder_id: Some(folder),
                    group_id: Some(gid),
                    permission: Some(*level),
                })
                .send()
                .checked()
                .await?;
            run.record("permission", &c.target, None)?;
        }
        Op::DeleteMember { id, version } => {
            api.delete_workspace_members()
                .workspace_id(ws)
                .body(types::DeleteUsersRequest {
                    users: vec![types::EntityRef {
                        id: *id,
                        version: version.clone(),
                    }],
                })
                .send()
                .checked()
                .await?;
        }
        Op::DeleteGroup { id, version } => {
            api.delete_groups()
                .workspace_id(ws)
                .remove_users(false)
                .body(types::DeleteGroupsRequest {
                    groups: vec![types::EntityRef {
                        id: *id,
                        version: version.clone(),
                    }],
                })
                .send()
                .checked()
                .await?;
        }
        Op::DeleteFolder { id, version } => {
            api.delete_folder()
                .workspace_id(ws)
                .folder_id(*id)
                .version(version.clone())
                .delete_folder_contents(false)
                .send()
                .checked()
                .await?;
        }
    }
    Ok(())
}

// ----------------------------------------------------------- one-off work

/// A partial room for one-off work ([`ensure`]): only what it names is
/// looked at, nothing is removed.
fn partial(name: &str) -> RoomFile {
    RoomFile {
        workspace: WorkspaceSpec {
            name: name.to_string(),
            id: None,
            description: None,
            splash: None,
            settings: BTreeMap::new(),
        },
        groups: Vec::new(),
        members: Vec::new(),
        folders: Vec::new(),
    }
}

/// The changes that make workspace `ws` hold what `want` names — groups,
/// members, memberships, permissions on existing folders — made unless
/// `dry_run`. Nothing is removed, no folder is created, and every group
/// `want` uses must exist already or be declared in `want.groups`.
pub async fn ensure(
    il: &Intralinks,
    ws: i64,
    want: &RoomFile,
    dry_run: bool,
    entry: &FixedAnswers,
) -> Result<Vec<Change>> {
    let observed = observe(il, ws, entry).await?;
    let mut want = want.clone();
    want.workspace.name = observed.name.clone();
    want.workspace.description = None;
    want.workspace.splash = None;
    want.workspace.settings.clear();
    want.check("the request")?;
    for f in &want.folders {
        let path = segments(&f.path).unwrap_or_default();
        if !observed.folders.contains_key(&path) {
            return Err(Error::InvalidInput(format!(
                "workspace {ws} has no folder {:?}; check the path (names from the top, separated by '/')",
                f.path
            )));
        }
    }
    let changes = diff(&want, Some(&observed), false);
    if dry_run {
        return Ok(changes);
    }
    let mut run = Run {
        il,
        file: &want,
        ws,
        journal: None,
    };
    let mut ids = Ids::from(&observed);
    let mut done = Vec::new();
    let mut links: BTreeMap<String, Vec<(String, Change)>> = BTreeMap::new();
    for c in changes {
        if let Op::AddMembership { group, email } = &c.op {
            links
                .entry(group.clone())
                .or_default()
                .push((email.clone(), c.clone()));
            continue;
        }
        if !links.is_empty() {
            add_memberships(&mut run, &ids, std::mem::take(&mut links), &mut done).await?;
        }
        execute(&mut run, &mut ids, &c).await?;
        done.push(c);
    }
    if !links.is_empty() {
        add_memberships(&mut run, &ids, links, &mut done).await?;
    }
    Ok(done)
}

/// A group to create with [`ensure`]: a partial room naming only it.
pub fn group_request(name: &str, kind: Option<String>) -> RoomFile {
    let mut f = partial("");
    f.groups.push(GroupSpec {
        name: name.to_string(),
        kind,
    });
    f
}

/// A member to add or update with [`ensure`], in existing groups.
pub fn member_request(member: MemberSpec) -> RoomFile {
    members_request(vec![member])
}

/// Members to add or update with [`ensure`], in existing groups.
pub fn members_request(members: Vec<MemberSpec>) -> RoomFile {
    let mut f = partial("");
    let groups: BTreeSet<String> = members.iter().flat_map(|m| m.groups.clone()).collect();
    f.groups = groups
        .into_iter()
        .map(|name| GroupSpec { name, kind: None })
        .collect();
    f.members = members;
    f
}

/// A group's level on an existing folder, to set with [`ensure`].
pub fn permission_request(path: &str, group: &str, level: PermissionPermission) -> RoomFile {
    let mut f = partial("");
    f.groups.push(GroupSpec {
        name: group.to_string(),
        kind: None,
    });
    f.folders.push(FolderSpec {
        path: path.to_string(),
        permissions: BTreeMap::from([(group.to_string(), level)]),
    });
    f
}

/// Checks that every group `want` uses exists in `ws`: one-off work never
/// creates a group by the way.
pub async fn require_groups(
    il: &Intralinks,
    ws: i64,
    want: &RoomFile,
    entry: &FixedAnswers,
) -> Result<()> {
    let observed = observe(il, ws, entry).await?;
    for g in &want.groups {
        if !observed.groups.contains_key(&g.name) {
            return Err(Error::InvalidInput(format!(
                "workspace {ws} has no group {:?}; create it first",
                g.name
            )));
        }
    }
    Ok(())
}

/// Members from CSV with a header row naming some of `email`,
/// `first_name`, `last_name`, `organization`, `role` and `groups` (group
/// names separated by `;`). `email` is required; an unknown column is an
/// error naming it.
pub fn members_from_csv(text: &str, origin: &str) -> Result<Vec<MemberSpec>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let bad = |e: csv::Error| invalid(origin, format!("{e}; fix the CSV"));
    let headers = reader.headers().map_err(bad)?.clone();
    const KNOWN: [&str; 6] = [
        "email",
        "first_name",
        "last_name",
        "organization",
        "role",
        "groups",
    ];
    for h in &headers {
        if !KNOWN.contains(&h) {
            return Err(invalid(
                origin,
                format!("unknown column {h:?}; the columns are {}", KNOWN.join(", ")),
            ));
        }
    }
    if !headers.iter().any(|h| h == "email") {
        return Err(invalid(
            origin,
            "the header has no email column; add one".into(),
        ));
    }
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(bad)?;
        let get = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|p| row.get(p))
                .map(str::to_owned)
                .filter(|v| !v.is_empty())
        };
        let email = get("email")
            .ok_or_else(|| invalid(origin, format!("row {} has no e-mail; fill it in", i + 2)))?;
        out.push(MemberSpec {
            email,
            first_name: get("first_name"),
            last_name: get("last_name"),
            organization: get("organization"),
            role: get("role"),
            groups: get("groups")
                .map(|g| {
                    g.split(';')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

async fn one_group(
    il: &Intralinks,
    ws: i64,
    name: &str,
    entry: &FixedAnswers,
) -> Result<(Observed, GroupObs)> {
    let observed = observe(il, ws, entry).await?;
    let g = observed.groups.get(name).cloned().ok_or_else(|| {
        Error::InvalidInput(format!(
            "workspace {ws} has no group {name:?}; check the name"
        ))
    })?;
    Ok((observed, g))
}

/// Renames group `from` to `to` (unless `dry_run`).
pub async fn rename_group(
    il: &Intralinks,
    ws: i64,
    from: &str,
    to: &str,
    dry_run: bool,
    entry: &FixedAnswers,
) -> Result<Change> {
    if to.trim().is_empty() {
        return Err(Error::InvalidInput(
            "the new group name is empty; give one".into(),
        ));
    }
    let (observed, g) = one_group(il, ws, from, entry).await?;
    if observed.groups.contains_key(to) {
        return Err(Error::InvalidInput(format!(
            "workspace {ws} has a group {to:?} already; choose another name"
        )));
    }
    let c = change(
        Action::Change,
        Kind::Group,
        from.to_string(),
        Some(format!("name {from:?} -> {to:?}")),
        Op::None,
    );
    if !dry_run {
        il.api()
            .update_group()
            .workspace_id(ws)
            .group_id(g.id)
            .body(types::GroupInput {
                group_name: to.to_string(),
                group_type: g.kind.clone(),
                note: None,
                version: Some(g.version.clone()),
            })
            .send()
            .checked()
            .await?;
    }
    Ok(c)
}

/// Deletes group `name` (its members stay in the workspace) unless `dry_run`.
pub async fn delete_group(
    il: &Intralinks,
    ws: i64,
    name: &str,
    dry_run: bool,
    entry: &FixedAnswers,
) -> Result<Change> {
    let (_, g) = one_group(il, ws, name, entry).await?;
    let c = change(
        Action::Remove,
        Kind::Group,
        name.to_string(),
        None,
        Op::DeleteGroup {
            id: g.id,
            version: g.version.clone(),
        },
    );
    if !dry_run {
        let file = partial("");
        let mut run = Run {
            il,
            file: &file,
            ws,
            journal: None,
        };
        execute(&mut run, &mut Ids::from(&Observed::default()), &c).await?;
    }
    Ok(c)
}

/// Removes member `email` from the workspace unless `dry_run`.
pub async fn remove_member(
    il: &Intralinks,
    ws: i64,
    email: &str,
    dry_run: bool,
    entry: &FixedAnswers,
) -> Result<Change> {
    let observed = observe(il, ws, entry).await?;
    let m = observed.members.get(&email.to_lowercase()).ok_or_else(|| {
        Error::InvalidInput(format!(
            "workspace {ws} has no member {email:?}; check the e-mail"
        ))
    })?;
    let c = change(
        Action::Remove,
        Kind::Member,
        m.email.clone(),
        Some(format!("role {}", m.role)),
        Op::DeleteMember {
            id: m.id,
            version: m.version.clone(),
        },
    );
    if !dry_run {
        let file = partial("");
        let mut run = Run {
            il,
            file: &file,
            ws,
            journal: None,
        };
        execute(&mut run, &mut Ids::from(&Observed::default()), &c).await?;
    }
    Ok(c)
}

/// Whether member `email` exists in `ws`.
pub async fn has_member(
    il: &Intralinks,
    ws: i64,
    email: &str,
    entry: &FixedAnswers,
) -> Result<bool> {
    Ok(observe(il, ws, entry)
        .await?
        .members
        .contains_key(&email.to_lowercase()))
}

/// The error for revoking a permission: the API has no such call.
pub fn revoke_unsupported(path: &str, group: &str) -> Error {
    Error::InvalidInput(format!(
        "the API has no call that revokes a permission (group {group:?} on {path:?}); remove it in the Intralinks web interface, or lower it to SEE with a grant"
    ))
}

// --------------------------------------------------------------- export

/// Refuses what a room file cannot say back: a folder name with `/` or
/// without a character, a group without a name, a member without an e-mail.
fn exportable(o: &Observed) -> Result<()> {
    let refuse = |what: String| {
        Err(Error::InvalidInput(format!(
            "{what}, which a room file cannot express; fix it in the room, then export again"
        )))
    };
    for (path, f) in &o.folders {
        if let Some(bad) = path.iter().find(|n| n.contains(PATH_SEPARATOR)) {
            return refuse(format!("folder {} is named {bad:?}, with a '/'", f.id));
        }
        if path.iter().any(|n| n.trim().is_empty()) {
            return refuse(format!("folder {} has an empty name in its path", f.id));
        }
    }
    if let Some(g) = o.groups.values().find(|g| g.name.trim().is_empty()) {
        return refuse(format!("group {} has no name", g.id));
    }
    if let Some(m) = o.members.values().find(|m| !m.email.contains('@')) {
        return refuse(format!(
            "member {} has no e-mail address ({:?})",
            m.id, m.email
        ));
    }
    Ok(())
}

/// The room as a file: every folder (sorted by path), group (by name) and
/// member (by e-mail, groups sorted), with ids only for the workspace.
/// Fails when a folder's name contains `/`, which a path cannot express.
pub async fn export(il: &Intralinks, ws: i64, entry: &FixedAnswers) -> Result<RoomFile> {
    let o = observe(il, ws, entry).await?;
    exportable(&o)?;
    let group_of: HashMap<i64, &str> = o.groups.values().map(|g| (g.id, g.name.as_str())).collect();
    let groups = o
        .groups
        .values()
        .map(|g| GroupSpec {
            name: g.name.clone(),
            kind: g.kind.clone(),
        })
        .collect();
    let some = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    let members = o
        .members
        .values()
        .map(|m| {
            let mut groups: Vec<String> = o
                .memberships
                .iter()
                .filter(|(_, u)| *u == m.id)
                .filter_map(|(g, _)| group_of.get(g).map(|n| n.to_string()))
                .collect();
            groups.sort();
            groups.dedup();
            MemberSpec {
                email: m.email.clone(),
                first_name: some(&m.first_name),
                last_name: some(&m.last_name),
                organization: some(&m.organization),
                role: some(&m.role),
                groups,
            }
        })
        .collect();
    let folders = o
        .folders
        .iter()
        .map(|(path, f)| FolderSpec {
            path: path.join("/"),
            permissions: o
                .permissions
                .iter()
                .filter(|((folder, _), _)| *folder == f.id)
                .filter_map(|((_, g), l)| group_of.get(g).map(|n| (n.to_string(), *l)))
                .collect(),
        })
        .collect();
    Ok(RoomFile {
        workspace: WorkspaceSpec {
            name: o.name.clone(),
            id: Some(ws),
            description: o.description.clone(),
            splash: o.splash.clone().map(|(text, accept, required)| SplashSpec {
                text,
                accept_text: Some(accept).filter(|a| !a.is_empty()),
                required: Some(required),
            }),
            settings: o.setting_map(),
        },
        groups,
        members,
        folders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
workspace:
  name: Hackathon Capital I
groups:
  - name: ABP_C
  - name: ABP_D
members:
  - email: ann.lee@abp.example
    first_name: Ann
    last_name: Lee
    role: REVIEWER
    groups: [ABP_C, ABP_D]
folders:
  - path: ABP/Capital Calls
    permissions: {ABP_C: SEE_AND_DOWNLOAD}
";

    fn error(text: &str) -> String {
        RoomFile::parse(text, "room.yaml").unwrap_err().to_string()
    }

    #[test]
    fn a_file_parses_to_exact_values() {
        let f = RoomFile::parse(FILE, "room.yaml").unwrap();
        assert_eq!(f.workspace.name, "Hackathon Capital I");
        assert_eq!(f.workspace.id, None);
        assert_eq!(f.groups.len(), 2);
        assert_eq!(f.members[0].groups, vec!["ABP_C", "ABP_D"]);
        assert_eq!(
            f.folders[0].permissions.get("ABP_C"),
            Some(&PermissionPermission::SeeAndDownload)
        );
        assert_eq!(
            f.all_paths(),
            vec![
                vec!["ABP".to_string()],
                vec!["ABP".to_string(), "Capital Calls".to_string()]
            ]
        );
        // What to_yaml writes parses back to the same.
        assert_eq!(RoomFile::parse(&f.to_yaml().unwrap(), "x").unwrap(), f);
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_its_line() {
        let bad = FILE.replace("    role: REVIEWER", "    rol: REVIEWER");
        let e = error(&bad);
        assert!(
            e.starts_with("room.yaml: members[0]: unknown field `rol`, expected one of"),
            "{e}"
        );
        assert!(e.contains("at line 10 column 5; fix the file"), "{e}");
        let e = error("workspace:\n  name: X\n  colour: red\n");
        assert!(
            e.contains("unknown field `colour`") && e.contains("line 3"),
            "{e}"
        );
    }

    #[test]
    fn wrong_levels_undeclared_groups_and_duplicates_are_errors() {
        let e = error(&FILE.replace("SEE_AND_DOWNLOAD", "EVERYTHING"));
        assert!(
            e.contains("unknown variant `EVERYTHING`") && e.contains("line 14"),
            "{e}"
        );
        let e = error(&FILE.replace("[ABP_C, ABP_D]", "[ABP_C, ABP_X]"));
        assert!(e.contains("group \"ABP_X\", which is not declared"), "{e}");
        let e = error(&FILE.replace("{ABP_C:", "{ABP_Z:"));
        assert!(e.contains("group \"ABP_Z\", which is not declared"), "{e}");
        let e = error(&FILE.replace("  - name: ABP_D", "  - name: ABP_C"));
        assert!(e.contains("group \"ABP_C\" is declared twice"), "{e}");
        let e = error(&FILE.replace("ABP/Capital Calls", "ABP//Capital Calls"));
        assert!(e.contains("has an empty name"), "{e}");
        let e = error(&FILE.replace("ann.lee@abp.example", "ann.lee"));
        assert!(e.contains("is not an e-mail address"), "{e}");
        let e = error("groups: []\n");
        assert!(e.contains("missing field `workspace`"), "{e}");
        let e = error(&FILE.replace(
            "{ABP_C: SEE_AND_DOWNLOAD}",
            "{ABP_C: SEE_AND_DOWNLOAD, ABP_C: SEE}",
        ));
        assert!(
            e.contains("duplicate entry") && e.contains("line 14"),
            "{e}"
        );
    }

    fn observed() -> Observed {
        let mut o = Observed {
            name: "Hackathon Capital I".into(),
            ..Observed::default()
        };
        let abp = vec!["ABP".to_string()];
        let calls = vec!["ABP".to_string(), "Capital Calls".to_string()];
        for (id, p) in [(1, &abp), (2, &calls)] {
            o.folders.insert(
                p.clone(),
                FolderObs {
                    id,
                    version: "v".into(),
                },
            );
            o.paths.insert(id, p.clone());
        }
        for (id, n) in [(10, "ABP_C"), (11, "ABP_D")] {
            o.groups.insert(
                n.into(),
                GroupObs {
                    id,
                    name: n.into(),
                    version: "v".into(),
                    kind: Some("WORKSPACE".into()),
                },
            );
        }
        o.members.insert(
            "ann.lee@abp.example".into(),
            MemberObs {
                id: 20,
                email: "ann.lee@abp.example".into(),
                version: "v".into(),
                first_name: "Ann".into(),
                last_name: "Lee".into(),
                organization: String::new(),
                role: "REVIEWER".into(),
            },
        );
        o.memberships.insert((10, 20));
        o.memberships.insert((11, 20));
        o.permissions
            .insert((2, 10), PermissionPermission::SeeAndDownload);
        o
    }

    fn summary(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| {
                format!(
                    "{:?} {:?} {}{}",
                    c.action,
                    c.kind,
                    c.target,
                    c.detail
                        .as_deref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn a_new_room_is_created_in_dependency_order() {
        let f = RoomFile::parse(FILE, "room.yaml").unwrap();
        assert_eq!(
            summary(&diff(&f, None, true)),
            vec![
                "Create Workspace Hackathon Capital I",
                "Create Folder ABP",
                "Create Folder ABP/Capital Calls",
                "Create Group ABP_C",
                "Create Group ABP_D",
                "Create Member ann.lee@abp.example (role REVIEWER)",
                "Create Membership ann.lee@abp.example in ABP_C",
                "Create Membership ann.lee@abp.example in ABP_D",
                "Create Permission ABP_C on ABP/Capital Calls (SEE_AND_DOWNLOAD)",
            ]
        );
    }

    #[test]
    fn a_matching_room_plans_nothing_and_drift_is_shown() {
        let f = RoomFile::parse(FILE, "room.yaml").unwrap();
        let o = observed();
        assert_eq!(summary(&diff(&f, Some(&o), true)), Vec::<String>::new());

        let mut drifted = observed();
        drifted.memberships.remove(&(11, 20));
        drifted
            .permissions
            .insert((2, 10), PermissionPermission::See);
        drifted
            .permissions
            .insert((1, 11), PermissionPermission::See);
        drifted.members.get_mut("ann.lee@abp.example").unwrap().role = "MANAGER".into();
        drifted.groups.insert(
            "OLD".into(),
            GroupObs {
                id: 12,
                name: "OLD".into(),
                version: "v9".into(),
                kind: None,
            },
        );
        drifted.memberships.insert((12, 20));
        assert_eq!(
            summary(&diff(&f, Some(&drifted), false)),
            vec![
                "Change Member ann.lee@abp.example (role \"MANAGER\" -> \"REVIEWER\")",
                "Create Membership ann.lee@abp.example in ABP_D",
                "Change Permission ABP_C on ABP/Capital Calls (SEE -> SEE_AND_DOWNLOAD)",
            ]
        );
        // With prune: what the API cannot remove is listed, except what
        // goes with a removed group (OLD's membership).
        let mut f2 = f.clone();
        f2.members[0].groups = vec!["ABP_C".into()];
        let mut o2 = observed();
        o2.permissions.insert((1, 11), PermissionPermission::See);
        o2.groups.insert(
            "OLD".into(),
            GroupObs {
                id: 12,
                name: "OLD".into(),
                version: "v9".into(),
                kind: None,
            },
        );
        o2.memberships.insert((12, 20));
        let pruned = diff(&f2, Some(&o2), true);
        assert_eq!(
            summary(&pruned),
            vec![
                "CannotRemove Membership ann.lee@abp.example in ABP_D (the API has no call that removes one group membership; remove it in the Intralinks web interface)",
                "CannotRemove Permission ABP_D on ABP (the API has no call that removes a permission (SEE); remove it in the Intralinks web interface)",
                "Remove Group OLD",
            ]
        );
        assert_eq!(
            pruned[2].op,
            Op::DeleteGroup {
                id: 12,
                version: "v9".into()
            }
        );
    }

    #[test]
    fn a_room_found_by_id_is_renamed_and_keeps_its_description() {
        let mut f = RoomFile::parse(FILE, "room.yaml").unwrap();
        f.workspace.id = Some(5);
        f.workspace.name = "Hackathon Capital II".into();
        let mut o = observed();
        o.description = Some("kept".into());
        let changes = diff(&f, Some(&o), false);
        assert_eq!(
            summary(&changes),
            vec![
                "Change Workspace Hackathon Capital II (name \"Hackathon Capital I\" -> \"Hackathon Capital II\")"
            ]
        );
        assert_eq!(
            changes[0].op,
            Op::UpdateWorkspace {
                name: "Hackathon Capital II".into(),
                description: Some("kept".into())
            }
        );
        // A description "" in the file is the same as none on the service.
        f.workspace.name = "Hackathon Capital I".into();
        f.workspace.description = Some(String::new());
        assert!(diff(&f, Some(&observed()), false).is_empty());
    }

    #[test]
    fn members_from_csv_read_exact_values_and_refuse_unknown_columns() {
        let m = members_from_csv(
            "\u{feff}email,first_name,role,groups\nann@x.example, Ann ,REVIEWER,A; B\nbo@x.example,,,\n",
            "m.csv",
        )
        .unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].email, "ann@x.example");
        assert_eq!(m[0].first_name.as_deref(), Some("Ann"));
        assert_eq!(m[0].groups, vec!["A", "B"]);
        assert_eq!(m[1].role, None);
        assert!(m[1].groups.is_empty());
        let e = members_from_csv("email,colour\n", "m.csv")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "m.csv: unknown column \"colour\"; the columns are email, first_name, last_name, organization, role, groups"
        );
        let e = members_from_csv("role\nREVIEWER\n", "m.csv")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "m.csv: the header has no email column; add one");
        let e = members_from_csv("email,role\n,REVIEWER\n", "m.csv")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "m.csv: row 2 has no e-mail; fill it in");
    }

    #[test]
    fn what_a_file_cannot_say_is_not_exported() {
        assert!(exportable(&observed()).is_ok());
        let mut o = observed();
        o.folders.insert(
            vec!["A/B".into()],
            FolderObs {
                id: 3,
                version: "v".into(),
            },
        );
        assert_eq!(
            exportable(&o).unwrap_err().to_string(),
            "folder 3 is named \"A/B\", with a '/', which a room file cannot express; fix it in the room, then export again"
        );
        let mut o = observed();
        o.folders.insert(
            vec!["ABP".into(), " ".into()],
            FolderObs {
                id: 4,
                version: "v".into(),
            },
        );
        assert!(
            exportable(&o)
                .unwrap_err()
                .to_string()
                .starts_with("folder 4 has an empty name")
        );
        let mut o = observed();
        o.members.get_mut("ann.lee@abp.example").unwrap().email = String::new();
        assert!(
            exportable(&o)
                .unwrap_err()
                .to_string()
                .starts_with("member 20 has no e-mail")
        );
    }

    #[test]
    fn prune_spares_owners_and_removes_folders_deepest_first() {
        let f = RoomFile::parse("workspace: {name: Hackathon Capital I}\n", "r").unwrap();
        let mut o = observed();
        o.members.get_mut("ann.lee@abp.example").unwrap().role = OWNER_ROLE.into();
        o.memberships.clear();
        o.permissions.clear();
        o.groups.clear();
        assert_eq!(
            summary(&diff(&f, Some(&o), true)),
            vec![
                "Remove Folder ABP/Capital Calls (only when empty: documents are never deleted)",
                "Remove Folder ABP (only when empty: documents are never deleted)",
            ]
        );
        assert!(diff(&f, Some(&o), false).is_empty());
    }

    #[test]
    fn a_torn_last_journal_line_is_cut_off_and_a_broken_whole_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("room.yaml.journal");
        let mut j = Journal::open(&p).unwrap();
        j.append(Record {
            room: "R".into(),
            kind: "workspace".into(),
            name: "R".into(),
            workspace_id: 7,
            id: Some(7),
        })
        .unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(b"{\"room\":\"R\",\"ki")
            .unwrap();
        let mut j = Journal::open(&p).unwrap();
        assert_eq!(j.workspace("R"), Some(7));
        assert_eq!(j.workspace("S"), None);
        j.append(Record {
            room: "R".into(),
            kind: "group".into(),
            name: "G".into(),
            workspace_id: 7,
            id: Some(8),
        })
        .unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.lines().count(), 2, "the torn line is gone: {text}");
        assert_eq!(Journal::open(&p).unwrap().records().len(), 2);
        std::fs::write(&p, format!("garbage\n{text}")).unwrap();
        let e = Journal::open(&p).unwrap_err().to_string();
        assert!(e.contains("broken line 1"), "{e}");
    }
}
