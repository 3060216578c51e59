//! Plain-HTTP transport over embassy-net: DNS, TCP, and the HTTP/1.1 client, reconnecting as
//! needed (feature `net`).
//!
//! [`TcpTransport`] keeps one TCP socket and one [`HttpConnection`] on it. `begin` reuses the open
//! connection when it goes to the same `host:port` and is still reusable (nothing unread, no
//! `Connection: close`, the peer has not closed its side); otherwise it aborts it, resolves the
//! host (an IPv4 literal needs no DNS; names go to the stack's DNS servers) and connects again.
//!
//! This transport speaks `http` only: a request for `https` fails with [`HttpError::Scheme`]. Use
//! it for local endpoints (a test server, a LocalStack or moto instance, a VPC endpoint behind a
//! TLS-terminating gateway) and [`crate::tls`] for AWS endpoints.

use core::fmt;

use aws_session_core::http::{HttpRequest, ResponseHead, Scheme};
use aws_session_core::limits::MAX_HOST_LEN;
use aws_session_core::platform::AsyncTransport;
use aws_session_core::text::Text;
use embassy_net::dns::DnsQueryType;
use embassy_net::tcp::{State as TcpState, TcpSocket};
use embassy_net::{IpAddress, IpEndpoint, Stack};
use embassy_time::with_timeout;

use crate::clock::WallClock;
use crate::http::{HttpConfig, HttpConnection, HttpError};

/// Caller-owned memory of a [`TcpTransport`]: the socket's receive and transmit rings and the
/// HTTP head buffer. Put it in a `StaticCell` or a task's state.
pub struct TcpBuffers<const RX: usize = 4096, const TX: usize = 2048, const HEAD: usize = 2048> {
    rx: [u8; RX],
    tx: [u8; TX],
    head: [u8; HEAD],
}

impl<const RX: usize, const TX: usize, const HEAD: usize> TcpBuffers<RX, TX, HEAD> {
    /// Zeroed buffers.
    pub const fn new() -> Self {
        TcpBuffers {
            rx: [0; RX],
            tx: [0; TX],
            head: [0; HEAD],
        }
    }
}

impl<const RX: usize, const TX: usize, const HEAD: usize> Default for TcpBuffers<RX, TX, HEAD> {
    fn default() -> Self {
        Self::new()
    }
}

/// Splits `host[:port]` (an IPv6 literal in brackets keeps its colons) into name and port, the
/// scheme's default when there is none (core's `split_authority`).
///
/// # Errors
/// [`HttpError::Usage`] for an empty name or a port that is not a number.
pub fn split_host(host: &str, scheme: Scheme) -> Result<(&str, u16), HttpError> {
    aws_session_core::http::url::split_authority(host, scheme.default_port())
        .ok_or(HttpError::Usage)
}

/// Resolves `name` to one address: IPv4 literals directly, names through the stack's DNS servers.
///
/// # Errors
/// [`HttpError::Dns`].
pub async fn resolve(stack: Stack<'_>, name: &str) -> Result<IpAddress, HttpError> {
    let found = stack
        .dns_query(name, DnsQueryType::A)
        .await
        .map_err(|_| HttpError::Dns)?;
    found.first().copied().ok_or(HttpError::Dns)
}

/// Opens `socket` to `name:port` (aborting whatever it had open), with a timeout.
///
/// # Errors
/// [`HttpError::Dns`], [`HttpError::Connect`], [`HttpError::TimedOut`].
pub async fn connect(
    stack: Stack<'_>,
    socket: &mut TcpSocket<'_>,
    name: &str,
    port: u16,
    config: &HttpConfig,
) -> Result<(), HttpError> {
    if socket.state() != TcpState::Closed {
        socket.abort();
        // Sends the RST; a failure only means the peer is already gone.
        let _ = with_timeout(config.io_timeout, socket.flush()).await;
    }
    let addr = resolve(stack, name).await?;
    // TCP's own timeout resets the connection; keep it longer than ours so that a silent peer is
    // reported as a timeout.
    socket.set_timeout(Some(config.io_timeout + config.io_timeout));
    match with_timeout(
        config.io_timeout,
        socket.connect(IpEndpoint::new(addr, port)),
    )
    .await
    {
        Ok(Ok(())) => {
            debug!("tcp: connected to port {}", port);
            Ok(())
        }
        Ok(Err(_)) => Err(HttpError::Connect),
        Err(_) => Err(HttpError::TimedOut),
    }
}

/// An `http://` transport over an embassy-net stack (see the [module docs](self)).
pub struct TcpTransport<'a> {
    stack: Stack<'a>,
    http: HttpConnection<'a, TcpSocket<'a>>,
    peer: Option<(Text<MAX_HOST_LEN>, u16)>,
    config: HttpConfig,
}

impl fmt::Debug for TcpTransport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpTransport")
            .field("http", &self.http)
            .field("connected", &self.peer.is_some())
            .finish()
    }
}

impl<'a> TcpTransport<'a> {
    /// A transport on `stack` using `buffers`; nothing is connected yet.
    pub fn new<const RX: usize, const TX: usize, const HEAD: usize>(
        stack: Stack<'a>,
        buffers: &'a mut TcpBuffers<RX, TX, HEAD>,
        config: HttpConfig,
    ) -> Self {
        let TcpBuffers { rx, tx, head } = buffers;
        let socket = TcpSocket::new(stack, rx, tx);
        TcpTransport {
            stack,
            http: HttpConnection::new(socket, head, config),
            peer: None,
            config,
        }
    }

    /// Hands every response's `Date` to `clock`.
    pub fn with_clock(mut self, clock: &'a WallClock) -> Self {
        self.http = self.http.with_clock(clock);
        self
    }

    /// True when a connection to `host:port` is open and can carry another request.
    fn can_reuse(&self, name: &str, port: u16) -> bool {
        let socket = self.http.stream();
        socket.state() == TcpState::Established
            && socket.may_recv()
            && self.http.is_reusable()
            && self
                .peer
                .as_ref()
                .is_some_and(|(n, p)| n.as_str() == name && *p == port)
    }

    /// Closes the connection (gracefully; the peer sees a FIN).
    pub async fn close(&mut self) {
        let socket = self.http.stream_mut();
        socket.close();
        let _ = with_timeout(self.config.io_timeout, socket.flush()).await;
        self.peer = None;
    }

    /// Reads body bytes of the last response (for bodies the pipeline left unread).
    ///
    /// # Errors
    /// As [`HttpConnection::read_body`].
    pub async fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, HttpError> {
        self.http.read_body(buf).await
    }
}

impl AsyncTransport for TcpTransport<'_> {
    type Error = HttpError;

    async fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), HttpError> {
        if request.scheme() != Scheme::Http {
            return Err(HttpError::Scheme);
        }
        let (name, port) = split_host(request.host(), Scheme::Http)?;
        if !self.can_reuse(name, port) {
            self.peer = None;
            connect(self.stack, self.http.stream_mut(), name, port, &self.config).await?;
            self.http.reset();
            let host = Text::try_from(name).map_err(|_| HttpError::Usage)?;
            self.peer = Some((host, port));
        }
        let result = self.http.send_head(request).await;
        if result.is_err() {
            self.peer = None;
        }
        result
    }

    async fn write_body(&mut self, bytes: &[u8]) -> Result<(), HttpError> {
        self.http.send_body(bytes).await
    }

    async fn finish(&mut self, response: &mut ResponseHead) -> Result<(), HttpError> {
        let result = self.http.read_head(response).await;
        if result.is_err() {
            self.peer = None;
        }
        result
    }

    async fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, HttpError> {
        self.http.read_body(buf).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_split_into_name_and_port() {
        assert_eq!(
            split_host("example.com", Scheme::Http),
            Ok(("example.com", 80))
        );
        assert_eq!(
            split_host("example.com", Scheme::Https),
            Ok(("example.com", 443))
        );
        assert_eq!(
            split_host("10.0.0.2:5055", Scheme::Http),
            Ok(("10.0.0.2", 5055))
        );
        assert_eq!(split_host("[::1]", Scheme::Http), Ok(("::1", 80)));
        assert_eq!(split_host("[::1]:8080", Scheme::Http), Ok(("::1", 8080)));
        assert_eq!(split_host("h:port", Scheme::Http), Err(HttpError::Usage));
    }
}
