//! The Intralinks client: one dependency, one handle, one error type.
//!
//! `intralinks-ext` re-exports the generated V2 client ([`api`]; every
//! operation is a builder method of [`api::Client`], reached through
//! [`Intralinks::api`]) and adds what the published spec cannot say: an OAuth
//! [`Session`] that refreshes itself and can be kept across restarts
//! ([`TokenPair`]), workspace entry one step at a time
//! ([`Intralinks::start_entry`], V1 too) or with a [`Prompter`], the splash
//! image, streamed and verified downloads and uploads (files or any
//! `AsyncRead`/`AsyncWrite`), a pager ([`Intralinks::list_all_workspaces`]),
//! and [`Error`]. The sync engine, reports and rooms as code are crates of
//! their own on top of it (`intralinks-sync`, `intralinks-report`,
//! `intralinks-room`).
//!
//! This example runs as it is, against the simulator (`intralinks-sim`)
//! standing in for the service; point the builder at
//! `https://test-api.intralinks.com` with your own keys for the real one.
//!
//! ```
//! use intralinks_ext::{AppKeys, Checked, DocumentRef, FixedAnswers, Grant, Intralinks, Secret};
//! use intralinks_sim::{SimConfig, Simulator, demo};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> intralinks_ext::Result<()> {
//! let sim = Simulator::start(SimConfig::default()).await.expect("simulator");
//! let il = Intralinks::builder(sim.url())
//!     .login(
//!         AppKeys { client_id: demo::CLIENT_ID.into(), client_secret: Secret::new(demo::CLIENT_SECRET) },
//!         Grant::Password {
//!             email: demo::EMAIL.into(),
//!             password: Secret::new(demo::PASSWORD),
//!             end_other_sessions: false,
//!         },
//!     )
//!     .await?;
//!
//! // Workspaces, through the generated client: ids are integers, dates chrono values.
//! let workspaces = il.api().list_workspaces().send().checked().await?.workspace;
//! let ws = workspaces.iter().find(|w| w.id == demo::SPLASH_WORKSPACE).expect("listed");
//! assert_eq!(ws.name.as_deref(), Some("Splash Only"));
//!
//! // Entry: this workspace shows a splash screen, accepted here.
//! let entered = il.enter(ws.id, &mut FixedAnswers { accept_splash: true, ..Default::default() }).await?;
//! assert_eq!(entered.states.last().map(ToString::to_string).as_deref(), Some("ALLOW"));
//!
//! // A verified download, renamed into place only when its SHA-1 matches.
//! let dir = tempfile::tempdir().expect("a temporary directory");
//! let folders = il.folders(ws.id).await?;
//! let docs = il.documents(ws.id, None).await?;
//! let got = il
//!     .download(DocumentRef { workspace_id: ws.id, document_id: docs[0].id }, &dir.path().join("welcome.txt"), None)
//!     .await?;
//! assert_eq!(std::fs::read_to_string(&got.path).unwrap(), "Welcome to Splash Only.\n");
//! assert_eq!(folders[0].name.as_deref(), Some("Documents"));
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! For a service rather than a script: [`Builder`] takes your own
//! `reqwest::Client`, user agent, [`Auth`], timeouts and retry policy;
//! [`Builder::session`] goes on from a stored [`TokenPair`] and
//! [`Session::subscribe`] hands out each new one; [`WebLogin`] and
//! [`Builder::login_web`] log a person in on the service's own page (OAuth
//! authorization code, its `state` checked); [`Intralinks::start_entry`]
//! and [`Intralinks::resume_entry`] drive entry one HTTP request of yours at a
//! time (the repository's `examples/entry-service` is a whole axum service).
//!
//! Layering: `intralinks-api` holds
//! the generated code and its runtime — the one path every call takes (token,
//! https-only rule, refresh on 401, retries, tracing) — and the glue types
//! (`Millis`, `TfBool`, `Secret`); this crate depends on it and implements
//! `Auth` with [`Session`].

#![deny(missing_docs)]

pub mod atomic;
pub mod changes;
pub mod concurrency;
pub mod edit;
mod entry;
mod error;
pub mod fields;
pub mod fsname;
pub mod json;
pub mod listing;
pub mod lock;
pub mod pages;
pub mod people;
mod pipe;
pub mod postings;
mod question;
pub mod retry;
mod session;
pub mod store;
pub mod text;
pub mod transfer;
pub mod tree;
pub mod v1;
mod weblogin;

use std::sync::Arc;
use std::time::Duration;

/// The generated V2 client and its types, re-exported: [`api::Client`] has a
/// builder method per operation (`list_workspaces()`, `list_folders()`, ...),
/// [`api::types`] the request and answer types.
pub use intralinks_api as api;
pub use intralinks_api::{
    Auth, Client, Millis, RetryPolicy, Runtime, Secret, StaticToken, TfBool, types,
};

// The dependencies whose types this crate's API takes or gives, re-exported
// so that a user's are the same versions.
/// Dates: [`Millis::to_datetime`] gives `chrono` values, as do the rows of
/// `intralinks-report`.
pub use chrono;
/// HTTP: your own client for [`Builder::http_client`]; [`Error::from_reqwest`].
pub use reqwest;
/// URLs: [`Intralinks::base_url`] and [`parse_base_url`] give a `url::Url`.
pub use url;

pub use concurrency::{Jobs, Limiter};
pub use entry::{Demand, Entered, EntryProgress, EntryStep, FixedAnswers, Prompter, Reply};
pub use error::{Checked, Error, Result, Verdict};
pub use pages::{Pages, PagingProblem};
pub use pipe::TransferLimits;
pub use question::question_text;
pub use retry::StopSignal;
pub use session::{AppKeys, Grant, Session, TokenPair};
pub use transfer::{
    DocumentRef, Downloaded, FolderRef, Progress, ProgressFn, SPLASH_IMAGE_LIMIT, Uploaded,
    Written, file_hash, file_hash_of, partial_download,
};
pub use weblogin::{LoginRedirect, WebLogin};

use progenitor_client::ClientInfo;
use url::Url;

/// Connection settings and how to authenticate; ends in a [`Intralinks`].
///
/// Bring your own pieces where the defaults do not fit: an HTTP client
/// ([`Builder::http_client`]: proxy, TLS roots, connection limits), a user
/// agent, an [`Auth`] ([`Builder::auth`]: your own token store), timeouts,
/// the retry policy, or the tokens of an earlier session ([`Builder::session`]).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use intralinks_ext::{Intralinks, RetryPolicy, Secret, TransferLimits};
///
/// let il = Intralinks::builder("https://test-api.intralinks.com")
///     .user_agent("deal-tools/1.0")
///     .connect_timeout(Duration::from_secs(10))
///     .read_timeout(Duration::from_secs(60))
///     .transfer_limits(TransferLimits::default().with_stall_timeout(Duration::from_secs(30)))
///     .retry(RetryPolicy::none())
///     // Or .login(keys, grant).await? for a session that refreshes itself.
///     .token(Secret::new("a token obtained elsewhere"))?;
/// assert_eq!(il.read_timeout(), Duration::from_secs(60));
/// assert_eq!(il.base_url().as_str(), "https://test-api.intralinks.com/");
/// # Ok::<(), intralinks_ext::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    base_url: String,
    connect_timeout: Duration,
    read_timeout: Duration,
    retry: RetryPolicy,
    refresh_lead: Duration,
    user_agent: String,
    http: Option<reqwest::Client>,
    answer_limit: u64,
    limits: TransferLimits,
    store: Option<store::Shared>,
}

/// The client handle: the generated operations through [`Intralinks::api`],
/// and the hand-written ones as methods.
#[derive(Debug, Clone)]
pub struct Intralinks {
    root: Url,
    api: Client,
    /// The same runtime over an HTTP client without a read timeout: bodies
    /// are timed by the transfer pipeline, which follows the bytes.
    transfer: Client,
    session: Option<Session>,
    limits: TransferLimits,
    read_timeout: Duration,
}

/// `base` as it may be shown: anything before an `@` in its authority
/// (a user name and password) replaced by `***`.
fn without_userinfo(base: &str) -> String {
    let (scheme, rest) = base.split_once("://").unwrap_or(("", base));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    match authority.rfind('@') {
        Some(at) => {
            let sep = if scheme.is_empty() { "" } else { "://" };
            format!("{scheme}{sep}***{}{path}", &authority[at..])
        }
        None => base.to_string(),
    }
}

/// Parses and checks a base URL: the host root, https (or http to loopback),
/// with no user name or password in it.
pub fn parse_base_url(base: &str) -> Result<Url> {
    let trimmed = base.trim().trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/v2").unwrap_or(trimmed);
    let url = Url::parse(trimmed).map_err(|e| {
        Error::InvalidInput(format!(
            "the base URL {:?} is not a URL ({e}); use the host root, e.g. https://test-api.intralinks.com",
            without_userinfo(base)
        ))
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::InvalidInput(
            "the base URL holds a user name or password (user:password@host); they would be sent and stored with every call: give the host alone, and log in with `login`".into(),
        ));
    }
    if !api::may_carry_token(&url) {
        return Err(Error::InvalidInput(format!(
            "refusing to send credentials to {base}: use https (plain http is allowed only to loopback, e.g. the simulator)"
        )));
    }
    Ok(url)
}

impl Builder {
    /// Starts from the host root, e.g. `https://test-api.intralinks.com`.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            refresh_lead: Duration::from_secs(60),
            user_agent: concat!("intralinks-rs/", env!("CARGO_PKG_VERSION")).into(),
            http: None,
            answer_limit: api::DEFAULT_ANSWER_LIMIT,
            limits: TransferLimits::default(),
            store: None,
        }
    }

    /// The most bytes read of one answer that is read whole — a listing, an
    /// error, a token or entry answer, a V1 XML answer (default 128 MiB, room
    /// for a listing of some 200,000 documents). A longer answer fails with
    /// [`Error::AnswerTooLarge`] instead of filling memory. Document bodies are
    /// held to their declared size instead.
    pub fn answer_limit(mut self, bytes: u64) -> Self {
        self.answer_limit = bytes;
        self
    }

    /// Sends every call through this HTTP client instead of one built here
    /// (then [`Builder::connect_timeout`], [`Builder::read_timeout`] and
    /// [`Builder::user_agent`] are yours to set on it; set no redirect policy
    /// that follows redirects across hosts, or tokens may follow them).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The User-Agent header (default `intralinks-rs/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed between two reads of an answer (default 60 s); for an
    /// upload, the wait for its answer starts only once the body is sent.
    /// There is no limit on a whole transfer: a large download or upload
    /// may take as long as it needs while bytes move (see
    /// [`Builder::transfer_limits`]).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// What document transfers (downloads and uploads) are held to: the
    /// stall timeout and the minimum rate over a window (default 20 s,
    /// 1024 bytes/s over 60 s).
    pub fn transfer_limits(mut self, limits: TransferLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Retries of idempotent calls (default: 4 attempts, backoff from 200 ms).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Refresh the token this long before it expires (default 60 s; at most
    /// half the token's lifetime, so that short-lived tokens are not
    /// refreshed on every call).
    pub fn refresh_lead(mut self, lead: Duration) -> Self {
        self.refresh_lead = lead;
        self
    }

    /// The checked base URL, the one HTTP client every call shares, and
    /// the one transfers use: the same settings without a read timeout
    /// (reqwest's runs from the request's start, so it would cut off a
    /// long upload; the transfer pipeline times bodies by their bytes).
    fn http(&self) -> Result<(Url, reqwest::Client, reqwest::Client)> {
        let root = parse_base_url(&self.base_url)?;
        if let Some(http) = &self.http {
            return Ok((root, http.clone(), http.clone()));
        }
        let build = |read_timeout: Option<Duration>| {
            let mut b = reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(self.user_agent.clone());
            if let Some(t) = read_timeout {
                b = b.read_timeout(t);
            }
            b.build()
                .map_err(|e| Error::InvalidInput(format!("cannot set up HTTP: {e}")))
        };
        Ok((root, build(Some(self.read_timeout))?, build(None)?))
    }

    /// A generated client for `root`/v2 over `http`, sending `auth`'s tokens.
    fn api(&self, root: &Url, http: &reqwest::Client, auth: Option<Arc<dyn Auth>>) -> Client {
        Client::new_with_client(
            &format!("{}/v2", root.as_str().trim_end_matches('/')),
            http.clone(),
            Runtime {
                auth,
                retry: self.retry.clone(),
                read_timeout: self.http.is_none().then_some(self.read_timeout),
                answer_limit: self.answer_limit,
                gate: None,
            },
        )
    }

    fn finish(self, auth: Option<Arc<dyn Auth>>, session: Option<Session>) -> Result<Intralinks> {
        let (root, http, transfer) = self.http()?;
        let api = self.api(&root, &http, auth.clone());
        let transfer = self.api(&root, &transfer, auth);
        Ok(Intralinks {
            root,
            api,
            transfer,
            session,
            limits: self.limits,
            read_timeout: self.read_timeout,
        })
    }

    /// Keeps the session's tokens in `store` for other processes and runs:
    /// [`Builder::login`] stores its pair, every refresh happens under the
    /// store's lock and is stored, and a pair another process stored
    /// meanwhile is taken instead of refreshing again (see [`store`]).
    /// [`Builder::resume`] goes on from what is stored.
    pub fn token_store(mut self, store: Arc<dyn store::TokenStore>) -> Self {
        self.store = Some(store::Shared(store));
        self
    }

    /// Goes on with the pair in the [`Builder::token_store`], logging in
    /// again with `relogin` (a [`Grant::Password`]) when its refresh token
    /// is refused or missing; nothing is sent until the first call. Fails
    /// when no store was given or it holds no pair: log in first.
    pub async fn resume(self, keys: AppKeys, relogin: Option<Grant>) -> Result<Intralinks> {
        let Some(store) = self.store.clone() else {
            return Err(Error::InvalidInput(
                "resume needs a token store: give one with Builder::token_store".into(),
            ));
        };
        let Some(tokens) = store.with(|s| s.load()).await? else {
            return Err(Error::NoStoredSession);
        };
        match relogin {
            Some(grant) => self.session_with_login(keys, tokens, grant),
            None => self.session(keys, tokens),
        }
    }

    /// A client that sends no token (token endpoints, or a proxy that adds one).
    pub fn anonymous(self) -> Result<Intralinks> {
        self.finish(None, None)
    }

    /// A client that sends a token obtained elsewhere; it is not refreshed.
    pub fn token(self, token: Secret) -> Result<Intralinks> {
        self.finish(Some(Arc::new(StaticToken(token))), None)
    }

    /// A client whose tokens come from your own [`Auth`] (a token store
    /// shared by several processes, a vault, ...).
    pub fn auth(self, auth: Arc<dyn Auth>) -> Result<Intralinks> {
        self.finish(Some(auth), None)
    }

    /// Logs in and returns a client whose token refreshes itself. The token
    /// endpoints and the API share one HTTP client (one connection pool).
    pub async fn login(self, keys: AppKeys, grant: Grant) -> Result<Intralinks> {
        let (root, http, _) = self.http()?;
        let oauth = self.api(&root, &http, None);
        let session =
            Session::login(oauth, keys, grant, self.refresh_lead, self.store.clone()).await?;
        let auth: Arc<dyn Auth> = Arc::new(session.clone());
        self.finish(Some(auth), Some(session))
    }

    /// Finishes a web login ([`WebLogin`]): refuses a redirect whose
    /// `state` is not the login's with [`Error::LoginStateMismatch`] before
    /// any request, then exchanges its code (`grant_type=authorization_code`,
    /// with the login's redirect URI and `endOtherSessions`) for a client
    /// whose token refreshes itself. A code the service refuses (used
    /// already, expired) is [`Error::CodeRefused`]. A code works once, so
    /// such a session cannot log in again by itself when its refresh token
    /// ends: keep its [`TokenPair`] and, when it is refused, send the person
    /// through a new web login.
    ///
    /// ```
    /// # use intralinks_ext::{AppKeys, Intralinks, LoginRedirect, Secret, WebLogin};
    /// # use intralinks_sim::{SimConfig, Simulator, demo};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> intralinks_ext::Result<()> {
    /// # let sim = Simulator::start(SimConfig::default()).await.expect("simulator");
    /// # let http = intralinks_ext::reqwest::Client::builder()
    /// #     .redirect(intralinks_ext::reqwest::redirect::Policy::none()).build().unwrap();
    /// let keys = AppKeys { client_id: demo::CLIENT_ID.into(), client_secret: Secret::new(demo::CLIENT_SECRET) };
    /// // 1. One request of yours: send the browser to the service, keep `login`.
    /// let login = WebLogin::new(&sim.url(), &keys.client_id)?;
    /// let to = login.url();
    /// # // (The person logs in on the service's page; here, the form is posted as the browser would.)
    /// # let mut form: Vec<(String, String)> = to.query_pairs().into_owned().collect();
    /// # form.push(("email".into(), demo::EMAIL.into()));
    /// # form.push(("password".into(), demo::PASSWORD.into()));
    /// # let back = http.post(format!("{}/v2/oauth/authorize", sim.url())).form(&form).send().await.unwrap();
    /// # let location = back.headers()["location"].to_str().unwrap().to_string();
    /// # let query = location.split_once('?').unwrap().1.to_string();
    /// // 2. The next: the browser is back at the redirect URI with `query`.
    /// let il = Intralinks::builder(sim.url())
    ///     .login_web(keys, &login, &LoginRedirect::from_query(&query)?)
    ///     .await?;
    /// assert_eq!(il.session().unwrap().email().await.as_deref(), Some(demo::EMAIL));
    /// # sim.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn login_web(
        self,
        keys: AppKeys,
        login: &WebLogin,
        redirect: &LoginRedirect,
    ) -> Result<Intralinks> {
        let (root, http, _) = self.http()?;
        if root.as_str().trim_end_matches('/') != login.base_url() {
            return Err(Error::InvalidInput(format!(
                "this web login was begun for {}, not {}: finish it with a client for the host that began it",
                login.base_url(),
                root.as_str().trim_end_matches('/')
            )));
        }
        let oauth = self.api(&root, &http, None);
        let session = Session::login_web(
            oauth,
            keys,
            login,
            redirect,
            self.refresh_lead,
            self.store.clone(),
        )
        .await?;
        let auth: Arc<dyn Auth> = Arc::new(session.clone());
        self.finish(Some(auth), Some(session))
    }

    /// Goes on with the tokens of an earlier session ([`Session::tokens`],
    /// kept by its owner); no request is sent until the first call. Watch
    /// [`Session::subscribe`] on the returned client's session to store each
    /// new pair.
    pub fn session(self, keys: AppKeys, tokens: TokenPair) -> Result<Intralinks> {
        let (root, http, _) = self.http()?;
        let oauth = self.api(&root, &http, None);
        let session = Session::from_tokens(
            oauth,
            keys,
            tokens,
            None,
            self.refresh_lead,
            self.store.clone(),
        );
        let auth: Arc<dyn Auth> = Arc::new(session.clone());
        self.finish(Some(auth), Some(session))
    }

    /// Like [`Builder::session`], and when the stored refresh token is
    /// refused (it expired, or the user logged out elsewhere) or missing,
    /// logs in again with `grant` — as a session from
    /// [`Builder::login`] does — instead of failing. Only a
    /// [`Grant::Password`] can be sent again (an authorization code works
    /// once); any other grant is refused with [`Error::InvalidInput`].
    ///
    /// ```no_run
    /// # fn run(stored: intralinks_ext::TokenPair, password: intralinks_ext::Secret) -> intralinks_ext::Result<()> {
    /// use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
    /// let il = Intralinks::builder("https://test-api.intralinks.com").session_with_login(
    ///     AppKeys { client_id: "my-app".into(), client_secret: Secret::new("…") },
    ///     stored,
    ///     Grant::Password { email: "me@example.com".into(), password, end_other_sessions: false },
    /// )?;
    /// # let _ = il; Ok(()) }
    /// ```
    pub fn session_with_login(
        self,
        keys: AppKeys,
        tokens: TokenPair,
        grant: Grant,
    ) -> Result<Intralinks> {
        if !matches!(grant, Grant::Password { .. }) {
            return Err(Error::InvalidInput(
                "only a password grant can log in again (an authorization code or refresh token works once); use Builder::session, and log in anew when it ends".into(),
            ));
        }
        let (root, http, _) = self.http()?;
        let oauth = self.api(&root, &http, None);
        let session = Session::from_tokens(
            oauth,
            keys,
            tokens,
            Some(grant),
            self.refresh_lead,
            self.store.clone(),
        );
        let auth: Arc<dyn Auth> = Arc::new(session.clone());
        self.finish(Some(auth), Some(session))
    }
}

impl Intralinks {
    /// Starts building a client for the host root `base_url`.
    pub fn builder(base_url: impl Into<String>) -> Builder {
        Builder::new(base_url)
    }

    /// The same handle (same connection pool and session) retrying by
    /// `retry` instead: [`RetryPolicy::none`] for a caller that retries on
    /// its own terms, so that the two never multiply. Cheap: nothing is
    /// copied but the settings.
    ///
    /// ```
    /// # fn demo(il: &intralinks_ext::Intralinks) {
    /// use intralinks_ext::{RetryPolicy, api::ClientInfo};
    /// let once = il.with_retry(RetryPolicy::none());
    /// assert_eq!(once.api().inner().retry.max_attempts, 1);
    /// # }
    /// ```
    pub fn with_retry(&self, retry: RetryPolicy) -> Intralinks {
        let with = |client: &Client| {
            let runtime = Runtime {
                retry: retry.clone(),
                ..client.inner().clone()
            };
            Client::new_with_client(client.baseurl(), client.client().clone(), runtime)
        };
        Intralinks {
            root: self.root.clone(),
            api: with(&self.api),
            transfer: with(&self.transfer),
            session: self.session.clone(),
            limits: self.limits,
            read_timeout: self.read_timeout,
        }
    }

    /// The same handle (same connection pool and session) with every
    /// request — each attempt of each call, document bodies included —
    /// admitted by `limiter` before it is sent: how a run (a mirror, a
    /// report over many rooms) holds all its requests to one concurrency
    /// and rate that adapt to the service ([`concurrency`]). Cheap.
    ///
    /// ```
    /// # fn demo(il: &intralinks_ext::Intralinks) {
    /// use std::time::Duration;
    /// use intralinks_ext::{Jobs, Limiter};
    /// let limiter = Limiter::new(Jobs::default(), Duration::from_secs(10));
    /// let run = il.with_limiter(&limiter);
    /// // ... every request of `run` enters `limiter`; afterwards:
    /// println!("{}", limiter.settled());
    /// # let _ = run;
    /// # }
    /// ```
    pub fn with_limiter(&self, limiter: &Arc<Limiter>) -> Intralinks {
        let gate: Arc<dyn intralinks_api::Gate> =
            Arc::new(concurrency::LimiterGate(limiter.clone()));
        let with = |client: &Client| {
            let runtime = Runtime {
                gate: Some(gate.clone()),
                ..client.inner().clone()
            };
            Client::new_with_client(client.baseurl(), client.client().clone(), runtime)
        };
        Intralinks {
            root: self.root.clone(),
            api: with(&self.api),
            transfer: with(&self.transfer),
            session: self.session.clone(),
            limits: self.limits,
            read_timeout: self.read_timeout,
        }
    }

    /// A new [`Limiter`] for `jobs` — a `Retry-After` pauses every request
    /// for at most this handle's longest retry delay — and this handle held
    /// to it ([`Intralinks::with_limiter`]): one run's requests.
    pub fn paced(&self, jobs: Jobs) -> (Intralinks, Arc<Limiter>) {
        let limiter = Limiter::new(jobs, self.api.inner().retry.max_delay);
        (self.with_limiter(&limiter), limiter)
    }

    /// The generated V2 client, with this handle's auth and retries.
    pub fn api(&self) -> &Client {
        &self.api
    }

    /// The host root.
    pub fn base_url(&self) -> &Url {
        &self.root
    }

    /// What document transfers are held to ([`Builder::transfer_limits`]).
    pub fn transfer_limits(&self) -> TransferLimits {
        self.limits
    }

    /// The wait for an answer ([`Builder::read_timeout`]).
    pub fn read_timeout(&self) -> Duration {
        self.read_timeout
    }

    /// The OAuth session, when this client logged in.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Revokes the session's token; a token-only client has nothing to revoke.
    pub async fn logout(&self) -> Result<()> {
        match &self.session {
            Some(s) => s.logout().await,
            None => Ok(()),
        }
    }

    fn join(&self, prefix: &str, path: &str) -> Result<Url> {
        let base = self.root.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}/{prefix}/{path}"))
            .map_err(|e| Error::InvalidInput(format!("cannot build the URL for {path}: {e}")))
    }

    /// The URL of V2 call `path` (`workspaces/1/folders`) on this client's
    /// host, for hand-written calls ([`Intralinks::request`]).
    pub fn v2_url(&self, path: &str) -> Result<Url> {
        self.join("v2", path)
    }

    /// The URL of V1 call `path` (`workspaces/splashImage`) on this
    /// client's host, for hand-written calls ([`Intralinks::request`]).
    pub fn services_url(&self, path: &str) -> Result<Url> {
        self.join("services", path)
    }

    /// A request builder on the shared HTTP client, for hand-written calls;
    /// send it with [`Intralinks::send`].
    pub fn request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        self.api.client().request(method, url)
    }

    /// Sends a hand-written call through the same runtime as the generated
    /// ones (token, https-only rule, refresh on 401, retries, tracing).
    /// Answers of any status come back; failures of the exchange are errors.
    /// `operation` names the call in traces and errors.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
        operation: &'static str,
    ) -> Result<reqwest::Response> {
        let request = request
            .build()
            .map_err(|e| Error::InvalidInput(format!("cannot build the request: {e}")))?;
        match self.api.send_raw(request, operation).await {
            Ok(response) => Ok(response),
            Err(e) => Err(Error::from_api(e).await),
        }
    }

    /// Sends a document body's request (the GET of a download, the PUT of
    /// an upload) once, through the runtime over the HTTP client without a
    /// read timeout: the transfer pipeline times it by its bytes.
    pub(crate) async fn send_transfer(
        &self,
        request: reqwest::RequestBuilder,
        operation: &'static str,
    ) -> Result<reqwest::Response> {
        let request = request
            .build()
            .map_err(|e| Error::InvalidInput(format!("cannot build the request: {e}")))?;
        match self.transfer.send_raw_once(request, operation).await {
            Ok(response) => Ok(response),
            Err(e) => Err(Error::from_api(e).await),
        }
    }
}

/// The crate README's examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_with_a_user_or_password_is_refused_without_showing_it() {
        for base in [
            "http://user:PASSWORD@127.0.0.1:8080",
            "https://user@test-api.intralinks.com",
            "https://:PASSWORD@test-api.intralinks.com/v2",
        ] {
            let e = parse_base_url(base).unwrap_err();
            let text = e.to_string();
            assert!(matches!(e, Error::InvalidInput(_)), "{base}: {e:?}");
            assert!(text.contains("user name or password"), "{text}");
            assert!(!text.contains("PASSWORD"), "{text}");
        }
        // Unparseable, the password is not echoed either.
        let e = parse_base_url("http://user:PASSWORD@[::1").unwrap_err();
        assert!(!e.to_string().contains("PASSWORD"), "{e}");
        assert_eq!(
            without_userinfo("http://u:p@[::1/x"),
            "http://***@[::1/x".to_string()
        );
        assert_eq!(
            parse_base_url("https://test-api.intralinks.com/v2/")
                .unwrap()
                .as_str(),
            "https://test-api.intralinks.com/"
        );
    }
}
