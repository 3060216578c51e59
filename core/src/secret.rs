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

impl<const N: usize> Zeroize for SecretStr<N> {
    /// Wipes every byte of the array (not only the secret's length) and empties the secret.
    fn zeroize(&mut self) {
        self.bytes.zeroize();
        self.len = 0;
    }
}

impl<const N: usize> zeroize::ZeroizeOnDrop for SecretStr<N> {}

impl<const N: usize> Drop for SecretStr<N> {
    fn drop(&mut self) {
        self.zeroize();
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

impl Zeroize for SecretBytes32 {
    /// Wipes the key to 32 zero bytes.
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for SecretBytes32 {}

impl Drop for SecretBytes32 {
    fn drop(&mut self) {
        self.zeroize();
    }
}

/// A compile-time proof that no secret-bearing type can be printed with `{}` or, with the
/// `defmt` feature, with `defmt`: adding such an impl fails the build where the type is listed
/// with [`never_printed!`] (here for this module's types, in `sigv4` for the signing keys).
///
/// `Probe<T>` has an inherent constant only when `T` has the trait; otherwise the path resolves to
/// the blanket trait's `false`.
pub(crate) mod print_probe {
    use core::marker::PhantomData;

    /// The type whose constants say whether `T` can be printed.
    pub(crate) struct Probe<T: ?Sized>(PhantomData<T>);

    /// The answer when `T` lacks the trait.
    pub(crate) trait Otherwise {
        /// `T` has no `Display`.
        const DISPLAY: bool = false;
        /// `T` has no `defmt::Format`.
        #[cfg(feature = "defmt")]
        const DEFMT: bool = false;
    }
    impl<T: ?Sized> Otherwise for Probe<T> {}

    #[allow(dead_code)] // read through the path below only when the bound holds
    impl<T: ?Sized + core::fmt::Display> Probe<T> {
        pub(crate) const DISPLAY: bool = true;
    }
    #[cfg(feature = "defmt")]
    #[allow(dead_code)]
    impl<T: ?Sized + defmt::Format> Probe<T> {
        pub(crate) const DEFMT: bool = true;
    }
}

/// Fails the build when one of the listed types implements `Display` (or, with the `defmt`
/// feature, `defmt::Format`).
macro_rules! never_printed {
    ($($t:ty),* $(,)?) => {$(
        const _: () = {
            #[allow(unused_imports)]
            use $crate::secret::print_probe::{Otherwise as _, Probe};
            assert!(!Probe::<$t>::DISPLAY, "a secret type implements Display");
        };
        #[cfg(feature = "defmt")]
        const _: () = {
            #[allow(unused_imports)]
            use $crate::secret::print_probe::{Otherwise as _, Probe};
            assert!(!Probe::<$t>::DEFMT, "a secret type implements defmt::Format");
        };
    )*};
}
pub(crate) use never_printed;

never_printed!(
    SecretKey,
    SessionToken,
    SecretBytes32,
    crate::keys::Credentials
);

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
    fn zeroize_leaves_only_zeros() {
        let mut s = SecretStr::<16>::new("hunter2-marker", Field::SecretAccessKey).unwrap();
        s.zeroize();
        assert_eq!((s.len(), s.expose()), (0, ""));
        assert_eq!(s.bytes, [0u8; 16], "every byte of the array is wiped");

        // `set` wipes the old bytes first: a shorter secret leaves no tail of the longer one.
        let mut s = SecretStr::<16>::new("0123456789abcdef", Field::SecretAccessKey).unwrap();
        s.set("xy", Field::SecretAccessKey).unwrap();
        assert_eq!(&s.bytes[..2], b"xy");
        assert_eq!(s.bytes[2..], [0u8; 14]);
        // A failed `set` leaves the secret empty and wiped.
        assert!(s
            .set("far too long for sixteen", Field::SecretAccessKey)
            .is_err());
        assert_eq!(s.bytes, [0u8; 16]);

        let mut k = SecretBytes32::new([0xA5; 32]);
        k.zeroize();
        assert_eq!(k.expose(), &[0u8; 32]);
    }

    #[test]
    fn credentials_clear_wipes_the_secret() {
        let mut c = crate::keys::Credentials::new(
            "AKIDEXAMPLE",
            "SecretMarker/LeakTest+0123456789abcdef",
            Some("TokenMarker"),
        )
        .unwrap();
        c.clear();
        assert!(c.secret_access_key.is_empty());
        assert_eq!(c.secret_access_key.bytes, [0u8; MAX_SECRET_KEY_LEN]);
        assert!(c.session_token.is_none());
    }

    #[test]
    fn debug_of_every_secret_bearing_type_is_redacted() {
        use crate::sigv4::{derive_signing_key, SigningKey, SigningKeyCache};
        const SECRET: &str = "SecretMarker/LeakTest+0123456789abcdef";
        const TOKEN: &str = "TokenMarker-0123456789";
        let secret = SecretKey::new(SECRET, Field::SecretAccessKey).unwrap();
        let token = SessionToken::new(TOKEN, Field::SessionToken).unwrap();
        let raw = derive_signing_key(&secret, "20150830", "us-east-1", "s3");
        let hex: std::string::String = raw.expose().iter().map(|b| format!("{b:02x}")).collect();
        let key = SigningKey::from_bytes(&raw);
        let mut cache = SigningKeyCache::<2>::new();
        cache.with_key(&secret, "20150830", "us-east-1", "s3", |_| ());
        let creds = crate::keys::Credentials::new("AKIDEXAMPLE", SECRET, Some(TOKEN)).unwrap();
        #[cfg(feature = "sigv4a")]
        {
            let v4a = crate::sigv4::SigningKeyV4a::derive("AKIDEXAMPLE", &secret).unwrap();
            let text = format!("{v4a:?} {v4a:#?}");
            assert!(
                text.contains("redacted") && !text.contains("SecretMarker"),
                "{text}"
            );
        }
        let shown = [
            format!("{secret:?} {secret:#?}"),
            format!("{token:?} {token:#?}"),
            format!("{raw:?} {raw:#?}"),
            format!("{key:?} {key:#?}"),
            format!("{cache:?} {cache:#?}"),
            format!("{creds:?} {creds:#?}"),
        ];
        for text in shown {
            for marker in ["SecretMarker", "TokenMarker", &hex[..16], "0123456789"] {
                assert!(!text.contains(marker), "{marker} in {text}");
            }
        }
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
