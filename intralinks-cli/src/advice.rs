//! What the command-line adds to the library's errors, takes from the entry
//! flags, and returns as an exit status: shared by every command module, so
//! that none of them imports another for it.

use intralinks_ext::{Error, FixedAnswers};

use crate::Cli;

/// The library's message, plus what to type next with this command.
pub(crate) fn err(e: Error) -> String {
    match hint(&e, true) {
        Some(h) => format!("{e}; {h}"),
        None => e.to_string(),
    }
}

/// The command-line hint for an error; `terminal` says whether the command
/// would ask on a terminal.
pub(crate) fn hint(e: &Error, terminal: bool) -> Option<String> {
    use intralinks_ext::types::EntryState;
    let ask = if terminal {
        ", or run on a terminal to be asked"
    } else {
        ""
    };
    match e {
        Error::Unauthorized { .. } => Some("run `intralinks login`".into()),
        Error::LoginRefused { .. } => Some("check INTRALINKS_EMAIL and INTRALINKS_PASSWORD (or run `intralinks login` on a terminal to be asked)".into()),
        Error::Auth { .. } => {
            Some("check the network, then run `intralinks login` if it persists".into())
        }
        Error::EntryRequired {
            workspace_id: Some(id),
        } => Some(format!("run `intralinks enter {id}`")),
        Error::EntryIncomplete {
            workspace_id,
            state,
            ..
        } => match state {
            EntryState::AcceptSplash => Some(format!(
                "read it (`intralinks splash {workspace_id}`) and pass --accept-splash"
            )),
            EntryState::SecurityQuestion => {
                Some(format!("pass --answer (or set INTRALINKS_ANSWER){ask}"))
            }
            EntryState::OneTimePassword => Some(format!("pass --otp (or set INTRALINKS_OTP){ask}")),
            _ => None,
        },
        _ => None,
    }
}

/// What the entry flags answer (each at most once per entry).
pub(crate) fn entry_flags(cli: &Cli) -> FixedAnswers {
    FixedAnswers {
        accept_splash: cli.accept_splash,
        answer: cli.answer.clone(),
        one_time_password: cli.otp.clone(),
        content: cli.content_declaration.map(|c| match c {
            crate::Declaration::Public => intralinks_ext::types::ContentDeclaration::Public,
            crate::Declaration::Private => intralinks_ext::types::ContentDeclaration::Private,
        }),
    }
}

/// How a command that succeeded ended: for `diff` and `room plan`, whether
/// something differs (exit status 1, as diff(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Done; nothing to report in the exit status.
    Done,
    /// Done, and what was compared differs.
    Differs,
}
