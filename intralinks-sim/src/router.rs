//! The whole service: V2, V1 and the control surface assembled, with the
//! rate limit and fault injection on the API and a trace of every call. It sits above the
//! handlers it assembles; they know only the shared state (`app`).

use axum::Router;
use axum::extract::Request;

use crate::app::App;
use crate::error::not_found_page;

/// The whole service.
pub(crate) fn router(app: App) -> Router {
    let faulty = crate::v2::routes()
        .merge(crate::v1::routes())
        .merge(crate::postings::routes())
        .merge(crate::authorize::routes())
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::faults::inject,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            rate_limit,
        ));
    faulty
        .merge(crate::control::routes())
        .merge(crate::postings::control_routes())
        .fallback(|| async { not_found_page() })
        .method_not_allowed_fallback(|| async { not_found_page() })
        .layer(axum::middleware::from_fn_with_state(app.clone(), trace))
        .with_state(app)
}

/// The per-client rate limit (see `ratelimit`), when one is set.
async fn rate_limit(
    axum::extract::State(app): axum::extract::State<App>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let limit = app.limiter.get();
    if limit.per_second <= 0.0 && limit.max_concurrent == 0 {
        return next.run(req).await;
    }
    let client = crate::ratelimit::client_key(crate::app::bearer(req.headers()), &req);
    crate::ratelimit::limit(&app.limiter, client, req, next).await
}

/// Logs method, path and status of every call at debug level, and counts it
/// (see `GET /_sim/requests`). Never the query string, headers or bodies:
/// they carry tokens and passwords.
async fn trace(
    axum::extract::State(app): axum::extract::State<App>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    if !path.starts_with("/_sim") {
        app.count(method.as_str(), &path);
    }
    let response = next.run(req).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), "call");
    response
}
