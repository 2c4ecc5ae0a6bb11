//! A safety net before anything changes: `push --dry-run` sends no write,
//! `mirror --dry-run` writes nothing local, `--delete` names every file it
//! deletes and asks on a terminal, a plain mirror names local files whose
//! documents left the room, and a locally edited file is reported with the
//! advice that helps (--force), not "run again".

use std::collections::BTreeMap;

use intralinks_ext::types::{DeleteDocumentsRequest, EntityRef};
use intralinks_ext::{Checked, FixedAnswers};
use intralinks_sim::{SimConfig, Simulator, demo};

use crate::common;
use common::{err, library, out, run};

/// Requests that change the room, by `METHOD /path`, as the simulator counts them.
async fn writes(url: &str) -> BTreeMap<String, u64> {
    let all: BTreeMap<String, u64> = reqwest::get(format!("{url}/_sim/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all.into_iter()
        .filter(|(k, _)| !k.starts_with("GET ") && !k.contains("/splash") && !k.contains("/oauth/"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn push_dry_run_sends_no_write_and_lists_every_one() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("out");
    std::fs::create_dir_all(tree.join("Sub")).unwrap();
    std::fs::write(tree.join("a.txt"), b"alpha").unwrap();
    std::fs::write(tree.join("Sub/b.txt"), b"beta").unwrap();
    let folder = demo::FOLDER_FY2024.to_string();

    // Entry happens once, before counting.
    let o = run(&url, &["documents", "701421"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let before = writes(&url).await;
    let o = run(
        &url,
        &["push", "701421", "out", "--folder", &folder, "--dry-run"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "would create folder: Sub\nwould create document: Sub/b.txt\nwould create document: a.txt\n"
    );
    assert_eq!(
        err(&o),
        "dry run: 1 folder(s) and 2 document(s) to create, 0 new version(s) to upload, 0 unchanged; nothing was sent\n"
    );
    assert_eq!(writes(&url).await, before, "a dry run sent a write");

    let o = run(
        &url,
        &["push", "701421", "out", "--folder", &folder],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    std::fs::write(tree.join("a.txt"), b"alpha, changed").unwrap();
    let before = writes(&url).await;
    let o = run(
        &url,
        &["push", "701421", "out", "--folder", &folder, "--dry-run"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "would upload a new version of: a.txt\n");
    assert_eq!(writes(&url).await, before);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mirror_dry_run_delete_and_local_edits() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let legal = demo::FOLDER_LEGAL.to_string();

    // Nothing is written, not even the directory.
    let o = run(
        &url,
        &["mirror", "701421", "legal", "--folder", &legal, "--dry-run"],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "would fetch: Contracts/Mutual NDA.txt\n");
    assert!(!cwd.join("legal").exists());

    // A document to delete later, in the mirrored subtree.
    std::fs::write(cwd.join("gone.txt"), b"soon gone").unwrap();
    let contracts = demo::FOLDER_CONTRACTS.to_string();
    let o = run(
        &url,
        &["--json", "upload", "701421", &contracts, "gone.txt"],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let gone_id = common::json(&o)["id"].as_i64().unwrap();
    let o = run(
        &url,
        &["mirror", "701421", "legal", "--folder", &legal],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let il = library(&sim).await;
    il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default())
        .await
        .unwrap();
    let doc = il.document(demo::MAIN_WORKSPACE, gone_id).await.unwrap();
    il.api()
        .delete_documents()
        .workspace_id(demo::MAIN_WORKSPACE)
        .body(DeleteDocumentsRequest {
            documents: vec![EntityRef {
                id: doc.id,
                version: doc.version.unwrap(),
            }],
        })
        .send()
        .checked()
        .await
        .unwrap();

    // A plain mirror names it and leaves it.
    let o = run(
        &url,
        &["mirror", "701421", "legal", "--folder", &legal],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains("1 local file(s) whose documents left the room were left alone (--delete removes them):\n  Contracts/gone.txt\n"),
        "{}",
        err(&o)
    );
    assert!(cwd.join("legal/Contracts/gone.txt").exists());
    // A dry run of --delete names it and keeps it.
    let o = run(
        &url,
        &[
            "mirror",
            "701421",
            "legal",
            "--folder",
            &legal,
            "--delete",
            "--dry-run",
        ],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "would delete: Contracts/gone.txt\n");
    assert!(cwd.join("legal/Contracts/gone.txt").exists());

    // On a terminal, --delete asks: "n" keeps the file.
    let u = url.clone();
    let (l, c) = (legal.clone(), cwd.to_path_buf());
    let (code, shown) = tokio::task::spawn_blocking(move || {
        let mut pty = common::Pty::spawn(common::command(
            &u,
            &["mirror", "701421", "legal", "--folder", &l, "--delete"],
            &c,
        ));
        pty.expect("would delete: Contracts/gone.txt");
        pty.expect("Delete these 1 local file(s), whose documents left the room? [y/N] ");
        pty.type_line("n");
        pty.finish()
    })
    .await
    .unwrap();
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("nothing will be deleted"), "{shown}");
    assert!(cwd.join("legal/Contracts/gone.txt").exists());

    // Without a terminal --delete goes ahead and names what it deleted.
    let o = run(
        &url,
        &["mirror", "701421", "legal", "--folder", &legal, "--delete"],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        err(&o).contains("deleted: Contracts/gone.txt\n"),
        "{}",
        err(&o)
    );
    assert!(!cwd.join("legal/Contracts/gone.txt").exists());

    // A file edited locally: the advice names --force, not "run again".
    std::fs::write(cwd.join("legal/Contracts/Mutual NDA.txt"), b"my edits").unwrap();
    let o = run(
        &url,
        &["mirror", "701421", "legal", "--folder", &legal, "--verify"],
        cwd,
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let last = err(&o).lines().last().unwrap_or_default().to_string();
    assert_eq!(
        last,
        "error: 1 of 1 documents failed (listed above); what finished is kept — 1 local file(s) this command did not write (or that changed since) were left alone: move them away, or pass --force to overwrite them"
    );
    assert_eq!(
        std::fs::read(cwd.join("legal/Contracts/Mutual NDA.txt")).unwrap(),
        b"my edits"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_dry_run_never_enters_a_room_that_mails_a_one_time_password() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = sim.url();
    std::fs::write(d.join("m.csv"), "email,role\nnew.one@lp.example,REVIEWER\n").unwrap();
    let mailbox = || async {
        let v: serde_json::Value = reqwest::get(format!("{url}/_sim/mailbox"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v.as_array().map(Vec::len).unwrap_or(0)
    };
    let o = run(&url, &["login"], d).await;
    assert!(o.status.success(), "{}", err(&o));
    let mails = mailbox().await;
    let before = writes(&url).await;
    let ws = demo::OTP_WORKSPACE.to_string();
    let o = run(&url, &["members", "import", &ws, "m.csv", "--dry-run"], d).await;
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        err(&o).contains(&format!(
            "workspace {ws} must be entered first, and a dry run does not enter it"
        )),
        "{}",
        err(&o)
    );
    assert_eq!(mailbox().await, mails, "no one-time password was mailed");
    assert_eq!(
        writes(&url).await,
        before,
        "nothing was sent that changes anything"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mirror_and_push_dry_runs_never_enter_a_room() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = sim.url();
    std::fs::create_dir_all(d.join("tree")).unwrap();
    std::fs::write(d.join("tree/a.txt"), "a\n").unwrap();
    let o = run(&url, &["login"], d).await;
    assert!(o.status.success(), "{}", err(&o));
    let mailbox = || async {
        let v: serde_json::Value = reqwest::get(format!("{url}/_sim/mailbox"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v.as_array().map(Vec::len).unwrap_or(0)
    };
    let mails = mailbox().await;
    let ws = demo::OTP_WORKSPACE.to_string();
    for args in [
        vec!["mirror", ws.as_str(), "out", "--dry-run"],
        vec!["push", ws.as_str(), "tree", "--folder", "1", "--dry-run"],
    ] {
        let o = run(&url, &args, d).await;
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", out(&o));
        assert_eq!(
            err(&o),
            format!(
                "error: workspace {ws} must be entered first, and a dry run does not enter it (entering may send a one-time password); run `intralinks enter {ws}`, then the dry run again\n"
            ),
            "{args:?}"
        );
    }
    assert_eq!(mailbox().await, mails, "no one-time password was mailed");
    assert!(!d.join("out").exists(), "nothing was written");
    sim.shutdown().await;
}
