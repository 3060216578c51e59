//! Handler dispatch: the 14 Go v1 handler lists and the request pipeline that runs them.
//!
//! A [`Handlers`] value holds one [`HandlerList`] per [`Phase`]. Each list is an ordered,
//! fixed-capacity sequence of [`NamedHandler`]s — a `'static` name plus a [`Handler`], which is a
//! plain function pointer or a `&'static dyn` [`RequestHandler`] — with the Go v1 list operations
//! (`push_back`, `push_front_named`, `remove_by_name`, `swap_named`, `set_back_named`, …). Nothing is
//! allocated; a full list refuses a push with a [`ListFullError`] naming the list and the limit.
//!
//! [`Handlers`] is `Send + Sync` and cheap to copy (`Handlers::copy`), so a session keeps one set,
//! each client starts from a copy, and many threads may run requests against the same `&Handlers`.
//!
//! # One request, phase by phase
//!
//! [`Pipeline`] runs one [`Request`] in the Go v1 order (`request.Request.Send`). Handlers see and
//! change the request through `&mut Request`; a handler reports failure by setting
//! [`Request::error`] (usually with [`Request::fail`]).
//!
//! | phase | when it runs | what it sees and changes | what an error does |
//! |---|---|---|---|
//! | [`Phase::Validate`] | once, first (attempt 1, after the clock is read) | parameters ([`Request::params`]), the client context; checks region, endpoint and inputs | stops the list at once (stop-on-error policy), then only `Complete` runs |
//! | [`Phase::Build`] | once, after Validate | fills in the HTTP request: method, host, target, headers, body | stops the list at once, then only `Complete` runs |
//! | [`Phase::BuildStream`] | never by the pipeline (as in Go v1, event-stream code runs it) | — | — |
//! | [`Phase::Sign`] | every attempt, before Send; [`Request::attempt_time`] is this attempt's clock reading | sets `Content-Length` and signing headers (`Authorization`, `X-Amz-Date`, …) | the request ends without sending: no `CompleteAttempt`, no retry, then `Complete` |
//! | [`Phase::Send`] | every attempt, after Sign; the list holds [`SEND`] (`core.SendHandler`), where the driver's I/O happens | handlers in front of [`SEND`] see the outgoing request (response fields empty); handlers behind it see the response, or the transport's error in [`Request::error`] | an error in front of [`SEND`] skips the I/O; any error fails the attempt (may be retried) |
//! | *I/O* ([`SEND`]) | the driver performs the exchange ([`Step::Exchange`]); with [`SEND`] swapped for a handler of the caller's, that handler answers instead and nothing is sent | writes [`HttpRequest`](crate::http::HttpRequest), fills [`Request::response`] and the response body buffer | a transport error fails the attempt (may be retried) |
//! | [`Phase::UnmarshalMeta`] | after a response arrived, before ValidateResponse | response status and headers (request ids) | recorded; ValidateResponse still runs |
//! | [`Phase::ValidateResponse`] | after UnmarshalMeta | decides whether the response is a failure (`core.ValidateResponseHandler`: status 0 or ≥ 300) | `UnmarshalError` runs instead of `Unmarshal` |
//! | [`Phase::Unmarshal`] | after a successful ValidateResponse | response body ([`Request::response_body`]); writes outputs into [`Request::data`] | the attempt fails (may be retried) |
//! | [`Phase::UnmarshalError`] | after a failed ValidateResponse | the error body; replaces the placeholder error with the service's code ([`RequestError::Service`]) | its error is the attempt's error |
//! | [`Phase::UnmarshalStream`] | never by the pipeline (event streams) | — | — |
//! | [`Phase::CompleteAttempt`] | after every attempt that reached Send, success or not | the attempt's outcome | recorded as the attempt's error |
//! | [`Phase::Retry`] | after a failed attempt | the error; may set [`Request::retryable`] to force a decision | recorded |
//! | [`Phase::AfterRetry`] | after Retry | decides: `core.AfterRetryHandler` sets `retryable`, [`Request::retry_delay_ms`], `retry_count`, and clears the error to retry | a remaining error, or `retryable != Some(true)`, ends the request |
//! | [`Phase::Complete`] | exactly once at the end, whatever happened — even when Validate failed | the final request and error | the final error |
//!
//! Every list except Validate and Build runs all its handlers even after one sets an error (the
//! Go v1 default); Validate and Build use [`AfterEach::StopOnError`].
//!
//! The pipeline never performs I/O, reads a clock or sleeps: it returns a [`Step`] telling its
//! driver what to do and takes the outcome back as an [`Event`]. [`run_blocking`] and
//! [`run_async`] are the two drivers; [`Pipeline`] explains how to write another.

pub(crate) mod driver;
pub(crate) mod list;
pub(crate) mod pipeline;
pub(crate) mod request;
pub mod retry;

use core::fmt;

pub use driver::{
    exchange, exchange_async, run_async, run_async_gated, run_blocking, run_blocking_gated,
    AsyncAttemptGate, AttemptGate, Gated, NoGate, ResponseBodyReader, TransportIoError,
};
pub use list::{AfterEach, HandlerList, ListFullError, RunItem, ANONYMOUS};
pub use pipeline::{Event, Pipeline, Step};
pub use request::{
    ContextParts, ErrorCode, ErrorCodeTooLong, Request, RequestError, TransportStage,
};

use crate::limits::MAX_HANDLERS_PER_LIST;

/// The 14 Go v1 handler lists, in the order Go v1 declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Phase {
    /// Checks the request before anything is built (once).
    Validate,
    /// Builds the HTTP request (once).
    Build,
    /// Builds an event stream (not run by the pipeline).
    BuildStream,
    /// Signs each attempt.
    Sign,
    /// Runs just before each attempt's I/O.
    Send,
    /// Decides whether a response is a failure.
    ValidateResponse,
    /// Reads a successful response.
    Unmarshal,
    /// Reads an event stream (not run by the pipeline).
    UnmarshalStream,
    /// Reads response metadata (request id) before validation.
    UnmarshalMeta,
    /// Reads a failed response's error.
    UnmarshalError,
    /// Classifies a failed attempt.
    Retry,
    /// Decides whether to retry and how long to wait.
    AfterRetry,
    /// Runs after every attempt.
    CompleteAttempt,
    /// Runs once at the very end.
    Complete,
}

impl Phase {
    /// Every phase, in Go v1 declaration order.
    pub const ALL: [Phase; 14] = [
        Phase::Validate,
        Phase::Build,
        Phase::BuildStream,
        Phase::Sign,
        Phase::Send,
        Phase::ValidateResponse,
        Phase::Unmarshal,
        Phase::UnmarshalStream,
        Phase::UnmarshalMeta,
        Phase::UnmarshalError,
        Phase::Retry,
        Phase::AfterRetry,
        Phase::CompleteAttempt,
        Phase::Complete,
    ];

    /// The Go v1 field name (`"Validate"`, `"UnmarshalMeta"`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Phase::Validate => "Validate",
            Phase::Build => "Build",
            Phase::BuildStream => "BuildStream",
            Phase::Sign => "Sign",
            Phase::Send => "Send",
            Phase::ValidateResponse => "ValidateResponse",
            Phase::Unmarshal => "Unmarshal",
            Phase::UnmarshalStream => "UnmarshalStream",
            Phase::UnmarshalMeta => "UnmarshalMeta",
            Phase::UnmarshalError => "UnmarshalError",
            Phase::Retry => "Retry",
            Phase::AfterRetry => "AfterRetry",
            Phase::CompleteAttempt => "CompleteAttempt",
            Phase::Complete => "Complete",
        }
    }

    /// The Go v1 default after-each policy: stop on the first error for Validate and Build, run
    /// every handler elsewhere.
    pub const fn default_after_each(self) -> AfterEach {
        match self {
            Phase::Validate | Phase::Build => AfterEach::StopOnError,
            _ => AfterEach::RunAll,
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A handler that carries state (a counter, a reference to a credential cache, a logger).
///
/// It is shared by every thread running requests, hence `Sync`; keep mutable state in atomics or
/// a critical-section mutex.
pub trait RequestHandler: Sync {
    /// Runs the handler on `request`.
    fn handle(&self, request: &mut Request<'_>);
}

/// The code a handler runs: a function pointer or a `'static` trait object. Both are `Copy`, so
/// lists copy without allocating.
#[derive(Clone, Copy)]
pub enum Handler {
    /// A plain function.
    Fn(fn(&mut Request<'_>)),
    /// A shared object with state.
    Dyn(&'static dyn RequestHandler),
}

impl Handler {
    /// Runs the handler (the exchange of [`SEND`] only means something to the [`Pipeline`]).
    pub fn call(&self, request: &mut Request<'_>) {
        match self {
            Handler::Fn(f) => f(request),
            Handler::Dyn(h) => h.handle(request),
        }
    }

    /// True for the HTTP exchange of [`SEND`] (Go v1 `core.SendHandler`): where the
    /// [`Pipeline`] reaches this entry of the Send list, it hands the request to its driver
    /// ([`Step::Exchange`]) and runs the handlers after it once the response (or the transport's
    /// error) is in.
    pub fn is_exchange(&self) -> bool {
        match self {
            Handler::Fn(_) => false,
            Handler::Dyn(h) => core::ptr::addr_eq(*h as *const dyn RequestHandler, &EXCHANGE),
        }
    }
}

impl fmt::Debug for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            _ if self.is_exchange() => "Exchange",
            Handler::Fn(_) => "Fn",
            Handler::Dyn(_) => "Dyn",
        })
    }
}

/// The marker behind [`SEND`]: the pipeline knows it by its address (a static with a byte in
/// it, so no other object shares the address), which keeps [`Handler`] two words wide.
struct Exchange {
    _unique: u8,
}

impl RequestHandler for Exchange {
    fn handle(&self, _request: &mut Request<'_>) {}
}

static EXCHANGE: Exchange = Exchange { _unique: 0 };

/// Go v1 `core.SendHandler`: the HTTP exchange, performed by the pipeline's driver when the Send
/// list reaches it ([`Handler::is_exchange`]). Handlers in front of it see the signed request;
/// handlers behind it see the response (or the transport's error in [`Request::error`]).
/// Replace it to mock HTTP: `handlers.send.swap(SEND.name, NamedHandler::new("test.Mock",
/// answer))`, where `answer` fills [`Request::response`] and [`Request::set_response_body`].
pub const SEND: NamedHandler = NamedHandler::with_dyn("core.SendHandler", &EXCHANGE);

/// A handler with a name. Names need not be unique; operations by name affect every entry with
/// that name (as in Go v1).
#[derive(Clone, Copy)]
pub struct NamedHandler {
    /// The name (Go v1 uses `"core.SendHandler"`-style names).
    pub name: &'static str,
    /// The code.
    pub handler: Handler,
}

impl NamedHandler {
    /// A named function handler.
    pub const fn new(name: &'static str, f: fn(&mut Request<'_>)) -> Self {
        NamedHandler {
            name,
            handler: Handler::Fn(f),
        }
    }

    /// A named trait-object handler.
    pub const fn with_dyn(name: &'static str, h: &'static dyn RequestHandler) -> Self {
        NamedHandler {
            name,
            handler: Handler::Dyn(h),
        }
    }
}

impl fmt::Debug for NamedHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({:?})", self.name, self.handler)
    }
}

/// The 14 handler lists of a session, client or request (Go v1 `request.Handlers`).
///
/// Fields are public, as in Go v1: `handlers.validate.push_back_named(...)`. Copy with
/// [`Handlers::copy`]; changing a copy never changes the original.
#[derive(Debug)]
pub struct Handlers {
    /// [`Phase::Validate`].
    pub validate: HandlerList,
    /// [`Phase::Build`].
    pub build: HandlerList,
    /// [`Phase::BuildStream`].
    pub build_stream: HandlerList,
    /// [`Phase::Sign`].
    pub sign: HandlerList,
    /// [`Phase::Send`].
    pub send: HandlerList,
    /// [`Phase::ValidateResponse`].
    pub validate_response: HandlerList,
    /// [`Phase::Unmarshal`].
    pub unmarshal: HandlerList,
    /// [`Phase::UnmarshalStream`].
    pub unmarshal_stream: HandlerList,
    /// [`Phase::UnmarshalMeta`].
    pub unmarshal_meta: HandlerList,
    /// [`Phase::UnmarshalError`].
    pub unmarshal_error: HandlerList,
    /// [`Phase::Retry`].
    pub retry: HandlerList,
    /// [`Phase::AfterRetry`].
    pub after_retry: HandlerList,
    /// [`Phase::CompleteAttempt`].
    pub complete_attempt: HandlerList,
    /// [`Phase::Complete`].
    pub complete: HandlerList,
}

// `Handlers` is shared by every thread that runs requests: keep it `Send + Sync` by construction.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Handlers>();
    shared::<NamedHandler>();
};

impl Clone for Handlers {
    fn clone(&self) -> Self {
        let mut copy = Handlers::new();
        copy.clone_from(self);
        copy
    }

    /// List by list, in place: the lists are about 2 KiB together, too much for a temporary on a
    /// small stack.
    fn clone_from(&mut self, source: &Self) {
        for phase in Phase::ALL {
            self.list_mut(phase).clone_from(source.list(phase));
        }
    }
}

impl Default for Handlers {
    fn default() -> Self {
        Self::new()
    }
}

impl Handlers {
    /// Fourteen empty lists with the Go v1 after-each policies.
    pub const fn new() -> Self {
        Handlers {
            validate: HandlerList::new(Phase::Validate),
            build: HandlerList::new(Phase::Build),
            build_stream: HandlerList::new(Phase::BuildStream),
            sign: HandlerList::new(Phase::Sign),
            send: HandlerList::new(Phase::Send),
            validate_response: HandlerList::new(Phase::ValidateResponse),
            unmarshal: HandlerList::new(Phase::Unmarshal),
            unmarshal_stream: HandlerList::new(Phase::UnmarshalStream),
            unmarshal_meta: HandlerList::new(Phase::UnmarshalMeta),
            unmarshal_error: HandlerList::new(Phase::UnmarshalError),
            retry: HandlerList::new(Phase::Retry),
            after_retry: HandlerList::new(Phase::AfterRetry),
            complete_attempt: HandlerList::new(Phase::CompleteAttempt),
            complete: HandlerList::new(Phase::Complete),
        }
    }

    /// The handlers core provides for every request, as in Go v1 `defaults.Handlers()` minus what
    /// needs a session: `core.BuildContentLengthHandler` (Sign), [`SEND`] (Send),
    /// `core.ValidateResponseHandler` (ValidateResponse) and `core.AfterRetryHandler`
    /// (AfterRetry). [`crate::session::add_default_handlers`] adds the session's validation,
    /// user-agent and clock-skew handlers; a client adds its signer and error decoder.
    ///
    /// # Errors
    /// Never with the default capacity; the `Result` keeps the no-panic rule.
    pub fn with_core_defaults() -> Result<Self, ListFullError> {
        let mut h = Self::new();
        h.add_core_defaults()?;
        Ok(h)
    }

    /// Appends the core handlers of [`Handlers::with_core_defaults`] to these lists, in place (no
    /// 2 KiB temporary on the stack).
    ///
    /// # Errors
    /// [`ListFullError`] when a list has no room; lists filled before the failing one keep their
    /// new handler.
    pub fn add_core_defaults(&mut self) -> Result<(), ListFullError> {
        self.sign.push_back_named(retry::BUILD_CONTENT_LENGTH)?;
        self.send.push_back_named(SEND)?;
        self.validate_response
            .push_back_named(retry::VALIDATE_RESPONSE)?;
        self.after_retry.push_back_named(retry::AFTER_RETRY)?;
        Ok(())
    }

    /// A copy with its own lists (Go v1 `Handlers.Copy`). Pushing to the copy leaves `self` as it
    /// is. Unlike Go v1, which moves its parameter validator to the end of Validate on a copy, the
    /// order of every list is kept exactly (`docs/divergences.md`, H1).
    pub fn copy(&self) -> Self {
        self.clone()
    }

    /// Empties every list (policies are kept).
    pub fn clear(&mut self) {
        for phase in Phase::ALL {
            self.list_mut(phase).clear();
        }
    }

    /// True when every list is empty.
    pub fn is_empty(&self) -> bool {
        Phase::ALL.iter().all(|p| self.list(*p).is_empty())
    }

    /// The list of `phase`.
    pub fn list(&self, phase: Phase) -> &HandlerList {
        match phase {
            Phase::Validate => &self.validate,
            Phase::Build => &self.build,
            Phase::BuildStream => &self.build_stream,
            Phase::Sign => &self.sign,
            Phase::Send => &self.send,
            Phase::ValidateResponse => &self.validate_response,
            Phase::Unmarshal => &self.unmarshal,
            Phase::UnmarshalStream => &self.unmarshal_stream,
            Phase::UnmarshalMeta => &self.unmarshal_meta,
            Phase::UnmarshalError => &self.unmarshal_error,
            Phase::Retry => &self.retry,
            Phase::AfterRetry => &self.after_retry,
            Phase::CompleteAttempt => &self.complete_attempt,
            Phase::Complete => &self.complete,
        }
    }

    /// The list of `phase`, to change.
    pub fn list_mut(&mut self, phase: Phase) -> &mut HandlerList {
        match phase {
            Phase::Validate => &mut self.validate,
            Phase::Build => &mut self.build,
            Phase::BuildStream => &mut self.build_stream,
            Phase::Sign => &mut self.sign,
            Phase::Send => &mut self.send,
            Phase::ValidateResponse => &mut self.validate_response,
            Phase::Unmarshal => &mut self.unmarshal,
            Phase::UnmarshalStream => &mut self.unmarshal_stream,
            Phase::UnmarshalMeta => &mut self.unmarshal_meta,
            Phase::UnmarshalError => &mut self.unmarshal_error,
            Phase::Retry => &mut self.retry,
            Phase::AfterRetry => &mut self.after_retry,
            Phase::CompleteAttempt => &mut self.complete_attempt,
            Phase::Complete => &mut self.complete,
        }
    }

    /// Runs the list of `phase` on `request`, setting [`Request::phase`] first.
    pub fn run(&self, phase: Phase, request: &mut Request<'_>) {
        request.set_phase(phase);
        self.list(phase).run(request);
    }

    /// Handlers per list (the capacity every list has).
    pub const fn capacity() -> usize {
        MAX_HANDLERS_PER_LIST
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    fn nop(_: &mut Request<'_>) {}

    selftests! {
        fn fourteen_lists_in_go_order() {
            let h = Handlers::new();
            assert_eq!(Phase::ALL.len(), 14);
            for p in Phase::ALL {
                assert_eq!(h.list(p).phase(), p);
            }
            assert_eq!(Phase::ALL[0].name(), "Validate");
            assert_eq!(Phase::ALL[13].name(), "Complete");
            assert_eq!(h.validate.after_each(), AfterEach::StopOnError);
            assert_eq!(h.build.after_each(), AfterEach::StopOnError);
            assert_eq!(h.sign.after_each(), AfterEach::RunAll);
            assert_eq!(h.complete.after_each(), AfterEach::RunAll);
        }

        fn handlers_copy_is_isolated() {
            let mut original = Handlers::new();
            original.validate.push_back_named(NamedHandler::new("a", nop)).unwrap();
            let mut copy = original.copy();
            copy.validate.push_back_named(NamedHandler::new("b", nop)).unwrap();
            copy.complete.push_back(nop).unwrap();
            assert_eq!(original.validate.len(), 1);
            assert_eq!(original.complete.len(), 0);
            assert_eq!(copy.validate.len(), 2);
            copy.validate.remove_by_name("a");
            assert_eq!(original.validate.names().next(), Some("a"));
        }

        fn handlers_clear_and_is_empty() {
            let mut h = Handlers::with_core_defaults().unwrap();
            assert!(!h.is_empty());
            assert_eq!(h.sign.len(), 1);
            assert_eq!(h.send.names().next(), Some(SEND.name));
            assert_eq!(h.validate_response.len(), 1);
            assert_eq!(h.after_retry.len(), 1);
            let total: usize = Phase::ALL.iter().map(|p| h.list(*p).len()).sum();
            assert_eq!(total, 4);
            h.clear();
            assert!(h.is_empty());
            assert_eq!(h.validate.after_each(), AfterEach::StopOnError);
        }

        fn list_mut_reaches_each_field() {
            let mut h = Handlers::new();
            for (i, p) in Phase::ALL.iter().enumerate() {
                for _ in 0..=i % 3 {
                    h.list_mut(*p).push_back(nop).unwrap();
                }
            }
            assert_eq!(h.validate.len(), 1);
            assert_eq!(h.build.len(), 2);
            assert_eq!(h.build_stream.len(), 3);
            assert_eq!(h.complete.len(), 2); // index 13: 13 % 3 + 1
            assert_eq!(Handlers::capacity(), MAX_HANDLERS_PER_LIST);
        }
    }
}
