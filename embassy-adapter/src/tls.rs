//! HTTPS over embassy-net: TLS 1.3 with `embedded-tls`, certificates verified against trust
//! anchors the application provides (feature `tls`).
//!
//! # Trust model
//!
//! * **Anchors**: the application passes the DER certificates it trusts ([`TrustAnchors`]) —
//!   typically the one or two roots of the endpoints it calls (for AWS: Amazon Root CA 1 for RSA
//!   chains, Amazon Root CA 3 for ECDSA P-256 chains). There is no built-in root store: a device
//!   trusts exactly what its firmware was built with.
//! * **Chain**: the server's chain must lead, certificate by certificate, from one anchor to the
//!   leaf; each signature is checked (ECDSA P-256 with SHA-256 always; P-384 with feature
//!   `tls-p384`; RSA PKCS#1 v1.5 and the RSA-PSS handshake signatures with feature `tls-rsa`, which
//!   needs a global allocator). The leaf must name the host (SAN DNS names, else CN, `*.`
//!   wildcards in the left-most label), and the handshake's CertificateVerify signature must
//!   verify with the leaf's key.
//! * **Time**: validity periods are checked when a clock is registered with
//!   [`check_validity_with`] and is set; until then they are not (a device without time cannot
//!   check them — see [`crate::clock`] for how the clock gets set).
//! * **Not checked** (limits of `embedded-tls`' verifier): basic constraints and key usage of
//!   intermediates, name constraints, revocation. Trust only anchors whose issuance you control
//!   or that are public roots.
//! * **Insecure mode**: only with the feature `insecure-skip-tls-verify-for-tests-only`, which
//!   adds `TrustAnchors::insecure_accept_any_certificate_for_tests_only`. Never enable it in
//!   firmware.
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
//! client's endpoint.

use core::cell::Cell;
use core::fmt;

use aws_session_core::http::{HttpRequest, ResponseHead, Scheme};
use aws_session_core::limits::MAX_HOST_LEN;
use aws_session_core::platform::{AsyncTransport, Clock};
use aws_session_core::text::Text;
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpAddress, IpEndpoint, Stack};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_time::with_timeout;
use embedded_tls::pki::CertVerifier;
use embedded_tls::{
    Aes128GcmSha256, Certificate, CertificateEntryRef, CertificateRef, CertificateVerifyRef,
    CryptoProvider, TlsClock, TlsConfig, TlsConnection, TlsContext, TlsError, TlsVerifier,
};
use rand_core::{CryptoRng, RngCore};

use crate::clock::WallClock;
use crate::http::{HttpConfig, HttpConnection, HttpError, TlsFailure};
use crate::net::{resolve, split_host};

/// The cipher suite: `TLS_AES_128_GCM_SHA256`, which every TLS 1.3 server must offer.
pub type CipherSuite = Aes128GcmSha256;

/// Bytes of the server's certificate chain the verifier keeps between the Certificate and
/// CertificateVerify messages (an ECDSA chain of two is about 1.5 KiB, an RSA one about 3 KiB).
pub const CERT_CHAIN_LEN: usize = 4096;

/// The TLS record size a server may send (2^14 plus the largest overhead); the record read buffer
/// must be this large for servers that do not negotiate a smaller maximum fragment length.
pub const MAX_TLS_RECORD_LEN: usize = 16_640;

// ---- validity clock --------------------------------------------------------------------------

static VALIDITY_CLOCK: Mutex<CriticalSectionRawMutex, Cell<Option<&'static WallClock>>> =
    Mutex::new(Cell::new(None));

/// Checks certificate validity periods against `clock` from now on (while it is set).
pub fn check_validity_with(clock: &'static WallClock) {
    VALIDITY_CLOCK.lock(|c| c.set(Some(clock)));
}

/// `embedded-tls`'s view of the registered clock.
struct ValidityClock;

impl TlsClock for ValidityClock {
    fn now() -> Option<u64> {
        VALIDITY_CLOCK
            .lock(Cell::get)
            .and_then(|c| c.now().ok())
            .map(|t| t.secs())
    }
}

// ---- trust -------------------------------------------------------------------------------------

/// The certificates a connection trusts (DER-encoded X.509 roots or intermediates).
#[derive(Clone, Copy)]
pub struct TrustAnchors<'a> {
    anchors: &'a [&'a [u8]],
    verify: bool,
}

impl fmt::Debug for TrustAnchors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustAnchors")
            .field("anchors", &self.anchors.len())
            .field("verify", &self.verify)
            .finish()
    }
}

impl<'a> TrustAnchors<'a> {
    /// Trust chains that lead to one of `anchors` (DER certificates).
    pub const fn new(anchors: &'a [&'a [u8]]) -> Self {
        TrustAnchors {
            anchors,
            verify: true,
        }
    }

    /// Accepts **any** certificate for **any** host: no authentication at all. Only for tests
    /// against throw-away servers.
    #[cfg(feature = "insecure-skip-tls-verify-for-tests-only")]
    pub const fn insecure_accept_any_certificate_for_tests_only() -> Self {
        TrustAnchors {
            anchors: &[],
            verify: false,
        }
    }
}

/// Verifies the server against each anchor in turn and remembers which step failed.
struct AnchorVerifier<'a> {
    anchors: TrustAnchors<'a>,
    host: Option<heapless::String<64>>,
    chosen: Option<CertVerifier<'a, CipherSuite, ValidityClock, CERT_CHAIN_LEN>>,
    failure: Option<TlsFailure>,
}

impl<'a> AnchorVerifier<'a> {
    fn anchor(
        &self,
        der: &'a [u8],
    ) -> Result<CertVerifier<'a, CipherSuite, ValidityClock, CERT_CHAIN_LEN>, TlsError> {
        let mut v = CertVerifier::new(Certificate::X509(der));
        if let Some(h) = &self.host {
            TlsVerifier::<CipherSuite>::set_hostname_verification(&mut v, h)?;
        }
        Ok(v)
    }

    fn try_anchors(
        &mut self,
        transcript: &<CipherSuite as embedded_tls::TlsCipherSuite>::Hash,
        cert: CertificateRef<'_>,
    ) -> Result<(), TlsError> {
        match self.anchors.anchors {
            [] => Err(TlsError::InvalidCertificate),
            [one] => {
                let mut v = self.anchor(one)?;
                v.verify_certificate(transcript, cert)?;
                self.chosen = Some(v);
                Ok(())
            }
            several => {
                // `embedded-tls` keeps the chain it verified, so the winning anchor must see the
                // original; find it first with views that share the entries.
                let mut winner = None;
                for der in several {
                    let mut probe = self.anchor(der)?;
                    let mut view = CertificateRef::with_context(&[]);
                    for entry in &cert.entries {
                        view.add(match entry {
                            CertificateEntryRef::X509(d) => CertificateEntryRef::X509(d),
                            CertificateEntryRef::RawPublicKey(d) => {
                                CertificateEntryRef::RawPublicKey(d)
                            }
                        })?;
                    }
                    if probe.verify_certificate(transcript, view).is_ok() {
                        winner = Some(*der);
                        break;
                    }
                }
                let mut v = self.anchor(winner.ok_or(TlsError::InvalidCertificate)?)?;
                v.verify_certificate(transcript, cert)?;
                self.chosen = Some(v);
                Ok(())
            }
        }
    }
}

impl TlsVerifier<CipherSuite> for AnchorVerifier<'_> {
    fn set_hostname_verification(&mut self, hostname: &str) -> Result<(), TlsError> {
        self.host =
            Some(heapless::String::try_from(hostname).map_err(|_| TlsError::InsufficientSpace)?);
        Ok(())
    }

    fn verify_certificate(
        &mut self,
        transcript: &<CipherSuite as embedded_tls::TlsCipherSuite>::Hash,
        cert: CertificateRef<'_>,
    ) -> Result<(), TlsError> {
        if !self.anchors.verify {
            return Ok(());
        }
        let result = self.try_anchors(transcript, cert);
        if result.is_err() {
            self.failure = Some(TlsFailure::Certificate);
            warn!("tls: the server certificate is not trusted");
        }
        result
    }

    fn verify_signature(&mut self, verify: CertificateVerifyRef<'_>) -> Result<(), TlsError> {
        if !self.anchors.verify {
            return Ok(());
        }
        let result = match self.chosen.as_mut() {
            Some(v) => v.verify_signature(verify),
            None => Err(TlsError::InvalidCertificate),
        };
        if result.is_err() {
            self.failure = Some(TlsFailure::Signature);
        }
        result
    }
}

/// The crypto provider handed to `embedded-tls`: the application's RNG and our verifier.
struct Provider<'a, R> {
    rng: R,
    verifier: AnchorVerifier<'a>,
}

impl<R: RngCore + CryptoRng> CryptoProvider for Provider<'_, R> {
    type CipherSuite = CipherSuite;
    type Signature = &'static [u8];

    fn rng(&mut self) -> impl rand_core::CryptoRngCore {
        &mut self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<CipherSuite>, TlsError> {
        Ok(&mut self.verifier)
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
/// returns a connection for HTTPS requests to that host.
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
    let (name, port) = split_host(target.host, Scheme::Https)?;
    let host = Text::try_from(target.host).map_err(|_| HttpError::Usage)?;
    let TlsBuffers {
        rx,
        tx,
        read_rec,
        write_rec,
        head,
    } = buffers;
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
    let tls_config = TlsConfig::new().with_server_name(name);
    let mut provider = Provider {
        rng,
        verifier: AnchorVerifier {
            anchors: *trust,
            host: None,
            chosen: None,
            failure: None,
        },
    };
    let opened = with_timeout(
        config.io_timeout,
        tls.open(TlsContext::new(&tls_config, &mut provider)),
    )
    .await;
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

    /// Sends TLS close_notify and closes TCP.
    pub async fn close(self) {
        let tls = self.http.into_inner();
        if let Ok(mut socket) = tls.close().await {
            socket.close();
            let _ = socket.flush().await;
        }
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
