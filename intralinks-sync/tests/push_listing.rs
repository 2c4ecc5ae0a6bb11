//! What a push lists, against a stand-in server of ours (on 127.0.0.1
//! only) that refuses to list the whole room's documents: a push into a
//! folder with a small subtree lists that subtree folder by folder.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use intralinks_ext::{Intralinks, Secret, file_hash};
use intralinks_sync::{self as sync, PlannedAction, SyncOptions};
use serde_json::json;

/// The `folderId` of each documents listing asked for (`None`: the room's).
type Asked = Arc<Mutex<Vec<Option<i64>>>>;

/// Folder 10 ("deal") holds 11 ("legal"); 20 ("other") is elsewhere.
/// Documents: 100 in 10, 110 in 11, 200 in 20.
async fn documents(
    State(asked): State<Asked>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let folder = q.get("folderId").and_then(|f| f.parse::<i64>().ok());
    asked.lock().unwrap().push(folder);
    let doc = |id: i64, parent: i64, name: &str, body: &[u8]| {
        json!({"id": id, "parentId": parent, "name": name, "fileSize": body.len(),
               "fileHashDownload": file_hash(body), "version": "1"})
    };
    match folder {
        // The whole room: a push into folder 10 must not need it.
        None => (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "the whole room was listed",
        )
            .into_response(),
        Some(10) => {
            axum::Json(json!({"document": [doc(100, 10, "same.txt", b"same\n")]})).into_response()
        }
        Some(11) => axum::Json(json!({"document": [doc(110, 11, "memo.txt", b"old memo\n")]}))
            .into_response(),
        Some(20) => {
            axum::Json(json!({"document": [doc(200, 20, "x.txt", b"x\n")]})).into_response()
        }
        Some(_) => axum::Json(json!({"document": []})).into_response(),
    }
}

#[tokio::test]
async fn a_push_into_a_small_subtree_lists_its_folders_not_the_room() {
    let asked = Asked::default();
    let app = Router::new()
        .route(
            "/v2/workspaces/{ws}/folders",
            get(|| async {
                axum::Json(json!({"folder": [
                    {"id": 10, "name": "deal"},
                    {"id": 11, "name": "legal", "parentId": 10},
                    {"id": 20, "name": "other"},
                ]}))
            }),
        )
        .route("/v2/workspaces/{ws}/documents", get(documents))
        .with_state(asked.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let il = Intralinks::builder(url)
        .token(Secret::new("token"))
        .unwrap();

    let local = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(local.path().join("legal")).unwrap();
    std::fs::write(local.path().join("same.txt"), b"same\n").unwrap();
    std::fs::write(local.path().join("legal/memo.txt"), b"new memo\n").unwrap();
    std::fs::write(local.path().join("legal/new.txt"), b"new\n").unwrap();
    let options = SyncOptions {
        folder: Some(10),
        dry_run: true,
        ..SyncOptions::default()
    };
    let report = sync::push(&il, 7, local.path(), &options).await.unwrap();
    assert_eq!(report.failures, vec![]);
    assert_eq!(report.unchanged, 1);
    let planned: Vec<(PlannedAction, &str, Option<i64>)> = report
        .planned
        .iter()
        .map(|p| (p.action, p.path.as_str(), p.id))
        .collect();
    assert_eq!(
        planned,
        [
            (PlannedAction::NewVersion, "legal/memo.txt", Some(110)),
            (PlannedAction::CreateDocument, "legal/new.txt", None),
        ]
    );
    // The pushed folder, then its subfolder: never the room, never 20.
    assert_eq!(*asked.lock().unwrap(), vec![Some(10), Some(11)]);
}
