//! The control surface under `/_sim` (no authentication, no faults).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::Faults;
use crate::app::{App, Body, Ids, route};
use crate::error::ApiError;

async fn reset(State(app): State<App>) -> Response {
    app.reset();
    axum::Json(json!({ "reset": true })).into_response()
}

async fn mailbox(State(app): State<App>) -> Response {
    axum::Json(app.with(|st| st.mailbox_json())).into_response()
}

async fn get_faults(State(app): State<App>) -> Response {
    axum::Json(app.faults()).into_response()
}

async fn put_faults(State(app): State<App>, Body(b): Body) -> Result<Response, ApiError> {
    let faults: Faults = serde_json::from_slice(&b)
        .map_err(|e| ApiError::Invalid(format!("expected the faults as JSON: {e}")))?;
    faults.validate().map_err(ApiError::Invalid)?;
    app.set_faults(faults.clone());
    Ok(axum::Json(faults).into_response())
}

async fn expire_tokens(State(app): State<App>) -> Response {
    let n = app.with(|st| st.expire_access_tokens());
    axum::Json(json!({ "expired": n })).into_response()
}

async fn corrupt(State(app): State<App>, ids: Ids) -> Result<Response, ApiError> {
    let id = ids.get(0)?;
    app.with(|st| st.corrupt(id))?;
    Ok(axum::Json(json!({ "corrupted": id })).into_response())
}

async fn requests(State(app): State<App>) -> Response {
    axum::Json(app.requests()).into_response()
}

async fn stats(State(app): State<App>) -> Response {
    use std::sync::atomic::Ordering::Relaxed;
    axum::Json(json!({
        "downloads": app.downloads.load(Relaxed),
        "uploads": app.uploads.load(Relaxed),
        "downloadBytes": app.download_bytes.load(Relaxed),
        "bytesRead": app.rates.read.load(Relaxed),
        "bytesWritten": app.rates.written.load(Relaxed),
        "rateLimit": app.limiter.stats(),
    }))
    .into_response()
}

async fn get_bandwidth(State(app): State<App>) -> Response {
    axum::Json(app.rates.get()).into_response()
}

async fn put_bandwidth(State(app): State<App>, Body(b): Body) -> Result<Response, ApiError> {
    let bandwidth: crate::Bandwidth = serde_json::from_slice(&b).map_err(|e| {
        ApiError::Invalid(format!(
            "expected the bandwidth as JSON, e.g. {{\"upBytesPerSec\": 1000000, \"downBytesPerSec\": 0}}: {e}"
        ))
    })?;
    app.rates.set(bandwidth);
    Ok(axum::Json(bandwidth).into_response())
}

async fn get_rate_limit(State(app): State<App>) -> Response {
    axum::Json(app.limiter.get()).into_response()
}

async fn put_rate_limit(State(app): State<App>, Body(b): Body) -> Result<Response, ApiError> {
    let limit: crate::RateLimit = serde_json::from_slice(&b).map_err(|e| {
        ApiError::Invalid(format!(
            "expected the rate limit as JSON, e.g. {{\"perSecond\": 50, \"burst\": 10, \"maxConcurrent\": 8}}: {e}"
        ))
    })?;
    limit.validate().map_err(ApiError::Invalid)?;
    app.limiter.set(limit);
    Ok(axum::Json(limit).into_response())
}

async fn health() -> Response {
    (StatusCode::OK, "ok").into_response()
}

/// The `/_sim` routes.
pub(crate) fn routes() -> Router<App> {
    let mut r = Router::new();
    r = route(r, "/_sim/reset", post(reset));
    r = route(r, "/_sim/mailbox", get(mailbox));
    r = route(r, "/_sim/faults", get(get_faults).put(put_faults));
    r = route(r, "/_sim/expire-tokens", post(expire_tokens));
    r = route(r, "/_sim/corrupt/{document_id}", post(corrupt));
    r = route(r, "/_sim/stats", get(stats));
    r = route(r, "/_sim/health", get(health));
    r = route(r, "/_sim/bandwidth", get(get_bandwidth).put(put_bandwidth));
    r = route(r, "/_sim/requests", get(requests));
    r = route(
        r,
        "/_sim/rate-limit",
        get(get_rate_limit).put(put_rate_limit),
    );
    r
}
