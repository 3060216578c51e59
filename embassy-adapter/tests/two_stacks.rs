//! The TCP transport between two embassy-net stacks joined in memory (embassy-net-driver-channel):
//! a tiny HTTP server and a DNS responder on stack B (10.0.0.2), our client on stack A (10.0.0.1).
#![cfg(feature = "net")]

mod common;

use core::cell::RefCell;
use core::sync::atomic::AtomicUsize;
use std::string::String;
use std::vec::Vec;

use aws_session_core::handlers::{run_async, Handlers, Pipeline, Request};
use aws_session_core::http::{Body, HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::platform::{AsyncTransport, Error as _, ErrorKind};
use aws_session_core::session::{Options, Session};
use aws_session_core::test_util::{FakeClock, FakeEntropy};
use aws_session_core::test_util::{MemEnv, MemFiles};
use aws_session_embassy::clock::WallClock;
use aws_session_embassy::http::{HttpConfig, HttpError};
use aws_session_embassy::net::{TcpBuffers, TcpTransport};
use aws_session_embassy::EmbassyPlatform;
use common::{leak, TestRng};
use embassy_net::tcp::TcpSocket;
use embassy_net::Stack;
use embassy_time::{Duration, Timer};

/// What the server saw: one entry per accepted connection, each the requests on it.
type Log = RefCell<Vec<Vec<String>>>;

/// Answers requests on port 8080 with `responses` in turn (the last one repeats); closes the
/// connection after a response that says `Connection: close`.
async fn http_server(stack: Stack<'static>, responses: &[&str], log: &Log) -> ! {
    let (mut rx, mut tx) = ([0u8; 4096], [0u8; 4096]);
    let mut next = 0usize;
    loop {
        let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
        socket.accept(8080).await.unwrap();
        log.borrow_mut().push(Vec::new());
        let mut buf = Vec::new();
        'conn: loop {
            // read one request: head, then Content-Length bytes of body
            let (head_end, length) = loop {
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.strip_prefix("content-length: ")
                                .map(|v| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    break (end + 4, length);
                }
                let mut chunk = [0u8; 512];
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => break 'conn,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            };
            while buf.len() < head_end + length {
                let mut chunk = [0u8; 512];
                let n = socket.read(&mut chunk).await.unwrap();
                assert!(n > 0);
                buf.extend_from_slice(&chunk[..n]);
            }
            let request: Vec<u8> = buf.drain(..head_end + length).collect();
            log.borrow_mut()
                .last_mut()
                .unwrap()
                .push(String::from_utf8(request).unwrap());
            let response = responses[next.min(responses.len() - 1)];
            next += 1;
            use embedded_io_async::Write;
            socket.write_all(response.as_bytes()).await.unwrap();
            socket.flush().await.unwrap();
            if response.contains("Connection: close") {
                break;
            }
        }
        socket.close();
        let _ = socket.flush().await;
        socket.abort();
        let _ = socket.flush().await;
    }
}

/// Runs `test` against the HTTP and DNS servers answering with `responses`; returns the test's
/// output and the server's log.
fn with_net<T>(
    responses: &'static [&'static str],
    test: impl AsyncFnOnce(Stack<'static>) -> T,
) -> (T, Vec<Vec<String>>) {
    let log: &'static Log = leak(RefCell::new(Vec::new()));
    let out = common::run(
        async |server| {
            embassy_futures::join::join(
                http_server(server, responses, log),
                common::dns_server(server, &AtomicUsize::new(0)),
            )
            .await;
        },
        test,
    );
    let log = log.borrow().clone();
    (out, log)
}

fn get(host: &str, target: &str) -> HttpRequest<'static> {
    HttpRequest::new(Method::Get, Scheme::Http, host, target).unwrap()
}

async fn send(t: &mut TcpTransport<'_>, req: &HttpRequest<'_>) -> Result<(u16, String), HttpError> {
    t.begin(req).await?;
    if let Some(b) = req.body().bytes().filter(|b| !b.is_empty()) {
        t.write_body(b).await?;
    }
    let mut head = ResponseHead::new();
    t.finish(&mut head).await?;
    let mut body = Vec::new();
    let mut piece = [0u8; 64];
    loop {
        let n = AsyncTransport::read_body(t, &mut piece).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&piece[..n]);
    }
    Ok((head.status(), String::from_utf8(body).unwrap()))
}

const OK: &str = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
const OK_CLOSE: &str = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye";
const CHUNKED: &str =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";

#[test]
fn get_and_put_share_one_keep_alive_connection() {
    let (results, log) = with_net(&[OK, CHUNKED], async |net| {
        let buffers = leak(TcpBuffers::<4096, 2048, 1024>::new());
        let mut t = TcpTransport::new(net, buffers, HttpConfig::default());
        let first = send(&mut t, &get("10.0.0.2:8080", "/a")).await.unwrap();
        let mut put =
            HttpRequest::new(Method::Put, Scheme::Http, "10.0.0.2:8080", "/bucket/key").unwrap();
        put.set_body(Body::Bytes(b"object body"));
        let second = send(&mut t, &put).await.unwrap();
        (first, second)
    });
    assert_eq!(results.0, (200, "hello".into()));
    assert_eq!(results.1, (200, "abcde".into()));
    assert_eq!(log.len(), 1, "one connection: {log:?}");
    assert_eq!(log[0][0], "GET /a HTTP/1.1\r\nhost: 10.0.0.2:8080\r\n\r\n");
    assert_eq!(
        log[0][1],
        "PUT /bucket/key HTTP/1.1\r\nhost: 10.0.0.2:8080\r\ncontent-length: 11\r\n\r\nobject body"
    );
}

#[test]
fn connection_close_makes_the_client_reconnect() {
    let (results, log) = with_net(&[OK_CLOSE, OK, OK], async |net| {
        let buffers = leak(TcpBuffers::<2048, 2048, 1024>::new());
        let mut t = TcpTransport::new(net, buffers, HttpConfig::default());
        let mut out = Vec::new();
        for _ in 0..3 {
            out.push(send(&mut t, &get("10.0.0.2:8080", "/")).await.unwrap());
        }
        out
    });
    assert_eq!(
        results,
        [
            (200, "bye".into()),
            (200, "hello".into()),
            (200, "hello".into())
        ]
    );
    assert_eq!(
        log.iter().map(Vec::len).collect::<Vec<_>>(),
        [1, 2],
        "{log:?}"
    );
}

#[test]
fn names_resolve_through_the_stacks_dns_server() {
    let (result, log) = with_net(&[OK], async |net| {
        let buffers = leak(TcpBuffers::<2048, 2048, 1024>::new());
        let mut t = TcpTransport::new(net, buffers, HttpConfig::default());
        send(&mut t, &get("s3.test.internal:8080", "/")).await
    });
    assert_eq!(result, Ok((200, "hello".into())));
    assert!(log[0][0].contains("host: s3.test.internal:8080\r\n"));
}

#[test]
fn refused_connections_and_https_are_typed_errors() {
    let (errors, _) = with_net(&[OK], async |net| {
        let buffers = leak(TcpBuffers::<2048, 2048, 1024>::new());
        let mut t = TcpTransport::new(
            net,
            buffers,
            HttpConfig {
                io_timeout: Duration::from_secs(3),
                ..HttpConfig::default()
            },
        );
        let refused = send(&mut t, &get("10.0.0.2:9", "/")).await.unwrap_err();
        let https = HttpRequest::new(Method::Get, Scheme::Https, "10.0.0.2", "/").unwrap();
        let scheme = send(&mut t, &https).await.unwrap_err();
        // and the transport still works afterwards
        let ok = send(&mut t, &get("10.0.0.2:8080", "/")).await.unwrap();
        (refused, scheme, ok)
    });
    assert_eq!(
        (errors.0, errors.0.kind()),
        (HttpError::Connect, ErrorKind::ConnectionRefused)
    );
    assert_eq!(
        (errors.1, errors.1.kind()),
        (HttpError::Scheme, ErrorKind::Unsupported)
    );
    assert_eq!(errors.2, (200, "hello".into()));
}

#[test]
fn core_pipeline_runs_over_the_tcp_transport() {
    let (result, log) = with_net(&[OK], async |net| {
        let buffers = leak(TcpBuffers::<2048, 2048, 1024>::new());
        let mut t = TcpTransport::new(net, buffers, HttpConfig::default());
        let handlers = Handlers::with_core_defaults().unwrap();
        let body = leak([0u8; 64]);
        let mut request = Request::with_http("GetThing", get("10.0.0.2:8080", "/thing"));
        request.set_response_buffer(body);
        let clock = FakeClock::at(1_440_938_160);
        let mut entropy = FakeEntropy::new(7);
        let result = run_async(
            Pipeline::new(&handlers, &mut request),
            &mut t,
            &clock,
            |ms| Timer::after_millis(ms.into()),
            &mut entropy,
        )
        .await;
        (
            result.is_ok(),
            request.response.status(),
            String::from_utf8(request.response_body().to_vec()).unwrap(),
        )
    });
    assert_eq!(result, (true, 200, "hello".into()));
    assert!(log[0][0].starts_with("GET /thing HTTP/1.1\r\n"));
}

#[test]
fn a_server_that_never_answers_times_out() {
    // The server reads the request but the response is empty: it never writes. Use a port that
    // accepts (8080) with a response that is only a partial head.
    let (err, _) = with_net(&["HTTP/1.1 200 OK\r\n"], async |net| {
        let buffers = leak(TcpBuffers::<2048, 2048, 1024>::new());
        let mut t = TcpTransport::new(
            net,
            buffers,
            HttpConfig {
                io_timeout: Duration::from_millis(300),
                ..HttpConfig::default()
            },
        );
        send(&mut t, &get("10.0.0.2:8080", "/")).await.unwrap_err()
    });
    assert_eq!(
        (err, err.kind()),
        (HttpError::TimedOut, ErrorKind::TimedOut)
    );
}

const DATED: &str =
    "HTTP/1.1 200 OK\r\nDate: Sun, 30 Aug 2015 12:36:00 GMT\r\nContent-Length: 5\r\n\r\nhello";

/// A session with keys whose endpoint is the test server.
fn server_session() -> &'static Session {
    let env = leak(MemEnv::new(&[
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ),
        ("AWS_ENDPOINT_URL", "http://10.0.0.2:8080"),
    ]));
    let files = leak(MemFiles::new(&[]));
    leak(Session::new(&Options::default(), &*env, &*files).unwrap())
}

/// Sends STS `GetCallerIdentity` through `client.send_async` on a platform over the TCP
/// transport with `clock`; returns the outcome and the status.
async fn send_sts(net: Stack<'static>, clock: &'static WallClock) -> (Result<(), String>, u16) {
    let client = server_session().client("sts").unwrap();
    let buffers = leak(TcpBuffers::<2048, 2048, 1024>::new());
    let transport = TcpTransport::new(net, buffers, HttpConfig::default());
    let mut platform = EmbassyPlatform::new(transport, clock, TestRng(5));
    platform.set_clock(client.endpoint().unwrap()).await;
    let mut request = client
        .form_request(
            "GetCallerIdentity",
            "Action=GetCallerIdentity&Version=2011-06-15",
        )
        .unwrap();
    request.set_response_buffer(leak([0u8; 64]));
    let result = client.send_async(&mut request, &mut platform).await;
    (result.map_err(|e| e.to_string()), request.response.status())
}

#[test]
fn the_platform_sets_an_unset_clock_from_the_first_response() {
    let clock: &'static WallClock = leak(WallClock::new());
    let (result, log) = with_net(&[DATED], async |net| send_sts(net, clock).await);
    assert_eq!(result, (Ok(()), 200));
    assert!(clock.is_set());
    let requests = &log[0];
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(
        requests[0].starts_with("GET / HTTP/1.1\r\n"),
        "{}",
        requests[0]
    );
    assert!(
        !requests[0].to_lowercase().contains("authorization"),
        "the clock request is unsigned"
    );
    assert!(
        requests[1].starts_with("POST / HTTP/1.1\r\n"),
        "{}",
        requests[1]
    );
    assert!(
        requests[1].contains("X-Amz-Date: 20150830T1236"),
        "{}",
        requests[1]
    );
    assert!(requests[1].contains("Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request"));
}

#[test]
fn a_set_clock_sends_the_request_alone() {
    let clock: &'static WallClock = leak(WallClock::new());
    clock.set(aws_session_core::time::UnixTime::from_secs(1_440_938_160));
    let (result, log) = with_net(&[DATED], async |net| send_sts(net, clock).await);
    assert_eq!(result, (Ok(()), 200));
    assert_eq!(log[0].len(), 1);
    assert!(log[0][0].starts_with("POST / HTTP/1.1\r\n"));
}

#[test]
fn without_a_date_the_request_fails_with_clock_unset() {
    let clock: &'static WallClock = leak(WallClock::new());
    let (result, log) = with_net(&[OK], async |net| send_sts(net, clock).await);
    assert!(
        result.0.unwrap_err().contains("clock"),
        "the signed request is never sent unsigned"
    );
    assert_eq!(log[0].len(), 1, "only the clock request reached the server");
}
