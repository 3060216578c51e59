//! The cross-SDK credential provider-chain suites (`../shared/testdata/credential-provider-chain`,
//! format in its `SOURCE.md`), every case replayed from its recorded HTTP traffic:
//!
//! - smithy-rs `default-credential-provider-chain` (29 cases), `profile-provider` (18) and
//!   `default-token-provider-chain` (3);
//! - aws-sdk-kotlin `default-provider-chain` (23).
//!
//! Each case becomes a session made by [`load_with`] from the case's `env.json` (`HOME=/home` is
//! the case's `fs/home`) with shared config loading on (the suites keep `role_arn`, SSO and IMDS
//! settings in `~/.aws/config`, which Go v1 reads only with `AWS_SDK_LOAD_CONFIG`). Its
//! credentials are then retrieved once through the session's shared cache
//! ([`Session::retrieve_credentials`]) with:
//!
//! - a host ([`CaseHost`]) that maps absolute paths (web identity and container token files)
//!   into the case's `fs/`, reads the SSO token cache from `fs/home/.aws/sso/cache` and runs
//!   `credential_process` commands for real through `sh`; it never writes the test data;
//! - a replay transport ([`Replay`]) that serves the recorded responses in order and checks each
//!   request's method and URI (query parameters in any order, as smithy-rs's
//!   `assert_uris_match`) and the headers the smithy-rs harness checks (`content-type`,
//!   `x-aws-ec2-metadata-token`) plus the IMDS token TTL and the SSO bearer token;
//! - a clock stopped at the case's recorded time: the `Date` of the first recorded response, or
//!   [`UNRECORDED_TIME`] when the case has none (smithy-rs runs on the wall clock, or on
//!   `UNIX_EPOCH` for three IMDS cases; no case here depends on the difference, since neither we
//!   nor Go v1 reject credentials a provider returns already expired);
//! - sleeps that return at once and fixed entropy.
//!
//! The result is compared with `test-case.json`: credentials by access key, secret, session
//! token and expiry (the `account_id` of the newer SDKs is not part of Go v1's credentials, see
//! divergence S1); an expected error by the meaning of the upstream substring, written in our
//! words next to each case. Cases where Go v1 answers differently assert Go v1's answer and name
//! their row in `docs/divergences.md` ("Credential provider chain"); cases that test a feature
//! Go v1 does not have are counted as not applicable, with the reason. Every case directory must
//! be listed, and every listed case must exist.

#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use aws_session_core::config::SharedConfigState;
use aws_session_core::credentials::cache::{
    CacheSlot, CredentialsHost, HostError, SharedCredentials,
};
use aws_session_core::credentials::Credentials;
use aws_session_core::http::{HttpRequest, ResponseHead};
use aws_session_core::platform::{Bundle, ErrorKind, Transport};
use aws_session_core::session::Options;
use aws_session_core::test_util::{FakeClock, FakeEntropy, RecordingSleep};
use aws_session_core::time::UnixTime;
use aws_session_std::cache::StdHost;
use aws_session_std::{load_with, HomeFallback, HomeResolver, StdEnv};
use serde_json::Value;

/// The clock of a case whose traffic records no `Date` (no network call, or a recording without
/// dates): 2021-09-21T17:41:25Z, the time most of the STS recordings were made.
const UNRECORDED_TIME: u64 = 1_632_246_085;

// ---- what each case must give ----------------------------------------------------------------

/// Expected credentials.
#[derive(Debug, Clone, Copy)]
struct Creds {
    access_key_id: &'static str,
    secret_access_key: &'static str,
    session_token: Option<&'static str>,
    expiry: Option<u64>,
}

/// What a case must give in this project.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Upstream's `Ok` credentials (compared field by field), with upstream's traffic.
    Same,
    /// Upstream's `ErrorContains`, with upstream's traffic; our message says the same thing in
    /// these words.
    SameError(&'static str),
    /// Go v1 answers otherwise, as the named row of `docs/divergences.md` says.
    GoV1 {
        row: &'static str,
        answer: Answer,
        traffic: Traffic,
    },
    /// Tests something Go v1 does not have; why.
    NotApplicable(&'static str),
}

/// Go v1's answer to a case.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// Upstream's credentials.
    Upstream,
    /// These credentials.
    Creds(Creds),
    /// An error containing these words.
    Error(&'static str),
}

/// How Go v1's traffic differs from the recording.
#[derive(Debug, Clone, Copy)]
struct Traffic {
    /// `(recorded, sent)`: a recorded URI starting with `recorded` is sent to `sent` instead.
    hosts: &'static [(&'static str, &'static str)],
    /// Retries of the last recorded request, answered with its recorded response again.
    repeats: usize,
    /// Requests past the recording (`METHOD uri`, each retry counted once), refused.
    extra: &'static [&'static str],
}

const AS_RECORDED: Traffic = Traffic {
    hosts: &[],
    repeats: 0,
    extra: &[],
};

/// Go v1's default `sts_regional_endpoints = legacy` sends STS calls of the legacy regions to the
/// global endpoint (P42), signed for us-east-1.
const fn global_sts(regional: &'static [(&'static str, &'static str)]) -> Traffic {
    Traffic {
        hosts: regional,
        repeats: 0,
        extra: &[],
    }
}
const STS_US_EAST_1: &[(&str, &str)] = &[(
    "https://sts.us-east-1.amazonaws.com",
    "https://sts.amazonaws.com",
)];
const STS_US_EAST_2: &[(&str, &str)] = &[(
    "https://sts.us-east-2.amazonaws.com",
    "https://sts.amazonaws.com",
)];
const STS_EU_WEST_1: &[(&str, &str)] = &[(
    "https://sts.eu-west-1.amazonaws.com",
    "https://sts.amazonaws.com",
)];

/// The role-list call Go v1 makes after the token `PUT` was refused (IMDSv1 fallback).
const IMDS_V1_ROLE_LIST: &str =
    "GET http://169.254.169.254/latest/meta-data/iam/security-credentials/";

// ---- the cases ---------------------------------------------------------------------------------

// Our words for upstream's errors (`SameError`), once for all suites:
// - "No such file or directory (os error 2)" (container token file) → the host's "no such file"
//   for `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`;
// - "the credential provider was not enabled" / "failed to load instance profile" for IMDS
//   without a role (404 on the role list) → "no EC2 instance role found";
// - the same for `AWS_EC2_METADATA_DISABLED` / "AWS EC2 metadata is explicitly disabled" → Go
//   v1's "EC2 IMDS access disabled via AWS_EC2_METADATA_DISABLED env var";
// - "failed to read `…/sso/cache/<sha1>.json`" → "reading the SSO token cache: no such file";
// - "`web_identity_token_file` was specified but `role_arn` was missing" / "profile (B) missing
//   `role_arn`" → Go v1's CredentialRequiresARNError, at session creation;
// - "could not parse profile file" → Go v1's SharedConfigLoadError "failed to load config file".
const TOKEN_FILE_MISSING: &str = "reading AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: no such file";
const NO_ROLE: &str = "no EC2 instance role found";
const IMDS_DISABLED: &str = "EC2 IMDS access disabled via AWS_EC2_METADATA_DISABLED env var";
const SSO_CACHE_MISSING: &str = "reading the SSO token cache: no such file";
const WEB_IDENTITY_NEEDS_ROLE: &str =
    "credential type web_identity_token_file requires role_arn, profile B";

/// S3: env web identity before the profile; with no region anywhere, STS resolves to its global
/// endpoint (Go v1's legacy empty-region services), which the recording never answers.
const ENV_WEB_IDENTITY_FIRST: Expect = Expect::GoV1 {
    row: "S3",
    answer: Answer::Error("WebIdentityErr: WebIdentityCredentials: RequestError"),
    traffic: Traffic {
        hosts: &[],
        repeats: 0,
        extra: &["POST https://sts.amazonaws.com/"],
    },
};
/// S5: the token `PUT` answered 403; Go v1 falls back to IMDSv1 (retried twice, refused).
const IMDS_V1_FALLBACK: Expect = Expect::GoV1 {
    row: "S5",
    answer: Answer::Error("EC2RoleRequestError: EC2RoleProvider: RequestError"),
    traffic: Traffic {
        hosts: &[],
        repeats: 0,
        extra: &[IMDS_V1_ROLE_LIST],
    },
};
/// S2 + S7: global STS, and `InvalidIdentityToken` retried three times (same answer).
const INVALID_JWT_RETRIED: Expect = Expect::GoV1 {
    row: "S2, S7",
    answer: Answer::Error("InvalidIdentityToken: No OpenIDConnect provider found in your account"),
    traffic: Traffic {
        hosts: STS_US_EAST_1,
        repeats: 3,
        extra: &[],
    },
};
const fn via_global_sts(hosts: &'static [(&'static str, &'static str)]) -> Expect {
    Expect::GoV1 {
        row: "S2",
        answer: Answer::Upstream,
        traffic: global_sts(hosts),
    }
}

/// smithy-rs `default-credential-provider-chain`: the default chain (no explicit profile).
const DEFAULT_CHAIN: &[(&str, Expect)] = &[
    ("e2e_fips_and_dual_stack_sso", Expect::Same),
    ("ecs_assume_role", via_global_sts(STS_US_EAST_1)),
    ("ecs_credentials", Expect::Same),
    ("ecs_credentials_invalid_profile", Expect::Same),
    ("eks_pod_identity_credentials", Expect::Same),
    (
        "eks_pod_identity_no_token_file",
        Expect::SameError(TOKEN_FILE_MISSING),
    ),
    ("environment_variables", Expect::Same),
    (
        "environment_variables_blank",
        Expect::GoV1 {
            row: "S4",
            answer: Answer::Creds(Creds {
                access_key_id: " ",
                secret_access_key: " ",
                session_token: None,
                expiry: None,
            }),
            traffic: AS_RECORDED,
        },
    ),
    ("imds_assume_role", via_global_sts(STS_US_EAST_1)),
    ("imds_config_with_no_creds", Expect::Same),
    ("imds_default_chain_error", Expect::SameError(NO_ROLE)),
    ("imds_default_chain_retries", Expect::Same),
    ("imds_default_chain_success", Expect::Same),
    ("imds_disabled", Expect::SameError(IMDS_DISABLED)),
    ("imds_no_iam_role", Expect::SameError(NO_ROLE)),
    ("imds_token_fail", IMDS_V1_FALLBACK),
    ("prefer_environment", Expect::Same),
    ("profile_name", Expect::Same),
    ("profile_overrides_web_identity", ENV_WEB_IDENTITY_FIRST),
    ("profile_static_keys", Expect::Same),
    // Key names ignore case here (divergence S5); Go v1 would not see these keys.
    ("profile_static_keys_case_insensitive", Expect::Same),
    ("sso_assume_role", Expect::Same),
    ("sso_no_token_file", Expect::SameError(SSO_CACHE_MISSING)),
    (
        "sso_server_error",
        Expect::GoV1 {
            row: "S6",
            answer: Answer::Error("(HTTP 503)"),
            traffic: Traffic {
                hosts: &[],
                repeats: 3,
                extra: &[],
            },
        },
    ),
    (
        "web_identity_source_profile_no_env",
        Expect::SameError(WEB_IDENTITY_NEEDS_ROLE),
    ),
    ("web_identity_token_env", via_global_sts(STS_EU_WEST_1)),
    ("web_identity_token_invalid_jwt", INVALID_JWT_RETRIED),
    ("web_identity_token_profile", via_global_sts(STS_US_EAST_1)),
    (
        "web_identity_token_source_profile",
        via_global_sts(STS_US_EAST_1),
    ),
];

/// S9: `source_profile` without `role_arn` beside `credential_process`.
const PROCESS_NEEDS_ROLE: Expect = Expect::GoV1 {
    row: "S9",
    answer: Answer::Error("credential type source_profile requires role_arn, profile default"),
    traffic: AS_RECORDED,
};
/// S11: a token-only `sso_session` profile runs the SSO provider: the cached token is read and
/// valid, then `GetRoleCredentials` goes out with an empty account and role (refused here).
const fn sso_without_role(row: &'static str, portal: &'static [&'static str]) -> Expect {
    Expect::GoV1 {
        row,
        answer: Answer::Error("SSOProviderInvalidToken: SSOProvider: RequestError"),
        traffic: Traffic {
            hosts: &[],
            repeats: 0,
            extra: portal,
        },
    }
}
const PORTAL_US_EAST_1_NO_ROLE: &[&str] = &[
    "GET https://portal.sso.us-east-1.amazonaws.com/federation/credentials?account_id=&role_name=",
];
const PORTAL_US_EAST_2_NO_ROLE: &[&str] = &[
    "GET https://portal.sso.us-east-2.amazonaws.com/federation/credentials?account_id=&role_name=",
];

/// smithy-rs `profile-provider`: credentials from the selected profile alone, which in Go v1 is
/// `Options.Profile` (it beats environment keys, P12).
const PROFILE_PROVIDER: &[(&str, Expect)] = &[
    ("assume_role_override_global_env_url", Expect::Same),
    ("assume_role_override_global_profile_url", Expect::Same),
    ("assume_role_override_service_env_url", Expect::Same),
    (
        "assume_role_override_service_profile_url",
        Expect::GoV1 {
            row: "S8",
            answer: Answer::Upstream,
            traffic: global_sts(&[(
                "http://aws.service-profile-override",
                "https://sts.amazonaws.com",
            )]),
        },
    ),
    ("credential_process", PROCESS_NEEDS_ROLE),
    ("credential_process_account_id_fallback", PROCESS_NEEDS_ROLE),
    ("credential_process_failure", PROCESS_NEEDS_ROLE),
    ("credential_process_invalid", PROCESS_NEEDS_ROLE),
    ("e2e_assume_role", via_global_sts(STS_US_EAST_1)),
    ("e2e_fips_and_dual_stack_sts", Expect::Same),
    (
        "empty_config",
        Expect::GoV1 {
            row: "S10",
            answer: Answer::Error("NoCredentialProviders: no valid providers in chain"),
            traffic: Traffic {
                hosts: &[],
                repeats: 0,
                extra: &[
                    "PUT http://169.254.169.254/latest/api/token",
                    IMDS_V1_ROLE_LIST,
                ],
            },
        },
    ),
    (
        "invalid_config",
        Expect::SameError("failed to load config file"),
    ),
    (
        "invalid_sso_credentials_config",
        Expect::GoV1 {
            row: "S11",
            answer: Answer::Error(SSO_CACHE_MISSING),
            traffic: AS_RECORDED,
        },
    ),
    ("region_override", via_global_sts(STS_US_EAST_2)),
    ("retry_on_error", via_global_sts(STS_US_EAST_1)),
    ("sso_credentials", Expect::Same),
    ("sso_override_global_env_url", Expect::Same),
    (
        "sso_token",
        sso_without_role("S11", PORTAL_US_EAST_1_NO_ROLE),
    ),
];

/// smithy-rs `default-token-provider-chain`: SSO bearer tokens. Go v1 has no token provider
/// chain; the same files go through the SSO credentials provider (S12): the request proves the
/// right cache entry was found and its token not expired.
const TOKEN_CHAIN: &[(&str, Expect)] = &[
    (
        "profile_keys",
        sso_without_role("S12", PORTAL_US_EAST_2_NO_ROLE),
    ),
    (
        "profile_keys_case_insensitive",
        sso_without_role("S12", PORTAL_US_EAST_2_NO_ROLE),
    ),
    (
        "profile_name",
        sso_without_role("S12", PORTAL_US_EAST_2_NO_ROLE),
    ),
];

/// aws-sdk-kotlin `default-provider-chain` (its own error texts mapped as above).
const KOTLIN_CHAIN: &[(&str, Expect)] = &[
    ("ecs_assume_role", via_global_sts(STS_US_EAST_1)),
    ("ecs_credentials", Expect::Same),
    ("imds_assume_role", via_global_sts(STS_US_EAST_1)),
    ("imds_config_with_no_creds", Expect::Same),
    ("imds_default_chain_error", Expect::SameError(NO_ROLE)),
    ("imds_default_chain_retries", Expect::Same),
    ("imds_default_chain_success", Expect::Same),
    ("imds_disabled", Expect::SameError(IMDS_DISABLED)),
    ("imds_no_iam_role", Expect::SameError(NO_ROLE)),
    ("imds_token_fail", IMDS_V1_FALLBACK),
    ("legacy_sso_role", Expect::Same),
    ("prefer_environment", Expect::Same),
    (
        "prefer_system_properties",
        Expect::NotApplicable(
            "JVM system properties (aws.accessKeyId, …) beating the environment; Go v1 has none",
        ),
    ),
    ("profile_name", Expect::Same),
    ("profile_overrides_web_identity", ENV_WEB_IDENTITY_FIRST),
    ("profile_static_keys", Expect::Same),
    ("retry_on_error", via_global_sts(STS_US_EAST_1)),
    ("sso_session", Expect::Same),
    (
        "web_identity_source_profile_no_env",
        Expect::SameError(WEB_IDENTITY_NEEDS_ROLE),
    ),
    ("web_identity_token_env", via_global_sts(STS_EU_WEST_1)),
    ("web_identity_token_invalid_jwt", INVALID_JWT_RETRIED),
    ("web_identity_token_profile", via_global_sts(STS_US_EAST_1)),
    (
        "web_identity_token_source_profile",
        via_global_sts(STS_US_EAST_1),
    ),
];

// ---- one recorded exchange ---------------------------------------------------------------------

/// Request headers the replay compares when the recording has them.
const CHECKED_HEADERS: [&str; 4] = [
    "content-type",
    "x-aws-ec2-metadata-token",
    "x-aws-ec2-metadata-token-ttl-seconds",
    "x-amz-sso_bearer_token",
];

#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    /// `None`: the recording has a connection failure instead of a response.
    status: Option<u16>,
    response_headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Exchange {
    fn date(&self) -> Option<u64> {
        let (_, v) = self
            .response_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("date"))?;
        UnixTime::parse_http_date(v).ok().map(UnixTime::secs)
    }
}

fn header_values(v: &Value) -> String {
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.as_str().unwrap_or_default().to_owned(),
    }
}

fn headers_of(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), header_values(v)))
                .collect()
        })
        .unwrap_or_default()
}

/// smithy-rs "DVR" traffic: events per connection, replayed in connection order.
fn smithy_traffic(v: &Value) -> Vec<Exchange> {
    let mut by_conn: BTreeMap<u64, Exchange> = BTreeMap::new();
    for event in v["events"].as_array().into_iter().flatten() {
        let id = event["connection_id"].as_u64().unwrap_or_default();
        let action = &event["action"];
        let ex = by_conn.entry(id).or_insert_with(|| Exchange {
            method: String::new(),
            uri: String::new(),
            headers: Vec::new(),
            status: None,
            response_headers: Vec::new(),
            body: Vec::new(),
        });
        if let Some(r) = action.get("Request") {
            let r = &r["request"];
            ex.method = r["method"].as_str().unwrap_or_default().to_owned();
            ex.uri = r["uri"].as_str().unwrap_or_default().to_owned();
            ex.headers = headers_of(&r["headers"]);
        } else if let Some(r) = action.get("Response") {
            if let Some(ok) = r["response"].get("Ok") {
                ex.status = ok["status"].as_u64().and_then(|s| u16::try_from(s).ok());
                ex.response_headers = headers_of(&ok["headers"]);
            }
        } else if let Some(d) = action.get("Data") {
            if d["direction"] == "Response" {
                let text = d["data"]["Utf8"].as_str().unwrap_or_default();
                ex.body.extend_from_slice(text.as_bytes());
            }
        }
    }
    by_conn.into_values().collect()
}

/// aws-sdk-kotlin traffic: a list of request/response pairs.
fn kotlin_traffic(v: &Value) -> Vec<Exchange> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|pair| {
            let (req, resp) = (&pair["request"], &pair["response"]);
            Exchange {
                method: req["method"].as_str().unwrap_or_default().to_owned(),
                uri: req["uri"].as_str().unwrap_or_default().to_owned(),
                headers: headers_of(&req["headers"]),
                status: resp["status"].as_u64().and_then(|s| u16::try_from(s).ok()),
                response_headers: headers_of(&resp["headers"]),
                body: resp["body"]
                    .as_str()
                    .unwrap_or_default()
                    .as_bytes()
                    .to_vec(),
            }
        })
        .collect()
}

// ---- the replay transport ----------------------------------------------------------------------

/// Serves the recorded exchanges in order; every difference from the recording is noted.
#[derive(Debug, Default)]
struct Replay {
    pending: VecDeque<Exchange>,
    total: usize,
    /// Recorded URI prefixes Go v1 sends elsewhere (see [`Traffic::hosts`]).
    hosts: &'static [(&'static str, &'static str)],
    /// The last recorded exchange, kept to answer its retries.
    last: Option<Exchange>,
    current: Option<Exchange>,
    sent: usize,
    repeats: usize,
    extra: BTreeSet<String>,
    mismatches: Vec<String>,
}

impl Replay {
    fn new(traffic: Vec<Exchange>, hosts: &'static [(&'static str, &'static str)]) -> Self {
        Replay {
            total: traffic.len(),
            pending: traffic.into(),
            hosts,
            ..Replay::default()
        }
    }

    /// The URI of `ex` as Go v1 sends it.
    fn expected_uri(&self, ex: &Exchange) -> String {
        for (recorded, sent) in self.hosts {
            if let Some(rest) = ex.uri.strip_prefix(recorded) {
                return format!("{sent}{rest}");
            }
        }
        ex.uri.clone()
    }
}

/// `scheme://authority`, the path and the sorted query parameters of a URI.
fn split_uri(uri: &str) -> (String, String, Vec<String>) {
    let (base, query) = uri.split_once('?').unwrap_or((uri, ""));
    let (scheme, rest) = base.split_once("://").unwrap_or(("", base));
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    // Kotlin records the IMDS role list as `…/security-credentials`; every SDK sends the
    // trailing slash (so do the smithy-rs recordings).
    let path = match path.trim_end_matches('/') {
        "" => "/",
        p => p,
    };
    let mut params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    params.sort();
    (
        format!("{}://{}", scheme.to_ascii_lowercase(), authority),
        path.to_owned(),
        params,
    )
}

/// A media type without its parameters (`; charset=utf-8`).
fn media_type(v: &str) -> &str {
    v.split(';').next().unwrap_or_default().trim()
}

impl Transport for Replay {
    type Error = ErrorKind;

    fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), ErrorKind> {
        self.sent += 1;
        let method = request.method().as_str();
        let actual = format!(
            "{}://{}{}",
            request.scheme().as_str(),
            request.host(),
            request.target()
        );
        let ex = match self.pending.pop_front() {
            Some(ex) => ex,
            None => {
                // Past the recording: a retry of its last request gets the same answer again;
                // anything else is refused.
                let retry = self.last.as_ref().filter(|last| {
                    last.method.eq_ignore_ascii_case(method)
                        && split_uri(&self.expected_uri(last)) == split_uri(&actual)
                });
                match retry {
                    Some(last) => {
                        self.repeats += 1;
                        self.current = Some(last.clone());
                        return Ok(());
                    }
                    None => {
                        self.extra.insert(format!("{method} {actual}"));
                        return Err(ErrorKind::ConnectionRefused);
                    }
                }
            }
        };
        self.last = Some(ex.clone());
        if !ex.method.eq_ignore_ascii_case(request.method().as_str()) {
            self.mismatches.push(format!(
                "request {}: method {} (recorded {})",
                self.sent,
                request.method().as_str(),
                ex.method
            ));
        }
        let expected = self.expected_uri(&ex);
        if split_uri(&actual) != split_uri(&expected) {
            self.mismatches.push(format!(
                "request {}: {actual} (expected {expected})",
                self.sent
            ));
        }
        for (name, want) in &ex.headers {
            if !CHECKED_HEADERS.contains(&name.as_str()) {
                continue;
            }
            let got = request.headers().get(name).unwrap_or_default();
            let same = if name == "content-type" {
                media_type(got) == media_type(want)
            } else {
                got == want
            };
            if !same {
                self.mismatches.push(format!(
                    "request {}: header {name}: {got:?} (recorded {want:?})",
                    self.sent
                ));
            }
        }
        self.current = Some(ex);
        Ok(())
    }

    fn write_body(&mut self, _bytes: &[u8]) -> Result<(), ErrorKind> {
        Ok(())
    }

    fn finish(&mut self, response: &mut ResponseHead) -> Result<(), ErrorKind> {
        let Some(ex) = &self.current else {
            return Err(ErrorKind::Protocol);
        };
        let Some(status) = ex.status else {
            return Err(ErrorKind::ConnectionReset);
        };
        response.set_status(status);
        for (name, value) in &ex.response_headers {
            if name != "content-length" {
                let _ = response.push_header(name, value);
            }
        }
        let _ = response.push_header("content-length", &ex.body.len().to_string());
        Ok(())
    }

    fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let Some(ex) = &mut self.current else {
            return Ok(0);
        };
        let n = buf.len().min(ex.body.len());
        buf[..n].copy_from_slice(&ex.body[..n]);
        ex.body.drain(..n);
        Ok(n)
    }
}

// ---- the host ----------------------------------------------------------------------------------

/// The host of one case: absolute paths live in the case's `fs/`.
#[derive(Debug)]
struct CaseHost {
    fs: PathBuf,
    std: StdHost,
}

impl CaseHost {
    fn map(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.starts_with(&self.fs) {
            return p.to_owned();
        }
        self.fs.join(path.trim_start_matches('/'))
    }
}

impl CredentialsHost for CaseHost {
    fn read_file(&self, path: &str, buf: &mut [u8]) -> Result<usize, HostError> {
        self.std
            .read_file(self.map(path).to_str().unwrap_or(path), buf)
    }
    fn read_sso_cache(&self, key: &str, buf: &mut [u8]) -> Result<usize, HostError> {
        self.std.read_sso_cache(key, buf)
    }
    // `write_sso_cache` keeps its default (Unsupported): the test data is never written.
    fn run_process(&self, command: &str, buf: &mut [u8]) -> Result<usize, HostError> {
        self.std.run_process(command, buf)
    }
}

/// The case's cache: one slot and the case host.
#[derive(Debug)]
struct CaseCache {
    slot: Mutex<CacheSlot>,
    host: CaseHost,
}

impl SharedCredentials for CaseCache {
    fn with_slot(&self, f: &mut dyn FnMut(&mut CacheSlot)) {
        f(&mut self.slot.lock().unwrap());
    }
    fn host(&self) -> &dyn CredentialsHost {
        &self.host
    }
}

// ---- running one case --------------------------------------------------------------------------

/// What a case gave: credentials or an error message, and what the replay saw.
#[derive(Debug)]
struct Run {
    result: Result<Credentials, String>,
    sent: usize,
    recorded: usize,
    repeats: usize,
    extra: Vec<String>,
    mismatches: Vec<String>,
}

/// How a suite's cases are run.
#[derive(Debug, Clone, Copy)]
struct Suite {
    path: &'static str,
    /// Kotlin's traffic format (else smithy-rs's).
    kotlin: bool,
    /// The profile is given as `Options.profile` (`AWS_PROFILE`, else `default`).
    explicit_profile: bool,
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

fn run_case(dir: &Path, suite: Suite, traffic_rules: Traffic) -> Run {
    let fs = dir.join("fs");
    let home = fs.join("home");
    let mut env = StdEnv::from_vars(Vec::<(String, String)>::new());
    if let Some(Value::Object(vars)) = read_json(&dir.join("env.json")) {
        for (k, v) in vars {
            let v = v.as_str().unwrap_or_default();
            if k == "HOME" {
                env.set(&k, home.to_str().unwrap());
            } else {
                env.set(&k, v);
            }
        }
    }
    let profile = env_profile(dir);
    let traffic = match read_json(&dir.join("http-traffic.json")) {
        Some(v) if suite.kotlin => kotlin_traffic(&v),
        Some(v) => smithy_traffic(&v),
        None => Vec::new(),
    };
    let now = traffic
        .iter()
        .find_map(Exchange::date)
        .unwrap_or(UNRECORDED_TIME);
    let mut platform = Bundle {
        transport: Replay::new(traffic, traffic_rules.hosts),
        clock: FakeClock::at(now),
        sleep: RecordingSleep::new(),
        entropy: FakeEntropy::new(7),
    };
    let options = Options {
        shared_config_state: SharedConfigState::Enable,
        profile: suite.explicit_profile.then_some(profile.as_str()),
        ..Options::default()
    };
    // Without HOME the case has no home directory at all (never the real one).
    let resolver = HomeResolver {
        fallback: HomeFallback::Nothing,
        ..HomeResolver::default()
    };
    let result = match load_with(&options, env, &resolver) {
        Err(e) => Err(format!("creating the session: {e}")),
        Ok(loaded) => {
            let mut session = loaded.into_session();
            let cache: &'static CaseCache = Box::leak(Box::new(CaseCache {
                slot: Mutex::new(CacheSlot::new()),
                host: CaseHost {
                    fs,
                    std: StdHost::new(Some(home)),
                },
            }));
            session.share_credentials(cache);
            let mut out = Credentials::EMPTY;
            session
                .retrieve_credentials(&mut platform, &mut out)
                .map(|_| out)
                .map_err(|e| e.to_string())
        }
    };
    let replay = platform.transport;
    Run {
        result,
        sent: replay.sent,
        recorded: replay.total,
        repeats: replay.repeats,
        extra: replay.extra.into_iter().collect(),
        mismatches: replay.mismatches,
    }
}

/// `AWS_PROFILE` of the case, else `default`.
fn env_profile(dir: &Path) -> String {
    read_json(&dir.join("env.json"))
        .and_then(|env| env["AWS_PROFILE"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "default".to_owned())
}

// ---- checking ----------------------------------------------------------------------------------

fn upstream_creds(dir: &Path) -> Option<Creds> {
    let case = read_json(&dir.join("test-case.json"))?;
    let ok = case["result"].get("Ok")?;
    let s = |k: &str| -> Option<&'static str> {
        ok[k]
            .as_str()
            .map(|v| &*Box::leak(v.to_owned().into_boxed_str()))
    };
    Some(Creds {
        access_key_id: s("access_key_id")?,
        secret_access_key: s("secret_access_key")?,
        session_token: s("session_token"),
        expiry: ok["expiry"].as_u64(),
    })
}

fn upstream_error(dir: &Path) -> Option<String> {
    let case = read_json(&dir.join("test-case.json"))?;
    case["result"]["ErrorContains"].as_str().map(str::to_owned)
}

fn check_creds(got: &Result<Credentials, String>, want: &Creds) -> Result<(), String> {
    let c = got
        .as_ref()
        .map_err(|e| format!("expected credentials, got: {e}"))?;
    let actual = (
        c.access_key_id.as_str(),
        c.secret_access_key.expose(),
        c.session_token.as_ref().map(|t| t.expose()),
        c.expires.map(UnixTime::secs),
    );
    let expected = (
        want.access_key_id,
        want.secret_access_key,
        want.session_token,
        want.expiry,
    );
    if actual == expected {
        Ok(())
    } else {
        Err(format!("credentials {actual:?}, expected {expected:?}"))
    }
}

fn check_error(got: &Result<Credentials, String>, words: &str) -> Result<(), String> {
    match got {
        Ok(c) => Err(format!(
            "expected an error containing {words:?}, got credentials {}",
            c.access_key_id.as_str()
        )),
        Err(e) if e.contains(words) => Ok(()),
        Err(e) => Err(format!("error {e:?} does not contain {words:?}")),
    }
}

/// Per-suite tally.
#[derive(Debug, Default)]
struct Tally {
    passed: usize,
    diverged: usize,
    not_applicable: usize,
}

/// Checks one case; `Ok(true)` when it gave upstream's answer, `Ok(false)` for Go v1's.
fn check_case(dir: &Path, suite: Suite, expect: Expect) -> Result<bool, String> {
    let traffic = match expect {
        Expect::GoV1 { traffic, .. } => traffic,
        _ => AS_RECORDED,
    };
    let run = run_case(dir, suite, traffic);
    let summary = || {
        format!(
            "result {:?}, sent {} of {} recorded, {} repeated, extra {:?}",
            run.result
                .as_ref()
                .map(|c| c.access_key_id.as_str().to_owned()),
            run.sent,
            run.recorded,
            run.repeats,
            run.extra
        )
    };
    let answer = match expect {
        Expect::Same => Answer::Upstream,
        Expect::SameError(words) => Answer::Error(words),
        Expect::GoV1 { answer, .. } => answer,
        Expect::NotApplicable(_) => return Ok(false),
    };
    match answer {
        Answer::Upstream => match upstream_creds(dir) {
            Some(want) => check_creds(&run.result, &want),
            None => Err("upstream expects an error".into()),
        },
        Answer::Creds(want) => check_creds(&run.result, &want),
        Answer::Error(words) => {
            if upstream_error(dir).is_none() && matches!(expect, Expect::SameError(_)) {
                return Err("upstream expects credentials".into());
            }
            check_error(&run.result, words)
        }
    }
    .map_err(|e| format!("{e}; {}", summary()))?;
    if !run.mismatches.is_empty() {
        return Err(format!(
            "traffic differs: {:?}; {}",
            run.mismatches,
            summary()
        ));
    }
    let unsent = run
        .recorded
        .saturating_sub(run.sent.saturating_sub(run.repeats));
    let mut extra: Vec<&str> = traffic.extra.to_vec();
    extra.sort_unstable();
    if unsent != 0 || run.repeats != traffic.repeats || run.extra != extra {
        return Err(format!(
            "traffic: expected all {} recorded, {} repeated, extra {:?}; {}",
            run.recorded,
            traffic.repeats,
            traffic.extra,
            summary()
        ));
    }
    Ok(matches!(expect, Expect::Same | Expect::SameError(_)))
}

fn run_suite(suite: Suite, cases: &[(&str, Expect)]) {
    let Some(root) = common::testdata(suite.path) else {
        return;
    };
    let on_disk: BTreeSet<String> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = cases.iter().map(|(n, _)| (*n).to_owned()).collect();
    let mut failures = Vec::new();
    for missing in on_disk.difference(&listed) {
        failures.push(format!("{missing}: not accounted for"));
    }
    for gone in listed.difference(&on_disk) {
        failures.push(format!("{gone}: listed but not in the suite"));
    }
    let mut tally = Tally::default();
    for (name, expect) in cases.iter().filter(|(n, _)| on_disk.contains(*n)) {
        if let Expect::NotApplicable(why) = expect {
            println!("  {name}: not applicable: {why}");
            tally.not_applicable += 1;
            continue;
        }
        match check_case(&root.join(name), suite, *expect) {
            Ok(true) => tally.passed += 1,
            Ok(false) => {
                if let Expect::GoV1 { row, .. } = expect {
                    println!("  {name}: Go v1's answer (docs/divergences.md {row})");
                }
                tally.diverged += 1;
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!(
        "{}: {} cases: {} passed, {} diverged as Go v1, {} not applicable",
        suite.path,
        on_disk.len(),
        tally.passed,
        tally.diverged,
        tally.not_applicable
    );
    assert!(
        failures.is_empty(),
        "{}:\n{}",
        suite.path,
        failures.join("\n")
    );
    assert_eq!(
        tally.passed + tally.diverged + tally.not_applicable,
        on_disk.len(),
        "{}: every case is accounted for",
        suite.path
    );
}

#[test]
fn smithy_rs_default_credential_provider_chain() {
    let suite = Suite {
        path: concat!(
            "credential-provider-chain/smithy-rs/aws/rust-runtime/aws-config/test-data",
            "/default-credential-provider-chain"
        ),
        kotlin: false,
        explicit_profile: false,
    };
    run_suite(suite, DEFAULT_CHAIN);
}

#[test]
fn smithy_rs_profile_provider() {
    let suite = Suite {
        path: concat!(
            "credential-provider-chain/smithy-rs/aws/rust-runtime/aws-config/test-data",
            "/profile-provider"
        ),
        kotlin: false,
        explicit_profile: true,
    };
    run_suite(suite, PROFILE_PROVIDER);
}

#[test]
fn smithy_rs_default_token_provider_chain() {
    let suite = Suite {
        path: concat!(
            "credential-provider-chain/smithy-rs/aws/rust-runtime/aws-config/test-data",
            "/default-token-provider-chain"
        ),
        kotlin: false,
        explicit_profile: false,
    };
    run_suite(suite, TOKEN_CHAIN);
}

#[test]
fn kotlin_default_provider_chain() {
    let suite = Suite {
        path: concat!(
            "credential-provider-chain/aws-sdk-kotlin/aws-runtime/aws-config/common",
            "/test-resources/default-provider-chain"
        ),
        kotlin: true,
        explicit_profile: false,
    };
    run_suite(suite, KOTLIN_CHAIN);
}
