//! The error a failed write of the report gives, for every format.

use intralinks_ext::Error;

/// A write to the report's output that failed.
pub(crate) fn io(e: std::io::Error) -> Error {
    Error::Io {
        action: "cannot write the report to",
        path: "the output".into(),
        source: e,
    }
}
