//! Asks on the terminal for what entry demands and the flags did not give:
//! the question on the command's stderr ([`Output`]), the answer from stdin
//! (a secret from the terminal itself, without echo).

use std::io::{BufRead, IsTerminal};

use intralinks_ext::types::{ContentDeclaration, Splash};
use intralinks_ext::{FixedAnswers, Prompter, Secret};

use crate::output::{Output, tell};

/// Flags first (each used once), then the terminal when there is one.
pub struct TerminalPrompter {
    /// What the flags said.
    pub flags: FixedAnswers,
    /// Whether stdin and stderr are a terminal.
    pub interactive: bool,
    /// A hint shown before asking for a one-time password (the simulator's mailbox).
    pub otp_hint: Option<String>,
    /// Where the questions are asked.
    pub out: Output,
}

impl TerminalPrompter {
    /// From the flags; asks on `out`'s stderr only when it and stdin are a
    /// terminal.
    pub fn new(flags: FixedAnswers, otp_hint: Option<String>, out: Output) -> Self {
        let interactive = interactive(&out);
        Self {
            flags,
            interactive,
            otp_hint,
            out,
        }
    }

    fn ask_line(&self, question: &str) -> Option<String> {
        ask_line(&self.out, question)
    }

    fn ask_secret(&self, question: &str) -> Option<Secret> {
        ask_secret(question)
    }
}

/// Whether questions can be asked: stdin and `out`'s stderr are a terminal.
pub fn interactive(out: &Output) -> bool {
    std::io::stdin().is_terminal() && out.streams.err.is_terminal()
}

/// Asks `question` on `out`'s stderr and reads a line from stdin; `None`
/// when empty.
pub fn ask_line(out: &Output, question: &str) -> Option<String> {
    out.ask(question).ok()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    let line = line.trim().to_string();
    (!line.is_empty()).then_some(line)
}

/// Asks `question` on the terminal without echoing the answer.
pub fn ask_secret(question: &str) -> Option<Secret> {
    rpassword::prompt_password(crate::output::safe(question).as_ref())
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .map(Secret::new)
}

/// After a refused answer or password: says so, and how many wrong ones are left.
fn attempts_note(failed: Option<i32>) -> String {
    match failed {
        Some(n) => {
            let left = 3i32.saturating_sub(n).clamp(0, 3);
            format!(
                " (not accepted; {left} more wrong attempt{} lock{} you out)",
                if left == 1 { "" } else { "s" },
                if left == 1 { "s" } else { "" }
            )
        }
        None => String::new(),
    }
}

impl Prompter for TerminalPrompter {
    fn accept_splash(&mut self, splash: Option<&Splash>) -> Option<bool> {
        if self.flags.accept_splash {
            return Some(true);
        }
        if !self.interactive {
            return None;
        }
        if let Some(text) = splash.and_then(|s| s.splash_text.as_deref()) {
            tell!(
                self.out,
                "--- splash screen ---\n{}\n---------------------",
                intralinks_ext::text::html_to_text(text)
            )
            .ok()?;
        }
        let accept = splash
            .and_then(|s| s.accept_text.clone())
            .unwrap_or_else(|| "accept".into());
        let reply = self.ask_line(&format!("Type '{accept}' to accept the splash screen: "))?;
        Some(
            reply.eq_ignore_ascii_case(&accept)
                || reply.eq_ignore_ascii_case("y")
                || reply.eq_ignore_ascii_case("yes"),
        )
    }

    fn security_answer(&mut self, key: &str, failed: Option<i32>) -> Option<Secret> {
        if let Some(answer) = self.flags.security_answer(key, failed) {
            return Some(answer);
        }
        if !self.interactive {
            return None;
        }
        self.ask_secret(&format!(
            "Security question: {}{} ",
            intralinks_ext::question_text(key),
            attempts_note(failed)
        ))
    }

    fn one_time_password(&mut self, failed: Option<i32>) -> Option<Secret> {
        if let Some(otp) = self.flags.one_time_password(failed) {
            return Some(otp);
        }
        if !self.interactive {
            return None;
        }
        if let Some(hint) = &self.otp_hint {
            tell!(self.out, "{hint}").ok()?;
        }
        self.ask_secret(&format!(
            "One-time password mailed to you{}: ",
            attempts_note(failed)
        ))
    }

    fn content_declaration(&mut self) -> Option<ContentDeclaration> {
        if let Some(c) = self.flags.content_declaration() {
            return Some(c);
        }
        if !self.interactive {
            return None;
        }
        let reply = self.ask_line("Work with PUBLIC or PRIVATE content? ")?;
        match reply.to_ascii_uppercase().as_str() {
            "PUBLIC" => Some(ContentDeclaration::Public),
            "PRIVATE" => Some(ContentDeclaration::Private),
            _ => None,
        }
    }
}
