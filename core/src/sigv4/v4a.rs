//! SigV4a (`AWS4-ECDSA-P256-SHA256`, feature `sigv4a`): one signature valid in every region of a
//! region set, for multi-region endpoints (S3 Multi-Region Access Points, global services).
//!
//! The stages are SigV4's with four changes:
//!
//! - the credential scope leaves the region out: `YYYYMMDD/service/aws4_request`;
//! - the region set is signed, as the `x-amz-region-set` header or, in a presigned URL, the
//!   `X-Amz-Region-Set` query parameter;
//! - the algorithm names read `AWS4-ECDSA-P256-SHA256` (`-PAYLOAD`, `-TRAILER` for aws-chunked)
//!   and the streaming payload literals `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD[-TRAILER]`;
//! - the signature is an ECDSA P-256 signature over the SHA-256 of the string to sign, DER
//!   encoded and written in hex (up to 144 digits).
//!
//! The private key comes from the access key pair alone (not from the date, region or
//! service), by NIST SP 800-108 counter-mode KDF with HMAC-SHA256:
//!
//! ```text
//! for counter in 1..=254:
//!     c = HMAC("AWS4A" + secret,
//!              be32(1) || "AWS4-ECDSA-P256-SHA256" || 0x00 || access_key_id || counter || be32(256))
//!     if c <= n - 2:  d = c + 1  (n: the order of P-256)
//! ```
//!
//! Nonces are deterministic (RFC 6979), so signing needs no entropy source; AWS accepts any
//! valid ECDSA signature, random or deterministic. [`SigningKeyV4a`] holds the derived key: make
//! it once per access key pair (a [`Signer`](super::Signer) keeps the last one).

use core::fmt;

use p256::elliptic_curve::ff::PrimeField;
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{FieldBytes, NistP256, NonZeroScalar, PublicKey, Scalar};
use sha2::Sha256;
use zeroize::Zeroize;

use crate::limits::{MAX_ACCESS_KEY_ID_LEN, MAX_REGION_SET_LEN};
use crate::secret::SecretKey;
use crate::text::Text;

use super::error::SigningError;
use super::hash::{mac_bytes, mac_for_key, HashWriter};
use super::sign::MAX_V4A_SIGNATURE_DIGITS;
use super::string_to_sign::StringToSign;

/// The SigV4a algorithm name.
pub const ALGORITHM_V4A: &str = "AWS4-ECDSA-P256-SHA256";

/// Attempts of the key derivation before it gives up (the counter is one byte; 0 and 255 are
/// not used, as in the AWS SDKs).
const MAX_KDF_COUNTER: u8 = 254;

/// Checks a SigV4a region set: `*`, wildcards such as `us-*`, or a comma-separated list of them,
/// at most [`MAX_REGION_SET_LEN`] bytes of `[A-Za-z0-9-*,]` with no empty entry (`,,,` names no
/// region).
///
/// # Errors
/// [`SigningError::InvalidRegionSet`] otherwise.
pub fn validate_region_set(set: &str) -> Result<(), SigningError> {
    let ok = !set.is_empty()
        && set.len() <= MAX_REGION_SET_LEN
        && set
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'*' | b','))
        && set.split(',').all(|entry| !entry.is_empty());
    if ok {
        Ok(())
    } else {
        Err(SigningError::InvalidRegionSet)
    }
}

/// A SigV4a signing key: the P-256 private scalar derived from an access key pair. Secret: its
/// `Debug` is redacted, it has no `Display`, and the scalar is wiped on drop. Only the scalar is
/// kept: signing never needs the public key, which [`SigningKeyV4a::public_key`] computes on
/// demand (a scalar multiplication as costly as a signature).
#[derive(Clone)]
pub struct SigningKeyV4a {
    d: NonZeroScalar,
}

impl Drop for SigningKeyV4a {
    fn drop(&mut self) {
        self.d.zeroize();
    }
}

impl SigningKeyV4a {
    /// Derives the key of `access_key_id` and `secret`.
    ///
    /// # Errors
    /// [`SigningError::InvalidAccessKeyId`] for an empty or over-long id,
    /// [`SigningError::EmptySecretKey`], or [`SigningError::EcdsaKey`] when no counter gives a
    /// valid key.
    pub fn derive(access_key_id: &str, secret: &SecretKey) -> Result<Self, SigningError> {
        let id = access_key_id.as_bytes();
        if id.is_empty() || id.len() > MAX_ACCESS_KEY_ID_LEN {
            return Err(SigningError::InvalidAccessKeyId);
        }
        if secret.is_empty() {
            return Err(SigningError::EmptySecretKey);
        }
        // be32(1) || label || 0x00 || access key id || counter || be32(256)
        const LABEL: &[u8] = b"\x00\x00\x00\x01AWS4-ECDSA-P256-SHA256\x00";
        const LENGTH: &[u8] = &256u32.to_be_bytes();
        let mut msg = [0u8; LABEL.len() + MAX_ACCESS_KEY_ID_LEN + 1 + LENGTH.len()];
        let counter_at = LABEL.len() + id.len();
        let msg_len = counter_at + 1 + LENGTH.len();
        let parts = [(0, LABEL), (LABEL.len(), id), (counter_at + 1, LENGTH)];
        for (at, part) in parts {
            if let Some(dst) = msg.get_mut(at..at + part.len()) {
                dst.copy_from_slice(part);
            }
        }
        for counter in 1..=MAX_KDF_COUNTER {
            if let Some(c) = msg.get_mut(counter_at) {
                *c = counter;
            }
            let keyed = mac_for_key(&[b"AWS4A", secret.expose_bytes()]);
            let mut c = mac_bytes(keyed, msg.get(..msg_len).unwrap_or(&[]));
            let candidate = private_scalar(&c);
            c.zeroize();
            if let Some(d) = candidate {
                return Ok(SigningKeyV4a { d });
            }
        }
        Err(SigningError::EcdsaKey)
    }

    /// The public key as uncompressed affine coordinates `(x, y)`, big-endian: what AWS
    /// verifies the signatures with.
    pub fn public_key(&self) -> ([u8; 32], [u8; 32]) {
        let point = PublicKey::from_secret_scalar(&self.d).to_sec1_point(false);
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        if let (Some(px), Some(py)) = (point.x(), point.y()) {
            x.copy_from_slice(px);
            y.copy_from_slice(py);
        }
        (x, y)
    }

    /// Signs a string to sign: ECDSA over its SHA-256, the DER signature in hex.
    pub(crate) fn sign(&self, sts: &StringToSign<'_>) -> Result<SignatureV4a, SigningError> {
        let mut h = HashWriter::default();
        // Writing into a hash cannot fail.
        sts.write_staged(&mut h);
        self.sign_digest(&h.finish())
    }

    /// Signs a SHA-256 digest (of a string to sign): the DER signature in hex.
    pub(crate) fn sign_digest(&self, digest: &[u8; 32]) -> Result<SignatureV4a, SigningError> {
        // RFC 6979 nonce from the scalar and the digest, with SHA-256 as the HMAC-DRBG hash.
        let (signature, _) =
            ecdsa::hazmat::sign_prehashed_rfc6979::<NistP256, Sha256>(&self.d, digest, &[]);
        Ok(SignatureV4a::from_der(signature.to_der().as_bytes()))
    }
}

impl fmt::Debug for SigningKeyV4a {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKeyV4a(** redacted **)")
    }
}

/// `c + 1` when the KDF output `c` is at most `n - 2`, in constant time: `c < n` is checked by
/// the scalar decoding and `c + 1 != 0 (mod n)` by the non-zero check.
fn private_scalar(c: &[u8; 32]) -> Option<NonZeroScalar> {
    let mut repr = FieldBytes::from(*c);
    let scalar: Option<Scalar> = Scalar::from_repr(repr).into();
    repr.zeroize();
    let mut scalar = scalar?;
    let d = NonZeroScalar::new(scalar + Scalar::ONE).into();
    scalar.zeroize();
    d
}

/// The SigV4a key of the last access key pair a [`Signer`](super::Signer) signed with: deriving
/// it costs an HMAC and a P-256 scalar multiplication, so it is kept.
pub(crate) struct KeyCacheV4a {
    entry: Option<(Text<MAX_ACCESS_KEY_ID_LEN>, SecretKey, SigningKeyV4a)>,
}

impl KeyCacheV4a {
    pub(crate) const fn new() -> Self {
        KeyCacheV4a { entry: None }
    }

    /// The key of this access key pair, derived on first use or when the pair changes.
    pub(crate) fn key(
        &mut self,
        access_key_id: &str,
        secret: &SecretKey,
    ) -> Result<&SigningKeyV4a, SigningError> {
        let hit =
            matches!(&self.entry, Some((id, s, _)) if id.as_str() == access_key_id && s == secret);
        if !hit {
            self.entry = None;
            let key = SigningKeyV4a::derive(access_key_id, secret)?;
            let id = Text::try_from(access_key_id).map_err(|_| SigningError::InvalidAccessKeyId)?;
            self.entry = Some((id, secret.clone(), key));
        }
        match &self.entry {
            Some((_, _, key)) => Ok(key),
            None => Err(SigningError::EcdsaKey),
        }
    }

    pub(crate) fn clear(&mut self) {
        self.entry = None;
    }
}

impl Default for KeyCacheV4a {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for KeyCacheV4a {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCacheV4a")
            .field("cached", &self.entry.is_some())
            .finish()
    }
}

/// A SigV4a signature: a DER-encoded ECDSA signature in hex (70 to 144 digits).
#[derive(Clone, Copy)]
pub(crate) struct SignatureV4a {
    hex: [u8; MAX_V4A_SIGNATURE_DIGITS],
    len: usize,
}

impl SignatureV4a {
    fn from_der(der: &[u8]) -> Self {
        let mut hex = [0u8; MAX_V4A_SIGNATURE_DIGITS];
        let len = super::encoding::write_hex(der, &mut hex);
        SignatureV4a { hex, len }
    }
}

impl AsRef<[u8]> for SignatureV4a {
    fn as_ref(&self) -> &[u8] {
        self.hex.get(..self.len).unwrap_or(&[])
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]): the v4a suite's key derivation and its
/// `post-vanilla-query` case (header form), each signature checked with `p256`'s verifier.
pub mod selftests {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    use p256::ecdsa::{Signature, VerifyingKey};

    use super::{HashWriter, SigningKeyV4a, ALGORITHM_V4A};
    use crate::secret::SecretKey;
    use crate::sigv4::conformance::{
        matches, parse_request, SUITE_ACCESS_KEY_ID, SUITE_REGION, SUITE_SECRET_KEY, SUITE_SERVICE,
        SUITE_TIME,
    };
    use crate::sigv4::encoding::hex32;
    use crate::sigv4::{
        sign, CanonicalRequest, SigningCredentials, SigningOutput, SigningParams, SigningSettings,
        StringToSign,
    };
    use crate::text::Field;

    /// The suite's verification key of `AKIDEXAMPLE` (`public-key.json`), big-endian x and y.
    const PUBLIC_X: &str = "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1";
    const PUBLIC_Y: &str = "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518";

    /// `post-vanilla-query`: the request, and the header form's canonical request and string
    /// to sign (region set `us-east-1`).
    const REQ: &str = "POST /?Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\n\n";
    const CREQ: &str = "POST\n/\nParam1=value1\nhost:example.amazonaws.com\n\
x-amz-date:20150830T123600Z\nx-amz-region-set:us-east-1\n\n\
host;x-amz-date;x-amz-region-set\n\
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const STS: &str = "AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/service/aws4_request\n\
502dea2656f02eea10bd05eeec315ea1a6686ed2861176e1670b2d67e17b2f36";
    /// The suite's own (randomized) signature of the header form: it must verify over the
    /// string to sign this crate builds.
    const SUITE_SIGNATURE: &str = "3046022100b876f1bd2e85da20227bf515463de11ed5334e78e559bf814ce39c6a500af453022100a0a4797c60fda7bca3af5ae71680853b0c4e401d3da0821e3266062ff3463275";
    const AUTHZ_PREFIX: &str =
        "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request, \
SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=";

    /// Decodes lowercase or uppercase hex into `out`; the number of bytes, or `None` when the
    /// text is not hex or does not fit.
    fn unhex(text: &str, out: &mut [u8]) -> Option<usize> {
        let nibble = |c: u8| (c as char).to_digit(16);
        let digits = text.as_bytes();
        if digits.len() % 2 != 0 || digits.len() / 2 > out.len() {
            return None;
        }
        for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            *byte = (nibble(pair[0])? * 16 + nibble(pair[1])?) as u8;
        }
        Some(digits.len() / 2)
    }

    fn suite_secret() -> SecretKey {
        SecretKey::new(SUITE_SECRET_KEY, Field::SecretAccessKey).unwrap()
    }

    /// The suite's public key as a `p256` verifier.
    fn suite_verifier() -> VerifyingKey {
        let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
        assert_eq!(unhex(PUBLIC_X, &mut x), Some(32));
        assert_eq!(unhex(PUBLIC_Y, &mut y), Some(32));
        let point = p256::Sec1Point::from_affine_coordinates(&x.into(), &y.into(), false);
        VerifyingKey::from_sec1_point(&point).unwrap()
    }

    /// True when the hex DER signature verifies over the SHA-256 of `sts`.
    fn verifies(key: &VerifyingKey, sts: &str, signature_hex: &str) -> bool {
        let mut der = [0u8; 72];
        let Some(n) = unhex(signature_hex, &mut der) else {
            return false;
        };
        let Ok(sig) = Signature::from_der(&der[..n]) else {
            return false;
        };
        let mut h = HashWriter::default();
        let _ = core::fmt::Write::write_str(&mut h, sts);
        key.verify_prehash(&h.finish(), &sig).is_ok()
    }

    fn suite_params(secret: &SecretKey) -> SigningParams<'_> {
        SigningParams {
            credentials: SigningCredentials {
                access_key_id: SUITE_ACCESS_KEY_ID,
                secret,
                session_token: None,
            },
            region: SUITE_REGION,
            service: SUITE_SERVICE,
            time: SUITE_TIME,
            settings: SigningSettings::standard().sigv4a(),
        }
    }

    selftests! {
        fn derivation_gives_the_suite_public_key() {
            let key = SigningKeyV4a::derive(SUITE_ACCESS_KEY_ID, &suite_secret()).unwrap();
            let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
            unhex(PUBLIC_X, &mut x).unwrap();
            unhex(PUBLIC_Y, &mut y).unwrap();
            assert!(key.public_key() == (x, y), "derived public key differs from the suite's");
        }

        fn post_vanilla_query_stages_and_signature_verify() {
            let secret = suite_secret();
            let params = suite_params(&secret);
            let mut scratch = [0u8; 64];
            let parsed = parse_request(REQ, &mut scratch).unwrap();
            let request = parsed.signable();
            let canonical = CanonicalRequest::new(&request, &params).unwrap();
            assert!(matches(CREQ, |w| canonical.write_to(w)), "canonical request differs");
            let mut h = HashWriter::default();
            let _ = canonical.write_to(&mut h);
            let creq_hash = hex32(&h.finish());
            let sts = StringToSign::for_request(canonical.scope(), &creq_hash);
            assert!(matches(STS, |w| sts.write_to(w)), "string to sign differs");
            let key = SigningKeyV4a::derive(SUITE_ACCESS_KEY_ID, &secret).unwrap();
            let ours = key.sign(&sts).unwrap();
            let ours = core::str::from_utf8(ours.as_ref()).unwrap();
            let verifier = suite_verifier();
            assert!(verifies(&verifier, STS, ours), "our signature does not verify");
            assert!(verifies(&verifier, STS, SUITE_SIGNATURE), "the suite's signature does not verify");
            // A different string to sign must not verify.
            assert!(!verifies(&verifier, &STS[..STS.len() - 1], ours));
        }

        fn post_vanilla_query_signed_headers() {
            let secret = suite_secret();
            let params = suite_params(&secret);
            let mut scratch = [0u8; 64];
            let parsed = parse_request(REQ, &mut scratch).unwrap();
            let mut out = SigningOutput::new();
            let signed = sign(&parsed.signable(), &params, &mut out).unwrap();
            assert_eq!(signed.algorithm(), ALGORITHM_V4A);
            assert_eq!(signed.region_set(), Some(SUITE_REGION));
            let authz = signed.authorization().unwrap();
            assert!(authz.starts_with(AUTHZ_PREFIX), "{}", authz);
            assert_eq!(&authz[AUTHZ_PREFIX.len()..], signed.signature());
            assert!(signed.headers().any(|(n, v)| n.eq_ignore_ascii_case("x-amz-region-set") && v == SUITE_REGION));
            assert!(verifies(&suite_verifier(), STS, signed.signature()), "signature does not verify");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Field;
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    use p256::ecdsa::{Signature, VerifyingKey};
    use std::format;
    use std::vec::Vec;

    fn hex32(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    #[test]
    fn region_sets() {
        for ok in ["*", "us-east-1", "us-*", "us-east-1,us-west-2"] {
            assert_eq!(validate_region_set(ok), Ok(()), "{ok}");
        }
        let long = "a".repeat(MAX_REGION_SET_LEN + 1);
        for bad in [
            "",
            ",,,",
            "us-east-1,",
            ",us-east-1",
            "a,,b",
            "us east",
            "us-east-1;x",
            "é",
            long.as_str(),
        ] {
            assert_eq!(
                validate_region_set(bad),
                Err(SigningError::InvalidRegionSet),
                "{bad}"
            );
        }
    }

    #[test]
    fn derivation_rejects_bad_input() {
        let secret = SecretKey::new("secret", Field::SecretAccessKey).unwrap();
        let long = "A".repeat(MAX_ACCESS_KEY_ID_LEN + 1);
        assert_eq!(
            SigningKeyV4a::derive("", &secret).err(),
            Some(SigningError::InvalidAccessKeyId)
        );
        assert_eq!(
            SigningKeyV4a::derive(&long, &secret).err(),
            Some(SigningError::InvalidAccessKeyId)
        );
        assert_eq!(
            SigningKeyV4a::derive("AKID", &SecretKey::empty()).err(),
            Some(SigningError::EmptySecretKey)
        );
        // The longest id fits the message buffer.
        assert!(SigningKeyV4a::derive(&long[1..], &secret).is_ok());
    }

    #[test]
    fn scalar_bounds() {
        // n - 2 is the largest accepted output, n - 1 the smallest rejected one.
        let n_minus_2 = hex32("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f");
        let n_minus_1 = hex32("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550");
        let d = private_scalar(&n_minus_2).unwrap();
        assert_eq!(
            d.to_repr().as_slice(),
            &hex32("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550")
        );
        assert!(private_scalar(&n_minus_1).is_none());
        assert!(private_scalar(&[0xff; 32]).is_none());
        assert!(private_scalar(&[0; 32]).is_some());
    }

    #[test]
    fn signatures_verify_and_debug_is_redacted() {
        let secret = SecretKey::new(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Field::SecretAccessKey,
        )
        .unwrap();
        let key = SigningKeyV4a::derive("AKIDEXAMPLE", &secret).unwrap();
        assert_eq!(format!("{key:?}"), "SigningKeyV4a(** redacted **)");
        let digest = [7u8; 32];
        let sig = key.sign_digest(&digest).unwrap();
        let hex = core::str::from_utf8(sig.as_ref()).unwrap();
        let der: Vec<u8> = (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let (x, y) = key.public_key();
        let point = p256::Sec1Point::from_affine_coordinates(&x.into(), &y.into(), false);
        let vk = VerifyingKey::from_sec1_point(&point).unwrap();
        vk.verify_prehash(&digest, &Signature::from_der(&der).unwrap())
            .unwrap();
    }
}
