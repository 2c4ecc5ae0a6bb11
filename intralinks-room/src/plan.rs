//! Plans and options; [`plan`] compares a room file with the room.

use std::path::PathBuf;

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};

use intralinks_ext::types;
use intralinks_ext::{Error, FixedAnswers, Intralinks, Result};

use crate::change::{Action, Change};
use crate::diff::{diff, document_notes, template_note};
use crate::file::RoomFile;
use crate::journal::Journal;
use crate::observe::observe_for;

/// What would change in one workspace. A plan serialises (JSON, YAML) so
/// that a person can review it and [`apply_reviewed`](crate::apply_reviewed)
/// can make exactly it, or refuse: its `digest` names the workspace and the
/// changes it holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Plan {
    /// The workspace's name in the file.
    pub workspace: String,
    /// Its id, when it exists.
    pub workspace_id: Option<i64>,
    /// The changes, in the order apply makes them.
    pub changes: Vec<Change>,
    /// What the room holds that plan and apply leave alone and a person
    /// should know about (a group or folder that exists twice).
    pub notes: Vec<String>,
    /// A digest of the workspace and the changes (base64 SHA-1): two plans
    /// with the same digest make the same changes.
    pub digest: String,
}

/// The digest of a plan's workspace and changes.
pub(crate) fn digest(workspace_id: Option<i64>, changes: &[Change]) -> String {
    let text = serde_json::to_string(&(workspace_id, changes)).unwrap_or_default();
    intralinks_ext::file_hash(text.as_bytes())
}

impl Plan {
    /// Whether apply would send anything.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes of this action.
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
}

/// How plan and apply treat the room.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// Remove what the file does not name (members other than
    /// `MANAGER_PLUS`, groups, empty folders).
    pub prune: bool,
    /// What to answer when a workspace must be entered.
    pub entry: FixedAnswers,
    /// Where apply records each object it creates (see [`Journal`]).
    pub journal: Option<PathBuf>,
    /// Where apply takes its writer lock: one apply of a room (by host and
    /// workspace name) at a time on this host; a second waits for the first,
    /// then finds what it created. `None`: no lock.
    pub lock_dir: Option<PathBuf>,
}

impl Options {
    /// Options that remove (`prune`) or not, with no entry answers and no journal.
    pub fn new(prune: bool) -> Self {
        Options {
            prune,
            ..Options::default()
        }
    }

    /// The same options with these entry answers.
    pub fn with_entry(mut self, entry: FixedAnswers) -> Self {
        self.entry = entry;
        self
    }

    /// The same options with a directory for the writer lock
    /// ([`Options::lock_dir`]).
    pub fn with_lock_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.lock_dir = Some(dir.into());
        self
    }

    /// The same options with a journal file.
    pub fn with_journal(mut self, journal: impl Into<PathBuf>) -> Self {
        self.journal = Some(journal.into());
        self
    }
}

/// The workspace the file names: by id, else by exact name (the journal's
/// record first). `None`: it does not exist yet.
pub(crate) async fn resolve(
    il: &Intralinks,
    file: &RoomFile,
    journal: Option<&Journal>,
) -> Result<Option<i64>> {
    if let Some(id) = file.workspace.id {
        return Ok(Some(id));
    }
    let all: Vec<types::Workspace> = il.list_all_workspaces().try_collect().await?;
    let named: Vec<i64> = all
        .iter()
        .filter(|w| intralinks_ext::listing::workspace_name(w) == file.workspace.name)
        .map(|w| w.id)
        .collect();
    if let Some(id) = journal.and_then(|j| j.workspace(&file.workspace.name))
        && named.contains(&id)
    {
        return Ok(Some(id));
    }
    match named.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        many => Err(Error::InvalidInput(format!(
            "{} workspaces are named {:?} (ids {}); put the one you mean as `id:` under workspace in the file",
            many.len(),
            file.workspace.name,
            many.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// What [`apply`](crate::apply()) would do to make the room match `file`.
pub async fn plan(il: &Intralinks, file: &RoomFile, options: &Options) -> Result<Plan> {
    let journal = match &options.journal {
        Some(p) => Some(Journal::open(p)?),
        None => None,
    };
    let ws = resolve(il, file, journal.as_ref()).await?;
    let observed = match ws {
        Some(ws) => Some(observe_for(il, ws, &options.entry, file).await?),
        None => None,
    };
    let mut notes = Vec::new();
    if let Some(o) = &observed {
        notes.extend(o.notes.iter().cloned());
        notes.extend(template_note(file, o));
    }
    notes.extend(document_notes(file, observed.as_ref()));
    let changes = diff(file, observed.as_ref(), options.prune);
    Ok(Plan {
        workspace: file.workspace.name.clone(),
        workspace_id: ws,
        digest: digest(ws, &changes),
        changes,
        notes,
    })
}
