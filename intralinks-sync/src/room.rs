//! The room model: a room's folders and documents as the engine keeps
//! them, listed once and parsed as the listing arrives.
//!
//! A listing body is never held whole: its bytes go through a bounded
//! channel into a parser on a blocking thread, and each element becomes a
//! compact record with only what the engine uses (id, parent, name,
//! extension, hash, size, version and the date it sets as mtime); the
//! strings of a whole listing share one buffer. [`super::names::layout`]
//! places the result, without copying it.

use std::fmt;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use intralinks_ext::api::types::Document;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use intralinks_ext::Intralinks;
use intralinks_ext::Millis;
use intralinks_ext::{Error, Result};

/// The most items (documents, or folders) one listing of a room may hold.
///
/// A listing is parsed as it streams into a compact model (about 100 bytes
/// an item, plus its strings), so it is bounded by that model, not by the
/// answer's bytes (the client's answer limit is for answers read whole): a
/// room of 5,000,000 documents takes about 800 MiB of model, far more than
/// any room of the service holds. A listing that passes it fails with
/// [`Error::ListingTooLarge`].
pub const LISTING_MAX_ITEMS: u64 = 5_000_000;

/// The most bytes of strings (names, extensions, hashes, versions) the
/// compact model of one listing may hold: 1 GiB, over 200 bytes for each of
/// [`LISTING_MAX_ITEMS`]. A listing that passes it fails with
/// [`Error::ListingTooLarge`].
pub const LISTING_MAX_STRING_BYTES: u64 = 1 << 30;

/// The bytes a listing's answer may carry for each item kept, beyond the
/// client's answer limit (what is skipped: fields the engine does not keep,
/// whitespace). A real element is about 1 KiB; an answer that carries more
/// than the answer limit plus 16 KiB an item is not a listing, and fails
/// with [`Error::ListingTooLarge`], so that an endless answer that keeps
/// nothing ends.
pub const LISTING_BYTES_PER_ITEM: u64 = 16 * 1024;

/// The bounds a listing is parsed under (the constants above; smaller in
/// tests).
#[derive(Debug, Clone, Copy)]
struct Bounds {
    items: u64,
    string_bytes: u64,
}

const BOUNDS: Bounds = Bounds {
    items: LISTING_MAX_ITEMS,
    string_bytes: LISTING_MAX_STRING_BYTES,
};

/// A string in a listing's shared buffer: its start and length in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Str {
    at: u32,
    len: u32,
}

/// Strings of one listing (and of its layout's local names), end to end.
#[derive(Debug, Default)]
pub(crate) struct Strings(String);

impl Strings {
    /// Appends `s`; `None` when the buffer would pass 4 GiB.
    pub fn push(&mut self, s: &str) -> Option<Str> {
        let at = u32::try_from(self.0.len()).ok()?;
        let len = u32::try_from(s.len()).ok()?;
        at.checked_add(len)?;
        self.0.push_str(s);
        Some(Str { at, len })
    }

    /// The text of `s`.
    pub fn get(&self, s: Str) -> &str {
        self.0
            .get(s.at as usize..(s.at as usize + s.len as usize))
            .unwrap_or("")
    }

    /// The text of `s`, when there is one.
    pub fn opt(&self, s: Option<Str>) -> Option<&str> {
        s.map(|s| self.get(s))
    }

    /// Bytes held.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Appends the strings of `other`; answers how far its strings moved
    /// (to add to each of their offsets), `None` past 4 GiB.
    pub fn append(&mut self, other: &Strings) -> Option<u32> {
        let by = u32::try_from(self.0.len()).ok()?;
        u32::try_from(other.0.len()).ok()?.checked_add(by)?;
        self.0.push_str(&other.0);
        Some(by)
    }

    /// Gives back the buffer's spare capacity.
    pub fn shrink(&mut self) {
        self.0.shrink_to_fit();
    }
}

/// A folder as the engine keeps it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RoomFolder {
    /// The folder's id.
    pub id: i64,
    /// Its parent's id (`None` at the root).
    pub parent: Option<i64>,
    /// Its name.
    pub name: Option<Str>,
}

/// A document as the engine keeps it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RoomDoc {
    /// The document's id.
    pub id: i64,
    /// Its folder (`parentId`, else `folderId`).
    pub parent: Option<i64>,
    /// Its name.
    pub name: Option<Str>,
    /// Its extension.
    pub extension: Option<Str>,
    /// `fileHashDownload`: base64 of the SHA-1 of its bytes.
    pub hash: Option<Str>,
    /// Its version.
    pub version: Option<Str>,
    /// `fileSize`.
    pub size: Option<i64>,
    /// The date its file gets as mtime: `lastModifiedOn`, else `createdOn`.
    pub when: Option<Millis>,
}

impl RoomDoc {
    /// The same document, its strings moved `by` bytes (into a buffer that
    /// [`Strings::append`]ed theirs).
    fn moved(self, by: u32) -> RoomDoc {
        let at = |s: Option<Str>| s.map(|s| Str { at: s.at + by, ..s });
        RoomDoc {
            name: at(self.name),
            extension: at(self.extension),
            hash: at(self.hash),
            version: at(self.version),
            ..self
        }
    }

    /// The declared size, never negative.
    pub fn bytes(&self) -> u64 {
        self.size.unwrap_or(0).max(0).unsigned_abs()
    }

    /// The generated type, with what the engine keeps (for one transfer).
    pub fn to_document(self, strings: &Strings) -> Document {
        let own = |s: Option<Str>| strings.opt(s).map(str::to_string);
        Document {
            created_by: None,
            created_on: None,
            custom_fields: None,
            extension: own(self.extension),
            file_hash_download: own(self.hash),
            file_size: self.size,
            folder_id: None,
            has_note: None,
            id: self.id,
            index_number: None,
            is_favorite: None,
            last_accessed_on: None,
            last_modified_by: None,
            last_modified_on: self.when,
            name: own(self.name),
            note: None,
            order_number: None,
            parent_id: self.parent,
            unread: None,
            version: own(self.version),
            version_number: None,
        }
    }
}

/// The room's folders and documents, compact.
#[derive(Debug, Default)]
pub(crate) struct Room {
    /// Folders, as listed.
    pub folders: Vec<RoomFolder>,
    /// The folders' strings.
    pub folder_strings: Strings,
    /// Documents, as listed.
    pub documents: Vec<RoomDoc>,
    /// The documents' strings.
    pub strings: Strings,
}

impl Room {
    /// The compact form of listings already parsed into the generated types.
    #[cfg(test)]
    pub fn from_api(
        folders: &[intralinks_ext::api::types::Folder],
        documents: &[Document],
    ) -> Room {
        let mut room = Room::default();
        for f in folders {
            let name = f.name.as_deref().and_then(|n| room.folder_strings.push(n));
            room.folders.push(RoomFolder {
                id: f.id,
                parent: f.parent_id,
                name,
            });
        }
        for d in documents {
            let s = &mut room.strings;
            let mut push = |v: &Option<String>| v.as_deref().and_then(|v| s.push(v));
            let doc = RoomDoc {
                id: d.id,
                parent: d.parent_id.or(d.folder_id),
                name: push(&d.name),
                extension: push(&d.extension),
                hash: push(&d.file_hash_download),
                version: push(&d.version),
                size: d.file_size,
                when: d.last_modified_on.or(d.created_on),
            };
            room.documents.push(doc);
        }
        room
    }
}

/// One element of a folder listing, as it arrives.
#[derive(Deserialize)]
struct WireFolder {
    id: i64,
    #[serde(rename = "parentId", default)]
    parent_id: Option<i64>,
    #[serde(default)]
    name: Option<String>,
}

/// One element of a document listing, as it arrives.
#[derive(Deserialize)]
struct WireDocument {
    id: i64,
    #[serde(rename = "parentId", default)]
    parent_id: Option<i64>,
    #[serde(rename = "folderId", default)]
    folder_id: Option<i64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    extension: Option<String>,
    #[serde(rename = "fileHashDownload", default)]
    file_hash_download: Option<String>,
    #[serde(rename = "fileSize", default)]
    file_size: Option<i64>,
    #[serde(default)]
    version: Option<String>,
    #[serde(rename = "lastModifiedOn", default)]
    last_modified_on: Option<Millis>,
    #[serde(rename = "createdOn", default)]
    created_on: Option<Millis>,
}

/// What a listing element becomes, into a listing's table and strings.
trait Compact: Sized {
    type Wire: for<'de> Deserialize<'de>;
    fn keep(wire: Self::Wire, strings: &mut Strings) -> std::result::Result<Self, String>;
}

fn push_opt(strings: &mut Strings, v: Option<String>) -> std::result::Result<Option<Str>, String> {
    match v {
        None => Ok(None),
        Some(v) => strings
            .push(&v)
            .map(Some)
            .ok_or_else(|| "the listing's strings pass 4 GiB".to_string()),
    }
}

impl Compact for RoomFolder {
    type Wire = WireFolder;
    fn keep(w: WireFolder, strings: &mut Strings) -> std::result::Result<Self, String> {
        Ok(RoomFolder {
            id: w.id,
            parent: w.parent_id,
            name: push_opt(strings, w.name)?,
        })
    }
}

impl Compact for RoomDoc {
    type Wire = WireDocument;
    fn keep(w: WireDocument, strings: &mut Strings) -> std::result::Result<Self, String> {
        Ok(RoomDoc {
            id: w.id,
            parent: w.parent_id.or(w.folder_id),
            name: push_opt(strings, w.name)?,
            extension: push_opt(strings, w.extension)?,
            hash: push_opt(strings, w.file_hash_download)?,
            version: push_opt(strings, w.version)?,
            size: w.file_size,
            when: w.last_modified_on.or(w.created_on),
        })
    }
}

/// Where a listing's parser is: what it keeps, its bounds, the items kept so
/// far (read by the side that feeds it) and the bound passed, if any.
struct Keep<'a, T> {
    items: &'a mut Vec<T>,
    strings: &'a mut Strings,
    bounds: Bounds,
    count: &'a AtomicU64,
    over: &'a mut Option<String>,
}

/// A listing's object: the array under `key` is kept, the rest skipped.
struct ListingVisitor<'a, T> {
    key: &'static str,
    keep: Keep<'a, T>,
}

impl<'de, T: Compact> Visitor<'de> for ListingVisitor<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with a {:?} array", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == self.key {
                map.next_value_seed(ArraySeed(Keep {
                    items: &mut *self.keep.items,
                    strings: &mut *self.keep.strings,
                    bounds: self.keep.bounds,
                    count: self.keep.count,
                    over: &mut *self.keep.over,
                }))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The array of a listing, one element at a time.
struct ArraySeed<'a, T>(Keep<'a, T>);

impl<'de, T: Compact> DeserializeSeed<'de> for ArraySeed<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Compact> Visitor<'de> for ArraySeed<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let k = self.0;
        while let Some(wire) = seq.next_element::<T::Wire>()? {
            let item = T::keep(wire, k.strings).map_err(serde::de::Error::custom)?;
            if k.items.len() as u64 >= k.bounds.items {
                *k.over = Some(format!("{} items", k.bounds.items));
            } else if k.strings.len() as u64 > k.bounds.string_bytes {
                *k.over = Some(format!("{} bytes of names", k.bounds.string_bytes));
            }
            if let Some(over) = k.over {
                return Err(serde::de::Error::custom(format!(
                    "the listing passed {over}"
                )));
            }
            k.items.push(item);
            k.count.store(k.items.len() as u64, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// Why a listing was not parsed.
#[derive(Debug)]
enum ParseError {
    /// Not a listing.
    Json(serde_json::Error),
    /// It passed a bound of the model (named).
    Over(String),
}

/// Parses a listing object from `reader`, keeping the array under `key`
/// within `bounds`; `count` follows the items kept.
fn parse_listing<T: Compact, R: Read>(
    reader: R,
    key: &'static str,
    bounds: Bounds,
    count: &AtomicU64,
) -> std::result::Result<(Vec<T>, Strings), ParseError> {
    let mut items = Vec::new();
    let mut strings = Strings::default();
    let mut over = None;
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(64 * 1024, reader));
    let parsed = de
        .deserialize_map(ListingVisitor {
            key,
            keep: Keep {
                items: &mut items,
                strings: &mut strings,
                bounds,
                count,
                over: &mut over,
            },
        })
        .and_then(|()| de.end());
    if let Some(over) = over {
        return Err(ParseError::Over(over));
    }
    parsed.map_err(ParseError::Json)?;
    items.shrink_to_fit();
    strings.shrink();
    Ok((items, strings))
}

/// The bytes of a body as a blocking reader, fed from the async side.
/// Counted where the parser reads them, against the items it has kept so
/// far: at most the answer limit plus [`LISTING_BYTES_PER_ITEM`] an item
/// (the parser's buffer reads ahead by 64 KiB at most). Past that, it
/// fails, and `passed` holds the items kept then, plus one.
struct ChunkReader {
    rx: tokio::sync::mpsc::Receiver<bytes::Bytes>,
    chunk: bytes::Bytes,
    seen: u64,
    limit: u64,
    count: Arc<AtomicU64>,
    passed: Arc<AtomicU64>,
}

/// What a listing's answer may carry, for `items` kept and an answer limit
/// of `limit` bytes.
fn allowed(limit: u64, items: u64) -> u64 {
    limit.saturating_add(items.saturating_mul(LISTING_BYTES_PER_ITEM))
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(c) => self.chunk = c,
                // The end, or the sender stopped (its error is reported).
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        self.seen += n as u64;
        let items = self.count.load(Ordering::Relaxed);
        if self.seen > allowed(self.limit, items) {
            self.passed.store(items + 1, Ordering::Relaxed);
            return Err(std::io::Error::other(
                "the listing passed its bound of bytes",
            ));
        }
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// Lists `what` (`folders` or `documents`) of workspace `ws` once (of
/// folder `folder` alone when given: its `folderId` query), through
/// the client's runtime (token, refresh), parsing the body as it arrives
/// and keeping the array under `key`, within the listing bounds
/// ([`LISTING_MAX_ITEMS`], [`LISTING_MAX_STRING_BYTES`], the answer limit
/// plus [`LISTING_BYTES_PER_ITEM`] an item).
async fn list_once<T: Compact + Send + 'static>(
    il: &Intralinks,
    workspace_id: i64,
    (what, folder): (&'static str, Option<i64>),
    key: &'static str,
    operation: &'static str,
) -> Result<(Vec<T>, Strings)> {
    use progenitor_client::ClientInfo;
    let mut url = il.v2_url(&format!("workspaces/{workspace_id}/{what}"))?;
    if let Some(folder) = folder {
        url.query_pairs_mut()
            .append_pair("folderId", &folder.to_string());
    }
    let request = il
        .request(reqwest::Method::GET, url)
        .header(reqwest::header::ACCEPT, "application/json")
        .header(
            "api-version",
            <intralinks_ext::api::Client as ClientInfo<intralinks_ext::api::Runtime>>::api_version(
            ),
        );
    let mut response = il.send(request, operation).await?;
    // Tagged with its request, as the generated calls' answers are, so
    // that an error names it.
    if let Ok(asked) =
        reqwest::header::HeaderValue::from_str(&format!("GET {}", response.url().path()))
    {
        response
            .headers_mut()
            .insert(intralinks_ext::api::REQUEST_HEADER, asked);
    }
    if !response.status().is_success() {
        return Err(Error::from_response(response).await);
    }
    let limit = ClientInfo::inner(il.api()).answer_limit;
    // What the answer may carry: the answer limit, and so much more for
    // each item kept.
    let too_large = |items: u64| Error::ListingTooLarge {
        what,
        bound: format!(
            "{} bytes (the answer limit of {limit} and {LISTING_BYTES_PER_ITEM} for each of its {items} items)",
            allowed(limit, items)
        ),
    };
    if response
        .content_length()
        .is_some_and(|n| n > allowed(limit, BOUNDS.items))
    {
        return Err(too_large(BOUNDS.items));
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (tx, rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(4);
    let passed = Arc::new(AtomicU64::new(0));
    let reader = ChunkReader {
        rx,
        chunk: bytes::Bytes::new(),
        seen: 0,
        limit,
        count: Arc::new(AtomicU64::new(0)),
        passed: passed.clone(),
    };
    let parser = tokio::task::spawn_blocking(move || {
        let count = reader.count.clone();
        parse_listing::<T, _>(reader, key, BOUNDS, &count)
    });
    let mut head: Vec<u8> = Vec::new();
    // The channel holds a few chunks: what is read ahead of the parser.
    let pumped: Result<()> = async {
        while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
            if head.len() < 1024 {
                head.extend_from_slice(&chunk[..chunk.len().min(1024 - head.len())]);
            }
            if tx.send(chunk).await.is_err() {
                // The parser stopped: its error says why.
                break;
            }
        }
        Ok(())
    }
    .await;
    drop(tx);
    let parsed = parser
        .await
        .map_err(|e| Error::InvalidInput(format!("the listing's parser failed: {e}")))?;
    pumped?;
    if let Some(items) = passed.load(Ordering::Relaxed).checked_sub(1) {
        return Err(too_large(items));
    }
    parsed.map_err(|err| match err {
        ParseError::Over(bound) => Error::ListingTooLarge { what, bound },
        ParseError::Json(err) => Error::UnexpectedBody {
            status: None,
            content_type: content_type.or_else(|| Some("application/json".into())),
            decode_error: Some(format!("JSON that does not match the API: {err}")),
            excerpt: intralinks_ext::text::excerpt(&String::from_utf8_lossy(&head)),
        },
    })
}

/// Lists the room's folders and documents at once, each with retries, into
/// the compact model. Fails when [`super::SyncOptions::folder`] is not in
/// the room.
pub(crate) async fn list_room(
    il: &Intralinks,
    workspace_id: i64,
    options: &super::SyncOptions,
) -> Result<Room> {
    entered(il, workspace_id, options, || {
        list_room_entered(il, workspace_id, options)
    })
    .await
}

/// Runs `list` in workspace `workspace_id`: a room that must be entered
/// first is entered once, as [`super::SyncOptions::entry`] allows, and
/// listed again.
async fn entered<Fut: std::future::Future<Output = Result<Room>>>(
    il: &Intralinks,
    workspace_id: i64,
    options: &super::SyncOptions,
    list: impl Fn() -> Fut,
) -> Result<Room> {
    match &options.entry {
        Some(answers) => il.in_workspace(workspace_id, answers, list).await,
        None => list().await,
    }
}

/// Fails unless folder `top` is one of the room's `folders`.
fn has_folder(folders: &[RoomFolder], top: i64, workspace_id: i64) -> Result<()> {
    if folders.iter().any(|f| f.id == top) {
        Ok(())
    } else {
        Err(Error::NotFound {
            message: format!("folder {top} is not in workspace {workspace_id}"),
            error_id: None,
        })
    }
}

/// The room's folders, with retries. `once` retries nothing itself (the
/// engine is the one layer that retries its requests: the runtime sends
/// each of them once, so a lasting 429 costs `retry.max_attempts`
/// requests per listing, not that many times the runtime's own attempts).
async fn listed_folders(
    once: &Intralinks,
    workspace_id: i64,
    options: &super::SyncOptions,
) -> Result<(Vec<RoomFolder>, Strings)> {
    let what = ("folders", None);
    super::with_retries(options, || {
        list_once::<RoomFolder>(once, workspace_id, what, "folder", "list_folders")
    })
    .await
    .0
}

/// The room's documents (of folder `folder` alone when given), with
/// retries; `once` as for [`listed_folders`].
async fn listed_documents(
    once: &Intralinks,
    workspace_id: i64,
    folder: Option<i64>,
    options: &super::SyncOptions,
) -> Result<(Vec<RoomDoc>, Strings)> {
    let what = ("documents", folder);
    super::with_retries(options, || {
        list_once::<RoomDoc>(once, workspace_id, what, "document", "list_documents")
    })
    .await
    .0
}

/// A subtree of at most this many folders is listed folder by folder;
/// a larger one with the listing of the whole room.
const SUBTREE_FOLDERS: usize = 16;

/// Lists the room's folders, and the documents of the subtree of folder
/// `top` (`top`'s beside the folders): folder by folder when it holds at
/// most [`SUBTREE_FOLDERS`] folders (a push into one folder of a large room
/// does not list the room), else all the room's documents. Fails when
/// `top` is not in the room.
pub(crate) async fn list_below(
    il: &Intralinks,
    workspace_id: i64,
    top: i64,
    options: &super::SyncOptions,
) -> Result<Room> {
    entered(il, workspace_id, options, || {
        list_below_entered(il, workspace_id, top, options)
    })
    .await
}

/// [`list_below`] in a workspace entered already.
async fn list_below_entered(
    il: &Intralinks,
    workspace_id: i64,
    top: i64,
    options: &super::SyncOptions,
) -> Result<Room> {
    let once = &il.with_retry(intralinks_ext::api::RetryPolicy::none());
    let folders = listed_folders(once, workspace_id, options);
    // The folder pushed into is listed beside the folders: for a folder
    // with no subfolders, the whole listing is one round trip.
    let (folders, top_listed) = tokio::join!(
        folders,
        listed_documents(once, workspace_id, Some(top), options)
    );
    let (folders, folder_strings) = folders?;
    has_folder(&folders, top, workspace_id)?;
    let (documents, strings) = match subtree(&folders, top, SUBTREE_FOLDERS) {
        Some(below) => {
            use futures_util::StreamExt;
            // In the order of the subtree, whichever answers first: the
            // layout is the same from one run to the next.
            let mut listed = futures_util::stream::iter(
                below
                    .into_iter()
                    .skip(1)
                    .map(|id| listed_documents(once, workspace_id, Some(id), options)),
            )
            .buffered(SUBTREE_FOLDERS);
            let (mut documents, mut strings) = top_listed?;
            while let Some(one) = listed.next().await {
                let (docs, their) = one?;
                // The bounds of one listing hold for them all together.
                let over = |bound: String| Error::ListingTooLarge {
                    what: "documents",
                    bound,
                };
                if (documents.len() + docs.len()) as u64 > LISTING_MAX_ITEMS {
                    return Err(over(format!("{LISTING_MAX_ITEMS} items")));
                }
                let by = strings
                    .append(&their)
                    .filter(|_| strings.len() as u64 <= LISTING_MAX_STRING_BYTES)
                    .ok_or_else(|| over(format!("{LISTING_MAX_STRING_BYTES} bytes of names")))?;
                documents.extend(docs.into_iter().map(|d| d.moved(by)));
            }
            (documents, strings)
        }
        None => listed_documents(once, workspace_id, None, options).await?,
    };
    Ok(Room {
        folders,
        folder_strings,
        documents,
        strings,
    })
}

/// The folders below `top` as the layout places them (by the parent their
/// path shows), `top` first; `None` when there are more than `most`.
fn subtree(folders: &[RoomFolder], top: i64, most: usize) -> Option<Vec<i64>> {
    let forest = intralinks_ext::tree::Forest::new(folders.iter().map(|f| (f.id, f.parent)));
    let mut children: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for f in folders {
        if let Some(p) = forest.shown_parent(f.id) {
            children.entry(p).or_default().push(f.id);
        }
    }
    let mut below = vec![top];
    let mut seen = std::collections::HashSet::from([top]);
    let mut at = 0;
    while let Some(&id) = below.get(at) {
        at += 1;
        for &c in children.get(&id).into_iter().flatten() {
            if seen.insert(c) {
                below.push(c);
                if below.len() > most {
                    return None;
                }
            }
        }
    }
    Some(below)
}

/// The documents of folder `folder` alone (not of its subfolders), with
/// retries, into the compact model: in a workspace entered already.
pub(crate) async fn list_folder_documents(
    il: &Intralinks,
    workspace_id: i64,
    folder: i64,
    options: &super::SyncOptions,
) -> Result<(Vec<RoomDoc>, Strings)> {
    let once = &il.with_retry(intralinks_ext::api::RetryPolicy::none());
    listed_documents(once, workspace_id, Some(folder), options).await
}

/// [`list_room`] in a workspace entered already (or that needs no entry).
async fn list_room_entered(
    il: &Intralinks,
    workspace_id: i64,
    options: &super::SyncOptions,
) -> Result<Room> {
    let once = &il.with_retry(intralinks_ext::api::RetryPolicy::none());
    let folders = listed_folders(once, workspace_id, options);
    let documents = listed_documents(once, workspace_id, None, options);
    let (folders, documents) = tokio::join!(folders, documents);
    let ((folders, folder_strings), (documents, strings)) = (folders?, documents?);
    if let Some(top) = options.folder {
        has_folder(&folders, top, workspace_id)?;
    }
    Ok(Room {
        folders,
        folder_strings,
        documents,
        strings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: Compact>(
        body: &[u8],
        key: &'static str,
    ) -> std::result::Result<(Vec<T>, Strings), ParseError> {
        parse_listing::<T, _>(body, key, BOUNDS, &AtomicU64::new(0))
    }

    #[test]
    fn a_listing_is_bounded_by_its_items_and_the_bytes_of_its_names() {
        let body = br#"{"document":[{"id":1,"name":"abcd"},{"id":2,"name":"efgh"},{"id":3,"name":"ijkl"}]}"#;
        let count = AtomicU64::new(0);
        let items = Bounds {
            items: 2,
            string_bytes: 100,
        };
        match parse_listing::<RoomDoc, _>(&body[..], "document", items, &count) {
            Err(ParseError::Over(bound)) => assert_eq!(bound, "2 items"),
            other => panic!("{other:?}"),
        }
        assert_eq!(count.load(Ordering::Relaxed), 2);
        let names = Bounds {
            items: 100,
            string_bytes: 6,
        };
        match parse_listing::<RoomDoc, _>(&body[..], "document", names, &AtomicU64::new(0)) {
            Err(ParseError::Over(bound)) => assert_eq!(bound, "6 bytes of names"),
            other => panic!("{other:?}"),
        }
        // At the bounds exactly, the listing is kept whole.
        let exact = Bounds {
            items: 3,
            string_bytes: 12,
        };
        let count = AtomicU64::new(0);
        let (docs, strings) =
            parse_listing::<RoomDoc, _>(&body[..], "document", exact, &count).unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(strings.len(), 12);
        assert_eq!(count.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn a_listing_keeps_its_array_and_skips_the_rest() {
        let body = br#"{"status":{"code":200},"document":[
            {"id":5,"parentId":1,"name":"a.txt","fileHashDownload":"h","fileSize":3,
             "version":"2","createdBy":{"x":[1,2]},"lastModifiedOn":{"milliseconds":7}},
            {"id":6,"folderId":2,"createdOn":{"milliseconds":9}}],"extra":[1]}"#;
        let (docs, strings) = parse::<RoomDoc>(body, "document").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].id, 5);
        assert_eq!(docs[0].parent, Some(1));
        assert_eq!(strings.opt(docs[0].name), Some("a.txt"));
        assert_eq!(strings.opt(docs[0].hash), Some("h"));
        assert_eq!(strings.opt(docs[0].version), Some("2"));
        assert_eq!(docs[0].size, Some(3));
        assert_eq!(docs[0].when, Some(Millis::from_millis(7)));
        assert_eq!(docs[1].parent, Some(2));
        assert_eq!(docs[1].name, None);
        assert_eq!(docs[1].when, Some(Millis::from_millis(9)));
        let d = docs[0].to_document(&strings);
        assert_eq!(d.id, 5);
        assert_eq!(d.file_hash_download.as_deref(), Some("h"));
        assert_eq!(d.version.as_deref(), Some("2"));
    }

    #[test]
    fn a_listing_that_does_not_match_is_an_error() {
        assert!(parse::<RoomDoc>(br#"{"document":[{"name":"x"}]}"#, "document").is_err());
        assert!(parse::<RoomDoc>(br#"{"document":[{"id":1}]} x"#, "document").is_err());
        assert!(parse::<RoomFolder>(br#"[1]"#, "folder").is_err());
        let (none, _) = parse::<RoomFolder>(br#"{}"#, "folder").unwrap();
        assert_eq!(none.len(), 0);
    }

    #[test]
    fn the_subtree_of_a_folder_is_what_the_layout_places_below_it() {
        let folder = |id, parent| RoomFolder {
            id,
            parent,
            name: None,
        };
        // 1 ─ 2 ─ 4, 1 ─ 3; 5 elsewhere; 6's parent is not in the room (the
        // layout shows it at the top, not below anything).
        let folders = [
            folder(1, None),
            folder(2, Some(1)),
            folder(3, Some(1)),
            folder(4, Some(2)),
            folder(5, None),
            folder(6, Some(99)),
        ];
        assert_eq!(subtree(&folders, 1, 16), Some(vec![1, 2, 3, 4]));
        assert_eq!(subtree(&folders, 2, 16), Some(vec![2, 4]));
        assert_eq!(subtree(&folders, 5, 16), Some(vec![5]));
        // More than `most`: the room's listing instead.
        assert_eq!(subtree(&folders, 1, 3), None);
        assert_eq!(subtree(&folders, 1, 4), Some(vec![1, 2, 3, 4]));
    }

    #[test]
    fn listings_appended_keep_each_documents_strings() {
        let one =
            br#"{"document":[{"id":1,"name":"a.txt","fileHashDownload":"h1","version":"1"}]}"#;
        let two = br#"{"document":[{"id":2,"name":"bb.pdf","extension":"pdf","fileHashDownload":"h2","version":"3"}]}"#;
        let (mut docs, mut strings) = parse::<RoomDoc>(one, "document").unwrap();
        let (theirs, their_strings) = parse::<RoomDoc>(two, "document").unwrap();
        let by = strings.append(&their_strings).unwrap();
        assert_eq!(by, "a.txth11".len() as u32);
        docs.extend(theirs.into_iter().map(|d| d.moved(by)));
        let shown: Vec<_> = docs
            .iter()
            .map(|d| {
                (
                    d.id,
                    strings.opt(d.name),
                    strings.opt(d.extension),
                    strings.opt(d.hash),
                    strings.opt(d.version),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (1, Some("a.txt"), None, Some("h1"), Some("1")),
                (2, Some("bb.pdf"), Some("pdf"), Some("h2"), Some("3")),
            ]
        );
    }
}
