//! `intralinks mirror`: a whole data room into a directory.
//!
//! Folders become directories, documents are fetched concurrently and each
//! is verified; every name from the server goes through
//! [`intralinks_ext::fsname`] so nothing escapes or collides inside the
//! directory. A manifest (`.intralinks-mirror.json`) records what was fetched
//! at which version, so a rerun fetches only what is missing or changed.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt;
use intralinks_ext::fsname::DirNames;
use intralinks_ext::types::{Document, Folder};
use intralinks_ext::{Checked, Error, Intralinks, Result};
use serde::{Deserialize, Serialize};

/// The manifest's file name inside the mirror directory.
pub const MANIFEST: &str = ".intralinks-mirror.json";

/// What a mirror run did.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Folders in the workspace.
    pub folders: usize,
    /// Documents in the workspace.
    pub documents: usize,
    /// Documents downloaded this run.
    pub fetched: usize,
    /// Documents already present and current.
    pub up_to_date: usize,
    /// Bytes downloaded this run.
    pub bytes_fetched: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    workspace_id: i64,
    documents: BTreeMap<i64, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Entry {
    path: String,
    version: Option<String>,
    sha1: String,
    size: u64,
}

/// The document's file name: its name, with its extension when the name lacks it.
pub fn file_name(doc: &Document) -> String {
    let name = doc
        .name
        .clone()
        .unwrap_or_else(|| format!("document-{}", doc.id));
    match doc.extension.as_deref().map(|e| e.trim_start_matches('.')) {
        Some(ext)
            if !ext.is_empty()
                && !name
                    .to_lowercase()
                    .ends_with(&format!(".{}", ext.to_lowercase())) =>
        {
            format!("{name}.{ext}")
        }
        _ => name,
    }
}

/// Relative directory of every folder, names made safe and unique per parent.
/// Relative directory of every folder, and the names already taken in each
/// directory (keyed by its relative path), for the documents to continue from.
fn folder_paths(folders: &[Folder]) -> (HashMap<i64, PathBuf>, HashMap<PathBuf, DirNames>) {
    let ids: std::collections::HashSet<i64> = folders.iter().map(|f| f.id).collect();
    let mut by_parent: BTreeMap<Option<i64>, Vec<&Folder>> = BTreeMap::new();
    for f in folders {
        by_parent
            .entry(f.parent_id.filter(|p| ids.contains(p)))
            .or_default()
            .push(f);
    }
    let mut paths = HashMap::new();
    let mut names: HashMap<PathBuf, DirNames> = HashMap::new();
    let mut queue = vec![(None::<i64>, PathBuf::new())];
    while let Some((parent, base)) = queue.pop() {
        let Some(list) = by_parent.get(&parent) else {
            continue;
        };
        let mut list = list.clone();
        list.sort_by_key(|f| f.id);
        for f in list {
            let name = names
                .entry(base.clone())
                .or_default()
                .claim(f.name.as_deref().unwrap_or("folder"), f.id);
            let path = base.join(name);
            paths.insert(f.id, path.clone());
            queue.push((Some(f.id), path));
        }
    }
    (paths, names)
}

async fn load_manifest(dir: &Path, workspace_id: i64) -> Manifest {
    let text = tokio::fs::read_to_string(dir.join(MANIFEST))
        .await
        .unwrap_or_default();
    match serde_json::from_str::<Manifest>(&text) {
        Ok(m) if m.workspace_id == workspace_id => m,
        _ => Manifest {
            workspace_id,
            documents: BTreeMap::new(),
        },
    }
}

async fn save_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    let path = dir.join(MANIFEST);
    let text = serde_json::to_string_pretty(manifest)
        .map_err(|e| Error::InvalidInput(format!("cannot write the manifest: {e}")))?;
    let temp = dir.join(format!("{MANIFEST}.tmp"));
    tokio::fs::write(&temp, text)
        .await
        .map_err(|source| Error::Io {
            action: "cannot write",
            path: temp.clone(),
            source,
        })?;
    tokio::fs::rename(&temp, &path)
        .await
        .map_err(|source| Error::Io {
            action: "cannot write",
            path,
            source,
        })
}

/// Whether `path` already holds the document as recorded.
async fn is_current(root: &Path, entry: Option<&Entry>, doc: &Document, rel: &str) -> bool {
    let Some(entry) = entry else { return false };
    let expected = doc.file_hash_download.as_deref().unwrap_or("");
    if entry.path != rel || entry.sha1 != expected || entry.version != doc.version {
        return false;
    }
    matches!(tokio::fs::metadata(root.join(rel)).await, Ok(m) if m.len() == entry.size)
}

/// Mirrors workspace `workspace_id` into `dir` with `jobs` downloads at once.
pub async fn mirror(
    il: &Intralinks,
    workspace_id: i64,
    dir: &Path,
    jobs: usize,
    show_progress: bool,
) -> Result<Report> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|source| Error::Io {
            action: "cannot create",
            path: dir.into(),
            source,
        })?;
    let folders = il
        .api()
        .list_folders()
        .workspace_id(workspace_id)
        .send()
        .checked()
        .await?
        .folder;
    let documents = il
        .api()
        .list_documents()
        .workspace_id(workspace_id)
        .send()
        .checked()
        .await?
        .document;
    // Folders claim their names first, then documents by id.
    let (dirs, mut names) = folder_paths(&folders);
    for rel in dirs.values() {
        let path = dir.join(rel);
        tokio::fs::create_dir_all(&path)
            .await
            .map_err(|source| Error::Io {
                action: "cannot create",
                path,
                source,
            })?;
    }

    let mut docs: Vec<&Document> = documents.iter().collect();
    docs.sort_by_key(|d| d.id);
    let mut plan = Vec::new();
    for doc in docs {
        let parent = doc
            .parent_id
            .and_then(|p| dirs.get(&p))
            .cloned()
            .unwrap_or_default();
        let name = names
            .entry(parent.clone())
            .or_default()
            .claim(&file_name(doc), doc.id);
        let rel = parent.join(name);
        plan.push((doc.clone(), rel.to_string_lossy().replace('\\', "/")));
    }

    let mut manifest = load_manifest(dir, workspace_id).await;
    let mut report = Report {
        folders: folders.len(),
        documents: documents.len(),
        ..Report::default()
    };
    let mut todo = Vec::new();
    for (doc, rel) in plan {
        if is_current(dir, manifest.documents.get(&doc.id), &doc, &rel).await {
            report.up_to_date += 1;
        } else {
            todo.push((doc, rel));
        }
    }

    let multi = show_progress.then(indicatif::MultiProgress::new);
    let results = futures_util::stream::iter(todo.into_iter().map(|(doc, rel)| {
        let dest = dir.join(&rel);
        let multi = multi.clone();
        async move {
            let bar = multi.as_ref().map(|m| {
                let b = m.add(indicatif::ProgressBar::new(
                    doc.file_size.unwrap_or(0).max(0) as u64,
                ));
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{msg:30!} [{bar:25}] {bytes}/{total_bytes}",
                ) {
                    b.set_style(style.progress_chars("=> "));
                }
                b.set_message(rel.clone());
                b
            });
            let progress = bar.clone().map(|b| {
                Arc::new(move |p: intralinks_ext::Progress| b.set_position(p.done))
                    as intralinks_ext::ProgressFn
            });
            let result = il
                .download_document(workspace_id, &doc, &dest, progress)
                .await;
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            (doc, rel, result)
        }
    }))
    .buffer_unordered(jobs)
    .collect::<Vec<_>>()
    .await;

    let mut first_error = None;
    for (doc, rel, result) in results {
        match result {
            Ok(done) => {
                report.fetched += 1;
                report.bytes_fetched += done.bytes;
                manifest.documents.insert(
                    doc.id,
                    Entry {
                        path: rel,
                        version: doc.version.clone(),
                        sha1: done.sha1_base64,
                        size: done.bytes,
                    },
                );
            }
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
        }
    }
    // Keep what did arrive, even when something failed, so a rerun resumes.
    save_manifest(dir, &manifest).await?;
    match first_error {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(id: i64, parent: Option<i64>, name: &str) -> Folder {
        serde_json::from_value(serde_json::json!({"id": id, "parentId": parent, "name": name}))
            .unwrap()
    }

    #[test]
    fn hostile_folder_names_stay_inside() {
        let folders = vec![
            folder(1, None, ".."),
            folder(2, Some(1), "../../etc"),
            folder(3, None, "A"),
            folder(4, None, "a"),
        ];
        let (paths, _) = folder_paths(&folders);
        assert_eq!(paths[&1], PathBuf::from("_"));
        assert_eq!(paths[&2], PathBuf::from("_/.._.._etc"));
        assert_eq!(paths[&3], PathBuf::from("A"));
        assert_eq!(paths[&4], PathBuf::from("a (4)"));
        for p in paths.values() {
            assert!(
                p.components()
                    .all(|c| matches!(c, std::path::Component::Normal(_))),
                "{p:?}"
            );
        }
    }

    #[test]
    fn extension_is_added_once() {
        let d: Document = serde_json::from_value(
            serde_json::json!({"id": 5, "name": "Report", "extension": "pdf"}),
        )
        .unwrap();
        assert_eq!(file_name(&d), "Report.pdf");
        let d: Document = serde_json::from_value(
            serde_json::json!({"id": 5, "name": "Report.PDF", "extension": "pdf"}),
        )
        .unwrap();
        assert_eq!(file_name(&d), "Report.PDF");
    }
}
