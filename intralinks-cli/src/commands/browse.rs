//! Looking around: `workspaces`, `enter`, `splash`, `folders` and
//! `documents`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Subcommand;
use futures_util::TryStreamExt;
use intralinks_ext::Checked;
use intralinks_ext::types::Folder;

use crate::advice::{CliResult, Status, err};
use crate::context::Context;
use crate::output::{self, Output, say, tell};

/// The commands that look around.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the workspaces you can see.
    Workspaces,
    /// Enter a workspace: splash, security question, one-time password, as it demands.
    Enter {
        /// Workspace id.
        workspace: i64,
        /// Use the V1 XML entry instead of V2.
        #[arg(long)]
        v1: bool,
    },
    /// Show a workspace's splash screen; --image saves its image.
    Splash {
        /// Workspace id.
        workspace: i64,
        /// Save the splash image here (the extension is added from its type).
        #[arg(long)]
        image: Option<PathBuf>,
    },
    /// Show a workspace's folders as a tree.
    Folders {
        /// Workspace id.
        workspace: i64,
    },
    /// List documents, all or those in one folder.
    Documents {
        /// Workspace id.
        workspace: i64,
        /// Only the documents directly in this folder.
        #[arg(long)]
        folder: Option<i64>,
    },
}

impl Command {
    /// Runs the command.
    pub async fn run(self, ctx: &Context) -> CliResult<Status> {
        self.run_done(ctx).await.map(|()| Status::Done)
    }

    async fn run_done(self, ctx: &Context) -> CliResult {
        let il = ctx.il().await?;
        match self {
            Command::Workspaces => {
                let list: Vec<_> = il.list_all_workspaces().try_collect().await.map_err(err)?;
                ctx.out
                    .listing(&list, &["ID", "NAME", "PHASE", "SECURITY", "HOST"], |w| {
                        vec![
                            w.id.to_string(),
                            w.name
                                .clone()
                                .or(w.workspace_name.clone())
                                .unwrap_or_default(),
                            w.phase.clone().unwrap_or_default(),
                            w.security_level.map(|l| l.to_string()).unwrap_or_default(),
                            w.host.clone().unwrap_or_default(),
                        ]
                    })
            }
            Command::Enter { workspace, v1 } => {
                let mut prompter = ctx.prompter();
                let entered = if v1 {
                    il.enter_v1(workspace, &mut prompter).await
                } else {
                    il.enter(workspace, &mut prompter).await
                }
                .map_err(err)?;
                if ctx.out.json {
                    return ctx.out.print_json(&serde_json::json!({
                        "workspaceId": entered.workspace_id,
                        "states": entered.states,
                        "numOfAttempts": entered.attempts,
                    }));
                }
                say!(
                    ctx.out,
                    "entered workspace {} ({})",
                    entered.workspace_id,
                    entered
                        .states
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" -> ")
                )
            }
            Command::Splash { workspace, image } => {
                let answer = il
                    .api()
                    .get_splash()
                    .workspace_id(workspace)
                    .send()
                    .checked()
                    .await
                    .map_err(err)?;
                if let Some(path) = image {
                    let written = il.save_splash_image(workspace, &path).await.map_err(err)?;
                    tell!(
                        ctx.out,
                        "splash image saved to {}",
                        output::safe(&written.display().to_string())
                    )?;
                }
                if ctx.out.json {
                    return ctx.out.print_json(&answer.splash);
                }
                match answer.splash {
                    Some(s) => {
                        say!(ctx.out, "{}", s.splash_text.unwrap_or_default())?;
                        say!(
                            ctx.out,
                            "\n(accept with: intralinks enter {workspace} --accept-splash{})",
                            if s.has_image == Some(true) {
                                "; has an image: use --image PATH"
                            } else {
                                ""
                            }
                        )
                    }
                    None => say!(ctx.out, "workspace {workspace} has no splash screen"),
                }
            }
            Command::Folders { workspace } => {
                let folders = ctx
                    .in_workspace(workspace, || il.folders(workspace))
                    .await?;
                if ctx.out.json {
                    return ctx.out.print_json(&folders);
                }
                print_tree(&ctx.out, &folders)
            }
            Command::Documents { workspace, folder } => {
                let docs = ctx
                    .in_workspace(workspace, || il.documents(workspace, folder))
                    .await?;
                ctx.out.listing(
                    &docs,
                    &["ID", "NAME", "SIZE", "FOLDER", "MODIFIED (UTC)"],
                    |d| {
                        vec![
                            d.id.to_string(),
                            d.name.clone().unwrap_or_default(),
                            output::size(d.file_size),
                            intralinks_ext::listing::document_folder(d)
                                .map(|p| p.to_string())
                                .unwrap_or_default(),
                            output::date(d.last_modified_on.or(d.created_on)),
                        ]
                    },
                )
            }
        }
    }
}

/// Prints the folder tree on `out`, placed by the library's one rule
/// (`intralinks_ext::tree`): orphans, broken cycles and slices deeper than 64
/// levels at the top. No recursion, so no depth can overflow the stack.
fn print_tree(out: &Output, folders: &[Folder]) -> CliResult {
    let forest = intralinks_ext::tree::Forest::new(folders.iter().map(|f| (f.id, f.parent_id)));
    let mut seen = std::collections::HashSet::new();
    let mut children: BTreeMap<Option<i64>, Vec<&Folder>> = BTreeMap::new();
    for f in folders {
        if seen.insert(f.id) {
            children
                .entry(forest.shown_parent(f.id))
                .or_default()
                .push(f);
        }
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| {
            (a.order_number, &a.index_number, &a.name, a.id).cmp(&(
                b.order_number,
                &b.index_number,
                &b.name,
                b.id,
            ))
        });
    }
    // (folder, prefix of its line, prefix of its children's lines); pushed
    // in reverse so that the first child is printed first.
    let mut stack: Vec<(&Folder, String, String)> = Vec::new();
    fn push<'a>(
        children: &BTreeMap<Option<i64>, Vec<&'a Folder>>,
        stack: &mut Vec<(&'a Folder, String, String)>,
        parent: Option<i64>,
        prefix: &str,
    ) {
        let Some(list) = children.get(&parent) else {
            return;
        };
        for (i, f) in list.iter().enumerate().rev() {
            let last = i + 1 == list.len();
            let (line, next) = if parent.is_none() {
                (String::new(), String::new())
            } else if last {
                (format!("{prefix}└── "), format!("{prefix}    "))
            } else {
                (format!("{prefix}├── "), format!("{prefix}│   "))
            };
            stack.push((f, line, next));
        }
    }
    push(&children, &mut stack, None, "");
    while let Some((f, line, next)) = stack.pop() {
        let note = forest
            .placed(f.id)
            .and_then(|p| p.notice())
            .map(|n| format!("  ({n})"))
            .unwrap_or_default();
        say!(
            out,
            "{line}{} [{}]{note}",
            output::safe(f.name.as_deref().unwrap_or("(unnamed)")),
            f.id
        )?;
        push(&children, &mut stack, Some(f.id), &next);
    }
    Ok(())
}
