//! The V2 JSON API under `/v2`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Map, Value, json};
use sha1::{Digest, Sha1};
use tokio::io::AsyncWriteExt;

use crate::app::{App, Body, Ids, Query, parse_form, route};
use crate::content::{Content, encode_hash, generated_hash};
use crate::error::ApiError;
use crate::state::{Caller, ContentView, DocView, EntryInput, EntryOutcome, HashSource, Secret};
use crate::wire;

type Answer = Result<Response, ApiError>;

/// What kind of success an answer reports in its `status`.
#[derive(Clone, Copy)]
pub(crate) enum Done {
    Ok,
    Created,
    Updated,
    Deleted,
}

impl Done {
    pub(crate) fn code(self) -> StatusCode {
        match self {
            Done::Ok => StatusCode::OK,
            Done::Created => StatusCode::CREATED,
            Done::Updated | Done::Deleted => StatusCode::ACCEPTED,
        }
    }

    /// The answer's `status` object.
    pub(crate) fn status(self) -> Value {
        json!({ "code": self.code().as_u16(), "message": self.message() })
    }

    pub(crate) fn message(self) -> &'static str {
        match self {
            Done::Ok => "Request completed fine, no errors",
            Done::Created => "The entities have been created",
            Done::Updated => "The entities have been updated",
            Done::Deleted => "The entities have been deleted",
        }
    }
}

/// `{"status": {...}, key: value, ...}` with the right HTTP status.
pub(crate) fn answer(done: Done, payload: Vec<(&str, Value)>) -> Response {
    let mut m = Map::new();
    m.insert("status".into(), done.status());
    for (k, v) in payload {
        m.insert(k.into(), v);
    }
    (done.code(), axum::Json(Value::Object(m))).into_response()
}

/// What a V2 answer lists under a key: the wire lists entities even when
/// there is one, so one entity goes out as a list of one.
trait Listed {
    /// The JSON array sent.
    fn listed(self) -> Value;
}

impl Listed for Vec<Value> {
    fn listed(self) -> Value {
        Value::Array(self)
    }
}

impl Listed for Value {
    fn listed(self) -> Value {
        Value::Array(vec![self])
    }
}

/// The common shape of a V2 handler's success: `done`'s status and one
/// list under `key` (`let f = app.with(...)?; reply(Done::Ok, "folder", f)`).
fn reply(done: Done, key: &str, items: impl Listed) -> Answer {
    Ok(answer(done, vec![(key, items.listed())]))
}

/// A V2 success that carries nothing but its status.
fn done(done: Done) -> Answer {
    Ok(answer(done, vec![]))
}

/// Adds `fileHashDownload` to rendered documents, computing hashes of
/// generated documents (once per process) with no lock held.
pub(crate) async fn finish_docs(views: Vec<DocView>) -> Result<Vec<Value>, ApiError> {
    let mut out = Vec::with_capacity(views.len());
    for v in views {
        out.push(finish_doc(v).await?);
    }
    Ok(out)
}

async fn finish_doc(view: DocView) -> Result<Value, ApiError> {
    let DocView { mut value, hash } = view;
    let hash = match hash {
        HashSource::None => None,
        HashSource::Known(h) => Some(h),
        HashSource::Generated { seed, len } => Some(
            generated_hash(seed, len)
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?,
        ),
    };
    if let Some(h) = hash {
        value.insert("fileHashDownload".into(), json!(h));
    }
    Ok(Value::Object(value))
}

// ------------------------------------------------------------------ OAuth

/// Query parameters, overridden by form fields of the body.
fn form_and_query(q: Query, body: &[u8]) -> std::collections::HashMap<String, String> {
    let mut all = q.0;
    all.extend(parse_form(body));
    all
}

async fn oauth_token(State(app): State<App>, q: Query, Body(body): Body) -> Answer {
    let form = form_and_query(q, &body);
    let grant = app.with(|st| st.login(&form, app.token_lifetime, app.refresh_lifetime))?;
    let mut r = axum::Json(json!({
        "access_token": grant.access_token,
        "token_type": "BearerToken",
        "expires_in": app.token_lifetime.as_secs(),
        "email": grant.email,
        "refresh_token": grant.refresh_token,
        "refresh_token_expires_in": app.refresh_lifetime.as_secs(),
    }))
    .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

async fn oauth_revoke(State(app): State<App>, q: Query, Body(body): Body) -> Answer {
    let form = form_and_query(q, &body);
    app.with(|st| st.revoke(&form))?;
    Ok(axum::Json(json!({
        "message": "the passed token and associated refresh/access token have been revoked",
        "token": "XXXX",
        "cascade": "true",
    }))
    .into_response())
}

// ------------------------------------------------------------- workspaces

async fn list_workspaces(State(app): State<App>, caller: Caller, q: Query) -> Answer {
    let user_id = q.id("userId")?;
    // `offset` and `limit` page the list when given (the published spec
    // declares them; no source says the service pages by default, so
    // without them every workspace comes at once).
    let offset = q.count("offset")?.unwrap_or(0);
    let limit = q.count("limit")?;
    let items: Vec<_> = app
        .with(|st| st.list_workspaces(&caller, q.get("phase"), user_id))
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    reply(Done::Ok, "workspace", items)
}

async fn create_workspaces(State(app): State<App>, caller: Caller, Body(b): Body) -> Answer {
    let input: wire::CreateWorkspaces = wire::parse(&b)?;
    let partials = app.with(|st| st.create_workspaces(&caller, input.workspaces))?;
    reply(Done::Created, "workspacePartial", partials)
}

async fn get_workspace(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let ws = ids.get(0)?;
    let w = app.with(|st| st.get_workspace(&caller, ws))?;
    reply(Done::Ok, "workspace", w)
}

async fn update_workspace(
    State(app): State<App>,
    caller: Caller,
    ids: Ids,
    Body(b): Body,
) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::WorkspaceInput = wire::parse(&b)?;
    app.with(|st| st.update_workspace(&caller, ws, input))?;
    done(Done::Updated)
}

async fn delete_workspace(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let ws = ids.get(0)?;
    app.with(|st| st.delete_workspace(&caller, ws))?;
    done(Done::Deleted)
}

async fn get_settings(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let ws = ids.get(0)?;
    let s = app.with(|st| st.settings(&caller, ws))?;
    reply(Done::Ok, "workspaceSettings", s)
}

/// The package asserts 201 for this update.
async fn put_settings(State(app): State<App>, caller: Caller, ids: Ids, Body(b): Body) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::Settings = wire::parse(&b)?;
    app.with(|st| st.update_settings(&caller, ws, input.workspace_settings))?;
    done(Done::Created)
}

async fn custom_fields(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let ws = ids.get(0)?;
    let f = app.with(|st| st.custom_fields(&caller, ws))?;
    reply(Done::Ok, "customFields", f)
}

/// `GET .../{documents|folders|groups}/{id}/customFields` (the package's
/// fields.py): the workspace's fields, once the entity is found.
fn entity_custom_fields(kind: &'static str) -> axum::routing::MethodRouter<App> {
    get(
        move |State(app): State<App>, caller: Caller, ids: Ids| async move {
            let (ws, id) = ids.pair()?;
            let f = app.with(|st| st.entity_custom_fields(&caller, ws, kind, id))?;
            reply(Done::Ok, "customFields", f)
        },
    )
}

async fn field_definitions(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let ws = ids.get(0)?;
    let f = app.with(|st| st.field_definitions(&caller, ws))?;
    reply(Done::Ok, "fieldDefinitions", f)
}

// ------------------------------------------------------------------ entry

async fn get_splash(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let ws = ids.get(0)?;
    let s = app.with(|st| st.splash_json(&caller, ws))?;
    Ok(answer(
        Done::Ok,
        vec![("branding", json!({ "global": true })), ("splash", s)],
    ))
}

async fn put_splash(State(app): State<App>, caller: Caller, ids: Ids, Body(b): Body) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::SplashInput = wire::parse(&b)?;
    app.with(|st| st.update_splash(&caller, ws, input))?;
    done(Done::Updated)
}

/// The V2 rendering of an entry outcome.
pub(crate) fn entry_answer(o: EntryOutcome) -> Response {
    let mut payload = vec![("state", json!(o.state.as_str()))];
    if let Some(n) = o.num_of_attempts {
        payload.push(("numOfAttempts", json!(n)));
    }
    if let Some(k) = o.security_question_key {
        payload.push(("securityQuestionKey", json!(k)));
    }
    answer(Done::Created, payload)
}

async fn enter(State(app): State<App>, caller: Caller, ids: Ids, Body(b): Body) -> Answer {
    let ws = ids.get(0)?;
    let req: wire::EntryRequest = if b.iter().all(u8::is_ascii_whitespace) {
        wire::EntryRequest::default()
    } else {
        wire::parse(&b)?
    };
    let input = EntryInput {
        accept_splash: req.accept_splash.unwrap_or(false),
        answer: req.answer.map(Secret),
        otp: req.one_time_password.map(Secret),
        declaration: req
            .content_declaration_update_request
            .and_then(|d| d.content_declaration),
    };
    let outcome = app.with(|st| st.enter(&caller, ws, &input))?;
    Ok(entry_answer(outcome))
}

// ---------------------------------------------------------------- folders

async fn list_folders(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let ws = ids.get(0)?;
    let f = app.with(|st| st.list_folders(&caller, ws))?;
    reply(Done::Ok, "folder", f)
}

async fn create_folders(State(app): State<App>, caller: Caller, ids: Ids, Body(b): Body) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::CreateFolders = wire::parse(&b)?;
    let inputs = input.folders.into_iter().map(|i| i.folder).collect();
    let p = app.with(|st| st.create_folders(&caller, ws, inputs))?;
    reply(Done::Created, "folderPartial", p)
}

async fn update_folders(State(app): State<App>, caller: Caller, ids: Ids, Body(b): Body) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::UpdateFolders = wire::parse(&b)?;
    let p = app.with(|st| st.update_folders(&caller, ws, input.folders))?;
    reply(Done::Updated, "folderPartial", p)
}

async fn get_folder(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let (ws, id) = ids.pair()?;
    let f = app.with(|st| st.get_folder(&caller, ws, id))?;
    reply(Done::Ok, "folder", f)
}

async fn delete_folder(State(app): State<App>, caller: Caller, ids: Ids, q: Query) -> Answer {
    let (ws, id) = ids.pair()?;
    let with_contents = q.flag("deleteFolderContents");
    app.with(|st| st.delete_folder(&caller, ws, id, q.get("version"), with_contents))?;
    done(Done::Deleted)
}

async fn folder_contents(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let (ws, id) = ids.pair()?;
    let views = app.with(|st| st.folder_contents(&caller, ws, id))?;
    let mut items = Vec::with_capacity(views.len());
    for v in views {
        items.push(match v {
            ContentView::Folder(f) => f,
            ContentView::Document(d) => {
                let d = app.with(|st| st.with_unread(&caller, vec![d]));
                finish_docs(d).await?.pop().unwrap_or_default()
            }
        });
    }
    reply(Done::Ok, "contents", items)
}

// -------------------------------------------------------------- documents

/// Documents rendered per part of a streamed listing (the state locked
/// once a part).
const LISTING_PART: usize = 1024;

/// The documents listing, rendered and sent a part at a time as the
/// client reads it: a listing of a million documents is never whole in
/// memory, and the state is not locked while all of it is rendered.
async fn list_documents(State(app): State<App>, caller: Caller, ids: Ids, q: Query) -> Answer {
    let ws = ids.get(0)?;
    let folder = q.id("folderId")?;
    let (listed, index) = app.with(|st| st.listed_documents(&caller, ws, folder))?;
    let head = format!("{{\"status\":{},\"document\":[", Done::Ok.status());
    let parts: Vec<Vec<i64>> = listed.chunks(LISTING_PART).map(<[i64]>::to_vec).collect();
    let index = Arc::new(index);
    // State: the parts left, the head still to send, whether a document
    // went out already (a comma before the next), whether the end is out.
    let body = futures_util::stream::unfold(
        (parts.into_iter(), Some(head), false, false),
        move |(mut parts, mut head, mut wrote, ended)| {
            let (app, caller, index) = (app.clone(), caller.clone(), Arc::clone(&index));
            async move {
                if ended {
                    return None;
                }
                let mut out: Vec<u8> = head.take().map(String::into_bytes).unwrap_or_default();
                let Some(part) = parts.next() else {
                    out.extend_from_slice(b"]}");
                    return Some((Ok(bytes::Bytes::from(out)), (parts, head, wrote, true)));
                };
                let views = app.with(|st| {
                    let views = st.listed_views(ws, &part, &index);
                    st.with_unread(&caller, views)
                });
                let rendered = match finish_docs(views).await {
                    Ok(r) => r,
                    Err(e) => {
                        let e = std::io::Error::other(format!("{e:?}"));
                        return Some((Err(e), (parts, head, wrote, true)));
                    }
                };
                for v in &rendered {
                    if wrote {
                        out.push(b',');
                    }
                    wrote = true;
                    if let Err(e) = serde_json::to_writer(&mut out, v) {
                        return Some((Err(std::io::Error::other(e)), (parts, head, wrote, true)));
                    }
                }
                Some((Ok(bytes::Bytes::from(out)), (parts, head, wrote, false)))
            }
        },
    );
    Ok((
        Done::Ok.code(),
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}

async fn create_documents(
    State(app): State<App>,
    caller: Caller,
    ids: Ids,
    q: Query,
    Body(b): Body,
) -> Answer {
    let ws = ids.get(0)?;
    // `batch_id`: posted in that open batch (functions/v2/documents.py).
    let batch = q.id("batch_id")?;
    let input: wire::CreateDocuments = wire::parse(&b)?;
    let inputs = input.documents.into_iter().map(|i| i.document).collect();
    let p = app.with(|st| {
        if let Some(b) = batch {
            st.content(&caller, ws)?;
            st.batch_in(ws, b)?;
        }
        let p = st.create_documents(&caller, ws, inputs)?;
        if let Some(b) = batch {
            let ids: Vec<i64> = p.iter().filter_map(|d| d["id"].as_i64()).collect();
            st.add_to_batch(b, &ids);
        }
        Ok::<_, ApiError>(p)
    })?;
    reply(Done::Created, "documentPartial", p)
}

async fn update_documents(
    State(app): State<App>,
    caller: Caller,
    ids: Ids,
    Body(b): Body,
) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::UpdateDocuments = wire::parse(&b)?;
    let p = app.with(|st| st.update_documents(&caller, ws, input.documents))?;
    reply(Done::Updated, "documentPartial", p)
}

async fn delete_documents(
    State(app): State<App>,
    caller: Caller,
    ids: Ids,
    Body(b): Body,
) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::DeleteDocuments = wire::parse(&b)?;
    let p = app.with(|st| st.delete_documents(&caller, ws, input.documents))?;
    reply(Done::Deleted, "documentPartial", p)
}

async fn get_document(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let (ws, id) = ids.pair()?;
    let view = app.with(|st| {
        st.get_document(&caller, ws, id)
            .map(|v| st.with_unread(&caller, vec![v]))
    })?;
    reply(Done::Ok, "document", finish_docs(view).await?)
}

async fn document_permissions(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let (ws, id) = ids.pair()?;
    let p = app.with(|st| st.document_permissions(&caller, ws, id))?;
    reply(Done::Ok, "permissions", p)
}

/// `Content-Disposition` with a header-safe file name.
fn disposition(name: &str) -> HeaderValue {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{safe}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// What a `Range` header asks of a body of `len` bytes (RFC 9110 §14).
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    /// The whole body (no Range, one the server may ignore, or a stale `If-Range`).
    All,
    /// Bytes `start..end` (end exclusive).
    Part(u64, u64),
    /// A range that starts past the end: 416.
    Unsatisfiable,
}

/// Reads `Range` (one `bytes` range; anything else is ignored, as §14.2
/// allows) against `If-Range` (a strong match with `etag`).
fn wanted(headers: &axum::http::HeaderMap, len: u64, etag: &str) -> Wanted {
    let Some(range) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Wanted::All;
    };
    if let Some(condition) = headers.get(header::IF_RANGE)
        && condition.to_str().ok().map(str::trim) != Some(etag)
    {
        return Wanted::All;
    }
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return Wanted::All;
    };
    if spec.contains(',') {
        return Wanted::All;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::All;
    };
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (first.trim().is_empty(), number(first), number(last)) {
        // bytes=-N: the last N bytes.
        (true, _, Some(n)) => {
            if n == 0 {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(len.saturating_sub(n), len)
            }
        }
        (false, Some(a), end) => {
            if !last.trim().is_empty() && end.is_none() {
                return Wanted::All;
            }
            if let Some(b) = end
                && b < a
            {
                return Wanted::All;
            }
            if a >= len {
                return Wanted::Unsatisfiable;
            }
            let end = end.map_or(len, |b| b.saturating_add(1).min(len));
            Wanted::Part(a, end)
        }
        _ => Wanted::All,
    }
}

async fn download(
    State(app): State<App>,
    caller: Caller,
    ids: Ids,
    headers: axum::http::HeaderMap,
) -> Answer {
    let (ws, id) = ids.pair()?;
    let (content, name, version) = app.with(|st| st.download(&caller, ws, id))?;
    let len = content.len();
    let etag = format!("\"{version}\"");
    let honour = !app.faults().ignore_range;
    let want = if honour {
        wanted(&headers, len, &etag)
    } else {
        Wanted::All
    };
    let (start, end) = match want {
        Wanted::All => (0, len),
        Wanted::Part(a, b) => (a, b),
        Wanted::Unsatisfiable => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(r);
        }
    };
    let stream = content
        .stream_range(start, end)
        .await
        .map_err(|e| ApiError::Internal(format!("cannot read the stored file: {e}")))?;
    let counter = app.download_bytes.clone();
    let stream = futures_util::StreamExt::inspect(stream, move |chunk| {
        if let Ok(c) = chunk {
            counter.fetch_add(c.len() as u64, std::sync::atomic::Ordering::Relaxed);
        }
    });
    let mut r = axum::body::Body::from_stream(stream).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    h.insert(header::CONTENT_DISPOSITION, disposition(&name));
    if honour {
        h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert(header::ETAG, v);
        }
    }
    if matches!(want, Wanted::Part(..)) {
        *r.status_mut() = StatusCode::PARTIAL_CONTENT;
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{len}", end - 1)) {
            r.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    app.downloads
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // A download answered (200 or 206) is a view of the document by the
    // caller, and a use of the room.
    app.with(|st| st.record_view(&caller, ws, id));
    Ok(r)
}

/// Uploads of at most this many bytes are kept in memory; a larger one is
/// spooled to a file in the storage directory (4 KiB each: a million small
/// uploads hold 4 GiB at most).
const UPLOAD_IN_MEMORY: usize = 4096;

/// Reads one multipart field, hashing it as it arrives: kept in memory up
/// to [`UPLOAD_IN_MEMORY`] bytes, else streamed to a file in the storage
/// directory. Answers the content and its hash.
async fn spool(
    app: &App,
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<(Content, String), ApiError> {
    let internal = |e: std::io::Error| ApiError::Internal(format!("cannot store the upload: {e}"));
    let interrupted = |e: axum::extract::multipart::MultipartError| {
        ApiError::Invalid(format!("the upload was interrupted: {e}"))
    };
    let mut hasher = Sha1::new();
    let mut held: Vec<u8> = Vec::new();
    // In memory while it is small.
    let first_large = loop {
        match field.chunk().await.map_err(interrupted)? {
            None => {
                let hash = encode_hash(&hasher.finalize());
                return Ok((Content::Memory(bytes::Bytes::from(held)), hash));
            }
            Some(chunk) => {
                hasher.update(&chunk);
                if held.len() + chunk.len() > UPLOAD_IN_MEMORY {
                    break chunk;
                }
                held.extend_from_slice(&chunk);
            }
        }
    };
    let tmp = tempfile::Builder::new()
        .prefix("upload-")
        .tempfile_in(app.storage.path())
        .map_err(internal)?;
    let (file, path) = tmp.into_parts();
    let mut file = tokio::fs::File::from_std(file);
    let mut len = (held.len() + first_large.len()) as u64;
    file.write_all(&held).await.map_err(internal)?;
    file.write_all(&first_large).await.map_err(internal)?;
    while let Some(chunk) = field.chunk().await.map_err(interrupted)? {
        hasher.update(&chunk);
        len += chunk.len() as u64;
        file.write_all(&chunk).await.map_err(internal)?;
    }
    file.flush().await.map_err(internal)?;
    let content = Content::File {
        path: Arc::new(path),
        len,
    };
    Ok((content, encode_hash(&hasher.finalize())))
}

async fn upload(
    State(app): State<App>,
    caller: Caller,
    ids: Ids,
    q: Query,
    req: Request,
) -> Answer {
    let (ws, id) = ids.pair()?;
    let version = q.get("version").map(str::to_owned);
    // The simulator's assumption (no source shows it): `batch_id` on the
    // file PUT posts the new version in that open batch, as on the create.
    let batch = q.id("batch_id")?;
    // Refuse early, before reading a byte, when the version is stale.
    app.with(|st| {
        st.check_upload(&caller, ws, id, version.as_deref())?;
        match batch {
            Some(b) => st.batch_in(ws, b).map(|_| ()),
            None => Ok(()),
        }
    })?;
    let mut multipart = Multipart::from_request(req, &app)
        .await
        .map_err(|e| ApiError::Invalid(format!("expected multipart/form-data: {e}")))?;
    let mut stored = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::Invalid(format!("malformed multipart body: {e}")))?
    {
        if stored.is_none() && field.name() == Some("documentFile") {
            stored = Some(spool(&app, &mut field).await?);
        }
    }
    let (content, hash) = stored
        .ok_or_else(|| ApiError::Invalid("the multipart part documentFile is missing".into()))?;
    let partial = app.with(|st| {
        let p = st.commit_upload(&caller, ws, id, version.as_deref(), content, hash)?;
        if let Some(b) = batch {
            st.add_to_batch(b, &[id]);
        }
        Ok::<_, ApiError>(p)
    })?;
    app.uploads
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    reply(Done::Updated, "documentPartial", partial)
}

// ----------------------------------------------------------------- groups

async fn list_groups(State(app): State<App>, caller: Caller, ids: Ids, q: Query) -> Answer {
    let ws = ids.get(0)?;
    let with_members = q.flag("includeWorkspaceGroupMembers");
    let (groups, links) = app.with(|st| st.list_groups(&caller, ws, with_members))?;
    Ok(answer(
        Done::Ok,
        vec![
            ("groups", groups.listed()),
            ("workspaceGroupMembers", links.listed()),
        ],
    ))
}

async fn create_group(State(app): State<App>, caller: Caller, ids: Ids, Body(b): Body) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::GroupInput = wire::parse(&b)?;
    let p = app.with(|st| st.create_group(&caller, ws, input))?;
    reply(Done::Created, "groupPartials", p)
}

async fn delete_groups(
    State(app): State<App>,
    caller: Caller,
    ids: Ids,
    q: Query,
    Body(b): Body,
) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::DeleteGroups = wire::parse(&b)?;
    let remove_users = q.flag("removeUsers");
    app.with(|st| st.delete_groups(&caller, ws, input.groups, remove_users))?;
    done(Done::Deleted)
}

async fn get_group(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let (ws, id) = ids.pair()?;
    let g = app.with(|st| st.get_group(&caller, ws, id))?;
    reply(Done::Ok, "groups", g)
}

async fn update_group(State(app): State<App>, caller: Caller, ids: Ids, Body(b): Body) -> Answer {
    let (ws, id) = ids.pair()?;
    let input: wire::GroupInput = wire::parse(&b)?;
    let p = app.with(|st| st.update_group(&caller, ws, id, input))?;
    reply(Done::Updated, "groupPartials", p)
}

async fn group_members(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let (ws, id) = ids.pair()?;
    let u = app.with(|st| st.group_members(&caller, ws, id))?;
    reply(Done::Ok, "users", u)
}

async fn add_group_members(
    State(app): State<App>,
    caller: Caller,
    ids: Ids,
    Body(b): Body,
) -> Answer {
    let (ws, id) = ids.pair()?;
    let input: wire::AddGroupUsers = wire::parse(&b)?;
    let members = input
        .users
        .iter()
        .map(|u| {
            u.workspace_user_id
                .ok_or_else(|| ApiError::Invalid("workspaceUserId is required".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    app.with(|st| st.add_group_members(&caller, ws, id, members))?;
    done(Done::Updated)
}

// ---------------------------------------------------------------- members

async fn list_members(State(app): State<App>, caller: Caller, ids: Ids, q: Query) -> Answer {
    let ws = ids.get(0)?;
    let u = app.with(|st| st.list_members(&caller, ws, q.get("email")))?;
    reply(Done::Ok, "users", u)
}

async fn create_members(State(app): State<App>, caller: Caller, ids: Ids, Body(b): Body) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::CreateUsers = wire::parse(&b)?;
    let p = app.with(|st| st.create_members(&caller, ws, input.users))?;
    reply(Done::Created, "userPartials", p)
}

async fn update_members(State(app): State<App>, caller: Caller, ids: Ids, Body(b): Body) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::UpdateUsers = wire::parse(&b)?;
    let p = app.with(|st| st.update_members(&caller, ws, input.users))?;
    reply(Done::Updated, "userPartials", p)
}

async fn delete_members(State(app): State<App>, caller: Caller, ids: Ids, Body(b): Body) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::DeleteUsers = wire::parse(&b)?;
    app.with(|st| st.delete_members(&caller, ws, input.users))?;
    done(Done::Deleted)
}

// --------------------------------------------------------------- accounts

async fn create_account(State(app): State<App>, caller: Caller, Body(b): Body) -> Answer {
    let input: wire::UserInput = wire::parse(&b)?;
    let p = app.with(|st| st.create_account(&caller, input))?;
    // `userPartials.userPartial`, as the Intralinks Python SDK's
    // create_user_account reads it.
    Ok(answer(
        Done::Created,
        vec![("userPartials", json!({ "userPartial": [p] }))],
    ))
}

async fn get_account(
    State(app): State<App>,
    caller: Caller,
    axum::extract::Path(email): axum::extract::Path<String>,
) -> Answer {
    let a = app.with(|st| st.get_account(&caller, &email))?;
    reply(Done::Ok, "user", a)
}

// ------------------------------------------------------------ permissions

async fn list_permissions(State(app): State<App>, caller: Caller, ids: Ids) -> Answer {
    let ws = ids.get(0)?;
    let p = app.with(|st| st.list_permissions(&caller, ws))?;
    reply(Done::Ok, "permissions", p)
}

async fn create_permission(
    State(app): State<App>,
    caller: Caller,
    ids: Ids,
    Body(b): Body,
) -> Answer {
    let ws = ids.get(0)?;
    let input: wire::PermissionInput = wire::parse(&b)?;
    app.with(|st| st.create_permission(&caller, ws, input))?;
    done(Done::Created)
}

/// Every V2 route, relative to the host root.
pub(crate) fn routes() -> Router<App> {
    let w = "/v2/workspaces/{workspace_id}";
    let mut r = Router::new();
    r = route(r, "/v2/oauth/token", post(oauth_token));
    r = route(r, "/v2/oauth/revoke", put(oauth_revoke));
    r = route(r, "/v2/users", post(create_account));
    r = route(r, "/v2/users/{email}", get(get_account));
    r = route(
        r,
        "/v2/workspaces",
        get(list_workspaces).post(create_workspaces),
    );
    r = route(
        r,
        w,
        get(get_workspace)
            .put(update_workspace)
            .delete(delete_workspace),
    );
    r = route(
        r,
        &format!("{w}/settings"),
        get(get_settings).put(put_settings),
    );
    r = route(r, &format!("{w}/customFields"), get(custom_fields));
    r = route(r, &format!("{w}/fieldDefinitions"), get(field_definitions));
    r = route(
        r,
        &format!("{w}/splash"),
        get(get_splash).put(put_splash).post(enter),
    );
    r = route(
        r,
        &format!("{w}/folders"),
        get(list_folders).post(create_folders).put(update_folders),
    );
    r = route(
        r,
        &format!("{w}/folders/{{id}}"),
        get(get_folder).delete(delete_folder),
    );
    r = route(
        r,
        &format!("{w}/folders/{{id}}/contents"),
        get(folder_contents),
    );
    r = route(
        r,
        &format!("{w}/folders/{{id}}/customFields"),
        entity_custom_fields("folder"),
    );
    r = route(
        r,
        &format!("{w}/documents"),
        get(list_documents)
            .post(create_documents)
            .put(update_documents)
            .delete(delete_documents),
    );
    r = route(r, &format!("{w}/documents/{{id}}"), get(get_document));
    r = route(
        r,
        &format!("{w}/documents/{{id}}/file"),
        get(download).put(upload).layer(DefaultBodyLimit::disable()),
    );
    r = route(
        r,
        &format!("{w}/documents/{{id}}/permissions"),
        get(document_permissions),
    );
    r = route(
        r,
        &format!("{w}/documents/{{id}}/customFields"),
        entity_custom_fields("document"),
    );
    r = route(
        r,
        &format!("{w}/groups"),
        get(list_groups).post(create_group).delete(delete_groups),
    );
    r = route(
        r,
        &format!("{w}/groups/{{id}}"),
        get(get_group).put(update_group),
    );
    r = route(
        r,
        &format!("{w}/groups/{{id}}/users"),
        get(group_members).post(add_group_members),
    );
    r = route(
        r,
        &format!("{w}/groups/{{id}}/customFields"),
        entity_custom_fields("group"),
    );
    r = route(
        r,
        &format!("{w}/permissions"),
        get(list_permissions).post(create_permission),
    );
    r = route(
        r,
        &format!("{w}/users"),
        get(list_members)
            .post(create_members)
            .put(update_members)
            .delete(delete_members),
    );
    r
}
