//! The sans-IO request pipeline (documented on [`Pipeline`]).

use super::{Handlers, Phase, Request, RequestError};
use crate::limits::MAX_ATTEMPTS;
use crate::platform::ErrorKind;
use crate::time::UnixTime;

/// What the driver must do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Step {
    /// Read the clock and draw a random number; answer [`Event::AttemptStarted`].
    StartAttempt,
    /// Perform the HTTP exchange; answer [`Event::Exchanged`].
    Exchange,
    /// Wait `millis` milliseconds before the next attempt; answer [`Event::Slept`].
    Sleep {
        /// How long.
        millis: u32,
    },
    /// The request is finished (Complete has run); see [`Pipeline::result`].
    Done,
}

/// What happened since the last [`Step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Event {
    /// The first event: begin.
    Start,
    /// The answer to [`Step::StartAttempt`].
    AttemptStarted {
        /// The clock reading, or why it failed.
        now: Result<UnixTime, ErrorKind>,
        /// A fresh random number for retry jitter.
        random: u32,
    },
    /// The answer to [`Step::Exchange`]: `Ok` when a response head (and, with a buffer, the body)
    /// arrived, whatever its status.
    Exchanged(Result<(), RequestError>),
    /// The answer to [`Step::Sleep`].
    Slept,
    /// The answer to [`Step::StartAttempt`] when the driver could not start the attempt (its
    /// credentials could not be obtained): the request ends with this error.
    NotStarted(RequestError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    New,
    AwaitAttempt,
    AwaitExchange,
    AwaitSleep,
    Done,
}

/// The sans-IO request pipeline: one request, run through the handler lists in Go v1 order.
///
/// A `Pipeline` is a state machine. It never touches a socket, a clock or a timer: each call to
/// [`Pipeline::step`] takes the outcome of the previous [`Step`] as an [`Event`], runs the handler
/// lists that can run now, and returns the next thing its driver must do.
///
/// ```text
/// Start ──► StartAttempt ──(AttemptStarted{now, random})──► [Validate, Build once] Sign, Send
///                ▲                                               │
///                │                                       Exchange ──(Exchanged(result))──►
///                │            UnmarshalMeta, ValidateResponse, Unmarshal | UnmarshalError,
///                │            CompleteAttempt; on failure Retry, AfterRetry
///                └──── (Slept) ◄── Sleep{millis} ◄── retry ──┘         └─ done ─► Complete ─► Done
/// ```
///
/// # Writing a driver
///
/// A driver loops: start with [`Event::Start`], and answer each step —
///
/// * [`Step::StartAttempt`]: read the clock once, draw one random `u32`, answer
///   [`Event::AttemptStarted`];
/// * [`Step::Exchange`]: perform the HTTP exchange for [`Pipeline::request_mut`] (the helpers
///   [`exchange`](super::exchange) / [`exchange_async`](super::exchange_async) do it), answer
///   [`Event::Exchanged`];
/// * [`Step::Sleep`]: wait that long (a blocking sleep, or `Timer::after(..).await` on embassy),
///   answer [`Event::Slept`];
/// * [`Step::Done`]: stop; [`Pipeline::result`] is the outcome.
///
/// [`run_blocking`](super::run_blocking) and [`run_async`](super::run_async) are exactly this loop;
/// an async driver differs from the blocking one only by the `.await`s on the exchange and the
/// sleep, so neither adapter holds any pipeline logic. Answering a step with the wrong event ends the
/// request with [`RequestError::DriverMisuse`] (and `Complete` still runs once).
///
/// # Invariants
///
/// * Validate and Build run at most once; each stops at its first error.
/// * Complete runs exactly once: at the end of every path, including a Validate failure, a driver
///   mistake, and a pipeline dropped before it finished (which ends with
///   [`RequestError::Canceled`]).
/// * CompleteAttempt runs once after every attempt that reached the Send phase; like Go v1, an
///   attempt that fails in Sign ends the request without CompleteAttempt or retry.
/// * At most `1 + max_retries` attempts, and never more than [`MAX_ATTEMPTS`], whatever the
///   AfterRetry handlers decide.
#[derive(Debug)]
pub struct Pipeline<'p, 'a> {
    handlers: &'p Handlers,
    request: &'p mut Request<'a>,
    state: State,
    built: bool,
    attempts: u32,
    /// Where the Send list goes on after the exchange: the index after its [`SEND`] entry.
    ///
    /// [`SEND`]: super::SEND
    send_resume: usize,
}

impl<'p, 'a> Pipeline<'p, 'a> {
    /// A pipeline that will run `request` through `handlers`. Nothing runs until the first
    /// [`Pipeline::step`] with [`Event::Start`].
    pub fn new(handlers: &'p Handlers, request: &'p mut Request<'a>) -> Self {
        Pipeline {
            handlers,
            request,
            state: State::New,
            built: false,
            attempts: 0,
            send_resume: 0,
        }
    }

    /// The request.
    pub fn request(&self) -> &Request<'a> {
        self.request
    }

    /// The request, for the driver's exchange.
    pub fn request_mut(&mut self) -> &mut Request<'a> {
        self.request
    }

    /// Attempts started so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// True once Complete has run.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The outcome: `Ok` when the request ended without an error.
    ///
    /// # Errors
    /// The request's final error (also before the pipeline finished, if one is set).
    pub fn result(&self) -> Result<(), RequestError> {
        self.request.error.map_or(Ok(()), Err)
    }

    /// Advances the state machine with `event` and returns what the driver must do next.
    pub fn step(&mut self, event: Event) -> Step {
        match (self.state, event) {
            (State::Done, _) => Step::Done,
            (State::New, Event::Start) => {
                // Go v1: an error recorded while making the request ends it before Validate.
                if self.request.error.is_some() {
                    return self.finish();
                }
                self.state = State::AwaitAttempt;
                Step::StartAttempt
            }
            (State::AwaitAttempt, Event::AttemptStarted { now, random }) => {
                self.attempt(now, random)
            }
            (State::AwaitAttempt, Event::NotStarted(error)) => {
                self.request.error = Some(error);
                self.finish()
            }
            (State::AwaitExchange, Event::Exchanged(result)) => self.after_exchange(result),
            (State::AwaitSleep, Event::Slept) => {
                self.state = State::AwaitAttempt;
                Step::StartAttempt
            }
            _ => {
                warn!("pipeline: driver answered with the wrong event");
                self.request.error = Some(RequestError::DriverMisuse);
                self.finish()
            }
        }
    }

    fn run(&mut self, phase: Phase) {
        self.handlers.run(phase, self.request);
    }

    fn failed(&self) -> bool {
        self.request.error.is_some()
    }

    fn attempt(&mut self, now: Result<UnixTime, ErrorKind>, random: u32) -> Step {
        let now = match now {
            Ok(now) => now,
            Err(kind) => {
                self.request.error = Some(RequestError::Clock(kind));
                return self.finish();
            }
        };
        self.request.reset_for_attempt();
        self.request.begin_attempt(now, random);
        self.attempts = self.attempts.saturating_add(1);
        trace!("pipeline: attempt {}", self.attempts);

        if !self.built {
            self.run(Phase::Validate);
            if self.failed() {
                return self.finish();
            }
            self.run(Phase::Build);
            if self.failed() {
                return self.finish();
            }
            self.built = true;
        }
        self.run(Phase::Sign);
        if self.failed() {
            return self.finish();
        }
        self.request.set_phase(Phase::Send);
        match self.handlers.send.run_to_exchange(0, self.request) {
            Some(at) if !self.failed() => {
                self.send_resume = at.saturating_add(1);
                self.state = State::AwaitExchange;
                Step::Exchange
            }
            // A Send handler in front of the exchange failed: no I/O; the rest of Send still
            // runs (Go v1 runs every Send handler).
            Some(at) => {
                self.send_rest(at.saturating_add(1));
                self.attempt_failed()
            }
            // No exchange in the list (swapped for a mock, or removed): the handlers answered.
            None => self.after_send(),
        }
    }

    /// Runs the Send handlers from `from` to the end (a second exchange entry is passed over).
    fn send_rest(&mut self, from: usize) {
        let mut next = from;
        while let Some(at) = self.handlers.send.run_to_exchange(next, self.request) {
            next = at.saturating_add(1);
        }
    }

    fn after_exchange(&mut self, result: Result<(), RequestError>) -> Step {
        if let Err(e) = result {
            self.request.error = Some(e);
        }
        self.request.set_phase(Phase::Send);
        self.send_rest(self.send_resume);
        self.after_send()
    }

    /// Everything after Send: the response's handlers, or the failed attempt's.
    fn after_send(&mut self) -> Step {
        if self.failed() {
            return self.attempt_failed();
        }
        self.run(Phase::UnmarshalMeta);
        self.run(Phase::ValidateResponse);
        if self.failed() {
            self.run(Phase::UnmarshalError);
            return self.attempt_failed();
        }
        self.run(Phase::Unmarshal);
        if self.failed() {
            return self.attempt_failed();
        }
        self.run(Phase::CompleteAttempt);
        self.finish()
    }

    fn attempt_failed(&mut self) -> Step {
        self.run(Phase::CompleteAttempt);
        let attempt_error = self.request.error;
        self.run(Phase::Retry);
        self.run(Phase::AfterRetry);
        let retry = self.request.error.is_none() && self.request.retryable == Some(true);
        if !retry {
            return self.finish();
        }
        let allowed = self
            .request
            .max_retries()
            .saturating_add(1)
            .min(MAX_ATTEMPTS);
        if self.attempts >= allowed {
            // An AfterRetry handler asked for more attempts than allowed: keep the attempt's error.
            debug!("pipeline: attempt limit {} reached", allowed);
            if self.request.error.is_none() {
                self.request.error = attempt_error;
            }
            return self.finish();
        }
        match self.request.retry_delay_ms {
            0 => {
                self.state = State::AwaitAttempt;
                Step::StartAttempt
            }
            millis => {
                self.state = State::AwaitSleep;
                Step::Sleep { millis }
            }
        }
    }

    fn finish(&mut self) -> Step {
        self.state = State::Done;
        self.run(Phase::Complete);
        Step::Done
    }
}

impl Drop for Pipeline<'_, '_> {
    /// A pipeline abandoned after [`Event::Start`] but before it finished (a cancelled async task,
    /// an early return in a driver) still runs Complete once, with [`RequestError::Canceled`]
    /// unless an error is set. A pipeline that never started runs nothing.
    fn drop(&mut self) {
        if self.state != State::Done && self.state != State::New {
            if self.request.error.is_none() {
                self.request.error = Some(RequestError::Canceled);
            }
            self.finish();
        }
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::handlers::run_async;
    use crate::handlers::{retry, run_blocking, ErrorCode, NamedHandler, TransportStage};
    use crate::test_util::{
        block_on, record_phase, FakeClock, FakeEntropy, FakeTransport, PhaseTrace, RecordingSleep,
        Reply,
    };
    use Phase::*;

    /// Core defaults plus a phase recorder at the front of every list the pipeline runs.
    fn traced(h: &mut Handlers) {
        h.add_core_defaults().unwrap();
        for p in Phase::ALL {
            h.list_mut(p)
                .push_front_named(NamedHandler::new("trace", record_phase))
                .unwrap();
        }
    }

    struct Outcome {
        trace: PhaseTrace,
        result: Result<(), RequestError>,
        sleeps: RecordingSleep,
        exchanges: usize,
        retry_count: u32,
    }

    #[inline(never)]
    fn run_with(h: &Handlers, script: &[Reply], max_retries: u32) -> Outcome {
        let mut trace = PhaseTrace::new();
        let mut transport = FakeTransport::new(script);
        let mut sleeps = RecordingSleep::new();
        let (result, retry_count) = {
            let mut r = Request::new("GetCallerIdentity");
            r.set_max_retries(max_retries);
            r.set_data(&mut trace);
            let result = run_blocking(
                Pipeline::new(h, &mut r),
                &mut transport,
                &FakeClock::at(1_700_000_000),
                &mut sleeps,
                &mut FakeEntropy::new(0),
            );
            (result, r.retry_count)
        };
        Outcome {
            trace,
            result,
            sleeps,
            exchanges: transport.exchanges(),
            retry_count,
        }
    }

    fn fail_validate(r: &mut Request<'_>) {
        r.fail("MissingRegion");
    }

    fn decode_error(r: &mut Request<'_>) {
        let status = r.response.status();
        if let Some(code) = r
            .response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|c| ErrorCode::new(c).ok())
        {
            r.error = Some(RequestError::Service { status, code });
        }
    }

    const ATTEMPT_OK: [Phase; 7] = [
        Sign,
        Send,
        UnmarshalMeta,
        ValidateResponse,
        Unmarshal,
        CompleteAttempt,
        Complete,
    ];

    selftests! {
        fn success_runs_phases_in_go_order() {
            let mut h = Handlers::new();
            traced(&mut h);
            let o = run_with(&h, &[Reply::status(200)], 3);
            assert_eq!(o.result, Ok(()));
            assert_eq!(o.trace.as_slice(), &[Validate, Build, Sign, Send, UnmarshalMeta, ValidateResponse, Unmarshal, CompleteAttempt, Complete]);
            assert_eq!(o.exchanges, 1);
            assert!(o.sleeps.calls().is_empty());
        }

        fn retried_then_successful() {
            let mut h = Handlers::new();
            traced(&mut h);
            let o = run_with(&h, &[Reply::status(503), Reply::status(500), Reply::status(200)], 3);
            assert_eq!(o.result, Ok(()));
            let failed = [Sign, Send, UnmarshalMeta, ValidateResponse, UnmarshalError, CompleteAttempt, Retry, AfterRetry];
            let mut want: heapless::Vec<Phase, 64> = heapless::Vec::new();
            want.extend_from_slice(&[Validate, Build]).unwrap();
            want.extend_from_slice(&failed).unwrap();
            want.extend_from_slice(&failed).unwrap();
            want.extend_from_slice(&ATTEMPT_OK).unwrap();
            assert_eq!(o.trace.as_slice(), want.as_slice());
            assert_eq!(o.exchanges, 3);
            assert_eq!(o.retry_count, 2);
            // 503 throttles (500 ms minimum, first retry); 500 does not (30 ms × 2, second retry).
            assert_eq!(o.sleeps.calls(), &[500, 60]);
        }

        fn error_response_is_not_retried() {
            let mut h = Handlers::new();
            traced(&mut h);
            h.unmarshal_error.push_back_named(NamedHandler::new("decode", decode_error)).unwrap();
            let reply = Reply::with_headers(400, &[("x-amzn-ErrorType", "AccessDenied")], b"{}");
            let o = run_with(&h, &[reply], 3);
            let code = ErrorCode::new("AccessDenied").unwrap();
            assert_eq!(o.result, Err(RequestError::Service { status: 400, code }));
            assert_eq!(o.trace.as_slice(), &[Validate, Build, Sign, Send, UnmarshalMeta, ValidateResponse, UnmarshalError, CompleteAttempt, Retry, AfterRetry, Complete]);
            assert_eq!(o.exchanges, 1);
        }

        fn complete_runs_after_validate_failure() {
            let mut h = Handlers::new();
            traced(&mut h);
            h.validate.push_back_named(NamedHandler::new("core.ValidateEndpointHandler", fail_validate)).unwrap();
            let o = run_with(&h, &[Reply::status(200)], 3);
            assert_eq!(o.result, Err(RequestError::Handler { phase: Validate, code: "MissingRegion" }));
            assert_eq!(o.trace.as_slice(), &[Validate, Complete]);
            assert_eq!(o.exchanges, 0);
        }

        fn validate_stops_at_first_error() {
            fn second(r: &mut Request<'_>) {
                r.fail("ShouldNotRun");
            }
            let mut h = Handlers::new();
            h.validate.push_back_named(NamedHandler::new("first", fail_validate)).unwrap();
            h.validate.push_back_named(NamedHandler::new("second", second)).unwrap();
            let o = run_with(&h, &[Reply::status(200)], 0);
            assert_eq!(o.result, Err(RequestError::Handler { phase: Validate, code: "MissingRegion" }));
        }

        fn build_failure_skips_sign_and_send() {
            fn bad_build(r: &mut Request<'_>) {
                r.fail("SerializationError");
            }
            let mut h = Handlers::new();
            traced(&mut h);
            h.build.push_back(bad_build).unwrap();
            let o = run_with(&h, &[Reply::status(200)], 3);
            assert_eq!(o.trace.as_slice(), &[Validate, Build, Complete]);
            assert_eq!(o.exchanges, 0);
        }

        fn sign_failure_ends_without_attempt_handlers() {
            fn no_creds(r: &mut Request<'_>) {
                r.fail("NoCredentialProviders");
            }
            let mut h = Handlers::new();
            traced(&mut h);
            h.sign.push_back(no_creds).unwrap();
            let o = run_with(&h, &[Reply::status(200)], 3);
            assert_eq!(o.trace.as_slice(), &[Validate, Build, Sign, Complete]);
            assert_eq!(o.result, Err(RequestError::Handler { phase: Sign, code: "NoCredentialProviders" }));
        }

        fn retries_exhausted_keeps_last_error() {
            let mut h = Handlers::new();
            traced(&mut h);
            let o = run_with(&h, &[Reply::status(503); 5], 2);
            assert_eq!(o.result, Err(RequestError::Status { status: 503 }));
            assert_eq!(o.exchanges, 3);
            assert_eq!(o.sleeps.calls(), &[500, 1000]);
            assert_eq!(o.trace.iter().filter(|p| **p == CompleteAttempt).count(), 3);
            assert_eq!(o.trace.iter().filter(|p| **p == Complete).count(), 1);
        }

        fn transport_error_is_retried() {
            let mut h = Handlers::new();
            traced(&mut h);
            let o = run_with(&h, &[Reply::fail(ErrorKind::ConnectionReset), Reply::status(200)], 3);
            assert_eq!(o.result, Ok(()));
            let mut want: heapless::Vec<Phase, 64> = heapless::Vec::new();
            want.extend_from_slice(&[Validate, Build, Sign, Send, CompleteAttempt, Retry, AfterRetry]).unwrap();
            want.extend_from_slice(&ATTEMPT_OK).unwrap();
            assert_eq!(o.trace.as_slice(), want.as_slice());
            let o = run_with(&h, &[Reply::fail(ErrorKind::Tls)], 3);
            assert_eq!(o.result, Err(RequestError::Transport { stage: TransportStage::Begin, kind: ErrorKind::Tls }));
            assert_eq!(o.exchanges, 1);
        }

        fn send_handler_error_skips_io() {
            fn offline(r: &mut Request<'_>) {
                r.fail("RequestError");
            }
            let mut h = Handlers::new();
            traced(&mut h);
            h.send.push_front(offline).unwrap();
            h.after_retry.remove_by_name("core.AfterRetryHandler");
            let o = run_with(&h, &[Reply::status(200)], 3);
            assert_eq!(o.exchanges, 0);
            assert_eq!(o.trace.as_slice(), &[Validate, Build, Sign, Send, CompleteAttempt, Retry, AfterRetry, Complete]);
        }

        fn handlers_behind_send_see_the_response() {
            fn before(r: &mut Request<'_>) {
                if r.response.status() != 0 {
                    r.fail("ResponseTooEarly");
                }
            }
            fn behind(r: &mut Request<'_>) {
                if r.response.status() != 200 {
                    r.fail("NoResponse");
                }
            }
            let mut h = Handlers::new();
            traced(&mut h);
            h.send.push_front(before).unwrap();
            h.send.push_back(behind).unwrap();
            let o = run_with(&h, &[Reply::status(200)], 0);
            assert_eq!(o.result, Ok(()));
            assert_eq!(o.exchanges, 1);
            assert_eq!(o.trace.as_slice(), &[Validate, Build, Sign, Send, UnmarshalMeta, ValidateResponse, Unmarshal, CompleteAttempt, Complete]);
            // A transport error reaches them too, as the attempt's error.
            fn sees_error(r: &mut Request<'_>) {
                if let Some(RequestError::Transport { .. }) = r.error {
                    r.error = Some(RequestError::Handler { phase: Send, code: "SeenBehindSend" });
                }
            }
            let mut h = Handlers::new();
            h.add_core_defaults().unwrap();
            h.send.push_back(sees_error).unwrap();
            let o = run_with(&h, &[Reply::fail(ErrorKind::ConnectionReset)], 0);
            assert_eq!(o.result, Err(RequestError::Handler { phase: Send, code: "SeenBehindSend" }));
        }

        fn send_swapped_for_a_mock_answers_without_io() {
            fn mock(r: &mut Request<'_>) {
                r.response.set_status(200);
                r.response.push_header("x-amzn-RequestId", "mock-1").unwrap();
                r.set_response_body(b"{\"ok\":true}").unwrap();
            }
            fn read(r: &mut Request<'_>) {
                if r.response_body() != b"{\"ok\":true}" {
                    r.fail("BodyNotSeen");
                }
            }
            let mut h = Handlers::new();
            traced(&mut h);
            h.unmarshal.push_back(read).unwrap();
            assert!(h.send.swap(crate::handlers::SEND.name, NamedHandler::new("test.Mock", mock)));
            let mut trace = PhaseTrace::new();
            let mut buf = [0u8; 64];
            let mut r = Request::new("GetCallerIdentity");
            r.set_data(&mut trace);
            r.set_response_buffer(&mut buf);
            let mut transport = FakeTransport::new(&[]);
            let result = run_blocking(Pipeline::new(&h, &mut r), &mut transport, &FakeClock::at(1), &mut RecordingSleep::new(), &mut FakeEntropy::new(0));
            assert_eq!(result, Ok(()));
            assert_eq!(transport.exchanges(), 0);
            assert_eq!(r.response.headers().get("x-amzn-requestid"), Some("mock-1"));
            // A body bigger than the buffer is refused, and the body is left as it was.
            let big = [b'x'; 65];
            assert!(matches!(r.set_response_body(&big), Err(crate::http::HttpError::Capacity { limit: 64, needed: 65, .. })));
            assert_eq!(r.response_body(), b"{\"ok\":true}");
        }

        fn send_removed_means_no_io_and_no_response() {
            let mut h = Handlers::new();
            h.add_core_defaults().unwrap();
            h.send.remove_by_name(crate::handlers::SEND.name);
            let o = run_with(&h, &[Reply::status(200)], 0);
            assert_eq!(o.exchanges, 0);
            assert_eq!(o.result, Err(RequestError::Status { status: 0 }));
        }

        fn no_after_retry_handler_means_no_retry() {
            let mut h = Handlers::new();
            traced(&mut h);
            h.after_retry.remove_by_name("core.AfterRetryHandler");
            let o = run_with(&h, &[Reply::status(503), Reply::status(200)], 3);
            assert_eq!(o.result, Err(RequestError::Status { status: 503 }));
            assert_eq!(o.exchanges, 1);
        }

        fn rogue_after_retry_is_capped() {
            fn always(r: &mut Request<'_>) {
                r.retryable = Some(true);
                r.error = None;
            }
            let mut h = Handlers::new();
            h.add_core_defaults().unwrap();
            h.after_retry.swap("core.AfterRetryHandler", NamedHandler::new("always", always));
            let script = [Reply::status(500); 40];
            let o = run_with(&h, &script, 1000);
            assert_eq!(o.exchanges, MAX_ATTEMPTS as usize);
            assert_eq!(o.result, Err(RequestError::Status { status: 500 }));
            let o = run_with(&h, &script, 2);
            assert_eq!(o.exchanges, 3);
        }

        fn clock_failure_ends_before_validate() {
            let mut h = Handlers::new();
            traced(&mut h);
            let mut trace = PhaseTrace::new();
            {
                let mut r = Request::new("Op");
                r.set_data(&mut trace);
                let script = [Reply::status(200)];
                let result = run_blocking(
                    Pipeline::new(&h, &mut r),
                    &mut FakeTransport::new(&script),
                    &FakeClock::unset(),
                    &mut RecordingSleep::new(),
                    &mut FakeEntropy::new(1),
                );
                assert_eq!(result, Err(RequestError::Clock(ErrorKind::ClockUnset)));
            }
            assert_eq!(trace.as_slice(), &[Complete]);
        }

        fn driver_misuse_and_done_are_safe() {
            let mut h = Handlers::new();
            traced(&mut h);
            let mut trace = PhaseTrace::new();
            {
                let mut r = Request::new("Op");
                r.set_data(&mut trace);
                let mut p = Pipeline::new(&h, &mut r);
                assert_eq!(p.step(Event::Slept), Step::Done);
                assert!(p.is_done());
                assert_eq!(p.step(Event::Start), Step::Done);
                assert_eq!(p.result(), Err(RequestError::DriverMisuse));
            }
            assert_eq!(trace.as_slice(), &[Complete]);
        }

        fn dropped_pipeline_completes_once_as_canceled() {
            let mut h = Handlers::new();
            traced(&mut h);
            let mut trace = PhaseTrace::new();
            {
                let mut r = Request::new("Op");
                r.set_data(&mut trace);
                {
                    let mut p = Pipeline::new(&h, &mut r);
                    assert_eq!(p.step(Event::Start), Step::StartAttempt);
                    let now = Ok(UnixTime::from_secs(1));
                    assert_eq!(p.step(Event::AttemptStarted { now, random: 0 }), Step::Exchange);
                    assert_eq!(p.attempts(), 1);
                }
                assert_eq!(r.error, Some(RequestError::Canceled));
            }
            assert_eq!(trace.as_slice(), &[Validate, Build, Sign, Send, Complete]);
        }

        fn manual_steps_and_attempt_time() {
            fn check_time(r: &mut Request<'_>) {
                if r.attempt_time() != UnixTime::from_secs(42) || r.jitter() != 9 || r.attempt() != 1 {
                    r.fail("WrongAttemptInfo");
                }
            }
            let mut h = Handlers::new();
            h.add_core_defaults().unwrap();
            h.sign.push_back(check_time).unwrap();
            let mut r = Request::new("Op");
            let mut p = Pipeline::new(&h, &mut r);
            assert_eq!(p.step(Event::Start), Step::StartAttempt);
            let step = p.step(Event::AttemptStarted { now: Ok(UnixTime::from_secs(42)), random: 9 });
            assert_eq!(step, Step::Exchange);
            p.request_mut().response.set_status(200);
            assert_eq!(p.step(Event::Exchanged(Ok(()))), Step::Done);
            assert_eq!(p.result(), Ok(()));
        }

        fn response_body_reaches_unmarshal() {
            fn check_body(r: &mut Request<'_>) {
                if r.response_body() != b"<ok/>" {
                    r.fail("BadBody");
                }
            }
            let mut h = Handlers::new();
            h.add_core_defaults().unwrap();
            h.unmarshal.push_back(check_body).unwrap();
            let mut buf = [0u8; 16];
            let mut r = Request::new("Op");
            r.set_response_buffer(&mut buf);
            let script = [Reply::with_body(200, b"<ok/>")];
            let mut t = FakeTransport::new(&script);
            let res = run_blocking(Pipeline::new(&h, &mut r), &mut t, &FakeClock::at(1), &mut RecordingSleep::new(), &mut FakeEntropy::new(0));
            assert_eq!(res, Ok(()));
        }

        fn oversized_success_body_is_an_error() {
            let mut h = Handlers::new();
            h.add_core_defaults().unwrap();
            let mut buf = [0u8; 4];
            let mut r = Request::new("Op");
            r.set_response_buffer(&mut buf);
            let script = [Reply::with_body(200, b"too long")];
            let mut t = FakeTransport::new(&script);
            let res = run_blocking(Pipeline::new(&h, &mut r), &mut t, &FakeClock::at(1), &mut RecordingSleep::new(), &mut FakeEntropy::new(0));
            assert_eq!(res, Err(RequestError::ResponseTooLarge { limit: 4 }));
        }

        fn oversized_error_body_is_dropped_and_status_decides() {
            let mut h = Handlers::new();
            h.add_core_defaults().unwrap();
            let mut buf = [0u8; 4];
            let mut r = Request::new("Op");
            r.set_max_retries(0);
            r.set_response_buffer(&mut buf);
            let script = [Reply::with_body(503, b"<html>busy</html>")];
            let mut t = FakeTransport::new(&script);
            let res = run_blocking(Pipeline::new(&h, &mut r), &mut t, &FakeClock::at(1), &mut RecordingSleep::new(), &mut FakeEntropy::new(0));
            assert_eq!(res, Err(RequestError::Status { status: 503 }));
            assert_eq!(r.response_body(), b"");
        }

        fn streamed_body_is_rewound_each_attempt() {
            let mut h = Handlers::new();
            h.add_core_defaults().unwrap();
            let data = [7u8; 600];
            let mut src = crate::test_util::SliceSource::new(&data);
            let mut r = Request::new("PutObject");
            r.http.set_body(crate::http::Body::Stream(&mut src));
            let script = [Reply::status(500), Reply::status(200)];
            let mut t = FakeTransport::new(&script);
            let res = run_blocking(Pipeline::new(&h, &mut r), &mut t, &FakeClock::at(1), &mut RecordingSleep::new(), &mut FakeEntropy::new(0));
            assert_eq!(res, Ok(()));
            assert_eq!(t.exchanges(), 2);
            assert_eq!(t.body_bytes_last(), 600);
            assert_eq!(r.http.headers().get("content-length"), Some("600"));
        }

        fn async_driver_runs_the_same_steps() {
            let mut h = Handlers::new();
            traced(&mut h);
            let mut trace = PhaseTrace::new();
            let mut sleeps: heapless::Vec<u32, 8> = heapless::Vec::new();
            let script = [Reply::status(503), Reply::status(200)];
            let mut t = FakeTransport::new(&script);
            let result = {
                let mut r = Request::new("Op");
                r.set_data(&mut trace);
                block_on(run_async(
                    Pipeline::new(&h, &mut r),
                    &mut t,
                    &FakeClock::at(5),
                    |ms| {
                        let _ = sleeps.push(ms);
                        core::future::ready(())
                    },
                    &mut FakeEntropy::new(0),
                ))
            };
            assert_eq!(result, Ok(()));
            assert_eq!(sleeps.as_slice(), &[500]);
            let mut want: heapless::Vec<Phase, 64> = heapless::Vec::new();
            want.extend_from_slice(&[Validate, Build, Sign, Send, UnmarshalMeta, ValidateResponse, UnmarshalError, CompleteAttempt, Retry, AfterRetry]).unwrap();
            want.extend_from_slice(&ATTEMPT_OK).unwrap();
            assert_eq!(trace.as_slice(), want.as_slice());
        }

        fn core_default_names_match_go() {
            assert_eq!(retry::AFTER_RETRY.name, "core.AfterRetryHandler");
            assert_eq!(retry::VALIDATE_RESPONSE.name, "core.ValidateResponseHandler");
            assert_eq!(retry::BUILD_CONTENT_LENGTH.name, "core.BuildContentLengthHandler");
        }
    }
}

#[cfg(test)]
mod threads {
    use super::*;
    use crate::handlers::{run_blocking, NamedHandler, RequestHandler};
    use crate::test_util::{
        record_phase, FakeClock, FakeEntropy, FakeTransport, PhaseTrace, RecordingSleep, Reply,
    };
    use core::sync::atomic::{AtomicUsize, Ordering};

    struct CountCompletes(AtomicUsize);
    impl RequestHandler for CountCompletes {
        fn handle(&self, _: &mut Request<'_>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
    static COMPLETES: CountCompletes = CountCompletes(AtomicUsize::new(0));

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn eight_threads_share_one_handlers() {
        assert_send_sync::<Handlers>();
        let mut h = Handlers::new();
        h.add_core_defaults().unwrap();
        for p in Phase::ALL {
            h.list_mut(p)
                .push_front_named(NamedHandler::new("trace", record_phase))
                .unwrap();
        }
        h.complete
            .push_back_named(NamedHandler::with_dyn("count", &COMPLETES))
            .unwrap();
        let shared: &Handlers = &h;
        const THREADS: usize = 8;
        const PER_THREAD: usize = 25;
        std::thread::scope(|s| {
            for t in 0..THREADS {
                s.spawn(move || {
                    for i in 0..PER_THREAD {
                        // Every other request is retried once.
                        let script: &[Reply] = if (t + i) % 2 == 0 {
                            &[Reply::status(200)]
                        } else {
                            &[Reply::status(500), Reply::status(200)]
                        };
                        let mut trace = PhaseTrace::new();
                        let mut transport = FakeTransport::new(script);
                        let mut r = Request::new("GetCallerIdentity");
                        r.set_data(&mut trace);
                        let res = run_blocking(
                            Pipeline::new(shared, &mut r),
                            &mut transport,
                            &FakeClock::at(1_700_000_000),
                            &mut RecordingSleep::new(),
                            &mut FakeEntropy::new(u32::try_from(t).unwrap()),
                        );
                        assert_eq!(res, Ok(()));
                        drop(r);
                        assert_eq!(trace.first(), Some(&Phase::Validate));
                        assert_eq!(trace.last(), Some(&Phase::Complete));
                        let attempts = trace
                            .iter()
                            .filter(|p| **p == Phase::CompleteAttempt)
                            .count();
                        assert_eq!(attempts, script.len());
                    }
                });
            }
        });
        assert_eq!(COMPLETES.0.load(Ordering::Relaxed), THREADS * PER_THREAD);
    }
}
