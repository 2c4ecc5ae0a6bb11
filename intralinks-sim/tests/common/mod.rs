//! Helpers shared by the simulator's integration tests: start a simulator,
//! log in, call it with plain HTTP, build the generated client.
#![allow(dead_code)]

use std::sync::Arc;

use intralinks_sim::{SimConfig, Simulator, demo};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A running simulator and an HTTP client for it.
pub struct Ctx {
    pub sim: Simulator,
    pub http: reqwest::Client,
    pub base: String,
}

pub async fn start() -> Ctx {
    start_with(SimConfig::default()).await
}

pub async fn start_with(config: SimConfig) -> Ctx {
    let sim = Simulator::start(config).await.expect("simulator starts");
    let base = sim.url();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    Ctx { sim, http, base }
}

/// The value of `name` in the query of `url`, decoded.
pub fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The code exchange form of the demo app.
pub fn exchange_form(code: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "authorization_code".into()),
        ("client_id", demo::CLIENT_ID.into()),
        ("client_secret", demo::CLIENT_SECRET.into()),
        ("code", code.into()),
    ]
}

/// The demo login form, with `grant_type` in the body.
pub fn login_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", demo::CLIENT_ID),
        ("client_secret", demo::CLIENT_SECRET),
        ("email", demo::EMAIL),
        ("password", demo::PASSWORD),
        ("endOtherSessions", "false"),
    ]
}

impl Ctx {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn v2(&self, path: &str) -> String {
        format!("{}/v2{path}", self.base)
    }

    /// `POST /v2/oauth/token` with the demo login; the whole answer.
    pub async fn login_answer(&self) -> Value {
        let r = self
            .http
            .post(self.v2("/oauth/token"))
            .form(&login_form())
            .send()
            .await
            .expect("token call");
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.expect("token JSON")
    }

    /// A fresh access token of the demo user.
    pub async fn login(&self) -> String {
        self.login_answer().await["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// Posts the authorize form as a browser would: `fields` (what the
    /// authorize URL carried) and the demo user's e-mail and password. The
    /// answer is not followed (the client follows no redirect).
    pub async fn submit_authorize(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("email", demo::EMAIL));
        form.push(("password", demo::PASSWORD));
        self.http
            .post(self.v2("/oauth/authorize"))
            .form(&form)
            .send()
            .await
            .expect("authorize call")
    }

    /// The code of a web login for the demo app (state `s`, the registered
    /// redirect URI), from the form's redirect.
    pub async fn authorization_code(&self) -> String {
        let r = self
            .submit_authorize(&[
                ("client_id", demo::CLIENT_ID),
                ("state", "s"),
                ("scope", "ilservices"),
                ("endOtherSessions", "false"),
            ])
            .await;
        assert_eq!(r.status(), StatusCode::FOUND);
        let location = r.headers()["location"].to_str().expect("location");
        query_value(location, "code").expect("a code in the redirect")
    }

    /// A JSON call; answers the status and the parsed body (`Null` if the
    /// body is not JSON).
    pub async fn call(
        &self,
        method: Method,
        token: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self.http.request(method, self.v2(path));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.expect("call");
        let status = r.status();
        let text = r.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, Some(token), path, None).await
    }

    /// `POST /workspaces/{ws}/splash` with `body`; the answer.
    pub async fn enter(&self, token: &str, ws: i64, body: Value) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            Some(token),
            &format!("/workspaces/{ws}/splash"),
            Some(body),
        )
        .await
    }

    /// Enters the main workspace (no requirements).
    pub async fn enter_main(&self, token: &str) {
        let (s, v) = self.enter(token, demo::MAIN_WORKSPACE, json!({})).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(v["state"], "ALLOW");
    }

    /// `GET /_sim/mailbox`.
    pub async fn mailbox(&self) -> Vec<Value> {
        self.http
            .get(self.url("/_sim/mailbox"))
            .send()
            .await
            .expect("mailbox")
            .json()
            .await
            .expect("mailbox JSON")
    }

    /// The latest one-time password mailed.
    pub async fn latest_otp(&self) -> String {
        let mail = self.mailbox().await;
        mail.last().expect("a mail")["oneTimePassword"]
            .as_str()
            .expect("otp")
            .to_string()
    }

    pub async fn control(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self.http.request(method, self.url(path));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.expect("control call");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// The generated client, authenticated with `token`, without retries.
    pub fn api(&self, token: &str) -> intralinks_api::Client {
        intralinks_api::Client::new(
            &self.v2(""),
            intralinks_api::Runtime {
                auth: Some(Arc::new(intralinks_api::StaticToken(
                    intralinks_api::Secret::new(token),
                ))),
                retry: intralinks_api::RetryPolicy::none(),
                read_timeout: None,
                ..Default::default()
            },
        )
    }

    /// Uploads `bytes` as the file of document `doc` at `version`.
    pub async fn upload(
        &self,
        token: &str,
        ws: i64,
        doc: i64,
        version: &str,
        bytes: &[u8],
    ) -> (StatusCode, Value) {
        let (content_type, body) = multipart("documentFile", "upload.bin", bytes);
        let r = self
            .http
            .put(self.v2(&format!("/workspaces/{ws}/documents/{doc}/file")))
            .query(&[("version", version)])
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .expect("upload");
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// Downloads a document's bytes.
    pub async fn download(&self, token: &str, ws: i64, doc: i64) -> (StatusCode, Vec<u8>) {
        let r = self
            .http
            .get(self.v2(&format!("/workspaces/{ws}/documents/{doc}/file")))
            .bearer_auth(token)
            .send()
            .await
            .expect("download");
        let s = r.status();
        (s, r.bytes().await.expect("bytes").to_vec())
    }

    /// One document's metadata.
    pub async fn document(&self, token: &str, ws: i64, doc: i64) -> Value {
        let (s, v) = self
            .get(token, &format!("/workspaces/{ws}/documents/{doc}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["document"][0].clone()
    }
}

/// A multipart/form-data body with one file part.
pub fn multipart(field: &str, filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----intralinks-sim-test-boundary-7MA4YWxk";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// base64 of the SHA-1 of `bytes`, as `fileHashDownload`.
pub fn file_hash(bytes: &[u8]) -> String {
    use base64::Engine as _;
    use sha1::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(bytes))
}

/// Asserts the 400 subCode 3-1 shape.
pub fn assert_not_found(status: StatusCode, v: &Value) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["status"]["code"], 400);
    assert_eq!(v["status"]["subcode"], "3-1");
    assert_eq!(v["status"]["message"], "Cannot find entity in repository");
    assert!(
        v["status"]["errorId"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(
        v["errors"],
        json!([{ "code": 400, "subCode": "3-1", "message": "Cannot find entity in repository" }])
    );
}

/// Asserts the 303 subCode 1 shape.
pub fn assert_entry_required(status: StatusCode, v: &Value) {
    assert_eq!(status, StatusCode::SEE_OTHER, "{v}");
    assert_eq!(v["status"]["code"], 303);
    assert_eq!(v["status"]["subcode"], "1");
    assert_eq!(
        v["status"]["message"],
        "Workspace entrance requirements not met."
    );
    assert_eq!(
        v["errors"],
        json!([{ "code": 303, "subCode": "1", "message": "Workspace entrance requirements not met." }])
    );
}

/// Asserts the 401 token shape.
pub fn assert_unauthorized(status: StatusCode, v: &Value) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(
        *v,
        json!({
            "status": "Unauthorized",
            "error": {
                "code": 401,
                "description": "invalid access token: Bearer XXXX",
                "subcode": "the passed access token is either not valid or is formatted incorrectly in the request"
            }
        })
    );
}
