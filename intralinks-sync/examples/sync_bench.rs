//! Mirror and push wall time against the floor (documents × latency / jobs).
//!
//! `cargo run --release -p intralinks-ext --example sync_bench [DOCUMENTS] [LATENCY_MS] [JOBS]`
//! seeds the simulator (in this process, on 127.0.0.1) with DOCUMENTS small
//! documents (default 2000) in 20 folders, delays every answer by
//! LATENCY_MS (default 20), and mirrors the room, then pushes a tree of as
//! many files into a fresh folder, with 1, 8 and 32 jobs (or the
//! comma-separated JOBS, such as `8,32` or `8,auto`). With `auto` (the
//! default setting) the floor is counted at the most requests the run had
//! in flight at once (`peak`, from `SyncEvent::Settled`), the lowest floor
//! of the concurrency it used. The simulator
//! runs in a child process (this program again, with `--serve`), so the peak
//! RSS printed is the client's alone. Each run is cut into phases: until
//! its plan (listing and walk), until its first transfer (for push: the
//! folders, the hashes and the creates), its transfers, and after the last
//! one (for push: the verifying listing).

#[path = "../../intralinks-ext/examples/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use intralinks_ext::types::{CreateFoldersRequest, FolderInput, FolderInputItem};
use intralinks_ext::{Checked, FixedAnswers, Intralinks};
use intralinks_sim::{Faults, Generated, SimConfig, demo};
use intralinks_sync::{self as sync, Jobs, SyncEvent, SyncHook, SyncOptions};

/// What the hook of a run saw: the most requests in flight at once (told
/// by `SyncEvent::Settled`), and when the run had its plan, started its
/// first transfer and ended its last one (ms since it was made).
#[derive(Default)]
struct Seen {
    peak: std::sync::atomic::AtomicUsize,
    planned: std::sync::atomic::AtomicU64,
    first: std::sync::atomic::AtomicU64,
    last: std::sync::atomic::AtomicU64,
}

/// `options` with a hook that fills a [`Seen`].
fn watched(options: SyncOptions) -> (SyncOptions, std::sync::Arc<Seen>) {
    use std::sync::atomic::Ordering::Relaxed;
    let seen = std::sync::Arc::new(Seen::default());
    let filled = seen.clone();
    let start = Instant::now();
    let hook = SyncHook::new(move |e| {
        let ms = start.elapsed().as_millis() as u64;
        match e {
            SyncEvent::Settled { peak, .. } => filled.peak.store(*peak, Relaxed),
            SyncEvent::Planned { .. } => filled.planned.store(ms, Relaxed),
            SyncEvent::Started { .. } => {
                let _ = filled.first.compare_exchange(0, ms, Relaxed, Relaxed);
            }
            SyncEvent::Done { .. } => filled.last.store(ms, Relaxed),
            _ => {}
        }
    });
    (
        SyncOptions {
            progress: Some(hook),
            ..options
        },
        seen,
    )
}

impl Seen {
    /// The phases in seconds: to the plan, to the first transfer, the
    /// transfers, after the last one; `wall` is the whole run.
    fn phases(&self, wall: Duration) -> [f64; 4] {
        use std::sync::atomic::Ordering::Relaxed;
        let s = |ms: u64| ms as f64 / 1000.0;
        let (planned, first, last) = (
            s(self.planned.load(Relaxed)),
            s(self.first.load(Relaxed)),
            s(self.last.load(Relaxed)),
        );
        [
            planned,
            first - planned,
            last - first,
            wall.as_secs_f64() - last,
        ]
    }
}

/// The floor of `documents` answers of `latency` ms, `jobs` at a time.
fn floor_of(documents: usize, latency: u64, jobs: usize) -> Duration {
    Duration::from_millis(documents as u64 * latency) / jobs.max(1) as u32
}

/// CPU seconds (user and system) process `pid` has used so far (Linux).
fn cpu_s(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command's name (which is in parentheses).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|t| t.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime, fields 14 and 15 of the whole line, at 100 ticks a second.
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let serving = args.first().is_some_and(|a| a == "--serve");
    if serving {
        args.remove(0);
    }
    let mut args = args.into_iter();
    let documents: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2000);
    let latency: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(20);
    let job_counts: Vec<Jobs> = match args.next() {
        Some(list) => list
            .split(',')
            .map(|j| j.parse())
            .collect::<Result<_, _>>()?,
        None => vec![Jobs::Fixed(1), Jobs::Fixed(8), Jobs::Fixed(32)],
    };
    if serving {
        return serve(documents, latency).await;
    }
    let (mut child, url) = common::spawn_simulator(&[documents.to_string(), latency.to_string()])?;
    // Each push adds as many documents again: the listing of a room of
    // 100,000 documents plus those pushed is over the default answer limit
    // (128 MiB), which needs no flag: the engine bounds a listing by the
    // compact model it keeps.
    let il = Intralinks::builder(url)
        .login(common::demo_app(), common::demo_user())
        .await?;
    let ws = demo::GENERATED_WORKSPACE;
    il.enter(ws, &mut FixedAnswers::default()).await?;
    println!("{documents} documents of 200 bytes, {latency} ms latency per answer");
    println!(
        "{:<6} {:>5} {:>5} {:>9} {:>9} {:>7} {:>6} {:>6}   phases s: {:>6} {:>6} {:>6} {:>6}",
        "what",
        "jobs",
        "peak",
        "wall s",
        "floor s",
        "ratio",
        "cpu c",
        "cpu s",
        "plan",
        "begin",
        "moves",
        "end"
    );
    let sim_pid = child.id().to_string();
    // CPU seconds of the client and the simulator since the last call.
    let mut cpu_before = (cpu_s("self"), cpu_s(&sim_pid));
    let mut cpu_used = move || {
        let now = (cpu_s("self"), cpu_s(&sim_pid));
        let used = (now.0 - cpu_before.0, now.1 - cpu_before.1);
        cpu_before = now;
        used
    };
    let base = tempfile::tempdir()?;
    let mut pushed_from = None;
    for (run, &jobs) in job_counts.iter().enumerate() {
        let dir = base.path().join(format!("mirror-{run}-{jobs}"));
        let (options, seen) = watched(SyncOptions {
            jobs,
            ..SyncOptions::default()
        });
        cpu_used();
        let started = Instant::now();
        let report = sync::mirror(&il, ws, &dir, &options).await?;
        let wall = started.elapsed();
        assert_eq!(report.fetched, documents, "{:?}", report.failures.first());
        let peak = seen.peak.load(std::sync::atomic::Ordering::Relaxed);
        let floor = floor_of(documents, latency, peak);
        let [plan, begin, moves, end] = seen.phases(wall);
        let (client_cpu, sim_cpu) = cpu_used();
        println!(
            "{:<6} {:>5} {peak:>5} {:>9.2} {:>9.2} {:>7.2} {client_cpu:>6.2} {sim_cpu:>6.2}             {plan:>6.2} {begin:>6.2} {moves:>6.2} {end:>6.2}",
            "mirror",
            jobs.to_string(),
            wall.as_secs_f64(),
            floor.as_secs_f64(),
            wall.as_secs_f64() / floor.as_secs_f64()
        );
        pushed_from.get_or_insert(dir);
    }
    let tree = pushed_from.ok_or("no mirror")?;
    // The push tree is the mirror's, without its state directory.
    std::fs::remove_dir_all(tree.join(".intralinks-sync"))?;
    for (run, &jobs) in job_counts.iter().enumerate() {
        let created = il
            .api()
            .create_folder()
            .workspace_id(ws)
            .body(CreateFoldersRequest {
                folders: vec![FolderInputItem {
                    folder: FolderInput {
                        name: format!("push-{run}-{jobs}"),
                        note: None,
                        parent_id: None,
                    },
                }],
            })
            .send()
            .checked()
            .await?;
        let folder = created.folder_partial[0].id.ok_or("no folder id")?;
        let (options, seen) = watched(SyncOptions {
            jobs,
            folder: Some(folder),
            ..SyncOptions::default()
        });
        cpu_used();
        let started = Instant::now();
        let report = sync::push(&il, ws, &tree, &options).await?;
        let wall = started.elapsed();
        assert_eq!(report.uploaded, documents, "{:?}", report.failures.first());
        assert_eq!(report.verified, documents);
        std::fs::remove_dir_all(tree.join(".intralinks-sync"))?;
        let peak = seen.peak.load(std::sync::atomic::Ordering::Relaxed);
        let floor = floor_of(documents, latency, peak);
        let [plan, begin, moves, end] = seen.phases(wall);
        let (client_cpu, sim_cpu) = cpu_used();
        println!(
            "{:<6} {:>5} {peak:>5} {:>9.2} {:>9.2} {:>7.2} {client_cpu:>6.2} {sim_cpu:>6.2}             {plan:>6.2} {begin:>6.2} {moves:>6.2} {end:>6.2}",
            "push",
            jobs.to_string(),
            wall.as_secs_f64(),
            floor.as_secs_f64(),
            wall.as_secs_f64() / floor.as_secs_f64()
        );
    }
    if let Some(rss) = peak_rss_mib() {
        println!("peak RSS of the client {rss:.1} MiB (the simulator runs in another process)");
    }
    drop(child.stdin.take());
    child.wait()?;
    Ok(())
}
