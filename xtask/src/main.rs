//! `cargo xtask regen` regenerates everything derived from `openapi/`: the
//! effective spec, the copy of the inputs that the `intralinks-api` package
//! generates from (`intralinks-api/openapi/`) and the snapshots of the
//! generated code, and prints what changed in the API surface. `cargo xtask regen --check` writes nothing and
//! fails, naming the command that fixes it, when anything derived is stale.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use intralinks_gen::surface::Surface;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["regen"] => regen(false),
        ["regen", "--check"] => regen(true),
        _ => Err("usage: cargo xtask regen [--check]\n\n  regen          rewrite openapi/effective.yaml and the snapshots of the generated code\n  regen --check  write nothing; fail if anything derived from openapi/ is stale".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn regen(check: bool) -> Result<(), String> {
    let root = root();
    let openapi = root.join("openapi");
    let generated = intralinks_gen::generate_from_dir(&openapi).map_err(|e| e.to_string())?;
    let effective_path = openapi.join(intralinks_gen::EFFECTIVE);
    let old_text = std::fs::read_to_string(&effective_path).unwrap_or_default();

    let old_surface = if old_text.is_empty() {
        Surface::default()
    } else {
        let old: serde_json::Value = serde_yaml_ng::from_str(&old_text)
            .map_err(|e| format!("{} is not valid YAML: {e}", effective_path.display()))?;
        Surface::of(&old)
    };
    let changes = Surface::of(&generated.effective).changes_since(&old_surface);
    let stale_spec = old_text != generated.effective_yaml;
    let stale_copies = stale_package_copies(&root)?;

    if check {
        let snapshots_ok = run_snapshot_tests(&root, "no")?;
        let mut problems = Vec::new();
        for name in &stale_copies {
            problems.push(format!(
                "{PACKAGE_OPENAPI}/{name} differs from openapi/{name}"
            ));
        }
        if stale_spec {
            problems.push(format!(
                "openapi/{} is stale ({} API change(s){})",
                intralinks_gen::EFFECTIVE,
                changes.len(),
                if changes.is_empty() {
                    String::new()
                } else {
                    format!(": {}", changes.join(", "))
                }
            ));
        }
        if !snapshots_ok {
            problems.push("the snapshots of the generated code are stale".into());
        }
        if problems.is_empty() {
            println!("openapi/, its copy in {PACKAGE_OPENAPI}/ and the snapshots are up to date");
            return Ok(());
        }
        return Err(format!(
            "{}\nrun `cargo xtask regen`, then `cargo insta review`, and commit the result",
            problems.join("\n")
        ));
    }

    if stale_copies.is_empty() {
        println!("{PACKAGE_OPENAPI}/ unchanged");
    }
    for name in &stale_copies {
        let from = openapi.join(name);
        let to = root.join(PACKAGE_OPENAPI).join(name);
        std::fs::create_dir_all(root.join(PACKAGE_OPENAPI))
            .map_err(|e| format!("cannot create {PACKAGE_OPENAPI}/: {e}"))?;
        std::fs::copy(&from, &to)
            .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
        println!("wrote {PACKAGE_OPENAPI}/{name}");
    }
    if stale_spec {
        std::fs::write(&effective_path, &generated.effective_yaml)
            .map_err(|e| format!("cannot write {}: {e}", effective_path.display()))?;
        println!("wrote openapi/{}", intralinks_gen::EFFECTIVE);
    } else {
        println!("openapi/{} unchanged", intralinks_gen::EFFECTIVE);
    }
    if changes.is_empty() {
        println!("API surface: no change");
    } else {
        println!("API surface changes:");
        for line in &changes {
            println!("  {line}");
        }
    }
    if generated.removed.is_empty() {
        println!("removed by the overlay: nothing");
    } else {
        println!(
            "removed by the overlay ({} published element(s)):",
            generated.removed.len()
        );
        let mut removed = generated.removed.clone();
        removed.sort_by_key(|r| r.action);
        let mut last_action = None;
        for r in &removed {
            if last_action != Some(r.action) {
                println!("  action #{} ({}):", r.action, headline(&r.description));
                last_action = Some(r.action);
            }
            println!("    {}", r.element);
        }
    }
    if !generated.excluded.is_empty() {
        println!("left out of generation (covered by intralinks-ext):");
        for ex in &generated.excluded {
            println!(
                "  {} {} ({}): {}",
                ex.method, ex.path, ex.operation_id, ex.reason
            );
        }
    }
    if run_snapshot_tests(&root, "new")? {
        println!("snapshots: up to date");
    } else {
        println!(
            "snapshots: changed; review them with `cargo insta review` (install: `cargo install cargo-insta --locked`)"
        );
    }
    Ok(())
}

/// Where the `intralinks-api` package keeps its copy of the generation inputs,
/// relative to the workspace root: a package may only read its own files.
const PACKAGE_OPENAPI: &str = "intralinks-api/openapi";

/// The generation inputs whose copy in [`PACKAGE_OPENAPI`] is missing or
/// differs from `openapi/`.
fn stale_package_copies(root: &Path) -> Result<Vec<&'static str>, String> {
    let mut stale = Vec::new();
    for name in intralinks_gen::INPUTS {
        let source = root.join("openapi").join(name);
        let original =
            std::fs::read(&source).map_err(|e| format!("cannot read {}: {e}", source.display()))?;
        if std::fs::read(root.join(PACKAGE_OPENAPI).join(name)).ok() != Some(original) {
            stale.push(name);
        }
    }
    Ok(stale)
}

/// The first sentence of an action's description, at most 72 characters.
fn headline(description: &str) -> String {
    let first = description.split(". ").next().unwrap_or(description).trim();
    if first.chars().count() <= 72 {
        first.to_string()
    } else {
        format!("{}…", first.chars().take(71).collect::<String>())
    }
}

/// Runs the snapshot tests; `update` is insta's INSTA_UPDATE mode. Returns
/// whether every snapshot matched.
fn run_snapshot_tests(root: &Path, update: &str) -> Result<bool, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args([
            "test",
            "--quiet",
            "-p",
            "intralinks-tests",
            "--test",
            "generated_code",
            // The published parameters the overlay keeps, a reviewed list.
            "--test",
            "overlay_survival",
        ])
        .env("INSTA_UPDATE", update)
        .env_remove("CI");
    if update == "new" {
        command.env("INSTA_FORCE_PASS", "1");
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    if update == "new" {
        // With INSTA_FORCE_PASS the run passes; pending snapshots tell the story.
        return Ok(!has_pending(&root.join("tests")));
    }
    Ok(status.success())
}

fn has_pending(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            has_pending(&p)
        } else {
            p.extension().is_some_and(|x| x == "new")
        }
    })
}
