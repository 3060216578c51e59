//! The transport's one error type.

use core::fmt;

use aws_session_core::http::io_kind;
use aws_session_core::platform::{Error, ErrorKind};

/// An HTTP exchange (or the connection under it) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HttpError {
    /// The stream failed (reset, aborted, refused…), as `embedded-io` reports it.
    Io(embedded_io_async::ErrorKind),
    /// A read or write did not finish within [`super::HttpConfig::io_timeout`].
    TimedOut,
    /// The peer closed the connection before sending a response (a keep-alive connection the
    /// server had already dropped), or the connection cannot carry another request. Reconnect.
    Closed,
    /// The response body ended before its declared length or before the last chunk.
    Truncated,
    /// The response is not valid HTTP/1.x (status line, headers, chunk sizes, lengths).
    Malformed,
    /// The response head, or one chunk-size line, does not fit the caller's buffer.
    HeadTooLarge {
        /// The buffer's size.
        limit: usize,
    },
    /// The calls came in the wrong order, or the body written differs from its declared length.
    Usage,
    /// The transport does not speak the request's scheme (`https` on the plain TCP transport).
    Scheme,
    /// Name resolution failed.
    Dns,
    /// The TCP connection could not be made.
    Connect,
    /// The TLS handshake failed, or the server's certificate was not trusted.
    Tls(TlsFailure),
}

/// Why TLS failed (a coarse, `Copy` summary of the TLS stack's error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TlsFailure {
    /// The server's Certificate message could not be used (a raw public key instead of X.509, no
    /// host name to check, more certificates than the verifier takes).
    Certificate,
    /// The server's certificate chain was refused, with the verifier's reason (unknown anchor,
    /// wrong host, expired, a leaf used as a CA, …).
    #[cfg(feature = "tls")]
    Untrusted(aws_session_tls_verify::CertError),
    /// The server's handshake signature did not verify, or uses an algorithm not compiled in.
    Signature,
    /// The server sent an alert, or the handshake broke the protocol.
    Handshake,
    /// A TLS buffer is too small for a record.
    Buffer,
    /// The device key ([`DeviceKey`](crate::tls::DeviceKey)) could not sign the handshake for
    /// its client certificate.
    ClientKey,
    /// Any other TLS failure.
    Other,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Io(kind) => write!(f, "connection failed: {kind:?}"),
            HttpError::TimedOut => f.write_str("connection timed out"),
            HttpError::Closed => f.write_str("the server closed the connection"),
            HttpError::Truncated => f.write_str("the response body was cut short"),
            HttpError::Malformed => f.write_str("the response is not valid HTTP/1.1"),
            HttpError::HeadTooLarge { limit } => {
                write!(f, "the response head does not fit the {limit}-byte buffer")
            }
            HttpError::Usage => f.write_str("HTTP calls out of order or body length mismatch"),
            HttpError::Scheme => f.write_str("this transport does not speak the request's scheme"),
            HttpError::Dns => f.write_str("name resolution failed"),
            HttpError::Connect => f.write_str("could not connect"),
            HttpError::Tls(t) => write!(f, "TLS failed: {t:?}"),
        }
    }
}

impl core::error::Error for HttpError {}

impl Error for HttpError {
    fn kind(&self) -> ErrorKind {
        match self {
            HttpError::Io(kind) => io_kind(*kind),
            HttpError::TimedOut => ErrorKind::TimedOut,
            HttpError::Closed => ErrorKind::ConnectionReset,
            HttpError::Truncated | HttpError::Malformed => ErrorKind::Protocol,
            HttpError::HeadTooLarge { .. } => ErrorKind::Capacity,
            HttpError::Usage => ErrorKind::Other,
            HttpError::Scheme => ErrorKind::Unsupported,
            HttpError::Dns => ErrorKind::Dns,
            HttpError::Connect => ErrorKind::ConnectionRefused,
            HttpError::Tls(_) => ErrorKind::Tls,
        }
    }
}

impl embedded_io_async::Error for HttpError {
    fn kind(&self) -> embedded_io_async::ErrorKind {
        match self {
            HttpError::Io(kind) => *kind,
            other => aws_session_core::http::to_io_kind(Error::kind(other)),
        }
    }
}
