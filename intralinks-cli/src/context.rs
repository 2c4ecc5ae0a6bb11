//! What every command runs in: the global options as parsed, the base URL
//! in effect, the output (text for people or `--json`, progress or `-q`),
//! and the connection — opened on the first call that needs it (a token,
//! the saved session, a login, or the embedded simulator), with each new
//! token pair written back to the session file — and the entry of a
//! workspace on demand.
//!
//! A command module takes a `&Context`; it never opens a connection, reads
//! the session file for a connection or builds the entry flags itself.

use std::cell::Cell;
use std::time::Duration;

use intralinks_ext::{AppKeys, Error, FixedAnswers, Grant, Intralinks, Secret};

use crate::advice::{CliError, CliResult, err};
use crate::output::{Output, Streams, tell};
use crate::prompt::TerminalPrompter;
use crate::{progress, saved};

/// The global options: they are accepted by every subcommand.
#[derive(Debug, clap::Args)]
pub struct Options {
    // The doc comment is the `--help` text, where `<…>` around the URLs would show.
    #[allow(rustdoc::bare_urls)]
    /// Host root of the service, e.g. https://test-api.intralinks.com (V2 is under /v2, V1 under /services) [default: the host logged in to last, else https://api.intralinks.com].
    #[arg(
        long = "base-url",
        id = "base_url",
        env = "INTRALINKS_BASE_URL",
        global = true
    )]
    pub base_url_arg: Option<String>,

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

    /// Intralinks email, for logging in. Not global: given after a
    /// subcommand, `--email` is that subcommand's (`report members --email`
    /// names the person reported), and a global of the same id would take
    /// its value as the login.
    #[arg(long, env = "INTRALINKS_EMAIL", hide = true)]
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

    /// The most an answer read whole (a listing, as `documents` reads it)
    /// may hold, in MiB (default 128): for a room whose listing is larger.
    /// Mirror, push and diff stream their listings into a compact model
    /// bounded by its own size and need no limit. Named by the error that
    /// needs it, so hidden from help.
    #[arg(
        long,
        value_name = "MIB",
        env = "INTRALINKS_ANSWER_LIMIT",
        global = true,
        hide = true,
        value_parser = clap::value_parser!(u64).range(1..=65536)
    )]
    pub answer_limit: Option<u64>,
    /// Log to stderr: -v what happens, -vv each call to the service, -vvv everything (INTRALINKS_LOG, when set, wins).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
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

impl Options {
    /// The login the flags and the environment give, when they give all of it.
    pub fn credentials(&self) -> Option<(AppKeys, Grant)> {
        let (Some(id), Some(secret), Some(email), Some(password)) = (
            &self.client_id,
            &self.client_secret,
            &self.email,
            &self.password,
        ) else {
            return None;
        };
        Some((
            AppKeys {
                client_id: id.clone(),
                client_secret: secret.clone(),
            },
            Grant::Password {
                email: email.clone(),
                password: password.clone(),
                end_other_sessions: false,
            },
        ))
    }
}

/// The production host, used when no base URL is given and nothing is saved.
const DEFAULT_BASE_URL: &str = "https://api.intralinks.com";

/// The connection, once opened; it holds the embedded simulator for as long
/// as the command runs.
struct Connection {
    il: Intralinks,
    sim: Option<intralinks_sim::Simulator>,
    otp_hint: Option<String>,
    /// The saved session this command goes on with, to write back each new token pair.
    saved: Option<saved::Saved>,
    /// Writes each new token pair as soon as it is handed out.
    watcher: Option<tokio::task::JoinHandle<()>>,
}

/// What every command runs in (see the module's doc).
pub struct Context {
    /// The global options, as parsed.
    pub options: Options,
    /// The base URL in effect: `--base-url`, else the default saved host,
    /// else the production host; canonical (see `saved::canonical`).
    pub base_url: String,
    /// How and where the command prints.
    pub out: Output,
    connection: tokio::sync::OnceCell<Connection>,
}

impl Context {
    /// The context of a command that prints to `streams`: resolves the base
    /// URL and, unless `--sim`, refuses one of the wrong shape at once (not
    /// as "not logged in", and with exit status 2, as a bad command line).
    /// Connects to nothing.
    pub fn new(options: Options, streams: Streams) -> CliResult<Self> {
        let given = options
            .base_url_arg
            .clone()
            .or_else(saved::default_host)
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        let base_url = saved::canonical(&given);
        if !options.sim
            && let Err(e) = intralinks_ext::parse_base_url(&base_url)
        {
            return Err(CliError::usage(e.to_string()));
        }
        let out = Output {
            json: options.json,
            quiet: options.quiet,
            status_every: Duration::from_secs(options.status_every.max(1)),
            streams,
        };
        Ok(Self {
            options,
            base_url,
            out,
            connection: tokio::sync::OnceCell::new(),
        })
    }

    /// The client, connected on the first call: a token, else the saved
    /// session for the host (refreshed when due), else a login from the
    /// credentials; with `--sim`, the embedded simulator's demo login.
    pub async fn il(&self) -> CliResult<&Intralinks> {
        let connection = self
            .connection
            .get_or_try_init(|| async {
                let mut connection = self.connect().await?;
                connection.watcher = watch_tokens(&connection);
                Ok::<_, CliError>(connection)
            })
            .await?;
        Ok(&connection.il)
    }

    /// What the entry flags answer (each at most once per entry).
    pub fn entry_flags(&self) -> FixedAnswers {
        let o = &self.options;
        FixedAnswers {
            accept_splash: o.accept_splash,
            answer: o.answer.clone(),
            one_time_password: o.otp.clone(),
            content: o.content_declaration.map(|c| match c {
                Declaration::Public => intralinks_ext::types::ContentDeclaration::Public,
                Declaration::Private => intralinks_ext::types::ContentDeclaration::Private,
            }),
        }
    }

    /// The progress of a sync run that `verb` names ("mirror", "push"), as
    /// `-q` and `--status-every` say: the hook for the engine's options,
    /// and the display to finish.
    pub fn sync_progress(
        &self,
        verb: &'static str,
    ) -> (Option<intralinks_sync::SyncHook>, progress::Display) {
        progress::start(verb, &self.out)
    }

    /// A byte bar for one transfer on a terminal (none with `-q` or
    /// elsewhere), and the callback that moves it.
    pub fn transfer_bar(
        &self,
        label: &str,
        total: Option<u64>,
    ) -> Option<(indicatif::ProgressBar, intralinks_ext::ProgressFn)> {
        progress::bar(&self.out, label, total)
    }

    /// Asks for what entry demands: the flags first, then the terminal.
    pub fn prompter(&self) -> TerminalPrompter {
        let otp_hint = self.connection.get().and_then(|c| c.otp_hint.clone());
        TerminalPrompter::new(self.entry_flags(), otp_hint, self.out.clone())
    }

    /// Runs `call`; if the workspace must be entered first, enters it with
    /// what the flags give (never accepting a splash unless told to, never
    /// asking) through `intralinks_report::in_workspace`, which runs
    /// `call` once more. If entry needs more, the original "requires entry"
    /// error stands; a workspace that blocks the user, a refused token and
    /// a refused answer are said as they are.
    pub async fn in_workspace<T, F, Fut>(&self, workspace: i64, call: F) -> CliResult<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = intralinks_ext::Result<T>>,
    {
        let il = self.il().await?;
        let calls = Cell::new(0usize);
        // The workspace the first answer asked to enter, when it asked.
        let required: Cell<Option<Option<i64>>> = Cell::new(None);
        let counted = || {
            let first = calls.get() == 0;
            calls.set(calls.get() + 1);
            let answer = call();
            let required = &required;
            async move {
                let answer = answer.await;
                if first && let Err(Error::EntryRequired { workspace_id }) = &answer {
                    required.set(Some(*workspace_id));
                }
                answer
            }
        };
        let result = il
            .in_workspace(workspace, &self.entry_flags(), counted)
            .await;
        match (result, required.get(), calls.get()) {
            (Ok(value), _, _) => Ok(value),
            // Entry itself failed (the call ran once, and asked for it).
            (Err(e), Some(workspace_id), 1) => match e {
                e @ (Error::Blocked { .. }
                | Error::Unauthorized { .. }
                | Error::EntryRejected { .. }) => Err(err(e)),
                _ => Err(err(Error::EntryRequired { workspace_id })),
            },
            (Err(e), _, _) => Err(err(e)),
        }
    }

    /// Ends the command's connection, if one was opened: the last token
    /// pair is written back to the session file and the simulator stops.
    pub async fn close(self) -> CliResult {
        let Some(mut connection) = self.connection.into_inner() else {
            return Ok(());
        };
        if let Some(w) = connection.watcher.take() {
            w.abort();
        }
        let saved = save_tokens(&mut connection).await;
        if let Some(sim) = connection.sim.take() {
            sim.shutdown().await;
        }
        saved
    }

    async fn connect(&self) -> CliResult<Connection> {
        let options = &self.options;
        let timeout = Duration::from_secs(options.timeout.max(1));
        let connect = Duration::from_secs(options.connect_timeout.max(1));
        if options.sim {
            let sim = intralinks_sim::Simulator::start(intralinks_sim::SimConfig::default())
                .await
                .map_err(|e| format!("cannot start the embedded simulator: {e}"))?;
            let url = sim.url();
            let il = Intralinks::builder(url.clone())
                .read_timeout(timeout)
                .connect_timeout(connect)
                .login(
                    AppKeys {
                        client_id: intralinks_sim::demo::CLIENT_ID.into(),
                        client_secret: Secret::new(intralinks_sim::demo::CLIENT_SECRET),
                    },
                    Grant::Password {
                        email: intralinks_sim::demo::EMAIL.into(),
                        password: Secret::new(intralinks_sim::demo::PASSWORD),
                        end_other_sessions: false,
                    },
                )
                .await
                .map_err(err)?;
            tell!(
                self.out,
                "simulator at {url} (demo login {})",
                intralinks_sim::demo::EMAIL
            )?;
            return Ok(Connection {
                il,
                otp_hint: Some(format!(
                    "(simulator: one-time passwords are listed at {url}/_sim/mailbox)"
                )),
                sim: Some(sim),
                saved: None,
                watcher: None,
            });
        }
        let mut builder = Intralinks::builder(self.base_url.clone())
            .read_timeout(timeout)
            .connect_timeout(connect);
        if let Some(mib) = options.answer_limit {
            builder = builder.answer_limit(mib * 1024 * 1024);
        }
        let mut kept = None;
        let il = if let Some(token) = &options.token {
            builder.token(token.clone()).map_err(err)?
        } else if let Some(s) = saved::load(&self.base_url)? {
            match (s.keys(), s.tokens.clone(), s.access()) {
                // The saved session, refreshed as needed until its refresh token expires.
                (Some(keys), Some(tokens), _) => {
                    // Refreshed under the session file's lock, shared with
                    // every other command of this user.
                    let store = std::sync::Arc::new(saved::HostStore::new(&s.base_url));
                    let il = builder
                        .clone()
                        .token_store(store)
                        .session(keys, tokens)
                        .map_err(err)?;
                    // An expired access token is refreshed here; a refresh the
                    // service refuses falls back to the credentials, when given.
                    let usable = match il.session() {
                        Some(session) => intralinks_ext::Auth::bearer(session)
                            .await
                            .map_err(|e| e.kind),
                        None => Ok(None),
                    };
                    match (usable, options.credentials()) {
                        (Err(intralinks_ext::api::AuthErrorKind::Refused), Some((keys, grant))) => {
                            let il = builder.login(keys.clone(), grant).await.map_err(err)?;
                            // The new session replaces the dead one in the file.
                            kept = Some(saved::Saved {
                                base_url: s.base_url.clone(),
                                client_id: Some(keys.client_id),
                                client_secret: Some(keys.client_secret),
                                tokens: None,
                                access_token: None,
                            });
                            il
                        }
                        _ => {
                            kept = Some(s);
                            il
                        }
                    }
                }
                (_, _, Some(token)) if options.credentials().is_none() => {
                    builder.token(token).map_err(err)?
                }
                _ => match options.credentials() {
                    Some((keys, grant)) => builder.login(keys, grant).await.map_err(err)?,
                    None => return Err(self.not_logged_in()),
                },
            }
        } else if let Some((keys, grant)) = options.credentials() {
            builder.login(keys, grant).await.map_err(err)?
        } else {
            return Err(self.not_logged_in());
        };
        Ok(Connection {
            il,
            sim: None,
            otp_hint: None,
            saved: kept,
            watcher: None,
        })
    }

    fn not_logged_in(&self) -> CliError {
        CliError::new(format!(
            "not logged in to {}: set INTRALINKS_TOKEN, or INTRALINKS_CLIENT_ID, INTRALINKS_CLIENT_SECRET, INTRALINKS_EMAIL and INTRALINKS_PASSWORD and run `intralinks login` (or try `--sim`)",
            self.base_url
        ))
    }
}

/// Writes each new token pair to the session file as soon as it is handed
/// out, so that a command killed after a refresh leaves a session that
/// still works.
fn watch_tokens(connection: &Connection) -> Option<tokio::task::JoinHandle<()>> {
    match (&connection.saved, connection.il.session()) {
        (Some(s), Some(session)) => {
            let mut rx = session.subscribe();
            let mut file = s.clone();
            Some(tokio::spawn(async move {
                while rx.changed().await.is_ok() {
                    file.tokens = Some(rx.borrow_and_update().clone());
                    let _ = saved::store_tokens(&file);
                }
            }))
        }
        _ => None,
    }
}

/// Writes the session's current token pair back to the session file when
/// it changed (a refresh token is single-use: the old one is spent).
async fn save_tokens(connection: &mut Connection) -> CliResult {
    let (Some(saved), Some(session)) = (&mut connection.saved, connection.il.session()) else {
        return Ok(());
    };
    let now = session.tokens().await;
    if saved.tokens.as_ref() != Some(&now) {
        saved.tokens = Some(now);
        saved::store_tokens(saved)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use clap::Parser;
    use intralinks_ext::Checked;

    use super::*;

    /// A context on the embedded simulator, with `flags` as global options.
    fn context(flags: &[&str]) -> Context {
        let args = ["intralinks", "--sim"]
            .iter()
            .chain(flags)
            .chain(&["workspaces"]);
        let (streams, _, _) = crate::output::Buffer::streams(false);
        Context::new(crate::Cli::try_parse_from(args).unwrap().options, streams).unwrap()
    }

    /// Lists a workspace's folders through `ctx.in_workspace`, counting the calls.
    async fn folders(ctx: &Context, ws: i64, calls: &Cell<usize>) -> CliResult<usize> {
        let il = ctx.il().await?;
        ctx.in_workspace(ws, || {
            calls.set(calls.get() + 1);
            il.api().list_folders().workspace_id(ws).send().checked()
        })
        .await
        .map(|f| f.folder.len())
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn entry_that_needs_more_leaves_the_original_error() {
        let ctx = context(&[]);
        let calls = Cell::new(0);
        assert_eq!(
            folders(&ctx, 701422, &calls).await.unwrap_err().to_string(),
            "workspace 701422 must be entered first (accept its splash, answer what it asks), then retry; run `intralinks enter 701422`"
        );
        assert_eq!(calls.get(), 1);
        ctx.close().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_flags_enter_and_the_call_runs_once_more() {
        let ctx = context(&["--accept-splash"]);
        let calls = Cell::new(0);
        let listed = folders(&ctx, 701422, &calls).await.unwrap();
        assert_eq!(calls.get(), 2);
        // Entered now: the next call runs once.
        assert_eq!(folders(&ctx, 701422, &calls).await.unwrap(), listed);
        assert_eq!(calls.get(), 3);
        ctx.close().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_refused_answer_is_said_as_it_is() {
        let ctx = context(&["--accept-splash", "--answer", "wrong"]);
        let calls = Cell::new(0);
        assert_eq!(
            folders(&ctx, 701423, &calls).await.unwrap_err().to_string(),
            "workspace 701423: the service did not accept the answer to the security question (1 wrong so far; 2 more wrong attempts lock this user out of the room); nothing more was sent: check it, then run again"
        );
        assert_eq!(calls.get(), 1);
        ctx.close().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn other_errors_of_either_call_stand() {
        let ctx = context(&["--accept-splash"]);
        let il = ctx.il().await.unwrap();
        let calls = Cell::new(0);
        let missing = |ws: i64| {
            let calls = &calls;
            ctx.in_workspace(ws, move || {
                calls.set(calls.get() + 1);
                il.document(ws, 1)
            })
        };
        // Entry asked for and made: the second call's error.
        let not_found = "not found (Cannot find entity in repository; the request was GET /v2/workspaces/701422/documents/1, errorId ";
        let second = missing(701422).await.unwrap_err().to_string();
        assert!(second.starts_with(not_found), "{second}");
        assert_eq!(calls.get(), 2);
        // Entered now, so no entry is asked for: the call's error, after one call.
        calls.set(0);
        let again = missing(701422).await.unwrap_err().to_string();
        assert!(again.starts_with(not_found), "{again}");
        assert_eq!(calls.get(), 1);
        ctx.close().await.unwrap();
    }
}
