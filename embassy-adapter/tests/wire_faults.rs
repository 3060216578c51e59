//! Faults on the wire for the embassy HTTP client: core's pipeline (with its retryer) over
//! `TcpTransport` on stack A, and on stack B a scripted HTTP server that does to each connection's
//! response what the shared fault catalog says (`tests/src/faults.rs` of the end-to-end crate,
//! included by path so that the std proxy and this server apply the same faults): resets before
//! and inside the response, a cut at every byte of head and body, stalls past the I/O timeout,
//! garbage, duplicate, conflicting and oversized headers, bad chunk sizes.
//!
//! Every request must end in a success with the whole body or a typed error within the time the
//! configuration allows; a cut body is never a success. Run with `--nocapture` for the outcome
//! table (kept in `docs/testing.md`).
#![cfg(feature = "net")]

mod common;

#[allow(dead_code)] // the std proxy uses the rest
#[path = "../../tests/src/faults.rs"]
mod faults;

use core::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::string::String;
use std::vec::Vec;

use aws_session_core::handlers::{run_async, Handlers, Pipeline, Request, RequestError};
use aws_session_core::http::{HttpRequest, Method, Scheme};
use aws_session_core::platform::ErrorKind;
use aws_session_core::test_util::{FakeClock, FakeEntropy};
use aws_session_embassy::http::HttpConfig;
use aws_session_embassy::net::{TcpBuffers, TcpTransport};
use common::leak;
use embassy_net::tcp::TcpSocket;
use embassy_net::Stack;
use embassy_time::{with_timeout, Duration, Instant, Timer};
use embedded_io_async::Write;
use faults::{catalog, head_len, insert_headers, Fault};

/// The object the server holds, and its whole response (one request per connection).
const BODY: &[u8] = b"a small object, cut at every byte\n";
const RESPONSE: &str =
    "HTTP/1.1 200 OK\r\nContent-Length: 34\r\nx-amz-request-id: 4442587FB7D0A2F9\r\n\
                        Connection: close\r\n\r\na small object, cut at every byte\n";
/// The client's I/O timeout, and how long a stalled server stays silent (past it).
const IO_TIMEOUT_MS: u64 = 300;
const STALL: core::time::Duration = core::time::Duration::from_millis(2_000);

/// The faults for the next connections, in accept order (`None`: answer cleanly).
type Script = RefCell<VecDeque<Option<Fault>>>;

/// Reads one request head (and its Content-Length body); false when the client went away.
async fn read_request(socket: &mut TcpSocket<'_>) -> bool {
    let mut seen = Vec::new();
    loop {
        let mut chunk = [0u8; 512];
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
        }
        if seen.windows(4).any(|w| w == b"\r\n\r\n") {
            // The test's requests are GETs without a body.
            return true;
        }
    }
}

/// Writes `bytes`, ignoring a client that went away.
async fn send(socket: &mut TcpSocket<'_>, bytes: &[u8]) {
    let _ = socket.write_all(bytes).await;
    let _ = socket.flush().await;
}

/// Serves connections on port 8080, doing the next scripted fault to each.
async fn server(stack: Stack<'static>, script: &'static Script) -> ! {
    let (mut rx, mut tx) = ([0u8; 4096], [0u8; 4096]);
    loop {
        let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
        if socket.accept(8080).await.is_err() {
            continue;
        }
        let fault = script.borrow_mut().pop_front().flatten();
        if read_request(&mut socket).await {
            let response = RESPONSE.as_bytes();
            match &fault {
                None => send(&mut socket, response).await,
                Some(Fault::ResetAfter(n)) => {
                    send(&mut socket, &response[..(*n).min(response.len())]).await;
                    socket.abort();
                }
                Some(Fault::TruncateAt(n)) => {
                    send(&mut socket, &response[..(*n).min(response.len())]).await
                }
                Some(Fault::StallAt(n, time)) => {
                    send(&mut socket, &response[..(*n).min(response.len())]).await;
                    // Silent until the client gives up (or the stall ends).
                    let millis = u64::try_from(time.as_millis()).unwrap_or(u64::MAX);
                    let _ = with_timeout(Duration::from_millis(millis), async {
                        let mut sink = [0u8; 64];
                        while let Ok(1..) = socket.read(&mut sink).await {}
                    })
                    .await;
                }
                Some(Fault::Replace(bytes)) => send(&mut socket, bytes).await,
                Some(Fault::InsertHeaders(lines)) => {
                    send(&mut socket, &insert_headers(response, lines)).await
                }
            }
        }
        socket.close();
        let _ = with_timeout(Duration::from_millis(200), socket.flush()).await;
        socket.abort();
        let _ = socket.flush().await;
    }
}

/// The outcome of one request: the body of a success, or the error.
type Outcome = Result<Vec<u8>, RequestError>;

/// Sends `GET /bucket/object` through core's pipeline with `retries`, over a new transport.
async fn get(net: Stack<'static>, retries: u32) -> Outcome {
    let buffers = leak(TcpBuffers::<2048, 2048, 1024>::new());
    let mut t = TcpTransport::new(
        net,
        buffers,
        HttpConfig {
            io_timeout: Duration::from_millis(IO_TIMEOUT_MS),
            ..HttpConfig::default()
        },
    );
    let handlers = Handlers::with_core_defaults().unwrap();
    let http =
        HttpRequest::new(Method::Get, Scheme::Http, "10.0.0.2:8080", "/bucket/object").unwrap();
    let mut request = Request::with_http("GetObject", http);
    request.set_max_retries(retries);
    request.set_response_buffer(leak([0u8; 64]));
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
    t.close().await;
    result.map(|()| request.response_body().to_vec())
}

/// The longest a request may take: every attempt at most three I/O timeouts (connect, head,
/// body), plus back-off and slack.
fn time_bound(retries: u32) -> Duration {
    Duration::from_millis(3 * IO_TIMEOUT_MS * u64::from(retries + 1) + 1_000)
}

fn label(outcome: &Outcome) -> String {
    match outcome {
        Ok(_) => "ok".into(),
        Err(RequestError::Transport { stage, kind }) => format!("error {stage:?}/{kind:?}"),
        Err(e) => format!("error {}", e.code()),
    }
}

/// Table rows: (fault kind, policy) → outcome → count.
type Rows = BTreeMap<(String, String), BTreeMap<String, u32>>;

fn count(rows: &mut Rows, kind: &str, policy: &str, outcome: &str) {
    *rows
        .entry((kind.into(), policy.into()))
        .or_default()
        .entry(outcome.into())
        .or_insert(0) += 1;
}

fn print_table(title: &str, rows: &Rows) {
    std::println!("\n{title}\n| fault | policy | outcomes |\n|---|---|---|");
    for ((kind, policy), outcomes) in rows {
        let cells: Vec<String> = outcomes.iter().map(|(o, n)| format!("{o}: {n}")).collect();
        std::println!("| {kind} | {policy} | {} |", cells.join(", "));
    }
}

/// Runs each of `faults` twice: on the only attempt (no retry: a typed error, or the whole body
/// for a harmless fault), and on the first of up to four attempts (the whole body after a retry)
/// and checks every outcome; returns the table.
fn run_faults(faults: Vec<Fault>) -> Rows {
    let head = head_len(RESPONSE.as_bytes());
    let script: &'static Script = leak(RefCell::new(VecDeque::new()));
    // Each case takes milliseconds, the stalls a few I/O timeouts; the guard leaves room for a
    // loaded machine.
    common::run_within(
        Duration::from_secs(120),
        async |stack| {
            embassy_futures::join::join(server(stack, script), server(stack, script)).await;
        },
        async |net| {
            let mut rows = Rows::new();
            for fault in faults {
                let kind = fault.kind(head);

                script.borrow_mut().clear();
                script.borrow_mut().push_back(Some(fault.clone()));
                let start = Instant::now();
                let outcome = get(net, 0).await;
                let took = start.elapsed();
                assert!(took < time_bound(0), "{fault:.60?}: {took:?}");
                match (&outcome, kind) {
                    (Ok(body), "duplicate header") => assert_eq!(body, BODY),
                    (Err(RequestError::Transport { kind: k, .. }), _)
                        if kind.starts_with("stall") =>
                    {
                        assert_eq!(*k, ErrorKind::TimedOut, "{fault:.60?}")
                    }
                    (Err(_), _) if !kind.starts_with("stall") => {}
                    _ => panic!("{fault:.60?} with no retry: {outcome:?}"),
                }
                count(&mut rows, kind, "only attempt", &label(&outcome));

                script.borrow_mut().clear();
                script.borrow_mut().extend([Some(fault.clone()), None]);
                let start = Instant::now();
                let outcome = get(net, 3).await;
                let took = start.elapsed();
                assert!(took < time_bound(3), "{fault:.60?}: {took:?}");
                let retried = script.borrow().is_empty();
                match &outcome {
                    Ok(body) => assert_eq!(body, BODY, "{fault:.60?}: a wrong body as success"),
                    // A head larger than the client's buffer is a capacity error: not retried.
                    Err(RequestError::Transport {
                        kind: ErrorKind::Capacity,
                        ..
                    }) if kind == "oversized header" => {}
                    Err(e) => panic!("{fault:.60?} on the first attempt: {e}"),
                }
                let what = match (&outcome, retried) {
                    (Ok(_), true) if kind != "duplicate header" => "ok after a retry".into(),
                    (Ok(_), _) => "ok (harmless)".into(),
                    (Err(_), _) => label(&outcome),
                };
                count(&mut rows, kind, "first attempt", &what);
            }
            rows
        },
    )
}

#[test]
fn a_cut_at_every_byte_is_an_error_and_a_retry_recovers() {
    let faults = (0..RESPONSE.len()).map(Fault::TruncateAt).collect();
    let rows = run_faults(faults);
    print_table(
        &format!(
            "embassy client, response cut at every byte ({} bytes, head {})",
            RESPONSE.len(),
            head_len(RESPONSE.as_bytes())
        ),
        &rows,
    );
}

#[test]
fn every_fault_retries_to_success_or_ends_typed_in_time() {
    let response = RESPONSE.as_bytes();
    let faults = catalog(head_len(response), response.len(), STALL);
    let rows = run_faults(faults);
    print_table("embassy client, fault catalog", &rows);
}
