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
//! The link holds its [`TlsBuffers`] for its whole life, and each new connection is made in them
//! again.

use aws_session_core::client::Client;
use aws_session_core::fetch::CredentialGate;
use aws_session_core::handlers::{
    exchange_async, AsyncAttemptGate, Event, Gated, Pipeline, Request, RequestError, Step,
    TransportStage,
};
use aws_session_core::http::{ResponseHead, Scheme};
use aws_session_core::platform::{AsyncSleep, Clock, Error as _, ErrorKind};
use embassy_net::Stack;
use rand_core::{CryptoRng, RngCore};

use crate::clock::WallClock;
use crate::http::{HttpConfig, HttpError};
use crate::lend::Lender;
use crate::platform::{ask_date, RngEntropy};
use crate::tls::{
    open, ClientIdentity, HttpsConnection, Target, TlsBuffers, TlsOptions, TrustAnchors,
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
    /// closed in [`Link::close`], which awaits the close before it returns: `connect` relies on
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
                    if !self.is_connected() {
                        // Never opened, broken (already dropped), closed by the server or idle
                        // too long (closed politely): opened again.
                        self.close().await;
                        match self.connect().await {
                            // The request's response head is free until the attempt.
                            Ok(()) => self.learn_time(&mut pipeline.request_mut().response).await,
                            Err(e) => {
                                warn!("link: connecting failed: {}", e);
                                refused = e.kind();
                            }
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
        if let Some(c) = self.conn.take() {
            c.close().await;
        }
    }

    /// Drops the connection, if any, and opens a new one in the link's memory.
    #[allow(unsafe_code)] // the one call of `Lender::lend` (see `crate::lend`)
    async fn connect(&mut self) -> Result<(), HttpError> {
        self.conn = None;
        self.connects = self.connects.saturating_add(1);
        // SAFETY: the only loan made before lived in `self.conn` (see its doc: a connection
        // leaves it only to be closed, awaited, in `close`), which was just emptied, dropping
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
    /// after. If that fails, the attempt fails with `ClockUnset` rather than go out with a wrong
    /// time.
    async fn learn_time(&mut self, head: &mut ResponseHead) {
        if let (Some(clock), Some(conn)) = (self.clock, self.conn.as_mut()) {
            if !clock.is_set() {
                ask_date(conn, Scheme::Https, self.target.host, head).await;
                head.clear();
            }
        }
    }
}
