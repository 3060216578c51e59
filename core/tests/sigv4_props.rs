//! Properties of the signer on arbitrary input (proptest): it never panics, every refusal is a
//! typed error, and what it accepts canonicalizes to a fixed point — the canonical path and query
//! it writes, fed back in, come out unchanged.

mod sigv4_support;

use sigv4_support::strategies::{body, input, settings};

use aws_session_core::secret::{SecretKey, SessionToken};
use aws_session_core::sigv4::conformance::parse_request;
use aws_session_core::sigv4::{
    encoded_len, sign, AwsChunkedEncoder, CanonicalRequest, ChunkedMode, SignableBody,
    SignableRequest, SigningCredentials, SigningError, SigningOutput, SigningParams,
    SigningSettings,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;
use proptest::prelude::*;

/// An `embedded_io::Write` into a `Vec`.
struct Sink(Vec<u8>);

impl embedded_io::ErrorType for Sink {
    type Error = core::convert::Infallible;
}

impl embedded_io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Splits a written canonical request into its path and query lines.
fn path_and_query(creq: &str) -> (&str, &str) {
    let mut lines = creq.split('\n');
    lines.next();
    (lines.next().unwrap(), lines.next().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, .. ProptestConfig::default() })]

    #[test]
    fn signing_never_panics_and_canonical_forms_are_fixed_points(i in input()) {
        let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Field::SecretAccessKey).unwrap();
        let token = i.token.as_deref().and_then(|t| SessionToken::new(t, Field::SessionToken).ok());
        let params = SigningParams {
            credentials: SigningCredentials { access_key_id: "AKIDEXAMPLE", secret: &secret, session_token: token.as_ref() },
            region: &i.region,
            service: &i.service,
            time: UnixTime::from_secs(i.time),
            settings: settings(&i),
        };
        let headers: Vec<(&str, &str)> = i.headers.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let mut req = SignableRequest::new(&i.method, &i.path, &i.query, &headers, body(&i));
        if let Some(h) = &i.host {
            req = req.with_host(h);
        }
        let mut out = SigningOutput::new();
        let signed = sign(&req, &params, &mut out);
        let creq = CanonicalRequest::new(&req, &params);
        prop_assert_eq!(signed.is_ok(), creq.is_ok());
        if let (Ok(signed), Ok(creq)) = (signed, creq) {
            // 64 hex digits, or a DER ECDSA signature (SigV4a): 8 to 72 bytes.
            let len = signed.signature().len();
            let len_ok = if i.v4a { (16..=144).contains(&len) && len % 2 == 0 } else { len == 64 };
            prop_assert!(len_ok, "signature of {} digits", len);
            prop_assert!(signed.signature().bytes().all(|b| b.is_ascii_hexdigit()));
            let text = creq.to_string();
            // Fixed point: the canonical path and query, signed again with single encoding and
            // no normalization (they are already canonical), come out unchanged.
            let (path, query) = path_and_query(&text);
            let again_headers = [("host", "h")];
            let again = SignableRequest::new("GET", path, query, &again_headers, SignableBody::Unsigned);
            let again_params = SigningParams { settings: SigningSettings::s3(), ..params };
            // Encoding can lengthen the text past a limit (or presigning add parameters past
            // the count): only a capacity error may refuse the canonical form.
            let canon2 = match CanonicalRequest::new(&again, &again_params) {
                Ok(c) => c.to_string(),
                Err(SigningError::TooManyQueryParams { .. } | SigningError::QueryTooLong { .. } | SigningError::PathTooLong { .. }) => {
                    return Ok(());
                }
                Err(e) => return Err(TestCaseError::fail(format!("canonical form refused: {e:?}"))),
            };
            let (path2, query2) = path_and_query(&canon2);
            prop_assert_eq!(path2, path);
            prop_assert_eq!(query2, query);
            // The signed-header list appears in the canonical request and the Authorization.
            prop_assert!(text.contains(signed.signed_headers()));
            if let Some(a) = signed.authorization() {
                prop_assert!(a.ends_with(signed.signature()));
            }
            let mut url = String::new();
            signed.write_url(&mut url, "https://h/p").unwrap();
        }
    }

    #[test]
    fn request_parser_never_panics(text in "\\PC{0,200}", extra in prop::collection::vec(any::<char>(), 0..40)) {
        let text: String = text.chars().chain(extra).collect();
        let mut scratch = [0u8; 64];
        let _ = parse_request(&text, &mut scratch);
    }

    #[test]
    fn time_parsers_never_panic(s in "\\PC{0,40}") {
        let _ = UnixTime::parse_amz(&s);
        let _ = UnixTime::parse_rfc3339(&s);
        let _ = UnixTime::parse_http_date(&s);
    }

    #[test]
    fn encoded_len_matches_the_unsigned_encoder(len in 0usize..5000, chunk in 1usize..700, trailer in prop::option::of("[a-z]{1,8}")) {
        let payload = vec![7u8; len];
        let trailers: Vec<(&str, &str)> = trailer.as_deref().map(|v| vec![("x-amz-checksum-crc32", v)]).unwrap_or_default();
        let mut out = Sink(Vec::new());
        let mut enc = AwsChunkedEncoder::unsigned();
        for piece in payload.chunks(chunk) {
            enc.write_chunk(&mut out, piece).unwrap();
        }
        enc.finish(&mut out, &trailers).unwrap();
        prop_assert_eq!(out.0.len() as u64, encoded_len(ChunkedMode::UnsignedWithTrailer, len as u64, chunk, &trailers));
    }
}
