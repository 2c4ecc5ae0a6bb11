//! `intralinks`: log in, enter, browse, download, upload and mirror
//! Intralinks data rooms from the command line.
//!
//! A failure is one line on stderr saying what went wrong and what to do,
//! and a non-zero exit status.
//!
//! `main` parses the command line (`meta`), builds the [`Context`] from the
//! global options and the process's stdout and stderr (the streams every
//! command writes to, `output::Streams`), and hands the subcommand to its
//! group's module (`commands`), whose outcome is the exit status.

mod advice;
mod changes;
mod commands;
mod context;
mod meta;
mod output;
mod progress;
mod prompt;
mod saved;
mod target;

use std::process::ExitCode;

use clap::Parser;

use crate::context::Context;
use crate::output::Streams;

/// Command-line client for the Intralinks virtual data room API.
///
/// Authentication, in order: --token (or INTRALINKS_TOKEN); a login from
/// INTRALINKS_CLIENT_ID, INTRALINKS_CLIENT_SECRET, INTRALINKS_EMAIL and
/// INTRALINKS_PASSWORD; the session saved by `intralinks login`. With --sim,
/// an embedded simulator is started and logged in to instead.
#[derive(Debug, Parser)]
#[command(name = "intralinks", version, about, long_about)]
pub struct Cli {
    /// The global options.
    #[command(flatten)]
    pub options: context::Options,

    /// What to do.
    #[command(subcommand)]
    pub command: commands::Command,
}

/// What is logged: INTRALINKS_LOG when set, else what -v, -vv, -vvv ask
/// of this project's crates (the client, the library, the embedded
/// simulator, this command).
fn log_filter(verbose: u8) -> tracing_subscriber::EnvFilter {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("INTRALINKS_LOG") {
        return filter;
    }
    let level = match verbose {
        0 => return tracing_subscriber::EnvFilter::new("off"),
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    // A target prefix: this command and every intralinks_* crate, not the
    // HTTP stack below them.
    tracing_subscriber::EnvFilter::new(format!("intralinks={level}"))
}

/// A closed output pipe (`intralinks documents 1 | head -1`) ends the
/// command quietly: a write that finds it closed is
/// `CliError::output_closed`, whose exit status is 0.
fn main() -> ExitCode {
    let Cli { options, command } = meta::parse();
    let verbose = options.verbose;
    let mut streams = Streams::process();
    streams.whole_errors = verbose > 0;
    let ctx = match Context::new(options, streams.clone()) {
        Ok(ctx) => ctx,
        Err(e) => return ExitCode::from(streams.conclude(Err(e))),
    };
    tracing_subscriber::fmt()
        .with_env_filter(log_filter(verbose))
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let e = advice::CliError::new(format!("cannot start the async runtime: {e}"));
            return ExitCode::from(streams.conclude(Err(e)));
        }
    };
    ExitCode::from(runtime.block_on(command.run(ctx)))
}
