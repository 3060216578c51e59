//! HTTPS requests that survive a lost connection: [`Link::send`] runs a request through its
//! client's handlers (signing, retries, clock skew, credentials) over the link's connection, and
//! connects again — resolving the name again — whenever an attempt finds it closed by the server
//! or broken.
//!
//! The reconnect happens between the handlers' attempts, so it is one of Go v1's retries: an
//! attempt that failed on a dead connection is retried (after the retryer's back-off) on a new
//! one, and a request whose attempts are spent ends with the last failure.
//!
//! The connection is kept between calls (keep-alive: one handshake for many requests) until the
//! server closes it, it breaks, or it sits unused past [`HttpConfig::idle_limit`] (50 s by
//! default, under the 60 s after which AWS's load balancers drop idle connections); the next
//! request then opens a new one before its first attempt, instead of losing an attempt to a
//! connection that is gone. A server that drops a kept connection sooner costs that request one
//! retry. [`Link::close`] ends the connection politely (TLS `close_notify`).
//!
//! While its clock is unset, a link asks each new connection's server for its `Date` (one
//! unsigned `GET /`) before the first attempt; an answer that closes the connection (moto's
//! HTTP/1.0 `500`) costs one more connect, not an attempt. [`Link::retrieve_credentials`] runs
//! a session's credential call over the link (the AWS IoT credentials provider, with a link
//! made [`Link::with_identity`]).
//!
//! The link holds its [`TlsBuffers`] for its whole life, and each new connection is made in them
//! again.

use aws_session_core::client::Client;
use aws_session_core::credentials::error::{FetchError, FetchReason};
use aws_session_core::credentials::{Credentials, ProviderKind};
use aws_session_core::fetch::CredentialGate;
use aws_session_core::handlers::{
    exchange_async, AsyncAttemptGate, Event, Gated, Pipeline, Request, RequestError, Step,
    TransportStage,
};
use aws_session_core::http::{ResponseHead, Scheme};
use aws_session_core::platform::{AsyncPlatform, AsyncSleep, Clock, Error as _, ErrorKind};
use aws_session_core::session::Session;
use embassy_net::Stack;
use rand_core::{CryptoRng, RngCore};

use crate::clock::WallClock;
use crate::http::{HttpConfig, HttpError};
use crate::lend::Lender;
use crate::platform::{ask_date, RngEntropy};
use crate::tls::{
    close_tcp, open, ClientIdentity, HttpsConnection, Target, TlsBuffers, TlsOptions, TrustAnchors,
};

/// Where and how [`Link::send`] connects, its connection, and what it has done.
pub struct Link<'a, R> {
    stack: Stack<'a>,
    target: Target<'a>,
    trust: TrustAnchors<'a>,
    identity: Option<ClientIdentity<'a>>,
    alpn: &'a [&'a [u8]],
    rng: R,
    config: HttpConfig,
    clock: Option<&'a WallClock>,
    connects: u32,
    /// The memory every connection of the link is made in.
    memory: Lender<'a>,
    /// The connection, made from `memory`'s latest loan. It never leaves this field except to be
    /// closed in [`Link::close`], which awaits the close before it returns: `reconnect` relies on
    /// that when it asks for the next loan.
    conn: Option<HttpsConnection<'a>>,
}

impl<R> core::fmt::Debug for Link<'_, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Link")
            .field("target", &self.target)
            .field("identity", &self.identity)
            .field("connects", &self.connects)
            .field("conn", &self.conn)
            .finish_non_exhaustive()
    }
}

impl<'a, R: RngCore + CryptoRng> Link<'a, R> {
    /// A link to `target` on `stack`, trusting `trust`, with `rng` for the handshakes; its
    /// connections are made in `buffers`. It connects when the first request needs it.
    pub fn new<
        const RX: usize,
        const TX: usize,
        const READ_REC: usize,
        const WRITE_REC: usize,
        const HEAD: usize,
    >(
        stack: Stack<'a>,
        buffers: &'a mut TlsBuffers<RX, TX, READ_REC, WRITE_REC, HEAD>,
        target: Target<'a>,
        trust: TrustAnchors<'a>,
        rng: R,
        config: HttpConfig,
    ) -> Self {
        Link {
            stack,
            target,
            trust,
            identity: None,
            alpn: &[],
            rng,
            config,
            clock: None,
            connects: 0,
            memory: Lender::new(buffers.parts()),
            conn: None,
        }
    }

    /// Presents `identity` when the server asks for a client certificate (mutual TLS), and
    /// offers `alpn` (e.g. `&[ALPN_IOT_HTTP]`).
    pub fn with_identity(mut self, identity: ClientIdentity<'a>, alpn: &'a [&'a [u8]]) -> Self {
        self.identity = Some(identity);
        self.alpn = alpn;
        self
    }

    /// Hands every response's `Date` to `clock`; while `clock` is not set, each new connection
    /// first asks the server for its `Date` (one unsigned `GET /`).
    pub fn with_clock(mut self, clock: &'a WallClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Connections opened so far (each TLS handshake counts).
    pub fn connects(&self) -> u32 {
        self.connects
    }

    /// True when the link holds a connection that can carry the next request (open, not closed
    /// by the server, not idle past the limit).
    pub fn is_connected(&self) -> bool {
        self.conn.as_ref().is_some_and(HttpsConnection::is_reusable)
    }

    /// Sends `request` through `client`'s handlers over the link's connection: the one kept from
    /// the last call while it can carry a request, otherwise a new one, and a new one again for
    /// any attempt that finds it closed or broken. `clock` reads the time, `sleep` waits between
    /// attempts (e.g. [`TimerSleep`](crate::platform::TimerSleep)), and the link's RNG jitters
    /// the back-off. The connection stays open for the next call.
    ///
    /// # Errors
    /// The request's final [`RequestError`]; a connection that cannot be opened fails the attempt
    /// as a transport error of the `begin` stage (retried like any other).
    pub async fn send<C, S>(
        &mut self,
        client: &Client<'_>,
        request: &mut Request<'_>,
        clock: &C,
        sleep: &S,
    ) -> Result<(), RequestError>
    where
        C: Clock + ?Sized,
        S: AsyncSleep + ?Sized,
    {
        let mut pipeline = Pipeline::new(client.handlers(), request);
        let mut step = pipeline.step(Event::Start);
        let mut refused = ErrorKind::ConnectionRefused;
        loop {
            let event = match step {
                Step::StartAttempt => {
                    // Never opened, broken (already dropped), closed by the server or idle too
                    // long: opened again. While the clock is unset, the connection first learns
                    // the time (the request's response head is free until the attempt); an
                    // answer that closes it (an HTTP/1.0 server) costs one more connect.
                    if let Err(kind) = self.ready().await {
                        refused = kind;
                    } else if self.learn_time(&mut pipeline.request_mut().response).await {
                        if let Err(kind) = self.ready().await {
                            refused = kind;
                        }
                    }
                    let now = clock.now().map_err(|e| e.kind());
                    let gated = match (now, self.conn.as_mut()) {
                        // The credential gate may call a provider over the connection.
                        (Ok(t), Some(c)) => {
                            CredentialGate
                                .before_attempt(
                                    pipeline.request_mut(),
                                    t,
                                    c,
                                    clock,
                                    sleep,
                                    &mut RngEntropy(&mut self.rng),
                                )
                                .await
                        }
                        _ => Ok(Gated::Ready),
                    };
                    if matches!(gated, Ok(Gated::Worked)) {
                        // The provider's answer may have closed the connection.
                        if let Err(kind) = self.ready().await {
                            refused = kind;
                        }
                    }
                    match gated {
                        Err(e) => Event::NotStarted(e),
                        Ok(g) => Event::AttemptStarted {
                            now: match g {
                                Gated::Ready => now,
                                Gated::Worked => clock.now().map_err(|e| e.kind()),
                            },
                            random: self.rng.next_u32(),
                        },
                    }
                }
                Step::Exchange => {
                    let result = match self.conn.as_mut() {
                        Some(c) => exchange_async(c, pipeline.request_mut()).await,
                        None => Err(RequestError::Transport {
                            stage: TransportStage::Begin,
                            kind: refused,
                        }),
                    };
                    if result.is_err() {
                        // Whatever state it is in, the next attempt starts on a new one; this
                        // one is dropped (a polite close could wait for a peer that is gone).
                        self.conn = None;
                    }
                    Event::Exchanged(result)
                }
                Step::Sleep { millis } => {
                    sleep.sleep_ms(millis).await;
                    Event::Slept
                }
                Step::Done => {
                    if !self.is_connected() {
                        // The server asked to close, or the body was left unread: closed now,
                        // not when the next call comes.
                        self.close().await;
                    }
                    return pipeline.result();
                }
            };
            step = pipeline.step(event);
        }
    }

    /// Ends the link's connection, if it has one: TLS `close_notify`, then TCP's close. The next
    /// [`Link::send`] connects again.
    pub async fn close(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let limit = conn.io_timeout();
        // The two halves of `HttpsConnection::close`, so that this future holds the connection
        // once.
        if let Ok(Ok(socket)) = conn.close_tls().await {
            close_tcp(socket, limit).await;
        }
    }

    /// Opens the link's connection now, unless it has one that can carry a request (`send` and
    /// [`Link::retrieve_credentials`] open it themselves when needed; this reports why a
    /// connection cannot be opened, which they only log).
    ///
    /// # Errors
    /// As [`crate::tls::connect`].
    pub async fn connect(&mut self) -> Result<(), HttpError> {
        if self.is_connected() {
            return Ok(());
        }
        self.reconnect().await
    }

    /// Gets credentials for `session` over the link, as `Session::retrieve_credentials_async`
    /// does over a platform (from its cache or its provider: the AWS IoT credentials provider
    /// for a link made with the device's identity), connecting first when needed. A firmware
    /// that also sends requests over links carries one copy of the providers' code: this and the
    /// credential gate of [`Link::send`] run it with the same types.
    ///
    /// # Errors
    /// The provider's [`FetchError`]; a connection that cannot be opened is a `RequestError` of
    /// the session's provider, with the transport's error kind.
    pub async fn retrieve_credentials<C, S>(
        &mut self,
        session: &Session,
        clock: &C,
        sleep: &S,
        out: &mut Credentials,
    ) -> Result<ProviderKind, FetchError>
    where
        C: Clock + ?Sized,
        S: AsyncSleep + ?Sized,
    {
        let failed = |kind| {
            FetchError::new(
                session.credentials().provider(),
                FetchReason::Request {
                    code: "RequestError",
                    kind: Some(kind),
                },
            )
        };
        self.ready().await.map_err(failed)?;
        // `ready` left a connection (the borrow checker cannot see it through its result).
        let conn = self
            .conn
            .as_mut()
            .ok_or(ErrorKind::ConnectionReset)
            .map_err(failed)?;
        let mut platform = LinkPlatform {
            conn,
            clock,
            sleep,
            entropy: RngEntropy(&mut self.rng),
        };
        session.retrieve_credentials_async(&mut platform, out).await
    }

    /// Opens a connection unless the link has one that can carry a request.
    ///
    /// # Errors
    /// The kind of the connect's failure (logged).
    async fn ready(&mut self) -> Result<(), ErrorKind> {
        if self.is_connected() {
            return Ok(());
        }
        self.reconnect().await.map_err(|e| {
            warn!("link: connecting failed: {}", e);
            e.kind()
        })
    }

    /// Closes the connection, if any, politely, and opens a new one in the link's memory.
    #[allow(unsafe_code)] // the one call of `Lender::lend` (see `crate::lend`)
    async fn reconnect(&mut self) -> Result<(), HttpError> {
        self.close().await;
        self.connects = self.connects.saturating_add(1);
        // SAFETY: the only loan made before lived in `self.conn` (see its doc: a connection
        // leaves it only to be closed, awaited, in `close`), which `close` just emptied, dropping
        // the connection with its socket and TLS state; and `open` below drops this loan when
        // it fails (or when this future is dropped).
        let parts = unsafe { self.memory.lend() };
        let options = TlsOptions {
            trust: self.trust,
            identity: self.identity.as_mut().map(|i| ClientIdentity {
                certificate: i.certificate,
                key: &mut *i.key,
            }),
            alpn: self.alpn,
        };
        let conn = open(
            self.stack,
            parts,
            &self.target,
            options,
            &mut self.rng,
            self.config,
        )
        .await?;
        self.conn = Some(match self.clock {
            Some(clock) => conn.with_clock(clock),
            None => conn,
        });
        Ok(())
    }

    /// While the link's clock is unset, asks the server for its `Date` over the connection (as
    /// `EmbassyPlatform::connect` does), reading the answer's head into `head` and clearing it
    /// after; returns whether it asked. If that fails, the attempt fails with `ClockUnset` rather
    /// than go out with a wrong time.
    async fn learn_time(&mut self, head: &mut ResponseHead) -> bool {
        let (Some(clock), Some(conn)) = (self.clock, self.conn.as_mut()) else {
            return false;
        };
        if clock.is_set() || !conn.is_reusable() {
            return false;
        }
        ask_date(conn, Scheme::Https, self.target.host, head).await;
        head.clear();
        true
    }
}

/// A link's connection, clock, sleep and RNG as the platform core's credential calls take: the
/// types [`Link::send`]'s credential gate uses, so both run one copy of the providers' code.
struct LinkPlatform<'l, 'a, C: ?Sized, S: ?Sized, R> {
    conn: &'l mut HttpsConnection<'a>,
    clock: &'l C,
    sleep: &'l S,
    entropy: RngEntropy<&'l mut R>,
}

impl<'l, 'a, C, S, R> AsyncPlatform for LinkPlatform<'l, 'a, C, S, R>
where
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    R: RngCore,
{
    type Transport = HttpsConnection<'a>;
    type Clock = C;
    type Sleep = S;
    type Entropy = RngEntropy<&'l mut R>;

    fn parts(&mut self) -> (&mut HttpsConnection<'a>, &C, &S, &mut Self::Entropy) {
        (self.conn, self.clock, self.sleep, &mut self.entropy)
    }
}
