//! Core's typed S3 operations (`aws_session_core::ops::s3`) end to end against s3s-fs, a strict
//! S3 server that checks every signature and payload hash: each request is prepared by core,
//! sent through a session client on the std platform, and its answer read by core.

use aws_session_core::client::Client;
use aws_session_core::handlers::{Request, RequestError, ResponseBodyReader};
use aws_session_core::ops::s3::{self, ByteRange, S3Error};
use aws_session_std::StdPlatform;
use aws_session_tests::{peer, peer_session as session, unique};

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
