//! Credentials delivered as JSON: the output of a `credential_process` and the body of a
//! container (ECS / EKS) or instance-metadata credentials response.
//!
//! Parsed with `serde-json-core` straight from the caller's text: no heap, no copy of the JSON;
//! only the values kept end up in the fixed-capacity [`Credentials`]. Secrets never appear in an
//! error.

use core::fmt;

use serde::Deserialize;

use super::Credentials;
use crate::secret::{SecretKey, SessionToken};
use crate::text::{text, CapacityError, Field};
use crate::time::UnixTime;

/// Reading credentials from JSON failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CredentialsJsonError {
    /// Not JSON of the expected shape (or a string uses escapes, which are not supported).
    InvalidJson,
    /// `Version` is not 1 (Go v1 `ProcessProviderVersionError`).
    Version,
    /// A required field is missing or empty (Go v1 `ProcessProviderRequiredError`).
    Missing(&'static str),
    /// `Expiration` is not an RFC 3339 time.
    Expiration,
    /// A value is longer than its limit.
    Capacity(CapacityError),
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
            CredentialsJsonError::Capacity(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for CredentialsJsonError {}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Wire<'a> {
    version: Option<u32>,
    #[serde(borrow)]
    access_key_id: Option<&'a str>,
    #[serde(borrow)]
    secret_access_key: Option<&'a str>,
    #[serde(borrow)]
    session_token: Option<&'a str>,
    #[serde(borrow)]
    token: Option<&'a str>,
    #[serde(borrow)]
    expiration: Option<&'a str>,
}

fn build(w: &Wire<'_>, token: Option<&str>) -> Result<Credentials, CredentialsJsonError> {
    let cap = CredentialsJsonError::Capacity;
    let akid = w
        .access_key_id
        .filter(|s| !s.is_empty())
        .ok_or(CredentialsJsonError::Missing("AccessKeyId"))?;
    let secret = w
        .secret_access_key
        .filter(|s| !s.is_empty())
        .ok_or(CredentialsJsonError::Missing("SecretAccessKey"))?;
    Ok(Credentials {
        access_key_id: text(akid, Field::AccessKeyId).map_err(cap)?,
        secret_access_key: SecretKey::new(secret, Field::SecretAccessKey).map_err(cap)?,
        session_token: match token.filter(|t| !t.is_empty()) {
            Some(t) => Some(SessionToken::new(t, Field::SessionToken).map_err(cap)?),
            None => None,
        },
        expires: match w.expiration {
            Some(e) => {
                Some(UnixTime::parse_rfc3339(e).map_err(|_| CredentialsJsonError::Expiration)?)
            }
            None => None,
        },
    })
}

fn wire(json: &str) -> Result<Wire<'_>, CredentialsJsonError> {
    serde_json_core::from_str::<Wire<'_>>(json)
        .map(|(w, _)| w)
        .map_err(|_| CredentialsJsonError::InvalidJson)
}

/// Parses `credential_process` output: `{"Version": 1, "AccessKeyId", "SecretAccessKey",
/// "SessionToken"?, "Expiration"?}` (Go v1 F6; no `Expiration` means the keys never expire).
///
/// # Errors
/// [`CredentialsJsonError`]: not JSON, `Version` other than 1, a missing key, a bad time, or a
/// value over its limit.
pub fn parse_process_output(json: &str) -> Result<Credentials, CredentialsJsonError> {
    let w = wire(json.trim())?;
    if w.version != Some(1) {
        return Err(CredentialsJsonError::Version);
    }
    build(&w, w.session_token)
}

/// Parses a container (ECS / EKS Pod Identity) or instance-metadata credentials body:
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`.
///
/// # Errors
/// As [`parse_process_output`], without the version check.
pub fn parse_endpoint_response(json: &str) -> Result<Credentials, CredentialsJsonError> {
    let w = wire(json.trim())?;
    build(&w, w.token)
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

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

        fn container_response_uses_token() {
            let c = parse_endpoint_response(
                r#"{"AccessKeyId":"ASIAX","SecretAccessKey":"S","Token":"T","Expiration":"2022-05-02T18:36:00Z","RoleArn":"arn:aws:iam::1:role/r"}"#,
            )
            .unwrap();
            assert_eq!(c.session_token.as_ref().unwrap().expose(), "T");
            assert_eq!(c.expires, Some(UnixTime::from_secs(1_651_516_560)));
        }
    }
}
