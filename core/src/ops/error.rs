//! The errors of the typed operations, one per protocol family.

use core::fmt;

use crate::credentials::sts::StsError;
use crate::http::HttpError;
use crate::protocol::FormError;
use crate::xml::XmlError;

/// Preparing or reading a query-protocol operation (STS, SQS, SNS) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum QueryError {
    /// The form body does not fit the caller's buffer.
    Body(FormError),
    /// The request head does not fit (a header or target over its limit).
    Http(HttpError),
    /// A required parameter of the request, or element of the answer, is missing or empty;
    /// names it.
    Missing(&'static str),
    /// A request parameter is out of its range; names it.
    OutOfRange(&'static str),
    /// The answer is not UTF-8.
    NotUtf8,
    /// The answer is not well-formed XML (truncated, mismatched tags).
    Malformed,
    /// The answer nests elements deeper than [`crate::limits::MAX_XML_DEPTH`].
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The answer has a document type declaration (refused).
    Declaration,
    /// An element's text holds markup or a bad character reference; names the element.
    BadText(&'static str),
    /// The answer holds more items than the output has room for; names the element.
    TooMany {
        /// The element.
        element: &'static str,
        /// The capacity ([`crate::limits::MAX_RECEIVE_MESSAGES`]).
        limit: usize,
    },
    /// Building the `AssumeRole` body or reading its credentials failed.
    Sts(StsError),
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Body(e) => write!(f, "{e}"),
            QueryError::Http(e) => write!(f, "cannot build the request: {e}"),
            QueryError::Missing(name) => write!(f, "{name} is missing or empty"),
            QueryError::OutOfRange(name) => write!(f, "{name} is out of range"),
            QueryError::NotUtf8 => f.write_str("the answer is not UTF-8"),
            QueryError::Malformed => f.write_str("the answer is not well-formed XML"),
            QueryError::TooDeep { limit } => {
                write!(f, "the answer nests elements deeper than {limit}")
            }
            QueryError::Declaration => {
                f.write_str("the answer has a document type declaration (refused)")
            }
            QueryError::BadText(name) => {
                write!(f, "{name} holds markup or a bad character reference")
            }
            QueryError::TooMany { element, limit } => {
                write!(f, "the answer has more than {limit} {element} elements")
            }
            QueryError::Sts(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for QueryError {}

impl From<XmlError> for QueryError {
    fn from(e: XmlError) -> Self {
        match e {
            XmlError::Malformed => QueryError::Malformed,
            XmlError::TooDeep { limit } => QueryError::TooDeep { limit },
            XmlError::Declaration => QueryError::Declaration,
        }
    }
}

impl From<FormError> for QueryError {
    fn from(e: FormError) -> Self {
        QueryError::Body(e)
    }
}

impl From<HttpError> for QueryError {
    fn from(e: HttpError) -> Self {
        QueryError::Http(e)
    }
}

/// Preparing or reading a JSON-protocol operation (DynamoDB, Kinesis) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum JsonError {
    /// The request head does not fit (a header or target over its limit).
    Http(HttpError),
    /// The request body does not fit the caller's buffer; names the parameter being written.
    BodyTooLong {
        /// The buffer's length.
        limit: usize,
        /// The parameter.
        param: &'static str,
    },
    /// A required parameter of the request, or member of the answer, is missing or empty; names
    /// it.
    Missing(&'static str),
    /// The answer is not UTF-8.
    NotUtf8,
    /// The answer is not one well-formed JSON object (of the expected shape).
    Malformed,
    /// A string of the answer has a bad escape; names its member.
    BadText(&'static str),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::Http(e) => write!(f, "cannot build the request: {e}"),
            JsonError::BodyTooLong { limit, param } => {
                write!(
                    f,
                    "JSON body does not fit the {limit}-byte buffer at {param}"
                )
            }
            JsonError::Missing(name) => write!(f, "{name} is missing or empty"),
            JsonError::NotUtf8 => f.write_str("the answer is not UTF-8"),
            JsonError::Malformed => f.write_str("the answer is not a well-formed JSON object"),
            JsonError::BadText(name) => write!(f, "{name} has a bad escape"),
        }
    }
}

impl core::error::Error for JsonError {}

impl From<HttpError> for JsonError {
    fn from(e: HttpError) -> Self {
        JsonError::Http(e)
    }
}

/// Preparing a REST operation (IoT Data) or a raw call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RawError {
    /// The request head does not fit (a header or target over its limit).
    Http(HttpError),
    /// A query form body does not fit the caller's buffer.
    Body(FormError),
    /// A parameter is longer than its limit; names it.
    TooLong {
        /// The parameter.
        param: &'static str,
        /// The limit.
        limit: usize,
        /// Its length.
        len: usize,
    },
    /// A parameter is missing, empty or out of range; names it.
    Invalid(&'static str),
}

impl fmt::Display for RawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawError::Http(e) => write!(f, "cannot build the request: {e}"),
            RawError::Body(e) => write!(f, "{e}"),
            RawError::TooLong { param, limit, len } => {
                write!(f, "{param} is {len} bytes long, over the limit of {limit}")
            }
            RawError::Invalid(name) => write!(f, "{name} is missing, empty or out of range"),
        }
    }
}

impl core::error::Error for RawError {}

impl From<HttpError> for RawError {
    fn from(e: HttpError) -> Self {
        RawError::Http(e)
    }
}

impl From<FormError> for RawError {
    fn from(e: FormError) -> Self {
        RawError::Body(e)
    }
}
