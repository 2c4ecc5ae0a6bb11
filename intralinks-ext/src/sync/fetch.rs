//! One document body into a partial file, with limits and its SHA-1.

use std::io::Write;
use std::time::{Duration, Instant};

use base64::Engine;
use futures_util::StreamExt;
use intralinks_api::types::Document;
use sha1::{Digest, Sha1};

use super::SyncOptions;
use super::local::{Target, io_err, mtime_of, nanos};
use crate::Intralinks;
use crate::error::Error;

/// What a fetched file is, once in place.
#[derive(Debug, Clone)]
pub(crate) struct Fetched {
    pub sha1: String,
    pub size: u64,
    pub mtime: i128,
}

type Attempt<T> = Result<T, (Error, Option<Duration>)>;

/// One attempt at fetching `doc` into its partial file, then into `rel`.
/// Stops reading at the declared size, on a stall, below the minimum
/// rate, or on a stop request; checks size and SHA-1 before placing.
pub(crate) async fn fetch_once(
    il: &Intralinks,
    workspace_id: i64,
    doc: &Document,
    expected: &str,
    rel: &str,
    target: &Target,
    options: &SyncOptions,
) -> Attempt<Fetched> {
    let plain = |e: Error| (e, None);
    let url = il
        .v2_url(&format!(
            "workspaces/{workspace_id}/documents/{}/file",
            doc.id
        ))
        .map_err(plain)?;
    let request = il.request(reqwest::Method::GET, url);
    let response = tokio::select! {
        r = tokio::time::timeout(options.stall_timeout, il.send_once(request, "download_document_file")) => match r {
            Ok(r) => r.map_err(plain)?,
            Err(_) => return Err(plain(Error::Stalled {
                document_id: doc.id,
                detail: format!("no answer within {} s", options.stall_timeout.as_secs_f64()),
            })),
        },
        _ = options.stop.stopped() => return Err(plain(stopped(doc.id))),
    };
    if !response.status().is_success() {
        let after = intralinks_api::retry_after(response.headers());
        return Err((Error::from_response(response).await, after));
    }
    let declared = doc
        .file_size
        .map(|s| s.max(0) as u64)
        .or(response.content_length());
    let result = stream_into_part(response, doc.id, declared, target, options).await;
    let (sha1, size, file) = match result {
        Ok(v) => v,
        Err(e) => {
            target.drop_part(doc.id);
            return Err(plain(e));
        }
    };
    if let Some(declared) = declared
        && size < declared
    {
        target.drop_part(doc.id);
        return Err(plain(Error::BodyCutShort {
            document_id: doc.id,
            received: size,
            expected: declared,
        }));
    }
    if sha1 != expected {
        target.drop_part(doc.id);
        return Err(plain(Error::HashMismatch {
            document_id: doc.id,
            expected: expected.to_string(),
            actual: sha1,
            destination: Some(target.shown(rel)),
        }));
    }
    let when = mtime_of(doc.last_modified_on.or(doc.created_on));
    let finished = tokio::task::spawn_blocking(move || -> std::io::Result<i128> {
        if let Some(t) = when {
            file.set_modified(t)?;
        }
        file.sync_data()?;
        Ok(nanos(file.metadata()?.modified()?))
    })
    .await;
    let mtime = match finished {
        Ok(Ok(m)) => m,
        Ok(Err(e)) => {
            target.drop_part(doc.id);
            return Err(plain(io_err("cannot write", target.shown(rel))(e)));
        }
        Err(e) => {
            target.drop_part(doc.id);
            return Err(plain(Error::InvalidInput(format!(
                "a write task failed: {e}"
            ))));
        }
    };
    target.place(doc.id, rel).map_err(plain)?;
    Ok(Fetched { sha1, size, mtime })
}

pub(crate) fn stopped(document_id: i64) -> Error {
    Error::Stalled {
        document_id,
        detail: "stopped on request".into(),
    }
}

/// Streams the body into item `id`'s partial file; returns its SHA-1, its
/// size and the open file.
async fn stream_into_part(
    response: reqwest::Response,
    id: i64,
    declared: Option<u64>,
    target: &Target,
    options: &SyncOptions,
) -> Result<(String, u64, std::fs::File), Error> {
    let mut file = std::io::BufWriter::with_capacity(64 * 1024, target.create_part(id)?);
    let mut body = response.bytes_stream();
    let mut hasher = Sha1::new();
    let mut done = 0u64;
    let mut window_start = Instant::now();
    let mut window_bytes = 0u64;
    loop {
        let next = tokio::select! {
            n = tokio::time::timeout(options.stall_timeout, body.next()) => n,
            _ = options.stop.stopped() => return Err(stopped(id)),
        };
        let chunk = match next {
            Err(_) => {
                return Err(Error::Stalled {
                    document_id: id,
                    detail: format!(
                        "no byte arrived for {} s after {done} bytes",
                        options.stall_timeout.as_secs_f64()
                    ),
                });
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(Error::from_reqwest(e)),
            Ok(Some(Ok(c))) => c,
        };
        if let Some(limit) = declared
            && done + chunk.len() as u64 > limit
        {
            return Err(Error::BodyTooLong {
                document_id: id,
                declared: limit,
            });
        }
        hasher.update(&chunk);
        file.write_all(&chunk).map_err(io_err(
            "cannot write",
            target.shown(super::names::STATE_DIR),
        ))?;
        done += chunk.len() as u64;
        window_bytes += chunk.len() as u64;
        let elapsed = window_start.elapsed();
        if options.speed_limit > 0 && elapsed >= options.speed_time {
            let rate = window_bytes as f64 / elapsed.as_secs_f64();
            if rate < options.speed_limit as f64 {
                return Err(Error::Stalled {
                    document_id: id,
                    detail: format!(
                        "{rate:.0} bytes/s over {} s, below the minimum of {} bytes/s",
                        elapsed.as_secs_f64().round(),
                        options.speed_limit
                    ),
                });
            }
            window_start = Instant::now();
            window_bytes = 0;
        }
    }
    let file = file.into_inner().map_err(|e| {
        io_err("cannot write", target.shown(super::names::STATE_DIR))(e.into_error())
    })?;
    Ok((
        base64::engine::general_purpose::STANDARD.encode(hasher.finalize()),
        done,
        file,
    ))
}
