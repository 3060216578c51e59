//! The two drivers of [`Pipeline`]: blocking and async. Each is the loop described in the
//! pipeline docs plus the HTTP exchange; adapters only supply the platform traits.

use core::cell::RefCell;
use core::fmt;
use core::future::Future;

use super::{Event, Pipeline, Request, RequestError, Step, TransportStage};
use crate::http::{to_io_kind, Body};
use crate::limits::BODY_CHUNK_LEN;
use crate::platform::{
    AsyncSleep, AsyncTransport, Clock, Entropy, Error as _, ErrorKind, Sleep, Transport,
};
use crate::time::UnixTime;

fn transport_error(stage: TransportStage) -> impl Fn(ErrorKind) -> RequestError {
    move |kind| RequestError::Transport { stage, kind }
}

/// How a filled response buffer ends: an extra byte means the body did not fit.
fn overflow(request_ok: bool, limit: usize) -> Result<usize, RequestError> {
    if request_ok {
        Err(RequestError::ResponseTooLarge { limit })
    } else {
        // An error response that does not fit is dropped whole; its status still decides.
        Ok(0)
    }
}

/// Performs one HTTP exchange for `request` over a blocking transport: rewinds a streamed body,
/// writes head and body, reads the response head into [`Request::response`], and — when the
/// request has a response buffer — the body into it.
///
/// A success (2xx) body larger than the buffer is [`RequestError::ResponseTooLarge`]; an error
/// body larger than the buffer is dropped (the response body reads as empty) so the status still
/// classifies the error. Without a buffer the body stays in the transport.
///
/// # Errors
/// [`RequestError::Transport`] naming the stage, [`RequestError::BodySource`], or
/// [`RequestError::ResponseTooLarge`].
pub fn exchange<T: Transport + ?Sized>(
    transport: &mut T,
    request: &mut Request<'_>,
) -> Result<(), RequestError> {
    let (http, response, buffer) = request.exchange_parts();
    if let Body::Stream(source) = http.body_mut() {
        source.rewind().map_err(RequestError::BodySource)?;
    }
    transport
        .begin(http)
        .map_err(|e| transport_error(TransportStage::Begin)(e.kind()))?;
    let write_err = transport_error(TransportStage::WriteBody);
    match http.body_mut() {
        Body::Empty => {}
        Body::Bytes(bytes) => {
            if !bytes.is_empty() {
                transport
                    .write_body(bytes)
                    .map_err(|e| write_err(e.kind()))?;
            }
        }
        Body::Stream(source) => {
            let mut chunk = [0u8; BODY_CHUNK_LEN];
            let mut sent = 0u64;
            loop {
                let n = source.read(&mut chunk).map_err(RequestError::BodySource)?;
                if n == 0 {
                    break;
                }
                let piece = chunk
                    .get(..n)
                    .ok_or(RequestError::BodySource(ErrorKind::InvalidData))?;
                transport
                    .write_body(piece)
                    .map_err(|e| write_err(e.kind()))?;
                sent = sent.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
            }
            if sent != source.length() {
                return Err(RequestError::BodySource(ErrorKind::InvalidData));
            }
        }
    }
    transport
        .finish(response)
        .map_err(|e| transport_error(TransportStage::Finish)(e.kind()))?;
    let success = response.is_success();
    let read_err = transport_error(TransportStage::ReadBody);
    let mut len = 0usize;
    if let Some(buf) = buffer {
        while let Some(space) = buf.get_mut(len..) {
            if space.is_empty() {
                let mut probe = [0u8; 1];
                if transport
                    .read_body(&mut probe)
                    .map_err(|e| read_err(e.kind()))?
                    > 0
                {
                    len = overflow(success, buf.len())?;
                }
                break;
            }
            let n = transport.read_body(space).map_err(|e| read_err(e.kind()))?;
            if n == 0 {
                break;
            }
            len = len.saturating_add(n.min(space.len()));
        }
    }
    request.set_response_body_len(len);
    Ok(())
}

/// [`exchange`] over an [`AsyncTransport`]: the same steps, awaited.
///
/// # Errors
/// As [`exchange`].
pub async fn exchange_async<T: AsyncTransport + ?Sized>(
    transport: &mut T,
    request: &mut Request<'_>,
) -> Result<(), RequestError> {
    let (http, response, buffer) = request.exchange_parts();
    if let Body::Stream(source) = http.body_mut() {
        source.rewind().map_err(RequestError::BodySource)?;
    }
    transport
        .begin(http)
        .await
        .map_err(|e| transport_error(TransportStage::Begin)(e.kind()))?;
    let write_err = transport_error(TransportStage::WriteBody);
    match http.body_mut() {
        Body::Empty => {}
        Body::Bytes(bytes) => {
            if !bytes.is_empty() {
                transport
                    .write_body(bytes)
                    .await
                    .map_err(|e| write_err(e.kind()))?;
            }
        }
        Body::Stream(source) => {
            let mut chunk = [0u8; BODY_CHUNK_LEN];
            let mut sent = 0u64;
            loop {
                let n = source.read(&mut chunk).map_err(RequestError::BodySource)?;
                if n == 0 {
                    break;
                }
                let piece = chunk
                    .get(..n)
                    .ok_or(RequestError::BodySource(ErrorKind::InvalidData))?;
                transport
                    .write_body(piece)
                    .await
                    .map_err(|e| write_err(e.kind()))?;
                sent = sent.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
            }
            if sent != source.length() {
                return Err(RequestError::BodySource(ErrorKind::InvalidData));
            }
        }
    }
    transport
        .finish(response)
        .await
        .map_err(|e| transport_error(TransportStage::Finish)(e.kind()))?;
    let success = response.is_success();
    let read_err = transport_error(TransportStage::ReadBody);
    let mut len = 0usize;
    if let Some(buf) = buffer {
        while let Some(space) = buf.get_mut(len..) {
            if space.is_empty() {
                let mut probe = [0u8; 1];
                if transport
                    .read_body(&mut probe)
                    .await
                    .map_err(|e| read_err(e.kind()))?
                    > 0
                {
                    len = overflow(success, buf.len())?;
                }
                break;
            }
            let n = transport
                .read_body(space)
                .await
                .map_err(|e| read_err(e.kind()))?;
            if n == 0 {
                break;
            }
            len = len.saturating_add(n.min(space.len()));
        }
    }
    request.set_response_body_len(len);
    Ok(())
}

/// Runs `pipeline` to the end on a blocking platform: reads `clock` and draws from `entropy` once
/// per attempt, exchanges over `transport`, sleeps the back-off with `sleep`. Returns the request's
/// final outcome (the request itself holds the details).
///
/// ```
/// # use aws_session_core::handlers::{Handlers, Pipeline, Request, run_blocking};
/// # fn demo<T, C, S, E>(t: &mut T, c: &C, s: &mut S, e: &mut E)
/// # where T: aws_session_core::platform::Transport, C: aws_session_core::platform::Clock,
/// #       S: aws_session_core::platform::Sleep, E: aws_session_core::platform::Entropy {
/// let handlers = Handlers::with_core_defaults().expect("room for three handlers");
/// let mut request = Request::new("GetCallerIdentity");
/// match run_blocking(Pipeline::new(&handlers, &mut request), t, c, s, e) {
///     Ok(()) => { /* outputs are in the request's data slot */ }
///     Err(err) => { /* err.code(), err.status(), and request.error say why */ }
/// }
/// # }
/// ```
///
/// # Errors
/// The request's final [`RequestError`].
pub fn run_blocking<T, C, S, E>(
    pipeline: Pipeline<'_, '_>,
    transport: &mut T,
    clock: &C,
    sleep: &mut S,
    entropy: &mut E,
) -> Result<(), RequestError>
where
    T: Transport + ?Sized,
    C: Clock + ?Sized,
    S: Sleep + ?Sized,
    E: Entropy + ?Sized,
{
    run_blocking_gated(pipeline, transport, clock, sleep, entropy, &mut NoGate)
}

/// What an [`AttemptGate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Gated {
    /// Nothing: the attempt starts at the clock reading the gate was given.
    Ready,
    /// It waited or made calls: the driver reads the clock again for the attempt.
    Worked,
}

/// Work a driver does before each attempt, with the platform's parts at hand: a client makes
/// sure its credentials are valid (refreshing them through `transport`) so the Sign phase can use
/// them. An error ends the request without an attempt ([`Event::NotStarted`]). The gate gets the
/// driver's clock reading, so a gate with nothing to do costs no second reading.
pub trait AttemptGate<T: ?Sized, C: ?Sized, S: ?Sized, E: ?Sized> {
    /// Runs before every attempt, at `now`.
    ///
    /// # Errors
    /// The error the request ends with.
    fn before_attempt(
        &mut self,
        request: &mut Request<'_>,
        now: UnixTime,
        transport: &mut T,
        clock: &C,
        sleep: &mut S,
        entropy: &mut E,
    ) -> Result<Gated, RequestError>;
}

/// The async sibling of [`AttemptGate`], used by [`run_async_gated`].
#[allow(async_fn_in_trait)] // no `Send` bound wanted, as for `AsyncTransport`
pub trait AsyncAttemptGate<T: ?Sized, C: ?Sized, E: ?Sized> {
    /// Runs before every attempt, at `now`; `sleep` waits.
    ///
    /// # Errors
    /// The error the request ends with.
    #[allow(clippy::too_many_arguments)] // the driver's reading and the platform's parts
    async fn before_attempt<S: AsyncSleep + ?Sized>(
        &mut self,
        request: &mut Request<'_>,
        now: UnixTime,
        transport: &mut T,
        clock: &C,
        sleep: &S,
        entropy: &mut E,
    ) -> Result<Gated, RequestError>;
}

/// A gate that lets every attempt start.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoGate;

impl<T: ?Sized, C: ?Sized, S: ?Sized, E: ?Sized> AttemptGate<T, C, S, E> for NoGate {
    fn before_attempt(
        &mut self,
        _: &mut Request<'_>,
        _: UnixTime,
        _: &mut T,
        _: &C,
        _: &mut S,
        _: &mut E,
    ) -> Result<Gated, RequestError> {
        Ok(Gated::Ready)
    }
}

impl<T: ?Sized, C: ?Sized, E: ?Sized> AsyncAttemptGate<T, C, E> for NoGate {
    async fn before_attempt<S: AsyncSleep + ?Sized>(
        &mut self,
        _: &mut Request<'_>,
        _: UnixTime,
        _: &mut T,
        _: &C,
        _: &S,
        _: &mut E,
    ) -> Result<Gated, RequestError> {
        Ok(Gated::Ready)
    }
}

/// A closure `sleep(ms)` returning the future that waits, seen as an [`AsyncSleep`].
pub(crate) struct ClosureSleep<F>(pub(crate) RefCell<F>);

impl<F, Fut> AsyncSleep for ClosureSleep<F>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = ()>,
{
    async fn sleep_ms(&self, millis: u32) {
        let wait = match self.0.try_borrow_mut() {
            Ok(mut f) => Some((*f)(millis)),
            Err(_) => None,
        };
        if let Some(wait) = wait {
            wait.await;
        }
    }
}

/// The answer to [`Step::StartAttempt`] after the gate: the attempt starts at the driver's clock
/// reading, or at a new one when the gate worked; a gate error ends the request. A clock that
/// cannot be read was not given to the gate: the attempt then fails on the clock.
fn started<C: Clock + ?Sized, E: Entropy + ?Sized>(
    gated: Result<Gated, RequestError>,
    now: Result<UnixTime, ErrorKind>,
    clock: &C,
    entropy: &mut E,
) -> Event {
    let now = match gated {
        Err(e) => return Event::NotStarted(e),
        Ok(Gated::Ready) => now,
        Ok(Gated::Worked) => clock.now().map_err(|e| e.kind()),
    };
    Event::AttemptStarted {
        now,
        random: entropy.next_u32(),
    }
}

/// [`run_blocking`] with `gate` run before every attempt.
///
/// # Errors
/// The request's final [`RequestError`].
pub fn run_blocking_gated<T, C, S, E, G>(
    mut pipeline: Pipeline<'_, '_>,
    transport: &mut T,
    clock: &C,
    sleep: &mut S,
    entropy: &mut E,
    gate: &mut G,
) -> Result<(), RequestError>
where
    T: Transport + ?Sized,
    C: Clock + ?Sized,
    S: Sleep + ?Sized,
    E: Entropy + ?Sized,
    G: AttemptGate<T, C, S, E> + ?Sized,
{
    let mut event = Event::Start;
    loop {
        event = match pipeline.step(event) {
            Step::StartAttempt => {
                let now = clock.now().map_err(|e| e.kind());
                let gated = match now {
                    Ok(t) => gate.before_attempt(
                        pipeline.request_mut(),
                        t,
                        transport,
                        clock,
                        sleep,
                        entropy,
                    ),
                    Err(_) => Ok(Gated::Ready),
                };
                started(gated, now, clock, entropy)
            }
            Step::Exchange => Event::Exchanged(exchange(transport, pipeline.request_mut())),
            Step::Sleep { millis } => {
                sleep.sleep_ms(millis);
                Event::Slept
            }
            Step::Done => return pipeline.result(),
        };
    }
}

/// Runs `pipeline` to the end on an async platform; the same loop as [`run_blocking`] with the
/// exchange and the back-off awaited. `sleep(ms)` returns the future that waits (for embassy:
/// `|ms| Timer::after_millis(ms.into())`). Dropping the future mid-way runs Complete with
/// [`RequestError::Canceled`].
///
/// # Errors
/// The request's final [`RequestError`].
pub async fn run_async<T, C, E, F, Fut>(
    pipeline: Pipeline<'_, '_>,
    transport: &mut T,
    clock: &C,
    sleep: F,
    entropy: &mut E,
) -> Result<(), RequestError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    E: Entropy + ?Sized,
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = ()>,
{
    let sleep = ClosureSleep(RefCell::new(sleep));
    run_async_gated(pipeline, transport, clock, &sleep, entropy, &mut NoGate).await
}

/// [`run_async`] with `gate` run before every attempt, and the platform's `sleep` (the same sleep
/// the gate's credential calls wait with, so that firmware links one copy of them).
///
/// # Errors
/// The request's final [`RequestError`].
pub async fn run_async_gated<T, C, E, S, G>(
    mut pipeline: Pipeline<'_, '_>,
    transport: &mut T,
    clock: &C,
    sleep: &S,
    entropy: &mut E,
    gate: &mut G,
) -> Result<(), RequestError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    E: Entropy + ?Sized,
    S: AsyncSleep + ?Sized,
    G: AsyncAttemptGate<T, C, E> + ?Sized,
{
    let mut event = Event::Start;
    loop {
        event = match pipeline.step(event) {
            Step::StartAttempt => {
                let now = clock.now().map_err(|e| e.kind());
                let gated = match now {
                    Ok(t) => {
                        gate.before_attempt(
                            pipeline.request_mut(),
                            t,
                            transport,
                            clock,
                            sleep,
                            entropy,
                        )
                        .await
                    }
                    Err(_) => Ok(Gated::Ready),
                };
                started(gated, now, clock, entropy)
            }
            Step::Exchange => {
                Event::Exchanged(exchange_async(transport, pipeline.request_mut()).await)
            }
            Step::Sleep { millis } => {
                sleep.sleep_ms(millis).await;
                Event::Slept
            }
            Step::Done => return pipeline.result(),
        };
    }
}

/// A transport failure seen through `embedded-io` (by [`ResponseBodyReader`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TransportIoError(pub ErrorKind);

impl fmt::Display for TransportIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "reading the response body failed: {}", self.0)
    }
}

impl core::error::Error for TransportIoError {}

impl embedded_io::Error for TransportIoError {
    fn kind(&self) -> embedded_io::ErrorKind {
        to_io_kind(self.0)
    }
}

/// The rest of a response body, as an `embedded-io` reader, for requests run without a response
/// buffer (streamed downloads).
#[derive(Debug)]
pub struct ResponseBodyReader<'t, T: ?Sized> {
    transport: &'t mut T,
}

impl<'t, T: Transport + ?Sized> ResponseBodyReader<'t, T> {
    /// Reads what remains of the last response from `transport`.
    pub fn new(transport: &'t mut T) -> Self {
        ResponseBodyReader { transport }
    }
}

impl<T: Transport + ?Sized> embedded_io::ErrorType for ResponseBodyReader<'_, T> {
    type Error = TransportIoError;
}

impl<T: Transport + ?Sized> embedded_io::Read for ResponseBodyReader<'_, T> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, TransportIoError> {
        self.transport
            .read_body(buf)
            .map_err(|e| TransportIoError(e.kind()))
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::handlers::Handlers;
    use crate::test_util::{
        FakeClock, FakeEntropy, FakeTransport, RecordingSleep, Reply, SliceSource,
    };
    use embedded_io::Read as _;

    selftests! {
        fn streamed_download_reads_through_embedded_io() {
            let h = Handlers::with_core_defaults().unwrap();
            let script = [Reply::with_body(200, b"0123456789")];
            let mut t = FakeTransport::new(&script);
            let mut r = Request::new("GetObject");
            let res = run_blocking(Pipeline::new(&h, &mut r), &mut t, &FakeClock::at(1), &mut RecordingSleep::new(), &mut FakeEntropy::new(0));
            assert_eq!(res, Ok(()));
            let mut reader = ResponseBodyReader::new(&mut t);
            let mut buf = [0u8; 4];
            let mut got: heapless::Vec<u8, 16> = heapless::Vec::new();
            loop {
                let n = reader.read(&mut buf).unwrap();
                if n == 0 { break; }
                got.extend_from_slice(&buf[..n]).unwrap();
            }
            assert_eq!(got.as_slice(), b"0123456789");
        }

        fn short_stream_is_a_body_error() {
            struct Liar;
            impl crate::http::BodySource for Liar {
                fn length(&self) -> u64 { 10 }
                fn rewind(&mut self) -> Result<(), ErrorKind> { Ok(()) }
                fn read(&mut self, _: &mut [u8]) -> Result<usize, ErrorKind> { Ok(0) }
            }
            let mut liar = Liar;
            let mut r = Request::new("PutObject");
            r.http.set_body(Body::Stream(&mut liar));
            let script = [Reply::status(200)];
            let mut t = FakeTransport::new(&script);
            assert_eq!(exchange(&mut t, &mut r), Err(RequestError::BodySource(ErrorKind::InvalidData)));
        }

        fn bytes_body_and_exact_fit_buffer() {
            let mut buf = [0u8; 5];
            let mut r = Request::new("Op");
            r.http.set_body(Body::Bytes(b"abc"));
            r.set_response_buffer(&mut buf);
            let script = [Reply::with_body(200, b"hello")];
            let mut t = FakeTransport::new(&script);
            assert_eq!(exchange(&mut t, &mut r), Ok(()));
            assert_eq!(r.response_body(), b"hello");
            assert_eq!(t.body_bytes_last(), 3);
            assert_eq!(r.response.status(), 200);
        }

        fn failure_stage_is_reported() {
            let data = [1u8; 3];
            let mut src = SliceSource::new(&data);
            let mut r = Request::new("Op");
            r.http.set_body(Body::Stream(&mut src));
            let script = [Reply::fail_at(TransportStage::Finish, ErrorKind::TimedOut)];
            let mut t = FakeTransport::new(&script);
            assert_eq!(
                exchange(&mut t, &mut r),
                Err(RequestError::Transport { stage: TransportStage::Finish, kind: ErrorKind::TimedOut })
            );
            assert_eq!(t.body_bytes_last(), 3);
        }
    }
}
