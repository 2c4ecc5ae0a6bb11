//! The mirror against a hostile stand-in server (ours, on 127.0.0.1 only):
//! tool-active and traversal names, absolute, control and bidi names, a
//! symlinked folder already in the target, a folder cycle, an orphan, an
//! endless body, a trickling body and a silent one. Nothing may be written
//! outside the target, nothing tool-active created, and each failure must
//! say what happened.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use intralinks_ext::{Intralinks, RetryPolicy, Secret, TransferLimits, file_hash};
use intralinks_sync::{self as sync, SyncOptions, fold_key};
use serde_json::{Value, json};

const CONFIG: &[u8] = b"[core]\n\tfsmonitor = touch pwned\n";

/// (id, parent, name, body) of every honest document.
fn honest() -> Vec<(i64, i64, &'static str, Vec<u8>)> {
    vec![
        (10, 1, "HEAD", b"ref: refs/heads/main\n".to_vec()),
        (11, 1, "config", CONFIG.to_vec()),
        (12, 2, "../../escape.txt", b"escape\n".to_vec()),
        (13, 3, "/abs/path.txt", b"absolute\n".to_vec()),
        (14, 4, "evil.txt", b"through the link\n".to_vec()),
        (15, 6, "in-cycle.txt", b"cycle\n".to_vec()),
        (16, 8, "ctl\nname\u{7}.txt", b"control\n".to_vec()),
        (20, 999, ".intralinks-sync", b"state?\n".to_vec()),
        (21, 5, "A\u{0308}.txt", b"nfd\n".to_vec()),
        (22, 5, "\u{00C4}.txt", b"nfc\n".to_vec()),
        (23, 7, "objects", b"not a repository\n".to_vec()),
    ]
}

fn folders() -> Value {
    json!({"folder": [
        {"id": 1, "name": ".git"},
        {"id": 2, "name": ".."},
        {"id": 3, "name": "/etc"},
        {"id": 4, "name": "linked"},
        {"id": 5, "name": "cyc-a", "parentId": 6},
        {"id": 6, "name": "cyc-b", "parentId": 5},
        {"id": 7, "name": ".Hg", "parentId": 2},
        {"id": 8, "name": "bidi\u{202E}txt.exe"},
    ]})
}

fn documents() -> Value {
    let mut docs: Vec<Value> = honest()
        .into_iter()
        .map(|(id, parent, name, body)| {
            json!({"id": id, "parentId": parent, "name": name, "fileSize": body.len(),
                   "fileHashDownload": file_hash(&body), "version": "v1"})
        })
        .collect();
    for (id, name) in [
        (17, "endless.bin"),
        (18, "trickle.bin"),
        (19, "silent.bin"),
        (24, "short.bin"),
        (25, "forged.bin"),
    ] {
        docs.push(
            json!({"id": id, "parentId": 3, "name": name, "fileSize": 12,
                         "fileHashDownload": file_hash(b"twelve bytes"), "version": "v1"}),
        );
    }
    json!({"document": docs})
}

#[derive(Clone, Default)]
struct Sent(Arc<AtomicU64>);

async fn file(State(sent): State<Sent>, UrlPath((_, id)): UrlPath<(i64, i64)>) -> Response {
    match id {
        17 => {
            let stream = futures_util::stream::unfold(sent, |sent| async move {
                sent.0.fetch_add(64 * 1024, Ordering::Relaxed);
                Some((
                    Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b'x'; 64 * 1024])),
                    sent,
                ))
            });
            Body::from_stream(stream).into_response()
        }
        18 => {
            let stream = futures_util::stream::unfold(0u32, |n| async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                (n < 12).then(|| {
                    (
                        Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"t")),
                        n + 1,
                    )
                })
            });
            Body::from_stream(stream).into_response()
        }
        19 => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            "never".into_response()
        }
        24 => "twelve".into_response(),
        // Twelve bytes, but not the ones the hash is of.
        25 => "TWELVE BYTES".into_response(),
        _ => match honest().into_iter().find(|d| d.0 == id) {
            Some((_, _, _, body)) => body.into_response(),
            None => (axum::http::StatusCode::NOT_FOUND, "no").into_response(),
        },
    }
}

async fn serve() -> (String, Sent) {
    let sent = Sent::default();
    let app = Router::new()
        .route(
            "/v2/workspaces/{ws}/folders",
            get(|| async { axum::Json(folders()) }),
        )
        .route(
            "/v2/workspaces/{ws}/documents",
            get(|| async { axum::Json(documents()) }),
        )
        .route("/v2/workspaces/{ws}/documents/{id}/file", get(file))
        .with_state(sent.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, sent)
}

/// Every entry below `dir`: path → file bytes, or `None` for a directory or link.
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let ft = std::fs::symlink_metadata(&p).unwrap().file_type();
            if ft.is_dir() {
                out.insert(rel, None);
                stack.push(p);
            } else if ft.is_file() {
                out.insert(rel, Some(std::fs::read(&p).unwrap()));
            } else {
                out.insert(rel, None);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_server_cannot_write_outside_or_create_tool_active_names() {
    let (url, sent) = serve().await;
    let il = Intralinks::builder(url)
        .token(Secret::new("token"))
        .unwrap();
    let base = tempfile::tempdir().unwrap();
    let target = base.path().join("mirror");
    let outside = base.path().join("outside");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, target.join("linked")).unwrap();

    let options = SyncOptions {
        jobs: intralinks_sync::Jobs::Fixed(8),
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(10),
        },
        limits: TransferLimits::default()
            .with_stall_timeout(Duration::from_secs(1))
            .with_min_rate(100)
            .with_rate_window(Duration::from_secs(1)),
        ..SyncOptions::default()
    };
    let started = Instant::now();
    let report = sync::mirror(&il, 1, &target, &options).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    // Nothing outside.
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
    let entries = tree(base.path());
    assert!(
        entries
            .keys()
            .all(|k| k.starts_with("mirror") || k == "outside"),
        "{entries:?}"
    );

    // Exactly these files, at these places.
    let files: BTreeMap<String, Vec<u8>> = tree(&target)
        .into_iter()
        .filter(|(k, _)| !k.starts_with(".intralinks-sync"))
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    let want: BTreeMap<String, Vec<u8>> = [
        ("_.git/HEAD", &b"ref: refs/heads/main\n"[..]),
        ("_.git/config", CONFIG),
        ("_/.._.._escape.txt", b"escape\n"),
        ("_/_.Hg/objects", b"not a repository\n"),
        ("_etc/_abs_path.txt", b"absolute\n"),
        ("bidi_txt.exe/ctl_name_.txt", b"control\n"),
        ("cyc-a/cyc-b/in-cycle.txt", b"cycle\n"),
        ("cyc-a/\u{00C4}.txt", b"nfd\n"),
        ("cyc-a/\u{00C4} (22).txt", b"nfc\n"),
        ("_.intralinks-sync", b"state?\n"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_vec()))
    .collect();
    assert_eq!(files, want);

    // Nothing tool-active anywhere.
    for path in tree(&target).keys() {
        for c in path.split('/') {
            assert!(
                ![".git", ".hg", ".svn"].contains(&fold_key(c).as_str()),
                "{path}"
            );
        }
    }

    // The failures, one per hostile body or path, each saying what happened.
    let failures: Vec<(&str, &str)> = report
        .failures
        .iter()
        .map(|f| (f.path.as_str(), f.error.as_str()))
        .collect();
    assert_eq!(failures.len(), 6, "{failures:#?}");
    assert_eq!(failures[0].0, "_etc/endless.bin");
    assert_eq!(
        failures[0].1,
        "the service sent more than the 12 bytes document 17 declares; reading stopped and nothing was kept; report this to the service's operator"
    );
    assert_eq!(failures[1].0, "_etc/forged.bin");
    assert_eq!(
        failures[1].1,
        format!(
            "the downloaded bytes of document 25 do not match its fileHashDownload (expected {}, got {}); nothing was written to {}; retry the download",
            file_hash(b"twelve bytes"),
            file_hash(b"TWELVE BYTES"),
            target.join("_etc/forged.bin").display()
        )
    );
    assert!(!target.join("_etc/forged.bin").exists());
    let failures = &failures[1..];
    assert_eq!(failures[1].0, "_etc/short.bin");
    assert_eq!(
        failures[1].1,
        "the body of document 24 ended after 6 of 12 bytes; retry later"
    );
    let failures = &failures[1..];
    assert_eq!(failures[1].0, "_etc/silent.bin");
    assert_eq!(
        failures[1].1,
        "the transfer of document 19 was aborted: no answer within 1 s; check the network, or relax the stall and minimum-rate limits"
    );
    assert_eq!(failures[2].0, "_etc/trickle.bin");
    assert!(
        failures[2]
            .1
            .starts_with("the transfer of document 18 was aborted: ")
            && failures[2].1.contains("below the minimum of 100 bytes/s"),
        "{}",
        failures[2].1
    );
    assert_eq!(failures[3].0, "linked/evil.txt");
    assert!(
        failures[3].1.ends_with(
            "linked is a symbolic link; nothing is written through it: remove it, then run again"
        ),
        "{}",
        failures[3].1
    );
    // The endless body was cut off early, not after gigabytes.
    assert!(sent.0.load(Ordering::Relaxed) < 32 * 1024 * 1024);
    assert_eq!(report.fetched, 10);

    // The cycle and the orphan are reported where they were placed.
    let notices: Vec<(i64, &str)> = report
        .notices
        .iter()
        .filter(|n| n.what.contains("cycle") || n.what.contains("not in the room"))
        .map(|n| (n.id, n.path.as_str()))
        .collect();
    assert_eq!(notices, [(20, "_.intralinks-sync"), (5, "cyc-a")]);
}
