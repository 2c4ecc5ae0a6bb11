//! `Range` on document downloads (RFC 9110 §14: 206, `Content-Range`, 416,
//! `If-Range`) and the per-connection bandwidth limit.

use crate::common;

use std::time::Instant;

use intralinks_sim::{Bandwidth, SimConfig, demo};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn get_range(
    ctx: &common::Ctx,
    token: &str,
    range: &str,
    if_range: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let mut rb = ctx
        .http
        .get(ctx.v2(&format!(
            "/workspaces/{}/documents/{}/file",
            demo::MAIN_WORKSPACE,
            demo::DOC_SAMPLE
        )))
        .bearer_auth(token)
        .header(reqwest::header::RANGE, range);
    if let Some(v) = if_range {
        rb = rb.header(reqwest::header::IF_RANGE, v);
    }
    let r = rb.send().await.expect("download");
    let (s, h) = (r.status(), r.headers().clone());
    (s, h, r.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn range_requests_follow_rfc_9110() {
    let ctx = common::start().await;
    let token = ctx.login().await;
    ctx.enter_main(&token).await;
    let (s, whole) = ctx
        .download(&token, demo::MAIN_WORKSPACE, demo::DOC_SAMPLE)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(whole.len() as u64, demo::SAMPLE_SIZE);
    let version = ctx
        .document(&token, demo::MAIN_WORKSPACE, demo::DOC_SAMPLE)
        .await["version"]
        .as_str()
        .expect("version")
        .to_string();
    let etag = format!("\"{version}\"");

    let (s, h, body) = get_range(&ctx, &token, "bytes=100-", None).await;
    assert_eq!(s, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, whole[100..]);
    assert_eq!(
        h["content-range"],
        format!("bytes 100-{}/{}", whole.len() - 1, whole.len()).as_str()
    );
    assert_eq!(
        h["content-length"],
        (whole.len() - 100).to_string().as_str()
    );
    assert_eq!(h["etag"], etag.as_str());
    assert_eq!(h["accept-ranges"], "bytes");

    let (s, h, body) = get_range(&ctx, &token, "bytes=10-19", Some(&etag)).await;
    assert_eq!(s, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, whole[10..20]);
    assert_eq!(
        h["content-range"],
        format!("bytes 10-19/{}", whole.len()).as_str()
    );

    let (s, _, body) = get_range(&ctx, &token, "bytes=-5", None).await;
    assert_eq!(s, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, whole[whole.len() - 5..]);

    // A stale validator: the whole body, 200.
    let (s, h, body) = get_range(&ctx, &token, "bytes=10-", Some("\"0000\"")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body, whole);
    assert!(h.get("content-range").is_none());

    // Past the end: 416 with the length.
    let (s, h, body) = get_range(&ctx, &token, &format!("bytes={}-", whole.len()), None).await;
    assert_eq!(s, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        h["content-range"],
        format!("bytes */{}", whole.len()).as_str()
    );
    assert!(body.is_empty());

    // Several ranges, or nonsense: the whole body.
    for odd in ["bytes=0-1,5-6", "bytes=abc-", "items=0-1", "bytes=9-3"] {
        let (s, _, body) = get_range(&ctx, &token, odd, None).await;
        assert_eq!(s, StatusCode::OK, "{odd}");
        assert_eq!(body, whole, "{odd}");
    }

    // A server that ignores Range.
    let (s, _) = ctx
        .control(
            Method::PUT,
            "/_sim/faults",
            Some(json!({"ignoreRange": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, h, body) = get_range(&ctx, &token, "bytes=100-", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body, whole);
    assert!(h.get("accept-ranges").is_none());

    let (_, stats) = ctx.control(Method::GET, "/_sim/stats", None).await;
    // 48 KiB whole, then 48 KiB-100, 10, 5, whole, whole x4 (odd), whole (ignored).
    let n = demo::SAMPLE_SIZE;
    assert_eq!(
        stats["downloadBytes"],
        json!(n + (n - 100) + 10 + 5 + n + 4 * n + n)
    );
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn the_bandwidth_limit_paces_each_direction() {
    let rate = 2_000_000u64;
    let ctx = common::start_with(SimConfig {
        bandwidth: Bandwidth {
            up_bytes_per_sec: 0,
            down_bytes_per_sec: rate,
        },
        ..SimConfig::default()
    })
    .await;
    let token = ctx.login().await;
    ctx.enter_main(&token).await;
    let (s, v) = ctx.control(Method::GET, "/_sim/bandwidth", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, json!({"upBytesPerSec": 0, "downBytesPerSec": rate}));

    let started = Instant::now();
    let (s, body) = ctx
        .download(&token, demo::MAIN_WORKSPACE, demo::DOC_ANNUAL_REPORT)
        .await;
    let took = started.elapsed().as_secs_f64();
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body.len() as u64, demo::ANNUAL_REPORT_SIZE);
    let floor = demo::ANNUAL_REPORT_SIZE as f64 / rate as f64;
    assert!(
        took >= floor * 0.95,
        "{took} s for {floor} s worth of bytes"
    );

    // Uploads: 1 MB/s up, a 1.5 MB body.
    let (s, v) = ctx
        .control(
            Method::PUT,
            "/_sim/bandwidth",
            Some(json!({"upBytesPerSec": 1_000_000})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, json!({"upBytesPerSec": 1_000_000, "downBytesPerSec": 0}));
    let doc = ctx
        .document(&token, demo::MAIN_WORKSPACE, demo::DOC_SAMPLE)
        .await;
    let bytes = vec![7u8; 1_500_000];
    let started = Instant::now();
    let (s, v) = ctx
        .upload(
            &token,
            demo::MAIN_WORKSPACE,
            demo::DOC_SAMPLE,
            doc["version"].as_str().expect("version"),
            &bytes,
        )
        .await;
    let took = started.elapsed().as_secs_f64();
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert!(took >= 1.4, "1.5 MB at 1 MB/s took {took} s");
    ctx.sim.shutdown().await;
}
