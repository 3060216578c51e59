//! Helpers shared by the std adapter's integration tests.
#![allow(dead_code)] // each test binary uses a different subset

pub mod cli;
pub mod server;

use std::path::Path;

/// `sub` inside the conformance data, or `None` after a visible skip notice (a failure under
/// `CI=true`); see the `aws-session-testdata` crate.
#[allow(unused_imports)] // not every test binary reads the test data
pub use aws_session_testdata::testdata;

/// Writes `text` to `dir/rel`, creating parent folders; returns the path as a string.
pub fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) -> String {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf-8 temp path").to_owned()
}
