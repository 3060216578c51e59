//! The request under construction: method, scheme, host, target, headers and body.

use core::fmt;

use crate::limits::{MAX_HOST_LEN, MAX_REQUEST_TARGET_LEN};
use crate::text::Text;

use super::body::Body;
use super::error::{HttpError, HttpPart};
use super::headers::{Headers, RequestHeaders};

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
    /// Every method, in declaration order.
    pub const ALL: [Method; 7] = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Delete,
        Method::Patch,
        Method::Options,
    ];

    /// The method named `name` exactly as on a request line (`"GET"`, …); `None` for any other.
    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == name)
    }

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
/// The host is kept apart from the headers: it is where transports connect, and the `Host`
/// header they write and signers sign, unless the headers hold a `Host` of their own (Go's
/// `Request.Host`): then that header is the one sent and signed, and the connection still goes
/// to [`HttpRequest::host`]. The target is the percent-encoded path
/// followed by an optional `?query`; this type does not encode, it only refuses control characters,
/// spaces and `#`.
pub struct HttpRequest<'a> {
    method: Method,
    scheme: Scheme,
    host: Text<MAX_HOST_LEN>,
    target: Text<MAX_REQUEST_TARGET_LEN>,
    headers: RequestHeaders,
    body: Body<'a>,
    timeout_ms: Option<u32>,
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
            timeout_ms: None,
        }
    }

    /// The time this exchange may take to connect and to receive the response head, when the
    /// caller needs it to fail fast (instance metadata: Go v1 allows 1 s). `None`: the transport's
    /// own timeouts. A transport that has timeouts applies it; one without may ignore it.
    pub fn timeout_ms(&self) -> Option<u32> {
        self.timeout_ms
    }

    /// Sets [`HttpRequest::timeout_ms`].
    pub fn set_timeout_ms(&mut self, timeout_ms: Option<u32>) {
        self.timeout_ms = timeout_ms;
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

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use core::fmt::Write;

    selftests! {
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

        fn methods_by_name() {
            for m in Method::ALL {
                assert_eq!(Method::from_name(m.as_str()), Some(m));
            }
            assert_eq!(Method::from_name("get"), None);
            assert_eq!(Method::from_name("TRACE"), None);
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
    }
}
