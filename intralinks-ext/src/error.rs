//! One error type for generated and hand-written calls.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use intralinks_api::types::{ErrorResponse, ErrorStatusOrText};
use progenitor_client::ResponseValue;

/// Everything a call to the service can fail with. Every message says what
/// to do next; none carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: the access token is missing, invalid, expired or revoked.
    #[error(
        "the service refused the access token ({detail}): log in again (`intralinks login`) or supply a fresh token"
    )]
    Unauthorized {
        /// What the service said, with any token masked.
        detail: String,
    },
    /// 303 subCode 1: the workspace must be entered first.
    #[error("{}", match workspace_id {
        Some(id) => format!("workspace {id} requires entry: run `intralinks enter {id}`"),
        None => "the workspace requires entry: run `intralinks enter <workspace id>`".to_string(),
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
    #[error("workspace {workspace_id} entry stopped at {state}: {hint}")]
    EntryIncomplete {
        /// The workspace.
        workspace_id: i64,
        /// The state the service asked for (ACCEPT_SPLASH, SECURITY_QUESTION, ...).
        state: String,
        /// What to supply.
        hint: String,
        /// numOfAttempts, as last reported.
        attempts: Option<i32>,
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
    },
    /// A body that is not what the API sends: an HTML page, invalid JSON.
    #[error(
        "unexpected answer (HTTP {status}, {content_type}): {excerpt:?}; check the base URL — it is the host root, e.g. https://test-api.intralinks.com"
    )]
    UnexpectedBody {
        /// HTTP status.
        status: u16,
        /// The Content-Type, or `no content type`.
        content_type: String,
        /// The start of the body, whitespace collapsed.
        excerpt: String,
    },
    /// The connection failed.
    #[error("could not talk to the service: {0}; check the network and the base URL, then retry")]
    Transport(#[source] reqwest::Error),
    /// No answer in time.
    #[error("the service did not answer in time{}; retry, or raise the timeout", .0.map(|d| format!(" ({}s)", d.as_secs())).unwrap_or_default())]
    Timeout(Option<Duration>),
    /// Downloaded bytes do not match the document's fileHashDownload.
    #[error("the downloaded bytes of document {document_id} do not match its fileHashDownload (expected {expected}, got {actual}); nothing was written to {}; retry the download", destination.display())]
    HashMismatch {
        /// The document.
        document_id: i64,
        /// fileHashDownload.
        expected: String,
        /// base64 SHA-1 of what arrived.
        actual: String,
        /// The destination left untouched.
        destination: PathBuf,
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
        "the body of document {document_id} ended after {received} of {expected} bytes; nothing was kept; retry later"
    )]
    BodyCutShort {
        /// The document.
        document_id: i64,
        /// Bytes that arrived.
        received: u64,
        /// Bytes declared.
        expected: u64,
    },
    /// A body carried more bytes than the document declares.
    #[error(
        "the service sent more than the {declared} bytes document {document_id} declares; reading stopped and nothing was kept; report this to the service's operator"
    )]
    BodyTooLong {
        /// The document.
        document_id: i64,
        /// Its declared size.
        declared: u64,
    },
    /// A transfer made no progress, or ran too slowly, for too long.
    #[error(
        "the transfer of document {document_id} was aborted: {detail}; check the network, or relax the stall and minimum-rate limits"
    )]
    Stalled {
        /// The document.
        document_id: i64,
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
}

/// The result of every call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Hides what follows `Bearer ` so that an echoed token never leaves the process.
pub(crate) fn mask_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("Bearer ") {
        out.push_str(&rest[..i + 7]);
        rest = &rest[i + 7..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"' || c == ',')
            .unwrap_or(rest.len());
        if end > 0 {
            out.push_str("***");
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn excerpt(body: &str) -> String {
    let collapsed: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = collapsed.chars().take(160).collect();
    if collapsed.chars().count() > 160 {
        cut.push('…');
    }
    mask_tokens(&cut)
}

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
                status,
                content_type: content_type.unwrap_or("no content type").to_string(),
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
                detail: mask_tokens(auth.description.as_deref().unwrap_or("401 Unauthorized")),
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
        let message = mask_tokens(message.as_deref().unwrap_or("no message"));
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
        }
    }

    /// Converts a reqwest error, telling timeouts apart.
    pub fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Error::Timeout(None)
        } else {
            Error::Transport(e.without_url())
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
        let body = read_bounded(response, 64 * 1024).await;
        Self::from_response_parts(status, content_type.as_deref(), &body, workspace_id)
    }

    /// Converts the generated client's error.
    pub async fn from_api(e: progenitor_client::Error<ErrorResponse>) -> Self {
        use progenitor_client::Error as E;
        match e {
            E::ErrorResponse(rv) => {
                let status = rv.status().as_u16();
                Self::from_error_body(status, rv.into_inner(), None)
            }
            E::UnexpectedResponse(response) => Self::from_response(response).await,
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                Self::from_reqwest(e)
            }
            E::InvalidResponsePayload(bytes, err) => Error::UnexpectedBody {
                status: 200,
                content_type: format!("JSON that does not match the API ({err})"),
                excerpt: excerpt(&String::from_utf8_lossy(&bytes)),
            },
            E::InvalidRequest(msg) => Error::InvalidInput(format!("invalid request: {msg}")),
            E::Custom(msg) => Error::InvalidInput(msg),
        }
    }

    /// Whether retrying the same call later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport(_) | Error::Timeout(_) => true,
            Error::Service { status, .. } => intralinks_api::is_retryable_status(
                reqwest::StatusCode::from_u16(*status).unwrap_or(reqwest::StatusCode::OK),
            ),
            _ => false,
        }
    }
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
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn seed_401_is_unauthorized_and_masks_the_token() {
        let e = Error::from_response_parts(
            401,
            Some("application/json"),
            &fixture("seed003_error_401.json"),
            None,
        );
        assert!(matches!(e, Error::Unauthorized { .. }));
        assert_eq!(
            e.to_string(),
            "the service refused the access token (invalid access token: Bearer ***): log in again (`intralinks login`) or supply a fresh token"
        );
    }

    #[test]
    fn seed_400_3_1_is_not_found() {
        let e = Error::from_response_parts(
            400,
            Some("application/json"),
            &fixture("seed003_error_400.json"),
            None,
        );
        assert_eq!(
            e.to_string(),
            "not found (Cannot find entity in repository, errorId XXXX): check the id, and that your account can see it"
        );
    }

    #[test]
    fn seed_303_is_entry_required_with_the_workspace() {
        let e = Error::from_response_parts(
            303,
            Some("application/json"),
            &fixture("seed003_error_303.json"),
            Some(701421),
        );
        assert_eq!(
            e.to_string(),
            "workspace 701421 requires entry: run `intralinks enter 701421`"
        );
    }

    #[test]
    fn seed_404_html_is_an_unexpected_body_with_an_excerpt() {
        let e = Error::from_response_parts(
            404,
            Some("text/html"),
            &fixture("seed003_error_404.html"),
            None,
        );
        let Error::UnexpectedBody {
            status,
            ref excerpt,
            ..
        } = e
        else {
            panic!("{e:?}")
        };
        assert_eq!(status, 404);
        assert!(
            excerpt.starts_with("<html><head>\\r\\n<meta http-equiv=\"content-type\""),
            "{excerpt}"
        );
        assert!(excerpt.chars().count() <= 161);
        assert!(e.to_string().contains("check the base URL"));
    }

    #[test]
    fn invalid_json_is_an_unexpected_body() {
        let e = Error::from_response_parts(500, Some("application/json"), b"{not json", None);
        assert_eq!(
            e.to_string(),
            "unexpected answer (HTTP 500, application/json): \"{not json\"; check the base URL — it is the host root, e.g. https://test-api.intralinks.com"
        );
    }

    #[test]
    fn other_service_errors_keep_code_subcode_and_error_id() {
        let body = br#"{"status":{"code":400,"subcode":"9-9","message":"Version mismatch","errorId":"E1"},"errors":[{"code":400,"subCode":"9-9","message":"Version mismatch"}]}"#;
        let e = Error::from_response_parts(400, Some("application/json"), body, None);
        assert_eq!(
            e.to_string(),
            "the service answered 400 (code 400, subCode 9-9): Version mismatch [errorId E1]; check the request and retry"
        );
    }

    #[test]
    fn gateway_fault_message_is_used() {
        let body = br#"{"fault":{"faultstring":"Rate limit quota violation"}}"#;
        let e = Error::from_response_parts(429, Some("application/json"), body, None);
        assert!(
            matches!(e, Error::Service { status: 429, ref message, .. } if message == "Rate limit quota violation")
        );
        assert!(e.is_transient());
    }

    #[test]
    fn workspace_is_found_in_paths() {
        assert_eq!(
            workspace_in_path("/v2/workspaces/701421/folders"),
            Some(701421)
        );
        assert_eq!(workspace_in_path("/v2/oauth/token"), None);
    }
}
