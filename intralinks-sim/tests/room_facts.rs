//! What the live service does when a room is built through the API, as the
//! Intralinks Python SDK's tests show it: a workspace that demands nothing
//! needs no entry, `hasNote` on documents and on folder create/update
//! answers, no `note` in a folder listing, an emptied description is not
//! sent, members found by e-mail, and the calls that do not exist.

use crate::common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Creates a workspace named `name`; its id.
async fn create_workspace(ctx: &Ctx, token: &str, name: &str) -> i64 {
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(token),
            "/workspaces",
            Some(json!({"workspaces": [{"name": name, "description": "first"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["workspacePartial"][0]["id"].as_i64().expect("an id")
}

#[tokio::test]
async fn a_workspace_that_demands_nothing_answers_without_entry() {
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = create_workspace(&ctx, &token, "Open Room").await;
    let (s, v) = ctx.get(&token, &format!("/workspaces/{ws}/folders")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["folder"], json!([]), "no folders yet: {v}");
    // Once it shows a splash that must be accepted, entry is needed again.
    let (s, v) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &format!("/workspaces/{ws}/splash"),
            Some(json!({"splashText": "Read me", "splashRequired": true})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let (s, v) = ctx.get(&token, &format!("/workspaces/{ws}/folders")).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{v}");
    assert_eq!(v["errors"][0]["subCode"], "1");
    // So does a seeded room that demands nothing (701421); one that shows a
    // splash answers 303 before entry (seed 003).
    let (s, _) = ctx
        .get(&token, &format!("/workspaces/{}/folders", 701_421))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = ctx
        .get(&token, &format!("/workspaces/{}/folders", 701_422))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn has_note_note_and_description_are_sent_as_the_service_sends_them() {
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = create_workspace(&ctx, &token, "Notes Room").await;
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &format!("/workspaces/{ws}/folders"),
            Some(json!({"folders": [
                {"folder": {"name": "Plain"}},
                {"folder": {"name": "Noted", "note": "see me"}}
            ]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let partials = v["folderPartial"].as_array().expect("partials");
    assert_eq!(partials[0]["hasNote"], json!(false));
    assert_eq!(partials[1]["hasNote"], json!(true));
    let plain = partials[0]["id"].as_i64().expect("id");
    let version = partials[0]["version"]
        .as_str()
        .expect("version")
        .to_string();
    let (s, v) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &format!("/workspaces/{ws}/folders"),
            Some(json!({"folders": [{"id": plain, "version": version, "name": "Plainer"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["folderPartial"][0]["hasNote"], json!(false));
    assert_eq!(v["folderPartial"][0]["name"], "Plainer");

    let (_, v) = ctx.get(&token, &format!("/workspaces/{ws}/folders")).await;
    let listed = v["folder"].as_array().expect("folders");
    assert_eq!(listed.len(), 2);
    for f in listed {
        assert!(f.get("note").is_none(), "a listing carries no note: {f}");
    }
    assert_eq!(listed[1]["hasNote"], "T");

    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &format!("/workspaces/{ws}/documents"),
            Some(json!({"documents": [{"document": {"name": "a.txt", "parentId": plain}}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, v) = ctx
        .get(&token, &format!("/workspaces/{ws}/documents"))
        .await;
    assert_eq!(v["document"][0]["hasNote"], json!(false));
    // The generated client reads it (the overlay declares it).
    let docs = ctx
        .api(&token)
        .list_documents()
        .workspace_id(ws)
        .send()
        .await
        .unwrap()
        .into_inner()
        .document;
    assert_eq!(docs[0].has_note, Some(false));

    let (_, v) = ctx.get(&token, &format!("/workspaces/{ws}")).await;
    assert_eq!(v["workspace"][0]["description"], "first");
    let (s, v) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &format!("/workspaces/{ws}"),
            Some(json!({"name": "Notes Room", "description": ""})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let (_, v) = ctx.get(&token, &format!("/workspaces/{ws}")).await;
    assert!(
        v["workspace"][0].get("description").is_none(),
        "an emptied description is not sent: {v}"
    );
}

#[tokio::test]
async fn members_are_found_by_email_and_missing_calls_answer_404() {
    let ctx = start().await;
    let token = ctx.login().await;
    let ws = create_workspace(&ctx, &token, "People Room").await;
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &format!("/workspaces/{ws}/users"),
            Some(json!({"users": [
                {"emailId": "Ann.Lee@abp.example", "firstName": "Ann", "lastName": "Lee", "roleType": "REVIEWER"},
                {"emailId": "bo@abp.example", "firstName": "Bo", "lastName": "Ek"}
            ]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = ctx
        .get(
            &token,
            &format!("/workspaces/{ws}/users?email=ann.lee%40abp.example"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let users = v["users"].as_array().expect("users");
    assert_eq!(users.len(), 1, "{v}");
    assert_eq!(users[0]["emailId"], "ann.lee@abp.example");
    assert_eq!(users[0]["firstName"], "Ann");

    // No call removes one membership or one permission.
    for path in ["/groups/1/users", "/permissions"] {
        let (s, _) = ctx
            .call(
                Method::DELETE,
                Some(&token),
                &format!("/workspaces/{ws}{path}"),
                Some(json!({})),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
}
