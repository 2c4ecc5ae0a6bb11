//! Logging in for a web service: the OAuth authorization code flow.
//!
//! The person logs in on the service's own page, never on yours: you send
//! their browser to [`WebLogin::url`] (`/v2/oauth/authorize` with
//! `client_id`, `state`, `scope=ilservices` and `endOtherSessions`, the
//! parameters of the Intralinks Python SDK's `build_oauth_url`, and
//! `redirect_uri` when you name one), the service sends it back to the
//! app's redirect URI with a `code` and the same `state`, and
//! [`crate::Builder::login_web`] checks the state and exchanges the code
//! (`grant_type=authorization_code`) for a session that refreshes itself.
//!
//! The `state` is a fresh random value per login, kept by you between the
//! two requests (a [`WebLogin`] serializes): a redirect whose state is not
//! the login's is refused before any request, so nobody can slip their
//! own code into someone else's browser.

use std::fmt;

use base64::Engine as _;
use intralinks_api::Secret;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};

/// The scope the service's authorize step is asked for (the SDK's
/// `build_oauth_url`).
const SCOPE: &str = "ilservices";

/// A web login begun: where to send the person's browser, and what to check
/// when it comes back.
///
/// Keep it between the two requests (in the person's server-side session,
/// or an encrypted cookie): it serializes. It holds the `state`, a
/// credential of this one login, so store it as one; its `Debug` output
/// leaves it out.
///
/// ```
/// use intralinks_ext::WebLogin;
///
/// let login = WebLogin::new("https://test-api.intralinks.com", "my-client-id")?
///     .redirect_uri("https://deals.example.com/intralinks/callback")?
///     .end_other_sessions(false);
/// let url = login.url();
/// assert_eq!(
///     url.as_str(),
///     format!(
///         "https://test-api.intralinks.com/v2/oauth/authorize?client_id=my-client-id&state={}\
///          &scope=ilservices&endOtherSessions=false\
///          &redirect_uri=https%3A%2F%2Fdeals.example.com%2Fintralinks%2Fcallback",
///         login.state().expose()
///     )
/// );
/// # Ok::<(), intralinks_ext::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebLogin {
    /// The host root, as [`crate::parse_base_url`] gives it.
    base_url: String,
    client_id: String,
    state: Secret,
    redirect_uri: Option<String>,
    end_other_sessions: bool,
}

impl fmt::Debug for WebLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebLogin")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("state", &"***")
            .field("redirect_uri", &self.redirect_uri)
            .field("end_other_sessions", &self.end_other_sessions)
            .finish()
    }
}

/// 32 bytes from the operating system, URL-safe base64 (43 characters).
fn fresh_state() -> Result<Secret> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::InvalidInput(format!(
            "the operating system gave no random bytes for the login's state ({e}); retry"
        ))
    })?;
    Ok(Secret::new(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
    ))
}

/// Whether `a` and `b` are equal, in a time that does not depend on where
/// they first differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl WebLogin {
    /// Begins a web login to the host `base_url` (its root, e.g.
    /// `https://test-api.intralinks.com`; https, or http to loopback) for the
    /// app `client_id`, with a fresh random `state`. Without
    /// [`WebLogin::redirect_uri`] the service sends the browser to the
    /// redirect URI the app registered.
    pub fn new(base_url: &str, client_id: impl Into<String>) -> Result<Self> {
        let root = crate::parse_base_url(base_url)?;
        let client_id = client_id.into();
        if client_id.trim().is_empty() {
            return Err(Error::InvalidInput(
                "a web login needs the app's client id: give the one from the developer portal"
                    .into(),
            ));
        }
        Ok(Self {
            base_url: root.as_str().trim_end_matches('/').to_string(),
            client_id,
            state: fresh_state()?,
            redirect_uri: None,
            end_other_sessions: false,
        })
    }

    /// Where the service sends the browser back: one of the app's redirect
    /// URIs. An absolute https URI without a fragment (RFC 6749 3.1.2), or
    /// http to a loopback address for a program on the person's own machine
    /// (RFC 8252); anything else is refused, since the code would travel in
    /// the clear. The exchange sends it again, as the service expects.
    pub fn redirect_uri(mut self, uri: &str) -> Result<Self> {
        let url = Url::parse(uri).map_err(|e| {
            Error::InvalidInput(format!(
                "the redirect URI {uri:?} is not an absolute URL ({e}); give the one the app registered, e.g. https://example.com/callback"
            ))
        })?;
        if url.fragment().is_some() {
            return Err(Error::InvalidInput(format!(
                "the redirect URI {uri:?} has a fragment (#...), which a redirect URI may not have; leave it out"
            )));
        }
        if !intralinks_api::may_carry_token(&url) {
            return Err(Error::InvalidInput(format!(
                "the redirect URI {uri:?} would carry the code in the clear: use https (plain http only to loopback)"
            )));
        }
        self.redirect_uri = Some(uri.to_string());
        Ok(self)
    }

    /// Whether the login ends the person's other sessions
    /// (`endOtherSessions`; default `false`): sent with the authorize step
    /// and with the exchange.
    pub fn end_other_sessions(mut self, yes: bool) -> Self {
        self.end_other_sessions = yes;
        self
    }

    /// The authorize URL to send the person's browser to.
    pub fn url(&self) -> Url {
        let mut url = Url::parse(&format!("{}/v2/oauth/authorize", self.base_url))
            .unwrap_or_else(|_| unreachable!("the base URL was parsed when the login began"));
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.client_id)
                .append_pair("state", self.state.expose())
                .append_pair("scope", SCOPE)
                .append_pair(
                    "endOtherSessions",
                    if self.end_other_sessions {
                        "true"
                    } else {
                        "false"
                    },
                );
            if let Some(r) = &self.redirect_uri {
                q.append_pair("redirect_uri", r);
            }
        }
        url
    }

    /// The `state` the redirect must carry back.
    pub fn state(&self) -> &Secret {
        &self.state
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The host root the login was begun for.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The redirect URI named, if any.
    pub fn redirect_uri_named(&self) -> Option<&str> {
        self.redirect_uri.as_deref()
    }

    /// Whether the login ends the person's other sessions.
    pub fn ends_other_sessions(&self) -> bool {
        self.end_other_sessions
    }

    /// Checks that `returned` is this login's state: else
    /// [`Error::LoginStateMismatch`].
    pub fn check_state(&self, returned: Option<&Secret>) -> Result<()> {
        match returned {
            Some(s) if same(s.expose(), self.state.expose()) => Ok(()),
            _ => Err(Error::LoginStateMismatch),
        }
    }
}

/// What the browser brought back to the redirect URI: the `code` and the
/// `state`, both credentials of this one login (their `Debug` output is
/// redacted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRedirect {
    code: Secret,
    state: Option<Secret>,
}

impl LoginRedirect {
    /// From values your web framework already took out of the query.
    pub fn new(code: Secret, state: Option<Secret>) -> Self {
        Self { code, state }
    }

    /// From the redirect's query string (`code=...&state=...`, with or
    /// without the leading `?`). A redirect without a code is refused: with
    /// the `error` it carries when it carries one (OAuth's way of saying
    /// the person did not log in), else saying that it is not a login's
    /// redirect.
    pub fn from_query(query: &str) -> Result<Self> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut code = None;
        let mut state = None;
        let mut error = None;
        let mut description = None;
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "code" if !v.is_empty() => code = Some(Secret::new(v.into_owned())),
                "state" => state = Some(Secret::new(v.into_owned())),
                "error" => error = Some(crate::text::excerpt(&v)),
                "error_description" => description = Some(crate::text::excerpt(&v)),
                _ => {}
            }
        }
        match (code, error) {
            (Some(code), _) => Ok(Self { code, state }),
            (None, Some(error)) => Err(Error::LoginRefused {
                detail: match description {
                    Some(d) => format!("the authorize step answered {error}: {d}"),
                    None => format!("the authorize step answered {error}"),
                },
            }),
            (None, None) => Err(Error::InvalidInput(
                "the redirect carries no code: it is not the answer of a web login; start the login again".into(),
            )),
        }
    }

    /// The authorization code.
    pub fn code(&self) -> &Secret {
        &self.code
    }

    /// The state it carried, if any.
    pub fn state(&self) -> Option<&Secret> {
        self.state.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_url_has_the_sdks_parameters_in_its_order() {
        let login = WebLogin::new("https://test-api.intralinks.com/v2/", "app 1").unwrap();
        let state = login.state().expose().to_string();
        assert_eq!(state.len(), 43);
        assert!(
            state
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{state}"
        );
        assert_eq!(
            login.url().as_str(),
            format!(
                "https://test-api.intralinks.com/v2/oauth/authorize?client_id=app+1&state={state}&scope=ilservices&endOtherSessions=false"
            )
        );
        let login = login
            .redirect_uri("http://127.0.0.1:8080/cb?x=1&y=2")
            .unwrap()
            .end_other_sessions(true);
        assert_eq!(
            login.url().as_str(),
            format!(
                "https://test-api.intralinks.com/v2/oauth/authorize?client_id=app+1&state={state}&scope=ilservices&endOtherSessions=true&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcb%3Fx%3D1%26y%3D2"
            )
        );
        // Two logins, two states.
        let other = WebLogin::new("https://test-api.intralinks.com", "app 1").unwrap();
        assert_ne!(other.state(), login.state());
    }

    #[test]
    fn bad_input_is_refused_with_what_to_do() {
        let e = WebLogin::new("http://example.com", "app").unwrap_err();
        assert!(e.to_string().contains("use https"), "{e}");
        let e = WebLogin::new("https://test-api.intralinks.com", " ").unwrap_err();
        assert_eq!(
            e.to_string(),
            "a web login needs the app's client id: give the one from the developer portal"
        );
        let login = WebLogin::new("https://test-api.intralinks.com", "app").unwrap();
        for (uri, says) in [
            ("/callback", "is not an absolute URL"),
            ("https://a.example/cb#top", "has a fragment"),
            ("http://a.example/cb", "would carry the code in the clear"),
        ] {
            let e = login.clone().redirect_uri(uri).unwrap_err();
            assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
            assert!(e.to_string().contains(says), "{uri}: {e}");
        }
    }

    #[test]
    fn the_state_is_checked_and_never_shown() {
        let login = WebLogin::new("https://test-api.intralinks.com", "app").unwrap();
        let state = login.state().clone();
        assert!(login.check_state(Some(&state)).is_ok());
        for wrong in [None, Some(Secret::new("x")), Some(Secret::new(""))] {
            assert!(matches!(
                login.check_state(wrong.as_ref()),
                Err(Error::LoginStateMismatch)
            ));
        }
        let debug = format!("{login:?}");
        assert!(!debug.contains(state.expose()), "{debug}");
        // Kept between two requests as JSON, and read back.
        let kept = serde_json::to_string(&login).unwrap();
        let back: WebLogin = serde_json::from_str(&kept).unwrap();
        assert_eq!(back, login);
        assert_eq!(back.url(), login.url());
    }

    #[test]
    fn a_redirect_is_read_from_its_query() {
        let r = LoginRedirect::from_query("?code=c0de-4711&state=a%20b").unwrap();
        assert_eq!(r.code().expose(), "c0de-4711");
        assert_eq!(r.state().map(Secret::expose), Some("a b"));
        let debug = format!("{r:?}");
        assert!(!debug.contains("c0de-4711"), "{debug}");
        let e =
            LoginRedirect::from_query("error=access_denied&error_description=No+thanks&state=s")
                .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the service refused the login (the authorize step answered access_denied: No thanks): check the e-mail and password, and the app's client id and secret"
        );
        let e = LoginRedirect::from_query("state=s").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the redirect carries no code: it is not the answer of a web login; start the login again"
        );
    }
}
