//! The case users measured on a real link, at full size and with every
//! limit at its default: a 200 MB file sent through a 2 MB/s link takes
//! 100 s — longer than the 60 s read timeout, five times the 20 s stall
//! timeout — and succeeds, by `upload` and by `push`. (Before the one
//! transfer pipeline, `upload` failed after 241 s with "the service did not
//! answer in time" and `push` after 492 s with "0 bytes uploaded".)
//!
//! The two tests run side by side, each with its own simulator, so the
//! suite waits about 100 s for both.

use std::time::{Duration, Instant};

use intralinks_ext::{Checked, FixedAnswers, file_hash};
use intralinks_sim::{Bandwidth, SimConfig, Simulator, demo};

use crate::common;
use common::*;

const SIZE: usize = 200_000_000;
const RATE: u64 = 2_000_000;

async fn slow_link() -> Simulator {
    Simulator::start(SimConfig {
        bandwidth: Bandwidth {
            up_bytes_per_sec: RATE,
            down_bytes_per_sec: 0,
        },
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

/// 200 MB that are not all the same byte, and their SHA-1.
fn content() -> (Vec<u8>, String) {
    let bytes: Vec<u8> = (0..SIZE).map(|i| (i * 7 % 251) as u8).collect();
    let hash = file_hash(&bytes);
    (bytes, hash)
}

/// The documents named `name` in `folder`, as (size, hash).
async fn documents_named(sim: &Simulator, folder: i64, name: &str) -> Vec<(i64, String)> {
    let il = library(sim).await;
    il.enter(demo::MAIN_WORKSPACE, &mut FixedAnswers::default())
        .await
        .unwrap();
    let docs = il
        .api()
        .list_documents()
        .workspace_id(demo::MAIN_WORKSPACE)
        .send()
        .checked()
        .await
        .unwrap()
        .document;
    docs.into_iter()
        .filter(|d| d.parent_id == Some(folder) && d.name.as_deref() == Some(name))
        .map(|d| {
            (
                d.file_size.unwrap_or(-1),
                d.file_hash_download.unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_mb_upload_at_2_mb_per_s_succeeds_by_upload_at_the_defaults() {
    let sim = slow_link().await;
    let dir = tempfile::tempdir().unwrap();
    let (bytes, hash) = content();
    std::fs::write(dir.path().join("deal-video.bin"), &bytes).unwrap();
    drop(bytes);
    let ws = demo::MAIN_WORKSPACE.to_string();
    let folder = demo::FOLDER_LEGAL.to_string();
    let started = Instant::now();
    let o = run(
        &sim.url(),
        &["upload", &ws, &folder, "deal-video.bin"],
        dir.path(),
    )
    .await;
    let took = started.elapsed();
    assert!(o.status.success(), "after {took:?}: {}", err(&o));
    // Through the link, not around it: 200 MB at 2 MB/s is 100 s.
    assert!(took >= Duration::from_secs(95), "{took:?}");
    assert_eq!(
        documents_named(&sim, demo::FOLDER_LEGAL, "deal-video.bin").await,
        vec![(SIZE as i64, hash)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_mb_upload_at_2_mb_per_s_succeeds_by_push_at_the_defaults() {
    let sim = slow_link().await;
    let dir = tempfile::tempdir().unwrap();
    let (bytes, hash) = content();
    std::fs::create_dir(dir.path().join("up2")).unwrap();
    std::fs::write(dir.path().join("up2").join("deal-video.bin"), &bytes).unwrap();
    drop(bytes);
    let ws = demo::MAIN_WORKSPACE.to_string();
    let folder = demo::FOLDER_CONTRACTS.to_string();
    let started = Instant::now();
    let o = run(
        &sim.url(),
        &["push", &ws, "up2", "--folder", &folder],
        dir.path(),
    )
    .await;
    let took = started.elapsed();
    assert!(o.status.success(), "after {took:?}: {}{}", out(&o), err(&o));
    assert!(took >= Duration::from_secs(95), "{took:?}");
    assert_eq!(
        documents_named(&sim, demo::FOLDER_CONTRACTS, "deal-video.bin").await,
        vec![(SIZE as i64, hash)]
    );
}
