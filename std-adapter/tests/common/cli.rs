//! Running the `aws-session` binary as a process, for the CLI tests.

use std::path::Path;
use std::process::{Command, Output};

use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_aws-session");

/// Runs the binary with exactly `vars` as its environment (plus HOME = `home`).
pub fn run(home: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.env_clear().env("HOME", home).args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("run aws-session")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

/// Asserts a failure: the status, exactly one line on stderr, no panic; returns the line.
pub fn assert_one_line_error(o: &Output, code: i32) -> String {
    assert_eq!(o.status.code(), Some(code), "stderr: {}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
    assert!(err.starts_with("aws-session: "), "{err:?}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err:?}"
    );
    err
}

/// An empty temporary home directory.
pub fn home() -> TempDir {
    tempfile::tempdir().expect("tempdir")
}
