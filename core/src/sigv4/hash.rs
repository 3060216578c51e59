//! SHA-256 and HMAC-SHA256 plumbing: `core::fmt::Write` sinks that hash what the stages write,
//! and HMAC keying without a fallible path.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

/// HMAC-SHA256.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// SHA-256 of the empty string, in hex: the payload hash of a request without a body.
pub const EMPTY_SHA256_HEX: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Staging buffer size of the hashing writers: the stages write many short pieces, and feeding
/// the hash two blocks at a time is measurably faster than a call per piece.
const STAGE: usize = 128;

/// A `fmt::Write` sink that feeds anything that takes bytes, through a small staging buffer.
pub(crate) struct Staged<D: Update> {
    inner: D,
    buf: [u8; STAGE],
    len: usize,
}

/// Something bytes are fed to (SHA-256 or an HMAC).
pub(crate) trait Update {
    fn feed(&mut self, bytes: &[u8]);
}

impl Update for Sha256 {
    #[inline]
    fn feed(&mut self, bytes: &[u8]) {
        Digest::update(self, bytes);
    }
}

impl Update for HmacSha256 {
    #[inline]
    fn feed(&mut self, bytes: &[u8]) {
        Mac::update(self, bytes);
    }
}

impl<D: Update> Staged<D> {
    pub(crate) fn new(inner: D) -> Self {
        Staged {
            inner,
            buf: [0; STAGE],
            len: 0,
        }
    }

    fn flush(&mut self) {
        self.inner.feed(self.buf.get(..self.len).unwrap_or(&[]));
        self.len = 0;
    }

    /// Everything written so far, fed to the inner state. The staging buffer held only public
    /// text (canonical request, string to sign), so it is not wiped.
    pub(crate) fn into_inner(mut self) -> D {
        self.flush();
        self.inner
    }
}

impl<D: Update> fmt::Write for Staged<D> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }

    /// The stages write their separators (`\n`, `&`, `=`, `:`) as chars: one byte stored in
    /// place, without the call and copy of a slice.
    #[inline]
    fn write_char(&mut self, c: char) -> fmt::Result {
        if c.is_ascii() {
            self.push_byte(c as u8);
        } else {
            self.push(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
        Ok(())
    }
}

impl<D: Update> Staged<D> {
    #[inline]
    fn push_byte(&mut self, b: u8) {
        if self.len >= STAGE {
            self.flush();
        }
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    /// Appends to the staging buffer, feeding the state when it fills. Kept out of line: the
    /// stages call it dozens of times, and inlining it everywhere costs kilobytes of flash.
    #[inline(never)]
    fn push(&mut self, bytes: &[u8]) {
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            None => {
                self.flush();
                if bytes.len() >= STAGE {
                    self.inner.feed(bytes);
                } else if let Some(dst) = self.buf.get_mut(..bytes.len()) {
                    dst.copy_from_slice(bytes);
                    self.len = bytes.len();
                }
            }
        }
    }
}

/// A `fmt::Write` sink that feeds SHA-256.
pub(crate) type HashWriter = Staged<Sha256>;

impl Default for HashWriter {
    fn default() -> Self {
        Staged::new(Sha256::new())
    }
}

impl HashWriter {
    pub(crate) fn finish(self) -> [u8; 32] {
        self.into_inner().finalize().into()
    }
}

/// A `fmt::Write` sink that feeds an HMAC.
pub(crate) type MacWriter = Staged<HmacSha256>;

impl MacWriter {
    pub(crate) fn finish(self) -> [u8; 32] {
        self.into_inner().finalize().into_bytes().into()
    }
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// An HMAC keyed with `key`, built per RFC 2104 without a fallible constructor: keys up to one
/// block are zero-padded, longer ones hashed first. The key block is wiped afterwards.
pub(crate) fn mac_for_key(key_parts: &[&[u8]]) -> HmacSha256 {
    let total: usize = key_parts.iter().map(|p| p.len()).sum();
    let mut block = [0u8; 64];
    if total <= block.len() {
        let mut at = 0;
        for part in key_parts {
            if let Some(dst) = block.get_mut(at..at + part.len()) {
                dst.copy_from_slice(part);
            }
            at += part.len();
        }
    } else {
        let mut h = Sha256::new();
        for part in key_parts {
            h.update(part);
        }
        let digest: [u8; 32] = h.finalize().into();
        if let Some(dst) = block.get_mut(..32) {
            dst.copy_from_slice(&digest);
        }
    }
    let mac = HmacSha256::new(&block.into());
    block.zeroize();
    mac
}

/// HMAC-SHA256 of `msg` under a keyed state, consumed (the state is wiped when dropped).
pub(crate) fn mac_bytes(mut keyed: HmacSha256, msg: &[u8]) -> [u8; 32] {
    keyed.update(msg);
    keyed.finalize().into_bytes().into()
}
