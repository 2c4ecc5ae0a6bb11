//! An example service built on `intralinks-ext`: it lets its own users enter
//! an Intralinks workspace one step at a time — the splash in one HTTP
//! request, the security answer in the next, the one-time password when it
//! arrives by mail, minutes later — and then fetch documents.
//!
//! What it shows:
//! - the entry API is `Send` and driven one step at a time: each HTTP request
//!   sends only the entry requests it needs (no replay of earlier steps), and
//!   the [`EntryProgress`] between two requests is kept serialised, as a real
//!   service would keep it in its own store;
//! - the OAuth session survives restarts: every new token pair is written to
//!   a 0600 file (refresh tokens are single-use), and the next start goes on
//!   from it without logging in again;
//! - a document is fetched into memory ([`Intralinks::download_into`]) and
//!   checked against its SHA-1 before it is served.
//!
//! Routes:
//! - `POST /workspaces/{ws}/entry` starts entry; answers what the user must give;
//! - `POST /workspaces/{ws}/entry/reply` with `{"acceptSplash": true,
//!   "answer": "...", "oneTimePassword": "...", "contentDeclaration": "PUBLIC"}`
//!   (any of them) goes on as far as the replies given allow;
//! - `GET /workspaces/{ws}/documents/{doc}` serves a document's bytes.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use intralinks_ext::types::ContentDeclaration;
use intralinks_ext::{
    AppKeys, Demand, EntryProgress, EntryStep, Error, Grant, Intralinks, Reply, Secret, TokenPair,
};
use serde::Deserialize;
use serde_json::json;

/// How the service reaches Intralinks.
#[derive(Debug, Clone)]
pub struct Config {
    /// Host root, e.g. `https://test-api.intralinks.com`.
    pub base_url: String,
    /// The app's keys.
    pub keys: AppKeys,
    /// How to log in when there is no stored session.
    pub login: Grant,
    /// Where the token pair is kept between runs (written 0600).
    pub token_file: PathBuf,
}

/// The running service: one client, and the entries waiting for their users.
pub struct Service {
    il: Intralinks,
    token_file: PathBuf,
    /// Serialised [`EntryProgress`] by workspace, as a real service would
    /// keep it in its session store.
    entries: Mutex<HashMap<i64, String>>,
    persister: tokio::task::JoinHandle<()>,
}

impl Service {
    /// Goes on with the stored session when there is one, else logs in; then
    /// writes every new token pair to the token file as it is handed out.
    pub async fn start(config: &Config) -> Result<Arc<Self>, Error> {
        let builder = Intralinks::builder(config.base_url.clone());
        let il = match read_tokens(&config.token_file)? {
            Some(pair) => builder.session(config.keys.clone(), pair)?,
            None => {
                builder
                    .login(config.keys.clone(), config.login.clone())
                    .await?
            }
        };
        let session = il
            .session()
            .ok_or_else(|| Error::InvalidInput("the client has no session".into()))?;
        write_tokens(&config.token_file, &session.tokens().await)?;
        let mut rx = session.subscribe();
        let file = config.token_file.clone();
        let persister = tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let pair = rx.borrow_and_update().clone();
                let _ = write_tokens(&file, &pair);
            }
        });
        Ok(Arc::new(Self {
            il,
            token_file: config.token_file.clone(),
            entries: Mutex::new(HashMap::new()),
            persister,
        }))
    }

    /// Stops: writes the newest token pair one last time.
    pub async fn stop(&self) -> Result<(), Error> {
        self.persister.abort();
        if let Some(session) = self.il.session() {
            write_tokens(&self.token_file, &session.tokens().await)?;
        }
        Ok(())
    }

    /// The service's routes.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/workspaces/{ws}/entry", post(start_entry))
            .route("/workspaces/{ws}/entry/reply", post(reply))
            .route("/workspaces/{ws}/documents/{doc}", get(document))
            .with_state(self.clone())
    }

    fn keep(&self, step: &EntryStep) -> Result<(), Error> {
        if let EntryStep::Needs(progress) = step {
            let text = serde_json::to_string(progress.as_ref())
                .map_err(|e| Error::InvalidInput(format!("cannot keep the entry: {e}")))?;
            self.lock().insert(progress.workspace_id(), text);
        }
        Ok(())
    }

    fn take(&self, ws: i64) -> Option<EntryProgress> {
        let text = self.lock().remove(&ws)?;
        serde_json::from_str(&text).ok()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, String>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What the user gives in one HTTP request.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Replies {
    #[serde(default)]
    accept_splash: bool,
    answer: Option<String>,
    one_time_password: Option<String>,
    content_declaration: Option<ContentDeclaration>,
}

async fn start_entry(State(svc): State<Arc<Service>>, UrlPath(ws): UrlPath<i64>) -> Response {
    let result = async {
        let step = svc.il.start_entry(ws).await?;
        svc.keep(&step)?;
        Ok(step)
    }
    .await;
    answer(result)
}

async fn reply(
    State(svc): State<Arc<Service>>,
    UrlPath(ws): UrlPath<i64>,
    axum::Json(given): axum::Json<Replies>,
) -> Response {
    let Some(progress) = svc.take(ws) else {
        return (
            StatusCode::CONFLICT,
            axum::Json(
                json!({"error": format!("no entry of workspace {ws} is waiting; start it first")}),
            ),
        )
            .into_response();
    };
    let result = async {
        let mut given = given;
        let mut step = EntryStep::Needs(Box::new(progress));
        // Go on as far as the replies given allow; each is used once.
        while let EntryStep::Needs(progress) = step {
            let next = match progress.demand() {
                Demand::AcceptSplash { .. } if given.accept_splash => {
                    given.accept_splash = false;
                    Some(Reply::AcceptSplash)
                }
                Demand::SecurityQuestion { .. } => {
                    given.answer.take().map(|a| Reply::Answer(Secret::new(a)))
                }
                Demand::OneTimePassword => given
                    .one_time_password
                    .take()
                    .map(|p| Reply::OneTimePassword(Secret::new(p))),
                Demand::ContentDeclaration => given.content_declaration.take().map(Reply::Content),
                // Not accepted, or a demand this service does not know yet.
                _ => None,
            };
            match next {
                Some(r) => step = svc.il.resume_entry(&progress, r).await?,
                None => {
                    step = EntryStep::Needs(progress);
                    break;
                }
            }
        }
        svc.keep(&step)?;
        Ok(step)
    }
    .await;
    answer(result)
}

async fn document(
    State(svc): State<Arc<Service>>,
    UrlPath((ws, doc)): UrlPath<(i64, i64)>,
) -> Response {
    let result = async {
        let meta = svc.il.document(ws, doc).await?;
        let mut bytes = Vec::new();
        svc.il.download_into(ws, &meta, &mut bytes, None).await?;
        Ok::<_, Error>(bytes)
    }
    .await;
    match result {
        Ok(bytes) => (StatusCode::OK, bytes).into_response(),
        Err(e) => failure(e),
    }
}

fn answer(result: Result<EntryStep, Error>) -> Response {
    match result {
        Ok(EntryStep::Entered(entered)) => axum::Json(json!({
            "state": "entered",
            "states": entered.states,
        }))
        .into_response(),
        Ok(EntryStep::Needs(progress)) => axum::Json(json!({
            "state": "needs",
            "demand": progress.demand(),
            "attempts": progress.attempts(),
        }))
        .into_response(),
        // A step a newer library may add: the service cannot drive it.
        Ok(_) => (
            StatusCode::BAD_GATEWAY,
            "the entry took a step this service does not know",
        )
            .into_response(),
        Err(e) => failure(e),
    }
}

fn failure(e: Error) -> Response {
    let status = match &e {
        Error::InvalidInput(_) => StatusCode::BAD_REQUEST,
        Error::Blocked { .. } => StatusCode::FORBIDDEN,
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::EntryRequired { .. } => StatusCode::CONFLICT,
        _ => StatusCode::BAD_GATEWAY,
    };
    (status, axum::Json(json!({"error": e.to_string()}))).into_response()
}

/// The stored token pair, if any.
pub fn read_tokens(path: &Path) -> Result<Option<TokenPair>, Error> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Error::InvalidInput(format!(
                "{} is not a stored token pair ({e}); delete it to log in again",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Io {
            action: "cannot read",
            path: path.into(),
            source,
        }),
    }
}

/// Writes the pair atomically, readable by this user only.
pub fn write_tokens(path: &Path, pair: &TokenPair) -> Result<(), Error> {
    let io = |source| Error::Io {
        action: "cannot store the tokens in",
        path: path.into(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let text = serde_json::to_vec(pair)
        .map_err(|e| Error::InvalidInput(format!("cannot store the tokens: {e}")))?;
    temp.write_all(&text).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
