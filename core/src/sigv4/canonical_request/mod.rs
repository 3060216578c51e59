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
//!
//! The request's two tables each have their own module: [`header_table`] (which headers are
//! signed, in which order, under which name) and [`query_table`] (which query parameters, in which
//! order, in which form). The signer's own half, shared with already-canonical parts, is
//! [`SigningContext`](super::signing_context::SigningContext).

mod header_table;
mod query_table;

#[cfg(feature = "sigv4a")]
pub(crate) use header_table::H_REGION_SET;
pub(crate) use header_table::{name_of, H_DATE, H_SHA256, H_TOKEN};
#[cfg(feature = "sigv4a")]
pub(crate) use query_table::Q_REGION_SET;
pub(crate) use query_table::{
    synthetic_param_name, Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SIGNED_HEADERS, Q_TOKEN,
};

use core::cmp::Ordering;
use core::fmt::{self, Write};

use crate::limits::MAX_URI_PATH_LEN;
use crate::time::AmzDateTime;

use crate::sigv4::encoding::{
    is_token, path_needs_normalizing, write_normalized_path, write_recoded, Decode, UriEncoding,
};
use crate::sigv4::error::SigningError;
use crate::sigv4::request::{SignableRequest, SigningParams};
use crate::sigv4::scope::CredentialScope;
use crate::sigv4::signing_context::SigningContext;

use header_table::HEADER_SLOTS;
use query_table::{QueryEntry, QUERY_SLOTS};

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

    fn write_path<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        let path = self.req.path;
        // The root (most API calls) is its own canonical form under every setting.
        if path.is_empty() || path == "/" {
            return w.write_char('/');
        }
        let normalize = self.ctx.settings.normalize_path && path_needs_normalizing(path);
        // Double encoding takes the path as it is and encodes it; single encoding (S3) signs the
        // path as sent: an escape stays as written (`%2F` is not a `/`), other bytes that need
        // one are escaped.
        let decode = match self.ctx.settings.uri_encoding {
            UriEncoding::Double => Decode::None,
            UriEncoding::Single => Decode::KeepEscapes,
        };
        if normalize {
            write_normalized_path(w, path, decode, true)
        } else {
            write_recoded(w, path, decode, true)
        }
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
