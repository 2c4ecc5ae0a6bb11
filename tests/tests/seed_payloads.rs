//! Every real payload quoted in seeds 001 and 003 validates against the
//! effective spec and decodes through the generated types to the exact values.

use intralinks_api::types::{
    EntryResponse, EntryState, ErrorResponse, ErrorStatusOrText, FolderList, GroupList, OAuthToken,
    RevokeResponse, SplashResponse, User, WorkspaceList,
};
use intralinks_api::{Millis, TfBool};
use intralinks_tests::{effective_spec, fixture, validate_component};
use serde_json::Value;

/// Validates the fixture against the named schema, then decodes it.
fn load<T: serde::de::DeserializeOwned>(file: &str, schema: &str) -> T {
    let value: Value = fixture(file);
    if let Err(errors) = validate_component(&effective_spec(), schema, &value) {
        panic!(
            "{file} does not validate against {schema}:\n{}",
            errors.join("\n")
        );
    }
    serde_json::from_value(value)
        .unwrap_or_else(|e| panic!("{file} does not decode as {schema}: {e}"))
}

#[test]
fn seed001_oauth_token() {
    let t: OAuthToken = load("seed001_oauth_token.json", "OAuthToken");
    assert_eq!(t.access_token.expose(), "7bSxew8sQbT9oODCAJAjR4sYqHYM");
    assert_eq!(t.token_type, "BearerToken");
    assert_eq!(t.expires_in, 3599);
    assert_eq!(t.email.as_deref(), Some("joe_user@intralinks.com"));
    assert_eq!(t.refresh_token, None);
    assert!(
        !format!("{t:?}").contains("7bSxew8sQbT9oODCAJAjR4sYqHYM"),
        "Debug leaks the token"
    );
}

#[test]
fn seed001_list_workspaces() {
    let l: WorkspaceList = load("seed001_list_workspaces.json", "WorkspaceList");
    let status = l.status.unwrap();
    assert_eq!(status.code, 200);
    assert_eq!(
        status.message.as_deref(),
        Some("Request completed fine, no errors")
    );
    assert_eq!(l.workspace.len(), 1);
    let w = &l.workspace[0];
    assert_eq!(w.id, 701421);
    assert_eq!(w.workspace_name.as_deref(), Some("Demo API Workspace"));
    assert_eq!(w.name.as_deref(), Some("Demo API Workspace"));
    assert_eq!(w.parent_template_id, Some(554961));
    assert_eq!(w.security_level, Some(1));
    assert_eq!(w.pvp_enabled, Some(TfBool(false)));
    assert_eq!(w.version, Some(5));
    assert_eq!(w.phase.as_deref(), Some("OPEN"));
    assert_eq!(w.type_.as_deref(), Some("ARC"));
    let stats = w.statistics.as_ref().unwrap();
    assert_eq!(
        (stats.new_tasks, stats.new_participant_requests),
        (Some(0), Some(0))
    );
}

#[test]
fn seed001_and_seed003_entry_allow() {
    for file in ["seed001_enter_allow.json", "seed003_enter_allow.json"] {
        let e: EntryResponse = load(file, "EntryResponse");
        assert_eq!(e.state, EntryState::Allow);
        let status = e.status.unwrap();
        assert_eq!(status.code, 201);
        assert_eq!(
            status.message.as_deref(),
            Some("The entities have been created")
        );
        assert_eq!(e.num_of_attempts, None);
    }
}

#[test]
fn seed003_list_workspaces() {
    let l: WorkspaceList = load("seed003_list_workspaces.json", "WorkspaceList");
    let ids: Vec<i64> = l.workspace.iter().map(|w| w.id).collect();
    assert_eq!(ids, vec![11111155, 22222255]);
    assert_eq!(l.workspace[1].version, Some(2));
    assert_eq!(l.workspace[0].html_view_enabled, Some(TfBool(false)));
    assert_eq!(l.workspace[1].host.as_deref(), Some("Host B"));
}

#[test]
fn seed003_get_splash() {
    let s: SplashResponse = load("seed003_get_splash.json", "SplashResponse");
    let splash = s.splash.unwrap();
    assert_eq!(splash.accept_text.as_deref(), Some("agree"));
    assert_eq!(splash.display_type.as_deref(), Some("DISPLAY_EVERYTIME"));
    assert_eq!(splash.has_image, Some(true));
    assert_eq!(splash.splash_required, Some(true));
    assert_eq!(
        splash.splash_text.as_deref(),
        Some("HTML CODE OF THE DISCLAIMER")
    );
    assert_eq!(splash.splash_type.as_deref(), Some("PUBLIC"));
    assert_eq!(splash.splash_url.as_deref(), Some(""));
    assert_eq!(splash.workspace_name.as_deref(), Some("Exchange A"));
    assert_eq!(s.branding.get("global"), Some(&Value::Bool(true)));
}

#[test]
fn seed003_list_folders() {
    let l: FolderList = load("seed003_list_folders.json", "FolderList");
    assert_eq!(l.folder.len(), 2);
    let b = &l.folder[0];
    assert_eq!(b.id, 4714545918);
    assert!(b.id > i64::from(u32::MAX));
    assert_eq!(b.name.as_deref(), Some("Folder B"));
    assert_eq!(b.index_number.as_deref(), Some("1.1"));
    assert_eq!(b.parent_id, Some(4714065398));
    assert_eq!(
        b.version.as_deref(),
        Some("356a192b7913b04c54574d18c28d46e6395428ab")
    );
    assert_eq!(b.version_number, Some(0));
    assert_eq!(b.created_on, Some(Millis::from_millis(1364560076000)));
    assert_eq!(
        b.created_on.unwrap().to_datetime().unwrap().to_rfc3339(),
        "2013-03-29T12:27:56+00:00"
    );
    let by = b.created_by.as_ref().unwrap();
    assert_eq!(by.organization.as_deref(), Some("TheCompany"));
    assert_eq!(b.last_modified_by.as_ref().unwrap().organization, None);
    let a = &l.folder[1];
    assert_eq!(a.id, 4714065398);
    assert_eq!(a.parent_id, None, "root folders have no parentId");
    assert_eq!(
        a.version.as_deref(),
        Some("b6589fc6ab0dc82cf12099d1c2d40ab994e8410c")
    );
    assert_eq!(a.created_on, Some(Millis::from_millis(1364560075000)));
}

#[test]
fn seed003_member() {
    let u: User = load("seed003_member.json", "User");
    assert_eq!(u.id, Some(395175832));
    assert_eq!(u.user_id, Some(9620005));
    assert_eq!(u.email_id.as_deref(), Some("john.doe@bigcorporate.com"));
    assert_eq!(u.role_type.as_deref(), Some("MANAGER_PLUS"));
    assert_eq!(
        u.version.as_deref(),
        Some("44fef8aafc39d926a3cdcb891a93dc2b6a63380d")
    );
    assert_eq!(u.first_accessed, Some(Millis::from_millis(1295622221000)));
    assert_eq!(u.last_accessed_on, Some(Millis::from_millis(1512163625000)));
    assert_eq!(
        u.last_alert_sent_date,
        Some(Millis::from_millis(1508501696000))
    );
    assert_eq!(u.key_contact, Some(true));
    assert_eq!(u.is_placeholder_user, Some(false));
}

#[test]
fn seed003_list_groups_under_the_plural_key() {
    let l: GroupList = load("seed003_list_groups.json", "GroupList");
    assert_eq!(l.groups.len(), 3);
    let ids: Vec<i64> = l.groups.iter().map(|g| g.id).collect();
    assert_eq!(ids, vec![10093765, 18180962, 18180982]);
    let counts: Vec<Option<i64>> = l.groups.iter().map(|g| g.group_member_count).collect();
    assert_eq!(counts, vec![Some(3), Some(46), Some(77)]);
    assert_eq!(l.groups[1].group_name.as_deref(), Some("1. Interest"));
    assert_eq!(l.groups[0].fts_enabled, Some(true));
    assert_eq!(
        l.groups[2].version.as_deref(),
        Some("404af031f11be2b5ac7ca1cae378599b54feb179")
    );
    assert_eq!(
        l.groups[2].last_modified_on,
        Some(Millis::from_millis(1511431061000))
    );
    assert!(l.workspace_group_members.is_empty());
    assert!(l.status.is_none());
}

#[test]
fn seed003_groups_with_members() {
    let l: GroupList = load("seed003_list_groups_with_members.json", "GroupList");
    assert_eq!(l.groups.len(), 1);
    assert_eq!(l.groups[0].id, 18180962);
    let m = &l.workspace_group_members;
    assert_eq!(m.len(), 2);
    assert_eq!(
        (
            m[1].workspace_group_id,
            m[1].workspace_user_id,
            m[1].user_id
        ),
        (Some(10093765), Some(3254281522), Some(27605305))
    );
}

#[test]
fn seed003_revoke() {
    let r: RevokeResponse = load("seed003_revoke.json", "RevokeResponse");
    assert_eq!(
        r.message.as_deref(),
        Some("the passed token and associated refresh/access token have been revoked")
    );
    assert_eq!(r.cascade.as_deref(), Some("true"));
}

#[test]
fn seed003_errors() {
    let e: ErrorResponse = load("seed003_error_401.json", "ErrorResponse");
    assert_eq!(
        e.status,
        Some(ErrorStatusOrText::String("Unauthorized".into()))
    );
    let auth = e.error.unwrap();
    assert_eq!(auth.code, Some(401));
    assert_eq!(
        auth.description.as_deref(),
        Some("invalid access token: Bearer XXXX")
    );

    let e: ErrorResponse = load("seed003_error_400.json", "ErrorResponse");
    let ErrorStatusOrText::ErrorStatus(status) = e.status.unwrap() else {
        panic!("object status")
    };
    assert_eq!(status.code, Some(400));
    assert_eq!(status.subcode.as_deref(), Some("3-1"));
    assert_eq!(status.error_id.as_deref(), Some("XXXX"));
    assert_eq!(e.errors[0].sub_code.as_deref(), Some("3-1"));
    assert_eq!(
        e.errors[0].message.as_deref(),
        Some("Cannot find entity in repository")
    );

    let e: ErrorResponse = load("seed003_error_303.json", "ErrorResponse");
    assert_eq!(e.errors.len(), 1);
    assert_eq!(e.errors[0].code, Some(303));
    assert_eq!(e.errors[0].sub_code.as_deref(), Some("1"));
    assert_eq!(
        e.errors[0].message.as_deref(),
        Some("Workspace entrance requirements not met.")
    );
}

#[test]
fn wrong_shapes_are_refused_not_defaulted() {
    let spec = effective_spec();
    // A string id, as the published spec claims, does not validate.
    let bad = serde_json::json!({"folder": [{"id": "4714545918"}]});
    let errors = validate_component(&spec, "FolderList", &bad).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("is not of type \"integer\""),
        "{errors:?}"
    );
    assert!(serde_json::from_value::<FolderList>(bad).is_err());
    // A boolean where "T"/"F" is expected is an error, not false.
    let bad = serde_json::json!({"workspace": [{"id": 1, "pvpEnabled": "yes"}]});
    assert!(validate_component(&spec, "WorkspaceList", &bad).is_err());
    assert!(serde_json::from_value::<WorkspaceList>(bad).is_err());
}
