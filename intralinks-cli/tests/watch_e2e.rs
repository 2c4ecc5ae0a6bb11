//! `intralinks watch` through the binary and the simulator: a document
//! another session posts is printed within a check or two, a restart does
//! not print it again, the state file is locked for the run, and a state of
//! another workspace is refused.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::{err, out, run};
use intralinks_ext::FolderRef;
use intralinks_sim::{SimConfig, Simulator, demo};

/// Lines of a child's stream, as they come.
fn lines(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next line of `rx` that holds `text`, waiting at most `secs`.
fn wait_for(rx: &mpsc::Receiver<String>, text: &str, secs: u64) -> String {
    let until = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let left = until.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(text) => return line,
            Ok(_) => {}
            Err(_) => panic!("no line with {text:?} within {secs}s"),
        }
    }
}

async fn post(sim: &Simulator, dir: &std::path::Path, name: &str) -> i64 {
    let il = common::library(sim).await;
    let file = dir.join(name);
    std::fs::write(&file, format!("{name}\n")).unwrap();
    let folder = FolderRef {
        workspace_id: demo::MAIN_WORKSPACE,
        folder_id: demo::FOLDER_CONTRACTS,
    };
    il.upload(folder, &file, None, None)
        .await
        .unwrap()
        .document_id
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn watch_prints_a_new_posting_once_and_goes_on_after_a_restart() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let cwd = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let ws = demo::MAIN_WORKSPACE.to_string();

    let mut child = common::command(&url, &["watch", &ws, "--every", "1s"], cwd.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = lines(child.stdout.take().unwrap());
    let stderr = lines(child.stderr.take().unwrap());
    let started = wait_for(&stderr, "watching workspace 701421 from now", 30);
    let port = url.rsplit(':').next().unwrap();
    let state = cwd
        .path()
        .join("watch")
        .join(format!("127.0.0.1_{port}-701421.json"));
    assert_eq!(
        started,
        format!(
            "watching workspace 701421 from now: 6 documents; state in {}; a check every 1s",
            state.display()
        )
    );

    // Another session posts; the watcher prints it by id and path.
    let id = post(&sim, files.path(), "Bid letter.txt").await;
    let line = wait_for(&stdout, &id.to_string(), 10);
    assert_eq!(
        line,
        format!("new      {id}  Legal/Contracts/Bid letter.txt  v1")
    );
    // A second watcher of the same state is refused while the first runs.
    let second = run(&url, &["watch", &ws, "--once"], cwd.path()).await;
    assert_eq!(second.status.code(), Some(1));
    assert_eq!(
        err(&second),
        format!(
            "error: another `intralinks watch` is using the state file {}; stop it first, or give this one its own --state FILE\n",
            state.display()
        )
    );
    common::interrupt(&child);
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert_eq!(status.code(), Some(0));
    // Nothing else was printed.
    assert_eq!(stdout.try_iter().collect::<Vec<_>>(), Vec::<String>::new());

    // A restart goes on from the state: the document is not printed again.
    let again = run(&url, &["watch", &ws, "--once"], cwd.path()).await;
    assert_eq!(again.status.code(), Some(0), "{}", err(&again));
    assert_eq!(out(&again), "");
    assert_eq!(err(&again), "");

    // What came meanwhile is printed by the next run, as JSON lines with --json.
    let next = post(&sim, files.path(), "Q&A log.txt").await;
    let json = run(&url, &["watch", &ws, "--once", "--json"], cwd.path()).await;
    assert_eq!(json.status.code(), Some(0), "{}", err(&json));
    let text = out(&json);
    assert_eq!(text.lines().count(), 1, "{text}");
    let record: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(record["kind"], "new");
    assert_eq!(record["documentId"], next);
    assert_eq!(record["workspaceId"], demo::MAIN_WORKSPACE);
    assert_eq!(record["path"], "Legal/Contracts/Q&A log.txt");
    assert_eq!(record["folderId"], demo::FOLDER_CONTRACTS);
    assert_eq!(record["version"], 1);
    assert_eq!(record["what"], serde_json::json!([]));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_state_of_another_workspace_or_not_a_state_is_refused() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let cwd = tempfile::tempdir().unwrap();
    let state = cwd.path().join("deal.json");
    let state_arg = state.to_str().unwrap();

    // --from-start: every document of the room is new, once.
    let first = run(
        &url,
        &[
            "watch",
            "701421",
            "--once",
            "--from-start",
            "--state",
            state_arg,
        ],
        cwd.path(),
    )
    .await;
    assert_eq!(first.status.code(), Some(0), "{}", err(&first));
    let il = common::library(&sim).await;
    let listed = il.documents(demo::MAIN_WORKSPACE, None).await.unwrap();
    let printed = out(&first);
    assert_eq!(printed.lines().count(), listed.len(), "{printed}");
    assert!(printed.lines().all(|l| l.starts_with("new ")), "{printed}");
    assert!(
        printed.contains(&format!(
            "new      {}  Legal/Contracts/Mutual NDA.txt  v",
            demo::DOC_NDA
        )),
        "{printed}"
    );

    let other = run(
        &url,
        &["watch", "701422", "--once", "--state", state_arg],
        cwd.path(),
    )
    .await;
    assert_eq!(other.status.code(), Some(2));
    assert_eq!(
        err(&other),
        format!(
            "error: the watch state {} is of workspace 701421, not 701422; give each workspace its own --state FILE\n",
            state.display()
        )
    );

    std::fs::write(&state, "{\"format\":1,").unwrap();
    let broken = run(
        &url,
        &["watch", "701421", "--once", "--state", state_arg],
        cwd.path(),
    )
    .await;
    assert_eq!(broken.status.code(), Some(1));
    let e = err(&broken);
    assert!(
        e.starts_with(&format!(
            "error: the watch state {}: this is not a change cursor written by this library (",
            state.display()
        )),
        "{e}"
    );
    assert!(
        e.ends_with("remove it to start again from the room as it is now\n"),
        "{e}"
    );

    let bad = run(&url, &["watch", "701421", "--every", "0s"], cwd.path()).await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        err(&bad).contains("\"0s\" is out of range: give an interval from 1s to 168h"),
        "{}",
        err(&bad)
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_with_terminal_controls_is_printed_escaped() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let cwd = tempfile::tempdir().unwrap();
    let ws = demo::MAIN_WORKSPACE.to_string();
    let first = run(&url, &["watch", &ws, "--once"], cwd.path()).await;
    assert_eq!(first.status.code(), Some(0), "{}", err(&first));
    let il = common::library(&sim).await;
    let folder = FolderRef {
        workspace_id: demo::MAIN_WORKSPACE,
        folder_id: demo::FOLDER_LEGAL,
    };
    let (id, _) = il
        .create_document(folder, "evil\u{1b}[2J\nnew      1  fake.txt")
        .await
        .unwrap();
    let o = run(&url, &["watch", &ws, "--once"], cwd.path()).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert_eq!(text.lines().count(), 1, "{text:?}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert_eq!(
        text,
        format!("new      {id}  Legal/evil\\x1b[2J\\x0anew      1  fake.txt  v0\n")
    );
    sim.shutdown().await;
}
