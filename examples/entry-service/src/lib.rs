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
//!   checked against its SHA-1 before it is served;
//! - a person logs the service in on Intralinks' own page, never on this
//!   one (OAuth authorization code, [`WebLogin`]): the service never sees
//!   their password, and the login it began is bound to their browser by a
//!   cookie, so a redirect someone else started is refused.
//!
//! Routes:
//! - `GET /login` sends the browser to the service's authorize page (a
//!   `login` cookie names the login begun); `GET /login/callback` is where
//!   it comes back with a code, which is exchanged for the service's session;
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
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use intralinks_ext::types::ContentDeclaration;
use intralinks_ext::{
    AppKeys, Demand, EntryProgress, EntryStep, Error, Grant, Intralinks, LoginRedirect, Reply,
    Secret, TokenPair, WebLogin,
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
    /// How to log in when there is no stored session: a password grant at
    /// start, or `None` to wait for a person to log in through `GET /login`.
    pub login: Option<Grant>,
    /// The redirect URI the web login names: this service's
    /// `/login/callback` as the app registered it (`None`: the app's
    /// registered one).
    pub redirect_uri: Option<String>,
    /// Where the token pair is kept between runs (written 0600).
    pub token_file: PathBuf,
}

/// The running service: one client once logged in, the web logins begun,
/// and the entries waiting for their users.
pub struct Service {
    base_url: String,
    keys: AppKeys,
    redirect_uri: Option<String>,
    il: Mutex<Option<Intralinks>>,
    token_file: PathBuf,
    /// Serialised [`EntryProgress`] by workspace, as a real service would
    /// keep it in its session store.
    entries: Mutex<HashMap<i64, String>>,
    /// Serialised [`WebLogin`]s by the `login` cookie of the browser that
    /// began them, as a real service would keep them in its session store.
    logins: Mutex<HashMap<String, String>>,
    persister: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// The cookie that binds a web login to the browser that began it.
const LOGIN_COOKIE: &str = "login";

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Service {
    /// Goes on with the stored session when there is one, else logs in with
    /// the password grant when the config has one, else waits for a person
    /// to log in through `GET /login`; writes every new token pair to the
    /// token file as it is handed out.
    pub async fn start(config: &Config) -> Result<Arc<Self>, Error> {
        let builder = Intralinks::builder(config.base_url.clone());
        let il = match (read_tokens(&config.token_file)?, &config.login) {
            (Some(pair), _) => Some(builder.session(config.keys.clone(), pair)?),
            (None, Some(grant)) => Some(builder.login(config.keys.clone(), grant.clone()).await?),
            (None, None) => None,
        };
        let service = Arc::new(Self {
            base_url: config.base_url.clone(),
            keys: config.keys.clone(),
            redirect_uri: config.redirect_uri.clone(),
            il: Mutex::new(None),
            token_file: config.token_file.clone(),
            entries: Mutex::new(HashMap::new()),
            logins: Mutex::new(HashMap::new()),
            persister: Mutex::new(None),
        });
        if let Some(il) = il {
            service.use_client(il).await?;
        }
        Ok(service)
    }

    /// Makes `il` the service's client: its tokens written now and after
    /// every refresh.
    async fn use_client(&self, il: Intralinks) -> Result<(), Error> {
        let session = il
            .session()
            .ok_or_else(|| Error::InvalidInput("the client has no session".into()))?;
        write_tokens(&self.token_file, &session.tokens().await)?;
        let mut rx = session.subscribe();
        let file = self.token_file.clone();
        let persister = tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let pair = rx.borrow_and_update().clone();
                let _ = write_tokens(&file, &pair);
            }
        });
        if let Some(old) = locked(&self.persister).replace(persister) {
            old.abort();
        }
        *locked(&self.il) = Some(il);
        Ok(())
    }

    /// The client, once someone logged in.
    fn client(&self) -> Option<Intralinks> {
        locked(&self.il).clone()
    }

    /// Stops: writes the newest token pair one last time.
    pub async fn stop(&self) -> Result<(), Error> {
        if let Some(p) = locked(&self.persister).take() {
            p.abort();
        }
        let il = locked(&self.il).clone();
        if let Some(session) = il.as_ref().and_then(Intralinks::session) {
            write_tokens(&self.token_file, &session.tokens().await)?;
        }
        Ok(())
    }

    /// The service's routes.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/login", get(begin_login))
            .route("/login/callback", get(finish_login))
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
        locked(&self.entries)
    }
}

/// A fresh random name for a browser's login cookie.
fn cookie_id() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::InvalidInput(format!("no random bytes for a cookie: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The value of the `login` cookie the browser sent, if any.
fn login_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == LOGIN_COOKIE)
        .map(|(_, value)| value.to_string())
}

/// A web login begun and kept under a fresh cookie: where to send the
/// browser, and the cookie's value.
fn begin(svc: &Service) -> Result<(intralinks_ext::url::Url, String), Error> {
    let mut login = WebLogin::new(&svc.base_url, &svc.keys.client_id)?;
    if let Some(uri) = &svc.redirect_uri {
        login = login.redirect_uri(uri)?;
    }
    let kept = serde_json::to_string(&login)
        .map_err(|e| Error::InvalidInput(format!("cannot keep the login: {e}")))?;
    let id = cookie_id()?;
    locked(&svc.logins).insert(id.clone(), kept);
    Ok((login.url(), id))
}

/// `GET /login`: begins a web login and sends the browser to Intralinks.
async fn begin_login(State(svc): State<Arc<Service>>) -> Response {
    match begin(&svc) {
        Ok((to, id)) => {
            let mut r = StatusCode::FOUND.into_response();
            let h = r.headers_mut();
            if let (Ok(location), Ok(cookie)) = (
                HeaderValue::from_str(to.as_str()),
                // Served over https in production: add `Secure` there.
                HeaderValue::from_str(&format!(
                    "{LOGIN_COOKIE}={id}; Path=/login; HttpOnly; SameSite=Lax"
                )),
            ) {
                h.insert(header::LOCATION, location);
                h.insert(header::SET_COOKIE, cookie);
            }
            r
        }
        Err(e) => failure(e),
    }
}

/// `GET /login/callback?code=...&state=...`: finishes the login this
/// browser began (its state checked by the library), and the service is in.
async fn finish_login(
    State(svc): State<Arc<Service>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let begun = login_cookie(&headers).and_then(|id| locked(&svc.logins).remove(&id));
    let Some(login) = begun.and_then(|text| serde_json::from_str::<WebLogin>(&text).ok()) else {
        return (
            StatusCode::CONFLICT,
            axum::Json(json!({"error": "no login was begun from this browser: open /login"})),
        )
            .into_response();
    };
    let result = async {
        let redirect = LoginRedirect::from_query(query.as_deref().unwrap_or_default())?;
        let il = Intralinks::builder(svc.base_url.clone())
            .login_web(svc.keys.clone(), &login, &redirect)
            .await?;
        let email = match il.session() {
            Some(s) => s.email().await,
            None => None,
        };
        svc.use_client(il).await?;
        Ok::<_, Error>(email)
    }
    .await;
    match result {
        Ok(email) => axum::Json(json!({"loggedIn": email})).into_response(),
        Err(e) => failure(e),
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
    let Some(il) = svc.client() else {
        return not_logged_in();
    };
    let result = async {
        let step = il.start_entry(ws).await?;
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
    let Some(il) = svc.client() else {
        return not_logged_in();
    };
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
                Some(r) => step = il.resume_entry(&progress, r).await?,
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
    let Some(il) = svc.client() else {
        return not_logged_in();
    };
    let result = async {
        let meta = il.document(ws, doc).await?;
        let mut bytes = Vec::new();
        il.download_into(ws, &meta, &mut bytes, None).await?;
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

/// What every call answers before someone logged the service in.
fn not_logged_in() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"error": "the service is not logged in to Intralinks: open /login"})),
    )
        .into_response()
}

fn failure(e: Error) -> Response {
    let status = match &e {
        Error::InvalidInput(_) | Error::LoginStateMismatch => StatusCode::BAD_REQUEST,
        Error::CodeRefused { .. } | Error::LoginRefused { .. } => StatusCode::UNAUTHORIZED,
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
