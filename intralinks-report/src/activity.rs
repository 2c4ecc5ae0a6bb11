//! Who has seen the posting: one row per document and person allowed to see
//! it, with when they were alerted and when they viewed it — the columns of
//! the Intralinks Python SDK's sample "Posting Access Report".
//!
//! The rows come from the documents' access reports
//! (`GET …/documents/{id}/accessReport`, through
//! [`Intralinks::access_report`], which waits while the service answers
//! `9-9-9-1`), keeping the entries of people (`USER`) who are `ALLOWED`, as
//! the sample does: across a bulk upload ([`posting_activity`]) or for one
//! document ([`document_activity`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use intralinks_ext::postings::{AccessRow as Access, PostingRow, ReportWait};
use intralinks_ext::types::Document;
use intralinks_ext::{Intralinks, Result};

use crate::rows::{Column, Row, WorkspaceRef, number, rfc3339, text, when};

/// One document of a posting and one person allowed to see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ActivityRow {
    /// Workspace id.
    pub workspace_id: i64,
    /// Workspace name.
    pub workspace_name: String,
    /// Document id.
    pub document_id: i64,
    /// Document name.
    pub document_name: String,
    /// The document's folders from the top and its name, joined by
    /// [`PATH_SEPARATOR`](crate::PATH_SEPARATOR).
    pub document_path: String,
    /// The group through which the person may see it.
    pub group_id: Option<i64>,
    /// That group's name.
    pub group_name: String,
    /// That group's type, as the service gives it.
    pub group_type: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Organisation.
    pub organization: String,
    /// E-mail.
    pub email: String,
    /// Role in the workspace.
    pub role: String,
    /// The first alert about the document sent to the person, UTC.
    #[serde(serialize_with = "rfc3339")]
    pub first_alert: Option<DateTime<Utc>>,
    /// The last such alert, UTC.
    #[serde(serialize_with = "rfc3339")]
    pub last_alert: Option<DateTime<Utc>>,
    /// Whether an alert failed to go out, when the service says.
    pub alert_failure: Option<bool>,
    /// When the person first viewed (opened or downloaded) it, UTC.
    #[serde(serialize_with = "rfc3339")]
    pub first_viewed_on: Option<DateTime<Utc>>,
    /// When the person last viewed it, UTC.
    #[serde(serialize_with = "rfc3339")]
    pub last_viewed_on: Option<DateTime<Utc>>,
    /// Whether the person has viewed it.
    pub viewed: bool,
}

impl ActivityRow {
    /// The row of one access entry of a document.
    pub fn new(
        ws: &WorkspaceRef,
        document_id: i64,
        document_name: &str,
        document_path: &str,
        a: &Access,
    ) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        ActivityRow {
            workspace_id: ws.id,
            workspace_name: ws.name.clone(),
            document_id,
            document_name: document_name.to_string(),
            document_path: document_path.to_string(),
            group_id: a.group_id,
            group_name: text(&a.group_name),
            group_type: text(&a.group_type),
            first_name: text(&a.first_name),
            last_name: text(&a.last_name),
            organization: text(&a.organization),
            email: text(&a.email),
            role: text(&a.role),
            first_alert: a.first_alert,
            last_alert: a.last_alert,
            alert_failure: a.alert_failure,
            first_viewed_on: a.first_viewed_on,
            last_viewed_on: a.last_viewed_on,
            viewed: a.viewed,
        }
    }

    /// The row of one row of a posting's access report.
    pub fn from_posting(row: &PostingRow) -> Self {
        let ws = WorkspaceRef {
            id: row.workspace_id,
            name: row.workspace_name.clone(),
        };
        Self::new(
            &ws,
            row.document_id,
            &row.document_name,
            &row.document_path,
            &row.access,
        )
    }
}

/// Sorted as the report shows them: by document path, then id, then
/// e-mail (case aside), then group.
fn sort(rows: &mut [ActivityRow]) {
    rows.sort_by(|a, b| {
        let key = |r: &ActivityRow| {
            (
                crate::listing::PathKey(r.document_path.clone()),
                r.document_id,
                r.email.to_lowercase(),
                r.group_name.clone(),
                r.group_id,
            )
        };
        key(a).cmp(&key(b))
    });
}

/// Who has seen posting (bulk upload) `batch` of workspace `ws`: a row per
/// document of the posting and person allowed to see it, each document's
/// access report waited for as `wait` says. A report that never becomes
/// ready is [`intralinks_ext::Error::ReportNotReady`].
pub async fn posting_activity(
    il: &Intralinks,
    ws: i64,
    batch: i64,
    wait: &ReportWait,
) -> Result<Vec<ActivityRow>> {
    let mut rows: Vec<ActivityRow> = il
        .posting_access_report(ws, batch, wait)
        .await?
        .iter()
        .map(ActivityRow::from_posting)
        .collect();
    sort(&mut rows);
    Ok(rows)
}

/// Who has seen document `document` of workspace `ws` (one of any posting,
/// or none): a row per person allowed to see it.
pub async fn document_activity(
    il: &Intralinks,
    ws: &WorkspaceRef,
    document: i64,
    wait: &ReportWait,
) -> Result<Vec<ActivityRow>> {
    let doc = il.document(ws.id, document).await?;
    rows_of(il, ws, &[doc], wait).await
}

/// Who has seen each document of workspace `ws`: a row per document and
/// person allowed to see it. The access reports are asked in rounds
/// ([`Intralinks::access_reports`]), so the room waits `wait`'s pauses at
/// most, not one per document.
pub async fn workspace_activity(
    il: &Intralinks,
    ws: &WorkspaceRef,
    wait: &ReportWait,
) -> Result<Vec<ActivityRow>> {
    let documents = il.documents(ws.id, None).await?;
    rows_of(il, ws, &documents, wait).await
}

/// The rows of `documents`, sorted ([`Intralinks::documents_access_report`]).
async fn rows_of(
    il: &Intralinks,
    ws: &WorkspaceRef,
    documents: &[Document],
    wait: &ReportWait,
) -> Result<Vec<ActivityRow>> {
    let mut rows: Vec<ActivityRow> = il
        .documents_access_report(ws.id, &ws.name, documents, wait)
        .await?
        .iter()
        .map(ActivityRow::from_posting)
        .collect();
    sort(&mut rows);
    Ok(rows)
}

impl Row for ActivityRow {
    const HEADER: &'static [&'static str] = &[
        "workspaceId",
        "workspaceName",
        "documentId",
        "documentName",
        "documentPath",
        "groupId",
        "groupName",
        "groupType",
        "firstName",
        "lastName",
        "organization",
        "email",
        "role",
        "firstAlert",
        "lastAlert",
        "alertFailure",
        "firstViewedOn",
        "lastViewedOn",
        "viewed",
    ];
    const COLUMNS: &'static [Column] = &[
        number("workspaceId", "Workspace ID"),
        text("workspaceName", "Workspace"),
        number("documentId", "Document ID"),
        text("documentName", "Document"),
        text("documentPath", "Document path"),
        number("groupId", "Group ID"),
        text("groupName", "Group"),
        text("groupType", "Group type"),
        text("firstName", "First name"),
        text("lastName", "Last name"),
        text("organization", "Organization"),
        text("email", "E-mail"),
        text("role", "Role"),
        when("firstAlert", "First alert (UTC)"),
        when("lastAlert", "Last alert (UTC)"),
        text("alertFailure", "Alert failed"),
        when("firstViewedOn", "First viewed (UTC)"),
        when("lastViewedOn", "Last viewed (UTC)"),
        text("viewed", "Viewed"),
    ];
    const SHEET: &'static str = "Activity";
    /// [`workspace_activity`], each report waited for as
    /// [`ReportWait::default`] says (6 asks, 5 s apart).
    async fn fetch(il: &Intralinks, ws: &WorkspaceRef) -> Result<Vec<Self>> {
        workspace_activity(il, ws, &ReportWait::default()).await
    }
}
