//! The text rules of SigV4 canonicalization: percent-encoding, path normalization, header name
//! and value rules, and the validators that turn bad input into typed errors.
//!
//! * **Percent-encoding**: every byte outside the RFC 3986 unreserved set (`A-Z a-z 0-9 - . _ ~`)
//!   becomes `%XX` with upper-case hex. Paths keep `/`.
//! * **Query components** are first decoded (`%XX` escapes, and `+` as a space, as HTTP servers
//!   and the official Rust signer read them), then encoded. A malformed escape or a component
//!   that decodes to bytes that are not UTF-8 is an error.
//! * **Paths**, for most services ([`UriEncoding::Double`]): the path as given is normalized
//!   (dot segments removed, slashes merged) and then encoded once more, so an existing `%3D` becomes
//!   `%253D`. For S3 ([`UriEncoding::Single`]) the path is not normalized and is signed as sent:
//!   a valid escape stays as written (`%2F` is not a `/`, as Go v1, botocore and aws-sigv4 sign
//!   it) and other bytes that need one are escaped, so both `/a b` and `/a%20b` sign as `/a%20b`.
//! * **Header values** lose leading and trailing spaces and tabs; inner runs of them become one
//!   space.
//!
//! Every writer here takes a `core::fmt::Write` and writes runs of bytes that need no escaping in
//! one call, which keeps hashing the canonical request cheap.

use core::cmp::Ordering;
use core::fmt::{self, Write};

/// How a request path is encoded into the canonical request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UriEncoding {
    /// Encode the path as given once more (most services): `%` becomes `%25`.
    Double,
    /// The path as sent (S3): valid escapes kept as written, other bytes that need one escaped.
    Single,
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Byte classes: bit flags looked up in one table, so a run of text is classified with one load
/// and one AND/OR per byte, without branches.
pub(crate) mod class {
    /// RFC 3986 unreserved (`A-Z a-z 0-9 - . _ ~`): never escaped.
    pub(crate) const UNRESERVED: u8 = 1;
    /// RFC 9110 `tchar`: header names and methods.
    pub(crate) const TCHAR: u8 = 2;
    /// `A-Z`.
    pub(crate) const UPPER: u8 = 4;
    /// Allowed in a header value: tab, `0x20..=0x7e` and every non-ASCII byte.
    pub(crate) const VALUE: u8 = 8;
    /// Space or tab.
    pub(crate) const WS: u8 = 16;
    /// `%`: a query component holding it must have valid escapes.
    pub(crate) const PERCENT: u8 = 32;
    /// `&` or `=`: where a query key ends.
    pub(crate) const SEPARATOR: u8 = 64;
    /// `/`: kept as it is in a path.
    pub(crate) const SLASH: u8 = 128;
}

const fn class_of(b: u8) -> u8 {
    let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    let tchar = unreserved
        || matches!(
            b,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'^' | b'`' | b'|'
        );
    let mut c = 0;
    if unreserved {
        c |= class::UNRESERVED;
    }
    if tchar {
        c |= class::TCHAR;
    }
    if b.is_ascii_uppercase() {
        c |= class::UPPER;
    }
    if b == b'\t' || (b >= 0x20 && b != 0x7f) {
        c |= class::VALUE;
    }
    if b == b' ' || b == b'\t' {
        c |= class::WS;
    }
    if b == b'%' {
        c |= class::PERCENT;
    }
    if b == b'&' || b == b'=' {
        c |= class::SEPARATOR;
    }
    if b == b'/' {
        c |= class::SLASH;
    }
    c
}

// Built at compile time; `b` stays below 256, so the indexing cannot fail at run time.
#[allow(clippy::indexing_slicing)]
static CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        t[b] = class_of(b as u8);
        b += 1;
    }
    t
};

/// The class flags of one byte.
#[inline(always)]
pub(crate) fn class(b: u8) -> u8 {
    CLASSES.get(usize::from(b)).copied().unwrap_or(0)
}

/// The AND and the OR of the class flags of every byte of `s`: `and` has a flag when every byte
/// has it, `or` when any byte has it. (`and` is all ones for empty text.)
#[inline]
pub(crate) fn classes(s: &str) -> (u8, u8) {
    s.bytes().fold((u8::MAX, 0), |(and, or), b| {
        let c = class(b);
        (and & c, or | c)
    })
}

/// A writer adapter that percent-encodes everything written through it (no `/` kept).
pub(crate) struct EncodeWriter<'w, W: Write + ?Sized>(pub(crate) &'w mut W);

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

/// Byte classes eight bytes at a time, with wide paths only (see "Speed or size" in the
/// [`sigv4`](super) docs; the size paths keep the byte-class table alone, and their flash): a mask has the top bit of
/// each byte set where that byte is in a class. The query scan skips runs of unreserved bytes
/// with it, header names are checked with it, and the header sort orders names by their first
/// eight bytes (tests compare each with the byte-at-a-time code). Region, service and key id
/// measured no faster this way than their branch-free byte-class folds, and keep those.
#[cfg(any(wide_paths, test))]
#[cfg_attr(not(wide_paths), allow(dead_code))] // host tests compare it with the byte loops
pub(crate) mod word {
    const fn splat(b: u8) -> u64 {
        u64::MAX / 255 * b as u64
    }

    /// The top bit of every byte.
    pub(crate) const TOP: u64 = splat(0x80);

    /// The top bit of each byte of `x` (top bits clear) in `lo..=hi`: `x + (0x80 - lo)` reaches
    /// the top bit when the byte is at least `lo`, `x + (0x7f - hi)` when it is above `hi`, and
    /// neither sum carries into the next byte.
    #[inline(always)]
    fn within(x: u64, lo: u8, hi: u8) -> u64 {
        x.wrapping_add(splat(0x80 - lo)) & !x.wrapping_add(splat(0x7f - hi))
    }

    /// RFC 3986 unreserved bytes (`A-Z a-z 0-9 - . _ ~`); letters are folded to lower case
    /// (`| 0x20`) and checked as one range.
    #[inline(always)]
    pub(crate) fn unreserved(w: u64) -> u64 {
        let x = w & !TOP;
        let m = within(x | splat(0x20), b'a', b'z')
            | within(x, b'0', b'9')
            | within(x, b'-', b'.')
            | within(x, b'_', b'_')
            | within(x, b'~', b'~');
        m & !w & TOP
    }

    /// The bytes of the usual header name: lower-case letters, digits and `-` (token bytes,
    /// none upper case).
    #[inline(always)]
    pub(crate) fn lower_name(w: u64) -> u64 {
        let x = w & !TOP;
        (within(x, b'a', b'z') | within(x, b'0', b'9') | within(x, b'-', b'-')) & !w & TOP
    }

    /// `Some(true)` when `class` holds every byte of `bytes`, a word at a time: words from the
    /// start and a last one overlapping the one before, or, for four to seven bytes, the first
    /// four and the last four in one word. `None` for fewer than four bytes.
    #[inline(always)]
    pub(crate) fn all(bytes: &[u8], class: impl Fn(u64) -> u64) -> Option<bool> {
        let Some(last) = bytes.len().checked_sub(8) else {
            let (first, end) = (bytes.first_chunk::<4>()?, bytes.last_chunk::<4>()?);
            let w =
                u64::from(u32::from_le_bytes(*first)) | u64::from(u32::from_le_bytes(*end)) << 32;
            return Some(class(w) == TOP);
        };
        let mut from = 0;
        while from < last {
            if class(get(bytes, from)) != TOP {
                return Some(false);
            }
            from += 8;
        }
        Some(class(get(bytes, last)) == TOP)
    }

    /// `w` with its ASCII upper-case letters in lower case.
    #[inline(always)]
    pub(crate) fn to_lower(w: u64) -> u64 {
        w | (within(w & !TOP, b'A', b'Z') & !w & TOP) >> 2
    }

    /// The first eight bytes of `name`, the first in the highest byte, zero bytes past its end:
    /// for names without zero bytes, in the order of [`super::cmp_ignore_case`] on those bytes
    /// (a prefix sorts first) once lower case ([`to_lower`]); equal keys leave it undecided.
    #[inline(always)]
    pub(crate) const fn sort_key(name: &str) -> u64 {
        let bytes = name.as_bytes();
        if let Some(w) = bytes.first_chunk::<8>() {
            return u64::from_be_bytes(*w);
        }
        // Four to seven bytes: the first four and the last four, overlapping.
        if let (Some(first), Some(last)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
            let (first, last) = (u32::from_be_bytes(*first), u32::from_be_bytes(*last));
            return (first as u64) << 32 | (last as u64) << (8 * (8 - bytes.len()));
        }
        let (mut key, mut shift, mut rest) = (0, 56, bytes);
        while let Some((&b, tail)) = rest.split_first() {
            key |= (b as u64) << shift;
            shift -= 8;
            rest = tail;
        }
        key
    }

    /// The eight bytes from `from` (the first in the lowest byte). Near the end, the last eight
    /// bytes shifted down, with zero bytes (in no class) past the end; zero past the end or when
    /// `bytes` is shorter than a word.
    #[inline(always)]
    pub(crate) fn get(bytes: &[u8], from: usize) -> u64 {
        let load = |from: usize| {
            bytes
                .get(from..from + 8)
                .and_then(|w| <[u8; 8]>::try_from(w).ok())
                .map_or(0, u64::from_le_bytes)
        };
        match bytes.len().checked_sub(8) {
            Some(last) if from > last => load(last)
                .checked_shr(8 * (from - last) as u32)
                .unwrap_or(0),
            _ => load(from),
        }
    }

    /// How many bytes from `from` on are unreserved: a run of up to eight, found in one word.
    #[inline(always)]
    pub(crate) fn unreserved_run(bytes: &[u8], from: usize) -> usize {
        ((!unreserved(get(bytes, from)) & TOP).trailing_zeros() / 8) as usize
    }
}

/// True for the RFC 3986 unreserved characters, which SigV4 never escapes.
#[inline(always)]
pub(crate) fn is_unreserved(b: u8) -> bool {
    class(b) & class::UNRESERVED != 0
}

/// Classifies a header name: `None` when it is not a non-empty HTTP token, else whether it holds
/// an upper-case letter (and so must be lower-cased when written).
#[inline]
pub(crate) fn classify_name(s: &str) -> Option<bool> {
    // The usual name (lower-case letters, digits and `-`) a word at a time, with wide paths.
    #[cfg(wide_paths)]
    if word::all(s.as_bytes(), word::lower_name) == Some(true) {
        return Some(false);
    }
    let (and, or) = classes(s);
    (!s.is_empty() && and & class::TCHAR != 0).then_some(or & class::UPPER != 0)
}

/// True when every byte is unreserved, so the component is its own canonical form.
#[inline]
#[cfg(any(test, feature = "selftest"))]
pub(crate) fn is_plain(s: &str) -> bool {
    classes(s).0 & class::UNRESERVED != 0
}

/// True when `s` is a non-empty HTTP token.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && classes(s).0 & class::TCHAR != 0
}

/// True when a header value holds no control character (tab is allowed).
pub(crate) fn is_valid_header_value(s: &str) -> bool {
    classes(s).0 & class::VALUE != 0
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Writes `%XX` for one byte, a char at a time (no UTF-8 check of a three-byte buffer).
#[inline(never)]
pub(crate) fn write_escape<W: Write + ?Sized>(w: &mut W, b: u8) -> fmt::Result {
    let hex = |n: u8| char::from(*HEX_UPPER.get(usize::from(n)).unwrap_or(&b'0'));
    w.write_char('%')?;
    w.write_char(hex(b >> 4))?;
    w.write_char(hex(b & 0xf))
}

/// Writes `bytes[start..end]`, which the caller has checked to be ASCII.
#[inline]
fn write_ascii_run<W: Write + ?Sized>(w: &mut W, s: &str, start: usize, end: usize) -> fmt::Result {
    if end > start {
        w.write_str(s.get(start..end).unwrap_or(""))
    } else {
        Ok(())
    }
}

/// The class flags of the bytes an encoder writes as they are: unreserved, and `/` when
/// `keep_slash`.
#[inline(always)]
fn kept(keep_slash: bool) -> u8 {
    if keep_slash {
        class::UNRESERVED | class::SLASH
    } else {
        class::UNRESERVED
    }
}

/// Writes `s` percent-encoded byte for byte: unreserved characters (and `/` when `keep_slash`)
/// stay, everything else (including `%`) becomes `%XX`. Text with nothing to escape (the usual
/// case) is found by one scan and written in one call; the rest is [`write_escaped_from`].
#[inline(never)]
pub(crate) fn write_encoded<W: Write + ?Sized>(
    w: &mut W,
    s: &str,
    keep_slash: bool,
) -> fmt::Result {
    let keep = kept(keep_slash);
    match s.bytes().position(|b| class(b) & keep == 0) {
        None => w.write_str(s),
        Some(first) => write_escaped_from(w, s, keep, first),
    }
}

/// [`write_encoded`] from the first byte to escape, `first`, on.
#[inline(never)]
fn write_escaped_from<W: Write + ?Sized>(
    w: &mut W,
    s: &str,
    keep: u8,
    first: usize,
) -> fmt::Result {
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate().skip(first) {
        if class(b) & keep != 0 {
            continue;
        }
        write_ascii_run(w, s, run, i)?;
        write_escape(w, b)?;
        run = i + 1;
    }
    write_ascii_run(w, s, run, bytes.len())
}

/// How a raw component is decoded before it is re-encoded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decode {
    /// Take every byte as it is.
    None,
    /// Decode valid `%XX` escapes; keep a stray `%` as a byte (paths, S3 single encoding).
    Escapes,
    /// Decode `%XX` escapes and `+` as a space (query components).
    Form,
    /// Keep valid `%XX` escapes exactly as written (S3 paths, signed as sent).
    KeepEscapes,
}

/// Writes a raw component decoded per `decode`, then percent-encoded (`/` kept when `keep_slash`).
pub(crate) fn write_recoded<W: Write + ?Sized>(
    w: &mut W,
    s: &str,
    decode: Decode,
    keep_slash: bool,
) -> fmt::Result {
    if decode == Decode::None {
        return write_encoded(w, s, keep_slash);
    }
    let keep = kept(keep_slash);
    // Text with nothing to decode or escape (the usual path) is written in one call.
    let Some(first) = s.bytes().position(|b| class(b) & keep == 0) else {
        return w.write_str(s);
    };
    let bytes = s.as_bytes();
    let mut run = 0;
    let mut i = first;
    while let Some(&b) = bytes.get(i) {
        if class(b) & keep != 0 {
            i += 1;
            continue;
        }
        write_ascii_run(w, s, run, i)?;
        if decode == Decode::KeepEscapes {
            let escape = bytes.get(i..i + 3).filter(|e| {
                e.first() == Some(&b'%') && e.iter().skip(1).all(u8::is_ascii_hexdigit)
            });
            if let Some(escape) = escape.and_then(|e| core::str::from_utf8(e).ok()) {
                w.write_str(escape)?;
                i += 3;
                run = i;
                continue;
            }
        }
        let (byte, used) = decode_at(bytes, i, decode);
        if class(byte) & keep != 0 {
            let one = [byte];
            w.write_str(core::str::from_utf8(&one).unwrap_or(""))?;
        } else {
            write_escape(w, byte)?;
        }
        i += used;
        run = i;
    }
    write_ascii_run(w, s, run, bytes.len())
}

/// The byte at `bytes[i]` after decoding, and how many raw bytes it took. Out of line: the
/// writer, the sort order and the query check all decode, and only at escapes or in
/// non-canonical text.
#[inline(never)]
fn decode_at(bytes: &[u8], i: usize, decode: Decode) -> (u8, usize) {
    match bytes.get(i) {
        Some(b'%') if decode != Decode::None => {
            match (
                bytes.get(i + 1).and_then(|&h| hex_val(h)),
                bytes.get(i + 2).and_then(|&l| hex_val(l)),
            ) {
                (Some(h), Some(l)) => ((h << 4) | l, 3),
                _ => (b'%', 1),
            }
        }
        Some(b'+') if decode == Decode::Form => (b' ', 1),
        Some(&b) => (b, 1),
        None => (0, 1),
    }
}

/// The canonical (decoded, then encoded) bytes of a component, one at a time: used to sort query
/// parameters by their canonical form without writing them anywhere.
#[derive(Clone)]
pub(crate) struct CanonicalBytes<'a> {
    raw: &'a [u8],
    pos: usize,
    decode: Decode,
    pending: [u8; 2],
    pending_len: u8,
}

impl<'a> CanonicalBytes<'a> {
    pub(crate) fn new(raw: &'a str, decode: Decode) -> Self {
        CanonicalBytes {
            raw: raw.as_bytes(),
            pos: 0,
            decode,
            pending: [0; 2],
            pending_len: 0,
        }
    }
}

impl Iterator for CanonicalBytes<'_> {
    type Item = u8;

    /// Out of line: the comparison drives two of these, and only for non-canonical text.
    #[inline(never)]
    fn next(&mut self) -> Option<u8> {
        if self.pending_len > 0 {
            let idx = 2 - usize::from(self.pending_len);
            self.pending_len -= 1;
            return self.pending.get(idx).copied();
        }
        if self.pos >= self.raw.len() {
            return None;
        }
        let (b, used) = decode_at(self.raw, self.pos, self.decode);
        self.pos += used;
        if is_unreserved(b) {
            Some(b)
        } else {
            self.pending = [
                *HEX_UPPER.get(usize::from(b >> 4)).unwrap_or(&b'0'),
                *HEX_UPPER.get(usize::from(b & 0xf)).unwrap_or(&b'0'),
            ];
            self.pending_len = 2;
            Some(b'%')
        }
    }
}

/// Compares two components by their canonical encoded bytes.
#[cfg(any(test, feature = "selftest"))]
pub(crate) fn cmp_canonical(a: &str, da: Decode, b: &str, db: Decode) -> Ordering {
    cmp_canonical_known(a, da, is_plain(a), b, db, is_plain(b))
}

/// [`cmp_canonical`] when the caller already knows which sides are plain.
#[inline(never)]
pub(crate) fn cmp_canonical_known(
    a: &str,
    da: Decode,
    a_plain: bool,
    b: &str,
    db: Decode,
    b_plain: bool,
) -> Ordering {
    // Fast path: both plain unreserved ASCII (the usual case) compare as they are.
    if a_plain && b_plain {
        return a.as_bytes().cmp(b.as_bytes());
    }
    CanonicalBytes::new(a, da).cmp(CanonicalBytes::new(b, db))
}

/// Checks a raw query component: every `%` starts a valid escape and the decoded bytes are UTF-8.
#[inline(never)]
pub(crate) fn is_valid_query_component(s: &str) -> bool {
    let bytes = s.as_bytes();
    // Text without escapes passes too (a `&str` is UTF-8); the signer calls this only when the
    // byte classes show a `%`.
    let mut utf8 = Utf8Check::default();
    let mut i = 0;
    while i < bytes.len() {
        let (byte, used) = decode_at(bytes, i, Decode::Escapes);
        if (byte == b'%' && used == 1) || !utf8.push(byte) {
            return false;
        }
        i += used;
    }
    utf8.is_complete()
}

/// Checks that decoded bytes, fed one at a time, are UTF-8: each multi-byte sequence is
/// gathered and checked by `str::from_utf8` (linked in any case) once complete.
#[derive(Default)]
pub(crate) struct Utf8Check {
    seq: [u8; 4],
    have: u8,
    need: u8,
}

impl Utf8Check {
    /// Takes the next byte; false when the bytes so far cannot start valid UTF-8.
    pub(crate) fn push(&mut self, byte: u8) -> bool {
        if self.need == 0 {
            self.need = match byte {
                0x00..=0x7f => return true,
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf7 => 4,
                _ => return false,
            };
            self.have = 0;
        }
        if let Some(slot) = self.seq.get_mut(usize::from(self.have)) {
            *slot = byte;
        }
        self.have += 1;
        if self.have < self.need {
            return true;
        }
        self.need = 0;
        let seq = self.seq.get(..usize::from(self.have)).unwrap_or(&[]);
        core::str::from_utf8(seq).is_ok()
    }

    /// True when no multi-byte sequence is left unfinished.
    pub(crate) fn is_complete(&self) -> bool {
        self.need == 0
    }
}

/// Writes a canonical header value: trimmed of spaces and tabs at both ends, inner runs of them
/// folded into one space.
pub(crate) fn write_trimmed_value<W: Write + ?Sized>(w: &mut W, value: &str) -> fmt::Result {
    let is_ws = |b: u8| b == b' ' || b == b'\t';
    let bytes = value.as_bytes();
    if classes(value).1 & class::WS == 0 || has_canonical_spacing(bytes) {
        return w.write_str(value);
    }
    let mut i = 0;
    let mut first = true;
    loop {
        // Skip a whitespace run.
        while bytes.get(i).is_some_and(|&b| is_ws(b)) {
            i += 1;
        }
        if i >= bytes.len() {
            return Ok(());
        }
        let start = i;
        while bytes.get(i).is_some_and(|&b| !is_ws(b)) {
            i += 1;
        }
        if !first {
            w.write_char(' ')?;
        }
        first = false;
        // Word boundaries sit next to ASCII whitespace, so they are char boundaries.
        w.write_str(value.get(start..i).unwrap_or(""))?;
    }
}

/// Validates a header value: `None` when it holds a control character, else whether it is
/// already in canonical form (no tab, no space at either end or next to another space), so that
/// it can be written as it is.
#[inline]
pub(crate) fn classify_value(s: &str) -> Option<bool> {
    if plain_value(s.as_bytes()) {
        return Some(true);
    }
    let (and, or) = classes(s);
    (and & class::VALUE != 0).then(|| or & class::WS == 0 || has_canonical_spacing(s.as_bytes()))
}

/// True when `bytes` holds no byte below `0x21` (control bytes, tab, space) and no `0x7f`: a
/// header value that is valid and canonical as it is (most are), checked a word at a time. A word
/// `w` holds a byte below `n` (`n <= 0x80`) only if `(w - n * 0x0101..) & 0x8080..` is non-zero,
/// as the lowest such byte always borrows into its top bit; bytes from `0x80 + n` on show as
/// well, so text outside ASCII is left to the caller's byte-at-a-time check, as is text shorter
/// than a word. The last word overlaps the one before.
#[inline(never)]
fn plain_value(bytes: &[u8]) -> bool {
    const N: usize = core::mem::size_of::<usize>();
    const fn splat(b: u8) -> usize {
        usize::MAX / 255 * b as usize
    }
    let bad = |at: usize| {
        let w = bytes
            .get(at..at + N)
            .and_then(|w| <[u8; N]>::try_from(w).ok())
            .map_or(0, usize::from_ne_bytes);
        let del = w ^ splat(0x7f);
        (w.wrapping_sub(splat(0x21)) | del.wrapping_sub(splat(0x01))) & splat(0x80) != 0
    };
    let Some(last) = bytes.len().checked_sub(N) else {
        return false;
    };
    let mut at = 0;
    while at < last {
        if bad(at) {
            return false;
        }
        at += N;
    }
    !bad(last)
}

/// True when text with spaces or tabs needs no trimming: no tab, no space at either end, no two
/// spaces in a row.
fn has_canonical_spacing(bytes: &[u8]) -> bool {
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    // One pass for tabs and double spaces.
    let mut previous = 0u8;
    for &b in bytes {
        if b == b'\t' || (b == b' ' && previous == b' ') {
            return false;
        }
        previous = b;
    }
    true
}

/// Writes an ASCII header name in lower case, a char at a time (callers write names without
/// upper-case letters as they are).
///
/// # Errors
/// Whatever the writer reports, or [`fmt::Error`] at a non-ASCII byte (names are tokens; the
/// signer validates them first).
pub(crate) fn write_lowercase<W: Write + ?Sized>(w: &mut W, name: &str) -> fmt::Result {
    for b in name.bytes() {
        if !b.is_ascii() {
            return Err(fmt::Error);
        }
        w.write_char(char::from(b.to_ascii_lowercase()))?;
    }
    Ok(())
}

/// True when two ASCII names are equal ignoring case. Out of line, as is [`cmp_ignore_case`]:
/// the header rules call them from several places.
#[inline(never)]
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    // A plain byte loop: short names, where `eq_ignore_ascii_case`'s set-up does not pay off.
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| x == y || x.eq_ignore_ascii_case(&y))
}

/// Compares two ASCII names ignoring case (a plain byte loop: names are short, and equal bytes
/// need no case mapping).
#[inline(never)]
pub(crate) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        if x != y {
            let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
            if x != y {
                return x.cmp(&y);
            }
        }
    }
    a.len().cmp(&b.len())
}

/// True when a path needs dot-segment removal or slash merging: it holds `//`, or a segment
/// that is `.` or `..`.
pub(crate) fn path_needs_normalizing(path: &str) -> bool {
    let b = path.as_bytes();
    let mut seg_start = 0;
    for i in 0..=b.len() {
        let at_end = i == b.len();
        if at_end || b.get(i) == Some(&b'/') {
            let seg = b.get(seg_start..i).unwrap_or(&[]);
            if matches!(seg, b"." | b"..") || (!at_end && i > 0 && seg.is_empty()) {
                return true;
            }
            seg_start = i + 1;
        }
    }
    false
}

/// Writes `path` normalized: empty and `.` segments dropped, each `..` removes the segment before
/// it (never going above the root), the result starts with `/` and keeps a trailing `/` when the
/// path ended in one (or in `/.` or `/..`) and anything is left. Each kept segment is written by
/// [`write_recoded`] with `decode` and `keep_slash`.
///
/// Runs in no memory: a segment is kept when no later `..` reaches it, found by scanning ahead.
pub(crate) fn write_normalized_path<W: Write + ?Sized>(
    w: &mut W,
    path: &str,
    decode: Decode,
    keep_slash: bool,
) -> fmt::Result {
    let mut segs = Split::new(path, b'/');
    let mut wrote_any = false;
    let mut last_is_dir = false;
    while let Some(seg) = segs.next() {
        let normal = !(seg.is_empty() || seg == "." || seg == "..");
        last_is_dir = !normal;
        if !normal {
            continue;
        }
        // Survives when, scanning ahead, the `..`s never outnumber the segments pushed after it.
        let mut depth = 0usize;
        let mut cancelled = false;
        for later in segs.clone() {
            if later == ".." {
                if depth == 0 {
                    cancelled = true;
                    break;
                }
                depth -= 1;
            } else if !(later.is_empty() || later == ".") {
                depth += 1;
            }
        }
        if cancelled {
            continue;
        }
        w.write_char('/')?;
        write_recoded(w, seg, decode, keep_slash)?;
        wrote_any = true;
    }
    if !wrote_any || last_is_dir {
        w.write_char('/')?;
    }
    Ok(())
}

/// The pieces of a text between separator bytes, as `str::split` yields them, found by a plain
/// byte scan (a fraction of the flash of the general pattern searcher).
#[derive(Clone)]
pub(crate) struct Split<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Split<'a> {
    /// The pieces of `s` between `sep` bytes (`sep` must be ASCII).
    pub(crate) fn new(s: &'a str, sep: u8) -> Self {
        Split { rest: Some(s), sep }
    }
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        match s.bytes().position(|b| b == self.sep) {
            // The separator is ASCII, so both sides of it are char boundaries.
            Some(i) => {
                self.rest = s.get(i + 1..);
                s.get(..i)
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

/// 32 bytes as 64 lower-case hex digits.
pub(crate) fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    // With wide paths the high and the low digits are computed apart and then interleaved:
    // both steps vectorize a full register wide.
    #[cfg(wide_paths)]
    {
        let digit = |n: u8| n + b'0' + u8::from(n > 9) * (b'a' - b'0' - 10);
        let (mut hi, mut lo) = ([0u8; 32], [0u8; 32]);
        for ((h, l), &b) in hi.iter_mut().zip(&mut lo).zip(bytes) {
            *h = digit(b >> 4);
            *l = digit(b & 0xf);
        }
        for ((pair, h), l) in out.chunks_exact_mut(2).zip(hi).zip(lo) {
            if let [a, b] = pair {
                *a = h;
                *b = l;
            }
        }
    }
    #[cfg(not(wide_paths))]
    write_hex(bytes, &mut out);
    out
}

/// Writes `bytes` as lower-case hex digits into `out` (as many bytes as fit); returns the number
/// of digits written.
#[inline]
// With wide paths and without SigV4a, hex32's own loop is used alone.
#[cfg_attr(wide_paths, allow(dead_code))]
pub(crate) fn write_hex(bytes: &[u8], out: &mut [u8]) -> usize {
    // Arithmetic rather than a table lookup, so the digits are computed many at a time.
    let digit = |n: u8| n + b'0' + u8::from(n > 9) * (b'a' - b'0' - 10);
    let mut written = 0;
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        if let [hi, lo] = pair {
            *hi = digit(b >> 4);
            *lo = digit(b & 0xf);
            written += 2;
        }
    }
    written
}

/// Upper-case hex digits of `n` without leading zeros (`0` for zero), as aws-chunked frames
/// write chunk sizes.
pub(crate) fn hex_usize(n: usize) -> ([u8; 16], usize) {
    let mut tmp = [0u8; 16];
    let mut digits = 0;
    let mut v = n;
    loop {
        if let Some(slot) = tmp.get_mut(digits) {
            *slot = *HEX_UPPER.get(v & 0xf).unwrap_or(&b'0');
        }
        digits += 1;
        v >>= 4;
        if v == 0 || digits >= tmp.len() {
            break;
        }
    }
    let mut out = [b'0'; 16];
    for (dst, src) in out
        .iter_mut()
        .zip(tmp.get(..digits).unwrap_or(&[]).iter().rev())
    {
        *dst = *src;
    }
    (out, digits)
}

/// Writes `n` in decimal: the highest power of ten first, no digit buffer.
pub(crate) fn write_decimal<W: Write + ?Sized>(w: &mut W, n: u32) -> fmt::Result {
    let mut scale = 1;
    while scale <= n / 10 {
        scale *= 10;
    }
    loop {
        w.write_char(char::from(b'0' + (n / scale % 10) as u8))?;
        if scale == 1 {
            return Ok(());
        }
        scale /= 10;
    }
}

/// Parses 64 hex digits (either case) into lower-case hex.
pub(crate) fn parse_hash_hex(s: &str) -> Option<[u8; 64]> {
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 64];
    for (d, &b) in out.iter_mut().zip(bytes) {
        hex_val(b)?;
        *d = b.to_ascii_lowercase();
    }
    Some(out)
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::text::SliceWriter;

    fn with<const N: usize>(f: impl FnOnce(&mut SliceWriter<'_>) -> fmt::Result, expect: &str) {
        let mut buf = [0u8; N];
        let mut w = SliceWriter::new(&mut buf);
        f(&mut w).unwrap();
        assert_eq!(w.as_str(), expect);
    }

    selftests! {
        fn encode_keeps_unreserved_and_escapes_the_rest() {
            with::<64>(|w| write_encoded(w, "a-b_c.d~e/f g%", true), "a-b_c.d~e/f%20g%25");
            with::<64>(|w| write_encoded(w, "a/b", false), "a%2Fb");
            with::<64>(|w| write_encoded(w, "\u{1234}", true), "%E1%88%B4");
        }

        fn recode_decodes_escapes_then_encodes() {
            with::<64>(|w| write_recoded(w, "a%20b+c%2fd", Decode::Form, false), "a%20b%20c%2Fd");
            with::<64>(|w| write_recoded(w, "/a%20b/c d/%41%", Decode::Escapes, true), "/a%20b/c%20d/A%25");
            with::<64>(|w| write_recoded(w, "/x%2Fy", Decode::Escapes, true), "/x/y");
            // S3 signs the path as sent: escapes kept as written, other bytes escaped.
            with::<64>(|w| write_recoded(w, "/x%2Fy/a b/%41%2f/%zz", Decode::KeepEscapes, true), "/x%2Fy/a%20b/%41%2f/%25zz");
            with::<64>(|w| write_recoded(w, "a+b", Decode::Escapes, false), "a%2Bb");
        }

        fn canonical_bytes_match_the_writer() {
            for (raw, d) in [("a%20b+c%2f~", Decode::Form), ("%E1%88%B4=", Decode::Form), ("x%zz", Decode::Escapes)] {
                let mut buf = [0u8; 64];
                let mut w = SliceWriter::new(&mut buf);
                write_recoded(&mut w, raw, d, false).unwrap();
                let mut it = CanonicalBytes::new(raw, d);
                for b in w.as_str().bytes() {
                    assert_eq!(it.next(), Some(b));
                }
                assert_eq!(it.next(), None);
            }
            assert_eq!(cmp_canonical("Param-3", Decode::Form, "%E1%88%B4", Decode::Form), Ordering::Greater);
            assert_eq!(cmp_canonical("a%20", Decode::Form, "a+", Decode::Form), Ordering::Equal);
        }

        fn query_validation() {
            assert!(is_valid_query_component("a%20b%E1%88%B4"));
            assert!(!is_valid_query_component("a%2"));
            assert!(!is_valid_query_component("a%zz"));
            assert!(!is_valid_query_component("%FF"));
            assert!(!is_valid_query_component("%E1%88"));
            assert!(!is_valid_query_component("%ED%A0%80")); // a UTF-16 surrogate
            assert!(!is_valid_query_component("%C0%AF")); // overlong '/'
        }

        fn trimming_header_values() {
            with::<64>(|w| write_trimmed_value(w, "  \"a   b \t c\"  "), "\"a b c\"");
            with::<64>(|w| write_trimmed_value(w, "   "), "");
            with::<64>(|w| write_trimmed_value(w, "v"), "v");
        }

        fn normalizing_paths() {
            let norm = |p: &str, expect: &str| {
                with::<128>(|w| write_normalized_path(w, p, Decode::None, false), expect)
            };
            norm("", "/");
            norm("/", "/");
            norm("//", "/");
            norm("/./", "/");
            norm("/./example", "/example");
            norm("//example//", "/example/");
            norm("/example/..", "/");
            norm("/example1/example2/../..", "/");
            norm("/a/b/..", "/a/");
            norm("/a/./b/../../c", "/c");
            norm("/../../a", "/a");
            norm("/a/b/.", "/a/b/");
            norm("/a b/c", "/a%20b/c");
            assert!(!path_needs_normalizing("/a/b.c/..d/"));
            assert!(path_needs_normalizing("/a/../b"));
            assert!(path_needs_normalizing("//"));
            assert!(path_needs_normalizing("/a//b"));
            assert!(path_needs_normalizing("/a/."));
            assert!(path_needs_normalizing("./a"));
            assert!(!path_needs_normalizing("/"));
            assert!(!path_needs_normalizing(""));
            assert!(!path_needs_normalizing("/a/"));
        }

        fn header_rules() {
            assert_eq!(classify_name("X-Amz-Date"), Some(true));
            assert_eq!(classify_name("x-amz-date"), Some(false));
            assert_eq!(classify_name(""), None);
            assert_eq!(classify_name("a b"), None);
            assert!(is_plain("Abc-._~9"));
            assert!(!is_plain("a b"));
            assert!(is_token("X-Amz-Date"));
            assert!(!is_token(""));
            assert!(!is_token("bad name"));
            assert!(!is_token("bad:name"));
            assert!(is_valid_header_value("a\tb \u{e9}"));
            assert!(!is_valid_header_value("a\nb"));
            assert!(!is_valid_header_value("a\x7fb"));
            // The word-at-a-time check agrees with the byte-at-a-time rules at every position.
            let by_bytes = |s: &str| {
                let (and, or) = classes(s);
                (and & class::VALUE != 0)
                    .then(|| or & class::WS == 0 || has_canonical_spacing(s.as_bytes()))
            };
            for n in [7usize, 8, 9, 15, 16, 17, 24] {
                for at in 0..n {
                    for odd in [b'\n', 0x7f, b'\t', b' ', 0x80, b'~', 0] {
                        let mut v = [b'a'; 24];
                        v[at] = odd;
                        if let Ok(s) = core::str::from_utf8(&v[..n]) {
                            assert_eq!(classify_value(s), by_bytes(s), "{s:?}");
                        }
                    }
                }
            }
            // The word-at-a-time name check agrees with the byte classes at every position.
            let name_by_bytes = |s: &str| {
                let (and, or) = classes(s);
                (!s.is_empty() && and & class::TCHAR != 0).then_some(or & class::UPPER != 0)
            };
            for n in 0..20 {
                for at in 0..n.max(1) {
                    for odd in *b"AZ_.~ :!/09-@[`{\x7f\x00a" {
                        let mut v = [b'a'; 20];
                        if let Some(b) = v.get_mut(at) {
                            *b = odd;
                        }
                        let s = core::str::from_utf8(&v[..n]).unwrap();
                        assert_eq!(classify_name(s), name_by_bytes(s), "{s:?}");
                    }
                }
            }
            for s in ["caf\u{e9}", "x-caf\u{e9}-b", "abc\u{e9}", "\u{e9}abcdefgh"] {
                assert_eq!(classify_name(s), name_by_bytes(s), "{s:?}");
            }
            assert_eq!(classify_value("caf\u{e9} au lait, s'il vous plait"), Some(true));
            assert_eq!(classify_value("caf\u{e9}  au lait, s'il vous plait"), Some(false));
            with::<64>(|w| write_lowercase(w, "X-Amz-Meta-ALongNameThatIsLongerThan32Bytes"), "x-amz-meta-alongnamethatislongerthan32bytes");
        }

        fn number_and_hex_helpers() {
            let (d, n) = hex_usize(0x10000);
            assert_eq!(&d[..n], b"10000");
            let (d, n) = hex_usize(0);
            assert_eq!(&d[..n], b"0");
            let (d, n) = hex_usize(usize::MAX);
            assert_eq!(n, core::mem::size_of::<usize>() * 2);
            assert!(d[..n].iter().all(|&c| c == b'F'));
            let (d, n) = hex_usize(1024 + 10);
            assert_eq!(&d[..n], b"40A");
            with::<16>(|w| write_decimal(w, 604_800), "604800");
            with::<16>(|w| write_decimal(w, 0), "0");
            with::<16>(|w| write_decimal(w, 9), "9");
            with::<16>(|w| write_decimal(w, 10), "10");
            with::<16>(|w| write_decimal(w, u32::MAX), "4294967295");
            assert!(parse_hash_hex("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855").is_some());
            assert!(parse_hash_hex("UNSIGNED-PAYLOAD").is_none());
            assert_eq!(&hex32(&[0xab; 32])[..4], b"abab");
            // hex32 (vectorized apart with wide paths) agrees with write_hex on every byte.
            for base in [0u8, 32, 64, 96, 128, 160, 192, 224] {
                let mut bytes = [0u8; 32];
                for (i, b) in bytes.iter_mut().enumerate() {
                    *b = base.wrapping_add(i as u8);
                }
                let mut expect = [0u8; 64];
                assert_eq!(write_hex(&bytes, &mut expect), 64);
                assert_eq!(hex32(&bytes), expect);
            }
        }
    }
}
