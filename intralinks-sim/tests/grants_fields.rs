//! Permissions on one document, and custom field values on entities: what
//! the simulator answers, exact, and valid against openapi/effective.yaml.

use crate::common;

use common::*;
use intralinks_sim::demo;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WS: i64 = demo::MAIN_WORKSPACE;

/// `value` is what the spec says `method path` answers with `status`.
fn valid(method: &str, template: &str, status: u16, value: &Value) {
    let spec = intralinks_tests::effective_spec();
    let schema = intralinks_tests::response_schema(&spec, method, template, status)
        .unwrap_or_else(|| panic!("{method} {template} {status} is not declared"));
    if let Err(e) = intralinks_tests::validate(&spec, &schema, value) {
        panic!("{method} {template} {status}: {e:?}\n{value}");
    }
}

#[tokio::test]
async fn a_group_is_granted_a_level_on_one_document() {
    let ctx = start().await;
    let token = ctx.login().await;
    ctx.enter_main(&token).await;
    // "2. Commit" sees nothing; it is given the NDA alone.
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &format!("/workspaces/{WS}/permissions"),
            Some(json!({"groupId": demo::GROUP_COMMIT, "documentId": demo::DOC_NDA, "permission": "SEE"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    valid("POST", "/workspaces/{workspaceId}/permissions", 201, &v);

    let (s, v) = ctx
        .get(&token, &format!("/workspaces/{WS}/permissions"))
        .await;
    assert_eq!(s, StatusCode::OK);
    valid("GET", "/workspaces/{workspaceId}/permissions", 200, &v);
    let on_documents: Vec<&Value> = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p.get("documentId").is_some())
        .collect();
    assert_eq!(on_documents.len(), 1);
    let p = on_documents[0];
    assert_eq!(p["documentId"], demo::DOC_NDA);
    assert_eq!(p["groupId"], demo::GROUP_COMMIT);
    assert_eq!(p["permission"], "SEE");
    assert_eq!(p.get("folderId"), None);

    // The NDA lists it beside what Legal gives; the board pack does not.
    let nda = format!("/workspaces/{WS}/documents/{}/permissions", demo::DOC_NDA);
    let (s, v) = ctx.get(&token, &nda).await;
    assert_eq!(s, StatusCode::OK);
    valid(
        "GET",
        "/workspaces/{workspaceId}/documents/{documentId}/permissions",
        200,
        &v,
    );
    let mut listed: Vec<(i64, String)> = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["groupId"].as_i64().unwrap(),
                p["permission"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            (demo::GROUP_INTERNAL, "SEE_DOWNLOAD_AND_PRINT".to_string()),
            (demo::GROUP_COMMIT, "SEE".to_string()),
        ]
    );
    let pack = format!(
        "/workspaces/{WS}/documents/{}/permissions",
        demo::DOC_BOARD_PACK
    );
    let (_, v) = ctx.get(&token, &pack).await;
    assert!(
        v["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["groupId"] != demo::GROUP_COMMIT),
        "{v}"
    );

    // A second grant on the same document replaces the first.
    let (s, _) = ctx
        .call(
            Method::POST,
            Some(&token),
            &format!("/workspaces/{WS}/permissions"),
            Some(json!({"groupId": demo::GROUP_COMMIT, "documentId": demo::DOC_NDA, "permission": "SEE_AND_DOWNLOAD"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, v) = ctx.get(&token, &nda).await;
    let commit: Vec<&Value> = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["groupId"] == demo::GROUP_COMMIT)
        .collect();
    assert_eq!(commit.len(), 1);
    assert_eq!(commit[0]["permission"], "SEE_AND_DOWNLOAD");
}

#[tokio::test]
async fn a_grant_names_a_folder_or_a_document_and_goes_with_it() {
    let ctx = start().await;
    let token = ctx.login().await;
    ctx.enter_main(&token).await;
    let post = |body: Value| {
        let (ctx, token) = (&ctx, &token);
        async move {
            ctx.call(
                Method::POST,
                Some(token),
                &format!("/workspaces/{WS}/permissions"),
                Some(body),
            )
            .await
        }
    };
    let (s, v) = post(json!({"groupId": demo::GROUP_COMMIT, "documentId": demo::DOC_NDA, "folderId": demo::FOLDER_LEGAL, "permission": "SEE"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["status"]["subcode"], "2-1");
    let (s, v) = post(json!({"groupId": demo::GROUP_COMMIT, "permission": "SEE"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["status"]["subcode"], "2-1");
    let (s, v) =
        post(json!({"groupId": demo::GROUP_COMMIT, "documentId": 42, "permission": "SEE"})).await;
    assert_not_found(s, &v);

    // Deleting the document takes its permission with it.
    let (s, _) = post(
        json!({"groupId": demo::GROUP_COMMIT, "documentId": demo::DOC_NDA, "permission": "SEE"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let doc = ctx.document(&token, WS, demo::DOC_NDA).await;
    let (s, v) = ctx
        .call(
            Method::DELETE,
            Some(&token),
            &format!("/workspaces/{WS}/documents"),
            Some(json!({"documents": [{"id": demo::DOC_NDA, "version": doc["version"]}]})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let (_, v) = ctx
        .get(&token, &format!("/workspaces/{WS}/permissions"))
        .await;
    assert!(
        v["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.get("documentId").is_none()),
        "{v}"
    );
}

#[tokio::test]
async fn entities_carry_their_custom_field_values() {
    let ctx = start().await;
    let token = ctx.login().await;
    ctx.enter_main(&token).await;

    let (s, v) = ctx
        .get(&token, &format!("/workspaces/{WS}/documents"))
        .await;
    assert_eq!(s, StatusCode::OK);
    valid("GET", "/workspaces/{workspaceId}/documents", 200, &v);
    let docs = v["document"].as_array().unwrap();
    let nda = docs.iter().find(|d| d["id"] == demo::DOC_NDA).unwrap();
    assert_eq!(
        nda["customFields"],
        json!({"field": [{"id": 880_001, "value": "ABP-7"}, {"id": 880_003, "value": "Closing"}]})
    );
    let readme = docs.iter().find(|d| d["id"] == demo::DOC_README).unwrap();
    assert_eq!(readme.get("customFields"), None);

    let (_, v) = ctx.get(&token, &format!("/workspaces/{WS}/users")).await;
    valid("GET", "/workspaces/{workspaceId}/users", 200, &v);
    let bob = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == demo::MEMBER_REVIEWER)
        .unwrap();
    assert_eq!(
        bob["customFields"],
        json!({"field": [{"id": 880_001, "value": "ABP-7"}, {"id": 880_003, "value": "Due Diligence"}]})
    );

    let (_, v) = ctx.get(&token, &format!("/workspaces/{WS}/folders")).await;
    valid("GET", "/workspaces/{workspaceId}/folders", 200, &v);
    let legal = v["folder"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == demo::FOLDER_LEGAL)
        .unwrap();
    assert_eq!(
        legal["customFields"],
        json!({"field": [{"id": 880_003, "value": "Closing"}]})
    );

    // An entity's own customFields: its values, each beside its field.
    let path = format!("/workspaces/{WS}/documents/{}/customFields", demo::DOC_NDA);
    let (s, v) = ctx.get(&token, &path).await;
    assert_eq!(s, StatusCode::OK);
    valid(
        "GET",
        "/workspaces/{workspaceId}/documents/{documentId}/customFields",
        200,
        &v,
    );
    assert_eq!(
        v["customFields"],
        json!([
            {"id": 880_001, "name": "Deal Code", "type": "TEXT", "value": "ABP-7"},
            {"id": 880_003, "name": "Stage", "type": "SELECT", "value": "Closing"},
        ])
    );
    let path = format!(
        "/workspaces/{WS}/groups/{}/customFields",
        demo::GROUP_INTERNAL
    );
    let (s, v) = ctx.get(&token, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["customFields"], json!([]), "no values");

    // The room's own values; its definitions are a list of their own.
    let (_, v) = ctx
        .get(&token, &format!("/workspaces/{WS}/customFields"))
        .await;
    valid("GET", "/workspaces/{workspaceId}/customFields", 200, &v);
    let values: Vec<(i64, &str)> = v["customFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_i64().unwrap(), f["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        values,
        [
            (880_001, "ABP-7"),
            (880_002, "2024-06-30"),
            (880_003, "Due Diligence")
        ]
    );
    let (_, v) = ctx
        .get(&token, &format!("/workspaces/{WS}/fieldDefinitions"))
        .await;
    let names: Vec<&str> = v["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Deal Code", "Closing Date", "Stage"]);
}
