//! The simulator as a throttling service: a per-client token bucket and a
//! cap on requests in flight, answered 429 with `Retry-After` in the
//! gateway's fault envelope, counted in `/_sim/stats`; `/_sim` is exempt.
//! The bucket refills so slowly (one request in 1000 s) that the counts
//! are exact whatever the machine's speed.

use crate::common;

use common::*;
use intralinks_sim::{Faults, RateLimit, SimConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn a_client_gets_its_burst_then_429_with_retry_after_and_the_fault_envelope() {
    let ctx = start_with(SimConfig {
        rate_limit: RateLimit::per_second(0.001, 5),
        ..SimConfig::default()
    })
    .await;
    // The login is the peer's (no token yet): one of its 5.
    let token = ctx.login().await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let r = ctx
            .http
            .get(ctx.v2("/workspaces"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(r.headers()["retry-after"], "1000");
            let v: Value = r.json().await.unwrap();
            assert_eq!(
                v,
                json!({"fault": {
                    "faultstring": "Rate limit quota violation",
                    "detail": {"errorcode": "policies.ratelimit.QuotaViolation"}
                }})
            );
        }
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);
    // Another session is another client, with a bucket of its own.
    let other = ctx.login().await;
    let (s, _) = ctx.get(&other, "/workspaces").await;
    assert_eq!(s, StatusCode::OK);
    // The control surface is never limited; it counts what happened.
    for _ in 0..10 {
        let (s, _) = ctx.control(Method::GET, "/_sim/health", None).await;
        assert_eq!(s, StatusCode::OK);
    }
    let (_, stats) = ctx.control(Method::GET, "/_sim/stats", None).await;
    assert_eq!(
        stats["rateLimit"],
        json!({"admitted": 8, "throttledRate": 2, "throttledConcurrency": 0, "peakConcurrent": 1})
    );
}

#[tokio::test]
async fn the_limit_is_set_and_lifted_at_run_time_and_bad_limits_are_named() {
    let ctx = start().await;
    let token = ctx.login().await;
    let (s, v) = ctx.control(Method::GET, "/_sim/rate-limit", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, json!({"perSecond": 0.0, "burst": 0, "maxConcurrent": 0}));
    let (s, v) = ctx
        .control(
            Method::PUT,
            "/_sim/rate-limit",
            Some(json!({"perSecond": 0.001, "burst": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v,
        json!({"perSecond": 0.001, "burst": 2, "maxConcurrent": 0})
    );
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(ctx.get(&token, "/workspaces").await.0.as_u16());
    }
    assert_eq!(statuses, [200, 200, 429]);
    let (s, _) = ctx
        .control(Method::PUT, "/_sim/rate-limit", Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ctx.get(&token, "/workspaces").await.0, StatusCode::OK);

    let (s, v) = ctx
        .control(
            Method::PUT,
            "/_sim/rate-limit",
            Some(json!({"perSecond": 50, "burst": 0})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v.to_string()
            .contains("burst must be at least 1 when perSecond is set"),
        "{v}"
    );
    let bad = intralinks_sim::Simulator::start(SimConfig {
        rate_limit: RateLimit::per_second(-1.0, 1),
        ..SimConfig::default()
    })
    .await
    .unwrap_err();
    assert_eq!(
        bad.to_string(),
        "perSecond must be 0 (no limit) or a number from 0.001 to 1000000"
    );
}

#[tokio::test]
async fn requests_over_the_concurrency_cap_are_answered_429_at_once() {
    // Every answer takes 2 s: three requests sent together find two in
    // flight; the third is refused without waiting.
    let ctx = start_with(SimConfig {
        rate_limit: RateLimit {
            per_second: 0.0,
            burst: 0,
            max_concurrent: 2,
        },
        faults: Faults {
            latency_ms: 2000,
            ..Faults::default()
        },
        ..SimConfig::default()
    })
    .await;
    let token = ctx.login().await;
    let send = || {
        ctx.http
            .get(ctx.v2("/workspaces"))
            .bearer_auth(&token)
            .send()
    };
    let (a, b) = tokio::join!(send(), send());
    let _ = (a.unwrap(), b.unwrap());
    let first = tokio::spawn(send());
    let second = tokio::spawn(send());
    // Wait until both are in flight, as the simulator counts them.
    loop {
        let (_, stats) = ctx.control(Method::GET, "/_sim/stats", None).await;
        if stats["rateLimit"]["admitted"] == 5 {
            break;
        }
        tokio::task::yield_now().await;
    }
    let third = send().await.unwrap();
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(third.headers()["retry-after"], "1");
    let v: Value = third.json().await.unwrap();
    assert_eq!(
        v["fault"]["detail"]["errorcode"],
        "policies.concurrentratelimit.ConcurrentRatelimtViolation"
    );
    assert_eq!(first.await.unwrap().unwrap().status(), StatusCode::OK);
    assert_eq!(second.await.unwrap().unwrap().status(), StatusCode::OK);
    let (_, stats) = ctx.control(Method::GET, "/_sim/stats", None).await;
    assert_eq!(
        stats["rateLimit"],
        json!({"admitted": 5, "throttledRate": 0, "throttledConcurrency": 1, "peakConcurrent": 2})
    );
}
