//! TLS 1.3 between two embassy-net stacks joined in memory: a rustls server with a certificate
//! from a test CA (made at test time with rcgen) on stack B, our `tls::connect` on stack A.
#![cfg(feature = "tls")]

mod common;

use std::io::{Read as _, Write as _};
use std::string::String;
use std::sync::Arc;
use std::vec::Vec;

use aws_session_core::http::{HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::platform::{AsyncTransport, Error as _, ErrorKind};
use aws_session_embassy::http::{HttpConfig, HttpError, TlsFailure};
use aws_session_embassy::tls::{self, Target, TlsBuffers, TrustAnchors};
use common::{leak, test_ca, TestRng, SERVER};
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpAddress, Stack};
use embedded_io_async::Write as _;
use rcgen::{CertificateParams, KeyPair};

/// A test CA and a server certificate it issued for `tls.test`.
struct Pki {
    ca: Vec<u8>,
    leaf: Vec<u8>,
    leaf_key: Vec<u8>,
}

fn pki(names: &[&str]) -> Pki {
    let ca = test_ca("aws-session test CA");
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(names.iter().map(|s| String::from(*s)).collect::<Vec<_>>()).unwrap();
    let leaf = params.signed_by(&key, &ca).unwrap();
    Pki {
        ca: ca.der().to_vec(),
        leaf: leaf.der().to_vec(),
        leaf_key: key.serialize_der(),
    }
}

/// A TLS 1.3 server (rustls, sans-IO) on port 8443 answering every request with `200 hello`.
async fn tls_server(stack: Stack<'static>, leaf: Vec<u8>, key: Vec<u8>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![rustls::pki_types::CertificateDer::from(leaf)],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
        )
        .unwrap();
    let config = Arc::new(config);
    let (mut rx, mut tx) = ([0u8; 8192], [0u8; 8192]);
    loop {
        let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
        socket.accept(8443).await.unwrap();
        let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
        let mut request = Vec::new();
        'conn: loop {
            while conn.wants_write() {
                let mut out = Vec::new();
                conn.write_tls(&mut out).unwrap();
                if socket.write_all(&out).await.is_err() {
                    break 'conn;
                }
            }
            let mut chunk = [0u8; 2048];
            let n = match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if conn.read_tls(&mut &chunk[..n]).is_err() || conn.process_new_packets().is_err() {
                // Let rustls send its alert, then give up on this connection.
                let mut out = Vec::new();
                let _ = conn.write_tls(&mut out);
                let _ = socket.write_all(&out).await;
                break;
            }
            let mut plain = [0u8; 2048];
            while let Ok(n) = conn.reader().read(&mut plain) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&plain[..n]);
            }
            if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                request.drain(..end + 4);
                conn.writer()
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
                    .unwrap();
            }
        }
        let _ = socket.flush().await;
        socket.abort();
        let _ = socket.flush().await;
    }
}

async fn get(conn: &mut tls::HttpsConnection<'_>, host: &str) -> Result<(u16, String), HttpError> {
    let req = HttpRequest::new(Method::Get, Scheme::Https, host, "/").unwrap();
    conn.begin(&req).await?;
    let mut head = ResponseHead::new();
    conn.finish(&mut head).await?;
    let mut body = [0u8; 64];
    let mut len = 0;
    loop {
        let n = conn.read_body(&mut body[len..]).await?;
        if n == 0 {
            break;
        }
        len += n;
    }
    Ok((
        head.status(),
        String::from_utf8(body[..len].to_vec()).unwrap(),
    ))
}

/// Connects to `name:8443` at 10.0.0.2 trusting `anchors` and sends two GETs on the connection.
fn attempt(
    pki: &Pki,
    name: &'static str,
    anchors: Vec<Vec<u8>>,
) -> Result<Vec<(u16, String)>, HttpError> {
    let (leaf, key) = (pki.leaf.clone(), pki.leaf_key.clone());
    let anchors: &'static Vec<Vec<u8>> = leak(anchors);
    let refs: &'static [&'static [u8]] =
        leak(anchors.iter().map(|a| a.as_slice()).collect::<Vec<_>>()).as_slice();
    common::run(
        async move |server| tls_server(server, leaf, key).await,
        async move |net| {
            let buffers = leak(TlsBuffers::<4096, 2048, 16640, 2048, 1024>::new());
            let host: &'static str = leak(format!("{name}:8443"));
            let target = Target {
                host,
                address: Some(IpAddress::Ipv4(SERVER)),
            };
            let trust = TrustAnchors::new(refs);
            let mut conn = tls::connect(
                net,
                buffers,
                &target,
                &trust,
                TestRng(0x9E37_79B9_7F4A_7C15),
                HttpConfig::default(),
            )
            .await?;
            let first = get(&mut conn, host).await?;
            let second = get(&mut conn, host).await?;
            conn.close().await;
            Ok(vec![first, second])
        },
    )
}

#[test]
fn handshake_with_the_test_ca_succeeds_and_keeps_alive() {
    let pki = pki(&["tls.test"]);
    let ca = pki.ca.clone();
    assert_eq!(
        attempt(&pki, "tls.test", vec![ca]).unwrap(),
        [(200, "hello".into()), (200, "hello".into())]
    );
}

#[test]
fn a_second_anchor_is_found() {
    let pki = pki(&["tls.test"]);
    let other = test_ca("aws-session test CA").der().to_vec();
    assert_eq!(
        attempt(&pki, "tls.test", vec![other, pki.ca.clone()])
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn an_untrusted_certificate_fails_the_handshake() {
    let pki = pki(&["tls.test"]);
    let other = test_ca("aws-session test CA").der().to_vec();
    let err = attempt(&pki, "tls.test", vec![other]).unwrap_err();
    assert_eq!(
        (err, err.kind()),
        (HttpError::Tls(TlsFailure::Certificate), ErrorKind::Tls)
    );
}

#[test]
fn a_certificate_for_another_name_fails_the_handshake() {
    let pki = pki(&["other.test"]);
    let err = attempt(&pki, "tls.test", vec![pki.ca.clone()]).unwrap_err();
    assert_eq!(err, HttpError::Tls(TlsFailure::Certificate));
}

#[test]
fn no_anchors_trusts_nothing() {
    let pki = pki(&["tls.test"]);
    assert_eq!(
        attempt(&pki, "tls.test", vec![]).unwrap_err(),
        HttpError::Tls(TlsFailure::Certificate)
    );
}
