//! The signer's result: caller-owned storage ([`SigningOutput`]) and the instructions read from it
//! ([`SigningInstructions`]): headers to add for header signing, query parameters to add for a
//! presigned URL.

use core::fmt;

use crate::limits::MAX_AUTHORIZATION_LEN;
use crate::text::Text;

use super::request::SessionTokenMode;
use super::signing_context::PayloadHash;

/// Most headers [`SigningInstructions::headers`] yields.
pub const MAX_SIGNING_HEADERS: usize = 5;

/// Where a finished signature goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Nothing signed yet (or the last attempt failed).
    Empty,
    /// `Authorization` header.
    Headers,
    /// Presigned query parameters.
    Query,
}

/// Caller-owned storage a signature is written into; reuse it for every request.
///
/// Holds the timestamp, payload hash, signature and the `Authorization` text (whose credential,
/// signed-header and signature parts the presigned query parameters reuse). About 1.2 KiB with
/// the default [`MAX_AUTHORIZATION_LEN`].
pub struct SigningOutput {
    pub(crate) placement: Placement,
    pub(crate) amz_date: [u8; 16],
    pub(crate) payload_hash: PayloadHash,
    pub(crate) add_content_sha256: bool,
    pub(crate) token_mode: SessionTokenMode,
    pub(crate) expires: u32,
    /// `AWS4-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=<names>, Signature=<hex>`.
    pub(crate) authorization: Text<MAX_AUTHORIZATION_LEN>,
    pub(crate) credential: (u16, u16),
    pub(crate) signed_headers: (u16, u16),
    pub(crate) signature: (u16, u16),
}

impl SigningOutput {
    /// Empty storage.
    pub const fn new() -> Self {
        SigningOutput {
            placement: Placement::Empty,
            amz_date: [b'0'; 16],
            payload_hash: PayloadHash::Literal(""),
            add_content_sha256: false,
            token_mode: SessionTokenMode::Signed,
            expires: 0,
            authorization: Text::new(),
            credential: (0, 0),
            signed_headers: (0, 0),
            signature: (0, 0),
        }
    }

    pub(crate) fn reset(&mut self) {
        self.placement = Placement::Empty;
        self.authorization.clear();
        self.credential = (0, 0);
        self.signed_headers = (0, 0);
        self.signature = (0, 0);
    }

    pub(crate) fn part(&self, range: (u16, u16)) -> &str {
        self.authorization
            .get(usize::from(range.0)..usize::from(range.1))
            .unwrap_or("")
    }
}

impl Default for SigningOutput {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for SigningOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningOutput")
            .field("placement", &self.placement)
            .field("signature", &self.part(self.signature))
            .finish()
    }
}

/// What to add to the request to make it signed. Borrowed from the [`SigningOutput`] and the
/// credentials.
#[derive(Clone, Copy)]
pub struct SigningInstructions<'o> {
    pub(crate) out: &'o SigningOutput,
    pub(crate) token: Option<&'o str>,
    /// SigV4a: the region set (`X-Amz-Region-Set`).
    #[cfg(feature = "sigv4a")]
    pub(crate) region_set: Option<&'o str>,
}

impl<'o> SigningInstructions<'o> {
    /// The hex signature.
    pub fn signature(&self) -> &'o str {
        self.out.part(self.out.signature)
    }

    /// `YYYYMMDDTHHMMSSZ`.
    pub fn amz_date(&self) -> &'o str {
        core::str::from_utf8(&self.out.amz_date).unwrap_or("")
    }

    /// Signed header names joined by `;`.
    pub fn signed_headers(&self) -> &'o str {
        self.out.part(self.out.signed_headers)
    }

    /// `<access key id>/<scope>` as it appears after `Credential=`.
    pub fn credential(&self) -> &'o str {
        self.out.part(self.out.credential)
    }

    /// The payload hash line the signature covers (also the `x-amz-content-sha256` value).
    pub fn payload_hash(&self) -> &'o str {
        self.out.payload_hash.as_str()
    }

    /// The `Authorization` header value, for header signing.
    pub fn authorization(&self) -> Option<&'o str> {
        (self.out.placement == Placement::Headers).then(|| self.out.authorization.as_str())
    }

    /// True when the signature goes into query parameters (a presigned URL).
    pub fn is_presigned(&self) -> bool {
        self.out.placement == Placement::Query
    }

    /// The SigV4a region set the signature covers (`None` for SigV4).
    pub fn region_set(&self) -> Option<&'o str> {
        #[cfg(feature = "sigv4a")]
        return self.region_set;
        #[cfg(not(feature = "sigv4a"))]
        None
    }

    /// The algorithm name: `AWS4-HMAC-SHA256`, or `AWS4-ECDSA-P256-SHA256` for SigV4a.
    pub fn algorithm(&self) -> &'static str {
        #[cfg(feature = "sigv4a")]
        if self.region_set.is_some() {
            return super::v4a::ALGORITHM_V4A;
        }
        super::string_to_sign::ALGORITHM
    }

    /// Headers to add, in this order: `X-Amz-Date`, `X-Amz-Region-Set` (SigV4a),
    /// `X-Amz-Security-Token` (with temporary credentials), `x-amz-content-sha256` (S3 and
    /// streaming), `Authorization`. Empty for a presigned URL. Replace any header of the same
    /// name already on the request.
    pub fn headers(&self) -> HeaderIter<'o> {
        let mut items: [Option<(&'o str, &'o str)>; MAX_SIGNING_HEADERS] =
            [None; MAX_SIGNING_HEADERS];
        if self.out.placement == Placement::Headers {
            items[0] = Some(("X-Amz-Date", self.amz_date()));
            items[1] = self.region_set().map(|r| ("X-Amz-Region-Set", r));
            items[2] = self.token.map(|t| ("X-Amz-Security-Token", t));
            if self.out.add_content_sha256 {
                items[3] = Some(("x-amz-content-sha256", self.payload_hash()));
            }
            items[4] = Some(("Authorization", self.out.authorization.as_str()));
        }
        HeaderIter { items, next: 0 }
    }

    /// True when [`SigningInstructions::headers`] adds a header named `name` (any case): the
    /// request's own header of that name was left out of the signature and is to be replaced,
    /// never sent beside the signer's (as Go v1 `Header.Set` does). These are `Authorization`
    /// and `X-Amz-Date` always, `X-Amz-Security-Token` with a session token,
    /// `x-amz-content-sha256` when the signer sends it and `X-Amz-Region-Set` with SigV4a.
    /// Always false for a presigned URL.
    pub fn replaces_header(&self, name: &str) -> bool {
        self.headers()
            .any(|(own, _)| super::encoding::eq_ignore_case(own, name))
    }
}

impl fmt::Debug for SigningInstructions<'_> {
    /// The signature and placement only; the token never shows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningInstructions")
            .field("presigned", &self.is_presigned())
            .field("signed_headers", &self.signed_headers())
            .field("signature", &self.signature())
            .field("session_token", &self.token.map(|_| "** redacted **"))
            .finish()
    }
}

/// Iterator over the `(name, value)` headers of [`SigningInstructions::headers`].
#[derive(Clone)]
pub struct HeaderIter<'o> {
    items: [Option<(&'o str, &'o str)>; MAX_SIGNING_HEADERS],
    next: usize,
}

impl<'o> Iterator for HeaderIter<'o> {
    type Item = (&'o str, &'o str);

    fn next(&mut self) -> Option<Self::Item> {
        while let Some(item) = self.items.get(self.next) {
            self.next += 1;
            if item.is_some() {
                return *item;
            }
        }
        None
    }
}

impl fmt::Debug for HeaderIter<'_> {
    /// Header names only: values hold the session token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.items.iter().flatten().map(|(n, _)| n))
            .finish()
    }
}
