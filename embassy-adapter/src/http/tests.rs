//! HTTP client tests over a scripted in-memory stream.

use super::*;
use aws_session_core::http::{Body, HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::platform::{Error as _, ErrorKind};
use embassy_futures::block_on;
use embassy_time::Duration;
use embedded_io_async::{ErrorType, Read, Write};
use std::vec::Vec;

/// A stream that answers with `input`, at most `step` bytes per read, and records what is written.
/// With `hang`, a read with nothing left never completes (for timeouts).
struct Script {
    input: Vec<u8>,
    pos: usize,
    step: usize,
    written: Vec<u8>,
    hang: bool,
}

impl Script {
    fn new(input: &str, step: usize) -> Self {
        Script {
            input: input.as_bytes().to_vec(),
            pos: 0,
            step,
            written: Vec::new(),
            hang: false,
        }
    }
}

impl ErrorType for Script {
    type Error = embedded_io_async::ErrorKind;
}

impl Read for Script {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        if self.pos == self.input.len() && self.hang {
            core::future::pending::<()>().await;
        }
        let n = buf.len().min(self.step).min(self.input.len() - self.pos);
        buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Write for Script {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.written.extend_from_slice(buf);
        Ok(buf.len())
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

fn get(target: &str) -> HttpRequest<'static> {
    let mut r = HttpRequest::new(Method::Get, Scheme::Http, "example.com:8080", target).unwrap();
    r.headers_mut()
        .append("x-amz-date", "20150830T123600Z")
        .unwrap();
    r
}

/// Runs one exchange and returns (status, body).
async fn exchange(
    c: &mut HttpConnection<'_, Script>,
    req: &HttpRequest<'_>,
) -> Result<(u16, Vec<u8>), HttpError> {
    c.send_head(req).await?;
    if let Some(b) = req.body().bytes() {
        if !b.is_empty() {
            c.send_body(b).await?;
        }
    }
    let mut head = ResponseHead::new();
    c.read_head(&mut head).await?;
    Ok((head.status(), read_body(c).await?))
}

/// The rest of the response body, read 5 bytes at a time.
async fn read_body(c: &mut HttpConnection<'_, Script>) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    let mut piece = [0u8; 5];
    loop {
        let n = c.read_body(&mut piece).await?;
        if n == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&piece[..n]);
    }
}

fn text(v: &[u8]) -> &str {
    core::str::from_utf8(v).unwrap()
}

#[test]
fn content_length_and_keep_alive_over_two_requests() {
    block_on(async {
        let script = Script::new(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: Sun, 30 Aug 2015 12:36:00 GMT\r\n\r\nhello\
             HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nnop",
            7,
        );
        let mut buf = [0u8; 256];
        let mut c = HttpConnection::new(script, &mut buf, HttpConfig::default());
        assert_eq!(
            exchange(&mut c, &get("/a?x=1")).await.unwrap(),
            (200, b"hello".to_vec())
        );
        assert!(c.is_reusable());
        assert_eq!(
            exchange(&mut c, &get("/b")).await.unwrap(),
            (404, b"nop".to_vec())
        );
        let written = c.into_inner().written;
        assert_eq!(
            text(&written),
            "GET /a?x=1 HTTP/1.1\r\nhost: example.com:8080\r\nx-amz-date: 20150830T123600Z\r\n\r\n\
             GET /b HTTP/1.1\r\nhost: example.com:8080\r\nx-amz-date: 20150830T123600Z\r\n\r\n"
        );
    });
}

/// Sends `req` to a server that answers `200` with no body; returns what was written.
fn sent(req: &HttpRequest<'_>) -> std::string::String {
    block_on(async {
        let mut buf = [0u8; 256];
        let mut c = HttpConnection::new(
            Script::new("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 64),
            &mut buf,
            HttpConfig::default(),
        );
        assert_eq!(exchange(&mut c, req).await.unwrap(), (200, Vec::new()));
        std::string::String::from(text(&c.into_inner().written))
    })
}

#[test]
fn put_body_gets_a_content_length() {
    let mut req = HttpRequest::new(Method::Put, Scheme::Http, "h", "/k").unwrap();
    req.set_body(Body::Bytes(b"0123456789"));
    assert_eq!(
        sent(&req),
        "PUT /k HTTP/1.1\r\nhost: h\r\ncontent-length: 10\r\n\r\n0123456789"
    );
}

/// A `Host` header of the caller's is the one sent (and the one core signs), once; the
/// connection is still the request's host's.
#[test]
fn a_caller_host_header_is_sent_once_in_place_of_the_host() {
    let mut req = get("/");
    req.headers_mut().append("Host", "bucket.example").unwrap();
    assert_eq!(
        sent(&req),
        "GET / HTTP/1.1\r\nhost: bucket.example\r\nx-amz-date: 20150830T123600Z\r\n\r\n"
    );
}

#[test]
fn chunked_with_extensions_and_trailers_byte_by_byte() {
    for step in [1, 3, 64] {
        block_on(async {
            let script = Script::new(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                 4;name=v\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nx-trailer: 1\r\n\r\n\
                 HTTP/1.1 204 No Content\r\n\r\n",
                step,
            );
            let mut buf = [0u8; 128];
            let mut c = HttpConnection::new(script, &mut buf, HttpConfig::default());
            let (status, body) = exchange(&mut c, &get("/")).await.unwrap();
            assert_eq!(
                (status, text(&body)),
                (200, "Wikipedia in\r\n\r\nchunks."),
                "step {step}"
            );
            assert!(c.is_reusable());
            assert_eq!(
                exchange(&mut c, &get("/")).await.unwrap(),
                (204, Vec::new())
            );
        });
    }
}

#[test]
fn body_until_close_ends_the_connection() {
    block_on(async {
        let mut buf = [0u8; 128];
        let mut c = HttpConnection::new(
            Script::new("HTTP/1.1 200 OK\r\n\r\nrest of it", 4),
            &mut buf,
            HttpConfig::default(),
        );
        assert_eq!(
            exchange(&mut c, &get("/")).await.unwrap(),
            (200, b"rest of it".to_vec())
        );
        assert!(!c.is_reusable());
        assert_eq!(c.send_head(&get("/")).await, Err(HttpError::Closed));
    });
}

#[test]
fn connection_close_and_http_1_0_are_not_reused() {
    for response in [
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
    ] {
        block_on(async {
            let mut buf = [0u8; 128];
            let mut c =
                HttpConnection::new(Script::new(response, 64), &mut buf, HttpConfig::default());
            exchange(&mut c, &get("/")).await.unwrap();
            assert!(!c.is_reusable(), "{response}");
            let err = c.send_head(&get("/")).await.unwrap_err();
            assert_eq!(
                (err, err.kind()),
                (HttpError::Closed, ErrorKind::ConnectionReset)
            );
        });
    }
}

#[test]
fn truncation_closing_and_garbage_are_typed() {
    let cases: [(&str, HttpError, ErrorKind); 6] = [
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
            HttpError::Truncated,
            ErrorKind::Protocol,
        ),
        (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            HttpError::Truncated,
            ErrorKind::Protocol,
        ),
        (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            HttpError::Malformed,
            ErrorKind::Protocol,
        ),
        ("", HttpError::Closed, ErrorKind::ConnectionReset),
        (
            "HTTP/1.1 200 OK\r\nContent-Le",
            HttpError::Truncated,
            ErrorKind::Protocol,
        ),
        (
            "SMTP ready\r\n\r\n",
            HttpError::Malformed,
            ErrorKind::Protocol,
        ),
    ];
    for (response, want, kind) in cases {
        block_on(async {
            let mut buf = [0u8; 128];
            let mut c =
                HttpConnection::new(Script::new(response, 3), &mut buf, HttpConfig::default());
            let err = exchange(&mut c, &get("/")).await.unwrap_err();
            assert_eq!((err, err.kind()), (want, kind), "{response:?}");
            assert!(!c.is_reusable());
        });
    }
}

/// Asserts that each response is refused as malformed and leaves the connection unusable.
fn assert_malformed(responses: &[&str]) {
    for response in responses {
        block_on(async {
            let mut buf = [0u8; 128];
            let mut c =
                HttpConnection::new(Script::new(response, 64), &mut buf, HttpConfig::default());
            assert_eq!(
                exchange(&mut c, &get("/")).await.unwrap_err(),
                HttpError::Malformed,
                "{response}"
            );
            assert!(!c.is_reusable());
        });
    }
}

#[test]
fn conflicting_and_bad_lengths_are_malformed() {
    assert_malformed(&[
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\na",
    ]);
}

/// Found by the `http_response` fuzz target: a header whose value is not UTF-8 cannot be kept in
/// the head, so it is counted as dropped (the caller learns the head is incomplete); it still
/// frames the body, as the std transport's does.
#[test]
fn headers_that_are_not_utf8_are_counted_as_dropped_and_still_frame_the_body() {
    block_on(async {
        let mut buf = [0u8; 128];
        let mut script = Script::new("", 64);
        script.input =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: \xdc\r\nContent-Length: 5\r\n\r\nuntil close"
                .to_vec();
        let mut c = HttpConnection::new(script, &mut buf, HttpConfig::default());
        c.send_head(&get("/")).await.unwrap();
        let mut head = ResponseHead::new();
        c.read_head(&mut head).await.unwrap();
        assert_eq!((head.status(), head.dropped_headers()), (200, 1));
        assert_eq!(text(&read_body(&mut c).await.unwrap()), "until close");
        assert!(!c.is_reusable());
    });
}

/// RFC 9112 §6.3: a response whose final transfer coding is not `chunked` ends when the server
/// closes (core's `FramingHeaders`, the std transport's rule too); the bytes come as sent.
#[test]
fn a_final_coding_other_than_chunked_is_read_until_the_close() {
    block_on(async {
        let mut buf = [0u8; 128];
        let response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw bytes";
        let mut c = HttpConnection::new(Script::new(response, 7), &mut buf, HttpConfig::default());
        let (status, body) = exchange(&mut c, &get("/")).await.unwrap();
        assert_eq!((status, text(&body)), (200, "raw bytes"));
        assert!(!c.is_reusable());
    });
}

/// Found by the `http_response` fuzz target: `HTTP/1.1 003` was reported as status 3 (core reads
/// status 0 as "no response arrived"). HTTP status codes are 100..=999.
#[test]
fn status_codes_below_100_are_malformed() {
    assert_malformed(&[
        "HTTP/1.1 003 Status\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 000 Zero\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n",
    ]);
}

#[test]
fn head_too_large_for_the_buffer() {
    block_on(async {
        let mut buf = [0u8; 32];
        let mut c = HttpConnection::new(
            Script::new("HTTP/1.1 200 OK\r\nServer: a-long-server-name\r\n\r\n", 64),
            &mut buf,
            HttpConfig::default(),
        );
        let err = exchange(&mut c, &get("/")).await.unwrap_err();
        assert_eq!(
            (err, err.kind()),
            (HttpError::HeadTooLarge { limit: 32 }, ErrorKind::Capacity)
        );
    });
}

#[test]
fn interim_100_continue_is_skipped_and_head_has_no_body() {
    block_on(async {
        let mut buf = [0u8; 256];
        let script = Script::new(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\
             HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
            9,
        );
        let mut c = HttpConnection::new(script, &mut buf, HttpConfig::default());
        assert_eq!(
            exchange(&mut c, &get("/")).await.unwrap(),
            (200, b"ok".to_vec())
        );
        let head = HttpRequest::new(Method::Head, Scheme::Http, "h", "/").unwrap();
        assert_eq!(exchange(&mut c, &head).await.unwrap(), (200, Vec::new()));
        assert!(c.is_reusable());
    });
}

#[test]
fn an_unread_body_is_drained_before_the_next_request() {
    block_on(async {
        let mut buf = [0u8; 256];
        let script = Script::new(
            "HTTP/1.1 500 Oops\r\nContent-Length: 11\r\n\r\nunread body\
             HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            64,
        );
        let mut c = HttpConnection::new(script, &mut buf, HttpConfig::default());
        c.send_head(&get("/")).await.unwrap();
        let mut head = ResponseHead::new();
        c.read_head(&mut head).await.unwrap();
        assert_eq!(head.status(), 500);
        assert_eq!(
            exchange(&mut c, &get("/")).await.unwrap(),
            (200, b"ok".to_vec())
        );
    });
}

#[test]
fn a_silent_server_times_out() {
    block_on(async {
        let mut buf = [0u8; 128];
        let mut script = Script::new("HTTP/1.1 200 OK\r\n", 64);
        script.hang = true;
        let config = HttpConfig {
            io_timeout: Duration::from_millis(50),
            ..HttpConfig::default()
        };
        let mut c = HttpConnection::new(script, &mut buf, config);
        let err = exchange(&mut c, &get("/")).await.unwrap_err();
        assert_eq!(
            (err, err.kind()),
            (HttpError::TimedOut, ErrorKind::TimedOut)
        );
    });
}

#[test]
fn calls_out_of_order_and_wrong_body_lengths() {
    block_on(async {
        let mut buf = [0u8; 128];
        let mut c = HttpConnection::new(Script::new("", 64), &mut buf, HttpConfig::default());
        assert_eq!(c.send_body(b"x").await, Err(HttpError::Usage));
        let mut c = HttpConnection::new(Script::new("", 64), &mut buf, HttpConfig::default());
        c.send_head(&get("/")).await.unwrap();
        assert_eq!(
            c.send_body(b"x").await,
            Err(HttpError::Usage),
            "GET declared no body"
        );
    });
}

/// A body the request does not hold (an aws-chunked upload) goes out in pieces up to the
/// `Content-Length` header's count; more is refused; a header that is not a count is refused.
#[test]
fn a_content_length_header_sets_the_body_length() {
    block_on(async {
        let mut buf = [0u8; 256];
        let answer = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        let mut c = HttpConnection::new(Script::new(answer, 64), &mut buf, HttpConfig::default());
        let mut req = HttpRequest::new(Method::Put, Scheme::Http, "h", "/k").unwrap();
        req.headers_mut().insert("content-length", "6").unwrap();
        c.send_head(&req).await.unwrap();
        c.send_body(b"abc").await.unwrap();
        c.send_body(b"def").await.unwrap();
        let mut head = ResponseHead::new();
        c.read_head(&mut head).await.unwrap();
        assert_eq!(head.status(), 200);
        assert_eq!(
            text(&c.into_inner().written),
            "PUT /k HTTP/1.1\r\nhost: h\r\ncontent-length: 6\r\n\r\nabcdef"
        );

        let mut c = HttpConnection::new(Script::new("", 64), &mut buf, HttpConfig::default());
        c.send_head(&req).await.unwrap();
        assert_eq!(c.send_body(b"abcdefg").await, Err(HttpError::Usage));
        let mut c = HttpConnection::new(Script::new("", 64), &mut buf, HttpConfig::default());
        req.headers_mut().insert("content-length", "six").unwrap();
        assert_eq!(c.send_head(&req).await, Err(HttpError::Usage));
    });
}

/// A kept-alive connection unused past the idle limit counts as closed: the next request is
/// refused before anything is written (a transport that reconnects opens a new connection).
#[test]
fn a_connection_idle_past_the_limit_is_not_reused() {
    block_on(async {
        let mut buf = [0u8; 256];
        let answer = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        let config = HttpConfig {
            idle_limit: Duration::from_millis(30),
            ..HttpConfig::default()
        };
        let mut c = HttpConnection::new(Script::new(answer, 64), &mut buf, config);
        assert_eq!(exchange(&mut c, &get("/")).await.unwrap().0, 200);
        assert!(c.is_reusable());
        embassy_time::Timer::after_millis(60).await;
        assert!(!c.is_reusable());
        let written = c.stream().written.len();
        assert_eq!(c.send_head(&get("/")).await, Err(HttpError::Closed));
        assert_eq!(
            c.stream().written.len(),
            written,
            "nothing more was written"
        );
    });
}

#[test]
fn response_date_sets_the_wall_clock() {
    block_on(async {
        static CLOCK: crate::clock::WallClock = crate::clock::WallClock::new();
        let mut buf = [0u8; 256];
        let script = Script::new("HTTP/1.1 403 Forbidden\r\nDate: Sun, 30 Aug 2015 12:36:00 GMT\r\nContent-Length: 0\r\n\r\n", 64);
        let mut c = HttpConnection::new(script, &mut buf, HttpConfig::default()).with_clock(&CLOCK);
        assert!(!CLOCK.is_set());
        exchange(&mut c, &get("/")).await.unwrap();
        use aws_session_core::platform::Clock;
        assert!(CLOCK.now().unwrap().secs() >= 1_440_938_160);
    });
}
