//! The `aws-session` binary against the hostile inputs of issue 15 (findings 3, 4, 8, 9 and 10):
//! signer-owned headers and presign parameters replaced, `curl` through the retryer and to the
//! URL's host, messages naming the right source, and values escaped on the terminal.

mod common;

use common::cli::{assert_one_line_error, home, run, stderr, stdout};

use core::time::Duration;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tempfile::TempDir;

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn keys() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", AKID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_REGION", "us-east-1"),
    ]
}

/// Asserts a failure with exit status 1 and one line on stderr holding no secret.
fn one_line_error(o: &Output) -> String {
    let err = assert_one_line_error(o, 1);
    assert!(!err.contains(SECRET), "{err}");
    err
}
// ---- finding 3: signer-owned headers -----------------------------------------------------------

fn count_lines(text: &str, name: &str) -> usize {
    text.lines()
        .filter(|l| {
            l.split_once(':')
                .is_some_and(|(n, _)| n.eq_ignore_ascii_case(name))
        })
        .count()
}

#[test]
fn sign_replaces_caller_headers_the_signer_owns() {
    let h = home();
    let mut env = keys();
    env.push(("AWS_SESSION_TOKEN", "TOKEN-new"));
    let o = run(
        h.path(),
        &env,
        &[
            "sign",
            "--service",
            "s3",
            "--time",
            "20150830T123600Z",
            "-H",
            "Authorization: Bearer x",
            "-H",
            "X-Amz-Date: 19990101T000000Z",
            "-H",
            "x-amz-security-token: TOKEN-old",
            "-H",
            "X-Amz-Content-Sha256: abc",
            "-H",
            "X-Other: kept",
            "https://example.com/k",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for name in [
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
        "x-other",
    ] {
        assert_eq!(count_lines(&text, name), 1, "{name}:\n{text}");
    }
    for old in ["Bearer x", "19990101T000000Z", "TOKEN-old", ": abc"] {
        assert!(!text.contains(old), "{old}:\n{text}");
    }
}

// ---- finding 4: presigning a presigned URL ------------------------------------------------------

#[test]
fn presign_of_a_presigned_url_strips_the_old_parameters() {
    let h = home();
    let args = |url: &str| {
        run(
            h.path(),
            &keys(),
            &[
                "presign",
                "--service",
                "s3",
                "--time",
                "20150830T123600Z",
                url,
            ],
        )
    };
    let first = args("https://example.com/k?a=b");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let first = stdout(&first).trim().to_owned();
    let again = args(&format!("{first}&X-Amz-Security-Token=old"));
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let again = stdout(&again).trim().to_owned();
    // The same URL as presigning the original one: nothing old is left, nothing is doubled.
    assert_eq!(again, first);
    assert_eq!(again.matches("X-Amz-Signature=").count(), 1, "{again}");
    assert_eq!(again.matches("X-Amz-Date=").count(), 1, "{again}");
    assert!(!again.contains("X-Amz-Security-Token"), "{again}");
}

// ---- finding 10: curl through the retryer, to the URL's host ------------------------------------

/// What the scripted server does with one connection.
#[derive(Clone, Copy)]
enum Step {
    /// Answers with this status line, extra header lines and body.
    Answer(&'static str, &'static str, &'static str),
    /// Reads a few bytes and closes with the rest unread: the kernel resets the connection.
    Reset,
}

/// The requests a scripted server saw: when each arrived and its head.
type Seen = Arc<Mutex<Vec<(Instant, String)>>>;

/// A loopback server that serves `script`, one connection per step; yields the requests seen
/// (head text) and when each arrived.
fn scripted(script: Vec<Step>) -> (u16, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for step in script {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            match step {
                Step::Reset => {
                    let mut first = [0u8; 4];
                    let mut s = &stream;
                    let _ = s.read(&mut first);
                    log.lock()
                        .unwrap()
                        .push((Instant::now(), "(reset)".to_owned()));
                    drop(stream);
                }
                Step::Answer(status, extra, body) => {
                    let head = read_head(&stream);
                    log.lock().unwrap().push((Instant::now(), head));
                    let mut s: TcpStream = stream;
                    let _ = write!(
                        s,
                        "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = s.flush();
                }
            }
        }
    });
    (port, seen)
}

/// Reads a request head (and a body announced by Content-Length).
fn read_head(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    head
}

fn curl(port: u16, extra: &[&str]) -> Output {
    let h = home();
    let url = format!("http://127.0.0.1:{port}/b/k");
    let mut args = vec!["curl", "--service", "s3"];
    args.extend_from_slice(extra);
    args.push(&url);
    run(h.path(), &keys(), &args)
}

#[test]
fn curl_retries_500_429_and_503_with_retry_after_then_succeeds() {
    let (port, seen) = scripted(vec![
        Step::Answer("429 Too Many Requests", "", "slow down"),
        Step::Answer("503 Service Unavailable", "Retry-After: 1\r\n", "busy"),
        Step::Answer("500 Internal Server Error", "", "oops"),
        Step::Answer("200 OK", "", "finally"),
        Step::Answer("200 OK", "", "one too many"),
    ]);
    let o = curl(port, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "finally");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4, "Go v1's default: 4 attempts");
    // Every attempt is the same signed request.
    assert!(seen
        .iter()
        .all(|(_, r)| r.starts_with("GET /b/k HTTP/1.1\r\n") && r.contains("AWS4-HMAC-SHA256")));
    // Retry-After: 1 on the 503 holds the third attempt back at least a second.
    let gap = seen[2].0 - seen[1].0;
    assert!(gap >= Duration::from_secs(1), "{gap:?}");
}

#[test]
fn curl_gives_up_after_four_attempts_and_prints_the_last_answer() {
    let (port, seen) = scripted(vec![
        Step::Answer("500 Internal Server Error", "", "one"),
        Step::Answer("500 Internal Server Error", "", "two"),
        Step::Answer("500 Internal Server Error", "", "three"),
        Step::Answer("500 Internal Server Error", "", "four"),
        Step::Answer("200 OK", "", "five"),
    ]);
    let o = curl(port, &["--fail"]);
    assert_eq!(o.status.code(), Some(22), "{}", stderr(&o));
    assert!(stderr(&o).contains("HTTP 500"), "{}", stderr(&o));
    assert_eq!(seen.lock().unwrap().len(), 4);
}

#[test]
fn curl_retries_a_reset_connection() {
    let (port, seen) = scripted(vec![Step::Reset; 5]);
    let o = curl(port, &[]);
    let err = one_line_error(&o);
    assert!(err.contains("after 4 attempts"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert_eq!(seen.lock().unwrap().len(), 4);

    let (port, seen) = scripted(vec![Step::Reset, Step::Answer("200 OK", "", "recovered")]);
    let o = curl(port, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "recovered");
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn curl_connects_to_the_urls_host_whatever_host_header_is_given() {
    let (port, seen) = scripted(vec![Step::Answer("200 OK", "", "here")]);
    // example.invalid never resolves: the answer proves the connection went to the URL's host.
    let o = curl(port, &["-H", "Host: example.invalid"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "here");
    let seen = seen.lock().unwrap();
    let head = seen[0].1.to_ascii_lowercase();
    assert_eq!(count_lines(&head, "host"), 1, "{head}");
    assert!(head.contains("\r\nhost: example.invalid\r\n"), "{head}");
    assert!(head.contains("signedheaders=host;"), "{head}");
}

#[test]
fn an_empty_region_set_is_refused_naming_its_source() {
    let h = home();
    let o = run(
        h.path(),
        &keys(),
        &[
            "sign",
            "--service",
            "s3",
            "--region-set",
            ",,,",
            "https://example.com/",
        ],
    );
    let err = one_line_error(&o);
    assert!(
        err.contains("invalid SigV4a region set \",,,\" from option"),
        "{err}"
    );
    let mut env = keys();
    env.push(("AWS_SIGV4A_SIGNING_REGION_SET", "us-east-1,"));
    let o = run(
        h.path(),
        &env,
        &[
            "presign",
            "--service",
            "s3",
            "--sigv4a",
            "https://example.com/",
        ],
    );
    let err = one_line_error(&o);
    assert!(
        err.contains("\"us-east-1,\" from env:AWS_SIGV4A_SIGNING_REGION_SET"),
        "{err}"
    );
}

#[test]
fn endpoint_urls_that_are_not_urls_are_refused_when_the_session_is_made() {
    let h = home();
    for (var, value) in [
        ("AWS_ENDPOINT_URL", "not a url"),
        ("AWS_ENDPOINT_URL", "ftp://x"),
        ("AWS_ENDPOINT_URL", "http://[::1"),
        ("AWS_ENDPOINT_URL_S3", "ftp://x"),
    ] {
        let mut env = keys();
        env.push((var, value));
        let o = run(h.path(), &env, &["configure", "list"]);
        let err = one_line_error(&o);
        assert!(
            err.contains(&format!("endpoint URL {value:?} from env:{var} is not")),
            "{err}"
        );
    }
    let config = common::write(h.path(), "cfg", "[default]\n\nendpoint_url = ftp://x\n");
    let mut env = keys();
    env.extend([
        ("AWS_CONFIG_FILE", config.as_str()),
        ("AWS_SDK_LOAD_CONFIG", "1"),
    ]);
    let o = run(h.path(), &env, &["configure", "list"]);
    let err = one_line_error(&o);
    assert!(
        err.contains(&format!("from file:{config}:3 is not")),
        "{err}"
    );
}

// ---- finding 8: messages that name the right thing ----------------------------------------------

#[test]
fn a_bad_region_names_its_value_and_source() {
    let h = home();
    let config = common::write(h.path(), "cfg", "[default]\nregion = us east\n");
    let env = [
        ("AWS_ACCESS_KEY_ID", AKID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_CONFIG_FILE", config.as_str()),
        ("AWS_SDK_LOAD_CONFIG", "1"),
    ];
    let o = run(
        h.path(),
        &env,
        &["sign", "--service", "s3", "https://example.com/"],
    );
    let err = one_line_error(&o);
    assert!(
        err.contains(&format!("invalid region \"us east\" from file:{config}:2")),
        "{err}"
    );
    let o = run(
        h.path(),
        &env,
        &[
            "sign",
            "--service",
            "s3",
            "--region",
            "us\x1b[31m",
            "https://example.com/",
        ],
    );
    let err = one_line_error(&o);
    assert!(
        err.contains("invalid region \"us\\u{1b}[31m\" from option"),
        "{err}"
    );
    let mut env = keys();
    env[2] = ("AWS_REGION", "eu/west");
    let o = run(
        h.path(),
        &env,
        &["presign", "--service", "s3", "https://example.com/"],
    );
    let err = one_line_error(&o);
    assert!(err.contains("\"eu/west\" from env:AWS_REGION"), "{err}");
}

/// The credentials error of `sign` with `vars` (plus HOME and a region).
fn credentials_error(h: &TempDir, vars: &[(&str, &str)], extra: &[&str]) -> String {
    let mut env = vec![("AWS_REGION", "us-east-1")];
    env.extend_from_slice(vars);
    let mut args = vec!["sign", "--service", "s3"];
    args.extend_from_slice(extra);
    args.push("https://example.com/");
    let o = run(h.path(), &env, &args);
    let err = one_line_error(&o);
    assert!(err.contains("no credentials to sign with"), "{err}");
    err
}

#[test]
fn a_credentials_file_that_cannot_be_read_is_named_with_why() {
    let h = home();
    let dir = h.path().join("a-directory");
    std::fs::create_dir(&dir).unwrap();
    let dir = dir.to_str().unwrap().to_owned();
    let err = credentials_error(&h, &[("AWS_SHARED_CREDENTIALS_FILE", &dir)], &[]);
    assert!(
        err.contains(&format!(
            "SharedCredsLoad: cannot read the shared credentials file {dir:?} (is a directory)"
        )),
        "{err}"
    );
    assert!(!err.contains("no access keys in the environment"), "{err}");

    let a = h.path().join("loop-a");
    let b = h.path().join("loop-b");
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let a = a.to_str().unwrap().to_owned();
    let err = credentials_error(&h, &[("AWS_SHARED_CREDENTIALS_FILE", &a)], &[]);
    assert!(
        err.contains(&format!("shared credentials file {a:?} (filesystem loop")),
        "{err}"
    );

    // Unreadable by permission (not testable as root, who reads anything).
    let locked = common::write(h.path(), "locked", "[default]\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_err() {
        let err = credentials_error(&h, &[("AWS_SHARED_CREDENTIALS_FILE", &locked)], &[]);
        assert!(err.contains("(permission denied)"), "{err}");
    }
}

#[test]
fn a_missing_profile_and_a_lone_key_get_their_own_messages() {
    let h = home();
    let creds = common::write(
        h.path(),
        ".aws/credentials",
        format!("[default]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n"),
    );
    let err = credentials_error(&h, &[("AWS_PROFILE", "nope")], &[]);
    assert!(
        err.contains(&format!(
            "profile \"nope\" (from env:AWS_PROFILE) is in none of the shared files ({creds:?})"
        )),
        "{err}"
    );
    let err = credentials_error(&h, &[], &["--profile", "other"]);
    assert!(err.contains("profile \"other\" (from option)"), "{err}");

    let empty = home();
    let err = credentials_error(&empty, &[("AWS_ACCESS_KEY_ID", AKID)], &[]);
    assert!(
        err.contains(
            "EnvSecretNotFound: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY) is not"
        ),
        "{err}"
    );
    assert!(
        err.contains("no shared credentials or config file was found"),
        "{err}"
    );
}

#[test]
fn a_profile_name_over_the_limit_names_its_real_source() {
    let h = home();
    let long = "p".repeat(300);
    let o = run(
        h.path(),
        &keys(),
        &["configure", "list", "--profile", &long],
    );
    let err = one_line_error(&o);
    assert!(err.contains("(option)"), "{err}");
    let mut env = keys();
    env.push(("AWS_PROFILE", &long));
    let o = run(h.path(), &env, &["configure", "list"]);
    let err = one_line_error(&o);
    assert!(
        err.contains("(env:AWS_PROFILE)") && !err.contains("(default)"),
        "{err}"
    );
}

#[test]
fn a_byte_order_mark_starts_a_file_like_any_other() {
    let h = home();
    common::write(
        h.path(),
        ".aws/credentials",
        format!(
            "\u{feff}[default]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n"
        ),
    );
    let o = run(
        h.path(),
        &[("AWS_REGION", "us-east-1")],
        &["configure", "list", "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(".aws/credentials:2"), "{}", stdout(&o));
}

#[test]
fn a_long_source_profile_chain_names_profile_and_file() {
    let h = home();
    let mut text = String::new();
    for i in 0..100 {
        text.push_str(&format!(
            "[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = p{}\n",
            i + 1
        ));
    }
    text.push_str(&format!(
        "[profile p100]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n"
    ));
    let config = common::write(h.path(), "chain", text);
    let env = [
        ("AWS_CONFIG_FILE", config.as_str()),
        ("AWS_SDK_LOAD_CONFIG", "1"),
        ("AWS_PROFILE", "p0"),
        ("AWS_REGION", "us-east-1"),
    ];
    let o = run(h.path(), &env, &["configure", "list"]);
    let err = one_line_error(&o);
    assert!(
        err.contains(&format!(
            "the source_profile of profile \"p7\" is one too many (file:{config}:24)"
        )),
        "{err}"
    );
}

#[test]
fn expires_out_of_range_states_the_real_range() {
    let h = home();
    for bad in ["-5", "0", "604801", "999999999999"] {
        let o = run(
            h.path(),
            &keys(),
            &[
                "presign",
                "--service",
                "s3",
                "--expires",
                bad,
                "https://example.com/",
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{bad}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!(
                "{bad} is out of range: expected whole seconds from 1 to 604800"
            )),
            "{err}"
        );
        assert!(
            !err.contains("unexpected argument") && !err.contains("4294967295"),
            "{err}"
        );
    }
}

// ---- finding 9: control characters never reach the terminal ------------------------------------

#[test]
fn control_characters_in_values_are_escaped_everywhere() {
    let h = home();
    let mut env = keys();
    env[2] = ("AWS_REGION", "us\x1b[31m\nnext");
    let o = run(h.path(), &env, &["configure", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(!table.contains('\x1b'), "{table:?}");
    assert!(table.contains("us\\u{1b}[31m\\nnext"), "{table}");
    // The row stays one line.
    assert!(table
        .lines()
        .any(|l| l.starts_with("region ") && l.ends_with("env:AWS_REGION")));

    // Error lines, including clap's.
    let o = run(
        h.path(),
        &env,
        &["sign", "--service", "s3", "https://example.com/"],
    );
    let err = one_line_error(&o);
    assert!(!err.contains('\x1b') && err.contains("\\u{1b}"), "{err:?}");
    let o = run(
        h.path(),
        &keys(),
        &[
            "presign",
            "--service",
            "s3",
            "--expires",
            "\x1b[2J",
            "https://example.com/",
        ],
    );
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(!err.contains('\x1b') && err.contains("\\u{1b}"), "{err:?}");

    // curl -i: a server's header value with a C1 control (CSI, U+009B) as UTF-8 (an ESC byte
    // itself is refused by the HTTP parser).
    let (port, _) = scripted(vec![Step::Answer("200 OK", "X-Evil: a\u{9b}31mb\r\n", "")]);
    let o = curl(port, &["-i"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(!text.contains('\u{9b}'), "{text:?}");
    assert!(text.contains("x-evil: a\\u{9b}31mb\r\n"), "{text:?}");
}
