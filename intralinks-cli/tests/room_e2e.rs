//! `intralinks room` end to end against intralinks-sim: plan's exit status
//! and output before and after apply, a bad file, `--prune` refused without
//! `--yes` when nobody can be asked, and `kill -9` during apply followed by
//! a rerun that creates every object exactly once.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use intralinks_ext::types;
use intralinks_ext::{Checked, Intralinks};
use intralinks_sim::{SimConfig, Simulator};

use crate::common;
use common::*;

const LPS: [&str; 10] = [
    "ABP", "CalPERS", "GIC", "Harvard", "Mass", "NBIM", "OTPP", "PGGM", "Temasek", "Yale",
];

/// Fund `n`: 30 groups, 40 folders, 20 members, 60 memberships, 30 permissions.
fn fund(n: usize) -> String {
    let kinds = [
        ("C", "Capital Calls", "SEE_AND_DOWNLOAD"),
        ("D", "Distributions", "SEE_AND_DOWNLOAD"),
        ("S", "Statements", "SEE"),
    ];
    let mut y = format!("workspace:\n  name: Hackathon Capital {n}\ngroups:\n");
    for lp in LPS {
        for (k, _, _) in kinds {
            y.push_str(&format!("  - name: {lp}_{k}\n"));
        }
    }
    y.push_str("members:\n");
    for lp in LPS {
        for who in ["ann", "bob"] {
            y.push_str(&format!(
                "  - email: {who}.{}@fund{n}.example\n    role: REVIEWER\n    groups: [{lp}_C, {lp}_D, {lp}_S]\n",
                lp.to_lowercase()
            ));
        }
    }
    y.push_str("folders:\n");
    for lp in LPS {
        for (k, sub, level) in kinds {
            y.push_str(&format!(
                "  - path: {lp}/{sub}\n    permissions: {{{lp}_{k}: {level}}}\n"
            ));
        }
    }
    y
}

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

async fn latency(sim: &Simulator, ms: u64) {
    let r = reqwest::Client::new()
        .put(format!("{}/_sim/faults", sim.url()))
        .json(&serde_json::json!({ "latencyMs": ms }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

async fn workspace_named(il: &Intralinks, name: &str) -> Vec<i64> {
    il.api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap()
        .workspace
        .iter()
        .filter(|w| w.name.as_deref() == Some(name))
        .map(|w| w.id)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_apply_plan_and_the_exit_statuses() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fund1.yaml"), fund(1)).unwrap();
    let url = sim.url();

    let o = run(&url, &["room", "plan", "fund1.yaml"], dir.path()).await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let text = out(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 183, "{text}");
    assert_eq!(lines[0], "workspace \"Hackathon Capital 1\" (new):");
    assert_eq!(lines[1], "  + workspace Hackathon Capital 1");
    assert_eq!(lines[2], "  + folder ABP");
    assert_eq!(lines[181], "  + permission Yale_S on Yale/Statements (SEE)");
    assert_eq!(
        lines[182],
        "Plan: 181 to create, 0 to change, 0 to remove, 0 not removable through the API."
    );

    let o = run(&url, &["room", "apply", "fund1.yaml"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let il = library(&sim).await;
    let ids = workspace_named(&il, "Hackathon Capital 1").await;
    assert_eq!(ids.len(), 1);
    let ws = ids[0];
    assert_eq!(
        out(&o),
        format!("workspace \"Hackathon Capital 1\" (id {ws}): 181 created, 0 changed, 0 removed\n")
    );
    let journal = std::fs::read_to_string(dir.path().join("fund1.yaml.journal")).unwrap();
    assert_eq!(journal.lines().count(), 181);

    let before = writes(&sim).await;
    let o = run(&url, &["room", "plan", "fund1.yaml"], dir.path()).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        out(&o),
        format!(
            "workspace \"Hackathon Capital 1\" (id {ws}):\n  no changes\nPlan: 0 to create, 0 to change, 0 to remove, 0 not removable through the API.\n"
        )
    );
    let o = run(&url, &["--json", "room", "plan", "fund1.yaml"], dir.path()).await;
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json(&o), serde_json::json!([]));
    let o = run(&url, &["room", "apply", "fund1.yaml"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(writes(&sim).await, before, "a second apply sends no write");

    // A group behind its back: plan --prune lists it (JSON), apply --prune
    // will not remove it without --yes when it cannot ask.
    il.api()
        .create_group()
        .workspace_id(ws)
        .body(types::GroupInput {
            group_name: "Stray".into(),
            group_type: None,
            note: None,
            version: None,
        })
        .send()
        .checked()
        .await
        .unwrap();
    let o = run(
        &url,
        &["--json", "room", "plan", "--prune", "fund1.yaml"],
        dir.path(),
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        json(&o),
        serde_json::json!([{
            "workspace": "Hackathon Capital 1",
            "workspaceId": ws,
            "action": "remove",
            "kind": "group",
            "target": "Stray"
        }])
    );
    let o = run(
        &url,
        &["room", "apply", "--prune", "fund1.yaml"],
        dir.path(),
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: apply --prune would remove 1 object(s), listed above; pass --yes to confirm\n"
    );
    assert!(out(&o).contains("  - group Stray\n"), "{}", out(&o));
    let o = run(
        &url,
        &["room", "apply", "--prune", "--yes", "fund1.yaml"],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        format!("workspace \"Hackathon Capital 1\" (id {ws}): 0 created, 0 changed, 1 removed\n")
    );

    // A bad file: exit 2 for plan, naming the line; nothing is sent.
    std::fs::write(
        dir.path().join("bad.yaml"),
        "workspace:\n  name: X\ngroups:\n  - name: A\n    colour: red\n",
    )
    .unwrap();
    let o = run(&url, &["room", "plan", "bad.yaml"], dir.path()).await;
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(
        e.starts_with("error: bad.yaml: groups[0]: unknown field `colour`, expected `name` or `type` at line 5 column 5"),
        "{e}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_apply_then_apply_again_creates_every_object_once() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fund2.yaml"), fund(2)).unwrap();
    let url = sim.url();
    latency(&sim, 10).await;
    let mut child = command(&url, &["room", "apply", "fund2.yaml"], dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while writes(&sim).await < 60 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "apply made no progress"
        );
        assert!(child.try_wait().unwrap().is_none(), "apply ended too soon");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let killed_at = writes(&sim).await;
    assert!(killed_at < 181, "killed half-way, after {killed_at} writes");
    latency(&sim, 0).await;

    let o = run(&url, &["room", "apply", "fund2.yaml"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let o = run(&url, &["room", "plan", "fund2.yaml"], dir.path()).await;
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));

    let il = library(&sim).await;
    let ids = workspace_named(&il, "Hackathon Capital 2").await;
    assert_eq!(ids.len(), 1, "one workspace");
    let ws = ids[0];
    let api = il.api();
    let folders = api
        .list_folders()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .folder;
    let mut keys: Vec<(Option<i64>, String)> = folders
        .iter()
        .map(|f| (f.parent_id, f.name.clone().unwrap()))
        .collect();
    keys.sort();
    let n = keys.len();
    keys.dedup();
    assert_eq!((n, keys.len()), (40, 40), "every folder once");
    let groups = api
        .list_groups()
        .workspace_id(ws)
        .include_workspace_group_members(true)
        .send()
        .checked()
        .await
        .unwrap();
    let names: BTreeSet<String> = groups
        .groups
        .iter()
        .map(|g| g.group_name.clone().unwrap())
        .collect();
    assert_eq!(
        (groups.groups.len(), names.len()),
        (30, 30),
        "every group once"
    );
    assert_eq!(
        groups.workspace_group_members.len(),
        60,
        "every membership once"
    );
    let users = api
        .list_workspace_members()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .users;
    assert_eq!(users.len(), 21, "20 members and the creator");
    let permissions = api
        .list_permissions()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .permissions;
    assert_eq!(permissions.len(), 30);
    // One workspace create across both runs. (Other creates are counted
    // by what exists: a call cut off by the kill may be counted by the
    // simulator without having been carried out.)
    let map: BTreeMap<String, u64> = reqwest::get(format!("{url}/_sim/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(map.get("POST /v2/workspaces"), Some(&1));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_off_commands_look_up_first_and_dry_runs_send_nothing() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = sim.url();
    let d = dir.path();
    std::fs::write(
        d.join("r.yaml"),
        "workspace: {name: One Off}\nfolders:\n  - path: Legal\n",
    )
    .unwrap();
    let o = run(&url, &["room", "apply", "r.yaml"], d).await;
    assert!(o.status.success(), "{}", err(&o));
    let il = library(&sim).await;
    let ws = workspace_named(&il, "One Off").await[0].to_string();
    let ws = ws.as_str();
    let cases: Vec<(Vec<&str>, i32, &str, &str)> = vec![
        (
            vec!["groups", "create", ws, "LP_C", "--dry-run"],
            0,
            "dry run, nothing sent; would make:\n  + group LP_C\n",
            "",
        ),
        (
            vec!["groups", "create", ws, "LP_C"],
            0,
            "  + group LP_C\n",
            "",
        ),
        (
            vec!["groups", "create", ws, "LP_C"],
            0,
            "nothing to do\n",
            "",
        ),
        (
            vec!["groups", "rename", ws, "LP_C", "LP_X"],
            0,
            "  ~ group LP_C (name \"LP_C\" -> \"LP_X\")\n",
            "",
        ),
        (
            vec![
                "members",
                "add",
                ws,
                "ann@lp.example",
                "--role",
                "REVIEWER",
                "--group",
                "LP_X",
            ],
            0,
            "  + member ann@lp.example (role REVIEWER)\n  + membership ann@lp.example in LP_X\n",
            "",
        ),
        (
            vec![
                "members",
                "update",
                ws,
                "ann@lp.example",
                "--first-name",
                "Ann",
            ],
            0,
            "  ~ member ann@lp.example (first_name \"\" -> \"Ann\")\n",
            "",
        ),
        (
            vec![
                "members",
                "update",
                ws,
                "nobody@lp.example",
                "--role",
                "REVIEWER",
            ],
            1,
            "",
            "error: workspace WS has no member nobody@lp.example; add them as a member first\n",
        ),
        (
            vec!["members", "add", ws, "bo@lp.example", "--group", "Nope"],
            1,
            "",
            "error: workspace WS has no group \"Nope\"; create it first\n",
        ),
        (
            vec![
                "permissions",
                "grant",
                ws,
                "Legal",
                "LP_X",
                "SEE_AND_DOWNLOAD",
            ],
            0,
            "  + permission LP_X on Legal (SEE_AND_DOWNLOAD)\n",
            "",
        ),
        (
            vec!["permissions", "grant", ws, "Legal", "LP_X", "SEE"],
            0,
            "  ~ permission LP_X on Legal (SEE_AND_DOWNLOAD -> SEE)\n",
            "",
        ),
        (
            vec!["permissions", "grant", ws, "Missing", "LP_X", "SEE"],
            1,
            "",
            "error: workspace WS has no folder or document \"Missing\"; check the path (names from the top, separated by '/'; a document's is its folder's path, '/', its name)\n",
        ),
        (
            vec!["permissions", "revoke", ws, "Legal", "LP_X"],
            1,
            "",
            "error: the API has no call that revokes a permission (group \"LP_X\" on \"Legal\"); remove it in the Intralinks web interface, or lower it to SEE with a grant\n",
        ),
        (
            vec!["members", "import", ws, "m.csv"],
            0,
            "  ~ member ann@lp.example (role \"REVIEWER\" -> \"MANAGER\")\n  + member bo@lp.example\n  + membership bo@lp.example in LP_X\n",
            "",
        ),
        (
            vec!["members", "remove", ws, "bo@lp.example", "--dry-run"],
            0,
            "dry run, nothing sent; would make:\n  - member bo@lp.example (role REVIEWER)\n",
            "",
        ),
        (
            vec!["members", "remove", ws, "bo@lp.example"],
            0,
            "  - member bo@lp.example (role REVIEWER)\n",
            "",
        ),
        (
            vec!["groups", "delete", ws, "LP_X"],
            0,
            "  - group LP_X\n",
            "",
        ),
    ];
    std::fs::write(
        d.join("m.csv"),
        "email,first_name,role,groups\nann@lp.example,Ann,MANAGER,LP_X\nbo@lp.example,,,LP_X\n",
    )
    .unwrap();
    for (args, code, stdout, stderr) in cases {
        let before = writes(&sim).await;
        let o = run(&url, &args, d).await;
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", err(&o));
        assert_eq!(out(&o), stdout, "{args:?}");
        assert_eq!(err(&o), stderr.replace("WS", ws), "{args:?}");
        if args.contains(&"--dry-run") || code != 0 || stdout == "nothing to do\n" {
            assert_eq!(writes(&sim).await, before, "{args:?} sent a write");
        }
    }
    let groups = il
        .api()
        .list_groups()
        .workspace_id(ws.parse::<i64>().unwrap())
        .send()
        .checked()
        .await
        .unwrap()
        .groups;
    assert!(groups.is_empty(), "{groups:?}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn three_files_at_once_and_two_files_for_one_room_refused() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for n in 1..=3 {
        std::fs::write(d.join(format!("fund{n}.yaml")), fund(n)).unwrap();
    }
    let url = sim.url();
    let args = [
        "room",
        "apply",
        "--jobs",
        "3",
        "fund1.yaml",
        "fund2.yaml",
        "fund3.yaml",
    ];
    let o = run(&url, &args, d).await;
    assert!(o.status.success(), "{}", err(&o));
    let il = library(&sim).await;
    let mut expected = String::new();
    for n in 1..=3 {
        let ws = workspace_named(&il, &format!("Hackathon Capital {n}")).await;
        assert_eq!(ws.len(), 1);
        expected.push_str(&format!(
            "workspace \"Hackathon Capital {n}\" (id {}): 181 created, 0 changed, 0 removed\n",
            ws[0]
        ));
    }
    assert_eq!(out(&o), expected, "in file order");
    let o = run(
        &url,
        &["room", "plan", "fund1.yaml", "fund2.yaml", "fund3.yaml"],
        d,
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));

    std::fs::write(
        d.join("again.yaml"),
        "workspace: {name: Hackathon Capital 2}\n",
    )
    .unwrap();
    let before = writes(&sim).await;
    let o = run(&url, &["room", "apply", "fund2.yaml", "again.yaml"], d).await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: fund2.yaml and again.yaml name the same workspace; keep one file per workspace\n"
    );
    assert_eq!(writes(&sim).await, before);
    sim.shutdown().await;
}

/// Every request the simulator answered so far but the token endpoint's.
async fn calls(url: &str) -> u64 {
    let map: BTreeMap<String, u64> = reqwest::get(format!("{url}/_sim/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    map.iter()
        .filter(|(k, _)| !k.contains("/oauth/"))
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_update_looks_at_the_room_once() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = sim.url();
    let d = dir.path();
    std::fs::write(
        d.join("r.yaml"),
        "workspace: {name: Counted}\nmembers:\n  - {email: cy@lp.example, role: REVIEWER}\n",
    )
    .unwrap();
    let o = run(&url, &["room", "apply", "r.yaml"], d).await;
    assert!(o.status.success(), "{}", err(&o));
    let il = library(&sim).await;
    let ws = workspace_named(&il, "Counted").await[0].to_string();

    let before = calls(&url).await;
    let args = [
        "members",
        "update",
        &ws,
        "cy@lp.example",
        "--first-name",
        "Cy",
    ];
    let o = run(&url, &args, d).await;
    assert_eq!(
        out(&o),
        "  ~ member cy@lp.example (first_name \"\" -> \"Cy\")\n"
    );
    assert!(o.status.success(), "{}", err(&o));
    // Seven listings (one look at the room) and the update itself.
    assert_eq!(calls(&url).await - before, 8);

    // A member who is not there is refused after the same one look.
    let before = calls(&url).await;
    let args = [
        "members",
        "update",
        &ws,
        "nobody@lp.example",
        "--first-name",
        "N",
    ];
    let o = run(&url, &args, d).await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(calls(&url).await - before, 7);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applies_of_one_room_file_at_once_make_one_workspace() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("fund1.yaml"), fund(1)).unwrap();
    // Logged in first, so that both runs share the saved session.
    let o = run(&sim.url(), &["login"], d).await;
    assert!(o.status.success(), "{}", err(&o));
    let url = sim.url();
    let (a, b) = tokio::join!(
        run(&url, &["room", "apply", "fund1.yaml"], d),
        run(&url, &["room", "apply", "fund1.yaml"], d)
    );
    assert!(a.status.success(), "{}", err(&a));
    assert!(b.status.success(), "{}", err(&b));
    let il = library(&sim).await;
    let ws = workspace_named(&il, "Hackathon Capital 1").await;
    assert_eq!(ws.len(), 1, "one workspace for two applies");
    // One made the room, the other found it made.
    let mut summaries = [out(&a), out(&b)];
    summaries.sort();
    assert_eq!(
        summaries,
        [
            format!(
                "workspace \"Hackathon Capital 1\" (id {}): 0 created, 0 changed, 0 removed\n",
                ws[0]
            ),
            format!(
                "workspace \"Hackathon Capital 1\" (id {}): 181 created, 0 changed, 0 removed\n",
                ws[0]
            ),
        ]
    );
    sim.shutdown().await;
}

/// A 1.1 MB room file that names one 1 MiB string 3,000 times through an
/// alias (3 GiB once expanded) is refused with the process held to 64 MiB
/// of address space.
#[cfg(unix)]
#[tokio::test]
async fn an_alias_bomb_is_refused_within_64_mib() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = format!(
        "x: &big \"{}\"\nworkspace:\n  name: X\nmembers:\n",
        "a".repeat(1 << 20)
    );
    for _ in 0..3000 {
        bomb.push_str("  - {email: *big}\n");
    }
    std::fs::write(dir.path().join("bomb.yaml"), &bomb).unwrap();
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 65536 && exec \"$0\" --sim room plan bomb.yaml")
        .arg(env!("CARGO_BIN_EXE_intralinks"))
        .current_dir(dir.path())
        .env_clear()
        .env("INTRALINKS_SESSION_FILE", dir.path().join("session.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(
        err(&o).lines().last().unwrap_or(""),
        "error: bomb.yaml: line 5: a YAML alias (*name) is not allowed in a room file, since it can repeat a value thousands of times; write the value out"
    );
}
