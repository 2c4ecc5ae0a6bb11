//! OAuth: logins, refresh, revoke, token checks, and the authorize form's
//! single-use codes.

use super::*;

/// Why the authorize form gives no code.
#[derive(Debug)]
pub(crate) enum AuthorizeRefusal {
    /// The app or its redirect URI cannot be trusted: a page, no redirect.
    App(String),
    /// Wrong e-mail or password: the form again.
    Login,
}

/// An `http` URI to a loopback address (`127.0.0.0/8`, `[::1]`, `localhost`).
fn is_loopback_http(url: &url::Url) -> bool {
    url.scheme() == "http"
        && match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        }
}

/// `now + d`, saturating at a century for absurd lifetimes.
fn deadline(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(now)
}

impl State {
    fn check_client(&self, client_id: Option<&str>, secret: Option<&str>) -> Result<(), ApiError> {
        match (client_id, secret) {
            (Some(id), Some(s)) if self.clients.get(id).is_some_and(|c| c.0 == s) => Ok(()),
            (None, _) | (_, None) => Err(ApiError::Invalid(
                "client_id and client_secret are required".into(),
            )),
            _ => Err(ApiError::BadCredentials),
        }
    }

    fn issue(
        &mut self,
        session: u64,
        lifetime: Duration,
        refresh_lifetime: Duration,
    ) -> (String, String) {
        let now = Instant::now();
        let access = random_token(32);
        let refresh = random_token(40);
        self.access_tokens.insert(
            access.clone(),
            TokenRec {
                session,
                expires_at: deadline(now, lifetime),
            },
        );
        self.refresh_tokens.insert(
            refresh.clone(),
            TokenRec {
                session,
                expires_at: deadline(now, refresh_lifetime),
            },
        );
        (access, refresh)
    }

    fn end_session(&mut self, session: u64) {
        self.sessions.remove(&session);
        self.access_tokens.retain(|_, t| t.session != session);
        self.refresh_tokens.retain(|_, t| t.session != session);
    }

    /// A new session for `email` (ending the user's others first when
    /// asked) and its first token pair.
    pub(super) fn open_session(
        &mut self,
        email: String,
        end_other_sessions: bool,
        lifetime: Duration,
        refresh_lifetime: Duration,
    ) -> Grant {
        if end_other_sessions {
            let others: Vec<u64> = self
                .sessions
                .iter()
                .filter(|(_, s)| s.email == email)
                .map(|(id, _)| *id)
                .collect();
            for id in others {
                self.end_session(id);
            }
        }
        let session = self.next_session;
        self.next_session += 1;
        self.sessions.insert(
            session,
            Session {
                email: email.clone(),
                entries: HashMap::new(),
            },
        );
        let (access_token, refresh_token) = self.issue(session, lifetime, refresh_lifetime);
        Grant {
            access_token,
            refresh_token,
            email,
        }
    }

    /// The account `email` (any case, blanks trimmed) if `password` is its password.
    fn check_login(&self, email: &str, password: &str) -> Option<String> {
        let email = email.trim().to_ascii_lowercase();
        self.accounts
            .get(&email)
            .and_then(|a| a.password.as_ref())
            .is_some_and(|p| p.0 == password)
            .then_some(email)
    }

    /// `POST /oauth/token`: `client_credentials` (a new session for the
    /// user), `refresh_token` (a new pair, the old refresh token spent) or
    /// `authorization_code` (a new session for whoever logged in at the
    /// authorize form; the code spent).
    pub(crate) fn login(
        &mut self,
        form: &HashMap<String, String>,
        lifetime: Duration,
        refresh_lifetime: Duration,
    ) -> Result<Grant, ApiError> {
        let get = |k: &str| form.get(k).map(String::as_str);
        self.check_client(get("client_id"), get("client_secret"))?;
        let end_others = get("endOtherSessions").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let grant = get("grant_type").unwrap_or_default();
        match grant {
            "client_credentials" => {
                let (Some(email), Some(password)) = (get("email"), get("password")) else {
                    return Err(ApiError::Invalid("email and password are required".into()));
                };
                let email = self
                    .check_login(email, password)
                    .ok_or(ApiError::BadCredentials)?;
                Ok(self.open_session(email, end_others, lifetime, refresh_lifetime))
            }
            "refresh_token" => {
                let Some(refresh) = get("refresh_token") else {
                    return Err(ApiError::Invalid("refresh_token is required".into()));
                };
                let rec = self
                    .refresh_tokens
                    .get(refresh)
                    .filter(|r| r.expires_at > Instant::now())
                    .cloned()
                    .ok_or(ApiError::BadCredentials)?;
                let email = self
                    .sessions
                    .get(&rec.session)
                    .map(|s| s.email.clone())
                    .ok_or(ApiError::BadCredentials)?;
                // Refresh tokens are single use: the new pair replaces it.
                self.refresh_tokens.remove(refresh);
                let (access_token, refresh_token) =
                    self.issue(rec.session, lifetime, refresh_lifetime);
                Ok(Grant {
                    access_token,
                    refresh_token,
                    email,
                })
            }
            "authorization_code" => {
                let Some(code) = get("code") else {
                    return Err(ApiError::Invalid("code is required".into()));
                };
                // Single use: a code is gone once presented, right or wrong.
                let rec = self
                    .codes
                    .remove(code)
                    .filter(|r| r.expires_at > Instant::now())
                    .filter(|r| Some(r.client_id.as_str()) == get("client_id"))
                    .ok_or(ApiError::BadCredentials)?;
                // RFC 6749 4.1.3: the redirect_uri of the authorize request, repeated.
                if let Some(expected) = &rec.redirect_uri
                    && get("redirect_uri") != Some(expected.as_str())
                {
                    return Err(ApiError::BadCredentials);
                }
                Ok(self.open_session(
                    rec.email,
                    rec.end_other_sessions || end_others,
                    lifetime,
                    refresh_lifetime,
                ))
            }
            "" => Err(ApiError::Invalid("grant_type is required".into())),
            _ => Err(ApiError::Invalid("unsupported grant_type".into())),
        }
    }

    /// Where the authorize form of `client_id` may send the browser: the
    /// `redirect_uri` asked for when it is the one the app registered or an
    /// `http` loopback URI (RFC 8252 7.3: any port), else the registered
    /// one. `Err` says why the request cannot be trusted: then the
    /// simulator shows a page and redirects nowhere (RFC 6749 4.1.2.1).
    pub(crate) fn authorize_target(
        &self,
        client_id: Option<&str>,
        redirect_uri: Option<&str>,
    ) -> Result<url::Url, String> {
        let Some(client_id) = client_id.filter(|c| self.clients.contains_key(*c)) else {
            return Err("The app (client_id) is not known.".into());
        };
        let registered = self.redirect_uris.get(client_id);
        let chosen = match (redirect_uri, registered) {
            (Some(asked), Some(reg)) if asked == reg => asked,
            (Some(asked), _) => {
                let url = url::Url::parse(asked)
                    .map_err(|_| "The redirect_uri is not an absolute URL.".to_string())?;
                if !is_loopback_http(&url) {
                    return Err(
                        "The redirect_uri is not one this app registered (and not an http loopback address)."
                            .into(),
                    );
                }
                asked
            }
            (None, Some(reg)) => reg,
            (None, None) => {
                return Err(
                    "The app registered no redirect URI: name one with redirect_uri.".into(),
                );
            }
        };
        let url = url::Url::parse(chosen)
            .map_err(|_| "The redirect_uri is not an absolute URL.".to_string())?;
        if url.fragment().is_some() {
            return Err("The redirect_uri has a fragment (RFC 6749 3.1.2).".into());
        }
        Ok(url)
    }

    /// `POST /oauth/authorize`: the person's e-mail and password, with
    /// what the authorize request carried. The browser goes to the
    /// redirect URI with a fresh single-use `code` (and the `state` sent,
    /// unchanged); the code lives `code_lifetime`.
    pub(crate) fn authorize(
        &mut self,
        form: &HashMap<String, String>,
        code_lifetime: Duration,
    ) -> Result<url::Url, AuthorizeRefusal> {
        let get = |k: &str| form.get(k).map(String::as_str);
        let mut target = self
            .authorize_target(get("client_id"), get("redirect_uri"))
            .map_err(AuthorizeRefusal::App)?;
        let email = self
            .check_login(
                get("email").unwrap_or_default(),
                get("password").unwrap_or_default(),
            )
            .ok_or(AuthorizeRefusal::Login)?;
        let now = Instant::now();
        self.codes.retain(|_, c| c.expires_at > now);
        let code = random_token(32);
        self.codes.insert(
            code.clone(),
            CodeRec {
                client_id: get("client_id").unwrap_or_default().to_string(),
                email,
                redirect_uri: get("redirect_uri").map(str::to_string),
                end_other_sessions: get("endOtherSessions")
                    .is_some_and(|v| v.eq_ignore_ascii_case("true")),
                expires_at: deadline(now, code_lifetime),
            },
        );
        {
            let mut query = target.query_pairs_mut();
            query.append_pair("code", &code);
            if let Some(state) = get("state") {
                query.append_pair("state", state);
            }
        }
        Ok(target)
    }

    /// `PUT /oauth/revoke`: ends the session of an access or refresh token.
    pub(crate) fn revoke(&mut self, form: &HashMap<String, String>) -> Result<(), ApiError> {
        let get = |k: &str| form.get(k).map(String::as_str);
        self.check_client(get("client_id"), get("client_secret"))?;
        let Some(token) = get("token") else {
            return Err(ApiError::Invalid("token is required".into()));
        };
        let session = self
            .access_tokens
            .get(token)
            .or_else(|| self.refresh_tokens.get(token))
            .map(|t| t.session);
        // Unknown tokens are already as revoked as they can be (RFC 7009).
        if let Some(session) = session {
            self.end_session(session);
        }
        Ok(())
    }

    /// The session behind a bearer token, if the token is valid now.
    pub(crate) fn caller(&self, token: &str) -> Result<Caller, ApiError> {
        let rec = self
            .access_tokens
            .get(token)
            .filter(|t| t.expires_at > Instant::now())
            .ok_or(ApiError::Unauthorized)?;
        let session = self
            .sessions
            .get(&rec.session)
            .ok_or(ApiError::Unauthorized)?;
        Ok(Caller {
            session: rec.session,
            email: session.email.clone(),
        })
    }

    /// `/_sim/expire-tokens`: every access token is expired from now on.
    pub(crate) fn expire_access_tokens(&mut self) -> usize {
        let now = Instant::now();
        for t in self.access_tokens.values_mut() {
            t.expires_at = now;
        }
        self.access_tokens.len()
    }
}
