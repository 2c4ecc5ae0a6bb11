//! What the command says about itself: the one clap definition, with the
//! examples in every subcommand's help and each subcommand's global options
//! shown only where they apply. Shell completions and the man pages
//! (`commands::docs`) are printed from it; none of this needs credentials
//! or the network.
//!
//! The examples live here, in one table keyed by the subcommand's path
//! (`"report access"`), and are attached to the clap `Command` by
//! [`command`]; a test checks that every subcommand has one and that every
//! example parses.

use clap::{CommandFactory, FromArgMatches};

use crate::Cli;

/// Said after a command's own examples.
const SIM_NOTE: &str =
    "Every example works offline against the embedded simulator's demo rooms: add --sim.";

/// Said instead for the commands about saved sessions, which --sim has none of.
const SESSION_NOTE: &str = "To try it offline: start `intralinks-sim`, which prints its URL and demo login; set INTRALINKS_BASE_URL to that URL and INTRALINKS_CLIENT_ID, INTRALINKS_CLIENT_SECRET, INTRALINKS_EMAIL, INTRALINKS_PASSWORD to the login.";

/// The subcommand paths that work on saved sessions.
const SESSION_PATHS: &[&str] = &["login", "logout", "auth", "auth status"];

/// Examples per subcommand path; each line is one command a person types.
/// The empty path is the command itself.
const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "intralinks --sim workspaces",
            "intralinks --sim mirror 701421 ./dataroom",
            "intralinks --base-url https://test-api.intralinks.com login",
            "intralinks -vv documents 701421   # with debug logs of each call on stderr",
        ],
    ),
    (
        "login",
        &[
            "intralinks login   # asks on a terminal for what the environment lacks",
            "intralinks --base-url https://test-api.intralinks.com login",
            "intralinks login --end-other-sessions   # your sessions elsewhere end",
        ],
    ),
    ("logout", &["intralinks logout"]),
    ("auth", &["intralinks auth status"]),
    ("auth status", &["intralinks auth status"]),
    (
        "workspaces",
        &["intralinks workspaces", "intralinks workspaces --json"],
    ),
    (
        "enter",
        &[
            "intralinks enter 701421",
            "intralinks enter 701422 --accept-splash",
            "intralinks enter 701423 --accept-splash --answer rosebud",
        ],
    ),
    (
        "splash",
        &[
            "intralinks splash 701422",
            "intralinks splash 701422 --image splash",
        ],
    ),
    (
        "folders",
        &[
            "intralinks folders 701421",
            "intralinks folders 701421 --json",
            "intralinks folders create 701421 Financials/Tax --dry-run",
        ],
    ),
    (
        "folders create",
        &[
            "intralinks folders create 701421 Financials/Tax --note 'VAT returns'",
            "intralinks folders create 701421 Financials/Tax --dry-run",
        ],
    ),
    (
        "folders rename",
        &["intralinks folders rename 701421 Financials/FY2024 'FY2024 (draft)'"],
    ),
    (
        "folders move",
        &["intralinks folders move 701421 Financials/FY2024 Legal --dry-run"],
    ),
    (
        "folders delete",
        &[
            "intralinks folders delete 701421 Financials/FY2024",
            "intralinks folders delete 701421 'Data Tapes' --with-contents --dry-run",
        ],
    ),
    (
        "folders note",
        &["intralinks folders note 701421 Legal 'Signed versions only'"],
    ),
    (
        "documents",
        &[
            "intralinks documents 701421",
            "intralinks documents 701421 --folder 4714065398 --json",
            "intralinks documents rename 701421 'Financials/Read me.txt' README.txt --dry-run",
        ],
    ),
    (
        "documents rename",
        &["intralinks documents rename 701421 'Legal/Contracts/Mutual NDA.txt' 'NDA (signed).txt'"],
    ),
    (
        "documents move",
        &["intralinks documents move 701421 'Financials/Read me.txt' Legal --dry-run"],
    ),
    (
        "documents delete",
        &[
            "intralinks documents delete 701421 'Financials/Read me.txt'",
            "intralinks documents delete 701421 5368709121 --dry-run",
        ],
    ),
    (
        "documents note",
        &["intralinks documents note 701421 'Financials/Read me.txt' 'Start here'"],
    ),
    (
        "download",
        &[
            "intralinks download 701421 5368709121",
            "intralinks download 701421 5368709122 -o nda.txt",
        ],
    ),
    (
        "upload",
        &["intralinks upload 701421 4714065398 ./notes.txt"],
    ),
    (
        "mirror",
        &[
            "intralinks mirror 701421 ./dataroom",
            "intralinks mirror 701421 ./financials --folder 4714065398 --jobs 4",
            "intralinks mirror 701421 ./dataroom --delete --verify",
        ],
    ),
    (
        "push",
        &[
            "intralinks push 701421 ./outgoing --folder 4714065399",
            "intralinks push 701421 ./outgoing --folder 4714065399 --batch   # one posting; prints its id",
        ],
    ),
    (
        "diff",
        &[
            "intralinks diff 701421 ./dataroom",
            "intralinks diff 701421 ./dataroom --json",
        ],
    ),
    (
        "groups",
        &[
            "intralinks groups 701421",
            "intralinks groups create 701421 Advisers",
        ],
    ),
    (
        "groups create",
        &[
            "intralinks groups create 701421 Advisers",
            "intralinks groups create 701421 Advisers --dry-run",
        ],
    ),
    (
        "groups rename",
        &["intralinks groups rename 701421 '2. Commit' 'Final bidders'"],
    ),
    (
        "groups delete",
        &["intralinks groups delete 701421 '2. Commit' --dry-run"],
    ),
    (
        "members",
        &[
            "intralinks members add 701421 ann.lee@example.com --role REVIEWER --group Internal",
            "intralinks members import 701421 members.csv --dry-run",
        ],
    ),
    (
        "members add",
        &[
            "intralinks members add 701421 ann.lee@example.com --first-name Ann --last-name Lee --role REVIEWER --group Internal",
            "intralinks members add 701421 cy@abp.example --first-name Cy --last-name Berg --organization ABP --role REVIEWER --group '1. Interest' --alert --subject 'Project Blue' --note 'The teaser is up'",
        ],
    ),
    (
        "members update",
        &["intralinks members update 701421 bob.review@example.com --group '2. Commit'"],
    ),
    (
        "members remove",
        &["intralinks members remove 701421 carol.publish@example.com --dry-run"],
    ),
    (
        "members import",
        &[
            "intralinks members import 701421 members.csv --dry-run",
            "intralinks members import 701421 bidders.csv --alert --subject 'Project Blue' --note 'Welcome'",
        ],
    ),
    (
        "members copy",
        &[
            "intralinks members copy --all --from bob.review@example.com --to owner@elsewhere.example --dry-run",
            "intralinks members copy 701421 --from bob.review@example.com --to owner@elsewhere.example",
        ],
    ),
    (
        "people",
        &[
            "intralinks people find bob.review@example.com",
            "intralinks people create ann.lee@example.com --first-name Ann --last-name Lee --organization ABP",
        ],
    ),
    (
        "people find",
        &[
            "intralinks people find bob.review@example.com --json",
            "intralinks people find owner@elsewhere.example --workspace 701421   # an account, no member",
        ],
    ),
    (
        "people create",
        &[
            "intralinks people create ann.lee@example.com --first-name Ann --last-name Lee --organization ABP --phone 0000",
        ],
    ),
    (
        "permissions",
        &["intralinks permissions grant 701421 Legal/Contracts '1. Interest' SEE"],
    ),
    (
        "permissions grant",
        &[
            "intralinks permissions grant 701421 Legal/Contracts '1. Interest' SEE",
            "intralinks permissions grant 701421 Financials/FY2024 '2. Commit' SEE_AND_DOWNLOAD --dry-run",
            "intralinks permissions grant 701421 'Legal/Contracts/Mutual NDA.txt' '2. Commit' SEE   # one document",
        ],
    ),
    (
        "permissions revoke",
        &["intralinks permissions revoke 701421 Financials Internal   # says what to do instead"],
    ),
    (
        "users",
        &["intralinks users 701421", "intralinks users 701421 --json"],
    ),
    (
        "report",
        &[
            "intralinks report documents 701421 -o documents.csv",
            "intralinks report access --by-user 701421 -o access.xlsx",
        ],
    ),
    (
        "report documents",
        &[
            "intralinks report documents 701421 -o documents.xlsx",
            "intralinks report documents 701421 701422 --accept-splash --format json",
            "intralinks report documents --all   # names the rooms not entered yet, exit status 1",
        ],
    ),
    (
        "report members",
        &[
            "intralinks report members 701421",
            "intralinks report members 701421 --format xlsx -o members.xlsx",
            "intralinks report members --all --email bob.review@example.com   # one person's rooms",
            "intralinks report members 701421 --by-group",
        ],
    ),
    (
        "report activity",
        &[
            "intralinks report activity 701421 --posting 7000000002 -o activity.xlsx",
            "intralinks report activity 701421 --document 5368709122 --format json",
        ],
    ),
    (
        "report access",
        &[
            "intralinks report access 701421",
            "intralinks report access --by-user 701421 -o access.xlsx",
        ],
    ),
    (
        "postings",
        &[
            "intralinks postings 701421",
            "intralinks postings 701421 --json",
        ],
    ),
    (
        "watch",
        &[
            "intralinks watch 701421 --every 5m",
            "intralinks watch 701421 --once --json   # what changed since the last run",
        ],
    ),
    (
        "room",
        &[
            "intralinks room export 701421 -o demo.yaml",
            "intralinks room plan demo.yaml",
        ],
    ),
    (
        "room export",
        &["intralinks room export 701421 -o demo.yaml"],
    ),
    (
        "room plan",
        &[
            "intralinks room plan demo.yaml",
            "intralinks room plan --prune --json demo.yaml",
        ],
    ),
    (
        "room apply",
        &[
            "intralinks room apply demo.yaml",
            "intralinks room apply --jobs 2 demo.yaml other.yaml",
        ],
    ),
    (
        "completions",
        &[
            "intralinks completions bash > ~/.local/share/bash-completion/completions/intralinks",
            "intralinks completions zsh > ~/.zfunc/_intralinks",
            "intralinks completions fish > ~/.config/fish/completions/intralinks.fish",
            "intralinks completions powershell >> $PROFILE",
        ],
    ),
    (
        "man",
        &["intralinks man | man -l -", "intralinks man > intralinks.1"],
    ),
];

/// The "Examples:" text of a subcommand path, if it has one.
fn examples_of(path: &str) -> Option<String> {
    let (_, lines) = EXAMPLES.iter().find(|(p, _)| *p == path)?;
    let mut text = String::from("Examples:\n");
    for line in *lines {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(if SESSION_PATHS.contains(&path) {
        SESSION_NOTE
    } else {
        SIM_NOTE
    });
    Some(text)
}

/// Attaches the examples to `cmd` and, recursively, its subcommands.
fn with_examples(mut cmd: clap::Command, path: &str) -> clap::Command {
    if let Some(text) = examples_of(path) {
        cmd = cmd.after_help(text);
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(&name, |sub| with_examples(sub, &sub_path));
    }
    cmd
}

/// The command line's definition, with the examples.
pub fn command() -> clap::Command {
    only_where_they_apply(with_examples(Cli::command(), ""))
}

/// Global options that enter a workspace, show progress, or connect.
const ENTRY: &[&str] = &["accept_splash", "answer", "otp", "content_declaration"];
const PROGRESS: &[&str] = &["quiet", "status_every"];
const CONNECTION: &[&str] = &["base_url", "token", "timeout", "connect_timeout", "sim"];

/// The global options a subcommand does not use.
fn not_used(subcommand: &str) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = Vec::new();
    match subcommand {
        "completions" | "man" => {
            ids.extend(ENTRY);
            ids.extend(PROGRESS);
            ids.extend(CONNECTION);
            ids.push("json");
        }
        "login" | "logout" | "auth" => {
            ids.extend(ENTRY);
            ids.extend(PROGRESS);
            ids.extend(["token", "sim"]);
        }
        "workspaces" => {
            ids.extend(ENTRY);
            ids.extend(PROGRESS);
        }
        "mirror" | "push" | "download" | "upload" => {}
        _ => ids.extend(PROGRESS),
    }
    ids
}

/// Hides from each subcommand's help the global options it does not use
/// (still accepted, so a script that passes them everywhere keeps working).
/// A subcommand that has an option of its own with a global's id does not
/// receive the global, so each gets a hidden copy.
fn only_where_they_apply(mut cmd: clap::Command) -> clap::Command {
    let globals: Vec<clap::Arg> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let hidden = not_used(&name);
        cmd = cmd.mut_subcommand(&name, |mut sub| {
            for arg in globals
                .iter()
                .filter(|a| hidden.contains(&a.get_id().as_str()))
            {
                sub = sub.arg(arg.clone().hide(true));
            }
            sub
        });
    }
    cmd
}

/// Parses the arguments (as `Cli::parse`, with the examples in the help).
pub fn parse() -> Cli {
    let mut cmd = command();
    let matches = cmd.get_matches_mut();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every subcommand path of `cmd`, depth first (`"report access"`).
    fn paths(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        for sub in cmd.get_subcommands() {
            let path = if prefix.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{prefix} {}", sub.get_name())
            };
            out.push(path.clone());
            paths(sub, &path, out);
        }
    }

    /// A command line as a shell would split it (quotes, no expansion), up
    /// to a redirection, a pipe or a comment.
    fn words(line: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut word: Option<String> = None;
        let mut quote: Option<char> = None;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.get_or_insert_with(String::new).push(c),
                (None, '\'' | '"') => {
                    quote = Some(c);
                    word.get_or_insert_with(String::new);
                }
                (None, '>' | '|' | '#' | '&') => break,
                (None, c) if c.is_whitespace() => out.extend(word.take()),
                (None, c) => word.get_or_insert_with(String::new).push(c),
            }
        }
        assert_eq!(quote, None, "unclosed quote in {line:?}");
        out.extend(word);
        out
    }

    #[test]
    fn every_subcommand_has_an_example_in_its_help() {
        let cmd = command();
        let mut all = Vec::new();
        paths(&cmd, "", &mut all);
        assert!(all.len() >= 30, "{all:?}");
        let mut missing = Vec::new();
        for path in std::iter::once(String::new()).chain(all.iter().cloned()) {
            let mut sub = &cmd;
            for name in path.split_whitespace() {
                sub = sub.find_subcommand(name).unwrap();
            }
            let help = sub.get_after_help().map(|h| h.to_string());
            match help {
                Some(h)
                    if h.starts_with("Examples:\n  intralinks ")
                        && h.ends_with(if SESSION_PATHS.contains(&path.as_str()) {
                            SESSION_NOTE
                        } else {
                            SIM_NOTE
                        }) => {}
                _ => missing.push(path),
            }
        }
        assert_eq!(
            missing,
            Vec::<String>::new(),
            "subcommands without examples"
        );
        // No example for a subcommand that does not exist.
        for (path, _) in EXAMPLES {
            assert!(
                path.is_empty() || all.iter().any(|p| p == path),
                "examples for an unknown subcommand {path:?}"
            );
        }
    }

    #[test]
    fn every_example_parses_and_names_its_own_subcommand() {
        for (path, lines) in EXAMPLES {
            for line in *lines {
                let args = words(line);
                assert_eq!(args[0], "intralinks", "{line}");
                let parsed = command().try_get_matches_from(&args);
                let matches = match parsed {
                    Ok(m) => m,
                    Err(e) => panic!("{line:?} does not parse: {e}"),
                };
                // The example of "report access" runs "report access".
                let mut m = &matches;
                let mut ran = Vec::new();
                while let Some((name, sub)) = m.subcommand() {
                    ran.push(name);
                    m = sub;
                }
                let ran = ran.join(" ");
                assert!(
                    ran.starts_with(path),
                    "{line:?} under {path:?} runs {ran:?}"
                );
                Cli::from_arg_matches(&matches).unwrap();
            }
        }
    }

    #[test]
    fn words_split_as_a_shell_does() {
        assert_eq!(
            words("intralinks groups rename 1 '2. Commit' \"a b\" > x # c"),
            ["intralinks", "groups", "rename", "1", "2. Commit", "a b"]
        );
        assert_eq!(words("intralinks man | man -l -"), ["intralinks", "man"]);
    }
}
