//! Benchmark: a posting's access report when every document first answers
//! "not ready" (`9-9-9-1`), as the service does while it builds them.
//!
//! `cargo run --release -p intralinks-ext --example posting_report_bench [DOCUMENTS] [PAUSE_MS]`
//!
//! Posts DOCUMENTS (default 40) documents as one bulk upload in the
//! simulator, then runs `posting_access_report` with a pause of PAUSE_MS
//! (default 500) between asks, and prints the wall time, the asks made and
//! what asking one document after another, each waiting its own pause (as the
//! SDK's single-document call does), would at least have cost.

mod common;

use std::time::{Duration, Instant};

use intralinks_ext::postings::{REPORT_CONCURRENCY, ReportWait};
use intralinks_ext::{FolderRef, Intralinks};
use intralinks_sim::{SimConfig, Simulator, demo};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let documents: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(40);
    let pause_ms: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(500);
    let sim = Simulator::start(SimConfig::default()).await?;
    let il = Intralinks::builder(sim.url())
        .login(common::demo_app(), common::demo_user())
        .await?;
    let ws = demo::MAIN_WORKSPACE;
    let folder = FolderRef {
        workspace_id: ws,
        folder_id: demo::FOLDER_FY2023,
    };
    let batch = il.open_bulk_upload(ws, documents.max(1)).await?;
    for i in 0..documents {
        il.create_document_in_batch(batch, folder, &format!("doc-{i:04}.txt"))
            .await?;
    }
    let before: u64 = asks(&sim).await?;
    let wait = ReportWait::new(3, Duration::from_millis(pause_ms));
    let started = Instant::now();
    let rows = il.posting_access_report(ws, batch, &wait).await?;
    let took = started.elapsed();
    let made = asks(&sim).await? - before;
    println!(
        "posting_access_report: {documents} documents, every one not ready on its first ask, pause {pause_ms} ms"
    );
    println!(
        "  wall time {:.3} s, {made} accessReport asks ({REPORT_CONCURRENCY} at once), {} rows",
        took.as_secs_f64(),
        rows.len()
    );
    println!(
        "  one document after another, each waiting its pause: at least {:.3} s",
        documents as f64 * pause_ms as f64 / 1000.0
    );
    sim.shutdown().await;
    Ok(())
}

/// The accessReport asks the simulator has answered so far.
async fn asks(sim: &Simulator) -> Result<u64, Box<dyn std::error::Error>> {
    let counts: std::collections::BTreeMap<String, u64> =
        reqwest::get(format!("{}/_sim/requests", sim.url()))
            .await?
            .json()
            .await?;
    Ok(counts
        .iter()
        .filter(|(k, _)| k.ends_with("/accessReport"))
        .map(|(_, n)| n)
        .sum())
}
