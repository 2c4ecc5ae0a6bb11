//! The runtime every call goes through — generated ones through progenitor's
//! hooks, hand-written ones (V1 XML, the splash image, the multipart upload)
//! through [`Client::send_raw`]: bearer tokens from a pluggable [`Auth`], the
//! https-only rule, one refresh on a 401, retries with backoff for idempotent
//! calls, and a tracing span per call with its operation, status and latency.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use crate::{Client, Secret};

/// A boxed future, as [`Auth`] returns.
pub type AuthFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Secret>, AuthError>> + Send + 'a>>;

/// What kind of failure an [`AuthError`] is, so that a caller can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthErrorKind {
    /// The token service could not be reached or answered 5xx/429: the same
    /// call may succeed later.
    Transient,
    /// The service refused the credentials or refresh token: log in again.
    Refused,
    /// Anything else (a malformed answer, a token a header cannot carry).
    Other,
}

impl AuthErrorKind {
    fn tag(self) -> &'static str {
        match self {
            AuthErrorKind::Transient => "transient",
            AuthErrorKind::Refused => "refused",
            AuthErrorKind::Other => "other",
        }
    }
}

/// Why an [`Auth`] could not give a token. The message carries no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError {
    /// What kind of failure.
    pub kind: AuthErrorKind,
    /// What happened, with any secret masked.
    pub message: String,
}

impl AuthError {
    /// An error of `kind`; secrets in `message` are masked.
    pub fn new(kind: AuthErrorKind, message: impl AsRef<str>) -> Self {
        Self {
            kind,
            message: crate::mask_secrets(message.as_ref()),
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AuthError {}

/// A failure of the runtime itself, before or around the HTTP exchange.
///
/// progenitor's hooks can only fail with `Error::Custom(String)`, so the
/// runtime carries these there in a form of its own;
/// [`RuntimeError::from_error`] reads one back from a generated call's error
/// (`intralinks-ext` turns it into its typed errors).
///
/// # Examples
///
/// ```no_run
/// use intralinks_api::{Client, Runtime, RuntimeError};
///
/// # async fn run() {
/// let client = Client::new("http://api.example/v2", Runtime::default());
/// if let Err(e) = client.list_workspaces().send().await {
///     match RuntimeError::from_error(&e) {
///         Some(RuntimeError::InsecureUrl { host }) => eprintln!("use https for {host}"),
///         Some(other) => eprintln!("the runtime failed: {other}"),
///         None => eprintln!("the call failed: {e}"),
///     }
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeError {
    /// The [`Auth`] could not give a token.
    Auth(AuthError),
    /// A token would have gone over plain http to a host that is not loopback.
    InsecureUrl {
        /// The host the request was for.
        host: String,
    },
    /// No answer within the read timeout the runtime was told about.
    Timeout {
        /// [`Runtime::read_timeout`].
        after: Option<Duration>,
    },
}

const MARK: &str = "intralinks-runtime:";

impl RuntimeError {
    /// The runtime failure that `error`, the error of a generated call,
    /// carries; `None` for any other failure (an HTTP error, a transport
    /// error, a body that does not decode).
    pub fn from_error<E>(error: &Error<E>) -> Option<Self> {
        match error {
            Error::Custom(text) => Self::decode(text),
            _ => None,
        }
    }

    /// The form carried in progenitor's `Error::Custom`.
    pub(crate) fn encode(&self) -> String {
        match self {
            RuntimeError::Auth(e) => format!("{MARK}auth:{}:{}", e.kind.tag(), e.message),
            RuntimeError::InsecureUrl { host } => format!("{MARK}insecure:{host}"),
            RuntimeError::Timeout { after } => format!(
                "{MARK}timeout:{}",
                after.map(|d| d.as_millis().to_string()).unwrap_or_default()
            ),
        }
    }

    /// Reads back what [`RuntimeError::encode`] wrote; `None` for any other text.
    fn decode(text: &str) -> Option<Self> {
        let rest = text.strip_prefix(MARK)?;
        let (what, rest) = rest.split_once(':')?;
        match what {
            "auth" => {
                let (kind, message) = rest.split_once(':')?;
                let kind = [
                    AuthErrorKind::Transient,
                    AuthErrorKind::Refused,
                    AuthErrorKind::Other,
                ]
                .into_iter()
                .find(|k| k.tag() == kind)?;
                Some(RuntimeError::Auth(AuthError {
                    kind,
                    message: message.to_string(),
                }))
            }
            "insecure" => Some(RuntimeError::InsecureUrl {
                host: rest.to_string(),
            }),
            "timeout" => Some(RuntimeError::Timeout {
                after: rest.parse().ok().map(Duration::from_millis),
            }),
            _ => None,
        }
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuntimeError::Auth(e) => write!(f, "no access token: {e}"),
            RuntimeError::InsecureUrl { host } => write!(
                f,
                "refusing to send a token over plain http to {host}; use an https base URL (http is allowed only to loopback)"
            ),
            RuntimeError::Timeout { after: Some(d) } => {
                write!(f, "no answer within {} ms", d.as_millis())
            }
            RuntimeError::Timeout { after: None } => write!(f, "no answer in time"),
        }
    }
}

/// Where bearer tokens come from. `intralinks-ext`'s session implements it.
pub trait Auth: Send + Sync + fmt::Debug {
    /// The token to send now, refreshed first if it is about to expire.
    /// `Ok(None)` sends no Authorization header.
    fn bearer(&self) -> AuthFuture<'_>;

    /// Called once when the service answered 401 to `rejected`: refresh and
    /// return the new token, or `Ok(None)` to give up. Concurrent callers
    /// must share one refresh.
    fn refresh_after_unauthorized<'a>(&'a self, rejected: &'a Secret) -> AuthFuture<'a>;
}

/// A fixed token, for callers that already hold one (`--token`).
#[derive(Debug, Clone)]
pub struct StaticToken(pub Secret);

impl Auth for StaticToken {
    fn bearer(&self) -> AuthFuture<'_> {
        let token = self.0.clone();
        Box::pin(async move { Ok(Some(token)) })
    }

    fn refresh_after_unauthorized<'a>(&'a self, _rejected: &'a Secret) -> AuthFuture<'a> {
        Box::pin(async { Ok(None) })
    }
}

/// A boxed future, as [`Gate::enter`] returns.
pub type GateFuture<'a> = Pin<Box<dyn Future<Output = Box<dyn GatePass>> + Send + 'a>>;

/// What became of a request a [`Gate`] let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateOutcome {
    /// The answer's headers arrived: its status, and its `Retry-After`.
    Answered {
        /// The status.
        status: StatusCode,
        /// The `Retry-After` it carried, when it did.
        retry_after: Option<Duration>,
    },
    /// No answer: the connection failed or timed out.
    Failed,
}

/// Admission of every request the runtime sends, one exchange at a time
/// (each attempt of a retried call enters anew): how a caller holds a
/// whole run to a concurrency and a rate that adapt to the service
/// (`intralinks-ext`'s `Limiter`). The pass is held from the send to the
/// answer's headers; a pass dropped unanswered means the request was
/// abandoned.
pub trait Gate: Send + Sync + fmt::Debug {
    /// Waits until one more request may be sent.
    fn enter(&self) -> GateFuture<'_>;
}

/// A request let through by a [`Gate`], told what became of it.
pub trait GatePass: Send {
    /// The request ended with `outcome`.
    fn answered(self: Box<Self>, outcome: GateOutcome);
}

/// When and how idempotent calls are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// Delay before the first retry; doubled each time, with jitter.
    pub base_delay: Duration,
    /// Upper bound of any one delay, `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The delay before retry number `retry` (from 1), honouring a
    /// `Retry-After` of the answer when there is one.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max_delay);
        }
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        // Full jitter between half and all of the delay.
        let half = capped / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Statuses that say "try again": 408, 429, 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

/// Whether a method may be repeated without changing the outcome.
/// POST never is: a create sent twice creates twice.
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    )
}

/// Parses `Retry-After` given in seconds.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Whether tokens may be sent to this URL: https, or http to loopback.
pub fn may_carry_token(url: &reqwest::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// A header the runtime adds to each answer of a generated call: the
/// request's method and path (no query), so that an error can say which
/// request, and so which id, it was about.
pub const REQUEST_HEADER: &str = "x-intralinks-rs-request";

/// The default bound on an answer the generated calls read whole (a listing,
/// an error, a token): 128 MiB, room for a listing of some 200,000 documents.
pub const DEFAULT_ANSWER_LIMIT: u64 = 128 * 1024 * 1024;

/// An answer longer than the limit on answers read whole: reading stopped at
/// the limit (or before reading, when `Content-Length` said so). It reaches
/// callers as the source of a `reqwest::Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerTooLarge {
    /// The limit, in bytes.
    pub limit: u64,
}

impl fmt::Display for AnswerTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the answer is longer than the {}-byte limit", self.limit)
    }
}

impl std::error::Error for AnswerTooLarge {}

/// A body stream that fails once more than `limit` bytes went through.
struct Bounded<S> {
    inner: S,
    seen: u64,
    limit: u64,
    failed: bool,
}

impl<S> futures_core::Stream for Bounded<S>
where
    S: futures_core::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin,
{
    type Item = Result<bytes::Bytes, Box<dyn std::error::Error + Send + Sync>>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.failed {
            return Poll::Ready(None);
        }
        if self.seen > self.limit {
            self.failed = true;
            return Poll::Ready(Some(Err(Box::new(AnswerTooLarge { limit: self.limit }))));
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.seen = self.seen.saturating_add(chunk.len() as u64);
                if self.seen > self.limit {
                    self.failed = true;
                    return Poll::Ready(Some(Err(Box::new(AnswerTooLarge { limit: self.limit }))));
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                self.failed = true;
                Poll::Ready(Some(Err(Box::new(e))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// `response` with its body held to `limit` bytes: reading past the limit
/// fails with [`AnswerTooLarge`] (as the source of the `reqwest::Error`), and a
/// `Content-Length` over the limit fails at the first read, before any byte
/// is taken. Status, version, headers and URL are kept.
pub fn bound_answer(response: reqwest::Response, limit: u64) -> reqwest::Response {
    use reqwest::ResponseBuilderExt;
    let Ok(shell) = http::Response::builder()
        .url(response.url().clone())
        .body(())
    else {
        return response;
    };
    let (mut parts, ()) = shell.into_parts();
    parts.status = response.status();
    parts.version = response.version();
    parts.headers = response.headers().clone();
    let declared = response.content_length().unwrap_or(0);
    let stream = Bounded {
        inner: Box::pin(response.bytes_stream()),
        // A declared length over the limit fails before the first byte.
        seen: if declared > limit { declared } else { 0 },
        limit,
        failed: false,
    };
    http::Response::from_parts(parts, reqwest::Body::wrap_stream(stream)).into()
}

/// The state the generated [`Client`] carries: how it authenticates and retries.
#[derive(Clone)]
pub struct Runtime {
    /// Where tokens come from; `None` sends no Authorization header.
    pub auth: Option<Arc<dyn Auth>>,
    /// Retry policy for idempotent calls.
    pub retry: RetryPolicy,
    /// The read timeout the HTTP client was built with, when known; a
    /// timeout error then says how long it waited.
    pub read_timeout: Option<Duration>,
    /// The most bytes a generated call reads of one answer
    /// ([`DEFAULT_ANSWER_LIMIT`] unless set); a longer one fails with
    /// [`AnswerTooLarge`].
    pub answer_limit: u64,
    /// Admits each request (each attempt) before it is sent; none by default.
    pub gate: Option<Arc<dyn Gate>>,
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime {
            auth: None,
            retry: RetryPolicy::default(),
            read_timeout: None,
            answer_limit: DEFAULT_ANSWER_LIMIT,
            gate: None,
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("auth", &self.auth.as_ref().map(|_| "Auth"))
            .field("retry", &self.retry)
            .field("read_timeout", &self.read_timeout)
            .field("answer_limit", &self.answer_limit)
            .field("gate", &self.gate)
            .finish()
    }
}

/// The `Authorization: Bearer …` value for `token`, marked sensitive so that
/// it is never logged.
pub fn bearer_header(token: &Secret) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| "the access token holds characters a header cannot carry".to_string())?;
    value.set_sensitive(true);
    Ok(value)
}

impl Client {
    /// Adds the bearer token to `request`, refusing plain http to anything
    /// but loopback.
    async fn authorize(&self, request: &mut reqwest::Request) -> Result<(), RuntimeError> {
        let Some(auth) = &self.inner().auth else {
            return Ok(());
        };
        let token = auth.bearer().await.map_err(RuntimeError::Auth)?;
        if let Some(token) = token {
            if !may_carry_token(request.url()) {
                return Err(RuntimeError::InsecureUrl {
                    host: request.url().host_str().unwrap_or("?").to_string(),
                });
            }
            let value = bearer_header(&token)
                .map_err(|m| RuntimeError::Auth(AuthError::new(AuthErrorKind::Other, m)))?;
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        Ok(())
    }

    /// Sends a hand-built request through the same runtime as the generated
    /// calls (`operation` names it in traces, in the generated methods'
    /// style, e.g. `upload_document_file`): bearer token, https-only rule, one refresh on a 401, retries of
    /// idempotent methods (when the body can be sent twice), a tracing span.
    /// The answer is returned whatever its status; a runtime failure comes as
    /// `Error::Custom` holding an encoded [`RuntimeError`].
    pub async fn send_raw(
        &self,
        request: reqwest::Request,
        operation: &'static str,
    ) -> Result<reqwest::Response, Error<crate::types::ErrorResponse>> {
        self.send_raw_with(request, operation, &self.inner().retry)
            .await
    }

    /// [`Client::send_raw`] without retries (a 401 is still refreshed once),
    /// for callers that retry on their own terms, such as a transfer engine
    /// that also retries bodies cut off mid-way.
    pub async fn send_raw_once(
        &self,
        request: reqwest::Request,
        operation: &'static str,
    ) -> Result<reqwest::Response, Error<crate::types::ErrorResponse>> {
        self.send_raw_with(request, operation, &RetryPolicy::none())
            .await
    }

    async fn send_raw_with(
        &self,
        mut request: reqwest::Request,
        operation: &'static str,
        retry: &RetryPolicy,
    ) -> Result<reqwest::Response, Error<crate::types::ErrorResponse>> {
        let info = OperationInfo {
            operation_id: operation,
        };
        self.authorize(&mut request)
            .await
            .map_err(|e| Error::Custom(e.encode()))?;
        let result = self.run(request, &info, retry).await;
        if let Some(timeout) = self.timeout_error(&result) {
            return Err(Error::Custom(timeout));
        }
        result.map_err(Error::CommunicationError)
    }

    /// A timeout, as the encoded [`RuntimeError`] that says how long it waited.
    fn timeout_error(&self, result: &reqwest::Result<reqwest::Response>) -> Option<String> {
        match result {
            Err(e) if e.is_timeout() => Some(
                RuntimeError::Timeout {
                    after: self.inner().read_timeout,
                }
                .encode(),
            ),
            _ => None,
        }
    }

    /// The exchange with retries and refresh, inside a span.
    async fn run(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
        retry: &RetryPolicy,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::debug_span!(
            "intralinks",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
        );
        let started = std::time::Instant::now();
        let result =
            tracing::Instrument::instrument(self.attempts(request, info, retry), span.clone())
                .await;
        let _enter = span.enter();
        match &result {
            Ok(r) => tracing::debug!(
                status = r.status().as_u16(),
                latency_ms = started.elapsed().as_millis() as u64,
                "intralinks call"
            ),
            Err(e) => tracing::debug!(
                error = %e.without_url_ref(),
                latency_ms = started.elapsed().as_millis() as u64,
                "intralinks call failed"
            ),
        }
        result
    }

    async fn attempts(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
        retry: &RetryPolicy,
    ) -> reqwest::Result<reqwest::Response> {
        let runtime = self.inner();
        let idempotent = is_idempotent(request.method());
        let mut refreshed = false;
        let mut attempt = 1u32;
        let mut request = request;
        loop {
            let spare = request.try_clone();
            let pass = match &runtime.gate {
                Some(gate) => Some(gate.enter().await),
                None => None,
            };
            let result = self.client().execute(request).await;
            if let Some(pass) = pass {
                pass.answered(match &result {
                    Ok(r) => GateOutcome::Answered {
                        status: r.status(),
                        retry_after: retry_after(r.headers()),
                    },
                    Err(_) => GateOutcome::Failed,
                });
            }
            let Some(next) = spare else {
                // A streamed body cannot be sent twice.
                return result;
            };
            request = next;
            match &result {
                Ok(response) if response.status() == StatusCode::UNAUTHORIZED && !refreshed => {
                    refreshed = true;
                    let Some(auth) = &runtime.auth else {
                        return result;
                    };
                    let rejected = request
                        .headers()
                        .get(AUTHORIZATION)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.strip_prefix("Bearer "))
                        .map(Secret::new)
                        .unwrap_or_default();
                    match auth.refresh_after_unauthorized(&rejected).await {
                        Ok(Some(token)) => match bearer_header(&token) {
                            Ok(value) => {
                                tracing::debug!(
                                    operation = info.operation_id,
                                    "401: token refreshed, sending again"
                                );
                                request.headers_mut().insert(AUTHORIZATION, value);
                                continue;
                            }
                            Err(_) => return result,
                        },
                        _ => return result,
                    }
                }
                Ok(response)
                    if idempotent
                        && is_retryable_status(response.status())
                        && attempt < retry.max_attempts =>
                {
                    let delay = retry.delay(attempt, retry_after(response.headers()));
                    tracing::debug!(
                        operation = info.operation_id,
                        status = response.status().as_u16(),
                        ?delay,
                        attempt,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(e)
                    if idempotent
                        && (e.is_connect() || e.is_timeout())
                        && attempt < retry.max_attempts =>
                {
                    let delay = retry.delay(attempt, None);
                    tracing::debug!(operation = info.operation_id, error = %e.without_url_ref(), ?delay, attempt, "retrying after a transport error");
                    tokio::time::sleep(delay).await;
                }
                _ => return result,
            }
            attempt += 1;
        }
    }
}

/// `reqwest::Error` without its URL (which may carry query parameters), by reference.
trait WithoutUrlRef {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let text = self.to_string();
        match self.url() {
            Some(url) => text.replace(url.as_str(), url.path()),
            None => text,
        }
    }
}

impl ClientHooks<Runtime> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        self.authorize(request)
            .await
            .map_err(|e| Error::Custom(e.encode()))
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let asked = format!("{} {}", request.method(), request.url().path());
        let mut response = self.run(request, info, &self.inner().retry).await?;
        if let Ok(value) = HeaderValue::from_str(&asked) {
            response.headers_mut().insert(REQUEST_HEADER, value);
        }
        Ok(bound_answer(response, self.inner().answer_limit))
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        match self.timeout_error(result) {
            Some(timeout) => Err(Error::Custom(timeout)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_carries_tokens() {
        let ok = [
            "https://test-api.intralinks.com/v2",
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:80",
        ];
        for u in ok {
            assert!(may_carry_token(&u.parse().unwrap()), "{u}");
        }
        for u in [
            "http://api.intralinks.com/v2",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
        ] {
            assert!(!may_carry_token(&u.parse().unwrap()), "{u}");
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_and_honours_retry_after() {
        let p = RetryPolicy::default();
        for retry in 1..=4u32 {
            let full = Duration::from_millis(200) * (1 << (retry - 1));
            let d = p.delay(retry, None);
            assert!(d >= full / 2 && d <= full, "retry {retry}: {d:?}");
        }
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(999))),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn runtime_errors_survive_the_custom_string() {
        let all = [
            RuntimeError::Auth(AuthError::new(
                AuthErrorKind::Transient,
                "token service: connection refused",
            )),
            RuntimeError::Auth(AuthError::new(AuthErrorKind::Refused, "a:b:c")),
            RuntimeError::InsecureUrl {
                host: "api.example".into(),
            },
            RuntimeError::Timeout {
                after: Some(Duration::from_millis(2500)),
            },
            RuntimeError::Timeout { after: None },
        ];
        for e in all {
            assert_eq!(RuntimeError::decode(&e.encode()), Some(e.clone()), "{e}");
        }
        assert_eq!(RuntimeError::decode("something else"), None);
        assert_eq!(
            RuntimeError::Timeout {
                after: Some(Duration::from_millis(2500))
            }
            .to_string(),
            "no answer within 2500 ms"
        );
    }

    #[test]
    fn post_is_never_idempotent() {
        assert!(!is_idempotent(&Method::POST));
        assert!(is_idempotent(&Method::GET));
        assert!(is_retryable_status(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!is_retryable_status(StatusCode::INTERNAL_SERVER_ERROR));
    }
}
