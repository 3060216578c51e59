//! The device application shared by the STM32 and ESP32-C3 examples (each includes this file):
//! profile from flash → session → STS `GetCallerIdentity` over HTTPS, through core's async
//! request pipeline, on a [`Link`] (reconnects inside the retries). The wall clock is set from
//! the endpoint's first response.
//!
//! A profile of the AWS IoT credentials provider (written by `aws-session device image` from a
//! profile with `iot_credentials_endpoint`, `iot_role_alias` and a certificate) first connects to
//! the provider with the device identity stored beside it (mutual TLS), fills the credential cache
//! (the answer's `Date` sets the clock), then signs the STS call with those temporary keys.
//!
//! Board-specific code (clocks, network interface, flash driver, RNG, logging) stays in each
//! example's `main.rs`; this file only needs an embassy-net stack, a NOR flash range and an RNG.

use core::mem::MaybeUninit;
use core::ops::Range;
use core::ptr::addr_of_mut;

use aws_session_core::credentials::Credentials;
use aws_session_core::session::Session;
use aws_session_embassy::clock::WallClock;
use aws_session_embassy::credentials::DeviceCredentials;
use aws_session_embassy::http::HttpConfig;
use aws_session_embassy::link::Link;
use aws_session_embassy::platform::TimerSleep;
use aws_session_embassy::store::{FlashProfiles, NoEnv, ProfileStore, StoreError, StoredIdentity};
use aws_session_embassy::tls::{self, ClientIdentity, Target, TlsBuffers, TrustAnchors};
use aws_session_embassy::Error;
use embassy_net::Stack;
use embedded_storage_async::nor_flash::NorFlash;
use rand_core::{CryptoRng, RngCore};

/// The session's credential cache (filled over the AWS IoT credentials provider's connection when
/// the profile uses it).
static CREDENTIALS: DeviceCredentials = DeviceCredentials::new();

/// The STS request body.
const GET_CALLER_IDENTITY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

/// Long-lived memory of the application (about 40 KiB): made in a `StaticCell` by
/// [`AppMemory::init`].
pub struct AppMemory {
    /// TCP rings, TLS records (a full 16 KiB record for AWS servers), HTTP head.
    pub tls: TlsBuffers<2048, 2048, { tls::MAX_TLS_RECORD_LEN }, 2048, 2048>,
    /// The selected profile as config text.
    pub profiles: FlashProfiles<1024>,
    /// The session, built in place.
    pub session: Session,
    /// The response body of the STS call.
    pub response: [u8; 1024],
}

impl AppMemory {
    /// Empty memory, made where it lies: `slot` is a `StaticCell`'s (`MEMORY.uninit()`).
    ///
    /// Not `init_with(new)`: a value built by a call and then moved into a `static` is built on
    /// the stack first. The whole 40 KiB then sat in the frame of the task that made it, for as
    /// long as that task ran (the main task's frame was 38.4 KiB, two thirds of the device's peak
    /// stack). Here each field is written in place; at worst one passes through this function's
    /// own frame, once, at start-up (on the Cortex-M3 none does: the frame is 16 bytes).
    #[inline(never)]
    pub fn init(slot: &'static mut MaybeUninit<AppMemory>) -> &'static mut AppMemory {
        let p = slot.as_mut_ptr();
        // SAFETY: `p` points to the slot, which `&'static mut` makes ours alone; each field is
        // written once through a raw pointer (no reference to uninitialised memory is made), and
        // the slot is taken as initialised only after every field was written.
        unsafe {
            addr_of_mut!((*p).tls).write(TlsBuffers::new());
            addr_of_mut!((*p).profiles).write(FlashProfiles::new());
            addr_of_mut!((*p).session).write(Session::unconfigured());
            addr_of_mut!((*p).response).write([0; 1024]);
            slot.assume_init_mut()
        }
    }
}

/// Runs the application once; returns the HTTP status of `GetCallerIdentity`.
///
/// # Errors
/// [`Error`] naming the step that failed.
pub async fn run<F: NorFlash, R: RngCore + CryptoRng>(
    stack: Stack<'static>,
    flash: F,
    range: Range<u32>,
    rng: &mut R,
    clock: &'static WallClock,
    anchors: &TrustAnchors<'_>,
    mem: &'static mut AppMemory,
) -> Result<u16, Error> {
    // The store, the session and the IoT credentials first, in a future of their own: what they
    // hold (the store's record buffer, the provider call) then shares the task's memory with the
    // STS call instead of sitting beside it. (The store stays in this block: `load` returning
    // it, 3.7 KiB, made the main task's poll frame 15 KiB deeper.)
    async {
        let mut store = ProfileStore::new(flash, range)?;
        load(&mut store, stack, rng, clock, anchors, mem).await
    }
    .await?;

    // STS client, and a link to its endpoint: HTTPS, kept alive between calls, opened again
    // inside the retries when the server closed it or it broke. While the clock is unset, a new
    // connection first asks the endpoint for its `Date`. In a future of its own too: the link and
    // the request live across two awaits (the call and the close), and as locals of `run` they
    // would sit beside the first future's memory instead of sharing it.
    async {
        let client = mem.session.client("sts")?;
        let target = Target::host(client.endpoint()?.authority());
        let mut link = Link::new(
            stack,
            &mut mem.tls,
            target,
            *anchors,
            rng,
            HttpConfig::default(),
        )
        .with_clock(clock);

        // The signed call, through core's pipeline (Validate, Build, Sign, Send, retries…).
        let mut request = client.form_request("GetCallerIdentity", GET_CALLER_IDENTITY)?;
        request.set_response_buffer(&mut mem.response);
        link.send(&client, &mut request, clock, &TimerSleep).await?;
        link.close().await;
        Ok(request.response.status())
    }
    .await
}

/// Loads the active profile of `store` into `mem.session` and, for an AWS IoT credentials
/// profile, fills the credential cache over mutual TLS with the device identity stored beside it
/// (the answer's `Date` sets `clock`).
///
/// # Errors
/// [`Error`] naming the step that failed.
pub async fn load<F: NorFlash, R: RngCore + CryptoRng>(
    store: &mut ProfileStore<F>,
    stack: Stack<'static>,
    rng: &mut R,
    clock: &'static WallClock,
    anchors: &TrustAnchors<'_>,
    mem: &mut AppMemory,
) -> Result<(), Error> {
    // Profile: the active one of the store, written by `aws-session device image` (README,
    // "Provisioning a device"); nothing is compiled in. Without one, loading fails with
    // `StoreError::NotFound`.
    store.load(None, &mut mem.profiles).await?;

    // Session.
    mem.session
        .rebuild(&mem.profiles.options(), &NoEnv, &mem.profiles)?;
    mem.session.share_credentials(&CREDENTIALS);

    // An AWS IoT credentials profile: temporary keys from the provider, over mutual TLS with the
    // device identity stored beside the profile.
    if let Some(iot) = mem.session.credentials().iot() {
        let authority = iot.authority().ok_or(Error::Identity)?;
        let identity = stored_identity(store).await?;
        let mut key = identity.key()?;
        let identity = ClientIdentity {
            certificate: identity.certificate,
            key: &mut key,
        };
        // A link like the STS call's, with the device identity: one copy of the handshake and
        // of the providers' code serves both.
        let mut link = Link::new(
            stack,
            &mut mem.tls,
            Target::host(authority),
            *anchors,
            &mut *rng,
            HttpConfig::default(),
        )
        .with_identity(identity, &[])
        .with_clock(clock);
        link.connect().await?;
        let mut fetched = Credentials::EMPTY;
        link.retrieve_credentials(&mem.session, clock, &TimerSleep, &mut fetched)
            .await?;
        link.close().await;
    }
    Ok(())
}

/// The device identity (certificate and key) stored beside the store's active profile.
///
/// # Errors
/// [`Error::Store`] with [`StoreError::NotFound`] when there is no active profile or it has no
/// identity.
pub async fn stored_identity<F: NorFlash>(
    store: &mut ProfileStore<F>,
) -> Result<StoredIdentity<'_>, Error> {
    let name = store
        .active()
        .await?
        .ok_or(Error::Store(StoreError::NotFound))?;
    store
        .identity(&name)
        .await?
        .ok_or(Error::Store(StoreError::NotFound))
}
