//! The access report's document rows come from what the service lists for
//! each document (`GET /workspaces/{id}/documents/{id}/permissions`, the
//! SDK's "Posting Access Report" question: who can see this posted document).

use std::collections::{BTreeMap, HashMap};

use intralinks_ext::types::{self, PermissionPermission};
use intralinks_ext::{Checked, FixedAnswers, Intralinks};
use intralinks_report::{AccessRow, ItemKind, Row, WorkspaceRef};
use intralinks_sim::demo;
use serde_json::json;

use crate::common;

fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn short(rows: &[AccessRow]) -> Vec<String> {
    rows.iter()
        .map(|r| format!("{}|{}|{}", r.path, r.group_name, r.permission))
        .collect()
}

#[test]
fn listed_document_levels_replace_the_folders_levels() {
    let ws = WorkspaceRef {
        id: 1,
        name: "W".into(),
    };
    let folders: Vec<types::Folder> = parse(json!([{"id": 10, "name": "Deal"}]));
    let documents: Vec<types::Document> = parse(json!([
        {"id": 20, "name": "a.pdf", "parentId": 10},
        {"id": 21, "name": "b.pdf", "parentId": 10}
    ]));
    let groups: Vec<types::Group> = parse(json!([
        {"id": 1, "groupName": "Buyers"},
        {"id": 2, "groupName": "Sellers"}
    ]));
    let permissions: Vec<types::Permission> =
        parse(json!([{"groupId": 1, "folderId": 10, "permission": "SEE"}]));
    // The service lists for a.pdf: Sellers twice (the stronger counts) and
    // Buyers with more than the folder gives; b.pdf is not in the map.
    let per_document: HashMap<i64, Vec<types::Permission>> = HashMap::from([(
        20,
        parse(json!([
            {"groupId": 2, "folderId": 10, "permission": "SEE"},
            {"groupId": 2, "folderId": 10, "permission": "SEE_DOWNLOAD_AND_PRINT"},
            {"groupId": 1, "folderId": 10, "permission": "SEE_AND_DOWNLOAD"}
        ])),
    )]);
    let rows = intralinks_report::access_rows_with_documents(
        &ws,
        &folders,
        &documents,
        &groups,
        &permissions,
        &per_document,
    );
    assert_eq!(
        short(&rows),
        vec![
            "Deal|Buyers|SEE",
            "Deal/a.pdf|Buyers|SEE_AND_DOWNLOAD",
            "Deal/a.pdf|Sellers|SEE_DOWNLOAD_AND_PRINT",
            "Deal/b.pdf|Buyers|SEE",
        ]
    );
    assert_eq!(rows[1].kind, ItemKind::Document);
    assert_eq!(rows[1].id, 20);
    // With no listing for any document, the rows are the folder-chain ones.
    let plain = intralinks_report::access_rows(&ws, &folders, &documents, &groups, &permissions);
    assert_eq!(
        intralinks_report::access_rows_with_documents(
            &ws,
            &folders,
            &documents,
            &groups,
            &permissions,
            &HashMap::new()
        ),
        plain
    );
    assert_eq!(plain[1].permission, PermissionPermission::See);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_access_report_asks_the_service_once_per_document() {
    let (sim, il): (_, Intralinks) = common::start().await;
    let ws = WorkspaceRef {
        id: demo::MAIN_WORKSPACE,
        name: "Demo API Workspace".into(),
    };
    let rows: Vec<AccessRow> = il
        .in_workspace(ws.id, &FixedAnswers::default(), || {
            AccessRow::fetch(&il, &ws)
        })
        .await
        .unwrap();
    let requests: BTreeMap<String, u64> = reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let asked: Vec<(&String, &u64)> = requests
        .iter()
        .filter(|(k, _)| k.ends_with("/permissions") && k.contains("/documents/"))
        .collect();
    let documents: Vec<i64> = rows
        .iter()
        .filter(|r| r.kind == ItemKind::Document)
        .map(|r| r.id)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(!documents.is_empty());
    // Every document of the room was asked once.
    let all = il
        .api()
        .list_documents()
        .workspace_id(ws.id)
        .send()
        .checked()
        .await
        .unwrap()
        .document;
    assert_eq!(asked.len(), all.len(), "{asked:?}");
    for (_, n) in &asked {
        assert_eq!(**n, 1);
    }
    for id in documents {
        assert_eq!(
            requests.get(&format!(
                "GET /v2/workspaces/{}/documents/{id}/permissions",
                ws.id
            )),
            Some(&1)
        );
    }
    // The simulator lists what the folders give, so the rows are those of the chain.
    assert_eq!(
        short(&rows[..3]),
        vec![
            "Data Tapes|1. Interest|SEE_AND_DOWNLOAD",
            "Data Tapes/Cash flow sample.dat|1. Interest|SEE_AND_DOWNLOAD",
            "Data Tapes/Loan tape.dat|1. Interest|SEE_AND_DOWNLOAD",
        ]
    );
    sim.shutdown().await;
}
