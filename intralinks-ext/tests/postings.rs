//! Postings through the library against the simulator: a bulk upload opened,
//! documents and a new version posted in it, listed newest first with their
//! items; a bidder's download in the access report, which first answers
//! `9-9-9-1`; the posting's report with the documents' paths; a report that
//! never becomes ready; members added with and without a welcome alert.

use std::collections::BTreeMap;
use std::time::Duration;

use intralinks_ext::people::{NewMember, WelcomeAlert};
use intralinks_ext::postings::{BULK_UPLOAD, ReportWait};
use intralinks_ext::{DocumentRef, Error, FolderRef, Grant, Intralinks, Secret};
use intralinks_sim::{Simulator, demo};
use serde_json::{Value, json};

use crate::common;
use common::{keys, start};

const WS: i64 = demo::MAIN_WORKSPACE;

/// Requests by `METHOD /path`, as the simulator counts them.
async fn requests(sim: &Simulator) -> BTreeMap<String, u64> {
    reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Bob Review, a bidder, logged in as himself.
async fn bidder(sim: &Simulator) -> Intralinks {
    Intralinks::builder(sim.url())
        .login(
            keys(),
            Grant::Password {
                email: demo::REVIEWER_EMAIL.into(),
                password: Secret::new(demo::REVIEWER_PASSWORD),
                end_other_sessions: false,
            },
        )
        .await
        .unwrap()
}

/// Writes `text` to a file named `name` in `dir`.
fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
}

fn fy2023() -> FolderRef {
    FolderRef {
        workspace_id: WS,
        folder_id: demo::FOLDER_FY2023,
    }
}

#[tokio::test]
async fn a_posting_holds_its_documents_and_versions_and_lists_newest_first() {
    let (sim, il) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let batch = il.open_bulk_upload(WS, 3).await.unwrap();
    let teaser = il
        .upload_in_batch(
            batch,
            fy2023(),
            &file(&dir, "Teaser.txt", "teaser\n"),
            None,
            None,
        )
        .await
        .unwrap();
    let (cim, _) = il
        .create_document_in_batch(batch, fy2023(), "CIM.txt")
        .await
        .unwrap();
    // A document posted before, given a new version in this posting.
    let model = il
        .upload(fy2023(), &file(&dir, "Model.txt", "v1\n"), None, None)
        .await
        .unwrap();
    let model_ref = DocumentRef {
        workspace_id: WS,
        document_id: model.document_id,
    };
    let v2 = il
        .put_new_version_in_batch(
            batch,
            model_ref,
            &file(&dir, "Model.txt", "v2\n"),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(v2.bytes, 3);

    let items = il.batch_items(WS, batch).await.unwrap();
    let listed: Vec<(i64, Option<&str>)> =
        items.iter().map(|d| (d.id, d.name.as_deref())).collect();
    assert_eq!(
        listed,
        vec![
            (teaser.document_id, Some("Teaser.txt")),
            (cim, Some("CIM.txt")),
            (model.document_id, Some("Model.txt")),
        ]
    );
    assert_eq!(items[2].version_number, Some(2));
    assert_eq!(items[0].unread, Some(true));

    let second = il.open_bulk_upload(WS, 1).await.unwrap();
    let postings = il.bulk_uploads(WS).await.unwrap();
    let ids: Vec<i64> = postings.iter().map(|b| b.id).collect();
    assert_eq!(ids, vec![second, batch], "newest first");
    assert_eq!(postings[1].operation_type.as_deref(), Some(BULK_UPLOAD));
    assert_eq!(postings[1].batch_size, Some(3));
    assert_eq!(
        postings[1]
            .created_by
            .as_ref()
            .and_then(|p| p.first_name.as_deref()),
        Some("Demo")
    );
    assert!(il.batches(WS, "Other").await.unwrap().is_empty());
    // Each create and the versions' PUT carried the batch.
    let calls = requests(&sim).await;
    assert_eq!(calls["POST /services/workspaces/batches"], 2);
    sim.shutdown().await;
}

#[tokio::test]
#[allow(clippy::type_complexity)]
async fn a_bidders_download_shows_in_the_posting_report_after_a_not_ready_answer() {
    let (sim, il) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let batch = il.open_bulk_upload(WS, 2).await.unwrap();
    let teaser = il
        .upload_in_batch(
            batch,
            fy2023(),
            &file(&dir, "Teaser.txt", "teaser\n"),
            None,
            None,
        )
        .await
        .unwrap();
    let cim = il
        .upload_in_batch(batch, fy2023(), &file(&dir, "CIM.txt", "cim\n"), None, None)
        .await
        .unwrap();

    // Bob downloads the teaser only.
    let bob = bidder(&sim).await;
    let before = now();
    let doc = bob.document(WS, teaser.document_id).await.unwrap();
    assert_eq!(doc.unread, Some(true));
    let mut bytes = Vec::new();
    bob.download_into(WS, &doc, &mut bytes, None).await.unwrap();
    assert_eq!(bytes, b"teaser\n");
    let after = now();

    // The first ask of each document is answered "not ready" (9-9-9-1).
    let wait = ReportWait::new(3, Duration::from_millis(10));
    let rows = il
        .access_report(WS, teaser.document_id, &wait)
        .await
        .unwrap();
    let path = format!(
        "GET /v2/workspaces/{WS}/documents/{}/accessReport",
        teaser.document_id
    );
    assert_eq!(requests(&sim).await[&path], 2);
    let summary: Vec<(&str, &str, Option<&str>, Option<&str>, bool)> = rows
        .iter()
        .map(|r| {
            (
                r.descriptor.as_str(),
                r.access.as_str(),
                r.email.as_deref(),
                r.group_name.as_deref(),
                r.viewed,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("GROUP", "ALLOWED", None, Some("Internal"), false),
            ("GROUP", "ALLOWED", None, Some("1. Interest"), false),
            (
                "USER",
                "ALLOWED",
                Some("demo@example.com"),
                Some("Internal"),
                false
            ),
            (
                "USER",
                "ALLOWED",
                Some("alice.hidden@example.com"),
                Some("Internal"),
                false
            ),
            (
                "USER",
                "ALLOWED",
                Some("bob.review@example.com"),
                Some("1. Interest"),
                true
            ),
            (
                "USER",
                "DENIED",
                Some("carol.publish@example.com"),
                None,
                false
            ),
            (
                "USER",
                "ALLOWED",
                Some("dan.manager@example.com"),
                Some("Internal"),
                false
            ),
        ]
    );
    let bob_row = &rows[4];
    assert!(bob_row.is_allowed_user());
    assert!(!rows[5].is_allowed_user() && !rows[0].is_allowed_user());
    assert_eq!(bob_row.first_name.as_deref(), Some("Bob"));
    assert_eq!(bob_row.role.as_deref(), Some("REVIEWER"));
    assert_eq!(bob_row.group_id, Some(demo::GROUP_INTEREST));
    assert_eq!(bob_row.alert_failure, Some(false));
    let viewed = bob_row.first_viewed_on.expect("viewed");
    assert!(viewed >= before - chrono::Duration::milliseconds(1) && viewed <= after);
    assert_eq!(bob_row.last_viewed_on, Some(viewed));
    // Alerted when the seeded room was built, 30 days before its day.
    assert_eq!(bob_row.first_alert, bob_row.last_alert);
    assert!(bob_row.first_alert.is_some_and(|t| t < before));
    assert_eq!(rows[2].first_viewed_on, None);

    // The posting: each document by each person allowed to see it.
    let report = il.posting_access_report(WS, batch, &wait).await.unwrap();
    let table: Vec<(i64, &str, &str, &str, bool)> = report
        .iter()
        .map(|r| {
            (
                r.document_id,
                r.document_path.as_str(),
                r.access.email.as_deref().unwrap_or(""),
                r.access.group_name.as_deref().unwrap_or(""),
                r.access.viewed,
            )
        })
        .collect();
    let (t, c) = (teaser.document_id, cim.document_id);
    let (tp, cp) = ("Financials/FY2023/Teaser.txt", "Financials/FY2023/CIM.txt");
    assert_eq!(
        table,
        vec![
            (t, tp, "demo@example.com", "Internal", false),
            (t, tp, "alice.hidden@example.com", "Internal", false),
            (t, tp, "bob.review@example.com", "1. Interest", true),
            (t, tp, "dan.manager@example.com", "Internal", false),
            (c, cp, "demo@example.com", "Internal", false),
            (c, cp, "alice.hidden@example.com", "Internal", false),
            (c, cp, "bob.review@example.com", "1. Interest", false),
            (c, cp, "dan.manager@example.com", "Internal", false),
        ]
    );
    assert_eq!(report[0].workspace_id, WS);
    assert_eq!(report[0].workspace_name, "Demo API Workspace");
    assert_eq!(report[0].document_name, "Teaser.txt");
    // The CIM was asked twice (not ready, then ready), the teaser once more.
    let calls = requests(&sim).await;
    assert_eq!(calls[&path], 3);
    let cim_path = format!("GET /v2/workspaces/{WS}/documents/{c}/accessReport");
    assert_eq!(calls[&cim_path], 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_report_that_never_becomes_ready_is_a_typed_error() {
    let (sim, il) = start().await;
    let wait = ReportWait::new(1, Duration::from_millis(10));
    let e = il
        .access_report(WS, demo::DOC_README, &wait)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::ReportNotReady {
                document_id: demo::DOC_README,
                attempts: 1,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "the access report of document 5368709121 was not ready after 1 asks 10 ms apart; ask again later, or wait longer"
    );
    assert!(e.is_transient());
    let e = il
        .access_report(WS, demo::DOC_README, &ReportWait::new(0, Duration::ZERO))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    // A document that does not exist: not found, not "not ready".
    let e = il.access_report(WS, 42, &wait).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_batch_is_checked_before_it_is_opened_and_a_foreign_room_is_not_found() {
    let (sim, il) = start().await;
    let e = il.open_bulk_upload(WS, 0).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "a batch of 0 items cannot be opened; give 1 to 100000"
    );
    let e = il.open_batch(WS, " ", 1).await.unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    assert!(
        !requests(&sim)
            .await
            .contains_key("POST /services/workspaces/batches")
    );
    let e = il
        .open_bulk_upload(demo::FOREIGN_WORKSPACE, 1)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    // An unknown batch is not found either.
    let e = il.batch_items(WS, 42).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_member_added_with_an_alert_is_mailed_and_one_without_is_not() {
    let (sim, il) = start().await;
    let before = now();
    let added = il
        .add_member(
            WS,
            &NewMember::new("Ann.Lee@abp.example")
                .with_names("Ann", "Lee")
                .with_organization("ABP")
                .with_role("REVIEWER")
                .with_alert(WelcomeAlert::new(
                    "Project Alpha",
                    "Welcome to the data room",
                )),
        )
        .await
        .unwrap();
    assert!(added.id.is_some());
    il.add_member(WS, &NewMember::new("quiet@abp.example"))
        .await
        .unwrap();
    let mail: Vec<Value> = reqwest::get(format!("{}/_sim/mailbox", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mail.len(), 1, "{mail:?}");
    let sent = mail[0]["sentOn"].clone();
    assert_eq!(
        mail[0],
        json!({"email": "ann.lee@abp.example", "workspaceId": WS, "alert": "WELCOME_NEW_USER",
               "subject": "Project Alpha", "note": "Welcome to the data room", "sentOn": sent})
    );
    let ann = il
        .find_user(WS, "ann.lee@abp.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ann.is_welcome_alert_sent, Some(true));
    assert_eq!(ann.role_type.as_deref(), Some("REVIEWER"));
    let alerted = ann
        .last_alert_sent_date
        .and_then(|d| d.to_datetime())
        .expect("lastAlertSentDate");
    assert!(alerted >= before - chrono::Duration::milliseconds(1) && alerted <= now());
    assert_eq!(ann.first_accessed, None);
    assert_eq!(ann.last_accessed_on, None);
    let quiet = il
        .find_user(WS, "quiet@abp.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(quiet.is_welcome_alert_sent, Some(false));
    assert_eq!(quiet.last_alert_sent_date, None);

    // A bad alert is refused before any request.
    let e = il
        .add_member(
            WS,
            &NewMember::new("x@abp.example").with_alert(WelcomeAlert::new("", "note")),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the welcome alert's subject is empty; give one (the service requires both subject and note)"
    );
    assert_eq!(
        requests(&sim).await[&format!("POST /v2/workspaces/{WS}/users")],
        2
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn reports_are_asked_in_rounds_so_a_posting_waits_one_pause_not_one_per_document() {
    let (sim, il) = start().await;
    let docs = [demo::DOC_README, demo::DOC_NDA, demo::DOC_BOARD_PACK];
    let asks = |calls: &BTreeMap<String, u64>| -> u64 {
        calls
            .iter()
            .filter(|(k, _)| k.ends_with("/accessReport"))
            .map(|(_, n)| n)
            .sum()
    };
    // One round only: every document still "not ready"; the first is named.
    let e = il
        .access_reports(WS, &docs, &ReportWait::new(1, Duration::from_millis(10)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::ReportNotReady {
                document_id: demo::DOC_README,
                attempts: 1,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(asks(&requests(&sim).await), 3);
    // The next round answers all three, in the order asked for.
    let reports = il
        .access_reports(WS, &docs, &ReportWait::new(2, Duration::from_millis(10)))
        .await
        .unwrap();
    let sizes: Vec<(i64, usize)> = reports.iter().map(|(d, r)| (*d, r.len())).collect();
    // Read me.txt (Financials): Internal; the NDA (Legal): Internal; the board
    // pack (FY2023/Q4): Internal and 1. Interest — a GROUP entry each, and 5 USER entries.
    assert_eq!(
        sizes,
        vec![
            (demo::DOC_README, 6),
            (demo::DOC_NDA, 6),
            (demo::DOC_BOARD_PACK, 7)
        ]
    );
    assert_eq!(asks(&requests(&sim).await), 6);
    sim.shutdown().await;
}
