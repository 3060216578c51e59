//! The device application shared by the STM32 and ESP32-C3 examples (each includes this file):
//! profile from flash → session → wall clock from the first response → STS `GetCallerIdentity`
//! over HTTPS, through core's async request pipeline.
//!
//! Board-specific code (clocks, network interface, flash driver, RNG, logging) stays in each
//! example's `main.rs`; this file only needs an embassy-net stack, a NOR flash range and an RNG.

use core::ops::Range;

use aws_session_core::config::Config;
use aws_session_core::handlers::{run_async, Pipeline, RequestError};
use aws_session_core::http::{Body, HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::platform::{AsyncTransport, Entropy};
use aws_session_core::session::Session;
use aws_session_embassy::clock::WallClock;
use aws_session_embassy::http::{HttpConfig, HttpError};
use aws_session_embassy::store::{
    FlashProfiles, ImportError, LoadError, NoEnv, ProfileStore, StoreError,
};
use aws_session_embassy::tls::{self, Target, TlsBuffers, TrustAnchors};
use embassy_net::Stack;
use embassy_time::Timer;
use embedded_storage_async::nor_flash::NorFlash;
use rand_core::{CryptoRng, RngCore};

/// First-boot provisioning text, in `~/.aws` syntax. A product receives it over a provisioning
/// channel (UART, BLE, a QR code) instead; these are the AWS documentation's example keys.
pub const PROVISION_CONFIG: &str = "[profile device]\nregion = us-east-1\n";
/// See [`PROVISION_CONFIG`].
pub const PROVISION_CREDENTIALS: &str =
    "[device]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

/// The STS request body.
const GET_CALLER_IDENTITY: &[u8] = b"Action=GetCallerIdentity&Version=2011-06-15";

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

/// What went wrong, by stage (the fields are read through `Debug` by the board's logger).
#[derive(Debug, Clone, Copy)]
#[allow(dead_code)]
pub enum AppError {
    /// The flash store failed.
    Store(StoreError),
    /// First-boot provisioning failed.
    Import,
    /// Loading the profile failed.
    Load(LoadError),
    /// The session could not be created from the profile.
    Session,
    /// No endpoint for STS (no region).
    Endpoint,
    /// Connecting, TLS, or the clock bootstrap request failed.
    Http(HttpError),
    /// The signed request failed.
    Request(RequestError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Store(e)
    }
}

impl From<ImportError<'_>> for AppError {
    fn from(_: ImportError<'_>) -> Self {
        AppError::Import
    }
}

/// core's `Entropy` (retry jitter) from the board's RNG.
struct RngEntropy<'r, R>(&'r mut R);

impl<R: RngCore> Entropy for RngEntropy<'_, R> {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
}

/// Runs the application once; returns the HTTP status of `GetCallerIdentity`.
///
/// # Errors
/// [`AppError`] naming the stage that failed.
pub async fn run<F: NorFlash, R: RngCore + CryptoRng>(
    stack: Stack<'static>,
    flash: F,
    range: Range<u32>,
    rng: &mut R,
    clock: &'static WallClock,
    anchors: &TrustAnchors<'_>,
    mem: &'static mut AppMemory,
) -> Result<u16, AppError> {
    // Profile: provision on first boot, then load the active one.
    let mut store = ProfileStore::new(flash, range)?;
    if store.active().await?.is_none() {
        store
            .import(Some(PROVISION_CONFIG), Some(PROVISION_CREDENTIALS), None)
            .await?;
        store.select("device").await?;
    }
    store
        .load(None, &mut mem.profiles)
        .await
        .map_err(AppError::Load)?;
    drop(store);

    // Session and STS client.
    let AppMemory {
        tls: buffers,
        profiles,
        session,
        response,
    } = mem;
    session
        .rebuild(&profiles.options(), &NoEnv, &*profiles)
        .map_err(|_| AppError::Session)?;
    let client = session
        .client("sts", &Config::default())
        .map_err(|_| AppError::Session)?;
    let endpoint = client.endpoint().map_err(|_| AppError::Endpoint)?;
    let host = endpoint
        .url
        .as_str()
        .trim_start_matches("https://")
        .trim_end_matches('/');

    // HTTPS to the endpoint; every response's Date feeds the wall clock.
    let mut conn = tls::connect(
        stack,
        buffers,
        &Target::host(host),
        anchors,
        &mut *rng,
        HttpConfig::default(),
    )
    .await
    .map_err(AppError::Http)?
    .with_clock(clock);

    // No RTC: one unsigned request sets the clock from its Date header.
    if !clock.is_set() {
        let probe = HttpRequest::new(Method::Get, Scheme::Https, host, "/")
            .map_err(|_| AppError::Endpoint)?;
        conn.begin(&probe).await.map_err(AppError::Http)?;
        let mut head = ResponseHead::new();
        conn.finish(&mut head).await.map_err(AppError::Http)?;
        let mut sink = [0u8; 128];
        while conn.read_body(&mut sink).await.map_err(AppError::Http)? > 0 {}
    }

    // The signed call, through core's pipeline (Validate, Build, Sign, Send, retries…).
    let mut request = client.request("GetCallerIdentity");
    request.http.set_method(Method::Post);
    let _ = request.http.headers_mut().insert(
        "content-type",
        "application/x-www-form-urlencoded; charset=utf-8",
    );
    request.http.set_body(Body::Bytes(GET_CALLER_IDENTITY));
    request.set_response_buffer(response);
    let mut entropy = RngEntropy(rng);
    let result = run_async(
        Pipeline::new(client.handlers(), &mut request),
        &mut conn,
        clock,
        |ms| Timer::after_millis(ms.into()),
        &mut entropy,
    )
    .await;
    let status = request.response.status();
    result.map_err(AppError::Request)?;
    Ok(status)
}
