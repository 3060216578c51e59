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

/// A `fmt::Write` sink that feeds SHA-256.
#[derive(Clone, Default)]
pub(crate) struct HashWriter(pub(crate) Sha256);

impl HashWriter {
    pub(crate) fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

impl fmt::Write for HashWriter {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// A `fmt::Write` sink that feeds an HMAC.
pub(crate) struct MacWriter(pub(crate) HmacSha256);

impl MacWriter {
    pub(crate) fn finish(self) -> [u8; 32] {
        self.0.finalize().into_bytes().into()
    }
}

impl fmt::Write for MacWriter {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
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

/// HMAC-SHA256 of `msg` under an already keyed state.
pub(crate) fn mac_bytes(keyed: &HmacSha256, msg: &[u8]) -> [u8; 32] {
    let mut m = keyed.clone();
    m.update(msg);
    m.finalize().into_bytes().into()
}
