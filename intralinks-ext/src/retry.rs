//! The one retry loop of the library's own multi-step operations — an
//! upload's PUT, and every request of the sync engine (`intralinks-sync`) —
//! above the runtime, which is told to retry none of them (see
//! [`crate::Intralinks::with_retry`]), and the [`StopSignal`] that cuts a
//! run, and its waits, short.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use intralinks_api::RetryPolicy;

use crate::error::{Error, Result};

/// A flag that asks a running operation (a sync run, a retry loop) to stop;
/// clones share it.
#[derive(Debug, Clone, Default)]
pub struct StopSignal(Arc<(AtomicBool, tokio::sync::Notify)>);

impl StopSignal {
    /// Asks the run to stop: no new item starts, transfers in flight end.
    pub fn stop(&self) {
        self.0.0.store(true, Ordering::SeqCst);
        self.0.1.notify_waiters();
    }

    /// Whether a stop was asked for.
    pub fn is_stopped(&self) -> bool {
        self.0.0.load(Ordering::SeqCst)
    }

    /// Resolves once a stop is asked for.
    pub async fn stopped(&self) {
        loop {
            let notified = self.0.1.notified();
            if self.is_stopped() {
                return;
            }
            notified.await;
        }
    }
}

/// Runs `call` until it succeeds, `again` says an error is final, the
/// policy's attempts are spent, or `stop` is raised; sleeps the policy's
/// jittered delay (or the error's `Retry-After`) in between, cut short by
/// `stop`. Answers the result and the attempts made.
pub async fn retrying<T, F, Fut>(
    policy: &RetryPolicy,
    stop: Option<&StopSignal>,
    mut again: impl FnMut(&Error) -> bool,
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
        if !again(&e)
            || attempt >= policy.max_attempts.max(1)
            || stop.is_some_and(StopSignal::is_stopped)
        {
            return (Err(e), attempt);
        }
        let delay = policy.delay(attempt, e.retry_after());
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
        let (result, attempts) = retrying(&policy(4), None, Error::is_transient, || {
            calls.fetch_add(1, Ordering::Relaxed);
            async { Err::<(), _>(transient()) }
        })
        .await;
        assert!(matches!(result, Err(Error::Timeout { .. })));
        assert_eq!((attempts, calls.load(Ordering::Relaxed)), (4, 4));
    }

    #[tokio::test]
    async fn success_after_failures_and_a_final_error_stop_at_once() {
        let calls = AtomicU32::new(0);
        let (result, attempts) = retrying(&policy(5), None, Error::is_transient, || {
            let n = calls.fetch_add(1, Ordering::Relaxed);
            async move { if n < 2 { Err(transient()) } else { Ok(n) } }
        })
        .await;
        assert_eq!((result.unwrap(), attempts), (2, 3));

        let (result, attempts) = retrying(&policy(5), None, Error::is_transient, || async {
            Err::<(), _>(Error::InvalidInput("no".into()))
        })
        .await;
        assert!(matches!(result, Err(Error::InvalidInput(_))));
        assert_eq!(attempts, 1);
    }

    #[tokio::test]
    async fn a_raised_stop_ends_the_loop_after_the_attempt_in_flight() {
        let stop = StopSignal::default();
        let (result, attempts) = retrying(&policy(9), Some(&stop), Error::is_transient, || {
            stop.stop();
            async { Err::<(), _>(transient()) }
        })
        .await;
        assert!(matches!(result, Err(Error::Timeout { .. })));
        assert_eq!(attempts, 1);
    }
}
