//! A group's level on one document: in a room file (planned, applied,
//! planned again with no change, exported), and one-off (`ensure` with a
//! document's path) — against the simulator, exact values.

use crate::common;

use intralinks_ext::types::PermissionPermission;
use intralinks_ext::{Checked, FixedAnswers};
use intralinks_room::{self as room, Action, Kind, Options, RoomFile};
use intralinks_sim::demo;

const WS: i64 = demo::MAIN_WORKSPACE;

/// The demo room's groups and one level on the NDA and one on a document
/// that is not there.
const FILE: &str = "workspace:
  name: Demo API Workspace
  id: 701421
groups:
  - name: Internal
  - name: 1. Interest
  - name: 2. Commit
documents:
  - path: Legal/Contracts/Mutual NDA.txt
    permissions: {2. Commit: SEE, 1. Interest: SEE_AND_DOWNLOAD}
  - path: Legal/Contracts/Side letter.pdf
    permissions: {2. Commit: SEE}
";

/// Each (target, action, detail) of a plan's changes.
fn shown(changes: &[room::Change]) -> Vec<(String, Action, Option<String>)> {
    changes
        .iter()
        .map(|c| (c.target.clone(), c.action, c.detail.clone()))
        .collect()
}

#[tokio::test]
async fn a_room_file_gives_a_group_a_level_on_one_document() {
    let (sim, il) = common::start().await;
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    let file = RoomFile::parse(FILE, "demo.yaml").unwrap();
    let plan = room::plan(&il, &file, &Options::new(false)).await.unwrap();
    assert_eq!(
        shown(&plan.changes),
        [
            (
                "1. Interest on Legal/Contracts/Mutual NDA.txt".to_string(),
                Action::Create,
                Some("SEE_AND_DOWNLOAD".to_string())
            ),
            (
                "2. Commit on Legal/Contracts/Mutual NDA.txt".to_string(),
                Action::Create,
                Some("SEE".to_string())
            ),
        ]
    );
    assert!(plan.changes.iter().all(|c| c.kind == Kind::Permission));
    assert_eq!(
        plan.notes,
        [
            "document \"Legal/Contracts/Side letter.pdf\" is not in the room, so its permissions are left alone: a room file does not create documents; upload it, then plan again"
        ]
    );

    let applied = room::apply(&il, &file, &Options::new(false)).await.unwrap();
    assert_eq!(applied.done.len(), 2);
    let listed = il
        .api()
        .list_document_permissions()
        .workspace_id(WS)
        .document_id(demo::DOC_NDA)
        .send()
        .checked()
        .await
        .unwrap()
        .permissions;
    let mut own: Vec<(i64, PermissionPermission)> = listed
        .iter()
        .filter(|p| p.document_id == Some(demo::DOC_NDA))
        .map(|p| (p.group_id.unwrap(), p.permission.unwrap()))
        .collect();
    own.sort();
    assert_eq!(
        own,
        [
            (demo::GROUP_INTEREST, PermissionPermission::SeeAndDownload),
            (demo::GROUP_COMMIT, PermissionPermission::See),
        ]
    );

    // Applied, the plan is empty; a level raised by hand is put back.
    let again = room::plan(&il, &file, &Options::new(false)).await.unwrap();
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    let raise = room::permission_request(
        "Legal/Contracts/Mutual NDA.txt",
        "2. Commit",
        PermissionPermission::SeeDownloadAndPrint,
    );
    let done = room::ensure(&il, WS, &raise, false, &FixedAnswers::default())
        .await
        .unwrap();
    assert_eq!(
        shown(&done),
        [(
            "2. Commit on Legal/Contracts/Mutual NDA.txt".to_string(),
            Action::Change,
            Some("SEE -> SEE_DOWNLOAD_AND_PRINT".to_string())
        )]
    );
    let drift = room::plan(&il, &file, &Options::new(true)).await.unwrap();
    assert_eq!(
        shown(&drift.changes)
            .into_iter()
            .filter(|(t, _, _)| t.contains("NDA"))
            .collect::<Vec<_>>(),
        [(
            "2. Commit on Legal/Contracts/Mutual NDA.txt".to_string(),
            Action::Change,
            Some("SEE_DOWNLOAD_AND_PRINT -> SEE".to_string())
        )]
    );

    // The export names the document with its own levels only.
    let exported = room::export(&il, WS, &FixedAnswers::default())
        .await
        .unwrap();
    assert_eq!(exported.documents.len(), 1);
    assert_eq!(exported.documents[0].path, "Legal/Contracts/Mutual NDA.txt");
    assert_eq!(
        exported.documents[0]
            .permissions
            .iter()
            .map(|(g, l)| (g.as_str(), *l))
            .collect::<Vec<_>>(),
        [
            ("1. Interest", PermissionPermission::SeeAndDownload),
            ("2. Commit", PermissionPermission::SeeDownloadAndPrint),
        ]
    );
    let yaml = exported.to_yaml().unwrap();
    assert!(
        yaml.contains("documents:\n- path: Legal/Contracts/Mutual NDA.txt\n  permissions:\n    1. Interest: SEE_AND_DOWNLOAD\n    2. Commit: SEE_DOWNLOAD_AND_PRINT\n"),
        "{yaml}"
    );
    assert_eq!(RoomFile::parse(&yaml, "export").unwrap(), exported);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_one_off_grant_takes_a_document_path_and_names_what_is_missing() {
    let (sim, il) = common::start().await;
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    let want = room::permission_request(
        "Financials/Read me.txt",
        "2. Commit",
        PermissionPermission::See,
    );
    let dry = room::ensure(&il, WS, &want, true, &FixedAnswers::default())
        .await
        .unwrap();
    assert_eq!(
        shown(&dry),
        [(
            "2. Commit on Financials/Read me.txt".to_string(),
            Action::Create,
            Some("SEE".to_string())
        )]
    );
    room::ensure(&il, WS, &want, false, &FixedAnswers::default())
        .await
        .unwrap();
    let again = room::ensure(&il, WS, &want, false, &FixedAnswers::default())
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");

    let missing = room::permission_request(
        "Financials/Nothing.txt",
        "2. Commit",
        PermissionPermission::See,
    );
    let e = room::ensure(&il, WS, &missing, false, &FixedAnswers::default())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "workspace 701421 has no folder or document \"Financials/Nothing.txt\"; check the path (names from the top, separated by '/'; a document's is its folder's path, '/', its name)"
    );
    sim.shutdown().await;
}

#[test]
fn a_document_path_is_whole_and_its_groups_declared() {
    let bad = |yaml: &str| RoomFile::parse(yaml, "f.yaml").unwrap_err().to_string();
    assert!(
        bad("workspace: {name: R}\ndocuments:\n  - path: Loose.pdf\n")
            .contains("document path \"Loose.pdf\" is not a folder's path, '/', a name"),
    );
    assert!(
        bad("workspace: {name: R}\ndocuments:\n  - path: A/b.pdf\n    permissions: {G: SEE}\n")
            .contains("document \"A/b.pdf\" gives a permission to group \"G\", which is not declared under groups"),
    );
    assert!(
        bad("workspace: {name: R}\ndocuments:\n  - path: A/b.pdf\n  - path: A//b.pdf\n")
            .contains("has an empty name")
            || bad("workspace: {name: R}\ndocuments:\n  - path: A/b.pdf\n  - path: A//b.pdf\n")
                .contains("not a folder's path"),
    );
    assert!(
        bad("workspace: {name: R}\ndocuments:\n  - path: A/b.pdf\n  - path: A/b.pdf\n")
            .contains("document \"A/b.pdf\" is listed twice"),
    );
}
