//! One-off work on a room — `groups create|rename|delete`,
//! `members add|update|remove|import`, `permissions grant|revoke` — over
//! the same `intralinks_ext::room` module as `room apply`: everything is
//! looked up first, so a command repeated does nothing the second time;
//! `--dry-run` shows what would be sent and sends nothing.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use intralinks_ext::Intralinks;
use intralinks_ext::room::{self, Change, MemberSpec};
use intralinks_ext::text::for_terminal;
use intralinks_ext::types::PermissionPermission;

use crate::Cli;
use crate::advice::{entry_flags, err};
use crate::output::say;

/// `groups` subcommands.
#[derive(Debug, Subcommand)]
pub enum GroupsCmd {
    /// Create a group (nothing when one of that name exists).
    Create {
        /// Workspace id.
        workspace: i64,
        /// The group's name.
        name: String,
        /// Its type (groupType), e.g. WORKSPACE.
        #[arg(long = "type")]
        kind: Option<String>,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Rename a group.
    Rename {
        /// Workspace id.
        workspace: i64,
        /// Its name now.
        name: String,
        /// Its new name.
        new_name: String,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete a group (its members stay in the workspace).
    Delete {
        /// Workspace id.
        workspace: i64,
        /// The group's name.
        name: String,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// What a member is given.
#[derive(Debug, Args)]
pub struct MemberFields {
    /// First name.
    #[arg(long)]
    first_name: Option<String>,
    /// Last name.
    #[arg(long)]
    last_name: Option<String>,
    /// Organisation.
    #[arg(long)]
    organization: Option<String>,
    /// Role (roleType), e.g. REVIEWER.
    #[arg(long)]
    role: Option<String>,
    /// A group to be in (existing; repeat for several).
    #[arg(long = "group")]
    groups: Vec<String>,
}

/// `members` subcommands.
#[derive(Debug, Subcommand)]
pub enum MembersCmd {
    /// Add a member (or bring an existing one to what the flags say), and into groups.
    Add {
        /// Workspace id.
        workspace: i64,
        /// The member's e-mail.
        #[arg(value_name = "EMAIL")]
        member: String,
        #[command(flatten)]
        fields: MemberFields,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Change an existing member's names, role, or add them to groups.
    Update {
        /// Workspace id.
        workspace: i64,
        /// The member's e-mail.
        #[arg(value_name = "EMAIL")]
        member: String,
        #[command(flatten)]
        fields: MemberFields,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove a member from the workspace.
    Remove {
        /// Workspace id.
        workspace: i64,
        /// The member's e-mail.
        #[arg(value_name = "EMAIL")]
        member: String,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Add or update members from CSV: email, first_name, last_name, organization, role, groups (separated by ;).
    Import {
        /// Workspace id.
        workspace: i64,
        /// The CSV file, with a header row.
        file: PathBuf,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// A permission level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    /// See.
    See,
    /// See and download.
    SeeAndDownload,
    /// See, download and print.
    SeeDownloadAndPrint,
}

impl From<Level> for PermissionPermission {
    fn from(l: Level) -> Self {
        match l {
            Level::See => PermissionPermission::See,
            Level::SeeAndDownload => PermissionPermission::SeeAndDownload,
            Level::SeeDownloadAndPrint => PermissionPermission::SeeDownloadAndPrint,
        }
    }
}

/// `permissions` subcommands.
#[derive(Debug, Subcommand)]
pub enum PermissionsCmd {
    /// Give a group a level on a folder (replacing its level there).
    Grant {
        /// Workspace id.
        workspace: i64,
        /// The folder's path, names from the top separated by '/'.
        path: String,
        /// The group's name.
        group: String,
        /// The level.
        #[arg(value_enum)]
        level: Level,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Revoke a group's level on a folder: the API has no such call, so this explains what to do instead.
    Revoke {
        /// Workspace id.
        workspace: i64,
        /// The folder's path.
        path: String,
        /// The group's name.
        group: String,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

fn print(changes: &[Change], dry_run: bool) {
    if changes.is_empty() {
        say!("nothing to do");
        return;
    }
    if dry_run {
        say!("dry run, nothing sent; would make:");
    }
    for c in changes {
        say!("{}", crate::room::change_line(c));
    }
}

fn spec(email: &str, f: &MemberFields) -> MemberSpec {
    MemberSpec {
        email: email.to_string(),
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        organization: f.organization.clone(),
        role: f.role.clone(),
        groups: f.groups.clone(),
    }
}

/// Runs a `groups` subcommand.
pub async fn groups(cli: &Cli, il: &Intralinks, what: &GroupsCmd) -> Result<(), String> {
    let entry = entry_flags(cli);
    match what {
        GroupsCmd::Create {
            workspace,
            name,
            kind,
            dry_run,
        } => {
            let want = room::group_request(name, kind.clone());
            let done = room::ensure(il, *workspace, &want, *dry_run, &entry)
                .await
                .map_err(err)?;
            print(&done, *dry_run);
        }
        GroupsCmd::Rename {
            workspace,
            name,
            new_name,
            dry_run,
        } => {
            let c = room::rename_group(il, *workspace, name, new_name, *dry_run, &entry)
                .await
                .map_err(err)?;
            print(&[c], *dry_run);
        }
        GroupsCmd::Delete {
            workspace,
            name,
            dry_run,
        } => {
            let c = room::delete_group(il, *workspace, name, *dry_run, &entry)
                .await
                .map_err(err)?;
            print(&[c], *dry_run);
        }
    }
    Ok(())
}

async fn ensure_members(
    cli: &Cli,
    il: &Intralinks,
    ws: i64,
    members: Vec<MemberSpec>,
    dry_run: bool,
) -> Result<(), String> {
    let entry = entry_flags(cli);
    let want = room::members_request(members);
    room::require_groups(il, ws, &want, &entry)
        .await
        .map_err(err)?;
    let done = room::ensure(il, ws, &want, dry_run, &entry)
        .await
        .map_err(err)?;
    print(&done, dry_run);
    Ok(())
}

/// Runs a `members` subcommand.
pub async fn members(cli: &Cli, il: &Intralinks, what: &MembersCmd) -> Result<(), String> {
    let entry = entry_flags(cli);
    match what {
        MembersCmd::Add {
            workspace,
            member,
            fields,
            dry_run,
        } => ensure_members(cli, il, *workspace, vec![spec(member, fields)], *dry_run).await,
        MembersCmd::Update {
            workspace,
            member,
            fields,
            dry_run,
        } => {
            if !room::has_member(il, *workspace, member, &entry)
                .await
                .map_err(err)?
            {
                return Err(format!(
                    "workspace {workspace} has no member {}; add them with `intralinks members add`",
                    for_terminal(member)
                ));
            }
            ensure_members(cli, il, *workspace, vec![spec(member, fields)], *dry_run).await
        }
        MembersCmd::Remove {
            workspace,
            member,
            dry_run,
        } => {
            let c = room::remove_member(il, *workspace, member, *dry_run, &entry)
                .await
                .map_err(err)?;
            print(&[c], *dry_run);
            Ok(())
        }
        MembersCmd::Import {
            workspace,
            file,
            dry_run,
        } => {
            let origin = file.display().to_string();
            let text = std::fs::read_to_string(file).map_err(|e| {
                format!("cannot read {}: {e}; check the path", for_terminal(&origin))
            })?;
            let members = room::members_from_csv(&text, &origin).map_err(err)?;
            ensure_members(cli, il, *workspace, members, *dry_run).await
        }
    }
}

/// Runs a `permissions` subcommand.
pub async fn permissions(cli: &Cli, il: &Intralinks, what: &PermissionsCmd) -> Result<(), String> {
    let entry = entry_flags(cli);
    match what {
        PermissionsCmd::Grant {
            workspace,
            path,
            group,
            level,
            dry_run,
        } => {
            let want = room::permission_request(path, group, (*level).into());
            room::require_groups(il, *workspace, &want, &entry)
                .await
                .map_err(err)?;
            let done = room::ensure(il, *workspace, &want, *dry_run, &entry)
                .await
                .map_err(err)?;
            print(&done, *dry_run);
            Ok(())
        }
        PermissionsCmd::Revoke { path, group, .. } => {
            Err(err(room::revoke_unsupported(path, group)))
        }
    }
}
