//! How a response body ends and whether its connection can carry another request: the rules of
//! RFC 9112 §6.3 (message body length) and §9.3 (persistence), in one place for every transport.
//!
//! Transports read the response head with their own parser and feed its headers to
//! [`FramingHeaders`] one at a time, then [`FramingHeaders::finish`] says how the body is framed.
//! The reading itself (buffers, timeouts, chunk-size lines) stays in each transport: it is what
//! differs between a blocking socket and an async one.

/// How the response body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BodyFraming {
    /// No body: the answer to `HEAD`, and statuses 1xx, 204 and 304.
    Empty,
    /// Exactly this many bytes (`Content-Length`).
    Length(u64),
    /// `Transfer-Encoding` whose final coding is `chunked`.
    Chunked,
    /// Everything until the server closes the connection.
    UntilClose,
}

/// The framing of a response: its body, and whether the connection may be used again after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ResponseFraming {
    /// How the body ends.
    pub body: BodyFraming,
    /// The connection may carry another request once the body has been read.
    pub keep_alive: bool,
}

/// A response head whose framing cannot be trusted: the transport must not read its body or
/// reuse its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FramingError {
    /// A `Content-Length` that is not a decimal number that fits a `u64`.
    BadContentLength,
    /// Two `Content-Length` values that differ.
    ConflictingContentLength,
}

impl core::fmt::Display for FramingError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            FramingError::BadContentLength => "bad Content-Length",
            FramingError::ConflictingContentLength => "conflicting Content-Length headers",
        })
    }
}

/// Digits of the longest `Content-Length` read (`u64::MAX` has 20).
const MAX_LENGTH_DIGITS: usize = 20;

/// The framing headers of one response head, collected one header at a time.
#[derive(Debug, Clone, Copy, Default)]
pub struct FramingHeaders {
    length: Option<u64>,
    /// `Some(final coding is chunked)` once a `Transfer-Encoding` header was seen.
    transfer_chunked: Option<bool>,
    close: bool,
    keep_alive: bool,
}

impl FramingHeaders {
    /// Nothing seen yet.
    pub const fn new() -> Self {
        FramingHeaders {
            length: None,
            transfer_chunked: None,
            close: false,
            keep_alive: false,
        }
    }

    /// Takes one header of the head (any header: those that do not frame are ignored). Names are
    /// compared without regard to case; values as they came, surrounding spaces trimmed.
    ///
    /// # Errors
    /// [`FramingError`] for a `Content-Length` that is not a number or differs from an earlier
    /// one (a list of equal values, `5, 5`, counts as one).
    pub fn header(&mut self, name: &str, value: &[u8]) -> Result<(), FramingError> {
        if name.eq_ignore_ascii_case("content-length") {
            for item in value.split(|b| *b == b',') {
                let n = parse_length(item.trim_ascii()).ok_or(FramingError::BadContentLength)?;
                if self.length.is_some_and(|l| l != n) {
                    return Err(FramingError::ConflictingContentLength);
                }
                self.length = Some(n);
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // Codings apply in order, across repeated headers: the last one decides.
            if let Some(last) = value
                .split(|b| *b == b',')
                .map(<[u8]>::trim_ascii)
                .rfind(|c| !c.is_empty())
            {
                self.transfer_chunked = Some(last.eq_ignore_ascii_case(b"chunked"));
            }
        } else if name.eq_ignore_ascii_case("connection") {
            for token in value.split(|b| *b == b',').map(<[u8]>::trim_ascii) {
                self.close |= token.eq_ignore_ascii_case(b"close");
                self.keep_alive |= token.eq_ignore_ascii_case(b"keep-alive");
            }
        }
        Ok(())
    }

    /// The framing of a response with `status` to a request that was (`head_request`) or was not
    /// a `HEAD`, over HTTP/1.`minor_version`.
    ///
    /// * No body for `HEAD`, 1xx, 204 and 304, whatever the headers say.
    /// * `Transfer-Encoding` overrides `Content-Length`: chunked when its final coding is, else
    ///   until the server closes. A head with both is a smuggling pattern: the body is still read
    ///   as chunked, but the connection is not used again.
    /// * Otherwise `Content-Length`, else until the server closes.
    /// * HTTP/1.1 keeps the connection unless `Connection: close`; HTTP/1.0 only with
    ///   `Connection: keep-alive`; a body that ends at the close ends the connection too.
    pub fn finish(self, minor_version: u8, status: u16, head_request: bool) -> ResponseFraming {
        let mut keep_alive = !self.close && (minor_version >= 1 || self.keep_alive);
        let body = if head_request || (100..200).contains(&status) || status == 204 || status == 304
        {
            BodyFraming::Empty
        } else {
            match (self.transfer_chunked, self.length) {
                (Some(chunked), length) => {
                    keep_alive &= length.is_none();
                    if chunked {
                        BodyFraming::Chunked
                    } else {
                        BodyFraming::UntilClose
                    }
                }
                (None, Some(n)) => BodyFraming::Length(n),
                (None, None) => BodyFraming::UntilClose,
            }
        };
        keep_alive &= body != BodyFraming::UntilClose;
        ResponseFraming { body, keep_alive }
    }
}

/// `1*DIGIT` as a `u64`: no sign, no spaces inside, at most [`MAX_LENGTH_DIGITS`] digits.
fn parse_length(digits: &[u8]) -> Option<u64> {
    let ok = !digits.is_empty()
        && digits.len() <= MAX_LENGTH_DIGITS
        && digits.iter().all(u8::is_ascii_digit);
    core::str::from_utf8(digits)
        .ok()
        .filter(|_| ok)?
        .parse()
        .ok()
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::{BodyFraming, FramingError, FramingHeaders, ResponseFraming};

    /// The framing of an HTTP/1.`minor` response with `status` and `headers` to a GET.
    fn framing(
        minor: u8,
        status: u16,
        headers: &[(&str, &str)],
    ) -> Result<ResponseFraming, FramingError> {
        let mut seen = FramingHeaders::new();
        for (name, value) in headers {
            seen.header(name, value.as_bytes())?;
        }
        Ok(seen.finish(minor, status, false))
    }

    fn kept(body: BodyFraming) -> Result<ResponseFraming, FramingError> {
        Ok(ResponseFraming {
            body,
            keep_alive: true,
        })
    }

    fn closed(body: BodyFraming) -> Result<ResponseFraming, FramingError> {
        Ok(ResponseFraming {
            body,
            keep_alive: false,
        })
    }

    selftests! {
        fn lengths_and_chunked_bodies_keep_http11_connections() {
            use BodyFraming::{Chunked, Length};
            assert_eq!(framing(1, 200, &[("Content-Length", "5")]), kept(Length(5)));
            assert_eq!(framing(1, 200, &[("content-length", " 0 ")]), kept(Length(0)));
            assert_eq!(framing(1, 200, &[("Content-Length", "5, 5")]), kept(Length(5)));
            assert_eq!(
                framing(1, 200, &[("Content-Length", "5"), ("Content-Length", "5")]),
                kept(Length(5))
            );
            assert_eq!(framing(1, 200, &[("Transfer-Encoding", "chunked")]), kept(Chunked));
            assert_eq!(framing(1, 200, &[("Transfer-Encoding", "gzip, CHUNKED")]), kept(Chunked));
            assert_eq!(
                framing(1, 200, &[("Transfer-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]),
                kept(Chunked)
            );
            assert_eq!(
                framing(1, 200, &[("Content-Length", "18446744073709551615")]),
                kept(Length(u64::MAX))
            );
        }

        fn bodies_that_end_at_the_close_end_the_connection() {
            use BodyFraming::{Chunked, UntilClose};
            assert_eq!(framing(1, 200, &[]), closed(UntilClose));
            assert_eq!(framing(1, 200, &[("Transfer-Encoding", "chunked, gzip")]), closed(UntilClose));
            assert_eq!(
                framing(1, 200, &[("Transfer-Encoding", "gzip"), ("Content-Length", "5")]),
                closed(UntilClose)
            );
            // Both headers: read as chunked, never reused (a smuggling pattern).
            assert_eq!(
                framing(1, 200, &[("Content-Length", "5"), ("Transfer-Encoding", "chunked")]),
                closed(Chunked)
            );
        }

        fn bodiless_statuses_and_head_requests_have_no_body() {
            use BodyFraming::Empty;
            for status in [100, 101, 204, 304] {
                assert_eq!(framing(1, status, &[("Content-Length", "5")]), kept(Empty), "{status}");
            }
            let mut seen = FramingHeaders::new();
            seen.header("Transfer-Encoding", b"chunked").unwrap();
            assert_eq!(seen.finish(1, 200, true), kept(Empty).unwrap());
        }

        fn connection_tokens_decide_persistence_by_version() {
            use BodyFraming::Length;
            let five = ("Content-Length", "5");
            assert_eq!(framing(1, 200, &[five, ("Connection", "Close")]), closed(Length(5)));
            assert_eq!(framing(1, 200, &[five, ("Connection", "te, close")]), closed(Length(5)));
            assert_eq!(framing(0, 200, &[five]), closed(Length(5)));
            assert_eq!(framing(0, 200, &[five, ("Connection", "Keep-Alive")]), kept(Length(5)));
            assert_eq!(
                framing(0, 200, &[five, ("Connection", "keep-alive, close")]),
                closed(Length(5))
            );
        }

        fn bad_and_conflicting_lengths_are_refused() {
            use FramingError::{BadContentLength, ConflictingContentLength};
            for bad in ["", "x", "+5", "-1", "5 5", "0x10", "18446744073709551616", "000000000000000000001"] {
                assert_eq!(
                    framing(1, 200, &[("Content-Length", bad)]),
                    Err(BadContentLength),
                    "{bad:?}"
                );
            }
            assert_eq!(framing(1, 200, &[("Content-Length", "5, 6")]), Err(ConflictingContentLength));
            assert_eq!(
                framing(1, 200, &[("Content-Length", "5"), ("content-length", "6")]),
                Err(ConflictingContentLength)
            );
        }
    }
}
