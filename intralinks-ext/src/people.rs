//! People on the service, beyond one room: user accounts
//! (`POST /users`, `GET /users/{email}`), a person found by e-mail from a
//! workspace whether or not they are a member of it, and the workspaces a
//! person is a member of.
//!
//! An account is the person everywhere (`userId`); a membership is that
//! person in one workspace (the member's `id`, role and groups). The
//! Intralinks Python SDK creates and reads accounts with these calls
//! (`functions/v2/user_accounts.py`) and lists a person's workspaces with
//! `GET /workspaces?userId=` (`tools/user_manager.py`).
//!
//! Every e-mail address is checked with [`crate::text::is_email_address`]
//! before any request, so a typing slip is an [`Error::InvalidInput`], not
//! a call.
//!
//! A member is added to a room with [`Intralinks::add_member`]; with a
//! [`WelcomeAlert`] the service mails them its subject and note
//! (`sendAlert`, `welcomeAlertDetails`, as the SDK's
//! functions/v2/exchange_members.py sends them), without one nothing is sent.
//!
//! # Examples
//!
//! An account created, then found from a room it is not a member of, against
//! the simulator:
//!
//! ```
//! # use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
//! # use intralinks_sim::{SimConfig, Simulator, demo};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> intralinks_ext::Result<()> {
//! # let sim = Simulator::start(SimConfig::default()).await.expect("simulator");
//! # let il = Intralinks::builder(sim.url())
//! #     .login(
//! #         AppKeys { client_id: demo::CLIENT_ID.into(), client_secret: Secret::new(demo::CLIENT_SECRET) },
//! #         Grant::Password {
//! #             email: demo::EMAIL.into(),
//! #             password: Secret::new(demo::PASSWORD),
//! #             end_other_sessions: false,
//! #         },
//! #     )
//! #     .await?;
//! use intralinks_ext::people::NewAccount;
//!
//! il.create_user_account(&NewAccount::new("ann.lee@abp.example", "Ann", "Lee", "ABP")).await?;
//! let ann = il.user_account("ann.lee@abp.example").await?.expect("created");
//! assert_eq!(ann.first_name.as_deref(), Some("Ann"));
//!
//! // Found from a room she is not in: the account, without a member id.
//! let found = il.find_user(demo::MAIN_WORKSPACE, "Ann.Lee@abp.example").await?.expect("found");
//! assert_eq!(found.user_id, Some(ann.user_id));
//! assert_eq!(found.id, None);
//! assert!(il.workspaces_of_user(ann.user_id).await?.is_empty());
//! # sim.shutdown().await;
//! # Ok(()) }
//! ```

use futures_util::TryStreamExt;
use intralinks_api::types;
use serde::{Deserialize, Serialize};

use crate::Intralinks;
use crate::error::{Checked, Error, Result};
use crate::pages::{Pages, paged};

/// An account to create (`POST /users`): the address, both names and the
/// organisation, as the Intralinks Python SDK's `create_user_account`
/// requires them, and optionally an office phone and a language (`en_US`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewAccount {
    /// The e-mail address, which is the login.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Organisation.
    pub organization: String,
    /// Office phone, when known.
    pub office_phone: Option<String>,
    /// Language, e.g. `en_US`, when not the service's default.
    pub language: Option<String>,
}

impl NewAccount {
    /// An account with an address, names and an organisation.
    pub fn new(
        email: impl Into<String>,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        organization: impl Into<String>,
    ) -> Self {
        NewAccount {
            email: email.into(),
            first_name: first_name.into(),
            last_name: last_name.into(),
            organization: organization.into(),
            office_phone: None,
            language: None,
        }
    }

    /// The same account with an office phone.
    pub fn with_office_phone(mut self, phone: impl Into<String>) -> Self {
        self.office_phone = Some(phone.into());
        self
    }

    /// The same account with a language (`en_US`).
    pub fn with_language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// The request body, once every field is checked.
    fn request(&self) -> Result<types::UserAccountInput> {
        checked_email(&self.email)?;
        for (name, value) in [
            ("first name", &self.first_name),
            ("last name", &self.last_name),
            ("organisation", &self.organization),
        ] {
            if value.trim().is_empty() {
                return Err(Error::InvalidInput(format!(
                    "the account's {name} is empty; give one"
                )));
            }
        }
        let given = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        Ok(types::UserAccountInput {
            email: self.email.trim().to_string(),
            first_name: Some(self.first_name.trim().to_string()),
            last_name: Some(self.last_name.trim().to_string()),
            organization: Some(self.organization.trim().to_string()),
            office_phone: given(&self.office_phone),
            language: given(&self.language),
        })
    }
}

/// The welcome alert a new member is sent (`sendAlert` true and
/// `welcomeAlertDetails {customSubject, customNote, saveAlertSettings}`):
/// both texts are required, as the SDK's functions/entities.py has them.
/// `save_settings` (`saveAlertSettings`) is what the SDK always sends, true;
/// no source shows what it changes. In a room file: `welcome_alert:
/// {subject: …, note: …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct WelcomeAlert {
    /// The alert's subject (`customSubject`).
    pub subject: String,
    /// The note in it (`customNote`).
    pub note: String,
    /// `saveAlertSettings`; true unless said otherwise.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub save_settings: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl WelcomeAlert {
    /// An alert with this subject and note (`saveAlertSettings` true).
    pub fn new(subject: impl Into<String>, note: impl Into<String>) -> Self {
        WelcomeAlert {
            subject: subject.into(),
            note: note.into(),
            save_settings: true,
        }
    }

    /// The wire's `welcomeAlertDetails`, once both texts are checked.
    pub fn details(&self) -> Result<types::WelcomeAlertDetails> {
        for (name, value) in [("subject", &self.subject), ("note", &self.note)] {
            if value.trim().is_empty() {
                return Err(Error::InvalidInput(format!(
                    "the welcome alert's {name} is empty; give one (the service requires both subject and note)"
                )));
            }
        }
        Ok(types::WelcomeAlertDetails {
            custom_subject: self.subject.trim().to_string(),
            custom_note: self.note.trim().to_string(),
            save_alert_settings: Some(self.save_settings),
        })
    }
}

/// A member to add to a room (`POST /workspaces/{id}/users`): the address,
/// optionally names, organisation and role (the service's default role
/// otherwise), and the welcome alert to send, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewMember {
    /// The e-mail address.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Organisation.
    pub organization: Option<String>,
    /// Role (`roleType`), e.g. `REVIEWER`.
    pub role: Option<String>,
    /// The welcome alert; `None`: none is sent.
    pub alert: Option<WelcomeAlert>,
}

impl NewMember {
    /// A member with this address and nothing else.
    pub fn new(email: impl Into<String>) -> Self {
        NewMember {
            email: email.into(),
            first_name: None,
            last_name: None,
            organization: None,
            role: None,
            alert: None,
        }
    }

    /// The same member with these names.
    pub fn with_names(mut self, first: impl Into<String>, last: impl Into<String>) -> Self {
        self.first_name = Some(first.into());
        self.last_name = Some(last.into());
        self
    }

    /// The same member with an organisation.
    pub fn with_organization(mut self, organization: impl Into<String>) -> Self {
        self.organization = Some(organization.into());
        self
    }

    /// The same member with a role (`REVIEWER`, `PUBLISHER`, ...).
    pub fn with_role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// The same member, sent `alert` when added.
    pub fn with_alert(mut self, alert: WelcomeAlert) -> Self {
        self.alert = Some(alert);
        self
    }

    /// The request item, once every field is checked.
    pub fn request(&self) -> Result<types::UserInput> {
        let email = checked_email(&self.email)?;
        let given = |v: &Option<String>| {
            v.as_ref()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let details = self.alert.as_ref().map(WelcomeAlert::details).transpose()?;
        Ok(types::UserInput {
            email_id: email.to_string(),
            first_name: given(&self.first_name),
            last_name: given(&self.last_name),
            organization: given(&self.organization),
            role_type: given(&self.role),
            send_alert: Some(details.is_some()),
            welcome_alert_details: details,
        })
    }
}

/// `email`, trimmed, when it is one plain address; else the error that says so.
fn checked_email(email: &str) -> Result<&str> {
    let email = email.trim();
    if crate::text::is_email_address(email) {
        Ok(email)
    } else {
        Err(Error::InvalidInput(format!(
            "{email:?} is not one plain e-mail address (name@example.com: no spaces, display name, mailto: or second address); correct it"
        )))
    }
}

impl Intralinks {
    /// Creates a user account on the service (`POST /users`), in no
    /// workspace yet. What the service's answer holds is not documented:
    /// read the account back with [`Intralinks::user_account`].
    pub async fn create_user_account(
        &self,
        account: &NewAccount,
    ) -> Result<types::UserAccountPartialResponse> {
        let body = account.request()?;
        self.api()
            .create_user_account()
            .body(body)
            .send()
            .checked()
            .await
    }

    /// Adds a member to workspace `ws` (`POST /workspaces/{ws}/users`),
    /// sending their welcome alert when `member` has one; the member's id
    /// and version. Everything is checked before the request.
    pub async fn add_member(&self, ws: i64, member: &NewMember) -> Result<types::EntityPartial> {
        let user = member.request()?;
        let answer = self
            .api()
            .create_workspace_members()
            .workspace_id(ws)
            .body(types::UsersRequest { users: vec![user] })
            .send()
            .checked()
            .await?;
        answer
            .user_partials
            .into_iter()
            .next()
            .ok_or_else(|| Error::Protocol {
                status: 201,
                detail: format!(
                    "the answer for the new member {} has no userPartials",
                    member.email.trim()
                ),
            })
    }

    /// The account with this address (`GET /users/{email}`); `None` when
    /// the service has none.
    pub async fn user_account(&self, email: &str) -> Result<Option<types::UserAccount>> {
        let email = checked_email(email)?;
        match self
            .api()
            .get_user_account()
            .email(email)
            .send()
            .checked()
            .await
        {
            Ok(list) => Ok(list.user.into_iter().next()),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The person with this address, looked up from workspace `ws`
    /// (`GET /workspaces/{ws}/users?email=`): the member when they are one,
    /// else their account, which has no member `id` and no role; `None`
    /// when the service has no such person. The workspace must be one you
    /// can see, and entered when it requires entry.
    pub async fn find_user(&self, ws: i64, email: &str) -> Result<Option<types::User>> {
        let email = checked_email(email)?;
        let users = self
            .api()
            .list_workspace_members()
            .workspace_id(ws)
            .email(email)
            .send()
            .checked()
            .await?
            .users;
        Ok(users.into_iter().find(|u| {
            u.email_id
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        }))
    }

    /// The workspaces that the person `user_id` (an account's `userId`) is
    /// a member of, of those you can see (`GET /workspaces?userId=`, paged),
    /// sorted by id.
    pub async fn workspaces_of_user(&self, user_id: i64) -> Result<Vec<types::Workspace>> {
        let mut list: Vec<types::Workspace> = paged(
            "workspaces",
            Pages::default(),
            move |offset, limit| async move {
                Ok(self
                    .api()
                    .list_workspaces()
                    .user_id(user_id)
                    .offset(offset as i64)
                    .limit(i64::from(limit))
                    .send()
                    .checked()
                    .await?
                    .workspace)
            },
            |w: &types::Workspace| w.id,
        )
        .try_collect()
        .await?;
        list.sort_by_key(|w| w.id);
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_is_sent_an_alert_only_when_it_has_one() {
        let quiet = NewMember::new(" ann@abp.example ").with_role("REVIEWER");
        let body = quiet.request().unwrap();
        assert_eq!(body.email_id, "ann@abp.example");
        assert_eq!(body.send_alert, Some(false));
        assert_eq!(body.welcome_alert_details, None);
        let told = quiet
            .clone()
            .with_names("Ann", "Lee")
            .with_alert(WelcomeAlert::new(" Project Alpha ", "Welcome"));
        let body = told.request().unwrap();
        assert_eq!(body.send_alert, Some(true));
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({
                "emailId": "ann@abp.example", "firstName": "Ann", "lastName": "Lee",
                "roleType": "REVIEWER", "sendAlert": true,
                "welcomeAlertDetails": {"customSubject": "Project Alpha", "customNote": "Welcome", "saveAlertSettings": true}
            })
        );
        let e = quiet
            .with_alert(WelcomeAlert::new("Alpha", " "))
            .request()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the welcome alert's note is empty; give one (the service requires both subject and note)"
        );
        let e = NewMember::new("not an address").request().unwrap_err();
        assert!(
            e.to_string().contains("is not one plain e-mail address"),
            "{e}"
        );
    }

    #[test]
    fn an_account_is_checked_before_it_is_sent() {
        let ok = NewAccount::new(" ann.lee@abp.example ", "Ann", " Lee", "ABP")
            .with_office_phone("0000")
            .with_language(" ");
        let body = ok.request().unwrap();
        assert_eq!(body.email, "ann.lee@abp.example");
        assert_eq!(body.last_name.as_deref(), Some("Lee"));
        assert_eq!(body.office_phone.as_deref(), Some("0000"));
        assert_eq!(body.language, None);
        let e = NewAccount::new("Ann <ann@abp.example>", "Ann", "Lee", "ABP")
            .request()
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not one plain e-mail address"), "{e}");
        let e = NewAccount::new("ann@abp.example", "Ann", " ", "ABP")
            .request()
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the account's last name is empty; give one"),
            "{e}"
        );
    }
}
