//! The comparison of a room file with an observed room.

use std::collections::BTreeSet;

use crate::change::{Action, Change, Kind, Op, change};
use crate::file::{OWNER_ROLE, RoomFile, segments};
use crate::observe::{FolderObs, GroupObs, MemberObs, Observed};

fn differs(label: &str, want: &Option<String>, have: &str, out: &mut Vec<String>) {
    if let Some(w) = want
        && w != have
    {
        out.push(format!("{label} {have:?} -> {w:?}"));
    }
}

/// What a workspace is created with besides its name: `template 194471,
/// host "Hackathon", phase PREPARATION`; `None` when the file gives none.
pub(crate) fn created_with(file: &RoomFile) -> Option<String> {
    let w = &file.workspace;
    let mut d = Vec::new();
    if let Some(t) = w.template {
        d.push(format!("template {t}"));
    }
    if let Some(h) = &w.host {
        d.push(format!("host {h:?}"));
    }
    if let Some(p) = w.phase {
        d.push(format!("phase {p}"));
    }
    (!d.is_empty()).then(|| d.join(", "))
}

/// The update of an existing workspace: name (when the file finds it by
/// id), description, host and phase, each only when the file gives it and
/// it differs. The host and the phase are sent only when they change.
fn workspace_change(file: &RoomFile, o: &Observed) -> Option<Change> {
    let w = &file.workspace;
    let mut d = Vec::new();
    if w.name != o.name {
        d.push(format!("name {:?} -> {:?}", o.name, w.name));
    }
    let have = o.description.clone().unwrap_or_default();
    if let Some(want) = &w.description
        && *want != have
    {
        d.push(format!("description {have:?} -> {want:?}"));
    }
    let host = w.host.clone().filter(|h| *h != o.host);
    if let Some(h) = &host {
        d.push(format!("host {:?} -> {h:?}", o.host));
    }
    let phase = w.phase.filter(|p| p.as_str() != o.phase);
    if let Some(p) = phase {
        let have = if o.phase.is_empty() { "none" } else { &o.phase };
        d.push(format!("phase {have} -> {p}"));
    }
    if d.is_empty() {
        return None;
    }
    Some(change(
        Action::Change,
        Kind::Workspace,
        w.name.clone(),
        Some(d.join(", ")),
        Op::UpdateWorkspace {
            name: w.name.clone(),
            description: w.description.clone().or(o.description.clone()),
            host,
            phase,
        },
    ))
}

/// A note when the room was made from another template than the file
/// names: a workspace's template cannot be changed, so nothing is sent.
pub(crate) fn template_note(file: &RoomFile, o: &Observed) -> Option<String> {
    let want = file.workspace.template?;
    match o.template {
        Some(have) if have != want => Some(format!(
            "the workspace was made from template {have}, the file names template {want}; a workspace's template cannot be changed, so this is left as it is"
        )),
        _ => None,
    }
}

/// The changes that make `room` (`None`: not created yet) match `file`.
pub(crate) fn diff(file: &RoomFile, room: Option<&Observed>, prune: bool) -> Vec<Change> {
    let empty = Observed::default();
    let o = room.unwrap_or(&empty);
    let mut out = Vec::new();
    match room {
        None => out.push(change(
            Action::Create,
            Kind::Workspace,
            file.workspace.name.clone(),
            created_with(file),
            Op::CreateWorkspace,
        )),
        Some(o) => {
            if let Some(c) = workspace_change(file, o) {
                out.push(c);
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
                {
                    let mut said: Vec<String> =
                        m.role.iter().map(|r| format!("role {r}")).collect();
                    if m.welcome_alert.is_some() {
                        said.push("welcome alert".into());
                    }
                    Some(said.join(", ")).filter(|s| !s.is_empty())
                },
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
    // Permissions on one document, on documents the room holds.
    let mut wanted_doc_perms: BTreeSet<(Vec<String>, String)> = BTreeSet::new();
    for d in &file.documents {
        let Some(path) = segments(&d.path) else {
            continue;
        };
        let Some(&id) = o.documents.get(&path) else {
            continue;
        };
        for (g, level) in &d.permissions {
            wanted_doc_perms.insert((path.clone(), g.clone()));
            let have = o
                .groups
                .get(g)
                .and_then(|g| o.document_permissions.get(&(id, g.id)).copied());
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
                Op::SetDocumentPermission {
                    document: id,
                    group: g.clone(),
                    level: *level,
                },
            ));
        }
    }
    if prune && room.is_some() {
        let wanted = Wanted {
            links: &wanted_links,
            perms: &wanted_perms,
            doc_perms: &wanted_doc_perms,
        };
        prune_changes(file, o, &wanted, &mut out);
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

/// The documents the file gives a level that the room does not hold: a
/// room file does not create documents (they are uploaded), so each is
/// noted and left alone.
pub(crate) fn document_notes(file: &RoomFile, room: Option<&Observed>) -> Vec<String> {
    file.documents
        .iter()
        .filter(|d| {
            room.is_none_or(|o| {
                o.documents_listed
                    && segments(&d.path).is_some_and(|p| !o.documents.contains_key(&p))
            })
        })
        .map(|d| {
            format!(
                "document {:?} is not in the room, so its permissions are left alone: a room file does not create documents; upload it, then plan again",
                d.path
            )
        })
        .collect()
}

/// What the file names that pruning keeps: memberships, and permissions on
/// folders and on documents (path, group).
struct Wanted<'a> {
    links: &'a BTreeSet<(String, String)>,
    perms: &'a BTreeSet<(Vec<String>, String)>,
    doc_perms: &'a BTreeSet<(Vec<String>, String)>,
}

fn prune_changes(file: &RoomFile, o: &Observed, wanted: &Wanted<'_>, out: &mut Vec<Change>) {
    let (wanted_links, wanted_perms) = (wanted.links, wanted.perms);
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
    for ((d, g), level) in &o.document_permissions {
        let (Some(path), Some(group)) = (
            o.document_paths.get(d),
            o.groups.values().find(|x| x.id == *g),
        ) else {
            continue;
        };
        if leaving_group(group) {
            continue;
        }
        if !wanted
            .doc_perms
            .contains(&(path.clone(), group.name.clone()))
        {
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
