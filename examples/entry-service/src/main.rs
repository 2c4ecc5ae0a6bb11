//! Runs the example service: `INTRALINKS_BASE_URL`, `INTRALINKS_CLIENT_ID`,
//! `INTRALINKS_CLIENT_SECRET`, and `ENTRY_SERVICE_TOKENS` (the token file;
//! default `./tokens.json`); it listens on 127.0.0.1:8080 (or
//! `ENTRY_SERVICE_ADDR`). With `INTRALINKS_EMAIL` and `INTRALINKS_PASSWORD`
//! it logs in with them at start; without, a person logs it in by opening
//! `/login` in a browser (`ENTRY_SERVICE_REDIRECT_URI`: the redirect URI to
//! name, this service's `/login/callback` as the app registered it).

use intralinks_entry_service::{Config, Service};
use intralinks_ext::{AppKeys, Grant, Secret};

fn var(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main]
async fn main() -> Result<(), String> {
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
        redirect_uri: std::env::var("ENTRY_SERVICE_REDIRECT_URI").ok(),
        token_file: std::env::var("ENTRY_SERVICE_TOKENS")
            .unwrap_or_else(|_| "tokens.json".into())
            .into(),
    };
    let service = Service::start(&config).await.map_err(|e| e.to_string())?;
    let addr = std::env::var("ENTRY_SERVICE_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
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
    service.stop().await.map_err(|e| e.to_string())
}
