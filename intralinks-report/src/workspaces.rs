//! Reports across workspaces.

use futures_util::{Stream, StreamExt, TryStreamExt};

use intralinks_ext::{FixedAnswers, Intralinks, Result};

use crate::rows::{Row, WorkspaceRef};

/// Every workspace the user can see, sorted by id.
pub async fn visible_workspaces(il: &Intralinks) -> Result<Vec<WorkspaceRef>> {
    let mut list: Vec<WorkspaceRef> = il
        .list_all_workspaces()
        .map_ok(|w| WorkspaceRef {
            id: w.id,
            name: intralinks_ext::listing::workspace_name(&w).to_string(),
        })
        .try_collect()
        .await?;
    list.sort_by_key(|w| w.id);
    list.dedup_by_key(|w| w.id);
    Ok(list)
}

/// One workspace's rows, or why there are none.
pub type Outcome<R> = (WorkspaceRef, Result<Vec<R>>);

/// The rows of each workspace, in the order given, fetched at most
/// `concurrency` at a time (at least one). With `answers`, a workspace that
/// must be entered first is entered as they allow; with `None`, none is
/// entered — it gives [`Error::EntryRequired`] — so that no one-time password
/// is mailed and no attempt spent in rooms nobody asked to enter. A
/// workspace that fails gives its error and the others go on.
///
/// [`Error::EntryRequired`]: intralinks_ext::Error::EntryRequired
pub fn across<'a, R: Row + 'a>(
    il: &'a Intralinks,
    workspaces: Vec<WorkspaceRef>,
    answers: Option<&'a FixedAnswers>,
    concurrency: usize,
) -> impl Stream<Item = Outcome<R>> + 'a {
    futures_util::stream::iter(workspaces)
        .map(move |ws| async move {
            let rows = match answers {
                Some(answers) => il.in_workspace(ws.id, answers, || R::fetch(il, &ws)).await,
                None => R::fetch(il, &ws).await,
            };
            (ws, rows)
        })
        .buffered(concurrency.max(1))
}
