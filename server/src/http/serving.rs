//! Serving HTTP/1.1 with bounds a slow or hostile client cannot lift: at most
//! `max_connections` open connections (kept below the process's file-descriptor limit), a
//! deadline for each request head (which also closes idle keep-alive connections), request
//! heads of at most 64 KiB, and a body that must keep arriving ([`TimedBody`]). A connection
//! is closed so that its client can read the last reply (see [`linger`]).

use std::convert::Infallible;
use std::future::poll_fn;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower_service::Service;

use super::timed_body::{BodyTimeouts, TimedBody};

/// Largest request head (request line and headers) kept in memory per connection.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// File descriptors kept free of connections (database files, PostgreSQL pool, logs).
const RESERVED_FDS: u64 = 256;

/// Connection-level limits of `serve`.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Most connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Longest time a client may take to send a request head, counted from when the
    /// server waits for it (an idle keep-alive connection is closed after it too).
    pub header_read_timeout: Duration,
    /// Longest wait for the next bytes of a request body, and the grace before the
    /// minimum rate is checked.
    pub body_read_timeout: Duration,
    /// Least average body rate, bytes per second, after the grace (0: none).
    pub body_min_rate: u64,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            max_connections: 4096,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            body_min_rate: 4096,
        }
    }
}

/// The connection cap that fits this process's file-descriptor limit: raises the soft limit
/// towards `wanted` + a reserve (up to the hard limit) and, if that is not enough, lowers the
/// cap below the limit (logged).
pub fn fit_fd_limit(wanted: usize) -> usize {
    let wanted = wanted.max(1);
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let need = wanted as u64 + RESERVED_FDS;
        let limit = getrlimit(Resource::Nofile);
        let mut soft = limit.current;
        if soft.is_some_and(|s| s < need) {
            let raised = limit.maximum.map_or(need, |hard| hard.min(need));
            let new = Rlimit {
                current: Some(raised),
                maximum: limit.maximum,
            };
            if setrlimit(Resource::Nofile, new).is_ok() {
                soft = Some(raised);
            }
        }
        if let Some(soft) = soft
            && soft < need
        {
            let fit = usize::try_from(soft.saturating_sub(RESERVED_FDS).max(16)).unwrap_or(16);
            tracing::warn!(
                fd_limit = soft,
                max_connections = fit,
                asked = wanted,
                "file-descriptor limit too low: fewer connections served (raise `ulimit -n`)"
            );
            return fit.min(wanted);
        }
    }
    wanted
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes; then stops
/// accepting, lets open connections finish their requests, and returns.
pub async fn serve_limited(
    listener: TcpListener,
    router: Router,
    limits: &ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let max = fit_fd_limit(limits.max_connections);
    tracing::info!(
        max_connections = max,
        header_read_timeout_s = limits.header_read_timeout.as_secs_f64(),
        body_read_timeout_s = limits.body_read_timeout.as_secs_f64(),
        body_min_rate = limits.body_min_rate,
        "connection limits"
    );
    let slots = Arc::new(Semaphore::new(max));
    let (stop, stopping) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    let mut full = false;
    loop {
        if slots.available_permits() == 0 && !full {
            full = true;
            tracing::warn!(
                max_connections = max,
                "connection cap reached: new ones wait"
            );
        }
        let permit = tokio::select! {
            p = Arc::clone(&slots).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            r = listener.accept() => r,
            () = &mut shutdown => break,
        };
        match accepted {
            Ok((stream, peer)) => {
                full = false;
                let conn = connection(stream, peer, router.clone(), limits, permit);
                let stopping = stopping.clone();
                tokio::spawn(conn.run(stopping));
            }
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                // Out of file descriptors, or worse: wait a little rather than spin.
                tracing::error!(error = %e, "accept failed");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(200)) => {}
                    () = &mut shutdown => break,
                }
            }
        }
    }
    drop(listener);
    drop(stop);
    // Every connection holds a slot until it ends.
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
    Ok(())
}

fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    header_read_timeout: Duration,
    body: BodyTimeouts,
    _slot: OwnedSemaphorePermit,
}

fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: &ConnectionLimits,
    slot: OwnedSemaphorePermit,
) -> Connection {
    Connection {
        stream,
        peer,
        router,
        header_read_timeout: limits.header_read_timeout,
        body: BodyTimeouts {
            idle: limits.body_read_timeout,
            min_rate: limits.body_min_rate,
        },
        _slot: slot,
    }
}

type Reply = Pin<Box<dyn Future<Output = Result<axum::response::Response, Infallible>> + Send>>;

impl Connection {
    async fn run(self, mut stopping: watch::Receiver<()>) {
        let _ = self.stream.set_nodelay(true);
        let (peer, router, body) = (self.peer, self.router, self.body);
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| -> Reply {
            let mut router = router.clone();
            let (mut parts, incoming) = req.into_parts();
            parts.extensions.insert(ConnectInfo(peer));
            let req = hyper::Request::from_parts(parts, Body::new(TimedBody::new(incoming, body)));
            Box::pin(async move { router.call(req).await })
        });
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout)
            .max_buf_size(MAX_HEAD_BYTES);
        let mut conn = builder.serve_connection(TokioIo::new(self.stream), service);
        let (ended, stopped) = tokio::select! {
            r = poll_fn(|cx| conn.poll_without_shutdown(cx)) => (r, false),
            _ = stopping.changed() => {
                Pin::new(&mut conn).graceful_shutdown();
                (poll_fn(|cx| conn.poll_without_shutdown(cx)).await, true)
            }
        };
        match ended {
            // A server shutting down does not wait for clients.
            Ok(()) if !stopped => linger(conn.into_parts().io.into_inner()).await,
            Ok(()) => {}
            Err(e) => tracing::debug!(error = %e, "connection ended"),
        }
    }
}

/// Longest a closing connection is read (and the bytes thrown away) after the last reply.
const LINGER: Duration = Duration::from_secs(2);
/// Most bytes thrown away so.
const LINGER_BYTES: usize = 4 * 1024 * 1024;

/// Closes a connection the way its client can read the last reply: a reply sent before the
/// request body was read (401, 413) would otherwise be lost to a TCP reset, caused by closing
/// with the unread body pending. Sends end-of-stream, then discards what the client still
/// sends, for at most [`LINGER`] and [`LINGER_BYTES`].
async fn linger(mut stream: TcpStream) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let mut buf = [0u8; 16 * 1024];
    let mut discarded = 0;
    let _ = tokio::time::timeout(LINGER, async {
        while discarded < LINGER_BYTES {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => discarded += n,
            }
        }
    })
    .await;
}
