//! Secret values: the secret access key, the session token and derived signing keys.
//!
//! Secret types never implement `Display` or `defmt::Format`; their `Debug` prints a redaction
//! marker with the length only; their memory is zeroized when they are dropped.

use core::fmt;
use zeroize::Zeroize;

use crate::limits::{MAX_SECRET_KEY_LEN, MAX_SESSION_TOKEN_LEN};
use crate::text::{CapacityError, Field};

/// A secret string of at most `N` bytes, kept in a fixed array that is wiped on drop.
#[derive(Clone)]
pub struct SecretStr<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> SecretStr<N> {
    /// An empty secret.
    pub const fn empty() -> Self {
        SecretStr {
            bytes: [0; N],
            len: 0,
        }
    }

    /// Copies `s` into a new secret.
    ///
    /// # Errors
    /// [`CapacityError`] naming `field` when `s` is longer than `N` bytes.
    pub fn new(s: &str, field: Field) -> Result<Self, CapacityError> {
        let mut out = Self::empty();
        let dst = out.bytes.get_mut(..s.len()).ok_or(CapacityError {
            field,
            limit: N,
            len: s.len(),
        })?;
        dst.copy_from_slice(s.as_bytes());
        out.len = s.len();
        Ok(out)
    }

    /// Replaces the secret with `s` in place (no temporary copy of the array on the stack); the
    /// old bytes are wiped first.
    ///
    /// # Errors
    /// [`CapacityError`] naming `field` when `s` is longer than `N` bytes; the secret is then
    /// empty.
    pub fn set(&mut self, s: &str, field: Field) -> Result<(), CapacityError> {
        self.bytes.zeroize();
        self.len = 0;
        let dst = self.bytes.get_mut(..s.len()).ok_or(CapacityError {
            field,
            limit: N,
            len: s.len(),
        })?;
        dst.copy_from_slice(s.as_bytes());
        self.len = s.len();
        Ok(())
    }

    /// Appends `s` in place, for a secret decoded piece by piece (escapes in JSON or XML text).
    ///
    /// # Errors
    /// [`CapacityError`] naming `field` when the secret would grow past `N` bytes; the secret is
    /// then unchanged.
    pub fn push_str(&mut self, s: &str, field: Field) -> Result<(), CapacityError> {
        let total = self.len.saturating_add(s.len());
        let dst = self.bytes.get_mut(self.len..total).ok_or(CapacityError {
            field,
            limit: N,
            len: total,
        })?;
        dst.copy_from_slice(s.as_bytes());
        self.len = total;
        Ok(())
    }

    /// The secret text. Call only where the secret must be used (signing, sending).
    pub fn expose(&self) -> &str {
        core::str::from_utf8(self.expose_bytes()).unwrap_or("")
    }

    /// The secret bytes. Call only where the secret must be used (signing, sending).
    pub fn expose_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for an empty secret.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<const N: usize> PartialEq for SecretStr<N> {
    /// Compares in time independent of where the first difference is.
    fn eq(&self, other: &Self) -> bool {
        if self.len != other.len {
            return false;
        }
        let diff = self
            .expose_bytes()
            .iter()
            .zip(other.expose_bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        diff == 0
    }
}

impl<const N: usize> Eq for SecretStr<N> {}

impl<const N: usize> fmt::Debug for SecretStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "** redacted ({} bytes) **", self.len)
    }
}

impl<const N: usize> Drop for SecretStr<N> {
    fn drop(&mut self) {
        self.bytes.zeroize();
        self.len = 0;
    }
}

/// A secret access key.
pub type SecretKey = SecretStr<MAX_SECRET_KEY_LEN>;
/// A session token.
pub type SessionToken = SecretStr<MAX_SESSION_TOKEN_LEN>;

/// A 32-byte derived key (a SigV4 signing key or an intermediate HMAC key).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes32([u8; 32]);

impl SecretBytes32 {
    /// Wraps raw key bytes.
    pub const fn new(bytes: [u8; 32]) -> Self {
        SecretBytes32(bytes)
    }

    /// The key bytes. Call only where the key must be used.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted (32 bytes) **")
    }
}

impl Drop for SecretBytes32 {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn debug_is_redacted_and_overflow_is_typed() {
        let s = SecretKey::new(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Field::SecretAccessKey,
        )
        .unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("wJalr"), "{shown}");
        assert!(shown.contains("40 bytes"));
        let long = [b'a'; MAX_SECRET_KEY_LEN + 1];
        let err = SecretKey::new(core::str::from_utf8(&long).unwrap(), Field::SecretAccessKey)
            .unwrap_err();
        assert_eq!(err.limit, MAX_SECRET_KEY_LEN);
        assert_eq!(err.field, Field::SecretAccessKey);
    }

    #[test]
    fn push_str_appends_and_refuses_overflow_whole() {
        let mut s = SecretStr::<8>::empty();
        s.push_str("abc", Field::SessionToken).unwrap();
        s.push_str("def", Field::SessionToken).unwrap();
        let err = s.push_str("ghi", Field::SessionToken).unwrap_err();
        assert_eq!((err.limit, err.len), (8, 9));
        assert_eq!(s.expose(), "abcdef");
    }
}
