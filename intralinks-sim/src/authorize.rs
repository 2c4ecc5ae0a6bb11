//! The authorize step of a web login (OAuth authorization code):
//! `GET /v2/oauth/authorize` shows a form that logs the person in, and its
//! `POST` sends the browser to the app's redirect URI with a single-use,
//! short-lived `code` and the `state` the app sent; the token endpoint
//! exchanges the code (`grant_type=authorization_code`, in `state::auth`).
//!
//! The parameters are those of the Intralinks Python SDK's `build_oauth_url`
//! (`client_id`, `state`, `scope=ilservices`, `endOtherSessions`), with
//! `redirect_uri` when the app names one. What the live page looks like is
//! not known; this one is plain HTML for tests (which post it themselves).

use std::collections::HashMap;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::{App, Body, Query, parse_form, route};
use crate::state::AuthorizeRefusal;

/// The authorize request's fields the form carries along, in order.
const CARRIED: [&str; 5] = [
    "client_id",
    "state",
    "scope",
    "endOtherSessions",
    "redirect_uri",
];

/// Text for HTML: `& < > " '` escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML answer that no cache keeps and no frame shows.
fn page(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

/// The page for a request that cannot be trusted: no form, no redirect.
fn refused(why: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Intralinks sign-in</title></head>\n<body>\n<h1>This sign-in link cannot be used</h1>\n<p>{}</p>\n</body></html>\n",
            escape(why)
        ),
    )
}

/// The login form, carrying the authorize request's fields.
fn form(fields: &HashMap<String, String>, note: Option<&str>) -> Response {
    let mut hidden = String::new();
    for name in CARRIED {
        if let Some(value) = fields.get(name) {
            hidden.push_str(&format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                escape(value)
            ));
        }
    }
    let note = note
        .map(|n| format!("<p role=\"alert\">{}</p>\n", escape(n)))
        .unwrap_or_default();
    page(
        StatusCode::OK,
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Intralinks sign-in</title></head>\n<body>\n<h1>Sign in to Intralinks</h1>\n{note}<form method=\"post\" action=\"/v2/oauth/authorize\">\n{hidden}<label>E-mail <input type=\"email\" name=\"email\" autocomplete=\"username\" required></label>\n<label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>\n<button type=\"submit\">Sign in</button>\n</form>\n</body></html>\n"
        ),
    )
}

/// `GET /v2/oauth/authorize`: the form, or the page saying why not.
async fn show(State(app): State<App>, q: Query) -> Response {
    let fields = q.0;
    let target = app.with(|st| {
        st.authorize_target(
            fields.get("client_id").map(String::as_str),
            fields.get("redirect_uri").map(String::as_str),
        )
    });
    match target {
        Ok(_) => form(&fields, None),
        Err(why) => refused(&why),
    }
}

/// `POST /v2/oauth/authorize`: logs the person in and redirects with a code.
async fn submit(State(app): State<App>, Body(body): Body) -> Response {
    let fields = parse_form(&body);
    match app.with(|st| st.authorize(&fields, app.code_lifetime)) {
        Ok(target) => {
            let mut r = StatusCode::FOUND.into_response();
            let h = r.headers_mut();
            match HeaderValue::from_str(target.as_str()) {
                Ok(location) => h.insert(header::LOCATION, location),
                Err(_) => return refused("The redirect URI cannot be sent."),
            };
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            r
        }
        Err(AuthorizeRefusal::App(why)) => refused(&why),
        Err(AuthorizeRefusal::Login) => form(&fields, Some("The e-mail or password is wrong.")),
    }
}

/// The authorize routes.
pub(crate) fn routes() -> Router<App> {
    route(Router::new(), "/v2/oauth/authorize", get(show).post(submit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carried_fields_are_escaped() {
        assert_eq!(
            escape(r#"a"><script>x</script>&'"#),
            "a&quot;&gt;&lt;script&gt;x&lt;/script&gt;&amp;&#39;"
        );
    }
}
