//! S3 signing (`s3-sigv4-streaming-presign/`): the S3 header-auth examples, presigned URLs (AWS
//! docs, smithy-rs S3 and Polly cases), signing-key derivation, aws-chunked streaming (seed and
//! three chunk signatures), the trailer variant, aws-c-auth's trailing-headers vector, aws-c-auth's
//! SigV4a chunked vectors and the unsigned aws-chunked framing. Each stage the vectors give is
//! compared.

mod common;
mod sigv4_support;

use std::path::Path;

use aws_session_core::secret::{SecretBytes32, SecretKey, SessionToken};
use aws_session_core::sigv4::{
    derive_signing_key, encoded_len, encoded_len_v4a, AwsChunkedEncoder, CanonicalRequest,
    ChunkSigner, ChunkedMode, CredentialScope, SignableBody, SignableRequest, Signer,
    SigningCredentials, SigningKey, SigningKeyV4a, SigningOutput, SigningParams, SigningSettings,
    StringToSign,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;
use serde_json::Value;
use sigv4_support::{hex, sha256_hex, verifies_v4a, verifying_key};

const DIR: &str = "s3-sigv4-streaming-presign";

fn load(dir: &Path, file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

struct Creds {
    id: String,
    secret: SecretKey,
    token: Option<SessionToken>,
}

fn creds(v: &Value) -> Creds {
    Creds {
        id: s(&v["access_key_id"]).to_owned(),
        secret: SecretKey::new(s(&v["secret_access_key"]), Field::SecretAccessKey).unwrap(),
        token: v["session_token"]
            .as_str()
            .map(|t| SessionToken::new(t, Field::SessionToken).unwrap()),
    }
}

fn params<'a>(
    c: &'a Creds,
    region: &'a str,
    service: &'a str,
    time: &str,
    settings: SigningSettings,
) -> SigningParams<'a> {
    SigningParams {
        credentials: SigningCredentials {
            access_key_id: &c.id,
            secret: &c.secret,
            session_token: c.token.as_ref(),
        },
        region,
        service,
        time: UnixTime::parse_amz(time).unwrap(),
        settings,
    }
}

fn headers_of(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (s(&p[0]).to_owned(), s(&p[1]).to_owned()))
        .filter(|(_, v)| v != "<computed>")
        .collect()
}

/// `(name, value)` pairs borrowed from owned ones.
fn borrowed(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

/// The request a vector's `request` object describes, with `headers` and `body`.
fn request_of<'a>(
    req: &'a Value,
    headers: &'a [(&'a str, &'a str)],
    body: SignableBody<'a>,
) -> SignableRequest<'a> {
    SignableRequest::new(
        s(&req["method"]),
        s(&req["path"]),
        s(&req["query"]),
        headers,
        body,
    )
}

/// Canonical request and string to sign of a prepared request, checked against the vector.
fn check_stages(creq: &CanonicalRequest<'_>, expected: &Value, what: &str) {
    let text = creq.to_string();
    assert_eq!(
        text,
        s(&expected["canonical_request"]),
        "{what}: canonical request"
    );
    let hash = sha256_hex(text.as_bytes());
    let sts = StringToSign::for_request(creq.scope(), &hash).to_string();
    assert_eq!(
        sts,
        s(&expected["string_to_sign"]),
        "{what}: string to sign"
    );
}

#[test]
fn s3_header_auth_examples() {
    let Some(dir) = common::testdata(DIR) else {
        return;
    };
    let suite = load(&dir, "s3-header-auth-examples.json");
    let c = creds(&suite["credentials"]);
    let mut n = 0;
    for t in suite["tests"].as_array().unwrap() {
        let name = s(&t["name"]);
        let req = &t["request"];
        let (path, query) = s(&req["raw_path_and_query"])
            .split_once('?')
            .unwrap_or((s(&req["raw_path_and_query"]), ""));
        let owned = headers_of(&req["headers"]);
        let headers: Vec<(&str, &str)> = borrowed(&owned);
        let body = s(&req["body"]).as_bytes();
        let p = params(
            &c,
            s(&suite["region"]),
            s(&suite["service"]),
            s(&suite["timestamp"]),
            SigningSettings::s3(),
        );
        let request = SignableRequest::new(
            s(&req["method"]),
            path,
            query,
            &headers,
            SignableBody::Bytes(body),
        );
        check_stages(
            &CanonicalRequest::new(&request, &p).unwrap(),
            &t["expected"],
            name,
        );
        let mut out = SigningOutput::new();
        let signed = aws_session_core::sigv4::sign(&request, &p, &mut out).unwrap();
        assert_eq!(signed.signature(), s(&t["expected"]["signature"]), "{name}");
        assert_eq!(
            signed.signed_headers(),
            s(&t["expected"]["signed_headers"]),
            "{name}"
        );
        // The docs print the header with bare commas; SDKs (and we) write ", ".
        assert_eq!(
            signed.authorization().unwrap().replace(", ", ","),
            s(&t["expected"]["authorization"]),
            "{name}"
        );
        // x-amz-content-sha256 is the body hash, signed and returned as a header to add.
        let sha = signed
            .headers()
            .find(|(n, _)| *n == "x-amz-content-sha256")
            .unwrap()
            .1;
        assert_eq!(sha.as_bytes(), &sha256_hex(body)[..], "{name}");
        // Caller-supplied hash: the same signature.
        let precomputed = SignableRequest::new(
            s(&req["method"]),
            path,
            query,
            &headers,
            SignableBody::Precomputed(sha),
        );
        let mut out2 = SigningOutput::new();
        let again = aws_session_core::sigv4::sign(&precomputed, &p, &mut out2).unwrap();
        assert_eq!(
            again.signature(),
            s(&t["expected"]["signature"]),
            "{name} (precomputed hash)"
        );
        n += 1;
    }
    assert_eq!(n, 4);
}

/// Percent-encodes a query component for building the request's own query string.
fn enc(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[test]
fn presigned_url_examples() {
    let Some(dir) = common::testdata(DIR) else {
        return;
    };
    let suite = load(&dir, "sigv4-presign-examples.json");
    let mut n = 0;
    for t in suite["tests"].as_array().unwrap() {
        let name = s(&t["name"]);
        let c = creds(&t["credentials"]);
        let req = &t["request"];
        let expected = &t["expected"];
        // The request's own URL (scheme, host, path, own query), in the expected URL's order.
        let (host, path, query, base_url) = if let Some(url) = req["url"].as_str() {
            let rest = url.strip_prefix("https://").unwrap();
            let (host, path) = rest.split_at(rest.find('/').unwrap());
            (
                host.to_owned(),
                path.to_owned(),
                String::new(),
                url.to_owned(),
            )
        } else {
            let host = s(&req["host"]).to_owned();
            let path = s(&req["path"]).to_owned();
            let query = match expected["url"].as_str() {
                Some(url) => {
                    let before = &url[..url.find("X-Amz-Algorithm").unwrap() - 1];
                    before
                        .split_once('?')
                        .map(|(_, q)| q.to_owned())
                        .unwrap_or_default()
                }
                None => {
                    let mut q: Vec<String> = req["operation_query_params"]
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| format!("{}={}", enc(k), enc(s(v))))
                        .collect();
                    if name.contains("'test'") {
                        q.push("test".into());
                    }
                    q.join("&")
                }
            };
            let base = if query.is_empty() {
                format!("https://{host}{path}")
            } else {
                format!("https://{host}{path}?{query}")
            };
            (host, path, query, base)
        };
        let owned = match req.get("signed_headers") {
            Some(h) => headers_of(h),
            None => headers_of(&req["headers"]),
        };
        let mut headers: Vec<(&str, &str)> = borrowed(&owned);
        if !owned.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            headers.push(("host", host.as_str()));
        }
        let body = match s(&t["settings"]["payload_hash"]) {
            "UNSIGNED-PAYLOAD" => SignableBody::Unsigned,
            hash => SignableBody::Precomputed(hash),
        };
        let service = s(&t["service"]);
        let settings = SigningSettings::for_service(service)
            .presigned(t["expires_in"].as_u64().unwrap() as u32);
        let p = params(&c, s(&t["region"]), service, s(&t["timestamp"]), settings);
        let request = SignableRequest::new(s(&req["method"]), &path, &query, &headers, body);
        check_stages(
            &CanonicalRequest::new(&request, &p).unwrap(),
            expected,
            name,
        );

        let mut signer: Signer = Signer::new();
        let mut out = SigningOutput::new();
        let signed = signer.sign(&request, &p, &mut out).unwrap();
        assert_eq!(signed.signature(), s(&expected["signature"]), "{name}");
        assert!(
            signed.headers().next().is_none(),
            "{name}: a presigned request adds no headers"
        );
        if let Some(url) = expected["url"].as_str() {
            let mut ours = String::new();
            signed.write_url(&mut ours, &base_url).unwrap();
            assert_eq!(ours, url, "{name}: URL");
        }
        n += 1;
    }
    assert_eq!(n, 9);
}

#[test]
fn signing_key_derivation_vectors() {
    let Some(dir) = common::testdata(DIR) else {
        return;
    };
    let suite = load(&dir, "signing-key-derivation.json");
    let vectors = suite["sigv4_hmac"].as_array().unwrap();
    for v in vectors {
        let secret = SecretKey::new(s(&v["secret_access_key"]), Field::SecretAccessKey).unwrap();
        let k = derive_signing_key(&secret, s(&v["date"]), s(&v["region"]), s(&v["service"]));
        assert_eq!(hex(k.expose()), s(&v["kSigning"]));
        // A key rebuilt from its bytes signs like the derived one.
        let a = SigningKey::from_bytes(&k).sign_bytes(b"x");
        let b = SigningKey::derive(&secret, s(&v["date"]), s(&v["region"]), s(&v["service"]))
            .sign_bytes(b"x");
        assert_eq!(a, b);
    }
    assert_eq!(vectors.len(), 3);
    let _ = SecretBytes32::new([0; 32]);

    // SigV4a: the P-256 key from the counter-mode KDF. The private scalar is never exposed; the
    // public key it yields pins it (d is the only scalar in [1, n-1] with d*G = that point).
    let v4a = suite["sigv4a_ecdsa_p256"]["vectors"].as_array().unwrap();
    for v in v4a {
        let secret = SecretKey::new(s(&v["secret_access_key"]), Field::SecretAccessKey).unwrap();
        let key = SigningKeyV4a::derive(s(&v["access_key_id"]), &secret).unwrap();
        let (x, y) = key.public_key();
        assert_eq!(hex(&x), s(&v["public_key_x"]));
        assert_eq!(hex(&y), s(&v["public_key_y"]));
    }
    assert_eq!(v4a.len(), 2);
}

/// An `embedded_io::Write` into a `Vec` that records where each `write_chunk`/`finish` frame ends.
struct Sink(Vec<u8>);

impl embedded_io::ErrorType for Sink {
    type Error = core::convert::Infallible;
}

impl embedded_io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        // Accept at most 1000 bytes per call, to exercise partial writes.
        let n = buf.len().min(1000);
        self.0.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Renders a frame description from the vectors ("<65536 x 'a'>") into bytes.
fn frame_bytes(desc: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = desc;
    while let Some(start) = rest.find('<') {
        out.extend_from_slice(&rest.as_bytes()[..start]);
        let end = rest[start..].find('>').unwrap() + start;
        let inner = &rest[start + 1..end];
        let (count, byte) = inner.split_once(" x '").unwrap();
        out.extend(core::iter::repeat_n(
            byte.as_bytes()[0],
            count.parse().unwrap(),
        ));
        rest = &rest[end + 1..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

fn streaming_case(file: &str, with_trailer: bool) {
    let Some(dir) = common::testdata(DIR) else {
        return;
    };
    let v = load(&dir, file);
    let c = creds(&v["credentials"]);
    let req = &v["request"];
    let expected = &v["expected"];
    let owned = headers_of(&req["headers"]);
    let headers: Vec<(&str, &str)> = borrowed(&owned);
    let body = if with_trailer {
        SignableBody::StreamingSignedWithTrailer
    } else {
        SignableBody::StreamingSigned
    };
    let p = params(
        &c,
        s(&v["region"]),
        s(&v["service"]),
        s(&v["timestamp"]),
        SigningSettings::s3(),
    );
    let request = request_of(req, &headers, body);
    check_stages(
        &CanonicalRequest::new(&request, &p).unwrap(),
        expected,
        file,
    );

    let mut signer: Signer = Signer::new();
    let mut out = SigningOutput::new();
    let seed = signer.sign(&request, &p, &mut out).unwrap();
    assert_eq!(seed.signature(), s(&expected["seed_signature"]));
    assert_eq!(seed.authorization().unwrap(), s(&expected["authorization"]));
    let sha = seed
        .headers()
        .find(|(n, _)| *n == "x-amz-content-sha256")
        .unwrap()
        .1;
    assert_eq!(
        sha,
        if with_trailer {
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
        } else {
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
        }
    );

    // Stage by stage: each chunk's string to sign and signature.
    let payload_len = req["payload"]["length"].as_u64().unwrap() as usize;
    let chunk_len = req["chunk_size"].as_u64().unwrap() as usize;
    let payload = vec![b'a'; payload_len];
    let mut chunk_signer = signer.chunk_signer(&p, &seed).unwrap();
    let chunks = expected["chunks"].as_array().unwrap();
    let mut pieces: Vec<&[u8]> = payload.chunks(chunk_len).collect();
    pieces.push(&[]);
    assert_eq!(pieces.len(), chunks.len());
    for (piece, chunk) in pieces.iter().zip(chunks) {
        assert_eq!(chunk_signer.previous(), s(&chunk["previous_signature"]));
        let hash = sha256_hex(piece);
        assert_eq!(&hash[..], s(&chunk["data_sha256"]).as_bytes());
        assert_eq!(
            chunk_signer.chunk_string_to_sign(&hash).to_string(),
            s(&chunk["string_to_sign"])
        );
        assert_eq!(
            chunk_signer.sign_chunk(piece).unwrap(),
            s(&chunk["signature"])
        );
    }
    assert_eq!(
        chunk_signer.previous(),
        s(&chunks.last().unwrap()["signature"])
    );

    // The whole body through embedded-io, chunk by chunk.
    let trailers: Vec<(String, String)> = req.get("trailers").map(headers_of).unwrap_or_default();
    let trailers: Vec<(&str, &str)> = borrowed(&trailers);
    let mut encoder =
        AwsChunkedEncoder::signed(signer.chunk_signer(&p, &seed).unwrap(), with_trailer);
    let mut sink = Sink(Vec::new());
    let mut reader: &[u8] = &payload;
    let mut buf = vec![0u8; chunk_len];
    let mut seen = 0usize;
    let read = encoder
        .encode(&mut reader, &mut sink, &mut buf, |c| seen += c.len())
        .unwrap();
    assert_eq!((read as usize, seen), (payload_len, payload_len));
    encoder.finish(&mut sink, &trailers).unwrap();
    let mode = if with_trailer {
        ChunkedMode::SignedWithTrailer
    } else {
        ChunkedMode::Signed
    };
    let total = encoded_len(mode, payload_len as u64, chunk_len, &trailers);
    assert_eq!(sink.0.len() as u64, total);
    if let Some(frames) = expected["frames"].as_array() {
        let want: Vec<u8> = frames.iter().flat_map(|f| frame_bytes(s(f))).collect();
        assert!(
            sink.0 == want,
            "encoded body differs from the expected frames"
        );
        assert_eq!(
            total,
            expected["encoded_body_length_computed"].as_u64().unwrap()
        );
        let trailer = &expected["trailer"];
        let mut canonical = String::new();
        ChunkSigner::write_canonical_trailers(&mut canonical, &trailers).unwrap();
        assert_eq!(canonical, s(&trailer["canonical_trailer_headers"]));
        assert_eq!(
            hex(&sigv4_support::sha256(canonical.as_bytes())),
            s(&trailer["canonical_trailer_headers_sha256"])
        );
        assert_eq!(
            encoder.signer().unwrap().previous(),
            s(&trailer["signature"])
        );
    } else {
        assert_eq!(
            total,
            expected["encoded_body"]["total_length"].as_u64().unwrap()
        );
        // Frame by frame: header lines carry the chunk signatures.
        let mut at = 0;
        for chunk in chunks {
            let header = s(&chunk["encoded_chunk_header"]).as_bytes();
            assert_eq!(&sink.0[at..at + header.len()], header);
            at += header.len() + chunk["data"]["length"].as_u64().unwrap() as usize + 2;
        }
        assert!(sink.0.ends_with(b"\r\n\r\n"));
    }
}

#[test]
fn streaming_put_object_seed_and_chunk_signatures() {
    streaming_case("sigv4-streaming-put-object.json", false);
}

#[test]
fn streaming_put_object_with_checksum_trailer() {
    streaming_case("sigv4-streaming-put-object-with-trailer.json", true);
}

/// aws-c-auth's SigV4a chunked vectors: the S3 streaming example signed with SigV4a, with and
/// without trailers. Canonical requests and the fixed parts of every chunk and trailer string
/// to sign are compared; the (randomized) signatures are verified with the vector's public key,
/// and their wire form is padded with `*` to 144 characters.
fn sigv4a_streaming_case(with_trailer: bool) {
    let Some(dir) = common::testdata(DIR) else {
        return;
    };
    let v = load(&dir, "aws-c-auth-sigv4a-streaming.json");
    // The same request and payload as the SigV4 example.
    let base = load(&dir, "sigv4-streaming-put-object.json");
    let c = creds(&v["credentials"]);
    let public = &v["verification_public_key"];
    let key = verifying_key(s(&public["x"]), s(&public["y"])).unwrap();

    let req = &base["request"];
    let mut owned = headers_of(&req["headers"]);
    let trailer_list: Vec<(String, String)> = headers_of(&v["trailing_headers"]);
    let names: Vec<&str> = trailer_list.iter().map(|(n, _)| n.as_str()).collect();
    let (body, mode, expected_creq) = if with_trailer {
        owned.push(("x-amz-trailer".into(), names.join(",")));
        (
            SignableBody::StreamingSignedWithTrailer,
            ChunkedMode::SignedWithTrailer,
            s(&v["expected_trailing_canonical_request"]),
        )
    } else {
        (
            SignableBody::StreamingSigned,
            ChunkedMode::Signed,
            s(&v["expected_canonical_request"]),
        )
    };
    let headers: Vec<(&str, &str)> = borrowed(&owned);
    let p = params(
        &c,
        "us-east-1",
        s(&base["service"]),
        s(&base["timestamp"]),
        SigningSettings::s3().sigv4a(),
    );
    let request = request_of(req, &headers, body);
    let creq = CanonicalRequest::new(&request, &p).unwrap();
    assert_eq!(creq.to_string(), expected_creq);

    let mut signer: Signer = Signer::new();
    let mut out = SigningOutput::new();
    let seed = signer.sign(&request, &p, &mut out).unwrap();
    let hash = sha256_hex(expected_creq.as_bytes());
    let seed_sts = StringToSign::for_request(creq.scope(), &hash).to_string();
    assert!(verifies_v4a(&key, &seed_sts, seed.signature()), "seed");
    assert!(seed
        .headers()
        .any(|h| h == ("X-Amz-Region-Set", "us-east-1")));

    let payload_len = req["payload"]["length"].as_u64().unwrap() as usize;
    let chunk_len = req["chunk_size"].as_u64().unwrap() as usize;
    let payload = vec![b'a'; payload_len];
    let prefix = s(&v["chunk_string_to_sign_prefix"]);
    let suffixes = v["chunk_string_to_sign_suffixes"].as_array().unwrap();
    let mut pieces: Vec<&[u8]> = payload.chunks(chunk_len).collect();
    pieces.push(&[]);
    assert_eq!(pieces.len(), suffixes.len());
    let mut cs = signer.chunk_signer(&p, &seed).unwrap();
    for (piece, suffix) in pieces.iter().zip(suffixes) {
        let previous = cs.previous().to_owned();
        let sts = cs.chunk_string_to_sign(&sha256_hex(piece)).to_string();
        assert_eq!(sts, format!("{prefix}{previous}{}", s(suffix)));
        let wire = cs.sign_chunk(piece).unwrap().to_owned();
        assert_eq!(wire.len(), 144, "chunk signatures are padded to 144");
        let hex = wire.trim_end_matches('*');
        assert_eq!(cs.previous(), hex, "the chain continues unpadded");
        assert!(verifies_v4a(&key, &sts, hex), "chunk signature");
    }
    let trailers: Vec<(&str, &str)> = borrowed(&trailer_list);
    if with_trailer {
        let previous = cs.previous().to_owned();
        let sts = format!(
            "{}{previous}{}",
            s(&v["trailer_string_to_sign_prefix"]),
            s(&v["trailer_string_to_sign_suffix"])
        );
        let wire = cs.sign_trailers(&trailers).unwrap().to_owned();
        assert_eq!(wire.len(), 144);
        assert!(
            verifies_v4a(&key, &sts, wire.trim_end_matches('*')),
            "trailer"
        );
    }

    // The whole body: its length is known before the first signature.
    let trailers = if with_trailer { trailers } else { Vec::new() };
    let mut encoder =
        AwsChunkedEncoder::signed(signer.chunk_signer(&p, &seed).unwrap(), with_trailer);
    let mut sink = Sink(Vec::new());
    let mut buf = vec![0u8; chunk_len];
    encoder
        .encode(&mut &payload[..], &mut sink, &mut buf, |_| {})
        .unwrap();
    encoder.finish(&mut sink, &trailers).unwrap();
    let total = encoded_len_v4a(mode, payload_len as u64, chunk_len, &trailers);
    assert_eq!(sink.0.len() as u64, total);
    assert!(sink.0.starts_with(b"10000;chunk-signature="));
}

#[test]
fn sigv4a_streaming_put_object() {
    sigv4a_streaming_case(false);
}

#[test]
fn sigv4a_streaming_put_object_with_trailers() {
    sigv4a_streaming_case(true);
}

#[test]
fn aws_c_auth_trailing_headers_vector() {
    let Some(dir) = common::testdata(DIR) else {
        return;
    };
    let v = load(&dir, "aws-c-auth-sigv4-trailing-headers.json");
    let c = creds(&v["credentials"]);
    let time = UnixTime::parse_amz(s(&v["timestamp"]))
        .unwrap()
        .amz_datetime()
        .unwrap();
    let scope = CredentialScope::new(time, s(&v["region"]), s(&v["service"])).unwrap();
    let key = SigningKey::derive(&c.secret, scope.date(), scope.region(), scope.service());
    let mut cs = ChunkSigner::new(key, scope, s(&v["previous_signature"])).unwrap();
    let owned = headers_of(&v["trailing_headers"]);
    let trailers: Vec<(&str, &str)> = borrowed(&owned);
    let expected = &v["expected"];
    let mut canonical = String::new();
    ChunkSigner::write_canonical_trailers(&mut canonical, &trailers).unwrap();
    assert_eq!(canonical, s(&expected["canonical_trailer_headers"]));
    let hash = sha256_hex(canonical.as_bytes());
    assert_eq!(
        &hash[..],
        s(&expected["canonical_trailer_headers_sha256"]).as_bytes()
    );
    let prev: [u8; 64] = s(&v["previous_signature"]).as_bytes().try_into().unwrap();
    assert_eq!(
        StringToSign::for_trailer(&scope, &prev, &hash).to_string(),
        s(&expected["string_to_sign"])
    );
    assert_eq!(
        cs.sign_trailers(&trailers).unwrap(),
        s(&expected["signature"])
    );
}

#[test]
fn unsigned_aws_chunked_framing() {
    let Some(dir) = common::testdata(DIR) else {
        return;
    };
    let suite = load(&dir, "aws-chunked-unsigned-framing.json");
    let cases = suite["tests"].as_array().unwrap();
    for t in cases {
        let name = s(&t["name"]);
        let payload = s(&t["payload"]).as_bytes();
        let chunk = t["chunk_size"].as_u64().map_or(64 * 1024, |n| n as usize);
        let owned = headers_of(&t["trailers"]);
        let trailers: Vec<(&str, &str)> = borrowed(&owned);
        let mut enc = AwsChunkedEncoder::unsigned();
        let mut sink = Sink(Vec::new());
        let mut frames = Vec::new();
        for piece in payload.chunks(chunk) {
            let before = sink.0.len();
            enc.write_chunk(&mut sink, piece).unwrap();
            frames.push(String::from_utf8(sink.0[before..].to_vec()).unwrap());
        }
        let before = sink.0.len();
        enc.finish(&mut sink, &trailers).unwrap();
        frames.push(String::from_utf8(sink.0[before..].to_vec()).unwrap());
        assert_eq!(
            String::from_utf8(sink.0.clone()).unwrap(),
            s(&t["expected_body"]),
            "{name}"
        );
        if let Some(expected) = t["expected_frames"].as_array() {
            let expected: Vec<&str> = expected.iter().map(s).collect();
            assert_eq!(frames, expected, "{name}");
        }
        let total = encoded_len(
            ChunkedMode::UnsignedWithTrailer,
            payload.len() as u64,
            chunk,
            &trailers,
        );
        assert_eq!(total, sink.0.len() as u64, "{name}: encoded_len");
    }
    assert_eq!(cases.len(), 6);
}
