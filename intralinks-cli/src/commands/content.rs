//! A room's folders and documents: `folders WS` shows the tree and
//! `documents WS` lists documents; `folders create|rename|move|delete|note`
//! and `documents rename|move|delete|note` change them through the
//! library's `intralinks_ext::edit`.
//!
//! A folder or document is named by its path (names from the top joined by
//! `/`, as `folders` shows them) or by its id. The room is looked at first,
//! so a change is made at the version just read; when someone changed it in
//! between, nothing is changed and the error says to look again. A folder
//! that exists already is not created twice. `--dry-run` looks at the room
//! without entering it and says what would be sent, sending nothing.

use std::collections::BTreeMap;

use clap::Subcommand;
use intralinks_ext::edit::{Edit, check_name, documents_at, folders_at, path_names};
use intralinks_ext::listing::{FolderPaths, document_folder};
use intralinks_ext::types::{Document, Folder};
use intralinks_ext::{Error, Intralinks};

use crate::advice::{CliResult, Status, err};
use crate::context::Context;
use crate::output::{self, Output, say};

/// The commands about folders and documents.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a workspace's folders as a tree (`folders WS`), or create, rename, move, delete or note one.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Folders {
        /// Workspace id, to show its folders.
        #[arg(required = true)]
        workspace: Option<i64>,
        /// Create, rename, move, delete or note a folder.
        #[command(subcommand)]
        action: Option<FoldersCmd>,
    },
    /// List documents, all or those in one folder (`documents WS`), or rename, move, delete or note one.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Documents {
        /// Workspace id, to list its documents.
        #[arg(required = true)]
        workspace: Option<i64>,
        /// Only the documents directly in this folder.
        #[arg(long)]
        folder: Option<i64>,
        /// Rename, move, delete or note a document.
        #[command(subcommand)]
        action: Option<DocumentsCmd>,
    },
}

/// `folders` subcommands.
#[derive(Debug, Subcommand)]
pub enum FoldersCmd {
    /// Create a folder (its parent must exist; nothing when it exists already).
    Create {
        /// Workspace id.
        workspace: i64,
        /// Its path: the parent's path, '/', its name.
        path: String,
        /// Its note.
        #[arg(long)]
        note: Option<String>,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Rename a folder.
    Rename {
        /// Workspace id.
        workspace: i64,
        /// The folder: its path, or its id.
        folder: String,
        /// Its new name.
        new_name: String,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Move a folder, with everything in it, into another folder.
    Move {
        /// Workspace id.
        workspace: i64,
        /// The folder: its path, or its id.
        folder: String,
        /// The folder to move it into: its path, or its id.
        into: String,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete a folder (one that is not empty only with --with-contents).
    Delete {
        /// Workspace id.
        workspace: i64,
        /// The folder: its path, or its id.
        folder: String,
        /// Delete everything in it too.
        #[arg(long)]
        with_contents: bool,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Set a folder's note ("" removes it).
    Note {
        /// Workspace id.
        workspace: i64,
        /// The folder: its path, or its id.
        folder: String,
        /// The note.
        text: String,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `documents` subcommands.
#[derive(Debug, Subcommand)]
pub enum DocumentsCmd {
    /// Rename a document.
    Rename {
        /// Workspace id.
        workspace: i64,
        /// The document: its path (its folder's path, '/', its name), or its id.
        document: String,
        /// Its new name.
        new_name: String,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Move a document into another folder.
    Move {
        /// Workspace id.
        workspace: i64,
        /// The document: its path, or its id.
        document: String,
        /// The folder to move it into: its path, or its id.
        into: String,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete a document.
    Delete {
        /// Workspace id.
        workspace: i64,
        /// The document: its path, or its id.
        document: String,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Set a document's note ("" removes it).
    Note {
        /// Workspace id.
        workspace: i64,
        /// The document: its path, or its id.
        document: String,
        /// The note.
        text: String,
        /// Show what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
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
            Command::Folders {
                action: Some(action),
                ..
            } => folders(ctx, il, action).await,
            Command::Documents {
                action: Some(action),
                ..
            } => documents(ctx, il, action).await,
            Command::Folders {
                workspace: Some(workspace),
                ..
            } => {
                let folders = ctx
                    .in_workspace(workspace, || il.folders(workspace))
                    .await?;
                if ctx.out.json {
                    return ctx.out.print_json(&folders);
                }
                print_tree(&ctx.out, &folders)
            }
            Command::Documents {
                workspace: Some(workspace),
                folder,
                ..
            } => {
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
                            document_folder(d)
                                .map(|p| p.to_string())
                                .unwrap_or_default(),
                            output::date(d.last_modified_on.or(d.created_on)),
                        ]
                    },
                )
            }
            Command::Folders {
                workspace: None, ..
            } => Err("name the workspace: intralinks folders WS".into()),
            Command::Documents {
                workspace: None, ..
            } => Err("name the workspace: intralinks documents WS".into()),
        }
    }
}

/// A room's folders and documents as just listed.
struct Room {
    workspace: i64,
    folders: Vec<Folder>,
    documents: Vec<Document>,
    paths: FolderPaths,
}

impl Room {
    /// Lists the room: entering it as the flags allow, or with `dry_run`
    /// without entering it (entering may mail a one-time password).
    async fn look(ctx: &Context, il: &Intralinks, ws: i64, dry_run: bool) -> CliResult<Room> {
        let list = || async { futures_util::try_join!(il.folders(ws), il.documents(ws, None)) };
        let (folders, documents) = if dry_run {
            list().await.map_err(|e| match e {
                Error::EntryRequired { .. } => err(e).with_hint(format!(
                    "a dry run does not enter a room (entering may mail a one-time password): run `intralinks enter {ws}` first"
                )),
                e => err(e),
            })?
        } else {
            ctx.in_workspace(ws, list).await?
        };
        let paths = FolderPaths::new(&folders);
        Ok(Room {
            workspace: ws,
            folders,
            documents,
            paths,
        })
    }

    fn folder_path(&self, id: i64) -> String {
        self.paths.segments(id).join("/")
    }

    fn document_path(&self, d: &Document) -> String {
        let mut names = document_folder(d)
            .map(|f| self.paths.segments(f))
            .unwrap_or_default();
        names.push(d.name.clone().unwrap_or_default());
        names.join("/")
    }

    /// The folder `arg` names: an id (digits) that is a folder's, else a path.
    fn folder(&self, arg: &str) -> CliResult<&Folder> {
        if let Ok(id) = arg.trim().parse::<i64>()
            && let Some(f) = self.folders.iter().find(|f| f.id == id)
        {
            return Ok(f);
        }
        one(
            folders_at(&self.folders, arg),
            "folder",
            arg,
            self.workspace,
        )
    }

    /// The document `arg` names: an id (digits) that is a document's, else a path.
    fn document(&self, arg: &str) -> CliResult<&Document> {
        if let Ok(id) = arg.trim().parse::<i64>()
            && let Some(d) = self.documents.iter().find(|d| d.id == id)
        {
            return Ok(d);
        }
        one(
            documents_at(&self.folders, &self.documents, arg),
            "document",
            arg,
            self.workspace,
        )
    }

    /// What is directly and indirectly in folder `id`: (folders, documents).
    fn contents(&self, id: i64) -> (usize, usize) {
        let inside = |f: i64| f != id && self.paths.forest().shown_chain(f).contains(&id);
        let folders = self.folders.iter().filter(|f| inside(f.id)).count();
        let documents = self
            .documents
            .iter()
            .filter(|d| document_folder(d).is_some_and(|f| f == id || inside(f)))
            .count();
        (folders, documents)
    }
}

/// The one entity found at `arg`, or why there is none.
fn one<'a, T: HasId>(found: Vec<&'a T>, what: &str, arg: &str, ws: i64) -> CliResult<&'a T> {
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "no {what} {} in workspace {ws}: check the path (names from the top, separated by '/'; `intralinks folders {ws}` shows them) or give its id",
            output::safe(arg)
        )
        .into()),
        many => Err(format!(
            "{} {what}s are at {} (ids {}): name one by its id",
            many.len(),
            output::safe(arg),
            many.iter()
                .map(|e| e.id().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
        .into()),
    }
}

trait HasId {
    fn id(&self) -> i64;
}

impl HasId for Folder {
    fn id(&self) -> i64 {
        self.id
    }
}

impl HasId for Document {
    fn id(&self) -> i64 {
        self.id
    }
}

/// Prints what was done, or with `dry_run` what would be.
fn report(out: &Output, dry_run: bool, line: &str) -> CliResult {
    if dry_run {
        say!(out, "dry run, nothing sent; would make:")?;
    }
    say!(out, "{line}")
}

fn note_detail(text: &str) -> String {
    if text.is_empty() {
        "note removed".into()
    } else {
        format!("note {}", output::safe(text))
    }
}

/// Runs a `folders` subcommand.
async fn folders(ctx: &Context, il: &Intralinks, what: FoldersCmd) -> CliResult {
    match what {
        FoldersCmd::Create {
            workspace,
            path,
            note,
            dry_run,
        } => {
            let mut names = path_names(&path);
            let name = names
                .pop()
                .ok_or("name the folder: its parent's path, '/', its name")?;
            check_name(name).map_err(err)?;
            let room = Room::look(ctx, il, workspace, dry_run).await?;
            if !folders_at(&room.folders, &path).is_empty() {
                return say!(
                    ctx.out,
                    "nothing to do: folder {} exists",
                    output::safe(&names_joined(&names, name))
                );
            }
            let parent = if names.is_empty() {
                None
            } else {
                let parent_path = names.join("/");
                Some(room.folder(&parent_path).map_err(|e| {
                    e.with_hint(format!(
                        "create the parent first: intralinks folders create {workspace} {:?}",
                        parent_path
                    ))
                })?)
            };
            let line = format!("  + folder {}", output::safe(&names_joined(&names, name)));
            if !dry_run {
                il.create_folder(workspace, name, parent.map(|p| p.id), note.as_deref())
                    .await
                    .map_err(err)?;
            }
            report(&ctx.out, dry_run, &line)
        }
        FoldersCmd::Rename {
            workspace,
            folder,
            new_name,
            dry_run,
        } => {
            check_name(&new_name).map_err(err)?;
            let room = Room::look(ctx, il, workspace, dry_run).await?;
            let f = room.folder(&folder)?;
            let line = format!(
                "  ~ folder {} (renamed {})",
                output::safe(&room.folder_path(f.id)),
                output::safe(&new_name)
            );
            if !dry_run {
                il.update_folder(workspace, f, &Edit::rename(new_name))
                    .await
                    .map_err(err)?;
            }
            report(&ctx.out, dry_run, &line)
        }
        FoldersCmd::Move {
            workspace,
            folder,
            into,
            dry_run,
        } => {
            let room = Room::look(ctx, il, workspace, dry_run).await?;
            let f = room.folder(&folder)?;
            let to = room.folder(&into)?;
            if to.id == f.id || room.paths.forest().shown_chain(to.id).contains(&f.id) {
                return Err(format!(
                    "folder {} cannot move into itself or a folder inside it; name another folder",
                    output::safe(&room.folder_path(f.id))
                )
                .into());
            }
            let line = format!(
                "  ~ folder {} (moved into {})",
                output::safe(&room.folder_path(f.id)),
                output::safe(&room.folder_path(to.id))
            );
            if !dry_run {
                il.update_folder(workspace, f, &Edit::move_to(to.id))
                    .await
                    .map_err(err)?;
            }
            report(&ctx.out, dry_run, &line)
        }
        FoldersCmd::Delete {
            workspace,
            folder,
            with_contents,
            dry_run,
        } => {
            let room = Room::look(ctx, il, workspace, dry_run).await?;
            let f = room.folder(&folder)?;
            let path = room.folder_path(f.id);
            let (folders, documents) = room.contents(f.id);
            let inside = folders + documents > 0;
            if inside && !with_contents {
                return Err(format!(
                    "folder {} is not empty ({folders} folder(s), {documents} document(s) in it); nothing was deleted: pass --with-contents to delete it and everything in it",
                    output::safe(&path)
                )
                .into());
            }
            let line = if inside {
                format!(
                    "  - folder {} (with {folders} folder(s) and {documents} document(s) in it)",
                    output::safe(&path)
                )
            } else {
                format!("  - folder {}", output::safe(&path))
            };
            if !dry_run {
                il.delete_folder(workspace, f, with_contents)
                    .await
                    .map_err(err)?;
            }
            report(&ctx.out, dry_run, &line)
        }
        FoldersCmd::Note {
            workspace,
            folder,
            text,
            dry_run,
        } => {
            let room = Room::look(ctx, il, workspace, dry_run).await?;
            let f = room.folder(&folder)?;
            let line = format!(
                "  ~ folder {} ({})",
                output::safe(&room.folder_path(f.id)),
                note_detail(&text)
            );
            if !dry_run {
                il.update_folder(workspace, f, &Edit::note(text))
                    .await
                    .map_err(err)?;
            }
            report(&ctx.out, dry_run, &line)
        }
    }
}

fn names_joined(parents: &[&str], name: &str) -> String {
    let mut all: Vec<&str> = parents.to_vec();
    all.push(name);
    all.join("/")
}

/// Runs a `documents` subcommand.
async fn documents(ctx: &Context, il: &Intralinks, what: DocumentsCmd) -> CliResult {
    let (workspace, arg, dry_run) = match &what {
        DocumentsCmd::Rename {
            workspace,
            document,
            dry_run,
            ..
        }
        | DocumentsCmd::Move {
            workspace,
            document,
            dry_run,
            ..
        }
        | DocumentsCmd::Delete {
            workspace,
            document,
            dry_run,
        }
        | DocumentsCmd::Note {
            workspace,
            document,
            dry_run,
            ..
        } => (*workspace, document.clone(), *dry_run),
    };
    if let DocumentsCmd::Rename { new_name, .. } = &what {
        check_name(new_name).map_err(err)?;
    }
    let room = Room::look(ctx, il, workspace, dry_run).await?;
    let d = room.document(&arg)?;
    let path = output::safe(&room.document_path(d)).into_owned();
    let (line, edit) = match what {
        DocumentsCmd::Rename { new_name, .. } => (
            format!("  ~ document {path} (renamed {})", output::safe(&new_name)),
            Some(Edit::rename(new_name)),
        ),
        DocumentsCmd::Move { into, .. } => {
            let to = room.folder(&into)?;
            (
                format!(
                    "  ~ document {path} (moved into {})",
                    output::safe(&room.folder_path(to.id))
                ),
                Some(Edit::move_to(to.id)),
            )
        }
        DocumentsCmd::Note { text, .. } => (
            format!("  ~ document {path} ({})", note_detail(&text)),
            Some(Edit::note(text)),
        ),
        DocumentsCmd::Delete { .. } => (format!("  - document {path}"), None),
    };
    if !dry_run {
        match &edit {
            Some(edit) => il
                .update_document(workspace, d, edit)
                .await
                .map(|_| ())
                .map_err(err)?,
            None => il.delete_document(workspace, d).await.map_err(err)?,
        }
    }
    report(&ctx.out, dry_run, &line)
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
