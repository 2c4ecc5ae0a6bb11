//! The integration tests of `intralinks-sim`, one test binary: each file
//! below is a module of it (one binary links once, and keeps the build's
//! disk footprint small).

mod auth;
mod binary;
mod common;
mod data;
mod entry;
mod faults;
mod grants_fields;
mod postings;
mod python;
mod range_bandwidth;
mod rate_limit;
mod room_facts;
mod sdk_room;
mod spec;
