//! Fault injection: 503 with Retry-After, dropped and truncated bodies,
//! latency; set at start and at run time; never on /_sim.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use intralinks_sim::{Faults, SimConfig, demo};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn error_rate_answers_503_with_retry_after() {
    let ctx = start().await;
    let token = ctx.login().await;
    let (s, v) = ctx
        .control(
            Method::PUT,
            "/_sim/faults",
            Some(json!({"errorRate": 1.0, "retryAfterSecs": 7})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["errorRate"], 1.0);
    let r = ctx
        .http
        .get(ctx.v2("/workspaces"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "7");
    let v: Value = r.json().await.unwrap();
    assert!(v["fault"]["faultstring"].as_str().is_some());
    // V1 too, and the call is not performed: entry does not advance.
    let r = ctx
        .http
        .post(ctx.url(&format!(
            "/services/workspaces/entry?workspaceId={}&httpStatus=T",
            demo::SPLASH_WORKSPACE
        )))
        .bearer_auth(&token)
        .form(&[(
            "xml",
            "<workspaceEntryRequest><acceptSplash>T</acceptSplash></workspaceEntryRequest>",
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    // /_sim is never faulty.
    let (s, v) = ctx.control(Method::GET, "/_sim/faults", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["retryAfterSecs"], 7);
    let (s, _) = ctx
        .control(Method::PUT, "/_sim/faults", Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = ctx
        .get(
            &token,
            &format!("/workspaces/{}/folders", demo::SPLASH_WORKSPACE),
        )
        .await;
    assert_entry_required(s, &v);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn the_generated_client_retries_503_and_gets_through() {
    // Half the calls fail: the client's retries (honouring Retry-After: 0)
    // get the listing through.
    let ctx = start_with(SimConfig {
        faults: Faults {
            error_rate: 0.5,
            retry_after_secs: 0,
            ..Faults::default()
        },
        ..SimConfig::default()
    })
    .await;
    let (s, v) = ctx.control(Method::GET, "/_sim/faults", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["errorRate"], 0.5);
    ctx.control(Method::PUT, "/_sim/faults", Some(json!({})))
        .await;
    let token = ctx.login().await;
    ctx.control(
        Method::PUT,
        "/_sim/faults",
        Some(json!({"errorRate": 0.5, "retryAfterSecs": 0})),
    )
    .await;
    let api = intralinks_api::Client::new(
        &ctx.v2(""),
        intralinks_api::Runtime {
            auth: Some(std::sync::Arc::new(intralinks_api::StaticToken(
                intralinks_api::Secret::new(token),
            ))),
            retry: intralinks_api::RetryPolicy {
                max_attempts: 30,
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(5),
            },
            read_timeout: None,
            ..Default::default()
        },
    );
    for _ in 0..5 {
        let list = api.list_workspaces().send().await.unwrap().into_inner();
        assert_eq!(list.workspace.len(), 9);
    }
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn a_dropped_body_makes_the_read_fail() {
    let ctx = start().await;
    let token = ctx.login().await;
    ctx.enter_main(&token).await;
    ctx.control(
        Method::PUT,
        "/_sim/faults",
        Some(json!({"dropMidBodyRate": 1.0})),
    )
    .await;
    // A download: headers announce everything, the body stops half-way.
    let r = ctx
        .http
        .get(ctx.v2(&format!(
            "/workspaces/{}/documents/{}/file",
            demo::MAIN_WORKSPACE,
            demo::DOC_SAMPLE
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-length"].to_str().unwrap(),
        demo::SAMPLE_SIZE.to_string()
    );
    assert!(r.bytes().await.is_err(), "the body read must fail");
    // A JSON answer too.
    let r = ctx
        .http
        .get(ctx.v2("/workspaces"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.is_err());
    ctx.control(Method::PUT, "/_sim/faults", Some(json!({})))
        .await;
    let (_, bytes) = ctx
        .download(&token, demo::MAIN_WORKSPACE, demo::DOC_SAMPLE)
        .await;
    assert_eq!(bytes.len() as u64, demo::SAMPLE_SIZE);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn a_truncated_body_ends_early_without_error() {
    let ctx = start().await;
    let token = ctx.login().await;
    ctx.enter_main(&token).await;
    ctx.control(
        Method::PUT,
        "/_sim/faults",
        Some(json!({"truncateRate": 1.0})),
    )
    .await;
    let r = ctx
        .http
        .get(ctx.v2(&format!(
            "/workspaces/{}/documents/{}/file",
            demo::MAIN_WORKSPACE,
            demo::DOC_SAMPLE
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("content-length").is_none());
    let bytes = r.bytes().await.unwrap();
    assert_eq!(bytes.len() as u64, demo::SAMPLE_SIZE / 2);
    // JSON: cut short, no longer parseable.
    let r = ctx
        .http
        .get(ctx.v2("/workspaces"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err());
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn latency_delays_answers_but_not_controls() {
    let ctx = start_with(SimConfig {
        faults: Faults {
            latency_ms: 300,
            ..Faults::default()
        },
        ..SimConfig::default()
    })
    .await;
    let t = Instant::now();
    ctx.control(Method::GET, "/_sim/mailbox", None).await;
    assert!(t.elapsed() < Duration::from_millis(250));
    let t = Instant::now();
    let (s, v) = ctx.call(Method::GET, None, "/workspaces", None).await;
    assert_unauthorized(s, &v);
    assert!(t.elapsed() >= Duration::from_millis(300));
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn invalid_faults_are_refused() {
    let ctx = start().await;
    let (s, v) = ctx
        .control(Method::PUT, "/_sim/faults", Some(json!({"errorRate": 1.5})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["status"]["subcode"], "2-1");
    let (s, _) = ctx
        .control(
            Method::PUT,
            "/_sim/faults",
            Some(json!({"latencyMs": "slow"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = ctx
        .control(
            Method::PUT,
            "/_sim/faults",
            Some(json!({"latencyMs": 600_001})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, v) = ctx.control(Method::GET, "/_sim/faults", None).await;
    assert_eq!(
        v,
        json!({"latencyMs": 0, "errorRate": 0.0, "retryAfterSecs": 1, "dropMidBodyRate": 0.0, "truncateRate": 0.0, "ignoreRange": false, "failUploads": false})
    );
    let err = intralinks_sim::Simulator::start(SimConfig {
        faults: Faults {
            truncate_rate: -1.0,
            ..Faults::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn a_streamed_listing_is_whole_without_faults_and_cut_with_them() {
    let ctx = start().await;
    let token = ctx.login().await;
    ctx.enter_main(&token).await;
    let listing = || async {
        ctx.http
            .get(ctx.v2(&format!("/workspaces/{}/documents", demo::MAIN_WORKSPACE)))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
    };
    // Whole: the status, then every document, in id order.
    let whole: Value = listing().await.json().await.unwrap();
    assert_eq!(whole["status"]["code"], 200);
    let ids: Vec<i64> = whole["document"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&demo::DOC_SAMPLE), "{ids:?}");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let full = serde_json::to_vec(&whole).unwrap().len();
    // Truncated: half of its first (and here only) part, no error.
    ctx.control(
        Method::PUT,
        "/_sim/faults",
        Some(json!({"truncateRate": 1.0})),
    )
    .await;
    let text = listing().await.text().await.unwrap();
    assert!(text.len() < full, "{} of {full}", text.len());
    assert!(serde_json::from_str::<Value>(&text).is_err());
    // Dropped: the read fails.
    ctx.control(
        Method::PUT,
        "/_sim/faults",
        Some(json!({"dropMidBodyRate": 1.0})),
    )
    .await;
    assert!(listing().await.bytes().await.is_err());
    ctx.sim.shutdown().await;
}
