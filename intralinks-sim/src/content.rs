//! Document bytes: the deterministic generator behind the large demo
//! documents, where stored bytes live, and the SHA-1 hashes the service
//! advertises as `fileHashDownload`.
//!
//! Generated documents are never held in memory: [`fill`] computes any byte
//! range on demand, so a download streams 64 KiB at a time however large the
//! document is. Their hash is computed once per process, lazily, the first
//! time a response needs it, on a blocking thread, with no lock held; the
//! 1 GiB demo document's hash is a precomputed, test-checked constant
//! ([`crate::demo::BIG_DOCUMENT_HASH`]; the crate README says why).

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use sha1::{Digest, Sha1};

/// Size of one generated block; every block starts with an 8-byte header
/// derived from its index, the rest is a rotation of a fixed pattern.
const BLOCK: usize = 64 * 1024;

/// Chunk size of streamed downloads.
pub(crate) const CHUNK: usize = 64 * 1024;

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The fixed pattern, twice over so that any rotation is one slice.
fn pattern() -> &'static [u8] {
    static PATTERN: OnceLock<Vec<u8>> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let mut p = Vec::with_capacity(2 * BLOCK);
        let mut state = 0x1D2A_11E5_u64;
        while p.len() < BLOCK {
            state = splitmix64(state);
            p.extend_from_slice(&state.to_le_bytes());
        }
        p.extend_from_within(..BLOCK);
        p
    })
}

/// Fills `buf` with the bytes of the generated document `seed` starting at
/// byte `offset`. The same `(seed, offset)` always gives the same bytes, and
/// any range can be produced without producing what comes before it.
///
/// ```
/// let mut whole = vec![0u8; 100];
/// intralinks_sim::content::fill(7, 0, &mut whole);
/// let mut tail = vec![0u8; 40];
/// intralinks_sim::content::fill(7, 60, &mut tail);
/// assert_eq!(&whole[60..], &tail[..]);
/// ```
pub fn fill(seed: u64, offset: u64, buf: &mut [u8]) {
    let pattern = pattern();
    let mut pos = offset;
    let mut out = 0usize;
    while out < buf.len() {
        let block = pos / BLOCK as u64;
        let within = (pos % BLOCK as u64) as usize;
        let take = (BLOCK - within).min(buf.len() - out);
        let header = splitmix64(seed ^ block.wrapping_mul(0xA076_1D64_78BD_642F));
        let rotation = (header % BLOCK as u64) as usize;
        let dst = &mut buf[out..out + take];
        dst.copy_from_slice(&pattern[rotation + within..rotation + within + take]);
        if within < 8 {
            let h = header.to_le_bytes();
            let end = (within + take).min(8);
            dst[..end - within].copy_from_slice(&h[within..end]);
        }
        pos += take as u64;
        out += take;
    }
}

/// The SHA-1 of a generated document, base64-encoded as `fileHashDownload`
/// is, computed by reading the generator from start to end.
pub fn compute_generated_hash(seed: u64, len: u64) -> String {
    let mut hasher = Sha1::new();
    let mut buf = vec![0u8; CHUNK];
    let mut pos = 0u64;
    while pos < len {
        let n = (len - pos).min(CHUNK as u64) as usize;
        fill(seed, pos, &mut buf[..n]);
        hasher.update(&buf[..n]);
        pos += n as u64;
    }
    encode_hash(&hasher.finalize())
}

/// Base64 of a SHA-1 digest.
pub(crate) fn encode_hash(digest: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(digest)
}

/// The bytes of generated document `index` of the generated workspace:
/// the line `document {index}\n` repeated and cut to `len` bytes (at least 1).
pub fn generated_text(index: usize, len: usize) -> Vec<u8> {
    let line = format!("document {index}\n");
    line.bytes().cycle().take(len.max(1)).collect()
}

/// `fileHashDownload` of some bytes.
pub(crate) fn hash_bytes(bytes: &[u8]) -> String {
    encode_hash(&Sha1::digest(bytes))
}

/// Hashes known in advance, so that listing the demo data room never waits
/// for a gigabyte to be hashed in an unoptimised test build. Each entry is
/// checked against [`compute_generated_hash`] by the ignored test
/// `big_document_hash_constant_is_right` (run it in release mode), and the
/// generator's output is pinned by fast tests so a change cannot go unseen.
const KNOWN_HASHES: &[(u64, u64, &str)] = &[(
    crate::demo::BIG_DOCUMENT_SEED,
    crate::demo::BIG_DOCUMENT_SIZE,
    crate::demo::BIG_DOCUMENT_HASH,
)];

type HashCell = Arc<tokio::sync::OnceCell<String>>;

/// The hash of a generated document: a known constant, or computed once per
/// process on a blocking thread the first time anyone asks. Concurrent
/// callers share the one computation; no lock is held while it runs.
pub(crate) async fn generated_hash(seed: u64, len: u64) -> io::Result<String> {
    if let Some((_, _, h)) = KNOWN_HASHES
        .iter()
        .find(|(s, l, _)| *s == seed && *l == len)
    {
        return Ok((*h).to_string());
    }
    static MEMO: OnceLock<Mutex<HashMap<(u64, u64), HashCell>>> = OnceLock::new();
    let cell = {
        let mut memo = MEMO
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        memo.entry((seed, len)).or_default().clone()
    };
    cell.get_or_try_init(|| async move {
        tokio::task::spawn_blocking(move || compute_generated_hash(seed, len))
            .await
            .map_err(io::Error::other)
    })
    .await
    .cloned()
}

/// Where a document's bytes are.
#[derive(Clone)]
pub(crate) enum Content {
    /// Small seeded documents.
    Memory(Bytes),
    /// Produced on the fly by [`fill`].
    Generated { seed: u64, len: u64 },
    /// Uploaded bytes, spooled to the simulator's storage directory; the file
    /// is deleted when the last handle (document or running download) goes.
    File {
        path: Arc<tempfile::TempPath>,
        len: u64,
    },
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Content::Memory(b) => write!(f, "Memory({} bytes)", b.len()),
            Content::Generated { seed, len } => write!(f, "Generated(seed {seed}, {len} bytes)"),
            Content::File { len, .. } => write!(f, "File({len} bytes)"),
        }
    }
}

impl Content {
    /// Length in bytes.
    pub(crate) fn len(&self) -> u64 {
        match self {
            Content::Memory(b) => b.len() as u64,
            Content::Generated { len, .. } | Content::File { len, .. } => *len,
        }
    }

    /// Bytes `start..end` (clamped to the length) as a stream of chunks.
    pub(crate) async fn stream_range(
        &self,
        start: u64,
        end: u64,
    ) -> io::Result<std::pin::Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>> {
        let end = end.min(self.len());
        let start = start.min(end);
        match self.clone() {
            Content::Memory(b) => {
                let b = b.slice(start as usize..end as usize);
                Ok(Box::pin(futures_util::stream::iter(
                    (!b.is_empty()).then_some(Ok(b)),
                )))
            }
            Content::Generated { seed, .. } => Ok(Box::pin(futures_util::stream::unfold(
                start,
                move |pos| async move {
                    if pos >= end {
                        return None;
                    }
                    let n = (end - pos).min(CHUNK as u64) as usize;
                    let mut buf = BytesMut::zeroed(n);
                    fill(seed, pos, &mut buf);
                    Some((Ok(buf.freeze()), pos + n as u64))
                },
            ))),
            Content::File { path, .. } => {
                use tokio::io::{AsyncReadExt, AsyncSeekExt};
                let mut file = tokio::fs::File::open(PathBuf::from(&**path)).await?;
                file.seek(io::SeekFrom::Start(start)).await?;
                // Keep the path alive as long as the stream runs.
                let keep = path.clone();
                let stream =
                    tokio_util::io::ReaderStream::with_capacity(file.take(end - start), CHUNK);
                Ok(Box::pin(futures_util::StreamExt::map(stream, move |r| {
                    let _ = &keep;
                    r
                })))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_range_matches_the_whole() {
        let mut whole = vec![0u8; 3 * BLOCK + 123];
        fill(42, 0, &mut whole);
        for (start, len) in [
            (0, 1),
            (5, 10),
            (BLOCK - 3, 9),
            (BLOCK, BLOCK),
            (2 * BLOCK + 7, BLOCK),
        ] {
            let mut part = vec![0u8; len];
            fill(42, start as u64, &mut part);
            assert_eq!(&whole[start..start + len], &part[..], "range {start}+{len}");
        }
    }

    #[test]
    fn seeds_and_blocks_differ() {
        let mut a = vec![0u8; 64];
        let mut b = vec![0u8; 64];
        fill(1, 0, &mut a);
        fill(2, 0, &mut b);
        assert_ne!(a, b);
        fill(1, BLOCK as u64, &mut b);
        assert_ne!(a, b);
    }

    /// Pins the generator: the expected value was computed by the
    /// independent Python implementation in `tests/python/generated_hash.py`.
    /// If this fails, the generator changed: recompute
    /// `demo::BIG_DOCUMENT_HASH` with that script too.
    #[test]
    fn generator_output_is_pinned() {
        assert_eq!(
            compute_generated_hash(9, 200_000),
            "4B/05Oc5virWULwH1c5/sOffnIA="
        );
    }

    /// Recomputes the 1 GiB constant: about 14 s in an unoptimised build on
    /// the 2-core development machine, run with every other test.
    #[test]
    fn big_document_hash_constant_is_right() {
        assert_eq!(
            compute_generated_hash(
                crate::demo::BIG_DOCUMENT_SEED,
                crate::demo::BIG_DOCUMENT_SIZE
            ),
            crate::demo::BIG_DOCUMENT_HASH
        );
    }

    #[test]
    fn hash_of_small_generated_matches_bytes() {
        let len = 200_000u64;
        let mut all = vec![0u8; len as usize];
        fill(9, 0, &mut all);
        assert_eq!(compute_generated_hash(9, len), hash_bytes(&all));
    }
}
