//! SigV4 signing: aws-session-core against the aws-sigv4 crate, in one run.
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
//! A second table gives a lower bound per request: the least time any SigV4 signer could take
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

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use aws_session_bench::{allocs_per_call, interleaved_medians, CountingAlloc};
use aws_session_core::secret::SecretKey;
use aws_session_core::sigv4::{
    sign, CanonicalRequest, SignableBody, SignableRequest, Signer, SigningCredentials,
    SigningOutput, SigningParams, SigningSettings,
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
    let (_instructions, signature) = sign(req, params).unwrap().into_parts();
    signature
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
}

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

        // The output storage is caller-owned and reused, as the API intends.
        let mut out_cold = SigningOutput::new();
        let mut out_cached = SigningOutput::new();
        let mut signer: Signer = Signer::new();
        let mut f_floor_cold = || {
            black_box(floor_of(true));
        };
        let mut f_floor_cached = || {
            black_box(floor_of(false));
        };
        let mut f_cold = || {
            let req =
                SignableRequest::new(sc.method, sc.path, sc.query, black_box(&headers), sc.body());
            black_box(
                sign(&req, &params, &mut out_cold)
                    .unwrap()
                    .signature()
                    .len(),
            );
        };
        let mut f_cached = || {
            let req =
                SignableRequest::new(sc.method, sc.path, sc.query, black_box(&headers), sc.body());
            black_box(
                signer
                    .sign(&req, &params, &mut out_cached)
                    .unwrap()
                    .signature()
                    .len(),
            );
        };
        let mut f_aws = || {
            black_box(aws_sign(&sc, &url, &aws_params));
        };
        let mut f_sha = || {
            black_box(Sha256::digest(&sc.body));
        };
        let mut fs: Vec<&mut dyn FnMut()> = vec![
            &mut f_floor_cold,
            &mut f_floor_cached,
            &mut f_cold,
            &mut f_cached,
            &mut f_aws,
        ];
        if big {
            fs.push(&mut f_sha);
        }
        let m = interleaved_medians(batches, per_batch, &mut fs);
        let (floor_cold, floor_cached, cold, cached, aws) = (m[0], m[1], m[2], m[3], m[4]);
        if big {
            payload_sha_ns = m[5];
        }

        let (allocs_cold, _) = allocs_per_call(100, || {
            let req = SignableRequest::new(sc.method, sc.path, sc.query, &headers, sc.body());
            let mut out = SigningOutput::new();
            black_box(sign(&req, &params, &mut out).unwrap().signature().len());
        });
        let (allocs_cached, _) = allocs_per_call(100, || {
            let req = SignableRequest::new(sc.method, sc.path, sc.query, &headers, sc.body());
            black_box(
                signer
                    .sign(&req, &params, &mut out)
                    .unwrap()
                    .signature()
                    .len(),
            );
        });
        let (allocs_aws, aws_bytes) = allocs_per_call(100, || {
            black_box(aws_sign(&sc, &url, &aws_params));
        });
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
}

/// Whether a speed-up `target` is within `max`, the most any signer could reach.
fn verdict(has_target: bool, target: f64, max: f64) -> String {
    match (has_target, max >= target) {
        (false, _) => "none".into(),
        (true, true) => format!("{target}× reachable"),
        (true, false) => format!("{target}× unreachable"),
    }
}
