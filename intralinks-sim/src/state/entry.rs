//! Workspace entry (the state machine of seed 000) and splash screens.

use super::*;

impl State {
    /// `POST /workspaces/{id}/splash` and V1 entry CREATE: the entry state
    /// machine. Order: splash, security question, one-time password,
    /// content declaration. Each request is judged on what it carries.
    pub(crate) fn enter(
        &mut self,
        caller: &Caller,
        ws: i64,
        input: &EntryInput,
    ) -> Result<EntryOutcome, ApiError> {
        let w = self.visible(caller, ws)?.clone();
        let key = (caller.email.clone(), ws);
        let outcome = |state, attempts: Option<u32>| EntryOutcome {
            state,
            num_of_attempts: attempts,
            security_question_key: None,
        };
        if self.entered(caller, ws) {
            return Ok(outcome(EntryState::Allow, None));
        }
        let asks_secrets = w.requires_question() || w.requires_otp();
        let mut failures = self.failures.get(&key).copied().unwrap_or(0);
        if failures >= MAX_ATTEMPTS {
            return Ok(outcome(EntryState::Block, Some(failures)));
        }
        if w.requires_splash() && !input.accept_splash {
            return Ok(outcome(EntryState::AcceptSplash, None));
        }
        let account = self.accounts.get(&caller.email).cloned();
        if w.requires_question() {
            let question_key = account
                .as_ref()
                .map(|a| a.question_key.clone())
                .unwrap_or_else(|| crate::demo::SECURITY_QUESTION_KEY.to_string());
            let right = match &input.answer {
                None => {
                    return Ok(EntryOutcome {
                        state: EntryState::SecurityQuestion,
                        num_of_attempts: Some(failures),
                        security_question_key: Some(question_key),
                    });
                }
                Some(given) => account
                    .as_ref()
                    .is_some_and(|a| a.answer.0.trim().eq_ignore_ascii_case(given.0.trim())),
            };
            if !right {
                failures += 1;
                self.failures.insert(key.clone(), failures);
                if failures >= MAX_ATTEMPTS {
                    return Ok(outcome(EntryState::Block, Some(failures)));
                }
                return Ok(EntryOutcome {
                    state: EntryState::SecurityQuestion,
                    num_of_attempts: Some(failures),
                    security_question_key: Some(question_key),
                });
            }
        }
        if w.requires_otp() && w.otp_delivery_to_choose {
            // No request that makes the choice is known: asked every time.
            return Ok(outcome(EntryState::OtpDeliveryOption, None));
        }
        if w.requires_otp() {
            match &input.otp {
                None => {
                    let progress = self.progress(caller, ws);
                    if !progress.otp_mailed {
                        progress.otp_mailed = true;
                        let otp = Secret(format!("{:06}", fastrand::u32(0..1_000_000)));
                        self.otps.insert(key.clone(), otp.clone());
                        self.mailbox.push(Mail {
                            email: caller.email.clone(),
                            workspace_id: ws,
                            what: Mailed::Otp(otp),
                        });
                    }
                    return Ok(outcome(EntryState::OneTimePassword, Some(failures)));
                }
                Some(given) => {
                    let right = self
                        .otps
                        .get(&key)
                        .is_some_and(|latest| latest.0 == given.0.trim());
                    if !right {
                        failures += 1;
                        self.failures.insert(key.clone(), failures);
                        if failures >= MAX_ATTEMPTS {
                            return Ok(outcome(EntryState::Block, Some(failures)));
                        }
                        return Ok(outcome(EntryState::OneTimePassword, Some(failures)));
                    }
                }
            }
        }
        if w.requires_declaration() && !self.declarations.contains_key(&key) {
            match input.declaration.as_deref() {
                None => {
                    return Ok(outcome(
                        EntryState::ContentDeclarationRequired,
                        asks_secrets.then_some(failures),
                    ));
                }
                Some(d @ ("PUBLIC" | "PRIVATE")) => {
                    self.declarations.insert(key.clone(), d.to_string());
                }
                Some(_) => {
                    return Err(ApiError::Invalid(
                        "contentDeclaration must be PUBLIC or PRIVATE".into(),
                    ));
                }
            }
        }
        self.failures.remove(&key);
        self.progress(caller, ws).allowed = true;
        self.touch(&caller.email, ws);
        Ok(outcome(EntryState::Allow, asks_secrets.then_some(failures)))
    }

    fn progress(&mut self, caller: &Caller, ws: i64) -> &mut EntryProgress {
        let session = self
            .sessions
            .entry(caller.session)
            .or_insert_with(|| Session {
                email: caller.email.clone(),
                entries: HashMap::new(),
            });
        session.entries.entry(ws).or_default()
    }

    /// V1 entry DELETE: leaves the workspace (this session only).
    pub(crate) fn exit(&mut self, caller: &Caller, ws: i64) -> Result<(), ApiError> {
        self.visible(caller, ws)?;
        if let Some(s) = self.sessions.get_mut(&caller.session) {
            s.entries.remove(&ws);
        }
        Ok(())
    }

    /// The splash as V2 shows it.
    pub(crate) fn splash_json(&self, caller: &Caller, ws: i64) -> Result<Value, ApiError> {
        let w = self.visible(caller, ws)?;
        Ok(match &w.splash {
            Some(s) => json!({
                "acceptText": s.accept_text,
                "displayType": s.display_type,
                "hasImage": s.image.is_some(),
                "splashRequired": s.required,
                "splashText": s.text,
                "splashType": s.splash_type,
                "splashUrl": "",
                "workspaceName": w.name,
            }),
            None => json!({
                "hasImage": false,
                "splashRequired": false,
                "workspaceName": w.name,
            }),
        })
    }

    /// The workspace's splash, if any, for V1.
    pub(crate) fn splash_config(
        &self,
        caller: &Caller,
        ws: i64,
    ) -> Result<(String, Option<SplashConfig>), ApiError> {
        let w = self.visible(caller, ws)?;
        Ok((w.name.clone(), w.splash.clone()))
    }

    /// `PUT /workspaces/{id}/splash`.
    pub(crate) fn update_splash(
        &mut self,
        caller: &Caller,
        ws: i64,
        input: crate::wire::SplashInput,
    ) -> Result<(), ApiError> {
        self.visible(caller, ws)?;
        let Some(w) = self.workspaces.get_mut(&ws) else {
            return Err(ApiError::NotFound);
        };
        let s = w.splash.get_or_insert_with(|| SplashConfig {
            text: String::new(),
            accept_text: "agree".into(),
            display_type: "DISPLAY_EVERYTIME".into(),
            splash_type: "PUBLIC".into(),
            required: true,
            image: None,
        });
        if let Some(t) = input.splash_text {
            s.text = t;
        }
        if let Some(t) = input.accept_text {
            s.accept_text = t;
        }
        if let Some(t) = input.display_type {
            s.display_type = t;
        }
        if let Some(t) = input.splash_type {
            s.splash_type = t;
        }
        if let Some(r) = input.splash_required.or(input.has_accept_button) {
            s.required = r;
        }
        match input.has_image {
            Some(false) => s.image = None,
            Some(true) if s.image.is_none() => s.image = Some([0, 102, 204]),
            _ => {}
        }
        w.version += 1;
        w.last_modified_on = now_ms();
        Ok(())
    }
}
