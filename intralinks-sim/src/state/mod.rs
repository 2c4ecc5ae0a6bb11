//! The simulator's state: accounts, sessions, the data room, entry progress
//! and the mailbox, with every operation as a method that either changes the
//! state and returns what to answer, or returns an [`ApiError`].
//!
//! The state lives behind one `std::sync::Mutex`; handlers lock it, call one
//! method, clone out what they need and unlock before any I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
use sha1::{Digest, Sha1};

use crate::content::Content;
use crate::error::ApiError;

mod access;
mod auth;
mod entry;
mod fields;
mod people;
mod postings;
mod room;
mod workspaces;

pub(crate) use auth::AuthorizeRefusal;
pub(crate) use fields::{Holder, WithFields};
pub(crate) use postings::{Batch, Seen};

/// Milliseconds since the epoch, now.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A credential kept in the state: never printed.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Someone named in `createdBy` / `lastModifiedBy`.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub(crate) first: String,
    pub(crate) last: String,
    pub(crate) org: String,
}

impl Person {
    fn json(&self) -> Value {
        json!({
            "firstName": self.first,
            "lastName": self.last,
            "firstNameSort": self.first,
            "lastNameSort": self.last,
            "organization": self.org,
            "organizationSort": self.org,
        })
    }
}

fn millis(ms: i64) -> Value {
    json!({ "milliseconds": ms })
}

fn tf(b: bool) -> &'static str {
    if b { "T" } else { "F" }
}

/// A user who can log in (the demo user) or who was only invited.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) user_id: i64,
    pub(crate) password: Option<Secret>,
    pub(crate) person: Person,
    /// The office phone it was created with (`POST /users`); "" when none.
    pub(crate) office_phone: String,
    pub(crate) question_key: String,
    pub(crate) answer: Secret,
}

/// A workspace's splash screen.
#[derive(Debug, Clone)]
pub(crate) struct SplashConfig {
    pub(crate) text: String,
    pub(crate) accept_text: String,
    pub(crate) display_type: String,
    pub(crate) splash_type: String,
    pub(crate) required: bool,
    /// Accent colour of the generated GIF; `None`: no image.
    pub(crate) image: Option<[u8; 3]>,
}

/// A custom field definition of a workspace.
#[derive(Debug, Clone)]
pub(crate) struct CustomField {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) required: bool,
    pub(crate) options: Vec<String>,
}

/// A workspace (exchange).
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) host: String,
    pub(crate) phase: String,
    pub(crate) kind: String,
    pub(crate) parent_template_id: i64,
    pub(crate) security_level: i32,
    pub(crate) pvp_enabled: bool,
    pub(crate) html_view_enabled: bool,
    pub(crate) version: i64,
    pub(crate) created_on: i64,
    pub(crate) last_modified_on: i64,
    pub(crate) splash: Option<SplashConfig>,
    pub(crate) custom_fields: Vec<CustomField>,
    pub(crate) settings: Vec<Value>,
    /// The simulator's stand-in for a room whose users must choose how
    /// their one-time password reaches them: entry answers
    /// `OTP_DELIVERY_OPTION` (a state a live room answered, in the
    /// Intralinks Python SDK's "Sample - Document Report" notebook) where it
    /// would mail the password. No source shows the request that makes the
    /// choice, so none is taken and the state is answered every time.
    pub(crate) otp_delivery_to_choose: bool,
}

impl Workspace {
    fn requires_splash(&self) -> bool {
        self.splash.as_ref().is_some_and(|s| s.required)
    }
    /// Levels 2, 3, 5 ask the security question (risk-assessed ones always).
    fn requires_question(&self) -> bool {
        matches!(self.security_level, 2 | 3 | 5)
    }
    /// Levels 2, 4, 6 ask a one-time password (risk-assessed ones always).
    fn requires_otp(&self) -> bool {
        matches!(self.security_level, 2 | 4 | 6)
    }
    fn requires_declaration(&self) -> bool {
        self.pvp_enabled
    }
    /// Whether its content answers before any entry call: when it demands
    /// nothing, as the entry guide says (seed 000: only workspaces with a
    /// splash, multi-factor settings or other rules turned on need the
    /// entry calls), and as the live service answers in the Intralinks
    /// Python SDK's tests (a workspace created, then its folders, groups and
    /// members, with no entry call).
    fn needs_no_entry(&self) -> bool {
        !(self.requires_splash()
            || self.requires_question()
            || self.requires_otp()
            || self.requires_declaration())
    }
}

/// A folder.
#[derive(Debug, Clone)]
pub(crate) struct Folder {
    pub(crate) id: i64,
    pub(crate) workspace_id: i64,
    pub(crate) parent_id: Option<i64>,
    pub(crate) name: String,
    pub(crate) note: Option<String>,
    pub(crate) order_number: i64,
    pub(crate) version: String,
    pub(crate) version_number: i64,
    pub(crate) created_on: i64,
    pub(crate) created_by: Person,
    pub(crate) last_modified_on: i64,
    pub(crate) last_modified_by: Person,
}

/// A document.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub(crate) id: i64,
    pub(crate) workspace_id: i64,
    pub(crate) folder_id: i64,
    pub(crate) name: String,
    pub(crate) note: Option<String>,
    pub(crate) order_number: i64,
    pub(crate) version: String,
    pub(crate) version_number: i64,
    pub(crate) created_on: i64,
    pub(crate) created_by: Person,
    pub(crate) last_modified_on: i64,
    pub(crate) last_modified_by: Person,
    pub(crate) content: Option<Content>,
    /// Hash of `content` when known without computing (memory, uploads).
    pub(crate) known_hash: Option<String>,
    /// Set by `/_sim/corrupt`: advertise a hash that does not match.
    pub(crate) corrupt: bool,
}

impl Document {
    fn extension(&self) -> Option<&str> {
        self.name
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| !e.is_empty())
    }
}

/// A group.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) id: i64,
    pub(crate) workspace_id: i64,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) note: String,
    pub(crate) fts_enabled: bool,
    pub(crate) version: String,
    pub(crate) members: BTreeSet<i64>,
    pub(crate) created_on: i64,
    pub(crate) created_by: Person,
    pub(crate) last_modified_on: i64,
    pub(crate) last_modified_by: Person,
}

/// A workspace member (workspace user).
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) id: i64,
    pub(crate) workspace_id: i64,
    pub(crate) user_id: i64,
    pub(crate) email: String,
    pub(crate) person: Person,
    pub(crate) role: String,
    pub(crate) title: String,
    pub(crate) phone: String,
    pub(crate) key_contact: bool,
    /// First use of the workspace (entry, a download); no key until then.
    pub(crate) first_accessed: Option<i64>,
    /// Latest use of the workspace; no key until the first.
    pub(crate) last_accessed: Option<i64>,
    /// The first alert sent to the member; `None`: never alerted
    /// (`isWelcomeAlertSent` false, no `lastAlertSentDate`).
    pub(crate) first_alert: Option<i64>,
    /// The latest alert sent to the member.
    pub(crate) last_alert: Option<i64>,
    pub(crate) version: String,
    pub(crate) created_on: i64,
    pub(crate) created_by: Person,
    pub(crate) last_modified_on: i64,
    pub(crate) last_modified_by: Person,
}

/// What a permission is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum On {
    /// A folder, and everything in it.
    Folder(i64),
    /// One document.
    Document(i64),
}

/// A group's permission on a folder or a document.
#[derive(Debug, Clone)]
pub(crate) struct PermissionRec {
    pub(crate) id: i64,
    pub(crate) workspace_id: i64,
    pub(crate) group_id: i64,
    pub(crate) on: On,
    pub(crate) level: String,
}

/// What was "mailed" to a user.
#[derive(Debug, Clone)]
pub(crate) enum Mailed {
    /// A one-time password for entry.
    Otp(Secret),
    /// An alert (a welcome alert at member creation), with its texts.
    Alert {
        kind: &'static str,
        subject: String,
        note: String,
        sent_on: i64,
    },
}

/// A one-time password or an alert "mailed" to a user.
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    pub(crate) email: String,
    pub(crate) workspace_id: i64,
    pub(crate) what: Mailed,
}

/// Where one session stands with one workspace.
#[derive(Debug, Clone, Default)]
struct EntryProgress {
    allowed: bool,
    otp_mailed: bool,
}

/// A login session; access tokens and refresh tokens point at it.
#[derive(Debug, Clone)]
struct Session {
    email: String,
    entries: HashMap<i64, EntryProgress>,
}

/// An authorization code: who logged in, for which app, and what the
/// authorize request asked.
#[derive(Clone)]
struct CodeRec {
    client_id: String,
    email: String,
    /// The `redirect_uri` of the authorize request, which the exchange must repeat.
    redirect_uri: Option<String>,
    end_other_sessions: bool,
    expires_at: Instant,
}

#[derive(Clone)]
struct TokenRec {
    session: u64,
    expires_at: Instant,
}

/// Who is calling: the session behind a valid access token.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) session: u64,
    pub(crate) email: String,
}

/// What an entry POST sent (V2 JSON or V1 XML).
#[derive(Debug, Clone, Default)]
pub(crate) struct EntryInput {
    pub(crate) accept_splash: bool,
    pub(crate) answer: Option<Secret>,
    pub(crate) otp: Option<Secret>,
    pub(crate) declaration: Option<String>,
}

/// The entry state the service names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryState {
    AcceptSplash,
    SecurityQuestion,
    OneTimePassword,
    ContentDeclarationRequired,
    OtpDeliveryOption,
    Block,
    Allow,
}

impl EntryState {
    /// The wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EntryState::AcceptSplash => "ACCEPT_SPLASH",
            EntryState::SecurityQuestion => "SECURITY_QUESTION",
            EntryState::OneTimePassword => "ONE_TIME_PASSWORD",
            EntryState::ContentDeclarationRequired => "CONTENT_DECLARATION_REQUIRED",
            EntryState::OtpDeliveryOption => "OTP_DELIVERY_OPTION",
            EntryState::Block => "BLOCK",
            EntryState::Allow => "ALLOW",
        }
    }
}

/// The answer to an entry POST.
#[derive(Debug, Clone)]
pub(crate) struct EntryOutcome {
    pub(crate) state: EntryState,
    pub(crate) num_of_attempts: Option<u32>,
    pub(crate) security_question_key: Option<String>,
}

/// A granted token pair.
pub(crate) struct Grant {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    pub(crate) email: String,
}

/// Wrong answers or passwords before a user is blocked from a workspace.
pub(crate) const MAX_ATTEMPTS: u32 = 3;

/// How a document's `fileHashDownload` is obtained once the lock is released.
#[derive(Debug, Clone)]
pub(crate) enum HashSource {
    None,
    Known(String),
    Generated { seed: u64, len: u64 },
}

/// A document rendered except for its hash, which may need computing.
#[derive(Debug, Clone)]
pub(crate) struct DocView {
    pub(crate) value: Map<String, Value>,
    pub(crate) hash: HashSource,
}

/// An item of folder contents: folders are complete, documents need a hash.
#[derive(Debug, Clone)]
pub(crate) enum ContentView {
    Folder(Value),
    Document(DocView),
}

/// Everything the simulator knows.
pub(crate) struct State {
    pub(crate) clients: HashMap<String, Secret>,
    /// The redirect URI each app registered, used when an authorize request
    /// names none (any http loopback URI is accepted besides, RFC 8252).
    pub(crate) redirect_uris: HashMap<String, String>,
    /// Authorization codes handed out by the authorize form, until used.
    codes: HashMap<String, CodeRec>,
    pub(crate) accounts: BTreeMap<String, Account>,
    pub(crate) workspaces: BTreeMap<i64, Workspace>,
    pub(crate) folders: BTreeMap<i64, Folder>,
    pub(crate) documents: BTreeMap<i64, Document>,
    pub(crate) groups: BTreeMap<i64, Group>,
    pub(crate) members: BTreeMap<i64, Member>,
    pub(crate) permissions: BTreeMap<i64, PermissionRec>,
    /// Custom field values by entity: field id → value.
    pub(crate) field_values: BTreeMap<(Holder, i64), BTreeMap<i64, Value>>,
    sessions: HashMap<u64, Session>,
    access_tokens: HashMap<String, TokenRec>,
    refresh_tokens: HashMap<String, TokenRec>,
    /// Wrong answers/passwords per (email, workspace).
    failures: HashMap<(String, i64), u32>,
    /// Content declarations made per (email, workspace).
    declarations: HashMap<(String, i64), String>,
    /// The latest one-time password mailed per (email, workspace).
    otps: HashMap<(String, i64), Secret>,
    pub(crate) mailbox: Vec<Mail>,
    /// Batches (bulk uploads) by id.
    pub(crate) batches: BTreeMap<i64, Batch>,
    /// Views by (document id, e-mail): a download is a view.
    pub(crate) views: BTreeMap<(i64, String), Seen>,
    /// Documents whose access report was asked for already.
    pub(crate) report_asked: BTreeSet<i64>,
    /// Whether the first access report asked per document answers
    /// `9-9-9-1` (not ready yet); on unless `/_sim/access-report` says not.
    pub(crate) report_not_ready_first: bool,
    next_id: i64,
    next_session: u64,
    revision: u64,
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("workspaces", &self.workspaces.len())
            .field("folders", &self.folders.len())
            .field("documents", &self.documents.len())
            .field("sessions", &self.sessions.len())
            .finish_non_exhaustive()
    }
}

fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

/// Checks the `version` a client sent against the current one.
fn check_version(current: &str, sent: Option<&str>) -> Result<(), ApiError> {
    match sent {
        None => Err(ApiError::Invalid("version is required".into())),
        Some(v) if v == current => Ok(()),
        Some(_) => Err(ApiError::StaleVersion),
    }
}

impl State {
    /// An empty state; `seed::build` fills it.
    pub(crate) fn empty() -> Self {
        State {
            clients: HashMap::new(),
            redirect_uris: HashMap::new(),
            codes: HashMap::new(),
            accounts: BTreeMap::new(),
            workspaces: BTreeMap::new(),
            folders: BTreeMap::new(),
            documents: BTreeMap::new(),
            groups: BTreeMap::new(),
            members: BTreeMap::new(),
            permissions: BTreeMap::new(),
            field_values: BTreeMap::new(),
            sessions: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            failures: HashMap::new(),
            declarations: HashMap::new(),
            otps: HashMap::new(),
            mailbox: Vec::new(),
            batches: BTreeMap::new(),
            views: BTreeMap::new(),
            report_asked: BTreeSet::new(),
            report_not_ready_first: true,
            next_id: 7_000_000_000,
            next_session: 1,
            revision: 0,
        }
    }

    /// A new entity id (all above 2^32).
    pub(crate) fn new_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// A new 40-hex version string, different from every earlier one.
    pub(crate) fn new_version(&mut self, id: i64) -> String {
        self.revision += 1;
        let digest = Sha1::digest(format!("{id}:{}", self.revision).as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn person_of(&self, email: &str) -> Person {
        self.accounts
            .get(email)
            .map(|a| a.person.clone())
            .unwrap_or_else(|| Person {
                first: email.to_string(),
                last: String::new(),
                org: String::new(),
            })
    }

    /// The membership of `email` in `ws`.
    pub(super) fn member_of(&self, ws: i64, email: &str) -> Option<&Member> {
        self.members
            .values()
            .find(|m| m.workspace_id == ws && m.email == email)
    }

    /// The workspace, if it exists and the caller is a member.
    pub(crate) fn visible(&self, caller: &Caller, ws: i64) -> Result<&Workspace, ApiError> {
        let w = self.workspaces.get(&ws).ok_or(ApiError::NotFound)?;
        self.member_of(ws, &caller.email)
            .ok_or(ApiError::NotFound)?;
        Ok(w)
    }

    /// Whether the caller's session reached ALLOW in `ws`.
    pub(super) fn entered(&self, caller: &Caller, ws: i64) -> bool {
        self.sessions
            .get(&caller.session)
            .and_then(|s| s.entries.get(&ws))
            .is_some_and(|e| e.allowed)
    }

    /// The workspace, if visible and entered (state ALLOW) in this session.
    pub(crate) fn content(&self, caller: &Caller, ws: i64) -> Result<&Workspace, ApiError> {
        let w = self.visible(caller, ws)?;
        if !w.needs_no_entry() && !self.entered(caller, ws) {
            return Err(ApiError::EntryRequired);
        }
        Ok(w)
    }

    /// `/_sim/mailbox`, oldest first.
    pub(crate) fn mailbox_json(&self) -> Vec<Value> {
        self.mailbox
            .iter()
            .map(|m| match &m.what {
                Mailed::Otp(otp) => json!({
                    "email": m.email,
                    "workspaceId": m.workspace_id,
                    "oneTimePassword": otp.0,
                }),
                Mailed::Alert {
                    kind,
                    subject,
                    note,
                    sent_on,
                } => json!({
                    "email": m.email,
                    "workspaceId": m.workspace_id,
                    "alert": kind,
                    "subject": subject,
                    "note": note,
                    "sentOn": sent_on,
                }),
            })
            .collect()
    }
}
