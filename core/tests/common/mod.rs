//! Shared helpers for core's integration tests.

/// `sub` inside the conformance data, or `None` after a visible skip notice (a failure under
/// `CI=true`); see the `aws-session-testdata` crate.
pub use aws_session_testdata::testdata;
