//! Peak memory of one mirror of a large room.
//!
//! `cargo run --release -p intralinks-sync --example mirror_rss [DOCUMENTS] [FOLDERS] [DIR] [diff] [--jobs N]`
//! seeds the simulator with DOCUMENTS documents of 200 bytes (default
//! 100,000) in FOLDERS folders (default 1000), answering at once, mirrors
//! the room into a temporary directory (or DIR, kept, so that a second run
//! finds every document up to date) with the default jobs (`auto`), or
//! those of `--jobs` (`auto`, `auto:MAX` or a number, anywhere among the
//! arguments), and no other option (a listing of any size streams into
//! the compact model), and prints the
//! documents, the wall time, the client's CPU time (user and system, and
//! per document) and its peak RSS (VmHWM) in MiB. With `diff` after DIR it
//! compares DIR with the room instead of mirroring into it. The simulator
//! runs in a child process (this program again, with `--serve`), so the
//! figures are the client's alone.

#[path = "../../intralinks-ext/examples/common/mod.rs"]
mod common;

use std::time::Instant;

use intralinks_ext::{FixedAnswers, Intralinks};
use intralinks_sim::{Generated, SimConfig, demo};
use intralinks_sync::{self as sync, Jobs, SyncOptions};

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// This process's CPU time so far, user and system, in seconds (all its
/// threads; from /proc/self/stat, in clock ticks of 1/100 s).
fn cpu_seconds() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command's closing parenthesis; utime and stime
    // are the 14th and 15th of the line, the 12th and 13th of these.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user / 100.0, system / 100.0))
}

/// Takes `--jobs N` (or `--jobs=N`) out of the arguments, wherever it is:
/// `None` when absent, an error that says what to write when its value is
/// missing or not `auto`, `auto:MAX` or a number.
fn take_jobs(args: &mut Vec<String>) -> Result<Option<Jobs>, Box<dyn std::error::Error>> {
    let Some(at) = args
        .iter()
        .position(|a| a == "--jobs" || a.starts_with("--jobs="))
    else {
        return Ok(None);
    };
    let flag = args.remove(at);
    let value = match flag.strip_prefix("--jobs=") {
        Some(value) => value.to_string(),
        None if at < args.len() => args.remove(at),
        None => return Err("--jobs needs a value: auto, auto:MAX or a number".into()),
    };
    if args
        .iter()
        .any(|a| a == "--jobs" || a.starts_with("--jobs="))
    {
        return Err("--jobs is given twice: give it once".into());
    }
    Ok(Some(value.parse::<Jobs>().map_err(|e| e.to_string())?))
}

/// The simulator side: serve until stdin closes.
async fn serve(documents: usize, folders: usize) -> Result<(), Box<dyn std::error::Error>> {
    common::serve_until_stdin_closes(SimConfig {
        generated: Some(Generated::new(documents, folders)),
        ..SimConfig::default()
    })
    .await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let serving = args.first().is_some_and(|a| a == "--serve");
    if serving {
        args.remove(0);
    }
    let jobs = take_jobs(&mut args)?;
    let mut args = args.into_iter();
    let documents: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let folders: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1000);
    let kept_dir = args.next().map(std::path::PathBuf::from);
    let diffing = args.next().is_some_and(|a| a == "diff");
    if serving {
        return serve(documents, folders).await;
    }
    let (mut child, url) = common::spawn_simulator(&[documents.to_string(), folders.to_string()])?;
    // No answer limit is raised: a listing of 200,000 documents is over
    // the default (128 MiB), and the engine bounds it by what it keeps.
    let il = Intralinks::builder(url)
        .login(common::demo_app(), common::demo_user())
        .await?;
    let ws = demo::GENERATED_WORKSPACE;
    il.enter(ws, &mut FixedAnswers::default()).await?;
    let base = tempfile::tempdir()?;
    let options = SyncOptions {
        jobs: jobs.unwrap_or_default(),
        ..SyncOptions::default()
    };
    let cpu_before = cpu_seconds().ok_or("no /proc/self/stat")?;
    let started = Instant::now();
    let dir = kept_dir.unwrap_or_else(|| base.path().join("mirror"));
    if diffing {
        let report = sync::diff(&il, ws, &dir, &options).await?;
        let wall = started.elapsed();
        drop(child.stdin.take());
        child.wait()?;
        println!(
            "diff of {documents} documents in {folders} folders: {:.2} s ({} equal, {} differ)",
            wall.as_secs_f64(),
            report.equal,
            report.entries.len()
        );
        let rss = peak_rss_mib().ok_or("no VmHWM in /proc/self/status")?;
        println!("peak RSS of the client {rss:.1} MiB (the simulator runs in another process)");
        return Ok(());
    }
    let report = sync::mirror(&il, ws, &dir, &options).await?;
    let wall = started.elapsed();
    let cpu_after = cpu_seconds().ok_or("no /proc/self/stat")?;
    drop(child.stdin.take());
    child.wait()?;
    if report.fetched + report.up_to_date != documents {
        return Err(format!(
            "fetched {} and {} up to date of {documents}: {:?}",
            report.fetched,
            report.up_to_date,
            report.failures.first()
        )
        .into());
    }
    println!(
        "mirror of {documents} documents in {folders} folders, {} jobs: {:.2} s ({} fetched, {} up to date)",
        options.jobs,
        wall.as_secs_f64(),
        report.fetched,
        report.up_to_date
    );
    let (user, system) = (cpu_after.0 - cpu_before.0, cpu_after.1 - cpu_before.1);
    println!(
        "client CPU {:.2} s (user {user:.2} s, system {system:.2} s): {:.0} µs per document",
        user + system,
        (user + system) * 1e6 / documents.max(1) as f64
    );
    let rss = peak_rss_mib().ok_or("no VmHWM in /proc/self/status")?;
    println!("peak RSS of the client {rss:.1} MiB (the simulator runs in another process)");
    Ok(())
}
