//! Rooms as code against the simulator: the three-fund scenario of the
//! SDK's "Bulk Exchange Creation" sample applied from files and verified by
//! listing, a second apply that sends no write, drift shown by plan and
//! restored by apply, and an exported room reproduced under a new name.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use futures_util::TryStreamExt;

use intralinks_ext::types::{self, PermissionPermission};
use intralinks_ext::{Checked, FixedAnswers, Intralinks};
use intralinks_room::{self as room, Action, Kind, Options, RoomFile};
use intralinks_sim::Simulator;

const LPS: [&str; 10] = [
    "ABP", "CalPERS", "GIC", "Harvard", "Mass", "NBIM", "OTPP", "PGGM", "Temasek", "Yale",
];
const KINDS: [(&str, &str, PermissionPermission); 3] = [
    ("C", "Capital Calls", PermissionPermission::SeeAndDownload),
    ("D", "Distributions", PermissionPermission::SeeAndDownload),
    ("S", "Statements", PermissionPermission::See),
];

/// The room file of fund `n` (1..=3): 30 groups, 40 folders, 20 members.
pub fn fund(n: usize) -> String {
    let mut y = format!("workspace:\n  name: Hackathon Capital {n}\ngroups:\n");
    for lp in LPS {
        for (k, _, _) in KINDS {
            y.push_str(&format!("  - name: {lp}_{k}\n"));
        }
    }
    y.push_str("members:\n");
    for lp in LPS {
        for who in ["ann", "bob"] {
            y.push_str(&format!(
                "  - email: {who}.{}@fund{n}.example\n    first_name: {}\n    last_name: {lp}\n    role: REVIEWER\n    groups: [{lp}_C, {lp}_D, {lp}_S]\n",
                lp.to_lowercase(),
                if who == "ann" { "Ann" } else { "Bob" }
            ));
        }
    }
    y.push_str("folders:\n");
    for lp in LPS {
        for (k, sub, level) in KINDS {
            y.push_str(&format!(
                "  - path: {lp}/{sub}\n    permissions: {{{lp}_{k}: {level}}}\n"
            ));
        }
    }
    y
}

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

/// What a room holds, by listing: folder paths, group names, member
/// e-mails, (e-mail, group) links and (group, path, level) permissions.
#[derive(Debug, PartialEq)]
struct Listing {
    folders: Vec<String>,
    groups: Vec<String>,
    members: Vec<String>,
    links: BTreeSet<(String, String)>,
    permissions: BTreeSet<(String, String, PermissionPermission)>,
}

async fn listing(il: &Intralinks, ws: i64) -> Listing {
    let api = il.api();
    let folders = api
        .list_folders()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .folder;
    let by_id: BTreeMap<i64, &types::Folder> = folders.iter().map(|f| (f.id, f)).collect();
    let path = |id: i64| {
        let mut names = Vec::new();
        let mut at = Some(id);
        while let Some(f) = at.and_then(|i| by_id.get(&i)) {
            names.push(f.name.clone().unwrap());
            at = f.parent_id;
            assert!(names.len() < 16, "a folder chain that deep is a cycle");
        }
        names.reverse();
        names.join("/")
    };
    let groups = api
        .list_groups()
        .workspace_id(ws)
        .include_workspace_group_members(true)
        .send()
        .checked()
        .await
        .unwrap();
    let group_name: BTreeMap<i64, String> = groups
        .groups
        .iter()
        .map(|g| (g.id, g.group_name.clone().unwrap()))
        .collect();
    let users = api
        .list_workspace_members()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .users;
    let email: BTreeMap<i64, String> = users
        .iter()
        .map(|u| (u.id.unwrap(), u.email_id.clone().unwrap()))
        .collect();
    let permissions = api
        .list_permissions()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .permissions;
    let mut f: Vec<String> = folders.iter().map(|f| path(f.id)).collect();
    f.sort();
    let mut g: Vec<String> = group_name.values().cloned().collect();
    g.sort();
    let mut m: Vec<String> = email.values().cloned().collect();
    m.sort();
    Listing {
        folders: f,
        groups: g,
        members: m,
        links: groups
            .workspace_group_members
            .iter()
            .map(|l| {
                (
                    email[&l.workspace_user_id.unwrap()].clone(),
                    group_name[&l.workspace_group_id.unwrap()].clone(),
                )
            })
            .collect(),
        permissions: permissions
            .iter()
            .map(|p| {
                (
                    group_name[&p.group_id.unwrap()].clone(),
                    path(p.folder_id.unwrap()),
                    p.permission.unwrap(),
                )
            })
            .collect(),
    }
}

/// What fund `n` should hold, the demo user (its creator) included.
fn expected(n: usize) -> Listing {
    let mut folders = Vec::new();
    let mut groups = Vec::new();
    let mut members = vec!["demo@example.com".to_string()];
    let mut links = BTreeSet::new();
    let mut permissions = BTreeSet::new();
    for lp in LPS {
        folders.push(lp.to_string());
        for (k, sub, level) in KINDS {
            folders.push(format!("{lp}/{sub}"));
            groups.push(format!("{lp}_{k}"));
            permissions.insert((format!("{lp}_{k}"), format!("{lp}/{sub}"), level));
            for who in ["ann", "bob"] {
                links.insert((
                    format!("{who}.{}@fund{n}.example", lp.to_lowercase()),
                    format!("{lp}_{k}"),
                ));
            }
        }
        for who in ["ann", "bob"] {
            members.push(format!("{who}.{}@fund{n}.example", lp.to_lowercase()));
        }
    }
    folders.sort();
    groups.sort();
    members.sort();
    Listing {
        folders,
        groups,
        members,
        links,
        permissions,
    }
}

fn file(n: usize) -> RoomFile {
    RoomFile::parse(&fund(n), &format!("fund{n}.yaml")).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn three_funds_applied_from_files_then_nothing_to_do() {
    let (sim, il) = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut ids = Vec::new();
    for n in 1..=3 {
        let opts = Options::new(false).with_journal(dir.path().join(format!("fund{n}.journal")));
        let plan = room::plan(&il, &file(n), &opts).await.unwrap();
        assert_eq!(plan.workspace_id, None);
        // 1 workspace, 40 folders, 30 groups, 20 members, 60 memberships, 30 permissions.
        assert_eq!(plan.count(Action::Create), 181);
        assert_eq!(plan.changes.len(), 181);
        let applied = room::apply(&il, &file(n), &opts).await.unwrap();
        assert_eq!(applied.done.len(), 181);
        assert!(applied.not_removable.is_empty());
        ids.push(applied.workspace_id);
        let journal = room::Journal::open(&dir.path().join(format!("fund{n}.journal"))).unwrap();
        // Every object created is in the journal (memberships and permissions too).
        assert_eq!(journal.records().len(), 181);
        assert_eq!(
            journal.workspace(&format!("Hackathon Capital {n}")),
            Some(applied.workspace_id)
        );
    }
    for (i, ws) in ids.iter().enumerate() {
        assert_eq!(listing(&il, *ws).await, expected(i + 1), "fund {}", i + 1);
    }
    let before = writes(&sim).await;
    for n in 1..=3 {
        let opts = Options::new(true);
        let plan = room::plan(&il, &file(n), &opts).await.unwrap();
        assert_eq!(plan.workspace_id, Some(ids[n - 1]));
        assert!(plan.is_empty(), "fund {n}: {:?}", plan.changes);
        let again = room::apply(&il, &file(n), &opts).await.unwrap();
        assert!(again.done.is_empty(), "{:?}", again.done);
    }
    assert_eq!(writes(&sim).await, before, "a second apply sends no write");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn drift_behind_its_back_is_planned_and_restored() {
    let (sim, il) = common::start().await;
    let f = file(1);
    let ws = room::apply(&il, &f, &Options::new(false))
        .await
        .unwrap()
        .workspace_id;
    let api = il.api();
    let users = api
        .list_workspace_members()
        .workspace_id(ws)
        .email("ann.abp@fund1.example")
        .send()
        .checked()
        .await
        .unwrap()
        .users;
    assert_eq!(users.len(), 1);
    let ann = &users[0];
    let groups = api
        .list_groups()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .groups;
    let gid = |name: &str| {
        groups
            .iter()
            .find(|g| g.group_name.as_deref() == Some(name))
            .unwrap()
            .id
    };
    let folders = api
        .list_folders()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .folder;
    let statements = folders
        .iter()
        .find(|x| {
            x.name.as_deref() == Some("Statements")
                && folders
                    .iter()
                    .any(|p| Some(p.id) == x.parent_id && p.name.as_deref() == Some("GIC"))
        })
        .unwrap()
        .id;
    // Behind its back: Ann leaves the room (and so her three groups), GIC_S
    // may now download statements, and Ann's colleague Bob joins GIC_C.
    api.delete_workspace_members()
        .workspace_id(ws)
        .body(types::DeleteUsersRequest {
            users: vec![types::EntityRef {
                id: ann.id.unwrap(),
                version: ann.version.clone().unwrap(),
            }],
        })
        .send()
        .checked()
        .await
        .unwrap();
    api.create_permission()
        .workspace_id(ws)
        .body(types::Permission {
            id: None,
            document_id: None,
            folder_id: Some(statements),
            group_id: Some(gid("GIC_S")),
            permission: Some(PermissionPermission::SeeDownloadAndPrint),
        })
        .send()
        .checked()
        .await
        .unwrap();
    let bob = api
        .list_workspace_members()
        .workspace_id(ws)
        .email("bob.abp@fund1.example")
        .send()
        .checked()
        .await
        .unwrap()
        .users[0]
        .id
        .unwrap();
    api.add_group_members()
        .workspace_id(ws)
        .group_id(gid("GIC_C"))
        .body(types::AddGroupUsersRequest {
            users: vec![types::GroupMemberRef {
                workspace_user_id: bob,
            }],
        })
        .send()
        .checked()
        .await
        .unwrap();

    let plan = room::plan(&il, &f, &Options::new(true)).await.unwrap();
    let shown: Vec<(Action, Kind, String, Option<String>)> = plan
        .changes
        .iter()
        .map(|c| (c.action, c.kind, c.target.clone(), c.detail.clone()))
        .collect();
    let no_call = "the API has no call that removes one group membership; remove it in the Intralinks web interface";
    assert_eq!(
        shown,
        vec![
            (
                Action::Create,
                Kind::Member,
                "ann.abp@fund1.example".into(),
                Some("role REVIEWER".into())
            ),
            (
                Action::Create,
                Kind::Membership,
                "ann.abp@fund1.example in ABP_C".into(),
                None
            ),
            (
                Action::Create,
                Kind::Membership,
                "ann.abp@fund1.example in ABP_D".into(),
                None
            ),
            (
                Action::Create,
                Kind::Membership,
                "ann.abp@fund1.example in ABP_S".into(),
                None
            ),
            (
                Action::Change,
                Kind::Permission,
                "GIC_S on GIC/Statements".into(),
                Some("SEE_DOWNLOAD_AND_PRINT -> SEE".into())
            ),
            (
                Action::CannotRemove,
                Kind::Membership,
                "bob.abp@fund1.example in GIC_C".into(),
                Some(no_call.into())
            ),
        ]
    );
    let applied = room::apply(&il, &f, &Options::new(true)).await.unwrap();
    assert_eq!(applied.done.len(), 5);
    assert_eq!(applied.not_removable.len(), 1);
    let mut want = expected(1);
    want.links
        .insert(("bob.abp@fund1.example".into(), "GIC_C".into()));
    assert_eq!(listing(&il, ws).await, want);
    let after = room::plan(&il, &f, &Options::new(false)).await.unwrap();
    assert!(after.is_empty(), "{:?}", after.changes);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exported_room_applied_under_a_new_name_exports_the_same() {
    let (sim, il) = common::start().await;
    let entry = FixedAnswers::default();
    let original = room::export(&il, 701_421, &entry).await.unwrap();
    assert_eq!(original.workspace.id, Some(701_421));
    assert_eq!(original.groups.len(), 3);
    assert!(
        original
            .folders
            .iter()
            .any(|f| f.path == "Financials/FY2023/Q4")
    );
    // Two exports are the same text.
    let again = room::export(&il, 701_421, &entry).await.unwrap();
    assert_eq!(original.to_yaml().unwrap(), again.to_yaml().unwrap());

    let mut copy = original.clone();
    copy.workspace.id = None;
    copy.workspace.name = "Demo Copy".into();
    let text = copy.to_yaml().unwrap();
    let parsed = RoomFile::parse(&text, "copy.yaml").unwrap();
    let applied = room::apply(&il, &parsed, &Options::new(false))
        .await
        .unwrap();
    assert!(applied.not_removable.is_empty());
    let exported = room::export(&il, applied.workspace_id, &entry)
        .await
        .unwrap();
    assert_eq!(exported.workspace.name, "Demo Copy");
    assert_eq!(exported.workspace.id, Some(applied.workspace_id));
    let mut same = exported.clone();
    same.workspace = original.workspace.clone();
    assert_eq!(same.to_yaml().unwrap(), original.to_yaml().unwrap());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn splash_and_settings_are_applied_last_and_compared_after() {
    let (sim, il) = common::start().await;
    let text = "\
workspace:
  name: Gated Fund
  description: ''
  splash:
    text: Confidential. By entering you accept the NDA.
    accept_text: I accept
    required: true
  settings: {PVP_ENABLED: F, WATERMARK: T}
groups:
  - name: LP_C
folders:
  - path: LP/Capital Calls
    permissions: {LP_C: SEE}
";
    let f = RoomFile::parse(text, "gated.yaml").unwrap();
    let plan = room::plan(&il, &f, &Options::new(false)).await.unwrap();
    let tail: Vec<(Kind, String, Option<String>)> = plan.changes[plan.changes.len() - 2..]
        .iter()
        .map(|c| (c.kind, c.target.clone(), c.detail.clone()))
        .collect();
    assert_eq!(
        tail,
        vec![
            (
                Kind::Settings,
                "settings".into(),
                Some("PVP_ENABLED -> \"F\", WATERMARK -> \"T\"".into())
            ),
            (Kind::Splash, "splash".into(), Some("none yet".into())),
        ]
    );
    let applied = room::apply(&il, &f, &Options::new(false)).await.unwrap();
    assert_eq!(applied.done.len(), 7);
    let ws = applied.workspace_id;
    let splash = il
        .api()
        .get_splash()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .splash
        .unwrap();
    assert_eq!(
        splash.splash_text.as_deref(),
        Some("Confidential. By entering you accept the NDA.")
    );
    assert_eq!(splash.accept_text.as_deref(), Some("I accept"));
    assert_eq!(splash.splash_required, Some(true));

    // Now the room's content needs the splash accepted: without it, plan
    // stops with the entry error; with it, nothing is left to do.
    let e = room::plan(&il, &f, &Options::new(false)).await.unwrap_err();
    assert!(
        matches!(e, intralinks_ext::Error::EntryIncomplete { .. }),
        "{e}"
    );
    let accept = Options::new(false).with_entry(FixedAnswers {
        accept_splash: true,
        ..FixedAnswers::default()
    });
    let plan = room::plan(&il, &f, &accept).await.unwrap();
    assert!(plan.is_empty(), "{:?}", plan.changes);
    let exported = room::export(&il, ws, &FixedAnswers::default())
        .await
        .unwrap();
    assert_eq!(exported.workspace.description, None);
    assert_eq!(
        exported.workspace.splash,
        Some(room::SplashSpec {
            text: "Confidential. By entering you accept the NDA.".into(),
            accept_text: Some("I accept".into()),
            required: Some(true),
        })
    );
    assert_eq!(
        exported.workspace.settings,
        BTreeMap::from([
            ("PVP_ENABLED".to_string(), "F".to_string()),
            ("WATERMARK".to_string(), "T".to_string())
        ])
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_made_twice_by_hand_is_noted_and_never_made_again() {
    let (sim, il) = common::start().await;
    let f = file(3);
    let ws = room::apply(&il, &f, &Options::new(false))
        .await
        .unwrap()
        .workspace_id;
    let groups = il
        .api()
        .list_groups()
        .workspace_id(ws)
        .send()
        .checked()
        .await
        .unwrap()
        .groups;
    let first = groups
        .iter()
        .find(|g| g.group_name.as_deref() == Some("GIC_D"))
        .unwrap()
        .id;
    // The service accepts a second group of one name.
    let second = il
        .api()
        .create_group()
        .workspace_id(ws)
        .body(types::GroupInput {
            group_name: "GIC_D".into(),
            group_type: None,
            note: None,
            version: None,
        })
        .send()
        .checked()
        .await
        .unwrap()
        .group_partials[0]
        .id
        .unwrap();
    let plan = room::plan(&il, &f, &Options::new(true)).await.unwrap();
    assert!(plan.is_empty(), "{:?}", plan.changes);
    assert_eq!(
        plan.notes,
        vec![format!(
            "group \"GIC_D\" exists twice (ids {first} and {second}); only {first} is compared"
        )]
    );
    let before = writes(&sim).await;
    let again = room::apply(&il, &f, &Options::new(true)).await.unwrap();
    assert!(again.done.is_empty());
    assert_eq!(writes(&sim).await, before);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applies_of_one_room_at_once_make_one_workspace_and_every_object_once() {
    let (sim, il) = common::start().await;
    let locks = tempfile::tempdir().unwrap();
    let opts = Options::new(false).with_lock_dir(locks.path());
    let f = file(2);
    let (a, b) = tokio::join!(room::apply(&il, &f, &opts), room::apply(&il, &f, &opts));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.workspace_id, b.workspace_id);
    // One made all 181 objects; the other waited, then found them.
    let mut done = [a.done.len(), b.done.len()];
    done.sort();
    assert_eq!(done, [0, 181]);
    let named: Vec<i64> = il
        .list_all_workspaces()
        .map_ok(|w| (w.id, w.name.or(w.workspace_name).unwrap_or_default()))
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, n)| n == "Hackathon Capital 2")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(named, vec![a.workspace_id]);
    assert_eq!(listing(&il, a.workspace_id).await, expected(2));
    sim.shutdown().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_journal_that_is_a_symbolic_link_is_refused_and_its_target_left_alone() {
    let (sim, il) = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("profile");
    let journal = dir.path().join("fund1.journal");
    // A dangling link, as git would check one out.
    std::os::unix::fs::symlink(&target, &journal).unwrap();
    let opts = Options::new(false).with_journal(&journal);
    let e = room::apply(&il, &file(1), &opts).await.unwrap_err();
    assert!(
        matches!(
            e,
            intralinks_ext::Error::UnsafePath {
                what: "symbolic link",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!target.exists(), "nothing was written through the link");
    // Nothing was created either: the journal is opened first.
    assert_eq!(writes(&sim).await, 0);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reviewed_plan_is_applied_as_reviewed_or_not_at_all() {
    let (sim, il) = common::start().await;
    let f = file(1);
    let opts = Options::new(false);
    let ws = room::apply(&il, &f, &opts).await.unwrap().workspace_id;
    // Reviewed: nothing to do; kept as JSON, as a person would keep it.
    let reviewed = room::plan(&il, &f, &opts).await.unwrap();
    assert!(reviewed.is_empty());
    let kept = serde_json::to_string(&reviewed).unwrap();
    let reviewed: room::Plan = serde_json::from_str(&kept).unwrap();

    // Behind the plan's back, a group is renamed.
    room::rename_group(&il, ws, "ABP_C", "ABP_Z", false, &FixedAnswers::default())
        .await
        .unwrap();
    let before = writes(&sim).await;
    let e = room::apply_reviewed(&il, &f, &reviewed, &opts)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("changed since the plan was made (0 change(s) reviewed, ")
            && e.contains("nothing was sent"),
        "{e}"
    );
    assert_eq!(writes(&sim).await, before, "no write");

    // The plan made now is applied as it was read.
    let now = room::plan(&il, &f, &opts).await.unwrap();
    assert!(!now.is_empty());
    let applied = room::apply_reviewed(&il, &f, &now, &opts).await.unwrap();
    assert_eq!(applied.done.len(), now.changes.len());
    assert!(room::plan(&il, &f, &opts).await.unwrap().is_empty());
    sim.shutdown().await;
}
