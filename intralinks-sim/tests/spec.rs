//! Every operation of openapi/effective.yaml, answered by the simulator with
//! success and error bodies, validated against the spec's schemas; and every
//! status the simulator answers is one the spec declares.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use intralinks_sim::demo;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct Checker {
    spec: Value,
    /// (METHOD, template) -> statuses seen.
    seen: BTreeMap<(String, String), BTreeSet<u16>>,
    failures: Vec<String>,
}

impl Checker {
    fn new() -> Self {
        Checker {
            spec: intralinks_tests::effective_spec(),
            seen: BTreeMap::new(),
            failures: Vec::new(),
        }
    }

    /// Calls `path` (relative to /v2) and checks the answer against the
    /// operation `template`.
    #[allow(clippy::too_many_arguments)]
    async fn hit(
        &mut self,
        ctx: &Ctx,
        method: Method,
        template: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Body>,
    ) -> Value {
        let mut rb = ctx.http.request(method.clone(), ctx.v2(path));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        match body {
            Some(Body::Json(v)) => rb = rb.json(&v),
            Some(Body::Form(f)) => rb = rb.form(&f),
            Some(Body::Multipart(ct, bytes)) => {
                rb = rb.header("content-type", ct).body(bytes);
            }
            None => {}
        }
        let r = rb.send().await.expect("call");
        let status = r.status();
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = r.bytes().await.expect("body");
        let m = method.as_str().to_string();
        self.seen
            .entry((m.clone(), template.to_string()))
            .or_default()
            .insert(status.as_u16());
        let where_ = format!("{m} {template} ({path}) -> {status}");
        if content_type.starts_with("application/json") {
            let value: Value = match serde_json::from_slice(&bytes) {
                Ok(v) => v,
                Err(e) => {
                    self.failures.push(format!("{where_}: not JSON: {e}"));
                    return Value::Null;
                }
            };
            match intralinks_tests::response_schema(&self.spec, &m, template, status.as_u16()) {
                None => self.failures.push(format!(
                    "{where_}: the spec declares no JSON answer for this status"
                )),
                Some(schema) => {
                    if let Err(errors) = intralinks_tests::validate(&self.spec, &schema, &value) {
                        self.failures
                            .push(format!("{where_}: {errors:?}\n  body: {value}"));
                    }
                }
            }
            value
        } else {
            let declared = self
                .spec
                .pointer(&format!(
                    "/paths/{}/{}/responses/{}/content",
                    template.replace('~', "~0").replace('/', "~1"),
                    m.to_ascii_lowercase(),
                    status.as_u16()
                ))
                .and_then(|c| c.as_object())
                .is_some_and(|c| c.contains_key(content_type.as_str()));
            if !declared {
                self.failures.push(format!(
                    "{where_}: {content_type} is not declared for this status"
                ));
            }
            Value::Null
        }
    }
}

enum Body {
    Json(Value),
    Form(Vec<(&'static str, String)>),
    Multipart(String, Vec<u8>),
}

fn j(v: Value) -> Option<Body> {
    Some(Body::Json(v))
}

fn ver(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no version at {pointer} in {v}"))
        .to_string()
}

#[tokio::test]
async fn every_route_answers_what_the_spec_describes() {
    let ctx = start().await;
    let mut c = Checker::new();
    // The harness itself catches a wrong payload.
    let schema = intralinks_tests::response_schema(&c.spec, "GET", "/workspaces", 200).unwrap();
    assert!(
        intralinks_tests::validate(&c.spec, &schema, &json!({"workspace": [{"id": "701421"}]}))
            .is_err()
    );
    let ws = demo::MAIN_WORKSPACE;
    let w = |rest: &str| format!("/workspaces/{ws}{rest}");
    const W: &str = "/workspaces/{workspaceId}";
    let t = |rest: &str| format!("{W}{rest}");
    use Method as M;

    // --- OAuth
    let form: Vec<(&'static str, String)> = login_form()
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    let tok = c
        .hit(
            &ctx,
            M::POST,
            "/oauth/token",
            "/oauth/token",
            None,
            Some(Body::Form(form.clone())),
        )
        .await;
    let token = tok["access_token"].as_str().unwrap().to_string();
    let token = token.as_str();
    let mut bad = form.clone();
    bad[4].1 = "wrong".into();
    c.hit(
        &ctx,
        M::POST,
        "/oauth/token",
        "/oauth/token",
        None,
        Some(Body::Form(bad)),
    )
    .await;
    c.hit(
        &ctx,
        M::POST,
        "/oauth/token",
        "/oauth/token",
        None,
        Some(Body::Form(form[1..].to_vec())),
    )
    .await;
    // A web login's code, exchanged once; spent, it is refused.
    let code = ctx.authorization_code().await;
    let exchanged = c
        .hit(
            &ctx,
            M::POST,
            "/oauth/token",
            "/oauth/token",
            None,
            Some(Body::Form(exchange_form(&code))),
        )
        .await;
    assert_eq!(exchanged["email"], demo::EMAIL);
    let again = c
        .hit(
            &ctx,
            M::POST,
            "/oauth/token",
            "/oauth/token",
            None,
            Some(Body::Form(exchange_form(&code))),
        )
        .await;
    assert_eq!(again["error"]["code"], 401);
    let spare = ctx.login().await;
    let revoke = |tok: &str, secret: &str| {
        Some(Body::Form(vec![
            ("token", tok.to_string()),
            ("client_id", demo::CLIENT_ID.to_string()),
            ("client_secret", secret.to_string()),
        ]))
    };
    c.hit(
        &ctx,
        M::PUT,
        "/oauth/revoke",
        "/oauth/revoke",
        None,
        revoke(&spare, demo::CLIENT_SECRET),
    )
    .await;
    c.hit(
        &ctx,
        M::PUT,
        "/oauth/revoke",
        "/oauth/revoke",
        None,
        revoke(&spare, "wrong"),
    )
    .await;
    c.hit(
        &ctx,
        M::PUT,
        "/oauth/revoke",
        "/oauth/revoke",
        None,
        Some(Body::Form(vec![
            ("client_id", demo::CLIENT_ID.into()),
            ("client_secret", demo::CLIENT_SECRET.into()),
        ])),
    )
    .await;

    // --- Workspaces (no entry needed)
    c.hit(
        &ctx,
        M::GET,
        "/workspaces",
        "/workspaces",
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, "/workspaces", "/workspaces", None, None)
        .await;
    c.hit(
        &ctx,
        M::GET,
        "/workspaces",
        "/workspaces?userId=x",
        Some(token),
        None,
    )
    .await;
    let created = c
        .hit(
            &ctx,
            M::POST,
            "/workspaces",
            "/workspaces",
            Some(token),
            j(json!({"workspaces": [{"name": "Spec check"}]})),
        )
        .await;
    let new_ws = created["workspacePartial"][0]["workspaceId"]
        .as_i64()
        .unwrap();
    c.hit(
        &ctx,
        M::POST,
        "/workspaces",
        "/workspaces",
        Some(token),
        j(json!({"workspaces": [{"name": ""}]})),
    )
    .await;
    c.hit(
        &ctx,
        M::POST,
        "/workspaces",
        "/workspaces",
        None,
        j(json!({"workspaces": []})),
    )
    .await;
    c.hit(&ctx, M::GET, W, &w(""), Some(token), None).await;
    c.hit(&ctx, M::GET, W, "/workspaces/1", Some(token), None)
        .await;
    c.hit(&ctx, M::GET, W, &w(""), Some("expired-or-wrong"), None)
        .await;
    c.hit(
        &ctx,
        M::PUT,
        W,
        &format!("/workspaces/{new_ws}"),
        Some(token),
        j(json!({"name": "Spec checked", "version": 0})),
    )
    .await;
    c.hit(
        &ctx,
        M::PUT,
        W,
        &format!("/workspaces/{new_ws}"),
        Some(token),
        j(json!({"name": "Stale", "version": 0})),
    )
    .await;
    c.hit(&ctx, M::PUT, W, &w(""), None, j(json!({"name": "x"})))
        .await;
    c.hit(
        &ctx,
        M::DELETE,
        W,
        &format!("/workspaces/{new_ws}"),
        Some(token),
        None,
    )
    .await;
    c.hit(
        &ctx,
        M::DELETE,
        W,
        &format!("/workspaces/{new_ws}"),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::DELETE, W, &w(""), None, None).await;
    c.hit(
        &ctx,
        M::GET,
        &t("/settings"),
        &w("/settings"),
        Some(token),
        None,
    )
    .await;
    c.hit(
        &ctx,
        M::GET,
        &t("/settings"),
        "/workspaces/1/settings",
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &t("/settings"), &w("/settings"), None, None)
        .await;

    // --- Splash and entry
    let sw = demo::SPLASH_WORKSPACE;
    for path in [format!("/workspaces/{sw}/splash"), w("/splash")] {
        c.hit(&ctx, M::GET, &t("/splash"), &path, Some(token), None)
            .await;
    }
    c.hit(
        &ctx,
        M::GET,
        &t("/splash"),
        "/workspaces/1/splash",
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &t("/splash"), &w("/splash"), None, None)
        .await;
    c.hit(
        &ctx,
        M::PUT,
        &t("/splash"),
        &format!("/workspaces/{sw}/splash"),
        Some(token),
        j(json!({"splashText": "New terms", "hasImage": true})),
    )
    .await;
    c.hit(
        &ctx,
        M::PUT,
        &t("/splash"),
        &format!("/workspaces/{sw}/splash"),
        Some(token),
        j(json!({"splashRequired": "maybe"})),
    )
    .await;
    c.hit(
        &ctx,
        M::PUT,
        &t("/splash"),
        &w("/splash"),
        None,
        j(json!({})),
    )
    .await;
    let otp_ws = demo::SPLASH_QUESTION_OTP_WORKSPACE;
    let e = format!("/workspaces/{otp_ws}/splash");
    c.hit(&ctx, M::POST, &t("/splash"), &e, Some(token), j(json!({})))
        .await;
    c.hit(
        &ctx,
        M::POST,
        &t("/splash"),
        &e,
        Some(token),
        j(json!({"acceptSplash": true})),
    )
    .await;
    c.hit(
        &ctx,
        M::POST,
        &t("/splash"),
        &e,
        Some(token),
        j(json!({"acceptSplash": true, "answer": "no"})),
    )
    .await;
    c.hit(
        &ctx,
        M::POST,
        &t("/splash"),
        &e,
        Some(token),
        j(json!({"acceptSplash": true, "answer": demo::ANSWER})),
    )
    .await;
    let otp = ctx.latest_otp().await;
    c.hit(
        &ctx,
        M::POST,
        &t("/splash"),
        &e,
        Some(token),
        j(json!({"acceptSplash": true, "answer": demo::ANSWER, "oneTimePassword": otp})),
    )
    .await;
    let cw = format!("/workspaces/{}/splash", demo::CONTENT_DECLARATION_WORKSPACE);
    c.hit(&ctx, M::POST, &t("/splash"), &cw, Some(token), j(json!({})))
        .await;
    c.hit(
        &ctx,
        M::POST,
        &t("/splash"),
        &cw,
        Some(token),
        j(json!({"contentDeclarationUpdateRequest": {"contentDeclaration": "NEITHER"}})),
    )
    .await;
    let dw = format!("/workspaces/{}/splash", demo::OTP_DELIVERY_WORKSPACE);
    let v = c
        .hit(&ctx, M::POST, &t("/splash"), &dw, Some(token), j(json!({})))
        .await;
    assert_eq!(v["state"], "OTP_DELIVERY_OPTION");
    let qw = format!("/workspaces/{}/splash", demo::SPLASH_QUESTION_WORKSPACE);
    for _ in 0..3 {
        c.hit(
            &ctx,
            M::POST,
            &t("/splash"),
            &qw,
            Some(token),
            j(json!({"acceptSplash": true, "answer": "no"})),
        )
        .await;
    }
    c.hit(
        &ctx,
        M::POST,
        &t("/splash"),
        "/workspaces/1/splash",
        Some(token),
        j(json!({})),
    )
    .await;
    c.hit(
        &ctx,
        M::POST,
        &t("/splash"),
        &w("/splash"),
        None,
        j(json!({})),
    )
    .await;

    // --- Content before entry: 303 for every gated operation (of a room
    // that demands something: 701421 demands nothing, so it needs no entry).
    let guarded = demo::SPLASH_WORKSPACE;
    let gated: [(Method, &str); 11] = [
        (M::GET, "/folders"),
        (M::GET, "/documents"),
        (M::GET, "/groups"),
        (M::GET, "/users"),
        (M::GET, "/permissions"),
        (M::GET, "/customFields"),
        (M::GET, "/fieldDefinitions"),
        (M::GET, "/folders/{folderId}/contents"),
        (M::GET, "/documents/{documentId}"),
        (M::GET, "/documents/{documentId}/file"),
        (M::GET, "/groups/{groupId}/users"),
    ];
    for (m, rest) in &gated {
        let concrete = rest
            .replace("{folderId}", "4714600001")
            .replace("{documentId}", "5368800001")
            .replace("{groupId}", &demo::GROUP_INTERNAL.to_string());
        let v = c
            .hit(
                &ctx,
                m.clone(),
                &t(rest),
                &format!("/workspaces/{guarded}{concrete}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(v["status"]["code"], 303, "{rest}: {v}");
    }
    c.hit(
        &ctx,
        M::POST,
        &t("/splash"),
        &w("/splash"),
        Some(token),
        j(json!({})),
    )
    .await;

    // --- Folders
    c.hit(
        &ctx,
        M::GET,
        &t("/folders"),
        &w("/folders"),
        Some(token),
        None,
    )
    .await;
    c.hit(
        &ctx,
        M::GET,
        &t("/folders"),
        "/workspaces/1/folders",
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &t("/folders"), &w("/folders"), None, None)
        .await;
    let f = c.hit(&ctx, M::POST, &t("/folders"), &w("/folders"), Some(token), j(json!({"folders": [{"folder": {"name": "Spec", "parentId": demo::FOLDER_LEGAL, "note": "n"}}]}))).await;
    let fid = f["folderPartial"][0]["id"].as_i64().unwrap();
    let fv = ver(&f, "/folderPartial/0/version");
    c.hit(
        &ctx,
        M::POST,
        &t("/folders"),
        &w("/folders"),
        Some(token),
        j(json!({"folders": [{"folder": {"name": "Orphan", "parentId": 1}}]})),
    )
    .await;
    c.hit(
        &ctx,
        M::POST,
        &t("/folders"),
        &w("/folders"),
        None,
        j(json!({})),
    )
    .await;
    let f2 = c
        .hit(
            &ctx,
            M::PUT,
            &t("/folders"),
            &w("/folders"),
            Some(token),
            j(json!({"folders": [{"id": fid, "version": fv, "name": "Spec 2"}]})),
        )
        .await;
    let fv2 = ver(&f2, "/folderPartial/0/version");
    c.hit(
        &ctx,
        M::PUT,
        &t("/folders"),
        &w("/folders"),
        Some(token),
        j(json!({"folders": [{"id": fid, "version": fv, "name": "Stale"}]})),
    )
    .await;
    c.hit(
        &ctx,
        M::PUT,
        &t("/folders"),
        &w("/folders"),
        None,
        j(json!({"folders": []})),
    )
    .await;
    let ft = t("/folders/{folderId}");
    c.hit(
        &ctx,
        M::GET,
        &ft,
        &w(&format!("/folders/{fid}")),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &ft, &w("/folders/1"), Some(token), None)
        .await;
    c.hit(&ctx, M::GET, &ft, &w("/folders/1"), None, None).await;
    let fct = t("/folders/{folderId}/contents");
    for folder in [
        demo::FOLDER_FINANCIALS,
        demo::FOLDER_DATA_TAPES,
        demo::FOLDER_FY2023,
    ] {
        c.hit(
            &ctx,
            M::GET,
            &fct,
            &w(&format!("/folders/{folder}/contents")),
            Some(token),
            None,
        )
        .await;
    }
    c.hit(
        &ctx,
        M::GET,
        &fct,
        &w("/folders/1/contents"),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &fct, &w("/folders/1/contents"), None, None)
        .await;

    // --- Documents
    let dt = t("/documents");
    c.hit(&ctx, M::GET, &dt, &w("/documents"), Some(token), None)
        .await;
    c.hit(
        &ctx,
        M::GET,
        &dt,
        &w(&format!("/documents?folderId={}", demo::FOLDER_FY2023)),
        Some(token),
        None,
    )
    .await;
    c.hit(
        &ctx,
        M::GET,
        &dt,
        &w("/documents?folderId=1"),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &dt, &w("/documents"), None, None).await;
    let d = c
        .hit(
            &ctx,
            M::POST,
            &dt,
            &w("/documents"),
            Some(token),
            j(json!({"documents": [{"document": {"name": "spec.txt", "parentId": fid}}]})),
        )
        .await;
    let did = d["documentPartial"][0]["id"].as_i64().unwrap();
    let dv = ver(&d, "/documentPartial/0/version");
    c.hit(
        &ctx,
        M::POST,
        &dt,
        &w("/documents"),
        Some(token),
        j(json!({"documents": [{"document": {"name": "rootless.txt"}}]})),
    )
    .await;
    c.hit(&ctx, M::POST, &dt, &w("/documents"), None, j(json!({})))
        .await;
    let filet = t("/documents/{documentId}/file");
    let (ct, body) = multipart("documentFile", "spec.txt", b"spec bytes");
    let up = c
        .hit(
            &ctx,
            M::PUT,
            &filet,
            &w(&format!("/documents/{did}/file?version={dv}")),
            Some(token),
            Some(Body::Multipart(ct.clone(), body.clone())),
        )
        .await;
    let dv2 = ver(&up, "/documentPartial/0/version");
    c.hit(
        &ctx,
        M::PUT,
        &filet,
        &w(&format!("/documents/{did}/file?version={dv}")),
        Some(token),
        Some(Body::Multipart(ct.clone(), body.clone())),
    )
    .await;
    c.hit(
        &ctx,
        M::PUT,
        &filet,
        &w(&format!("/documents/{did}/file?version={dv2}")),
        None,
        Some(Body::Multipart(ct, body)),
    )
    .await;
    c.hit(
        &ctx,
        M::GET,
        &filet,
        &w(&format!("/documents/{did}/file")),
        Some(token),
        None,
    )
    .await;
    c.hit(
        &ctx,
        M::GET,
        &filet,
        &w("/documents/1/file"),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &filet, &w("/documents/1/file"), None, None)
        .await;
    let d2 = c
        .hit(
            &ctx,
            M::PUT,
            &dt,
            &w("/documents"),
            Some(token),
            j(json!({"documents": [{"id": did, "version": dv2, "name": "spec2.txt"}]})),
        )
        .await;
    let dv3 = ver(&d2, "/documentPartial/0/version");
    c.hit(
        &ctx,
        M::PUT,
        &dt,
        &w("/documents"),
        Some(token),
        j(json!({"documents": [{"id": did, "version": dv2}]})),
    )
    .await;
    c.hit(&ctx, M::PUT, &dt, &w("/documents"), None, j(json!({})))
        .await;
    let dit = t("/documents/{documentId}");
    for doc in [did, demo::DOC_BIG, demo::DOC_ANNUAL_REPORT] {
        c.hit(
            &ctx,
            M::GET,
            &dit,
            &w(&format!("/documents/{doc}")),
            Some(token),
            None,
        )
        .await;
    }
    c.hit(&ctx, M::GET, &dit, &w("/documents/1"), Some(token), None)
        .await;
    c.hit(&ctx, M::GET, &dit, &w("/documents/1"), None, None)
        .await;
    let dpt = t("/documents/{documentId}/permissions");
    c.hit(
        &ctx,
        M::GET,
        &dpt,
        &w(&format!("/documents/{}/permissions", demo::DOC_BOARD_PACK)),
        Some(token),
        None,
    )
    .await;
    c.hit(
        &ctx,
        M::GET,
        &dpt,
        &w("/documents/1/permissions"),
        Some(token),
        None,
    )
    .await;
    c.hit(
        &ctx,
        M::GET,
        &dpt,
        &w("/documents/1/permissions"),
        None,
        None,
    )
    .await;
    c.hit(
        &ctx,
        M::DELETE,
        &dt,
        &w("/documents"),
        Some(token),
        j(json!({"documents": [{"id": did, "version": dv2}]})),
    )
    .await;
    c.hit(
        &ctx,
        M::DELETE,
        &dt,
        &w("/documents"),
        Some(token),
        j(json!({"documents": [{"id": did, "version": dv3}]})),
    )
    .await;
    c.hit(&ctx, M::DELETE, &dt, &w("/documents"), None, j(json!({})))
        .await;
    c.hit(
        &ctx,
        M::DELETE,
        &ft,
        &w(&format!("/folders/{fid}?version={fv}")),
        Some(token),
        None,
    )
    .await;
    c.hit(
        &ctx,
        M::DELETE,
        &ft,
        &w(&format!(
            "/folders/{fid}?version={fv2}&deleteFolderContents=true"
        )),
        Some(token),
        None,
    )
    .await;
    c.hit(
        &ctx,
        M::DELETE,
        &ft,
        &w(&format!("/folders/{fid}?version={fv2}")),
        None,
        None,
    )
    .await;

    // --- Users
    let ut = t("/users");
    c.hit(&ctx, M::GET, &ut, &w("/users"), Some(token), None)
        .await;
    c.hit(
        &ctx,
        M::GET,
        &ut,
        &w(&format!("/users?email={}", demo::EMAIL)),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &ut, "/workspaces/1/users", Some(token), None)
        .await;
    // Service-wide accounts, and one found by e-mail in a room it is not in.
    let account = json!({"email": "acct@example.com", "firstName": "Acct", "lastName": "Holder", "organization": "Example Corp", "officePhone": "0000", "language": "en_US"});
    c.hit(
        &ctx,
        M::POST,
        "/users",
        "/users",
        Some(token),
        j(account.clone()),
    )
    .await;
    c.hit(&ctx, M::POST, "/users", "/users", Some(token), j(account))
        .await;
    let at = "/users/{email}";
    c.hit(
        &ctx,
        M::GET,
        at,
        "/users/acct%40example.com",
        Some(token),
        None,
    )
    .await;
    c.hit(
        &ctx,
        M::GET,
        at,
        "/users/nobody%40example.com",
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, at, "/users/acct%40example.com", None, None)
        .await;
    c.hit(
        &ctx,
        M::GET,
        &ut,
        &w("/users?email=acct%40example.com"),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &ut, &w("/users"), None, None).await;
    let u = c.hit(&ctx, M::POST, &ut, &w("/users"), Some(token), j(json!({"users": [{"emailId": "spec@example.com", "firstName": "Spec", "lastName": "Check", "roleType": "REVIEWER"}]}))).await;
    let uid = u["userPartials"][0]["id"].as_i64().unwrap();
    let uv = ver(&u, "/userPartials/0/version");
    c.hit(
        &ctx,
        M::POST,
        &ut,
        &w("/users"),
        Some(token),
        j(json!({"users": [{"emailId": "spec@example.com"}]})),
    )
    .await;
    c.hit(&ctx, M::POST, &ut, &w("/users"), None, j(json!({})))
        .await;
    let u2 = c
        .hit(
            &ctx,
            M::PUT,
            &ut,
            &w("/users"),
            Some(token),
            j(json!({"users": [{"id": uid, "version": uv, "roleType": "PUBLISHER"}]})),
        )
        .await;
    let uv2 = ver(&u2, "/userPartials/0/version");
    c.hit(
        &ctx,
        M::PUT,
        &ut,
        &w("/users"),
        Some(token),
        j(json!({"users": [{"id": uid, "version": uv}]})),
    )
    .await;
    c.hit(&ctx, M::PUT, &ut, &w("/users"), None, j(json!({})))
        .await;

    // --- Groups
    let gt = t("/groups");
    c.hit(&ctx, M::GET, &gt, &w("/groups"), Some(token), None)
        .await;
    c.hit(
        &ctx,
        M::GET,
        &gt,
        &w("/groups?includeWorkspaceGroupMembers=true"),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &gt, "/workspaces/1/groups", Some(token), None)
        .await;
    c.hit(&ctx, M::GET, &gt, &w("/groups"), None, None).await;
    let g = c
        .hit(
            &ctx,
            M::POST,
            &gt,
            &w("/groups"),
            Some(token),
            j(json!({"groupName": "Spec group", "groupType": "WORKSPACE"})),
        )
        .await;
    let gid = g["groupPartials"][0]["id"].as_i64().unwrap();
    let gv = ver(&g, "/groupPartials/0/version");
    c.hit(
        &ctx,
        M::POST,
        &gt,
        &w("/groups"),
        Some(token),
        j(json!({"note": "no name"})),
    )
    .await;
    c.hit(&ctx, M::POST, &gt, &w("/groups"), None, j(json!({})))
        .await;
    let git = t("/groups/{groupId}");
    c.hit(
        &ctx,
        M::GET,
        &git,
        &w(&format!("/groups/{gid}")),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &git, &w("/groups/1"), Some(token), None)
        .await;
    c.hit(&ctx, M::GET, &git, &w("/groups/1"), None, None).await;
    let g2 = c
        .hit(
            &ctx,
            M::PUT,
            &git,
            &w(&format!("/groups/{gid}")),
            Some(token),
            j(json!({"groupName": "Spec group 2", "version": gv})),
        )
        .await;
    let gv2 = ver(&g2, "/groupPartials/0/version");
    c.hit(
        &ctx,
        M::PUT,
        &git,
        &w(&format!("/groups/{gid}")),
        Some(token),
        j(json!({"groupName": "Stale", "version": gv})),
    )
    .await;
    c.hit(
        &ctx,
        M::PUT,
        &git,
        &w(&format!("/groups/{gid}")),
        None,
        j(json!({})),
    )
    .await;
    let gut = t("/groups/{groupId}/users");
    c.hit(
        &ctx,
        M::POST,
        &gut,
        &w(&format!("/groups/{gid}/users")),
        Some(token),
        j(json!({"users": [{"workspaceUserId": uid}]})),
    )
    .await;
    c.hit(
        &ctx,
        M::POST,
        &gut,
        &w(&format!("/groups/{gid}/users")),
        Some(token),
        j(json!({"users": [{"workspaceUserId": 1}]})),
    )
    .await;
    c.hit(
        &ctx,
        M::POST,
        &gut,
        &w(&format!("/groups/{gid}/users")),
        None,
        j(json!({})),
    )
    .await;
    c.hit(
        &ctx,
        M::GET,
        &gut,
        &w(&format!("/groups/{gid}/users")),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &gut, &w("/groups/1/users"), Some(token), None)
        .await;
    c.hit(&ctx, M::GET, &gut, &w("/groups/1/users"), None, None)
        .await;

    // --- Permissions
    let pt = t("/permissions");
    c.hit(&ctx, M::GET, &pt, &w("/permissions"), Some(token), None)
        .await;
    c.hit(
        &ctx,
        M::GET,
        &pt,
        "/workspaces/1/permissions",
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &pt, &w("/permissions"), None, None)
        .await;
    c.hit(
        &ctx,
        M::POST,
        &pt,
        &w("/permissions"),
        Some(token),
        j(json!({"groupId": gid, "folderId": demo::FOLDER_LEGAL, "permission": "SEE"})),
    )
    .await;
    c.hit(
        &ctx,
        M::POST,
        &pt,
        &w("/permissions"),
        Some(token),
        j(json!({"groupId": gid, "folderId": demo::FOLDER_LEGAL, "permission": "EVERYTHING"})),
    )
    .await;
    c.hit(&ctx, M::POST, &pt, &w("/permissions"), None, j(json!({})))
        .await;

    // --- Per-entity custom fields and the settings update
    for (tmpl, concrete) in [
        (
            "/documents/{documentId}/customFields",
            format!("/documents/{}/customFields", demo::DOC_README),
        ),
        (
            "/folders/{folderId}/customFields",
            format!("/folders/{}/customFields", demo::FOLDER_FINANCIALS),
        ),
        (
            "/groups/{groupId}/customFields",
            format!("/groups/{}/customFields", demo::GROUP_INTERNAL),
        ),
    ] {
        c.hit(&ctx, M::GET, &t(tmpl), &w(&concrete), Some(token), None)
            .await;
        c.hit(&ctx, M::GET, &t(tmpl), &w(&concrete), None, None)
            .await;
    }
    c.hit(
        &ctx,
        M::PUT,
        &t("/settings"),
        &w("/settings"),
        Some(token),
        j(json!({"workspaceSettings": [{"name": "enableWatermark", "value": "T"}]})),
    )
    .await;
    c.hit(
        &ctx,
        M::PUT,
        &t("/settings"),
        &w("/settings"),
        None,
        j(json!({})),
    )
    .await;

    // --- Custom fields
    for rest in ["/customFields", "/fieldDefinitions"] {
        c.hit(&ctx, M::GET, &t(rest), &w(rest), Some(token), None)
            .await;
        c.hit(
            &ctx,
            M::GET,
            &t(rest),
            &format!("/workspaces/1{rest}"),
            Some(token),
            None,
        )
        .await;
        c.hit(&ctx, M::GET, &t(rest), &w(rest), None, None).await;
    }

    // --- Deletes last
    c.hit(
        &ctx,
        M::DELETE,
        &gt,
        &w("/groups"),
        Some(token),
        j(json!({"groups": [{"id": gid, "version": gv}]})),
    )
    .await;
    let (_, g3) = ctx.get(token, &w(&format!("/groups/{gid}"))).await;
    let gv3 = ver(&g3, "/groups/0/version");
    assert_ne!(gv3, gv2, "adding a member changed the version");
    c.hit(
        &ctx,
        M::DELETE,
        &gt,
        &w("/groups"),
        Some(token),
        j(json!({"groups": [{"id": gid, "version": gv3}]})),
    )
    .await;
    c.hit(&ctx, M::DELETE, &gt, &w("/groups"), None, j(json!({})))
        .await;
    c.hit(
        &ctx,
        M::DELETE,
        &ut,
        &w("/users"),
        Some(token),
        j(json!({"users": [{"id": uid, "version": uv}]})),
    )
    .await;
    c.hit(
        &ctx,
        M::DELETE,
        &ut,
        &w("/users"),
        Some(token),
        j(json!({"users": [{"id": uid, "version": uv2}]})),
    )
    .await;
    c.hit(&ctx, M::DELETE, &ut, &w("/users"), None, j(json!({})))
        .await;

    // --- Postings: a batch opened with the V1 call, a document posted in it.
    let opened = reqwest::Client::new()
        .post(ctx.url("/services/workspaces/batches"))
        .query(&[
            ("workspaceId", ws.to_string()),
            ("operationType", "Bulk Upload".to_string()),
            ("batchSize", "1".to_string()),
        ])
        .bearer_auth(token)
        .form(&[("xml", "<batchItemRequest/>")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let batch: i64 = opened
        .split_once("<batchId>")
        .and_then(|(_, rest)| rest.split_once("</batchId>"))
        .and_then(|(id, _)| id.parse().ok())
        .expect("a batch id");
    let posted = c
        .hit(
            &ctx,
            M::POST,
            &t("/documents"),
            &w(&format!("/documents?batch_id={batch}")),
            Some(token),
            j(json!({"documents": [{"document": {"name": "Posted.txt", "parentId": demo::FOLDER_FINANCIALS}}]})),
        )
        .await;
    let posted = posted["documentPartial"][0]["id"].as_i64().unwrap();
    let bt = t("/batches");
    c.hit(
        &ctx,
        M::GET,
        &bt,
        &w("/batches?operationType=Bulk%20Upload"),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &bt, &w("/batches"), None, None).await;
    let bit = t("/batches/{batchId}");
    c.hit(
        &ctx,
        M::GET,
        &bit,
        &w(&format!("/batches/{batch}")),
        Some(token),
        None,
    )
    .await;
    c.hit(&ctx, M::GET, &bit, &w("/batches/42"), Some(token), None)
        .await;
    let art = t("/documents/{documentId}/accessReport");
    for _ in 0..2 {
        // Not ready on the first ask, the entries on the second.
        c.hit(
            &ctx,
            M::GET,
            &art,
            &w(&format!("/documents/{posted}/accessReport")),
            Some(token),
            None,
        )
        .await;
    }
    c.hit(
        &ctx,
        M::GET,
        &art,
        &w("/documents/42/accessReport"),
        Some(token),
        None,
    )
    .await;

    // Every operation of the spec was answered, with a success and an error.
    let mut missing = Vec::new();
    for (path, item) in c.spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let key = (method.to_ascii_uppercase(), path.clone());
            let statuses = c.seen.get(&key).cloned().unwrap_or_default();
            if !statuses.iter().any(|s| (200..300).contains(s)) {
                missing.push(format!("{} {path}: no success seen ({statuses:?})", key.0));
            }
            if !statuses.iter().any(|s| *s >= 300) {
                missing.push(format!("{} {path}: no error seen ({statuses:?})", key.0));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "operations not exercised:\n{}",
        missing.join("\n")
    );
    assert!(
        c.failures.is_empty(),
        "{} answers do not match the spec:\n{}",
        c.failures.len(),
        c.failures.join("\n")
    );
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn seed_fixture_shapes_match() {
    // The simulator's answers have the same keys as the real samples.
    let ctx = start().await;
    let token = ctx.login().await;
    let fixture = intralinks_tests::fixture("seed001_oauth_token.json");
    let answer = ctx.login_answer().await;
    for key in fixture.as_object().unwrap().keys() {
        assert!(answer.get(key).is_some(), "token answer lacks {key}");
    }
    let (_, splash) = ctx
        .get(
            &token,
            &format!("/workspaces/{}/splash", demo::SPLASH_WORKSPACE),
        )
        .await;
    let fixture = intralinks_tests::fixture("seed003_get_splash.json");
    for key in fixture["splash"].as_object().unwrap().keys() {
        assert!(splash["splash"].get(key).is_some(), "splash lacks {key}");
    }
    assert_eq!(splash["branding"], fixture["branding"]);
    let (s, v) = ctx.get(&token, "/workspaces/1").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let mut fixture = intralinks_tests::fixture("seed003_error_400.json");
    let mut v = v;
    v["status"]["errorId"] = json!("XXXX");
    fixture["status"]["errorId"] = json!("XXXX");
    assert_eq!(v, fixture);
    let (_, v) = ctx.get("nope", "/workspaces").await;
    assert_eq!(v, intralinks_tests::fixture("seed003_error_401.json"));
    let (_, mut v) = ctx
        .get(
            &token,
            &format!("/workspaces/{}/folders", demo::SPLASH_WORKSPACE),
        )
        .await;
    v["status"]["errorId"] = json!("XXXX");
    assert_eq!(v, intralinks_tests::fixture("seed003_error_303.json"));
    let (_, v) = ctx.enter(&token, demo::MAIN_WORKSPACE, json!({})).await;
    assert_eq!(v, intralinks_tests::fixture("seed003_enter_allow.json"));
    let member = intralinks_tests::fixture("seed003_member.json");
    let (_, users) = ctx
        .get(
            &token,
            &format!("/workspaces/{}/users", demo::MAIN_WORKSPACE),
        )
        .await;
    for key in member.as_object().unwrap().keys() {
        assert!(users["users"][0].get(key).is_some(), "member lacks {key}");
    }
    let folders = intralinks_tests::fixture("seed003_list_folders.json");
    let (_, ours) = ctx
        .get(
            &token,
            &format!("/workspaces/{}/folders", demo::MAIN_WORKSPACE),
        )
        .await;
    let sub = ours["folder"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == demo::FOLDER_FY2023)
        .unwrap();
    for key in folders["folder"][0].as_object().unwrap().keys() {
        assert!(sub.get(key).is_some(), "folder lacks {key}");
    }
    ctx.sim.shutdown().await;
}
