//! `link::Link::send` keeps its connection between calls and reconnects inside the handlers'
//! retries, between two embassy-net stacks joined in memory: a rustls server on stack B that
//! keeps, closes or cuts connections as a test says, our device on stack A sending S3 `GetObject`
//! requests through a session's client.
#![cfg(feature = "tls")]

mod common;

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::string::String;
use std::sync::{Arc, Mutex};
use std::vec::Vec;

use aws_session_core::credentials::ProviderKind;
use aws_session_core::handlers::RequestError;
use aws_session_core::ops::s3;
use aws_session_core::platform::ErrorKind;
use aws_session_core::session::Session;
use aws_session_core::time::UnixTime;
use aws_session_embassy::clock::WallClock;
use aws_session_embassy::credentials::DeviceCredentials;
use aws_session_embassy::http::HttpConfig;
use aws_session_embassy::link::Link;
use aws_session_embassy::platform::TimerSleep;
use aws_session_embassy::tls::{self, ClockPolicy, Target, TlsBuffers, TrustAnchors};
use common::{leak, test_ca, Reply, TestRng, SERVER};
use embassy_net::IpAddress;
use embassy_time::{Duration, Timer};
use rcgen::{CertificateParams, KeyPair};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
/// [`OK`] with the server's time.
const OK_DATED: &[u8] =
    b"HTTP/1.1 200 OK\r\nDate: Tue, 08 Dec 2026 02:30:00 GMT\r\nContent-Length: 5\r\n\r\nhello";
/// A `500` with the server's time from an HTTP/1.0 server, which then closes the connection (what
/// moto answers an unsigned `GET /` with).
const OK_DATED_THEN_CLOSE: &[u8] =
    b"HTTP/1.0 500 Internal Server Error\r\nDate: Tue, 08 Dec 2026 02:30:00 GMT\r\nContent-Length: 5\r\n\r\nerror";
const OK_THEN_CLOSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
const BUSY_THEN_CLOSE: &[u8] =
    b"HTTP/1.1 503 Slow Down\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
/// A response cut after its head and 3 of its 5 body bytes.
const CUT: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel";

/// How the server answers the `n`th connection's first request.
type Script = fn(usize) -> Reply;

/// What a run saw: each request's outcome with its body, the handshakes our link made, and the
/// connections and requests the server saw.
struct Seen {
    outcomes: Vec<Result<String, RequestError>>,
    connects: u32,
    /// Whether the link still held a usable connection after the last call.
    kept: bool,
    connections: usize,
    requests: usize,
    /// The request line of each request the server saw.
    request_lines: Vec<String>,
    /// DNS queries the server stack answered.
    dns_queries: usize,
}

/// How the device makes its calls.
#[derive(Clone, Copy)]
struct Calls {
    /// How many.
    count: usize,
    /// The link's idle limit, in milliseconds.
    idle_limit_ms: u64,
    /// The pause between two calls, in milliseconds.
    pause_ms: u64,
    /// Whether the device starts with its clock set; if not, the link has to learn the time.
    clock_set: bool,
    /// The call (counted from 0) during which the wire drops every packet; the link's I/O
    /// timeout is then 300 ms.
    cut_during: Option<usize>,
    /// Whether the link resolves `s3.test` through the server stack's DNS server (otherwise it
    /// is given the address).
    resolve: bool,
    /// Whether the session's credentials come from the AWS IoT credentials provider at
    /// `iot.test:8443` (with an empty cache) instead of static keys.
    iot_profile: bool,
}

/// `count` calls one after another, with the default idle limit.
const fn calls(count: usize) -> Calls {
    Calls {
        count,
        idle_limit_ms: 50_000,
        pause_ms: 0,
        clock_set: true,
        cut_during: None,
        resolve: false,
        iot_profile: false,
    }
}

/// Sends `calls` GetObject requests, each through `Link::send`, to a server answering as
/// `script` says.
fn run(script: Script, calls: Calls) -> Seen {
    let ca = test_ca("link test CA");
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![String::from("s3.test")])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let ca_der: &'static [u8] = leak(ca.der().to_vec());
    let anchors: &'static [&'static [u8]] = leak(vec![ca_der]).as_slice();
    let (chain, key_der) = (vec![leaf.der().to_vec()], key.serialize_der());
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let (c2, r2) = (connections.clone(), requests.clone());
    let cut: &'static AtomicBool = leak(AtomicBool::new(false));
    let dns_queries: &'static AtomicUsize = leak(AtomicUsize::new(0));
    let (outcomes, connects, kept) = common::run_over(
        Duration::from_secs(20),
        cut,
        async move |server| {
            let https = common::rustls_server_with(
                server,
                common::server_config(chain, key_der),
                |_| {},
                |n, head| {
                    c2.fetch_max(n + 1, Ordering::SeqCst);
                    r2.lock().unwrap().push(String::from(head));
                    script(n)
                },
            );
            embassy_futures::join::join(https, common::dns_server(server, dns_queries)).await;
        },
        async move |net| {
            let session: &'static Session = leak(if calls.iot_profile {
                let mut session = aws_session_core::test_util::session_with_config(
                            &[
                                ("AWS_REGION", "eu-west-1"),
                                ("AWS_ENDPOINT_URL", "https://s3.test:8443"),
                                ("AWS_SDK_LOAD_CONFIG", "1"),
                            ],
                            "[default]\niot_credentials_endpoint = iot.test:8443\niot_role_alias = device-role\n",
                        )
                        .unwrap();
                session.share_credentials(leak(DeviceCredentials::new()));
                session
            } else {
                aws_session_core::test_util::session_with_config(
                    &[
                        ("AWS_REGION", "eu-west-1"),
                        ("AWS_ENDPOINT_URL", "https://s3.test:8443"),
                        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                        ("AWS_SECRET_ACCESS_KEY", "secret"),
                    ],
                    "[default]\n",
                )
                .unwrap()
            });
            let client = session.client(s3::SERVICE).unwrap();
            let clock: &'static WallClock = leak(WallClock::new());
            if calls.clock_set {
                clock.set(UnixTime::from_secs(1_893_456_000));
            }
            let target = Target {
                host: "s3.test:8443",
                address: (!calls.resolve).then_some(IpAddress::Ipv4(SERVER)),
            };
            let trust = TrustAnchors::new(anchors)
                .with_clock_policy(ClockPolicy::BuildTimeLowerBound(tls::BUILD_TIME));
            let buffers = leak(TlsBuffers::<4096, 2048, 16640, 2048, 1024>::new());
            let mut config = HttpConfig {
                idle_limit: Duration::from_millis(calls.idle_limit_ms),
                ..HttpConfig::default()
            };
            if calls.cut_during.is_some() {
                config.io_timeout = Duration::from_millis(300);
            }
            let mut link =
                Link::new(net, buffers, target, trust, TestRng(21), config).with_clock(clock);
            let mut outcomes = Vec::new();
            for i in 0..calls.count {
                if i > 0 && calls.pause_ms > 0 {
                    Timer::after_millis(calls.pause_ms).await;
                }
                cut.store(calls.cut_during == Some(i), Ordering::SeqCst);
                let mut r = s3::get_object(&client, "bucket", "key", None).unwrap();
                let mut body = [0u8; 64];
                r.set_response_buffer(&mut body);
                let sent = Box::pin(link.send(&client, &mut r, clock, &TimerSleep)).await;
                let status = r.response.status();
                outcomes.push(
                    sent.map(|()| {
                        format!("{status} {}", String::from_utf8_lossy(r.response_body()))
                    }),
                );
            }
            let kept = link.is_connected();
            link.close().await;
            assert!(!link.is_connected());
            (outcomes, link.connects(), kept)
        },
    );
    let request_lines: Vec<String> = requests
        .lock()
        .unwrap()
        .iter()
        .map(|head: &String| String::from(head.lines().next().unwrap_or("")))
        .collect();
    let requests = request_lines.len();
    Seen {
        outcomes,
        connects,
        kept,
        connections: connections.load(Ordering::SeqCst),
        requests,
        request_lines,
        dns_queries: dns_queries.load(Ordering::SeqCst),
    }
}

fn ok(n: usize) -> Vec<Result<String, RequestError>> {
    (0..n).map(|_| Ok(String::from("200 hello"))).collect()
}

/// A server that keeps its connections open: three calls in a row go out on one connection
/// (one handshake).
#[test]
fn three_calls_share_one_kept_alive_connection() {
    let seen = run(|_| Reply::KeepAlive(OK), calls(3));
    assert_eq!(seen.outcomes, ok(3));
    assert_eq!((seen.connects, seen.connections, seen.requests), (1, 1, 3));
    assert!(seen.kept);
}

/// A device whose clock is not set: the link's new connection first asks the server for its
/// `Date` (an unsigned `GET /`), and the signed request follows on the same connection.
#[test]
fn a_link_with_an_unset_clock_asks_the_server_for_the_time_first() {
    let seen = run(
        |_| Reply::KeepAlive(OK_DATED),
        Calls {
            clock_set: false,
            ..calls(2)
        },
    );
    assert_eq!(seen.outcomes, ok(2));
    assert_eq!((seen.connects, seen.connections), (1, 1));
    assert_eq!(
        seen.request_lines,
        [
            "GET / HTTP/1.1",
            "GET /bucket/key HTTP/1.1",
            "GET /bucket/key HTTP/1.1"
        ]
    );
}

/// The answer to the clock's request closes the connection (as an HTTP/1.0 server's does): the
/// link connects again before the request's first attempt, which no failure costs.
#[test]
fn a_clock_answer_that_closes_the_connection_costs_one_more_connect() {
    let seen = run(
        |n| match n {
            0 => Reply::ThenDrop(OK_DATED_THEN_CLOSE),
            _ => Reply::KeepAlive(OK),
        },
        Calls {
            clock_set: false,
            ..calls(1)
        },
    );
    assert_eq!(seen.outcomes, ok(1));
    assert_eq!((seen.connects, seen.connections), (2, 2));
    assert_eq!(
        seen.request_lines,
        ["GET / HTTP/1.1", "GET /bucket/key HTTP/1.1"]
    );
}

/// A server that closes after every response serves three calls in a row: each call connects.
#[test]
fn a_server_that_closes_after_every_response_serves_three_calls() {
    let seen = run(|_| Reply::ThenDrop(OK_THEN_CLOSE), calls(3));
    assert_eq!(seen.outcomes, ok(3));
    assert_eq!((seen.connects, seen.connections, seen.requests), (3, 3, 3));
    // Each connection was closed when its response said so, not kept for the next call.
    assert!(!seen.kept);
}

/// Without an address, every connection the link opens resolves the name again (a reconnect
/// follows the service's DNS, which AWS changes as it moves load).
#[test]
fn each_new_connection_resolves_the_name_again() {
    let seen = run(
        |_| Reply::ThenDrop(OK_THEN_CLOSE),
        Calls {
            resolve: true,
            ..calls(3)
        },
    );
    assert_eq!(seen.outcomes, ok(3));
    assert_eq!((seen.connects, seen.connections), (3, 3));
    assert_eq!(seen.dns_queries, 3);
}

/// An IoT-credentials session whose cache needs filling: the request's credential gate cannot
/// call the provider over the service's link (a connection carries requests to its own host
/// only), so the request fails before anything is sent, naming the provider.
#[test]
fn the_credential_gate_does_not_send_a_provider_call_to_another_host() {
    let seen = run(
        |_| Reply::KeepAlive(OK),
        Calls {
            iot_profile: true,
            ..calls(1)
        },
    );
    assert!(
        matches!(
            seen.outcomes[..],
            [Err(RequestError::Credentials {
                provider: ProviderKind::IotCredentials,
                ..
            })]
        ),
        "{:?}",
        seen.outcomes
    );
    assert_eq!(seen.requests, 0, "{:?}", seen.request_lines);
}

/// The server drops a kept connection without saying so (as a load balancer does when its idle
/// timeout is shorter than the link's): the next call's first attempt fails on it, and the
/// handlers' retry goes out on a new connection, which the third call keeps using.
#[test]
fn a_kept_connection_the_server_dropped_costs_the_next_call_one_retry() {
    let seen = run(
        |n| match n {
            0 => Reply::ThenDrop(OK),
            _ => Reply::KeepAlive(OK),
        },
        calls(3),
    );
    assert_eq!(seen.outcomes, ok(3));
    // The second call's request on the dropped connection never reaches the server.
    assert_eq!((seen.connects, seen.connections, seen.requests), (2, 2, 3));
}

/// A kept connection idle past the link's limit is not used again: the next call connects before
/// its first attempt (no attempt is lost to a connection a NAT may have dropped).
#[test]
fn a_connection_idle_past_the_limit_is_replaced_before_the_next_call() {
    let seen = run(
        |_| Reply::KeepAlive(OK),
        Calls {
            idle_limit_ms: 150,
            pause_ms: 400,
            ..calls(3)
        },
    );
    assert_eq!(seen.outcomes, ok(3));
    assert_eq!((seen.connects, seen.connections, seen.requests), (3, 3, 3));
}

/// A `503` with `Connection: close` is retried by the handlers on a new connection.
#[test]
fn a_retry_after_the_server_closed_goes_out_on_a_new_connection() {
    let seen = run(
        |n| match n {
            0 => Reply::ThenDrop(BUSY_THEN_CLOSE),
            _ => Reply::KeepAlive(OK),
        },
        calls(1),
    );
    assert_eq!(seen.outcomes, ok(1));
    assert_eq!((seen.connects, seen.connections, seen.requests), (2, 2, 2));
}

/// A connection killed in the middle of a response: the attempt fails, the handlers retry it, the
/// link connects again and the retry succeeds.
#[test]
fn a_connection_killed_mid_response_is_retried_on_a_new_one() {
    let seen = run(
        |n| match n {
            0 => Reply::ThenDrop(CUT),
            _ => Reply::KeepAlive(OK),
        },
        calls(1),
    );
    assert_eq!(seen.outcomes, ok(1));
    assert_eq!((seen.connects, seen.connections, seen.requests), (2, 2, 2));
}

/// The link goes silent (a lost radio link: every packet dropped) while a connection is kept:
/// the call in the middle fails with a timeout once its attempts are spent, within the I/O
/// timeouts instead of hanging, and the next call, with the link back, connects again.
#[test]
fn a_call_during_a_link_loss_times_out_and_the_next_one_reconnects() {
    let seen = run(
        |_| Reply::KeepAlive(OK),
        Calls {
            cut_during: Some(1),
            ..calls(3)
        },
    );
    assert_eq!(seen.outcomes[0], Ok(String::from("200 hello")));
    assert!(
        matches!(
            seen.outcomes[1],
            Err(RequestError::Transport {
                kind: ErrorKind::TimedOut,
                ..
            })
        ),
        "{:?}",
        seen.outcomes[1]
    );
    assert_eq!(seen.outcomes[2], Ok(String::from("200 hello")));
    // The first attempt of the second call timed out on the kept connection; its three retries
    // each tried a new one, and timed out connecting; the third call connected once more.
    assert_eq!(seen.connects, 1 + 3 + 1);
    assert_eq!((seen.connections, seen.requests), (2, 2));
    assert!(seen.kept);
}

/// A server that cuts every connection: the handlers' attempts are spent, each on its own
/// connection, and the request ends with the transport failure.
#[test]
fn when_every_connection_is_cut_the_attempts_run_out() {
    let seen = run(|_| Reply::ThenDrop(CUT), calls(1));
    assert!(
        matches!(seen.outcomes[..], [Err(RequestError::Transport { .. })]),
        "{:?}",
        seen.outcomes
    );
    // Go v1's default retryer: 1 attempt + 3 retries.
    assert_eq!((seen.connects, seen.requests), (4, 4));
}
