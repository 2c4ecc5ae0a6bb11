//! Benchmark: several clients stream the 1 GiB demo document at once from
//! one simulator; prints throughput and the process's peak memory.
//!
//! `cargo run --release -p intralinks-sim --example load_bench [CLIENTS]`
//!
//! The clients discard what they read, so the peak RSS is the simulator's
//! own: it must stay flat however many clients read the large document.

use std::time::Instant;

use futures_util::StreamExt;
use intralinks_sim::{SimConfig, Simulator, demo};

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

async fn one_client(url: String) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{url}/v2/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", demo::CLIENT_SECRET),
            ("email", demo::EMAIL),
            ("password", demo::PASSWORD),
        ])
        .send()
        .await?
        .json()
        .await?;
    let bearer = token["access_token"]
        .as_str()
        .ok_or("no access_token")?
        .to_string();
    let ws = demo::MAIN_WORKSPACE;
    http.post(format!("{url}/v2/workspaces/{ws}/splash"))
        .bearer_auth(&bearer)
        .json(&serde_json::json!({}))
        .send()
        .await?
        .error_for_status()?;
    let response = http
        .get(format!(
            "{url}/v2/workspaces/{ws}/documents/{}/file",
            demo::DOC_BIG
        ))
        .bearer_auth(&bearer)
        .send()
        .await?
        .error_for_status()?;
    let mut body = response.bytes_stream();
    let mut n = 0u64;
    while let Some(chunk) = body.next().await {
        n += chunk?.len() as u64;
    }
    Ok(n)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let clients: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(4);
    let sim = Simulator::start(SimConfig::default()).await?;
    let before = peak_rss_mib();
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| tokio::spawn(one_client(sim.url())))
        .collect();
    let mut total = 0u64;
    for t in tasks {
        let n = t.await??;
        assert_eq!(n, demo::BIG_DOCUMENT_SIZE, "a client got a short body");
        total += n;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{clients} clients read the {} byte document: {:.1} GiB in {secs:.2} s, {:.0} MiB/s in all",
        demo::BIG_DOCUMENT_SIZE,
        total as f64 / 1073741824.0,
        total as f64 / 1048576.0 / secs
    );
    println!(
        "peak RSS: {before:.1} MiB before, {:.1} MiB after",
        peak_rss_mib()
    );
    sim.shutdown().await;
    Ok(())
}
