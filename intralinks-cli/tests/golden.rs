//! Golden files: what `intralinks` prints, held in `tests/snapshots` and
//! reviewed like any insta snapshot — the `--help` of every command of the
//! tree, the man pages `intralinks man` prints, the tables of `workspaces`,
//! `folders`, `documents`, `groups` and `users`, the summaries of `mirror`
//! and `push` (and of their dry runs), and `room plan`, each against the
//! embedded simulator (`--sim`).
//!
//! A change to what the command prints fails here until the snapshot is
//! regenerated and read: `INSTA_UPDATE=always cargo test -p intralinks-cli
//! --test integration golden`, then `git diff intralinks-cli/tests/snapshots` (or
//! `cargo insta review`). Under `CI=true` an unreviewed snapshot fails.
//! What changes from run to run — the temporary directory, the simulator's
//! port, the version in the man pages — is replaced by a `[NAME]` first.

use std::path::Path;
use std::process::{Command, Output};

use crate::common;
use common::{err, out};

/// The binary in `cwd` with an empty environment: no credentials, no base
/// URL, a session file of its own.
fn bare(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intralinks"))
        .current_dir(cwd)
        .env_clear()
        .env("INTRALINKS_SESSION_FILE", cwd.join("session.json"))
        .args(args)
        .output()
        .unwrap()
}

/// `text` with what differs between runs replaced: `dir` (as given and
/// canonical) by `[TMP]`, the simulator's `http://127.0.0.1:PORT` by
/// `http://[SIM]`, and this version by `[VERSION]`.
fn stable(text: &str, dir: &Path) -> String {
    let mut text = text.to_string();
    let mut dirs = vec![dir.display().to_string()];
    if let Ok(real) = dir.canonicalize() {
        dirs.push(real.display().to_string());
    }
    // The longer first, in case one holds the other.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.len()));
    for d in dirs {
        text = text.replace(&d, "[TMP]");
    }
    // The man pages' title line and VERSION section.
    let version = env!("CARGO_PKG_VERSION");
    text = text
        .replace(&format!(" {version}\""), " [VERSION]\"")
        .replace(
            &format!(".SH VERSION\nv{version}"),
            ".SH VERSION\nv[VERSION]",
        );
    let sim = "http://127.0.0.1:";
    let mut shown = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(sim) {
        shown.push_str(&rest[..at]);
        shown.push_str("http://[SIM]");
        rest = rest[at + sim.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    shown.push_str(rest);
    shown
}

/// One run as a golden file: the command line, the exit status, stdout and
/// stderr, made stable.
fn transcript(args: &[&str], o: &Output, dir: &Path) -> String {
    stable(
        &format!(
            "$ intralinks {}\nexit status: {}\n--- stdout\n{}--- stderr\n{}",
            args.join(" "),
            o.status
                .code()
                .map_or("none".to_string(), |c| c.to_string()),
            out(o),
            err(o)
        ),
        dir,
    )
}

/// The snapshot name of a subcommand path: `report access` → `report_access`.
fn name_of(kind: &str, path: &[String]) -> String {
    std::iter::once(kind.to_string())
        .chain(path.iter().cloned())
        .collect::<Vec<_>>()
        .join("_")
}

/// The subcommands a help text lists under `Commands:` (clap's own `help`
/// left out).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// Every subcommand path of the tree, depth first, the command itself
/// (the empty path) first; read from the `Commands:` of each `--help`.
fn tree(dir: &Path) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut to_visit = vec![Vec::<String>::new()];
    while let Some(path) = to_visit.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let o = bare(&args, dir);
        assert!(o.status.success(), "{args:?}: {}", err(&o));
        for sub in subcommands(&out(&o)).into_iter().rev() {
            let mut next = path.clone();
            next.push(sub);
            to_visit.push(next);
        }
        found.push(path);
    }
    found
}

#[test]
fn the_help_of_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let paths = tree(dir.path());
    // Every group and every leaf: the tree is not read from one page only.
    assert!(paths.len() >= 38, "{paths:?}");
    for want in [
        &["report", "access"][..],
        &["auth", "status"],
        &["groups", "create"],
    ] {
        assert!(paths.iter().any(|p| p == want), "{want:?} in {paths:?}");
    }
    for path in &paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let o = bare(&args, dir.path());
        assert_eq!(err(&o), "", "{args:?}");
        insta::assert_snapshot!(name_of("help", path), stable(&out(&o), dir.path()));
    }
}

#[test]
fn the_man_page_of_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for path in tree(dir.path()) {
        let mut args = vec!["man"];
        args.extend(path.iter().map(String::as_str));
        let o = bare(&args, dir.path());
        assert!(o.status.success(), "{args:?}: {}", err(&o));
        assert_eq!(err(&o), "", "{args:?}");
        insta::assert_snapshot!(name_of("man", &path), stable(&out(&o), dir.path()));
    }
}

#[test]
fn the_tables() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("table_workspaces", &["--sim", "workspaces"][..]),
        ("table_folders", &["--sim", "folders", "701421"]),
        ("table_documents", &["--sim", "documents", "701421"]),
        ("table_groups", &["--sim", "groups", "701421"]),
        ("table_users", &["--sim", "users", "701421"]),
    ] {
        let o = bare(args, dir.path());
        assert!(o.status.success(), "{args:?}: {}", err(&o));
        insta::assert_snapshot!(name, transcript(args, &o, dir.path()));
    }
}

/// The files under `dir` (the engine's state directory left out), one line
/// each with its size, sorted.
fn files(dir: &Path) -> String {
    fn walk(dir: &Path, prefix: &str, lines: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == ".intralinks-sync" {
                continue;
            }
            let path = format!("{prefix}{name}");
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                walk(&entry.path(), &format!("{path}/"), lines);
            } else {
                lines.push(format!("{path} ({} bytes)", meta.len()));
            }
        }
    }
    let mut lines = Vec::new();
    walk(dir, "", &mut lines);
    lines.sort();
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn the_mirror_summaries() {
    let dir = tempfile::tempdir().unwrap();
    // Financials: three documents, 3 MiB; the room's 1 GiB tape stays out.
    let dry_run = [
        "--sim",
        "-q",
        "mirror",
        "701421",
        "dataroom",
        "--folder",
        "4714065398",
        "--dry-run",
    ];
    let o = bare(&dry_run, dir.path());
    assert!(o.status.success(), "{}", err(&o));
    insta::assert_snapshot!("mirror_dry_run", transcript(&dry_run, &o, dir.path()));

    let mirror = &dry_run[..dry_run.len() - 1];
    let o = bare(mirror, dir.path());
    assert!(o.status.success(), "{}", err(&o));
    let golden = format!(
        "{}--- files\n{}",
        transcript(mirror, &o, dir.path()),
        files(&dir.path().join("dataroom"))
    );
    insta::assert_snapshot!("mirror", golden);
}

#[test]
fn the_push_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let outgoing = dir.path().join("outgoing");
    std::fs::create_dir_all(outgoing.join("Drafts")).unwrap();
    std::fs::write(
        outgoing.join("Term sheet.txt"),
        b"term sheet, first draft\n",
    )
    .unwrap();
    std::fs::write(
        outgoing.join("Drafts/SPA v1.txt"),
        b"share purchase agreement\n",
    )
    .unwrap();
    // Into Legal, which holds Contracts/Mutual NDA.txt.
    let dry_run = [
        "--sim",
        "-q",
        "push",
        "701421",
        "outgoing",
        "--folder",
        "4714065399",
        "--dry-run",
    ];
    let o = bare(&dry_run, dir.path());
    assert!(o.status.success(), "{}", err(&o));
    insta::assert_snapshot!("push_dry_run", transcript(&dry_run, &o, dir.path()));

    let push = &dry_run[..dry_run.len() - 1];
    let o = bare(push, dir.path());
    assert!(o.status.success(), "{}", err(&o));
    insta::assert_snapshot!("push", transcript(push, &o, dir.path()));
}

/// A small room file for the demo workspace: some of it as the room has
/// it, a group, a member and a folder to create, a member and a level to
/// change.
const ROOM: &str = "\
workspace:
  name: Demo API Workspace
  id: 701421
groups:
  - name: Internal
  - name: 1. Interest
  - name: Advisers
members:
  - email: demo@example.com
    groups: [Internal]
  - email: bob.review@example.com
    role: REVIEWER
    groups: [1. Interest, Advisers]
  - email: erin.adviser@example.com
    first_name: Erin
    last_name: Adviser
    organization: Adviser LLP
    role: REVIEWER
    groups: [Advisers]
folders:
  - path: Financials
    permissions:
      Internal: SEE_DOWNLOAD_AND_PRINT
  - path: Financials/FY2023
    permissions:
      1. Interest: SEE_AND_DOWNLOAD
  - path: Advisers/Reports
    permissions:
      Advisers: SEE
";

#[test]
fn the_room_plans() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("room.yaml"), ROOM).unwrap();
    for (name, args) in [
        ("room_plan", &["--sim", "room", "plan", "room.yaml"][..]),
        (
            "room_plan_prune",
            &["--sim", "room", "plan", "--prune", "room.yaml"],
        ),
    ] {
        let o = bare(args, dir.path());
        // Something would change: 1, as diff(1).
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", err(&o));
        insta::assert_snapshot!(name, transcript(args, &o, dir.path()));
    }
}
