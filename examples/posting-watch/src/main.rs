//! Runs the example service: `INTRALINKS_BASE_URL`, `INTRALINKS_CLIENT_ID`,
//! `INTRALINKS_CLIENT_SECRET`, `POSTING_WATCH_WORKSPACE` (the workspace
//! watched), `POSTING_WATCH_ARCHIVE` (default `./archive`),
//! `POSTING_WATCH_STATE` (the service's own directory, where the library
//! keeps the session; default `./state`), `POSTING_WATCH_EVERY` (seconds
//! between scans; default 300, 0 for none but on request),
//! `POSTING_WATCH_ACCEPT_SPLASH=1` to accept a workspace's splash screen;
//! with `INTRALINKS_EMAIL` and `INTRALINKS_PASSWORD` it logs in when no
//! session is stored (and again should the stored one end). It listens on
//! 127.0.0.1:8080 (or `POSTING_WATCH_ADDR`).

use std::time::Duration;

use intralinks_ext::{AppKeys, FixedAnswers, Grant, Secret};
use posting_watch::{Config, Service};

fn var(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

fn var_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.into())
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let every: u64 = var_or("POSTING_WATCH_EVERY", "300")
        .parse()
        .map_err(|_| "POSTING_WATCH_EVERY is a number of seconds".to_string())?;
    let config = Config {
        base_url: var("INTRALINKS_BASE_URL")?,
        keys: AppKeys {
            client_id: var("INTRALINKS_CLIENT_ID")?,
            client_secret: Secret::new(var("INTRALINKS_CLIENT_SECRET")?),
        },
        login: match (var("INTRALINKS_EMAIL"), var("INTRALINKS_PASSWORD")) {
            (Ok(email), Ok(password)) => Some(Grant::Password {
                email,
                password: Secret::new(password),
                end_other_sessions: false,
            }),
            _ => None,
        },
        state: var_or("POSTING_WATCH_STATE", "state").into(),
        workspace: var("POSTING_WATCH_WORKSPACE")?
            .parse()
            .map_err(|_| "POSTING_WATCH_WORKSPACE is a workspace id".to_string())?,
        archive: var_or("POSTING_WATCH_ARCHIVE", "archive").into(),
        entry: FixedAnswers {
            accept_splash: var_or("POSTING_WATCH_ACCEPT_SPLASH", "") == "1",
            ..FixedAnswers::default()
        },
        every: (every > 0).then(|| Duration::from_secs(every)),
    };
    let service = Service::start(&config).await.map_err(|e| e.to_string())?;
    let addr = var_or("POSTING_WATCH_ADDR", "127.0.0.1:8080");
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("listening on http://{addr}");
    axum::serve(listener, service.router())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())?;
    // What the scan under way fetched is kept; the next start goes on from it.
    service.stop_scan();
    Ok(())
}
