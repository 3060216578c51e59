//! `HttpsTransport` through core's `Transport` trait, against a loopback server: TLS verification
//! (rejected without the CA, accepted with a CA bundle), client certificates for a server that
//! requires one (mutual TLS), bodies streamed in pieces, response heads,
//! timeouts and connection errors mapped onto core's error kinds.

mod common;

use core::time::Duration;

use aws_session_core::http::{HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::platform::{Error as _, ErrorKind, Transport};
use aws_session_std::transport::{ClientTlsFiles, HttpsConfig, HttpsTransport, TlsFile};
use common::server::{self, Reply, TestPki};

fn request(scheme: Scheme, port: u16, method: Method, target: &str) -> HttpRequest<'static> {
    HttpRequest::new(method, scheme, &format!("127.0.0.1:{port}"), target).expect("request")
}

/// Runs one exchange; returns status, body and the transport (for its headers).
fn exchange(
    t: &mut HttpsTransport,
    req: &HttpRequest<'_>,
    body: &[&[u8]],
) -> Result<(u16, String), ErrorKind> {
    t.begin(req).map_err(|e| e.kind())?;
    for piece in body {
        t.write_body(piece).map_err(|e| e.kind())?;
    }
    let mut head = ResponseHead::new();
    t.finish(&mut head).map_err(|e| e.kind())?;
    let mut out = Vec::new();
    let mut buf = [0u8; 7];
    loop {
        let n = t.read_body(&mut buf).map_err(|e| e.kind())?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    Ok((head.status(), String::from_utf8(out).expect("utf-8")))
}

#[test]
fn tls_is_verified_against_the_system_roots() {
    let pki = TestPki::new();
    let (port, server) = server::tls(&pki, Reply::With("200 OK", "secret page"));
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let err = exchange(&mut t, &request(Scheme::Https, port, Method::Get, "/"), &[]).unwrap_err();
    assert_eq!(err, ErrorKind::Tls);
    assert_eq!(
        server.join().unwrap(),
        "",
        "no request may reach an unverified server"
    );
}

#[test]
fn a_tls_connection_is_kept_alive_across_requests() {
    let pki = TestPki::new();
    let dir = tempfile::tempdir().unwrap();
    let bundle = common::write(dir.path(), "ca.pem", &pki.ca_pem);
    let (port, server) = server::tls_kept_alive(&pki, 3);
    let config = HttpsConfig {
        ca_bundle: Some(bundle.into()),
        ..HttpsConfig::default()
    };
    let mut t = HttpsTransport::new(&config).unwrap();
    for i in 0..3 {
        let mut req = request(Scheme::Https, port, Method::Post, &format!("/{i}"));
        req.headers_mut().append("Content-Length", "4").unwrap();
        let got = exchange(&mut t, &req, &[b"ab", b"cd"]);
        assert_eq!(got, Ok((200, "ok".to_owned())), "request {i}");
    }
    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 3, "three requests on one TLS connection");
    assert!(seen[2].starts_with("POST /2 HTTP/1.1\r\n") && seen[2].ends_with("\r\n\r\nabcd"));
}

#[test]
fn a_ca_bundle_replaces_the_roots() {
    let pki = TestPki::new();
    let dir = tempfile::tempdir().unwrap();
    let bundle = common::write(dir.path(), "ca.pem", &pki.ca_pem);
    let (port, server) = server::tls(&pki, Reply::With("201 Created", "made over TLS"));
    let config = HttpsConfig {
        ca_bundle: Some(bundle.into()),
        ..HttpsConfig::default()
    };
    let mut t = HttpsTransport::new(&config).unwrap();
    let mut req = request(Scheme::Https, port, Method::Put, "/b/k?x=1");
    req.headers_mut().append("Content-Length", "10").unwrap();
    req.headers_mut()
        .append("X-Amz-Date", "20130524T000000Z")
        .unwrap();
    let (status, body) = exchange(&mut t, &req, &[b"0123", b"456789"]).unwrap();
    assert_eq!((status, body.as_str()), (201, "made over TLS"));
    let seen = server.join().unwrap();
    assert!(seen.starts_with("PUT /b/k?x=1 HTTP/1.1\r\n"), "{seen}");
    assert!(
        seen.to_ascii_lowercase()
            .contains(&format!("host: 127.0.0.1:{port}\r\n")),
        "{seen}"
    );
    assert!(seen.ends_with("\r\n\r\n0123456789"), "{seen}");
    let custom = t
        .response_headers()
        .iter()
        .find(|(n, _)| n == "x-custom")
        .map(|(_, v)| v.as_str());
    assert_eq!(custom, Some("yes"));
}

/// A CA bundle of `pki`'s CA and, with `client`, its client certificate and key, in `dir`.
fn mutual_config(dir: &std::path::Path, pki: &TestPki, client: bool) -> HttpsConfig {
    let client_tls = client.then(|| ClientTlsFiles {
        cert: common::write(dir, "client.pem", &pki.client_cert_pem).into(),
        key: common::write(dir, "client.key", &pki.client_key_pem).into(),
    });
    HttpsConfig {
        ca_bundle: Some(common::write(dir, "ca.pem", &pki.ca_pem).into()),
        client_tls,
        ..HttpsConfig::default()
    }
}

#[test]
fn a_client_certificate_is_presented_to_a_server_that_requires_one() {
    let pki = TestPki::new();
    let dir = tempfile::tempdir().unwrap();
    let (port, server) = server::mutual_tls(&pki, Reply::With("200 OK", "hello device"));
    let mut t = HttpsTransport::new(&mutual_config(dir.path(), &pki, true)).unwrap();
    let req = request(
        Scheme::Https,
        port,
        Method::Get,
        "/role-aliases/a/credentials",
    );
    let (status, body) = exchange(&mut t, &req, &[]).unwrap();
    assert_eq!((status, body.as_str()), (200, "hello device"));
    assert!(server
        .join()
        .unwrap()
        .starts_with("GET /role-aliases/a/credentials "));
}

#[test]
fn without_a_client_certificate_a_server_that_requires_one_refuses() {
    let pki = TestPki::new();
    let dir = tempfile::tempdir().unwrap();
    let (port, server) = server::mutual_tls(&pki, Reply::With("200 OK", "hello device"));
    let mut t = HttpsTransport::new(&mutual_config(dir.path(), &pki, false)).unwrap();
    let req = request(Scheme::Https, port, Method::Get, "/");
    assert_eq!(exchange(&mut t, &req, &[]).unwrap_err(), ErrorKind::Tls);
    assert_eq!(
        server.join().unwrap(),
        "",
        "no request without a client certificate"
    );
}

#[test]
fn unusable_client_certificate_files_name_the_file() {
    let pki = TestPki::new();
    let dir = tempfile::tempdir().unwrap();
    let good = mutual_config(dir.path(), &pki, true);
    let files = good.client_tls.clone().unwrap();
    let no_key = common::write(dir.path(), "no-key.pem", &pki.client_cert_pem);
    let cases = [
        (
            ClientTlsFiles {
                cert: "/nonexistent-cert.pem".into(),
                ..files.clone()
            },
            TlsFile::ClientCert,
            "failed to load client TLS cert PEM file /nonexistent-cert.pem",
        ),
        (
            ClientTlsFiles {
                key: "/nonexistent-key.pem".into(),
                ..files.clone()
            },
            TlsFile::ClientKey,
            "failed to load client TLS key PEM file /nonexistent-key.pem",
        ),
        (
            ClientTlsFiles {
                cert: files.key.clone(),
                ..files.clone()
            },
            TlsFile::ClientCert,
            "no certificates found",
        ),
        (
            ClientTlsFiles {
                key: no_key.into(),
                ..files.clone()
            },
            TlsFile::ClientKey,
            "no private key found",
        ),
    ];
    for (client_tls, file, message) in cases {
        let config = HttpsConfig {
            client_tls: Some(client_tls),
            ..good.clone()
        };
        let err = HttpsTransport::new(&config).unwrap_err();
        assert_eq!(err.file(), file, "{err}");
        assert!(err.to_string().contains(message), "{err}");
        assert!(!err.to_string().contains("PRIVATE KEY"), "{err}");
    }
}

#[test]
fn a_bundle_without_certificates_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = common::write(dir.path(), "empty.pem", "not a certificate\n");
    let err = HttpsTransport::new(&HttpsConfig {
        ca_bundle: Some(bundle.clone().into()),
        ..HttpsConfig::default()
    })
    .unwrap_err();
    assert!(
        err.to_string().contains(&bundle) && err.to_string().contains("no certificates"),
        "{err}"
    );
    let err = HttpsTransport::new(&HttpsConfig {
        ca_bundle: Some("/nonexistent.pem".into()),
        ..HttpsConfig::default()
    })
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("failed to load custom CA bundle PEM file /nonexistent.pem"),
        "{err}"
    );
}

#[test]
fn plain_http_with_a_streamed_body_of_unknown_length_is_chunked() {
    let (port, server) = server::plain(Reply::With("200 OK", "ok"));
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let req = request(Scheme::Http, port, Method::Post, "/");
    let pieces: Vec<Vec<u8>> = (0..50u8).map(|i| vec![b'a' + i % 26; 1000]).collect();
    let borrowed: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
    let (status, body) = exchange(&mut t, &req, &borrowed).unwrap();
    assert_eq!((status, body.as_str()), (200, "ok"));
    let seen = server.join().unwrap();
    assert!(
        seen.to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{seen}"
    );
    let sent: String = pieces
        .iter()
        .map(|p| String::from_utf8(p.clone()).unwrap())
        .collect();
    assert!(seen.ends_with(&sent));
}

#[test]
fn error_statuses_are_responses_not_errors() {
    let (port, server) = server::plain(Reply::With("503 Service Unavailable", "busy"));
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let (status, body) =
        exchange(&mut t, &request(Scheme::Http, port, Method::Get, "/"), &[]).unwrap();
    assert_eq!((status, body.as_str()), (503, "busy"));
    server.join().unwrap();
}

#[test]
fn a_silent_server_times_out() {
    let (port, server) = server::plain(Reply::Silence(Duration::from_secs(3)));
    let config = HttpsConfig {
        response_timeout: Some(Duration::from_millis(300)),
        ..HttpsConfig::default()
    };
    let mut t = HttpsTransport::new(&config).unwrap();
    let err = exchange(&mut t, &request(Scheme::Http, port, Method::Get, "/"), &[]).unwrap_err();
    assert_eq!(err, ErrorKind::TimedOut);
    server.join().unwrap();
}

#[test]
fn a_request_timeout_beats_the_transport_default() {
    // Instance-metadata calls ask for 1 s; the transport's default head timeout is 60 s.
    let (port, server) = server::plain(Reply::Silence(Duration::from_secs(3)));
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let mut req = request(Scheme::Http, port, Method::Get, "/");
    req.set_timeout_ms(Some(300));
    let started = std::time::Instant::now();
    let err = exchange(&mut t, &req, &[]).unwrap_err();
    assert_eq!(err, ErrorKind::TimedOut);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    server.join().unwrap();
}

#[test]
fn a_closed_port_is_connection_refused() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let err = exchange(&mut t, &request(Scheme::Http, port, Method::Get, "/"), &[]).unwrap_err();
    assert_eq!(err, ErrorKind::ConnectionRefused);
}

#[test]
fn a_body_shorter_than_its_length_is_a_protocol_error() {
    let (port, _server) = server::plain(Reply::With("200 OK", ""));
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let mut req = request(Scheme::Http, port, Method::Put, "/");
    req.headers_mut().append("Content-Length", "5").unwrap();
    assert!(exchange(&mut t, &req, &[]).is_err());
}

#[test]
fn a_body_in_pieces_not_matching_its_length_is_a_protocol_error() {
    // Longer (found before anything is sent) and shorter (ureq would wait for the rest forever).
    let pieces: [&[&[u8]]; 2] = [&[b"0123", b"45"], &[b"01", b"2"]];
    for body in pieces {
        let (port, _server) = server::plain(Reply::With("200 OK", ""));
        let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
        let mut req = request(Scheme::Http, port, Method::Put, "/");
        req.headers_mut().append("Content-Length", "5").unwrap();
        assert_eq!(exchange(&mut t, &req, body), Err(ErrorKind::Protocol));
    }
}

/// Sends `len` bytes in pieces of at most `piece` bytes, with or without a Content-Length, and
/// checks that the server saw exactly them.
fn body_arrives_intact(len: usize, piece: usize, with_length: bool) {
    let (port, server) = server::plain(Reply::With("200 OK", "ok"));
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let mut req = request(Scheme::Http, port, Method::Post, "/");
    if with_length {
        req.headers_mut()
            .append("Content-Length", &len.to_string())
            .unwrap();
    }
    let body: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
    let pieces: Vec<&[u8]> = body.chunks(piece).collect();
    let (status, answer) = exchange(&mut t, &req, &pieces).unwrap();
    assert_eq!((status, answer.as_str()), (200, "ok"));
    let seen = server.join().unwrap();
    assert!(
        seen.ends_with(core::str::from_utf8(&body).unwrap()),
        "{len} bytes"
    );
    assert_eq!(
        seen.to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        !with_length,
        "{len} bytes"
    );
}

#[test]
fn bodies_at_and_over_the_inline_limit_arrive_intact() {
    use aws_session_std::transport::INLINE_BODY_LIMIT as LIMIT;
    for with_length in [true, false] {
        // In one piece and in several; exactly at the limit (sent on the caller's thread) and
        // one byte over (handed to the streaming thread with what was buffered).
        body_arrives_intact(LIMIT, LIMIT, with_length);
        body_arrives_intact(LIMIT, 1000, with_length);
        body_arrives_intact(LIMIT + 1, LIMIT + 1, with_length);
        body_arrives_intact(LIMIT + 1, 1000, with_length);
        body_arrives_intact(LIMIT + 1, LIMIT, with_length);
    }
}

#[test]
fn transport_is_reusable_after_a_buffered_and_a_streamed_body() {
    use aws_session_std::transport::INLINE_BODY_LIMIT as LIMIT;
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    for len in [10, LIMIT + 10, 10] {
        let (port, server) = server::plain(Reply::With("200 OK", "ok"));
        let mut req = request(Scheme::Http, port, Method::Post, "/");
        req.headers_mut()
            .append("Content-Length", &len.to_string())
            .unwrap();
        let body = vec![b'x'; len];
        assert_eq!(exchange(&mut t, &req, &[&body]).unwrap().0, 200);
        assert!(server.join().unwrap().ends_with(&"x".repeat(len)));
    }
}

#[test]
fn a_streamed_body_short_of_its_length_is_a_protocol_error() {
    use aws_session_std::transport::INLINE_BODY_LIMIT as LIMIT;
    let (port, _server) = server::plain(Reply::With("200 OK", ""));
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let mut req = request(Scheme::Http, port, Method::Put, "/");
    req.headers_mut()
        .append("Content-Length", &(LIMIT + 10).to_string())
        .unwrap();
    let body = vec![b'x'; LIMIT + 5];
    assert_eq!(exchange(&mut t, &req, &[&body]), Err(ErrorKind::Protocol));
}

#[test]
fn a_five_megabyte_body_is_streamed_intact() {
    body_arrives_intact(5 * 1024 * 1024, 64 * 1024, true);
}

#[test]
fn a_request_timeout_applies_to_a_small_body_sent_inline() {
    let (port, server) = server::plain(Reply::Silence(Duration::from_secs(3)));
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let mut req = request(Scheme::Http, port, Method::Post, "/");
    req.headers_mut().append("Content-Length", "4").unwrap();
    req.set_timeout_ms(Some(300));
    let started = std::time::Instant::now();
    assert_eq!(
        exchange(&mut t, &req, &[b"ab", b"cd"]),
        Err(ErrorKind::TimedOut)
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(server.join().unwrap().ends_with("\r\n\r\nabcd"));
}

/// Serves one request with a response head carrying one `x-filler` header of `filler` bytes.
fn serve_head_with_filler(filler: usize) -> (u16, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let mut seen = Vec::new();
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = s.read(&mut buf).unwrap_or(0);
            if n == 0 {
                return;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\nx-filler: {}\r\ncontent-length: 2\r\n\r\nok",
            "a".repeat(filler)
        );
        let _ = s.write_all(head.as_bytes());
    });
    (port, server)
}

#[test]
fn response_heads_up_to_the_receive_buffer_are_read_and_larger_ones_are_a_capacity_error() {
    use aws_session_std::limits::RECEIVE_BUFFER_LEN;
    // S3's largest real heads (2 KiB of user metadata) are far below; this one fills most of it.
    let (port, server) = serve_head_with_filler(RECEIVE_BUFFER_LEN - 1024);
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let got = exchange(&mut t, &request(Scheme::Http, port, Method::Get, "/"), &[]);
    assert_eq!(got, Ok((200, "ok".to_owned())));
    server.join().unwrap();

    let (port, server) = serve_head_with_filler(RECEIVE_BUFFER_LEN + 1);
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let started = std::time::Instant::now();
    let got = exchange(&mut t, &request(Scheme::Http, port, Method::Get, "/"), &[]);
    assert_eq!(got, Err(ErrorKind::Capacity));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no wait for a timeout"
    );
    server.join().unwrap();
}
