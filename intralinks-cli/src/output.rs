//! Tables for people, JSON for scripts — and the one way text reaches a
//! person.
//!
//! A command writes to the [`Streams`] it was given, never to the process's
//! own: the binary hands it standard output and standard error, a test hands
//! it buffers ([`Buffer`]). Each [`Stream`] knows whether it is a terminal.
//! A write the reader went away from (a closed pipe) is
//! [`CliError::output_closed`], which ends the command quietly with exit
//! status 0; any other failed write is an error.
//!
//! Names, messages and splash text come from the server or the disk and may
//! hold terminal controls. Everything printed for people goes through
//! [`say!`] (stdout) or [`tell!`] (stderr), which escape every control
//! character (C0 but line feed and tab, DEL, C1) and bidi control of the
//! whole message; a value interpolated into a line is passed through [`safe`]
//! first, which escapes line feeds and tabs too, so a name cannot forge a
//! line. Table cells are escaped one by one. JSON stays exact: C1 and bidi
//! controls, which JSON does not have to escape, are written as `\uXXXX`.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use serde::Serialize;

use crate::advice::{CliError, CliResult};

/// Prints a line for people on the stdout of an [`Output`] (or [`Streams`]):
/// `say!(ctx.out, "…", …)?`; see the module's doc.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {
        $out.say(&format!($($arg)*))
    };
}

/// Prints a line for people on the stderr of an [`Output`] (or [`Streams`]):
/// `tell!(ctx.out, "…", …)?`; see the module's doc.
macro_rules! tell {
    ($out:expr, $($arg:tt)*) => {
        $out.tell(&format!($($arg)*))
    };
}

pub(crate) use {say, tell};

/// One output stream: where its bytes go, and whether it is a terminal.
pub struct Stream {
    sink: Mutex<Box<dyn Write + Send>>,
    terminal: bool,
    /// Whether progress bars may draw on it: the process's own stderr on a
    /// terminal, where indicatif draws.
    bars: bool,
    /// What an error message calls it.
    name: &'static str,
}

impl Stream {
    /// The process's standard output.
    pub fn stdout() -> Self {
        let out = std::io::stdout();
        Self {
            terminal: out.is_terminal(),
            sink: Mutex::new(Box::new(out)),
            bars: false,
            name: "standard output",
        }
    }

    /// The process's standard error; progress bars draw on it when it is a
    /// terminal.
    pub fn stderr() -> Self {
        let err = std::io::stderr();
        let terminal = err.is_terminal();
        Self {
            terminal,
            sink: Mutex::new(Box::new(err)),
            bars: terminal,
            name: "standard error",
        }
    }

    /// Any writer (a test's buffer), taken for a terminal when `terminal`
    /// says so: text is then shaped as for one, but no progress bar is drawn.
    pub fn new(writer: impl Write + Send + 'static, terminal: bool, name: &'static str) -> Self {
        Self {
            sink: Mutex::new(Box::new(writer)),
            terminal,
            bars: false,
            name,
        }
    }

    /// Whether it is a terminal (or stands for one).
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    /// Where a progress bar for this stream draws: on the process's stderr
    /// when it is a terminal, nowhere otherwise.
    pub fn bar_target(&self) -> indicatif::ProgressDrawTarget {
        if self.bars {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        }
    }

    /// Writes `bytes` as they are, and flushes.
    pub fn write_bytes(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut sink = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        sink.write_all(bytes)?;
        sink.flush()
    }

    /// Writes `bytes` as they are; a closed pipe is
    /// [`CliError::output_closed`], another failure names the stream.
    pub fn write_all(&self, bytes: &[u8]) -> CliResult {
        self.write_bytes(bytes).map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => CliError::output_closed(),
            _ => CliError::new(format!("cannot write to {}: {e}", self.name)),
        })
    }

    /// Writes `text` and a line feed, controls escaped (see the module's doc).
    pub fn line(&self, text: &str) -> CliResult {
        let mut bytes = intralinks_ext::text::for_terminal_text(text).into_owned();
        bytes.push('\n');
        self.write_all(bytes.as_bytes())
    }
}

/// A handle that writes to a [`Stream`] (each write flushed), for what
/// wants a writer: a report's CSV, a document streamed to stdout.
#[derive(Clone)]
pub struct StreamWriter(Arc<Stream>);

impl Write for StreamWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_bytes(buf).map(|()| buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes as it is polled: the stream is a pipe, a terminal or memory, and
/// the command's own task is the one that waits on it.
impl tokio::io::AsyncWrite for StreamWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(self.0.write_bytes(buf).map(|()| buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The two streams a command writes to: stdout for what it was asked for,
/// stderr for everything said along the way.
#[derive(Clone)]
pub struct Streams {
    /// Standard output, or what stands for it.
    pub out: Arc<Stream>,
    /// Standard error, or what stands for it.
    pub err: Arc<Stream>,
    /// Print an error line whole, however long (`-v`); otherwise it is
    /// clipped to [`ERROR_LINE_LIMIT`] characters.
    pub whole_errors: bool,
}

/// The most characters of an error line printed without `-v`: a message a
/// server echoes can be megabytes.
pub const ERROR_LINE_LIMIT: usize = 2000;

impl Streams {
    /// The process's standard output and standard error.
    pub fn process() -> Self {
        Self::new(Stream::stdout(), Stream::stderr())
    }

    /// `out` and `err` as a command's streams.
    pub fn new(out: Stream, err: Stream) -> Self {
        Self {
            out: Arc::new(out),
            err: Arc::new(err),
            whole_errors: false,
        }
    }

    /// Writes a line for people to stdout; see the module's doc.
    pub fn say(&self, text: &str) -> CliResult {
        self.out.line(text)
    }

    /// Writes a line for people to stderr; see the module's doc.
    pub fn tell(&self, text: &str) -> CliResult {
        self.err.line(text)
    }

    /// Ends a command: prints its error, if any, as one line on stderr
    /// (nothing when the output was closed), and gives its exit status
    /// ([`crate::advice::exit_code`]).
    pub fn conclude(&self, outcome: CliResult<crate::advice::Status>) -> u8 {
        let (code, line) = crate::advice::exit_code(outcome);
        if let Some(line) = line {
            let line = match line.char_indices().nth(ERROR_LINE_LIMIT) {
                Some((at, _)) if !self.whole_errors => format!(
                    "{}… ({} more characters; run with -v to see the whole message)",
                    &line[..at],
                    line[at..].chars().count()
                ),
                _ => line,
            };
            // Nothing more can be said when stderr is gone too.
            let _ = self.tell(&line);
        }
        code
    }
}

/// How a command prints, from the global options — JSON records or text for
/// people, and whether progress is shown — and where: its [`Streams`].
#[derive(Clone)]
pub struct Output {
    /// `--json`: records for scripts instead of tables and sentences.
    pub json: bool,
    /// `-q`: no progress (no bar on a terminal, no status lines otherwise).
    pub quiet: bool,
    /// The pause between two status lines of mirror and push.
    pub status_every: Duration,
    /// Where it prints.
    pub streams: Streams,
}

impl Output {
    /// Writes a line for people to stdout (use [`say!`]).
    pub fn say(&self, text: &str) -> CliResult {
        self.streams.say(text)
    }

    /// Writes a line for people to stderr (use [`tell!`]).
    pub fn tell(&self, text: &str) -> CliResult {
        self.streams.tell(text)
    }

    /// Asks `question` on stderr: written without a line feed, controls
    /// escaped, for an answer typed on the same line.
    pub fn ask(&self, question: &str) -> CliResult {
        self.streams.err.write_all(safe(question).as_bytes())
    }

    /// Writes `bytes` to stdout as they are: a completion script, a man
    /// page, a room file.
    pub fn raw(&self, bytes: &[u8]) -> CliResult {
        self.streams.out.write_all(bytes)
    }

    /// A writer onto stdout, for bytes written as they come.
    pub fn stdout_writer(&self) -> StreamWriter {
        StreamWriter(self.streams.out.clone())
    }

    /// Prints records as JSON (one array) with RFC 3339 dates and exact ids.
    pub fn print_json<T: Serialize>(&self, records: &T) -> CliResult {
        let value = intralinks_ext::json::to_output(records)
            .map_err(|e| format!("cannot write JSON: {e}"))?;
        let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
        let mut text = json_for_terminal(&text).into_owned();
        text.push('\n');
        self.raw(text.as_bytes())
    }

    /// Prints one record as JSON on one line (JSON Lines, for output that
    /// streams), with RFC 3339 dates and exact ids.
    pub fn print_json_line<T: Serialize>(&self, record: &T) -> CliResult {
        let value = intralinks_ext::json::to_output(record)
            .map_err(|e| format!("cannot write JSON: {e}"))?;
        let text = serde_json::to_string(&value).map_err(|e| e.to_string())?;
        let mut text = json_for_terminal(&text).into_owned();
        text.push('\n');
        self.raw(text.as_bytes())
    }

    /// A listing as the command was asked for it: `items` as JSON records
    /// with `--json`, else a table of one `row` per item under `headers`.
    pub fn listing<T: Serialize>(
        &self,
        items: &[T],
        headers: &[&str],
        row: impl Fn(&T) -> Vec<String>,
    ) -> CliResult {
        if self.json {
            return self.print_json(&items);
        }
        let rows: Vec<Vec<String>> = items.iter().map(row).collect();
        self.table(headers, &rows)
    }

    /// Prints an aligned table; every cell passes through [`safe`].
    pub fn table(&self, headers: &[&str], rows: &[Vec<String>]) -> CliResult {
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|row| row.iter().map(|c| safe(c).into_owned()).collect())
            .collect();
        self.table_of_safe_cells(headers, &rows)
    }

    /// Prints an aligned table of cells already escaped.
    fn table_of_safe_cells(&self, headers: &[&str], rows: &[Vec<String>]) -> CliResult {
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell.chars().count());
                }
            }
        }
        let line = |cells: Vec<String>| {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c:<width$}", width = widths.get(i).copied().unwrap_or(0)))
                .collect();
            let mut text = parts.join("  ").trim_end().to_string();
            text.push('\n');
            self.raw(text.as_bytes())
        };
        line(headers.iter().map(|h| h.to_string()).collect())?;
        line(widths.iter().map(|w| "-".repeat(*w)).collect())?;
        for row in rows {
            line(row.clone())?;
        }
        Ok(())
    }
}

/// One value (a name, a path, a server's message) for a line meant for a
/// person: every control character escaped, line feeds and tabs included.
pub fn safe(text: &str) -> Cow<'_, str> {
    intralinks_ext::text::for_terminal(text)
}

/// `text` cut to at most `max` characters, with `…` where it was cut: a path
/// or message from a server can be any length.
pub fn clip(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
        None => Cow::Borrowed(text),
    }
}

/// JSON text with the controls JSON leaves raw (C1, DEL, bidi) written as
/// `\uXXXX` escapes: the same value, nothing a terminal acts on. They can
/// only occur inside strings, where the escape is valid.
fn json_for_terminal(text: &str) -> Cow<'_, str> {
    let raw = |c: char| c.is_control() || intralinks_ext::text::is_bidi_control(c);
    if !text.chars().any(raw) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if raw(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A millisecond date as `YYYY-MM-DD HH:MM` UTC, or empty.
pub fn date(m: Option<intralinks_ext::Millis>) -> String {
    m.and_then(|m| m.to_datetime())
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Bytes in a readable unit.
pub fn size(bytes: Option<i64>) -> String {
    let Some(b) = bytes else { return String::new() };
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < units.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// An in-memory stream for tests: everything written to it, shared with
/// its clones.
#[cfg(test)]
#[derive(Clone, Default)]
pub struct Buffer(Arc<Mutex<Vec<u8>>>);

#[cfg(test)]
impl Buffer {
    /// What was written, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Streams onto two new buffers, both taken for terminals or neither:
    /// the streams, and the buffers behind stdout and stderr.
    pub fn streams(terminal: bool) -> (Streams, Buffer, Buffer) {
        let (out, err) = (Buffer::default(), Buffer::default());
        let streams = Streams::new(
            Stream::new(out.clone(), terminal, "standard output"),
            Stream::new(err.clone(), terminal, "standard error"),
        );
        (streams, out, err)
    }
}

#[cfg(test)]
impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// For tests, a reader that went away: every write fails as on a closed
/// pipe.
#[cfg(test)]
pub struct ClosedPipe;

#[cfg(test)]
impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_its_value_and_loses_raw_controls() {
        let value = serde_json::json!({"name": "a\u{9b}2J\u{202e}b\u{1b}c\nd"});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let shown = json_for_terminal(&text);
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown}"
        );
        assert!(shown.contains("a\\u009b2J\\u202eb\\u001bc\\nd"), "{shown}");
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back, value);
    }

    fn output(streams: Streams) -> Output {
        Output {
            json: false,
            quiet: true,
            status_every: Duration::from_secs(5),
            streams,
        }
    }

    #[test]
    fn lines_tables_and_json_go_to_the_injected_streams() {
        let (streams, out, err) = Buffer::streams(false);
        let o = output(streams);
        say!(o, "name: {}", safe("a\nb\u{1b}")).unwrap();
        tell!(o, "note\u{9b}").unwrap();
        o.table(&["ID", "NAME"], &[vec!["1".into(), "x\ty".into()]])
            .unwrap();
        o.print_json(&serde_json::json!([{"id": 1}])).unwrap();
        assert_eq!(
            out.text(),
            "name: a\\x0ab\\x1b\nID  NAME\n--  ------\n1   x\\x09y\n[\n  {\n    \"id\": 1\n  }\n]\n"
        );
        assert_eq!(err.text(), "note\\x9b\n");
    }

    #[test]
    fn a_megabyte_error_is_clipped_unless_asked_for_whole() {
        let message = format!("the service said: {}", "x".repeat(5_000_000));
        let (streams, _, err) = Buffer::streams(false);
        assert_eq!(streams.conclude(Err(message.clone().into())), 1);
        let line = err.text();
        assert_eq!(
            line.chars().count(),
            ERROR_LINE_LIMIT
                + "… (4998025 more characters; run with -v to see the whole message)\n"
                    .chars()
                    .count()
        );
        assert!(
            line.starts_with("error: the service said: xxx"),
            "{}",
            &line[..40]
        );
        assert!(
            line.ends_with("… (4998025 more characters; run with -v to see the whole message)\n")
        );

        let (mut streams, _, err) = Buffer::streams(false);
        streams.whole_errors = true;
        streams.conclude(Err(message.into()));
        assert_eq!(
            err.text().len(),
            "error: the service said: \n".len() + 5_000_000
        );
    }

    #[test]
    fn a_closed_pipe_is_the_quiet_error_and_another_failure_is_not() {
        let (streams, _, err) = Buffer::streams(false);
        let o = output(Streams {
            out: Arc::new(Stream::new(ClosedPipe, false, "standard output")),
            err: streams.err,
            whole_errors: false,
        });
        let e = say!(o, "lost").unwrap_err();
        assert_eq!(e.exit(), crate::advice::Exit::OutputClosed);
        assert_eq!(
            o.raw(b"x").unwrap_err().exit(),
            crate::advice::Exit::OutputClosed
        );
        assert_eq!(err.text(), "");

        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let stream = Stream::new(Full, false, "standard output");
        let e = stream.line("x").unwrap_err();
        assert_eq!(e.exit(), crate::advice::Exit::Failed);
        assert_eq!(e.to_string(), "cannot write to standard output: disk full");
    }
}
