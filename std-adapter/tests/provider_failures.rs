//! Providers meeting bad answers and missing inputs, through the std host (real files) and an
//! in-memory transport that answers by path: each failure is a typed error naming the provider
//! and what was wrong, nothing panics, no secret is shown, and a failed refresh keeps the old
//! credentials until they expire.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use aws_session_core::credentials::error::FetchReason;
use aws_session_core::credentials::{Credentials, ProviderKind};
use aws_session_core::error_kind::ErrorKind;
use aws_session_core::http::{HttpRequest, ResponseHead};
use aws_session_core::platform::{Bundle, Clock, Transport};
use aws_session_core::session::{Options, Session};
use aws_session_core::time::UnixTime;
use aws_session_std::cache::sso_cache_file_name;
use aws_session_std::{load_with, HomeFallback, HomeResolver, StdEntropy, StdEnv, ThreadSleep};

mod common;

const T0: u64 = 1_700_000_000;

/// What a route answers: status and body.
type Answer = (u16, Vec<u8>);

/// A transport that answers each request with `route(method, target, body)` and counts calls.
struct Routed<F> {
    route: F,
    calls: Arc<AtomicUsize>,
    method: String,
    target: String,
    body: Vec<u8>,
    reply: Vec<u8>,
    pos: usize,
}

impl<F: FnMut(&str, &str, &str) -> Answer> Transport for Routed<F> {
    type Error = ErrorKind;
    fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), ErrorKind> {
        self.method = request.method().as_str().to_owned();
        self.target = request.target().to_owned();
        self.body.clear();
        Ok(())
    }
    fn write_body(&mut self, bytes: &[u8]) -> Result<(), ErrorKind> {
        self.body.extend_from_slice(bytes);
        Ok(())
    }
    fn finish(&mut self, response: &mut ResponseHead) -> Result<(), ErrorKind> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let body = String::from_utf8_lossy(&self.body).into_owned();
        let (status, reply) = (self.route)(&self.method, &self.target, &body);
        response.set_status(status);
        self.reply = reply;
        self.pos = 0;
        Ok(())
    }
    fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let rest = &self.reply[self.pos..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }
}

#[derive(Clone)]
struct TestClock(Arc<AtomicU64>);

impl Clock for TestClock {
    type Error = ErrorKind;
    fn now(&self) -> Result<UnixTime, ErrorKind> {
        Ok(UnixTime::from_secs(self.0.load(Ordering::SeqCst)))
    }
}

type Platform<F> = Bundle<Routed<F>, TestClock, ThreadSleep, StdEntropy>;

fn platform<F: FnMut(&str, &str, &str) -> Answer>(
    clock: &TestClock,
    route: F,
) -> (Platform<F>, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let transport = Routed {
        route,
        calls: calls.clone(),
        method: String::new(),
        target: String::new(),
        body: Vec::new(),
        reply: Vec::new(),
        pos: 0,
    };
    (
        Bundle {
            transport,
            clock: clock.clone(),
            sleep: ThreadSleep,
            entropy: StdEntropy::new(),
        },
        calls,
    )
}

/// A session from `env` and `config` under a temporary home.
fn session(home: &std::path::Path, env: &[(&str, &str)], config: &str) -> Session {
    common::write(home, ".aws/config", config);
    let mut vars: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    vars.push(("HOME".into(), home.to_str().unwrap().to_owned()));
    vars.push(("AWS_SDK_LOAD_CONFIG".into(), "1".into()));
    let resolver = HomeResolver {
        fallback: HomeFallback::Nothing,
        ..HomeResolver::default()
    };
    load_with(&Options::default(), StdEnv::from_vars(vars), &resolver)
        .unwrap()
        .into_session()
}

fn clock() -> TestClock {
    TestClock(Arc::new(AtomicU64::new(T0)))
}

fn rfc3339(secs: u64) -> String {
    UnixTime::from_secs(secs).to_datetime().unwrap().to_string()
}

const SSO_CONFIG: &str = "[default]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n\
    [sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://d-123.awsapps.com/start\n";

fn sso_cache(home: &std::path::Path, json: &str) -> std::path::PathBuf {
    let path = home
        .join(".aws/sso/cache")
        .join(sso_cache_file_name("corp"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, json).unwrap();
    path
}

fn role_credentials(expires_ms: u64) -> Vec<u8> {
    format!(r#"{{"roleCredentials":{{"accessKeyId":"ASIASSO","secretAccessKey":"ssosecret","sessionToken":"ssotoken","expiration":{expires_ms}}}}}"#).into_bytes()
}

#[test]
fn sso_without_a_cached_token_or_with_an_expired_one_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path(), &[], SSO_CONFIG);
    let c = clock();
    let (mut p, calls) = platform(&c, |_, _, _| (500, Vec::new()));
    let mut out = Credentials::EMPTY;
    let e = s.retrieve_credentials(&mut p, &mut out).unwrap_err();
    assert_eq!(e.provider, ProviderKind::Sso);
    assert!(
        e.to_string()
            .contains("reading the SSO token cache: no such file"),
        "{e}"
    );

    sso_cache(
        dir.path(),
        &format!(
            r#"{{"accessToken":"cachedtoken","expiresAt":"{}"}}"#,
            rfc3339(T0 - 1)
        ),
    );
    let e = s.retrieve_credentials(&mut p, &mut out).unwrap_err();
    assert_eq!(e.reason, FetchReason::SsoTokenExpired);
    assert!(!e.to_string().contains("cachedtoken"));
    assert_eq!(calls.load(Ordering::SeqCst), 0, "nothing was sent");
}

#[test]
fn sso_refreshes_an_expired_token_through_oidc_and_writes_the_cache_back() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path(), &[], SSO_CONFIG);
    let path = sso_cache(
        dir.path(),
        &format!(
            r#"{{"startUrl":"https://d-123.awsapps.com/start","region":"us-east-1","accessToken":"old","expiresAt":"{}","clientId":"cid","clientSecret":"csecret","registrationExpiresAt":"{}","refreshToken":"refresh1"}}"#,
            rfc3339(T0 - 10),
            rfc3339(T0 + 86_400)
        ),
    );
    let c = clock();
    let (mut p, calls) = platform(&c, |method, target, body| match (method, target) {
        ("POST", "/token") => {
            assert!(
                body.contains(r#""grantType":"refresh_token""#)
                    && body.contains(r#""refreshToken":"refresh1""#),
                "{body}"
            );
            (200, br#"{"accessToken":"new","expiresIn":3600,"refreshToken":"refresh2","tokenType":"Bearer"}"#.to_vec())
        }
        ("GET", t)
            if t.starts_with("/federation/credentials?account_id=123456789012&role_name=Dev") =>
        {
            (200, role_credentials((T0 + 3600) * 1000))
        }
        other => panic!("unexpected {other:?}"),
    });
    let mut out = Credentials::EMPTY;
    assert_eq!(
        s.retrieve_credentials(&mut p, &mut out).unwrap(),
        ProviderKind::Sso
    );
    assert_eq!(out.access_key_id.as_str(), "ASIASSO");
    assert_eq!(out.expires, Some(UnixTime::from_secs(T0 + 3600)));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let cache = std::fs::read_to_string(path).unwrap();
    assert!(
        cache.contains(r#""accessToken":"new""#) && cache.contains(r#""refreshToken":"refresh2""#),
        "{cache}"
    );
}

#[test]
fn web_identity_token_file_missing_and_bad_sts_answers_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    let env = [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.to_str().unwrap()),
    ];
    let s = session(dir.path(), &env, "");
    let c = clock();
    let answers: Vec<Answer> = vec![
        (200, b"<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>A".to_vec()),
        (200, b"{\"not\": \"xml\"}".to_vec()),
        (200, b"<AssumeRoleWithWebIdentityResponse/>".to_vec()),
    ];
    let mut next = answers.into_iter();
    let (mut p, _) = platform(&c, move |_, _, _| next.next().unwrap_or((500, Vec::new())));
    let mut out = Credentials::EMPTY;
    let e = s.retrieve_credentials(&mut p, &mut out).unwrap_err();
    assert_eq!(e.provider, ProviderKind::WebIdentity);
    assert!(
        e.to_string()
            .contains("reading the web identity token file: no such file"),
        "{e}"
    );

    std::fs::write(&token, "eyJ.token\n").unwrap();
    for _ in 0..3 {
        let e = s.retrieve_credentials(&mut p, &mut out).unwrap_err();
        assert_eq!(e.provider, ProviderKind::WebIdentity);
        assert!(matches!(e.reason, FetchReason::Sts(_)), "{e}");
    }
}

#[test]
fn a_failed_refresh_keeps_the_old_credentials_until_they_expire() {
    // Instance metadata: a five-minute refresh window.
    let dir = tempfile::tempdir().unwrap();
    let s = session(
        dir.path(),
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1"),
        ],
        "",
    );
    let down = Arc::new(AtomicUsize::new(0));
    let c = clock();
    let d = down.clone();
    let (mut p, _) = platform(&c, move |method, target, _| {
        if d.load(Ordering::SeqCst) == 1 && target.contains("security-credentials/r") {
            return (500, Vec::new());
        }
        match (method, target) {
            ("PUT", "/latest/api/token") => (200, b"tok".to_vec()),
            ("GET", "/latest/meta-data/iam/security-credentials/") => (200, b"r".to_vec()),
            ("GET", "/latest/meta-data/iam/security-credentials/r") => (
                200,
                format!(r#"{{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"s","Token":"t","Expiration":"{}"}}"#, rfc3339(T0 + 600)).into_bytes(),
            ),
            // The request being signed.
            _ => (200, b"<ok/>".to_vec()),
        }
    });
    let client = s.client("sts").unwrap();
    let send = |p: &mut Platform<_>| {
        let mut request = client
            .form_request("GetCallerIdentity", "Action=GetCallerIdentity")
            .unwrap();
        client.send(&mut request, p)
    };
    send(&mut p).unwrap();
    down.store(1, Ordering::SeqCst);
    c.0.store(T0 + 400, Ordering::SeqCst); // inside the window: a refresh is tried and fails
    send(&mut p).unwrap();
    assert_eq!(
        s.last_credentials_error().unwrap().provider,
        ProviderKind::Ec2InstanceMetadata
    );
    c.0.store(T0 + 600, Ordering::SeqCst); // expired: no credentials left
    let e = send(&mut p).unwrap_err();
    assert_eq!(e.code(), "NoCredentialProviders", "{e}");
}
