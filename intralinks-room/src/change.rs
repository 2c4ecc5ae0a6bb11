//! Changes: one difference between a room file and the room, and what
//! apply sends for it.

use serde::{Deserialize, Serialize};

use intralinks_ext::types::PermissionPermission;

use crate::file::{GroupSpec, MemberSpec, Phase, SplashSpec};

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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

/// One difference between the file and the room. Read back from a saved
/// [`Plan`](crate::Plan) it says what was reviewed; only
/// [`apply_reviewed`](crate::apply_reviewed) acts on it, by comparing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub(crate) op: Op,
}

/// What apply sends for a change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Op {
    #[default]
    None,
    CreateWorkspace,
    UpdateWorkspace {
        name: String,
        description: Option<String>,
        /// Sent only to change it.
        host: Option<String>,
        /// Sent only to change it: an unchanged phase may be refused.
        phase: Option<Phase>,
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
    /// A level on one document (which the room holds: its id is known).
    SetDocumentPermission {
        document: i64,
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

pub(crate) fn change(
    action: Action,
    kind: Kind,
    target: String,
    detail: Option<String>,
    op: Op,
) -> Change {
    Change {
        action,
        kind,
        target,
        detail,
        op,
    }
}
