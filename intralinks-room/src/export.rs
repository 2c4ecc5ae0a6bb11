//! The room written out as a room file.

use std::collections::HashMap;

use intralinks_ext::{Error, FixedAnswers, Intralinks, Result};

use crate::file::{
    DocumentSpec, FolderSpec, GroupSpec, MemberSpec, PATH_SEPARATOR, Phase, RoomFile, SplashSpec,
    WorkspaceSpec,
};
use crate::observe::{Observed, observe};

/// Refuses what a room file cannot say back: a folder name with `/` or
/// without a character, a group without a name, a member without an e-mail.
pub(crate) fn exportable(o: &Observed) -> Result<()> {
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
/// member (by e-mail, groups sorted), and each document given a level of
/// its own (by path), with ids only for the workspace.
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
                welcome_alert: None,
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
    // Documents given a level of their own (listed only when one is).
    let documents = o
        .documents
        .iter()
        .filter_map(|(path, id)| {
            let permissions: std::collections::BTreeMap<_, _> = o
                .document_permissions
                .iter()
                .filter(|((d, _), _)| d == id)
                .filter_map(|((_, g), l)| group_of.get(g).map(|n| (n.to_string(), *l)))
                .collect();
            (!permissions.is_empty()).then(|| DocumentSpec {
                path: path.join("/"),
                permissions,
            })
        })
        .collect();
    Ok(RoomFile {
        workspace: WorkspaceSpec {
            name: o.name.clone(),
            id: Some(ws),
            description: o.description.clone(),
            template: o.template,
            host: Some(o.host.clone()).filter(|h| !h.is_empty()),
            phase: Phase::from_wire(&o.phase),
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
        documents,
    })
}
