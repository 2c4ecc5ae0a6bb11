//! People and rooms end to end against intralinks-sim: `people create` and
//! `people find` (also from a room the person is not in), `members copy`
//! and its rerun, one person's rooms by `report members --all --email`, and
//! a room file's template, host and phase through `room plan` and `apply`.

use std::collections::BTreeMap;

use intralinks_sim::{SimConfig, Simulator};

use crate::common;
use common::*;

/// Requests that change something, as the simulator counts them.
async fn writes(sim: &Simulator) -> u64 {
    let map: BTreeMap<String, u64> = reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    map.iter()
        .filter(|(k, _)| !k.starts_with("GET "))
        .filter(|(k, _)| !k.contains("/oauth/") && !k.ends_with("/splash"))
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_created_is_found_by_email_also_from_a_room_they_are_not_in() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();

    let o = run(
        &url,
        &[
            "people",
            "create",
            "ann.lee@abp.example",
            "--first-name",
            "Ann",
            "--last-name",
            "Lee",
            "--organization",
            "ABP",
            "--phone",
            "0000",
        ],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "created user account ann.lee@abp.example (user id 7000000001)\n"
    );

    let o = run(&url, &["people", "find", "Ann.Lee@abp.example"], cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "USER ID     EMAIL                NAME     ORGANIZATION\n\
         ----------  -------------------  -------  ------------\n\
         7000000001  ann.lee@abp.example  Ann Lee  ABP\n"
    );

    let o = run(
        &url,
        &[
            "people",
            "find",
            "ann.lee@abp.example",
            "--workspace",
            "701421",
            "--json",
        ],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        json(&o),
        serde_json::json!([{
            "userId": 7_000_000_001_i64,
            "emailId": "ann.lee@abp.example",
            "firstName": "Ann",
            "lastName": "Lee",
            "organization": "ABP",
            "officePhone": "0000"
        }])
    );
    assert!(
        err(&o).contains(
            "ann.lee@abp.example has an account on the service and is no member of workspace 701421"
        ),
        "{}",
        err(&o)
    );

    // A member is found as the member.
    let o = run(
        &url,
        &[
            "people",
            "find",
            "bob.review@example.com",
            "--workspace",
            "701421",
        ],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o).lines().nth(2),
        Some("9620007  bob.review@example.com  Bob Review  Example Corp  4395175834  REVIEWER")
    );

    // Nobody, and not an address: exit 1, one line, nothing sent for the latter.
    let o = run(&url, &["people", "find", "nobody@abp.example"], cwd).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("error: the service has no user account nobody@abp.example"),
        "{}",
        err(&o)
    );
    let before = writes(&sim).await;
    let o = run(
        &url,
        &[
            "people",
            "create",
            "Ann <ann@abp.example>",
            "--first-name",
            "Ann",
            "--last-name",
            "Lee",
            "--organization",
            "ABP",
        ],
        cwd,
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("is not one plain e-mail address"),
        "{}",
        err(&o)
    );
    assert_eq!(writes(&sim).await, before);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn members_copy_reproduces_the_rooms_roles_and_groups_and_a_second_run_changes_nothing() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    // A second room Bob is in, as a publisher in Board.
    std::fs::write(
        cwd.join("board.yaml"),
        "workspace:\n  name: Board Room\ngroups:\n  - name: Board\nmembers:\n  - email: bob.review@example.com\n    role: PUBLISHER\n    groups: [Board]\n",
    )
    .unwrap();
    let o = run(&url, &["room", "apply", "board.yaml"], cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    let board = json(&run(&url, &["workspaces", "--json"], cwd).await)
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "Board Room")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let o = run(
        &url,
        &[
            "people",
            "create",
            "ann.lee@abp.example",
            "--first-name",
            "Ann",
            "--last-name",
            "Lee",
            "--organization",
            "ABP",
        ],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));

    let copy = [
        "members",
        "copy",
        "--all",
        "--from",
        "bob.review@example.com",
        "--to",
        "ann.lee@abp.example",
    ];
    let before = writes(&sim).await;
    let mut dry = copy.to_vec();
    dry.push("--dry-run");
    let o = run(&url, &dry, cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    let expected = format!(
        "workspace 701421:\n  + member ann.lee@abp.example (role REVIEWER)\n  + membership ann.lee@abp.example in 1. Interest\n\
         workspace {board}:\n  + member ann.lee@abp.example (role PUBLISHER)\n  + membership ann.lee@abp.example in Board\n"
    );
    assert_eq!(
        out(&o),
        format!("dry run, nothing sent; would make:\n{expected}")
    );
    assert_eq!(writes(&sim).await, before, "a dry run sends no write");

    let o = run(&url, &copy, cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), expected);
    // Member creation and one membership per room: four writes.
    assert_eq!(writes(&sim).await, before + 4);

    let o = run(&url, &copy, cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        format!("workspace 701421:\n  no changes\nworkspace {board}:\n  no changes\n")
    );
    assert_eq!(writes(&sim).await, before + 4, "a second run sends nothing");

    // Her rooms across workspaces, with Bob's roles and groups and her names.
    let o = run(
        &url,
        &[
            "report",
            "members",
            "--all",
            "--email",
            "ann.lee@abp.example",
            "--format",
            "json",
        ],
        cwd,
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let rows: Vec<(i64, String, String, String, String)> = json(&o)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["workspaceId"].as_i64().unwrap(),
                r["emailId"].as_str().unwrap().to_string(),
                r["firstName"].as_str().unwrap().to_string(),
                r["roleType"].as_str().unwrap().to_string(),
                r["groups"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let ann = |ws: i64, role: &str, groups: &str| {
        (
            ws,
            "ann.lee@abp.example".to_string(),
            "Ann".to_string(),
            role.to_string(),
            groups.to_string(),
        )
    };
    assert_eq!(
        rows,
        vec![
            ann(701_421, "REVIEWER", "1. Interest"),
            ann(board, "PUBLISHER", "Board")
        ]
    );
    assert_eq!(err(&o), "reported 2 workspace(s), 2 row(s)\n");

    // Someone without an account: refused before any write, with what to do.
    let o = run(
        &url,
        &[
            "members",
            "copy",
            "701421",
            "--from",
            "bob.review@example.com",
            "--to",
            "new@abp.example",
        ],
        cwd,
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("error: the service has no user account new@abp.example; check the address, or create the account: intralinks people create new@abp.example"),
        "{}",
        err(&o)
    );
    // Not an address: refused before any request.
    let calls = |map: BTreeMap<String, u64>| map.values().sum::<u64>();
    let counted = || async {
        calls(
            reqwest::get(format!("{}/_sim/requests", sim.url()))
                .await
                .unwrap()
                .json()
                .await
                .unwrap(),
        )
    };
    let seen = counted().await;
    let o = run(
        &url,
        &[
            "members",
            "copy",
            "--all",
            "--from",
            "bob.review@example.com",
            "--to",
            "Ann <ann.lee@abp.example>",
        ],
        cwd,
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o)
            .contains("error: --to \"Ann <ann.lee@abp.example>\" is not one plain e-mail address"),
        "{}",
        err(&o)
    );
    // The login's token request is the only call.
    assert!(counted().await - seen <= 1, "{}", counted().await - seen);
    assert_eq!(writes(&sim).await, before + 4);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_room_file_sets_template_host_and_phase_and_plan_shows_a_phase_change() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = sim.url();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let file = "workspace:\n  name: Hackathon Capital I\n  template: 194471\n  host: Hackathon\n  phase: PREPARATION\n";
    std::fs::write(cwd.join("fund1.yaml"), file).unwrap();
    let o = run(&url, &["room", "plan", "fund1.yaml"], cwd).await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert_eq!(
        out(&o),
        "workspace \"Hackathon Capital I\" (new):\n  + workspace Hackathon Capital I (template 194471, host \"Hackathon\", phase PREPARATION)\nPlan: 1 to create, 0 to change, 0 to remove, 0 not removable through the API.\n"
    );
    let o = run(&url, &["room", "apply", "fund1.yaml"], cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    let listed = json(&run(&url, &["workspaces", "--json"], cwd).await);
    let w = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "Hackathon Capital I")
        .unwrap()
        .clone();
    assert_eq!(
        (&w["parentTemplateId"], &w["host"], &w["phase"]),
        (
            &serde_json::json!(194471),
            &serde_json::json!("Hackathon"),
            &serde_json::json!("PREPARATION")
        )
    );
    let id = w["id"].as_i64().unwrap();

    std::fs::write(cwd.join("fund1.yaml"), file.replace("PREPARATION", "OPEN")).unwrap();
    let o = run(&url, &["room", "plan", "fund1.yaml"], cwd).await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert_eq!(
        out(&o),
        format!(
            "workspace \"Hackathon Capital I\" (id {id}):\n  ~ workspace Hackathon Capital I (phase PREPARATION -> OPEN)\nPlan: 0 to create, 1 to change, 0 to remove, 0 not removable through the API.\n"
        )
    );
    let o = run(&url, &["room", "apply", "fund1.yaml"], cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        format!("workspace \"Hackathon Capital I\" (id {id}): 0 created, 1 changed, 0 removed\n")
    );
    let o = run(&url, &["room", "plan", "fund1.yaml"], cwd).await;
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let o = run(&url, &["room", "export", &id.to_string()], cwd).await;
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).starts_with(&format!(
            "workspace:\n  name: Hackathon Capital I\n  id: {id}\n  template: 194471\n  host: Hackathon\n  phase: OPEN\n"
        )),
        "{}",
        out(&o)
    );
    sim.shutdown().await;
}
