//! SigV4 and SigV4a signing: aws-session-core against the aws-sigv4 crate, in one run.
//!
//! Run: `cargo bench -p aws-session-bench` (release profile; about a minute).
//!
//! Four requests, each signed by
//! * **ours, cold** — `sigv4::sign`: the signing key is derived every time (4 extra HMACs);
//! * **ours, cached** — `Signer::sign` with a warm key cache (one HMAC per signature);
//! * **aws-sigv4** — `aws_sigv4::http_request::sign` (it has no key cache);
//! * **floor** — only the cryptography any signer must do: SHA-256 of the payload (when it is
//!   hashed) and of our canonical request text, the HMACs of the key derivation (cold floor) and
//!   the HMAC of the string to sign, with the same `sha2`/`hmac` crates.
//!
//! Reported: median ns per signature (median of 101 batch means, the five measured interleaved
//! batch by batch so that load on a shared machine hits all alike), speed-up over aws-sigv4, ratio
//! to the floor, and heap allocations per signature (a counting global allocator). The two
//! signers' signatures are compared first, so both do the same work.
//!
//! A second table signs requests (i), (ii) and (iv) through the canonical entry points
//! (`sigv4::sign_canonical` cold, `Signer::sign_canonical` cached): the same request given as
//! `CanonicalParts` (our canonical request text split into its parts, less the lines the signer
//! writes itself), checked and signed. Its signature must equal ours and aws-sigv4's; it is timed
//! in the same rounds as the row above it.
//!
//! A third table gives a lower bound per request: the least time any SigV4 signer could take
//! on this machine with this SHA-256 implementation, and so the largest speed-up over aws-sigv4
//! that any signer could reach.
//! * **per block** — the cost of one SHA-256 compression at `sha2`'s best throughput: the median
//!   time to hash a 64 KiB buffer divided by its block count. The time to hash one short message
//!   (32 bytes, one block, new + update + finalize) is printed beside it to show the overhead a
//!   single call adds.
//! * **blocks** — the compressions a signer cannot avoid, counted from this run's texts. A
//!   message of `n` bytes takes `ceil((n + 9) / 64)` blocks (padding adds at least 9 bytes).
//!   Payload: `ceil((n + 9) / 64)`, or none when it is empty or not signed (the hash of nothing
//!   is a constant). Canonical request: `ceil((len + 9) / 64)`. An HMAC with a key of at most 64
//!   bytes over `m` bytes: `ceil((64 + m + 9) / 64)` for the inner hash (key block, then the
//!   message) and 2 for the outer one (key block, then the 32-byte inner digest). Cold: the four
//!   key-derivation HMACs (over the date, region, service and `aws4_request`) and the HMAC of the
//!   string to sign. Cached: only that last HMAC, with its two key blocks already absorbed.
//! * **lower bound** = blocks × per block; **max speed-up** = aws-sigv4's median / lower bound,
//!   against the targets (cold and cached; (iii) has none), marked reachable when the
//!   bound allows it. The bound counts compressions run one after another and nothing else — no
//!   text handling, no per-call overhead — so real signers stay above it.
//!
//! A fourth table signs requests (i) and (iv) with SigV4a (`AWS4-ECDSA-P256-SHA256`, region set
//! `*`; feature `sigv4a` of aws-session-core and of aws-sigv4):
//! * **ours, cold** — `sigv4::sign`: the P-256 key is derived every time (the KDF HMAC; the key
//!   keeps only the scalar, so no public key is computed);
//! * **ours, cached** — `Signer::sign`, whose cache keeps the key of the last access key pair;
//! * **aws-sigv4** — `aws_sigv4::http_request::sign` with `sign::v4a::SigningParams`. It derives
//!   the key on every call (`generate_signing_key`: the KDF HMAC only, no public key) and signs
//!   from the scalar, so it compares like with like with our cold path;
//! * **floor** — cold: the KDF HMAC (`hmac` crate) plus one ECDSA signature of a digest
//!   (`p256`'s `sign_prehash`, RFC 6979, DER); cached: the ECDSA signature alone. The two
//!   SHA-256 hashes (canonical request, string to sign) are left out: next to an ECDSA signature
//!   they are a rounding error.
//!
//! Before timing, both signers must agree on algorithm, credential, signed headers and region
//! set, and both signatures must verify over our string to sign under the derived public key
//! (our derivation, aws-sigv4's and the bare KDF give the same key). Both use RFC 6979 nonces,
//! so the signatures are also compared byte for byte ("same signature"). A second table gives
//! the parts, timed in the same rounds as each row: the ECDSA signature, the KDF HMAC, the
//! public key from the scalar, and each signer's whole key derivation. A SigV4a signature takes
//! far longer than a SigV4 one, so these are timed one call per batch (501 rounds): a batch that short rarely
//! spans a preemption, and the median stays steady on a loaded machine.
//!
//! Both signers use the same `p256` 0.14 with its precomputed base-point table (aws-sigv4 turns
//! it on; ours through aws-session-core's `sigv4a-tables`). A no_std build has no table, and each
//! base-point multiplication costs several times as much.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use aws_session_bench::{allocs_per_call, interleaved_medians, CountingAlloc};
use aws_session_core::secret::SecretKey;
use aws_session_core::sigv4::conformance::parse_canonical_request;
use aws_session_core::sigv4::{
    sign, sign_canonical, CanonicalRequest, SignableBody, SignableRequest, Signer,
    SigningCredentials, SigningOutput, SigningParams, SigningSettings,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const REGION: &str = "us-east-1";
const TIME: u64 = 1_700_000_000; // 2023-11-14T22:13:20Z

struct Scenario {
    name: &'static str,
    method: &'static str,
    host: &'static str,
    path: &'static str,
    query: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    service: &'static str,
    s3: bool,
    presign_secs: Option<u32>,
    /// The issue sets speed-up targets for this request.
    speed_target: bool,
}

impl Scenario {
    fn url(&self) -> String {
        if self.query.is_empty() {
            format!("https://{}{}", self.host, self.path)
        } else {
            format!("https://{}{}?{}", self.host, self.path, self.query)
        }
    }

    fn settings(&self) -> SigningSettings {
        let s = SigningSettings::for_service(self.service);
        match self.presign_secs {
            Some(secs) => s.presigned(secs),
            None => s,
        }
    }

    fn body(&self) -> SignableBody<'_> {
        if self.presign_secs.is_some() {
            SignableBody::Unsigned
        } else {
            SignableBody::Bytes(&self.body)
        }
    }
}

fn scenarios() -> Vec<Scenario> {
    let json: String = {
        let mut s = String::from("{\"TableName\":\"sensor-readings\",\"Item\":{");
        let mut i = 0;
        while s.len() < 1000 {
            s.push_str(&format!("\"attr{i:03}\":{{\"S\":\"value-{i:05}\"}},"));
            i += 1;
        }
        s.truncate(1021);
        s.push_str("}}");
        while s.len() < 1024 {
            s.insert(s.len() - 2, ' ');
        }
        s
    };
    assert_eq!(json.len(), 1024);
    vec![
        Scenario {
            name: "(i) STS GET, 3 headers",
            method: "GET",
            host: "sts.us-east-1.amazonaws.com",
            path: "/",
            query: "Action=GetCallerIdentity&Version=2011-06-15",
            headers: vec![
                ("host", "sts.us-east-1.amazonaws.com".into()),
                ("accept", "application/xml".into()),
                ("x-amz-user-agent", "aws-session/0.1".into()),
            ],
            body: Vec::new(),
            service: "sts",
            s3: false,
            presign_secs: None,
            speed_target: true,
        },
        Scenario {
            name: "(ii) DynamoDB POST, 1 KiB JSON",
            method: "POST",
            host: "dynamodb.us-east-1.amazonaws.com",
            path: "/",
            query: "",
            headers: vec![
                ("host", "dynamodb.us-east-1.amazonaws.com".into()),
                ("content-type", "application/x-amz-json-1.0".into()),
                ("x-amz-target", "DynamoDB_20120810.PutItem".into()),
                ("content-length", "1024".into()),
            ],
            body: json.into_bytes(),
            service: "dynamodb",
            s3: false,
            presign_secs: None,
            speed_target: true,
        },
        Scenario {
            name: "(iii) S3 PUT, 1 MiB body",
            method: "PUT",
            host: "examplebucket.s3.us-east-1.amazonaws.com",
            path: "/logs/2023/11/14/device-0042.bin",
            query: "",
            headers: vec![
                ("host", "examplebucket.s3.us-east-1.amazonaws.com".into()),
                ("content-type", "application/octet-stream".into()),
                ("content-length", "1048576".into()),
            ],
            body: (0..1_048_576u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect(),
            service: "s3",
            s3: true,
            presign_secs: None,
            speed_target: false,
        },
        Scenario {
            name: "(iv) S3 presigned GET",
            method: "GET",
            host: "examplebucket.s3.us-east-1.amazonaws.com",
            path: "/firmware/v2.4.1/image.bin",
            query: "",
            headers: vec![("host", "examplebucket.s3.us-east-1.amazonaws.com".into())],
            body: Vec::new(),
            service: "s3",
            s3: true,
            presign_secs: Some(900),
            speed_target: true,
        },
    ]
}

// ---- ours ------------------------------------------------------------------------------------------

/// One request as both signers see it.
struct Case<'a> {
    sc: &'a Scenario,
    headers: &'a [(&'a str, &'a str)],
    params: &'a SigningParams<'a>,
    url: &'a str,
    aws_params: &'a aws_sigv4::http_request::SigningParams<'a>,
}

impl Case<'_> {
    /// Median ns per signature of ours cold, ours cached (a warm `Signer`) and aws-sigv4, then
    /// of each of `others`, all timed interleaved in `(rounds, per_batch)` batches. The output
    /// storage is caller-owned and reused, as the API intends.
    fn time(&self, (rounds, per_batch): (usize, u32), others: &mut [&mut dyn FnMut()]) -> Vec<f64> {
        let mut out_cold = SigningOutput::new();
        let mut out_cached = SigningOutput::new();
        let mut signer: Signer = Signer::new();
        let mut f_cold = || {
            black_box(self.ours(None, &mut out_cold));
        };
        let mut f_cached = || {
            black_box(self.ours(Some(&mut signer), &mut out_cached));
        };
        let mut f_aws = || {
            black_box(aws_sign(self.sc, self.url, self.aws_params));
        };
        let mut fs: Vec<&mut dyn FnMut()> = vec![&mut f_cold, &mut f_cached, &mut f_aws];
        fs.extend(others.iter_mut().map(|f| &mut **f as &mut dyn FnMut()));
        interleaved_medians(rounds, per_batch, &mut fs)
    }

    /// Heap allocations per signature: ours cold, ours cached (a warm `Signer`), aws-sigv4, and
    /// the bytes aws-sigv4 requests.
    fn allocations(&self) -> [f64; 4] {
        let mut signer: Signer = Signer::new();
        let (cold, _) = allocs_per_call(100, || {
            let mut out = SigningOutput::new();
            black_box(self.ours(None, &mut out));
        });
        let mut out = SigningOutput::new();
        let (cached, _) = allocs_per_call(100, || {
            black_box(self.ours(Some(&mut signer), &mut out));
        });
        let (aws, aws_bytes) = allocs_per_call(100, || {
            black_box(aws_sign(self.sc, self.url, self.aws_params));
        });
        [cold, cached, aws, aws_bytes]
    }

    /// Signs into `out`, cold (`sigv4::sign`) or with `signer`'s key cache; the signature's
    /// length.
    fn ours(&self, signer: Option<&mut Signer>, out: &mut SigningOutput) -> usize {
        let sc = self.sc;
        let req = SignableRequest::new(
            sc.method,
            sc.path,
            sc.query,
            black_box(self.headers),
            sc.body(),
        );
        match signer {
            None => sign(&req, self.params, out),
            Some(signer) => signer.sign(&req, self.params, out),
        }
        .unwrap()
        .signature()
        .len()
    }
}

fn our_params<'a>(secret: &'a SecretKey, sc: &'a Scenario) -> SigningParams<'a> {
    SigningParams {
        credentials: SigningCredentials {
            access_key_id: AKID,
            secret,
            session_token: None,
        },
        region: REGION,
        service: sc.service,
        time: UnixTime::from_secs(TIME),
        settings: sc.settings(),
    }
}

// ---- aws-sigv4 -----------------------------------------------------------------------------------

fn aws_settings(sc: &Scenario) -> aws_sigv4::http_request::SigningSettings {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, PercentEncodingMode, SignatureLocation, SigningSettings,
        UriPathNormalizationMode,
    };
    let mut s = SigningSettings::default();
    if sc.s3 {
        s.percent_encoding_mode = PercentEncodingMode::Single;
        s.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        if sc.presign_secs.is_none() {
            s.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
    }
    if let Some(secs) = sc.presign_secs {
        s.signature_location = SignatureLocation::QueryParams;
        s.expires_in = Some(Duration::from_secs(u64::from(secs)));
    }
    s
}

fn aws_sign(
    sc: &Scenario,
    url: &str,
    params: &aws_sigv4::http_request::SigningParams<'_>,
) -> String {
    let (_instructions, signature) = aws_sign_output(sc, url, params).into_parts();
    signature
}

/// aws-sigv4's whole output: the instructions (headers or query parameters) and the signature.
fn aws_sign_output(
    sc: &Scenario,
    url: &str,
    params: &aws_sigv4::http_request::SigningParams<'_>,
) -> aws_sigv4::SigningOutput<aws_sigv4::http_request::SigningInstructions> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest};
    let body = if sc.presign_secs.is_some() {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(&sc.body)
    };
    let req = SignableRequest::new(
        sc.method,
        url,
        sc.headers.iter().map(|(k, v)| (*k, v.as_str())),
        body,
    )
    .unwrap();
    sign(req, params).unwrap()
}

// ---- floor -----------------------------------------------------------------------------------------

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <HmacSha256 as KeyInit>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

fn hex(bytes: &[u8; 32]) -> [u8; 64] {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = H[usize::from(b >> 4)];
        out[2 * i + 1] = H[usize::from(b & 15)];
    }
    out
}

/// The cryptography of one signature and nothing else.
fn floor(
    payload: Option<&[u8]>,
    creq: &[u8],
    sts_prefix: &[u8],
    service: &str,
    cold: bool,
    cached_key: &[u8; 32],
) -> [u8; 32] {
    if let Some(p) = payload {
        black_box(Sha256::digest(p));
    }
    let creq_hash = hex(&Sha256::digest(creq).into());
    let key = if cold {
        let k = hmac(
            &[b"AWS4".as_slice(), SECRET.as_bytes()].concat_array(),
            &[b"20231114"],
        );
        let k = hmac(&k, &[REGION.as_bytes()]);
        let k = hmac(&k, &[service.as_bytes()]);
        hmac(&k, &[b"aws4_request"])
    } else {
        *cached_key
    };
    hmac(&key, &[sts_prefix, &creq_hash])
}

/// "AWS4" + secret without allocating.
trait ConcatArray {
    fn concat_array(&self) -> [u8; 44];
}

impl ConcatArray for [&[u8]; 2] {
    fn concat_array(&self) -> [u8; 44] {
        let mut out = [0u8; 44];
        out[..4].copy_from_slice(self[0]);
        out[4..4 + self[1].len()].copy_from_slice(self[1]);
        out
    }
}

// ---- lower bound ---------------------------------------------------------------------------------

/// SHA-256 compressions for a message of `n` bytes: the padding adds a 0x80 byte and an 8-byte
/// length, then zeros up to a multiple of 64 bytes.
fn sha256_blocks(n: usize) -> usize {
    (n + 9).div_ceil(64)
}

/// Compressions of one HMAC-SHA-256 with a key of at most 64 bytes over `msg` bytes: the inner
/// hash takes the key block and the message, the outer one the key block and the 32-byte digest.
fn hmac_blocks(msg: usize) -> usize {
    sha256_blocks(64 + msg) + sha256_blocks(64 + 32)
}

/// The fewest SHA-256 compressions any SigV4 signer performs for one signature, (cold, cached).
/// `payload` is the length of a hashed payload (`None` when empty or unsigned: its hash is a
/// constant), `creq` that of the canonical request, `sts` that of the string to sign. Cached,
/// the signing key's two HMAC key blocks are already absorbed.
fn min_blocks(payload: Option<usize>, creq: usize, sts: usize, service: &str) -> (usize, usize) {
    let hashes = payload.map_or(0, sha256_blocks) + sha256_blocks(creq);
    let derive = ["20231114", REGION, service, "aws4_request"]
        .iter()
        .map(|m| hmac_blocks(m.len()))
        .sum::<usize>();
    let signature = hmac_blocks(sts);
    (hashes + derive + signature, hashes + signature - 2)
}

// ---- SigV4a --------------------------------------------------------------------------------------

/// The region set the SigV4a rows sign for: every region.
const REGION_SET: &str = "*";

/// The requests of the SigV4a table: (i) and (iv) of the SigV4 table.
const V4A_REQUESTS: [&str; 2] = ["(i) ", "(iv) "];

/// What a SigV4a signer tells the caller, for comparing the two signers: algorithm, credential,
/// signed headers, region set, signature (DER in hex).
#[derive(Debug, PartialEq)]
struct V4aParts {
    algorithm: String,
    credential: String,
    signed_headers: String,
    region_set: String,
    signature: String,
}

impl V4aParts {
    /// The same, signature left out: what both signers must agree on byte for byte.
    fn prefix(&self) -> (&str, &str, &str, &str) {
        (
            &self.algorithm,
            &self.credential,
            &self.signed_headers,
            &self.region_set,
        )
    }
}

fn our_v4a_parts(ins: &aws_session_core::sigv4::SigningInstructions<'_>) -> V4aParts {
    V4aParts {
        algorithm: ins.algorithm().into(),
        credential: ins.credential().into(),
        signed_headers: ins.signed_headers().into(),
        region_set: ins.region_set().unwrap_or_default().into(),
        signature: ins.signature().into(),
    }
}

/// Reads aws-sigv4's output: the `Authorization` header (header signing) or the `X-Amz-*` query
/// parameters (presigned).
fn aws_v4a_parts(
    out: &aws_sigv4::SigningOutput<aws_sigv4::http_request::SigningInstructions>,
) -> V4aParts {
    let ins = out.output();
    let header = |name: &str| {
        ins.headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_owned())
    };
    let param = |name: &str| {
        ins.params()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
            .unwrap_or_default()
    };
    match header("authorization") {
        Some(auth) => {
            let (algorithm, rest) = auth.split_once(" Credential=").unwrap();
            let (credential, rest) = rest.split_once(", SignedHeaders=").unwrap();
            let (signed_headers, signature) = rest.split_once(", Signature=").unwrap();
            V4aParts {
                algorithm: algorithm.into(),
                credential: credential.into(),
                signed_headers: signed_headers.into(),
                region_set: header("x-amz-region-set").unwrap_or_default(),
                signature: signature.into(),
            }
        }
        None => V4aParts {
            algorithm: param("X-Amz-Algorithm"),
            credential: param("X-Amz-Credential"),
            signed_headers: param("X-Amz-SignedHeaders"),
            region_set: param("X-Amz-Region-Set"),
            signature: param("X-Amz-Signature"),
        },
    }
}

/// Whether `signature` (DER in hex) is an ECDSA P-256 signature of the SHA-256 of `sts`.
fn verifies_v4a(key: &p256::ecdsa::VerifyingKey, sts: &str, signature: &str) -> bool {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    let der: Vec<u8> = (0..signature.len() / 2)
        .map(|i| u8::from_str_radix(&signature[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    p256::ecdsa::Signature::from_der(&der)
        .is_ok_and(|sig| key.verify_prehash(&Sha256::digest(sts), &sig).is_ok())
}

/// The KDF of SigV4a's key derivation alone, with the `hmac` crate: the first counter's HMAC
/// (it gives a valid key for all but about 2^-32 of key pairs), plus one.
fn kdf_v4a() -> [u8; 32] {
    let mut key = [0u8; 45];
    key[..5].copy_from_slice(b"AWS4A");
    key[5..].copy_from_slice(SECRET.as_bytes());
    let mut d = hmac(
        &key,
        &[
            b"\x00\x00\x00\x01AWS4-ECDSA-P256-SHA256\x00",
            AKID.as_bytes(),
            &[1],
            &256u32.to_be_bytes(),
        ],
    );
    for b in d.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            break;
        }
    }
    d
}

/// Median ns of the parts of a SigV4a signature, measured interleaved with the signers.
#[derive(Clone, Copy)]
struct PartsV4a {
    /// One ECDSA P-256 signature of a digest (`p256`'s `sign_prehash`, DER).
    ecdsa: f64,
    /// The key derivation's HMAC alone (`hmac` crate).
    kdf: f64,
    /// The public key from the private scalar: one base-point multiplication.
    public_key: f64,
    /// Our whole derivation, `SigningKeyV4a::derive`.
    derive_ours: f64,
    /// aws-sigv4's whole derivation, `sign::v4a::generate_signing_key`.
    derive_aws: f64,
}

struct RowV4a {
    name: &'static str,
    cold: f64,
    cached: f64,
    aws: f64,
    parts: PartsV4a,
    allocs_cold: f64,
    allocs_cached: f64,
    allocs_aws: f64,
    aws_bytes: f64,
    same_signature: bool,
}

/// Signs (i) and (iv) with SigV4a: ours cold and cached, and aws-sigv4, after checking that the
/// two signers sign the same string to sign; the parts are timed in the same rounds.
fn sigv4a_rows(
    secret: &SecretKey,
    identity: &aws_smithy_runtime_api::client::identity::Identity,
) -> Vec<RowV4a> {
    use aws_session_core::sigv4::SigningKeyV4a;
    use p256::ecdsa::signature::hazmat::PrehashSigner;

    // Our derivation, aws-sigv4's and the bare KDF give the same key pair.
    let key = SigningKeyV4a::derive(AKID, secret).unwrap();
    let (x, y) = key.public_key();
    let point = p256::Sec1Point::from_affine_coordinates(&x.into(), &y.into(), false);
    let verifying_key = p256::ecdsa::VerifyingKey::from_sec1_point(&point).unwrap();
    let scalar = aws_sigv4::sign::v4a::generate_signing_key(AKID, SECRET);
    assert_eq!(scalar.as_ref(), kdf_v4a().as_slice(), "KDF");
    let ecdsa = p256::ecdsa::SigningKey::from_slice(scalar.as_ref()).unwrap();
    assert_eq!(ecdsa.verifying_key(), &verifying_key, "key derivation");
    let digest: [u8; 32] = Sha256::digest(b"AWS4-ECDSA-P256-SHA256\n").into();

    let mut rows = Vec::new();
    for sc in scenarios()
        .into_iter()
        .filter(|sc| V4A_REQUESTS.iter().any(|p| sc.name.starts_with(p)))
    {
        let url = sc.url();
        let headers: Vec<(&str, &str)> = sc.headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let params = SigningParams {
            region: REGION_SET,
            settings: sc.settings().sigv4a(),
            ..our_params(secret, &sc)
        };
        let request = SignableRequest::new(sc.method, sc.path, sc.query, &headers, sc.body());
        let aws_params: aws_sigv4::http_request::SigningParams<'_> =
            aws_sigv4::sign::v4a::SigningParams::builder()
                .identity(identity)
                .region_set(REGION_SET)
                .name(sc.service)
                .time(SystemTime::UNIX_EPOCH + Duration::from_secs(TIME))
                .settings(aws_settings(&sc))
                .build()
                .unwrap()
                .into();

        // Same algorithm, credential, signed headers and region set, and both signatures verify
        // over our string to sign under the derived key: the two signers sign the same text.
        let mut out = SigningOutput::new();
        let ours = our_v4a_parts(&sign(&request, &params, &mut out).unwrap());
        let theirs = aws_v4a_parts(&aws_sign_output(&sc, &url, &aws_params));
        assert_eq!(
            ours.prefix(),
            theirs.prefix(),
            "{}: the signers disagree",
            sc.name
        );
        let creq = CanonicalRequest::new(&request, &params)
            .unwrap()
            .to_string();
        let sts = format!(
            "AWS4-ECDSA-P256-SHA256\n20231114T221320Z\n20231114/{}/aws4_request\n{}",
            sc.service,
            std::str::from_utf8(&hex(&Sha256::digest(&creq).into())).unwrap()
        );
        assert!(
            verifies_v4a(&verifying_key, &sts, &ours.signature),
            "{}: ours",
            sc.name
        );
        assert!(
            verifies_v4a(&verifying_key, &sts, &theirs.signature),
            "{}: aws-sigv4",
            sc.name
        );

        let case = Case {
            sc: &sc,
            headers: &headers,
            params: &params,
            url: &url,
            aws_params: &aws_params,
        };
        let mut f_ecdsa = || {
            let sig: p256::ecdsa::DerSignature = ecdsa.sign_prehash(black_box(&digest)).unwrap();
            black_box(sig);
        };
        let mut f_kdf = || {
            black_box(kdf_v4a());
        };
        let mut f_public_key = || {
            black_box(p256::ecdsa::SigningKey::from_slice(black_box(scalar.as_ref())).unwrap());
        };
        let mut f_derive_ours = || {
            black_box(SigningKeyV4a::derive(black_box(AKID), secret).unwrap());
        };
        let mut f_derive_aws = || {
            black_box(aws_sigv4::sign::v4a::generate_signing_key(
                black_box(AKID),
                SECRET,
            ));
        };
        // One call per batch: a signature takes far less than a scheduler time
        // slice, so most batches run unpreempted even on a loaded machine and the median is one.
        let m = case.time(
            (501, 1),
            &mut [
                &mut f_ecdsa,
                &mut f_kdf,
                &mut f_public_key,
                &mut f_derive_ours,
                &mut f_derive_aws,
            ],
        );

        let [allocs_cold, allocs_cached, allocs_aws, aws_bytes] = case.allocations();
        rows.push(RowV4a {
            name: sc.name,
            cold: m[0],
            cached: m[1],
            aws: m[2],
            parts: PartsV4a {
                ecdsa: m[3],
                kdf: m[4],
                public_key: m[5],
                derive_ours: m[6],
                derive_aws: m[7],
            },
            allocs_cold,
            allocs_cached,
            allocs_aws,
            aws_bytes,
            same_signature: ours.signature == theirs.signature,
        });
    }
    rows
}

fn print_sigv4a(rows: &[RowV4a]) {
    println!();
    println!(
        "SigV4a (AWS4-ECDSA-P256-SHA256, region set \"{REGION_SET}\"), median ns per signature; \
         speed-up = aws-sigv4 / ours; aws-sigv4 derives the key on every call, like our cold path; \
         floor cold = KDF HMAC + ECDSA sign, floor cached = ECDSA sign"
    );
    println!();
    println!("| request | ours cold | ours cached | aws-sigv4 | speed-up cold | speed-up cached | floor cold | floor cached | ours/floor cold | ours/floor cached | aws-sigv4/floor cold | heap allocs ours cold / cached | heap allocs aws-sigv4 | same signature |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in rows {
        let p = r.parts;
        let (floor_cold, floor_cached) = (p.kdf + p.ecdsa, p.ecdsa);
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.2}× | {:.2}× | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} | {} / {} | {:.0} ({:.0} B) | {} |",
            r.name,
            r.cold,
            r.cached,
            r.aws,
            r.aws / r.cold,
            r.aws / r.cached,
            floor_cold,
            floor_cached,
            r.cold / floor_cold,
            r.cached / floor_cached,
            r.aws / floor_cold,
            r.allocs_cold,
            r.allocs_cached,
            r.allocs_aws,
            r.aws_bytes,
            if r.same_signature { "yes" } else { "no" },
        );
    }
    println!();
    println!("SigV4a parts, median ns, timed in the same rounds as the row");
    println!();
    println!("| measured with | ECDSA P-256 sign_prehash | KDF HMAC | public key from scalar | key derivation ours | key derivation aws-sigv4 |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        let p = r.parts;
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            r.name, p.ecdsa, p.kdf, p.public_key, p.derive_ours, p.derive_aws
        );
    }
}

// ---- run -------------------------------------------------------------------------------------------

struct Row {
    name: &'static str,
    floor_cold: f64,
    floor_cached: f64,
    blocks_cold: usize,
    blocks_cached: usize,
    speed_target: bool,
    cold: f64,
    cached: f64,
    aws: f64,
    allocs_ours: f64,
    allocs_aws: f64,
    aws_bytes: f64,
    /// Through the canonical entry points, cold and cached (requests (i), (ii), (iv)).
    canonical: Option<(f64, f64)>,
}

/// The requests signed a second time through the canonical entry points.
const CANONICAL_REQUESTS: [&str; 3] = ["(i) ", "(ii) ", "(iv) "];

/// The headers and presigned query parameters a canonical request holds that canonical parts
/// leave to the signer.
const SIGNER_HEADERS: [&str; 2] = ["x-amz-date", "x-amz-content-sha256"];
const SIGNER_PARAMS: [&str; 5] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
];

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is ignored.
    let secret = SecretKey::new(SECRET, Field::SecretAccessKey).unwrap();
    let identity = aws_credential_types::Credentials::new(AKID, SECRET, None, None, "bench").into();
    let mut rows = Vec::new();
    let mut payload_sha_ns = 0.0;

    // Cost of one SHA-256 compression at full throughput, and of hashing one short message.
    let (block_ns, short_ns) = {
        let long = vec![0xa5u8; 64 * 1024];
        let short = [0x5au8; 32];
        let m = interleaved_medians(
            101,
            50,
            &mut [
                &mut || {
                    black_box(Sha256::digest(black_box(long.as_slice())));
                },
                &mut || {
                    black_box(Sha256::digest(black_box(short.as_slice())));
                },
            ],
        );
        (m[0] / sha256_blocks(long.len()) as f64, m[1])
    };

    for sc in scenarios() {
        let big = sc.body.len() > 100_000;
        let (batches, per_batch) = if big { (31, 3) } else { (101, 1000) };
        let url = sc.url();
        let headers: Vec<(&str, &str)> = sc.headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let params = our_params(&secret, &sc);
        let request = SignableRequest::new(sc.method, sc.path, sc.query, &headers, sc.body());
        let aws_settings = aws_settings(&sc);
        let aws_params: aws_sigv4::http_request::SigningParams<'_> =
            aws_sigv4::sign::v4::SigningParams::builder()
                .identity(&identity)
                .region(REGION)
                .name(sc.service)
                .time(SystemTime::UNIX_EPOCH + Duration::from_secs(TIME))
                .settings(aws_settings)
                .build()
                .unwrap()
                .into();

        // Same signature from both signers, or the comparison means nothing.
        let mut out = SigningOutput::new();
        let ours = sign(&request, &params, &mut out)
            .unwrap()
            .signature()
            .to_owned();
        let theirs = aws_sign(&sc, &url, &aws_params);
        assert_eq!(ours, theirs, "{}: the signers disagree", sc.name);

        // Floor inputs: our canonical request text and the string-to-sign prefix.
        let creq = CanonicalRequest::new(&request, &params)
            .unwrap()
            .to_string();
        let sts_prefix = format!(
            "AWS4-HMAC-SHA256\n{}\n20231114/{REGION}/{}/aws4_request\n",
            "20231114T221320Z", sc.service
        );
        let payload =
            (!sc.body.is_empty() && sc.presign_secs.is_none()).then_some(sc.body.as_slice());
        let cached_key = {
            let k = hmac(
                &[b"AWS4".as_slice(), SECRET.as_bytes()].concat_array(),
                &[b"20231114"],
            );
            let k = hmac(&k, &[REGION.as_bytes()]);
            let k = hmac(&k, &[sc.service.as_bytes()]);
            hmac(&k, &[b"aws4_request"])
        };
        let floor_of = |cold: bool| {
            floor(
                payload,
                creq.as_bytes(),
                sts_prefix.as_bytes(),
                sc.service,
                cold,
                &cached_key,
            )
        };
        // The floor's texts are the signer's own (same signature), so the counts below are exact.
        assert_eq!(
            hex(&floor_of(false)).as_slice(),
            ours.as_bytes(),
            "{}: floor texts",
            sc.name
        );
        let (blocks_cold, blocks_cached) = min_blocks(
            payload.map(<[u8]>::len),
            creq.len(),
            sts_prefix.len() + 64,
            sc.service,
        );

        let case = Case {
            sc: &sc,
            headers: &headers,
            params: &params,
            url: &url,
            aws_params: &aws_params,
        };
        let mut f_floor_cold = || {
            black_box(floor_of(true));
        };
        let mut f_floor_cached = || {
            black_box(floor_of(false));
        };
        let mut f_sha = || {
            black_box(Sha256::digest(&sc.body));
        };
        // The same request in canonical form, through the canonical entry points: same
        // signature as ours and aws-sigv4's, or the row means nothing.
        let with_canonical = CANONICAL_REQUESTS.iter().any(|p| sc.name.starts_with(p));
        // What a device writes by hand for a fixed request: our canonical request text split
        // into its parts, less the lines the signer writes itself.
        let mut part_headers = [("", ""); 8];
        let mut query_scratch = [0u8; 256];
        let mut parts = parse_canonical_request(
            &creq,
            &SIGNER_HEADERS,
            &SIGNER_PARAMS,
            &mut part_headers,
            &mut query_scratch,
        )
        .unwrap();
        parts.body = sc.body();
        if with_canonical {
            let mut out = SigningOutput::new();
            let canonical = sign_canonical(&parts, &params, &mut out).unwrap();
            assert_eq!(canonical.signature(), ours, "{}: canonical signer", sc.name);
            let mut signer: Signer = Signer::new();
            let mut out = SigningOutput::new();
            let cached = signer.sign_canonical(&parts, &params, &mut out).unwrap();
            assert_eq!(
                cached.signature(),
                theirs,
                "{}: canonical signer, cached",
                sc.name
            );
        }
        let (mut out_canon_cold, mut out_canon_cached) =
            (SigningOutput::new(), SigningOutput::new());
        let mut canon_signer: Signer = Signer::new();
        let mut f_canon_cold = || {
            let parts = black_box(&parts);
            black_box(
                sign_canonical(parts, &params, &mut out_canon_cold)
                    .unwrap()
                    .signature()
                    .len(),
            );
        };
        let mut f_canon_cached = || {
            let parts = black_box(&parts);
            black_box(
                canon_signer
                    .sign_canonical(parts, &params, &mut out_canon_cached)
                    .unwrap()
                    .signature()
                    .len(),
            );
        };
        let mut others: Vec<&mut dyn FnMut()> = vec![&mut f_floor_cold, &mut f_floor_cached];
        if big {
            others.push(&mut f_sha);
        }
        if with_canonical {
            others.push(&mut f_canon_cold);
            others.push(&mut f_canon_cached);
        }
        let m = case.time((batches, per_batch), &mut others);
        let (cold, cached, aws, floor_cold, floor_cached) = (m[0], m[1], m[2], m[3], m[4]);
        if big {
            payload_sha_ns = m[5];
        }
        let canonical = with_canonical.then(|| (m[m.len() - 2], m[m.len() - 1]));

        let [allocs_cold, allocs_cached, allocs_aws, aws_bytes] = case.allocations();
        rows.push(Row {
            name: sc.name,
            floor_cold,
            floor_cached,
            blocks_cold,
            blocks_cached,
            speed_target: sc.speed_target,
            cold,
            cached,
            aws,
            allocs_ours: allocs_cold.max(allocs_cached),
            allocs_aws,
            aws_bytes,
            canonical,
        });
    }

    println!();
    println!(
        "SigV4 signing, median ns per signature (lower is better); speed-up = aws-sigv4 / ours"
    );
    println!();
    println!("| request | ours cold | ours cached | aws-sigv4 | speed-up cold | speed-up cached | floor cold | floor cached | ours/floor cold | ours/floor cached | heap allocs ours | heap allocs aws-sigv4 |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.1}× | {:.1}× | {:.0} | {:.0} | {:.2} | {:.2} | {} | {:.0} ({:.0} B) |",
            r.name,
            r.cold,
            r.cached,
            r.aws,
            r.aws / r.cold,
            r.aws / r.cached,
            r.floor_cold,
            r.floor_cached,
            r.cold / r.floor_cold,
            r.cached / r.floor_cached,
            r.allocs_ours,
            r.allocs_aws,
            r.aws_bytes,
        );
    }
    if let Some(s3) = rows.iter().find(|r| r.name.starts_with("(iii)")) {
        println!();
        println!(
            "(iii) SHA-256 of the 1 MiB payload alone: {payload_sha_ns:.0} ns; ours cold / that = {:.3}, ours cached / that = {:.3}",
            s3.cold / payload_sha_ns,
            s3.cached / payload_sha_ns
        );
    }

    println!();
    println!(
        "SigV4 through the canonical entry points (sign_canonical cold, Signer::sign_canonical \
         cached): the same requests given in canonical form, checked and signed; same signature \
         as ours and aws-sigv4's; median ns per signature"
    );
    println!();
    println!("| request | canonical cold | canonical cached | ours cold | ours cached | aws-sigv4 | speed-up cold | speed-up cached | canonical/floor cold | canonical/floor cached | canonical / ours cold | canonical / ours cached |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let Some((cold, cached)) = r.canonical else {
            continue;
        };
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1}× | {:.1}× | {:.2} | {:.2} | {:.2} | {:.2} |",
            r.name,
            cold,
            cached,
            r.cold,
            r.cached,
            r.aws,
            r.aws / cold,
            r.aws / cached,
            cold / r.floor_cold,
            cached / r.floor_cached,
            cold / r.cold,
            cached / r.cached,
        );
    }

    println!();
    println!(
        "Lower bound: SHA-256 compressions any SigV4 signer performs × {block_ns:.1} ns per block \
         (64 KiB hashed, best case); one 32-byte message costs {short_ns:.0} ns \
         ({:.0} ns over its single block)",
        short_ns - block_ns
    );
    println!();
    println!("| request | blocks cold | blocks cached | lower bound cold | lower bound cached | aws-sigv4 | max speed-up cold | target cold | max speed-up cached | target cached |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|---:|---|");
    for r in &rows {
        let (bound_cold, bound_cached) = (
            r.blocks_cold as f64 * block_ns,
            r.blocks_cached as f64 * block_ns,
        );
        let (max_cold, max_cached) = (r.aws / bound_cold, r.aws / bound_cached);
        println!(
            "| {} | {} | {} | {:.0} | {:.0} | {:.0} | {:.1}× | {} | {:.1}× | {} |",
            r.name,
            r.blocks_cold,
            r.blocks_cached,
            bound_cold,
            bound_cached,
            r.aws,
            max_cold,
            verdict(r.speed_target, 5.0, max_cold),
            max_cached,
            verdict(r.speed_target, 12.0, max_cached),
        );
    }

    print_sigv4a(&sigv4a_rows(&secret, &identity));
}

/// Whether a speed-up `target` is within `max`, the most any signer could reach.
fn verdict(has_target: bool, target: f64, max: f64) -> String {
    match (has_target, max >= target) {
        (false, _) => "none".into(),
        (true, true) => format!("{target}× reachable"),
        (true, false) => format!("{target}× unreachable"),
    }
}
