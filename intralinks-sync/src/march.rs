//! The one pairing of a local tree with the room, under push and diff.
//!
//! The room compares names after case folding and NFC, so a local name is
//! paired with the room's entry that the room would take it for: exactly
//! equal first, else equal once folded. Of two local names the room would
//! take for one, one is kept (the one the room has by that exact name, else
//! the first) and the other is set aside with the reason (a directory with
//! everything in it): a push never makes two documents or folders of what
//! the room holds as one, and a diff reports what a push would do.
//!
//! The mirror needs no pairing: it writes the names the layout gives
//! ([`super::names::place`]), so its local paths are the layout's.

use std::collections::{BTreeMap, HashMap};

use super::local::Found;
use super::names::{Layout, fold_key};

/// A path as the room compares it: each component case-folded, NFC.
pub(crate) fn fold_path(rel: &str) -> String {
    rel.split('/').map(fold_key).collect::<Vec<_>>().join("/")
}

/// The local tree and the room, paired.
#[derive(Debug, Default)]
pub(crate) struct Marched {
    /// Local directories kept (parents first), at most one per folder name
    /// the room holds.
    pub dirs: Vec<String>,
    /// Local directory → the room's folder the room takes it for.
    pub remote_dirs: HashMap<String, i64>,
    /// Local files kept, each with the room's document it is paired with
    /// (its index in the layout), when the room has one.
    pub files: Vec<(Found, Option<usize>)>,
    /// The room's documents no local file is paired with: their paths in
    /// the layout and their indices, sorted by path.
    pub remote_only: Vec<(String, usize)>,
}

/// Pairs `dirs` and `files` (as walked, parents first) with the room's
/// `plan`; what is set aside goes to `skipped`, with the reason (in which
/// `done` says what was not done with it: "pushed", "compared").
pub(crate) fn march(
    mut dirs: Vec<String>,
    files: Vec<Found>,
    plan: &Layout,
    done: &str,
    skipped: &mut Vec<String>,
) -> Marched {
    let mut remote_dirs: HashMap<String, i64> = plan
        .folders
        .iter()
        .map(|(id, p)| (p.clone(), *id))
        .collect();
    // Path → the document's index in the layout (which keeps it once).
    let mut remote_docs: BTreeMap<String, usize> = (0..plan.document_count())
        .map(|i| (plan.path(i), i))
        .collect();

    // Two local directories the room would take for one: the one it has
    // by that exact name (else the first) is kept, the other set aside
    // with everything in it.
    let dir_kept = keepers(dirs.iter(), |d| remote_dirs.contains_key(d));
    let dropped: Vec<(String, String)> = dirs
        .iter()
        .filter_map(|d| {
            let kept = &dir_kept[&fold_path(d)];
            (kept != d).then(|| (d.clone(), kept.clone()))
        })
        .collect();
    let under = |p: &str, d: &str| p == d || p.starts_with(&format!("{d}/"));
    for (d, kept) in &dropped {
        skipped.push(format!(
            "{d} (the room takes it for {kept}: names that differ only in case or Unicode form are one folder there; nothing in it was {done})"
        ));
    }
    dirs.retain(|d| !dropped.iter().any(|(x, _)| under(d, x)));
    let mut files: Vec<Found> = files
        .into_iter()
        .filter(|f| {
            let inside = dropped.iter().find(|(x, _)| under(&f.path, x));
            if let Some((x, _)) = inside {
                skipped.push(format!("{} (in {x}, which was not {done})", f.path));
            }
            inside.is_none()
        })
        .collect();

    // A local directory whose name differs from the room's folder only so
    // is that folder.
    let folded_dirs: HashMap<String, i64> = remote_dirs
        .iter()
        .map(|(p, id)| (fold_path(p), *id))
        .collect();
    for d in &dirs {
        if !remote_dirs.contains_key(d)
            && let Some(id) = folded_dirs.get(&fold_path(d))
        {
            remote_dirs.insert(d.clone(), *id);
        }
    }

    // Two local files the room would take for one: the same rule.
    let file_kept = keepers(files.iter().map(|f| &f.path), |p| {
        remote_docs.contains_key(p)
    });
    files.retain(|f| {
        let kept = &file_kept[&fold_path(&f.path)];
        if kept != &f.path {
            skipped.push(format!(
                "{} (the room takes it for {kept}: names that differ only in case or Unicode form are one document there)",
                f.path
            ));
            return false;
        }
        true
    });

    // Each kept file with the document at its exact name, else at its
    // folded name.
    let folded_docs: HashMap<String, String> = remote_docs
        .keys()
        .map(|p| (fold_path(p), p.clone()))
        .collect();
    let files = files
        .into_iter()
        .map(|f| {
            let at = if remote_docs.contains_key(&f.path) {
                Some(f.path.clone())
            } else {
                folded_docs.get(&fold_path(&f.path)).cloned()
            };
            let doc = at.and_then(|p| remote_docs.remove(&p));
            (f, doc)
        })
        .collect();
    Marched {
        dirs,
        remote_dirs,
        files,
        remote_only: remote_docs.into_iter().collect(),
    }
}

/// Folded name → the one local name kept for it: the one the room has by
/// that exact name (`in_room`), else the first.
fn keepers<'a>(
    names: impl Iterator<Item = &'a String>,
    in_room: impl Fn(&str) -> bool,
) -> HashMap<String, String> {
    let mut kept: HashMap<String, String> = HashMap::new();
    for name in names {
        let key = fold_path(name);
        match kept.get(&key) {
            Some(k) if in_room(k) || !in_room(name) => {}
            _ => {
                kept.insert(key, name.clone());
            }
        }
    }
    kept
}
