//! The integration tests of `intralinks-cli`, one test binary: each file
//! below is a module of it (one binary links once, and keeps the build's
//! disk footprint small). `hostile_deep.rs` is a binary of its own: it
//! measures its commands' peak RSS, and a child started from a large test
//! process counts that process's memory as its own (Linux folds the parent's
//! high-water mark into the child's at `exec`).

mod auth_e2e;
mod common;
mod content_e2e;
mod conventions_e2e;
mod dry_run_e2e;
mod golden;
mod grants_fields_e2e;
mod hostile_output;
mod output_files;
mod people_e2e;
mod postings_e2e;
mod progress_e2e;
mod report_e2e;
mod report_xlsx;
mod room_e2e;
mod seed_replay;
mod sim_e2e;
mod slow_link;
mod sync_e2e;
mod watch_e2e;
