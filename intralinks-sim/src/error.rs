//! Every refusal the simulator can answer, and how it looks on the wire:
//! V2 JSON envelopes, the 401 token shape, the HTML 404 page, and V1 XML.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why a call was refused. Rendered by [`IntoResponse`] as V2 JSON (or the
/// HTML page for [`ApiError::NoRoute`]); V1 renders it as XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// Missing, unknown, expired or revoked access token (401, token shape).
    Unauthorized,
    /// `POST /oauth/token` or revoke with wrong client or user credentials.
    BadCredentials,
    /// 400 subCode `3-1`: unknown id, or an id the caller may not see.
    NotFound,
    /// 303 subCode `1`: workspace content before entry reached ALLOW.
    EntryRequired,
    /// 400 subCode `3-3`: the `version` sent is not the entity's current one.
    StaleVersion,
    /// 400 subCode `2-1`: a malformed or incomplete request.
    Invalid(String),
    /// 400 subCode `5-1-1`: the e-mail is already a member of the workspace.
    AlreadyMember,
    /// 400 subCode `3-4`: folder not empty and `deleteFolderContents` not set.
    FolderNotEmpty,
    /// 400 subCode `3-5`: the document has no file yet.
    NoFile,
    /// 500: the simulator itself failed (storage I/O).
    Internal(String),
    /// 404 HTML page: no such URL.
    NoRoute,
}

impl ApiError {
    /// HTTP status, subcode and message of a service error.
    pub(crate) fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Unauthorized | ApiError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "",
                "Unauthorized".to_string(),
            ),
            ApiError::NotFound => (
                StatusCode::BAD_REQUEST,
                "3-1",
                "Cannot find entity in repository".to_string(),
            ),
            ApiError::EntryRequired => (
                StatusCode::SEE_OTHER,
                "1",
                "Workspace entrance requirements not met.".to_string(),
            ),
            ApiError::StaleVersion => (
                StatusCode::BAD_REQUEST,
                "3-3",
                "The entity has been modified since it was read; fetch it again and retry with its current version".to_string(),
            ),
            ApiError::Invalid(why) => (
                StatusCode::BAD_REQUEST,
                "2-1",
                format!("Invalid request: {why}"),
            ),
            ApiError::AlreadyMember => (
                StatusCode::BAD_REQUEST,
                "5-1-1",
                "User is already a member of the workspace".to_string(),
            ),
            ApiError::FolderNotEmpty => (
                StatusCode::BAD_REQUEST,
                "3-4",
                "Folder is not empty; pass deleteFolderContents=true to delete it with its contents".to_string(),
            ),
            ApiError::NoFile => (
                StatusCode::BAD_REQUEST,
                "3-5",
                "The document has no file".to_string(),
            ),
            ApiError::Internal(why) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "9-9",
                format!("Internal error: {why}"),
            ),
            ApiError::NoRoute => (StatusCode::NOT_FOUND, "", "Not Found".to_string()),
        }
    }

    /// The V2 JSON body of this error.
    pub(crate) fn json_body(&self) -> serde_json::Value {
        match self {
            ApiError::Unauthorized => json!({
                "status": "Unauthorized",
                "error": {
                    "code": 401,
                    "description": "invalid access token: Bearer XXXX",
                    "subcode": "the passed access token is either not valid or is formatted incorrectly in the request"
                }
            }),
            ApiError::BadCredentials => json!({
                "status": "Unauthorized",
                "error": {
                    "code": 401,
                    "description": "invalid client or user credentials",
                    "subcode": "the passed client_id/client_secret or email/password are not valid"
                }
            }),
            _ => {
                let (status, subcode, message) = self.parts();
                json!({
                    "status": {
                        "code": status.as_u16(),
                        "subcode": subcode,
                        "message": message,
                        "errorId": error_id(),
                    },
                    "errors": [{
                        "code": status.as_u16(),
                        "subCode": subcode,
                        "message": message,
                    }]
                })
            }
        }
    }
}

/// A fresh opaque error id, as the service puts in `status.errorId`.
pub(crate) fn error_id() -> String {
    let mut s = String::with_capacity(32);
    for _ in 0..2 {
        s.push_str(&format!("{:016x}", fastrand::u64(..)));
    }
    s
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self == ApiError::NoRoute {
            return not_found_page();
        }
        let (status, _, _) = self.parts();
        (status, axum::Json(self.json_body())).into_response()
    }
}

/// The service's HTML error page, answered with 404 for any unknown URL.
pub(crate) const NOT_FOUND_HTML: &str = include_str!("error_404.html");

/// The HTML 404 response.
pub(crate) fn not_found_page() -> Response {
    let mut r = (StatusCode::NOT_FOUND, NOT_FOUND_HTML).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    r
}
