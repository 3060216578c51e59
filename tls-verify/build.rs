//! Records the build time as `AWS_SESSION_TLS_VERIFY_BUILD_TIME` (seconds since the Unix epoch) for
//! `BUILD_TIME`: `SOURCE_DATE_EPOCH` when set (reproducible builds), else the time this crate was
//! compiled. Either is a lower bound of every moment the firmware runs.

use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-changed=build.rs");
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    println!("cargo:rustc-env=AWS_SESSION_TLS_VERIFY_BUILD_TIME={secs}");
}
