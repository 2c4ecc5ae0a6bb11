//! `--jobs auto` against fixed job counts, side by side in one run.
//!
//! `cargo run --release -p intralinks-sync --example jobs_bench [DOCUMENTS] [LATENCY_MS] [RATE] [BURST] [JOBS]`
//! seeds the simulator (a child process: this program again, with
//! `--serve`) with DOCUMENTS small documents (default 10000) in 20 folders,
//! delays every answer by LATENCY_MS (default 20), then:
//!
//! 1. limits each client to RATE requests a second (default 50) with a
//!    burst of BURST (default 10), and mirrors the room with the default
//!    settings (`--jobs auto`): wall time against the rate-bound floor
//!    (requests admitted ÷ RATE), and the share of requests answered 429;
//! 2. lifts the limit, and mirrors the room with each fixed job count of
//!    JOBS (default `1,8,32,64`; `none` skips this part) and with `auto`: wall time against the
//!    latency floor (documents × latency ÷ jobs) and against the best fixed
//!    count.
//!
//! Each run mirrors into a fresh directory; what `auto` settled on is
//! printed beside its figures.

#[path = "../../intralinks-ext/examples/common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use intralinks_ext::{FixedAnswers, Intralinks};
use intralinks_sim::{Faults, Generated, SimConfig, demo};
use intralinks_sync::{self as sync, Jobs, SyncEvent, SyncHook, SyncOptions};
use serde_json::{Value, json};

/// The simulator side: serve until stdin closes.
async fn serve(documents: usize, latency: u64) -> Result<(), Box<dyn std::error::Error>> {
    common::serve_until_stdin_closes(SimConfig {
        generated: Some(Generated::new(documents, 20)),
        faults: Faults {
            latency_ms: latency,
            ..Faults::default()
        },
        ..SimConfig::default()
    })
    .await
}

/// One mirror: its wall time, and the [`SyncEvent::Settled`] it ended with.
async fn mirror(
    il: &Intralinks,
    dir: &std::path::Path,
    jobs: Jobs,
    documents: usize,
) -> Result<(Duration, SyncEvent), Box<dyn std::error::Error>> {
    let settled = Arc::new(Mutex::new(None));
    let s = settled.clone();
    let options = SyncOptions {
        jobs,
        progress: Some(SyncHook::new(move |e| {
            if let SyncEvent::Settled { .. } = e {
                *s.lock().unwrap() = Some(e.clone());
            }
        })),
        ..SyncOptions::default()
    };
    let started = Instant::now();
    let report = sync::mirror(il, demo::GENERATED_WORKSPACE, dir, &options).await?;
    let wall = started.elapsed();
    assert_eq!(report.fetched, documents, "{:?}", report.failures.first());
    let settled = settled.lock().unwrap().take().ok_or("no Settled event")?;
    Ok((wall, settled))
}

/// What `auto` settled on, in a few words.
fn settled_text(e: &SyncEvent) -> String {
    match e {
        SyncEvent::Settled {
            limit,
            peak,
            rate,
            throttled,
            paused_ms,
            ..
        } => {
            let mut s = format!("{limit} at once at the end, at most {peak}");
            if let Some(r) = rate {
                s.push_str(&format!(", held to {r}/s"));
            }
            if *throttled > 0 {
                s.push_str(&format!(
                    ", {throttled} 429s, paused {:.1} s",
                    *paused_ms as f64 / 1000.0
                ));
            }
            s
        }
        _ => String::new(),
    }
}

fn requests(e: &SyncEvent) -> u64 {
    match e {
        SyncEvent::Settled { requests, .. } => *requests,
        _ => 0,
    }
}

async fn control(
    http: &reqwest::Client,
    url: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value, Box<dyn std::error::Error>> {
    let mut r = http.request(method, format!("{url}{path}"));
    if let Some(b) = body {
        r = r.json(&b);
    }
    Ok(r.send().await?.error_for_status()?.json().await?)
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
        .unwrap_or(10_000);
    let latency: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(20);
    if serving {
        return serve(documents, latency).await;
    }
    let rate: f64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(50.0);
    let burst: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10);
    let fixed: Vec<usize> = match args.next() {
        Some(none) if none == "none" => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|j| j.parse())
            .collect::<Result<_, _>>()?,
        None => vec![1, 8, 32, 64],
    };
    let (mut child, url) = common::spawn_simulator(&[documents.to_string(), latency.to_string()])?;
    let http = reqwest::Client::new();
    let il = Intralinks::builder(url.clone())
        .login(common::demo_app(), common::demo_user())
        .await?;
    il.enter(demo::GENERATED_WORKSPACE, &mut FixedAnswers::default())
        .await?;
    let base = tempfile::tempdir()?;
    println!("{documents} documents of 200 bytes, {latency} ms latency per answer");

    // 1. Under the service's rate limit, the default settings (RATE 0
    // skips this part).
    if rate > 0.0 {
        limited(&il, &http, &url, base.path(), rate, burst, documents).await?;
    }
    unlimited(&il, &http, &url, base.path(), &fixed, latency, documents).await?;
    drop(child.stdin.take());
    child.wait()?;
    Ok(())
}

/// Part 1: auto under the service's rate limit, against its floor.
async fn limited(
    il: &Intralinks,
    http: &reqwest::Client,
    url: &str,
    base: &std::path::Path,
    rate: f64,
    burst: u32,
    documents: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    control(
        http,
        url,
        reqwest::Method::PUT,
        "/_sim/rate-limit",
        Some(json!({"perSecond": rate, "burst": burst})),
    )
    .await?;
    let before = control(http, url, reqwest::Method::GET, "/_sim/stats", None).await?;
    let (wall, settled) = mirror(il, &base.join("limited"), Jobs::default(), documents).await?;
    let after = control(http, url, reqwest::Method::GET, "/_sim/stats", None).await?;
    let count = |v: &Value, k: &str| v["rateLimit"][k].as_u64().unwrap_or(0);
    let admitted = count(&after, "admitted") - count(&before, "admitted");
    let refused = count(&after, "throttledRate") + count(&after, "throttledConcurrency")
        - count(&before, "throttledRate")
        - count(&before, "throttledConcurrency");
    let floor = admitted as f64 / rate;
    println!();
    println!(
        "limited to {rate} requests/s per client, burst {burst}; floor = requests admitted / {rate}"
    );
    println!(
        "{:<20} {:>8} {:>8} {:>6} {:>9} {:>6} {:>6}  settled on",
        "mirror", "wall s", "floor s", "ratio", "requests", "429s", "429 %"
    );
    println!(
        "{:<20} {:>8.2} {:>8.2} {:>6.3} {:>9} {:>6} {:>6.2}  {}",
        "--jobs auto",
        wall.as_secs_f64(),
        floor,
        wall.as_secs_f64() / floor,
        admitted + refused,
        refused,
        100.0 * refused as f64 / (admitted + refused) as f64,
        settled_text(&settled)
    );

    Ok(())
}

/// Part 2: fixed job counts and auto without a rate limit (JOBS `none`
/// skips it).
async fn unlimited(
    il: &Intralinks,
    http: &reqwest::Client,
    url: &str,
    base: &std::path::Path,
    fixed: &[usize],
    latency: u64,
    documents: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    if fixed.is_empty() {
        return Ok(());
    }
    control(
        http,
        url,
        reqwest::Method::PUT,
        "/_sim/rate-limit",
        Some(json!({})),
    )
    .await?;
    println!();
    println!("no rate limit; latency floor = documents x latency / jobs");
    println!(
        "{:<20} {:>8} {:>8} {:>6} {:>9} {:>8}  settled on",
        "mirror", "wall s", "floor s", "ratio", "requests", "vs best"
    );
    let mut runs: Vec<(String, Duration, f64, SyncEvent)> = Vec::new();
    let mut all: Vec<Jobs> = fixed.iter().map(|&n| Jobs::Fixed(n)).collect();
    all.push(Jobs::default());
    for jobs in all {
        let dir = base.join(format!("unlimited-{}", jobs.to_string().replace(':', "-")));
        let (wall, settled) = mirror(il, &dir, jobs, documents).await?;
        let floor = documents as f64 * latency as f64 / 1000.0 / jobs.ceiling() as f64;
        runs.push((format!("--jobs {jobs}"), wall, floor, settled));
        std::fs::remove_dir_all(&dir)?;
    }
    let best = runs
        .iter()
        .filter(|r| r.0 != "--jobs auto")
        .map(|r| r.1)
        .min()
        .ok_or("no fixed count")?;
    for (name, wall, floor, settled) in &runs {
        println!(
            "{:<20} {:>8.2} {:>8.2} {:>6.3} {:>9} {:>8.3}  {}",
            name,
            wall.as_secs_f64(),
            floor,
            wall.as_secs_f64() / floor,
            requests(settled),
            wall.as_secs_f64() / best.as_secs_f64(),
            if name == "--jobs auto" {
                settled_text(settled)
            } else {
                String::new()
            }
        );
    }
    Ok(())
}
