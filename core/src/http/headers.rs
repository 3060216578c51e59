//! The header store: a fixed-capacity, ordered set of headers packed into one byte array, with
//! redacted `Debug` and storage wiped on removal and drop.

use core::fmt;

use zeroize::Zeroize;

use crate::limits::{
    MAX_REQUEST_HEADERS, MAX_REQUEST_HEADER_BYTES, MAX_RESPONSE_HEADERS, MAX_RESPONSE_HEADER_BYTES,
};

use super::error::{HttpError, HttpPart};

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

/// Headers whose values are secret or signing material; `Debug` and the request log never
/// print them.
pub(crate) fn is_sensitive(name: &str) -> bool {
    [
        "authorization",
        "x-amz-security-token",
        "x-aws-ec2-metadata-token",
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

/// The header set of an [`HttpRequest`](super::HttpRequest).
pub type RequestHeaders = Headers<MAX_REQUEST_HEADERS, MAX_REQUEST_HEADER_BYTES>;
/// The header set of a [`ResponseHead`](super::ResponseHead).
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

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

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
    }
}
