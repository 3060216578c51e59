//! Platform capabilities, one small trait each, in the manner of `embedded-hal`.
//!
//! An adapter implements only what its platform has. Every trait has its own associated error type
//! whose [`Error::kind`] maps onto the shared [`ErrorKind`], so core code can react to "timed out" or
//! "not found" without knowing the adapter.
//!
//! * For **platform implementers**: implement the traits your target supports; blanket impls for
//!   `&T` are provided so a session can borrow them.
//! * For **application authors**: pick an adapter (`aws-session-std`, `aws-session-embassy`), or the
//!   in-memory fakes of the `test-util` feature.

use core::fmt;

pub use crate::error_kind::ErrorKind;
use crate::time::UnixTime;

/// A platform error: anything with a [`ErrorKind`].
pub trait Error: fmt::Debug {
    /// The shared kind of this error.
    fn kind(&self) -> ErrorKind;
}

impl Error for core::convert::Infallible {
    fn kind(&self) -> ErrorKind {
        match *self {}
    }
}

impl Error for ErrorKind {
    fn kind(&self) -> ErrorKind {
        *self
    }
}

/// Wall-clock time, read by the request pipeline once per attempt (for signing).
pub trait Clock {
    /// Why the time could not be read (for example [`ErrorKind::ClockUnset`]).
    type Error: Error;
    /// The current UTC time.
    ///
    /// # Errors
    /// When the platform does not know the time yet.
    fn now(&self) -> Result<UnixTime, Self::Error>;
}

/// Environment-variable lookup (a process environment, a key/value store, a const table).
pub trait Environment {
    /// Why a variable could not be read (for example a value that is not UTF-8).
    type Error: Error;
    /// The value of `name`, or `None` when unset.
    ///
    /// # Errors
    /// When the variable exists but cannot be read as text.
    fn var(&self, name: &str) -> Result<Option<&str>, Self::Error>;

    /// Calls `visit(name, value)` for every variable whose name starts with `prefix`. Optional:
    /// platforms that cannot list variables keep this default, which visits nothing (per-service
    /// endpoint variables such as `AWS_ENDPOINT_URL_S3` are then not seen).
    fn for_each_with_prefix(&self, prefix: &str, visit: &mut dyn FnMut(&str, &str)) {
        let _ = (prefix, visit);
    }
}

/// Randomness for retry jitter (not for keys: the crate never makes key material).
pub trait Entropy {
    /// A uniformly random `u32`.
    fn next_u32(&mut self) -> u32;
}

/// A source of shared config text (`~/.aws/config`, `~/.aws/credentials`, an embedded blob, flash).
pub trait ProfileSource {
    /// Why a file could not be read.
    type Error: Error;
    /// How many files there are, in load order (a later file wins per field).
    fn file_count(&self) -> usize;
    /// File `index`: its path (for provenance), its kind and its text. `Ok(None)` means the file is
    /// missing or unreadable and is skipped, as Go v1 does.
    ///
    /// # Errors
    /// When reading fails in a way that must stop session creation.
    fn file(
        &self,
        index: usize,
    ) -> Result<Option<crate::shared_file::ProfileFile<'_>>, Self::Error>;
}

impl<T: Clock + ?Sized> Clock for &T {
    type Error = T::Error;
    fn now(&self) -> Result<UnixTime, Self::Error> {
        (**self).now()
    }
}

impl<T: Environment + ?Sized> Environment for &T {
    type Error = T::Error;
    fn var(&self, name: &str) -> Result<Option<&str>, Self::Error> {
        (**self).var(name)
    }
    fn for_each_with_prefix(&self, prefix: &str, visit: &mut dyn FnMut(&str, &str)) {
        (**self).for_each_with_prefix(prefix, visit)
    }
}

impl<T: ProfileSource + ?Sized> ProfileSource for &T {
    type Error = T::Error;
    fn file_count(&self) -> usize {
        (**self).file_count()
    }
    fn file(
        &self,
        index: usize,
    ) -> Result<Option<crate::shared_file::ProfileFile<'_>>, Self::Error> {
        (**self).file(index)
    }
}

impl<T: Entropy + ?Sized> Entropy for &mut T {
    fn next_u32(&mut self) -> u32 {
        (**self).next_u32()
    }
}

/// One HTTP exchange at a time, blocking: what the request pipeline's blocking driver
/// ([`crate::handlers::run_blocking`]) needs from a platform.
///
/// An exchange is four calls in this order: [`Transport::begin`] (connect or reuse a connection and
/// write the request head), [`Transport::write_body`] zero or more times, [`Transport::finish`]
/// (end the request and read the response head), then [`Transport::read_body`] until it returns
/// `Ok(0)`. Calling `begin` again abandons whatever is left of the previous response body (a
/// transport may have to close the connection for that). The driver, not the transport, decides
/// about retries; a transport never retries on its own.
///
/// The request head is a neutral view ([`crate::http::HttpRequest`]): write the request line from
/// its method and target, a `Host` header from its host, then its headers in order. The
/// `Content-Length` header is set by the Sign phase (`core.BuildContentLengthHandler`); a transport
/// may also use [`crate::http::Body::length`].
///
/// Bodies stream in pieces both ways, so neither side holds a whole payload; a body that is a stream
/// is read by the driver through [`crate::http::BodySource`] (which wraps any `embedded-io` reader),
/// and a response body left unread by the pipeline can be read afterwards through the
/// `embedded-io` reader [`crate::handlers::ResponseBodyReader`].
pub trait Transport {
    /// Why the exchange failed; its [`Error::kind`] decides whether Go v1 would retry.
    type Error: Error;
    /// Starts an exchange and writes the request head.
    ///
    /// # Errors
    /// Name resolution, connection, TLS and write failures.
    fn begin(&mut self, request: &crate::http::HttpRequest<'_>) -> Result<(), Self::Error>;
    /// Writes the next piece of the request body.
    ///
    /// # Errors
    /// Connection and write failures.
    fn write_body(&mut self, bytes: &[u8]) -> Result<(), Self::Error>;
    /// Ends the request and reads the response status and headers into `response` (which arrives
    /// empty). Headers that do not fit are counted by [`crate::http::ResponseHead::push_header`].
    ///
    /// # Errors
    /// Timeouts, connection failures and malformed responses ([`ErrorKind::Protocol`]).
    fn finish(&mut self, response: &mut crate::http::ResponseHead) -> Result<(), Self::Error>;
    /// Reads response body bytes into `buf`; `Ok(0)` is the end of the body.
    ///
    /// # Errors
    /// Connection and protocol failures (for example a truncated body).
    fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    type Error = T::Error;
    fn begin(&mut self, request: &crate::http::HttpRequest<'_>) -> Result<(), Self::Error> {
        (**self).begin(request)
    }
    fn write_body(&mut self, bytes: &[u8]) -> Result<(), Self::Error> {
        (**self).write_body(bytes)
    }
    fn finish(&mut self, response: &mut crate::http::ResponseHead) -> Result<(), Self::Error> {
        (**self).finish(response)
    }
    fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        (**self).read_body(buf)
    }
}

/// The async sibling of [`Transport`]: the same four calls, the same order and the same error
/// contract, awaited. Used by [`crate::handlers::run_async`] (for example over `embassy-net` and a
/// TLS stack).
///
/// The returned futures carry no `Send` bound: embassy executors run tasks on one core, and
/// requiring `Send` would exclude their sockets.
#[allow(async_fn_in_trait)] // no `Send` bound wanted, see above
pub trait AsyncTransport {
    /// Why the exchange failed.
    type Error: Error;
    /// As [`Transport::begin`].
    ///
    /// # Errors
    /// As [`Transport::begin`].
    async fn begin(&mut self, request: &crate::http::HttpRequest<'_>) -> Result<(), Self::Error>;
    /// As [`Transport::write_body`].
    ///
    /// # Errors
    /// As [`Transport::write_body`].
    async fn write_body(&mut self, bytes: &[u8]) -> Result<(), Self::Error>;
    /// As [`Transport::finish`].
    ///
    /// # Errors
    /// As [`Transport::finish`].
    async fn finish(&mut self, response: &mut crate::http::ResponseHead)
        -> Result<(), Self::Error>;
    /// As [`Transport::read_body`].
    ///
    /// # Errors
    /// As [`Transport::read_body`].
    async fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error>;
}

impl<T: AsyncTransport + ?Sized> AsyncTransport for &mut T {
    type Error = T::Error;
    async fn begin(&mut self, request: &crate::http::HttpRequest<'_>) -> Result<(), Self::Error> {
        (**self).begin(request).await
    }
    async fn write_body(&mut self, bytes: &[u8]) -> Result<(), Self::Error> {
        (**self).write_body(bytes).await
    }
    async fn finish(
        &mut self,
        response: &mut crate::http::ResponseHead,
    ) -> Result<(), Self::Error> {
        (**self).finish(response).await
    }
    async fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        (**self).read_body(buf).await
    }
}

/// Blocking delay, for retry back-off on platforms with threads. Async platforms sleep in their
/// driver instead (the pipeline returns how long to wait).
pub trait Sleep {
    /// Waits `millis` milliseconds.
    fn sleep_ms(&mut self, millis: u32);
}

/// Async delay, for retry back-off in [`crate::handlers::run_async`] (for example an embassy-time
/// `Timer`).
#[allow(async_fn_in_trait)] // no `Send` bound wanted, as for `AsyncTransport`
pub trait AsyncSleep {
    /// Waits `millis` milliseconds.
    async fn sleep_ms(&self, millis: u32);
}

/// Everything a blocking request needs from a platform, in one value: a transport, a clock, a
/// sleep and entropy. `Client::send` takes one; an adapter provides its own (the std adapter's
/// `aws_session_std::StdPlatform`), and [`Bundle`] makes one from any four parts.
pub trait Platform {
    /// Sends the HTTP exchanges.
    type Transport: Transport + ?Sized;
    /// Gives each attempt its signing time.
    type Clock: Clock + ?Sized;
    /// Waits between attempts.
    type Sleep: Sleep + ?Sized;
    /// Jitters the retry delays.
    type Entropy: Entropy + ?Sized;
    /// The four parts, borrowed at once.
    fn parts(
        &mut self,
    ) -> (
        &mut Self::Transport,
        &Self::Clock,
        &mut Self::Sleep,
        &mut Self::Entropy,
    );
}

/// Everything an async request needs from a platform, in one value: the async sibling of
/// [`Platform`], taken by `Client::send_async`.
pub trait AsyncPlatform {
    /// Sends the HTTP exchanges.
    type Transport: AsyncTransport + ?Sized;
    /// Gives each attempt its signing time.
    type Clock: Clock + ?Sized;
    /// Waits between attempts.
    type Sleep: AsyncSleep + ?Sized;
    /// Jitters the retry delays.
    type Entropy: Entropy + ?Sized;
    /// The four parts, borrowed at once.
    fn parts(
        &mut self,
    ) -> (
        &mut Self::Transport,
        &Self::Clock,
        &Self::Sleep,
        &mut Self::Entropy,
    );
}

/// A platform made of four separate parts (for tests, or to mix parts of different adapters).
#[derive(Debug, Clone, Default)]
pub struct Bundle<T, C, S, E> {
    /// The transport.
    pub transport: T,
    /// The clock.
    pub clock: C,
    /// The sleep.
    pub sleep: S,
    /// The entropy.
    pub entropy: E,
}

impl<T: Transport, C: Clock, S: Sleep, E: Entropy> Platform for Bundle<T, C, S, E> {
    type Transport = T;
    type Clock = C;
    type Sleep = S;
    type Entropy = E;
    fn parts(&mut self) -> (&mut T, &C, &mut S, &mut E) {
        (
            &mut self.transport,
            &self.clock,
            &mut self.sleep,
            &mut self.entropy,
        )
    }
}

impl<T: AsyncTransport, C: Clock, S: AsyncSleep, E: Entropy> AsyncPlatform for Bundle<T, C, S, E> {
    type Transport = T;
    type Clock = C;
    type Sleep = S;
    type Entropy = E;
    fn parts(&mut self) -> (&mut T, &C, &S, &mut E) {
        (
            &mut self.transport,
            &self.clock,
            &self.sleep,
            &mut self.entropy,
        )
    }
}
