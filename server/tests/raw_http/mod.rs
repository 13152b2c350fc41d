//! HTTP/1.1 by hand over TCP, for tests that need what a normal client hides: a request
//! head without its body, a stalled head, the exact moment a reply came.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A generous bound on any one wait (never a performance assertion).
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The reply's status code and the whole reply as text.
pub fn status_of(reply: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(reply);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Reads until the server closes the connection (or `PATIENCE` passes: then `None`).
pub async fn read_to_close(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut reply = Vec::new();
    let read = tokio::time::timeout(PATIENCE, async {
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => reply.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok().map(|()| reply)
}

/// Sends `head` (request line and headers, without the blank line) and `body`, with
/// `Connection: close`, and returns the reply once the server closes.
pub async fn send(addr: &str, head: &str, body: &[u8]) -> Option<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let request = format!("{head}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    stream.write_all(body).await.ok()?;
    read_to_close(&mut stream).await
}

/// `GET /health`: its status, or `None` when no reply came within `limit`.
pub async fn health(addr: &str, limit: Duration) -> Option<u16> {
    let asked = send(addr, "GET /health HTTP/1.1\r\nHost: census", b"");
    match tokio::time::timeout(limit, asked).await {
        Ok(Some(reply)) => Some(status_of(&reply)),
        _ => None,
    }
}
