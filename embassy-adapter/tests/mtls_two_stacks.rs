//! Mutual TLS between two embassy-net stacks joined in memory: a rustls server that requires a
//! client certificate from a test device CA (as AWS IoT Core does) and offers AWS IoT's ALPN, on
//! stack B; our `tls::connect_with` presenting a device certificate on stack A. Every refusal is
//! checked too: no certificate, a key that does not match it, a certificate from another CA, and a
//! device key that fails to sign.
#![cfg(feature = "tls")]

mod common;

use std::string::String;
use std::sync::{Arc, Mutex};
use std::vec::Vec;

use aws_session_core::http::{HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::platform::AsyncTransport;
use aws_session_embassy::http::{HttpConfig, HttpError, TlsFailure};
use aws_session_embassy::tls::{
    self, ClientIdentity, ClockPolicy, DeviceKey, KeyError, P256Key, Target, TlsBuffers,
    TlsOptions, TrustAnchors, ALPN_IOT_HTTP,
};
use common::{leak, test_ca, TestRng, SERVER};
use embassy_net::{IpAddress, Stack};
use rcgen::{CertificateParams, KeyPair};

/// What the server saw on a connection that finished its handshake.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Seen {
    /// The client certificate (DER), if one was presented.
    client_cert: Option<Vec<u8>>,
    /// The negotiated ALPN protocol.
    alpn: Option<Vec<u8>>,
}

/// The server's PKI (a CA and a certificate for `iot.test`) and a device CA.
struct Pki {
    server_ca: Vec<u8>,
    server_chain: Vec<Vec<u8>>,
    server_key: Vec<u8>,
    device_ca: Vec<u8>,
}

/// A device certificate issued by `issuer`, and its key (PKCS#8 DER).
fn device(issuer: &rcgen::CertifiedIssuer<'static, KeyPair>) -> (Vec<u8>, Vec<u8>) {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["device-7".to_string()])
        .unwrap()
        .signed_by(&key, issuer)
        .unwrap();
    (cert.der().to_vec(), key.serialize_der())
}

/// A TLS 1.3 server on port 8443 that requires a client certificate issued by `device_ca` and
/// speaks `x-amzn-http-ca`; answers every request with `200 ok` and records what it saw.
async fn mtls_server(
    stack: Stack<'static>,
    pki: Arc<Pki>,
    seen: Arc<Mutex<Vec<Seen>>>,
    response: &'static [u8],
    requests: Arc<Mutex<Vec<String>>>,
) {
    let mut config = common::server_config_with(
        pki.server_chain.clone(),
        pki.server_key.clone(),
        Some(&pki.device_ca),
    );
    config.alpn_protocols = vec![ALPN_IOT_HTTP.to_vec()];
    common::rustls_server(
        stack,
        Arc::new(config),
        response,
        |conn| {
            seen.lock().unwrap().push(Seen {
                client_cert: conn
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .map(|c| c.to_vec()),
                alpn: conn.alpn_protocol().map(<[u8]>::to_vec),
            })
        },
        |head| requests.lock().unwrap().push(head.to_string()),
    )
    .await
}

fn pki() -> (Pki, rcgen::CertifiedIssuer<'static, KeyPair>) {
    let server_ca = test_ca("aws-session test server CA");
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["iot.test".to_string()])
        .unwrap()
        .signed_by(&key, &server_ca)
        .unwrap();
    let device_ca = test_ca("aws-session test device CA");
    (
        Pki {
            server_ca: server_ca.der().to_vec(),
            server_chain: vec![leaf.der().to_vec()],
            server_key: key.serialize_der(),
            device_ca: device_ca.der().to_vec(),
        },
        device_ca,
    )
}

/// A key that cannot sign (a secure element that failed).
struct BrokenKey;

impl DeviceKey for BrokenKey {
    fn sign_p256_sha256(&mut self, _digest: &[u8; 32]) -> Result<[u8; 64], KeyError> {
        Err(KeyError)
    }
}

/// Which key the device uses.
enum Key {
    Pkcs8(Vec<u8>),
    Broken,
}

/// Connects to `iot.test:8443` presenting `identity` (certificate and key) and offering AWS
/// IoT's ALPN, sends one GET; returns its outcome and what the server saw.
fn attempt(
    pki: Pki,
    identity: Option<(Vec<u8>, Key)>,
) -> (Result<(u16, String), HttpError>, Vec<Seen>) {
    let pki = Arc::new(pki);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (server_pki, server_seen) = (pki.clone(), seen.clone());
    let anchors: &'static Vec<Vec<u8>> = leak(vec![pki.server_ca.clone()]);
    let refs: &'static [&'static [u8]] =
        leak(anchors.iter().map(|a| a.as_slice()).collect::<Vec<_>>()).as_slice();
    let result = common::run(
        async move |server| {
            let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
            mtls_server(server, server_pki, server_seen, ok, Arc::default()).await
        },
        async move |net| {
            let buffers = leak(TlsBuffers::<4096, 2048, 16640, 4096, 1024>::new());
            let host = "iot.test:8443";
            let target = Target {
                host,
                address: Some(IpAddress::Ipv4(SERVER)),
            };
            let trust = TrustAnchors::new(refs)
                .with_clock_policy(ClockPolicy::BuildTimeLowerBound(tls::BUILD_TIME));
            let mut ram_key;
            let mut broken = BrokenKey;
            let identity = match &identity {
                None => None,
                Some((cert, Key::Pkcs8(der))) => {
                    ram_key = P256Key::from_pkcs8_der(der).unwrap();
                    Some(ClientIdentity {
                        certificate: cert,
                        key: &mut ram_key as &mut dyn DeviceKey,
                    })
                }
                Some((cert, Key::Broken)) => Some(ClientIdentity {
                    certificate: cert,
                    key: &mut broken as &mut dyn DeviceKey,
                }),
            };
            let options = TlsOptions {
                trust,
                identity,
                alpn: &[ALPN_IOT_HTTP],
            };
            let mut conn = tls::connect_with(
                net,
                buffers,
                &target,
                options,
                TestRng(0x9E37_79B9_7F4A_7C15),
                HttpConfig::default(),
            )
            .await?;
            let req = HttpRequest::new(Method::Get, Scheme::Https, host, "/").unwrap();
            conn.begin(&req).await?;
            let mut head = ResponseHead::new();
            conn.finish(&mut head).await?;
            let mut body = [0u8; 16];
            let n = conn.read_body(&mut body).await?;
            conn.close().await;
            Ok((
                head.status(),
                String::from_utf8_lossy(&body[..n]).into_owned(),
            ))
        },
    );
    let seen = seen.lock().unwrap().clone();
    (result, seen)
}

#[test]
fn the_device_certificate_is_presented_and_alpn_negotiated() {
    let (pki, device_ca) = pki();
    let (cert, key) = device(&device_ca);
    let (result, seen) = attempt(pki, Some((cert.clone(), Key::Pkcs8(key))));
    assert_eq!(result.unwrap(), (200, "ok".into()));
    assert_eq!(
        seen,
        [Seen {
            client_cert: Some(cert),
            alpn: Some(ALPN_IOT_HTTP.to_vec()),
        }]
    );
}

#[test]
fn without_a_certificate_the_server_refuses() {
    let (pki, _) = pki();
    let (result, seen) = attempt(pki, None);
    assert!(
        matches!(
            result,
            Err(HttpError::Tls(_) | HttpError::Closed | HttpError::Io(_))
        ),
        "{result:?}"
    );
    assert!(seen.is_empty(), "no handshake finished: {seen:?}");
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_refused() {
    let (pki, device_ca) = pki();
    let (cert, _) = device(&device_ca);
    let (_, other_key) = device(&device_ca);
    let (result, seen) = attempt(pki, Some((cert, Key::Pkcs8(other_key))));
    assert!(result.is_err(), "{result:?}");
    assert!(seen.is_empty(), "{seen:?}");
}

#[test]
fn a_certificate_from_another_ca_is_refused() {
    let (pki, _) = pki();
    let stranger = test_ca("aws-session stranger CA");
    let (cert, key) = device(&stranger);
    let (result, seen) = attempt(pki, Some((cert, Key::Pkcs8(key))));
    assert!(result.is_err(), "{result:?}");
    assert!(seen.is_empty(), "{seen:?}");
}

#[test]
fn a_device_key_that_fails_is_reported_as_such() {
    let (pki, device_ca) = pki();
    let (cert, _) = device(&device_ca);
    let (result, seen) = attempt(pki, Some((cert, Key::Broken)));
    assert_eq!(result.unwrap_err(), HttpError::Tls(TlsFailure::ClientKey));
    assert!(seen.is_empty(), "{seen:?}");
}

#[test]
fn p256_keys_load_from_every_encoding_and_sign_verifiably() {
    use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
    let pair = KeyPair::generate().unwrap();
    let pkcs8 = pair.serialize_der();
    let mut key = P256Key::from_pkcs8_der(&pkcs8).unwrap();
    let digest = [7u8; 32];
    let rs = key.sign_p256_sha256(&digest).unwrap();
    let public = p256::ecdsa::VerifyingKey::from_sec1_bytes(pair.public_key_raw()).unwrap();
    let sig = p256::ecdsa::Signature::from_slice(&rs).unwrap();
    public.verify_prehash(&digest, &sig).unwrap();
    // Deterministic (RFC 6979 over core's SHA-256): the very signature `p256` makes with `sha2`.
    use p256::ecdsa::signature::hazmat::PrehashSigner as _;
    use p256::pkcs8::DecodePrivateKey as _;
    let theirs: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from_pkcs8_der(&pkcs8)
        .unwrap()
        .sign_prehash(&digest)
        .unwrap();
    assert_eq!(sig, theirs);
    assert!(P256Key::from_pkcs8_der(b"not a key").is_err());
    assert!(P256Key::from_sec1_der(b"\x30\x00").is_err());
    assert!(
        P256Key::from_bytes(&[0u8; 32]).is_err(),
        "zero is not a key"
    );
    assert_eq!(format!("{key:?}"), "P256Key(<secret>)");
}

/// The device's side of a run of [`over_device`]: its network, memory, target, trust and
/// identity.
struct DeviceSide {
    net: Stack<'static>,
    buffers: &'static mut TlsBuffers<4096, 2048, 16640, 4096, 1024>,
    target: Target<'static>,
    trust: TrustAnchors<'static>,
    certificate: &'static [u8],
    key: &'static mut P256Key,
}

/// Runs `run_device` as a device of `iot.test:8443` (a certificate from the server's device CA
/// and its key) while the server answers every request with `answer`. Returns what `run_device`
/// returned and the request heads the server saw.
fn over_device<T>(
    answer: &'static [u8],
    run_device: impl AsyncFnOnce(DeviceSide) -> Result<T, HttpError>,
) -> (Result<T, HttpError>, Vec<String>) {
    let (pki, device_ca) = pki();
    let (cert, key) = device(&device_ca);
    let pki = Arc::new(pki);
    let (server_pki, requests) = (pki.clone(), Arc::new(Mutex::new(Vec::new())));
    let server_requests = requests.clone();
    let anchors: &'static Vec<Vec<u8>> = leak(vec![pki.server_ca.clone()]);
    let refs: &'static [&'static [u8]] =
        leak(anchors.iter().map(|a| a.as_slice()).collect::<Vec<_>>()).as_slice();
    let outcome = common::run(
        async move |server| {
            mtls_server(server, server_pki, Arc::default(), answer, server_requests).await
        },
        async move |net| {
            run_device(DeviceSide {
                net,
                buffers: leak(TlsBuffers::new()),
                target: Target {
                    host: "iot.test:8443",
                    address: Some(IpAddress::Ipv4(SERVER)),
                },
                trust: TrustAnchors::new(refs)
                    .with_clock_policy(ClockPolicy::BuildTimeLowerBound(tls::BUILD_TIME)),
                certificate: leak(cert).as_slice(),
                key: leak(P256Key::from_pkcs8_der(&key).unwrap()),
            })
            .await
        },
    );
    let requests = requests.lock().unwrap().clone();
    (outcome, requests)
}

/// [`over_device`], with the device connected by `tls::connect_with` (offering `alpn`) before
/// `run_device` gets the connection.
fn over_device_connection<T>(
    answer: &'static [u8],
    alpn: &'static [&'static [u8]],
    run_device: impl AsyncFnOnce(tls::HttpsConnection<'static>) -> T,
) -> (Result<T, HttpError>, Vec<String>) {
    over_device(answer, async move |device| {
        let options = TlsOptions {
            trust: device.trust,
            identity: Some(ClientIdentity {
                certificate: device.certificate,
                key: device.key,
            }),
            alpn,
        };
        let conn = Box::pin(tls::connect_with(
            device.net,
            device.buffers,
            &device.target,
            options,
            TestRng(7),
            HttpConfig::default(),
        ))
        .await?;
        Ok(run_device(conn).await)
    })
}

/// The AWS IoT credentials provider's answer (its documented shape), with a `Date` one hour after
/// the build time of the device's clock.
const IOT_ANSWER: &[u8] = b"HTTP/1.1 200 OK\r\nDate: Tue, 01 Jan 2030 00:00:00 GMT\r\nContent-Type: application/json\r\nContent-Length: 158\r\n\r\n{\"credentials\":{\"accessKeyId\":\"ASIAIOTDEVICE0000001\",\"secretAccessKey\":\"iotSECRETdevice\",\"sessionToken\":\"iotTOKENdevice\",\"expiration\":\"2030-01-01T01:00:00Z\"}}";

/// A session of the IoT credentials provider sharing `cache`, from a profile as the flash store
/// gives it: endpoint, role alias and thing name (the certificate and key are the connection's).
fn iot_session(
    cache: &'static aws_session_embassy::credentials::DeviceCredentials,
) -> &'static aws_session_core::session::Session {
    let profile = "[default]\niot_credentials_endpoint = iot.test:8443\niot_role_alias = device-role\niot_thing_name = device-7\n";
    let mut session = aws_session_core::test_util::session_with_config(
        &[("AWS_REGION", "eu-west-1"), ("AWS_SDK_LOAD_CONFIG", "1")],
        profile,
    )
    .unwrap();
    session.share_credentials(cache);
    leak(session)
}

static IOT_CREDENTIALS: aws_session_embassy::credentials::DeviceCredentials =
    aws_session_embassy::credentials::DeviceCredentials::new();
static IOT_CLOCK: aws_session_embassy::clock::WallClock =
    aws_session_embassy::clock::WallClock::new();

#[test]
fn the_iot_credentials_provider_answers_a_device_over_mutual_tls() {
    use aws_session_core::credentials::{Credentials, ProviderKind};
    use aws_session_embassy::EmbassyPlatform;
    let session = iot_session(&IOT_CREDENTIALS);
    let (outcome, requests) = over_device_connection(IOT_ANSWER, &[], async move |conn| {
        let mut platform = EmbassyPlatform::new(conn, &IOT_CLOCK, TestRng(8));
        let mut first = Credentials::EMPTY;
        // Boxed: the fetch's future is large in a debug build, and the test thread's stack
        // holds everything else too.
        let kind = Box::pin(session.retrieve_credentials_async(&mut platform, &mut first)).await;
        let mut second = Credentials::EMPTY;
        let again = Box::pin(session.retrieve_credentials_async(&mut platform, &mut second)).await;
        (kind, first, again, second)
    });
    let (kind, first, again, second) = outcome.unwrap();
    assert_eq!(kind.unwrap(), ProviderKind::IotCredentials);
    assert_eq!(first.access_key_id.as_str(), "ASIAIOTDEVICE0000001");
    assert_eq!(first.expires.map(|t| t.secs()), Some(1_893_459_600));
    assert_eq!(
        again.unwrap(),
        ProviderKind::IotCredentials,
        "the cache answers the second time"
    );
    assert_eq!(second.access_key_id.as_str(), "ASIAIOTDEVICE0000001");
    assert_eq!(requests.len(), 1, "one call to the provider: {requests:?}");
    let head = requests[0].to_lowercase();
    assert!(
        head.starts_with("get /role-aliases/device-role/credentials http/1.1"),
        "{head}"
    );
    assert!(head.contains("x-amzn-iot-thingname: device-7"), "{head}");
    assert!(
        !head.contains("authorization"),
        "the certificate is the authentication: {head}"
    );
    assert!(IOT_CLOCK.is_set(), "the answer's Date set the device clock");
}

static LINK_CREDENTIALS: aws_session_embassy::credentials::DeviceCredentials =
    aws_session_embassy::credentials::DeviceCredentials::new();
static LINK_CLOCK: aws_session_embassy::clock::WallClock =
    aws_session_embassy::clock::WallClock::new();

/// The same provider through a `link::Link` made with the device identity (what the firmware
/// examples do): `connect` reports the handshake, `retrieve_credentials` fills the cache over the
/// link's connection, and the answer's `Date` sets the clock.
#[test]
fn a_link_with_the_device_identity_gets_iot_credentials() {
    use aws_session_core::credentials::{Credentials, ProviderKind};
    use aws_session_embassy::link::Link;
    use aws_session_embassy::platform::TimerSleep;
    let session = iot_session(&LINK_CREDENTIALS);
    let (outcome, requests) = over_device(IOT_ANSWER, async move |device| {
        let identity = ClientIdentity {
            certificate: device.certificate,
            key: device.key,
        };
        let mut link = Link::new(
            device.net,
            device.buffers,
            device.target,
            device.trust,
            TestRng(8),
            HttpConfig::default(),
        )
        .with_identity(identity, &[])
        .with_clock(&LINK_CLOCK);
        Box::pin(link.connect()).await?;
        let mut fetched = Credentials::EMPTY;
        let kind =
            Box::pin(link.retrieve_credentials(session, &LINK_CLOCK, &TimerSleep, &mut fetched))
                .await;
        let connects = link.connects();
        Box::pin(link.close()).await;
        Ok((kind, fetched, connects))
    });
    let (kind, fetched, connects) = outcome.unwrap();
    assert_eq!(kind.unwrap(), ProviderKind::IotCredentials);
    assert_eq!(fetched.access_key_id.as_str(), "ASIAIOTDEVICE0000001");
    assert_eq!(
        connects, 1,
        "retrieve_credentials used the connection connect opened"
    );
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(
        requests[0]
            .to_lowercase()
            .contains("x-amzn-iot-thingname: device-7"),
        "{requests:?}"
    );
    assert!(
        LINK_CLOCK.is_set(),
        "the answer's Date set the device clock"
    );
}

/// What AWS IoT Core's HTTPS endpoint answers a publish.
const PUBLISHED: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n{\"message\":\"OK\",\"traceId\":\"t\"}";

static PUBLISH_CLOCK: aws_session_embassy::clock::WallClock =
    aws_session_embassy::clock::WallClock::new();

/// Publishes to IoT Core's HTTPS endpoint as a device does: authenticated by its certificate
/// (port 8443, or 443 with the `x-amzn-http-ca` ALPN protocol), the request unsigned. Returns the
/// outcome and the request heads the server saw.
fn publish_with_certificate(alpn: &'static [&'static [u8]]) -> (Result<u16, String>, Vec<String>) {
    use aws_session_core::config::{Config, ExplicitCredentials};
    use aws_session_core::ops::iot_data;
    use aws_session_embassy::EmbassyPlatform;
    let session = aws_session_core::test_util::session_with_config(
        &[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "https://iot.test:8443"),
        ],
        "[default]\n",
    )
    .unwrap();
    let session: &'static _ = leak(session);
    let unsigned: &'static Config = leak(Config {
        credentials: Some(ExplicitCredentials::Anonymous),
        ..Config::default()
    });
    let (outcome, requests) = over_device_connection(PUBLISHED, alpn, async move |conn| {
        let client = session.client_with(iot_data::SERVICE, unsigned).unwrap();
        // Every attempt reads the clock; a device has set it by now (its first response's
        // `Date`, `EmbassyPlatform::set_clock`, or SNTP).
        PUBLISH_CLOCK.set(aws_session_core::time::UnixTime::from_secs(1_893_456_000));
        let mut platform = EmbassyPlatform::new(conn, &PUBLISH_CLOCK, TestRng(10));
        let mut answer = [0u8; 128];
        let mut r = iot_data::publish(&client, "dt/device-7/temp", 1, b"{\"temp\":21.5}")
            .map_err(|e| format!("{e:?}"))?;
        r.set_response_buffer(&mut answer);
        Box::pin(client.send_async(&mut r, &mut platform))
            .await
            .map_err(|e| format!("{e:?}"))?;
        Ok(r.response.status())
    });
    (
        outcome.map_err(|e| format!("{e:?}")).and_then(|r| r),
        requests,
    )
}

#[test]
fn a_device_publishes_to_iot_core_with_its_certificate() {
    for alpn in [&[][..], &[ALPN_IOT_HTTP][..]] {
        let (outcome, requests) = publish_with_certificate(alpn);
        assert_eq!(outcome, Ok(200), "alpn {alpn:?}");
        assert_eq!(requests.len(), 1, "{requests:?}");
        let head = requests[0].to_lowercase();
        assert!(
            head.starts_with("post /topics/dt%2fdevice-7%2ftemp?qos=1 http/1.1"),
            "{head}"
        );
        assert!(head.contains("content-length: 13"), "{head}");
        assert!(!head.contains("authorization"), "unsigned: {head}");
    }
}
