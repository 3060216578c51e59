//! Properties of the signer on arbitrary input (proptest): it never panics, every refusal is a
//! typed error, and what it accepts canonicalizes to a fixed point — the canonical path and query
//! it writes, fed back in, come out unchanged.

use aws_session_core::secret::{SecretKey, SessionToken};
use aws_session_core::sigv4::conformance::parse_request;
use aws_session_core::sigv4::{
    encoded_len, sign, AwsChunkedEncoder, CanonicalRequest, ChunkedMode, SessionTokenMode,
    SignableBody, SignableRequest, SigningCredentials, SigningError, SigningOutput, SigningParams,
    SigningSettings, UriEncoding,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;
use proptest::prelude::*;

/// Text that is mostly URL-ish but reaches control characters, escapes and multi-byte UTF-8.
fn texty() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(vec!['a', 'Z', '0', '-', '_', '.', '~', '/', '=', '&', '%', '+', ' ', '?']),
            2 => prop::sample::select(vec!['\t', '\n', '\r', '\0', '\x7f', 'é', 'ሴ', '😀', ';', ',', ':']),
            1 => any::<char>(),
        ],
        0..40,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// Mostly valid header names (any case), sometimes anything.
fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        16 => "[A-Za-z][A-Za-z0-9!#$&'*+.^_`|~-]{0,12}",
        2 => Just("Host".to_owned()),
        2 => Just("x-amz-date".to_owned()),
        1 => texty(),
    ]
}

/// Mostly printable header values (with runs of spaces and tabs), sometimes anything.
fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![16 => "[ -~\t]{0,24}", 3 => "[ -~\u{80}-\u{10ffff}]{0,8}", 1 => texty()]
}

/// A hex SHA-256 most of the time, sometimes something else.
fn hexish() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[0-9a-fA-F]{64}",
        1 => prop::collection::vec(prop::sample::select(vec!['0', '9', 'a', 'f', 'A', 'x']), 0..66)
            .prop_map(|v| v.into_iter().collect()),
    ]
}

#[derive(Debug, Clone)]
struct Input {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    host: Option<String>,
    body: Vec<u8>,
    body_kind: u8,
    hash: String,
    double: bool,
    normalize: bool,
    sha_header: bool,
    presign: Option<u32>,
    token: Option<String>,
    after: bool,
    region: String,
    service: String,
    time: u64,
    v4a: bool,
}

fn input() -> impl Strategy<Value = Input> {
    (
        (
            prop_oneof![
                19 => prop::sample::select(vec!["GET", "PUT", "POST", "HEAD", "DELETE"]),
                1 => prop::sample::select(vec!["G ET", "", "GET\n"]),
            ]
            .prop_map(String::from),
            texty(),
            texty(),
        ),
        prop::collection::vec((header_name(), header_value()), 0..6),
        (
            prop::option::weighted(0.9, header_value()),
            prop::collection::vec(any::<u8>(), 0..64),
            prop_oneof![4 => Just(0u8), 1 => Just(1u8), 2 => Just(2u8), 1 => 3u8..6],
            hexish(),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            prop_oneof![12 => Just(None), 6 => (1u32..=604_800).prop_map(Some), 1 => any::<u32>().prop_map(Some)],
        ),
        (
            prop_oneof![12 => Just(None), 6 => "[A-Za-z0-9+/=]{1,40}".prop_map(Some), 1 => texty().prop_map(Some)],
            any::<bool>(),
        ),
        (
            prop_oneof![19 => Just("us-east-1".to_owned()), 1 => texty()],
            prop_oneof![9 => Just("s3".to_owned()), 9 => Just("service".to_owned()), 1 => texty()],
        ),
        (prop_oneof![19 => Just(1_440_938_160u64), 1 => any::<u64>()], prop::bool::weighted(0.1)),
    )
        .prop_map(
            |((method, path, query), headers, (host, body, body_kind, hash), (double, normalize, sha_header, presign), (token, after), (region, service), (time, v4a))| Input {
                method,
                path: if path.starts_with('/') { path } else { format!("/{path}") },
                query,
                headers,
                host,
                body,
                body_kind,
                hash,
                double,
                normalize,
                sha_header,
                presign,
                token,
                after,
                region,
                service,
                time,
                v4a,
            },
        )
}

fn settings(i: &Input) -> SigningSettings {
    let mut s = SigningSettings::standard();
    s.uri_encoding = if i.double {
        UriEncoding::Double
    } else {
        UriEncoding::Single
    };
    s.normalize_path = i.normalize;
    s.content_sha256_header = i.sha_header;
    if i.after {
        s.session_token = SessionTokenMode::AfterSigning;
    }
    if let Some(secs) = i.presign {
        s = s.presigned(secs);
    }
    if i.v4a {
        s = s.sigv4a();
    }
    s
}

fn body(i: &Input) -> SignableBody<'_> {
    match i.body_kind {
        0 => SignableBody::Bytes(&i.body),
        1 => SignableBody::Precomputed(&i.hash),
        2 => SignableBody::Unsigned,
        3 => SignableBody::StreamingSigned,
        4 => SignableBody::StreamingSignedWithTrailer,
        _ => SignableBody::StreamingUnsignedWithTrailer,
    }
}

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
