//! STS (query protocol, version `2011-06-15`): `GetCallerIdentity` and `AssumeRole`.

use super::query::{self, required};
use super::{QueryError, Value};
use crate::client::Client;
use crate::credentials::sts::{assume_role_body, parse_credentials, AssumeRoleParams};
use crate::credentials::Credentials;
use crate::handlers::Request;
use crate::protocol::FormBody;

/// The STS API version.
pub const VERSION: &str = "2011-06-15";

/// Who the caller is: the answer of `GetCallerIdentity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CallerIdentity<'a> {
    /// `Account`: the 12-digit account id.
    pub account: Value<'a>,
    /// `Arn`: the caller's ARN.
    pub arn: Value<'a>,
    /// `UserId`: the unique id of the caller.
    pub user_id: Value<'a>,
}

/// The form body of `GetCallerIdentity`, written into `buf`.
///
/// # Errors
/// [`QueryError::Body`] when `buf` is too small (45 bytes are needed).
pub fn get_caller_identity_body(buf: &mut [u8]) -> Result<&str, QueryError> {
    Ok(FormBody::new(buf, "GetCallerIdentity", VERSION)?.finish())
}

/// The `GetCallerIdentity` request of `client` (an `sts` client); its body is written into
/// `buf`.
///
/// # Errors
/// [`QueryError::Body`] when `buf` is too small; [`QueryError::Http`] when a header does not fit.
pub fn get_caller_identity<'a>(
    client: &'a Client<'_>,
    buf: &'a mut [u8],
) -> Result<Request<'a>, QueryError> {
    let body = get_caller_identity_body(buf)?;
    query::request(client, "GetCallerIdentity", body)
}

/// Reads a `GetCallerIdentityResponse`.
///
/// # Errors
/// [`QueryError`]: malformed XML, or `Missing` naming `Account`, `Arn` or `UserId`.
pub fn parse_get_caller_identity(body: &[u8]) -> Result<CallerIdentity<'_>, QueryError> {
    let [account, arn, user_id] =
        query::result_values(body, "GetCallerIdentity", ["Account", "Arn", "UserId"])?;
    Ok(CallerIdentity {
        account: required(account, "Account")?,
        arn: required(arn, "Arn")?,
        user_id: required(user_id, "UserId")?,
    })
}

/// The `AssumeRole` request of `client` (an `sts` client); its body is written into `buf`.
///
/// # Errors
/// [`QueryError::Sts`] for a missing parameter or a body that does not fit `buf`;
/// [`QueryError::Http`] when a header does not fit.
pub fn assume_role<'a>(
    client: &'a Client<'_>,
    params: &AssumeRoleParams<'_>,
    buf: &'a mut [u8],
) -> Result<Request<'a>, QueryError> {
    let body = assume_role_body(params, buf).map_err(QueryError::Sts)?;
    query::request(client, "AssumeRole", body)
}

/// Reads the credentials of an `AssumeRoleResponse` into `out` (in place; the secret never
/// leaves its type).
///
/// # Errors
/// [`QueryError::NotUtf8`], or [`QueryError::Sts`] from the credentials parser (malformed XML,
/// a missing child, a bad `Expiration`); `out` is then empty.
pub fn parse_assume_role(body: &[u8], out: &mut Credentials) -> Result<(), QueryError> {
    let xml = query::text(body)?;
    parse_credentials(xml, out).map_err(QueryError::Sts)
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::credentials::sts::StsError;
    use crate::ops::selftests::replaced;

    /// Shaped like the answer in the STS API reference.
    const IDENTITY: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
    <UserId>AIDAEXAMPLEUSERID0001</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>"#;

    selftests! {
        fn caller_identity_body_and_answer() {
            let mut buf = [0u8; 64];
            assert_eq!(get_caller_identity_body(&mut buf).unwrap(), "Action=GetCallerIdentity&Version=2011-06-15");
            let mut small = [0u8; 20];
            assert!(matches!(get_caller_identity_body(&mut small), Err(QueryError::Body(_))));
            let id = parse_get_caller_identity(IDENTITY.as_bytes()).unwrap();
            assert!(id.account.eq_str("123456789012"));
            assert!(id.arn.eq_str("arn:aws:iam::123456789012:user/Alice"));
            assert!(id.user_id.eq_str("AIDAEXAMPLEUSERID0001"));
        }

        fn caller_identity_refuses_bad_answers() {
            let no_arn = replaced(IDENTITY, "<Arn>arn:aws:iam::123456789012:user/Alice</Arn>", "");
            assert_eq!(parse_get_caller_identity(no_arn.as_bytes()), Err(QueryError::Missing("Arn")));
            let empty = replaced(IDENTITY, "123456789012</Account>", "</Account>");
            assert_eq!(parse_get_caller_identity(empty.as_bytes()), Err(QueryError::Missing("Account")));
            let cut = &IDENTITY[..IDENTITY.len() - 10];
            assert_eq!(parse_get_caller_identity(cut.as_bytes()), Err(QueryError::Malformed));
            assert_eq!(parse_get_caller_identity(b"\xff\xfe"), Err(QueryError::NotUtf8));
            let bad = replaced(IDENTITY, "Alice", "Al&nope;ice");
            assert_eq!(parse_get_caller_identity(bad.as_bytes()), Err(QueryError::BadText("Arn")));
            let other = replaced(IDENTITY, "GetCallerIdentityResult", "OtherResult");
            assert_eq!(parse_get_caller_identity(other.as_bytes()), Err(QueryError::Missing("Account")));
            let dtd = "<!DOCTYPE x [<!ENTITY a 'b'>]><GetCallerIdentityResponse/>";
            assert_eq!(parse_get_caller_identity(dtd.as_bytes()), Err(QueryError::Declaration));
        }

        fn assume_role_answer_fills_credentials() {
            let xml = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/demo/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
<Credentials><SessionToken>tok</SessionToken><SecretAccessKey>secret</SecretAccessKey>
<Expiration>2026-12-07T16:00:00Z</Expiration><AccessKeyId>ASIAEXAMPLE</AccessKeyId></Credentials>
</AssumeRoleResult></AssumeRoleResponse>"#;
            let mut creds = Credentials::EMPTY;
            parse_assume_role(xml.as_bytes(), &mut creds).unwrap();
            assert_eq!(creds.access_key_id.as_str(), "ASIAEXAMPLE");
            let no_key = replaced(xml, "<AccessKeyId>ASIAEXAMPLE</AccessKeyId>", "");
            assert_eq!(parse_assume_role(no_key.as_bytes(), &mut creds), Err(QueryError::Sts(StsError::Missing("AccessKeyId"))));
            assert!(creds.access_key_id.is_empty());
        }
    }
}
