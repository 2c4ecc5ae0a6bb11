//! Postings: bulk uploads (the V1 open, documents and versions posted with
//! `batch_id`, batches and their items), views (a download by a member),
//! `unread` per caller, welcome alerts in the mailbox, the member-date facts,
//! the access report with its `9-9-9-1` first answer, and `/_sim/token`.

use crate::common;

use common::*;
use intralinks_sim::demo;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WS: i64 = demo::MAIN_WORKSPACE;

/// Milliseconds since the epoch, now.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Opens a batch with the V1 call; the raw answer.
async fn open_batch_raw(
    ctx: &Ctx,
    token: &str,
    query: &[(&str, &str)],
    xml: &str,
) -> (StatusCode, String) {
    let r = reqwest::Client::new()
        .post(ctx.url("/services/workspaces/batches"))
        .query(query)
        .bearer_auth(token)
        .form(&[("xml", xml)])
        .send()
        .await
        .expect("batch open");
    let s = r.status();
    (s, r.text().await.expect("body"))
}

/// Opens a "Bulk Upload" batch of `size` in the main room; its id.
async fn open_batch(ctx: &Ctx, token: &str, size: &str) -> i64 {
    let ws = WS.to_string();
    let (s, text) = open_batch_raw(
        ctx,
        token,
        &[
            ("workspaceId", ws.as_str()),
            ("operationType", "Bulk Upload"),
            ("batchSize", size),
        ],
        "<batchItemRequest/>",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{text}");
    let start = text.find("<batchId>").expect("a batchId") + "<batchId>".len();
    let end = text.find("</batchId>").expect("a closed batchId");
    text[start..end].parse().expect("a numeric batch id")
}

/// Creates documents named `names` in Financials, in `batch` when given.
async fn create_docs(
    ctx: &Ctx,
    token: &str,
    names: &[&str],
    batch: Option<i64>,
) -> (StatusCode, Value) {
    let docs: Vec<Value> = names
        .iter()
        .map(|n| json!({"document": {"name": n, "parentId": demo::FOLDER_FINANCIALS}}))
        .collect();
    let path = match batch {
        Some(b) => format!("/workspaces/{WS}/documents?batch_id={b}"),
        None => format!("/workspaces/{WS}/documents"),
    };
    ctx.call(
        Method::POST,
        Some(token),
        &path,
        Some(json!({ "documents": docs })),
    )
    .await
}

/// A token of the person with this address, from `/_sim/token`.
async fn token_of(ctx: &Ctx, email: &str) -> String {
    let (s, v) = ctx
        .control(Method::POST, "/_sim/token", Some(json!({ "email": email })))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["email"], email.trim().to_ascii_lowercase());
    assert_eq!(v["token_type"], "BearerToken");
    v["access_token"].as_str().expect("a token").to_string()
}

/// The access report of `doc`, as answered.
async fn access_report(ctx: &Ctx, token: &str, doc: i64) -> (StatusCode, Value) {
    ctx.get(
        token,
        &format!("/workspaces/{WS}/documents/{doc}/accessReport"),
    )
    .await
}

/// The member with this address in the main room.
async fn member(ctx: &Ctx, token: &str, email: &str) -> Value {
    let (s, v) = ctx
        .get(token, &format!("/workspaces/{WS}/users?email={email}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["users"][0].clone()
}

#[tokio::test]
async fn a_bulk_upload_holds_the_documents_and_versions_posted_in_it() {
    let ctx = start().await;
    let token = ctx.login().await;
    let before = now_ms();
    let batch = open_batch(&ctx, &token, "3").await;

    let (s, v) = create_docs(&ctx, &token, &["Teaser.pdf", "CIM.pdf"], Some(batch)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let teaser = v["documentPartial"][0]["id"].as_i64().unwrap();
    let cim = v["documentPartial"][1]["id"].as_i64().unwrap();
    // One outside the batch, then a new version of it posted in the batch.
    let (_, v) = create_docs(&ctx, &token, &["Model.xlsx"], None).await;
    let model = v["documentPartial"][0]["id"].as_i64().unwrap();
    let version = v["documentPartial"][0]["version"]
        .as_str()
        .unwrap()
        .to_string();
    let (content_type, body) = multipart("documentFile", "Model.xlsx", b"v1");
    let r = reqwest::Client::new()
        .put(ctx.v2(&format!("/workspaces/{WS}/documents/{model}/file")))
        .query(&[
            ("version", version.as_str()),
            ("batch_id", &batch.to_string()),
        ])
        .bearer_auth(&token)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);

    let (s, v) = ctx
        .get(
            &token,
            &format!("/workspaces/{WS}/batches?operationType=Bulk%20Upload"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let batches = v["batches"].as_array().expect("batches");
    assert_eq!(batches.len(), 1, "{v}");
    assert_eq!(batches[0]["id"], batch);
    assert_eq!(batches[0]["operationType"], "Bulk Upload");
    assert_eq!(batches[0]["batchSize"], 3);
    assert_eq!(batches[0]["createdBy"]["firstName"], "Demo");
    let created = batches[0]["createdDate"]["milliseconds"].as_i64().unwrap();
    assert!(created >= before && created <= now_ms(), "{created}");
    // Another operation type lists none.
    let (_, v) = ctx
        .get(
            &token,
            &format!("/workspaces/{WS}/batches?operationType=Other"),
        )
        .await;
    assert_eq!(v["batches"], json!([]));

    let (s, v) = ctx
        .get(&token, &format!("/workspaces/{WS}/batches/{batch}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = v["batchItemsResponse"]["contentList"]
        .as_array()
        .expect("contentList");
    let listed: Vec<(i64, &str)> = items
        .iter()
        .map(|d| (d["id"].as_i64().unwrap(), d["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (teaser, "Teaser.pdf"),
            (cim, "CIM.pdf"),
            (model, "Model.xlsx")
        ]
    );
    assert_eq!(items[2]["parentId"], demo::FOLDER_FINANCIALS);
    assert_eq!(items[2]["versionNumber"], 1);
    assert_eq!(items[0]["unread"], true);

    // An unknown batch: the service's "cannot find", and nothing is created.
    let (s, v) = ctx
        .get(&token, &format!("/workspaces/{WS}/batches/42"))
        .await;
    assert_not_found(s, &v);
    let (_, all) = ctx
        .get(&token, &format!("/workspaces/{WS}/documents"))
        .await;
    let count = all["document"].as_array().unwrap().len();
    let (s, v) = create_docs(&ctx, &token, &["Stray.pdf"], Some(42)).await;
    assert_not_found(s, &v);
    let (_, all) = ctx
        .get(&token, &format!("/workspaces/{WS}/documents"))
        .await;
    assert_eq!(all["document"].as_array().unwrap().len(), count);
}

#[tokio::test]
async fn the_v1_batch_open_checks_what_it_is_given() {
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = WS.to_string();
    let (s, text) = open_batch_raw(
        &ctx,
        &token,
        &[
            ("workspaceId", ws.as_str()),
            ("operationType", "Bulk Upload"),
        ],
        "<batchItemRequest/>",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        text.contains("batchSize is required: a positive number"),
        "{text}"
    );
    let (s, text) = open_batch_raw(
        &ctx,
        &token,
        &[
            ("workspaceId", ws.as_str()),
            ("operationType", "Bulk Upload"),
            ("batchSize", "0"),
        ],
        "<batchItemRequest/>",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        text.contains("batchSize must be a positive number"),
        "{text}"
    );
    let (s, text) = open_batch_raw(
        &ctx,
        &token,
        &[
            ("workspaceId", ws.as_str()),
            ("operationType", "Bulk Upload"),
            ("batchSize", "1"),
        ],
        "<other/>",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        text.contains("the form field xml must hold &lt;batchItemRequest/&gt;"),
        "{text}"
    );
    let foreign = demo::FOREIGN_WORKSPACE.to_string();
    let (s, _) = open_batch_raw(
        &ctx,
        &token,
        &[
            ("workspaceId", foreign.as_str()),
            ("operationType", "Bulk Upload"),
            ("batchSize", "1"),
        ],
        "<batchItemRequest/>",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_download_by_a_bidder_shows_in_the_access_report_after_a_not_ready_answer() {
    let ctx = start().await;
    let manager = ctx.login().await;
    let bob = token_of(&ctx, demo::REVIEWER_EMAIL).await;
    let doc = demo::DOC_BOARD_PACK;

    // The first ask: not ready yet, no docAccessInfo.
    let (s, v) = access_report(&ctx, &manager, doc).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["subcode"], "9-9-9-1");
    assert!(v.get("docAccessInfo").is_none(), "{v}");

    // Nobody has viewed it.
    let (s, v) = access_report(&ctx, &manager, doc).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v.get("subcode").is_none(), "{v}");
    let rows = v["docAccessInfo"]
        .as_array()
        .expect("docAccessInfo")
        .clone();
    let summary: Vec<(String, String, String, String, bool)> = rows
        .iter()
        .map(|r| {
            (
                r["descriptor"].as_str().unwrap().to_string(),
                r["access"].as_str().unwrap().to_string(),
                r["email"].as_str().unwrap_or("").to_string(),
                r["groupName"].as_str().unwrap_or("").to_string(),
                r["viewed"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    let row = |d: &str, a: &str, e: &str, g: &str| {
        (
            d.to_string(),
            a.to_string(),
            e.to_string(),
            g.to_string(),
            false,
        )
    };
    assert_eq!(
        summary,
        vec![
            row("GROUP", "ALLOWED", "", "Internal"),
            row("GROUP", "ALLOWED", "", "1. Interest"),
            row("USER", "ALLOWED", "demo@example.com", "Internal"),
            row("USER", "ALLOWED", "alice.hidden@example.com", "Internal"),
            row("USER", "ALLOWED", "bob.review@example.com", "1. Interest"),
            row("USER", "DENIED", "carol.publish@example.com", ""),
            row("USER", "ALLOWED", "dan.manager@example.com", "Internal"),
        ]
    );
    let bob_row = &rows[4];
    assert_eq!(bob_row["firstName"], "Bob");
    assert_eq!(bob_row["lastName"], "Review");
    assert_eq!(bob_row["organization"], "Example Corp");
    assert_eq!(bob_row["role"], "REVIEWER");
    assert_eq!(bob_row["groupId"], demo::GROUP_INTEREST);
    assert_eq!(bob_row["groupType"], "WORKSPACE");
    assert_eq!(bob_row["alertFailure"], false);
    // Seeded members were welcomed when the room was built.
    assert_eq!(bob_row["firstAlert"], bob_row["lastAlert"]);
    assert!(
        bob_row["firstAlert"]["milliseconds"].as_i64().is_some(),
        "{bob_row}"
    );
    assert!(bob_row.get("firstViewedOn").is_none(), "{bob_row}");

    // Bob, logged in as himself, downloads it: a view, and his use of the room.
    let (s, v) = ctx
        .get(&bob, &format!("/workspaces/{WS}/documents/{doc}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["document"][0]["unread"], true);
    let before = now_ms();
    let (s, _) = ctx.download(&bob, WS, doc).await;
    assert_eq!(s, StatusCode::OK);
    let after = now_ms();
    assert_eq!(ctx.document(&bob, WS, doc).await["unread"], false);
    // Still unread for the manager, who has not opened it.
    assert_eq!(ctx.document(&manager, WS, doc).await["unread"], true);

    let (_, v) = access_report(&ctx, &manager, doc).await;
    let rows = v["docAccessInfo"].as_array().unwrap();
    let viewed: Vec<&str> = rows
        .iter()
        .filter(|r| r["viewed"] == true)
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    assert_eq!(viewed, vec!["bob.review@example.com"]);
    let first = rows[4]["firstViewedOn"]["milliseconds"].as_i64().unwrap();
    assert!(first >= before && first <= after, "{first}");
    assert_eq!(rows[4]["lastViewedOn"]["milliseconds"], first);
    let member = member(&ctx, &manager, demo::REVIEWER_EMAIL).await;
    let last_access = member["lastAccessedOn"]["milliseconds"].as_i64().unwrap();
    assert!(last_access >= before && last_access <= after, "{member}");
    // Seeded: first came in 29 days before the seed's day.
    assert!(member["firstAccessed"]["milliseconds"].as_i64().unwrap() < before);

    // A second download moves lastViewedOn only.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    ctx.download(&bob, WS, doc).await;
    let (_, v) = access_report(&ctx, &manager, doc).await;
    let bob_row = &v["docAccessInfo"][4];
    assert_eq!(bob_row["firstViewedOn"]["milliseconds"], first);
    assert!(bob_row["lastViewedOn"]["milliseconds"].as_i64().unwrap() > first);
    // Another document is untouched: Bob viewed only the board pack.
    let (_, v) = ctx.get(&bob, &format!("/workspaces/{WS}/documents")).await;
    let unread: Vec<(i64, bool)> = v["document"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_i64().unwrap(), d["unread"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        unread,
        vec![
            (demo::DOC_README, true),
            (demo::DOC_NDA, true),
            (demo::DOC_BOARD_PACK, false),
            (demo::DOC_ANNUAL_REPORT, true),
            (demo::DOC_BIG, true),
            (demo::DOC_SAMPLE, true),
        ]
    );
}

#[tokio::test]
async fn the_not_ready_first_answer_can_be_turned_off() {
    let ctx = start().await;
    let token = ctx.login().await;
    let (s, v) = ctx.control(Method::GET, "/_sim/access-report", None).await;
    assert_eq!((s, v), (StatusCode::OK, json!({"notReadyFirst": true})));
    let (s, v) = ctx
        .control(
            Method::PUT,
            "/_sim/access-report",
            Some(json!({"notReadyFirst": false})),
        )
        .await;
    assert_eq!((s, v), (StatusCode::OK, json!({"notReadyFirst": false})));
    let (s, v) = access_report(&ctx, &token, demo::DOC_README).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["docAccessInfo"].as_array().unwrap().len(), 6, "{v}");
    let (s, v) = ctx
        .control(
            Method::PUT,
            "/_sim/access-report",
            Some(json!({"notReady": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    // A reset brings the default back.
    ctx.control(Method::POST, "/_sim/reset", None).await;
    let (_, v) = ctx.control(Method::GET, "/_sim/access-report", None).await;
    assert_eq!(v, json!({"notReadyFirst": true}));
    // An unknown document: the service's "cannot find".
    let token = ctx.login().await;
    let (s, v) = access_report(&ctx, &token, 42).await;
    assert_not_found(s, &v);
}

#[tokio::test]
async fn a_welcome_alert_is_sent_only_when_asked_and_lands_in_the_mailbox() {
    let ctx = start().await;
    let token = ctx.login().await;
    let users = format!("/workspaces/{WS}/users");
    let before = now_ms();
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &users,
            Some(json!({"users": [
                {"emailId": "ann.lee@abp.example", "firstName": "Ann", "lastName": "Lee", "organization": "ABP",
                 "sendAlert": true,
                 "welcomeAlertDetails": {"customSubject": "Project Alpha", "customNote": "Welcome, Ann", "saveAlertSettings": true}},
                {"emailId": "owner@elsewhere.example", "sendAlert": true,
                 "welcomeAlertDetails": {"customSubject": "Alpha", "customNote": "Hello again"}},
                {"emailId": "quiet@abp.example", "firstName": "Quinn", "lastName": "Et", "sendAlert": false}
            ]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mail = ctx.mailbox().await;
    assert_eq!(mail.len(), 2, "{mail:?}");
    let sent = mail[0]["sentOn"].as_i64().unwrap();
    assert!(sent >= before && sent <= now_ms());
    assert_eq!(
        mail[0],
        json!({"email": "ann.lee@abp.example", "workspaceId": WS, "alert": "WELCOME_NEW_USER",
               "subject": "Project Alpha", "note": "Welcome, Ann", "sentOn": sent})
    );
    assert_eq!(mail[1]["alert"], "WELCOME_EXISTING_USER");
    assert_eq!(mail[1]["subject"], "Alpha");

    let ann = member(&ctx, &token, "ann.lee@abp.example").await;
    assert_eq!(ann["isWelcomeAlertSent"], true);
    assert_eq!(ann["lastAlertSentDate"]["milliseconds"], sent);
    for key in ["firstAccessed", "lastAccessedOn"] {
        assert!(ann.get(key).is_none(), "{key}: {ann}");
    }
    let quiet = member(&ctx, &token, "quiet@abp.example").await;
    assert_eq!(quiet["isWelcomeAlertSent"], false);
    for key in ["firstAccessed", "lastAccessedOn", "lastAlertSentDate"] {
        assert!(quiet.get(key).is_none(), "{key}: {quiet}");
    }
    // Ann's alert shows on the documents she is reported on.
    ctx.control(
        Method::PUT,
        "/_sim/access-report",
        Some(json!({"notReadyFirst": false})),
    )
    .await;
    let (_, v) = access_report(&ctx, &token, demo::DOC_README).await;
    let ann_row = v["docAccessInfo"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == "ann.lee@abp.example")
        .cloned()
        .expect("Ann is reported");
    assert_eq!(ann_row["access"], "DENIED");
    assert_eq!(ann_row["firstAlert"]["milliseconds"], sent);
    assert_eq!(ann_row["lastAlert"]["milliseconds"], sent);

    // sendAlert without its texts: refused, nobody added, nothing mailed.
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &users,
            Some(json!({"users": [{"emailId": "nobody@abp.example", "sendAlert": true}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v.to_string()
            .contains("sendAlert is true: welcomeAlertDetails.customSubject is required"),
        "{v}"
    );
    let (_, v) = ctx
        .get(&token, &format!("{users}?email=nobody@abp.example"))
        .await;
    assert_eq!(v["users"], json!([]));
    assert_eq!(ctx.mailbox().await.len(), 2);
}

#[tokio::test]
async fn entering_a_room_is_a_use_of_it() {
    let ctx = start().await;
    let token = ctx.login().await;
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &format!("/workspaces/{WS}/users"),
            Some(json!({"users": [{"emailId": "ann.lee@abp.example", "firstName": "Ann", "lastName": "Lee"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Ann logs in as herself (her account has no password: /_sim/token).
    let ann = token_of(&ctx, "ann.lee@abp.example").await;
    let before = now_ms();
    ctx.enter_main(&ann).await;
    let m = member(&ctx, &token, "ann.lee@abp.example").await;
    let first = m["firstAccessed"]["milliseconds"].as_i64().unwrap();
    assert!(first >= before && first <= now_ms(), "{m}");
    assert_eq!(m["lastAccessedOn"]["milliseconds"], first);
}

#[tokio::test]
async fn any_person_can_act_through_a_sim_token_and_seeded_people_log_in() {
    let ctx = start().await;
    let bob = token_of(&ctx, "Bob.Review@example.com ").await;
    let (s, v) = ctx
        .get(
            &bob,
            &format!("/workspaces/{WS}/users?email=bob.review@example.com"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["users"][0]["id"], demo::MEMBER_REVIEWER);
    let (s, v) = ctx
        .control(
            Method::POST,
            "/_sim/token",
            Some(json!({"email": "nobody@nowhere.example"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v.to_string().contains("no account has the address"), "{v}");
    // Seeded people have passwords: <first name>-password.
    let r = reqwest::Client::new()
        .post(ctx.v2("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", demo::CLIENT_SECRET),
            ("email", demo::REVIEWER_EMAIL),
            ("password", demo::REVIEWER_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["email"], demo::REVIEWER_EMAIL);
}

#[tokio::test]
async fn a_fresh_room_finds_an_account_that_exists_elsewhere_by_email() {
    let ctx = start().await;
    let token = ctx.login().await;
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            "/workspaces",
            Some(json!({"workspaces": [{"name": "Fresh Room"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let ws = v["workspacePartial"][0]["id"].as_i64().unwrap();
    let (s, v) = ctx
        .get(
            &token,
            &format!("/workspaces/{ws}/users?email=bob.review%40example.com"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["users"],
        json!([{"userId": 9_620_007, "emailId": "bob.review@example.com", "firstName": "Bob",
                "lastName": "Review", "organization": "Example Corp"}])
    );
}

#[tokio::test]
async fn only_a_download_that_answers_is_a_view() {
    let ctx = start().await;
    let bob = token_of(&ctx, demo::REVIEWER_EMAIL).await;
    let doc = demo::DOC_BOARD_PACK;
    // A range past the end: 416, no bytes, no view.
    let r = reqwest::Client::new()
        .get(ctx.v2(&format!("/workspaces/{WS}/documents/{doc}/file")))
        .bearer_auth(&bob)
        .header(reqwest::header::RANGE, "bytes=99999999-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(ctx.document(&bob, WS, doc).await["unread"], true);
    // A part of it (206) is a view.
    let r = reqwest::Client::new()
        .get(ctx.v2(&format!("/workspaces/{WS}/documents/{doc}/file")))
        .bearer_auth(&bob)
        .header(reqwest::header::RANGE, "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(ctx.document(&bob, WS, doc).await["unread"], false);
}
