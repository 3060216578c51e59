//! Shared helpers for core's integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;

/// `sub` inside the conformance data (`$AWS_SESSION_TESTDATA`, else `../shared/testdata` beside
/// the workspace), or `None` after printing a visible skip notice. Under `CI=true` a missing
/// folder is a failure.
pub fn testdata(sub: &str) -> Option<PathBuf> {
    let root = match std::env::var_os("AWS_SESSION_TESTDATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata"),
    };
    let dir = root.join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "testdata not found at {} (set AWS_SESSION_TESTDATA)",
            dir.display()
        );
    }
    eprintln!("SKIPPED: testdata not found at {}", dir.display());
    None
}
