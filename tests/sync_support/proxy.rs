//! A tiny HTTP/1.1 proxy on loopback that sits between the real client and the real server
//! and misbehaves on request: it can forward a request and then cut the connection without
//! passing the answer on (the server committed, the device never heard), or answer 500
//! without forwarding. One request per connection (`Connection: close` both ways).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Forward the request and pass the answer on.
    Forward,
    /// Forward the request, read the server's whole answer, then close the device's
    /// connection without passing it on.
    DropAnswer,
    /// Do not forward; answer `500 Internal Server Error`.
    Answer500,
}

/// Decides per request: `(method, path, index of this request among those with this
/// path)` → action.
pub type Rule = dyn Fn(&str, &str, usize) -> Action + Send + Sync;

/// A running proxy.
pub struct Proxy {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<(String, String, Action)>>>,
    bodies: Arc<Bodies>,
    thread: Option<JoinHandle<()>>,
}

/// Request bodies seen so far, `(path, body)`.
type Bodies = Mutex<Vec<(String, Vec<u8>)>>;

impl Proxy {
    /// Starts a proxy to `upstream` applying `rule`.
    pub fn start(upstream: SocketAddr, rule: Box<Rule>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let rule: Arc<Rule> = Arc::from(rule);
        let thread = {
            let stop = stop.clone();
            let log = log.clone();
            let bodies = bodies.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            stream.set_nonblocking(false).unwrap();
                            let rule = rule.clone();
                            let log = log.clone();
                            let bodies = bodies.clone();
                            std::thread::spawn(move || {
                                handle(stream, upstream, &*rule, &log, &bodies)
                            });
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => break,
                    }
                }
            })
        };
        Proxy {
            addr,
            stop,
            log,
            bodies,
            thread: Some(thread),
        }
    }

    /// The proxy's URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `(method, path, action)` of every request seen so far.
    pub fn log(&self) -> Vec<(String, String, Action)> {
        self.log.lock().unwrap().clone()
    }

    /// The bodies of the requests to `path` seen so far, in order of arrival.
    pub fn bodies(&self, path: &str) -> Vec<Vec<u8>> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, b)| b.clone())
            .collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one HTTP/1.1 request or response head and its `Content-Length` body (requests),
/// or everything until the peer closes (responses, `to_eof`).
pub fn read_message(stream: &mut impl Read, to_eof: bool) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if !to_eof && let Some(end) = find(&data, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse::<usize>().unwrap())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                data.truncate(end + 4 + length);
                return Some(data);
            }
        }
        match stream.read(&mut buf) {
            Ok(0) => return (to_eof && !data.is_empty()).then_some(data),
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(_) => return None,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Replaces any `Connection` header of the message head by `Connection: close`.
pub fn close_after(message: &[u8]) -> Vec<u8> {
    let Some(end) = find(message, b"\r\n\r\n") else {
        return message.to_vec();
    };
    let head = String::from_utf8_lossy(&message[..end]);
    let mut out = String::new();
    for (i, line) in head.split("\r\n").enumerate() {
        if i > 0 && line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&message[end + 4..]);
    bytes
}

fn handle(
    mut device: TcpStream,
    upstream: SocketAddr,
    rule: &Rule,
    log: &Mutex<Vec<(String, String, Action)>>,
    bodies: &Bodies,
) {
    let Some(request) = read_message(&mut device, false) else {
        return;
    };
    let line =
        String::from_utf8_lossy(&request[..find(&request, b"\r\n").unwrap_or(0)]).to_string();
    let mut parts = line.split(' ');
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts
        .next()
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    let body_start = find(&request, b"\r\n\r\n").map_or(request.len(), |e| e + 4);
    bodies
        .lock()
        .unwrap()
        .push((path.clone(), request[body_start..].to_vec()));
    let action = {
        let mut log = log.lock().unwrap();
        let index = log.iter().filter(|(_, p, _)| *p == path).count();
        let action = rule(&method, &path, index);
        log.push((method.clone(), path.clone(), action));
        action
    };
    if action == Action::Answer500 {
        let body = r#"{"error":"internal","message":"injected failure"}"#;
        let answer = format!(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = device.write_all(answer.as_bytes());
        let _ = device.shutdown(Shutdown::Both);
        return;
    }
    let Ok(mut server) = TcpStream::connect(upstream) else {
        let _ = device.shutdown(Shutdown::Both);
        return;
    };
    if server.write_all(&close_after(&request)).is_err() {
        let _ = device.shutdown(Shutdown::Both);
        return;
    }
    let answer = read_message(&mut server, true);
    // DropAnswer, or the server closed without answering: the device hears nothing.
    if let (Action::Forward, Some(answer)) = (action, answer) {
        let _ = device.write_all(&close_after(&answer));
    }
    let _ = device.shutdown(Shutdown::Both);
}
