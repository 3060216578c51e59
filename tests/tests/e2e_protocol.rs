//! Error answers of real peers decoded by core's protocol module, and clock-skew correction end
//! to end.
//!
//! * Clock skew: moto checks signatures but not the request time (it verifies the signature at
//!   the request's own `X-Amz-Date`), so a small loopback stub in front of it does what AWS does:
//!   a request whose `X-Amz-Date` is more than 5 minutes from the stub's clock is refused with STS's
//!   `SignatureDoesNotMatch` "Signature expired" answer and a `Date` header; every other request
//!   goes on to moto, which checks the signature. A device clock 20 minutes behind fails the first
//!   attempt, the client corrects its session's clock offset from `Date`, and the retry succeeds.
//! * Live error answers of moto (query, JSON 1.0, EC2) and s3s-fs (REST-XML, HEAD) through a
//!   session client: the decoded code ends the request, and the message and request id decode
//!   from the same buffer.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_session_core::client::Client;
use aws_session_core::handlers::{run_blocking, Pipeline, Request, RequestError};
use aws_session_core::http::Method;
use aws_session_core::platform::{Clock, ErrorKind};
use aws_session_core::protocol::{self, decode_error, Protocol};
use aws_session_core::session::Options;
use aws_session_core::time::UnixTime;
use aws_session_std::transport::{HttpsConfig, HttpsTransport};
use aws_session_std::{
    load_with, HomeFallback, HomeResolver, LoadedSession, Platform, StdEntropy, StdEnv,
    SystemClock, ThreadSleep,
};
use aws_session_tests::peer;

/// The device clock: the system clock moved by `offset` seconds.
struct OffClock(i64);

impl Clock for OffClock {
    type Error = ErrorKind;
    fn now(&self) -> Result<UnixTime, ErrorKind> {
        let now = SystemClock.now()?.secs() as i64;
        Ok(UnixTime::from_secs((now + self.0) as u64))
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `secs` as an HTTP date (`Mon, 07 Dec 2026 11:05:00 GMT`).
fn http_date(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = UnixTime::from_secs(secs as u64).to_datetime().unwrap();
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[((secs / 86_400) % 7) as usize],
        t.day(),
        MONTHS[usize::from(t.month() - 1)],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// One request the stub saw: its `X-Amz-Date` and whether it was refused as skewed.
type Seen = Arc<Mutex<Vec<(String, bool)>>>;

/// Starts the skew-checking stub in front of `upstream` (`http://127.0.0.1:PORT`); returns its
/// URL and what it saw.
fn skew_stub(upstream: &str) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_owned();
    let seen: Seen = Arc::default();
    let record = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let (upstream, record) = (upstream.clone(), record.clone());
            std::thread::spawn(move || serve(conn, &upstream, &record));
        }
    });
    (url, seen)
}

/// Reads one HTTP message (head and `Content-Length` body); `None` at the end of the stream.
fn read_message(r: &mut impl BufRead) -> Option<(String, Vec<u8>)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let len = header(&head, "content-length").map_or(0, |v| v.parse().unwrap());
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some((head, body))
}

fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn serve(conn: TcpStream, upstream: &str, seen: &Seen) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut writer = conn;
    while let Some((head, body)) = read_message(&mut reader) {
        let amz_date = header(&head, "x-amz-date").unwrap_or("").to_owned();
        let now = now_secs();
        let signed = UnixTime::parse_amz(&amz_date).map_or(0, |t| t.secs() as i64);
        let skewed = (now - signed).abs() > 300;
        seen.lock().unwrap().push((amz_date.clone(), skewed));
        let answer = if skewed {
            let body = format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>Signature expired: {amz_date} is now earlier than the allowed window (15 min.)</Message></Error><RequestId>skew-stub-1</RequestId></ErrorResponse>"
            );
            let mut out = format!(
                "HTTP/1.1 403 Forbidden\r\nDate: {}\r\nContent-Type: text/xml\r\nx-amzn-RequestId: skew-stub-1\r\nContent-Length: {}\r\n\r\n",
                http_date(now),
                body.len()
            )
            .into_bytes();
            out.extend_from_slice(body.as_bytes());
            out
        } else {
            let mut up = TcpStream::connect(upstream).unwrap();
            up.write_all(head.as_bytes()).unwrap();
            up.write_all(&body).unwrap();
            let (head, body) = read_message(&mut BufReader::new(up)).unwrap();
            let mut out = head.into_bytes();
            out.extend_from_slice(&body);
            out
        };
        if writer.write_all(&answer).is_err() {
            return;
        }
    }
}

/// A session from environment variables for `endpoint`, with `secret`.
fn session(endpoint: &str, akid: &str, secret: &str, region: &str) -> LoadedSession {
    let env = StdEnv::from_vars([
        ("AWS_ACCESS_KEY_ID", akid),
        ("AWS_SECRET_ACCESS_KEY", secret),
        ("AWS_REGION", region),
        ("AWS_ENDPOINT_URL", endpoint),
    ]);
    let home = HomeResolver {
        platform: Platform::current(),
        fallback: HomeFallback::Nothing,
    };
    load_with(&Options::default(), env, &home).expect("session")
}

/// Runs `r` through `client` with a device clock `offset` seconds off; the body goes into `buf`.
fn send<'a>(
    client: &Client<'_>,
    r: &mut Request<'a>,
    buf: &'a mut [u8],
    offset: i64,
) -> Result<(), RequestError> {
    r.set_response_buffer(buf);
    let mut transport = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    run_blocking(
        Pipeline::new(client.handlers(), r),
        &mut transport,
        &OffClock(offset),
        &mut ThreadSleep,
        &mut StdEntropy::new(),
    )
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn a_device_clock_20_minutes_behind_is_corrected_and_the_retry_succeeds() {
    let p = peer("MOTO");
    let (url, seen) = skew_stub(&p.endpoint);
    let loaded = session(&url, &p.access_key_id, &p.secret, &p.region);
    let client = loaded.session().client("sts").unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = client
        .form_request(
            "GetCallerIdentity",
            "Action=GetCallerIdentity&Version=2011-06-15",
        )
        .unwrap();
    let result = send(&client, &mut r, &mut buf, -20 * 60);
    let status = r.response.status();
    let body = String::from_utf8_lossy(r.response_body()).into_owned();
    assert_eq!(result, Ok(()), "{body}");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<GetCallerIdentityResult>"), "{body}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[0].1 && !seen[1].1,
        "refused as skewed, then accepted: {seen:?}"
    );
    let offset = loaded.session().clock_offset_secs();
    assert!((offset - 1200).abs() <= 5, "offset {offset}");

    // The next request of another client of the session signs at the corrected time at once.
    let client = loaded.session().client("sts").unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = client
        .form_request(
            "GetCallerIdentity",
            "Action=GetCallerIdentity&Version=2011-06-15",
        )
        .unwrap();
    assert_eq!(send(&client, &mut r, &mut buf, -20 * 60), Ok(()));
    assert_eq!(r.retry_count, 0);
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn a_wrong_secret_with_a_good_clock_is_not_taken_for_skew() {
    let p = peer("MOTO");
    let loaded = session(
        &p.endpoint,
        &p.access_key_id,
        "wrongSecretKey0000000000000000000000000000",
        &p.region,
    );
    let client = loaded.session().client("sts").unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = client
        .form_request(
            "GetCallerIdentity",
            "Action=GetCallerIdentity&Version=2011-06-15",
        )
        .unwrap();
    let err = send(&client, &mut r, &mut buf, 0).unwrap_err();
    assert_eq!(err.code(), "SignatureDoesNotMatch");
    assert_eq!(
        (r.retry_count, loaded.session().clock_offset_secs()),
        (0, 0)
    );
    let e = decode_error(
        Some(Protocol::Query),
        403,
        r.response.headers(),
        r.response_body(),
    )
    .unwrap();
    assert!(
        e.message
            .as_str()
            .starts_with("The request signature we calculated"),
        "{e}"
    );
}

/// Sends `r` with a good clock, the body going into `buf`, and returns the decoded error answer.
fn failing<'a>(
    client: &Client<'_>,
    r: &mut Request<'a>,
    buf: &'a mut [u8],
    protocol: Protocol,
) -> protocol::ServiceError {
    let err = send(client, r, buf, 0).unwrap_err();
    let e = r
        .service_error(Some(protocol))
        .expect("an error answer")
        .unwrap_or_else(|d| panic!("{d}: {:?}", String::from_utf8_lossy(r.response_body())));
    assert_eq!(
        err.code(),
        e.code.as_str(),
        "the pipeline ended with the decoded code"
    );
    e
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto and s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn live_error_answers_of_every_protocol_decode() {
    let p = peer("MOTO");
    let loaded = session(&p.endpoint, &p.access_key_id, &p.secret, &p.region);

    // JSON 1.0: DynamoDB GetItem on a table that does not exist.
    let ddb = loaded.session().client("dynamodb").unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ddb.request("GetItem");
    protocol::prepare_json(
        &mut r.http,
        Protocol::Json10,
        "DynamoDB_20120810",
        "GetItem",
        br#"{"TableName":"no-such-table","Key":{"id":{"S":"1"}}}"#,
    )
    .unwrap();
    let e = failing(&ddb, &mut r, &mut buf, Protocol::Json10);
    assert_eq!(
        (e.status, e.code.as_str(), e.message.as_str()),
        (
            400,
            "ResourceNotFoundException",
            "Requested resource not found"
        )
    );
    assert!(!e.request_id.as_str().is_empty());

    // EC2 query: an instance that does not exist.
    let ec2 = loaded.session().client("ec2").unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let mut form = [0u8; 256];
    let mut body = protocol::FormBody::new(&mut form, "DescribeInstances", "2016-11-15").unwrap();
    body.param("InstanceId.1", "i-00000000000000000").unwrap();
    let body = body.finish();
    let mut r = ec2.request("DescribeInstances");
    protocol::prepare_rest(
        &mut r.http,
        Protocol::Ec2Query,
        Method::Post,
        "/",
        body.as_bytes(),
    )
    .unwrap();
    let e = failing(&ec2, &mut r, &mut buf, Protocol::Ec2Query);
    assert_eq!(e.code.as_str(), "InvalidInstanceID.NotFound");
    assert!(e.message.as_str().contains("i-00000000000000000"), "{e}");

    // REST-XML: S3 GetObject and HeadObject of a key s3s-fs does not have.
    let s = peer("S3S");
    let loaded = session(&s.endpoint, &s.access_key_id, &s.secret, &s.region);
    let s3 = loaded.session().client("s3").unwrap();
    let target = format!("/{}/no-such-key-{}", s.bucket, now_secs());
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = s3.request("GetObject");
    protocol::prepare_rest(&mut r.http, Protocol::RestXml, Method::Get, &target, b"").unwrap();
    let e = failing(&s3, &mut r, &mut buf, Protocol::RestXml);
    assert_eq!((e.status, e.code.as_str()), (404, "NoSuchKey"));
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = s3.request("HeadObject");
    protocol::prepare_rest(&mut r.http, Protocol::RestXml, Method::Head, &target, b"").unwrap();
    let e = failing(&s3, &mut r, &mut buf, Protocol::RestXml);
    assert_eq!(
        (e.status, e.code.as_str(), e.source),
        (404, "NotFound", protocol::CodeSource::Status)
    );
}
