//! A test PKI shaped like AWS's, made at test time: every chain AWS-like servers present is
//! accepted, and each way a chain can be wrong is refused with its own error.
//!
//! RSA keys come from `openssl genpkey` (rcgen's ring backend cannot generate them); without the
//! `openssl` command the RSA cases are skipped with a notice, and fail under `CI=true`.
//! Set `TLS_VERIFY_FUZZ_SEEDS=DIR` to also write the chains as seeds for the `x509_chain` fuzz
//! target (scripts/fuzz.sh does).

use std::process::Command;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_session_tls_verify::{
    anchor_from_der, CertError, ClockPolicy, SignatureError, TrustAnchor, Verifier, MAX_CHAIN_CERTS,
};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SignatureAlgorithm, PKCS_ECDSA_P256_SHA256,
    PKCS_ECDSA_P384_SHA384, PKCS_RSA_SHA256,
};
use time::{Duration, OffsetDateTime};

const HOST: &str = "sts.amazonaws.test";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn openssl_rsa(bits: u32) -> Option<KeyPair> {
    let out = Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt"])
        .arg(format!("rsa_keygen_bits:{bits}"))
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let pem = String::from_utf8(o.stdout).unwrap();
            Some(KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &PKCS_RSA_SHA256).unwrap())
        }
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "`openssl genpkey` is needed for the RSA test PKI under CI=true"
            );
            eprintln!("NOTICE: `openssl` not found; skipping the RSA test PKI cases");
            None
        }
    }
}

fn key(alg: &'static SignatureAlgorithm) -> KeyPair {
    KeyPair::generate_for(alg).unwrap()
}

fn name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Test PKI");
    dn.push(DnType::CommonName, cn);
    dn
}

fn ca_params(cn: &str, path_len: Option<u8>) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name = name(cn);
    p.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = OffsetDateTime::now_utc() - Duration::days(365);
    p.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
    p
}

fn leaf_params(names: &[&str]) -> CertificateParams {
    let mut p =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name = name(names[0]);
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    p.not_before = OffsetDateTime::now_utc() - Duration::days(10);
    p.not_after = OffsetDateTime::now_utc() + Duration::days(300);
    p
}

/// A CA: its parameters and key, to issue from.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    /// Its self-signed certificate.
    root: Vec<u8>,
}

impl Ca {
    fn new(cn: &str, path_len: Option<u8>, key: KeyPair) -> Ca {
        let params = ca_params(cn, path_len);
        let root = params.self_signed(&key).unwrap().der().to_vec();
        Ca { params, key, root }
    }

    fn issue(&self, params: &CertificateParams, key: &KeyPair) -> Vec<u8> {
        let issuer = Issuer::from_params(&self.params, &self.key);
        params.signed_by(key, &issuer).unwrap().der().to_vec()
    }

    /// A CA issued by this one (an intermediate, or a cross-signed root's certificate).
    fn sub_ca(&self, cn: &str, path_len: Option<u8>, key: KeyPair) -> (Ca, Vec<u8>) {
        let ca = Ca::new(cn, path_len, key);
        let cert = self.issue(&ca.params, &ca.key);
        (ca, cert)
    }
}

fn anchor(der: &[u8]) -> TrustAnchor<'_> {
    anchor_from_der(der).unwrap()
}

fn verify(anchors: &[&[u8]], chain: &[&[u8]], host: &str) -> Result<(), CertError> {
    let anchors: Vec<_> = anchors.iter().map(|d| anchor(d)).collect();
    Verifier::new(&anchors)
        .verify_server(chain, host, Some(now()))
        .map(|_| ())
}

/// The leaf's 120 names: the host, then regional and wildcard names like S3's certificates.
fn many_names() -> Vec<String> {
    let mut names = vec![HOST.to_string()];
    for i in 0..60 {
        names.push(format!("s3.r{i}.aws.test"));
        names.push(format!("*.s3.r{i}.aws.test"));
    }
    names
}

/// The AWS-shaped RSA PKI: root A ("Amazon Root CA 1"), cross-signed by root B ("Starfield
/// Services Root G2"), itself cross-signed by root C; an intermediate under A; a leaf with 121
/// names.
struct RsaPki {
    root_a: Ca,
    root_b: Ca,
    root_c: Ca,
    a_by_b: Vec<u8>,
    b_by_c: Vec<u8>,
    inter: Ca,
    inter_cert: Vec<u8>,
    leaf: Vec<u8>,
    leaf_key: KeyPair,
}

impl RsaPki {
    fn chain(&self) -> Vec<&[u8]> {
        vec![&self.leaf, &self.inter_cert, &self.a_by_b, &self.b_by_c]
    }
}

fn rsa_pki() -> Option<&'static RsaPki> {
    static PKI: OnceLock<Option<RsaPki>> = OnceLock::new();
    PKI.get_or_init(|| {
        let root_c = Ca::new("Test Class 2 Root", None, openssl_rsa(2048)?);
        let root_b = Ca::new("Test Services Root G2", None, openssl_rsa(2048)?);
        let root_a = Ca::new("Test Root CA 1", None, openssl_rsa(2048)?);
        let a_by_b = root_b.issue(&root_a.params, &root_a.key);
        let b_by_c = root_c.issue(&root_b.params, &root_b.key);
        let (inter, inter_cert) = root_a.sub_ca("Test RSA 2048 M01", Some(0), openssl_rsa(2048)?);
        let leaf_key = openssl_rsa(2048)?;
        let names = many_names();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let leaf = inter.issue(&leaf_params(&names), &leaf_key);
        Some(RsaPki {
            root_a,
            root_b,
            root_c,
            a_by_b,
            b_by_c,
            inter,
            inter_cert,
            leaf,
            leaf_key,
        })
    })
    .as_ref()
}

macro_rules! rsa_pki_or_skip {
    () => {
        match rsa_pki() {
            Some(p) => p,
            None => return,
        }
    };
}

#[test]
fn aws_shaped_rsa_chain_is_accepted_through_every_root() {
    let pki = rsa_pki_or_skip!();
    let chain = pki.chain();
    let total: usize = chain.iter().map(|c| c.len()).sum();
    assert!(
        (5000..=6200).contains(&total),
        "the 4-certificate chain is {total} bytes"
    );
    // Through the cross-signatures: the path to A is the shortest, to C the longest.
    for root in [&pki.root_a.root, &pki.root_b.root, &pki.root_c.root] {
        assert_eq!(verify(&[root], &chain, HOST), Ok(()));
    }
    // Every name, wildcards in the left-most label only.
    let a = [&pki.root_a.root[..]];
    assert_eq!(verify(&a, &chain, "s3.r59.aws.test"), Ok(()));
    assert_eq!(verify(&a, &chain, "bucket.s3.r42.aws.test"), Ok(()));
    assert_eq!(
        verify(&a, &chain, "a.bucket.s3.r42.aws.test"),
        Err(CertError::WrongHost)
    );
    assert_eq!(
        verify(&a, &chain, "s3.r60.aws.test"),
        Err(CertError::WrongHost)
    );
}

#[test]
fn extra_and_out_of_order_certificates_are_tolerated() {
    let pki = rsa_pki_or_skip!();
    let stray = Ca::new("Unrelated CA", None, key(&PKCS_ECDSA_P256_SHA256));
    let chain: Vec<&[u8]> = vec![
        &pki.leaf,
        &pki.b_by_c,
        &stray.root,
        &pki.a_by_b,
        &pki.root_c.root,
        &pki.inter_cert,
    ];
    assert_eq!(verify(&[&pki.root_c.root], &chain, HOST), Ok(()));
    assert_eq!(verify(&[&pki.root_a.root], &chain, HOST), Ok(()));
    // The intermediate alone leads to root A.
    let short: Vec<&[u8]> = vec![&pki.leaf, &pki.inter_cert];
    assert_eq!(verify(&[&pki.root_a.root], &short, HOST), Ok(()));
}

#[test]
fn ecdsa_p256_and_p384_chains_are_accepted() {
    for (alg, cn, label) in [
        (&PKCS_ECDSA_P256_SHA256, "Test Root CA 3", "ecdsa-p256"),
        (&PKCS_ECDSA_P384_SHA384, "Test Root CA 4", "ecdsa-p384"),
    ] {
        let root = Ca::new(cn, None, key(alg));
        let (inter, inter_cert) = root.sub_ca("Test ECDSA Intermediate", Some(0), key(alg));
        let leaf_key = key(alg);
        let leaf = inter.issue(&leaf_params(&[HOST, "*.iot.aws.test"]), &leaf_key);
        let chain: Vec<&[u8]> = vec![&leaf, &inter_cert];
        assert_eq!(verify(&[&root.root], &chain, HOST), Ok(()), "{cn}");
        assert_eq!(verify(&[&root.root], &chain, "x-ats.iot.aws.test"), Ok(()));
        seeds(label, &root.root, &chain);
    }
    // P-384 root, P-256 intermediate and leaf (Amazon Root CA 4 over P-256 certificates).
    let root = Ca::new("Test Root CA 4", None, key(&PKCS_ECDSA_P384_SHA384));
    let (inter, inter_cert) = root.sub_ca("Test Mixed", None, key(&PKCS_ECDSA_P256_SHA256));
    let leaf = inter.issue(&leaf_params(&[HOST]), &key(&PKCS_ECDSA_P256_SHA256));
    assert_eq!(verify(&[&root.root], &[&leaf, &inter_cert], HOST), Ok(()));
}

#[test]
fn a_leaf_signed_by_another_leaf_is_refused() {
    let pki = rsa_pki_or_skip!();
    // An attacker holds a genuine leaf for a name of its own and signs a certificate for the
    // victim's host with that leaf's key.
    let attacker_key = key(&PKCS_ECDSA_P256_SHA256);
    let attacker_params = leaf_params(&["attacker.test"]);
    let attacker = pki.inter.issue(&attacker_params, &attacker_key);
    let issuer = Issuer::from_params(&attacker_params, &attacker_key);
    let forged = leaf_params(&[HOST])
        .signed_by(&key(&PKCS_ECDSA_P256_SHA256), &issuer)
        .unwrap()
        .der()
        .to_vec();
    let chain: Vec<&[u8]> = vec![&forged, &attacker, &pki.inter_cert, &pki.a_by_b];
    assert_eq!(
        verify(&[&pki.root_a.root], &chain, HOST),
        Err(CertError::NotACa)
    );
    // The attacker's own leaf is fine for its own name.
    let own: Vec<&[u8]> = vec![&attacker, &pki.inter_cert];
    assert_eq!(verify(&[&pki.root_a.root], &own, "attacker.test"), Ok(()));
}

#[test]
fn each_bad_chain_is_refused_with_its_own_error() {
    let pki = rsa_pki_or_skip!();
    let a: [&[u8]; 1] = [&pki.root_a.root];
    let under_inter = |p: CertificateParams| -> Vec<u8> { pki.inter.issue(&p, &pki.leaf_key) };
    let with =
        |leaf: &[u8]| -> Result<(), CertError> { verify(&a, &[leaf, &pki.inter_cert], HOST) };

    // Wrong host.
    assert_eq!(
        verify(&a, &pki.chain(), "sts.amazonaws.test.evil"),
        Err(CertError::WrongHost)
    );
    // Expired; not yet valid.
    let mut p = leaf_params(&[HOST]);
    p.not_before = OffsetDateTime::now_utc() - Duration::days(400);
    p.not_after = OffsetDateTime::now_utc() - Duration::days(1);
    let expired = under_inter(p);
    assert_eq!(with(&expired), Err(CertError::Expired));
    let mut p = leaf_params(&[HOST]);
    p.not_before = OffsetDateTime::now_utc() + Duration::days(2);
    let future = under_inter(p);
    assert_eq!(with(&future), Err(CertError::NotYetValid));
    // Wrong extended key usage (client authentication only).
    let mut p = leaf_params(&[HOST]);
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    assert_eq!(with(&under_inter(p)), Err(CertError::WrongUsage));
    // Path length: the intermediate allows no CA below it.
    let (sub, sub_cert) = pki
        .inter
        .sub_ca("Test Sub CA", None, key(&PKCS_ECDSA_P256_SHA256));
    let below = sub.issue(&leaf_params(&[HOST]), &key(&PKCS_ECDSA_P256_SHA256));
    assert_eq!(
        verify(&a, &[&below, &sub_cert, &pki.inter_cert], HOST),
        Err(CertError::PathLenExceeded)
    );
    // Unknown anchor.
    let other = Ca::new("Some Other Root", None, key(&PKCS_ECDSA_P256_SHA256));
    assert_eq!(
        verify(&[&other.root], &pki.chain(), HOST),
        Err(CertError::UnknownAnchor)
    );
    // Truncated and garbled DER.
    let leaf = &pki.leaf;
    assert_eq!(with(&leaf[..leaf.len() / 2]), Err(CertError::BadDer));
    assert_eq!(with(&leaf[..leaf.len() - 1]), Err(CertError::BadDer));
    let mut garbled = leaf.clone();
    garbled[0] = 0x31;
    assert_eq!(with(&garbled), Err(CertError::BadDer));
    let mut garbled = leaf.clone();
    garbled[5] ^= 0x40; // the TBS length
    assert_eq!(with(&garbled), Err(CertError::BadDer));
    // Bad signature: the leaf's last signature byte.
    let mut bad = leaf.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert_eq!(with(&bad), Err(CertError::BadSignature));
    // Bad signature on an intermediate (path building meets it on the way up).
    let mut bad_inter = pki.inter_cert.clone();
    *bad_inter.last_mut().unwrap() ^= 1;
    assert_eq!(
        verify(&a, &[leaf, &bad_inter], HOST),
        Err(CertError::BadSignature)
    );
    // Oversized chain: more certificates than MAX_CHAIN_CERTS.
    let mut long: Vec<&[u8]> = pki.chain();
    while long.len() <= MAX_CHAIN_CERTS {
        long.push(&pki.root_b.root);
    }
    assert_eq!(verify(&a, &long, HOST), Err(CertError::ChainTooLong));
    // No certificate at all; a host that is no name.
    assert_eq!(verify(&a, &[], HOST), Err(CertError::EmptyChain));
    assert_eq!(
        verify(&a, &pki.chain(), "bad host!"),
        Err(CertError::BadHostName)
    );
    // The CA certificate itself as the server's certificate.
    assert_eq!(
        verify(&a, &[&pki.inter_cert], HOST),
        Err(CertError::CaAsLeaf)
    );

    seeds("rsa", &pki.root_a.root, &pki.chain());
    seeds("rsa-forged", &pki.root_a.root, &[&expired, &pki.inter_cert]);
    seeds("rsa-long", &pki.root_c.root, &long[..MAX_CHAIN_CERTS]);
}

#[test]
fn an_unset_clock_is_refused_unless_the_build_time_policy_is_chosen() {
    let pki = rsa_pki_or_skip!();
    let anchors = [anchor(&pki.root_a.root)];
    let chain = pki.chain();
    let v = Verifier::new(&anchors);
    assert_eq!(
        v.verify_server(&chain, HOST, None).map(|_| ()),
        Err(CertError::ClockNotSet)
    );
    // Built a year ago, before every certificate of the path was issued: accepted (the time is
    // raised to the latest notBefore).
    let year_ago = now() - 365 * 86_400 - 86_400;
    let v = v.with_clock_policy(ClockPolicy::BuildTimeLowerBound(year_ago));
    assert!(v.verify_server(&chain, HOST, None).is_ok());
    // Built after the leaf expired: refused.
    let v = v.with_clock_policy(ClockPolicy::BuildTimeLowerBound(now() + 400 * 86_400));
    assert_eq!(
        v.verify_server(&chain, HOST, None).map(|_| ()),
        Err(CertError::Expired)
    );
    // A set clock wins over the policy.
    assert!(v.verify_server(&chain, HOST, Some(now())).is_ok());
}

#[test]
fn handshake_signatures_verify_with_the_leaf_key() {
    use ring::rand::SystemRandom;
    use ring::signature::{self as sig, EcdsaKeyPair, RsaKeyPair};
    let rng = SystemRandom::new();
    let transcript = [0x5au8; 32];
    let mut msg = vec![0x20u8; 64];
    msg.extend_from_slice(b"TLS 1.3, server CertificateVerify\x00");
    msg.extend_from_slice(&transcript);

    // ECDSA P-256 and P-384.
    for (alg, ring_alg, scheme) in [
        (
            &PKCS_ECDSA_P256_SHA256,
            &sig::ECDSA_P256_SHA256_ASN1_SIGNING,
            0x0403,
        ),
        (
            &PKCS_ECDSA_P384_SHA384,
            &sig::ECDSA_P384_SHA384_ASN1_SIGNING,
            0x0503,
        ),
    ] {
        let root = Ca::new("Test Root CA 3", None, key(alg));
        let leaf_key = key(alg);
        let leaf = root.issue(&leaf_params(&[HOST]), &leaf_key);
        let anchors = [anchor(&root.root)];
        let server = Verifier::new(&anchors)
            .verify_server(&[&leaf], HOST, Some(now()))
            .unwrap();
        let signer = EcdsaKeyPair::from_pkcs8(ring_alg, &leaf_key.serialize_der(), &rng).unwrap();
        let s = signer.sign(&rng, &msg).unwrap();
        assert_eq!(server.verify_tls13(scheme, &transcript, s.as_ref()), Ok(()));
        let mut t = transcript;
        t[0] ^= 1;
        assert_eq!(
            server.verify_tls13(scheme, &t, s.as_ref()),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            server.verify_tls13(0x0804, &transcript, s.as_ref()),
            Err(SignatureError::KeyMismatch)
        );
        let other = if scheme == 0x0403 { 0x0503 } else { 0x0403 };
        assert_eq!(
            server.verify_tls13(other, &transcript, s.as_ref()),
            Err(SignatureError::KeyMismatch)
        );
    }

    // RSA-PSS with SHA-256/384/512 for 2048, 3072 and 4096-bit keys; PKCS#1 is not TLS 1.3.
    let Some(pki) = rsa_pki() else { return };
    for bits in [2048u32, 3072, 4096] {
        let leaf_key = if bits == 2048 {
            KeyPair::from_pkcs8_der_and_sign_algo(
                &pki.leaf_key.serialize_der().as_slice().into(),
                &PKCS_RSA_SHA256,
            )
            .unwrap()
        } else {
            openssl_rsa(bits).unwrap()
        };
        let leaf = pki.inter.issue(&leaf_params(&[HOST]), &leaf_key);
        let anchors = [anchor(&pki.root_a.root)];
        let server = Verifier::new(&anchors)
            .verify_server(&[&leaf, &pki.inter_cert], HOST, Some(now()))
            .unwrap();
        let signer = RsaKeyPair::from_pkcs8(&leaf_key.serialize_der()).unwrap();
        for (pad, scheme) in [
            (&sig::RSA_PSS_SHA256 as &dyn sig::RsaEncoding, 0x0804u16),
            (&sig::RSA_PSS_SHA384, 0x0805),
            (&sig::RSA_PSS_SHA512, 0x0806),
        ] {
            let mut s = vec![0u8; signer.public().modulus_len()];
            signer.sign(pad, &rng, &msg, &mut s).unwrap();
            assert_eq!(
                server.verify_tls13(scheme, &transcript, &s),
                Ok(()),
                "{bits} {scheme:#x}"
            );
            s[10] ^= 1;
            assert_eq!(
                server.verify_tls13(scheme, &transcript, &s),
                Err(SignatureError::BadSignature)
            );
        }
        let mut s = vec![0u8; signer.public().modulus_len()];
        signer
            .sign(&sig::RSA_PKCS1_SHA256, &rng, &msg, &mut s)
            .unwrap();
        assert_eq!(
            server.verify_tls13(0x0401, &transcript, &s),
            Err(SignatureError::UnsupportedScheme)
        );
        // A PKCS#1 signature presented as PSS does not verify.
        assert_eq!(
            server.verify_tls13(0x0804, &transcript, &s),
            Err(SignatureError::BadSignature)
        );
        if bits == 4096 {
            seeds("rsa4096", &pki.root_a.root, &[&leaf, &pki.inter_cert]);
        }
    }
}

#[test]
fn default_anchors_are_the_aws_roots_as_mozilla_publishes_them() {
    use aws_session_tls_verify::anchors::AWS_ROOTS;
    assert_eq!(AWS_ROOTS.len(), 5);
    for ours in AWS_ROOTS {
        let theirs = webpki_roots::TLS_SERVER_ROOTS
            .iter()
            .find(|t| t.subject == ours.subject)
            .expect("an AWS root missing from webpki-roots");
        assert_eq!(theirs, ours);
    }
    // A chain of the test PKI does not verify against the AWS roots.
    let root = Ca::new("Test Root CA 3", None, key(&PKCS_ECDSA_P256_SHA256));
    let leaf = root.issue(&leaf_params(&[HOST]), &key(&PKCS_ECDSA_P256_SHA256));
    assert_eq!(
        Verifier::aws()
            .verify_server(&[&leaf], HOST, Some(now()))
            .map(|_| ()),
        Err(CertError::UnknownAnchor)
    );
}

/// Writes `anchor` and `chain` as an input of the `x509_chain` fuzz target (see its source for the
/// format) when `TLS_VERIFY_FUZZ_SEEDS` names a folder.
fn seeds(label: &str, anchor: &[u8], chain: &[&[u8]]) {
    let Ok(dir) = std::env::var("TLS_VERIFY_FUZZ_SEEDS") else {
        return;
    };
    let mut input = vec![0x01u8]; // clock set, host 0
    input.extend_from_slice(&(now() as u32).to_be_bytes());
    for der in core::iter::once(&anchor).chain(chain) {
        input.extend_from_slice(&(der.len() as u16).to_be_bytes());
        input.extend_from_slice(der);
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(std::path::Path::new(&dir).join(label), input).unwrap();
}
