//! The signer: runs the stages in order and fills the caller's [`SigningOutput`].
//!
//! 1. [`CanonicalRequest`] — validated, sorted, written straight into SHA-256 (never buffered);
//! 2. [`CredentialScope`] and 3. [`StringToSign`] — written straight into the HMAC;
//! 4. [`SigningKey`] — from the [`SigningKeyCache`] (one HMAC on a hit, five on a miss);
//! 5. the `Authorization` text and the instructions.

use crate::limits::{MAX_AUTHORIZATION_LEN, MAX_CACHED_SIGNING_KEYS};

use super::canonical_request::CanonicalRequest;
use super::encoding::hex32;
use super::error::SigningError;
use super::hash::HashWriter;
use super::output::{Placement, SigningInstructions, SigningOutput};
use super::request::{SignableRequest, SignatureLocation, SigningParams};
use super::signing_key::{SigningKey, SigningKeyCache};
use super::string_to_sign::{StringToSign, ALGORITHM};

#[cfg(doc)]
use super::scope::CredentialScope;

/// A SigV4 signer with its signing-key cache. Caller-owned; `const fn new()` lets it live in a
/// `static`.
#[derive(Debug, Default)]
pub struct Signer<const N: usize = MAX_CACHED_SIGNING_KEYS> {
    cache: SigningKeyCache<N>,
}

impl<const N: usize> Signer<N> {
    /// A signer with an empty key cache.
    pub const fn new() -> Self {
        Signer {
            cache: SigningKeyCache::new(),
        }
    }

    /// The key cache (hit and miss counts).
    pub fn cache(&self) -> &SigningKeyCache<N> {
        &self.cache
    }

    /// Drops every cached signing key (e.g. when credentials are revoked).
    pub fn clear_cache(&mut self) {
        self.cache.clear();
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
        out.reset();
        let creq = CanonicalRequest::new(req, params)?;
        let seed = self.signature_of(&creq, params);
        fill_output(&creq, params, &seed, out)?;
        let token = params
            .credentials
            .session_token
            .map(|t| t.expose())
            .filter(|t| !t.is_empty());
        Ok(SigningInstructions { out, token })
    }

    /// The signing key for this scope, from the cache (deriving it on a miss).
    pub fn signing_key(&mut self, params: &SigningParams<'_>, date: &str) -> SigningKey {
        self.cache.with_key(
            params.credentials.secret,
            date,
            params.region,
            params.service,
            SigningKey::clone,
        )
    }

    /// The hex signature of a prepared canonical request.
    pub(crate) fn signature_of(
        &mut self,
        creq: &CanonicalRequest<'_>,
        params: &SigningParams<'_>,
    ) -> [u8; 64] {
        let mut hasher = HashWriter::default();
        // Writing into a hash cannot fail.
        let _ = creq.write_to(&mut hasher);
        let creq_hash = hex32(&hasher.finish());
        let scope = creq.scope();
        let sts = StringToSign::for_request(scope, &creq_hash);
        let sig = self.cache.with_key(
            params.credentials.secret,
            scope.date(),
            scope.region(),
            scope.service(),
            |key| key.sign_with(|w| sts.write_to(w)),
        );
        hex32(&sig)
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
    Signer::<0>::new().sign(req, params, out)
}

/// Writes the `Authorization` text and the rest of the output.
fn fill_output(
    creq: &CanonicalRequest<'_>,
    params: &SigningParams<'_>,
    signature: &[u8; 64],
    out: &mut SigningOutput,
) -> Result<(), SigningError> {
    let too_long = SigningError::AuthorizationTooLong {
        limit: MAX_AUTHORIZATION_LEN,
    };
    let a = &mut out.authorization;
    let mark = |t: &crate::text::Text<MAX_AUTHORIZATION_LEN>| t.len() as u16;
    a.push_str(ALGORITHM).map_err(|_| too_long)?;
    a.push_str(" Credential=").map_err(|_| too_long)?;
    let cred_start = mark(a);
    a.push_str(creq.access_key_id()).map_err(|_| too_long)?;
    a.push('/').map_err(|_| too_long)?;
    creq.scope().write_to(a).map_err(|_| too_long)?;
    let cred_end = mark(a);
    a.push_str(", SignedHeaders=").map_err(|_| too_long)?;
    let sh_start = mark(a);
    creq.write_signed_headers(a, false).map_err(|_| too_long)?;
    let sh_end = mark(a);
    a.push_str(", Signature=").map_err(|_| too_long)?;
    let sig_start = mark(a);
    a.push_str(core::str::from_utf8(signature).unwrap_or(""))
        .map_err(|_| too_long)?;
    let sig_end = mark(a);

    out.credential = (cred_start, cred_end);
    out.signed_headers = (sh_start, sh_end);
    out.signature = (sig_start, sig_end);
    out.amz_date = *creq.amz_date().as_bytes();
    out.payload_hash = creq.payload_hash_value();
    out.add_content_sha256 = creq.adds_content_sha256();
    out.token_mode = params.settings.session_token;
    out.expires = creq.expires();
    out.placement = match params.settings.location {
        SignatureLocation::Headers => Placement::Headers,
        SignatureLocation::QueryParams { .. } => Placement::Query,
    };
    Ok(())
}
