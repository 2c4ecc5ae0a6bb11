//! Workspace entry: the state machine of the developer portal's "entering a
//! workspace" guide, for V2 JSON and V1 XML.
//!
//! Each POST carries everything sent so far plus what the last answer asked
//! for. A service drives it one step at a time ([`Intralinks::start_entry`],
//! [`Intralinks::resume_entry`]) — each step one entry request, the state in
//! between an [`EntryProgress`] it can keep anywhere; a program on a terminal
//! hands a [`Prompter`] to [`Intralinks::enter`]. A secret is never resent on
//! its own initiative: after a wrong answer the user is asked again.
//!
//! Only a room with a splash, multi-factor settings or other rules turned on
//! needs entry (the entry guide); the others answer at once, and
//! [`Intralinks::in_workspace`] enters only on the 303 that says so. A state
//! no known request answers — `OTP_DELIVERY_OPTION`, a choice of how the
//! one-time password travels, seen in a live answer — ends the entry with
//! [`Error::EntryIncomplete`] naming it, after that one request.

use intralinks_api::Secret;
use intralinks_api::types::{
    ContentDeclaration, ContentDeclarationUpdateRequest, EntryRequest, EntryState, Splash,
};

use serde::{Deserialize, Serialize};

use crate::Intralinks;
use crate::error::{Checked, Error, Result};

/// The longest entry conversation allowed before giving up.
const MAX_POSTS: usize = 12;

/// What the service asks of the user before it lets them in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "demand", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Demand {
    /// Read and accept the splash screen (its text, when it could be read).
    AcceptSplash {
        /// The splash, as `GET .../splash` gave it.
        splash: Option<Splash>,
    },
    /// Answer the security question named by this key.
    SecurityQuestion {
        /// securityQuestionKey.
        key: String,
    },
    /// The one-time password just mailed to the user.
    OneTimePassword,
    /// Declare public or private content.
    ContentDeclaration,
}

impl Demand {
    /// The entry state that asks for it.
    pub fn state(&self) -> EntryState {
        match self {
            Demand::AcceptSplash { .. } => EntryState::AcceptSplash,
            Demand::SecurityQuestion { .. } => EntryState::SecurityQuestion,
            Demand::OneTimePassword => EntryState::OneTimePassword,
            Demand::ContentDeclaration => EntryState::ContentDeclarationRequired,
        }
    }
}

/// What the user gave for a [`Demand`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reply {
    /// The splash screen is accepted.
    AcceptSplash,
    /// The security answer.
    Answer(Secret),
    /// The one-time password.
    OneTimePassword(Secret),
    /// The content declaration.
    Content(ContentDeclaration),
}

/// An entry waiting for the user: what to ask ([`EntryProgress::demand`]) and
/// everything needed to go on later without replaying earlier steps — even in
/// another process, since it serializes.
///
/// It holds what the user already gave (the service wants every request to
/// carry it again), secrets included, so store it as you would a password;
/// its `Debug` output is redacted.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryProgress {
    workspace_id: i64,
    v1: bool,
    demand: Demand,
    attempts: Option<i32>,
    states: Vec<EntryState>,
    accept_splash: bool,
    answer: Option<Secret>,
    one_time_password: Option<Secret>,
    content: Option<ContentDeclaration>,
    /// The service asked again for what was just given: it was not accepted.
    #[serde(default)]
    rejected: bool,
}

impl std::fmt::Debug for EntryProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryProgress")
            .field("workspace_id", &self.workspace_id)
            .field("v1", &self.v1)
            .field("demand", &self.demand)
            .field("attempts", &self.attempts)
            .field("states", &self.states)
            .field("accept_splash", &self.accept_splash)
            .field("answer", &self.answer.as_ref().map(|_| "***"))
            .field(
                "one_time_password",
                &self.one_time_password.as_ref().map(|_| "***"),
            )
            .field("content", &self.content)
            .field("rejected", &self.rejected)
            .finish()
    }
}

impl EntryProgress {
    /// The workspace being entered.
    pub fn workspace_id(&self) -> i64 {
        self.workspace_id
    }
    /// What the service asks for now.
    pub fn demand(&self) -> &Demand {
        &self.demand
    }
    /// numOfAttempts as last reported: wrong answers or passwords so far.
    pub fn attempts(&self) -> Option<i32> {
        self.attempts
    }
    /// The states answered so far, in order.
    pub fn states(&self) -> &[EntryState] {
        &self.states
    }
    /// Whether the service asked again for what was just given: the answer,
    /// password or declaration was not accepted (and, for an answer or a
    /// password, one of the attempts before a lockout is spent).
    pub fn rejected(&self) -> bool {
        self.rejected
    }
    /// The error to report when the user gives nothing (more) for the
    /// demand: [`Error::EntryRejected`] after a refused reply, else
    /// [`Error::EntryIncomplete`].
    pub fn incomplete(&self) -> Error {
        if self.rejected {
            return Error::EntryRejected {
                workspace_id: self.workspace_id,
                state: self.demand.state(),
                attempts: self.attempts,
            };
        }
        Error::EntryIncomplete {
            workspace_id: self.workspace_id,
            state: self.demand.state(),
            security_question_key: match &self.demand {
                Demand::SecurityQuestion { key } => Some(key.clone()),
                _ => None,
            },
            attempts: self.attempts,
        }
    }
}

/// One step of an entry: in, or waiting for the user.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EntryStep {
    /// The service answered ALLOW.
    Entered(Entered),
    /// The service asks for something; answer with [`Intralinks::resume_entry`].
    Needs(Box<EntryProgress>),
}

/// Answers the questions entry asks. Return `None` to stop: the entry then
/// fails with [`Error::EntryIncomplete`] saying what was missing.
pub trait Prompter: Send {
    /// Accept the splash? Never say yes on the user's behalf without their say.
    fn accept_splash(&mut self, splash: Option<&Splash>) -> Option<bool>;
    /// The answer to the security question `key` (see
    /// [`question_text`](crate::question_text) for its human form); `failed`
    /// is `Some(wrong attempts so far)` when the last answer was not
    /// accepted, `None` on the first ask.
    fn security_answer(&mut self, key: &str, failed: Option<i32>) -> Option<Secret>;
    /// The one-time password just mailed; `failed` as for [`Prompter::security_answer`].
    fn one_time_password(&mut self, failed: Option<i32>) -> Option<Secret>;
    /// Public or private content.
    fn content_declaration(&mut self) -> Option<ContentDeclaration>;
}

/// Fixed answers, each given at most once (a wrong one is never resent).
#[derive(Debug, Default, Clone)]
pub struct FixedAnswers {
    /// Accept the splash screen.
    pub accept_splash: bool,
    /// The security answer.
    pub answer: Option<Secret>,
    /// The one-time password.
    pub one_time_password: Option<Secret>,
    /// The content declaration.
    pub content: Option<ContentDeclaration>,
}

impl Prompter for FixedAnswers {
    fn accept_splash(&mut self, _splash: Option<&Splash>) -> Option<bool> {
        self.accept_splash.then_some(true)
    }
    fn security_answer(&mut self, _key: &str, _failed: Option<i32>) -> Option<Secret> {
        self.answer.take()
    }
    fn one_time_password(&mut self, _failed: Option<i32>) -> Option<Secret> {
        self.one_time_password.take()
    }
    fn content_declaration(&mut self) -> Option<ContentDeclaration> {
        self.content.take()
    }
}

/// How an entry went.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entered {
    /// The workspace.
    pub workspace_id: i64,
    /// The states the service answered, in order, ending with ALLOW.
    pub states: Vec<EntryState>,
    /// numOfAttempts as last reported (failed answers or passwords).
    pub attempts: Option<i32>,
}

/// The wrong attempts so far when the last reply was refused, for the prompter.
fn failed(progress: &EntryProgress) -> Option<i32> {
    progress
        .rejected()
        .then(|| progress.attempts().unwrap_or(1))
}

/// One answer of the entry call, V1 or V2 alike.
struct Answer {
    state: EntryState,
    key: Option<String>,
    attempts: Option<i32>,
}

fn parse_state(state: Option<&str>) -> Result<EntryState> {
    let text = state.unwrap_or("");
    text.parse().map_err(|_| Error::Protocol {
        status: 201,
        detail: format!("unknown entry state {text:?}"),
    })
}

impl Intralinks {
    /// Starts entering a workspace with the V2 API: one entry request, and the
    /// splash text when the answer asks for the splash. `Send`, so it runs in
    /// a spawned task or a web handler.
    ///
    /// # Examples
    ///
    /// One step at a time, against the simulator: a workspace with a splash
    /// screen and a security question. Each [`EntryProgress`] serializes, so
    /// the user's reply may come in a later request, even to another process.
    ///
    /// ```
    /// # use intralinks_ext::{AppKeys, Grant, Intralinks};
    /// # use intralinks_sim::{SimConfig, Simulator, demo};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> intralinks_ext::Result<()> {
    /// # let sim = Simulator::start(SimConfig::default()).await.expect("simulator");
    /// # let il = Intralinks::builder(sim.url())
    /// #     .login(
    /// #         AppKeys { client_id: demo::CLIENT_ID.into(), client_secret: Secret::new(demo::CLIENT_SECRET) },
    /// #         Grant::Password {
    /// #             email: demo::EMAIL.into(),
    /// #             password: Secret::new(demo::PASSWORD),
    /// #             end_other_sessions: false,
    /// #         },
    /// #     )
    /// #     .await?;
    /// use intralinks_ext::{Demand, EntryStep, Reply, Secret};
    ///
    /// let mut step = il.start_entry(demo::SPLASH_QUESTION_WORKSPACE).await?;
    /// let entered = loop {
    ///     let progress = match step {
    ///         EntryStep::Entered(entered) => break entered,
    ///         EntryStep::Needs(progress) => progress,
    ///         _ => unreachable!("an entry is in or waiting"),
    ///     };
    ///     // Kept between requests as JSON; ask the user meanwhile.
    ///     let kept = serde_json::to_string(&*progress).expect("serializes");
    ///     let progress: intralinks_ext::EntryProgress = serde_json::from_str(&kept).expect("reads back");
    ///     let reply = match progress.demand() {
    ///         Demand::AcceptSplash { .. } => Reply::AcceptSplash,
    ///         Demand::SecurityQuestion { .. } => Reply::Answer(Secret::new(demo::ANSWER)),
    ///         _ => return Err(progress.incomplete()),
    ///     };
    ///     step = il.resume_entry(&progress, reply).await?;
    /// };
    /// assert_eq!(entered.workspace_id, demo::SPLASH_QUESTION_WORKSPACE);
    /// # sim.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn start_entry(&self, workspace_id: i64) -> Result<EntryStep> {
        self.first_step(workspace_id, false).await
    }

    /// [`Intralinks::start_entry`] with the V1 XML API (`/services/workspaces/entry`).
    pub async fn start_entry_v1(&self, workspace_id: i64) -> Result<EntryStep> {
        self.first_step(workspace_id, true).await
    }

    async fn first_step(&self, workspace_id: i64, v1: bool) -> Result<EntryStep> {
        let progress = EntryProgress {
            workspace_id,
            v1,
            demand: Demand::OneTimePassword,
            attempts: None,
            states: Vec::new(),
            accept_splash: false,
            answer: None,
            one_time_password: None,
            content: None,
            rejected: false,
        };
        self.post_entry(progress, false).await
    }

    /// Goes on with an entry: adds `reply` to what was given and sends one
    /// entry request. A reply that does not answer the demand is refused
    /// before anything is sent. `progress` is borrowed, so that after an
    /// error (the network, a refused reply) it is still there to go on from.
    pub async fn resume_entry(&self, progress: &EntryProgress, reply: Reply) -> Result<EntryStep> {
        let mut progress = progress.clone();
        match (&progress.demand, reply) {
            (Demand::AcceptSplash { .. }, Reply::AcceptSplash) => {
                if progress.accept_splash {
                    return Err(Error::EntryLoop {
                        workspace_id: progress.workspace_id,
                        states: progress.states.clone(),
                    });
                }
                progress.accept_splash = true;
            }
            (Demand::SecurityQuestion { .. }, Reply::Answer(a)) => progress.answer = Some(a),
            (Demand::OneTimePassword, Reply::OneTimePassword(p)) => {
                progress.one_time_password = Some(p)
            }
            (Demand::ContentDeclaration, Reply::Content(c)) => progress.content = Some(c),
            (demand, reply) => {
                return Err(Error::InvalidInput(format!(
                    "workspace {} entry asks for {}, not {}; reply to what it asks",
                    progress.workspace_id,
                    demand.state(),
                    match reply {
                        Reply::AcceptSplash => "the splash acceptance",
                        Reply::Answer(_) => "a security answer",
                        Reply::OneTimePassword(_) => "a one-time password",
                        Reply::Content(_) => "a content declaration",
                    }
                )));
            }
        }
        if progress.states.len() >= MAX_POSTS {
            return Err(Error::EntryLoop {
                workspace_id: progress.workspace_id,
                states: progress.states,
            });
        }
        self.post_entry(progress, true).await
    }

    /// Sends what `progress` holds; turns the answer into the next step.
    /// `replied`: the request carries a reply to `progress.demand`.
    async fn post_entry(&self, mut progress: EntryProgress, replied: bool) -> Result<EntryStep> {
        let ws = progress.workspace_id;
        let answer = if progress.v1 {
            let request = crate::v1::EntryRequestXml {
                accept_splash: progress
                    .accept_splash
                    .then_some(intralinks_api::TfBool(true)),
                answer: progress.answer.as_ref().map(|s| s.expose().to_string()),
                one_time_password: progress
                    .one_time_password
                    .as_ref()
                    .map(|s| s.expose().to_string()),
                content_declaration: progress.content.map(|c| c.to_string()),
            };
            let a = self.v1_entry_call(ws, "CREATE", Some(&request)).await?;
            Answer {
                state: parse_state(a.state.as_deref())?,
                key: a.security_question_key,
                attempts: a.num_of_attempts,
            }
        } else {
            let body = EntryRequest {
                accept_splash: progress.accept_splash.then_some(true),
                answer: progress.answer.clone(),
                one_time_password: progress.one_time_password.clone(),
                content_declaration_update_request: progress.content.map(|c| {
                    ContentDeclarationUpdateRequest {
                        content_declaration: Some(c),
                    }
                }),
            };
            let a = self
                .api()
                .enter_workspace()
                .workspace_id(ws)
                .body(body)
                .send()
                .checked()
                .await?;
            Answer {
                state: a.state,
                key: a.security_question_key,
                attempts: a.num_of_attempts,
            }
        };
        progress.states.push(answer.state);
        progress.attempts = answer.attempts;
        progress.rejected = replied && answer.state == progress.demand.state();
        let demand = match answer.state {
            EntryState::Allow => {
                return Ok(EntryStep::Entered(Entered {
                    workspace_id: ws,
                    states: progress.states,
                    attempts: answer.attempts,
                }));
            }
            EntryState::Block => {
                return Err(Error::Blocked {
                    workspace_id: ws,
                    attempts: answer.attempts,
                });
            }
            EntryState::AcceptSplash => {
                if progress.accept_splash {
                    return Err(Error::EntryLoop {
                        workspace_id: ws,
                        states: progress.states,
                    });
                }
                let splash = if progress.v1 {
                    self.splash_v1(ws).await.ok().map(|s| Splash {
                        splash_text: s.splash_text.clone(),
                        has_image: s.has_image.map(|b| b.0),
                        splash_url: s.splash_url.clone(),
                        ..Splash::default()
                    })
                } else {
                    self.api()
                        .get_splash()
                        .workspace_id(ws)
                        .send()
                        .checked()
                        .await
                        .ok()
                        .and_then(|s| s.splash)
                };
                Demand::AcceptSplash { splash }
            }
            EntryState::SecurityQuestion => Demand::SecurityQuestion {
                key: answer.key.unwrap_or_default(),
            },
            EntryState::OneTimePassword => Demand::OneTimePassword,
            EntryState::ContentDeclarationRequired => Demand::ContentDeclaration,
            // No source shows the request that chooses a delivery: nothing
            // this client could send would answer it.
            EntryState::OtpDeliveryOption => {
                return Err(Error::EntryIncomplete {
                    workspace_id: ws,
                    state: EntryState::OtpDeliveryOption,
                    security_question_key: None,
                    attempts: answer.attempts,
                });
            }
            // A state a later release of the generated client knows.
            other => {
                return Err(Error::Protocol {
                    status: 200,
                    detail: format!(
                        "the room asks for an entry step this client does not know ({other:?}); update intralinks-ext"
                    ),
                });
            }
        };
        progress.demand = demand;
        Ok(EntryStep::Needs(Box::new(progress)))
    }

    /// Enters a workspace with the V2 API, asking `prompter` for what each
    /// state demands (the splash text is read when the splash is asked for).
    pub async fn enter(
        &self,
        workspace_id: i64,
        prompter: &mut (dyn Prompter + Send),
    ) -> Result<Entered> {
        let first = self.start_entry(workspace_id).await?;
        self.prompt_through(first, prompter).await
    }

    /// Enters a workspace with the V1 XML API, asking `prompter`.
    pub async fn enter_v1(
        &self,
        workspace_id: i64,
        prompter: &mut (dyn Prompter + Send),
    ) -> Result<Entered> {
        let first = self.start_entry_v1(workspace_id).await?;
        self.prompt_through(first, prompter).await
    }

    /// Drives an entry to the end with `prompter`.
    pub async fn prompt_through(
        &self,
        step: EntryStep,
        prompter: &mut (dyn Prompter + Send),
    ) -> Result<Entered> {
        let mut step = step;
        loop {
            let progress = match step {
                EntryStep::Entered(entered) => return Ok(entered),
                EntryStep::Needs(progress) => progress,
            };
            let reply = match progress.demand() {
                Demand::AcceptSplash { splash } => match prompter.accept_splash(splash.as_ref()) {
                    Some(true) => Some(Reply::AcceptSplash),
                    _ => None,
                },
                Demand::SecurityQuestion { key } => prompter
                    .security_answer(key, failed(&progress))
                    .map(Reply::Answer),
                Demand::OneTimePassword => prompter
                    .one_time_password(failed(&progress))
                    .map(Reply::OneTimePassword),
                Demand::ContentDeclaration => prompter.content_declaration().map(Reply::Content),
            };
            let Some(reply) = reply else {
                return Err(progress.incomplete());
            };
            step = self.resume_entry(&progress, reply).await?;
        }
    }
}

impl Intralinks {
    /// Runs `fetch`; when the workspace must be entered first
    /// ([`Error::EntryRequired`]), enters it with `answers` (nothing is
    /// asked) and runs `fetch` once more. An entry that needs more than
    /// `answers` gives the entry's error, which says what to pass.
    ///
    /// The reports, rooms as code and the command list through this, so a
    /// room that demands nothing is never entered and one that demands what
    /// `answers` hold is entered once, on the first call that needs it.
    pub async fn in_workspace<T, F, Fut>(
        &self,
        workspace_id: i64,
        answers: &FixedAnswers,
        fetch: F,
    ) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        match fetch().await {
            Err(Error::EntryRequired { .. }) => {
                let mut answers = answers.clone();
                self.enter(workspace_id, &mut answers).await?;
                fetch().await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_answers_are_given_once() {
        let mut p = FixedAnswers {
            accept_splash: true,
            answer: Some(Secret::new("rosebud")),
            ..FixedAnswers::default()
        };
        assert_eq!(p.accept_splash(None), Some(true));
        assert_eq!(
            p.security_answer("k", None).map(|s| s.expose().to_string()),
            Some("rosebud".into())
        );
        assert_eq!(
            p.security_answer("k", Some(1)),
            None,
            "a wrong answer is never resent"
        );
        assert_eq!(p.one_time_password(None), None);
    }

    #[test]
    fn progress_debug_hides_the_answers_given() {
        let p = EntryProgress {
            workspace_id: 1,
            v1: false,
            demand: Demand::OneTimePassword,
            attempts: None,
            states: vec![EntryState::SecurityQuestion, EntryState::OneTimePassword],
            accept_splash: true,
            answer: Some(Secret::new("my-first-pet-rex")),
            one_time_password: None,
            content: None,
            rejected: false,
        };
        let debug = format!("{p:?}");
        assert!(!debug.contains("rex"), "{debug}");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(
            json["demand"],
            serde_json::json!({"demand": "oneTimePassword"})
        );
        assert_eq!(
            json["states"],
            serde_json::json!(["SECURITY_QUESTION", "ONE_TIME_PASSWORD"])
        );
        let back: EntryProgress = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
    }
}
