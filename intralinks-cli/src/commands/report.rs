//! `intralinks report documents|members|access`: the rows of
//! `intralinks_report`, as CSV, JSON or an Excel workbook, across
//! workspaces.
//!
//! A workbook is binary: it goes to `-o FILE` or to a pipe, and is refused
//! on a terminal, where it would only garble the screen.
//!
//! Named workspaces are entered with the flags only (`--accept-splash`,
//! `--answer`, `--otp`, `--content-declaration`); nothing is asked on the
//! terminal, since several entries run at once. With `--all`, no workspace is
//! entered unless `--enter` says so: entering every room could mail one-time
//! passwords and spend attempts in rooms nobody meant to touch. A workspace
//! that cannot be reported is named in a summary on stderr, and the exit
//! status is then non-zero.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use futures_util::StreamExt;
use intralinks_ext::Intralinks;
use intralinks_ext::atomic::AtomicFile;
use intralinks_ext::postings::ReportWait;
use intralinks_report::{
    self as report, AccessRow, ActivityRow, DocumentRow, Format, MemberGroupRow, MemberRow, Row,
    UserAccessRow, WorkspaceRef, Writer,
};

use crate::advice::{CliError, CliResult, Status};
use crate::context::Context;
use crate::output::tell;

/// The command of reports.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reports across workspaces as CSV, JSON or xlsx: documents, members, who can see what.
    Report {
        /// Which report.
        #[command(subcommand)]
        what: Report,
    },
}

/// Which report.
#[derive(Debug, Subcommand)]
pub enum Report {
    /// One row per document: folder path, name, id, size, dates, version, fileHashDownload, note; then one column per custom field.
    Documents(Target),
    /// One row per member: name, email, organisation, role, groups, access dates, status; then one column per custom field.
    Members {
        /// The workspaces and the output.
        #[command(flatten)]
        target: Target,
        /// Only this person's rows; with --all, every workspace they are a member of.
        #[arg(long, value_name = "EMAIL")]
        email: Option<String>,
        /// One row per (member, group) with the group's id, name and type; a member of no group has one row with those empty.
        #[arg(long)]
        by_group: bool,
    },
    /// One row per (folder or document, group) with the effective permission;
    /// --by-user gives one row per (path, member) through group membership.
    Access {
        /// The workspaces and the output.
        #[command(flatten)]
        target: Target,
        /// One row per member instead of per group: the strongest level of their groups.
        #[arg(long)]
        by_user: bool,
    },
    /// Who has seen the posting: one row per (document, member allowed to see it) with alert and view dates.
    ///
    /// With --posting, the documents of that bulk upload (see `intralinks postings WS`); with
    /// --document, that document; with neither, every document of the workspaces named (not --all). Each document's
    /// access report is asked of the service, which may answer "not ready yet" (9-9-9-1): it is
    /// asked again, --report-attempts times at most, --report-pause seconds apart.
    Activity {
        /// The workspaces and the output.
        #[command(flatten)]
        target: Target,
        /// The documents of this posting (bulk upload) id only; one workspace.
        #[arg(long, value_name = "ID", conflicts_with = "document")]
        posting: Option<i64>,
        /// This document id only; one workspace.
        #[arg(long, value_name = "ID")]
        document: Option<i64>,
        /// Asks of a document's access report while it is not ready, the first included.
        #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=100))]
        report_attempts: u32,
        /// Seconds between two asks of a report that is not ready.
        #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=600))]
        report_pause: u64,
    },
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// One JSON array of records.
    Json,
    /// An Excel workbook: column titles for people, dates as dates, the header row frozen.
    Xlsx,
}

/// Which workspaces, and where the report goes.
#[derive(Debug, Args)]
pub struct Target {
    /// Workspace ids.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub workspaces: Vec<i64>,
    /// Every workspace you can see; those not entered yet are listed on stderr (see --enter).
    #[arg(long)]
    pub all: bool,
    /// With --all, enter the workspaces not entered yet, with the entry flags
    /// (this may mail one-time passwords, and a wrong --answer spends an attempt in each).
    #[arg(long, requires = "all")]
    pub enter: bool,
    /// csv (default), json (the default with --json), or xlsx (the default when -o ends in .xlsx).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write here instead of to stdout (xlsx: to a file or a pipe, not a terminal).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Requests at once, workspaces listed at once at most that many: auto
    /// finds what the service allows (at most 64; auto:MAX for another
    /// ceiling), a number sends that many. -v tells what auto settled on.
    #[arg(long, value_name = "N|auto", default_value = "auto")]
    pub jobs: intralinks_ext::Jobs,
}

impl Command {
    /// Runs the report.
    pub async fn run(self, ctx: &Context) -> CliResult<Status> {
        let il = ctx.il().await?;
        let Command::Report { what } = self;
        match &what {
            Report::Documents(t) => emit::<DocumentRow>(ctx, il, t, None, |_| true).await,
            Report::Members {
                target,
                email,
                by_group,
            } => {
                let email = email.as_deref().map(str::trim);
                if let Some(e) = email.filter(|e| !intralinks_ext::text::is_email_address(e)) {
                    return Err(CliError::new(format!(
                        "--email {:?} is not one plain e-mail address; give one, e.g. ann.lee@example.com",
                        crate::output::safe(e)
                    )));
                }
                let is = |row: &str| email.is_none_or(|e| row.eq_ignore_ascii_case(e));
                if *by_group {
                    emit::<MemberGroupRow>(ctx, il, target, email, |r| is(&r.email_id)).await
                } else {
                    emit::<MemberRow>(ctx, il, target, email, |r| is(&r.email_id)).await
                }
            }
            Report::Activity {
                target,
                posting,
                document,
                report_attempts,
                report_pause,
            } => {
                let wait = ReportWait::new(
                    *report_attempts,
                    std::time::Duration::from_secs(*report_pause),
                );
                activity(ctx, il, target, *posting, *document, &wait).await
            }
            Report::Access {
                target,
                by_user: false,
            } => emit::<AccessRow>(ctx, il, target, None, |_| true).await,
            Report::Access {
                target,
                by_user: true,
            } => emit::<UserAccessRow>(ctx, il, target, None, |_| true).await,
        }
        .map(|()| Status::Done)
    }
}

/// The workspaces to report, sorted by id, named as the listing names them;
/// with --all and a `person`, those the person is a member of.
async fn workspaces(
    il: &Intralinks,
    t: &Target,
    person: Option<&str>,
) -> Result<Vec<WorkspaceRef>, String> {
    if let (true, Some(email)) = (t.all, person) {
        return report::workspaces_of(il, email)
            .await
            .map_err(|e| e.to_string());
    }
    let visible = report::visible_workspaces(il)
        .await
        .map_err(|e| e.to_string())?;
    if t.all {
        return Ok(visible);
    }
    let mut ids = t.workspaces.clone();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids
        .into_iter()
        .map(|id| WorkspaceRef {
            id,
            name: visible
                .iter()
                .find(|w| w.id == id)
                .map(|w| w.name.clone())
                .unwrap_or_default(),
        })
        .collect())
}

/// The format asked for: --format, else xlsx for `-o *.xlsx`, else JSON
/// with --json, else CSV. A workbook for a terminal (`stdout_is_terminal`)
/// is refused.
fn format_of(json: bool, stdout_is_terminal: bool, t: &Target) -> Result<Format, String> {
    let xlsx_file = t.output.as_ref().is_some_and(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    });
    let format = match t.format {
        Some(FormatArg::Json) => Format::Json,
        Some(FormatArg::Csv) => Format::Csv,
        Some(FormatArg::Xlsx) => Format::Xlsx,
        None if xlsx_file => Format::Xlsx,
        None if json => Format::Json,
        None => Format::Csv,
    };
    if format == Format::Xlsx && t.output.is_none() && stdout_is_terminal {
        return Err(
            "an xlsx workbook is binary and would garble the terminal; write it to a file with -o FILE.xlsx, or pipe it"
                .into(),
        );
    }
    Ok(format)
}

/// Writes the rows of `t`'s workspaces that `keep` keeps; `person` (an
/// e-mail) narrows --all to the workspaces that person is in.
async fn emit<R: Row>(
    ctx: &Context,
    il: &Intralinks,
    t: &Target,
    person: Option<&str>,
    keep: impl Fn(&R) -> bool,
) -> CliResult {
    let format = format_of(ctx.out.json, ctx.out.streams.out.is_terminal(), t)?;
    let list = workspaces(il, t, person).await?;
    // A file lands whole, and only when the command succeeds: until then
    // the previous report stays as it was.
    let out = match &t.output {
        Some(path) => Out::File(std::io::BufWriter::new(
            AtomicFile::create(path).map_err(CliError::from)?,
        )),
        None => Out::Stdout(std::io::BufWriter::new(ctx.out.stdout_writer())),
    };
    // Named workspaces are entered as the flags allow; with --all none is:
    // entering every room could mail one-time passwords and spend attempts.
    let answers = ctx.entry_flags();
    let answers = (!t.all || t.enter).then_some(&answers);
    // Every request of the report through one limiter (it logs what it
    // settled on when the report is done).
    let (il, _limiter) = il.paced(t.jobs);
    let il = &il;
    let mut outcomes = std::pin::pin!(report::across::<R>(il, list, answers, t.jobs.ceiling()));
    // One column per custom field, after the fixed ones: those reports know
    // their columns once every workspace's rows are in, so they wait for
    // all of them; the others are written as each workspace comes.
    let mut held: Vec<report::Outcome<R>> = Vec::new();
    let mut fields = std::collections::BTreeSet::new();
    if R::HAS_FIELDS {
        while let Some((ws, mut result)) = outcomes.next().await {
            if let Ok(list) = &mut result {
                list.retain(|row| keep(row));
                fields.extend(report::field_columns(list));
            }
            held.push((ws, result));
        }
    }
    let mut writer = Writer::with_fields::<R>(out, format, fields.into_iter().collect())
        .map_err(|e| e.to_string())?;
    let mut held = held.into_iter();
    let (mut reported, mut rows) = (0usize, 0usize);
    let mut skipped: Vec<(WorkspaceRef, String)> = Vec::new();
    loop {
        let next = match held.next() {
            Some(outcome) => Some(outcome),
            None => outcomes.next().await,
        };
        let Some((ws, result)) = next else {
            break;
        };
        match result {
            Ok(mut list) => {
                list.retain(|row| keep(row));
                writer.reserve(list.len()).map_err(|e| e.to_string())?;
                for row in &list {
                    writer.write(row).map_err(|e| e.to_string())?;
                }
                reported += 1;
                rows += list.len();
            }
            Err(e) => skipped.push((
                ws,
                match crate::advice::hint(&e, false) {
                    Some(h) => format!("{e}; {h}"),
                    None => e.to_string(),
                },
            )),
        }
    }
    let out = writer.finish().map_err(|e| e.to_string())?;
    if skipped.is_empty() {
        out.land()?;
    }
    tell!(ctx.out, "reported {reported} workspace(s), {rows} row(s)")?;
    if !skipped.is_empty() {
        tell!(ctx.out, "not reported ({}):", skipped.len())?;
        for (ws, why) in &skipped {
            let name = if ws.name.is_empty() {
                String::new()
            } else {
                format!(" {:?}", ws.name)
            };
            tell!(ctx.out, "  {}{name}: {}", ws.id, crate::output::safe(why))?;
        }
        return Err(CliError::new(format!(
            "{} workspace(s) could not be reported (listed above){}{}",
            skipped.len(),
            match &t.output {
                Some(path) => format!(
                    "; {} was left as it was",
                    crate::output::safe(&path.display().to_string())
                ),
                None => String::new(),
            },
            if t.all && !t.enter {
                "; enter them first (`intralinks enter ID`, or --enter with the entry flags), then report again"
            } else {
                ""
            }
        )));
    }
    Ok(())
}

/// `report activity`: of one posting or one document of one workspace, or
/// of every document of the named workspaces.
async fn activity(
    ctx: &Context,
    il: &Intralinks,
    t: &Target,
    posting: Option<i64>,
    document: Option<i64>,
    wait: &ReportWait,
) -> CliResult {
    if t.all {
        return Err(CliError::usage(
            "report activity asks the service one access report per document: name the workspaces instead of --all",
        ));
    }
    if t.workspaces.len() != 1 && (posting.is_some() || document.is_some()) {
        let flag = if posting.is_some() {
            "--posting"
        } else {
            "--document"
        };
        return Err(CliError::usage(format!(
            "{flag} names one posting or document of one workspace: give one workspace id"
        )));
    }
    let format = format_of(ctx.out.json, ctx.out.streams.out.is_terminal(), t)?;
    let mut rows = Vec::new();
    for ws in workspaces(il, t, None).await? {
        let id = ws.id;
        rows.extend(match (posting, document) {
            (Some(batch), _) => {
                ctx.in_workspace(id, || report::posting_activity(il, id, batch, wait))
                    .await?
            }
            (None, Some(doc)) => {
                ctx.in_workspace(id, || report::document_activity(il, &ws, doc, wait))
                    .await?
            }
            (None, None) => {
                ctx.in_workspace(id, || report::workspace_activity(il, &ws, wait))
                    .await?
            }
        });
    }
    let out = match &t.output {
        Some(path) => Out::File(std::io::BufWriter::new(
            AtomicFile::create(path).map_err(CliError::from)?,
        )),
        None => Out::Stdout(std::io::BufWriter::new(ctx.out.stdout_writer())),
    };
    let mut writer = Writer::new::<ActivityRow>(out, format).map_err(|e| e.to_string())?;
    writer.reserve(rows.len()).map_err(|e| e.to_string())?;
    for row in &rows {
        writer.write(row).map_err(|e| e.to_string())?;
    }
    writer.finish().map_err(|e| e.to_string())?.land()?;
    let viewed = rows.iter().filter(|r| r.viewed).count();
    tell!(ctx.out, "reported {} row(s), {viewed} viewed", rows.len())
}

/// Where a report goes: a file that lands whole on success, or stdout.
enum Out {
    File(std::io::BufWriter<AtomicFile>),
    Stdout(std::io::BufWriter<crate::output::StreamWriter>),
}

impl Out {
    /// Puts a file in place (flushed, synced, renamed over the old one);
    /// flushes stdout.
    fn land(self) -> CliResult {
        match self {
            Out::File(w) => {
                let file = w.into_inner().map_err(|e| {
                    CliError::new(format!("cannot write the report: {}", e.error()))
                })?;
                file.commit().map_err(CliError::from)
            }
            Out::Stdout(mut w) => w
                .flush()
                .map_err(|e| CliError::new(format!("cannot write to standard output: {e}"))),
        }
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Out::File(w) => w.write(buf),
            Out::Stdout(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Out::File(w) => w.flush(),
            Out::Stdout(w) => w.flush(),
        }
    }
}
