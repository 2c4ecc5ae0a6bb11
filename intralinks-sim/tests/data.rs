//! The data room: listings through the generated client, documents with
//! real bytes, uploads, optimistic concurrency, groups, members,
//! permissions, and the error shapes.

use crate::common;

use common::*;
use futures_util::StreamExt;
use intralinks_api::types;
use intralinks_sim::{SimConfig, content, demo};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WS: i64 = demo::MAIN_WORKSPACE;

fn p(rest: &str) -> String {
    format!("/workspaces/{WS}{rest}")
}

async fn entered() -> (Ctx, String) {
    let ctx = start().await;
    let token = ctx.login().await;
    ctx.enter_main(&token).await;
    (ctx, token)
}

/// Creates document `name` (no file yet) in folder FY2024: the answer.
async fn create_in_fy2024(ctx: &Ctx, token: &str, name: &str) -> (StatusCode, Value) {
    ctx.call(
        Method::POST,
        Some(token),
        &p("/documents"),
        Some(json!({"documents": [{"document": {"name": name, "parentId": demo::FOLDER_FY2024}}]})),
    )
    .await
}

fn is_version(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit()))
}

#[tokio::test]
async fn the_generated_client_reads_the_data_room() {
    let (ctx, token) = entered().await;
    let api = ctx.api(&token);
    let spaces = api.list_workspaces().send().await.unwrap().into_inner();
    let main = spaces.workspace.iter().find(|w| w.id == WS).unwrap();
    assert_eq!(main.workspace_name.as_deref(), Some("Demo API Workspace"));
    assert_eq!(main.pvp_enabled, Some(intralinks_api::TfBool(false)));
    assert_eq!(main.version, Some(5));
    assert_eq!(spaces.status.as_ref().unwrap().code, 200);

    let folders = api
        .list_folders()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(folders.folder.len(), 7);
    let roots: Vec<_> = folders
        .folder
        .iter()
        .filter(|f| f.parent_id.is_none())
        .collect();
    assert_eq!(roots.len(), 3);
    let q4 = folders
        .folder
        .iter()
        .find(|f| f.id == demo::FOLDER_FY2023_Q4)
        .unwrap();
    assert_eq!(q4.index_number.as_deref(), Some("1.1.1"));
    assert_eq!(q4.parent_id, Some(demo::FOLDER_FY2023));
    assert!(folders.folder.iter().all(|f| f.id > 1 << 32));

    let contents = api
        .get_folder_contents()
        .workspace_id(WS)
        .folder_id(demo::FOLDER_FINANCIALS)
        .send()
        .await
        .unwrap()
        .into_inner();
    let kinds: Vec<_> = contents
        .contents
        .iter()
        .map(|c| (c.entity_type, c.name.clone().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (types::EntityType::Folder, "FY2023".to_string()),
            (types::EntityType::Folder, "FY2024".to_string()),
            (types::EntityType::Document, "Read me.txt".to_string()),
        ]
    );

    let docs = api
        .list_documents()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(docs.document.len(), 6);
    let big = docs
        .document
        .iter()
        .find(|d| d.id == demo::DOC_BIG)
        .unwrap();
    assert_eq!(big.file_size, Some(demo::BIG_DOCUMENT_SIZE as i64));
    assert!(big.file_size.unwrap() >= 1_073_741_824);
    assert_eq!(
        big.file_hash_download.as_deref(),
        Some(demo::BIG_DOCUMENT_HASH)
    );
    assert_eq!(big.extension.as_deref(), Some("dat"));

    let groups = api
        .list_groups()
        .workspace_id(WS)
        .include_workspace_group_members(true)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(groups.groups.len(), 3);
    assert!(groups.workspace_group_members.iter().any(|m| {
        m.workspace_group_id == Some(demo::GROUP_INTERNAL)
            && m.workspace_user_id == Some(demo::MEMBER_DEMO)
    }));

    let members = api
        .list_workspace_members()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner();
    let mut roles: Vec<_> = members
        .users
        .iter()
        .filter_map(|u| u.role_type.clone())
        .collect();
    roles.sort();
    assert_eq!(
        roles,
        [
            "HIDDEN_MANAGER",
            "MANAGER",
            "MANAGER_PLUS",
            "PUBLISHER",
            "REVIEWER"
        ]
    );
    assert!(members.users.iter().all(|u| u.id > Some(1 << 32)));
    let me = api
        .list_workspace_members()
        .workspace_id(WS)
        .email(demo::EMAIL)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.users.len(), 1);
    assert_eq!(me.users[0].id, Some(demo::MEMBER_DEMO));

    let perms = api
        .list_permissions()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(perms.permissions.len(), 4);
    let doc_perms = api
        .list_document_permissions()
        .workspace_id(WS)
        .document_id(demo::DOC_BOARD_PACK)
        .send()
        .await
        .unwrap()
        .into_inner();
    // Q4 inherits from FY2023 (Interest: SEE) and Financials (Internal).
    assert_eq!(doc_perms.permissions.len(), 2);

    let fields = api
        .list_custom_fields()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fields.custom_fields.len(), 3);
    let defs = api
        .list_field_definitions()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(defs.field_definitions.len(), 3);
    let settings = api
        .get_workspace_settings()
        .workspace_id(WS)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!settings.workspace_settings.is_empty());
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn wire_format_details() {
    let (ctx, token) = entered().await;
    let (_, v) = ctx.get(&token, &p("/folders")).await;
    assert_eq!(
        v["status"],
        json!({"code": 200, "message": "Request completed fine, no errors"})
    );
    let root = v["folder"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == demo::FOLDER_FINANCIALS)
        .unwrap();
    assert!(
        root.get("parentId").is_none(),
        "root folders have no parentId key"
    );
    assert_eq!(root["hasNote"], "F");
    assert!(is_version(&root["version"]));
    assert!(root["createdOn"]["milliseconds"].as_i64().unwrap() > 1_300_000_000_000);
    assert_eq!(root["createdBy"]["firstName"], "John");
    // Single GETs answer one-element lists under the singular key.
    let (_, v) = ctx
        .get(&token, &p(&format!("/folders/{}", demo::FOLDER_LEGAL)))
        .await;
    assert_eq!(v["folder"].as_array().unwrap().len(), 1);
    let (_, v) = ctx.get(&token, &format!("/workspaces/{WS}")).await;
    assert_eq!(v["workspace"].as_array().unwrap().len(), 1);
    assert_eq!(v["workspace"][0]["version"], 5);
    assert_eq!(v["workspace"][0]["htmlViewEnabled"], "F");
    let (_, v) = ctx
        .get(&token, &p(&format!("/groups/{}", demo::GROUP_INTERNAL)))
        .await;
    assert_eq!(v["groups"][0]["groupName"], "Internal");
    assert_eq!(v["groups"][0]["groupMemberCount"], 3);
    assert!(is_version(&v["groups"][0]["version"]));
    // Trailing slashes are accepted (seed 001 writes one).
    let (s, v) = ctx.get(&token, &p("/folders/")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["folder"].as_array().unwrap().len(), 7);
    // Groups without members listed carry an empty member list.
    let (_, v) = ctx.get(&token, &p("/groups")).await;
    assert_eq!(v["workspaceGroupMembers"], json!([]));
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn unknown_ids_and_urls() {
    let (ctx, token) = entered().await;
    for path in [
        "/workspaces/123".to_string(),
        p("/folders/4714065397"),
        p("/folders/4714065397/contents"),
        p("/documents/99"),
        p("/documents/99/file"),
        p("/groups/1"),
        p("/groups/1/users"),
        p("/documents/not-a-number"),
        // A document of another workspace, asked through this one.
        p("/documents/5368800001"),
    ] {
        let (s, v) = ctx.get(&token, &path).await;
        assert_not_found(s, &v);
    }
    // Unknown URLs and methods: the HTML page.
    for (method, path) in [
        (Method::GET, "/v2/nothing/here"),
        (Method::GET, "/v3/workspaces"),
        (Method::GET, "/"),
        (Method::PATCH, "/v2/workspaces"),
        (Method::GET, "/v2/oauth/token"),
    ] {
        let r = ctx
            .http
            .request(method.clone(), ctx.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(r.headers()["content-type"], "text/html; charset=UTF-8");
        let html = r.text().await.unwrap();
        assert!(html.starts_with("<html><head>\r\n"));
        assert!(html.contains("Your request cannot be completed, please retry."));
        assert!(html.contains("IntraLinks Support"));
    }
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn documents_serve_their_bytes_and_hash() {
    let (ctx, token) = entered().await;
    for doc in [
        demo::DOC_README,
        demo::DOC_NDA,
        demo::DOC_BOARD_PACK,
        demo::DOC_SAMPLE,
        demo::DOC_ANNUAL_REPORT,
    ] {
        let meta = ctx.document(&token, WS, doc).await;
        let r = ctx
            .http
            .get(ctx.v2(&p(&format!("/documents/{doc}/file"))))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/octet-stream");
        let len: u64 = r.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(Some(len), meta["fileSize"].as_u64());
        let bytes = r.bytes().await.unwrap();
        assert_eq!(bytes.len() as u64, len);
        assert_eq!(
            meta["fileHashDownload"].as_str().unwrap(),
            file_hash(&bytes),
            "{doc}"
        );
    }
    // Generated documents are the generator's bytes.
    let (_, bytes) = ctx.download(&token, WS, demo::DOC_SAMPLE).await;
    let mut expected = vec![0u8; demo::SAMPLE_SIZE as usize];
    content::fill(demo::SAMPLE_SEED, 0, &mut expected);
    assert_eq!(bytes, expected);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn the_big_document_streams_the_generator_bytes() {
    let (ctx, token) = entered().await;
    let meta = ctx.document(&token, WS, demo::DOC_BIG).await;
    assert_eq!(meta["fileSize"].as_u64(), Some(demo::BIG_DOCUMENT_SIZE));
    assert_eq!(meta["fileHashDownload"], demo::BIG_DOCUMENT_HASH);
    let r = ctx
        .http
        .get(ctx.v2(&p(&format!("/documents/{}/file", demo::DOC_BIG))))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-length"].to_str().unwrap(),
        demo::BIG_DOCUMENT_SIZE.to_string()
    );
    // Read the first 3 MiB and a bit, then hang up.
    let want = 3 * 1024 * 1024 + 123;
    let mut got = Vec::with_capacity(want + 65_536);
    let mut stream = r.bytes_stream();
    while got.len() < want {
        let chunk = stream.next().await.expect("more bytes").unwrap();
        got.extend_from_slice(&chunk);
    }
    drop(stream);
    let mut expected = vec![0u8; got.len()];
    content::fill(demo::BIG_DOCUMENT_SEED, 0, &mut expected);
    assert_eq!(got, expected);
    // Several readers at once, each stopping early.
    let mut readers = Vec::new();
    for _ in 0..4 {
        let http = ctx.http.clone();
        let url = ctx.v2(&p(&format!("/documents/{}/file", demo::DOC_BIG)));
        let token = token.clone();
        readers.push(tokio::spawn(async move {
            let r = http.get(url).bearer_auth(token).send().await.unwrap();
            let mut s = r.bytes_stream();
            let mut n = 0usize;
            while n < 1 << 20 {
                n += s.next().await.unwrap().unwrap().len();
            }
            n
        }));
    }
    for r in readers {
        assert!(r.await.unwrap() >= 1 << 20);
    }
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn create_upload_download_round_trip() {
    let (ctx, token) = entered().await;
    let (s, v) = create_in_fy2024(&ctx, &token, "report.bin").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["status"],
        json!({"code": 201, "message": "The entities have been created"})
    );
    let partial = &v["documentPartial"][0];
    let doc = partial["id"].as_i64().unwrap();
    assert!(doc > 1 << 32);
    assert_eq!(partial["parentId"], demo::FOLDER_FY2024);
    let v1 = partial["version"].as_str().unwrap().to_string();
    // No file yet.
    let (s, v) = ctx.get(&token, &p(&format!("/documents/{doc}/file"))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["status"]["subcode"], "3-5");
    assert!(
        ctx.document(&token, WS, doc)
            .await
            .get("fileSize")
            .is_none()
    );

    let bytes: Vec<u8> = (0..2_500_000u32).map(|i| (i * 31 % 251) as u8).collect();
    let (s, v) = ctx.upload(&token, WS, doc, &v1, &bytes).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["status"]["code"], 202);
    let v2 = v["documentPartial"][0]["version"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(v2, v1);
    let meta = ctx.document(&token, WS, doc).await;
    assert_eq!(meta["version"], v2.as_str());
    assert_eq!(meta["fileSize"], bytes.len());
    assert_eq!(meta["fileHashDownload"], file_hash(&bytes));
    assert_eq!(meta["versionNumber"], 1);
    let (s, back) = ctx.download(&token, WS, doc).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(back, bytes);

    // A stale version is refused, before the bytes are read.
    let (s, v) = ctx.upload(&token, WS, doc, &v1, b"late").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["status"]["subcode"], "3-3");
    assert_eq!(v["errors"][0]["subCode"], "3-3");
    let (_, back) = ctx.download(&token, WS, doc).await;
    assert_eq!(back, bytes);
    // No documentFile part.
    let (ct, body) = multipart("somethingElse", "x.bin", b"x");
    let r = ctx
        .http
        .put(ctx.v2(&p(&format!("/documents/{doc}/file"))))
        .query(&[("version", v2.as_str())])
        .bearer_auth(&token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn corrupt_makes_the_hash_disagree() {
    let (ctx, token) = entered().await;
    let before = ctx.document(&token, WS, demo::DOC_NDA).await;
    let (s, _) = ctx
        .control(
            Method::POST,
            &format!("/_sim/corrupt/{}", demo::DOC_NDA),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let after = ctx.document(&token, WS, demo::DOC_NDA).await;
    let (_, bytes) = ctx.download(&token, WS, demo::DOC_NDA).await;
    assert_eq!(
        before["fileHashDownload"].as_str().unwrap(),
        file_hash(&bytes)
    );
    assert_ne!(
        after["fileHashDownload"].as_str().unwrap(),
        file_hash(&bytes)
    );
    assert_eq!(after["fileSize"], before["fileSize"]);
    let (s, v) = ctx.control(Method::POST, "/_sim/corrupt/42", None).await;
    assert_not_found(s, &v);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn folders_create_update_delete_with_versions() {
    let (ctx, token) = entered().await;
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &p("/folders"),
            Some(json!({"folders": [{"folder": {"name": "Tax", "parentId": demo::FOLDER_FINANCIALS, "note": "FY notes"}}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["folderPartial"][0]["id"].as_i64().unwrap();
    let version = v["folderPartial"][0]["version"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, f) = ctx.get(&token, &p(&format!("/folders/{id}"))).await;
    assert_eq!(f["folder"][0]["hasNote"], "T");
    assert_eq!(f["folder"][0]["indexNumber"], "1.3");

    let (s, v) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &p("/folders"),
            Some(json!({"folders": [{"id": id, "version": version, "name": "Taxes"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["folderPartial"][0]["name"], "Taxes");
    let new_version = v["folderPartial"][0]["version"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_version, version);
    // The old version is stale now, for updates and deletes.
    let (s, v) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &p("/folders"),
            Some(json!({"folders": [{"id": id, "version": version, "name": "Lost update"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["status"]["subcode"], "3-3");
    let (s, _) = ctx
        .call(
            Method::DELETE,
            Some(&token),
            &p(&format!("/folders/{id}?version={version}")),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A folder cannot move under itself.
    let (s, _) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &p("/folders"),
            Some(json!({"folders": [{"id": demo::FOLDER_FINANCIALS, "version": "x", "parentId": demo::FOLDER_FY2023}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Non-empty folders need deleteFolderContents=true.
    let (_, fin) = ctx
        .get(&token, &p(&format!("/folders/{}", demo::FOLDER_LEGAL)))
        .await;
    let legal_version = fin["folder"][0]["version"].as_str().unwrap().to_string();
    let (s, v) = ctx
        .call(
            Method::DELETE,
            Some(&token),
            &p(&format!(
                "/folders/{}?version={legal_version}",
                demo::FOLDER_LEGAL
            )),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["status"]["subcode"], "3-4");
    let (s, v) = ctx
        .call(
            Method::DELETE,
            Some(&token),
            &p(&format!(
                "/folders/{}?version={legal_version}&deleteFolderContents=true",
                demo::FOLDER_LEGAL
            )),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["status"]["code"], 202);
    let (s, v) = ctx
        .get(&token, &p(&format!("/documents/{}", demo::DOC_NDA)))
        .await;
    assert_not_found(s, &v);
    let (s, _) = ctx
        .call(
            Method::DELETE,
            Some(&token),
            &p(&format!("/folders/{id}?version={new_version}")),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn documents_update_move_and_delete_with_versions() {
    let (ctx, token) = entered().await;
    let meta = ctx.document(&token, WS, demo::DOC_README).await;
    let version = meta["version"].as_str().unwrap().to_string();
    let (s, v) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &p("/documents"),
            Some(json!({"documents": [{"id": demo::DOC_README, "version": version, "name": "README.md", "parentId": demo::FOLDER_LEGAL}]})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let newer = v["documentPartial"][0]["version"]
        .as_str()
        .unwrap()
        .to_string();
    let meta = ctx.document(&token, WS, demo::DOC_README).await;
    assert_eq!(meta["name"], "README.md");
    assert_eq!(meta["extension"], "md");
    assert_eq!(meta["parentId"], demo::FOLDER_LEGAL);
    let (s, v) = ctx
        .call(
            Method::DELETE,
            Some(&token),
            &p("/documents"),
            Some(json!({"documents": [{"id": demo::DOC_README, "version": version}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["status"]["subcode"], "3-3");
    let (s, v) = ctx
        .call(
            Method::DELETE,
            Some(&token),
            &p("/documents"),
            Some(json!({"documents": [{"id": demo::DOC_README, "version": newer}]})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["documentPartial"][0]["id"], demo::DOC_README);
    let (s, v) = ctx
        .get(&token, &p(&format!("/documents/{}", demo::DOC_README)))
        .await;
    assert_not_found(s, &v);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn groups_members_and_permissions() {
    let (ctx, token) = entered().await;
    let api = ctx.api(&token);
    // A new member.
    let created = api
        .create_workspace_members()
        .workspace_id(WS)
        .body(types::UsersRequest {
            users: vec![types::UserInput {
                email_id: "erin@example.com".into(),
                first_name: Some("Erin".into()),
                last_name: Some("New".into()),
                organization: Some("Buyer Inc".into()),
                role_type: Some("REVIEWER".into()),
                send_alert: Some(false),
                welcome_alert_details: None,
            }],
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let member = created.user_partials[0].id.unwrap();
    assert!(member > 1 << 32);
    // The same e-mail again: 5-1-1.
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &p("/users"),
            Some(json!({"users": [{"emailId": "ERIN@example.com"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["status"]["subcode"], "5-1-1");

    // A group, the member in it.
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &p("/groups"),
            Some(json!({"groupName": "Bidders", "groupType": "WORKSPACE", "note": "round 1"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let group = v["groupPartials"][0]["id"].as_i64().unwrap();
    let gv = v["groupPartials"][0]["version"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &p(&format!("/groups/{group}/users")),
            Some(json!({"users": [{"workspaceUserId": member}]})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let (_, v) = ctx.get(&token, &p(&format!("/groups/{group}/users"))).await;
    assert_eq!(v["users"][0]["emailId"], "erin@example.com");
    assert_eq!(v["users"][0]["roleType"], "REVIEWER");
    // Adding members changed the group's version.
    let (s, v) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &p(&format!("/groups/{group}")),
            Some(json!({"groupName": "Bidders A", "version": gv})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["status"]["subcode"], "3-3");
    let (_, g) = ctx.get(&token, &p(&format!("/groups/{group}"))).await;
    let gv = g["groups"][0]["version"].as_str().unwrap().to_string();
    assert_eq!(g["groups"][0]["groupMemberCount"], 1);
    let (s, v) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &p(&format!("/groups/{group}")),
            Some(json!({"groupName": "Bidders A", "version": gv})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let gv = v["groupPartials"][0]["version"]
        .as_str()
        .unwrap()
        .to_string();

    // A permission for the group.
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &p("/permissions"),
            Some(json!({"groupId": group, "folderId": demo::FOLDER_DATA_TAPES, "permission": "SEE_AND_DOWNLOAD"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, v) = ctx
        .get(
            &token,
            &p(&format!("/documents/{}/permissions", demo::DOC_BIG)),
        )
        .await;
    assert!(
        v["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["groupId"] == group)
    );
    let (s, _) = ctx
        .call(
            Method::POST,
            Some(&token),
            &p("/permissions"),
            Some(
                json!({"groupId": group, "folderId": demo::FOLDER_DATA_TAPES, "permission": "ALL"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Member update with versions.
    let (_, u) = ctx.get(&token, &p("/users?email=erin@example.com")).await;
    let uv = u["users"][0]["version"].as_str().unwrap().to_string();
    let (s, v) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &p("/users"),
            Some(json!({"users": [{"id": member, "version": uv, "roleType": "PUBLISHER"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let uv2 = v["userPartials"][0]["version"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, _) = ctx
        .call(
            Method::DELETE,
            Some(&token),
            &p("/users"),
            Some(json!({"users": [{"id": member, "version": uv}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Delete the group with its users.
    let (s, v) = ctx
        .call(
            Method::DELETE,
            Some(&token),
            &p("/groups?removeUsers=true"),
            Some(json!({"groups": [{"id": group, "version": gv}]})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    // She is no member now, yet still an account on the service: found by
    // e-mail without a member id or role (as the Intralinks Python SDK's
    // user_accounts_v2_test finds the user its member test removed).
    let (_, u) = ctx.get(&token, &p("/users?email=erin@example.com")).await;
    let user_id = u["users"][0]["userId"].as_i64().expect("userId");
    assert_eq!(
        u["users"],
        json!([{"userId": user_id, "emailId": "erin@example.com", "firstName": "Erin",
                "lastName": "New", "organization": "Buyer Inc"}])
    );
    let (_, all) = ctx.get(&token, &p("/users")).await;
    assert!(
        all["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["emailId"] != "erin@example.com"),
        "{all}"
    );
    let (s, _) = ctx
        .call(
            Method::DELETE,
            Some(&token),
            &p("/users"),
            Some(json!({"users": [{"id": member, "version": uv2}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn workspaces_create_update_delete() {
    let ctx = start().await;
    let token = ctx.login().await;
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            "/workspaces",
            Some(json!({"workspaces": [{"name": "Project Falcon", "host": "Example Corp", "phase": "PREPARATION"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let ws = v["workspacePartial"][0]["workspaceId"].as_i64().unwrap();
    let (_, w) = ctx.get(&token, &format!("/workspaces/{ws}")).await;
    assert_eq!(w["workspace"][0]["version"], 0);
    assert_eq!(w["workspace"][0]["phase"], "PREPARATION");
    let (s, _) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &format!("/workspaces/{ws}"),
            Some(json!({"name": "Project Eagle", "version": 0})),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, v) = ctx
        .call(
            Method::PUT,
            Some(&token),
            &format!("/workspaces/{ws}"),
            Some(json!({"name": "Stale", "version": 0})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["status"]["subcode"], "3-3");
    let (_, w) = ctx.get(&token, &format!("/workspaces/{ws}")).await;
    assert_eq!(w["workspace"][0]["name"], "Project Eagle");
    assert_eq!(w["workspace"][0]["version"], 1);
    // The creator is its manager and enters freely.
    let (s, v) = ctx.enter(&token, ws, json!({})).await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::CREATED, Some("ALLOW"))
    );
    let (_, u) = ctx.get(&token, &format!("/workspaces/{ws}/users")).await;
    assert_eq!(u["users"][0]["roleType"], "MANAGER_PLUS");
    let (s, v) = ctx
        .call(
            Method::DELETE,
            Some(&token),
            &format!("/workspaces/{ws}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let (s, v) = ctx.get(&token, &format!("/workspaces/{ws}")).await;
    assert_not_found(s, &v);
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn generated_workspace_holds_the_configured_documents() {
    let ctx = start_with(SimConfig {
        generated: Some(intralinks_sim::Generated::new(25, 4)),
        ..SimConfig::default()
    })
    .await;
    let token = ctx.login().await;
    let ws = demo::GENERATED_WORKSPACE;
    ctx.enter(&token, ws, json!({})).await;
    let (s, folders) = ctx.get(&token, &format!("/workspaces/{ws}/folders")).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = folders["folder"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["folder-000", "folder-001", "folder-002", "folder-003"]
    );
    let (s, docs) = ctx
        .get(&token, &format!("/workspaces/{ws}/documents"))
        .await;
    assert_eq!(s, StatusCode::OK);
    let docs = docs["document"].as_array().unwrap();
    assert_eq!(docs.len(), 25);
    let seventh = docs
        .iter()
        .find(|d| d["id"] == demo::GENERATED_FIRST_DOCUMENT + 7)
        .unwrap();
    assert_eq!(seventh["name"], "doc-00007.txt");
    assert_eq!(seventh["parentId"], demo::GENERATED_FIRST_FOLDER + 3);
    let body = intralinks_sim::content::generated_text(7, 200);
    assert_eq!(seventh["fileHashDownload"], file_hash(&body));
    let (s, bytes) = ctx
        .download(&token, ws, demo::GENERATED_FIRST_DOCUMENT + 7)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bytes, body);
    // A reset keeps the generated workspace.
    ctx.control(reqwest::Method::POST, "/_sim/reset", None)
        .await;
    let token = ctx.login().await;
    ctx.enter(&token, ws, json!({})).await;
    let (_, docs) = ctx
        .get(&token, &format!("/workspaces/{ws}/documents"))
        .await;
    assert_eq!(docs["document"].as_array().unwrap().len(), 25);
}

#[tokio::test]
async fn without_the_flag_there_is_no_generated_workspace() {
    let ctx = start().await;
    let token = ctx.login().await;
    let (s, v) = ctx
        .get(
            &token,
            &format!("/workspaces/{}/documents", demo::GENERATED_WORKSPACE),
        )
        .await;
    assert_not_found(s, &v);
}

#[tokio::test]
async fn created_documents_are_numbered_after_their_folders_last_entry() {
    let (ctx, token) = entered().await;
    let order_in = |listing: &Value, key: &str, parent: i64| -> Vec<(String, i64)> {
        listing[key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["parentId"] == parent)
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_string(),
                    e["orderNumber"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let (_, docs) = ctx.get(&token, &p("/documents")).await;
    let (_, folders) = ctx.get(&token, &p("/folders")).await;
    let last = order_in(&docs, "document", demo::FOLDER_FY2024)
        .into_iter()
        .chain(order_in(&folders, "folder", demo::FOLDER_FY2024))
        .map(|(_, n)| n)
        .max()
        .unwrap_or(0);
    let body = |names: &[&str]| {
        let documents: Vec<Value> = names
            .iter()
            .map(|n| json!({"document": {"name": n, "parentId": demo::FOLDER_FY2024}}))
            .collect();
        Some(json!({ "documents": documents }))
    };
    // Three in one call, then one more.
    let path = p("/documents");
    let (s, v) = ctx
        .call(
            Method::POST,
            Some(&token),
            &path,
            body(&["a.txt", "b.txt", "c.txt"]),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = ctx
        .call(Method::POST, Some(&token), &path, body(&["d.txt"]))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, docs) = ctx.get(&token, &p("/documents")).await;
    let mut created: Vec<(String, i64)> = order_in(&docs, "document", demo::FOLDER_FY2024)
        .into_iter()
        .filter(|(n, _)| n.len() == 5 && n.ends_with(".txt"))
        .collect();
    created.sort_by_key(|(_, n)| *n);
    assert_eq!(
        created,
        vec![
            ("a.txt".to_string(), last + 1),
            ("b.txt".to_string(), last + 2),
            ("c.txt".to_string(), last + 3),
            ("d.txt".to_string(), last + 4),
        ]
    );
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn uploads_on_either_side_of_the_in_memory_bound_round_trip() {
    let (ctx, token) = entered().await;
    let (s, v) = create_in_fy2024(&ctx, &token, "small.bin").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let doc = v["documentPartial"][0]["id"].as_i64().unwrap();
    let mut version = v["documentPartial"][0]["version"]
        .as_str()
        .unwrap()
        .to_string();
    // Kept in memory up to 4096 bytes, spooled to a file from 4097.
    for len in [0usize, 200, 4096, 4097, 70_000] {
        let bytes: Vec<u8> = (0..len as u32).map(|i| (i * 7 % 253) as u8).collect();
        let (s, v) = ctx.upload(&token, WS, doc, &version, &bytes).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{len}: {v}");
        version = v["documentPartial"][0]["version"]
            .as_str()
            .unwrap()
            .to_string();
        let meta = ctx.document(&token, WS, doc).await;
        assert_eq!(meta["fileSize"], len, "{len}");
        assert_eq!(meta["fileHashDownload"], file_hash(&bytes), "{len}");
        let (s, back) = ctx.download(&token, WS, doc).await;
        assert_eq!(s, StatusCode::OK, "{len}");
        assert_eq!(back, bytes, "{len}");
    }
    ctx.sim.shutdown().await;
}
