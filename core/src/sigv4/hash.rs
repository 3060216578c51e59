//! SHA-256 and HMAC-SHA256 plumbing: `core::fmt::Write` sinks that hash what the stages write,
//! and HMAC-SHA256 (RFC 2104) built on `sha2` alone, keyed without a fallible path. One writer
//! type and one out-of-line copy of the SHA-256 buffering and padding code serve every hash and
//! HMAC, which keeps the signer small on flash.

use core::fmt;

use sha2::digest::block_api::{Block, Buffer, CoreProxy, FixedOutputCore, UpdateCore};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

/// SHA-256 of the empty string, in hex: the payload hash of a request without a body.
pub const EMPTY_SHA256_HEX: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Staging buffer size of the hashing writers: the stages write many short pieces, and feeding
/// the hash two blocks at a time is measurably faster than a call per piece.
const STAGE: usize = 128;

/// A SHA-256 state without its block buffer: the outer state of an HMAC, which has absorbed
/// exactly one block (wiped on drop, like [`Sha256`]).
type Sha256Core = <Sha256 as CoreProxy>::Core;

/// Feeds bytes to SHA-256. Out of line, as is [`digest`]: one copy of the block-buffer and
/// padding code serves every hash and HMAC, which matters on flash.
#[inline(never)]
fn feed(h: &mut Sha256, bytes: &[u8]) {
    Digest::update(h, bytes);
}

/// The SHA-256 of everything fed to `h`.
fn digest(h: Sha256) -> [u8; 32] {
    let (mut core, mut buf) = h.decompose();
    finalize(&mut core, &mut buf)
}

/// Pads and finishes a SHA-256 state (wiped when the caller drops it). Out of line: every hash
/// and HMAC ends here.
#[inline(never)]
fn finalize(core: &mut Sha256Core, buf: &mut Buffer<Sha256Core>) -> [u8; 32] {
    let mut out = Default::default();
    core.finalize_fixed_core(buf, &mut out);
    out.into()
}

/// HMAC-SHA256 (RFC 2104) on two SHA-256 states: the inner one has absorbed the key block XOR
/// `ipad` and takes the message, the outer one has absorbed the key block XOR `opad`. Both are
/// wiped on drop (the `zeroize` feature of `sha2` is on).
#[derive(Clone)]
pub(crate) struct HmacSha256 {
    inner: Sha256,
    outer: Sha256Core,
}

impl HmacSha256 {
    /// Feeds message bytes.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        feed(&mut self.inner, bytes);
    }

    /// The MAC of everything fed so far; the state is consumed.
    pub(crate) fn finalize(self) -> [u8; 32] {
        let HmacSha256 { inner, outer } = self;
        finish_mac(digest(inner), outer)
    }
}

/// The outer hash of an HMAC over its inner hash; the inner hash is wiped.
#[inline(never)]
fn finish_mac(mut inner: [u8; 32], mut outer: Sha256Core) -> [u8; 32] {
    let mut buf = Buffer::<Sha256Core>::default();
    buf.digest_blocks(&inner, |b| outer.update_blocks(b));
    inner.zeroize();
    finalize(&mut outer, &mut buf)
}

/// A `fmt::Write` sink that feeds SHA-256 through a small staging buffer.
pub(crate) struct HashWriter {
    inner: Sha256,
    buf: [u8; STAGE],
    len: usize,
}

impl HashWriter {
    fn new(inner: Sha256) -> Self {
        HashWriter {
            inner,
            buf: [0; STAGE],
            len: 0,
        }
    }

    fn flush(&mut self) {
        feed(&mut self.inner, self.buf.get(..self.len).unwrap_or(&[]));
        self.len = 0;
    }

    /// The SHA-256 of everything written. The staging buffer held only public text (canonical
    /// request, string to sign), so it is not wiped.
    pub(crate) fn finish(mut self) -> [u8; 32] {
        self.flush();
        digest(self.inner)
    }
}

impl Default for HashWriter {
    fn default() -> Self {
        HashWriter::new(Sha256::new())
    }
}

impl fmt::Write for HashWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }

    /// The stages write their separators (`\n`, `&`, `=`, `:`) as chars: one byte stored
    /// without the copy of a slice.
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

impl HashWriter {
    /// Stores one byte. Out of line: the stages write a separator from some twenty places, and
    /// a call is a fraction of the flash of the check and store at each.
    #[inline(never)]
    fn push_byte(&mut self, b: u8) {
        match self.buf.get_mut(self.len) {
            Some(slot) => {
                *slot = b;
                self.len += 1;
            }
            None => self.flush_then_push(b),
        }
    }

    /// [`HashWriter::push_byte`] on a full buffer.
    #[cold]
    #[inline(never)]
    fn flush_then_push(&mut self, b: u8) {
        self.flush();
        if let Some(slot) = self.buf.first_mut() {
            *slot = b;
            self.len = 1;
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
                    feed(&mut self.inner, bytes);
                } else if let Some(dst) = self.buf.get_mut(..bytes.len()) {
                    dst.copy_from_slice(bytes);
                    self.len = bytes.len();
                }
            }
        }
    }
}

/// A `fmt::Write` sink for an HMAC: the inner state's [`HashWriter`] and the outer state.
pub(crate) struct MacWriter {
    /// Where the message is written.
    pub(crate) text: HashWriter,
    outer: Sha256Core,
}

impl MacWriter {
    pub(crate) fn new(mac: HmacSha256) -> Self {
        let HmacSha256 { inner, outer } = mac;
        MacWriter {
            text: HashWriter::new(inner),
            outer,
        }
    }

    pub(crate) fn finish(self) -> [u8; 32] {
        let MacWriter { text, outer } = self;
        finish_mac(text.finish(), outer)
    }
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    feed(&mut h, bytes);
    digest(h)
}

/// An HMAC keyed with `key`, built per RFC 2104: keys up to one block are zero-padded, longer
/// ones hashed first. The key block and pads are wiped afterwards.
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
            feed(&mut h, part);
        }
        let mut d = digest(h);
        if let Some(dst) = block.get_mut(..32) {
            dst.copy_from_slice(&d);
        }
        d.zeroize();
    }
    let mut pad = Block::<Sha256Core>::from(block.map(|b| b ^ 0x36));
    let mut inner = Sha256Core::default();
    inner.update_blocks(core::slice::from_ref(&pad));
    for b in pad.iter_mut() {
        *b ^= 0x36 ^ 0x5c;
    }
    let mut outer = Sha256Core::default();
    outer.update_blocks(core::slice::from_ref(&pad));
    block.zeroize();
    pad.zeroize();
    HmacSha256 {
        inner: Sha256::compose(inner, Default::default()),
        outer,
    }
}

/// HMAC-SHA256 of `msg` under a keyed state, consumed (the state is wiped when dropped).
pub(crate) fn mac_bytes(mut keyed: HmacSha256, msg: &[u8]) -> [u8; 32] {
    keyed.update(msg);
    keyed.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8; 32]) -> [u8; 64] {
        super::super::encoding::hex32(bytes)
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2: a short key.
        let mac = mac_bytes(mac_for_key(&[b"Jefe"]), b"what do ya want for nothing?");
        assert_eq!(
            &hex(&mac)[..],
            &b"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"[..]
        );
        // Test case 6: a 131-byte key, hashed first (given in two parts).
        let key = [0xaa; 131];
        let (a, b) = key.split_at(60);
        let mut m = mac_for_key(&[a, b]);
        m.update(b"Test Using Larger Than Block-Size Key - ");
        m.update(b"Hash Key First");
        assert_eq!(
            &hex(&m.finalize())[..],
            &b"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"[..]
        );
        // Through the writer, crossing the staging buffer.
        let mut w = MacWriter::new(mac_for_key(&[b"Jefe"]));
        fmt::Write::write_str(&mut w.text, "what do ya want ").unwrap();
        fmt::Write::write_char(&mut w.text, 'f').unwrap();
        fmt::Write::write_str(&mut w.text, "or nothing?").unwrap();
        assert_eq!(w.finish(), mac);
    }
}
