//! [`EmbassyPlatform`]: a transport, the [`WallClock`], embassy-time sleep and an RNG in the one
//! value `Client::send_async` takes.
//!
//! The platform sets the wall clock by itself: when [`EmbassyPlatform::connect`] has connected and
//! the clock is still unset, it sends one unsigned `GET /` to the endpoint and sets the clock
//! from the response's `Date` (any AWS endpoint answers an anonymous `GET /` with one). A
//! platform made with [`EmbassyPlatform::new`] does the same with
//! [`EmbassyPlatform::set_clock`]. Doing it when connecting, not before each request, keeps the
//! exchange's request out of the request path's memory (about 5 KiB of a device's static RAM). Every
//! later response's `Date` also reaches the clock, which corrects itself when it drifts (see
//! [`crate::clock`]).
//!
//! ```ignore
//! let client = session.client("sts")?;
//! let mut platform = EmbassyPlatform::connect(stack, &mut mem.tls, client.endpoint()?, &anchors, rng, clock).await?;
//! let mut request = client.form_request("GetCallerIdentity", "Action=GetCallerIdentity&Version=2011-06-15")?;
//! client.send_async(&mut request, &mut platform).await?;
//! ```

use aws_session_core::endpoint::ResolvedEndpoint;
use aws_session_core::http::{HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::platform::{AsyncPlatform, AsyncSleep, AsyncTransport, Entropy, Error as _};
use rand_core::RngCore;

use crate::clock::WallClock;

/// Bytes of the clock request's response body read at a time (and thrown away).
const DRAIN_CHUNK_LEN: usize = 64;

/// A device platform: `transport` (for example a [`crate::tls::HttpsConnection`]), the wall clock
/// and an RNG for retry jitter; sleeping is an embassy-time `Timer`.
#[derive(Debug)]
pub struct EmbassyPlatform<'c, T, R> {
    transport: DatedTransport<'c, T>,
    rng: RngEntropy<R>,
}

impl<'c, T: AsyncTransport, R: RngCore> EmbassyPlatform<'c, T, R> {
    /// A platform over `transport`. Every response's `Date` is handed to `clock`; entropy comes
    /// from `rng`.
    pub fn new(transport: T, clock: &'c WallClock, rng: R) -> Self {
        EmbassyPlatform {
            transport: DatedTransport {
                inner: transport,
                clock,
            },
            rng: RngEntropy(rng),
        }
    }

    /// The transport, for example to read a response body the pipeline left unread.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport.inner
    }

    /// The wall clock.
    pub fn clock(&self) -> &'c WallClock {
        self.transport.clock
    }

    /// Sets an unset wall clock from the `Date` of one unsigned `GET /` to `endpoint`; returns
    /// whether the clock is set afterwards. A failure (logged) leaves it unset: a request's first
    /// attempt then fails with `ClockUnset` rather than going out with a wrong time.
    /// [`EmbassyPlatform::connect`] calls it.
    pub async fn set_clock(&mut self, endpoint: &ResolvedEndpoint) -> bool {
        if self.transport.clock.is_set() {
            return true;
        }
        let mut head = ResponseHead::new();
        ask_date(
            &mut self.transport,
            endpoint.scheme(),
            endpoint.authority(),
            &mut head,
        )
        .await;
        self.transport.clock.is_set()
    }

    /// The transport back, for example to close it.
    pub fn into_transport(self) -> T {
        self.transport.inner
    }
}

#[cfg(feature = "tls")]
impl<'a, R: RngCore + rand_core::CryptoRng>
    EmbassyPlatform<'a, crate::tls::HttpsConnection<'a>, R>
{
    /// Opens an HTTPS connection to `endpoint` (TLS 1.3, the server checked against `trust`)
    /// and returns a platform over it; `rng` serves the handshake and then the retry jitter.
    ///
    /// # Errors
    /// As [`crate::tls::connect`].
    pub async fn connect<
        const RX: usize,
        const TX: usize,
        const READ_REC: usize,
        const WRITE_REC: usize,
        const HEAD: usize,
    >(
        stack: embassy_net::Stack<'a>,
        buffers: &'a mut crate::tls::TlsBuffers<RX, TX, READ_REC, WRITE_REC, HEAD>,
        endpoint: &aws_session_core::endpoint::ResolvedEndpoint,
        trust: &crate::tls::TrustAnchors<'_>,
        mut rng: R,
        clock: &'a WallClock,
    ) -> Result<Self, crate::http::HttpError> {
        let target = crate::tls::Target::host(endpoint.authority());
        let config = crate::http::HttpConfig::default();
        let conn = crate::tls::connect(stack, buffers, &target, trust, &mut rng, config).await?;
        let mut platform = EmbassyPlatform::new(conn, clock, rng);
        // A failure leaves the clock unset: the first attempt then fails with `ClockUnset`.
        platform.set_clock(endpoint).await;
        Ok(platform)
    }
}

impl<'c, T: AsyncTransport, R: RngCore> AsyncPlatform for EmbassyPlatform<'c, T, R> {
    type Transport = DatedTransport<'c, T>;
    type Clock = WallClock;
    type Sleep = TimerSleep;
    type Entropy = RngEntropy<R>;

    fn parts(
        &mut self,
    ) -> (
        &mut DatedTransport<'c, T>,
        &WallClock,
        &TimerSleep,
        &mut RngEntropy<R>,
    ) {
        let clock = self.transport.clock;
        (&mut self.transport, clock, &TimerSleep, &mut self.rng)
    }
}

/// A transport whose every response `Date` reaches a [`WallClock`].
#[derive(Debug)]
pub struct DatedTransport<'c, T> {
    inner: T,
    clock: &'c WallClock,
}

/// Sends one unsigned `GET /` to `authority` over `transport` and reads the response (its head
/// into `head`, its body dropped) to its end, so that a transport that hands every `Date` to a
/// clock sets it: any AWS endpoint answers an anonymous `GET /` with one. A failure is logged.
pub(crate) async fn ask_date<T: AsyncTransport>(
    transport: &mut T,
    scheme: Scheme,
    authority: &str,
    head: &mut ResponseHead,
) {
    let Ok(request) = HttpRequest::new(Method::Get, scheme, authority, "/") else {
        return;
    };
    debug!("clock: unset, asking the endpoint for its Date");
    let exchange = async {
        transport.begin(&request).await?;
        transport.finish(head).await?;
        let mut sink = [0u8; DRAIN_CHUNK_LEN];
        while transport.read_body(&mut sink).await? > 0 {}
        Ok::<(), T::Error>(())
    };
    if let Err(e) = exchange.await {
        warn!("clock: the Date request failed: {:?}", e.kind());
    }
}

impl<T: AsyncTransport> AsyncTransport for DatedTransport<'_, T> {
    type Error = T::Error;
    async fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), T::Error> {
        self.inner.begin(request).await
    }
    async fn write_body(&mut self, bytes: &[u8]) -> Result<(), T::Error> {
        self.inner.write_body(bytes).await
    }
    async fn finish(&mut self, response: &mut ResponseHead) -> Result<(), T::Error> {
        self.inner.finish(response).await?;
        self.clock.observe(response);
        Ok(())
    }
    async fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, T::Error> {
        self.inner.read_body(buf).await
    }
}

/// Retry back-off on an embassy-time `Timer`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimerSleep;

impl AsyncSleep for TimerSleep {
    async fn sleep_ms(&self, millis: u32) {
        embassy_time::Timer::after_millis(millis.into()).await;
    }
}

/// Retry jitter from an RNG.
#[derive(Debug)]
pub struct RngEntropy<R>(pub(crate) R);

impl<R: RngCore> Entropy for RngEntropy<R> {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
}
