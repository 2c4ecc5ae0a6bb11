use std::io::Write;

use intralinks_ext::types::PermissionPermission;

use super::*;
use crate::change::Op;
use crate::diff::diff;
use crate::export::exportable;
use crate::observe::{FolderObs, GroupObs, MemberObs, Observed};

const FILE: &str = "\
workspace:
  name: Hackathon Capital I
groups:
  - name: ABP_C
  - name: ABP_D
members:
  - email: ann.lee@abp.example
    first_name: Ann
    last_name: Lee
    role: REVIEWER
    groups: [ABP_C, ABP_D]
folders:
  - path: ABP/Capital Calls
    permissions: {ABP_C: SEE_AND_DOWNLOAD}
";

fn error(text: &str) -> String {
    RoomFile::parse(text, "room.yaml").unwrap_err().to_string()
}

#[test]
fn a_file_parses_to_exact_values() {
    let f = RoomFile::parse(FILE, "room.yaml").unwrap();
    assert_eq!(f.workspace.name, "Hackathon Capital I");
    assert_eq!(f.workspace.id, None);
    assert_eq!(f.groups.len(), 2);
    assert_eq!(f.members[0].groups, vec!["ABP_C", "ABP_D"]);
    assert_eq!(
        f.folders[0].permissions.get("ABP_C"),
        Some(&PermissionPermission::SeeAndDownload)
    );
    assert_eq!(
        f.all_paths(),
        vec![
            vec!["ABP".to_string()],
            vec!["ABP".to_string(), "Capital Calls".to_string()]
        ]
    );
    // What to_yaml writes parses back to the same.
    assert_eq!(RoomFile::parse(&f.to_yaml().unwrap(), "x").unwrap(), f);
}

#[test]
fn an_unknown_key_is_an_error_naming_its_line() {
    let bad = FILE.replace("    role: REVIEWER", "    rol: REVIEWER");
    let e = error(&bad);
    assert!(
        e.starts_with("room.yaml: members[0]: unknown field `rol`, expected one of"),
        "{e}"
    );
    assert!(e.contains("at line 10 column 5; fix the file"), "{e}");
    let e = error("workspace:\n  name: X\n  colour: red\n");
    assert!(
        e.contains("unknown field `colour`") && e.contains("line 3"),
        "{e}"
    );
}

#[test]
fn wrong_levels_undeclared_groups_and_duplicates_are_errors() {
    let e = error(&FILE.replace("SEE_AND_DOWNLOAD", "EVERYTHING"));
    assert!(
        e.contains("unknown variant `EVERYTHING`") && e.contains("line 14"),
        "{e}"
    );
    let e = error(&FILE.replace("[ABP_C, ABP_D]", "[ABP_C, ABP_X]"));
    assert!(e.contains("group \"ABP_X\", which is not declared"), "{e}");
    let e = error(&FILE.replace("{ABP_C:", "{ABP_Z:"));
    assert!(e.contains("group \"ABP_Z\", which is not declared"), "{e}");
    let e = error(&FILE.replace("  - name: ABP_D", "  - name: ABP_C"));
    assert!(e.contains("group \"ABP_C\" is declared twice"), "{e}");
    let e = error(&FILE.replace("ABP/Capital Calls", "ABP//Capital Calls"));
    assert!(e.contains("has an empty name"), "{e}");
    let e = error(&FILE.replace("ann.lee@abp.example", "ann.lee"));
    assert!(e.contains("is not one plain e-mail address"), "{e}");
    let e = error("groups: []\n");
    assert!(e.contains("missing field `workspace`"), "{e}");
    let e = error(&FILE.replace(
        "{ABP_C: SEE_AND_DOWNLOAD}",
        "{ABP_C: SEE_AND_DOWNLOAD, ABP_C: SEE}",
    ));
    assert!(
        e.contains("duplicate entry") && e.contains("line 14"),
        "{e}"
    );
}

fn observed() -> Observed {
    let mut o = Observed {
        name: "Hackathon Capital I".into(),
        ..Observed::default()
    };
    let abp = vec!["ABP".to_string()];
    let calls = vec!["ABP".to_string(), "Capital Calls".to_string()];
    for (id, p) in [(1, &abp), (2, &calls)] {
        o.folders.insert(
            p.clone(),
            FolderObs {
                id,
                version: "v".into(),
            },
        );
        o.paths.insert(id, p.clone());
    }
    for (id, n) in [(10, "ABP_C"), (11, "ABP_D")] {
        o.groups.insert(
            n.into(),
            GroupObs {
                id,
                name: n.into(),
                version: "v".into(),
                kind: Some("WORKSPACE".into()),
            },
        );
    }
    o.members.insert(
        "ann.lee@abp.example".into(),
        MemberObs {
            id: 20,
            email: "ann.lee@abp.example".into(),
            version: "v".into(),
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            organization: String::new(),
            role: "REVIEWER".into(),
        },
    );
    o.memberships.insert((10, 20));
    o.memberships.insert((11, 20));
    o.permissions
        .insert((2, 10), PermissionPermission::SeeAndDownload);
    o
}

fn summary(changes: &[Change]) -> Vec<String> {
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

#[test]
fn a_new_room_is_created_in_dependency_order() {
    let f = RoomFile::parse(FILE, "room.yaml").unwrap();
    assert_eq!(
        summary(&diff(&f, None, true)),
        vec![
            "Create Workspace Hackathon Capital I",
            "Create Folder ABP",
            "Create Folder ABP/Capital Calls",
            "Create Group ABP_C",
            "Create Group ABP_D",
            "Create Member ann.lee@abp.example (role REVIEWER)",
            "Create Membership ann.lee@abp.example in ABP_C",
            "Create Membership ann.lee@abp.example in ABP_D",
            "Create Permission ABP_C on ABP/Capital Calls (SEE_AND_DOWNLOAD)",
        ]
    );
}

#[test]
fn a_matching_room_plans_nothing_and_drift_is_shown() {
    let f = RoomFile::parse(FILE, "room.yaml").unwrap();
    let o = observed();
    assert_eq!(summary(&diff(&f, Some(&o), true)), Vec::<String>::new());

    let mut drifted = observed();
    drifted.memberships.remove(&(11, 20));
    drifted
        .permissions
        .insert((2, 10), PermissionPermission::See);
    drifted
        .permissions
        .insert((1, 11), PermissionPermission::See);
    drifted.members.get_mut("ann.lee@abp.example").unwrap().role = "MANAGER".into();
    drifted.groups.insert(
        "OLD".into(),
        GroupObs {
            id: 12,
            name: "OLD".into(),
            version: "v9".into(),
            kind: None,
        },
    );
    drifted.memberships.insert((12, 20));
    assert_eq!(
        summary(&diff(&f, Some(&drifted), false)),
        vec![
            "Change Member ann.lee@abp.example (role \"MANAGER\" -> \"REVIEWER\")",
            "Create Membership ann.lee@abp.example in ABP_D",
            "Change Permission ABP_C on ABP/Capital Calls (SEE -> SEE_AND_DOWNLOAD)",
        ]
    );
    // With prune: what the API cannot remove is listed, except what
    // goes with a removed group (OLD's membership).
    let mut f2 = f.clone();
    f2.members[0].groups = vec!["ABP_C".into()];
    let mut o2 = observed();
    o2.permissions.insert((1, 11), PermissionPermission::See);
    o2.groups.insert(
        "OLD".into(),
        GroupObs {
            id: 12,
            name: "OLD".into(),
            version: "v9".into(),
            kind: None,
        },
    );
    o2.memberships.insert((12, 20));
    let pruned = diff(&f2, Some(&o2), true);
    assert_eq!(
        summary(&pruned),
        vec![
            "CannotRemove Membership ann.lee@abp.example in ABP_D (the API has no call that removes one group membership; remove it in the Intralinks web interface)",
            "CannotRemove Permission ABP_D on ABP (the API has no call that removes a permission (SEE); remove it in the Intralinks web interface)",
            "Remove Group OLD",
        ]
    );
    assert_eq!(
        pruned[2].op,
        Op::DeleteGroup {
            id: 12,
            version: "v9".into()
        }
    );
}

#[test]
fn a_room_found_by_id_is_renamed_and_keeps_its_description() {
    let mut f = RoomFile::parse(FILE, "room.yaml").unwrap();
    f.workspace.id = Some(5);
    f.workspace.name = "Hackathon Capital II".into();
    let mut o = observed();
    o.description = Some("kept".into());
    let changes = diff(&f, Some(&o), false);
    assert_eq!(
        summary(&changes),
        vec![
            "Change Workspace Hackathon Capital II (name \"Hackathon Capital I\" -> \"Hackathon Capital II\")"
        ]
    );
    assert_eq!(
        changes[0].op,
        Op::UpdateWorkspace {
            name: "Hackathon Capital II".into(),
            description: Some("kept".into()),
            host: None,
            phase: None,
        }
    );
    // A description "" in the file is the same as none on the service.
    f.workspace.name = "Hackathon Capital I".into();
    f.workspace.description = Some(String::new());
    assert!(diff(&f, Some(&observed()), false).is_empty());
}

const HACKATHON: &str = "\
workspace:
  name: Hackathon Capital I
  template: 194471
  host: Hackathon
  phase: PREPARATION
";

#[test]
fn template_host_and_phase_parse_and_a_new_room_is_created_with_them() {
    let f = RoomFile::parse(HACKATHON, "room.yaml").unwrap();
    assert_eq!(f.workspace.template, Some(194_471));
    assert_eq!(f.workspace.host.as_deref(), Some("Hackathon"));
    assert_eq!(f.workspace.phase, Some(Phase::Preparation));
    assert_eq!(RoomFile::parse(&f.to_yaml().unwrap(), "x").unwrap(), f);
    assert_eq!(
        summary(&diff(&f, None, false)),
        vec![
            "Create Workspace Hackathon Capital I (template 194471, host \"Hackathon\", phase PREPARATION)"
        ]
    );
    let e = error(&HACKATHON.replace("PREPARATION", "CLOSED"));
    assert!(
        e.starts_with("room.yaml: workspace.phase: unknown variant `CLOSED`, expected one of `OPEN`, `PREPARATION`, `HOLD` at line 5"),
        "{e}"
    );
    assert_eq!(
        error(&HACKATHON.replace("Hackathon\n", "' '\n")),
        "room.yaml: workspace.host is empty; name the host, or leave the key out"
    );
    assert_eq!(
        error(&HACKATHON.replace("194471", "0")),
        "room.yaml: workspace.template must be a template's id (a positive number); correct it, or leave the key out"
    );
}

#[test]
fn a_phase_or_host_that_differs_is_one_update_sending_only_what_changes() {
    let f = RoomFile::parse(HACKATHON, "room.yaml").unwrap();
    let mut o = Observed {
        name: "Hackathon Capital I".into(),
        host: "Hackathon".into(),
        phase: "OPEN".into(),
        template: Some(194_471),
        ..Observed::default()
    };
    let changes = diff(&f, Some(&o), false);
    assert_eq!(
        summary(&changes),
        vec!["Change Workspace Hackathon Capital I (phase OPEN -> PREPARATION)"]
    );
    assert_eq!(
        changes[0].op,
        Op::UpdateWorkspace {
            name: "Hackathon Capital I".into(),
            description: None,
            host: None,
            phase: Some(Phase::Preparation),
        }
    );
    o.phase = "PREPARATION".into();
    o.host = "Intralinks".into();
    let changes = diff(&f, Some(&o), false);
    assert_eq!(
        summary(&changes),
        vec!["Change Workspace Hackathon Capital I (host \"Intralinks\" -> \"Hackathon\")"]
    );
    assert_eq!(
        changes[0].op,
        Op::UpdateWorkspace {
            name: "Hackathon Capital I".into(),
            description: None,
            host: Some("Hackathon".into()),
            phase: None,
        }
    );
    // Another template is noted, never sent: it cannot be changed.
    o.host = "Hackathon".into();
    o.template = Some(554_961);
    assert!(diff(&f, Some(&o), false).is_empty());
    assert_eq!(
        crate::diff::template_note(&f, &o).as_deref(),
        Some(
            "the workspace was made from template 554961, the file names template 194471; a workspace's template cannot be changed, so this is left as it is"
        )
    );
    o.template = Some(194_471);
    assert_eq!(crate::diff::template_note(&f, &o), None);
}

#[test]
fn members_from_csv_read_exact_values_and_refuse_unknown_columns() {
    let m = members_from_csv(
        "\u{feff}email,first_name,role,groups\nann@x.example, Ann ,REVIEWER,A; B\nbo@x.example,,,\n",
        "m.csv",
    )
    .unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].email, "ann@x.example");
    assert_eq!(m[0].first_name.as_deref(), Some("Ann"));
    assert_eq!(m[0].groups, vec!["A", "B"]);
    assert_eq!(m[1].role, None);
    assert!(m[1].groups.is_empty());
    let e = members_from_csv("email,colour\n", "m.csv")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "m.csv: unknown column \"colour\"; the columns are email, first_name, last_name, organization, role, groups"
    );
    let e = members_from_csv("role\nREVIEWER\n", "m.csv")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "m.csv: the header has no email column; add one");
    let e = members_from_csv("email,role\n,REVIEWER\n", "m.csv")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "m.csv: row 2 has no e-mail; fill it in");
}

#[test]
fn what_a_file_cannot_say_is_not_exported() {
    assert!(exportable(&observed()).is_ok());
    let mut o = observed();
    o.folders.insert(
        vec!["A/B".into()],
        FolderObs {
            id: 3,
            version: "v".into(),
        },
    );
    assert_eq!(
        exportable(&o).unwrap_err().to_string(),
        "folder 3 is named \"A/B\", with a '/', which a room file cannot express; fix it in the room, then export again"
    );
    let mut o = observed();
    o.folders.insert(
        vec!["ABP".into(), " ".into()],
        FolderObs {
            id: 4,
            version: "v".into(),
        },
    );
    assert!(
        exportable(&o)
            .unwrap_err()
            .to_string()
            .starts_with("folder 4 has an empty name")
    );
    let mut o = observed();
    o.members.get_mut("ann.lee@abp.example").unwrap().email = String::new();
    assert!(
        exportable(&o)
            .unwrap_err()
            .to_string()
            .starts_with("member 20 has no e-mail")
    );
}

#[test]
fn prune_spares_owners_and_removes_folders_deepest_first() {
    let f = RoomFile::parse("workspace: {name: Hackathon Capital I}\n", "r").unwrap();
    let mut o = observed();
    o.members.get_mut("ann.lee@abp.example").unwrap().role = OWNER_ROLE.into();
    o.memberships.clear();
    o.permissions.clear();
    o.groups.clear();
    assert_eq!(
        summary(&diff(&f, Some(&o), true)),
        vec![
            "Remove Folder ABP/Capital Calls (only when empty: documents are never deleted)",
            "Remove Folder ABP (only when empty: documents are never deleted)",
        ]
    );
    assert!(diff(&f, Some(&o), false).is_empty());
}

#[test]
fn a_torn_last_journal_line_is_cut_off_and_a_broken_whole_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("room.yaml.journal");
    let mut j = Journal::open(&p).unwrap();
    j.append(Record {
        room: "R".into(),
        kind: "workspace".into(),
        name: "R".into(),
        workspace_id: 7,
        id: Some(7),
    })
    .unwrap();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&p)
        .unwrap()
        .write_all(b"{\"room\":\"R\",\"ki")
        .unwrap();
    let mut j = Journal::open(&p).unwrap();
    assert_eq!(j.workspace("R"), Some(7));
    assert_eq!(j.workspace("S"), None);
    j.append(Record {
        room: "R".into(),
        kind: "group".into(),
        name: "G".into(),
        workspace_id: 7,
        id: Some(8),
    })
    .unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(text.lines().count(), 2, "the torn line is gone: {text}");
    assert_eq!(Journal::open(&p).unwrap().records().len(), 2);
    std::fs::write(&p, format!("garbage\n{text}")).unwrap();
    let e = Journal::open(&p).unwrap_err().to_string();
    assert!(e.contains("broken line 1"), "{e}");
}

#[test]
fn an_import_of_anything_but_plain_addresses_is_refused_before_it_is_sent() {
    for bad in [
        "a@",
        "@b.example",
        "a b@c.example",
        "<a@b.example>",
        "\"a@b.example, c@d.example\"",
        "mailto:a@b.example",
        "\"a@b.example\r\nBcc: x@y.example\"",
        "a\t@b.example",
        "a\u{1b}[2J@b.example",
    ] {
        let csv = format!("email,role\nok@lp.example,REVIEWER\n{bad},REVIEWER\n");
        let e = crate::members_from_csv(&csv, "m.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("row 3 has") && e.contains("not one plain e-mail address"),
            "{bad:?}: {e}"
        );
    }
    let good = crate::members_from_csv("email\nAnn.Lee@lp.example\n", "m.csv").unwrap();
    assert_eq!(good[0].email, "Ann.Lee@lp.example");
}

#[test]
fn an_alias_bomb_deep_brackets_and_a_huge_file_are_refused_before_parsing() {
    // One 1 MiB string named 3,000 times: 3 GiB once expanded.
    let mut bomb = format!(
        "x: &big \"{}\"\nworkspace:\n  name: X\nmembers:\n",
        "a".repeat(1 << 20)
    );
    for _ in 0..3000 {
        bomb.push_str("  - {email: *big}\n");
    }
    let started = std::time::Instant::now();
    let e = RoomFile::parse(&bomb, "bomb.yaml").unwrap_err().to_string();
    assert!(
        e.contains("line 5: a YAML alias (*name) is not allowed"),
        "{e}"
    );
    let deep = format!(
        "workspace: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let e = RoomFile::parse(&deep, "deep.yaml").unwrap_err().to_string();
    assert!(e.contains("line 1: brackets nest more than 32 deep"), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));

    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.yaml");
    std::fs::write(&huge, vec![b'#'; crate::ROOM_FILE_LIMIT + 10]).unwrap();
    let e = RoomFile::load(&huge).unwrap_err().to_string();
    assert!(e.contains("larger than 4 MiB"), "{e}");
}

#[test]
fn stars_quotes_and_anchors_that_are_not_aliases_still_parse() {
    let text = "workspace:\n  name: 'Fund *A* 5 * 3'\n  description: |\n    - *not an alias*\n    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n  # *comment\ngroups:\n  - &g {name: \"*quoted\"}\n  - name: O'Neil *team*\n";
    let f = RoomFile::parse(text, "ok.yaml").unwrap();
    assert_eq!(f.workspace.name, "Fund *A* 5 * 3");
    assert_eq!(
        f.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["*quoted", "O'Neil *team*"]
    );
}
