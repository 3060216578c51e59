//! HTTP/1.1 client over any `embedded-io-async` stream: a plain TCP socket, a TLS connection, or
//! an in-memory pipe in tests.
//!
//! [`HttpConnection`] implements core's [`AsyncTransport`](aws_session_core::platform::AsyncTransport),
//! so `handlers::run_async` drives it like any other transport:
//!
//! * requests are written from core's neutral [`HttpRequest`](aws_session_core::http::HttpRequest)
//!   view; a missing `Content-Length` is added from the body's length;
//! * response heads are parsed with `httparse` (bounded: [`MAX_HTTP_RESPONSE_HEADER_LINES`] lines,
//!   the caller's buffer for bytes), `1xx` interim responses are skipped;
//! * bodies framed by `Content-Length`, by `Transfer-Encoding: chunked` (extensions and trailers
//!   skipped), or by the end of the connection;
//! * keep-alive: after a response has been read to its end the connection serves the next
//!   request, unless either side said `Connection: close` or the body ran to the end of the
//!   connection. An unread rest of a body is drained (up to [`MAX_HTTP_DRAIN_LEN`]) before the next
//!   request;
//! * every read and write has a timeout ([`HttpConfig::io_timeout`]);
//! * failures are typed ([`HttpError`]): reset, closed before a response, truncated body, timeout,
//!   malformed response, head too large.
//!
//! Memory is the caller's: one buffer holds the response head and read-ahead bytes (1–2 KiB is
//! typical for AWS responses; the whole head must fit). Nothing else is allocated.
//!
//! [`MAX_HTTP_RESPONSE_HEADER_LINES`]: crate::limits::MAX_HTTP_RESPONSE_HEADER_LINES
//! [`MAX_HTTP_DRAIN_LEN`]: crate::limits::MAX_HTTP_DRAIN_LEN

mod conn;
mod error;

pub use conn::{HttpConfig, HttpConnection};
pub use error::{HttpError, TlsFailure};

#[cfg(test)]
mod tests;
