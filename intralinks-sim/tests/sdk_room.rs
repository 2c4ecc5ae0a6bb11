//! The room the Intralinks Python SDK's own test suite works in
//! (`SimConfig::sdk_test_room`): what its fixtures assert before they start.
//! `.ci/sdk-suite` runs that suite itself against the simulator binary.

use crate::common;

use common::*;
use intralinks_sim::{SimConfig, demo};
use reqwest::StatusCode;

#[tokio::test]
async fn the_sdk_test_room_is_named_empty_and_has_one_member() {
    let ctx = start_with(SimConfig {
        sdk_test_room: true,
        ..SimConfig::default()
    })
    .await;
    let token = ctx.login().await;
    let ws = demo::SDK_TEST_WORKSPACE;
    assert_eq!(ws, 6_115_625, "the id the SDK's tests name");

    let (s, v) = ctx.get(&token, &format!("/workspaces/{ws}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let w = &v["workspace"][0];
    assert_eq!(w["workspaceName"], "API Unit Test");
    assert_eq!(w["id"], ws);
    // The SDK's fixture asserts that the room has no description key at all.
    assert!(w.get("description").is_none(), "{w}");

    let (s, v) = ctx.get(&token, &format!("/workspaces/{ws}/users")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let members = v["users"].as_array().expect("members");
    assert_eq!(members.len(), 1, "{v}");
    assert_eq!(members[0]["emailId"], demo::EMAIL);
    assert_eq!(members[0]["roleType"], "MANAGER_PLUS");

    for (path, key) in [
        ("folders", "folder"),
        ("documents", "document"),
        ("groups", "group"),
    ] {
        let (s, v) = ctx.get(&token, &format!("/workspaces/{ws}/{path}")).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
        assert_eq!(
            v.get(key).and_then(|l| l.as_array()).map_or(0, Vec::len),
            0,
            "{path}: {v}"
        );
    }
    ctx.sim.shutdown().await;
}

#[tokio::test]
async fn without_the_option_the_sdk_test_room_is_absent() {
    let ctx = start().await;
    let token = ctx.login().await;
    let (s, v) = ctx
        .get(&token, &format!("/workspaces/{}", demo::SDK_TEST_WORKSPACE))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["status"]["subcode"], "3-1", "{v}");
    ctx.sim.shutdown().await;
}
