//! Helpers shared by the std adapter's integration tests.
#![allow(dead_code)] // each test binary uses a different subset

pub mod server;

use std::path::{Path, PathBuf};

/// `sub` inside the conformance data (`$AWS_SESSION_TESTDATA`, else `../shared/testdata` beside the
/// workspace), or `None` after printing a visible skip notice. Under `CI=true` a missing folder
/// is a failure.
pub fn testdata(sub: &str) -> Option<PathBuf> {
    let root = match std::env::var_os("AWS_SESSION_TESTDATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata"),
    };
    let dir = root.join(sub);
    if dir.exists() {
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

/// Writes `text` to `dir/rel`, creating parent folders; returns the path as a string.
pub fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) -> String {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf-8 temp path").to_owned()
}
