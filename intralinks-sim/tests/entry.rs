//! Workspace entry: every path of the state machine, V2 JSON (plain HTTP and
//! the generated client) and V1 XML, lockouts, the mailbox, the splash image.

use crate::common;

use common::*;
use intralinks_api::types;
use intralinks_sim::demo;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn folders(ws: i64) -> String {
    format!("/workspaces/{ws}/folders")
}

/// Asserts an entry answer: 201, the status envelope, the state.
fn assert_state(s: StatusCode, v: &Value, state: &str) {
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["status"],
        json!({"code": 201, "message": "The entities have been created"})
    );
    assert_eq!(v["state"], state, "{v}");
}

#[tokio::test]
async fn a_room_that_demands_nothing_answers_without_entry() {
    // Seed 000: only workspaces with a splash, multi-factor settings or other
    // rules turned on need the entry calls; 701421 has none of them.
    let ctx = start().await;
    let token = ctx.login().await;
    let (s, v) = ctx.get(&token, &folders(demo::MAIN_WORKSPACE)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["folder"].as_array().map(Vec::len), Some(7));
    // Entry still answers, with ALLOW at once and no attempts.
    let (s, v) = ctx.enter(&token, demo::MAIN_WORKSPACE, json!({})).await;
    assert_state(s, &v, "ALLOW");
    assert_eq!(v.get("numOfAttempts"), None);
    // V1 alike.
    let r = ctx
        .http
        .get(ctx.url(&format!(
            "/services/workspaces/folders?workspaceId={}&httpStatus=T",
            demo::MAIN_WORKSPACE
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A room that demands something answers 303 until entered, per session:
    // another login starts outside.
    let (s, v) = ctx.get(&token, &folders(demo::SPLASH_WORKSPACE)).await;
    assert_entry_required(s, &v);
    let (s, v) = ctx
        .enter(
            &token,
            demo::SPLASH_WORKSPACE,
            json!({"acceptSplash": true}),
        )
        .await;
    assert_state(s, &v, "ALLOW");
    let (s, v) = ctx.get(&token, &folders(demo::SPLASH_WORKSPACE)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let other = ctx.login().await;
    let (s, v) = ctx.get(&other, &folders(demo::SPLASH_WORKSPACE)).await;
    assert_entry_required(s, &v);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn workspace_listing_get_and_splash_work_without_entry() {
    let ctx = start().await;
    let token = ctx.login().await;
    let (s, v) = ctx.get(&token, "/workspaces").await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<i64> = v["workspace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            demo::MAIN_WORKSPACE,
            demo::SPLASH_WORKSPACE,
            demo::SPLASH_QUESTION_WORKSPACE,
            demo::SPLASH_QUESTION_OTP_WORKSPACE,
            demo::OTP_WORKSPACE,
            demo::CONTENT_DECLARATION_WORKSPACE,
            demo::RISK_QUESTION_WORKSPACE,
            demo::RISK_OTP_WORKSPACE,
            demo::OTP_DELIVERY_WORKSPACE,
        ]
    );
    let levels: Vec<i64> = v["workspace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["securityLevel"].as_i64().unwrap())
        .collect();
    assert_eq!(levels, vec![1, 1, 5, 2, 6, 1, 3, 4, 6]);
    let (s, v) = ctx
        .get(&token, &format!("/workspaces/{}", demo::SPLASH_WORKSPACE))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["workspace"][0]["securityLevel"], 1);
    let (s, v) = ctx
        .get(
            &token,
            &format!("/workspaces/{}/splash", demo::SPLASH_WORKSPACE),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["branding"], json!({"global": true}));
    assert_eq!(v["splash"]["splashRequired"], true);
    assert_eq!(v["splash"]["hasImage"], true);
    assert_eq!(v["splash"]["acceptText"], "agree");
    assert_eq!(v["splash"]["workspaceName"], "Splash Only");
    // Somebody else's workspace: invisible, 400 3-1 everywhere.
    for path in [
        format!("/workspaces/{}", demo::FOREIGN_WORKSPACE),
        format!("/workspaces/{}/splash", demo::FOREIGN_WORKSPACE),
        folders(demo::FOREIGN_WORKSPACE),
    ] {
        let (s, v) = ctx.get(&token, &path).await;
        assert_not_found(s, &v);
    }
    let (s, v) = ctx.enter(&token, demo::FOREIGN_WORKSPACE, json!({})).await;
    assert_not_found(s, &v);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn splash_only_with_the_generated_client() {
    let ctx = start().await;
    let token = ctx.login().await;
    let api = ctx.api(&token);
    let ws = demo::SPLASH_WORKSPACE;
    let splash = api
        .get_splash()
        .workspace_id(ws)
        .send()
        .await
        .unwrap()
        .into_inner();
    let splash = splash.splash.unwrap();
    assert_eq!(splash.splash_required, Some(true));
    assert_eq!(splash.has_image, Some(true));

    let first = api
        .enter_workspace()
        .workspace_id(ws)
        .body(types::EntryRequest::default())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.state, types::EntryState::AcceptSplash);
    assert_eq!(first.status.as_ref().map(|s| s.code), Some(201));

    let err = api
        .list_folders()
        .workspace_id(ws)
        .send()
        .await
        .unwrap_err();
    // Progenitor hands 3xx answers back unparsed.
    match err {
        intralinks_api::Error::UnexpectedResponse(r) => {
            assert_eq!(r.status().as_u16(), 303);
            let v: Value = r.json().await.unwrap();
            assert_entry_required(StatusCode::SEE_OTHER, &v);
        }
        other => panic!("expected the 303 answer, got {other:?}"),
    }

    let second = api
        .enter_workspace()
        .workspace_id(ws)
        .body(types::EntryRequest {
            accept_splash: Some(true),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(second.state, types::EntryState::Allow);
    let listed = api
        .list_folders()
        .workspace_id(ws)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.folder.len(), 1);
    assert_eq!(listed.folder[0].name.as_deref(), Some("Documents"));
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn splash_then_question() {
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = demo::SPLASH_QUESTION_WORKSPACE;
    let (s, v) = ctx.enter(&token, ws, json!({})).await;
    assert_state(s, &v, "ACCEPT_SPLASH");
    let (s, v) = ctx.enter(&token, ws, json!({"acceptSplash": true})).await;
    assert_state(s, &v, "SECURITY_QUESTION");
    assert_eq!(v["securityQuestionKey"], demo::SECURITY_QUESTION_KEY);
    assert_eq!(v["numOfAttempts"], 0);
    // Forgetting the splash again: back to the splash.
    let (s, v) = ctx.enter(&token, ws, json!({"answer": demo::ANSWER})).await;
    assert_state(s, &v, "ACCEPT_SPLASH");
    let (s, v) = ctx
        .enter(
            &token,
            ws,
            json!({"acceptSplash": true, "answer": "  ROSEBUD "}),
        )
        .await;
    assert_state(s, &v, "ALLOW");
    assert_eq!(v["numOfAttempts"], 0);
    assert_eq!(ctx.get(&token, &folders(ws)).await.0, StatusCode::OK);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn level_3_asks_the_question_alone() {
    // Seed 000: 3 = risk-assessed challenge question; the simulator always asks.
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = demo::RISK_QUESTION_WORKSPACE;
    let (s, v) = ctx.get(&token, &folders(ws)).await;
    assert_entry_required(s, &v);
    let (s, v) = ctx.enter(&token, ws, json!({})).await;
    assert_eq!(
        (s, v),
        (
            StatusCode::CREATED,
            json!({
                "status": {"code": 201, "message": "The entities have been created"},
                "state": "SECURITY_QUESTION",
                "numOfAttempts": 0,
                "securityQuestionKey": "NAME_OF_CHILDHOOD_SLED"
            })
        )
    );
    let (s, v) = ctx.enter(&token, ws, json!({"answer": "sled"})).await;
    assert_state(s, &v, "SECURITY_QUESTION");
    assert_eq!(v["numOfAttempts"], 1);
    let (s, v) = ctx.enter(&token, ws, json!({"answer": demo::ANSWER})).await;
    assert_state(s, &v, "ALLOW");
    assert_eq!(v["numOfAttempts"], 1);
    assert!(ctx.mailbox().await.is_empty(), "no password at level 3");
    let (s, v) = ctx.get(&token, &folders(ws)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["folder"][0]["id"], 4_714_600_007_i64);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn level_4_asks_the_one_time_password_alone() {
    // Seed 000: 4 = risk-assessed one-time password; the simulator always asks.
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = demo::RISK_OTP_WORKSPACE;
    let (s, v) = ctx.get(&token, &folders(ws)).await;
    assert_entry_required(s, &v);
    let (s, v) = ctx.enter(&token, ws, json!({})).await;
    assert_eq!(
        (s, v),
        (
            StatusCode::CREATED,
            json!({
                "status": {"code": 201, "message": "The entities have been created"},
                "state": "ONE_TIME_PASSWORD",
                "numOfAttempts": 0
            })
        )
    );
    let mail = ctx.mailbox().await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0]["email"], demo::EMAIL);
    assert_eq!(mail[0]["workspaceId"], ws);
    let otp = ctx.latest_otp().await;
    assert_eq!(otp.len(), 6);
    let (s, v) = ctx.enter(&token, ws, json!({"oneTimePassword": otp})).await;
    assert_state(s, &v, "ALLOW");
    assert_eq!(v["numOfAttempts"], 0);
    let (s, v) = ctx.get(&token, &folders(ws)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["folder"][0]["id"], 4_714_600_008_i64);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn a_password_whose_delivery_must_be_chosen_answers_otp_delivery_option() {
    // A state a live room answered (the SDK's "Sample - Document Report"
    // notebook); no request that makes the choice is known, so it stays.
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = demo::OTP_DELIVERY_WORKSPACE;
    for body in [json!({}), json!({"oneTimePassword": "123456"})] {
        let (s, v) = ctx.enter(&token, ws, body).await;
        assert_eq!(
            (s, v),
            (
                StatusCode::CREATED,
                json!({
                    "status": {"code": 201, "message": "The entities have been created"},
                    "state": "OTP_DELIVERY_OPTION"
                })
            )
        );
    }
    assert!(ctx.mailbox().await.is_empty(), "nothing is mailed");
    let (s, v) = ctx.get(&token, &folders(ws)).await;
    assert_entry_required(s, &v);
    // V1 alike.
    let (s, xml) = v1_entry(&ctx, &token, ws, "httpStatus=T", "<workspaceEntryRequest/>").await;
    assert_eq!(s, StatusCode::CREATED, "{xml}");
    assert_eq!(state_of(&xml), "OTP_DELIVERY_OPTION");
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn three_wrong_answers_block_and_the_right_one_no_longer_helps() {
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = demo::SPLASH_QUESTION_WORKSPACE;
    for attempt in 1..=2 {
        let (s, v) = ctx
            .enter(
                &token,
                ws,
                json!({"acceptSplash": true, "answer": "citizen kane"}),
            )
            .await;
        assert_state(s, &v, "SECURITY_QUESTION");
        assert_eq!(v["numOfAttempts"], attempt);
        assert_eq!(v["securityQuestionKey"], demo::SECURITY_QUESTION_KEY);
    }
    let (s, v) = ctx
        .enter(
            &token,
            ws,
            json!({"acceptSplash": true, "answer": "wrong again"}),
        )
        .await;
    assert_state(s, &v, "BLOCK");
    assert_eq!(v["numOfAttempts"], 3);
    let (s, v) = ctx
        .enter(
            &token,
            ws,
            json!({"acceptSplash": true, "answer": demo::ANSWER}),
        )
        .await;
    assert_state(s, &v, "BLOCK");
    // A new session does not help either: the user is locked out.
    let other = ctx.login().await;
    let (s, v) = ctx
        .enter(
            &other,
            ws,
            json!({"acceptSplash": true, "answer": demo::ANSWER}),
        )
        .await;
    assert_state(s, &v, "BLOCK");
    let (s, v) = ctx.get(&other, &folders(ws)).await;
    assert_entry_required(s, &v);
    // Other workspaces are not affected.
    ctx.enter_main(&other).await;
    // Only a reset lifts the block.
    ctx.control(Method::POST, "/_sim/reset", None).await;
    let token = ctx.login().await;
    let (s, v) = ctx
        .enter(
            &token,
            ws,
            json!({"acceptSplash": true, "answer": demo::ANSWER}),
        )
        .await;
    assert_state(s, &v, "ALLOW");
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn splash_question_and_one_time_password_take_four_posts() {
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = demo::SPLASH_QUESTION_OTP_WORKSPACE;
    assert!(ctx.mailbox().await.is_empty());
    let (s, v) = ctx.enter(&token, ws, json!({})).await;
    assert_state(s, &v, "ACCEPT_SPLASH");
    let (s, v) = ctx.enter(&token, ws, json!({"acceptSplash": true})).await;
    assert_state(s, &v, "SECURITY_QUESTION");
    assert!(ctx.mailbox().await.is_empty());
    let so_far = json!({"acceptSplash": true, "answer": demo::ANSWER});
    let (s, v) = ctx.enter(&token, ws, so_far.clone()).await;
    assert_state(s, &v, "ONE_TIME_PASSWORD");
    assert_eq!(v["numOfAttempts"], 0);
    let mail = ctx.mailbox().await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0]["email"], demo::EMAIL);
    assert_eq!(mail[0]["workspaceId"], ws);
    let otp = mail[0]["oneTimePassword"].as_str().unwrap().to_string();
    assert_eq!(otp.len(), 6);
    assert!(otp.chars().all(|c| c.is_ascii_digit()));
    // Asking again does not mail again.
    let (s, v) = ctx.enter(&token, ws, so_far).await;
    assert_state(s, &v, "ONE_TIME_PASSWORD");
    assert_eq!(ctx.mailbox().await.len(), 1);
    let (s, v) = ctx
        .enter(
            &token,
            ws,
            json!({"acceptSplash": true, "answer": demo::ANSWER, "oneTimePassword": otp}),
        )
        .await;
    assert_state(s, &v, "ALLOW");
    assert_eq!(v["numOfAttempts"], 0);
    assert_eq!(ctx.get(&token, &folders(ws)).await.0, StatusCode::OK);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn one_time_password_only_with_the_generated_client() {
    let ctx = start().await;
    let token = ctx.login().await;
    let api = ctx.api(&token);
    let ws = demo::OTP_WORKSPACE;
    let first = api
        .enter_workspace()
        .workspace_id(ws)
        .body(types::EntryRequest::default())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.state, types::EntryState::OneTimePassword);
    assert_eq!(first.num_of_attempts, Some(0));
    let otp = ctx.latest_otp().await;
    let wrong = api
        .enter_workspace()
        .workspace_id(ws)
        .body(types::EntryRequest {
            one_time_password: Some(intralinks_api::Secret::new("000000x")),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(wrong.state, types::EntryState::OneTimePassword);
    assert_eq!(wrong.num_of_attempts, Some(1));
    let right = api
        .enter_workspace()
        .workspace_id(ws)
        .body(types::EntryRequest {
            one_time_password: Some(intralinks_api::Secret::new(otp)),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(right.state, types::EntryState::Allow);
    let docs = api
        .list_documents()
        .workspace_id(ws)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(docs.document.len(), 1);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn three_wrong_passwords_block_and_the_latest_password_no_longer_helps() {
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = demo::OTP_WORKSPACE;
    let (s, v) = ctx.enter(&token, ws, json!({})).await;
    assert_state(s, &v, "ONE_TIME_PASSWORD");
    let otp = ctx.latest_otp().await;
    let wrong = if otp == "123456" { "654321" } else { "123456" };
    for n in 1..=2 {
        let (s, v) = ctx
            .enter(&token, ws, json!({"oneTimePassword": wrong}))
            .await;
        assert_state(s, &v, "ONE_TIME_PASSWORD");
        assert_eq!(v["numOfAttempts"], n);
    }
    let (s, v) = ctx
        .enter(&token, ws, json!({"oneTimePassword": wrong}))
        .await;
    assert_state(s, &v, "BLOCK");
    assert_eq!(v["numOfAttempts"], 3);
    let (s, v) = ctx.enter(&token, ws, json!({"oneTimePassword": otp})).await;
    assert_state(s, &v, "BLOCK");
    let (s, v) = ctx.get(&token, &folders(ws)).await;
    assert_entry_required(s, &v);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn a_new_session_gets_a_new_password_and_only_the_latest_counts() {
    let ctx = start().await;
    let ws = demo::OTP_WORKSPACE;
    let first = ctx.login().await;
    ctx.enter(&first, ws, json!({})).await;
    let old = ctx.latest_otp().await;
    let second = ctx.login().await;
    let (s, v) = ctx.enter(&second, ws, json!({})).await;
    assert_state(s, &v, "ONE_TIME_PASSWORD");
    let mail = ctx.mailbox().await;
    assert_eq!(mail.len(), 2);
    let latest = mail[1]["oneTimePassword"].as_str().unwrap().to_string();
    if latest != old {
        let (s, v) = ctx
            .enter(&second, ws, json!({"oneTimePassword": old}))
            .await;
        assert_state(s, &v, "ONE_TIME_PASSWORD");
        assert_eq!(v["numOfAttempts"], 1);
    }
    let (s, v) = ctx
        .enter(&second, ws, json!({"oneTimePassword": latest}))
        .await;
    assert_state(s, &v, "ALLOW");
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn content_declaration_is_asked_once_per_user() {
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = demo::CONTENT_DECLARATION_WORKSPACE;
    let (s, v) = ctx.get(&token, &format!("/workspaces/{ws}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["workspace"][0]["pvpEnabled"], "T");
    let (s, v) = ctx.enter(&token, ws, json!({})).await;
    assert_state(s, &v, "CONTENT_DECLARATION_REQUIRED");
    let (s, v) = ctx
        .enter(
            &token,
            ws,
            json!({"contentDeclarationUpdateRequest": {"contentDeclaration": "SECRET"}}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["status"]["subcode"], "2-1");
    let (s, v) = ctx
        .enter(
            &token,
            ws,
            json!({"contentDeclarationUpdateRequest": {"contentDeclaration": "PRIVATE"}}),
        )
        .await;
    assert_state(s, &v, "ALLOW");
    // A later session of the same user is not asked again.
    let other = ctx.login().await;
    let (s, v) = ctx.enter(&other, ws, json!({})).await;
    assert_state(s, &v, "ALLOW");
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn malformed_entry_bodies_are_400() {
    let ctx = start().await;
    let token = ctx.login().await;
    let r = ctx
        .http
        .post(ctx.v2(&format!("/workspaces/{}/splash", demo::SPLASH_WORKSPACE)))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"]["subcode"], "2-1");
    assert_eq!(v["errors"][0]["subCode"], "2-1");
    // An empty body counts as {}.
    let r = ctx
        .http
        .post(ctx.v2(&format!("/workspaces/{}/splash", demo::SPLASH_WORKSPACE)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["state"], "ACCEPT_SPLASH");
    ctx.sim.shutdown().await;
}

// ----------------------------------------------------------------- V1 XML

async fn v1_entry(ctx: &Ctx, token: &str, ws: i64, query: &str, xml: &str) -> (StatusCode, String) {
    let r = ctx
        .http
        .post(ctx.url(&format!(
            "/services/workspaces/entry?client=demo&workspaceId={ws}&{query}"
        )))
        .header("Cookie", format!("ssoGlobalSessionID={token}"))
        .form(&[("xml", xml)])
        .send()
        .await
        .unwrap();
    let s = r.status();
    assert_eq!(r.headers()["content-type"], "text/xml; charset=UTF-8");
    (s, r.text().await.unwrap())
}

fn state_of(xml: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Answer {
        state: String,
    }
    quick_xml::de::from_str::<Answer>(xml).unwrap().state
}

#[tokio::test]
async fn v1_xml_entry_shares_the_state_machine() {
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = demo::SPLASH_QUESTION_OTP_WORKSPACE;
    // Seed 000: POST with httpStatus=T and the cookie.
    let (s, body) = v1_entry(
        &ctx,
        &token,
        ws,
        "httpStatus=T",
        "<workspaceEntryRequest></workspaceEntryRequest>",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        body,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workspaceEntryResponse><status><code>201</code>\
         <message>The entities have been created</message></status><state>ACCEPT_SPLASH</state>\
         </workspaceEntryResponse>"
    );
    // The package: method=CREATE&httpStatus=F.
    let (s, body) = v1_entry(
        &ctx,
        &token,
        ws,
        "method=CREATE&httpStatus=F",
        "<workspaceEntryRequest><acceptSplash>T</acceptSplash></workspaceEntryRequest>",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(state_of(&body), "SECURITY_QUESTION");
    assert!(body.contains("<numOfAttempts>0</numOfAttempts>"), "{body}");
    assert!(body.contains(&format!(
        "<securityQuestionKey>{}</securityQuestionKey>",
        demo::SECURITY_QUESTION_KEY
    )));
    let (_, body) = v1_entry(
        &ctx,
        &token,
        ws,
        "httpStatus=T",
        "<workspaceEntryRequest><acceptSplash>T</acceptSplash><answer>rosebud</answer></workspaceEntryRequest>",
    )
    .await;
    assert_eq!(state_of(&body), "ONE_TIME_PASSWORD");
    let otp = ctx.latest_otp().await;
    // V2 content is still closed.
    let (s, v) = ctx.get(&token, &folders(ws)).await;
    assert_entry_required(s, &v);
    let (s, body) = v1_entry(
        &ctx,
        &token,
        ws,
        "httpStatus=T",
        &format!(
            "<workspaceEntryRequest><acceptSplash>T</acceptSplash><answer>rosebud</answer>\
             <oneTimePassword>{otp}</oneTimePassword></workspaceEntryRequest>"
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(state_of(&body), "ALLOW");
    // Entered through V1, open through V2.
    assert_eq!(ctx.get(&token, &folders(ws)).await.0, StatusCode::OK);

    // DELETE exits (the package posts method=DELETE).
    let r = ctx
        .http
        .post(ctx.url(&format!(
            "/services/workspaces/entry?workspaceId={ws}&method=DELETE&httpStatus=T"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let (s, v) = ctx.get(&token, &folders(ws)).await;
    assert_entry_required(s, &v);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn v1_splash_return_and_errors() {
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = demo::SPLASH_WORKSPACE;
    let r = ctx
        .http
        .get(ctx.url(&format!(
            "/v1/services/workspaces/entry?workspaceId={ws}&splashReturn=A&method=GET&httpStatus=T"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Splash {
        splash_text: String,
        has_image: String,
        #[serde(rename = "splashURL")]
        splash_url: String,
        splash_required: String,
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        splash: Splash,
    }
    let a: Answer = quick_xml::de::from_str(&body).unwrap();
    assert!(a.splash.splash_text.contains("confidential"), "{body}");
    assert_eq!(a.splash.has_image, "T");
    assert_eq!(a.splash.splash_required, "T");
    assert_eq!(
        a.splash.splash_url,
        format!("/services/workspaces/splashImage?workspaceId={ws}")
    );
    // No session: the V1 error, in the XML only when httpStatus=F.
    let r = ctx
        .http
        .get(ctx.url(&format!(
            "/services/workspaces/entry?workspaceId={ws}&httpStatus=F"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.contains("<code>401</code>"), "{body}");
    assert!(
        body.contains("<errors><error><code>401</code><subCode>1-1-3-2</subCode>"),
        "{body}"
    );
    // Content before entry: 303, as V2.
    let r = ctx
        .http
        .get(ctx.url(&format!(
            "/services/workspaces/folders?workspaceId={ws}&httpStatus=T"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<message>Workspace entrance requirements not met.</message>"),
        "{body}"
    );
    assert!(body.contains("<subCode>1</subCode>"));
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn splash_image_is_a_real_gif() {
    let ctx = start().await;
    let token = ctx.login().await;
    let r = ctx
        .http
        .get(ctx.url("/services/workspaces/splashImage"))
        .query(&[("workspaceId", demo::SPLASH_WORKSPACE.to_string())])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/gif");
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..6], b"GIF89a");
    assert_eq!(u16::from_le_bytes([bytes[6], bytes[7]]), 48);
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 24);
    assert_eq!(*bytes.last().unwrap(), 0x3B, "GIF trailer");
    // A splash without an image: a V1 400 3-1 error.
    let r = ctx
        .http
        .get(ctx.url("/services/workspaces/splashImage"))
        .query(&[("workspaceId", demo::SPLASH_QUESTION_WORKSPACE.to_string())])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "text/xml; charset=UTF-8");
    let body = r.text().await.unwrap();
    assert!(body.contains("<subcode>3-1</subcode>"), "{body}");
    ctx.sim.shutdown().await;
}
