//! The error every fallible operation on the HTTP views returns: which part, and which limit.

use core::fmt;

/// Which part of an HTTP view an [`HttpError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HttpPart {
    /// The host (`host[:port]`).
    Host,
    /// The request target (path and query).
    Target,
    /// An endpoint URL given to [`HttpRequest::set_endpoint`](super::HttpRequest::set_endpoint).
    Endpoint,
    /// A header name.
    HeaderName,
    /// A header value.
    HeaderValue,
    /// The number of headers.
    HeaderCount,
    /// The bytes of all header names and values together.
    HeaderBytes,
    /// A response body put into the request's response buffer
    /// ([`Request::set_response_body`](crate::handlers::Request::set_response_body)).
    ResponseBody,
}

impl HttpPart {
    /// A short name for messages.
    pub const fn name(self) -> &'static str {
        match self {
            HttpPart::Host => "host",
            HttpPart::Target => "request target",
            HttpPart::Endpoint => "endpoint",
            HttpPart::HeaderName => "header name",
            HttpPart::HeaderValue => "header value",
            HttpPart::HeaderCount => "header count",
            HttpPart::HeaderBytes => "header bytes",
            HttpPart::ResponseBody => "response body",
        }
    }
}

/// A change to an HTTP view was refused. The view is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HttpError {
    /// The part would grow past its fixed capacity.
    Capacity {
        /// What overflowed.
        part: HttpPart,
        /// The capacity (a constant from [`crate::limits`] or the const generic in use).
        limit: usize,
        /// The size that was needed.
        needed: usize,
    },
    /// The text is not allowed there (a header name that is not a token, a control character in a
    /// value, a target without a leading `/`, a host with a space or slash).
    Invalid {
        /// What was malformed.
        part: HttpPart,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Capacity {
                part,
                limit,
                needed,
            } => {
                write!(
                    f,
                    "{} needs {} but the limit is {}",
                    part.name(),
                    needed,
                    limit
                )
            }
            HttpError::Invalid { part } => write!(f, "invalid {}", part.name()),
        }
    }
}

impl core::error::Error for HttpError {}
