//! A tiny STS on 127.0.0.1: HTTP/1.1 with keep-alive, each connection served by a thread of a pool
//! started beforehand, answering every
//! `AssumeRole` with the same XML (credentials that expire in 2099), every `GetCallerIdentity` with
//! STS's answer for a role session, and anything else with 400.
//!
//! It records the time it spends on each request, from the moment the whole request has been read
//! to the answer handed to the socket (waiting for the client's bytes is the client's time), so that the benchmark can subtract it from the client's time. The
//! time up to the write is counted *before* the answer is written, so a client that has its
//! answer always sees it; the write itself (one `write` syscall on loopback) is added after it
//! returns, so a client's snapshot may see it one request late, never lost.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Instant;

/// What the stub has done so far.
#[derive(Debug, Default)]
pub struct StubStats {
    /// Nanoseconds spent inside the stub, summed over requests.
    pub busy_ns: AtomicU64,
    /// `AssumeRole` requests answered.
    pub assume_role: AtomicU64,
    /// `GetCallerIdentity` requests answered.
    pub caller_identity: AtomicU64,
    /// Other requests (answered with 400).
    pub other: AtomicU64,
    /// Connections accepted.
    pub connections: AtomicU64,
}

/// A snapshot of [`StubStats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Nanoseconds inside the stub.
    pub busy_ns: u64,
    /// `AssumeRole` requests.
    pub assume_role: u64,
    /// `GetCallerIdentity` requests.
    pub caller_identity: u64,
    /// Other requests.
    pub other: u64,
    /// Connections.
    pub connections: u64,
}

impl core::ops::Sub for Snapshot {
    type Output = Snapshot;
    fn sub(self, o: Snapshot) -> Snapshot {
        Snapshot {
            busy_ns: self.busy_ns - o.busy_ns,
            assume_role: self.assume_role - o.assume_role,
            caller_identity: self.caller_identity - o.caller_identity,
            other: self.other - o.other,
            connections: self.connections - o.connections,
        }
    }
}

impl StubStats {
    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            busy_ns: self.busy_ns.load(Ordering::SeqCst),
            assume_role: self.assume_role.load(Ordering::SeqCst),
            caller_identity: self.caller_identity.load(Ordering::SeqCst),
            other: self.other.load(Ordering::SeqCst),
            connections: self.connections.load(Ordering::SeqCst),
        }
    }
}

/// The answer to every `AssumeRole`: the shape STS returns (AssumedRoleUser, Credentials with a
/// session token of a realistic length, PackedPolicySize, RequestId).
fn assume_role_body() -> String {
    let token: String = "FwoGZXIvYXdzEBYaDHVtZXhhbXBsZXRva2VuIkQ"
        .chars()
        .cycle()
        .take(444)
        .collect();
    format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n\
         <AssumeRoleResult>\n\
         <AssumedRoleUser>\n\
         <AssumedRoleId>AROA3XFRBF535PLBIFPI4:bench-session</AssumedRoleId>\n\
         <Arn>arn:aws:sts::123456789012:assumed-role/bench-role/bench-session</Arn>\n\
         </AssumedRoleUser>\n\
         <Credentials>\n\
         <AccessKeyId>ASIAJEXAMPLEXEG2JICEA</AccessKeyId>\n\
         <SecretAccessKey>9drTJvcXLB89EXAMPLELB8923FB892xMFI</SecretAccessKey>\n\
         <SessionToken>{token}</SessionToken>\n\
         <Expiration>2099-01-01T00:00:00Z</Expiration>\n\
         </Credentials>\n\
         <PackedPolicySize>6</PackedPolicySize>\n\
         </AssumeRoleResult>\n\
         <ResponseMetadata>\n\
         <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n\
         </ResponseMetadata>\n\
         </AssumeRoleResponse>\n"
    )
}

/// The answer to every `GetCallerIdentity` (STS's shape for an assumed role).
const CALLER_IDENTITY: &str =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n\
    <GetCallerIdentityResult>\n\
    <Arn>arn:aws:sts::123456789012:assumed-role/bench-role/bench-session</Arn>\n\
    <UserId>AROA3XFRBF535PLBIFPI4:bench-session</UserId>\n\
    <Account>123456789012</Account>\n\
    </GetCallerIdentityResult>\n\
    <ResponseMetadata>\n\
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\n\
    </ResponseMetadata>\n\
    </GetCallerIdentityResponse>\n";

fn response(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\
         x-amzn-RequestId: c6104cbe-af31-11e0-8154-cbc7ccf896c7\r\n\
         Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Starts the stub on an ephemeral port of 127.0.0.1; it serves until the process ends.
pub fn start() -> (SocketAddr, Arc<StubStats>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    let stats = Arc::new(StubStats::default());
    let ok = Arc::new(response("200 OK", &assume_role_body()));
    let identity = Arc::new(response("200 OK", CALLER_IDENTITY));
    let bad = Arc::new(response(
        "400 Bad Request",
        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>\
         <Message>only AssumeRole and GetCallerIdentity</Message></Error></ErrorResponse>",
    ));
    // Connections go to a pool of waiting threads (more are started when none waits), so that no
    // thread is created while a client waits: that is the stub's time, not the client's.
    let (queue, waiting) = (mpsc::channel::<TcpStream>(), Arc::new(AtomicUsize::new(0)));
    let (handoff, inbox) = (queue.0, Arc::new(Mutex::new(queue.1)));
    let worker = {
        let (s, waiting) = (stats.clone(), waiting.clone());
        move || {
            let (s, ok, identity, bad) = (s.clone(), ok.clone(), identity.clone(), bad.clone());
            let (inbox, waiting) = (inbox.clone(), waiting.clone());
            waiting.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || loop {
                let next = inbox.lock().map(|rx| rx.recv());
                let Ok(Ok(conn)) = next else { return };
                waiting.fetch_sub(1, Ordering::SeqCst);
                serve(conn, &s, &ok, &identity, &bad);
                waiting.fetch_add(1, Ordering::SeqCst);
            });
        }
    };
    for _ in 0..POOL_THREADS {
        worker();
    }
    let s = stats.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            s.connections.fetch_add(1, Ordering::SeqCst);
            if waiting.load(Ordering::SeqCst) == 0 {
                worker();
            }
            if handoff.send(conn).is_err() {
                return;
            }
        }
    });
    (addr, stats)
}

/// Threads started with the stub, each waiting for a connection.
const POOL_THREADS: usize = 8;

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value of the `Content-Length` header in `head` (0 when absent).
fn content_length(head: &[u8]) -> usize {
    let head = String::from_utf8_lossy(head);
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

fn serve(mut conn: TcpStream, stats: &StubStats, ok: &[u8], identity: &[u8], bad: &[u8]) {
    let _ = conn.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut chunk = [0u8; 16 * 1024];
    loop {
        // One request: its head, then Content-Length bytes of body.
        let end = loop {
            if let Some(h) = find(&buf, b"\r\n\r\n") {
                let end = h + 4 + content_length(&buf[..h]);
                if buf.len() >= end {
                    break end;
                }
            }
            match conn.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let started = Instant::now();
        let request = &buf[..end];
        let answer = if find(request, b"Action=AssumeRole").is_some() {
            stats.assume_role.fetch_add(1, Ordering::SeqCst);
            ok
        } else if find(request, b"Action=GetCallerIdentity").is_some() {
            stats.caller_identity.fetch_add(1, Ordering::SeqCst);
            identity
        } else {
            stats.other.fetch_add(1, Ordering::SeqCst);
            bad
        };
        // Counted before the write (see the module docs); the write itself is one syscall.
        let write_start = Instant::now();
        stats
            .busy_ns
            .fetch_add((write_start - started).as_nanos() as u64, Ordering::SeqCst);
        let written = conn.write_all(answer);
        stats
            .busy_ns
            .fetch_add(write_start.elapsed().as_nanos() as u64, Ordering::SeqCst);
        if written.is_err() {
            return;
        }
        buf.drain(..end);
    }
}
