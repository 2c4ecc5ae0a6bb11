//! A group's level on one document (`permissions grant` with a document's
//! path) shown by `report access`, and custom field values as report
//! columns — through the binary against the simulator, exact output.

use intralinks_sim::{SimConfig, Simulator};

use crate::common;
use common::{err, out, run};

#[tokio::test(flavor = "multi_thread")]
async fn a_document_level_grant_shows_in_report_access() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let ok = |o: &std::process::Output| assert!(o.status.success(), "{}", err(o));
    ok(&run(&url, &["login"], cwd).await);

    let nda = "Legal/Contracts/Mutual NDA.txt";
    let o = run(
        &url,
        &["permissions", "grant", "701421", nda, "2. Commit", "SEE"],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(
        out(&o),
        "  + permission 2. Commit on Legal/Contracts/Mutual NDA.txt (SEE)\n"
    );
    let o = run(
        &url,
        &["permissions", "grant", "701421", nda, "2. Commit", "SEE"],
        cwd,
    )
    .await;
    ok(&o);
    assert_eq!(out(&o), "nothing to do\n");

    let o = run(&url, &["report", "access", "701421"], cwd).await;
    ok(&o);
    let text = out(&o);
    let nda_rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Mutual NDA.txt"))
        .collect();
    assert_eq!(
        nda_rows,
        [
            "701421,Demo API Workspace,Legal/Contracts/Mutual NDA.txt,DOCUMENT,5368709122,18180982,2. Commit,SEE",
            "701421,Demo API Workspace,Legal/Contracts/Mutual NDA.txt,DOCUMENT,5368709122,10093765,Internal,SEE_DOWNLOAD_AND_PRINT",
        ]
    );
    // Nowhere else: the folder it is in gives 2. Commit nothing.
    assert_eq!(text.matches("2. Commit").count(), 1, "{text}");

    let o = run(&url, &["report", "access", "--by-user", "701421"], cwd).await;
    ok(&o);
    let text = out(&o);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Mutual NDA.txt"))
        .collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(
        !text.contains("carol.publish"),
        "Carol is in no group: {text}"
    );

    let o = run(
        &url,
        &[
            "permissions",
            "grant",
            "701421",
            "Legal/Contracts/Nothing.txt",
            "2. Commit",
            "SEE",
        ],
        cwd,
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: workspace 701421 has no folder or document \"Legal/Contracts/Nothing.txt\"; check the path (names from the top, separated by '/'; a document's is its folder's path, '/', its name)\n"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_field_values_are_report_columns() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let ok = |o: &std::process::Output| assert!(o.status.success(), "{}", err(o));

    let o = run(&url, &["report", "documents", "701421"], cwd).await;
    ok(&o);
    let text = out(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "workspaceId,workspaceName,folderPath,name,id,fileSize,createdOn,lastModifiedOn,versionNumber,fileHashDownload,note,indexNumber,extension,createdByFirstName,createdByLastName,Closing Date,Deal Code,Stage"
    );
    assert_eq!(
        lines[5],
        "701421,Demo API Workspace,Financials/FY2023/Q4,Q4 board pack.txt,5368709123,24593,2013-03-31T12:27:56.000Z,2013-04-01T12:27:56.000Z,1,AvzxTTtVnUCDlBQ8sIVhqKGvOSY=,,1.1.1.1,txt,John,Doe,2024-03-31,,"
    );
    assert_eq!(
        lines[6],
        "701421,Demo API Workspace,Legal/Contracts,Mutual NDA.txt,5368709122,1668,2013-03-31T12:27:56.000Z,2013-04-01T12:27:56.000Z,1,gvOF+pdSAQiV4GuFuyUR99VqT9U=,,2.1.1,txt,John,Doe,,ABP-7,Closing"
    );
    assert_eq!(lines.len(), 7);

    let o = run(
        &url,
        &["report", "members", "701421", "--format", "json"],
        cwd,
    )
    .await;
    ok(&o);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let bob = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["emailId"] == "bob.review@example.com")
        .unwrap();
    assert_eq!(bob["Deal Code"], "ABP-7");
    assert_eq!(bob["Stage"], "Due Diligence");
    let carol = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["emailId"] == "carol.publish@example.com")
        .unwrap();
    assert_eq!(carol.get("Deal Code"), None);

    // A room with no values: the fixed columns only.
    let o = run(
        &url,
        &["report", "documents", "701422", "--accept-splash"],
        cwd,
    )
    .await;
    ok(&o);
    assert!(
        out(&o).starts_with(
            "workspaceId,workspaceName,folderPath,name,id,fileSize,createdOn,lastModifiedOn,versionNumber,fileHashDownload,note,indexNumber,extension,createdByFirstName,createdByLastName\r\n"
        ),
        "{}",
        out(&o)
    );
    sim.shutdown().await;
}
