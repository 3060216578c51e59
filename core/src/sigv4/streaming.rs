//! aws-chunked streaming uploads: per-chunk signatures chained from the seed signature, the
//! final empty chunk, and the trailer block (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`, or
//! `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD[-TRAILER]` with SigV4a), plus the unsigned framing
//! (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
//!
//! ```text
//! signed:    <hex len>;chunk-signature=<sig>\r\n<data>\r\n   ...   0;chunk-signature=<sig>\r\n
//!            then \r\n, or the trailers: <name>:<value>\r\n ... x-amz-trailer-signature:<sig>\r\n\r\n
//! unsigned:  <hex len>\r\n<data>\r\n   ...   0\r\n<name>:<value>\r\n ... \r\n
//! ```
//!
//! Memory does not grow with the object: [`AwsChunkedEncoder::encode`] reads one chunk at a time
//! into a caller-lent buffer (a chunk's signature must precede its data, so each chunk is hashed
//! before it is written), through `embedded_io::Read` in and `embedded_io::Write` out.
//!
//! Sign the request first with one of the streaming [`SignableBody`](super::SignableBody) modes,
//! adding `Content-Encoding: aws-chunked`, `x-amz-decoded-content-length: <payload length>`,
//! `Content-Length: <`[`encoded_len`]`>` and, for trailers, `x-amz-trailer: <names>` to the
//! request's headers; then make the encoder from the seed signature with
//! [`Signer::chunk_signer`](super::Signer::chunk_signer).
//!
//! ```
//! use aws_session_core::secret::SecretKey;
//! use aws_session_core::sigv4::*;
//! use aws_session_core::text::Field;
//! use aws_session_core::time::UnixTime;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Field::SecretAccessKey)?;
//! let params = SigningParams {
//!     credentials: SigningCredentials { access_key_id: "AKIAIOSFODNN7EXAMPLE", secret: &secret, session_token: None },
//!     region: "us-east-1",
//!     service: "s3",
//!     time: UnixTime::parse_amz("20130524T000000Z")?,
//!     settings: SigningSettings::s3(),
//! };
//! let payload = [b'a'; 20_000];
//! let trailers = [("x-amz-checksum-crc32c", "AAAAAA==")]; // computed while streaming, in practice
//! let body_len = encoded_len(ChunkedMode::SignedWithTrailer, payload.len() as u64, 8192, &trailers);
//! let (decoded, encoded) = (payload.len().to_string(), body_len.to_string());
//! let headers = [
//!     ("Host", "examplebucket.s3.amazonaws.com"),
//!     ("Content-Encoding", "aws-chunked"),
//!     ("x-amz-decoded-content-length", decoded.as_str()),
//!     ("Content-Length", encoded.as_str()),
//!     ("x-amz-trailer", "x-amz-checksum-crc32c"),
//! ];
//! let req = SignableRequest::new("PUT", "/big.bin", "", &headers, SignableBody::StreamingSignedWithTrailer);
//! let mut signer: Signer = Signer::new();
//! let mut out = SigningOutput::new();
//! let seed = signer.sign(&req, &params, &mut out)?; // send seed.headers() with the request head
//!
//! let mut encoder = AwsChunkedEncoder::signed(signer.chunk_signer(&params, &seed)?, true);
//! let mut chunk = [0u8; 8192]; // memory use: one chunk, whatever the object's size
//! let mut wire = vec![0u8; body_len as usize];
//! let mut sink: &mut [u8] = &mut wire; // any embedded_io::Write: a socket, a TLS stream…
//! encoder.encode(&mut &payload[..], &mut sink, &mut chunk, |_data| { /* update the CRC */ })?;
//! encoder.finish(&mut sink, &trailers)?;
//! assert!(sink.is_empty()); // exactly `encoded_len` bytes were written
//! # Ok(())
//! # }
//! ```

use core::fmt::{self, Write as _};

use embedded_io::{Error as _, ErrorKind, Read, Write};

use crate::limits::{MAX_TRAILERS, MIN_AWS_CHUNK_LEN};

use super::encoding::{
    hex32, hex_usize, is_token, is_valid_header_value, parse_hash_hex, write_lowercase,
    write_trimmed_value,
};
use super::error::{ChunkedError, SigningError};
use super::hash::{sha256, HashWriter};
use super::output::SigningInstructions;
use super::request::SigningParams;
use super::scope::CredentialScope;
use super::sign::{Signer, MAX_V4A_SIGNATURE_DIGITS};
use super::signing_key::SigningKey;
use super::string_to_sign::StringToSign;
#[cfg(feature = "sigv4a")]
use super::v4a::SigningKeyV4a;

const CHUNK_SIGNATURE: &[u8] = b";chunk-signature=";
const TRAILER_SIGNATURE: &[u8] = b"x-amz-trailer-signature:";
const CRLF: &[u8] = b"\r\n";

/// Room for the longest header line of a data chunk ([`AwsChunkedEncoder::chunk_header`]): the
/// size in hex (up to 16 digits), the signature part and CRLF.
pub const MAX_CHUNK_HEADER_LEN: usize = 16 + CHUNK_SIGNATURE.len() + SIGNATURE_ROOM + CRLF.len();

/// Room for what [`AwsChunkedEncoder::finish`] writes for a [`ChunkedMode::Signed`] body: the
/// final chunk's header line and the closing CRLF.
pub const MAX_SIGNED_FINISH_LEN: usize =
    1 + CHUNK_SIGNATURE.len() + SIGNATURE_ROOM + 2 * CRLF.len();

/// Signs aws-chunked chunks and trailers, each chained to the signature before it.
///
/// With SigV4a (a [`Signer`] signing with
/// `SigningSettings::sigv4a`) chunks and the trailer block get
/// ECDSA signatures; on the wire they are right-padded with `*` to 144 characters, so the body's
/// length is known in advance (`encoded_len_v4a`), while each string to sign chains the
/// unpadded signature before it.
#[derive(Clone)]
pub struct ChunkSigner<'a> {
    key: ChunkKey,
    scope: CredentialScope<'a>,
    previous: ChainedSignature,
}

/// The key a [`ChunkSigner`] signs with.
#[derive(Clone)]
enum ChunkKey {
    V4(SigningKey),
    #[cfg(feature = "sigv4a")]
    V4a(SigningKeyV4a),
}

/// Room for the longest signature in the chain: 64 hex digits, or 144 with SigV4a.
const SIGNATURE_ROOM: usize = if cfg!(feature = "sigv4a") {
    MAX_V4A_SIGNATURE_DIGITS
} else {
    64
};

/// The last signature of the chain, with its wire form (SigV4a pads it with `*`).
#[derive(Clone, Copy)]
struct ChainedSignature {
    buf: [u8; SIGNATURE_ROOM],
    len: usize,
    wire_len: usize,
}

impl ChainedSignature {
    /// `hex` (digits only), padded with `*` to `wire_len` on the wire.
    fn new(hex: &[u8], wire_len: usize) -> Option<Self> {
        if hex.is_empty()
            || hex.len() > wire_len
            || wire_len > SIGNATURE_ROOM
            || !hex.iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        let mut buf = [b'*'; SIGNATURE_ROOM];
        buf.get_mut(..hex.len())?.copy_from_slice(hex);
        Some(ChainedSignature {
            buf,
            len: hex.len(),
            wire_len,
        })
    }

    /// The hex digits, as the next string to sign chains them.
    fn hex(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// The form written after `chunk-signature=` or `x-amz-trailer-signature:`.
    fn wire(&self) -> &str {
        let wire = self.buf.get(..self.wire_len).unwrap_or(&[]);
        core::str::from_utf8(wire).unwrap_or("")
    }
}

impl fmt::Debug for ChunkSigner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkSigner")
            .field("scope", &self.scope)
            .field("previous", &self.previous())
            .finish()
    }
}

impl<'a> ChunkSigner<'a> {
    /// A chunk signer for `scope`, chained from `seed_signature` (the request's hex signature).
    ///
    /// # Errors
    /// [`SigningError::InvalidPayloadHash`] when the seed is not 64 hex digits.
    pub fn new(
        key: SigningKey,
        scope: CredentialScope<'a>,
        seed_signature: &str,
    ) -> Result<Self, SigningError> {
        let previous = parse_hash_hex(seed_signature).ok_or(SigningError::InvalidPayloadHash)?;
        Self::chained(ChunkKey::V4(key), scope, &previous)
    }

    /// A SigV4a chunk signer for a SigV4a `scope` ([`CredentialScope::new_v4a`]), chained from
    /// `seed_signature` (the request's hex DER signature).
    ///
    /// # Errors
    /// [`SigningError::InvalidPayloadHash`] when the seed is not up to 144 hex digits.
    #[cfg(feature = "sigv4a")]
    pub fn new_v4a(
        key: SigningKeyV4a,
        scope: CredentialScope<'a>,
        seed_signature: &str,
    ) -> Result<Self, SigningError> {
        Self::chained(ChunkKey::V4a(key), scope, seed_signature.as_bytes())
    }

    fn chained(
        key: ChunkKey,
        scope: CredentialScope<'a>,
        seed: &[u8],
    ) -> Result<Self, SigningError> {
        let previous =
            ChainedSignature::new(seed, key.wire_len()).ok_or(SigningError::InvalidPayloadHash)?;
        Ok(ChunkSigner {
            key,
            scope,
            previous,
        })
    }

    /// The last signature produced (the seed before the first chunk), without padding.
    pub fn previous(&self) -> &str {
        core::str::from_utf8(self.previous.hex()).unwrap_or("")
    }

    /// The string to sign of the next chunk, given the chunk's SHA-256.
    pub fn chunk_string_to_sign<'s>(&'s self, chunk_hash_hex: &'s [u8; 64]) -> StringToSign<'s> {
        StringToSign::for_chunk(&self.scope, self.previous.hex(), chunk_hash_hex)
    }

    /// Signs the next chunk (`data` empty for the final chunk) and returns its signature as it
    /// goes on the wire (64 hex digits; SigV4a: padded with `*` to 144).
    ///
    /// # Errors
    /// [`ChunkedError::Signing`] if ECDSA signing fails (SigV4a only; not seen in practice).
    pub fn sign_chunk(&mut self, data: &[u8]) -> Result<&str, ChunkedError> {
        let hash = hex32(&sha256(data));
        self.chain(&hash, false)
    }

    /// Writes the canonical trailer block: `<lower-case name>:<trimmed value>\n` per trailer.
    ///
    /// # Errors
    /// Whatever the writer reports, or [`fmt::Error`] for a trailer name that is not ASCII.
    pub fn write_canonical_trailers<W: fmt::Write + ?Sized>(
        w: &mut W,
        trailers: &[(&str, &str)],
    ) -> fmt::Result {
        for (name, value) in trailers {
            write_lowercase(w, name)?;
            w.write_char(':')?;
            write_trimmed_value(w, value)?;
            w.write_char('\n')?;
        }
        Ok(())
    }

    /// Signs the trailer block (after the final chunk) and returns its signature as it goes on
    /// the wire.
    ///
    /// # Errors
    /// [`ChunkedError::TooManyTrailers`] or [`ChunkedError::InvalidTrailer`].
    pub fn sign_trailers(&mut self, trailers: &[(&str, &str)]) -> Result<&str, ChunkedError> {
        validate_trailers(trailers)?;
        let mut h = HashWriter::default();
        let _ = Self::write_canonical_trailers(&mut h, trailers);
        let hash = hex32(&h.finish());
        self.chain(&hash, true)
    }

    /// Signs the next chunk's (or the trailer block's, `trailer`) string to sign over `hash`,
    /// and chains the result.
    fn chain(&mut self, hash: &[u8; 64], trailer: bool) -> Result<&str, ChunkedError> {
        let previous = self.previous.hex();
        let sts = if trailer {
            StringToSign::for_trailer(&self.scope, previous, hash)
        } else {
            StringToSign::for_chunk(&self.scope, previous, hash)
        };
        let wire_len = self.key.wire_len();
        let next = match &self.key {
            ChunkKey::V4(key) => {
                let hex = hex32(&key.sign_with(|w| {
                    sts.write_staged(w);
                    Ok(())
                }));
                ChainedSignature::new(&hex, wire_len)
            }
            #[cfg(feature = "sigv4a")]
            ChunkKey::V4a(key) => {
                let sig = key.sign(&sts).map_err(ChunkedError::Signing)?;
                ChainedSignature::new(sig.as_ref(), wire_len)
            }
        };
        self.previous = next.ok_or(ChunkedError::Signing(SigningError::InvalidPayloadHash))?;
        Ok(self.previous.wire())
    }
}

impl ChunkKey {
    /// Characters of a chunk or trailer signature on the wire.
    fn wire_len(&self) -> usize {
        match self {
            ChunkKey::V4(_) => 64,
            #[cfg(feature = "sigv4a")]
            ChunkKey::V4a(_) => MAX_V4A_SIGNATURE_DIGITS,
        }
    }
}

impl<const N: usize> Signer<N> {
    /// A chunk signer chained from a streaming request's seed signature, reusing the cached key
    /// (SigV4a too, when `params` ask for it).
    ///
    /// # Errors
    /// [`SigningError`] for a scope or time that cannot be signed (as in [`Signer::sign`]).
    pub fn chunk_signer<'a>(
        &mut self,
        params: &SigningParams<'a>,
        seed: &SigningInstructions<'_>,
    ) -> Result<ChunkSigner<'a>, SigningError> {
        let time = params.time.amz_datetime()?;
        #[cfg(feature = "sigv4a")]
        if params.settings.algorithm == super::SigningAlgorithm::V4a {
            let scope = CredentialScope::new_v4a(time, params.service)?;
            let creds = &params.credentials;
            let key = self.v4a_key(creds.access_key_id, creds.secret)?.clone();
            return ChunkSigner::new_v4a(key, scope, seed.signature());
        }
        let scope = CredentialScope::new(time, params.region, params.service)?;
        let key = self.signing_key(params, scope.date());
        ChunkSigner::new(key, scope, seed.signature())
    }
}

fn validate_trailers(trailers: &[(&str, &str)]) -> Result<(), ChunkedError> {
    if trailers.len() > MAX_TRAILERS {
        return Err(ChunkedError::TooManyTrailers {
            limit: MAX_TRAILERS,
        });
    }
    for (index, (name, value)) in trailers.iter().enumerate() {
        if !is_token(name) || !is_valid_header_value(value) {
            return Err(ChunkedError::InvalidTrailer { index });
        }
    }
    Ok(())
}

/// The framing of an aws-chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ChunkedMode {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: signed chunks, no trailers.
    Signed,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and a signed trailer block.
    SignedWithTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: plain chunks and a trailer block.
    UnsignedWithTrailer,
}

/// Bytes of the whole encoded body for a payload of `payload_len` bytes cut into chunks of
/// `chunk_len` bytes (the last one shorter) with these trailers: the `Content-Length` to send.
pub fn encoded_len(
    mode: ChunkedMode,
    payload_len: u64,
    chunk_len: usize,
    trailers: &[(&str, &str)],
) -> u64 {
    framed_len(mode, payload_len, chunk_len, trailers, 64)
}

/// [`encoded_len`] for a SigV4a-signed body, whose chunk and trailer signatures take 144
/// characters each on the wire.
#[cfg(feature = "sigv4a")]
pub fn encoded_len_v4a(
    mode: ChunkedMode,
    payload_len: u64,
    chunk_len: usize,
    trailers: &[(&str, &str)],
) -> u64 {
    framed_len(
        mode,
        payload_len,
        chunk_len,
        trailers,
        MAX_V4A_SIGNATURE_DIGITS,
    )
}

/// The encoded length with signatures of `sig_len` characters.
fn framed_len(
    mode: ChunkedMode,
    payload_len: u64,
    chunk_len: usize,
    trailers: &[(&str, &str)],
    sig_len: usize,
) -> u64 {
    let signed = mode != ChunkedMode::UnsignedWithTrailer;
    let frame = |n: u64| -> u64 {
        let (_, digits) = hex_usize(n as usize);
        let sig = if signed {
            (CHUNK_SIGNATURE.len() + sig_len) as u64
        } else {
            0
        };
        digits as u64 + sig + 2 + n + 2
    };
    let chunk = chunk_len.max(1) as u64;
    let full = payload_len / chunk;
    let rest = payload_len % chunk;
    let mut total = full.saturating_mul(frame(chunk));
    if rest > 0 {
        total = total.saturating_add(frame(rest));
    }
    // The final empty chunk: its header line without the data's CRLF.
    total = total.saturating_add(frame(0) - 2);
    if mode == ChunkedMode::Signed {
        return total.saturating_add(2);
    }
    let trailer_lines: u64 = trailers
        .iter()
        .map(|(n, v)| {
            let mut count = CountWriter(0);
            let _ = write_trimmed_value(&mut count, v);
            (n.len() + 1 + count.0 + 2) as u64
        })
        .sum();
    total = total.saturating_add(trailer_lines);
    if signed {
        total = total.saturating_add((TRAILER_SIGNATURE.len() + sig_len + 2) as u64);
    }
    total.saturating_add(2)
}

/// Writes an aws-chunked body chunk by chunk.
#[derive(Debug)]
pub struct AwsChunkedEncoder<'a> {
    signer: Option<ChunkSigner<'a>>,
    mode: ChunkedMode,
    finished: bool,
}

impl<'a> AwsChunkedEncoder<'a> {
    /// A signed encoder (`with_trailer` selects the `-TRAILER` variant).
    pub fn signed(signer: ChunkSigner<'a>, with_trailer: bool) -> Self {
        let mode = if with_trailer {
            ChunkedMode::SignedWithTrailer
        } else {
            ChunkedMode::Signed
        };
        AwsChunkedEncoder {
            signer: Some(signer),
            mode,
            finished: false,
        }
    }

    /// An unsigned encoder (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
    pub fn unsigned() -> Self {
        AwsChunkedEncoder {
            signer: None,
            mode: ChunkedMode::UnsignedWithTrailer,
            finished: false,
        }
    }

    /// The framing in use.
    pub fn mode(&self) -> ChunkedMode {
        self.mode
    }

    /// The chunk signer (its last signature), if signed.
    pub fn signer(&self) -> Option<&ChunkSigner<'a>> {
        self.signer.as_ref()
    }

    /// Writes one data chunk. An empty `data` writes nothing: the final empty chunk is written
    /// by [`AwsChunkedEncoder::finish`].
    ///
    /// # Errors
    /// [`ChunkedError::Write`] from the writer, or [`ChunkedError::Finished`].
    pub fn write_chunk<W: Write>(&mut self, w: &mut W, data: &[u8]) -> Result<(), ChunkedError> {
        if self.finished {
            return Err(ChunkedError::Finished);
        }
        if data.is_empty() {
            return Ok(());
        }
        self.write_chunk_header(w, data)?;
        write_all(w, data)?;
        write_all(w, CRLF)
    }

    /// Signs the data chunk `data` and writes its header line (size, signature, CRLF) into `out`;
    /// returns the line's length. On the wire the chunk is that line, `data`, then CRLF: this is
    /// for writers that send a chunk's parts separately, such as async transports
    /// ([`AwsChunkedEncoder::write_chunk`] writes all three). An empty `data` is no chunk: it
    /// returns 0 and signs nothing (the final chunk comes from [`AwsChunkedEncoder::finish`]).
    ///
    /// # Errors
    /// [`ChunkedError::Finished`], or [`ChunkedError::Signing`] (SigV4a).
    pub fn chunk_header(
        &mut self,
        data: &[u8],
        out: &mut [u8; MAX_CHUNK_HEADER_LEN],
    ) -> Result<usize, ChunkedError> {
        if self.finished {
            return Err(ChunkedError::Finished);
        }
        if data.is_empty() {
            return Ok(0);
        }
        let left = {
            let mut w: &mut [u8] = out;
            self.write_chunk_header(&mut w, data)?;
            w.len()
        };
        Ok(MAX_CHUNK_HEADER_LEN - left)
    }

    fn write_chunk_header<W: Write>(&mut self, w: &mut W, data: &[u8]) -> Result<(), ChunkedError> {
        let (digits, n) = hex_usize(data.len());
        write_all(w, digits.get(..n).unwrap_or(b"0"))?;
        if let Some(signer) = &mut self.signer {
            let sig = signer.sign_chunk(data)?;
            write_all(w, CHUNK_SIGNATURE)?;
            write_all(w, sig.as_bytes())?;
        }
        write_all(w, CRLF)
    }

    /// Writes the final empty chunk and, for the trailer modes, the trailer block (signed in the
    /// signed mode). `trailers` must be empty for [`ChunkedMode::Signed`].
    ///
    /// # Errors
    /// [`ChunkedError::TrailerMismatch`], [`ChunkedError::TooManyTrailers`],
    /// [`ChunkedError::InvalidTrailer`], [`ChunkedError::Write`] or [`ChunkedError::Finished`].
    pub fn finish<W: Write>(
        &mut self,
        w: &mut W,
        trailers: &[(&str, &str)],
    ) -> Result<(), ChunkedError> {
        if self.finished {
            return Err(ChunkedError::Finished);
        }
        if self.mode == ChunkedMode::Signed && !trailers.is_empty() {
            return Err(ChunkedError::TrailerMismatch);
        }
        validate_trailers(trailers)?;
        self.finished = true;
        self.write_chunk_header(w, &[])?;
        if self.mode == ChunkedMode::Signed {
            return write_all(w, CRLF);
        }
        for (name, value) in trailers {
            let mut line = LineWriter { w, err: None };
            let _ = write_lowercase(&mut line, name);
            let _ = line.write_char(':');
            let _ = write_trimmed_value(&mut line, value);
            if let Some(e) = line.err {
                return Err(e);
            }
            write_all(w, CRLF)?;
        }
        if let Some(signer) = &mut self.signer {
            let sig = signer.sign_trailers(trailers)?;
            write_all(w, TRAILER_SIGNATURE)?;
            write_all(w, sig.as_bytes())?;
            write_all(w, CRLF)?;
        }
        write_all(w, CRLF)
    }

    /// Reads `r` to its end in chunks of `buf.len()` bytes and writes each as a chunk; calls
    /// `on_chunk` with each chunk's data (to feed a checksum for a trailer). Does not write the
    /// final chunk: call [`AwsChunkedEncoder::finish`] next. Returns the payload bytes read.
    ///
    /// # Errors
    /// [`ChunkedError::BufferTooSmall`] for a buffer under [`MIN_AWS_CHUNK_LEN`], or the read or
    /// write error.
    pub fn encode<R: Read, W: Write>(
        &mut self,
        r: &mut R,
        w: &mut W,
        buf: &mut [u8],
        mut on_chunk: impl FnMut(&[u8]),
    ) -> Result<u64, ChunkedError> {
        if buf.len() < MIN_AWS_CHUNK_LEN {
            return Err(ChunkedError::BufferTooSmall { len: buf.len() });
        }
        let mut total = 0u64;
        loop {
            let mut filled = 0;
            while let Some(rest) = buf.get_mut(filled..).filter(|rest| !rest.is_empty()) {
                match r.read(rest) {
                    Ok(0) => break,
                    Ok(n) => filled += n.min(rest.len()),
                    Err(e) => return Err(ChunkedError::Read(e.kind())),
                }
            }
            let data = buf.get(..filled).unwrap_or(&[]);
            if data.is_empty() {
                return Ok(total);
            }
            on_chunk(data);
            self.write_chunk(w, data)?;
            total += filled as u64;
            if filled < buf.len() {
                return Ok(total);
            }
        }
    }
}

/// Writes all of `bytes`, treating a zero-length write as an error rather than looping.
fn write_all<W: Write>(w: &mut W, mut bytes: &[u8]) -> Result<(), ChunkedError> {
    while !bytes.is_empty() {
        match w.write(bytes) {
            Ok(0) => return Err(ChunkedError::Write(ErrorKind::WriteZero)),
            Ok(n) => bytes = bytes.get(n..).unwrap_or(&[]),
            Err(e) => return Err(ChunkedError::Write(e.kind())),
        }
    }
    Ok(())
}

/// Adapts an `embedded_io::Write` to `fmt::Write`, keeping the first I/O error.
struct LineWriter<'w, W: Write> {
    w: &'w mut W,
    err: Option<ChunkedError>,
}

impl<W: Write> fmt::Write for LineWriter<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_all(self.w, s.as_bytes()).map_err(|e| {
            self.err = Some(e);
            fmt::Error
        })
    }
}

/// Counts the bytes written through it.
struct CountWriter(usize);

impl fmt::Write for CountWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}
