//! One document at a time: `download` (verified against its SHA-1) and
//! `upload`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;
use intralinks_ext::Intralinks;

use crate::advice::{CliResult, Status, err};
use crate::context::Context;
use crate::output::{self, say, tell};

/// The commands that move one document.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Download one document, verified against its SHA-1.
    Download {
        /// Workspace id.
        workspace: i64,
        /// Document id.
        document: i64,
        /// Where to write it (default: its name, in the current directory); `-`
        /// is standard output; a pipe or device is written through, a symbolic
        /// link or other special file is refused, a missing directory is an error.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Without -o, replace a file of that name already in the current directory.
        #[arg(long)]
        force: bool,
    },
    /// Create a document in a folder and upload a file into it.
    Upload {
        /// Workspace id.
        workspace: i64,
        /// Folder id.
        folder: i64,
        /// The file; `-` reads standard input (then --name is needed).
        file: PathBuf,
        /// The document's name (default: the file's name).
        #[arg(long)]
        name: Option<String>,
    },
}

/// The document's file name: its name, with its extension when the name lacks it.
fn file_name(doc: &intralinks_ext::types::Document) -> String {
    intralinks_sync::document_file_name(doc)
}

impl Command {
    /// Runs the command.
    pub async fn run(self, ctx: &Context) -> CliResult<Status> {
        self.run_done(ctx).await.map(|()| Status::Done)
    }

    async fn run_done(self, ctx: &Context) -> CliResult {
        let il = ctx.il().await?;
        match self {
            Command::Download {
                workspace,
                document,
                output: out,
                force,
            } => {
                let doc = ctx
                    .in_workspace(workspace, || il.document(workspace, document))
                    .await?;
                let dest = match out.as_deref().map(crate::target::output).transpose()? {
                    Some(crate::target::Output::File(p)) => p,
                    Some(crate::target::Output::Stdout) => {
                        return download_through(ctx, il, workspace, &doc, None).await;
                    }
                    Some(crate::target::Output::Through(p)) => {
                        return download_through(ctx, il, workspace, &doc, Some(&p)).await;
                    }
                    None => {
                        let name = intralinks_sync::local_component(&file_name(&doc)).name;
                        let dest = PathBuf::from(name);
                        if !force && std::fs::symlink_metadata(&dest).is_ok() {
                            return Err(format!(
                                "{} already exists here and was left alone: pass --force to replace it, or -o to write elsewhere",
                                dest.display()
                            )
                            .into());
                        }
                        dest
                    }
                };
                let bar = ctx.transfer_bar(
                    &file_name(&doc),
                    doc.file_size.and_then(|s| u64::try_from(s).ok()),
                );
                let download = il.download_document(
                    workspace,
                    &doc,
                    &dest,
                    bar.as_ref().map(|(_, f)| f.clone()),
                );
                // Ctrl-C keeps what arrived for the next run, and says where.
                let done = tokio::select! {
                    d = download => d,
                    _ = tokio::signal::ctrl_c() => {
                        if let Some((b, _)) = &bar {
                            b.finish_and_clear();
                        }
                        // The writer stops at the write it is in; let it end.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        return Err(match intralinks_ext::partial_download(&dest) {
                            Some((part, bytes)) => format!(
                                "stopped: the {bytes} bytes received are kept in {}; run the same command again to go on from there",
                                intralinks_ext::text::for_terminal(&part.display().to_string())
                            ),
                            None => "stopped before any byte arrived".to_string(),
                        }
                        .into());
                    }
                };
                if let Some((b, _)) = &bar {
                    b.finish_and_clear();
                }
                if let (Err(_), Some((part, bytes))) =
                    (&done, intralinks_ext::partial_download(&dest))
                {
                    tell!(
                        ctx.out,
                        "note: the {bytes} bytes received are kept in {}; run the same command again to go on from there",
                        output::safe(&part.display().to_string())
                    )?;
                }
                let done = done.map_err(err)?;
                if ctx.out.json {
                    return ctx.out.print_json(&serde_json::json!({
                        "id": doc.id, "path": done.path, "bytes": done.bytes, "fileHashDownload": done.sha1_base64, "verified": true,
                    }));
                }
                say!(
                    ctx.out,
                    "{} ({} bytes, SHA-1 verified)",
                    output::safe(&done.path.display().to_string()),
                    done.bytes
                )
            }
            Command::Upload {
                workspace,
                folder,
                file,
                name,
            } => {
                // `-` is standard input, spooled to a private temporary file so
                // that the upload knows its length and can be sent again.
                let spool = if file.as_os_str() == "-" {
                    if name.is_none() {
                        return Err(
                            "uploading standard input needs --name NAME for the document".into(),
                        );
                    }
                    Some(crate::target::spool_stdin().await?)
                } else {
                    None
                };
                let file = spool.as_ref().map_or(file.as_path(), |s| s.path());
                let len = std::fs::metadata(file).ok().map(|m| m.len());
                let bar = ctx.transfer_bar(&file.display().to_string(), len);
                // A create refused with 303 created nothing, so running it again after entry is safe.
                let up = ctx
                    .in_workspace(workspace, || {
                        il.upload(
                            intralinks_ext::FolderRef {
                                workspace_id: workspace,
                                folder_id: folder,
                            },
                            file,
                            name.as_deref(),
                            bar.as_ref().map(|(_, f)| f.clone()),
                        )
                    })
                    .await;
                if let Some((b, _)) = &bar {
                    b.finish_and_clear();
                }
                let up = up?;
                if ctx.out.json {
                    return ctx.out.print_json(&serde_json::json!({
                        "id": up.document_id, "version": up.version, "bytes": up.bytes, "fileHashDownload": up.sha1_base64,
                    }));
                }
                let shown = match (&spool, name) {
                    (Some(_), Some(n)) => format!("standard input as {n}"),
                    _ => file.display().to_string(),
                };
                say!(
                    ctx.out,
                    "uploaded {} as document {} ({} bytes)",
                    output::safe(&shown),
                    up.document_id,
                    up.bytes
                )
            }
        }
    }
}

/// `download -o -` (the command's stdout) or `-o` onto a pipe or device:
/// the bytes are streamed as they arrive, checked against the SHA-1 at the end (a mismatch fails the
/// command: whoever reads must discard what came), and nothing is replaced.
async fn download_through(
    ctx: &Context,
    il: &Intralinks,
    workspace: i64,
    doc: &intralinks_ext::types::Document,
    path: Option<&std::path::Path>,
) -> CliResult {
    let bar = ctx.transfer_bar(
        &file_name(doc),
        doc.file_size.and_then(|s| u64::try_from(s).ok()),
    );
    let progress = bar.as_ref().map(|(_, f)| f.clone());
    let written = match path {
        None => {
            let mut out = ctx.out.stdout_writer();
            let w = il.download_into(workspace, doc, &mut out, progress).await;
            tokio::io::AsyncWriteExt::flush(&mut out)
                .await
                .map_err(|e| format!("cannot write to standard output: {e}"))?;
            w
        }
        Some(p) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(p)
                .map_err(|e| {
                    format!(
                        "cannot open {}: {e}",
                        output::safe(&p.display().to_string())
                    )
                })?;
            let mut out = tokio::fs::File::from_std(file);
            let w = il.download_into(workspace, doc, &mut out, progress).await;
            tokio::io::AsyncWriteExt::flush(&mut out)
                .await
                .map_err(|e| {
                    format!(
                        "cannot write {}: {e}",
                        output::safe(&p.display().to_string())
                    )
                })?;
            w
        }
    };
    if let Some((b, _)) = &bar {
        b.finish_and_clear();
    }
    let written = written.map_err(err)?;
    if !ctx.out.quiet {
        tell!(
            ctx.out,
            "{} bytes of document {} written to {}, SHA-1 verified",
            written.bytes,
            doc.id,
            path.map_or("standard output".to_string(), |p| output::safe(
                &p.display().to_string()
            )
            .into_owned())
        )?;
    }
    Ok(())
}
