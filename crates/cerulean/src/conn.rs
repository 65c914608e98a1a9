//! Connection deadlines, the same on every listener (HTTPS, plain HTTP) and protocol (HTTP/1.1,
//! HTTP/2): a slow or stalled client cannot hold a connection open.
//!
//! A connection is in one of three states, and only two of them have a deadline:
//! - *idle*: no request in flight and nothing received since it opened or since its last
//!   request was answered. Closed after `--idle-timeout`; bytes of an answer still being
//!   written restart the count.
//! - *reading*: bytes arrived while idle, but no complete request has reached the service
//!   yet (a request head, or on HTTP/2 a HEADERS frame waiting for its CONTINUATION).
//!   Closed `--header-timeout` after the first of those bytes, however slowly the rest
//!   trickles in (HTTP/2 PINGs included).
//! - *busy*: a request is in flight. No connection deadline: the body's own deadline
//!   (`--body-timeout`, checked where it is read) and the handler bound it.
//!
//! The TLS handshake has its own deadline (the header timeout), set on the TLS acceptor.
//! [`GuardAcceptor`] wraps the accepted stream and the connection's service with one shared
//! [`Activity`]; the stream answers a read or write past the deadline with `TimedOut`, which
//! ends the connection.
//!
//! The stream also puts hyper's own bodiless refusals of a request head into ARM's envelope
//! as they are written (`bare.rs`).

use crate::bare;
use axum_server::accept::Accept;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The connection deadlines.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub header: Duration,
    pub idle: Duration,
}

/// No byte has arrived since the connection became idle.
const NOT_READING: u64 = u64::MAX;

/// What a connection is doing, shared by its stream and its service.
struct Activity {
    started: Instant,
    timeouts: Timeouts,
    in_flight: AtomicUsize,
    /// Milliseconds after `started` when the connection last became idle.
    idle_since: AtomicU64,
    /// Milliseconds after `started` of the first byte received while idle, or `NOT_READING`.
    reading_since: AtomicU64,
}

impl Activity {
    fn new(timeouts: Timeouts) -> Arc<Activity> {
        Arc::new(Activity {
            started: Instant::now(),
            timeouts,
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            reading_since: AtomicU64::new(NOT_READING),
        })
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    /// When the connection must have made progress, or `None` while a request is in flight.
    fn deadline(&self) -> Option<Instant> {
        if !self.idle() {
            return None;
        }
        let reading = self.reading_since.load(Ordering::Acquire);
        let (since, allowed) = if reading == NOT_READING {
            (self.idle_since.load(Ordering::Acquire), self.timeouts.idle)
        } else {
            (reading, self.timeouts.header)
        };
        Some(self.started + Duration::from_millis(since) + allowed)
    }

    fn received(&self) {
        if self.idle() {
            let now = self.now_ms();
            let _ = self.reading_since.compare_exchange(
                NOT_READING,
                now,
                Ordering::AcqRel,
                Ordering::Acquire,
            );
        }
    }

    fn sent(&self) {
        if self.idle() && self.reading_since.load(Ordering::Acquire) == NOT_READING {
            self.idle_since.store(self.now_ms(), Ordering::Release);
        }
    }

    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.reading_since.store(NOT_READING, Ordering::Release);
    }

    fn request_ended(&self) {
        self.idle_since.store(self.now_ms(), Ordering::Release);
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Wraps another acceptor (TCP_NODELAY, TLS) and puts each connection under [`Timeouts`].
#[derive(Clone)]
pub struct GuardAcceptor<A> {
    inner: A,
    timeouts: Timeouts,
}

impl<A> GuardAcceptor<A> {
    pub fn new(inner: A, timeouts: Timeouts) -> Self {
        GuardAcceptor { inner, timeouts }
    }
}

impl<A, I, S> Accept<I, S> for GuardAcceptor<A>
where
    A: Accept<I, S>,
    A::Future: Send + 'static,
{
    type Stream = GuardedStream<A::Stream>;
    type Service = GuardedService<A::Service>;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let accepted = self.inner.accept(stream, service);
        let timeouts = self.timeouts;
        Box::pin(async move {
            let (stream, service) = accepted.await?;
            let activity = Activity::new(timeouts);
            Ok((
                GuardedStream {
                    inner: stream,
                    activity: activity.clone(),
                    timer: None,
                    rewritten: None,
                },
                GuardedService {
                    inner: service,
                    activity,
                },
            ))
        })
    }
}

/// A connection's stream that fails once its deadline has passed.
pub struct GuardedStream<T> {
    inner: T,
    activity: Arc<Activity>,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    /// A write whose bare refusal `bare::rewrite` replaced, until all of it is out.
    rewritten: Option<Rewritten>,
}

/// The bytes written in place of `consumed` bytes hyper handed over; `at` of them are out.
/// hyper hears its write complete only once they all are.
struct Rewritten {
    bytes: Vec<u8>,
    at: usize,
    consumed: usize,
}

impl<T> GuardedStream<T> {
    /// Called when an operation would wait: arms the timer for the current deadline, and
    /// fails if it has passed.
    fn check_deadline(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let Some(deadline) = self.activity.deadline() else {
            self.timer = None;
            return Ok(());
        };
        let deadline = tokio::time::Instant::from_std(deadline);
        let timer = match &mut self.timer {
            Some(t) => {
                if t.deadline() != deadline {
                    t.as_mut().reset(deadline);
                }
                t
            }
            None => self
                .timer
                .insert(Box::pin(tokio::time::sleep_until(deadline))),
        };
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client kept the connection idle or sent its request too slowly",
            )),
            Poll::Pending => Ok(()),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for GuardedStream<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.activity.received();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => match this.check_deadline(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
            other => other,
        }
    }
}

impl<T: AsyncWrite + Unpin> GuardedStream<T> {
    /// Writes what hyper handed over with a bare refusal at its end in ARM's envelope
    /// instead; anything else is written as it is.
    fn rewrite(&mut self, handed: &[u8]) {
        if let Some(bytes) = bare::rewrite(handed) {
            self.rewritten = Some(Rewritten {
                bytes,
                at: 0,
                consumed: handed.len(),
            });
        }
    }

    /// Writes the rest of the rewritten bytes; ready with the count hyper handed over once
    /// they are all out.
    fn poll_rewritten(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        while let Some(r) = &mut self.rewritten {
            if r.at == r.bytes.len() {
                let consumed = r.consumed;
                self.rewritten = None;
                return Poll::Ready(Ok(consumed));
            }
            match Pin::new(&mut self.inner).poll_write(cx, &r.bytes[r.at..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    r.at += n;
                    self.activity.sent();
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    return match self.check_deadline(cx) {
                        Ok(()) => Poll::Pending,
                        Err(e) => Poll::Ready(Err(e)),
                    }
                }
            }
        }
        Poll::Ready(Ok(0))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for GuardedStream<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.rewritten.is_none() && bare::may_end_bare(buf) {
            this.rewrite(buf);
        }
        if this.rewritten.is_some() {
            return this.poll_rewritten(cx);
        }
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    this.activity.sent();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Pending => match this.check_deadline(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
            other => other,
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.rewritten.is_none()
            && bufs
                .iter()
                .rfind(|b| !b.is_empty())
                .is_some_and(|b| bare::may_end_bare(b))
        {
            let all: Vec<u8> = bufs.iter().flat_map(|b| b.iter().copied()).collect();
            this.rewrite(&all);
        }
        if this.rewritten.is_some() {
            return this.poll_rewritten(cx);
        }
        match Pin::new(&mut this.inner).poll_write_vectored(cx, bufs) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    this.activity.sent();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Pending => match this.check_deadline(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
            other => other,
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.rewritten.is_some() {
            std::task::ready!(this.poll_rewritten(cx))?;
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.rewritten.is_some() {
            std::task::ready!(this.poll_rewritten(cx))?;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// A connection's service: counts the requests in flight.
#[derive(Clone)]
pub struct GuardedService<S> {
    inner: S,
    activity: Arc<Activity>,
}

/// Marks a request in flight until dropped (answered, or abandoned).
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_ended();
    }
}

impl<S, R> tower::Service<R> for GuardedService<S>
where
    S: tower::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        self.activity.request_started();
        let in_flight = InFlight(self.activity.clone());
        let answer = self.inner.call(req);
        Box::pin(async move {
            let out = answer.await;
            drop(in_flight);
            out
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity() -> Arc<Activity> {
        Activity::new(Timeouts {
            header: Duration::from_secs(5),
            idle: Duration::from_secs(60),
        })
    }

    #[test]
    fn deadlines_follow_the_connection_state() {
        let a = activity();
        let idle = a.deadline().unwrap();
        assert!(idle >= a.started + Duration::from_secs(60));
        a.received();
        let reading = a.deadline().unwrap();
        assert!(
            reading < a.started + Duration::from_secs(6),
            "header deadline"
        );
        // More bytes do not extend it.
        a.received();
        assert_eq!(a.deadline(), Some(reading));
        a.sent();
        assert_eq!(a.deadline(), Some(reading), "writes do not either");
        a.request_started();
        assert_eq!(a.deadline(), None, "no deadline while busy");
        a.received();
        a.request_ended();
        assert!(a.deadline().unwrap() >= a.started + Duration::from_secs(60));
    }
}
