//! The integration tests of `intralinks-ext`, one test binary: each file
//! below is a module of it (one binary links once, and keeps the build's
//! disk footprint small).

mod changes;
mod common;
mod e2e;
mod edit;
mod hostile;
mod library;
mod pages;
mod people;
mod postings;
mod retries;
mod token_store;
mod web_login;
