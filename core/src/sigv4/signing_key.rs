//! Stage 4: the signing key, derived from the secret for one (date, region, service), and a cache
//! so that repeated signatures on the same day cost one HMAC instead of five.
//!
//! ```text
//! kDate    = HMAC("AWS4" + secret, "YYYYMMDD")
//! kRegion  = HMAC(kDate, region)
//! kService = HMAC(kRegion, service)
//! kSigning = HMAC(kService, "aws4_request")
//! ```

use core::fmt;

use zeroize::Zeroize;

use crate::limits::{MAX_CACHED_SIGNING_KEYS, MAX_REGION_LEN, MAX_SERVICE_NAME_LEN};
use crate::secret::{SecretBytes32, SecretKey};
use crate::text::Text;

use super::hash::{mac_bytes, mac_for_key, mac_written, HmacSha256, MacWriter};

/// A SigV4 signing key, held as a ready-keyed HMAC state (the key's inner and outer pads are
/// already absorbed, which saves two SHA-256 blocks per signature).
///
/// Secret: `Debug` is redacted, there is no `Display`, and the state is wiped on drop (the
/// `zeroize` features of `sha2` and `hmac` are on).
#[derive(Clone)]
pub struct SigningKey {
    mac: HmacSha256,
}

impl SigningKey {
    /// Derives the signing key for `date` (`YYYYMMDD`), `region` and `service`.
    pub fn derive(secret: &SecretKey, date: &str, region: &str, service: &str) -> Self {
        let k = derive_signing_key(secret, date, region, service);
        Self::from_bytes(&k)
    }

    /// A signing key from its raw 32 bytes (kSigning).
    pub fn from_bytes(key: &SecretBytes32) -> Self {
        SigningKey {
            mac: mac_for_key(&[key.expose()]),
        }
    }

    /// HMAC-SHA256 under this key of whatever `write` writes.
    pub(crate) fn sign_with(
        &self,
        write: impl FnOnce(&mut MacWriter<'_>) -> fmt::Result,
    ) -> [u8; 32] {
        mac_written(self.mac.clone(), write)
    }

    /// [`SigningKey::sign_with`] for a key used once (a cold signature): its state is consumed,
    /// not copied.
    pub(crate) fn sign_once(
        self,
        write: impl FnOnce(&mut MacWriter<'_>) -> fmt::Result,
    ) -> [u8; 32] {
        mac_written(self.mac, write)
    }

    /// HMAC-SHA256 of `msg` under this key.
    pub fn sign_bytes(&self, msg: &[u8]) -> [u8; 32] {
        mac_bytes(self.mac.clone(), msg)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(** redacted **)")
    }
}

/// Derives kSigning (see the module docs), wiping every intermediate key.
#[inline(never)]
pub fn derive_signing_key(
    secret: &SecretKey,
    date: &str,
    region: &str,
    service: &str,
) -> SecretBytes32 {
    let mut k_date = mac_bytes(
        mac_for_key(&[b"AWS4", secret.expose_bytes()]),
        date.as_bytes(),
    );
    let mut k_region = mac_bytes(mac_for_key(&[&k_date]), region.as_bytes());
    k_date.zeroize();
    let mut k_service = mac_bytes(mac_for_key(&[&k_region]), service.as_bytes());
    k_region.zeroize();
    let mut k_signing = mac_bytes(mac_for_key(&[&k_service]), b"aws4_request");
    k_service.zeroize();
    let out = SecretBytes32::new(k_signing);
    k_signing.zeroize();
    out
}

/// One cached key and the scope it belongs to.
#[derive(Clone)]
struct Entry {
    date: [u8; 8],
    region: Text<MAX_REGION_LEN>,
    service: Text<MAX_SERVICE_NAME_LEN>,
    key: SigningKey,
}

/// Signing keys for up to `N` (date, region, service) scopes, all derived from one secret.
///
/// A lookup compares the secret in constant time: when the credentials change, every entry is
/// dropped (and wiped). Entries are replaced round-robin. The cache is caller-owned memory with a
/// `const fn new()`, so it can live in a `static`.
pub struct SigningKeyCache<const N: usize = MAX_CACHED_SIGNING_KEYS> {
    secret: SecretKey,
    entries: [Option<Entry>; N],
    next: usize,
    hits: u32,
    misses: u32,
}

impl<const N: usize> SigningKeyCache<N> {
    /// An empty cache.
    pub const fn new() -> Self {
        SigningKeyCache {
            secret: SecretKey::empty(),
            entries: [const { None }; N],
            next: 0,
            hits: 0,
            misses: 0,
        }
    }

    /// Runs `f` with the signing key for this scope, deriving and caching it on a miss.
    pub fn with_key<R>(
        &mut self,
        secret: &SecretKey,
        date: &str,
        region: &str,
        service: &str,
        f: impl FnOnce(&SigningKey) -> R,
    ) -> R {
        if self.secret != *secret {
            self.clear();
            self.secret = secret.clone();
        }
        let found = self.entries.iter().position(|e| {
            e.as_ref().is_some_and(|e| {
                e.date.as_slice() == date.as_bytes()
                    && e.region.as_str() == region
                    && e.service.as_str() == service
            })
        });
        if let Some(Some(entry)) = found.and_then(|i| self.entries.get(i)) {
            self.hits = self.hits.wrapping_add(1);
            return f(&entry.key);
        }
        self.misses = self.misses.wrapping_add(1);
        let key = SigningKey::derive(secret, date, region, service);
        let mut date_bytes = [0u8; 8];
        if date.len() == 8 {
            date_bytes.copy_from_slice(date.as_bytes());
        }
        let (Ok(region_text), Ok(service_text), Some(slot)) = (
            Text::try_from(region),
            Text::try_from(service),
            self.entries.get_mut(self.next),
        ) else {
            // Uncacheable (a zero-sized cache, or names over the limits): use the key once.
            return f(&key);
        };
        self.next = (self.next + 1) % N.max(1);
        let entry = slot.insert(Entry {
            date: date_bytes,
            region: region_text,
            service: service_text,
            key,
        });
        f(&entry.key)
    }

    /// Drops (and wipes) every cached key.
    pub fn clear(&mut self) {
        for e in &mut self.entries {
            *e = None;
        }
        self.next = 0;
    }

    /// Lookups answered from the cache so far.
    pub fn hits(&self) -> u32 {
        self.hits
    }

    /// Lookups that derived a key so far.
    pub fn misses(&self) -> u32 {
        self.misses
    }
}

impl<const N: usize> Default for SigningKeyCache<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Debug for SigningKeyCache<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let used = self.entries.iter().filter(|e| e.is_some()).count();
        f.debug_struct("SigningKeyCache")
            .field("entries", &used)
            .field("capacity", &N)
            .field("hits", &self.hits)
            .field("misses", &self.misses)
            .finish()
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::text::Field;

    fn secret(s: &str) -> SecretKey {
        SecretKey::new(s, Field::SecretAccessKey).unwrap()
    }

    selftests! {
        fn derives_the_general_reference_example_key() {
            // AWS General Reference, "Examples of how to derive a signing key": iam, 20120215.
            let k = derive_signing_key(&secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "20120215", "us-east-1", "iam");
            let hex = super::super::encoding::hex32(k.expose());
            assert_eq!(&hex[..], b"f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
        }

        fn long_secrets_hash_into_the_key_block() {
            // A secret over 60 bytes takes RFC 2104's hash-the-key path; the two paths must agree
            // with a direct HMAC over the joined key.
            let long = "0123456789012345678901234567890123456789012345678901234567890123456789";
            let a = derive_signing_key(&secret(long), "20150830", "us-east-1", "service");
            let b = derive_signing_key(&secret(long), "20150830", "us-east-1", "service");
            assert_eq!(a, b);
            let short = derive_signing_key(&secret("x"), "20150830", "us-east-1", "service");
            assert_ne!(a, short);
        }

        fn cache_hits_on_the_same_scope_and_flushes_on_a_new_secret() {
            let mut cache: SigningKeyCache<2> = SigningKeyCache::new();
            let s1 = secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
            let a = cache.with_key(&s1, "20150830", "us-east-1", "service", |k| k.sign_bytes(b"m"));
            let b = cache.with_key(&s1, "20150830", "us-east-1", "service", |k| k.sign_bytes(b"m"));
            assert_eq!(a, b);
            assert_eq!((cache.hits(), cache.misses()), (1, 1));
            cache.with_key(&s1, "20150830", "us-east-1", "s3", |_| ());
            cache.with_key(&s1, "20150830", "us-east-1", "service", |_| ());
            assert_eq!((cache.hits(), cache.misses()), (2, 2));
            // A third scope evicts round-robin; then a new secret flushes everything.
            cache.with_key(&s1, "20150831", "us-east-1", "service", |_| ());
            let s2 = secret("another");
            let c = cache.with_key(&s2, "20150830", "us-east-1", "service", |k| k.sign_bytes(b"m"));
            assert_ne!(a, c);
            assert_eq!(cache.misses(), 4);
            let mut none: SigningKeyCache<0> = SigningKeyCache::new();
            assert_eq!(none.with_key(&s1, "20150830", "us-east-1", "service", |k| k.sign_bytes(b"m")), a);
        }

        fn debug_never_shows_key_material() {
            let k = SigningKey::derive(&secret("abc"), "20150830", "us-east-1", "service");
            let mut buf = [0u8; 64];
            let mut w = crate::text::SliceWriter::new(&mut buf);
            core::fmt::write(&mut w, format_args!("{k:?}")).unwrap();
            assert_eq!(w.as_str(), "SigningKey(** redacted **)");
        }
    }
}
