//! Command-line conventions end to end: shell completions and the man page
//! with no credentials and no network, an example in a subcommand's help,
//! and -v/-vv as log levels against intralinks-sim.

use std::process::{Command, Output};

use intralinks_sim::{SimConfig, Simulator};

use crate::common;
use common::*;

/// The binary with an empty environment: no credentials, no base URL, no session.
fn bare(args: &[&str], cwd: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intralinks"))
        .current_dir(cwd)
        .env_clear()
        .env("INTRALINKS_SESSION_FILE", cwd.join("session.json"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn completions_for_each_shell_need_nothing_and_name_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "_intralinks()"),
        ("zsh", "#compdef intralinks"),
        ("fish", "complete -c intralinks"),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName 'intralinks'",
        ),
        ("elvish", "set edit:completion:arg-completer[intralinks]"),
    ] {
        let o = bare(&["completions", shell], dir.path());
        assert!(o.status.success(), "{shell}: {}", err(&o));
        assert_eq!(err(&o), "", "{shell}");
        let script = out(&o);
        assert!(script.contains(marker), "{shell}: {script}");
        for sub in ["mirror", "report", "completions"] {
            assert!(script.contains(sub), "{shell} names {sub}");
        }
    }
    assert!(
        !dir.path().join("session.json").exists(),
        "nothing was saved"
    );
    let o = bare(&["completions", "tcsh"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("invalid value 'tcsh' for '<SHELL>'"),
        "{}",
        err(&o)
    );
}

#[test]
fn the_man_page_is_roff_named_intralinks_and_has_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    let o = bare(&["man"], dir.path());
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(err(&o), "");
    let page = out(&o);
    let th: Vec<&str> = page.lines().filter(|l| l.starts_with(".TH")).collect();
    assert_eq!(
        th,
        [format!(
            ".TH intralinks 1  \"intralinks {}\" ",
            env!("CARGO_PKG_VERSION")
        )]
    );
    assert!(
        page.lines()
            .take(3)
            .any(|l| l.starts_with(".TH intralinks "))
    );
    assert!(page.contains("\n.SH SUBCOMMANDS\n"), "{page}");
    assert!(page.contains("\n.SH EXTRA\nExamples:\n"), "{page}");

    let o = bare(&["man", "report", "access"], dir.path());
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains(".TH intralinks-report-access 1 "),
        "{}",
        out(&o)
    );
    assert!(out(&o).contains("intralinks report access \\-\\-by\\-user 701421 \\-o access.xlsx"));

    let o = bare(&["man", "report", "nope"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: `intralinks report` has no subcommand nope; `intralinks man` lists them\n"
    );
}

#[test]
fn a_subcommands_help_shows_its_examples() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--help", "-h"] {
        let o = bare(&["report", "access", flag], dir.path());
        assert!(o.status.success(), "{}", err(&o));
        assert!(
            out(&o).contains(
                "Examples:\n  intralinks report access 701421\n  intralinks report access --by-user 701421 -o access.xlsx\n\nEvery example works offline against the embedded simulator's demo rooms: add --sim.\n"
            ),
            "{flag}: {}",
            out(&o)
        );
    }
    let o = bare(&["mirror", "--help"], dir.path());
    assert!(
        out(&o).contains("Examples:\n  intralinks mirror 701421 ./dataroom\n"),
        "{}",
        out(&o)
    );
    let o = bare(&["login", "--help"], dir.path());
    assert!(
        out(&o).contains("To try it offline: start `intralinks-sim`"),
        "{}",
        out(&o)
    );
}

/// The log lines on stderr (what the command itself says excluded).
fn log_lines(o: &Output) -> Vec<String> {
    err(o)
        .lines()
        .filter(|l| l.contains(" DEBUG ") || l.contains(" INFO ") || l.contains(" TRACE "))
        .map(String::from)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_flags_log_the_calls_and_intralinks_log_wins() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let call = " DEBUG intralinks{operation=\"list_workspaces\" method=GET path=\"/v2/workspaces\"}: intralinks_api::runtime: intralinks call status=200 latency_ms=";

    let o = run(&sim.url(), &["workspaces"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(log_lines(&o), Vec::<String>::new(), "silent by default");

    let o = run(&sim.url(), &["-v", "workspaces"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        !err(&o).contains(" DEBUG "),
        "-v is info, not debug: {}",
        err(&o)
    );

    let o = run(&sim.url(), &["-vv", "workspaces"], dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let lines = log_lines(&o);
    assert_eq!(
        lines.iter().filter(|l| l.contains(call)).count(),
        1,
        "{lines:#?}"
    );
    assert!(
        lines.iter().all(|l| l.contains(" intralinks")),
        "only this project's crates: {lines:#?}"
    );
    assert!(!err(&o).contains('\u{1b}'), "no colours into a pipe");
    assert!(
        !err(&o).contains(intralinks_sim::demo::PASSWORD),
        "no secret in the logs"
    );
    // Global: after the subcommand too.
    let o = run(
        &sim.url(),
        &["workspaces", "--verbose", "--verbose"],
        dir.path(),
    )
    .await;
    assert_eq!(
        log_lines(&o).iter().filter(|l| l.contains(call)).count(),
        1,
        "{}",
        err(&o)
    );

    let mut c = command(&sim.url(), &["-vv", "workspaces"], dir.path());
    c.env("INTRALINKS_LOG", "off");
    let o = tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(log_lines(&o), Vec::<String>::new(), "INTRALINKS_LOG wins");
    sim.shutdown().await;
}

#[test]
fn global_options_show_only_where_they_apply() {
    let dir = tempfile::tempdir().unwrap();
    let help = |args: &[&str]| String::from_utf8(bare(args, dir.path()).stdout).unwrap();
    let logout = help(&["logout", "--help"]);
    for absent in [
        "--answer",
        "--otp",
        "--accept-splash",
        "--content-declaration",
        "--quiet",
        "--status-every",
        "--token",
        "--sim",
    ] {
        assert!(
            !logout.contains(absent),
            "logout --help shows {absent}: {logout}"
        );
    }
    assert!(logout.contains("--base-url"), "{logout}");
    let completions = help(&["completions", "--help"]);
    for absent in ["--base-url", "--json", "--timeout", "--answer", "--quiet"] {
        assert!(
            !completions.contains(absent),
            "completions --help shows {absent}"
        );
    }
    let workspaces = help(&["workspaces", "--help"]);
    assert!(
        !workspaces.contains("--answer") && !workspaces.contains("--quiet"),
        "{workspaces}"
    );
    let folders = help(&["folders", "--help"]);
    assert!(
        folders.contains("--answer") && !folders.contains("--quiet"),
        "{folders}"
    );
    let mirror = help(&["mirror", "--help"]);
    for present in ["--answer", "--quiet", "--status-every", "--base-url"] {
        assert!(mirror.contains(present), "mirror --help lacks {present}");
    }
    // Hidden, still accepted: a script that passes them everywhere goes on.
    let o = bare(&["logout", "--answer", "x", "--quiet"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: no saved session for "));
}
