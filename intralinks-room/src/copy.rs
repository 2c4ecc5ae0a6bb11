//! One person's place in a room given to another: "give B the same rooms,
//! roles and groups as A" (the Intralinks Python SDK's `copy_memberships`
//! in `tools/user_manager.py`, which writes A's rooms, roles and groups out
//! for B), made through the same diff and executor as `apply`.

use intralinks_ext::types;
use intralinks_ext::{Error, FixedAnswers, Intralinks, Result};

use crate::change::Change;
use crate::file::MemberSpec;
use crate::observe::{Observed, observe_unless_dry};
use crate::oneoff::{Require, ensure_observed, members_request};

/// What B is given in one workspace: A's role and groups, and B's names
/// from B's account when B is not a member yet.
fn copied(ws: i64, o: &Observed, from: &str, to: &types::UserAccount) -> Result<MemberSpec> {
    let a = o.members.get(&from.to_lowercase()).ok_or_else(|| {
        Error::InvalidInput(format!(
            "workspace {ws} has no member {from}; name the workspaces {from} is in, or copy from all of them"
        ))
    })?;
    let mut groups: Vec<String> = o
        .memberships
        .iter()
        .filter(|(_, m)| *m == a.id)
        .filter_map(|(g, _)| o.groups.values().find(|x| x.id == *g))
        .map(|g| g.name.clone())
        .collect();
    groups.sort();
    groups.dedup();
    let is_member = o.members.contains_key(&to.email_id.to_lowercase());
    let name = |n: &Option<String>| n.clone().filter(|n| !is_member && !n.is_empty());
    Ok(MemberSpec {
        email: to.email_id.clone(),
        first_name: name(&to.first_name),
        last_name: name(&to.last_name),
        organization: name(&to.organization),
        role: Some(a.role.clone()).filter(|r| !r.is_empty()),
        groups,
        welcome_alert: None,
    })
}

/// Gives the person with account `to` the role and the groups that member
/// `from` has in workspace `ws`: adds them as a member when they are not
/// one (with their account's names), sets the role, and adds them to each
/// group; returns what was done (with `dry_run`, what would be, and nothing
/// is sent). Nothing is taken away: groups `to` is in besides are kept (the
/// API cannot remove one membership). A second run changes nothing.
///
/// `entry` enters the workspace when it must be entered; with `None` (and
/// always with `dry_run`) it is not entered, and such a workspace gives an
/// error that says to enter it. `from` must be a member of `ws`.
pub async fn copy_member(
    il: &Intralinks,
    ws: i64,
    from: &str,
    to: &types::UserAccount,
    dry_run: bool,
    entry: Option<&FixedAnswers>,
) -> Result<Vec<Change>> {
    for email in [from, to.email_id.as_str()] {
        if !intralinks_ext::text::is_email_address(email) {
            return Err(Error::InvalidInput(format!(
                "{email:?} is not one plain e-mail address (name@example.com: no spaces, display name, mailto: or second address); correct it"
            )));
        }
    }
    if from.eq_ignore_ascii_case(&to.email_id) {
        return Err(Error::InvalidInput(format!(
            "{from} would be copied onto themselves; name another person to copy to"
        )));
    }
    let observed = observe_unless_dry(il, ws, entry, dry_run).await?;
    let want = members_request(vec![copied(ws, &observed, from, to)?]);
    ensure_observed(
        il,
        ws,
        &want,
        &observed,
        dry_run,
        Require::default().groups(),
    )
    .await
}
