//! Lists that come a page at a time (`offset` and `limit`), as one stream.
//!
//! No source says how large the service's pages are or whether it pages a
//! list when `limit` is not given, so the pager always asks for explicit
//! pages and stops when a page comes back short. It never trusts the service
//! to page correctly: an item already seen is not yielded twice, a service
//! that ignores `offset` (a full page of nothing new) is an error rather than
//! an endless loop or a silently short list, and the total is bounded.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::hash::Hash;

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};

use crate::{Checked, Error, Intralinks, Result, types};

/// How a list is fetched page by page.
///
/// Start from the default and change what you need, so a setting added
/// later keeps its default:
///
/// ```
/// use intralinks_ext::pages::Pages;
///
/// let pages = Pages::default().with_page_size(50).with_max_items(10_000);
/// assert_eq!((pages.page_size, pages.max_items), (50, 10_000));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pages {
    /// Items asked for per request (`limit`); at least 1. Default 100.
    pub page_size: u32,
    /// The most items accepted in all, a bound against a service that never
    /// stops sending. Default 1,000,000.
    pub max_items: u64,
}

impl Pages {
    /// The same, asking for `page_size` items per request (`limit`; at
    /// least 1).
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// The same, accepting at most `max_items` items in all.
    pub fn with_max_items(mut self, max_items: u64) -> Self {
        self.max_items = max_items;
        self
    }
}

impl Default for Pages {
    fn default() -> Self {
        Self {
            page_size: 100,
            max_items: 1_000_000,
        }
    }
}

/// Why a paged listing stopped with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PagingProblem {
    /// A full page held only items already seen: the service does not honour `offset`.
    OffsetIgnored,
    /// More than [`Pages::max_items`] items arrived.
    TooManyItems {
        /// The bound that was passed.
        max_items: u64,
    },
    /// [`Pages::page_size`] was 0.
    ZeroPageSize,
}

impl fmt::Display for PagingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PagingProblem::OffsetIgnored => write!(
                f,
                "a full page held only items already listed, so the service does not honour `offset`; ask for one larger page (a bigger page size)"
            ),
            PagingProblem::TooManyItems { max_items } => write!(
                f,
                "more than {max_items} items arrived; raise the bound if the list really is that long"
            ),
            PagingProblem::ZeroPageSize => write!(f, "the page size must be at least 1"),
        }
    }
}

struct State<F, K> {
    fetch: F,
    offset: u64,
    seen: HashSet<K>,
    done: bool,
}

/// Streams every item of a paged list. `fetch(offset, limit)` gets one page;
/// `key` identifies an item, so that one the service sends twice (a list that
/// changed between two pages) is yielded once. `operation` names the list in
/// errors. The stream ends after the first short or empty page.
///
/// # Examples
///
/// ```
/// use futures_util::TryStreamExt;
/// use intralinks_ext::pages::{Pages, paged};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> intralinks_ext::Result<()> {
/// let list: Vec<u32> = (1..=7).collect();
/// // One page of `limit` items from `offset`; a real fetch calls the service.
/// let fetch = |offset: u64, limit: u32| {
///     let page: Vec<u32> = list.iter().skip(offset as usize).take(limit as usize).copied().collect();
///     async move { Ok(page) }
/// };
/// let all: Vec<u32> = paged("numbers", Pages::default().with_page_size(3), fetch, |n: &u32| *n)
///     .try_collect()
///     .await?;
/// assert_eq!(all, list);
/// # Ok(()) }
/// ```
pub fn paged<T, K, F, Fut>(
    operation: &'static str,
    pages: Pages,
    fetch: F,
    key: fn(&T) -> K,
) -> impl Stream<Item = Result<T>>
where
    K: Eq + Hash,
    F: FnMut(u64, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>>>,
{
    let state = State {
        fetch,
        offset: 0,
        seen: HashSet::new(),
        done: false,
    };
    stream::try_unfold(state, move |mut st| async move {
        if st.done {
            return Ok(None);
        }
        let fail = |offset, problem| Error::Paging {
            operation,
            offset,
            problem,
        };
        if pages.page_size == 0 {
            return Err(fail(0, PagingProblem::ZeroPageSize));
        }
        let offset = st.offset;
        let page = (st.fetch)(offset, pages.page_size).await?;
        let received = page.len() as u64;
        let fresh: Vec<T> = page
            .into_iter()
            .filter(|item| st.seen.insert(key(item)))
            .collect();
        if st.seen.len() as u64 > pages.max_items {
            return Err(fail(
                offset,
                PagingProblem::TooManyItems {
                    max_items: pages.max_items,
                },
            ));
        }
        let full = received >= u64::from(pages.page_size);
        if full && fresh.is_empty() {
            return Err(fail(offset, PagingProblem::OffsetIgnored));
        }
        // A short page is the last one; so is one longer than asked for (the
        // service ignored `limit` and sent the whole list).
        st.done = received != u64::from(pages.page_size);
        st.offset += received;
        Ok(Some((fresh, st)))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
}

impl Intralinks {
    /// Every workspace the caller can see, fetched in pages of 100.
    ///
    /// ```no_run
    /// # async fn run(il: intralinks_ext::Intralinks) -> intralinks_ext::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let all: Vec<_> = il.list_all_workspaces().try_collect().await?;
    /// println!("{} workspaces", all.len());
    /// # Ok(()) }
    /// ```
    pub fn list_all_workspaces(&self) -> impl Stream<Item = Result<types::Workspace>> + '_ {
        self.list_all_workspaces_with(Pages::default())
    }

    /// [`Intralinks::list_all_workspaces`] with a chosen page size and bound.
    pub fn list_all_workspaces_with(
        &self,
        pages: Pages,
    ) -> impl Stream<Item = Result<types::Workspace>> + '_ {
        paged(
            "workspaces",
            pages,
            move |offset, limit| async move {
                let list = self
                    .api()
                    .list_workspaces()
                    .offset(offset as i64)
                    .limit(i64::from(limit))
                    .send()
                    .checked()
                    .await?;
                Ok(list.workspace)
            },
            |w: &types::Workspace| w.id,
        )
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A list of `n` items served by a pager that records each request.
    async fn run(
        n: u64,
        pages: Pages,
        serve: impl Fn(&[u64], u64, u32) -> Vec<u64>,
    ) -> (Result<Vec<u64>>, Vec<(u64, u32)>) {
        let all: Vec<u64> = (1..=n).collect();
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        let result = paged(
            "things",
            pages,
            |offset, limit| {
                log.lock().unwrap().push((offset, limit));
                let page = serve(&all, offset, limit);
                async move { Ok(page) }
            },
            |x: &u64| *x,
        )
        .try_collect()
        .await;
        let asked = asked.lock().unwrap().clone();
        (result, asked)
    }

    fn honest(all: &[u64], offset: u64, limit: u32) -> Vec<u64> {
        all.iter()
            .skip(offset as usize)
            .take(limit as usize)
            .copied()
            .collect()
    }

    fn sized(page_size: u32) -> Pages {
        Pages {
            page_size,
            ..Pages::default()
        }
    }

    #[tokio::test]
    async fn pages_until_a_short_page() {
        let (items, asked) = run(7, sized(3), honest).await;
        assert_eq!(items.unwrap(), (1..=7).collect::<Vec<_>>());
        assert_eq!(asked, [(0, 3), (3, 3), (6, 3)]);
    }

    #[tokio::test]
    async fn an_exact_multiple_ends_on_an_empty_page() {
        let (items, asked) = run(6, sized(3), honest).await;
        assert_eq!(items.unwrap(), (1..=6).collect::<Vec<_>>());
        assert_eq!(asked, [(0, 3), (3, 3), (6, 3)]);
    }

    #[tokio::test]
    async fn a_service_that_ignores_limit_is_one_page() {
        let (items, asked) = run(7, sized(3), |all, _, _| all.to_vec()).await;
        assert_eq!(items.unwrap(), (1..=7).collect::<Vec<_>>());
        assert_eq!(asked, [(0, 3)]);
    }

    #[tokio::test]
    async fn a_service_that_ignores_offset_is_an_error_not_a_loop() {
        let (items, asked) = run(7, sized(3), |all, _, limit| honest(all, 0, limit)).await;
        assert_eq!(
            items.unwrap_err().to_string(),
            "listing things stopped at offset 3: a full page held only items already listed, so the service does not honour `offset`; ask for one larger page (a bigger page size)"
        );
        assert_eq!(asked, [(0, 3), (3, 3)]);
    }

    #[tokio::test]
    async fn an_item_sent_twice_is_yielded_once() {
        // The list shifted by one between the two pages.
        let (items, _) = run(5, sized(3), |all, offset, limit| {
            honest(all, offset.saturating_sub(1), limit)
        })
        .await;
        assert_eq!(items.unwrap(), [1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn an_endless_list_stops_at_the_bound() {
        let pages = Pages {
            page_size: 10,
            max_items: 25,
        };
        let (items, asked) = run(1_000, pages, honest).await;
        assert!(matches!(
            items.unwrap_err(),
            Error::Paging {
                operation: "things",
                offset: 20,
                problem: PagingProblem::TooManyItems { max_items: 25 }
            }
        ));
        assert_eq!(asked.len(), 3);
    }

    #[tokio::test]
    async fn a_zero_page_size_is_refused() {
        let (items, asked) = run(3, sized(0), honest).await;
        assert_eq!(
            items.unwrap_err().to_string(),
            "listing things stopped at offset 0: the page size must be at least 1"
        );
        assert!(asked.is_empty());
    }
}
