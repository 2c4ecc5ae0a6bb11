//! The integration tests of `intralinks-sync`, one test binary: each file
//! below is a module of it (one binary links once, and keeps the build's
//! disk footprint small).

#[path = "../../intralinks-ext/tests/common/mod.rs"]
mod common;
mod hostile_bounds;
mod jobs;
mod push_listing;
mod sync;
mod sync_hostile;
mod transfers;
