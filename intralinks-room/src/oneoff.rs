//! One-off work: a partial room ensured, a group renamed or deleted, a
//! member removed.

use std::collections::{BTreeMap, BTreeSet};

use intralinks_ext::types::{self, PermissionPermission};
use intralinks_ext::{Checked, Error, FixedAnswers, Intralinks, Result};

use crate::apply::{Ids, Run, add_memberships, execute};
use crate::change::{Action, Change, Kind, Op, change};
use crate::diff::diff;
use crate::file::{
    DocumentSpec, FolderSpec, GroupSpec, MemberSpec, RoomFile, WorkspaceSpec, segments,
};
use crate::observe::{GroupObs, Observed, list_documents, observe, observe_unless_dry};

/// A partial room for one-off work ([`ensure`]): only what it names is
/// looked at, nothing is removed.
fn partial(name: &str) -> RoomFile {
    RoomFile {
        workspace: WorkspaceSpec {
            name: name.to_string(),
            id: None,
            description: None,
            template: None,
            host: None,
            phase: None,
            splash: None,
            settings: BTreeMap::new(),
        },
        groups: Vec::new(),
        members: Vec::new(),
        folders: Vec::new(),
        documents: Vec::new(),
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
    ensure_checked(il, ws, want, dry_run, entry, Require::default()).await
}

/// What a one-off change requires the room to hold already, checked on the
/// same observation the change is planned on (one look at the room, not
/// one per check).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Require {
    /// Every group `want` names exists (`want.groups` is not created).
    pub groups: bool,
    /// Every member `want` names is a member already (an update, not an add).
    pub members: bool,
}

impl Require {
    /// Groups must exist.
    pub fn groups(mut self) -> Self {
        self.groups = true;
        self
    }

    /// Members must exist.
    pub fn members(mut self) -> Self {
        self.members = true;
        self
    }
}

/// [`ensure`], refusing with [`Error::InvalidInput`] — before anything is
/// sent that changes the room — when the room lacks what `require` names.
/// A member update costs one observation of the room (7 listings, made
/// concurrently) and its one call.
pub async fn ensure_checked(
    il: &Intralinks,
    ws: i64,
    want: &RoomFile,
    dry_run: bool,
    entry: &FixedAnswers,
    require: Require,
) -> Result<Vec<Change>> {
    let observed = observe_unless_dry(il, ws, Some(entry), dry_run).await?;
    ensure_observed(il, ws, want, &observed, dry_run, require).await
}

/// [`ensure_checked`] on a room already observed.
pub(crate) async fn ensure_observed(
    il: &Intralinks,
    ws: i64,
    want: &RoomFile,
    observed: &Observed,
    dry_run: bool,
    require: Require,
) -> Result<Vec<Change>> {
    if require.groups {
        missing_groups(ws, want, observed)?;
    }
    if require.members
        && let Some(m) = want
            .members
            .iter()
            .find(|m| !observed.members.contains_key(&m.email.to_lowercase()))
    {
        return Err(Error::InvalidInput(format!(
            "workspace {ws} has no member {}; add them as a member first",
            m.email
        )));
    }
    let mut want = want.clone();
    want.workspace.name = observed.name.clone();
    want.workspace.description = None;
    want.workspace.template = None;
    want.workspace.host = None;
    want.workspace.phase = None;
    want.workspace.splash = None;
    want.workspace.settings.clear();
    want.check("the request")?;
    // A path that names no folder may name a document: the level is then
    // the document's own (its documents are listed for that, once).
    let mut with_documents: Option<Observed> = None;
    for f in std::mem::take(&mut want.folders) {
        let path = segments(&f.path).unwrap_or_default();
        if observed.folders.contains_key(&path) {
            want.folders.push(f);
            continue;
        }
        if with_documents.is_none() {
            let mut o = observed.clone();
            if !o.documents_listed {
                list_documents(il, ws, &mut o).await?;
            }
            with_documents = Some(o);
        }
        if with_documents
            .as_ref()
            .is_some_and(|o| o.documents.contains_key(&path))
        {
            want.documents.push(DocumentSpec {
                path: f.path,
                permissions: f.permissions,
            });
            continue;
        }
        return Err(Error::InvalidInput(format!(
            "workspace {ws} has no folder or document {:?}; check the path (names from the top, separated by '/'; a document's is its folder's path, '/', its name)",
            f.path
        )));
    }
    let observed = with_documents.as_ref().unwrap_or(observed);
    let changes = diff(&want, Some(observed), false);
    if dry_run {
        return Ok(changes);
    }
    let mut run = Run {
        il,
        file: &want,
        ws,
        journal: None,
    };
    let mut ids = Ids::from(observed);
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

/// A group's level on an existing folder or document (named by its path),
/// to set with [`ensure`].
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
    missing_groups(ws, want, &observe(il, ws, entry).await?)
}

/// An error naming the first group of `want` that `observed` lacks.
fn missing_groups(ws: i64, want: &RoomFile, observed: &Observed) -> Result<()> {
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

async fn one_group(
    il: &Intralinks,
    ws: i64,
    name: &str,
    (dry_run, entry): (bool, &FixedAnswers),
) -> Result<(Observed, GroupObs)> {
    let observed = observe_unless_dry(il, ws, Some(entry), dry_run).await?;
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
    let (observed, g) = one_group(il, ws, from, (dry_run, entry)).await?;
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
    let (_, g) = one_group(il, ws, name, (dry_run, entry)).await?;
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
    let observed = observe_unless_dry(il, ws, Some(entry), dry_run).await?;
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
