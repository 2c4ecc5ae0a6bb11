//! A stateful, faithful simulator of the Intralinks virtual-data-room HTTP
//! API, for tests and offline demos.
//!
//! It answers the V2 JSON API under `/v2` exactly as the live service does
//! (integer ids above 2^32, `{"milliseconds": N}` dates, 40-hex versions,
//! `"T"`/`"F"` booleans, status envelopes, the error shapes, the HTML 404
//! page), the authorize form of a web login (`/v2/oauth/authorize`, whose
//! single-use codes the token endpoint exchanges), the V1 XML entry and
//! splash-image calls under `/services`, and a
//! control surface under `/_sim` for tests (reset, mailbox, faults, token
//! expiry, hash corruption, transfer counts, a slow link, a rate limit).
//! Document downloads honour `Range` (206, `Content-Range`, 416, `If-Range`
//! on the `ETag`), [`SimConfig::bandwidth`] holds each connection to a rate
//! each way, and [`SimConfig::rate_limit`] throttles each client as the
//! service does (429 with `Retry-After`). The seeded data room is described
//! in [`demo`].
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use intralinks_sim::{SimConfig, Simulator, demo};
//!
//! let sim = Simulator::start(SimConfig::default()).await?;
//! let v2 = format!("{}/v2", sim.url());
//! // POST {v2}/oauth/token with client_id=demo::CLIENT_ID, client_secret=demo::CLIENT_SECRET,
//! // email=demo::EMAIL, password=demo::PASSWORD, grant_type=client_credentials ...
//! # let _ = (v2, demo::MAIN_WORKSPACE);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! State lives in memory behind one `std::sync::Mutex` that is never held
//! across I/O; uploads are streamed to a private temporary directory and
//! downloads are streamed in 64 KiB chunks, so memory stays flat however
//! many clients fetch the 1 GiB demo document at once.

#![warn(missing_docs)]

mod app;
mod authorize;
pub mod content;
mod control;
pub mod demo;
mod error;
mod faults;
mod gif;
mod postings;
mod ratelimit;
mod router;
mod seed;
mod state;
mod throttle;
mod v1;
mod v2;
mod wire;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use ratelimit::RateLimit;
pub use throttle::Bandwidth;

/// Faults injected into `/v2` and `/services` answers (never `/_sim`).
///
/// Set at start through [`SimConfig::faults`] (or the binary's flags) and at
/// run time with `PUT /_sim/faults` (same JSON, camelCase; missing fields
/// take their defaults, so `{}` turns every fault off).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Delay before every answer, in milliseconds.
    pub latency_ms: u64,
    /// Share of calls (0.0..=1.0) answered 503 with `Retry-After` and the
    /// gateway's `{"fault": {"faultstring": ...}}` body; the call itself is
    /// not performed.
    pub error_rate: f64,
    /// The `Retry-After` of those 503s, in seconds.
    pub retry_after_secs: u64,
    /// Share of answers whose connection is dropped half-way through the
    /// body, after headers announcing the full `Content-Length`.
    pub drop_mid_body_rate: f64,
    /// Share of answers cut short: no `Content-Length`, the body ends
    /// cleanly after half of its bytes.
    pub truncate_rate: f64,
    /// Answer every download in full (200), ignoring `Range`, as a server
    /// without range support does.
    pub ignore_range: bool,
    /// Answer every document upload (`PUT .../file`) 503 with `Retry-After`,
    /// without reading it; creates and every other call work.
    pub fail_uploads: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            error_rate: 0.0,
            retry_after_secs: 1,
            drop_mid_body_rate: 0.0,
            truncate_rate: 0.0,
            ignore_range: false,
            fail_uploads: false,
        }
    }
}

impl Faults {
    /// Checks that every rate lies in 0.0..=1.0 and the latency is at most
    /// ten minutes.
    pub fn validate(&self) -> Result<(), String> {
        if self.latency_ms > 600_000 {
            return Err("latencyMs must be at most 600000 (ten minutes)".into());
        }
        for (name, rate) in [
            ("errorRate", self.error_rate),
            ("dropMidBodyRate", self.drop_mid_body_rate),
            ("truncateRate", self.truncate_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must lie between 0.0 and 1.0"));
            }
        }
        Ok(())
    }
}

/// How to start a [`Simulator`].
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to bind; the default `127.0.0.1:0` picks a free port.
    pub addr: SocketAddr,
    /// Lifetime of access tokens (`expires_in`); default 3599 s.
    pub token_lifetime: Duration,
    /// Lifetime of refresh tokens; default 30 days.
    pub refresh_token_lifetime: Duration,
    /// How long a code of the authorize form (`/v2/oauth/authorize`) may be
    /// exchanged; default 60 s. Codes are single-use besides.
    pub authorization_code_lifetime: Duration,
    /// Faults in effect from the start.
    pub faults: Faults,
    /// Longest wait for open connections on [`Simulator::shutdown`] before
    /// they are cut; default 5 s.
    pub shutdown_grace: Duration,
    /// A generated workspace ([`demo::GENERATED_WORKSPACE`]) of many small
    /// documents, for sync tests and benchmarks; none by default.
    pub generated: Option<Generated>,
    /// A slow link: each connection's reads and writes held to these rates
    /// (changed at run time with `PUT /_sim/bandwidth`); unlimited by default.
    pub bandwidth: Bandwidth,
    /// The service's throttling: each client's requests per second, burst
    /// and requests in flight, answered 429 with `Retry-After` beyond them
    /// (changed at run time with `PUT /_sim/rate-limit`); none by default.
    pub rate_limit: RateLimit,
    /// Seed the workspace the Intralinks Python SDK's own test suite expects
    /// ([`demo::SDK_TEST_WORKSPACE`], "API Unit Test": the demo user its only
    /// member, nothing else in it), so that suite can run against the
    /// simulator; off by default.
    pub sdk_test_room: bool,
}

/// The shape of the generated workspace [`demo::GENERATED_WORKSPACE`]:
/// `documents` small documents spread round-robin over `folders` folders
/// at its root (at least one folder: every document lives in a folder).
///
/// Deterministic: document `i` (from 0) has id
/// `demo::GENERATED_FIRST_DOCUMENT + i`, name `doc-{i:05}.txt` and the bytes
/// of [`content::generated_text`]`(i, bytes)`; folder `j` has id
/// `demo::GENERATED_FIRST_FOLDER + j` and name `folder-{j:03}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    /// How many documents.
    pub documents: usize,
    /// How many folders.
    pub folders: usize,
    /// Bytes in each document (at least 1).
    pub bytes: usize,
}

impl Generated {
    /// `documents` documents of 200 bytes in `folders` folders.
    pub fn new(documents: usize, folders: usize) -> Self {
        Generated {
            documents,
            folders,
            bytes: 200,
        }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            token_lifetime: Duration::from_secs(3599),
            refresh_token_lifetime: Duration::from_secs(30 * 24 * 3600),
            authorization_code_lifetime: Duration::from_secs(60),
            faults: Faults::default(),
            shutdown_grace: Duration::from_secs(5),
            generated: None,
            bandwidth: Bandwidth::default(),
            rate_limit: RateLimit::default(),
            sdk_test_room: false,
        }
    }
}

/// A running simulator. Dropping it stops the server too (abruptly);
/// prefer [`Simulator::shutdown`].
#[derive(Debug)]
pub struct Simulator {
    addr: SocketAddr,
    grace: Duration,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Simulator {
    /// Binds `config.addr`, seeds the demo data room and serves it in a
    /// tokio task. Fails only if the address cannot be bound or the private
    /// storage directory cannot be created.
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        config
            .faults
            .validate()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        config
            .rate_limit
            .validate()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let rates = Arc::new(throttle::Rates::default());
        rates.set(config.bandwidth);
        let listener = throttle::Listener::new(listener, rates.clone());
        let storage = tempfile::Builder::new()
            .prefix("intralinks-sim-")
            .tempdir()?;
        let shared = Arc::new(app::Shared::new(
            config.faults,
            (
                config.token_lifetime,
                config.refresh_token_lifetime,
                config.authorization_code_lifetime,
            ),
            storage,
            seed::Seed {
                generated: config.generated,
                sdk_test_room: config.sdk_test_room,
            },
            rates,
        ));
        shared.limiter.set(config.rate_limit);
        let router =
            router::router(shared).into_make_service_with_connect_info::<ratelimit::Peer>();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%addr, "intralinks simulator listening");
        Ok(Simulator {
            addr,
            grace: config.shutdown_grace,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The host root, e.g. `http://127.0.0.1:41234` (no trailing slash):
    /// V2 lives under `/v2`, V1 under `/services`, controls under `/_sim`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, lets running calls finish (at most
    /// [`SimConfig::shutdown_grace`]), then stops.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(self.grace, &mut task).await.is_err()
        {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The crate README's examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
