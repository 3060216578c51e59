//! Stage 1: the canonical request.
//!
//! ```text
//! <METHOD>\n
//! <canonical path>\n
//! <canonical query: key=value pairs sorted by encoded key, then value, joined by &>\n
//! <lower-case name>:<trimmed values joined by ,>\n   (one line per signed header, sorted)
//! \n
//! <signed header names joined by ;>\n
//! <payload hash>
//! ```
//!
//! [`CanonicalRequest::new`] validates the request and sorts its headers and query parameters
//! into small index tables (a byte per header; six per parameter: where its `key[=value]` segment
//! starts, where its key ends and where it ends); nothing is copied. The headers
//! and parameters the signer adds itself (`x-amz-date`, `x-amz-security-token`,
//! `x-amz-content-sha256`, `x-amz-region-set` with SigV4a, or the `X-Amz-*` query parameters of
//! a presigned URL) are merged into the same tables, and request entries of the same name are
//! left out: the signer owns them.
//!
//! Headers that proxies rewrite are never signed: `authorization`, `connection`, `expect`,
//! `transfer-encoding`, `user-agent` and `x-amzn-trace-id`.
//!
//! While validating, each entry is classified once (does a header name need lower-casing, is a
//! query key or value already in canonical form; one scan of a query segment finds its `=`, its
//! end and the classes of its bytes) so that sorting and writing take the fast path for the usual
//! all-lower-case, all-unreserved input: a query parameter already in canonical form is written
//! as its raw `key=value` text in one piece. (Header names are sorted by one case-blind byte
//! loop, which costs no more than a plain comparison on names this short.)

use core::cmp::Ordering;
use core::fmt::{self, Write};

use crate::limits::{MAX_QUERY_LEN, MAX_QUERY_PARAMS, MAX_SIGNER_HEADERS, MAX_URI_PATH_LEN};
use crate::time::AmzDateTime;

use super::encoding::{
    class, classes, classify_name, classify_value, cmp_canonical_known, cmp_ignore_case,
    eq_ignore_case, is_token, is_unreserved, is_valid_header_value, is_valid_query_component,
    parse_hash_hex, path_needs_normalizing, write_decimal, write_encoded, write_escape,
    write_lowercase, write_normalized_path, write_recoded, write_trimmed_value, Decode,
    UriEncoding,
};
use super::error::SigningError;
use super::hash::{sha256, EMPTY_SHA256_HEX};
use super::request::{
    SessionTokenMode, SignableBody, SignableRequest, SignatureLocation, SigningAlgorithm,
    SigningParams, SigningSettings,
};
use super::scope::CredentialScope;
use super::string_to_sign::ALGORITHM;

// Synthetic header ids, above every request header index.
#[cfg(feature = "sigv4a")]
const H_REGION_SET: u8 = 0xfb;
/// The lowest synthetic header id.
const H_FIRST: u8 = 0xfb;
const H_HOST: u8 = 0xfc;
const H_DATE: u8 = 0xfd;
pub(crate) const H_TOKEN: u8 = 0xfe;
const H_SHA256: u8 = 0xff;
const _: () = assert!(
    H_HOST == H_FIRST + 1 && H_DATE == H_FIRST + 2 && H_TOKEN == H_FIRST + 3,
    "SYNTHETIC_HEADER_NAMES is indexed by id - H_FIRST"
);
const _: () = assert!(
    MAX_SIGNER_HEADERS <= 32,
    "upper-case flags are a u32 bit set"
);
const HEADER_SLOTS: usize = MAX_SIGNER_HEADERS + 5;
const _: () = assert!(HEADER_SLOTS <= 64, "repeated-name flags are a u64 bit set");

// Synthetic query parameter ids, above every query offset.
const Q_BASE: u16 = 0xfff0;
const Q_ALGORITHM: u16 = Q_BASE;
const Q_CREDENTIAL: u16 = Q_BASE + 1;
const Q_DATE: u16 = Q_BASE + 2;
const Q_EXPIRES: u16 = Q_BASE + 3;
#[cfg(feature = "sigv4a")]
const Q_REGION_SET: u16 = Q_BASE + 4;
const Q_TOKEN: u16 = Q_BASE + 5;
const Q_SIGNED_HEADERS: u16 = Q_BASE + 6;
const QUERY_SLOTS: usize = MAX_QUERY_PARAMS + 7;
const _: () = assert!(Q_TOKEN == Q_BASE + 5 && Q_SIGNED_HEADERS == Q_BASE + 6);

// A query entry's key length keeps two flags in its top bits: its key, its value is plain.
const KEY_PLAIN: u16 = 0x8000;
const VALUE_PLAIN: u16 = 0x4000;
const PLAIN: u16 = KEY_PLAIN | VALUE_PLAIN;
/// A query table entry: `(start, key length | flags, end)`, or a synthetic id and zeros.
type QueryEntry = (u16, u16, u16);
const LEN_MASK: u16 = 0x3fff;
const _: () = assert!(MAX_QUERY_LEN <= LEN_MASK as usize && MAX_QUERY_LEN < Q_BASE as usize);

/// Query parameter names a presigned URL carries; the signer owns them.
pub(crate) const PARAM_ALGORITHM: &str = "X-Amz-Algorithm";
pub(crate) const PARAM_CREDENTIAL: &str = "X-Amz-Credential";
pub(crate) const PARAM_DATE: &str = "X-Amz-Date";
pub(crate) const PARAM_EXPIRES: &str = "X-Amz-Expires";
pub(crate) const PARAM_TOKEN: &str = "X-Amz-Security-Token";
pub(crate) const PARAM_SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
pub(crate) const PARAM_SIGNATURE: &str = "X-Amz-Signature";
pub(crate) const PARAM_REGION_SET: &str = "X-Amz-Region-Set";

/// Header names the signer treats specially.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    /// An ordinary header.
    None,
    /// Never signed, hop-by-hop or rewritten on the way: `authorization`, `connection`, `expect`,
    /// `transfer-encoding`, `user-agent`, `x-amzn-trace-id`.
    Unsigned,
    /// `host`.
    Host,
    /// `x-amz-date` (the signer writes it).
    Date,
    /// `x-amz-security-token`.
    Token,
    /// `x-amz-content-sha256`.
    ContentSha256,
    /// `x-amz-region-set` (SigV4a: the signer writes it).
    #[cfg(feature = "sigv4a")]
    RegionSet,
}

/// Classifies a header name (any case), looking at its length and first letter before comparing.
pub(crate) fn special_header(name: &str) -> Special {
    let first = name.as_bytes().first().map(|b| b | 0x20);
    let is =
        |known: &str| first == known.as_bytes().first().copied() && eq_ignore_case(name, known);
    match name.len() {
        4 if is("host") => Special::Host,
        6 if is("expect") => Special::Unsigned,
        10 if is("x-amz-date") => Special::Date,
        10 if is("connection") || is("user-agent") => Special::Unsigned,
        13 if is("authorization") => Special::Unsigned,
        15 if is("x-amzn-trace-id") => Special::Unsigned,
        17 if is("transfer-encoding") => Special::Unsigned,
        20 if is("x-amz-security-token") => Special::Token,
        20 if is("x-amz-content-sha256") => Special::ContentSha256,
        #[cfg(feature = "sigv4a")]
        16 if is("x-amz-region-set") => Special::RegionSet,
        _ => Special::None,
    }
}

/// The payload hash line: 64 hex digits or one of the SigV4 literals.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayloadHash {
    Hex([u8; 64]),
    Literal(&'static str),
}

impl PayloadHash {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            PayloadHash::Hex(h) => core::str::from_utf8(h).unwrap_or(""),
            PayloadHash::Literal(s) => s,
        }
    }

    fn of(body: &SignableBody<'_>, algorithm: SigningAlgorithm) -> Result<Self, SigningError> {
        #[cfg(feature = "sigv4a")]
        if algorithm == SigningAlgorithm::V4a {
            match body {
                SignableBody::StreamingSigned => {
                    return Ok(PayloadHash::Literal(
                        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
                    ))
                }
                SignableBody::StreamingSignedWithTrailer => {
                    return Ok(PayloadHash::Literal(
                        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
                    ))
                }
                _ => {}
            }
        }
        let _ = algorithm;
        Ok(match body {
            SignableBody::Bytes([]) => PayloadHash::Literal(EMPTY_SHA256_HEX),
            SignableBody::Bytes(b) => PayloadHash::Hex(super::encoding::hex32(&sha256(b))),
            SignableBody::Precomputed(h) => {
                PayloadHash::Hex(parse_hash_hex(h).ok_or(SigningError::InvalidPayloadHash)?)
            }
            SignableBody::Unsigned => PayloadHash::Literal("UNSIGNED-PAYLOAD"),
            SignableBody::StreamingSigned => {
                PayloadHash::Literal("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
            }
            SignableBody::StreamingSignedWithTrailer => {
                PayloadHash::Literal("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
            }
            SignableBody::StreamingUnsignedWithTrailer => {
                PayloadHash::Literal("STREAMING-UNSIGNED-PAYLOAD-TRAILER")
            }
        })
    }
}

/// The signer's half of a canonical request, whatever form the request came in (a
/// [`SignableRequest`] to canonicalize, or parts already in canonical form): the checked
/// credentials, scope and payload hash line, and which headers and query parameters the signer
/// owns — the ones it writes itself and the ones it never signs.
#[derive(Clone, Copy)]
pub(crate) struct SigningContext<'a> {
    pub(crate) settings: SigningSettings,
    pub(crate) scope: CredentialScope<'a>,
    pub(crate) access_key_id: &'a str,
    /// The credentials carry a (non-empty) session token, signed or not.
    pub(crate) has_token: bool,
    /// The session token when the signature covers it.
    pub(crate) signed_token: Option<&'a str>,
    /// SigV4a: the region set, signed as `x-amz-region-set` / `X-Amz-Region-Set`.
    #[cfg(feature = "sigv4a")]
    pub(crate) region_set: Option<&'a str>,
    pub(crate) payload_hash: PayloadHash,
    pub(crate) add_content_sha256: bool,
    pub(crate) expires: u32,
}

/// The headers the signer may add, sorted by name.
const ADDED_HEADERS: &[u8] = &[
    H_SHA256,
    H_DATE,
    #[cfg(feature = "sigv4a")]
    H_REGION_SET,
    H_TOKEN,
];

/// The query parameters the signer may add to a presigned URL, sorted by name.
const ADDED_PARAMS: &[u16] = &[
    Q_ALGORITHM,
    Q_CREDENTIAL,
    Q_DATE,
    Q_EXPIRES,
    #[cfg(feature = "sigv4a")]
    Q_REGION_SET,
    Q_TOKEN,
    Q_SIGNED_HEADERS,
];

impl<'a> SigningContext<'a> {
    /// Checks everything but the request's method, path, query and headers: credentials, time,
    /// region (or region set) and service, expiry, payload mode and hash.
    ///
    /// # Errors
    /// A [`SigningError`] naming the first bad input. `time`: `params.time` as text when the
    /// caller has it (a [`super::Signer`] keeps the last one), else `None`.
    // Inlined on 64-bit targets so the context is built where it lives, not copied there (-86
    // instructions per cached signature); out of line on 32-bit targets, where inlining costs
    // 0.7 KiB of flash.
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    pub(crate) fn new(
        params: &SigningParams<'a>,
        body: &SignableBody<'_>,
        time: Option<AmzDateTime>,
    ) -> Result<Self, SigningError> {
        let creds = &params.credentials;
        validate_access_key_id(creds.access_key_id)?;
        if creds.secret.is_empty() {
            return Err(SigningError::EmptySecretKey);
        }
        let token = creds
            .session_token
            .map(|t| t.expose())
            .filter(|t| !t.is_empty());
        if token.is_some_and(|t| !is_valid_header_value(t)) {
            return Err(SigningError::InvalidSessionToken);
        }
        let time = match time {
            Some(time) => time,
            None => params.time.amz_datetime()?,
        };
        let settings = params.settings;
        let scope = match settings.algorithm {
            SigningAlgorithm::V4 => CredentialScope::new(time, params.region, params.service)?,
            #[cfg(feature = "sigv4a")]
            SigningAlgorithm::V4a => {
                super::v4a::validate_region_set(params.region)?;
                CredentialScope::new_v4a(time, params.service)?
            }
        };
        let (presigned, expires) = match settings.location {
            SignatureLocation::Headers => (false, 0),
            SignatureLocation::QueryParams { expires_in } => {
                if expires_in == 0 || expires_in > crate::limits::MAX_PRESIGN_EXPIRES_SECS {
                    return Err(SigningError::InvalidExpiry { secs: expires_in });
                }
                if body.is_streaming() {
                    return Err(SigningError::StreamingNotPresignable);
                }
                (true, expires_in)
            }
        };
        let signed_token = if settings.session_token == SessionTokenMode::Signed {
            token
        } else {
            None
        };
        Ok(SigningContext {
            settings,
            scope,
            access_key_id: creds.access_key_id,
            has_token: token.is_some(),
            signed_token,
            #[cfg(feature = "sigv4a")]
            region_set: (settings.algorithm == SigningAlgorithm::V4a).then_some(params.region),
            payload_hash: PayloadHash::of(body, settings.algorithm)?,
            add_content_sha256: !presigned
                && (settings.content_sha256_header || body.is_streaming()),
            expires,
        })
    }

    /// True when the signature goes into query parameters.
    pub(crate) fn presigned(&self) -> bool {
        matches!(
            self.settings.location,
            SignatureLocation::QueryParams { .. }
        )
    }

    /// True when this is a SigV4a signature.
    pub(crate) fn is_v4a(&self) -> bool {
        self.scope.is_v4a()
    }

    /// `AWS4-HMAC-SHA256`, or `AWS4-ECDSA-P256-SHA256` for SigV4a.
    pub(crate) fn algorithm_name(&self) -> &'static str {
        #[cfg(feature = "sigv4a")]
        if self.is_v4a() {
            return super::v4a::ALGORITHM_V4A;
        }
        ALGORITHM
    }

    /// True when a request header of this kind stays out of the signature: the signer writes
    /// its own (`x-amz-date`; the token, `x-amz-content-sha256` and the region set when it adds
    /// them) or never signs it. `host` is the caller's.
    pub(crate) fn owns_header(&self, special: Special) -> bool {
        match special {
            Special::None | Special::Host => false,
            Special::Unsigned | Special::Date => true,
            Special::Token => self.has_token,
            Special::ContentSha256 => self.add_content_sha256,
            #[cfg(feature = "sigv4a")]
            Special::RegionSet => self.region_set.is_some(),
        }
    }

    /// True when the signer signs a header of its own with this synthetic id.
    fn adds_header(&self, id: u8) -> bool {
        let headers = !self.presigned();
        match id {
            H_DATE => headers,
            #[cfg(feature = "sigv4a")]
            H_REGION_SET => headers && self.region_set.is_some(),
            H_TOKEN => headers && self.signed_token.is_some(),
            H_SHA256 => self.add_content_sha256,
            _ => false,
        }
    }

    /// The synthetic ids of the headers the signer adds, sorted by name.
    pub(crate) fn added_headers(&self) -> impl Iterator<Item = u8> + '_ {
        ADDED_HEADERS
            .iter()
            .copied()
            .filter(|&id| self.adds_header(id))
    }

    /// The value of a header the signer adds (`time`: the checked timestamp text).
    pub(crate) fn added_header_value<'t>(&'t self, id: u8, time: &'t str) -> &'t str {
        match id {
            H_DATE => time,
            #[cfg(feature = "sigv4a")]
            H_REGION_SET => self.region_set.unwrap_or(""),
            H_TOKEN => self.signed_token.unwrap_or(""),
            _ => self.payload_hash.as_str(),
        }
    }

    /// The synthetic ids of the query parameters the signer adds (a presigned URL's), sorted by
    /// name.
    pub(crate) fn added_params(&self) -> impl Iterator<Item = u16> + '_ {
        let presigned = self.presigned();
        ADDED_PARAMS.iter().copied().filter(move |&id| {
            presigned
                && match id {
                    Q_TOKEN => self.signed_token.is_some(),
                    #[cfg(feature = "sigv4a")]
                    Q_REGION_SET => self.region_set.is_some(),
                    _ => true,
                }
        })
    }

    /// Writes the value of a query parameter the signer adds, percent-encoded (`signed_headers`:
    /// the signed header list, `time`: the checked timestamp text).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    pub(crate) fn write_added_param<W: Write + ?Sized>(
        &self,
        w: &mut W,
        id: u16,
        signed_headers: &str,
        time: &str,
    ) -> fmt::Result {
        match id {
            Q_ALGORITHM => w.write_str(self.algorithm_name()),
            Q_CREDENTIAL => {
                write_encoded(w, self.access_key_id, false)?;
                w.write_str("%2F")?;
                self.scope
                    .write_with_date(time.get(..8).unwrap_or(""), &mut EncodeWriter(w))
            }
            Q_DATE => w.write_str(time),
            Q_EXPIRES => write_decimal(w, self.expires),
            Q_TOKEN => write_encoded(w, self.signed_token.unwrap_or(""), false),
            #[cfg(feature = "sigv4a")]
            Q_REGION_SET => write_encoded(w, self.region_set.unwrap_or(""), false),
            _ => write_encoded(w, signed_headers, false),
        }
    }

    /// True when a presigned request's own query parameter is one the signer owns (`is` tells
    /// whether the parameter's key is the given name): the token's only when the credentials
    /// carry one, the region set's only with SigV4a.
    pub(crate) fn owns_param(&self, is: impl Fn(&str) -> bool) -> bool {
        let owned = [
            PARAM_ALGORITHM,
            PARAM_CREDENTIAL,
            PARAM_DATE,
            PARAM_EXPIRES,
            PARAM_SIGNED_HEADERS,
            PARAM_SIGNATURE,
        ];
        #[cfg(feature = "sigv4a")]
        if self.region_set.is_some() && is(PARAM_REGION_SET) {
            return true;
        }
        owned.iter().any(|p| is(p)) || (self.has_token && is(PARAM_TOKEN))
    }
}

/// A canonical request the signer can hash: its [`SigningContext`] and its text. The general
/// [`CanonicalRequest`] and already-canonical parts both implement it, so one signer tail serves
/// both.
pub(crate) trait CanonicalText {
    /// The signer's half of the request.
    fn context(&self) -> &SigningContext<'_>;

    /// Writes the signed header names, lower case, joined by `;`.
    fn write_signed_headers<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result;

    /// Writes the canonical request text, reusing the signed header list already written
    /// (`signed_headers`) and the checked timestamp text (`time`).
    fn write_canonical<W: Write + ?Sized>(
        &self,
        w: &mut W,
        signed_headers: &str,
        time: &str,
    ) -> fmt::Result;
}

/// A validated request with its sorted header and query tables: writes the canonical request.
#[derive(Clone)]
pub struct CanonicalRequest<'a> {
    req: SignableRequest<'a>,
    ctx: SigningContext<'a>,
    /// Sorted header entries: request header indices and synthetic ids.
    headers: [u8; HEADER_SLOTS],
    header_count: u8,
    /// Bit `i` set: request header `i` has an upper-case letter in its name.
    upper: u32,
    /// Bit [`value_bit`] of an entry set: its value is already canonical (no trimming needed).
    plain_values: u64,
    /// Bit `k` set: sorted entry `k` names the same header as entry `k - 1` (its value joins the
    /// previous line).
    repeats: u64,
    /// Sorted query entries: `(start, key length | flags, end)` of a raw `key[=value]` segment,
    /// or a synthetic parameter id (>= `Q_BASE`) with zeros.
    query: [QueryEntry; QUERY_SLOTS],
    query_count: u8,
}

impl<'a> CanonicalRequest<'a> {
    /// Validates `req` against `params` and prepares its canonical form.
    ///
    /// # Errors
    /// A [`SigningError`] naming the first bad input: method, path, credentials, time past
    /// 9999, region or service, expiry, payload hash, then headers (count, names, values, missing
    /// host) and query (length, count, escapes, UTF-8).
    pub fn new(
        req: &SignableRequest<'a>,
        params: &SigningParams<'a>,
    ) -> Result<Self, SigningError> {
        let mut creq = Self::validated(req, params, None)?;
        creq.collect()?;
        Ok(creq)
    }

    /// The first half of [`CanonicalRequest::new`]: checks everything but the headers and the
    /// query, and returns the request with empty tables for [`CanonicalRequest::collect`] to
    /// fill. The signer calls the two halves itself so the value is filled where it was built
    /// (returning the filled value moves all of it). `time`: `params.time` as text when the
    /// caller has it, else `None`.
    pub(crate) fn validated(
        req: &SignableRequest<'a>,
        params: &SigningParams<'a>,
        time: Option<AmzDateTime>,
    ) -> Result<Self, SigningError> {
        if !is_token(req.method) {
            return Err(SigningError::InvalidMethod);
        }
        if !(req.path.is_empty() || req.path.starts_with('/')) {
            return Err(SigningError::InvalidPath);
        }
        if req.path.len() > MAX_URI_PATH_LEN {
            return Err(SigningError::PathTooLong {
                len: req.path.len(),
                limit: MAX_URI_PATH_LEN,
            });
        }
        Ok(CanonicalRequest {
            req: *req,
            // Built in place, after the request's own checks: the context holds the payload
            // hash, and a copy of it would cost stack.
            ctx: SigningContext::new(params, &req.body, time)?,
            headers: [0; HEADER_SLOTS],
            header_count: 0,
            upper: 0,
            repeats: 0,
            plain_values: 0,
            query: [(0, 0, 0); QUERY_SLOTS],
            query_count: 0,
        })
    }

    /// The second half of [`CanonicalRequest::new`] (on a value from
    /// [`CanonicalRequest::validated`] with the same `params`): validates and sorts the headers
    /// and the query.
    pub(crate) fn collect(&mut self) -> Result<(), SigningError> {
        self.collect_headers()?;
        self.collect_query()
    }

    fn push_header(&mut self, id: u8) {
        if let Some(slot) = self.headers.get_mut(usize::from(self.header_count)) {
            *slot = id;
            self.header_count += 1;
        }
    }

    fn collect_headers(&mut self) -> Result<(), SigningError> {
        let headers = self.req.headers;
        if headers.len() > MAX_SIGNER_HEADERS {
            return Err(SigningError::TooManyHeaders {
                limit: MAX_SIGNER_HEADERS,
            });
        }
        let mut has_host = self.req.host.is_some();
        // On 64-bit targets the sort compares names by their first eight bytes as one number
        // first (request headers' keys here, the signer's own computed when compared).
        #[cfg(target_pointer_width = "64")]
        let mut keys = [0u64; MAX_SIGNER_HEADERS];
        // The signer's own values (date, payload hash) are canonical by construction.
        let mut plain = value_bit(H_DATE) | value_bit(H_SHA256);
        #[cfg(feature = "sigv4a")]
        {
            // Region sets hold no spaces: canonical as they are.
            plain |= value_bit(H_REGION_SET);
        }
        if let Some(host) = self.req.host {
            match classify_value(host) {
                Some(canonical) if !host.is_empty() => {
                    if canonical {
                        plain |= value_bit(H_HOST);
                    }
                }
                _ => return Err(SigningError::MissingHost),
            }
            self.push_header(H_HOST);
        }
        for (index, (name, value)) in headers.iter().enumerate() {
            let has_upper = classify_name(name).ok_or(SigningError::InvalidHeaderName { index })?;
            if classify_value(value).ok_or(SigningError::InvalidHeaderValue { index })? {
                plain |= value_bit(index as u8);
            }
            let skip = match special_header(name) {
                Special::Host if self.req.host.is_some() => true,
                Special::Host => {
                    has_host = true;
                    false
                }
                other => self.ctx.owns_header(other),
            };
            if skip {
                continue;
            }
            if has_upper {
                self.upper |= 1 << index;
            }
            #[cfg(target_pointer_width = "64")]
            if let Some(key) = keys.get_mut(index) {
                let k = super::encoding::word::sort_key(name);
                *key = if has_upper {
                    super::encoding::word::to_lower(k)
                } else {
                    k
                };
            }
            self.push_header(index as u8);
        }
        if !has_host {
            return Err(SigningError::MissingHost);
        }
        self.plain_values = plain;
        // The context is asked id by id, not copied (it holds the payload hash).
        for &id in ADDED_HEADERS {
            if self.ctx.adds_header(id) {
                self.push_header(id);
            }
        }
        // Sort in place, ignoring case; the comparator borrows only the header list. Every pair
        // left next to each other was compared on the way, so a repeated name shows up as a
        // comparison of equal names, and only then are the repeats marked.
        let list = self.req.headers;
        let count = usize::from(self.header_count);
        let mut repeated = false;
        if let Some(live) = self.headers.get_mut(..count) {
            insertion_sort(live, |&a, &b| {
                #[cfg(target_pointer_width = "64")]
                {
                    let key = |id: u8| match keys.get(usize::from(id)) {
                        Some(&key) => key,
                        None => synthetic_sort_key(id),
                    };
                    let (ka, kb) = (key(a), key(b));
                    if ka != kb {
                        return ka.cmp(&kb);
                    }
                }
                let (na, nb) = (name_of(list, a), name_of(list, b));
                let by_name = cmp_ignore_case(na, nb);
                repeated |= by_name == Ordering::Equal;
                by_name.then(a.cmp(&b))
            });
        }
        let mut repeats = 0u64;
        if repeated {
            for (k, pair) in self.header_ids().windows(2).enumerate() {
                if let [a, b] = *pair {
                    if self.same_name(a, b) {
                        repeats |= 1 << (k + 1);
                    }
                }
            }
        }
        self.repeats = repeats;
        Ok(())
    }

    fn collect_query(&mut self) -> Result<(), SigningError> {
        let query = self.query_str();
        if query.len() > MAX_QUERY_LEN {
            return Err(SigningError::QueryTooLong {
                len: query.len(),
                limit: MAX_QUERY_LEN,
            });
        }
        let bytes = query.as_bytes();
        let ctx = &self.ctx;
        let presigned = ctx.presigned();
        let mut count = 0usize;
        let mut start = 0usize;
        while start < bytes.len() {
            let offset = start;
            let seg = scan_param(bytes, offset);
            start = seg.end + 1;
            if seg.end == offset {
                continue;
            }
            // Text without `%` is its own decoded form, and a `&str` is always UTF-8.
            if seg.or & class::PERCENT != 0
                && !is_valid_query_component(query.get(offset..seg.end).unwrap_or(""))
            {
                return Err(SigningError::InvalidQueryParam { offset });
            }
            let key_plain = seg.key_and & class::UNRESERVED != 0;
            if presigned {
                let key = query.get(offset..seg.key_end).unwrap_or("");
                let is = |p: &str| {
                    cmp_canonical_known(key, Decode::Form, key_plain, p, Decode::None, true)
                        == Ordering::Equal
                };
                if ctx.owns_param(is) {
                    continue;
                }
            }
            let slot = self
                .query
                .get_mut(count)
                .filter(|_| count < MAX_QUERY_PARAMS)
                .ok_or(SigningError::TooManyQueryParams {
                    limit: MAX_QUERY_PARAMS,
                })?;
            let mut key = (seg.key_end - offset) as u16;
            if key_plain {
                key |= KEY_PLAIN;
            }
            if seg.value_and & class::UNRESERVED != 0 {
                key |= VALUE_PLAIN;
            }
            *slot = (offset as u16, key, seg.end as u16);
            count += 1;
        }
        // The request's own parameters; with none, the table is already sorted.
        let own = count;
        // Already in sorted order among themselves.
        for id in ctx.added_params() {
            if let Some(slot) = self.query.get_mut(count) {
                *slot = (id, 0, 0);
                count += 1;
            }
        }
        self.query_count = count as u8;
        // Sort in place; the comparator borrows only the query text.
        if let Some(live) = self.query.get_mut(..count).filter(|_| own > 0) {
            insertion_sort(live, |a, b| cmp_params(query, *a, *b));
        }
        Ok(())
    }

    fn query_str(&self) -> &'a str {
        self.req.query.strip_prefix('?').unwrap_or(self.req.query)
    }

    /// The name of a header table entry.
    #[inline]
    fn header_name(&self, id: u8) -> &'a str {
        name_of(self.req.headers, id)
    }

    /// The value of a header table entry (`time`: the timestamp text, checked by the caller).
    fn header_value<'t>(&'t self, id: u8, time: &'t str) -> &'t str {
        match id {
            H_HOST => self.req.host.unwrap_or(""),
            i if i >= H_FIRST => self.ctx.added_header_value(i, time),
            i => self.req.headers.get(usize::from(i)).map_or("", |h| h.1),
        }
    }

    /// True when the entry's name is already lower case.
    #[inline]
    fn is_lower(&self, id: u8) -> bool {
        lower(self.upper, id)
    }

    /// True when two entries name the same header.
    #[inline]
    fn same_name(&self, a: u8, b: u8) -> bool {
        let (na, nb) = (self.header_name(a), self.header_name(b));
        if self.is_lower(a) && self.is_lower(b) {
            na == nb
        } else {
            eq_ignore_case(na, nb)
        }
    }

    /// True when sorted entry `k` names the same header as entry `k - 1`.
    #[inline]
    fn repeats_previous(&self, k: usize) -> bool {
        self.repeats >> k & 1 != 0
    }

    fn write_name<W: Write + ?Sized>(&self, w: &mut W, id: u8) -> fmt::Result {
        if self.is_lower(id) {
            w.write_str(self.header_name(id))
        } else {
            write_lowercase(w, self.header_name(id))
        }
    }

    fn header_ids(&self) -> &[u8] {
        self.headers
            .get(..usize::from(self.header_count))
            .unwrap_or(&[])
    }

    fn query_ids(&self) -> &[QueryEntry] {
        self.query
            .get(..usize::from(self.query_count))
            .unwrap_or(&[])
    }

    /// The credential scope this request is signed for.
    pub fn scope(&self) -> &CredentialScope<'a> {
        &self.ctx.scope
    }

    /// The signing time, `YYYYMMDDTHHMMSSZ`.
    pub fn amz_date(&self) -> AmzDateTime {
        *self.ctx.scope.time()
    }

    /// The payload hash line (hex or a SigV4 literal such as `UNSIGNED-PAYLOAD`).
    pub fn payload_hash(&self) -> &str {
        self.ctx.payload_hash.as_str()
    }

    /// Whether the signer adds `x-amz-content-sha256`.
    pub fn adds_content_sha256(&self) -> bool {
        self.ctx.add_content_sha256
    }

    /// Writes the signed header names, lower case, joined by `;` (or by `%3B` and
    /// percent-encoded, for the `X-Amz-SignedHeaders` query parameter when `query_form`).
    ///
    /// # Errors
    /// Whatever the writer reports.
    pub fn write_signed_headers<W: Write + ?Sized>(
        &self,
        w: &mut W,
        query_form: bool,
    ) -> fmt::Result {
        let mut previous: Option<u8> = None;
        for (k, &id) in self.header_ids().iter().enumerate() {
            if self.repeats_previous(k) {
                continue;
            }
            if previous.is_some() {
                w.write_str(if query_form { "%3B" } else { ";" })?;
            }
            if query_form {
                self.write_name(&mut EncodeWriter(w), id)?;
            } else {
                self.write_name(w, id)?;
            }
            previous = Some(id);
        }
        Ok(())
    }

    fn write_path<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        let path = self.req.path;
        // The root (most API calls) is its own canonical form under every setting.
        if path.is_empty() || path == "/" {
            return w.write_char('/');
        }
        let normalize = self.ctx.settings.normalize_path && path_needs_normalizing(path);
        // Double encoding takes the path as it is; single encoding decodes escapes first.
        let decode = match self.ctx.settings.uri_encoding {
            UriEncoding::Double => Decode::None,
            UriEncoding::Single => Decode::Escapes,
        };
        if normalize {
            // Segments hold no `/` of their own; a decoded `%2F` stays `/` under single encoding.
            write_normalized_path(w, path, decode, decode == Decode::Escapes)
        } else {
            write_recoded(w, path, decode, true)
        }
    }

    fn write_query<W: Write + ?Sized>(
        &self,
        w: &mut W,
        signed_headers: Option<&str>,
        time: &str,
    ) -> fmt::Result {
        let query = self.query_str();
        for (i, &entry) in self.query_ids().iter().enumerate() {
            if i > 0 {
                w.write_char('&')?;
            }
            let (id, key, end) = entry;
            let key_end = usize::from(id) + usize::from(key & LEN_MASK);
            // Already canonical (plain key, `=`, plain value): the raw text, in one piece.
            if id < Q_BASE && key & PLAIN == PLAIN && key_end < usize::from(end) {
                w.write_str(query.get(usize::from(id)..usize::from(end)).unwrap_or(""))?;
                continue;
            }
            if id < Q_BASE {
                let (k, v) = param_of(query, entry);
                if entry.1 & KEY_PLAIN != 0 {
                    w.write_str(k)?;
                } else {
                    write_recoded(w, k, Decode::Form, false)?;
                }
                w.write_char('=')?;
                if entry.1 & VALUE_PLAIN != 0 {
                    w.write_str(v)?;
                } else {
                    write_recoded(w, v, Decode::Form, false)?;
                }
                continue;
            }
            w.write_str(synthetic_param_name(id))?;
            w.write_char('=')?;
            match signed_headers {
                None if id == Q_SIGNED_HEADERS => self.write_signed_headers(w, true)?,
                list => self
                    .ctx
                    .write_added_param(w, id, list.unwrap_or(""), time)?,
            }
        }
        Ok(())
    }

    fn write_headers<W: Write + ?Sized>(&self, w: &mut W, time: &str) -> fmt::Result {
        let mut previous: Option<u8> = None;
        for (k, &id) in self.header_ids().iter().enumerate() {
            if self.repeats_previous(k) {
                w.write_char(',')?;
            } else {
                if previous.is_some() {
                    w.write_char('\n')?;
                }
                self.write_name(w, id)?;
                w.write_char(':')?;
            }
            let value = self.header_value(id, time);
            if self.plain_values & value_bit(id) != 0 {
                w.write_str(value)?;
            } else {
                write_trimmed_value(w, value)?;
            }
            previous = Some(id);
        }
        if previous.is_some() {
            w.write_char('\n')?;
        }
        Ok(())
    }

    /// Writes the exact canonical request text (no trailing newline).
    ///
    /// # Errors
    /// Whatever the writer reports.
    pub fn write_to<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        self.write_with(w, None, self.ctx.scope.time().as_str())
    }

    /// [`CanonicalRequest::write_to`] reusing an already written signed-header list: the signer
    /// writes it once into the `Authorization` text and feeds the same bytes to the hash. `time`
    /// is the scope's timestamp text (`scope().time().as_str()`), which the signer checks once.
    #[inline(never)]
    pub(crate) fn write_with<W: Write + ?Sized>(
        &self,
        w: &mut W,
        signed_headers: Option<&str>,
        time: &str,
    ) -> fmt::Result {
        w.write_str(self.req.method)?;
        w.write_char('\n')?;
        self.write_path(w)?;
        w.write_char('\n')?;
        self.write_query(w, signed_headers, time)?;
        w.write_char('\n')?;
        self.write_headers(w, time)?;
        w.write_char('\n')?;
        match signed_headers {
            Some(list) => w.write_str(list)?,
            None => self.write_signed_headers(w, false)?,
        }
        w.write_char('\n')?;
        w.write_str(self.ctx.payload_hash.as_str())
    }
}

impl CanonicalText for CanonicalRequest<'_> {
    fn context(&self) -> &SigningContext<'_> {
        &self.ctx
    }

    fn write_signed_headers<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        CanonicalRequest::write_signed_headers(self, w, false)
    }

    fn write_canonical<W: Write + ?Sized>(
        &self,
        w: &mut W,
        signed_headers: &str,
        time: &str,
    ) -> fmt::Result {
        self.write_with(w, Some(signed_headers), time)
    }
}

impl fmt::Display for CanonicalRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl fmt::Debug for CanonicalRequest<'_> {
    /// The request summary only; the canonical text may hold a session token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CanonicalRequest")
            .field("request", &self.req)
            .field("scope", &self.ctx.scope)
            .field("signed_headers", &self.header_count)
            .field("query_params", &self.query_count)
            .finish()
    }
}

/// Sorts a short table in place. Tables hold at most a few dozen entries, where insertion sort is
/// as fast as any and a fraction of the code size of `sort_unstable` (which matters on flash).
/// Every two entries that end up next to each other were compared directly on the way (the
/// header table relies on it to spot repeated names).
fn insertion_sort<T: Copy>(items: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 {
            match (items.get(j - 1).copied(), items.get(j).copied()) {
                (Some(prev), Some(cur)) if cmp(&prev, &cur) == Ordering::Greater => {
                    items.swap(j - 1, j);
                    j -= 1;
                }
                _ => break,
            }
        }
    }
}

/// The name of a header table entry (request header index or synthetic id).
#[inline]
pub(crate) fn name_of<'h>(headers: &[(&'h str, &'h str)], id: u8) -> &'h str {
    match id.checked_sub(H_FIRST) {
        Some(k) => SYNTHETIC_HEADER_NAMES
            .get(usize::from(k))
            .copied()
            .unwrap_or(""),
        None => headers.get(usize::from(id)).map_or("", |h| h.0),
    }
}

/// The names of the synthetic header ids, from [`H_FIRST`] on (a table: smaller and no slower
/// than a match).
const SYNTHETIC_HEADER_NAMES: [&str; 5] = [
    "x-amz-region-set",
    "host",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

/// [`super::encoding::word::sort_key`] of a synthetic header's name (lower case already).
#[cfg(target_pointer_width = "64")]
fn synthetic_sort_key(id: u8) -> u64 {
    // Evaluated at compile time: an index out of range would fail the build, not panic.
    #[allow(clippy::indexing_slicing)]
    const KEYS: [u64; SYNTHETIC_HEADER_NAMES.len()] = {
        let mut keys = [0; SYNTHETIC_HEADER_NAMES.len()];
        let mut i = 0;
        while i < keys.len() {
            keys[i] = super::encoding::word::sort_key(SYNTHETIC_HEADER_NAMES[i]);
            i += 1;
        }
        keys
    };
    KEYS.get(usize::from(id.wrapping_sub(H_FIRST)))
        .copied()
        .unwrap_or(0)
}

/// The bit of a header table entry in [`CanonicalRequest::plain_values`]: request headers keep
/// their index, the synthetic ids take bits 32 to 36.
#[inline]
fn value_bit(id: u8) -> u64 {
    let bit = if id >= H_FIRST {
        32 + (id - H_FIRST)
    } else {
        id
    };
    1u64.checked_shl(u32::from(bit)).unwrap_or(0)
}

/// True when a header table entry's name is already lower case.
#[inline]
fn lower(upper: u32, id: u8) -> bool {
    id >= H_FIRST || upper & 1u32.checked_shl(u32::from(id)).unwrap_or(0) == 0
}

/// A request parameter's raw key and value (after the `=`; empty without one).
fn param_of(query: &str, (offset, key, end): QueryEntry) -> (&str, &str) {
    let start = usize::from(offset);
    let key_end = start + usize::from(key & LEN_MASK);
    (
        query.get(start..key_end).unwrap_or(""),
        query.get(key_end + 1..usize::from(end)).unwrap_or(""),
    )
}

/// The raw key of a request parameter of the query table.
#[inline]
fn key_of(query: &str, (offset, key, _): QueryEntry) -> &str {
    let start = usize::from(offset);
    query
        .get(start..start + usize::from(key & LEN_MASK))
        .unwrap_or("")
}

/// The extent and byte classes of one raw `key[=value]` query segment, found in one scan.
struct ParamScan {
    /// Where the key ends (at the first `=`, the next `&` or the end of the query).
    key_end: usize,
    /// Where the segment ends (at the next `&` or the end of the query).
    end: usize,
    /// The class AND of the key's bytes, and of the value's.
    key_and: u8,
    value_and: u8,
    /// The class OR of every byte of key and value.
    or: u8,
}

/// Scans the query segment starting at `start`.
fn scan_param(bytes: &[u8], start: usize) -> ParamScan {
    // On 64-bit targets, runs of unreserved bytes are skipped a word at a time: they are no
    // separator, keep the key's and the value's UNRESERVED flag and add no PERCENT.
    #[cfg(target_pointer_width = "64")]
    return scan_param_by(bytes, start, |i| {
        super::encoding::word::unreserved_run(bytes, i)
    });
    #[cfg(not(target_pointer_width = "64"))]
    return scan_param_by(bytes, start, |_| 0);
}

/// [`scan_param`], skipping the `run(i)` bytes from `i` on as unreserved before each byte (and
/// at the start of key and value).
#[inline(always)]
fn scan_param_by(bytes: &[u8], start: usize, run: impl Fn(usize) -> usize) -> ParamScan {
    let mut i = start + run(start);
    let (mut and, mut or) = (u8::MAX, 0u8);
    while let Some(&b) = bytes.get(i) {
        let c = class(b);
        if c & class::SEPARATOR != 0 {
            break;
        }
        and &= c;
        or |= c;
        i += 1;
        i += run(i);
    }
    let (key_end, key_and) = (i, and);
    and = u8::MAX;
    if bytes.get(i) == Some(&b'=') {
        i += 1;
        i += run(i);
        // A later `=` belongs to the value (and is escaped there).
        while let Some(&b) = bytes.get(i) {
            if b == b'&' {
                break;
            }
            let c = class(b);
            and &= c;
            or |= c;
            i += 1;
            i += run(i);
        }
    }
    ParamScan {
        key_end,
        end: i,
        key_and,
        value_and: and,
        or,
    }
}

pub(crate) fn synthetic_param_name(id: u16) -> &'static str {
    let names = [
        PARAM_ALGORITHM,
        PARAM_CREDENTIAL,
        PARAM_DATE,
        PARAM_EXPIRES,
        PARAM_REGION_SET,
        PARAM_TOKEN,
    ];
    names
        .get(usize::from(id.wrapping_sub(Q_BASE)))
        .copied()
        .unwrap_or(PARAM_SIGNED_HEADERS)
}

/// Orders query entries by canonical key, then canonical value.
fn cmp_params(query: &str, a: QueryEntry, b: QueryEntry) -> Ordering {
    if a.0 >= Q_BASE && b.0 >= Q_BASE {
        return a.0.cmp(&b.0);
    }
    let (ka, kb) = (sort_key(query, a), sort_key(query, b));
    let by_key = cmp_canonical_known(ka.0, ka.1, ka.2, kb.0, kb.1, kb.2);
    // A synthetic parameter never shares its key with a request parameter (those are dropped),
    // so only two request parameters can need their values.
    if by_key != Ordering::Equal || a.0 >= Q_BASE || b.0 >= Q_BASE {
        return by_key;
    }
    let (va, vb) = (param_of(query, a).1, param_of(query, b).1);
    cmp_canonical_known(
        va,
        Decode::Form,
        a.1 & VALUE_PLAIN != 0,
        vb,
        Decode::Form,
        b.1 & VALUE_PLAIN != 0,
    )
}

/// The key of a query entry to sort by: raw text, how it decodes, whether it is already
/// canonical. One comparison path serves request and synthetic parameters alike.
fn sort_key(query: &str, e: QueryEntry) -> (&str, Decode, bool) {
    if e.0 >= Q_BASE {
        return (synthetic_param_name(e.0), Decode::None, true);
    }
    (key_of(query, e), Decode::Form, e.1 & KEY_PLAIN != 0)
}

/// A writer adapter that percent-encodes everything written through it (no `/` kept).
struct EncodeWriter<'w, W: Write + ?Sized>(&'w mut W);

impl<W: Write + ?Sized> Write for EncodeWriter<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_encoded(self.0, s, false)
    }

    /// An ASCII char (the `/`s of a credential scope) is passed on or escaped directly.
    fn write_char(&mut self, c: char) -> fmt::Result {
        match u8::try_from(c) {
            Ok(b) if is_unreserved(b) => self.0.write_char(c),
            Ok(b) if b.is_ascii() => write_escape(self.0, b),
            _ => write_encoded(self.0, c.encode_utf8(&mut [0; 4]), false),
        }
    }
}

/// Checks that an access key id can sit in a credential scope.
fn validate_access_key_id(id: &str) -> Result<(), SigningError> {
    // Unreserved bytes (all a real key id holds) are checked with one table lookup each.
    let ok = !id.is_empty()
        && id.len() <= crate::limits::MAX_ACCESS_KEY_ID_LEN
        && (classes(id).0 & class::UNRESERVED != 0
            || id
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b'/' | b',' | b'=')));
    if ok {
        Ok(())
    } else {
        Err(SigningError::InvalidAccessKeyId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where two header names' sort keys differ, they order the names as the case-blind
    /// comparison does; the synthetic headers' keys are their names' keys.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn sort_keys_order_names_as_the_comparison_does() {
        use super::super::encoding::word::{sort_key, to_lower};
        let names = "a A ab abc abd Abc host Host hosT hostx accept ACCEPT accepts x-amz-date \
            X-Amz-Date x-amz-dat x-amz-d x-amz- x-amz-da x-amz-dates x-amz-user-agent \
            x-amz-content-sha256 x-amz-c x-amz-security-token x-amz-region-set content-type \
            Content-Length z ~ - 0 a0 a- ab~ AbCdEfGh abcdefgh abcdefg abcdefghi zz";
        for a in names.split_whitespace() {
            for b in names.split_whitespace() {
                let (ka, kb) = (to_lower(sort_key(a)), to_lower(sort_key(b)));
                if ka != kb {
                    assert_eq!(ka.cmp(&kb), cmp_ignore_case(a, b), "{a} {b}");
                } else if a.len() <= 8 && b.len() <= 8 {
                    assert!(eq_ignore_case(a, b), "{a} {b}");
                }
            }
        }
        for id in [H_HOST, H_DATE, H_TOKEN, H_SHA256] {
            assert_eq!(synthetic_sort_key(id), sort_key(name_of(&[], id)));
        }
        #[cfg(feature = "sigv4a")]
        assert_eq!(
            synthetic_sort_key(H_REGION_SET),
            sort_key("x-amz-region-set")
        );
    }

    /// The query scan that skips unreserved runs a word at a time finds what the byte-at-a-time
    /// scan finds, at every start, for segments of every shape around word boundaries.
    #[test]
    fn word_scan_matches_byte_scan() {
        let odd = [b'=', b'&', b'%', b'+', b'~', b'Z', b' ', 0x80, b'/', b'a'];
        let mut text = [b'a'; 40];
        for len in 0..text.len() {
            for at in 0..len {
                for &x in &odd {
                    for &y in &odd {
                        text = [b'a'; 40];
                        text[at] = x;
                        text[(at * 7 + 3) % len] = y;
                        let bytes = &text[..len];
                        for start in 0..len {
                            let (w, b) =
                                (scan_param(bytes, start), scan_param_by(bytes, start, |_| 0));
                            let flags = |s: &ParamScan| {
                                (
                                    s.key_end,
                                    s.end,
                                    s.key_and & class::UNRESERVED,
                                    s.value_and & class::UNRESERVED,
                                    s.or & class::PERCENT,
                                )
                            };
                            assert_eq!(flags(&w), flags(&b), "{bytes:?} from {start}");
                        }
                    }
                }
            }
        }
    }
}
