//! The V1 XML pieces under `/services` and `/v1/services`: workspace entry
//! (sharing the V2 state machine), the splash image, and read-only listings
//! of workspaces, folders and documents.
//!
//! Calls are tunnelled: `?method=GET|CREATE|UPDATE|DELETE` names the
//! operation (HTTP GET or POST carries it; without it GET means GET and POST
//! means CREATE) and `httpStatus=T|F` says whether the HTTP status is the
//! real one (T, the default) or always 200 with the status in the XML (F).

use axum::Router;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{App, Query, bearer, parse_form, route};
use crate::error::{ApiError, error_id};
use crate::state::{Caller, EntryInput, EntryOutcome, Secret};
use crate::v2::Done;

/// The tunnelled request: operation, status mode, query.
struct Call {
    method: String,
    http_status: bool,
    query: Query,
}

impl Call {
    fn of(req: &Request) -> Call {
        let query = Query(parse_form(req.uri().query().unwrap_or_default().as_bytes()));
        let method = query
            .get("method")
            .map(str::to_ascii_uppercase)
            .unwrap_or_else(|| {
                if req.method() == Method::GET || req.method() == Method::HEAD {
                    "GET".into()
                } else {
                    "CREATE".into()
                }
            });
        let http_status = !query
            .get("httpStatus")
            .is_some_and(|v| v.eq_ignore_ascii_case("F") || v.eq_ignore_ascii_case("false"));
        Call {
            method,
            http_status,
            query,
        }
    }

    fn workspace_id(&self) -> Result<i64, ApiError> {
        self.query
            .get("workspaceId")
            .and_then(|v| v.trim().parse().ok())
            .ok_or(ApiError::NotFound)
    }

    fn unsupported(&self) -> ApiError {
        ApiError::Invalid(format!(
            "method={} is not supported here by the simulator",
            self.method
        ))
    }

    /// An XML answer with `code` in its status; HTTP 200 when httpStatus=F.
    fn xml(&self, code: StatusCode, root: &str, body: Value) -> Response {
        let text = match to_xml(root, &body) {
            Ok(t) => t,
            Err(e) => return self.error(root, &e),
        };
        let status = if self.http_status {
            code
        } else {
            StatusCode::OK
        };
        let mut r = (status, text).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/xml; charset=UTF-8"),
        );
        r
    }

    fn ok(&self, done: Done, root: &str, payload: Vec<(&str, Value)>) -> Response {
        let mut m = serde_json::Map::new();
        m.insert("status".into(), done.status());
        for (k, v) in payload {
            m.insert(k.into(), v);
        }
        self.xml(done.code(), root, Value::Object(m))
    }

    /// The V1 error shape: `<status>` with code, subcode, message, errorId,
    /// and `<errors><error>` with code, subCode, message.
    fn error(&self, root: &str, e: &ApiError) -> Response {
        let (status, subcode, message) = match e {
            ApiError::Unauthorized | ApiError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "1-1-3-2",
                "User's current session is invalid. This may be due to session timeout or concurrent login".to_string(),
            ),
            other => other.parts(),
        };
        let body = json!({
            "status": {
                "code": status.as_u16(),
                "subcode": subcode,
                "message": message,
                "errorId": error_id(),
            },
            "errors": {
                "error": [{ "code": status.as_u16(), "subCode": subcode, "message": message }]
            }
        });
        match to_xml(root, &body) {
            Ok(text) => {
                let code = if self.http_status {
                    status
                } else {
                    StatusCode::OK
                };
                let mut r = (code, text).into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/xml; charset=UTF-8"),
                );
                r
            }
            Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "cannot render XML").into_response(),
        }
    }
}

/// V1 booleans are `T`/`F`; everything else keeps its JSON text.
fn v1_value(v: Value) -> Value {
    match v {
        Value::Bool(b) => Value::String(if b { "T" } else { "F" }.into()),
        Value::Array(a) => Value::Array(a.into_iter().map(v1_value).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, v1_value(v))).collect()),
        other => other,
    }
}

/// Serializes JSON-shaped data as V1 XML: one element per key, repeated
/// elements for arrays, no attributes, no namespaces.
fn to_xml(root: &str, v: &Value) -> Result<String, ApiError> {
    let body = quick_xml::se::to_string_with_root(root, &v1_value(v.clone()))
        .map_err(|e| ApiError::Internal(format!("cannot render XML: {e}")))?;
    Ok(format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{body}"))
}

/// The caller of a V1 request: the V2 bearer token, or the
/// `ssoGlobalSessionID` cookie holding it.
fn v1_caller(app: &App, req: &Request) -> Result<Caller, ApiError> {
    let token = bearer(req.headers()).or_else(|| {
        req.headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == "ssoGlobalSessionID")
            .map(|(_, v)| v.trim().to_string())
    });
    let token = token.ok_or(ApiError::Unauthorized)?;
    app.with(|st| st.caller(&token))
}

/// `<workspaceEntryRequest>` children.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct EntryRequestXml {
    #[serde(default)]
    accept_splash: Option<String>,
    #[serde(default)]
    answer: Option<String>,
    #[serde(default)]
    one_time_password: Option<String>,
    #[serde(default)]
    content_declaration_update_request: Option<DeclarationXml>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DeclarationXml {
    #[serde(default)]
    content_declaration: Option<String>,
}

/// The `xml` form field of a form-encoded or multipart body, or a raw XML
/// body.
async fn xml_field(app: &App, req: Request) -> Result<Option<String>, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/") {
        let mut mp = Multipart::from_request(req, app)
            .await
            .map_err(|e| ApiError::Invalid(format!("malformed multipart body: {e}")))?;
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|e| ApiError::Invalid(format!("malformed multipart body: {e}")))?
        {
            if field.name() == Some("xml") {
                let text = field
                    .text()
                    .await
                    .map_err(|e| ApiError::Invalid(format!("unreadable xml part: {e}")))?;
                return Ok(Some(text));
            }
        }
        return Ok(None);
    }
    let body = Bytes::from_request(req, app)
        .await
        .map_err(|e| ApiError::Invalid(format!("cannot read the body: {e}")))?;
    if content_type.contains("xml") {
        return String::from_utf8(body.to_vec())
            .map(Some)
            .map_err(|_| ApiError::Invalid("the XML body is not UTF-8".into()));
    }
    Ok(parse_form(&body).remove("xml"))
}

fn parse_entry(xml: Option<&str>) -> Result<EntryInput, ApiError> {
    let req: EntryRequestXml = match xml.map(str::trim).filter(|x| !x.is_empty()) {
        None => EntryRequestXml::default(),
        Some(x) => quick_xml::de::from_str(x)
            .map_err(|e| ApiError::Invalid(format!("xml is not a workspaceEntryRequest: {e}")))?,
    };
    let flag = |v: &Option<String>| {
        v.as_deref()
            .is_some_and(|v| matches!(v.trim(), "T" | "true" | "TRUE" | "True"))
    };
    let text = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(EntryInput {
        accept_splash: flag(&req.accept_splash),
        answer: text(req.answer).map(Secret),
        otp: text(req.one_time_password).map(Secret),
        declaration: req
            .content_declaration_update_request
            .and_then(|d| text(d.content_declaration)),
    })
}

fn entry_payload(o: EntryOutcome) -> Vec<(&'static str, Value)> {
    let mut p = vec![("state", json!(o.state.as_str()))];
    if let Some(n) = o.num_of_attempts {
        p.push(("numOfAttempts", json!(n)));
    }
    if let Some(k) = o.security_question_key {
        p.push(("securityQuestionKey", json!(k)));
    }
    p
}

const ENTRY_ROOT: &str = "workspaceEntryResponse";

async fn entry(State(app): State<App>, req: Request) -> Response {
    let call = Call::of(&req);
    let result = async {
        let caller = v1_caller(&app, &req)?;
        let ws = call.workspace_id()?;
        match call.method.as_str() {
            "GET" => {
                let (name, splash) = app.with(|st| st.splash_config(&caller, ws))?;
                let mut s = serde_json::Map::new();
                s.insert("workspaceName".into(), json!(name));
                match splash {
                    Some(sp) => {
                        s.insert("splashRequired".into(), json!(sp.required));
                        s.insert("splashText".into(), json!(sp.text));
                        s.insert("acceptText".into(), json!(sp.accept_text));
                        s.insert("displayType".into(), json!(sp.display_type));
                        s.insert("splashType".into(), json!(sp.splash_type));
                        s.insert("hasImage".into(), json!(sp.image.is_some()));
                        if sp.image.is_some() {
                            s.insert(
                                "splashURL".into(),
                                json!(format!("/services/workspaces/splashImage?workspaceId={ws}")),
                            );
                        }
                    }
                    None => {
                        s.insert("splashRequired".into(), json!(false));
                        s.insert("hasImage".into(), json!(false));
                    }
                }
                Ok(call.ok(Done::Ok, ENTRY_ROOT, vec![("splash", Value::Object(s))]))
            }
            "CREATE" | "UPDATE" => {
                let xml = xml_field(&app, req).await?;
                let input = parse_entry(xml.as_deref())?;
                let outcome = app.with(|st| st.enter(&caller, ws, &input))?;
                Ok(call.ok(Done::Created, ENTRY_ROOT, entry_payload(outcome)))
            }
            "DELETE" => {
                app.with(|st| st.exit(&caller, ws))?;
                Ok(call.ok(Done::Deleted, ENTRY_ROOT, vec![]))
            }
            _ => Err(call.unsupported()),
        }
    }
    .await;
    result.unwrap_or_else(|e| call.error(ENTRY_ROOT, &e))
}

async fn splash_image(State(app): State<App>, req: Request) -> Response {
    let call = Call::of(&req);
    let result = (|| {
        let caller = v1_caller(&app, &req)?;
        let ws = call.workspace_id()?;
        if call.method != "GET" {
            return Err(call.unsupported());
        }
        let (_, splash) = app.with(|st| st.splash_config(&caller, ws))?;
        let accent = splash.and_then(|s| s.image).ok_or(ApiError::NotFound)?;
        let gif = crate::gif::splash_image(accent);
        let mut r = gif.into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/gif"));
        Ok(r)
    })();
    result.unwrap_or_else(|e| call.error("splashImageResponse", &e))
}

async fn workspaces(State(app): State<App>, req: Request) -> Response {
    let call = Call::of(&req);
    let root = "workspaceResponse";
    let result = (|| {
        let caller = v1_caller(&app, &req)?;
        if call.method != "GET" {
            return Err(call.unsupported());
        }
        let items = match call.query.get("workspaceId") {
            Some(_) => {
                let ws = call.workspace_id()?;
                vec![app.with(|st| st.get_workspace(&caller, ws))?]
            }
            None => app.with(|st| st.list_workspaces(&caller, call.query.get("phase"), None)),
        };
        Ok(call.ok(Done::Ok, root, vec![("workspace", Value::Array(items))]))
    })();
    result.unwrap_or_else(|e| call.error(root, &e))
}

async fn folders(State(app): State<App>, req: Request) -> Response {
    let call = Call::of(&req);
    let root = "folderListResponse";
    let result = (|| {
        let caller = v1_caller(&app, &req)?;
        if call.method != "GET" {
            return Err(call.unsupported());
        }
        let ws = call.workspace_id()?;
        let folder = call.query.id("folderId")?;
        let items = app.with(|st| match folder {
            Some(f) => st.get_folder(&caller, ws, f).map(|f| vec![f]),
            None => st.list_folders(&caller, ws),
        })?;
        Ok(call.ok(Done::Ok, root, vec![("folder", Value::Array(items))]))
    })();
    result.unwrap_or_else(|e| call.error(root, &e))
}

async fn documents(State(app): State<App>, req: Request) -> Response {
    let call = Call::of(&req);
    let root = "documentListResponse";
    let caller = v1_caller(&app, &req);
    drop(req);
    let result = async {
        let caller = caller?;
        if call.method != "GET" {
            return Err(call.unsupported());
        }
        let ws = call.workspace_id()?;
        let views = app.with(|st| st.list_documents(&caller, ws, None))?;
        let items = crate::v2::finish_docs(views).await?;
        Ok(call.ok(Done::Ok, root, vec![("document", Value::Array(items))]))
    }
    .await;
    result.unwrap_or_else(|e| call.error(root, &e))
}

/// `POST /services/workspaces/batches` (`workspaceId`, `operationType`,
/// `batchSize`, body `xml=<batchItemRequest/>`; the Intralinks Python
/// SDK's functions/v1/batches.py create_batch): opens a batch. The SDK does
/// not show the answer; the simulator's assumption is
/// `<batchItemResponse><status>…</status><batchId>N</batchId></batchItemResponse>`.
async fn batches(State(app): State<App>, req: Request) -> Response {
    let call = Call::of(&req);
    let root = "batchItemResponse";
    let caller = v1_caller(&app, &req);
    let result = async {
        let caller = caller?;
        if call.method != "CREATE" {
            return Err(call.unsupported());
        }
        let ws = call.workspace_id()?;
        let kind = call
            .query
            .get("operationType")
            .unwrap_or_default()
            .to_string();
        let size = call
            .query
            .get("batchSize")
            .and_then(|s| s.trim().parse::<i64>().ok())
            .ok_or_else(|| ApiError::Invalid("batchSize is required: a positive number".into()))?;
        let xml = xml_field(&app, req).await?;
        if !xml
            .as_deref()
            .is_some_and(|x| x.contains("batchItemRequest"))
        {
            return Err(ApiError::Invalid(
                "the form field xml must hold <batchItemRequest/>".into(),
            ));
        }
        let id = app.with(|st| st.open_batch(&caller, ws, &kind, size))?;
        Ok(call.ok(Done::Ok, root, vec![("batchId", json!(id))]))
    }
    .await;
    result.unwrap_or_else(|e| call.error(root, &e))
}

/// Every V1 route, under both prefixes.
pub(crate) fn routes() -> Router<App> {
    let table: [(&str, MethodRouter<App>); 6] = [
        ("/workspaces/batches", any(batches)),
        ("/workspaces", any(workspaces)),
        ("/workspaces/entry", any(entry)),
        ("/workspaces/splashImage", any(splash_image)),
        ("/workspaces/folders", any(folders)),
        ("/workspaces/documents", any(documents)),
    ];
    let mut r = Router::new();
    for (path, mr) in table {
        r = route(r, &format!("/services{path}"), mr.clone());
        r = route(r, &format!("/v1/services{path}"), mr);
    }
    r
}
