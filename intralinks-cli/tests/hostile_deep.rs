//! A hostile server (ours, on 127.0.0.1 only) lists a chain of 100,000
//! folders, each the parent of the next, with a document at the bottom; a
//! journal record 100,000 components deep is planted. `folders`, `mirror`,
//! `report access` and `mirror --delete` must neither overflow the stack nor
//! take memory or time beyond linear: each ends normally, paths hold at most
//! 64 folders, and the peak RSS of every run stays under 256 MiB.

mod common;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use axum::Router;
use axum::extract::Path as UrlPath;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;

const DEPTH: i64 = 100_000;
const BODY: &[u8] = b"at the bottom\n";

fn sha1_b64(bytes: &[u8]) -> String {
    use base64::Engine;
    use sha1::Digest;
    base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(bytes))
}

async fn serve() -> String {
    let folders: Vec<serde_json::Value> = (1..=DEPTH)
        .map(|i| {
            if i == 1 {
                json!({"id": i, "name": "d"})
            } else {
                json!({"id": i, "name": "d", "parentId": i - 1})
            }
        })
        .collect();
    let folders = Arc::new(serde_json::to_vec(&json!({ "folder": folders })).unwrap());
    let app = Router::new()
        .route(
            "/v2/workspaces/{ws}/folders",
            get(move || {
                let body = folders.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        (*body).clone(),
                    )
                }
            }),
        )
        .route(
            "/v2/workspaces/{ws}/documents",
            get(|| async {
                axum::Json(json!({"document": [
                    {"id": 900, "name": "deep.txt", "parentId": DEPTH, "fileSize": BODY.len(),
                     "fileHashDownload": sha1_b64(BODY), "version": "v1"}
                ]}))
            }),
        )
        .route(
            "/v2/workspaces/{ws}/documents/{id}/file",
            get(|UrlPath((_, _)): UrlPath<(i64, i64)>| async { BODY.to_vec().into_response() }),
        )
        .route(
            "/v2/workspaces",
            get(|| async {
                axum::Json(json!({"workspace": [{"id": 7, "workspaceName": "Deep"}]}))
            }),
        )
        .route(
            "/v2/workspaces/{ws}",
            get(|| async {
                axum::Json(json!({"workspace": [{"id": 7, "workspaceName": "Deep"}]}))
            }),
        )
        .route(
            "/v2/workspaces/{ws}/groups",
            get(|| async { axum::Json(json!({"groups": [{"id": 20, "groupName": "G"}]})) }),
        )
        .route(
            "/v2/workspaces/{ws}/users",
            get(|| async { axum::Json(json!({"users": []})) }),
        )
        .route(
            "/v2/workspaces/{ws}/permissions",
            get(|| async {
                axum::Json(json!({"permissions": [
                    {"id": 1, "folderId": 1, "groupId": 20, "permission": "SEE"}
                ]}))
            }),
        );
    let app = app.fallback(|uri: axum::http::Uri| async move {
        (
            axum::http::StatusCode::NOT_FOUND,
            format!("the stand-in has no answer for {uri}"),
        )
    });
    common::serve_on_loopback(app).await
}

/// Runs the command against the stand-in server; what it printed, and its
/// own peak RSS in KiB (from `wait4`: this command's alone, not the largest
/// of every child this binary has waited for). Linux counts the high-water
/// mark of the process that started it, this small test binary, in it too.
async fn run(url: &str, args: &[&str], cwd: &Path) -> (Output, i64) {
    let c = common::with_token(url, "tok-deep", args, cwd);
    tokio::task::spawn_blocking(move || output_and_peak(c))
        .await
        .unwrap()
}

// The child is reaped by `wait4` below, not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn output_and_peak(mut c: std::process::Command) -> (Output, i64) {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            r.read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    loop {
        // SAFETY: waits for our own child, filling the two it is given.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
        if rc == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "wait4: {e}");
    }
    // SAFETY: filled by the wait4 that returned the child's pid.
    let peak = unsafe { usage.assume_init() }.ru_maxrss;
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    (output, peak)
}

fn ok(what: &str, o: &Output) {
    assert!(
        o.status.success(),
        "{what}: {:?} {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
            .chars()
            .take(2000)
            .collect::<String>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_100000_deep_is_handled_in_linear_time_and_bounded_memory() {
    let url = serve().await;
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    // Each command's own peak RSS, in KiB.
    let mut peaks = Vec::new();

    let (o, peak) = run(&url, &["folders", "7"], cwd).await;
    peaks.push(peak);
    ok("folders", &o);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().count(), DEPTH as usize);
    let moved = text
        .lines()
        .filter(|l| l.contains("more than 64 levels"))
        .count();
    assert_eq!(moved, (DEPTH as usize - 1) / 64);
    // No line is indented deeper than 64 levels.
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest < 64 * 4 + 80, "{widest}");

    let (o, peak) = run(&url, &["report", "access", "7"], cwd).await;
    peaks.push(peak);
    ok("report access", &o);
    let mut reader = csv::Reader::from_reader(o.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), DEPTH as usize + 1);
    assert!(
        rows.iter().all(|r| &r[7] == "SEE"),
        "inherited from the top"
    );

    let (o, peak) = run(&url, &["mirror", "7", "out"], cwd).await;
    peaks.push(peak);
    ok("mirror", &o);
    let bottom = (DEPTH - 1) % 64 + 1;
    let mut path = cwd.join("out");
    // The last slice sits at the top under its own (suffixed) name.
    let top = std::fs::read_dir(&path)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(&format!("({})", DEPTH - bottom + 1)))
        .collect::<Vec<_>>();
    assert_eq!(top.len(), 1, "{top:?}");
    path.push(&top[0]);
    for _ in 1..bottom {
        path.push("d");
    }
    assert_eq!(std::fs::read(path.join("deep.txt")).unwrap(), BODY);

    // A journal record 100,000 components deep, then --delete.
    let state = cwd.join("out").join(".intralinks-sync");
    let journal = state.join("mirror.jsonl");
    let deep_path = vec!["x"; DEPTH as usize].join("/");
    let record = json!({"ws": 7, "path": deep_path, "id": 901, "sha1": sha1_b64(b"x"),
                        "size": 1, "mtime": 0});
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str(&format!("{record}\n"));
    std::fs::write(&journal, text).unwrap();
    let (o, peak) = run(&url, &["mirror", "7", "out", "--delete"], cwd).await;
    peaks.push(peak);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "no crash: {:?}",
        o.status
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("more than 64 folders deep"),
        "{}",
        &err[..err.len().min(2000)]
    );

    #[cfg(target_os = "linux")]
    {
        let peak = peaks.into_iter().max().unwrap();
        assert!(peak < 256 * 1024, "peak RSS {peak} KiB");
    }
}
