//! Neutral HTTP views shared by the signer, the request pipeline and transports.
//!
//! Nothing here performs I/O or depends on an HTTP library. [`HttpRequest`] is the request under
//! construction that handlers fill in (method, scheme, host, target, [`Headers`], [`Body`]);
//! [`ResponseHead`] is what a transport reports back (status and the headers worth keeping).
//!
//! All storage is fixed: header names and values live packed in one byte array per header set, with
//! capacities from [`crate::limits`]. Every mutation checks its input first and either succeeds
//! whole or returns an [`HttpError`] that names the part and the limit, leaving the value unchanged.
//! Header names must be RFC 9110 tokens and values must not contain control characters (so CR/LF
//! header injection is impossible by construction).
//!
//! Secrets pass through here (`Authorization`, `X-Amz-Security-Token`, presigned query strings):
//! `Debug` output redacts those values, and header storage is wiped when values are removed and
//! when the set is dropped.

use core::fmt;

use zeroize::Zeroize;

use crate::error_kind::ErrorKind;
use crate::limits::{
    MAX_HOST_LEN, MAX_REQUEST_HEADERS, MAX_REQUEST_HEADER_BYTES, MAX_REQUEST_TARGET_LEN,
    MAX_RESPONSE_HEADERS, MAX_RESPONSE_HEADER_BYTES,
};
use crate::text::Text;

// ---- errors ---------------------------------------------------------------------------------------

/// Which part of an HTTP view an [`HttpError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HttpPart {
    /// The host (`host[:port]`).
    Host,
    /// The request target (path and query).
    Target,
    /// An endpoint URL given to [`HttpRequest::set_endpoint`].
    Endpoint,
    /// A header name.
    HeaderName,
    /// A header value.
    HeaderValue,
    /// The number of headers.
    HeaderCount,
    /// The bytes of all header names and values together.
    HeaderBytes,
}

impl HttpPart {
    /// A short name for messages.
    pub const fn name(self) -> &'static str {
        match self {
            HttpPart::Host => "host",
            HttpPart::Target => "request target",
            HttpPart::Endpoint => "endpoint",
            HttpPart::HeaderName => "header name",
            HttpPart::HeaderValue => "header value",
            HttpPart::HeaderCount => "header count",
            HttpPart::HeaderBytes => "header bytes",
        }
    }
}

/// A change to an HTTP view was refused. The view is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HttpError {
    /// The part would grow past its fixed capacity.
    Capacity {
        /// What overflowed.
        part: HttpPart,
        /// The capacity (a constant from [`crate::limits`] or the const generic in use).
        limit: usize,
        /// The size that was needed.
        needed: usize,
    },
    /// The text is not allowed there (a header name that is not a token, a control character in a
    /// value, a target without a leading `/`, a host with a space or slash).
    Invalid {
        /// What was malformed.
        part: HttpPart,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Capacity {
                part,
                limit,
                needed,
            } => {
                write!(
                    f,
                    "{} needs {} but the limit is {}",
                    part.name(),
                    needed,
                    limit
                )
            }
            HttpError::Invalid { part } => write!(f, "invalid {}", part.name()),
        }
    }
}

impl core::error::Error for HttpError {}

// ---- method and scheme -------------------------------------------------------------------------

/// An HTTP request method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    #[default]
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `PATCH`
    Patch,
    /// `OPTIONS`
    Options,
}

impl Method {
    /// The method as it appears on the request line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Options => "OPTIONS",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Scheme {
    /// Plain HTTP (Go v1 `DisableSSL`).
    Http,
    /// HTTP over TLS, the default.
    #[default]
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// The port used when the host names none (80 or 443).
    pub const fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

// ---- headers -------------------------------------------------------------------------------------

/// Where one header lives in the packed byte store: `name` then `value`, back to back.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    name_len: usize,
    value_len: usize,
}

impl Span {
    fn len(&self) -> usize {
        self.name_len.saturating_add(self.value_len)
    }
}

/// True for an RFC 9110 token character (what header names are made of).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn check_name(name: &str) -> Result<(), HttpError> {
    if name.is_empty() || !name.bytes().all(is_tchar) {
        return Err(HttpError::Invalid {
            part: HttpPart::HeaderName,
        });
    }
    Ok(())
}

/// Values may hold any visible character, spaces and tabs, but no other control character.
fn check_value(value: &str) -> Result<(), HttpError> {
    if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(HttpError::Invalid {
            part: HttpPart::HeaderValue,
        });
    }
    Ok(())
}

/// Headers whose values are secret or signing material; `Debug` never prints them.
fn is_sensitive(name: &str) -> bool {
    [
        "authorization",
        "x-amz-security-token",
        "proxy-authorization",
        "cookie",
        "set-cookie",
    ]
    .iter()
    .any(|s| s.eq_ignore_ascii_case(name))
}

/// A fixed-capacity, ordered set of HTTP headers: at most `N` headers whose names and values
/// together take at most `B` bytes.
///
/// Names keep the case they were given and compare case-insensitively. Several headers may share a
/// name ([`Headers::append`]); [`Headers::insert`] replaces them all. Removed bytes and the whole
/// store on drop are overwritten with zeros, since values may be secret.
pub struct Headers<const N: usize, const B: usize> {
    bytes: heapless::Vec<u8, B>,
    spans: heapless::Vec<Span, N>,
}

/// The header set of an [`HttpRequest`].
pub type RequestHeaders = Headers<MAX_REQUEST_HEADERS, MAX_REQUEST_HEADER_BYTES>;
/// The header set of a [`ResponseHead`].
pub type ResponseHeaders = Headers<MAX_RESPONSE_HEADERS, MAX_RESPONSE_HEADER_BYTES>;

impl<const N: usize, const B: usize> Default for Headers<N, B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const B: usize> Clone for Headers<N, B> {
    fn clone(&self) -> Self {
        Headers {
            bytes: self.bytes.clone(),
            spans: self.spans.clone(),
        }
    }
}

impl<const N: usize, const B: usize> Drop for Headers<N, B> {
    fn drop(&mut self) {
        self.bytes.as_mut_slice().zeroize();
    }
}

impl<const N: usize, const B: usize> Headers<N, B> {
    /// An empty set.
    pub const fn new() -> Self {
        Headers {
            bytes: heapless::Vec::new(),
            spans: heapless::Vec::new(),
        }
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when there are no headers.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Bytes used by names and values.
    pub fn bytes_used(&self) -> usize {
        self.bytes.len()
    }

    fn text(&self, start: usize, len: usize) -> &str {
        let slice = start
            .checked_add(len)
            .and_then(|end| self.bytes.get(start..end));
        // Only `&str` input is ever stored, and spans never split it, so this is always valid.
        slice
            .and_then(|s| core::str::from_utf8(s).ok())
            .unwrap_or("")
    }

    fn name_of(&self, span: &Span) -> &str {
        self.text(span.start, span.name_len)
    }

    fn value_of(&self, span: &Span) -> &str {
        self.text(span.start.saturating_add(span.name_len), span.value_len)
    }

    /// Every header in insertion order, as `(name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.spans
            .iter()
            .map(move |s| (self.name_of(s), self.value_of(s)))
    }

    /// The value of the first header called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        let span = self
            .spans
            .iter()
            .find(|s| self.name_of(s).eq_ignore_ascii_case(name))?;
        Some(self.value_of(span))
    }

    /// The values of every header called `name` (case-insensitive), in order.
    pub fn get_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// True when a header called `name` exists.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    fn check_room(
        &self,
        removed_count: usize,
        removed_bytes: usize,
        add: usize,
    ) -> Result<(), HttpError> {
        let count = self
            .spans
            .len()
            .saturating_sub(removed_count)
            .saturating_add(1);
        if count > N {
            return Err(HttpError::Capacity {
                part: HttpPart::HeaderCount,
                limit: N,
                needed: count,
            });
        }
        let bytes = self
            .bytes
            .len()
            .saturating_sub(removed_bytes)
            .saturating_add(add);
        if bytes > B {
            return Err(HttpError::Capacity {
                part: HttpPart::HeaderBytes,
                limit: B,
                needed: bytes,
            });
        }
        Ok(())
    }

    /// Adds a header after the others, keeping any with the same name.
    ///
    /// # Errors
    /// [`HttpError::Invalid`] for a name that is not a token or a value with control characters;
    /// [`HttpError::Capacity`] when the count or the bytes would pass `N` or `B`. Nothing changes.
    pub fn append(&mut self, name: &str, value: &str) -> Result<(), HttpError> {
        check_name(name)?;
        check_value(value)?;
        self.check_room(0, 0, name.len().saturating_add(value.len()))?;
        self.push_unchecked(name, value)
    }

    /// Stores a header whose room was checked. Still returns errors instead of panicking.
    fn push_unchecked(&mut self, name: &str, value: &str) -> Result<(), HttpError> {
        let full = HttpError::Capacity {
            part: HttpPart::HeaderBytes,
            limit: B,
            needed: B,
        };
        let span = Span {
            start: self.bytes.len(),
            name_len: name.len(),
            value_len: value.len(),
        };
        self.spans.push(span).map_err(|_| full)?;
        if self.bytes.extend_from_slice(name.as_bytes()).is_err()
            || self.bytes.extend_from_slice(value.as_bytes()).is_err()
        {
            // Unreachable after `check_room`; undo so the set stays consistent.
            self.spans.pop();
            self.bytes.truncate(span.start);
            return Err(full);
        }
        Ok(())
    }

    /// Sets `name` to `value`: removes every header with that name, then appends this one.
    ///
    /// # Errors
    /// As [`Headers::append`], counting the room the removed headers free. Nothing changes.
    pub fn insert(&mut self, name: &str, value: &str) -> Result<(), HttpError> {
        check_name(name)?;
        check_value(value)?;
        let (count, bytes) = self
            .spans
            .iter()
            .filter(|s| self.name_of(s).eq_ignore_ascii_case(name))
            .fold((0usize, 0usize), |(c, b), s| {
                (c.saturating_add(1), b.saturating_add(s.len()))
            });
        self.check_room(count, bytes, name.len().saturating_add(value.len()))?;
        self.remove(name);
        self.push_unchecked(name, value)
    }

    /// Removes every header called `name` (case-insensitive); returns how many there were. The
    /// freed bytes are wiped.
    pub fn remove(&mut self, name: &str) -> usize {
        let mut removed = 0usize;
        let mut i = 0usize;
        while let Some(span) = self.spans.get(i).copied() {
            if self.name_of(&span).eq_ignore_ascii_case(name) {
                self.remove_at(i, span);
                removed = removed.saturating_add(1);
            } else {
                i = i.saturating_add(1);
            }
        }
        removed
    }

    fn remove_at(&mut self, index: usize, span: Span) {
        let used = self.bytes.len();
        let gap = span.len();
        if let Some(tail) = self.bytes.get_mut(span.start..used) {
            if gap <= tail.len() {
                tail.rotate_left(gap);
                let keep = tail.len().saturating_sub(gap);
                if let Some(freed) = tail.get_mut(keep..) {
                    freed.zeroize();
                }
            }
        }
        self.bytes.truncate(used.saturating_sub(gap));
        if index < self.spans.len() {
            self.spans.remove(index);
        }
        for s in self.spans.iter_mut().filter(|s| s.start > span.start) {
            s.start = s.start.saturating_sub(gap);
        }
    }

    /// Removes every header and wipes the bytes.
    pub fn clear(&mut self) {
        self.bytes.as_mut_slice().zeroize();
        self.bytes.clear();
        self.spans.clear();
    }
}

impl<const N: usize, const B: usize> fmt::Debug for Headers<N, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.iter() {
            if is_sensitive(name) {
                map.entry(&name, &"<redacted>");
            } else {
                map.entry(&name, &value);
            }
        }
        map.finish()
    }
}

// ---- request body --------------------------------------------------------------------------------

/// A request body that is read in pieces and can start over (for retries).
///
/// Implement it for flash regions, files or generators, or wrap any `embedded-io` reader that can
/// seek in [`SeekableBody`]. Errors are reported as a platform [`ErrorKind`].
pub trait BodySource {
    /// Total length in bytes (sent as `Content-Length`).
    fn length(&self) -> u64;
    /// Goes back to the first byte. Called before every attempt.
    ///
    /// # Errors
    /// When the source cannot restart.
    fn rewind(&mut self) -> Result<(), ErrorKind>;
    /// Reads the next bytes into `buf`; `Ok(0)` is the end.
    ///
    /// # Errors
    /// When the source fails.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind>;
}

/// Maps an `embedded-io` error kind onto the crate's [`ErrorKind`]. The only place this conversion
/// lives.
pub fn io_kind(kind: embedded_io::ErrorKind) -> ErrorKind {
    use embedded_io::ErrorKind as Io;
    match kind {
        Io::NotFound => ErrorKind::NotFound,
        Io::PermissionDenied => ErrorKind::PermissionDenied,
        Io::ConnectionRefused => ErrorKind::ConnectionRefused,
        Io::ConnectionReset | Io::ConnectionAborted | Io::NotConnected | Io::BrokenPipe => {
            ErrorKind::ConnectionReset
        }
        Io::TimedOut => ErrorKind::TimedOut,
        Io::InvalidData => ErrorKind::InvalidData,
        Io::OutOfMemory | Io::WriteZero => ErrorKind::Capacity,
        Io::Unsupported => ErrorKind::Unsupported,
        _ => ErrorKind::Other,
    }
}

/// Maps the crate's [`ErrorKind`] onto an `embedded-io` error kind (for readers handed to callers).
pub fn to_io_kind(kind: ErrorKind) -> embedded_io::ErrorKind {
    use embedded_io::ErrorKind as Io;
    match kind {
        ErrorKind::NotFound => Io::NotFound,
        ErrorKind::PermissionDenied => Io::PermissionDenied,
        ErrorKind::TimedOut => Io::TimedOut,
        ErrorKind::ConnectionReset => Io::ConnectionReset,
        ErrorKind::ConnectionRefused => Io::ConnectionRefused,
        ErrorKind::InvalidData | ErrorKind::Protocol => Io::InvalidData,
        ErrorKind::Capacity => Io::OutOfMemory,
        ErrorKind::Unsupported => Io::Unsupported,
        _ => Io::Other,
    }
}

/// Any `embedded-io` reader that can seek, with its length, as a [`BodySource`].
#[derive(Debug)]
pub struct SeekableBody<R> {
    reader: R,
    length: u64,
}

impl<R: embedded_io::Read + embedded_io::Seek> SeekableBody<R> {
    /// Wraps `reader`, which yields exactly `length` bytes from its start.
    pub fn new(reader: R, length: u64) -> Self {
        SeekableBody { reader, length }
    }

    /// The wrapped reader.
    pub fn into_inner(self) -> R {
        self.reader
    }
}

impl<R: embedded_io::Read + embedded_io::Seek> BodySource for SeekableBody<R> {
    fn length(&self) -> u64 {
        self.length
    }
    fn rewind(&mut self) -> Result<(), ErrorKind> {
        use embedded_io::Error as _;
        self.reader.rewind().map_err(|e| io_kind(e.kind()))
    }
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        use embedded_io::Error as _;
        self.reader.read(buf).map_err(|e| io_kind(e.kind()))
    }
}

/// The body of a request: nothing, borrowed bytes, or a source streamed in pieces.
#[derive(Default)]
pub enum Body<'a> {
    /// No body.
    #[default]
    Empty,
    /// A body held in memory by the caller.
    Bytes(&'a [u8]),
    /// A body read in pieces by the driver, rewound before every attempt.
    Stream(&'a mut dyn BodySource),
}

impl Body<'_> {
    /// The body's length in bytes.
    pub fn length(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => u64::try_from(b.len()).unwrap_or(u64::MAX),
            Body::Stream(s) => s.length(),
        }
    }

    /// The bytes, when the body is held in memory (the signer hashes them).
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Body::Empty => Some(&[]),
            Body::Bytes(b) => Some(b),
            Body::Stream(_) => None,
        }
    }
}

impl fmt::Debug for Body<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::Stream(s) => write!(f, "Stream({} bytes)", s.length()),
        }
    }
}

// ---- request -------------------------------------------------------------------------------------

fn check_host(host: &str) -> Result<(), HttpError> {
    let bad = |b: u8| b <= b' ' || b == 0x7f || b"/?#@\\".contains(&b);
    if host.is_empty() || host.bytes().any(bad) {
        return Err(HttpError::Invalid {
            part: HttpPart::Host,
        });
    }
    Ok(())
}

fn check_target(target: &str) -> Result<(), HttpError> {
    let bad = |b: u8| b <= b' ' || b == 0x7f || b == b'#';
    if !target.starts_with('/') || target.bytes().any(bad) {
        return Err(HttpError::Invalid {
            part: HttpPart::Target,
        });
    }
    Ok(())
}

fn copy_into<const N: usize>(dst: &mut Text<N>, s: &str, part: HttpPart) -> Result<(), HttpError> {
    if s.len() > N {
        return Err(HttpError::Capacity {
            part,
            limit: N,
            needed: s.len(),
        });
    }
    dst.clear();
    dst.push_str(s).map_err(|_| HttpError::Capacity {
        part,
        limit: N,
        needed: s.len(),
    })
}

/// An HTTP request under construction: what Build handlers fill in, Sign handlers sign and the
/// transport sends.
///
/// The host is kept apart from the headers: transports write the `Host` header from
/// [`HttpRequest::host`], and signers read it from there. The target is the percent-encoded path
/// followed by an optional `?query`; this type does not encode, it only refuses control characters,
/// spaces and `#`.
pub struct HttpRequest<'a> {
    method: Method,
    scheme: Scheme,
    host: Text<MAX_HOST_LEN>,
    target: Text<MAX_REQUEST_TARGET_LEN>,
    headers: RequestHeaders,
    body: Body<'a>,
}

impl Default for HttpRequest<'_> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<'a> HttpRequest<'a> {
    /// `GET https://` with no host, target `/`, no headers and no body. Build handlers fill it in.
    ///
    /// A `const fn`, so it can initialize a request in place without stack temporaries.
    pub const fn empty() -> Self {
        HttpRequest {
            method: Method::Get,
            scheme: Scheme::Https,
            host: Text::new(),
            // Empty storage reads as "/" (see `target`).
            target: Text::new(),
            headers: Headers::new(),
            body: Body::Empty,
        }
    }

    /// A request for `method scheme://host target`.
    ///
    /// Built and returned by value (about 4.5 KiB on 32-bit targets, copied on the way out): on a
    /// small stack prefer [`HttpRequest::empty`] in place plus the setters.
    ///
    /// # Errors
    /// [`HttpError`] naming the host or target when one is malformed or too long.
    pub fn new(
        method: Method,
        scheme: Scheme,
        host: &str,
        target: &str,
    ) -> Result<Self, HttpError> {
        let mut r = Self::empty();
        r.method = method;
        r.scheme = scheme;
        r.set_host(host)?;
        r.set_target(target)?;
        Ok(r)
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// Sets the method.
    pub fn set_method(&mut self, method: Method) {
        self.method = method;
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Sets the scheme.
    pub fn set_scheme(&mut self, scheme: Scheme) {
        self.scheme = scheme;
    }

    /// The host, with `:port` when one was given.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Sets the host (`name` or `name:port`).
    ///
    /// # Errors
    /// [`HttpError::Invalid`] for an empty host or one with spaces, controls, `/ ? # @ \`;
    /// [`HttpError::Capacity`] past [`MAX_HOST_LEN`]. Nothing changes.
    pub fn set_host(&mut self, host: &str) -> Result<(), HttpError> {
        check_host(host)?;
        copy_into(&mut self.host, host, HttpPart::Host)
    }

    /// Sets scheme and host from an endpoint URL such as `https://s3.us-east-1.amazonaws.com` or
    /// `http://localhost:9000/`. A scheme is required; a path other than `/` is refused (join it to
    /// the target instead).
    ///
    /// # Errors
    /// [`HttpError::Invalid`] with [`HttpPart::Endpoint`] for a missing or unknown scheme or a path;
    /// host errors as [`HttpRequest::set_host`]. Nothing changes.
    pub fn set_endpoint(&mut self, url: &str) -> Result<(), HttpError> {
        let invalid = HttpError::Invalid {
            part: HttpPart::Endpoint,
        };
        let (scheme, rest) = url.split_once("://").ok_or(invalid)?;
        let scheme = if scheme.eq_ignore_ascii_case("https") {
            Scheme::Https
        } else if scheme.eq_ignore_ascii_case("http") {
            Scheme::Http
        } else {
            return Err(invalid);
        };
        let host = rest.strip_suffix('/').unwrap_or(rest);
        if host.contains('/') {
            return Err(invalid);
        }
        self.set_host(host)?;
        self.scheme = scheme;
        Ok(())
    }

    /// The target: path and optional `?query`.
    pub fn target(&self) -> &str {
        if self.target.is_empty() {
            "/"
        } else {
            &self.target
        }
    }

    /// The path: the target up to `?`.
    pub fn path(&self) -> &str {
        let target = self.target();
        target.split_once('?').map_or(target, |(p, _)| p)
    }

    /// The query: the target after `?` (empty when there is none).
    pub fn query(&self) -> &str {
        self.target().split_once('?').map_or("", |(_, q)| q)
    }

    /// Sets the target (already percent-encoded, starting with `/`).
    ///
    /// # Errors
    /// [`HttpError::Invalid`] without a leading `/` or with spaces, controls or `#`;
    /// [`HttpError::Capacity`] past [`MAX_REQUEST_TARGET_LEN`]. Nothing changes.
    pub fn set_target(&mut self, target: &str) -> Result<(), HttpError> {
        check_target(target)?;
        copy_into(&mut self.target, target, HttpPart::Target)
    }

    /// Appends `name=value` to the query (both already percent-encoded).
    ///
    /// # Errors
    /// As [`HttpRequest::set_target`]; `&`, `=` and `?` inside `name` are refused too.
    pub fn append_query(&mut self, name: &str, value: &str) -> Result<(), HttpError> {
        let invalid = HttpError::Invalid {
            part: HttpPart::Target,
        };
        let bad = |b: u8| b <= b' ' || b == 0x7f || b"#&?".contains(&b);
        if name.is_empty() || name.bytes().any(|b| bad(b) || b == b'=') || value.bytes().any(bad) {
            return Err(invalid);
        }
        let current = self.target();
        let sep = if current.contains('?') { "&" } else { "?" };
        let needed = current
            .len()
            .saturating_add(sep.len())
            .saturating_add(name.len())
            .saturating_add(1)
            .saturating_add(value.len());
        if needed > MAX_REQUEST_TARGET_LEN {
            return Err(HttpError::Capacity {
                part: HttpPart::Target,
                limit: MAX_REQUEST_TARGET_LEN,
                needed,
            });
        }
        let lead = if self.target.is_empty() { "/" } else { "" };
        for piece in [lead, sep, name, "=", value] {
            self.target
                .push_str(piece)
                .map_err(|_| HttpError::Capacity {
                    part: HttpPart::Target,
                    limit: MAX_REQUEST_TARGET_LEN,
                    needed,
                })?;
        }
        Ok(())
    }

    /// The headers (never `Host`; see the type docs).
    pub fn headers(&self) -> &RequestHeaders {
        &self.headers
    }

    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut RequestHeaders {
        &mut self.headers
    }

    /// The body.
    pub fn body(&self) -> &Body<'a> {
        &self.body
    }

    /// The body, to read a stream from.
    pub fn body_mut(&mut self) -> &mut Body<'a> {
        &mut self.body
    }

    /// Sets the body.
    pub fn set_body(&mut self, body: Body<'a>) {
        self.body = body;
    }
}

impl fmt::Debug for HttpRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("scheme", &self.scheme)
            .field("host", &self.host.as_str())
            .field("path", &self.path())
            .field("query", &QueryNames(self.query()))
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

/// Prints only the names of query parameters: presigned URLs carry signatures and tokens there.
struct QueryNames<'q>(&'q str);

impl fmt::Debug for QueryNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for pair in self.0.split('&').filter(|p| !p.is_empty()) {
            list.entry(&pair.split_once('=').map_or(pair, |(n, _)| n));
        }
        list.finish()
    }
}

// ---- response ------------------------------------------------------------------------------------

/// What a transport reports about a response before its body: the status and the headers worth
/// keeping.
///
/// Responses come from the network, so a header that does not fit is not an error of the request:
/// [`ResponseHead::push_header`] keeps what fits and counts the rest in
/// [`ResponseHead::dropped_headers`] (nothing is truncated).
#[derive(Clone, Default)]
pub struct ResponseHead {
    status: u16,
    headers: ResponseHeaders,
    dropped: u16,
}

impl ResponseHead {
    /// No response yet: status 0, no headers.
    pub const fn new() -> Self {
        ResponseHead {
            status: 0,
            headers: Headers::new(),
            dropped: 0,
        }
    }

    /// The status code; 0 when no response was received (Go v1 treats 0 as a failure).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Sets the status code.
    pub fn set_status(&mut self, status: u16) {
        self.status = status;
    }

    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The kept headers.
    pub fn headers(&self) -> &ResponseHeaders {
        &self.headers
    }

    /// The kept headers, to change (handlers may rewrite them).
    pub fn headers_mut(&mut self) -> &mut ResponseHeaders {
        &mut self.headers
    }

    /// Keeps a received header if it fits; otherwise counts it as dropped.
    ///
    /// # Errors
    /// The [`HttpError`] that made the header drop (malformed, or no room). The response is still
    /// usable; transports usually ignore this.
    pub fn push_header(&mut self, name: &str, value: &str) -> Result<(), HttpError> {
        self.headers.append(name, value).inspect_err(|_| {
            self.dropped = self.dropped.saturating_add(1);
        })
    }

    /// How many received headers were not kept.
    pub fn dropped_headers(&self) -> u16 {
        self.dropped
    }

    /// `Content-Length`, when present and a number.
    pub fn content_length(&self) -> Option<u64> {
        self.headers.get("content-length")?.trim().parse().ok()
    }

    /// `Retry-After` in seconds, when present as a number (dates are ignored, as in Go v1).
    pub fn retry_after_secs(&self) -> Option<u32> {
        self.headers.get("retry-after")?.trim().parse().ok()
    }

    /// Back to "no response": status 0, no headers.
    pub fn clear(&mut self) {
        self.status = 0;
        self.headers.clear();
        self.dropped = 0;
    }
}

impl fmt::Debug for ResponseHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseHead")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("dropped_headers", &self.dropped)
            .finish()
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use core::fmt::Write;

    selftests! {
        fn headers_append_get_case_insensitive() {
            let mut h = Headers::<4, 64>::new();
            h.append("X-Amz-Date", "20240101T000000Z").unwrap();
            h.append("x-amz-meta", "a").unwrap();
            h.append("X-AMZ-META", "b").unwrap();
            assert_eq!(h.get("x-amz-date"), Some("20240101T000000Z"));
            let all: heapless::Vec<&str, 4> = h.get_all("X-Amz-Meta").collect();
            assert_eq!(all.as_slice(), &["a", "b"]);
            assert_eq!(h.len(), 3);
            let names: heapless::Vec<&str, 4> = h.iter().map(|(n, _)| n).collect();
            assert_eq!(names.as_slice(), &["X-Amz-Date", "x-amz-meta", "X-AMZ-META"]);
        }

        fn headers_insert_replaces_all_and_remove_compacts() {
            let mut h = Headers::<4, 64>::new();
            h.append("a", "1").unwrap();
            h.append("b", "22").unwrap();
            h.append("A", "333").unwrap();
            h.insert("a", "x").unwrap();
            {
                let pairs: heapless::Vec<(&str, &str), 4> = h.iter().collect();
                assert_eq!(pairs.as_slice(), &[("b", "22"), ("a", "x")]);
            }
            assert_eq!(h.bytes_used(), 5);
            assert_eq!(h.remove("B"), 1);
            assert_eq!(h.remove("missing"), 0);
            {
                let pairs: heapless::Vec<(&str, &str), 4> = h.iter().collect();
                assert_eq!(pairs.as_slice(), &[("a", "x")]);
            }
            h.clear();
            assert!(h.is_empty());
            assert_eq!(h.bytes_used(), 0);
        }

        fn headers_refuse_injection() {
            let mut h = Headers::<4, 64>::new();
            let bad_name = HttpError::Invalid { part: HttpPart::HeaderName };
            let bad_value = HttpError::Invalid { part: HttpPart::HeaderValue };
            assert_eq!(h.append("", "v"), Err(bad_name));
            assert_eq!(h.append("a b", "v"), Err(bad_name));
            assert_eq!(h.append("a:", "v"), Err(bad_name));
            assert_eq!(h.append("x", "v\r\nEvil: 1"), Err(bad_value));
            assert_eq!(h.insert("x", "v\n"), Err(bad_value));
            assert_eq!(h.append("x", "nul\0"), Err(bad_value));
            h.append("x", "tab\tand space ok").unwrap();
            assert_eq!(h.len(), 1);
        }

        fn headers_overflow_changes_nothing() {
            let mut h = Headers::<2, 10>::new();
            h.append("a", "1234").unwrap();
            assert_eq!(
                h.append("b", "123456"),
                Err(HttpError::Capacity { part: HttpPart::HeaderBytes, limit: 10, needed: 12 })
            );
            h.append("b", "1").unwrap();
            assert_eq!(
                h.append("c", ""),
                Err(HttpError::Capacity { part: HttpPart::HeaderCount, limit: 2, needed: 3 })
            );
            // Insert counts the room it frees: replacing "a" (5 bytes) with 8 bytes fits in 10.
            h.insert("a", "1234567").unwrap();
            assert_eq!(h.get("a"), Some("1234567"));
            assert_eq!(
                h.insert("a", "12345678"),
                Err(HttpError::Capacity { part: HttpPart::HeaderBytes, limit: 10, needed: 11 })
            );
            assert_eq!(h.get("a"), Some("1234567"));
            assert_eq!(h.get("b"), Some("1"));
        }

        fn debug_redacts_secrets() {
            let mut r = HttpRequest::empty();
            r.set_host("sts.amazonaws.com").unwrap();
            r.set_target("/?X-Amz-Signature=abc123&Action=Get").unwrap();
            r.headers_mut().append("Authorization", "AWS4-HMAC-SHA256 Signature=deadbeef").unwrap();
            r.headers_mut().append("X-Amz-Security-Token", "TOKENSECRET").unwrap();
            r.headers_mut().append("X-Amz-Date", "20240101T000000Z").unwrap();
            let mut s = heapless::String::<512>::new();
            write!(s, "{r:?}").unwrap();
            assert!(!s.contains("deadbeef"));
            assert!(!s.contains("TOKENSECRET"));
            assert!(!s.contains("abc123"));
            assert!(s.contains("X-Amz-Signature"));
            assert!(s.contains("20240101T000000Z"));
        }

        fn request_target_path_query() {
            let mut r = HttpRequest::empty();
            r.set_method(Method::Put);
            r.set_host("bucket.s3.amazonaws.com").unwrap();
            r.set_target("/key%20a").unwrap();
            assert_eq!(r.method(), Method::Put);
            assert_eq!(r.path(), "/key%20a");
            assert_eq!(r.query(), "");
            r.append_query("versionId", "3").unwrap();
            r.append_query("x-id", "PutObject").unwrap();
            assert_eq!(r.target(), "/key%20a?versionId=3&x-id=PutObject");
            assert_eq!(r.path(), "/key%20a");
            assert_eq!(r.query(), "versionId=3&x-id=PutObject");
            let invalid = HttpError::Invalid { part: HttpPart::Target };
            assert_eq!(r.append_query("a&b", "1"), Err(invalid));
            assert_eq!(r.append_query("a", "1 2"), Err(invalid));
            assert_eq!(r.set_target("no-slash"), Err(invalid));
            assert_eq!(r.set_target("/a b"), Err(invalid));
            assert_eq!(r.set_target("/a#frag"), Err(invalid));
            assert_eq!(r.target(), "/key%20a?versionId=3&x-id=PutObject");
        }

        fn request_capacity_errors_name_limits() {
            let mut r = HttpRequest::empty();
            let long = [b'a'; MAX_REQUEST_TARGET_LEN + 1];
            let mut target = [b'/'; MAX_REQUEST_TARGET_LEN + 1];
            target[1..].copy_from_slice(&long[1..]);
            let target = core::str::from_utf8(&target).unwrap();
            assert_eq!(
                r.set_target(target),
                Err(HttpError::Capacity { part: HttpPart::Target, limit: MAX_REQUEST_TARGET_LEN, needed: MAX_REQUEST_TARGET_LEN + 1 })
            );
            assert_eq!(r.target(), "/");
            let host = core::str::from_utf8(&long[..MAX_HOST_LEN + 1]).unwrap();
            assert_eq!(
                r.set_host(host),
                Err(HttpError::Capacity { part: HttpPart::Host, limit: MAX_HOST_LEN, needed: MAX_HOST_LEN + 1 })
            );
            r.set_target(&target[..MAX_REQUEST_TARGET_LEN - 3]).unwrap();
            assert!(matches!(r.append_query("a", "b"), Err(HttpError::Capacity { part: HttpPart::Target, .. })));
            assert_eq!(r.target().len(), MAX_REQUEST_TARGET_LEN - 3);
        }

        fn new_builds_and_empty_reads_as_root() {
            let r = HttpRequest::new(Method::Post, Scheme::Http, "localhost:4566", "/").unwrap();
            assert_eq!((r.method(), r.scheme(), r.host(), r.target()), (Method::Post, Scheme::Http, "localhost:4566", "/"));
        }

        fn empty_target_reads_as_root_and_takes_a_query() {
            let mut r = HttpRequest::empty();
            assert_eq!((r.target(), r.path(), r.query()), ("/", "/", ""));
            r.append_query("Action", "GetCallerIdentity").unwrap();
            assert_eq!(r.target(), "/?Action=GetCallerIdentity");
            assert_eq!(r.path(), "/");
        }

        fn host_and_endpoint() {
            let mut r = HttpRequest::empty();
            r.set_endpoint("http://localhost:9000/").unwrap();
            assert_eq!((r.scheme(), r.host()), (Scheme::Http, "localhost:9000"));
            r.set_endpoint("HTTPS://sts.us-east-1.amazonaws.com").unwrap();
            assert_eq!((r.scheme(), r.host()), (Scheme::Https, "sts.us-east-1.amazonaws.com"));
            let bad = HttpError::Invalid { part: HttpPart::Endpoint };
            assert_eq!(r.set_endpoint("sts.amazonaws.com"), Err(bad));
            assert_eq!(r.set_endpoint("ftp://x"), Err(bad));
            assert_eq!(r.set_endpoint("https://x/base"), Err(bad));
            assert_eq!(r.set_host("a b"), Err(HttpError::Invalid { part: HttpPart::Host }));
            assert_eq!(r.set_host("a/b"), Err(HttpError::Invalid { part: HttpPart::Host }));
            assert_eq!(r.host(), "sts.us-east-1.amazonaws.com");
            assert_eq!(Scheme::Http.default_port(), 80);
            assert_eq!(Method::Delete.as_str(), "DELETE");
        }

        fn response_head_counts_dropped_headers() {
            let mut h = ResponseHead::new();
            h.set_status(503);
            assert!(!h.is_success());
            h.push_header("Content-Length", " 42 ").unwrap();
            h.push_header("Retry-After", "7").unwrap();
            assert!(h.push_header("bad name", "x").is_err());
            let big = [b'v'; MAX_RESPONSE_HEADER_BYTES];
            assert!(h.push_header("x-big", core::str::from_utf8(&big).unwrap()).is_err());
            assert_eq!(h.dropped_headers(), 2);
            assert_eq!(h.content_length(), Some(42));
            assert_eq!(h.retry_after_secs(), Some(7));
            h.clear();
            assert_eq!((h.status(), h.headers().len(), h.dropped_headers()), (0, 0, 0));
        }

        fn seekable_body_wraps_embedded_io() {
            struct Mem { data: &'static [u8], pos: usize }
            impl embedded_io::ErrorType for Mem { type Error = embedded_io::ErrorKind; }
            impl embedded_io::Read for Mem {
                fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
                    let rest = &self.data[self.pos..];
                    let n = rest.len().min(buf.len());
                    buf[..n].copy_from_slice(&rest[..n]);
                    self.pos += n;
                    Ok(n)
                }
            }
            impl embedded_io::Seek for Mem {
                fn seek(&mut self, pos: embedded_io::SeekFrom) -> Result<u64, Self::Error> {
                    match pos {
                        embedded_io::SeekFrom::Start(0) => { self.pos = 0; Ok(0) }
                        _ => Err(embedded_io::ErrorKind::Unsupported),
                    }
                }
            }
            let mut body = SeekableBody::new(Mem { data: b"payload", pos: 0 }, 7);
            let mut buf = [0u8; 16];
            assert_eq!(body.read(&mut buf), Ok(7));
            assert_eq!(body.read(&mut buf), Ok(0));
            body.rewind().unwrap();
            assert_eq!(body.read(&mut buf[..3]), Ok(3));
            assert_eq!(&buf[..3], b"pay");
            let b = Body::Stream(&mut body);
            assert_eq!(b.length(), 7);
            assert!(b.bytes().is_none());
            assert_eq!(Body::Bytes(b"abc").bytes(), Some(&b"abc"[..]));
            assert_eq!(io_kind(embedded_io::ErrorKind::BrokenPipe), ErrorKind::ConnectionReset);
            assert_eq!(to_io_kind(ErrorKind::TimedOut), embedded_io::ErrorKind::TimedOut);
        }
    }
}
