//! Fuzzes the STS response scanner and the request-body builders.
//!
//! The input is read as an STS response. Properties:
//! * nothing panics; every refusal is a typed `StsError`;
//! * accepted credentials have all four values, and on refusal the target is left empty;
//! * an error body's code and message stay within the error-text limit;
//! * the input used as request parameters either fits a body or is refused as too long, and a
//!   body that fits holds only form-urlencoded text.
#![no_main]

use aws_session_core::credentials::sts::{
    assume_role_body, parse_credentials, parse_error, web_identity_body, AssumeRoleParams, StsError,
};
use aws_session_core::credentials::Credentials;
use aws_session_core::limits::MAX_ERROR_TEXT_LEN;
use libfuzzer_sys::fuzz_target;

/// Form-urlencoded text: unreserved bytes, `%XX` escapes, `&`, `=`, and `+` for a space (as Go
/// v1's `url.Values.Encode` writes it).
fn is_form(body: &str) -> bool {
    body.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~%&=+".contains(&b))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut c = Credentials::new("OLD", "OLDSECRET", Some("OLDTOKEN")).unwrap();
    match parse_credentials(text, &mut c) {
        Ok(()) => {
            assert!(c.has_keys());
            assert!(c.session_token.as_ref().is_some_and(|t| !t.is_empty()));
            assert!(c.expires.is_some());
        }
        Err(e) => {
            assert!(!c.has_keys() && c.session_token.is_none() && c.expires.is_none());
            let _ = format!("{e}");
        }
    }
    if let Some(e) = parse_error(text) {
        assert!(!e.code.as_str().is_empty());
        assert!(e.code.as_str().len() <= MAX_ERROR_TEXT_LEN);
        assert!(e.message.as_str().len() <= MAX_ERROR_TEXT_LEN);
    }

    let mut parts = text.splitn(3, '\n');
    let (arn, name, rest) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let p = AssumeRoleParams {
        role_arn: arn,
        session_name: name,
        external_id: Some(rest),
        serial_number: Some(rest),
        token_code: Some(name),
        duration_secs: data.len() as u32,
    };
    let mut buf = [0u8; 1024];
    match assume_role_body(&p, &mut buf) {
        Ok(body) => assert!(is_form(body) && body.starts_with("Action=AssumeRole&")),
        Err(StsError::Missing(_) | StsError::BodyTooLong { limit: 1024 }) => {}
        Err(e) => panic!("unexpected {e:?}"),
    }
    match web_identity_body(arn, name, rest, Some(900), &mut buf) {
        Ok(body) => assert!(is_form(body) && body.ends_with("&DurationSeconds=900")),
        Err(StsError::Missing(_) | StsError::BodyTooLong { limit: 1024 }) => {}
        Err(e) => panic!("unexpected {e:?}"),
    }
});
