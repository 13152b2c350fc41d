//! A request body that must keep arriving: it fails when no byte came for the idle timeout,
//! or when, after that same grace, the bytes so far average less than the minimum rate. The
//! clock starts when a handler first reads the body (time spent before, e.g. checking the
//! token, is the server's, not the client's).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// How long a body may take.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeouts {
    /// Longest wait for the next bytes; also the grace before the rate is checked.
    pub idle: Duration,
    /// Least average rate (bytes per second) after the grace; 0 checks no rate.
    pub min_rate: u64,
}

/// Why a body was given up.
#[derive(Debug)]
pub struct BodyTooSlow {
    received: u64,
}

impl std::fmt::Display for BodyTooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the request body arrived too slowly ({} bytes received): send it again",
            self.received
        )
    }
}

impl std::error::Error for BodyTooSlow {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `inner` with the deadlines of [`BodyTimeouts`].
pub struct TimedBody<B> {
    inner: B,
    limits: BodyTimeouts,
    started: Option<Instant>,
    last_bytes: Option<Instant>,
    received: u64,
    timer: Option<Pin<Box<Sleep>>>,
}

impl<B> TimedBody<B> {
    /// Wraps `inner`.
    pub fn new(inner: B, limits: BodyTimeouts) -> TimedBody<B> {
        TimedBody {
            inner,
            limits,
            started: None,
            last_bytes: None,
            received: 0,
            timer: None,
        }
    }

    fn deadline(&self, started: Instant) -> Instant {
        let idle = self.last_bytes.unwrap_or(started) + self.limits.idle;
        if self.limits.min_rate == 0 {
            return idle;
        }
        // At `min_rate`, the bytes received so far buy this much time after the grace.
        let earned = Duration::from_secs_f64(self.received as f64 / self.limits.min_rate as f64);
        idle.min(started + self.limits.idle + earned)
    }
}

impl<B> Body for TimedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let now = Instant::now();
        let started = *this.started.get_or_insert(now);
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref()
                    && !data.is_empty()
                {
                    this.received += data.len() as u64;
                    this.last_bytes = Some(now);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                let deadline = this.deadline(started);
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if timer.deadline() != deadline {
                    timer.as_mut().reset(deadline);
                }
                if timer.as_mut().poll(cx).is_ready() {
                    tracing::warn!(received = this.received, "request body too slow");
                    return Poll::Ready(Some(Err(Box::new(BodyTooSlow {
                        received: this.received,
                    }))));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
