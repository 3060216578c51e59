//! # aws-session-testdata
//!
//! Finds the conformance test data (`../shared/testdata` beside the repository, or
//! `$AWS_SESSION_TESTDATA`) for every test crate and build script of aws-session, and decides in
//! one place what a missing input means: outside CI the test prints a visible `SKIPPED:` notice
//! and passes; under `CI=true` it fails with a message that says what to set.
//!
//! ```no_run
//! let Some(dir) = aws_session_testdata::testdata("profile-config-parser") else {
//!     return; // skipped with a notice
//! };
//! # let _ = dir;
//! ```
#![forbid(unsafe_code)]

use core::fmt::Display;
use std::path::PathBuf;

/// The environment variable that names the test data folder.
pub const TESTDATA_VAR: &str = "AWS_SESSION_TESTDATA";

/// The test data folder: `$AWS_SESSION_TESTDATA`, else `../shared/testdata` beside the repository.
/// It may not exist.
pub fn root() -> PathBuf {
    match std::env::var_os(TESTDATA_VAR) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata"),
    }
}

/// `suite` (a folder or file, relative to [`root`]) if it exists. Otherwise reports it through
/// [`missing`]: `None` after a `SKIPPED:` notice, or a panic under `CI=true`.
pub fn testdata(suite: &str) -> Option<PathBuf> {
    let path = root().join(suite);
    if path.exists() {
        return Some(path);
    }
    missing(format_args!(
        "testdata not found at {} (set {TESTDATA_VAR})",
        path.display()
    ));
    None
}

/// Whether this runs under CI (`CI=true`), where a missing test input is a failure.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Reports a missing test input (`what` says which and how to provide it): prints
/// `SKIPPED: <what>` to stderr so the skip is visible, or panics under `CI=true`.
pub fn missing(what: impl Display) {
    if under_ci() {
        panic!("{what} (required under CI=true)");
    }
    eprintln!("SKIPPED: {what}");
}
