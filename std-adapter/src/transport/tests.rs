//! Proxies and connection reuse, against loopback servers written here.

use super::*;
use std::net::TcpListener;
use std::thread::JoinHandle;

/// A server that accepts `connections` connections in turn and answers each request head on them
/// with `reply` (closing after `per_connection` requests); returns the heads it saw.
fn serve(
    connections: usize,
    per_connection: usize,
    reply: &'static str,
) -> (u16, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for _ in 0..connections {
            let Ok((mut s, _)) = listener.accept() else {
                break;
            };
            for _ in 0..per_connection {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match s.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                if head.is_empty() {
                    break;
                }
                seen.push(String::from_utf8_lossy(&head).into_owned());
                let _ = s.write_all(reply.as_bytes());
            }
        }
        seen
    });
    (port, handle)
}

const OK: &str = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

fn exchange(t: &mut HttpsTransport, req: &HttpRequest<'_>) -> Result<(u16, Vec<u8>), ErrorKind> {
    t.begin(req).map_err(|e| e.kind())?;
    let mut head = ResponseHead::new();
    t.finish(&mut head).map_err(|e| e.kind())?;
    let mut body = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        match t.read_body(&mut buf).map_err(|e| e.kind())? {
            0 => return Ok((head.status(), body)),
            n => body.extend_from_slice(&buf[..n]),
        }
    }
}

fn get(scheme: Scheme, host: &str, target: &str) -> HttpRequest<'static> {
    HttpRequest::new(Method::Get, scheme, host, target).unwrap()
}

fn proxy(host: &str, port: u16, authorization: Option<&str>) -> Proxy {
    Proxy {
        host: host.into(),
        port,
        authorization: authorization.map(Into::into),
    }
}

#[test]
fn proxy_urls_and_hosts_are_split() {
    assert_eq!(
        parse_proxy("http://proxy:3128"),
        Some(proxy("proxy", 3128, None))
    );
    assert_eq!(parse_proxy("proxy:8080/"), Some(proxy("proxy", 8080, None)));
    assert_eq!(parse_proxy("http://[::1]"), Some(proxy("::1", 80, None)));
    assert_eq!(parse_proxy("socks5://proxy:1080"), None);
    assert_eq!(
        parse_proxy("http://user:pw@proxy:3128"),
        Some(proxy("proxy", 3128, Some("Basic dXNlcjpwdw==")))
    );
    let with_secret = parse_proxy("http://user:pw@proxy:3128").unwrap();
    assert!(!format!("{with_secret:?}").contains("dXNlcjpwdw"));
    assert_eq!(split_host("h:1", 2).unwrap(), ("h", 1));
    assert_eq!(split_host("[::1]:9", 2).unwrap(), ("::1", 9));
    assert!(split_host("h:x", 2).is_err());
}

#[test]
fn no_proxy_and_loopback_bypass_the_proxy() {
    let proxies = Proxies {
        http: Some(proxy("p", 1, None)),
        https: Some(proxy("q", 2, None)),
        no_proxy: vec!["internal.example".into(), "other.test:8443".into()],
    };
    let via = |s, h, p| proxies.for_host(s, h, p).map(|x| x.host.as_str());
    assert_eq!(via(Scheme::Https, "sts.amazonaws.com", 443), Some("q"));
    assert_eq!(via(Scheme::Http, "sts.amazonaws.com", 80), Some("p"));
    assert_eq!(via(Scheme::Https, "a.internal.example", 443), None);
    assert_eq!(via(Scheme::Https, "INTERNAL.example", 443), None);
    assert_eq!(via(Scheme::Https, "notinternal.example", 443), Some("q"));
    assert_eq!(via(Scheme::Https, "other.test", 8443), None);
    assert_eq!(via(Scheme::Https, "other.test", 443), Some("q"));
    assert_eq!(via(Scheme::Https, "localhost", 443), None);
    assert_eq!(via(Scheme::Http, "127.0.0.1", 80), None);
    assert_eq!(via(Scheme::Http, "::1", 80), None);
}

#[test]
fn http_through_a_proxy_uses_the_absolute_form() {
    let (port, server) = serve(1, 1, OK);
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    t.proxies.http = Some(proxy("127.0.0.1", port, Some("Basic dXNlcjpwdw==")));
    let req = get(Scheme::Http, "service.example:8080", "/p?q=1");
    assert_eq!(exchange(&mut t, &req), Ok((200, b"ok".to_vec())));
    let seen = server.join().unwrap();
    assert!(
        seen[0].starts_with("GET http://service.example:8080/p?q=1 HTTP/1.1\r\n"),
        "{seen:?}"
    );
    assert!(
        seen[0].contains("host: service.example:8080\r\n"),
        "{seen:?}"
    );
}

#[test]
fn https_through_a_proxy_asks_for_a_tunnel() {
    let (port, server) = serve(1, 1, "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    t.proxies.https = Some(proxy("127.0.0.1", port, None));
    let req = get(Scheme::Https, "sts.example", "/");
    assert_eq!(exchange(&mut t, &req), Err(ErrorKind::ConnectionRefused));
    let seen = server.join().unwrap();
    assert_eq!(
        seen,
        ["CONNECT sts.example:443 HTTP/1.1\r\nHost: sts.example:443\r\n\r\n"]
    );
}

#[test]
fn a_kept_alive_connection_carries_the_next_requests() {
    let (port, server) = serve(1, 3, OK);
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let req = get(Scheme::Http, &format!("127.0.0.1:{port}"), "/");
    for _ in 0..3 {
        assert_eq!(exchange(&mut t, &req), Ok((200, b"ok".to_vec())));
    }
    assert_eq!(
        server.join().unwrap().len(),
        3,
        "three requests on one connection"
    );
}

#[test]
fn a_connection_the_server_closed_is_a_reset_then_replaced() {
    // The server closes after each response without saying so.
    let (port, server) = serve(3, 1, OK);
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let req = get(Scheme::Http, &format!("127.0.0.1:{port}"), "/");
    assert_eq!(exchange(&mut t, &req), Ok((200, b"ok".to_vec())));
    std::thread::sleep(Duration::from_millis(100));
    // Reused at once (no probe): the dead connection is a retryable reset ...
    assert_eq!(exchange(&mut t, &req), Err(ErrorKind::ConnectionReset));
    // ... and the next attempt connects anew.
    assert_eq!(exchange(&mut t, &req), Ok((200, b"ok".to_vec())));
    // Idle past PROBE_AFTER: the probe sees the close and a new connection is used.
    std::thread::sleep(PROBE_AFTER + Duration::from_millis(200));
    assert_eq!(exchange(&mut t, &req), Ok((200, b"ok".to_vec())));
    assert_eq!(server.join().unwrap().len(), 3);
}

#[test]
fn chunked_and_until_close_bodies_are_read_whole() {
    let chunked = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\ntrailer: t\r\n\r\n";
    let (port, server) = serve(1, 2, chunked);
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let req = get(Scheme::Http, &format!("127.0.0.1:{port}"), "/");
    assert_eq!(exchange(&mut t, &req), Ok((200, b"abcde".to_vec())));
    // Read to its end: the connection is kept.
    assert_eq!(exchange(&mut t, &req), Ok((200, b"abcde".to_vec())));
    assert_eq!(server.join().unwrap().len(), 2);

    let (port, server) = serve(1, 1, "HTTP/1.1 200 OK\r\n\r\nuntil close");
    let req = get(Scheme::Http, &format!("127.0.0.1:{port}"), "/");
    assert_eq!(exchange(&mut t, &req), Ok((200, b"until close".to_vec())));
    server.join().unwrap();
    assert!(t.idle.iter().all(|c| c.host != format!("127.0.0.1:{port}")));
}

#[test]
fn a_head_response_has_no_body() {
    let (port, server) = serve(1, 2, "HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n");
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let req = HttpRequest::new(
        Method::Head,
        Scheme::Http,
        &format!("127.0.0.1:{port}"),
        "/",
    )
    .unwrap();
    assert_eq!(exchange(&mut t, &req), Ok((200, Vec::new())));
    assert_eq!(exchange(&mut t, &req), Ok((200, Vec::new())));
    assert_eq!(server.join().unwrap().len(), 2);
}

#[test]
fn a_head_with_more_headers_than_max_response_headers_is_a_capacity_error() {
    use crate::limits::MAX_RESPONSE_HEADERS;
    let head = |n: usize| {
        let lines: String = (0..n).map(|i| format!("x-h{i}: v\r\n")).collect();
        format!("HTTP/1.1 200 OK\r\n{lines}content-length: 2\r\n\r\nok")
    };
    // At the limit (the content-length line included): read.
    let at: &'static str = Box::leak(head(MAX_RESPONSE_HEADERS - 1).into_boxed_str());
    let (port, server) = serve(1, 1, at);
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let req = get(Scheme::Http, &format!("127.0.0.1:{port}"), "/");
    assert_eq!(exchange(&mut t, &req), Ok((200, b"ok".to_vec())));
    assert_eq!(t.response_headers().len(), MAX_RESPONSE_HEADERS);
    server.join().unwrap();
    // One past: a capacity error.
    let past: &'static str = Box::leak(head(MAX_RESPONSE_HEADERS).into_boxed_str());
    let (port, server) = serve(1, 1, past);
    let req = get(Scheme::Http, &format!("127.0.0.1:{port}"), "/");
    assert_eq!(exchange(&mut t, &req), Err(ErrorKind::Capacity));
    server.join().unwrap();
}
