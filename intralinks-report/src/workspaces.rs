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

/// The workspaces the person with this e-mail is a member of, of those
/// the user can see, sorted by id: a person's rooms across workspaces
/// (their account, `GET /users/{email}`, then `GET /workspaces?userId=`).
/// A person the service has no account for is [`Error::InvalidInput`];
/// the address is checked before any request.
///
/// [`Error::InvalidInput`]: intralinks_ext::Error::InvalidInput
pub async fn workspaces_of(il: &Intralinks, email: &str) -> Result<Vec<WorkspaceRef>> {
    let account = il.user_account(email).await?.ok_or_else(|| {
        intralinks_ext::Error::InvalidInput(format!(
            "the service has no user account {}; check the address",
            email.trim()
        ))
    })?;
    Ok(il
        .workspaces_of_user(account.user_id)
        .await?
        .iter()
        .map(|w| WorkspaceRef {
            id: w.id,
            name: intralinks_ext::listing::workspace_name(w).to_string(),
        })
        .collect())
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
