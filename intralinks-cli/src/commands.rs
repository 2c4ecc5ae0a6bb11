//! What each command does.

use crate::output::{say, tell};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use intralinks_ext::types::Folder;
use intralinks_ext::{AppKeys, Checked, Error, Grant, Intralinks, Progress, ProgressFn, Secret};

use crate::prompt::TerminalPrompter;
use crate::{Cli, Command, diff, mirror, output, push, saved};

type CliResult<T = ()> = Result<T, String>;

pub(crate) use crate::advice::Status;
use crate::advice::{entry_flags, err};

/// Holds the embedded simulator for as long as the command runs.
struct Context {
    il: Intralinks,
    sim: Option<intralinks_sim::Simulator>,
    otp_hint: Option<String>,
    /// The saved session this command goes on with, to write back each new token pair.
    saved: Option<saved::Saved>,
}

impl Context {
    /// Writes the session's current token pair back to the session file when
    /// it changed (a refresh token is single-use: the old one is spent).
    async fn save_tokens(&mut self) -> CliResult {
        let (Some(saved), Some(session)) = (&mut self.saved, self.il.session()) else {
            return Ok(());
        };
        let now = session.tokens().await;
        if saved.tokens.as_ref() != Some(&now) {
            saved.tokens = Some(now);
            saved::store_tokens(saved)?;
        }
        Ok(())
    }
}

fn credentials(cli: &Cli) -> Option<(AppKeys, Grant)> {
    let (Some(id), Some(secret), Some(email), Some(password)) = (
        &cli.client_id,
        &cli.client_secret,
        &cli.email,
        &cli.password,
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

async fn connect(cli: &Cli) -> CliResult<Context> {
    let timeout = Duration::from_secs(cli.timeout.max(1));
    let connect = Duration::from_secs(cli.connect_timeout.max(1));
    if cli.sim {
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
            "simulator at {url} (demo login {})",
            intralinks_sim::demo::EMAIL
        );
        return Ok(Context {
            il,
            otp_hint: Some(format!(
                "(simulator: one-time passwords are listed at {url}/_sim/mailbox)"
            )),
            sim: Some(sim),
            saved: None,
        });
    }
    let builder = Intralinks::builder(cli.base_url.clone())
        .read_timeout(timeout)
        .connect_timeout(connect);
    let mut kept = None;
    let il = if let Some(token) = &cli.token {
        builder.token(token.clone()).map_err(err)?
    } else if let Some(s) = saved::load(&cli.base_url)? {
        match (s.keys(), s.tokens.clone(), s.access()) {
            // The saved session, refreshed as needed until its refresh token expires.
            (Some(keys), Some(tokens), _) => {
                let il = builder.clone().session(keys, tokens).map_err(err)?;
                // An expired access token is refreshed here; a refresh the
                // service refuses falls back to the credentials, when given.
                let usable = match il.session() {
                    Some(session) => intralinks_ext::Auth::bearer(session)
                        .await
                        .map_err(|e| e.kind),
                    None => Ok(None),
                };
                match (usable, credentials(cli)) {
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
            (_, _, Some(token)) if credentials(cli).is_none() => {
                builder.token(token).map_err(err)?
            }
            _ => match credentials(cli) {
                Some((keys, grant)) => builder.login(keys, grant).await.map_err(err)?,
                None => return Err(not_logged_in(cli)),
            },
        }
    } else if let Some((keys, grant)) = credentials(cli) {
        builder.login(keys, grant).await.map_err(err)?
    } else {
        return Err(not_logged_in(cli));
    };
    Ok(Context {
        il,
        sim: None,
        otp_hint: None,
        saved: kept,
    })
}

fn not_logged_in(cli: &Cli) -> String {
    format!(
        "not logged in to {}: set INTRALINKS_TOKEN, or INTRALINKS_CLIENT_ID, INTRALINKS_CLIENT_SECRET, INTRALINKS_EMAIL and INTRALINKS_PASSWORD and run `intralinks login` (or try `--sim`)",
        cli.base_url
    )
}

fn progress_bar(quiet: bool, label: &str, total: Option<u64>) -> Option<(ProgressBar, ProgressFn)> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::no_length(),
    };
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(output::safe(label).into_owned());
    let b = bar.clone();
    let f: ProgressFn = Arc::new(move |p: Progress| b.set_position(p.done));
    Some((bar, f))
}

/// The pause between two status lines of mirror and push.
fn status_every(cli: &Cli) -> Duration {
    Duration::from_secs(cli.status_every.max(1))
}

/// Runs `call`; if the workspace must be entered first, enters it with what
/// the flags give (never accepting a splash unless told to, never asking)
/// and runs `call` once more. If entry needs more, the original
/// "requires entry" error stands.
async fn in_workspace<T, F, Fut>(cli: &Cli, ctx: &Context, workspace: i64, call: F) -> CliResult<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = intralinks_ext::Result<T>>,
{
    match call().await {
        Err(original @ Error::EntryRequired { .. }) => {
            let mut flags = entry_flags(cli);
            match ctx.il.enter(workspace, &mut flags).await {
                Ok(_) => call().await.map_err(err),
                Err(
                    e @ (Error::Blocked { .. }
                    | Error::Unauthorized { .. }
                    | Error::EntryRejected { .. }),
                ) => Err(err(e)),
                Err(_) => Err(err(original)),
            }
        }
        other => other.map_err(err),
    }
}

/// Runs the command; its status says whether what it compared differs.
pub async fn run(cli: Cli) -> CliResult<Status> {
    // Nothing to connect to: no credentials, no network.
    match cli.command {
        Command::Completions { shell } => {
            return crate::meta::completions(shell).map(|()| Status::Done);
        }
        Command::Man { ref subcommand } => {
            return crate::meta::man(subcommand).map(|()| Status::Done);
        }
        _ => {}
    }
    if let Command::Login = cli.command {
        return login(&cli).await.map(|()| Status::Done);
    }
    if let Command::Logout = cli.command {
        return logout(&cli).await.map(|()| Status::Done);
    }
    if let Command::Auth {
        what: crate::AuthCommand::Status,
    } = cli.command
    {
        return auth_status(&cli).map(|()| Status::Done);
    }
    let mut ctx = connect(&cli).await?;
    // Write each new token pair as soon as it is handed out, so that a
    // command killed after a refresh leaves a session that still works.
    let watcher = match (&ctx.saved, ctx.il.session()) {
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
    };
    let result = dispatch(&cli, &ctx).await;
    if let Some(w) = watcher {
        w.abort();
    }
    let saved = ctx.save_tokens().await;
    if let Some(sim) = ctx.sim.take() {
        sim.shutdown().await;
    }
    let status = result?;
    saved.map(|()| status)
}

/// The login's credentials: from the flags and environment, and on a
/// terminal what is missing is asked for (secrets without echo).
fn login_credentials(cli: &Cli) -> CliResult<(AppKeys, Grant)> {
    if let Some(c) = credentials(cli) {
        return Ok(c);
    }
    let missing = "login needs INTRALINKS_CLIENT_ID, INTRALINKS_CLIENT_SECRET, INTRALINKS_EMAIL and INTRALINKS_PASSWORD, or a terminal to ask for them on";
    if !crate::prompt::interactive() {
        return Err(missing.into());
    }
    tell!("logging in to {}", output::safe(&cli.base_url));
    let client_id = match &cli.client_id {
        Some(v) => v.clone(),
        None => crate::prompt::ask_line("App client id: ").ok_or(missing)?,
    };
    let client_secret = match &cli.client_secret {
        Some(v) => v.clone(),
        None => crate::prompt::ask_secret("App client secret: ").ok_or(missing)?,
    };
    let email = match &cli.email {
        Some(v) => v.clone(),
        None => crate::prompt::ask_line("E-mail: ").ok_or(missing)?,
    };
    let password = match &cli.password {
        Some(v) => v.clone(),
        None => crate::prompt::ask_secret("Password: ").ok_or(missing)?,
    };
    Ok((
        AppKeys {
            client_id,
            client_secret,
        },
        Grant::Password {
            email,
            password,
            end_other_sessions: false,
        },
    ))
}

async fn login(cli: &Cli) -> CliResult {
    let (keys, grant) = login_credentials(cli)?;
    let il = Intralinks::builder(cli.base_url.clone())
        .login(keys.clone(), grant)
        .await
        .map_err(err)?;
    let session = il.session().ok_or("the login gave no session")?;
    let path = saved::store(&saved::Saved {
        base_url: cli.base_url.clone(),
        client_id: Some(keys.client_id),
        client_secret: Some(keys.client_secret),
        tokens: Some(session.tokens().await),
        access_token: None,
    })?;
    let who = session.email().await.unwrap_or_else(|| "you".into());
    if cli.json {
        output::json(
            &serde_json::json!({"email": who, "host": cli.base_url, "sessionFile": path}),
        )?;
    } else {
        say!(
            "logged in to {} as {}; session saved to {}",
            output::safe(&cli.base_url),
            output::safe(&who),
            output::safe(&path.display().to_string())
        );
    }
    Ok(())
}

/// `intralinks auth status`: every saved session, without connecting.
fn auth_status(cli: &Cli) -> CliResult {
    let all = saved::read_all()?;
    let now = std::time::SystemTime::now();
    let records: Vec<serde_json::Value> = all
        .sessions
        .values()
        .map(|s| {
            let key = saved::canonical(&s.base_url);
            let left = s
                .tokens
                .as_ref()
                .and_then(|t| t.expires_at.duration_since(now).ok())
                .map(|d| d.as_secs());
            serde_json::json!({
                "host": key,
                "default": all.default.as_deref() == Some(key.as_str()),
                "email": s.tokens.as_ref().and_then(|t| t.email.clone()),
                "accessTokenSecondsLeft": left,
                "canRefresh": s.tokens.as_ref().is_some_and(|t| t.refresh_token.is_some()) && s.keys().is_some(),
            })
        })
        .collect();
    if cli.json {
        return output::json(&records);
    }
    if records.is_empty() {
        return Err("not logged in anywhere: run `intralinks login`".into());
    }
    for r in &records {
        let host = r["host"].as_str().unwrap_or_default();
        say!(
            "{}{}",
            output::safe(host),
            if r["default"] == true {
                " (default)"
            } else {
                ""
            }
        );
        say!(
            "  logged in as {}",
            output::safe(r["email"].as_str().unwrap_or("(e-mail not known)"))
        );
        let left = match r["accessTokenSecondsLeft"].as_u64() {
            Some(s) if s >= 60 => format!("access token valid for {} min", s / 60),
            Some(s) => format!("access token valid for {s} s"),
            None => "access token expired".to_string(),
        };
        let refresh = if r["canRefresh"] == true {
            "; renewed when needed"
        } else {
            "; log in again when it ends"
        };
        say!("  {left}{refresh}");
    }
    Ok(())
}

async fn logout(cli: &Cli) -> CliResult {
    let Some(s) = saved::load(&cli.base_url)? else {
        return Err(format!(
            "no saved session for {}: nothing to log out",
            cli.base_url
        ));
    };
    let Some(token) = s.access() else {
        saved::remove(&cli.base_url)?;
        return Err("the saved session holds no token; it is forgotten".into());
    };
    let (Some(client_id), Some(secret)) = (
        s.client_id.clone().or(cli.client_id.clone()),
        s.client_secret.clone().or(cli.client_secret.clone()),
    ) else {
        return Err(
            "logout needs INTRALINKS_CLIENT_SECRET (and INTRALINKS_CLIENT_ID) to revoke the token"
                .into(),
        );
    };
    let il = Intralinks::builder(cli.base_url.clone())
        .anonymous()
        .map_err(err)?;
    il.api()
        .revoke_o_auth_token()
        .body(intralinks_ext::types::RevokeRequest {
            token,
            client_id,
            client_secret: secret,
        })
        .send()
        .checked()
        .await
        .map_err(err)?;
    saved::remove(&cli.base_url)?;
    say!(
        "logged out of {}; the token is revoked",
        output::safe(&cli.base_url)
    );
    Ok(())
}

/// Runs a command that compares (its status says whether things differ),
/// or any other.
async fn dispatch(cli: &Cli, ctx: &Context) -> CliResult<Status> {
    let il = &ctx.il;
    match &cli.command {
        Command::Diff {
            workspace,
            dir,
            folder,
            sync,
        } => {
            // Writes nothing, so Ctrl-C may simply end it.
            let options = sync.plain_options(*folder);
            let report = in_workspace(cli, ctx, *workspace, || {
                intralinks_ext::sync::diff(il, *workspace, dir, &options)
            })
            .await?;
            diff::finish(cli.json, &report)
        }
        Command::Room { what } => crate::room::run(cli, il, what).await,
        _ => dispatch_other(cli, ctx).await.map(|()| Status::Done),
    }
}

async fn dispatch_other(cli: &Cli, ctx: &Context) -> CliResult {
    let il = &ctx.il;
    match &cli.command {
        Command::Login
        | Command::Logout
        | Command::Auth { .. }
        | Command::Completions { .. }
        | Command::Man { .. }
        | Command::Diff { .. }
        | Command::Room { .. } => unreachable_command(),
        Command::Report { what } => crate::report::run(cli, il, what).await,
        Command::Workspaces => {
            let list: Vec<_> = il.list_all_workspaces().try_collect().await.map_err(err)?;
            if cli.json {
                return output::json(&list);
            }
            let rows = list
                .iter()
                .map(|w| {
                    vec![
                        w.id.to_string(),
                        w.name
                            .clone()
                            .or(w.workspace_name.clone())
                            .unwrap_or_default(),
                        w.phase.clone().unwrap_or_default(),
                        w.security_level.map(|l| l.to_string()).unwrap_or_default(),
                        w.host.clone().unwrap_or_default(),
                    ]
                })
                .collect::<Vec<_>>();
            output::table(&["ID", "NAME", "PHASE", "SECURITY", "HOST"], &rows);
            Ok(())
        }
        Command::Enter { workspace, v1 } => {
            let mut prompter = TerminalPrompter::new(entry_flags(cli), ctx.otp_hint.clone());
            let entered = if *v1 {
                il.enter_v1(*workspace, &mut prompter).await
            } else {
                il.enter(*workspace, &mut prompter).await
            }
            .map_err(err)?;
            if cli.json {
                return output::json(&serde_json::json!({
                    "workspaceId": entered.workspace_id,
                    "states": entered.states,
                    "numOfAttempts": entered.attempts,
                }));
            }
            say!(
                "entered workspace {} ({})",
                entered.workspace_id,
                entered
                    .states
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" -> ")
            );
            Ok(())
        }
        Command::Splash { workspace, image } => {
            let answer = il
                .api()
                .get_splash()
                .workspace_id(*workspace)
                .send()
                .checked()
                .await
                .map_err(err)?;
            if let Some(path) = image {
                let written = il.save_splash_image(*workspace, path).await.map_err(err)?;
                tell!(
                    "splash image saved to {}",
                    output::safe(&written.display().to_string())
                );
            }
            if cli.json {
                return output::json(&answer.splash);
            }
            match answer.splash {
                Some(s) => {
                    say!("{}", s.splash_text.unwrap_or_default());
                    say!(
                        "\n(accept with: intralinks enter {workspace} --accept-splash{})",
                        if s.has_image == Some(true) {
                            "; has an image: use --image PATH"
                        } else {
                            ""
                        }
                    );
                }
                None => say!("workspace {workspace} has no splash screen"),
            }
            Ok(())
        }
        Command::Folders { workspace } => {
            let folders = in_workspace(cli, ctx, *workspace, || {
                il.api()
                    .list_folders()
                    .workspace_id(*workspace)
                    .send()
                    .checked()
            })
            .await?
            .folder;
            if cli.json {
                return output::json(&folders);
            }
            print_tree(&folders);
            Ok(())
        }
        Command::Documents { workspace, folder } => {
            let mut docs = in_workspace(cli, ctx, *workspace, || {
                let mut call = il.api().list_documents().workspace_id(*workspace);
                if let Some(f) = folder {
                    call = call.folder_id(*f);
                }
                call.send().checked()
            })
            .await?
            .document;
            if let Some(f) = folder {
                docs.retain(|d| d.parent_id == Some(*f));
            }
            if cli.json {
                return output::json(&docs);
            }
            let rows = docs
                .iter()
                .map(|d| {
                    vec![
                        d.id.to_string(),
                        d.name.clone().unwrap_or_default(),
                        output::size(d.file_size),
                        d.parent_id.map(|p| p.to_string()).unwrap_or_default(),
                        output::date(d.last_modified_on.or(d.created_on)),
                    ]
                })
                .collect::<Vec<_>>();
            output::table(&["ID", "NAME", "SIZE", "FOLDER", "MODIFIED (UTC)"], &rows);
            Ok(())
        }
        Command::Download {
            workspace,
            document,
            output: out,
            force,
        } => {
            let doc =
                in_workspace(cli, ctx, *workspace, || il.document(*workspace, *document)).await?;
            let dest = match out.as_deref().map(crate::target::output).transpose()? {
                Some(crate::target::Output::File(p)) => p,
                Some(crate::target::Output::Stdout) => {
                    return download_through(cli, il, *workspace, &doc, None).await;
                }
                Some(crate::target::Output::Through(p)) => {
                    return download_through(cli, il, *workspace, &doc, Some(&p)).await;
                }
                None => {
                    let name =
                        intralinks_ext::sync::names::local_component(&mirror::file_name(&doc)).name;
                    let dest = PathBuf::from(name);
                    if !force && std::fs::symlink_metadata(&dest).is_ok() {
                        return Err(format!(
                            "{} already exists here and was left alone: pass --force to replace it, or -o to write elsewhere",
                            dest.display()
                        ));
                    }
                    dest
                }
            };
            let bar = progress_bar(
                cli.quiet,
                &mirror::file_name(&doc),
                doc.file_size.and_then(|s| u64::try_from(s).ok()),
            );
            let download = il.download_document(
                *workspace,
                &doc,
                &dest,
                bar.as_ref().map(|(_, f)| f.clone()),
            );
            // Ctrl-C keeps what arrived for the next run, and says where.
            let done = tokio::select! {
                d = download => d,
                _ = tokio::signal::ctrl_c() => {
                    if let Some((b, _)) = &bar {
                        b.finish_and_clear();
                    }
                    // The writer stops at the write it is in; let it end.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    return Err(match intralinks_ext::partial_download(&dest) {
                        Some((part, bytes)) => format!(
                            "stopped: the {bytes} bytes received are kept in {}; run the same command again to go on from there",
                            intralinks_ext::text::for_terminal(&part.display().to_string())
                        ),
                        None => "stopped before any byte arrived".to_string(),
                    });
                }
            };
            if let Some((b, _)) = &bar {
                b.finish_and_clear();
            }
            if let (Err(_), Some((part, bytes))) = (&done, intralinks_ext::partial_download(&dest))
            {
                eprintln!(
                    "note: the {bytes} bytes received are kept in {}; run the same command again to go on from there",
                    intralinks_ext::text::for_terminal(&part.display().to_string())
                );
            }
            let done = done.map_err(err)?;
            if cli.json {
                return output::json(&serde_json::json!({
                    "id": doc.id, "path": done.path, "bytes": done.bytes, "fileHashDownload": done.sha1_base64, "verified": true,
                }));
            }
            say!(
                "{} ({} bytes, SHA-1 verified)",
                output::safe(&done.path.display().to_string()),
                done.bytes
            );
            Ok(())
        }
        Command::Upload {
            workspace,
            folder,
            file,
            name,
        } => {
            // `-` is standard input, spooled to a private temporary file so
            // that the upload knows its length and can be sent again.
            let spool = if file.as_os_str() == "-" {
                if name.is_none() {
                    return Err(
                        "uploading standard input needs --name NAME for the document".into(),
                    );
                }
                Some(crate::target::spool_stdin().await?)
            } else {
                None
            };
            let file = spool.as_ref().map_or(file.as_path(), |s| s.path());
            let len = std::fs::metadata(file).ok().map(|m| m.len());
            let bar = progress_bar(cli.quiet, &file.display().to_string(), len);
            // A create refused with 303 created nothing, so running it again after entry is safe.
            let up = in_workspace(cli, ctx, *workspace, || {
                il.upload(
                    intralinks_ext::FolderRef {
                        workspace_id: *workspace,
                        folder_id: *folder,
                    },
                    file,
                    name.as_deref(),
                    bar.as_ref().map(|(_, f)| f.clone()),
                )
            })
            .await;
            if let Some((b, _)) = &bar {
                b.finish_and_clear();
            }
            let up = up?;
            if cli.json {
                return output::json(&serde_json::json!({
                    "id": up.document_id, "version": up.version, "bytes": up.bytes, "fileHashDownload": up.sha1_base64,
                }));
            }
            let shown = match (&spool, name) {
                (Some(_), Some(n)) => format!("standard input as {n}"),
                _ => file.display().to_string(),
            };
            say!(
                "uploaded {} as document {} ({} bytes)",
                output::safe(&shown),
                up.document_id,
                up.bytes
            );
            Ok(())
        }
        Command::Mirror {
            workspace,
            dir,
            folder,
            delete,
            force,
            dry_run,
            yes,
            sync,
        } => {
            // What the mirror would do, written nowhere.
            let plan = || async {
                let options = intralinks_ext::sync::SyncOptions {
                    delete: *delete,
                    force: *force,
                    dry_run: true,
                    ..sync.plain_options(*folder)
                };
                in_workspace(cli, ctx, *workspace, || {
                    intralinks_ext::sync::mirror(il, *workspace, dir, &options)
                })
                .await
            };
            if *dry_run {
                return mirror::finish_plan(cli.json, &plan().await?);
            }
            // --delete on a terminal: name what would go, and ask first.
            let mut delete = *delete;
            if delete && !*yes && crate::prompt::interactive() {
                let plan = plan().await?;
                let doomed: Vec<&str> = plan
                    .planned
                    .iter()
                    .filter(|p| p.action == "delete")
                    .map(|p| p.path.as_str())
                    .collect();
                if !doomed.is_empty() {
                    for p in &doomed {
                        tell!("would delete: {}", output::safe(p));
                    }
                    let answer = crate::prompt::ask_line(&format!(
                        "Delete these {} local file(s), whose documents left the room? [y/N] ",
                        doomed.len()
                    ));
                    if !answer.is_some_and(|a| {
                        a.eq_ignore_ascii_case("y") || a.eq_ignore_ascii_case("yes")
                    }) {
                        tell!("nothing will be deleted; mirroring the rest");
                        delete = false;
                    }
                }
            }
            let (hook, display) = crate::progress::start("mirror", cli.quiet, status_every(cli));
            let options = intralinks_ext::sync::SyncOptions {
                delete,
                force: *force,
                progress: hook,
                ..sync.options(*folder)
            };
            let report = in_workspace(cli, ctx, *workspace, || {
                intralinks_ext::sync::mirror(il, *workspace, dir, &options)
            })
            .await;
            display.finish();
            mirror::finish(cli.json, *workspace, dir, &report?)
        }
        Command::Push {
            workspace,
            dir,
            folder,
            dry_run,
            sync,
        } => {
            if *dry_run {
                let options = intralinks_ext::sync::SyncOptions {
                    dry_run: true,
                    ..sync.plain_options(Some(*folder))
                };
                let report = in_workspace(cli, ctx, *workspace, || {
                    intralinks_ext::sync::push(il, *workspace, dir, &options)
                })
                .await?;
                return push::finish_plan(cli.json, &report);
            }
            let (hook, display) = crate::progress::start("push", cli.quiet, status_every(cli));
            let options = intralinks_ext::sync::SyncOptions {
                progress: hook,
                ..sync.options(Some(*folder))
            };
            let report = in_workspace(cli, ctx, *workspace, || {
                intralinks_ext::sync::push(il, *workspace, dir, &options)
            })
            .await;
            display.finish();
            push::finish(cli.json, *folder, dir, &report?)
        }
        Command::Groups {
            action: Some(action),
            ..
        } => crate::manage::groups(cli, il, action).await,
        Command::Members { action } => crate::manage::members(cli, il, action).await,
        Command::Permissions { action } => crate::manage::permissions(cli, il, action).await,
        Command::Groups {
            workspace: None, ..
        } => Err("name the workspace: intralinks groups WS".into()),
        Command::Groups {
            workspace: Some(workspace),
            ..
        } => {
            let groups = in_workspace(cli, ctx, *workspace, || {
                il.api()
                    .list_groups()
                    .workspace_id(*workspace)
                    .send()
                    .checked()
            })
            .await?
            .groups;
            if cli.json {
                return output::json(&groups);
            }
            let rows = groups
                .iter()
                .map(|g| {
                    vec![
                        g.id.to_string(),
                        g.group_name.clone().or(g.name.clone()).unwrap_or_default(),
                        g.group_type.clone().unwrap_or_default(),
                        g.group_member_count
                            .map(|c| c.to_string())
                            .unwrap_or_default(),
                    ]
                })
                .collect::<Vec<_>>();
            output::table(&["ID", "NAME", "TYPE", "MEMBERS"], &rows);
            Ok(())
        }
        Command::Users { workspace } => {
            let users = in_workspace(cli, ctx, *workspace, || {
                il.api()
                    .list_workspace_members()
                    .workspace_id(*workspace)
                    .send()
                    .checked()
            })
            .await?
            .users;
            if cli.json {
                return output::json(&users);
            }
            let rows = users
                .iter()
                .map(|u| {
                    vec![
                        u.id.to_string(),
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
                })
                .collect::<Vec<_>>();
            output::table(&["ID", "EMAIL", "NAME", "ORGANIZATION", "ROLE"], &rows);
            Ok(())
        }
    }
}

/// `download -o -` or `-o` onto a pipe or device: the bytes are streamed as
/// they arrive, checked against the SHA-1 at the end (a mismatch fails the
/// command: whoever reads must discard what came), and nothing is replaced.
async fn download_through(
    cli: &Cli,
    il: &Intralinks,
    workspace: i64,
    doc: &intralinks_ext::types::Document,
    path: Option<&std::path::Path>,
) -> CliResult {
    let bar = progress_bar(
        cli.quiet,
        &mirror::file_name(doc),
        doc.file_size.and_then(|s| u64::try_from(s).ok()),
    );
    let progress = bar.as_ref().map(|(_, f)| f.clone());
    let written = match path {
        None => {
            let mut out = tokio::io::stdout();
            let w = il.download_into(workspace, doc, &mut out, progress).await;
            tokio::io::AsyncWriteExt::flush(&mut out)
                .await
                .map_err(|e| format!("cannot write to standard output: {e}"))?;
            w
        }
        Some(p) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(p)
                .map_err(|e| {
                    format!(
                        "cannot open {}: {e}",
                        output::safe(&p.display().to_string())
                    )
                })?;
            let mut out = tokio::fs::File::from_std(file);
            let w = il.download_into(workspace, doc, &mut out, progress).await;
            tokio::io::AsyncWriteExt::flush(&mut out)
                .await
                .map_err(|e| {
                    format!(
                        "cannot write {}: {e}",
                        output::safe(&p.display().to_string())
                    )
                })?;
            w
        }
    };
    if let Some((b, _)) = &bar {
        b.finish_and_clear();
    }
    let written = written.map_err(err)?;
    if !cli.quiet {
        tell!(
            "{} bytes of document {} written to {}, SHA-1 verified",
            written.bytes,
            doc.id,
            path.map_or("standard output".to_string(), |p| output::safe(
                &p.display().to_string()
            )
            .into_owned())
        );
    }
    Ok(())
}

fn unreachable_command() -> CliResult {
    Err("login, logout, auth, completions, man, diff and room are handled elsewhere".into())
}

/// Prints the folder tree, placed by the library's one rule
/// (`intralinks_ext::tree`): orphans, broken cycles and slices deeper than 64
/// levels at the top. No recursion, so no depth can overflow the stack.
fn print_tree(folders: &[Folder]) {
    let forest = intralinks_ext::tree::Forest::new(folders.iter().map(|f| (f.id, f.parent_id)));
    let mut seen = std::collections::HashSet::new();
    let mut children: BTreeMap<Option<i64>, Vec<&Folder>> = BTreeMap::new();
    for f in folders {
        if seen.insert(f.id) {
            children
                .entry(forest.shown_parent(f.id))
                .or_default()
                .push(f);
        }
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| {
            (a.order_number, &a.index_number, &a.name, a.id).cmp(&(
                b.order_number,
                &b.index_number,
                &b.name,
                b.id,
            ))
        });
    }
    // (folder, prefix of its line, prefix of its children's lines); pushed
    // in reverse so that the first child is printed first.
    let mut stack: Vec<(&Folder, String, String)> = Vec::new();
    fn push<'a>(
        children: &BTreeMap<Option<i64>, Vec<&'a Folder>>,
        stack: &mut Vec<(&'a Folder, String, String)>,
        parent: Option<i64>,
        prefix: &str,
    ) {
        let Some(list) = children.get(&parent) else {
            return;
        };
        for (i, f) in list.iter().enumerate().rev() {
            let last = i + 1 == list.len();
            let (line, next) = if parent.is_none() {
                (String::new(), String::new())
            } else if last {
                (format!("{prefix}└── "), format!("{prefix}    "))
            } else {
                (format!("{prefix}├── "), format!("{prefix}│   "))
            };
            stack.push((f, line, next));
        }
    }
    push(&children, &mut stack, None, "");
    while let Some((f, line, next)) = stack.pop() {
        let note = forest
            .placed(f.id)
            .and_then(|p| p.notice())
            .map(|n| format!("  ({n})"))
            .unwrap_or_default();
        say!(
            "{line}{} [{}]{note}",
            output::safe(f.name.as_deref().unwrap_or("(unnamed)")),
            f.id
        );
        push(&children, &mut stack, Some(f.id), &next);
    }
}
