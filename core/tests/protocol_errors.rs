//! Error answers of every protocol, decoded by `protocol::decode_error` and classified by the
//! retry rules.
//!
//! The fixtures in `tests/fixtures/errors/` are raw HTTP responses of two kinds:
//! * `moto-*` and `s3s-*`: real answers of the local peers, captured with
//!   `tests/peers/capture_errors.py` (moto with signature checks on, s3s-fs);
//! * `doc-*`: answers written by us in the shapes AWS documents for each protocol (query, EC2,
//!   JSON 1.0 / 1.1, REST-JSON, REST-XML) and for the codes that drive retries.

use std::fs;
use std::path::Path;

use aws_session_core::handlers::retry::{
    is_error_expired_credentials, is_error_retryable, is_error_throttle,
};
use aws_session_core::handlers::RequestError;
use aws_session_core::http::{Headers, ResponseHeaders};
use aws_session_core::limits::MAX_ERROR_TEXT_LEN;
use aws_session_core::protocol::{
    clock_skew_offset, decode_error, CodeSource, DecodeError, Protocol,
};
use aws_session_core::time::UnixTime;

/// How the retry rules must see a decoded error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Not retried.
    Final,
    /// Retried as throttling.
    Throttle,
    /// Retried after expiring the credentials.
    Expired,
    /// A clock-skew code: retried after correcting the clock when the device's clock is 20
    /// minutes off the answer's `Date`; final with a good clock.
    Skew,
}

struct Case {
    file: &'static str,
    protocol: Protocol,
    status: u16,
    code: &'static str,
    source: CodeSource,
    message: &'static str,
    request_id: &'static str,
    class: Class,
}

const fn case(
    file: &'static str,
    protocol: Protocol,
    status: u16,
    code: &'static str,
    message: &'static str,
    request_id: &'static str,
    class: Class,
) -> Case {
    Case {
        file,
        protocol,
        status,
        code,
        source: CodeSource::Body,
        message,
        request_id,
        class,
    }
}

const SIG: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

fn cases() -> Vec<Case> {
    use Class::*;
    use Protocol::*;
    vec![
        // Real peers.
        case("moto-sts-signature.http", Query, 403, "SignatureDoesNotMatch", SIG, "wB4ljjqZPIjhHsYBDGjIplISSKUBitFSvmULaqmFF9B8WbiOJSIb", Skew),
        case("moto-dynamodb-missing-table.http", Json10, 400, "ResourceNotFoundException", "Requested resource not found", "0DYH0QRqsMaRxoqFLddeHvMlUfztiQKq5i8c7vxuDAXuz8utjQs8", Final),
        case("moto-ec2-bad-instance.http", Ec2Query, 400, "InvalidInstanceID.NotFound", "The instance ID 'i-00000000000000000' does not exist", "request-id", Final),
        case("moto-s3-no-such-bucket.http", RestXml, 404, "NoSuchBucket", "The specified bucket does not exist", "14oOVEA5SCXRkcndfK8CRrFYYBx7KhL7wWBriDIYAr8t8ShyCDY6", Final),
        case("s3s-no-such-key.http", RestXml, 404, "NoSuchKey", "", "", Final),
        Case { source: CodeSource::Status, ..case("s3s-head-missing.http", RestXml, 404, "NotFound", "Not Found", "", Final) },
        // AWS's documented shapes.
        case("doc-query-sts-expired-token.http", Query, 400, "ExpiredToken", "The security token included in the request is expired", "7b4ad2a0-0c31-4c6e-9d0e-21f4d9a0c001", Expired),
        case("doc-query-sqs-throttled.http", Query, 400, "RequestThrottled", "Request is throttled.", "42d59b56-7407-4c4a-be0f-4c88daeea257", Throttle),
        case("doc-ec2-throttled.http", Ec2Query, 503, "EC2ThrottledException", "Request was throttled. Slow down.", "ea966190-f9aa-478e-9ede-example", Throttle),
        case("doc-ec2-auth-failure.http", Ec2Query, 401, "AuthFailure", "AWS was not able to validate the provided access credentials", "0a2e8c4f-1b5d-4bde-9a77-example", Skew),
        case("doc-json10-expired-token.http", Json10, 400, "ExpiredTokenException", "The security token included in the request is expired", "KRFH8TQ1JQ2UUGVL1GNGL7QKOVVV4KQNSO5AEMVJF66Q9ASUAAJG", Expired),
        case("doc-json11-kinesis-throughput.http", Json11, 400, "ProvisionedThroughputExceededException", "Rate exceeded for shard shardId-000000000000 in stream demo under account 123456789012.", "e6c3ac26-9c1b-4e2e-9f37-example", Throttle),
        case("doc-json11-invalid-signature.http", Json11, 400, "InvalidSignatureException", "Signature expired: 20261207T110000Z is now earlier than 20261207T111000Z (20261207T112500Z - 15 min.)", "4b3c1d1e-1f7e-4ea5-8c55-example", Skew),
        Case { source: CodeSource::Header, ..case("doc-restjson-lambda-throttled.http", RestJson, 429, "TooManyRequestsException", "Rate Exceeded.", "c9a7a4f2-9b8d-4b1e-8f7e-example", Throttle) },
        Case { source: CodeSource::Header, ..case("doc-restjson-iot-data-forbidden.http", RestJson, 403, "ForbiddenException", "", "a1b2c3d4-0000-4e1e-8f7e-example", Final) },
        case("doc-restjson-code-body.http", RestJson, 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing", "5f1e-example", Final),
        case("doc-restxml-s3-skewed.http", RestXml, 403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", "4442587FB7D0A2F9", Skew),
        Case { source: CodeSource::Status, ..case("doc-restxml-s3-head-301.http", RestXml, 301, "BucketRegionError", "incorrect region, the bucket is not in this region", "0F5B6C0F8D6E4A11", Final) },
        case("doc-restxml-route53-throttling.http", RestXml, 400, "Throttling", "Rate exceeded", "8d3f2b6e-7d1c-4e62-a9e3-example", Throttle),
    ]
}

/// A raw HTTP response: status, headers and body.
fn parse(raw: &[u8]) -> (u16, ResponseHeaders, Vec<u8>) {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a blank line after the head");
    let head = core::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut headers = Headers::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        headers.append(name.trim(), value.trim()).unwrap();
    }
    (status, headers, raw[split + 4..].to_vec())
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/errors")
        .join(name);
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn classify(code: &str, status: u16, headers: &ResponseHeaders) -> Class {
    let error = RequestError::Service {
        status,
        code: aws_session_core::text::ErrorCode::new(code).unwrap(),
    };
    let server = UnixTime::parse_http_date(headers.get("date").unwrap()).unwrap();
    // With a good clock no code corrects it: a bad signature is a bad key.
    assert_eq!(clock_skew_offset(code, Some(server), server, 0), None);
    let device = UnixTime::from_secs(server.secs() - 20 * 60);
    if clock_skew_offset(code, Some(server), device, 0) == Some(1200) {
        return Class::Skew;
    }
    if is_error_expired_credentials(&error) {
        assert!(is_error_retryable(&error, status));
        return Class::Expired;
    }
    if is_error_throttle(&error, status) {
        return Class::Throttle;
    }
    assert!(
        !is_error_retryable(&error, status),
        "{code} would be retried"
    );
    Class::Final
}

#[test]
fn every_fixture_decodes_to_its_code_message_and_request_id() {
    let cases = cases();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors");
    let files = fs::read_dir(&dir).unwrap().count();
    // Every fixture but the HTML one (checked below) has a row.
    assert_eq!(files, cases.len() + 1, "a fixture without a row in `cases`");
    for c in &cases {
        let (status, headers, body) = parse(&fixture(c.file));
        let e = decode_error(Some(c.protocol), status, &headers, &body)
            .unwrap_or_else(|err| panic!("{}: {err}", c.file));
        assert_eq!(e.status, c.status, "{}", c.file);
        assert_eq!(e.code.as_str(), c.code, "{}", c.file);
        assert_eq!(e.source, c.source, "{}", c.file);
        // Messages are cut to MAX_ERROR_TEXT_LEN bytes, marked with `…`.
        match e.message.as_str().strip_suffix('…') {
            Some(kept) if c.message.len() > MAX_ERROR_TEXT_LEN => {
                assert!(c.message.starts_with(kept), "{}", c.file)
            }
            _ => assert_eq!(e.message.as_str(), c.message, "{}", c.file),
        }
        assert_eq!(e.request_id.as_str(), c.request_id, "{}", c.file);
        assert_eq!(classify(c.code, status, &headers), c.class, "{}", c.file);
    }
}

#[test]
fn an_html_page_is_a_typed_error_and_the_status_still_classifies() {
    // moto's own 500 page (a request it could not handle): `<!doctype html>` is refused as an
    // XML declaration; the placeholder status error stays, and a 500 is retried.
    let (status, headers, body) = parse(&fixture("moto-html-500.http"));
    assert_eq!(
        decode_error(Some(Protocol::Query), status, &headers, &body),
        Err(DecodeError::XmlDeclaration)
    );
    let text = b"Service Unavailable";
    assert_eq!(
        decode_error(None, 503, &headers, text),
        Err(DecodeError::UnknownFormat)
    );
    assert!(is_error_retryable(&RequestError::Status { status }, status));
}

#[test]
fn truncated_fixtures_never_panic_and_never_invent_a_code() {
    // Every prefix of every body: a typed error, or a code found in the text so far.
    for c in cases() {
        let (status, headers, body) = parse(&fixture(c.file));
        for end in 0..=body.len() {
            if let Ok(e) = decode_error(Some(c.protocol), status, &headers, &body[..end]) {
                match e.source {
                    CodeSource::Body => {
                        let text = String::from_utf8_lossy(&body[..end]);
                        assert!(text.contains(e.code.as_str()), "{} [..{end}]", c.file);
                    }
                    CodeSource::Header => {
                        assert!(headers
                            .get("x-amzn-errortype")
                            .unwrap()
                            .contains(e.code.as_str()));
                    }
                    CodeSource::Status => {}
                }
            }
        }
    }
}
