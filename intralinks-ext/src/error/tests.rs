use super::*;

#[test]
fn each_error_has_one_verdict() {
    use std::io::ErrorKind;
    let io = |kind: ErrorKind| Error::Io {
        action: "cannot write",
        path: "a".into(),
        source: std::io::Error::from(kind),
    };
    let service = |status: u16, retry_after: Option<Duration>| {
        Error::from_error_body(status, ErrorResponse::default(), None).with_retry_after(retry_after)
    };
    let table: Vec<(Error, Verdict)> = vec![
        (Error::Timeout { after: None }, Verdict::Retry),
        (
            Error::BodyCutShort {
                document_id: Some(1),
                received: 1,
                expected: 2,
            },
            Verdict::Retry,
        ),
        (
            Error::UnexpectedBody {
                status: Some(200),
                content_type: None,
                decode_error: None,
                excerpt: String::new(),
            },
            Verdict::Retry,
        ),
        (service(503, None), Verdict::Retry),
        (
            service(429, Some(Duration::from_secs(7))),
            Verdict::RetryAfter(Duration::from_secs(7)),
        ),
        (service(500, None), Verdict::Final),
        (service(400, None), Verdict::Final),
        (
            Error::Unauthorized {
                detail: "invalid_token".into(),
            },
            Verdict::StopRun,
        ),
        (
            Error::EntryRequired {
                workspace_id: Some(1),
            },
            Verdict::StopRun,
        ),
        (io(ErrorKind::StorageFull), Verdict::StopRun),
        (io(ErrorKind::ReadOnlyFilesystem), Verdict::StopRun),
        (io(ErrorKind::PermissionDenied), Verdict::Final),
        (Error::Stopped { document_id: None }, Verdict::Final),
        (Error::InvalidInput("no".into()), Verdict::Final),
        (
            Error::UploadIncomplete {
                document_id: 1,
                removed: true,
                source: Box::new(service(503, None)),
            },
            Verdict::Retry,
        ),
    ];
    for (e, verdict) in &table {
        assert_eq!(e.verdict(), *verdict, "{e:?}");
        assert_eq!(
            e.is_transient(),
            matches!(verdict, Verdict::Retry | Verdict::RetryAfter(_)),
            "{e:?}"
        );
        assert_eq!(e.ends_the_run(), *verdict == Verdict::StopRun, "{e:?}");
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn seed_401_is_unauthorized_and_masks_the_token() {
    let e = Error::from_response_parts(
        401,
        Some("application/json"),
        &fixture("seed003_error_401.json"),
        None,
    );
    assert!(matches!(e, Error::Unauthorized { .. }));
    assert_eq!(
        e.to_string(),
        "the service refused the access token (invalid access token: Bearer ***): log in again or supply a fresh token"
    );
}

#[test]
fn seed_400_3_1_is_not_found() {
    let e = Error::from_response_parts(
        400,
        Some("application/json"),
        &fixture("seed003_error_400.json"),
        None,
    );
    assert_eq!(
        e.to_string(),
        "not found (Cannot find entity in repository, errorId XXXX): check the id, and that your account can see it"
    );
}

#[test]
fn seed_303_is_entry_required_with_the_workspace() {
    let e = Error::from_response_parts(
        303,
        Some("application/json"),
        &fixture("seed003_error_303.json"),
        Some(701421),
    );
    assert_eq!(
        e.to_string(),
        "workspace 701421 must be entered first (accept its splash, answer what it asks), then retry"
    );
}

#[test]
fn seed_404_html_is_an_unexpected_body_with_an_excerpt() {
    let e = Error::from_response_parts(
        404,
        Some("text/html"),
        &fixture("seed003_error_404.html"),
        None,
    );
    let Error::UnexpectedBody {
        status,
        ref excerpt,
        ..
    } = e
    else {
        panic!("{e:?}")
    };
    assert_eq!(status, Some(404));
    assert!(
        excerpt.starts_with("<html><head>\\r\\n<meta http-equiv=\"content-type\""),
        "{excerpt}"
    );
    assert!(excerpt.chars().count() <= 161);
    assert!(e.to_string().contains("check the base URL"));
}

#[test]
fn invalid_json_is_an_unexpected_body() {
    let e = Error::from_response_parts(500, Some("application/json"), b"{not json", None);
    assert_eq!(
        e.to_string(),
        "unexpected answer (HTTP 500, application/json): \"{not json\"; check the base URL — it is the host root, e.g. https://test-api.intralinks.com"
    );
}

#[test]
fn a_server_number_of_attempts_cannot_overflow_the_message() {
    for (n, left) in [
        (1, "2 more wrong attempts"),
        (i32::MIN, "3 more wrong attempts"),
        (i32::MAX, "0 more wrong attempts"),
    ] {
        let e = Error::EntryRejected {
            workspace_id: 1,
            state: EntryState::SecurityQuestion,
            attempts: Some(n),
        };
        assert!(e.to_string().contains(left), "{e}");
    }
}

#[test]
fn other_service_errors_keep_code_subcode_and_error_id() {
    let body = br#"{"status":{"code":400,"subcode":"9-9","message":"Version mismatch","errorId":"E1"},"errors":[{"code":400,"subCode":"9-9","message":"Version mismatch"}]}"#;
    let e = Error::from_response_parts(400, Some("application/json"), body, None)
        .with_retry_after(Some(Duration::from_secs(7)));
    assert_eq!(
        (
            e.status(),
            e.code(),
            e.subcode(),
            e.error_id(),
            e.retry_after()
        ),
        (
            Some(400),
            Some(400),
            Some("9-9"),
            Some("E1"),
            Some(Duration::from_secs(7))
        )
    );
    assert_eq!(
        e.to_string(),
        "the service answered 400 (code 400, subCode 9-9): Version mismatch [errorId E1]; check the request and retry"
    );
}

#[test]
fn gateway_fault_message_is_used() {
    let body = br#"{"fault":{"faultstring":"Rate limit quota violation"}}"#;
    let e = Error::from_response_parts(429, Some("application/json"), body, None);
    assert!(
        matches!(e, Error::Service { status: 429, ref message, .. } if message == "Rate limit quota violation")
    );
    assert!(e.is_transient());
}

#[test]
fn workspace_is_found_in_paths() {
    assert_eq!(
        workspace_in_path("/v2/workspaces/701421/folders"),
        Some(701421)
    );
    assert_eq!(workspace_in_path("/v2/oauth/token"), None);
}
