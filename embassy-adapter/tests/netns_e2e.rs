//! End-to-end over a real TAP device in a network namespace (run by `scripts/netns-e2e.sh`, which
//! creates the namespace, the TAP device `tap0` with 10.77.0.1/24 on the kernel side, a moto
//! server with signature verification reachable at 10.77.0.1:5055 and s3s-fs at 10.77.0.1:8014).
//!
//! Our embassy-net stack runs in this process on `tap0` (embassy-net-tuntap) at 10.77.0.2 and:
//!
//! 1. completes a TLS 1.3 handshake with a rustls server (on the kernel side, 10.77.0.1:8443)
//!    whose certificate a test CA issued, trusting that CA — and sends two requests over it;
//! 2. fails the handshake with a typed certificate error when it trusts another CA only;
//! 3. talks to moto through the whole stack: a profile provisioned into (RAM) flash, a session
//!    from it, the wall clock set from moto's `Date`, then STS `GetCallerIdentity` and S3
//!    `PutObject`/`GetObject` signed by core's pipeline — and a wrong secret is refused (403), so
//!    moto really verifies signatures;
//! 4. assumes a role from a flash profile through the device's credential cache;
//! 5. runs core's typed operations through the device's pipeline: STS `GetCallerIdentity`,
//!    DynamoDB `CreateTable`/`PutItem`/`GetItem` and IoT Data `Publish` against moto, and S3
//!    against s3s-fs (10.77.0.1:8014, which checks every aws-chunked chunk signature):
//!    `PutObject` streamed from an async reader in 8 KiB signed chunks, `HeadObject`, `GetObject`
//!    streamed back and compared, `DeleteObject`;
//! 6. gets credentials from an AWS IoT credentials provider on the kernel side
//!    (10.77.0.1:8444, mutual TLS) with a profile and device identity from (RAM) flash, then
//!    signs STS `GetCallerIdentity` with them for moto.
//!
//! Without `AWS_SESSION_NETNS_E2E=1` (the script sets it) the test prints a SKIPPED notice.
#![cfg(feature = "tls")]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::string::String;
use std::vec::Vec;

use aws_session_core::client::Client;
use aws_session_core::config::Config;
use aws_session_core::credentials::cache::SharedCredentials as _;
use aws_session_core::credentials::Credentials;
use aws_session_core::handlers::{run_async, Pipeline, Request, RequestError};
use aws_session_core::http::{Body, HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::ops;
use aws_session_core::platform::{AsyncTransport, Bundle, Clock as _};
use aws_session_core::session::Session;
use aws_session_embassy::clock::WallClock;
use aws_session_embassy::credentials::DeviceCredentials;
use aws_session_embassy::http::{HttpConfig, HttpError, TlsFailure};
use aws_session_embassy::net::{TcpBuffers, TcpTransport};
use aws_session_embassy::platform::TimerSleep;
use aws_session_embassy::store::{FlashProfiles, NoEnv, ProfileData, ProfileStore, Setting};
use aws_session_embassy::test_util::MemFlash;
use aws_session_embassy::tls::{self, CertError, ClockPolicy, Target, TlsBuffers, TrustAnchors};
use common::{leak, test_ca, TestRng};
use embassy_futures::select::{select, Either};
use embassy_net::{
    Config as NetConfig, IpAddress, Ipv4Address, Ipv4Cidr, Stack, StackResources, StaticConfigV4,
};
use embassy_time::Timer;
use rcgen::{CertificateParams, CertifiedIssuer, KeyPair};

const KERNEL: Ipv4Address = Ipv4Address::new(10, 77, 0, 1);
const MOTO: &str = "http://10.77.0.1:5055";
const TLS_NAME: &str = "tls.e2e.test";
const IOT_NAME: &str = "iot.e2e.test";

/// A rustls TLS 1.3 server on the kernel side of the TAP device, answering `200 hello`.
fn start_tls_server(ca: &CertifiedIssuer<'static, KeyPair>) {
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![String::from(TLS_NAME)])
        .unwrap()
        .signed_by(&key, ca)
        .unwrap();
    let config = common::server_config(vec![leaf.der().to_vec()], key.serialize_der());
    serve_tls("10.77.0.1:8443", config, |_| {
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_vec()
    });
}

/// Serves TLS on `addr` (the kernel side of tap0) from a thread: every request head (lower-case)
/// is answered with `answer(head)`, on keep-alive connections.
fn serve_tls(
    addr: &str,
    config: std::sync::Arc<rustls::ServerConfig>,
    answer: impl Fn(&str) -> Vec<u8> + Send + 'static,
) {
    let listener = TcpListener::bind(addr)
        .unwrap_or_else(|e| panic!("bind {addr} (run inside the namespace): {e}"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, stream);
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            'conn: loop {
                let n = match tls.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                buf.extend_from_slice(&chunk[..n]);
                while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                    buf.drain(..end + 4);
                    if tls.write_all(&answer(&head)).is_err() {
                        break 'conn;
                    }
                }
            }
        }
    });
}

async fn https_get(net: Stack<'static>, anchors: &[&[u8]]) -> Result<Vec<u16>, HttpError> {
    let buffers = leak(TlsBuffers::<4096, 2048, 16640, 2048, 1024>::new());
    let host = "tls.e2e.test:8443";
    let target = Target {
        host,
        address: Some(IpAddress::Ipv4(KERNEL)),
    };
    let mut conn = tls::connect(
        net,
        buffers,
        &target,
        // The clock is set from moto's `Date` later in the run; until then, the build time.
        &TrustAnchors::new(anchors)
            .with_clock_policy(ClockPolicy::BuildTimeLowerBound(tls::BUILD_TIME)),
        TestRng(7),
        HttpConfig::default(),
    )
    .await?;
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let req = HttpRequest::new(Method::Get, Scheme::Https, host, "/").unwrap();
        conn.begin(&req).await?;
        let mut head = ResponseHead::new();
        conn.finish(&mut head).await?;
        let mut body = [0u8; 16];
        while conn.read_body(&mut body).await? > 0 {}
        statuses.push(head.status());
    }
    conn.close().await;
    Ok(statuses)
}

/// Provisions a profile for moto into RAM flash and builds a client of `service` from it.
async fn moto_client(akid: &str, secret: &str, service: &'static str) -> Client<'static> {
    peer_client(MOTO, akid, secret, service).await
}

/// Provisions a profile for the server at `endpoint` into RAM flash and builds a client of
/// `service` from it (S3 with path-style addressing).
async fn peer_client(
    endpoint: &'static str,
    akid: &str,
    secret: &str,
    service: &'static str,
) -> Client<'static> {
    let akid: &'static str = leak(String::from(akid));
    let secret: &'static str = leak(String::from(secret));
    let mut store = ProfileStore::new(MemFlash::<8192, 4096, 4>::new(), 0..8192).unwrap();
    let profile = ProfileData::new()
        .with(Setting::Region, "us-east-1")
        .and_then(|p| p.with(Setting::EndpointUrl, endpoint))
        .and_then(|p| p.with(Setting::AccessKeyId, akid))
        .and_then(|p| p.with(Setting::SecretAccessKey, secret))
        .unwrap();
    store.provision("moto", &profile).await.unwrap();
    store.select("moto").await.unwrap();
    let profiles = leak(FlashProfiles::<1024>::new());
    store.load(None, profiles).await.unwrap();
    let session = leak(Session::new(&profiles.options(), &NoEnv, &*profiles).unwrap());
    let overrides = leak(Config {
        s3_force_path_style: Some(true),
        ..Config::default()
    });
    session.client_with(service, overrides).unwrap()
}

/// The device's credential cache for the assume-role step.
static ROLE_CACHE: DeviceCredentials = DeviceCredentials::new();

/// Provisions `base` (moto's keys) and `role` (`role_arn` + `source_profile = base`) into RAM
/// flash, selects `role` and makes a session whose credentials come from the device's cache.
async fn role_session(akid: &str, secret: &str) -> &'static Session {
    let akid: &'static str = leak(String::from(akid));
    let secret: &'static str = leak(String::from(secret));
    let mut store = ProfileStore::new(MemFlash::<8192, 4096, 4>::new(), 0..8192).unwrap();
    let base = ProfileData::new()
        .with(Setting::AccessKeyId, akid)
        .and_then(|p| p.with(Setting::SecretAccessKey, secret))
        .unwrap();
    store.provision("base", &base).await.unwrap();
    let role = ProfileData::new()
        .with(Setting::Region, "us-east-1")
        .and_then(|p| p.with(Setting::EndpointUrl, MOTO))
        .and_then(|p| {
            p.with(
                Setting::RoleArn,
                "arn:aws:iam::123456789012:role/device-role",
            )
        })
        .and_then(|p| p.with(Setting::SourceProfile, "base"))
        .and_then(|p| p.with(Setting::RoleSessionName, "device"))
        .unwrap();
    store.provision("role", &role).await.unwrap();
    store.select("role").await.unwrap();
    let profiles = leak(FlashProfiles::<1024>::new());
    store.load(None, profiles).await.unwrap();
    let session = leak(Session::new(&profiles.options(), &NoEnv, &*profiles).unwrap());
    session.share_credentials(&ROLE_CACHE);
    session
}

/// Runs one signed request through core's pipeline; returns (status, body).
async fn call(
    t: &mut TcpTransport<'_>,
    client: &Client<'_>,
    clock: &WallClock,
    op: &'static str,
    method: Method,
    target: &str,
    body: &'static [u8],
) -> (u16, String) {
    let buf = leak([0u8; 4096]);
    let mut request = client.request(op);
    request.http.set_method(method);
    request.http.set_target(target).unwrap();
    if op == "GetCallerIdentity" {
        request
            .http
            .headers_mut()
            .insert(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .unwrap();
    }
    request.http.set_body(Body::Bytes(body));
    request.set_response_buffer(buf);
    let mut entropy = TestRng(3);
    let _ = run_async(
        Pipeline::new(client.handlers(), &mut request),
        t,
        clock,
        |ms| Timer::after_millis(ms.into()),
        &mut entropy,
    )
    .await;
    (
        request.response.status(),
        String::from_utf8_lossy(request.response_body()).into_owned(),
    )
}

/// Sends `request` through `client`'s handlers over `t` (retries, signing, error decoding).
async fn send(
    t: &mut TcpTransport<'_>,
    clock: &WallClock,
    client: &Client<'_>,
    request: &mut Request<'_>,
) -> Result<(), RequestError> {
    let mut platform = Bundle {
        transport: t,
        clock,
        sleep: TimerSleep,
        entropy: TestRng(11),
    };
    client.send_async(request, &mut platform).await
}

/// STS `GetCallerIdentity`, DynamoDB `CreateTable`/`PutItem`/`GetItem` and IoT Data `Publish`,
/// each prepared and read by `aws_session_core::ops`, against moto; returns the checks passed.
async fn typed_operations(
    t: &mut TcpTransport<'_>,
    clock: &WallClock,
    akid: &str,
    secret: &str,
) -> usize {
    let sts = moto_client(akid, secret, "sts").await;
    let mut body = [0u8; 64];
    let mut r = ops::sts::get_caller_identity(&sts, &mut body).unwrap();
    r.set_response_buffer(leak([0u8; 2048]));
    send(t, clock, &sts, &mut r).await.unwrap();
    let who = ops::sts::parse_get_caller_identity(r.response_body()).unwrap();
    assert!(who.account.eq_str("123456789012"), "{who:?}");
    std::println!("ok: typed STS GetCallerIdentity: account {}", who.account);

    let ddb = moto_client(akid, secret, "dynamodb").await;
    let create = br#"{"TableName":"device-table","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}"#;
    let put =
        br#"{"TableName":"device-table","Item":{"pk":{"S":"sensor-1"},"celsius":{"N":"21.5"}}}"#;
    let get = br#"{"TableName":"device-table","Key":{"pk":{"S":"sensor-1"}}}"#;
    for (operation, json) in [
        ("CreateTable", &create[..]),
        ("PutItem", put),
        ("GetItem", get),
    ] {
        let mut r = ops::dynamodb::call(&ddb, operation, json).unwrap();
        r.set_response_buffer(leak([0u8; 4096]));
        send(t, clock, &ddb, &mut r).await.unwrap();
        let answer = ops::dynamodb::parse_answer(r.response_body()).unwrap();
        if operation == "GetItem" {
            let compact: String = answer.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(compact.contains(r#""celsius":{"N":"21.5"}"#), "{answer}");
        }
    }
    std::println!("ok: typed DynamoDB CreateTable, PutItem, GetItem");

    let iot = moto_client(akid, secret, ops::iot_data::SERVICE).await;
    let mut r = ops::iot_data::publish(&iot, "dt/device/temp", 1, br#"{"celsius":21.5}"#).unwrap();
    r.set_response_buffer(leak([0u8; 1024]));
    send(t, clock, &iot, &mut r).await.unwrap();
    assert_eq!(r.response.status(), 200);
    std::println!("ok: typed IoT Data Publish (signed as iotdata)");
    3
}

/// `len` bytes of a fixed pseudo-random sequence, as an async reader.
struct Pattern {
    state: u32,
    left: usize,
}

impl Pattern {
    fn new(len: usize) -> Self {
        Pattern {
            state: 0x9E37_79B9,
            left: len,
        }
    }

    fn next_byte(&mut self) -> u8 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 17;
        self.state ^= self.state << 5;
        (self.state >> 24) as u8
    }
}

impl embedded_io_async::ErrorType for Pattern {
    type Error = core::convert::Infallible;
}

impl embedded_io_async::Read for Pattern {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        // Short reads, as a socket or flash driver gives.
        let n = buf.len().min(self.left).min(3000);
        for b in &mut buf[..n] {
            *b = self.next_byte();
        }
        self.left -= n;
        Ok(n)
    }
}

/// S3 against s3s-fs (which checks every chunk signature): `PutObject` streamed with
/// aws-chunked signing from an async reader in 8 KiB chunks, `HeadObject`, `GetObject` streamed
/// back and compared byte by byte, `DeleteObject`; returns the checks passed.
async fn s3_streaming(t: &mut TcpTransport<'_>, clock: &WallClock) -> usize {
    const LEN: usize = 300_000;
    let endpoint: &'static str = leak(std::env::var("S3S_ENDPOINT").expect("S3S_ENDPOINT"));
    let akid = std::env::var("S3S_AKID").expect("S3S_AKID");
    let secret = std::env::var("S3S_SECRET").expect("S3S_SECRET");
    let bucket = std::env::var("S3S_BUCKET").expect("S3S_BUCKET");
    let s3 = peer_client(endpoint, &akid, &secret, ops::s3::SERVICE).await;
    let mut creds = Credentials::EMPTY;
    {
        let mut platform = Bundle {
            transport: &mut *t,
            clock,
            sleep: TimerSleep,
            entropy: TestRng(13),
        };
        s3.session()
            .retrieve_credentials_async(&mut platform, &mut creds)
            .await
            .unwrap();
    }
    let key = "device/streamed.bin";
    let mut chunk = std::vec![0u8; aws_session_core::limits::MIN_AWS_CHUNK_LEN];
    let mut head = ResponseHead::new();
    let object = ops::s3::StreamedObject {
        bucket: &bucket,
        key,
        body: &mut Pattern::new(LEN),
        length: LEN as u64,
    };
    let sent = ops::s3::put_object_streaming_async(
        &s3,
        &creds,
        clock.now().unwrap(),
        object,
        &mut chunk,
        t,
        &mut head,
    )
    .await
    .unwrap();
    assert_eq!(sent, LEN as u64);
    let etag = ops::s3::parse_put_object(&head).unwrap();
    std::println!("ok: S3 PutObject of {LEN} bytes streamed with aws-chunked signing in 8 KiB chunks, every chunk verified by s3s-fs (ETag {etag})");

    // A small upload signed with a wrong secret: s3s-fs answers 403 (a large one would see the
    // connection reset while it still sends).
    let wrong = Credentials::new(&akid, "not-the-secret", None).unwrap();
    let object = ops::s3::StreamedObject {
        bucket: &bucket,
        key: "device/refused.bin",
        body: &mut Pattern::new(100),
        length: 100,
    };
    let mut head = ResponseHead::new();
    let refused = ops::s3::put_object_streaming_async(
        &s3,
        &wrong,
        clock.now().unwrap(),
        object,
        &mut chunk,
        t,
        &mut head,
    )
    .await;
    assert_eq!((refused, head.status()), (Ok(100), 403));
    std::println!("ok: a streamed upload signed with a wrong secret is refused (HTTP 403)");

    let mut r = ops::s3::head_object(&s3, &bucket, key).unwrap();
    send(t, clock, &s3, &mut r).await.unwrap();
    let object = ops::s3::parse_head_object(&r.response).unwrap();
    assert_eq!(object.content_length, Some(LEN as u64));
    drop(r);

    // No response buffer: the object stays in the transport and is read from it in pieces.
    let mut r = ops::s3::get_object(&s3, &bucket, key, None).unwrap();
    send(t, clock, &s3, &mut r).await.unwrap();
    ops::s3::parse_get_object(&r.response).unwrap();
    let mut expected = Pattern::new(LEN);
    let (mut piece, mut got) = ([0u8; 1500], 0usize);
    loop {
        let n = AsyncTransport::read_body(t, &mut piece).await.unwrap();
        if n == 0 {
            break;
        }
        for b in &piece[..n] {
            assert_eq!(*b, expected.next_byte(), "byte {got} of the object");
            got += 1;
        }
    }
    assert_eq!(got, LEN);
    drop(r);
    std::println!("ok: S3 HeadObject and GetObject streamed back: {got} bytes, all equal");

    let mut r = ops::s3::delete_object(&s3, &bucket, key).unwrap();
    send(t, clock, &s3, &mut r).await.unwrap();
    ops::s3::parse_delete_object(&r.response).unwrap();
    let mut r = ops::s3::head_object(&s3, &bucket, key).unwrap();
    let gone = send(t, clock, &s3, &mut r).await;
    assert!(
        gone.is_err() || ops::s3::parse_head_object(&r.response) == Err(ops::s3::S3Error::NotFound),
        "{gone:?}"
    );
    std::println!("ok: S3 DeleteObject; HeadObject then finds nothing");
    4
}

/// The AWS IoT credentials provider as the kernel side of tap0 plays it (10.77.0.1:8444, name
/// `iot.e2e.test`, certificate from `server_ca`): mutual TLS with client certificates from
/// `device_ca` only; `GET /role-aliases/device-role/credentials` with the thing-name header is
/// answered with `credentials` in AWS's JSON shape, any other request with 403. Returns the
/// request heads it answered.
fn start_iot_provider(
    server_ca: &CertifiedIssuer<'static, KeyPair>,
    device_ca: &[u8],
    credentials: &Credentials,
) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    use std::sync::{Arc, Mutex};
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![String::from(IOT_NAME)])
        .unwrap()
        .signed_by(&key, server_ca)
        .unwrap();
    let config = common::server_config_with(
        vec![leaf.der().to_vec()],
        key.serialize_der(),
        Some(device_ca),
    );
    let expiration = credentials
        .expires
        .and_then(|t| t.to_datetime().ok())
        .map(|t| t.to_string())
        .unwrap();
    let json = format!(
        "{{\"credentials\":{{\"accessKeyId\":\"{}\",\"secretAccessKey\":\"{}\",\"sessionToken\":\"{}\",\"expiration\":\"{expiration}\"}}}}",
        credentials.access_key_id.as_str(),
        credentials.secret_access_key.expose(),
        credentials.session_token.as_ref().map(|t| t.expose()).unwrap_or(""),
    );
    let ok = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}",
        json.len()
    );
    let refused = "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 44\r\n\r\n{\"message\":\"Access Denied\",\"code\":\"403\"}";
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    serve_tls("10.77.0.1:8444", Arc::new(config), move |head| {
        let wanted = head.starts_with("get /role-aliases/device-role/credentials ")
            && head.contains("\r\nx-amzn-iot-thingname: device-7");
        log.lock().unwrap().push(String::from(head));
        if wanted {
            ok.clone().into_bytes()
        } else {
            refused.as_bytes().to_vec()
        }
    });
    seen
}

/// The P-256 scalar of an rcgen key (inside its PKCS#8 document: the ECPrivateKey's
/// `version 1, OCTET STRING (32)`), as the flash store keeps it.
fn p256_scalar(key: &KeyPair) -> [u8; 32] {
    let der = key.serialize_der();
    let at = der
        .windows(5)
        .position(|w| w == [0x02, 0x01, 0x01, 0x04, 0x20])
        .expect("an EC private key");
    der[at + 5..at + 37].try_into().unwrap()
}

/// The device's credential cache for the AWS IoT credentials provider.
static IOT_CACHE: DeviceCredentials = DeviceCredentials::new();

/// An AWS IoT credentials profile and the device identity in (RAM) flash, as `aws-session device
/// image` writes them; connects to the provider over tap0 with the stored identity (mutual TLS),
/// fills the cache, then signs STS `GetCallerIdentity` with those credentials for moto. The
/// provider hands out the role credentials step 4 cached (as AWS's provider hands out a role
/// alias's). Returns the checks passed.
async fn iot_credentials_over_tap(
    stack: Stack<'static>,
    t: &mut TcpTransport<'_>,
    clock: &'static WallClock,
    server_ca: &'static CertifiedIssuer<'static, KeyPair>,
) -> usize {
    let device_ca = test_ca("aws-session e2e device CA");
    let device_key = KeyPair::generate().unwrap();
    let device_cert = CertificateParams::new(vec![String::from("device-7")])
        .unwrap()
        .signed_by(&device_key, &device_ca)
        .unwrap();
    let now = clock.now().unwrap();
    let mut role = None;
    ROLE_CACHE.with_slot(&mut |slot| role = slot.valid(now).cloned());
    let role = role.expect("step 4 cached the role's credentials");
    let seen = start_iot_provider(server_ca, device_ca.der(), &role);

    // The device: profile and identity in flash.
    let mut store = ProfileStore::new(MemFlash::<16384, 4096, 4>::new(), 0..16384).unwrap();
    let profile = ProfileData::new()
        .with(Setting::Region, "us-east-1")
        .and_then(|p| p.with(Setting::EndpointUrl, MOTO))
        .and_then(|p| p.with(Setting::IotCredentialsEndpoint, "iot.e2e.test:8444"))
        .and_then(|p| p.with(Setting::IotRoleAlias, "device-role"))
        .and_then(|p| p.with(Setting::IotThingName, "device-7"))
        .unwrap();
    store.provision("thing", &profile).await.unwrap();
    store
        .provision_identity("thing", device_cert.der(), &p256_scalar(&device_key))
        .await
        .unwrap();
    store.select("thing").await.unwrap();
    let profiles = leak(FlashProfiles::<1024>::new());
    store.load(None, profiles).await.unwrap();
    let session = leak(Session::new(&profiles.options(), &NoEnv, &*profiles).unwrap());
    session.share_credentials(&IOT_CACHE);

    // Mutual TLS to the provider with the stored identity, as the firmware does.
    let iot = session
        .credentials()
        .iot()
        .expect("an IoT credentials profile");
    let authority = iot.authority().unwrap();
    assert_eq!(authority, "iot.e2e.test:8444");
    let identity = store.identity("thing").await.unwrap().unwrap();
    let mut key = identity.key().unwrap();
    // Certificates are checked against the wall clock moto's `Date` set.
    tls::check_validity_with(clock);
    let ca_der: &'static [u8] = leak(server_ca.der().to_vec());
    let anchors: &'static [&'static [u8]] = leak(vec![ca_der]).as_slice();
    let options = tls::TlsOptions {
        trust: TrustAnchors::new(anchors),
        identity: Some(tls::ClientIdentity {
            certificate: identity.certificate,
            key: &mut key,
        }),
        alpn: &[],
    };
    let target = Target {
        host: authority,
        address: Some(IpAddress::Ipv4(KERNEL)),
    };
    let buffers = leak(TlsBuffers::<4096, 2048, 16640, 4096, 1024>::new());
    let conn = tls::connect_with(
        stack,
        buffers,
        &target,
        options,
        TestRng(17),
        HttpConfig::default(),
    )
    .await
    .unwrap()
    .with_clock(clock);
    let mut platform = Bundle {
        transport: conn,
        clock,
        sleep: TimerSleep,
        entropy: TestRng(19),
    };
    let mut fetched = Credentials::EMPTY;
    let kind = session
        .retrieve_credentials_async(&mut platform, &mut fetched)
        .await
        .unwrap();
    assert_eq!(
        kind,
        aws_session_core::credentials::ProviderKind::IotCredentials
    );
    assert_eq!(fetched.access_key_id.as_str(), role.access_key_id.as_str());
    platform.transport.close().await;
    let heads = seen.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(!heads[0].contains("authorization"), "{heads:?}");
    std::println!("ok: AWS IoT credentials provider over mutual TLS on tap0, with the identity from flash: {kind:?}");

    // A device whose certificate another CA issued is refused by the provider.
    let stranger_ca = test_ca("some other device CA");
    let stranger_key = KeyPair::generate().unwrap();
    let stranger = CertificateParams::new(vec![String::from("device-7")])
        .unwrap()
        .signed_by(&stranger_key, &stranger_ca)
        .unwrap();
    let mut stranger_p256 = tls::P256Key::from_bytes(&p256_scalar(&stranger_key)).unwrap();
    let options = tls::TlsOptions {
        trust: TrustAnchors::new(anchors),
        identity: Some(tls::ClientIdentity {
            certificate: stranger.der(),
            key: &mut stranger_p256,
        }),
        alpn: &[],
    };
    let buffers = leak(TlsBuffers::<4096, 2048, 16640, 4096, 1024>::new());
    let refused = async {
        let mut conn = tls::connect_with(
            stack,
            buffers,
            &target,
            options,
            TestRng(23),
            HttpConfig::default(),
        )
        .await?;
        // TLS 1.3: the server's verdict on the client certificate arrives after the handshake.
        let req = HttpRequest::new(
            Method::Get,
            Scheme::Https,
            authority,
            "/role-aliases/device-role/credentials",
        )
        .unwrap();
        conn.begin(&req).await?;
        let mut head = ResponseHead::new();
        conn.finish(&mut head).await.map(|()| head.status())
    }
    .await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "the provider answered nothing more"
    );
    std::println!(
        "ok: a device certificate from another CA is refused ({:?})",
        refused.unwrap_err()
    );

    // Those credentials sign for moto, from the cache.
    let sts = session.client("sts").unwrap();
    let mut body = [0u8; 64];
    let mut r = ops::sts::get_caller_identity(&sts, &mut body).unwrap();
    r.set_response_buffer(leak([0u8; 2048]));
    send(t, clock, &sts, &mut r).await.unwrap();
    let who = ops::sts::parse_get_caller_identity(r.response_body()).unwrap();
    assert!(
        who.arn.to_string().contains(":assumed-role/device-role/"),
        "{who:?}"
    );
    std::println!("ok: STS GetCallerIdentity signed with the IoT provider's credentials, verified by moto: {}", who.arn);
    3
}

#[test]
fn netns_end_to_end() {
    if std::env::var("AWS_SESSION_NETNS_E2E").as_deref() != Ok("1") {
        std::println!("SKIPPED: netns end-to-end test (run scripts/netns-e2e.sh as root)");
        return;
    }
    // Unoptimized, the futures below need more than a test thread's 2 MiB of stack.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(end_to_end)
        .unwrap()
        .join()
        .unwrap();
}

fn end_to_end() {
    let akid = std::env::var("MOTO_AKID").expect("MOTO_AKID from moto.sh");
    let secret = std::env::var("MOTO_SECRET").expect("MOTO_SECRET from moto.sh");

    let trusted: &'static CertifiedIssuer<'static, KeyPair> = leak(test_ca("aws-session e2e CA"));
    let stranger = test_ca("some other CA");
    start_tls_server(trusted);
    let trusted_der: &'static [u8] = leak(trusted.der().to_vec());
    let stranger_der: &'static [u8] = leak(stranger.der().to_vec());

    let device = embassy_net_tuntap::TunTapDevice::new("tap0")
        .expect("open tap0 (run inside the namespace as root)");
    let config = NetConfig::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(Ipv4Address::new(10, 77, 0, 2), 24),
        gateway: None,
        dns_servers: heapless::Vec::new(),
    });
    let (stack, mut runner) =
        embassy_net::new(device, config, leak(StackResources::<6>::new()), 0x5EED);
    let clock: &'static WallClock = leak(WallClock::new());

    let test = async move {
        stack.wait_config_up().await;
        let mut passed = 0;

        // 1. TLS 1.3 with the test CA trusted.
        assert_eq!(
            https_get(stack, &[trusted_der]).await,
            Ok(std::vec![200, 200])
        );
        std::println!("ok: TLS 1.3 handshake against the local server with the test CA (2 requests, keep-alive)");
        passed += 1;

        // 2. Another CA only: refused.
        let err = https_get(stack, &[stranger_der]).await.unwrap_err();
        assert_eq!(
            err,
            HttpError::Tls(TlsFailure::Untrusted(CertError::UnknownAnchor))
        );
        std::println!("ok: untrusted certificate refused ({err})");
        passed += 1;

        // 3. moto: clock from Date, then signed calls.
        let buffers = leak(TcpBuffers::<8192, 4096, 2048>::new());
        let mut t = TcpTransport::new(stack, buffers, HttpConfig::default()).with_clock(clock);
        assert!(clock.now().is_err(), "the clock starts unset");
        let probe =
            HttpRequest::new(Method::Get, Scheme::Http, "10.77.0.1:5055", "/moto-api/").unwrap();
        t.begin(&probe).await.unwrap();
        let mut head = ResponseHead::new();
        t.finish(&mut head).await.unwrap();
        let mut sink = [0u8; 512];
        while AsyncTransport::read_body(&mut t, &mut sink).await.unwrap() > 0 {}
        assert!(clock.is_set(), "moto's Date header sets the clock");
        std::println!("ok: wall clock set from moto's Date header");
        passed += 1;

        let sts = moto_client(&akid, &secret, "sts").await;
        let (status, body) = call(
            &mut t,
            &sts,
            clock,
            "GetCallerIdentity",
            Method::Post,
            "/",
            b"Action=GetCallerIdentity&Version=2011-06-15",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("<Account>123456789012</Account>"), "{body}");
        std::println!("ok: STS GetCallerIdentity signed and verified by moto");
        passed += 1;

        let s3 = moto_client(&akid, &secret, "s3").await;
        let (status, body) = call(
            &mut t,
            &s3,
            clock,
            "PutObject",
            Method::Put,
            "/sigv4-test-bucket/embassy/e2e.txt",
            b"from an embassy-net stack",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = call(
            &mut t,
            &s3,
            clock,
            "GetObject",
            Method::Get,
            "/sigv4-test-bucket/embassy/e2e.txt",
            b"",
        )
        .await;
        assert_eq!((status, body.as_str()), (200, "from an embassy-net stack"));
        std::println!("ok: S3 PutObject + GetObject signed and verified by moto");
        passed += 1;

        let wrong = moto_client(&akid, "not-the-secret", "sts").await;
        let (status, body) = call(
            &mut t,
            &wrong,
            clock,
            "GetCallerIdentity",
            Method::Post,
            "/",
            b"Action=GetCallerIdentity&Version=2011-06-15",
        )
        .await;
        assert_eq!(status, 403, "{body}");
        std::println!("ok: a wrong secret is refused by moto (403)");
        passed += 1;

        // 4. An assume-role profile from flash: the device's credential cache calls STS
        //    AssumeRole (signed with the base keys) on the first request, then signs with the
        //    role's temporary credentials; moto checks both signatures.
        let session = role_session(&akid, &secret).await;
        let client = session.client("sts").unwrap();
        let mut platform = Bundle {
            transport: &mut t,
            clock,
            sleep: TimerSleep,
            entropy: TestRng(5),
        };
        for _ in 0..2 {
            let buf = leak([0u8; 4096]);
            let mut request = client
                .form_request(
                    "GetCallerIdentity",
                    "Action=GetCallerIdentity&Version=2011-06-15",
                )
                .unwrap();
            request.set_response_buffer(buf);
            client
                .send_async(&mut request, &mut platform)
                .await
                .unwrap();
            let body = String::from_utf8_lossy(request.response_body()).into_owned();
            assert!(body.contains(":assumed-role/device-role/"), "{body}");
        }
        let mut refreshes = 0;
        ROLE_CACHE.with_slot(&mut |slot| refreshes = slot.refreshes());
        assert_eq!(refreshes, 1, "one AssumeRole, then the cache");
        std::println!("ok: AssumeRole from a flash profile on the device, cached; GetCallerIdentity answers as the role");
        passed += 1;

        // 5. Core's typed operations through the device's pipeline.
        passed += typed_operations(&mut t, clock, &akid, &secret).await;
        passed += s3_streaming(&mut t, clock).await;

        // 6. The AWS IoT credentials provider over mutual TLS, then a call signed with its keys.
        passed += iot_credentials_over_tap(stack, &mut t, clock, trusted).await;
        passed
    };
    let passed = embassy_futures::block_on(async {
        match select(test, runner.run()).await {
            Either::First(n) => n,
            Either::Second(_) => unreachable!("the stack runner never returns"),
        }
    });
    std::println!("netns e2e: {passed} passed, 0 failed");
}
