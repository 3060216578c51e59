//! The `credential_process` cases of the smithy-rs credential-provider suite
//! (`profile-provider/credential_process*`), run through this adapter's process runner.
//!
//! Each case's config file gives the command line (real shell commands: `echo … | base64
//! --decode`, `exit 1`, `echo 'invalid json'`) and `test-case.json` the expected keys or failure.
//! The profiles themselves put `source_profile` beside `credential_process` without `role_arn`,
//! which Go v1 rejects at session creation (a `source_profile` without a `role_arn` is an
//! error there) and which we follow; so the command is taken
//! from the file with core's parser and run directly, comparing what the provider produces.

#![cfg(unix)]

mod common;

use core::time::Duration;

use aws_session_core::config::{FileKind, ProfileFile};
use aws_session_core::profile::visit_profile;
use aws_session_std::credentials::{run_credential_process, ResolveError};

const CASES: [&str; 4] = [
    "credential_process",
    "credential_process_account_id_fallback",
    "credential_process_failure",
    "credential_process_invalid",
];

#[test]
fn smithy_rs_credential_process_cases() {
    let Some(dir) = common::testdata(
        "credential-provider-chain/smithy-rs/aws/rust-runtime/aws-config/test-data/profile-provider",
    ) else {
        return;
    };
    for name in CASES {
        let case = dir.join(name);
        let config = std::fs::read_to_string(case.join("fs/home/.aws/config")).unwrap();
        let file = ProfileFile {
            path: "config",
            kind: FileKind::Config,
            text: &config,
        };
        let mut command = String::new();
        visit_profile(&file, "default", &mut |p| {
            if p.key_is("credential_process") {
                command = p.value.as_str().unwrap_or_default().to_owned();
            }
        })
        .unwrap();
        assert!(!command.is_empty(), "{name}: no credential_process");
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("test-case.json")).unwrap())
                .unwrap();
        let got = run_credential_process(&command, Duration::from_secs(30));
        match &expected["result"]["Ok"] {
            serde_json::Value::Object(ok) => {
                let c = got.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(c.access_key_id.as_str(), ok["access_key_id"], "{name}");
                assert_eq!(
                    c.secret_access_key.expose(),
                    ok["secret_access_key"],
                    "{name}"
                );
                assert_eq!(
                    c.session_token.as_ref().map(|t| t.expose()),
                    ok["session_token"].as_str(),
                    "{name}"
                );
                assert_eq!(c.expires.map(|t| t.secs()), ok["expiry"].as_u64(), "{name}");
            }
            _ => {
                let err = got.expect_err(name);
                assert!(
                    matches!(
                        err,
                        ResolveError::ProcessExit(Some(1)) | ResolveError::ProcessOutput(_)
                    ),
                    "{name}: {err}"
                );
            }
        }
    }
    eprintln!("credential_process suite: {} cases", CASES.len());
}
