//! A hostile stand-in server on loopback: it echoes every secret it is sent —
//! in a 400 JSON message, an HTML error page and the login form — fails
//! V1 and upload calls once, and answers a refresh from nowhere. Nothing
//! secret may reach an error's Display or Debug, or a log line; V1 and
//! upload calls are retried and traced like generated ones; a refresh that
//! fails on the network stays transient.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use intralinks_ext::{
    AppKeys, Checked, Error, FolderRef, Grant, Intralinks, RetryPolicy, Secret, TokenPair,
};

const TOKEN: &str = "tok-hostile-7Hq2ZxW9";
const PASSWORD: &str = "pw-hostile-Lk38vQ0s";
const CLIENT_SECRET: &str = "cs-hostile-Pz51mRt6";
const ANSWER: &str = "answer-hostile-Yc70";
const OTP: &str = "otp-hostile-91Ae";

#[derive(Default)]
struct Hits {
    v1: AtomicUsize,
    upload: AtomicUsize,
}

/// The bearer token the request carried, as a hostile server would echo it.
fn bearer(headers: &HeaderMap) -> String {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn hostile() -> (String, Arc<Hits>) {
    let hits = Arc::new(Hits::default());
    let app = Router::new()
        // The login form, echoed back as plain text.
        .route(
            "/v2/oauth/token",
            post(|body: String| async move {
                (StatusCode::BAD_REQUEST, format!("invalid login request: {body}")).into_response()
            }),
        )
        // The token, echoed inside a 400 JSON message.
        .route(
            "/v2/workspaces",
            get(|headers: HeaderMap| async move {
                let message = format!("malformed header '{}' for user", bearer(&headers));
                (
                    StatusCode::BAD_REQUEST,
                    axum::Json(serde_json::json!({
                        "status": {"code": 400, "subcode": "2-1", "message": message},
                        "errors": [{"code": 400, "subCode": "2-1", "message": message}]
                    })),
                )
                    .into_response()
            }),
        )
        // The token and a password-shaped query echoed in an HTML error page.
        .route(
            "/v2/workspaces/{ws}/folders",
            get(|headers: HeaderMap| async move {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [(header::CONTENT_TYPE, "text/html")],
                    format!(
                        "<html><body><h1>Error</h1><pre>{}\npassword={PASSWORD}</pre></body></html>",
                        bearer(&headers)
                    ),
                )
                    .into_response()
            }),
        )
        // Entry answers echo what was sent, answer and password included.
        .route(
            "/v2/workspaces/{ws}/splash",
            post(|body: String| async move {
                (
                    StatusCode::BAD_REQUEST,
                    axum::Json(serde_json::json!({
                        "status": {"code": 400, "subcode": "2-1", "message": format!("cannot parse {body}")}
                    })),
                )
                    .into_response()
            }),
        )
        // V1 splash: 503 once, then the answer.
        .route(
            "/services/workspaces/entry",
            get(
                |State(hits): State<Arc<Hits>>, Query(q): Query<HashMap<String, String>>| async move {
                    assert_eq!(q.get("method").map(String::as_str), Some("GET"));
                    if hits.v1.fetch_add(1, Ordering::SeqCst) == 0 {
                        return (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
                    }
                    (
                        [(header::CONTENT_TYPE, "application/xml")],
                        "<workspaceEntryResponse><status><code>200</code></status><splash><splashText>Hello</splashText><hasImage>F</hasImage></splash></workspaceEntryResponse>",
                    )
                        .into_response()
                },
            ),
        )
        .route(
            "/v2/workspaces/{ws}/documents",
            post(|| async {
                (
                    StatusCode::CREATED,
                    axum::Json(serde_json::json!({
                        "status": {"code": 201},
                        "documentPartial": [{"id": 42, "version": "v1"}]
                    })),
                )
            }),
        )
        // Upload: 503 once (reading the body first), then accepted.
        .route(
            "/v2/workspaces/{ws}/documents/{doc}/file",
            put(|State(hits): State<Arc<Hits>>, body: axum::body::Bytes| async move {
                assert!(body.windows(5).any(|w| w == b"hello"));
                if hits.upload.fetch_add(1, Ordering::SeqCst) == 0 {
                    return (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
                }
                (
                    StatusCode::OK,
                    axum::Json(serde_json::json!({
                        "status": {"code": 200},
                        "documentPartial": [{"id": 42, "version": "v2"}]
                    })),
                )
                    .into_response()
            }),
        )
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hits)
}

/// Collects every log line written while the test runs.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A capture in force: this thread's subscriber, and a second subscriber
/// held alongside it.
///
/// tracing decides once per callsite, process-wide, whether it is wanted.
/// While a single subscriber exists, that decision is asked of the default
/// subscriber of whichever thread reaches the callsite first; a test on
/// another thread, with none, would switch it off for this one too. With a
/// second subscriber that wants everything, every callsite stays on, and
/// each event still goes to its own thread's subscriber only.
struct Capture {
    _guard: tracing::subscriber::DefaultGuard,
    _anchor: tracing::Dispatch,
}

fn subscriber(writer: Logs) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
}

fn capture() -> (Logs, Capture) {
    let logs = Logs::default();
    let anchor = tracing::Dispatch::new(subscriber(Logs::default()));
    let guard = tracing::subscriber::set_default(subscriber(logs.clone()));
    // Callsites already switched off by a thread without a subscriber.
    tracing::callsite::rebuild_interest_cache();
    (
        logs,
        Capture {
            _guard: guard,
            _anchor: anchor,
        },
    )
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    }
}

fn assert_clean(what: &str, text: &str) {
    for secret in [TOKEN, PASSWORD, CLIENT_SECRET, ANSWER, OTP] {
        assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
    }
}

fn check(e: &Error) {
    assert_clean("Display", &e.to_string());
    assert_clean("Debug", &format!("{e:?}"));
}

#[tokio::test]
async fn echoed_secrets_never_reach_messages_or_logs() {
    let (logs, _guard) = capture();
    let (url, _) = hostile().await;

    // The token endpoint echoes the whole login form.
    let e = Intralinks::builder(&url)
        .login(
            AppKeys {
                client_id: "app".into(),
                client_secret: Secret::new(CLIENT_SECRET),
            },
            Grant::Password {
                email: "me@example.com".into(),
                password: Secret::new(PASSWORD),
                end_other_sessions: false,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::UnexpectedBody { status: None, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("client_secret=***"), "{e}");
    assert!(e.to_string().contains("password=***"), "{e}");
    check(&e);

    let il = Intralinks::builder(&url)
        .retry(RetryPolicy::none())
        .token(Secret::new(TOKEN))
        .unwrap();
    // The token inside a 400 JSON message.
    let e = il
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    let Error::Service {
        status: 400,
        message,
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(message, "malformed header 'Bearer ***' for user");
    check(&e);

    // The token and the password in an HTML page.
    let e = il
        .api()
        .list_folders()
        .workspace_id(1)
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::UnexpectedBody {
                status: Some(500),
                ..
            }
        ),
        "{e:?}"
    );
    check(&e);

    // Entry answers that echo the answer and the one-time password.
    let step = il.start_entry(1).await.unwrap_err();
    check(&step);
    let mut answers = intralinks_ext::FixedAnswers {
        accept_splash: true,
        answer: Some(Secret::new(ANSWER)),
        one_time_password: Some(Secret::new(OTP)),
        content: None,
    };
    let e = il.enter(1, &mut answers).await.unwrap_err();
    check(&e);

    assert_clean("the log", &logs.text());
    assert!(logs.text().contains("intralinks call"), "{}", logs.text());
}

#[tokio::test]
async fn v1_and_upload_calls_are_retried_and_traced_like_generated_ones() {
    let (logs, _guard) = capture();
    let (url, hits) = hostile().await;
    let il = Intralinks::builder(&url)
        .retry(quick())
        .token(Secret::new(TOKEN))
        .unwrap();

    let splash = il.splash_v1(7).await.unwrap();
    assert_eq!(splash.splash_text.as_deref(), Some("Hello"));
    assert_eq!(
        hits.v1.load(Ordering::SeqCst),
        2,
        "the 503 was retried once"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hello.txt");
    std::fs::write(&file, "hello world").unwrap();
    let up = il
        .upload(
            FolderRef {
                workspace_id: 7,
                folder_id: 8,
            },
            &file,
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        (up.document_id, up.version.as_deref(), up.bytes),
        (42, Some("v2"), 11)
    );
    assert_eq!(
        hits.upload.load(Ordering::SeqCst),
        2,
        "the 503 was retried once"
    );

    let text = logs.text();
    for expected in [
        "operation=\"v1_get_workspace_entry\"",
        "operation=\"upload_document_file\"",
        "operation=\"create_documents\"",
        "status=503",
        "status=200",
        "latency_ms=",
        "retrying",
    ] {
        assert!(text.contains(expected), "no {expected} in the log:\n{text}");
    }
    assert_clean("the log", &text);
}

#[tokio::test]
async fn a_refresh_that_fails_on_the_network_is_transient() {
    // A port nobody listens on, on loopback.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let expired = TokenPair {
        access_token: Secret::new(TOKEN),
        refresh_token: Some(Secret::new("refresh-hostile-55Xy")),
        expires_at: SystemTime::now() - Duration::from_secs(5),
        email: None,
    };
    let il = Intralinks::builder(format!("http://127.0.0.1:{port}"))
        .retry(RetryPolicy::none())
        .session(
            AppKeys {
                client_id: "app".into(),
                client_secret: Secret::new(CLIENT_SECRET),
            },
            expired,
        )
        .unwrap();
    let e = il
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Auth {
                kind: intralinks_ext::api::AuthErrorKind::Transient,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.is_transient());
    assert!(
        e.to_string()
            .ends_with("the token service did not answer: retry later"),
        "{e}"
    );
    check(&e);
    assert!(!e.to_string().contains("refresh-hostile-55Xy"));
}

/// A token service that answers 200 with `access_token` as given.
async fn token_service(access_token: &'static str) -> String {
    let app = Router::new().route(
        "/v2/oauth/token",
        post(move || async move {
            axum::Json(serde_json::json!({
                "access_token": access_token,
                "refresh_token": "r",
                "token_type": "Bearer",
                "expires_in": 3600,
            }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn an_empty_or_unsendable_access_token_is_a_refused_login() {
    for token in ["", "a b", "a\r\nBcc: x@example.com"] {
        let url = token_service(token).await;
        let e = Intralinks::builder(&url)
            .retry(quick())
            .login(
                AppKeys {
                    client_id: "c".into(),
                    client_secret: Secret::new(CLIENT_SECRET),
                },
                Grant::Password {
                    email: "e@example.com".into(),
                    password: Secret::new(PASSWORD),
                    end_other_sessions: false,
                },
            )
            .await
            .err()
            .unwrap_or_else(|| panic!("{token:?} was taken as a login"));
        assert!(matches!(e, Error::LoginRefused { .. }), "{token:?}: {e:?}");
        assert!(
            e.to_string().contains("without a usable access token"),
            "{e}"
        );
        check(&e);
    }
}
