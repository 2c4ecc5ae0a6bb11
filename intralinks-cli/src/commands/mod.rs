//! The subcommands, one module per group, each owning its clap arguments
//! and running in the [`Context`]: a module uses the context, output,
//! advice and helper modules, never another command module.
//!
//! | module | commands |
//! | --- | --- |
//! | [`auth`] | `login`, `logout`, `auth status` |
//! | [`browse`] | `workspaces`, `enter`, `splash`, `folders`, `documents` |
//! | [`transfer`] | `download`, `upload` |
//! | [`sync`] | `mirror`, `push`, `diff` |
//! | [`manage`] | `groups`, `members`, `permissions`, `users` |
//! | [`report`] | `report documents`, `report members`, `report access` |
//! | [`room`] | `room export`, `room plan`, `room apply` |
//! | [`docs`] | `completions`, `man` |

mod auth;
mod browse;
mod docs;
mod manage;
mod report;
mod room;
mod sync;
mod transfer;

use std::process::ExitCode;

use clap::Subcommand;

use crate::advice::{CliResult, Status};
use crate::context::Context;

/// The commands: each group's subcommands, in the order `--help` lists them.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// `login`, `logout`, `auth status`.
    #[command(flatten)]
    Auth(auth::Command),
    /// `workspaces`, `enter`, `splash`, `folders`, `documents`.
    #[command(flatten)]
    Browse(browse::Command),
    /// `download`, `upload`.
    #[command(flatten)]
    Transfer(transfer::Command),
    /// `mirror`, `push`, `diff`.
    #[command(flatten)]
    Sync(sync::Command),
    /// `groups`, `members`, `permissions`, `users`.
    #[command(flatten)]
    Manage(manage::Command),
    /// `report`.
    #[command(flatten)]
    Report(report::Command),
    /// `room`.
    #[command(flatten)]
    Room(room::Command),
    /// `completions`, `man`.
    #[command(flatten)]
    Docs(docs::Command),
}

impl Command {
    /// Whether the command compares (`diff`, `room plan`): 0 same, 1
    /// different, and so 2 on error, as diff(1).
    fn compares(&self) -> bool {
        match self {
            Command::Sync(c) => c.compares(),
            Command::Room(c) => c.compares(),
            _ => false,
        }
    }

    /// Runs the command in `ctx`, closes the context (the last token pair
    /// saved, the simulator stopped), prints any error, and gives the exit
    /// status.
    pub async fn run(self, ctx: Context) -> ExitCode {
        let compares = self.compares();
        let outcome = self.dispatch(&ctx).await;
        let closed = ctx.close().await;
        crate::advice::exit_code(outcome.and_then(|status| closed.map(|()| status)), compares)
    }

    async fn dispatch(self, ctx: &Context) -> CliResult<Status> {
        match self {
            Command::Auth(c) => c.run(ctx).await,
            Command::Browse(c) => c.run(ctx).await,
            Command::Transfer(c) => c.run(ctx).await,
            Command::Sync(c) => c.run(ctx).await,
            Command::Manage(c) => c.run(ctx).await,
            Command::Report(c) => c.run(ctx).await,
            Command::Room(c) => c.run(ctx).await,
            Command::Docs(c) => c.run(),
        }
    }
}

#[cfg(test)]
mod tests {
    /// Each command group's source, by the name it has under `commands`.
    const GROUPS: &[(&str, &str)] = &[
        ("auth", include_str!("auth.rs")),
        ("browse", include_str!("browse.rs")),
        ("docs", include_str!("docs.rs")),
        ("manage", include_str!("manage.rs")),
        ("report", include_str!("report.rs")),
        ("room", include_str!("room.rs")),
        ("sync", include_str!("sync/mod.rs")),
        ("sync", include_str!("sync/mirror.rs")),
        ("sync", include_str!("sync/push.rs")),
        ("sync", include_str!("sync/diff.rs")),
        ("transfer", include_str!("transfer.rs")),
    ];

    /// The modules the command groups stand on.
    const SHARED: &[(&str, &str)] = &[
        ("advice", include_str!("../advice.rs")),
        ("changes", include_str!("../changes.rs")),
        ("context", include_str!("../context.rs")),
        ("output", include_str!("../output.rs")),
        ("progress", include_str!("../progress.rs")),
        ("prompt", include_str!("../prompt.rs")),
        ("saved", include_str!("../saved.rs")),
        ("target", include_str!("../target.rs")),
    ];

    #[test]
    fn no_command_group_uses_another_and_no_shared_module_uses_one() {
        let names: Vec<&str> = GROUPS.iter().map(|(n, _)| *n).collect();
        let mut found = Vec::new();
        for (name, text) in GROUPS {
            for other in names.iter().filter(|o| *o != name) {
                for path in [
                    format!("crate::commands::{other}"),
                    format!("super::{other}"),
                ] {
                    if text.contains(&path) {
                        found.push(format!("{name} uses {path}"));
                    }
                }
            }
            if text.contains("super::super") {
                found.push(format!("{name} reaches above its group"));
            }
        }
        for (name, text) in SHARED {
            if text.contains("crate::commands") {
                found.push(format!("{name} uses a command group"));
            }
        }
        assert_eq!(found, Vec::<String>::new());
    }
}
