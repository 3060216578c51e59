//! What the query-protocol operations share: the request, and reading
//! `<{Action}Response><{Action}Result>…` answers.

use super::{utf8, QueryError, Value};
use crate::client::Client;
use crate::handlers::Request;
use crate::xml::{local, walk};

/// A `POST /` form request for `action` whose body is `body`.
pub(super) fn request<'a>(
    client: &'a Client<'_>,
    action: &'static str,
    body: &'a str,
) -> Result<Request<'a>, QueryError> {
    Ok(client.form_request(action, body)?)
}

/// True when `name` (without its namespace prefix) is `{action}{suffix}`.
pub(super) fn named(name: &str, action: &str, suffix: &str) -> bool {
    local(name).strip_suffix(suffix) == Some(action)
}

/// The answer as text.
pub(super) fn text(body: &[u8]) -> Result<&str, QueryError> {
    utf8(body).ok_or(QueryError::NotUtf8)
}

/// Checks that the answer is a well-formed `<{action}Response>` document.
///
/// # Errors
/// [`QueryError`]: not UTF-8, malformed, or `Missing(response)` for another root.
pub(super) fn check_root(
    body: &[u8],
    action: &str,
    response: &'static str,
) -> Result<(), QueryError> {
    let xml = text(body)?;
    let mut root = false;
    walk(xml, |path, _| {
        if let [only] = path {
            root = named(only, action, "Response");
        }
        Ok::<(), QueryError>(())
    })?;
    if root {
        Ok(())
    } else {
        Err(QueryError::Missing(response))
    }
}

/// The values of `<{action}Response><{action}Result><NAME>` for each of `names` (the first of
/// each), checked to decode; elements not found are `None`.
///
/// # Errors
/// [`QueryError`]: not UTF-8, malformed, a declaration, too deep, or `BadText` naming an
/// element whose text holds markup or a bad reference.
pub(super) fn result_values<'a, const K: usize>(
    body: &'a [u8],
    action: &str,
    names: [&'static str; K],
) -> Result<[Option<Value<'a>>; K], QueryError> {
    let xml = text(body)?;
    let mut found = [None; K];
    walk(xml, |path, content| {
        let [root, result, name] = path else {
            return Ok::<(), QueryError>(());
        };
        if !named(root, action, "Response") || !named(result, action, "Result") {
            return Ok(());
        }
        for (slot, wanted) in found.iter_mut().zip(names) {
            if slot.is_none() && local(name) == wanted {
                *slot = Some(Value::xml(content).ok_or(QueryError::BadText(wanted))?);
            }
        }
        Ok(())
    })?;
    Ok(found)
}

/// A required, non-empty value.
pub(super) fn required<'a>(
    value: Option<Value<'a>>,
    name: &'static str,
) -> Result<Value<'a>, QueryError> {
    value
        .filter(|v| !v.is_empty())
        .ok_or(QueryError::Missing(name))
}

/// A required, non-empty parameter.
pub(super) fn param<'a>(value: &'a str, name: &'static str) -> Result<&'a str, QueryError> {
    if value.is_empty() {
        Err(QueryError::Missing(name))
    } else {
        Ok(value)
    }
}
