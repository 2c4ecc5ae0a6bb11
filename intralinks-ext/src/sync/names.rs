//! Local names for what the server calls things, and where every folder goes.
//!
//! A name from the server is data from someone else. It becomes one safe
//! path component ([`crate::fsname::safe_component`]), in Unicode NFC, with
//! control and bidirectional-override characters replaced; names that tools
//! act on (`.git`, `.hg`, `.svn`, `.bzr`, `.jj` in any case) and the
//! engine's own state directory are renamed visibly with a leading `_`.
//! Siblings are compared after NFC and case folding, so `Ä` spelt NFC and
//! NFD, or `Report` and `REPORT`, never become two look-alike files.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;

use intralinks_api::types::{Document, Folder};

/// The engine's state directory inside every sync target.
pub const STATE_DIR: &str = ".intralinks-sync";

/// Names no server may create: version-control metadata that tools run
/// code from, and the engine's own state. Compared after case folding.
const TOOL_ACTIVE: [&str; 7] = [
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".jj",
    STATE_DIR,
    ".intralinks-mirror.json",
];

/// The comparison key of a name: NFC, then case folded.
pub fn fold_key(name: &str) -> String {
    name.nfc().collect::<String>().to_lowercase()
}

/// What became of one server name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalName {
    /// The component used on disk.
    pub name: String,
    /// Why it differs from the server's name, when it does.
    pub changed: Option<&'static str>,
}

/// One safe component for `name`, before collisions are considered.
pub fn local_component(name: &str) -> LocalName {
    let nfc: String = name
        .nfc()
        .map(|c| {
            if crate::text::is_bidi_control(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut safe = crate::fsname::safe_component(&nfc);
    let mut changed = (safe != name).then_some("characters unsafe in file names were replaced");
    let key = fold_key(&safe);
    if TOOL_ACTIVE.contains(&key.as_str()) {
        safe.insert(0, '_');
        changed = Some("the name is one tools act on, so it was renamed");
    }
    LocalName {
        name: safe,
        changed,
    }
}

/// Unique names within one directory, compared by [`fold_key`].
#[derive(Debug, Default)]
pub struct DirNames {
    taken: HashSet<String>,
}

impl DirNames {
    /// A safe name for entity `id` called `name` on the server; a clash
    /// with a sibling gets ` (id)` before the extension.
    pub fn claim(&mut self, name: &str, id: i64) -> LocalName {
        let mut local = local_component(name);
        if self.taken.insert(fold_key(&local.name)) {
            return local;
        }
        let (stem, ext) = match local.name.rfind('.') {
            Some(i) if i > 0 => local.name.split_at(i),
            _ => (local.name.as_str(), ""),
        };
        let base = format!("{stem} ({id}){ext}");
        let mut unique = base.clone();
        let mut n = 2;
        while !self.taken.insert(fold_key(&unique)) {
            unique = format!("{base}~{n}");
            n += 1;
        }
        local.name = unique;
        local.changed = Some("another entry in the folder has the same name");
        local
    }

    /// Reserves `name` (as it is) so later claims avoid it.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(fold_key(name));
    }
}

/// The document's file name: its name, with its extension when the name lacks it.
pub fn document_file_name(doc: &Document) -> String {
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

/// Something about the room's shape or names worth telling the user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// The folder or document id.
    pub id: i64,
    /// Where it was placed, relative to the target.
    pub path: String,
    /// What happened.
    pub what: String,
}

/// Where every folder and document of a room goes.
#[derive(Debug, Default)]
pub struct Layout {
    /// Folder id → relative directory (components joined by `/`; "" for the root).
    pub folders: HashMap<i64, String>,
    /// Documents in id order: (document, relative path of its file).
    pub documents: Vec<(Document, String)>,
    /// Renamed entries, orphans and broken cycles.
    pub notices: Vec<Notice>,
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Lays the room out below `top` (a folder id, or the room's root with
/// `None`). Folders claim names before documents, each in id order, so the
/// layout is the same on every run. A folder whose parent is unknown (an
/// orphan), or that sits on a cycle, is placed at the top and reported.
pub fn layout(folders: &[Folder], documents: &[Document], top: Option<i64>) -> Layout {
    let ids: BTreeSet<i64> = folders.iter().map(|f| f.id).collect();
    let mut children: BTreeMap<Option<i64>, Vec<&Folder>> = BTreeMap::new();
    let mut notices = Vec::new();
    let mut orphans = BTreeSet::new();
    for f in folders {
        let parent = match f.parent_id {
            Some(p) if p == f.id => None,
            Some(p) if ids.contains(&p) => Some(p),
            Some(_) => {
                orphans.insert(f.id);
                None
            }
            None => None,
        };
        if f.parent_id == Some(f.id) {
            orphans.insert(f.id);
        }
        children.entry(parent).or_default().push(f);
    }
    for list in children.values_mut() {
        list.sort_by_key(|f| f.id);
        list.dedup_by_key(|f| f.id);
    }
    let mut out = Layout::default();
    let mut names: HashMap<String, DirNames> = HashMap::new();
    names.entry(String::new()).or_default().reserve(STATE_DIR);
    let mut placed: HashSet<i64> = HashSet::new();

    // Walk from a folder, placing its descendants; returns nothing, fills `out`.
    let place = |start: Option<i64>,
                 base: String,
                 out: &mut Layout,
                 names: &mut HashMap<String, DirNames>,
                 placed: &mut HashSet<i64>| {
        let mut queue = vec![(start, base)];
        while let Some((parent, dir)) = queue.pop() {
            let Some(list) = children.get(&parent) else {
                continue;
            };
            for f in list {
                if !placed.insert(f.id) {
                    continue;
                }
                let claimed = names
                    .entry(dir.clone())
                    .or_default()
                    .claim(f.name.as_deref().unwrap_or("folder"), f.id);
                let path = join(&dir, &claimed.name);
                if let Some(why) = claimed.changed {
                    out.notices.push(Notice {
                        id: f.id,
                        path: path.clone(),
                        what: format!(
                            "folder {:?} renamed: {why}",
                            f.name.as_deref().unwrap_or("")
                        ),
                    });
                }
                out.folders.insert(f.id, path.clone());
                queue.push((Some(f.id), path));
            }
        }
    };

    match top {
        None => {
            out.folders.insert(-1, String::new());
            place(None, String::new(), &mut out, &mut names, &mut placed);
            // What is left sits on a cycle, or below one: break each at its
            // smallest id and place it at the top.
            while let Some(f) = folders
                .iter()
                .filter(|f| !placed.contains(&f.id))
                .min_by_key(|f| f.id)
            {
                placed.insert(f.id);
                let claimed = names
                    .entry(String::new())
                    .or_default()
                    .claim(f.name.as_deref().unwrap_or("folder"), f.id);
                out.folders.insert(f.id, claimed.name.clone());
                notices.push(Notice {
                    id: f.id,
                    path: claimed.name.clone(),
                    what: "folder is on a cycle of parents; placed at the top".into(),
                });
                place(Some(f.id), claimed.name, &mut out, &mut names, &mut placed);
            }
            for id in &orphans {
                if let Some(path) = out.folders.get(id) {
                    notices.push(Notice {
                        id: *id,
                        path: path.clone(),
                        what: "folder's parent is not in the room; placed at the top".into(),
                    });
                }
            }
        }
        Some(top) => {
            placed.insert(top);
            out.folders.insert(top, String::new());
            place(Some(top), String::new(), &mut out, &mut names, &mut placed);
        }
    }
    out.folders.remove(&-1);

    let mut docs: Vec<&Document> = documents.iter().collect();
    docs.sort_by_key(|d| d.id);
    docs.dedup_by_key(|d| d.id);
    for doc in docs {
        let parent = doc.parent_id.or(doc.folder_id);
        let dir = match (parent.and_then(|p| out.folders.get(&p)), top) {
            (Some(dir), _) => dir.clone(),
            (None, Some(_)) => continue,
            (None, None) => {
                notices.push(Notice {
                    id: doc.id,
                    path: String::new(),
                    what: "document's folder is not in the room; placed at the top".into(),
                });
                String::new()
            }
        };
        let claimed = names
            .entry(dir.clone())
            .or_default()
            .claim(&document_file_name(doc), doc.id);
        let path = join(&dir, &claimed.name);
        if let Some(why) = claimed.changed {
            out.notices.push(Notice {
                id: doc.id,
                path: path.clone(),
                what: format!(
                    "document {:?} renamed: {why}",
                    doc.name.as_deref().unwrap_or("")
                ),
            });
        }
        if let Some(n) = notices.last_mut()
            && n.id == doc.id
            && n.path.is_empty()
        {
            n.path = path.clone();
        }
        out.documents.push((doc.clone(), path));
    }
    out.notices.extend(notices);
    out.notices
        .sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(id: i64, parent: Option<i64>, name: &str) -> Folder {
        serde_json::from_value(serde_json::json!({"id": id, "parentId": parent, "name": name}))
            .unwrap()
    }

    fn doc(id: i64, parent: i64, name: &str) -> Document {
        serde_json::from_value(serde_json::json!({"id": id, "parentId": parent, "name": name}))
            .unwrap()
    }

    #[test]
    fn tool_active_names_are_renamed_in_any_case() {
        assert_eq!(local_component(".git").name, "_.git");
        assert_eq!(local_component(".GiT").name, "_.GiT");
        assert_eq!(local_component(".hg").name, "_.hg");
        assert_eq!(local_component(".SVN").name, "_.SVN");
        assert_eq!(local_component(".git. ").name, "_.git");
        assert_eq!(local_component(STATE_DIR).name, "_.intralinks-sync");
        assert_eq!(local_component(".gitignore").name, ".gitignore");
        assert_eq!(local_component(".gitignore").changed, None);
    }

    #[test]
    fn control_and_bidi_characters_are_replaced() {
        assert_eq!(local_component("a\u{202E}gnp.exe").name, "a_gnp.exe");
        assert_eq!(local_component("x\u{2066}y\u{200F}").name, "x_y_");
        assert_eq!(local_component("line\nbreak\u{7}").name, "line_break_");
    }

    #[test]
    fn nfc_and_case_collisions_get_the_id() {
        let mut names = DirNames::default();
        let nfc = "\u{00C4}pfel.txt";
        let nfd = "A\u{0308}pfel.txt";
        assert_eq!(names.claim(nfc, 1).name, nfc);
        let second = names.claim(nfd, 2);
        assert_eq!(second.name, "\u{00C4}pfel (2).txt");
        assert_eq!(
            names.claim("\u{00E4}PFEL.TXT", 3).name,
            "\u{00E4}PFEL (3).TXT"
        );
    }

    #[test]
    fn cycles_and_orphans_are_placed_at_the_top_deterministically() {
        let folders = vec![
            folder(10, Some(11), "A"),
            folder(11, Some(10), "B"),
            folder(12, Some(999), "Lost"),
            folder(13, None, "Root"),
            folder(14, Some(14), "Self"),
        ];
        let docs = vec![doc(20, 11, "in-cycle.txt"), doc(21, 12, "lost.txt")];
        let l = layout(&folders, &docs, None);
        assert_eq!(l.folders[&10], "A");
        assert_eq!(l.folders[&11], "A/B");
        assert_eq!(l.folders[&12], "Lost");
        assert_eq!(l.folders[&13], "Root");
        assert_eq!(l.folders[&14], "Self");
        let paths: Vec<&str> = l.documents.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(paths, ["A/B/in-cycle.txt", "Lost/lost.txt"]);
        let what: Vec<(i64, &str)> = l.notices.iter().map(|n| (n.id, n.path.as_str())).collect();
        assert_eq!(what, [(10, "A"), (12, "Lost"), (14, "Self")]);
    }

    #[test]
    fn a_subtree_is_laid_out_below_its_top() {
        let folders = vec![
            folder(1, None, "Top"),
            folder(2, Some(1), "Sub"),
            folder(3, None, "Other"),
        ];
        let docs = vec![doc(5, 2, "x.txt"), doc(6, 3, "y.txt"), doc(7, 1, ".git")];
        let l = layout(&folders, &docs, Some(1));
        assert_eq!(l.folders[&2], "Sub");
        assert!(!l.folders.contains_key(&3));
        let paths: Vec<&str> = l.documents.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(paths, ["Sub/x.txt", "_.git"]);
    }
}
