//! The integration tests of `intralinks-room`, one test binary: each file
//! below is a module of it (one binary links once, and keeps the build's
//! disk footprint small).

#[path = "../../intralinks-ext/tests/common/mod.rs"]
mod common;
mod documents;
mod people_and_phase;
mod room;
mod welcome_alert;
