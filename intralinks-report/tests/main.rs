//! The integration tests of `intralinks-report`, one test binary: each file
//! below is a module of it (one binary links once, and keeps the build's
//! disk footprint small).

#[path = "../../intralinks-ext/tests/common/mod.rs"]
mod common;
mod report;
mod report_documents;
