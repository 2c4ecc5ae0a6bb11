//! Local names for what the server calls things, and where every folder goes.
//!
//! A name from the server is data from someone else. It becomes one safe
//! path component ([`intralinks_ext::fsname::safe_component`]), in Unicode NFC, with
//! control and bidirectional-override characters replaced; names that tools
//! act on (`.git`, `.hg`, `.svn`, `.bzr`, `.jj` in any case) and the
//! engine's own state directory are renamed visibly with a leading `_`.
//! Siblings are compared after NFC and case folding, so `Ä` spelt NFC and
//! NFD, or `Report` and `REPORT`, never become two look-alike files.

use std::collections::{HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;

use intralinks_ext::api::types::Document;

use super::room::{Room, RoomDoc, RoomFolder, Str, Strings};

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
            if intralinks_ext::text::is_bidi_control(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut safe = intralinks_ext::fsname::safe_component(&nfc);
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
    file_name(doc.id, doc.name.as_deref(), doc.extension.as_deref())
}

/// [`document_file_name`] of a document's parts.
pub(crate) fn file_name(id: i64, name: Option<&str>, extension: Option<&str>) -> String {
    let name = name.map_or_else(|| format!("document-{id}"), str::to_string);
    match extension.map(|e| e.trim_start_matches('.')) {
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

/// Where every folder and document of a room goes. The documents are kept
/// once, compactly: each with the index of its directory and its local
/// name; a path is built when it is asked for.
#[derive(Debug, Default)]
pub struct Layout {
    /// Folder id → relative directory (components joined by `/`; "" for the root).
    pub folders: HashMap<i64, String>,
    /// Renamed entries, orphans and broken cycles.
    pub notices: Vec<Notice>,
    /// The placed documents in id order (no id twice).
    pub(crate) docs: Vec<RoomDoc>,
    /// Each document's directory: an index into `dirs`.
    dir_of: Vec<u32>,
    /// Each document's local name, in `strings`.
    local: Vec<Str>,
    /// The directories documents are in ("" first).
    dirs: Vec<Box<str>>,
    /// The documents' strings and their local names.
    pub(crate) strings: Strings,
}

impl Layout {
    /// How many documents are placed.
    pub fn document_count(&self) -> usize {
        self.docs.len()
    }

    /// Every placed document's id and relative path, in id order.
    #[cfg(test)]
    pub fn documents(&self) -> impl Iterator<Item = (i64, String)> + '_ {
        (0..self.docs.len()).map(|i| (self.docs[i].id, self.path(i)))
    }

    /// The relative path of document `i` (in id order).
    pub(crate) fn path(&self, i: usize) -> String {
        let dir = self.dirs.get(self.dir_of[i] as usize).map_or("", |d| d);
        join(dir, self.strings.get(self.local[i]))
    }

    /// Document `i`'s `fileHashDownload`.
    pub(crate) fn hash(&self, i: usize) -> Option<&str> {
        self.strings.opt(self.docs[i].hash)
    }

    /// The directories documents are in, by index ("" first).
    pub(crate) fn dir_paths(&self) -> &[Box<str>] {
        &self.dirs
    }

    /// The index of document `i`'s directory in [`Layout::dir_paths`].
    pub(crate) fn dir_index(&self, i: usize) -> usize {
        self.dir_of[i] as usize
    }

    /// Document `i`'s version.
    pub(crate) fn version(&self, i: usize) -> Option<&str> {
        self.strings.opt(self.docs[i].version)
    }

    /// The paths of the placed documents, to look paths up in.
    pub(crate) fn wanted(&self) -> Wanted<'_> {
        let dirs = self
            .dirs
            .iter()
            .enumerate()
            .map(|(i, d)| (&**d, i as u32))
            .collect();
        let mut by_path: Vec<u32> = (0..self.docs.len() as u32).collect();
        by_path.sort_by(|&a, &b| self.key(a).cmp(&self.key(b)));
        Wanted {
            layout: self,
            dirs,
            by_path,
        }
    }

    fn key(&self, i: u32) -> (u32, &str) {
        let i = i as usize;
        (self.dir_of[i], self.strings.get(self.local[i]))
    }
}

/// The placed documents' paths, for look-ups.
pub(crate) struct Wanted<'a> {
    layout: &'a Layout,
    dirs: HashMap<&'a str, u32>,
    by_path: Vec<u32>,
}

/// A `/`-separated relative path as its parent directory's path (empty at
/// the top) and its last component: the one way the engine splits paths.
pub(crate) fn split_parent(rel: &str) -> (&str, &str) {
    match rel.rfind('/') {
        Some(i) => (&rel[..i], &rel[i + 1..]),
        None => ("", rel),
    }
}

impl Wanted<'_> {
    /// The layout the paths are of.
    pub fn layout(&self) -> &Layout {
        self.layout
    }

    /// Whether a document is placed at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.at(path).is_some()
    }

    /// The document placed at `path` (its index, in id order), if any.
    pub fn at(&self, path: &str) -> Option<usize> {
        let (dir, name) = split_parent(path);
        let &dir = self.dirs.get(dir)?;
        self.by_path
            .binary_search_by(|&i| self.layout.key(i).cmp(&(dir, name)))
            .ok()
            .map(|k| self.by_path[k] as usize)
    }
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
#[cfg(test)]
pub(crate) fn layout(
    folders: &[intralinks_ext::api::types::Folder],
    documents: &[Document],
    top: Option<i64>,
) -> Layout {
    place(Room::from_api(folders, documents), top)
}

/// [`layout`] of the compact room, which it keeps (no copy).
pub(crate) fn place(room: Room, top: Option<i64>) -> Layout {
    let Room {
        folders,
        folder_strings,
        documents: mut docs,
        strings,
    } = room;
    let folder_name = |f: &RoomFolder| folder_strings.opt(f.name);
    let forest = intralinks_ext::tree::Forest::new(folders.iter().map(|f| (f.id, f.parent)));
    let mut sorted: Vec<&RoomFolder> = folders.iter().collect();
    sorted.sort_by_key(|f| f.id);
    sorted.dedup_by_key(|f| f.id);
    // Children by the parent their path shows, each list in id order.
    let mut children: HashMap<Option<i64>, Vec<&RoomFolder>> = HashMap::new();
    for f in &sorted {
        children
            .entry(forest.shown_parent(f.id))
            .or_default()
            .push(f);
    }
    let mut notices = Vec::new();
    let mut out = Layout::default();
    let mut names: HashMap<String, DirNames> = HashMap::new();
    names.entry(String::new()).or_default().reserve(STATE_DIR);
    let mut placed: HashSet<i64> = HashSet::new();

    // Places the subtree below `start` (shown children, no recursion).
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
                    .claim(folder_name(f).unwrap_or("folder"), f.id);
                let path = join(&dir, &claimed.name);
                if let Some(why) = claimed.changed {
                    out.notices.push(Notice {
                        id: f.id,
                        path: path.clone(),
                        what: format!("folder {:?} renamed: {why}", folder_name(f).unwrap_or("")),
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
            // Roots, orphans, broken cycles and slices too deep, in id order.
            place(None, String::new(), &mut out, &mut names, &mut placed);
        }
        Some(top) => {
            placed.insert(top);
            out.folders.insert(top, String::new());
            place(Some(top), String::new(), &mut out, &mut names, &mut placed);
            // Folders of the subtree too deep to show below it go to its top.
            let mut inside: HashSet<i64> = HashSet::from([top]);
            for &id in forest.top_down() {
                if forest.parent(id).is_some_and(|p| inside.contains(&p)) {
                    inside.insert(id);
                }
            }
            for (id, why) in forest.moved() {
                if why != intralinks_ext::tree::Placed::TooDeep
                    || !inside.contains(&id)
                    || placed.contains(&id)
                {
                    continue;
                }
                let Some(f) = sorted
                    .binary_search_by_key(&id, |f| f.id)
                    .ok()
                    .and_then(|at| sorted.get(at))
                else {
                    continue;
                };
                placed.insert(id);
                let claimed = names
                    .entry(String::new())
                    .or_default()
                    .claim(folder_name(f).unwrap_or("folder"), f.id);
                out.folders.insert(id, claimed.name.clone());
                place(Some(id), claimed.name, &mut out, &mut names, &mut placed);
            }
        }
    }
    for (id, why) in forest.moved() {
        if let (Some(path), Some(what)) = (out.folders.get(&id), why.notice())
            && (top.is_none() || why == intralinks_ext::tree::Placed::TooDeep)
        {
            notices.push(Notice {
                id,
                path: path.clone(),
                what: what.into(),
            });
        }
    }
    out.folders.remove(&-1);
    drop((children, sorted, forest));

    // The directories documents can be in: "" first, then every folder's.
    let mut dir_index: HashMap<i64, u32> = HashMap::with_capacity(out.folders.len());
    out.dirs.push("".into());
    for (&id, path) in &out.folders {
        if path.is_empty() {
            dir_index.insert(id, 0);
        } else {
            dir_index.insert(id, out.dirs.len() as u32);
            out.dirs.push(path.as_str().into());
        }
    }
    docs.sort_by_key(|d| d.id);
    docs.dedup_by_key(|d| d.id);
    // Orphans go to the top of the whole room; outside a subtree, nowhere.
    let mut orphans: HashSet<i64> = HashSet::new();
    docs.retain(|d| match d.parent.and_then(|p| dir_index.get(&p)) {
        Some(_) => true,
        None if top.is_some() => false,
        None => {
            orphans.insert(d.id);
            true
        }
    });
    docs.shrink_to_fit();
    out.dir_of = docs
        .iter()
        .map(|d| {
            d.parent
                .and_then(|p| dir_index.get(&p))
                .copied()
                .unwrap_or(0)
        })
        .collect();
    drop(dir_index);
    out.docs = docs;
    out.strings = strings;
    out.local = vec![Str::default(); out.docs.len()];
    // Each directory's documents claim their names together, in id order;
    // a directory's names are dropped once its documents are placed.
    let mut order: Vec<u32> = (0..out.docs.len() as u32).collect();
    order.sort_by_key(|&i| out.dir_of[i as usize]);
    let mut at = 0;
    while at < order.len() {
        let dir = out.dir_of[order[at] as usize];
        let end = at + order[at..].partition_point(|&i| out.dir_of[i as usize] == dir);
        let dir_path: String = out.dirs[dir as usize].to_string();
        let mut taken = names.remove(&dir_path).unwrap_or_default();
        for &i in &order[at..end] {
            let i = i as usize;
            let doc = out.docs[i];
            let server = out.strings.opt(doc.name).map(str::to_string);
            let file = file_name(doc.id, server.as_deref(), out.strings.opt(doc.extension));
            let claimed = taken.claim(&file, doc.id);
            let same = doc
                .name
                .filter(|_| server.as_deref() == Some(claimed.name.as_str()));
            out.local[i] = match same.or_else(|| out.strings.push(&claimed.name)) {
                Some(s) => s,
                None => continue,
            };
            let path = join(&dir_path, &claimed.name);
            if let Some(why) = claimed.changed {
                out.notices.push(Notice {
                    id: doc.id,
                    path: path.clone(),
                    what: format!(
                        "document {:?} renamed: {why}",
                        server.as_deref().unwrap_or("")
                    ),
                });
            }
            if orphans.contains(&doc.id) {
                notices.push(Notice {
                    id: doc.id,
                    path,
                    what: "document's folder is not in the room; placed at the top".into(),
                });
            }
        }
        at = end;
    }
    drop((order, names));
    out.strings.shrink();
    out.notices.extend(notices);
    out.notices
        .sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use intralinks_ext::api::types::Folder;

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
    fn clashes_after_unsafe_characters_get_the_id() {
        let mut names = DirNames::default();
        assert_eq!(names.claim("Report.pdf", 1).name, "Report.pdf");
        assert_eq!(names.claim("report.PDF", 2).name, "report (2).PDF");
        assert_eq!(names.claim("a/b", 3).name, "a_b");
        assert_eq!(names.claim("a\\b", 4).name, "a_b (4)");
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
        let paths: Vec<String> = l.documents().map(|(_, p)| p).collect();
        assert_eq!(paths, ["A/B/in-cycle.txt", "Lost/lost.txt"]);
        let what: Vec<(i64, &str)> = l.notices.iter().map(|n| (n.id, n.path.as_str())).collect();
        assert_eq!(what, [(10, "A"), (12, "Lost"), (14, "Self")]);
    }

    #[test]
    fn a_chain_100000_deep_is_laid_out_in_slices_of_64() {
        let n = 100_000i64;
        let folders: Vec<Folder> = (1..=n)
            .map(|i| folder(i, (i > 1).then(|| i - 1), "d"))
            .collect();
        let docs = vec![doc(1_000_000, n, "deep.txt")];
        let l = layout(&folders, &docs, None);
        assert_eq!(l.folders[&64].split('/').count(), 64);
        assert_eq!(l.folders[&65], "d (65)");
        assert_eq!(
            l.documents().next().unwrap().1.split('/').count(),
            ((n - 1) % 64 + 1) as usize + 1
        );
        let deep = l
            .notices
            .iter()
            .filter(|n| n.what.contains("64 levels"))
            .count();
        assert_eq!(deep, (n as usize - 1) / 64);
        // Below a folder of the chain, the slices stay inside the subtree.
        let sub = layout(&folders, &docs, Some(n - 100));
        assert_eq!(sub.folders.len(), 101);
        assert_eq!(sub.document_count(), 1);
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
        let paths: Vec<String> = l.documents().map(|(_, p)| p).collect();
        assert_eq!(paths, ["Sub/x.txt", "_.git"]);
    }
}
