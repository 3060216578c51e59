//! Request helpers: the query form body, and the method, target and headers of JSON and REST
//! requests. They only fill an [`HttpRequest`]; bodies are the caller's bytes.

use core::fmt::{self, Write};

use super::{Protocol, FORM_CONTENT_TYPE};
use crate::credentials::sts::write_form_value;
use crate::http::{Body, HttpError, HttpPart, HttpRequest, Method};
use crate::limits::MAX_JSON_TARGET_LEN;
use crate::text::{SliceWriter, Text};

/// Writing a query form body failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FormError {
    /// The body does not fit the caller's buffer; names the parameter that did not fit.
    BodyTooLong {
        /// The buffer's length.
        limit: usize,
        /// The parameter being written.
        param: &'static str,
    },
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormError::BodyTooLong { limit, param } => {
                write!(
                    f,
                    "query body does not fit the {limit}-byte buffer at {param}"
                )
            }
        }
    }
}

impl core::error::Error for FormError {}

/// A query-protocol body (`Action=…&Version=…&Name=value…`, values form-urlencoded) written into
/// a caller buffer. A parameter that does not fit leaves the body as it was before it.
///
/// ```
/// # use aws_session_core::protocol::{FormBody, FormError};
/// let mut buf = [0u8; 96];
/// let mut body = FormBody::new(&mut buf, "GetCallerIdentity", "2011-06-15")?;
/// body.param("Tag.1.Value", "a b&c")?;
/// assert_eq!(body.as_str(), "Action=GetCallerIdentity&Version=2011-06-15&Tag.1.Value=a+b%26c");
/// let mut small = [0u8; 8];
/// assert!(matches!(FormBody::new(&mut small, "GetCallerIdentity", "2011-06-15"),
///     Err(FormError::BodyTooLong { limit: 8, param: "Action" })));
/// # Ok::<(), FormError>(())
/// ```
pub struct FormBody<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> FormBody<'b> {
    /// Starts a body with `Action` and `Version`.
    ///
    /// # Errors
    /// [`FormError::BodyTooLong`] when they do not fit.
    pub fn new(buf: &'b mut [u8], action: &str, version: &str) -> Result<Self, FormError> {
        let mut body = FormBody { buf, len: 0 };
        body.write("Action", |w| {
            w.write_str("Action=")?;
            write_form_value(w, action)
        })?;
        body.param_static("Version", version)?;
        Ok(body)
    }

    fn param_static(&mut self, name: &'static str, value: &str) -> Result<&mut Self, FormError> {
        self.write(name, |w| {
            write!(w, "&{name}=")?;
            write_form_value(w, value)
        })?;
        Ok(self)
    }

    fn write(
        &mut self,
        param: &'static str,
        f: impl FnOnce(&mut SliceWriter<'_>) -> fmt::Result,
    ) -> Result<(), FormError> {
        let limit = self.buf.len();
        let rest = self.buf.get_mut(self.len..).unwrap_or(&mut []);
        let mut w = SliceWriter::new(rest);
        f(&mut w).map_err(|_| FormError::BodyTooLong { limit, param })?;
        self.len = self.len.saturating_add(w.len());
        Ok(())
    }

    /// Appends `&name=value`; `name` is written as given (query names are ASCII, like
    /// `Attributes.entry.1.key`), `value` form-urlencoded.
    ///
    /// # Errors
    /// [`FormError::BodyTooLong`] (naming `"param"`) when it does not fit; the body is unchanged.
    pub fn param(&mut self, name: &str, value: &str) -> Result<&mut Self, FormError> {
        self.write("param", |w| {
            w.write_char('&')?;
            write_form_value(w, name)?;
            w.write_char('=')?;
            write_form_value(w, value)
        })?;
        Ok(self)
    }

    /// The body so far.
    pub fn as_str(&self) -> &str {
        // Only ASCII is written.
        core::str::from_utf8(self.buf.get(..self.len).unwrap_or(&[])).unwrap_or("")
    }

    /// The body, for the request (lives as long as the buffer).
    pub fn finish(self) -> &'b str {
        let len = self.len;
        let buf: &'b [u8] = self.buf;
        core::str::from_utf8(buf.get(..len).unwrap_or(&[])).unwrap_or("")
    }
}

/// Makes `http` a JSON 1.0 / 1.1 call: `POST /`, `X-Amz-Target: {target_prefix}.{operation}`,
/// the protocol's `Content-Type`, and `body` (`{}` when empty, as the SDKs send).
///
/// # Errors
/// [`HttpError`] when the target or headers do not fit; the target is refused when longer than
/// [`MAX_JSON_TARGET_LEN`].
pub fn prepare_json<'a>(
    http: &mut HttpRequest<'a>,
    protocol: Protocol,
    target_prefix: &str,
    operation: &str,
    body: &'a [u8],
) -> Result<(), HttpError> {
    let mut target = Text::<MAX_JSON_TARGET_LEN>::new();
    write!(target, "{target_prefix}.{operation}").map_err(|_| HttpError::Capacity {
        part: HttpPart::HeaderValue,
        limit: MAX_JSON_TARGET_LEN,
        needed: target_prefix
            .len()
            .saturating_add(operation.len())
            .saturating_add(1),
    })?;
    http.set_method(Method::Post);
    http.set_target("/")?;
    http.headers_mut().insert("x-amz-target", &target)?;
    http.headers_mut()
        .insert("content-type", protocol.content_type())?;
    let body: &'a [u8] = if body.is_empty() { b"{}" } else { body };
    http.set_body(Body::Bytes(body));
    Ok(())
}

/// Makes `http` a REST call (REST-JSON, REST-XML) or a query call: `method`, `target` (path and
/// query, already percent-encoded as it is to be sent and signed) and, with a body, the
/// protocol's `Content-Type`. Query calls (`Protocol::Query`) use `POST /` with a [`FormBody`].
///
/// # Errors
/// [`HttpError`] when the target or header does not fit.
pub fn prepare_rest<'a>(
    http: &mut HttpRequest<'a>,
    protocol: Protocol,
    method: Method,
    target: &str,
    body: &'a [u8],
) -> Result<(), HttpError> {
    http.set_method(method);
    http.set_target(target)?;
    if !body.is_empty() {
        let content_type = match protocol {
            Protocol::Query | Protocol::Ec2Query => FORM_CONTENT_TYPE,
            p => p.content_type(),
        };
        http.headers_mut().insert("content-type", content_type)?;
        http.set_body(Body::Bytes(body));
    }
    Ok(())
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    selftests! {
        fn form_body_encodes_and_refuses_overflow_whole() {
            let mut buf = [0u8; 64];
            let mut b = FormBody::new(&mut buf, "SendMessage", "2012-11-05").unwrap();
            b.param("MessageBody", "hi there/~").unwrap();
            let before = b.as_str().len();
            assert!(matches!(b.param("X", "0123456789012345678901234567890"), Err(FormError::BodyTooLong { limit: 64, .. })));
            assert_eq!(b.as_str().len(), before, "a failed parameter leaves nothing");
            assert_eq!(b.finish(), "Action=SendMessage&Version=2012-11-05&MessageBody=hi+there%2F~");
        }

        fn json_request_has_target_and_type() {
            let mut http = HttpRequest::empty();
            prepare_json(&mut http, Protocol::Json10, "DynamoDB_20120810", "GetItem", b"").unwrap();
            assert_eq!(http.method(), Method::Post);
            assert_eq!(http.target(), "/");
            assert_eq!(http.headers().get("x-amz-target"), Some("DynamoDB_20120810.GetItem"));
            assert_eq!(http.headers().get("content-type"), Some("application/x-amz-json-1.0"));
            assert_eq!(http.body().bytes(), Some(&b"{}"[..]));
            let mut long = Text::<300>::new();
            for _ in 0..MAX_JSON_TARGET_LEN { long.push('a').unwrap(); }
            assert!(prepare_json(&mut http, Protocol::Json11, &long, "Op", b"{}").is_err());
        }

        fn rest_request_sets_type_only_with_a_body() {
            let mut http = HttpRequest::empty();
            prepare_rest(&mut http, Protocol::RestXml, Method::Head, "/bucket/key", b"").unwrap();
            assert_eq!((http.method(), http.target()), (Method::Head, "/bucket/key"));
            assert!(!http.headers().contains("content-type"));
            prepare_rest(&mut http, Protocol::RestJson, Method::Post, "/topics/t?qos=1", b"{\"a\":1}").unwrap();
            assert_eq!(http.headers().get("content-type"), Some("application/json"));
        }
    }
}
