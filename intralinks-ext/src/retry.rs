//! The one retry loop of the library's own multi-step operations — an
//! upload's PUT, and every request of the sync engine (`intralinks-sync`) —
//! above the runtime, which is told to retry none of them (see
//! [`crate::Intralinks::with_retry`]), and the [`StopSignal`] that cuts a
//! run, and its waits, short.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use intralinks_api::RetryPolicy;

use crate::error::{Error, Result, Verdict};

/// A flag that asks a running operation (a sync run, a retry loop) to stop;
/// clones share it. A [`StopSignal::child`] is stopped with its parent, or
/// on its own.
#[derive(Debug, Clone, Default)]
pub struct StopSignal(Arc<Flag>);

#[derive(Debug, Default)]
struct Flag {
    raised: AtomicBool,
    notify: tokio::sync::Notify,
    parent: Option<StopSignal>,
}

impl StopSignal {
    /// Asks the run to stop: no new item starts, transfers in flight end.
    pub fn stop(&self) {
        self.0.raised.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    /// Whether a stop was asked for, of this signal or of its parent.
    pub fn is_stopped(&self) -> bool {
        self.0.raised.load(Ordering::SeqCst) || self.0.parent.as_ref().is_some_and(Self::is_stopped)
    }

    /// A new signal that is raised when this one is, and can also be raised
    /// alone without raising this one: how a run ends itself (a fatal
    /// error) without raising its caller's signal.
    pub fn child(&self) -> StopSignal {
        StopSignal(Arc::new(Flag {
            parent: Some(self.clone()),
            ..Flag::default()
        }))
    }

    /// Resolves once a stop is asked for.
    pub async fn stopped(&self) {
        loop {
            let notified = self.0.notify.notified();
            if self.is_stopped() {
                return;
            }
            match &self.0.parent {
                Some(parent) => {
                    let parent = Box::pin(parent.stopped());
                    tokio::select! {
                        _ = notified => {}
                        _ = parent => {}
                    }
                }
                None => notified.await,
            }
        }
    }
}

/// Runs `call` until it succeeds, its error's [`Error::verdict`] says not
/// to retry (only [`Verdict::Retry`] and [`Verdict::RetryAfter`] are
/// retried), `cap` refuses another attempt (a caller's own limit, such as
/// the sync engine's on stalls), the policy's attempts are spent, or `stop`
/// is raised; sleeps the policy's jittered delay (or the service's
/// `Retry-After`) in between, cut short by `stop`. Answers the result and
/// the attempts made.
pub async fn retrying<T, F, Fut>(
    policy: &RetryPolicy,
    stop: Option<&StopSignal>,
    mut cap: impl FnMut(&Error) -> bool,
    mut call: F,
) -> (Result<T>, u32)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let e = match call().await {
            Ok(v) => return (Ok(v), attempt),
            Err(e) => e,
        };
        let verdict = e.verdict();
        if !matches!(verdict, Verdict::Retry | Verdict::RetryAfter(_))
            || !cap(&e)
            || attempt >= policy.max_attempts.max(1)
            || stop.is_some_and(StopSignal::is_stopped)
        {
            return (Err(e), attempt);
        }
        let after = match verdict {
            Verdict::RetryAfter(after) => Some(after),
            _ => None,
        };
        let delay = policy.delay(attempt, after);
        tracing::debug!(error = %e, ?delay, attempt, "retrying");
        match stop {
            Some(stop) => tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.stopped() => return (Err(e), attempt),
            },
            None => tokio::time::sleep(delay).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use super::*;

    fn policy(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        }
    }

    fn transient() -> Error {
        Error::Timeout { after: None }
    }

    #[tokio::test]
    async fn a_transient_error_is_tried_again_until_the_attempts_are_spent() {
        let calls = AtomicU32::new(0);
        let (result, attempts) = retrying(
            &policy(4),
            None,
            |_| true,
            || {
                calls.fetch_add(1, Ordering::Relaxed);
                async { Err::<(), _>(transient()) }
            },
        )
        .await;
        assert!(matches!(result, Err(Error::Timeout { .. })));
        assert_eq!((attempts, calls.load(Ordering::Relaxed)), (4, 4));
    }

    #[tokio::test]
    async fn success_after_failures_and_a_final_error_stop_at_once() {
        let calls = AtomicU32::new(0);
        let (result, attempts) = retrying(
            &policy(5),
            None,
            |_| true,
            || {
                let n = calls.fetch_add(1, Ordering::Relaxed);
                async move { if n < 2 { Err(transient()) } else { Ok(n) } }
            },
        )
        .await;
        assert_eq!((result.unwrap(), attempts), (2, 3));

        let (result, attempts) = retrying(
            &policy(5),
            None,
            |_| true,
            || async { Err::<(), _>(Error::InvalidInput("no".into())) },
        )
        .await;
        assert!(matches!(result, Err(Error::InvalidInput(_))));
        assert_eq!(attempts, 1);
    }

    #[tokio::test]
    async fn an_error_that_ends_the_run_or_a_cap_is_not_tried_again() {
        let calls = AtomicU32::new(0);
        let (result, attempts) = retrying(
            &policy(5),
            None,
            |_| true,
            || {
                calls.fetch_add(1, Ordering::Relaxed);
                async {
                    Err::<(), _>(Error::Unauthorized {
                        detail: "invalid_token".into(),
                    })
                }
            },
        )
        .await;
        assert!(matches!(result, Err(Error::Unauthorized { .. })));
        assert_eq!((attempts, calls.load(Ordering::Relaxed)), (1, 1));

        let mut allowed = 2;
        let (_, attempts) = retrying(
            &policy(9),
            None,
            |_| {
                allowed -= 1;
                allowed > 0
            },
            || async { Err::<(), _>(transient()) },
        )
        .await;
        assert_eq!(attempts, 2);
    }

    #[tokio::test]
    async fn a_child_stops_with_its_parent_and_alone() {
        let parent = StopSignal::default();
        let child = parent.child();
        child.stop();
        assert!(child.is_stopped());
        assert!(!parent.is_stopped());
        child.stopped().await;

        let parent = StopSignal::default();
        let child = parent.child();
        let waiting = tokio::spawn({
            let child = child.clone();
            async move { child.stopped().await }
        });
        tokio::task::yield_now().await;
        parent.stop();
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the child hears its parent")
            .unwrap();
        assert!(child.is_stopped());
    }

    #[tokio::test]
    async fn a_raised_stop_ends_the_loop_after_the_attempt_in_flight() {
        let stop = StopSignal::default();
        let (result, attempts) = retrying(
            &policy(9),
            Some(&stop),
            |_| true,
            || {
                stop.stop();
                async { Err::<(), _>(transient()) }
            },
        )
        .await;
        assert!(matches!(result, Err(Error::Timeout { .. })));
        assert_eq!(attempts, 1);
    }
}
