//! SHA-256 and HMAC-SHA256 plumbing: `core::fmt::Write` sinks that hash or MAC what the stages
//! write, and HMAC keying without a fallible path. SHA-256 comes from `sha2` and HMAC from
//! `hmac`; the feed and finish of each are kept out of line, once, so the many stage writers
//! share them (which keeps the signer small on flash).
//!
//! Both sinks stage what the stages write in a small buffer and feed the state a buffer at a
//! time: the stages write many short pieces, and a copy into the buffer (a leaf call) costs a
//! fraction of a trip through the hash's own block buffer per piece.

use core::fmt;

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

/// SHA-256 of the empty string, in hex: the payload hash of a request without a body.
pub const EMPTY_SHA256_HEX: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Staging buffer size of the hashing writers: the stages write many short pieces, and feeding
/// the hash three blocks at a time is measurably faster than a call per piece. Three blocks hold
/// a typical request's string to sign whole, and take a typical canonical request in two feeds.
const STAGE: usize = 192;

/// Feeds bytes to SHA-256. Out of line, as is [`digest`]: one copy of the block-buffer code
/// serves every hash, which matters on flash.
#[inline(never)]
fn feed(h: &mut Sha256, bytes: &[u8]) {
    Digest::update(h, bytes);
}

/// The SHA-256 of everything fed to `h`, which starts over. Out of line: every hash ends here.
/// The state is finished where it is, not moved (a move copies the whole block buffer).
#[inline(never)]
fn digest(h: &mut Sha256) -> [u8; 32] {
    h.finalize_reset().into()
}

/// HMAC-SHA256 (the `hmac` crate). Its inner and outer states are wiped on drop (the `zeroize`
/// features of `sha2` and `hmac` are on).
pub(crate) type HmacSha256 = hmac::Hmac<Sha256>;

/// SHA-256, the implementation the signer uses, for the other parts of an image that need one.
///
/// A device image links one SHA-256: the embassy adapter's TLS (transcript, key schedule, device
/// signatures) and its certificate checks hash through this type (wrapped in the `digest` traits
/// their crates expect) instead of a second copy of the compression function. The state is wiped
/// on drop.
#[derive(Clone, Default)]
pub struct Sha256State(Sha256);

impl Sha256State {
    /// An empty state.
    pub fn new() -> Self {
        Sha256State(Sha256::new())
    }

    /// Feeds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        feed(&mut self.0, bytes);
    }

    /// The SHA-256 of everything fed since the state was new or last finished; the state starts
    /// over.
    pub fn finish_reset(&mut self) -> [u8; 32] {
        digest(&mut self.0)
    }
}

impl fmt::Debug for Sha256State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha256State")
    }
}

/// A hash state a [`Staged`] writer feeds.
pub(crate) trait Absorb {
    /// Feeds `bytes` to the state.
    fn absorb(&mut self, bytes: &[u8]);
}

impl Absorb for Sha256 {
    fn absorb(&mut self, bytes: &[u8]) {
        feed(self, bytes);
    }
}

impl Absorb for &mut HmacSha256 {
    fn absorb(&mut self, bytes: &[u8]) {
        mac_feed(self, bytes);
    }
}

/// A `fmt::Write` sink that feeds a hash state through a small staging buffer. The buffer only
/// ever holds public text (a canonical request, a string to sign, a trailer block), so it is
/// not wiped.
pub(crate) struct Staged<S> {
    inner: S,
    buf: [u8; STAGE],
    len: usize,
}

/// Hashes what is written with SHA-256.
pub(crate) type HashWriter = Staged<Sha256>;

/// MACs what is written with HMAC-SHA256 (the string to sign, under a signing key), into a
/// keyed state it borrows: the state is fed where it is, never moved in and out (see
/// [`mac_written`]).
pub(crate) type MacWriter<'k> = Staged<&'k mut HmacSha256>;

impl<S: Absorb> Staged<S> {
    pub(crate) fn new(inner: S) -> Self {
        Staged {
            inner,
            buf: [0; STAGE],
            len: 0,
        }
    }

    fn flush(&mut self) {
        self.inner.absorb(self.buf.get(..self.len).unwrap_or(&[]));
        self.len = 0;
    }

    /// Appends to the staging buffer. Out of line with the size paths: the stages call it dozens
    /// of times, and inlining it everywhere costs kilobytes of flash. The usual case (the bytes
    /// fit) is a leaf that ends in the copy. Inline with wide paths, where flash is no concern
    /// and the call costs more than the check.
    #[cfg_attr(not(wide_paths), inline(never))]
    #[cfg_attr(wide_paths, inline)]
    fn push(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        match self.buf.get_mut(self.len..end) {
            Some(dst) => {
                self.len = end;
                dst.copy_from_slice(bytes);
            }
            None => self.push_spilling(bytes),
        }
    }

    /// [`Staged::push`] when the bytes do not fit: feeds the buffer first (and bytes longer
    /// than the buffer straight to the state).
    #[cold]
    #[inline(never)]
    fn push_spilling(&mut self, bytes: &[u8]) {
        self.flush();
        if bytes.len() >= STAGE {
            self.inner.absorb(bytes);
        } else if let Some(dst) = self.buf.get_mut(..bytes.len()) {
            dst.copy_from_slice(bytes);
            self.len = bytes.len();
        }
    }

    /// Writes bytes that need not be text (hex digits, for one, without a UTF-8 check).
    pub(crate) fn write_bytes(&mut self, bytes: &[u8]) {
        self.push(bytes);
    }

    /// Stores one byte. Out of line with the size paths: the stages write a separator from some
    /// twenty places, and a call is a fraction of the flash of the check and store at each.
    /// Inline with wide paths, where the call costs more than the store.
    #[cfg_attr(not(wide_paths), inline(never))]
    #[cfg_attr(wide_paths, inline)]
    fn push_byte(&mut self, b: u8) {
        match self.buf.get_mut(self.len) {
            Some(slot) => {
                *slot = b;
                self.len += 1;
            }
            None => self.push_spilling(&[b]),
        }
    }
}

impl HashWriter {
    /// The SHA-256 of everything written.
    pub(crate) fn finish(&mut self) -> [u8; 32] {
        self.flush();
        digest(&mut self.inner)
    }
}

impl Default for HashWriter {
    fn default() -> Self {
        Staged::new(Sha256::new())
    }
}

/// HMAC-SHA256, under the keyed state `keyed` (consumed, and wiped when dropped), of whatever
/// `write` writes.
pub(crate) fn mac_written(
    mut keyed: HmacSha256,
    write: impl FnOnce(&mut MacWriter<'_>) -> fmt::Result,
) -> [u8; 32] {
    let mut w = Staged::new(&mut keyed);
    // Writing into an HMAC cannot fail; the stages only fail on a failing writer.
    let _ = write(&mut w);
    w.flush();
    keyed.finalize().into_bytes().into()
}

impl<S: Absorb> fmt::Write for Staged<S> {
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

/// Feeds bytes to an HMAC. Out of line, as [`feed`] is for SHA-256.
#[inline(never)]
fn mac_feed(mac: &mut HmacSha256, bytes: &[u8]) {
    Mac::update(mac, bytes);
}

/// SHA-256 of `bytes`. Out of line: its hash state and block buffer then take stack only while
/// a body is hashed, not in the frame of every caller.
#[inline(never)]
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    feed(&mut h, bytes);
    digest(&mut h)
}

/// An HMAC keyed with `key`, given in parts, without a fallible constructor: keys up to one
/// block are zero-padded (as RFC 2104 does), longer ones hashed first. The key block is wiped.
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
        let mut d = digest(&mut h);
        if let Some(dst) = block.get_mut(..32) {
            dst.copy_from_slice(&d);
        }
        d.zeroize();
    }
    let mac = HmacSha256::new(&block.into());
    block.zeroize();
    mac
}

/// HMAC-SHA256 of `msg` under a keyed state, consumed (the state is wiped when dropped). Out of
/// line: the key derivation calls it four times.
#[inline(never)]
pub(crate) fn mac_bytes(mut keyed: HmacSha256, msg: &[u8]) -> [u8; 32] {
    mac_feed(&mut keyed, msg);
    keyed.finalize().into_bytes().into()
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
        mac_feed(&mut m, b"Test Using Larger Than Block-Size Key - ");
        mac_feed(&mut m, b"Hash Key First");
        assert_eq!(
            &hex(&m.finalize().into_bytes().into())[..],
            &b"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"[..]
        );
        // Through the writer, piece by piece.
        let written = mac_written(mac_for_key(&[b"Jefe"]), |w| {
            fmt::Write::write_str(w, "what do ya want ")?;
            fmt::Write::write_char(w, 'f')?;
            fmt::Write::write_str(w, "or nothing?")
        });
        assert_eq!(written, mac);
    }

    #[test]
    fn the_public_state_hashes_in_pieces_and_starts_over() {
        let mut h = Sha256State::new();
        h.update(b"a");
        h.update(b"bc");
        // FIPS 180-2 example "abc".
        let abc = *b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(hex(&h.clone().finish_reset()), abc);
        assert_eq!(hex(&h.finish_reset()), abc);
        assert_eq!(&hex(&h.finish_reset())[..], EMPTY_SHA256_HEX.as_bytes());
        assert_eq!(std::format!("{h:?}"), "Sha256State");
    }
}
