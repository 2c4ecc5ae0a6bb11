//! Who is in a room and what they may see: `groups WS` and `users WS` list;
//! one-off work on a room — `groups create|rename|delete`,
//! `members add|update|remove|import|copy`, `permissions grant|revoke` — goes over
//! the same `intralinks_room` module as `room apply`: everything is
//! looked up first, so a command repeated does nothing the second time;
//! `--dry-run` shows what would be sent and sends nothing.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use intralinks_ext::text::for_terminal;
use intralinks_ext::types::PermissionPermission;
use intralinks_ext::{Checked, Intralinks};
use intralinks_room::{self as room, Change, MemberSpec};

use crate::advice::{CliResult, Status, err};
use crate::context::Context;
use crate::output::{Output, say};

/// The commands about who is in a room and what they may see.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List a workspace's groups (`groups WS`), or create, rename or delete one.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Groups {
        /// Workspace id, to list its groups.
        #[arg(required = true)]
        workspace: Option<i64>,
        /// Create, rename or delete a group.
        #[command(subcommand)]
        action: Option<GroupsCmd>,
    },
    /// Add, update, remove, import (CSV) or copy members of a workspace; `users WS` lists them.
    Members {
        /// What to do.
        #[command(subcommand)]
        action: MembersCmd,
    },
    /// Grant a group a level on a folder or a document (revoke says why the API cannot).
    Permissions {
        /// What to do.
        #[command(subcommand)]
        action: PermissionsCmd,
    },
    /// List a workspace's members.
    Users {
        /// Workspace id.
        workspace: i64,
    },
}

impl Command {
    /// Runs the command.
    pub async fn run(self, ctx: &Context) -> CliResult<Status> {
        self.run_done(ctx).await.map(|()| Status::Done)
    }

    async fn run_done(self, ctx: &Context) -> CliResult {
        let il = ctx.il().await?;
        match self {
            Command::Groups {
                action: Some(action),
                ..
            } => groups(ctx, il, &action).await,
            Command::Members { action } => members(ctx, il, &action).await,
            Command::Permissions { action } => permissions(ctx, il, &action).await,
            Command::Groups {
                workspace: None, ..
            } => Err("name the workspace: intralinks groups WS".into()),
            Command::Groups {
                workspace: Some(workspace),
                ..
            } => {
                let groups = ctx
                    .in_workspace(workspace, || {
                        il.api()
                            .list_groups()
                            .workspace_id(workspace)
                            .send()
                            .checked()
                    })
                    .await?
                    .groups;
                ctx.out
                    .listing(&groups, &["ID", "NAME", "TYPE", "MEMBERS"], |g| {
                        vec![
                            g.id.to_string(),
                            g.group_name.clone().or(g.name.clone()).unwrap_or_default(),
                            g.group_type.clone().unwrap_or_default(),
                            g.group_member_count
                                .map(|c| c.to_string())
                                .unwrap_or_default(),
                        ]
                    })
            }
            Command::Users { workspace } => {
                let users = ctx
                    .in_workspace(workspace, || {
                        il.api()
                            .list_workspace_members()
                            .workspace_id(workspace)
                            .send()
                            .checked()
                    })
                    .await?
                    .users;
                ctx.out.listing(
                    &users,
                    &["ID", "EMAIL", "NAME", "ORGANIZATION", "ROLE"],
                    |u| {
                        vec![
                            u.id.map(|id| id.to_string()).unwrap_or_default(),
                            u.email_id.clone().unwrap_or_default(),
                            format!(
                                "{} {}",
                                u.first_name.as_deref().unwrap_or(""),
                                u.last_name.as_deref().unwrap_or("")
                            )
                            .trim()
                            .to_string(),
                            u.organization.clone().unwrap_or_default(),
                            u.role_type.clone().unwrap_or_default(),
                        ]
                    },
                )
            }
        }
    }
}

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

/// The welcome alert members get when they are added.
#[derive(Debug, Args)]
pub struct AlertArgs {
    /// Send each member added a welcome alert with --subject and --note (members already in the room get none).
    #[arg(long, requires_all = ["subject", "note"])]
    alert: bool,
    /// The welcome alert's subject.
    #[arg(long, requires = "alert")]
    subject: Option<String>,
    /// The welcome alert's note (its text).
    #[arg(long, requires = "alert")]
    note: Option<String>,
}

impl AlertArgs {
    /// The alert asked for, if any.
    fn welcome(&self) -> Option<intralinks_ext::people::WelcomeAlert> {
        match (self.alert, &self.subject, &self.note) {
            (true, Some(subject), Some(note)) => Some(intralinks_ext::people::WelcomeAlert::new(
                subject.clone(),
                note.clone(),
            )),
            _ => None,
        }
    }
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
        #[command(flatten)]
        alert: AlertArgs,
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
        #[command(flatten)]
        alert: AlertArgs,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Give a person the rooms, roles and groups another has (their own groups are kept).
    Copy {
        /// Workspace ids (or --all).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        workspaces: Vec<i64>,
        /// Whose rooms, roles and groups: a member's e-mail.
        #[arg(long, value_name = "EMAIL")]
        from: String,
        /// Who gets them: the e-mail of an account on the service (`people create` makes one).
        #[arg(long, value_name = "EMAIL")]
        to: String,
        /// Every workspace --from is a member of (of those you can see); those
        /// not entered yet are listed (see --enter).
        #[arg(long)]
        all: bool,
        /// With --all, enter the workspaces not entered yet, with the entry flags
        /// (this may mail one-time passwords, and a wrong --answer spends an attempt in each).
        #[arg(long, requires = "all")]
        enter: bool,
        /// Show what would be sent; send nothing (no workspace is entered).
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
    /// Give a group a level on a folder or a document (replacing its level there).
    Grant {
        /// Workspace id.
        workspace: i64,
        /// The folder's path, names from the top separated by '/'; or a document's: its folder's path, '/', its name.
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

/// Prints what was done (or, with `dry_run`, what would be) on `out`.
fn print(out: &Output, changes: &[Change], dry_run: bool) -> CliResult {
    if changes.is_empty() {
        return say!(out, "nothing to do");
    }
    if dry_run {
        say!(out, "dry run, nothing sent; would make:")?;
    }
    for c in changes {
        say!(out, "{}", crate::changes::line(c))?;
    }
    Ok(())
}

fn spec(email: &str, f: &MemberFields) -> MemberSpec {
    MemberSpec {
        email: email.to_string(),
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        organization: f.organization.clone(),
        role: f.role.clone(),
        groups: f.groups.clone(),
        welcome_alert: None,
    }
}

/// Runs a `groups` subcommand.
async fn groups(ctx: &Context, il: &Intralinks, what: &GroupsCmd) -> CliResult {
    let entry = ctx.entry_flags();
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
            print(&ctx.out, &done, *dry_run)
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
            print(&ctx.out, &[c], *dry_run)
        }
        GroupsCmd::Delete {
            workspace,
            name,
            dry_run,
        } => {
            let c = room::delete_group(il, *workspace, name, *dry_run, &entry)
                .await
                .map_err(err)?;
            print(&ctx.out, &[c], *dry_run)
        }
    }
}

async fn ensure_members(
    ctx: &Context,
    il: &Intralinks,
    ws: i64,
    members: Vec<MemberSpec>,
    dry_run: bool,
    require: room::Require,
) -> CliResult {
    let entry = ctx.entry_flags();
    let want = room::members_request(members);
    // One look at the room for the checks and the change.
    let done = room::ensure_checked(il, ws, &want, dry_run, &entry, require.groups())
        .await
        .map_err(err)?;
    print(&ctx.out, &done, dry_run)
}

/// Runs a `members` subcommand.
async fn members(ctx: &Context, il: &Intralinks, what: &MembersCmd) -> CliResult {
    let entry = ctx.entry_flags();
    match what {
        MembersCmd::Add {
            workspace,
            member,
            fields,
            alert,
            dry_run,
        } => {
            let mut one = spec(member, fields);
            one.welcome_alert = alert.welcome();
            let members = vec![one];
            ensure_members(
                ctx,
                il,
                *workspace,
                members,
                *dry_run,
                room::Require::default(),
            )
            .await
        }
        MembersCmd::Update {
            workspace,
            member,
            fields,
            dry_run,
        } => {
            let members = vec![spec(member, fields)];
            let require = room::Require::default().members();
            ensure_members(ctx, il, *workspace, members, *dry_run, require).await
        }
        MembersCmd::Remove {
            workspace,
            member,
            dry_run,
        } => {
            let c = room::remove_member(il, *workspace, member, *dry_run, &entry)
                .await
                .map_err(err)?;
            print(&ctx.out, &[c], *dry_run)
        }
        MembersCmd::Import {
            workspace,
            file,
            alert,
            dry_run,
        } => {
            let origin = file.display().to_string();
            let text = std::fs::read_to_string(file).map_err(|e| {
                format!("cannot read {}: {e}; check the path", for_terminal(&origin))
            })?;
            let mut members = room::members_from_csv(&text, &origin).map_err(err)?;
            for m in &mut members {
                m.welcome_alert = alert.welcome();
            }
            ensure_members(
                ctx,
                il,
                *workspace,
                members,
                *dry_run,
                room::Require::default(),
            )
            .await
        }
        MembersCmd::Copy {
            workspaces,
            from,
            to,
            all,
            enter,
            dry_run,
        } => copy(ctx, il, workspaces, (from, to), (*all, *enter), *dry_run).await,
    }
}

/// One record of `members copy --json`.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Copied<'a> {
    workspace_id: i64,
    #[serde(flatten)]
    change: &'a Change,
}

/// `members copy`: `from`'s role and groups given to `to`, workspace by
/// workspace; a workspace that fails is listed and the others go on.
async fn copy(
    ctx: &Context,
    il: &Intralinks,
    named: &[i64],
    (from, to): (&str, &str),
    (all, enter): (bool, bool),
    dry_run: bool,
) -> CliResult {
    let account = |email: &str| {
        let email = email.to_string();
        async move {
            il.user_account(&email).await.map_err(err)?.ok_or_else(|| {
                crate::advice::CliError::new(format!(
                    "the service has no user account {}",
                    crate::output::safe(&email)
                ))
                .with_hint(format!(
                    "check the address, or create the account: intralinks people create {} --first-name … --last-name … --organization …",
                    crate::output::safe(&email)
                ))
            })
        }
    };
    // Both addresses are checked before the first request.
    for (flag, email) in [("--from", from), ("--to", to)] {
        if !intralinks_ext::text::is_email_address(email.trim()) {
            return Err(crate::advice::CliError::new(format!(
                "{flag} {:?} is not one plain e-mail address; give one, e.g. ann.lee@example.com",
                crate::output::safe(email)
            )));
        }
    }
    let source = account(from).await?;
    let target = account(to).await?;
    let mut list: Vec<i64> = if all {
        il.workspaces_of_user(source.user_id)
            .await
            .map_err(err)?
            .iter()
            .map(|w| w.id)
            .collect()
    } else {
        named.to_vec()
    };
    list.sort_unstable();
    list.dedup();
    let answers = ctx.entry_flags();
    let entry = (!all || enter).then_some(&answers);
    let mut records = Vec::new();
    let mut failed = Vec::new();
    if dry_run && !ctx.out.json {
        say!(ctx.out, "dry run, nothing sent; would make:")?;
    }
    for ws in list {
        match room::copy_member(il, ws, from, &target, dry_run, entry).await {
            Ok(changes) => {
                if !ctx.out.json {
                    say!(ctx.out, "workspace {ws}:")?;
                    if changes.is_empty() {
                        say!(ctx.out, "  no changes")?;
                    }
                    for c in &changes {
                        say!(ctx.out, "{}", crate::changes::line(c))?;
                    }
                }
                records.push((ws, changes));
            }
            Err(e) => {
                let hint = crate::advice::hint(&e, false);
                failed.push((ws, e, hint));
            }
        }
    }
    if ctx.out.json {
        let flat: Vec<Copied> = records
            .iter()
            .flat_map(|(ws, changes)| {
                changes.iter().map(|change| Copied {
                    workspace_id: *ws,
                    change,
                })
            })
            .collect();
        ctx.out.print_json(&flat)?;
    }
    if failed.is_empty() {
        return Ok(());
    }
    crate::output::tell!(ctx.out, "not copied ({}):", failed.len())?;
    for (ws, e, hint) in &failed {
        let why = match hint {
            Some(h) => format!("{e}; {h}"),
            None => e.to_string(),
        };
        crate::output::tell!(ctx.out, "  {ws}: {}", crate::output::safe(&why))?;
    }
    Err(crate::advice::CliError::new(format!(
        "{} workspace(s) could not be copied to (listed above){}",
        failed.len(),
        if all && !enter {
            "; enter them first (`intralinks enter ID`, or --enter with the entry flags), then copy again"
        } else {
            ""
        }
    )))
}

/// Runs a `permissions` subcommand.
async fn permissions(ctx: &Context, il: &Intralinks, what: &PermissionsCmd) -> CliResult {
    let entry = ctx.entry_flags();
    match what {
        PermissionsCmd::Grant {
            workspace,
            path,
            group,
            level,
            dry_run,
        } => {
            let want = room::permission_request(path, group, (*level).into());
            let require = room::Require::default().groups();
            let done = room::ensure_checked(il, *workspace, &want, *dry_run, &entry, require)
                .await
                .map_err(err)?;
            print(&ctx.out, &done, *dry_run)
        }
        PermissionsCmd::Revoke { path, group, .. } => {
            Err(err(room::revoke_unsupported(path, group)))
        }
    }
}
