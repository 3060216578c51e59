//! Secrets never leak: known marker values for the secret access key and the session token (from
//! the environment, from `~/.aws/credentials`, from a `credential_process` and from the container
//! endpoint, whose authorization token is a marker too) are driven through
//! every public `Debug`/`Display` of the std adapter's secret-bearing values (sessions, configs,
//! credentials, clients, platforms, errors) and through every CLI subcommand, on its success and
//! its error paths, and no output may hold them.
//!
//! The allowed places, each checked exactly:
//! * `aws-session credentials` prints the keys on stdout: that is its job (its stderr is checked);
//! * the session token is part of the request that `sign` prints (`X-Amz-Security-Token:` header
//!   line) and of the URL that `presign` prints (`X-Amz-Security-Token=` query parameter): those
//!   exact occurrences are removed before the check, any other is a leak.
//!
//! The derived SigV4 signing key (kSigning, as hex) must never appear either. The log shim writes
//! nothing in std builds (without `defmt` its macros only type-check their arguments), and
//! core proves at compile time that no secret type implements `Display` or `defmt::Format`
//! (`core/src/secret.rs`, `never_printed`); zeroization is tested in core's unit tests.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

use aws_session_core::secret::SecretKey;
use aws_session_core::session::Options;
use aws_session_core::sigv4::derive_signing_key;
use aws_session_core::text::Field;
use aws_session_std::credentials::{resolve, run_credential_process};
use aws_session_std::transport::HttpsConfig;
use aws_session_std::{load_with, HomeFallback, HomeResolver, Platform, StdEnv, StdPlatform};
use common::cli::{run, stdout};
use common::write;

const AKID: &str = "AKIDLEAKTEST00000001";
const ENV_SECRET: &str = "EnvSecretMarker/Leak+0123456789abcdefABCDEF";
const ENV_TOKEN: &str = "EnvTokenMarker-Leak0123456789-QQQQQQQQQQQQQQQQQQQQ";
const FILE_SECRET: &str = "FileSecretMarker/Leak+0123456789abcdefABCD";
const FILE_TOKEN: &str = "FileTokenMarker-Leak0123456789-RRRRRRRRRRRRRRRRRR";
const PROC_SECRET: &str = "ProcSecretMarker/Leak+0123456789abcdefABCD";
const PROC_TOKEN: &str = "ProcTokenMarker-Leak0123456789-SSSSSSSSSSSSSSSSSS";
const CONTAINER_TOKEN: &str = "ContainerTokenMarker-Leak0123456789";
/// The signing time of every signed command, so that the signing keys are known.
const TIME: &str = "20150830T123600Z";

/// Fragments that betray a secret: every marker holds them.
const FRAGMENTS: [&str; 3] = ["SecretMarker", "TokenMarker", "Leak+0123456789"];

/// kSigning, as lowercase hex, of `secret` for 2015-08-30 in us-east-1 for `service`.
fn signing_key_hex(secret: &str, service: &str) -> String {
    let secret = SecretKey::new(secret, Field::SecretAccessKey).unwrap();
    let key = derive_signing_key(&secret, "20150830", "us-east-1", service);
    key.expose().iter().map(|b| format!("{b:02x}")).collect()
}

/// Every forbidden string: the fragments and the signing keys of all three secrets.
fn forbidden() -> Vec<String> {
    let mut all: Vec<String> = FRAGMENTS.iter().map(|s| (*s).to_owned()).collect();
    for secret in [ENV_SECRET, FILE_SECRET, PROC_SECRET] {
        for service in ["s3", "sts", "execute-api"] {
            let hex = signing_key_hex(secret, service);
            all.push(hex[..24].to_owned());
            all.push(hex[..24].to_uppercase());
        }
    }
    all
}

/// Asserts that `text` (named `what`) holds nothing forbidden.
fn assert_clean(text: &str, what: &str) {
    for f in forbidden() {
        assert!(!text.contains(&f), "{f:?} leaked in {what}:\n{text}");
    }
}

/// A plain-HTTP server on 127.0.0.1 answering every connection with `status` and a fixed body;
/// returns its port. It lives as long as the test process.
fn server(status: &'static str) -> u16 {
    server_with(
        status,
        "<Error><Code>SomeCode</Code><Message>no secrets here</Message></Error>".to_owned(),
    )
}

/// [`server`] answering with `text` as the body.
fn server_with(status: &'static str, text: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            let _ = std::io::Read::read_exact(&mut reader, &mut body);
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    port
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `~/.aws/credentials` and `~/.aws/config` with file keys, `credential_process` profiles (good,
/// malformed, wrong version, failing with the secret on its stdout) and an assume-role profile.
fn write_profiles(home: &Path, sts: &str) {
    write(
        home,
        ".aws/credentials",
        format!(
            "[default]\naws_access_key_id = AKIDFILE000000000001\naws_secret_access_key = {FILE_SECRET}\n\
             aws_session_token = {FILE_TOKEN}\n"
        ),
    );
    let json = format!(
        "{{\"Version\":1,\"AccessKeyId\":\"AKIDPROC000000000001\",\"SecretAccessKey\":\"{PROC_SECRET}\",\
         \"SessionToken\":\"{PROC_TOKEN}\"}}"
    );
    let cut = &json[..json.len() - 30];
    let v2 = json.replace("\"Version\":1", "\"Version\":2");
    write(
        home,
        ".aws/config",
        format!(
            "[default]\nregion = us-east-1\n\
             [profile proc]\nregion = us-east-1\ncredential_process = printf '%s' '{json}'\n\
             [profile procbad]\nregion = us-east-1\ncredential_process = printf '%s' '{cut}'\n\
             [profile procv2]\nregion = us-east-1\ncredential_process = printf '%s' '{v2}'\n\
             [profile procfail]\nregion = us-east-1\ncredential_process = sh -c 'echo {PROC_SECRET}; exit 3'\n\
             [profile role]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/r\n\
             source_profile = default\nsts_regional_endpoints = regional\nendpoint_url = {sts}\n"
        ),
    );
}

/// Checks one run: no forbidden string on stderr; none on stdout either, except the allowed places.
fn check(o: &Output, args: &[&str], case: &str) {
    let what = format!("{case}: aws-session {}", args.join(" "));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert_clean(&err, &format!("stderr of {what}"));
    if args.first() == Some(&"credentials") {
        return;
    }
    let mut out = String::from_utf8_lossy(&o.stdout).into_owned();
    for token in [ENV_TOKEN, FILE_TOKEN, PROC_TOKEN] {
        match args.first() {
            Some(&"sign") => {
                out = out.replace(&format!("X-Amz-Security-Token: {token}\n"), "");
            }
            Some(&"presign") => out = out.replace(&format!("X-Amz-Security-Token={token}"), ""),
            _ => {}
        }
    }
    assert_clean(&out, &format!("stdout of {what}"));
}

/// Every subcommand with a session that works, as argument lists.
fn commands(ok: u16, forbidden_port: u16, failing: u16, refused: u16) -> Vec<Vec<String>> {
    let s3 = "https://bucket.s3.amazonaws.com/key";
    let local = |port: u16| format!("http://127.0.0.1:{port}/bucket/key");
    let lists: Vec<Vec<&str>> = vec![
        vec!["configure", "list"],
        vec!["configure", "list", "--json"],
        vec!["configure", "list", "--all"],
        vec!["configure", "list", "--all", "--json"],
        vec!["configure", "list", "--shared-config", "enable", "--all"],
        vec!["configure", "list", "--shared-config", "disable", "--json"],
        vec!["sign", "--service", "s3", "--time", TIME, s3],
        vec![
            "sign",
            "--service",
            "s3",
            "--time",
            TIME,
            "-X",
            "POST",
            "-d",
            "body",
            "-H",
            "x-a: b",
            s3,
        ],
        vec![
            "sign",
            "--service",
            "s3",
            "--time",
            TIME,
            "--unsigned-payload",
            "-X",
            "PUT",
            "-d",
            "x",
            s3,
        ],
        vec!["sign", "--service", "s3", "--time", TIME, "--sigv4a", s3],
        vec![
            "sign",
            "--service",
            "s3",
            "--time",
            TIME,
            "--region-set",
            "us-*",
            s3,
        ],
        vec![
            "sign",
            "--service",
            "execute-api",
            "--time",
            TIME,
            "https://abc.execute-api.us-east-1.amazonaws.com/x",
        ],
        vec!["presign", "--service", "s3", "--time", TIME, s3],
        vec![
            "presign",
            "--service",
            "s3",
            "--time",
            TIME,
            "--expires",
            "60",
            "-X",
            "PUT",
            s3,
        ],
        vec!["presign", "--service", "s3", "--time", TIME, "--sigv4a", s3],
        vec!["credentials"],
        vec!["credentials", "--format", "json"],
        vec!["credentials", "--format", "env"],
    ];
    let mut all: Vec<Vec<String>> = lists
        .into_iter()
        .map(|a| a.into_iter().map(str::to_owned).collect())
        .collect();
    for (port, extra) in [
        (ok, vec![]),
        (ok, vec!["-i"]),
        (ok, vec!["-X", "PUT", "-d", "data"]),
        (forbidden_port, vec!["--fail"]),
        (forbidden_port, vec!["-i"]),
        (failing, vec![]),
        (refused, vec![]),
    ] {
        let mut a: Vec<String> = ["curl", "--service", "s3", "--time", TIME]
            .into_iter()
            .map(str::to_owned)
            .collect();
        a.extend(extra.into_iter().map(str::to_owned));
        a.push(local(port));
        all.push(a);
    }
    all
}

/// Subcommands that fail on their own arguments.
fn bad_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["sign", "--service", "s3", "not a url"],
        vec!["sign", "https://bucket.s3.amazonaws.com/key"],
        vec![
            "sign",
            "--service",
            "s3",
            "--time",
            "yesterday",
            "https://b.s3.amazonaws.com/k",
        ],
        vec![
            "sign",
            "--service",
            "s3",
            "-H",
            "no colon",
            "https://b.s3.amazonaws.com/k",
        ],
        vec![
            "sign",
            "--service",
            "s3",
            "--data-file",
            "/nonexistent/file",
            "https://b.s3.amazonaws.com/k",
        ],
        vec![
            "sign",
            "--service",
            "s3",
            "--region",
            "bad region!",
            "https://b.s3.amazonaws.com/k",
        ],
        vec![
            "sign",
            "--service",
            "s3",
            "--region-set",
            ",,,",
            "https://b.s3.amazonaws.com/k",
        ],
        vec![
            "presign",
            "--service",
            "s3",
            "--expires",
            "0",
            "https://b.s3.amazonaws.com/k",
        ],
        vec![
            "presign",
            "--service",
            "s3",
            "--expires",
            "999999999999",
            "https://b.s3.amazonaws.com/k",
        ],
        vec!["curl", "--service", "s3", "ftp://example.com/x"],
        vec!["configure", "list", "--profile", "missing"],
        vec!["credentials", "--profile", "missing"],
        vec![
            "sign",
            "--profile",
            "missing",
            "--service",
            "s3",
            "https://b.s3.amazonaws.com/k",
        ],
        vec!["nonsense"],
        vec!["--help"],
        vec!["--version"],
    ]
}

#[test]
fn no_cli_output_shows_a_secret_except_credentials() {
    let (ok, forbidden_port, failing, refused) = (
        server("200 OK"),
        server("403 Forbidden"),
        server("500 Internal Server Error"),
        closed_port(),
    );
    let home = common::cli::home();
    write_profiles(home.path(), &format!("http://127.0.0.1:{refused}"));
    let env_keys: &[(&str, &str)] = &[
        ("AWS_ACCESS_KEY_ID", AKID),
        ("AWS_SECRET_ACCESS_KEY", ENV_SECRET),
        ("AWS_SESSION_TOKEN", ENV_TOKEN),
        ("AWS_REGION", "us-east-1"),
    ];
    // The container credentials endpoint, with an authorization token (itself a secret).
    let container = format!(
        "http://127.0.0.1:{}/creds",
        server_with(
            "200 OK",
            format!(
                "{{\"AccessKeyId\":\"AKIDCONTAINER0000001\",\"SecretAccessKey\":\"{PROC_SECRET}\",\
                 \"Token\":\"{PROC_TOKEN}\",\"Expiration\":\"2099-01-01T00:00:00Z\"}}"
            ),
        )
    );
    let container_env: &[(&str, &str)] = &[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &container),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_TOKEN),
        ("AWS_REGION", "us-east-1"),
    ];
    let mut runs = 0;
    let mut credentials_printed = 0;
    // Keys from the environment, from the credentials file, from credential_process, and an
    // assume-role profile whose STS call is refused.
    for (case, vars, profile) in [
        ("env keys", env_keys, None),
        ("file keys", &[("AWS_REGION", "us-east-1")][..], None),
        (
            "file keys via AWS_PROFILE",
            &[("AWS_PROFILE", "default"), ("AWS_SDK_LOAD_CONFIG", "1")][..],
            None,
        ),
        ("credential_process", &[][..], Some("proc")),
        ("assume-role, STS refused", &[][..], Some("role")),
        ("container endpoint", container_env, None),
    ] {
        for args in commands(ok, forbidden_port, failing, refused) {
            let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
            if let Some(p) = profile {
                if args[0] == "configure" {
                    args.splice(2..2, ["--profile", p]);
                } else {
                    args.splice(1..1, ["--profile", p]);
                }
            }
            let o = run(home.path(), vars, &args);
            check(&o, &args, case);
            runs += 1;
            if args[0] == "credentials" && o.status.success() {
                let out = stdout(&o);
                assert!(
                    [ENV_SECRET, FILE_SECRET, PROC_SECRET]
                        .iter()
                        .any(|s| out.contains(s)),
                    "{case}: credentials prints the secret: {out}"
                );
                credentials_printed += 1;
            }
        }
    }
    assert!(credentials_printed >= 12, "{credentials_printed}");

    // Error paths: bad arguments with working keys, and broken keys or profiles that hold secrets.
    for args in bad_commands() {
        let o = run(home.path(), env_keys, &args);
        check(&o, &args, "bad arguments");
        runs += 1;
    }
    let long_secret = ENV_SECRET.repeat(4);
    let long_token = ENV_TOKEN.repeat(100);
    let newline_secret = format!("{ENV_SECRET}\nmore");
    let bad_env: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "secret over its limit",
            vec![
                ("AWS_ACCESS_KEY_ID", AKID),
                ("AWS_SECRET_ACCESS_KEY", &long_secret),
            ],
        ),
        (
            "token over its limit",
            vec![
                ("AWS_ACCESS_KEY_ID", AKID),
                ("AWS_SECRET_ACCESS_KEY", ENV_SECRET),
                ("AWS_SESSION_TOKEN", &long_token),
            ],
        ),
        (
            "secret with a newline",
            vec![
                ("AWS_ACCESS_KEY_ID", AKID),
                ("AWS_SECRET_ACCESS_KEY", &newline_secret),
            ],
        ),
        (
            "secret without a key id",
            vec![
                ("AWS_SECRET_ACCESS_KEY", ENV_SECRET),
                ("AWS_SESSION_TOKEN", ENV_TOKEN),
            ],
        ),
    ];
    let broken_files = [
        ("no '=' on the secret's line", format!("[default]\naws_secret_access_key {FILE_SECRET}\n")),
        ("secret before any section", format!("aws_secret_access_key = {FILE_SECRET}\n[default]\n")),
        ("byte order mark", format!("\u{feff}[default]\naws_secret_access_key = {FILE_SECRET}\n")),
        ("unterminated section", format!("[default\naws_secret_access_key = {FILE_SECRET}\n")),
        ("secret over its limit", format!("[default]\naws_access_key_id = A\naws_secret_access_key = {}\n", FILE_SECRET.repeat(4))),
        ("token over its limit", format!("[default]\naws_access_key_id = A\naws_secret_access_key = s\naws_session_token = {}\n", FILE_TOKEN.repeat(100))),
        ("secret without a key id", format!("[default]\naws_secret_access_key = {FILE_SECRET}\n")),
    ];
    let sign = [
        "sign",
        "--service",
        "s3",
        "--time",
        TIME,
        "https://b.s3.amazonaws.com/k",
    ];
    let curl_ok = format!("http://127.0.0.1:{ok}/b/k");
    let per_case: Vec<Vec<&str>> = vec![
        sign.to_vec(),
        vec![
            "presign",
            "--service",
            "s3",
            "--time",
            TIME,
            "https://b.s3.amazonaws.com/k",
        ],
        vec!["curl", "--service", "s3", &curl_ok],
        vec!["configure", "list", "--all"],
        vec!["configure", "list", "--json"],
        vec!["credentials"],
    ];
    for (case, vars) in &bad_env {
        let mut vars = vars.clone();
        vars.push(("AWS_REGION", "us-east-1"));
        let empty = common::cli::home();
        for args in &per_case {
            let o = run(empty.path(), &vars, args);
            check(&o, args, case);
            runs += 1;
        }
    }
    for (case, text) in &broken_files {
        let h = common::cli::home();
        write(h.path(), ".aws/credentials", text);
        for args in &per_case {
            let o = run(h.path(), &[("AWS_REGION", "us-east-1")], args);
            check(&o, args, case);
            runs += 1;
        }
    }
    for profile in ["procbad", "procv2", "procfail"] {
        for args in &per_case {
            let mut args = args.clone();
            if args[0] == "configure" {
                args.splice(2..2, ["--profile", profile]);
            } else {
                args.splice(1..1, ["--profile", profile]);
            }
            let o = run(home.path(), &[], &args);
            check(&o, &args, profile);
            if args[0] == "credentials" {
                assert!(!o.status.success(), "{profile}: {}", stdout(&o));
                assert_clean(
                    &stdout(&o),
                    &format!("stdout of a failed credentials ({profile})"),
                );
            }
            runs += 1;
        }
    }
    println!("{runs} runs of aws-session, no secret outside `credentials`");
    assert!(runs > 150, "{runs}");
}

/// A session loaded from `vars` and the files under `home`.
fn load(
    vars: &[(&str, &str)],
    home: &Path,
) -> Result<aws_session_std::LoadedSession, aws_session_std::LoadError> {
    let mut all: Vec<(&str, &str)> = vars.to_vec();
    let home_str = home.to_str().unwrap();
    all.push(("HOME", home_str));
    let env = StdEnv::from_vars(all);
    let resolver = HomeResolver {
        platform: Platform::current(),
        fallback: HomeFallback::Nothing,
    };
    load_with(&Options::default(), env, &resolver)
}

#[test]
fn debug_and_display_of_sessions_credentials_and_errors_hide_the_secrets() {
    let home = common::cli::home();
    let refused = closed_port();
    write_profiles(home.path(), &format!("http://127.0.0.1:{refused}"));
    let mut shown: Vec<(String, String)> = Vec::new();
    let mut show = |what: &str, text: String| shown.push((what.to_owned(), text));

    for (case, vars) in [
        (
            "env",
            vec![
                ("AWS_ACCESS_KEY_ID", AKID),
                ("AWS_SECRET_ACCESS_KEY", ENV_SECRET),
                ("AWS_SESSION_TOKEN", ENV_TOKEN),
                ("AWS_REGION", "us-east-1"),
            ],
        ),
        (
            "file",
            vec![("AWS_REGION", "us-east-1"), ("AWS_SDK_LOAD_CONFIG", "1")],
        ),
        (
            "process",
            vec![("AWS_PROFILE", "proc"), ("AWS_SDK_LOAD_CONFIG", "1")],
        ),
        (
            "role",
            vec![("AWS_PROFILE", "role"), ("AWS_SDK_LOAD_CONFIG", "1")],
        ),
        (
            "container",
            vec![
                (
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    "http://127.0.0.1:9/creds",
                ),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_TOKEN),
                ("AWS_REGION", "us-east-1"),
            ],
        ),
    ] {
        let loaded = load(&vars, home.path()).expect("session");
        show(case, format!("{loaded:?} {loaded:#?}"));
        show(case, format!("{:?} {:#?}", loaded.env(), loaded.files()));
        let session = loaded.session();
        show(case, format!("{session:?}"));
        show(
            case,
            format!("{:?} {:#?}", session.config(), session.credentials()),
        );
        let client = session.client("s3").expect("client");
        show(case, format!("{:?}", client.credentials()));
        show(case, format!("{:?}", client.info()));
        match resolve(session) {
            Ok((creds, provider)) => {
                show(case, format!("{creds:?} {creds:#?} {provider:?}"));
                // The keys really are the markers: this test would catch a leak.
                assert!(FRAGMENTS
                    .iter()
                    .any(|f| creds.secret_access_key.expose().contains(f)));
            }
            Err(e) => show(case, format!("{e} {e:?}")),
        }
        let platform = StdPlatform::with_config(&HttpsConfig::default()).unwrap();
        show(case, format!("{platform:?}"));
    }

    // Errors made from inputs that hold secrets.
    let long = ENV_SECRET.repeat(4);
    for vars in [
        vec![
            ("AWS_ACCESS_KEY_ID", AKID),
            ("AWS_SECRET_ACCESS_KEY", long.as_str()),
        ],
        vec![
            ("AWS_ACCESS_KEY_ID", AKID),
            ("AWS_SECRET_ACCESS_KEY", ENV_SECRET),
            ("AWS_SESSION_TOKEN", &*ENV_TOKEN.repeat(100)),
        ],
    ] {
        let e = load(&vars, common::cli::home().path())
            .map(|_| ())
            .unwrap_err();
        show("env error", format!("{e} {e:?}"));
    }
    for text in [
        format!("[default]\naws_secret_access_key {FILE_SECRET}\n"),
        format!("aws_secret_access_key = {FILE_SECRET}\n[default]\n"),
        format!("[default\naws_secret_access_key = {FILE_SECRET}\n"),
        format!(
            "[default]\naws_access_key_id = A\naws_secret_access_key = {}\n",
            FILE_SECRET.repeat(4)
        ),
    ] {
        let h = common::cli::home();
        write(h.path(), ".aws/credentials", &text);
        match load(&[("AWS_REGION", "us-east-1")], h.path()) {
            Err(e) => show("file error", format!("{e} {e:?}")),
            Ok(l) => {
                show("file, loaded", format!("{l:?}"));
                if let Err(e) = resolve(l.session()) {
                    show("file error", format!("{e} {e:?}"));
                }
            }
        }
    }
    for command in [
        format!("printf '%s' '{{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"{PROC_SECRET}\"'"),
        format!("printf '%s' '{{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"{PROC_SECRET}\"}}'"),
        format!("printf '%s' '{{\"Version\":1,\"SecretAccessKey\":\"{PROC_SECRET}\"}}'"),
        format!("sh -c 'echo {PROC_SECRET}; exit 3'"),
        format!("echo {PROC_SECRET}"),
    ] {
        match run_credential_process(&command, core::time::Duration::from_secs(10)) {
            Ok(c) => show("process", format!("{c:?}")),
            Err(e) => show("process error", format!("{e} {e:?}")),
        }
    }
    assert!(shown.len() > 30, "{}", shown.len());
    for (what, text) in &shown {
        assert_clean(text, what);
    }
}
