//! How `mirror` and `push` show their progress: one overall bar on a
//! terminal (files, bytes, rate, time left), a status line every few seconds
//! when stderr is not a terminal, nothing with `--quiet`. Fed by the
//! engine's [`SyncEvent`]s. `download` and `upload` get a byte bar ([`bar`]).
//! Whether stderr is a terminal, and where the bars draw and the status
//! lines go, is the command's [`Output`]'s to say.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use intralinks_ext::{Progress, ProgressFn};
use intralinks_sync::{SyncEvent, SyncHook};

use crate::output::Output;

/// Counters the engine's events update.
#[derive(Debug, Default)]
struct Counts {
    items: AtomicU64,
    bytes: AtomicU64,
    items_done: AtomicU64,
    bytes_done: AtomicU64,
    failed: AtomicU64,
}

impl Counts {
    fn apply(&self, e: &SyncEvent) {
        match e {
            SyncEvent::Planned { items, bytes } => {
                self.items.store(*items as u64, Ordering::Relaxed);
                self.bytes.store(*bytes, Ordering::Relaxed);
            }
            SyncEvent::Started { resumed_from, .. } => {
                self.bytes_done.fetch_add(*resumed_from, Ordering::Relaxed);
            }
            SyncEvent::Moved { bytes, .. } => {
                self.bytes_done.fetch_add(*bytes, Ordering::Relaxed);
            }
            SyncEvent::Done { .. } => {
                self.items_done.fetch_add(1, Ordering::Relaxed);
            }
            SyncEvent::Skipped { bytes, .. } => {
                self.items_done.fetch_add(1, Ordering::Relaxed);
                self.bytes_done.fetch_add(*bytes, Ordering::Relaxed);
            }
            SyncEvent::Failed { .. } => {
                self.failed.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }
}

/// A running display; [`Display::finish`] takes it down.
pub struct Display {
    ticker: Option<tokio::task::JoinHandle<()>>,
    bar: Option<ProgressBar>,
}

impl Display {
    /// Takes the bar off the screen and stops the status lines.
    pub fn finish(self) {
        if let Some(t) = self.ticker {
            t.abort();
        }
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}

/// Starts showing the progress of a run that `verb` names ("mirror",
/// "push") on `out`'s stderr: the hook to put in the engine's options, and
/// the display. `out.quiet` shows nothing; `out.status_every` is the pause
/// between two status lines when stderr is not a terminal.
pub fn start(verb: &'static str, out: &Output) -> (Option<SyncHook>, Display) {
    let idle = Display {
        ticker: None,
        bar: None,
    };
    if out.quiet {
        return (None, idle);
    }
    let counts = Arc::new(Counts::default());
    let c = counts.clone();
    let hook = SyncHook::new(move |e| c.apply(e));
    let started = Instant::now();
    let stderr = out.streams.err.clone();
    if stderr.is_terminal() {
        // Hidden until the totals are known (the listing comes first).
        let bar = ProgressBar::hidden();
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix} {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta} left",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(verb);
        let b = bar.clone();
        let ticker = tokio::spawn(async move {
            let mut shown = false;
            loop {
                if !shown && counts.items.load(Ordering::Relaxed) > 0 {
                    b.set_draw_target(stderr.bar_target());
                    shown = true;
                }
                b.set_length(counts.bytes.load(Ordering::Relaxed));
                b.set_position(counts.bytes_done.load(Ordering::Relaxed));
                b.set_message(format!(
                    "{}/{} files",
                    counts.items_done.load(Ordering::Relaxed),
                    counts.items.load(Ordering::Relaxed)
                ));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        return (
            Some(hook),
            Display {
                ticker: Some(ticker),
                bar: Some(bar),
            },
        );
    }
    let every = out.status_every;
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            // A stderr that went away ends nothing: the run goes on.
            let _ = stderr.line(&status_line(verb, &counts, started.elapsed()));
        }
    });
    (
        Some(hook),
        Display {
            ticker: Some(ticker),
            bar: None,
        },
    )
}

/// "mirror: 3/10 files, 12.0 MB of 40.0 MB, 2.0 MB/s, about 14 s left".
fn status_line(verb: &str, counts: &Counts, elapsed: Duration) -> String {
    let items = counts.items.load(Ordering::Relaxed);
    let done = counts.items_done.load(Ordering::Relaxed);
    let bytes = counts.bytes.load(Ordering::Relaxed);
    let moved = counts.bytes_done.load(Ordering::Relaxed);
    let failed = counts.failed.load(Ordering::Relaxed);
    let rate = moved as f64 / elapsed.as_secs_f64().max(0.001);
    let left = if rate >= 1.0 && bytes >= moved {
        format!(
            ", about {} s left",
            ((bytes - moved) as f64 / rate).ceil() as u64
        )
    } else {
        String::new()
    };
    let failed = if failed > 0 {
        format!(", {failed} failed")
    } else {
        String::new()
    };
    format!(
        "{verb}: {done}/{items} files, {} of {}, {}/s{left}{failed}",
        megabytes(moved),
        megabytes(bytes),
        megabytes(rate as u64),
    )
}

fn megabytes(n: u64) -> String {
    format!("{:.1} MB", n as f64 / 1_000_000.0)
}

/// A byte bar for one download or upload, labelled `label`, when `out`'s
/// stderr is a terminal and unless `out.quiet`; with the callback that
/// moves it.
pub fn bar(out: &Output, label: &str, total: Option<u64>) -> Option<(ProgressBar, ProgressFn)> {
    let stderr = &out.streams.err;
    if out.quiet || !stderr.is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(total, stderr.bar_target());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(crate::output::safe(label).into_owned());
    let b = bar.clone();
    let f: ProgressFn = Arc::new(move |p: Progress| b.set_position(p.done));
    Some((bar, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_line_sums_up_the_events() {
        let c = Counts::default();
        for e in [
            SyncEvent::Planned {
                items: 3,
                bytes: 40_000_000,
            },
            SyncEvent::Skipped {
                path: "a".into(),
                bytes: 10_000_000,
            },
            SyncEvent::Started {
                path: "b".into(),
                bytes: 20_000_000,
                resumed_from: 2_000_000,
            },
            SyncEvent::Moved {
                path: "b".into(),
                bytes: 8_000_000,
            },
            SyncEvent::Failed {
                path: "c".into(),
                error: "x".into(),
            },
        ] {
            c.apply(&e);
        }
        assert_eq!(
            status_line("mirror", &c, Duration::from_secs(10)),
            "mirror: 1/3 files, 20.0 MB of 40.0 MB, 2.0 MB/s, about 10 s left, 1 failed"
        );
    }
}
