//! The request log of `Config::log_level` through the `log` crate: what each level shows, and
//! that keys, tokens and signatures never appear, whatever the level.

use std::sync::Mutex;

use aws_session_core::config::{Config, LogLevel};
use aws_session_core::handlers::Request;
use aws_session_core::http::{Body, Method};
use aws_session_core::platform::{Bundle, ErrorKind};
use aws_session_core::session::{Options, Session};
use aws_session_core::test_util::{
    FakeClock, FakeEntropy, FakeTransport, MemEnv, MemFiles, RecordingSleep, Reply,
};

/// Every line logged to target `aws_session`, for the test to read.
struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target() == "aws_session"
    }
    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            self.0.lock().unwrap().push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));
/// The tests share the one logger: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKENtheSessionTokenValue";
/// An STS answer with keys in it (a credential call's body: never logged).
const ASSUMED: &[u8] = b"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>assumedSECRETvalue</SecretAccessKey><SessionToken>assumedTOKENvalue</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";

/// Runs `operation` on `service` at `level` against `script`, and returns the log lines and the
/// signature the request was sent with.
fn logged(
    level: LogLevel,
    service: &'static str,
    operation: &'static str,
    body: &'static [u8],
    script: &[Reply],
) -> (Vec<String>, String) {
    log::set_logger(&CAPTURE).ok();
    log::set_max_level(log::LevelFilter::Info);
    CAPTURE.0.lock().unwrap().clear();
    let env = MemEnv::new(&[
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", TOKEN),
    ]);
    let files = MemFiles::new(&[]);
    let opts = Options {
        config: Config {
            log_level: Some(level),
            ..Config::default()
        },
        ..Options::default()
    };
    let mut session = Box::new(Session::unconfigured());
    session.rebuild(&opts, &env, &files).unwrap();
    let client = session.client(service).unwrap();
    let mut buf = [0u8; 1024];
    let mut r: Request<'_> = client.request(operation);
    r.http.set_method(Method::Post);
    r.http
        .set_target("/?X-Amz-Security-Token=querytoken&list-type=2")
        .unwrap();
    r.http
        .headers_mut()
        .insert("Content-Type", "application/x-amz-json-1.0")
        .unwrap();
    *r.http.body_mut() = Body::Bytes(body);
    r.set_response_buffer(&mut buf);
    let mut platform = Bundle {
        transport: FakeTransport::new(script),
        clock: FakeClock::at(1_700_000_000),
        sleep: RecordingSleep::new(),
        entropy: FakeEntropy::new(0),
    };
    let _ = client.send(&mut r, &mut platform);
    let auth = r
        .http
        .headers()
        .get("authorization")
        .unwrap_or("")
        .to_owned();
    let signature = auth.rsplit("Signature=").next().unwrap_or("").to_owned();
    (CAPTURE.0.lock().unwrap().clone(), signature)
}

/// No line holds a secret, the token, the signature or the query token.
fn assert_clean(lines: &[String], signature: &str) {
    assert!(
        signature.len() == 64,
        "the request was signed: {signature:?}"
    );
    for line in lines {
        for secret in [
            SECRET,
            TOKEN,
            signature,
            "querytoken",
            "assumedSECRETvalue",
            "assumedTOKENvalue",
        ] {
            assert!(!line.contains(secret), "{secret:?} logged in {line:?}");
        }
    }
}

#[test]
fn off_logs_nothing() {
    let _one = SERIAL.lock().unwrap();
    let (lines, signature) = logged(
        LogLevel::Off,
        "dynamodb",
        "PutItem",
        b"{}",
        &[Reply::status(200)],
    );
    assert!(lines.is_empty(), "{lines:?}");
    assert_clean(&lines, &signature);
}

#[test]
fn debug_logs_the_request_the_answer_retries_and_the_final_error() {
    let _one = SERIAL.lock().unwrap();
    let script = [
        Reply::status(503),
        Reply::fail(ErrorKind::ConnectionReset),
        Reply::status(400),
    ];
    let (lines, signature) = logged(
        LogLevel::Debug,
        "dynamodb",
        "PutItem",
        b"{\"TableName\":\"t\"}",
        &script,
    );
    let all = lines.join("\n");
    assert!(
        all.contains(
            "request dynamodb/PutItem attempt 1: POST https://dynamodb.eu-west-1.amazonaws.com/"
        ),
        "{all}"
    );
    assert!(
        all.contains("query X-Amz-Security-Token=<redacted>") && all.contains("query list-type=2"),
        "{all}"
    );
    assert!(
        all.contains("response dynamodb/PutItem: status 503"),
        "{all}"
    );
    assert!(
        all.contains("retrying dynamodb/PutItem after attempt 1 in "),
        "{all}"
    );
    assert!(all.contains("response dynamodb/PutItem: none ("), "{all}");
    assert!(all.contains("failed after 3 attempt(s)"), "{all}");
    assert!(
        !all.contains("TableName"),
        "bodies only at debug-with-http-body: {all}"
    );
    assert!(
        !all.contains("Credential="),
        "signing only at debug-with-signing: {all}"
    );
    assert_clean(&lines, &signature);
}

#[test]
fn http_body_logs_headers_and_bodies_but_no_secrets() {
    let _one = SERIAL.lock().unwrap();
    let reply = [Reply::with_headers(
        200,
        &[("x-amzn-RequestId", "req-1")],
        b"{\"ConsumedCapacity\":1}",
    )];
    let (lines, signature) = logged(
        LogLevel::DebugWithHttpBody,
        "dynamodb",
        "PutItem",
        b"{\"TableName\":\"t\"}",
        &reply,
    );
    let all = lines.join("\n");
    assert!(
        all.contains("request body (17 bytes): {\"TableName\":\"t\"}"),
        "{all}"
    );
    assert!(
        all.contains("response body (22 bytes): {\"ConsumedCapacity\":1}"),
        "{all}"
    );
    assert!(all.contains("x-amzn-RequestId: req-1"), "{all}");
    assert!(all.contains("X-Amz-Security-Token: <redacted>"), "{all}");
    assert!(
        all.contains("Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
        "{all}"
    );
    assert!(
        all.contains("signed: AWS4-HMAC-SHA256 Credential="),
        "{all}"
    );
    assert_clean(&lines, &signature);
}

#[test]
fn credential_calls_never_show_bodies() {
    let _one = SERIAL.lock().unwrap();
    let reply = [Reply::with_headers(200, &[], ASSUMED)];
    let (lines, signature) = logged(
        LogLevel::DebugWithHttpBody,
        "sts",
        "AssumeRole",
        b"Action=AssumeRole&RoleArn=arn",
        &reply,
    );
    let all = lines.join("\n");
    assert!(all.contains("response body: <"), "{all}");
    assert!(all.contains("of a credential call, not shown>"), "{all}");
    assert_clean(&lines, &signature);
}
