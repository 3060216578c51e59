//! A fault-injecting TCP proxy on 127.0.0.1: every connection a client opens to it is joined to
//! a new connection to the upstream server (moto, s3s-fs), and a plan decides, per connection,
//! which [`Fault`] (if any) is done to the server's response on the way back. The request side
//! always passes through untouched, so the server sees (and signs off) real requests.
//!
//! The proxy does not parse HTTP: it counts the response bytes it has passed on, which is all the
//! catalog needs (a cut, a reset or a stall at byte *n*; a response replaced; header lines put
//! after the status line).

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use core::time::Duration;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

pub use crate::faults::Fault;

/// Decides the fault of connection number *n* (0 for the first accepted).
pub type Plan = dyn Fn(u64) -> Option<Fault> + Send + Sync;

/// What happened on one connection.
#[derive(Debug, Clone)]
pub struct ConnectionRecord {
    /// Its number, in accept order.
    pub index: u64,
    /// The fault done to it.
    pub fault: Option<Fault>,
    /// The response bytes the upstream server sent (the first 64 KiB), as it sent them.
    pub response: Vec<u8>,
}

struct Shared {
    upstream: String,
    plan: Box<Plan>,
    next: AtomicU64,
    stop: AtomicBool,
    records: Mutex<Vec<ConnectionRecord>>,
}

/// A running proxy; dropping it stops accepting (open connections end with their peers).
pub struct FaultProxy {
    port: u16,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl core::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("port", &self.port)
            .field("upstream", &self.shared.upstream)
            .finish_non_exhaustive()
    }
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`host:port` or `http://host:port`) on an OS-chosen port of
    /// 127.0.0.1, faulting connections as `plan` says.
    pub fn start(
        upstream: &str,
        plan: impl Fn(u64) -> Option<Fault> + Send + Sync + 'static,
    ) -> Self {
        let upstream = upstream
            .strip_prefix("http://")
            .unwrap_or(upstream)
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let shared = Arc::new(Shared {
            upstream,
            plan: Box::new(plan),
            next: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            records: Mutex::new(Vec::new()),
        });
        let accept_shared = Arc::clone(&shared);
        let accept = std::thread::spawn(move || {
            for client in listener.incoming() {
                if accept_shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let index = accept_shared.next.fetch_add(1, Ordering::SeqCst);
                let fault = (accept_shared.plan)(index);
                let conn_shared = Arc::clone(&accept_shared);
                std::thread::spawn(move || serve(&conn_shared, client, index, fault));
            }
        });
        FaultProxy {
            port,
            shared,
            accept: Some(accept),
        }
    }

    /// A proxy that faults every connection with `fault`.
    pub fn always(upstream: &str, fault: Fault) -> Self {
        FaultProxy::start(upstream, move |_| Some(fault.clone()))
    }

    /// A proxy that faults only the first connection, with `fault`.
    pub fn first_only(upstream: &str, fault: Fault) -> Self {
        FaultProxy::start(upstream, move |n| (n == 0).then(|| fault.clone()))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> u64 {
        self.shared.next.load(Ordering::SeqCst)
    }

    /// The finished connections so far, in the order they ended.
    pub fn records(&self) -> Vec<ConnectionRecord> {
        self.shared
            .records
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// The longest response prefix kept in a [`ConnectionRecord`].
const RECORD_LIMIT: usize = 64 * 1024;

/// Joins `client` to a new upstream connection and pumps both ways until either side ends,
/// doing `fault` to the response.
fn serve(shared: &Shared, client: TcpStream, index: u64, fault: Option<Fault>) {
    let Ok(upstream) = TcpStream::connect(&shared.upstream) else {
        reset(&client);
        return;
    };
    let client_gone = Arc::new(AtomicBool::new(false));
    let requests = {
        let (Ok(mut from), Ok(mut to)) = (client.try_clone(), upstream.try_clone()) else {
            return;
        };
        let gone = Arc::clone(&client_gone);
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut from, &mut to);
            gone.store(true, Ordering::SeqCst);
            let _ = to.shutdown(Shutdown::Write);
        })
    };
    let response = respond(&client, &upstream, fault.as_ref(), &client_gone);
    // Wakes the request pump if the client is still connected.
    let _ = client.shutdown(Shutdown::Read);
    let _ = upstream.shutdown(Shutdown::Both);
    let _ = requests.join();
    if let Ok(mut records) = shared.records.lock() {
        records.push(ConnectionRecord {
            index,
            fault,
            response,
        });
    }
}

/// Passes the upstream's response bytes to the client, doing `fault`; returns what the upstream
/// sent (up to [`RECORD_LIMIT`] bytes).
fn respond(
    client: &TcpStream,
    upstream: &TcpStream,
    fault: Option<&Fault>,
    client_gone: &AtomicBool,
) -> Vec<u8> {
    let (mut client, mut upstream) = (client, upstream);
    let mut seen = Vec::new();
    let mut passed = 0usize;
    let mut inserted = false;
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match upstream.read(&mut buf) {
            Ok(0) | Err(_) => {
                let _ = client.shutdown(Shutdown::Write);
                return seen;
            }
            Ok(n) => n,
        };
        let room = RECORD_LIMIT.saturating_sub(seen.len()).min(n);
        seen.extend_from_slice(&buf[..room]);
        let mut piece = buf[..n].to_vec();
        let cut = match fault {
            None => None,
            Some(Fault::ResetAfter(at) | Fault::TruncateAt(at) | Fault::StallAt(at, _)) => {
                Some(at.saturating_sub(passed))
            }
            Some(Fault::Replace(bytes)) => {
                let _ = client.write_all(bytes);
                let _ = client.shutdown(Shutdown::Write);
                return seen;
            }
            Some(Fault::InsertHeaders(lines)) => {
                // Waits for the whole status line, then puts the lines after it.
                if !inserted {
                    if !seen.windows(2).any(|w| w == b"\r\n") {
                        continue;
                    }
                    piece = crate::faults::insert_headers(&seen, lines);
                    inserted = true;
                }
                None
            }
        };
        match cut {
            Some(left) if left <= piece.len() => {
                if client.write_all(&piece[..left]).is_err() {
                    return seen;
                }
                match fault {
                    Some(Fault::ResetAfter(_)) => reset(client),
                    Some(Fault::StallAt(_, time)) => {
                        let until = Instant::now() + *time;
                        while Instant::now() < until && !client_gone.load(Ordering::SeqCst) {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        let _ = client.shutdown(Shutdown::Write);
                    }
                    _ => {
                        let _ = client.shutdown(Shutdown::Write);
                    }
                }
                return seen;
            }
            _ => {
                if client.write_all(&piece).is_err() {
                    return seen;
                }
                passed += piece.len();
            }
        }
    }
}

/// Ends the connection with a TCP reset: a zero linger time makes the close send RST.
fn reset(stream: &TcpStream) {
    let _ = rustix::net::sockopt::set_socket_linger(stream, Some(Duration::ZERO));
    // The reset goes out when the last descriptor of the socket closes; the request pump holds a
    // clone, which `serve` wakes with a read shutdown.
    let _ = stream.shutdown(Shutdown::Read);
}
