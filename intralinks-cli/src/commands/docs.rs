//! `intralinks completions` and `man`: printed from the same clap
//! definition as `--help` (`crate::meta`), before any connection.

use std::io::Write;

use clap::Subcommand;

use crate::advice::{CliResult, Status};

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
    /// Prints the completion script or the manual page; connects to nothing.
    pub fn run(self) -> CliResult<Status> {
        match self {
            Command::Completions { shell } => completions(shell),
            Command::Man { subcommand } => man(&subcommand),
        }
        .map(|()| Status::Done)
    }
}

/// Writes `bytes` to stdout; a reader that went away ends it quietly.
fn print(bytes: &[u8]) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to standard output: {e}"))
        }
        _ => Ok(()),
    }
}

/// `intralinks completions SHELL`: the completion script on stdout.
fn completions(shell: clap_complete::Shell) -> Result<(), String> {
    let mut cmd = crate::meta::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "intralinks", &mut script);
    print(&script)
}

/// `intralinks man [SUBCOMMAND...]`: the manual page (roff) of the command,
/// or of a subcommand (`intralinks-report-access`), on stdout.
fn man(subcommand: &[String]) -> Result<(), String> {
    let mut cmd = crate::meta::command();
    // Built, so that a subcommand carries the global options and its full name.
    cmd.build();
    let mut page_of = &cmd;
    for (i, name) in subcommand.iter().enumerate() {
        page_of = page_of.find_subcommand(name).ok_or_else(|| {
            format!(
                "`intralinks{}` has no subcommand {}; `intralinks man` lists them",
                subcommand[..i]
                    .iter()
                    .map(|n| format!(" {n}"))
                    .collect::<String>(),
                crate::output::safe(name)
            )
        })?;
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(page_of.clone().version(env!("CARGO_PKG_VERSION")))
        .render(&mut page)
        .map_err(|e| format!("cannot write the man page: {e}"))?;
    print(&page)
}
