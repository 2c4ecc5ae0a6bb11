//! The shared server state and the extractors every handler uses. The
//! router that assembles the handlers sits above them, in `router.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::routing::MethodRouter;
use bytes::Bytes;

use crate::Faults;
use crate::error::ApiError;
use crate::state::{Caller, State};

/// Everything the handlers share.
pub(crate) struct Shared {
    state: Mutex<State>,
    faults: Mutex<Faults>,
    pub(crate) token_lifetime: Duration,
    pub(crate) refresh_lifetime: Duration,
    /// How long an authorization code of the authorize form may be exchanged.
    pub(crate) code_lifetime: Duration,
    pub(crate) storage: tempfile::TempDir,
    /// Requests answered, by `METHOD /path` (the control surface left out).
    requests: Mutex<std::collections::BTreeMap<String, u64>>,
    /// What the seeded data room holds besides the demo room (kept for resets).
    seed: crate::seed::Seed,
    /// Document bodies whose download was answered (200), since start.
    pub(crate) downloads: std::sync::atomic::AtomicU64,
    /// Document uploads committed, since start.
    pub(crate) uploads: std::sync::atomic::AtomicU64,
    /// Document body bytes handed to connections by downloads, since start.
    pub(crate) download_bytes: Arc<std::sync::atomic::AtomicU64>,
    /// The slow link's rates and the bytes that crossed it.
    pub(crate) rates: Arc<crate::throttle::Rates>,
    /// The per-client rate limit and its counts.
    pub(crate) limiter: crate::ratelimit::Limiter,
}

/// The handlers' state.
pub(crate) type App = Arc<Shared>;

impl Shared {
    pub(crate) fn new(
        faults: Faults,
        (token_lifetime, refresh_lifetime, code_lifetime): (Duration, Duration, Duration),
        storage: tempfile::TempDir,
        seed: crate::seed::Seed,
        rates: Arc<crate::throttle::Rates>,
    ) -> Self {
        Shared {
            state: Mutex::new(crate::seed::build(&seed)),
            seed,
            downloads: Default::default(),
            uploads: Default::default(),
            download_bytes: Default::default(),
            rates,
            limiter: crate::ratelimit::Limiter::default(),
            faults: Mutex::new(faults),
            token_lifetime,
            refresh_lifetime,
            code_lifetime,
            storage,
            requests: Mutex::default(),
        }
    }

    /// Counts one request to `method path`.
    pub(crate) fn count(&self, method: &str, path: &str) {
        let mut map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(format!("{method} {path}")).or_default() += 1;
    }

    /// The requests answered so far, by `METHOD /path`.
    pub(crate) fn requests(&self) -> std::collections::BTreeMap<String, u64> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Runs `f` under the state lock. Never call it across an `.await`
    /// (the guard is not `Send`, so the compiler refuses anyway).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Back to the seeded state; sessions, lockouts and mailbox included.
    pub(crate) fn reset(&self) {
        let fresh = crate::seed::build(&self.seed);
        let old = self.with(|st| std::mem::replace(st, fresh));
        // Dropping the old state deletes uploaded files; do it unlocked.
        drop(old);
    }

    pub(crate) fn faults(&self) -> Faults {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn set_faults(&self, f: Faults) {
        *self.faults.lock().unwrap_or_else(|e| e.into_inner()) = f;
    }
}

/// The bearer token of a request, from `Authorization: Bearer ...`.
pub(crate) fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or(ApiError::Unauthorized)?;
        app.with(|st| st.caller(&token))
    }
}

/// The integer path parameters, in order; anything not an integer is an
/// unknown id (400 `3-1`).
pub(crate) struct Ids(pub(crate) Vec<i64>);

impl Ids {
    pub(crate) fn get(&self, i: usize) -> Result<i64, ApiError> {
        self.0.get(i).copied().ok_or(ApiError::NotFound)
    }

    /// The first two: a workspace and an entity in it.
    pub(crate) fn pair(&self) -> Result<(i64, i64), ApiError> {
        Ok((self.get(0)?, self.get(1)?))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        raw.iter()
            .map(|(_, v)| v.trim().parse::<i64>().map_err(|_| ApiError::NotFound))
            .collect::<Result<Vec<_>, _>>()
            .map(Ids)
    }
}

/// Query parameters (last one wins).
pub(crate) struct Query(pub(crate) HashMap<String, String>);

impl Query {
    pub(crate) fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }

    pub(crate) fn flag(&self, k: &str) -> bool {
        self.get(k)
            .is_some_and(|v| matches!(v, "true" | "TRUE" | "True" | "T" | "1"))
    }

    pub(crate) fn id(&self, k: &str) -> Result<Option<i64>, ApiError> {
        self.get(k)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| ApiError::Invalid(format!("{k} must be an integer")))
            })
            .transpose()
    }

    /// A non-negative count (`offset`, `limit`); anything else is a 400.
    pub(crate) fn count(&self, k: &str) -> Result<Option<usize>, ApiError> {
        self.get(k)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| ApiError::Invalid(format!("{k} must be a non-negative integer")))
            })
            .transpose()
    }
}

/// Parses `a=1&b=2` form or query text.
pub(crate) fn parse_form(bytes: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Query(parse_form(
            parts.uri.query().unwrap_or_default().as_bytes(),
        )))
    }
}

/// The whole request body (2 MB at most outside uploads).
pub(crate) struct Body(pub(crate) Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|e| ApiError::Invalid(format!("cannot read the body: {e}")))
    }
}

/// Adds `path` and `path/` (clients write both, seed 001 does).
pub(crate) fn route(router: Router<App>, path: &str, mr: MethodRouter<App>) -> Router<App> {
    router
        .route(path, mr.clone())
        .route(&format!("{path}/"), mr)
}
