//! DynamoDB (JSON 1.0, `X-Amz-Target: DynamoDB_20120810.*`): `GetItem`, `PutItem` and `Query`
//! with the caller's JSON. The answer is the service's JSON, handed back as text for the
//! caller's JSON reader.

use super::{utf8, JsonError};
use crate::client::Client;
use crate::handlers::Request;
use crate::protocol::{prepare_json, Protocol};

/// The `X-Amz-Target` prefix of DynamoDB.
pub const TARGET_PREFIX: &str = "DynamoDB_20120810";

/// The request of `operation` (any DynamoDB operation: `GetItem`, `PutItem`, `Query`, …) with
/// the JSON `body` of `client` (a `dynamodb` client).
///
/// # Errors
/// [`JsonError::Missing`] naming `body` when it is empty; [`JsonError::Http`] when the target or
/// a header does not fit.
pub fn call<'a>(
    client: &'a Client<'_>,
    operation: &'static str,
    body: &'a [u8],
) -> Result<Request<'a>, JsonError> {
    if body.is_empty() {
        return Err(JsonError::Missing("body"));
    }
    let mut r = client.request(operation);
    prepare_json(
        &mut r.http,
        Protocol::Json10,
        TARGET_PREFIX,
        operation,
        body,
    )?;
    Ok(r)
}

/// `GetItem` with the caller's JSON (`{"TableName": …, "Key": …}`).
///
/// # Errors
/// As [`call`].
pub fn get_item<'a>(client: &'a Client<'_>, body: &'a [u8]) -> Result<Request<'a>, JsonError> {
    call(client, "GetItem", body)
}

/// `PutItem` with the caller's JSON (`{"TableName": …, "Item": …}`).
///
/// # Errors
/// As [`call`].
pub fn put_item<'a>(client: &'a Client<'_>, body: &'a [u8]) -> Result<Request<'a>, JsonError> {
    call(client, "PutItem", body)
}

/// `Query` with the caller's JSON (`{"TableName": …, "KeyConditionExpression": …}`).
///
/// # Errors
/// As [`call`].
pub fn query<'a>(client: &'a Client<'_>, body: &'a [u8]) -> Result<Request<'a>, JsonError> {
    call(client, "Query", body)
}

/// The answer of any DynamoDB operation: its JSON object as text (`{}` for a `GetItem` that
/// found nothing). Only its outline is checked (UTF-8, one `{`…`}`); the caller's JSON reader
/// reads it.
///
/// # Errors
/// [`JsonError::NotUtf8`], or [`JsonError::Malformed`] when it is not a JSON object.
pub fn parse_answer(body: &[u8]) -> Result<&str, JsonError> {
    let text = utf8(body).ok_or(JsonError::NotUtf8)?.trim();
    if text.starts_with('{') && text.ends_with('}') {
        Ok(text)
    } else {
        Err(JsonError::Malformed)
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    selftests! {
        fn answers_are_json_objects() {
            let item = "{\"Item\":{\"pk\":{\"S\":\"1\"}}}\n";
            assert_eq!(parse_answer(item.as_bytes()), Ok(item.trim()));
            assert_eq!(parse_answer(b"{}"), Ok("{}"));
            assert_eq!(parse_answer(b""), Err(JsonError::Malformed));
            assert_eq!(parse_answer(b"[1]"), Err(JsonError::Malformed));
            assert_eq!(parse_answer(b"{\xff}"), Err(JsonError::NotUtf8));
        }
    }
}
