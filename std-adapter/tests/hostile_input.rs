//! Hostile input and broken networks (issue 15): every file a setting names is read with a bound
//! and never blocks forever; timeouts hold after the response head, for downloads and uploads;
//! `--data-file` is streamed; the `curl` header capacity fits the tool's own longest session
//! token; a timed-out `credential_process` leaves nothing running.

mod common;

use core::time::Duration;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Instant;

use aws_session_core::http::{HttpRequest, Method, ResponseHead, Scheme};
use aws_session_core::platform::{Error as _, ErrorKind, Transport};
use aws_session_std::transport::{HttpsConfig, HttpsTransport};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_aws-session");
const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Runs the binary with exactly `vars` (plus HOME = `home`), stdin closed; returns its output
/// and how long it ran.
fn run(home: &Path, vars: &[(&str, &str)], args: &[&str]) -> (Output, Duration) {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(args)
        .stdin(Stdio::null());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let out = cmd.output().expect("run aws-session");
    (out, started.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A failure with one line on stderr naming every one of `words`.
fn assert_error_naming(o: &Output, words: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    for w in words {
        assert!(err.contains(w), "{w:?} missing from {err:?}");
    }
    assert!(!err.contains(SECRET));
}

fn keys() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", AKID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_REGION", "us-east-1"),
    ]
}

fn mkfifo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let ok = Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo failed");
    path
}

/// Generous bound on how long a FIFO read may take: the wait plus process start-up.
const FIFO_BOUND: Duration = Duration::from_secs(15);

// ---- bounded reads of shared files ---------------------------------------------------------------

#[test]
fn config_and_credentials_files_of_dev_zero_end_quickly_naming_the_file() {
    let home = TempDir::new().unwrap();
    for var in ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] {
        let (o, took) = run(
            home.path(),
            &[(var, "/dev/zero"), ("AWS_SDK_LOAD_CONFIG", "1")],
            &["configure", "list"],
        );
        assert_error_naming(&o, &["/dev/zero", "MAX_SHARED_FILE_LEN"]);
        assert!(took < Duration::from_secs(5), "{var}: {took:?}");
    }
}

#[test]
fn a_shared_file_one_byte_over_the_limit_is_refused() {
    let home = TempDir::new().unwrap();
    let path = home.path().join("big");
    let limit = aws_session_std::limits::MAX_SHARED_FILE_LEN;
    // Blank lines: a file that parses at the limit.
    std::fs::write(&path, vec![b'\n'; limit + 1]).unwrap();
    let p = path.to_str().unwrap();
    let (o, _) = run(
        home.path(),
        &[("AWS_SHARED_CREDENTIALS_FILE", p)],
        &["configure", "list"],
    );
    assert_error_naming(&o, &[p, &limit.to_string()]);
    // At the limit it is read.
    std::fs::write(&path, vec![b'\n'; limit]).unwrap();
    let (o, _) = run(
        home.path(),
        &[("AWS_SHARED_CREDENTIALS_FILE", p)],
        &["configure", "list"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_fifo_without_a_writer_ends_with_an_error_naming_it() {
    let home = TempDir::new().unwrap();
    let fifo = mkfifo(home.path(), "creds");
    let p = fifo.to_str().unwrap();
    let (o, took) = run(
        home.path(),
        &[("AWS_SHARED_CREDENTIALS_FILE", p)],
        &["configure", "list"],
    );
    assert_error_naming(&o, &[p, "FIFO"]);
    assert!(took < FIFO_BOUND, "{took:?}");
}

#[test]
fn a_fifo_with_a_writer_is_read_as_a_file() {
    // `AWS_SHARED_CREDENTIALS_FILE=<(command)` keeps working.
    let home = TempDir::new().unwrap();
    let fifo = mkfifo(home.path(), "creds");
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        write!(
            f,
            "[default]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n"
        )
        .unwrap();
    });
    let (o, _) = run(
        home.path(),
        &[
            ("AWS_SHARED_CREDENTIALS_FILE", fifo.to_str().unwrap()),
            ("AWS_REGION", "us-east-1"),
        ],
        &[
            "sign",
            "--service",
            "s3",
            "--time",
            "20130524T000000Z",
            "https://examplebucket.s3.amazonaws.com/test.txt",
        ],
    );
    writer.join().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(AKID), "{}", stdout(&o));
}

#[test]
fn a_ca_bundle_of_dev_zero_names_the_file_and_the_limit() {
    let home = TempDir::new().unwrap();
    let mut env = keys();
    env.push(("AWS_CA_BUNDLE", "/dev/zero"));
    let (o, took) = run(
        home.path(),
        &env,
        &["curl", "--service", "s3", "http://127.0.0.1:9/b/k"],
    );
    assert_error_naming(&o, &["/dev/zero", "MAX_CA_BUNDLE_LEN"]);
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn web_identity_token_files_are_bounded_and_never_block() {
    let home = TempDir::new().unwrap();
    let fifo = mkfifo(home.path(), "token");
    for file in ["/dev/zero", fifo.to_str().unwrap()] {
        let (o, took) = run(
            home.path(),
            &[
                ("AWS_REGION", "us-east-1"),
                ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r"),
                ("AWS_WEB_IDENTITY_TOKEN_FILE", file),
                ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"),
            ],
            &["credentials"],
        );
        assert_ne!(o.status.code(), Some(0), "{file}: {}", stderr(&o));
        assert!(took < FIFO_BOUND, "{file}: {took:?}");
    }
}

// ---- --data-file ---------------------------------------------------------------------------------

#[test]
fn data_files_that_never_end_or_never_start_are_refused() {
    let home = TempDir::new().unwrap();
    let fifo = mkfifo(home.path(), "body");
    let cases = [
        ("/dev/zero", "MAX_PIPED_BODY_LEN"),
        (fifo.to_str().unwrap(), "FIFO"),
    ];
    for (file, why) in cases {
        let (o, took) = run(
            home.path(),
            &keys(),
            &[
                "sign",
                "--service",
                "s3",
                "--data-file",
                file,
                "https://b.s3.amazonaws.com/k",
            ],
        );
        assert_error_naming(&o, &[file, why]);
        assert!(took < FIFO_BOUND, "{file}: {took:?}");
    }
}

/// The `Authorization` line of `sign`'s output.
fn authorization(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    stdout(o)
        .lines()
        .find(|l| l.starts_with("Authorization:"))
        .expect("an Authorization header")
        .to_owned()
}

#[test]
fn a_data_file_is_signed_as_the_same_bytes_given_inline() {
    let home = TempDir::new().unwrap();
    // Over one 64 KiB piece, not a multiple of it.
    let text: String = (0..100_000u32)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let file = common::write(home.path(), "body.txt", &text);
    let sign = |body: [&str; 2], unsigned: bool| {
        let mut args = vec![
            "sign",
            "--service",
            "sts",
            "--time",
            "20150830T123600Z",
            body[0],
            body[1],
        ];
        if unsigned {
            args.push("--unsigned-payload");
        }
        args.push("https://sts.amazonaws.com/");
        run(home.path(), &keys(), &args).0
    };
    let inline = sign(["--data", &text], false);
    let from_file = sign(["--data-file", &file], false);
    assert_eq!(authorization(&from_file), authorization(&inline));
    assert!(stdout(&from_file).contains("Content-Length: 100000"));
    let unsigned_inline = sign(["--data", &text], true);
    let unsigned_file = sign(["--data-file", &file], true);
    assert_eq!(
        authorization(&unsigned_file),
        authorization(&unsigned_inline)
    );
    assert_ne!(authorization(&unsigned_file), authorization(&from_file));
}

/// Serves one request: reads the head and a Content-Length body, answers 200; yields the
/// head and the body's length and SHA-256 (hex), so a large body is never kept.
fn counting_server() -> (u16, std::thread::JoinHandle<(String, usize, String)>) {
    use sha2::Digest;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let head = read_head(&mut stream);
        let length: usize = head
            .lines()
            .find_map(|l| {
                let lower = l.to_ascii_lowercase();
                lower
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap())
            })
            .unwrap_or(0);
        let mut hasher = sha2::Sha256::new();
        let mut left = length;
        let mut buf = vec![0u8; 64 * 1024];
        while left > 0 {
            let n = stream.read(&mut buf[..left.min(64 * 1024)]).unwrap();
            assert!(n > 0, "body cut short");
            hasher.update(&buf[..n]);
            left -= n;
        }
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        let hex: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        (head, length, hex)
    });
    (port, handle)
}

/// Reads a request head (through the blank line), byte by byte so no body byte is taken.
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).unwrap_or(0) == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[test]
fn curl_streams_a_data_file_intact_with_its_hash_signed() {
    use sha2::Digest;
    let home = TempDir::new().unwrap();
    let bytes: Vec<u8> = (0..3_000_001u32).map(|i| (i * 7 % 251) as u8).collect();
    let file = common::write(home.path(), "body.bin", &bytes);
    let want: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let (port, server) = counting_server();
    let url = format!("http://127.0.0.1:{port}/bucket/key");
    let (o, _) = run(
        home.path(),
        &keys(),
        &[
            "curl",
            "--service",
            "s3",
            "-X",
            "PUT",
            "--data-file",
            &file,
            &url,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "ok");
    let (head, length, hash) = server.join().unwrap();
    assert_eq!(length, bytes.len());
    assert_eq!(hash, want);
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("x-amz-content-sha256: {want}")),
        "{head}"
    );
}

// ---- timeouts after the response head ------------------------------------------------------------

fn loopback() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

/// A server that sends a head promising 1000 bytes, sends 3, and then says nothing until told.
fn stalling_body_server() -> (u16, mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let (listener, port) = loopback();
    let (tx, rx) = mpsc::channel::<()>();
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        read_head(&mut stream);
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc")
            .unwrap();
        let _ = rx.recv_timeout(Duration::from_secs(30));
    });
    (port, tx, handle)
}

fn get(port: u16) -> HttpRequest<'static> {
    HttpRequest::new(Method::Get, Scheme::Http, &format!("127.0.0.1:{port}"), "/").unwrap()
}

/// Reads the body until it ends or fails.
fn drain(t: &mut HttpsTransport) -> Result<Vec<u8>, ErrorKind> {
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        match t.read_body(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return Err(e.kind()),
        }
    }
}

#[test]
fn a_stalled_response_body_times_out() {
    let (port, release, server) = stalling_body_server();
    let config = HttpsConfig {
        idle_timeout: Some(Duration::from_millis(400)),
        ..HttpsConfig::default()
    };
    let mut t = HttpsTransport::new(&config).unwrap();
    t.begin(&get(port)).unwrap();
    let mut head = ResponseHead::new();
    t.finish(&mut head).unwrap();
    assert_eq!(head.status(), 200);
    let started = Instant::now();
    assert_eq!(drain(&mut t), Err(ErrorKind::TimedOut));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
    release.send(()).unwrap();
    server.join().unwrap();
}

#[test]
fn a_request_timeout_also_bounds_a_stalled_body() {
    let (port, release, server) = stalling_body_server();
    let mut t = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let mut req = get(port);
    req.set_timeout_ms(Some(400));
    t.begin(&req).unwrap();
    let mut head = ResponseHead::new();
    t.finish(&mut head).unwrap();
    let started = Instant::now();
    assert_eq!(drain(&mut t), Err(ErrorKind::TimedOut));
    assert!(started.elapsed() < Duration::from_secs(3));
    release.send(()).unwrap();
    server.join().unwrap();
}

#[test]
fn an_upload_to_a_server_that_stops_reading_times_out() {
    let (listener, port) = loopback();
    let (release, rx) = mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        // Never read: the socket buffers fill and the client's writes stall.
        let _ = rx.recv_timeout(Duration::from_secs(60));
        drop(stream);
    });
    let config = HttpsConfig {
        idle_timeout: Some(Duration::from_millis(500)),
        ..HttpsConfig::default()
    };
    let mut t = HttpsTransport::new(&config).unwrap();
    let total: u64 = 1 << 30;
    let mut req = HttpRequest::new(
        Method::Put,
        Scheme::Http,
        &format!("127.0.0.1:{port}"),
        "/upload",
    )
    .unwrap();
    req.headers_mut()
        .append("content-length", &total.to_string())
        .unwrap();
    let started = Instant::now();
    t.begin(&req).unwrap();
    let piece = vec![b'x'; 64 * 1024];
    let mut sent = 0u64;
    let mut failure = None;
    while sent < total {
        if let Err(e) = t.write_body(&piece) {
            failure = Some(e.kind());
            break;
        }
        sent += piece.len() as u64;
    }
    let failure = match failure {
        Some(kind) => kind,
        None => {
            let mut head = ResponseHead::new();
            t.finish(&mut head).unwrap_err().kind()
        }
    };
    let took = started.elapsed();
    assert_eq!(failure, ErrorKind::TimedOut, "after {sent} bytes");
    assert!(took < Duration::from_secs(10), "{took:?} for {sent} bytes");
    release.send(()).unwrap();
    server.join().unwrap();
}

// ---- curl's header capacity ----------------------------------------------------------------------

/// Key, secret, region and a session token of `token_len` characters.
fn keys_with_token(token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", AKID.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", SECRET.to_owned()),
        ("AWS_SESSION_TOKEN", token.to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
    ]
}

#[test]
fn curl_fits_the_longest_session_token_and_a_1000_byte_header() {
    let token = "T".repeat(aws_session_core::limits::MAX_SESSION_TOKEN_LEN);
    let big = format!("X-Big: {}", "b".repeat(1000));
    let home = TempDir::new().unwrap();
    for sigv4a in [false, true] {
        let (port, server) = counting_server();
        let url = format!("http://127.0.0.1:{port}/b/k");
        let env = keys_with_token(&token);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut args = vec!["curl", "--service", "s3", "-H", &big];
        if sigv4a {
            args.push("--sigv4a");
        }
        args.push(&url);
        let (o, _) = run(home.path(), &env, &args);
        assert_eq!(o.status.code(), Some(0), "sigv4a {sigv4a}: {}", stderr(&o));
        let (head, _, _) = server.join().unwrap();
        assert!(head.contains(&token), "the token was sent");
        assert!(
            head.to_ascii_lowercase()
                .contains(&big.to_ascii_lowercase()),
            "the caller's header was sent"
        );
    }
}

#[test]
fn curl_over_the_header_capacity_blames_the_large_headers() {
    let token = "T".repeat(aws_session_core::limits::MAX_SESSION_TOKEN_LEN);
    let big = format!("X-Big: {}", "b".repeat(3000));
    let home = TempDir::new().unwrap();
    let env = keys_with_token(&token);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (o, _) = run(
        home.path(),
        &env,
        &[
            "curl",
            "--service",
            "s3",
            "-H",
            &big,
            "http://127.0.0.1:9/b/k",
        ],
    );
    assert_error_naming(
        &o,
        &[
            "MAX_REQUEST_HEADER_BYTES",
            "X-Amz-Security-Token",
            "X-Big 3005 bytes (from -H)",
        ],
    );
    // Before, the error named whichever header was added last: "cannot add header Authorization".
    assert!(!stderr(&o).contains("cannot add header"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(&token), "no header value is printed");
}

// ---- credential_process timeouts -----------------------------------------------------------------

/// The child side of `a_credential_process_timeout_leaves_nothing_running`: runs the command of
/// `HOSTILE_INPUT_PROCESS` with a 300 ms timeout and prints the error.
#[test]
#[ignore = "run as a child process by a_credential_process_timeout_leaves_nothing_running"]
fn credential_process_child() {
    let Ok(command) = std::env::var("HOSTILE_INPUT_PROCESS") else {
        return;
    };
    let result =
        aws_session_std::credentials::run_credential_process(&command, Duration::from_millis(300));
    use std::io::IsTerminal;
    eprintln!(
        "child (stdin a terminal: {}): {}",
        std::io::stdin().is_terminal(),
        result.err().map(|e| e.to_string()).unwrap_or_default()
    );
}

/// Processes whose command line is exactly `argv`.
fn processes_running(argv: &[&str]) -> Vec<String> {
    let want: Vec<u8> = argv
        .iter()
        .flat_map(|a| [a.as_bytes(), b"\0"].concat())
        .collect();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            std::fs::read(e.path().join("cmdline")).is_ok_and(|c| c == want)
                && !std::fs::read_to_string(e.path().join("stat")).is_ok_and(|s| {
                    s.rsplit(')')
                        .next()
                        .is_some_and(|r| r.trim_start().starts_with('Z'))
                })
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Runs `credential_process_child` with `command`, its stdout and stderr pipes (as in
/// `$(aws-session … 2>&1)`). Returns what it printed once the pipes closed, and how long that took.
fn run_process_child(command: &str) -> (String, Duration) {
    let started = Instant::now();
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "credential_process_child",
            "--ignored",
            "--nocapture",
        ])
        .env("HOSTILE_INPUT_PROCESS", command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the pipes stayed open after the timeout (a child kept them)")
        .unwrap();
    let text = format!("{}{}", stderr(&output), stdout(&output));
    (text, started.elapsed())
}

#[cfg(target_os = "linux")]
#[test]
fn a_credential_process_timeout_leaves_nothing_running() {
    // `credential_process = sleep 777` must end at the timeout, release the caller's pipes and
    // leave no `sleep`. (Stdin is not a terminal here, so the command has a process group of its
    // own; the path taken when stdin is a terminal is pinned by the unit test
    // `credentials::tests::a_timeout_kills_what_the_command_started_without_a_group_of_its_own`.)
    // A unique duration tells this test's `sleep` from any other; the shell may run a lone
    // `sleep` in its own place (exec), and with `; true` it cannot.
    for (i, tail) in ["", "; true", " & wait"].into_iter().enumerate() {
        let duration = format!("777.{}{i}", std::process::id());
        let command = format!("sleep {duration}{tail}");
        let (text, took) = run_process_child(&command);
        assert!(text.contains("did not finish within"), "{command}: {text}");
        assert!(took < Duration::from_secs(10), "{command}: {took:?}");
        let left = processes_running(&["sleep", &duration]);
        assert!(left.is_empty(), "{command:?} left {left:?} running");
    }
}
