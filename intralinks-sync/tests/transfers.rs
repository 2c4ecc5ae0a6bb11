//! The transfer pipeline on a slow link (the simulator's bandwidth limit):
//! uploads longer than the read timeout, resumed downloads, servers that
//! ignore `Range`, trickling bodies, progress events, uploads that fail.
//!
//! Sizes and rates are small so that each property shows in seconds: a
//! 6 MB upload at 2 MB/s with a 2 s read timeout is "an upload longer than
//! the read timeout". The stall timeout is 3 s: an upload's bytes are
//! measured as the connection takes them, and on loopback the operating
//! system's send buffer takes up to 4 MiB at once (2.1 s at 2 MB/s).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use intralinks_ext::{
    DocumentRef, Error, FixedAnswers, FolderRef, Intralinks, RetryPolicy, TransferLimits,
    file_hash, file_hash_of,
};
use intralinks_sim::{Bandwidth, Faults, SimConfig, Simulator, demo};
use intralinks_sync::{self as sync, SyncEvent, SyncHook, SyncOptions};

use crate::common;

const WS: i64 = demo::MAIN_WORKSPACE;

/// A simulator at `bandwidth`, and a client with a 2 s read timeout and a
/// 3 s stall timeout, in the main workspace.
async fn slow(bandwidth: Bandwidth) -> (Simulator, Intralinks) {
    let sim = Simulator::start(SimConfig {
        bandwidth,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let il = Intralinks::builder(sim.url())
        .read_timeout(Duration::from_secs(2))
        .transfer_limits(
            TransferLimits::default()
                .with_stall_timeout(Duration::from_secs(3))
                .with_min_rate(1024)
                .with_rate_window(Duration::from_secs(60)),
        )
        .retry(RetryPolicy {
            max_attempts: 1,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        })
        .login(common::keys(), common::password())
        .await
        .unwrap();
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    (sim, il)
}

async fn sim_json(
    sim: &Simulator,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let mut rb = reqwest::Client::new().request(method, format!("{}{path}", sim.url()));
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

async fn stats(sim: &Simulator) -> serde_json::Value {
    sim_json(sim, reqwest::Method::GET, "/_sim/stats", None).await
}

/// Body bytes the simulator has handed out, once an abandoned download's
/// server side has noticed and stopped (two equal readings 300 ms apart).
async fn served_so_far(sim: &Simulator) -> u64 {
    let mut last = stats(sim).await["downloadBytes"].as_u64().unwrap();
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = stats(sim).await["downloadBytes"].as_u64().unwrap();
        if now == last {
            return now;
        }
        last = now;
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[tokio::test]
async fn an_upload_longer_than_the_read_timeout_succeeds_by_upload_and_by_push() {
    let (sim, il) = slow(Bandwidth {
        up_bytes_per_sec: 2_000_000,
        down_bytes_per_sec: 0,
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let bytes = pattern(6_000_000);
    let file = dir.path().join("big.bin");
    std::fs::write(&file, &bytes).unwrap();

    let started = Instant::now();
    let up = il
        .upload(
            FolderRef {
                workspace_id: WS,
                folder_id: demo::FOLDER_LEGAL,
            },
            &file,
            None,
            None,
        )
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(up.bytes, 6_000_000);
    assert_eq!(up.sha1_base64, file_hash(&bytes));
    // Longer than the 2 s read timeout, without a retry (one attempt allowed).
    assert!(took > Duration::from_millis(2900), "{took:?}");
    let doc = il.document(WS, up.document_id).await.unwrap();
    assert_eq!(
        doc.file_hash_download.as_deref(),
        Some(file_hash(&bytes).as_str())
    );

    // Through push: 26 MB at 2 MB/s is 13 s, longer than four stall
    // timeouts (the whole-upload cap push used to have).
    let big = pattern(26_000_000);
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(tree.path().join("pushed.bin"), &big).unwrap();
    let options = SyncOptions {
        folder: Some(demo::FOLDER_CONTRACTS),
        limits: TransferLimits::default().with_stall_timeout(Duration::from_secs(3)),
        retry: RetryPolicy::none(),
        ..SyncOptions::default()
    };
    let started = Instant::now();
    let report = sync::push(&il, WS, tree.path(), &options).await.unwrap();
    let took = started.elapsed();
    assert_eq!(report.failures, vec![]);
    assert_eq!(
        (report.uploaded, report.verified, report.retries),
        (1, 1, 0)
    );
    assert_eq!(report.bytes_uploaded, 26_000_000);
    assert!(took > Duration::from_secs(12), "{took:?}");
    sim.shutdown().await;
}

/// Starts a download of the annual report (3 MiB) and abandons it after
/// `after`; answers the partial file left.
async fn interrupted(
    il: &Intralinks,
    dest: &std::path::Path,
    after: Duration,
) -> (std::path::PathBuf, u64) {
    let doc = DocumentRef {
        workspace_id: WS,
        document_id: demo::DOC_ANNUAL_REPORT,
    };
    let cut = tokio::time::timeout(after, il.download(doc, dest, None)).await;
    assert!(cut.is_err(), "the download finished before it was cut off");
    assert!(!dest.exists());
    // The worker stops at the chunk it was writing.
    tokio::time::sleep(Duration::from_millis(100)).await;
    intralinks_ext::partial_download(dest).expect("a partial file is kept")
}

#[tokio::test]
async fn a_download_interrupted_half_way_asks_only_for_the_rest() {
    let (sim, il) = slow(Bandwidth {
        up_bytes_per_sec: 0,
        down_bytes_per_sec: 2_000_000,
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("annual.dat");
    let (part, kept) = interrupted(&il, &dest, Duration::from_millis(800)).await;
    assert!(
        kept > 0 && kept < demo::ANNUAL_REPORT_SIZE,
        "{kept} of {} bytes kept",
        demo::ANNUAL_REPORT_SIZE
    );
    assert_eq!(std::fs::metadata(&part).unwrap().len(), kept);

    let before = served_so_far(&sim).await;
    let got = il
        .download(
            DocumentRef {
                workspace_id: WS,
                document_id: demo::DOC_ANNUAL_REPORT,
            },
            &dest,
            None,
        )
        .await
        .unwrap();
    let served = stats(&sim).await["downloadBytes"].as_u64().unwrap() - before;
    eprintln!(
        "DEBUG before {before} kept {kept} served {served} settled-after {}",
        served_so_far(&sim).await
    );
    assert_eq!(got.resumed_from, kept);
    assert_eq!(got.bytes, demo::ANNUAL_REPORT_SIZE);
    // Exactly the missing bytes crossed the link the second time.
    assert_eq!(served, demo::ANNUAL_REPORT_SIZE - kept);
    let doc = il.document(WS, demo::DOC_ANNUAL_REPORT).await.unwrap();
    assert_eq!(
        Some(file_hash_of(&dest).await.unwrap()),
        doc.file_hash_download
    );
    assert!(!part.exists());
    assert_eq!(intralinks_ext::partial_download(&dest), None);
    sim.shutdown().await;
}

#[cfg(unix)]
#[tokio::test]
async fn a_part_file_with_another_name_is_not_reused_and_the_other_name_is_left_alone() {
    let (sim, il) = slow(Bandwidth {
        up_bytes_per_sec: 0,
        down_bytes_per_sec: 2_000_000,
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("annual.dat");
    let (part, kept) = interrupted(&il, &dest, Duration::from_millis(800)).await;
    assert!(kept > 0);
    // A snapshot made with hard links (`cp -al`) shares the part's inode.
    let snapshot = dir.path().join("snapshot.part");
    std::fs::hard_link(&part, &snapshot).unwrap();
    let before = std::fs::read(&snapshot).unwrap();

    let got = il
        .download(
            DocumentRef {
                workspace_id: WS,
                document_id: demo::DOC_ANNUAL_REPORT,
            },
            &dest,
            None,
        )
        .await
        .unwrap();
    assert_eq!(got.resumed_from, 0, "the shared part was not appended to");
    assert_eq!(got.bytes, demo::ANNUAL_REPORT_SIZE);
    assert_eq!(std::fs::read(&snapshot).unwrap(), before);
    let doc = il.document(WS, demo::DOC_ANNUAL_REPORT).await.unwrap();
    assert_eq!(
        Some(file_hash_of(&dest).await.unwrap()),
        doc.file_hash_download
    );
    sim.shutdown().await;
}

#[cfg(unix)]
#[tokio::test]
async fn the_mirror_leaves_a_hard_linked_part_alone() {
    let (sim, il) = slow(Bandwidth {
        up_bytes_per_sec: 0,
        down_bytes_per_sec: 0,
    })
    .await;
    let doc = il.document(WS, demo::DOC_ANNUAL_REPORT).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join(".intralinks-sync/parts");
    let part = parts.join(common::part_path(&format!(
        "{}-{}.part",
        doc.id,
        intralinks_ext::transfer::part_key(&doc)
    )));
    std::fs::create_dir_all(part.parent().unwrap()).unwrap();
    std::fs::write(&part, b"someone else's bytes").unwrap();
    let outside = dir.path().join("kept-elsewhere");
    std::fs::hard_link(&part, &outside).unwrap();

    let report = sync::mirror(&il, WS, dir.path(), &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(report.failures, vec![]);
    assert_eq!(report.resumed, 0);
    assert_eq!(std::fs::read(&outside).unwrap(), b"someone else's bytes");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_server_that_ignores_range_still_yields_a_verified_file() {
    let (sim, il) = slow(Bandwidth {
        up_bytes_per_sec: 0,
        down_bytes_per_sec: 2_000_000,
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("annual.dat");
    let (_, kept) = interrupted(&il, &dest, Duration::from_millis(800)).await;
    assert!(kept > 0);
    sim_json(
        &sim,
        reqwest::Method::PUT,
        "/_sim/faults",
        Some(serde_json::json!({"ignoreRange": true})),
    )
    .await;
    let before = served_so_far(&sim).await;
    let got = il
        .download(
            DocumentRef {
                workspace_id: WS,
                document_id: demo::DOC_ANNUAL_REPORT,
            },
            &dest,
            None,
        )
        .await
        .unwrap();
    let served = stats(&sim).await["downloadBytes"].as_u64().unwrap() - before;
    // A 200 instead of a 206: started over, cleanly.
    assert_eq!(got.resumed_from, 0);
    assert_eq!(served, demo::ANNUAL_REPORT_SIZE);
    assert_eq!(
        std::fs::metadata(&dest).unwrap().len(),
        demo::ANNUAL_REPORT_SIZE
    );
    let doc = il.document(WS, demo::DOC_ANNUAL_REPORT).await.unwrap();
    assert_eq!(Some(got.sha1_base64), doc.file_hash_download);
    sim.shutdown().await;
}

/// A stand-in server whose document body trickles: one byte, then one
/// every `every` (never more than `bytes`).
async fn trickle(every: Duration) -> String {
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/v2/workspaces/1/documents/2/file",
        get(move || async move {
            let stream = futures_util::stream::unfold(0u32, move |n| async move {
                if n > 0 {
                    tokio::time::sleep(every).await;
                }
                (n < 10_000).then(|| {
                    (
                        Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"x")),
                        n + 1,
                    )
                })
            });
            axum::response::Response::builder()
                .header("content-length", "10000")
                .body(axum::body::Body::from_stream(stream))
                .unwrap()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn trickled_doc() -> intralinks_ext::types::Document {
    serde_json::from_value(serde_json::json!({
        "id": 2, "name": "slow.bin", "version": "v1", "fileSize": 10000,
        "fileHashDownload": file_hash(&[b'x'; 10000]),
    }))
    .unwrap()
}

#[tokio::test]
async fn a_trickling_body_ends_download_within_the_stall_timeout() {
    let url = trickle(Duration::from_secs(5)).await;
    let il = Intralinks::builder(&url)
        .transfer_limits(TransferLimits::default().with_stall_timeout(Duration::from_secs(1)))
        .anonymous()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("slow.bin");
    let started = Instant::now();
    let e = il
        .download_document(1, &trickled_doc(), &dest, None)
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(
        e.to_string(),
        "the transfer of document 2 was aborted: no byte arrived for 1 s after 1 bytes; check the network, or relax the stall and minimum-rate limits"
    );
    // The byte that came is kept for a resumed download.
    assert_eq!(
        intralinks_ext::partial_download(&dest).map(|(_, n)| n),
        Some(1)
    );

    // Bytes that keep coming, too slowly: the minimum rate ends it.
    let url = trickle(Duration::from_millis(100)).await;
    let il = Intralinks::builder(&url)
        .transfer_limits(
            TransferLimits::default()
                .with_stall_timeout(Duration::from_secs(1))
                .with_min_rate(1024)
                .with_rate_window(Duration::from_secs(1)),
        )
        .anonymous()
        .unwrap();
    let mut sink = Vec::new();
    let started = Instant::now();
    let e = il
        .download_into(1, &trickled_doc(), &mut sink, None)
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
    let Error::Stalled {
        document_id,
        detail,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(*document_id, Some(2));
    assert!(
        detail.ends_with("below the minimum of 1024 bytes/s"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_bad_file_size_or_an_oversized_content_length_is_refused_before_reading() {
    let url = trickle(Duration::from_millis(1)).await;
    let il = Intralinks::builder(&url).anonymous().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for size in [serde_json::json!(-1), serde_json::Value::Null] {
        let mut doc = trickled_doc();
        doc.file_size = size.as_i64();
        let e = il
            .download_document(1, &doc, &dir.path().join("x"), None)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
        assert!(
            e.to_string()
                .contains("so its body cannot be bounded; nothing was downloaded"),
            "{e}"
        );
    }
    // Content-Length 10000 for a document of 12 bytes.
    let mut doc = trickled_doc();
    doc.file_size = Some(12);
    let started = Instant::now();
    let e = il
        .download_document(1, &doc, &dir.path().join("y"), None)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        matches!(
            e,
            Error::BodyTooLong {
                document_id: Some(2),
                declared: 12
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn the_engine_reports_progress_events_with_totals_up_front() {
    let (sim, il) = slow(Bandwidth::default()).await;
    let events = Arc::new(Mutex::new(Vec::<SyncEvent>::new()));
    let seen = events.clone();
    let options = SyncOptions {
        folder: Some(demo::FOLDER_FINANCIALS),
        progress: Some(SyncHook::new(move |e| seen.lock().unwrap().push(e.clone()))),
        ..SyncOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let report = sync::mirror(&il, WS, dir.path(), &options).await.unwrap();
    assert_eq!(report.failures, vec![]);
    let events = events.lock().unwrap().clone();
    let SyncEvent::Planned { items, bytes } = events[0] else {
        panic!("{:?}", events[0])
    };
    assert_eq!(items, report.documents);
    assert_eq!(bytes, report.bytes_fetched);
    let moved: u64 = events
        .iter()
        .map(|e| match e {
            SyncEvent::Moved { bytes, .. } => *bytes,
            _ => 0,
        })
        .sum();
    assert_eq!(moved, report.bytes_fetched);
    let count = |f: fn(&SyncEvent) -> bool| events.iter().filter(|e| f(e)).count();
    assert_eq!(
        count(|e| matches!(e, SyncEvent::Started { .. })),
        report.fetched
    );
    assert_eq!(
        count(|e| matches!(e, SyncEvent::Done { .. })),
        report.fetched
    );
    assert_eq!(count(|e| matches!(e, SyncEvent::Failed { .. })), 0);

    // Or through a channel, from a spawned task: the same events.
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let spawned = {
        let (il, dir) = (il.clone(), tempfile::tempdir().unwrap());
        let options = SyncOptions {
            progress: Some(SyncHook::channel(tx)),
            ..options.clone()
        };
        tokio::spawn(async move {
            let r = sync::mirror(&il, WS, dir.path(), &options).await;
            drop(dir);
            r
        })
    };
    let report2 = spawned.await.unwrap().unwrap();
    let mut got = Vec::new();
    while let Some(e) = rx.recv().await {
        got.push(e);
    }
    assert_eq!(report2.fetched, report.fetched);
    assert_eq!(got[0], events[0]);
    // The same steps (chunking, and so the count of `Moved`, varies, as
    // does the pace the run settled on).
    let steps = |list: &[SyncEvent]| {
        let mut s: Vec<String> = list
            .iter()
            .filter(|e| !matches!(e, SyncEvent::Moved { .. } | SyncEvent::Settled { .. }))
            .map(|e| format!("{e:?}"))
            .collect();
        s.sort();
        s
    };
    assert_eq!(steps(&got), steps(&events));
    let moved_too: u64 = got
        .iter()
        .map(|e| match e {
            SyncEvent::Moved { bytes, .. } => *bytes,
            _ => 0,
        })
        .sum();
    assert_eq!(moved_too, moved);

    // A second run: everything is skipped, nothing moves.
    let events2 = Arc::new(Mutex::new(Vec::<SyncEvent>::new()));
    let seen = events2.clone();
    let options = SyncOptions {
        progress: Some(SyncHook::new(move |e| seen.lock().unwrap().push(e.clone()))),
        ..options
    };
    sync::mirror(&il, WS, dir.path(), &options).await.unwrap();
    let events2 = events2.lock().unwrap().clone();
    // Planned, one Skipped a document, and what the run settled on: two
    // listings, nothing else sent.
    assert_eq!(events2.len(), 2 + report.documents);
    assert!(
        events2[1..=report.documents]
            .iter()
            .all(|e| matches!(e, SyncEvent::Skipped { .. }))
    );
    assert!(
        matches!(
            events2.last(),
            Some(SyncEvent::Settled {
                requests: 2,
                throttled: 0,
                ..
            })
        ),
        "{:?}",
        events2.last()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_upload_failing_on_every_put_leaves_no_empty_document() {
    let sim = Simulator::start(SimConfig {
        faults: Faults {
            fail_uploads: true,
            retry_after_secs: 0,
            ..Faults::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let il = Intralinks::builder(sim.url())
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        })
        .login(common::keys(), common::password())
        .await
        .unwrap();
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    let count_docs = || async {
        il.api()
            .list_documents()
            .workspace_id(WS)
            .send()
            .await
            .unwrap()
            .into_inner()
            .document
            .len()
    };
    let before = count_docs().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doomed.txt");
    std::fs::write(&file, b"never lands").unwrap();
    let folder = FolderRef {
        workspace_id: WS,
        folder_id: demo::FOLDER_LEGAL,
    };
    let e = il.upload(folder, &file, None, None).await.unwrap_err();
    let Error::UploadIncomplete {
        document_id,
        removed,
        source,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert!(*removed);
    assert!(
        matches!(**source, Error::Service { status: 503, .. }),
        "{source:?}"
    );
    assert!(
        e.to_string().ends_with(&format!(
            "the empty document {document_id} it created was removed"
        )),
        "{e}"
    );
    let e = il
        .upload_from(folder, "doomed2.txt", &b"never"[..], 5, None)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::UploadIncomplete { removed: true, .. }),
        "{e:?}"
    );
    assert_eq!(count_docs().await, before);

    // Push: every created document is removed again, and the report says so.
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(tree.path().join("a.txt"), b"one").unwrap();
    std::fs::write(tree.path().join("b.txt"), b"two").unwrap();
    let options = SyncOptions {
        folder: Some(demo::FOLDER_CONTRACTS),
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(10),
        },
        ..SyncOptions::default()
    };
    let report = sync::push(&il, WS, tree.path(), &options).await.unwrap();
    assert_eq!(report.failures.len(), 2, "{:?}", report.failures);
    assert_eq!(
        report.removed_empty,
        vec!["a.txt".to_string(), "b.txt".to_string()]
    );
    assert_eq!(report.left_empty, Vec::<String>::new());
    assert_eq!(count_docs().await, before);
    sim.shutdown().await;
}

/// Requests answered so far that write (anything but GET), by "METHOD /path".
async fn writes(sim: &Simulator) -> std::collections::BTreeMap<String, u64> {
    let all = sim_json(sim, reqwest::Method::GET, "/_sim/requests", None).await;
    all.as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !k.starts_with("GET "))
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect()
}

#[tokio::test]
async fn push_is_idempotent_for_names_the_room_takes_for_one() {
    let (sim, il) = slow(Bandwidth::default()).await;
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(tree.path().join("a.txt"), b"lower").unwrap();
    std::fs::write(tree.path().join("A.TXT"), b"upper").unwrap();
    // The same name in two Unicode forms: precomposed and decomposed.
    std::fs::write(tree.path().join("caf\u{e9}.txt"), b"nfc").unwrap();
    std::fs::write(tree.path().join("cafe\u{301}.txt"), b"nfd").unwrap();
    // Two folders the room takes for one.
    std::fs::create_dir_all(tree.path().join("Sub")).unwrap();
    std::fs::create_dir_all(tree.path().join("sub")).unwrap();
    std::fs::write(tree.path().join("Sub/x.txt"), b"x").unwrap();
    std::fs::write(tree.path().join("sub/y.txt"), b"y").unwrap();
    let options = SyncOptions {
        folder: Some(demo::FOLDER_CONTRACTS),
        ..SyncOptions::default()
    };
    let docs_in_contracts = || async {
        let mut names: Vec<String> = il
            .api()
            .list_documents()
            .workspace_id(WS)
            .send()
            .await
            .unwrap()
            .into_inner()
            .document
            .into_iter()
            .filter(|d| d.parent_id.or(d.folder_id) == Some(demo::FOLDER_CONTRACTS))
            .filter_map(|d| d.name)
            .collect();
        names.sort();
        names
    };
    let before = docs_in_contracts().await;
    let first = sync::push(&il, WS, tree.path(), &options).await.unwrap();
    assert_eq!(first.failures, vec![]);
    assert_eq!(
        (
            first.files,
            first.uploaded,
            first.documents_created,
            first.folders_created
        ),
        (3, 3, 3, 1)
    );
    assert_eq!(
        first.skipped,
        vec![
            "a.txt (the room takes it for A.TXT: names that differ only in case or Unicode form are one document there)".to_string(),
            // Not NFC: never pushed as it is (the room would not give it back so).
            "cafe\u{301}.txt (a name the room cannot hold as it is)".to_string(),
            "sub (the room takes it for Sub: names that differ only in case or Unicode form are one folder there; nothing in it was pushed)".to_string(),
            "sub/y.txt (in sub, which was not pushed)".to_string(),
        ]
    );
    let mut want = before.clone();
    want.extend(["A.TXT".to_string(), "caf\u{e9}.txt".to_string()]);
    want.sort();
    assert_eq!(docs_in_contracts().await, want);

    for _ in 0..2 {
        let writes_before = writes(&sim).await;
        let again = sync::push(&il, WS, tree.path(), &options).await.unwrap();
        assert_eq!(again.failures, vec![]);
        assert_eq!(
            (
                again.uploaded,
                again.unchanged,
                again.documents_created,
                again.folders_created
            ),
            (0, 3, 0, 0)
        );
        assert_eq!(
            writes(&sim).await,
            writes_before,
            "a push with nothing new writes nothing"
        );
        assert_eq!(docs_in_contracts().await, want);
    }

    // The diff pairs as the push does: what was pushed is equal, what the
    // push set aside is set aside again, and the room's other documents
    // exist only there.
    let d = sync::diff(&il, WS, tree.path(), &options).await.unwrap();
    assert_eq!(d.equal, 3);
    assert_eq!(
        d.skipped,
        vec![
            "a.txt (the room takes it for A.TXT: names that differ only in case or Unicode form are one document there)".to_string(),
            "cafe\u{301}.txt (the room takes it for caf\u{e9}.txt: names that differ only in case or Unicode form are one document there)".to_string(),
            "sub (the room takes it for Sub: names that differ only in case or Unicode form are one folder there; nothing in it was compared)".to_string(),
            "sub/y.txt (in sub, which was not compared)".to_string(),
        ]
    );
    let remote_only: Vec<(String, sync::DiffKind)> =
        d.entries.iter().map(|e| (e.path.clone(), e.kind)).collect();
    assert_eq!(
        remote_only,
        before
            .iter()
            .map(|n| (n.clone(), sync::DiffKind::RemoteOnly))
            .collect::<Vec<_>>()
    );

    // A local name that differs from the room's only in case is that
    // document: equal while the bytes are, different (under the local
    // name) once they are not.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("a.txt"), b"upper").unwrap();
    let d = sync::diff(&il, WS, other.path(), &options).await.unwrap();
    assert_eq!(d.equal, 1);
    assert!(
        d.entries
            .iter()
            .all(|e| e.kind == sync::DiffKind::RemoteOnly)
    );
    assert_eq!(d.entries.len(), before.len() + 2, "{:?}", d.entries);
    std::fs::write(other.path().join("a.txt"), b"edited").unwrap();
    let d = sync::diff(&il, WS, other.path(), &options).await.unwrap();
    assert_eq!(d.equal, 0);
    let changed: Vec<&sync::DiffEntry> = d
        .entries
        .iter()
        .filter(|e| e.kind != sync::DiffKind::RemoteOnly)
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].path, "a.txt");
    assert_eq!(changed[0].kind, sync::DiffKind::Different);
    sim.shutdown().await;
}

/// A stand-in server whose splash image is endless (`length: None`) or
/// announces `length` bytes.
async fn splash_server(length: Option<u64>) -> String {
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/services/workspaces/splashImage",
        get(move || async move {
            let chunk = bytes::Bytes::from(vec![0x89u8; 64 * 1024]);
            let stream =
                futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
            let mut r = axum::response::Response::builder().header("content-type", "image/png");
            if let Some(n) = length {
                r = r.header("content-length", n.to_string());
            }
            r.body(axum::body::Body::from_stream(stream)).unwrap()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn the_splash_image_is_capped_at_20_mib() {
    for length in [None, Some(1u64 << 40)] {
        let url = splash_server(length).await;
        let il = Intralinks::builder(&url).anonymous().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let e = il
            .save_splash_image(7, &dir.path().join("splash"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::TooLarge {
                    what: "splash image",
                    limit: 20_971_520
                }
            ),
            "{e:?}"
        );
        assert_eq!(intralinks_ext::SPLASH_IMAGE_LIMIT, 20 * 1024 * 1024);
        assert_eq!(
            e.to_string(),
            "the splash image is larger than the limit of 20971520 bytes; nothing was kept; report this to the service's operator"
        );
        // Nothing left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

/// A stand-in server that creates document 9 and then never reads its upload.
async fn black_hole() -> String {
    use axum::routing::{get, post, put};
    let app = axum::Router::new()
        .route(
            "/v2/workspaces/1/documents",
            post(|| async {
                (
                    axum::http::StatusCode::CREATED,
                    axum::Json(serde_json::json!({
                        "documentPartial": [{"id": 9, "name": "hole.bin", "version": "v1", "parentId": 3}]
                    })),
                )
            }),
        )
        .route(
            "/v2/workspaces/1/documents/9",
            get(|| async {
                axum::Json(serde_json::json!({"document": [{"id": 9, "name": "hole.bin", "version": "v1"}]}))
            }),
        )
        .route(
            "/v2/workspaces/1/documents/9/file",
            put(|| async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                "never"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn an_upload_nobody_reads_ends_within_the_stall_timeout() {
    let url = black_hole().await;
    let il = Intralinks::builder(&url)
        .read_timeout(Duration::from_secs(60))
        .transfer_limits(TransferLimits::default().with_stall_timeout(Duration::from_secs(1)))
        .anonymous()
        .unwrap();
    let bytes = pattern(32_000_000);
    let started = Instant::now();
    let e = il
        .upload_from(
            FolderRef {
                workspace_id: 1,
                folder_id: 3,
            },
            "hole.bin",
            std::io::Cursor::new(bytes),
            32_000_000,
            None,
        )
        .await
        .unwrap_err();
    let took = started.elapsed();
    // The buffers fill at once, then nothing moves: a stall, long before
    // the 60 s read timeout.
    assert!(took < Duration::from_secs(5), "{took:?}");
    let Error::UploadIncomplete {
        document_id,
        source,
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(*document_id, 9);
    let Error::Stalled {
        document_id,
        detail,
    } = &**source
    else {
        panic!("{source:?}")
    };
    assert_eq!(*document_id, Some(9));
    assert!(
        detail.starts_with("no byte of the upload went out for 1 s after "),
        "{detail}"
    );
}
