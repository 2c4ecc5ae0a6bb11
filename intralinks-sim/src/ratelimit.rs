//! The service's throttling: each client may send so many requests per
//! second on average with a burst above that (a token bucket), and have so
//! many in flight at once; a request over either limit is answered 429 with
//! `Retry-After` (whole seconds, at least 1) in the gateway's fault
//! envelope, and is not performed.
//!
//! A client is its access token (`Authorization: Bearer …`), or its peer
//! address when it sends none (the token endpoint, the authorize form). The
//! token and not the address: the service meters an application's session,
//! and on loopback every test and benchmark shares one address, so keying by
//! address would make two concurrent runs throttle each other. A client
//! that logs in twice has two buckets, as on the service.
//!
//! Time is `tokio::time::Instant`, and [`Limiter::admit`] takes the instant
//! from its caller, so the tests feed it instants and count exactly.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::IncomingStream;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::time::Instant;

/// A per-client rate limit: requests per second with a burst, and a cap on
/// the requests in flight. `Default` limits nothing.
///
/// Set at start through [`crate::SimConfig::rate_limit`] (or the binary's
/// `--rate-limit 50/s --burst 10 --max-concurrent 8`) and at run time with
/// `PUT /_sim/rate-limit` (same JSON, camelCase; missing fields take their
/// defaults, so `{}` lifts every limit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RateLimit {
    /// Requests each client may send per second, on average; 0 is no limit.
    pub per_second: f64,
    /// Requests a client may send at once above that rate: the size of its
    /// bucket, full at first (at least 1 when `per_second` is set).
    pub burst: u32,
    /// Requests of one client in flight at once (from arrival to the
    /// answer's headers); 0 is no cap.
    pub max_concurrent: u32,
}

impl RateLimit {
    /// `per_second` requests a second with a burst of `burst`, no cap on
    /// concurrency.
    pub fn per_second(per_second: f64, burst: u32) -> Self {
        RateLimit {
            per_second,
            burst,
            max_concurrent: 0,
        }
    }

    /// Checks that the rate is 0 (no limit) or a number from 0.001 to
    /// 1,000,000, and that a set rate has a burst of at least 1.
    pub fn validate(&self) -> Result<(), String> {
        if self.per_second != 0.0 && !(0.001..=1_000_000.0).contains(&self.per_second) {
            return Err("perSecond must be 0 (no limit) or a number from 0.001 to 1000000".into());
        }
        if self.per_second > 0.0 && self.burst == 0 {
            return Err("burst must be at least 1 when perSecond is set (1 sends evenly)".into());
        }
        Ok(())
    }
}

impl RateLimit {
    /// The time one request uses up, and how far ahead of its bucket a
    /// client may run (`burst - 1` requests' worth).
    fn spacing(&self) -> (Duration, Duration) {
        if self.per_second <= 0.0 {
            return (Duration::ZERO, Duration::ZERO);
        }
        let interval = Duration::from_secs_f64(1.0 / self.per_second);
        (interval, interval * self.burst.saturating_sub(1))
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The client's bucket is empty: `Retry-After` is when it holds a
    /// request again.
    Rate { retry_after_secs: u64 },
    /// The client has `max_concurrent` requests in flight.
    Concurrency,
}

/// One client's bucket, kept as the instant it is full again (the
/// generic cell rate algorithm: exact in whole nanoseconds), and its
/// requests in flight.
#[derive(Debug, Clone, Copy)]
struct Client {
    full_at: Instant,
    in_flight: u32,
}

/// Clients kept before idle ones (none in flight, bucket full) are dropped.
const MAX_CLIENTS: usize = 10_000;

/// The limits in force, every client's state and the counts.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    limit: Mutex<RateLimit>,
    clients: Mutex<HashMap<String, Client>>,
    admitted: AtomicU64,
    refused_rate: AtomicU64,
    refused_concurrency: AtomicU64,
    peak_concurrent: AtomicU64,
}

impl Limiter {
    #[cfg(test)]
    fn new(limit: RateLimit) -> Self {
        Limiter {
            limit: Mutex::new(limit),
            ..Limiter::default()
        }
    }

    pub(crate) fn get(&self) -> RateLimit {
        *self.limit.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// New limits, for every client from now on (a bucket holds at most
    /// the new burst at once).
    pub(crate) fn set(&self, limit: RateLimit) {
        *self.limit.lock().unwrap_or_else(|e| e.into_inner()) = limit;
    }

    /// Admits one request of `client` at `now`, or says why not. An admitted
    /// request must be [`Limiter::finish`]ed.
    pub(crate) fn admit(&self, client: &str, now: Instant) -> Result<(), Refusal> {
        let limit = self.get();
        let (interval, tolerance) = limit.spacing();
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if clients.len() >= MAX_CLIENTS && !clients.contains_key(client) {
            clients.retain(|_, c| c.in_flight > 0 || c.full_at > now);
        }
        let c = clients.entry(client.to_string()).or_insert(Client {
            full_at: now,
            in_flight: 0,
        });
        if limit.max_concurrent > 0 && c.in_flight >= limit.max_concurrent {
            self.refused_concurrency.fetch_add(1, Ordering::Relaxed);
            return Err(Refusal::Concurrency);
        }
        if limit.per_second > 0.0 {
            let full_at = c.full_at.max(now);
            let owed = full_at - now;
            if owed > tolerance {
                let wait = owed - tolerance;
                self.refused_rate.fetch_add(1, Ordering::Relaxed);
                return Err(Refusal::Rate {
                    retry_after_secs: (wait.as_secs_f64().ceil() as u64).max(1),
                });
            }
            c.full_at = full_at + interval;
        }
        c.in_flight += 1;
        self.admitted.fetch_add(1, Ordering::Relaxed);
        self.peak_concurrent
            .fetch_max(u64::from(c.in_flight), Ordering::Relaxed);
        Ok(())
    }

    /// An admitted request of `client` was answered (or abandoned).
    pub(crate) fn finish(&self, client: &str) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = clients.get_mut(client) {
            c.in_flight = c.in_flight.saturating_sub(1);
        }
    }

    /// The counts since start, for `GET /_sim/stats`.
    pub(crate) fn stats(&self) -> serde_json::Value {
        json!({
            "admitted": self.admitted.load(Ordering::Relaxed),
            "throttledRate": self.refused_rate.load(Ordering::Relaxed),
            "throttledConcurrency": self.refused_concurrency.load(Ordering::Relaxed),
            "peakConcurrent": self.peak_concurrent.load(Ordering::Relaxed),
        })
    }
}

/// The address a connection comes from, for the clients without a token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(SocketAddr);

impl Connected<IncomingStream<'_, crate::throttle::Listener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, crate::throttle::Listener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// Marks an admitted request finished when dropped: answered, or cut off
/// because the client went away.
struct InFlight<'a> {
    limiter: &'a Limiter,
    client: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.limiter.finish(&self.client);
    }
}

/// Who a request counts against: its access token (`bearer`, as the caller
/// found it), or its peer address when it sends none.
pub(crate) fn client_key(bearer: Option<String>, req: &Request) -> String {
    match bearer {
        Some(token) => format!("token {token}"),
        None => match req.extensions().get::<ConnectInfo<Peer>>() {
            Some(ConnectInfo(Peer(peer))) => format!("peer {}", peer.ip()),
            None => "peer unknown".to_string(),
        },
    }
}

/// The middleware's work, outside the fault injection (the injected latency
/// counts as time in flight): admits `req` for `client` or answers 429. The
/// router wraps it, since it alone knows the shared state.
pub(crate) async fn limit(limiter: &Limiter, client: String, req: Request, next: Next) -> Response {
    match limiter.admit(&client, Instant::now()) {
        Ok(()) => {
            let _in_flight = InFlight { limiter, client };
            next.run(req).await
        }
        Err(refusal) => too_many(refusal),
    }
}

/// 429 in the gateway's fault shape, with `Retry-After` in seconds.
fn too_many(refusal: Refusal) -> Response {
    let (text, code, secs) = match refusal {
        Refusal::Rate { retry_after_secs } => (
            "Rate limit quota violation",
            "policies.ratelimit.QuotaViolation",
            retry_after_secs,
        ),
        Refusal::Concurrency => (
            "Concurrent rate limit violation",
            "policies.concurrentratelimit.ConcurrentRatelimtViolation",
            1,
        ),
    };
    let mut r = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(json!({
            "fault": { "faultstring": text, "detail": { "errorcode": code } }
        })),
    )
        .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    #[test]
    fn a_full_bucket_admits_its_burst_then_its_rate() {
        let l = Limiter::new(RateLimit::per_second(50.0, 10));
        let t0 = Instant::now();
        let admitted: Vec<bool> = (0..12)
            .map(|_| {
                let ok = l.admit("a", t0).is_ok();
                if ok {
                    l.finish("a");
                }
                ok
            })
            .collect();
        assert_eq!(admitted.iter().filter(|a| **a).count(), 10);
        assert_eq!(
            l.admit("a", t0),
            Err(Refusal::Rate {
                retry_after_secs: 1
            })
        );
        // 20 ms later one request more: 50 a second.
        assert_eq!(
            l.admit("a", at(t0, 19)),
            Err(Refusal::Rate {
                retry_after_secs: 1
            })
        );
        assert_eq!(l.admit("a", at(t0, 20)), Ok(()));
        l.finish("a");
        // Over one second, 50 requests sent evenly are all admitted, the
        // 51st at the same instant is not.
        let mut ok = 0;
        for i in 1..=50 {
            if l.admit("a", at(t0, 20 + 20 * i)).is_ok() {
                ok += 1;
                l.finish("a");
            }
        }
        assert_eq!(ok, 50);
        assert!(l.admit("a", at(t0, 1020)).is_err());
        // Another client has a bucket of its own.
        assert_eq!(l.admit("b", at(t0, 1020)), Ok(()));
        assert_eq!(
            l.stats(),
            json!({"admitted": 62, "throttledRate": 5, "throttledConcurrency": 0, "peakConcurrent": 1})
        );
    }

    #[test]
    fn retry_after_is_the_wait_for_one_request_in_whole_seconds() {
        let l = Limiter::new(RateLimit::per_second(0.25, 1));
        let t0 = Instant::now();
        assert_eq!(l.admit("a", t0), Ok(()));
        assert_eq!(
            l.admit("a", t0),
            Err(Refusal::Rate {
                retry_after_secs: 4
            })
        );
        assert_eq!(
            l.admit("a", at(t0, 2500)),
            Err(Refusal::Rate {
                retry_after_secs: 2
            })
        );
        assert_eq!(l.admit("a", at(t0, 4000)), Ok(()));
    }

    #[test]
    fn requests_in_flight_are_capped_and_refusals_use_no_token() {
        let l = Limiter::new(RateLimit {
            per_second: 0.0,
            burst: 0,
            max_concurrent: 2,
        });
        let t0 = Instant::now();
        assert_eq!(l.admit("a", t0), Ok(()));
        assert_eq!(l.admit("a", t0), Ok(()));
        assert_eq!(l.admit("a", t0), Err(Refusal::Concurrency));
        assert_eq!(l.admit("b", t0), Ok(()));
        l.finish("a");
        assert_eq!(l.admit("a", t0), Ok(()));
        assert_eq!(
            l.stats(),
            json!({"admitted": 4, "throttledRate": 0, "throttledConcurrency": 1, "peakConcurrent": 2})
        );

        // Both limits: a refusal for concurrency leaves the bucket as it was.
        let l = Limiter::new(RateLimit {
            per_second: 1.0,
            burst: 2,
            max_concurrent: 1,
        });
        assert_eq!(l.admit("a", t0), Ok(()));
        assert_eq!(l.admit("a", t0), Err(Refusal::Concurrency));
        l.finish("a");
        assert_eq!(l.admit("a", t0), Ok(()));
        l.finish("a");
        assert_eq!(
            l.admit("a", t0),
            Err(Refusal::Rate {
                retry_after_secs: 1
            })
        );
    }

    #[test]
    fn new_limits_hold_for_open_buckets_and_bad_ones_are_named() {
        let l = Limiter::new(RateLimit::per_second(10.0, 10));
        let t0 = Instant::now();
        l.set(RateLimit::per_second(10.0, 3));
        let ok = (0..5)
            .filter(|_| {
                let ok = l.admit("a", t0).is_ok();
                l.finish("a");
                ok
            })
            .count();
        assert_eq!(ok, 3);
        l.set(RateLimit::default());
        assert!((0..100).all(|_| l.admit("a", t0).is_ok()));

        assert_eq!(
            RateLimit::per_second(5.0, 0).validate(),
            Err("burst must be at least 1 when perSecond is set (1 sends evenly)".into())
        );
        assert_eq!(
            RateLimit::per_second(f64::NAN, 1).validate(),
            Err("perSecond must be 0 (no limit) or a number from 0.001 to 1000000".into())
        );
        assert_eq!(RateLimit::default().validate(), Ok(()));
    }
}
