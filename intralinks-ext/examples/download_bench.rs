//! Benchmark: stream the largest document of the simulator's demo data room
//! to disk with SHA-1 verification, and print throughput and peak memory.
//!
//! `cargo run --release -p intralinks-ext --example download_bench`
//!
//! Peak RSS (VmHWM) barely moving while a 1 GiB file goes through shows the
//! download runs at constant memory.

mod common;

use std::time::Instant;

use intralinks_ext::{Checked, Error, FixedAnswers, Intralinks, Secret};
use intralinks_sim::{SimConfig, Simulator, demo};

/// CPU seconds (user + system) used so far by this process, or by its
/// waited-for children.
fn cpu_secs(children: bool) -> f64 {
    let who = if children {
        libc::RUSAGE_CHILDREN
    } else {
        libc::RUSAGE_SELF
    };
    // SAFETY: getrusage writes one `rusage` into the zeroed value it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(who, &mut usage) != 0 {
            return f64::NAN;
        }
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sim = Simulator::start(SimConfig::default()).await?;
    let il = Intralinks::builder(sim.url())
        .login(common::demo_app(), common::demo_user())
        .await?;
    // The largest document of any workspace that can be entered without a one-time password.
    let mut best = None;
    for ws in il.api().list_workspaces().send().checked().await?.workspace {
        let docs = match il.documents(ws.id, None).await {
            Ok(docs) => docs,
            Err(Error::EntryRequired { .. }) => {
                let mut answers = FixedAnswers {
                    accept_splash: true,
                    answer: Some(Secret::new(demo::ANSWER)),
                    ..Default::default()
                };
                if il.enter(ws.id, &mut answers).await.is_err() {
                    continue;
                }
                il.documents(ws.id, None).await?
            }
            Err(e) => return Err(e.into()),
        };
        for d in docs {
            if best
                .as_ref()
                .is_none_or(|(_, b): &(i64, intralinks_ext::types::Document)| {
                    d.file_size > b.file_size
                })
            {
                best = Some((ws.id, d));
            }
        }
    }
    let (ws, doc) = best.ok_or("the demo data room has no documents")?;
    let dir = tempfile::tempdir()?;
    let before = peak_rss_mib().unwrap_or(0.0);
    let cpu_before = cpu_secs(false);
    let start = Instant::now();
    let done = il
        .download_document(ws, &doc, &dir.path().join("big.bin"), None)
        .await?;
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_secs(false) - cpu_before;
    let after = peak_rss_mib().unwrap_or(0.0);
    println!(
        "downloaded document {} ({} bytes) with SHA-1 check in {secs:.2} s: {:.1} MiB/s",
        doc.id,
        done.bytes,
        done.bytes as f64 / 1048576.0 / secs
    );
    println!(
        "peak RSS: {before:.1} MiB before, {after:.1} MiB after (simulator in the same process)"
    );
    // Where the time goes: the same download into a sink (hash, no file).
    let t = Instant::now();
    il.download_into(ws, &doc, &mut tokio::io::sink(), None)
        .await?;
    println!(
        "the same body hashed into a sink (no file): {:.2} s",
        t.elapsed().as_secs_f64()
    );
    // The same body from the same simulator through `curl -o`, the floor a
    // download tool reaches (no hash), when curl is installed.
    let token = match il.session() {
        Some(s) => s.tokens().await.access_token.expose().to_string(),
        None => String::new(),
    };
    let url = format!("{}/v2/workspaces/{ws}/documents/{}/file", sim.url(), doc.id);
    let out = dir.path().join("curl.bin");
    let started = Instant::now();
    let mut command = std::process::Command::new("curl");
    command
        .args(["-sS", "--fail", "-o"])
        .arg(&out)
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .arg(&url);
    // The simulator answers on this process's runtime while curl runs.
    let (curl_cpu_before, sim_cpu_before) = (cpu_secs(true), cpu_secs(false));
    let curl = tokio::task::spawn_blocking(move || command.status()).await?;
    let (curl_cpu, sim_cpu) = (
        cpu_secs(true) - curl_cpu_before,
        cpu_secs(false) - sim_cpu_before,
    );
    match curl {
        Ok(status) if status.success() => {
            let curl_secs = started.elapsed().as_secs_f64();
            // The download is flushed to disk before it is renamed into
            // place; curl is not. Flushed too, it compares like with like.
            let synced = std::fs::File::open(&out).and_then(|f| f.sync_all());
            let synced_secs = started.elapsed().as_secs_f64();
            println!(
                "curl -o of the same body: {curl_secs:.2} s ({synced_secs:.2} s with its file flushed{}); the verified, flushed download took {:.2}x as long as curl, {:.2}x as curl then a flush",
                if synced.is_ok() {
                    ""
                } else {
                    ", the flush failed"
                },
                secs / curl_secs,
                secs / synced_secs
            );
            // Where the difference goes: SHA-1 alone, and the CPU each side
            // used. On this many cores, the CPU both downloads need is a
            // floor for their wall time that no pipelining removes.
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let hash_started = Instant::now();
            let mut hasher = <sha1::Sha1 as sha1::Digest>::new();
            let mut block = vec![0u8; 1024 * 1024];
            let mut left = done.bytes;
            let mut i = 0u64;
            while left > 0 {
                let n = block.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                block[..8].copy_from_slice(&i.to_le_bytes());
                sha1::Digest::update(&mut hasher, &block[..n]);
                left -= n as u64;
                i += 1;
            }
            std::hint::black_box(sha1::Digest::finalize(hasher));
            let hash_secs = hash_started.elapsed().as_secs_f64();
            println!(
                "CPU: the verified download {cpu:.2} s (client and simulator); curl {curl_cpu:.2} s and the simulator {sim_cpu:.2} s beside it; SHA-1 of as many bytes alone {hash_secs:.2} s. Over {cores} cores the floor is {:.2} s for the download and {:.2} s for curl: {:.2}x",
                cpu / cores as f64,
                (curl_cpu + sim_cpu) / cores as f64,
                cpu / (curl_cpu + sim_cpu)
            );
        }
        Ok(status) => println!("curl failed ({status}); no comparison"),
        Err(e) => println!("curl could not run ({e}); no comparison"),
    }
    sim.shutdown().await;
    Ok(())
}
