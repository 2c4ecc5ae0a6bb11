//! `folders create|rename|move|delete|note` and `documents
//! rename|move|delete|note` through the binary against the simulator, exact
//! output; a dry run sends no write.

use std::collections::BTreeMap;

use intralinks_ext::FixedAnswers;
use intralinks_ext::edit::{documents_at, folders_at};
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
async fn a_document_is_renamed_moved_noted_and_deleted() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let ok = |o: &std::process::Output| assert!(o.status.success(), "{}", err(o));
    // One session for every command: the room entered by the first stays
    // entered for the dry runs, which never enter.
    ok(&run(&url, &["login"], cwd).await);

    let o = run(
        &url,
        &[
            "documents",
            "rename",
            "701421",
            "Legal/Contracts/Mutual NDA.txt",
            "NDA (signed).txt",
        ],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(
        out(&o),
        "  ~ document Legal/Contracts/Mutual NDA.txt (renamed NDA (signed).txt)\n"
    );
    let before = writes(&url).await;
    let o = run(
        &url,
        &[
            "documents",
            "move",
            "701421",
            "Legal/Contracts/NDA (signed).txt",
            "Legal",
            "--dry-run",
        ],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(
        out(&o),
        "dry run, nothing sent; would make:\n  ~ document Legal/Contracts/NDA (signed).txt (moved into Legal)\n"
    );
    assert_eq!(writes(&url).await, before, "a dry run sent a write");
    let o = run(
        &url,
        &[
            "documents",
            "move",
            "701421",
            "Legal/Contracts/NDA (signed).txt",
            "Legal",
        ],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(
        out(&o),
        "  ~ document Legal/Contracts/NDA (signed).txt (moved into Legal)\n"
    );
    let id = demo::DOC_NDA.to_string();
    let o = run(
        &url,
        &["documents", "note", "701421", &id, "countersigned"],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(
        out(&o),
        "  ~ document Legal/NDA (signed).txt (note countersigned)\n"
    );

    let il = library(&sim).await;
    il.enter(701_421, &mut FixedAnswers::default())
        .await
        .unwrap();
    let nda = il.document(701_421, demo::DOC_NDA).await.unwrap();
    assert_eq!(nda.name.as_deref(), Some("NDA (signed).txt"));
    assert_eq!(nda.parent_id, Some(demo::FOLDER_LEGAL));
    assert_eq!(nda.note.as_deref(), Some("countersigned"));

    let o = run(
        &url,
        &["documents", "delete", "701421", "Legal/NDA (signed).txt"],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(out(&o), "  - document Legal/NDA (signed).txt\n");
    let (folders, docs) = (
        il.folders(701_421).await.unwrap(),
        il.documents(701_421, None).await.unwrap(),
    );
    assert!(documents_at(&folders, &docs, "Legal/NDA (signed).txt").is_empty());
    assert_eq!(docs.len(), 5);

    // What is not there is named, and nothing is sent.
    let before = writes(&url).await;
    let o = run(
        &url,
        &["documents", "delete", "701421", "Legal/NDA (signed).txt"],
        cwd,
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: no document Legal/NDA (signed).txt in workspace 701421: check the path (names from the top, separated by '/'; `intralinks folders 701421` shows them) or give its id\n"
    );
    assert_eq!(writes(&url).await, before);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_folder_is_created_renamed_moved_noted_and_deleted() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let ok = |o: &std::process::Output| assert!(o.status.success(), "{}", err(o));
    // One session for every command: the room entered by the first stays
    // entered for the dry runs, which never enter.
    ok(&run(&url, &["login"], cwd).await);

    let o = run(
        &url,
        &[
            "folders",
            "create",
            "701421",
            "Financials/Tax",
            "--note",
            "VAT returns",
        ],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(out(&o), "  + folder Financials/Tax\n");
    let o = run(
        &url,
        &["folders", "create", "701421", "Financials/Tax"],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(out(&o), "nothing to do: folder Financials/Tax exists\n");
    let o = run(&url, &["folders", "create", "701421", "Nowhere/Tax"], cwd).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with("error: no folder Nowhere in workspace 701421"),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).contains("create the parent first: intralinks folders create 701421 \"Nowhere\""),
        "{}",
        err(&o)
    );

    let o = run(
        &url,
        &["folders", "rename", "701421", "Financials/Tax", "Tax 2024"],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(out(&o), "  ~ folder Financials/Tax (renamed Tax 2024)\n");
    let o = run(
        &url,
        &[
            "folders",
            "move",
            "701421",
            "Financials",
            "Financials/Tax 2024",
        ],
        cwd,
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: folder Financials cannot move into itself or a folder inside it; name another folder\n"
    );
    let o = run(
        &url,
        &["folders", "move", "701421", "Financials/Tax 2024", "Legal"],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(
        out(&o),
        "  ~ folder Financials/Tax 2024 (moved into Legal)\n"
    );
    let o = run(
        &url,
        &["folders", "note", "701421", "Legal/Tax 2024", ""],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(out(&o), "  ~ folder Legal/Tax 2024 (note removed)\n");

    // Not empty: refused without --with-contents; a dry run sends nothing.
    let o = run(&url, &["folders", "delete", "701421", "Legal"], cwd).await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: folder Legal is not empty (2 folder(s), 1 document(s) in it); nothing was deleted: pass --with-contents to delete it and everything in it\n"
    );
    let before = writes(&url).await;
    let o = run(
        &url,
        &[
            "folders",
            "delete",
            "701421",
            "Legal",
            "--with-contents",
            "--dry-run",
        ],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(
        out(&o),
        "dry run, nothing sent; would make:\n  - folder Legal (with 2 folder(s) and 1 document(s) in it)\n"
    );
    assert_eq!(writes(&url).await, before);
    let o = run(
        &url,
        &["folders", "delete", "701421", "Legal/Tax 2024"],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(out(&o), "  - folder Legal/Tax 2024\n");

    let il = library(&sim).await;
    il.enter(701_421, &mut FixedAnswers::default())
        .await
        .unwrap();
    let folders = il.folders(701_421).await.unwrap();
    assert!(folders_at(&folders, "Legal/Tax 2024").is_empty());
    assert!(folders_at(&folders, "Financials/Tax").is_empty());
    assert_eq!(folders.len(), 7);
    sim.shutdown().await;
}
