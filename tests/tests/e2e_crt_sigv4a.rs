//! SigV4a against a real peer: AWS's CRT signer (aws-c-auth, through botocore and awscrt).
//!
//! 240 varied requests (half header form, half presigned) are generated deterministically (methods; paths with spaces,
//! unicode, dot segments and double slashes; queries with repeated keys, empty values and
//! reserved characters; headers with mixed case, repeated names and inner/outer whitespace; with
//! and without session tokens; region sets `*`, `us-east-1` and `us-east-1,eu-west-1`; services
//! `s3` and `execute-api`; header and presigned forms). One python process
//! (`tests/peers/crt_sigv4a.py`) signs them all with botocore's CRT SigV4a classes. For each, the
//! CRT's ECDSA signature must verify (with `p256`, not our code) under the public key we derive
//! from the access key pair, over the SHA-256 of the string to sign WE build: that proves our
//! canonical request, credential scope and key derivation equal aws-c-auth's (its nonces are
//! random, so signatures are never compared byte for byte). The CRT's algorithm, credential,
//! signed-header list, `X-Amz-Date`, `X-Amz-Region-Set`, session token, content hash and expiry
//! must equal ours too.
//!
//! Both sides are configured alike: botocore's S3 classes (single encoding, no normalization,
//! `x-amz-content-sha256`) with our `SigningSettings::s3()`, its other classes with
//! `standard()`; the peer leaves exactly our unsigned headers unsigned (botocore's own list is
//! longer). botocore's presigning classes re-serialize the query (one value per key); for some
//! cases that step runs and we sign the query it produced, for the others it is skipped so that
//! repeated keys reach the CRT. S3 paths are given as SDKs send them, fully percent-encoded
//! ([`s3_wire_path`]): the CRT's S3 mode signs the path verbatim, we decode and re-encode it.
//!
//! Three real differences were found; each case they touch is still verified, after giving our
//! signer the request as the CRT reads it, and counted in the summary (see [`Known`]):
//! aws-c-auth never signs `upgrade` and `sec-websocket-*` headers, it reads `+` in a query as a
//! literal plus where we read a space, and it drops the slash a final `.`/`..` path segment
//! leaves (`/a/b/..` is `/a` to the CRT and `/a/` to us).
//!
//! Runs with `AWS_SESSION_E2E=1` (scripts/e2e.sh) when the peers venv has awscrt
//! (`scripts/peers.sh install`); otherwise it is skipped with a notice, and fails under `CI=true`.
//! The python is `$CRT_PYTHON`, else `bin/python` of `$PEERS_VENV`, else of
//! `$PEERS_DIR/venv`, else of `${XDG_CACHE_HOME:-$HOME/.cache}/aws-session-peers/venv`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use aws_session_core::secret::{SecretKey, SessionToken};
use aws_session_core::sigv4::{
    CanonicalRequest, SignableBody, SignableRequest, Signer, SigningCredentials, SigningKeyV4a,
    SigningOutput, SigningParams, SigningSettings, StringToSign,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Headers our signer never signs; the peer is told to skip exactly these.
const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "connection",
    "expect",
    "transfer-encoding",
    "user-agent",
    "x-amzn-trace-id",
];

/// Headers a signer adds (besides `Authorization`); botocore removes stale ones before signing.
const SIGNER_HEADERS: &[&str] = &[
    "x-amz-date",
    "x-amz-region-set",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

/// The parameters a presigned URL gets.
const PRESIGN_PARAMS: &[&str] = &[
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
    "X-Amz-Region-Set",
    "X-Amz-Security-Token",
    "X-Amz-Signature",
];

/// Number of generated requests.
const CASES: usize = 240;

/// splitmix64: a small deterministic generator, so every run signs the same requests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn text(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| char::from(alphabet[self.below(alphabet.len())]))
            .collect()
    }
}

const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"];

/// Paths as sent on the wire (percent-encoded or not).
const PATHS: &[&str] = &[
    "/",
    "/a/b",
    "/a b/c",
    "/a%20b/c%2Fd",
    "/ü/ñ",
    "/%C3%BC/%E2%9C%93",
    "/photos/2024/日本.jpg",
    "/a/./b/../c",
    "/a//b//",
    "//lead",
    "/a/b/",
    "/.",
    "/..",
    "/a/b/..",
    "/./a/../../b",
    "/~user/-_.+x",
    "/a=b&c;d,e",
    "/a:b@c!$'()*",
    "/%2e%2e/x",
    "/key%25%2520",
    "/bucket/key with  two  spaces",
];

/// Raw query strings (without `?`).
const QUERIES: &[&str] = &[
    "",
    "a=1",
    "b=2&a=1",
    "a=2&a=1&a=",
    "empty=",
    "flag",
    "flag&x=",
    "k=%20v",
    "k=a+b",
    "k=%E2%9C%93",
    "k=✓",
    "r=%21%2A%27%28%29",
    "r=!*'()",
    "k=a%3Db",
    "list-type=2&prefix=a%2Fb&delimiter=%2F",
    "A=1&a=2&_=3&~=4&-=5",
    "k=v&k=v",
    "uploads",
    "versionId=3%2B4&partNumber=7",
    "x-id=GetObject&k=%7Efoo",
    "%41=upper&a=lower",
    "z=1&y=2&x=3&x=1&x=2",
    "k=%2f%2F",
    "sp=a%20%20b",
];

const HOSTS: &[&str] = &[
    "example.amazonaws.com",
    "bucket.s3.amazonaws.com",
    "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com",
    "127.0.0.1:8443",
    "api.Example.com:8080",
];

/// Extra headers, each a small group added as a whole (header form and presigned form).
const HEADER_GROUPS: &[&[(&str, &str)]] = &[
    &[("Content-Type", "application/json")],
    &[("X-Amz-Meta-Mixed", "Value")],
    &[("x-AMZ-meta-CASE", "v")],
    &[("X-Rep", "1"), ("x-rep", "2")],
    &[("X-Rep", "b"), ("Other", "o"), ("X-REP", "a")],
    &[("X-Spaces", "  a   b  c  ")],
    &[("X-Outer", "   padded   ")],
    &[("X-Empty", "")],
    &[("My-Header1", "value4,value5")],
    &[("Content-MD5", "1B2M2Y8AsgTpgAEjAECG8g==")],
    &[("User-Agent", "aws-session-test/1.0")],
    &[("Expect", "100-continue")],
    &[(
        "X-Amzn-Trace-Id",
        "Root=1-5759e988-bd862e3fe1be46a994272793",
    )],
    &[("Connection", "keep-alive")],
    &[("TE", "trailers")],
    &[("Upgrade", "h2c")],
    &[
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
    ],
    &[("Sec-WebSocket-Protocol", "mqtt")],
    &[("Cache-Control", "no-cache"), ("Range", "bytes=0-9")],
    &[("x-amz-meta-quote", "\"quoted\"  value")],
];

/// Headers a header-form request may carry from an earlier attempt; both signers replace them.
const STALE_GROUPS: &[&[(&str, &str)]] = &[
    &[("X-Amz-Date", "20000101T000000Z")],
    &[("Authorization", "AWS4-HMAC-SHA256 stale")],
    &[("X-Amz-Security-Token", "stale-token")],
    &[("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")],
];

const BODIES: &[&str] = &["", "hello", "{\"json\": 1}", "ü✓ unicode", "a=b&c=d"];
const REGION_SETS: &[&str] = &["*", "us-east-1", "us-east-1,eu-west-1"];
const SERVICES: &[&str] = &["s3", "execute-api"];
const EXPIRIES: &[u32] = &[1, 60, 900, 3600, 604_800];
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=";

/// One generated request and how to sign it.
#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    scheme: &'static str,
    host: &'static str,
    path: String,
    query: &'static str,
    headers: Vec<(String, String)>,
    body: &'static str,
    service: &'static str,
    region_set: &'static str,
    time: u64,
    access_key_id: String,
    secret: String,
    session_token: Option<String>,
    presign_expires: Option<u32>,
    unsigned_payload: bool,
    rewrite_query: bool,
}

impl Case {
    fn url(&self) -> String {
        let mut url = format!("{}://{}{}", self.scheme, self.host, &self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(self.query);
        }
        url
    }

    fn to_json(&self) -> Value {
        json!({
            "method": self.method,
            "url": self.url(),
            "headers": self.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
            "body": self.body,
            "service": self.service,
            "region_set": self.region_set,
            "time": self.time,
            "access_key_id": self.access_key_id,
            "secret": self.secret,
            "session_token": self.session_token,
            "s3": self.service == "s3",
            "unsigned_payload": self.unsigned_payload,
            "presign_expires": self.presign_expires,
            "rewrite_query": self.rewrite_query,
            "skip_headers": UNSIGNED_HEADERS,
        })
    }
}

/// True when a query has a key twice (botocore's query re-serialization would drop one).
fn has_repeated_key(query: &str) -> bool {
    let keys: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split('=').next().unwrap_or(""))
        .collect();
    (1..keys.len()).any(|i| keys[..i].contains(&keys[i]))
}

/// An S3 path as SDKs send it: valid escapes decoded, then every byte but the unreserved ones
/// and `/` percent-encoded (upper-case hex). The CRT's S3 mode signs the path verbatim and we
/// decode and re-encode it; on such a path both give the same text.
fn s3_wire_path(path: &str) -> String {
    let decoded = decode(path);
    let mut out = String::new();
    for b in decoded.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The CRT's path normalization (most services): dot segments removed and empty segments
/// dropped, a trailing slash only when the path as given ends with one. Ours (RFC 3986
/// remove_dot_segments) keeps the slash a final `.` or `..` segment leaves: `/a/b/..` is `/a/`
/// for us and `/a` for the CRT.
fn crt_normalized_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    if path.ends_with('/') && out != "/" {
        out.push('/');
    }
    out
}

/// A difference between the CRT and us that the test accounts for by giving our signer the
/// request as the CRT reads it; each is counted and shown in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    /// aws-c-auth never signs `upgrade` and `sec-websocket-key` / `-protocol` / `-version`
    /// (its own skip list, applied beside the caller's); we sign them.
    CrtUnsignedHeader,
    /// A `+` in the query: the CRT keeps it a literal plus (`%2B`), we read it as a space (`%20`).
    QueryPlus,
    /// A path ending in a `.` or `..` segment (normalizing services): the CRT drops the slash
    /// left behind (`/a/b/..` → `/a`), we keep it (`/a/`).
    TrailingDotSegment,
}

/// Headers aws-c-auth leaves unsigned whatever the caller says, beyond our own list.
fn crt_never_signs(name: &str) -> bool {
    [
        "upgrade",
        "sec-websocket-key",
        "sec-websocket-protocol",
        "sec-websocket-version",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

/// The known differences that apply to a case.
fn known_differences(case: &Case, query: &str) -> Vec<Known> {
    let mut known = Vec::new();
    if case.headers.iter().any(|(n, _)| crt_never_signs(n)) {
        known.push(Known::CrtUnsignedHeader);
    }
    if query.contains('+') {
        known.push(Known::QueryPlus);
    }
    let last = case.path.rsplit('/').next().unwrap_or("");
    if case.service != "s3" && matches!(last, "." | "..") && crt_normalized_path(&case.path) != "/"
    {
        known.push(Known::TrailingDotSegment);
    }
    known
}

fn generate() -> Vec<Case> {
    let mut rng = Rng(0x5167_7634_6163_7274);
    let fixed_key = (
        "AKIDEXAMPLE".to_owned(),
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned(),
    );
    (0..CASES)
        .map(|i| {
            let presign = i % 2 == 1;
            let service = SERVICES[(i / 2) % SERVICES.len()];
            let host = rng.pick(HOSTS);
            let host_name = *rng.pick(&[&"Host", &"host", &"HOST"]);
            let mut headers = vec![(host_name.to_owned(), host.to_owned())];
            for _ in 0..rng.below(4) {
                let group = rng.pick(HEADER_GROUPS);
                headers.extend(
                    group
                        .iter()
                        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
                );
            }
            let token_len = 24 + rng.below(80);
            let session_token = rng.chance(2).then(|| rng.text(TOKEN_CHARS, token_len));
            if !presign && rng.chance(4) {
                let group = rng.pick(STALE_GROUPS);
                // Without a session token the signer does not own `X-Amz-Security-Token`: a
                // stale one is an ordinary header to us, and botocore deletes it.
                let stale_token = group[0].0 == "X-Amz-Security-Token";
                if session_token.is_some() || !stale_token {
                    headers.extend(
                        group
                            .iter()
                            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
                    );
                }
            }
            // The Host header first or last.
            if rng.chance(3) {
                headers.rotate_left(1);
            }
            let query = rng.pick(QUERIES);
            let rewrite_query = presign && i % 3 == 0 && !has_repeated_key(query);
            let unsigned_payload = !presign && rng.chance(5);
            let (access_key_id, secret) = if rng.chance(4) {
                fixed_key.clone()
            } else {
                let prefix = *rng.pick(&[&"AKIA", &"ASIA"]);
                (
                    format!("{prefix}{}", rng.text(ALNUM, 16)),
                    rng.text(SECRET_CHARS, 40),
                )
            };
            Case {
                method: rng.pick(METHODS),
                scheme: if unsigned_payload { "https" } else { "http" },
                host,
                path: if service == "s3" {
                    s3_wire_path(rng.pick(PATHS))
                } else {
                    rng.pick(PATHS).to_owned()
                },
                query,
                headers,
                // botocore moves a presigned request's form body into the query when it
                // re-serializes the query; those cases have no body.
                body: if rewrite_query { "" } else { rng.pick(BODIES) },
                service,
                region_set: REGION_SETS[i % REGION_SETS.len()],
                // 2015-08-30 plus up to ten years.
                time: 1_440_938_160 + rng.next() % (10 * 365 * 86_400),
                access_key_id,
                secret,
                session_token,
                presign_expires: presign.then(|| EXPIRIES[rng.below(EXPIRIES.len())]),
                unsigned_payload,
                rewrite_query,
            }
        })
        .collect()
}

/// The peers venv's python, if it has botocore and awscrt; `None` (skip) otherwise, a panic
/// under `CI=true`.
fn crt_python() -> Option<PathBuf> {
    let python = std::env::var_os("CRT_PYTHON")
        .filter(|v| !v.is_empty())
        .map_or_else(aws_session_tests::peers_python, PathBuf::from);
    let usable = Command::new(&python)
        .args(["-c", "import awscrt, botocore.auth, botocore.crt.auth"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if usable {
        return Some(python);
    }
    aws_session_testdata::missing(format_args!(
        "no python with botocore and awscrt at {} (run scripts/peers.sh install, or set CRT_PYTHON)",
        python.display()
    ));
    None
}

/// Signs every case with the CRT in one python process.
fn crt_sign(python: &PathBuf, cases: &[Case]) -> Vec<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peers/crt_sigv4a.py");
    let input = Value::Array(cases.iter().map(Case::to_json).collect()).to_string();
    let mut child = Command::new(python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the CRT peer");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write requests to the CRT peer");
    let out = child.wait_with_output().expect("CRT peer output");
    assert!(
        out.status.success(),
        "CRT peer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).expect("CRT peer JSON");
    assert_eq!(results.len(), cases.len(), "one CRT result per request");
    results
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// What the CRT produced for one request, in the shape of our `SigningInstructions`.
#[derive(Debug, Default)]
struct CrtSigned {
    algorithm: String,
    credential: String,
    signed_headers: String,
    signature: String,
    /// `X-Amz-*` headers (lower-case names) or presigned query parameters (encoded), without
    /// the signature.
    added: Vec<(String, String)>,
}

/// Splits `AWS4-ECDSA-P256-SHA256 Credential=.., SignedHeaders=.., Signature=..`.
fn parse_authorization(value: &str, into: &mut CrtSigned) -> Result<(), String> {
    let (algorithm, rest) = value
        .split_once(' ')
        .ok_or_else(|| format!("bad Authorization {value:?}"))?;
    into.algorithm = algorithm.to_owned();
    for part in rest.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| format!("bad Authorization part {part:?}"))?;
        match k {
            "Credential" => v.clone_into(&mut into.credential),
            "SignedHeaders" => v.clone_into(&mut into.signed_headers),
            "Signature" => v.clone_into(&mut into.signature),
            _ => return Err(format!("unknown Authorization part {part:?}")),
        }
    }
    Ok(())
}

/// Percent-decodes a query component (the CRT's credential and signed headers are encoded).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let escaped = (b[i] == b'%')
            .then(|| s.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads the CRT's result: the headers it added (header form) or the parameters it appended to
/// the query it was given (presigned form).
fn parse_crt(case: &Case, result: &Value) -> Result<(CrtSigned, String), String> {
    if let Some(e) = result.get("error") {
        return Err(format!("the CRT refused to sign: {e}"));
    }
    let sent_query = result["sent_query"].as_str().unwrap_or("").to_owned();
    let mut crt = CrtSigned::default();
    if case.presign_expires.is_none() {
        for h in result["headers"].as_array().into_iter().flatten() {
            let (name, value) = (
                h[0].as_str().unwrap_or("").to_ascii_lowercase(),
                h[1].as_str().unwrap_or(""),
            );
            if name == "authorization" {
                parse_authorization(value, &mut crt)?;
            } else if SIGNER_HEADERS.contains(&name.as_str()) {
                crt.added.push((name, value.to_owned()));
            }
        }
    } else {
        let url = result["url"].as_str().unwrap_or("");
        let query = url.split_once('?').map_or("", |(_, q)| q);
        // The CRT writes the whole query back (a bare `flag` becomes `flag=`), then its own
        // parameters.
        let at = query
            .find("X-Amz-Algorithm=")
            .ok_or_else(|| format!("no X-Amz-Algorithm in the signed URL {url}"))?;
        let own = &query[at..];
        for param in own.split('&') {
            if !PRESIGN_PARAMS.contains(&param.split('=').next().unwrap_or("")) {
                return Err(format!(
                    "unexpected parameter {param:?} in the signed URL {url}"
                ));
            }
            let (k, v) = param.split_once('=').unwrap_or((param, ""));
            match k {
                "X-Amz-Algorithm" => crt.algorithm = decode(v),
                "X-Amz-Credential" => crt.credential = decode(v),
                "X-Amz-SignedHeaders" => crt.signed_headers = decode(v),
                "X-Amz-Signature" => v.clone_into(&mut crt.signature),
                _ => {}
            }
            if k != "X-Amz-Signature" {
                crt.added.push((k.to_owned(), v.to_owned()));
            }
        }
    }
    crt.added.sort();
    Ok((crt, sent_query))
}

/// Signs the case ourselves and checks the CRT's result against ours. Returns the failure text.
fn check(case: &Case, result: &Value, known: &[Known]) -> Result<(), String> {
    let (crt, mut query) = parse_crt(case, result)?;
    let mut path = case.path.clone();
    if known.contains(&Known::QueryPlus) {
        query = query.replace('+', "%2B");
    }
    if known.contains(&Known::TrailingDotSegment) {
        path = crt_normalized_path(&path);
    }

    let secret = SecretKey::new(&case.secret, Field::SecretAccessKey).map_err(|e| e.to_string())?;
    let token = match &case.session_token {
        Some(t) => Some(SessionToken::new(t, Field::SessionToken).map_err(|e| e.to_string())?),
        None => None,
    };
    let mut settings = if case.service == "s3" {
        SigningSettings::s3()
    } else {
        SigningSettings::standard()
    }
    .sigv4a();
    // botocore (not S3) takes an `X-Amz-Content-SHA256` already on the request as the payload
    // hash and sends it again: here always `UNSIGNED-PAYLOAD`.
    let given_hash = case.service != "s3"
        && case.presign_expires.is_none()
        && case
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("x-amz-content-sha256"));
    let unsigned = case.unsigned_payload || given_hash;
    let body = if case.presign_expires.is_some() && case.service == "s3" || unsigned {
        SignableBody::Unsigned
    } else {
        SignableBody::Bytes(case.body.as_bytes())
    };
    if unsigned {
        // botocore sends `x-amz-content-sha256: UNSIGNED-PAYLOAD` whenever the payload is not
        // hashed.
        settings.content_sha256_header = true;
    }
    if let Some(expires) = case.presign_expires {
        settings = settings.presigned(expires);
    }
    let params = SigningParams {
        credentials: SigningCredentials {
            access_key_id: &case.access_key_id,
            secret: &secret,
            session_token: token.as_ref(),
        },
        region: case.region_set,
        service: case.service,
        time: UnixTime::from_secs(case.time),
        settings,
    };
    let headers: Vec<(&str, &str)> = case
        .headers
        .iter()
        .filter(|(n, _)| !(known.contains(&Known::CrtUnsignedHeader) && crt_never_signs(n)))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = SignableRequest::new(case.method, &path, &query, &headers, body);

    let creq = CanonicalRequest::new(&request, &params)
        .map_err(|e| format!("we refuse to sign what the CRT signed: {e}"))?;
    let creq_text = creq.to_string();
    let creq_hash: [u8; 64] = hex(&Sha256::digest(creq_text.as_bytes()))
        .into_bytes()
        .try_into()
        .map_err(|_| "hash length")?;
    let sts = StringToSign::for_request(creq.scope(), &creq_hash).to_string();
    let digest = Sha256::digest(sts.as_bytes());
    let context =
        || format!("\n--- our canonical request\n{creq_text}\n--- our string to sign\n{sts}");

    let (x, y) = SigningKeyV4a::derive(&case.access_key_id, &secret)
        .map_err(|e| e.to_string())?
        .public_key();
    let point = p256::Sec1Point::from_affine_coordinates(&x.into(), &y.into(), false);
    let key = VerifyingKey::from_sec1_point(&point).map_err(|e| format!("public key: {e}"))?;
    let verifies = |signature_hex: &str| {
        hex_bytes(signature_hex)
            .and_then(|der| Signature::from_der(&der).ok())
            .is_some_and(|sig| key.verify_prehash(&digest, &sig).is_ok())
    };
    let mut problems = Vec::new();
    if !verifies(&crt.signature) {
        problems.push("the CRT's signature does not verify over our string to sign".to_owned());
    }

    let mut signer: Signer = Signer::new();
    let mut out = SigningOutput::new();
    let ours = signer
        .sign(&request, &params, &mut out)
        .map_err(|e| format!("our signer failed: {e}"))?;
    if !verifies(ours.signature()) {
        problems.push("our own signature does not verify".to_owned());
    }
    let mut added: Vec<(String, String)> = if case.presign_expires.is_some() {
        let mut q = String::new();
        ours.write_query(&mut q).map_err(|e| e.to_string())?;
        q.split('&')
            .filter(|p| !p.starts_with("X-Amz-Signature="))
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect()
    } else {
        ours.headers()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
            .collect()
    };
    added.sort();
    for (what, c, o) in [
        ("algorithm", crt.algorithm.as_str(), ours.algorithm()),
        ("credential", &crt.credential, ours.credential()),
        ("signed headers", &crt.signed_headers, ours.signed_headers()),
    ] {
        if c != o {
            problems.push(format!("{what} differ: CRT {c:?}, ours {o:?}"));
        }
    }
    if crt.added != added {
        problems.push(format!(
            "added {} differ\n  CRT  {:?}\n  ours {added:?}",
            if case.presign_expires.is_some() {
                "query parameters"
            } else {
                "headers"
            },
            crt.added,
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!("{}{}", problems.join("\n"), context()))
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs botocore with awscrt (scripts/peers.sh install); run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn crt_sigv4a_signatures_verify_over_our_string_to_sign() {
    let Some(python) = crt_python() else {
        return;
    };
    let cases = generate();
    let results = crt_sign(&python, &cases);
    let mut failures = Vec::new();
    let (mut header_form, mut presigned_form) = (0, 0);
    let mut accounted: Vec<(Known, usize, String)> = Vec::new();
    for (i, (case, result)) in cases.iter().zip(&results).enumerate() {
        let known = known_differences(case, result["sent_query"].as_str().unwrap_or(""));
        match check(case, result, &known) {
            Ok(()) => {
                if case.presign_expires.is_some() {
                    presigned_form += 1;
                } else {
                    header_form += 1;
                }
                for k in known {
                    match accounted.iter_mut().find(|(a, _, _)| *a == k) {
                        Some((_, n, _)) => *n += 1,
                        None => accounted.push((
                            k,
                            1,
                            format!("{} {} {:?}", case.method, case.url(), case.headers),
                        )),
                    }
                }
            }
            Err(e) => failures.push(format!(
                "case {i}: {e}\n--- request\n{}\n--- CRT\n{result}",
                serde_json::to_string_pretty(&case.to_json()).unwrap_or_default()
            )),
        }
    }
    println!(
        "CRT SigV4a differential: {header_form} header-form and {presigned_form} presigned-form requests verified ({} disagreements)",
        failures.len()
    );
    for (k, n, example) in &accounted {
        println!(
            "  known difference {k:?}: {n} requests verified as the CRT reads them, e.g. {example}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} requests disagree with the CRT:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
