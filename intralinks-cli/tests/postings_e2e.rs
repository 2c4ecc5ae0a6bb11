//! Who has seen the posting, end to end through the binary and the
//! simulator: the manager pushes a tree as one bulk upload, `postings` lists
//! it with its documents, a bidder logged in as themselves downloads one
//! document, and `report activity --posting` shows that bidder viewed that
//! document only, everyone allowed with their alert, through access reports
//! that first answer "not ready yet" (9-9-9-1); the workbook reads back with
//! dates as dates.

use crate::common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{err, json, out, run, run_with_token};
use intralinks_sim::{SimConfig, Simulator, demo};
use serde_json::Value;

/// A token of `email`'s own, from the simulator (`POST /_sim/token`).
async fn token_of(sim: &Simulator, email: &str) -> String {
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/_sim/token", sim.url()))
        .json(&serde_json::json!({ "email": email }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["email"], email);
    answer["access_token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bidder_who_downloaded_one_posted_document_is_the_only_viewer_of_it() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let cwd = tempfile::tempdir().unwrap();
    let tree = cwd.path().join("posting");
    std::fs::create_dir_all(tree.join("Model")).unwrap();
    std::fs::write(tree.join("Teaser.txt"), "Project Blue: teaser\n").unwrap();
    std::fs::write(tree.join("Model").join("Model v1.txt"), "model\n").unwrap();
    let ws = demo::MAIN_WORKSPACE.to_string();
    let fy2023 = demo::FOLDER_FY2023.to_string();

    // The manager posts the tree as one bulk upload.
    let o = run(
        &url,
        &[
            "push",
            &ws,
            tree.to_str().unwrap(),
            "--folder",
            &fy2023,
            "--batch",
            "-q",
        ],
        cwd.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let posted = out(&o);
    let line = posted
        .lines()
        .find(|l| l.starts_with("posted as bulk upload "))
        .unwrap_or_else(|| panic!("{posted}"));
    let id: i64 = line["posted as bulk upload ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        line,
        format!(
            "posted as bulk upload {id} (who has seen it: intralinks report activity 701421 --posting {id})"
        )
    );

    // `postings` lists it with its two documents.
    let o = run(&url, &["postings", &ws, "--json"], cwd.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let list = json(&o);
    let listed: Vec<(i64, u64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_i64().unwrap(), p["items"].as_u64().unwrap()))
        .collect();
    assert_eq!(listed, [(id, 2)]);
    assert_eq!(list[0]["createdBy"]["firstName"], "Demo");
    let o = run(&url, &["postings", &ws], cwd.path()).await;
    let table = out(&o);
    let row = table.lines().nth(2).unwrap();
    assert!(row.starts_with(&format!("{id}  ")), "{table}");
    assert!(row.ends_with("  Demo User  2"), "{table}");

    // Bidder A, logged in as themselves, downloads the teaser.
    let manager = common::library(&sim).await;
    let items = manager.batch_items(demo::MAIN_WORKSPACE, id).await.unwrap();
    let teaser = items
        .iter()
        .find(|d| d.name.as_deref() == Some("Teaser.txt"))
        .unwrap()
        .id;
    let model = items
        .iter()
        .find(|d| d.name.as_deref() == Some("Model v1.txt"))
        .unwrap()
        .id;
    let bidder = token_of(&sim, demo::REVIEWER_EMAIL).await;
    let got = cwd.path().join("got.txt");
    let o = run_with_token(
        &url,
        &bidder,
        &[
            "download",
            &ws,
            &teaser.to_string(),
            "-o",
            got.to_str().unwrap(),
        ],
        cwd.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(&got).unwrap(),
        "Project Blue: teaser\n"
    );

    // Each access report first answers 9-9-9-1: asked once only, the
    // report cannot be made, and says so.
    let o = run(
        &url,
        &[
            "report",
            "activity",
            &ws,
            "--posting",
            &id.to_string(),
            "--report-attempts",
            "1",
        ],
        cwd.path(),
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(err(&o).contains("not ready"), "{}", err(&o));

    // Asked again after a pause (none here), it is.
    let o = run(
        &url,
        &[
            "report",
            "activity",
            &ws,
            "--posting",
            &id.to_string(),
            "--report-pause",
            "0",
            "--format",
            "json",
        ],
        cwd.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let rows = json(&o);
    let rows = rows.as_array().unwrap();
    // Who is allowed: the managers, and the bidder through "1. Interest".
    let people: Vec<(i64, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["documentId"].as_i64().unwrap(),
                r["email"].as_str().unwrap(),
                r["documentPath"].as_str().unwrap(),
            )
        })
        .collect();
    let allowed = [
        "alice.hidden@example.com",
        "bob.review@example.com",
        "dan.manager@example.com",
        demo::EMAIL,
    ];
    let mut expected = Vec::new();
    for (doc, path) in [
        (model, "Financials/FY2023/Model/Model v1.txt"),
        (teaser, "Financials/FY2023/Teaser.txt"),
    ] {
        for who in allowed {
            expected.push((doc, who, path));
        }
    }
    assert_eq!(people, expected);
    // The bidder viewed the teaser, and nothing else was viewed by anyone.
    for r in rows {
        let is_view = r["documentId"] == teaser && r["email"] == demo::REVIEWER_EMAIL;
        assert_eq!(r["viewed"], is_view, "{r}");
        assert_eq!(r["firstViewedOn"].is_string(), is_view, "{r}");
        assert_eq!(r["lastViewedOn"].is_string(), is_view, "{r}");
        // Everyone was alerted when added to the room.
        assert!(r["firstAlert"].is_string(), "{r}");
        assert_eq!(r["workspaceName"], "Demo API Workspace");
    }
    let bob = rows
        .iter()
        .find(|r| r["documentId"] == teaser && r["email"] == demo::REVIEWER_EMAIL)
        .unwrap();
    assert_eq!(
        (&bob["groupName"], &bob["groupType"], &bob["role"]),
        (
            &Value::from("1. Interest"),
            &Value::from("WORKSPACE"),
            &Value::from("REVIEWER")
        )
    );
    // The alert is the one the members report shows.
    let o = run(
        &url,
        &[
            "report",
            "members",
            &ws,
            "--email",
            demo::REVIEWER_EMAIL,
            "--format",
            "json",
        ],
        cwd.path(),
    )
    .await;
    let member = json(&o);
    assert_eq!(bob["firstAlert"], member[0]["lastAlertSentDate"]);

    // The CSV has exactly the sample's columns.
    let o = run(
        &url,
        &["report", "activity", &ws, "--document", &teaser.to_string()],
        cwd.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(err(&o), "reported 4 row(s), 1 viewed\n");
    assert_eq!(
        out(&o).lines().next().unwrap(),
        "workspaceId,workspaceName,documentId,documentName,documentPath,groupId,groupName,groupType,firstName,lastName,organization,email,role,firstAlert,lastAlert,alertFailure,firstViewedOn,lastViewedOn,viewed"
    );

    // The workbook: dates as dates.
    let file = cwd.path().join("activity.xlsx");
    let o = run(
        &url,
        &[
            "report",
            "activity",
            &ws,
            "--posting",
            &id.to_string(),
            "-o",
            file.to_str().unwrap(),
        ],
        cwd.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    assert_eq!(book.sheet_names(), ["Activity"]);
    let cells = book.worksheet_range("Activity").unwrap();
    let sheet: Vec<Vec<Data>> = cells.rows().map(|r| r.to_vec()).collect();
    assert_eq!(sheet.len(), 1 + 8);
    assert_eq!(sheet[0][16], Data::String("First viewed (UTC)".into()));
    let viewed: Vec<&Vec<Data>> = sheet[1..]
        .iter()
        .filter(|r| r[18] == Data::String("true".into()))
        .collect();
    assert_eq!(viewed.len(), 1);
    let bob_row = viewed[0];
    assert_eq!(bob_row[2], Data::Float(teaser as f64));
    assert_eq!(bob_row[11], Data::String(demo::REVIEWER_EMAIL.into()));
    for col in [13, 14, 16, 17] {
        assert!(
            matches!(&bob_row[col], Data::DateTime(d) if d.is_datetime()),
            "column {col}: {:?}",
            bob_row[col]
        );
    }
    let first_viewed = match &bob_row[16] {
        Data::DateTime(d) => d.as_datetime().unwrap(),
        other => panic!("{other:?}"),
    };
    let json_first: chrono::DateTime<chrono::Utc> =
        bob["firstViewedOn"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        first_viewed.and_utc().timestamp(),
        json_first.timestamp(),
        "the same instant, in UTC"
    );
    sim.shutdown().await;
}

/// What the simulator "mailed", oldest first.
async fn mailbox(sim: &Simulator) -> Vec<Value> {
    let all: Value = reqwest::get(format!("{}/_sim/mailbox", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = all.as_array().cloned().unwrap_or_default();
    list.into_iter()
        .filter(|m| m.get("alert").is_some())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn members_added_with_alert_get_a_welcome_alert_with_the_subject_and_note() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let cwd = tempfile::tempdir().unwrap();
    let ws = demo::MAIN_WORKSPACE.to_string();
    let o = run(
        &url,
        &[
            "members",
            "add",
            &ws,
            "ann.lee@abp.example",
            "--first-name",
            "Ann",
            "--last-name",
            "Lee",
            "--organization",
            "ABP",
            "--role",
            "REVIEWER",
            "--group",
            "1. Interest",
            "--alert",
            "--subject",
            "Project Blue",
            "--note",
            "Welcome to the data room",
        ],
        cwd.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let mail = mailbox(&sim).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(
        (
            &mail[0]["email"],
            &mail[0]["alert"],
            &mail[0]["subject"],
            &mail[0]["note"]
        ),
        (
            &Value::from("ann.lee@abp.example"),
            &Value::from("WELCOME_NEW_USER"),
            &Value::from("Project Blue"),
            &Value::from("Welcome to the data room")
        )
    );
    let o = run(
        &url,
        &[
            "report",
            "members",
            &ws,
            "--email",
            "ann.lee@abp.example",
            "--format",
            "json",
        ],
        cwd.path(),
    )
    .await;
    let ann = &json(&o)[0];
    assert!(ann["lastAlertSentDate"].is_string(), "{ann}");
    assert_eq!(ann["firstAccessed"], Value::Null);

    // Import: each member added gets it; one already in the room does not.
    let csv = cwd.path().join("bidders.csv");
    std::fs::write(
        &csv,
        "email,first_name,last_name,organization,role,groups\n\
         bo@abp.example,Bo,Berg,ABP,REVIEWER,1. Interest\n\
         ann.lee@abp.example,Ann,Lee,ABP,REVIEWER,1. Interest\n",
    )
    .unwrap();
    let o = run(
        &url,
        &[
            "members",
            "import",
            &ws,
            csv.to_str().unwrap(),
            "--alert",
            "--subject",
            "Project Blue",
            "--note",
            "Hello",
        ],
        cwd.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let mail = mailbox(&sim).await;
    let to: Vec<(&str, &str)> = mail
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["note"].as_str().unwrap()))
        .collect();
    assert_eq!(
        to,
        [
            ("ann.lee@abp.example", "Welcome to the data room"),
            ("bo@abp.example", "Hello")
        ]
    );

    // Without both texts, nothing is sent.
    let o = run(
        &url,
        &[
            "members",
            "add",
            &ws,
            "cy@abp.example",
            "--alert",
            "--subject",
            "Project Blue",
        ],
        cwd.path(),
    )
    .await;
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("--note <NOTE>"), "{}", err(&o));
    assert_eq!(mailbox(&sim).await.len(), 2);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn activity_of_a_whole_workspace_and_what_is_refused() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let cwd = tempfile::tempdir().unwrap();
    let ws = demo::MAIN_WORKSPACE.to_string();
    let o = run(
        &url,
        &[
            "report",
            "activity",
            &ws,
            "--report-pause",
            "0",
            "--format",
            "json",
        ],
        cwd.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let rows = json(&o);
    let rows = rows.as_array().unwrap();
    // Every document of the room; nobody has viewed anything yet.
    let mut docs: Vec<i64> = rows
        .iter()
        .map(|r| r["documentId"].as_i64().unwrap())
        .collect();
    docs.dedup();
    assert_eq!(docs.len(), 6);
    assert!(rows.iter().all(|r| r["viewed"] == false), "{rows:?}");
    // The read-me is in Financials, which the bidders' group cannot see.
    let readme: Vec<&str> = rows
        .iter()
        .filter(|r| r["documentId"] == demo::DOC_README)
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        readme,
        [
            "alice.hidden@example.com",
            "dan.manager@example.com",
            demo::EMAIL
        ]
    );
    assert_eq!(
        err(&o),
        format!("reported {} row(s), 0 viewed\n", rows.len())
    );

    let o = run(&url, &["report", "activity", "--all"], cwd.path()).await;
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error: report activity asks the service one access report per document: name the workspaces instead of --all\n"
    );
    let o = run(
        &url,
        &["report", "activity", &ws, "701422", "--posting", "5"],
        cwd.path(),
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error: --posting names one posting or document of one workspace: give one workspace id\n"
    );
    sim.shutdown().await;
}
