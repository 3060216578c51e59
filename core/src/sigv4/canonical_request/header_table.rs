//! The canonical request's header table: which headers are signed, in which order, and under
//! which name. One byte per entry: a request header's index, or a synthetic id (above every index)
//! for the headers the signer adds itself and for a `host` kept apart from the list.

use core::cmp::Ordering;
use core::fmt::{self, Write};

use crate::limits::MAX_SIGNER_HEADERS;

use crate::sigv4::encoding::{
    classify_name, classify_value, cmp_ignore_case, eq_ignore_case, write_lowercase,
    write_trimmed_value, EncodeWriter,
};
use crate::sigv4::error::SigningError;
use crate::sigv4::signing_context::{special_header, Special, ADDED_HEADERS};

use super::{insertion_sort, CanonicalRequest};

// Synthetic header ids, above every request header index.
#[cfg(feature = "sigv4a")]
pub(crate) const H_REGION_SET: u8 = 0xfb;
/// The lowest synthetic header id.
pub(crate) const H_FIRST: u8 = 0xfb;
pub(crate) const H_HOST: u8 = 0xfc;
pub(crate) const H_DATE: u8 = 0xfd;
pub(crate) const H_TOKEN: u8 = 0xfe;
pub(crate) const H_SHA256: u8 = 0xff;
const _: () = assert!(
    H_HOST == H_FIRST + 1 && H_DATE == H_FIRST + 2 && H_TOKEN == H_FIRST + 3,
    "SYNTHETIC_HEADER_NAMES is indexed by id - H_FIRST"
);
const _: () = assert!(
    MAX_SIGNER_HEADERS <= 32,
    "upper-case flags are a u32 bit set"
);
pub(crate) const HEADER_SLOTS: usize = MAX_SIGNER_HEADERS + 5;
const _: () = assert!(HEADER_SLOTS <= 64, "repeated-name flags are a u64 bit set");

impl<'a> CanonicalRequest<'a> {
    fn push_header(&mut self, id: u8) {
        if let Some(slot) = self.headers.get_mut(usize::from(self.header_count)) {
            *slot = id;
            self.header_count += 1;
        }
    }

    pub(super) fn collect_headers(&mut self) -> Result<(), SigningError> {
        let headers = self.req.headers;
        if headers.len() > MAX_SIGNER_HEADERS {
            return Err(SigningError::TooManyHeaders {
                limit: MAX_SIGNER_HEADERS,
            });
        }
        let mut has_host = self.req.host.is_some();
        // With wide paths the sort compares names by their first eight bytes as one number
        // first (request headers' keys here, the signer's own computed when compared).
        #[cfg(wide_paths)]
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
            #[cfg(wide_paths)]
            if let Some(key) = keys.get_mut(index) {
                let k = crate::sigv4::encoding::word::sort_key(name);
                *key = if has_upper {
                    crate::sigv4::encoding::word::to_lower(k)
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
                #[cfg(wide_paths)]
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

    pub(super) fn write_headers<W: Write + ?Sized>(&self, w: &mut W, time: &str) -> fmt::Result {
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

/// [`crate::sigv4::encoding::word::sort_key`] of a synthetic header's name (lower case already).
#[cfg(any(wide_paths, test))]
#[cfg_attr(not(wide_paths), allow(dead_code))] // host tests check it with the size paths too
fn synthetic_sort_key(id: u8) -> u64 {
    // Evaluated at compile time: an index out of range would fail the build, not panic.
    #[allow(clippy::indexing_slicing)]
    const KEYS: [u64; SYNTHETIC_HEADER_NAMES.len()] = {
        let mut keys = [0; SYNTHETIC_HEADER_NAMES.len()];
        let mut i = 0;
        while i < keys.len() {
            keys[i] = crate::sigv4::encoding::word::sort_key(SYNTHETIC_HEADER_NAMES[i]);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Where two header names' sort keys differ, they order the names as the case-blind
    /// comparison does; the synthetic headers' keys are their names' keys.
    #[test]
    fn sort_keys_order_names_as_the_comparison_does() {
        use crate::sigv4::encoding::word::{sort_key, to_lower};
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
}
