//! The shared kind of a platform failure.
//!
//! Every platform error (clock, environment, profile source, transport, body source) maps onto one
//! [`ErrorKind`], so code in any layer can react to "timed out" or "not found" without knowing the
//! adapter. It sits at the bottom of the crate because both the platform traits and the neutral HTTP
//! views report it; [`crate::platform`] re-exports it.

use core::fmt;

/// What kind of failure a platform error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ErrorKind {
    /// The thing asked for does not exist (a missing file, an unset variable).
    NotFound,
    /// The platform refused access.
    PermissionDenied,
    /// An operation did not finish in time.
    TimedOut,
    /// The peer closed or reset the connection.
    ConnectionReset,
    /// The peer could not be reached.
    ConnectionRefused,
    /// Name resolution failed.
    Dns,
    /// TLS failed (handshake, certificate, alert).
    Tls,
    /// The peer broke the protocol (malformed response, truncated body).
    Protocol,
    /// Data was malformed (not UTF-8, not parsable).
    InvalidData,
    /// A fixed buffer or capacity was too small.
    Capacity,
    /// The clock is not yet known (no RTC and no time source has set it).
    ClockUnset,
    /// The platform does not support the operation.
    Unsupported,
    /// Anything else.
    Other,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::TimedOut => "timed out",
            ErrorKind::ConnectionReset => "connection reset",
            ErrorKind::ConnectionRefused => "connection refused",
            ErrorKind::Dns => "name resolution failed",
            ErrorKind::Tls => "TLS failure",
            ErrorKind::Protocol => "protocol error",
            ErrorKind::InvalidData => "invalid data",
            ErrorKind::Capacity => "capacity exceeded",
            ErrorKind::ClockUnset => "clock not set",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Other => "other error",
        })
    }
}
