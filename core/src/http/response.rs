//! The response head a transport reports: status and the headers worth keeping.

use core::fmt;

use super::error::HttpError;
use super::headers::{Headers, ResponseHeaders};

/// What a transport reports about a response before its body: the status and the headers worth
/// keeping.
///
/// Responses come from the network, so a header that does not fit is not an error of the request:
/// [`ResponseHead::push_header`] keeps what fits and counts the rest in
/// [`ResponseHead::dropped_headers`] (nothing is truncated).
#[derive(Clone, Default)]
pub struct ResponseHead {
    status: u16,
    headers: ResponseHeaders,
    dropped: u16,
}

impl ResponseHead {
    /// No response yet: status 0, no headers.
    pub const fn new() -> Self {
        ResponseHead {
            status: 0,
            headers: Headers::new(),
            dropped: 0,
        }
    }

    /// The status code; 0 when no response was received (Go v1 treats 0 as a failure).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Sets the status code.
    pub fn set_status(&mut self, status: u16) {
        self.status = status;
    }

    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The kept headers.
    pub fn headers(&self) -> &ResponseHeaders {
        &self.headers
    }

    /// The kept headers, to change (handlers may rewrite them).
    pub fn headers_mut(&mut self) -> &mut ResponseHeaders {
        &mut self.headers
    }

    /// Keeps a received header if it fits; otherwise counts it as dropped.
    ///
    /// # Errors
    /// The [`HttpError`] that made the header drop (malformed, or no room). The response is still
    /// usable; transports usually ignore this.
    pub fn push_header(&mut self, name: &str, value: &str) -> Result<(), HttpError> {
        self.headers.append(name, value).inspect_err(|_| {
            self.dropped = self.dropped.saturating_add(1);
        })
    }

    /// Counts a received header that cannot be kept at all (a value that is not UTF-8, say), as
    /// [`ResponseHead::push_header`] counts one that does not fit.
    pub fn drop_header(&mut self) {
        self.dropped = self.dropped.saturating_add(1);
    }

    /// How many received headers were not kept.
    pub fn dropped_headers(&self) -> u16 {
        self.dropped
    }

    /// `Content-Length`, when present and a number.
    pub fn content_length(&self) -> Option<u64> {
        self.headers.get("content-length")?.trim().parse().ok()
    }

    /// `Retry-After` in seconds, when present as a number (dates are ignored, as in Go v1).
    pub fn retry_after_secs(&self) -> Option<u32> {
        self.headers.get("retry-after")?.trim().parse().ok()
    }

    /// Back to "no response": status 0, no headers.
    pub fn clear(&mut self) {
        self.status = 0;
        self.headers.clear();
        self.dropped = 0;
    }
}

impl fmt::Debug for ResponseHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseHead")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("dropped_headers", &self.dropped)
            .finish()
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::limits::MAX_RESPONSE_HEADER_BYTES;

    selftests! {
        fn response_head_counts_dropped_headers() {
            let mut h = ResponseHead::new();
            h.set_status(503);
            assert!(!h.is_success());
            h.push_header("Content-Length", " 42 ").unwrap();
            h.push_header("Retry-After", "7").unwrap();
            assert!(h.push_header("bad name", "x").is_err());
            let big = [b'v'; MAX_RESPONSE_HEADER_BYTES];
            assert!(h.push_header("x-big", core::str::from_utf8(&big).unwrap()).is_err());
            assert_eq!(h.dropped_headers(), 2);
            h.drop_header();
            assert_eq!(h.dropped_headers(), 3);
            assert_eq!(h.content_length(), Some(42));
            assert_eq!(h.retry_after_secs(), Some(7));
            h.clear();
            assert_eq!((h.status(), h.headers().len(), h.dropped_headers()), (0, 0, 0));
        }
    }
}
