//! One document body into a partial file, with limits and its SHA-1.

use std::time::Duration;

use intralinks_api::types::Document;

use super::SyncOptions;
use super::local::{Target, io_err, mtime_of, nanos};
use crate::Intralinks;
use crate::error::Error;
use crate::transfer::{Limits, Pump};

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
                document_id: Some(doc.id),
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
        document_id: Some(document_id),
        detail: "stopped on request".into(),
    }
}

/// Streams the body into item `id`'s partial file through the crate's one
/// body pump (size bound, stall and minimum-rate limits); returns its
/// SHA-1, its size and the open file. A stop request ends it at once.
async fn stream_into_part(
    response: reqwest::Response,
    id: i64,
    declared: Option<u64>,
    target: &Target,
    options: &SyncOptions,
) -> Result<(String, u64, std::fs::File), Error> {
    let at = target.shown(super::names::STATE_DIR);
    let part = tokio::fs::File::from_std(target.create_part(id)?);
    let mut out = tokio::io::BufWriter::with_capacity(64 * 1024, part);
    let pump = Pump {
        document_id: Some(id),
        declared,
        at: &at,
        limits: Limits {
            stall: Some(options.stall_timeout),
            min_rate: (options.speed_limit > 0)
                .then_some((options.speed_limit, options.speed_time)),
        },
        progress: None,
    };
    let (size, sha1) = tokio::select! {
        r = pump.run(response.bytes_stream(), &mut out) => r?,
        _ = options.stop.stopped() => return Err(stopped(id)),
    };
    let file = out.into_inner().into_std().await;
    Ok((sha1, size, file))
}
