//! The executor: [`apply`] makes the room match the file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use intralinks_ext::types;
use intralinks_ext::{Checked, Error, Intralinks, Result};

use crate::change::{Action, Change, Kind, Op, change};
use crate::diff::{created_with, diff};
use crate::file::{MemberSpec, RoomFile};
use crate::journal::{Journal, Record};
use crate::observe::{Observed, observe_for};
use crate::plan::{Options, Plan, resolve};

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
pub(crate) struct Ids {
    pub(crate) folders: BTreeMap<Vec<String>, i64>,
    pub(crate) groups: BTreeMap<String, (i64, String)>,
    pub(crate) members: BTreeMap<String, (i64, String)>,
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

pub(crate) struct Run<'a> {
    pub(crate) il: &'a Intralinks,
    pub(crate) file: &'a RoomFile,
    pub(crate) ws: i64,
    pub(crate) journal: Option<Journal>,
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
    // Held to the end: a second apply of this room waits here, then looks
    // the room up and finds what this one created.
    let _writer = match &options.lock_dir {
        Some(dir) => Some(writer_lock(il, dir, &file.workspace.name).await?),
        None => None,
    };
    apply_held(il, file, options).await
}

/// Applies `file` only if it still makes the changes of `reviewed`, the
/// plan a person read ([`Plan::digest`]): the room is planned again (under
/// the writer lock, when [`Options::lock_dir`] names one) and when anything
/// differs — the room changed behind the plan's back, or the file did —
/// nothing is sent and the error says to plan again.
pub async fn apply_reviewed(
    il: &Intralinks,
    file: &RoomFile,
    reviewed: &Plan,
    options: &Options,
) -> Result<Applied> {
    let _writer = match &options.lock_dir {
        Some(dir) => Some(writer_lock(il, dir, &file.workspace.name).await?),
        None => None,
    };
    let now = crate::plan::plan(il, file, options).await?;
    if now.digest != reviewed.digest {
        return Err(Error::PlanOutdated {
            workspace: file.workspace.name.clone(),
            reviewed: reviewed.changes.len(),
            now: now.changes.len(),
        });
    }
    apply_held(il, file, options).await
}

/// [`apply`] with the writer lock held (or none asked for).
async fn apply_held(il: &Intralinks, file: &RoomFile, options: &Options) -> Result<Applied> {
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
                host_name: file.workspace.host.clone(),
                phase: file.workspace.phase.map(|p| p.as_str().to_string()),
                suppress_welcome_alert: None,
                template_id: file.workspace.template,
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
            created_with(file),
            Op::None,
        ));
    }
    let ws = run.ws;
    let observed = observe_for(il, ws, &options.entry, file).await?;
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

pub(crate) async fn add_memberships(
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

pub(crate) async fn execute(run: &mut Run<'_>, ids: &mut Ids, c: &Change) -> Result<()> {
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
        Op::UpdateWorkspace {
            name,
            description,
            host,
            phase,
        } => {
            api.update_workspace()
                .workspace_id(ws)
                .body(types::WorkspaceInput {
                    name: name.clone(),
                    description: description.clone(),
                    host: host.clone(),
                    host_name: None,
                    phase: phase.map(|p| p.as_str().to_string()),
                    suppress_welcome_alert: None,
                    template_id: None,
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
                        send_alert: m.welcome_alert.as_ref().map(|_| true),
                        welcome_alert_details: m
                            .welcome_alert
                            .as_ref()
                            .map(|a| a.details())
                            .transpose()?,
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
                    document_id: None,
                    folder_id: Some(folder),
                    group_id: Some(gid),
                    permission: Some(*level),
                })
                .send()
                .checked()
                .await?;
            run.record("permission", &c.target, None)?;
        }
        Op::SetDocumentPermission {
            document,
            group,
            level,
        } => {
            let (gid, _) = ids
                .groups
                .get(group)
                .cloned()
                .ok_or_else(|| missing(format!("group {group:?}")))?;
            api.create_permission()
                .workspace_id(ws)
                .body(types::Permission {
                    id: None,
                    document_id: Some(*document),
                    folder_id: None,
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

/// The writer lock of room `name` on `il`'s host, in `dir` (created when
/// missing): `room-{host}-{digest of the name}.lock`.
async fn writer_lock(il: &Intralinks, dir: &Path, name: &str) -> Result<std::fs::File> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "cannot create",
        path: dir.into(),
        source,
    })?;
    let host: String = il
        .base_url()
        .host_str()
        .unwrap_or("host")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let port = il
        .base_url()
        .port()
        .map(|p| format!("_{p}"))
        .unwrap_or_default();
    let digest: String = intralinks_ext::file_hash(name.as_bytes())
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(20)
        .collect();
    let path = dir.join(format!("room-{host}{port}-{digest}.lock"));
    intralinks_ext::lock::hold(&path, || {
        tracing::warn!(
            "another apply of room {name:?} is running on this host; waiting for it to end"
        );
    })
    .await
}
