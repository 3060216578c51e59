//! The device application shared by the STM32 and ESP32-C3 examples (each includes this file):
//! profile from flash → session → STS `GetCallerIdentity` over HTTPS, through core's async
//! request pipeline. The platform sets the wall clock from the endpoint's first response.
//!
//! Board-specific code (clocks, network interface, flash driver, RNG, logging) stays in each
//! example's `main.rs`; this file only needs an embassy-net stack, a NOR flash range and an RNG.

use core::ops::Range;

use aws_session_core::session::Session;
use aws_session_embassy::clock::WallClock;
use aws_session_embassy::store::{FlashProfiles, NoEnv, ProfileStore};
use aws_session_embassy::tls::{self, TlsBuffers, TrustAnchors};
use aws_session_embassy::{EmbassyPlatform, Error};
use embassy_net::Stack;
use embedded_storage_async::nor_flash::NorFlash;
use rand_core::{CryptoRng, RngCore};

/// The STS request body.
const GET_CALLER_IDENTITY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

/// Long-lived memory of the application (about 40 KiB): put it in a `StaticCell`.
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
    /// Empty memory.
    pub fn new() -> Self {
        AppMemory {
            tls: TlsBuffers::new(),
            profiles: FlashProfiles::new(),
            session: Session::unconfigured(),
            response: [0; 1024],
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
    rng: R,
    clock: &'static WallClock,
    anchors: &TrustAnchors<'_>,
    mem: &'static mut AppMemory,
) -> Result<u16, Error> {
    // Profile: the active one of the store, written by `aws-session device image` (README,
    // "Provisioning a device"); nothing is compiled in. Without one, loading fails with
    // `StoreError::NotFound`.
    let mut store = ProfileStore::new(flash, range)?;
    store.load(None, &mut mem.profiles).await?;

    // Session, STS client, HTTPS to its endpoint.
    mem.session
        .rebuild(&mem.profiles.options(), &NoEnv, &mem.profiles)?;
    let client = mem.session.client("sts")?;
    let endpoint = client.endpoint()?;
    let mut platform =
        EmbassyPlatform::connect(stack, &mut mem.tls, endpoint, anchors, rng, clock).await?;

    // The signed call, through core's pipeline (Validate, Build, Sign, Send, retries…).
    let mut request = client.form_request("GetCallerIdentity", GET_CALLER_IDENTITY)?;
    request.set_response_buffer(&mut mem.response);
    client.send_async(&mut request, &mut platform).await?;
    Ok(request.response.status())
}
