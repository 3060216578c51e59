//! Headers and query parameters the signer owns (issue 15, findings 3 and 4): a caller's
//! `Authorization`, `X-Amz-Date`, `X-Amz-Security-Token` (with a session token),
//! `x-amz-content-sha256` (when the signer sends it) and the parameters of an earlier presigning
//! are replaced, never sent beside the signer's — as Go v1's `Header.Set`, `Query.Set` and
//! `removePresign` do — and the signature covers exactly what is sent.

use aws_session_core::secret::{SecretKey, SessionToken};
use aws_session_core::sigv4::{
    sign, SignableBody, SignableRequest, SigningCredentials, SigningOutput, SigningParams,
    SigningSettings,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;

const AKID: &str = "AKIDEXAMPLE";

fn secret() -> SecretKey {
    SecretKey::new(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Field::SecretAccessKey,
    )
    .unwrap()
}

fn params<'a>(
    secret: &'a SecretKey,
    token: Option<&'a SessionToken>,
    settings: SigningSettings,
) -> SigningParams<'a> {
    SigningParams {
        credentials: SigningCredentials {
            access_key_id: AKID,
            secret,
            session_token: token,
        },
        region: "us-east-1",
        service: "s3",
        time: UnixTime::from_secs(1_440_938_160),
        settings,
    }
}

/// The headers sent: the caller's minus the ones the signer replaces, then the signer's.
fn sent_headers(
    caller: &[(&str, &str)],
    settings: SigningSettings,
    token: Option<&SessionToken>,
) -> (Vec<(String, String)>, String) {
    let secret = secret();
    let p = params(&secret, token, settings);
    let req = SignableRequest::new("GET", "/k", "", caller, SignableBody::Bytes(b""))
        .with_host("example.com");
    let mut out = SigningOutput::new();
    let signed = sign(&req, &p, &mut out).unwrap();
    let mut sent: Vec<(String, String)> = caller
        .iter()
        .filter(|(n, _)| !signed.replaces_header(n))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    sent.extend(
        signed
            .headers()
            .map(|(n, v)| (n.to_string(), v.to_string())),
    );
    (sent, signed.signature().to_owned())
}

fn count(headers: &[(String, String)], name: &str) -> usize {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .count()
}

#[test]
fn caller_headers_the_signer_owns_are_replaced_and_do_not_change_the_signature() {
    let token = SessionToken::new("TOKEN-new", Field::SessionToken).unwrap();
    let caller = [
        ("Authorization", "Bearer x"),
        ("x-amz-date", "19990101T000000Z"),
        ("X-AMZ-SECURITY-TOKEN", "TOKEN-old"),
        ("X-Amz-Content-Sha256", "abc"),
        ("X-Custom", "kept"),
    ];
    let (sent, signature) = sent_headers(&caller, SigningSettings::s3(), Some(&token));
    for name in [
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
        "x-custom",
    ] {
        assert_eq!(count(&sent, name), 1, "{name}: {sent:?}");
    }
    assert!(!sent.iter().any(|(_, v)| v == "Bearer x"
        || v == "19990101T000000Z"
        || v == "TOKEN-old"
        || v == "abc"));
    // The signature is the one of the request without the caller's versions.
    let (_, clean) = sent_headers(&[("X-Custom", "kept")], SigningSettings::s3(), Some(&token));
    assert_eq!(signature, clean);
}

#[test]
fn headers_the_signer_does_not_send_stay_and_are_signed() {
    // Without a session token the caller's token header is an ordinary one (Go v1 too); a
    // service that sends no x-amz-content-sha256 leaves the caller's.
    let caller = [
        ("X-Amz-Security-Token", "caller"),
        ("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"),
    ];
    let (sent, signature) = sent_headers(&caller, SigningSettings::standard(), None);
    assert_eq!(count(&sent, "x-amz-security-token"), 1, "{sent:?}");
    assert_eq!(count(&sent, "x-amz-content-sha256"), 1, "{sent:?}");
    assert!(sent.iter().any(|(_, v)| v == "caller"));
    let (_, without) = sent_headers(&[], SigningSettings::standard(), None);
    assert_ne!(signature, without, "the caller's headers are signed");
}

/// Presigns `url` (`https://example.com/k?query`) and returns the URL and the signature.
fn presign(query: &str, token: Option<&SessionToken>) -> (String, String) {
    let secret = secret();
    let p = params(&secret, token, SigningSettings::s3().presigned(3600));
    let req = SignableRequest::new("GET", "/k", query, &[], SignableBody::Unsigned)
        .with_host("example.com");
    let mut out = SigningOutput::new();
    let signed = sign(&req, &p, &mut out).unwrap();
    let base = if query.is_empty() {
        "https://example.com/k".to_owned()
    } else {
        format!("https://example.com/k?{query}")
    };
    let mut url = String::new();
    signed.write_url(&mut url, &base).unwrap();
    (url, signed.signature().to_owned())
}

fn params_of(url: &str) -> Vec<&str> {
    url.split_once('?')
        .map_or("", |(_, q)| q)
        .split('&')
        .map(|kv| kv.split_once('=').map_or(kv, |(k, _)| k))
        .collect()
}

#[test]
fn presigning_a_presigned_url_strips_the_old_parameters() {
    let (first, _) = presign("a=b", None);
    let query = first.split_once('?').unwrap().1.to_owned();
    // And an old token, a percent-encoded name, an empty segment.
    let query = format!("{query}&X-Amz-Security-Token=old&X-Amz-%44ate=1&&z=2");
    let (again, signature) = presign(&query, None);
    let names = params_of(&again);
    for name in [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    ] {
        assert_eq!(
            names.iter().filter(|n| **n == name).count(),
            1,
            "{name}: {again}"
        );
    }
    assert!(!names.contains(&"X-Amz-Security-Token"), "{again}");
    assert!(!names.contains(&"X-Amz-%44ate"), "{again}");
    assert!(names.starts_with(&["a", "z"]), "{again}");
    // Signed as if the URL had never been presigned.
    let (_, clean) = presign("a=b&z=2", None);
    assert_eq!(signature, clean);
    let (clean_url, _) = presign("a=b&z=2", None);
    assert_eq!(again, clean_url);
}

#[test]
fn presigning_with_a_token_replaces_the_old_token() {
    let token = SessionToken::new("TOKEN-new", Field::SessionToken).unwrap();
    let (url, _) = presign(
        "X-Amz-Security-Token=TOKEN-old&X-Amz-Signature=00",
        Some(&token),
    );
    assert!(
        !url.contains("TOKEN-old") && !url.contains("Signature=00"),
        "{url}"
    );
    assert_eq!(url.matches("X-Amz-Security-Token=").count(), 1, "{url}");
    // Case matters, as in Go v1's url.Values: a differently cased name is the caller's own.
    let (url, _) = presign("x-amz-date=keep", None);
    assert!(url.contains("?x-amz-date=keep&"), "{url}");
}
