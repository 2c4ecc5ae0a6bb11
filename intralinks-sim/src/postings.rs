//! Postings over V2: the batches (bulk uploads) of a room and their
//! documents, a document's access report with its "not ready yet" answer,
//! and the control endpoints tests act through (`/_sim/token`,
//! `/_sim/access-report`). The V1 batch open lives with the other V1 calls
//! (`v1.rs`); the state is in `state/postings.rs`.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{App, Body, Ids, Query, route};
use crate::error::ApiError;
use crate::state::Caller;
use crate::v2::{Done, answer, finish_docs};

type Answer = Result<Response, ApiError>;

/// The `subcode` of an access report that is still being built
/// (the Intralinks Python SDK, functions/v2/documents.py).
pub(crate) const NOT_READY: &str = "9-9-9-1";

async fn list_batches(State(app): State<App>, caller: Caller, ids: Ids, q: Query) -> Answer {
    let ws = ids.get(0)?;
    let b = app.with(|st| st.list_batches(&caller, ws, q.get("operationType")))?;
    Ok(answer(Done::Ok, vec![("batches", Value::Array(b))]))
}

async fn batch_items(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let (ws, id) = ids.pair()?;
    let views = app.with(|st| st.batch_items(&caller, ws, id))?;
    let items = finish_docs(views).await?;
    Ok(answer(
        Done::Ok,
        vec![("batchItemsResponse", json!({ "contentList": items }))],
    ))
}

async fn access_report(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let (ws, id) = ids.pair()?;
    match app.with(|st| st.access_report(&caller, ws, id))? {
        Some(entries) => Ok(answer(
            Done::Ok,
            vec![("docAccessInfo", Value::Array(entries))],
        )),
        None => Ok(answer(Done::Ok, vec![("subcode", json!(NOT_READY))])),
    }
}

/// The V2 routes of postings.
pub(crate) fn routes() -> Router<App> {
    let w = "/v2/workspaces/{workspace_id}";
    let mut r = Router::new();
    r = route(r, &format!("{w}/batches"), get(list_batches));
    r = route(r, &format!("{w}/batches/{{id}}"), get(batch_items));
    r = route(
        r,
        &format!("{w}/documents/{{id}}/accessReport"),
        get(access_report),
    );
    r
}

// ---------------------------------------------------------------- control

#[derive(Deserialize)]
struct TokenRequest {
    email: Option<String>,
}

/// `POST /_sim/token {"email": …}`: that person's token pair, as a
/// password login gives it, so a test can act as any member.
async fn token(State(app): State<App>, Body(b): Body) -> Answer {
    let req: TokenRequest = serde_json::from_slice(&b).map_err(|e| {
        ApiError::Invalid(format!(
            "expected {{\"email\": \"someone@example.com\"}}: {e}"
        ))
    })?;
    let email = req
        .email
        .ok_or_else(|| ApiError::Invalid("email is required".into()))?;
    let grant = app.with(|st| st.token_for(&email, app.token_lifetime, app.refresh_lifetime))?;
    Ok(axum::Json(json!({
        "access_token": grant.access_token,
        "token_type": "BearerToken",
        "expires_in": app.token_lifetime.as_secs(),
        "email": grant.email,
        "refresh_token": grant.refresh_token,
    }))
    .into_response())
}

/// How the access report behaves.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReportConfig {
    /// The first ask per document answers `9-9-9-1`.
    not_ready_first: bool,
}

async fn get_report_config(State(app): State<App>) -> Response {
    let not_ready_first = app.with(|st| st.report_not_ready_first);
    axum::Json(ReportConfig { not_ready_first }).into_response()
}

async fn put_report_config(State(app): State<App>, Body(b): Body) -> Answer {
    let c: ReportConfig = serde_json::from_slice(&b).map_err(|e| {
        ApiError::Invalid(format!(
            "expected the access report setting as JSON, e.g. {{\"notReadyFirst\": false}}: {e}"
        ))
    })?;
    app.with(|st| st.report_not_ready_first = c.not_ready_first);
    Ok(axum::Json(c).into_response())
}

/// The control routes of postings.
pub(crate) fn control_routes() -> Router<App> {
    let mut r = Router::new();
    r = route(r, "/_sim/token", post(token));
    r = route(
        r,
        "/_sim/access-report",
        get(get_report_config).put(put_report_config),
    );
    r
}
