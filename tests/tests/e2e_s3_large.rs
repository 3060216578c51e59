//! A 1 GiB object through `aws-session call s3 PutObject --body-file` (streamed aws-chunked, every
//! chunk signed) to s3s-fs, which checks every chunk signature, and back with `call s3 GetObject`,
//! in constant memory: the SHA-256 of the download (hashed here as the child writes it, never
//! held) is the upload's, and the peak resident set of each `aws-session` process is within
//! [`RSS_SLACK`] of the same commands' for a 1 MiB object.
//!
//! The peak is the kernel's accounting of each child's largest resident set (`ru_maxrss` of
//! `wait4`), which a small Python wrapper ([`MAXRSS`]) reads: the tests forbid `unsafe`, and
//! polling `/proc/PID/status` misses processes that live a few milliseconds.

use core::time::Duration;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use aws_session_tests::{binary, peer, unique, Peer};
use sha2::{Digest, Sha256};

/// How far the 1 GiB processes' peak resident set may be above the 1 MiB ones' (a few pages of
/// heap and of the binary's code differ from run to run; the object is 1024 times larger).
const RSS_SLACK: u64 = 4 * 1024 * 1024;

const MIB: u64 = 1024 * 1024;

/// Runs `aws-session` under this Python script, which waits for it with `wait4` and writes its
/// peak resident set (`ru_maxrss`, KiB on Linux) as the last line of standard error: the
/// kernel's own accounting of that one process, however short it lives.
const MAXRSS: &str = "import os, sys
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
sys.stderr.write('\\nmaxrss-kib %d\\n' % usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
";

/// `aws-session ARGS… --endpoint-url PEER` under [`MAXRSS`] with a clean environment (an empty
/// HOME, the peer's keys and region), standard output and error piped.
fn spawn(p: &Peer, home: &Path, args: &[&str], stdin: Stdio) -> Child {
    Command::new("python3")
        .arg("-c")
        .arg(MAXRSS)
        .arg(binary())
        .args(args)
        .args(["--endpoint-url", &p.endpoint])
        .env_clear()
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", &p.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &p.secret)
        .env("AWS_REGION", &p.region)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3 (the peak-memory wrapper) with aws-session")
}

/// What one child did: its stdout's SHA-256 and length (for GetObject) and its peak RSS.
struct Run {
    stdout_sha256: [u8; 32],
    stdout_len: u64,
    peak_rss: u64,
    took: Duration,
}

/// Runs `child` to its end, hashing its standard output as it comes (never holding it); it must
/// exit 0. Returns the hash and the peak resident set [`MAXRSS`] reported.
fn finish(mut child: Child, what: &str) -> Run {
    let started = Instant::now();
    let mut stderr = child.stderr.take().expect("stderr");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut stdout = child.stdout.take().expect("stdout");
    let mut hasher = Sha256::new();
    let mut piece = vec![0u8; 256 * 1024];
    let mut len = 0u64;
    loop {
        let n = stdout.read(&mut piece).expect("read the child's output");
        if n == 0 {
            break;
        }
        hasher.update(&piece[..n]);
        len += n as u64;
    }
    let status = child.wait().expect("wait");
    let errors = errors.join().expect("stderr reader");
    assert!(status.success(), "{what}: {status}: {errors}");
    let peak_kib: u64 = errors
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("maxrss-kib "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{what}: no maxrss line in {errors:?}"));
    Run {
        stdout_sha256: hasher.finalize().into(),
        stdout_len: len,
        peak_rss: peak_kib * 1024,
        took: started.elapsed(),
    }
}

/// Writes `len` bytes (a whole number of MiB) of deterministic pseudo-random data to `path`;
/// returns their SHA-256. One xorshift MiB, each copy stamped with its index, so no two MiB are
/// alike and writing 1 GiB costs little more than the disk.
fn write_object(path: &Path, len: u64) -> [u8; 32] {
    let mut block = vec![0u8; MIB as usize];
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for word in block.chunks_exact_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        word.copy_from_slice(&x.to_le_bytes());
    }
    let mut file =
        std::io::BufWriter::with_capacity(4 * MIB as usize, std::fs::File::create(path).unwrap());
    let mut hasher = Sha256::new();
    for i in 0..len / MIB {
        block[..8].copy_from_slice(&i.to_le_bytes());
        hasher.update(&block);
        file.write_all(&block).unwrap();
    }
    file.flush().unwrap();
    hasher.finalize().into()
}

/// An object of s3s-fs reached with `aws-session call s3 OPERATION --param Bucket=… --param
/// Key=…`; deleted with `DeleteObject` when dropped (also when a check failed), so no test leaves
/// a 1 GiB file in the peer's folder.
struct Object<'p> {
    peer: &'p Peer,
    home: tempfile::TempDir,
    bucket: String,
    key: String,
    deleted: bool,
}

impl<'p> Object<'p> {
    fn new(peer: &'p Peer, key: &str) -> Self {
        Object {
            peer,
            home: tempfile::tempdir().expect("temp HOME"),
            bucket: format!("Bucket={}", peer.bucket),
            key: format!("Key={key}"),
            deleted: false,
        }
    }

    /// `call s3 OPERATION` on this object, with `extra` arguments.
    fn call(&self, operation: &str, extra: &[&str], stdin: Stdio) -> Child {
        let mut args = vec!["call", "s3", operation, "--param", &self.bucket];
        args.extend(["--param", self.key.as_str()]);
        args.extend_from_slice(extra);
        spawn(self.peer, self.home.path(), &args, stdin)
    }

    /// Downloads it with `GetObject`, hashing the output as it streams.
    fn get(&self) -> Run {
        finish(self.call("GetObject", &[], Stdio::null()), "GetObject")
    }

    /// Deletes it now; that must succeed.
    fn delete(mut self) {
        self.deleted = true;
        finish(
            self.call("DeleteObject", &[], Stdio::null()),
            "DeleteObject",
        );
    }
}

impl Drop for Object<'_> {
    fn drop(&mut self) {
        if !self.deleted {
            let _ = self.call("DeleteObject", &[], Stdio::null()).wait();
        }
    }
}

/// The PutObject and GetObject runs of one object.
struct RoundTrip {
    put: Run,
    get: Run,
}

/// Uploads `len` bytes as `key` with `call s3 PutObject --body-file`, downloads it with
/// `call s3 GetObject`, checks it came back whole, deletes it.
fn round_trip(p: &Peer, dir: &Path, key: &str, len: u64) -> RoundTrip {
    let path = dir.join(format!("{}.bin", len / MIB));
    let sha = write_object(&path, len);
    let file = path.to_str().expect("utf-8 temp path");
    let object = Object::new(p, key);
    let put = object.call("PutObject", &["--body-file", file], Stdio::null());
    let put = finish(put, "PutObject");
    std::fs::remove_file(&path).expect("delete the local copy");
    let get = object.get();
    assert_eq!(get.stdout_len, len, "{key}: bytes downloaded");
    assert_eq!(get.stdout_sha256, sha, "{key}: SHA-256 of the download");
    object.delete();
    RoundTrip { put, get }
}

fn mib_s(len: u64, took: Duration) -> f64 {
    len as f64 / MIB as f64 / took.as_secs_f64()
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn a_1_gib_object_streams_up_and_down_in_constant_memory() {
    let p = peer("S3S");
    let dir = tempfile::tempdir().expect("temp dir");
    let prefix = unique("large");
    let started = Instant::now();
    let small = round_trip(&p, dir.path(), &format!("{prefix}/1MiB"), MIB);
    let large = round_trip(&p, dir.path(), &format!("{prefix}/1GiB"), 1024 * MIB);
    for (what, s, l) in [
        ("PutObject", &small.put, &large.put),
        ("GetObject", &small.get, &large.get),
    ] {
        println!(
            "{what}: peak RSS {} KiB for 1 MiB, {} KiB for 1 GiB; 1 GiB in {:.1} s ({:.0} MiB/s)",
            s.peak_rss / 1024,
            l.peak_rss / 1024,
            l.took.as_secs_f64(),
            mib_s(1024 * MIB, l.took),
        );
        assert!(
            l.peak_rss <= s.peak_rss + RSS_SLACK,
            "{what}: peak RSS {} for 1 GiB vs {} for 1 MiB: memory grows with the object",
            l.peak_rss,
            s.peak_rss
        );
    }
    println!("whole test: {:.1} s", started.elapsed().as_secs_f64());
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs s3s-fs; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn a_piped_body_file_is_read_whole_and_sent() {
    let p = peer("S3S");
    let object = Object::new(&p, &format!("{}/piped", unique("large")));
    let content: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
    let mut child = object.call("PutObject", &["--body-file", "/dev/stdin"], Stdio::piped());
    let mut stdin = child.stdin.take().expect("stdin");
    let body = content.clone();
    let writer = std::thread::spawn(move || stdin.write_all(&body).expect("write stdin"));
    let put = child.wait_with_output().expect("PutObject");
    writer.join().expect("writer");
    assert!(
        put.status.success(),
        "{}",
        String::from_utf8_lossy(&put.stderr)
    );
    assert!(String::from_utf8_lossy(&put.stdout).starts_with("ETag: "));
    let get = object.get();
    let want: [u8; 32] = Sha256::digest(&content).into();
    assert_eq!(
        (get.stdout_len, get.stdout_sha256),
        (content.len() as u64, want)
    );
    object.delete();
}
