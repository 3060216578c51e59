//! Faults on the wire between the std transport and real servers: core's pipeline (session
//! client, signer, retryer) over `HttpsTransport` reaches s3s-fs and moto through a
//! [`FaultProxy`] that resets, cuts, stalls or garbles the response of chosen connections.
//!
//! Every request must end in a success with the whole, right body (after a retry when the fault
//! hit one connection only) or in a typed error within the configured time; an S3 `GetObject` cut
//! anywhere in its head or body is an error, never a shorter object. The outcome table is
//! printed (run with `--nocapture`) and kept in `docs/testing.md`.
#![cfg(unix)]

use core::time::Duration;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use aws_session_core::handlers::{RequestError, TransportStage};
use aws_session_core::http::Method;
use aws_session_core::platform::ErrorKind;
use aws_session_core::session::{Options, Session};
use aws_session_std::transport::HttpsConfig;
use aws_session_std::{load_with, HomeFallback, HomeResolver, Platform, StdEnv, StdPlatform};
use aws_session_tests::fault_proxy::{Fault, FaultProxy};
use aws_session_tests::faults::{catalog, head_len, Rng};
use aws_session_tests::{aws_session, ok, peer, unique, Peer};

/// How long a stalled connection stays silent: past every timeout below.
const STALL: Duration = Duration::from_secs(5);

/// The transport's timeouts in these tests.
fn config() -> HttpsConfig {
    HttpsConfig {
        connect_timeout: Some(Duration::from_secs(1)),
        response_timeout: Some(Duration::from_millis(500)),
        total_timeout: Some(Duration::from_secs(2)),
        ..HttpsConfig::default()
    }
}

/// The longest a request may take with `retries` retries: every attempt at the total timeout,
/// plus the back-off and some slack.
fn time_bound(retries: u32) -> Duration {
    Duration::from_secs(2) * (retries + 1) + Duration::from_secs(2)
}

/// A session whose endpoint is `endpoint` (the proxy), with `p`'s keys.
fn session(p: &Peer, endpoint: &str) -> Session {
    let env = StdEnv::from_vars([
        ("AWS_ACCESS_KEY_ID", p.access_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", p.secret.as_str()),
        ("AWS_REGION", p.region.as_str()),
        ("AWS_ENDPOINT_URL", endpoint),
    ]);
    let home = HomeResolver {
        platform: Platform::current(),
        fallback: HomeFallback::Nothing,
    };
    load_with(&Options::default(), env, &home)
        .expect("session")
        .session()
        .clone()
}

/// What a request did: the body of a success, or the error.
type Outcome = Result<Vec<u8>, RequestError>;

/// What the request is.
#[derive(Clone, Copy)]
enum Call<'a> {
    /// S3 `GetObject` of this key in the peer's bucket.
    GetObject(&'a str),
    /// STS `GetCallerIdentity`.
    CallerIdentity,
}

/// Sends `call` once through `session` on a new transport (so a new connection), with `retries`.
fn send(session: &Session, p: &Peer, call: Call<'_>, retries: u32) -> Outcome {
    let mut platform = StdPlatform::with_config(&config()).expect("platform");
    let mut buf = vec![0u8; 16 * 1024];
    let result = match call {
        Call::GetObject(key) => {
            let client = session.client("s3").expect("s3 client");
            let mut request = client.request("GetObject");
            request.http.set_method(Method::Get);
            request
                .http
                .set_target(&format!("/{}/{key}", p.bucket))
                .expect("target");
            request.set_max_retries(retries);
            request.set_response_buffer(&mut buf);
            let result = client.send(&mut request, &mut platform);
            result.map(|()| request.response_body().to_vec())
        }
        Call::CallerIdentity => {
            let client = session.client("sts").expect("sts client");
            let mut request = client
                .form_request(
                    "GetCallerIdentity",
                    "Action=GetCallerIdentity&Version=2011-06-15",
                )
                .expect("request");
            request.set_max_retries(retries);
            request.set_response_buffer(&mut buf);
            let result = client.send(&mut request, &mut platform);
            result.map(|()| request.response_body().to_vec())
        }
    };
    result
}

/// A short name of an outcome for the table.
fn label(outcome: &Outcome) -> String {
    match outcome {
        Ok(_) => "ok".to_owned(),
        Err(RequestError::Transport { stage, kind }) => {
            let stage = match stage {
                TransportStage::Begin => "begin",
                TransportStage::WriteBody => "write",
                TransportStage::Finish => "head",
                TransportStage::ReadBody => "body",
            };
            format!("error {stage}/{kind:?}")
        }
        Err(e) => format!("error {}", e.code()),
    }
}

/// Puts a small object into s3s-fs directly (not through the proxy); returns its key and content.
fn small_object(p: &Peer) -> (String, Vec<u8>) {
    let key = format!("{}.txt", unique("faults"));
    let content = "a small object, cut at every byte\n";
    let url = format!("{}/{}/{key}", p.endpoint, p.bucket);
    ok(&aws_session(
        p,
        &p.secret,
        &[
            "curl",
            "--fail",
            "--service",
            "s3",
            "-X",
            "PUT",
            "--data",
            content,
            &url,
        ],
    ));
    (key, content.as_bytes().to_vec())
}

/// The bytes the server answers `call` with, as they cross the wire (one clean exchange).
fn clean_response(p: &Peer, call: Call<'_>) -> Vec<u8> {
    let proxy = FaultProxy::start(&p.endpoint, |_| None);
    let s = session(p, &proxy.url());
    send(&s, p, call, 0).expect("a clean request succeeds");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(r) = proxy.records().first() {
            return r.response.clone();
        }
        assert!(
            Instant::now() < deadline,
            "the clean connection never ended"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Checks that `outcome` is a success whose body is `expect` (or, for `None`, any success).
fn assert_whole(outcome: &Outcome, expect: Option<&[u8]>, what: &str) {
    match (outcome, expect) {
        (Ok(body), Some(e)) => {
            assert_eq!(body.as_slice(), e, "{what}: wrong body reported as success")
        }
        (Ok(_), None) => {}
        (Err(e), _) => panic!("{what}: expected a success after a retry, got {e}"),
    }
}

/// Prints and returns a table of (fault kind, policy) → outcome counts.
fn print_table(title: &str, rows: &BTreeMap<(String, String), BTreeMap<String, u32>>) {
    println!("\n{title}\n| fault | policy | outcomes |\n|---|---|---|");
    for ((kind, policy), outcomes) in rows {
        let cells: Vec<String> = outcomes.iter().map(|(o, n)| format!("{o}: {n}")).collect();
        println!("| {kind} | {policy} | {} |", cells.join(", "));
    }
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn get_object_cut_at_every_byte_is_an_error_and_a_retry_recovers() {
    let p = peer("S3S");
    let (key, content) = small_object(&p);
    let call = Call::GetObject(&key);
    let clean = clean_response(&p, call);
    let head = head_len(&clean);
    assert!(clean.ends_with(&content), "calibration: {clean:?}");
    let mut rows = BTreeMap::new();

    // Every connection cut at its own byte: connection n at byte n, no retry.
    let proxy = FaultProxy::start(&p.endpoint, |n| {
        Some(Fault::TruncateAt(usize::try_from(n).unwrap_or(usize::MAX)))
    });
    let s = session(&p, &proxy.url());
    for at in 0..clean.len() {
        let start = Instant::now();
        let outcome = send(&s, &p, call, 0);
        assert!(
            start.elapsed() < time_bound(0),
            "cut at {at} took {:?}",
            start.elapsed()
        );
        assert!(
            outcome.is_err(),
            "cut at byte {at} of {} (head {head}) reported success: {:?}",
            clean.len(),
            outcome.map(|b| String::from_utf8_lossy(&b).into_owned())
        );
        *rows
            .entry((
                Fault::TruncateAt(at).kind(head).to_owned(),
                "every attempt".to_owned(),
            ))
            .or_insert_with(BTreeMap::new)
            .entry(label(&outcome))
            .or_insert(0u32) += 1;
    }
    drop(proxy);

    // The same cuts on the first attempt only: the retry gets the whole object.
    let proxy = FaultProxy::start(&p.endpoint, |n| {
        (n % 2 == 0).then(|| Fault::TruncateAt(usize::try_from(n / 2).unwrap_or(usize::MAX)))
    });
    let s = session(&p, &proxy.url());
    for at in 0..clean.len() {
        let outcome = send(&s, &p, call, 3);
        assert_whole(
            &outcome,
            Some(&content),
            &format!("cut at byte {at}, then retried"),
        );
        *rows
            .entry((
                Fault::TruncateAt(at).kind(head).to_owned(),
                "first attempt".to_owned(),
            ))
            .or_insert_with(BTreeMap::new)
            .entry("ok after a retry".to_owned())
            .or_insert(0u32) += 1;
    }
    print_table(
        &format!(
            "GetObject from s3s-fs cut at every byte ({} bytes, head {head})",
            clean.len()
        ),
        &rows,
    );
}

/// Runs the whole catalog against `call` on `p`: each fault on the first attempt only (the retry
/// must succeed with `expect`) and on every attempt (a typed error in time).
fn catalog_against(p: &Peer, call: Call<'_>, expect: Option<&[u8]>, title: &str) {
    let clean = clean_response(p, call);
    let head = head_len(&clean);
    let mut rows = BTreeMap::new();
    for fault in catalog(head, clean.len(), STALL) {
        let kind = fault.kind(head).to_owned();

        let proxy = FaultProxy::first_only(&p.endpoint, fault.clone());
        let s = session(p, &proxy.url());
        let outcome = send(&s, p, call, 3);
        let entry = match &outcome {
            // A head larger than the transport's receive buffer is a capacity error, not
            // retried (as on the embassy client).
            Err(RequestError::Transport {
                kind: ErrorKind::Capacity,
                ..
            }) if kind == "oversized header" => label(&outcome),
            _ => {
                assert_whole(
                    &outcome,
                    expect,
                    &format!("{fault:.60?} on the first attempt"),
                );
                if proxy.connections() > 1 {
                    "ok after a retry".to_owned()
                } else {
                    "ok (harmless)".to_owned()
                }
            }
        };
        *rows
            .entry((kind.clone(), "first attempt".to_owned()))
            .or_insert_with(BTreeMap::new)
            .entry(entry)
            .or_insert(0u32) += 1;
        drop(proxy);

        let proxy = FaultProxy::always(&p.endpoint, fault.clone());
        let s = session(p, &proxy.url());
        let start = Instant::now();
        let outcome = send(&s, p, call, 2);
        let took = start.elapsed();
        assert!(took < time_bound(2), "{fault:.60?}: {took:?}");
        if kind == "duplicate header" {
            // An identical repeated header is legal: the object still arrives whole.
            assert_whole(&outcome, expect, "duplicate header");
        } else if kind.starts_with("stall") {
            // A stall past a timeout is reported as the timeout, in the head or in the body.
            assert!(
                matches!(
                    outcome,
                    Err(RequestError::Transport {
                        kind: ErrorKind::TimedOut,
                        ..
                    })
                ),
                "{fault:.60?} on every attempt: {outcome:?}"
            );
        } else {
            assert!(
                outcome.is_err(),
                "{fault:.60?} on every attempt: {:?}",
                outcome.map(|b| b.len())
            );
        }
        *rows
            .entry((kind, "every attempt".to_owned()))
            .or_insert_with(BTreeMap::new)
            .entry(label(&outcome))
            .or_insert(0u32) += 1;
    }
    print_table(title, &rows);
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn every_fault_on_get_object_retries_to_success_or_ends_typed_in_time() {
    let p = peer("S3S");
    let (key, content) = small_object(&p);
    catalog_against(
        &p,
        Call::GetObject(&key),
        Some(&content),
        "GetObject from s3s-fs, fault catalog",
    );
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn every_fault_on_sts_retries_to_success_or_ends_typed_in_time() {
    let p = peer("MOTO");
    catalog_against(
        &p,
        Call::CallerIdentity,
        None,
        "STS GetCallerIdentity from moto, fault catalog",
    );
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn load_of_8_threads_x_500_requests_with_5_percent_of_connections_faulted() {
    const THREADS: usize = 8;
    const REQUESTS: usize = 500;
    const SEED: u64 = 0x5eed_fa17;
    let p = peer("S3S");
    let (key, content) = small_object(&p);
    let clean = clean_response(&p, Call::GetObject(&key));
    let head = head_len(&clean);
    let len = clean.len();
    let faults = catalog(head, len, STALL);
    let proxy = Arc::new(FaultProxy::start(&p.endpoint, move |n| {
        let mut rng = Rng(SEED ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        rng.next_u64();
        if rng.below(100) >= 5 {
            return None;
        }
        // Half the faulted connections are cut at a random byte, half get a catalog fault.
        Some(if rng.below(2) == 0 {
            Fault::TruncateAt(usize::try_from(rng.below(len as u64)).unwrap_or(0))
        } else {
            faults[usize::try_from(rng.below(faults.len() as u64)).unwrap_or(0)].clone()
        })
    }));
    let start = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (p, key, proxy) = (p.clone(), key.clone(), Arc::clone(&proxy));
            std::thread::spawn(move || {
                let s = session(&p, &proxy.url());
                (0..REQUESTS)
                    .map(|_| send(&s, &p, Call::GetObject(&key), 3))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut outcomes: BTreeMap<String, u32> = BTreeMap::new();
    let mut total = 0usize;
    for worker in workers {
        for outcome in worker.join().expect("no worker panics") {
            total += 1;
            if let Ok(body) = &outcome {
                assert_eq!(body, &content, "a wrong object reported as success");
            }
            *outcomes.entry(label(&outcome)).or_insert(0) += 1;
        }
    }
    let took = start.elapsed();
    // Let the last connections end before reading the records.
    std::thread::sleep(Duration::from_millis(200));
    let mut faulted: BTreeMap<String, u32> = BTreeMap::new();
    let records = proxy.records();
    for r in &records {
        if let Some(f) = &r.fault {
            *faulted.entry(f.kind(head).to_owned()).or_insert(0) += 1;
        }
    }
    let faulted_total: u32 = faulted.values().sum();
    println!(
        "\nload: {THREADS} threads x {REQUESTS} requests in {took:.1?}: {} connections, \
         {faulted_total} faulted ({:.1} %)",
        proxy.connections(),
        100.0 * f64::from(faulted_total) / records.len().max(1) as f64
    );
    println!("| fault | connections |\n|---|---|");
    for (kind, n) in &faulted {
        println!("| {kind} | {n} |");
    }
    println!("| request outcome | requests |\n|---|---|");
    for (o, n) in &outcomes {
        println!("| {o} | {n} |");
    }
    assert_eq!(total, THREADS * REQUESTS, "every request accounted for");
    assert_eq!(outcomes.values().sum::<u32>() as usize, THREADS * REQUESTS);
    let oks = outcomes.get("ok").copied().unwrap_or(0);
    assert!(
        oks as usize >= THREADS * REQUESTS - 4,
        "with 3 retries, a request fails only when 4 connections in a row are faulted: {outcomes:?}"
    );
    assert!(faulted_total > 0, "the plan faulted nothing");
}
