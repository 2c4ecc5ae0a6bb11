//! Reports a deal team asks for, as typed rows: documents, members, and
//! who can see what — per workspace, across workspaces, as CSV, JSON or xlsx.
//!
//! Each report is a [`Row`] type with the wire's field names (`workspaceId`,
//! `fileHashDownload`, ...) as its serde names and CSV header. [`Row::fetch`]
//! lists one workspace; [`across`] lists several, at most `concurrency` at a
//! time, entering each as the given [`FixedAnswers`] allow, and yields them
//! in the order given, so at most `concurrency` listings are held at once.
//! [`Writer`] writes rows as RFC 4180 CSV, as a JSON array, or as an Excel
//! workbook ([`Format::Xlsx`], with the `xlsx` feature, on by default). In CSV, a text
//! cell that begins with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'`
//! (OWASP's advice against CSV injection), so a name chosen by whoever runs
//! the room cannot become a formula in a spreadsheet; JSON stays exact.
//! CSV and JSON use the wire's names; a workbook has one sheet whose header
//! row (bold, frozen, with a filter) holds each [`Column`]'s title for
//! people ("E-mail", "Folder path"), dates are Excel dates in UTC, ids and
//! sizes are numbers, and every text is a text cell — never a formula.
//!
//! Documents and members carry their custom field values
//! ([`Row::fields`]): one more column per field after the fixed ones, named
//! after the field (its definition's name, `GET …/fieldDefinitions`, asked
//! only when some entity carries a value), written with
//! [`Writer::with_fields`] and the columns of [`field_columns`].
//!
//! Rows are sorted by workspace, then by path (segment by segment, so a
//! folder's contents follow it), then by the remaining key, so two reports
//! of the same room diff cleanly.
//!
//! # Access: how levels are resolved
//! A permission names a group, a folder and a level (`SEE` <
//! `SEE_AND_DOWNLOAD` < `SEE_DOWNLOAD_AND_PRINT`). It applies to that folder,
//! its subfolders and every document in them. One that names a document
//! (`documentId`) applies to that document, beside what its folders give. A group's level on a path is
//! the **strongest** of all its permissions along the ancestor chain (a
//! weaker permission lower down does not narrow a stronger one above it). A
//! member's level is the strongest of their groups' levels. A group or member
//! with no permission along the chain gets no row. Roles are not
//! interpreted: a manager outside every group gets no rows.
//!
//! # Examples
//!
//! The documents of every workspace the user can see, as CSV, against the
//! simulator. Workspaces are entered as the given answers allow (none here:
//! enough for a room that asks nothing); one that asks for more gives its
//! error and the others go on.
//!
//! ```
//! # use intralinks_ext::{AppKeys, Grant, Intralinks, Secret};
//! # use intralinks_sim::{SimConfig, Simulator, demo};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> intralinks_ext::Result<()> {
//! # let sim = Simulator::start(SimConfig::default()).await.expect("simulator");
//! # let il = Intralinks::builder(sim.url())
//! #     .login(
//! #         AppKeys { client_id: demo::CLIENT_ID.into(), client_secret: Secret::new(demo::CLIENT_SECRET) },
//! #         Grant::Password {
//! #             email: demo::EMAIL.into(),
//! #             password: Secret::new(demo::PASSWORD),
//! #             end_other_sessions: false,
//! #         },
//! #     )
//! #     .await?;
//! use futures_util::StreamExt;
//! use intralinks_ext::FixedAnswers;
//! use intralinks_report::{self as report, DocumentRow, Format, Writer};
//!
//! let workspaces = report::visible_workspaces(&il).await?;
//! let answers = FixedAnswers::default();
//! let mut outcomes =
//!     std::pin::pin!(report::across::<DocumentRow>(&il, workspaces, Some(&answers), 4));
//! let mut csv = Writer::new::<DocumentRow>(Vec::new(), Format::Csv)?;
//! while let Some((ws, rows)) = outcomes.next().await {
//!     match rows {
//!         Ok(rows) => rows.iter().try_for_each(|row| csv.write(row))?,
//!         Err(e) => eprintln!("{}: {e}", ws.name),
//!     }
//! }
//! let csv = String::from_utf8(csv.finish()?).expect("UTF-8");
//! assert!(csv.starts_with("workspaceId,workspaceName,folderPath,name,id,"));
//! assert!(csv.contains("Q4 board pack.txt"));
//! # sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! [`FixedAnswers`]: intralinks_ext::FixedAnswers

#![deny(missing_docs)]
#![cfg_attr(not(feature = "xlsx"), doc = "[`Format::Xlsx`]: Format")]

mod access;
mod activity;
mod error;
mod listing;
mod rows;
#[cfg(test)]
mod tests;
mod workspaces;
mod write;
#[cfg(feature = "xlsx")]
mod xlsx;

pub use access::{access_rows, access_rows_with_documents, user_access_rows};
pub use activity::{ActivityRow, document_activity, posting_activity, workspace_activity};
pub use listing::{
    document_rows, document_rows_with_fields, member_group_rows, member_rows,
    member_rows_with_fields,
};
pub use rows::{
    AccessRow, CellKind, Column, DocumentRow, ItemKind, MemberGroupRow, MemberRow, PATH_SEPARATOR,
    Row, UserAccessRow, WorkspaceRef,
};
pub use workspaces::{Outcome, across, visible_workspaces, workspaces_of};
pub use write::{Format, Writer, field_columns};
#[cfg(feature = "xlsx")]
pub use xlsx::{XLSX_MAX_CELL_CHARS, XLSX_MAX_ROWS};
