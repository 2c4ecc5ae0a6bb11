//! `intralinks`: log in, enter, browse, download, upload and mirror
//! Intralinks data rooms from the command line.
//!
//! A failure is one line on stderr saying what went wrong and what to do,
//! and a non-zero exit status.

mod advice;
mod commands;
mod diff;
mod manage;
mod meta;
mod mirror;
mod output;
mod progress;
mod prompt;
mod push;
mod report;
mod room;
mod saved;
mod target;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use intralinks_ext::Secret;

/// Command-line client for the Intralinks virtual data room API.
///
/// Authentication, in order: --token (or INTRALINKS_TOKEN); a login from
/// INTRALINKS_CLIENT_ID, INTRALINKS_CLIENT_SECRET, INTRALINKS_EMAIL and
/// INTRALINKS_PASSWORD; the session saved by `intralinks login`. With --sim,
/// an embedded simulator is started and logged in to instead.
#[derive(Debug, Parser)]
#[command(name = "intralinks", version, about, long_about)]
pub struct Cli {
    /// Host root of the service, e.g. https://test-api.intralinks.com (V2 is under /v2, V1 under /services) [default: the host logged in to last, else https://api.intralinks.com].
    #[arg(
        long = "base-url",
        id = "base_url",
        env = "INTRALINKS_BASE_URL",
        global = true
    )]
    pub base_url_arg: Option<String>,

    /// The base URL in effect: `--base-url`, else the default saved host,
    /// else the production host; canonical (see `saved::canonical`).
    #[arg(skip)]
    pub base_url: String,

    /// An access token obtained elsewhere.
    #[arg(long, env = "INTRALINKS_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<Secret>,

    /// App client_id, for logging in.
    #[arg(long, env = "INTRALINKS_CLIENT_ID", global = true, hide = true)]
    pub client_id: Option<String>,

    /// App client_secret, for logging in.
    #[arg(
        long,
        env = "INTRALINKS_CLIENT_SECRET",
        global = true,
        hide = true,
        hide_env_values = true
    )]
    pub client_secret: Option<Secret>,

    /// Intralinks email, for logging in.
    #[arg(long, env = "INTRALINKS_EMAIL", global = true, hide = true)]
    pub email: Option<String>,

    /// Intralinks password, for logging in.
    #[arg(
        long,
        env = "INTRALINKS_PASSWORD",
        global = true,
        hide = true,
        hide_env_values = true
    )]
    pub password: Option<Secret>,

    /// Print JSON records (wire field names, exact ids, RFC 3339 UTC dates) instead of tables.
    #[arg(long, global = true)]
    pub json: bool,

    /// Start the embedded simulator and log in to it (demo data room, offline).
    #[arg(long, global = true)]
    pub sim: bool,

    /// Accept the workspace's splash screen when entering (never done unless asked).
    #[arg(long, global = true)]
    pub accept_splash: bool,

    /// Answer to the security question, when entering.
    #[arg(long, env = "INTRALINKS_ANSWER", global = true, hide_env_values = true)]
    pub answer: Option<Secret>,

    /// The one-time password mailed to you, when entering.
    #[arg(long, env = "INTRALINKS_OTP", global = true, hide_env_values = true)]
    pub otp: Option<Secret>,

    /// The content declaration, when entering a workspace that asks for one.
    #[arg(
        long,
        env = "INTRALINKS_CONTENT_DECLARATION",
        global = true,
        value_enum
    )]
    pub content_declaration: Option<Declaration>,

    /// Seconds to wait between two reads of an answer.
    #[arg(long, global = true, default_value_t = 60)]
    pub timeout: u64,

    /// Seconds allowed to connect (separate from --timeout).
    #[arg(long, global = true, default_value_t = 10)]
    pub connect_timeout: u64,

    /// Show no progress (no bar on a terminal, no status lines otherwise).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Seconds between two progress lines of mirror and push when stderr is not a terminal.
    #[arg(long, value_name = "SECS", global = true, default_value_t = 5)]
    pub status_every: u64,
    /// Log to stderr: -v what happens, -vv each call to the service, -vvv everything (INTRALINKS_LOG, when set, wins).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in with the INTRALINKS_* credentials and save the session for later commands.
    Login,
    /// Revoke the saved session's token and forget it.
    Logout,
    /// Saved sessions: `auth status` shows who is logged in on which host.
    Auth {
        /// What to show.
        #[command(subcommand)]
        what: AuthCommand,
    },
    /// List the workspaces you can see.
    Workspaces,
    /// Enter a workspace: splash, security question, one-time password, as it demands.
    Enter {
        /// Workspace id.
        workspace: i64,
        /// Use the V1 XML entry instead of V2.
        #[arg(long)]
        v1: bool,
    },
    /// Show a workspace's splash screen; --image saves its image.
    Splash {
        /// Workspace id.
        workspace: i64,
        /// Save the splash image here (the extension is added from its type).
        #[arg(long)]
        image: Option<PathBuf>,
    },
    /// Show a workspace's folders as a tree.
    Folders {
        /// Workspace id.
        workspace: i64,
    },
    /// List documents, all or those in one folder.
    Documents {
        /// Workspace id.
        workspace: i64,
        /// Only the documents directly in this folder.
        #[arg(long)]
        folder: Option<i64>,
    },
    /// Download one document, verified against its SHA-1.
    Download {
        /// Workspace id.
        workspace: i64,
        /// Document id.
        document: i64,
        /// Where to write it (default: its name, in the current directory); `-`
        /// is standard output; a pipe or device is written through, a symbolic
        /// link or other special file is refused, a missing directory is an error.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Without -o, replace a file of that name already in the current directory.
        #[arg(long)]
        force: bool,
    },
    /// Create a document in a folder and upload a file into it.
    Upload {
        /// Workspace id.
        workspace: i64,
        /// Folder id.
        folder: i64,
        /// The file; `-` reads standard input (then --name is needed).
        file: PathBuf,
        /// The document's name (default: the file's name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Copy a data room (or one folder's subtree) into a directory; a rerun fetches only what changed.
    Mirror {
        /// Workspace id.
        workspace: i64,
        /// Target directory.
        dir: PathBuf,
        /// Only this folder's subtree.
        #[arg(long)]
        folder: Option<i64>,
        /// Remove local files this command wrote whose documents left the room.
        #[arg(long)]
        delete: bool,
        /// Overwrite local files this command did not write (or that changed since).
        #[arg(long)]
        force: bool,
        /// List what would be fetched, replaced and deleted; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// With --delete, delete without asking (on a terminal it asks first).
        #[arg(long, short = 'y')]
        yes: bool,
        #[command(flatten)]
        sync: mirror::SyncArgs,
    },
    /// Copy a directory tree into a folder: new documents, or new versions of changed ones; never deletes.
    Push {
        /// Workspace id.
        workspace: i64,
        /// The directory to push.
        dir: PathBuf,
        /// The folder to push into.
        #[arg(long)]
        folder: i64,
        /// List the folders and documents that would be created and the new
        /// versions that would be uploaded; send nothing that changes the room.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        sync: mirror::SyncArgs,
    },
    /// Compare a directory with the room by SHA-1; exit status 0 when identical, 1 when not, 2 on error.
    Diff {
        /// Workspace id.
        workspace: i64,
        /// The directory to compare.
        dir: PathBuf,
        /// Compare with this folder's subtree instead of the whole room.
        #[arg(long)]
        folder: Option<i64>,
        #[command(flatten)]
        sync: mirror::SyncArgs,
    },
    /// List a workspace's groups (`groups WS`), or create, rename or delete one.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Groups {
        /// Workspace id, to list its groups.
        #[arg(required = true)]
        workspace: Option<i64>,
        /// Create, rename or delete a group.
        #[command(subcommand)]
        action: Option<manage::GroupsCmd>,
    },
    /// Add, update, remove or import (CSV) members of a workspace; `users WS` lists them.
    Members {
        /// What to do.
        #[command(subcommand)]
        action: manage::MembersCmd,
    },
    /// Grant a group a level on a folder (revoke says why the API cannot).
    Permissions {
        /// What to do.
        #[command(subcommand)]
        action: manage::PermissionsCmd,
    },
    /// List a workspace's members.
    Users {
        /// Workspace id.
        workspace: i64,
    },
    /// Reports across workspaces as CSV, JSON or xlsx: documents, members, who can see what.
    Report {
        /// Which report.
        #[command(subcommand)]
        what: report::Report,
    },
    /// Rooms as code: export a room to a file, plan and apply files (groups, members, folders, permissions).
    Room {
        /// What to do.
        #[command(subcommand)]
        what: room::RoomCmd,
    },
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

/// What a workspace's content is declared to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Declaration {
    /// Public content.
    #[value(name = "PUBLIC", alias = "public")]
    Public,
    /// Private content.
    #[value(name = "PRIVATE", alias = "private")]
    Private,
}

/// `intralinks auth ...`.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Each saved host, who is logged in there, and the access token's time left.
    Status,
}

/// The production host, used when no base URL is given and nothing is saved.
const DEFAULT_BASE_URL: &str = "https://api.intralinks.com";

/// A closed output pipe (`intralinks documents 1 | head -1`) ends the
/// command quietly: printing panics on EPIPE, so the panic hook exits instead.
fn exit_quietly_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to std") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
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

fn main() -> ExitCode {
    exit_quietly_on_broken_pipe();
    let mut cli = meta::parse();
    let given = cli
        .base_url_arg
        .clone()
        .or_else(saved::default_host)
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    cli.base_url = saved::canonical(&given);
    // A base URL of the wrong shape is said so at once, not as "not logged in".
    if !cli.sim
        && let Err(e) = intralinks_ext::parse_base_url(&cli.base_url)
    {
        output::tell_line(&format!("error: {}", output::safe(&e.to_string())));
        return ExitCode::from(2);
    }
    let is_diff = matches!(
        cli.command,
        Command::Diff { .. }
            | Command::Room {
                what: room::RoomCmd::Plan { .. }
            }
    );
    tracing_subscriber::fmt()
        .with_env_filter(log_filter(cli.verbose))
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(commands::Status::Differs) => ExitCode::from(1),
        Ok(commands::Status::Done) => ExitCode::SUCCESS,
        Err(message) => {
            let line: String = message.lines().collect::<Vec<_>>().join(" ");
            output::tell_line(&format!("error: {}", output::safe(&line)));
            // diff(1): 1 means "different", so trouble is 2.
            ExitCode::from(if is_diff { 2 } else { 1 })
        }
    }
}
