//! Fuzzes core's header store and request builder through their public API, then signs the
//! request through a client's handler pipeline (against a fake transport that answers 200).
//!
//! Input: one settings byte (method, service, session token), then a script of lines:
//! * the first line is the request target (`set_target`), or `@URL` for `set_endpoint`;
//! * `+name:value` appends a header, `=name:value` inserts one, `-name` removes, `!` clears,
//!   `?name=value` appends a query parameter, `@URL` sets the endpoint, and a plain
//!   `name:value` line appends (so raw `.req` requests from the SigV4 suites are seeds);
//! * after the first empty line, the rest is the body.
//!
//! Properties:
//! * nothing panics; every refusal is a typed `HttpError` or a handler code;
//! * the header store behaves as a simple list model: the same success or the same error
//!   (which part, which limit, how much was needed) for every operation, the same headers in the
//!   same order afterwards, and nothing changed by a refused operation — at the request's real
//!   capacities and at a tiny one that overflows often;
//! * a refused target, query parameter or endpoint leaves the request unchanged; an accepted
//!   target reads back as given and splits into path and query at the first `?`;
//! * a signed request has exactly one `Authorization` and one `X-Amz-Date` (caller copies are
//!   replaced, never duplicated), a well-formed credential, sorted lowercase signed headers that
//!   include `host` and are all present, and a 64-digit hex signature;
//! * the secret key never appears in the request's `Debug` or in an error.
#![no_main]

use aws_session_core::client::Client;
use aws_session_core::config::ExplicitCredentials;
use aws_session_core::credentials::Credentials;
use aws_session_core::handlers::{Handlers, Request};
use aws_session_core::http::{Body, Headers, HttpError, HttpPart, HttpRequest, Method};
use aws_session_core::limits::{MAX_REQUEST_HEADERS, MAX_REQUEST_HEADER_BYTES};
use aws_session_core::platform::Bundle;
use aws_session_core::session::{Options, Session};
use aws_session_core::test_util::{
    FakeClock, FakeEntropy, FakeTransport, MemEnv, MemFiles, RecordingSleep, Reply,
};
use aws_session_core::text::{text, Field};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI";
/// 2015-08-30T12:36:00Z, the time of the SigV4 suites.
const T: u64 = 1_440_938_160;
const SERVICES: [&str; 4] = ["s3", "sts", "dynamodb", "execute-api"];

/// One client per service, with and without a session token, built once per process.
fn clients() -> &'static [Client<'static>] {
    thread_local! {
        static CLIENTS: &'static [Client<'static>] = {
            let handlers: &'static Handlers = Box::leak(Box::new(Handlers::with_core_defaults().unwrap()));
            let mut all = Vec::new();
            for token in [None, Some(TOKEN)] {
                let mut opts = Options { handlers: Some(handlers), ..Options::default() };
                opts.config.credentials = Some(ExplicitCredentials::Static(
                    Credentials::new("AKIDEXAMPLE", SECRET, token).unwrap(),
                ));
                opts.config.region = Some(text("us-east-1", Field::Region).unwrap());
                let env: &'static MemEnv = Box::leak(Box::new(MemEnv::new(&[])));
                let files: &'static MemFiles = Box::leak(Box::new(MemFiles::new(&[])));
                let mut s = Box::new(Session::unconfigured());
                s.rebuild(&opts, env, files).unwrap();
                let s: &'static Session = Box::leak(s);
                for service in SERVICES {
                    all.push(s.client(service).unwrap());
                }
            }
            Box::leak(all.into_boxed_slice())
        };
    }
    CLIENTS.with(|c| *c)
}

/// The header list a store should hold, and what each operation should answer.
struct Model {
    count: usize,
    bytes: usize,
    list: Vec<(String, String)>,
}

fn tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl Model {
    fn new(count: usize, bytes: usize) -> Self {
        Model {
            count,
            bytes,
            list: Vec::new(),
        }
    }

    fn used(&self) -> usize {
        self.list.iter().map(|(n, v)| n.len() + v.len()).sum()
    }

    /// What `append` (`replace`: `insert`) answers, and the change when it succeeds.
    fn put(&mut self, name: &str, value: &str, replace: bool) -> Result<(), HttpError> {
        if name.is_empty() || !name.bytes().all(tchar) {
            return Err(HttpError::Invalid {
                part: HttpPart::HeaderName,
            });
        }
        if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return Err(HttpError::Invalid {
                part: HttpPart::HeaderValue,
            });
        }
        let same = |n: &String| n.eq_ignore_ascii_case(name);
        let (gone, freed) = if replace {
            self.list
                .iter()
                .filter(|(n, _)| same(n))
                .fold((0, 0), |(c, b), (n, v)| (c + 1, b + n.len() + v.len()))
        } else {
            (0, 0)
        };
        let count = self.list.len() - gone + 1;
        if count > self.count {
            return Err(HttpError::Capacity {
                part: HttpPart::HeaderCount,
                limit: self.count,
                needed: count,
            });
        }
        let bytes = self.used() - freed + name.len() + value.len();
        if bytes > self.bytes {
            return Err(HttpError::Capacity {
                part: HttpPart::HeaderBytes,
                limit: self.bytes,
                needed: bytes,
            });
        }
        if replace {
            self.list.retain(|(n, _)| !same(n));
        }
        self.list.push((name.to_owned(), value.to_owned()));
        Ok(())
    }

    fn remove(&mut self, name: &str) -> usize {
        let before = self.list.len();
        self.list.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        before - self.list.len()
    }
}

fn same<const N: usize, const B: usize>(h: &Headers<N, B>, m: &Model) {
    let got: Vec<(&str, &str)> = h.iter().collect();
    let want: Vec<(&str, &str)> = m
        .list
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(h.len(), m.list.len());
    assert_eq!(h.bytes_used(), m.used());
    for (n, _) in &m.list {
        let first = m
            .list
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str());
        assert_eq!(h.get(&n.to_ascii_uppercase()), first);
        let all: Vec<&str> = h.get_all(n).collect();
        let want: Vec<&str> = m
            .list
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(all, want);
    }
}

/// One header operation on a store and its model.
fn header_op<const N: usize, const B: usize>(
    h: &mut Headers<N, B>,
    m: &mut Model,
    op: u8,
    name: &str,
    value: &str,
) {
    match op {
        b'+' => assert_eq!(h.append(name, value), m.put(name, value, false)),
        b'=' => assert_eq!(h.insert(name, value), m.put(name, value, true)),
        b'-' => assert_eq!(h.remove(name), m.remove(name)),
        _ => {
            h.clear();
            m.list.clear();
        }
    }
    same(h, m);
}

fn target_ok(t: &str) -> bool {
    t.starts_with('/') && !t.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'#')
}

/// Runs the script on `r` (and on the two stores with their models); returns the body.
fn build<'a>(r: &mut HttpRequest<'a>, script: &'a [u8]) -> &'a [u8] {
    let mut small = Headers::<4, 64>::new();
    let mut small_model = Model::new(4, 64);
    let mut model = Model::new(MAX_REQUEST_HEADERS, MAX_REQUEST_HEADER_BYTES);
    model.list = r
        .headers()
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();

    let (head, body) = match script.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&script[..at], &script[at + 2..]),
        None => (script, &[][..]),
    };
    for (i, line) in head.split(|&b| b == b'\n').enumerate() {
        let Ok(line) = std::str::from_utf8(line) else {
            continue;
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        let before = r.target().to_owned();
        let (op, rest) = match line.as_bytes().first() {
            Some(&c @ (b'+' | b'=' | b'-' | b'!' | b'?' | b'@')) => (c, &line[1..]),
            _ if i == 0 => {
                // The first line: the target, or a raw request line `METHOD TARGET HTTP/1.1`.
                let target = line.split(' ').nth(1).unwrap_or(line);
                let result = r.set_target(target);
                match result {
                    Ok(()) => {
                        assert_eq!(r.target(), target);
                        let (p, q) = target.split_once('?').unwrap_or((target, ""));
                        assert_eq!((r.path(), r.query()), (p, q));
                    }
                    Err(e) => {
                        assert!(!target_ok(target) || matches!(e, HttpError::Capacity { .. }));
                        assert_eq!(r.target(), before);
                    }
                }
                continue;
            }
            _ => (b'+', line),
        };
        match op {
            b'?' => {
                let (n, v) = rest.split_once('=').unwrap_or((rest, ""));
                if r.append_query(n, v).is_ok() {
                    let sep = if before.contains('?') { '&' } else { '?' };
                    assert_eq!(r.target(), format!("{before}{sep}{n}={v}"));
                } else {
                    assert_eq!(r.target(), before);
                }
            }
            b'@' => {
                let (scheme, host) = (r.scheme(), r.host().to_owned());
                if r.set_endpoint(rest).is_err() {
                    assert_eq!((r.scheme(), r.host()), (scheme, host.as_str()));
                }
            }
            _ => {
                let (n, v) = rest.split_once(':').unwrap_or((rest, ""));
                header_op(r.headers_mut(), &mut model, op, n, v);
                header_op(&mut small, &mut small_model, op, n, v);
            }
        }
    }
    body
}

fn check_signed(r: &Request<'_>) {
    let h = r.http.headers();
    assert_eq!(
        h.get_all("authorization").count(),
        1,
        "Authorization duplicated"
    );
    assert_eq!(h.get_all("x-amz-date").count(), 1, "X-Amz-Date duplicated");
    assert_eq!(h.get("x-amz-date"), Some("20150830T123600Z"));
    let auth = h.get("authorization").unwrap();
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/")
        .unwrap_or_else(|| panic!("bad Authorization {auth:?}"));
    let (_, rest) = rest.split_once("/aws4_request, SignedHeaders=").unwrap();
    let (signed, signature) = rest.split_once(", Signature=").unwrap();
    assert!(
        signature.len() == 64
            && signature
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    );
    let names: Vec<&str> = signed.split(';').collect();
    assert!(names.contains(&"host"));
    assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "signed headers not sorted: {signed}"
    );
    for n in names {
        assert_eq!(n, n.to_ascii_lowercase());
        assert!(
            n == "host" || h.contains(n),
            "signed header {n} is not sent"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, script @ ..] = data else {
        return;
    };
    let methods = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Head,
        Method::Patch,
    ];
    let c = &clients()[usize::from(flags >> 2) % 8];
    let mut r = c.request("Fuzz");
    r.http
        .set_method(methods[usize::from(flags & 3) + usize::from(flags >> 7) * 2 % 6]);
    let body = build(&mut r.http, script);
    if flags & 0x40 != 0 {
        r.http.set_body(Body::Bytes(body));
    }

    let replies = [Reply::status(200)];
    let mut platform = Bundle {
        transport: FakeTransport::new(&replies),
        clock: FakeClock::at(T),
        sleep: RecordingSleep::new(),
        entropy: FakeEntropy::new(0),
    };
    let result = c.send(&mut r, &mut platform);
    match &result {
        Ok(()) => check_signed(&r),
        Err(e) => assert!(!format!("{e} {e:?}").contains(SECRET)),
    }
    assert!(!format!("{:?}", r.http).contains(SECRET));
});
