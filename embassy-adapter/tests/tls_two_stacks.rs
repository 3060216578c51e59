//! TLS 1.3 between two embassy-net stacks joined in memory: a rustls server with a certificate
//! from a test CA (made at test time with rcgen) on stack B, our `tls::connect` on stack A.
#![cfg(feature = "tls")]

mod common;

use std::string::String;
use std::vec::Vec;

use aws_session_core::http::{HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::platform::{AsyncTransport, Error as _, ErrorKind};
use aws_session_embassy::http::{HttpConfig, HttpError, TlsFailure};
use aws_session_embassy::tls::{self, CertError, ClockPolicy, Target, TlsBuffers, TrustAnchors};
use common::{leak, test_ca, TestRng, SERVER};
use embassy_net::{IpAddress, Stack};
use rcgen::{CertificateParams, KeyPair};

/// A test CA and a server certificate it issued for `tls.test`.
struct Pki {
    ca: Vec<u8>,
    /// What the server sends: its certificate first.
    chain: Vec<Vec<u8>>,
    leaf_key: Vec<u8>,
}

fn pki(names: &[&str]) -> Pki {
    let ca = test_ca("aws-session test CA");
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(names.iter().map(|s| String::from(*s)).collect::<Vec<_>>()).unwrap();
    let leaf = params.signed_by(&key, &ca).unwrap();
    Pki {
        ca: ca.der().to_vec(),
        chain: vec![leaf.der().to_vec()],
        leaf_key: key.serialize_der(),
    }
}

/// A TLS 1.3 server (rustls, sans-IO) on port 8443 answering every request with `200 hello`.
async fn tls_server(stack: Stack<'static>, chain: Vec<Vec<u8>>, key: Vec<u8>) {
    let hello = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    common::rustls_server(
        stack,
        common::server_config(chain, key),
        hello,
        |_| {},
        |_| {},
    )
    .await
}

async fn get(conn: &mut tls::HttpsConnection<'_>, host: &str) -> Result<(u16, String), HttpError> {
    let req = HttpRequest::new(Method::Get, Scheme::Https, host, "/").unwrap();
    conn.begin(&req).await?;
    let mut head = ResponseHead::new();
    conn.finish(&mut head).await?;
    let mut body = [0u8; 64];
    let mut len = 0;
    loop {
        let n = conn.read_body(&mut body[len..]).await?;
        if n == 0 {
            break;
        }
        len += n;
    }
    Ok((
        head.status(),
        String::from_utf8(body[..len].to_vec()).unwrap(),
    ))
}

/// Connects to `name:8443` at 10.0.0.2 trusting `anchors` and sends two GETs on the connection.
/// No clock is registered: validity is checked as of the build time (the test certificates are
/// valid from 1975 to 4096).
fn attempt(
    pki: &Pki,
    name: &'static str,
    anchors: Vec<Vec<u8>>,
) -> Result<Vec<(u16, String)>, HttpError> {
    attempt_with(
        pki,
        name,
        anchors,
        ClockPolicy::BuildTimeLowerBound(tls::BUILD_TIME),
    )
}

fn attempt_with(
    pki: &Pki,
    name: &'static str,
    anchors: Vec<Vec<u8>>,
    clock: ClockPolicy,
) -> Result<Vec<(u16, String)>, HttpError> {
    let (leaf, key) = (pki.chain.clone(), pki.leaf_key.clone());
    let anchors: &'static Vec<Vec<u8>> = leak(anchors);
    let refs: &'static [&'static [u8]] =
        leak(anchors.iter().map(|a| a.as_slice()).collect::<Vec<_>>()).as_slice();
    common::run(
        async move |server| tls_server(server, leaf, key).await,
        async move |net| {
            let buffers = leak(TlsBuffers::<4096, 2048, 16640, 2048, 1024>::new());
            let host: &'static str = leak(format!("{name}:8443"));
            let target = Target {
                host,
                address: Some(IpAddress::Ipv4(SERVER)),
            };
            let trust = TrustAnchors::new(refs).with_clock_policy(clock);
            let mut conn = tls::connect(
                net,
                buffers,
                &target,
                &trust,
                TestRng(0x9E37_79B9_7F4A_7C15),
                HttpConfig::default(),
            )
            .await?;
            let first = get(&mut conn, host).await?;
            let second = get(&mut conn, host).await?;
            conn.close().await;
            Ok(vec![first, second])
        },
    )
}

#[test]
fn handshake_with_the_test_ca_succeeds_and_keeps_alive() {
    let pki = pki(&["tls.test"]);
    let ca = pki.ca.clone();
    assert_eq!(
        attempt(&pki, "tls.test", vec![ca]).unwrap(),
        [(200, "hello".into()), (200, "hello".into())]
    );
}

#[test]
fn a_second_anchor_is_found() {
    let pki = pki(&["tls.test"]);
    let other = test_ca("aws-session test CA").der().to_vec();
    assert_eq!(
        attempt(&pki, "tls.test", vec![other, pki.ca.clone()])
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn an_untrusted_certificate_fails_the_handshake() {
    let pki = pki(&["tls.test"]);
    let other = test_ca("aws-session test CA").der().to_vec();
    let err = attempt(&pki, "tls.test", vec![other]).unwrap_err();
    // The other CA has the same name, so the path is tried and its signature fails.
    assert_eq!(
        (err, err.kind()),
        (
            HttpError::Tls(TlsFailure::Untrusted(CertError::BadSignature)),
            ErrorKind::Tls
        )
    );
}

#[test]
fn a_certificate_for_another_name_fails_the_handshake() {
    let pki = pki(&["other.test"]);
    let err = attempt(&pki, "tls.test", vec![pki.ca.clone()]).unwrap_err();
    assert_eq!(
        err,
        HttpError::Tls(TlsFailure::Untrusted(CertError::WrongHost))
    );
}

#[test]
fn no_anchors_trusts_nothing() {
    let pki = pki(&["tls.test"]);
    assert_eq!(
        attempt(&pki, "tls.test", vec![]).unwrap_err(),
        HttpError::Tls(TlsFailure::Untrusted(CertError::UnknownAnchor))
    );
}

#[test]
fn an_unset_clock_refuses_by_default() {
    let pki = pki(&["tls.test"]);
    assert_eq!(
        attempt_with(&pki, "tls.test", vec![pki.ca.clone()], ClockPolicy::Refuse).unwrap_err(),
        HttpError::Tls(TlsFailure::Untrusted(CertError::ClockNotSet))
    );
}

/// An AWS-shaped RSA chain (leaf with many names, intermediate, root cross-signed by a second
/// root) from a rustls server with an RSA key: path building to the second root, PKCS#1
/// certificate signatures and the RSA-PSS CertificateVerify, with no heap on our side. RSA keys
/// come from `openssl genpkey` (skipped with a notice without it, failing under `CI=true`).
#[cfg(feature = "tls-rsa")]
#[test]
fn an_aws_shaped_rsa_chain_is_trusted_through_a_cross_signed_root() {
    use rcgen::{BasicConstraints, IsCa, Issuer, PKCS_RSA_SHA256};
    let rsa = || -> Option<KeyPair> {
        // genpkey writes PKCS#1 DER; ring wants PKCS#8.
        let out = std::process::Command::new("sh")
            .args([
                "-c",
                "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
                          | openssl pkcs8 -topk8 -nocrypt -outform DER",
            ])
            .output();
        match out {
            Ok(o) if o.status.success() => Some(
                KeyPair::from_pkcs8_der_and_sign_algo(
                    &o.stdout.as_slice().into(),
                    &PKCS_RSA_SHA256,
                )
                .unwrap(),
            ),
            _ => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "`openssl` is needed for the RSA TLS test under CI=true"
                );
                eprintln!("NOTICE: `openssl` not found; skipping the RSA TLS test");
                None
            }
        }
    };
    let ca = |cn: &str| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        p
    };
    let (Some(key_a), Some(key_b), Some(key_i), Some(key_l)) = (rsa(), rsa(), rsa(), rsa()) else {
        return;
    };
    let (params_a, params_b) = (ca("Test Root CA 1"), ca("Test Services Root G2"));
    let root_b = params_b.self_signed(&key_b).unwrap();
    let a_by_b = params_a
        .signed_by(&key_a, &Issuer::from_params(&params_b, &key_b))
        .unwrap();
    let params_i = ca("Test RSA 2048 M01");
    let inter = params_i
        .signed_by(&key_i, &Issuer::from_params(&params_a, &key_a))
        .unwrap();
    let mut names = vec![String::from("tls.test")];
    names.extend((0..100).map(|i| format!("*.r{i}.tls.test")));
    let leaf = CertificateParams::new(names)
        .unwrap()
        .signed_by(&key_l, &Issuer::from_params(&params_i, &key_i))
        .unwrap();
    let pki = Pki {
        ca: root_b.der().to_vec(),
        chain: vec![
            leaf.der().to_vec(),
            a_by_b.der().to_vec(),
            inter.der().to_vec(),
        ],
        leaf_key: key_l.serialize_der(),
    };
    assert_eq!(
        attempt(&pki, "tls.test", vec![pki.ca.clone()]).unwrap(),
        [(200, "hello".into()), (200, "hello".into())]
    );
}
