//! Requests per second on one keep-alive connection: STS `GetCallerIdentity` signed and sent to a
//! loopback stub by an aws-session client (std adapter) and by `aws-sdk-sts` (the official Rust
//! SDK), measured interleaved in the same run, with heap allocations per request
//! (docs/performance.md, "Requests"). Run it with `benches/credentials/run.sh --requests`.
//!
//! Both clients get the same settings from the environment: static keys, `us-east-1`, and
//! `AWS_ENDPOINT_URL_STS` pointing at the stub. Both parse the answer (ours with
//! `ops::sts`-style decoding is not needed: the status and body are checked; aws-sdk-sts
//! deserializes its output).

#[path = "../stub.rs"]
mod stub;

use std::hint::black_box;
use std::time::Instant;

use aws_session_bench::{allocs_per_call, interleaved_medians, CountingAlloc};
use aws_session_core::session::Options;
use aws_session_std::{load, StdPlatform};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Requests per timed batch, and batches (rounds) per peer.
const PER_BATCH: u32 = 200;
const DEFAULT_ROUNDS: usize = 15;

fn main() {
    let rounds = std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_ROUNDS);
    let home = tempfile::tempdir().unwrap();
    let (addr, stats) = stub::start();
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("AWS_")) {
        std::env::remove_var(k);
    }
    std::env::set_var("HOME", home.path());
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    std::env::set_var(
        "AWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    );
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_ENDPOINT_URL_STS", format!("http://{addr}"));
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");

    // Ours: one session, one client, one platform (its transport keeps the connection).
    let loaded = load(&Options::default()).expect("session");
    let client = loaded.session().client("sts").expect("sts client");
    let mut platform = StdPlatform::new(loaded.session()).expect("platform");
    let mut body = vec![0u8; 4096];
    let mut ours = || {
        let mut r = client
            .form_request(
                "GetCallerIdentity",
                "Action=GetCallerIdentity&Version=2011-06-15",
            )
            .expect("request");
        r.set_response_buffer(&mut body);
        client
            .send(&mut r, &mut platform)
            .expect("GetCallerIdentity");
        assert_eq!(r.response.status(), 200);
        black_box(r.response_body().len());
    };

    // aws-sdk-sts: one client on a current-thread runtime.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = rt.block_on(aws_config::defaults(aws_config::BehaviorVersion::latest()).load());
    let sts = aws_sdk_sts::Client::new(&config);
    let mut theirs = || {
        let out = rt
            .block_on(sts.get_caller_identity().send())
            .expect("aws-sdk-sts GetCallerIdentity");
        black_box(out.account().map(str::len));
    };

    // Warm both (connections open, caches filled), then count connections from here on.
    for _ in 0..50 {
        ours();
        theirs();
    }
    let before = stats.snapshot();
    let started = Instant::now();
    let medians = interleaved_medians(rounds, PER_BATCH, &mut [&mut ours, &mut theirs]);
    let elapsed = started.elapsed();
    let delta = stats.snapshot() - before;
    let (ours_allocs, ours_bytes) = allocs_per_call(1000, &mut ours);
    let (their_allocs, their_bytes) = allocs_per_call(1000, &mut theirs);

    let rps = |ns: f64| 1e9 / ns;
    println!("# Requests: STS GetCallerIdentity to a loopback stub on {addr}, one keep-alive connection each\n");
    println!(
        "{rounds} interleaved rounds of {PER_BATCH} requests per client, {:.1} s; the stub answered {} requests on {} new connections\n",
        elapsed.as_secs_f64(),
        delta.caller_identity,
        delta.connections
    );
    println!("| client | µs per request (median) | requests/s | allocations per request | bytes allocated per request |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| aws-session (std adapter) | {:.1} | {:.0} | {:.1} | {:.0} |",
        medians[0] / 1000.0,
        rps(medians[0]),
        ours_allocs,
        ours_bytes
    );
    println!(
        "| aws-sdk-sts | {:.1} | {:.0} | {:.1} | {:.0} |",
        medians[1] / 1000.0,
        rps(medians[1]),
        their_allocs,
        their_bytes
    );
    println!(
        "\nratio (requests/s, aws-session ÷ aws-sdk-sts): {:.2}×",
        medians[1] / medians[0]
    );
}
