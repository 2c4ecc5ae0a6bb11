//! Fault injection for `/v2` and `/services`: latency, 503 with
//! `Retry-After`, connections dropped mid-body and truncated bodies.

use std::io;
use std::time::Duration;

use axum::body::Body;
use axum::body::HttpBody as _;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::json;

use crate::app::App;

fn roll(rate: f64) -> bool {
    rate > 0.0 && fastrand::f64() < rate
}

/// The middleware.
pub(crate) async fn inject(State(app): State<App>, req: Request, next: Next) -> Response {
    let faults = app.faults();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if roll(faults.error_rate) {
        return unavailable(faults.retry_after_secs);
    }
    if faults.fail_uploads
        && req.method() == axum::http::Method::PUT
        && req.uri().path().ends_with("/file")
    {
        return unavailable(faults.retry_after_secs);
    }
    let response = next.run(req).await;
    if roll(faults.drop_mid_body_rate) {
        return cut(response, true);
    }
    if roll(faults.truncate_rate) {
        return cut(response, false);
    }
    response
}

/// 503 in the gateway's fault shape, with `Retry-After`.
fn unavailable(retry_after_secs: u64) -> Response {
    let mut r = (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(json!({
            "fault": {
                "faultstring": "The Service is temporarily unavailable",
                "detail": { "errorcode": "messaging.adaptors.http.flow.ServiceUnavailable" }
            }
        })),
    )
        .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    r
}

/// Sends half of the body (of its first chunk, for a body streamed without
/// a length: a listing). `drop`: keep the full `Content-Length` and abort
/// the connection after the half (the client's body read fails). Otherwise:
/// no length, the body simply ends early (the client sees a short body).
fn cut(response: Response, drop: bool) -> Response {
    let (mut parts, body) = response.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .or_else(|| body.size_hint().exact());
    // Half of the declared length; for a body streamed without one (a
    // listing), half of its first chunk.
    let keep = match declared {
        Some(len) if len < 2 => return Response::from_parts(parts, body),
        Some(len) => {
            if drop {
                parts
                    .headers
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            } else {
                parts.headers.remove(header::CONTENT_LENGTH);
            }
            Some(len / 2)
        }
        None => None,
    };
    let inner = body.into_data_stream();
    let stream = futures_util::stream::unfold(
        (inner, 0u64, keep, false),
        move |(mut inner, sent, keep, done)| async move {
            if done {
                return None;
            }
            if keep.is_some_and(|k| sent >= k) {
                if !drop {
                    return None;
                }
                // Let the server flush what was sent before cutting the
                // connection; an error right away could discard it unsent.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let e = io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "simulated connection drop",
                );
                return Some((Err(e), (inner, sent, keep, true)));
            }
            match inner.next().await {
                Some(Ok(mut chunk)) => {
                    let keep = keep.unwrap_or(chunk.len() as u64 / 2);
                    let room = keep - sent;
                    if chunk.len() as u64 > room {
                        chunk.truncate(room as usize);
                    }
                    let sent = sent + chunk.len() as u64;
                    Some((
                        Ok::<Bytes, io::Error>(chunk),
                        (inner, sent, Some(keep), false),
                    ))
                }
                Some(Err(e)) => Some((Err(io::Error::other(e)), (inner, sent, keep, true))),
                None => None,
            }
        },
    );
    Response::from_parts(parts, Body::from_stream(stream))
}
