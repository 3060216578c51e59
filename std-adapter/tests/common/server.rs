//! A one-exchange HTTP/1.1 server on 127.0.0.1, plain or TLS (rustls with a certificate made at
//! test time), for the transport and CLI tests.

use core::time::Duration;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;

use rcgen::{BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A test CA, a `localhost` / `127.0.0.1` server certificate it signed, and a client
/// certificate it signed (for mutual TLS).
pub struct TestPki {
    /// The CA certificate, PEM (what a CA bundle file holds).
    pub ca_pem: String,
    /// A client certificate (extended key usage clientAuth), PEM.
    pub client_cert_pem: String,
    /// The client certificate's key, PKCS#8 PEM.
    pub client_key_pem: String,
    ca: CertificateDer<'static>,
    cert: CertificateDer<'static>,
    key: Vec<u8>,
}

impl TestPki {
    /// Makes a fresh CA and server certificate.
    pub fn new() -> Self {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA cert");
        let issuer = Issuer::new(ca_params, ca_key);
        let key = KeyPair::generate().expect("server key");
        let params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("params");
        let cert = params.signed_by(&key, &issuer).expect("server cert");
        let client_key = KeyPair::generate().expect("client key");
        let mut client = CertificateParams::new(vec!["device-0001".to_owned()]).expect("params");
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_cert = client.signed_by(&client_key, &issuer).expect("client cert");
        TestPki {
            ca_pem: ca_cert.pem(),
            client_cert_pem: client_cert.pem(),
            client_key_pem: client_key.serialize_pem(),
            ca: ca_cert.der().clone(),
            cert: cert.der().clone(),
            key: key.serialize_der(),
        }
    }

    /// The server's TLS settings; with `require_client_cert`, a client must present a
    /// certificate the CA signed.
    fn server_config(&self, require_client_cert: bool) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()));
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("protocol versions");
        let builder = if require_client_cert {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(self.ca.clone()).expect("CA as a client root");
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let config = builder
            .with_single_cert(vec![self.cert.clone()], key)
            .expect("server config");
        Arc::new(config)
    }
}

/// What the server does after reading the request.
#[derive(Clone, Copy)]
pub enum Reply {
    /// Answers with this status line (e.g. `200 OK`) and body.
    With(&'static str, &'static str),
    /// Waits this long without answering.
    Silence(Duration),
}

/// Reads one request (head, then a Content-Length or chunked body) and returns it as text, with
/// a chunked body decoded.
fn read_request<S: Read>(stream: S) -> (String, BufReader<S>) {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0usize;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return (head, reader);
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().expect("length");
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).expect("chunk size");
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .expect("hex size");
            let mut piece = vec![0u8; n + 2];
            reader.read_exact(&mut piece).expect("chunk");
            if n == 0 {
                break;
            }
            body.extend_from_slice(&piece[..n]);
        }
    } else {
        body.resize(length, 0);
        reader.read_exact(&mut body).expect("body");
    }
    head.push_str(&String::from_utf8_lossy(&body));
    (head, reader)
}

fn answer<W: Write>(w: &mut W, reply: Reply) {
    match reply {
        Reply::With(status, body) => {
            let _ = write!(
                w,
                "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nX-Custom: yes\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = w.flush();
        }
        Reply::Silence(d) => std::thread::sleep(d),
    }
}

/// Serves one plain-HTTP exchange; returns the port and a handle yielding the request text.
pub fn plain(reply: Reply) -> (u16, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        let (text, reader) = read_request(stream);
        let mut stream: TcpStream = reader.into_inner();
        answer(&mut stream, reply);
        text
    });
    (port, handle)
}

/// Serves one TLS exchange with `pki`'s server certificate. The handle yields the request text,
/// or an empty string when the client gave up during the handshake.
pub fn tls(pki: &TestPki, reply: Reply) -> (u16, JoinHandle<String>) {
    serve_tls(pki.server_config(false), reply)
}

/// Like [`tls`], for a server that requires a client certificate signed by `pki`'s CA (the
/// AWS IoT credentials provider and IoT Core on 8443 do). A client without one is refused during
/// the handshake: the handle then yields an empty string.
pub fn mutual_tls(pki: &TestPki, reply: Reply) -> (u16, JoinHandle<String>) {
    serve_tls(pki.server_config(true), reply)
}

/// The next connection of `listener`, as a TLS server stream (handshake on first use).
fn accept_tls(
    listener: &TcpListener,
    config: Arc<rustls::ServerConfig>,
) -> rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    let (tcp, _) = listener.accept().expect("accept");
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let conn = rustls::ServerConnection::new(config).expect("server connection");
    rustls::StreamOwned::new(conn, tcp)
}

fn serve_tls(config: Arc<rustls::ServerConfig>, reply: Reply) -> (u16, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    let handle = std::thread::spawn(move || {
        let mut tls = accept_tls(&listener, config);
        // A client that rejects the certificate closes the connection during the handshake.
        let mut first = [0u8; 1];
        if tls.read(&mut first).unwrap_or(0) == 0 {
            return String::new();
        }
        let (rest, reader) = read_request(tls);
        let mut tls = reader.into_inner();
        answer(&mut tls, reply);
        tls.conn.send_close_notify();
        let _ = tls.flush();
        format!("{}{rest}", first[0] as char)
    });
    (port, handle)
}

/// Serves `requests` exchanges on one kept-alive TLS connection with `pki`'s server certificate,
/// each answered `200 OK` with body `ok`; the handle yields the requests' texts.
pub fn tls_kept_alive(pki: &TestPki, requests: usize) -> (u16, JoinHandle<Vec<String>>) {
    let config = pki.server_config(false);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    let handle = std::thread::spawn(move || {
        let mut tls = accept_tls(&listener, config);
        let mut seen = Vec::new();
        for _ in 0..requests {
            // The client sends the next request only after this answer: nothing is read ahead.
            let (text, _) = read_request(&mut tls);
            if text.is_empty() {
                break;
            }
            seen.push(text);
            let _ = tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            let _ = tls.flush();
        }
        seen
    });
    (port, handle)
}
