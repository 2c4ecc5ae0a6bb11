//! Mirror and push wall time against the floor (documents × latency / jobs).
//!
//! `cargo run --release -p intralinks-ext --example sync_bench [DOCUMENTS] [LATENCY_MS]`
//! seeds the simulator (in this process, on 127.0.0.1) with DOCUMENTS small
//! documents (default 2000) in 20 folders, delays every answer by
//! LATENCY_MS (default 20), and mirrors the room, then pushes a tree of as
//! many files into a fresh folder, with 1, 8 and 32 jobs. Peak RSS is the
//! whole process's, simulator included.

use std::time::{Duration, Instant};

use intralinks_ext::sync::{self, SyncOptions};
use intralinks_ext::types::{CreateFoldersRequest, FolderInput, FolderInputItem};
use intralinks_ext::{AppKeys, Checked, FixedAnswers, Grant, Intralinks, Secret};
use intralinks_sim::{Faults, Generated, SimConfig, Simulator, demo};

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let documents: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2000);
    let latency: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(20);
    let sim = Simulator::start(SimConfig {
        generated: Some(Generated::new(documents, 20)),
        faults: Faults {
            latency_ms: latency,
            ..Faults::default()
        },
        ..SimConfig::default()
    })
    .await?;
    let il = Intralinks::builder(sim.url())
        .login(
            AppKeys {
                client_id: demo::CLIENT_ID.into(),
                client_secret: Secret::new(demo::CLIENT_SECRET),
            },
            Grant::Password {
                email: demo::EMAIL.into(),
                password: Secret::new(demo::PASSWORD),
                end_other_sessions: false,
            },
        )
        .await?;
    let ws = demo::GENERATED_WORKSPACE;
    il.enter(ws, &mut FixedAnswers::default()).await?;
    println!("{documents} documents of 200 bytes, {latency} ms latency per answer");
    println!(
        "{:<6} {:>5} {:>9} {:>9} {:>7}",
        "what", "jobs", "wall s", "floor s", "ratio"
    );
    let base = tempfile::tempdir()?;
    let mut pushed_from = None;
    for jobs in [1usize, 8, 32] {
        let floor = Duration::from_millis(documents as u64 * latency) / jobs as u32;
        let dir = base.path().join(format!("mirror-{jobs}"));
        let options = SyncOptions {
            jobs,
            ..SyncOptions::default()
        };
        let started = Instant::now();
        let report = sync::mirror(&il, ws, &dir, &options).await?;
        let wall = started.elapsed();
        assert_eq!(report.fetched, documents, "{:?}", report.failures.first());
        println!(
            "{:<6} {jobs:>5} {:>9.2} {:>9.2} {:>7.2}",
            "mirror",
            wall.as_secs_f64(),
            floor.as_secs_f64(),
            wall.as_secs_f64() / floor.as_secs_f64()
        );
        pushed_from.get_or_insert(dir);
    }
    let tree = pushed_from.ok_or("no mirror")?;
    // The push tree is the mirror's, without its state directory.
    std::fs::remove_dir_all(tree.join(".intralinks-sync"))?;
    for jobs in [1usize, 8, 32] {
        let floor = Duration::from_millis(documents as u64 * latency) / jobs as u32;
        let created = il
            .api()
            .create_folder()
            .workspace_id(ws)
            .body(CreateFoldersRequest {
                folders: vec![FolderInputItem {
                    folder: FolderInput {
                        name: format!("push-{jobs}"),
                        note: None,
                        parent_id: None,
                    },
                }],
            })
            .send()
            .checked()
            .await?;
        let folder = created.folder_partial[0].id.ok_or("no folder id")?;
        let options = SyncOptions {
            jobs,
            folder: Some(folder),
            ..SyncOptions::default()
        };
        let started = Instant::now();
        let report = sync::push(&il, ws, &tree, &options).await?;
        let wall = started.elapsed();
        assert_eq!(report.uploaded, documents, "{:?}", report.failures.first());
        assert_eq!(report.verified, documents);
        std::fs::remove_dir_all(tree.join(".intralinks-sync"))?;
        println!(
            "{:<6} {jobs:>5} {:>9.2} {:>9.2} {:>7.2}",
            "push",
            wall.as_secs_f64(),
            floor.as_secs_f64(),
            wall.as_secs_f64() / floor.as_secs_f64()
        );
    }
    if let Some(rss) = peak_rss_mib() {
        println!("peak RSS {rss:.1} MiB (simulator included)");
    }
    sim.shutdown().await;
    Ok(())
}
