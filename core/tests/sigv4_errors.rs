//! Bad input to the signer: every case is a typed error naming what and where, never a panic, and
//! secrets never show in `Debug` output.

use aws_session_core::limits::{
    MAX_AUTHORIZATION_LEN, MAX_QUERY_LEN, MAX_QUERY_PARAMS, MAX_SIGNER_HEADERS, MAX_TRAILERS,
    MAX_URI_PATH_LEN, MIN_AWS_CHUNK_LEN,
};
use aws_session_core::secret::{SecretKey, SessionToken};
use aws_session_core::sigv4::{
    sign, AwsChunkedEncoder, ChunkSigner, ChunkedError, CredentialScope, SignableBody,
    SignableRequest, Signer, SigningCredentials, SigningError, SigningKey, SigningOutput,
    SigningParams, SigningSettings, MAX_CHUNK_HEADER_LEN, MAX_SIGNED_FINISH_LEN,
};
use aws_session_core::text::Field;
use aws_session_core::time::{TimeError, UnixTime};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtoken+/=";

fn secret() -> SecretKey {
    SecretKey::new(SECRET, Field::SecretAccessKey).unwrap()
}

fn params<'a>(secret: &'a SecretKey, token: Option<&'a SessionToken>) -> SigningParams<'a> {
    SigningParams {
        credentials: SigningCredentials {
            access_key_id: "AKIDEXAMPLE",
            secret,
            session_token: token,
        },
        region: "us-east-1",
        service: "service",
        time: UnixTime::from_secs(1_440_938_160),
        settings: SigningSettings::standard(),
    }
}

fn sign_with(req: &SignableRequest<'_>, p: &SigningParams<'_>) -> Result<String, SigningError> {
    let mut out = SigningOutput::new();
    sign(req, p, &mut out).map(|s| s.signature().to_owned())
}

const HOST: (&str, &str) = ("Host", "example.amazonaws.com");

#[test]
fn header_names_and_values_with_control_characters() {
    let s = secret();
    let p = params(&s, None);
    for (headers, expect) in [
        (
            vec![HOST, ("X-Bad", "a\nb")],
            SigningError::InvalidHeaderValue { index: 1 },
        ),
        (
            vec![HOST, ("X-Bad", "a\rb")],
            SigningError::InvalidHeaderValue { index: 1 },
        ),
        (
            vec![("X-Nul", "\0"), HOST],
            SigningError::InvalidHeaderValue { index: 0 },
        ),
        (
            vec![HOST, ("X-Del", "\x7f")],
            SigningError::InvalidHeaderValue { index: 1 },
        ),
        (
            vec![HOST, ("Bad Name", "v")],
            SigningError::InvalidHeaderName { index: 1 },
        ),
        (
            vec![HOST, ("", "v")],
            SigningError::InvalidHeaderName { index: 1 },
        ),
        (
            vec![HOST, ("X:Colon", "v")],
            SigningError::InvalidHeaderName { index: 1 },
        ),
        (
            vec![HOST, ("X-Ünï", "v")],
            SigningError::InvalidHeaderName { index: 1 },
        ),
        (vec![("X-Only", "v")], SigningError::MissingHost),
    ] {
        let req = SignableRequest::new("GET", "/", "", &headers, SignableBody::Bytes(b""));
        assert_eq!(sign_with(&req, &p), Err(expect));
    }
    // A tab inside a value is fine; non-ASCII text in a value is signed as is.
    let ok = [HOST, ("X-Tab", "a\tb"), ("X-Text", "café")];
    assert!(sign_with(
        &SignableRequest::new("GET", "/", "", &ok, SignableBody::Bytes(b"")),
        &p
    )
    .is_ok());
}

#[test]
fn too_many_headers_and_parameters_and_too_long_paths() {
    let s = secret();
    let p = params(&s, None);
    let names: Vec<String> = (0..=MAX_SIGNER_HEADERS)
        .map(|i| format!("X-H{i}"))
        .collect();
    let mut headers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    headers[0] = HOST;
    let req = SignableRequest::new("GET", "/", "", &headers, SignableBody::Bytes(b""));
    assert_eq!(
        sign_with(&req, &p),
        Err(SigningError::TooManyHeaders {
            limit: MAX_SIGNER_HEADERS
        })
    );
    assert!(sign_with(
        &SignableRequest::new(
            "GET",
            "/",
            "",
            &headers[..MAX_SIGNER_HEADERS],
            SignableBody::Bytes(b"")
        ),
        &p
    )
    .is_ok());

    let query: Vec<String> = (0..=MAX_QUERY_PARAMS).map(|i| format!("p{i}=v")).collect();
    let query = query.join("&");
    let req = SignableRequest::new("GET", "/", &query, &[HOST], SignableBody::Bytes(b""));
    assert_eq!(
        sign_with(&req, &p),
        Err(SigningError::TooManyQueryParams {
            limit: MAX_QUERY_PARAMS
        })
    );

    let long_query = "a".repeat(MAX_QUERY_LEN + 1);
    let req = SignableRequest::new("GET", "/", &long_query, &[HOST], SignableBody::Bytes(b""));
    assert_eq!(
        sign_with(&req, &p),
        Err(SigningError::QueryTooLong {
            len: MAX_QUERY_LEN + 1,
            limit: MAX_QUERY_LEN
        })
    );

    let long_path = format!("/{}", "a".repeat(MAX_URI_PATH_LEN));
    let req = SignableRequest::new("GET", &long_path, "", &[HOST], SignableBody::Bytes(b""));
    assert_eq!(
        sign_with(&req, &p),
        Err(SigningError::PathTooLong {
            len: MAX_URI_PATH_LEN + 1,
            limit: MAX_URI_PATH_LEN
        })
    );
    let req = SignableRequest::new("GET", "relative", "", &[HOST], SignableBody::Bytes(b""));
    assert_eq!(sign_with(&req, &p), Err(SigningError::InvalidPath));
    let req = SignableRequest::new("GE T", "/", "", &[HOST], SignableBody::Bytes(b""));
    assert_eq!(sign_with(&req, &p), Err(SigningError::InvalidMethod));

    // Many long signed header names overflow the Authorization capacity.
    let names: Vec<String> = (0..MAX_SIGNER_HEADERS - 1)
        .map(|i| format!("X-Amz-Meta-{i:0>30}"))
        .collect();
    let mut headers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    headers.push(HOST);
    let req = SignableRequest::new("GET", "/", "", &headers, SignableBody::Bytes(b""));
    let err = sign_with(&req, &p);
    assert_eq!(
        err,
        Err(SigningError::AuthorizationTooLong {
            limit: MAX_AUTHORIZATION_LEN
        })
    );
    // The message fits presigning too, where there is no Authorization header.
    let text = err.unwrap_err().to_string();
    assert!(
        text.contains("MAX_AUTHORIZATION_LEN") && text.contains("X-Amz-SignedHeaders"),
        "{text}"
    );
}

#[test]
fn invalid_query_escapes_and_utf8() {
    let s = secret();
    let p = params(&s, None);
    for (query, offset) in [
        ("a=%FF", 0),
        ("ok=1&b=%E1%88", 5),
        ("x=%zz", 0),
        ("ok&y=%4", 3),
        ("%C0%AF=1", 0),
    ] {
        let req = SignableRequest::new("GET", "/", query, &[HOST], SignableBody::Bytes(b""));
        assert_eq!(
            sign_with(&req, &p),
            Err(SigningError::InvalidQueryParam { offset }),
            "{query}"
        );
    }
    // Decoded UTF-8 and a leading '?' are fine.
    let req = SignableRequest::new(
        "GET",
        "/",
        "?%E1%88%B4=%E1%88%B4",
        &[HOST],
        SignableBody::Bytes(b""),
    );
    assert!(sign_with(&req, &p).is_ok());
}

#[test]
fn empty_or_bad_credentials_region_service_and_time() {
    let s = secret();
    let empty = SecretKey::empty();
    let req = SignableRequest::new("GET", "/", "", &[HOST], SignableBody::Bytes(b""));
    let mut p = params(&s, None);
    p.credentials.access_key_id = "";
    assert_eq!(sign_with(&req, &p), Err(SigningError::InvalidAccessKeyId));
    p.credentials.access_key_id = "AKID/EVIL";
    assert_eq!(sign_with(&req, &p), Err(SigningError::InvalidAccessKeyId));
    let p = params(&empty, None);
    assert_eq!(sign_with(&req, &p), Err(SigningError::EmptySecretKey));
    let bad_token = SessionToken::new("tok\nen", Field::SessionToken).unwrap();
    assert_eq!(
        sign_with(&req, &params(&s, Some(&bad_token))),
        Err(SigningError::InvalidSessionToken)
    );
    let mut p = params(&s, None);
    p.region = "";
    assert_eq!(sign_with(&req, &p), Err(SigningError::InvalidRegion));
    p.region = "us-east-1/../x";
    assert_eq!(sign_with(&req, &p), Err(SigningError::InvalidRegion));
    let mut p = params(&s, None);
    p.service = "s e";
    assert_eq!(sign_with(&req, &p), Err(SigningError::InvalidService));
    let mut p = params(&s, None);
    p.time = UnixTime::from_secs(u64::MAX);
    assert_eq!(
        sign_with(&req, &p),
        Err(SigningError::Time(TimeError::OutOfRange))
    );
    let p = params(&s, None);
    let req = SignableRequest::new(
        "GET",
        "/",
        "",
        &[HOST],
        SignableBody::Precomputed("not-a-hash"),
    );
    assert_eq!(sign_with(&req, &p), Err(SigningError::InvalidPayloadHash));
}

#[test]
fn presign_limits() {
    let s = secret();
    let req = SignableRequest::new("GET", "/", "", &[HOST], SignableBody::Unsigned);
    for secs in [0, 604_801, u32::MAX] {
        let mut p = params(&s, None);
        p.settings = p.settings.presigned(secs);
        assert_eq!(
            sign_with(&req, &p),
            Err(SigningError::InvalidExpiry { secs })
        );
    }
    let mut p = params(&s, None);
    p.settings = SigningSettings::s3().presigned(60);
    let streaming = SignableRequest::new("PUT", "/k", "", &[HOST], SignableBody::StreamingSigned);
    assert_eq!(
        sign_with(&streaming, &p),
        Err(SigningError::StreamingNotPresignable)
    );
}

#[test]
fn a_failed_signature_leaves_the_output_empty() {
    let s = secret();
    let p = params(&s, None);
    let mut out = SigningOutput::new();
    let good = SignableRequest::new("GET", "/", "", &[HOST], SignableBody::Bytes(b""));
    assert!(sign(&good, &p, &mut out).is_ok());
    let bad = SignableRequest::new("GET", "/", "", &[("X", "\n")], SignableBody::Bytes(b""));
    assert!(sign(&bad, &p, &mut out).is_err());
    assert!(format!("{out:?}").contains(r#"signature: """#), "{out:?}");
}

#[test]
fn secrets_never_show_in_debug() {
    let s = secret();
    let token = SessionToken::new(TOKEN, Field::SessionToken).unwrap();
    let p = params(&s, Some(&token));
    let headers = [HOST, ("X-Amz-Security-Token", TOKEN)];
    let req = SignableRequest::new("GET", "/", "", &headers, SignableBody::Bytes(b""));
    let mut signer: Signer = Signer::new();
    let mut out = SigningOutput::new();
    let signed = signer.sign(&req, &p, &mut out).unwrap();
    let key = signer.signing_key(&p, "20150830");
    for shown in [
        format!("{p:?}"),
        format!("{req:?}"),
        format!("{signed:?}"),
        format!("{:?}", signed.headers()),
        format!("{:?}", signed.query_params()),
        format!("{signer:?}"),
        format!("{key:?}"),
    ] {
        assert!(!shown.contains("EXAMPLEtoken"), "{shown}");
        assert!(!shown.contains("EXAMPLEKEY"), "{shown}");
    }
    // The token does go where it must: the header to send.
    assert!(signed
        .headers()
        .any(|(n, v)| n == "X-Amz-Security-Token" && v == TOKEN));
}

struct FailingWriter(usize);

impl embedded_io::ErrorType for FailingWriter {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Write for FailingWriter {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        match self.0 {
            0 => Err(embedded_io::ErrorKind::BrokenPipe),
            n => {
                let k = n.min(buf.len());
                self.0 -= k;
                Ok(k)
            }
        }
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

struct ZeroWriter;

impl embedded_io::ErrorType for ZeroWriter {
    type Error = core::convert::Infallible;
}

impl embedded_io::Write for ZeroWriter {
    fn write(&mut self, _: &[u8]) -> Result<usize, Self::Error> {
        Ok(0)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

struct FailingReader;

impl embedded_io::ErrorType for FailingReader {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Read for FailingReader {
    fn read(&mut self, _: &mut [u8]) -> Result<usize, Self::Error> {
        Err(embedded_io::ErrorKind::TimedOut)
    }
}

fn chunk_signer(s: &SecretKey) -> ChunkSigner<'static> {
    let time = UnixTime::from_secs(1_440_938_160).amz_datetime().unwrap();
    let scope = CredentialScope::new(time, "us-east-1", "s3").unwrap();
    ChunkSigner::new(
        SigningKey::derive(s, "20150830", "us-east-1", "s3"),
        scope,
        &"0".repeat(64),
    )
    .unwrap()
}

#[test]
fn chunked_encoder_errors() {
    let s = secret();
    assert!(matches!(
        ChunkSigner::new(
            SigningKey::derive(&s, "20150830", "us-east-1", "s3"),
            CredentialScope::new(
                UnixTime::from_secs(1_440_938_160).amz_datetime().unwrap(),
                "us-east-1",
                "s3"
            )
            .unwrap(),
            "short"
        ),
        Err(SigningError::InvalidPayloadHash)
    ));
    let mut small = [0u8; MIN_AWS_CHUNK_LEN - 1];
    let mut enc = AwsChunkedEncoder::signed(chunk_signer(&s), false);
    let mut data: &[u8] = b"abc";
    assert_eq!(
        enc.encode(&mut data, &mut FailingWriter(100), &mut small, |_| ()),
        Err(ChunkedError::BufferTooSmall {
            len: MIN_AWS_CHUNK_LEN - 1
        })
    );
    let mut buf = vec![0u8; MIN_AWS_CHUNK_LEN];
    assert_eq!(
        enc.encode(
            &mut FailingReader,
            &mut FailingWriter(100),
            &mut buf,
            |_| ()
        ),
        Err(ChunkedError::Read(embedded_io::ErrorKind::TimedOut))
    );
    let mut data: &[u8] = b"abc";
    assert_eq!(
        enc.encode(&mut data, &mut FailingWriter(10), &mut buf, |_| ()),
        Err(ChunkedError::Write(embedded_io::ErrorKind::BrokenPipe))
    );
    assert_eq!(
        enc.write_chunk(&mut ZeroWriter, b"x"),
        Err(ChunkedError::Write(embedded_io::ErrorKind::WriteZero))
    );
    assert_eq!(
        enc.finish(
            &mut FailingWriter(1000),
            &[("x-amz-checksum-crc32", "AAAAAA==")]
        ),
        Err(ChunkedError::TrailerMismatch)
    );

    let mut enc = AwsChunkedEncoder::signed(chunk_signer(&s), true);
    let many: Vec<(&str, &str)> = (0..=MAX_TRAILERS).map(|_| ("x-t", "v")).collect();
    assert_eq!(
        enc.finish(&mut FailingWriter(1000), &many),
        Err(ChunkedError::TooManyTrailers {
            limit: MAX_TRAILERS
        })
    );
    assert_eq!(
        enc.finish(&mut FailingWriter(1000), &[("ok", "v"), ("bad name", "v")]),
        Err(ChunkedError::InvalidTrailer { index: 1 })
    );
    assert_eq!(
        enc.finish(&mut FailingWriter(1000), &[("ok", "v\r\n")]),
        Err(ChunkedError::InvalidTrailer { index: 0 })
    );
    assert_eq!(
        enc.finish(
            &mut FailingWriter(1000),
            &[("x-amz-checksum-crc32", "AAAAAA==")]
        ),
        Ok(())
    );
    assert_eq!(
        enc.finish(&mut FailingWriter(1000), &[]),
        Err(ChunkedError::Finished)
    );
    assert_eq!(
        enc.write_chunk(&mut FailingWriter(1000), b"late"),
        Err(ChunkedError::Finished)
    );
}

/// A chunk's header line from `chunk_header`, then its data and CRLF, is what `write_chunk`
/// writes for the same chunk; an empty chunk has no header; a finished body refuses more.
#[test]
fn chunk_headers_frame_chunks_as_write_chunk_does() {
    let s = secret();
    let (mut whole, mut parts) = (
        AwsChunkedEncoder::signed(chunk_signer(&s), false),
        AwsChunkedEncoder::signed(chunk_signer(&s), false),
    );
    let mut header = [0u8; MAX_CHUNK_HEADER_LEN];
    for data in [&b"first chunk"[..], &[7u8; 70_000][..]] {
        let mut out = vec![0u8; data.len() + MAX_CHUNK_HEADER_LEN + 2];
        let left = {
            let mut w: &mut [u8] = &mut out;
            whole.write_chunk(&mut w, data).unwrap();
            w.len()
        };
        let expected = &out[..out.len() - left];
        let n = parts.chunk_header(data, &mut header).unwrap();
        let framed = [&header[..n], data, b"\r\n"].concat();
        assert_eq!(framed, expected);
    }
    assert_eq!(parts.chunk_header(b"", &mut header), Ok(0));
    let mut tail = [0u8; MAX_SIGNED_FINISH_LEN];
    let mut w: &mut [u8] = &mut tail;
    assert_eq!(parts.finish(&mut w, &[]), Ok(()));
    assert_eq!(
        parts.chunk_header(b"late", &mut header),
        Err(ChunkedError::Finished)
    );
}

/// SigV4a: bad region sets, empty credentials, a full `Authorization`, bad chunk seeds — typed
/// errors; the request's own `x-amz-region-set` / `X-Amz-Region-Set` never override the signer's.
#[test]
fn sigv4a_bad_input() {
    use aws_session_core::limits::MAX_REGION_SET_LEN;
    use aws_session_core::sigv4::SigningKeyV4a;
    let s = secret();
    let mut p = params(&s, None);
    p.settings = SigningSettings::standard().sigv4a();
    let req = SignableRequest::new("GET", "/", "", &[HOST], SignableBody::Bytes(b""));
    let long = "a".repeat(MAX_REGION_SET_LEN + 1);
    for bad in ["", "us east", "us-east-1;eu-west-1", "é", long.as_str()] {
        let q = SigningParams { region: bad, ..p };
        assert_eq!(
            sign_with(&req, &q),
            Err(SigningError::InvalidRegionSet),
            "{bad:?}"
        );
    }
    for good in ["*", "us-*", "us-east-1,eu-west-1"] {
        let q = SigningParams { region: good, ..p };
        assert!(sign_with(&req, &q).is_ok(), "{good}");
    }
    let empty = SecretKey::empty();
    let q = params(&empty, None);
    let q = SigningParams {
        settings: p.settings,
        ..q
    };
    assert_eq!(sign_with(&req, &q), Err(SigningError::EmptySecretKey));
    let q = SigningParams {
        credentials: SigningCredentials {
            access_key_id: "",
            ..p.credentials
        },
        ..p
    };
    assert_eq!(sign_with(&req, &q), Err(SigningError::InvalidAccessKeyId));

    // The signer owns the region set: a request's own header or presigned parameter is replaced.
    let headers = [HOST, ("X-Amz-Region-Set", "eu-*")];
    let with_own = SignableRequest::new("GET", "/", "", &headers, SignableBody::Bytes(b""));
    let creq = aws_session_core::sigv4::CanonicalRequest::new(&with_own, &p)
        .unwrap()
        .to_string();
    assert!(
        creq.contains("x-amz-region-set:us-east-1\n") && !creq.contains("eu-*"),
        "{creq}"
    );
    let presigned = SigningParams {
        settings: p.settings.presigned(60),
        ..p
    };
    let own_param = SignableRequest::new(
        "GET",
        "/",
        "X-Amz-Region-Set=eu-%2A&a=b",
        &[HOST],
        SignableBody::Unsigned,
    );
    let creq = aws_session_core::sigv4::CanonicalRequest::new(&own_param, &presigned)
        .unwrap()
        .to_string();
    assert!(
        creq.contains("&X-Amz-Region-Set=us-east-1&") && !creq.contains("eu-"),
        "{creq}"
    );

    // The Authorization must leave room for 144 signature digits: 20 names of 38 characters
    // make a SigV4 value of 966 bytes, and the SigV4a one would need 1059.
    let names: Vec<String> = (0..20).map(|i| format!("X-Amz-Meta-{i:0>27}")).collect();
    let mut many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    many.push(HOST);
    let req = SignableRequest::new("GET", "/", "", &many, SignableBody::Bytes(b""));
    let v4 = SigningParams {
        settings: SigningSettings::standard(),
        ..p
    };
    assert!(sign_with(&req, &v4).is_ok(), "fits with 64 digits");
    assert_eq!(
        sign_with(&req, &p),
        Err(SigningError::AuthorizationTooLong {
            limit: MAX_AUTHORIZATION_LEN
        })
    );

    // A chunk signer needs a hex seed of at most 144 digits.
    let key = SigningKeyV4a::derive("AKIDEXAMPLE", &s).unwrap();
    let scope =
        CredentialScope::new_v4a(UnixTime::from_secs(0).amz_datetime().unwrap(), "s3").unwrap();
    for seed in ["", "xyz", &"a".repeat(146)] {
        assert_eq!(
            ChunkSigner::new_v4a(key.clone(), scope, seed).err(),
            Some(SigningError::InvalidPayloadHash),
            "{seed}"
        );
    }
    assert!(!format!("{key:?}").contains(SECRET));
}
