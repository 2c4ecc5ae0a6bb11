//! OAuth sessions: log in, keep the token fresh, log out.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use intralinks_api::types::{
    OAuthToken, OAuthTokenRequest, OAuthTokenRequestGrantType, RevokeRequest,
};
use intralinks_api::{Auth, AuthFuture, Client, Secret};
use tokio::sync::Mutex;

use crate::error::{Checked, Error, Result};

/// How to log in.
#[derive(Clone, PartialEq, Eq)]
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
    access: Secret,
    refresh: Option<Secret>,
    expires_at: Instant,
    email: Option<String>,
    revoked: bool,
}

struct Inner {
    /// A generated client without auth, for the token endpoints.
    oauth: Client,
    keys: AppKeys,
    /// The password grant, kept to log in again when there is no refresh token.
    relogin: Option<Grant>,
    state: Mutex<TokenState>,
    /// Refresh this long before expiry.
    lead: Duration,
    refreshes: AtomicU64,
}

/// A logged-in OAuth session. Cheap to clone; clones share the token.
///
/// The token is refreshed shortly before it expires and once after a 401;
/// concurrent calls share a single refresh.
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

impl Session {
    /// Logs in. `oauth` is a generated client for the same base URL without auth.
    pub(crate) async fn login(
        oauth: Client,
        keys: AppKeys,
        grant: Grant,
        lead: Duration,
    ) -> Result<Self> {
        let token = oauth
            .get_o_auth_token()
            .body(token_request(&keys, &grant))
            .send()
            .checked()
            .await?;
        let relogin = matches!(grant, Grant::Password { .. }).then_some(grant);
        Ok(Self {
            inner: Arc::new(Inner {
                oauth,
                keys,
                relogin,
                state: Mutex::new(state_from(token)),
                lead,
                refreshes: AtomicU64::new(0),
            }),
        })
    }

    /// The email the service says the token belongs to.
    pub async fn email(&self) -> Option<String> {
        self.inner.state.lock().await.email.clone()
    }

    /// The current access token, to hand to another process.
    pub async fn access_token(&self) -> Secret {
        self.inner.state.lock().await.access.clone()
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
                token: state.access.clone(),
                client_id: self.inner.keys.client_id.clone(),
                client_secret: self.inner.keys.client_secret.clone(),
            })
            .send()
            .checked()
            .await?;
        state.revoked = true;
        Ok(())
    }

    /// Refreshes now, with the lock held by the caller.
    async fn refresh_locked(&self, state: &mut TokenState) -> Result<()> {
        if state.revoked {
            return Err(Error::Unauthorized {
                detail: "this session was logged out".into(),
            });
        }
        let grant = match (&state.refresh, &self.inner.relogin) {
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
        // A refused refresh token falls back to the password grant, once.
        if result.is_err()
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
        let email = state.email.clone();
        *state = state_from(token);
        if state.email.is_none() {
            state.email = email;
        }
        self.inner.refreshes.fetch_add(1, Ordering::Relaxed);
        tracing::debug!("access token refreshed");
        Ok(())
    }
}

fn state_from(token: OAuthToken) -> TokenState {
    let lifetime = Duration::from_secs(token.expires_in.max(0) as u64);
    TokenState {
        access: token.access_token,
        refresh: token.refresh_token,
        expires_at: Instant::now() + lifetime,
        email: token.email,
        revoked: false,
    }
}

impl Auth for Session {
    fn bearer(&self) -> AuthFuture<'_> {
        Box::pin(async move {
            let mut state = self.inner.state.lock().await;
            if !state.revoked && state.expires_at <= Instant::now() + self.inner.lead {
                self.refresh_locked(&mut state)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok(Some(state.access.clone()))
        })
    }

    fn refresh_after_unauthorized<'a>(&'a self, rejected: &'a Secret) -> AuthFuture<'a> {
        Box::pin(async move {
            let mut state = self.inner.state.lock().await;
            if state.access != *rejected {
                // Another call refreshed while this one waited.
                return Ok(Some(state.access.clone()));
            }
            match self.refresh_locked(&mut state).await {
                Ok(()) => Ok(Some(state.access.clone())),
                Err(_) => Ok(None),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
