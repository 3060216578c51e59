//! Server authentication for TLS 1.3 on devices, without a heap.
//!
//! A device that talks to AWS over TLS must decide whether the chain of certificates a server sent
//! proves that it is the host the device asked for. This crate makes that decision with
//! [`rustls-webpki`](webpki) (built without `alloc`) and signature algorithms of its own
//! ([`ALGORITHMS`]) from RustCrypto crates:
//!
//! * **Path building** from the leaf through the other certificates the server sent, in any
//!   order, to one of the [trust anchors](anchors) (Amazon Root CA 1–4 and Starfield Services
//!   Root G2 by default); cross-signed roots and extra certificates are tolerated.
//! * **Checks on every certificate of the path**: issuer and subject names chain, signatures
//!   (ECDSA P-256/P-384 with SHA-256/384, RSA PKCS#1 v1.5 and PSS with SHA-256/384/512 for keys
//!   of 2048–4096 bits), basicConstraints (CA flag and path length), keyUsage, extendedKeyUsage
//!   (serverAuth), name constraints, validity dates.
//! * **Host name** against every subject alternative name of the leaf (RFC 6125 wildcards in the
//!   left-most label only; no fallback to the subject's common name).
//! * **Handshake signature**: [`ServerKey::verify_tls13`] checks the server's CertificateVerify
//!   over the transcript hash with the leaf's key, which [`Verifier::verify_server`] keeps (the
//!   key only, at most [`MAX_SPKI_LEN`] bytes — not the chain).
//!
//! # Time
//!
//! Time comes in as an argument (seconds since the Unix epoch, or `None` when the device's clock
//! is not set yet). A device without time cannot tell an expired certificate from a valid one, so
//! by default [`Verifier::verify_server`] refuses with [`CertError::ClockNotSet`]
//! ([`ClockPolicy::Refuse`]). A firmware that must reach AWS before it learns the time (to learn
//! it from a response's `Date`, say) can opt into [`ClockPolicy::BuildTimeLowerBound`]: the time
//! is then taken to be the firmware's build time, raised to the `notBefore` of any certificate of
//! the path issued later (a CA-signed certificate cannot be issued in the future). Certificates
//! that expired before that moment are refused; one that expired between then and now is not
//! detected — the price of having no clock, bounded by the age of the firmware.
//!
//! # Memory
//!
//! Nothing is allocated. [`Verifier::verify_server`] borrows the certificates where the TLS
//! library received them; path building and the signature checks use the stack (RSA-4096 the
//! most: the Montgomery arithmetic keeps a few 512-byte integers, see docs/performance.md).
//!
//! # Errors
//!
//! Every refusal is one [`CertError`] naming the reason. The test PKI (`tests/pki.rs`, shaped like
//! AWS's and made at test time) checks each:
//!
//! | chain | error |
//! |---|---|
//! | a leaf signed with another leaf's key (the forged certificate) | [`CertError::NotACa`] |
//! | a certificate for another host | [`CertError::WrongHost`] |
//! | an expired leaf / a leaf not valid yet | [`CertError::Expired`] / [`CertError::NotYetValid`] |
//! | a leaf for client authentication only | [`CertError::WrongUsage`] |
//! | a CA below an intermediate with `pathLen 0` | [`CertError::PathLenExceeded`] |
//! | a chain to a root the device does not trust | [`CertError::UnknownAnchor`] |
//! | truncated or garbled DER | [`CertError::BadDer`] |
//! | a flipped signature bit (leaf or intermediate) | [`CertError::BadSignature`] |
//! | more than [`MAX_CHAIN_CERTS`] certificates | [`CertError::ChainTooLong`] |
//! | a CA certificate as the server's | [`CertError::CaAsLeaf`] |
//! | no time and the default policy | [`CertError::ClockNotSet`] |
//!
//! # Why rustls-webpki
//!
//! embedded-tls 0.19's own verifier (`rustpki`) checks only the signature from one anchor to the
//! last certificate sent, with no path building, no basicConstraints, key usage or issuer names
//! (any leaf under a trusted root could sign a certificate for any host), copies the chain into
//! 4 KiB and needs a heap for RSA. Writing path building and the X.509 profile ourselves would be
//! thousands of lines of security-critical parsing. rustls-webpki does exactly this job, is
//! maintained with rustls, is fuzzed and used by most Rust TLS clients, and builds without `alloc`
//! for `thumbv6m`, `thumbv7em` and `riscv32imc`: it leaves the signature algorithms to its caller.
//! Its `ring` / `aws-lc-rs` backends do not build for these targets, so the algorithms here come
//! from RustCrypto (`p256`/`p384` 0.13, the versions embedded-tls already links for its key exchange,
//! so an image carries one copy; SHA-256 from `aws-session-core` through [`sha256::Sha256`], so the
//! image has one SHA-256; SHA-384/512 from `sha2` 0.10 in its compact form) and, for RSA, from
//! [`crypto-bigint`](https://docs.rs/crypto-bigint/0.5)'s fixed-size Montgomery arithmetic plus our padding checks
//! (the `rsa` crate needs a heap). Flash and RAM are in docs/performance.md.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

mod algs;
pub mod anchors;
mod der;
mod error;
#[cfg(feature = "rsa")]
mod rsa;
pub mod sha256;

use core::time::Duration;

use pki_types::{CertificateDer, Der, ServerName, SubjectPublicKeyInfoDer, UnixTime};
use webpki::{EndEntityCert, KeyUsage, RawPublicKeyEntity};

pub use algs::ALGORITHMS;
pub use error::{CertError, SignatureError};
pub use pki_types::TrustAnchor;

/// Most certificates a server may send (leaf included). AWS endpoints send three or four (leaf,
/// intermediate, cross-signed root, and sometimes the cross-signing root); eight leaves room for
/// extra certificates without letting a server make the device build long paths.
pub const MAX_CHAIN_CERTS: usize = 8;

/// Largest leaf public key ([SubjectPublicKeyInfo] DER) kept for the CertificateVerify check: an
/// RSA-4096 key is 550 bytes, a P-384 key 120.
///
/// [SubjectPublicKeyInfo]: https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.7
pub const MAX_SPKI_LEN: usize = 600;

/// When this crate was built (seconds since the Unix epoch): `SOURCE_DATE_EPOCH` if it was set,
/// else the moment of compilation. Every moment the firmware runs is later, so it is a sound lower
/// bound for [`ClockPolicy::BuildTimeLowerBound`].
pub const BUILD_TIME: u64 = parse_decimal(env!("AWS_SESSION_TLS_VERIFY_BUILD_TIME"));

const fn parse_decimal(s: &str) -> u64 {
    let mut rest = s.as_bytes();
    let mut n: u64 = 0;
    while let [d, tail @ ..] = rest {
        if d.is_ascii_digit() {
            n = n.saturating_mul(10).saturating_add((*d - b'0') as u64);
        }
        rest = tail;
    }
    n
}

/// What [`Verifier::verify_server`] does when the device's clock is not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ClockPolicy {
    /// Refuse every server with [`CertError::ClockNotSet`] (the default).
    Refuse,
    /// Check validity as of this moment (seconds since the Unix epoch; the firmware's build time),
    /// raised to the latest `notBefore` on the path. See the [crate docs](crate#time).
    BuildTimeLowerBound(u64),
}

/// Decides whether a server's certificate chain proves the host name (see the [crate docs](crate)).
#[derive(Debug, Clone, Copy)]
pub struct Verifier<'a> {
    anchors: &'a [TrustAnchor<'a>],
    clock: ClockPolicy,
}

impl Verifier<'static> {
    /// Trusts [`anchors::AWS_ROOTS`] and refuses when the clock is not set.
    pub const fn aws() -> Self {
        Verifier::new(anchors::AWS_ROOTS)
    }
}

impl<'a> Verifier<'a> {
    /// Trusts exactly `anchors` (replacing the AWS roots) and refuses when the clock is not set.
    ///
    /// Anchors from DER certificates: [`webpki::anchor_from_trusted_cert`].
    pub const fn new(anchors: &'a [TrustAnchor<'a>]) -> Self {
        Verifier {
            anchors,
            clock: ClockPolicy::Refuse,
        }
    }

    /// The same verifier with `policy` for a clock that is not set.
    pub const fn with_clock_policy(mut self, policy: ClockPolicy) -> Self {
        self.clock = policy;
        self
    }

    /// The anchors this verifier trusts.
    pub const fn anchors(&self) -> &'a [TrustAnchor<'a>] {
        self.anchors
    }

    /// Verifies `chain` (DER certificates as the server sent them, leaf first, the others in any
    /// order) for `host` (a DNS name or an IP address) at `now` (seconds since the Unix epoch, or
    /// `None` when the clock is not set), and returns the leaf's public key for
    /// [`ServerKey::verify_tls13`].
    ///
    /// # Errors
    /// The [`CertError`] that says why the chain does not prove `host`.
    pub fn verify_server(
        &self,
        chain: &[&[u8]],
        host: &str,
        now: Option<u64>,
    ) -> Result<ServerKey, CertError> {
        let (leaf_der, others) = chain.split_first().ok_or(CertError::EmptyChain)?;
        if chain.len() > MAX_CHAIN_CERTS {
            return Err(CertError::ChainTooLong);
        }
        let name = ServerName::try_from(host).map_err(|_| CertError::BadHostName)?;
        let mut intermediates: [CertificateDer<'_>; MAX_CHAIN_CERTS] =
            core::array::from_fn(|_| CertificateDer::from(&[][..]));
        for (slot, der) in intermediates.iter_mut().zip(others) {
            *slot = CertificateDer::from(*der);
        }
        let intermediates = intermediates
            .get(..others.len())
            .ok_or(CertError::ChainTooLong)?;
        let leaf_der = CertificateDer::from(*leaf_der);
        let leaf = EndEntityCert::try_from(&leaf_der).map_err(CertError::from)?;

        let mut at = match (now, self.clock) {
            (Some(t), _) => t,
            (None, ClockPolicy::BuildTimeLowerBound(t)) => t,
            (None, ClockPolicy::Refuse) => return Err(CertError::ClockNotSet),
        };
        // With a lower bound, a certificate issued after it moves the bound up; each retry moves
        // it past one more certificate's notBefore, so a path of N certificates needs at most N.
        let mut tries = MAX_CHAIN_CERTS + 1;
        loop {
            let time = UnixTime::since_unix_epoch(Duration::from_secs(at));
            let verified = leaf.verify_for_usage(
                ALGORITHMS,
                self.anchors,
                intermediates,
                time,
                KeyUsage::server_auth(),
                None,
                None,
            );
            match verified {
                Ok(_) => break,
                Err(webpki::Error::CertNotValidYet { not_before, .. })
                    if now.is_none() && not_before.as_secs() > at && tries > 0 =>
                {
                    at = not_before.as_secs();
                    tries -= 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
        leaf.verify_is_valid_for_subject_name(&name)
            .map_err(CertError::from)?;
        let spki = der::certificate_spki(leaf_der.as_ref()).ok_or(CertError::BadDer)?;
        ServerKey::new(spki).ok_or(CertError::KeyTooLarge)
    }
}

/// A trust anchor from a DER certificate (a root, or an intermediate trusted directly): its
/// subject, public key and name constraints, borrowed from `der`.
///
/// # Errors
/// [`CertError::BadDer`] when `der` is not an X.509 certificate.
pub fn anchor_from_der(der: &[u8]) -> Result<TrustAnchor<'_>, CertError> {
    let cert = CertificateDer::from(der);
    let a = webpki::anchor_from_trusted_cert(&cert).map_err(|_| CertError::BadDer)?;
    // The parts point into `der`; re-borrow them from it for its lifetime.
    let rebase = |part: &Der<'_>| -> Result<Der<'_>, CertError> {
        let part = part.as_ref();
        let start = (part.as_ptr() as usize)
            .checked_sub(der.as_ptr() as usize)
            .ok_or(CertError::BadDer)?;
        let end = start.checked_add(part.len()).ok_or(CertError::BadDer)?;
        der.get(start..end)
            .map(Der::from_slice)
            .ok_or(CertError::BadDer)
    };
    Ok(TrustAnchor {
        subject: rebase(&a.subject)?,
        subject_public_key_info: rebase(&a.subject_public_key_info)?,
        name_constraints: match &a.name_constraints {
            Some(nc) => Some(rebase(nc)?),
            None => None,
        },
    })
}

/// The public key of a verified server (its leaf certificate's SubjectPublicKeyInfo, copied).
#[derive(Clone, Copy)]
pub struct ServerKey {
    spki: [u8; MAX_SPKI_LEN],
    len: usize,
}

impl core::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerKey")
            .field("spki_len", &self.len)
            .finish()
    }
}

/// The context string of a server's TLS 1.3 CertificateVerify (RFC 8446 §4.4.3), with its 0 byte.
const SERVER_CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify\x00";

/// Longest transcript hash (SHA-512).
const MAX_HASH_LEN: usize = 64;

impl ServerKey {
    fn new(spki: &[u8]) -> Option<Self> {
        let mut key = ServerKey {
            spki: [0; MAX_SPKI_LEN],
            len: spki.len(),
        };
        key.spki.get_mut(..spki.len())?.copy_from_slice(spki);
        Some(key)
    }

    /// The SubjectPublicKeyInfo DER of the key.
    pub fn spki(&self) -> &[u8] {
        self.spki.get(..self.len).unwrap_or(&[])
    }

    /// Checks a TLS 1.3 server CertificateVerify: `signature` by this key, with the TLS
    /// `SignatureScheme` code `scheme`, over the handshake `transcript_hash` (RFC 8446 §4.4.3).
    ///
    /// Schemes: `ecdsa_secp256r1_sha256` (0x0403), `ecdsa_secp384r1_sha384` (0x0503, feature
    /// `p384`), `rsa_pss_rsae_sha256/384/512` (0x0804–0x0806, feature `rsa`). TLS 1.3 forbids
    /// PKCS#1 v1.5 here.
    ///
    /// # Errors
    /// [`SignatureError::UnsupportedScheme`], [`SignatureError::KeyMismatch`] (the scheme does not
    /// fit the key), [`SignatureError::BadSignature`].
    pub fn verify_tls13(
        &self,
        scheme: u16,
        transcript_hash: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        let alg = algs::tls13_scheme(scheme).ok_or(SignatureError::UnsupportedScheme)?;
        if transcript_hash.len() > MAX_HASH_LEN {
            return Err(SignatureError::BadSignature);
        }
        let mut msg = [0x20u8; 64 + SERVER_CONTEXT.len() + MAX_HASH_LEN];
        let len = 64 + SERVER_CONTEXT.len() + transcript_hash.len();
        let (_, tail) = msg.split_at_mut(64);
        let (ctx, hash) = tail.split_at_mut(SERVER_CONTEXT.len());
        ctx.copy_from_slice(SERVER_CONTEXT);
        hash.get_mut(..transcript_hash.len())
            .ok_or(SignatureError::BadSignature)?
            .copy_from_slice(transcript_hash);
        let msg = msg.get(..len).ok_or(SignatureError::BadSignature)?;
        let spki = SubjectPublicKeyInfoDer::from(self.spki());
        let key = RawPublicKeyEntity::try_from(&spki).map_err(|_| SignatureError::KeyMismatch)?;
        key.verify_signature(alg, msg, signature)
            .map_err(|e| match e {
                webpki::Error::InvalidSignatureForPublicKey => SignatureError::BadSignature,
                _ => SignatureError::KeyMismatch,
            })
    }
}
