//! The cross-SDK file-location suites: smithy-rs `file-location-tests.json` (9 cases) and the
//! aws-sdk-kotlin loader suite (11 cases, with "language-specific" home resolution).
//!
//! Each case gives an environment and a platform and expects the config and credentials paths
//! and the selected profile. We plan the files with shared config enabled (so both files are in
//! the plan), resolve the default locations with the case's platform rules, and load a session
//! (the files do not exist, which is not an error) to read the selected profile.

mod common;

use aws_session_core::config::{FileKind, SharedConfigState};
use aws_session_core::session::Options;
use aws_session_std::{load_with, HomeFallback, HomeResolver, Platform, StdEnv};
use serde_json::Value;

const SMITHY: &str =
    "profile-config-parser/smithy-rs/aws/rust-runtime/aws-runtime/test-data/file-location-tests.json";
const KOTLIN: &str =
    "profile-config-parser/aws-sdk-kotlin/aws-runtime/aws-config/common/test/aws/sdk/kotlin/\
runtime/config/profile/SpecTestSuites.LOADER_TEST_SUITE_JSON.json";

/// Runs every case of one suite file; returns how many ran.
fn run_suite(rel: &str) -> Option<usize> {
    let path = common::testdata(rel)?;
    let suite: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read suite")).expect("json");
    let tests = suite["tests"].as_array().expect("tests array");
    let mut failures = Vec::new();
    for case in tests {
        let name = case["name"].as_str().expect("name");
        let vars = case["environment"]
            .as_object()
            .expect("environment")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("string value").to_owned()));
        let env = StdEnv::from_vars(vars);
        let platform = match case["platform"].as_str() {
            Some("windows") => Platform::Windows,
            Some("linux") => Platform::Unix,
            other => panic!("{name}: unknown platform {other:?}"),
        };
        // Without a language-specific home the test machine's own user record must not leak in.
        let fallback = match case["languageSpecificHome"].as_str() {
            Some(home) => HomeFallback::Fixed(home.to_owned()),
            None => HomeFallback::Nothing,
        };
        let home = HomeResolver { platform, fallback };
        let options = Options {
            shared_config_state: SharedConfigState::Enable,
            ..Options::default()
        };
        let loaded = match load_with(&options, env, &home) {
            Ok(l) => l,
            Err(e) => {
                failures.push(format!("{name}: load failed: {e}"));
                continue;
            }
        };
        let entries = loaded.files().entries();
        let path_of = |kind: FileKind| {
            entries
                .iter()
                .find(|e| e.kind == kind)
                .map(|e| e.path.as_str())
        };
        let want_config = case["configLocation"].as_str();
        let want_creds = case["credentialsLocation"].as_str();
        if path_of(FileKind::Config) != want_config {
            failures.push(format!(
                "{name}: config {:?}, want {want_config:?}",
                path_of(FileKind::Config)
            ));
        }
        if path_of(FileKind::Credentials) != want_creds {
            failures.push(format!(
                "{name}: credentials {:?}, want {want_creds:?}",
                path_of(FileKind::Credentials)
            ));
        }
        if let Some(want) = case["profile"].as_str() {
            let got = loaded.session().config().profile.value.as_str().to_owned();
            if got != want {
                failures.push(format!("{name}: profile {got:?}, want {want:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        tests.len(),
        failures.join("\n")
    );
    Some(tests.len())
}

#[test]
fn smithy_rs_file_location_suite() {
    if let Some(n) = run_suite(SMITHY) {
        assert_eq!(n, 9, "the smithy-rs suite has 9 cases");
    }
}

#[test]
fn kotlin_loader_suite() {
    if let Some(n) = run_suite(KOTLIN) {
        assert_eq!(n, 11, "the Kotlin loader suite has 11 cases");
    }
}
