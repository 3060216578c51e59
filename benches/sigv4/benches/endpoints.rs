//! Endpoint resolution time: `endpoint::resolve` with the full tables (`endpoint-model`), per
//! case, median ns of 101 batches of 10 000 resolutions.
//!
//! Run: `cargo bench -p aws-session-bench --bench endpoints`.

use std::hint::black_box;
use std::time::Instant;

use aws_session_core::endpoint::{resolve_in, EndpointParams, Model};

fn median_ns(mut f: impl FnMut()) -> f64 {
    const BATCH: u32 = 10_000;
    let mut samples: Vec<f64> = (0..101)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..BATCH {
                f();
            }
            start.elapsed().as_nanos() as f64 / f64::from(BATCH)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let full = Model::full();
    let cases: [(&str, EndpointParams<'_>); 6] = [
        (
            "sts eu-west-1 (legacy global)",
            EndpointParams {
                service: "sts",
                region: Some("eu-west-1"),
                sts_legacy_global: true,
                ..Default::default()
            },
        ),
        (
            "s3 us-east-1 fips+dualstack",
            EndpointParams {
                service: "s3",
                region: Some("us-east-1"),
                use_fips: true,
                use_dualstack: true,
                ..Default::default()
            },
        ),
        (
            "iam eu-west-1 (global service)",
            EndpointParams {
                service: "iam",
                region: Some("eu-west-1"),
                ..Default::default()
            },
        ),
        (
            "dynamodb us-gov-west-1",
            EndpointParams {
                service: "dynamodb",
                region: Some("us-gov-west-1"),
                ..Default::default()
            },
        ),
        (
            "unknown service ap-south-2",
            EndpointParams {
                service: "zzz-new",
                region: Some("ap-south-2"),
                ..Default::default()
            },
        ),
        (
            "configured endpoint",
            EndpointParams {
                service: "s3",
                region: Some("us-east-1"),
                endpoint: Some("http://127.0.0.1:9000"),
                ..Default::default()
            },
        ),
    ];
    println!("| case | ns per resolution |");
    println!("|---|---:|");
    for (name, params) in &cases {
        let ns = median_ns(|| {
            black_box(resolve_in(black_box(&full), black_box(params)).ok());
        });
        println!("| {name} | {ns:.0} |");
    }
}
