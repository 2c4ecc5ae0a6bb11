//! A slow link: every accepted connection is wrapped in [`Throttled`], which
//! holds reads (the client's uploads) and writes (the server's answers) to a
//! rate in bytes per second, each connection on its own budget, each
//! direction on its own. The rates are shared ([`Bandwidth`]) so that
//! `PUT /_sim/bandwidth` changes them for open connections too.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Per-connection rate limits, in bytes per second; 0 means unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Bandwidth {
    /// What the server reads from one connection (request bodies: uploads).
    pub up_bytes_per_sec: u64,
    /// What the server writes to one connection (answers: downloads).
    pub down_bytes_per_sec: u64,
}

impl Bandwidth {
    /// The same limit both ways.
    pub fn both(bytes_per_sec: u64) -> Self {
        Bandwidth {
            up_bytes_per_sec: bytes_per_sec,
            down_bytes_per_sec: bytes_per_sec,
        }
    }
}

/// The rates in force, shared by every connection.
#[derive(Debug, Default)]
pub(crate) struct Rates {
    up: AtomicU64,
    down: AtomicU64,
    /// Bytes written to all connections (answers, headers included).
    pub(crate) written: AtomicU64,
    /// Bytes read from all connections (requests, headers included).
    pub(crate) read: AtomicU64,
}

impl Rates {
    pub(crate) fn set(&self, b: Bandwidth) {
        self.up.store(b.up_bytes_per_sec, Ordering::Relaxed);
        self.down.store(b.down_bytes_per_sec, Ordering::Relaxed);
    }

    pub(crate) fn get(&self) -> Bandwidth {
        Bandwidth {
            up_bytes_per_sec: self.up.load(Ordering::Relaxed),
            down_bytes_per_sec: self.down.load(Ordering::Relaxed),
        }
    }
}

/// One direction's budget: the next instant a byte may pass.
#[derive(Debug)]
struct Pace {
    next: Option<Instant>,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Pace {
    fn new() -> Self {
        Pace {
            next: None,
            sleep: None,
        }
    }

    /// Ready when the budget allows the next bytes.
    fn poll_ready(&mut self, cx: &mut Context<'_>, rate: u64) -> Poll<()> {
        if rate == 0 {
            self.next = None;
            self.sleep = None;
            return Poll::Ready(());
        }
        if let Some(s) = self.sleep.as_mut() {
            if s.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.sleep = None;
        }
        Poll::Ready(())
    }

    /// How many bytes to let through at once: 50 ms worth, at least 1.
    fn slice(rate: u64, want: usize) -> usize {
        if rate == 0 {
            return want;
        }
        want.min((rate / 20).clamp(1, 256 * 1024) as usize)
    }

    /// Charges `n` bytes: the next ones wait until they are paid for.
    fn charge(&mut self, n: usize, rate: u64) {
        if rate == 0 || n == 0 {
            return;
        }
        let now = Instant::now();
        // A timer wakes a little late: up to 100 ms of lateness is made up
        // for, so that the rate holds on average; a longer pause (nothing to
        // send) earns no burst.
        let floor = now.checked_sub(Duration::from_millis(100)).unwrap_or(now);
        let start = self.next.map_or(now, |t| t.max(floor));
        let next = start + Duration::from_secs_f64(n as f64 / rate as f64);
        self.next = Some(next);
        if next > now {
            self.sleep = Some(Box::pin(tokio::time::sleep_until(next)));
        }
    }
}

/// An I/O object held to the shared [`Rates`].
#[derive(Debug)]
pub(crate) struct Throttled<T> {
    inner: T,
    rates: Arc<Rates>,
    read: Pace,
    write: Pace,
    scratch: Vec<u8>,
}

impl<T> Throttled<T> {
    pub(crate) fn new(inner: T, rates: Arc<Rates>) -> Self {
        Throttled {
            inner,
            rates,
            read: Pace::new(),
            write: Pace::new(),
            scratch: Vec::new(),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Throttled<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let rate = this.rates.up.load(Ordering::Relaxed);
        if rate == 0 {
            let before = buf.filled().len();
            let result = Pin::new(&mut this.inner).poll_read(cx, buf);
            let n = buf.filled().len() - before;
            this.rates.read.fetch_add(n as u64, Ordering::Relaxed);
            return result;
        }
        if this.read.poll_ready(cx, rate).is_pending() {
            return Poll::Pending;
        }
        // Read at most a slice into scratch space, then hand it over.
        let want = Pace::slice(rate, buf.remaining());
        this.scratch.resize(want, 0);
        let mut limited = ReadBuf::new(&mut this.scratch[..want]);
        let result = Pin::new(&mut this.inner).poll_read(cx, &mut limited);
        if let Poll::Ready(Ok(())) = result {
            let n = limited.filled().len();
            buf.put_slice(limited.filled());
            this.rates.read.fetch_add(n as u64, Ordering::Relaxed);
            this.read.charge(n, rate);
        }
        result
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Throttled<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let rate = this.rates.down.load(Ordering::Relaxed);
        if this.write.poll_ready(cx, rate).is_pending() {
            return Poll::Pending;
        }
        if rate == 0 {
            let result = Pin::new(&mut this.inner).poll_write(cx, buf);
            if let Poll::Ready(Ok(n)) = result {
                this.rates.written.fetch_add(n as u64, Ordering::Relaxed);
            }
            return result;
        }
        let want = Pace::slice(rate, buf.len());
        let result = Pin::new(&mut this.inner).poll_write(cx, &buf[..want]);
        if let Poll::Ready(Ok(n)) = result {
            this.rates.written.fetch_add(n as u64, Ordering::Relaxed);
            this.write.charge(n, rate);
        }
        result
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// The simulator's listener: `TCP_NODELAY` on, each connection throttled.
pub(crate) struct Listener {
    inner: tokio::net::TcpListener,
    rates: Arc<Rates>,
}

impl Listener {
    pub(crate) fn new(inner: tokio::net::TcpListener, rates: Arc<Rates>) -> Self {
        Listener { inner, rates }
    }
}

/// The receive buffer of a connection accepted while uploads are limited:
/// small, so that a client's "sent" means "nearly read" as on a real slow
/// link, not megabytes parked in loopback buffers.
const SLOW_RECEIVE_BUFFER: usize = 64 * 1024;

impl axum::serve::Listener for Listener {
    type Io = Throttled<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((tcp, addr)) => {
                    // Without TCP_NODELAY a streamed body waits behind its
                    // headers for the client's delayed ACK (about 40 ms on
                    // Linux) on every answer.
                    if let Err(e) = tcp.set_nodelay(true) {
                        tracing::warn!("cannot set TCP_NODELAY: {e}");
                    }
                    if self.rates.get().up_bytes_per_sec > 0
                        && let Err(e) =
                            socket2::SockRef::from(&tcp).set_recv_buffer_size(SLOW_RECEIVE_BUFFER)
                    {
                        tracing::warn!("cannot shrink the receive buffer: {e}");
                    }
                    return (Throttled::new(tcp, self.rates.clone()), addr);
                }
                Err(e) => {
                    // Too many open files and the like: wait, then go on.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}
