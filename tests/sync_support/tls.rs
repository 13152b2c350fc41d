//! A TLS front for the test server: terminates TLS (rustls, ring) with a freshly generated
//! self-signed certificate and forwards each request in plain HTTP to the server.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use super::proxy::{close_after, read_message};

/// A running TLS front.
pub struct TlsFront {
    addr: SocketAddr,
    /// The certificate (PEM) a client must trust.
    pub certificate_pem: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TlsFront {
    /// Starts a TLS front for `upstream`, with a certificate for `localhost`.
    pub fn start(upstream: SocketAddr) -> TlsFront {
        census::sync::install_tls_provider();
        let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert: CertificateDer<'static> = generated.cert.der().clone();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            generated.signing_key.serialize_der(),
        ));
        let config = Arc::new(
            ServerConfig::builder()
                .with_no_client_auth()
                .with_single_cert(vec![cert], key)
                .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((tcp, _)) => {
                            tcp.set_nonblocking(false).unwrap();
                            let config = config.clone();
                            std::thread::spawn(move || serve_one(tcp, config, upstream));
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => break,
                    }
                }
            })
        };
        TlsFront {
            addr,
            certificate_pem: generated.cert.pem(),
            stop,
            thread: Some(thread),
        }
    }

    /// The front's `https://localhost:port` URL.
    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_one(tcp: TcpStream, config: Arc<ServerConfig>, upstream: SocketAddr) {
    let Ok(conn) = ServerConnection::new(config) else {
        return;
    };
    let mut tls = StreamOwned::new(conn, tcp);
    // A client that refuses the certificate fails the handshake here: nothing is forwarded.
    let Some(request) = read_message(&mut tls, false) else {
        return;
    };
    let Ok(mut server) = TcpStream::connect(upstream) else {
        return;
    };
    if server.write_all(&close_after(&request)).is_err() {
        return;
    }
    if let Some(answer) = read_message(&mut server, true) {
        let _ = tls.write_all(&close_after(&answer));
        tls.conn.send_close_notify();
        let _ = tls.flush();
    }
}
