//! What the command-line adds to the library's errors, and how a command's
//! outcome becomes the exit status: shared by every command module, so that
//! none of them imports another for it.
//!
//! An error is a [`CliError`]: the message, the hint (what to type next) and
//! the [`Exit`] status it ends the command with, chosen where the error is
//! made — never read back from its text.

use std::fmt;

use intralinks_ext::Error;

/// A command's outcome: an error carries its message, hint and exit status.
pub(crate) type CliResult<T = ()> = Result<T, CliError>;

/// How an error ends the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Exit status 1: the command failed.
    Failed,
    /// Exit status 2: a command line that cannot be used, or trouble in a
    /// command that compares (`diff`, `room plan`: 1 means "different" there,
    /// as in diff(1)).
    Trouble,
    /// Exit status 0, nothing printed: whoever read the output went away (a
    /// closed pipe, `intralinks documents 1 | head -1`).
    OutputClosed,
}

impl Exit {
    /// The process's exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Failed => 1,
            Exit::Trouble => 2,
            Exit::OutputClosed => 0,
        }
    }
}

/// Why a command failed: the message, what to do about it, and the exit
/// status. Printed as one line, `error: MESSAGE; HINT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    message: String,
    hint: Option<String>,
    exit: Exit,
}

impl CliError {
    /// A failure with only a message (exit status 1).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            exit: Exit::Failed,
        }
    }

    /// A command line that cannot be used (exit status 2, as clap's own).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(message).with_exit(Exit::Trouble)
    }

    /// The output's reader went away: the command ends quietly, exit status 0.
    pub fn output_closed() -> Self {
        Self::new("the output was closed").with_exit(Exit::OutputClosed)
    }

    /// The same error with `hint` as what to do next.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same error ending the command with `exit`.
    pub fn with_exit(mut self, exit: Exit) -> Self {
        self.exit = exit;
        self
    }

    /// The same error in a command that compares (`diff`, `room plan`):
    /// exit status 2, a closed output still ending quietly.
    pub fn in_comparison(self) -> Self {
        match self.exit {
            Exit::OutputClosed => self,
            _ => self.with_exit(Exit::Trouble),
        }
    }

    /// The same error, its message said of `what` (`fund.yaml: …`).
    pub fn within(mut self, what: &str) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do about it, when there is something to say.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// How the command ends.
    pub fn exit(&self) -> Exit {
        self.exit
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.hint {
            Some(h) => write!(f, "{}; {h}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for CliError {}

/// The library's message, and what to type next with this command.
impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        let error = Self::new(e.to_string());
        match hint(&e, true) {
            Some(h) => error.with_hint(h),
            None => error,
        }
    }
}

/// A plain message (exit status 1), as the helper modules return them.
impl From<String> for CliError {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

/// A plain message (exit status 1).
impl From<&str> for CliError {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

/// The library's error as this command says it (for `.map_err(err)`).
pub(crate) fn err(e: Error) -> CliError {
    e.into()
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
        Error::ChangedMeanwhile { .. } => {
            Some("run the same command again: it looks at the room afresh".into())
        }
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

/// The exit status of a command's outcome — 0 done, 1 differs; an error
/// gives its own ([`Exit`]) — and the line to print on stderr: the error on
/// one line, controls escaped (none when the output was closed).
pub(crate) fn exit_code(outcome: CliResult<Status>) -> (u8, Option<String>) {
    match outcome {
        Ok(Status::Differs) => (1, None),
        Ok(Status::Done) => (0, None),
        Err(e) if e.exit() == Exit::OutputClosed => (e.exit().code(), None),
        Err(e) => {
            let text = e.to_string();
            let line: String = text.lines().collect::<Vec<_>>().join(" ");
            let line = format!("error: {}", intralinks_ext::text::for_terminal(&line));
            (e.exit().code(), Some(line))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_is_one_line_with_its_hint_and_its_own_status() {
        let e = CliError::new("it broke\nbadly\u{1b}[2J").with_hint("run `intralinks login`");
        assert_eq!(
            exit_code(Err(e.clone())),
            (
                1,
                Some("error: it broke badly\\x1b[2J; run `intralinks login`".to_string())
            )
        );
        assert_eq!(exit_code(Err(CliError::usage("no"))).0, 2);
        assert_eq!(exit_code(Err(e.in_comparison())).0, 2);
        assert_eq!(exit_code(Ok(Status::Differs)), (1, None));
        assert_eq!(exit_code(Ok(Status::Done)), (0, None));
    }

    #[test]
    fn a_closed_output_ends_quietly_even_in_a_comparison() {
        let closed = CliError::output_closed().in_comparison();
        assert_eq!(closed.exit(), Exit::OutputClosed);
        assert_eq!(exit_code(Err(closed)), (0, None));
    }

    #[test]
    fn the_librarys_error_keeps_its_hint() {
        let e = CliError::from(Error::EntryRequired {
            workspace_id: Some(7),
        });
        assert_eq!(e.hint(), Some("run `intralinks enter 7`"));
        assert_eq!(e.exit(), Exit::Failed);
        assert!(e.to_string().ends_with("; run `intralinks enter 7`"), "{e}");
        assert_eq!(
            e.clone().within("a.yaml").message(),
            format!("a.yaml: {}", e.message())
        );
    }
}
