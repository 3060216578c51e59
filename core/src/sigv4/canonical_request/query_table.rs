//! The canonical request's query table: which query parameters are signed, in which order and in
//! which form. Six bytes per entry: where a raw `key[=value]` segment starts, where its key ends
//! (with two flags: key and value already canonical) and where it ends; or a synthetic id for a
//! parameter a presigned URL adds.

use core::cmp::Ordering;
use core::fmt::{self, Write};

use crate::limits::{MAX_QUERY_LEN, MAX_QUERY_PARAMS};

use crate::sigv4::encoding::{
    class, cmp_canonical_known, is_valid_query_component, write_recoded, Decode,
};
use crate::sigv4::error::SigningError;
use crate::sigv4::signing_context::{
    PARAM_ALGORITHM, PARAM_CREDENTIAL, PARAM_DATE, PARAM_EXPIRES, PARAM_REGION_SET,
    PARAM_SIGNED_HEADERS, PARAM_TOKEN,
};

use super::{insertion_sort, CanonicalRequest};

// Synthetic query parameter ids, above every query offset.
pub(crate) const Q_BASE: u16 = 0xfff0;
pub(crate) const Q_ALGORITHM: u16 = Q_BASE;
pub(crate) const Q_CREDENTIAL: u16 = Q_BASE + 1;
pub(crate) const Q_DATE: u16 = Q_BASE + 2;
pub(crate) const Q_EXPIRES: u16 = Q_BASE + 3;
#[cfg(feature = "sigv4a")]
pub(crate) const Q_REGION_SET: u16 = Q_BASE + 4;
pub(crate) const Q_TOKEN: u16 = Q_BASE + 5;
pub(crate) const Q_SIGNED_HEADERS: u16 = Q_BASE + 6;
pub(crate) const QUERY_SLOTS: usize = MAX_QUERY_PARAMS + 7;
const _: () = assert!(Q_TOKEN == Q_BASE + 5 && Q_SIGNED_HEADERS == Q_BASE + 6);

// A query entry's key length keeps two flags in its top bits: its key, its value is plain.
const KEY_PLAIN: u16 = 0x8000;
const VALUE_PLAIN: u16 = 0x4000;
const PLAIN: u16 = KEY_PLAIN | VALUE_PLAIN;
/// A query table entry: `(start, key length | flags, end)`, or a synthetic id and zeros.
pub(crate) type QueryEntry = (u16, u16, u16);
const LEN_MASK: u16 = 0x3fff;
const _: () = assert!(MAX_QUERY_LEN <= LEN_MASK as usize && MAX_QUERY_LEN < Q_BASE as usize);

impl<'a> CanonicalRequest<'a> {
    pub(super) fn collect_query(&mut self) -> Result<(), SigningError> {
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

    fn query_ids(&self) -> &[QueryEntry] {
        self.query
            .get(..usize::from(self.query_count))
            .unwrap_or(&[])
    }

    pub(super) fn write_query<W: Write + ?Sized>(
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
    // With wide paths, runs of unreserved bytes are skipped a word at a time: they are no
    // separator, keep the key's and the value's UNRESERVED flag and add no PERCENT.
    #[cfg(wide_paths)]
    return scan_param_by(bytes, start, |i| {
        crate::sigv4::encoding::word::unreserved_run(bytes, i)
    });
    #[cfg(not(wide_paths))]
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

#[cfg(test)]
mod tests {
    use super::*;

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
