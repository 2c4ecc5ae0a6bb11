//! Rooms as code: a workspace's groups, members, folders and permissions
//! described in a YAML file, compared with the room ([`plan`]), made to
//! match it ([`apply`]) and written out from it ([`export`]).
//!
//! ```yaml
//! workspace:
//!   name: Hackathon Capital I   # by `id` when given, else by exact name, else created
//!   description: Fund I         # optional, as are the keys below
//!   template: 194471            # created from this template (templateId)
//!   host: Hackathon             # under this host (hostName)
//!   phase: PREPARATION          # OPEN, PREPARATION or HOLD
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
//! documents:                    # a level on one document, beside its folders'
//!   - path: ABP/Capital Calls/Notice Q1.pdf
//!     permissions: {ABP_S: SEE}
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
//! - `template` and `host` are sent when the workspace is created; later a
//!   different host or phase is an update of the workspace (the phase is
//!   sent only when it changes), and a different template is only noted:
//!   a workspace's template cannot be changed.
//! - Settings and the splash screen come last (a splash that must be
//!   accepted gates the room's content; afterwards, plan and apply need
//!   entry answers that accept it).
//! - A document is not created by a room file (documents are uploaded): one
//!   the file gives a level that the room does not hold is noted by
//!   [`plan`] and left alone. A document's own levels are compared only
//!   when the file names documents or the room has such a level, so only
//!   then are its documents listed.
//! - Nothing the file does not name is removed unless `prune` is set; then
//!   members (never a `MANAGER_PLUS`, the room's owners), groups and empty
//!   folders go. The API has no call that removes one group membership or
//!   revokes a permission: such differences are listed as
//!   [`Action::CannotRemove`] and left alone.
//! - [`copy_member`] gives one person the role and groups another has in a
//!   room (a person's rooms across workspaces: `Intralinks::workspaces_of_user`).
//! - [`export`] lists everything in a stable order, so two exports diff
//!   cleanly, and applying an export to another room reproduces it.
//!
//! [`plan`]: fn@plan
//! [`apply`]: fn@apply
//! [`export`]: fn@export

#![deny(missing_docs)]

mod apply;
mod change;
mod copy;
mod diff;
mod export;
mod file;
mod import;
mod journal;
mod observe;
mod oneoff;
mod plan;

pub use apply::{Applied, apply, apply_reviewed};
pub use change::{Action, Change, Kind};
pub use copy::copy_member;
pub use export::export;
pub use file::{
    DocumentSpec, FolderSpec, GroupSpec, MemberSpec, OWNER_ROLE, PATH_SEPARATOR, Phase,
    ROOM_FILE_LIMIT, RoomFile, SplashSpec, WorkspaceSpec,
};
pub use import::members_from_csv;
pub use journal::{Journal, Record};
pub use oneoff::{
    Require, delete_group, ensure, ensure_checked, group_request, has_member, member_request,
    members_request, permission_request, remove_member, rename_group, require_groups,
    revoke_unsupported,
};
pub use plan::{Options, Plan, plan};

#[cfg(test)]
mod tests;
