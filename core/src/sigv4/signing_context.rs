//! The signer's half of a canonical request: checked credentials, scope and payload hash line,
//! and which headers and query parameters the signer writes itself or never signs. Shared by the
//! general [`CanonicalRequest`](super::CanonicalRequest) and by already-canonical
//! [`CanonicalParts`](super::CanonicalParts).

use core::fmt::{self, Write};

use crate::time::AmzDateTime;

use super::canonical_request::{
    H_DATE, H_SHA256, H_TOKEN, Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SIGNED_HEADERS,
    Q_TOKEN,
};
#[cfg(feature = "sigv4a")]
use super::canonical_request::{H_REGION_SET, Q_REGION_SET};
use super::encoding::{
    class, classes, eq_ignore_case, is_valid_header_value, parse_hash_hex, write_decimal,
    write_encoded, EncodeWriter,
};
use super::error::SigningError;
use super::hash::{sha256, EMPTY_SHA256_HEX};
use super::request::{
    SessionTokenMode, SignableBody, SignatureLocation, SigningAlgorithm, SigningParams,
    SigningSettings,
};
use super::scope::CredentialScope;
use super::string_to_sign::ALGORITHM;

/// Query parameter names a presigned URL carries; the signer owns them.
pub(crate) const PARAM_ALGORITHM: &str = "X-Amz-Algorithm";
pub(crate) const PARAM_CREDENTIAL: &str = "X-Amz-Credential";
pub(crate) const PARAM_DATE: &str = "X-Amz-Date";
pub(crate) const PARAM_EXPIRES: &str = "X-Amz-Expires";
pub(crate) const PARAM_TOKEN: &str = "X-Amz-Security-Token";
pub(crate) const PARAM_SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
pub(crate) const PARAM_SIGNATURE: &str = "X-Amz-Signature";
pub(crate) const PARAM_REGION_SET: &str = "X-Amz-Region-Set";

/// Header names the signer treats specially.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    /// An ordinary header.
    None,
    /// Never signed, hop-by-hop or rewritten on the way: `authorization`, `connection`, `expect`,
    /// `transfer-encoding`, `user-agent`, `x-amzn-trace-id`.
    Unsigned,
    /// `host`.
    Host,
    /// `x-amz-date` (the signer writes it).
    Date,
    /// `x-amz-security-token`.
    Token,
    /// `x-amz-content-sha256`.
    ContentSha256,
    /// `x-amz-region-set` (SigV4a: the signer writes it).
    #[cfg(feature = "sigv4a")]
    RegionSet,
}

/// Classifies a header name (any case), looking at its length and first letter before comparing.
pub(crate) fn special_header(name: &str) -> Special {
    let first = name.as_bytes().first().map(|b| b | 0x20);
    let is =
        |known: &str| first == known.as_bytes().first().copied() && eq_ignore_case(name, known);
    match name.len() {
        4 if is("host") => Special::Host,
        6 if is("expect") => Special::Unsigned,
        10 if is("x-amz-date") => Special::Date,
        10 if is("connection") || is("user-agent") => Special::Unsigned,
        13 if is("authorization") => Special::Unsigned,
        15 if is("x-amzn-trace-id") => Special::Unsigned,
        17 if is("transfer-encoding") => Special::Unsigned,
        20 if is("x-amz-security-token") => Special::Token,
        20 if is("x-amz-content-sha256") => Special::ContentSha256,
        #[cfg(feature = "sigv4a")]
        16 if is("x-amz-region-set") => Special::RegionSet,
        _ => Special::None,
    }
}

/// The payload hash line: 64 hex digits or one of the SigV4 literals.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayloadHash {
    Hex([u8; 64]),
    Literal(&'static str),
}

impl PayloadHash {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            PayloadHash::Hex(h) => core::str::from_utf8(h).unwrap_or(""),
            PayloadHash::Literal(s) => s,
        }
    }

    pub(crate) fn of(
        body: &SignableBody<'_>,
        algorithm: SigningAlgorithm,
    ) -> Result<Self, SigningError> {
        #[cfg(feature = "sigv4a")]
        if algorithm == SigningAlgorithm::V4a {
            match body {
                SignableBody::StreamingSigned => {
                    return Ok(PayloadHash::Literal(
                        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
                    ))
                }
                SignableBody::StreamingSignedWithTrailer => {
                    return Ok(PayloadHash::Literal(
                        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
                    ))
                }
                _ => {}
            }
        }
        let _ = algorithm;
        Ok(match body {
            SignableBody::Bytes([]) => PayloadHash::Literal(EMPTY_SHA256_HEX),
            SignableBody::Bytes(b) => PayloadHash::Hex(super::encoding::hex32(&sha256(b))),
            SignableBody::Precomputed(h) => {
                PayloadHash::Hex(parse_hash_hex(h).ok_or(SigningError::InvalidPayloadHash)?)
            }
            SignableBody::Unsigned => PayloadHash::Literal("UNSIGNED-PAYLOAD"),
            SignableBody::StreamingSigned => {
                PayloadHash::Literal("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
            }
            SignableBody::StreamingSignedWithTrailer => {
                PayloadHash::Literal("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
            }
            SignableBody::StreamingUnsignedWithTrailer => {
                PayloadHash::Literal("STREAMING-UNSIGNED-PAYLOAD-TRAILER")
            }
        })
    }
}

/// The signer's half of a canonical request, whatever form the request came in (a
/// [`SignableRequest`] to canonicalize, or parts already in canonical form): the checked
/// credentials, scope and payload hash line, and which headers and query parameters the signer
/// owns — the ones it writes itself and the ones it never signs.
#[derive(Clone, Copy)]
pub(crate) struct SigningContext<'a> {
    pub(crate) settings: SigningSettings,
    pub(crate) scope: CredentialScope<'a>,
    pub(crate) access_key_id: &'a str,
    /// The credentials carry a (non-empty) session token, signed or not.
    pub(crate) has_token: bool,
    /// The session token when the signature covers it.
    pub(crate) signed_token: Option<&'a str>,
    /// SigV4a: the region set, signed as `x-amz-region-set` / `X-Amz-Region-Set`.
    #[cfg(feature = "sigv4a")]
    pub(crate) region_set: Option<&'a str>,
    pub(crate) payload_hash: PayloadHash,
    pub(crate) add_content_sha256: bool,
    pub(crate) expires: u32,
}

/// The headers the signer may add, sorted by name.
pub(crate) const ADDED_HEADERS: &[u8] = &[
    H_SHA256,
    H_DATE,
    #[cfg(feature = "sigv4a")]
    H_REGION_SET,
    H_TOKEN,
];

/// The query parameters the signer may add to a presigned URL, sorted by name.
const ADDED_PARAMS: &[u16] = &[
    Q_ALGORITHM,
    Q_CREDENTIAL,
    Q_DATE,
    Q_EXPIRES,
    #[cfg(feature = "sigv4a")]
    Q_REGION_SET,
    Q_TOKEN,
    Q_SIGNED_HEADERS,
];

impl<'a> SigningContext<'a> {
    /// Checks everything but the request's method, path, query and headers: credentials, time,
    /// region (or region set) and service, expiry, payload mode and hash.
    ///
    /// # Errors
    /// A [`SigningError`] naming the first bad input. `time`: `params.time` as text when the
    /// caller has it (a [`super::Signer`] keeps the last one), else `None`.
    // Inlined with wide paths so the context is built where it lives, not copied there; out of
    // line with the size paths, where inlining costs flash.
    #[cfg_attr(wide_paths, inline(always))]
    pub(crate) fn new(
        params: &SigningParams<'a>,
        body: &SignableBody<'_>,
        time: Option<AmzDateTime>,
    ) -> Result<Self, SigningError> {
        let creds = &params.credentials;
        validate_access_key_id(creds.access_key_id)?;
        if creds.secret.is_empty() {
            return Err(SigningError::EmptySecretKey);
        }
        let token = creds
            .session_token
            .map(|t| t.expose())
            .filter(|t| !t.is_empty());
        if token.is_some_and(|t| !is_valid_header_value(t)) {
            return Err(SigningError::InvalidSessionToken);
        }
        let time = match time {
            Some(time) => time,
            None => params.time.amz_datetime()?,
        };
        let settings = params.settings;
        let scope = match settings.algorithm {
            SigningAlgorithm::V4 => CredentialScope::new(time, params.region, params.service)?,
            #[cfg(feature = "sigv4a")]
            SigningAlgorithm::V4a => {
                super::v4a::validate_region_set(params.region)?;
                CredentialScope::new_v4a(time, params.service)?
            }
        };
        let (presigned, expires) = match settings.location {
            SignatureLocation::Headers => (false, 0),
            SignatureLocation::QueryParams { expires_in } => {
                if expires_in == 0 || expires_in > crate::limits::MAX_PRESIGN_EXPIRES_SECS {
                    return Err(SigningError::InvalidExpiry { secs: expires_in });
                }
                if body.is_streaming() {
                    return Err(SigningError::StreamingNotPresignable);
                }
                (true, expires_in)
            }
        };
        let signed_token = if settings.session_token == SessionTokenMode::Signed {
            token
        } else {
            None
        };
        Ok(SigningContext {
            settings,
            scope,
            access_key_id: creds.access_key_id,
            has_token: token.is_some(),
            signed_token,
            #[cfg(feature = "sigv4a")]
            region_set: (settings.algorithm == SigningAlgorithm::V4a).then_some(params.region),
            payload_hash: PayloadHash::of(body, settings.algorithm)?,
            add_content_sha256: !presigned
                && (settings.content_sha256_header || body.is_streaming()),
            expires,
        })
    }

    /// True when the signature goes into query parameters.
    pub(crate) fn presigned(&self) -> bool {
        matches!(
            self.settings.location,
            SignatureLocation::QueryParams { .. }
        )
    }

    /// True when this is a SigV4a signature.
    pub(crate) fn is_v4a(&self) -> bool {
        self.scope.is_v4a()
    }

    /// `AWS4-HMAC-SHA256`, or `AWS4-ECDSA-P256-SHA256` for SigV4a.
    pub(crate) fn algorithm_name(&self) -> &'static str {
        #[cfg(feature = "sigv4a")]
        if self.is_v4a() {
            return super::v4a::ALGORITHM_V4A;
        }
        ALGORITHM
    }

    /// True when a request header of this kind stays out of the signature: the signer writes
    /// its own (`x-amz-date`; the token, `x-amz-content-sha256` and the region set when it adds
    /// them) or never signs it. `host` is the caller's.
    pub(crate) fn owns_header(&self, special: Special) -> bool {
        match special {
            Special::None | Special::Host => false,
            Special::Unsigned | Special::Date => true,
            Special::Token => self.has_token,
            Special::ContentSha256 => self.add_content_sha256,
            #[cfg(feature = "sigv4a")]
            Special::RegionSet => self.region_set.is_some(),
        }
    }

    /// True when the signer signs a header of its own with this synthetic id.
    pub(crate) fn adds_header(&self, id: u8) -> bool {
        let headers = !self.presigned();
        match id {
            H_DATE => headers,
            #[cfg(feature = "sigv4a")]
            H_REGION_SET => headers && self.region_set.is_some(),
            H_TOKEN => headers && self.signed_token.is_some(),
            H_SHA256 => self.add_content_sha256,
            _ => false,
        }
    }

    /// The synthetic ids of the headers the signer adds, sorted by name.
    pub(crate) fn added_headers(&self) -> impl Iterator<Item = u8> + '_ {
        ADDED_HEADERS
            .iter()
            .copied()
            .filter(|&id| self.adds_header(id))
    }

    /// The value of a header the signer adds (`time`: the checked timestamp text).
    pub(crate) fn added_header_value<'t>(&'t self, id: u8, time: &'t str) -> &'t str {
        match id {
            H_DATE => time,
            #[cfg(feature = "sigv4a")]
            H_REGION_SET => self.region_set.unwrap_or(""),
            H_TOKEN => self.signed_token.unwrap_or(""),
            _ => self.payload_hash.as_str(),
        }
    }

    /// The synthetic ids of the query parameters the signer adds (a presigned URL's), sorted by
    /// name.
    pub(crate) fn added_params(&self) -> impl Iterator<Item = u16> + '_ {
        let presigned = self.presigned();
        ADDED_PARAMS.iter().copied().filter(move |&id| {
            presigned
                && match id {
                    Q_TOKEN => self.signed_token.is_some(),
                    #[cfg(feature = "sigv4a")]
                    Q_REGION_SET => self.region_set.is_some(),
                    _ => true,
                }
        })
    }

    /// Writes the value of a query parameter the signer adds, percent-encoded (`signed_headers`:
    /// the signed header list, `time`: the checked timestamp text).
    #[cfg_attr(wide_paths, inline(always))]
    pub(crate) fn write_added_param<W: Write + ?Sized>(
        &self,
        w: &mut W,
        id: u16,
        signed_headers: &str,
        time: &str,
    ) -> fmt::Result {
        match id {
            Q_ALGORITHM => w.write_str(self.algorithm_name()),
            Q_CREDENTIAL => {
                write_encoded(w, self.access_key_id, false)?;
                w.write_str("%2F")?;
                self.scope
                    .write_with_date(time.get(..8).unwrap_or(""), &mut EncodeWriter(w))
            }
            Q_DATE => w.write_str(time),
            Q_EXPIRES => write_decimal(w, self.expires),
            Q_TOKEN => write_encoded(w, self.signed_token.unwrap_or(""), false),
            #[cfg(feature = "sigv4a")]
            Q_REGION_SET => write_encoded(w, self.region_set.unwrap_or(""), false),
            _ => write_encoded(w, signed_headers, false),
        }
    }

    /// True when a presigned request's own query parameter is one the signer owns (`is` tells
    /// whether the parameter's key is the given name): see [`is_presign_param`].
    pub(crate) fn owns_param(&self, is: impl Fn(&str) -> bool) -> bool {
        #[cfg(feature = "sigv4a")]
        let v4a = self.region_set.is_some();
        #[cfg(not(feature = "sigv4a"))]
        let v4a = false;
        is_presign_param(is, v4a)
    }
}

/// True when `is` accepts the name of a query parameter a presigned URL's signer writes, so a
/// request parameter of that name is dropped, never signed or sent beside the new one (as Go v1
/// strips the old presign parameters first): `X-Amz-Algorithm`, `X-Amz-Credential`,
/// `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature` and
/// `X-Amz-Security-Token` (with or without a session token, as Go v1 deletes it), and with SigV4a
/// (`v4a`) `X-Amz-Region-Set`.
pub(crate) fn is_presign_param(is: impl Fn(&str) -> bool, v4a: bool) -> bool {
    const OWNED: [&str; 7] = [
        PARAM_ALGORITHM,
        PARAM_CREDENTIAL,
        PARAM_DATE,
        PARAM_EXPIRES,
        PARAM_SIGNED_HEADERS,
        PARAM_SIGNATURE,
        PARAM_TOKEN,
    ];
    (v4a && is(PARAM_REGION_SET)) || OWNED.iter().any(|p| is(p))
}

/// Checks that an access key id can sit in a credential scope.
fn validate_access_key_id(id: &str) -> Result<(), SigningError> {
    // Unreserved bytes (all a real key id holds) are checked with one table lookup each.
    let ok = !id.is_empty()
        && id.len() <= crate::limits::MAX_ACCESS_KEY_ID_LEN
        && (classes(id).0 & class::UNRESERVED != 0
            || id
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b'/' | b',' | b'=')));
    if ok {
        Ok(())
    } else {
        Err(SigningError::InvalidAccessKeyId)
    }
}
