//! The Intralinks V2 client, generated at build time from `openapi/` (the
//! published spec corrected by the overlay) by `intralinks-gen`.
//!
//! Most users want `intralinks-ext`, which re-exports this crate and adds the
//! session, workspace entry, transfers and one error type. Used directly, the
//! client takes a base URL ending in `/v2` and a [`Runtime`]:
//!
//! ```no_run
//! use std::sync::Arc;
//! use intralinks_api::{Client, Runtime, Secret, StaticToken};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = Runtime {
//!     auth: Some(Arc::new(StaticToken(Secret::new("7bSxew8sQbT9oODCAJAjR4sYqHYM")))),
//!     ..Runtime::default()
//! };
//! let client = Client::new("https://test-api.intralinks.com/v2", runtime);
//! let answer = client.list_workspaces().send().await?;
//! for ws in &answer.workspace {
//!     println!("{} {}", ws.id, ws.name.as_deref().unwrap_or(""));
//! }
//! # Ok(()) }
//! ```
//!
//! `Client::new` builds a reqwest client with progenitor's 15-second total
//! timeout, too short for large downloads; pass your own client to
//! `Client::new_with_client`, or use `intralinks-ext`, which sets connect and
//! read timeouts but no limit on a whole transfer.
//!
//! Dates are [`Millis`] (`.to_datetime()` gives a `chrono::DateTime<Utc>`),
//! `"T"`/`"F"` strings are [`TfBool`], and credentials are [`Secret`]s whose
//! Debug output is redacted. Operations progenitor cannot generate are listed
//! in [`excluded::OPERATIONS`]; `intralinks-ext` implements them.

#![deny(missing_docs)]

mod runtime;
mod wire;

pub use runtime::{
    AnswerTooLarge, Auth, AuthError, AuthErrorKind, AuthFuture, DEFAULT_ANSWER_LIMIT, Gate,
    GateFuture, GateOutcome, GatePass, REQUEST_HEADER, RetryPolicy, Runtime, RuntimeError,
    StaticToken, bearer_header, bound_answer, is_idempotent, is_retryable_status, may_carry_token,
    retry_after,
};
pub use wire::{Millis, Secret, TfBool, mask_secrets};

#[allow(missing_docs, clippy::all, clippy::pedantic, rustdoc::bare_urls)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/intralinks.rs"));
}
pub use generated::*;

/// The crate README's examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
