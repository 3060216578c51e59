//! What can go wrong while signing, each error saying what and where.

use core::fmt;

use embedded_io::ErrorKind;

use crate::time::TimeError;

/// A request could not be signed. Nothing was written to the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SigningError {
    /// The access key id is empty, or holds a character a credential scope cannot carry
    /// (control characters, space, `/`, `,`, `=`).
    InvalidAccessKeyId,
    /// The secret access key is empty.
    EmptySecretKey,
    /// The session token holds a control character.
    InvalidSessionToken,
    /// The region is empty, too long, or holds a character outside `[A-Za-z0-9-_.]`.
    InvalidRegion,
    /// The service signing name is empty, too long, or holds a character outside `[A-Za-z0-9-_.]`.
    InvalidService,
    /// The method is empty or not an HTTP token.
    InvalidMethod,
    /// The path is neither empty nor starts with `/`.
    InvalidPath,
    /// The path is longer than [`crate::limits::MAX_URI_PATH_LEN`].
    PathTooLong {
        /// Length offered.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The query string is longer than [`crate::limits::MAX_QUERY_LEN`].
    QueryTooLong {
        /// Length offered.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// More query parameters than [`crate::limits::MAX_QUERY_PARAMS`].
    TooManyQueryParams {
        /// The limit.
        limit: usize,
    },
    /// A query parameter has a `%` not followed by two hex digits, or decodes to bytes that are
    /// not UTF-8.
    InvalidQueryParam {
        /// Byte offset of the parameter in the query string.
        offset: usize,
    },
    /// More headers than [`crate::limits::MAX_SIGNER_HEADERS`].
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// A header name is empty or holds a character that is not an HTTP token character.
    InvalidHeaderName {
        /// Position of the header in the request's header list.
        index: usize,
    },
    /// A header value holds a control character (anything below 0x20 but tab, or 0x7F).
    InvalidHeaderValue {
        /// Position of the header in the request's header list.
        index: usize,
    },
    /// No `Host` header and no host given: SigV4 always signs the host.
    MissingHost,
    /// A caller-supplied payload hash is not 64 hex digits.
    InvalidPayloadHash,
    /// A streaming payload was asked for with query-parameter (presigned) signing.
    StreamingNotPresignable,
    /// A presigned URL's lifetime is 0 or longer than [`crate::limits::MAX_PRESIGN_EXPIRES_SECS`].
    InvalidExpiry {
        /// Seconds asked for.
        secs: u32,
    },
    /// The signing time cannot be written as a SigV4 timestamp.
    Time(TimeError),
    /// The `Authorization` value (when presigning: the credential and signed-header list of
    /// the URL) would be longer than [`crate::limits::MAX_AUTHORIZATION_LEN`].
    AuthorizationTooLong {
        /// The limit.
        limit: usize,
    },
    /// A part of a request given in canonical form
    /// ([`CanonicalParts`](super::CanonicalParts)) is not in the form the general signer writes.
    NotCanonical {
        /// Which part.
        part: CanonicalPart,
        /// Where in it: the header's position in the list, or the byte offset in the path or
        /// query (see [`CanonicalPart`]).
        index: usize,
    },
    /// SigV4a: the region set is empty, longer than [`crate::limits::MAX_REGION_SET_LEN`], or
    /// holds a character outside `[A-Za-z0-9-*,]`.
    #[cfg(feature = "sigv4a")]
    InvalidRegionSet,
    /// SigV4a: no valid P-256 private key came out of the key derivation within its 254
    /// attempts (a chance of about 2^-8000 for any real secret), or ECDSA signing failed.
    #[cfg(feature = "sigv4a")]
    EcdsaKey,
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigningError::InvalidAccessKeyId => f.write_str(
                "access key id is empty or holds a character a credential scope cannot carry",
            ),
            SigningError::EmptySecretKey => f.write_str("secret access key is empty"),
            SigningError::InvalidSessionToken => {
                f.write_str("session token holds a control character")
            }
            SigningError::InvalidRegion => {
                f.write_str("region is empty, too long or holds an invalid character")
            }
            SigningError::InvalidService => {
                f.write_str("service signing name is empty, too long or holds an invalid character")
            }
            SigningError::InvalidMethod => f.write_str("HTTP method is empty or not a token"),
            SigningError::InvalidPath => {
                f.write_str("request path must be empty or start with '/'")
            }
            SigningError::PathTooLong { len, limit } => {
                write!(f, "request path is {len} bytes, over the limit of {limit}")
            }
            SigningError::QueryTooLong { len, limit } => {
                write!(f, "query string is {len} bytes, over the limit of {limit}")
            }
            SigningError::TooManyQueryParams { limit } => {
                write!(f, "more than {limit} query parameters")
            }
            SigningError::InvalidQueryParam { offset } => {
                write!(
                    f,
                    "query parameter at byte {offset} has a bad percent escape or is not UTF-8"
                )
            }
            SigningError::TooManyHeaders { limit } => {
                write!(f, "more than {limit} request headers")
            }
            SigningError::InvalidHeaderName { index } => {
                write!(f, "header #{index} has an empty or invalid name")
            }
            SigningError::InvalidHeaderValue { index } => {
                write!(f, "header #{index} value holds a control character")
            }
            SigningError::MissingHost => f.write_str("request has no Host header"),
            SigningError::InvalidPayloadHash => f.write_str("payload hash is not 64 hex digits"),
            SigningError::StreamingNotPresignable => {
                f.write_str("a streaming payload cannot be presigned")
            }
            SigningError::InvalidExpiry { secs } => write!(
                f,
                "presigned URL lifetime of {secs} s is outside 1..=604800"
            ),
            SigningError::Time(e) => write!(f, "signing time: {e}"),
            SigningError::AuthorizationTooLong { limit } => {
                // The same text holds the `Authorization` header and, when presigning, the
                // URL's `X-Amz-Credential` and `X-Amz-SignedHeaders`: name both.
                write!(
                    f,
                    "the signature's credential and signed-header list would exceed \
                     {limit} bytes (MAX_AUTHORIZATION_LEN: the Authorization header, or a \
                     presigned URL's X-Amz-Credential and X-Amz-SignedHeaders)"
                )
            }
            SigningError::NotCanonical { part, index } => {
                write!(f, "not in canonical form: {part} (index {index})")
            }
            #[cfg(feature = "sigv4a")]
            SigningError::InvalidRegionSet => f.write_str(
                "SigV4a region set is empty, too long, has an empty entry or holds a character outside \
                 [A-Za-z0-9-*,]",
            ),
            #[cfg(feature = "sigv4a")]
            SigningError::EcdsaKey => {
                f.write_str("SigV4a: no P-256 key could be derived, or ECDSA signing failed")
            }
        }
    }
}

impl core::error::Error for SigningError {}

/// The part of a request given in canonical form that broke its rule, in
/// [`SigningError::NotCanonical`]. Each variant says what its `index` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CanonicalPart {
    /// The method is empty or not an HTTP token (index 0).
    Method,
    /// The path does not start with `/`, or holds a byte other than an unreserved character, `/`
    /// or an upper-case `%XX` escape of a byte that needs one; with double encoding, its escapes
    /// decode to text that is not UTF-8. Index: byte offset (of the escape's `%`).
    Path,
    /// With path normalization (and double encoding), a path segment is empty, `.` or `..`.
    /// Index: byte offset of the segment.
    PathSegment,
    /// A query key or value holds a byte other than an unreserved character or an upper-case
    /// `%XX` escape of a byte that needs one, or its escapes decode to text that is not UTF-8.
    /// Index: byte offset.
    Query,
    /// A query pair has no `=` (or is empty: a stray `&`). Index: byte offset of the pair.
    QueryPair,
    /// A query pair does not sort after the one before it (by key, then value). Index: byte
    /// offset of the pair.
    QueryOrder,
    /// A presigned request's query holds a parameter the signer writes (`X-Amz-Algorithm`,
    /// `X-Amz-Credential`, ..., `X-Amz-Signature`). Index: byte offset of the pair.
    SignerParam,
    /// A header name is empty, not an HTTP token, or not lower case. Index: the header's position.
    HeaderName,
    /// A header name does not sort strictly after the one before it (repeated names must be one
    /// header with the values joined by `,`). Index: the header's position.
    HeaderOrder,
    /// A header value holds a control character or a tab, starts or ends with a space, or holds
    /// two spaces in a row. Index: the header's position.
    HeaderValue,
    /// A header the signer writes itself (`x-amz-date`; `x-amz-security-token`,
    /// `x-amz-content-sha256`, `x-amz-region-set` when it adds them) or never signs
    /// (`authorization`, `user-agent`, ...). Index: the header's position.
    SignerHeader,
}

impl fmt::Display for CanonicalPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CanonicalPart::Method => "method is not a token",
            CanonicalPart::Path => "path byte is not unreserved, '/' or a needed upper-case escape",
            CanonicalPart::PathSegment => "path segment is empty, '.' or '..'",
            CanonicalPart::Query => "query byte is not unreserved or a needed upper-case escape",
            CanonicalPart::QueryPair => "query pair has no '='",
            CanonicalPart::QueryOrder => "query pair is out of order",
            CanonicalPart::SignerParam => "query parameter is one the signer writes",
            CanonicalPart::HeaderName => "header name is not a lower-case token",
            CanonicalPart::HeaderOrder => "header name is out of order or repeated",
            CanonicalPart::HeaderValue => "header value is not trimmed",
            CanonicalPart::SignerHeader => "header is one the signer writes or never signs",
        })
    }
}

impl From<TimeError> for SigningError {
    fn from(e: TimeError) -> Self {
        SigningError::Time(e)
    }
}

/// Writing an aws-chunked body failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ChunkedError {
    /// Reading the payload failed.
    Read(ErrorKind),
    /// Writing the encoded body failed (or the writer accepted zero bytes).
    Write(ErrorKind),
    /// The chunk buffer is smaller than [`crate::limits::MIN_AWS_CHUNK_LEN`].
    BufferTooSmall {
        /// Buffer length offered.
        len: usize,
    },
    /// More trailers than [`crate::limits::MAX_TRAILERS`].
    TooManyTrailers {
        /// The limit.
        limit: usize,
    },
    /// A trailer name is not an HTTP token, or its value holds a control character.
    InvalidTrailer {
        /// Position of the trailer in the list.
        index: usize,
    },
    /// Trailers were given to a body whose payload mode has none, or the other way round.
    TrailerMismatch,
    /// The body was already finished.
    Finished,
    /// A chunk or trailer could not be signed (SigV4a: ECDSA signing failed).
    Signing(SigningError),
}

impl fmt::Display for ChunkedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChunkedError::Read(k) => write!(f, "reading the payload failed: {k:?}"),
            ChunkedError::Write(k) => write!(f, "writing the aws-chunked body failed: {k:?}"),
            ChunkedError::BufferTooSmall { len } => {
                write!(
                    f,
                    "chunk buffer of {len} bytes is under the 8192-byte minimum"
                )
            }
            ChunkedError::TooManyTrailers { limit } => write!(f, "more than {limit} trailers"),
            ChunkedError::InvalidTrailer { index } => {
                write!(f, "trailer #{index} has an invalid name or value")
            }
            ChunkedError::TrailerMismatch => f.write_str("trailers do not match the payload mode"),
            ChunkedError::Finished => f.write_str("the aws-chunked body was already finished"),
            ChunkedError::Signing(e) => write!(f, "signing a chunk failed: {e}"),
        }
    }
}

impl core::error::Error for ChunkedError {}
