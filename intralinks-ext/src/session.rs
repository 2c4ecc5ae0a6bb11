//! OAuth sessions: log in, keep the token fresh, log out.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use intralinks_api::types::{
    OAuthToken, OAuthTokenRequest, OAuthTokenRequestGrantType, RevokeRequest,
};
use intralinks_api::{Auth, AuthError, AuthErrorKind, AuthFuture, Client, Secret};
use tokio::sync::{Mutex, watch};

use crate::error::{Checked, Error, Result};
pub use crate::store::TokenPair;

/// How to log in.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Grant {
    /// `client_credentials` with the user's Intralinks email and password.
    Password {
        /// The Intralinks login email.
        email: String,
        /// The Intralinks password.
        password: Secret,
        /// Whether to end the user's other sessions.
        end_other_sessions: bool,
    },
    /// `authorization_code`, with the code the authorize redirect returned.
    /// [`crate::Builder::login_web`] sends it after checking the redirect's
    /// `state` against its [`crate::WebLogin`]; this grant checks nothing.
    AuthorizationCode {
        /// The code.
        code: Secret,
        /// The redirect URI registered for the app, if any.
        redirect_uri: Option<String>,
    },
    /// `refresh_token`, with a refresh token from an earlier login.
    RefreshToken(Secret),
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grant::Password {
                email,
                end_other_sessions,
                ..
            } => f
                .debug_struct("Password")
                .field("email", email)
                .field("password", &"***")
                .field("end_other_sessions", end_other_sessions)
                .finish(),
            Grant::AuthorizationCode { redirect_uri, .. } => f
                .debug_struct("AuthorizationCode")
                .field("code", &"***")
                .field("redirect_uri", redirect_uri)
                .finish(),
            Grant::RefreshToken(_) => f.write_str("RefreshToken(***)"),
        }
    }
}

/// The app's keys from the developer portal.
#[derive(Clone, PartialEq, Eq)]
pub struct AppKeys {
    /// client_id.
    pub client_id: String,
    /// client_secret.
    pub client_secret: Secret,
}

impl fmt::Debug for AppKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppKeys")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .finish()
    }
}

struct TokenState {
    pair: TokenPair,
    /// Refresh this long before expiry: the configured lead, or half the
    /// token's lifetime when that is shorter.
    lead: Duration,
    revoked: bool,
}

struct Inner {
    /// A generated client without auth, for the token endpoints.
    oauth: Client,
    keys: AppKeys,
    /// The password grant, kept to log in again when there is no refresh token.
    relogin: Option<Grant>,
    state: Mutex<TokenState>,
    /// Refresh this long before expiry (at most half a token's lifetime).
    lead: Duration,
    refreshes: AtomicU64,
    /// Every new token pair, for owners that persist it.
    tokens: watch::Sender<TokenPair>,
    /// Where the pair is kept for other processes: refreshed under its lock.
    store: Option<crate::store::Shared>,
}

/// A logged-in OAuth session. Cheap to clone; clones share the token.
///
/// The token is refreshed shortly before it expires and once after a 401;
/// concurrent calls share a single refresh. A session is made by
/// [`crate::Builder::login`] or, from kept tokens, [`crate::Builder::session`];
/// [`crate::Intralinks::session`] gives it back.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("client_id", &self.inner.keys.client_id)
            .field("token", &"***")
            .finish()
    }
}

fn token_request(keys: &AppKeys, grant: &Grant) -> OAuthTokenRequest {
    let mut body = OAuthTokenRequest {
        grant_type: OAuthTokenRequestGrantType::ClientCredentials,
        client_id: keys.client_id.clone(),
        client_secret: keys.client_secret.clone(),
        code: None,
        email: None,
        end_other_sessions: None,
        password: None,
        redirect_uri: None,
        refresh_token: None,
    };
    match grant {
        Grant::Password {
            email,
            password,
            end_other_sessions,
        } => {
            body.email = Some(email.clone());
            body.password = Some(password.clone());
            body.end_other_sessions = Some(*end_other_sessions);
        }
        Grant::AuthorizationCode { code, redirect_uri } => {
            body.grant_type = OAuthTokenRequestGrantType::AuthorizationCode;
            body.code = Some(code.clone());
            body.redirect_uri = redirect_uri.clone();
        }
        Grant::RefreshToken(token) => {
            body.grant_type = OAuthTokenRequestGrantType::RefreshToken;
            body.refresh_token = Some(token.clone());
        }
    }
    body
}

/// The lifetime assumed when the service's `expires_in` is zero, negative
/// or missing: the token is used until the service answers 401, then refreshed.
pub(crate) const UNKNOWN_LIFETIME: Duration = Duration::from_secs(3600);
/// The longest lifetime believed (a day), so no arithmetic on a server's
/// number can overflow; a token revoked sooner is refreshed on its first 401.
pub(crate) const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// How long to use a token the service says lives `expires_in` seconds:
/// a lifetime of zero or less is unknown ([`UNKNOWN_LIFETIME`]); a longer one
/// than [`MAX_LIFETIME`] is held to it. (A short positive one is believed: the
/// refresh comes at half of it, so not before every call.)
fn token_lifetime(expires_in: i64) -> Duration {
    if expires_in <= 0 {
        return UNKNOWN_LIFETIME;
    }
    Duration::from_secs(expires_in.unsigned_abs()).min(MAX_LIFETIME)
}

/// The lead for a token that lives `lifetime`: at most half of it.
fn lead_for(configured: Duration, lifetime: Duration) -> Duration {
    configured.min(lifetime / 2)
}

/// A login the token endpoint refused is [`Error::LoginRefused`], not a
/// refused access token: there was none yet.
fn login_refused(e: Error) -> Error {
    match e {
        Error::Unauthorized { detail } => Error::LoginRefused { detail },
        Error::Service {
            status: 400 | 401 | 403,
            message,
            ..
        } => Error::LoginRefused { detail: message },
        other => other,
    }
}

fn auth_error(e: &Error) -> AuthError {
    let kind = if e.is_transient() {
        AuthErrorKind::Transient
    } else if matches!(
        e,
        Error::Unauthorized { .. }
            | Error::Service {
                status: 400 | 401 | 403,
                ..
            }
            | Error::NotFound { .. }
    ) {
        AuthErrorKind::Refused
    } else {
        AuthErrorKind::Other
    };
    AuthError::new(kind, e.to_string())
}

impl Session {
    /// Logs in. `oauth` is a generated client for the same base URL without
    /// auth (see [`crate::Builder::login`], which sets it up).
    pub(crate) async fn login(
        oauth: Client,
        keys: AppKeys,
        grant: Grant,
        lead: Duration,
        store: Option<crate::store::Shared>,
    ) -> Result<Self> {
        let body = token_request(&keys, &grant);
        let code = matches!(grant, Grant::AuthorizationCode { .. });
        let relogin = matches!(grant, Grant::Password { .. }).then_some(grant);
        Self::login_with(oauth, keys, body, relogin, lead, store)
            .await
            .map_err(|e| match login_refused(e) {
                Error::LoginRefused { detail } if code => Error::CodeRefused { detail },
                other => other,
            })
    }

    /// Finishes a web login: `login`'s state checked against the redirect's
    /// before anything is sent, then its code exchanged.
    pub(crate) async fn login_web(
        oauth: Client,
        keys: AppKeys,
        login: &crate::WebLogin,
        redirect: &crate::LoginRedirect,
        lead: Duration,
        store: Option<crate::store::Shared>,
    ) -> Result<Self> {
        login.check_state(redirect.state())?;
        if keys.client_id != login.client_id() {
            return Err(Error::InvalidInput(format!(
                "this web login was begun for the app {:?}, not {:?}: finish it with the keys of the app that began it",
                login.client_id(),
                keys.client_id
            )));
        }
        let mut body = token_request(
            &keys,
            &Grant::AuthorizationCode {
                code: redirect.code().clone(),
                redirect_uri: login.redirect_uri_named().map(str::to_string),
            },
        );
        // The SDK's validate_oauth_code sends endOtherSessions with the code too.
        body.end_other_sessions = Some(login.ends_other_sessions());
        Self::login_with(oauth, keys, body, None, lead, store)
            .await
            .map_err(|e| match login_refused(e) {
                Error::LoginRefused { detail } => Error::CodeRefused { detail },
                other => other,
            })
    }

    /// Sends one token request; a session from its answer.
    async fn login_with(
        oauth: Client,
        keys: AppKeys,
        body: OAuthTokenRequest,
        relogin: Option<Grant>,
        lead: Duration,
        store: Option<crate::store::Shared>,
    ) -> Result<Self> {
        let token = oauth.get_o_auth_token().body(body).send().checked().await?;
        let (pair, lifetime) = pair_from(token, None)?;
        if let Some(store) = &store {
            let stored = pair.clone();
            store.with(move |s| s.save(&stored)).await?;
        }
        Ok(Self::assemble(
            oauth,
            keys,
            relogin,
            pair,
            (lead_for(lead, lifetime), lead),
            store,
        ))
    }

    /// Goes on with tokens kept from an earlier session (see [`TokenPair`]).
    /// Nothing is sent until the first call; an expired access token is
    /// refreshed then with the refresh token, and — when that is refused or
    /// missing — with `relogin`, if given.
    pub(crate) fn from_tokens(
        oauth: Client,
        keys: AppKeys,
        pair: TokenPair,
        relogin: Option<Grant>,
        lead: Duration,
        store: Option<crate::store::Shared>,
    ) -> Self {
        let remaining = pair
            .expires_at
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        Self::assemble(
            oauth,
            keys,
            relogin,
            pair,
            (lead_for(lead, remaining), lead),
            store,
        )
    }

    fn assemble(
        oauth: Client,
        keys: AppKeys,
        relogin: Option<Grant>,
        pair: TokenPair,
        (first_lead, lead): (Duration, Duration),
        store: Option<crate::store::Shared>,
    ) -> Self {
        let (tokens, _) = watch::channel(pair.clone());
        Self {
            inner: Arc::new(Inner {
                oauth,
                keys,
                relogin,
                state: Mutex::new(TokenState {
                    pair,
                    lead: first_lead,
                    revoked: false,
                }),
                lead,
                refreshes: AtomicU64::new(0),
                tokens,
                store,
            }),
        }
    }

    /// The email the service says the token belongs to.
    pub async fn email(&self) -> Option<String> {
        self.inner.state.lock().await.pair.email.clone()
    }

    /// The current access token, to hand to another process.
    pub async fn access_token(&self) -> Secret {
        self.inner.state.lock().await.pair.access_token.clone()
    }

    /// The current token pair, to store (see [`TokenPair`]).
    pub async fn tokens(&self) -> TokenPair {
        self.inner.state.lock().await.pair.clone()
    }

    /// A receiver that sees every new token pair (after each refresh), so
    /// that its owner can persist it: refresh tokens are single-use.
    ///
    /// ```no_run
    /// # async fn run(session: intralinks_ext::Session) {
    /// let mut tokens = session.subscribe();
    /// tokio::spawn(async move {
    ///     while tokens.changed().await.is_ok() {
    ///         let pair = tokens.borrow_and_update().clone();
    ///         // store `pair` where the service keeps its secrets
    /// #       drop(pair);
    ///     }
    /// });
    /// # }
    /// ```
    pub fn subscribe(&self) -> watch::Receiver<TokenPair> {
        self.inner.tokens.subscribe()
    }

    /// How many times the token was refreshed since login.
    pub fn refresh_count(&self) -> u64 {
        self.inner.refreshes.load(Ordering::Relaxed)
    }

    /// Revokes the token (and its refresh token) on the service.
    pub async fn logout(&self) -> Result<()> {
        let mut state = self.inner.state.lock().await;
        self.inner
            .oauth
            .revoke_o_auth_token()
            .body(RevokeRequest {
                token: state.pair.access_token.clone(),
                client_id: self.inner.keys.client_id.clone(),
                client_secret: self.inner.keys.client_secret.clone(),
            })
            .send()
            .checked()
            .await?;
        state.revoked = true;
        Ok(())
    }

    /// Refreshes now, with the lock held by the caller; with a token store,
    /// under the store's lock too, taking a pair another process stored
    /// meanwhile instead of refreshing again.
    async fn refresh_locked(&self, state: &mut TokenState) -> Result<()> {
        if state.revoked {
            return Err(Error::Unauthorized {
                detail: "this session was logged out".into(),
            });
        }
        let Some(store) = &self.inner.store else {
            return self.refresh_now(state).await;
        };
        let mut held = store.hold().await?;
        let stored = held.load()?;
        if let Some(stored) = stored
            && stored.access_token != state.pair.access_token
        {
            let remaining = stored
                .expires_at
                .duration_since(SystemTime::now())
                .unwrap_or_default();
            let lead = lead_for(self.inner.lead, remaining);
            if remaining > lead {
                // Another process refreshed: its pair is the current one.
                state.pair = stored;
                state.lead = lead;
                self.inner.tokens.send_replace(state.pair.clone());
                tracing::debug!("access token taken from the token store");
                return Ok(());
            }
            // Due as well: refresh with its refresh token, ours may be spent.
            if stored.refresh_token.is_some() {
                state.pair = stored;
            }
        }
        self.refresh_now(state).await?;
        let pair = state.pair.clone();
        tokio::task::spawn_blocking(move || held.save(&pair))
            .await
            .unwrap_or_else(|e| {
                Err(Error::InvalidInput(format!(
                    "the token store's task failed: {e}"
                )))
            })
    }

    /// Asks the token endpoint for a new pair.
    async fn refresh_now(&self, state: &mut TokenState) -> Result<()> {
        let grant = match (&state.pair.refresh_token, &self.inner.relogin) {
            (Some(refresh), _) => Grant::RefreshToken(refresh.clone()),
            (None, Some(grant)) => grant.clone(),
            (None, None) => {
                return Err(Error::Unauthorized {
                    detail: "the token expired and there is no refresh token".into(),
                });
            }
        };
        let mut result = self
            .inner
            .oauth
            .get_o_auth_token()
            .body(token_request(&self.inner.keys, &grant))
            .send()
            .checked()
            .await;
        // A refused refresh token (not a network failure) falls back to the
        // password grant, once.
        if let Err(e) = &result
            && !e.is_transient()
            && matches!(grant, Grant::RefreshToken(_))
            && let Some(relogin) = &self.inner.relogin
        {
            result = self
                .inner
                .oauth
                .get_o_auth_token()
                .body(token_request(&self.inner.keys, relogin))
                .send()
                .checked()
                .await;
        }
        let token = result?;
        let (pair, lifetime) = pair_from(token, state.pair.email.clone())?;
        state.pair = pair;
        state.lead = lead_for(self.inner.lead, lifetime);
        self.inner.refreshes.fetch_add(1, Ordering::Relaxed);
        self.inner.tokens.send_replace(state.pair.clone());
        tracing::debug!("access token refreshed");
        Ok(())
    }
}

/// Whether `token` can be sent as a bearer token at all: RFC 6750's
/// `b64token` (letters, digits, `-._~+/`, then `=` padding), at most 8 KiB.
fn is_bearer_token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && token.len() <= 8192
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// The pair an answer of the token endpoint gives, and the token's lifetime;
/// an access token that is empty or could not be sent (a space, a control
/// character) is a refused login, not a session.
fn pair_from(token: OAuthToken, email: Option<String>) -> Result<(TokenPair, Duration)> {
    if !is_bearer_token(token.access_token.expose()) {
        return Err(Error::LoginRefused {
            detail: "the token service answered without a usable access token (empty, or not a bearer token); report this to the service's operator".into(),
        });
    }
    let lifetime = token_lifetime(token.expires_in);
    let now = SystemTime::now();
    let pair = TokenPair {
        access_token: token.access_token,
        refresh_token: token.refresh_token,
        expires_at: now.checked_add(lifetime).unwrap_or(now),
        email: token.email.or(email),
    };
    Ok((pair, lifetime))
}

impl Auth for Session {
    fn bearer(&self) -> AuthFuture<'_> {
        Box::pin(async move {
            let mut state = self.inner.state.lock().await;
            let due = state
                .pair
                .expires_at
                .checked_sub(state.lead)
                .is_none_or(|at| at <= SystemTime::now());
            if !state.revoked && due {
                self.refresh_locked(&mut state)
                    .await
                    .map_err(|e| auth_error(&e))?;
            }
            Ok(Some(state.pair.access_token.clone()))
        })
    }

    fn refresh_after_unauthorized<'a>(&'a self, rejected: &'a Secret) -> AuthFuture<'a> {
        Box::pin(async move {
            let mut state = self.inner.state.lock().await;
            if state.pair.access_token != *rejected {
                // Another call refreshed while this one waited.
                return Ok(Some(state.pair.access_token.clone()));
            }
            match self.refresh_locked(&mut state).await {
                Ok(()) => Ok(Some(state.pair.access_token.clone())),
                Err(e) if e.is_transient() => Err(auth_error(&e)),
                // Refused: the 401 stands, and says so.
                Err(_) => Ok(None),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_sendable_bearer_token_is_a_session() {
        for good in ["abc", "a.b-c_d~e+f/g==", "eyJhbGciOiJIUzI1NiJ9.e30.x"] {
            assert!(is_bearer_token(good), "{good}");
        }
        for bad in [
            "",
            "=",
            "a b",
            "a\r\nBcc: x",
            "a\u{1b}[2J",
            "é",
            &"a".repeat(8193),
        ] {
            assert!(!is_bearer_token(bad), "{bad:?}");
        }
    }

    #[test]
    fn server_lifetimes_are_clamped() {
        assert_eq!(token_lifetime(0), UNKNOWN_LIFETIME);
        assert_eq!(token_lifetime(-3600), UNKNOWN_LIFETIME);
        assert_eq!(token_lifetime(i64::MIN), UNKNOWN_LIFETIME);
        assert_eq!(token_lifetime(1), Duration::from_secs(1));
        assert_eq!(token_lifetime(3599), Duration::from_secs(3599));
        assert_eq!(token_lifetime(i64::MAX), MAX_LIFETIME);
        // An answer type (`#[non_exhaustive]`): built through its builder;
        // `email` and `refresh_token` are left out (None).
        let token = |expires_in: i64| {
            OAuthToken::try_from(
                OAuthToken::builder()
                    .access_token(Secret::new("a"))
                    .expires_in(expires_in)
                    .token_type("Bearer"),
            )
            .unwrap()
        };
        let before = SystemTime::now();
        let (pair, lifetime) = pair_from(token(i64::MAX), None).unwrap();
        assert_eq!(lifetime, MAX_LIFETIME);
        assert!(pair.expires_at >= before + MAX_LIFETIME);
    }

    #[test]
    fn short_lifetimes_get_a_short_lead() {
        let lead = Duration::from_secs(60);
        assert_eq!(lead_for(lead, Duration::from_secs(3599)), lead);
        assert_eq!(
            lead_for(lead, Duration::from_secs(5)),
            Duration::from_millis(2500)
        );
    }

    #[test]
    fn a_token_pair_round_trips_and_hides_its_tokens_in_debug() {
        let pair = TokenPair {
            access_token: Secret::new("acc-3141592653"),
            refresh_token: Some(Secret::new("ref-2718281828")),
            expires_at: std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
            email: Some("a@b.c".into()),
        };
        let text = serde_json::to_string(&pair).unwrap();
        assert_eq!(
            text,
            r#"{"accessToken":"acc-3141592653","refreshToken":"ref-2718281828","expiresAt":1800000000,"email":"a@b.c"}"#
        );
        assert_eq!(serde_json::from_str::<TokenPair>(&text).unwrap(), pair);
        let debug = format!("{pair:?}");
        assert!(
            !debug.contains("3141592653") && !debug.contains("2718281828"),
            "{debug}"
        );
    }

    #[test]
    fn debug_output_has_no_secrets() {
        let grant = Grant::Password {
            email: "a@b.c".into(),
            password: Secret::new("pw-123"),
            end_other_sessions: true,
        };
        let keys = AppKeys {
            client_id: "id".into(),
            client_secret: Secret::new("cs-456"),
        };
        let text = format!("{grant:?} {keys:?} {:?}", token_request(&keys, &grant));
        assert!(
            !text.contains("pw-123") && !text.contains("cs-456"),
            "{text}"
        );
        assert!(text.contains("a@b.c"));
    }
}
