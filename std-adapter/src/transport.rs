//! [`HttpsTransport`]: core's blocking [`Transport`] over ureq 3 and rustls.
//!
//! * TLS certificates are always verified: against the operating system's trust store (through
//!   `rustls-platform-verifier`; on Linux the system bundle, and `SSL_CERT_FILE` /
//!   `SSL_CERT_DIR` when set), as Go v1 trusts the system roots; or, when a CA bundle is given
//!   (`AWS_CA_BUNDLE`, the `ca_bundle` profile key, or [`HttpsConfig::ca_bundle`]), against the
//!   certificates of that PEM file only — the bundle replaces the roots, as Go v1's
//!   `CustomCABundle` does. There is no switch to turn verification off.
//! * Mutual TLS: a client certificate chain and key ([`HttpsConfig::client_tls`]; from a session,
//!   `AWS_SDK_GO_CLIENT_TLS_CERT` / `AWS_SDK_GO_CLIENT_TLS_KEY` or the options, else the
//!   `iot_certificate` / `iot_private_key` of an AWS IoT credentials profile) are presented when
//!   the server asks for one.
//! * Plain `http` is used when the request's scheme says so (local test servers, Go v1
//!   `DisableSSL`).
//! * Redirects are not followed and HTTP error statuses are returned as responses: the request
//!   pipeline decides what a status means, and a transport never retries on its own.
//! * Timeouts hold for the whole exchange: connect ([`HttpsConfig::connect_timeout`]), response
//!   head ([`HttpsConfig::response_timeout`]), and, once connected, an idle timeout
//!   ([`HttpsConfig::idle_timeout`]) on every read and write, so a response body that stops
//!   arriving or a request body the server stops reading ends with [`ErrorKind::TimedOut`].
//! * Proxies come from the usual `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` variables, as Go's
//!   default HTTP client does.
//!
//! A small request body (up to [`INLINE_BODY_LIMIT`] bytes, every STS, SSO and IMDS call) is
//! collected from the pieces [`HttpsTransport::write_body`] hands over and sent on the caller's
//! thread at [`HttpsTransport::finish`]. A longer body is streamed: when the collected pieces pass
//! the limit, the exchange moves to a helper thread that pulls them (what was collected first)
//! through a bounded channel, so no more than a few pieces are in memory at once. To use another
//! HTTP client, implement core's [`Transport`] for it; nothing else in the session depends on this
//! type.

use core::time::Duration;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use aws_session_core::http::{HttpRequest, ResponseHead};
use aws_session_core::platform::{Error as PlatformError, ErrorKind, Transport};
use ureq::http;

use crate::bounded_read::{read_limited, ReadLimit};
use crate::limits::MAX_CA_BUNDLE_LEN;
use ureq::tls::{Certificate, ClientCert, PemItem, RootCerts, TlsConfig, TlsProvider};
use zeroize::Zeroize;

use aws_session_core::credentials::CredentialPlan;

pub use crate::limits::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT};
/// How many body pieces may wait between [`HttpsTransport::write_body`] and the sending thread.
const BODY_QUEUE_DEPTH: usize = 4;
/// The longest request body sent on the caller's thread (64 KiB). Up to this size the pieces are
/// collected in one buffer and sent at [`HttpsTransport::finish`]; a longer body is streamed from
/// a helper thread. Starting and joining that thread costs about 70 µs, the largest single cost of
/// a small call such as STS `AssumeRole` (a few hundred bytes); past 64 KiB the upload itself
/// outweighs it, and the buffer is never larger than this.
pub const INLINE_BODY_LIMIT: usize = 64 * 1024;

/// The error of a request body shorter than its Content-Length.
const SHORT_BODY: &str = "the request ended before its Content-Length";

/// Settings of an [`HttpsTransport`].
#[derive(Debug, Clone)]
pub struct HttpsConfig {
    /// A PEM file whose certificates replace the operating system's trust roots.
    pub ca_bundle: Option<PathBuf>,
    /// A client certificate for mutual TLS.
    pub client_tls: Option<ClientTlsFiles>,
    /// Time allowed to connect (TCP and TLS). `None` waits forever.
    pub connect_timeout: Option<Duration>,
    /// Time allowed from the end of the request to the response head. `None` waits forever.
    pub response_timeout: Option<Duration>,
    /// Time allowed for the whole exchange, body included. `None` (the default) sets no limit.
    pub total_timeout: Option<Duration>,
    /// Time the exchange may go without a byte sent or received once connected: a stalled
    /// response body, or a request body the server stopped reading, ends with
    /// [`ErrorKind::TimedOut`] after this long. `None` waits forever.
    pub idle_timeout: Option<Duration>,
    /// The `User-Agent` header sent when the request has none.
    pub user_agent: String,
}

impl Default for HttpsConfig {
    fn default() -> Self {
        HttpsConfig {
            ca_bundle: None,
            client_tls: None,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            response_timeout: Some(DEFAULT_RESPONSE_TIMEOUT),
            total_timeout: None,
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            user_agent: concat!("aws-session/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// A client certificate chain and its private key, as PEM files (mutual TLS; Go v1
/// `ClientTLSCert` / `ClientTLSKey`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTlsFiles {
    /// The certificate, then any intermediates.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// A transport error: its [`ErrorKind`] and a message (host, file or cause; never a header value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    kind: ErrorKind,
    message: String,
}

impl TransportError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
        }
    }

    fn from_ureq(e: &ureq::Error) -> Self {
        use ureq::Error as U;
        let kind = match e {
            U::Timeout(_) => ErrorKind::TimedOut,
            U::HostNotFound => ErrorKind::Dns,
            U::ConnectionFailed => ErrorKind::ConnectionRefused,
            U::Tls(_) | U::Rustls(_) => ErrorKind::Tls,
            // rustls reports handshake and certificate failures inside I/O errors.
            U::Io(io)
                if io
                    .get_ref()
                    .is_some_and(|inner| inner.is::<rustls::Error>()) =>
            {
                ErrorKind::Tls
            }
            U::Io(io) => io_kind(io.kind()),
            U::Protocol(_) | U::BodyExceedsLimit(_) => ErrorKind::Protocol,
            // A response head over RECEIVE_BUFFER_LEN.
            U::LargeResponseHeader(..) => ErrorKind::Capacity,
            U::BadUri(_) | U::Http(_) => ErrorKind::InvalidData,
            _ => ErrorKind::Other,
        };
        TransportError::new(kind, e.to_string())
    }
}

/// The platform error kind of a `std::io` error kind.
pub(crate) fn io_kind(k: std::io::ErrorKind) -> ErrorKind {
    use std::io::ErrorKind as K;
    match k {
        K::TimedOut | K::WouldBlock => ErrorKind::TimedOut,
        K::ConnectionRefused => ErrorKind::ConnectionRefused,
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            ErrorKind::ConnectionReset
        }
        K::NotFound => ErrorKind::NotFound,
        K::PermissionDenied => ErrorKind::PermissionDenied,
        K::InvalidData | K::InvalidInput => ErrorKind::InvalidData,
        _ => ErrorKind::Other,
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl core::error::Error for TransportError {}

impl PlatformError for TransportError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// Which TLS file an [`TlsFileError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsFile {
    /// The CA bundle (`AWS_CA_BUNDLE`, `ca_bundle`; Go v1 `LoadCustomCABundleError`).
    CaBundle,
    /// The client certificate chain (`AWS_SDK_GO_CLIENT_TLS_CERT`; Go v1
    /// `LoadClientTLSCertError`).
    ClientCert,
    /// The client certificate's private key (`AWS_SDK_GO_CLIENT_TLS_KEY`).
    ClientKey,
}

/// A TLS file (CA bundle, client certificate or key) could not be read or holds nothing usable.
/// The message names the file and why; it never holds the file's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFileError {
    file: TlsFile,
    path: PathBuf,
    reason: String,
}

impl TlsFileError {
    /// Which file.
    pub fn file(&self) -> TlsFile {
        self.file
    }
}

impl fmt::Display for TlsFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.file {
            TlsFile::CaBundle => "custom CA bundle PEM file",
            TlsFile::ClientCert => "client TLS cert PEM file",
            TlsFile::ClientKey => "client TLS key PEM file",
        };
        write!(
            f,
            "failed to load {what} {}: {}",
            self.path.display(),
            self.reason
        )
    }
}

impl core::error::Error for TlsFileError {}

/// The PEM items of a TLS file, read with [`MAX_CA_BUNDLE_LEN`] as the bound.
fn read_pem(path: &Path, file: TlsFile) -> Result<Vec<PemItem<'static>>, TlsFileError> {
    let err = |reason: String| TlsFileError {
        file,
        path: path.to_owned(),
        reason,
    };
    let limit = ReadLimit::new(MAX_CA_BUNDLE_LEN, "MAX_CA_BUNDLE_LEN");
    let mut pem = read_limited(path, limit).map_err(|e| err(e.failure.to_string()))?;
    let items = ureq::tls::parse_pem(&pem)
        .collect::<Result<Vec<_>, _>>()
        // The parser's message names a position, never the bytes.
        .map_err(|e| err(e.to_string()));
    // A key file's bytes are a secret: wiped once parsed.
    pem.zeroize();
    items
}

/// Reads the certificates of a PEM file.
fn read_certificates(
    path: &Path,
    file: TlsFile,
) -> Result<Vec<Certificate<'static>>, TlsFileError> {
    let certs: Vec<_> = read_pem(path, file)?
        .into_iter()
        .filter_map(|item| match item {
            PemItem::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(TlsFileError {
            file,
            path: path.to_owned(),
            reason: "no certificates found".to_owned(),
        });
    }
    Ok(certs)
}

/// Reads a client certificate chain and its private key (PKCS#8, PKCS#1 or SEC1 PEM).
fn read_client_cert(files: &ClientTlsFiles) -> Result<ClientCert, TlsFileError> {
    let chain = read_certificates(&files.cert, TlsFile::ClientCert)?;
    let key = read_pem(&files.key, TlsFile::ClientKey)?
        .into_iter()
        .find_map(|item| match item {
            PemItem::PrivateKey(k) => Some(k),
            _ => None,
        })
        .ok_or_else(|| TlsFileError {
            file: TlsFile::ClientKey,
            path: files.key.clone(),
            reason: "no private key found".to_owned(),
        })?;
    Ok(ClientCert::new_with_certs(&chain, key))
}

/// A device identity as a device keeps it (`device image`): the leaf certificate (DER) and the
/// P-256 private scalar, read from PEM files (the key as PKCS#8 or SEC1).
///
/// # Errors
/// [`TlsFileError`] for an unreadable file, no certificate, no key, or a key that is not P-256.
#[cfg(feature = "cli")]
pub(crate) fn read_device_identity(
    files: &ClientTlsFiles,
) -> Result<(Vec<u8>, zeroize::Zeroizing<[u8; 32]>), TlsFileError> {
    let certificate = read_certificates(&files.cert, TlsFile::ClientCert)?
        .swap_remove(0)
        .der()
        .to_vec();
    let refused = |reason: &str| TlsFileError {
        file: TlsFile::ClientKey,
        path: files.key.clone(),
        reason: reason.to_owned(),
    };
    let key = read_pem(&files.key, TlsFile::ClientKey)?
        .into_iter()
        .find_map(|item| match item {
            PemItem::PrivateKey(k) => Some(k),
            _ => None,
        })
        .ok_or_else(|| refused("no private key found"))?;
    // PKCS#8 or SEC1 (ureq does not export the kind it found; an RSA key is neither).
    let secret = {
        use p256_device::pkcs8::DecodePrivateKey as _;
        p256_device::SecretKey::from_pkcs8_der(key.der())
            .or_else(|_| p256_device::SecretKey::from_sec1_der(key.der()))
    }
    .map_err(|_| refused("not an ECDSA P-256 key (a device image holds P-256 keys only)"))?;
    Ok((
        certificate,
        zeroize::Zeroizing::new(secret.to_bytes().into()),
    ))
}

/// Where the current exchange is.
enum State {
    Idle,
    /// Head accepted; the body pieces so far (at most [`INLINE_BODY_LIMIT`] bytes) are in `body`.
    /// The request is sent at `finish`, or from a helper thread once the body passes the limit.
    Started {
        builder: http::request::Builder,
        /// The Content-Length header's value, when there is one.
        length: Option<u64>,
        body: Vec<u8>,
    },
    /// The request is being sent on a helper thread that reads body pieces from `tx`.
    Sending {
        tx: SyncSender<Vec<u8>>,
        /// The Content-Length header's value, when there is one.
        length: Option<u64>,
        /// Body bytes handed over so far.
        written: u64,
        handle: JoinHandle<Result<http::Response<ureq::Body>, ureq::Error>>,
    },
    /// Reading the response body.
    Receiving(ureq::BodyReader<'static>),
}

/// core's [`Transport`] over ureq 3 (rustls, ring): one exchange at a time, blocking.
pub struct HttpsTransport {
    agent: ureq::Agent,
    /// The request's own timeout ([`HttpRequest::timeout_ms`]), applied to connect and head, and
    /// as the idle timeout of the bodies.
    timeout: Option<Duration>,
    state: State,
    response_headers: Vec<(String, String)>,
}

impl fmt::Debug for HttpsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Idle => "idle",
            State::Started { .. } => "started",
            State::Sending { .. } => "sending",
            State::Receiving(_) => "receiving",
        };
        f.debug_struct("HttpsTransport")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl HttpsConfig {
    /// The default settings with `session`'s CA bundle (`AWS_CA_BUNDLE`, `ca_bundle`) and client
    /// certificate (`AWS_SDK_GO_CLIENT_TLS_CERT` / `…_KEY`), if any.
    pub fn for_session(session: &aws_session_core::session::Session) -> HttpsConfig {
        let config = session.config();
        // Session creation guarantees both or neither. Without Go v1's pair, an AWS IoT
        // credentials profile's device certificate is presented.
        let client_tls = match (path(&config.client_tls_cert), path(&config.client_tls_key)) {
            (Some(cert), Some(key)) => Some(ClientTlsFiles { cert, key }),
            _ => iot_certificate(session.credentials()),
        };
        HttpsConfig {
            ca_bundle: path(&config.ca_bundle),
            client_tls,
            ..HttpsConfig::default()
        }
    }
}

/// The device certificate of a plan whose base is the AWS IoT credentials provider.
pub(crate) fn iot_certificate(plan: &CredentialPlan) -> Option<ClientTlsFiles> {
    let (cert, key) = plan.iot()?.certificate.as_ref()?;
    Some(ClientTlsFiles {
        cert: PathBuf::from(cert.as_str()),
        key: PathBuf::from(key.as_str()),
    })
}

/// A path setting of the session as a path.
fn path<const N: usize>(
    value: &Option<aws_session_core::provenance::Resolved<aws_session_core::text::Text<N>>>,
) -> Option<PathBuf> {
    value.as_ref().map(|v| PathBuf::from(v.value.as_str()))
}

impl HttpsTransport {
    /// A transport with these settings.
    ///
    /// # Errors
    /// [`TlsFileError`] when the CA bundle holds no certificate, the client certificate or key
    /// holds none, or one of them cannot be read.
    pub fn new(config: &HttpsConfig) -> Result<Self, TlsFileError> {
        let roots = match &config.ca_bundle {
            Some(path) => RootCerts::new_with_certs(&read_certificates(path, TlsFile::CaBundle)?),
            None => RootCerts::PlatformVerifier,
        };
        let client_cert = config
            .client_tls
            .as_ref()
            .map(read_client_cert)
            .transpose()?;
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(roots)
            .client_cert(client_cert)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(config.connect_timeout)
            .timeout_recv_response(config.response_timeout)
            .timeout_global(config.total_timeout)
            .timeout_per_read(config.idle_timeout)
            .timeout_per_write(config.idle_timeout)
            .user_agent(config.user_agent.as_str())
            .input_buffer_size(crate::limits::RECEIVE_BUFFER_LEN)
            .output_buffer_size(crate::limits::SEND_BUFFER_LEN)
            // One byte under the buffer, so that a head filling it is reported as too large
            // rather than as a connection that stopped making progress.
            .max_response_header_size(crate::limits::RECEIVE_BUFFER_LEN - 1)
            .build()
            .into();
        Ok(HttpsTransport {
            agent,
            timeout: None,
            state: State::Idle,
            response_headers: Vec::new(),
        })
    }

    /// All headers of the last response, in order (the [`ResponseHead`] handed to the pipeline
    /// keeps only as many as its capacity allows).
    pub fn response_headers(&self) -> &[(String, String)] {
        &self.response_headers
    }

    /// The request of `builder` (without its body), with the request's own timeout when it has
    /// one.
    fn configured(
        &self,
        builder: http::request::Builder,
    ) -> Result<http::Request<()>, TransportError> {
        let request = builder
            .body(())
            .map_err(|e| TransportError::new(ErrorKind::InvalidData, e.to_string()))?;
        Ok(match self.timeout {
            None => request,
            Some(t) => self
                .agent
                .configure_request(request)
                .timeout_connect(Some(t))
                .timeout_recv_response(Some(t))
                .timeout_per_read(Some(t))
                .timeout_per_write(Some(t))
                .build(),
        })
    }

    /// Starts the helper thread that sends the request: `first` (the body collected so far), then
    /// the pieces from a channel; the exchange is then `Sending`.
    fn start_sending(
        &mut self,
        builder: http::request::Builder,
        length: Option<u64>,
        first: Vec<u8>,
    ) -> Result<(), TransportError> {
        let written = first.len() as u64;
        let (tx, rx) = sync_channel::<Vec<u8>>(BODY_QUEUE_DEPTH);
        let agent = self.agent.clone();
        let request = self.configured(builder)?;
        let handle = std::thread::Builder::new()
            .name("aws-session-http".into())
            .spawn(move || {
                let (parts, ()) = request.into_parts();
                let body = ureq::SendBody::from_owned_reader(ChannelReader {
                    rx,
                    piece: first,
                    at: 0,
                    left: length,
                });
                agent.run(http::Request::from_parts(parts, body))
            })
            .map_err(|e| {
                TransportError::new(
                    ErrorKind::Other,
                    format!("cannot start the sending thread: {e}"),
                )
            })?;
        self.state = State::Sending {
            tx,
            length,
            written,
            handle,
        };
        Ok(())
    }

    fn take_response(
        &mut self,
        result: Result<http::Response<ureq::Body>, ureq::Error>,
        head: &mut ResponseHead,
    ) -> Result<(), TransportError> {
        let response = result.map_err(|e| TransportError::from_ureq(&e))?;
        head.set_status(response.status().as_u16());
        self.response_headers.clear();
        for (name, value) in response.headers() {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            // A head that cannot keep every header counts the rest as dropped.
            let _ = head.push_header(name.as_str(), &value);
            self.response_headers
                .push((name.as_str().to_owned(), value));
        }
        self.state = State::Receiving(response.into_body().into_reader());
        Ok(())
    }
}

/// The request body as the sending thread sees it: pieces from the channel, then the end.
struct ChannelReader {
    rx: Receiver<Vec<u8>>,
    piece: Vec<u8>,
    at: usize,
    /// Bytes still owed to the Content-Length, when there is one.
    left: Option<u64>,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.piece.len() {
            match self.rx.recv() {
                Ok(piece) => {
                    self.piece = piece;
                    self.at = 0;
                }
                // The sender is gone: the body is complete, unless it is short of its
                // Content-Length (ureq would wait for the rest forever).
                Err(_) if self.left.is_some_and(|n| n > 0) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        SHORT_BODY,
                    ))
                }
                Err(_) => return Ok(0),
            }
        }
        let rest = self.piece.get(self.at..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        if let Some(left) = &mut self.left {
            *left = left.saturating_sub(n as u64);
        }
        Ok(n)
    }
}

impl Transport for HttpsTransport {
    type Error = TransportError;

    fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), TransportError> {
        // Abandon whatever is left of an earlier exchange.
        self.state = State::Idle;
        self.response_headers.clear();
        self.timeout = request
            .timeout_ms()
            .map(|ms| Duration::from_millis(u64::from(ms)));
        let uri = format!(
            "{}://{}{}",
            request.scheme().as_str(),
            request.host(),
            request.target()
        );
        let mut builder = http::Request::builder()
            .method(request.method().as_str())
            .uri(uri.as_str());
        let mut has_host = false;
        for (name, value) in request.headers().iter() {
            has_host |= name.eq_ignore_ascii_case("host");
            builder = builder.header(name, value);
        }
        if !has_host {
            // The host exactly as signed (ureq would drop a default port).
            builder = builder.header("host", request.host());
        }
        let length = request
            .headers()
            .get("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        self.state = State::Started {
            builder,
            length,
            body: Vec::new(),
        };
        Ok(())
    }

    fn write_body(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        if bytes.is_empty() {
            return Ok(());
        }
        match &mut self.state {
            State::Started { length, body, .. }
                if body.len().saturating_add(bytes.len()) <= INLINE_BODY_LIMIT =>
            {
                if body.capacity() == 0 {
                    // One allocation for the whole body when its length is known and small.
                    let hint = length
                        .and_then(|n| usize::try_from(n).ok())
                        .filter(|&n| n <= INLINE_BODY_LIMIT)
                        .unwrap_or(0);
                    body.reserve_exact(hint.max(bytes.len()));
                }
                body.extend_from_slice(bytes);
                return Ok(());
            }
            // Past the limit: stream from here on, starting with what was collected.
            State::Started { .. } => {
                if let State::Started {
                    builder,
                    length,
                    body,
                } = core::mem::replace(&mut self.state, State::Idle)
                {
                    self.start_sending(builder, length, body)?;
                }
            }
            State::Sending { .. } => {}
            _ => {
                return Err(TransportError::new(
                    ErrorKind::Protocol,
                    "write_body outside a request",
                ))
            }
        }
        let State::Sending { tx, written, .. } = &mut self.state else {
            return Err(TransportError::new(
                ErrorKind::Other,
                "the sending thread did not start",
            ));
        };
        *written = written.saturating_add(bytes.len() as u64);
        if tx.send(bytes.to_vec()).is_ok() {
            return Ok(());
        }
        // The sending thread stopped early: report its error.
        if let State::Sending { handle, .. } = core::mem::replace(&mut self.state, State::Idle) {
            return Err(match handle.join() {
                Ok(Err(e)) => TransportError::from_ureq(&e),
                Ok(Ok(_)) => TransportError::new(
                    ErrorKind::Protocol,
                    "the server answered before the body was sent",
                ),
                Err(_) => TransportError::new(ErrorKind::Other, "the sending thread failed"),
            });
        }
        Err(TransportError::new(
            ErrorKind::ConnectionReset,
            "the request body could not be sent",
        ))
    }

    fn finish(&mut self, response: &mut ResponseHead) -> Result<(), TransportError> {
        match core::mem::replace(&mut self.state, State::Idle) {
            State::Started {
                builder,
                length,
                body,
            } => {
                let request = self.configured(builder)?;
                match length {
                    Some(n) if (body.len() as u64) < n => {
                        return Err(TransportError::new(ErrorKind::Protocol, SHORT_BODY))
                    }
                    Some(n) if (body.len() as u64) > n => {
                        return Err(TransportError::new(
                            ErrorKind::Protocol,
                            "the request body is longer than its Content-Length",
                        ))
                    }
                    _ => {}
                }
                if body.is_empty() {
                    let result = self.agent.run(request);
                    return self.take_response(result, response);
                }
                // Sent as a reader, as the streaming thread does: ureq checks it against the
                // Content-Length, or sends it chunked when there is none.
                let (parts, ()) = request.into_parts();
                let mut reader = body.as_slice();
                let request =
                    http::Request::from_parts(parts, ureq::SendBody::from_reader(&mut reader));
                let result = self.agent.run(request);
                self.take_response(result, response)
            }
            State::Sending {
                tx,
                length,
                written,
                handle,
            } => {
                drop(tx);
                let joined = handle.join();
                if length.is_some_and(|n| written < n) {
                    return Err(TransportError::new(ErrorKind::Protocol, SHORT_BODY));
                }
                match joined {
                    Ok(result) => self.take_response(result, response),
                    Err(_) => Err(TransportError::new(
                        ErrorKind::Other,
                        "the sending thread failed",
                    )),
                }
            }
            _ => Err(TransportError::new(
                ErrorKind::Protocol,
                "finish outside a request",
            )),
        }
    }

    fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, TransportError> {
        match &mut self.state {
            State::Receiving(reader) => match reader.read(buf) {
                Ok(0) => {
                    self.state = State::Idle;
                    Ok(0)
                }
                Ok(n) => Ok(n),
                Err(e) => {
                    self.state = State::Idle;
                    // ureq hands its own errors (a timeout while the body arrives) wrapped in an
                    // I/O error of kind `Other`: unwrap them so a stalled body is `TimedOut`.
                    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
                        return Err(TransportError::from_ureq(inner));
                    }
                    let kind = io_kind(e.kind());
                    Err(TransportError::new(
                        if kind == ErrorKind::Other {
                            ErrorKind::Protocol
                        } else {
                            kind
                        },
                        e.to_string(),
                    ))
                }
            },
            State::Idle => Ok(0),
            _ => Err(TransportError::new(
                ErrorKind::Protocol,
                "read_body before finish",
            )),
        }
    }
}
