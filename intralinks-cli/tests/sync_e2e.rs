//! `intralinks mirror`, `push` and `diff` end to end: `kill -9` mid-run and
//! a rerun that transfers only what was not complete; push → diff →
//! change → push → diff; `download` never replacing a file; a closed pipe.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use intralinks_ext::{FixedAnswers, Intralinks, file_hash};
use intralinks_sim::{Generated, SimConfig, Simulator, demo};

use crate::common;
use common::*;

const WS: i64 = demo::GENERATED_WORKSPACE;

async fn start(generated: Generated, latency_ms: u64) -> (Simulator, Intralinks) {
    let sim = Simulator::start(SimConfig {
        generated: Some(generated),
        faults: intralinks_sim::Faults {
            latency_ms,
            ..Default::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let il = library(&sim).await;
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    (sim, il)
}

/// The simulator's transfer counts: (downloads, uploads) since start.
async fn transfers(sim: &Simulator) -> (u64, u64) {
    let v: serde_json::Value = reqwest::get(format!("{}/_sim/stats", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        v["downloads"].as_u64().unwrap(),
        v["uploads"].as_u64().unwrap(),
    )
}

/// Completed items in a journal (push also records each document it
/// creates, as pending, before uploading into it).
fn journal_lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| {
            t.lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter(|v| v.get("pending").is_none())
                .count()
        })
        .unwrap_or(0)
}

/// Starts the binary and kills it (SIGKILL) once `journal` has `lines` records.
async fn kill_after(mut c: Command, journal: &Path, lines: usize) {
    let journal = journal.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut child = c
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while journal_lines(&journal) < lines {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the run ended before it could be killed"
            );
            assert!(started.elapsed() < Duration::from_secs(60));
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap();
        child.wait().unwrap();
    })
    .await
    .unwrap();
}

async fn documents(il: &Intralinks) -> Vec<intralinks_ext::types::Document> {
    il.api()
        .list_documents()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner()
        .document
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_mirror_then_the_rerun_fetches_only_what_was_missing() {
    let (sim, _il) = start(Generated::new(400, 4), 4).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("room");
    let journal = target.join(".intralinks-sync/mirror.jsonl");
    kill_after(
        command(
            &sim.url(),
            &["mirror", &WS.to_string(), "room", "--jobs", "2"],
            dir.path(),
        ),
        &journal,
        40,
    )
    .await;
    let recorded = journal_lines(&journal);
    assert!((40..400).contains(&recorded), "{recorded}");
    // Files already complete on disk, recorded or not.
    let complete = (0..400)
        .filter(|i| {
            std::fs::read(target.join(format!("folder-{:03}/doc-{i:05}.txt", i % 4))).ok()
                == Some(intralinks_sim::content::generated_text(*i, 200))
        })
        .count();
    assert!(complete >= recorded);
    // Partial files the kill left whole (all 200 bytes in, not yet moved
    // into place): the rerun resumes them with nothing left to ask for.
    let whole_parts = part_files(&target.join(".intralinks-sync/parts"))
        .iter()
        .filter(|(_, len)| *len == 200)
        .count() as u64;

    let (downloads, _) = transfers(&sim).await;
    let o = run(
        &sim.url(),
        &["--json", "mirror", &WS.to_string(), "room", "--jobs", "8"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let r = json(&o);
    assert_eq!(r["fetched"].as_u64(), Some(400 - complete as u64), "{r}");
    assert_eq!(r["upToDate"].as_u64(), Some(recorded as u64), "{r}");
    assert_eq!(
        r["adopted"].as_u64(),
        Some((complete - recorded) as u64),
        "{r}"
    );
    assert_eq!(r["failures"], serde_json::json!([]));
    // Counted by the server: only the missing documents were transferred.
    assert_eq!(
        transfers(&sim).await.0 - downloads,
        400 - complete as u64 - whole_parts
    );
    for i in 0..400 {
        assert_eq!(
            std::fs::read(target.join(format!("folder-{:03}/doc-{i:05}.txt", i % 4))).unwrap(),
            intralinks_sim::content::generated_text(i, 200)
        );
    }
    assert_eq!(part_files(&target.join(".intralinks-sync/parts")), vec![]);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_push_then_the_rerun_uploads_only_the_rest_without_duplicates() {
    let (sim, il) = start(Generated::new(1, 1), 4).await;
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("tree");
    std::fs::create_dir_all(local.join("sub")).unwrap();
    let mut bodies = BTreeMap::new();
    for i in 0..300 {
        let name = if i % 2 == 0 {
            format!("f-{i:03}.txt")
        } else {
            format!("sub/f-{i:03}.txt")
        };
        let body = format!("pushed file {i}\n").into_bytes();
        std::fs::write(local.join(&name), &body).unwrap();
        bodies.insert(name.rsplit('/').next().unwrap().to_string(), body);
    }
    let folder = demo::GENERATED_FIRST_FOLDER.to_string();
    kill_after(
        command(
            &sim.url(),
            &[
                "push",
                &WS.to_string(),
                "tree",
                "--folder",
                &folder,
                "--jobs",
                "2",
            ],
            dir.path(),
        ),
        &local.join(".intralinks-sync/push.jsonl"),
        30,
    )
    .await;
    let before = documents(&il).await;
    let done = before
        .iter()
        .filter(|d| {
            d.name
                .as_ref()
                .and_then(|n| bodies.get(n))
                .is_some_and(|b| d.file_hash_download.as_deref() == Some(file_hash(b).as_str()))
        })
        .count();
    let created = before
        .iter()
        .filter(|d| d.name.as_ref().is_some_and(|n| bodies.contains_key(n)))
        .count();
    assert!((30..300).contains(&done), "{done}");

    let (_, uploads) = transfers(&sim).await;
    let o = run(
        &sim.url(),
        &[
            "--json",
            "push",
            &WS.to_string(),
            "tree",
            "--folder",
            &folder,
            "--jobs",
            "8",
        ],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let r = json(&o);
    assert_eq!(r["uploaded"].as_u64(), Some(300 - done as u64), "{r}");
    assert_eq!(r["unchanged"].as_u64(), Some(done as u64), "{r}");
    assert_eq!(
        r["documentsCreated"].as_u64(),
        Some(300 - created as u64),
        "{r}"
    );
    assert_eq!(r["verified"], r["uploaded"]);
    assert_eq!(r["remoteOnly"], serde_json::json!(["doc-00000.txt"]));
    // Counted by the server: only the files not yet in the room were transferred.
    assert_eq!(transfers(&sim).await.1 - uploads, 300 - done as u64);

    // Exactly one document per file, each with the file's bytes.
    let after = documents(&il).await;
    let mut names: Vec<&str> = after.iter().filter_map(|d| d.name.as_deref()).collect();
    names.sort();
    let before_dedup = names.len();
    names.dedup();
    assert_eq!(names.len(), before_dedup, "duplicates in the room");
    assert_eq!(after.len(), 301);
    for d in &after {
        if let Some(body) = d.name.as_ref().and_then(|n| bodies.get(n)) {
            assert_eq!(
                d.file_hash_download.as_deref(),
                Some(file_hash(body).as_str())
            );
        }
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_diff_change_push_diff_through_the_binary() {
    let (sim, il) = start(Generated::new(1, 2), 0).await;
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("tree");
    std::fs::create_dir_all(local.join("Contracts")).unwrap();
    std::fs::write(local.join("Contracts/nda.txt"), b"confidential\n").unwrap();
    std::fs::write(local.join("memo.txt"), b"memo\n").unwrap();
    // The second folder is empty: push into it.
    let folder = (demo::GENERATED_FIRST_FOLDER + 1).to_string();
    let ws = WS.to_string();
    let push = ["push", ws.as_str(), "tree", "--folder", folder.as_str()];
    let diff = ["diff", ws.as_str(), "tree", "--folder", folder.as_str()];

    let o = run(&sim.url(), &push, dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let o = run(&sim.url(), &diff, dir.path()).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "2 equal, 0 different, 0 local only, 0 remote only\n"
    );

    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(local.join("Contracts/nda.txt"), b"CONFIDENTIAL\n").unwrap();
    let o = run(&sim.url(), &diff, dir.path()).await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let id = documents(&il)
        .await
        .into_iter()
        .find(|d| d.name.as_deref() == Some("nda.txt"))
        .unwrap()
        .id;
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!(
            "STATE      DOCUMENT    PATH\n---------  ----------  -----------------\ndifferent  {id}  Contracts/nda.txt\n1 equal, 1 different, 0 local only, 0 remote only\n"
        )
    );
    let mut json_diff = vec!["--json"];
    json_diff.extend(diff);
    let o = run(&sim.url(), &json_diff, dir.path()).await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        json(&o),
        serde_json::json!({"equal": 1, "entries": [{"path": "Contracts/nda.txt", "kind": "different", "documentId": id}], "skipped": []})
    );

    let mut json_push = vec!["--json"];
    json_push.extend(push);
    let o = run(&sim.url(), &json_push, dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let r = json(&o);
    assert_eq!(
        (
            r["uploaded"].as_u64(),
            r["newVersions"].as_u64(),
            r["documentsCreated"].as_u64()
        ),
        (Some(1), Some(1), Some(0))
    );
    let o = run(&sim.url(), &diff, dir.path()).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let after = documents(&il).await;
    let ndas: Vec<i64> = after
        .iter()
        .filter(|d| d.name.as_deref() == Some("nda.txt"))
        .map(|d| d.id)
        .collect();
    assert_eq!(
        ndas,
        vec![id],
        "a new version of the same document, no duplicate"
    );

    // Trouble is exit status 2, as diff(1).
    let o = run(
        &sim.url(),
        &["diff", ws.as_str(), "no-such-dir"],
        dir.path(),
    )
    .await;
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).starts_with("error: cannot open "), "{}", err(&o));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_without_o_never_replaces_a_file_unless_forced() {
    let (sim, _il) = start(Generated::new(1, 1), 0).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("doc-00000.txt"), b"my own file\n").unwrap();
    let doc = demo::GENERATED_FIRST_DOCUMENT.to_string();
    let o = run(&sim.url(), &["download", &WS.to_string(), &doc], dir.path()).await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: doc-00000.txt already exists here and was left alone: pass --force to replace it, or -o to write elsewhere\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("doc-00000.txt")).unwrap(),
        b"my own file\n"
    );
    let o = run(
        &sim.url(),
        &["download", &WS.to_string(), &doc, "--force"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        std::fs::read(dir.path().join("doc-00000.txt")).unwrap(),
        intralinks_sim::content::generated_text(0, 200)
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_output_pipe_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_intralinks"));
    c.current_dir(dir.path())
        .env_clear()
        .args(["--sim", "documents", "701421"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let o = tokio::task::spawn_blocking(move || {
        let mut child = c.spawn().unwrap();
        // Close the reading end before anything is printed.
        drop(child.stdout.take());
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let stderr = err(&o);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert_eq!(o.status.code(), Some(0), "{stderr}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_the_mirror_keeps_what_finished_and_says_so() {
    let (sim, _il) = start(Generated::new(400, 4), 4).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("room/.intralinks-sync/mirror.jsonl");
    let mut c = command(
        &sim.url(),
        &["mirror", &WS.to_string(), "room", "--jobs", "2"],
        dir.path(),
    );
    let o = tokio::task::spawn_blocking(move || {
        let child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while journal_lines(&journal) < 20 {
            assert!(started.elapsed() < Duration::from_secs(60));
            std::thread::sleep(Duration::from_millis(2));
        }
        common::interrupt(&child);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stderr = err(&o);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines[0],
        "stopping: finished files are kept, and what arrived of the others is kept in the directory's .intralinks-sync to go on from (Ctrl-C again to quit now)"
    );
    let kept = journal_lines(&dir.path().join("room/.intralinks-sync/mirror.jsonl"));
    assert_eq!(
        lines[1],
        format!(
            "error: stopped: {kept} documents finished and kept, {} not done; run the same command again to resume",
            400 - kept
        )
    );
    assert!(kept < 400);
    // What arrived of the documents in flight (two jobs) is kept to resume
    // from; an attempt that got no byte leaves nothing.
    let parts: Vec<u64> = part_files(&dir.path().join("room/.intralinks-sync/parts"))
        .into_iter()
        .map(|(_, len)| len)
        .collect();
    assert!(parts.len() <= 2, "{parts:?}");
    assert!(parts.iter().all(|n| (1..=200).contains(n)), "{parts:?}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mirror_with_failures_summarises_every_one_and_exits_non_zero() {
    let (sim, _il) = start(Generated::new(12, 1), 0).await;
    let dir = tempfile::tempdir().unwrap();
    // Files of the user's own where documents go, and a document whose hash never matches.
    std::fs::create_dir_all(dir.path().join("room/folder-000")).unwrap();
    for i in [1, 2, 4, 5, 7, 8] {
        std::fs::write(
            dir.path().join(format!("room/folder-000/doc-{i:05}.txt")),
            b"mine\n",
        )
        .unwrap();
    }
    let corrupt = demo::GENERATED_FIRST_DOCUMENT + 3;
    let r = reqwest::Client::new()
        .post(format!("{}/_sim/corrupt/{corrupt}", sim.url()))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let o = run(&sim.url(), &["mirror", &WS.to_string(), "room"], dir.path()).await;
    assert_eq!(o.status.code(), Some(1));
    let stderr = err(&o);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines[0], "7 of 12 documents failed:");
    assert_eq!(
        lines[1],
        "  folder-000/doc-00001.txt: room/folder-000/doc-00001.txt is not a file this sync wrote (or it changed since); it was left alone: move it away, or allow overwriting it"
    );
    assert!(
        lines[3].starts_with("  folder-000/doc-00003.txt: the downloaded bytes of document "),
        "{}",
        lines[3]
    );
    assert_eq!(lines[6], "  … and 2 more (--json lists them all)");
    assert_eq!(
        lines[7],
        "error: 7 of 12 documents failed (listed above); what finished is kept — 6 local file(s) this command did not write (or that changed since) were left alone: move them away, or pass --force to overwrite them; run the same command again to retry the rest"
    );
    assert_eq!(lines.len(), 8);
    // A wrong hash is the room's, not the network's: tried three times, not eight.
    let o = run(
        &sim.url(),
        &["--json", "mirror", &WS.to_string(), "room"],
        dir.path(),
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    let r = json(&o);
    let failed = r["failures"].as_array().unwrap();
    assert_eq!(failed.len(), 7);
    assert_eq!(failed[2]["path"], "folder-000/doc-00003.txt");
    assert_eq!(failed[2]["attempts"], 3);
    assert_eq!(failed[0]["attempts"], 0);
    // The user's files are untouched; the rest arrived.
    assert_eq!(
        std::fs::read(dir.path().join("room/folder-000/doc-00001.txt")).unwrap(),
        b"mine\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("room/folder-000/doc-00000.txt")).unwrap(),
        intralinks_sim::content::generated_text(0, 200)
    );
    sim.shutdown().await;
}
