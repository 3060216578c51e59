//! AWS Signature Version 4: header signing, presigned URLs and aws-chunked streaming, with no heap.
//!
//! ## Stages
//!
//! Each stage is a type that writes the exact spec text into any `core::fmt::Write`, so every
//! stage can be compared with the conformance suites' golden files — and the signer itself
//! writes the same text straight into SHA-256 and HMAC, never into a buffer.
//!
//! | stage | type | text |
//! |---|---|---|
//! | 1 | [`CanonicalRequest`] | method, path, query, headers, signed headers, payload hash |
//! | 2 | [`CredentialScope`] | `20150830/us-east-1/iam/aws4_request` |
//! | 3 | [`StringToSign`] | `AWS4-HMAC-SHA256`, time, scope, hash of stage 1 (and the chunk / trailer forms) |
//! | 4 | [`SigningKey`] + [`SigningKeyCache`] | kDate → kRegion → kService → kSigning, cached per (date, region, service) |
//! | 5 | [`Signer`] → [`SigningInstructions`] | `Authorization` and `X-Amz-*` headers, or presigned query parameters |
//!
//! ## Inputs and outputs
//!
//! The signer takes a neutral borrowed view of a request ([`SignableRequest`]: method, path as
//! sent, raw query, `(name, value)` headers, payload mode) and [`SigningParams`] (borrowed
//! [`SigningCredentials`], region, service, time, [`SigningSettings`]). It never reads a clock and
//! never touches an HTTP type: it writes into a caller-owned [`SigningOutput`] and returns
//! [`SigningInstructions`] — the headers to add, or the query parameters of a presigned URL.
//!
//! ```
//! use aws_session_core::secret::SecretKey;
//! use aws_session_core::sigv4::{SignableBody, SignableRequest, Signer, SigningCredentials, SigningOutput, SigningParams, SigningSettings};
//! use aws_session_core::text::Field;
//! use aws_session_core::time::UnixTime;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Field::SecretAccessKey)?;
//! let params = SigningParams {
//!     credentials: SigningCredentials { access_key_id: "AKIDEXAMPLE", secret: &secret, session_token: None },
//!     region: "us-east-1",
//!     service: "sts",
//!     time: UnixTime::parse_amz("20150830T123600Z")?,
//!     settings: SigningSettings::for_service("sts"),
//! };
//! let headers = [("Host", "sts.amazonaws.com")];
//! let req = SignableRequest::new("GET", "/", "Action=GetCallerIdentity&Version=2011-06-15", &headers, SignableBody::Bytes(b""));
//!
//! let mut signer: Signer = Signer::new();
//! let mut out = SigningOutput::new();
//! let signed = signer.sign(&req, &params, &mut out)?;
//! for (name, value) in signed.headers() {
//!     // add `name: value` to the outgoing request
//!     # let _ = (name, value);
//! }
//! assert!(signed.authorization().unwrap().starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"));
//!
//! // Bad input is a typed error, never a panic:
//! let bad = [("Host", "example.com"), ("X-Bad", "line\nbreak")];
//! let req = SignableRequest::new("GET", "/", "", &bad, SignableBody::Unsigned);
//! assert!(signer.sign(&req, &params, &mut out).is_err());
//! # Ok(())
//! # }
//! ```
//!
//! ## Service rules
//!
//! [`SigningSettings::for_service`] picks S3's rules (single encoding, no path normalization,
//! `x-amz-content-sha256` signed) for the S3 family and the standard rules (double encoding,
//! normalized paths) for everything else. See [`encoding`] for the exact text rules.
//!
//! ## Canonical input
//!
//! [`sign_canonical`] and [`Signer::sign_canonical`] sign a request whose parts the caller wrote
//! in canonical form ([`CanonicalParts`]): each part is checked by a linear scan (an error names
//! the part and where), nothing is sorted or re-encoded, and an image that signs only this way
//! links none of the general canonicalization. See [`canonical_parts`].
//!
//! ## Streaming
//!
//! [`streaming`] signs aws-chunked uploads chunk by chunk through `embedded-io`, with memory
//! independent of the object's size.
//!
//! ## SigV4a
//!
//! With the `sigv4a` feature, `SigningSettings::sigv4a` signs with `AWS4-ECDSA-P256-SHA256`
//! for the region set in [`SigningParams::region`] (`*`, `us-*`, a list): the same stages, a
//! region-less credential scope, the region set signed as a header or query parameter, and an
//! ECDSA P-256 signature from a key derived from the access key pair (module `v4a`). Header signing,
//! presigned URLs and aws-chunked streaming all work; a [`Signer`] keeps the derived key.
//!
//! ## Speed or size
//!
//! A few steps of the signer have two forms: a fast one (byte scans a 64-bit word at a time for
//! query segments and header names, a header sort keyed on each name's first eight bytes, hex
//! digits computed a register wide, the hot signing steps inlined) and a small one (byte-class
//! table lookups, out-of-line calls). Both give the same text; the tests check each fast form
//! against the byte loop it replaces. The crate's build script chooses with the `wide_paths` cfg:
//!
//! * on when the `wide-paths` feature is enabled (for a 32-bit target with flash to spare);
//! * else on for 64-bit targets, where flash is plentiful, unless the environment variable
//!   `AWS_SESSION_NARROW_PATHS` is `1` at build time (to test the small forms on a host);
//! * off otherwise: 32-bit microcontrollers get the small forms by default.

pub mod canonical_parts;
mod canonical_request;
mod date_cache;
pub mod encoding;
mod error;
mod hash;
mod output;
mod presign;
mod request;
mod scope;
mod sign;
mod signing_context;
mod signing_key;
pub mod streaming;
mod string_to_sign;
#[cfg(feature = "sigv4a")]
pub mod v4a;

#[cfg(any(test, feature = "test-util"))]
pub mod conformance;

#[cfg(feature = "http")]
pub mod http_request;

pub use canonical_parts::CanonicalParts;
pub use canonical_request::CanonicalRequest;
pub use encoding::UriEncoding;
pub use error::{CanonicalPart, ChunkedError, SigningError};
pub use hash::{Sha256State, EMPTY_SHA256_HEX};
pub use output::{HeaderIter, SigningInstructions, SigningOutput, MAX_SIGNING_HEADERS};
pub use presign::{ParamValue, QueryParamIter};
pub use request::{
    SessionTokenMode, SignableBody, SignableRequest, SignatureLocation, SigningAlgorithm,
    SigningCredentials, SigningParams, SigningSettings,
};
pub use scope::{validate_region, CredentialScope};
pub use sign::{sign, sign_canonical, Signer};
pub use signing_key::{derive_signing_key, SigningKey, SigningKeyCache};
#[cfg(feature = "sigv4a")]
pub use streaming::encoded_len_v4a;
pub use streaming::{
    encoded_len, AwsChunkedEncoder, ChunkSigner, ChunkedMode, MAX_CHUNK_HEADER_LEN,
    MAX_SIGNED_FINISH_LEN,
};
pub use string_to_sign::{StringToSign, ALGORITHM};
#[cfg(feature = "sigv4a")]
pub use v4a::{SigningKeyV4a, ALGORITHM_V4A};

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]), one table per stage module.
pub mod selftests {
    /// The signer's timestamp cache.
    pub const DATE_CACHE: &[crate::selftest::SelfTest] = super::date_cache::selftests::ALL;
    /// Encoding and normalization rules.
    pub const ENCODING: &[crate::selftest::SelfTest] = super::encoding::selftests::ALL;
    /// Signing-key derivation and cache.
    pub const SIGNING_KEY: &[crate::selftest::SelfTest] = super::signing_key::selftests::ALL;
    /// The `.req` parser, the classic-case checker and chunk signatures.
    pub const CONFORMANCE: &[crate::selftest::SelfTest] = super::conformance::selftests::ALL;
    /// SigV4a: key derivation and a v4a suite case, signatures verified with `p256`.
    #[cfg(feature = "sigv4a")]
    pub const V4A: &[crate::selftest::SelfTest] = super::v4a::selftests::ALL;
}

// The signing keys are secrets: neither may ever be printed with `{}` or defmt.
crate::secret::never_printed!(SigningKey, SigningKeyCache);
#[cfg(feature = "sigv4a")]
crate::secret::never_printed!(SigningKeyV4a);
