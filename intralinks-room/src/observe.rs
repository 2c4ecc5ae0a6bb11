//! The room as its listings show it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use intralinks_ext::listing::FolderPaths as Tree;
use intralinks_ext::types::{self, PermissionPermission};
use intralinks_ext::{Checked, Error, FixedAnswers, Intralinks, Result};

#[derive(Debug, Clone)]
pub(crate) struct FolderObs {
    pub(crate) id: i64,
    pub(crate) version: String,
}

#[derive(Debug, Clone)]
pub(crate) struct GroupObs {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) kind: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct MemberObs {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) version: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) organization: String,
    pub(crate) role: String,
}

/// What one workspace holds, as its listings show it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Observed {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    /// `host`, as listed ("" when not sent).
    pub(crate) host: String,
    /// `phase`, as listed ("" when not sent).
    pub(crate) phase: String,
    /// `parentTemplateId`, when listed.
    pub(crate) template: Option<i64>,
    /// (text, accept text, required), when the workspace has a splash.
    pub(crate) splash: Option<(String, String, bool)>,
    /// The settings as listed, in order.
    pub(crate) settings: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Path → folder (the lowest id when two share a path).
    pub(crate) folders: BTreeMap<Vec<String>, FolderObs>,
    /// Folder id → path.
    pub(crate) paths: HashMap<i64, Vec<String>>,
    /// Name → group (the lowest id when two share a name).
    pub(crate) groups: BTreeMap<String, GroupObs>,
    /// Lower-case e-mail → member.
    pub(crate) members: BTreeMap<String, MemberObs>,
    /// (group id, member id).
    pub(crate) memberships: BTreeSet<(i64, i64)>,
    /// (folder id, group id) → level.
    pub(crate) permissions: BTreeMap<(i64, i64), PermissionPermission>,
    /// (document id, group id) → level, for permissions on one document.
    pub(crate) document_permissions: BTreeMap<(i64, i64), PermissionPermission>,
    /// Whether the documents were listed ([`list_documents`]): only when a
    /// permission names one, or the file does.
    pub(crate) documents_listed: bool,
    /// Document path (its folder's path and its name) → document id (the
    /// lowest id when two share a path).
    pub(crate) documents: BTreeMap<Vec<String>, i64>,
    /// Document id → path.
    pub(crate) document_paths: HashMap<i64, Vec<String>>,
    /// What the room holds that the comparison cannot account for.
    pub(crate) notes: Vec<String>,
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
    pub(crate) fn setting_map(&self) -> BTreeMap<String, String> {
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

/// One look at the room: the folders first (through
/// [`Intralinks::in_workspace`], which enters the workspace when it must),
/// then the six other listings at once.
pub(crate) async fn observe(il: &Intralinks, ws: i64, answers: &FixedAnswers) -> Result<Observed> {
    observe_entering(il, ws, Some(answers)).await
}

/// [`observe_entering`] for a run that may be a dry run: a dry run never
/// enters the workspace — entering may mail a one-time password or spend an
/// attempt, and a dry run sends nothing with an effect — so one that must be
/// entered first is an error that says so.
pub(crate) async fn observe_unless_dry(
    il: &Intralinks,
    ws: i64,
    answers: Option<&FixedAnswers>,
    dry_run: bool,
) -> Result<Observed> {
    if !dry_run {
        return observe_entering(il, ws, answers).await;
    }
    observe_entering(il, ws, None).await.map_err(|e| match e {
        Error::EntryRequired { .. } => Error::InvalidInput(format!(
            "workspace {ws} must be entered first, and a dry run does not enter it (entering may send a one-time password); enter it, then run the dry run again"
        )),
        other => other,
    })
}

/// [`observe`], entering the workspace with `answers` when it must be
/// entered; with `None` it is not entered, and one that must be gives
/// [`Error::EntryRequired`].
pub(crate) async fn observe_entering(
    il: &Intralinks,
    ws: i64,
    answers: Option<&FixedAnswers>,
) -> Result<Observed> {
    let api = il.api();
    let folders = match answers {
        Some(answers) => il.in_workspace(ws, answers, || il.folders(ws)).await?,
        None => il.folders(ws).await?,
    };
    let workspace = async {
        api.get_workspace()
            .workspace_id(ws)
            .send()
            .checked()
            .await?
            .workspace
            .into_iter()
            .next()
            .ok_or_else(|| Error::NotFound {
                message: format!("workspace {ws} is not in its own listing"),
                error_id: None,
            })
    };
    let splash = async {
        Ok::<_, Error>(
            api.get_splash()
                .workspace_id(ws)
                .send()
                .checked()
                .await?
                .splash
                .filter(|s| s.splash_text.is_some()),
        )
    };
    let settings = async {
        Ok::<_, Error>(
            api.get_workspace_settings()
                .workspace_id(ws)
                .send()
                .checked()
                .await?
                .workspace_settings,
        )
    };
    let groups = async {
        api.list_groups()
            .workspace_id(ws)
            .include_workspace_group_members(true)
            .send()
            .checked()
            .await
    };
    let users = async {
        Ok::<_, Error>(
            api.list_workspace_members()
                .workspace_id(ws)
                .send()
                .checked()
                .await?
                .users,
        )
    };
    let permissions = async {
        Ok::<_, Error>(
            api.list_permissions()
                .workspace_id(ws)
                .send()
                .checked()
                .await?
                .permissions,
        )
    };
    let (w, splash, settings, groups, users, permissions) =
        futures_util::try_join!(workspace, splash, settings, groups, users, permissions)?;

    let mut o = Observed {
        name: intralinks_ext::listing::workspace_name(&w).to_string(),
        description: w.description.clone().filter(|d| !d.is_empty()),
        host: text(&w.host),
        phase: text(&w.phase),
        template: w.parent_template_id,
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
        let name = intralinks_ext::listing::group_name(g).to_string();
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
    // A record without an id is an account, not a member.
    let mut us: Vec<(i64, &types::User)> = users.iter().filter_map(|u| Some((u.id?, u))).collect();
    us.sort_by_key(|(id, _)| *id);
    for (id, u) in us {
        let email = text(&u.email_id);
        o.members.entry(email.to_lowercase()).or_insert(MemberObs {
            id,
            email,
            version: text(&u.version),
            first_name: text(&u.first_name),
            last_name: text(&u.last_name),
            organization: text(&u.organization),
            role: text(&u.role_type),
        });
    }
    for p in permissions {
        match (p.folder_id, p.document_id, p.group_id, p.permission) {
            (Some(f), None, Some(g), Some(l)) => {
                o.permissions.insert((f, g), l);
            }
            (None, Some(d), Some(g), Some(l)) => {
                o.document_permissions.insert((d, g), l);
            }
            _ => {}
        }
    }
    if !o.document_permissions.is_empty() {
        list_documents(il, ws, &mut o).await?;
    }
    Ok(o)
}

/// [`observe`], with the documents listed too when `file` names any.
pub(crate) async fn observe_for(
    il: &Intralinks,
    ws: i64,
    answers: &FixedAnswers,
    file: &crate::file::RoomFile,
) -> Result<Observed> {
    let mut o = observe(il, ws, answers).await?;
    if !file.documents.is_empty() && !o.documents_listed {
        list_documents(il, ws, &mut o).await?;
    }
    Ok(o)
}

/// Lists the documents of `ws` into `o`, each by its path (its folder's,
/// as `o` placed it, and its name).
pub(crate) async fn list_documents(il: &Intralinks, ws: i64, o: &mut Observed) -> Result<()> {
    let documents = il.documents(ws, None).await?;
    let mut sorted: Vec<&types::Document> = documents.iter().collect();
    sorted.sort_by_key(|d| d.id);
    for d in sorted {
        let mut path = intralinks_ext::listing::document_folder(d)
            .and_then(|f| o.paths.get(&f).cloned())
            .unwrap_or_default();
        path.push(text(&d.name));
        o.document_paths.insert(d.id, path.clone());
        match o.documents.get(&path) {
            Some(first) => o.notes.push(format!(
                "document {:?} exists twice (ids {first} and {}); only {first} is compared",
                path.join("/"),
                d.id
            )),
            None => {
                o.documents.insert(path, d.id);
            }
        }
    }
    o.documents_listed = true;
    Ok(())
}
