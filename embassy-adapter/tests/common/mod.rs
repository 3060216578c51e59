//! Two embassy-net stacks joined in memory (embassy-net-driver-channel): the client stack A at
//! 10.0.0.1 and the server stack B at 10.0.0.2, plus a runner that drives both and a test.
#![allow(dead_code)] // each test file uses a part

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::boxed::Box;

use embassy_futures::select::{select3, Either3};
use embassy_net::{Config, Ipv4Address, Ipv4Cidr, Stack, StackResources, StaticConfigV4};
use embassy_net_driver_channel as ch;
use embassy_time::{Duration, Timer};

pub const MTU: usize = 1514;
pub const SERVER: Ipv4Address = Ipv4Address::new(10, 0, 0, 2);

pub fn leak<T>(v: T) -> &'static mut T {
    Box::leak(Box::new(v))
}

/// A stack on its own in-memory device; returns the stack, its runner and the device's runner.
pub fn stack(
    ip: Ipv4Address,
    dns: Option<Ipv4Address>,
    seed: u64,
) -> (
    Stack<'static>,
    embassy_net::Runner<'static, ch::Device<'static, MTU>>,
    ch::Runner<'static, MTU>,
) {
    let state = leak(ch::State::<MTU, 8, 8>::new());
    let (runner, device) = ch::new(state, ch::driver::HardwareAddress::Ip);
    let mut dns_servers = heapless::Vec::new();
    if let Some(d) = dns {
        dns_servers.push(d).unwrap();
    }
    let config = Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(ip, 24),
        gateway: None,
        dns_servers,
    });
    let (stack, net_runner) =
        embassy_net::new(device, config, leak(StackResources::<6>::new()), seed);
    (stack, net_runner, runner)
}

/// Copies every packet one device sends into the other's receive queue, and drops it instead
/// while `cut` is set (a lost radio link or a NAT that forgot the connection: nothing arrives,
/// nothing says why).
pub async fn wire(
    from: &mut ch::TxRunner<'static, MTU>,
    to: &mut ch::RxRunner<'static, MTU>,
    cut: &AtomicBool,
) -> ! {
    loop {
        let packet = from.tx_buf().await;
        let len = packet.len();
        let mut copy = [0u8; MTU];
        copy[..len].copy_from_slice(packet);
        from.tx_done();
        if cut.load(Ordering::SeqCst) {
            continue;
        }
        let dst = to.rx_buf().await;
        dst[..len].copy_from_slice(&copy[..len]);
        to.rx_done(len);
    }
}

/// A DNS server on stack B's port 53 that answers every A query with [`SERVER`] and counts the
/// queries in `queries`.
pub async fn dns_server(stack: Stack<'static>, queries: &AtomicUsize) -> ! {
    use embassy_net::udp::{PacketMetadata, UdpSocket};
    let (mut rx_meta, mut tx_meta) = ([PacketMetadata::EMPTY; 4], [PacketMetadata::EMPTY; 4]);
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let mut socket = UdpSocket::new(stack, &mut rx_meta, &mut rx, &mut tx_meta, &mut tx);
    socket.bind(53).unwrap();
    loop {
        let mut q = [0u8; 512];
        let (n, from) = socket.recv_from(&mut q).await.unwrap();
        queries.fetch_add(1, Ordering::SeqCst);
        // header (12) + question (name, type, class) copied; one answer pointing at the name.
        let question_end = 12 + q[12..n].iter().position(|b| *b == 0).unwrap() + 1 + 4;
        let mut a = std::vec::Vec::new();
        a.extend_from_slice(&q[..2]);
        a.extend_from_slice(&[0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
        a.extend_from_slice(&q[12..question_end]);
        a.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        a.extend_from_slice(&SERVER.octets());
        socket.send_to(&a, from).await.unwrap();
    }
}

/// Runs `server` on stack B and `test` on stack A (once A's address is up), both over the wire,
/// with a 20-second guard. Returns what `test` returned.
pub fn run<T>(
    server: impl AsyncFnOnce(Stack<'static>),
    test: impl AsyncFnOnce(Stack<'static>) -> T,
) -> T {
    run_within(Duration::from_secs(20), server, test)
}

/// [`run`] with a guard of `limit` instead of 20 seconds.
pub fn run_within<T>(
    limit: Duration,
    server: impl AsyncFnOnce(Stack<'static>),
    test: impl AsyncFnOnce(Stack<'static>) -> T,
) -> T {
    run_over(limit, &AtomicBool::new(false), server, test)
}

/// [`run_within`] over a wire that drops every packet while `cut` is set.
pub fn run_over<T>(
    limit: Duration,
    cut: &AtomicBool,
    server: impl AsyncFnOnce(Stack<'static>),
    test: impl AsyncFnOnce(Stack<'static>) -> T,
) -> T {
    let (client, mut client_runner, client_dev) =
        stack(Ipv4Address::new(10, 0, 0, 1), Some(SERVER), 1);
    let (server_stack, mut server_runner, server_dev) = stack(SERVER, None, 2);
    let (client_state, mut client_rx, mut client_tx) = client_dev.split();
    let (server_state, mut server_rx, mut server_tx) = server_dev.split();
    client_state.set_link_state(ch::driver::LinkState::Up);
    server_state.set_link_state(ch::driver::LinkState::Up);
    embassy_futures::block_on(async {
        let network = async {
            embassy_futures::join::join5(
                client_runner.run(),
                server_runner.run(),
                wire(&mut client_tx, &mut server_rx, cut),
                wire(&mut server_tx, &mut client_rx, cut),
                server(server_stack),
            )
            .await
        };
        let guarded = async {
            client.wait_config_up().await;
            test(client).await
        };
        match select3(guarded, network, Timer::after(limit)).await {
            Either3::First(out) => out,
            Either3::Second(_) => panic!("the network stopped"),
            Either3::Third(()) => panic!("test timed out"),
        }
    })
}

/// A minimal deterministic RNG, xorshift64* (tests only: handshake keys need not be secret here).
pub struct TestRng(pub u64);

impl rand_core::RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for TestRng {}

impl aws_session_core::platform::Entropy for TestRng {
    fn next_u32(&mut self) -> u32 {
        rand_core::RngCore::next_u32(self)
    }
}

/// A self-signed test CA (rcgen) with this common name.
pub fn test_ca(name: &str) -> rcgen::CertifiedIssuer<'static, rcgen::KeyPair> {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut params = CertificateParams::new(std::vec::Vec::<std::string::String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A rustls TLS 1.3 server configuration presenting `chain` (leaf first) with its PKCS#8 `key`,
/// asking for no client certificate.
pub fn server_config(
    chain: std::vec::Vec<std::vec::Vec<u8>>,
    key: std::vec::Vec<u8>,
) -> std::sync::Arc<rustls::ServerConfig> {
    std::sync::Arc::new(server_config_with(chain, key, None))
}

/// [`server_config`], requiring a client certificate issued by `client_ca` (DER) when given.
pub fn server_config_with(
    chain: std::vec::Vec<std::vec::Vec<u8>>,
    key: std::vec::Vec<u8>,
    client_ca: Option<&[u8]>,
) -> rustls::ServerConfig {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap();
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(rustls::pki_types::CertificateDer::from(ca.to_vec()))
                .unwrap();
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                std::sync::Arc::new(roots),
                provider,
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
    };
    builder
        .with_single_cert(
            chain
                .into_iter()
                .map(rustls::pki_types::CertificateDer::from)
                .collect(),
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
        )
        .unwrap()
}

/// A TLS 1.3 server (rustls, sans-IO) on port 8443 of `stack`: accepts connections forever, calls
/// `on_handshake` once per connection whose handshake completed, and answers every request (a
/// head ending in a blank line, handed to `on_request`) with `response`.
pub async fn rustls_server(
    stack: embassy_net::Stack<'static>,
    config: std::sync::Arc<rustls::ServerConfig>,
    response: &'static [u8],
    on_handshake: impl FnMut(&rustls::ServerConnection),
    mut on_request: impl FnMut(&str),
) {
    rustls_server_with(stack, config, on_handshake, |_, head| {
        on_request(head);
        Reply::KeepAlive(response)
    })
    .await
}

/// What [`rustls_server_with`] does with a request.
pub enum Reply {
    /// Send these bytes and keep the connection for the next request.
    KeepAlive(&'static [u8]),
    /// Send these bytes (all of a response, or only its start), then drop the connection.
    ThenDrop(&'static [u8]),
}

/// [`rustls_server`], answering the `n`th connection's request with `head` as `answer(n, head)`
/// says (connections count from 0, in the order they are accepted). Two connections are served
/// at a time, so that the next one is accepted while the last is still being closed, as a real
/// server's listen backlog would.
pub async fn rustls_server_with(
    stack: embassy_net::Stack<'static>,
    config: std::sync::Arc<rustls::ServerConfig>,
    on_handshake: impl FnMut(&rustls::ServerConnection),
    answer: impl FnMut(usize, &str) -> Reply,
) {
    let next = core::cell::Cell::new(0);
    let hooks = core::cell::RefCell::new((on_handshake, answer));
    embassy_futures::join::join(
        serve_connections(stack, &config, &next, &hooks),
        serve_connections(stack, &config, &next, &hooks),
    )
    .await;
}

/// One listener of [`rustls_server_with`]: accepts a connection, serves it to its end, and
/// listens again.
async fn serve_connections<H, A>(
    stack: embassy_net::Stack<'static>,
    config: &std::sync::Arc<rustls::ServerConfig>,
    next: &core::cell::Cell<usize>,
    hooks: &core::cell::RefCell<(H, A)>,
) where
    H: FnMut(&rustls::ServerConnection),
    A: FnMut(usize, &str) -> Reply,
{
    use embedded_io_async::Write as _;
    use std::io::{Read as _, Write as _};
    let (mut rx, mut tx) = ([0u8; 8192], [0u8; 8192]);
    loop {
        let mut socket = embassy_net::tcp::TcpSocket::new(stack, &mut rx, &mut tx);
        socket.accept(8443).await.unwrap();
        let index = next.get();
        next.set(index + 1);
        let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
        let mut request = std::vec::Vec::new();
        let (mut reported, mut dropping) = (false, false);
        'conn: loop {
            while conn.wants_write() {
                let mut out = std::vec::Vec::new();
                conn.write_tls(&mut out).unwrap();
                if socket.write_all(&out).await.is_err() {
                    break 'conn;
                }
            }
            if dropping {
                break;
            }
            if !conn.is_handshaking() && !reported {
                reported = true;
                (hooks.borrow_mut().0)(&conn);
            }
            let mut chunk = [0u8; 2048];
            let n = match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if conn.read_tls(&mut &chunk[..n]).is_err() || conn.process_new_packets().is_err() {
                // Let rustls send its alert, then give up on this connection.
                let mut out = std::vec::Vec::new();
                let _ = conn.write_tls(&mut out);
                let _ = socket.write_all(&out).await;
                break;
            }
            let mut plain = [0u8; 2048];
            while let Ok(n) = conn.reader().read(&mut plain) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&plain[..n]);
            }
            if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::string::String::from_utf8_lossy(&request[..end]).into_owned();
                request.drain(..end + 4);
                let bytes = match (hooks.borrow_mut().1)(index, &head) {
                    Reply::KeepAlive(bytes) => bytes,
                    Reply::ThenDrop(bytes) => {
                        dropping = true;
                        bytes
                    }
                };
                conn.writer().write_all(bytes).unwrap();
            }
        }
        let _ = socket.flush().await;
        socket.abort();
        let _ = socket.flush().await;
    }
}
