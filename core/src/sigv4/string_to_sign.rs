//! Stage 3: the string to sign, for a request, an aws-chunked chunk, or a trailer block.
//!
//! ```text
//! AWS4-HMAC-SHA256            AWS4-HMAC-SHA256-PAYLOAD      AWS4-HMAC-SHA256-TRAILER
//! <YYYYMMDDTHHMMSSZ>          <YYYYMMDDTHHMMSSZ>            <YYYYMMDDTHHMMSSZ>
//! <scope>                     <scope>                       <scope>
//! <hex sha256(creq)>          <previous signature>          <previous signature>
//!                             <hex sha256("")>              <hex sha256(trailer block)>
//!                             <hex sha256(chunk)>
//! ```
//!
//! A SigV4a scope (no region) makes the first line `AWS4-ECDSA-P256-SHA256` (`-PAYLOAD`,
//! `-TRAILER`), and the previous signature is then a DER signature in hex, of varying length.

use core::fmt::{self, Write};

use super::hash::{Absorb, Staged, EMPTY_SHA256_HEX};
use super::scope::CredentialScope;

/// The SigV4 algorithm name.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const CHUNK_ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";
const TRAILER_ALGORITHM: &str = "AWS4-HMAC-SHA256-TRAILER";
#[cfg(feature = "sigv4a")]
const CHUNK_ALGORITHM_V4A: &str = "AWS4-ECDSA-P256-SHA256-PAYLOAD";
#[cfg(feature = "sigv4a")]
const TRAILER_ALGORITHM_V4A: &str = "AWS4-ECDSA-P256-SHA256-TRAILER";

/// What a string to sign covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind<'a> {
    Request {
        creq_hash: &'a [u8; 64],
    },
    Chunk {
        previous: &'a [u8],
        chunk_hash: &'a [u8; 64],
    },
    Trailer {
        previous: &'a [u8],
        trailer_hash: &'a [u8; 64],
    },
}

/// A string to sign: the text whose HMAC under the signing key is the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringToSign<'a> {
    scope: &'a CredentialScope<'a>,
    /// The scope's `YYYYMMDDTHHMMSSZ` timestamp, as text checked once.
    time: &'a str,
    kind: Kind<'a>,
}

fn hex_str(h: &[u8]) -> &str {
    core::str::from_utf8(h).unwrap_or("")
}

impl<'a> StringToSign<'a> {
    /// The string to sign of a request, from the hex SHA-256 of its canonical request.
    pub fn for_request(scope: &'a CredentialScope<'a>, creq_hash: &'a [u8; 64]) -> Self {
        Self::for_request_at(scope, scope.time().as_str(), creq_hash)
    }

    /// [`StringToSign::for_request`] with the scope's timestamp text (`scope.time().as_str()`)
    /// given, for a signer that has already checked it.
    pub(crate) fn for_request_at(
        scope: &'a CredentialScope<'a>,
        time: &'a str,
        creq_hash: &'a [u8; 64],
    ) -> Self {
        StringToSign {
            scope,
            time,
            kind: Kind::Request { creq_hash },
        }
    }

    /// The string to sign of one aws-chunked chunk, chained to the previous signature (the seed
    /// signature for the first chunk; hex digits, unpadded).
    pub fn for_chunk(
        scope: &'a CredentialScope<'a>,
        previous: &'a [u8],
        chunk_hash: &'a [u8; 64],
    ) -> Self {
        StringToSign {
            scope,
            time: scope.time().as_str(),
            kind: Kind::Chunk {
                previous,
                chunk_hash,
            },
        }
    }

    /// The string to sign of an aws-chunked trailer block, chained to the final chunk's signature.
    pub fn for_trailer(
        scope: &'a CredentialScope<'a>,
        previous: &'a [u8],
        trailer_hash: &'a [u8; 64],
    ) -> Self {
        StringToSign {
            scope,
            time: scope.time().as_str(),
            kind: Kind::Trailer {
                previous,
                trailer_hash,
            },
        }
    }

    /// Writes the exact spec text (lines joined by `\n`, no trailing newline).
    ///
    /// # Errors
    /// Whatever the writer reports.
    pub fn write_to<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        self.write_with(w, |w, hex| w.write_str(hex_str(hex)))
    }

    /// [`StringToSign::write_to`] into a hashing writer: the hex digests go in as the bytes they
    /// are, without a UTF-8 check on the way.
    pub(crate) fn write_staged<S: Absorb>(&self, w: &mut Staged<S>) {
        // Writing into a hash cannot fail.
        let _ = self.write_with(w, |w, hex| {
            w.write_bytes(hex);
            Ok(())
        });
    }

    /// The text, with each hex digest written by `hex`.
    fn write_with<W: Write + ?Sized>(
        &self,
        w: &mut W,
        mut hex: impl FnMut(&mut W, &[u8]) -> fmt::Result,
    ) -> fmt::Result {
        w.write_str(self.algorithm())?;
        w.write_char('\n')?;
        // The scope date is the first eight characters of the timestamp.
        let time = self.time;
        w.write_str(time)?;
        w.write_char('\n')?;
        self.scope.write_with_date(time.get(..8).unwrap_or(""), w)?;
        w.write_char('\n')?;
        match self.kind {
            Kind::Request { creq_hash } => hex(w, creq_hash),
            Kind::Chunk {
                previous,
                chunk_hash,
            } => {
                hex(w, previous)?;
                w.write_char('\n')?;
                w.write_str(EMPTY_SHA256_HEX)?;
                w.write_char('\n')?;
                hex(w, chunk_hash)
            }
            Kind::Trailer {
                previous,
                trailer_hash,
            } => {
                hex(w, previous)?;
                w.write_char('\n')?;
                hex(w, trailer_hash)
            }
        }
    }
}

impl StringToSign<'_> {
    /// The first line: SigV4's names, or SigV4a's for a region-less scope.
    fn algorithm(&self) -> &'static str {
        #[cfg(feature = "sigv4a")]
        if self.scope.is_v4a() {
            return match self.kind {
                Kind::Request { .. } => super::v4a::ALGORITHM_V4A,
                Kind::Chunk { .. } => CHUNK_ALGORITHM_V4A,
                Kind::Trailer { .. } => TRAILER_ALGORITHM_V4A,
            };
        }
        match self.kind {
            Kind::Request { .. } => ALGORITHM,
            Kind::Chunk { .. } => CHUNK_ALGORITHM,
            Kind::Trailer { .. } => TRAILER_ALGORITHM,
        }
    }
}

impl fmt::Display for StringToSign<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}
