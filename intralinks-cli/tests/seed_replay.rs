//! The `intralinks` binary against a server that sends exactly the payloads
//! quoted in the seeds: it lists, enters, downloads and reports errors
//! correctly, and a corrupt download never reaches its destination.

#![allow(clippy::result_large_err)] // axum handlers return Result<_, Response>

use std::path::Path;
use std::process::Output;

use axum::Router;
use axum::extract::Path as UrlPath;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use sha1::Digest;

const TOKEN: &str = "7bSxew8sQbT9oODCAJAjR4sYqHYM";
const GOOD_DOC: i64 = 9_100_000_001;
const BAD_DOC: i64 = 9_100_000_002;
const FILE: &[u8] = b"%PDF-1.4 quarterly figures\n";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn authorized(headers: &HeaderMap) -> Result<(), Response> {
    let ok = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    if ok {
        Ok(())
    } else {
        Err(json(
            StatusCode::UNAUTHORIZED,
            fixture("seed003_error_401.json"),
        ))
    }
}

fn document(id: i64, hash: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "name": "Quarterly figures", "extension": "pdf", "parentId": 4714545918i64,
        "fileSize": FILE.len(), "version": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "fileHashDownload": hash, "createdOn": {"milliseconds": 1364560076000i64}
    })
}

fn good_hash() -> String {
    base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(FILE))
}

async fn server() -> String {
    let app = Router::new()
        .route("/v2/oauth/token", post(|| async { json(StatusCode::OK, fixture("seed001_oauth_token.json")) }))
        .route(
            "/v2/workspaces",
            get(|h: HeaderMap| async move {
                authorized(&h).map(|_| json(StatusCode::OK, fixture("seed001_list_workspaces.json")))
            }),
        )
        .route(
            "/v2/workspaces/{ws}/splash",
            get(|h: HeaderMap| async move { authorized(&h).map(|_| json(StatusCode::OK, fixture("seed003_get_splash.json"))) })
                .post(|h: HeaderMap| async move {
                    authorized(&h).map(|_| json(StatusCode::CREATED, fixture("seed001_enter_allow.json")))
                }),
        )
        .route(
            "/v2/workspaces/{ws}/folders",
            get(|UrlPath(ws): UrlPath<i64>, h: HeaderMap| async move {
                authorized(&h)?;
                Ok::<_, Response>(match ws {
                    701421 => json(StatusCode::OK, fixture("seed003_list_folders.json")),
                    999 => json(StatusCode::SEE_OTHER, fixture("seed003_error_303.json")),
                    _ => json(StatusCode::BAD_REQUEST, fixture("seed003_error_400.json")),
                })
            }),
        )
        .route(
            "/v2/workspaces/{ws}/groups",
            get(|h: HeaderMap| async move { authorized(&h).map(|_| json(StatusCode::OK, fixture("seed003_list_groups.json"))) }),
        )
        .route(
            "/v2/workspaces/{ws}/documents/{doc}",
            get(|UrlPath((_, doc)): UrlPath<(i64, i64)>, h: HeaderMap| async move {
                authorized(&h)?;
                let hash = if doc == GOOD_DOC { good_hash() } else { "AAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_string() };
                let body = serde_json::json!({"status": {"code": 200, "message": "Request completed fine, no errors"},
                                              "document": [document(doc, &hash)]});
                Ok::<_, Response>(json(StatusCode::OK, body.to_string()))
            }),
        )
        .route(
            "/v2/workspaces/{ws}/documents/{doc}/file",
            get(|h: HeaderMap| async move {
                authorized(&h).map(|_| ([(header::CONTENT_TYPE, "application/octet-stream")], FILE).into_response())
            }),
        )
        .fallback(|| async {
            (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/html")], fixture("seed003_error_404.html")).into_response()
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn run(url: &str, token: &str, args: &[&str], cwd: &Path) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_intralinks"));
    command
        .current_dir(cwd)
        .env_clear()
        .env("INTRALINKS_BASE_URL", url)
        .env("INTRALINKS_TOKEN", token)
        .env("INTRALINKS_SESSION_FILE", cwd.join("session.json"))
        .args(args);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_enters_browses_and_downloads_the_seed_payloads() {
    let url = server().await;
    let dir = tempfile::tempdir().unwrap();

    let o = run(&url, TOKEN, &["workspaces"], dir.path()).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("ID      NAME                PHASE  SECURITY  HOST        TEMPLATE"),
        "{out}"
    );
    assert_eq!(
        lines[2],
        "701421  Demo API Workspace  OPEN   1         Intralinks  554961"
    );

    let o = run(&url, TOKEN, &["--json", "workspaces"], dir.path()).await;
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["id"], 701421);
    assert_eq!(v[0]["parentTemplateId"], 554961);
    assert_eq!(v[0]["pvpEnabled"], "F");

    let o = run(
        &url,
        TOKEN,
        &["enter", "701421", "--accept-splash"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "entered workspace 701421 (ALLOW)\n");

    let o = run(&url, TOKEN, &["folders", "701421"], dir.path()).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "Folder A [4714065398]\n└── Folder B [4714545918]\n"
    );

    let o = run(&url, TOKEN, &["--json", "folders", "701421"], dir.path()).await;
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["id"], 4714545918i64);
    assert_eq!(v[0]["createdOn"], "2013-03-29T12:27:56.000Z");
    assert_eq!(v[0]["version"], "356a192b7913b04c54574d18c28d46e6395428ab");

    let o = run(&url, TOKEN, &["groups", "701421"], dir.path()).await;
    assert_eq!(
        stdout(&o).lines().nth(4),
        Some("18180982  2. Commit    WORKSPACE  77"),
        "{}",
        stdout(&o)
    );

    let dest = dir.path().join("out.pdf");
    let o = run(
        &url,
        TOKEN,
        &["download", "701421", &GOOD_DOC.to_string(), "-o", "out.pdf"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&dest).unwrap(), FILE);
    assert_eq!(
        stdout(&o),
        format!("out.pdf ({} bytes, SHA-1 verified)\n", FILE.len())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_download_never_reaches_its_destination() {
    let url = server().await;
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &url,
        TOKEN,
        &["download", "701421", &BAD_DOC.to_string(), "-o", "bad.pdf"],
        dir.path(),
    )
    .await;
    assert!(!o.status.success());
    assert_eq!(
        stderr(&o),
        format!(
            "error: the downloaded bytes of document {BAD_DOC} do not match its fileHashDownload (expected AAAAAAAAAAAAAAAAAAAAAAAAAAA=, got {}); nothing was written to bad.pdf; retry the download\n",
            good_hash()
        )
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "nothing may be left behind: {left:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_are_one_line_that_says_what_to_do() {
    let url = server().await;
    let dir = tempfile::tempdir().unwrap();

    let o = run(&url, TOKEN, &["folders", "999"], dir.path()).await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: workspace 999 must be entered first (accept its splash, answer what it asks), then retry; run `intralinks enter 999`\n"
    );

    let o = run(&url, TOKEN, &["folders", "1"], dir.path()).await;
    assert_eq!(
        stderr(&o),
        "error: not found (Cannot find entity in repository; the request was GET /v2/workspaces/1/folders, errorId XXXX): check the id, and that your account can see it\n"
    );

    let o = run(&url, "wrong-token", &["workspaces"], dir.path()).await;
    assert_eq!(
        stderr(&o),
        "error: the service refused the access token (invalid access token: Bearer ***): log in again or supply a fresh token; run `intralinks login`\n"
    );
    assert!(!stderr(&o).contains("wrong-token"));

    let o = run(&url, TOKEN, &["users", "701421"], dir.path()).await;
    let e = stderr(&o);
    assert!(
        e.starts_with("error: unexpected answer (HTTP 404, text/html): \"<html><head>"),
        "{e}"
    );
    assert!(
        e.ends_with(
            "check the base URL — it is the host root, e.g. https://test-api.intralinks.com\n"
        ),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1);

    let o = run("http://example.com", TOKEN, &["workspaces"], dir.path()).await;
    assert_eq!(
        stderr(&o),
        "error: refusing to send credentials to http://example.com: use https (plain http is allowed only to loopback, e.g. the simulator)\n"
    );
}
