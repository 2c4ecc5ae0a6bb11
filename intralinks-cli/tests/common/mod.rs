//! What the binary's end-to-end tests share: running `intralinks` against a
//! simulator, reading what it printed, and a library client for setting up.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
use intralinks_sim::{Simulator, demo};

/// The binary, with the demo account's credentials and a session file in `cwd`.
pub fn command(url: &str, args: &[&str], cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_intralinks"));
    c.current_dir(cwd)
        .env_clear()
        .env("INTRALINKS_BASE_URL", url)
        .env("INTRALINKS_CLIENT_ID", demo::CLIENT_ID)
        .env("INTRALINKS_CLIENT_SECRET", demo::CLIENT_SECRET)
        .env("INTRALINKS_EMAIL", demo::EMAIL)
        .env("INTRALINKS_PASSWORD", demo::PASSWORD)
        .env("INTRALINKS_SESSION_FILE", cwd.join("session.json"))
        .args(args);
    c
}

/// Runs `command` to the end.
pub async fn run(url: &str, args: &[&str], cwd: &Path) -> Output {
    output(command(url, args, cwd)).await
}

/// Runs the binary with only the base URL and the session file: no credentials.
pub async fn run_saved(url: &str, args: &[&str], cwd: &Path) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_intralinks"));
    c.current_dir(cwd)
        .env_clear()
        .env("INTRALINKS_BASE_URL", url)
        .env("INTRALINKS_SESSION_FILE", cwd.join("session.json"))
        .args(args);
    output(c).await
}

async fn output(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap()
}

/// What it printed on stdout.
pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What it printed on stderr.
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// stdout as JSON, or a panic that shows both streams.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {} / {}", out(o), err(o)))
}

/// A library client logged in to `sim` as the demo user.
pub async fn library(sim: &Simulator) -> Intralinks {
    Intralinks::builder(sim.url())
        .login(
            AppKeys {
                client_id: demo::CLIENT_ID.into(),
                client_secret: Secret::new(demo::CLIENT_SECRET),
            },
            Grant::Password {
                email: demo::EMAIL.into(),
                password: Secret::new(demo::PASSWORD),
                end_other_sessions: false,
            },
        )
        .await
        .unwrap()
}
