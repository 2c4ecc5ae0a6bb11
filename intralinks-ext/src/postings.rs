//! Postings: what went up in a room as one bulk upload, and who has seen it.
//!
//! A *posting* is a batch (bulk upload) of documents. It is opened with the
//! V1 call `POST /services/workspaces/batches` ([`Intralinks::open_bulk_upload`]),
//! documents are created into it with `batch_id`
//! ([`Intralinks::upload_in_batch`], [`Intralinks::create_document_in_batch`]),
//! new versions put into it the same way ([`Intralinks::put_new_version_in_batch`],
//! [`Intralinks::put_version_in_batch`]), and it is listed with
//! [`Intralinks::bulk_uploads`] and [`Intralinks::batch_items`]. Per document,
//! [`Intralinks::access_report`] says who may see it, when they were alerted
//! and when they viewed it; [`Intralinks::posting_access_report`] does that
//! for every document of a posting, with the columns of the Intralinks
//! Python SDK's "Sample - Posting Access Report".
//!
//! What the sources show and what they do not (the overlay cites each): the
//! SDK opens a batch with the V1 call and lists and reads batches with V2
//! (functions/v1/batches.py, functions/v2/batches.py); it creates documents
//! with `batch_id` (functions/v2/documents.py). The V1 open's answer is not
//! shown: [`Intralinks::open_batch`] reads the batch id from a `batchId`
//! element (the simulator's shape), or from `batch/id` or `id`. That a new
//! version takes `batch_id` on the file PUT is our reading. Which call sends
//! a posting's alert (`NEW_DOCUMENT_ALERT`, `BULK_DOCUMENT_ALERT`) is not
//! shown anywhere, so this library sends none; a member's welcome alert is
//! sent at creation ([`crate::people::WelcomeAlert`]).
//!
//! The access report may not be ready: the service then answers without
//! `docAccessInfo` and with `subcode` `9-9-9-1`, and the SDK asks again after
//! a pause. [`ReportWait`] bounds the asks and the pause; when the report
//! never becomes ready the answer is [`Error::ReportNotReady`].
//!
//! Text in the rows (names, e-mails) is the service's, unchanged: sanitise
//! it before it reaches a terminal or a spreadsheet.
//!
//! # Examples
//!
//! A posting of one document, viewed by a bidder, against the simulator:
//!
//! ```
//! # use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
//! # use intralinks_sim::{SimConfig, Simulator, demo};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> intralinks_ext::Result<()> {
//! # let sim = Simulator::start(SimConfig::default()).await.expect("simulator");
//! # let login = |email: &str, password: &str| {
//! #     Intralinks::builder(sim.url()).login(
//! #         AppKeys { client_id: demo::CLIENT_ID.into(), client_secret: Secret::new(demo::CLIENT_SECRET) },
//! #         Grant::Password { email: email.into(), password: Secret::new(password), end_other_sessions: false },
//! #     )
//! # };
//! # let il = login(demo::EMAIL, demo::PASSWORD).await?;
//! # let bidder = login(demo::REVIEWER_EMAIL, demo::REVIEWER_PASSWORD).await?;
//! use std::time::Duration;
//! use intralinks_ext::FolderRef;
//! use intralinks_ext::postings::ReportWait;
//!
//! let dir = tempfile::tempdir().expect("a temporary directory");
//! let path = dir.path().join("Teaser.txt");
//! std::fs::write(&path, "teaser\n").expect("written");
//!
//! let ws = demo::MAIN_WORKSPACE;
//! let batch = il.open_bulk_upload(ws, 1).await?;
//! let fy2023 = FolderRef { workspace_id: ws, folder_id: demo::FOLDER_FY2023 };
//! let up = il.upload_in_batch(batch, fy2023, &path, None, None).await?;
//! assert_eq!(il.bulk_uploads(ws).await?[0].id, batch);
//!
//! // The bidder (group "1. Interest" sees FY2023) downloads it.
//! let doc = bidder.document(ws, up.document_id).await?;
//! let mut bytes = Vec::new();
//! bidder.download_into(ws, &doc, &mut bytes, None).await?;
//!
//! let wait = ReportWait::new(3, Duration::from_millis(10));
//! let rows = il.posting_access_report(ws, batch, &wait).await?;
//! let viewed: Vec<&str> = rows.iter().filter(|r| r.access.viewed).map(|r| r.access.email.as_deref().unwrap_or("")).collect();
//! assert_eq!(viewed, ["bob.review@example.com"]);
//! assert_eq!(rows[0].document_path, "Financials/FY2023/Teaser.txt");
//! # sim.shutdown().await;
//! # Ok(()) }
//! ```

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use intralinks_api::types;
use serde::Deserialize;

use crate::Intralinks;
use crate::error::{Checked, Error, Result};
use crate::listing::{FolderPaths, document_folder, workspace_name};
use crate::pipe::TransferLimits;
use crate::transfer::{DocumentRef, FolderRef, ProgressFn, Uploaded};

/// The operation type of a bulk upload (a posting), as the SDK lists them.
pub const BULK_UPLOAD: &str = "Bulk Upload";

/// The `subcode` of an access report that is still being built.
pub const REPORT_NOT_READY: &str = "9-9-9-1";

/// How many access reports are asked at once.
pub const REPORT_CONCURRENCY: usize = 4;

/// The most documents one batch may be opened for here: a guard against a
/// typing slip, far above any posting.
pub const MAX_BATCH_SIZE: u32 = 100_000;

/// How long to wait for an access report that is not ready yet: at most
/// `attempts` asks, `pause` apart. The default is the SDK's: 6 asks (the
/// first and 5 retries), 5 s apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportWait {
    /// Asks in all, at least 1.
    pub attempts: u32,
    /// The pause between two asks.
    pub pause: Duration,
}

impl Default for ReportWait {
    fn default() -> Self {
        ReportWait {
            attempts: 6,
            pause: Duration::from_secs(5),
        }
    }
}

impl ReportWait {
    /// At most `attempts` asks, `pause` apart.
    pub fn new(attempts: u32, pause: Duration) -> Self {
        ReportWait { attempts, pause }
    }

    fn checked(&self) -> Result<()> {
        if self.attempts == 0 {
            return Err(Error::InvalidInput(
                "the access report wait has 0 attempts; give at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// One entry of a document's access report (`docAccessInfo`), typed. The
/// dates are `None` when it never happened (or the service sent no date).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct AccessRow {
    /// Who the entry is about: `USER` (a person) or e.g. `GROUP`.
    pub descriptor: String,
    /// Whether they may see the document: `ALLOWED`, or e.g. `DENIED`.
    pub access: String,
    /// The group the access comes through.
    pub group_id: Option<i64>,
    /// That group's name.
    pub group_name: Option<String>,
    /// That group's type.
    pub group_type: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Organisation.
    pub organization: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Role in the room (`REVIEWER`, ...).
    pub role: Option<String>,
    /// When they were first alerted.
    pub first_alert: Option<DateTime<Utc>>,
    /// When they were last alerted.
    pub last_alert: Option<DateTime<Utc>>,
    /// Whether an alert failed to reach them, when the service says.
    pub alert_failure: Option<bool>,
    /// When they first viewed the document.
    pub first_viewed_on: Option<DateTime<Utc>>,
    /// When they last viewed it.
    pub last_viewed_on: Option<DateTime<Utc>>,
    /// Whether they viewed it (false when the service does not say).
    pub viewed: bool,
}

impl AccessRow {
    /// Whether this is a person allowed to see the document (`USER`,
    /// `ALLOWED`): the entries the SDK's posting report keeps.
    pub fn is_allowed_user(&self) -> bool {
        self.descriptor.eq_ignore_ascii_case("USER") && self.access.eq_ignore_ascii_case("ALLOWED")
    }

    fn from_wire(e: types::DocAccessInfo) -> Self {
        let when = |m: Option<intralinks_api::Millis>| m.and_then(|m| m.to_datetime());
        AccessRow {
            descriptor: e.descriptor.unwrap_or_default(),
            access: e.access.unwrap_or_default(),
            group_id: e.group_id,
            group_name: e.group_name,
            group_type: e.group_type,
            first_name: e.first_name,
            last_name: e.last_name,
            organization: e.organization,
            email: e.email,
            role: e.role,
            first_alert: when(e.first_alert),
            last_alert: when(e.last_alert),
            alert_failure: e.alert_failure,
            first_viewed_on: when(e.first_viewed_on),
            last_viewed_on: when(e.last_viewed_on),
            viewed: e.viewed.unwrap_or(false),
        }
    }
}

/// One row of a posting's access report: a document of the posting and one
/// person allowed to see it — the SDK sample's columns (`exchange.id`,
/// `exchange.name`, `document.id`, `document.name`, `document.fullPath`,
/// then the access entry's).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostingRow {
    /// The workspace.
    pub workspace_id: i64,
    /// Its name.
    pub workspace_name: String,
    /// The document.
    pub document_id: i64,
    /// Its name.
    pub document_name: String,
    /// Its path: its folders' names from the top and its own, joined by `/`.
    pub document_path: String,
    /// The person's entry.
    pub access: AccessRow,
}

/// The V1 open's answer: the status, and the batch id where the simulator
/// puts it (`batchId`) or where a service might (`batch/id`, `id`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchOpenXml {
    #[serde(default)]
    status: Option<crate::v1::StatusXml>,
    #[serde(default)]
    batch_id: Option<String>,
    #[serde(default)]
    batch: Option<BatchXml>,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct BatchXml {
    #[serde(default)]
    id: Option<String>,
}

/// The batch id of a V1 open's answer.
fn batch_id_of(xml: &str) -> Result<(Option<crate::v1::StatusXml>, Option<i64>)> {
    let answer: BatchOpenXml = quick_xml::de::from_str(xml).map_err(|e| Error::UnexpectedBody {
        status: None,
        content_type: Some("text/xml".into()),
        decode_error: Some(format!("XML that is not a batch open answer: {e}")),
        excerpt: intralinks_api::mask_secrets(&xml.chars().take(160).collect::<String>()),
    })?;
    let id = answer
        .batch_id
        .or(answer.batch.and_then(|b| b.id))
        .or(answer.id)
        .and_then(|s| s.trim().parse::<i64>().ok());
    Ok((answer.status, id))
}

impl Intralinks {
    /// Opens a batch of `operation_type` for `size` items in workspace `ws`
    /// (V1 `POST /services/workspaces/batches`, body `xml=<batchItemRequest/>`);
    /// its id. `size` is 1 to [`MAX_BATCH_SIZE`].
    pub async fn open_batch(&self, ws: i64, operation_type: &str, size: u32) -> Result<i64> {
        if operation_type.trim().is_empty() {
            return Err(Error::InvalidInput(format!(
                "the batch has no operation type; give one, e.g. {BULK_UPLOAD:?}"
            )));
        }
        if !(1..=MAX_BATCH_SIZE).contains(&size) {
            return Err(Error::InvalidInput(format!(
                "a batch of {size} items cannot be opened; give 1 to {MAX_BATCH_SIZE}"
            )));
        }
        let url = self.services_url("workspaces/batches")?;
        let (ws_text, size_text) = (ws.to_string(), size.to_string());
        let request = self
            .request(reqwest::Method::POST, url)
            .query(&[
                ("method", "CREATE"),
                ("httpStatus", "T"),
                ("workspaceId", ws_text.as_str()),
                ("operationType", operation_type.trim()),
                ("batchSize", size_text.as_str()),
            ])
            .form(&[("xml", "<batchItemRequest/>")]);
        let response = self.send(request, "v1_create_batch").await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let limit = progenitor_client::ClientInfo::inner(self.api()).answer_limit;
        let body = crate::error::read_whole(response, limit).await?;
        let text = String::from_utf8_lossy(&body);
        let parsed = batch_id_of(&text);
        if let Ok((Some(s), _)) = &parsed
            && let Some(e) = s.error(status, Some(ws))
        {
            return Err(e);
        }
        if !(200..300).contains(&status) {
            return Err(Error::from_response_parts(
                status,
                content_type.as_deref(),
                &body,
                Some(ws),
            ));
        }
        match parsed? {
            (_, Some(id)) => Ok(id),
            (_, None) => Err(Error::Protocol {
                status,
                detail: "the batch open answer carries no batch id (batchId)".into(),
            }),
        }
    }

    /// Opens a bulk upload (a posting) for `size` documents in workspace
    /// `ws`: [`Intralinks::open_batch`] of [`BULK_UPLOAD`].
    pub async fn open_bulk_upload(&self, ws: i64, size: u32) -> Result<i64> {
        self.open_batch(ws, BULK_UPLOAD, size).await
    }

    /// Creates a document's metadata in open batch `batch`
    /// (`POST …/documents?batch_id=`); its id and version. Then put its
    /// file with [`Intralinks::put_version_in_batch`].
    pub async fn create_document_in_batch(
        &self,
        batch: i64,
        folder: FolderRef,
        name: &str,
    ) -> Result<(i64, String)> {
        self.create_document_into(Some(batch), folder, name).await
    }

    /// [`Intralinks::upload`] into open batch `batch`: the document is
    /// created with `batch_id` and its file put with it.
    pub async fn upload_in_batch(
        &self,
        batch: i64,
        folder: FolderRef,
        path: &Path,
        name: Option<&str>,
        progress: Option<ProgressFn>,
    ) -> Result<Uploaded> {
        self.upload_into(Some(batch), folder, path, name, progress)
            .await
    }

    /// [`Intralinks::put_new_version`] into open batch `batch`: the file PUT
    /// carries `batch_id` (our reading; no source shows it on the PUT).
    pub async fn put_new_version_in_batch(
        &self,
        batch: i64,
        document: DocumentRef,
        path: &Path,
        name: Option<&str>,
        progress: Option<ProgressFn>,
    ) -> Result<Uploaded> {
        self.put_new_version_into(Some(batch), document, path, name, progress)
            .await
    }

    /// [`Intralinks::put_version`] into open batch `batch`, for callers that
    /// stream and retry on their own (the sync engine's push).
    #[allow(clippy::too_many_arguments)]
    pub async fn put_version_in_batch<R>(
        &self,
        batch: i64,
        target: DocumentRef,
        version: &str,
        name: &str,
        reader: R,
        len: u64,
        progress: Option<ProgressFn>,
        limits: TransferLimits,
        answer_timeout: Duration,
    ) -> Result<Uploaded>
    where
        R: tokio::io::AsyncRead + Send + 'static,
    {
        self.put_version_into(
            Some(batch),
            target,
            version,
            name,
            reader,
            len,
            progress,
            limits,
            answer_timeout,
        )
        .await
    }

    /// The batches of `operation_type` in workspace `ws`
    /// (`GET …/batches?operationType=`), as listed.
    pub async fn batches(&self, ws: i64, operation_type: &str) -> Result<Vec<types::Batch>> {
        Ok(self
            .api()
            .list_batches()
            .workspace_id(ws)
            .operation_type(operation_type)
            .send()
            .checked()
            .await?
            .batches)
    }

    /// The bulk uploads (postings) of workspace `ws`, newest first (by
    /// `createdDate`, then id; one without a date last).
    pub async fn bulk_uploads(&self, ws: i64) -> Result<Vec<types::Batch>> {
        let mut list = self.batches(ws, BULK_UPLOAD).await?;
        list.sort_by_key(|b| {
            (
                std::cmp::Reverse(b.created_date.as_ref().and_then(|d| d.to_datetime())),
                std::cmp::Reverse(b.id),
            )
        });
        Ok(list)
    }

    /// The documents of batch `batch` in workspace `ws`
    /// (`GET …/batches/{batchId}`, `batchItemsResponse.contentList`).
    pub async fn batch_items(&self, ws: i64, batch: i64) -> Result<Vec<types::Document>> {
        Ok(self
            .api()
            .get_batch_items()
            .workspace_id(ws)
            .batch_id(batch)
            .send()
            .checked()
            .await?
            .batch_items_response
            .map(|b| b.content_list)
            .unwrap_or_default())
    }

    /// The access report of document `document` in workspace `ws`, every
    /// entry (filter with [`AccessRow::is_allowed_user`]), waiting as `wait`
    /// says while the service answers `9-9-9-1`; [`Error::ReportNotReady`]
    /// when it never becomes ready.
    pub async fn access_report(
        &self,
        ws: i64,
        document: i64,
        wait: &ReportWait,
    ) -> Result<Vec<AccessRow>> {
        let mut reports = self.access_reports(ws, &[document], wait).await?;
        Ok(reports.pop().map(|(_, rows)| rows).unwrap_or_default())
    }

    /// The access reports of `documents` in workspace `ws`, in their order,
    /// asked in rounds: every document once ([`REPORT_CONCURRENCY`] at a
    /// time), then, after one pause, those that answered `9-9-9-1`, and so
    /// on for at most `wait.attempts` rounds. A posting of many documents
    /// thus waits `attempts` pauses at most, not one per document.
    /// [`Error::ReportNotReady`] names the first document still not ready.
    pub async fn access_reports(
        &self,
        ws: i64,
        documents: &[i64],
        wait: &ReportWait,
    ) -> Result<Vec<(i64, Vec<AccessRow>)>> {
        use futures_util::StreamExt;
        wait.checked()?;
        let mut ready: std::collections::HashMap<i64, Vec<AccessRow>> =
            std::collections::HashMap::with_capacity(documents.len());
        let mut pending: Vec<i64> = Vec::with_capacity(documents.len());
        for d in documents {
            if !pending.contains(d) {
                pending.push(*d);
            }
        }
        for attempt in 1..=wait.attempts {
            let answers: Vec<(i64, Result<Option<Vec<AccessRow>>>)> =
                futures_util::stream::iter(pending.iter().copied())
                    .map(|d| async move { (d, self.access_report_once(ws, d).await) })
                    .buffered(REPORT_CONCURRENCY)
                    .collect()
                    .await;
            let mut still = Vec::new();
            for (d, answer) in answers {
                match answer? {
                    Some(rows) => {
                        ready.insert(d, rows);
                    }
                    None => still.push(d),
                }
            }
            pending = still;
            if pending.is_empty() {
                break;
            }
            tracing::debug!(
                attempt,
                not_ready = pending.len(),
                "access reports not ready yet"
            );
            if attempt < wait.attempts {
                tokio::time::sleep(wait.pause).await;
            }
        }
        if let Some(d) = pending.first() {
            return Err(Error::ReportNotReady {
                document_id: *d,
                attempts: wait.attempts,
                pause: wait.pause,
            });
        }
        Ok(documents
            .iter()
            .map(|d| (*d, ready.get(d).cloned().unwrap_or_default()))
            .collect())
    }

    /// One ask of a document's access report: `None` while it is not ready.
    async fn access_report_once(&self, ws: i64, document: i64) -> Result<Option<Vec<AccessRow>>> {
        let answer = self
            .api()
            .get_document_access_report()
            .workspace_id(ws)
            .document_id(document)
            .send()
            .checked()
            .await?;
        match answer.subcode.as_deref() {
            None => Ok(Some(
                answer
                    .doc_access_info
                    .into_iter()
                    .map(AccessRow::from_wire)
                    .collect(),
            )),
            Some(REPORT_NOT_READY) => Ok(None),
            Some(other) => Err(Error::Protocol {
                status: 200,
                detail: format!(
                    "the access report of document {document} has no docAccessInfo and subcode {:?}",
                    crate::text::excerpt(other)
                ),
            }),
        }
    }

    /// The access report of every document of posting `batch` in workspace
    /// `ws`: one row per document and person allowed to see it (`USER`,
    /// `ALLOWED`, as the SDK's sample keeps them), documents in the
    /// posting's order, with the workspace's name and each document's path.
    /// The documents' reports are asked in rounds, as
    /// [`Intralinks::access_reports`] does.
    pub async fn posting_access_report(
        &self,
        ws: i64,
        batch: i64,
        wait: &ReportWait,
    ) -> Result<Vec<PostingRow>> {
        wait.checked()?;
        let items = self.batch_items(ws, batch).await?;
        let workspace = self
            .api()
            .get_workspace()
            .workspace_id(ws)
            .send()
            .checked()
            .await?
            .workspace
            .into_iter()
            .next()
            .ok_or_else(|| Error::Protocol {
                status: 200,
                detail: format!("the answer for workspace {ws} lists no workspace"),
            })?;
        self.documents_access_report(ws, workspace_name(&workspace), &items, wait)
            .await
    }

    /// The access report of `documents` of workspace `ws` (named
    /// `workspace_name` in the rows): one row per document and person
    /// allowed to see it, documents in the order given, each with its path.
    /// What [`Intralinks::posting_access_report`] does for a posting's
    /// documents, for any documents (a room's, one document's); the reports
    /// are asked in rounds, as [`Intralinks::access_reports`] does.
    pub async fn documents_access_report(
        &self,
        ws: i64,
        workspace_name: &str,
        documents: &[types::Document],
        wait: &ReportWait,
    ) -> Result<Vec<PostingRow>> {
        wait.checked()?;
        let paths = FolderPaths::new(&self.folders(ws).await?);
        let ids: Vec<i64> = documents.iter().map(|d| d.id).collect();
        let mut reports = self.access_reports(ws, &ids, wait).await?.into_iter();
        let mut rows = Vec::new();
        for doc in documents {
            let name = doc.name.clone().unwrap_or_default();
            let mut path = document_folder(doc)
                .map(|f| paths.segments(f))
                .unwrap_or_default();
            path.push(name.clone());
            let path = path.join("/");
            let report = reports.next().map(|(_, r)| r).unwrap_or_default();
            for access in report {
                if access.is_allowed_user() {
                    rows.push(PostingRow {
                        workspace_id: ws,
                        workspace_name: workspace_name.to_string(),
                        document_id: doc.id,
                        document_name: name.clone(),
                        document_path: path.clone(),
                        access,
                    });
                }
            }
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_id_is_read_where_it_may_be() {
        let sim = "<?xml version=\"1.0\"?><batchItemResponse><status><code>200</code></status><batchId>7000000001</batchId></batchItemResponse>";
        assert_eq!(batch_id_of(sim).unwrap().1, Some(7_000_000_001));
        let nested = "<batchResponse><batch><id>12</id></batch></batchResponse>";
        assert_eq!(batch_id_of(nested).unwrap().1, Some(12));
        let bare = "<batch><id> 13 </id></batch>";
        assert_eq!(batch_id_of(bare).unwrap().1, Some(13));
        assert_eq!(batch_id_of("<batchItemResponse/>").unwrap().1, None);
        assert!(matches!(
            batch_id_of("<a><b></a>").unwrap_err(),
            Error::UnexpectedBody { .. }
        ));
    }

    #[test]
    fn a_wait_without_attempts_is_refused() {
        let e = ReportWait::new(0, Duration::ZERO).checked().unwrap_err();
        assert_eq!(
            e.to_string(),
            "the access report wait has 0 attempts; give at least 1"
        );
        assert_eq!(
            ReportWait::default(),
            ReportWait::new(6, Duration::from_secs(5))
        );
    }
}
