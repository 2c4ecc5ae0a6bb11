//! Workspace entry: the state machine of the developer portal's "entering a
//! workspace" guide, for V2 JSON and V1 XML.
//!
//! Each POST carries everything sent so far plus what the last answer asked
//! for. What to send is asked of a caller-supplied [`Prompter`]; a secret is
//! never resent on its own — after a wrong answer the prompter is asked again.

use intralinks_api::Secret;
use intralinks_api::types::{
    ContentDeclaration, ContentDeclarationUpdateRequest, EntryRequest, EntryState, Splash,
};

use crate::Intralinks;
use crate::error::{Checked, Error, Result};

/// The longest entry conversation allowed before giving up.
const MAX_POSTS: usize = 12;

/// What the service asked for, as a prompter sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Demand {
    /// Accept the splash screen (its text, when it could be read).
    AcceptSplash,
    /// Answer the security question named by this key.
    SecurityQuestion {
        /// securityQuestionKey.
        key: String,
    },
    /// The one-time password just mailed to the user.
    OneTimePassword,
    /// Public or private content.
    ContentDeclaration,
}

/// Answers the questions entry asks. Return `None` to stop: the entry then
/// fails with [`Error::EntryIncomplete`] saying what was missing.
pub trait Prompter {
    /// Accept the splash? Never say yes on the user's behalf without their say.
    fn accept_splash(&mut self, splash: Option<&Splash>) -> Option<bool>;
    /// The answer to the security question `key`; `failed` counts wrong answers so far.
    fn security_answer(&mut self, key: &str, failed: Option<i32>) -> Option<Secret>;
    /// The one-time password just mailed; `failed` counts wrong passwords so far.
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
pub struct Entered {
    /// The workspace.
    pub workspace_id: i64,
    /// The states the service answered, in order, ending with ALLOW.
    pub states: Vec<String>,
    /// numOfAttempts as last reported (failed answers or passwords).
    pub attempts: Option<i32>,
}

fn state_name(state: &EntryState) -> String {
    state.to_string()
}

fn hint_for(state: &str, key: Option<&str>) -> String {
    match state {
        "ACCEPT_SPLASH" => "the splash screen must be accepted: read it (`intralinks splash <id>`) and pass --accept-splash".into(),
        "SECURITY_QUESTION" => format!(
            "answer the security question{}: pass --answer, or run on a terminal to be asked",
            key.map(|k| format!(" {k:?}")).unwrap_or_default()
        ),
        "ONE_TIME_PASSWORD" => "a one-time password was mailed to the user: pass --otp, or run on a terminal to be asked".into(),
        "CONTENT_DECLARATION_REQUIRED" => "declare public or private content (contentDeclaration PUBLIC or PRIVATE)".into(),
        other => format!("the service asked for {other}, which this client does not know"),
    }
}

/// One step's answer, V1 or V2 alike.
struct Step {
    state: String,
    key: Option<String>,
    attempts: Option<i32>,
}

/// What the next request adds; shared by V1 and V2.
#[derive(Default)]
struct Accumulated {
    accept_splash: bool,
    answer: Option<Secret>,
    otp: Option<Secret>,
    content: Option<ContentDeclaration>,
}

/// Drives the conversation: `post` sends the accumulated request.
async fn drive<F, Fut>(
    workspace_id: i64,
    splash: Option<&Splash>,
    prompter: &mut dyn Prompter,
    mut post: F,
) -> Result<Entered>
where
    F: FnMut(&Accumulated) -> Fut,
    Fut: std::future::Future<Output = Result<Step>>,
{
    let mut acc = Accumulated::default();
    let mut states = Vec::new();
    for _ in 0..MAX_POSTS {
        let step = post(&acc).await?;
        states.push(step.state.clone());
        let incomplete = |step: &Step| Error::EntryIncomplete {
            workspace_id,
            state: step.state.clone(),
            hint: hint_for(&step.state, step.key.as_deref()),
            attempts: step.attempts,
        };
        match step.state.as_str() {
            "ALLOW" => {
                return Ok(Entered {
                    workspace_id,
                    states,
                    attempts: step.attempts,
                });
            }
            "BLOCK" => {
                return Err(Error::Blocked {
                    workspace_id,
                    attempts: step.attempts,
                });
            }
            "ACCEPT_SPLASH" => {
                if acc.accept_splash {
                    return Err(Error::Service {
                        status: 201,
                        code: Some(201),
                        subcode: None,
                        message: "the splash was accepted but the service asks for it again".into(),
                        error_id: None,
                    });
                }
                match prompter.accept_splash(splash) {
                    Some(true) => acc.accept_splash = true,
                    _ => return Err(incomplete(&step)),
                }
            }
            "SECURITY_QUESTION" => {
                let key = step.key.clone().unwrap_or_default();
                match prompter.security_answer(&key, step.attempts) {
                    Some(answer) => acc.answer = Some(answer),
                    None => return Err(incomplete(&step)),
                }
            }
            "ONE_TIME_PASSWORD" => match prompter.one_time_password(step.attempts) {
                Some(otp) => acc.otp = Some(otp),
                None => return Err(incomplete(&step)),
            },
            "CONTENT_DECLARATION_REQUIRED" => match prompter.content_declaration() {
                Some(c) => acc.content = Some(c),
                None => return Err(incomplete(&step)),
            },
            _ => return Err(incomplete(&step)),
        }
    }
    Err(Error::Service {
        status: 201,
        code: None,
        subcode: None,
        message: format!(
            "entry did not reach ALLOW after {MAX_POSTS} requests (states: {})",
            states.join(", ")
        ),
        error_id: None,
    })
}

impl Intralinks {
    /// Enters a workspace with the V2 API, asking `prompter` for what each
    /// state demands. The splash text is read first so the prompter can show it.
    pub async fn enter(&self, workspace_id: i64, prompter: &mut dyn Prompter) -> Result<Entered> {
        let splash = self
            .api()
            .get_splash()
            .workspace_id(workspace_id)
            .send()
            .checked()
            .await
            .ok()
            .and_then(|s| s.splash);
        let api = self.api();
        drive(workspace_id, splash.as_ref(), prompter, |acc| {
            let body = EntryRequest {
                accept_splash: acc.accept_splash.then_some(true),
                answer: acc.answer.clone(),
                one_time_password: acc.otp.clone(),
                content_declaration_update_request: acc.content.map(|c| {
                    ContentDeclarationUpdateRequest {
                        content_declaration: Some(c),
                    }
                }),
            };
            async move {
                let answer = api
                    .enter_workspace()
                    .workspace_id(workspace_id)
                    .body(body)
                    .send()
                    .checked()
                    .await?;
                Ok(Step {
                    state: state_name(&answer.state),
                    key: answer.security_question_key,
                    attempts: answer.num_of_attempts,
                })
            }
        })
        .await
    }

    /// Enters a workspace with the V1 XML API (`/services/workspaces/entry`).
    pub async fn enter_v1(
        &self,
        workspace_id: i64,
        prompter: &mut dyn Prompter,
    ) -> Result<Entered> {
        let splash = self.splash_v1(workspace_id).await.ok();
        let as_v2 = splash.as_ref().map(|s| Splash {
            splash_text: s.splash_text.clone(),
            has_image: s.has_image.map(|b| b.0),
            splash_url: s.splash_url.clone(),
            ..Splash::default()
        });
        drive(workspace_id, as_v2.as_ref(), prompter, |acc| {
            let request = crate::v1::EntryRequestXml {
                accept_splash: acc.accept_splash.then_some(intralinks_api::TfBool(true)),
                answer: acc.answer.as_ref().map(|s| s.expose().to_string()),
                one_time_password: acc.otp.as_ref().map(|s| s.expose().to_string()),
                content_declaration: acc.content.map(|c| c.to_string()),
            };
            async move {
                let answer = self
                    .v1_entry_call(workspace_id, "CREATE", Some(&request))
                    .await?;
                Ok(Step {
                    state: answer.state.unwrap_or_default(),
                    key: answer.security_question_key,
                    attempts: answer.num_of_attempts,
                })
            }
        })
        .await
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
    fn hints_say_what_to_pass() {
        assert_eq!(
            hint_for("SECURITY_QUESTION", Some("FIRST_PET")),
            "answer the security question \"FIRST_PET\": pass --answer, or run on a terminal to be asked"
        );
    }
}
