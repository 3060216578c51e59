//! [`HttpsTransport`]: core's blocking [`Transport`] over `std::net` sockets, rustls, and
//! `httparse` for the response heads.
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
//! * Timeouts hold for the whole exchange: connect ([`HttpsConfig::connect_timeout`], TCP and
//!   TLS handshake), response head ([`HttpsConfig::response_timeout`]), and, once connected, an
//!   idle timeout ([`HttpsConfig::idle_timeout`]) on every read and write, so a response body that
//!   stops arriving or a request body the server stops reading ends with [`ErrorKind::TimedOut`].
//!   They are socket timeouts, set only when the value changes.
//! * Proxies come from `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` (or their lower-case forms), as
//!   Go's default HTTP client reads them: `https` requests go through an HTTP `CONNECT` tunnel of
//!   the `HTTPS_PROXY`, `http` requests to the `HTTP_PROXY` with an absolute request target;
//!   `localhost` and loopback addresses are never proxied. Only `http://` proxies are supported;
//!   credentials in the proxy URL (`http://user:password@host:port`) are sent as
//!   `Proxy-Authorization: Basic`.
//!
//! One connection is kept alive per scheme, host and port, and reused when the previous response
//! was read to its end and did not say `Connection: close`. A connection idle for more than
//! [`PROBE_AFTER`] is probed once (a non-blocking peek) before reuse; one that turns out closed
//! before any byte of the response is a [`ErrorKind::ConnectionReset`], which the request
//! pipeline retries on a new connection.
//!
//! The request head and a small body (up to [`INLINE_BODY_LIMIT`] bytes, every STS, SSO and IMDS
//! call) are collected from the pieces [`HttpsTransport::write_body`] hands over and written in
//! one write at [`HttpsTransport::finish`]. A longer body is streamed: once the collected pieces
//! pass the limit, they and every later piece are written to the socket as they come (chunked when
//! the request has no `Content-Length`). To use another HTTP client, implement core's
//! [`Transport`] for it; nothing else in the session depends on this type.

use core::time::Duration;
use std::fmt;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use aws_session_core::http::{
    BodyFraming, FramingHeaders, HttpRequest, Method, ResponseHead, Scheme,
};
use aws_session_core::platform::{Error as PlatformError, ErrorKind, Transport};
use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
    ServerName,
};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::bounded_read::{read_limited, ReadLimit};
use crate::limits::{
    MAX_CA_BUNDLE_LEN, MAX_IDLE_CONNECTIONS, MAX_RESPONSE_HEADERS, RECEIVE_BUFFER_LEN,
    SEND_BUFFER_LEN,
};
use zeroize::Zeroize;

use aws_session_core::credentials::CredentialPlan;

pub use crate::limits::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT};
/// The longest request body written together with its head at [`HttpsTransport::finish`]
/// (64 KiB). Up to this size the pieces are collected in one buffer; past it they are written to
/// the socket as they come, so the buffer is never much larger than this.
pub const INLINE_BODY_LIMIT: usize = 64 * 1024;

/// How long a kept-alive connection may sit unused before it is probed (one non-blocking peek)
/// for a close the server sent meanwhile. Younger connections are reused without a probe: a
/// server that closed one anyway costs one retry ([`ErrorKind::ConnectionReset`]).
pub const PROBE_AFTER: Duration = Duration::from_secs(1);

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

/// One item of a PEM file.
enum PemItem {
    Certificate(CertificateDer<'static>),
    PrivateKey(PrivateKeyDer<'static>),
}

/// The PEM items of a TLS file, read with [`MAX_CA_BUNDLE_LEN`] as the bound.
fn read_pem(path: &Path, file: TlsFile) -> Result<Vec<PemItem>, TlsFileError> {
    let err = |reason: String| TlsFileError {
        file,
        path: path.to_owned(),
        reason,
    };
    let limit = ReadLimit::new(MAX_CA_BUNDLE_LEN, "MAX_CA_BUNDLE_LEN");
    let mut pem = read_limited(path, limit).map_err(|e| err(e.failure.to_string()))?;
    let items = <(SectionKind, Vec<u8>)>::pem_slice_iter(&pem)
        .filter_map(|item| {
            item.map(|(kind, der)| match kind {
                SectionKind::Certificate => Some(PemItem::Certificate(der.into())),
                SectionKind::PrivateKey => {
                    Some(PemItem::PrivateKey(PrivatePkcs8KeyDer::from(der).into()))
                }
                SectionKind::RsaPrivateKey => {
                    Some(PemItem::PrivateKey(PrivatePkcs1KeyDer::from(der).into()))
                }
                SectionKind::EcPrivateKey => {
                    Some(PemItem::PrivateKey(PrivateSec1KeyDer::from(der).into()))
                }
                _ => None,
            })
            .transpose()
        })
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
) -> Result<Vec<CertificateDer<'static>>, TlsFileError> {
    let certs: Vec<_> = read_pem(path, file)?
        .into_iter()
        .filter_map(|item| match item {
            PemItem::Certificate(c) => Some(c),
            PemItem::PrivateKey(_) => None,
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

/// The first private key of a PEM file.
fn read_private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsFileError> {
    read_pem(path, TlsFile::ClientKey)?
        .into_iter()
        .find_map(|item| match item {
            PemItem::PrivateKey(k) => Some(k),
            PemItem::Certificate(_) => None,
        })
        .ok_or_else(|| TlsFileError {
            file: TlsFile::ClientKey,
            path: path.to_owned(),
            reason: "no private key found".to_owned(),
        })
}

/// A client certificate chain and its private key.
struct ClientCert {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

/// Reads a client certificate chain and its private key (PKCS#8, PKCS#1 or SEC1 PEM).
fn read_client_cert(files: &ClientTlsFiles) -> Result<ClientCert, TlsFileError> {
    let chain = read_certificates(&files.cert, TlsFile::ClientCert)?;
    let key = read_private_key(&files.key)?;
    Ok(ClientCert { chain, key })
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
        .to_vec();
    let refused = |reason: &str| TlsFileError {
        file: TlsFile::ClientKey,
        path: files.key.clone(),
        reason: reason.to_owned(),
    };
    let key = read_private_key(&files.key)?;
    // PKCS#8 or SEC1 (an RSA key is neither).
    let secret = {
        use p256_device::pkcs8::DecodePrivateKey as _;
        p256_device::SecretKey::from_pkcs8_der(key.secret_der())
            .or_else(|_| p256_device::SecretKey::from_sec1_der(key.secret_der()))
    }
    .map_err(|_| refused("not an ECDSA P-256 key (a device image holds P-256 keys only)"))?;
    Ok((
        certificate,
        zeroize::Zeroizing::new(secret.to_bytes().into()),
    ))
}

/// The error of a failed socket operation: [`ErrorKind::Tls`] for the TLS failures rustls wraps
/// in I/O errors, else the kind of the I/O error (`Other` as `fallback`).
fn io_error(e: &std::io::Error, what: &str, fallback: ErrorKind) -> TransportError {
    let kind = if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
        ErrorKind::Tls
    } else {
        match io_kind(e.kind()) {
            ErrorKind::Other => fallback,
            kind => kind,
        }
    };
    TransportError::new(kind, format!("{what}: {e}"))
}

/// The error of a connection that ended early.
fn closed(what: &str) -> TransportError {
    TransportError::new(
        ErrorKind::ConnectionReset,
        format!("connection closed {what}"),
    )
}

/// A connection's byte stream: plain TCP or TLS over TCP.
enum Io {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Io {
    fn tcp(&self) -> &TcpStream {
        match self {
            Io::Plain(s) => s,
            Io::Tls(s) => &s.sock,
        }
    }

    /// Writes all of `bytes` and flushes (one socket write for plain TCP; the TLS records of
    /// `bytes`, written together, for TLS).
    fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Io::Plain(s) => s.write_all(bytes),
            Io::Tls(s) => {
                s.write_all(bytes)?;
                s.flush()
            }
        }
    }
}

impl Read for Io {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Io::Plain(s) => s.read(buf),
            Io::Tls(s) => s.read(buf),
        }
    }
}

/// An open connection and the socket timeouts it has now.
struct Conn {
    scheme: Scheme,
    /// The request's host as given (`name` or `name:port`).
    host: String,
    io: Io,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    /// When the last exchange on it ended.
    idle_since: Instant,
}

impl Conn {
    /// Sets the socket's read or write timeout, unless it is `t` already.
    fn set_timeout(&mut self, write: bool, t: Option<Duration>) -> Result<(), TransportError> {
        let current = if write {
            &mut self.write_timeout
        } else {
            &mut self.read_timeout
        };
        if *current == t {
            return Ok(());
        }
        // A zero timeout means "none" to the socket: the least is one millisecond.
        let socket = t.map(|d| d.max(Duration::from_millis(1)));
        let tcp = self.io.tcp();
        if write {
            tcp.set_write_timeout(socket)
        } else {
            tcp.set_read_timeout(socket)
        }
        .map_err(|e| io_error(&e, "set socket timeout", ErrorKind::Other))?;
        *current = t;
        Ok(())
    }

    /// Whether the peer has closed (or sent anything on) this idle connection: one non-blocking
    /// peek.
    fn looks_closed(&self) -> bool {
        let tcp = self.io.tcp();
        if tcp.set_nonblocking(true).is_err() {
            return true;
        }
        let mut byte = [0u8; 1];
        let closed =
            !matches!(tcp.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
        closed || tcp.set_nonblocking(false).is_err()
    }
}

/// A proxy: where it is, and the `Proxy-Authorization` value of its URL's credentials.
#[derive(Clone, PartialEq, Eq)]
struct Proxy {
    host: String,
    port: u16,
    /// `Basic …` (a secret: never in Debug).
    authorization: Option<String>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("authorization", &self.authorization.as_ref().map(|_| "…"))
            .finish()
    }
}

/// The proxies of the environment.
#[derive(Debug, Default)]
struct Proxies {
    /// `HTTP_PROXY`.
    http: Option<Proxy>,
    /// `HTTPS_PROXY`.
    https: Option<Proxy>,
    /// `NO_PROXY` entries, lower case.
    no_proxy: Vec<String>,
}

impl Proxies {
    fn from_env() -> Proxies {
        let var = |upper: &str| {
            std::env::var(upper)
                .or_else(|_| std::env::var(upper.to_ascii_lowercase()))
                .ok()
                .filter(|v| !v.trim().is_empty())
        };
        Proxies {
            http: var("HTTP_PROXY").as_deref().and_then(parse_proxy),
            https: var("HTTPS_PROXY").as_deref().and_then(parse_proxy),
            no_proxy: var("NO_PROXY")
                .map(|v| {
                    v.split(',')
                        .map(|e| e.trim().trim_start_matches("*.").trim_start_matches('.'))
                        .filter(|e| !e.is_empty())
                        .map(str::to_ascii_lowercase)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The proxy for a request to `host:port` over `scheme`, if any.
    fn for_host(&self, scheme: Scheme, host: &str, port: u16) -> Option<&Proxy> {
        let proxy = match scheme {
            Scheme::Https => self.https.as_ref(),
            _ => self.http.as_ref(),
        }?;
        let host = host.to_ascii_lowercase();
        let loopback = host == "localhost"
            || host
                .parse::<core::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let excluded = self.no_proxy.iter().any(|entry| {
            let (name, entry_port) = match entry.rsplit_once(':') {
                Some((n, p)) if !n.contains(':') || n.ends_with(']') => (n, p.parse().ok()),
                _ => (entry.as_str(), None),
            };
            let name = name.trim_start_matches('[').trim_end_matches(']');
            entry == "*"
                || (entry_port.is_none_or(|p: u16| p == port)
                    && (host == name
                        || host
                            .strip_suffix(name)
                            .is_some_and(|rest| rest.ends_with('.'))))
        });
        (!loopback && !excluded).then_some(proxy)
    }
}

/// The proxy of a proxy URL (`http://[user:password@]host[:port]`, or without `http://`);
/// `None` for another scheme.
fn parse_proxy(url: &str) -> Option<Proxy> {
    use base64ct::Encoding as _;
    let url = url.trim();
    let rest = match url.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
        Some(_) => return None,
        None => url,
    };
    let authority = rest.split('/').next()?;
    let (credentials, authority) = match authority.rsplit_once('@') {
        Some((credentials, authority)) => (Some(credentials), authority),
        None => (None, authority),
    };
    let (host, port) = split_host(authority, 80).ok()?;
    Some(Proxy {
        host: host.to_owned(),
        port,
        authorization: credentials
            .map(|c| format!("Basic {}", base64ct::Base64::encode_string(c.as_bytes()))),
    })
}

/// The name and port of `host` (`name`, `name:port`, `[v6]` or `[v6]:port`; core's
/// `split_authority`).
fn split_host(host: &str, default_port: u16) -> Result<(&str, u16), TransportError> {
    aws_session_core::http::url::split_authority(host, default_port)
        .ok_or_else(|| TransportError::new(ErrorKind::InvalidData, format!("bad host {host:?}")))
}

/// Opens a TCP connection to `name:port` (each resolved address in turn), with `TCP_NODELAY`.
fn connect_tcp(
    name: &str,
    port: u16,
    timeout: Option<Duration>,
) -> Result<TcpStream, TransportError> {
    let addrs = (name, port)
        .to_socket_addrs()
        .map_err(|e| TransportError::new(ErrorKind::Dns, format!("{name}: {e}")))?;
    let mut last = None;
    for addr in addrs {
        let attempt = match timeout {
            Some(t) => TcpStream::connect_timeout(&addr, t.max(Duration::from_millis(1))),
            None => TcpStream::connect(addr),
        };
        match attempt {
            Ok(s) => {
                s.set_nodelay(true)
                    .map_err(|e| io_error(&e, "TCP_NODELAY", ErrorKind::Other))?;
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => io_error(
            &e,
            &format!("connect to {name}:{port}"),
            ErrorKind::ConnectionRefused,
        ),
        None => TransportError::new(ErrorKind::Dns, format!("{name}: no address")),
    })
}

/// Asks the proxy on `tcp` for a tunnel to `name:port` (HTTP `CONNECT`).
fn open_tunnel(
    tcp: &mut TcpStream,
    name: &str,
    port: u16,
    authorization: Option<&str>,
) -> Result<(), TransportError> {
    let authority = if name.contains(':') {
        format!("[{name}]:{port}")
    } else {
        format!("{name}:{port}")
    };
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(value) = authorization {
        request.push_str("Proxy-Authorization: ");
        request.push_str(value);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    tcp.write_all(request.as_bytes())
        .map_err(|e| io_error(&e, "proxy", ErrorKind::ConnectionReset))?;
    let mut buf = vec![0u8; 8 * 1024];
    let mut len = 0;
    loop {
        let n = tcp
            .read(buf.get_mut(len..).unwrap_or_default())
            .map_err(|e| io_error(&e, "proxy", ErrorKind::Protocol))?;
        if n == 0 {
            return Err(closed("by the proxy"));
        }
        len += n;
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(buf.get(..len).unwrap_or_default()) {
            Ok(httparse::Status::Complete(_)) => {
                let code = response.code.unwrap_or(0);
                return if (200..300).contains(&code) {
                    Ok(())
                } else {
                    Err(TransportError::new(
                        ErrorKind::ConnectionRefused,
                        format!("the proxy refused the tunnel to {authority}: status {code}"),
                    ))
                };
            }
            Ok(httparse::Status::Partial) if len < buf.len() => {}
            Ok(httparse::Status::Partial) => {
                return Err(TransportError::new(
                    ErrorKind::Capacity,
                    "the proxy's response head is too large",
                ))
            }
            Err(e) => {
                return Err(TransportError::new(
                    ErrorKind::Protocol,
                    format!("the proxy's response: {e}"),
                ))
            }
        }
    }
}

/// How the response body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// This many bytes are left.
    Length(u64),
    /// Chunked: where in the chunk framing the reader is.
    Chunked(Chunk),
    /// The body ends when the server closes the connection.
    UntilClose,
    /// The body has been read.
    Done,
}

/// A place in a chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// Before a chunk-size line.
    Size,
    /// Inside a chunk, with this many bytes left.
    Data(u64),
    /// After a chunk's data, before its CRLF.
    DataEnd,
    /// After the last chunk: trailer lines, then an empty line.
    Trailers,
}

/// The request being written.
struct Sending {
    /// The Content-Length header's value, when there is one.
    length: Option<u64>,
    /// Body bytes handed over so far.
    written: u64,
    /// Body bytes collected in the write buffer (not yet on the socket).
    buffered: usize,
    /// The head still lacks its last CRLF (no body piece yet).
    head_open: bool,
    /// The body goes out chunked.
    chunked: bool,
    /// The request already says `Transfer-Encoding` (chunked).
    has_transfer_encoding: bool,
    /// The head (and maybe part of the body) is already on the socket.
    streaming: bool,
    /// A `HEAD` request: the response has no body.
    head_method: bool,
}

/// Where the current exchange is.
enum State {
    Idle,
    Sending(Sending),
    Receiving { framing: Framing, close: bool },
}

/// The TLS settings, and the rustls configuration once built (at the first `https` connection).
struct Tls {
    /// The CA bundle's certificates; `None` means the platform verifier.
    roots: Option<Arc<RootCertStore>>,
    client: Option<ClientCert>,
    config: Option<Arc<ClientConfig>>,
}

impl Tls {
    fn config(&mut self) -> Result<Arc<ClientConfig>, TransportError> {
        if let Some(config) = &self.config {
            return Ok(Arc::clone(config));
        }
        let tls_err = |e: rustls::Error| TransportError::new(ErrorKind::Tls, e.to_string());
        // ring, as before (aws-lc-rs needs a C toolchain); rustls 0.23.48 deprecates its provider
        // for lacking post-quantum key exchange.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(tls_err)?;
        let builder = match &self.roots {
            Some(roots) => builder.with_root_certificates(Arc::clone(roots)),
            // Not dangerous: the platform verifier verifies, against the system's roots.
            None => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(
                    rustls_platform_verifier::Verifier::new(provider).map_err(tls_err)?,
                )),
        };
        let config = Arc::new(match &self.client {
            Some(c) => builder
                .with_client_auth_cert(c.chain.clone(), c.key.clone_key())
                .map_err(tls_err)?,
            None => builder.with_no_client_auth(),
        });
        self.config = Some(Arc::clone(&config));
        Ok(config)
    }
}

/// core's [`Transport`] over `std::net` and rustls: one exchange at a time, blocking, one
/// kept-alive connection per scheme, host and port.
pub struct HttpsTransport {
    connect_timeout: Option<Duration>,
    response_timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    idle_timeout: Option<Duration>,
    user_agent: String,
    tls: Tls,
    proxies: Proxies,
    /// Connections kept alive, oldest first.
    idle: Vec<Conn>,
    /// The connection of the current exchange.
    conn: Option<Conn>,
    /// The request's own timeout ([`HttpRequest::timeout_ms`]), which replaces every other.
    timeout: Option<Duration>,
    /// The end of the current exchange ([`HttpsConfig::total_timeout`]).
    deadline: Option<Instant>,
    state: State,
    /// The request head and a small body, written at once.
    out: Vec<u8>,
    /// Received bytes; `inp[start..end]` are not consumed yet.
    inp: Box<[u8]>,
    start: usize,
    end: usize,
    /// The last response's headers; the first `header_count` are current (the rest keep their
    /// allocations for the next response).
    headers: Vec<(String, String)>,
    header_count: usize,
}

impl fmt::Debug for HttpsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Idle => "idle",
            State::Sending(_) => "sending",
            State::Receiving { .. } => "receiving",
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
            Some(path) => {
                let mut store = RootCertStore::empty();
                store.add_parsable_certificates(read_certificates(path, TlsFile::CaBundle)?);
                Some(Arc::new(store))
            }
            None => None,
        };
        let client = config
            .client_tls
            .as_ref()
            .map(read_client_cert)
            .transpose()?;
        Ok(HttpsTransport {
            connect_timeout: config.connect_timeout,
            response_timeout: config.response_timeout,
            total_timeout: config.total_timeout,
            idle_timeout: config.idle_timeout,
            user_agent: config.user_agent.clone(),
            tls: Tls {
                roots,
                client,
                config: None,
            },
            proxies: Proxies::from_env(),
            idle: Vec::new(),
            conn: None,
            timeout: None,
            deadline: None,
            state: State::Idle,
            out: Vec::with_capacity(SEND_BUFFER_LEN),
            inp: vec![0u8; RECEIVE_BUFFER_LEN].into_boxed_slice(),
            start: 0,
            end: 0,
            headers: Vec::new(),
            header_count: 0,
        })
    }

    /// All headers of the last response, in order (the [`ResponseHead`] handed to the pipeline
    /// keeps only as many as its capacity allows).
    pub fn response_headers(&self) -> &[(String, String)] {
        self.headers.get(..self.header_count).unwrap_or_default()
    }

    /// The socket timeout of a phase whose own timeout is `phase`: the request's timeout when it
    /// has one, never past the deadline.
    fn limit(&self, phase: Option<Duration>) -> Result<Option<Duration>, TransportError> {
        let phase = self.timeout.or(phase);
        let Some(deadline) = self.deadline else {
            return Ok(phase);
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(TransportError::new(
                ErrorKind::TimedOut,
                "the exchange took longer than its total timeout",
            ));
        }
        Ok(Some(phase.map_or(left, |p| p.min(left))))
    }

    /// Ends the current exchange early: its connection is closed.
    fn abandon(&mut self) {
        self.state = State::Idle;
        self.conn = None;
        self.start = 0;
        self.end = 0;
    }

    /// A kept-alive connection for `scheme://host`, or a new one.
    fn connection(&mut self, scheme: Scheme, host: &str) -> Result<Conn, TransportError> {
        if let Some(at) = self
            .idle
            .iter()
            .position(|c| c.scheme == scheme && c.host == host)
        {
            let conn = self.idle.swap_remove(at);
            if conn.idle_since.elapsed() <= PROBE_AFTER || !conn.looks_closed() {
                return Ok(conn);
            }
        }
        let default_port = if scheme == Scheme::Https { 443 } else { 80 };
        let (name, port) = split_host(host, default_port)?;
        let connect_timeout = self.limit(self.connect_timeout)?;
        let proxy = self.proxies.for_host(scheme, name, port).cloned();
        let mut tcp = match &proxy {
            Some(proxy) => connect_tcp(&proxy.host, proxy.port, connect_timeout)?,
            None => connect_tcp(name, port, connect_timeout)?,
        };
        let io = if scheme == Scheme::Https {
            // The handshake (and the tunnel) within the connect timeout.
            let set = |t: &TcpStream| {
                t.set_read_timeout(connect_timeout)
                    .and_then(|()| t.set_write_timeout(connect_timeout))
                    .map_err(|e| io_error(&e, "set timeout", ErrorKind::Other))
            };
            set(&tcp)?;
            if let Some(proxy) = &proxy {
                open_tunnel(&mut tcp, name, port, proxy.authorization.as_deref())?;
            }
            let server_name = ServerName::try_from(name.to_owned())
                .map_err(|e| TransportError::new(ErrorKind::InvalidData, format!("{name}: {e}")))?;
            let mut tls = ClientConnection::new(self.tls.config()?, server_name)
                .map_err(|e| TransportError::new(ErrorKind::Tls, e.to_string()))?;
            while tls.is_handshaking() {
                tls.complete_io(&mut tcp).map_err(|e| {
                    io_error(&e, &format!("TLS handshake with {name}"), ErrorKind::Tls)
                })?;
            }
            Io::Tls(Box::new(StreamOwned::new(tls, tcp)))
        } else {
            Io::Plain(tcp)
        };
        let (read_timeout, write_timeout) = match io {
            Io::Tls(_) => (connect_timeout, connect_timeout),
            Io::Plain(_) => (None, None),
        };
        Ok(Conn {
            scheme,
            host: host.to_owned(),
            io,
            read_timeout,
            write_timeout,
            idle_since: Instant::now(),
        })
    }

    /// The current connection of `conn`, with its read (or write) timeout set to `timeout`.
    fn current(
        conn: &mut Option<Conn>,
        write: bool,
        timeout: Option<Duration>,
    ) -> Result<&mut Conn, TransportError> {
        let conn = conn
            .as_mut()
            .ok_or_else(|| TransportError::new(ErrorKind::Protocol, "no connection"))?;
        conn.set_timeout(write, timeout)?;
        Ok(conn)
    }

    /// Writes `bytes` to the current connection within the idle timeout.
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        let timeout = self.limit(self.idle_timeout)?;
        Self::current(&mut self.conn, true, timeout)?
            .io
            .send(bytes)
            .map_err(|e| io_error(&e, "send", ErrorKind::ConnectionReset))
    }

    /// Writes the collected head and body.
    fn send_collected(&mut self) -> Result<(), TransportError> {
        let out = core::mem::take(&mut self.out);
        let sent = self.send(&out);
        self.out = out;
        self.out.clear();
        sent
    }

    /// Reads more bytes into the receive buffer within `timeout`; `Ok(0)` at the end of the
    /// stream. A full buffer is a [`ErrorKind::Capacity`] error.
    fn fill(&mut self, timeout: Option<Duration>) -> Result<usize, TransportError> {
        if self.start > 0 {
            self.inp.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end >= self.inp.len() {
            return Err(TransportError::new(
                ErrorKind::Capacity,
                format!("the response head is larger than RECEIVE_BUFFER_LEN ({RECEIVE_BUFFER_LEN} bytes)"),
            ));
        }
        let timeout = self.limit(timeout)?;
        let n = Self::current(&mut self.conn, false, timeout)?
            .io
            .read(self.inp.get_mut(self.end..).unwrap_or_default())
            .map_err(|e| io_error(&e, "receive", ErrorKind::Protocol))?;
        self.end += n;
        Ok(n)
    }

    /// Reads the response head (skipping interim `1xx` responses) into `head`; returns how the
    /// body is framed and whether the connection closes after it.
    fn read_head(
        &mut self,
        head: &mut ResponseHead,
        head_method: bool,
    ) -> Result<(Framing, bool), TransportError> {
        let timeout = self.response_timeout;
        loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
            let mut response = httparse::Response::new(&mut headers);
            let parsed = response.parse(self.inp.get(self.start..self.end).unwrap_or_default());
            match parsed {
                Ok(httparse::Status::Complete(len)) => {
                    let status = response.code.unwrap_or(0);
                    if (100..200).contains(&status) && status != 101 {
                        self.start += len;
                        continue;
                    }
                    let mut framing = FramingHeaders::new();
                    head.set_status(status);
                    let mut count = 0;
                    for h in response.headers.iter() {
                        framing
                            .header(h.name, h.value)
                            .map_err(|e| TransportError::new(ErrorKind::Protocol, e.to_string()))?;
                        let value = String::from_utf8_lossy(h.value);
                        let value = value.trim();
                        // Names in lower case, as HTTP/2 sends them.
                        let entry = match self.headers.get_mut(count) {
                            Some(entry) => {
                                entry.0.clear();
                                entry.0.push_str(h.name);
                                entry.1.clear();
                                entry.1.push_str(value);
                                entry
                            }
                            None => {
                                self.headers.push((h.name.to_owned(), value.to_owned()));
                                self.headers.last_mut().ok_or_else(|| {
                                    TransportError::new(ErrorKind::Other, "header list")
                                })?
                            }
                        };
                        entry.0.make_ascii_lowercase();
                        // A head that cannot keep every header counts the rest as dropped.
                        let _ = head.push_header(&entry.0, &entry.1);
                        count += 1;
                    }
                    self.header_count = count;
                    self.start += len;
                    let framing =
                        framing.finish(response.version.unwrap_or(1), status, head_method);
                    let body = match framing.body {
                        BodyFraming::Empty => Framing::Length(0),
                        BodyFraming::Length(n) => Framing::Length(n),
                        BodyFraming::Chunked => Framing::Chunked(Chunk::Size),
                        BodyFraming::UntilClose => Framing::UntilClose,
                    };
                    return Ok((body, !framing.keep_alive));
                }
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => {
                    return Err(TransportError::new(
                        ErrorKind::Capacity,
                        format!("the response has more than {MAX_RESPONSE_HEADERS} headers"),
                    ))
                }
                Err(e) => {
                    return Err(TransportError::new(
                        ErrorKind::Protocol,
                        format!("malformed response head: {e}"),
                    ))
                }
            }
            if self.fill(timeout)? == 0 {
                return Err(closed("before the response head"));
            }
        }
    }

    /// Body bytes into `buf`, at most `max`: from the receive buffer, else from the socket
    /// (straight into `buf` when it is large). `Ok(0)` at the end of the stream.
    fn read_some(&mut self, buf: &mut [u8], max: u64) -> Result<usize, TransportError> {
        let want = usize::try_from(max).unwrap_or(usize::MAX).min(buf.len());
        if self.start == self.end {
            if want >= 4096 {
                let timeout = self.limit(self.idle_timeout)?;
                let to = buf.get_mut(..want).unwrap_or_default();
                return Self::current(&mut self.conn, false, timeout)?
                    .io
                    .read(to)
                    .map_err(|e| io_error(&e, "receive", ErrorKind::Protocol));
            }
            if self.fill(self.idle_timeout)? == 0 {
                return Ok(0);
            }
        }
        let n = want.min(self.end - self.start);
        buf.get_mut(..n)
            .unwrap_or_default()
            .copy_from_slice(self.inp.get(self.start..self.start + n).unwrap_or_default());
        self.start += n;
        Ok(n)
    }

    /// Makes sure the receive buffer holds a line (up to CRLF) or returns an error.
    fn buffered_line(&mut self) -> Result<usize, TransportError> {
        loop {
            let pending = self.inp.get(self.start..self.end).unwrap_or_default();
            if let Some(at) = pending.windows(2).position(|w| w == b"\r\n") {
                return Ok(at);
            }
            if self.fill(self.idle_timeout)? == 0 {
                return Err(closed("inside the chunked body"));
            }
        }
    }

    /// The body after [`Transport::finish`]; `framing` is updated as it is read.
    fn read_framed(
        &mut self,
        buf: &mut [u8],
        framing: &mut Framing,
    ) -> Result<usize, TransportError> {
        loop {
            match *framing {
                Framing::Done | Framing::Length(0) => {
                    *framing = Framing::Done;
                    return Ok(0);
                }
                Framing::Length(left) => {
                    let n = self.read_some(buf, left)?;
                    if n == 0 {
                        return Err(closed("before the end of the body"));
                    }
                    *framing = Framing::Length(left - n as u64);
                    return Ok(n);
                }
                Framing::UntilClose => {
                    let n = self.read_some(buf, u64::MAX)?;
                    if n == 0 {
                        *framing = Framing::Done;
                    }
                    return Ok(n);
                }
                Framing::Chunked(Chunk::Size) => {
                    let pending = self.inp.get(self.start..self.end).unwrap_or_default();
                    match httparse::parse_chunk_size(pending) {
                        Ok(httparse::Status::Complete((len, size))) => {
                            self.start += len;
                            *framing = Framing::Chunked(if size == 0 {
                                Chunk::Trailers
                            } else {
                                Chunk::Data(size)
                            });
                        }
                        Ok(httparse::Status::Partial) => {
                            if self.fill(self.idle_timeout)? == 0 {
                                return Err(closed("inside the chunked body"));
                            }
                        }
                        Err(_) => {
                            return Err(TransportError::new(
                                ErrorKind::Protocol,
                                "malformed chunk size",
                            ))
                        }
                    }
                }
                Framing::Chunked(Chunk::Data(left)) => {
                    let n = self.read_some(buf, left)?;
                    if n == 0 {
                        return Err(closed("inside the chunked body"));
                    }
                    let left = left - n as u64;
                    *framing = Framing::Chunked(if left == 0 {
                        Chunk::DataEnd
                    } else {
                        Chunk::Data(left)
                    });
                    return Ok(n);
                }
                Framing::Chunked(Chunk::DataEnd) => {
                    if self.buffered_line()? != 0 {
                        return Err(TransportError::new(
                            ErrorKind::Protocol,
                            "a chunk longer than its size",
                        ));
                    }
                    self.start += 2;
                    *framing = Framing::Chunked(Chunk::Size);
                }
                Framing::Chunked(Chunk::Trailers) => {
                    let line = self.buffered_line()?;
                    self.start += line + 2;
                    if line == 0 {
                        *framing = Framing::Done;
                    }
                }
            }
        }
    }
}

impl Transport for HttpsTransport {
    type Error = TransportError;

    fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), TransportError> {
        // Abandon whatever is left of an earlier exchange (its connection with it).
        if !matches!(self.state, State::Idle) {
            self.abandon();
        }
        self.header_count = 0;
        self.timeout = request
            .timeout_ms()
            .map(|ms| Duration::from_millis(u64::from(ms)));
        self.deadline = self.total_timeout.map(|t| Instant::now() + t);
        let scheme = request.scheme();
        let host = request.host();
        let mut has_host = false;
        let mut has_agent = false;
        let mut has_transfer_encoding = false;
        let mut length = None;
        for (name, value) in request.headers().iter() {
            if name
                .bytes()
                .chain(value.bytes())
                .any(|b| b == b'\r' || b == b'\n' || b == 0)
            {
                return Err(TransportError::new(
                    ErrorKind::InvalidData,
                    format!("the {name} header holds a line break"),
                ));
            }
            has_host |= name.eq_ignore_ascii_case("host");
            has_agent |= name.eq_ignore_ascii_case("user-agent");
            has_transfer_encoding |= name.eq_ignore_ascii_case("transfer-encoding");
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<u64>().ok();
            }
        }
        let conn = self.connection(scheme, host)?;
        let proxy = match (scheme, &conn.io) {
            (Scheme::Http, Io::Plain(_)) if self.proxies.http.is_some() => {
                let (name, port) = split_host(host, 80)?;
                self.proxies.for_host(scheme, name, port)
            }
            _ => None,
        };
        self.conn = Some(conn);
        self.start = 0;
        self.end = 0;
        let out = &mut self.out;
        out.clear();
        out.extend_from_slice(request.method().as_str().as_bytes());
        out.push(b' ');
        if proxy.is_some() {
            // The absolute form, for the proxy.
            out.extend_from_slice(b"http://");
            out.extend_from_slice(host.as_bytes());
        }
        out.extend_from_slice(request.target().as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        if let Some(value) = proxy.and_then(|p| p.authorization.as_deref()) {
            out.extend_from_slice(b"proxy-authorization: ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if !has_host {
            // The host exactly as signed.
            out.extend_from_slice(b"host: ");
            out.extend_from_slice(host.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        for (name, value) in request.headers().iter() {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if !has_agent {
            out.extend_from_slice(b"user-agent: ");
            out.extend_from_slice(self.user_agent.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        self.state = State::Sending(Sending {
            length,
            written: 0,
            buffered: 0,
            head_open: true,
            chunked: has_transfer_encoding,
            has_transfer_encoding,
            streaming: false,
            head_method: request.method() == Method::Head,
        });
        Ok(())
    }

    fn write_body(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        if bytes.is_empty() {
            return Ok(());
        }
        let State::Sending(sending) = &mut self.state else {
            return Err(TransportError::new(
                ErrorKind::Protocol,
                "write_body outside a request",
            ));
        };
        let written = sending.written.saturating_add(bytes.len() as u64);
        if sending.length.is_some_and(|n| written > n) {
            self.abandon();
            return Err(TransportError::new(
                ErrorKind::Protocol,
                "the request body is longer than its Content-Length",
            ));
        }
        sending.written = written;
        if sending.head_open {
            sending.head_open = false;
            if sending.length.is_none() && !sending.has_transfer_encoding {
                sending.chunked = true;
                self.out
                    .extend_from_slice(b"transfer-encoding: chunked\r\n");
            }
            self.out.extend_from_slice(b"\r\n");
        }
        let chunked = sending.chunked;
        let mut size_line = [0u8; 20];
        let size_line = if chunked {
            let mut cursor = std::io::Cursor::new(&mut size_line[..]);
            let _ = write!(cursor, "{:x}\r\n", bytes.len());
            let n = usize::try_from(cursor.position()).unwrap_or(0);
            size_line.get(..n).unwrap_or_default()
        } else {
            &[]
        };
        if !sending.streaming && sending.buffered.saturating_add(bytes.len()) <= INLINE_BODY_LIMIT {
            sending.buffered += bytes.len();
            self.out.extend_from_slice(size_line);
            self.out.extend_from_slice(bytes);
            if chunked {
                self.out.extend_from_slice(b"\r\n");
            }
            return Ok(());
        }
        sending.streaming = true;
        // Past the limit: what was collected, then this piece, straight to the socket.
        self.out.extend_from_slice(size_line);
        let result = if self.out.len() + bytes.len() <= INLINE_BODY_LIMIT + 4096 {
            self.out.extend_from_slice(bytes);
            if chunked {
                self.out.extend_from_slice(b"\r\n");
            }
            self.send_collected()
        } else {
            self.send_collected()
                .and_then(|()| self.send(bytes))
                .and_then(|()| if chunked { self.send(b"\r\n") } else { Ok(()) })
        };
        if result.is_err() {
            self.abandon();
        }
        result
    }

    fn finish(&mut self, response: &mut ResponseHead) -> Result<(), TransportError> {
        let State::Sending(sending) = core::mem::replace(&mut self.state, State::Idle) else {
            self.abandon();
            return Err(TransportError::new(
                ErrorKind::Protocol,
                "finish outside a request",
            ));
        };
        if sending.length.is_some_and(|n| sending.written < n) {
            self.abandon();
            return Err(TransportError::new(ErrorKind::Protocol, SHORT_BODY));
        }
        if sending.head_open {
            self.out.extend_from_slice(b"\r\n");
        }
        if sending.chunked {
            self.out.extend_from_slice(b"0\r\n\r\n");
        }
        let result = self
            .send_collected()
            .and_then(|()| self.read_head(response, sending.head_method));
        match result {
            Ok((framing, close)) => {
                self.state = State::Receiving { framing, close };
                Ok(())
            }
            Err(e) => {
                self.abandon();
                Err(e)
            }
        }
    }

    fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, TransportError> {
        let State::Receiving { mut framing, close } = self.state else {
            return match self.state {
                State::Idle => Ok(0),
                _ => Err(TransportError::new(
                    ErrorKind::Protocol,
                    "read_body before finish",
                )),
            };
        };
        if buf.is_empty() && framing != Framing::Done {
            return Ok(0);
        }
        match self.read_framed(buf, &mut framing) {
            Ok(n) if framing == Framing::Done => {
                // The end: keep the connection when the server allows it and sent nothing more.
                self.state = State::Idle;
                if let Some(mut conn) = self.conn.take() {
                    if !close && self.start == self.end {
                        conn.idle_since = Instant::now();
                        if self.idle.len() >= MAX_IDLE_CONNECTIONS {
                            self.idle.remove(0);
                        }
                        self.idle.push(conn);
                    }
                }
                self.start = 0;
                self.end = 0;
                Ok(n)
            }
            Ok(n) => {
                self.state = State::Receiving { framing, close };
                Ok(n)
            }
            Err(e) => {
                self.abandon();
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests;
