//! Credentials delivered as JSON: the output of a `credential_process`, the body of a container
//! (ECS / EKS) or instance-metadata credentials response, the SSO `GetRoleCredentials` body, and
//! the IAM Identity Center token cache ([`SsoToken`], in its own submodule).
//!
//! Parsed with `serde-json-core` straight from the caller's text: no heap, no copy of the JSON.
//! Strings are borrowed raw ([`EscapedStr`]) and their escapes (`\/`, `\"`, `\\`, `\n`,
//! `\u0041`, surrogate pairs) are decoded straight into the fixed-capacity targets, filled in place
//! (a [`Credentials`] holds a 2 KiB token: none is built as a temporary). Secrets never appear in
//! an error. On error the target is left empty (secrets wiped), never half-filled.

use core::fmt;

use serde::Deserialize;
use serde_json_core::str::EscapedStr;

use super::fill::{self, Decoder, FillError, Target};
use super::Credentials;
use crate::limits::{MAX_ERROR_CODE_LEN, MAX_ERROR_TEXT_LEN};
use crate::secret::SessionToken;
use crate::text::{CapacityError, ErrorCode, ErrorText, Field, Text};
use crate::time::UnixTime;

pub(crate) mod sso;

pub use sso::{
    parse_oidc_create_token, parse_sso_cache, write_oidc_refresh_body, write_sso_cache, SsoToken,
};

/// Reading or writing credentials JSON failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CredentialsJsonError {
    /// Not JSON of the expected shape: bad syntax, a value of the wrong type, a bad string escape,
    /// or text after the object.
    InvalidJson,
    /// `Version` is not 1 (Go v1 `ProcessProviderVersionError`).
    Version,
    /// A required field is missing or empty (Go v1 `ProcessProviderRequiredError`); names the
    /// JSON key.
    Missing(&'static str),
    /// The credentials' expiration is not an RFC 3339 time (or epoch milliseconds out of range).
    Expiration,
    /// Another time field (named by its JSON key) is not an RFC 3339 time, or is out of range.
    Time(&'static str),
    /// A value is longer than its limit.
    Capacity(CapacityError),
    /// The provider answered with an error code instead of credentials (container or IMDS body
    /// `"Code"` other than `Success`, or an ECS error body's `"code"`).
    ProviderCode(ErrorCode),
    /// The output buffer is too small for the JSON written into it.
    BufferTooSmall {
        /// The buffer's length.
        limit: usize,
    },
}

impl fmt::Display for CredentialsJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsJsonError::InvalidJson => {
                f.write_str("invalid JSON in credentials response")
            }
            CredentialsJsonError::Version => f.write_str("wrong version in process output (not 1)"),
            CredentialsJsonError::Missing(field) => {
                write!(f, "missing {field} in credentials response")
            }
            CredentialsJsonError::Expiration => f.write_str("Expiration is not an RFC 3339 time"),
            CredentialsJsonError::Time(field) => {
                write!(f, "{field} is not a valid time")
            }
            CredentialsJsonError::Capacity(e) => write!(f, "{e}"),
            CredentialsJsonError::ProviderCode(code) => {
                write!(f, "credentials provider answered with error code {code}")
            }
            CredentialsJsonError::BufferTooSmall { limit } => {
                write!(f, "credentials JSON does not fit the {limit}-byte buffer")
            }
        }
    }
}

impl core::error::Error for CredentialsJsonError {}

impl From<FillError> for CredentialsJsonError {
    fn from(e: FillError) -> Self {
        match e {
            FillError::Syntax => CredentialsJsonError::InvalidJson,
            FillError::Capacity(c) => CredentialsJsonError::Capacity(c),
        }
    }
}

// ---- JSON strings --------------------------------------------------------------------------------

/// Decodes the raw body of a JSON string (between its quotes), handing each piece to `sink`;
/// returns the decoded length. `Err(())` for a bad escape (unknown letter, short or non-hex
/// `\u`, a lone surrogate).
fn unescape(raw: &str, sink: &mut dyn FnMut(&str)) -> Result<usize, ()> {
    let mut rest = raw;
    let mut len = 0usize;
    loop {
        let (run, tail) = rest
            .split_at_checked(rest.find('\\').unwrap_or(rest.len()))
            .ok_or(())?;
        if !run.is_empty() {
            sink(run);
            len = len.saturating_add(run.len());
        }
        let Some(escape) = tail.strip_prefix('\\') else {
            return Ok(len);
        };
        let (c, after) = unescape_one(escape)?;
        let mut buf = [0u8; 4];
        let piece = c.encode_utf8(&mut buf);
        sink(piece);
        len = len.saturating_add(piece.len());
        rest = after;
    }
}

/// One escape, `s` starting after its backslash: the character and the text after it.
fn unescape_one(s: &str) -> Result<(char, &str), ()> {
    let first = *s.as_bytes().first().ok_or(())?;
    let rest = s.get(1..).ok_or(())?;
    let c = match first {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let (unit, rest) = hex4(rest)?;
            if !(0xD800..0xDC00).contains(&unit) {
                // A lone low surrogate is no `char`: refused here.
                return char::from_u32(unit).map(|c| (c, rest)).ok_or(());
            }
            let (low, rest) = hex4(rest.strip_prefix("\\u").ok_or(())?)?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(());
            }
            let code = 0x1_0000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            return char::from_u32(code).map(|c| (c, rest)).ok_or(());
        }
        _ => return Err(()),
    };
    Ok((c, rest))
}

/// Four hex digits (no sign, unlike `from_str_radix`) and the text after them.
fn hex4(s: &str) -> Result<(u32, &str), ()> {
    let digits = s.get(..4).ok_or(())?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(());
    }
    let value = u32::from_str_radix(digits, 16).map_err(|_| ())?;
    Ok((value, s.get(4..).ok_or(())?))
}

/// A raw JSON string's decoder, for [`fill::fill`].
pub(crate) fn decoder<'a>(raw: EscapedStr<'a>) -> impl Decoder + 'a {
    move |sink| unescape(raw.0, sink)
}

/// Decodes `raw` into `out` in place; on error `out` is unchanged.
fn set<T: Target>(
    out: &mut T,
    raw: EscapedStr<'_>,
    field: Field,
) -> Result<(), CredentialsJsonError> {
    Ok(fill::fill(out, field, &decoder(raw))?)
}

/// Decodes `raw` into an optional secret in place (`None` for an empty string).
fn set_opt<T: Target>(
    out: &mut Option<T>,
    raw: Option<EscapedStr<'_>>,
    empty: fn() -> T,
    field: Field,
) -> Result<(), CredentialsJsonError> {
    match raw.filter(|r| !r.0.is_empty()) {
        Some(raw) => {
            let r = set(out.get_or_insert_with(empty), raw, field);
            if r.is_err() {
                *out = None;
            }
            r
        }
        None => {
            *out = None;
            Ok(())
        }
    }
}

/// A required, non-empty string.
fn required<'a>(
    raw: Option<EscapedStr<'a>>,
    key: &'static str,
) -> Result<EscapedStr<'a>, CredentialsJsonError> {
    raw.filter(|r| !r.0.is_empty())
        .ok_or(CredentialsJsonError::Missing(key))
}

/// Decodes an RFC 3339 time; `err` when it is not one.
fn rfc3339(
    raw: EscapedStr<'_>,
    err: CredentialsJsonError,
) -> Result<UnixTime, CredentialsJsonError> {
    // The longest RFC 3339 text with nanoseconds and an offset is 35 bytes.
    let mut t = Text::<40>::new();
    fill::fill(&mut t, Field::Setting, &decoder(raw)).map_err(|_| err)?;
    UnixTime::parse_rfc3339(&t).map_err(|_| err)
}

/// Parses `json` (surrounding whitespace allowed) as one object of type `W`.
pub(crate) fn wire<'a, W: Deserialize<'a>>(json: &'a str) -> Result<W, CredentialsJsonError> {
    let json = json.trim();
    match serde_json_core::from_str::<W>(json) {
        Ok((w, used)) if used == json.len() => Ok(w),
        _ => Err(CredentialsJsonError::InvalidJson),
    }
}

// ---- credentials ---------------------------------------------------------------------------------

/// The credential strings of a response, raw, and its already-decoded expiry.
struct Raw<'a> {
    access_key_id: Option<EscapedStr<'a>>,
    secret_access_key: Option<EscapedStr<'a>>,
    session_token: Option<EscapedStr<'a>>,
    expires: Option<UnixTime>,
}

/// Parses `json` as a `W`, picks its credential strings with `pick` and fills `out` with them;
/// on error `out` is left empty.
#[inline(never)] // keeps the parser's temporaries out of its caller's frame (small-RAM targets)
fn parse_into<'a, W: Deserialize<'a>>(
    json: &'a str,
    out: &mut Credentials,
    pick: impl FnOnce(W) -> Result<Raw<'a>, CredentialsJsonError>,
) -> Result<(), CredentialsJsonError> {
    let r = wire::<W>(json)
        .and_then(pick)
        .and_then(|raw| fill_credentials(out, &raw));
    if r.is_err() {
        out.clear();
    }
    r
}

fn fill_credentials(out: &mut Credentials, raw: &Raw<'_>) -> Result<(), CredentialsJsonError> {
    let akid = required(raw.access_key_id, "AccessKeyId")?;
    let secret = required(raw.secret_access_key, "SecretAccessKey")?;
    set(&mut out.access_key_id, akid, Field::AccessKeyId)?;
    set(&mut out.secret_access_key, secret, Field::SecretAccessKey)?;
    set_opt(
        &mut out.session_token,
        raw.session_token,
        SessionToken::empty,
        Field::SessionToken,
    )?;
    out.expires = raw.expires;
    Ok(())
}

/// The keys of a `credential_process` output and a container / IMDS body.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Wire<'a> {
    version: Option<u32>,
    #[serde(borrow)]
    access_key_id: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    secret_access_key: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    session_token: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    token: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    expiration: Option<EscapedStr<'a>>,
    /// IMDS and container bodies: `Success`, or an error code.
    #[serde(borrow)]
    code: Option<EscapedStr<'a>>,
    /// ECS error bodies: `{"code": "...", "message": "..."}`.
    #[serde(borrow, rename = "code")]
    error_code: Option<EscapedStr<'a>>,
}

fn expiration(raw: Option<EscapedStr<'_>>) -> Result<Option<UnixTime>, CredentialsJsonError> {
    raw.map(|e| rfc3339(e, CredentialsJsonError::Expiration))
        .transpose()
}

/// Parses `credential_process` output into `out` in place: `{"Version": 1, "AccessKeyId",
/// "SecretAccessKey", "SessionToken"?, "Expiration"?}` (Go v1 F6; no `Expiration` means the keys
/// never expire). Unknown keys are ignored.
///
/// # Errors
/// [`CredentialsJsonError`]: not JSON, `Version` other than 1, a missing key, a bad time, or a
/// value over its limit. `out` is then empty.
pub fn fill_process_output(json: &str, out: &mut Credentials) -> Result<(), CredentialsJsonError> {
    parse_into(json, out, |w: Wire<'_>| {
        if w.version != Some(1) {
            return Err(CredentialsJsonError::Version);
        }
        Ok(Raw {
            access_key_id: w.access_key_id,
            secret_access_key: w.secret_access_key,
            session_token: w.session_token,
            expires: expiration(w.expiration)?,
        })
    })
}

/// [`fill_process_output`] returning the credentials by value (a 2 KiB+ value: prefer the
/// in-place form on a small stack).
///
/// # Errors
/// As [`fill_process_output`].
pub fn parse_process_output(json: &str) -> Result<Credentials, CredentialsJsonError> {
    let mut out = Credentials::EMPTY;
    fill_process_output(json, &mut out)?;
    Ok(out)
}

/// Parses a container (ECS / EKS Pod Identity) or instance-metadata (`security-credentials/<role>`)
/// credentials body into `out` in place: `{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId",
/// "SecretAccessKey", "Token", "Expiration", "LastUpdated", "AccountId"?, "RoleArn"?}`. Unknown
/// keys are ignored; `Code` may be absent (ECS omits it).
///
/// # Errors
/// [`CredentialsJsonError::ProviderCode`] for a `Code` other than `Success` or an ECS error body
/// (`{"code", "message"}`); otherwise as [`fill_process_output`], without the version check.
/// `out` is then empty.
pub fn parse_container_credentials(
    json: &str,
    out: &mut Credentials,
) -> Result<(), CredentialsJsonError> {
    parse_into(json, out, |w: Wire<'_>| {
        provider_code(w.code.or(w.error_code))?;
        Ok(Raw {
            access_key_id: w.access_key_id,
            secret_access_key: w.secret_access_key,
            session_token: w.token,
            expires: expiration(w.expiration)?,
        })
    })
}

/// `Ok` for no code or `Success`; the code (cut to [`MAX_ERROR_CODE_LEN`]) otherwise.
fn provider_code(code: Option<EscapedStr<'_>>) -> Result<(), CredentialsJsonError> {
    let Some(code) = code else { return Ok(()) };
    let text = fill::head::<MAX_ERROR_CODE_LEN>(&decoder(code))
        .map_err(|()| CredentialsJsonError::InvalidJson)?;
    if text == "Success" {
        return Ok(());
    }
    Err(CredentialsJsonError::ProviderCode(ErrorCode::head(&text)))
}

/// The message of a container or IMDS error body (`{"code", "message"}`, or `"Message"` beside
/// `"Code"`), cut to [`MAX_ERROR_TEXT_LEN`]; `None` when the body is not JSON or has none. Go v1
/// shows it after the code.
pub fn error_message(json: &str) -> Option<ErrorText> {
    #[derive(Deserialize)]
    struct Message<'a> {
        #[serde(borrow)]
        message: Option<EscapedStr<'a>>,
        #[serde(borrow, rename = "Message")]
        upper: Option<EscapedStr<'a>>,
    }
    let raw = wire::<Message<'_>>(json)
        .ok()
        .and_then(|m| m.message.or(m.upper))?;
    let text = fill::head::<MAX_ERROR_TEXT_LEN>(&decoder(raw)).ok()?;
    Some(ErrorText::head(&text))
}

/// [`parse_container_credentials`] returning the credentials by value.
///
/// # Errors
/// As [`parse_container_credentials`].
pub fn parse_endpoint_response(json: &str) -> Result<Credentials, CredentialsJsonError> {
    let mut out = Credentials::EMPTY;
    parse_container_credentials(json, &mut out)?;
    Ok(out)
}

/// The camelCase credentials object of the SSO portal and of the AWS IoT credentials provider;
/// only the expiration differs: epoch milliseconds (`u64`) or RFC 3339 text.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CamelCredentialsWire<'a, X> {
    #[serde(borrow)]
    access_key_id: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    secret_access_key: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    session_token: Option<EscapedStr<'a>>,
    expiration: Option<X>,
}

#[derive(Deserialize)]
struct SsoWire<'a> {
    #[serde(borrow, rename = "roleCredentials")]
    role_credentials: Option<CamelCredentialsWire<'a, u64>>,
}

/// Parses an SSO portal `GetRoleCredentials` body into `out` in place:
/// `{"roleCredentials": {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}}`, the
/// expiration in epoch milliseconds. Every field is required; unknown keys are ignored.
///
/// # Errors
/// [`CredentialsJsonError`]: not JSON (or `expiration` not a number), a missing field, an
/// expiration past 9999, or a value over its limit. `out` is then empty.
pub fn parse_sso_role_credentials(
    json: &str,
    out: &mut Credentials,
) -> Result<(), CredentialsJsonError> {
    parse_into(json, out, |w: SsoWire<'_>| {
        let c = w
            .role_credentials
            .ok_or(CredentialsJsonError::Missing("roleCredentials"))?;
        let token = required(c.session_token, "sessionToken")?;
        let millis = c
            .expiration
            .ok_or(CredentialsJsonError::Missing("expiration"))?;
        let expires = UnixTime::from_secs(millis / 1000);
        if expires.to_datetime().is_err() {
            return Err(CredentialsJsonError::Expiration);
        }
        Ok(Raw {
            access_key_id: Some(required(c.access_key_id, "accessKeyId")?),
            secret_access_key: Some(required(c.secret_access_key, "secretAccessKey")?),
            session_token: Some(token),
            expires: Some(expires),
        })
    })
}

#[derive(Deserialize)]
struct IotWire<'a> {
    #[serde(borrow)]
    credentials: Option<CamelCredentialsWire<'a, EscapedStr<'a>>>,
}

/// Parses an AWS IoT credentials provider body into `out` in place: `{"credentials":
/// {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}}`, the expiration an RFC 3339
/// time. Every field is required; unknown keys are ignored.
///
/// # Errors
/// [`CredentialsJsonError`]: not JSON, a missing field, a bad time, or a value over its limit.
/// `out` is then empty.
pub fn parse_iot_credentials(
    json: &str,
    out: &mut Credentials,
) -> Result<(), CredentialsJsonError> {
    parse_into(json, out, |w: IotWire<'_>| {
        let c = w
            .credentials
            .ok_or(CredentialsJsonError::Missing("credentials"))?;
        let expires = required(c.expiration, "expiration")?;
        Ok(Raw {
            access_key_id: Some(required(c.access_key_id, "accessKeyId")?),
            secret_access_key: Some(required(c.secret_access_key, "secretAccessKey")?),
            session_token: Some(required(c.session_token, "sessionToken")?),
            expires: expiration(Some(expires))?,
        })
    })
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::limits::MAX_SESSION_TOKEN_LEN;
    use core::fmt::Write;

    selftests! {
        fn process_output_with_every_field() {
            let c = parse_process_output(
                r#"{ "Version": 1, "AccessKeyId": "ASIARTESTID", "SecretAccessKey": "TESTSECRETKEY", "SessionToken": "TESTSESSIONTOKEN", "AccountId": "123456789002", "Expiration": "2022-05-02T18:36:00+00:00" }"#,
            )
            .unwrap();
            assert_eq!(c.access_key_id.as_str(), "ASIARTESTID");
            assert_eq!(c.secret_access_key.expose(), "TESTSECRETKEY");
            assert_eq!(c.session_token.as_ref().unwrap().expose(), "TESTSESSIONTOKEN");
            assert_eq!(c.expires, Some(UnixTime::from_secs(1_651_516_560)));
        }

        fn process_output_errors_are_typed() {
            assert_eq!(parse_process_output("invalid json").unwrap_err(), CredentialsJsonError::InvalidJson);
            assert_eq!(
                parse_process_output(r#"{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "S"}"#).unwrap_err(),
                CredentialsJsonError::Version
            );
            assert_eq!(
                parse_process_output(r#"{"Version": 1, "AccessKeyId": "A"}"#).unwrap_err(),
                CredentialsJsonError::Missing("SecretAccessKey")
            );
            assert_eq!(
                parse_process_output(r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S", "Expiration": "soon"}"#).unwrap_err(),
                CredentialsJsonError::Expiration
            );
            let c = parse_process_output(r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S"}"#).unwrap();
            assert!(c.expires.is_none() && c.session_token.is_none(), "no Expiration: never expires");
        }

        fn process_output_decodes_string_escapes() {
            let c = parse_process_output(
                r#"{"Version":1,"AccessKeyId":"\u0041KID","SecretAccessKey":"ab\/cd\"e\\f","SessionToken":"t\u00e9\ud83d\ude00\n"}"#,
            )
            .unwrap();
            assert_eq!(c.access_key_id.as_str(), "AKID");
            assert_eq!(c.secret_access_key.expose(), "ab/cd\"e\\f");
            assert_eq!(c.session_token.as_ref().unwrap().expose(), "té😀\n");
            for bad in [r#""a\x""#, r#""\u00g1""#, r#""\u+041""#, r#""\ud83d""#, r#""\ude00x""#, r#""\u12""#] {
                let mut json = Text::<128>::new();
                json.push_str(r#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"#).unwrap();
                json.push_str(bad).unwrap();
                json.push('}').unwrap();
                assert_eq!(parse_process_output(&json).unwrap_err(), CredentialsJsonError::InvalidJson, "{bad}");
            }
        }

        fn process_output_refuses_truncated_typed_wrong_and_trailing_input() {
            let full = r#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}"#;
            for end in 0..full.len() {
                assert!(parse_process_output(&full[..end]).is_err(), "{}", &full[..end]);
            }
            for bad in [
                r#"{"Version":"1","AccessKeyId":"A","SecretAccessKey":"S"}"#,
                r#"{"Version":1,"AccessKeyId":7,"SecretAccessKey":"S"}"#,
                r#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"} {}"#,
                r#"[1]"#,
            ] {
                assert_eq!(parse_process_output(bad).unwrap_err(), CredentialsJsonError::InvalidJson, "{bad}");
            }
            assert_eq!(
                parse_process_output(r#"{"Version":1,"AccessKeyId":"","SecretAccessKey":"S"}"#).unwrap_err(),
                CredentialsJsonError::Missing("AccessKeyId")
            );
        }

        fn oversized_token_is_a_capacity_error_and_leaves_out_empty() {
            let mut json = Text::<{ MAX_SESSION_TOKEN_LEN + 128 }>::new();
            json.push_str(r#"{"AccessKeyId":"A","SecretAccessKey":"S","Token":""#).unwrap();
            for _ in 0..=MAX_SESSION_TOKEN_LEN {
                json.push('t').unwrap();
            }
            json.push_str(r#""}"#).unwrap();
            let mut c = Credentials::new("OLD", "OLDSECRET", Some("OLDTOKEN")).unwrap();
            let err = parse_container_credentials(&json, &mut c).unwrap_err();
            assert_eq!(
                err,
                CredentialsJsonError::Capacity(CapacityError {
                    field: Field::SessionToken,
                    limit: MAX_SESSION_TOKEN_LEN,
                    len: MAX_SESSION_TOKEN_LEN + 1
                })
            );
            assert!(c.access_key_id.is_empty() && c.secret_access_key.is_empty() && c.session_token.is_none());
        }

        fn container_response_uses_token() {
            let c = parse_endpoint_response(
                r#"{"AccessKeyId":"ASIAX","SecretAccessKey":"S","Token":"T","Expiration":"2022-05-02T18:36:00Z","RoleArn":"arn:aws:iam::1:role/r"}"#,
            )
            .unwrap();
            assert_eq!(c.session_token.as_ref().unwrap().expose(), "T");
            assert_eq!(c.expires, Some(UnixTime::from_secs(1_651_516_560)));
        }

        fn imds_and_ecs_bodies_fill_in_place() {
            // IMDS `security-credentials/<role>`, as recorded in smithy-rs' imds test data.
            let imds = r#"{
  "Code" : "Success",
  "LastUpdated" : "2021-09-17T20:57:08Z",
  "Type" : "AWS-HMAC",
  "AccessKeyId" : "ASIARTEST",
  "SecretAccessKey" : "xjtest",
  "Token" : "IQote///test",
  "Expiration" : "2021-09-18T03:31:56Z"
}"#;
            let mut c = Credentials::EMPTY;
            parse_container_credentials(imds, &mut c).unwrap();
            assert_eq!(c.access_key_id.as_str(), "ASIARTEST");
            assert_eq!(c.secret_access_key.expose(), "xjtest");
            assert_eq!(c.session_token.as_ref().unwrap().expose(), "IQote///test");
            assert_eq!(c.expires, Some(UnixTime::parse_rfc3339("2021-09-18T03:31:56Z").unwrap()));
            // ECS / EKS Pod Identity, with fields it adds and nesting in an unknown one.
            let ecs = r#"{"AccessKeyId":"AKIDTEST","SecretAccessKey":"SECRET","Token":"TOKEN","AccountId":"123456789012","RoleArn":"arn:aws:iam::123456789012:role/r","Expiration":"2021-09-21T18:22:29Z","Extra":{"a":[1,{"b":null}],"c":true}}"#;
            parse_container_credentials(ecs, &mut c).unwrap();
            assert_eq!(c.access_key_id.as_str(), "AKIDTEST");
            assert_eq!(c.session_token.as_ref().unwrap().expose(), "TOKEN");
        }

        fn provider_error_codes_are_typed() {
            let mut c = Credentials::new("OLD", "OLDSECRET", None).unwrap();
            let err = parse_container_credentials(
                r#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role","LastUpdated":"2021-09-17T20:57:08Z"}"#,
                &mut c,
            )
            .unwrap_err();
            assert_eq!(err, CredentialsJsonError::ProviderCode(ErrorCode::new("AssumeRoleUnauthorizedAccess").unwrap()));
            assert!(c.access_key_id.is_empty() && c.secret_access_key.is_empty());
            let err = parse_container_credentials(r#"{"code":"InvalidToken","message":"bad \"token\""}"#, &mut c).unwrap_err();
            assert_eq!(err, CredentialsJsonError::ProviderCode(ErrorCode::new("InvalidToken").unwrap()));
            assert_eq!(error_message(r#"{"code":"InvalidToken","message":"bad \"token\""}"#).unwrap().as_str(), "bad \"token\"");
            assert_eq!(error_message(r#"{"Code":"X","Message":"EC2 cannot assume the role"}"#).unwrap().as_str(), "EC2 cannot assume the role");
            assert!(error_message(r#"{"code":"X"}"#).is_none() && error_message("not json").is_none());
            let mut long = Text::<256>::new();
            long.push_str("{\"code\":\"").unwrap();
            for _ in 0..200 {
                long.push('C').unwrap();
            }
            long.push_str("\"}").unwrap();
            let CredentialsJsonError::ProviderCode(code) = parse_container_credentials(&long, &mut c).unwrap_err() else {
                panic!("not a provider code")
            };
            assert_eq!(code.as_str().len(), MAX_ERROR_CODE_LEN);
            let mut shown = Text::<256>::new();
            write!(shown, "{}", CredentialsJsonError::ProviderCode(code)).unwrap();
            assert!(shown.contains("CCCC"));
        }

        fn sso_role_credentials_fill_in_place() {
            // The SSO portal's GetRoleCredentials body, as recorded in smithy-rs' sso test data.
            let body = r#"{"roleCredentials":{"accessKeyId":"ASIARTESTID","secretAccessKey":"TESTSECRETKEY","sessionToken":"TESTSESSIONTOKEN","expiration":1651516560000}}"#;
            let mut c = Credentials::EMPTY;
            parse_sso_role_credentials(body, &mut c).unwrap();
            assert_eq!(c.access_key_id.as_str(), "ASIARTESTID");
            assert_eq!(c.secret_access_key.expose(), "TESTSECRETKEY");
            assert_eq!(c.session_token.as_ref().unwrap().expose(), "TESTSESSIONTOKEN");
            assert_eq!(c.expires, Some(UnixTime::from_secs(1_651_516_560)));
            let cases: [(&str, CredentialsJsonError); 6] = [
                (r#"{}"#, CredentialsJsonError::Missing("roleCredentials")),
                (r#"{"roleCredentials":{"accessKeyId":"A","secretAccessKey":"S","expiration":1}}"#, CredentialsJsonError::Missing("sessionToken")),
                (r#"{"roleCredentials":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T"}}"#, CredentialsJsonError::Missing("expiration")),
                (r#"{"roleCredentials":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","expiration":"1"}}"#, CredentialsJsonError::InvalidJson),
                (r#"{"roleCredentials":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","expiration":18446744073709551615}}"#, CredentialsJsonError::Expiration),
                (r#"{"roleCredentials":"A"}"#, CredentialsJsonError::InvalidJson),
            ];
            for (json, want) in cases {
                assert_eq!(parse_sso_role_credentials(json, &mut c).unwrap_err(), want, "{json}");
                assert!(!c.has_keys());
            }
        }

        fn iot_credentials_fill_in_place() {
            let body = r#"{"credentials":{"accessKeyId":"ASIAIOTEXAMPLE","secretAccessKey":"iot\/secret","sessionToken":"tok","expiration":"2030-01-02T03:04:05Z"}}"#;
            let mut out = Credentials::EMPTY;
            parse_iot_credentials(body, &mut out).unwrap();
            assert_eq!((out.access_key_id.as_str(), out.secret_access_key.expose(), out.session_token.as_ref().map(|t| t.expose())), ("ASIAIOTEXAMPLE", "iot/secret", Some("tok")));
            assert_eq!(out.expires.map(|t| t.secs()), Some(1_893_553_445));
            for (bad, why) in [
                (r#"{"message":"Access Denied"}"#, CredentialsJsonError::Missing("credentials")),
                (r#"{"credentials":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T"}}"#, CredentialsJsonError::Missing("expiration")),
                (r#"{"credentials":{"accessKeyId":"A","secretAccessKey":"S","expiration":"2030-01-02T03:04:05Z"}}"#, CredentialsJsonError::Missing("sessionToken")),
                (r#"{"credentials":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","expiration":"soon"}}"#, CredentialsJsonError::Expiration),
            ] {
                assert_eq!(parse_iot_credentials(bad, &mut out), Err(why), "{bad}");
                assert!(!out.has_keys(), "{bad}");
            }
        }

        fn errors_never_show_secrets() {
            let mut c = Credentials::EMPTY;
            let err = parse_container_credentials(r#"{"AccessKeyId":"A","SecretAccessKey":"SECRETVALUE","Token":"T","Expiration":"SECRETVALUE"}"#, &mut c).unwrap_err();
            let mut shown = Text::<256>::new();
            write!(shown, "{err} {err:?}").unwrap();
            assert!(!shown.contains("SECRETVALUE"), "{shown}");
        }
    }
}
