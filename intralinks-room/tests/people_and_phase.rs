//! Against the simulator: one person's rooms, roles and groups given to
//! another (`copy_member`), a second run changing nothing; a room created
//! from a template under a host, its phase set and changed by the file.

use crate::common;

use std::collections::BTreeMap;

use futures_util::TryStreamExt;

use intralinks_ext::people::NewAccount;
use intralinks_ext::{Checked, FixedAnswers, Intralinks};
use intralinks_room::{self as room, Action, Change, Kind, Options, RoomFile};
use intralinks_sim::Simulator;

/// Writes (non-GET calls other than login and entry) the simulator has seen.
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

fn lines(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            format!(
                "{:?} {:?} {}{}",
                c.action,
                c.kind,
                c.target,
                c.detail
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            )
        })
        .collect()
}

/// (role, sorted group names) of `email` in `ws`, by listing.
async fn place(il: &Intralinks, ws: i64, email: &str) -> Option<(String, Vec<String>)> {
    let api = il.api();
    let users = api
        .list_workspace_members()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .users;
    let me = users
        .iter()
        .find(|u| u.email_id.as_deref() == Some(email))?;
    let groups = api
        .list_groups()
        .workspace_id(ws)
        .include_workspace_group_members(true)
        .send()
        .checked()
        .await
        .unwrap();
    let mut names: Vec<String> = groups
        .workspace_group_members
        .iter()
        .filter(|l| l.workspace_user_id == me.id)
        .filter_map(|l| {
            groups
                .groups
                .iter()
                .find(|g| Some(g.id) == l.workspace_group_id)
        })
        .map(|g| g.group_name.clone().unwrap())
        .collect();
    names.sort();
    Some((me.role_type.clone().unwrap(), names))
}

const FUND_A: &str = "\
workspace:
  name: Fund A
groups:
  - name: ABP_C
  - name: ABP_D
  - name: Advisers
members:
  - email: ann.lee@abp.example
    first_name: Ann
    last_name: Lee
    role: REVIEWER
    groups: [ABP_C, ABP_D]
";

const FUND_B: &str = "\
workspace:
  name: Fund B
groups:
  - name: Board
  - name: Observers
members:
  - email: ann.lee@abp.example
    role: PUBLISHER
    groups: [Board]
  - email: bo.ek@abp.example
    role: REVIEWER
    groups: [Observers]
";

#[tokio::test(flavor = "multi_thread")]
async fn members_copy_gives_b_the_rooms_roles_and_groups_of_a_and_a_rerun_changes_nothing() {
    let (sim, il) = common::start().await;
    let mut rooms = Vec::new();
    for text in [FUND_A, FUND_B] {
        let file = RoomFile::parse(text, "fund.yaml").unwrap();
        rooms.push(
            room::apply(&il, &file, &Options::new(false))
                .await
                .unwrap()
                .workspace_id,
        );
    }
    // Bo is in fund B already, as a reviewer in Observers; in fund A not.
    il.create_user_account(&NewAccount::new(
        "carl.berg@abp.example",
        "Carl",
        "Berg",
        "ABP",
    ))
    .await
    .unwrap();
    let ann = il
        .user_account("ann.lee@abp.example")
        .await
        .unwrap()
        .unwrap();
    let of_ann: Vec<i64> = il
        .workspaces_of_user(ann.user_id)
        .await
        .unwrap()
        .iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(of_ann, rooms);

    let entry = FixedAnswers::default();
    for to in ["carl.berg@abp.example", "bo.ek@abp.example"] {
        let account = il.user_account(to).await.unwrap().unwrap();
        let before = writes(&sim).await;
        let planned = room::copy_member(&il, rooms[0], "ann.lee@abp.example", &account, true, None)
            .await
            .unwrap();
        assert_eq!(writes(&sim).await, before, "a dry run sends no write");
        let done = room::copy_member(
            &il,
            rooms[0],
            "ann.lee@abp.example",
            &account,
            false,
            Some(&entry),
        )
        .await
        .unwrap();
        assert_eq!(done, planned);
        assert_eq!(
            lines(&done),
            vec![
                format!("Create Member {to} (role REVIEWER)"),
                format!("Create Membership {to} in ABP_C"),
                format!("Create Membership {to} in ABP_D"),
            ]
        );
    }
    // In fund B, Bo is a member: his role changes, he joins Board and stays in Observers.
    let bo = il.user_account("bo.ek@abp.example").await.unwrap().unwrap();
    let done = room::copy_member(
        &il,
        rooms[1],
        "ann.lee@abp.example",
        &bo,
        false,
        Some(&entry),
    )
    .await
    .unwrap();
    assert_eq!(
        lines(&done),
        vec![
            "Change Member bo.ek@abp.example (role \"REVIEWER\" -> \"PUBLISHER\")",
            "Create Membership bo.ek@abp.example in Board",
        ]
    );
    let carl = il
        .user_account("carl.berg@abp.example")
        .await
        .unwrap()
        .unwrap();
    room::copy_member(
        &il,
        rooms[1],
        "ann.lee@abp.example",
        &carl,
        false,
        Some(&entry),
    )
    .await
    .unwrap();

    // By listing: Carl has Ann's place in both rooms, with his own names.
    for (ws, want) in [
        (rooms[0], ("REVIEWER", vec!["ABP_C", "ABP_D"])),
        (rooms[1], ("PUBLISHER", vec!["Board"])),
    ] {
        let want = Some((
            want.0.to_string(),
            want.1.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        ));
        assert_eq!(place(&il, ws, "ann.lee@abp.example").await, want);
        assert_eq!(place(&il, ws, "carl.berg@abp.example").await, want);
    }
    assert_eq!(
        place(&il, rooms[1], "bo.ek@abp.example").await,
        Some((
            "PUBLISHER".to_string(),
            vec!["Board".to_string(), "Observers".to_string()]
        ))
    );
    let carl_in_a = il
        .find_user(rooms[0], "carl.berg@abp.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            carl_in_a.first_name.as_deref(),
            carl_in_a.last_name.as_deref()
        ),
        (Some("Carl"), Some("Berg"))
    );
    let carls: Vec<i64> = il
        .workspaces_of_user(carl.user_id)
        .await
        .unwrap()
        .iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(carls, rooms);

    // A second run changes nothing and sends no write.
    let before = writes(&sim).await;
    for ws in &rooms {
        for to in [&carl, &bo] {
            let again = room::copy_member(&il, *ws, "ann.lee@abp.example", to, false, Some(&entry))
                .await
                .unwrap();
            assert_eq!(again, vec![], "{ws} {}", to.email_id);
        }
    }
    assert_eq!(writes(&sim).await, before);

    // From someone who is not in the room, onto oneself: refused, nothing sent.
    let e = room::copy_member(
        &il,
        rooms[0],
        "nobody@abp.example",
        &carl,
        false,
        Some(&entry),
    )
    .await
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        format!(
            "workspace {} has no member nobody@abp.example; name the workspaces nobody@abp.example is in, or copy from all of them",
            rooms[0]
        )
    );
    let e = room::copy_member(
        &il,
        rooms[0],
        "CARL.berg@abp.example",
        &carl,
        false,
        Some(&entry),
    )
    .await
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "CARL.berg@abp.example would be copied onto themselves; name another person to copy to"
    );
    assert_eq!(writes(&sim).await, before);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_room_from_a_template_under_a_host_lists_both_and_its_phase_follows_the_file() {
    let (sim, il) = common::start().await;
    let text = "\
workspace:
  name: Hackathon Capital I
  template: 194471
  host: Hackathon
  phase: PREPARATION
";
    let file = RoomFile::parse(text, "fund1.yaml").unwrap();
    let plan = room::plan(&il, &file, &Options::new(false)).await.unwrap();
    assert_eq!(
        lines(&plan.changes),
        vec![
            "Create Workspace Hackathon Capital I (template 194471, host \"Hackathon\", phase PREPARATION)"
        ]
    );
    let applied = room::apply(&il, &file, &Options::new(false)).await.unwrap();
    assert_eq!(lines(&applied.done), lines(&plan.changes));
    let ws = applied.workspace_id;
    let listed: Vec<_> = il.list_all_workspaces().try_collect().await.unwrap();
    let w = listed.iter().find(|w| w.id == ws).unwrap();
    assert_eq!(w.parent_template_id, Some(194_471));
    assert_eq!(w.host.as_deref(), Some("Hackathon"));
    assert_eq!(w.phase.as_deref(), Some("PREPARATION"));
    let again = room::plan(&il, &file, &Options::new(false)).await.unwrap();
    assert!(again.is_empty(), "{:?}", again.changes);
    assert!(again.notes.is_empty(), "{:?}", again.notes);

    // The room opens: the file says OPEN, plan shows it, apply sends the phase alone.
    let open = RoomFile::parse(&text.replace("PREPARATION", "OPEN"), "fund1.yaml").unwrap();
    let plan = room::plan(&il, &open, &Options::new(false)).await.unwrap();
    assert_eq!(
        lines(&plan.changes),
        vec!["Change Workspace Hackathon Capital I (phase PREPARATION -> OPEN)"]
    );
    assert_eq!(plan.count(Action::Change), 1);
    assert_eq!(plan.changes[0].kind, Kind::Workspace);
    let before = writes(&sim).await;
    let applied = room::apply(&il, &open, &Options::new(false)).await.unwrap();
    assert_eq!(lines(&applied.done), lines(&plan.changes));
    assert_eq!(
        writes(&sim).await,
        before + 1,
        "one update of the workspace"
    );
    let phase = |ws: i64| {
        let il = il.clone();
        async move {
            il.api()
                .get_workspace()
                .workspace_id(ws)
                .send()
                .checked()
                .await
                .unwrap()
                .workspace[0]
                .phase
                .clone()
        }
    };
    assert_eq!(phase(ws).await.as_deref(), Some("OPEN"));
    assert!(
        room::plan(&il, &open, &Options::new(false))
            .await
            .unwrap()
            .is_empty()
    );
    // On hold, under another host; the template cannot change: a note.
    let hold = RoomFile::parse(
        &text
            .replace("PREPARATION", "HOLD")
            .replace("Hackathon\n", "Hackathon Funds\n")
            .replace("194471", "554961"),
        "fund1.yaml",
    )
    .unwrap();
    let plan = room::plan(&il, &hold, &Options::new(false)).await.unwrap();
    assert_eq!(
        lines(&plan.changes),
        vec![
            "Change Workspace Hackathon Capital I (host \"Hackathon\" -> \"Hackathon Funds\", phase OPEN -> HOLD)"
        ]
    );
    assert_eq!(
        plan.notes,
        vec![
            "the workspace was made from template 194471, the file names template 554961; a workspace's template cannot be changed, so this is left as it is"
        ]
    );
    room::apply(&il, &hold, &Options::new(false)).await.unwrap();
    let w = il
        .api()
        .get_workspace()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .workspace
        .remove(0);
    assert_eq!(
        (w.host.as_deref(), w.phase.as_deref(), w.parent_template_id),
        (Some("Hackathon Funds"), Some("HOLD"), Some(194_471))
    );
    // Exported, the room says what it is made of.
    let exported = room::export(&il, ws, &FixedAnswers::default())
        .await
        .unwrap();
    assert_eq!(exported.workspace.template, Some(194_471));
    assert_eq!(exported.workspace.host.as_deref(), Some("Hackathon Funds"));
    assert_eq!(exported.workspace.phase, Some(room::Phase::Hold));
    sim.shutdown().await;
}
