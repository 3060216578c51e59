//! S3 (REST-XML, path-style addressing `/{bucket}/{key}` under the client's endpoint):
//! `HeadObject`, `GetObject` (whole or a byte range, into the response buffer or streamed to a
//! writer), `PutObject` from memory, `DeleteObject`, `ListObjectsV2` (one page at a time, its
//! `<Contents>` read incrementally from the response buffer), and presigned `GET` / `PUT` URLs of
//! an object, and `PutObject` streamed with aws-chunked signing
//! (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`) in constant memory, from an `embedded_io` reader
//! ([`put_object_streaming`]) or, without copying, from a buffered reader's memory
//! ([`put_object_streaming_buffered`]); async forms for devices.
//!
//! Keys are percent-encoded as S3 expects (every byte but RFC 3986 unreserved characters and
//! `/`) and signed exactly as sent. The answers of these operations are in the response head
//! (status and headers), so their parsers read a [`ResponseHead`]; a `404` is
//! [`S3Error::NotFound`], any other failure [`S3Error::Status`] (its code and message decode with
//! [`Request::service_error`] when the request had a response buffer).

use core::fmt::{self, Write};

use crate::client::Client;
use crate::credentials::Credentials;
use crate::endpoint::ResolvedEndpoint;
use crate::error_kind::ErrorKind;
use crate::fetch::{block_on, BlockingRead, BlockingTransport};
use crate::handlers::Request;
use crate::http::{io_kind, Body, HttpError, Method, ResponseHead};
use crate::limits::{
    MAX_PRESIGN_EXPIRES_SECS, MAX_REQUEST_TARGET_LEN, MAX_S3_BUCKET_LEN, MAX_S3_KEY_LEN,
    MIN_AWS_CHUNK_LEN,
};
use crate::platform::{AsyncTransport, Error as _, Transport};
use crate::sigv4::encoding::write_encoded;
use crate::sigv4::{
    encoded_len, AwsChunkedEncoder, ChunkedError, ChunkedMode, SignableBody, SignableRequest,
    Signer, SigningError, SigningOutput, SigningParams, SigningSettings, MAX_CHUNK_HEADER_LEN,
    MAX_SIGNED_FINISH_LEN,
};
use crate::text::{SliceWriter, Text};
use crate::time::UnixTime;
use crate::xml::{local, Reader, XmlError};

use super::Value;

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
    /// The answer is not UTF-8.
    NotUtf8,
    /// The answer is not well-formed XML (truncated, mismatched tags).
    Malformed,
    /// The answer nests elements deeper than [`crate::limits::MAX_XML_DEPTH`].
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The answer has a document type declaration (refused).
    Declaration,
    /// A required element of the answer is missing, or the root is another; names it.
    Missing(&'static str),
    /// An element's text holds markup or a bad character reference; names the element.
    BadText(&'static str),
    /// An element that holds a number or a boolean or a time holds something else; names it.
    BadValue(&'static str),
    /// Signing a presigned URL or a streamed upload failed.
    Signing(SigningError),
    /// Encoding or signing a streamed upload's chunks failed.
    Chunked(ChunkedError),
    /// The transport failed during a streamed upload.
    Transport(ErrorKind),
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
            S3Error::NotUtf8 => f.write_str("the answer is not UTF-8"),
            S3Error::Malformed => f.write_str("the answer is not well-formed XML"),
            S3Error::TooDeep { limit } => {
                write!(f, "the answer nests elements deeper than {limit}")
            }
            S3Error::Declaration => {
                f.write_str("the answer has a document type declaration (refused)")
            }
            S3Error::Missing(name) => write!(f, "{name} is missing from the answer"),
            S3Error::BadText(name) => {
                write!(f, "{name} holds markup or a bad character reference")
            }
            S3Error::BadValue(name) => write!(f, "{name} does not hold a valid value"),
            S3Error::Signing(e) => write!(f, "cannot sign: {e}"),
            S3Error::Chunked(e) => write!(f, "cannot stream the upload: {e}"),
            S3Error::Transport(kind) => write!(f, "the upload failed: {kind}"),
        }
    }
}

impl core::error::Error for S3Error {}

impl From<XmlError> for S3Error {
    fn from(e: XmlError) -> Self {
        match e {
            XmlError::Malformed => S3Error::Malformed,
            XmlError::TooDeep { limit } => S3Error::TooDeep { limit },
            XmlError::Declaration => S3Error::Declaration,
        }
    }
}

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

/// The parameters of one `ListObjectsV2` page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListObjectsV2<'a> {
    /// Only keys that start with it (`prefix`).
    pub prefix: Option<&'a str>,
    /// The previous page's [`ListPage::next_continuation_token`], decoded
    /// ([`Value::to_text`]), for the next page (`continuation-token`).
    pub continuation_token: Option<&'a str>,
    /// At most this many keys, 1 to 1000 (`max-keys`; S3's default is 1000).
    pub max_keys: Option<u32>,
}

/// The request target of a `ListObjectsV2` page of `bucket`:
/// `{prefix}/{bucket}?continuation-token=…&list-type=2&max-keys=…&prefix=…` (parameters in
/// canonical order, values percent-encoded).
///
/// # Errors
/// [`S3Error::Invalid`] naming `bucket`, `max_keys` (0 or over 1000), `prefix` or
/// `continuation_token` (given but empty); [`S3Error::TooLong`] naming `query` when the target
/// does not fit [`MAX_REQUEST_TARGET_LEN`].
pub fn list_objects_v2_target(
    endpoint_path: &str,
    bucket: &str,
    params: &ListObjectsV2<'_>,
) -> Result<Text<MAX_REQUEST_TARGET_LEN>, S3Error> {
    if bucket.contains('/') {
        return Err(S3Error::Invalid("bucket"));
    }
    check_len(bucket, "bucket", MAX_S3_BUCKET_LEN)?;
    if params.max_keys.is_some_and(|n| n == 0 || n > 1000) {
        return Err(S3Error::Invalid("max_keys"));
    }
    if params.prefix == Some("") {
        return Err(S3Error::Invalid("prefix"));
    }
    if params.continuation_token == Some("") {
        return Err(S3Error::Invalid("continuation_token"));
    }
    let mut target = Text::<MAX_REQUEST_TARGET_LEN>::new();
    let mut write = || -> fmt::Result {
        write!(target, "{}/", endpoint_path.trim_end_matches('/'))?;
        write_encoded(&mut target, bucket, false)?;
        target.write_char('?')?;
        if let Some(token) = params.continuation_token {
            target.write_str("continuation-token=")?;
            write_encoded(&mut target, token, false)?;
            target.write_char('&')?;
        }
        target.write_str("list-type=2")?;
        if let Some(n) = params.max_keys {
            write!(target, "&max-keys={n}")?;
        }
        if let Some(prefix) = params.prefix {
            target.write_str("&prefix=")?;
            write_encoded(&mut target, prefix, false)?;
        }
        Ok(())
    };
    write().map_err(|_| S3Error::TooLong {
        param: "query",
        limit: MAX_REQUEST_TARGET_LEN,
        len: params
            .prefix
            .map_or(0, str::len)
            .saturating_add(params.continuation_token.map_or(0, str::len)),
    })?;
    Ok(target)
}

/// The `ListObjectsV2` request of `client` for one page of `bucket`; give it a response buffer
/// (a page of 1000 keys is about 300 KiB of XML).
///
/// # Errors
/// As [`list_objects_v2_target`]; [`S3Error::Http`] when the target does not fit the request.
pub fn list_objects_v2<'a>(
    client: &'a Client<'_>,
    bucket: &str,
    params: &ListObjectsV2<'_>,
) -> Result<Request<'a>, S3Error> {
    let target = list_objects_v2_target(prefix(client), bucket, params)?;
    let mut r = client.request("ListObjectsV2");
    r.http.set_method(Method::Get);
    r.http.set_target(&target)?;
    Ok(r)
}

/// One object of a [`ListPage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ListedObject<'a> {
    /// `Key`.
    pub key: Value<'a>,
    /// `Size` in bytes.
    pub size: u64,
    /// `ETag`, with its quotes (`None` when absent).
    pub etag: Option<Value<'a>>,
    /// `LastModified` (`None` when absent).
    pub last_modified: Option<UnixTime>,
    /// `StorageClass` (`None` when absent).
    pub storage_class: Option<Value<'a>>,
}

/// One `ListObjectsV2` answer (`<ListBucketResult>`), checked whole when parsed; its objects are
/// read one by one from the response buffer by [`ListPage::objects`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListPage<'a> {
    xml: &'a str,
    count: usize,
    /// `IsTruncated`: more keys follow; ask again with [`ListPage::next_continuation_token`].
    pub is_truncated: bool,
    /// `NextContinuationToken`: there when [`ListPage::is_truncated`].
    pub next_continuation_token: Option<Value<'a>>,
    /// `KeyCount`, when the answer has it.
    pub key_count: Option<u64>,
    /// `Prefix` (empty or absent when none was asked).
    pub prefix: Option<Value<'a>>,
}

impl<'a> ListPage<'a> {
    /// The number of `<Contents>` in the page.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when the page lists no object.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The page's objects, in order, read incrementally from the answer.
    pub fn objects(&self) -> Objects<'a> {
        Objects {
            reader: Reader::new(self.xml),
            left: self.count,
        }
    }
}

/// The objects of a [`ListPage`], read one `<Contents>` at a time (the page was checked whole,
/// so reading cannot fail).
pub struct Objects<'a> {
    reader: Reader<'a>,
    left: usize,
}

impl fmt::Debug for Objects<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Objects").field("left", &self.left).finish()
    }
}

impl<'a> Iterator for Objects<'a> {
    type Item = ListedObject<'a>;

    fn next(&mut self) -> Option<ListedObject<'a>> {
        if self.left == 0 {
            return None;
        }
        let mut contents = ContentsReader::default();
        while let Ok(Some((path, content))) = self.reader.next_element() {
            if let Ok(Some(object)) = contents.visit(path, content) {
                self.left = self.left.saturating_sub(1);
                return Some(object);
            }
        }
        self.left = 0;
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

/// Collects the children of one `<Contents>` as they close.
#[derive(Default)]
struct ContentsReader<'a> {
    key: Option<Value<'a>>,
    size: Option<u64>,
    etag: Option<Value<'a>>,
    last_modified: Option<UnixTime>,
    storage_class: Option<Value<'a>>,
}

/// An element's text, checked.
fn xml_value<'a>(content: &'a str, name: &'static str) -> Result<Value<'a>, S3Error> {
    Value::xml(content).ok_or(S3Error::BadText(name))
}

/// An element's number.
fn xml_number(content: &str, name: &'static str) -> Result<u64, S3Error> {
    content.trim().parse().map_err(|_| S3Error::BadValue(name))
}

impl<'a> ContentsReader<'a> {
    /// Takes one closed element of a `ListBucketResult`; returns the object when its
    /// `<Contents>` closes.
    fn visit(
        &mut self,
        path: &[&'a str],
        content: &'a str,
    ) -> Result<Option<ListedObject<'a>>, S3Error> {
        match path {
            [_, c, child] if local(c) == "Contents" => match local(child) {
                "Key" => self.key = Some(xml_value(content, "Key")?),
                "Size" => self.size = Some(xml_number(content, "Size")?),
                "ETag" => self.etag = Some(xml_value(content, "ETag")?),
                "StorageClass" => self.storage_class = Some(xml_value(content, "StorageClass")?),
                "LastModified" => {
                    let t = UnixTime::parse_rfc3339(content.trim())
                        .map_err(|_| S3Error::BadValue("LastModified"))?;
                    self.last_modified = Some(t);
                }
                _ => {}
            },
            [_, c] if local(c) == "Contents" => {
                let done = core::mem::take(self);
                return Ok(Some(ListedObject {
                    key: done.key.ok_or(S3Error::Missing("Key"))?,
                    size: done.size.ok_or(S3Error::Missing("Size"))?,
                    etag: done.etag,
                    last_modified: done.last_modified,
                    storage_class: done.storage_class,
                }));
            }
            _ => {}
        }
        Ok(None)
    }
}

/// Reads a `ListObjectsV2` answer (`<ListBucketResult>`), checking all of it: every
/// `<Contents>` has a `Key` and a `Size`.
///
/// # Errors
/// [`S3Error`]: [`NotUtf8`](S3Error::NotUtf8), malformed XML, `Missing` naming
/// `ListBucketResult` (another root), `IsTruncated`, `NextContinuationToken` (truncated without
/// one), `Key` or `Size`; `BadText` or `BadValue` naming the element.
pub fn parse_list_objects_v2(body: &[u8]) -> Result<ListPage<'_>, S3Error> {
    let xml = super::utf8(body).ok_or(S3Error::NotUtf8)?;
    let mut reader = Reader::new(xml);
    let mut contents = ContentsReader::default();
    let mut page = ListPage {
        xml,
        count: 0,
        is_truncated: false,
        next_continuation_token: None,
        key_count: None,
        prefix: None,
    };
    let (mut root, mut truncated) = (false, None);
    while let Some((path, content)) = reader.next_element()? {
        match path {
            [r] => root = local(r) == "ListBucketResult",
            [_, name] => match local(name) {
                "IsTruncated" => {
                    truncated = Some(match content.trim() {
                        "true" => true,
                        "false" => false,
                        _ => return Err(S3Error::BadValue("IsTruncated")),
                    })
                }
                "NextContinuationToken" => {
                    page.next_continuation_token =
                        Some(xml_value(content, "NextContinuationToken")?)
                }
                "KeyCount" => page.key_count = Some(xml_number(content, "KeyCount")?),
                "Prefix" => page.prefix = Some(xml_value(content, "Prefix")?),
                _ => {}
            },
            _ => {}
        }
        if contents.visit(path, content)?.is_some() {
            page.count = page.count.saturating_add(1);
        }
    }
    if !root {
        return Err(S3Error::Missing("ListBucketResult"));
    }
    page.is_truncated = truncated.ok_or(S3Error::Missing("IsTruncated"))?;
    let token = page.next_continuation_token.filter(|t| !t.is_empty());
    if page.is_truncated && token.is_none() {
        return Err(S3Error::Missing("NextContinuationToken"));
    }
    Ok(page)
}

/// The client's endpoint and the signing parameters of `credentials` at `time` for its signing
/// region and name (presigned for `expires_secs` when given).
fn signing_params<'c>(
    client: &'c Client<'_>,
    credentials: &'c Credentials,
    time: UnixTime,
    expires_secs: Option<u32>,
) -> Result<(&'c ResolvedEndpoint, SigningParams<'c>), S3Error> {
    let endpoint = client
        .endpoint()
        .map_err(|_| S3Error::Invalid("endpoint"))?;
    if !credentials.has_keys() {
        return Err(S3Error::Invalid("credentials"));
    }
    let service = match endpoint.signing_name() {
        "" => client.service(),
        name => name,
    };
    let settings = SigningSettings::for_service(service);
    let params = SigningParams {
        credentials: credentials.signing(),
        region: endpoint.signing_region(),
        service,
        time,
        settings: match expires_secs {
            Some(secs) => settings.presigned(secs),
            None => settings,
        },
    };
    Ok((endpoint, params))
}

/// Counts the bytes written (the length a presigned URL needs).
struct Counter(usize);

impl Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 = self.0.saturating_add(s.len());
        Ok(())
    }
}

/// A presigned URL of the object `bucket`/`key` for `method` (`GET` to download, `PUT` to
/// upload; any client may then use it, without credentials), signed with `credentials` at `time`
/// for `expires_secs` seconds, written into `out`. The payload is not signed
/// (`UNSIGNED-PAYLOAD`, as every SDK presigns S3), so a `PUT` through the URL may send any body.
///
/// `credentials` are the client's ([`Client::credentials`]; a session's cached ones with
/// `Session::shared_credentials`), `time` the clock's reading (with the session's clock-skew
/// offset, if any).
///
/// # Errors
/// As [`object_target`]; [`S3Error::Invalid`] naming `method` (not `GET`, `PUT`, `HEAD` or
/// `DELETE`), `expires_secs` (0 or over [`MAX_PRESIGN_EXPIRES_SECS`]), `endpoint` (the client has
/// none) or `credentials` (no keys); [`S3Error::Signing`]; [`S3Error::TooLong`] naming `url`
/// (its `len` the length needed) when `out` is too small.
#[allow(clippy::too_many_arguments)] // each is one part of the URL; a struct would only rename them
pub fn presign_object<'b>(
    client: &Client<'_>,
    credentials: &Credentials,
    method: Method,
    bucket: &str,
    key: &str,
    time: UnixTime,
    expires_secs: u32,
    out: &'b mut [u8],
) -> Result<&'b str, S3Error> {
    if !matches!(
        method,
        Method::Get | Method::Put | Method::Head | Method::Delete
    ) {
        return Err(S3Error::Invalid("method"));
    }
    if expires_secs == 0 || expires_secs > MAX_PRESIGN_EXPIRES_SECS {
        return Err(S3Error::Invalid("expires_secs"));
    }
    let (endpoint, params) = signing_params(client, credentials, time, Some(expires_secs))?;
    let target = object_target(endpoint.path(), bucket, key)?;
    let request = SignableRequest::new(method.as_str(), &target, "", &[], SignableBody::Unsigned)
        .with_host(endpoint.authority());
    let mut output = SigningOutput::new();
    let signed = Signer::<0>::new()
        .sign(&request, &params, &mut output)
        .map_err(S3Error::Signing)?;
    let scheme = endpoint.scheme().as_str();
    let authority = endpoint.authority();
    let write = |w: &mut dyn Write| -> fmt::Result {
        let mut base = Text::<{ MAX_REQUEST_TARGET_LEN + 300 }>::new();
        write!(base, "{scheme}://{authority}{target}")?;
        signed.write_url(w, &base)
    };
    let limit = out.len();
    let mut w = SliceWriter::new(&mut *out);
    if write(&mut w).is_err() {
        let mut needed = Counter(0);
        let _ = write(&mut needed);
        return Err(S3Error::TooLong {
            param: "url",
            limit,
            len: needed.0,
        });
    }
    let len = w.len();
    let out: &'b [u8] = out;
    core::str::from_utf8(out.get(..len).unwrap_or(&[])).map_err(|_| S3Error::NotUtf8)
}

/// The object a [`put_object_streaming`] uploads.
#[derive(Debug)]
pub struct StreamedObject<'p, R> {
    /// The bucket.
    pub bucket: &'p str,
    /// The key.
    pub key: &'p str,
    /// The payload, read once from the start.
    pub body: &'p mut R,
    /// The payload's length in bytes (`x-amz-decoded-content-length`): `body` must yield exactly
    /// this many.
    pub length: u64,
}

/// Uploads `object` with `PutObject` over `transport`, streamed as an aws-chunked body whose
/// every chunk is signed (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, chained from the seed signature
/// of the request head), in constant memory: one chunk of `chunk.len()` bytes (at least
/// [`MIN_AWS_CHUNK_LEN`]) at a time, whatever the object's size. The answer's head goes into
/// `response` (read it with [`parse_put_object`]; an error's body stays in the transport).
///
/// One exchange, outside the client's handler pipeline (no Build, Sign or Retry handlers run,
/// and nothing is retried: the reader cannot rewind); the request carries the client's endpoint
/// and is signed with `credentials` at `time` for the client's signing region and name, as
/// [`presign_object`] is. Returns the payload bytes sent. Each chunk is read into `chunk`;
/// [`put_object_streaming_buffered_async`] sends chunks straight from a buffered reader's
/// memory instead. The blocking forms are [`put_object_streaming`] and
/// [`put_object_streaming_buffered`].
///
/// # Errors
/// As [`object_target`]; [`S3Error::Invalid`] naming `chunk` (under [`MIN_AWS_CHUNK_LEN`]),
/// `endpoint`, `credentials`, or `length` (the body holds more than `length` bytes: refused
/// before the extra bytes are sent); [`S3Error::Signing`]; [`S3Error::Chunked`] (reading the
/// body failed); [`S3Error::Truncated`] when the body ends before `length` bytes (the server then
/// refuses the upload); [`S3Error::Transport`].
#[allow(clippy::too_many_arguments)] // the client's, the object's and the exchange's parts
pub async fn put_object_streaming_async<R: embedded_io_async::Read, T: AsyncTransport + ?Sized>(
    client: &Client<'_>,
    credentials: &Credentials,
    time: UnixTime,
    object: StreamedObject<'_, R>,
    chunk: &mut [u8],
    transport: &mut T,
    response: &mut ResponseHead,
) -> Result<u64, S3Error> {
    let upload = Upload::of(client, credentials, time, &object);
    upload
        .run(&mut Copied(object.body), chunk, transport, response)
        .await
}

/// [`put_object_streaming_async`] from a buffered reader: a chunk the reader's buffer holds
/// whole is hashed and sent from there, without the copy into `chunk` (which is used only for
/// chunks that straddle the reader's refills). For a payload in memory or memory-mapped flash
/// (`&[u8]` is a buffered reader) nothing is copied.
///
/// # Errors
/// As [`put_object_streaming_async`].
#[allow(clippy::too_many_arguments)] // the client's, the object's and the exchange's parts
pub async fn put_object_streaming_buffered_async<
    R: embedded_io_async::BufRead,
    T: AsyncTransport + ?Sized,
>(
    client: &Client<'_>,
    credentials: &Credentials,
    time: UnixTime,
    object: StreamedObject<'_, R>,
    chunk: &mut [u8],
    transport: &mut T,
    response: &mut ResponseHead,
) -> Result<u64, S3Error> {
    let upload = Upload::of(client, credentials, time, &object);
    let mut source = Buffered {
        reader: object.body,
        borrowed: 0,
    };
    upload.run(&mut source, chunk, transport, response).await
}

/// [`put_object_streaming_async`] over a blocking reader and transport.
///
/// # Errors
/// As [`put_object_streaming_async`].
#[allow(clippy::too_many_arguments)] // the client's, the object's and the exchange's parts
pub fn put_object_streaming<R: embedded_io::Read, T: Transport + ?Sized>(
    client: &Client<'_>,
    credentials: &Credentials,
    time: UnixTime,
    object: StreamedObject<'_, R>,
    chunk: &mut [u8],
    transport: &mut T,
    response: &mut ResponseHead,
) -> Result<u64, S3Error> {
    let upload = Upload::of(client, credentials, time, &object);
    let mut source = Copied(BlockingRead(object.body));
    let mut transport = BlockingTransport(transport);
    block_on(upload.run(&mut source, chunk, &mut transport, response))
}

/// [`put_object_streaming_buffered_async`] over a blocking buffered reader and transport.
///
/// # Errors
/// As [`put_object_streaming_async`].
#[allow(clippy::too_many_arguments)] // the client's, the object's and the exchange's parts
pub fn put_object_streaming_buffered<R: embedded_io::BufRead, T: Transport + ?Sized>(
    client: &Client<'_>,
    credentials: &Credentials,
    time: UnixTime,
    object: StreamedObject<'_, R>,
    chunk: &mut [u8],
    transport: &mut T,
    response: &mut ResponseHead,
) -> Result<u64, S3Error> {
    let upload = Upload::of(client, credentials, time, &object);
    let mut source = Buffered {
        reader: BlockingRead(object.body),
        borrowed: 0,
    };
    let mut transport = BlockingTransport(transport);
    block_on(upload.run(&mut source, chunk, &mut transport, response))
}

/// What a streamed upload signs and sends, but its body.
struct Upload<'u, 'c> {
    client: &'u Client<'c>,
    credentials: &'u Credentials,
    time: UnixTime,
    bucket: &'u str,
    key: &'u str,
    length: u64,
}

impl<'u, 'c> Upload<'u, 'c> {
    /// What `object` is uploaded as, by `client` with `credentials` at `time`.
    fn of<R>(
        client: &'u Client<'c>,
        credentials: &'u Credentials,
        time: UnixTime,
        object: &StreamedObject<'u, R>,
    ) -> Self {
        Upload {
            client,
            credentials,
            time,
            bucket: object.bucket,
            key: object.key,
            length: object.length,
        }
    }

    /// The exchange: the signed head, the chunks of `source`, the final chunk, the answer.
    async fn run<S: ChunkSource, T: AsyncTransport + ?Sized>(
        self,
        source: &mut S,
        chunk: &mut [u8],
        transport: &mut T,
        response: &mut ResponseHead,
    ) -> Result<u64, S3Error> {
        let Upload {
            client,
            credentials,
            time,
            bucket,
            key,
            length,
        } = self;
        if chunk.len() < MIN_AWS_CHUNK_LEN {
            return Err(S3Error::Invalid("chunk"));
        }
        let (endpoint, params) = signing_params(client, credentials, time, None)?;
        let mut r = object_request(client, "PutObject", Method::Put, bucket, key)?;
        let wire_len = encoded_len(ChunkedMode::Signed, length, chunk.len(), &[]);
        let (mut decoded, mut wire) = (Text::<20>::new(), Text::<20>::new());
        // A u64 has at most 20 digits.
        let _ = write!(decoded, "{}", length);
        let _ = write!(wire, "{wire_len}");
        let headers = [
            ("content-encoding", "aws-chunked"),
            ("content-length", wire.as_str()),
            ("x-amz-decoded-content-length", decoded.as_str()),
        ];
        for (name, value) in headers {
            r.http.headers_mut().insert(name, value)?;
        }
        let signable = SignableRequest::new(
            "PUT",
            r.http.path(),
            "",
            &headers,
            SignableBody::StreamingSigned,
        )
        .with_host(endpoint.authority());
        let mut signer: Signer<1> = Signer::new();
        let mut output = SigningOutput::new();
        let seed = signer
            .sign(&signable, &params, &mut output)
            .map_err(S3Error::Signing)?;
        for (name, value) in seed.headers() {
            r.http.headers_mut().insert(name, value)?;
        }
        let chunks = signer
            .chunk_signer(&params, &seed)
            .map_err(S3Error::Signing)?;
        let mut encoder = AwsChunkedEncoder::signed(chunks, false);
        let io = |e: T::Error| S3Error::Transport(e.kind());
        transport.begin(&r.http).await.map_err(io)?;
        let (chunk_len, mut sent) = (chunk.len(), 0u64);
        let mut header = [0u8; MAX_CHUNK_HEADER_LEN];
        loop {
            let data = source.next(chunk).await?;
            let filled = data.len();
            if sent.saturating_add(filled as u64) > length {
                return Err(S3Error::Invalid("length"));
            }
            let n = encoder
                .chunk_header(data, &mut header)
                .map_err(S3Error::Chunked)?;
            if n == 0 {
                break;
            }
            for part in [header.get(..n).unwrap_or(&[]), data, b"\r\n"] {
                transport.write_body(part).await.map_err(io)?;
            }
            source.sent(filled);
            sent += filled as u64;
            if filled < chunk_len {
                break;
            }
        }
        if sent != length {
            return Err(S3Error::Truncated {
                expected: length,
                got: sent,
            });
        }
        let mut tail = [0u8; MAX_SIGNED_FINISH_LEN];
        let left = {
            let mut w: &mut [u8] = &mut tail;
            encoder.finish(&mut w, &[]).map_err(S3Error::Chunked)?;
            w.len()
        };
        let tail = tail.get(..MAX_SIGNED_FINISH_LEN - left).unwrap_or(&[]);
        transport.write_body(tail).await.map_err(io)?;
        transport.finish(response).await.map_err(io)?;
        Ok(sent)
    }
}

/// Where the chunks of a streamed upload come from.
trait ChunkSource {
    /// The next chunk: `chunk.len()` bytes, fewer only when the body ended (none at its end).
    /// `chunk` is the caller's chunk buffer, used when the bytes are not in memory already.
    async fn next<'s>(&'s mut self, chunk: &'s mut [u8]) -> Result<&'s [u8], S3Error>;
    /// The chunk `next` gave (`n` bytes) was sent.
    fn sent(&mut self, n: usize);
}

/// A body read into the chunk buffer.
struct Copied<R>(R);

impl<R: embedded_io_async::Read> ChunkSource for Copied<R> {
    async fn next<'s>(&'s mut self, chunk: &'s mut [u8]) -> Result<&'s [u8], S3Error> {
        let mut filled = 0;
        while let Some(rest) = chunk.get_mut(filled..).filter(|rest| !rest.is_empty()) {
            match self.0.read(rest).await {
                Ok(0) => break,
                Ok(n) => filled += n.min(rest.len()),
                Err(e) => return Err(read_error(&e)),
            }
        }
        Ok(chunk.get(..filled).unwrap_or(&[]))
    }

    fn sent(&mut self, _: usize) {}
}

/// A body whose reader's buffer is borrowed for a chunk it holds whole, else copied.
struct Buffered<R> {
    reader: R,
    /// The length of the chunk lent from the reader's buffer (consumed once sent).
    borrowed: usize,
}

impl<R: embedded_io_async::BufRead> ChunkSource for Buffered<R> {
    async fn next<'s>(&'s mut self, chunk: &'s mut [u8]) -> Result<&'s [u8], S3Error> {
        let want = chunk.len();
        let held = self
            .reader
            .fill_buf()
            .await
            .map_err(|e| read_error(&e))?
            .len();
        if held >= want {
            // A second `fill_buf` hands back what is buffered without reading.
            self.borrowed = want;
            let held = self.reader.fill_buf().await.map_err(|e| read_error(&e))?;
            return Ok(held.get(..want).unwrap_or(held));
        }
        self.borrowed = 0;
        let mut filled = 0;
        while filled < want {
            let held = self.reader.fill_buf().await.map_err(|e| read_error(&e))?;
            let n = held.len().min(want - filled);
            if n == 0 {
                break;
            }
            if let (Some(to), Some(from)) = (chunk.get_mut(filled..filled + n), held.get(..n)) {
                to.copy_from_slice(from);
            }
            self.reader.consume(n);
            filled += n;
        }
        Ok(chunk.get(..filled).unwrap_or(&[]))
    }

    fn sent(&mut self, _: usize) {
        if self.borrowed > 0 {
            self.reader.consume(self.borrowed);
            self.borrowed = 0;
        }
    }
}

/// A failed read of the body.
fn read_error<E: embedded_io::Error>(e: &E) -> S3Error {
    S3Error::Chunked(ChunkedError::Read(e.kind()))
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

    /// Shaped like the `ListObjectsV2` example of the S3 API reference.
    const LISTED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name>
  <Prefix/>
  <KeyCount>2</KeyCount>
  <MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>ExampleObject &amp; co.txt</Key>
    <LastModified>2017-11-03T23:33:45.000Z</LastModified>
    <ETag>&quot;599bab3ed2c697f1d26842727561fd94&quot;</ETag>
    <Size>434234</Size>
    <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>happyfacex.jpg</Key>
    <Size>0</Size>
  </Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>"#;

    #[inline(never)]
    fn requests_of(s: &Session) {
        let c = s.client(SERVICE).unwrap();
        // One request per frame: a request is several KiB and the device has 64 KiB of RAM.
        head_request(&c);
        get_request(&c);
        put_and_delete_requests(&c);
    }

    #[inline(never)]
    fn head_request(c: &Client<'_>) {
        let r = head_object(c, "bkt", "dir/a b+c.txt").unwrap();
        assert_eq!(
            (r.http.method(), r.http.target()),
            (Method::Head, "/base/bkt/dir/a%20b%2Bc.txt")
        );
        assert_eq!(r.operation(), "HeadObject");
    }

    #[inline(never)]
    fn get_request(c: &Client<'_>) {
        let r = get_object(
            c,
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
        drop(r);
        let reversed = Some(ByteRange {
            first: 5,
            last: Some(4),
        });
        assert!(matches!(
            get_object(c, "bkt", "k", reversed),
            Err(S3Error::Invalid("range"))
        ));
    }

    #[inline(never)]
    fn put_and_delete_requests(c: &Client<'_>) {
        put_request(c);
        let r = delete_object(c, "bkt", "k").unwrap();
        assert_eq!(r.http.method(), Method::Delete);
    }

    #[inline(never)]
    fn put_request(c: &Client<'_>) {
        let r = put_object(c, "bkt", "k", b"data").unwrap();
        assert_eq!(
            (r.http.method(), r.http.body().bytes()),
            (Method::Put, Some(&b"data"[..]))
        );
    }

    /// The example keys, and the time of the botocore URLs below.
    fn keys() -> (Credentials, UnixTime) {
        let creds = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
        );
        (
            creds.unwrap(),
            UnixTime::parse_amz("20261207T153414Z").unwrap(),
        )
    }

    #[inline(never)]
    fn presigned_of(s: &Session) {
        let c = s.client(SERVICE).unwrap();
        let (creds, t) = keys();
        let mut out = [0u8; 400];
        // The URLs botocore's S3SigV4QueryAuth writes for the same request and time.
        let base = "http://127.0.0.1:9000/base/bkt/dir/a%20b.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261207%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261207T153414Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=";
        for (method, signature) in [
            (
                Method::Get,
                "039423a1c14430da94bed5d9b4bb10e8c640cd6d127d161ba55d960eabb08626",
            ),
            (
                Method::Put,
                "fb43ef73d9118223900289052cd22f707b83652532e00b5c1a1589031c5eca35",
            ),
        ] {
            let url =
                presign_object(&c, &creds, method, "bkt", "dir/a b.txt", t, 300, &mut out).unwrap();
            assert_eq!(url.strip_prefix(base), Some(signature), "{url}");
        }
        let mut small = [0u8; 100];
        assert_eq!(
            presign_object(
                &c,
                &creds,
                Method::Get,
                "bkt",
                "dir/a b.txt",
                t,
                300,
                &mut small
            ),
            Err(S3Error::TooLong {
                param: "url",
                limit: 100,
                len: base.len() + 64
            })
        );
        let none = Credentials::EMPTY;
        let refused = [
            (&creds, Method::Get, "k", 0, "expires_secs"),
            (
                &creds,
                Method::Get,
                "k",
                MAX_PRESIGN_EXPIRES_SECS + 1,
                "expires_secs",
            ),
            (&creds, Method::Post, "k", 60, "method"),
            (&none, Method::Get, "k", 60, "credentials"),
            (&creds, Method::Get, "", 60, "key"),
        ];
        for (creds, method, key, expires, name) in refused {
            let got = presign_object(&c, creds, method, "bkt", key, t, expires, &mut out);
            assert_eq!(got, Err(S3Error::Invalid(name)));
        }
    }

    /// `n` bytes of `a`, without holding them (the self-tests run in a device's 64 KiB of RAM).
    struct Repeat(usize);

    impl embedded_io::ErrorType for Repeat {
        type Error = core::convert::Infallible;
    }

    impl embedded_io::Read for Repeat {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
            let n = buf.len().min(self.0);
            buf[..n].fill(b'a');
            self.0 -= n;
            Ok(n)
        }
    }

    #[inline(never)]
    fn streamed_put_of(s: &Session) {
        use crate::test_util::{FakeTransport, Reply};
        let c = s.client(SERVICE).unwrap();
        let (creds, t) = keys();
        let mut chunk = [0u8; MIN_AWS_CHUNK_LEN];
        let script = [Reply::with_headers(200, &[("ETag", "\"e\"")], b"")];
        let mut t_ok = FakeTransport::new(&script);
        let mut head = ResponseHead::new();
        let object = StreamedObject {
            bucket: "bkt",
            key: "big.bin",
            body: &mut Repeat(8_200),
            length: 8_200,
        };
        let sent =
            put_object_streaming(&c, &creds, t, object, &mut chunk, &mut t_ok, &mut head).unwrap();
        assert_eq!(sent, 8_200);
        let wire = encoded_len(ChunkedMode::Signed, 8_200, MIN_AWS_CHUNK_LEN, &[]);
        assert_eq!(t_ok.body_bytes_last() as u64, wire);
        assert!(t_ok.last_had_content_length());
        assert_eq!(parse_put_object(&head), Ok("\"e\""));
        // A body shorter than announced, a small chunk, no keys.
        let mut t2 = FakeTransport::new(&script);
        let short = StreamedObject {
            bucket: "bkt",
            key: "k",
            body: &mut Repeat(100),
            length: 8_200,
        };
        assert_eq!(
            put_object_streaming(&c, &creds, t, short, &mut chunk, &mut t2, &mut head),
            Err(S3Error::Truncated {
                expected: 8_200,
                got: 100
            })
        );
        // A body longer than announced: refused before the extra bytes go out.
        let long = StreamedObject {
            bucket: "bkt",
            key: "k",
            body: &mut Repeat(9_000),
            length: 8_200,
        };
        let mut t3 = FakeTransport::new(&script);
        assert_eq!(
            put_object_streaming(&c, &creds, t, long, &mut chunk, &mut t3, &mut head),
            Err(S3Error::Invalid("length"))
        );
        let mut small = [0u8; 100];
        let none = Credentials::EMPTY;
        for (creds, chunk, name) in [
            (&creds, &mut small[..], "chunk"),
            (&none, &mut chunk[..], "credentials"),
        ] {
            let object = StreamedObject {
                bucket: "bkt",
                key: "k",
                body: &mut Repeat(8_200),
                length: 8_200,
            };
            let got = put_object_streaming(&c, creds, t, object, chunk, &mut t2, &mut head);
            assert_eq!(got, Err(S3Error::Invalid(name)));
        }
    }

    selftests! {
        fn streamed_puts_send_the_encoded_length() {
            let mut s = Session::unconfigured();
            session(&mut s);
            streamed_put_of(&s);
        }

        fn presigned_urls_match_botocore() {
            let mut s = Session::unconfigured();
            session(&mut s);
            presigned_of(&s);
        }

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
            // At the key's limit the target (bucket and slashes added) is over its own limit;
            // 1000 bytes fit.
            assert_eq!(object_target("", "b", &long), Err(S3Error::TooLong { param: "key", limit: MAX_REQUEST_TARGET_LEN, len: MAX_S3_KEY_LEN }));
            assert_eq!(object_target("", "b", &long[..1000]).unwrap().len(), 1003);
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

        fn list_targets() {
            let all = ListObjectsV2::default();
            assert_eq!(list_objects_v2_target("", "b", &all).unwrap().as_str(), "/b?list-type=2");
            let page = ListObjectsV2 { prefix: Some("dir/a b"), continuation_token: Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="), max_keys: Some(1) };
            assert_eq!(list_objects_v2_target("/p", "b", &page).unwrap().as_str(), "/p/b?continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D&list-type=2&max-keys=1&prefix=dir%2Fa%20b");
            for (bad, name) in [
                (ListObjectsV2 { max_keys: Some(0), ..all }, "max_keys"),
                (ListObjectsV2 { max_keys: Some(1001), ..all }, "max_keys"),
                (ListObjectsV2 { prefix: Some(""), ..all }, "prefix"),
                (ListObjectsV2 { continuation_token: Some(""), ..all }, "continuation_token"),
            ] {
                assert_eq!(list_objects_v2_target("", "b", &bad), Err(S3Error::Invalid(name)));
            }
            assert_eq!(list_objects_v2_target("", "", &all), Err(S3Error::Invalid("bucket")));
            let mut long = Text::<1100>::new();
            for _ in 0..400 { long.push('/').unwrap(); }
            assert!(matches!(list_objects_v2_target("", "b", &ListObjectsV2 { prefix: Some(&long), ..all }), Err(S3Error::TooLong { param: "query", .. })));
        }

        fn list_pages_parse_incrementally() {
            let page = parse_list_objects_v2(LISTED.as_bytes()).unwrap();
            assert_eq!((page.len(), page.is_truncated, page.key_count), (2, true, Some(2)));
            assert!(page.next_continuation_token.unwrap().eq_str("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="));
            let mut objects = page.objects();
            assert_eq!(objects.size_hint(), (2, Some(2)));
            let first = objects.next().unwrap();
            assert!(first.key.eq_str("ExampleObject & co.txt"));
            assert_eq!(first.size, 434_234);
            assert!(first.etag.unwrap().eq_str("\"599bab3ed2c697f1d26842727561fd94\""));
            assert_eq!(first.last_modified, Some(UnixTime::parse_rfc3339("2017-11-03T23:33:45Z").unwrap()));
            assert!(first.storage_class.unwrap().eq_str("STANDARD"));
            let second = objects.next().unwrap();
            assert!(second.key.eq_str("happyfacex.jpg") && second.size == 0 && second.etag.is_none());
            assert_eq!(objects.next(), None);
            assert_eq!(objects.next(), None);
            let empty = "<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>";
            let page = parse_list_objects_v2(empty.as_bytes()).unwrap();
            assert!(page.is_empty() && !page.is_truncated && page.objects().next().is_none());
        }

        fn list_pages_refuse_bad_answers() {
            use crate::ops::selftests::replaced;
            let cases: [(&str, &str, S3Error); 8] = [
                ("<Key>happyfacex.jpg</Key>", "", S3Error::Missing("Key")),
                ("<Size>434234</Size>", "<Size>big</Size>", S3Error::BadValue("Size")),
                ("<IsTruncated>true</IsTruncated>", "", S3Error::Missing("IsTruncated")),
                ("<IsTruncated>true</IsTruncated>", "<IsTruncated>yes</IsTruncated>", S3Error::BadValue("IsTruncated")),
                ("<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>", "", S3Error::Missing("NextContinuationToken")),
                ("&amp; co", "&zz; co", S3Error::BadText("Key")),
                ("2017-11-03T23:33:45.000Z", "yesterday", S3Error::BadValue("LastModified")),
                ("</Contents>\n  <Contents>", "</Contents>\n  <Contents><Bad>", S3Error::Malformed),
            ];
            for (from, to, want) in cases {
                let bad = replaced(LISTED, from, to);
                assert_eq!(parse_list_objects_v2(bad.as_bytes()), Err(want), "{from} -> {to}");
            }
            assert_eq!(parse_list_objects_v2(b"<Error><Code>NoSuchBucket</Code></Error>"), Err(S3Error::Missing("ListBucketResult")));
            assert_eq!(parse_list_objects_v2(b"\xff"), Err(S3Error::NotUtf8));
            assert_eq!(parse_list_objects_v2(b"<!DOCTYPE x><ListBucketResult/>"), Err(S3Error::Declaration));
            assert_eq!(parse_list_objects_v2(&LISTED.as_bytes()[..200]), Err(S3Error::Malformed));
        }

        fn list_pages_never_panic_and_count_what_they_yield() {
            // Every cut of the answer, and every byte replaced by markup: a typed error, or a
            // page whose iterator yields exactly `len()` objects.
            let check = |body: &[u8]| {
                if let Ok(page) = parse_list_objects_v2(body) {
                    assert_eq!(page.objects().count(), page.len());
                }
            };
            for cut in 0..LISTED.len() {
                assert!(parse_list_objects_v2(&LISTED.as_bytes()[..cut]).is_err());
            }
            let mut bytes = [0u8; 1024];
            let len = LISTED.len();
            for at in 0..len {
                for b in [b'<', b'>', b'/', b'&', b' '] {
                    bytes[..len].copy_from_slice(LISTED.as_bytes());
                    bytes[at] = b;
                    check(&bytes[..len]);
                }
            }
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

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::session::{Options, Session};
    use crate::test_util::{MemEnv, MemFiles};
    use std::vec::Vec;

    /// Keeps the request body; answers `200` with an `ETag`.
    #[derive(Default)]
    struct Recorder {
        body: Vec<u8>,
    }

    impl Transport for Recorder {
        type Error = ErrorKind;
        fn begin(&mut self, _: &crate::http::HttpRequest<'_>) -> Result<(), ErrorKind> {
            Ok(())
        }
        fn write_body(&mut self, bytes: &[u8]) -> Result<(), ErrorKind> {
            self.body.extend_from_slice(bytes);
            Ok(())
        }
        fn finish(&mut self, response: &mut ResponseHead) -> Result<(), ErrorKind> {
            response.set_status(200);
            response
                .push_header("ETag", "\"e\"")
                .map_err(|_| ErrorKind::Other)
        }
        fn read_body(&mut self, _: &mut [u8]) -> Result<usize, ErrorKind> {
            Ok(0)
        }
    }

    /// A buffered reader whose buffer holds `refill` bytes at a time.
    struct SmallBuffer<'a> {
        data: &'a [u8],
        refill: usize,
        held: usize,
    }

    impl embedded_io::ErrorType for SmallBuffer<'_> {
        type Error = core::convert::Infallible;
    }

    impl embedded_io::Read for SmallBuffer<'_> {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
            let n = embedded_io::BufRead::fill_buf(self)?.len().min(buf.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            embedded_io::BufRead::consume(self, n);
            Ok(n)
        }
    }

    impl embedded_io::BufRead for SmallBuffer<'_> {
        fn fill_buf(&mut self) -> Result<&[u8], Self::Error> {
            if self.held == 0 {
                self.held = self.refill.min(self.data.len());
            }
            Ok(&self.data[..self.held])
        }
        fn consume(&mut self, amt: usize) {
            self.data = &self.data[amt..];
            self.held -= amt;
        }
    }

    /// Every way of reading the body puts the same bytes on the wire: a reader copied into the
    /// chunk buffer, a buffered reader lending whole chunks, and one whose buffer is smaller
    /// than a chunk (copied across refills).
    #[test]
    fn buffered_and_copied_bodies_send_the_same_bytes() {
        let mut s = Session::unconfigured();
        let env = MemEnv::new(&[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/"),
        ]);
        s.rebuild(&Options::default(), &env, &MemFiles::new(&[]))
            .unwrap();
        let c = s.client(SERVICE).unwrap();
        let creds = Credentials::new("AKIDEXAMPLE", "secret", None).unwrap();
        let t = UnixTime::parse_amz("20261207T153414Z").unwrap();
        let data: Vec<u8> = (0..40_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut wires = Vec::new();
        for way in 0..3 {
            let (mut chunk, mut head, mut out) = (
                std::vec![0u8; MIN_AWS_CHUNK_LEN],
                ResponseHead::new(),
                Recorder::default(),
            );
            fn object<R>(body: &mut R, length: usize) -> StreamedObject<'_, R> {
                StreamedObject {
                    bucket: "b",
                    key: "k",
                    body,
                    length: length as u64,
                }
            }
            let len = data.len();
            let sent = match way {
                0 => put_object_streaming(
                    &c,
                    &creds,
                    t,
                    object(&mut &data[..], len),
                    &mut chunk,
                    &mut out,
                    &mut head,
                ),
                1 => put_object_streaming_buffered(
                    &c,
                    &creds,
                    t,
                    object(&mut &data[..], len),
                    &mut chunk,
                    &mut out,
                    &mut head,
                ),
                _ => {
                    let mut small = SmallBuffer {
                        data: &data,
                        refill: 3_000,
                        held: 0,
                    };
                    put_object_streaming_buffered(
                        &c,
                        &creds,
                        t,
                        object(&mut small, len),
                        &mut chunk,
                        &mut out,
                        &mut head,
                    )
                }
            };
            assert_eq!(sent, Ok(data.len() as u64), "way {way}");
            wires.push(out.body);
        }
        let wire_len = encoded_len(
            ChunkedMode::Signed,
            data.len() as u64,
            MIN_AWS_CHUNK_LEN,
            &[],
        );
        assert_eq!(wires[0].len() as u64, wire_len);
        assert_eq!(wires[0], wires[1]);
        assert_eq!(wires[0], wires[2]);
    }
}
