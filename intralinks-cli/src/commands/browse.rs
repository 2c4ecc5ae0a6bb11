//! Looking around: `workspaces`, `enter` and `splash` (a room's folders
//! and documents are in `content`).

use std::path::PathBuf;

use clap::Subcommand;
use futures_util::TryStreamExt;
use intralinks_ext::Checked;

use crate::advice::{CliResult, Status, err};
use crate::context::Context;
use crate::output::{self, say, tell};

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
                ctx.out.listing(
                    &list,
                    &["ID", "NAME", "PHASE", "SECURITY", "HOST", "TEMPLATE"],
                    |w| {
                        vec![
                            w.id.to_string(),
                            w.name
                                .clone()
                                .or(w.workspace_name.clone())
                                .unwrap_or_default(),
                            w.phase.clone().unwrap_or_default(),
                            w.security_level.map(|l| l.to_string()).unwrap_or_default(),
                            w.host.clone().unwrap_or_default(),
                            w.parent_template_id
                                .map(|t| t.to_string())
                                .unwrap_or_default(),
                        ]
                    },
                )
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
        }
    }
}
