//! Streaming S3 `PutObject` (`ops::s3::put_object_streaming` and `put_object_streaming_buffered`,
//! aws-chunked with every chunk signed) against SHA-256 over the same bytes, in one run.
//!
//! Run: `cargo bench -p aws-session-bench --bench s3_stream` (release profile; about 30 s).
//!
//! A 64 MiB payload of pseudo-random bytes is read from memory (`&[u8]` as the `embedded_io`
//! reader) and uploaded through a [`Transport`] that discards the body and answers `200` with an
//! `ETag`, so what is timed is core's work: the request head, the seed signature, and per chunk
//! the copy into the chunk buffer, the chunk's SHA-256, the chunk signature (an HMAC over the
//! string to sign) and the chunk framing. Chunk buffers of 64 KiB (what `aws-session call s3
//! PutObject` uses) and 8 KiB (a device-sized buffer). The floor is `sha2::Sha256` over the same
//! 64 MiB in one pass: every signed upload must hash each payload byte once. A second floor adds
//! what an upload fed by an `embedded_io::Read` cannot avoid: copying each 64 KiB piece out of the
//! reader into the chunk buffer before hashing it.
//!
//! Reported: median MB/s of each (the three timed interleaved, round by round, so that load on a
//! shared machine hits all alike), the ratio of each upload to SHA-256 (issue 14's goal:
//! ≥ 0.9), the bytes the transport received, and the heap allocations of an upload of 64 MiB and of
//! 1 MiB (a counting global allocator): the chunk buffer is the caller's, so memory does not grow
//! with the object.

use std::hint::black_box;
use std::time::{Instant, SystemTime};

use aws_session_bench::{allocated_bytes, allocations, CountingAlloc};
use aws_session_core::client::Client;
use aws_session_core::http::{HttpRequest, ResponseHead};
use aws_session_core::keys::Credentials;
use aws_session_core::ops::s3::{self, StreamedObject};
use aws_session_core::platform::{ErrorKind, Transport};
use aws_session_core::session::{Options, Session};
use aws_session_core::test_util::{MemEnv, MemFiles};
use aws_session_core::time::UnixTime;
use sha2::{Digest, Sha256};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const MIB: usize = 1024 * 1024;
const PAYLOAD: usize = 64 * MIB;
const ROUNDS: usize = 15;

/// A transport that counts and drops the request body and answers `200 OK` with an `ETag`.
struct Discard {
    sent: u64,
}

impl Transport for Discard {
    type Error = ErrorKind;

    fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), ErrorKind> {
        black_box(request);
        self.sent = 0;
        Ok(())
    }

    fn write_body(&mut self, bytes: &[u8]) -> Result<(), ErrorKind> {
        black_box(bytes);
        self.sent += bytes.len() as u64;
        Ok(())
    }

    fn finish(&mut self, response: &mut ResponseHead) -> Result<(), ErrorKind> {
        response.set_status(200);
        response
            .push_header("etag", "\"bench\"")
            .map_err(|_| ErrorKind::Protocol)
    }

    fn read_body(&mut self, _buf: &mut [u8]) -> Result<usize, ErrorKind> {
        Ok(0)
    }
}

/// Deterministic pseudo-random bytes (xorshift64).
fn payload(len: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Uploads `body` with a chunk buffer of `chunk.len()` bytes, through `put_object_streaming`
/// (`&[u8]` as a reader: each chunk copied into the buffer) or, `buffered`,
/// `put_object_streaming_buffered` (`&[u8]` as a buffered reader: chunks sent from the payload's
/// memory); returns the bytes the transport got.
fn upload(
    client: &Client<'_>,
    creds: &Credentials,
    time: UnixTime,
    body: &[u8],
    chunk: &mut [u8],
    transport: &mut Discard,
    buffered: bool,
) -> u64 {
    let mut reader = body;
    let object = StreamedObject {
        bucket: "bench-bucket",
        key: "dir/object.bin",
        body: &mut reader,
        length: body.len() as u64,
    };
    let mut head = ResponseHead::new();
    let sent = if buffered {
        s3::put_object_streaming_buffered(client, creds, time, object, chunk, transport, &mut head)
    } else {
        s3::put_object_streaming(client, creds, time, object, chunk, transport, &mut head)
    }
    .expect("put_object_streaming");
    assert_eq!(sent, body.len() as u64);
    assert_eq!(s3::parse_put_object(&head), Ok("\"bench\""));
    transport.sent
}

/// MB/s of one run of `f` over the payload.
fn mb_per_s(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    PAYLOAD as f64 / 1e6 / t.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let env = MemEnv::new(&[
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
    ]);
    let files = MemFiles::new(&[]);
    let session = Session::new(&Options::default(), &env, &files).expect("session");
    let client = session.client(s3::SERVICE).expect("s3 client");
    let creds = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        None,
    )
    .expect("credentials");
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let time = UnixTime::from_secs(now);
    let body = payload(PAYLOAD);
    let mut transport = Discard { sent: 0 };
    let mut chunk64 = vec![0u8; 64 * 1024];
    let mut chunk8 = vec![0u8; 8 * 1024];

    // Heap allocations of one upload, 64 MiB and 1 MiB, with each buffer (after a warm-up).
    let mut allocs = Vec::new();
    for (name, chunk) in [("64 KiB", &mut chunk64), ("8 KiB", &mut chunk8)] {
        for len in [MIB, PAYLOAD] {
            for buffered in [false, true] {
                let part = &body[..len];
                upload(&client, &creds, time, part, chunk, &mut transport, buffered);
                let (a0, b0) = (allocations(), allocated_bytes());
                let wire = upload(&client, &creds, time, part, chunk, &mut transport, buffered);
                let (a, b) = (allocations() - a0, allocated_bytes() - b0);
                allocs.push((name, buffered, len, wire, a, b));
            }
        }
    }

    // Timed rounds, interleaved.
    let mut sha = Vec::new();
    let mut put64 = Vec::new();
    let mut put8 = Vec::new();
    let mut buf64 = Vec::new();
    let mut buf8 = Vec::new();
    let mut copy_sha = Vec::new();
    for _ in 0..ROUNDS {
        sha.push(mb_per_s(|| {
            black_box(Sha256::digest(black_box(&body[..])));
        }));
        copy_sha.push(mb_per_s(|| {
            for piece in body.chunks(chunk64.len()) {
                let staged = &mut chunk64[..piece.len()];
                staged.copy_from_slice(black_box(piece));
                black_box(Sha256::digest(&*staged));
            }
        }));
        for (samples, size, buffered) in [
            (&mut put64, 64, false),
            (&mut put8, 8, false),
            (&mut buf64, 64, true),
            (&mut buf8, 8, true),
        ] {
            let chunk = if size == 64 {
                &mut chunk64
            } else {
                &mut chunk8
            };
            samples.push(mb_per_s(|| {
                let sent = upload(
                    &client,
                    &creds,
                    time,
                    &body,
                    chunk,
                    &mut transport,
                    buffered,
                );
                black_box(sent);
            }));
        }
    }
    let (sha, put64, put8) = (median(sha), median(put64), median(put8));
    let (buf64, buf8) = (median(buf64), median(buf8));
    let copy_sha = median(copy_sha);

    println!(
        "Streaming PutObject of {} MiB from memory into a discarding transport, median of {ROUNDS} interleaved rounds",
        PAYLOAD / MIB
    );
    println!();
    println!("| path | MB/s | / SHA-256 | / copy + SHA-256 |");
    println!("|---|---:|---:|---:|");
    println!(
        "| SHA-256 (`sha2`) over the payload, one pass | {sha:.0} | 1.00 | {:.2} |",
        sha / copy_sha
    );
    println!(
        "| copy each 64 KiB into a buffer, SHA-256 of it (what any `Read`-fed upload does) | {copy_sha:.0} | {:.2} | 1.00 |",
        copy_sha / sha
    );
    println!(
        "| `put_object_streaming`, 64 KiB chunks | {put64:.0} | {:.2} | {:.2} |",
        put64 / sha,
        put64 / copy_sha
    );
    println!(
        "| `put_object_streaming`, 8 KiB chunks | {put8:.0} | {:.2} | {:.2} |",
        put8 / sha,
        put8 / copy_sha
    );
    println!(
        "| `put_object_streaming_buffered` (chunks from the payload's memory), 64 KiB chunks | {buf64:.0} | {:.2} | {:.2} |",
        buf64 / sha,
        buf64 / copy_sha
    );
    println!(
        "| `put_object_streaming_buffered`, 8 KiB chunks | {buf8:.0} | {:.2} | {:.2} |",
        buf8 / sha,
        buf8 / copy_sha
    );
    println!();
    println!("| chunk buffer | reader | payload | bytes on the wire | heap allocations | bytes allocated |");
    println!("|---|---|---:|---:|---:|---:|");
    for (name, buffered, len, wire, a, b) in allocs {
        let reader = if buffered { "buffered" } else { "copied" };
        println!("| {name} | {reader} | {len} | {wire} | {a} | {b} |");
    }
    let goal = |ratio: f64| if ratio >= 0.9 { "met" } else { "NOT met" };
    println!();
    println!(
        "goal (64 KiB chunks ≥ 0.9 × SHA-256): payload in memory (buffered) {} ({:.2}); fed by a reader (copied) {} ({:.2})",
        goal(buf64 / sha),
        buf64 / sha,
        goal(put64 / sha),
        put64 / sha
    );
}
