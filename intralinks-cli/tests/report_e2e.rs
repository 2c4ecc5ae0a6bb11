//! `intralinks report` end to end against intralinks-sim: exact CSV of the
//! demo room's access per member, a CSV file with hostile names read back,
//! and `--all` with workspaces that need more than the flags give.

use intralinks_ext::types::{CreateFoldersRequest, FolderInput, FolderInputItem};
use intralinks_ext::{Checked, FixedAnswers};
use intralinks_sim::{SimConfig, Simulator, demo};

use crate::common;
use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn access_by_user_csv_of_the_demo_room_is_exact() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &sim.url(),
        &["report", "access", "--by-user", "701421"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(err(&o), "reported 1 workspace(s), 37 row(s)\n");
    let text = out(&o);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines.len(), 39, "header, 37 rows, empty tail: {text}");
    assert_eq!(
        lines[0],
        "workspaceId,workspaceName,path,type,id,workspaceUserId,emailId,firstName,lastName,permission,groups"
    );
    // Only the path, user and level columns, for every row.
    let short: Vec<String> = lines[1..38]
        .iter()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{}|{}|{}", c[2], c[6], c[9])
        })
        .collect();
    let (a, b, d, m) = (
        "alice.hidden@example.com",
        "bob.review@example.com",
        "dan.manager@example.com",
        "demo@example.com",
    );
    let sdp = "SEE_DOWNLOAD_AND_PRINT";
    let mut expected: Vec<String> = Vec::new();
    for p in [
        "Data Tapes",
        "Data Tapes/Cash flow sample.dat",
        "Data Tapes/Loan tape.dat",
    ] {
        expected.push(format!("{p}|{b}|SEE_AND_DOWNLOAD"));
    }
    expected.extend([a, d, m].map(|u| format!("Financials|{u}|{sdp}")));
    for p in [
        "Financials/FY2023",
        "Financials/FY2023/Annual report 2023.dat",
        "Financials/FY2023/Q4",
        "Financials/FY2023/Q4/Q4 board pack.txt",
    ] {
        expected.push(format!("{p}|{a}|{sdp}"));
        expected.push(format!("{p}|{b}|SEE"));
        expected.push(format!("{p}|{d}|{sdp}"));
        expected.push(format!("{p}|{m}|{sdp}"));
    }
    for p in [
        "Financials/FY2024",
        "Financials/Read me.txt",
        "Legal",
        "Legal/Contracts",
        "Legal/Contracts/Mutual NDA.txt",
    ] {
        expected.extend([a, d, m].map(|u| format!("{p}|{u}|{sdp}")));
    }
    assert_eq!(short, expected);
    assert_eq!(
        lines[1],
        "701421,Demo API Workspace,Data Tapes,FOLDER,4714065400,4395175834,bob.review@example.com,Bob,Review,SEE_AND_DOWNLOAD,1. Interest"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_file_with_hostile_names_reads_back() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let il = library(&sim).await;
    il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default())
        .await
        .unwrap();
    let name = "Bids, \"final\"\nround";
    il.api()
        .create_folder()
        .workspace_id(demo::MAIN_WORKSPACE)
        .body(CreateFoldersRequest {
            folders: vec![FolderInputItem {
                folder: FolderInput {
                    name: name.into(),
                    parent_id: Some(demo::FOLDER_DATA_TAPES),
                    note: None,
                },
            }],
        })
        .send()
        .checked()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("access.csv");
    let o = run(
        &sim.url(),
        &["report", "access", "701421", "-o", file.to_str().unwrap()],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "", "the report went to the file");
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "workspaceId",
            "workspaceName",
            "path",
            "type",
            "id",
            "groupId",
            "groupName",
            "permission"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 18, "the 17 demo rows and the new folder's");
    let new: Vec<&Vec<String>> = rows.iter().filter(|r| r[2].contains("final")).collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0][2], format!("Data Tapes/{name}"));
    assert_eq!(
        (new[0][3].as_str(), new[0][6].as_str(), new[0][7].as_str()),
        ("FOLDER", "1. Interest", "SEE_AND_DOWNLOAD")
    );
    // Sorted by path: the new folder sorts after Data Tapes' documents ("B" < "C" < "L").
    assert_eq!(rows[1][2], format!("Data Tapes/{name}"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn all_workspaces_lists_those_that_need_more_and_reports_the_others() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mails = || async {
        let url = format!("{}/_sim/mailbox", sim.url());
        let v: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        v.as_array().map_or(0, Vec::len)
    };
    // Without --enter, --all enters nothing: no mail, no attempt spent, and
    // the rooms not entered are named. The room that demands nothing
    // (701421) needs no entry: it is reported.
    let o = run(
        &sim.url(),
        &["--accept-splash", "report", "documents", "--all"],
        dir.path(),
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(mails().await, 0);
    let stderr = err(&o);
    assert!(
        stderr.starts_with("reported 1 workspace(s), 6 row(s)\nnot reported (8):\n  701422 "),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("error: 8 workspace(s) could not be reported (listed above); enter them first (`intralinks enter ID`, or --enter with the entry flags), then report again\n"),
        "{stderr}"
    );
    let stdout = out(&o);
    let lines: Vec<&str> = stdout.split("\r\n").collect();
    assert_eq!(lines.len(), 8, "header, 6 documents of 701421, tail");
    assert!(
        lines[1..7].iter().all(|l| l.starts_with("701421,")),
        "{lines:?}"
    );

    let o = run(
        &sim.url(),
        &[
            "--accept-splash",
            "report",
            "documents",
            "--all",
            "--enter",
            "--format",
            "json",
        ],
        dir.path(),
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "rooms left out: {}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let got: Vec<(i64, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["workspaceId"].as_i64().unwrap(),
                format!(
                    "{}/{}",
                    r["folderPath"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                ),
            )
        })
        .collect();
    let expected: Vec<(i64, String)> = [
        (701_421, "Data Tapes/Cash flow sample.dat"),
        (701_421, "Data Tapes/Loan tape.dat"),
        (701_421, "Financials/Read me.txt"),
        (701_421, "Financials/FY2023/Annual report 2023.dat"),
        (701_421, "Financials/FY2023/Q4/Q4 board pack.txt"),
        (701_421, "Legal/Contracts/Mutual NDA.txt"),
        (701_422, "Documents/Welcome.txt"),
    ]
    .map(|(w, p)| (w, p.to_string()))
    .to_vec();
    assert_eq!(got, expected);
    assert_eq!(
        v[6]["createdOn"], "2013-03-31T12:27:56.000Z",
        "RFC 3339 UTC: {}",
        v[6]
    );
    assert_eq!(
        err(&o),
        "reported 2 workspace(s), 7 row(s)\n\
         not reported (7):\n  \
         701423 \"Splash and Question\": workspace 701423 entry stopped at SECURITY_QUESTION: the security question \"Name of childhood sled?\" must be answered; pass --answer (or set INTRALINKS_ANSWER)\n  \
         701424 \"Splash, Question and Password\": workspace 701424 entry stopped at SECURITY_QUESTION: the security question \"Name of childhood sled?\" must be answered; pass --answer (or set INTRALINKS_ANSWER)\n  \
         701425 \"Password Only\": workspace 701425 entry stopped at ONE_TIME_PASSWORD: the one-time password just mailed to the user is needed; pass --otp (or set INTRALINKS_OTP)\n  \
         701426 \"Public and Private Content\": workspace 701426 entry stopped at CONTENT_DECLARATION_REQUIRED: a content declaration (PUBLIC or PRIVATE) is needed\n  \
         701427 \"Risk-Assessed Question\": workspace 701427 entry stopped at SECURITY_QUESTION: the security question \"Name of childhood sled?\" must be answered; pass --answer (or set INTRALINKS_ANSWER)\n  \
         701428 \"Risk-Assessed Password\": workspace 701428 entry stopped at ONE_TIME_PASSWORD: the one-time password just mailed to the user is needed; pass --otp (or set INTRALINKS_OTP)\n  \
         701429 \"Password Delivery to Choose\": workspace 701429 entry stopped at OTP_DELIVERY_OPTION: the user must choose how the one-time password reaches them, and no source shows how the API takes that choice, so this client cannot make it: choose it in the Intralinks web interface, then retry\n\
         error: 7 workspace(s) could not be reported (listed above)\n"
    );

    // With the answer, the question workspace is reported too.
    let o = run(
        &sim.url(),
        &[
            "--accept-splash",
            "--answer",
            demo::ANSWER,
            "report",
            "members",
            "--all",
            "--enter",
        ],
        dir.path(),
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(
        err(&o).starts_with("reported 4 workspace(s), 8 row(s)\nnot reported (5):\n  701424 "),
        "{}",
        err(&o)
    );
    assert!(!err(&o).contains(demo::ANSWER), "no secret in the summary");

    // Named workspaces: the one that cannot be entered (entries above last
    // for the user) makes the exit status non-zero.
    let o = run(
        &sim.url(),
        &["report", "members", "701425", "701421"],
        dir.path(),
    )
    .await;
    assert!(!o.status.success());
    assert_eq!(out(&o).split("\r\n").count(), 7, "header, 5 members, tail");
    assert!(
        err(&o).ends_with("error: 1 workspace(s) could not be reported (listed above)\n"),
        "{}",
        err(&o)
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_or_export_that_fails_leaves_the_previous_file_byte_for_byte() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let main = demo::MAIN_WORKSPACE.to_string();
    let splash = demo::SPLASH_WORKSPACE.to_string();

    // Last week's report.
    let o = run(
        &sim.url(),
        &["report", "documents", &main, "-o", "r.csv"],
        d,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let last_week = std::fs::read(d.join("r.csv")).unwrap();
    assert!(last_week.starts_with(b"workspaceId,"));

    // This week one of the rooms cannot be reported (its splash screen is
    // not accepted): nothing replaces last week's file.
    let o = run(
        &sim.url(),
        &["report", "documents", &main, &splash, "-o", "r.csv"],
        d,
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("r.csv was left as it was"), "{}", err(&o));
    assert_eq!(std::fs::read(d.join("r.csv")).unwrap(), last_week);
    // Nor is anything left beside it.
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "session.json" && !n.ends_with(".lock"))
        .collect();
    names.sort();
    assert_eq!(names, ["r.csv"]);

    // The same for a room export whose workspace cannot be read.
    std::fs::write(d.join("room.yaml"), "workspace: {name: Kept}\n").unwrap();
    let o = run(
        &sim.url(),
        &["room", "export", "999999", "-o", "room.yaml"],
        d,
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("room.yaml")).unwrap(),
        "workspace: {name: Kept}\n"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn members_by_group_one_row_per_member_and_group() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &sim.url(),
        &[
            "report",
            "members",
            "701421",
            "--by-group",
            "--email",
            "bob.review@example.com",
        ],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(err(&o), "reported 1 workspace(s), 1 row(s)\n");
    assert_eq!(
        out(&o),
        format!(
            "workspaceId,workspaceName,id,userId,emailId,firstName,lastName,organization,roleType,groupId,groupName,groupType,status\r\n\
             701421,Demo API Workspace,{},9620007,bob.review@example.com,Bob,Review,Example Corp,REVIEWER,{},1. Interest,WORKSPACE,ACTIVE\r\n",
            demo::MEMBER_REVIEWER,
            demo::GROUP_INTEREST
        )
    );
    let o = run(
        &sim.url(),
        &[
            "report",
            "members",
            "701421",
            "--by-group",
            "--format",
            "json",
        ],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let rows = json(&o);
    let groups: Vec<(&str, &serde_json::Value)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["emailId"].as_str().unwrap(), &r["groupId"]))
        .collect();
    assert_eq!(
        groups,
        [
            ("alice.hidden@example.com", &demo::GROUP_INTERNAL.into()),
            ("bob.review@example.com", &demo::GROUP_INTEREST.into()),
            ("carol.publish@example.com", &serde_json::Value::Null),
            ("dan.manager@example.com", &demo::GROUP_INTERNAL.into()),
            (demo::EMAIL, &demo::GROUP_INTERNAL.into()),
        ]
    );
    sim.shutdown().await;
}
