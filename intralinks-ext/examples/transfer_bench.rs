//! Benchmark: one upload and one download through the simulator's slow
//! link, timed against what the link allows (size ÷ bandwidth), with the
//! peak memory of the process.
//!
//! `cargo run --release -p intralinks-ext --example transfer_bench -- [MIB] [MB_PER_SEC]`
//!
//! Defaults: 256 MiB at 50 MB/s each way. The file is uploaded (streamed
//! from disk, SHA-1 computed on the way), then downloaded back (Range-capable
//! pipeline, hashed and written on a blocking worker) and verified. A ratio
//! near 1.00 means the client keeps up with the link; peak RSS that does
//! not grow with the size means constant memory. The simulator runs in the
//! same process, so its memory is counted too.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use intralinks_ext::{DocumentRef, FixedAnswers, FolderRef, Intralinks, TransferLimits};
use intralinks_sim::{Bandwidth, SimConfig, Simulator, demo};

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn report(what: &str, bytes: u64, rate: u64, took: Duration) {
    let ideal = bytes as f64 / rate as f64;
    println!(
        "{what}: {bytes} bytes in {:.2} s; size ÷ bandwidth is {ideal:.2} s: {:.3}×; peak RSS so far {:.1} MiB",
        took.as_secs_f64(),
        took.as_secs_f64() / ideal,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mib: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(256);
    let mb_per_sec: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(50);
    let rate = mb_per_sec * 1_000_000;
    let size = mib * 1024 * 1024;

    let sim = Simulator::start(SimConfig {
        bandwidth: Bandwidth::both(rate),
        ..SimConfig::default()
    })
    .await?;
    let il = Intralinks::builder(sim.url())
        .transfer_limits(TransferLimits::default())
        .login(common::demo_app(), common::demo_user())
        .await?;
    il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default())
        .await?;

    let dir = tempfile::tempdir()?;
    let source = dir.path().join("source.bin");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&source)?);
        let block: Vec<u8> = (0..1024 * 1024)
            .map(|i: u32| (i * 31 % 251) as u8)
            .collect();
        for i in 0..mib {
            let mut b = block.clone();
            b[..8].copy_from_slice(&i.to_le_bytes());
            f.write_all(&b)?;
        }
        f.flush()?;
    }
    println!(
        "{mib} MiB through a {mb_per_sec} MB/s link each way; peak RSS at start {:.1} MiB",
        peak_rss_mib().unwrap_or(f64::NAN)
    );

    let started = Instant::now();
    let up = il
        .upload(
            FolderRef {
                workspace_id: demo::MAIN_WORKSPACE,
                folder_id: demo::FOLDER_LEGAL,
            },
            &source,
            Some("bench.bin"),
            None,
        )
        .await?;
    report("upload", up.bytes, rate, started.elapsed());
    // The simulator keeps its own copy; the source is not needed any more,
    // and a 4 GiB run fits in less space without it.
    std::fs::remove_file(&source)?;

    let dest = dir.path().join("back.bin");
    let started = Instant::now();
    let down = il
        .download(
            DocumentRef {
                workspace_id: demo::MAIN_WORKSPACE,
                document_id: up.document_id,
            },
            &dest,
            None,
        )
        .await?;
    report("download", down.bytes, rate, started.elapsed());
    if down.sha1_base64 != up.sha1_base64 || down.bytes != size {
        return Err("the file came back different".into());
    }
    println!(
        "verified: the same {size} bytes, SHA-1 {}",
        down.sha1_base64
    );
    sim.shutdown().await;
    Ok(())
}
