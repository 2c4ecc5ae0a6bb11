//! The subcommands, one module per group, each owning its clap arguments
//! and running in the [`Context`]: a module uses the context, output,
//! advice and helper modules, never another command module.
//!
//! | module | commands |
//! | --- | --- |
//! | [`auth`] | `login`, `logout`, `auth status` |
//! | [`browse`] | `workspaces`, `enter`, `splash` |
//! | [`content`] | `folders`, `documents` (list, and change one) |
//! | [`transfer`] | `download`, `upload` |
//! | [`sync`] | `mirror`, `push`, `diff` |
//! | [`manage`] | `groups`, `members`, `permissions`, `users` |
//! | [`people`] | `people find`, `people create` |
//! | [`postings`] | `postings`, `watch` |
//! | [`report`] | `report documents`, `report members`, `report access` |
//! | [`room`] | `room export`, `room plan`, `room apply` |
//! | [`docs`] | `completions`, `man` |

mod auth;
mod browse;
mod content;
mod docs;
mod manage;
mod people;
mod postings;
mod report;
mod room;
mod sync;
mod transfer;

use clap::Subcommand;

use crate::advice::{CliResult, Status};
use crate::context::Context;

/// The commands: each group's subcommands, in the order `--help` lists them.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// `login`, `logout`, `auth status`.
    #[command(flatten)]
    Auth(auth::Command),
    /// `workspaces`, `enter`, `splash`.
    #[command(flatten)]
    Browse(browse::Command),
    /// `folders`, `documents`.
    #[command(flatten)]
    Content(content::Command),
    /// `download`, `upload`.
    #[command(flatten)]
    Transfer(transfer::Command),
    /// `mirror`, `push`, `diff`.
    #[command(flatten)]
    Sync(sync::Command),
    /// `groups`, `members`, `permissions`, `users`.
    #[command(flatten)]
    Manage(manage::Command),
    /// `people`.
    #[command(flatten)]
    People(people::Command),
    /// `postings`, `watch`.
    #[command(flatten)]
    Postings(postings::Command),
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
    /// different, and so 2 on error, as diff(1) ([`crate::advice::CliError::in_comparison`]).
    fn compares(&self) -> bool {
        match self {
            Command::Sync(c) => c.compares(),
            Command::Room(c) => c.compares(),
            _ => false,
        }
    }

    /// Runs the command in `ctx`, closes the context (the last token pair
    /// saved, the simulator stopped), prints any error on the context's
    /// stderr, and gives the exit status.
    pub async fn run(self, ctx: Context) -> u8 {
        let compares = self.compares();
        let streams = ctx.out.streams.clone();
        let outcome = self.dispatch(&ctx).await;
        let closed = ctx.close().await;
        let outcome = outcome
            .and_then(|status| closed.map(|()| status))
            .map_err(|e| if compares { e.in_comparison() } else { e });
        streams.conclude(outcome)
    }

    async fn dispatch(self, ctx: &Context) -> CliResult<Status> {
        match self {
            Command::Auth(c) => c.run(ctx).await,
            Command::Browse(c) => c.run(ctx).await,
            Command::Content(c) => c.run(ctx).await,
            Command::Transfer(c) => c.run(ctx).await,
            Command::Sync(c) => c.run(ctx).await,
            Command::Manage(c) => c.run(ctx).await,
            Command::People(c) => c.run(ctx).await,
            Command::Postings(c) => c.run(ctx).await,
            Command::Report(c) => c.run(ctx).await,
            Command::Room(c) => c.run(ctx).await,
            Command::Docs(c) => c.run(&ctx.out),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use clap::Parser;

    use crate::context::Context;
    use crate::output::{Buffer, ClosedPipe, Stream, Streams};

    /// Runs `args` (after `intralinks --sim`) writing to `streams`; the exit status.
    async fn run(args: &[&str], streams: Streams) -> u8 {
        let cli = crate::Cli::try_parse_from(["intralinks", "--sim"].iter().chain(args)).unwrap();
        let ctx = Context::new(cli.options, streams).unwrap();
        cli.command.run(ctx).await
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_command_writes_to_the_streams_it_is_given() {
        let (streams, out, err) = Buffer::streams(false);
        assert_eq!(run(&["workspaces"], streams).await, 0);
        assert!(out.text().starts_with("ID      NAME "), "{}", out.text());
        assert!(
            out.text().contains("701421  Demo API Workspace"),
            "{}",
            out.text()
        );
        assert!(
            err.text().starts_with("simulator at http://127.0.0.1:"),
            "{}",
            err.text()
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_error_is_one_line_on_the_given_stderr_with_its_status() {
        let (streams, out, err) = Buffer::streams(false);
        assert_eq!(run(&["diff", "1", "/nonexistent/dir"], streams).await, 2);
        assert_eq!(out.text(), "");
        let text = err.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("simulator at "), "{text}");
        assert!(lines[1].starts_with("error: "), "{text}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_closed_output_ends_the_command_quietly() {
        let (streams, _, err) = Buffer::streams(false);
        let streams = Streams {
            out: Arc::new(Stream::new(ClosedPipe, false, "standard output")),
            err: streams.err,
            whole_errors: false,
        };
        assert_eq!(run(&["documents", "701421"], streams).await, 0);
        assert!(!err.text().contains("error"), "{}", err.text());
    }

    /// Each command group's source, by the name it has under `commands`.
    const GROUPS: &[(&str, &str)] = &[
        ("auth", include_str!("auth.rs")),
        ("browse", include_str!("browse.rs")),
        ("content", include_str!("content.rs")),
        ("docs", include_str!("docs.rs")),
        ("manage", include_str!("manage.rs")),
        ("people", include_str!("people.rs")),
        ("postings", include_str!("postings.rs")),
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
