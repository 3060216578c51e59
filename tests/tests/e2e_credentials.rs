//! Credentials that need a call, end to end: assume-role chains, web identity, MFA, refresh
//! under load, `ExpiredToken`, EC2 instance metadata and the container endpoint.
//!
//! STS calls go to moto with its signature checks on (`MOTO_*`), or, for the unsigned
//! `AssumeRoleWithWebIdentity`, to the second moto with its checks off (`MOTO_NOAUTH_*`), each
//! time through `tests/peers/sts_proxy.py`, which forwards every request unchanged and logs it
//! (action, parameters, the key that signed it, what an `AssumeRole*` answer issued), so the
//! tests count STS calls at the server side. Instance metadata and the container endpoint are
//! `tests/peers/imds.py`, one server per case with the case's fault.
//!
//! Every test also checks that no secret key or session token it saw issued appears in any
//! output but `aws-session credentials`.

use core::time::Duration;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use aws_session_core::client::Client;
use aws_session_core::session::{Options, Session};
use aws_session_std::{load_with, HomeResolver, LoadErrorKind, LoadedSession, StdEnv, StdPlatform};
use aws_session_tests::{binary, err, ok, out, peer, Peer, PyServer};
use serde_json::Value;

const GET_CALLER_IDENTITY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
const FORM: &str = "Content-Type: application/x-www-form-urlencoded";

// What tests/peers/imds.py issues.
const IMDS_KEY: &str = "ASIAIMDSE2E000000001";
const IMDS_SECRET: &str = "imdsSecretE2E/0000000000000000000000000001";
const IMDS_TOKEN: &str = "imdsSessionTokenE2E000000000000000000000000000001";
const CONTAINER_KEY: &str = "ASIACONTAINERE2E0001";
const CONTAINER_SECRET: &str = "containerSecretE2E/00000000000000000000001";
const CONTAINER_TOKEN: &str = "containerSessionTokenE2E0000000000000000000000001";

fn moto() -> Peer {
    peer("MOTO")
}

/// The four roles `scripts/peers.sh` created in moto: three hops and one for MFA.
fn roles() -> Vec<String> {
    let arns = std::env::var("MOTO_ROLE_ARNS")
        .expect("MOTO_ROLE_ARNS (scripts/peers.sh start creates the roles)");
    let arns: Vec<String> = arns.split_whitespace().map(str::to_owned).collect();
    assert_eq!(arns.len(), 4, "MOTO_ROLE_ARNS: {arns:?}");
    arns
}

fn noauth_moto() -> (String, String) {
    let get = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| panic!("{name} (scripts/peers.sh start)"))
    };
    let endpoint = get("MOTO_NOAUTH_ENDPOINT");
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    (endpoint, get("MOTO_NOAUTH_ROLE_ARN"))
}

/// The counting proxy in front of `upstream`.
fn sts_proxy(upstream: &str) -> PyServer {
    PyServer::start("sts_proxy.py", &[upstream])
}

/// The proxy's log, oldest first.
fn proxy_log(proxy: &PyServer) -> Vec<Value> {
    match serde_json::from_str(&proxy.get("/_proxy/log")) {
        Ok(Value::Array(entries)) => entries,
        other => panic!("proxy log: {other:?}"),
    }
}

/// The log entries of `action`.
fn calls<'a>(log: &'a [Value], action: &str) -> Vec<&'a Value> {
    log.iter().filter(|e| e["action"] == action).collect()
}

/// Asserts that no secret in `secrets` appears in `text` (the output `what`).
fn assert_hidden(text: &str, secrets: &[String], what: &str) {
    for s in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(!text.contains(s.as_str()), "{what} shows a secret: {text}");
    }
}

/// A temporary HOME with `~/.aws/credentials` and `~/.aws/config`.
fn home(credentials: &str, config: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("temp HOME");
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(home.path().join(".aws/credentials"), credentials).unwrap();
    std::fs::write(home.path().join(".aws/config"), config).unwrap();
    home
}

/// `aws-session ARGS…` with only `HOME`, `AWS_REGION`, `AWS_SDK_LOAD_CONFIG=1` and `env` set,
/// `stdin` as its standard input (empty when `None`).
fn cli(home: &Path, env: &[(&str, &str)], args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(binary())
        .env_clear()
        .env("HOME", home)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_SDK_LOAD_CONFIG", "1")
        .envs(env.iter().copied())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run aws-session");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(pipe);
    child.wait_with_output().expect("aws-session output")
}

/// A session made by the library from exactly `vars` (and `HOME`), as an application makes one.
fn load(home: &Path, vars: &[(&str, &str)], options: &Options<'_>) -> LoadedSession {
    let mut env = StdEnv::from_vars(vars.iter().copied());
    env.set("HOME", home.to_str().expect("UTF-8 temp path"));
    env.set("AWS_REGION", "us-east-1");
    env.set("AWS_SDK_LOAD_CONFIG", "1");
    load_with(options, env, &HomeResolver::default()).expect("load the session")
}

/// STS GetCallerIdentity through `Client::send` (the session's STS endpoint); the body.
fn send_caller_identity(session: &Session, platform: &mut StdPlatform) -> String {
    let client = session.client("sts").expect("sts client");
    send_caller_identity_with(&client, platform)
}

/// [`send_caller_identity`] with `client`.
fn send_caller_identity_with(client: &Client<'_>, platform: &mut StdPlatform) -> String {
    let mut request = client
        .form_request("GetCallerIdentity", GET_CALLER_IDENTITY)
        .expect("request");
    let mut body = [0u8; 4096];
    request.set_response_buffer(&mut body);
    client
        .send(&mut request, platform)
        .unwrap_or_else(|e| panic!("GetCallerIdentity: {e}"));
    assert_eq!(request.response.status(), 200);
    String::from_utf8_lossy(request.response_body()).into_owned()
}

/// Polls `condition` every 50 ms until it holds or `limit` passes; whether it held.
fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `aws-session curl` of STS GetCallerIdentity at `url`.
fn caller_identity_args<'a>(profile: &'a [&'a str], url: &'a str) -> Vec<&'a str> {
    let mut args = vec!["curl", "--fail", "--service", "sts"];
    args.extend_from_slice(profile);
    args.extend_from_slice(&["-H", FORM, "--data", GET_CALLER_IDENTITY, url]);
    args
}

/// A JSON object printed on stdout.
fn json(o: &Output) -> Value {
    serde_json::from_str(ok(o).trim()).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

/// Whether `s` is an RFC 3339 UTC time as the CLI prints it (`2006-01-02T15:04:05Z`).
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// The secret keys and session tokens the proxy saw STS issue.
fn issued(proxy: &PyServer) -> (Vec<String>, Vec<String>) {
    let log = proxy_log(proxy);
    let get = |field: &str| -> Vec<String> {
        log.iter()
            .filter_map(|e| e[field].as_str().map(str::to_owned))
            .collect()
    };
    (get("new_secret"), get("new_token"))
}

/// Runs the outputs that must never show a secret — `configure list` (table and JSON), `sign`,
/// `curl` — with `profile` and `url`, then checks them against `secrets` and `tokens` plus every
/// secret `proxy` saw issued meanwhile (each run resolves credentials anew). `sign` may show a
/// session token only as the signed request's `X-Amz-Security-Token` header, where it belongs.
fn assert_no_leaks(
    home: &Path,
    env: &[(&str, &str)],
    profile: &[&str],
    url: &str,
    proxy: Option<&PyServer>,
    secrets: &[&str],
    tokens: &[&str],
) {
    let with = |args: &[&'static str]| -> Vec<&str> {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(profile);
        all
    };
    let mfa = Some("000000\n");
    let table = cli(home, env, &with(&["configure", "list"]), mfa);
    let listed = cli(home, env, &with(&["configure", "list", "--json"]), mfa);
    let mut sign = with(&["sign", "--service", "sts"]);
    sign.extend_from_slice(&["-H", FORM, "--data", GET_CALLER_IDENTITY, url]);
    let signed = cli(home, env, &sign, mfa);
    let curled = cli(home, env, &caller_identity_args(profile, url), mfa);

    let (mut all_secrets, mut all_tokens) = proxy.map(issued).unwrap_or_default();
    all_secrets.extend(secrets.iter().map(|s| (*s).to_owned()));
    all_tokens.extend(tokens.iter().map(|s| (*s).to_owned()));
    let all: Vec<String> = all_secrets.iter().chain(&all_tokens).cloned().collect();
    for (what, o) in [
        ("configure list", &table),
        ("configure list --json", &listed),
        ("curl", &curled),
    ] {
        assert_hidden(&out(o), &all, what);
        assert_hidden(&err(o), &all, what);
    }
    assert_hidden(&out(&signed), &all_secrets, "sign");
    assert_hidden(&err(&signed), &all, "sign (stderr)");
    for line in out(&signed).lines() {
        if all_tokens.iter().any(|t| line.contains(t.as_str())) {
            assert!(
                line.to_ascii_lowercase()
                    .starts_with("x-amz-security-token: "),
                "sign shows a session token in {line}"
            );
        }
    }
}

// ---- 1. assume-role chains through the CLI ------------------------------------------------------

/// Profiles `hop1` (default session name), `hop2` and `hop3` chained by `source_profile` from the
/// moto user's static keys in `[base]`.
fn chain_home(p: &Peer, roles: &[String]) -> tempfile::TempDir {
    home(
        &format!(
            "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            p.access_key_id, p.secret
        ),
        &format!(
            "[profile hop1]\nrole_arn = {}\nsource_profile = base\n\n\
             [profile hop2]\nrole_arn = {}\nsource_profile = hop1\nrole_session_name = e2e-two\n\n\
             [profile hop3]\nrole_arn = {}\nsource_profile = hop2\nrole_session_name = e2e-three\n",
            roles[0], roles[1], roles[2]
        ),
    )
}

/// A library session of profile `hop1` (see [`chain_home`]) whose STS calls go through its own
/// counting proxy; `duration_secs` is `Options::assume_role_duration_secs` (0: Go v1's default).
struct ProxiedSession {
    proxy: PyServer,
    loaded: LoadedSession,
    _home: tempfile::TempDir,
}

fn hop1_session(duration_secs: u32) -> ProxiedSession {
    let p = moto();
    let proxy = sts_proxy(&p.endpoint);
    let home = chain_home(&p, &roles());
    let loaded = load(
        home.path(),
        &[("AWS_ENDPOINT_URL_STS", proxy.url().as_str())],
        &Options {
            profile: Some("hop1"),
            assume_role_duration_secs: duration_secs,
            ..Options::default()
        },
    );
    ProxiedSession {
        proxy,
        loaded,
        _home: home,
    }
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn assume_role_chains_of_one_two_and_three_hops() {
    let p = moto();
    let roles = roles();
    let home = chain_home(&p, &roles);
    for hops in 1..=3usize {
        let proxy = sts_proxy(&p.endpoint);
        let sts = proxy.url();
        let env = [("AWS_ENDPOINT_URL_STS", sts.as_str())];
        let profile = format!("hop{hops}");
        let flag = ["--profile", profile.as_str()];

        // GetCallerIdentity answers as the last role of the chain.
        let body = ok(&cli(
            home.path(),
            &env,
            &caller_identity_args(&flag, &sts),
            None,
        ));
        let role_name = roles[hops - 1].rsplit('/').next().unwrap();
        let arn = format!("<Arn>arn:aws:sts::123456789012:assumed-role/{role_name}/");
        assert!(body.contains(&arn), "{hops} hops: {body}");
        match hops {
            1 => {
                // Go v1's default session name: the time in Unix nanoseconds.
                let name = body.split(&arn).nth(1).unwrap().split('<').next().unwrap();
                assert!(
                    name.len() >= 19 && name.bytes().all(|b| b.is_ascii_digit()),
                    "{name}"
                );
            }
            2 => assert!(body.contains("/e2e-two</Arn>"), "{body}"),
            _ => assert!(body.contains("/e2e-three</Arn>"), "{body}"),
        }

        // One AssumeRole per hop, in order, each signed with the credentials before it.
        let log = proxy_log(&proxy);
        let assumed = calls(&log, "AssumeRole");
        assert_eq!(assumed.len(), hops, "{log:?}");
        let mut signer = p.access_key_id.clone();
        for (i, call) in assumed.iter().enumerate() {
            assert_eq!(call["params"]["RoleArn"], roles[i].as_str());
            assert_eq!(
                call["akid"],
                signer.as_str(),
                "hop {} signed by the hop before",
                i + 1
            );
            assert_eq!(
                call["token"],
                i > 0,
                "only assumed-role credentials carry a token"
            );
            assert_eq!(
                call["params"]["DurationSeconds"], "900",
                "Go v1's default duration"
            );
            assert_eq!(call["status"], 200);
            signer = call["new_akid"].as_str().unwrap().to_owned();
        }
        let identity = calls(&log, "GetCallerIdentity");
        assert_eq!(identity.len(), 1);
        assert_eq!(
            identity[0]["akid"],
            signer.as_str(),
            "signed with the last hop's keys"
        );
        assert_eq!(identity[0]["token"], true);

        // `credentials` prints them in each format; the printed keys work on their own.
        let process = json(&cli(
            home.path(),
            &env,
            &["credentials", "--profile", &profile],
            None,
        ));
        let key = process["AccessKeyId"].as_str().unwrap().to_owned();
        let secret = process["SecretAccessKey"].as_str().unwrap().to_owned();
        let token = process["SessionToken"].as_str().unwrap().to_owned();
        assert_eq!(process["Version"], 1);
        assert!(key.starts_with("ASIA"), "{key}");
        assert!(
            is_rfc3339(process["Expiration"].as_str().unwrap()),
            "{process}"
        );
        assert!(process.get("ProviderName").is_none(), "{process}");
        let j = json(&cli(
            home.path(),
            &env,
            &["credentials", "--profile", &profile, "--format", "json"],
            None,
        ));
        assert_eq!(j["ProviderName"], "AssumeRoleProvider");
        assert!(j["SecretAccessKey"].as_str().is_some_and(|s| !s.is_empty()));
        let e = ok(&cli(
            home.path(),
            &env,
            &["credentials", "--profile", &profile, "--format", "env"],
            None,
        ));
        for var in [
            "AWS_ACCESS_KEY_ID=",
            "AWS_SECRET_ACCESS_KEY=",
            "AWS_SESSION_TOKEN=",
            "AWS_CREDENTIAL_EXPIRATION=",
        ] {
            assert!(
                e.lines().any(|l| l.starts_with(&format!("export {var}"))),
                "{e}"
            );
        }
        let static_env = [
            ("AWS_ACCESS_KEY_ID", key.as_str()),
            ("AWS_SECRET_ACCESS_KEY", secret.as_str()),
            ("AWS_SESSION_TOKEN", token.as_str()),
        ];
        let empty = tempfile::tempdir().unwrap();
        let body = ok(&cli(
            empty.path(),
            &static_env,
            &caller_identity_args(&[], &p.endpoint),
            None,
        ));
        assert!(body.contains(&arn), "the printed credentials work: {body}");

        // `configure list --json`: the provider and an RFC 3339 expiry 15 minutes ahead.
        let listed = json(&cli(
            home.path(),
            &env,
            &["configure", "list", "--profile", &profile, "--json"],
            None,
        ));
        let c = &listed["credentials"];
        assert_eq!(c["provider"], "AssumeRoleProvider", "{listed}");
        assert_eq!(c["session_token"], true);
        assert!(is_rfc3339(c["expires"].as_str().unwrap()), "{listed}");
        assert_eq!(listed["credentials_error"], Value::Null);

        // 7. No secret of any hop anywhere else.
        assert_no_leaks(
            home.path(),
            &env,
            &flag,
            &sts,
            Some(&proxy),
            &[&p.secret],
            &[],
        );
    }
}

// ---- 2. web identity ---------------------------------------------------------------------------

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn web_identity_from_the_environment_and_from_a_profile() {
    let (moto, role) = noauth_moto();
    let proxy = sts_proxy(&moto);
    let sts = proxy.url();
    let token = "eyJhbGciOiJSUzI1NiJ9.e2e-web-identity-token.signature";
    let home = home(
        "",
        &format!(
            "[profile web]\nrole_arn = {role}\nweb_identity_token_file = TOKEN\n\
             role_session_name = e2e-web-profile\n"
        ),
    );
    let token_file = home.path().join("token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    let config = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        config.replace("TOKEN", token_file.to_str().unwrap()),
    )
    .unwrap();
    let file = token_file.to_str().unwrap();
    let from_env = [
        ("AWS_ENDPOINT_URL_STS", sts.as_str()),
        ("AWS_ROLE_ARN", role.as_str()),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", file),
        ("AWS_ROLE_SESSION_NAME", "e2e-web-env"),
    ];
    let from_profile = [("AWS_ENDPOINT_URL_STS", sts.as_str())];
    for (env, profile, name) in [
        (&from_env[..], &[][..], "e2e-web-env"),
        (
            &from_profile[..],
            &["--profile", "web"][..],
            "e2e-web-profile",
        ),
    ] {
        let before = calls(&proxy_log(&proxy), "AssumeRoleWithWebIdentity").len();
        let mut args = vec!["credentials", "--format", "json"];
        args.extend_from_slice(profile);
        let c = json(&cli(home.path(), env, &args, None));
        assert_eq!(c["ProviderName"], "WebIdentityCredentials", "{c}");
        assert!(is_rfc3339(c["Expiration"].as_str().unwrap()), "{c}");
        let log = proxy_log(&proxy);
        let web = calls(&log, "AssumeRoleWithWebIdentity");
        assert_eq!(web.len(), before + 1, "{log:?}");
        let call = web[before];
        assert_eq!(
            call["akid"],
            Value::Null,
            "AssumeRoleWithWebIdentity is unsigned"
        );
        assert_eq!(
            call["params"]["WebIdentityToken"], token,
            "the file, trimmed"
        );
        assert_eq!(call["params"]["RoleArn"], role.as_str());
        assert_eq!(call["params"]["RoleSessionName"], name);
        assert_eq!(call["new_akid"], c["AccessKeyId"]);

        let body = ok(&cli(
            home.path(),
            env,
            &caller_identity_args(profile, &sts),
            None,
        ));
        assert!(
            body.contains(&format!(
                "assumed-role/aws-session-e2e-web-identity/{name}</Arn>"
            )),
            "{body}"
        );
        let mut list = vec!["configure", "list", "--json"];
        list.extend_from_slice(profile);
        let listed = json(&cli(home.path(), env, &list, None));
        assert_eq!(listed["credentials"]["provider"], "WebIdentityCredentials");
        assert!(is_rfc3339(
            listed["credentials"]["expires"].as_str().unwrap()
        ));
        assert_no_leaks(home.path(), env, profile, &sts, Some(&proxy), &[], &[]);
    }
}

/// Go v1 reads the token file again on every refresh: the second AssumeRoleWithWebIdentity of
/// one session carries the file's new content.
#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn web_identity_token_file_is_read_again_on_refresh() {
    let (moto, role) = noauth_moto();
    let proxy = sts_proxy(&moto);
    // The credentials expire 2 s after they are issued.
    proxy.post("/_proxy/config", r#"{"expire_in": 2}"#);
    let sts = proxy.url();
    let home = tempfile::tempdir().unwrap();
    let token_file = home.path().join("token");
    std::fs::write(&token_file, "first-token").unwrap();
    let loaded = load(
        home.path(),
        &[
            ("AWS_ENDPOINT_URL_STS", sts.as_str()),
            ("AWS_ROLE_ARN", role.as_str()),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap()),
        ],
        &Options::default(),
    );
    let mut platform = StdPlatform::new(loaded.session()).unwrap();
    let body = send_caller_identity(loaded.session(), &mut platform);
    assert!(
        body.contains("assumed-role/aws-session-e2e-web-identity/"),
        "{body}"
    );
    std::fs::write(&token_file, "second-token").unwrap();
    let web = || calls(&proxy_log(&proxy), "AssumeRoleWithWebIdentity").len();
    assert_eq!(web(), 1, "the first call fetched once");
    let refreshed = wait_until(Duration::from_secs(20), || {
        send_caller_identity(loaded.session(), &mut platform);
        web() >= 2
    });
    assert!(refreshed, "no refresh after the credentials expired");
    let log = proxy_log(&proxy);
    let web = calls(&log, "AssumeRoleWithWebIdentity");
    assert_eq!(web[0]["params"]["WebIdentityToken"], "first-token");
    assert_eq!(web[1]["params"]["WebIdentityToken"], "second-token");
    // Go v1's default session name (Unix nanoseconds) for both.
    for call in &web {
        let name = call["params"]["RoleSessionName"].as_str().unwrap();
        assert!(name.bytes().all(|b| b.is_ascii_digit()), "{name}");
    }
}

// ---- 3. refresh under load -----------------------------------------------------------------------

/// 16 threads send GetCallerIdentity through one session whose assume-role credentials last
/// three seconds, for about four of those periods. STS must see exactly one AssumeRole per
/// refresh: every call's credentials were used, no two calls fall in one validity period, and no
/// request was signed with credentials past their expiry.
#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn sixteen_threads_refresh_with_one_sts_call_per_refresh() {
    const THREADS: usize = 16;
    const DURATION_SECS: u32 = 3;
    const RUN: Duration = Duration::from_secs(12);
    let hop1 = hop1_session(DURATION_SECS);
    let (proxy, session) = (&hop1.proxy, hop1.loaded.session());
    let started = Instant::now();
    let sent: Vec<usize> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(move || {
                    let mut platform = StdPlatform::new(session).unwrap();
                    let mut n = 0;
                    while started.elapsed() < RUN {
                        let body = send_caller_identity(session, &mut platform);
                        assert!(
                            body.contains("assumed-role/aws-session-e2e-hop-1/"),
                            "{body}"
                        );
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let log = proxy_log(proxy);
    let assumed = calls(&log, "AssumeRole");
    let identity = calls(&log, "GetCallerIdentity");
    let total: usize = sent.iter().sum();
    eprintln!(
        "refresh under load: {THREADS} threads, {total} GetCallerIdentity in {elapsed:.1} s, \
         {} AssumeRole calls (credentials last {DURATION_SECS} s)",
        assumed.len()
    );
    assert_eq!(identity.len(), total, "every request reached STS once");
    assert!(identity.iter().all(|e| e["status"] == 200));
    for call in &assumed {
        assert_eq!(call["params"]["DurationSeconds"], DURATION_SECS.to_string());
        assert_eq!(call["status"], 200);
    }

    // One call per refresh: each call's keys signed requests, and the keys that signed requests
    // are exactly the ones the calls issued.
    let issued: Vec<&str> = assumed
        .iter()
        .map(|c| c["new_akid"].as_str().unwrap())
        .collect();
    let mut used: Vec<&str> = identity
        .iter()
        .map(|e| e["akid"].as_str().unwrap())
        .collect();
    used.sort_unstable();
    used.dedup();
    let mut sorted = issued.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted, used,
        "each AssumeRole answer was used, and only those"
    );
    // No two calls within one validity period: a call comes only once the credentials before it
    // expired (the clock has whole seconds, hence the second of slack).
    for pair in assumed.windows(2) {
        let expires = pair[0]["expires"].as_f64().unwrap();
        let next = pair[1]["t"].as_f64().unwrap();
        assert!(
            next >= expires - 1.0,
            "AssumeRole at {next} while the keys until {expires} were valid"
        );
    }
    // Nothing signed with expired credentials (a request may arrive a moment after it was signed).
    for e in &identity {
        let key = e["akid"].as_str().unwrap();
        let call = assumed.iter().find(|c| c["new_akid"] == key).unwrap();
        let expires = call["expires"].as_f64().unwrap();
        assert!(
            e["t"].as_f64().unwrap() < expires + 1.0,
            "signed with expired credentials"
        );
    }
    // About one refresh per period.
    let periods = elapsed / f64::from(DURATION_SECS);
    let n = assumed.len() as f64;
    assert!(
        n >= periods.floor() && n <= periods.ceil() * 1.5 + 1.0,
        "{n} refreshes in {periods:.1} periods"
    );
}

// ---- 4. ExpiredToken ---------------------------------------------------------------------------

/// A GetCallerIdentity answered with `ExpiredToken` expires the cache; the retry signs with newly
/// fetched credentials and succeeds.
#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn expired_token_expires_refreshes_and_the_retry_succeeds() {
    let hop1 = hop1_session(0);
    let (proxy, loaded) = (&hop1.proxy, &hop1.loaded);
    let mut platform = StdPlatform::new(loaded.session()).unwrap();
    // The client's own error decoder (`awssession.UnmarshalErrorHandler`) reads the code.
    let client = loaded.session().client("sts").unwrap();
    proxy.post("/_proxy/config", r#"{"fail": {"GetCallerIdentity": 1}}"#);
    let body = send_caller_identity_with(&client, &mut platform);
    assert!(
        body.contains("assumed-role/aws-session-e2e-hop-1/"),
        "{body}"
    );
    let log = proxy_log(proxy);
    let sequence: Vec<(&str, u64)> = log
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["status"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        sequence,
        [
            ("AssumeRole", 200),
            ("GetCallerIdentity", 400),
            ("AssumeRole", 200),
            ("GetCallerIdentity", 200)
        ]
    );
    assert_eq!(log[1]["akid"], log[0]["new_akid"]);
    assert_eq!(
        log[3]["akid"], log[2]["new_akid"],
        "the retry signs with the new keys"
    );
    assert_ne!(log[0]["new_akid"], log[2]["new_akid"]);
    // The next request uses the cache: no third AssumeRole.
    send_caller_identity_with(&client, &mut platform);
    assert_eq!(calls(&proxy_log(proxy), "AssumeRole").len(), 2);
}

// ---- 5. MFA ------------------------------------------------------------------------------------

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn mfa_code_from_the_terminal_reaches_assume_role() {
    let p = moto();
    let roles = roles();
    let proxy = sts_proxy(&p.endpoint);
    let sts = proxy.url();
    let serial = "arn:aws:iam::123456789012:mfa/aws-session-e2e";
    let home = home(
        &format!(
            "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            p.access_key_id, p.secret
        ),
        &format!(
            "[profile mfa]\nrole_arn = {}\nsource_profile = base\nmfa_serial = {serial}\n",
            roles[3]
        ),
    );
    let env = [("AWS_ENDPOINT_URL_STS", sts.as_str())];
    let flag = ["--profile", "mfa"];

    // The code typed at the prompt goes to STS with the device's serial number.
    let o = cli(
        home.path(),
        &env,
        &["credentials", "--profile", "mfa", "--format", "json"],
        Some("123456\n"),
    );
    let c = json(&o);
    assert_eq!(c["ProviderName"], "AssumeRoleProvider");
    assert!(
        err(&o).contains("Assume Role MFA token code: "),
        "{}",
        err(&o)
    );
    let log = proxy_log(&proxy);
    let assumed = calls(&log, "AssumeRole");
    assert_eq!(assumed.len(), 1);
    assert_eq!(assumed[0]["params"]["SerialNumber"], serial);
    assert_eq!(assumed[0]["params"]["TokenCode"], "123456");
    assert_eq!(assumed[0]["params"]["RoleArn"], roles[3].as_str());

    // curl prompts too and answers as the role.
    let o = cli(
        home.path(),
        &env,
        &caller_identity_args(&flag, &sts),
        Some("654321\n"),
    );
    assert!(
        ok(&o).contains("assumed-role/aws-session-e2e-mfa/"),
        "{}",
        out(&o)
    );
    let log = proxy_log(&proxy);
    assert_eq!(
        calls(&log, "AssumeRole")[1]["params"]["TokenCode"],
        "654321"
    );

    // No code typed: the prompt's error, and no AssumeRole call.
    let o = cli(
        home.path(),
        &env,
        &["credentials", "--profile", "mfa"],
        Some(""),
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("MFA"), "{}", err(&o));
    assert_eq!(calls(&proxy_log(&proxy), "AssumeRole").len(), 2);
    let listed = json(&cli(
        home.path(),
        &env,
        &["configure", "list", "--profile", "mfa", "--json"],
        Some("\n"),
    ));
    assert_eq!(listed["credentials"], Value::Null);
    assert!(
        listed["credentials_error"]
            .as_str()
            .unwrap()
            .contains("MFA"),
        "{listed}"
    );

    assert_no_leaks(
        home.path(),
        &env,
        &flag,
        &sts,
        Some(&proxy),
        &[&p.secret],
        &[],
    );

    // Through the library without a token provider: Go v1's creation error.
    let e = load_with(
        &Options {
            profile: Some("mfa"),
            ..Options::default()
        },
        StdEnv::from_vars([
            ("HOME", home.path().to_str().unwrap()),
            ("AWS_SDK_LOAD_CONFIG", "1"),
            ("AWS_REGION", "us-east-1"),
        ]),
        &HomeResolver::default(),
    )
    .expect_err("mfa_serial without a token provider");
    assert_eq!(e.kind(), LoadErrorKind::Config);
    // Go v1's text, with the profile named.
    let text = e.to_string();
    assert!(text.starts_with("assume role with MFA enabled"), "{text}");
    assert!(
        text.ends_with("but AssumeRoleTokenProvider session option not set."),
        "{text}"
    );
}

// ---- 6. instance metadata and the container endpoint -------------------------------------------

/// What a case of the metadata server should end in.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    /// Credentials from this provider, with this access key.
    Credentials(&'static str, &'static str),
    /// No credentials; the error says this.
    Error(&'static str),
}

/// One run of `configure list --json`, `credentials --format json` and the `configure list`
/// table against a fresh `imds.py FAULTS…` with `env` (the server's URL replaces `{url}`);
/// returns the server's request log of the first run (`configure list --json`).
fn metadata_case(faults: &[&str], env: &[(&str, &str)], outcome: Outcome) -> Vec<Value> {
    let server = PyServer::start("imds.py", faults);
    let url = server.url();
    let home = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.replace("{url}", &url)))
        .chain([("AWS_EC2_METADATA_SERVICE_ENDPOINT".to_owned(), url.clone())])
        .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let case = format!("{faults:?} {env:?}");

    let listed = json(&cli(
        home.path(),
        &env,
        &["configure", "list", "--json"],
        None,
    ));
    let log: Vec<Value> = match serde_json::from_str(&server.get("/_imds/log")) {
        Ok(Value::Array(a)) => a,
        other => panic!("imds log: {other:?}"),
    };
    let creds = cli(
        home.path(),
        &env,
        &["credentials", "--format", "json"],
        None,
    );
    let table = cli(home.path(), &env, &["configure", "list"], None);
    match outcome {
        Outcome::Credentials(provider, key) => {
            assert_eq!(
                listed["credentials"]["provider"], provider,
                "{case}: {listed}"
            );
            assert!(
                is_rfc3339(listed["credentials"]["expires"].as_str().unwrap()),
                "{case}"
            );
            let c = json(&creds);
            assert_eq!(c["ProviderName"], provider, "{case}");
            assert_eq!(c["AccessKeyId"], key, "{case}");
            assert!(out(&table).contains(provider), "{case}: {}", out(&table));
        }
        Outcome::Error(text) => {
            assert_eq!(listed["credentials"], Value::Null, "{case}: {listed}");
            let error = listed["credentials_error"].as_str().unwrap_or_default();
            assert!(error.contains(text), "{case}: {error}");
            assert_eq!(creds.status.code(), Some(1), "{case}");
            assert!(err(&creds).contains(text), "{case}: {}", err(&creds));
            assert_eq!(out(&creds), "", "{case}");
            assert!(out(&table).contains(text), "{case}: {}", out(&table));
        }
    }
    // 7. The secrets appear in `credentials` only.
    let secrets = [IMDS_SECRET, IMDS_TOKEN, CONTAINER_SECRET, CONTAINER_TOKEN].map(str::to_owned);
    assert_hidden(&listed.to_string(), &secrets, "configure list --json");
    assert_hidden(&out(&table), &secrets, "configure list");
    assert_hidden(&err(&table), &secrets, "configure list (stderr)");
    assert_hidden(&err(&creds), &secrets, "credentials (stderr)");
    log
}

/// The request log as `METHOD path [token]` lines.
fn requests(log: &[Value]) -> Vec<String> {
    log.iter()
        .map(|e| {
            let token = if e["token"] == true { " +token" } else { "" };
            format!(
                "{} {}{token}",
                e["method"].as_str().unwrap(),
                e["path"].as_str().unwrap()
            )
        })
        .collect()
}

const PUT_TOKEN: &str = "PUT /latest/api/token";
const LIST: &str = "GET /latest/meta-data/iam/security-credentials/";
const ROLE: &str = "GET /latest/meta-data/iam/security-credentials/aws-session-e2e-instance-role";

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn instance_metadata_v2_and_its_faults_end_as_in_go_v1() {
    let imds = Outcome::Credentials("EC2RoleProvider", IMDS_KEY);
    let with_token = [
        PUT_TOKEN.to_owned(),
        format!("{LIST} +token"),
        format!("{ROLE} +token"),
    ];
    let without_token = [PUT_TOKEN.to_owned(), LIST.to_owned(), ROLE.to_owned()];

    // IMDSv2: the token PUT asks for Go v1's 21600 s, every GET carries the token.
    let log = metadata_case(&[], &[], imds);
    assert_eq!(requests(&log), with_token);
    assert_eq!(log[0]["ttl"], "21600");
    // An instance that requires IMDSv2 answers a GET without a token with 401; none is sent.
    assert_eq!(
        requests(&metadata_case(&["--v2-only"], &[], imds)),
        with_token
    );
    // Fallback to IMDSv1 is disabled, and the token works: same as above.
    let v1_off = [("AWS_EC2_METADATA_V1_DISABLED", "true")];
    assert_eq!(
        requests(&metadata_case(&["--v2-only"], &v1_off, imds)),
        with_token
    );

    // Token PUT refused with 403, 404 or 405: Go v1 falls back to IMDSv1 (GETs without a token)...
    for status in ["403", "404", "405"] {
        let log = metadata_case(&["--token-status", status], &[], imds);
        assert_eq!(requests(&log), without_token, "{status}");
        // ...unless the fallback is disabled.
        let log = metadata_case(
            &["--token-status", status],
            &v1_off,
            Outcome::Error("failed to get IMDSv2 token and fallback to IMDSv1 is disabled"),
        );
        assert_eq!(requests(&log), [PUT_TOKEN], "{status}");
    }
    // 400 is an error, with or without the fallback.
    let log = metadata_case(&["--token-status", "400"], &[], Outcome::Error("HTTP 400"));
    assert_eq!(requests(&log), [PUT_TOKEN]);

    // AWS_EC2_METADATA_DISABLED=true: Go v1's error, and not one request.
    let log = metadata_case(
        &[],
        &[("AWS_EC2_METADATA_DISABLED", "true")],
        Outcome::Error("EC2 IMDS access disabled via AWS_EC2_METADATA_DISABLED env var"),
    );
    assert_eq!(requests(&log), Vec::<String>::new());

    // No role: Go v1's EC2RoleProvider error.
    let log = metadata_case(&["--no-role"], &[], Outcome::Error("EC2RoleProvider"));
    assert_eq!(requests(&log), with_token[..2]);
    // Malformed credentials JSON: an error naming the provider, no panic, no secret.
    metadata_case(&["--malformed"], &[], Outcome::Error("EC2RoleProvider"));
    // A 500 is retried (Go v1: 2 retries on the metadata client) and the retry succeeds.
    let log = metadata_case(&["--creds-500-once"], &[], imds);
    let mut retried = with_token.to_vec();
    retried.push(format!("{ROLE} +token"));
    assert_eq!(requests(&log), retried);
}

/// Go v1 gives the metadata client a 1 s timeout with 2 retries, so a token PUT that never
/// answers costs about 3 s before the IMDSv1 fallback; ours asks the transport for the same 1 s
/// (`HttpRequest::timeout_ms`).
#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn instance_metadata_token_put_that_hangs_falls_back_within_seconds() {
    let started = Instant::now();
    let log = metadata_case(
        &["--token-hang"],
        &[],
        Outcome::Credentials("EC2RoleProvider", IMDS_KEY),
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(requests(&log)[3..], [LIST.to_owned(), ROLE.to_owned()]);
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn container_endpoint_with_its_authorization_token() {
    let container = Outcome::Credentials("CredentialsEndpointProvider", CONTAINER_KEY);
    let full = (
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "{url}/container/creds",
    );
    let want = ["--container-token", "Bearer e2e-container-token"];
    let authorization =
        |log: &[Value]| -> Vec<Value> { log.iter().map(|e| e["authorization"].clone()).collect() };

    // AWS_CONTAINER_AUTHORIZATION_TOKEN is sent as the Authorization header.
    let log = metadata_case(
        &want,
        &[
            full,
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "Bearer e2e-container-token",
            ),
        ],
        container,
    );
    assert_eq!(requests(&log), ["GET /container/creds"]);
    assert_eq!(authorization(&log), ["Bearer e2e-container-token"]);

    // A wrong token: the endpoint's own error code and message.
    let log = metadata_case(
        &want,
        &[full, ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong")],
        Outcome::Error("AccessDenied: wrong authorization token (HTTP 403)"),
    );
    assert_eq!(requests(&log), ["GET /container/creds"]);

    // …_TOKEN_FILE beats …_TOKEN (EKS Pod Identity); its content is trimmed.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "Bearer e2e-container-token\n").unwrap();
    let log = metadata_case(
        &want,
        &[
            full,
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong"),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                file.to_str().unwrap(),
            ),
        ],
        container,
    );
    assert_eq!(authorization(&log), ["Bearer e2e-container-token"]);

    // FULL_URI beats RELATIVE_URI; no token, no header. The container endpoint wins over IMDS.
    let log = metadata_case(
        &[],
        &[full, ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/never")],
        container,
    );
    assert_eq!(authorization(&log), [Value::Null]);
    assert_eq!(requests(&log), ["GET /container/creds"]);

    // Plain HTTP only to loopback and the ECS/EKS addresses: Go v1's error, no request.
    let log = metadata_case(
        &[],
        &[(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://example.com/creds",
        )],
        Outcome::Error(
            "invalid endpoint host, \"example.com\", only loopback/ecs/eks hosts are allowed.",
        ),
    );
    assert_eq!(requests(&log), Vec::<String>::new());
}

// ---- the AWS IoT credentials provider ----------------------------------------------------------

/// A profile whose credentials come from the AWS IoT credentials provider (`iot_provider.py`:
/// mutual TLS on 127.0.0.1, client certificates from its device CA only), which hands out the
/// credentials of a role moto issued, as the real provider hands out a role alias's: the CLI
/// gets them with the device certificate, and moto verifies the call signed with them. A device
/// certificate from another CA is refused during the handshake.
#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn iot_credentials_provider_over_mutual_tls_signs_a_call_moto_verifies() {
    let p = moto();
    let roles = roles();
    // The role's credentials, issued by moto (AssumeRole with the user's keys).
    let h = chain_home(&p, &roles);
    let moto_sts = [("AWS_ENDPOINT_URL_STS", p.endpoint.as_str())];
    let o = cli(
        h.path(),
        &moto_sts,
        &["credentials", "--profile", "hop1", "--format", "process"],
        None,
    );
    let issued = ok(&o);
    let pki = tempfile::tempdir().unwrap();
    let dir = pki.path().to_str().unwrap();
    let provider = PyServer::start_with(
        &aws_session_tests::peers_python(),
        "iot_provider.py",
        &[dir, issued.trim()],
    );
    let profile = |prefix: &str| {
        format!(
            "[profile device]\niot_credentials_endpoint = 127.0.0.1:{}\niot_role_alias = device-role\n\
             iot_thing_name = device-7\niot_certificate = {dir}/{prefix}.pem\n\
             iot_private_key = {dir}/{prefix}.key\nca_bundle = {dir}/ca.pem\n",
            provider.port
        )
    };

    let device = home("", &profile("device"));
    let o = cli(
        device.path(),
        &moto_sts,
        &["configure", "list", "--profile", "device", "--json"],
        None,
    );
    let listed = json(&o);
    assert_eq!(listed["credentials"]["provider"], "IoTCredentialsProvider");
    let url = format!("{}/", p.endpoint);
    let o = cli(
        device.path(),
        &[],
        &caller_identity_args(&["--profile", "device"], &url),
        None,
    );
    let answer = ok(&o);
    let role_name = roles[0].rsplit('/').next().unwrap();
    assert!(
        answer.contains(&format!(":assumed-role/{role_name}/")),
        "{answer}"
    );

    let stranger = home("", &profile("stranger"));
    let o = cli(
        stranger.path(),
        &[],
        &caller_identity_args(&["--profile", "device"], &url),
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let e = err(&o);
    assert!(e.contains("IoTCredentialsProvider"), "{e}");
}
