//! Presigned URLs: the query parameters a query-signed request carries.
//!
//! A presigned URL is the request's own URL plus, in this order, `X-Amz-Algorithm`,
//! `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-Region-Set` (SigV4a only),
//! `X-Amz-SignedHeaders`, `X-Amz-Signature` and, with temporary credentials,
//! `X-Amz-Security-Token`. As the AWS SDKs do, the token is
//! covered by the signature (it is part of the canonical query string) unless
//! [`SessionTokenMode::AfterSigning`](super::SessionTokenMode::AfterSigning) is chosen, yet it is
//! appended after the signature. Presigned requests sign only headers (never `X-Amz-Date` or
//! `x-amz-content-sha256`) and use the caller's payload mode, usually `UNSIGNED-PAYLOAD`.

use core::cmp::Ordering;
use core::fmt::{self, Write};

use super::encoding::{cmp_canonical_known, write_decimal, write_encoded, Decode};
use super::output::{Placement, SigningInstructions};
use super::signing_context::{
    is_presign_param, PARAM_ALGORITHM, PARAM_CREDENTIAL, PARAM_DATE, PARAM_EXPIRES,
    PARAM_REGION_SET, PARAM_SIGNATURE, PARAM_SIGNED_HEADERS, PARAM_TOKEN,
};

/// A query parameter value: borrowed text, or the URL lifetime as a number.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ParamValue<'o> {
    /// Raw (not yet percent-encoded) text.
    Text(&'o str),
    /// A decimal number (`X-Amz-Expires`).
    Number(u32),
}

impl fmt::Display for ParamValue<'_> {
    /// The raw value (not percent-encoded).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Text(t) => f.write_str(t),
            ParamValue::Number(n) => write!(f, "{n}"),
        }
    }
}

impl fmt::Debug for ParamValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Text(_) => f.write_str("Text(..)"),
            ParamValue::Number(n) => write!(f, "Number({n})"),
        }
    }
}

impl ParamValue<'_> {
    /// Writes the value percent-encoded for a URL query.
    ///
    /// # Errors
    /// Whatever the writer reports.
    pub fn write_encoded<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        match self {
            ParamValue::Text(t) => write_encoded(w, t, false),
            ParamValue::Number(n) => write_decimal(w, *n),
        }
    }
}

/// Iterator over the `(name, raw value)` query parameters of
/// [`SigningInstructions::query_params`].
#[derive(Clone)]
pub struct QueryParamIter<'o> {
    ins: SigningInstructions<'o>,
    next: u8,
}

impl fmt::Debug for QueryParamIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryParamIter")
            .field("next", &self.next)
            .finish()
    }
}

impl<'o> Iterator for QueryParamIter<'o> {
    type Item = (&'static str, ParamValue<'o>);

    fn next(&mut self) -> Option<Self::Item> {
        if !self.ins.is_presigned() {
            return None;
        }
        loop {
            let i = self.next;
            self.next = self.next.saturating_add(1);
            let item = match i {
                0 => (PARAM_ALGORITHM, ParamValue::Text(self.ins.algorithm())),
                1 => (PARAM_CREDENTIAL, ParamValue::Text(self.ins.credential())),
                2 => (PARAM_DATE, ParamValue::Text(self.ins.amz_date())),
                3 => (PARAM_EXPIRES, ParamValue::Number(self.ins.out.expires)),
                4 => match self.ins.region_set() {
                    Some(set) => (PARAM_REGION_SET, ParamValue::Text(set)),
                    None => continue,
                },
                5 => (
                    PARAM_SIGNED_HEADERS,
                    ParamValue::Text(self.ins.signed_headers()),
                ),
                6 => (PARAM_SIGNATURE, ParamValue::Text(self.ins.signature())),
                7 => match self.ins.token {
                    Some(t) => (PARAM_TOKEN, ParamValue::Text(t)),
                    None => continue,
                },
                _ => return None,
            };
            return Some(item);
        }
    }
}

impl<'o> SigningInstructions<'o> {
    /// Query parameters to append for a presigned URL (raw values; see
    /// [`SigningInstructions::write_query`] for the encoded form). Empty for header signing.
    pub fn query_params(&self) -> QueryParamIter<'o> {
        QueryParamIter {
            ins: *self,
            next: 0,
        }
    }

    /// Writes the presigned query parameters percent-encoded and joined by `&`, without a
    /// leading separator: append it after `?` or `&`.
    ///
    /// # Errors
    /// Whatever the writer reports.
    pub fn write_query<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        for (i, (name, value)) in self.query_params().enumerate() {
            if i > 0 {
                w.write_char('&')?;
            }
            w.write_str(name)?;
            w.write_char('=')?;
            value.write_encoded(w)?;
        }
        Ok(())
    }

    /// True when a query parameter with this raw (percent-encoded as sent) key is one the
    /// presigned URL carries anew, so the request's own parameter of that name was left out of
    /// the signature and must not be sent: an old presign parameter (`X-Amz-Algorithm`,
    /// `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
    /// `X-Amz-Signature`, `X-Amz-Security-Token`, and with SigV4a `X-Amz-Region-Set`). Names
    /// compare as the canonical query does (decoded, case-sensitive). Always false for header
    /// signing.
    pub fn replaces_param(&self, raw_key: &str) -> bool {
        self.is_presigned()
            && is_presign_param(
                |p| {
                    cmp_canonical_known(raw_key, Decode::Form, false, p, Decode::None, true)
                        == Ordering::Equal
                },
                self.region_set().is_some(),
            )
    }

    /// Writes `url` (scheme, host, path and the request's own query, as signed) followed by the
    /// presigned parameters, choosing `?` or `&` as the separator. Parameters of `url` that the
    /// presigned URL carries anew ([`SigningInstructions::replaces_param`]: the parameters of an
    /// earlier presigning) are left out, as the signature left them out; empty `&&` segments are
    /// dropped.
    ///
    /// # Errors
    /// Whatever the writer reports.
    pub fn write_url<W: Write + ?Sized>(&self, w: &mut W, url: &str) -> fmt::Result {
        if self.out.placement != Placement::Query {
            return w.write_str(url);
        }
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        w.write_str(base)?;
        let mut sep = '?';
        for segment in query.split('&') {
            let key = segment.split_once('=').map_or(segment, |(k, _)| k);
            if segment.is_empty() || self.replaces_param(key) {
                continue;
            }
            w.write_char(sep)?;
            w.write_str(segment)?;
            sep = '&';
        }
        w.write_char(sep)?;
        self.write_query(w)
    }
}
