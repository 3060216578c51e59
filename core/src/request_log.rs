//! The log-level handlers: what `Config::log_level` asks a client to log, as Go v1's
//! `client.AddDebugHandlers` and its `LogDebugWith…` flags do.
//!
//! A client whose settings have a level above [`LogLevel::Off`] gets these handlers
//! ([`add_log_handlers`]):
//!
//! | handler | list | level | logs |
//! |---|---|---|---|
//! | [`LOG_REQUEST`] (`awssdk.client.LogRequest`) | Send, first | `debug` | service, operation, attempt, method and URL, one line per query parameter |
//! | [`LOG_RESPONSE`] (`awssdk.client.LogResponse`) | Send, last | `debug` | the status, or the transport's error |
//! | [`LOG_SIGNING`] (`awssession.LogSigning`) | Sign, last | `debug-with-signing` | the `Authorization` header up to its signature, `X-Amz-Date`, the payload hash |
//! | (the same two) | | `debug-with-http-body` | also every header, and request and response bodies that are UTF-8 text, up to [`MAX_LOGGED_BODY`] bytes |
//! | [`LOG_RETRY`] (`awssession.LogRetry`) | AfterRetry, last | `debug` | each retry: attempt, delay and the error that caused it |
//! | [`LOG_ERROR`] (`awssession.LogRequestError`) | Complete, last | `debug` | the request's final error |
//!
//! Lines go through `defmt` (feature `defmt`) on devices and the `log` crate (feature `log`,
//! target `aws_session`, level info) on hosts.
//!
//! **Never logged**: the values of `Authorization` (only the part before `Signature=` at
//! `debug-with-signing`), `X-Amz-Security-Token`, `X-Aws-Ec2-Metadata-Token`, cookies, the
//! `X-Amz-Signature` and `X-Amz-Security-Token` query parameters, and any body of a credential
//! call (STS `AssumeRole*`, `GetSessionToken`, `GetFederationToken`; SSO `GetRoleCredentials`;
//! SSO OIDC `CreateToken`; the container, IMDS and IoT credential endpoints), whose requests or
//! answers carry keys and tokens.

use core::fmt::Write;

use crate::client::ClientInfo;
use crate::config::{Config, LogLevel, SettingsView};
use crate::handlers::{Handlers, ListFullError, NamedHandler, Request};
use crate::http::{is_sensitive_header, Body};
use crate::limits::MAX_LOGGED_BODY;
use crate::session::Session;
use crate::text::Text;

/// Go v1 `client.LogHTTPRequestHandler`: the outgoing request, at the front of Send.
pub const LOG_REQUEST: NamedHandler = NamedHandler::new("awssdk.client.LogRequest", log_request);
/// Go v1 `client.LogHTTPResponseHandler`: the answer, at the back of Send (after the exchange).
pub const LOG_RESPONSE: NamedHandler = NamedHandler::new("awssdk.client.LogResponse", log_response);
/// The signature's inputs, at the back of Sign (`debug-with-signing`).
pub const LOG_SIGNING: NamedHandler = NamedHandler::new("awssession.LogSigning", log_signing);
/// Each retry, at the back of AfterRetry (Go v1 `LogDebugWithRequestRetries`).
pub const LOG_RETRY: NamedHandler = NamedHandler::new("awssession.LogRetry", log_retry);
/// The final error, at the back of Complete (Go v1 `LogDebugWithRequestErrors`).
pub const LOG_ERROR: NamedHandler = NamedHandler::new("awssession.LogRequestError", log_error);

/// Operations whose request or answer bodies carry credentials: never logged.
const CREDENTIAL_OPERATIONS: [&str; 10] = [
    "AssumeRole",
    "AssumeRoleWithWebIdentity",
    "AssumeRoleWithSAML",
    "GetSessionToken",
    "GetFederationToken",
    "GetRoleCredentials",
    "CreateToken",
    "GetCredentials",
    "GetToken",
    "GetCredentialsForIdentity",
];

/// Query parameters whose values are never logged.
const SECRET_QUERY: [&str; 2] = ["X-Amz-Signature", "X-Amz-Security-Token"];

/// Adds the log handlers for `level` to `h` (nothing for [`LogLevel::Off`]); a client calls it
/// with its settings' level.
///
/// # Errors
/// [`ListFullError`] when a list has no room.
pub fn add_log_handlers(h: &mut Handlers, level: LogLevel) -> Result<(), ListFullError> {
    if level == LogLevel::Off {
        return Ok(());
    }
    h.send.push_front_named(LOG_REQUEST)?;
    h.send.push_back_named(LOG_RESPONSE)?;
    if level >= LogLevel::DebugWithSigning {
        h.sign.push_back_named(LOG_SIGNING)?;
    }
    h.after_retry.push_back_named(LOG_RETRY)?;
    h.complete.push_back_named(LOG_ERROR)?;
    Ok(())
}

/// The level of the client that made `r` (its session's, with its overrides on top).
fn level(r: &Request<'_>) -> LogLevel {
    r.context::<Session>().map_or(LogLevel::Off, |s| {
        *SettingsView::new(s.config(), r.context::<Config>()).log_level()
    })
}

/// The service of the client that made `r`.
fn service(r: &Request<'_>) -> &'static str {
    r.context::<ClientInfo>().map_or("-", ClientInfo::service)
}

/// Whether bodies of `r` may be logged: never for a credential call.
fn body_allowed(r: &Request<'_>) -> bool {
    !CREDENTIAL_OPERATIONS.contains(&r.operation())
}

fn log_request(r: &mut Request<'_>) {
    let h = &r.http;
    request_log!(
        "aws-session: request {}/{} attempt {}: {} {}://{}{}",
        service(r),
        r.operation(),
        r.attempt(),
        h.method().as_str(),
        h.scheme().as_str(),
        h.host(),
        h.path()
    );
    for pair in h.query().split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let shown = if SECRET_QUERY.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            "<redacted>"
        } else {
            value
        };
        request_log!("aws-session:   query {}={}", name, shown);
    }
    if level(r) >= LogLevel::DebugWithHttpBody {
        for (name, value) in h.headers().iter() {
            request_log!("aws-session:   {}: {}", name, shown_header(name, value));
        }
        if let Body::Bytes(bytes) = h.body() {
            log_body(r, "request", bytes);
        }
    }
}

fn log_response(r: &mut Request<'_>) {
    if r.error.is_some() && r.response.status() == 0 {
        let why = shown_error(r);
        request_log!(
            "aws-session: response {}/{}: none ({})",
            service(r),
            r.operation(),
            why.as_str()
        );
        return;
    }
    request_log!(
        "aws-session: response {}/{}: status {}",
        service(r),
        r.operation(),
        r.response.status()
    );
    if level(r) >= LogLevel::DebugWithHttpBody {
        for (name, value) in r.response.headers().iter() {
            request_log!("aws-session:   {}: {}", name, shown_header(name, value));
        }
        log_body(r, "response", r.response_body());
    }
}

fn log_signing(r: &mut Request<'_>) {
    let headers = r.http.headers();
    if let Some(auth) = headers.get("authorization") {
        request_log!("aws-session: signed: {}", up_to_signature(auth));
    }
    for name in ["x-amz-date", "x-amz-content-sha256"] {
        if let Some(value) = headers.get(name) {
            request_log!("aws-session:   {}: {}", name, value);
        }
    }
}

fn log_retry(r: &mut Request<'_>) {
    if r.error.is_none() && r.retryable == Some(true) {
        request_log!(
            "aws-session: retrying {}/{} after attempt {} in {} ms",
            service(r),
            r.operation(),
            r.attempt(),
            r.retry_delay_ms
        );
    }
}

fn log_error(r: &mut Request<'_>) {
    if r.error.is_none() {
        return;
    }
    let why = shown_error(r);
    request_log!(
        "aws-session: request {}/{} failed after {} attempt(s): {}",
        service(r),
        r.operation(),
        r.attempt(),
        why.as_str()
    );
}

/// The request's error as text for a log line (cut at 96 bytes; empty without an error).
fn shown_error(r: &Request<'_>) -> Text<96> {
    let mut why = Text::new();
    if let Some(e) = r.error {
        let _ = write!(why, "{e}");
    }
    why
}

/// A header's value as logged: `<redacted>` for secret headers, except that an `Authorization`
/// is shown up to its signature at the levels that log headers.
fn shown_header<'v>(name: &str, value: &'v str) -> &'v str {
    if name.eq_ignore_ascii_case("authorization") {
        return up_to_signature(value);
    }
    if is_sensitive_header(name) {
        "<redacted>"
    } else {
        value
    }
}

/// An `Authorization` value up to (and without) its signature: algorithm, credential scope and
/// signed headers. A value that is not a SigV4 authorization is not shown at all.
fn up_to_signature(auth: &str) -> &str {
    match auth.find("Signature=") {
        Some(at) if auth.starts_with("AWS4-") => auth.get(..at).unwrap_or("<redacted>"),
        _ => "<redacted>",
    }
}

/// Logs a body that is UTF-8 text, cut at [`MAX_LOGGED_BODY`] bytes; says why when it does not.
fn log_body(r: &Request<'_>, what: &str, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    if !body_allowed(r) {
        request_log!(
            "aws-session:   {} body: <{} bytes of a credential call, not shown>",
            what,
            bytes.len()
        );
        return;
    }
    let cut = bytes.get(..MAX_LOGGED_BODY).unwrap_or(bytes);
    match core::str::from_utf8(cut) {
        Ok(text) => request_log!(
            "aws-session:   {} body ({} bytes): {}",
            what,
            bytes.len(),
            text
        ),
        Err(_) => request_log!(
            "aws-session:   {} body: <{} bytes, not text>",
            what,
            bytes.len()
        ),
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    selftests! {
        fn signatures_and_secret_headers_are_never_shown() {
            let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
            let shown = shown_header("Authorization", auth);
            assert!(shown.ends_with("SignedHeaders=host;x-amz-date, "), "{shown}");
            assert!(!shown.contains("5d672d79"));
            assert_eq!(shown_header("authorization", "Bearer abc"), "<redacted>");
            assert_eq!(shown_header("X-Amz-Security-Token", "IQoJb3JpZ2lu"), "<redacted>");
            assert_eq!(shown_header("x-aws-ec2-metadata-token", "AQAEA"), "<redacted>");
            assert_eq!(shown_header("Content-Type", "application/json"), "application/json");
        }

        fn handlers_follow_the_level() {
            let mut h = Handlers::new();
            add_log_handlers(&mut h, LogLevel::Off).unwrap();
            assert!(h.is_empty());
            add_log_handlers(&mut h, LogLevel::Debug).unwrap();
            assert_eq!(h.send.names().next(), Some(LOG_REQUEST.name));
            assert!(h.send.contains(LOG_RESPONSE.name) && !h.sign.contains(LOG_SIGNING.name));
            assert!(h.after_retry.contains(LOG_RETRY.name) && h.complete.contains(LOG_ERROR.name));
            let mut h = Handlers::new();
            add_log_handlers(&mut h, LogLevel::DebugWithSigning).unwrap();
            assert!(h.sign.contains(LOG_SIGNING.name));
        }

        fn credential_calls_never_show_bodies() {
            let r = Request::new("AssumeRoleWithWebIdentity");
            assert!(!body_allowed(&r));
            let r = Request::new("PutItem");
            assert!(body_allowed(&r));
        }
    }
}
