//! The `http` feature: signing an `http::Request` in place (headers, or a presigned URI), checked
//! against the S3 documentation examples in `s3-sigv4-streaming-presign/`.
#![cfg(feature = "http")]

mod common;

use aws_session_core::secret::SecretKey;
use aws_session_core::sigv4::http_request::{sign_request, sign_request_bytes, HttpSignError};
use aws_session_core::sigv4::{
    SignableBody, Signer, SigningCredentials, SigningParams, SigningSettings,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;
use serde_json::Value;

fn load(file: &str) -> Option<Value> {
    let dir = common::testdata("s3-sigv4-streaming-presign")?;
    Some(serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap())
}

fn params<'a>(secret: &'a SecretKey, settings: SigningSettings) -> SigningParams<'a> {
    SigningParams {
        credentials: SigningCredentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE",
            secret,
            session_token: None,
        },
        region: "us-east-1",
        service: "s3",
        time: UnixTime::parse_amz("20130524T000000Z").unwrap(),
        settings,
    }
}

#[test]
fn signs_headers_of_an_http_request() {
    let Some(suite) = load("s3-header-auth-examples.json") else {
        return;
    };
    let case = &suite["tests"][0]; // GET Object with a Range header
    let secret = SecretKey::new(
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Field::SecretAccessKey,
    )
    .unwrap();
    // No Host header: the adapter signs the URI's authority.
    let mut req = http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt")
        .header("Range", "bytes=0-9")
        .header("User-Agent", "not-signed/1.0")
        .body(Vec::new())
        .unwrap();
    let mut signer: Signer = Signer::new();
    sign_request_bytes(
        &mut signer,
        &mut req,
        &params(&secret, SigningSettings::s3()),
    )
    .unwrap();
    let h = req.headers();
    let authorization = h["authorization"].to_str().unwrap();
    let expected = case["expected"]["signature"].as_str().unwrap();
    assert!(
        authorization.ends_with(&format!("Signature={expected}")),
        "{authorization}"
    );
    assert!(authorization.contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"));
    assert_eq!(h["x-amz-date"], "20130524T000000Z");
    assert_eq!(
        h["x-amz-content-sha256"],
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert!(h["authorization"].is_sensitive());
}

#[test]
fn presigns_an_http_request_uri() {
    let Some(suite) = load("sigv4-presign-examples.json") else {
        return;
    };
    let case = &suite["tests"][0]; // the S3 docs presigned GET
    let secret = SecretKey::new(
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Field::SecretAccessKey,
    )
    .unwrap();
    let mut req = http::Request::get(case["request"]["url"].as_str().unwrap())
        .body(())
        .unwrap();
    let mut signer: Signer = Signer::new();
    let settings = SigningSettings::s3().presigned(86_400);
    sign_request(
        &mut signer,
        &mut req,
        SignableBody::Unsigned,
        &params(&secret, settings),
    )
    .unwrap();
    assert_eq!(
        req.uri().to_string(),
        case["expected"]["url"].as_str().unwrap()
    );
    assert!(
        req.headers().is_empty(),
        "a presigned request adds no headers"
    );
}

#[test]
fn refusals_leave_the_request_unchanged() {
    let secret = SecretKey::new(
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Field::SecretAccessKey,
    )
    .unwrap();
    let mut signer: Signer = Signer::new();
    let mut req = http::Request::get("https://h.example/")
        .header(
            "x-bin",
            http::HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap(),
        )
        .body(())
        .unwrap();
    let before = format!("{:?}", req.headers());
    let err = sign_request(
        &mut signer,
        &mut req,
        SignableBody::Unsigned,
        &params(&secret, SigningSettings::s3()),
    );
    assert_eq!(err, Err(HttpSignError::HeaderNotText { index: 0 }));
    assert_eq!(format!("{:?}", req.headers()), before);

    let mut req = http::Request::get("/relative-without-host")
        .body(())
        .unwrap();
    let err = sign_request(
        &mut signer,
        &mut req,
        SignableBody::Unsigned,
        &params(&secret, SigningSettings::s3()),
    );
    assert!(matches!(
        err,
        Err(HttpSignError::Signing(
            aws_session_core::sigv4::SigningError::MissingHost
        ))
    ));
    assert!(req.headers().is_empty());
}

/// SigV4a with a session token on S3: all five headers (date, region set, token, payload hash,
/// Authorization) reach the request.
#[test]
fn signs_an_http_request_with_sigv4a_and_every_header() {
    use aws_session_core::secret::SessionToken;
    let secret = SecretKey::new(
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Field::SecretAccessKey,
    )
    .unwrap();
    let token = SessionToken::new("AQoDYXdzEPT//////////wEXAMPLE=", Field::SessionToken).unwrap();
    let mut p = params(&secret, SigningSettings::s3().sigv4a());
    p.credentials.session_token = Some(&token);
    p.region = "*";
    let mut req = http::Request::get("https://mrap.accesspoint.s3-global.amazonaws.com/k")
        .body(Vec::new())
        .unwrap();
    let mut signer: Signer = Signer::new();
    sign_request_bytes(&mut signer, &mut req, &p).unwrap();
    let h = req.headers();
    assert_eq!(h["x-amz-region-set"], "*");
    assert_eq!(h["x-amz-security-token"], "AQoDYXdzEPT//////////wEXAMPLE=");
    assert_eq!(h["x-amz-date"], "20130524T000000Z");
    assert!(h.contains_key("x-amz-content-sha256"));
    let authorization = h["authorization"].to_str().unwrap();
    assert!(
        authorization.starts_with(
            "AWS4-ECDSA-P256-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/s3/aws4_request, \
             SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set;x-amz-security-token, \
             Signature=30"
        ),
        "{authorization}"
    );
}
