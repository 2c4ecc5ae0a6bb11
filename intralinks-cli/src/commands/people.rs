//! `people find EMAIL [--workspace WS]` and `people create EMAIL …`: user
//! accounts on the service, beyond any one room (`intralinks_ext::people`).
//! A person's rooms across workspaces are `report members --all --email`;
//! giving one person another's rooms, roles and groups is `members copy`.

use clap::Subcommand;
use intralinks_ext::people::NewAccount;
use intralinks_ext::types;

use crate::advice::{CliError, CliResult, Status, err};
use crate::context::Context;
use crate::output::{say, tell};

/// The commands about people on the service.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// User accounts on the service: find one by e-mail (also from a room they are not in), or create one.
    People {
        /// What to do.
        #[command(subcommand)]
        action: PeopleCmd,
    },
}

/// `people` subcommands.
#[derive(Debug, Subcommand)]
pub enum PeopleCmd {
    /// Find a person's account by e-mail; with --workspace, as that room sees them, member or not.
    Find {
        /// The person's e-mail.
        #[arg(value_name = "EMAIL")]
        address: String,
        /// Look them up from this workspace (entered as the entry flags allow):
        /// the member when they are one, else their account.
        #[arg(long, value_name = "WS")]
        workspace: Option<i64>,
    },
    /// Create a user account on the service, in no room yet (then `members add` or `members copy`).
    Create {
        /// The e-mail address, which is the login.
        #[arg(value_name = "EMAIL")]
        address: String,
        /// First name.
        #[arg(long)]
        first_name: String,
        /// Last name.
        #[arg(long)]
        last_name: String,
        /// Organisation.
        #[arg(long)]
        organization: String,
        /// Office phone.
        #[arg(long)]
        phone: Option<String>,
        /// Language, e.g. en_US.
        #[arg(long)]
        language: Option<String>,
    },
}

fn full_name(first: &Option<String>, last: &Option<String>) -> String {
    format!(
        "{} {}",
        first.as_deref().unwrap_or(""),
        last.as_deref().unwrap_or("")
    )
    .trim()
    .to_string()
}

fn no_account(email: &str) -> CliError {
    CliError::new(format!(
        "the service has no user account {}",
        crate::output::safe(email.trim())
    ))
    .with_hint(format!(
        "check the address, or create the account: intralinks people create {} --first-name … --last-name … --organization …",
        crate::output::safe(email.trim())
    ))
}

impl Command {
    /// Runs the command.
    pub async fn run(self, ctx: &Context) -> CliResult<Status> {
        let il = ctx.il().await?;
        let Command::People { action } = self;
        match action {
            PeopleCmd::Find {
                address: email,
                workspace: None,
            } => {
                let account = il
                    .user_account(&email)
                    .await
                    .map_err(err)?
                    .ok_or_else(|| no_account(&email))?;
                print_accounts(ctx, &[account])?;
            }
            PeopleCmd::Find {
                address: email,
                workspace: Some(ws),
            } => {
                let found = ctx
                    .in_workspace(ws, || il.find_user(ws, &email))
                    .await?
                    .ok_or_else(|| no_account(&email))?;
                let member = found.id.is_some();
                ctx.out.listing(
                    &[found],
                    &[
                        "USER ID",
                        "EMAIL",
                        "NAME",
                        "ORGANIZATION",
                        "MEMBER ID",
                        "ROLE",
                    ],
                    |u: &types::User| {
                        vec![
                            u.user_id.map(|i| i.to_string()).unwrap_or_default(),
                            u.email_id.clone().unwrap_or_default(),
                            full_name(&u.first_name, &u.last_name),
                            u.organization.clone().unwrap_or_default(),
                            u.id.map(|i| i.to_string()).unwrap_or_default(),
                            u.role_type.clone().unwrap_or_default(),
                        ]
                    },
                )?;
                if !member {
                    tell!(
                        ctx.out,
                        "{} has an account on the service and is no member of workspace {ws}",
                        crate::output::safe(email.trim())
                    )?;
                }
            }
            PeopleCmd::Create {
                address: email,
                first_name,
                last_name,
                organization,
                phone,
                language,
            } => {
                let mut new = NewAccount::new(&email, first_name, last_name, organization);
                if let Some(p) = phone {
                    new = new.with_office_phone(p);
                }
                if let Some(l) = language {
                    new = new.with_language(l);
                }
                il.create_user_account(&new).await.map_err(err)?;
                let account = il
                    .user_account(&email)
                    .await
                    .map_err(err)?
                    .ok_or_else(|| no_account(&email))?;
                if ctx.out.json {
                    ctx.out.print_json(&[&account])?;
                } else {
                    say!(
                        ctx.out,
                        "created user account {} (user id {})",
                        crate::output::safe(&account.email_id),
                        account.user_id
                    )?;
                }
            }
        }
        Ok(Status::Done)
    }
}

fn print_accounts(ctx: &Context, accounts: &[types::UserAccount]) -> CliResult {
    ctx.out.listing(
        accounts,
        &["USER ID", "EMAIL", "NAME", "ORGANIZATION"],
        |a| {
            vec![
                a.user_id.to_string(),
                a.email_id.clone(),
                full_name(&a.first_name, &a.last_name),
                a.organization.clone().unwrap_or_default(),
            ]
        },
    )
}
