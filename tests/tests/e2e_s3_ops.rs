//! Core's typed S3 operations (`aws_session_core::ops::s3`) end to end against s3s-fs, a strict
//! S3 server that checks every signature and payload hash: each request is prepared by core,
//! sent through a session client on the std platform, and its answer read by core; presigned
//! URLs are used by a plain HTTP client.

use aws_session_core::client::Client;
use aws_session_core::credentials::Credentials;
use aws_session_core::handlers::{Request, RequestError, ResponseBodyReader};
use aws_session_core::http::{Method, ResponseHead};
use aws_session_core::ops::s3::{self, ByteRange, S3Error};
use aws_session_core::time::UnixTime;
use aws_session_std::StdPlatform;
use aws_session_tests::{aws_session, err, ok, peer, peer_session as session, unique, Peer};

/// Sends `r` through `client`, the answer going into `buf` when there is one.
fn send<'a>(
    client: &Client<'_>,
    r: &mut Request<'a>,
    buf: Option<&'a mut [u8]>,
) -> Result<(), RequestError> {
    if let Some(buf) = buf {
        r.set_response_buffer(buf);
    }
    let mut platform = StdPlatform::new(client.session()).unwrap();
    client.send(r, &mut platform)
}

/// The peer's keys and the time now.
fn keys_now(p: &Peer) -> (Credentials, UnixTime) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let creds = Credentials::new(&p.access_key_id, &p.secret, None).unwrap();
    (creds, UnixTime::from_secs(now.as_secs()))
}

/// Uploads `length` bytes of `body` as `key` with `put_object_streaming` over a new platform,
/// in chunks of `chunk_len`; returns the outcome and the answer's head.
#[allow(clippy::too_many_arguments)]
fn stream_put<R: embedded_io::Read>(
    c: &Client<'_>,
    creds: &Credentials,
    now: UnixTime,
    bucket: &str,
    key: &str,
    body: &mut R,
    length: u64,
    chunk_len: usize,
) -> (Result<u64, S3Error>, ResponseHead) {
    let mut chunk = vec![0u8; chunk_len];
    let mut platform = StdPlatform::new(c.session()).unwrap();
    let mut head = ResponseHead::new();
    let object = s3::StreamedObject {
        bucket,
        key,
        body,
        length,
    };
    let result = s3::put_object_streaming(
        c,
        creds,
        now,
        object,
        &mut chunk,
        &mut platform.transport,
        &mut head,
    );
    (result, head)
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn put_head_get_range_and_delete() {
    let p = peer("S3S");
    let loaded = session(&p);
    let c = loaded.session().client(s3::SERVICE).unwrap();
    // A key that needs percent-encoding, signed as sent.
    let key = format!("{}/a b+c~é.txt", unique("ops"));
    let content: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();

    let mut r = s3::put_object(&c, &p.bucket, &key, &content).unwrap();
    let mut buf = vec![0u8; 4096];
    send(&c, &mut r, Some(&mut buf)).expect("PutObject");
    let etag = s3::parse_put_object(&r.response).unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.len() > 2, "{etag}");

    let mut r = s3::head_object(&c, &p.bucket, &key).unwrap();
    send(&c, &mut r, None).expect("HeadObject");
    let head = s3::parse_head_object(&r.response).unwrap();
    assert_eq!(head.content_length, Some(content.len() as u64));
    assert_eq!(head.etag, Some(etag.as_str()));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let modified = head.last_modified.expect("Last-Modified").secs();
    assert!(now.abs_diff(modified) < 300, "{modified} vs {now}");

    // The whole object into the response buffer.
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = s3::get_object(&c, &p.bucket, &key, None).unwrap();
    send(&c, &mut r, Some(&mut buf)).expect("GetObject");
    assert_eq!(s3::parse_get_object(&r.response).unwrap().status, 200);
    assert_eq!(r.response_body(), &content[..]);

    // A range.
    let mut buf = vec![0u8; 64];
    let range = ByteRange {
        first: 100,
        last: Some(109),
    };
    let mut r = s3::get_object(&c, &p.bucket, &key, Some(range)).unwrap();
    send(&c, &mut r, Some(&mut buf)).expect("ranged GetObject");
    let head = s3::parse_get_object(&r.response).unwrap();
    assert_eq!((head.status, head.content_length), (206, Some(10)));
    assert_eq!(head.content_range, Some("bytes 100-109/10000"));
    assert_eq!(r.response_body(), &content[100..110]);

    // Streamed to a writer, without a response buffer, in 1 KiB pieces.
    let mut r = s3::get_object(&c, &p.bucket, &key, None).unwrap();
    let mut platform = StdPlatform::new(c.session()).unwrap();
    c.send(&mut r, &mut platform).expect("streamed GetObject");
    let length = s3::parse_get_object(&r.response).unwrap().content_length;
    let mut sink: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 1024];
    let mut reader = ResponseBodyReader::new(&mut platform.transport);
    let copied = s3::copy_body(&mut reader, &mut sink, &mut chunk, length).unwrap();
    assert_eq!((copied, sink), (content.len() as u64, content.clone()));

    let mut r = s3::delete_object(&c, &p.bucket, &key).unwrap();
    send(&c, &mut r, None).expect("DeleteObject");
    s3::parse_delete_object(&r.response).unwrap();

    // Gone: HEAD is a typed not-found; GET decodes S3's error document.
    let mut r = s3::head_object(&c, &p.bucket, &key).unwrap();
    let result = send(&c, &mut r, None);
    assert!(result.is_err(), "{result:?}");
    assert_eq!(s3::parse_head_object(&r.response), Err(S3Error::NotFound));
    let mut buf = vec![0u8; 4096];
    let mut r = s3::get_object(&c, &p.bucket, &key, None).unwrap();
    let result = send(&c, &mut r, Some(&mut buf));
    assert!(
        matches!(&result, Err(RequestError::Service { status: 404, code }) if code.as_str() == "NoSuchKey"),
        "{result:?}"
    );
    assert_eq!(s3::parse_get_object(&r.response), Err(S3Error::NotFound));
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn list_objects_v2_pages_one_key_at_a_time() {
    let p = peer("S3S");
    let loaded = session(&p);
    let c = loaded.session().client(s3::SERVICE).unwrap();
    let prefix = format!("{}/", unique("list"));
    let mut stored = Vec::new();
    for (i, name) in ["a.txt", "b c.txt", "d/e.txt"].iter().enumerate() {
        let key = format!("{prefix}{name}");
        let body = vec![b'x'; i * 10 + 1];
        let mut r = s3::put_object(&c, &p.bucket, &key, &body).unwrap();
        send(&c, &mut r, None).expect("PutObject");
        let etag = s3::parse_put_object(&r.response).unwrap().to_owned();
        stored.push((key, body.len() as u64, etag));
    }

    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let params = s3::ListObjectsV2 {
            prefix: Some(&prefix),
            continuation_token: token.as_deref(),
            max_keys: Some(1),
        };
        let mut buf = vec![0u8; 16 * 1024];
        let mut r = s3::list_objects_v2(&c, &p.bucket, &params).unwrap();
        send(&c, &mut r, Some(&mut buf)).expect("ListObjectsV2");
        let page = s3::parse_list_objects_v2(r.response_body()).unwrap();
        pages += 1;
        assert!(page.len() <= 1, "max-keys 1 gave {}", page.len());
        for o in page.objects() {
            let etag = o.etag.map(|e| e.to_string()).unwrap_or_default();
            listed.push((o.key.to_string(), o.size, etag));
        }
        if !page.is_truncated {
            break;
        }
        token = Some(page.next_continuation_token.unwrap().to_string());
        assert!(pages < 10, "paging does not end");
    }
    // s3s-fs 0.14 lists no ETag; when a server sends one it must be the stored object's.
    assert_eq!(listed.len(), stored.len(), "{listed:?}");
    for ((key, size, etag), (stored_key, stored_size, stored_etag)) in listed.iter().zip(&stored) {
        assert_eq!((key, size), (stored_key, stored_size));
        assert!(
            etag.is_empty() || etag == stored_etag,
            "{etag} vs {stored_etag}"
        );
    }
    assert!(pages >= 3, "{pages} pages");
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn presigned_put_and_get_through_a_plain_client() {
    let p = peer("S3S");
    let loaded = session(&p);
    let c = loaded.session().client(s3::SERVICE).unwrap();
    let (creds, now) = keys_now(&p);
    let key = format!("{}/pre signed.txt", unique("presign"));
    let content = b"uploaded and fetched through presigned URLs";
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();

    let mut out = vec![0u8; 2048];
    let put_url = s3::presign_object(&c, &creds, Method::Put, &p.bucket, &key, now, 300, &mut out)
        .unwrap()
        .to_owned();
    assert!(!put_url.contains(&p.secret));
    let response = agent
        .put(&put_url)
        .send(&content[..])
        .expect("presigned PUT");
    assert_eq!(response.status().as_u16(), 200);

    let get_url = s3::presign_object(&c, &creds, Method::Get, &p.bucket, &key, now, 300, &mut out)
        .unwrap()
        .to_owned();
    let mut response = agent.get(&get_url).call().expect("presigned GET");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.body_mut().read_to_vec().unwrap(), content);

    // The PUT URL does not allow a GET, and an expired URL is refused.
    let response = agent.get(&put_url).call().expect("GET with the PUT URL");
    assert_eq!(response.status().as_u16(), 403);
    let old = UnixTime::from_secs(now.secs() - 7200);
    let expired = s3::presign_object(&c, &creds, Method::Get, &p.bucket, &key, old, 60, &mut out)
        .unwrap()
        .to_owned();
    let response = agent.get(&expired).call().expect("expired GET");
    assert_eq!(response.status().as_u16(), 403);
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn streamed_put_signs_every_chunk() {
    let p = peer("S3S");
    let loaded = session(&p);
    let c = loaded.session().client(s3::SERVICE).unwrap();
    let (creds, now) = keys_now(&p);
    let key = format!("{}/streamed.bin", unique("stream"));
    // Three full 64 KiB chunks and a partial one, read from an embedded-io reader.
    let payload: Vec<u8> = (0..(3 * 65536 + 1234)).map(|i| (i % 251) as u8).collect();
    let len = payload.len() as u64;
    let (sent, head) = stream_put(
        &c,
        &creds,
        now,
        &p.bucket,
        &key,
        &mut &payload[..],
        len,
        65536,
    );
    let sent = sent.expect("streamed PutObject");
    assert_eq!(sent, payload.len() as u64);
    assert_eq!(head.status(), 200, "{head:?}");
    s3::parse_put_object(&head).unwrap();

    let mut buf = vec![0u8; payload.len()];
    let mut r = s3::get_object(&c, &p.bucket, &key, None).unwrap();
    send(&c, &mut r, Some(&mut buf)).expect("GetObject");
    assert!(
        r.response_body() == &payload[..],
        "the object read back differs"
    );

    // Signed with a wrong secret, the upload is refused.
    let wrong = Credentials::new(
        &p.access_key_id,
        "wrongSecretKey0000000000000000000000000000",
        None,
    )
    .unwrap();
    let bad_key = format!("{key}.bad");
    let (result, head) = stream_put(
        &c,
        &wrong,
        now,
        &p.bucket,
        &bad_key,
        &mut &payload[..],
        len,
        65536,
    );
    assert!(
        result.is_err() || head.status() == 403,
        "{result:?} {head:?}"
    );
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn aws_session_call_s3() {
    let p = peer("S3S");
    let key = format!("{}/called.txt", unique("call"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("object");
    std::fs::write(&file, b"0123456789 via aws-session call").unwrap();
    let call = |args: &[&str]| {
        let bucket = format!("Bucket={}", p.bucket);
        let key = format!("Key={key}");
        let mut all = vec![
            "call",
            "--endpoint-url",
            &p.endpoint,
            "s3",
            args[0],
            "--param",
            &bucket,
            "--param",
            &key,
        ];
        all.extend_from_slice(&args[1..]);
        aws_session(&p, &p.secret, &all)
    };
    let put = ok(&call(&["PutObject", "--body-file", file.to_str().unwrap()]));
    assert!(put.starts_with("ETag: \""), "{put}");
    let head = ok(&call(&["HeadObject"]));
    assert!(head.contains("ContentLength: 31\n"), "{head}");
    assert_eq!(ok(&call(&["GetObject", "--param", "Range=2-5"])), "2345");
    assert_eq!(ok(&call(&["GetObject"])), "0123456789 via aws-session call");
    let prefix = format!("Prefix={}", key.split('/').next().unwrap());
    let list = ok(&call(&["ListObjectsV2", "--param", &prefix, "--json"]));
    assert!(
        list.contains(&format!("\"Contents.1.Key\":\"{key}\"")),
        "{list}"
    );
    ok(&call(&["DeleteObject"]));
    let gone = call(&["HeadObject"]);
    assert_eq!(gone.status.code(), Some(1), "{}", err(&gone));
    assert!(
        err(&gone).contains("NotFound") && err(&gone).contains("404"),
        "{}",
        err(&gone)
    );
}

/// The payload byte at `offset` of the large-object test: a pattern, never held in memory.
fn pattern(offset: u64) -> u8 {
    (offset % 251) as u8
}

/// `len` bytes of [`pattern`], generated as they are read.
struct Generated {
    at: u64,
    len: u64,
}

impl embedded_io::ErrorType for Generated {
    type Error = core::convert::Infallible;
}

impl embedded_io::Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = (self.len - self.at).min(buf.len() as u64) as usize;
        for b in &mut buf[..n] {
            *b = pattern(self.at);
            self.at += 1;
        }
        Ok(n)
    }
}

/// Checks every byte against [`pattern`] and counts them.
struct Checked {
    at: u64,
}

impl embedded_io::ErrorType for Checked {
    type Error = core::convert::Infallible;
}

impl embedded_io::Write for Checked {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        for &b in buf {
            assert_eq!(b, pattern(self.at), "byte {} differs", self.at);
            self.at += 1;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// The process's peak resident memory (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn large_streamed_put_and_get_in_constant_memory() {
    let p = peer("S3S");
    let loaded = session(&p);
    let c = loaded.session().client(s3::SERVICE).unwrap();
    let (creds, now) = keys_now(&p);
    let key = format!("{}/large.bin", unique("large"));
    let len: u64 = 64 * 1024 * 1024;
    let before = peak_rss_kib();
    let started = std::time::Instant::now();
    let mut body = Generated { at: 0, len };
    let (sent, head) = stream_put(&c, &creds, now, &p.bucket, &key, &mut body, len, 64 * 1024);
    let sent = sent.expect("streamed PutObject");
    assert_eq!((sent, head.status()), (len, 200), "{head:?}");
    let put_secs = started.elapsed().as_secs_f64();

    let started = std::time::Instant::now();
    let mut r = s3::get_object(&c, &p.bucket, &key, None).unwrap();
    let mut platform = StdPlatform::new(c.session()).unwrap();
    c.send(&mut r, &mut platform).expect("streamed GetObject");
    let length = s3::parse_get_object(&r.response).unwrap().content_length;
    let mut reader = ResponseBodyReader::new(&mut platform.transport);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut sink = Checked { at: 0 };
    let copied = s3::copy_body(&mut reader, &mut sink, &mut chunk, length).unwrap();
    assert_eq!(copied, len);
    let get_secs = started.elapsed().as_secs_f64();
    let grown = peak_rss_kib().saturating_sub(before);
    eprintln!(
        "64 MiB: streamed put {:.1} MiB/s, get {:.1} MiB/s, peak memory grew {grown} KiB",
        64.0 / put_secs,
        64.0 / get_secs
    );
    assert!(
        grown < 16 * 1024,
        "peak memory grew {grown} KiB for a 64 MiB object"
    );
    let mut r = s3::delete_object(&c, &p.bucket, &key).unwrap();
    send(&c, &mut r, None).expect("DeleteObject");
}
