//! The Intralinks client: one dependency, one handle, one error type.
//!
//! `intralinks-ext` re-exports the generated V2 client ([`api`]) and adds what
//! the published spec cannot say: an OAuth [`Session`] that refreshes itself,
//! the workspace entry state machine ([`Intralinks::enter`], V1 too), the
//! splash image, streamed and verified downloads and uploads, and [`Error`].
//!
//! ```no_run
//! use intralinks_ext::{AppKeys, FixedAnswers, Grant, Intralinks, Secret, Checked};
//!
//! # async fn run() -> intralinks_ext::Result<()> {
//! let il = Intralinks::builder("https://test-api.intralinks.com")
//!     .login(
//!         AppKeys { client_id: "my-app".into(), client_secret: Secret::new("...") },
//!         Grant::Password { email: "me@example.com".into(), password: Secret::new("..."), end_other_sessions: false },
//!     )
//!     .await?;
//! let workspaces = il.api().list_workspaces().send().checked().await?.workspace;
//! let ws = workspaces[0].id;
//! il.enter(ws, &mut FixedAnswers { accept_splash: true, ..Default::default() }).await?;
//! let folders = il.api().list_folders().workspace_id(ws).send().checked().await?.folder;
//! println!("{} folders, created {:?}", folders.len(), folders.first().and_then(|f| f.created_on?.to_datetime()));
//! # Ok(()) }
//! ```
//!
//! Layering (see ARCHITECTURE.md): `intralinks-api` holds the generated code
//! and its runtime glue (`Millis`, `TfBool`, `Secret`, the `Auth` hook);
//! this crate depends on it and implements `Auth` with [`Session`].

#![deny(missing_docs)]

mod entry;
mod error;
pub mod fsname;
pub mod json;
pub mod pages;
pub mod report;
mod session;
pub mod sync;
mod transfer;
pub mod v1;

use std::sync::Arc;
use std::time::Duration;

pub use intralinks_api as api;
pub use intralinks_api::{
    Auth, Client, Millis, RetryPolicy, Runtime, Secret, StaticToken, TfBool, types,
};

pub use entry::{Demand, Entered, FixedAnswers, Prompter};
pub use error::{Checked, Error, Result};
pub use pages::{Pages, PagingProblem};
pub use session::{AppKeys, Grant, Session};
pub use transfer::{Downloaded, Progress, ProgressFn, Uploaded, file_hash, file_hash_of};

use reqwest::header::AUTHORIZATION;
use url::Url;

/// Connection settings and how to authenticate; ends in a [`Intralinks`].
#[derive(Debug, Clone)]
pub struct Builder {
    base_url: String,
    connect_timeout: Duration,
    read_timeout: Duration,
    retry: RetryPolicy,
    refresh_lead: Duration,
}

/// The client handle: the generated operations through [`Intralinks::api`],
/// and the hand-written ones as methods.
#[derive(Debug, Clone)]
pub struct Intralinks {
    root: Url,
    http: reqwest::Client,
    api: Client,
    auth: Option<Arc<dyn Auth>>,
    session: Option<Session>,
}

/// Parses and checks a base URL: the host root, https (or http to loopback).
pub fn parse_base_url(base: &str) -> Result<Url> {
    let trimmed = base.trim().trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/v2").unwrap_or(trimmed);
    let url = Url::parse(trimmed).map_err(|e| {
        Error::InvalidInput(format!(
            "the base URL {base:?} is not a URL ({e}); use the host root, e.g. https://test-api.intralinks.com"
        ))
    })?;
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
        }
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed between two reads of an answer (default 60 s). There is
    /// no limit on a whole transfer: a large download may take as long as it needs.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Retries of idempotent calls (default: 4 attempts, backoff from 200 ms).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Refresh the token this long before it expires (default 60 s).
    pub fn refresh_lead(mut self, lead: Duration) -> Self {
        self.refresh_lead = lead;
        self
    }

    /// The checked base URL and the one HTTP client every call shares.
    fn http(&self) -> Result<(Url, reqwest::Client)> {
        let root = parse_base_url(&self.base_url)?;
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("intralinks-rs/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::InvalidInput(format!("cannot set up HTTP: {e}")))?;
        Ok((root, http))
    }

    /// A generated client for `root`/v2 over `http`, sending `auth`'s tokens.
    fn api(&self, root: &Url, http: &reqwest::Client, auth: Option<Arc<dyn Auth>>) -> Client {
        Client::new_with_client(
            &format!("{}/v2", root.as_str().trim_end_matches('/')),
            http.clone(),
            Runtime {
                auth,
                retry: self.retry.clone(),
            },
        )
    }

    /// A client that sends no token (token endpoints, or a proxy that adds one).
    pub fn anonymous(self) -> Result<Intralinks> {
        let (root, http) = self.http()?;
        let api = self.api(&root, &http, None);
        Ok(Intralinks {
            root,
            http,
            api,
            auth: None,
            session: None,
        })
    }

    /// A client that sends a token obtained elsewhere; it is not refreshed.
    pub fn token(self, token: Secret) -> Result<Intralinks> {
        let (root, http) = self.http()?;
        let auth: Arc<dyn Auth> = Arc::new(StaticToken(token));
        let api = self.api(&root, &http, Some(auth.clone()));
        Ok(Intralinks {
            root,
            http,
            api,
            auth: Some(auth),
            session: None,
        })
    }

    /// Logs in and returns a client whose token refreshes itself. The token
    /// endpoints and the API share one HTTP client (one connection pool).
    pub async fn login(self, keys: AppKeys, grant: Grant) -> Result<Intralinks> {
        let (root, http) = self.http()?;
        let oauth = self.api(&root, &http, None);
        let session = Session::login(oauth, keys, grant, self.refresh_lead).await?;
        let auth: Arc<dyn Auth> = Arc::new(session.clone());
        let api = self.api(&root, &http, Some(auth.clone()));
        Ok(Intralinks {
            root,
            http,
            api,
            auth: Some(auth),
            session: Some(session),
        })
    }
}

impl Intralinks {
    /// Starts building a client for the host root `base_url`.
    pub fn builder(base_url: impl Into<String>) -> Builder {
        Builder::new(base_url)
    }

    /// The generated V2 client, with this handle's auth and retries.
    pub fn api(&self) -> &Client {
        &self.api
    }

    /// The host root.
    pub fn base_url(&self) -> &Url {
        &self.root
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

    pub(crate) fn v2_url(&self, path: &str) -> Result<Url> {
        self.join("v2", path)
    }

    pub(crate) fn services_url(&self, path: &str) -> Result<Url> {
        self.join("services", path)
    }

    /// Sends a hand-built request with the current token; returns the token used.
    pub(crate) async fn send_with_token(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(reqwest::Response, Option<Secret>)> {
        let mut request = request;
        let mut used = None;
        if let Some(auth) = &self.auth
            && let Some(token) = auth.bearer().await.map_err(Error::InvalidInput)?
        {
            let value = api::bearer_header(&token).map_err(Error::InvalidInput)?;
            request = request.header(AUTHORIZATION, value);
            used = Some(token);
        }
        let response = request.send().await.map_err(Error::from_reqwest)?;
        Ok((response, used))
    }

    /// Asks the session for a new token after a 401; whether to try again.
    pub(crate) async fn refresh_after_401(&self, rejected: Option<Secret>) -> bool {
        match (&self.auth, rejected) {
            (Some(auth), Some(token)) => {
                matches!(auth.refresh_after_unauthorized(&token).await, Ok(Some(_)))
            }
            _ => false,
        }
    }

    /// Sends a hand-built request that can be cloned; on a 401, refreshes once and resends.
    pub(crate) async fn send_authorized(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response> {
        let spare = request.try_clone();
        let (response, token) = self.send_with_token(request).await?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED
            && let Some(spare) = spare
            && self.refresh_after_401(token).await
        {
            return Ok(self.send_with_token(spare).await?.0);
        }
        Ok(response)
    }
}
