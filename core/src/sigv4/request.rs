//! The signer's inputs: a neutral borrowed view of a request, the credentials, and the settings
//! that differ between services and between header and query signing.

use core::fmt;

use crate::keys::Credentials;
use crate::secret::{SecretKey, SessionToken};
use crate::time::UnixTime;

use super::encoding::UriEncoding;

/// A request as the signer sees it: borrowed pieces, no HTTP type.
#[derive(Clone, Copy)]
pub struct SignableRequest<'a> {
    /// HTTP method, e.g. `GET`.
    pub method: &'a str,
    /// The path as it will be sent (percent-encoded or not; see [`UriEncoding`]), e.g. `/`.
    pub path: &'a str,
    /// The raw query string without the leading `?` (percent-encoded as sent), or `""`.
    pub query: &'a str,
    /// Every header that will be sent, in order. Names are case-insensitive; repeated names are
    /// signed as one header with the values joined by `,` in order.
    pub headers: &'a [(&'a str, &'a str)],
    /// The host to sign when it is kept apart from `headers` (then any `Host` in `headers` is
    /// ignored). `None` signs the `Host` header of `headers`.
    pub host: Option<&'a str>,
    /// The payload and how it is signed.
    pub body: SignableBody<'a>,
}

impl<'a> SignableRequest<'a> {
    /// A request view; `host` is taken from `headers`.
    pub const fn new(
        method: &'a str,
        path: &'a str,
        query: &'a str,
        headers: &'a [(&'a str, &'a str)],
        body: SignableBody<'a>,
    ) -> Self {
        SignableRequest {
            method,
            path,
            query,
            headers,
            host: None,
            body,
        }
    }

    /// The same request with its host given apart from the headers.
    pub const fn with_host(mut self, host: &'a str) -> Self {
        self.host = Some(host);
        self
    }
}

impl fmt::Debug for SignableRequest<'_> {
    /// Shows the method, path and header names only: header values may hold tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Names<'b>(&'b [(&'b str, &'b str)]);
        impl fmt::Debug for Names<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|(n, _)| n))
                    .finish()
            }
        }
        f.debug_struct("SignableRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query_len", &self.query.len())
            .field("headers", &Names(self.headers))
            .field("host", &self.host)
            .field("body", &self.body)
            .finish()
    }
}

/// The payload, and how its hash enters the signature.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SignableBody<'a> {
    /// The whole body: the signer hashes it.
    Bytes(&'a [u8]),
    /// A hex SHA-256 of the body computed by the caller (64 hex digits).
    Precomputed(&'a str),
    /// `UNSIGNED-PAYLOAD`: the body is not covered (S3 over TLS, presigned URLs).
    Unsigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: aws-chunked with a signature per chunk.
    StreamingSigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and a signed trailer block.
    StreamingSignedWithTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: unsigned aws-chunked frames and a trailer block.
    StreamingUnsignedWithTrailer,
}

impl SignableBody<'_> {
    /// True for the aws-chunked modes.
    pub const fn is_streaming(&self) -> bool {
        matches!(
            self,
            SignableBody::StreamingSigned
                | SignableBody::StreamingSignedWithTrailer
                | SignableBody::StreamingUnsignedWithTrailer
        )
    }
}

impl fmt::Debug for SignableBody<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignableBody::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            SignableBody::Precomputed(h) => write!(f, "Precomputed({h})"),
            SignableBody::Unsigned => f.write_str("Unsigned"),
            SignableBody::StreamingSigned => f.write_str("StreamingSigned"),
            SignableBody::StreamingSignedWithTrailer => f.write_str("StreamingSignedWithTrailer"),
            SignableBody::StreamingUnsignedWithTrailer => {
                f.write_str("StreamingUnsignedWithTrailer")
            }
        }
    }
}

/// The credentials a signature needs, borrowed.
#[derive(Clone, Copy)]
pub struct SigningCredentials<'a> {
    /// The access key id (public).
    pub access_key_id: &'a str,
    /// The secret access key.
    pub secret: &'a SecretKey,
    /// The session token of temporary credentials.
    pub session_token: Option<&'a SessionToken>,
}

impl Credentials {
    /// The borrowed view the SigV4 signer takes.
    pub fn signing(&self) -> SigningCredentials<'_> {
        SigningCredentials {
            access_key_id: self.access_key_id.as_str(),
            secret: &self.secret_access_key,
            session_token: self.session_token.as_ref(),
        }
    }
}

impl fmt::Debug for SigningCredentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret", self.secret)
            .field("session_token", &self.session_token)
            .finish()
    }
}

/// Where the session token goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SessionTokenMode {
    /// Signed: a canonical header (header signing) or canonical query parameter (presigning).
    /// What STS, S3 and most services expect.
    Signed,
    /// Added to the request after signing and left out of the signature (a few services, e.g.
    /// IoT device gateway presigned WebSocket URLs).
    AfterSigning,
}

/// Where the signature goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SignatureLocation {
    /// An `Authorization` header plus `X-Amz-Date` (and friends).
    Headers,
    /// Query parameters: a presigned URL valid for `expires_in` seconds (1..=604800).
    QueryParams {
        /// Lifetime of the URL in seconds.
        expires_in: u32,
    },
}

/// The signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SigningAlgorithm {
    /// SigV4, `AWS4-HMAC-SHA256`: a signature valid in the one region of the scope.
    V4,
    /// SigV4a, `AWS4-ECDSA-P256-SHA256` (feature `sigv4a`): an ECDSA P-256 signature valid in
    /// every region of a region set. [`SigningParams::region`] holds the region set (`us-east-1`,
    /// `us-*`, `*`, or a comma-separated list); it is signed as `x-amz-region-set` (header
    /// signing) or `X-Amz-Region-Set` (presigned URLs), and the credential scope leaves it out.
    #[cfg(feature = "sigv4a")]
    V4a,
}

/// The rules that vary between services and between header and query signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SigningSettings {
    /// How the path is encoded.
    pub uri_encoding: UriEncoding,
    /// Remove dot segments and merge slashes before encoding.
    pub normalize_path: bool,
    /// Add and sign `x-amz-content-sha256` (S3). Streaming payloads always add it.
    pub content_sha256_header: bool,
    /// Where the session token goes.
    pub session_token: SessionTokenMode,
    /// Where the signature goes.
    pub location: SignatureLocation,
    /// SigV4 or SigV4a.
    pub algorithm: SigningAlgorithm,
}

impl SigningSettings {
    /// Header signing with the rules of most services: double encoding, normalized paths, no
    /// `x-amz-content-sha256`, signed session token.
    pub const fn standard() -> Self {
        SigningSettings {
            uri_encoding: UriEncoding::Double,
            normalize_path: true,
            content_sha256_header: false,
            session_token: SessionTokenMode::Signed,
            location: SignatureLocation::Headers,
            algorithm: SigningAlgorithm::V4,
        }
    }

    /// Header signing with S3's rules: single encoding, no normalization, `x-amz-content-sha256`.
    pub const fn s3() -> Self {
        SigningSettings {
            uri_encoding: UriEncoding::Single,
            normalize_path: false,
            content_sha256_header: true,
            session_token: SessionTokenMode::Signed,
            location: SignatureLocation::Headers,
            algorithm: SigningAlgorithm::V4,
        }
    }

    /// The rules for a service signing name: S3's for `s3`, `s3-object-lambda`, `s3-outposts`
    /// and `s3express`, the standard ones otherwise.
    pub fn for_service(service: &str) -> Self {
        match service {
            "s3" | "s3-object-lambda" | "s3-outposts" | "s3express" => Self::s3(),
            _ => Self::standard(),
        }
    }

    /// The same rules, signing into query parameters (a presigned URL) valid for `expires_in`
    /// seconds. Presigned requests never carry `x-amz-content-sha256`.
    pub const fn presigned(mut self, expires_in: u32) -> Self {
        self.location = SignatureLocation::QueryParams { expires_in };
        self
    }

    /// The same rules, signed with SigV4a for the region set in [`SigningParams::region`].
    #[cfg(feature = "sigv4a")]
    pub const fn sigv4a(mut self) -> Self {
        self.algorithm = SigningAlgorithm::V4a;
        self
    }

    /// The same rules with a different session token placement.
    pub const fn with_session_token(mut self, mode: SessionTokenMode) -> Self {
        self.session_token = mode;
        self
    }
}

impl Default for SigningSettings {
    fn default() -> Self {
        Self::standard()
    }
}

/// Everything but the request: who signs, for which scope, when, and how.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// The credentials.
    pub credentials: SigningCredentials<'a>,
    /// Region of the scope, e.g. `us-east-1`; with SigV4a, the region set (e.g. `*`).
    pub region: &'a str,
    /// Service signing name of the scope, e.g. `s3`.
    pub service: &'a str,
    /// Signing time (the caller's clock, skew-corrected).
    pub time: UnixTime,
    /// Service and placement rules.
    pub settings: SigningSettings,
}
