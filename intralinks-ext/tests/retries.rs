//! Retries: idempotent calls are retried on 503 with Retry-After; a
//! non-idempotent call is never repeated.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use intralinks_ext::types::{CreateFoldersRequest, FolderInput, FolderInputItem};
use intralinks_ext::{Checked, Error, Intralinks, RetryPolicy, Secret};

async fn always_503(counter: Arc<AtomicUsize>, retry_after: &'static str) -> String {
    let c = counter.clone();
    let handler = move || {
        let c = c.clone();
        async move {
            c.fetch_add(1, Ordering::SeqCst);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [
                    (header::RETRY_AFTER, retry_after),
                    (header::CONTENT_TYPE, "application/json"),
                ],
                r#"{"fault":{"faultstring":"The Service is temporarily unavailable"}}"#,
            )
                .into_response()
        }
    };
    let app = Router::new()
        .route("/v2/workspaces", get(handler.clone()))
        .route(
            "/v2/workspaces/{ws}/folders",
            get(handler.clone()).post(handler),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn client(url: &str) -> Intralinks {
    Intralinks::builder(url)
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_secs(5),
        })
        .token(Secret::new("t"))
        .unwrap()
}

#[tokio::test]
async fn a_get_is_retried_honouring_retry_after() {
    let count = Arc::new(AtomicUsize::new(0));
    let url = always_503(count.clone(), "1").await;
    let started = Instant::now();
    let e = client(&url)
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 3, "three attempts in all");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "two waits of Retry-After: 1 s"
    );
    let Error::Service {
        status, message, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(
        (*status, message.as_str()),
        (503, "The Service is temporarily unavailable")
    );
    assert!(e.is_transient());
}

#[tokio::test]
async fn a_post_is_never_repeated() {
    let count = Arc::new(AtomicUsize::new(0));
    let url = always_503(count.clone(), "0").await;
    let e = client(&url)
        .api()
        .create_folder()
        .workspace_id(1)
        .body(CreateFoldersRequest {
            folders: vec![FolderInputItem {
                folder: FolderInput {
                    name: "Deal".into(),
                    parent_id: None,
                    note: None,
                },
            }],
        })
        .send()
        .checked()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Service { status: 503, .. }), "{e:?}");
    assert_eq!(count.load(Ordering::SeqCst), 1, "a create is sent once");
}

#[tokio::test]
async fn a_local_file_error_is_an_io_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let il = client("http://127.0.0.1:9");
    let e = il
        .upload(
            intralinks_ext::FolderRef {
                workspace_id: 1,
                folder_id: 2,
            },
            &dir.path().join("missing.pdf"),
            None,
            None,
        )
        .await
        .unwrap_err();
    let Error::Io { action, path, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (*action, path.as_path()),
        ("cannot read", dir.path().join("missing.pdf").as_path())
    );
    assert!(
        e.to_string().starts_with(&format!(
            "cannot read {}: ",
            dir.path().join("missing.pdf").display()
        )),
        "{e}"
    );
}
