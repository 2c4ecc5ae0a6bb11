//! `SyncOptions::jobs`: every request of a run goes through one limiter,
//! which the run's last event reports; the service's 429s are each seen by
//! it, and the run still completes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use intralinks_ext::{FixedAnswers, Intralinks, RetryPolicy};
use intralinks_sim::{Faults, Generated, RateLimit, SimConfig, Simulator, demo};
use intralinks_sync::{self as sync, Jobs, SyncEvent, SyncHook, SyncOptions};

use crate::common;

const WS: i64 = demo::GENERATED_WORKSPACE;

async fn start(config: SimConfig) -> (Simulator, Intralinks) {
    let sim = Simulator::start(config).await.unwrap();
    let il = Intralinks::builder(sim.url())
        .login(common::keys(), common::password())
        .await
        .unwrap();
    il.enter(WS, &mut FixedAnswers::default()).await.unwrap();
    (sim, il)
}

/// Options for `jobs` that keep every event.
fn options(jobs: Jobs) -> (SyncOptions, Arc<Mutex<Vec<SyncEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let e = events.clone();
    let options = SyncOptions {
        jobs,
        retry: RetryPolicy {
            max_attempts: 20,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_secs(2),
        },
        progress: Some(SyncHook::new(move |ev| e.lock().unwrap().push(ev.clone()))),
        ..SyncOptions::default()
    };
    (options, events)
}

async fn stats(sim: &Simulator) -> serde_json::Value {
    reqwest::get(format!("{}/_sim/stats", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_run_ends_with_what_its_limiter_settled_on() {
    let (sim, il) = start(SimConfig {
        generated: Some(Generated::new(40, 4)),
        ..SimConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (options, events) = options(Jobs::Fixed(3));
    let report = sync::mirror(&il, WS, dir.path(), &options).await.unwrap();
    assert_eq!((report.fetched, report.failures.len()), (40, 0));
    let events = events.lock().unwrap().clone();
    // Told once, last: two listings and 40 downloads, 3 at once.
    assert_eq!(
        events.last(),
        Some(&SyncEvent::Settled {
            jobs: "3".into(),
            limit: 3,
            peak: 3,
            rate: None,
            requests: 42,
            throttled: 0,
            paused_ms: 0,
        })
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, SyncEvent::Settled { .. }))
            .count(),
        1
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn every_429_is_seen_by_the_limiter_and_the_run_completes() {
    // One request at a time, each answered after 30 ms: a run of 4 at once
    // is refused, backs off, and gets every document.
    let (sim, il) = start(SimConfig {
        generated: Some(Generated::new(30, 3)),
        rate_limit: RateLimit {
            per_second: 0.0,
            burst: 0,
            max_concurrent: 1,
        },
        faults: Faults {
            latency_ms: 30,
            ..Faults::default()
        },
        ..SimConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (options, events) = options(Jobs::Fixed(4));
    let report = sync::mirror(&il, WS, dir.path(), &options).await.unwrap();
    assert_eq!((report.fetched, report.failures.len()), (30, 0));
    let refused = stats(&sim).await["rateLimit"]["throttledConcurrency"]
        .as_u64()
        .unwrap();
    assert!(refused > 0, "the service never refused a request");
    let Some(SyncEvent::Settled {
        throttled,
        paused_ms,
        requests,
        ..
    }) = events.lock().unwrap().last().cloned()
    else {
        panic!("no Settled event last")
    };
    // Each 429 the service sent reached the limiter, and each paused the
    // run (Retry-After: 1).
    assert_eq!(throttled, refused);
    assert!(paused_ms >= 1000, "{paused_ms}");
    // The listings, 30 downloads, and one request more per refusal.
    assert_eq!(requests, 2 + 30 + refused);
    sim.shutdown().await;
}
