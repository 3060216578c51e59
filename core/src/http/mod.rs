//! Neutral HTTP views shared by the signer, the request pipeline and transports.
//!
//! Nothing here performs I/O or depends on an HTTP library. [`HttpRequest`] is the request under
//! construction that handlers fill in (method, scheme, host, target, [`Headers`], [`Body`]);
//! [`ResponseHead`] is what a transport reports back (status and the headers worth keeping).
//!
//! All storage is fixed: header names and values live packed in one byte array per header set, with
//! capacities from [`crate::limits`]. Every mutation checks its input first and either succeeds
//! whole or returns an [`HttpError`] that names the part and the limit, leaving the value unchanged.
//! Header names must be RFC 9110 tokens and values must not contain control characters (so CR/LF
//! header injection is impossible by construction).
//!
//! Secrets pass through here (`Authorization`, `X-Amz-Security-Token`, presigned query strings):
//! `Debug` output redacts those values, and header storage is wiped when values are removed and
//! when the set is dropped.
//!
//! One idea per module: the error ([`HttpError`]: which part, which limit), the header store
//! ([`Headers`]), bodies and the `embedded-io` bridge ([`Body`], [`BodySource`]), the request
//! ([`HttpRequest`], [`Method`], [`Scheme`]), the response head ([`ResponseHead`]) and how a
//! response body ends ([`FramingHeaders`]). Every type is re-exported here, so paths stay
//! `crate::http::X`.

mod body;
mod error;
mod framing;
mod headers;
mod request;
mod response;
pub mod url;

pub use body::{io_kind, to_io_kind, Body, BodySource, SeekableBody};
pub use error::{HttpError, HttpPart};
pub use framing::{BodyFraming, FramingError, FramingHeaders, ResponseFraming};
pub(crate) use headers::is_sensitive as is_sensitive_header;
pub use headers::{Headers, RequestHeaders, ResponseHeaders};
pub use request::{HttpRequest, Method, Scheme};
pub use response::ResponseHead;

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]), one table per module.
pub mod selftests {
    /// The header store.
    pub const HEADERS: &[crate::selftest::SelfTest] = super::headers::selftests::ALL;
    /// Bodies and the `embedded-io` bridge.
    pub const BODY: &[crate::selftest::SelfTest] = super::body::selftests::ALL;
    /// The request under construction.
    pub const REQUEST: &[crate::selftest::SelfTest] = super::request::selftests::ALL;
    /// The response head.
    pub const RESPONSE: &[crate::selftest::SelfTest] = super::response::selftests::ALL;
    /// URL and authority splitting.
    pub const URL: &[crate::selftest::SelfTest] = super::url::selftests::ALL;
    /// Response framing and persistence.
    pub const FRAMING: &[crate::selftest::SelfTest] = super::framing::selftests::ALL;
}
