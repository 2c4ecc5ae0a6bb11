//! Benchmark: stream the largest document of the simulator's demo data room
//! to disk with SHA-1 verification, and print throughput and peak memory.
//!
//! `cargo run --release -p intralinks-ext --example download_bench`
//!
//! Peak RSS (VmHWM) barely moving while a 1 GiB file goes through shows the
//! download runs at constant memory.

use std::time::Instant;

use intralinks_ext::{AppKeys, Checked, Error, FixedAnswers, Grant, Intralinks, Secret};
use intralinks_sim::{SimConfig, Simulator, demo};

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
    // The largest document of any workspace that can be entered without a one-time password.
    let mut best = None;
    for ws in il.api().list_workspaces().send().checked().await?.workspace {
        let docs = match il
            .api()
            .list_documents()
            .workspace_id(ws.id)
            .send()
            .checked()
            .await
        {
            Ok(l) => l.document,
            Err(Error::EntryRequired { .. }) => {
                let mut answers = FixedAnswers {
                    accept_splash: true,
                    answer: Some(Secret::new(demo::ANSWER)),
                    ..Default::default()
                };
                if il.enter(ws.id, &mut answers).await.is_err() {
                    continue;
                }
                il.api()
                    .list_documents()
                    .workspace_id(ws.id)
                    .send()
                    .checked()
                    .await?
                    .document
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
    let start = Instant::now();
    let done = il
        .download_document(ws, &doc, &dir.path().join("big.bin"), None)
        .await?;
    let secs = start.elapsed().as_secs_f64();
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
    let curl = tokio::task::spawn_blocking(move || command.status()).await?;
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
        }
        Ok(status) => println!("curl failed ({status}); no comparison"),
        Err(e) => println!("curl could not run ({e}); no comparison"),
    }
    sim.shutdown().await;
    Ok(())
}
