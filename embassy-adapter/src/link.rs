//! HTTPS requests that survive a lost connection: [`Link::send`] runs a request through its
//! client's handlers (signing, retries, clock skew, credentials) and connects for it, and
//! connects again — resolving the name again — whenever an attempt finds the connection closed
//! by the server or broken.
//!
//! The reconnect happens between the handlers' attempts, so it is one of Go v1's retries: an
//! attempt that failed on a dead connection is retried (after the retryer's back-off) on a new
//! one, and a request whose attempts are spent ends with the last failure.
//!
//! embedded-tls keeps a connection's record buffers borrowed for the connection's life, so a
//! connection lives inside one [`Link::send`]: each call connects when it starts and closes at its
//! end. A keep-alive connection across many requests is [`crate::tls::connect`]'s
//! [`HttpsConnection`]; it does not reconnect.

use aws_session_core::client::Client;
use aws_session_core::fetch::CredentialGate;
use aws_session_core::handlers::{
    exchange_async, AsyncAttemptGate, Event, Gated, Pipeline, Request, RequestError, Step,
    TransportStage,
};
use aws_session_core::platform::{AsyncSleep, Clock, Entropy, Error as _, ErrorKind};
use embassy_net::Stack;
use rand_core::{CryptoRng, RngCore};

use crate::clock::WallClock;
use crate::http::{HttpConfig, HttpError};
use crate::tls::{
    connect_with, ClientIdentity, HttpsConnection, Target, TlsBuffers, TlsOptions, TrustAnchors,
};

/// Where and how [`Link::send`] connects, and what it has done.
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
}

impl<R> core::fmt::Debug for Link<'_, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Link")
            .field("target", &self.target)
            .field("identity", &self.identity)
            .field("connects", &self.connects)
            .finish_non_exhaustive()
    }
}

impl<'a, R: RngCore + CryptoRng> Link<'a, R> {
    /// A link to `target` on `stack`, trusting `trust`, with `rng` for the handshakes.
    pub fn new(
        stack: Stack<'a>,
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
        }
    }

    /// Presents `identity` when the server asks for a client certificate (mutual TLS), and
    /// offers `alpn` (e.g. `&[ALPN_IOT_HTTP]`).
    pub fn with_identity(mut self, identity: ClientIdentity<'a>, alpn: &'a [&'a [u8]]) -> Self {
        self.identity = Some(identity);
        self.alpn = alpn;
        self
    }

    /// Hands every response's `Date` to `clock`.
    pub fn with_clock(mut self, clock: &'a WallClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Connections opened so far (each TLS handshake counts).
    pub fn connects(&self) -> u32 {
        self.connects
    }

    /// Sends `request` through `client`'s handlers over a connection of this link, opened for it
    /// in `buffers` and opened again for any attempt that finds it closed or broken. `clock` reads
    /// the time, `sleep` waits between attempts (e.g. [`TimerSleep`](crate::platform::TimerSleep)),
    /// `entropy` jitters the back-off.
    ///
    /// # Errors
    /// The request's final [`RequestError`]; a connection that cannot be opened fails the attempt
    /// as a transport error of the `begin` stage (retried like any other).
    #[allow(clippy::too_many_arguments)] // the link's buffers, the request, the platform's parts
    pub async fn send<
        C,
        E,
        S,
        const RX: usize,
        const TX: usize,
        const READ_REC: usize,
        const WRITE_REC: usize,
        const HEAD: usize,
    >(
        &mut self,
        buffers: &mut TlsBuffers<RX, TX, READ_REC, WRITE_REC, HEAD>,
        client: &Client<'_>,
        request: &mut Request<'_>,
        clock: &C,
        sleep: &S,
        entropy: &mut E,
    ) -> Result<(), RequestError>
    where
        C: Clock + ?Sized,
        E: Entropy + ?Sized,
        S: AsyncSleep + ?Sized,
    {
        let mut pipeline = Pipeline::new(client.handlers(), request);
        let mut step = pipeline.step(Event::Start);
        // One turn per connection: a connection borrows `buffers` for its turn only.
        loop {
            let (mut conn, mut fresh, mut refused) = (None, true, ErrorKind::ConnectionRefused);
            match self.connect(&mut *buffers).await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    warn!("link: connecting failed: {}", e);
                    refused = e.kind();
                }
            }
            loop {
                let event = match step {
                    Step::StartAttempt => {
                        let usable = conn.as_ref().is_some_and(HttpsConnection::is_reusable);
                        if !usable && !fresh {
                            // Closed by the server, broken, or idle too long: dropped (a graceful
                            // close could wait for a peer that is gone), then connect again.
                            break;
                        }
                        fresh = false;
                        let now = clock.now().map_err(|e| e.kind());
                        let gated = match (now, conn.as_mut()) {
                            // The credential gate may call a provider over the connection.
                            (Ok(t), Some(c)) => {
                                CredentialGate
                                    .before_attempt(
                                        pipeline.request_mut(),
                                        t,
                                        c,
                                        clock,
                                        sleep,
                                        entropy,
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
                                random: entropy.next_u32(),
                            },
                        }
                    }
                    Step::Exchange => {
                        let result = match conn.as_mut() {
                            Some(c) => exchange_async(c, pipeline.request_mut()).await,
                            None => Err(RequestError::Transport {
                                stage: TransportStage::Begin,
                                kind: refused,
                            }),
                        };
                        if result.is_err() {
                            // Whatever state it is in, the next attempt starts on a new one.
                            conn = None;
                        }
                        Event::Exchanged(result)
                    }
                    Step::Sleep { millis } => {
                        sleep.sleep_ms(millis).await;
                        Event::Slept
                    }
                    Step::Done => {
                        if let Some(c) = conn.take() {
                            c.close().await;
                        }
                        return pipeline.result();
                    }
                };
                step = pipeline.step(event);
            }
        }
    }

    /// Opens a connection in `buffers`.
    async fn connect<
        'b,
        const RX: usize,
        const TX: usize,
        const READ_REC: usize,
        const WRITE_REC: usize,
        const HEAD: usize,
    >(
        &mut self,
        buffers: &'b mut TlsBuffers<RX, TX, READ_REC, WRITE_REC, HEAD>,
    ) -> Result<HttpsConnection<'b>, HttpError>
    where
        'a: 'b,
    {
        self.connects = self.connects.saturating_add(1);
        let options = TlsOptions {
            trust: self.trust,
            identity: self.identity.as_mut().map(|i| ClientIdentity {
                certificate: i.certificate,
                key: &mut *i.key,
            }),
            alpn: self.alpn,
        };
        let conn = connect_with(
            self.stack,
            buffers,
            &self.target,
            options,
            &mut self.rng,
            self.config,
        )
        .await?;
        Ok(match self.clock {
            Some(clock) => conn.with_clock(clock),
            None => conn,
        })
    }
}
