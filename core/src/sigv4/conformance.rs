//! no_std conformance helpers: a small parser for the suites' raw `.req` / `request.txt` files and
//! a checker for the classic SigV4 suite, usable on the host and inside firmware test images.
//!
//! [`check_classic_case`] signs one classic-suite case (the original AWS "Signature Version 4 Test
//! Suite": credentials `AKIDEXAMPLE`, scope `20150830/us-east-1/service/aws4_request`, double
//! encoding, normalized paths) and compares each stage with the expected files: canonical
//! request, string to sign, `Authorization`. It allocates nothing and compares while writing, so
//! no stage is ever buffered.

use core::fmt::{self, Write};

use crate::limits::MAX_SIGNER_HEADERS;
use crate::secret::{SecretKey, SessionToken};
use crate::text::Field;
use crate::time::UnixTime;

use super::encoding::hex32;
use super::hash::HashWriter;
use super::{
    CanonicalParts, CanonicalRequest, SignableBody, SignableRequest, Signer, SigningCredentials,
    SigningOutput, SigningParams, SigningSettings, StringToSign,
};

/// Access key id of every SigV4 suite case.
pub const SUITE_ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
/// Secret access key of every SigV4 suite case.
pub const SUITE_SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// Region of every SigV4 suite case.
pub const SUITE_REGION: &str = "us-east-1";
/// Service of every SigV4 suite case.
pub const SUITE_SERVICE: &str = "service";
/// 2015-08-30T12:36:00Z, the signing time of every SigV4 suite case.
pub const SUITE_TIME: UnixTime = UnixTime::from_secs(1_440_938_160);
/// The session token the suites' `get-vanilla-with-session-token` case signs with.
pub const SUITE_SESSION_TOKEN: &str =
    "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";

/// A raw HTTP/1.1 request, parsed without allocation. Folded header lines (a line starting with
/// a space or tab continues the previous value) are joined with one space into caller scratch.
#[derive(Debug, Clone, Copy)]
pub struct ParsedRequest<'a> {
    /// Method.
    pub method: &'a str,
    /// Path (everything before `?` in the request target), as written.
    pub path: &'a str,
    /// Query (after `?`), as written; `""` when absent.
    pub query: &'a str,
    headers: [(&'a str, &'a str); MAX_SIGNER_HEADERS],
    header_count: usize,
    /// Body: everything after the blank line.
    pub body: &'a [u8],
}

impl<'a> ParsedRequest<'a> {
    /// The headers in file order.
    pub fn headers(&self) -> &[(&'a str, &'a str)] {
        self.headers.get(..self.header_count).unwrap_or(&[])
    }

    /// True when a header of this name (any case) is present.
    pub fn has_header(&self, name: &str) -> bool {
        self.headers()
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// The request as the signer takes it, its body signed as bytes.
    pub fn signable(&self) -> SignableRequest<'_> {
        SignableRequest::new(
            self.method,
            self.path,
            self.query,
            self.headers(),
            SignableBody::Bytes(self.body),
        )
    }
}

/// The classic suite's signing parameters (its key id, region, service and time, standard
/// settings) for `secret` and an optional session token.
pub fn suite_params<'a>(
    secret: &'a SecretKey,
    token: Option<&'a SessionToken>,
) -> SigningParams<'a> {
    SigningParams {
        credentials: SigningCredentials {
            access_key_id: SUITE_ACCESS_KEY_ID,
            secret,
            session_token: token,
        },
        region: SUITE_REGION,
        service: SUITE_SERVICE,
        time: SUITE_TIME,
        settings: SigningSettings::standard(),
    }
}

/// Parses a raw request: request line, `Name:value` headers (with folding), blank line, body.
/// Accepts `\n` or `\r\n` line ends and a request target holding spaces (as the classic suite's
/// `get-space` case does).
///
/// # Errors
/// A message naming what is malformed or which capacity (headers, scratch) ran out.
pub fn parse_request<'a>(
    text: &'a str,
    scratch: &'a mut [u8],
) -> Result<ParsedRequest<'a>, &'static str> {
    let (head, body) = match (text.find("\r\n\r\n"), text.find("\n\n")) {
        (Some(a), Some(b)) if b < a => {
            (text.get(..b).unwrap_or(""), text.get(b + 2..).unwrap_or(""))
        }
        (Some(a), _) => (text.get(..a).unwrap_or(""), text.get(a + 4..).unwrap_or("")),
        (None, Some(b)) => (text.get(..b).unwrap_or(""), text.get(b + 2..).unwrap_or("")),
        (None, None) => (text, ""),
    };
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().ok_or("empty request")?;
    let (method, rest) = request_line
        .split_once(' ')
        .ok_or("request line has no target")?;
    let target = match rest.rfind(" HTTP/") {
        Some(i) => rest.get(..i).unwrap_or(""),
        None => rest,
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));

    let mut parsed = ParsedRequest {
        method,
        path,
        query,
        headers: [("", ""); MAX_SIGNER_HEADERS],
        header_count: 0,
        body: body.as_bytes(),
    };
    let is_fold = |l: &&str| l.starts_with([' ', '\t']);
    let mut lines = lines.peekable();
    let mut scratch: &'a mut [u8] = scratch;
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let (name, mut value) = line.split_once(':').ok_or("header line has no ':'")?;
        if lines.peek().is_some_and(is_fold) {
            // Folded value: join the pieces with one space into the front of the scratch.
            let buf = core::mem::take(&mut scratch);
            let mut len = 0;
            let mut append = |piece: &str| -> Result<(), &'static str> {
                let dst = buf
                    .get_mut(len..len + piece.len())
                    .ok_or("scratch too small for a folded header")?;
                dst.copy_from_slice(piece.as_bytes());
                len += piece.len();
                Ok(())
            };
            append(value)?;
            while let Some(more) = lines.next_if(is_fold) {
                append(" ")?;
                append(more.trim_start_matches([' ', '\t']))?;
            }
            let (used, rest) = buf.split_at_mut(len);
            scratch = rest;
            let used: &'a [u8] = used;
            value = core::str::from_utf8(used).map_err(|_| "folded header is not UTF-8")?;
        }
        let slot = parsed
            .headers
            .get_mut(parsed.header_count)
            .ok_or("too many headers")?;
        *slot = (name, value);
        parsed.header_count += 1;
    }
    Ok(parsed)
}

/// Splits a canonical request text (a suite's expected `.creq` / `canonical-request.txt`, or the
/// general signer's output) into [`CanonicalParts`], leaving out the header lines named in
/// `owned_headers` and the query parameters whose key is in `owned_params`: the ones the signer
/// writes itself. Header pairs go into `headers`, the remaining query into `scratch`; the body is
/// the payload mode of the last line ([`payload_body`]).
///
/// # Errors
/// A message naming what is malformed or which capacity (headers, scratch) ran out.
pub fn parse_canonical_request<'a: 'h, 'h>(
    text: &'a str,
    owned_headers: &[&str],
    owned_params: &[&str],
    headers: &'h mut [(&'a str, &'a str)],
    scratch: &'h mut [u8],
) -> Result<CanonicalParts<'h>, &'static str> {
    let text = text.trim_end_matches(['\n', '\r']);
    let mut lines = text.split('\n');
    let mut next = || lines.next().ok_or("canonical request ends early");
    let (method, path, raw_query) = (next()?, next()?, next()?);
    let mut len = 0;
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        if owned_params.contains(&pair.split('=').next().unwrap_or("")) {
            continue;
        }
        for piece in [if len > 0 { "&" } else { "" }, pair] {
            scratch
                .get_mut(len..len + piece.len())
                .ok_or("scratch too small for the query")?
                .copy_from_slice(piece.as_bytes());
            len += piece.len();
        }
    }
    let scratch: &'h [u8] = scratch;
    let query = core::str::from_utf8(scratch.get(..len).unwrap_or(&[]))
        .map_err(|_| "query is not UTF-8")?;
    let mut count = 0;
    loop {
        let line = next()?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').ok_or("header line has no ':'")?;
        if !owned_headers.contains(&name) {
            *headers.get_mut(count).ok_or("too many headers")? = (name, value);
            count += 1;
        }
    }
    let _signed_headers = next()?;
    let body = payload_body(next()?);
    let headers: &'h [(&'h str, &'h str)] = headers;
    let headers = headers.get(..count).unwrap_or(&[]);
    Ok(CanonicalParts::new(method, path, query, headers, body))
}

/// The payload mode whose payload hash line is `line`: one of the SigV4 (or SigV4a) literals, or
/// else a precomputed hash.
pub fn payload_body(line: &str) -> SignableBody<'_> {
    match line {
        "UNSIGNED-PAYLOAD" => SignableBody::Unsigned,
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" | "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD" => {
            SignableBody::StreamingSigned
        }
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
        | "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER" => {
            SignableBody::StreamingSignedWithTrailer
        }
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER" => SignableBody::StreamingUnsignedWithTrailer,
        hash => SignableBody::Precomputed(hash),
    }
}

/// A `fmt::Write` that compares what is written with an expected text, stopping at the first
/// difference.
#[derive(Debug)]
pub struct ExpectWriter<'e> {
    expected: &'e str,
    pos: usize,
}

impl<'e> ExpectWriter<'e> {
    /// Compares against `expected` (a trailing line end in the file is ignored).
    pub fn new(expected: &'e str) -> Self {
        let expected = expected.strip_suffix('\n').unwrap_or(expected);
        let expected = expected.strip_suffix('\r').unwrap_or(expected);
        ExpectWriter { expected, pos: 0 }
    }

    /// Bytes matched so far (where a difference starts).
    pub fn matched(&self) -> usize {
        self.pos
    }

    /// True when everything was written and matched.
    pub fn is_complete(&self) -> bool {
        self.pos == self.expected.len()
    }
}

impl Write for ExpectWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let rest = self.expected.get(self.pos..).unwrap_or("");
        if rest.starts_with(s) {
            self.pos += s.len();
            Ok(())
        } else {
            // Advance to the first differing byte for the report.
            self.pos += rest
                .bytes()
                .zip(s.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            Err(fmt::Error)
        }
    }
}

/// Writes `f`'s output into an [`ExpectWriter`] and reports whether it matched in full.
pub fn matches(expected: &str, f: impl FnOnce(&mut ExpectWriter<'_>) -> fmt::Result) -> bool {
    let mut w = ExpectWriter::new(expected);
    f(&mut w).is_ok() && w.is_complete()
}

/// Signs one classic-suite case and compares every stage.
///
/// `req` is the `.req` file, `creq`, `sts` and `authz` the expected `.creq`, `.sts` and `.authz`.
/// Cases whose canonical request signs an `x-amz-security-token` that the request itself lacks
/// are signed with [`SUITE_SESSION_TOKEN`] as the credentials' token. The expected canonical
/// request is also signed as [`CanonicalParts`] through [`Signer::sign_canonical`], which must
/// give the same `Authorization`.
///
/// # Errors
/// Which stage differs, or why the case could not be signed.
pub fn check_classic_case(
    req: &str,
    creq: &str,
    sts: &str,
    authz: &str,
) -> Result<(), &'static str> {
    let mut scratch = [0u8; 256];
    let parsed = parse_request(req, &mut scratch)?;
    let secret =
        SecretKey::new(SUITE_SECRET_KEY, Field::SecretAccessKey).map_err(|_| "secret key")?;
    let needs_token =
        creq.contains("\nx-amz-security-token:") && !parsed.has_header("x-amz-security-token");
    if needs_token {
        check_with_token(&parsed, &secret, creq, sts, authz)
    } else {
        check_stages(&parsed, &secret, None, creq, sts, authz)
    }
}

#[inline(never)]
fn check_with_token(
    parsed: &ParsedRequest<'_>,
    secret: &SecretKey,
    creq: &str,
    sts: &str,
    authz: &str,
) -> Result<(), &'static str> {
    let token =
        SessionToken::new(SUITE_SESSION_TOKEN, Field::SessionToken).map_err(|_| "session token")?;
    check_stages(parsed, secret, Some(&token), creq, sts, authz)
}

fn check_stages(
    parsed: &ParsedRequest<'_>,
    secret: &SecretKey,
    token: Option<&SessionToken>,
    creq: &str,
    sts: &str,
    authz: &str,
) -> Result<(), &'static str> {
    let params = suite_params(secret, token);
    let request = parsed.signable();
    let canonical =
        CanonicalRequest::new(&request, &params).map_err(|_| "request could not be signed")?;
    if !matches(creq, |w| canonical.write_to(w)) {
        return Err("canonical request differs");
    }
    let mut hasher = HashWriter::default();
    let _ = canonical.write_to(&mut hasher);
    let creq_hash = hex32(&hasher.finish());
    if !matches(sts, |w| {
        StringToSign::for_request(canonical.scope(), &creq_hash).write_to(w)
    }) {
        return Err("string to sign differs");
    }
    let mut signer: Signer<1> = Signer::new();
    let mut out = SigningOutput::new();
    let signed = signer
        .sign(&request, &params, &mut out)
        .map_err(|_| "request could not be signed")?;
    if !matches(authz, |w| w.write_str(signed.authorization().unwrap_or(""))) {
        return Err("authorization differs");
    }
    // The expected canonical request as canonical parts, less the lines the signer writes.
    let owned: &[&str] = match token {
        Some(_) => &["x-amz-date", "x-amz-security-token"],
        None => &["x-amz-date"],
    };
    let mut headers = [("", ""); MAX_SIGNER_HEADERS];
    let mut query = [0u8; 256];
    let parts = parse_canonical_request(creq, owned, &[], &mut headers, &mut query)?;
    let signed = signer
        .sign_canonical(&parts, &params, &mut out)
        .map_err(|_| "canonical parts could not be signed")?;
    if !matches(authz, |w| w.write_str(signed.authorization().unwrap_or(""))) {
        return Err("authorization from canonical parts differs");
    }
    Ok(())
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    // A case written for this crate (not from a suite): path normalization, query sorting,
    // repeated and padded headers, a JSON body. Expected values computed independently with
    // Python's hashlib/hmac.
    const REQ: &str = "POST /device/./reports//today?b=2&a=1&a=0&sp=x%20y HTTP/1.1\n\
Host:iot.example.com\n\
X-Amz-Date:20150830T123600Z\n\
My-Header:  a   b \n\
my-header:c\n\
Content-Type:application/json\n\
\n\
{\"t\":21}";
    const CREQ: &str = "POST\n/device/reports/today\na=0&a=1&b=2&sp=x%20y\n\
content-type:application/json\nhost:iot.example.com\nmy-header:a b,c\nx-amz-date:20150830T123600Z\n\n\
content-type;host;my-header;x-amz-date\n\
cd191afaf443bb97fb5985d17e182e04130d2bc2c081b1a9cd9f2ed8871b8db9";
    const STS: &str =
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
e75b02f70918516f7be63f55a5f01e2f71eac8693f1328315888bd3dda1b7e3b";
    const AUTHZ: &str =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
SignedHeaders=content-type;host;my-header;x-amz-date, \
Signature=492a6b13e088e1f0d411363f629fc018c60061776e8d6a139efc4b644e4704e3";

    selftests! {
        fn parser_reads_line_target_headers_and_body() {
            let mut scratch = [0u8; 64];
            let text = "GET /a b/c?x=1 HTTP/1.1\r\nHost:h\r\nMulti:one\r\n  two\r\n\tthree\r\nLast:z\r\n\r\nbody";
            let p = parse_request(text, &mut scratch).unwrap();
            assert_eq!((p.method, p.path, p.query), ("GET", "/a b/c", "x=1"));
            assert_eq!(p.headers(), &[("Host", "h"), ("Multi", "one two three"), ("Last", "z")]);
            assert_eq!(p.body, b"body");
            let mut tiny = [0u8; 4];
            assert!(parse_request(text, &mut tiny).is_err());
            let mut scratch = [0u8; 8];
            assert!(parse_request("GET / HTTP/1.1\nNoColon", &mut scratch).is_err());
        }

        fn classic_checker_accepts_an_independent_case() {
            assert_eq!(check_classic_case(REQ, CREQ, STS, AUTHZ), Ok(()));
        }

        fn canonical_request_splits_into_parts() {
            let mut headers = [("", ""); 4];
            let mut scratch = [0u8; 64];
            let text = "GET\n/a\nX-Amz-Date=1&a=1&b=%20\nhost:h\nx-amz-date:t\n\nhost;x-amz-date\nUNSIGNED-PAYLOAD\n";
            let p = parse_canonical_request(text, &["x-amz-date"], &["X-Amz-Date"], &mut headers, &mut scratch).unwrap();
            assert_eq!((p.method, p.path, p.query), ("GET", "/a", "a=1&b=%20"));
            assert_eq!(p.headers, &[("host", "h")]);
            assert_eq!(p.body, SignableBody::Unsigned);
            let mut tiny = [0u8; 2];
            assert!(parse_canonical_request(text, &[], &[], &mut headers, &mut tiny).is_err());
            assert!(parse_canonical_request("GET\n/", &[], &[], &mut headers, &mut scratch).is_err());
            assert_eq!(payload_body("e3b0"), SignableBody::Precomputed("e3b0"));
        }

        fn classic_checker_names_the_stage_that_differs() {
            let bad_creq = CREQ.replace_first_char();
            assert_eq!(check_classic_case(REQ, &bad_creq, STS, AUTHZ), Err("canonical request differs"));
            assert_eq!(check_classic_case(REQ, CREQ, &STS[1..], AUTHZ), Err("string to sign differs"));
            assert_eq!(check_classic_case(REQ, CREQ, STS, &AUTHZ[..AUTHZ.len() - 1]), Err("authorization differs"));
        }

        fn chunk_and_trailer_signatures_chain() {
            // Seed = the independent case's signature; values from Python's hmac.
            let secret = SecretKey::new(SUITE_SECRET_KEY, Field::SecretAccessKey).unwrap();
            let key = super::super::SigningKey::derive(&secret, "20150830", SUITE_REGION, SUITE_SERVICE);
            let scope = super::super::CredentialScope::new(SUITE_TIME.amz_datetime().unwrap(), SUITE_REGION, SUITE_SERVICE).unwrap();
            let mut cs = super::super::ChunkSigner::new(key, scope, &AUTHZ[AUTHZ.len() - 64..]).unwrap();
            assert_eq!(cs.sign_chunk(b"hello chunk").unwrap(), "3fabb660dce8fda48b3ffd742be90177c43b4eb42125f796c5229220f4d05e0f");
            assert_eq!(cs.sign_chunk(b"").unwrap(), "4cbe10df725d187f0853ead7d115091d55d0b9dc87d96b625b5ad62f73f92df3");
            let t = cs.sign_trailers(&[("x-amz-checksum-crc32", "AAAAAA==")]).unwrap();
            assert_eq!(t, "eadc1c91c757d1d6968321df62a71af5a7ee6315cfd0acae86b76e1f710fd5d7");
        }
    }

    /// A fixed-size copy of a text with its first character changed (no allocation).
    trait ReplaceFirst {
        fn replace_first_char(&self) -> crate::text::Text<512>;
    }

    impl ReplaceFirst for str {
        fn replace_first_char(&self) -> crate::text::Text<512> {
            let mut t = crate::text::Text::<512>::new();
            t.push('X').unwrap();
            t.push_str(&self[1..]).unwrap();
            t
        }
    }
}
