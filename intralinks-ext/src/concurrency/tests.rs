//! The control law fed instants and outcomes (no clock, no tasks), and a
//! service model — a token bucket as the simulator's, a fixed latency — run
//! as discrete events, so that every figure is exact.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::*;

const MS: Duration = Duration::from_millis(1);
const LATE: Duration = Duration::from_micros(1500);

fn ok() -> Option<GateOutcome> {
    Some(GateOutcome::Answered {
        status: StatusCode::OK,
        retry_after: None,
    })
}

fn throttled(secs: u64) -> Option<GateOutcome> {
    Some(GateOutcome::Answered {
        status: StatusCode::TOO_MANY_REQUESTS,
        retry_after: Some(Duration::from_secs(secs)),
    })
}

/// Runs full rounds: `limit` requests enter (at `now`, or as the rate
/// lets them), all answer `latency` after the last. Answers the limit after
/// each round.
fn rounds(c: &mut Control, now: &mut Instant, latency: Duration, n: usize) -> Vec<usize> {
    let mut seen = Vec::new();
    for _ in 0..n {
        let mut entered = Vec::new();
        while entered.len() < c.limit() {
            match c.enter(*now) {
                Ok(e) => entered.push(e),
                Err(Wait::Until(t)) => *now = t,
                Err(Wait::Slot) => unreachable!("fewer in flight than the limit"),
            }
        }
        if c.rate(*now).is_none() {
            assert_eq!(c.enter(*now), Err(Wait::Slot));
        }
        *now += latency;
        for e in entered {
            c.leave(e, ok(), *now);
        }
        seen.push(c.limit());
    }
    seen
}

#[test]
fn auto_doubles_to_its_ceiling_while_latency_holds() {
    let t0 = Instant::now();
    let mut now = t0;
    let mut c = Control::new(Jobs::Auto { max: 48 }, Duration::from_secs(10), t0);
    assert_eq!(c.limit(), 4);
    assert_eq!(rounds(&mut c, &mut now, 20 * MS, 5), [8, 16, 32, 48, 48]);
}

#[test]
fn rising_latency_shrinks_auto_by_a_tenth_a_round_then_it_grows_by_one() {
    let t0 = Instant::now();
    let mut now = t0;
    let mut c = Control::new(Jobs::Auto { max: 64 }, Duration::from_secs(10), t0);
    assert_eq!(rounds(&mut c, &mut now, 20 * MS, 3), [8, 16, 32]);
    // Twice the baseline and 5 ms more: a queue.
    assert_eq!(rounds(&mut c, &mut now, 45 * MS, 3), [28, 25, 23]);
    // Latency back: one more a round (the baseline drifted up a little).
    assert_eq!(rounds(&mut c, &mut now, 20 * MS, 3), [24, 25, 26]);
    // 35 ms is not twice 20: no shrink.
    assert_eq!(rounds(&mut c, &mut now, 35 * MS, 2), [27, 28]);
}

#[test]
fn one_long_answer_in_a_round_is_not_a_queue() {
    let t0 = Instant::now();
    let mut c = Control::new(Jobs::Auto { max: 64 }, Duration::from_secs(10), t0);
    // The first round: a listing of a whole room takes 250 ms, three
    // small answers 20 ms: the limit doubles all the same.
    let entered: Vec<Instant> = (0..4).map(|_| c.enter(t0).unwrap()).collect();
    for (e, latency) in entered.into_iter().zip([250, 20, 20, 21]) {
        c.leave(e, ok(), t0 + latency * MS);
    }
    assert_eq!(c.limit(), 8);
    // Most answers of a round slow: a queue, a tenth less.
    let t1 = t0 + 300 * MS;
    let entered: Vec<Instant> = (0..8).map(|_| c.enter(t1).unwrap()).collect();
    for (e, latency) in entered.into_iter().zip([20, 20, 20, 60, 60, 60, 60, 60]) {
        c.leave(e, ok(), t1 + latency * MS);
    }
    assert_eq!(c.limit(), 7);
}

#[test]
fn fixed_holds_its_number_whatever_the_latency_and_climbs_back_after_a_throttle() {
    let t0 = Instant::now();
    let mut now = t0;
    let mut c = Control::new(Jobs::Fixed(8), Duration::from_secs(10), t0);
    assert_eq!(rounds(&mut c, &mut now, 20 * MS, 2), [8, 8]);
    assert_eq!(rounds(&mut c, &mut now, 500 * MS, 2), [8, 8]);
    let e = c.enter(now).unwrap();
    now += MS;
    c.leave(e, throttled(1), now);
    assert_eq!(c.limit(), 4);
    // Every request waits out the Retry-After.
    assert_eq!(c.enter(now), Err(Wait::Until(now + Duration::from_secs(1))));
    now += Duration::from_secs(1);
    // For 5 s it holds at 4 (a cap on requests in flight is probed every
    // few seconds), then climbs back by one a round.
    let seen = rounds(&mut c, &mut now, 1000 * MS, 4);
    assert_eq!(seen, [4, 4, 4, 4]);
    let seen = rounds(&mut c, &mut now, 1000 * MS, 6);
    assert_eq!(seen, [5, 6, 7, 8, 8, 8]);
}

#[test]
fn a_throttle_pauses_everyone_cuts_once_per_episode_and_sets_a_rate() {
    let t0 = Instant::now();
    let mut c = Control::new(Jobs::default(), Duration::from_secs(10), t0);
    // 4 requests a 10 ms for 1 s: 400 sent, all admitted.
    let mut now = t0;
    for _ in 0..100 {
        let entered: Vec<Instant> = (0..4).map(|_| c.enter(now).unwrap()).collect();
        now += 10 * MS;
        for e in entered {
            c.leave(e, ok(), now);
        }
        if c.limit() > 4 {
            // Keep the test at 4 at once: enter no more than that.
            c.limit = 4.0;
        }
    }
    let a = c.enter(now).unwrap();
    let b = c.enter(now).unwrap();
    c.leave(a, throttled(2), now + MS);
    // The second 429 of the same episode changes nothing more.
    let after_first = (c.limit(), c.rate(now + MS));
    c.leave(b, throttled(2), now + 2 * MS);
    assert_eq!((c.limit(), c.rate(now + MS)), after_first);
    assert_eq!(c.limit(), 2);
    // Each Retry-After holds everyone until its end: the later one's.
    let restart = now + 2 * MS + Duration::from_secs(2);
    assert_eq!(c.enter(now + 2 * MS), Err(Wait::Until(restart)));
    // The first throttle cuts the rate to 70 % of what was admitted while
    // requests were in flight: 400 answers in 1.001 s, so 280 a second
    // from the end of the pause.
    let rate = c.rate(restart).unwrap();
    assert!((rate - 279.7).abs() < 0.1, "{rate}");
    // Paced: one request each 3.574 ms.
    assert_eq!(c.enter(restart), Ok(restart));
    let Err(Wait::Until(next)) = c.enter(restart) else {
        panic!("the second request waits for its slot")
    };
    assert_eq!((next - restart).as_micros(), 3_574);
    let s = c.settled(restart);
    assert_eq!(
        (s.requests, s.throttled, s.paused),
        (403, 2, Duration::from_millis(2001))
    );
}

#[test]
fn jobs_are_written_auto_auto_max_or_a_number() {
    assert_eq!("auto".parse::<Jobs>(), Ok(Jobs::Auto { max: 64 }));
    assert_eq!("AUTO:16".parse::<Jobs>(), Ok(Jobs::Auto { max: 16 }));
    assert_eq!(" 8 ".parse::<Jobs>(), Ok(Jobs::Fixed(8)));
    assert_eq!(Jobs::default().to_string(), "auto");
    assert_eq!(Jobs::Auto { max: 16 }.to_string(), "auto:16");
    assert_eq!(Jobs::Fixed(3).to_string(), "3");
    assert_eq!(Jobs::Fixed(0).ceiling(), 1);
    for bad in ["0", "fast", "auto:0", "1025", ""] {
        let e = bad.parse::<Jobs>().unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{bad:?} is not a number of jobs: write auto (the service's pace, at most 64 at once), auto:MAX, or a number from 1 to 1024"
            )
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_limiter_waits_for_a_slot_and_for_retry_after_on_the_clock() {
    let limiter = Limiter::new(Jobs::Fixed(2), Duration::from_secs(10));
    let t0 = Instant::now();
    let a = limiter.acquire().await;
    let b = limiter.acquire().await;
    let third = tokio::spawn({
        let limiter = limiter.clone();
        async move { limiter.acquire().await }
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(!third.is_finished());
    limiter.release(a, ok());
    let c = third.await.unwrap();
    assert_eq!(c - t0, Duration::from_millis(30));
    // A 429 with Retry-After: 3 holds every later request for 3 s.
    limiter.release(b, throttled(3));
    limiter.release(c, None);
    let d = limiter.acquire().await;
    assert_eq!(d - t0, Duration::from_millis(3030));
    let s = limiter.settled();
    assert_eq!((s.limit, s.peak, s.requests, s.throttled), (1, 2, 4, 1));
}

/// A service as the simulator's rate limit: a bucket of `burst` filled at
/// `per_second` (kept as the instant it is full), answers after `latency`,
/// a refusal at once with `Retry-After` in whole seconds.
struct Service {
    latency: Duration,
    limit: Option<(f64, u32)>,
    full_at: Instant,
}

impl Service {
    fn admit(&mut self, now: Instant) -> Result<(), u64> {
        let Some((rate, burst)) = self.limit else {
            return Ok(());
        };
        let interval = Duration::from_secs_f64(1.0 / rate);
        let tolerance = interval * (burst - 1);
        let full_at = self.full_at.max(now);
        if full_at - now > tolerance {
            let wait = (full_at - now - tolerance).as_secs_f64();
            return Err((wait.ceil() as u64).max(1));
        }
        self.full_at = full_at + interval;
        Ok(())
    }
}

/// `total` requests through `jobs` to the service; the run keeps
/// `jobs.ceiling()` requests waiting to go, as the sync engine does, after
/// the first (the listing), whose answer takes `listing` to arrive whole.
/// Answers the time taken, the requests sent and those answered 429.
fn run(
    jobs: Jobs,
    mut service: Service,
    total: u64,
    listing: Duration,
) -> (Duration, u64, u64, Settled) {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Event {
        Answer {
            entered: Instant,
            retry: Option<u64>,
        },
        Wake,
    }
    let t0 = service.full_at;
    let mut c = Control::new(jobs, Duration::from_secs(10), t0);
    let mut events = BinaryHeap::new();
    let mut now = t0;
    let (mut done, mut sent, mut refused, mut in_flight) = (0u64, 0u64, 0u64, 0usize);
    let mut seq = 0u64;
    let mut waking = false;
    while done < total {
        // Start what may start.
        while !waking
            && (done > 0 || sent == 0)
            && done + (in_flight as u64) < total
            && in_flight < jobs.ceiling()
        {
            match c.enter(now) {
                Ok(entered) => {
                    sent += 1;
                    in_flight += 1;
                    seq += 1;
                    let (at, retry) = match service.admit(now) {
                        // The listing's headers come after the latency,
                        // its body `listing` later: nothing is in flight
                        // meanwhile.
                        Ok(()) if done == 0 => (now + service.latency + listing, None),
                        Ok(()) => (now + service.latency, None),
                        Err(secs) => (now + MS, Some(secs)),
                    };
                    events.push(Reverse((at, seq, Event::Answer { entered, retry })));
                }
                Err(Wait::Until(t)) => {
                    seq += 1;
                    events.push(Reverse((t + LATE, seq, Event::Wake)));
                    waking = true;
                }
                Err(Wait::Slot) => break,
            }
        }
        let Reverse((at, _, event)) = events.pop().expect("something is under way");
        now = at;
        match event {
            Event::Wake => waking = false,
            Event::Answer { entered, retry } => {
                in_flight -= 1;
                match retry {
                    None if done == 0 => {
                        done += 1;
                        c.leave(entered, ok(), now - listing);
                    }
                    None => {
                        done += 1;
                        c.leave(entered, ok(), now);
                    }
                    Some(secs) => {
                        refused += 1;
                        c.leave(entered, throttled(secs), now);
                    }
                }
            }
        }
    }
    (now - t0, sent, refused, c.settled(now))
}

#[test]
fn against_50_a_second_with_a_burst_of_10_auto_runs_near_the_floor_with_few_429s() {
    let t0 = Instant::now();
    let service = Service {
        latency: 20 * MS,
        limit: Some((50.0, 10)),
        full_at: t0,
    };
    let (took, sent, refused, settled) = run(Jobs::default(), service, 10_000, 300 * MS);
    // The floor: 10,000 requests at 50 a second.
    let floor = 10_000.0 / 50.0;
    let ratio = took.as_secs_f64() / floor;
    let share = refused as f64 / sent as f64;
    println!(
        "{took:?} {ratio:.3}x floor, {refused} of {sent} answered 429 ({:.2} %), {settled}",
        share * 100.0
    );
    assert!(ratio < 1.15, "{ratio}");
    assert!(share < 0.02, "{share}");
    assert_eq!((sent, refused, settled.throttled), (10_010, 10, 10));
}

#[test]
fn without_a_limit_auto_reaches_its_ceiling_and_the_latency_floor() {
    let t0 = Instant::now();
    let service = Service {
        latency: 20 * MS,
        limit: None,
        full_at: t0,
    };
    let (took, sent, refused, settled) = run(Jobs::default(), service, 10_000, 300 * MS);
    println!("{took:?}, {sent} sent, {settled}");
    assert_eq!(
        (sent, refused, settled.limit, settled.peak),
        (10_000, 0, 64, 64)
    );
    // The listing takes 20 ms and 300 ms more; the ramp (4, 8, 16, 32)
    // sends 60 in 4 rounds of 20 ms, then the other 9,939 go 64 at a time
    // in 156.
    assert_eq!(took, Duration::from_millis(320 + 20 * 160));
}
