//! What a hostile stand-in server (ours, on 127.0.0.1 only) sends must not
//! fill memory, overflow arithmetic or multiply requests: endless JSON
//! listings, error bodies, token answers and V1 XML stop at the answer limit
//! with a typed error; a `Content-Length` over the limit is refused before a
//! byte is read; absurd token lifetimes neither panic nor cause a token
//! request per call; a listing answering 429 forever costs the engine's
//! attempts, not the engine's times the runtime's.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use intralinks_ext::{AppKeys, Checked, Error, Grant, Intralinks, RetryPolicy, Secret};
use intralinks_sync::{self as sync, SyncOptions};

/// Bytes the server produced and requests it answered, by route.
#[derive(Clone, Default)]
struct Counts {
    bytes: Arc<AtomicU64>,
    token_requests: Arc<AtomicU64>,
    folder_requests: Arc<AtomicU64>,
}

/// An endless body: `head`, then `chunk` forever, counted in `bytes`.
fn endless(head: &'static str, chunk: &'static str, bytes: Arc<AtomicU64>) -> Body {
    let first = futures_util::stream::once(async move {
        Ok::<_, std::io::Error>(bytes::Bytes::from_static(head.as_bytes()))
    });
    let rest = futures_util::stream::unfold(bytes, move |bytes| async move {
        let block = chunk.repeat(64 * 1024 / chunk.len().max(1) + 1);
        bytes.fetch_add(block.len() as u64, Ordering::Relaxed);
        Some((Ok(bytes::Bytes::from(block)), bytes))
    });
    Body::from_stream(futures_util::StreamExt::chain(first, rest))
}

fn token_answer(expires_in: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!(
            r#"{{"access_token":"tok-bounds","refresh_token":"ref-bounds","token_type":"Bearer","expires_in":{expires_in}}}"#
        ),
    )
        .into_response()
}

/// The server; `expires_in` is what its token endpoint says.
async fn serve(expires_in: &'static str) -> (String, Counts) {
    let counts = Counts::default();
    let c = counts.clone();
    let app = Router::new()
        // Workspaces: an endless listing.
        .route(
            "/v2/workspaces",
            get({
                let c = c.clone();
                move || async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        endless(
                            r#"{"workspace":["#,
                            r#"{"id":1,"name":"again"},"#,
                            c.bytes.clone(),
                        ),
                    )
                        .into_response()
                }
            }),
        )
        // An endless 400 error body.
        .route(
            "/v2/workspaces/{ws}/groups",
            get({
                let c = c.clone();
                move || async move {
                    (
                        StatusCode::BAD_REQUEST,
                        [(header::CONTENT_TYPE, "application/json")],
                        endless(
                            r#"{"status":{"code":400,"subcode":"2-1","message":""#,
                            "x",
                            c.bytes.clone(),
                        ),
                    )
                        .into_response()
                }
            }),
        )
        // A listing that answers 429 forever, asking for a very long wait.
        .route(
            "/v2/workspaces/{ws}/folders",
            get({
                let c = c.clone();
                move || async move {
                    c.folder_requests.fetch_add(1, Ordering::SeqCst);
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [(header::RETRY_AFTER, "999999999")],
                        "slow down",
                    )
                        .into_response()
                }
            }),
        )
        .route(
            "/v2/workspaces/{ws}/documents",
            get(|| async { axum::Json(serde_json::json!({"document": []})) }),
        )
        // Users: a cheap call to count tokens against.
        .route(
            "/v2/workspaces/{ws}/users",
            get(|| async { axum::Json(serde_json::json!({"users": []})) }),
        )
        // V1 entry: endless XML.
        .route(
            "/services/workspaces/entry",
            get({
                let c = c.clone();
                move || async move {
                    (
                        [(header::CONTENT_TYPE, "application/xml")],
                        endless(
                            "<workspaceEntryResponse><splash><splashText>",
                            "la ",
                            c.bytes.clone(),
                        ),
                    )
                        .into_response()
                }
            }),
        )
        .route(
            "/v2/oauth/token",
            post({
                let c = c.clone();
                move |_h: HeaderMap| async move {
                    c.token_requests.fetch_add(1, Ordering::SeqCst);
                    token_answer(expires_in)
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, counts)
}

/// A server whose token endpoint never ends its answer.
async fn endless_token_server() -> (String, Counts) {
    let counts = Counts::default();
    let bytes = counts.bytes.clone();
    let app = Router::new().route(
        "/v2/oauth/token",
        post(move || async move {
            (
                [(header::CONTENT_TYPE, "application/json")],
                endless(r#"{"access_token":""#, "a", bytes.clone()),
            )
                .into_response()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, counts)
}

const LIMIT: u64 = 1024 * 1024;

fn keys() -> AppKeys {
    AppKeys {
        client_id: "app".into(),
        client_secret: Secret::new("cs-bounds"),
    }
}

fn grant() -> Grant {
    Grant::Password {
        email: "me@example.com".into(),
        password: Secret::new("pw-bounds"),
        end_other_sessions: false,
    }
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    }
}

fn client(url: &str) -> Intralinks {
    Intralinks::builder(url)
        .answer_limit(LIMIT)
        .retry(quick())
        .token(Secret::new("tok-bounds"))
        .unwrap()
}

/// What was read stays within the limit plus what the sockets buffer.
fn assert_bounded(counts: &Counts) {
    let produced = counts.bytes.load(Ordering::Relaxed);
    assert!(
        produced < LIMIT + 16 * 1024 * 1024,
        "the server produced {produced} bytes before the client stopped"
    );
}

#[tokio::test]
async fn an_endless_listing_stops_at_the_answer_limit() {
    let (url, counts) = serve("3600").await;
    let e = client(&url)
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::AnswerTooLarge { limit: LIMIT }), "{e:?}");
    assert!(e.to_string().contains("longer than 1048576 bytes"), "{e}");
    assert!(!e.is_transient());
    assert_bounded(&counts);
}

#[tokio::test]
async fn an_endless_error_body_stops_at_the_answer_limit() {
    let (url, counts) = serve("3600").await;
    let e = client(&url)
        .api()
        .list_groups()
        .workspace_id(7)
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::AnswerTooLarge { limit: LIMIT }), "{e:?}");
    assert_bounded(&counts);
}

#[tokio::test]
async fn an_endless_token_answer_stops_at_the_answer_limit() {
    let (url, counts) = endless_token_server().await;
    let e = Intralinks::builder(&url)
        .answer_limit(LIMIT)
        .login(keys(), grant())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::AnswerTooLarge { limit: LIMIT }), "{e:?}");
    assert_bounded(&counts);
}

#[tokio::test]
async fn endless_v1_xml_stops_at_the_answer_limit() {
    let (url, counts) = serve("3600").await;
    let e = client(&url).splash_v1(7).await.unwrap_err();
    assert!(matches!(e, Error::AnswerTooLarge { limit: LIMIT }), "{e:?}");
    assert_bounded(&counts);
}

/// A raw server that declares a 1 TiB answer and sends a few bytes.
async fn declares_a_terabyte() -> (String, Arc<AtomicU64>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicU64::new(0));
    let s = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let s = s.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1099511627776\r\n\r\n";
                let _ = socket.write_all(head.as_bytes()).await;
                // Offer body bytes for as long as the client reads them.
                let block = vec![b' '; 64 * 1024];
                while socket.write_all(&block).await.is_ok() {
                    s.fetch_add(block.len() as u64, Ordering::Relaxed);
                }
            });
        }
    });
    (url, sent)
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_reading() {
    let (url, sent) = declares_a_terabyte().await;
    let started = Instant::now();
    let e = client(&url)
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::AnswerTooLarge { limit: LIMIT }), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Only what the sockets buffered before the client gave up.
    assert!(sent.load(Ordering::Relaxed) < 16 * 1024 * 1024);
}

#[tokio::test]
async fn a_zero_lifetime_does_not_cost_a_token_request_per_call() {
    for expires_in in ["0", "-3600"] {
        let (url, counts) = serve(expires_in).await;
        let il = Intralinks::builder(&url)
            .retry(quick())
            .login(keys(), grant())
            .await
            .unwrap();
        for _ in 0..30 {
            il.api()
                .list_workspace_members()
                .workspace_id(7)
                .send()
                .checked()
                .await
                .unwrap();
        }
        assert_eq!(
            counts.token_requests.load(Ordering::SeqCst),
            1,
            "expires_in {expires_in}: one login, no refresh ahead of every call"
        );
    }
}

#[tokio::test]
async fn an_absurd_lifetime_neither_panics_nor_is_believed() {
    let (url, counts) = serve("9223372036854775807").await;
    let il = Intralinks::builder(&url)
        .retry(quick())
        .login(keys(), grant())
        .await
        .unwrap();
    il.api()
        .list_workspace_members()
        .workspace_id(7)
        .send()
        .checked()
        .await
        .unwrap();
    let pair = il.session().unwrap().tokens().await;
    let day = Duration::from_secs(24 * 3600 + 5);
    assert!(pair.expires_at <= SystemTime::now() + day, "{pair:?}");
    assert_eq!(counts.token_requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_lasting_429_costs_the_engines_attempts_only() {
    let (url, counts) = serve("3600").await;
    // The handle retries 4 times on its own; the engine asks for 8.
    let il = client(&url);
    let dir = tempfile::tempdir().unwrap();
    let options = SyncOptions {
        retry: RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(20),
        },
        ..SyncOptions::default()
    };
    let started = Instant::now();
    let e = sync::mirror(&il, 7, dir.path(), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::UnexpectedBody {
                status: Some(429),
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(counts.folder_requests.load(Ordering::SeqCst), 8);
    // Retry-After: 999999999 is held to the policy's longest delay.
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A server whose folder listing is empty and whose document listing is
/// `head` then `chunk` again and again; what it produced is counted.
async fn endless_documents(head: &'static str, chunk: &'static str) -> (String, Arc<AtomicU64>) {
    let bytes = Arc::new(AtomicU64::new(0));
    let b = bytes.clone();
    let app = Router::new()
        .route(
            "/v2/workspaces/{ws}/folders",
            get(|| async { axum::Json(serde_json::json!({"folder": []})) }),
        )
        .route(
            "/v2/workspaces/{ws}/documents",
            get(move || async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    endless(head, chunk, b.clone()),
                )
                    .into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, bytes)
}

#[tokio::test]
async fn an_endless_document_listing_that_keeps_nothing_stops_the_mirror() {
    // The mirror parses its listings as they arrive, bounded by what it
    // keeps: an answer that keeps nothing ends at the answer limit.
    let (url, bytes) = endless_documents(r#"{"document":[], "padding":["#, r#""skipped","#).await;
    let dir = tempfile::tempdir().unwrap();
    let options = SyncOptions {
        retry: quick(),
        ..SyncOptions::default()
    };
    let e = sync::mirror(&client(&url), 7, dir.path(), &options)
        .await
        .unwrap_err();
    let Error::ListingTooLarge { what, bound } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(*what, "documents");
    assert_eq!(
        bound,
        "1048576 bytes (the answer limit of 1048576 and 16384 for each of its 0 items)"
    );
    assert!(!e.is_transient());
    assert!(
        e.to_string()
            .starts_with("the room's documents listing passed 1048576 bytes"),
        "{e}"
    );
    assert_bounded(&Counts {
        bytes,
        ..Counts::default()
    });
}

#[tokio::test]
async fn an_endless_document_listing_of_padded_items_stops_the_mirror() {
    // Each item carries 20 KiB the model does not keep, more than the
    // 16 KiB an item allowed beyond the answer limit: the answer ends a
    // few MiB in, long before the items' bound.
    let item = format!(
        r#"{{"id":1,"name":"again","note":"{}"}},"#,
        "x".repeat(20 * 1024)
    );
    let (url, bytes) =
        endless_documents(r#"{"document":["#, Box::leak(item.into_boxed_str())).await;
    let dir = tempfile::tempdir().unwrap();
    let options = SyncOptions {
        retry: quick(),
        ..SyncOptions::default()
    };
    let e = sync::mirror(&client(&url), 7, dir.path(), &options)
        .await
        .unwrap_err();
    let Error::ListingTooLarge { what, bound } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(*what, "documents");
    assert!(
        bound.contains("(the answer limit of 1048576 and 16384 for each of its "),
        "{bound}"
    );
    let produced = bytes.load(Ordering::Relaxed);
    assert!(
        produced < 32 * 1024 * 1024,
        "the server produced {produced} bytes before the client stopped"
    );
}

#[test]
fn the_listing_bounds_are_generous() {
    // 1,000,000 documents of a real room (about 1 KiB an element) fit with
    // room to spare; the bounds are documented figures.
    assert_eq!(sync::LISTING_MAX_ITEMS, 5_000_000);
    assert_eq!(sync::LISTING_MAX_STRING_BYTES, 1 << 30);
    assert_eq!(sync::LISTING_BYTES_PER_ITEM, 16 * 1024);
}

#[tokio::test]
async fn a_document_listing_that_does_not_match_is_a_typed_error() {
    let app = Router::new()
        .route(
            "/v2/workspaces/{ws}/folders",
            get(|| async { axum::Json(serde_json::json!({"folder": []})) }),
        )
        .route(
            "/v2/workspaces/{ws}/documents",
            get(|| async { axum::Json(serde_json::json!({"document": [{"name": "no id"}]})) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir().unwrap();
    let options = SyncOptions {
        retry: quick(),
        ..SyncOptions::default()
    };
    let e = sync::mirror(&client(&url), 7, dir.path(), &options)
        .await
        .unwrap_err();
    let Error::UnexpectedBody {
        status: None,
        decode_error: Some(why),
        excerpt,
        ..
    } = &e
    else {
        panic!("{e:?}");
    };
    assert!(why.contains("missing field `id`"), "{why}");
    assert_eq!(excerpt, r#"{"document":[{"name":"no id"}]}"#);
}
