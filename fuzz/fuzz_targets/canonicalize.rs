//! Fuzzes SigV4 canonicalization and signing.
//!
//! The input's first two bytes pick the settings (encoding, normalization, presigning, session
//! token, payload mode, SigV4 or SigV4a); the rest is a raw HTTP request parsed by `sigv4::conformance`'s no_std
//! parser. Properties:
//! * nothing panics; every refusal is a typed error;
//! * what is accepted canonicalizes to a fixed point: the canonical path and query it writes,
//!   signed again (single encoding, no normalization), come out unchanged (parse → emit round
//!   trip);
//! * `sign` and `CanonicalRequest::new` accept the same requests, except that `sign` may also
//!   refuse one whose output does not fit (`AuthorizationTooLong`);
//! * the signature is 64 hex digits (SigV4a: a DER ECDSA signature in hex) and the signed-header
//!   list appears in the canonical request;
//! * the same bytes read as a canonical request text and given to `sign_canonical` as parts are
//!   checked without a panic, and what passes the checks signs (so the checks and the general
//!   signer's text writer agree on what they accept).
#![no_main]

use std::fmt::Write as _;

use aws_session_core::secret::{SecretKey, SessionToken};
use aws_session_core::sigv4::conformance::{parse_canonical_request, parse_request};
use aws_session_core::sigv4::{
    sign, sign_canonical, CanonicalRequest, SessionTokenMode, SignableBody, SignableRequest,
    SigningCredentials, SigningError, SigningOutput, SigningParams, SigningSettings, UriEncoding,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, rest @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut scratch = [0u8; 512];
    let Ok(parsed) = parse_request(text, &mut scratch) else {
        return;
    };

    let mut settings = SigningSettings::standard();
    settings.uri_encoding = if a & 1 == 0 {
        UriEncoding::Double
    } else {
        UriEncoding::Single
    };
    settings.normalize_path = a & 2 != 0;
    settings.content_sha256_header = a & 4 != 0;
    if a & 8 != 0 {
        settings.session_token = SessionTokenMode::AfterSigning;
    }
    if a & 16 != 0 {
        settings = settings.presigned(u32::from(*b) * 3000 + 1);
    }
    if a & 128 != 0 {
        settings = settings.sigv4a();
    }
    let body = match b % 6 {
        0 => SignableBody::Bytes(parsed.body),
        1 => SignableBody::Precomputed(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        2 => SignableBody::Unsigned,
        3 => SignableBody::StreamingSigned,
        4 => SignableBody::StreamingSignedWithTrailer,
        _ => SignableBody::StreamingUnsignedWithTrailer,
    };
    let secret = SecretKey::new(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Field::SecretAccessKey,
    )
    .unwrap();
    let token = SessionToken::new("AQoDYXdzEPT//////////wEXAMPLE+/=", Field::SessionToken).unwrap();
    let params = SigningParams {
        credentials: SigningCredentials {
            access_key_id: "AKIDEXAMPLE",
            secret: &secret,
            session_token: (a & 32 != 0).then_some(&token),
        },
        region: "us-east-1",
        service: "service",
        time: UnixTime::from_secs(1_440_938_160),
        settings,
    };
    let mut req = SignableRequest::new(
        parsed.method,
        parsed.path,
        parsed.query,
        parsed.headers(),
        body,
    );
    if a & 64 != 0 {
        req = req.with_host("example.amazonaws.com");
    }

    let mut out = SigningOutput::new();
    let mut parts_headers = [("", ""); 32];
    let mut parts_scratch = [0u8; 512];
    if let Ok(parts) =
        parse_canonical_request(text, &[], &[], &mut parts_headers, &mut parts_scratch)
    {
        if let Ok(signed) = sign_canonical(&parts, &params, &mut out) {
            assert!(!signed.signature().is_empty());
            assert!(signed.signature().bytes().all(|c| c.is_ascii_hexdigit()));
        }
    }
    let signed = sign(&req, &params, &mut out);
    let creq = CanonicalRequest::new(&req, &params);
    // The signer also writes its output (the `Authorization` value, or the presigned query's
    // signed-header list) into a buffer of MAX_AUTHORIZATION_LEN bytes: a request whose
    // canonical form is fine can still be refused for that, by name.
    match (&signed, &creq) {
        (Err(SigningError::AuthorizationTooLong { .. }), Ok(_)) => return,
        _ => assert_eq!(signed.is_ok(), creq.is_ok()),
    }
    let (Ok(signed), Ok(creq)) = (signed, creq) else {
        return;
    };
    // 64 hex digits, or a DER ECDSA signature (SigV4a).
    let len = signed.signature().len();
    assert!(if a & 128 != 0 {
        (16..=144).contains(&len) && len % 2 == 0
    } else {
        len == 64
    });
    assert!(signed.signature().bytes().all(|c| c.is_ascii_hexdigit()));
    let mut text = String::new();
    creq.write_to(&mut text).unwrap();
    assert!(text.contains(signed.signed_headers()));

    let mut lines = text.split('\n');
    lines.next();
    let (path, query) = (lines.next().unwrap(), lines.next().unwrap());
    let host = [("host", "h")];
    let again = SignableRequest::new("GET", path, query, &host, SignableBody::Unsigned);
    let again_params = SigningParams {
        settings: SigningSettings::s3(),
        ..params
    };
    // Encoding can lengthen the text past a limit (or presigning add parameters past the count):
    // only a capacity error may refuse the canonical form.
    let again = match CanonicalRequest::new(&again, &again_params) {
        Ok(c) => c,
        Err(
            SigningError::TooManyQueryParams { .. }
            | SigningError::QueryTooLong { .. }
            | SigningError::PathTooLong { .. },
        ) => return,
        Err(e) => panic!("canonical form refused: {e:?}"),
    };
    let mut text2 = String::new();
    write!(text2, "{again}").unwrap();
    let mut lines2 = text2.split('\n');
    lines2.next();
    assert_eq!(lines2.next().unwrap(), path);
    assert_eq!(lines2.next().unwrap(), query);
});
