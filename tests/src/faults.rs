//! The faults a hostile network or a broken server puts on the wire, as data: what to do to the
//! server's response on one connection. Pure std, no other dependency, so that both the TCP proxy
//! of this crate ([`crate::fault_proxy`]) and the embassy adapter's in-memory server
//! (`embassy-adapter/tests/wire_faults.rs`, which includes this file by path) apply the same
//! catalog.

use core::time::Duration;

/// One fault, applied to the response side of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Resets the connection (TCP RST) once this many bytes of the server's response have been
    /// passed on; 0 resets it after the request arrived, before any response byte.
    ResetAfter(usize),
    /// Closes the connection cleanly (FIN) once this many response bytes have been passed on.
    TruncateAt(usize),
    /// Goes silent once this many response bytes have been passed on, for this long, then closes.
    StallAt(usize, Duration),
    /// Answers the request with these bytes instead of the server's response, then closes.
    Replace(Vec<u8>),
    /// Inserts these header lines (each ending in CRLF) after the status line of the response.
    InsertHeaders(Vec<u8>),
}

/// The kinds of fault, for the outcome table.
impl Fault {
    /// A short name of the fault's kind, `head_len` being the length of the response head
    /// (status line to the blank line), to tell a cut in the head from one in the body.
    pub fn kind(&self, head_len: usize) -> &'static str {
        match self {
            Fault::ResetAfter(0) => "reset before the response",
            Fault::ResetAfter(n) if *n < head_len => "reset in the head",
            Fault::ResetAfter(_) => "reset in the body",
            Fault::TruncateAt(n) if *n < head_len => "truncated head",
            Fault::TruncateAt(_) => "truncated body",
            Fault::StallAt(0, _) => "stall before the response",
            Fault::StallAt(n, _) if *n < head_len => "stall in the head",
            Fault::StallAt(..) => "stall in the body",
            Fault::Replace(bytes) if bytes.starts_with(b"HTTP/1.1 200 OK\r\nTransfer-Encoding") => {
                "bad chunk size"
            }
            Fault::Replace(_) => "garbage",
            Fault::InsertHeaders(lines) if lines.len() > 4096 => "oversized header",
            Fault::InsertHeaders(lines) if starts_with_ignore_case(lines, b"content-length") => {
                "conflicting Content-Length"
            }
            Fault::InsertHeaders(_) => "duplicate header",
        }
    }
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Responses that are not HTTP at all, or not HTTP/1.1.
pub fn garbage() -> Vec<Vec<u8>> {
    vec![
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage".to_vec(),
        b"SSH-2.0-OpenSSH_9.6\r\n".to_vec(),
        b"HTTP/1.1 abc Not A Status\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nno colon in this line\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello".to_vec(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nhello".to_vec(),
        [b"HTTP/1.1 200 OK\r\nX-Nul: a\0b\r\nContent-Length: 1\r\n\r\nx".as_slice()].concat(),
        vec![0xff; 600],
    ]
}

/// Chunked responses whose framing is broken: sizes that are not hex, negative, overflowing,
/// larger than the data that follows, and data without its closing CRLF.
pub fn bad_chunks() -> Vec<Vec<u8>> {
    const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    let bodies: [&[u8]; 6] = [
        b"zz\r\nhello\r\n0\r\n\r\n",
        b"-5\r\nhello\r\n0\r\n\r\n",
        b"fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
        b"ff\r\nhello\r\n0\r\n\r\n",
        b"5\r\nhelloXX0\r\n\r\n",
        b"5\r\nhello\r\n",
    ];
    bodies.iter().map(|b| [HEAD, b].concat()).collect()
}

/// Header lines to insert into a real response: an identical duplicate (harmless), a second
/// `Content-Length` that disagrees with the first, and a header too large for any client buffer.
pub fn header_faults() -> Vec<Vec<u8>> {
    vec![
        b"x-amz-id-2: one\r\nx-amz-id-2: one\r\n".to_vec(),
        b"Content-Length: 1\r\n".to_vec(),
        [b"x-oversized: ".as_slice(), &[b'a'; 200 * 1024], b"\r\n"].concat(),
    ]
}

/// Every fault of the catalog for a response whose head is `head_len` bytes and whole length
/// `len`: resets and stalls before the response, in the head and in the body, the garbage, bad
/// chunk and header faults. Truncations are left out: tests walk every byte boundary instead.
pub fn catalog(head_len: usize, len: usize, stall: Duration) -> Vec<Fault> {
    let mid_head = head_len / 2;
    let mid_body = head_len + (len - head_len) / 2;
    let mut faults = vec![
        Fault::ResetAfter(0),
        Fault::ResetAfter(mid_head),
        Fault::ResetAfter(mid_body),
        Fault::StallAt(0, stall),
        Fault::StallAt(mid_head, stall),
        Fault::StallAt(mid_body, stall),
    ];
    faults.extend(garbage().into_iter().map(Fault::Replace));
    faults.extend(bad_chunks().into_iter().map(Fault::Replace));
    faults.extend(header_faults().into_iter().map(Fault::InsertHeaders));
    faults
}

/// The response head's length: up to and including the first blank line (the whole of
/// `response` when it has none).
pub fn head_len(response: &[u8]) -> usize {
    response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(response.len(), |p| p + 4)
}

/// `response` with `lines` inserted after its status line (unchanged when it has none).
pub fn insert_headers(response: &[u8], lines: &[u8]) -> Vec<u8> {
    match response.windows(2).position(|w| w == b"\r\n") {
        Some(p) => [&response[..p + 2], lines, &response[p + 2..]].concat(),
        None => response.to_vec(),
    }
}

/// A small deterministic generator (xorshift64*), for seeded fault plans.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}
