//! The providers against scripted answers (host tests; the same flows run against recorded
//! traffic in `std-adapter/tests/provider_chain_suites.rs` and against local servers in
//! `tests/tests/e2e_credentials.rs`).

extern crate std;

use std::string::ToString;

use super::providers::{default_session_name, http_allowed};
use crate::credentials::error::{FetchError, FetchReason};
use crate::credentials::{Credentials, ProviderKind};
use crate::platform::Bundle;
use crate::session::Session;
use crate::test_util::{
    session_with_config, FakeClock, FakeEntropy, FakeTransport, RecordingSleep, Reply,
};
use crate::time::UnixTime;

const NOW: u64 = 1_700_000_000;
const IMDS_CREDS: &[u8] = br#"{"Code":"Success","LastUpdated":"2023-11-14T22:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS0000001","SecretAccessKey":"imds\/secret","Token":"imdstoken","Expiration":"2023-11-15T04:00:00Z"}"#;
const STS_DENIED: &[u8] = b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
    <Message>User is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>1</RequestId></ErrorResponse>";

type TestPlatform<'s> = Bundle<FakeTransport<'s>, FakeClock, RecordingSleep, FakeEntropy>;

fn platform(script: &[Reply]) -> TestPlatform<'_> {
    Bundle {
        transport: FakeTransport::new(script),
        clock: FakeClock::at(NOW),
        sleep: RecordingSleep::new(),
        entropy: FakeEntropy::new(7),
    }
}

/// A session from `env` and one config file, shared config on.
fn session(env: &[(&str, &str)], config: &str) -> Session {
    session_with_config(env, config).unwrap()
}

fn retrieve(
    session: &Session,
    p: &mut TestPlatform<'_>,
) -> Result<(ProviderKind, Credentials), FetchError> {
    let mut out = Credentials::EMPTY;
    session.retrieve_credentials(p, &mut out).map(|k| (k, out))
}

#[test]
fn imds_v2_token_then_role_then_credentials() {
    let s = session(&[], "");
    let script = [
        Reply::with_body(200, b"AQAEAtoken=="),
        Reply::with_body(200, b"my-role\n"),
        Reply::with_body(200, IMDS_CREDS),
    ];
    let mut p = platform(&script);
    let (kind, c) = retrieve(&s, &mut p).unwrap();
    assert_eq!(kind, ProviderKind::Ec2InstanceMetadata);
    assert_eq!(c.access_key_id.as_str(), "ASIAIMDS0000001");
    assert_eq!(
        c.secret_access_key.expose(),
        "imds/secret",
        "JSON escapes decoded"
    );
    assert_eq!(
        c.expires,
        Some(UnixTime::parse_rfc3339("2023-11-15T04:00:00Z").unwrap())
    );
    assert_eq!(p.transport.exchanges(), 3);
}

/// Divergence C7: every refresh asks for a new IMDSv2 token (Go v1 keeps it for its TTL).
#[test]
fn every_imds_refresh_asks_for_a_new_token() {
    let s = session(&[], "");
    let one = [
        Reply::with_body(200, b"AQAEAtoken=="),
        Reply::with_body(200, b"my-role\n"),
        Reply::with_body(200, IMDS_CREDS),
    ];
    let script = [one, one].concat();
    let mut p = platform(&script);
    for _ in 0..2 {
        let (kind, c) = retrieve(&s, &mut p).unwrap();
        assert_eq!(kind, ProviderKind::Ec2InstanceMetadata);
        assert_eq!(c.access_key_id.as_str(), "ASIAIMDS0000001");
    }
    assert_eq!(
        p.transport.exchanges(),
        6,
        "token PUT, role, credentials: twice"
    );
}

#[test]
fn imds_falls_back_to_v1_on_403_404_405_unless_v1_is_disabled() {
    for status in [403, 404, 405] {
        let s = session(&[], "");
        let script = [
            Reply::status(status),
            Reply::with_body(200, b"my-role"),
            Reply::with_body(200, IMDS_CREDS),
        ];
        let mut p = platform(&script);
        assert_eq!(
            retrieve(&s, &mut p).unwrap().0,
            ProviderKind::Ec2InstanceMetadata
        );

        let s = session(&[("AWS_EC2_METADATA_V1_DISABLED", "true")], "");
        let mut p = platform(&script);
        let e = retrieve(&s, &mut p).unwrap_err();
        assert_eq!(e.reason, FetchReason::ImdsTokenRequired { status });
        assert!(e.chain, "the default chain's last provider");
        let text = e.to_string();
        assert!(
            text.contains("fallback to IMDSv1 is disabled")
                && text.starts_with("NoCredentialProviders"),
            "{text}"
        );
        assert_eq!(p.transport.exchanges(), 1);
    }
}

#[test]
fn imds_token_400_is_an_error_and_disabled_imds_makes_no_call() {
    let s = session(&[], "");
    let script = [Reply::status(400)];
    let mut p = platform(&script);
    let e = retrieve(&s, &mut p).unwrap_err();
    assert!(
        matches!(e.reason, FetchReason::Service { status: 400, .. }),
        "{e}"
    );

    let s = session(&[("AWS_EC2_METADATA_DISABLED", "TRUE")], "");
    let mut p = platform(&[]);
    let e = retrieve(&s, &mut p).unwrap_err();
    assert_eq!(e.reason, FetchReason::ImdsDisabled);
    assert_eq!(p.transport.exchanges(), 0);
}

#[test]
fn imds_without_a_role_and_with_a_retried_500() {
    let s = session(&[], "");
    let script = [Reply::with_body(200, b"t"), Reply::status(404)];
    let mut p = platform(&script);
    assert_eq!(
        retrieve(&s, &mut p).unwrap_err().reason,
        FetchReason::ImdsNoRole
    );
    let script = [Reply::with_body(200, b"t"), Reply::status(401)];
    let mut p = platform(&script);
    assert_eq!(
        retrieve(&s, &mut p).unwrap_err().reason,
        FetchReason::ImdsNoRole,
        "Go v1: any failed answer"
    );
    let script = [Reply::with_body(200, b"t"), Reply::with_body(200, b"\n")];
    let mut p = platform(&script);
    assert_eq!(
        retrieve(&s, &mut p).unwrap_err().reason,
        FetchReason::ImdsEmptyRoleList
    );

    let script = [
        Reply::with_body(200, b"t"),
        Reply::with_body(200, b"my-role"),
        Reply::status(500),
        Reply::with_body(200, IMDS_CREDS),
    ];
    let mut p = platform(&script);
    assert!(retrieve(&s, &mut p).is_ok());
    assert_eq!(p.sleep.calls().len(), 1, "one retry with back-off");
}

#[test]
fn container_hosts_follow_go_v1s_rule() {
    let s = session(
        &[(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://example.com/creds",
        )],
        "",
    );
    let mut p = platform(&[]);
    let e = retrieve(&s, &mut p).unwrap_err();
    assert_eq!(e.provider, ProviderKind::EcsContainer);
    assert!(
        e.to_string().contains(
            "invalid endpoint host, \"example.com\", only loopback/ecs/eks hosts are allowed."
        ),
        "{e}"
    );
    assert_eq!(p.transport.exchanges(), 0);

    let ok = br#"{"AccessKeyId":"ASIAECS","SecretAccessKey":"s","Token":"t","Expiration":"2023-11-15T04:00:00Z"}"#;
    let script = [Reply::with_body(200, ok)];
    let s = session(
        &[
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:8080/creds",
            ),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"),
        ],
        "",
    );
    let mut p = platform(&script);
    let (kind, c) = retrieve(&s, &mut p).unwrap();
    assert_eq!(
        (kind, c.access_key_id.as_str()),
        (ProviderKind::EcsContainer, "ASIAECS")
    );

    let refused = br#"{"code":"AccessDeniedException","message":"no"}"#;
    let script = [Reply::with_body(403, refused)];
    let mut p = platform(&script);
    let e = retrieve(&s, &mut p).unwrap_err();
    assert!(e.to_string().contains("AccessDeniedException"), "{e}");
}

#[test]
fn http_allowed_hosts() {
    for host in [
        "127.0.0.1",
        "127.1.2.3:80",
        "localhost",
        "localhost:8080",
        "[::1]",
        "[::1]:80",
        "169.254.170.2",
        "169.254.170.23",
        "[fd00:ec2::23]",
    ] {
        assert!(http_allowed(host), "{host}");
    }
    for host in [
        "example.com",
        "10.0.0.1",
        "127.0.0.1.evil.com",
        "169.254.169.254",
        "[fd00:ec2::254]",
        "128.0.0.1",
    ] {
        assert!(!http_allowed(host), "{host}");
    }
}

#[test]
fn sts_refusals_carry_the_code_and_message() {
    let s = session(
        &[("AWS_REGION", "us-east-1")],
        "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n\
         [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n",
    );
    let script = [Reply::with_body(403, STS_DENIED)];
    let mut p = platform(&script);
    let e = retrieve(&s, &mut p).unwrap_err();
    assert_eq!(e.provider, ProviderKind::AssumeRole);
    let text = e.to_string();
    assert!(
        text.contains("AccessDenied: User is not authorized") && text.contains("HTTP 403"),
        "{text}"
    );
    assert!(!text.contains("basesecret"));
    assert_eq!(p.transport.exchanges(), 1, "a 403 is not retried");
}

#[test]
fn web_identity_needs_a_host_that_reads_files() {
    let s = session(
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r"),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
        ],
        "",
    );
    let mut p = platform(&[]);
    let e = retrieve(&s, &mut p).unwrap_err();
    assert_eq!(e.provider, ProviderKind::WebIdentity);
    assert!(
        e.to_string()
            .contains("reading the web identity token file: not available"),
        "{e}"
    );
}

#[test]
fn default_session_names_are_unix_nanoseconds() {
    let name = default_session_name(UnixTime::from_secs(NOW), 123);
    assert_eq!(name.as_str(), "1700000000000000123");
}
