//! OAuth: logins, refresh, revoke, token checks.

use super::*;

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

    /// `grant_type=client_credentials`: a new session for the user.
    pub(crate) fn login(
        &mut self,
        form: &HashMap<String, String>,
        lifetime: Duration,
        refresh_lifetime: Duration,
    ) -> Result<Grant, ApiError> {
        let get = |k: &str| form.get(k).map(String::as_str);
        self.check_client(get("client_id"), get("client_secret"))?;
        let grant = get("grant_type").unwrap_or_default();
        match grant {
            "client_credentials" => {
                let (Some(email), Some(password)) = (get("email"), get("password")) else {
                    return Err(ApiError::Invalid("email and password are required".into()));
                };
                let email = email.trim().to_ascii_lowercase();
                let ok = self
                    .accounts
                    .get(&email)
                    .and_then(|a| a.password.as_ref())
                    .is_some_and(|p| p.0 == password);
                if !ok {
                    return Err(ApiError::BadCredentials);
                }
                if get("endOtherSessions").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
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
                Ok(Grant {
                    access_token,
                    refresh_token,
                    email,
                })
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
            "authorization_code" => Err(ApiError::Invalid(
                "authorization_code is not supported by the simulator; use client_credentials"
                    .into(),
            )),
            "" => Err(ApiError::Invalid("grant_type is required".into())),
            _ => Err(ApiError::Invalid("unsupported grant_type".into())),
        }
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
