//! STS, sans IO: the query-protocol request bodies of `AssumeRole` and
//! `AssumeRoleWithWebIdentity`, and the XML of their responses (credentials, or an error).
//!
//! The bodies are written into a caller-owned buffer. The responses are read by the crate's small
//! XML scanner (`crate::xml`: no declarations, nesting bounded by [`MAX_XML_DEPTH`]). Credentials
//! are filled in place; nothing is copied but the values kept.

use core::fmt::{self, Write};

use super::fill::{self, FillError};
use super::Credentials;
use crate::limits::MAX_ERROR_TEXT_LEN;
#[cfg(doc)]
use crate::limits::MAX_XML_DEPTH;
use crate::secret::SessionToken;
use crate::text::{CapacityError, ErrorText, Field, SliceWriter, Text};
use crate::time::UnixTime;
use crate::xml::{self, local, walk, XmlError};

/// The STS API version every body names.
const VERSION: &str = "2011-06-15";

/// Building an STS request body or reading an STS response failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum StsError {
    /// The request body does not fit the caller's buffer.
    BodyTooLong {
        /// The buffer's length.
        limit: usize,
    },
    /// The response is not well-formed XML of the expected shape: truncated, mismatched tags, a
    /// bad character reference, or an element where a value was expected.
    Malformed,
    /// The response nests elements deeper than [`MAX_XML_DEPTH`].
    TooDeep {
        /// The limit ([`MAX_XML_DEPTH`]).
        limit: usize,
    },
    /// The response has a document type or entity declaration, which is refused.
    Declaration,
    /// A required request parameter or response element is missing or empty; names it.
    Missing(&'static str),
    /// `Expiration` is not an RFC 3339 time.
    Expiration,
    /// A value is longer than its limit.
    Capacity(CapacityError),
}

impl fmt::Display for StsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StsError::BodyTooLong { limit } => {
                write!(f, "STS request body does not fit the {limit}-byte buffer")
            }
            StsError::Malformed => f.write_str("malformed XML in STS response"),
            StsError::TooDeep { limit } => {
                write!(f, "STS response nests elements deeper than {limit}")
            }
            StsError::Declaration => {
                f.write_str("STS response has a document type declaration (refused)")
            }
            StsError::Missing(name) => write!(f, "missing {name} in STS request or response"),
            StsError::Expiration => {
                f.write_str("Expiration in STS response is not an RFC 3339 time")
            }
            StsError::Capacity(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for StsError {}

impl From<XmlError> for StsError {
    fn from(e: XmlError) -> Self {
        match e {
            XmlError::Malformed => StsError::Malformed,
            XmlError::TooDeep { limit } => StsError::TooDeep { limit },
            XmlError::Declaration => StsError::Declaration,
        }
    }
}

impl From<FillError> for StsError {
    fn from(e: FillError) -> Self {
        match e {
            FillError::Syntax => StsError::Malformed,
            FillError::Capacity(c) => StsError::Capacity(c),
        }
    }
}

// ---- request bodies ------------------------------------------------------------------------------

/// The parameters of one `AssumeRole` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssumeRoleParams<'a> {
    /// `RoleArn`.
    pub role_arn: &'a str,
    /// `RoleSessionName`.
    pub session_name: &'a str,
    /// `ExternalId`, when the role's trust policy asks for one.
    pub external_id: Option<&'a str>,
    /// `SerialNumber` of the MFA device; needs `token_code`.
    pub serial_number: Option<&'a str>,
    /// `TokenCode` from the MFA device.
    pub token_code: Option<&'a str>,
    /// `DurationSeconds`.
    pub duration_secs: u32,
}

/// Writes `s` form-urlencoded as Go's `url.Values.Encode` does: RFC 3986 unreserved characters
/// as they are, a space as `+`, every other byte `%XX` (upper-case hex).
pub(crate) fn write_form_value(w: &mut impl Write, s: &str) -> fmt::Result {
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            continue;
        }
        w.write_str(s.get(run..i).unwrap_or(""))?;
        if b == b' ' {
            // Go's `url.Values.Encode` (`QueryEscape`) writes a space as `+`.
            w.write_char('+')?;
        } else {
            write!(w, "%{b:02X}")?;
        }
        run = i + 1;
    }
    w.write_str(s.get(run..).unwrap_or(""))
}

/// Writes `&name=value`, the value form-urlencoded.
fn write_param(w: &mut impl Write, name: &str, value: &str) -> fmt::Result {
    write!(w, "&{name}=")?;
    write_form_value(w, value)
}

/// Runs `write` over `out`; the written text, or [`StsError::BodyTooLong`].
fn write_body(
    out: &mut [u8],
    write: impl FnOnce(&mut SliceWriter<'_>) -> fmt::Result,
) -> Result<&str, StsError> {
    let limit = out.len();
    let mut w = SliceWriter::new(out);
    write(&mut w).map_err(|_| StsError::BodyTooLong { limit })?;
    let len = w.len();
    // Only ASCII is written.
    core::str::from_utf8(out.get(..len).unwrap_or(&[])).map_err(|_| StsError::BodyTooLong { limit })
}

/// A required, non-empty parameter.
fn required<'a>(value: Option<&'a str>, name: &'static str) -> Result<&'a str, StsError> {
    value
        .filter(|v| !v.is_empty())
        .ok_or(StsError::Missing(name))
}

/// Writes the form-urlencoded body of an `AssumeRole` call into `out`:
/// `Action=AssumeRole&Version=2011-06-15&RoleArn=…&RoleSessionName=…&DurationSeconds=…`, then
/// `&ExternalId=…` and `&SerialNumber=…&TokenCode=…` when given.
///
/// # Errors
/// [`StsError::Missing`] for an empty `RoleArn` or `RoleSessionName`, or a `SerialNumber`
/// without a `TokenCode`; [`StsError::BodyTooLong`] when `out` is too small.
pub fn assume_role_body<'b>(
    p: &AssumeRoleParams<'_>,
    out: &'b mut [u8],
) -> Result<&'b str, StsError> {
    let role_arn = required(Some(p.role_arn), "RoleArn")?;
    let session_name = required(Some(p.session_name), "RoleSessionName")?;
    let mfa = match p.serial_number.filter(|s| !s.is_empty()) {
        Some(serial) => Some((serial, required(p.token_code, "TokenCode")?)),
        None => None,
    };
    write_body(out, |w| {
        write!(w, "Action=AssumeRole&Version={VERSION}")?;
        write_param(w, "RoleArn", role_arn)?;
        write_param(w, "RoleSessionName", session_name)?;
        write!(w, "&DurationSeconds={}", p.duration_secs)?;
        if let Some(id) = p.external_id.filter(|s| !s.is_empty()) {
            write_param(w, "ExternalId", id)?;
        }
        if let Some((serial, code)) = mfa {
            write_param(w, "SerialNumber", serial)?;
            write_param(w, "TokenCode", code)?;
        }
        Ok(())
    })
}

/// Writes the form-urlencoded body of an `AssumeRoleWithWebIdentity` call into `out`:
/// `Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=…&RoleSessionName=…&WebIdentityToken=…`,
/// then `&DurationSeconds=…` when given. The body holds the token: treat the buffer as secret.
///
/// # Errors
/// [`StsError::Missing`] for an empty `RoleArn`, `RoleSessionName` or `WebIdentityToken`;
/// [`StsError::BodyTooLong`] when `out` is too small.
pub fn web_identity_body<'b>(
    role_arn: &str,
    session_name: &str,
    token: &str,
    duration_secs: Option<u32>,
    out: &'b mut [u8],
) -> Result<&'b str, StsError> {
    let role_arn = required(Some(role_arn), "RoleArn")?;
    let session_name = required(Some(session_name), "RoleSessionName")?;
    let token = required(Some(token), "WebIdentityToken")?;
    write_body(out, |w| {
        write!(w, "Action=AssumeRoleWithWebIdentity&Version={VERSION}")?;
        write_param(w, "RoleArn", role_arn)?;
        write_param(w, "RoleSessionName", session_name)?;
        write_param(w, "WebIdentityToken", token)?;
        if let Some(d) = duration_secs {
            write!(w, "&DurationSeconds={d}")?;
        }
        Ok(())
    })
}

// ---- responses -----------------------------------------------------------------------------------

/// Which `Credentials` child an element is.
#[allow(clippy::enum_variant_names)] // named as the XML elements are
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    AccessKeyId,
    SecretAccessKey,
    SessionToken,
    Expiration,
}

const KEYS: [(Key, &str); 4] = [
    (Key::AccessKeyId, "AccessKeyId"),
    (Key::SecretAccessKey, "SecretAccessKey"),
    (Key::SessionToken, "SessionToken"),
    (Key::Expiration, "Expiration"),
];

/// The `Credentials` child a path names: `*Response/*Result/Credentials/<key>`.
fn credentials_key(path: &[&str]) -> Option<Key> {
    let [root, result, creds, key] = path else {
        return None;
    };
    if !local(root).ends_with("Response")
        || !local(result).ends_with("Result")
        || local(creds) != "Credentials"
    {
        return None;
    }
    KEYS.iter()
        .find(|(_, name)| *name == local(key))
        .map(|(k, _)| *k)
}

/// Decodes one `Credentials` child into `out`; returns which one it was.
fn fill_key(out: &mut Credentials, key: Key, raw: &str) -> Result<(), StsError> {
    let decode = |sink: &mut dyn FnMut(&str)| xml::text(raw, sink);
    match key {
        Key::AccessKeyId => fill::fill(&mut out.access_key_id, Field::AccessKeyId, &decode)?,
        Key::SecretAccessKey => {
            fill::fill(&mut out.secret_access_key, Field::SecretAccessKey, &decode)?;
        }
        Key::SessionToken => {
            let token = out.session_token.get_or_insert_with(SessionToken::empty);
            fill::fill(token, Field::SessionToken, &decode)?;
        }
        Key::Expiration => {
            // The longest RFC 3339 text with nanoseconds and an offset is 35 bytes.
            let mut t = Text::<40>::new();
            fill::fill(&mut t, Field::Setting, &decode).map_err(|_| StsError::Expiration)?;
            let at = UnixTime::parse_rfc3339(&t).map_err(|_| StsError::Expiration)?;
            out.expires = Some(at);
        }
    }
    Ok(())
}

/// Reads the credentials of an `AssumeRoleResponse` or `AssumeRoleWithWebIdentityResponse`
/// (`<…Response><…Result><Credentials><AccessKeyId/><SecretAccessKey/><SessionToken/>
/// <Expiration/></Credentials>…`) into `out` in place. The children may come in any order, with
/// white space around their values, character references and CDATA; other elements are
/// skipped. All four are required.
///
/// # Errors
/// [`StsError`]: malformed XML, a declaration, too deep, a missing or empty child (`Missing`
/// naming it), a bad `Expiration`, or a value over its limit. `out` is then empty.
#[inline(never)] // keeps the scanner's temporaries out of its caller's frame (small-RAM targets)
pub fn parse_credentials(xml: &str, out: &mut Credentials) -> Result<(), StsError> {
    out.clear();
    let r = fill_credentials(xml, out);
    if r.is_err() {
        out.clear();
    }
    r
}

fn fill_credentials(xml: &str, out: &mut Credentials) -> Result<(), StsError> {
    let mut seen = [false; KEYS.len()];
    walk(xml, |path, content| {
        let Some(key) = credentials_key(path) else {
            return Ok::<(), StsError>(());
        };
        fill_key(out, key, content)?;
        if let Some(i) = KEYS.iter().position(|(k, _)| *k == key) {
            if let Some(s) = seen.get_mut(i) {
                *s = true;
            }
        }
        Ok(())
    })?;
    let empty = |key| match key {
        Key::AccessKeyId => out.access_key_id.is_empty(),
        Key::SecretAccessKey => out.secret_access_key.is_empty(),
        Key::SessionToken => out.session_token.as_ref().is_none_or(|t| t.is_empty()),
        Key::Expiration => out.expires.is_none(),
    };
    for ((key, name), seen) in KEYS.iter().zip(seen) {
        if !seen || empty(*key) {
            return Err(StsError::Missing(name));
        }
    }
    Ok(())
}

/// The error an STS (or other query-protocol) response reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StsErrorBody {
    /// `Code`, e.g. `InvalidIdentityToken`, `AccessDenied`, `ExpiredTokenException`.
    pub code: ErrorText,
    /// `Message` (empty when absent); cut to [`MAX_ERROR_TEXT_LEN`] bytes.
    pub message: ErrorText,
}

/// Decodes an element's content into an [`ErrorText`], cut when long.
fn error_text(raw: &str) -> Option<ErrorText> {
    // A few bytes over the limit, so that `ErrorText::head` sees that the text was longer.
    let t = fill::head::<{ MAX_ERROR_TEXT_LEN + 4 }>(&|sink| xml::text(raw, sink)).ok()?;
    Some(ErrorText::head(&t))
}

/// Reads the error of a query-protocol error response:
/// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` (also
/// the `<Response><Errors><Error>…` form). `None` when the text is not such a document or has no
/// `Code`. The message names what failed; STS never puts a token in it.
pub fn parse_error(xml: &str) -> Option<StsErrorBody> {
    let parts = xml::error_parts(xml).ok()?;
    let code = error_text(parts.code?).filter(|c| !c.as_str().is_empty())?;
    let message = match parts.message {
        Some(m) => error_text(m)?,
        None => ErrorText::default(),
    };
    Some(StsErrorBody { code, message })
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::limits::{MAX_SESSION_TOKEN_LEN, MAX_XML_DEPTH};

    /// smithy-rs `profile-provider/e2e_assume_role` response.
    const ASSUME_ROLE: &str = "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <AssumeRoleResult>\n    <AssumedRoleUser>\n      <AssumedRoleId>AROARABCDEFGHIJKLMNOP:assume-role-provider-session</AssumedRoleId>\n      <Arn>arn:aws:sts::123456789012:assumed-role/integration-test/assume-role-provider-session</Arn>\n    </AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>ASIARTESTID</AccessKeyId>\n      <SecretAccessKey>TESTSECRETKEY</SecretAccessKey>\n      <SessionToken>TESTSESSIONTOKEN</SessionToken>\n      <Expiration>2021-08-05T19:58:02Z</Expiration>\n    </Credentials>\n  </AssumeRoleResult>\n  <ResponseMetadata>\n    <RequestId>c2e971c2-702d-4124-9b1f-1670febbea18</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n";

    /// smithy-rs `web_identity_token_profile` response.
    const WEB_IDENTITY: &str = "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <AssumeRoleWithWebIdentityResult>\n    <Audience>my-cluster.sk1.us-west-2.eks.amazonaws.com</Audience>\n    <AssumedRoleUser>\n      <AssumedRoleId>AROARABCDEFGHIJKLMNOP:web-identity-token-profile-1629230104118</AssumedRoleId>\n      <Arn>arn:aws:sts::123456789012:assumed-role/s3-reader/web-identity-token-profile-1629230104118</Arn>\n    </AssumedRoleUser>\n    <Provider>arn:aws:iam::123456789012:oidc-provider/s3-us-west-2.amazonaws.com/oidc-test-cdmhfjgxzauxyyfmqpizcquyfjirrdoo</Provider>\n    <Credentials>\n      <AccessKeyId>ASIARABCDEFGHIJKLMNOP</AccessKeyId>\n      <SecretAccessKey>TESTSECRET</SecretAccessKey>\n      <SessionToken>TESTSESSIONTOKEN</SessionToken>\n      <Expiration>2021-08-17T20:55:04Z</Expiration>\n    </Credentials>\n    <SubjectFromWebIdentityToken>system:serviceaccount:default:default</SubjectFromWebIdentityToken>\n  </AssumeRoleWithWebIdentityResult>\n  <ResponseMetadata>\n    <RequestId>bcbd8b6a-8a55-4610-b2d7-455d198bc197</RequestId>\n  </ResponseMetadata>\n</AssumeRoleWithWebIdentityResponse>\n";

    /// smithy-rs `web_identity_token_invalid_jwt` response.
    const ERROR: &str = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>InvalidIdentityToken</Code>\n    <Message>No OpenIDConnect provider found in your account for https://s3-us-west-2.amazonaws.com/oidc-test-tzzotbwmznwimurcbkebndpxaimixbkc</Message>\n  </Error>\n  <RequestId>5045ca91-d123-4749-9d66-00a3c906be6c</RequestId>\n</ErrorResponse>\n";

    /// `AssumeRole` parameters of smithy-rs `profile-provider/e2e_assume_role`.
    const PARAMS: AssumeRoleParams<'static> = AssumeRoleParams {
        role_arn: "arn:aws:iam::123456789:role/RoleA",
        session_name: "assume-role-from-profile-1629230104880",
        external_id: None,
        serial_number: None,
        token_code: None,
        duration_secs: 900,
    };

    fn parse(xml: &str) -> Result<Credentials, StsError> {
        let mut c = Credentials::EMPTY;
        parse_credentials(xml, &mut c).map(|()| c)
    }

    selftests! {
        fn assume_role_body_encodes_values() {
            let mut buf = [0u8; 512];
            let p = PARAMS;
            assert_eq!(
                assume_role_body(&p, &mut buf).unwrap(),
                "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789%3Arole%2FRoleA&RoleSessionName=assume-role-from-profile-1629230104880&DurationSeconds=900"
            );
            let mfa = AssumeRoleParams {
                external_id: Some("id+ /é~"),
                serial_number: Some("arn:aws:iam::1:mfa/u"),
                token_code: Some("123456"),
                duration_secs: 3600,
                ..p
            };
            assert_eq!(
                assume_role_body(&mfa, &mut buf).unwrap(),
                "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789%3Arole%2FRoleA&RoleSessionName=assume-role-from-profile-1629230104880&DurationSeconds=3600&ExternalId=id%2B+%2F%C3%A9~&SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fu&TokenCode=123456"
            );
        }

        fn assume_role_bodies_with_every_value_at_its_limit_fit_their_buffer() {
            use crate::limits::{
                MAX_ASSUME_ROLE_BODY_LEN, MAX_EXTERNAL_ID_LEN, MAX_MFA_SERIAL_LEN,
                MAX_MFA_TOKEN_LEN, MAX_PROVIDER_REQUEST_LEN, MAX_ROLE_ARN_LEN,
                MAX_ROLE_SESSION_NAME_LEN,
            };
            // `=` is percent-encoded: three bytes for each, the worst case.
            const WORST: [u8; 4096] = [b'='; 4096];
            let of = |n: usize| core::str::from_utf8(&WORST[..n]).unwrap();
            let p = AssumeRoleParams {
                role_arn: of(MAX_ROLE_ARN_LEN),
                session_name: of(MAX_ROLE_SESSION_NAME_LEN),
                external_id: Some(of(MAX_EXTERNAL_ID_LEN)),
                serial_number: Some(of(MAX_MFA_SERIAL_LEN)),
                token_code: Some(of(MAX_MFA_TOKEN_LEN)),
                duration_secs: 43_200,
            };
            let mut buf = [0u8; MAX_ASSUME_ROLE_BODY_LEN];
            let body = assume_role_body(&p, &mut buf);
            if MAX_ASSUME_ROLE_BODY_LEN < MAX_PROVIDER_REQUEST_LEN {
                // Narrow capacities: the largest body there can be fits.
                assert!(body.unwrap().len() <= MAX_ASSUME_ROLE_BODY_LEN);
            } else {
                // Wide: the cap of every provider request, a typed error past it.
                assert_eq!(body, Err(StsError::BodyTooLong { limit: MAX_PROVIDER_REQUEST_LEN }));
            }
        }

        fn assume_role_body_errors_are_typed() {
            let mut buf = [0u8; 64];
            let p = AssumeRoleParams { session_name: "s", ..PARAMS };
            assert_eq!(assume_role_body(&p, &mut buf), Err(StsError::BodyTooLong { limit: 64 }));
            assert_eq!(assume_role_body(&AssumeRoleParams { role_arn: "", ..p }, &mut buf), Err(StsError::Missing("RoleArn")));
            assert_eq!(assume_role_body(&AssumeRoleParams { session_name: "", ..p }, &mut buf), Err(StsError::Missing("RoleSessionName")));
            assert_eq!(
                assume_role_body(&AssumeRoleParams { serial_number: Some("arn:mfa"), ..p }, &mut [0u8; 512]),
                Err(StsError::Missing("TokenCode"))
            );
        }

        fn web_identity_body_matches_recorded_request() {
            let mut buf = [0u8; 256];
            assert_eq!(
                web_identity_body("arn:aws:iam::134095065856:role/s3-reader", "web-identity-token-profile-1629230104118", "eyJ.a_b-c\n", None, &mut buf).unwrap(),
                "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A134095065856%3Arole%2Fs3-reader&RoleSessionName=web-identity-token-profile-1629230104118&WebIdentityToken=eyJ.a_b-c%0A"
            );
            assert!(web_identity_body("arn", "s", "t", Some(43200), &mut buf).unwrap().ends_with("&WebIdentityToken=t&DurationSeconds=43200"));
            assert_eq!(web_identity_body("arn", "s", "", None, &mut buf), Err(StsError::Missing("WebIdentityToken")));
            assert_eq!(web_identity_body("arn", "s", "t", None, &mut buf[..10]), Err(StsError::BodyTooLong { limit: 10 }));
        }

        fn recorded_responses_parse() {
            let c = parse(ASSUME_ROLE).unwrap();
            assert_eq!(c.access_key_id.as_str(), "ASIARTESTID");
            assert_eq!(c.secret_access_key.expose(), "TESTSECRETKEY");
            assert_eq!(c.session_token.as_ref().unwrap().expose(), "TESTSESSIONTOKEN");
            assert_eq!(c.expires, Some(UnixTime::parse_rfc3339("2021-08-05T19:58:02Z").unwrap()));
            let c = parse(WEB_IDENTITY).unwrap();
            assert_eq!(c.access_key_id.as_str(), "ASIARABCDEFGHIJKLMNOP");
            assert_eq!(c.expires, Some(UnixTime::parse_rfc3339("2021-08-17T20:55:04Z").unwrap()));
        }

        fn values_decode_references_cdata_and_comments_in_any_order() {
            let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- note -->\n<sts:AssumeRoleResponse xmlns:sts='x' a=\"1>2\"><AssumeRoleResult><Credentials>\
                <Expiration> 2021-08-05T19:58:02.123+01:00 </Expiration>\
                <SessionToken><![CDATA[tok<&>en]]>&#x2F;&#47;<!-- c --></SessionToken>\
                <SecretAccessKey>\n a&amp;b&lt;c&gt;d&quot;e&apos;f&#233;\n</SecretAccessKey>\
                <AccessKeyId>ASIA</AccessKeyId><Unknown/></Credentials></AssumeRoleResult></sts:AssumeRoleResponse>";
            let c = parse(xml).unwrap();
            assert_eq!(c.access_key_id.as_str(), "ASIA");
            assert_eq!(c.secret_access_key.expose(), "a&b<c>d\"e'fé");
            assert_eq!(c.session_token.as_ref().unwrap().expose(), "tok<&>en//");
            assert_eq!(c.expires, Some(UnixTime::parse_rfc3339("2021-08-05T18:58:02Z").unwrap()));
        }

        fn malformed_and_hostile_responses_are_typed() {
            let cases: [(&str, StsError); 11] = [
                ("", StsError::Malformed),
                ("not xml", StsError::Malformed),
                ("<a><b></a></b>", StsError::Malformed),
                ("<a></a><b></b>", StsError::Malformed),
                ("<!DOCTYPE x [<!ENTITY e \"boom\">]><a>&e;</a>", StsError::Declaration),
                ("<a><b><c><d><e><f><g><h><i></i></h></g></f></e></d></c></b></a>", StsError::TooDeep { limit: MAX_XML_DEPTH }),
                ("<AResponse><AResult><Credentials><AccessKeyId>A&bogus;</AccessKeyId></Credentials></AResult></AResponse>", StsError::Malformed),
                ("<AResponse><AResult><Credentials><AccessKeyId>A&#0;</AccessKeyId></Credentials></AResult></AResponse>", StsError::Malformed),
                ("<AResponse><AResult><Credentials><AccessKeyId><b>A</b></AccessKeyId></Credentials></AResult></AResponse>", StsError::Malformed),
                ("<AResponse><AResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken/><Expiration>2021-08-05T19:58:02Z</Expiration></Credentials></AResult></AResponse>", StsError::Missing("SessionToken")),
                ("<AResponse><AResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>later</Expiration></Credentials></AResult></AResponse>", StsError::Expiration),
            ];
            for (xml, want) in cases {
                assert_eq!(parse(xml).unwrap_err(), want, "{xml}");
            }
            assert_eq!(parse(ERROR).unwrap_err(), StsError::Missing("AccessKeyId"));
            for end in 0..ASSUME_ROLE.trim_end().len() {
                let mut c = Credentials::new("OLD", "OLDSECRET", Some("OLD")).unwrap();
                assert!(parse_credentials(&ASSUME_ROLE[..end], &mut c).is_err(), "{end}");
                assert!(!c.has_keys() && c.session_token.is_none());
            }
        }

        fn oversized_token_is_a_capacity_error() {
            let mut xml = Text::<{ MAX_SESSION_TOKEN_LEN + 256 }>::new();
            xml.push_str("<AResponse><AResult><Credentials><SessionToken>").unwrap();
            for _ in 0..MAX_SESSION_TOKEN_LEN {
                xml.push('t').unwrap();
            }
            xml.push_str("&amp;</SessionToken></Credentials></AResult></AResponse>").unwrap();
            assert_eq!(
                parse(&xml).unwrap_err(),
                StsError::Capacity(CapacityError { field: Field::SessionToken, limit: MAX_SESSION_TOKEN_LEN, len: MAX_SESSION_TOKEN_LEN + 1 })
            );
        }

        fn error_responses_parse() {
            let e = parse_error(ERROR).unwrap();
            assert_eq!(e.code, "InvalidIdentityToken");
            assert!(e.message.as_str().starts_with("No OpenIDConnect provider found"));
            assert!(e.message.as_str().ends_with('…'), "cut to the limit: {:?}", e.message);
            let e = parse_error("<Response><Errors><Error><Code>Throttling</Code><Message>Rate &amp; limit</Message></Error></Errors></Response>").unwrap();
            assert_eq!((e.code.as_str(), e.message.as_str()), ("Throttling", "Rate & limit"));
            let e = parse_error("<ErrorResponse><Error><Code> AccessDenied </Code></Error></ErrorResponse>").unwrap();
            assert_eq!((e.code.as_str(), e.message.as_str()), ("AccessDenied", ""));
            assert_eq!(parse_error(ASSUME_ROLE), None);
            assert_eq!(parse_error("<ErrorResponse><Error><Code>X</Code>"), None);
            assert_eq!(parse_error("<ErrorResponse><Error><Code>&bad;</Code></Error></ErrorResponse>"), None);
        }
    }
}
