//! What a deal team follows once documents are up: `postings` (the bulk
//! uploads of a room) and `watch` (each document new, changed or removed in
//! a room, as it appears).
//!
//! `watch` compares listings through the library's change feed
//! (`intralinks_ext::changes`) and keeps its point in a state file — beside
//! the saved session (`watch/HOST-WS.json`) or `--state FILE` — written
//! whole or not at all after every check, and locked for the run, so a
//! restart goes on where the last run stopped and two watchers of one state
//! file cannot both write it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Subcommand;
use intralinks_ext::atomic::AtomicFile;
use intralinks_ext::changes::{CURSOR_LIMIT, Change, ChangeCursor};

use crate::advice::{CliError, CliResult, Status, err};
use crate::context::Context;
use crate::output::{safe, say, tell};
use crate::saved;

/// The commands that follow what is posted.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List a workspace's postings (bulk uploads), newest first: id, created, by whom, documents.
    Postings {
        /// Workspace id.
        workspace: i64,
    },
    /// Print each document new, changed or removed in a workspace as it appears; remembers where it stopped.
    ///
    /// The first run starts from the room as it is (nothing printed; --from-start prints every
    /// document as new); later runs go on from the state file. With --json, one JSON object per
    /// line. Runs until Ctrl-C, or one check with --once.
    Watch {
        /// Workspace id.
        workspace: i64,
        /// Time between two checks: 60s, 5m, 1h (at least 1s).
        #[arg(long, value_name = "INTERVAL", default_value = "60s", value_parser = parse_every)]
        every: Duration,
        /// The state file [default: watch/HOST-WORKSPACE.json beside the saved session].
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
        /// One check, then exit (for scripts, cron and tests).
        #[arg(long)]
        once: bool,
        /// With no state yet, print every document in the room as new instead of starting from now.
        #[arg(long)]
        from_start: bool,
    },
}

/// An interval: `N` seconds, or `Ns`, `Nm`, `Nh`; from 1 s to 7 days.
fn parse_every(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => t.split_at(at),
        None => (t, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(format!("{text:?} is not an interval: give 30s, 5m or 1h")),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not an interval: give 30s, 5m or 1h"))?;
    let secs = n.saturating_mul(scale);
    if !(1..=7 * 24 * 3600).contains(&secs) {
        return Err(format!(
            "{text:?} is out of range: give an interval from 1s to 168h"
        ));
    }
    Ok(Duration::from_secs(secs))
}

impl Command {
    /// Runs the command.
    pub async fn run(self, ctx: &Context) -> CliResult<Status> {
        match self {
            Command::Postings { workspace } => {
                postings(ctx, workspace).await?;
                Ok(Status::Done)
            }
            Command::Watch {
                workspace,
                every,
                state,
                once,
                from_start,
            } => {
                let path = match state {
                    Some(p) => p,
                    None => default_state(&ctx.base_url, workspace)?,
                };
                watch(ctx, workspace, every, &path, once, from_start).await?;
                Ok(Status::Done)
            }
        }
    }
}

/// One posting as listed.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Posting {
    id: i64,
    created_date: Option<intralinks_ext::Millis>,
    created_by: Option<intralinks_ext::types::Person>,
    operation_type: Option<String>,
    batch_size: Option<i32>,
    /// The documents in it, counted (`GET …/batches/{id}`).
    items: usize,
}

async fn postings(ctx: &Context, workspace: i64) -> CliResult {
    let il = ctx.il().await?;
    let batches = ctx
        .in_workspace(workspace, || il.bulk_uploads(workspace))
        .await?;
    let mut list = Vec::with_capacity(batches.len());
    for b in batches {
        let items = il.batch_items(workspace, b.id).await.map_err(err)?.len();
        list.push(Posting {
            id: b.id,
            created_date: b.created_date,
            created_by: b.created_by,
            operation_type: b.operation_type,
            batch_size: b.batch_size,
            items,
        });
    }
    if !ctx.out.json && list.is_empty() {
        return tell!(
            ctx.out,
            "workspace {workspace} has no postings (bulk uploads)"
        );
    }
    ctx.out
        .listing(&list, &["ID", "CREATED (UTC)", "BY", "DOCUMENTS"], |p| {
            let by = p
                .created_by
                .as_ref()
                .map(|b| {
                    format!(
                        "{} {}",
                        b.first_name.as_deref().unwrap_or_default(),
                        b.last_name.as_deref().unwrap_or_default()
                    )
                    .trim()
                    .to_string()
                })
                .unwrap_or_default();
            vec![
                p.id.to_string(),
                crate::output::date(p.created_date),
                by,
                p.items.to_string(),
            ]
        })
}

/// `watch/HOST-WORKSPACE.json` in the saved session's directory.
fn default_state(base_url: &str, workspace: i64) -> CliResult<PathBuf> {
    let session = saved::path().ok_or_else(|| {
        CliError::new("cannot tell where the session is saved, so where to keep watch's state")
            .with_hint("give --state FILE, or set INTRALINKS_SESSION_FILE")
    })?;
    let dir = session.parent().unwrap_or(Path::new(".")).join("watch");
    Ok(dir.join(state_name(base_url, workspace)))
}

/// `HOST-WORKSPACE.json` (the port after the host with `_`), safe as a file name.
fn state_name(base_url: &str, workspace: i64) -> String {
    let host = intralinks_ext::url::Url::parse(base_url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| {
                format!(
                    "{h}{}",
                    u.port().map(|p| format!("_{p}")).unwrap_or_default()
                )
            })
        })
        .unwrap_or_else(|| base_url.to_string());
    format!(
        "{}-{workspace}.json",
        intralinks_ext::fsname::safe_component(&host)
    )
}

/// Takes the state file's lock (`FILE.lock`) for the run, or says who has it.
fn lock_state(path: &Path) -> CliResult<std::fs::File> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    let file = intralinks_ext::lock::open_nofollow(
        &lock_path,
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
        0o600,
    )
    .map_err(err)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(CliError::new(format!(
            "another `intralinks watch` is using the state file {}",
            safe(&path.display().to_string())
        ))
        .with_hint("stop it first, or give this one its own --state FILE")),
        Err(std::fs::TryLockError::Error(e)) => Err(CliError::new(format!(
            "cannot lock {}: {e}",
            safe(&lock_path.display().to_string())
        ))),
    }
}

/// The saved point in `path`, if there is one, checked to be of `workspace`.
fn load_state(path: &Path, workspace: i64) -> CliResult<Option<ChangeCursor>> {
    let shown = || safe(&path.display().to_string()).into_owned();
    let file = match intralinks_ext::lock::open_nofollow(
        path,
        std::fs::OpenOptions::new().read(true),
        0o600,
    ) {
        Ok(f) => f,
        Err(intralinks_ext::Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Ok(None);
        }
        Err(e) => return Err(err(e)),
    };
    let mut bytes = Vec::new();
    use std::io::Read;
    file.take(CURSOR_LIMIT as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::new(format!("cannot read {}: {e}", shown())))?;
    let cursor = ChangeCursor::from_json(&bytes).map_err(|e| {
        CliError::new(format!("the watch state {}: {e}", shown()))
            .with_hint("remove it to start again from the room as it is now")
    })?;
    if cursor.workspace_id() != workspace {
        return Err(CliError::usage(format!(
            "the watch state {} is of workspace {}, not {workspace}",
            shown(),
            cursor.workspace_id()
        ))
        .with_hint("give each workspace its own --state FILE"));
    }
    Ok(Some(cursor))
}

/// Writes `cursor` to `path`, whole or not at all.
fn save_state(path: &Path, cursor: &ChangeCursor) -> CliResult {
    let mut f = AtomicFile::create(path).map_err(err)?;
    let bytes = cursor.to_json().map_err(err)?;
    std::io::Write::write_all(&mut f, &bytes).map_err(|e| {
        CliError::new(format!(
            "cannot write {}: {e}",
            safe(&path.display().to_string())
        ))
    })?;
    f.commit().map_err(err)
}

/// Prints one change: a line for people, or a JSON object per line.
fn print(ctx: &Context, workspace: i64, c: &Change) -> CliResult {
    if ctx.out.json {
        let mut value = serde_json::to_value(c).map_err(|e| e.to_string())?;
        if let Some(map) = value.as_object_mut() {
            map.insert("workspaceId".into(), workspace.into());
        }
        return ctx.out.print_json_line(&value);
    }
    let version = c.version.map(|v| format!("  v{v}")).unwrap_or_default();
    let what = if c.what.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = c.what.iter().map(ToString::to_string).collect();
        format!(" ({})", names.join(", "))
    };
    say!(
        ctx.out,
        "{:<7}  {}  {}{version}{what}",
        c.kind.to_string(),
        c.document_id,
        safe(&c.path)
    )
}

async fn watch(
    ctx: &Context,
    workspace: i64,
    every: Duration,
    path: &Path,
    once: bool,
    from_start: bool,
) -> CliResult {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::new(format!(
                "cannot create {}: {e}",
                safe(&dir.display().to_string())
            ))
        })?;
    }
    let _lock = lock_state(path)?;
    let il = ctx.il().await?;
    let shown = safe(&path.display().to_string()).into_owned();
    let mut cursor = match load_state(path, workspace)? {
        Some(c) => {
            if !once {
                tell!(
                    ctx.out,
                    "watching workspace {workspace} (state in {shown}, a check every {}s)",
                    every.as_secs()
                )?;
            }
            c
        }
        None if from_start => {
            if !once {
                tell!(
                    ctx.out,
                    "watching workspace {workspace} from the start (state in {shown}, a check every {}s)",
                    every.as_secs()
                )?;
            }
            ChangeCursor::empty(workspace)
        }
        None => {
            let point = ctx
                .in_workspace(workspace, || il.change_point(workspace))
                .await?;
            save_state(path, &point)?;
            tell!(
                ctx.out,
                "watching workspace {workspace} from now: {} documents; state in {shown}{}",
                point.len(),
                if once {
                    String::new()
                } else {
                    format!("; a check every {}s", every.as_secs())
                }
            )?;
            if once {
                return Ok(());
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
            point
        }
    };
    let mut first = true;
    loop {
        // Whether the check's failure may pass by itself (the service busy, the link down).
        let transient = std::cell::Cell::new(false);
        let checked = ctx
            .in_workspace(workspace, || {
                let transient = &transient;
                let since = &cursor;
                async move {
                    let r = il.changes(since).await;
                    if let Err(e) = &r {
                        transient.set(e.is_transient());
                    }
                    r
                }
            })
            .await;
        match checked {
            Ok(feed) => {
                for c in &feed.changes {
                    print(ctx, workspace, c)?;
                }
                save_state(path, &feed.cursor)?;
                cursor = feed.cursor;
            }
            // A long watch outlives a passing failure; the first check and anything else end it.
            Err(e) if transient.get() && !first && !once => {
                tell!(
                    ctx.out,
                    "check failed ({e}); trying again in {}s",
                    every.as_secs()
                )?;
            }
            Err(e) => return Err(e),
        }
        first = false;
        if once {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_every("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_every("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_every("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_every("15"), Ok(Duration::from_secs(15)));
        assert_eq!(
            parse_every("0s"),
            Err("\"0s\" is out of range: give an interval from 1s to 168h".into())
        );
        assert_eq!(
            parse_every("1d"),
            Err("\"1d\" is not an interval: give 30s, 5m or 1h".into())
        );
        assert_eq!(
            parse_every("s"),
            Err("\"s\" is not an interval: give 30s, 5m or 1h".into())
        );
    }

    #[test]
    fn the_default_state_is_per_host_and_workspace() {
        assert_eq!(
            state_name("https://api.intralinks.com", 7),
            "api.intralinks.com-7.json"
        );
        assert_eq!(
            state_name("http://127.0.0.1:8080", 7),
            "127.0.0.1_8080-7.json"
        );
        assert_eq!(state_name("not a url/..", 7), "not a url_-7.json");
    }
}
