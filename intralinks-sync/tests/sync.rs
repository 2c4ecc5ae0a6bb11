//! The sync engine end to end: against the simulator and its faults, and
//! against a hostile stand-in server of our own (loopback only).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use intralinks_ext::{Checked, FixedAnswers, Intralinks, RetryPolicy, file_hash};
use intralinks_sim::{Generated, SimConfig, Simulator, demo};
use intralinks_sync::{self as sync, DiffKind, StopSignal, SyncOptions};

use crate::common;

const WS: i64 = demo::GENERATED_WORKSPACE;

async fn start(documents: usize, folders: usize) -> (Simulator, Intralinks) {
    let sim = Simulator::start(SimConfig {
        generated: Some(Generated::new(documents, folders)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let il = Intralinks::builder(sim.url())
        .retry(RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        })
        .login(common::keys(), common::password())
        .await
        .unwrap();
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    (sim, il)
}

async fn faults(sim: &Simulator, body: serde_json::Value) {
    let r = reqwest::Client::new()
        .put(format!("{}/_sim/faults", sim.url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

fn fast() -> SyncOptions {
    SyncOptions {
        jobs: intralinks_sync::Jobs::Fixed(16),
        retry: RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(20),
        },
        ..SyncOptions::default()
    }
}

/// Every regular file below `dir` (state directory excluded), path → bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if rel == ".intralinks-sync" {
                continue;
            }
            let ft = std::fs::symlink_metadata(&p).unwrap().file_type();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn expected_room(documents: usize, folders: usize) -> BTreeMap<String, Vec<u8>> {
    (0..documents)
        .map(|i| {
            (
                format!("folder-{:03}/doc-{i:05}.txt", i % folders),
                intralinks_sim::content::generated_text(i, 200),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirror_of_2000_documents_survives_errors_drops_and_truncations_in_one_run() {
    let (sim, il) = start(2000, 20).await;
    faults(
        &sim,
        serde_json::json!({"errorRate": 0.05, "dropMidBodyRate": 0.05, "truncateRate": 0.05, "retryAfterSecs": 0}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let report = sync::mirror(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!(report.failures, vec![]);
    assert_eq!(report.documents, 2000);
    assert_eq!(report.fetched, 2000);
    assert_eq!(report.folders, 20);
    assert!(
        report.retries > 0,
        "faults at 15 % must have caused retries"
    );
    assert!(!report.interrupted);
    assert_eq!(files(dir.path()), expected_room(2000, 20));

    // A rerun (faults off) finds everything current and fetches nothing.
    faults(&sim, serde_json::json!({})).await;
    let again = sync::mirror(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!(
        (
            again.fetched,
            again.up_to_date,
            again.adopted,
            again.failures.len()
        ),
        (0, 2000, 0, 0)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_file_changed_without_changing_its_size_is_found_by_size_and_mtime_or_verify() {
    let (sim, il) = start(6, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let first = sync::mirror(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!(first.fetched, 6);
    // Same size, other bytes, mtime changed: the user's edit is never overwritten silently.
    let path = dir.path().join("folder-001/doc-00003.txt");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] = b'X';
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&path, &bytes).unwrap();
    let second = sync::mirror(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!((second.fetched, second.up_to_date), (0, 5));
    assert_eq!(second.failures.len(), 1);
    assert_eq!(second.failures[0].path, "folder-001/doc-00003.txt");
    assert!(
        second.failures[0]
            .error
            .contains("is not a file this sync wrote"),
        "{}",
        second.failures[0].error
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    // With force it is replaced.
    let forced = sync::mirror(
        &il,
        WS,
        dir.path(),
        &SyncOptions {
            force: true,
            ..fast()
        },
    )
    .await
    .unwrap();
    assert_eq!((forced.fetched, forced.failures.len()), (1, 0));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        intralinks_sim::content::generated_text(3, 200)
    );
    // A change that keeps size and mtime is found only by --verify.
    let meta = std::fs::metadata(&path).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] = b'Y';
    std::fs::write(&path, &bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(meta.modified().unwrap())
        .unwrap();
    let cheap = sync::mirror(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!((cheap.fetched, cheap.up_to_date), (0, 6));
    let verified = sync::mirror(
        &il,
        WS,
        dir.path(),
        &SyncOptions {
            verify: true,
            ..fast()
        },
    )
    .await
    .unwrap();
    assert_eq!((verified.fetched, verified.up_to_date), (1, 5));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        intralinks_sim::content::generated_text(3, 200)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn files_get_umask_permissions_the_document_mtime_and_adoption_and_delete_work() {
    let (sim, il) = start(4, 1).await;
    let dir = tempfile::tempdir().unwrap();
    // A correct copy already on disk is adopted; a stray part file is removed.
    std::fs::create_dir_all(dir.path().join("folder-000")).unwrap();
    std::fs::write(
        dir.path().join("folder-000/doc-00002.txt"),
        intralinks_sim::content::generated_text(2, 200),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join(".intralinks-sync/parts")).unwrap();
    std::fs::write(dir.path().join(".intralinks-sync/parts/99.part"), b"half").unwrap();
    let r = sync::mirror(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!((r.fetched, r.adopted, r.stale_parts_removed), (3, 1, 1));
    let docs = il
        .api()
        .list_documents()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner()
        .document;
    let d0 = docs
        .iter()
        .find(|d| d.id == demo::GENERATED_FIRST_DOCUMENT)
        .unwrap();
    let want = d0.last_modified_on.unwrap().milliseconds.unwrap();
    let meta = std::fs::metadata(dir.path().join("folder-000/doc-00000.txt")).unwrap();
    let got = meta
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert_eq!(got, want);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let umask = {
            let probe = dir.path().join("probe");
            std::fs::write(&probe, b"").unwrap();
            let m = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
            std::fs::remove_file(&probe).unwrap();
            m
        };
        assert_eq!(meta.permissions().mode() & 0o777, umask);
    }
    assert_eq!(
        common::part_files(&dir.path().join(".intralinks-sync/parts")),
        vec![]
    );
    // A part an older release kept at the top of parts/ was removed too.
    assert!(!dir.path().join(".intralinks-sync/parts/99.part").exists());

    // A document leaves the room: its file stays without --delete, goes with it;
    // a file of the user's own is never deleted.
    let gone = docs
        .iter()
        .find(|d| d.id == demo::GENERATED_FIRST_DOCUMENT + 1)
        .unwrap();
    il.api()
        .delete_documents()
        .workspace_id(WS)
        .body(intralinks_ext::types::DeleteDocumentsRequest {
            documents: vec![intralinks_ext::types::EntityRef {
                id: gone.id,
                version: gone.version.clone().unwrap(),
            }],
        })
        .send()
        .await
        .unwrap();
    std::fs::write(dir.path().join("folder-000/mine.txt"), b"mine").unwrap();
    let kept = sync::mirror(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!((kept.documents, kept.up_to_date, kept.deleted), (3, 3, 0));
    assert!(dir.path().join("folder-000/doc-00001.txt").exists());
    let deleted = sync::mirror(
        &il,
        WS,
        dir.path(),
        &SyncOptions {
            delete: true,
            ..fast()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (deleted.up_to_date, deleted.deleted, deleted.failures.len()),
        (3, 1, 0)
    );
    assert!(!dir.path().join("folder-000/doc-00001.txt").exists());
    assert_eq!(
        std::fs::read(dir.path().join("folder-000/mine.txt")).unwrap(),
        b"mine"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_push_keeps_the_first_changes_by_path_up_to_its_bound_and_counts_the_rest() {
    let (sim, il) = start(1, 1).await;
    let local = tempfile::tempdir().unwrap();
    for name in ["d.txt", "b.txt", "c.txt", "a.txt"] {
        std::fs::write(local.path().join(name), name.as_bytes()).unwrap();
    }
    let options = SyncOptions {
        folder: Some(demo::GENERATED_FIRST_FOLDER),
        max_changed: 2,
        ..fast()
    };
    let p = sync::push(&il, WS, local.path(), &options).await.unwrap();
    assert_eq!(p.failures, vec![]);
    assert_eq!((p.uploaded, p.changed_omitted), (4, 2));
    let kept: Vec<(&str, sync::ChangeKind, u64)> = p
        .changed
        .iter()
        .map(|c| (c.path.as_str(), c.kind, c.bytes))
        .collect();
    assert_eq!(
        kept,
        vec![
            ("a.txt", sync::ChangeKind::Created, 5),
            ("b.txt", sync::ChangeKind::Created, 5)
        ]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn push_diff_change_push_diff() {
    let (sim, il) = start(1, 1).await;
    let local = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(local.path().join("sub/deeper")).unwrap();
    std::fs::write(local.path().join("top.txt"), b"top file\n").unwrap();
    std::fs::write(local.path().join("sub/a.txt"), b"alpha\n").unwrap();
    std::fs::write(local.path().join("sub/deeper/b.bin"), vec![7u8; 70_000]).unwrap();
    std::fs::create_dir_all(local.path().join(".git")).unwrap();
    std::fs::write(local.path().join(".git/HEAD"), b"ref: refs/heads/main\n").unwrap();
    let into = demo::GENERATED_FIRST_FOLDER;
    let options = SyncOptions {
        folder: Some(into),
        ..fast()
    };
    let p = sync::push(&il, WS, local.path(), &options).await.unwrap();
    assert_eq!(p.failures, vec![]);
    assert_eq!(
        (
            p.files,
            p.folders_created,
            p.documents_created,
            p.uploaded,
            p.verified,
            p.unchanged
        ),
        (3, 2, 3, 3, 3, 0)
    );
    assert_eq!(p.remote_only, vec!["doc-00000.txt".to_string()]);
    assert_eq!(
        p.skipped,
        vec![".git (a name the room cannot hold as it is)".to_string()]
    );

    // The room's own document is remote-only; push never deleted it.
    let d = sync::diff(&il, WS, local.path(), &options).await.unwrap();
    assert_eq!(d.equal, 3);
    let only: Vec<(&str, DiffKind)> = d
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e.kind))
        .collect();
    assert_eq!(
        only,
        [
            (".git/HEAD", DiffKind::LocalOnly),
            ("doc-00000.txt", DiffKind::RemoteOnly)
        ]
    );
    std::fs::remove_dir_all(local.path().join(".git")).unwrap();
    std::fs::write(
        local.path().join("doc-00000.txt"),
        intralinks_sim::content::generated_text(0, 200),
    )
    .unwrap();
    let d = sync::diff(&il, WS, local.path(), &options).await.unwrap();
    assert!(d.identical(), "{d:?}");
    assert_eq!(d.equal, 4);
    // A symbolic link is not followed, and said so with the reason.
    std::os::unix::fs::symlink("top.txt", local.path().join("link.txt")).unwrap();
    let d = sync::diff(&il, WS, local.path(), &options).await.unwrap();
    assert!(d.identical(), "{d:?}");
    assert_eq!(d.skipped, vec!["link.txt (symbolic link)".to_string()]);
    std::fs::remove_file(local.path().join("link.txt")).unwrap();

    // Same size, other bytes.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(local.path().join("sub/a.txt"), b"ALPHA\n").unwrap();
    let d = sync::diff(&il, WS, local.path(), &options).await.unwrap();
    assert_eq!(d.equal, 3);
    assert_eq!(d.entries.len(), 1);
    assert_eq!(
        (d.entries[0].path.as_str(), d.entries[0].kind),
        ("sub/a.txt", DiffKind::Different)
    );
    let changed_id = d.entries[0].document_id.unwrap();

    let p = sync::push(&il, WS, local.path(), &options).await.unwrap();
    assert_eq!(p.failures, vec![]);
    assert_eq!(
        (
            p.uploaded,
            p.new_versions,
            p.documents_created,
            p.folders_created,
            p.unchanged,
            p.verified
        ),
        (1, 1, 0, 0, 3, 1)
    );
    let d = sync::diff(&il, WS, local.path(), &options).await.unwrap();
    assert!(d.identical(), "{d:?}");
    // The same document got the new version: no duplicate named a.txt.
    let docs = il
        .api()
        .list_documents()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner()
        .document;
    let named: Vec<i64> = docs
        .iter()
        .filter(|d| d.name.as_deref() == Some("a.txt"))
        .map(|d| d.id)
        .collect();
    assert_eq!(named, vec![changed_id]);
    assert_eq!(
        docs.iter()
            .find(|d| d.id == changed_id)
            .unwrap()
            .file_hash_download
            .as_deref(),
        Some(file_hash(b"ALPHA\n").as_str())
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_stop_request_ends_the_run_promptly_and_a_rerun_fetches_only_the_rest() {
    let (sim, il) = start(300, 3).await;
    faults(&sim, serde_json::json!({"latencyMs": 10})).await;
    let dir = tempfile::tempdir().unwrap();
    let stop = StopSignal::default();
    let options = SyncOptions {
        jobs: intralinks_sync::Jobs::Fixed(4),
        stop: stop.clone(),
        ..fast()
    };
    let trigger = stop.clone();
    let journal = dir.path().join(".intralinks-sync/mirror.jsonl");
    tokio::spawn(async move {
        // Stop once some documents are done, however loaded the machine is.
        while std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count()) < 20 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        trigger.stop();
    });
    let first = sync::mirror(&il, WS, dir.path(), &options).await.unwrap();
    assert!(first.interrupted);
    assert_eq!(first.failures, vec![]);
    // Stopped within the transfers in flight (4 jobs, 10 ms each) after the 20th.
    assert!((20..60).contains(&first.fetched), "{}", first.fetched);
    assert_eq!(first.fetched + first.not_started, 300);
    let on_disk = files(dir.path()).len();
    assert_eq!(on_disk, first.fetched);
    let rest = sync::mirror(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!(
        (rest.fetched, rest.up_to_date),
        (300 - first.fetched, first.fetched)
    );
    assert_eq!(files(dir.path()), expected_room(300, 3));
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unknown_folder_is_a_clear_error() {
    let (sim, il) = start(1, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let e = sync::mirror(
        &il,
        WS,
        dir.path(),
        &SyncOptions {
            folder: Some(42),
            ..fast()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "not found (folder 42 is not in workspace {WS}): check the id, and that your account can see it"
        )
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_through_errors_drops_and_truncations_creates_no_duplicates() {
    let (sim, il) = start(1, 1).await;
    let local = tempfile::tempdir().unwrap();
    for d in 0..5 {
        std::fs::create_dir_all(local.path().join(format!("d{d}"))).unwrap();
    }
    for i in 0..300 {
        std::fs::write(
            local.path().join(format!("d{}/f-{i:03}.txt", i % 5)),
            format!("file {i}\n"),
        )
        .unwrap();
    }
    faults(
        &sim,
        serde_json::json!({"errorRate": 0.05, "dropMidBodyRate": 0.05, "truncateRate": 0.05, "retryAfterSecs": 0}),
    )
    .await;
    let options = SyncOptions {
        folder: Some(demo::GENERATED_FIRST_FOLDER),
        ..fast()
    };
    let p = sync::push(&il, WS, local.path(), &options).await.unwrap();
    assert_eq!(p.failures, vec![]);
    assert_eq!((p.files, p.uploaded, p.verified), (300, 300, 300));
    assert!(p.retries > 0);
    faults(&sim, serde_json::json!({})).await;
    let docs = il
        .api()
        .list_documents()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner()
        .document;
    let mut names: Vec<String> = docs.iter().filter_map(|d| d.name.clone()).collect();
    names.sort();
    let all = names.len();
    names.dedup();
    assert_eq!((all, names.len()), (301, 301), "no duplicates");
    let folders = il
        .api()
        .list_folders()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner()
        .folder;
    assert_eq!(folders.len(), 1 + 5, "no duplicate folders");
    for d in &docs {
        if let Some(i) = d
            .name
            .as_deref()
            .and_then(|n| n.strip_prefix("f-"))
            .and_then(|n| n.strip_suffix(".txt"))
        {
            let i: usize = i.parse().unwrap();
            assert_eq!(
                d.file_hash_download.as_deref(),
                Some(file_hash(format!("file {i}\n").as_bytes()).as_str())
            );
        }
    }
    let d = sync::diff(&il, WS, local.path(), &options).await.unwrap();
    assert_eq!((d.equal, d.entries.len()), (300, 1));
    sim.shutdown().await;
}

/// Asks the simulator, from a synchronous progress hook, to expire every
/// access token: a plain HTTP/1.1 request on loopback.
fn expire_tokens_now(url: &str) {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /_sim/expire-tokens HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_ends_a_1000_document_mirror_once() {
    let (sim, il) = start(1000, 10).await;
    // A token that cannot be refreshed: once the simulator expires it,
    // every call is refused and no further item can succeed.
    let token = il
        .session()
        .unwrap()
        .subscribe()
        .borrow()
        .access_token
        .clone();
    let il = Intralinks::builder(sim.url()).token(token).unwrap();
    let url = sim.url().to_string();
    let options = SyncOptions {
        jobs: intralinks_sync::Jobs::Fixed(8),
        progress: Some(sync::SyncHook::new(move |e| {
            if matches!(e, sync::SyncEvent::Planned { .. }) {
                expire_tokens_now(&url);
            }
        })),
        ..fast()
    };
    let dir = tempfile::tempdir().unwrap();
    let report = sync::mirror(&il, WS, dir.path(), &options).await.unwrap();

    let fatal = report.fatal.as_ref().expect("the run names what ended it");
    assert_eq!(fatal.kind, sync::FailureKind::Fatal);
    assert!(
        matches!(
            fatal.error.error(),
            intralinks_ext::Error::Unauthorized { .. }
        ),
        "{}",
        fatal.error.as_str()
    );
    assert_eq!(fatal.attempts, 1, "a refused token is not retried");
    // One line, not one per document: nothing else is a failure.
    assert_eq!(report.failures, vec![]);
    assert!(report.interrupted);
    assert_eq!(report.fetched, 0);
    assert_eq!(report.not_started, 999);
    // At most the transfers already in flight asked for a body.
    let requests: BTreeMap<String, u64> = reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bodies: u64 = requests
        .iter()
        .filter(|(k, _)| k.starts_with("GET ") && k.ends_with("/file"))
        .map(|(_, n)| n)
        .sum();
    assert!(
        bodies <= 8,
        "{bodies} bodies asked for after the token was refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pushes_of_one_tree_at_once_create_every_folder_and_document_once() {
    let (sim, il) = start(1, 1).await;
    let local = tempfile::tempdir().unwrap();
    for d in 0..5 {
        std::fs::create_dir_all(local.path().join(format!("d{d}"))).unwrap();
        for i in 0..2 {
            std::fs::write(
                local.path().join(format!("d{d}/f-{d}-{i}.txt")),
                format!("file {d} {i}\n"),
            )
            .unwrap();
        }
    }
    let waited = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let options = SyncOptions {
        folder: Some(demo::GENERATED_FIRST_FOLDER),
        progress: Some(sync::SyncHook::new({
            let waited = std::sync::Arc::clone(&waited);
            move |e| {
                if matches!(e, sync::SyncEvent::Waiting { .. }) {
                    waited.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            }
        })),
        ..fast()
    };
    let (a, b) = tokio::join!(
        sync::push(&il, WS, local.path(), &options),
        sync::push(&il, WS, local.path(), &options)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.failures.clone(), b.failures.clone()), (vec![], vec![]));
    // One did the work; the other waited for it, then found it done.
    let mut uploaded = [a.uploaded, b.uploaded];
    uploaded.sort();
    assert_eq!(uploaded, [0, 10]);
    assert_eq!(a.unchanged + b.unchanged, 10);
    assert_eq!(waited.load(std::sync::atomic::Ordering::SeqCst), 1);

    let docs = il
        .api()
        .list_documents()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner()
        .document;
    let mut names: Vec<String> = docs.iter().filter_map(|d| d.name.clone()).collect();
    names.sort();
    let all = names.len();
    names.dedup();
    assert_eq!((all, names.len()), (1 + 10, 1 + 10), "no duplicates");
    let folders = il
        .api()
        .list_folders()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner()
        .folder;
    assert_eq!(folders.len(), 1 + 5, "no duplicate folders");
    sim.shutdown().await;
}

async fn listings(sim: &Simulator) -> u64 {
    let all: BTreeMap<String, u64> = reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all.iter()
        .filter(|(k, _)| {
            k.starts_with("GET ") && (k.ends_with("/folders") || k.ends_with("/documents"))
        })
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mirror_keeps_the_first_changes_by_path_up_to_its_bound_and_counts_the_rest() {
    let (sim, il) = start(40, 4).await;
    // Unbounded (the default keeps 10,000): every change, sorted by path.
    let whole = tempfile::tempdir().unwrap();
    let all = sync::mirror(&il, WS, whole.path(), &fast()).await.unwrap();
    assert_eq!((all.changed.len(), all.changed_omitted), (40, 0));

    // Bounded to 3: the first 3 by path kept, 37 counted, every item still
    // told one by one.
    let dir = tempfile::tempdir().unwrap();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let options = SyncOptions {
        max_changed: 3,
        progress: Some(sync::SyncHook::new({
            let done = std::sync::Arc::clone(&done);
            move |e| {
                if matches!(e, sync::SyncEvent::Done { .. }) {
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        })),
        ..fast()
    };
    let first = sync::mirror(&il, WS, dir.path(), &options).await.unwrap();
    assert_eq!(first.fetched, 40);
    assert_eq!(done.load(std::sync::atomic::Ordering::Relaxed), 40);
    assert_eq!((first.changed.len(), first.changed_omitted), (3, 37));
    assert_eq!(first.changed, all.changed[..3].to_vec());
    let paths: Vec<&str> = first.changed.iter().map(|c| c.path.as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);

    // Bounded to 0: none listed, all counted; a rerun that changes nothing
    // omits nothing.
    let none = tempfile::tempdir().unwrap();
    let options = SyncOptions {
        max_changed: 0,
        ..fast()
    };
    let r = sync::mirror(&il, WS, none.path(), &options).await.unwrap();
    assert_eq!((r.changed.len(), r.changed_omitted), (0, 40));
    let again = sync::mirror(&il, WS, none.path(), &options).await.unwrap();
    assert_eq!((again.up_to_date, again.changed_omitted), (40, 0));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mirror_says_which_documents_changed_and_a_stop_is_never_a_failure() {
    let (sim, il) = start(40, 4).await;
    let dir = tempfile::tempdir().unwrap();
    let first = sync::mirror(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!(first.changed.len(), 40);
    assert!(
        first
            .changed
            .iter()
            .all(|c| c.kind == sync::ChangeKind::Fetched)
    );

    // Three documents get a new version behind the mirror's back.
    let edited = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(edited.path(), b"a new version\n").unwrap();
    let ids = [0, 17, 33].map(|i| demo::GENERATED_FIRST_DOCUMENT + i);
    for id in ids {
        il.put_new_version(
            intralinks_ext::DocumentRef {
                workspace_id: WS,
                document_id: id,
            },
            edited.path(),
            None,
            None,
        )
        .await
        .unwrap();
    }
    let before = listings(&sim).await;
    let again = sync::mirror(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!(
        listings(&sim).await - before,
        2,
        "one listing of folders, one of documents"
    );
    let mut changed: Vec<(i64, sync::ChangeKind, u64)> = again
        .changed
        .iter()
        .map(|c| (c.id, c.kind, c.bytes))
        .collect();
    changed.sort();
    let want: Vec<(i64, sync::ChangeKind, u64)> = ids
        .iter()
        .map(|id| (*id, sync::ChangeKind::Replaced, 14))
        .collect();
    assert_eq!(changed, want);
    assert!(again.changed.iter().all(|c| c.version.is_some()));
    assert_eq!((again.fetched, again.up_to_date), (3, 37));

    // A stop after the first document: the rest are stopped, none failed.
    let other = tempfile::tempdir().unwrap();
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let stop = StopSignal::default();
    let options = SyncOptions {
        jobs: intralinks_sync::Jobs::Fixed(1),
        stop: stop.clone(),
        progress: Some(sync::SyncHook::new({
            let events = std::sync::Arc::clone(&events);
            move |e| {
                if matches!(e, sync::SyncEvent::Done { .. }) {
                    stop.stop();
                }
                events.lock().unwrap().push(e.clone());
            }
        })),
        ..fast()
    };
    let report = sync::mirror(&il, WS, other.path(), &options).await.unwrap();
    let events = std::mem::take(&mut *events.lock().unwrap());
    let count = |f: fn(&sync::SyncEvent) -> bool| events.iter().filter(|e| f(e)).count();
    assert_eq!(count(|e| matches!(e, sync::SyncEvent::Failed { .. })), 0);
    assert_eq!(
        count(|e| matches!(e, sync::SyncEvent::Done { .. })),
        report.fetched
    );
    assert_eq!(
        count(|e| matches!(e, sync::SyncEvent::Stopped { .. })),
        40 - report.fetched
    );
    assert!(report.interrupted);
    assert_eq!(report.failures, vec![]);
    assert_eq!(report.not_started, 40 - report.fetched);
    // Events serialise for a subscriber (server-sent events, a log).
    let done = events
        .iter()
        .find(|e| matches!(e, sync::SyncEvent::Done { .. }))
        .unwrap();
    let json = serde_json::to_value(done).unwrap();
    assert_eq!(json["event"], "done");
    assert!(json["path"].is_string() && json["bytes"].is_u64(), "{json}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_room_that_must_be_entered_is_entered_with_the_answers_given() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let il = Intralinks::builder(sim.url())
        .login(common::keys(), common::password())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = sync::mirror(&il, demo::SPLASH_WORKSPACE, dir.path(), &fast())
        .await
        .unwrap_err();
    assert!(
        matches!(e, intralinks_ext::Error::EntryRequired { .. }),
        "{e:?}"
    );
    let options = SyncOptions {
        entry: Some(FixedAnswers {
            accept_splash: true,
            ..FixedAnswers::default()
        }),
        ..fast()
    };
    let report = sync::mirror(&il, demo::SPLASH_WORKSPACE, dir.path(), &options)
        .await
        .unwrap();
    assert_eq!((report.documents, report.fetched), (1, 1));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_number_of_subscribers_read_the_same_progress() {
    let (sim, il) = start(12, 2).await;
    let (hook, progress) = sync::SyncHook::snapshots();
    let (a, b) = (progress.clone(), progress.clone());
    // A second hook beside the snapshot: the per-document events.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = sync::SyncHook::new({
        let done = std::sync::Arc::clone(&done);
        move |e| {
            if matches!(e, sync::SyncEvent::Done { .. }) {
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let options = SyncOptions {
        progress: Some(hook.and(counted)),
        ..fast()
    };
    let report = sync::mirror(&il, WS, dir.path(), &options).await.unwrap();
    let (a, b) = (a.borrow().clone(), b.borrow().clone());
    assert_eq!(a, b);
    assert_eq!(
        (a.items_total, a.items_done, a.failed, a.stopped),
        (12, 12, 0, 0)
    );
    assert_eq!(a.bytes_done, a.bytes_total);
    assert_eq!(a.items_done, report.fetched);
    assert_eq!(done.load(std::sync::atomic::Ordering::SeqCst), 12);
    assert_eq!(
        serde_json::to_value(&a).unwrap()["itemsDone"],
        serde_json::json!(12)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_push_says_which_documents_it_created_and_which_got_a_new_version() {
    let (sim, il) = start(1, 1).await;
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("a.txt"), b"alpha\n").unwrap();
    std::fs::write(local.path().join("b.txt"), b"beta\n").unwrap();
    let options = SyncOptions {
        folder: Some(demo::GENERATED_FIRST_FOLDER),
        ..fast()
    };
    let first = sync::push(&il, WS, local.path(), &options).await.unwrap();
    let kinds: Vec<(&str, sync::ChangeKind, u64)> = first
        .changed
        .iter()
        .map(|c| (c.path.as_str(), c.kind, c.bytes))
        .collect();
    assert_eq!(
        kinds,
        [
            ("a.txt", sync::ChangeKind::Created, 6),
            ("b.txt", sync::ChangeKind::Created, 5)
        ]
    );
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(local.path().join("b.txt"), b"BETA!\n").unwrap();
    let again = sync::push(&il, WS, local.path(), &options).await.unwrap();
    assert_eq!(again.changed.len(), 1);
    let c = &again.changed[0];
    assert_eq!(
        (c.path.as_str(), c.kind, c.id),
        ("b.txt", sync::ChangeKind::NewVersion, first.changed[1].id)
    );
    assert_ne!(c.version, first.changed[1].version);
    assert!(c.version.is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_room_whose_listing_is_over_the_answer_limit_mirrors_and_diffs_without_a_flag() {
    let (sim, _) = start(1500, 10).await;
    // An answer limit of 256 KiB: the room's document listing is longer
    // (about 1 KiB a document), so reading it whole fails…
    let il = Intralinks::builder(sim.url())
        .answer_limit(256 * 1024)
        .login(common::keys(), common::password())
        .await
        .unwrap();
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    let whole = il
        .api()
        .list_documents()
        .workspace_id(WS)
        .send()
        .checked()
        .await
        .map(|_| ());
    assert!(
        matches!(
            whole,
            Err(intralinks_ext::Error::AnswerTooLarge { limit: 262_144 })
        ),
        "{whole:?}"
    );
    // …and the engine, which keeps a compact model of it as it streams,
    // is bounded by that model instead.
    let dir = tempfile::tempdir().unwrap();
    let report = sync::mirror(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!((report.fetched, report.failures.len()), (1500, 0));
    assert_eq!(files(dir.path()), expected_room(1500, 10));
    let diff = sync::diff(&il, WS, dir.path(), &fast()).await.unwrap();
    assert_eq!((diff.equal, diff.entries.len()), (1500, 0));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_verifies_a_large_folder_as_it_ends_and_the_rest_at_the_end() {
    let (sim, il) = start(1, 1).await;
    let local = tempfile::tempdir().unwrap();
    std::fs::create_dir(local.path().join("big")).unwrap();
    for i in 0..40 {
        std::fs::write(
            local.path().join(format!("big/{i:02}.txt")),
            format!("file {i}\n"),
        )
        .unwrap();
    }
    std::fs::write(local.path().join("a.txt"), b"alpha\n").unwrap();
    std::fs::write(local.path().join("b.txt"), b"beta\n").unwrap();
    let options = SyncOptions {
        folder: Some(demo::GENERATED_FIRST_FOLDER),
        ..fast()
    };
    let before = listings(&sim).await;
    let p = sync::push(&il, WS, local.path(), &options).await.unwrap();
    assert_eq!(p.failures, vec![]);
    assert_eq!((p.uploaded, p.verified), (42, 42));
    // Before: the folders, and the documents of the folder pushed into.
    // "big" (40 uploads): its own listing as its last upload ended. The
    // two others: at the end, the folders and the documents of both
    // folders of the subtree.
    assert_eq!(listings(&sim).await - before, 2 + 1 + 3);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_creates_each_level_of_folders_in_one_call() {
    let (sim, il) = start(1, 1).await;
    let local = tempfile::tempdir().unwrap();
    for top in ["a", "b", "c"] {
        for sub in ["x", "y"] {
            let dir = local.path().join(top).join(sub);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("f.txt"), format!("{top}/{sub}\n")).unwrap();
        }
    }
    let creates = |all: &BTreeMap<String, u64>| -> u64 {
        all.iter()
            .filter(|(k, _)| k.starts_with("POST ") && k.ends_with("/folders"))
            .map(|(_, n)| n)
            .sum()
    };
    let requests = || async {
        reqwest::get(format!("{}/_sim/requests", sim.url()))
            .await
            .unwrap()
            .json::<BTreeMap<String, u64>>()
            .await
            .unwrap()
    };
    let before = creates(&requests().await);
    let options = SyncOptions {
        folder: Some(demo::GENERATED_FIRST_FOLDER),
        ..fast()
    };
    let p = sync::push(&il, WS, local.path(), &options).await.unwrap();
    assert_eq!(p.failures, vec![]);
    assert_eq!((p.folders_created, p.uploaded, p.verified), (9, 6, 6));
    // Three folders, then the six below them: two calls.
    assert_eq!(creates(&requests().await) - before, 2);
    // And each where it belongs: a mirror of the folder gives the tree back.
    let back = tempfile::tempdir().unwrap();
    let m = sync::mirror(&il, WS, back.path(), &fast()).await.unwrap();
    assert_eq!(m.failures, vec![]);
    let pushed: BTreeMap<String, Vec<u8>> = files(back.path())
        .into_iter()
        .filter_map(|(path, bytes)| {
            let (_, rest) = path.split_once('/')?;
            rest.ends_with("f.txt").then(|| (rest.to_string(), bytes))
        })
        .collect();
    assert_eq!(pushed, files(local.path()));
    sim.shutdown().await;
}
