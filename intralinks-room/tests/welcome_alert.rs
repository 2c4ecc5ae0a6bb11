//! A member declared with a welcome alert is sent it when added, by a room
//! file and by a one-off request; one without is sent nothing; an alert
//! without its texts is refused before anything is sent — against the
//! simulator, exact values.

use crate::common;

use intralinks_ext::FixedAnswers;
use intralinks_ext::people::WelcomeAlert;
use intralinks_room::{self as room, Action, MemberSpec, Options, RoomFile};
use intralinks_sim::demo;
use serde_json::Value;

const WS: i64 = demo::MAIN_WORKSPACE;

const FILE: &str = "workspace:
  name: Demo API Workspace
  id: 701421
members:
  - email: ann.lee@abp.example
    role: REVIEWER
    welcome_alert: {subject: Project Alpha, note: Welcome to the data room}
  - email: quiet@abp.example
";

async fn mailbox(sim: &intralinks_sim::Simulator) -> Vec<Value> {
    reqwest::get(format!("{}/_sim/mailbox", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_member_declared_with_a_welcome_alert_is_sent_it_when_added() {
    let (sim, il) = common::start().await;
    let file = RoomFile::parse(FILE, "alpha.yaml").unwrap();
    let plan = room::plan(&il, &file, &Options::new(false)).await.unwrap();
    let shown: Vec<(String, Action, Option<String>)> = plan
        .changes
        .iter()
        .map(|c| (c.target.clone(), c.action, c.detail.clone()))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "ann.lee@abp.example".to_string(),
                Action::Create,
                Some("role REVIEWER, welcome alert".to_string())
            ),
            ("quiet@abp.example".to_string(), Action::Create, None),
        ]
    );
    room::apply(&il, &file, &Options::new(false)).await.unwrap();
    let mail = mailbox(&sim).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0]["email"], "ann.lee@abp.example");
    assert_eq!(mail[0]["alert"], "WELCOME_NEW_USER");
    assert_eq!(mail[0]["subject"], "Project Alpha");
    assert_eq!(mail[0]["note"], "Welcome to the data room");
    let quiet = il
        .find_user(WS, "quiet@abp.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(quiet.is_welcome_alert_sent, Some(false));
    // Nothing more to do: the alert is never compared.
    let again = room::plan(&il, &file, &Options::new(false)).await.unwrap();
    assert!(again.changes.is_empty(), "{:?}", again.changes);

    // One-off, as `members add --alert` does it.
    let mut bo = MemberSpec {
        email: "bo@abp.example".into(),
        first_name: None,
        last_name: None,
        organization: None,
        role: None,
        groups: vec![],
        welcome_alert: Some(WelcomeAlert::new("Alpha", "Hello Bo")),
    };
    room::ensure(
        &il,
        WS,
        &room::member_request(bo.clone()),
        false,
        &FixedAnswers::default(),
    )
    .await
    .unwrap();
    let mail = mailbox(&sim).await;
    assert_eq!(mail.len(), 2);
    assert_eq!(mail[1]["email"], "bo@abp.example");
    assert_eq!(mail[1]["note"], "Hello Bo");

    // An alert without a note: refused before anything is sent.
    bo.email = "cy@abp.example".into();
    bo.welcome_alert = Some(WelcomeAlert::new("Alpha", " "));
    let e = room::ensure(
        &il,
        WS,
        &room::member_request(bo),
        false,
        &FixedAnswers::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the request: member \"cy@abp.example\": the welcome alert's note is empty; give one (the service requires both subject and note)"
    );
    assert!(il.find_user(WS, "cy@abp.example").await.unwrap().is_none());
    sim.shutdown().await;
}
