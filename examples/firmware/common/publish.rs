//! Publishing to AWS IoT Core over HTTPS (`POST /topics/<topic>?qos=1` on the account's data
//! endpoint, `<prefix>-ats.iot.<region>.amazonaws.com`), the three ways IoT Core accepts:
//!
//! 1. with the device certificate on port 8443 (mutual TLS, the request unsigned);
//! 2. with the device certificate on port 443, offering the ALPN protocol `x-amzn-http-ca`
//!    (without it, port 443 expects a signature);
//! 3. with a SigV4 signature on port 443 (service `iotdata`), here with the temporary keys the
//!    AWS IoT credentials provider gave for the same certificate.
//!
//! The profile comes from the flash store, as in `app.rs`: the data endpoint is the profile's
//! `endpoint_url` (`https://<prefix>-ats.iot.<region>.amazonaws.com`), the credentials
//! provider's settings and the device identity are those of an IoT profile. Board code stays in
//! each example's `main.rs`.

use core::fmt::Write as _;
use core::ops::Range;

use aws_session_core::config::{Config, ExplicitCredentials};
use aws_session_core::ops::{iot_data, RawError};
use aws_session_embassy::clock::WallClock;
use aws_session_embassy::http::HttpConfig;
use aws_session_embassy::link::Link;
use aws_session_embassy::platform::TimerSleep;
use aws_session_embassy::store::ProfileStore;
use aws_session_embassy::tls::{ClientIdentity, Target, TrustAnchors, ALPN_IOT_HTTP};
use aws_session_embassy::Error;
use embassy_net::Stack;
use embedded_storage_async::nor_flash::NorFlash;
use heapless::String;
use rand_core::{CryptoRng, RngCore};

use crate::app::{self, AppMemory};

/// The topic every publish goes to, and what it carries.
pub const TOPIC: &str = "dt/device-7/temperature";
/// The message.
pub const PAYLOAD: &[u8] = b"{\"temperature\":21.5}";
/// IoT Core's port for certificate authentication without ALPN.
const CERTIFICATE_PORT: u16 = 8443;
/// Room for `https://`, a data endpoint's name and a port.
const MAX_URL_LEN: usize = 96;

/// How one publish authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The device certificate on port 8443.
    CertificatePort8443,
    /// The device certificate on port 443 with ALPN `x-amzn-http-ca`.
    CertificateAlpn443,
    /// SigV4 on port 443.
    SigV4Port443,
}

impl Auth {
    /// The three, in the order [`run`] publishes.
    pub const ALL: [Auth; 3] = [
        Auth::CertificatePort8443,
        Auth::CertificateAlpn443,
        Auth::SigV4Port443,
    ];

    /// The port, when not 443.
    const fn port(self) -> Option<u16> {
        match self {
            Auth::CertificatePort8443 => Some(CERTIFICATE_PORT),
            Auth::CertificateAlpn443 | Auth::SigV4Port443 => None,
        }
    }

    /// With the device certificate: the ALPN protocols to offer. `None`: signed instead.
    const fn certificate_alpn(self) -> Option<&'static [&'static [u8]]> {
        match self {
            Auth::CertificatePort8443 => Some(&[]),
            Auth::CertificateAlpn443 => Some(&[ALPN_IOT_HTTP]),
            Auth::SigV4Port443 => None,
        }
    }

    /// What the firmware prints for it.
    pub const fn describe(self) -> &'static str {
        match self {
            Auth::CertificatePort8443 => "certificate on port 8443",
            Auth::CertificateAlpn443 => "certificate on port 443 (ALPN x-amzn-http-ca)",
            Auth::SigV4Port443 => "SigV4 on port 443",
        }
    }
}

/// Loads the profile (getting temporary keys from the AWS IoT credentials provider), then
/// publishes [`PAYLOAD`] to [`TOPIC`] once in each of [`Auth::ALL`]'s ways; returns the HTTP
/// statuses in that order.
///
/// # Errors
/// [`Error`] naming the step that failed; [`Error::Operation`] when the data endpoint's name is
/// too long for [`MAX_URL_LEN`].
pub async fn run<F: NorFlash, R: RngCore + CryptoRng>(
    stack: Stack<'static>,
    flash: F,
    range: Range<u32>,
    rng: &mut R,
    clock: &'static WallClock,
    anchors: &TrustAnchors<'_>,
    mem: &'static mut AppMemory,
) -> Result<[u16; 3], Error> {
    let mut store = ProfileStore::new(flash, range)?;
    app::load(&mut store, stack, &mut *rng, clock, anchors, mem).await?;
    let identity = app::stored_identity(&mut store).await?;
    let mut key = identity.key()?;

    // The data endpoint's host name, from the profile's `endpoint_url`.
    let signed = mem.session.client(iot_data::SERVICE)?;
    let authority = signed.endpoint()?.authority();
    let host = authority.split(':').next().unwrap_or(authority);
    let too_long = || RawError::TooLong {
        param: "endpoint_url",
        limit: MAX_URL_LEN,
        len: host.len(),
    };
    let mut statuses = [0u16; 3];
    for (auth, status) in Auth::ALL.into_iter().zip(statuses.iter_mut()) {
        let mut target_host = String::<MAX_URL_LEN>::new();
        match auth.port() {
            Some(p) => write!(target_host, "{host}:{p}"),
            None => write!(target_host, "{host}"),
        }
        .map_err(|_| too_long())?;
        // The certificate's ways send the request unsigned, to the port the way needs.
        let mut url = String::<MAX_URL_LEN>::new();
        write!(url, "https://{target_host}").map_err(|_| too_long())?;
        let unsigned = Config {
            credentials: Some(ExplicitCredentials::Anonymous),
            ..Config::default()
        }
        .with_endpoint(&url)
        .map_err(|_| too_long())?;
        let unsigned_client;
        let client = match auth.certificate_alpn() {
            None => &signed,
            Some(_) => {
                unsigned_client = mem.session.client_with(iot_data::SERVICE, &unsigned)?;
                &unsigned_client
            }
        };
        let mut link = Link::new(
            stack,
            &mut mem.tls,
            Target::host(&target_host),
            *anchors,
            &mut *rng,
            HttpConfig::default(),
        )
        .with_clock(clock);
        if let Some(alpn) = auth.certificate_alpn() {
            link = link.with_identity(
                ClientIdentity {
                    certificate: identity.certificate,
                    key: &mut key,
                },
                alpn,
            );
        }
        let mut request = iot_data::publish(client, TOPIC, 1, PAYLOAD)?;
        request.set_response_buffer(&mut mem.response);
        link.send(client, &mut request, clock, &TimerSleep).await?;
        link.close().await;
        *status = request.response.status();
    }
    Ok(statuses)
}
