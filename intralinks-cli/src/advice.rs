//! What the command-line adds to the library's errors, and how a command's
//! outcome becomes the exit status: shared by every command module, so that
//! none of them imports another for it.

use std::process::ExitCode;

use intralinks_ext::Error;

/// A command's outcome: an error is the message to print.
pub(crate) type CliResult<T = ()> = Result<T, String>;

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
        Error::AnswerTooLarge { limit } => Some(format!(
            "if the room really is that large, run again with a higher --answer-limit (MiB, now {}; or set INTRALINKS_ANSWER_LIMIT)",
            limit.div_ceil(1024 * 1024)
        )),
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

/// How a command that succeeded ended: for `diff` and `room plan`, whether
/// something differs (exit status 1, as diff(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Done; nothing to report in the exit status.
    Done,
    /// Done, and what was compared differs.
    Differs,
}

/// The exit status of a command's outcome, its error printed as one line on
/// stderr: 0 done, 1 differs or failed; a command that `compares` (`diff`,
/// `room plan`) exits 2 on error, as diff(1).
pub(crate) fn exit_code(outcome: CliResult<Status>, compares: bool) -> ExitCode {
    match outcome {
        Ok(Status::Differs) => ExitCode::from(1),
        Ok(Status::Done) => ExitCode::SUCCESS,
        Err(message) => {
            let line: String = message.lines().collect::<Vec<_>>().join(" ");
            crate::output::tell_line(&format!("error: {}", crate::output::safe(&line)));
            // diff(1): 1 means "different", so trouble is 2.
            ExitCode::from(if compares { 2 } else { 1 })
        }
    }
}
