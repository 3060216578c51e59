//! Signing a request whose parts are already in canonical form, checked rather than trusted.
//!
//! The general signer ([`sign`](super::sign), [`Signer::sign`](super::Signer::sign)) takes any
//! request and canonicalizes it: it sorts headers and query parameters, folds header values,
//! decodes and re-encodes the path and query, and normalizes the path. On a small
//! microcontroller that code is most of the signer's flash. A device whose requests are fixed at
//! build time (a few API calls, a known host) can write them in canonical form itself and sign
//! them with [`sign_canonical`](super::sign_canonical) /
//! [`Signer::sign_canonical`](super::Signer::sign_canonical) instead: an image that signs only
//! this way links none of the canonicalization.
//!
//! AWS's embedded C signer offers the same shortcut through flags by which the caller promises
//! that the path, the query or the headers are canonical, and it takes the promise on trust: a
//! wrong promise shows up as a signature the service rejects. Here nothing is taken on trust.
//! Each part is checked by one linear scan, and a part that is not exactly what the general
//! signer would have written is a [`SigningError::NotCanonical`] naming the part
//! ([`CanonicalPart`]) and the header index or byte offset. So a request the checks accept gets
//! the signature the general signer gives a request with that canonical form — always.
//!
//! ## What canonical means here
//!
//! * **method**: an HTTP token, as sent.
//! * **path**: the canonical URI as it appears in the canonical request, already encoded per
//!   the settings' [`UriEncoding`]: starts with `/`. With double encoding every byte is
//!   unreserved (`A-Z a-z 0-9 - . _ ~`), `/`, or a `%XX` escape with upper-case hex of a byte
//!   that is neither (so never `%41` nor `%2F`, and never `%2f`); the escapes must decode to
//!   UTF-8 (the path was text before it was encoded), and with path normalization no segment may
//!   be empty, `.` or `..` (a trailing `/` is kept; this holds with single encoding too). With
//!   single encoding (S3) the path is signed as sent: unreserved bytes, `/` and any `%XX` escape
//!   (`%2F` and `%2f` included, each kept as written), which is what the general signer writes
//!   for such a path.
//! * **query**: the canonical query string: `key=value` pairs joined by `&`, every pair with its
//!   `=` (an empty value is `key=`), keys and values unreserved bytes and upper-case `%XX`
//!   escapes of other bytes (decoding to UTF-8), sorted by key and then value as bytes (equal
//!   pairs may repeat). For a presigned URL the `X-Amz-*` parameters the signer writes must be
//!   absent: it merges them in while writing.
//! * **headers**: `(name, value)` pairs with lower-case token names in strictly ascending order
//!   (a repeated header is one entry, its values joined by `,`), values trimmed (no tab or
//!   control character, no space at either end, no two spaces in a row), `host` among them. The
//!   headers the signer writes (`x-amz-date`; `x-amz-security-token` with a session token,
//!   `x-amz-content-sha256` when it adds it, `x-amz-region-set` with SigV4a) and those it never
//!   signs (`authorization`, `connection`, `expect`, `transfer-encoding`, `user-agent`,
//!   `x-amzn-trace-id`) must be absent: the signer merges its own into the sorted list.
//! * **body**: a [`SignableBody`], as for the general signer (hashed bytes, a precomputed hash,
//!   `UNSIGNED-PAYLOAD`, or a streaming mode).
//!
//! The credentials, region, service, time and settings are checked exactly as by the general
//! signer, and SigV4a and presigned URLs work the same way. The general signer's capacity limits
//! (header and parameter counts, path and query length) do not apply: nothing is sorted or
//! buffered; only the `Authorization` text must fit its limit.
//!
//! ```
//! use aws_session_core::secret::SecretKey;
//! use aws_session_core::sigv4::{
//!     sign_canonical, CanonicalPart, CanonicalParts, SignableBody, SigningCredentials, SigningError,
//!     SigningOutput, SigningParams, SigningSettings,
//! };
//! use aws_session_core::text::Field;
//! use aws_session_core::time::UnixTime;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Field::SecretAccessKey)?;
//! let params = SigningParams {
//!     credentials: SigningCredentials { access_key_id: "AKIDEXAMPLE", secret: &secret, session_token: None },
//!     region: "us-east-1",
//!     service: "sts",
//!     time: UnixTime::parse_amz("20150830T123600Z")?,
//!     settings: SigningSettings::standard(),
//! };
//! // Sorted, lower-case, trimmed; the signer adds `x-amz-date` itself.
//! let headers = [("accept", "application/xml"), ("host", "sts.amazonaws.com")];
//! let query = "Action=GetCallerIdentity&Version=2011-06-15";
//! let parts = CanonicalParts::new("GET", "/", query, &headers, SignableBody::Bytes(b""));
//! let mut out = SigningOutput::new();
//! let signed = sign_canonical(&parts, &params, &mut out)?;
//! assert!(signed.authorization().unwrap().contains("SignedHeaders=accept;host;x-amz-date,"));
//!
//! // Out of order: an error naming the part and where, never a wrong signature.
//! let unsorted = [("host", "sts.amazonaws.com"), ("accept", "application/xml")];
//! let parts = CanonicalParts::new("GET", "/", query, &unsorted, SignableBody::Bytes(b""));
//! assert_eq!(
//!     sign_canonical(&parts, &params, &mut out).err(),
//!     Some(SigningError::NotCanonical { part: CanonicalPart::HeaderOrder, index: 1 })
//! );
//! # Ok(())
//! # }
//! ```

use core::fmt::{self, Write};

use super::canonical_request::{name_of, synthetic_param_name, CanonicalText, H_TOKEN};
use super::encoding::{
    class, classify_name, classify_value, is_token, write_trimmed_value, Split, Utf8Check,
};
use super::error::{CanonicalPart, SigningError};
use super::request::{SignableBody, SigningParams};
use super::signing_context::{special_header, SigningContext, Special};
use super::UriEncoding;
use crate::time::AmzDateTime;

/// A request in canonical form, borrowed: each part exactly as it appears in the canonical
/// request (see the [module docs](self) for the rules the signer checks).
#[derive(Clone, Copy)]
pub struct CanonicalParts<'a> {
    /// HTTP method, e.g. `GET`.
    pub method: &'a str,
    /// The canonical URI, e.g. `/` or `/my-bucket/photo%20one.jpg`.
    pub path: &'a str,
    /// The canonical query string without a leading `?`, e.g. `Action=ListUsers&Version=2010-05-08`,
    /// or `""`.
    pub query: &'a str,
    /// The headers to sign: lower-case names in ascending order, trimmed values, `host` included,
    /// none of the signer's own.
    pub headers: &'a [(&'a str, &'a str)],
    /// The payload and how it is signed.
    pub body: SignableBody<'a>,
}

impl<'a> CanonicalParts<'a> {
    /// Canonical parts from their pieces.
    pub const fn new(
        method: &'a str,
        path: &'a str,
        query: &'a str,
        headers: &'a [(&'a str, &'a str)],
        body: SignableBody<'a>,
    ) -> Self {
        CanonicalParts {
            method,
            path,
            query,
            headers,
            body,
        }
    }
}

impl fmt::Debug for CanonicalParts<'_> {
    /// Shows the method, path and header count only: header values may hold tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CanonicalParts")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query_len", &self.query.len())
            .field("headers", &self.headers.len())
            .field("body", &self.body)
            .finish()
    }
}

/// Canonical parts that passed every check, with the signer's half of the request.
pub(crate) struct CheckedParts<'p, 'a> {
    parts: &'p CanonicalParts<'a>,
    ctx: SigningContext<'a>,
}

fn not_canonical(part: CanonicalPart, index: usize) -> SigningError {
    SigningError::NotCanonical { part, index }
}

impl<'p, 'a> CheckedParts<'p, 'a> {
    /// Checks `parts` against `params`.
    ///
    /// # Errors
    /// What the general signer reports for bad credentials, scope, time, expiry or payload hash,
    /// [`SigningError::MissingHost`], or [`SigningError::NotCanonical`] naming the first part
    /// that is not in canonical form. `time`: `params.time` as text when the caller has it.
    pub(crate) fn new(
        parts: &'p CanonicalParts<'a>,
        params: &SigningParams<'a>,
        time: Option<AmzDateTime>,
    ) -> Result<Self, SigningError> {
        let ctx = SigningContext::new(params, &parts.body, time)?;
        if !is_token(parts.method) {
            return Err(not_canonical(CanonicalPart::Method, 0));
        }
        check_path(parts.path, &ctx)?;
        check_query(parts.query, &ctx)?;
        check_headers(parts.headers, &ctx)?;
        Ok(CheckedParts { parts, ctx })
    }

    /// Calls `f` with each signed header, the caller's merged with the signer's in name order,
    /// and whether the value may need trimming (the signer's session token: the caller's values
    /// were checked). (`f` is a trait object: one copy serves the signed-header list and the
    /// canonical text.)
    fn for_each_header(
        &self,
        time: &str,
        f: &mut dyn FnMut(&str, &str, bool) -> fmt::Result,
    ) -> fmt::Result {
        let mut added = self.ctx.added_headers();
        let mut next = added.next();
        let ctx = &self.ctx;
        for &(name, value) in self.parts.headers {
            while let Some(id) = next.filter(|&id| name_of(&[], id) < name) {
                f(
                    name_of(&[], id),
                    ctx.added_header_value(id, time),
                    id == H_TOKEN,
                )?;
                next = added.next();
            }
            f(name, value, false)?;
        }
        while let Some(id) = next {
            f(
                name_of(&[], id),
                ctx.added_header_value(id, time),
                id == H_TOKEN,
            )?;
            next = added.next();
        }
        Ok(())
    }

    /// Writes the query, the signer's parameters (a presigned URL's) merged in key order.
    fn write_query<W: Write + ?Sized>(
        &self,
        w: &mut W,
        signed_headers: &str,
        time: &str,
    ) -> fmt::Result {
        let mut added = self.ctx.added_params();
        let mut next = added.next();
        let mut first = true;
        let mut separate = |w: &mut W| {
            if core::mem::take(&mut first) {
                Ok(())
            } else {
                w.write_char('&')
            }
        };
        let param = |w: &mut W, id: u16| {
            w.write_str(synthetic_param_name(id))?;
            w.write_char('=')?;
            self.ctx.write_added_param(w, id, signed_headers, time)
        };
        let query = self.parts.query;
        for pair in Split::new(query, b'&').filter(|_| !query.is_empty()) {
            let (key, _) = split_pair(pair).unwrap_or((pair, ""));
            while let Some(id) = next.filter(|&id| synthetic_param_name(id) < key) {
                separate(w)?;
                param(w, id)?;
                next = added.next();
            }
            separate(w)?;
            w.write_str(pair)?;
        }
        while let Some(id) = next {
            separate(w)?;
            param(w, id)?;
            next = added.next();
        }
        Ok(())
    }
}

impl CanonicalText for CheckedParts<'_, '_> {
    fn context(&self) -> &SigningContext<'_> {
        &self.ctx
    }

    fn write_signed_headers<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        let mut first = true;
        self.for_each_header("", &mut |name, _, _| {
            if !core::mem::take(&mut first) {
                w.write_char(';')?;
            }
            w.write_str(name)
        })
    }

    fn write_canonical<W: Write + ?Sized>(
        &self,
        w: &mut W,
        signed_headers: &str,
        time: &str,
    ) -> fmt::Result {
        w.write_str(self.parts.method)?;
        w.write_char('\n')?;
        w.write_str(self.parts.path)?;
        w.write_char('\n')?;
        self.write_query(w, signed_headers, time)?;
        w.write_char('\n')?;
        self.for_each_header(time, &mut |name, value, trim| {
            w.write_str(name)?;
            w.write_char(':')?;
            // The signer's session token is trimmed here as the general signer trims it.
            if trim {
                write_trimmed_value(w, value)?;
            } else {
                w.write_str(value)?;
            }
            w.write_char('\n')
        })?;
        w.write_char('\n')?;
        w.write_str(signed_headers)?;
        w.write_char('\n')?;
        w.write_str(self.ctx.payload_hash.as_str())
    }
}

/// A query pair's key and value, split at its first `=`.
fn split_pair(pair: &str) -> Option<(&str, &str)> {
    let eq = pair.bytes().position(|b| b == b'=')?;
    // `=` is ASCII: both sides are char boundaries.
    Some((pair.get(..eq)?, pair.get(eq + 1..)?))
}

/// The value of an upper-case hex digit.
fn upper_hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Scans an S3 path as the signer signs it: unreserved bytes, `/`, and `%XX` escapes with hex
/// digits of either case, each kept as written. Returns the offset of the first other byte.
fn scan_as_sent(s: &str) -> Result<(), usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if class(b) & (class::UNRESERVED | class::SLASH) != 0 {
            i += 1;
        } else if b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            i += 3;
        } else {
            return Err(i);
        }
    }
    Ok(())
}

/// Scans percent-encoded text as the signer writes it: bytes of the `keep` classes as they
/// are, everything else as `%XX` with upper-case hex; with `utf8`, the decoded bytes must be
/// UTF-8. Returns the offset of the first byte (or escape) that breaks the rule.
fn scan_encoded(s: &str, keep: u8, utf8: bool) -> Result<(), usize> {
    let bytes = s.as_bytes();
    // The usual text has nothing escaped: one table lookup per byte finds that out.
    let Some(mut i) = bytes.iter().position(|&b| class(b) & keep == 0) else {
        return Ok(());
    };
    let mut check = Utf8Check::default();
    while let Some(&b) = bytes.get(i) {
        if class(b) & keep != 0 {
            // A raw byte is ASCII: it matters only inside a multi-byte sequence.
            if !check.is_complete() {
                return Err(i);
            }
            i += 1;
            continue;
        }
        let hex = |k: usize| bytes.get(i + k).copied().and_then(upper_hex);
        let byte = match (b, hex(1), hex(2)) {
            (b'%', Some(h), Some(l)) if class(h << 4 | l) & keep == 0 => h << 4 | l,
            _ => return Err(i),
        };
        if utf8 && !check.push(byte) {
            return Err(i);
        }
        i += 3;
    }
    if check.is_complete() {
        Ok(())
    } else {
        Err(bytes.len())
    }
}

fn check_path(path: &str, ctx: &SigningContext<'_>) -> Result<(), SigningError> {
    let bad = |index| not_canonical(CanonicalPart::Path, index);
    if !path.starts_with('/') {
        return Err(bad(0));
    }
    // Double encoding escaped a text path once more: its escapes decode to UTF-8. Single
    // encoding (S3) signs the path as sent: any valid escape is its own canonical form.
    let double = ctx.settings.uri_encoding == UriEncoding::Double;
    if double {
        scan_encoded(path, class::UNRESERVED | class::SLASH, true).map_err(bad)?;
    } else {
        scan_as_sent(path).map_err(bad)?;
    }
    if ctx.settings.normalize_path {
        // Segments after the leading `/`; the last may be empty (a trailing `/`).
        let mut start = 1;
        for seg in Split::new(path.get(1..).unwrap_or(""), b'/') {
            let last = start + seg.len() == path.len();
            if matches!(seg, "." | "..") || (seg.is_empty() && !last) {
                return Err(not_canonical(CanonicalPart::PathSegment, start));
            }
            start += seg.len() + 1;
        }
    }
    Ok(())
}

fn check_query(query: &str, ctx: &SigningContext<'_>) -> Result<(), SigningError> {
    if query.is_empty() {
        return Ok(());
    }
    let mut previous: Option<(&str, &str)> = None;
    let mut start = 0;
    for pair in Split::new(query, b'&') {
        let Some((key, value)) = split_pair(pair) else {
            return Err(not_canonical(CanonicalPart::QueryPair, start));
        };
        let bad = |at: usize| not_canonical(CanonicalPart::Query, at);
        scan_encoded(key, class::UNRESERVED, true).map_err(|o| bad(start + o))?;
        scan_encoded(value, class::UNRESERVED, true).map_err(|o| bad(start + key.len() + 1 + o))?;
        if previous.is_some_and(|p| p > (key, value)) {
            return Err(not_canonical(CanonicalPart::QueryOrder, start));
        }
        if ctx.presigned() && ctx.owns_param(|p| p == key) {
            return Err(not_canonical(CanonicalPart::SignerParam, start));
        }
        previous = Some((key, value));
        start += pair.len() + 1;
    }
    Ok(())
}

fn check_headers(headers: &[(&str, &str)], ctx: &SigningContext<'_>) -> Result<(), SigningError> {
    let mut has_host = false;
    let mut previous: Option<&str> = None;
    for (index, &(name, value)) in headers.iter().enumerate() {
        if classify_name(name) != Some(false) {
            return Err(not_canonical(CanonicalPart::HeaderName, index));
        }
        if previous.is_some_and(|p| p >= name) {
            return Err(not_canonical(CanonicalPart::HeaderOrder, index));
        }
        if classify_value(value) != Some(true) {
            return Err(not_canonical(CanonicalPart::HeaderValue, index));
        }
        match special_header(name) {
            Special::Host => has_host = true,
            other if ctx.owns_header(other) => {
                return Err(not_canonical(CanonicalPart::SignerHeader, index))
            }
            _ => {}
        }
        previous = Some(name);
    }
    if has_host {
        Ok(())
    } else {
        Err(SigningError::MissingHost)
    }
}
