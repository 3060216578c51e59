//! Against s3s-fs, a strict S3 server that checks header signatures, payload hashes, presigned
//! URLs (with expiry) and every aws-chunked chunk signature (see `src/lib.rs`).

use aws_session_core::http::{HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::platform::Transport;
use aws_session_core::secret::SecretKey;
use aws_session_core::sigv4::{
    encoded_len, AwsChunkedEncoder, ChunkedMode, SignableBody, SignableRequest, Signer,
    SigningCredentials, SigningOutput, SigningParams, SigningSettings,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;
use aws_session_std::transport::{HttpsConfig, HttpsTransport};
use aws_session_tests::{aws_session, err, ok, out, peer, unique, Peer};

const WRONG_SECRET: &str = "wrongSecretKey0000000000000000000000000000";

fn s3s() -> Peer {
    peer("S3S")
}

fn object_url(p: &Peer, key: &str) -> String {
    format!("{}/{}/{key}", p.endpoint, p.bucket)
}

/// GET with a plain client: no signing, no credentials; returns status and body.
fn plain_get(url: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.get(url).call().expect("plain GET");
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().expect("body"))
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn put_then_get_object() {
    let p = s3s();
    // A key that needs percent-encoding: the URL path is taken as already encoded.
    let url = object_url(&p, &format!("{}/with%20space.txt", unique("dir")));
    let content = "s3s-fs checks the payload hash too\n";
    assert_eq!(
        ok(&aws_session(
            &p,
            &p.secret,
            &[
                "curl",
                "--fail",
                "--service",
                "s3",
                "-X",
                "PUT",
                "--data",
                content,
                &url
            ]
        )),
        ""
    );
    assert_eq!(
        ok(&aws_session(
            &p,
            &p.secret,
            &["curl", "--fail", "--service", "s3", &url]
        )),
        content
    );

    let o = aws_session(
        &p,
        WRONG_SECRET,
        &["curl", "--fail", "--service", "s3", &url],
    );
    assert_eq!(o.status.code(), Some(22), "{}", err(&o));
    assert!(err(&o).contains("SignatureDoesNotMatch"), "{}", err(&o));
    let o = aws_session(&p, WRONG_SECRET, &["curl", "--service", "s3", &url]);
    assert!(out(&o).contains("SignatureDoesNotMatch"), "{}", out(&o));
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn presigned_get_works_with_a_plain_client() {
    let p = s3s();
    let url = object_url(&p, &format!("{}.txt", unique("presigned")));
    let content = "fetched through a presigned URL";
    ok(&aws_session(
        &p,
        &p.secret,
        &[
            "curl",
            "--fail",
            "--service",
            "s3",
            "-X",
            "PUT",
            "--data",
            content,
            &url,
        ],
    ));

    let presigned = ok(&aws_session(
        &p,
        &p.secret,
        &["presign", "--service", "s3", "--expires", "300", &url],
    ));
    let presigned = presigned.trim();
    assert!(
        presigned.starts_with(&format!("{url}?X-Amz-Algorithm=AWS4-HMAC-SHA256&")),
        "{presigned}"
    );
    assert!(!presigned.contains(&p.secret));
    assert_eq!(plain_get(presigned), (200, content.to_owned()));

    // Tampering with the signature is refused.
    let sig_at = presigned.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let mut tampered = presigned.to_owned();
    let flipped = if &presigned[sig_at..sig_at + 1] == "0" {
        "1"
    } else {
        "0"
    };
    tampered.replace_range(sig_at..sig_at + 1, flipped);
    let (status, body) = plain_get(&tampered);
    assert_eq!(status, 403, "{body}");

    // A URL signed two hours ago for one minute has expired.
    let old = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 7200;
    let old = UnixTime::from_secs(old).amz_datetime().unwrap();
    let expired = ok(&aws_session(
        &p,
        &p.secret,
        &[
            "presign",
            "--service",
            "s3",
            "--time",
            old.as_str(),
            "--expires",
            "60",
            &url,
        ],
    ));
    let (status, body) = plain_get(expired.trim());
    assert_eq!(status, 403, "{body}");
}

/// Sends `payload` as an aws-chunked, chunk-signed PutObject through `HttpsTransport`; `corrupt`
/// flips one byte of the second chunk after it was signed. Returns the status and response body,
/// or the transport error (a server that rejects a chunk answers and closes the connection while
/// the rest of the body is still being sent).
fn streaming_put(
    p: &Peer,
    key: &str,
    payload: &[u8],
    chunk_len: usize,
    corrupt: bool,
) -> Result<(u16, String), String> {
    let fail = |e: aws_session_std::TransportError| e.to_string();
    let host = p.endpoint.strip_prefix("http://").expect("http endpoint");
    let target = format!("/{}/{key}", p.bucket);
    let decoded_len = payload.len().to_string();
    let wire_len =
        encoded_len(ChunkedMode::Signed, payload.len() as u64, chunk_len, &[]).to_string();
    let headers = [
        ("Content-Encoding", "aws-chunked"),
        ("Content-Length", wire_len.as_str()),
        ("x-amz-decoded-content-length", decoded_len.as_str()),
    ];
    let secret = SecretKey::new(&p.secret, Field::SecretAccessKey).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let params = SigningParams {
        credentials: SigningCredentials {
            access_key_id: &p.access_key_id,
            secret: &secret,
            session_token: None,
        },
        region: &p.region,
        service: "s3",
        time: UnixTime::from_secs(now),
        settings: SigningSettings::s3(),
    };
    let signable =
        SignableRequest::new("PUT", &target, "", &headers, SignableBody::StreamingSigned)
            .with_host(host);
    let mut signer: Signer = Signer::new();
    let mut output = SigningOutput::new();
    let seed = signer
        .sign(&signable, &params, &mut output)
        .expect("seed signature");
    let mut request = HttpRequest::new(Method::Put, Scheme::Http, host, &target).unwrap();
    for (name, value) in headers.iter().copied().chain(seed.headers()) {
        request.headers_mut().append(name, value).unwrap();
    }
    let chunk_signer = signer.chunk_signer(&params, &seed).expect("chunk signer");
    let mut encoder = AwsChunkedEncoder::signed(chunk_signer, false);

    let mut transport = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    transport.begin(&request).expect("begin");
    let mut frame = Vec::new();
    for (i, chunk) in payload.chunks(chunk_len).enumerate() {
        frame.clear();
        encoder.write_chunk(&mut frame, chunk).expect("chunk");
        if corrupt && i == 1 {
            let last_data = frame.len() - 3;
            frame[last_data] ^= 0x01;
        }
        transport.write_body(&frame).map_err(fail)?;
    }
    frame.clear();
    encoder.finish(&mut frame, &[]).expect("final chunk");
    transport.write_body(&frame).map_err(fail)?;
    let mut head = ResponseHead::new();
    transport.finish(&mut head).map_err(fail)?;
    let mut body = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = transport.read_body(&mut buf).map_err(fail)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Ok((head.status(), String::from_utf8_lossy(&body).into_owned()))
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn aws_chunked_streaming_put_object() {
    let p = s3s();
    let key = format!("{}.bin", unique("streamed"));
    // Three full 64 KiB chunks and a partial one.
    let payload: Vec<u8> = (0..(3 * 65536 + 1234)).map(|i| (i % 251) as u8).collect();
    let (status, body) = streaming_put(&p, &key, &payload, 65536, false).expect("streamed upload");
    assert_eq!(status, 200, "{body}");

    // Read it back with the CLI and compare byte for byte.
    let o = aws_session(
        &p,
        &p.secret,
        &["curl", "--fail", "--service", "s3", &object_url(&p, &key)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(o.stdout, payload);

    // A chunk changed after signing is refused (s3s-fs checks every chunk signature): the server
    // answers with an error, or closes the connection mid-body, and stores nothing.
    let corrupt_key = format!("{key}.corrupt");
    match streaming_put(&p, &corrupt_key, &payload, 65536, true) {
        Ok((status, body)) => assert!(
            status >= 400,
            "a corrupted chunk was accepted: {status} {body}"
        ),
        Err(e) => assert!(e.contains("connection reset") || e.contains("pipe"), "{e}"),
    }
    let o = aws_session(
        &p,
        &p.secret,
        &[
            "curl",
            "--fail",
            "--service",
            "s3",
            &object_url(&p, &corrupt_key),
        ],
    );
    assert_eq!(o.status.code(), Some(22), "the corrupted object was stored");
    assert!(
        err(&o).contains("404") && err(&o).contains("NoSuchKey"),
        "{}",
        err(&o)
    );
}
