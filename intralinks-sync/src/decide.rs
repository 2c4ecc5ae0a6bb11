//! What a mirror does with one document: one function with no I/O, used by
//! the run and by a dry run alike, so the two cannot disagree.
//!
//! The facts are the document's `fileHashDownload`, what is where it goes,
//! the journal's record of the file there (only when that record still
//! describes it: same size and mtime), and — once the mirror had to look —
//! the local file's SHA-1. A decision of [`Decision::Hash`] asks for that
//! hash; the caller hashes the file and decides again.

use intralinks_ext::Error;

use crate::journal::Record;
use crate::local::Entry;

/// What the mirror knows of one document and the place it goes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts<'a> {
    /// The document's `fileHashDownload`.
    pub remote: Option<&'a str>,
    /// What is where the document goes.
    pub local: Entry,
    /// The journal's record of the file there, when it still describes it.
    pub ours: Option<&'a Record>,
    /// The local file's SHA-1, once hashed.
    pub hashed: Option<&'a str>,
    /// Hash local files instead of trusting the journal.
    pub verify: bool,
    /// Overwrite files the mirror did not write.
    pub force: bool,
}

/// What happens to one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Nothing is there: download it.
    Fetch,
    /// The file there holds other bytes, and may be overwritten (the mirror
    /// wrote it, or `force`): download over it.
    Replace,
    /// The mirror's own file, current: nothing to do.
    Keep,
    /// A file the mirror did not record holds the right bytes: record it,
    /// download nothing.
    Adopt,
    /// Hash the local file, then decide again with its hash.
    Hash,
    /// Leave the document out, for this reason.
    Skip(Skip),
}

/// Why a document is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    /// It has no `fileHashDownload`: its bytes could not be verified.
    NoHash,
    /// A file the mirror did not write (or that changed since) is there.
    InTheWay,
    /// A directory, a symbolic link or a special file is there.
    NotAFile(&'static str),
}

/// The one decision for one document.
pub(crate) fn decide(f: &Facts<'_>) -> Decision {
    let Some(remote) = f.remote else {
        return Decision::Skip(Skip::NoHash);
    };
    match f.local {
        Entry::Missing => Decision::Fetch,
        Entry::Dir => Decision::Skip(Skip::NotAFile("directory where a file goes")),
        Entry::Other(what) => Decision::Skip(Skip::NotAFile(what)),
        Entry::File { .. } => match (f.ours, f.hashed) {
            // The journal vouches for the file: trusted unless told to verify.
            (Some(r), _) if !f.verify => {
                if r.sha1 == remote {
                    Decision::Keep
                } else {
                    Decision::Replace
                }
            }
            (_, None) => Decision::Hash,
            (ours, Some(local)) if local == remote => {
                if ours.is_some() {
                    Decision::Keep
                } else {
                    Decision::Adopt
                }
            }
            (ours, Some(_)) if ours.is_some() || f.force => Decision::Replace,
            (_, Some(_)) => Decision::Skip(Skip::InTheWay),
        },
    }
}

impl Skip {
    /// The error a skipped document is reported with; `shown` is its path
    /// as the person named the target.
    pub(crate) fn error(self, document_id: i64, shown: std::path::PathBuf) -> Error {
        match self {
            Skip::NoHash => Error::InvalidInput(format!(
                "document {document_id} has no fileHashDownload, so its bytes cannot be verified; it was not downloaded"
            )),
            Skip::InTheWay => Error::LocalFileInTheWay { path: shown },
            Skip::NotAFile(what) => Error::UnsafePath { path: shown, what },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(sha1: &str) -> Record {
        Record {
            ws: 1,
            path: "a.txt".into(),
            id: 7,
            version: None,
            sha1: sha1.into(),
            size: 3,
            mtime: 9,
            gone: false,
            pending: false,
        }
    }

    const FILE: Entry = Entry::File { size: 3, mtime: 9 };

    /// remote, local, ours, hashed, verify, force → the decision.
    type Row<'a> = (
        Option<&'a str>,
        Entry,
        Option<&'a Record>,
        Option<&'a str>,
        bool,
        bool,
        Decision,
    );

    #[test]
    fn every_case_has_one_decision() {
        use Decision::*;
        let (same, other) = (record("R"), record("OLD"));
        // (remote, local, ours, hashed, verify, force) → decision
        let table: Vec<Row<'_>> = vec![
            // No hash to verify against: left out, whatever is on disk.
            (
                None,
                Entry::Missing,
                None,
                None,
                false,
                false,
                Skip(super::Skip::NoHash),
            ),
            (
                None,
                FILE,
                Some(&same),
                None,
                false,
                true,
                Skip(super::Skip::NoHash),
            ),
            // Nothing there.
            (Some("R"), Entry::Missing, None, None, false, false, Fetch),
            (Some("R"), Entry::Missing, None, None, true, true, Fetch),
            // Not a file there: never written through, forced or not.
            (
                Some("R"),
                Entry::Dir,
                None,
                None,
                false,
                true,
                Skip(super::Skip::NotAFile("directory where a file goes")),
            ),
            (
                Some("R"),
                Entry::Other("symbolic link"),
                None,
                None,
                false,
                true,
                Skip(super::Skip::NotAFile("symbolic link")),
            ),
            // The journal's file, trusted.
            (Some("R"), FILE, Some(&same), None, false, false, Keep),
            (Some("R"), FILE, Some(&other), None, false, false, Replace),
            // The journal's file, verified: hash first, then decide.
            (Some("R"), FILE, Some(&same), None, true, false, Hash),
            (Some("R"), FILE, Some(&other), Some("R"), true, false, Keep),
            (
                Some("R"),
                FILE,
                Some(&same),
                Some("X"),
                true,
                false,
                Replace,
            ),
            // A file the mirror did not write.
            (Some("R"), FILE, None, None, false, false, Hash),
            (Some("R"), FILE, None, Some("R"), false, false, Adopt),
            (
                Some("R"),
                FILE,
                None,
                Some("X"),
                false,
                false,
                Skip(super::Skip::InTheWay),
            ),
            (Some("R"), FILE, None, Some("X"), false, true, Replace),
            (Some("R"), FILE, None, Some("R"), true, true, Adopt),
        ];
        for (i, (remote, local, ours, hashed, verify, force, want)) in table.into_iter().enumerate()
        {
            let facts = Facts {
                remote,
                local,
                ours,
                hashed,
                verify,
                force,
            };
            assert_eq!(decide(&facts), want, "row {i}: {facts:?}");
        }
    }

    #[test]
    fn a_skip_is_reported_with_the_same_error_by_the_run_and_the_dry_run() {
        let shown = std::path::PathBuf::from("/m/a.txt");
        assert!(matches!(
            super::Skip::NotAFile("directory where a file goes").error(7, shown.clone()),
            Error::UnsafePath {
                what: "directory where a file goes",
                ..
            }
        ));
        assert!(matches!(
            super::Skip::InTheWay.error(7, shown.clone()),
            Error::LocalFileInTheWay { .. }
        ));
        assert!(
            super::Skip::NoHash
                .error(7, shown)
                .to_string()
                .contains("document 7 has no fileHashDownload")
        );
    }
}
