//! Error answers of every protocol, decoded into a [`ServiceError`] (see the module docs of
//! [`crate::protocol`] for the rules).

use core::fmt;

use serde::Deserialize;
use serde_json_core::str::EscapedStr;

use super::Protocol;
use crate::credentials::{fill, json};
use crate::http::ResponseHeaders;
use crate::limits::{MAX_ERROR_CODE_LEN, MAX_ERROR_TEXT_LEN};
use crate::text::{ErrorCode, ErrorText, Text};
use crate::xml::{self, XmlError};

/// Response headers that carry a request id, in the order they are tried.
pub const REQUEST_ID_HEADERS: [&str; 2] = ["x-amzn-requestid", "x-amz-request-id"];

/// Where a [`ServiceError`]'s code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CodeSource {
    /// The body (XML `Code`, JSON `__type` / `code` / `Code`).
    Body,
    /// The `x-amzn-ErrorType` header.
    Header,
    /// The HTTP status (an empty body: HEAD, many S3 answers).
    Status,
}

/// A decoded error answer: what Go v1's `awserr.RequestFailure` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ServiceError {
    /// The HTTP status.
    pub status: u16,
    /// The error code (`ThrottlingException`, `NoSuchBucket`, …), namespace and suffix removed.
    pub code: ErrorCode,
    /// Where the code came from.
    pub source: CodeSource,
    /// The message (empty when none), cut to [`MAX_ERROR_TEXT_LEN`] bytes.
    pub message: ErrorText,
    /// The request id (empty when none), cut to [`MAX_ERROR_TEXT_LEN`] bytes.
    pub request_id: ErrorText,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if !self.message.as_str().is_empty() {
            write!(f, ": {}", crate::text::Escaped(self.message.as_str()))?;
        }
        write!(f, " (HTTP {}", self.status)?;
        if !self.request_id.as_str().is_empty() {
            write!(
                f,
                ", request id {}",
                crate::text::Escaped(self.request_id.as_str())
            )?;
        }
        f.write_str(")")
    }
}

/// Decoding an error answer failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DecodeError {
    /// The body is not UTF-8; `at` is the offset of the first bad byte.
    NotUtf8 {
        /// Byte offset.
        at: usize,
    },
    /// The body starts like XML but is not well-formed (truncated, mismatched tags, a bad
    /// character reference).
    MalformedXml,
    /// The XML body nests deeper than [`crate::limits::MAX_XML_DEPTH`].
    XmlTooDeep {
        /// The limit.
        limit: usize,
    },
    /// The XML body has a document type declaration (refused: no entities).
    XmlDeclaration,
    /// The body starts like JSON but is not one well-formed object, or a string in it has a bad
    /// escape.
    MalformedJson,
    /// The body is neither XML nor JSON and no header names the error.
    UnknownFormat,
    /// No code anywhere: the body has none, no header names one, and the status has no name.
    NoCode {
        /// The HTTP status.
        status: u16,
    },
    /// The code is longer than [`MAX_ERROR_CODE_LEN`].
    CodeTooLong {
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::NotUtf8 { at } => write!(f, "error body is not UTF-8 at byte {at}"),
            DecodeError::MalformedXml => f.write_str("error body is malformed XML"),
            DecodeError::XmlTooDeep { limit } => {
                write!(f, "error body nests XML elements deeper than {limit}")
            }
            DecodeError::XmlDeclaration => {
                f.write_str("error body has an XML document type declaration (refused)")
            }
            DecodeError::MalformedJson => f.write_str("error body is malformed JSON"),
            DecodeError::UnknownFormat => f.write_str("error body is neither XML nor JSON"),
            DecodeError::NoCode { status } => {
                write!(f, "error answer (HTTP {status}) names no error code")
            }
            DecodeError::CodeTooLong { limit } => {
                write!(f, "error code is longer than {limit} bytes")
            }
        }
    }
}

impl core::error::Error for DecodeError {}

impl From<XmlError> for DecodeError {
    fn from(e: XmlError) -> Self {
        match e {
            XmlError::Malformed => DecodeError::MalformedXml,
            XmlError::TooDeep { limit } => DecodeError::XmlTooDeep { limit },
            XmlError::Declaration => DecodeError::XmlDeclaration,
        }
    }
}

/// Go v1's status fallback: the status text without spaces as the code, with spaces as the
/// message. `None` for a status without a name here.
pub fn status_code(status: u16) -> Option<(&'static str, &'static str)> {
    Some(match status {
        301 => ("MovedPermanently", "Moved Permanently"),
        302 => ("Found", "Found"),
        304 => ("NotModified", "Not Modified"),
        307 => ("TemporaryRedirect", "Temporary Redirect"),
        400 => ("BadRequest", "Bad Request"),
        401 => ("Unauthorized", "Unauthorized"),
        403 => ("Forbidden", "Forbidden"),
        404 => ("NotFound", "Not Found"),
        405 => ("MethodNotAllowed", "Method Not Allowed"),
        409 => ("Conflict", "Conflict"),
        411 => ("LengthRequired", "Length Required"),
        412 => ("PreconditionFailed", "Precondition Failed"),
        413 => ("RequestEntityTooLarge", "Request Entity Too Large"),
        416 => (
            "RequestedRangeNotSatisfiable",
            "Requested Range Not Satisfiable",
        ),
        429 => ("TooManyRequests", "Too Many Requests"),
        500 => ("InternalServerError", "Internal Server Error"),
        501 => ("NotImplemented", "Not Implemented"),
        502 => ("BadGateway", "Bad Gateway"),
        503 => ("ServiceUnavailable", "Service Unavailable"),
        504 => ("GatewayTimeout", "Gateway Timeout"),
        _ => return None,
    })
}

/// Cleans a code the Go v1 `restjson` way: drop everything from the first `:`, then everything
/// up to and including the first `#`; white space around it is trimmed.
fn sanitize(code: &str) -> &str {
    let no_colon = code.split(':').next().unwrap_or("");
    let name = match no_colon.split_once('#') {
        Some((_, name)) => name,
        None => no_colon,
    };
    name.trim()
}

/// A code as kept: cleaned, and refused when too long.
fn code_of(raw: &str) -> Result<Option<ErrorCode>, DecodeError> {
    let code = sanitize(raw);
    if code.is_empty() {
        return Ok(None);
    }
    ErrorCode::new(code)
        .map(Some)
        .map_err(|_| DecodeError::CodeTooLong {
            limit: MAX_ERROR_CODE_LEN,
        })
}

/// What a body said: raw code text and decoded message and request id.
#[derive(Default)]
struct Found {
    code: Option<Text<{ MAX_ERROR_CODE_LEN * 2 }>>,
    message: Option<ErrorText>,
    request_id: Option<ErrorText>,
}

/// Decodes text into an [`ErrorText`], cut when long. A few bytes over the limit, so that
/// `ErrorText::head` sees that the text was longer.
fn cut(decode: fill::Decode<'_>) -> Result<ErrorText, ()> {
    fill::head::<{ MAX_ERROR_TEXT_LEN + 4 }>(decode).map(|t| ErrorText::head(&t))
}

fn from_xml(body: &str) -> Result<Found, DecodeError> {
    let parts = xml::error_parts(body)?;
    let text =
        |raw: &str| cut(&|sink| xml::text(raw, sink)).map_err(|()| DecodeError::MalformedXml);
    let code = match parts.code {
        Some(raw) => Some(
            fill::head::<{ MAX_ERROR_CODE_LEN * 2 }>(&|sink| xml::text(raw, sink))
                .map_err(|()| DecodeError::MalformedXml)?,
        ),
        None => None,
    };
    Ok(Found {
        code,
        message: parts.message.map(text).transpose()?,
        request_id: parts.request_id.map(text).transpose()?,
    })
}

/// The keys of a JSON error body.
#[derive(Deserialize)]
struct JsonError<'a> {
    #[serde(borrow, rename = "__type")]
    kind: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    code: Option<EscapedStr<'a>>,
    #[serde(borrow, rename = "Code")]
    code_upper: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    message: Option<EscapedStr<'a>>,
    #[serde(borrow, rename = "Message")]
    message_upper: Option<EscapedStr<'a>>,
}

fn from_json(body: &str) -> Result<Found, DecodeError> {
    let w = json::wire::<JsonError<'_>>(body).map_err(|_| DecodeError::MalformedJson)?;
    let code = match w.kind.or(w.code).or(w.code_upper) {
        Some(raw) => Some(
            fill::head::<{ MAX_ERROR_CODE_LEN * 2 }>(&json::decoder(raw))
                .map_err(|()| DecodeError::MalformedJson)?,
        ),
        None => None,
    };
    let message = match w.message.or(w.message_upper) {
        Some(raw) => Some(cut(&json::decoder(raw)).map_err(|()| DecodeError::MalformedJson)?),
        None => None,
    };
    Ok(Found {
        code,
        message,
        request_id: None,
    })
}

/// Decodes an error answer: `status`, the response `headers` and the `body` (possibly empty).
///
/// `protocol` is the service's, when known: it changes only what an empty REST-XML `301` means
/// (Go v1's S3 `BucketRegionError`); the body's own shape decides how it is read.
///
/// # Errors
/// [`DecodeError`]: a body that is not UTF-8, malformed XML or JSON, neither of them, or a code
/// that is missing everywhere or too long. A header code is used when the body cannot be read.
pub fn decode_error(
    protocol: Option<Protocol>,
    status: u16,
    headers: &ResponseHeaders,
    body: &[u8],
) -> Result<ServiceError, DecodeError> {
    let body = core::str::from_utf8(body).map_err(|e| DecodeError::NotUtf8 {
        at: e.valid_up_to(),
    })?;
    let body = body.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{feff}');
    let header_code = match headers.get("x-amzn-errortype") {
        Some(raw) => code_of(raw)?,
        None => None,
    };
    let is_xml = body.starts_with('<');
    let found = if body.is_empty() {
        Ok(Found::default())
    } else if is_xml {
        from_xml(body)
    } else if body.starts_with('{') {
        from_json(body)
    } else {
        Err(DecodeError::UnknownFormat)
    };
    let found = match (found, &header_code) {
        (Ok(f), _) => f,
        (Err(_), Some(_)) => Found::default(),
        (Err(e), None) => return Err(e),
    };
    let body_code = match &found.code {
        Some(raw) => code_of(raw)?,
        None => None,
    };
    // An XML body, or a JSON 1.0/1.1 body, wins over the header (Go v1 `jsonrpc` reads `__type`);
    // the header wins over a REST-JSON body (Go v1 `restjson`).
    let body_first = is_xml || matches!(protocol, Some(Protocol::Json10 | Protocol::Json11));
    let (code, source) = match (body_code, header_code) {
        (Some(b), _) if body_first => (b, CodeSource::Body),
        (_, Some(h)) => (h, CodeSource::Header),
        (Some(b), None) => (b, CodeSource::Body),
        (None, None) => {
            let (name, _) = status_fallback(protocol, status, body.is_empty())
                .ok_or(DecodeError::NoCode { status })?;
            (ErrorCode::head(name), CodeSource::Status)
        }
    };
    let message = found
        .message
        .or_else(|| headers.get("x-amzn-errormessage").map(ErrorText::head))
        .or_else(|| {
            (source == CodeSource::Status)
                .then(|| status_fallback(protocol, status, body.is_empty()))
                .flatten()
                .map(|(_, text)| ErrorText::head(text))
        })
        .unwrap_or_default();
    let request_id = found
        .request_id
        .or_else(|| {
            REQUEST_ID_HEADERS
                .iter()
                .find_map(|h| headers.get(h))
                .map(|v| ErrorText::head(v.trim()))
        })
        .unwrap_or_default();
    Ok(ServiceError {
        status,
        code,
        source,
        message,
        request_id,
    })
}

/// The status's code and message, with Go v1's S3 rule for an empty REST-XML `301`.
fn status_fallback(
    protocol: Option<Protocol>,
    status: u16,
    empty: bool,
) -> Option<(&'static str, &'static str)> {
    if status == 301 && empty && protocol == Some(Protocol::RestXml) {
        return Some((
            "BucketRegionError",
            "incorrect region, the bucket is not in this region",
        ));
    }
    status_code(status)
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::http::Headers;

    fn headers(pairs: &[(&str, &str)]) -> ResponseHeaders {
        let mut h = Headers::new();
        for (n, v) in pairs {
            h.append(n, v).unwrap();
        }
        h
    }

    /// `head`, `c` `n` times, then `tail`.
    fn repeated(head: &str, c: char, n: usize, tail: &str) -> Text<1100> {
        let mut t = Text::new();
        t.push_str(head).unwrap();
        for _ in 0..n {
            t.push(c).unwrap();
        }
        t.push_str(tail).unwrap();
        t
    }

    fn decode(status: u16, h: &[(&str, &str)], body: &str) -> Result<ServiceError, DecodeError> {
        decode_error(None, status, &headers(h), body.as_bytes())
    }

    selftests! {
        fn query_xml_error() {
            let e = decode(400, &[], "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>4f1c-1</RequestId></ErrorResponse>").unwrap();
            assert_eq!((e.code.as_str(), e.source), ("ExpiredToken", CodeSource::Body));
            assert_eq!(e.message, "The security token included in the request is expired");
            assert_eq!(e.request_id, "4f1c-1");
        }

        fn ec2_and_s3_xml_errors() {
            let e = decode(503, &[], "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>ec2-id</RequestID></Response>").unwrap();
            assert_eq!((e.code.as_str(), e.request_id.as_str()), ("RequestLimitExceeded", "ec2-id"));
            let e = decode(404, &[("x-amz-request-id", "hdr")], "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a&amp;b</Key><RequestId>body-id</RequestId></Error>").unwrap();
            assert_eq!((e.code.as_str(), e.message.as_str(), e.request_id.as_str()), ("NoSuchKey", "The specified key does not exist.", "body-id"));
        }

        fn json_errors_strip_namespace_and_suffix() {
            let e = decode(400, &[("x-amzn-RequestId", "ddb-1")], "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\",\"message\":\"Requested resource not found\"}").unwrap();
            assert_eq!((e.code.as_str(), e.message.as_str(), e.request_id.as_str()), ("ResourceNotFoundException", "Requested resource not found", "ddb-1"));
            let e = decode(400, &[], "{\"code\":\"aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/\",\"Message\":\"m\"}").unwrap();
            assert_eq!((e.code.as_str(), e.message.as_str()), ("FooError", "m"));
            let e = decode(400, &[], "{\"Code\":\"Bar\"}").unwrap();
            assert_eq!(e.code.as_str(), "Bar");
        }

        fn header_wins_over_json_but_not_over_xml() {
            let e = decode(429, &[("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/"), ("x-amzn-ErrorMessage", "slow down")], "{\"code\":\"Other\"}").unwrap();
            assert_eq!((e.code.as_str(), e.source, e.message.as_str()), ("ThrottlingException", CodeSource::Header, "slow down"));
            let e = decode(400, &[("x-amzn-ErrorType", "H")], "<Error><Code>X</Code></Error>").unwrap();
            assert_eq!(e.code.as_str(), "X");
            // A body that cannot be read still has the header's code.
            let e = decode(502, &[("x-amzn-ErrorType", "H")], "<html>bad gateway").unwrap();
            assert_eq!((e.code.as_str(), e.source), ("H", CodeSource::Header));
        }

        fn empty_bodies_take_the_status() {
            let e = decode(404, &[("x-amz-request-id", " R1 ")], "").unwrap();
            assert_eq!((e.code.as_str(), e.source, e.message.as_str(), e.request_id.as_str()), ("NotFound", CodeSource::Status, "Not Found", "R1"));
            assert_eq!(decode(403, &[], "  \n").unwrap().code.as_str(), "Forbidden");
            let moved = decode_error(Some(Protocol::RestXml), 301, &headers(&[]), b"").unwrap();
            assert_eq!(moved.code.as_str(), "BucketRegionError");
            assert_eq!(decode(301, &[], "").unwrap().code.as_str(), "MovedPermanently");
            assert_eq!(decode(599, &[], ""), Err(DecodeError::NoCode { status: 599 }));
            // A parsed body without a code falls back to the status too.
            assert_eq!(decode(400, &[], "{}").unwrap().code.as_str(), "BadRequest");
        }

        fn malformed_bodies_are_typed_errors() {
            assert_eq!(decode(400, &[], "<Error><Code>X</Code>"), Err(DecodeError::MalformedXml));
            assert_eq!(decode(400, &[], "<!DOCTYPE x><Error/>"), Err(DecodeError::XmlDeclaration));
            assert_eq!(decode(400, &[], "<a><b><c><d><e><f><g><h><i/></h></g></f></e></d></c></b></a>"), Err(DecodeError::XmlTooDeep { limit: crate::limits::MAX_XML_DEPTH }));
            assert_eq!(decode(400, &[], "<Error><Code>&bogus;</Code></Error>"), Err(DecodeError::MalformedXml));
            assert_eq!(decode(400, &[], "{\"__type\": 5"), Err(DecodeError::MalformedJson));
            assert_eq!(decode(400, &[], "{\"__type\":\"\\q\"}"), Err(DecodeError::MalformedJson));
            assert_eq!(decode(400, &[], "plain text"), Err(DecodeError::UnknownFormat));
            assert_eq!(decode_error(None, 400, &headers(&[]), b"<a>\xff</a>"), Err(DecodeError::NotUtf8 { at: 3 }));
            let body = repeated("<Error><Code>", 'x', MAX_ERROR_CODE_LEN + 1, "</Code></Error>");
            assert_eq!(decode(400, &[], &body), Err(DecodeError::CodeTooLong { limit: MAX_ERROR_CODE_LEN }));
            let body = repeated("{\"__type\":\"", 'y', 1000, "\"}");
            assert_eq!(decode(400, &[], &body), Err(DecodeError::CodeTooLong { limit: MAX_ERROR_CODE_LEN }));
        }

        fn long_messages_are_cut_and_display_escapes() {
            let body = repeated("<Error><Code>C</Code><Message>", 'm', 1000, "</Message><RequestId>r</RequestId></Error>");
            let e = decode(400, &[], &body).unwrap();
            assert!(e.message.as_str().len() <= MAX_ERROR_TEXT_LEN && e.message.as_str().ends_with('…'));
            let e = decode(400, &[], "{\"code\":\"C\",\"message\":\"a\\nb\"}").unwrap();
            let mut shown = Text::<64>::new();
            core::fmt::write(&mut shown, format_args!("{e}")).unwrap();
            assert_eq!(shown.as_str(), "C: a\\nb (HTTP 400)");
        }
    }
}
