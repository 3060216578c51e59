//! Running a session's credential plan: the providers that need a call (STS `AssumeRole` and
//! `AssumeRoleWithWebIdentity`, IMDSv2, the ECS/EKS container endpoint, SSO,
//! `credential_process`, the application's own provider), written once as `async` code over the
//! same drivers and transports as every other request.
//!
//! On a blocking platform the same code runs under [`block_on`]: a blocking transport's calls
//! finish before they return, so the futures never wait and polling once per step is enough.
//!
//! The credential gate ([`CredentialGate`]) runs before every attempt of a client request: it
//! asks the session's shared cache what to do ([`Claim`]), refreshes through the request's own
//! transport when told to, and waits while another caller refreshes. A response that says the
//! credentials expired (`ExpiredToken`, …) marks the request; the gate then expires the cache
//! before the retry, so the retry signs with new credentials (Go v1's `AfterRetry` calling
//! `Credentials.Expire`).

mod providers;
#[cfg(feature = "host-providers")]
mod sso;
// The providers against scripted answers; most of them are host providers.
#[cfg(all(test, feature = "host-providers"))]
mod tests;

use core::cell::RefCell;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use crate::credentials::cache::{
    expiry_window_secs, Claim, CredentialsHost, NoHost, SharedCredentials,
};
use crate::credentials::error::FetchError;
use crate::credentials::{CredentialPlan, Credentials, ProviderKind};
use crate::handlers::{AsyncAttemptGate, AttemptGate, Gated, Request, RequestError};
use crate::limits::REFRESH_WAIT_MS;
use crate::platform::ErrorKind;
use crate::platform::{
    AsyncPlatform, AsyncSleep, AsyncTransport, Clock, Entropy, Error as _, Platform, Sleep,
    Transport,
};
use crate::session::Session;
use crate::time::UnixTime;

pub use providers::fetch;

/// Polls `future` to completion without an executor. Only for futures that never wait on an
/// outside event (a blocking platform wrapped by [`BlockingTransport`] and [`BlockingSleep`]): a `Pending` is polled again.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// The clock a credential fetch reads: the caller's, except that for a call that needs no time
/// (the IoT credentials call of a device that does not know the time yet) an unset clock reads
/// as the epoch.
struct UnsetAsEpoch<'c, C: ?Sized> {
    clock: &'c C,
    unset_is_epoch: bool,
}

impl<C: Clock + ?Sized> Clock for UnsetAsEpoch<'_, C> {
    type Error = C::Error;
    fn now(&self) -> Result<UnixTime, C::Error> {
        match self.clock.now() {
            Err(e) if self.unset_is_epoch && e.kind() == ErrorKind::ClockUnset => {
                Ok(UnixTime::from_secs(0))
            }
            reading => reading,
        }
    }
}

/// A blocking transport seen as an async one, for [`block_on`].
pub struct BlockingTransport<'p, T: ?Sized>(pub &'p mut T);

impl<T: Transport + ?Sized> AsyncTransport for BlockingTransport<'_, T> {
    type Error = T::Error;
    async fn begin(&mut self, request: &crate::http::HttpRequest<'_>) -> Result<(), T::Error> {
        self.0.begin(request)
    }
    async fn write_body(&mut self, bytes: &[u8]) -> Result<(), T::Error> {
        self.0.write_body(bytes)
    }
    async fn finish(&mut self, response: &mut crate::http::ResponseHead) -> Result<(), T::Error> {
        self.0.finish(response)
    }
    async fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, T::Error> {
        self.0.read_body(buf)
    }
}

/// A blocking reader (buffered or not) seen as an async one, for [`block_on`].
pub struct BlockingRead<'r, R: ?Sized>(pub &'r mut R);

impl<R: embedded_io::Read + ?Sized> embedded_io::ErrorType for BlockingRead<'_, R> {
    type Error = R::Error;
}

impl<R: embedded_io::Read + ?Sized> embedded_io_async::Read for BlockingRead<'_, R> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, R::Error> {
        self.0.read(buf)
    }
}

impl<R: embedded_io::BufRead + ?Sized> embedded_io_async::BufRead for BlockingRead<'_, R> {
    async fn fill_buf(&mut self) -> Result<&[u8], R::Error> {
        self.0.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.0.consume(amt);
    }
}

/// A blocking sleep seen as an async one, for [`block_on`].
pub struct BlockingSleep<'p, S: ?Sized>(RefCell<&'p mut S>);

impl<'p, S: Sleep + ?Sized> BlockingSleep<'p, S> {
    /// Wraps `sleep`.
    pub fn new(sleep: &'p mut S) -> Self {
        BlockingSleep(RefCell::new(sleep))
    }
}

impl<S: Sleep + ?Sized> AsyncSleep for BlockingSleep<'_, S> {
    async fn sleep_ms(&self, millis: u32) {
        if let Ok(mut s) = self.0.try_borrow_mut() {
            s.sleep_ms(millis);
        }
    }
}

/// Refreshes the cache through a blocking platform's parts. Its own frame (the fetch's buffers,
/// about 20 KiB) exists only while refreshing, never on a cache hit.
#[inline(never)]
fn refresh_blocking<T, C, S, E>(
    session: &Session,
    cache: &dyn SharedCredentials,
    transport: &mut T,
    clock: &C,
    sleep: &mut S,
    entropy: &mut E,
    now: UnixTime,
) -> Result<(), RequestError>
where
    T: Transport + ?Sized,
    C: Clock + ?Sized,
    S: Sleep + ?Sized,
    E: Entropy + ?Sized,
{
    let mut fetched = Credentials::EMPTY;
    let result = fetch_blocking(
        session,
        cache.host(),
        transport,
        clock,
        sleep,
        entropy,
        now,
        &mut fetched,
    );
    settle(cache, session, &result, &fetched, now)
}

/// Fetches through a blocking platform's parts (in a frame of its own: the fetch future holds
/// the providers' buffers).
#[allow(clippy::too_many_arguments)] // the platform's parts, each borrowed once
#[inline(never)]
fn fetch_blocking<T, C, S, E>(
    session: &Session,
    host: &dyn crate::credentials::cache::CredentialsHost,
    transport: &mut T,
    clock: &C,
    sleep: &mut S,
    entropy: &mut E,
    now: UnixTime,
    out: &mut Credentials,
) -> Result<ProviderKind, FetchError>
where
    T: Transport + ?Sized,
    C: Clock + ?Sized,
    S: Sleep + ?Sized,
    E: Entropy + ?Sized,
{
    let mut transport = BlockingTransport(transport);
    let sleep = BlockingSleep::new(sleep);
    block_on(fetch(
        session,
        host,
        &mut transport,
        clock,
        &sleep,
        entropy,
        now,
        out,
    ))
}

/// Where a request's credentials come from, when a provider call may be needed: the session's
/// plan and its shared cache.
fn cached_plan<'a>(r: &Request<'a>) -> Option<(&'a Session, &'static dyn SharedCredentials)> {
    // A client's explicit credentials never go through the session's cache.
    if r.context::<crate::config::Config>()
        .is_some_and(|c| c.credentials.is_some())
    {
        return None;
    }
    let session = r.context::<Session>()?;
    if !session.credentials().needs_provider() {
        return None;
    }
    Some((session, session.shared_credentials()?))
}

/// What the gate does next for a request at `now`.
fn claim(cache: &dyn SharedCredentials, r: &mut Request<'_>, now: UnixTime) -> Claim {
    let expired = core::mem::take(&mut r.credentials_expired);
    let mut claim = Claim::Use;
    cache.with_slot(&mut |slot| {
        if expired {
            slot.expire();
        }
        claim = slot.claim(now);
    });
    claim
}

/// Stores the outcome of a refresh; an error when there are still no valid credentials.
fn settle(
    cache: &dyn SharedCredentials,
    session: &Session,
    result: &Result<ProviderKind, FetchError>,
    fetched: &Credentials,
    now: UnixTime,
) -> Result<(), RequestError> {
    let mut outcome = Ok(());
    cache.with_slot(&mut |slot| match result {
        Ok(provider) => slot.store(fetched, *provider, window(session, *provider)),
        Err(e) => {
            slot.fail(e.clone());
            if slot.valid(now).is_none() {
                outcome = Err(RequestError::Credentials {
                    provider: e.provider,
                    code: e.code(),
                });
            }
        }
    });
    outcome
}

/// The refresh window of credentials from `provider` (a caller's provider says its own).
fn window(session: &Session, provider: ProviderKind) -> u32 {
    match session.credentials() {
        CredentialPlan::Chain {
            base: crate::credentials::BaseCredentials::Custom(p),
            hops,
        } if hops.is_empty() => p.0.expiry_window_secs(),
        _ => expiry_window_secs(provider),
    }
}

/// The credential gate of client requests (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct CredentialGate;

impl<T, C, S, E> AttemptGate<T, C, S, E> for CredentialGate
where
    T: Transport + ?Sized,
    C: Clock + ?Sized,
    S: Sleep + ?Sized,
    E: Entropy + ?Sized,
{
    fn before_attempt(
        &mut self,
        request: &mut Request<'_>,
        mut now: UnixTime,
        transport: &mut T,
        clock: &C,
        sleep: &mut S,
        entropy: &mut E,
    ) -> Result<Gated, RequestError> {
        let Some((session, cache)) = cached_plan(request) else {
            return Ok(Gated::Ready);
        };
        let mut gated = Gated::Ready;
        loop {
            match claim(cache, request, now) {
                Claim::Use => return Ok(gated),
                Claim::Wait => {
                    sleep.sleep_ms(REFRESH_WAIT_MS);
                    gated = Gated::Worked;
                    now = clock.now().map_err(|e| RequestError::Clock(e.kind()))?;
                }
                Claim::Refresh => {
                    return refresh_blocking(session, cache, transport, clock, sleep, entropy, now)
                        .map(|()| Gated::Worked);
                }
            }
        }
    }
}

impl<T, C, E> AsyncAttemptGate<T, C, E> for CredentialGate
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    E: Entropy + ?Sized,
{
    async fn before_attempt<S: AsyncSleep + ?Sized>(
        &mut self,
        request: &mut Request<'_>,
        mut now: UnixTime,
        transport: &mut T,
        clock: &C,
        sleep: &S,
        entropy: &mut E,
    ) -> Result<Gated, RequestError> {
        let Some((session, cache)) = cached_plan(request) else {
            return Ok(Gated::Ready);
        };
        let mut gated = Gated::Ready;
        loop {
            match claim(cache, request, now) {
                Claim::Use => return Ok(gated),
                Claim::Wait => {
                    sleep.sleep_ms(REFRESH_WAIT_MS).await;
                    gated = Gated::Worked;
                    now = clock.now().map_err(|e| RequestError::Clock(e.kind()))?;
                }
                Claim::Refresh => {
                    let mut fetched = Credentials::EMPTY;
                    // The clock wrapper and the sleep are those of `retrieve_credentials_async`:
                    // firmware links one copy of the providers' code.
                    let clock = UnsetAsEpoch {
                        clock,
                        unset_is_epoch: false,
                    };
                    let result = fetch(
                        session,
                        cache.host(),
                        &mut *transport,
                        &clock,
                        sleep,
                        entropy,
                        now,
                        &mut fetched,
                    )
                    .await;
                    return settle(cache, session, &result, &fetched, now).map(|()| Gated::Worked);
                }
            }
        }
    }
}

impl Session {
    /// Credentials to sign with now (Go v1 `Credentials.Get`): from the shared cache when it
    /// holds valid ones, else fetched through `platform` (and stored in the cache). A session
    /// without a cache fetches every time. Anonymous sessions give an error.
    ///
    /// # Errors
    /// [`FetchError`] naming the provider and what went wrong.
    pub fn retrieve_credentials<P: Platform + ?Sized>(
        &self,
        platform: &mut P,
        out: &mut Credentials,
    ) -> Result<ProviderKind, FetchError> {
        let (transport, clock, sleep, entropy) = platform.parts();
        let mut transport = BlockingTransport(transport);
        let sleep = BlockingSleep::new(sleep);
        block_on(self.retrieve_with(&mut transport, clock, &sleep, entropy, out))
    }

    /// [`Session::retrieve_credentials`] on an async platform: on a device, refresh the cache
    /// over a connection to the provider (STS, or the AWS IoT credentials provider with the
    /// device certificate) before requests to other hosts need it.
    ///
    /// # Errors
    /// [`FetchError`] naming the provider and what went wrong.
    pub async fn retrieve_credentials_async<P: AsyncPlatform + ?Sized>(
        &self,
        platform: &mut P,
        out: &mut Credentials,
    ) -> Result<ProviderKind, FetchError> {
        let (transport, clock, sleep, entropy) = platform.parts();
        self.retrieve_with(transport, clock, sleep, entropy, out)
            .await
    }

    /// The body of both: the cache's claim, then a fetch, a wait or the cached credentials.
    /// Every fetch goes through one call of [`fetch`] (one copy of the providers' code per
    /// platform in a firmware image).
    async fn retrieve_with<T, C, S, E>(
        &self,
        transport: &mut T,
        clock: &C,
        sleep: &S,
        entropy: &mut E,
        out: &mut Credentials,
    ) -> Result<ProviderKind, FetchError>
    where
        T: AsyncTransport + ?Sized,
        C: Clock + ?Sized,
        S: AsyncSleep + ?Sized,
        E: Entropy + ?Sized,
    {
        let provider = self.credentials().provider();
        let cache = self
            .shared_credentials()
            .filter(|_| self.credentials().needs_provider());
        loop {
            let (now, untimed) = match clock.now() {
                Ok(now) => (now, false),
                // The AWS IoT credentials call is authenticated by the device certificate, not
                // by a signature: a device may make it before it knows the time, and the
                // answer's `Date` sets its clock (the adapter's transport does that).
                Err(e)
                    if e.kind() == ErrorKind::ClockUnset
                        && provider == ProviderKind::IotCredentials =>
                {
                    (UnixTime::from_secs(0), true)
                }
                Err(e) => return Err(FetchError::clock(provider, e.kind())),
            };
            let mut claim = Claim::Refresh;
            if let (Some(cache), false) = (cache, untimed) {
                let mut cached = ProviderKind::Anonymous;
                cache.with_slot(&mut |slot| {
                    claim = slot.claim(now);
                    if let (Claim::Use, Some(c)) = (claim, slot.valid(now)) {
                        out.clone_from(c);
                        cached = slot.provider().unwrap_or(ProviderKind::Anonymous);
                    }
                });
                match claim {
                    Claim::Use => return Ok(cached),
                    Claim::Wait => {
                        sleep.sleep_ms(REFRESH_WAIT_MS).await;
                        continue;
                    }
                    Claim::Refresh => {}
                }
            }
            let host = cache.map_or(&NoHost as &dyn CredentialsHost, |c| c.host());
            let timed = UnsetAsEpoch {
                clock,
                unset_is_epoch: untimed,
            };
            let result = fetch(self, host, transport, &timed, sleep, entropy, now, out).await;
            if let Some(cache) = cache {
                // A call made before the clock was set is cached at the time its answer set
                // (nothing is cached when it set none).
                let settled_at = if untimed { clock.now().ok() } else { Some(now) };
                if let Some(at) = settled_at {
                    let _ = settle(cache, self, &result, out, at);
                }
            }
            return result;
        }
    }

    /// The error of the last failed refresh of the shared cache, if any.
    pub fn last_credentials_error(&self) -> Option<FetchError> {
        let mut last = None;
        if let Some(cache) = self.shared_credentials() {
            cache.with_slot(&mut |slot| last = slot.last_error().cloned());
        }
        last
    }
}

/// Which providers a build without `host-providers` leaves out: `cargo test -p aws-session-core`
/// builds core without it (the refusals are checked), the workspace's tests with it (the
/// providers are checked to run).
#[cfg(test)]
mod left_out {
    use crate::credentials::error::FetchReason;
    use crate::credentials::{Credentials, ProviderKind};
    use crate::platform::Bundle;
    use crate::test_util::{
        session_with_config, FakeClock, FakeEntropy, FakeTransport, RecordingSleep,
    };

    #[test]
    fn host_providers_are_refused_by_name_when_left_out_of_the_build() {
        let built = cfg!(feature = "host-providers");
        let cases = [
            (
                "[default]\ncredential_process = /bin/creds\n",
                ProviderKind::Process,
            ),
            (
                "[default]\nsso_start_url = https://d.awsapps.com/start\nsso_region = us-east-1\n\
                 sso_account_id = 123456789012\nsso_role_name = r\n",
                ProviderKind::Sso,
            ),
            // The default chain's remote step: IMDS once chosen, the fallback when not built.
            (
                "[default]\nregion = us-east-1\n",
                if built {
                    ProviderKind::Ec2InstanceMetadata
                } else {
                    ProviderKind::RemoteFallback
                },
            ),
        ];
        for (config, kind) in cases {
            let session = session_with_config(&[], config).unwrap();
            // No answers: a provider that is built fails on its first call or file read.
            let mut platform = Bundle {
                transport: FakeTransport::new(&[]),
                clock: FakeClock::at(1_700_000_000),
                sleep: RecordingSleep::new(),
                entropy: FakeEntropy::new(1),
            };
            let mut out = Credentials::EMPTY;
            let error = session
                .retrieve_credentials(&mut platform, &mut out)
                .unwrap_err();
            assert_eq!(error.provider, kind);
            assert_eq!(error.reason == FetchReason::NotBuilt, !built, "{kind:?}");
            if !built {
                assert_eq!(platform.transport.exchanges(), 0, "{kind:?}");
                let text = std::format!("{error}");
                assert!(text.contains(error.provider.name()), "{text}");
                assert!(
                    text.ends_with(
                        "this provider is not in this build (aws-session-core feature host-providers)"
                    ),
                    "{text}"
                );
            }
            assert!(!out.has_keys());
        }
    }
}
