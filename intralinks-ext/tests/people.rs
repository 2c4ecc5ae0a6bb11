//! User accounts through the library against the simulator: one created,
//! then found by e-mail on the service and from a room it is no member of;
//! the workspaces a person is in; addresses refused before any request.

use std::collections::BTreeMap;

use intralinks_ext::people::NewAccount;
use intralinks_ext::types::{UserInput, UsersRequest};
use intralinks_ext::{Checked, Error};
use intralinks_sim::demo;

use crate::common;
use common::start;

/// Requests by `METHOD /path`, as the simulator counts them.
async fn requests(url: &str) -> BTreeMap<String, u64> {
    reqwest::get(format!("{url}/_sim/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_person_created_is_found_by_email_from_a_room_they_are_not_in() {
    let (sim, il) = start().await;
    let created = il
        .create_user_account(
            &NewAccount::new("Ann.Lee@abp.example", "Ann", "Lee", "ABP").with_office_phone("0000"),
        )
        .await
        .unwrap();
    let partial = &created.user_partials.as_ref().unwrap().user_partial[0];
    assert_eq!(partial.user_id, Some(7_000_000_001));
    assert_eq!(partial.email_id.as_deref(), Some("ann.lee@abp.example"));

    let ann = il
        .user_account("ann.lee@abp.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ann.user_id, 7_000_000_001);
    assert_eq!(ann.email_id, "ann.lee@abp.example");
    assert_eq!(ann.first_name.as_deref(), Some("Ann"));
    assert_eq!(ann.last_name.as_deref(), Some("Lee"));
    assert_eq!(ann.organization.as_deref(), Some("ABP"));
    assert_eq!(ann.office_phone.as_deref(), Some("0000"));

    // From the demo room, which she is not in: her account, no member id, no role.
    let found = il
        .find_user(demo::MAIN_WORKSPACE, "ANN.LEE@abp.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, None);
    assert_eq!(found.role_type, None);
    assert_eq!(found.user_id, Some(7_000_000_001));
    assert_eq!(found.email_id.as_deref(), Some("ann.lee@abp.example"));
    assert_eq!(
        (found.first_name.as_deref(), found.last_name.as_deref()),
        (Some("Ann"), Some("Lee"))
    );
    assert!(il.workspaces_of_user(ann.user_id).await.unwrap().is_empty());

    // A member is found as the member, with id and role.
    let bob = il
        .find_user(demo::MAIN_WORKSPACE, "bob.review@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob.id, Some(demo::MEMBER_REVIEWER));
    assert_eq!(bob.role_type.as_deref(), Some("REVIEWER"));

    // Invited to a room, she is in it; the room lists her.
    il.api()
        .create_workspace_members()
        .workspace_id(demo::MAIN_WORKSPACE)
        .body(UsersRequest {
            users: vec![UserInput {
                email_id: "ann.lee@abp.example".into(),
                first_name: None,
                last_name: None,
                organization: None,
                role_type: Some("REVIEWER".into()),
                send_alert: None,
                welcome_alert_details: None,
            }],
        })
        .send()
        .checked()
        .await
        .unwrap();
    let rooms = il.workspaces_of_user(ann.user_id).await.unwrap();
    assert_eq!(
        rooms.iter().map(|w| w.id).collect::<Vec<_>>(),
        vec![demo::MAIN_WORKSPACE]
    );
    let member = il
        .find_user(demo::MAIN_WORKSPACE, "ann.lee@abp.example")
        .await
        .unwrap()
        .unwrap();
    assert!(member.id.is_some());
    assert_eq!(member.first_name.as_deref(), Some("Ann"));

    // A second account with the address is refused; an unknown one is None.
    let again = il
        .create_user_account(&NewAccount::new("ann.lee@abp.example", "Ann", "Lee", "ABP"))
        .await
        .unwrap_err();
    assert_eq!(again.status(), Some(400));
    assert_eq!(il.user_account("nobody@abp.example").await.unwrap(), None);
    assert_eq!(
        il.find_user(demo::MAIN_WORKSPACE, "nobody@abp.example")
            .await
            .unwrap(),
        None
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_address_that_is_not_one_plain_address_is_refused_before_any_request() {
    let (sim, il) = start().await;
    let before = requests(&sim.url()).await;
    for bad in [
        "Ann <ann@abp.example>",
        "ann@abp.example, bo@abp.example",
        "mailto:ann@abp.example",
        "ann lee@abp.example",
    ] {
        let e = il
            .create_user_account(&NewAccount::new(bad, "Ann", "Lee", "ABP"))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{bad}: {e:?}");
        assert!(
            e.to_string().ends_with("is not one plain e-mail address (name@example.com: no spaces, display name, mailto: or second address); correct it"),
            "{e}"
        );
        assert!(matches!(
            il.user_account(bad).await,
            Err(Error::InvalidInput(_))
        ));
        assert!(matches!(
            il.find_user(demo::MAIN_WORKSPACE, bad).await,
            Err(Error::InvalidInput(_))
        ));
    }
    let e = il
        .create_user_account(&NewAccount::new("ann@abp.example", "", "Lee", "ABP"))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "the account's first name is empty; give one");
    assert_eq!(requests(&sim.url()).await, before);
    sim.shutdown().await;
}
