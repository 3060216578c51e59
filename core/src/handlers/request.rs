//! One request as handlers see it (Go v1 `request.Request`), and the error it can end with.

use core::any::{Any, TypeId};
use core::fmt;

use super::Phase;
use crate::http::{HttpError, HttpPart, HttpRequest, ResponseHead};
use crate::limits::{DEFAULT_MAX_RETRIES, MAX_ATTEMPTS};
use crate::platform::ErrorKind;
use crate::protocol::{decode_error, DecodeError, Protocol, ServiceError};
pub use crate::text::{ErrorCode, ErrorCodeTooLong};
use crate::time::UnixTime;

// ---- request error -------------------------------------------------------------------------------

/// Which part of an exchange a transport error happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransportStage {
    /// Connecting and writing the request head.
    Begin,
    /// Writing the request body.
    WriteBody,
    /// Reading the response head.
    Finish,
    /// Reading the response body.
    ReadBody,
}

impl TransportStage {
    const fn describe(self) -> &'static str {
        match self {
            TransportStage::Begin => "sending the request head",
            TransportStage::WriteBody => "sending the request body",
            TransportStage::Finish => "reading the response head",
            TransportStage::ReadBody => "reading the response body",
        }
    }
}

/// Why a request failed: the value of [`Request::error`] (Go v1 `r.Error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RequestError {
    /// A handler failed the request with a Go v1 style code (`MissingRegion`, `InvalidParameter`,
    /// `SerializationError`, …), in the phase it ran in.
    Handler {
        /// The phase of the failing handler.
        phase: Phase,
        /// The error code.
        code: &'static str,
    },
    /// The service answered with an error that an UnmarshalError handler decoded.
    Service {
        /// HTTP status.
        status: u16,
        /// The service's error code.
        code: ErrorCode,
    },
    /// The response status is 0 or ≥ 300 and no UnmarshalError handler said more (Go v1's
    /// `UnknownError` placeholder from `core.ValidateResponseHandler`).
    Status {
        /// HTTP status (0 when none arrived).
        status: u16,
    },
    /// Building the HTTP request failed (a value too long or malformed).
    Http(HttpError),
    /// The driver's clock could not be read, so the attempt could not be signed.
    Clock(ErrorKind),
    /// The transport failed.
    Transport {
        /// Where in the exchange.
        stage: TransportStage,
        /// What kind of failure.
        kind: ErrorKind,
    },
    /// The streamed request body failed to rewind or read.
    BodySource(ErrorKind),
    /// The response body is larger than the buffer given with [`Request::set_response_buffer`].
    ResponseTooLarge {
        /// The buffer size.
        limit: usize,
    },
    /// The driver answered a [`Step`](super::Step) with the wrong [`Event`](super::Event).
    DriverMisuse,
    /// The pipeline was dropped before it finished (a cancelled task; Go v1 `RequestCanceled`).
    Canceled,
    /// No valid credentials could be obtained for the attempt: the provider failed (its full
    /// error is kept by the credential cache, see `Session::last_credentials_error`).
    Credentials {
        /// The provider that failed.
        provider: crate::credentials::ProviderKind,
        /// Go v1's error code for the failure (`NoCredentialProviders`, `EmptyStaticCreds`, …).
        code: &'static str,
    },
}

/// Go v1 error code of a failed send (`request.ErrCodeRequestError`).
const CODE_REQUEST_ERROR: &str = "RequestError";
/// Go v1 placeholder code of `core.ValidateResponseHandler`.
const CODE_UNKNOWN: &str = "UnknownError";

impl RequestError {
    /// The Go v1 style error code: the handler's or service's code, `RequestError` for transport
    /// failures, `UnknownError` for an undecoded failure status, and a descriptive code otherwise.
    pub fn code(&self) -> &str {
        match self {
            RequestError::Handler { code, .. } => code,
            RequestError::Service { code, .. } => code.as_str(),
            RequestError::Status { .. } => CODE_UNKNOWN,
            RequestError::Http(_) => "SerializationError",
            RequestError::Clock(_) => "ClockError",
            RequestError::Transport { .. } => CODE_REQUEST_ERROR,
            RequestError::BodySource(_) => "ReadRequestBodyError",
            RequestError::ResponseTooLarge { .. } => "ResponseTooLarge",
            RequestError::DriverMisuse => "DriverMisuse",
            RequestError::Canceled => "RequestCanceled",
            RequestError::Credentials { code, .. } => code,
        }
    }

    /// The HTTP status the error came with, if a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            RequestError::Service { status, .. } | RequestError::Status { status } => Some(*status),
            _ => None,
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::Handler { phase, code } => write!(f, "{phase} handler failed: {code}"),
            RequestError::Service { status, code } => {
                write!(f, "service error {code} (HTTP {status})")
            }
            RequestError::Status { status } => {
                write!(f, "HTTP status {status} without error details")
            }
            RequestError::Http(e) => write!(f, "building the HTTP request failed: {e}"),
            RequestError::Clock(kind) => write!(f, "reading the clock for signing failed: {kind}"),
            RequestError::Transport { stage, kind } => {
                write!(f, "transport failed while {}: {}", stage.describe(), kind)
            }
            RequestError::BodySource(kind) => write!(f, "reading the request body failed: {kind}"),
            RequestError::ResponseTooLarge { limit } => {
                write!(f, "response body is larger than the {limit}-byte buffer")
            }
            RequestError::DriverMisuse => {
                f.write_str("pipeline driver answered a step with the wrong event")
            }
            RequestError::Canceled => f.write_str("request canceled before it finished"),
            RequestError::Credentials { provider, code } => {
                write!(
                    f,
                    "{} could not provide credentials: {code}",
                    provider.name()
                )
            }
        }
    }
}

impl core::error::Error for RequestError {}

impl From<HttpError> for RequestError {
    fn from(e: HttpError) -> Self {
        RequestError::Http(e)
    }
}

// ---- request -------------------------------------------------------------------------------------

/// One API call as it moves through the handler phases (Go v1 `request.Request`).
///
/// Small and borrowed: the HTTP request is fixed-size, the request body is borrowed or streamed
/// ([`crate::http::Body`]), the response body goes into a caller buffer
/// ([`Request::set_response_buffer`]) or stays in the transport for the caller to stream, and
/// parameters, outputs and client context are borrowed through typed `Any` slots.
///
/// Handlers change the public fields freely, as Go v1 handlers do. The pipeline owns the rest
/// (phase, attempt, attempt time, jitter) and handlers read it through methods.
pub struct Request<'a> {
    operation: &'static str,
    /// The HTTP request under construction.
    pub http: HttpRequest<'a>,
    /// The response head of the current attempt (status 0 until one arrives).
    pub response: ResponseHead,
    /// The error so far (Go v1 `r.Error`); handlers set, inspect and clear it.
    pub error: Option<RequestError>,
    /// A decision about retrying this attempt (Go v1 `r.Retryable`): `None` lets
    /// `core.AfterRetryHandler` decide, `Some(_)` forces it. Reset before every attempt.
    pub retryable: Option<bool>,
    /// How long the driver waits before the next attempt, set in AfterRetry.
    pub retry_delay_ms: u32,
    /// Retries made so far (Go v1 `r.RetryCount`); `core.AfterRetryHandler` increments it.
    pub retry_count: u32,
    /// Set by `core.AfterRetryHandler` when the service said the credentials expired
    /// (`ExpiredToken`, …); a Sign handler that caches credentials refreshes them and clears it
    /// (Go v1 calls `Credentials.Expire()` there).
    pub credentials_expired: bool,
    /// Extra error codes this request retries (Go v1 `r.RetryErrorCodes`), beside the Go v1
    /// lists.
    pub retry_error_codes: &'a [&'a str],
    /// Extra error codes this request treats as throttling (Go v1 `r.ThrottleErrorCodes`).
    pub throttle_error_codes: &'a [&'a str],
    max_retries: u32,
    phase: Phase,
    attempt: u32,
    attempt_time: UnixTime,
    jitter: u32,
    response_body: Option<&'a mut [u8]>,
    response_body_len: usize,
    params: Option<&'a (dyn Any + 'static)>,
    data: Option<&'a mut (dyn Any + 'static)>,
    context: Option<Context<'a>>,
}

/// A context made of parts that handlers look up by type.
///
/// `Any` only holds `'static` types, so a context that borrows — a client that borrows its
/// session — hands out its `'static` parts (its own configuration, the session) one by one
/// instead. [`Request::context`] searches them.
pub trait ContextParts {
    /// The part whose type is `type_id`, if there is one.
    fn part(&self, type_id: TypeId) -> Option<&(dyn Any + 'static)>;
}

/// What [`Request::set_context`] and [`Request::set_context_parts`] store.
#[derive(Clone, Copy)]
enum Context<'a> {
    Value(&'a (dyn Any + 'static)),
    Parts(&'a (dyn ContextParts + 'a)),
}

impl<'a> Request<'a> {
    /// A request for `operation` with an empty HTTP request and [`DEFAULT_MAX_RETRIES`].
    ///
    /// A `const fn` that builds the request in place: prefer it (and the setters) over
    /// [`Request::with_http`] on small stacks, where moving a built `HttpRequest` in costs a copy.
    pub const fn new(operation: &'static str) -> Self {
        Request {
            operation,
            http: HttpRequest::empty(),
            response: ResponseHead::new(),
            error: None,
            retryable: None,
            retry_delay_ms: 0,
            retry_count: 0,
            credentials_expired: false,
            retry_error_codes: &[],
            throttle_error_codes: &[],
            max_retries: DEFAULT_MAX_RETRIES,
            phase: Phase::Validate,
            attempt: 0,
            attempt_time: UnixTime::from_secs(0),
            jitter: 0,
            response_body: None,
            response_body_len: 0,
            params: None,
            data: None,
            context: None,
        }
    }

    /// A request for `operation` starting from `http`.
    pub fn with_http(operation: &'static str, http: HttpRequest<'a>) -> Self {
        let mut request = Self::new(operation);
        request.http = http;
        request
    }

    /// The operation name (`GetCallerIdentity`, `PutObject`, …).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// Retries allowed (Go v1 `r.MaxRetries()`), at most `MAX_ATTEMPTS - 1`.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Sets the retries allowed; values above `MAX_ATTEMPTS - 1` are lowered to it. Returns the
    /// value kept.
    pub fn set_max_retries(&mut self, retries: u32) -> u32 {
        self.max_retries = retries.min(MAX_ATTEMPTS.saturating_sub(1));
        self.max_retries
    }

    /// The phase whose handlers are running (or ran last).
    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub(super) fn set_phase(&mut self, phase: Phase) {
        self.phase = phase;
    }

    /// The current attempt, from 1 (0 before the first attempt started).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The clock reading of the current attempt (Go v1 `r.AttemptTime`), for signing.
    pub fn attempt_time(&self) -> UnixTime {
        self.attempt_time
    }

    /// The random number the driver drew for this attempt (retry jitter).
    pub fn jitter(&self) -> u32 {
        self.jitter
    }

    pub(super) fn begin_attempt(&mut self, now: UnixTime, jitter: u32) {
        self.attempt = self.attempt.saturating_add(1);
        self.attempt_time = now;
        self.jitter = jitter;
    }

    pub(super) fn reset_for_attempt(&mut self) {
        self.error = None;
        self.retryable = None;
        self.retry_delay_ms = 0;
        self.response.clear();
        self.response_body_len = 0;
    }

    /// Fails the request with `code` in the current phase (sets [`Request::error`]).
    pub fn fail(&mut self, code: &'static str) {
        self.error = Some(RequestError::Handler {
            phase: self.phase,
            code,
        });
    }

    /// Gives the driver a buffer for the response body; the body of every response is read into it
    /// before Unmarshal/UnmarshalError run. Without one the body stays in the transport and the
    /// caller streams it after the pipeline finished (Go v1 streaming outputs).
    pub fn set_response_buffer(&mut self, buf: &'a mut [u8]) {
        self.response_body = Some(buf);
        self.response_body_len = 0;
    }

    /// Puts `body` into the response buffer as the response's body: for a handler that answers
    /// in place of the exchange ([`SEND`](super::SEND) swapped for a mock). It sets the status
    /// and headers through [`Request::response`].
    ///
    /// # Errors
    /// [`HttpError::Capacity`] (part [`HttpPart::ResponseBody`]) when the body does not fit the
    /// buffer, or there is no buffer (limit 0); the body is then unchanged.
    pub fn set_response_body(&mut self, body: &[u8]) -> Result<(), HttpError> {
        let too_big = HttpError::Capacity {
            part: HttpPart::ResponseBody,
            limit: self.response_body.as_deref().map_or(0, <[u8]>::len),
            needed: body.len(),
        };
        let slot = self
            .response_body
            .as_deref_mut()
            .and_then(|b| b.get_mut(..body.len()))
            .ok_or(too_big)?;
        slot.copy_from_slice(body);
        self.response_body_len = body.len();
        Ok(())
    }

    /// The response body read so far (empty without a buffer).
    pub fn response_body(&self) -> &[u8] {
        self.response_body
            .as_deref()
            .and_then(|b| b.get(..self.response_body_len))
            .unwrap_or(&[])
    }

    /// The error answer of the last attempt, decoded (code, message, request id) from its headers
    /// and the body in the response buffer by [`decode_error`]; `None` without a response or
    /// for a 2xx. [`RequestError::Service`] keeps only the code; this gives the rest, for
    /// showing the error.
    pub fn service_error(
        &self,
        protocol: Option<Protocol>,
    ) -> Option<Result<ServiceError, DecodeError>> {
        let status = self.response.status();
        if status == 0 || self.response.is_success() {
            return None;
        }
        Some(decode_error(
            protocol,
            status,
            self.response.headers(),
            self.response_body(),
        ))
    }

    /// True when a response buffer was given.
    pub fn has_response_buffer(&self) -> bool {
        self.response_body.is_some()
    }

    /// The transport, the response head and the body buffer at once, for drivers.
    pub(super) fn exchange_parts(
        &mut self,
    ) -> (&mut HttpRequest<'a>, &mut ResponseHead, Option<&mut [u8]>) {
        (
            &mut self.http,
            &mut self.response,
            self.response_body.as_deref_mut(),
        )
    }

    pub(super) fn set_response_body_len(&mut self, len: usize) {
        self.response_body_len = len;
    }

    /// Sets the input parameters (Go v1 `r.Params`).
    pub fn set_params(&mut self, params: &'a (dyn Any + 'static)) {
        self.params = Some(params);
    }

    /// The input parameters, if they are a `T`.
    pub fn params<T: Any>(&self) -> Option<&T> {
        self.params?.downcast_ref()
    }

    /// Sets the output the Unmarshal handlers fill (Go v1 `r.Data`).
    pub fn set_data(&mut self, data: &'a mut (dyn Any + 'static)) {
        self.data = Some(data);
    }

    /// The output, if it is a `T`.
    pub fn data<T: Any>(&self) -> Option<&T> {
        self.data.as_deref()?.downcast_ref()
    }

    /// The output, to fill, if it is a `T`.
    pub fn data_mut<T: Any>(&mut self) -> Option<&mut T> {
        self.data.as_deref_mut()?.downcast_mut()
    }

    /// Sets what the client knows (resolved config, endpoint, signing name and region,
    /// credential source) for handlers that need it (Go v1 `r.Config`, `r.ClientInfo`).
    pub fn set_context(&mut self, context: &'a (dyn Any + 'static)) {
        self.context = Some(Context::Value(context));
    }

    /// Sets a context made of parts (a client made with `Session::client` sets itself this way:
    /// its `ClientInfo`, its session and its overrides).
    pub fn set_context_parts(&mut self, context: &'a (dyn ContextParts + 'a)) {
        self.context = Some(Context::Parts(context));
    }

    /// The client context, or the part of it, that is a `T`. The reference lives as long as the
    /// request's borrow of the context, not just this call, so a handler may keep it while
    /// changing the request.
    pub fn context<T: Any>(&self) -> Option<&'a T> {
        match self.context? {
            Context::Value(v) => v.downcast_ref(),
            Context::Parts(p) => p.part(TypeId::of::<T>())?.downcast_ref(),
        }
    }
}

impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", &self.operation)
            .field("phase", &self.phase)
            .field("attempt", &self.attempt)
            .field("retry_count", &self.retry_count)
            .field("max_retries", &self.max_retries)
            .field("error", &self.error)
            .field("retryable", &self.retryable)
            .field("http", &self.http)
            .field("response", &self.response)
            .field("response_body_len", &self.response_body_len)
            .finish_non_exhaustive()
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::limits::MAX_ERROR_CODE_LEN;
    use core::fmt::Write;

    selftests! {
        fn error_code_keeps_text_and_refuses_overflow() {
            let c = ErrorCode::new("ThrottlingException").unwrap();
            assert_eq!(c.as_str(), "ThrottlingException");
            let long = [b'x'; MAX_ERROR_CODE_LEN + 1];
            let long = core::str::from_utf8(&long).unwrap();
            assert_eq!(
                ErrorCode::new(long),
                Err(ErrorCodeTooLong { len: MAX_ERROR_CODE_LEN + 1, limit: MAX_ERROR_CODE_LEN })
            );
            assert_eq!(ErrorCode::new(&long[..MAX_ERROR_CODE_LEN]).unwrap().as_str().len(), MAX_ERROR_CODE_LEN);
        }

        fn request_error_codes_and_messages() {
            let e = RequestError::Service { status: 400, code: ErrorCode::new("ExpiredToken").unwrap() };
            assert_eq!(e.code(), "ExpiredToken");
            assert_eq!(e.status(), Some(400));
            let mut s = heapless::String::<96>::new();
            write!(s, "{e}").unwrap();
            assert_eq!(s.as_str(), "service error ExpiredToken (HTTP 400)");
            let t = RequestError::Transport { stage: TransportStage::Finish, kind: ErrorKind::TimedOut };
            assert_eq!(t.code(), "RequestError");
            s.clear();
            write!(s, "{t}").unwrap();
            assert_eq!(s.as_str(), "transport failed while reading the response head: timed out");
            assert_eq!(RequestError::Status { status: 503 }.code(), "UnknownError");
        }

        fn fail_records_current_phase() {
            let mut r = Request::new("GetCallerIdentity");
            r.set_phase(Phase::Build);
            r.fail("SerializationError");
            assert_eq!(r.error, Some(RequestError::Handler { phase: Phase::Build, code: "SerializationError" }));
            assert_eq!(r.operation(), "GetCallerIdentity");
        }

        fn max_retries_capped_by_max_attempts() {
            let mut r = Request::new("Op");
            assert_eq!(r.max_retries(), DEFAULT_MAX_RETRIES);
            assert_eq!(r.set_max_retries(1000), MAX_ATTEMPTS - 1);
            assert_eq!(r.set_max_retries(0), 0);
        }

        fn typed_slots_downcast() {
            struct Params { bucket: &'static str }
            let p = Params { bucket: "b" };
            let ctx: u32 = 7;
            let mut out: heapless::Vec<u8, 4> = heapless::Vec::new();
            {
                let mut r = Request::new("Op");
                r.set_params(&p);
                r.set_context(&ctx);
                r.set_data(&mut out);
                assert_eq!(r.params::<Params>().map(|p| p.bucket), Some("b"));
                assert!(r.params::<u32>().is_none());
                assert_eq!(r.context::<u32>(), Some(&7));
                struct Two(u32, &'static str);
                impl ContextParts for Two {
                    fn part(&self, id: TypeId) -> Option<&(dyn Any + 'static)> {
                        if id == TypeId::of::<u32>() { Some(&self.0) } else if id == TypeId::of::<&'static str>() { Some(&self.1) } else { None }
                    }
                }
                let two = Two(8, "s");
                r.set_context_parts(&two);
                assert_eq!((r.context::<u32>(), r.context::<&str>(), r.context::<u8>()), (Some(&8), Some(&"s"), None));
                r.data_mut::<heapless::Vec<u8, 4>>().unwrap().push(1).unwrap();
                assert!(r.data_mut::<u32>().is_none());
                assert_eq!(r.data::<heapless::Vec<u8, 4>>().map(|v| v.len()), Some(1));
            }
            assert_eq!(out.as_slice(), &[1]);
        }

        fn service_error_decodes_the_last_answer() {
            let mut buf = [0u8; 96];
            let mut r = Request::new("Op");
            assert!(r.service_error(None).is_none(), "no response yet");
            r.set_response_buffer(&mut buf);
            let body = b"<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>";
            if let (_, head, Some(b)) = r.exchange_parts() {
                head.set_status(404);
                b[..body.len()].copy_from_slice(body);
            }
            r.set_response_body_len(body.len());
            let e = r.service_error(Some(Protocol::RestXml)).unwrap().unwrap();
            assert_eq!((e.status, e.code.as_str(), e.message.as_str()), (404, "NoSuchKey", "gone"));
            r.response.set_status(200);
            assert!(r.service_error(None).is_none());
        }

        fn response_buffer_view() {
            let mut buf = [0u8; 8];
            let mut r = Request::new("Op");
            assert!(!r.has_response_buffer());
            assert_eq!(r.response_body(), b"");
            r.set_response_buffer(&mut buf);
            if let (_, _, Some(b)) = r.exchange_parts() {
                b[..3].copy_from_slice(b"abc");
            }
            r.set_response_body_len(3);
            assert_eq!(r.response_body(), b"abc");
            r.reset_for_attempt();
            assert_eq!(r.response_body(), b"");
        }
    }
}
