//! Fuzzes the embassy adapter's HTTP/1.1 client: response heads (status line, headers, `1xx`
//! interim responses) and body framing (`Content-Length`, chunked with extensions and trailers,
//! until the connection closes), then keep-alive into a second exchange on the same connection.
//!
//! Input: four setting bytes, then what the server sends. The settings pick the request method
//! (`GET` or `HEAD`), the head buffer's size (64..=2104 bytes), the size of the caller's body
//! buffer, and how the stream cuts the server's bytes into reads.
//!
//! Properties:
//! * nothing panics, nothing hangs; every failure is a typed `HttpError`;
//! * how the bytes arrive does not matter: the same server bytes read in fuzz-chosen pieces and
//!   in one piece per read give the same outcome — status, headers, body bytes, error — for both
//!   exchanges;
//! * a body framed by one valid `Content-Length` is exactly that long; a body never holds more
//!   bytes than the server sent; a `HEAD`, 204 or 304 response has no body;
//! * after a failure the connection is not reusable and refuses the next request.
#![no_main]

use aws_session_core::http::{HttpRequest, Method, ResponseHead, Scheme};
use aws_session_embassy::http::{HttpConfig, HttpConnection, HttpError};
use embassy_futures::block_on;
use embedded_io_async::{ErrorType, Read, Write};
use libfuzzer_sys::fuzz_target;

/// The server's side of the connection: `input`, cut into reads by `steps`.
struct Wire<'a> {
    input: &'a [u8],
    pos: usize,
    /// Read sizes, used in turn (0 stands for "as much as fits"); empty: as much as fits.
    steps: &'a [u8],
    turn: usize,
}

impl ErrorType for Wire<'_> {
    type Error = embedded_io_async::ErrorKind;
}

impl Read for Wire<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let mut n = buf.len().min(self.input.len() - self.pos);
        if let Some(&step) = self.steps.get(self.turn % self.steps.len().max(1)) {
            self.turn += 1;
            if step != 0 {
                n = n.min(usize::from(step));
            }
        }
        buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Write for Wire<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Ok(buf.len())
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// What one exchange gave.
#[derive(Debug, PartialEq, Eq)]
struct Exchange {
    status: u16,
    headers: Vec<(String, String)>,
    dropped: u16,
    body: Vec<u8>,
    reusable: bool,
}

async fn exchange(
    c: &mut HttpConnection<'_, Wire<'_>>,
    req: &HttpRequest<'_>,
    out_len: usize,
) -> Result<Exchange, HttpError> {
    c.send_head(req).await?;
    let mut head = ResponseHead::new();
    c.read_head(&mut head).await?;
    let mut body = Vec::new();
    let mut out = vec![0u8; out_len];
    loop {
        let n = c.read_body(&mut out).await?;
        if n == 0 {
            break;
        }
        assert!(n <= out_len);
        body.extend_from_slice(&out[..n]);
    }
    Ok(Exchange {
        status: head.status(),
        headers: head
            .headers()
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect(),
        dropped: head.dropped_headers(),
        body,
        reusable: c.is_reusable(),
    })
}

type Outcome = [Option<Result<Exchange, HttpError>>; 2];

/// Two exchanges (the second only when the first left the connection reusable).
fn run(
    input: &[u8],
    steps: &[u8],
    head_len: usize,
    out_len: usize,
    req: &HttpRequest<'_>,
) -> Outcome {
    let mut buf = vec![0u8; head_len];
    let wire = Wire {
        input,
        pos: 0,
        steps,
        turn: 0,
    };
    let mut c = HttpConnection::new(wire, &mut buf, HttpConfig::default());
    block_on(async {
        let first = exchange(&mut c, req, out_len).await;
        if first.is_err() {
            assert!(!c.is_reusable(), "reusable after {first:?}");
            assert!(
                c.send_head(req).await.is_err(),
                "a broken connection took a request"
            );
            return [Some(first), None];
        }
        if !c.is_reusable() {
            return [Some(first), None];
        }
        let second = exchange(&mut c, req, out_len).await;
        [Some(first), Some(second)]
    })
}

fn check(x: &Exchange, input: &[u8], head: bool) {
    assert!(x.body.len() <= input.len());
    assert!((100..=999).contains(&x.status), "status {}", x.status);
    assert!(x.status >= 200 || x.status == 101);
    if head || x.status == 204 || x.status == 304 {
        assert!(x.body.is_empty());
        return;
    }
    let lengths: Vec<&str> = x
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.as_str())
        .collect();
    let chunked = x
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"));
    if !chunked && x.dropped == 0 {
        if let [n, ..] = lengths[..] {
            // A list of equal values (`5, 5`) counts as one length (core's FramingHeaders); the
            // client refuses any other list.
            let n: u64 = n.split(',').next().unwrap_or("").trim().parse().unwrap();
            assert_eq!(
                x.body.len() as u64,
                n,
                "body length differs from Content-Length"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, head, out, step, input @ ..] = data else {
        return;
    };
    let head_len = 64 + usize::from(*head) * 8;
    let out_len = 1 + usize::from(*out) * 4;
    let method = if flags & 1 == 0 {
        Method::Get
    } else {
        Method::Head
    };
    let req = HttpRequest::new(
        method,
        Scheme::Http,
        "example.com",
        "/object?x-id=GetObject",
    )
    .unwrap();
    // Read sizes cycle through 1..=step (step 0: whole reads), starting at the flags' offset.
    let steps: Vec<u8> = (1..=*step)
        .cycle()
        .skip(usize::from(flags >> 1))
        .take(usize::from(*step))
        .collect();

    let pieces = run(input, &steps, head_len, out_len, &req);
    let whole = run(input, &[], head_len, 4096, &req);
    assert_eq!(pieces, whole, "the outcome depends on how the bytes arrive");
    for x in pieces.iter().flatten().flatten() {
        check(x, input, method == Method::Head);
    }
});
