//! Peak memory of one mirror of a large room.
//!
//! `cargo run --release -p intralinks-ext --example mirror_rss [DOCUMENTS] [FOLDERS] [DIR]`
//! seeds the simulator with DOCUMENTS documents of 200 bytes (default
//! 100,000) in FOLDERS folders (default 1000), mirrors the room into a
//! temporary directory (or DIR, kept, so that a second run finds every
//! document up to date) with the default jobs, and prints the documents, the
//! wall time and the client's peak RSS (VmHWM) in MiB. The simulator runs in
//! a child process (this program again, with `--serve`), so the figure is
//! the client's alone.

#[path = "../../intralinks-ext/examples/common/mod.rs"]
mod common;

use std::time::Instant;

use intralinks_ext::{FixedAnswers, Intralinks};
use intralinks_sim::{Generated, SimConfig, demo};
use intralinks_sync::{self as sync, SyncOptions};

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
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
    let mut args = args.into_iter();
    let documents: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let folders: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1000);
    let kept_dir = args.next().map(std::path::PathBuf::from);
    if serving {
        return serve(documents, folders).await;
    }
    let (mut child, url) = common::spawn_simulator(&[documents.to_string(), folders.to_string()])?;
    // A listing of 200,000 documents is over the default answer limit
    // (128 MiB); the mirror parses it as it streams, so it may be longer.
    let il = Intralinks::builder(url)
        .answer_limit(1 << 30)
        .login(common::demo_app(), common::demo_user())
        .await?;
    let ws = demo::GENERATED_WORKSPACE;
    il.enter(ws, &mut FixedAnswers::default()).await?;
    let base = tempfile::tempdir()?;
    let options = SyncOptions::default();
    let started = Instant::now();
    let dir = kept_dir.unwrap_or_else(|| base.path().join("mirror"));
    let report = sync::mirror(&il, ws, &dir, &options).await?;
    let wall = started.elapsed();
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
    let rss = peak_rss_mib().ok_or("no VmHWM in /proc/self/status")?;
    println!("peak RSS of the client {rss:.1} MiB (the simulator runs in another process)");
    Ok(())
}
