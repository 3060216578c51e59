//! `link::Link::send` reconnects inside the handlers' retries, between two embassy-net stacks
//! joined in memory: a rustls server on stack B that closes or cuts connections as a test says,
//! our device on stack A sending S3 `GetObject` requests through a session's client.
#![cfg(feature = "tls")]

mod common;

use core::sync::atomic::{AtomicUsize, Ordering};
use std::string::String;
use std::sync::{Arc, Mutex};
use std::vec::Vec;

use aws_session_core::handlers::RequestError;
use aws_session_core::ops::s3;
use aws_session_core::session::Session;
use aws_session_core::time::UnixTime;
use aws_session_embassy::clock::WallClock;
use aws_session_embassy::http::HttpConfig;
use aws_session_embassy::link::Link;
use aws_session_embassy::platform::TimerSleep;
use aws_session_embassy::tls::{self, ClockPolicy, Target, TlsBuffers, TrustAnchors};
use common::{leak, test_ca, Reply, TestRng, SERVER};
use embassy_net::IpAddress;
use rcgen::{CertificateParams, KeyPair};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
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
    connections: usize,
    requests: usize,
}

/// Sends `calls` GetObject requests, each through `Link::send`, to a server answering as
/// `script` says.
fn run(script: Script, calls: usize) -> Seen {
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
    let (outcomes, connects) =
        common::run(
            async move |server| {
                common::rustls_server_with(
                    server,
                    common::server_config(chain, key_der),
                    |_| {},
                    |n, head| {
                        c2.fetch_max(n + 1, Ordering::SeqCst);
                        r2.lock().unwrap().push(String::from(head));
                        script(n)
                    },
                )
                .await
            },
            async move |net| {
                let session: &'static Session = leak(
                    aws_session_core::test_util::session_with_config(
                        &[
                            ("AWS_REGION", "eu-west-1"),
                            ("AWS_ENDPOINT_URL", "https://s3.test:8443"),
                            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                            ("AWS_SECRET_ACCESS_KEY", "secret"),
                        ],
                        "[default]\n",
                    )
                    .unwrap(),
                );
                let client = session.client(s3::SERVICE).unwrap();
                let clock: &'static WallClock = leak(WallClock::new());
                clock.set(UnixTime::from_secs(1_893_456_000));
                let target = Target {
                    host: "s3.test:8443",
                    address: Some(IpAddress::Ipv4(SERVER)),
                };
                let trust = TrustAnchors::new(anchors)
                    .with_clock_policy(ClockPolicy::BuildTimeLowerBound(tls::BUILD_TIME));
                let mut link = Link::new(net, target, trust, TestRng(21), HttpConfig::default());
                let buffers = leak(TlsBuffers::<4096, 2048, 16640, 2048, 1024>::new());
                let mut outcomes = Vec::new();
                for _ in 0..calls {
                    let mut r = s3::get_object(&client, "bucket", "key", None).unwrap();
                    let mut body = [0u8; 64];
                    r.set_response_buffer(&mut body);
                    let sent = Box::pin(link.send(
                        buffers,
                        &client,
                        &mut r,
                        clock,
                        &TimerSleep,
                        &mut TestRng(5),
                    ))
                    .await;
                    let status = r.response.status();
                    outcomes.push(sent.map(|()| {
                        format!("{status} {}", String::from_utf8_lossy(r.response_body()))
                    }));
                }
                (outcomes, link.connects())
            },
        );
    let requests = requests.lock().unwrap().len();
    Seen {
        outcomes,
        connects,
        connections: connections.load(Ordering::SeqCst),
        requests,
    }
}

fn ok(n: usize) -> Vec<Result<String, RequestError>> {
    (0..n).map(|_| Ok(String::from("200 hello"))).collect()
}

/// A server that closes after every response serves three calls in a row: each call connects.
#[test]
fn a_server_that_closes_after_every_response_serves_three_calls() {
    let seen = run(|_| Reply::ThenDrop(OK_THEN_CLOSE), 3);
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
        1,
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
        1,
    );
    assert_eq!(seen.outcomes, ok(1));
    assert_eq!((seen.connects, seen.connections, seen.requests), (2, 2, 2));
}

/// A server that cuts every connection: the handlers' attempts are spent, each on its own
/// connection, and the request ends with the transport failure.
#[test]
fn when_every_connection_is_cut_the_attempts_run_out() {
    let seen = run(|_| Reply::ThenDrop(CUT), 1);
    assert!(
        matches!(seen.outcomes[..], [Err(RequestError::Transport { .. })]),
        "{:?}",
        seen.outcomes
    );
    // Go v1's default retryer: 1 attempt + 3 retries.
    assert_eq!((seen.connects, seen.requests), (4, 4));
}
