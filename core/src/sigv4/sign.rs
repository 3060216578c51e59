//! The signer: runs the stages in order and fills the caller's [`SigningOutput`].
//!
//! 1. [`CanonicalRequest`] — validated and sorted;
//! 2. the `Authorization` text up to `Signature=` — written once into the output, its signed
//!    header list reused by stage 1's text;
//! 3. stage 1's text written straight into SHA-256 (never buffered);
//! 4. [`CredentialScope`] and [`StringToSign`] written straight into the HMAC under the
//!    [`SigningKey`] from the [`SigningKeyCache`] (one HMAC on a hit, five on a miss);
//! 5. the signature appended, and the instructions returned.
//!
//! Stages 2 to 5 are one generic tail over [`CanonicalText`], shared by the general entry points
//! ([`sign`], [`Signer::sign`]: stage 1 is a [`CanonicalRequest`]) and the canonical-input ones
//! ([`sign_canonical`], [`Signer::sign_canonical`]: stage 1 is [`CanonicalParts`] checked as
//! they are). An image that calls only one kind links only its stage 1.

use crate::limits::{MAX_AUTHORIZATION_LEN, MAX_CACHED_SIGNING_KEYS};
use crate::time::AmzDateTime;

use super::canonical_parts::{CanonicalParts, CheckedParts};
use super::canonical_request::{CanonicalRequest, CanonicalText};
use super::date_cache::DateCache;
use super::encoding::hex32;
use super::error::SigningError;
use super::hash::HashWriter;
use super::output::{Placement, SigningInstructions, SigningOutput};
use super::request::{SignableRequest, SignatureLocation, SigningParams};
use super::signing_key::{SigningKey, SigningKeyCache};
use super::string_to_sign::StringToSign;
#[cfg(feature = "sigv4a")]
use super::{request::SigningAlgorithm, v4a::SigningKeyV4a};

use super::scope::CredentialScope;

/// Hex digits of the longest SigV4a signature (a 72-byte DER ECDSA signature).
pub(crate) const MAX_V4A_SIGNATURE_DIGITS: usize = 144;

/// A SigV4 signer with its signing-key cache. Caller-owned; `const fn new()` lets it live in a
/// `static`.
#[derive(Debug, Default)]
pub struct Signer<const N: usize = MAX_CACHED_SIGNING_KEYS> {
    cache: SigningKeyCache<N>,
    /// The date text of the last signing day: a signature on the same day skips the calendar.
    dates: DateCache,
    /// SigV4a: the key of the last access key pair (it depends on nothing else).
    #[cfg(feature = "sigv4a")]
    v4a: super::v4a::KeyCacheV4a,
}

impl<const N: usize> Signer<N> {
    /// A signer with an empty key cache.
    pub const fn new() -> Self {
        Signer {
            cache: SigningKeyCache::new(),
            dates: DateCache::new(),
            #[cfg(feature = "sigv4a")]
            v4a: super::v4a::KeyCacheV4a::new(),
        }
    }

    /// The key cache (hit and miss counts).
    pub fn cache(&self) -> &SigningKeyCache<N> {
        &self.cache
    }

    /// Drops every cached signing key (e.g. when credentials are revoked).
    pub fn clear_cache(&mut self) {
        self.cache.clear();
        #[cfg(feature = "sigv4a")]
        self.v4a.clear();
    }

    /// Signs `req` and writes the result into `out`.
    ///
    /// # Errors
    /// A [`SigningError`] naming the first bad input; `out` is then left empty.
    pub fn sign<'o>(
        &mut self,
        req: &SignableRequest<'_>,
        params: &SigningParams<'o>,
        out: &'o mut SigningOutput,
    ) -> Result<SigningInstructions<'o>, SigningError> {
        self.sign_input(req, params, out)
    }

    /// Signs a request given in canonical form (see [`CanonicalParts`]) and writes the result
    /// into `out`: the same signature [`Signer::sign`] gives for a request with that canonical
    /// form.
    ///
    /// # Errors
    /// As [`Signer::sign`], and [`SigningError::NotCanonical`] naming the part (and the index or
    /// byte offset in it) that is not in canonical form; `out` is then left empty.
    pub fn sign_canonical<'o>(
        &mut self,
        parts: &CanonicalParts<'_>,
        params: &SigningParams<'o>,
        out: &'o mut SigningOutput,
    ) -> Result<SigningInstructions<'o>, SigningError> {
        self.sign_input(parts, params, out)
    }

    /// [`Signer::sign`] for either request form, with the key from the cache.
    fn sign_input<'o, I: SignInput + ?Sized>(
        &mut self,
        input: &I,
        params: &SigningParams<'o>,
        out: &'o mut SigningOutput,
    ) -> Result<SigningInstructions<'o>, SigningError> {
        // A time out of range is left to the signer to report, in its order of checks.
        let time = self.dates.amz_datetime(params.time).ok();
        #[cfg(feature = "sigv4a")]
        if params.settings.algorithm == SigningAlgorithm::V4a {
            let creds = &params.credentials;
            let cache = &mut self.v4a;
            return input.sign_with_key(params, time, out, |_, _, sts| {
                cache.key(creds.access_key_id, creds.secret)?.sign(sts)
            });
        }
        let cache = &mut self.cache;
        input.sign_with_key(params, time, out, |scope, date, sts| {
            Ok(hex32(&cache.with_key(
                params.credentials.secret,
                date,
                scope.region(),
                scope.service(),
                |key| {
                    key.sign_with(|w| {
                        sts.write_staged(w);
                        Ok(())
                    })
                },
            )))
        })
    }

    /// The SigV4a key of this access key pair, from the cache (deriving it on a miss).
    #[cfg(feature = "sigv4a")]
    pub(crate) fn v4a_key(
        &mut self,
        access_key_id: &str,
        secret: &crate::secret::SecretKey,
    ) -> Result<&SigningKeyV4a, SigningError> {
        self.v4a.key(access_key_id, secret)
    }

    /// The signing key for this scope, from the cache (deriving it on a miss).
    pub fn signing_key(&mut self, params: &SigningParams<'_>, date: &str) -> SigningKey {
        let secret = params.credentials.secret;
        self.cache.with_key(
            secret,
            date,
            params.region,
            params.service,
            SigningKey::clone,
        )
    }
}

/// Signs without a cache: derives the signing key every time (a "cold" signature).
///
/// # Errors
/// As [`Signer::sign`].
pub fn sign<'o>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'o>,
    out: &'o mut SigningOutput,
) -> Result<SigningInstructions<'o>, SigningError> {
    sign_cold(req, params, out)
}

/// Signs a request given in canonical form without a cache (see [`CanonicalParts`] and
/// [`Signer::sign_canonical`]). An image that signs only this way links none of the general
/// canonicalization (sorting, encoding, path normalization).
///
/// # Errors
/// As [`Signer::sign_canonical`].
pub fn sign_canonical<'o>(
    parts: &CanonicalParts<'_>,
    params: &SigningParams<'o>,
    out: &'o mut SigningOutput,
) -> Result<SigningInstructions<'o>, SigningError> {
    sign_cold(parts, params, out)
}

/// [`sign`] for either request form.
fn sign_cold<'o, I: SignInput + ?Sized>(
    input: &I,
    params: &SigningParams<'o>,
    out: &'o mut SigningOutput,
) -> Result<SigningInstructions<'o>, SigningError> {
    // The key is derived only once the request has passed validation.
    #[cfg(feature = "sigv4a")]
    if params.settings.algorithm == SigningAlgorithm::V4a {
        let creds = &params.credentials;
        return input.sign_with_key(params, None, out, |_, _, sts| {
            SigningKeyV4a::derive(creds.access_key_id, creds.secret)?.sign(sts)
        });
    }
    input.sign_with_key(params, None, out, |scope, date, sts| {
        let secret = params.credentials.secret;
        let mac =
            SigningKey::derive(secret, date, scope.region(), scope.service()).sign_once(|w| {
                sts.write_staged(w);
                Ok(())
            });
        Ok(hex32(&mac))
    })
}

/// The last stage, chosen by the entry point (cached or derived key, SigV4 or SigV4a): given the
/// scope, its date text and the string to sign, the signature's hex digits.
trait SignatureFn<S>:
    FnOnce(&CredentialScope<'_>, &str, &StringToSign<'_>) -> Result<S, SigningError>
{
}

impl<S, F> SignatureFn<S> for F where
    F: FnOnce(&CredentialScope<'_>, &str, &StringToSign<'_>) -> Result<S, SigningError>
{
}

/// A request form the signer takes: it builds (or checks) stage 1, then runs [`sign_with`].
trait SignInput {
    /// The stages of [`Signer::sign`], with the signature of the string to sign (hex digits)
    /// left to `signature` (given the scope, its date text — checked once here — and the
    /// string to sign). `time`: `params.time` as text, when the caller has it.
    fn sign_with_key<'o, S: AsRef<[u8]>>(
        &self,
        params: &SigningParams<'o>,
        time: Option<AmzDateTime>,
        out: &'o mut SigningOutput,
        signature: impl SignatureFn<S>,
    ) -> Result<SigningInstructions<'o>, SigningError>;
}

impl SignInput for SignableRequest<'_> {
    fn sign_with_key<'o, S: AsRef<[u8]>>(
        &self,
        params: &SigningParams<'o>,
        time: Option<AmzDateTime>,
        out: &'o mut SigningOutput,
        signature: impl SignatureFn<S>,
    ) -> Result<SigningInstructions<'o>, SigningError> {
        out.reset();
        // Filled and borrowed where it was built: the large value is never moved.
        let mut built = CanonicalRequest::validated(self, params, time);
        let creq = match &mut built {
            Ok(creq) => creq,
            Err(e) => return Err(*e),
        };
        creq.collect()?;
        sign_with(&*creq, params, out, signature)
    }
}

impl SignInput for CanonicalParts<'_> {
    fn sign_with_key<'o, S: AsRef<[u8]>>(
        &self,
        params: &SigningParams<'o>,
        time: Option<AmzDateTime>,
        out: &'o mut SigningOutput,
        signature: impl SignatureFn<S>,
    ) -> Result<SigningInstructions<'o>, SigningError> {
        out.reset();
        let checked = CheckedParts::new(self, params, time)?;
        sign_with(&checked, params, out, signature)
    }
}

/// Stages 2 to 5 on a finished stage 1 (`out` already reset).
fn sign_with<'o, C: CanonicalText, S: AsRef<[u8]>>(
    creq: &C,
    params: &SigningParams<'o>,
    out: &'o mut SigningOutput,
    signature: impl SignatureFn<S>,
) -> Result<SigningInstructions<'o>, SigningError> {
    let ctx = creq.context();
    let scope = &ctx.scope;
    // The timestamp is checked as text once, for the prefix, the key and the string to sign.
    let time = scope.time().as_str();
    let date = time.get(..8).unwrap_or("");
    if let Err(e) = write_prefix(creq, date, out) {
        out.reset();
        return Err(e);
    }
    let mut hasher = HashWriter::default();
    let signed_headers = out.part(out.signed_headers);
    // Writing into a hash cannot fail.
    let _ = creq.write_canonical(&mut hasher, signed_headers, time);
    let creq_hash = hex32(&hasher.finish());
    let sts = StringToSign::for_request_at(scope, time, &creq_hash);
    let sig = match signature(scope, date, &sts) {
        Ok(sig) => sig,
        Err(e) => {
            out.reset();
            return Err(e);
        }
    };
    let sig_start = out.authorization.len() as u16;
    // The prefix left room for the signature digits.
    let sig = core::str::from_utf8(sig.as_ref()).unwrap_or("");
    if sig.is_empty() || out.authorization.push_str(sig).is_err() {
        out.reset();
        return Err(SigningError::AuthorizationTooLong {
            limit: MAX_AUTHORIZATION_LEN,
        });
    }
    out.signature = (sig_start, out.authorization.len() as u16);
    out.amz_date = *scope.time().as_bytes();
    out.payload_hash = ctx.payload_hash;
    out.add_content_sha256 = ctx.add_content_sha256;
    out.token_mode = params.settings.session_token;
    out.expires = ctx.expires;
    out.placement = match params.settings.location {
        SignatureLocation::Headers => Placement::Headers,
        SignatureLocation::QueryParams { .. } => Placement::Query,
    };
    let token = params
        .credentials
        .session_token
        .map(|t| t.expose())
        .filter(|t| !t.is_empty());
    Ok(SigningInstructions {
        out,
        token,
        #[cfg(feature = "sigv4a")]
        region_set: ctx.is_v4a().then_some(params.region),
    })
}

/// Writes `AWS4-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=<names>, Signature=` and
/// records where the credential and the signed-header list sit. `date` is the scope's date text.
fn write_prefix<C: CanonicalText>(
    creq: &C,
    date: &str,
    out: &mut SigningOutput,
) -> Result<(), SigningError> {
    let too_long = SigningError::AuthorizationTooLong {
        limit: MAX_AUTHORIZATION_LEN,
    };
    let ctx = creq.context();
    let a = &mut out.authorization;
    a.push_str(ctx.algorithm_name()).map_err(|_| too_long)?;
    a.push_str(" Credential=").map_err(|_| too_long)?;
    let cred_start = a.len() as u16;
    a.push_str(ctx.access_key_id).map_err(|_| too_long)?;
    a.push('/').map_err(|_| too_long)?;
    ctx.scope.write_with_date(date, a).map_err(|_| too_long)?;
    let cred_end = a.len() as u16;
    a.push_str(", SignedHeaders=").map_err(|_| too_long)?;
    let sh_start = a.len() as u16;
    creq.write_signed_headers(a).map_err(|_| too_long)?;
    let sh_end = a.len() as u16;
    a.push_str(", Signature=").map_err(|_| too_long)?;
    let digits = if ctx.is_v4a() {
        MAX_V4A_SIGNATURE_DIGITS
    } else {
        64
    };
    if a.capacity() - a.len() < digits {
        return Err(too_long);
    }
    out.credential = (cred_start, cred_end);
    out.signed_headers = (sh_start, sh_end);
    Ok(())
}
