//! Progress as a person sees it, through the simulator's slow link: status
//! lines every few seconds when stderr is piped, none with `-q`, and
//! Ctrl-C during `download` keeping what arrived (and saying where) for a
//! rerun that fetches only the rest.

use std::process::Stdio;
use std::time::Duration;

use intralinks_sim::{Bandwidth, SimConfig, Simulator, demo};

use crate::common;
use common::*;

async fn slow_sim(down: u64) -> Simulator {
    Simulator::start(SimConfig {
        bandwidth: Bandwidth {
            up_bytes_per_sec: 0,
            down_bytes_per_sec: down,
        },
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

fn status_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("mirror: "))
        .collect()
}

#[tokio::test]
async fn mirror_prints_status_lines_when_piped_and_nothing_with_quiet() {
    // The FY2023 folder (the 3 MiB annual report) at 1 MB/s: about 3 s.
    let sim = slow_sim(1_000_000).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = demo::MAIN_WORKSPACE.to_string();
    let folder = demo::FOLDER_FY2023.to_string();
    let o = run(
        &sim.url(),
        &[
            "mirror",
            &ws,
            "a",
            "--folder",
            &folder,
            "--status-every",
            "1",
        ],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    let stderr = err(&o);
    let lines = status_lines(&stderr);
    assert!(lines.len() >= 2, "{}", err(&o));
    // Totals known up front, in every line.
    // FY2023 holds two documents, 3.2 MB in all.
    assert!(
        lines
            .iter()
            .all(|l| l.contains("/2 files, ") && l.contains(" of 3.2 MB, ")),
        "{lines:#?}"
    );

    let o = run(
        &sim.url(),
        &[
            "mirror",
            &ws,
            "b",
            "--folder",
            &folder,
            "--status-every",
            "1",
            "-q",
        ],
        dir.path(),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(status_lines(&err(&o)), Vec::<&str>::new());
    sim.shutdown().await;
}

#[tokio::test]
async fn ctrl_c_during_download_keeps_the_partial_file_and_the_rerun_fetches_the_rest() {
    let sim = slow_sim(1_000_000).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = demo::MAIN_WORKSPACE.to_string();
    let doc = demo::DOC_ANNUAL_REPORT.to_string();
    let args = ["download", ws.as_str(), doc.as_str(), "-o", "annual.dat"];
    let mut c = command(&sim.url(), &args, dir.path());
    let path = dir.path().to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        let child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait for the first bytes of the part file, then interrupt.
        let started = std::time::Instant::now();
        while intralinks_ext::partial_download(&path.join("annual.dat"))
            .is_none_or(|(_, n)| n < 500_000)
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no bytes arrived"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        common::interrupt(&child);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", err(&output));
    let (part, kept) = intralinks_ext::partial_download(&dir.path().join("annual.dat")).unwrap();
    assert!(
        (500_000..demo::ANNUAL_REPORT_SIZE).contains(&kept),
        "{kept}"
    );
    let stderr = err(&output);
    assert!(
        stderr.contains(&format!(
            "stopped: the {kept} bytes received are kept in ./{}; run the same command again to go on from there",
            part.file_name().unwrap().to_string_lossy()
        )),
        "{stderr}"
    );

    let before = served(&sim).await;
    let o = run(&sim.url(), &args, dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(served(&sim).await - before, demo::ANNUAL_REPORT_SIZE - kept);
    assert_eq!(
        std::fs::metadata(dir.path().join("annual.dat"))
            .unwrap()
            .len(),
        demo::ANNUAL_REPORT_SIZE
    );
    assert!(!part.exists());
    sim.shutdown().await;
}

#[tokio::test]
async fn kill_9_during_download_loses_at_most_a_buffer_and_the_rerun_fetches_the_rest() {
    let sim = slow_sim(1_000_000).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = demo::MAIN_WORKSPACE.to_string();
    let doc = demo::DOC_ANNUAL_REPORT.to_string();
    let args = ["download", ws.as_str(), doc.as_str(), "-o", "annual.dat"];
    let mut c = command(&sim.url(), &args, dir.path());
    let path = dir.path().to_path_buf();
    let start = served(&sim).await;
    tokio::task::spawn_blocking(move || {
        let mut child = c
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while intralinks_ext::partial_download(&path.join("annual.dat"))
            .is_none_or(|(_, n)| n < 1_500_000)
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no bytes arrived"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill().unwrap(); // SIGKILL: nothing runs after it
        child.wait().unwrap();
    })
    .await
    .unwrap();
    let first = served(&sim).await - start;
    let (part, kept) = intralinks_ext::partial_download(&dir.path().join("annual.dat")).unwrap();
    assert!(
        (1_500_000..demo::ANNUAL_REPORT_SIZE).contains(&kept),
        "{kept}"
    );

    let before = served(&sim).await;
    let o = run(&sim.url(), &args, dir.path()).await;
    assert!(o.status.success(), "{}", err(&o));
    let rerun = served(&sim).await - before;
    // The rerun asks only for what is not on disk...
    assert_eq!(rerun, demo::ANNUAL_REPORT_SIZE - kept);
    // ...and what the kill lost is at most one buffer (the writer's 1 MiB and
    // what was on its way to it).
    assert!(
        first + rerun <= demo::ANNUAL_REPORT_SIZE + 2 * 1024 * 1024,
        "served {first} then {rerun} for {} bytes",
        demo::ANNUAL_REPORT_SIZE
    );
    assert_eq!(
        std::fs::metadata(dir.path().join("annual.dat"))
            .unwrap()
            .len(),
        demo::ANNUAL_REPORT_SIZE
    );
    assert!(!part.exists());
    sim.shutdown().await;
}

/// Document body bytes the simulator handed out so far.
async fn served(sim: &Simulator) -> u64 {
    let v: serde_json::Value = reqwest::get(format!("{}/_sim/stats", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["downloadBytes"].as_u64().unwrap()
}

#[cfg(unix)]
#[tokio::test]
async fn mirror_draws_its_bar_on_a_terminal_within_2_s_of_the_first_byte() {
    let sim = slow_sim(1_000_000).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = demo::MAIN_WORKSPACE.to_string();
    let folder = demo::FOLDER_FY2023.to_string();
    let mut c = command(
        &sim.url(),
        &["mirror", &ws, "a", "--folder", &folder],
        dir.path(),
    );
    c.env("TERM", "xterm").env("COLUMNS", "120");
    let parts = dir.path().join("a/.intralinks-sync/parts");
    let (first_byte, bar, all) = tokio::task::spawn_blocking(move || {
        // The command on a pseudo-terminal of its own.
        let mut pty = common::Pty::spawn(c);
        let started = std::time::Instant::now();
        let mut first_byte = None;
        let mut bar = None;
        let look = |pty: &mut common::Pty, bar: &mut Option<std::time::Instant>| {
            while pty.take_shown().is_some() {
                if bar.is_none() && pty.shown.contains("/2 files") {
                    *bar = Some(std::time::Instant::now());
                }
            }
        };
        while !pty.ended() {
            assert!(started.elapsed() < Duration::from_secs(30));
            if first_byte.is_none() && part_files(&parts).iter().any(|(_, len)| *len > 0) {
                first_byte = Some(std::time::Instant::now());
            }
            look(&mut pty, &mut bar);
            std::thread::sleep(Duration::from_millis(10));
        }
        look(&mut pty, &mut bar);
        let (_, all) = pty.finish();
        if bar.is_none() && all.contains("/2 files") {
            bar = Some(std::time::Instant::now());
        }
        (first_byte, bar, all)
    })
    .await
    .unwrap();
    let first_byte = first_byte.expect("a partial file was seen");
    let bar = bar.unwrap_or_else(|| panic!("no bar on the terminal: {all:?}"));
    let after = bar.saturating_duration_since(first_byte);
    assert!(after < Duration::from_secs(2), "{after:?}");
    // The bar, with its totals: files and bytes.
    assert!(all.contains("mirror"), "{all:?}");
    assert!(all.contains("1/2 files ["), "{all:?}");
    assert!(all.contains("/3.02 MiB "), "{all:?}");
    sim.shutdown().await;
}
