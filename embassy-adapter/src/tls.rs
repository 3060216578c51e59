//! HTTPS over embassy-net: TLS 1.3 with `embedded-tls`, certificates verified against trust
//! anchors the application provides (feature `tls`).
//!
//! # Trust model
//!
//! The server is authenticated by [`aws_session_tls_verify`] (see its docs for every check):
//!
//! * **Anchors** ([`TrustAnchors`]): the AWS roots by default ([`TrustAnchors::aws`]: Amazon Root
//!   CA 1–4 and Starfield Services Root G2), or exactly the anchors the application gives —
//!   pre-parsed ([`TrustAnchors::from_anchors`]) or as DER certificates ([`TrustAnchors::new`]).
//! * **Chain**: a path is built from the leaf through the certificates the server sent (any
//!   order, cross-signed roots and extra certificates tolerated) to an anchor; every certificate
//!   is checked (signature, CA flag and path length, key usage, serverAuth, name constraints,
//!   validity). ECDSA P-256 always; P-384 with feature `tls-p384`; RSA PKCS#1 v1.5 and the RSA-PSS
//!   handshake signatures (2048–4096 bits) with feature `tls-rsa` — no heap in any case. The leaf
//!   must name the host in a subject alternative name (RFC 6125 wildcards), and the handshake's
//!   CertificateVerify must verify with its key over the transcript.
//! * **Time**: validity is checked against the clock registered with [`check_validity_with`].
//!   While it is not set (or none is registered), the handshake is refused with
//!   [`CertError::ClockNotSet`] unless the anchors opt into
//!   [`ClockPolicy::BuildTimeLowerBound`] ([`TrustAnchors::with_clock_policy`]; the firmware
//!   examples pass [`BUILD_TIME`]) — a device that learns the time from
//!   its first response needs that.
//! * **Not checked**: revocation.
//! * **Insecure mode**: only with the feature `insecure-skip-tls-verify-for-tests-only`, which
//!   adds `TrustAnchors::insecure_accept_any_certificate_for_tests_only`. Never enable it in
//!   firmware.
//!
//! # Mutual TLS
//!
//! [`connect_with`] can also present a device certificate ([`ClientIdentity`]: the DER
//! certificate AWS IoT registered, and a [`DeviceKey`] that signs the handshake — a secure element
//! through its driver, or [`P256Key`] for a key held in RAM) and offer ALPN protocols (AWS IoT
//! Core's HTTPS on port 443 needs [`ALPN_IOT_HTTP`]; port 8443 needs none). ECDSA P-256 keys.
//!
//! # Connections
//!
//! `embedded-tls` borrows its record buffers for the connection's whole life, so a TLS session
//! cannot be rebuilt inside a transport that keeps borrowing them. [`connect`] therefore returns
//! an [`HttpsConnection`] that borrows the caller's [`TlsBuffers`]; it carries any number of
//! requests to its host (keep-alive). When it fails with a connection error (the server closed
//! it), drop it and call [`connect`] again — the borrow ends with the connection:
//!
//! ```ignore
//! let mut buffers = TlsBuffers::<4096, 2048, 16640, 2048, 2048>::new();
//! loop {
//!     let https = tls::connect(stack, &mut buffers, &target, &anchors, &mut rng, HttpConfig::default()).await?;
//!     let mut platform = EmbassyPlatform::new(https, &clock, &mut rng);
//!     while let Some(mut request) = next_request(&client) {
//!         if let Err(e) = client.send_async(&mut request, &mut platform).await {
//!             if e.is_transport() { break } // reconnect
//!         }
//!     }
//! }
//! ```
//!
//! [`EmbassyPlatform::connect`](crate::EmbassyPlatform::connect) does the first two steps for a
//! client's endpoint. [`crate::link::Link`] does the whole loop for you: it keeps its connection
//! between requests and opens a new one in the same buffers before a request when the last one
//! was closed or sat idle too long, and between the handlers' attempts when one broke, so a
//! connection lost mid-request costs one retry.

use core::cell::Cell;
use core::fmt;
use core::future::Future;

use aws_session_core::http::{HttpRequest, ResponseHead, Scheme};
use aws_session_core::limits::MAX_HOST_LEN;
use aws_session_core::platform::{AsyncTransport, Clock};
use aws_session_core::text::Text;
use aws_session_tls_verify::sha256::Sha256;
use aws_session_tls_verify::{anchor_from_der, anchors, ServerKey, Verifier, MAX_CHAIN_CERTS};
pub use aws_session_tls_verify::{CertError, ClockPolicy, TrustAnchor, BUILD_TIME};
use digest::Digest as _;
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpAddress, IpEndpoint, Stack};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_time::{with_timeout, Duration};
use embedded_tls::{
    Aes128GcmSha256, CertificateEntryRef, CertificateRef, CertificateVerifyRef, CryptoProvider,
    TlsCipherSuite, TlsConfig, TlsConnection, TlsContext, TlsError, TlsVerifier,
};
use rand_core::{CryptoRng, RngCore};

use crate::clock::WallClock;
use crate::http::{HttpConfig, HttpConnection, HttpError, TlsFailure};
use crate::limits::MAX_DER_TRUST_ANCHORS;
use crate::net::{resolve, split_host};

/// The cipher suite: `TLS_AES_128_GCM_SHA256`, which every TLS 1.3 server must offer, as
/// `embedded-tls` defines it except for the hash: the transcript and key schedule hash with the
/// image's one SHA-256 (core's, through [`Sha256`]) rather than a second copy from `sha2` 0.10.
#[derive(Debug)]
pub struct CipherSuite;

impl TlsCipherSuite for CipherSuite {
    const CODE_POINT: u16 = Aes128GcmSha256::CODE_POINT;
    type Cipher = <Aes128GcmSha256 as TlsCipherSuite>::Cipher;
    type KeyLen = <Aes128GcmSha256 as TlsCipherSuite>::KeyLen;
    type IvLen = <Aes128GcmSha256 as TlsCipherSuite>::IvLen;
    type Hash = Sha256;
    type LabelBufferSize = <Aes128GcmSha256 as TlsCipherSuite>::LabelBufferSize;
}

/// The TLS record size a server may send (2^14 plus the largest overhead); the record read buffer
/// must be this large for servers that do not negotiate a smaller maximum fragment length.
pub const MAX_TLS_RECORD_LEN: usize = 16_640;

// ---- validity clock --------------------------------------------------------------------------

static VALIDITY_CLOCK: Mutex<CriticalSectionRawMutex, Cell<Option<&'static WallClock>>> =
    Mutex::new(Cell::new(None));

/// Checks certificate validity periods against `clock` from now on (while it is set; see
/// [`ClockPolicy`] for the time before).
pub fn check_validity_with(clock: &'static WallClock) {
    VALIDITY_CLOCK.lock(|c| c.set(Some(clock)));
}

// ---- trust -------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Anchors<'a> {
    Parsed(&'a [TrustAnchor<'a>]),
    Der(&'a [&'a [u8]]),
}

/// The anchors a connection trusts, and what to do while the clock is not set.
#[derive(Clone, Copy)]
pub struct TrustAnchors<'a> {
    anchors: Anchors<'a>,
    clock: ClockPolicy,
    verify: bool,
}

impl fmt::Debug for TrustAnchors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = match self.anchors {
            Anchors::Parsed(a) => a.len(),
            Anchors::Der(a) => a.len(),
        };
        f.debug_struct("TrustAnchors")
            .field("anchors", &count)
            .field("clock", &self.clock)
            .field("verify", &self.verify)
            .finish()
    }
}

impl TrustAnchors<'static> {
    /// The roots AWS endpoints chain to: Amazon Root CA 1–4 and Starfield Services Root G2
    /// ([`aws_session_tls_verify::anchors::AWS_ROOTS`]).
    pub const fn aws() -> Self {
        TrustAnchors::from_anchors(anchors::AWS_ROOTS)
    }
}

impl<'a> TrustAnchors<'a> {
    /// Trusts exactly these DER certificates (roots or intermediates), parsed at each handshake;
    /// at most [`MAX_DER_TRUST_ANCHORS`] are used, a malformed one fails the handshake.
    pub const fn new(anchors: &'a [&'a [u8]]) -> Self {
        TrustAnchors {
            anchors: Anchors::Der(anchors),
            clock: ClockPolicy::Refuse,
            verify: true,
        }
    }

    /// Trusts exactly these pre-parsed anchors (subject, public key, name constraints).
    pub const fn from_anchors(anchors: &'a [TrustAnchor<'a>]) -> Self {
        TrustAnchors {
            anchors: Anchors::Parsed(anchors),
            clock: ClockPolicy::Refuse,
            verify: true,
        }
    }

    /// What to do while the clock is not set (the default refuses every server; see the
    /// [module docs](self#trust-model)).
    pub const fn with_clock_policy(mut self, policy: ClockPolicy) -> Self {
        self.clock = policy;
        self
    }

    /// Accepts **any** certificate for **any** host: no authentication at all. Only for tests
    /// against throw-away servers.
    #[cfg(feature = "insecure-skip-tls-verify-for-tests-only")]
    pub const fn insecure_accept_any_certificate_for_tests_only() -> Self {
        TrustAnchors {
            anchors: Anchors::Parsed(&[]),
            clock: ClockPolicy::Refuse,
            verify: false,
        }
    }

    /// Verifies `chain` for `host` at `now` against these anchors.
    fn verify(
        &self,
        chain: &[&[u8]],
        host: &str,
        now: Option<u64>,
    ) -> Result<ServerKey, CertError> {
        match self.anchors {
            Anchors::Parsed(anchors) => Verifier::new(anchors)
                .with_clock_policy(self.clock)
                .verify_server(chain, host, now),
            Anchors::Der(ders) => {
                let mut parsed: heapless::Vec<TrustAnchor<'_>, MAX_DER_TRUST_ANCHORS> =
                    heapless::Vec::new();
                for der in ders.iter().take(MAX_DER_TRUST_ANCHORS) {
                    let anchor = anchor_from_der(der)?;
                    if parsed.push(anchor).is_err() {
                        break;
                    }
                }
                Verifier::new(&parsed)
                    .with_clock_policy(self.clock)
                    .verify_server(chain, host, now)
            }
        }
    }
}

/// The verifier handed to `embedded-tls`: checks the chain when the Certificate message arrives
/// (keeping only the leaf's key and the transcript hash), then the CertificateVerify signature.
struct ServerVerifier<'a> {
    trust: TrustAnchors<'a>,
    host: Option<Text<MAX_HOST_LEN>>,
    key: Option<ServerKey>,
    transcript: [u8; 32],
    failure: Option<TlsFailure>,
}

impl ServerVerifier<'_> {
    fn check_chain(&mut self, cert: &CertificateRef<'_>) -> Result<ServerKey, TlsFailure> {
        let host = self.host.as_ref().ok_or(TlsFailure::Certificate)?;
        let mut chain: heapless::Vec<&[u8], MAX_CHAIN_CERTS> = heapless::Vec::new();
        for entry in &cert.entries {
            let CertificateEntryRef::X509(der) = entry else {
                return Err(TlsFailure::Certificate);
            };
            chain
                .push(*der)
                .map_err(|_| TlsFailure::Untrusted(CertError::ChainTooLong))?;
        }
        let now = VALIDITY_CLOCK
            .lock(Cell::get)
            .and_then(|c| c.now().ok())
            .map(|t| t.secs());
        self.trust
            .verify(&chain, host, now)
            .map_err(TlsFailure::Untrusted)
    }
}

impl TlsVerifier<CipherSuite> for ServerVerifier<'_> {
    fn set_hostname_verification(&mut self, hostname: &str) -> Result<(), TlsError> {
        self.host = Some(Text::try_from(hostname).map_err(|_| TlsError::InsufficientSpace)?);
        Ok(())
    }

    fn verify_certificate(
        &mut self,
        transcript: &<CipherSuite as embedded_tls::TlsCipherSuite>::Hash,
        cert: CertificateRef<'_>,
    ) -> Result<(), TlsError> {
        if !self.trust.verify {
            return Ok(());
        }
        match self.check_chain(&cert) {
            Ok(key) => {
                self.key = Some(key);
                self.transcript
                    .copy_from_slice(&transcript.clone().finalize());
                Ok(())
            }
            Err(failure) => {
                warn!("tls: the server certificate is not trusted");
                self.failure = Some(failure);
                Err(TlsError::InvalidCertificate)
            }
        }
    }

    fn verify_signature(&mut self, verify: CertificateVerifyRef<'_>) -> Result<(), TlsError> {
        if !self.trust.verify {
            return Ok(());
        }
        let key = self.key.as_ref().ok_or(TlsError::InvalidCertificate)?;
        let scheme = verify.signature_scheme.as_u16();
        match key.verify_tls13(scheme, &self.transcript, verify.signature) {
            Ok(()) => Ok(()),
            Err(_) => {
                warn!("tls: the server's handshake signature does not verify");
                self.failure = Some(TlsFailure::Signature);
                Err(TlsError::InvalidSignature)
            }
        }
    }
}

// ---- client identity ---------------------------------------------------------------------------

/// ALPN protocol of AWS IoT Core's HTTPS endpoint on port 443 (with a client certificate).
pub const ALPN_IOT_HTTP: &[u8] = b"x-amzn-http-ca";

/// A device key could not sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct KeyError;

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the device key could not sign")
    }
}

impl core::error::Error for KeyError {}

/// The private key of a device certificate: signs the TLS 1.3 CertificateVerify digest with ECDSA
/// P-256. Implement it over a secure element's driver so the key never leaves the chip; use
/// [`P256Key`] for a key in RAM.
pub trait DeviceKey {
    /// Signs the SHA-256 `digest`; returns the signature as `r ‖ s` (32 bytes each, big-endian).
    ///
    /// # Errors
    /// [`KeyError`] when the key (or the chip holding it) cannot sign.
    fn sign_p256_sha256(&mut self, digest: &[u8; 32]) -> Result<[u8; 64], KeyError>;
}

/// An ECDSA P-256 device key held in RAM (deterministic signatures, RFC 6979); wiped on drop.
/// `Debug` never shows it.
pub struct P256Key(p256::ecdsa::SigningKey);

impl fmt::Debug for P256Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("P256Key(<secret>)")
    }
}

impl P256Key {
    /// From the 32-byte private scalar.
    ///
    /// # Errors
    /// [`KeyError`] for a scalar that is zero or not below the group order.
    pub fn from_bytes(scalar: &[u8; 32]) -> Result<Self, KeyError> {
        p256::ecdsa::SigningKey::from_slice(scalar)
            .map(P256Key)
            .map_err(|_| KeyError)
    }

    /// From a PKCS#8 `PrivateKeyInfo` (DER; the body of a `BEGIN PRIVATE KEY` PEM block).
    ///
    /// # Errors
    /// [`KeyError`] for DER that is not a P-256 key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        use p256::pkcs8::DecodePrivateKey as _;
        p256::ecdsa::SigningKey::from_pkcs8_der(der)
            .map(P256Key)
            .map_err(|_| KeyError)
    }

    /// From a SEC1 `ECPrivateKey` (DER; the body of a `BEGIN EC PRIVATE KEY` PEM block, as AWS
    /// IoT's `CreateKeysAndCertificate` returns it).
    ///
    /// # Errors
    /// [`KeyError`] for DER that is not a P-256 key.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, KeyError> {
        p256::SecretKey::from_sec1_der(der)
            .map(|k| P256Key(p256::ecdsa::SigningKey::from(k)))
            .map_err(|_| KeyError)
    }
}

impl DeviceKey for P256Key {
    fn sign_p256_sha256(&mut self, digest: &[u8; 32]) -> Result<[u8; 64], KeyError> {
        // RFC 6979 nonces through the image's one SHA-256 (what `sign_prehash` does with `sha2`'s).
        use ecdsa::hazmat::SignPrimitive as _;
        let z = p256::FieldBytes::from(*digest);
        let (sig, _) = self
            .0
            .as_nonzero_scalar()
            .try_sign_prehashed_rfc6979::<Sha256>(&z, &[])
            .map_err(|_| KeyError)?;
        Ok(sig.to_bytes().into())
    }
}

/// What a device presents for mutual TLS: its certificate and the key that signs for it.
pub struct ClientIdentity<'a> {
    /// The device certificate, DER (AWS IoT sends no chain: the certificate is registered).
    pub certificate: &'a [u8],
    /// Its private key.
    pub key: &'a mut dyn DeviceKey,
}

impl fmt::Debug for ClientIdentity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("certificate", &self.certificate.len())
            .finish_non_exhaustive()
    }
}

/// The signer handed to `embedded-tls` for the client CertificateVerify: hashes the message, lets
/// the [`DeviceKey`] sign the digest, and encodes the signature as DER.
struct KeySigner<'k> {
    key: &'k mut dyn DeviceKey,
    failed: &'k mut bool,
}

impl signature::SignerMut<p256::ecdsa::DerSignature> for KeySigner<'_> {
    fn try_sign(&mut self, msg: &[u8]) -> Result<p256::ecdsa::DerSignature, signature::Error> {
        let digest: [u8; 32] = Sha256::digest(msg).into();
        let signed = self
            .key
            .sign_p256_sha256(&digest)
            .ok()
            .and_then(|rs| p256::ecdsa::Signature::from_slice(&rs).ok());
        match signed {
            Some(sig) => Ok(sig.to_der()),
            // embedded-tls panics on an error here (it calls `sign`), so a key that fails sends a
            // signature that cannot verify (r = s = 1): the server refuses the handshake and
            // `connect_with` reports `TlsFailure::ClientKey` from the flag.
            None => {
                *self.failed = true;
                let mut one = [0u8; 64];
                one[31] = 1;
                one[63] = 1;
                p256::ecdsa::Signature::from_slice(&one)
                    .map(|s| s.to_der())
                    .map_err(|_| signature::Error::new())
            }
        }
    }
}

/// The crypto provider handed to `embedded-tls`: the application's RNG, our verifier, and the
/// device's identity when it has one.
struct Provider<'a, 'i, R> {
    rng: R,
    verifier: ServerVerifier<'a>,
    identity: Option<ClientIdentity<'i>>,
    key_failed: bool,
}

impl<R: RngCore + CryptoRng> CryptoProvider for Provider<'_, '_, R> {
    type CipherSuite = CipherSuite;
    type Signature = p256::ecdsa::DerSignature;

    fn rng(&mut self) -> impl rand_core::CryptoRngCore {
        &mut self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<CipherSuite>, TlsError> {
        Ok(&mut self.verifier)
    }

    fn signer(
        &mut self,
    ) -> Result<
        (
            impl signature::SignerMut<Self::Signature>,
            embedded_tls::SignatureScheme,
        ),
        TlsError,
    > {
        let identity = self.identity.as_mut().ok_or(TlsError::InvalidPrivateKey)?;
        Ok((
            KeySigner {
                key: &mut *identity.key,
                failed: &mut self.key_failed,
            },
            embedded_tls::SignatureScheme::EcdsaSecp256r1Sha256,
        ))
    }

    fn client_cert(&mut self) -> Option<embedded_tls::Certificate<impl AsRef<[u8]>>> {
        self.identity
            .as_ref()
            .map(|i| embedded_tls::Certificate::X509(i.certificate))
    }
}

/// Maps a TLS error onto the transport's error (the verifier's own record wins).
fn tls_error(e: TlsError, recorded: Option<TlsFailure>) -> HttpError {
    if let Some(f) = recorded {
        return HttpError::Tls(f);
    }
    HttpError::Tls(match e {
        TlsError::Io(kind) => return HttpError::Io(kind),
        TlsError::ConnectionClosed => return HttpError::Closed,
        TlsError::InvalidCertificate | TlsError::InvalidCertificateEntry => TlsFailure::Certificate,
        TlsError::InvalidSignature | TlsError::InvalidSignatureScheme => TlsFailure::Signature,
        TlsError::InsufficientSpace | TlsError::OutOfMemory => TlsFailure::Buffer,
        TlsError::HandshakeAborted(..)
        | TlsError::AbortHandshake(..)
        | TlsError::InvalidHandshake
        | TlsError::MissingHandshake
        | TlsError::InvalidCipherSuite
        | TlsError::InvalidKeyShare
        | TlsError::InvalidSupportedVersions
        | TlsError::InvalidRecord => TlsFailure::Handshake,
        _ => TlsFailure::Other,
    })
}

// ---- connection ----------------------------------------------------------------------------

/// Caller-owned memory of one HTTPS connection: TCP rings, TLS record buffers and the HTTP head
/// buffer. `READ_REC` should be [`MAX_TLS_RECORD_LEN`] for AWS endpoints.
pub struct TlsBuffers<
    const RX: usize = 4096,
    const TX: usize = 2048,
    const READ_REC: usize = MAX_TLS_RECORD_LEN,
    const WRITE_REC: usize = 2048,
    const HEAD: usize = 2048,
> {
    rx: [u8; RX],
    tx: [u8; TX],
    read_rec: [u8; READ_REC],
    write_rec: [u8; WRITE_REC],
    head: [u8; HEAD],
}

impl<
        const RX: usize,
        const TX: usize,
        const READ_REC: usize,
        const WRITE_REC: usize,
        const HEAD: usize,
    > TlsBuffers<RX, TX, READ_REC, WRITE_REC, HEAD>
{
    /// Zeroed buffers.
    pub const fn new() -> Self {
        TlsBuffers {
            rx: [0; RX],
            tx: [0; TX],
            read_rec: [0; READ_REC],
            write_rec: [0; WRITE_REC],
            head: [0; HEAD],
        }
    }

    /// The buffers as slices.
    pub(crate) fn parts(&mut self) -> Parts<'_> {
        Parts {
            rx: &mut self.rx,
            tx: &mut self.tx,
            read_rec: &mut self.read_rec,
            write_rec: &mut self.write_rec,
            head: &mut self.head,
        }
    }
}

impl<
        const RX: usize,
        const TX: usize,
        const READ_REC: usize,
        const WRITE_REC: usize,
        const HEAD: usize,
    > Default for TlsBuffers<RX, TX, READ_REC, WRITE_REC, HEAD>
{
    fn default() -> Self {
        Self::new()
    }
}

/// Where to connect.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// `host[:port]` as requests name it (port 443 when absent); the name is sent as SNI and
    /// checked against the certificate.
    pub host: &'a str,
    /// Connect to this address instead of resolving the name (like curl's `--resolve`).
    pub address: Option<IpAddress>,
}

impl<'a> Target<'a> {
    /// `host[:port]`, resolved through the stack's DNS servers.
    pub const fn host(host: &'a str) -> Self {
        Target {
            host,
            address: None,
        }
    }
}

/// An open HTTPS connection to one host (see the [module docs](self)).
pub struct HttpsConnection<'a> {
    http: HttpConnection<'a, TlsConnection<'a, TcpSocket<'a>, CipherSuite>>,
    host: Text<MAX_HOST_LEN>,
}

impl fmt::Debug for HttpsConnection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpsConnection")
            .field("host", &self.host.as_str())
            .field("http", &self.http)
            .finish()
    }
}

/// Opens TCP to `target`, runs the TLS 1.3 handshake (verifying the server against `trust`), and
/// returns a connection for HTTPS requests to that host. [`connect_with`] with no client
/// certificate and no ALPN.
///
/// # Errors
/// [`HttpError::Dns`], [`HttpError::Connect`], [`HttpError::TimedOut`],
/// [`HttpError::Tls`] (with [`TlsFailure::Certificate`] for an untrusted or mismatched certificate).
pub async fn connect<
    'a,
    R,
    const RX: usize,
    const TX: usize,
    const READ_REC: usize,
    const WRITE_REC: usize,
    const HEAD: usize,
>(
    stack: Stack<'a>,
    buffers: &'a mut TlsBuffers<RX, TX, READ_REC, WRITE_REC, HEAD>,
    target: &Target<'_>,
    trust: &TrustAnchors<'_>,
    rng: R,
    config: HttpConfig,
) -> Result<HttpsConnection<'a>, HttpError>
where
    R: RngCore + CryptoRng,
{
    let options = TlsOptions {
        trust: *trust,
        identity: None,
        alpn: &[],
    };
    connect_with(stack, buffers, target, options, rng, config).await
}

/// How [`connect_with`] authenticates: the server's trust, the device's identity, and ALPN.
#[derive(Debug)]
pub struct TlsOptions<'a> {
    /// What the server's chain must lead to.
    pub trust: TrustAnchors<'a>,
    /// The client certificate and key to present when the server asks (mutual TLS).
    pub identity: Option<ClientIdentity<'a>>,
    /// ALPN protocols to offer, most preferred first (e.g. `&[ALPN_IOT_HTTP]`); none when empty.
    pub alpn: &'a [&'a [u8]],
}

/// [`connect`], presenting `options.identity` when the server asks for a client certificate and
/// offering `options.alpn`.
///
/// # Errors
/// As [`connect`]; [`TlsFailure::ClientKey`] when the device key failed to sign (the server
/// then refuses the handshake); a server that refuses the certificate ends the handshake with
/// an alert ([`TlsFailure::Handshake`]).
pub async fn connect_with<
    'a,
    R,
    const RX: usize,
    const TX: usize,
    const READ_REC: usize,
    const WRITE_REC: usize,
    const HEAD: usize,
>(
    stack: Stack<'a>,
    buffers: &'a mut TlsBuffers<RX, TX, READ_REC, WRITE_REC, HEAD>,
    target: &Target<'_>,
    options: TlsOptions<'_>,
    mut rng: R,
    config: HttpConfig,
) -> Result<HttpsConnection<'a>, HttpError>
where
    R: RngCore + CryptoRng,
{
    open(stack, buffers.parts(), target, options, &mut rng, config).await
}

/// The buffers of a connection, as slices: what [`open`] needs, whatever their sizes.
pub(crate) struct Parts<'a> {
    pub(crate) rx: &'a mut [u8],
    pub(crate) tx: &'a mut [u8],
    pub(crate) read_rec: &'a mut [u8],
    pub(crate) write_rec: &'a mut [u8],
    pub(crate) head: &'a mut [u8],
}

/// The body of [`connect_with`], with the RNG behind `dyn` and the buffers as slices: a firmware
/// image links one copy of the handshake code, however many RNG types and buffer sizes its call
/// sites use (an application that connects both to the IoT credentials provider and to a
/// service would otherwise carry the handshake twice).
pub(crate) async fn open<'a>(
    stack: Stack<'a>,
    parts: Parts<'a>,
    target: &Target<'_>,
    options: TlsOptions<'_>,
    rng: &mut dyn rand_core::CryptoRngCore,
    config: HttpConfig,
) -> Result<HttpsConnection<'a>, HttpError> {
    let Parts {
        rx,
        tx,
        read_rec,
        write_rec,
        head,
    } = parts;
    let (name, port) = split_host(target.host, Scheme::Https)?;
    let host = Text::try_from(target.host).map_err(|_| HttpError::Usage)?;
    let mut socket = TcpSocket::new(stack, rx, tx);
    socket.set_timeout(Some(config.io_timeout + config.io_timeout));
    let addr = match target.address {
        Some(a) => a,
        None => resolve(stack, name).await?,
    };
    match with_timeout(
        config.io_timeout,
        socket.connect(IpEndpoint::new(addr, port)),
    )
    .await
    {
        Ok(Ok(())) => {}
        Ok(Err(_)) => return Err(HttpError::Connect),
        Err(_) => return Err(HttpError::TimedOut),
    }
    let mut tls = TlsConnection::new(socket, read_rec, write_rec);
    let mut tls_config = TlsConfig::new().with_server_name(name);
    if !options.alpn.is_empty() {
        tls_config = tls_config.with_alpn(options.alpn);
    }
    // Offer RSA signatures (embedded-tls offers them by itself only with its own RSA code).
    #[cfg(feature = "tls-rsa")]
    let tls_config = tls_config.enable_rsa_signatures();
    let mut provider = Provider {
        rng,
        verifier: ServerVerifier {
            trust: options.trust,
            host: None,
            key: None,
            transcript: [0; 32],
            failure: None,
        },
        identity: options.identity,
        key_failed: false,
    };
    let opened = with_timeout(
        config.io_timeout,
        tls.open(TlsContext::new(&tls_config, &mut provider)),
    )
    .await;
    // In TLS 1.3 the client's side of the handshake ends before the server has checked its
    // CertificateVerify, so a key that failed is reported here, whatever `open` returned.
    if provider.key_failed {
        warn!("tls: the device key could not sign the handshake");
        return Err(HttpError::Tls(TlsFailure::ClientKey));
    }
    match opened {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(tls_error(e, provider.verifier.failure)),
        Err(_) => return Err(HttpError::TimedOut),
    }
    debug!("tls: handshake done");
    Ok(HttpsConnection {
        http: HttpConnection::new(tls, head, config),
        host,
    })
}

impl<'a> HttpsConnection<'a> {
    /// Hands every response's `Date` to `clock`.
    pub fn with_clock(mut self, clock: &'a WallClock) -> Self {
        self.http = self.http.with_clock(clock);
        self
    }

    /// True when the connection can carry another request.
    pub fn is_reusable(&self) -> bool {
        self.http.is_reusable()
    }

    /// Sends TLS close_notify and closes TCP, waiting at most the connection's I/O timeout for
    /// each (a peer that is gone costs that wait, not the socket's).
    pub async fn close(self) {
        let limit = self.io_timeout();
        if let Ok(Ok(socket)) = self.close_tls().await {
            close_tcp(socket, limit).await;
        }
    }

    /// The connection's longest wait for one read or write.
    pub(crate) fn io_timeout(&self) -> Duration {
        self.http.config().io_timeout
    }

    /// The TLS half of [`HttpsConnection::close`]: close_notify, sent within the connection's I/O
    /// timeout; the TCP socket back when it was.
    ///
    /// Not an `async fn`: the future it returns holds the TLS connection once (an `async fn`
    /// would hold `self` beside it), which keeps a caller's future smaller, and the stack its
    /// poll builds that future on.
    pub(crate) fn close_tls(self) -> impl Future<Output = ClosedTls<'a>> + 'a {
        with_timeout(self.io_timeout(), self.http.into_inner().close())
    }
}

/// What [`HttpsConnection::close_tls`] ends with: the TCP socket, unless the close_notify could
/// not be sent or the time ran out.
pub(crate) type ClosedTls<'a> =
    Result<Result<TcpSocket<'a>, (TcpSocket<'a>, TlsError)>, embassy_time::TimeoutError>;

/// Closes TCP (FIN) and waits at most `limit` for the peer to acknowledge it.
pub(crate) async fn close_tcp(mut socket: TcpSocket<'_>, limit: Duration) {
    socket.close();
    if with_timeout(limit, socket.flush()).await.is_err() {
        debug!("tls: the peer did not acknowledge the close in time");
    }
}

impl AsyncTransport for HttpsConnection<'_> {
    type Error = HttpError;

    async fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), HttpError> {
        if request.scheme() != Scheme::Https {
            return Err(HttpError::Scheme);
        }
        if split_host(request.host(), Scheme::Https).ok()
            != split_host(&self.host, Scheme::Https).ok()
        {
            return Err(HttpError::Usage);
        }
        self.http.send_head(request).await
    }

    async fn write_body(&mut self, bytes: &[u8]) -> Result<(), HttpError> {
        self.http.send_body(bytes).await
    }

    async fn finish(&mut self, response: &mut ResponseHead) -> Result<(), HttpError> {
        self.http.read_head(response).await
    }

    async fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, HttpError> {
        self.http.read_body(buf).await
    }
}
