//! The workspace pager against the simulator: more workspaces than one page
//! all arrive, in order, each once.

use futures_util::TryStreamExt;
use intralinks_ext::types::{CreateWorkspacesRequest, WorkspaceInput};
use intralinks_ext::{Checked, Pages};

use crate::common;
use common::start;

#[tokio::test]
async fn more_workspaces_than_one_page_all_arrive_through_the_pager() {
    let (_sim, il) = start().await;
    let seeded: Vec<i64> = il
        .api()
        .list_workspaces()
        .send()
        .checked()
        .await
        .unwrap()
        .workspace
        .iter()
        .map(|w| w.id)
        .collect();
    // The demo account sees the main workspace and eight small ones.
    assert_eq!(seeded.len(), 9, "{seeded:?}");

    let request = CreateWorkspacesRequest {
        workspaces: (1..=9)
            .map(|i| WorkspaceInput {
                name: format!("Project {i:02}"),
                description: None,
                host: None,
                host_name: None,
                phase: None,
                suppress_welcome_alert: None,
                template_id: None,
            })
            .collect(),
    };
    il.api()
        .create_workspace()
        .body(request)
        .send()
        .checked()
        .await
        .unwrap();

    // One page of the raw call holds what was asked for, from the offset.
    let page = il
        .api()
        .list_workspaces()
        .offset(4)
        .limit(4)
        .send()
        .checked()
        .await
        .unwrap()
        .workspace;
    assert_eq!(page.len(), 4);

    let pages = Pages::default().with_page_size(4);
    let all: Vec<_> = il
        .list_all_workspaces_with(pages)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 18);
    let mut ids: Vec<i64> = all.iter().map(|w| w.id).collect();
    assert_eq!(&ids[4..8], page.iter().map(|w| w.id).collect::<Vec<_>>());
    let names: Vec<String> = all.iter().filter_map(|w| w.name.clone()).collect();
    for i in 1..=9 {
        assert!(names.contains(&format!("Project {i:02}")), "{names:?}");
    }
    for id in &seeded {
        assert!(ids.contains(id), "seeded workspace {id} missing");
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 18, "a workspace arrived twice");

    // The default page size takes it in one request.
    let again: Vec<_> = il.list_all_workspaces().try_collect().await.unwrap();
    assert_eq!(again, all);
}

#[tokio::test]
async fn a_bad_offset_is_the_service_error() {
    let (sim, il) = start().await;
    let r = reqwest::Client::new()
        .get(format!("{}/v2/workspaces?offset=-1", sim.url()))
        .bearer_auth(il.session().unwrap().access_token().await.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["message"],
        "Invalid request: offset must be a non-negative integer"
    );
}
