//! `intralinks completions` and `man`: printed from the same clap
//! definition as `--help` (`crate::meta`), before any connection.

use clap::Subcommand;

use crate::advice::{CliError, CliResult, Status};
use crate::output::Output;

/// The commands that describe the command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of the command or of one subcommand, generated from the same definitions as --help.
    Man {
        /// A subcommand, e.g. `report access`, for its own page.
        subcommand: Vec<String>,
    },
}

impl Command {
    /// Prints the completion script or the manual page on `out`'s stdout
    /// (a reader that went away ends it quietly); connects to nothing.
    pub fn run(self, out: &Output) -> CliResult<Status> {
        match self {
            Command::Completions { shell } => out.raw(&completions(shell)),
            Command::Man { subcommand } => out.raw(&man(&subcommand)?),
        }
        .map(|()| Status::Done)
    }
}

/// `intralinks completions SHELL`: the completion script.
fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = crate::meta::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "intralinks", &mut script);
    script
}

/// `intralinks man [SUBCOMMAND...]`: the manual page (roff) of the command,
/// or of a subcommand (`intralinks-report-access`).
fn man(subcommand: &[String]) -> CliResult<Vec<u8>> {
    let mut cmd = crate::meta::command();
    // Built, so that a subcommand carries the global options and its full name.
    cmd.build();
    let mut page_of = &cmd;
    for (i, name) in subcommand.iter().enumerate() {
        page_of = page_of.find_subcommand(name).ok_or_else(|| {
            CliError::new(format!(
                "`intralinks{}` has no subcommand {}; `intralinks man` lists them",
                subcommand[..i]
                    .iter()
                    .map(|n| format!(" {n}"))
                    .collect::<String>(),
                crate::output::safe(name)
            ))
        })?;
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(page_of.clone().version(env!("CARGO_PKG_VERSION")))
        .render(&mut page)
        .map_err(|e| format!("cannot write the man page: {e}"))?;
    Ok(page)
}
