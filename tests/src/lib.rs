//! # aws-session-tests
//!
//! End-to-end tests: the `aws-session` binary and the std adapter's `HttpsTransport` against
//! real servers that check every SigV4 signature, on 127.0.0.1 only.
//!
//! * `tests/e2e_moto.rs` — moto server: STS `GetCallerIdentity` (POST form), S3 `PutObject` /
//!   `GetObject`, DynamoDB `PutItem` / `GetItem`, SQS `SendMessage`; each succeeds with the right
//!   key and fails with `SignatureDoesNotMatch` with a wrong secret.
//! * `tests/e2e_s3s.rs` — s3s-fs (a strict S3 server): `PutObject` / `GetObject`, a presigned GET
//!   fetched with a plain HTTP client (and refused once tampered with or expired), and an
//!   aws-chunked streaming `PutObject` signed chunk by chunk with core's `ChunkSigner`.
//! * `tests/e2e_pipeline.rs` — core's request pipeline (`handlers::run_blocking`) over the std
//!   platform (`HttpsTransport`, `SystemClock`, `ThreadSleep`, `StdEntropy`) against moto, once with
//!   a hand-written Sign handler and once the way an application does it: `load_with` → session
//!   client → `Client::request`.
//! * `tests/e2e_crt_sigv4a.rs` — SigV4a against AWS's CRT signer (aws-c-auth through botocore
//!   and awscrt, `tests/peers/crt_sigv4a.py`, a local subprocess): 240 generated requests, header
//!   and presigned forms; each CRT signature must verify over our string to sign under our
//!   derived public key. It needs the peers venv, not a server: without it the test is skipped
//!   with a notice, and fails under `CI=true`.
//! * `tests/e2e_credentials.rs` — credentials that need a call: assume-role chains of 1–3 hops
//!   and MFA through the CLI against moto, web identity against a second moto with its checks off
//!   (`MOTO_NOAUTH_*`), refresh under load (16 threads, one STS call per refresh), `ExpiredToken`
//!   → expire → refresh → success, EC2 instance metadata (IMDSv2 and its faults) and the container
//!   endpoint; STS calls are counted by `tests/peers/sts_proxy.py`, the metadata endpoints are
//!   `tests/peers/imds.py` (both stdlib Python, started per test by [`PyServer`]). No secret may
//!   appear in any output but `aws-session credentials`.
//! * `tests/e2e_ops.rs` — core's typed operations (`aws_session_core::ops`) against moto: STS
//!   `GetCallerIdentity` / `AssumeRole`, DynamoDB `PutItem` / `GetItem` / `Query`, SQS
//!   `SendMessage` / `ReceiveMessage` / `DeleteMessage`, SNS `Publish`, Kinesis `PutRecord` (read
//!   back with `GetRecords`), IoT Data `Publish`; the resources they need made with `ops::raw`.
//! * `tests/e2e_s3_ops.rs` — core's typed S3 operations (`ops::s3`) against s3s-fs: `PutObject`,
//!   `HeadObject`, `GetObject` whole, ranged and streamed to a writer, `DeleteObject` and the typed
//!   not-found, `ListObjectsV2` paged with `max-keys` 1, presigned `PUT` and `GET` URLs used by a
//!   plain HTTP client (and refused when expired or for another method), and `PutObject` streamed
//!   with aws-chunked chunk signatures (a 64 MiB object generated as it is read, put and read back
//!   with the process's peak memory growing by a few MiB), and `aws-session call s3 …`.
//! * `tests/e2e_faults.rs` — faults on the wire: the std transport, through core's pipeline and
//!   retryer, reaches moto and s3s-fs through [`fault_proxy::FaultProxy`], which resets, cuts,
//!   stalls or garbles responses as the [`faults`] catalog says; every truncation point of a small
//!   `GetObject`, and a load of 8 threads × 500 requests with 5 % of connections faulted.
//!
//! ## Running them
//!
//! `scripts/e2e.sh` installs and starts the peers (`scripts/peers.sh`), runs these tests with
//! `AWS_SESSION_E2E=1`, and stops the peers. Without `AWS_SESSION_E2E=1` at build time the tests
//! are compiled as `#[ignore]`d, so `cargo test --workspace` lists each of them as
//! `ignored, end-to-end: ...` instead of running it. With it, a test whose peer variables
//! (`MOTO_*`, `S3S_*`, printed by `scripts/peers.sh start`) are missing fails.

#[cfg(unix)]
pub mod fault_proxy;
pub mod faults;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Connection details of one running peer.
#[derive(Clone)]
pub struct Peer {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Access key id the peer accepts.
    pub access_key_id: String,
    /// Its secret.
    pub secret: String,
    /// Region to sign for.
    pub region: String,
    /// A bucket that exists.
    pub bucket: String,
}

impl core::fmt::Debug for Peer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Peer")
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .finish()
    }
}

/// Reads a peer's variables (`{PREFIX}_ENDPOINT`, `_AKID`, `_SECRET`, `_BUCKET`, optional
/// `_REGION`); panics naming the missing one, since the test was asked to run.
pub fn peer(prefix: &str) -> Peer {
    let get = |name: &str| {
        let var = format!("{prefix}_{name}");
        std::env::var(&var).unwrap_or_else(|_| {
            panic!("AWS_SESSION_E2E=1 but {var} is not set: start the peers with `eval \"$(scripts/peers.sh start)\"`")
        })
    };
    let endpoint = get("ENDPOINT");
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "end-to-end peers must be on loopback, got {endpoint}"
    );
    Peer {
        endpoint,
        access_key_id: get("AKID"),
        secret: get("SECRET"),
        region: std::env::var(format!("{prefix}_REGION"))
            .unwrap_or_else(|_| "us-east-1".to_owned()),
        bucket: get("BUCKET"),
    }
}

/// A session of core from environment variables only (the peer's key pair, region and endpoint;
/// no home folder), for tests that call core's typed operations through the std platform.
pub fn peer_session(peer: &Peer) -> aws_session_std::LoadedSession {
    use aws_session_std::{HomeFallback, HomeResolver, Platform, StdEnv};
    let env = StdEnv::from_vars([
        ("AWS_ACCESS_KEY_ID", peer.access_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", peer.secret.as_str()),
        ("AWS_REGION", peer.region.as_str()),
        ("AWS_ENDPOINT_URL", peer.endpoint.as_str()),
    ]);
    let home = HomeResolver {
        platform: Platform::current(),
        fallback: HomeFallback::Nothing,
    };
    aws_session_std::load_with(&aws_session_core::session::Options::default(), env, &home)
        .expect("session")
}

/// The `aws-session` binary: `$AWS_SESSION_BIN`, else the one beside this test's build output,
/// built with cargo if it is not there yet.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("AWS_SESSION_BIN") {
        return PathBuf::from(path);
    }
    let bin = profile_dir().join(format!("aws-session{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        cargo_build(&["-p", "aws-session-std", "--bin", "aws-session"]);
    }
    bin
}

/// `target/<profile>`, where cargo put the test executable that runs this.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> → target/<profile>
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>")
        .to_path_buf()
}

/// `cargo build -q ARGS…`, which must succeed.
fn cargo_build(args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "-q"])
        .args(args)
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build {args:?} failed");
}

/// Runs `aws-session` with a clean environment: an empty temporary HOME, the given access key
/// pair and region as environment variables, and `args`.
pub fn aws_session(peer: &Peer, secret: &str, args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp HOME");
    Command::new(binary())
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", &peer.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", &peer.region)
        .args(args)
        .output()
        .expect("run aws-session")
}

/// The example binary `name` of the `aws-session-examples` crate, built on first use next to
/// the test executables (`target/<profile>/examples/NAME`).
pub fn example(name: &str) -> PathBuf {
    cargo_build(&["-p", "aws-session-examples", "--example", name]);
    let bin = profile_dir()
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} was not built", bin.display());
    bin
}

/// stdout as text.
pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts exit status 0 and returns stdout.
pub fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}\nstdout: {}",
        err(o),
        out(o)
    );
    out(o)
}

/// A key name no other run used.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// Encodes a value for an `application/x-www-form-urlencoded` body: unreserved characters stay,
/// a space becomes `+`, everything else `%XX`. This is exactly how Python's `urlencode` writes it,
/// which matters for moto: it re-encodes a parsed form body that way before checking the
/// payload hash, so a body spelled differently (`%20` for a space) fails its signature check.
pub fn form_encode(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b == b' ' {
            o.push('+');
        } else if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            o.push(char::from(b));
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// The python of the peers venv (`scripts/peers.sh install`: moto, boto3, botocore, awscrt,
/// cryptography): `$PEERS_VENV/bin/python`, else the venv in `$PEERS_DIR`, else in
/// `${XDG_CACHE_HOME:-$HOME/.cache}/aws-session-peers`.
pub fn peers_python() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let venv = env("PEERS_VENV").unwrap_or_else(|| {
        env("PEERS_DIR")
            .or_else(|| {
                env("XDG_CACHE_HOME")
                    .or_else(|| env("HOME").map(|h| h.join(".cache")))
                    .map(|c| c.join("aws-session-peers"))
            })
            .unwrap_or_default()
            .join("venv")
    });
    venv.join("bin").join("python")
}

/// A Python server of `tests/peers/` on an OS-chosen port of 127.0.0.1: the STS counting proxy
/// (`sts_proxy.py`), the instance-metadata and container endpoint (`imds.py`), both stdlib only,
/// or the AWS IoT credentials provider (`iot_provider.py`, with the peers venv's `cryptography`).
/// It prints `PORT <n>` when it listens and exits when its stdin closes; dropping this value
/// also ends it (by its process id).
#[derive(Debug)]
pub struct PyServer {
    child: std::process::Child,
    /// The port it listens on.
    pub port: u16,
}

impl PyServer {
    /// Starts `tests/peers/SCRIPT ARGS…` with `python3` and waits for its port line.
    pub fn start(script: &str, args: &[&str]) -> PyServer {
        PyServer::start_with(Path::new("python3"), script, args)
    }

    /// [`PyServer::start`] with `python` (e.g. [`peers_python`], for scripts that need the peers
    /// venv's packages).
    pub fn start_with(python: &Path, script: &str, args: &[&str]) -> PyServer {
        use std::io::BufRead;
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("peers")
            .join(script);
        let mut child = Command::new(python)
            .arg(&path)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start python3 {}: {e}", path.display()));
        let stdout = child.stdout.take().expect("server stdout");
        let mut line = String::new();
        let read = std::io::BufReader::new(stdout).read_line(&mut line);
        let port = read
            .ok()
            .and_then(|_| line.trim().strip_prefix("PORT ")?.parse().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{script} did not print its port (got {line:?})");
        };
        PyServer { child, port }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The body of `GET path` (a control endpoint), which must answer 200.
    pub fn get(&self, path: &str) -> String {
        ureq::get(format!("{}{path}", self.url()))
            .call()
            .and_then(|mut r| r.body_mut().read_to_string())
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// `POST path` with `body` (a control endpoint), which must answer 200.
    pub fn post(&self, path: &str, body: &str) {
        ureq::post(format!("{}{path}", self.url()))
            .send(body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
