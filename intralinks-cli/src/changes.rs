//! How a change to a room is shown, one line each: by `room plan`/`apply`
//! and by the one-off `groups`, `members` and `permissions` commands, which
//! go through the same `intralinks_room` executor.

use intralinks_ext::text::for_terminal;
use intralinks_room::{Action, Change, Kind};

fn sign(a: Action) -> &'static str {
    match a {
        Action::Create => "+",
        Action::Change => "~",
        Action::Remove => "-",
        Action::CannotRemove => "!",
        // An action added to the library later.
        _ => "?",
    }
}

fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Workspace => "workspace",
        Kind::Folder => "folder",
        Kind::Group => "group",
        Kind::Member => "member",
        Kind::Membership => "membership",
        Kind::Permission => "permission",
        Kind::Splash | Kind::Settings => "workspace",
        // A kind added to the library later.
        _ => "object",
    }
}

/// One change as a plan line: `  + folder ABP`.
pub(crate) fn line(c: &Change) -> String {
    let detail = match (&c.detail, c.action) {
        (Some(d), Action::CannotRemove) => format!(": cannot be removed — {d}"),
        (Some(d), _) => format!(" ({d})"),
        (None, _) => String::new(),
    };
    format!(
        "  {} {} {}{}",
        sign(c.action),
        kind(c.kind),
        for_terminal(&c.target),
        for_terminal(&detail)
    )
}
