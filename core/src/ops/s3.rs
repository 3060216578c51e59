//! S3 (REST-XML, path-style addressing `/{bucket}/{key}` under the client's endpoint):
//! `HeadObject`, `GetObject` (whole or a byte range, into the response buffer or streamed to a
//! writer), `PutObject` from memory, `DeleteObject`.
//!
//! Keys are percent-encoded as S3 expects (every byte but RFC 3986 unreserved characters and
//! `/`) and signed exactly as sent. The answers of these operations are in the response head
//! (status and headers), so their parsers read a [`ResponseHead`]; a `404` is
//! [`S3Error::NotFound`], any other failure [`S3Error::Status`] (its code and message decode with
//! [`Request::service_error`] when the request had a response buffer).

use core::fmt::{self, Write};

use crate::client::Client;
use crate::error_kind::ErrorKind;
use crate::handlers::Request;
use crate::http::{io_kind, Body, HttpError, Method, ResponseHead};
use crate::limits::{MAX_REQUEST_TARGET_LEN, MAX_S3_BUCKET_LEN, MAX_S3_KEY_LEN};
use crate::sigv4::encoding::write_encoded;
use crate::text::Text;
use crate::time::UnixTime;

/// The service id of an S3 client.
pub const SERVICE: &str = "s3";

/// Preparing or reading an S3 operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum S3Error {
    /// The request head does not fit (a header or the target over its limit).
    Http(HttpError),
    /// A parameter is missing, empty or out of range; names it.
    Invalid(&'static str),
    /// A parameter is longer than its limit; names it.
    TooLong {
        /// The parameter.
        param: &'static str,
        /// The limit.
        limit: usize,
        /// Its length.
        len: usize,
    },
    /// The object (or bucket) does not exist: the answer was `404`.
    NotFound,
    /// The answer has a status this operation does not expect (a service error: decode it with
    /// [`Request::service_error`]).
    Status(u16),
    /// A header of the answer is missing or does not parse; names it.
    BadHeader(&'static str),
    /// Reading the streamed response body failed.
    Read(ErrorKind),
    /// Writing the streamed body to the caller's writer failed.
    Write(ErrorKind),
    /// The streamed body ended before its `Content-Length`.
    Truncated {
        /// `Content-Length`.
        expected: u64,
        /// Bytes received.
        got: u64,
    },
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            S3Error::Http(e) => write!(f, "cannot build the request: {e}"),
            S3Error::Invalid(name) => write!(f, "{name} is missing, empty or out of range"),
            S3Error::TooLong { param, limit, len } => {
                write!(f, "{param} is {len} bytes long, over the limit of {limit}")
            }
            S3Error::NotFound => f.write_str("no such object (HTTP 404)"),
            S3Error::Status(status) => write!(f, "unexpected answer: HTTP {status}"),
            S3Error::BadHeader(name) => write!(f, "the answer's {name} is missing or malformed"),
            S3Error::Read(kind) => write!(f, "reading the object failed: {kind}"),
            S3Error::Write(kind) => write!(f, "writing the object failed: {kind}"),
            S3Error::Truncated { expected, got } => {
                write!(f, "the object ended after {got} of {expected} bytes")
            }
        }
    }
}

impl core::error::Error for S3Error {}

impl From<HttpError> for S3Error {
    fn from(e: HttpError) -> Self {
        S3Error::Http(e)
    }
}

/// A byte range of `GetObject` (`Range: bytes=first-last`, both inclusive; to the end of the
/// object when `last` is `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ByteRange {
    /// The first byte.
    pub first: u64,
    /// The last byte (inclusive), or `None` for the rest of the object.
    pub last: Option<u64>,
}

impl ByteRange {
    /// The `Range` header value.
    ///
    /// # Errors
    /// [`S3Error::Invalid`] naming `range` when `last` is before `first`.
    pub fn header(&self) -> Result<Text<48>, S3Error> {
        let mut out = Text::<48>::new();
        // Two u64 and 7 bytes of text fit in 48.
        let written = match self.last {
            Some(last) if last < self.first => return Err(S3Error::Invalid("range")),
            Some(last) => write!(out, "bytes={}-{last}", self.first),
            None => write!(out, "bytes={}-", self.first),
        };
        written.map_err(|_| S3Error::Invalid("range"))?;
        Ok(out)
    }
}

/// What the head of a `HeadObject`, `GetObject` or `PutObject` answer says about the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ObjectHead<'a> {
    /// The status (`200`, or `206` for a range).
    pub status: u16,
    /// `Content-Length`: the object's size (of the range, for a range); `None` when absent (a
    /// `PutObject` answer).
    pub content_length: Option<u64>,
    /// `ETag`, with its quotes, as S3 sends it.
    pub etag: Option<&'a str>,
    /// `Last-Modified`.
    pub last_modified: Option<UnixTime>,
    /// `Content-Range` of a ranged answer (`bytes 0-9/1234`).
    pub content_range: Option<&'a str>,
}

/// Refuses `value` when empty or longer than `limit`.
fn check_len(value: &str, param: &'static str, limit: usize) -> Result<(), S3Error> {
    match value.len() {
        0 => Err(S3Error::Invalid(param)),
        len if len > limit => Err(S3Error::TooLong { param, limit, len }),
        _ => Ok(()),
    }
}

/// Checks a bucket name and an object key.
fn check_names(bucket: &str, key: &str) -> Result<(), S3Error> {
    if bucket.contains('/') {
        return Err(S3Error::Invalid("bucket"));
    }
    check_len(bucket, "bucket", MAX_S3_BUCKET_LEN)?;
    check_len(key, "key", MAX_S3_KEY_LEN)
}

/// The request target `{prefix}/{bucket}/{key}` (path-style; `prefix` is the endpoint's path),
/// the key percent-encoded with its `/` kept.
///
/// # Errors
/// [`S3Error::Invalid`] for an empty bucket or key or a bucket with `/`; [`S3Error::TooLong`]
/// for a bucket or key over its limit, or naming `key` when the encoded target is over
/// [`MAX_REQUEST_TARGET_LEN`].
pub fn object_target(
    prefix: &str,
    bucket: &str,
    key: &str,
) -> Result<Text<MAX_REQUEST_TARGET_LEN>, S3Error> {
    check_names(bucket, key)?;
    let mut target = Text::<MAX_REQUEST_TARGET_LEN>::new();
    let prefix = prefix.trim_end_matches('/');
    let written = write!(target, "{prefix}/")
        .and_then(|()| write_encoded(&mut target, bucket, false))
        .and_then(|()| target.write_char('/'))
        .and_then(|()| write_encoded(&mut target, key, true));
    written.map_err(|_| S3Error::TooLong {
        param: "key",
        limit: MAX_REQUEST_TARGET_LEN,
        len: key.len(),
    })?;
    Ok(target)
}

/// The endpoint's path of `client` (empty without one).
fn prefix<'c>(client: &'c Client<'_>) -> &'c str {
    client.endpoint().map(|e| e.path()).unwrap_or("")
}

/// A request of `operation` with `method` on the object `bucket`/`key`.
fn object_request<'a>(
    client: &'a Client<'_>,
    operation: &'static str,
    method: Method,
    bucket: &str,
    key: &str,
) -> Result<Request<'a>, S3Error> {
    let target = object_target(prefix(client), bucket, key)?;
    let mut r = client.request(operation);
    r.http.set_method(method);
    r.http.set_target(&target)?;
    Ok(r)
}

/// The `HeadObject` request of `client` (an `s3` client) for `bucket`/`key`.
///
/// # Errors
/// As [`object_target`]; [`S3Error::Http`] when the target does not fit the request.
pub fn head_object<'a>(
    client: &'a Client<'_>,
    bucket: &str,
    key: &str,
) -> Result<Request<'a>, S3Error> {
    object_request(client, "HeadObject", Method::Head, bucket, key)
}

/// The `GetObject` request of `client` for `bucket`/`key`, of the whole object or of `range`.
/// Give the request a response buffer to read the object into it; without one the body stays
/// in the transport for the caller to stream ([`copy_body`]).
///
/// # Errors
/// As [`head_object`]; [`S3Error::Invalid`] naming `range` for a range that ends before it
/// starts.
pub fn get_object<'a>(
    client: &'a Client<'_>,
    bucket: &str,
    key: &str,
    range: Option<ByteRange>,
) -> Result<Request<'a>, S3Error> {
    let mut r = object_request(client, "GetObject", Method::Get, bucket, key)?;
    if let Some(range) = range {
        r.http.headers_mut().insert("range", &range.header()?)?;
    }
    Ok(r)
}

/// The `PutObject` request of `client` storing `body` as `bucket`/`key` (signed with the body's
/// SHA-256).
///
/// # Errors
/// As [`head_object`].
pub fn put_object<'a>(
    client: &'a Client<'_>,
    bucket: &str,
    key: &str,
    body: &'a [u8],
) -> Result<Request<'a>, S3Error> {
    let mut r = object_request(client, "PutObject", Method::Put, bucket, key)?;
    r.http.set_body(Body::Bytes(body));
    Ok(r)
}

/// The `DeleteObject` request of `client` for `bucket`/`key`.
///
/// # Errors
/// As [`head_object`].
pub fn delete_object<'a>(
    client: &'a Client<'_>,
    bucket: &str,
    key: &str,
) -> Result<Request<'a>, S3Error> {
    object_request(client, "DeleteObject", Method::Delete, bucket, key)
}

/// Refuses a failed answer: `404` is [`S3Error::NotFound`], any status outside `ok` is
/// [`S3Error::Status`].
fn check_status(head: &ResponseHead, ok: &[u16]) -> Result<u16, S3Error> {
    match head.status() {
        s if ok.contains(&s) => Ok(s),
        404 => Err(S3Error::NotFound),
        s => Err(S3Error::Status(s)),
    }
}

/// Reads the object's head from an answer of status `status`.
fn object_head(head: &ResponseHead, status: u16) -> Result<ObjectHead<'_>, S3Error> {
    let headers = head.headers();
    let content_length = match headers.get("content-length") {
        None => None,
        Some(v) => Some(
            v.trim()
                .parse()
                .map_err(|_| S3Error::BadHeader("Content-Length"))?,
        ),
    };
    let last_modified = match headers.get("last-modified") {
        None => None,
        Some(v) => Some(
            UnixTime::parse_http_date(v.trim()).map_err(|_| S3Error::BadHeader("Last-Modified"))?,
        ),
    };
    Ok(ObjectHead {
        status,
        content_length,
        etag: headers.get("etag").map(str::trim),
        last_modified,
        content_range: headers.get("content-range").map(str::trim),
    })
}

/// Reads a `HeadObject` answer.
///
/// # Errors
/// [`S3Error::NotFound`] for `404`; [`S3Error::Status`] for another status but `200`;
/// [`S3Error::BadHeader`] naming `Content-Length` (missing or not a number) or `Last-Modified`
/// (not an HTTP date).
pub fn parse_head_object(head: &ResponseHead) -> Result<ObjectHead<'_>, S3Error> {
    let status = check_status(head, &[200])?;
    let out = object_head(head, status)?;
    if out.content_length.is_none() {
        return Err(S3Error::BadHeader("Content-Length"));
    }
    Ok(out)
}

/// Reads a `GetObject` answer's head (`200`, or `206` for a range; the body is in the response
/// buffer, or in the transport to stream).
///
/// # Errors
/// As [`parse_head_object`]; a `206` without `Content-Range` is [`S3Error::BadHeader`].
pub fn parse_get_object(head: &ResponseHead) -> Result<ObjectHead<'_>, S3Error> {
    let status = check_status(head, &[200, 206])?;
    let out = object_head(head, status)?;
    if out.content_length.is_none() {
        return Err(S3Error::BadHeader("Content-Length"));
    }
    if status == 206 && out.content_range.is_none() {
        return Err(S3Error::BadHeader("Content-Range"));
    }
    Ok(out)
}

/// Reads a `PutObject` answer: the stored object's `ETag`.
///
/// # Errors
/// [`S3Error::NotFound`] (no such bucket) or [`S3Error::Status`] for a status but `200`;
/// [`S3Error::BadHeader`] naming `ETag` when S3 sent none.
pub fn parse_put_object(head: &ResponseHead) -> Result<&str, S3Error> {
    check_status(head, &[200])?;
    head.headers()
        .get("etag")
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or(S3Error::BadHeader("ETag"))
}

/// Checks a `DeleteObject` answer (`204`, or `200`; S3 answers so for a missing key too).
///
/// # Errors
/// [`S3Error::NotFound`] (no such bucket) or [`S3Error::Status`].
pub fn parse_delete_object(head: &ResponseHead) -> Result<(), S3Error> {
    check_status(head, &[200, 204]).map(|_| ())
}

/// Streams a response body from `reader` (the transport's
/// [`ResponseBodyReader`](crate::handlers::ResponseBodyReader) after a `GetObject` sent without a
/// response buffer) to `writer`, through `chunk`, in constant memory; returns the bytes copied.
/// With `expected` (the answer's `Content-Length`), a shorter body is an error.
///
/// # Errors
/// [`S3Error::Read`] / [`S3Error::Write`] with the I/O error's kind; [`S3Error::Truncated`];
/// [`S3Error::Invalid`] naming `chunk` when it is empty.
pub fn copy_body<R: embedded_io::Read, W: embedded_io::Write>(
    reader: &mut R,
    writer: &mut W,
    chunk: &mut [u8],
    expected: Option<u64>,
) -> Result<u64, S3Error> {
    use embedded_io::Error as _;
    if chunk.is_empty() {
        return Err(S3Error::Invalid("chunk"));
    }
    let mut got = 0u64;
    loop {
        let n = reader
            .read(chunk)
            .map_err(|e| S3Error::Read(io_kind(e.kind())))?;
        if n == 0 {
            break;
        }
        let piece = chunk
            .get(..n)
            .ok_or(S3Error::Read(ErrorKind::InvalidData))?;
        writer
            .write_all(piece)
            .map_err(|e| S3Error::Write(io_kind(e.kind())))?;
        got = got.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
    }
    writer
        .flush()
        .map_err(|e| S3Error::Write(io_kind(e.kind())))?;
    match expected {
        Some(expected) if got < expected => Err(S3Error::Truncated { expected, got }),
        _ => Ok(got),
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::session::{Options, Session};
    use crate::test_util::{MemEnv, MemFiles};

    fn session(slot: &mut Session) {
        let env = MemEnv::new(&[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/base/"),
        ]);
        slot.rebuild(&Options::default(), &env, &MemFiles::new(&[]))
            .unwrap();
    }

    fn head(status: u16, headers: &[(&str, &str)]) -> ResponseHead {
        let mut h = ResponseHead::new();
        h.set_status(status);
        for (n, v) in headers {
            h.push_header(n, v).unwrap();
        }
        h
    }

    #[inline(never)]
    fn requests_of(s: &Session) {
        let c = s.client(SERVICE).unwrap();
        let r = head_object(&c, "bkt", "dir/a b+c.txt").unwrap();
        assert_eq!(
            (r.http.method(), r.http.target()),
            (Method::Head, "/base/bkt/dir/a%20b%2Bc.txt")
        );
        assert_eq!(r.operation(), "HeadObject");
        let r = get_object(
            &c,
            "bkt",
            "k",
            Some(ByteRange {
                first: 2,
                last: Some(5),
            }),
        )
        .unwrap();
        assert_eq!(r.http.headers().get("range"), Some("bytes=2-5"));
        assert_eq!(r.http.method(), Method::Get);
        let r = put_object(&c, "bkt", "k", b"data").unwrap();
        assert_eq!(
            (r.http.method(), r.http.body().bytes()),
            (Method::Put, Some(&b"data"[..]))
        );
        let r = delete_object(&c, "bkt", "k").unwrap();
        assert_eq!(r.http.method(), Method::Delete);
        assert!(matches!(
            get_object(
                &c,
                "bkt",
                "k",
                Some(ByteRange {
                    first: 5,
                    last: Some(4)
                })
            ),
            Err(S3Error::Invalid("range"))
        ));
    }

    selftests! {
        fn object_targets() {
            assert_eq!(object_target("", "b", "a/b c/~é").unwrap().as_str(), "/b/a/b%20c/~%C3%A9");
            assert_eq!(object_target("/p/", "b", "k").unwrap().as_str(), "/p/b/k");
            assert_eq!(object_target("", "", "k"), Err(S3Error::Invalid("bucket")));
            assert_eq!(object_target("", "a/b", "k"), Err(S3Error::Invalid("bucket")));
            assert_eq!(object_target("", "b", ""), Err(S3Error::Invalid("key")));
            let mut long = Text::<1100>::new();
            for _ in 0..=MAX_S3_KEY_LEN { long.push('k').unwrap(); }
            assert_eq!(object_target("", "b", &long), Err(S3Error::TooLong { param: "key", limit: MAX_S3_KEY_LEN, len: MAX_S3_KEY_LEN + 1 }));
            long.pop();
            // A key at its limit whose encoding is over the target's limit.
            let mut spaces = Text::<1100>::new();
            for _ in 0..400 { spaces.push(' ').unwrap(); }
            assert_eq!(object_target("", "b", &spaces), Err(S3Error::TooLong { param: "key", limit: MAX_REQUEST_TARGET_LEN, len: 400 }));
        }

        fn ranges() {
            assert_eq!(ByteRange { first: 0, last: Some(9) }.header().unwrap().as_str(), "bytes=0-9");
            assert_eq!(ByteRange { first: 7, last: None }.header().unwrap().as_str(), "bytes=7-");
            assert_eq!(ByteRange { first: u64::MAX, last: Some(u64::MAX) }.header().unwrap().len(), 47);
            assert_eq!(ByteRange { first: 3, last: Some(2) }.header(), Err(S3Error::Invalid("range")));
        }

        fn requests_have_their_shapes() {
            let mut s = Session::unconfigured();
            session(&mut s);
            requests_of(&s);
        }

        fn object_heads_parse() {
            // Shaped like the HeadObject example of the S3 API reference.
            let h = head(200, &[
                ("Last-Modified", "Sun, 01 Jan 2006 12:00:00 GMT"),
                ("ETag", "\"fba9dede5f27731c9771645a39863328\""),
                ("Content-Length", "434234"),
                ("Content-Type", "text/plain"),
            ]);
            let o = parse_head_object(&h).unwrap();
            assert_eq!(o.content_length, Some(434_234));
            assert_eq!(o.etag, Some("\"fba9dede5f27731c9771645a39863328\""));
            assert_eq!(o.last_modified, Some(UnixTime::from_secs(1_136_116_800)));
            assert_eq!(parse_head_object(&head(404, &[])), Err(S3Error::NotFound));
            assert_eq!(parse_head_object(&head(403, &[])), Err(S3Error::Status(403)));
            assert_eq!(parse_head_object(&head(200, &[("Content-Length", "x")])), Err(S3Error::BadHeader("Content-Length")));
            assert_eq!(parse_head_object(&head(200, &[])), Err(S3Error::BadHeader("Content-Length")));
            assert_eq!(parse_head_object(&head(200, &[("Content-Length", "1"), ("Last-Modified", "yesterday")])), Err(S3Error::BadHeader("Last-Modified")));
            let ranged = head(206, &[("Content-Length", "10"), ("Content-Range", "bytes 0-9/434234")]);
            assert_eq!(parse_get_object(&ranged).unwrap().content_range, Some("bytes 0-9/434234"));
            assert_eq!(parse_get_object(&head(206, &[("Content-Length", "10")])), Err(S3Error::BadHeader("Content-Range")));
            assert_eq!(parse_head_object(&ranged), Err(S3Error::Status(206)));
            assert_eq!(parse_put_object(&head(200, &[("ETag", "\"e\"")])), Ok("\"e\""));
            assert_eq!(parse_put_object(&head(200, &[])), Err(S3Error::BadHeader("ETag")));
            assert_eq!(parse_delete_object(&head(204, &[])), Ok(()));
            assert_eq!(parse_delete_object(&head(500, &[])), Err(S3Error::Status(500)));
        }

        fn bodies_copy_in_chunks() {
            let data = [7u8; 100];
            let mut out = [0u8; 100];
            let mut chunk = [0u8; 16];
            let mut sink: &mut [u8] = &mut out;
            assert_eq!(copy_body(&mut &data[..], &mut sink, &mut chunk, Some(100)), Ok(100));
            assert_eq!(out, data);
            let mut sink: &mut [u8] = &mut out;
            assert_eq!(copy_body(&mut &data[..10], &mut sink, &mut chunk, Some(100)), Err(S3Error::Truncated { expected: 100, got: 10 }));
            let mut small = [0u8; 5];
            let mut sink: &mut [u8] = &mut small;
            assert!(matches!(copy_body(&mut &data[..], &mut sink, &mut chunk, None), Err(S3Error::Write(_))));
            assert_eq!(copy_body(&mut &data[..], &mut sink, &mut [], None), Err(S3Error::Invalid("chunk")));
        }
    }
}
