//! One error type for generated and hand-written calls.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use intralinks_api::types::{EntryState, ErrorResponse, ErrorStatusOrText};
use intralinks_api::{AuthErrorKind, RuntimeError, mask_secrets};
use progenitor_client::ResponseValue;

/// Everything a call to the service can fail with. Every message says what
/// to do next; none carries a secret (any secret the process knows, and the
/// values of secret fields a server echoes, are masked before they reach a
/// field). No message names a command-line flag: a program adds its own hints.
///
/// # Examples
///
/// Match the variants you handle; [`Error::is_transient`] tells a retry from
/// a dead end, and [`Error::status`], [`Error::code`], [`Error::subcode`] and
/// [`Error::error_id`] read the service's answer.
///
/// ```
/// # use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
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
/// use intralinks_ext::{Error, FixedAnswers};
///
/// // The content of a workspace that demands something waits until it is entered.
/// let e = il.folders(demo::SPLASH_WORKSPACE).await.unwrap_err();
/// assert!(matches!(e, Error::EntryRequired { workspace_id: Some(demo::SPLASH_WORKSPACE) }));
/// il.enter(demo::SPLASH_WORKSPACE, &mut FixedAnswers { accept_splash: true, ..Default::default() }).await?;
///
/// let e = il.document(demo::MAIN_WORKSPACE, 42).await.unwrap_err();
/// match &e {
///     Error::NotFound { .. } => println!("no such document: {e}"),
///     e if e.is_transient() => println!("try again later: {e}"),
///     e => println!("{e} (HTTP {:?}, error id {:?})", e.status(), e.error_id()),
/// }
/// assert!(matches!(e, Error::NotFound { .. }));
/// assert!(!e.is_transient());
/// # sim.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: the access token is missing, invalid, expired or revoked.
    #[error(
        "the service refused the access token ({detail}): log in again or supply a fresh token"
    )]
    Unauthorized {
        /// What the service said, with any token masked.
        detail: String,
    },
    /// The token endpoint refused a login: a wrong e-mail or password, or an
    /// app's client id and secret it does not know.
    #[error(
        "the service refused the login ({detail}): check the e-mail and password, and the app's client id and secret"
    )]
    LoginRefused {
        /// What the service said, with any secret masked.
        detail: String,
    },
    /// A web login's redirect carried another `state` than the login it
    /// claims to finish ([`crate::WebLogin`]): it may be forged (someone
    /// else's code, to log this user in as them) or belong to an earlier
    /// login. Refused before any request.
    #[error(
        "the web login's redirect carries another state than the login it claims to finish: it may be forged or belong to an earlier login; nothing was sent: start the login again"
    )]
    LoginStateMismatch,
    /// The token endpoint refused a web login's authorization code: used
    /// already, expired, or not issued to this app and redirect URI.
    #[error(
        "the service refused the authorization code ({detail}): a code works once, for a short time, and only for the app and redirect URI it was issued to: start the login again"
    )]
    CodeRefused {
        /// What the service said, with any secret masked.
        detail: String,
    },
    /// No access token could be had: the token service was unreachable or
    /// answered with an error (a refused login or refresh is [`Error::Unauthorized`]).
    #[error("no access token could be obtained ({message}){}", if *kind == AuthErrorKind::Transient { "; the token service did not answer: retry later" } else { "; log in again" })]
    Auth {
        /// Transient (retry later) or other.
        kind: AuthErrorKind,
        /// What happened, secrets masked.
        message: String,
    },
    /// A token would have gone over plain http to a host that is not loopback.
    #[error(
        "refusing to send credentials over plain http to {host}: use an https base URL (plain http is allowed only to loopback, e.g. the simulator)"
    )]
    InsecureUrl {
        /// The host.
        host: String,
    },
    /// 303 subCode 1: the workspace must be entered first.
    #[error("{}", match workspace_id {
        Some(id) => format!("workspace {id} must be entered first (accept its splash, answer what it asks), then retry"),
        None => "the workspace must be entered first (accept its splash, answer what it asks), then retry".to_string(),
    })]
    EntryRequired {
        /// The workspace, when the request names it.
        workspace_id: Option<i64>,
    },
    /// 400 subCode 3-1: no such entity, or not visible to this user.
    #[error("not found ({message}{}): check the id, and that your account can see it", error_id.as_ref().map(|e| format!(", errorId {e}")).unwrap_or_default())]
    NotFound {
        /// The service's message.
        message: String,
        /// The service's error id, for support.
        error_id: Option<String>,
    },
    /// Entry answered BLOCK: locked out after three failed attempts.
    #[error("workspace {workspace_id} has locked this user out (state BLOCK{}): only the Intralinks web interface can unlock it", attempts.map(|n| format!(", {n} failed attempts")).unwrap_or_default())]
    Blocked {
        /// The workspace.
        workspace_id: i64,
        /// numOfAttempts, as last reported.
        attempts: Option<i32>,
    },
    /// Entry needs something the caller did not supply.
    #[error("workspace {workspace_id} entry stopped at {state}: {}", needs(*state, security_question_key.as_deref()))]
    EntryIncomplete {
        /// The workspace.
        workspace_id: i64,
        /// The state the service asked for.
        state: EntryState,
        /// The security question's key, at SECURITY_QUESTION.
        security_question_key: Option<String>,
        /// numOfAttempts, as last reported.
        attempts: Option<i32>,
    },
    /// Entry asked again for what was just given: the answer, one-time
    /// password or declaration was not accepted. Nothing more was sent.
    #[error("workspace {workspace_id}: the service did not accept the {}{}; nothing more was sent: check it, then run again", given(*state), attempts_left(*state, *attempts))]
    EntryRejected {
        /// The workspace.
        workspace_id: i64,
        /// The state asked for again.
        state: EntryState,
        /// numOfAttempts, as last reported: wrong answers or passwords so far.
        attempts: Option<i32>,
    },
    /// Entry went round in circles: the service asked again for what it was given.
    #[error("workspace {workspace_id}: entry did not reach ALLOW (states: {}); the service keeps asking for what it was given: retry later, or enter through the Intralinks web interface", states.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    EntryLoop {
        /// The workspace.
        workspace_id: i64,
        /// The states answered, in order.
        states: Vec<EntryState>,
    },
    /// An answer that breaks the protocol: an unknown entry state, a create
    /// answer without the created id.
    #[error(
        "the service broke the protocol ({detail}) answering HTTP {status}; retry, and report it if it persists"
    )]
    Protocol {
        /// HTTP status of the answer.
        status: u16,
        /// What was wrong.
        detail: String,
    },
    /// Any other error the service sent as JSON.
    #[error("the service answered {status} (code {}, subCode {}): {message}{}; check the request and retry", code.map(|c| c.to_string()).unwrap_or_else(|| "-".into()), subcode.as_deref().unwrap_or("-"), error_id.as_ref().map(|e| format!(" [errorId {e}]")).unwrap_or_default())]
    Service {
        /// HTTP status.
        status: u16,
        /// The `code` of the body.
        code: Option<i32>,
        /// The `subcode`/`subCode` of the body.
        subcode: Option<String>,
        /// The message.
        message: String,
        /// The error id, for support.
        error_id: Option<String>,
        /// How long the service asked to wait (`Retry-After`), when it did.
        retry_after: Option<Duration>,
    },
    /// A body that is not what the API sends: an HTML page, invalid JSON or XML.
    #[error(
        "unexpected answer ({}, {}{}): {excerpt:?}; check the base URL — it is the host root, e.g. https://test-api.intralinks.com", status.map(|s| format!("HTTP {s}")).unwrap_or_else(|| "HTTP status not known".into()), content_type.as_deref().unwrap_or("no content type"), decode_error.as_ref().map(|d| format!(", {d}")).unwrap_or_default()
    )]
    UnexpectedBody {
        /// HTTP status, when known (the generated client does not keep it
        /// for a body that fails to decode).
        status: Option<u16>,
        /// The Content-Type header, when there was one.
        content_type: Option<String>,
        /// Why the body could not be decoded, when it was meant to be.
        decode_error: Option<String>,
        /// The start of the body, whitespace collapsed, secrets masked.
        excerpt: String,
    },
    /// The connection failed.
    #[error("could not talk to the service: {}; check the network and the base URL, then retry", causes(.0))]
    Transport(#[source] reqwest::Error),
    /// No answer in time.
    #[error("the service did not answer in time{}; retry, or raise the timeout", after.map(|d| format!(" (waited {} ms)", d.as_millis())).unwrap_or_default())]
    Timeout {
        /// How long it waited, when known.
        after: Option<Duration>,
    },
    /// Downloaded bytes do not match the document's fileHashDownload.
    #[error("the downloaded bytes of document {document_id} do not match its fileHashDownload (expected {expected}, got {actual}); {}; retry the download", match destination { Some(d) => format!("nothing was written to {}", d.display()), None => "discard what the writer received".to_string() })]
    HashMismatch {
        /// The document.
        document_id: i64,
        /// fileHashDownload.
        expected: String,
        /// base64 SHA-1 of what arrived.
        actual: String,
        /// The destination file left untouched; `None` for a download into a writer.
        destination: Option<PathBuf>,
    },
    /// A local file operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("cannot write", ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A paged list did not add up (see [`crate::pages`]).
    #[error("listing {operation} stopped at offset {offset}: {problem}")]
    Paging {
        /// Which list.
        operation: &'static str,
        /// The `offset` of the page that showed the problem.
        offset: u64,
        /// What was wrong.
        problem: crate::pages::PagingProblem,
    },
    /// Bad input from the caller: the message says what to change.
    #[error("{0}")]
    InvalidInput(String),
    /// A body ended before the size the service declared.
    #[error(
        "the body{} ended after {received} of {expected} bytes; retry later", of_document(*document_id)
    )]
    BodyCutShort {
        /// The document, when the body is one.
        document_id: Option<i64>,
        /// Bytes that arrived.
        received: u64,
        /// Bytes declared.
        expected: u64,
    },
    /// A body carried more bytes than the document declares.
    #[error(
        "the service sent more than the {declared} bytes {} declares; reading stopped and nothing was kept; report this to the service's operator", document_id.map(|d| format!("document {d}")).unwrap_or_else(|| "the answer".into())
    )]
    BodyTooLong {
        /// The document, when the body is one.
        document_id: Option<i64>,
        /// Its declared size.
        declared: u64,
    },
    /// An answer read whole (a listing, an error, a token or entry answer, V1
    /// XML) was longer than the limit; reading stopped there.
    #[error(
        "the service's answer was longer than {limit} bytes, the limit for answers read whole; reading stopped. If the room really is that large, raise the answer limit; otherwise report this to the service's operator"
    )]
    AnswerTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A room's listing, parsed as it streams into the compact model the
    /// sync engine keeps (not read whole, so the answer limit does not
    /// apply), passed a bound of that model: its items, the bytes of its
    /// names, or the bytes the answer may carry beyond them. Reading stopped
    /// there and nothing was kept.
    #[error(
        "the room's {what} listing passed {bound}, a bound of what the engine keeps of a listing; reading stopped and nothing was kept. No room of the service is that large: report this to the service's operator"
    )]
    ListingTooLarge {
        /// What was listed: `"documents"` or `"folders"`.
        what: &'static str,
        /// The bound it passed, in words (such as "5000000 items").
        bound: String,
    },
    /// An answer larger than the client accepts for its kind.
    #[error(
        "the {what} is larger than the limit of {limit} bytes; nothing was kept; report this to the service's operator"
    )]
    TooLarge {
        /// What the answer was ("splash image", ...).
        what: &'static str,
        /// The limit, in bytes.
        limit: u64,
    },
    /// An upload into a document the call created failed; the document was
    /// removed, or is named here so that it can be completed
    /// (`Intralinks::put_new_version`) or removed.
    #[error("{source}; {}", if *removed { format!("the empty document {document_id} it created was removed") } else { format!("document {document_id}, created for it, is left without a file: upload a new version of it or remove it") })]
    UploadIncomplete {
        /// The document the upload created.
        document_id: i64,
        /// Whether it was removed again.
        removed: bool,
        /// Why the upload failed.
        source: Box<Error>,
    },
    /// The caller asked the run to stop (a sync's `StopSignal`) while this
    /// transfer was under way; what arrived is kept for the next run.
    #[error("the transfer{} was stopped on request; what arrived is kept for the next run", of_document(*document_id))]
    Stopped {
        /// The document, when the transfer is one.
        document_id: Option<i64>,
    },
    /// A transfer made no progress, or ran too slowly, for too long.
    #[error(
        "the transfer{} was aborted: {detail}; check the network, or relax the stall and minimum-rate limits", of_document(*document_id)
    )]
    Stalled {
        /// The document, when the transfer is one.
        document_id: Option<i64>,
        /// Which limit, and the figures.
        detail: String,
    },
    /// A local file the sync did not write (or that changed since) is where an item goes.
    #[error("{} is not a file this sync wrote (or it changed since); it was left alone: move it away, or allow overwriting it", path.display())]
    LocalFileInTheWay {
        /// The file, relative to the target.
        path: PathBuf,
    },
    /// A symbolic link or special file is where a directory or file goes.
    #[error("{} is a {what}; nothing is written through it: remove it, then run again", path.display())]
    UnsafePath {
        /// The entry, relative to the target.
        path: PathBuf,
        /// What is there ("symbolic link", "special file").
        what: &'static str,
    },
    /// An update or delete named a `version` that is no longer the entity's
    /// current one: it changed since it was read, and nothing was changed
    /// (the service's 400 to a stale version, subCode `3-3` in the
    /// simulator; see [`crate::edit`]).
    #[error(
        "{what} {id} changed meanwhile (it is no longer at the version that was read, {version}); nothing was changed: look at it again, then retry"
    )]
    ChangedMeanwhile {
        /// What it is: "document" or "folder".
        what: &'static str,
        /// Its id.
        id: i64,
        /// The version that was sent.
        version: String,
        /// The service's message.
        message: String,
    },
    /// A reviewed plan was not applied: the room (or the file) changed
    /// since the plan was made, and it would make other changes now; nothing
    /// was sent (`intralinks-room`'s `apply_reviewed`).
    #[error(
        "workspace {workspace:?} changed since the plan was made ({reviewed} change(s) reviewed, {now} now); nothing was sent: plan again, review that plan, and apply it"
    )]
    PlanOutdated {
        /// The workspace's name in the room file.
        workspace: String,
        /// Changes in the plan that was reviewed.
        reviewed: usize,
        /// Changes a plan made now holds.
        now: usize,
    },
    /// No session is stored yet where one was to be resumed from
    /// (`Builder::resume`): log in first, which stores one.
    #[error("no session is stored yet: log in first (the login stores the session)")]
    NoStoredSession,
    /// A document's access report was still being built (`subcode`
    /// `9-9-9-1`) after every ask allowed (`crate::postings::ReportWait`).
    #[error(
        "the access report of document {document_id} was not ready after {attempts} asks {} ms apart; ask again later, or wait longer",
        pause.as_millis()
    )]
    ReportNotReady {
        /// The document.
        document_id: i64,
        /// How many times it was asked for.
        attempts: u32,
        /// The pause between two asks.
        pause: Duration,
    },
}

/// A transport error with each of its causes (refused, DNS, TLS, ...), which
/// reqwest's own message leaves out, and the URL without query or userinfo.
fn causes(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// `e` naming its URL without query, fragment or userinfo.
fn plain_url(e: reqwest::Error) -> reqwest::Error {
    match e.url().cloned() {
        Some(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            let _ = url.set_password(None);
            let _ = url.set_username("");
            e.with_url(url)
        }
        None => e,
    }
}

/// " of document N", or nothing.
fn of_document(document_id: Option<i64>) -> String {
    document_id
        .map(|d| format!(" of document {d}"))
        .unwrap_or_default()
}

/// What entry needs at `state`, in words.
/// Wrong answers or passwords before the service locks a user out.
pub(crate) const LOCKOUT_AFTER: i32 = 3;

fn given(state: EntryState) -> &'static str {
    match state {
        EntryState::SecurityQuestion => "answer to the security question",
        EntryState::OneTimePassword => "one-time password",
        EntryState::ContentDeclarationRequired => "content declaration",
        EntryState::AcceptSplash => "splash acceptance",
        _ => "reply",
    }
}

fn attempts_left(state: EntryState, attempts: Option<i32>) -> String {
    match (state, attempts) {
        (EntryState::SecurityQuestion | EntryState::OneTimePassword, Some(n)) => {
            let left = LOCKOUT_AFTER.saturating_sub(n).clamp(0, LOCKOUT_AFTER);
            format!(
                " ({n} wrong so far; {left} more wrong attempt{} lock{} this user out of the room)",
                if left == 1 { "" } else { "s" },
                if left == 1 { "s" } else { "" }
            )
        }
        _ => String::new(),
    }
}

fn needs(state: EntryState, key: Option<&str>) -> String {
    match state {
        EntryState::AcceptSplash => "the splash screen must be read and accepted".into(),
        EntryState::SecurityQuestion => format!(
            "the security question{} must be answered",
            key.map(|k| format!(" \"{}\"", crate::question::question_text(k)))
                .unwrap_or_default()
        ),
        EntryState::OneTimePassword => {
            "the one-time password just mailed to the user is needed".into()
        }
        EntryState::ContentDeclarationRequired => {
            "a content declaration (PUBLIC or PRIVATE) is needed".into()
        }
        EntryState::OtpDeliveryOption => {
            "the user must choose how the one-time password reaches them, and no source shows how the API takes that choice, so this client cannot make it: choose it in the Intralinks web interface, then retry".into()
        }
        EntryState::Block => "the user is locked out".into(),
        EntryState::Allow => "nothing more is needed".into(),
        other => format!("an entry step this client does not know ({other:?}) is needed"),
    }
}

/// The subCode of the 400 answered to a stale `version` (the simulator's;
/// no source shows the live service's).
pub(crate) const STALE_VERSION: &str = "3-3";

/// The result of every call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) use crate::text::excerpt;

/// The workspace id named in a URL path `.../workspaces/{id}/...`, if any.
pub(crate) fn workspace_in_path(path: &str) -> Option<i64> {
    let mut parts = path.split('/');
    while let Some(p) = parts.next() {
        if p == "workspaces" {
            return parts.next().and_then(|id| id.parse().ok());
        }
    }
    // V1 paths carry it in the query string instead.
    None
}

impl Error {
    /// Classifies an error answer from its status, content type and body.
    pub fn from_response_parts(
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
        workspace_id: Option<i64>,
    ) -> Self {
        let text = String::from_utf8_lossy(body);
        let is_json =
            content_type.is_some_and(|c| c.contains("json")) || text.trim_start().starts_with('{');
        let parsed = if is_json {
            serde_json::from_slice::<ErrorResponse>(body).ok()
        } else {
            None
        };
        match parsed {
            Some(e) => Self::from_error_body(status, e, workspace_id),
            None if status == 401 => Error::Unauthorized {
                detail: format!("HTTP 401: {}", excerpt(&text)),
            },
            None => Error::UnexpectedBody {
                status: Some(status),
                content_type: content_type.map(str::to_string),
                decode_error: None,
                excerpt: excerpt(&text),
            },
        }
    }

    /// Classifies a decoded error body.
    pub fn from_error_body(status: u16, body: ErrorResponse, workspace_id: Option<i64>) -> Self {
        if let Some(auth) = &body.error
            && (status == 401 || auth.code == Some(401))
        {
            return Error::Unauthorized {
                detail: mask_secrets(auth.description.as_deref().unwrap_or("401 Unauthorized")),
            };
        }
        if status == 401 {
            return Error::Unauthorized {
                detail: "401 Unauthorized".into(),
            };
        }
        let (mut code, mut subcode, mut message, mut error_id) = (None, None, None, None);
        if let Some(ErrorStatusOrText::ErrorStatus(s)) = &body.status {
            code = s.code;
            subcode = s.subcode.clone();
            message = s.message.clone();
            error_id = s.error_id.clone();
        }
        if let Some(first) = body.errors.first() {
            code = code.or(first.code);
            subcode = subcode.or_else(|| first.sub_code.clone());
            message = message.or_else(|| first.message.clone());
        }
        if let Some(fault) = &body.fault {
            message = message.or_else(|| fault.faultstring.clone());
        }
        let message = mask_secrets(message.as_deref().unwrap_or("no message"));
        if status == 303 || (code == Some(303) && subcode.as_deref() == Some("1")) {
            return Error::EntryRequired { workspace_id };
        }
        if subcode.as_deref() == Some("3-1") {
            return Error::NotFound { message, error_id };
        }
        Error::Service {
            status,
            code,
            subcode,
            message,
            error_id,
            retry_after: None,
        }
    }

    /// The same error with the `Retry-After` the answer carried, when it is
    /// one the service sent ([`Error::Service`]).
    fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        if let Error::Service { retry_after, .. } = &mut self {
            *retry_after = after;
        }
        self
    }

    /// A "not found" names the request it answered, and so the id it was about.
    fn with_request(mut self, asked: Option<&str>) -> Self {
        if let (Error::NotFound { message, .. }, Some(asked)) = (&mut self, asked) {
            message.push_str("; the request was ");
            message.push_str(&mask_secrets(asked));
        }
        self
    }

    /// The HTTP status of the answer the error comes from, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Service { status, .. } => Some(*status),
            Error::UnexpectedBody { status, .. } => *status,
            Error::Unauthorized { .. } => Some(401),
            Error::NotFound { .. } => Some(400),
            Error::ChangedMeanwhile { .. } => Some(400),
            Error::EntryRequired { .. } => Some(303),
            _ => None,
        }
    }

    /// The `code` of the service's error body, when it sent one.
    pub fn code(&self) -> Option<i32> {
        match self {
            Error::Service { code, .. } => *code,
            _ => None,
        }
    }

    /// The `subcode`/`subCode` of the service's error body (`3-1` is "not
    /// found"), when it sent one.
    pub fn subcode(&self) -> Option<&str> {
        match self {
            Error::Service { subcode, .. } => subcode.as_deref(),
            Error::NotFound { .. } => Some("3-1"),
            Error::ChangedMeanwhile { .. } => Some(STALE_VERSION),
            _ => None,
        }
    }

    /// The service's `errorId`, to quote to its support, when it sent one.
    pub fn error_id(&self) -> Option<&str> {
        match self {
            Error::Service { error_id, .. } | Error::NotFound { error_id, .. } => {
                error_id.as_deref()
            }
            _ => None,
        }
    }

    /// How long the service asked to wait before a retry (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Service { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Converts a reqwest error, telling timeouts apart.
    pub fn from_reqwest(e: reqwest::Error) -> Self {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(err) = source {
            if let Some(too_large) = err.downcast_ref::<intralinks_api::AnswerTooLarge>() {
                return Error::AnswerTooLarge {
                    limit: too_large.limit,
                };
            }
            source = err.source();
        }
        if e.is_timeout() {
            Error::Timeout { after: None }
        } else {
            Error::Transport(plain_url(e))
        }
    }

    /// Converts a failure of the runtime (see [`RuntimeError`]).
    pub fn from_runtime(e: RuntimeError) -> Self {
        match e {
            RuntimeError::Auth(a) if a.kind == intralinks_api::AuthErrorKind::Refused => {
                Error::Unauthorized { detail: a.message }
            }
            RuntimeError::Auth(a) => Error::Auth {
                kind: a.kind,
                message: a.message,
            },
            RuntimeError::InsecureUrl { host } => Error::InsecureUrl { host },
            RuntimeError::Timeout { after } => Error::Timeout { after },
        }
    }

    /// Reads an unexpected answer's body (bounded) and classifies it.
    pub async fn from_response(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let workspace_id = workspace_in_path(response.url().path()).or_else(|| {
            response
                .url()
                .query_pairs()
                .find(|(k, _)| k == "workspaceId")
                .and_then(|(_, v)| v.parse().ok())
        });
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let after = intralinks_api::retry_after(response.headers());
        let asked = response
            .headers()
            .get(intralinks_api::REQUEST_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| response.url().path().to_string());
        let body = read_bounded(response, 64 * 1024).await;
        Self::from_response_parts(status, content_type.as_deref(), &body, workspace_id)
            .with_retry_after(after)
            .with_request(Some(&asked))
    }

    /// Converts the generated client's error.
    pub async fn from_api(e: progenitor_client::Error<ErrorResponse>) -> Self {
        use progenitor_client::Error as E;
        if let Some(runtime) = RuntimeError::from_error(&e) {
            return Self::from_runtime(runtime);
        }
        match e {
            E::ErrorResponse(rv) => {
                let status = rv.status().as_u16();
                let after = intralinks_api::retry_after(rv.headers());
                let asked = rv
                    .headers()
                    .get(intralinks_api::REQUEST_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                Self::from_error_body(status, rv.into_inner(), None)
                    .with_retry_after(after)
                    .with_request(asked.as_deref())
            }
            E::UnexpectedResponse(response) => Self::from_response(response).await,
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                Self::from_reqwest(e)
            }
            E::InvalidResponsePayload(bytes, err) => Error::UnexpectedBody {
                status: None,
                content_type: Some("application/json".into()),
                decode_error: Some(format!("JSON that does not match the API: {err}")),
                excerpt: excerpt(&String::from_utf8_lossy(&bytes)),
            },
            E::InvalidRequest(msg) => Error::InvalidInput(format!("invalid request: {msg}")),
            E::Custom(msg) => Error::InvalidInput(mask_secrets(&msg)),
        }
    }

    /// What to do about this error: the one classification of the library,
    /// under the retry loop of an upload and of the sync engine (which only
    /// add caps: so many stalls, so many hash mismatches) and behind
    /// [`Error::is_transient`].
    ///
    /// - [`Verdict::Retry`]: a network failure, a timeout, a body cut short
    ///   or garbled on the way, a stall, a hash mismatch, a 408, 429, 502,
    ///   503 or 504; [`Verdict::RetryAfter`] when the service said how long
    ///   to wait (`Retry-After`).
    /// - [`Verdict::StopRun`]: nothing more can succeed in this run — the
    ///   token was refused (after the one refresh the runtime tries), the
    ///   login or the refresh was refused, the URL is not safe for a token,
    ///   the workspace must be entered or has locked the user out, or the
    ///   local disk is full, over quota or read-only.
    /// - [`Verdict::Final`]: anything else — this call will fail the same
    ///   way again, though others may succeed.
    pub fn verdict(&self) -> Verdict {
        match self {
            Error::Transport(_)
            | Error::Timeout { .. }
            | Error::BodyCutShort { .. }
            | Error::Stalled { .. }
            | Error::HashMismatch { .. }
            | Error::ReportNotReady { .. } => Verdict::Retry,
            // An answer that arrived whole but garbled (or with no status:
            // a body read apart from its answer) may be damage on the way.
            Error::UnexpectedBody {
                status: Some(200) | None,
                ..
            } => Verdict::Retry,
            Error::UploadIncomplete { source, .. } => source.verdict(),
            Error::Auth { kind, .. } if *kind == AuthErrorKind::Transient => Verdict::Retry,
            Error::Auth { .. }
            | Error::Unauthorized { .. }
            | Error::LoginRefused { .. }
            | Error::CodeRefused { .. }
            | Error::InsecureUrl { .. }
            | Error::EntryRequired { .. }
            | Error::Blocked { .. } => Verdict::StopRun,
            Error::Io { source, .. } if disk_is_done(source) => Verdict::StopRun,
            Error::Service {
                status,
                retry_after,
                ..
            } if retryable_status(*status) => match retry_after {
                Some(after) => Verdict::RetryAfter(*after),
                None => Verdict::Retry,
            },
            Error::UnexpectedBody {
                status: Some(status),
                ..
            } if retryable_status(*status) => Verdict::Retry,
            _ => Verdict::Final,
        }
    }

    /// Whether retrying the same call later may succeed: [`Error::verdict`]
    /// is [`Verdict::Retry`] or [`Verdict::RetryAfter`].
    pub fn is_transient(&self) -> bool {
        matches!(self.verdict(), Verdict::Retry | Verdict::RetryAfter(_))
    }

    /// Whether no further call of the run can succeed
    /// ([`Verdict::StopRun`]): end the run once, with this error.
    pub fn ends_the_run(&self) -> bool {
        self.verdict() == Verdict::StopRun
    }
}

/// What to do about an [`Error`] ([`Error::verdict`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Try again after the retry policy's backoff.
    Retry,
    /// Try again, not before this long: the service said so (`Retry-After`).
    RetryAfter(Duration),
    /// Do not try this call again; other calls may still succeed.
    Final,
    /// Stop the run: no further call can succeed until the person acts (logs
    /// in again, enters the workspace, frees disk space).
    StopRun,
}

fn retryable_status(status: u16) -> bool {
    intralinks_api::is_retryable_status(
        reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::OK),
    )
}

/// A full disk, an exhausted quota or a read-only file system: every later
/// write fails the same way.
fn disk_is_done(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::ReadOnlyFilesystem
    )
}

/// Reads an answer whole, but no more than `limit` bytes: a longer one (by
/// `Content-Length` or by what arrives) is [`Error::AnswerTooLarge`].
pub(crate) async fn read_whole(mut response: reqwest::Response, limit: u64) -> Result<Vec<u8>> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(Error::AnswerTooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(Error::AnswerTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

async fn read_bounded(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(limit);
    body
}

/// Turns a generated call's result into this crate's [`Result`], keeping
/// the builder style: `client.list_workspaces().send().checked().await?`.
pub trait Checked<T>:
    Future<Output = Result<ResponseValue<T>, progenitor_client::Error<ErrorResponse>>> + Sized
{
    /// Awaits the call and converts its error.
    fn checked(self) -> impl Future<Output = Result<T>> {
        async move {
            match self.await {
                Ok(value) => Ok(value.into_inner()),
                Err(e) => Err(Error::from_api(e).await),
            }
        }
    }
}

impl<T, F> Checked<T> for F where
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<ErrorResponse>>>
{
}

#[cfg(test)]
mod tests;
