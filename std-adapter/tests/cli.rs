//! The `aws-session` binary, run as a process with a clean environment and a temporary HOME.
//!
//! Pins the CLI's contract: `configure list` (table and exact JSON), `sign` and `presign`
//! against published AWS examples, `curl` against a loopback server (status, `-i`, `--fail`),
//! exit statuses, one-line errors, access-key masking, and that no secret ever reaches the output.

mod common;

use std::net::TcpListener;
use std::process::{Command, Output};

use common::cli::{assert_one_line_error, home, run, stderr, stdout, BIN};
use common::server::{self, Reply, TestPki};
use serde_json::{json, Value};

/// The AWS documentation example keys.
const DOCS_AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const DOCS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "FQoGZXIvYXdzEXAMPLETOKENvalue0123456789";

/// Asserts that no output of `o` contains a secret.
fn assert_no_secret(o: &Output, secrets: &[&str]) {
    for s in secrets {
        assert!(!stdout(o).contains(s), "secret in stdout: {}", stdout(o));
        assert!(!stderr(o).contains(s), "secret in stderr: {}", stderr(o));
    }
}

fn json_of(o: &Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
    let text = stdout(o);
    assert_eq!(
        text.lines().count(),
        1,
        "one JSON object on one line: {text:?}"
    );
    serde_json::from_str(&text).expect("valid JSON")
}

// ---- configure list --json -----------------------------------------------------------------------

#[test]
fn json_from_environment_is_exact() {
    let h = home();
    let o = run(
        h.path(),
        &[
            ("AWS_ACCESS_KEY_ID", DOCS_AKID),
            ("AWS_SECRET_ACCESS_KEY", DOCS_SECRET),
            ("AWS_REGION", "eu-west-1"),
        ],
        &["configure", "list", "--json"],
    );
    // Field order is part of the contract too.
    assert_eq!(
        stdout(&o),
        "{\"profile\":{\"value\":\"default\",\"source\":\"default\"},\
         \"region\":{\"value\":\"eu-west-1\",\"source\":\"env:AWS_REGION\"},\
         \"credentials\":{\"access_key_id\":\"****************MPLE\",\"session_token\":false,\
         \"provider\":\"EnvConfigCredentials\",\"source\":\"env:AWS_ACCESS_KEY_ID\",\"expires\":null},\
         \"credentials_error\":null,\"shared_config_loaded\":false}\n"
    );
    assert_no_secret(&o, &[DOCS_SECRET]);
}

#[test]
fn json_from_files_names_file_and_line() {
    let h = home();
    let creds = common::write(
        h.path(),
        ".aws/credentials",
        format!("[default]\naws_access_key_id = {DOCS_AKID}\naws_secret_access_key = {DOCS_SECRET}\naws_session_token = {TOKEN}\n"),
    );
    let config = common::write(
        h.path(),
        ".aws/config",
        "[default]\n# a comment\nregion = ap-south-1\n",
    );
    let o = run(
        h.path(),
        &[("AWS_SDK_LOAD_CONFIG", "1")],
        &["configure", "list", "--json"],
    );
    assert_eq!(
        json_of(&o),
        json!({
            "profile": {"value": "default", "source": "default"},
            "region": {"value": "ap-south-1", "source": format!("file:{config}:3")},
            "credentials": {"access_key_id": "****************MPLE", "session_token": true,
                            "provider": "SharedConfigCredentials", "source": format!("file:{creds}:2"),
                            "expires": null},
            "credentials_error": null,
            "shared_config_loaded": true
        })
    );
    assert_no_secret(&o, &[DOCS_SECRET, TOKEN]);
}

#[test]
fn profile_option_beats_env_keys_but_aws_profile_does_not() {
    let h = home();
    let creds = common::write(
        h.path(),
        ".aws/credentials",
        "[dev]\naws_access_key_id = AKIDDEVPROFILE9999\naws_secret_access_key = devsecret\n",
    );
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRON0001"),
        ("AWS_SECRET_ACCESS_KEY", "envsecret"),
    ];
    let by_option = json_of(&run(
        h.path(),
        &env,
        &["configure", "list", "--json", "--profile", "dev"],
    ));
    assert_eq!(
        by_option["profile"],
        json!({"value": "dev", "source": "option"})
    );
    assert_eq!(
        by_option["credentials"]["access_key_id"],
        "**************9999"
    );
    assert_eq!(
        by_option["credentials"]["source"],
        format!("file:{creds}:2")
    );

    let mut with_var = env.to_vec();
    with_var.push(("AWS_PROFILE", "dev"));
    let by_var = json_of(&run(h.path(), &with_var, &["configure", "list", "--json"]));
    assert_eq!(
        by_var["profile"],
        json!({"value": "dev", "source": "env:AWS_PROFILE"})
    );
    assert_eq!(by_var["credentials"]["source"], "env:AWS_ACCESS_KEY_ID");
    assert_eq!(by_var["credentials"]["provider"], "EnvConfigCredentials");
}

#[test]
fn shared_config_option_overrides_the_variable() {
    let h = home();
    let config = common::write(h.path(), ".aws/config", "[default]\nregion = sa-east-1\n");
    let on = json_of(&run(
        h.path(),
        &[],
        &["configure", "list", "--json", "--shared-config", "enable"],
    ));
    assert_eq!(
        on["region"],
        json!({"value": "sa-east-1", "source": format!("file:{config}:2")})
    );
    assert_eq!(on["shared_config_loaded"], true);
    let off = json_of(&run(
        h.path(),
        &[("AWS_SDK_LOAD_CONFIG", "true")],
        &["configure", "list", "--json", "--shared-config", "disable"],
    ));
    assert_eq!(off["region"], json!({"value": null, "source": null}));
    assert_eq!(off["shared_config_loaded"], false);
}

#[test]
fn no_credentials_is_not_a_failure() {
    let h = home();
    let v = json_of(&run(h.path(), &[], &["configure", "list", "--json"]));
    assert_eq!(v["credentials"], Value::Null);
    assert!(
        v["credentials_error"]
            .as_str()
            .unwrap()
            .contains("no valid providers"),
        "{v}"
    );
    // Only one half of an env key pair counts as nothing (Go v1).
    let half = json_of(&run(
        h.path(),
        &[("AWS_ACCESS_KEY_ID", DOCS_AKID)],
        &["configure", "list", "--json"],
    ));
    assert_eq!(half["credentials"], Value::Null);
}

#[test]
fn sts_without_a_region_is_the_global_endpoint() {
    // Go v1: `sts` is one of the legacy services that resolve without a region, to their partition
    // endpoint, so an AssumeRole hop without a region goes to https://sts.amazonaws.com signed for
    // us-east-1 (it no longer fails with MissingRegion before sending; the call itself is not
    // made here: tests reach no host but 127.0.0.1).
    let h = home();
    common::write(
        h.path(),
        ".aws/config",
        "[profile base]\naws_access_key_id = AKIDBASE00000001\naws_secret_access_key = s\n\
         [profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n",
    );
    let v = json_of(&run(
        h.path(),
        &[("AWS_SDK_LOAD_CONFIG", "1")],
        &["endpoint", "sts", "--json", "--profile", "role"],
    ));
    assert_eq!(
        (v["url"].as_str(), v["signing_region"].as_str()),
        (Some("https://sts.amazonaws.com"), Some("us-east-1"))
    );
    // A service that needs a region still reports it missing.
    let o = run(
        h.path(),
        &[("AWS_SDK_LOAD_CONFIG", "1")],
        &["endpoint", "sqs", "--profile", "role"],
    );
    assert!(assert_one_line_error(&o, 1).contains("could not find region configuration"));
}

#[test]
fn creation_errors_exit_non_zero_with_one_line() {
    let h = home();
    let o = run(
        h.path(),
        &[("AWS_USE_FIPS_ENDPOINT", "1")],
        &["configure", "list", "--json"],
    );
    let err = assert_one_line_error(&o, 1);
    assert!(
        err.contains("AWS_USE_FIPS_ENDPOINT") && err.contains("true, false"),
        "{err}"
    );
    assert!(o.stdout.is_empty());

    let creds = common::write(
        h.path(),
        ".aws/credentials",
        "[default\naws_secret_access_key = hush\n",
    );
    let o = run(h.path(), &[], &["configure", "list"]);
    let err = assert_one_line_error(&o, 1);
    assert!(err.contains(&creds), "{err}");
    assert_no_secret(&o, &["hush"]);

    common::write(
        h.path(),
        ".aws/config",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = missing\n",
    );
    std::fs::remove_file(&creds).unwrap();
    let o = run(
        h.path(),
        &[("AWS_SDK_LOAD_CONFIG", "1")],
        &["configure", "list", "--profile", "a"],
    );
    let err = assert_one_line_error(&o, 1);
    assert!(err.contains("source profile missing"), "{err}");
}

#[test]
fn all_lists_every_setting_of_the_table_with_its_source() {
    let h = home();
    let config = common::write(
        h.path(),
        ".aws/config",
        "[default]\nsts_regional_endpoints = regional\n",
    );
    let vars = [
        ("AWS_SDK_LOAD_CONFIG", "1"),
        ("AWS_USE_FIPS_ENDPOINT", "true"),
        ("AWS_ACCESS_KEY_ID", DOCS_AKID),
        ("AWS_SECRET_ACCESS_KEY", DOCS_SECRET),
    ];
    let o = run(h.path(), &vars, &["configure", "list", "--all", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    let settings = v["settings"].as_array().expect("settings with --all");
    let names: Vec<&str> = settings
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let table: Vec<&str> = aws_session_core::config::SETTINGS
        .iter()
        .filter(|s| s.merge != aws_session_core::config::Merge::Credentials)
        .map(|s| s.key.name())
        .collect();
    assert_eq!(names, table, "every session setting, in table order");
    let by_name = |n: &str| settings.iter().find(|s| s["name"] == n).unwrap().clone();
    assert_eq!(by_name("use_fips_endpoint")["value"], "true");
    assert_eq!(
        by_name("use_fips_endpoint")["source"],
        "env:AWS_USE_FIPS_ENDPOINT"
    );
    assert_eq!(by_name("sts_regional_endpoints")["value"], "regional");
    assert_eq!(
        by_name("sts_regional_endpoints")["source"],
        format!("file:{config}:2")
    );
    assert_eq!(by_name("endpoint_url")["value"], serde_json::Value::Null);
    assert_eq!(by_name("log_level")["source"], "default");
    assert_no_secret(&o, &[DOCS_SECRET]);

    // The table form has the same rows after the usual ones; without --all neither form has them.
    let o = run(h.path(), &vars, &["configure", "list", "--all"]);
    let text = stdout(&o);
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["use_fips_endpoint", "true", "env:AWS_USE_FIPS_ENDPOINT"]),
        "{text}"
    );
    let o = run(h.path(), &vars, &["configure", "list", "--json"]);
    assert!(!stdout(&o).contains("\"settings\""));
    assert_no_secret(&o, &[DOCS_SECRET]);
}

#[test]
fn the_table_escapes_control_characters_from_values() {
    let h = home();
    let region = "eu-west-1\u{1b}[31m\nfake row";
    let o = run(h.path(), &[("AWS_REGION", region)], &["configure", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        !text.contains('\u{1b}'),
        "a raw escape reached the terminal: {text:?}"
    );
    assert!(text.contains(r"eu-west-1\u{1b}[31m\nfake row"), "{text}");
    assert!(
        !text.lines().any(|l| l.starts_with("fake row")),
        "a newline in a value broke the table: {text}"
    );
    // JSON keeps the value exactly (escaped by JSON itself).
    let o = run(
        h.path(),
        &[("AWS_REGION", region)],
        &["configure", "list", "--json"],
    );
    assert_eq!(json_of(&o)["region"]["value"], region);
}

// ---- configure list (table) ----------------------------------------------------------------------

#[test]
fn table_shows_values_and_sources_with_the_key_masked() {
    let h = home();
    let creds = common::write(
        h.path(),
        ".aws/credentials",
        format!(
            "[default]\naws_access_key_id = {DOCS_AKID}\naws_secret_access_key = {DOCS_SECRET}\n"
        ),
    );
    let o = run(
        h.path(),
        &[
            ("AWS_DEFAULT_REGION", "us-west-2"),
            ("AWS_SDK_LOAD_CONFIG", "1"),
        ],
        &["configure", "list"],
    );
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["NAME", "VALUE", "SOURCE"]);
    assert!(
        rows.contains(&vec!["profile", "default", "default"]),
        "{text}"
    );
    assert!(
        rows.contains(&vec!["region", "us-west-2", "env:AWS_DEFAULT_REGION"]),
        "{text}"
    );
    let key_src = format!("file:{creds}:2");
    assert!(
        rows.contains(&vec![
            "access_key",
            "****************MPLE",
            key_src.as_str()
        ]),
        "{text}"
    );
    assert!(
        rows.contains(&vec!["provider", "SharedConfigCredentials", "-"]),
        "{text}"
    );
    assert!(
        rows.contains(&vec!["shared_config", "loaded", "-"]),
        "{text}"
    );
    assert_no_secret(&o, &[DOCS_SECRET, DOCS_AKID]);
}

// ---- usage errors --------------------------------------------------------------------------------

#[test]
fn usage_errors_exit_2_with_one_line() {
    let h = home();
    for args in [
        &["bogus"][..],
        &["sign", "https://example.com/"],
        &["configure", "list", "--shared-config", "maybe"],
        &[
            "sign",
            "--service",
            "s3",
            "--data",
            "a",
            "--data-file",
            "b",
            "https://h/",
        ],
        &[
            "presign",
            "--service",
            "s3",
            "--expires",
            "soon",
            "https://h/",
        ],
        &[],
    ] {
        let o = run(h.path(), &[], args);
        assert_one_line_error(&o, 2);
    }
    let help = run(h.path(), &[], &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    for word in ["configure", "sign", "presign", "curl"] {
        assert!(stdout(&help).contains(word));
    }
}

// ---- sign ----------------------------------------------------------------------------------------

fn docs_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", DOCS_AKID),
        ("AWS_SECRET_ACCESS_KEY", DOCS_SECRET),
    ]
}

#[test]
fn sign_matches_the_s3_get_object_example() {
    // docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "GET Object".
    let h = home();
    let o = run(
        h.path(),
        &docs_env(),
        &[
            "sign",
            "--service",
            "s3",
            "--region",
            "us-east-1",
            "--time",
            "20130524T000000Z",
            "-H",
            "Range: bytes=0-9",
            "https://examplebucket.s3.amazonaws.com/test.txt",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "GET /test.txt HTTP/1.1\n\
         Host: examplebucket.s3.amazonaws.com\n\
         Range: bytes=0-9\n\
         X-Amz-Date: 20130524T000000Z\n\
         x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
         Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
         SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
         Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\n"
    );
    assert_no_secret(&o, &[DOCS_SECRET]);
}

#[test]
fn sign_matches_the_iam_list_users_example() {
    // docs.aws.amazon.com/general/latest/gr/sigv4-signed-request-examples (IAM ListUsers).
    let h = home();
    let o = run(
        h.path(),
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            (
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            ),
        ],
        &[
            "sign",
            "--service",
            "iam",
            "--region",
            "us-east-1",
            "--time",
            "20150830T123600Z",
            "-H",
            "Content-Type: application/x-www-form-urlencoded; charset=utf-8",
            "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
        ],
    );
    let text = stdout(&o);
    assert!(
        text.starts_with(
            "GET /?Action=ListUsers&Version=2010-05-08 HTTP/1.1\nHost: iam.amazonaws.com\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7\n"
        ),
        "{text}"
    );
    assert!(
        !text.to_ascii_lowercase().contains("x-amz-content-sha256"),
        "only s3 signs the payload header: {text}"
    );
}

#[test]
fn sign_adds_the_token_and_the_body_length() {
    let h = home();
    let body = common::write(h.path(), "body.json", "{\"k\":1}");
    let mut env = docs_env();
    env.push(("AWS_SESSION_TOKEN", TOKEN));
    env.push(("AWS_REGION", "us-east-1"));
    let o = run(
        h.path(),
        &env,
        &[
            "sign",
            "--service",
            "dynamodb",
            "--data-file",
            &body,
            "http://127.0.0.1:9/",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("POST / HTTP/1.1\nHost: 127.0.0.1:9\n"),
        "POST when a body is given: {text}"
    );
    assert!(text.contains("\nContent-Length: 7\n"), "{text}");
    assert!(
        text.contains(&format!("\nX-Amz-Security-Token: {TOKEN}\n")),
        "{text}"
    );
    assert!(
        text.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
        "{text}"
    );
    assert_no_secret(&o, &[DOCS_SECRET]);
}

#[test]
fn sign_unsigned_payload_for_s3() {
    let h = home();
    let o = run(
        h.path(),
        &docs_env(),
        &[
            "sign",
            "--service",
            "s3",
            "--region",
            "us-east-1",
            "-X",
            "PUT",
            "--data",
            "abc",
            "--unsigned-payload",
            "https://b.s3.amazonaws.com/k",
        ],
    );
    let text = stdout(&o);
    assert!(text.starts_with("PUT /k HTTP/1.1\n"), "{text}");
    assert!(
        text.contains("\nx-amz-content-sha256: UNSIGNED-PAYLOAD\n"),
        "{text}"
    );
    assert!(text.contains("\nContent-Length: 3\n"), "{text}");
}

#[test]
fn sign_errors_are_one_line() {
    let h = home();
    // No region anywhere.
    let o = run(
        h.path(),
        &docs_env(),
        &["sign", "--service", "s3", "https://b.s3.amazonaws.com/k"],
    );
    assert!(assert_one_line_error(&o, 1).contains("no region"));
    // No credentials.
    let o = run(
        h.path(),
        &[("AWS_REGION", "us-east-1")],
        &["sign", "--service", "s3", "https://b.s3.amazonaws.com/k"],
    );
    assert!(assert_one_line_error(&o, 1).contains("no credentials"));
    // Bad time, bad URL, bad header, missing body file.
    for args in [
        &[
            "sign",
            "--service",
            "s3",
            "--region",
            "r",
            "--time",
            "2013-05-24",
            "https://h/",
        ][..],
        &["sign", "--service", "s3", "--region", "r", "ftp://h/"],
        &[
            "sign",
            "--service",
            "s3",
            "--region",
            "r",
            "-H",
            "no-colon",
            "https://h/",
        ],
        &[
            "sign",
            "--service",
            "s3",
            "--region",
            "r",
            "--data-file",
            "/nonexistent/body",
            "https://h/",
        ],
        &[
            "sign",
            "--service",
            "s3",
            "--region",
            "r",
            "-H",
            "X-Bad: a\u{1}b",
            "https://h/",
        ],
    ] {
        let o = run(h.path(), &docs_env(), args);
        assert_one_line_error(&o, 1);
        assert_no_secret(&o, &[DOCS_SECRET]);
    }
}

// ---- presign -------------------------------------------------------------------------------------

#[test]
fn presign_matches_the_s3_docs_example() {
    // docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
    let h = home();
    let o = run(
        h.path(),
        &docs_env(),
        &[
            "presign",
            "--service",
            "s3",
            "--region",
            "us-east-1",
            "--time",
            "20130524T000000Z",
            "--expires",
            "86400",
            "https://examplebucket.s3.amazonaws.com/test.txt",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
         &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404\n"
    );
    assert_no_secret(&o, &[DOCS_SECRET]);
}

#[test]
fn presign_rejects_expiry_over_seven_days() {
    let h = home();
    let o = run(
        h.path(),
        &docs_env(),
        &[
            "presign",
            "--service",
            "s3",
            "--region",
            "us-east-1",
            "--expires",
            "604801",
            "https://h/k",
        ],
    );
    // A value out of the option's range is a usage error, checked before the session is made.
    assert_one_line_error(&o, 2);
}

// ---- curl against a loopback server ----------------------------------------------------------------

fn one_shot_server(
    status: &'static str,
    body: &'static str,
) -> (u16, std::thread::JoinHandle<String>) {
    server::plain(Reply::With(status, body))
}

#[test]
fn curl_sends_the_signed_request_and_streams_the_body() {
    let h = home();
    let (port, server) = one_shot_server("200 OK", "hello from loopback");
    let url = format!("http://127.0.0.1:{port}/bucket/key?x=1");
    let mut env = docs_env();
    env.push(("AWS_REGION", "us-east-1"));
    let o = run(
        h.path(),
        &env,
        &[
            "curl",
            "--service",
            "s3",
            "-X",
            "PUT",
            "--data",
            "payload!",
            &url,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "hello from loopback");
    let seen = server.join().unwrap();
    assert!(
        seen.starts_with("PUT /bucket/key?x=1 HTTP/1.1\r\n"),
        "{seen}"
    );
    let lower = seen.to_ascii_lowercase();
    assert!(
        lower.contains(&format!("\r\nhost: 127.0.0.1:{port}\r\n")),
        "{seen}"
    );
    assert!(
        lower.contains("\r\nauthorization: aws4-hmac-sha256 credential=akiaiosfodnn7example/"),
        "{seen}"
    );
    assert!(lower.contains("\r\ncontent-length: 8\r\n"), "{seen}");
    assert!(seen.ends_with("\r\n\r\npayload!"), "{seen}");
    assert!(!seen.contains(DOCS_SECRET));
}

#[test]
fn curl_include_shows_status_and_headers() {
    let h = home();
    let (port, server) = one_shot_server("404 Not Found", "<Error><Code>NoSuchKey</Code></Error>");
    let mut env = docs_env();
    env.push(("AWS_REGION", "us-east-1"));
    let o = run(
        h.path(),
        &env,
        &[
            "curl",
            "-i",
            "--service",
            "s3",
            &format!("http://127.0.0.1:{port}/b/k"),
        ],
    );
    server.join().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "without --fail an error status is still a success"
    );
    let text = stdout(&o);
    assert!(text.starts_with("HTTP/1.1 404\r\n"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("\r\nx-custom: yes\r\n"),
        "{text}"
    );
    assert!(
        text.ends_with("\r\n\r\n<Error><Code>NoSuchKey</Code></Error>"),
        "{text}"
    );
}

#[test]
fn curl_fail_exits_22_and_names_the_error_code() {
    let h = home();
    let (port, server) = one_shot_server(
        "403 Forbidden",
        "<Error><Code>SignatureDoesNotMatch</Code></Error>",
    );
    let mut env = docs_env();
    env.push(("AWS_REGION", "us-east-1"));
    let o = run(
        h.path(),
        &env,
        &[
            "curl",
            "--fail",
            "--service",
            "s3",
            &format!("http://127.0.0.1:{port}/b/k"),
        ],
    );
    server.join().unwrap();
    let err = assert_one_line_error(&o, 22);
    assert!(
        err.contains("403") && err.contains("SignatureDoesNotMatch"),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "--fail prints no body");
}

#[test]
fn curl_connection_failures_are_one_line() {
    let h = home();
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut env = docs_env();
    env.push(("AWS_REGION", "us-east-1"));
    let o = run(
        h.path(),
        &env,
        &[
            "curl",
            "--service",
            "s3",
            &format!("http://127.0.0.1:{port}/b/k"),
        ],
    );
    let err = assert_one_line_error(&o, 1);
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert_no_secret(&o, &[DOCS_SECRET]);
}

#[test]
fn curl_with_a_missing_ca_bundle_fails_before_sending() {
    let h = home();
    let mut env = docs_env();
    env.push(("AWS_REGION", "us-east-1"));
    env.push(("AWS_CA_BUNDLE", "/nonexistent/ca.pem"));
    let o = run(
        h.path(),
        &env,
        &["curl", "--service", "s3", "https://127.0.0.1:9/b/k"],
    );
    let err = assert_one_line_error(&o, 1);
    assert!(
        err.contains("custom CA bundle") && err.contains("/nonexistent/ca.pem"),
        "{err}"
    );
}

#[test]
fn curl_verifies_tls_and_accepts_aws_ca_bundle() {
    let h = home();
    let pki = TestPki::new();
    let bundle = common::write(h.path(), "ca.pem", &pki.ca_pem);
    let mut env = docs_env();
    env.push(("AWS_REGION", "us-east-1"));

    let (port, srv) = server::tls(&pki, Reply::With("200 OK", "over tls"));
    let url = format!("https://127.0.0.1:{port}/b/k");
    let o = run(h.path(), &env, &["curl", "--service", "s3", &url]);
    let err = assert_one_line_error(&o, 1);
    assert!(err.contains("TLS"), "{err}");
    assert_eq!(srv.join().unwrap(), "");

    let (port, srv) = server::tls(&pki, Reply::With("200 OK", "over tls"));
    let url = format!("https://127.0.0.1:{port}/b/k");
    env.push(("AWS_CA_BUNDLE", &bundle));
    let o = run(h.path(), &env, &["curl", "--fail", "--service", "s3", &url]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "over tls");
    assert!(srv
        .join()
        .unwrap()
        .to_ascii_lowercase()
        .contains("authorization: aws4-hmac-sha256"));
}

/// With no CA bundle, the operating system's trust store decides (as in Go v1): here the test
/// CA is put in it through `SSL_CERT_FILE`, which the platform verifier reads on Linux.
#[cfg(target_os = "linux")]
#[test]
fn curl_trusts_the_operating_system_store_by_default() {
    let h = home();
    let pki = TestPki::new();
    let system = common::write(h.path(), "system-roots.pem", &pki.ca_pem);
    let mut env = docs_env();
    env.push(("AWS_REGION", "us-east-1"));
    env.push(("SSL_CERT_FILE", &system));
    let (port, srv) = server::tls(&pki, Reply::With("200 OK", "system trust"));
    let url = format!("https://127.0.0.1:{port}/b/k");
    let o = run(h.path(), &env, &["curl", "--fail", "--service", "s3", &url]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "system trust");
    srv.join().unwrap();
}

/// Go v1's `AWS_SDK_GO_CLIENT_TLS_CERT` / `…_KEY`: the pair is presented to a server that requires
/// a client certificate; half a pair fails creation with Go v1's message.
#[test]
fn curl_presents_the_client_certificate_of_the_environment() {
    let h = home();
    let pki = TestPki::new();
    let bundle = common::write(h.path(), "ca.pem", &pki.ca_pem);
    let cert = common::write(h.path(), "client.pem", &pki.client_cert_pem);
    let key = common::write(h.path(), "client.key", &pki.client_key_pem);
    let mut env = docs_env();
    env.extend([("AWS_REGION", "us-east-1"), ("AWS_CA_BUNDLE", &bundle)]);
    env.push(("AWS_SDK_GO_CLIENT_TLS_CERT", &cert));

    let o = run(h.path(), &env, &["configure", "list"]);
    let err = assert_one_line_error(&o, 1);
    assert!(
        err.contains("client TLS cert(true) and key(false) must both be provided"),
        "{err}"
    );

    env.push(("AWS_SDK_GO_CLIENT_TLS_KEY", &key));
    let (port, srv) = server::mutual_tls(&pki, Reply::With("200 OK", "mutual"));
    let url = format!("https://127.0.0.1:{port}/topics/t?qos=1");
    let mut args: Vec<&str> = "curl --fail --service iotdevicegateway -d {}"
        .split(' ')
        .collect();
    args.push(&url);
    let o = run(h.path(), &env, &args);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "mutual"),
        "{}",
        stderr(&o)
    );
    assert!(srv.join().unwrap().starts_with("POST /topics/t?qos=1 "));

    // Without the pair the same server refuses during the handshake.
    env.retain(|(k, _)| !k.starts_with("AWS_SDK_GO_CLIENT_TLS"));
    let (port, srv) = server::mutual_tls(&pki, Reply::With("200 OK", "mutual"));
    let url = format!("https://127.0.0.1:{port}/topics/t");
    let o = run(
        h.path(),
        &env,
        &["curl", "--service", "iotdevicegateway", &url],
    );
    let err = assert_one_line_error(&o, 1);
    assert!(err.contains("TLS"), "{err}");
    assert_eq!(srv.join().unwrap(), "");
}

/// What the AWS IoT credentials provider answers (its documented shape).
const IOT_BODY: &str = "{\"credentials\":{\"accessKeyId\":\"ASIAIOTEXAMPLE0001\",\
    \"secretAccessKey\":\"iotSecretKeyEXAMPLE/0123456789\",\"sessionToken\":\"IoTTokenEXAMPLE\",\
    \"expiration\":\"2099-01-01T00:00:00Z\"}}";

/// A home whose `device` profile gets its credentials from an IoT credentials provider on
/// `port`, with a device certificate from `pki`; returns the environment to run with.
fn iot_profile(h: &tempfile::TempDir, pki: &TestPki, port: u16) -> Vec<(&'static str, String)> {
    let cert = common::write(h.path(), "device.pem", &pki.client_cert_pem);
    let key = common::write(h.path(), "device.key", &pki.client_key_pem);
    common::write(
        h.path(),
        ".aws/config",
        format!(
            "[profile device]\nregion = eu-west-1\niot_credentials_endpoint = 127.0.0.1:{port}\n\
             iot_role_alias = device-role\niot_thing_name = thing-0001\n\
             iot_certificate = {cert}\niot_private_key = {key}\n"
        ),
    );
    vec![
        ("AWS_SDK_LOAD_CONFIG", "1".to_owned()),
        ("AWS_PROFILE", "device".to_owned()),
        (
            "AWS_CA_BUNDLE",
            common::write(h.path(), "ca.pem", &pki.ca_pem),
        ),
    ]
}

#[test]
fn the_iot_credentials_provider_gives_a_profile_its_keys_over_mutual_tls() {
    let h = home();
    let pki = TestPki::new();
    let (port, srv) = server::mutual_tls(&pki, Reply::With("200 OK", IOT_BODY));
    let env = iot_profile(&h, &pki, port);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let v = json_of(&run(h.path(), &env, &["configure", "list", "--json"]));
    assert_eq!(v["credentials"]["provider"], "IoTCredentialsProvider");
    assert_eq!(v["credentials"]["access_key_id"], "**************0001");
    assert_eq!(v["credentials"]["expires"], "2099-01-01T00:00:00Z");
    let seen = srv.join().unwrap();
    assert!(
        seen.starts_with("GET /role-aliases/device-role/credentials HTTP/1.1\r\n"),
        "{seen}"
    );
    let lower = seen.to_ascii_lowercase();
    assert!(
        lower.contains("x-amzn-iot-thingname: thing-0001\r\n"),
        "{seen}"
    );
    assert!(
        !lower.contains("authorization:"),
        "the call is not signed: {seen}"
    );

    // The provider refuses (an unknown alias): one line naming the provider, status and message.
    let (port, srv) = server::mutual_tls(
        &pki,
        Reply::With("403 Forbidden", "{\"message\":\"Access Denied\"}"),
    );
    let env = iot_profile(&h, &pki, port);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let o = run(h.path(), &env, &["credentials", "--format", "env"]);
    let err = assert_one_line_error(&o, 1);
    assert!(
        err.contains("IoTCredentialsProvider")
            && err.contains("403")
            && err.contains("Access Denied"),
        "{err}"
    );
    srv.join().unwrap();
}

#[test]
fn an_iot_profile_without_a_role_alias_fails_creation() {
    let h = home();
    common::write(
        h.path(),
        ".aws/config",
        "[default]\niot_credentials_endpoint = c2example.credentials.iot.eu-west-1.amazonaws.com\n",
    );
    let o = run(
        h.path(),
        &[("AWS_SDK_LOAD_CONFIG", "1")],
        &["configure", "list"],
    );
    let err = assert_one_line_error(&o, 1);
    assert!(err.contains("profile \"default\" is configured to use the AWS IoT credentials provider but is missing iot_role_alias"), "{err}");
}

#[cfg(unix)]
#[test]
fn credential_process_runs_without_shared_config_loading() {
    // Go v1 reads credential_process from the credentials file whether or not shared config
    // loading is on, so it works there with AWS_SDK_LOAD_CONFIG unset.
    let home = home();
    let json = format!(
        r#"{{"Version": 1, "AccessKeyId": "ASIAPROCESSKEY1234", "SecretAccessKey": "{DOCS_SECRET}", "SessionToken": "{TOKEN}", "Expiration": "2030-01-01T00:00:00Z"}}"#
    );
    let script = home.path().join("creds.sh");
    std::fs::write(&script, format!("#!/bin/sh\nprintf '%s' '{json}'\n")).unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        format!("[default]\ncredential_process = sh {}\n", script.display()),
    )
    .unwrap();
    let o = run(home.path(), &[], &["configure", "list", "--json"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let v = json_of(&o);
    assert_eq!(v["credentials"]["access_key_id"], "**************1234");
    assert_eq!(v["credentials"]["provider"], "ProcessProvider");
    assert_eq!(v["credentials"]["session_token"], true);
    let source = v["credentials"]["source"].as_str().unwrap();
    assert!(
        source.starts_with("file:") && source.ends_with("/.aws/credentials:2"),
        "{source}"
    );
    assert_no_secret(&o, &[DOCS_SECRET, TOKEN]);

    // A failing process: session created, no credentials, the reason says what failed and where.
    std::fs::write(
        home.path().join(".aws/credentials"),
        "[default]\ncredential_process = exit 7\n",
    )
    .unwrap();
    let o = run(home.path(), &[], &["configure", "list", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v = json_of(&o);
    assert!(v["credentials"].is_null());
    let why = v["credentials_error"].as_str().unwrap();
    assert!(
        why.contains("running credential_process: exited with code 7")
            && why.contains("/.aws/credentials:2"),
        "{why}"
    );
}

#[cfg(unix)]
#[test]
fn credential_process_reads_the_callers_stdin() {
    // Go v1 gives the helper its own stdin, so a helper can prompt (for an MFA code): here the
    // helper is `cat`, and the credentials come from what the CLI was given on stdin.
    use std::io::Write;
    use std::process::Stdio;
    let home = home();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        "[default]\ncredential_process = cat\n",
    )
    .unwrap();
    let json = format!(
        r#"{{"Version": 1, "AccessKeyId": "ASIASTDINKEY5678", "SecretAccessKey": "{DOCS_SECRET}"}}"#
    );
    let mut child = Command::new(BIN)
        .env_clear()
        .env("HOME", home.path())
        .args(["configure", "list", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run aws-session");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(json.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let v = json_of(&o);
    assert_eq!(v["credentials"]["access_key_id"], "************5678", "{v}");
    assert_no_secret(&o, &[DOCS_SECRET]);
}

#[test]
fn container_settings_are_listed_and_the_token_never_shown() {
    let home = home();
    let secret = "container-token-SECRET-42";
    let vars = [
        (
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "/v2/credentials/id",
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", secret),
        ("AWS_EC2_METADATA_V1_DISABLED", "TRUE"),
    ];
    let o = run(
        home.path(),
        &vars,
        &["configure", "list", "--all", "--json"],
    );
    let v = json_of(&o);
    let setting = |name: &str| {
        v["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} listed"))
    };
    assert_eq!(
        setting("container_credentials_relative_uri")["value"],
        "/v2/credentials/id"
    );
    let token = setting("container_authorization_token");
    assert_eq!(token["value"], "** redacted **");
    assert_eq!(token["source"], "env:AWS_CONTAINER_AUTHORIZATION_TOKEN");
    assert_eq!(setting("ec2_metadata_v1_disabled")["value"], "true");
    assert_no_secret(&o, &[secret]);
    let o = run(home.path(), &vars, &["configure", "list", "--all"]);
    assert_eq!(o.status.code(), Some(0));
    assert_no_secret(&o, &[secret]);
}

// ---- SigV4a (--sigv4a, --region-set) --------------------------------------------------------------

/// The SigV4 suites' keys; the v4a suite publishes their SigV4a public key (`public-key.json`).
const SUITE_AKID: &str = "AKIDEXAMPLE";
const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SUITE_PUBLIC_X: &str = "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1";
const SUITE_PUBLIC_Y: &str = "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn suite_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", SUITE_AKID),
        ("AWS_SECRET_ACCESS_KEY", SUITE_SECRET),
    ]
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// True when `signature` (hex DER ECDSA) verifies with the suite's SigV4a public key over the
/// string to sign of `creq`, signed at 2015-08-30T12:36:00Z for `service`.
fn v4a_verifies(creq: &str, service: &str, signature: &str) -> bool {
    use p256::ecdsa::signature::Verifier;
    use sha2::Digest;
    let creq_hash: String = sha2::Sha256::digest(creq.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sts = format!(
        "AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/{service}/aws4_request\n{creq_hash}"
    );
    let x: [u8; 32] = unhex(SUITE_PUBLIC_X).try_into().unwrap();
    let y: [u8; 32] = unhex(SUITE_PUBLIC_Y).try_into().unwrap();
    let point = p256::Sec1Point::from_affine_coordinates(&x.into(), &y.into(), false);
    let key = p256::ecdsa::VerifyingKey::from_sec1_point(&point).unwrap();
    p256::ecdsa::Signature::from_der(&unhex(signature))
        .is_ok_and(|sig| key.verify(sts.as_bytes(), &sig).is_ok())
}

/// The value after `Signature=` on the line that holds it.
fn signature_of(text: &str) -> &str {
    let at = text.find("Signature=").expect("a signature") + "Signature=".len();
    text[at..]
        .split(['\n', '\r', '&'])
        .next()
        .unwrap_or_default()
}

#[test]
fn sign_sigv4a_matches_the_v4a_suite_case() {
    // The v4a suite's post-vanilla-query case, header form.
    let h = home();
    let o = run(
        h.path(),
        &suite_env(),
        &[
            "sign",
            "--sigv4a",
            "--service",
            "service",
            "--region",
            "us-east-1",
            "--time",
            "20150830T123600Z",
            "-X",
            "POST",
            "https://example.amazonaws.com/?Param1=value1",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with(
            "POST /?Param1=value1 HTTP/1.1\n\
             Host: example.amazonaws.com\n\
             Content-Length: 0\n\
             X-Amz-Date: 20150830T123600Z\n\
             X-Amz-Region-Set: us-east-1\n\
             Authorization: AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request, \
             SignedHeaders=host;x-amz-date;x-amz-region-set, Signature="
        ),
        "{text}"
    );
    let creq = format!(
        "POST\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\
         x-amz-region-set:us-east-1\n\nhost;x-amz-date;x-amz-region-set\n{EMPTY_SHA256}"
    );
    let signature = signature_of(&text);
    assert!(v4a_verifies(&creq, "service", signature), "{text}");
    assert!(!v4a_verifies(
        &creq.replace("POST", "GET"),
        "service",
        signature
    ));
    assert_no_secret(&o, &[SUITE_SECRET]);
}

#[test]
fn sign_sigv4a_takes_the_region_set_from_the_environment() {
    // AWS_SIGV4A_SIGNING_REGION_SET applies to --sigv4a; --region-set still wins over it.
    let h = home();
    let mut env = suite_env();
    env.push(("AWS_SIGV4A_SIGNING_REGION_SET", "eu-*"));
    let args = |extra: &'static [&'static str]| -> Vec<&'static str> {
        let mut a = vec!["sign", "--service", "service", "--region", "us-east-1"];
        a.extend_from_slice(extra);
        a.extend_from_slice(&[
            "--time",
            "20150830T123600Z",
            "https://example.amazonaws.com/",
        ]);
        a
    };
    let o = run(h.path(), &env, &args(&["--sigv4a"]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("\nX-Amz-Region-Set: eu-*\n"),
        "{}",
        stdout(&o)
    );
    let o = run(h.path(), &env, &args(&["--region-set", "*"]));
    assert!(
        stdout(&o).contains("\nX-Amz-Region-Set: *\n"),
        "{}",
        stdout(&o)
    );
    let o = run(h.path(), &env, &args(&[]));
    assert!(
        stdout(&o).contains("AWS4-HMAC-SHA256 Credential="),
        "SigV4 unless asked"
    );
}

#[test]
fn presign_region_set_needs_no_region() {
    let h = home();
    let o = run(
        h.path(),
        &suite_env(),
        &[
            "presign",
            "--region-set",
            "*",
            "--service",
            "service",
            "--time",
            "20150830T123600Z",
            "https://example.amazonaws.com/?Param1=value1",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let url = stdout(&o);
    let query = url
        .trim_end()
        .strip_prefix("https://example.amazonaws.com/?")
        .expect(&url);
    let mut params: Vec<(&str, &str)> = query
        .split('&')
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    for want in [
        ("X-Amz-Algorithm", "AWS4-ECDSA-P256-SHA256"),
        (
            "X-Amz-Credential",
            "AKIDEXAMPLE%2F20150830%2Fservice%2Faws4_request",
        ),
        ("X-Amz-Region-Set", "%2A"),
        ("X-Amz-SignedHeaders", "host"),
        ("X-Amz-Expires", "3600"),
    ] {
        assert!(params.contains(&want), "{want:?} in {url}");
    }
    let signature = signature_of(&url);
    params.retain(|(k, _)| *k != "X-Amz-Signature");
    params.sort();
    let canonical_query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let creq = format!(
        "GET\n/\n{}\nhost:example.amazonaws.com\n\nhost\n{EMPTY_SHA256}",
        canonical_query.join("&")
    );
    assert!(v4a_verifies(&creq, "service", signature), "{url}\n{creq}");
    assert_no_secret(&o, &[SUITE_SECRET]);
}

#[test]
fn curl_sends_the_region_set_signed() {
    let h = home();
    let (port, server) = one_shot_server("200 OK", "multi-region");
    let o = run(
        h.path(),
        &suite_env(),
        &[
            "curl",
            "--region-set",
            "us-*",
            "--service",
            "s3",
            "--time",
            "20150830T123600Z",
            &format!("http://127.0.0.1:{port}/b/k"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "multi-region");
    let seen = server.join().unwrap();
    let lower = seen.to_ascii_lowercase();
    assert!(lower.contains("\r\nx-amz-region-set: us-*\r\n"), "{seen}");
    assert!(
        lower.contains(
            "\r\nauthorization: aws4-ecdsa-p256-sha256 credential=akidexample/20150830/s3/aws4_request, \
             signedheaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set, signature="
        ),
        "{seen}"
    );
    let creq = format!(
        "GET\n/b/k\n\nhost:127.0.0.1:{port}\nx-amz-content-sha256:{EMPTY_SHA256}\n\
         x-amz-date:20150830T123600Z\nx-amz-region-set:us-*\n\n\
         host;x-amz-content-sha256;x-amz-date;x-amz-region-set\n{EMPTY_SHA256}"
    );
    assert!(v4a_verifies(&creq, "s3", signature_of(&seen)), "{seen}");
}

#[test]
fn sigv4a_errors_are_one_line_and_help_names_the_options() {
    let h = home();
    // --sigv4a alone takes the region as the region set, so it needs one.
    let o = run(
        h.path(),
        &suite_env(),
        &[
            "sign",
            "--sigv4a",
            "--service",
            "s3",
            "https://b.s3.amazonaws.com/k",
        ],
    );
    assert!(assert_one_line_error(&o, 1).contains("no region"));
    let o = run(
        h.path(),
        &suite_env(),
        &[
            "presign",
            "--region-set",
            "us east",
            "--service",
            "s3",
            "https://b.s3.amazonaws.com/k",
        ],
    );
    assert!(assert_one_line_error(&o, 1).contains("region set"));
    assert_no_secret(&o, &[SUITE_SECRET]);
    for command in ["sign", "presign", "curl"] {
        let o = run(h.path(), &[], &[command, "--help"]);
        let help = stdout(&o);
        assert!(
            help.contains("--sigv4a") && help.contains("--region-set <SET>"),
            "{help}"
        );
    }
}

#[test]
fn endpoint_prints_url_signing_region_name_and_partition() {
    let h = home();
    let o = run(
        h.path(),
        &[("AWS_REGION", "eu-west-1")],
        &["endpoint", "iam", "--json"],
    );
    // Field order is part of the contract.
    assert_eq!(
        stdout(&o),
        "{\"url\":\"https://iam.amazonaws.com\",\"signing_region\":\"us-east-1\",\"signing_name\":\"iam\",\
         \"partition\":\"aws\",\"signing_name_derived\":true,\"resolved_region\":\"\"}\n"
    );
    assert_eq!(
        json_of(&o),
        json!({"url": "https://iam.amazonaws.com", "signing_region": "us-east-1", "signing_name": "iam",
               "signing_name_derived": true, "partition": "aws", "resolved_region": ""})
    );
    let o = run(
        h.path(),
        &[],
        &[
            "endpoint",
            "s3",
            "--region",
            "us-east-1",
            "--fips",
            "--dualstack",
            "--json",
        ],
    );
    assert_eq!(
        json_of(&o)["url"],
        "https://s3-fips.dualstack.us-east-1.amazonaws.com"
    );
    let o = run(
        h.path(),
        &[],
        &[
            "endpoint",
            "data-ats.iot",
            "--region",
            "eu-central-1",
            "--json",
        ],
    );
    assert_eq!(
        (
            json_of(&o)["signing_name"].clone(),
            json_of(&o)["signing_name_derived"].clone()
        ),
        (json!("iotdata"), json!(false))
    );
    // The table form.
    let o = run(
        h.path(),
        &[],
        &[
            "endpoint",
            "runtime.sagemaker",
            "--region",
            "fips-us-east-1",
        ],
    );
    assert_eq!(
        stdout(&o),
        "url            https://runtime-fips.sagemaker.us-east-1.amazonaws.com\n\
         signing_region us-east-1\nsigning_name   sagemaker (derived)\npartition      aws\n"
    );
}

#[test]
fn endpoint_applies_the_session_settings() {
    let h = home();
    let url =
        |vars: &[(&str, &str)], args: &[&str]| json_of(&run(h.path(), vars, args))["url"].clone();
    let sts = ["endpoint", "sts", "--region", "eu-west-1", "--json"];
    assert_eq!(url(&[], &sts), "https://sts.amazonaws.com");
    assert_eq!(
        url(&[("AWS_STS_REGIONAL_ENDPOINTS", "regional")], &sts),
        "https://sts.eu-west-1.amazonaws.com"
    );
    let s3 = ["endpoint", "s3", "--region", "us-east-1", "--json"];
    assert_eq!(url(&[], &s3), "https://s3.amazonaws.com");
    assert_eq!(
        url(&[("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "regional")], &s3),
        "https://s3.us-east-1.amazonaws.com"
    );
    assert_eq!(
        url(&[("AWS_USE_FIPS_ENDPOINT", "true")], &sts),
        "https://sts-fips.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        url(&[("AWS_USE_DUALSTACK_ENDPOINT", "true")], &sts),
        "https://sts.eu-west-1.api.aws"
    );
    // File keys, with shared config loading on.
    std::fs::create_dir_all(h.path().join(".aws")).unwrap();
    std::fs::write(
        h.path().join(".aws/config"),
        "[default]\nregion = us-gov-west-1\nuse_fips_endpoint = true\n",
    )
    .unwrap();
    assert_eq!(
        url(
            &[("AWS_SDK_LOAD_CONFIG", "1")],
            &["endpoint", "dynamodb", "--json"]
        ),
        "https://dynamodb-fips.us-gov-west-1.amazonaws.com"
    );
}

#[test]
fn endpoint_that_cannot_be_resolved_exits_1_with_one_line() {
    let h = home();
    for args in [
        &["endpoint", "sqs"][..],
        &["endpoint", "sqs", "--region", "bad_region"],
        &[
            "endpoint",
            "ec2",
            "--region",
            "us-iso-east-1",
            "--dualstack",
        ],
    ] {
        let o = run(h.path(), &[], args);
        let err = assert_one_line_error(&o, 1);
        assert!(err.contains("cannot resolve"), "{err}");
    }
}
