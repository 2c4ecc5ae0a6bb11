//! How many requests a run sends at once, and how fast: [`Jobs`] says what
//! the caller wants, a [`Limiter`] shared by every request of the run finds
//! what the service allows.
//!
//! The control law is our own, after three known ones. Like TCP congestion
//! control (slow start, then additive increase and multiplicative decrease)
//! and Netflix's concurrency-limits (a limit that follows the latency), the
//! number of requests in flight doubles each round trip at first, then
//! grows by one a round trip while the answers come as fast as the fastest
//! seen lately, and shrinks by a tenth when most of a round's answers (its
//! median) take more than twice as long (and 5 ms more): a queue is
//! forming. One long answer (a listing of a whole room) is not a queue.
//! Like aws-sdk's adaptive retry mode, a throttle (429) also halves the
//! requests in flight (which then stay there for 5 s, and no longer shrink
//! on latency) and starts a client-side rate: the send rate is cut to what
//! the service admitted since the last throttle, per second that a request
//! was in flight (a listing's body streaming in, or a lull, is not time the
//! service refused us) — 70 % of it after the first throttle or one within
//! two seconds of the last, 90 % after a longer stretch — and grows back
//! along a cubic (as TCP CUBIC): quickly towards the rate that was
//! throttled, slowly near it (20 s to reach it), then faster beyond,
//! probing whether the service allows more. A `Retry-After` pauses every
//! request of the run until that instant, not only the one that got it (a
//! 503's too, though a 503 is a fault, not a verdict on the pace). Each
//! throttle episode is answered once: the other requests in flight when it
//! happened answer 429 too, and do not cut again.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use intralinks_api::{Gate, GateFuture, GateOutcome, GatePass};
use reqwest::StatusCode;
use tokio::time::Instant;

/// How many requests a run sends at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jobs {
    /// Find the concurrency (and, when the service throttles, the rate) the
    /// service allows, never more than `max` requests at once. The default,
    /// with `max` [`Jobs::DEFAULT_MAX`].
    Auto {
        /// The most requests at once.
        max: usize,
    },
    /// This many requests at once (at least 1), fewer only while the
    /// service throttles (429): then the run backs off as `Auto`
    /// does, and climbs back to this number, never above.
    Fixed(usize),
}

impl Jobs {
    /// The ceiling of [`Jobs::Auto`] by default.
    pub const DEFAULT_MAX: usize = 64;

    /// The most requests at once, at least 1: how many items a run works
    /// on at a time.
    pub fn ceiling(&self) -> usize {
        match *self {
            Jobs::Auto { max } => max.max(1),
            Jobs::Fixed(n) => n.max(1),
        }
    }

    /// Whether the concurrency adapts to the latency.
    pub fn is_auto(&self) -> bool {
        matches!(self, Jobs::Auto { .. })
    }
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs::Auto {
            max: Jobs::DEFAULT_MAX,
        }
    }
}

impl fmt::Display for Jobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Jobs::Auto { max } if max == Jobs::DEFAULT_MAX => f.write_str("auto"),
            Jobs::Auto { max } => write!(f, "auto:{max}"),
            Jobs::Fixed(n) => write!(f, "{n}"),
        }
    }
}

/// A `--jobs` value that is neither `auto`, `auto:MAX` nor a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseJobsError(String);

impl fmt::Display for ParseJobsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a number of jobs: write auto (the service's pace, at most {} at once), auto:MAX, or a number from 1 to {}",
            self.0,
            Jobs::DEFAULT_MAX,
            Jobs::MOST
        )
    }
}

impl std::error::Error for ParseJobsError {}

impl Jobs {
    /// The largest number accepted.
    pub const MOST: usize = 1024;
}

impl FromStr for Jobs {
    type Err = ParseJobsError;

    /// `auto`, `auto:MAX` or a number, from 1 to [`Jobs::MOST`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let number = |n: &str| {
            n.parse::<usize>()
                .ok()
                .filter(|n| (1..=Jobs::MOST).contains(n))
                .ok_or_else(|| ParseJobsError(s.to_string()))
        };
        if t.eq_ignore_ascii_case("auto") {
            return Ok(Jobs::default());
        }
        match t.split_once(':') {
            Some((auto, max)) if auto.eq_ignore_ascii_case("auto") => {
                Ok(Jobs::Auto { max: number(max)? })
            }
            _ => number(t).map(Jobs::Fixed),
        }
    }
}

/// What a [`Limiter`] settled on, for a run's report and `-v`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Settled {
    /// What was asked for.
    pub jobs: Jobs,
    /// Requests at once at the end of the run.
    pub limit: usize,
    /// The most requests that were in flight at once.
    pub peak: usize,
    /// Requests per second the run held itself to at the end, when the
    /// service throttled it.
    pub rate: Option<f64>,
    /// Requests sent.
    pub requests: u64,
    /// Answers 429.
    pub throttled: u64,
    /// Time every request waited on the service's `Retry-After`.
    pub paused: Duration,
}

impl fmt::Display for Settled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--jobs {}: {} requests at once at the end (at most {} in flight), {} requests",
            self.jobs, self.limit, self.peak, self.requests
        )?;
        if let Some(rate) = self.rate {
            write!(f, ", held to {rate:.1} requests/s")?;
        }
        if self.throttled > 0 {
            write!(
                f,
                "; {} answered 429, every request paused {:.1} s in all",
                self.throttled,
                self.paused.as_secs_f64()
            )?;
        }
        Ok(())
    }
}

/// Where a run starts when it adapts.
const AUTO_START: f64 = 4.0;
/// Answers slower than this many times the baseline mean a queue.
const TOLERANCE: f64 = 2.0;
/// ... and at least this much slower.
const TOLERANCE_FLOOR: Duration = Duration::from_millis(5);
/// The shrink on a slow round.
const SLOW_BETA: f64 = 0.9;
/// The rate after a throttle, after a quiet stretch; after a short one,
/// or the first throttle, half.
const RATE_BETA: f64 = 0.95;
const RATE_BETA_FAST: f64 = 0.7;
/// A throttle within this time of the end of the last pause is "short".
const SHORT_CYCLE: Duration = Duration::from_secs(2);
/// Time the cubic takes to climb back to the throttled rate.
const CUBIC_K: f64 = 20.0;
/// After a throttle, no more requests at once for this long: a cap on
/// requests in flight is probed every few seconds, not every round trip.
const GROW_AFTER: Duration = Duration::from_secs(5);
/// Lateness of the rate's wake-ups made up for.
const CATCH_UP: Duration = Duration::from_millis(50);
/// The slowest the rate goes.
const MIN_RATE: f64 = 0.1;

/// The client-side rate after a throttle: `wmax` (req/s) was throttled at
/// `since`; the rate is `wmax · (1 + (1 - beta) · ((t - since) / K - 1)³)`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cubic {
    wmax: f64,
    beta: f64,
    since: Instant,
}

impl Cubic {
    fn at(&self, now: Instant) -> f64 {
        let x = now.saturating_duration_since(self.since).as_secs_f64() / CUBIC_K - 1.0;
        (self.wmax * (1.0 + (1.0 - self.beta) * x * x * x)).max(MIN_RATE)
    }
}

/// Why a request may not go yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Until this instant (a pause, or the next slot of the rate).
    Until(Instant),
    /// Until a request in flight ends.
    Slot,
}

/// The latency round under way: as many answers as the limit.
#[derive(Debug, Clone, Default)]
struct Round {
    /// Each answer's latency.
    latencies: Vec<Duration>,
    busiest: usize,
}

/// The control law, without clocks or tasks: fed instants and outcomes.
#[derive(Debug)]
pub(crate) struct Control {
    jobs: Jobs,
    limit: f64,
    slow_start: bool,
    in_flight: usize,
    peak: usize,
    baseline: Option<Duration>,
    round: Round,
    rate: Option<Cubic>,
    next_slot: Option<Instant>,
    pause_until: Option<Instant>,
    max_pause: Duration,
    /// Requests that entered before this instant do not cut again.
    epoch: Instant,
    /// The stretch since the last throttle (or the start): its start and
    /// the answers that were not throttled.
    cycle_start: Instant,
    cycle_ok: u64,
    cycle_sent: u64,
    /// No more requests at once before this instant (after a throttle).
    grow_after: Option<Instant>,
    /// Time with a request in flight in the cycle, and since when one is.
    busy: Duration,
    busy_since: Option<Instant>,
    requests: u64,
    throttled: u64,
    paused: Duration,
}

impl Control {
    pub(crate) fn new(jobs: Jobs, max_pause: Duration, now: Instant) -> Self {
        let limit = match jobs {
            Jobs::Auto { .. } => AUTO_START.min(jobs.ceiling() as f64),
            Jobs::Fixed(_) => jobs.ceiling() as f64,
        };
        Control {
            jobs,
            limit,
            slow_start: true,
            in_flight: 0,
            peak: 0,
            baseline: None,
            round: Round::default(),
            rate: None,
            next_slot: None,
            pause_until: None,
            max_pause,
            epoch: now,
            cycle_start: now,
            cycle_ok: 0,
            cycle_sent: 0,
            busy: Duration::ZERO,
            busy_since: None,
            grow_after: None,
            requests: 0,
            throttled: 0,
            paused: Duration::ZERO,
        }
    }

    /// Requests allowed at once now.
    pub(crate) fn limit(&self) -> usize {
        (self.limit.floor() as usize).max(1)
    }

    /// The client-side rate at `now`, when there is one.
    pub(crate) fn rate(&self, now: Instant) -> Option<f64> {
        self.rate.map(|c| c.at(now))
    }

    /// Lets one request go at `now` (answers the instant it entered), or
    /// says what it waits for.
    pub(crate) fn enter(&mut self, now: Instant) -> Result<Instant, Wait> {
        if let Some(until) = self.pause_until.filter(|u| *u > now) {
            return Err(Wait::Until(until));
        }
        if self.in_flight >= self.limit() {
            return Err(Wait::Slot);
        }
        if let Some(rate) = self.rate(now) {
            let interval = Duration::from_secs_f64(1.0 / rate);
            let slot = self.next_slot.unwrap_or(now);
            if slot > now {
                return Err(Wait::Until(slot));
            }
            // A late wake-up (a busy machine) is made up for, up to 50 ms
            // or one interval: the rate holds on average, and a lull earns
            // no burst.
            let catch_up = interval.max(CATCH_UP);
            let from = slot.max(now.checked_sub(catch_up).unwrap_or(now));
            self.next_slot = Some(from + interval);
        }
        if self.in_flight == 0 {
            self.busy_since = Some(now);
        }
        self.in_flight += 1;
        self.peak = self.peak.max(self.in_flight);
        self.round.busiest = self.round.busiest.max(self.in_flight);
        self.requests += 1;
        self.cycle_sent += 1;
        Ok(now)
    }

    /// A request that entered at `entered` ended at `now` with `outcome`
    /// (`None`: abandoned). Answers whether more requests may go now than
    /// before (the limit grew).
    pub(crate) fn leave(
        &mut self,
        entered: Instant,
        outcome: Option<GateOutcome>,
        now: Instant,
    ) -> bool {
        self.in_flight = self.in_flight.saturating_sub(1);
        if self.in_flight == 0
            && let Some(since) = self.busy_since.take()
        {
            self.busy += now.saturating_duration_since(since);
        }
        let Some(GateOutcome::Answered {
            status,
            retry_after,
        }) = outcome
        else {
            return false;
        };
        if let Some(after) = retry_after {
            let until = now + after.min(self.max_pause);
            let from = self.pause_until.map_or(now, |p| p.max(now));
            if until > from {
                self.paused += until - from;
                self.pause_until = Some(until);
            }
        }
        // A 503 is a fault, not a verdict on our pace (its Retry-After
        // holds everyone all the same).
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.throttled += 1;
            self.throttle(entered, now);
            return false;
        }
        self.cycle_ok += 1;
        self.sample(now.saturating_duration_since(entered), now)
    }

    /// Time with a request in flight since the cycle began, up to `now`.
    fn busy(&self, now: Instant) -> Duration {
        self.busy
            + self
                .busy_since
                .map_or(Duration::ZERO, |s| now.saturating_duration_since(s))
    }

    fn throttle(&mut self, entered: Instant, now: Instant) {
        if entered < self.epoch {
            return;
        }
        self.epoch = now;
        self.slow_start = false;
        self.limit = (self.limit * 0.5).max(1.0);
        // What the service admitted while we had requests in flight (a
        // listing's body streaming, or a lull, is not time it refused us);
        // over less than a second or ten answers that says little, and the
        // pace we sent at stands.
        let busy = self.busy(now).max(Duration::from_millis(20));
        let sent = self
            .rate(now)
            .unwrap_or(self.cycle_sent as f64 / busy.as_secs_f64());
        let admitted = if busy >= Duration::from_secs(1) && self.cycle_ok >= 10 {
            self.cycle_ok as f64 / busy.as_secs_f64()
        } else {
            sent
        };
        let sent = sent.min(admitted);
        let active = now.saturating_duration_since(self.cycle_start);
        let beta = if self.rate.is_none() || active < SHORT_CYCLE {
            RATE_BETA_FAST
        } else {
            RATE_BETA
        };
        let restart = self.pause_until.map_or(now, |p| p.max(now));
        self.rate = Some(Cubic {
            wmax: sent.max(MIN_RATE),
            beta,
            since: restart,
        });
        self.next_slot = None;
        self.cycle_start = restart;
        self.grow_after = Some(restart + GROW_AFTER);
        self.cycle_ok = 0;
        self.cycle_sent = 0;
        self.busy = Duration::ZERO;
        self.busy_since = (self.in_flight > 0).then_some(restart);
        self.round = Round::default();
    }

    /// One answer's latency; at the end of a round, the limit moves.
    fn sample(&mut self, latency: Duration, now: Instant) -> bool {
        let r = &mut self.round;
        r.latencies.push(latency);
        if r.latencies.len() < self.limit() {
            return false;
        }
        let mut round = std::mem::take(&mut self.round);
        // The round's median, not its mean: a queue slows most answers,
        // while one long answer (a listing of a whole room) is not a queue.
        let half = round.latencies.len() / 2;
        let (_, &mut median, _) = round.latencies.select_nth_unstable(half);
        let Some(&min) = round.latencies.iter().min() else {
            return false;
        };
        let baseline = match self.baseline {
            Some(b) if min >= b => b + (min - b) / 32,
            _ => min,
        };
        self.baseline = Some(baseline);
        let slow = median > baseline.mul_f64(TOLERANCE).max(baseline + TOLERANCE_FLOOR);
        let before = self.limit();
        let ceiling = self.jobs.ceiling() as f64;
        // Under a rate the rate governs: a slow round does not shrink.
        let may_grow = self.grow_after.is_none_or(|t| now >= t);
        if self.jobs.is_auto() && slow && self.rate.is_none() {
            self.limit = (self.limit * SLOW_BETA).max(1.0);
            self.slow_start = false;
        } else if (!slow || !self.jobs.is_auto())
            && may_grow
            && round.busiest as f64 >= self.limit * 0.5
        {
            self.limit = if self.slow_start && self.jobs.is_auto() {
                self.limit * 2.0
            } else {
                self.limit + 1.0
            }
            .min(ceiling);
        }
        self.limit() > before
    }

    pub(crate) fn settled(&self, now: Instant) -> Settled {
        Settled {
            jobs: self.jobs,
            limit: self.limit(),
            peak: self.peak,
            rate: self.rate(now),
            requests: self.requests,
            throttled: self.throttled,
            paused: self.paused,
        }
    }
}

/// The limiter of one run: every request of the handle
/// [`crate::Intralinks::with_limiter`] gives enters it before it is sent
/// and leaves it when its answer's headers arrive; see the module's text
/// for the control law. When the last handle that uses it goes, it logs
/// what it settled on (info: the command's `-v`).
#[derive(Debug)]
pub struct Limiter {
    control: Mutex<Control>,
    freed: tokio::sync::Notify,
}

impl Limiter {
    /// A limiter for `jobs`; a `Retry-After` pauses every request for at
    /// most `max_pause` (a run's longest retry delay).
    pub fn new(jobs: Jobs, max_pause: Duration) -> Arc<Limiter> {
        Arc::new(Limiter {
            control: Mutex::new(Control::new(jobs, max_pause, Instant::now())),
            freed: tokio::sync::Notify::new(),
        })
    }

    /// What it settled on so far.
    pub fn settled(&self) -> Settled {
        self.lock().settled(Instant::now())
    }

    /// Waits until one more request may go; answers the instant it went.
    pub async fn acquire(&self) -> Instant {
        loop {
            let until = {
                // Listening before looking, so that a slot freed in
                // between is not missed.
                let freed = self.freed.notified();
                tokio::pin!(freed);
                freed.as_mut().enable();
                let wait = self.lock().enter(Instant::now());
                match wait {
                    Ok(entered) => return entered,
                    Err(Wait::Slot) => {
                        freed.await;
                        continue;
                    }
                    Err(Wait::Until(t)) => t,
                }
                // Dropped before the sleep: a slot freed meanwhile goes to
                // a task that waits for one.
            };
            tokio::time::sleep_until(until).await;
        }
    }

    /// A request that went at `entered` ended (`None`: abandoned).
    pub fn release(&self, entered: Instant, outcome: Option<GateOutcome>) {
        let grew = self.lock().leave(entered, outcome, Instant::now());
        if grew {
            self.freed.notify_waiters();
        } else {
            self.freed.notify_one();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Limiter {
    fn drop(&mut self) {
        let settled = self.settled();
        if settled.requests > 0 {
            tracing::info!("{settled}");
        }
    }
}

/// The [`Gate`] the runtime is given.
#[derive(Debug)]
pub(crate) struct LimiterGate(pub(crate) Arc<Limiter>);

struct Pass {
    limiter: Arc<Limiter>,
    entered: Instant,
    done: bool,
}

impl GatePass for Pass {
    fn answered(mut self: Box<Self>, outcome: GateOutcome) {
        self.done = true;
        self.limiter.release(self.entered, Some(outcome));
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        if !self.done {
            self.limiter.release(self.entered, None);
        }
    }
}

impl Gate for LimiterGate {
    fn enter(&self) -> GateFuture<'_> {
        Box::pin(async move {
            let entered = self.0.acquire().await;
            Box::new(Pass {
                limiter: self.0.clone(),
                entered,
                done: false,
            }) as Box<dyn GatePass>
        })
    }
}

#[cfg(test)]
mod tests;
