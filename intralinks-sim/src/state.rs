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
    /// First access to the workspace; `None` renders as `{}` (unset).
    pub(crate) first_accessed: Option<i64>,
    pub(crate) version: String,
    pub(crate) created_on: i64,
    pub(crate) created_by: Person,
    pub(crate) last_modified_on: i64,
    pub(crate) last_modified_by: Person,
}

/// A group's permission on a folder.
#[derive(Debug, Clone)]
pub(crate) struct PermissionRec {
    pub(crate) id: i64,
    pub(crate) workspace_id: i64,
    pub(crate) group_id: i64,
    pub(crate) folder_id: i64,
    pub(crate) level: String,
}

/// A one-time password "mailed" to a user.
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    pub(crate) email: String,
    pub(crate) workspace_id: i64,
    pub(crate) otp: Secret,
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
    pub(crate) accounts: BTreeMap<String, Account>,
    pub(crate) workspaces: BTreeMap<i64, Workspace>,
    pub(crate) folders: BTreeMap<i64, Folder>,
    pub(crate) documents: BTreeMap<i64, Document>,
    pub(crate) groups: BTreeMap<i64, Group>,
    pub(crate) members: BTreeMap<i64, Member>,
    pub(crate) permissions: BTreeMap<i64, PermissionRec>,
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
            accounts: BTreeMap::new(),
            workspaces: BTreeMap::new(),
            folders: BTreeMap::new(),
            documents: BTreeMap::new(),
            groups: BTreeMap::new(),
            members: BTreeMap::new(),
            permissions: BTreeMap::new(),
            sessions: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            failures: HashMap::new(),
            declarations: HashMap::new(),
            otps: HashMap::new(),
            mailbox: Vec::new(),
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

    // ----------------------------------------------------------------- auth

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
                expires_at: now + lifetime,
            },
        );
        self.refresh_tokens.insert(
            refresh.clone(),
            TokenRec {
                session,
                expires_at: now + refresh_lifetime,
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

    // ----------------------------------------------------------- workspaces

    fn member_of(&self, ws: i64, email: &str) -> Option<&Member> {
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

    fn entered(&self, caller: &Caller, ws: i64) -> bool {
        self.sessions
            .get(&caller.session)
            .and_then(|s| s.entries.get(&ws))
            .is_some_and(|e| e.allowed)
    }

    /// The workspace, if visible and entered (state ALLOW) in this session.
    pub(crate) fn content(&self, caller: &Caller, ws: i64) -> Result<&Workspace, ApiError> {
        let w = self.visible(caller, ws)?;
        if !self.entered(caller, ws) {
            return Err(ApiError::EntryRequired);
        }
        Ok(w)
    }

    fn workspace_json(&self, w: &Workspace) -> Value {
        let mut m = Map::new();
        m.insert("workspaceName".into(), json!(w.name));
        m.insert("parentTemplateId".into(), json!(w.parent_template_id));
        if let Some(d) = &w.description {
            m.insert("description".into(), json!(d));
        }
        m.insert("host".into(), json!(w.host));
        m.insert("securityLevel".into(), json!(w.security_level));
        m.insert("type".into(), json!(w.kind));
        m.insert(
            "statistics".into(),
            json!({"newTasks": 0, "newParticipantRequests": 0}),
        );
        m.insert("pvpEnabled".into(), json!(tf(w.pvp_enabled)));
        m.insert("version".into(), json!(w.version));
        m.insert("htmlViewEnabled".into(), json!(tf(w.html_view_enabled)));
        m.insert("phase".into(), json!(w.phase));
        m.insert("name".into(), json!(w.name));
        m.insert("id".into(), json!(w.id));
        m.insert("createdOn".into(), millis(w.created_on));
        m.insert("lastModifiedOn".into(), millis(w.last_modified_on));
        Value::Object(m)
    }

    /// `GET /workspaces`.
    pub(crate) fn list_workspaces(
        &self,
        caller: &Caller,
        phase: Option<&str>,
        user_id: Option<i64>,
    ) -> Vec<Value> {
        self.workspaces
            .values()
            .filter(|w| self.member_of(w.id, &caller.email).is_some())
            .filter(|w| phase.is_none_or(|p| w.phase.eq_ignore_ascii_case(p)))
            .filter(|w| {
                user_id.is_none_or(|u| {
                    self.members
                        .values()
                        .any(|m| m.workspace_id == w.id && m.user_id == u)
                })
            })
            .map(|w| self.workspace_json(w))
            .collect()
    }

    /// `GET /workspaces/{id}`.
    pub(crate) fn get_workspace(&self, caller: &Caller, ws: i64) -> Result<Value, ApiError> {
        Ok(self.workspace_json(self.visible(caller, ws)?))
    }

    /// `POST /workspaces`: the caller becomes its MANAGER_PLUS.
    pub(crate) fn create_workspaces(
        &mut self,
        caller: &Caller,
        inputs: Vec<crate::wire::WorkspaceInput>,
    ) -> Result<Vec<Value>, ApiError> {
        if inputs.is_empty() {
            return Err(ApiError::Invalid("workspaces must not be empty".into()));
        }
        for i in &inputs {
            if i.name().is_none_or(|n| n.trim().is_empty()) {
                return Err(ApiError::Invalid("workspace name is required".into()));
            }
        }
        let mut partials = Vec::new();
        let now = now_ms();
        for input in inputs {
            let id = self.new_id();
            let name = input.name().unwrap_or_default().to_string();
            self.workspaces.insert(
                id,
                Workspace {
                    id,
                    name: name.clone(),
                    description: input.description.clone(),
                    host: input
                        .host
                        .clone()
                        .or(input.host_name.clone())
                        .unwrap_or_else(|| "Intralinks".into()),
                    phase: input.phase.clone().unwrap_or_else(|| "OPEN".into()),
                    kind: "ARC".into(),
                    parent_template_id: input.template_id.unwrap_or(554_961),
                    security_level: 1,
                    pvp_enabled: false,
                    html_view_enabled: false,
                    version: 0,
                    created_on: now,
                    last_modified_on: now,
                    splash: None,
                    custom_fields: Vec::new(),
                    settings: Vec::new(),
                },
            );
            self.add_member_record(id, &caller.email, "MANAGER_PLUS", &caller.email);
            partials.push(json!({ "id": id, "workspaceId": id, "name": name }));
        }
        Ok(partials)
    }

    /// `PUT /workspaces/{id}`.
    pub(crate) fn update_workspace(
        &mut self,
        caller: &Caller,
        ws: i64,
        input: crate::wire::WorkspaceInput,
    ) -> Result<(), ApiError> {
        let current = self.visible(caller, ws)?.version;
        if let Some(v) = &input.version {
            let sent = crate::wire::as_i64(v).ok_or(ApiError::StaleVersion)?;
            if sent != current {
                return Err(ApiError::StaleVersion);
            }
        }
        let Some(w) = self.workspaces.get_mut(&ws) else {
            return Err(ApiError::NotFound);
        };
        if let Some(n) = input.name() {
            if n.trim().is_empty() {
                return Err(ApiError::Invalid("workspace name must not be empty".into()));
            }
            w.name = n.to_string();
        }
        if let Some(d) = input.description {
            w.description = Some(d);
        }
        if let Some(h) = input.host.or(input.host_name) {
            w.host = h;
        }
        if let Some(p) = input.phase {
            w.phase = p;
        }
        w.version += 1;
        w.last_modified_on = now_ms();
        Ok(())
    }

    /// `DELETE /workspaces/{id}`: the workspace and all it holds.
    pub(crate) fn delete_workspace(&mut self, caller: &Caller, ws: i64) -> Result<(), ApiError> {
        self.visible(caller, ws)?;
        self.workspaces.remove(&ws);
        self.folders.retain(|_, f| f.workspace_id != ws);
        self.documents.retain(|_, d| d.workspace_id != ws);
        self.groups.retain(|_, g| g.workspace_id != ws);
        self.members.retain(|_, m| m.workspace_id != ws);
        self.permissions.retain(|_, p| p.workspace_id != ws);
        for s in self.sessions.values_mut() {
            s.entries.remove(&ws);
        }
        Ok(())
    }

    /// `GET /workspaces/{id}/settings`.
    pub(crate) fn settings(&self, caller: &Caller, ws: i64) -> Result<Vec<Value>, ApiError> {
        Ok(self.visible(caller, ws)?.settings.clone())
    }

    /// `PUT /workspaces/{id}/settings`: replaces the settings list.
    pub(crate) fn update_settings(
        &mut self,
        caller: &Caller,
        ws: i64,
        settings: Vec<Value>,
    ) -> Result<(), ApiError> {
        self.visible(caller, ws)?;
        if let Some(w) = self.workspaces.get_mut(&ws) {
            w.settings = settings;
            w.last_modified_on = now_ms();
        }
        Ok(())
    }

    /// `GET /workspaces/{id}/customFields`.
    pub(crate) fn custom_fields(&self, caller: &Caller, ws: i64) -> Result<Vec<Value>, ApiError> {
        let w = self.content(caller, ws)?;
        Ok(w.custom_fields
            .iter()
            .map(|f| {
                let mut v = json!({
                    "id": f.id,
                    "name": f.name,
                    "type": f.kind,
                    "isRequired": f.required,
                });
                if !f.options.is_empty() {
                    v["options"] = json!(f.options);
                }
                v
            })
            .collect())
    }

    /// Custom fields of one entity (`kind` "document", "folder" or "group").
    pub(crate) fn entity_custom_fields(
        &self,
        caller: &Caller,
        ws: i64,
        kind: &str,
        id: i64,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        let exists = match kind {
            "document" => self
                .documents
                .get(&id)
                .is_some_and(|d| d.workspace_id == ws),
            "folder" => self.folders.get(&id).is_some_and(|f| f.workspace_id == ws),
            _ => self.groups.get(&id).is_some_and(|g| g.workspace_id == ws),
        };
        if !exists {
            return Err(ApiError::NotFound);
        }
        self.custom_fields(caller, ws)
    }

    /// `GET /workspaces/{id}/fieldDefinitions`.
    pub(crate) fn field_definitions(
        &self,
        caller: &Caller,
        ws: i64,
    ) -> Result<Vec<Value>, ApiError> {
        let w = self.content(caller, ws)?;
        Ok(w.custom_fields
            .iter()
            .map(|f| {
                json!({
                    "id": f.id,
                    "name": f.name,
                    "fieldType": f.kind,
                    "required": f.required,
                    "entityTypes": ["DOCUMENT", "FOLDER"],
                    "options": f.options,
                })
            })
            .collect())
    }

    // ---------------------------------------------------------------- entry

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
                            otp,
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

    // --------------------------------------------------------------- splash

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

    // -------------------------------------------------------------- folders

    /// Index numbers ("1", "1.2", "1.2.3") of every folder and document of a
    /// workspace: folders first, then documents, each by order number.
    fn index_numbers(&self, ws: i64) -> HashMap<i64, String> {
        let mut children: HashMap<Option<i64>, Vec<(u8, i64, i64)>> = HashMap::new();
        for f in self.folders.values().filter(|f| f.workspace_id == ws) {
            children
                .entry(f.parent_id)
                .or_default()
                .push((0, f.order_number, f.id));
        }
        for d in self.documents.values().filter(|d| d.workspace_id == ws) {
            children
                .entry(Some(d.folder_id))
                .or_default()
                .push((1, d.order_number, d.id));
        }
        for list in children.values_mut() {
            list.sort();
        }
        let mut out = HashMap::new();
        let mut stack: Vec<(Option<i64>, String)> = vec![(None, String::new())];
        while let Some((parent, prefix)) = stack.pop() {
            if let Some(list) = children.get(&parent) {
                for (i, (kind, _, id)) in list.iter().enumerate() {
                    let index = if prefix.is_empty() {
                        format!("{}", i + 1)
                    } else {
                        format!("{prefix}.{}", i + 1)
                    };
                    if *kind == 0 {
                        stack.push((Some(*id), index.clone()));
                    }
                    out.insert(*id, index);
                }
            }
        }
        out
    }

    fn folder_json(&self, f: &Folder, index: &HashMap<i64, String>) -> Value {
        let has_children = self.folders.values().any(|c| c.parent_id == Some(f.id));
        let mut m = Map::new();
        m.insert("id".into(), json!(f.id));
        m.insert("name".into(), json!(f.name));
        m.insert(
            "indexNumber".into(),
            json!(index.get(&f.id).cloned().unwrap_or_default()),
        );
        m.insert("orderNumber".into(), json!(f.order_number));
        m.insert("version".into(), json!(f.version));
        m.insert("hasChildFolders".into(), json!(has_children));
        m.insert("indexingDisabled".into(), json!(false));
        if let Some(p) = f.parent_id {
            m.insert("parentId".into(), json!(p));
        }
        if let Some(n) = &f.note {
            m.insert("note".into(), json!(n));
        }
        m.insert("hasNote".into(), json!(tf(f.note.is_some())));
        m.insert("createdOn".into(), millis(f.created_on));
        m.insert("createdBy".into(), f.created_by.json());
        m.insert("lastModifiedOn".into(), millis(f.last_modified_on));
        m.insert("lastModifiedBy".into(), f.last_modified_by.json());
        m.insert("isFavorite".into(), json!(false));
        m.insert("versionNumber".into(), json!(f.version_number));
        m.insert("isEmailin".into(), json!(false));
        Value::Object(m)
    }

    /// `GET /workspaces/{id}/folders`.
    pub(crate) fn list_folders(&self, caller: &Caller, ws: i64) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        let index = self.index_numbers(ws);
        Ok(self
            .folders
            .values()
            .filter(|f| f.workspace_id == ws)
            .map(|f| self.folder_json(f, &index))
            .collect())
    }

    fn folder_in(&self, ws: i64, id: i64) -> Result<&Folder, ApiError> {
        self.folders
            .get(&id)
            .filter(|f| f.workspace_id == ws)
            .ok_or(ApiError::NotFound)
    }

    /// `GET /workspaces/{id}/folders/{fid}`.
    pub(crate) fn get_folder(&self, caller: &Caller, ws: i64, id: i64) -> Result<Value, ApiError> {
        self.content(caller, ws)?;
        let f = self.folder_in(ws, id)?;
        Ok(self.folder_json(f, &self.index_numbers(ws)))
    }

    fn next_order(&self, ws: i64, parent: Option<i64>) -> i64 {
        let folders = self
            .folders
            .values()
            .filter(|f| f.workspace_id == ws && f.parent_id == parent)
            .map(|f| f.order_number);
        let docs = self
            .documents
            .values()
            .filter(|d| d.workspace_id == ws && Some(d.folder_id) == parent)
            .map(|d| d.order_number);
        folders.chain(docs).max().unwrap_or(0) + 1
    }

    fn partial(&self, id: i64, parent: Option<i64>, name: &str, version: &str) -> Value {
        let mut v = json!({ "id": id });
        if let Some(p) = parent {
            v["parentId"] = json!(p);
        }
        v["name"] = json!(name);
        v["version"] = json!(version);
        v
    }

    /// `POST /workspaces/{id}/folders`.
    pub(crate) fn create_folders(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::FolderInput>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("folders must not be empty".into()));
        }
        for i in &inputs {
            if i.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                return Err(ApiError::Invalid("folder name is required".into()));
            }
            if let Some(p) = i.parent_id {
                self.folder_in(ws, p)?;
            }
        }
        let who = self.person_of(&caller.email);
        let now = now_ms();
        let mut partials = Vec::new();
        for i in inputs {
            let id = self.new_id();
            let version = self.new_version(id);
            let name = i.name.unwrap_or_default();
            let order = self.next_order(ws, i.parent_id);
            partials.push(self.partial(id, i.parent_id, &name, &version));
            self.folders.insert(
                id,
                Folder {
                    id,
                    workspace_id: ws,
                    parent_id: i.parent_id,
                    name,
                    note: i.note.filter(|n| !n.is_empty()),
                    order_number: order,
                    version,
                    version_number: 0,
                    created_on: now,
                    created_by: who.clone(),
                    last_modified_on: now,
                    last_modified_by: who.clone(),
                },
            );
        }
        Ok(partials)
    }

    fn is_descendant(&self, candidate: i64, ancestor: i64) -> bool {
        let mut cur = Some(candidate);
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            cur = self.folders.get(&c).and_then(|f| f.parent_id);
        }
        false
    }

    /// `PUT /workspaces/{id}/folders`: rename, re-note or move folders.
    pub(crate) fn update_folders(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::FolderUpdate>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("folders must not be empty".into()));
        }
        // Check everything first: an update is all or nothing.
        for i in &inputs {
            let id =
                i.id.ok_or_else(|| ApiError::Invalid("folder id is required".into()))?;
            let f = self.folder_in(ws, id)?;
            check_version(&f.version, i.version.as_deref())?;
            if i.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
                return Err(ApiError::Invalid("folder name must not be empty".into()));
            }
            if let Some(p) = i.parent_id {
                self.folder_in(ws, p)?;
                if self.is_descendant(p, id) {
                    return Err(ApiError::Invalid(
                        "a folder cannot move into itself or its subfolders".into(),
                    ));
                }
            }
        }
        let who = self.person_of(&caller.email);
        let now = now_ms();
        let mut partials = Vec::new();
        for i in inputs {
            let Some(id) = i.id else { continue };
            let version = self.new_version(id);
            let Some(f) = self.folders.get_mut(&id) else {
                continue;
            };
            if let Some(n) = i.name {
                f.name = n;
            }
            if let Some(n) = i.note {
                f.note = Some(n).filter(|n| !n.is_empty());
            }
            if let Some(p) = i.parent_id {
                f.parent_id = Some(p);
            }
            f.version = version;
            f.version_number += 1;
            f.last_modified_on = now;
            f.last_modified_by = who.clone();
            let (parent, name, version) = (f.parent_id, f.name.clone(), f.version.clone());
            partials.push(self.partial(id, parent, &name, &version));
        }
        Ok(partials)
    }

    /// `DELETE /workspaces/{id}/folders/{fid}?version=&deleteFolderContents=`.
    pub(crate) fn delete_folder(
        &mut self,
        caller: &Caller,
        ws: i64,
        id: i64,
        version: Option<&str>,
        with_contents: bool,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        let f = self.folder_in(ws, id)?;
        check_version(&f.version, version)?;
        let doomed: BTreeSet<i64> = self
            .folders
            .keys()
            .copied()
            .filter(|c| self.is_descendant(*c, id))
            .collect();
        let non_empty = doomed.len() > 1 || self.documents.values().any(|d| d.folder_id == id);
        if non_empty && !with_contents {
            return Err(ApiError::FolderNotEmpty);
        }
        self.folders.retain(|k, _| !doomed.contains(k));
        self.documents.retain(|_, d| !doomed.contains(&d.folder_id));
        self.permissions
            .retain(|_, p| !doomed.contains(&p.folder_id));
        Ok(())
    }

    /// `GET /workspaces/{id}/folders/{fid}/contents`.
    pub(crate) fn folder_contents(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<Vec<ContentView>, ApiError> {
        self.content(caller, ws)?;
        self.folder_in(ws, id)?;
        let index = self.index_numbers(ws);
        let mut items: Vec<(u8, i64, i64, ContentView)> = Vec::new();
        for f in self.folders.values().filter(|f| f.parent_id == Some(id)) {
            let has_children = self.folders.values().any(|c| c.parent_id == Some(f.id));
            let v = json!({
                "id": f.id,
                "entityType": "FOLDER",
                "name": f.name,
                "parentId": id,
                "indexNumber": index.get(&f.id).cloned().unwrap_or_default(),
                "version": f.version,
                "hasChildFolders": has_children,
                "createdOn": millis(f.created_on),
                "lastModifiedOn": millis(f.last_modified_on),
            });
            items.push((0, f.order_number, f.id, ContentView::Folder(v)));
        }
        for d in self.documents.values().filter(|d| d.folder_id == id) {
            let mut m = Map::new();
            m.insert("id".into(), json!(d.id));
            m.insert("entityType".into(), json!("DOCUMENT"));
            m.insert("name".into(), json!(d.name));
            m.insert("parentId".into(), json!(id));
            m.insert(
                "indexNumber".into(),
                json!(index.get(&d.id).cloned().unwrap_or_default()),
            );
            m.insert("version".into(), json!(d.version));
            if let Some(e) = d.extension() {
                m.insert("extension".into(), json!(e));
            }
            if let Some(c) = &d.content {
                m.insert("fileSize".into(), json!(c.len()));
            }
            m.insert("createdOn".into(), millis(d.created_on));
            m.insert("lastModifiedOn".into(), millis(d.last_modified_on));
            items.push((
                1,
                d.order_number,
                d.id,
                ContentView::Document(DocView {
                    value: m,
                    hash: hash_source(d),
                }),
            ));
        }
        items.sort_by_key(|(k, o, id, _)| (*k, *o, *id));
        Ok(items.into_iter().map(|(_, _, _, v)| v).collect())
    }

    // ------------------------------------------------------------ documents

    fn doc_in(&self, ws: i64, id: i64) -> Result<&Document, ApiError> {
        self.documents
            .get(&id)
            .filter(|d| d.workspace_id == ws)
            .ok_or(ApiError::NotFound)
    }

    fn doc_view(&self, d: &Document, index: &HashMap<i64, String>) -> DocView {
        let mut m = Map::new();
        m.insert("id".into(), json!(d.id));
        m.insert("name".into(), json!(d.name));
        m.insert("parentId".into(), json!(d.folder_id));
        m.insert("folderId".into(), json!(d.folder_id));
        m.insert(
            "indexNumber".into(),
            json!(index.get(&d.id).cloned().unwrap_or_default()),
        );
        m.insert("orderNumber".into(), json!(d.order_number));
        m.insert("version".into(), json!(d.version));
        m.insert("versionNumber".into(), json!(d.version_number));
        if let Some(e) = d.extension() {
            m.insert("extension".into(), json!(e));
        }
        if let Some(c) = &d.content {
            m.insert("fileSize".into(), json!(c.len()));
        }
        if let Some(n) = &d.note {
            m.insert("note".into(), json!(n));
        }
        m.insert("isFavorite".into(), json!(false));
        m.insert("createdOn".into(), millis(d.created_on));
        m.insert("createdBy".into(), d.created_by.json());
        m.insert("lastModifiedOn".into(), millis(d.last_modified_on));
        m.insert("lastModifiedBy".into(), d.last_modified_by.json());
        DocView {
            value: m,
            hash: hash_source(d),
        }
    }

    /// `GET /workspaces/{id}/documents[?folderId=]`.
    pub(crate) fn list_documents(
        &self,
        caller: &Caller,
        ws: i64,
        folder: Option<i64>,
    ) -> Result<Vec<DocView>, ApiError> {
        self.content(caller, ws)?;
        if let Some(f) = folder {
            self.folder_in(ws, f)?;
        }
        let index = self.index_numbers(ws);
        Ok(self
            .documents
            .values()
            .filter(|d| d.workspace_id == ws && folder.is_none_or(|f| d.folder_id == f))
            .map(|d| self.doc_view(d, &index))
            .collect())
    }

    /// `GET /workspaces/{id}/documents/{did}`.
    pub(crate) fn get_document(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<DocView, ApiError> {
        self.content(caller, ws)?;
        let d = self.doc_in(ws, id)?;
        Ok(self.doc_view(d, &self.index_numbers(ws)))
    }

    /// `POST /workspaces/{id}/documents`: metadata only, no file yet.
    pub(crate) fn create_documents(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::DocumentInput>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("documents must not be empty".into()));
        }
        for i in &inputs {
            if i.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                return Err(ApiError::Invalid("document name is required".into()));
            }
            let parent = i.parent_id.ok_or_else(|| {
                ApiError::Invalid("parentId is required: documents live in folders".into())
            })?;
            self.folder_in(ws, parent)?;
        }
        let who = self.person_of(&caller.email);
        let now = now_ms();
        let mut partials = Vec::new();
        for i in inputs {
            let Some(parent) = i.parent_id else { continue };
            let id = self.new_id();
            let version = self.new_version(id);
            let name = i.name.unwrap_or_default();
            let order = self.next_order(ws, Some(parent));
            partials.push(self.partial(id, Some(parent), &name, &version));
            self.documents.insert(
                id,
                Document {
                    id,
                    workspace_id: ws,
                    folder_id: parent,
                    name,
                    note: i.note.filter(|n| !n.is_empty()),
                    order_number: order,
                    version,
                    version_number: 0,
                    created_on: now,
                    created_by: who.clone(),
                    last_modified_on: now,
                    last_modified_by: who.clone(),
                    content: None,
                    known_hash: None,
                    corrupt: false,
                },
            );
        }
        Ok(partials)
    }

    /// `PUT /workspaces/{id}/documents`: rename, re-note or move documents.
    pub(crate) fn update_documents(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::DocumentUpdate>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("documents must not be empty".into()));
        }
        for i in &inputs {
            let id =
                i.id.ok_or_else(|| ApiError::Invalid("document id is required".into()))?;
            let d = self.doc_in(ws, id)?;
            check_version(&d.version, i.version.as_deref())?;
            if i.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
                return Err(ApiError::Invalid("document name must not be empty".into()));
            }
            if let Some(p) = i.parent_id {
                self.folder_in(ws, p)?;
            }
        }
        let who = self.person_of(&caller.email);
        let now = now_ms();
        let mut partials = Vec::new();
        for i in inputs {
            let Some(id) = i.id else { continue };
            let version = self.new_version(id);
            let Some(d) = self.documents.get_mut(&id) else {
                continue;
            };
            if let Some(n) = i.name {
                d.name = n;
            }
            if let Some(n) = i.note {
                d.note = Some(n).filter(|n| !n.is_empty());
            }
            if let Some(p) = i.parent_id {
                d.folder_id = p;
            }
            d.version = version;
            d.last_modified_on = now;
            d.last_modified_by = who.clone();
            let (parent, name, version) = (d.folder_id, d.name.clone(), d.version.clone());
            partials.push(self.partial(id, Some(parent), &name, &version));
        }
        Ok(partials)
    }

    /// `DELETE /workspaces/{id}/documents` with `{id, version}` items.
    pub(crate) fn delete_documents(
        &mut self,
        caller: &Caller,
        ws: i64,
        refs: Vec<crate::wire::EntityRef>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if refs.is_empty() {
            return Err(ApiError::Invalid("documents must not be empty".into()));
        }
        for r in &refs {
            let id =
                r.id.ok_or_else(|| ApiError::Invalid("document id is required".into()))?;
            check_version(&self.doc_in(ws, id)?.version, r.version.as_deref())?;
        }
        let mut partials = Vec::new();
        for r in refs {
            if let Some(d) = r.id.and_then(|id| self.documents.remove(&id)) {
                partials.push(json!({ "id": d.id, "parentId": d.folder_id, "name": d.name }));
            }
        }
        Ok(partials)
    }

    /// What a download needs: the bytes' location and the file name.
    pub(crate) fn download(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<(Content, String), ApiError> {
        self.content(caller, ws)?;
        let d = self.doc_in(ws, id)?;
        let c = d.content.clone().ok_or(ApiError::NoFile)?;
        Ok((c, d.name.clone()))
    }

    /// Before an upload streams: the document exists and `version` is current.
    pub(crate) fn check_upload(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
        version: Option<&str>,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        check_version(&self.doc_in(ws, id)?.version, version)
    }

    /// After an upload streamed: store it if nothing changed meanwhile.
    pub(crate) fn commit_upload(
        &mut self,
        caller: &Caller,
        ws: i64,
        id: i64,
        version: Option<&str>,
        content: Content,
        hash: String,
    ) -> Result<Value, ApiError> {
        self.check_upload(caller, ws, id, version)?;
        let who = self.person_of(&caller.email);
        let new_version = self.new_version(id);
        let Some(d) = self.documents.get_mut(&id) else {
            return Err(ApiError::NotFound);
        };
        d.content = Some(content);
        d.known_hash = Some(hash);
        d.corrupt = false;
        d.version = new_version;
        d.version_number += 1;
        d.last_modified_on = now_ms();
        d.last_modified_by = who;
        let (parent, name, version) = (d.folder_id, d.name.clone(), d.version.clone());
        Ok(self.partial(id, Some(parent), &name, &version))
    }

    /// `/_sim/corrupt/{documentId}`: advertise a wrong `fileHashDownload`.
    pub(crate) fn corrupt(&mut self, id: i64) -> Result<(), ApiError> {
        let d = self.documents.get_mut(&id).ok_or(ApiError::NotFound)?;
        if d.content.is_none() {
            return Err(ApiError::NoFile);
        }
        d.corrupt = true;
        Ok(())
    }

    // --------------------------------------------------------------- groups

    fn group_in(&self, ws: i64, id: i64) -> Result<&Group, ApiError> {
        self.groups
            .get(&id)
            .filter(|g| g.workspace_id == ws)
            .ok_or(ApiError::NotFound)
    }

    fn group_json(&self, g: &Group) -> Value {
        json!({
            "id": g.id,
            "version": g.version,
            "groupName": g.name,
            "name": g.name,
            "groupType": g.kind,
            "type": g.kind,
            "ftsEnabled": g.fts_enabled,
            "note": g.note,
            "createdBy": g.created_by.json(),
            "createdOn": millis(g.created_on),
            "lastModifiedBy": g.last_modified_by.json(),
            "lastModifiedOn": millis(g.last_modified_on),
            "groupMemberCount": g.members.len(),
            "memberCount": g.members.len(),
            "buyerGroupDetails": {},
        })
    }

    /// `GET /workspaces/{id}/groups`: the groups, and their members when asked.
    pub(crate) fn list_groups(
        &self,
        caller: &Caller,
        ws: i64,
        with_members: bool,
    ) -> Result<(Vec<Value>, Vec<Value>), ApiError> {
        self.content(caller, ws)?;
        let groups: Vec<&Group> = self
            .groups
            .values()
            .filter(|g| g.workspace_id == ws)
            .collect();
        let mut links = Vec::new();
        if with_members {
            for g in &groups {
                for m in g.members.iter().filter_map(|m| self.members.get(m)) {
                    links.push(json!({
                        "workspaceGroupId": g.id,
                        "workspaceUserId": m.id,
                        "userId": m.user_id,
                    }));
                }
            }
        }
        Ok((groups.iter().map(|g| self.group_json(g)).collect(), links))
    }

    /// `GET /workspaces/{id}/groups/{gid}`.
    pub(crate) fn get_group(&self, caller: &Caller, ws: i64, id: i64) -> Result<Value, ApiError> {
        self.content(caller, ws)?;
        Ok(self.group_json(self.group_in(ws, id)?))
    }

    /// `POST /workspaces/{id}/groups`.
    pub(crate) fn create_group(
        &mut self,
        caller: &Caller,
        ws: i64,
        input: crate::wire::GroupInput,
    ) -> Result<Value, ApiError> {
        self.content(caller, ws)?;
        let name = input
            .group_name
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| ApiError::Invalid("groupName is required".into()))?;
        let id = self.new_id();
        let version = self.new_version(id);
        let who = self.person_of(&caller.email);
        let now = now_ms();
        self.groups.insert(
            id,
            Group {
                id,
                workspace_id: ws,
                name: name.clone(),
                kind: input.group_type.unwrap_or_else(|| "WORKSPACE".into()),
                note: input.note.unwrap_or_else(|| " ".into()),
                fts_enabled: false,
                version: version.clone(),
                members: BTreeSet::new(),
                created_on: now,
                created_by: who.clone(),
                last_modified_on: now,
                last_modified_by: who,
            },
        );
        Ok(json!({ "id": id, "workspaceId": ws, "name": name, "version": version }))
    }

    /// `PUT /workspaces/{id}/groups/{gid}`.
    pub(crate) fn update_group(
        &mut self,
        caller: &Caller,
        ws: i64,
        id: i64,
        input: crate::wire::GroupInput,
    ) -> Result<Value, ApiError> {
        self.content(caller, ws)?;
        let g = self.group_in(ws, id)?;
        check_version(&g.version, input.version.as_deref())?;
        if input
            .group_name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            return Err(ApiError::Invalid("groupName must not be empty".into()));
        }
        let version = self.new_version(id);
        let who = self.person_of(&caller.email);
        let Some(g) = self.groups.get_mut(&id) else {
            return Err(ApiError::NotFound);
        };
        if let Some(n) = input.group_name {
            g.name = n;
        }
        if let Some(t) = input.group_type {
            g.kind = t;
        }
        if let Some(n) = input.note {
            g.note = n;
        }
        g.version = version.clone();
        g.last_modified_on = now_ms();
        g.last_modified_by = who;
        Ok(json!({ "id": id, "workspaceId": ws, "name": g.name, "version": version }))
    }

    /// `DELETE /workspaces/{id}/groups[?removeUsers=true]`.
    pub(crate) fn delete_groups(
        &mut self,
        caller: &Caller,
        ws: i64,
        refs: Vec<crate::wire::EntityRef>,
        remove_users: bool,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        if refs.is_empty() {
            return Err(ApiError::Invalid("groups must not be empty".into()));
        }
        for r in &refs {
            let id =
                r.id.ok_or_else(|| ApiError::Invalid("group id is required".into()))?;
            check_version(&self.group_in(ws, id)?.version, r.version.as_deref())?;
        }
        for r in refs {
            let Some(g) = r.id.and_then(|id| self.groups.remove(&id)) else {
                continue;
            };
            self.permissions.retain(|_, p| p.group_id != g.id);
            if remove_users {
                for m in g.members {
                    if self
                        .members
                        .get(&m)
                        .is_some_and(|m| m.email != caller.email)
                    {
                        self.remove_member(m);
                    }
                }
            }
        }
        Ok(())
    }

    /// `GET /workspaces/{id}/groups/{gid}/users`.
    pub(crate) fn group_members(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        let g = self.group_in(ws, id)?;
        Ok(g.members
            .iter()
            .filter_map(|m| self.members.get(m))
            .map(member_json)
            .collect())
    }

    /// `POST /workspaces/{id}/groups/{gid}/users`.
    pub(crate) fn add_group_members(
        &mut self,
        caller: &Caller,
        ws: i64,
        id: i64,
        member_ids: Vec<i64>,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        self.group_in(ws, id)?;
        if member_ids.is_empty() {
            return Err(ApiError::Invalid("users must not be empty".into()));
        }
        for m in &member_ids {
            if self.members.get(m).is_none_or(|m| m.workspace_id != ws) {
                return Err(ApiError::NotFound);
            }
        }
        let version = self.new_version(id);
        let who = self.person_of(&caller.email);
        if let Some(g) = self.groups.get_mut(&id) {
            g.members.extend(member_ids);
            g.version = version;
            g.last_modified_on = now_ms();
            g.last_modified_by = who;
        }
        Ok(())
    }

    // -------------------------------------------------------------- members

    fn add_member_record(&mut self, ws: i64, email: &str, role: &str, by: &str) -> Member {
        let email = email.to_ascii_lowercase();
        let (user_id, person) = match self.accounts.get(&email) {
            Some(a) => (a.user_id, a.person.clone()),
            None => {
                let user_id = self.new_id();
                let person = Person {
                    first: String::new(),
                    last: String::new(),
                    org: String::new(),
                };
                self.accounts.insert(
                    email.clone(),
                    Account {
                        user_id,
                        password: None,
                        person: person.clone(),
                        question_key: crate::demo::SECURITY_QUESTION_KEY.into(),
                        answer: Secret(crate::demo::ANSWER.into()),
                    },
                );
                (user_id, person)
            }
        };
        let id = self.new_id();
        let version = self.new_version(id);
        let who = self.person_of(by);
        let now = now_ms();
        let m = Member {
            id,
            workspace_id: ws,
            user_id,
            email,
            person,
            role: role.to_string(),
            title: String::new(),
            phone: String::new(),
            key_contact: false,
            first_accessed: None,
            version,
            created_on: now,
            created_by: who.clone(),
            last_modified_on: now,
            last_modified_by: who,
        };
        self.members.insert(id, m.clone());
        m
    }

    fn remove_member(&mut self, id: i64) {
        self.members.remove(&id);
        for g in self.groups.values_mut() {
            g.members.remove(&id);
        }
    }

    /// `GET /workspaces/{id}/users[?email=]`.
    pub(crate) fn list_members(
        &self,
        caller: &Caller,
        ws: i64,
        email: Option<&str>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        Ok(self
            .members
            .values()
            .filter(|m| m.workspace_id == ws)
            .filter(|m| email.is_none_or(|e| m.email.eq_ignore_ascii_case(e.trim())))
            .map(member_json)
            .collect())
    }

    /// `POST /workspaces/{id}/users`.
    pub(crate) fn create_members(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::UserInput>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("users must not be empty".into()));
        }
        let mut seen = BTreeSet::new();
        for i in &inputs {
            let email = i
                .email()
                .filter(|e| e.contains('@'))
                .ok_or_else(|| ApiError::Invalid("a valid emailId is required".into()))?;
            let email = email.trim().to_ascii_lowercase();
            if self.member_of(ws, &email).is_some() || !seen.insert(email) {
                return Err(ApiError::AlreadyMember);
            }
        }
        let mut partials = Vec::new();
        for i in inputs {
            let email = i.email().unwrap_or_default().trim().to_ascii_lowercase();
            if let Some(a) = self.accounts.get_mut(&email)
                && a.password.is_none()
            {
                // Invited users take the names they are invited with.
                if let Some(f) = &i.first_name {
                    a.person.first = f.clone();
                }
                if let Some(l) = &i.last_name {
                    a.person.last = l.clone();
                }
                if let Some(o) = &i.organization {
                    a.person.org = o.clone();
                }
            }
            let role = i.role_type.clone().unwrap_or_else(|| "REVIEWER".into());
            let mut m = self.add_member_record(ws, &email, &role, &caller.email);
            if m.person.first.is_empty() {
                m.person = Person {
                    first: i.first_name.clone().unwrap_or_default(),
                    last: i.last_name.clone().unwrap_or_default(),
                    org: i.organization.clone().unwrap_or_default(),
                };
            }
            if let Some(t) = i.title {
                m.title = t;
            }
            if let Some(p) = i.office_phone {
                m.phone = p;
            }
            self.members.insert(m.id, m.clone());
            partials.push(json!({
                "id": m.id,
                "workspaceId": ws,
                "userId": m.user_id,
                "email": m.email,
                "version": m.version,
            }));
        }
        Ok(partials)
    }

    /// `PUT /workspaces/{id}/users`.
    pub(crate) fn update_members(
        &mut self,
        caller: &Caller,
        ws: i64,
        inputs: Vec<crate::wire::UserUpdate>,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        if inputs.is_empty() {
            return Err(ApiError::Invalid("users must not be empty".into()));
        }
        for i in &inputs {
            let id =
                i.id.ok_or_else(|| ApiError::Invalid("user id is required".into()))?;
            let m = self
                .members
                .get(&id)
                .filter(|m| m.workspace_id == ws)
                .ok_or(ApiError::NotFound)?;
            check_version(&m.version, i.version.as_deref())?;
        }
        let who = self.person_of(&caller.email);
        let mut partials = Vec::new();
        for i in inputs {
            let Some(id) = i.id else { continue };
            let version = self.new_version(id);
            let Some(m) = self.members.get_mut(&id) else {
                continue;
            };
            if let Some(r) = i.role_type {
                m.role = r;
            }
            if let Some(t) = i.title {
                m.title = t;
            }
            if let Some(p) = i.office_phone {
                m.phone = p;
            }
            if let Some(k) = i.key_contact {
                m.key_contact = k;
            }
            if let Some(f) = i.first_name {
                m.person.first = f;
            }
            if let Some(l) = i.last_name {
                m.person.last = l;
            }
            if let Some(o) = i.organization {
                m.person.org = o;
            }
            m.version = version;
            m.last_modified_on = now_ms();
            m.last_modified_by = who.clone();
            partials.push(json!({
                "id": m.id,
                "workspaceId": ws,
                "userId": m.user_id,
                "version": m.version,
            }));
        }
        Ok(partials)
    }

    /// `DELETE /workspaces/{id}/users` with `{id, version}` items.
    pub(crate) fn delete_members(
        &mut self,
        caller: &Caller,
        ws: i64,
        refs: Vec<crate::wire::EntityRef>,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        if refs.is_empty() {
            return Err(ApiError::Invalid("users must not be empty".into()));
        }
        for r in &refs {
            let id =
                r.id.ok_or_else(|| ApiError::Invalid("user id is required".into()))?;
            let m = self
                .members
                .get(&id)
                .filter(|m| m.workspace_id == ws)
                .ok_or(ApiError::NotFound)?;
            check_version(&m.version, r.version.as_deref())?;
        }
        for r in refs {
            if let Some(id) = r.id {
                self.remove_member(id);
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------- permissions

    fn permission_json(p: &PermissionRec) -> Value {
        json!({
            "id": p.id,
            "groupId": p.group_id,
            "folderId": p.folder_id,
            "permission": p.level,
        })
    }

    /// `GET /workspaces/{id}/permissions`.
    pub(crate) fn list_permissions(
        &self,
        caller: &Caller,
        ws: i64,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        Ok(self
            .permissions
            .values()
            .filter(|p| p.workspace_id == ws)
            .map(Self::permission_json)
            .collect())
    }

    /// `POST /workspaces/{id}/permissions`: one group, one folder, one level;
    /// replaces that group's earlier permission on that folder.
    pub(crate) fn create_permission(
        &mut self,
        caller: &Caller,
        ws: i64,
        input: crate::wire::PermissionInput,
    ) -> Result<(), ApiError> {
        self.content(caller, ws)?;
        let group = input
            .group_id
            .ok_or_else(|| ApiError::Invalid("groupId is required".into()))?;
        let folder = input
            .folder_id
            .ok_or_else(|| ApiError::Invalid("folderId is required".into()))?;
        let level = input
            .permission
            .ok_or_else(|| ApiError::Invalid("permission is required".into()))?;
        if !matches!(
            level.as_str(),
            "SEE" | "SEE_AND_DOWNLOAD" | "SEE_DOWNLOAD_AND_PRINT"
        ) {
            return Err(ApiError::Invalid(
                "permission must be SEE, SEE_AND_DOWNLOAD or SEE_DOWNLOAD_AND_PRINT".into(),
            ));
        }
        self.group_in(ws, group)?;
        self.folder_in(ws, folder)?;
        self.permissions
            .retain(|_, p| !(p.group_id == group && p.folder_id == folder));
        let id = self.new_id();
        self.permissions.insert(
            id,
            PermissionRec {
                id,
                workspace_id: ws,
                group_id: group,
                folder_id: folder,
                level,
            },
        );
        Ok(())
    }

    /// `GET /workspaces/{id}/documents/{did}/permissions`: the permissions
    /// the document inherits from its folder and the folder's ancestors.
    pub(crate) fn document_permissions(
        &self,
        caller: &Caller,
        ws: i64,
        id: i64,
    ) -> Result<Vec<Value>, ApiError> {
        self.content(caller, ws)?;
        let d = self.doc_in(ws, id)?;
        Ok(self
            .permissions
            .values()
            .filter(|p| p.workspace_id == ws && self.is_descendant(d.folder_id, p.folder_id))
            .map(Self::permission_json)
            .collect())
    }

    // ------------------------------------------------------------- mailbox

    /// `/_sim/mailbox`, oldest first.
    pub(crate) fn mailbox_json(&self) -> Vec<Value> {
        self.mailbox
            .iter()
            .map(|m| {
                json!({
                    "email": m.email,
                    "workspaceId": m.workspace_id,
                    "oneTimePassword": m.otp.0,
                })
            })
            .collect()
    }
}

fn hash_source(d: &Document) -> HashSource {
    match (&d.content, &d.known_hash) {
        (None, _) => HashSource::None,
        _ if d.corrupt => HashSource::Known(crate::content::hash_bytes(
            format!("corrupted document {}", d.id).as_bytes(),
        )),
        (_, Some(h)) => HashSource::Known(h.clone()),
        (Some(Content::Generated { seed, len }), None) => HashSource::Generated {
            seed: *seed,
            len: *len,
        },
        (Some(c), None) => match c {
            Content::Memory(b) => HashSource::Known(crate::content::hash_bytes(b)),
            _ => HashSource::None,
        },
    }
}

fn member_json(m: &Member) -> Value {
    json!({
        "id": m.id,
        "userId": m.user_id,
        "emailId": m.email,
        "firstName": m.person.first,
        "lastName": m.person.last,
        "firstNameSort": m.person.first,
        "lastNameSort": m.person.last,
        "organization": m.person.org,
        "organizationSort": m.person.org,
        "roleType": m.role,
        "status": "ACTIVE",
        "title": if m.title.is_empty() { "UNAVAILABLE" } else { &m.title },
        "officePhone": m.phone,
        "country": "UNITED_STATES",
        "industry": "UNAVAILABLE",
        "functionalArea": "UNAVAILABLE",
        "alertPreference": "IMMEDIATE",
        "keyContact": m.key_contact,
        "doNotSendAlert": false,
        "eitherASubmitterOrCoordinator": false,
        "isPlaceholderUser": false,
        "isWelcomeAlertSent": true,
        "unauthenticatedDocumentAccess": "F",
        "version": m.version,
        "firstAccessed": m.first_accessed.map_or_else(|| json!({}), millis),
        "lastAccessedOn": m.first_accessed.map_or_else(|| json!({}), millis),
        "lastAlertSentDate": millis(m.created_on),
        "createdBy": m.created_by.json(),
        "createdOn": millis(m.created_on),
        "lastModifiedBy": m.last_modified_by.json(),
        "lastModifiedOn": millis(m.last_modified_on),
    })
}
