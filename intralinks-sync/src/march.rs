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

use std::collections::HashMap;

use super::local::Found;
use super::names::{Wanted, fold_key};

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
/// layout, by its paths (`wanted`); what is set aside goes to `skipped`,
/// with the reason (in which `done` says what was not done with it:
/// "pushed", "compared").
pub(crate) fn march(
    mut dirs: Vec<String>,
    files: Vec<Found>,
    wanted: &Wanted<'_>,
    done: &str,
    skipped: &mut Vec<String>,
) -> Marched {
    let plan = wanted.layout();
    let mut remote_dirs: HashMap<String, i64> = plan
        .folders
        .iter()
        .map(|(id, p)| (p.clone(), *id))
        .collect();
    // The documents paired so far, by index in the layout: the paths are
    // looked up in `wanted`, with no second copy of them.
    let mut paired = vec![false; plan.document_count()];

    // Two local directories the room would take for one: the one it has
    // by that exact name (else the first) is kept, the other set aside
    // with everything in it.
    let dir_kept = keepers(&dirs, |d| remote_dirs.contains_key(d));
    let dropped: Vec<(String, String)> = dirs
        .iter()
        .zip(&dir_kept)
        .filter_map(|(d, &k)| {
            let kept = &dirs[k];
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
    let file_kept = {
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        keepers(&paths, |p| wanted.contains(p))
    };
    let kept_names: Vec<Option<String>> = file_kept
        .iter()
        .enumerate()
        .map(|(i, &k)| (k != i).then(|| files[k].path.clone()))
        .collect();
    let mut set_aside = kept_names.into_iter();
    files.retain(|f| {
        let Some(kept) = set_aside.next().flatten() else {
            return true;
        };
        skipped.push(format!(
            "{} (the room takes it for {kept}: names that differ only in case or Unicode form are one document there)",
            f.path
        ));
        false
    });

    // Each kept file with the document at its exact name, else at its
    // folded name (the folded names are made only when a file needs them).
    let mut folded_docs: Option<HashMap<String, usize>> = None;
    let files = files
        .into_iter()
        .map(|f| {
            let at = match wanted.at(&f.path) {
                Some(i) => Some(i),
                None => folded_docs
                    .get_or_insert_with(|| {
                        (0..plan.document_count())
                            .map(|i| (fold_path(&plan.path(i)), i))
                            .collect()
                    })
                    .get(&fold_path(&f.path))
                    .copied(),
            };
            let doc = at.filter(|&i| !std::mem::replace(&mut paired[i], true));
            (f, doc)
        })
        .collect();
    let mut remote_only: Vec<(String, usize)> = paired
        .iter()
        .enumerate()
        .filter(|(_, p)| !**p)
        .map(|(i, _)| (plan.path(i), i))
        .collect();
    remote_only.sort_unstable();
    Marched {
        dirs,
        remote_dirs,
        files,
        remote_only,
    }
}

/// For each of `names`, the index of the one name kept among those the
/// room takes for one (its own index when it is kept): the one the room
/// has by that exact name (`in_room`), else the first.
///
/// Names are grouped by a 64-bit hash of their folded form, so that a
/// tree of a million files holds no second copy of its paths; two folded
/// forms with one hash (never seen in practice) are told apart exactly.
fn keepers<S: AsRef<str>>(names: &[S], in_room: impl Fn(&str) -> bool) -> Vec<usize> {
    use std::collections::hash_map::Entry;
    let hasher = std::collections::hash_map::RandomState::new();
    // Folded form's hash → the first name with it; folded forms whose hash
    // an earlier, different one holds → their first name.
    let mut first: HashMap<u64, usize> = HashMap::with_capacity(names.len());
    let mut others: HashMap<String, usize> = HashMap::new();
    // Per name: the first name of its folded form; per first name: the
    // name kept for that form.
    let mut group: Vec<usize> = Vec::with_capacity(names.len());
    let mut kept: Vec<usize> = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let name = name.as_ref();
        let key = fold_path(name);
        let g = match first.entry(std::hash::BuildHasher::hash_one(&hasher, &key)) {
            Entry::Vacant(v) => *v.insert(i),
            Entry::Occupied(o) => {
                let j = *o.get();
                if fold_path(names[j].as_ref()) == key {
                    j
                } else {
                    *others.entry(key).or_insert(i)
                }
            }
        };
        group.push(g);
        kept.push(i);
        let k = kept[g];
        if k != i && !in_room(names[k].as_ref()) && in_room(name) {
            kept[g] = i;
        }
    }
    group.into_iter().map(|g| kept[g]).collect()
}

#[cfg(test)]
mod tests {
    use super::keepers;

    #[test]
    fn of_names_the_room_takes_for_one_the_one_it_has_is_kept_else_the_first() {
        let names = ["a/X.txt", "b.txt", "a/x.txt", "A/x.TXT"];
        assert_eq!(keepers(&names, |_| false), vec![0, 1, 0, 0]);
        assert_eq!(keepers(&names, |p| p == "a/x.txt"), vec![2, 1, 2, 2]);
        assert_eq!(keepers(&names, |p| p == "A/x.TXT"), vec![3, 1, 3, 3]);
        let none: [&str; 0] = [];
        assert_eq!(keepers(&none, |_| true), Vec::<usize>::new());
    }
}
