//! The `intralinks` binary end to end against intralinks-sim: the flow of
//! seed 001, entry with lockout, and a mirror with its rerun.

use std::path::Path;

use intralinks_ext::types::{
    CreateFoldersRequest, DeleteDocumentsRequest, EntityRef, FolderInput, FolderInputItem,
};
use intralinks_ext::{Checked, FixedAnswers};
use intralinks_sim::{SimConfig, Simulator, demo};

use crate::common;
use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn seed_001_flow_through_the_binary() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();

    let o = run(&url, &["--json", "workspaces"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_i64().unwrap())
        .collect();
    assert!(
        ids.contains(&demo::MAIN_WORKSPACE) && !ids.contains(&demo::FOREIGN_WORKSPACE),
        "{ids:?}"
    );
    let main = v
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == demo::MAIN_WORKSPACE)
        .unwrap();
    assert!(main["createdOn"].as_str().unwrap().ends_with('Z'), "{main}");

    let o = run(&url, &["enter", "701421"], dir.path()).await;
    assert_eq!(out(&o), "entered workspace 701421 (ALLOW)\n", "{}", err(&o));

    let o = run(&url, &["folders", "701421"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let tree = out(&o);
    assert!(
        tree.contains(&format!("Financials [{}]\n", demo::FOLDER_FINANCIALS)),
        "{tree}"
    );
    assert!(
        tree.contains(&format!(
            "├── FY2023 [{}]\n│   └── Q4 [{}]\n",
            demo::FOLDER_FY2023,
            demo::FOLDER_FY2023_Q4
        )),
        "{tree}"
    );

    let o = run(
        &url,
        &[
            "--json",
            "documents",
            "701421",
            "--folder",
            &demo::FOLDER_FY2023.to_string(),
        ],
        dir.path(),
    )
    .await;
    let docs: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(docs.as_array().unwrap().len(), 1, "{docs}");
    assert_eq!(docs[0]["id"], demo::DOC_ANNUAL_REPORT);
    assert_eq!(docs[0]["fileSize"], demo::ANNUAL_REPORT_SIZE);

    let o = run(
        &url,
        &[
            "download",
            "701421",
            &demo::DOC_README.to_string(),
            "-o",
            "readme.txt",
        ],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let bytes = std::fs::read(dir.path().join("readme.txt")).unwrap();
    assert_eq!(
        out(&o),
        format!("readme.txt ({} bytes, SHA-1 verified)\n", bytes.len())
    );

    let o = run(&url, &["groups", "701421"], dir.path()).await;
    assert!(out(&o).starts_with("ID"), "{}", err(&o));
    let o = run(&url, &["users", "701421"], dir.path()).await;
    assert!(out(&o).contains(demo::EMAIL), "{}", out(&o));

    let src = dir.path().join("note.txt");
    std::fs::write(&src, b"uploaded by the binary").unwrap();
    let o = run(
        &url,
        &[
            "--json",
            "upload",
            "701421",
            &demo::FOLDER_FY2024.to_string(),
            "note.txt",
        ],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let up: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(up["bytes"], 22);
    let id = up["id"].as_i64().unwrap().to_string();
    let o = run(
        &url,
        &["download", "701421", &id, "-o", "note-back.txt"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        std::fs::read(dir.path().join("note-back.txt")).unwrap(),
        b"uploaded by the binary"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn entry_through_the_binary_with_lockout() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();

    let o = run(&url, &["folders", "701422"], dir.path()).await;
    assert_eq!(
        err(&o),
        "error: workspace 701422 must be entered first (accept its splash, answer what it asks), then retry; run `intralinks enter 701422`\n"
    );

    let o = run(&url, &["enter", "701422"], dir.path()).await;
    assert_eq!(
        err(&o),
        "error: workspace 701422 entry stopped at ACCEPT_SPLASH: the splash screen must be read and accepted; read it (`intralinks splash 701422`) and pass --accept-splash\n"
    );

    let o = run(
        &url,
        &[
            "enter",
            "701423",
            "--accept-splash",
            "--answer",
            demo::ANSWER,
        ],
        dir.path(),
    )
    .await;
    assert_eq!(
        out(&o),
        "entered workspace 701423 (ACCEPT_SPLASH -> SECURITY_QUESTION -> ALLOW)\n",
        "{}",
        err(&o)
    );

    let o = run(
        &url,
        &[
            "--accept-splash",
            "--answer",
            demo::ANSWER,
            "--json",
            "folders",
            "701423",
        ],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));

    for attempt in 1..=2 {
        let o = run(
            &url,
            &["enter", "701423", "--accept-splash", "--answer", "wrong"],
            dir.path(),
        )
        .await;
        // A rejected answer says so, with what is left, and stops.
        let left = if attempt == 1 {
            "2 more wrong attempts lock"
        } else {
            "1 more wrong attempt locks"
        };
        assert_eq!(
            err(&o),
            format!(
                "error: workspace 701423: the service did not accept the answer to the security question ({attempt} wrong so far; {left} this user out of the room); nothing more was sent: check it, then run again\n"
            ),
            "attempt {attempt}"
        );
    }
    let o = run(
        &url,
        &["enter", "701423", "--accept-splash", "--answer", "wrong"],
        dir.path(),
    )
    .await;
    assert_eq!(
        err(&o),
        "error: workspace 701423 has locked this user out (state BLOCK, 3 failed attempts): only the Intralinks web interface can unlock it\n"
    );
    let o = run(
        &url,
        &[
            "enter",
            "701423",
            "--accept-splash",
            "--answer",
            demo::ANSWER,
        ],
        dir.path(),
    )
    .await;
    assert!(err(&o).contains("has locked this user out"), "{}", err(&o));
    assert!(!err(&o).contains(demo::ANSWER) && !err(&o).contains(demo::PASSWORD));
    sim.shutdown().await;
}

fn files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn mirror_then_rerun_fetches_nothing_and_names_stay_inside() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let il = library(&sim).await;
    il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default())
        .await
        .unwrap();
    // Leave the 1 GiB document out of a debug-build test; the benchmark streams it.
    let big = il
        .document(demo::MAIN_WORKSPACE, demo::DOC_BIG)
        .await
        .unwrap();
    il.api()
        .delete_documents()
        .workspace_id(demo::MAIN_WORKSPACE)
        .body(DeleteDocumentsRequest {
            documents: vec![EntityRef {
                id: big.id,
                version: big.version.unwrap(),
            }],
        })
        .send()
        .checked()
        .await
        .unwrap();
    // Hostile names from the server.
    let created = il
        .api()
        .create_folder()
        .workspace_id(demo::MAIN_WORKSPACE)
        .body(CreateFoldersRequest {
            folders: vec![FolderInputItem {
                folder: FolderInput {
                    name: "../escape".into(),
                    parent_id: Some(demo::FOLDER_LEGAL),
                    note: None,
                },
            }],
        })
        .send()
        .checked()
        .await
        .unwrap();
    let hostile = created.folder_partial[0].id.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("CON");
    std::fs::write(&evil, b"x").unwrap();
    il.upload(
        intralinks_ext::FolderRef {
            workspace_id: demo::MAIN_WORKSPACE,
            folder_id: hostile,
        },
        &evil,
        Some("../../../../etc/passwd"),
        None,
    )
    .await
    .unwrap();
    il.upload(
        intralinks_ext::FolderRef {
            workspace_id: demo::MAIN_WORKSPACE,
            folder_id: hostile,
        },
        &evil,
        Some("..\\..\\x"),
        None,
    )
    .await
    .unwrap();
    il.upload(
        intralinks_ext::FolderRef {
            workspace_id: demo::MAIN_WORKSPACE,
            folder_id: demo::FOLDER_LEGAL,
        },
        &evil,
        Some("CON"),
        None,
    )
    .await
    .unwrap();

    let target = dir.path().join("dataroom");
    let o = run(
        &url,
        &["--json", "mirror", "701421", "dataroom", "--jobs", "3"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let first: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let documents = first["documents"].as_u64().unwrap();
    assert_eq!(first["fetched"].as_u64(), Some(documents));
    assert_eq!(first["upToDate"], 0);

    let listed = files(&target);
    assert!(
        listed.contains(&"Financials/FY2023/Annual report 2023.dat".to_string()),
        "{listed:?}"
    );
    assert!(
        listed.contains(&"Legal/.._escape/.._.._.._.._etc_passwd".to_string()),
        "{listed:?}"
    );
    assert!(
        listed.contains(&"Legal/.._escape/.._.._x".to_string()),
        "{listed:?}"
    );
    assert!(listed.contains(&"Legal/_CON".to_string()), "{listed:?}");
    assert!(!dir.path().join("escape").exists() && !dir.path().join("x").exists());
    let annual = std::fs::read(target.join("Financials/FY2023/Annual report 2023.dat")).unwrap();
    assert_eq!(annual.len() as u64, demo::ANNUAL_REPORT_SIZE);

    let o = run(
        &url,
        &["--json", "mirror", "701421", "dataroom"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let second: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(second["fetched"], 0, "{second}");
    assert_eq!(second["upToDate"].as_u64(), Some(documents));
    assert_eq!(second["bytesFetched"], 0);

    // A changed document is fetched again, and only it.
    std::fs::remove_file(target.join("Legal/_CON")).unwrap();
    let o = run(
        &url,
        &["--json", "mirror", "701421", "dataroom"],
        dir.path(),
    )
    .await;
    let third: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(third["fetched"], 1, "{third}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_simulator_needs_no_setup() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_intralinks"));
    command
        .current_dir(dir.path())
        .env_clear()
        .args(["--sim", "workspaces"]);
    let o = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o)
            .lines()
            .any(|l| l.starts_with("701421  Demo API Workspace")),
        "{}",
        out(&o)
    );
    assert!(
        err(&o).starts_with("simulator at http://127.0.0.1:"),
        "{}",
        err(&o)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn workspaces_lists_more_than_one_page() {
    use intralinks_ext::types::{CreateWorkspacesRequest, WorkspaceInput};
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let il = library(&sim).await;
    let request = CreateWorkspacesRequest {
        workspaces: (1..=120)
            .map(|i| WorkspaceInput {
                name: format!("Fund {i:03}"),
                description: None,
                host: None,
                host_name: None,
                phase: None,
                suppress_welcome_alert: None,
                template_id: None,
            })
            .collect(),
    };
    il.api()
        .create_workspace()
        .body(request)
        .send()
        .checked()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = run(&sim.url(), &["--json", "workspaces"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["name"].as_str())
        .collect();
    // The nine demo workspaces and the 120 new ones, each once: two pages of 100.
    assert_eq!(names.len(), 129, "{names:?}");
    assert_eq!(names.iter().filter(|n| n.starts_with("Fund ")).count(), 120);
    assert!(names.contains(&"Fund 120") && names.contains(&"Fund 001"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_session_outlives_its_access_token() {
    let sim = Simulator::start(SimConfig {
        token_lifetime: std::time::Duration::from_secs(2),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    // A world-readable file already at the session path, and a symlink
    // beside it that must not be followed later.
    let session = dir.path().join("session.json");
    std::fs::write(&session, "{}").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&session, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let o = run(&url, &["login"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&session).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&session).unwrap()).unwrap();
    // One session per host, filed under the host root.
    let host = url.trim_end_matches('/');
    assert_eq!(saved["default"], host);
    let first_refresh = saved["sessions"][host]["tokens"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();

    // The access token expires; the saved refresh token carries on, twice.
    for round in 1..=2 {
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        let o = run_saved(&url, &["--json", "workspaces"], dir.path()).await;
        assert!(o.status.success(), "round {round}: {}", err(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 9, "round {round}");
    }
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&session).unwrap()).unwrap();
    assert_ne!(
        saved["sessions"][host]["tokens"]["refreshToken"],
        first_refresh.as_str()
    );
    // The user's password is never saved (the app keys and tokens are, 0600).
    assert!(!saved.to_string().contains(demo::PASSWORD));

    // A symlink at the session path is refused, not followed.
    #[cfg(unix)]
    {
        std::fs::remove_file(&session).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere.json"), &session).unwrap();
        let o = run_saved(&url, &["workspaces"], dir.path()).await;
        assert!(!o.status.success());
        assert!(err(&o).contains("is a symbolic link"), "{}", err(&o));
        assert!(!dir.path().join("elsewhere.json").exists());
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_saved_session_falls_back_to_the_credentials_and_is_replaced() {
    let sim = Simulator::start(SimConfig {
        token_lifetime: std::time::Duration::from_secs(2),
        refresh_token_lifetime: std::time::Duration::from_secs(2),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let o = run(&url, &["login"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;

    // Both tokens expired: without credentials, the command says what to do.
    let o = run_saved(&url, &["workspaces"], dir.path()).await;
    assert!(!o.status.success());
    assert!(
        err(&o).starts_with("error: the service refused the access token")
            && err(&o).trim_end().ends_with("run `intralinks login`"),
        "{}",
        err(&o)
    );
    // With them, it logs in again and saves the new session...
    let o = run(&url, &["--json", "workspaces"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    // ...which the next command, without credentials, goes on with.
    let o = run_saved(&url, &["--json", "workspaces"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 9);
    sim.shutdown().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_answer_then_a_right_one_enters_with_one_attempt_spent() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().to_path_buf();
    let u = url.clone();
    let (code, shown) = tokio::task::spawn_blocking(move || {
        let mut pty = common::Pty::spawn(common::command(&u, &["enter", "701423", "--accept-splash"], &cwd));
        pty.expect("Security question: Name of childhood sled? ");
        pty.wait_for_no_echo();
        pty.type_line("wrong");
        pty.expect("Security question: Name of childhood sled? (not accepted; 2 more wrong attempts lock you out) ");
        pty.wait_for_no_echo();
        pty.type_line(demo::ANSWER);
        pty.expect("entered workspace 701423");
        pty.finish()
    })
    .await
    .unwrap();
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("entered workspace 701423 (ACCEPT_SPLASH -> SECURITY_QUESTION -> SECURITY_QUESTION -> ALLOW)"), "{shown}");
    assert_eq!(shown.matches("not accepted").count(), 1, "{shown}");
    assert!(
        !shown.contains(demo::ANSWER),
        "the answer was echoed: {shown}"
    );
    let requests: serde_json::Value = reqwest::get(format!("{url}/_sim/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        requests["POST /v2/workspaces/701423/splash"], 4,
        "{requests}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listing_over_the_answer_limit_names_the_option_that_raises_it() {
    let sim = Simulator::start(SimConfig {
        generated: Some(intralinks_sim::Generated::new(6000, 10)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let ws = demo::GENERATED_WORKSPACE.to_string();

    // 6,000 documents list in more than 1 MiB: held to 1 MiB, the listing
    // stops there, and the error says how to raise the limit.
    let o = run(&url, &["--answer-limit", "1", "documents", &ws], dir.path()).await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let stderr = err(&o);
    assert!(stderr.contains("longer than 1048576 bytes"), "{stderr}");
    assert!(
        stderr.contains(
            "run again with a higher --answer-limit (MiB, now 1; or set INTRALINKS_ANSWER_LIMIT)"
        ),
        "{stderr}"
    );
    // The same through the environment, raised: every document is listed.
    let mut c = command(&url, &["--json", "documents", &ws], dir.path());
    c.env("INTRALINKS_ANSWER_LIMIT", "64");
    let o = tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(json(&o).as_array().unwrap().len(), 6000);
}
