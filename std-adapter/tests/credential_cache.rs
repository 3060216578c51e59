//! The shared credential cache as `Client::send` uses it, in process: an assume-role session whose
//! STS answers come from an in-memory transport that counts `AssumeRole` calls and can answer a
//! request with `ExpiredToken`. (The same behaviour against moto over HTTP is in
//! `tests/tests/e2e_credentials.rs`.)

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use aws_session_core::config::Config;
use aws_session_core::credentials::{Credentials, ProviderKind};
use aws_session_core::error_kind::ErrorKind;
use aws_session_core::handlers::RequestError;
use aws_session_core::http::{HttpRequest, ResponseHead};
use aws_session_core::keys::Provider;
use aws_session_core::platform::{Bundle, Clock, Transport};
use aws_session_core::session::{Options, Session};
use aws_session_core::time::UnixTime;
use aws_session_std::{load_with, HomeFallback, HomeResolver, StdEntropy, StdEnv, ThreadSleep};

mod common;

/// Seconds the fake STS's credentials live.
const LIFETIME: u64 = 100;
const T0: u64 = 1_700_000_000;

/// A clock the test moves.
#[derive(Clone)]
struct TestClock(Arc<AtomicU64>);

impl Clock for TestClock {
    type Error = ErrorKind;
    fn now(&self) -> Result<UnixTime, ErrorKind> {
        Ok(UnixTime::from_secs(self.0.load(Ordering::SeqCst)))
    }
}

/// What the fake STS has seen.
#[derive(Default)]
struct Counters {
    assume_role: AtomicUsize,
    calls: AtomicUsize,
    /// `GetCallerIdentity` calls still to answer with `ExpiredToken`.
    expire_next: AtomicUsize,
    /// Access key ids that signed `GetCallerIdentity`.
    signers: Mutex<Vec<String>>,
}

/// An STS that answers `AssumeRole` with credentials numbered by call, and `GetCallerIdentity`
/// with 200 (or `ExpiredToken` when asked to).
struct FakeSts {
    clock: TestClock,
    counters: Arc<Counters>,
    body: Vec<u8>,
    authorization: String,
    reply: Vec<u8>,
    pos: usize,
    status: u16,
}

impl FakeSts {
    fn new(clock: &TestClock, counters: &Arc<Counters>) -> Self {
        FakeSts {
            clock: clock.clone(),
            counters: counters.clone(),
            body: Vec::new(),
            authorization: String::new(),
            reply: Vec::new(),
            pos: 0,
            status: 0,
        }
    }
}

impl Transport for FakeSts {
    type Error = ErrorKind;
    fn begin(&mut self, request: &HttpRequest<'_>) -> Result<(), ErrorKind> {
        self.body.clear();
        self.authorization = request
            .headers()
            .get("authorization")
            .unwrap_or_default()
            .to_owned();
        Ok(())
    }
    fn write_body(&mut self, bytes: &[u8]) -> Result<(), ErrorKind> {
        self.body.extend_from_slice(bytes);
        Ok(())
    }
    fn finish(&mut self, response: &mut ResponseHead) -> Result<(), ErrorKind> {
        let body = String::from_utf8_lossy(&self.body).into_owned();
        self.counters.calls.fetch_add(1, Ordering::SeqCst);
        self.pos = 0;
        if body.contains("Action=AssumeRole") {
            let n = self.counters.assume_role.fetch_add(1, Ordering::SeqCst) + 1;
            let now = self.clock.now().unwrap().secs();
            let expires = UnixTime::from_secs(now + LIFETIME).to_datetime().unwrap();
            self.status = 200;
            self.reply = format!(
                "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
                 <AccessKeyId>ASIAROLE{n:08}</AccessKeyId><SecretAccessKey>secret{n}</SecretAccessKey>\
                 <SessionToken>token{n}</SessionToken><Expiration>{expires}</Expiration>\
                 </Credentials></AssumeRoleResult></AssumeRoleResponse>"
            )
            .into_bytes();
        } else {
            let akid = self
                .authorization
                .split("Credential=")
                .nth(1)
                .and_then(|c| c.split('/').next())
                .unwrap_or_default()
                .to_owned();
            self.counters.signers.lock().unwrap().push(akid);
            let expire = self
                .counters
                .expire_next
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            if expire {
                self.status = 400;
                self.reply = b"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>\
                    <Message>The security token included in the request is expired</Message></Error></ErrorResponse>"
                    .to_vec();
            } else {
                self.status = 200;
                self.reply = b"<GetCallerIdentityResponse/>".to_vec();
            }
        }
        response.set_status(self.status);
        Ok(())
    }
    fn read_body(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let rest = &self.reply[self.pos..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }
}

/// An assume-role session (`role` assumed with `base`'s static keys), its cache shared by `load`.
fn role_session(home: &std::path::Path) -> Session {
    common::write(
        home,
        ".aws/config",
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\nregion = us-east-1\n\
         [profile base]\naws_access_key_id = AKIDBASE00000001\naws_secret_access_key = basesecret\n",
    );
    let env = StdEnv::from_vars([
        ("AWS_SDK_LOAD_CONFIG", "1"),
        ("AWS_PROFILE", "role"),
        ("HOME", home.to_str().unwrap()),
    ]);
    let home = HomeResolver {
        fallback: HomeFallback::Nothing,
        ..HomeResolver::default()
    };
    let loaded = load_with(&Options::default(), env, &home).unwrap();
    assert!(
        loaded.session().shared_credentials().is_some(),
        "load shares a cache"
    );
    loaded.into_session()
}

type TestPlatform = Bundle<FakeSts, TestClock, ThreadSleep, StdEntropy>;

fn platform(clock: &TestClock, counters: &Arc<Counters>) -> TestPlatform {
    Bundle {
        transport: FakeSts::new(clock, counters),
        clock: clock.clone(),
        sleep: ThreadSleep,
        entropy: StdEntropy::new(),
    }
}

fn call(session: &Session, platform: &mut TestPlatform) -> Result<(), RequestError> {
    let client = session.client("sts").unwrap();
    let mut buf = [0u8; 1024];
    let mut request = client
        .form_request(
            "GetCallerIdentity",
            "Action=GetCallerIdentity&Version=2011-06-15",
        )
        .unwrap();
    request.set_response_buffer(&mut buf);
    client.send(&mut request, platform)
}

fn setup() -> (tempfile::TempDir, Session, TestClock, Arc<Counters>) {
    let dir = tempfile::tempdir().unwrap();
    let session = role_session(dir.path());
    (
        dir,
        session,
        TestClock(Arc::new(AtomicU64::new(T0))),
        Arc::default(),
    )
}

#[test]
fn credentials_are_fetched_once_and_reused_until_they_expire() {
    let (_dir, session, clock, counters) = setup();
    let mut p = platform(&clock, &counters);
    call(&session, &mut p).unwrap();
    call(&session, &mut p).unwrap();
    assert_eq!(counters.assume_role.load(Ordering::SeqCst), 1, "cache hit");
    clock.0.store(T0 + LIFETIME - 1, Ordering::SeqCst);
    call(&session, &mut p).unwrap();
    assert_eq!(
        counters.assume_role.load(Ordering::SeqCst),
        1,
        "still valid"
    );
    clock.0.store(T0 + LIFETIME, Ordering::SeqCst);
    call(&session, &mut p).unwrap();
    assert_eq!(
        counters.assume_role.load(Ordering::SeqCst),
        2,
        "expired: refreshed"
    );
    let signers = counters.signers.lock().unwrap().clone();
    assert_eq!(
        signers,
        [
            "ASIAROLE00000001",
            "ASIAROLE00000001",
            "ASIAROLE00000001",
            "ASIAROLE00000002"
        ]
    );
}

#[test]
fn no_secret_in_debug_of_the_session_its_cache_or_its_errors() {
    let (_dir, session, clock, counters) = setup();
    let mut p = platform(&clock, &counters);
    call(&session, &mut p).unwrap();
    let cache = session.shared_credentials().unwrap();
    let mut slot_debug = String::new();
    cache.with_slot(&mut |slot| slot_debug = format!("{slot:?}"));
    let mut held = Credentials::EMPTY;
    session.retrieve_credentials(&mut p, &mut held).unwrap();
    let shown = format!(
        "{session:?} {slot_debug} {held:?} {:?}",
        session.credentials()
    );
    for secret in ["basesecret", "secret1", "token1"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("****"), "keys are masked: {shown}");
}

#[test]
fn sixteen_threads_share_one_refresh_per_expiry() {
    let (_dir, session, clock, counters) = setup();
    let session = Arc::new(session);
    const THREADS: usize = 16;
    const PERIODS: u64 = 4;
    let barrier = Arc::new(Barrier::new(THREADS + 1));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (session, clock, counters, barrier) = (
                session.clone(),
                clock.clone(),
                counters.clone(),
                barrier.clone(),
            );
            std::thread::spawn(move || {
                let mut p = platform(&clock, &counters);
                for _ in 0..PERIODS {
                    barrier.wait();
                    for _ in 0..5 {
                        call(&session, &mut p).unwrap();
                    }
                    barrier.wait();
                }
            })
        })
        .collect();
    for period in 0..PERIODS {
        clock.0.store(T0 + period * LIFETIME, Ordering::SeqCst);
        barrier.wait();
        barrier.wait();
        assert_eq!(
            counters.assume_role.load(Ordering::SeqCst) as u64,
            period + 1,
            "exactly one AssumeRole per expiry period, whatever 16 threads do"
        );
    }
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(
        counters.signers.lock().unwrap().len(),
        THREADS * 5 * PERIODS as usize
    );
}

#[test]
fn expired_token_expires_the_cache_and_the_retry_signs_with_new_credentials() {
    let (_dir, session, clock, counters) = setup();
    let mut p = platform(&clock, &counters);
    counters.expire_next.store(1, Ordering::SeqCst);
    call(&session, &mut p).unwrap();
    assert_eq!(counters.assume_role.load(Ordering::SeqCst), 2);
    let signers = counters.signers.lock().unwrap().clone();
    assert_eq!(signers, ["ASIAROLE00000001", "ASIAROLE00000002"]);
}

#[test]
fn copies_share_the_cache_and_new_credentials_leave_it() {
    let (_dir, session, clock, counters) = setup();
    let mut p = platform(&clock, &counters);
    call(&session, &mut p).unwrap();
    let copy = session.copy_with(&Config::new().with_max_retries(1).unwrap());
    call(&copy, &mut p).unwrap();
    assert_eq!(
        counters.assume_role.load(Ordering::SeqCst),
        1,
        "Go v1 Copy shares Credentials"
    );
    let other = session.copy_with(
        &Config::new().with_credentials(Credentials::new("AKIDOTHER0000001", "s", None).unwrap()),
    );
    assert!(other.shared_credentials().is_none());
    call(&other, &mut p).unwrap();
    assert_eq!(counters.assume_role.load(Ordering::SeqCst), 1);
    assert_eq!(
        counters.signers.lock().unwrap().last().unwrap(),
        "AKIDOTHER0000001"
    );
}

#[test]
fn a_failed_refresh_is_a_typed_error_with_the_reason_kept() {
    let (_dir, session, clock, counters) = setup();
    /// An STS that is down.
    struct Down;
    impl Transport for Down {
        type Error = ErrorKind;
        fn begin(&mut self, _: &HttpRequest<'_>) -> Result<(), ErrorKind> {
            Err(ErrorKind::ConnectionRefused)
        }
        fn write_body(&mut self, _: &[u8]) -> Result<(), ErrorKind> {
            Ok(())
        }
        fn finish(&mut self, _: &mut ResponseHead) -> Result<(), ErrorKind> {
            Ok(())
        }
        fn read_body(&mut self, _: &mut [u8]) -> Result<usize, ErrorKind> {
            Ok(0)
        }
    }
    let mut down = Bundle {
        transport: Down,
        clock: clock.clone(),
        sleep: aws_session_core::test_util::RecordingSleep::default(),
        entropy: StdEntropy::new(),
    };
    let client = session.client("sts").unwrap();
    let mut request = client
        .form_request("GetCallerIdentity", "Action=GetCallerIdentity")
        .unwrap();
    let err = client.send(&mut request, &mut down).unwrap_err();
    assert_eq!(
        err,
        RequestError::Credentials {
            provider: ProviderKind::AssumeRole,
            code: "AssumeRoleProviderError"
        }
    );
    let why = session.last_credentials_error().unwrap().to_string();
    assert!(
        why.contains("AssumeRoleProvider") && why.contains("RequestError"),
        "{why}"
    );
    assert!(!why.contains("basesecret"));
    // The next call with STS back works.
    let mut p = platform(&clock, &counters);
    call(&session, &mut p).unwrap();
}

/// A provider of the application's own, counting its calls.
struct Counting(AtomicUsize);

impl Provider for Counting {
    fn retrieve(&self, now: UnixTime, out: &mut Credentials) -> Result<(), &'static str> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        out.clone_from(&Credentials::new(&format!("AKIDCUSTOM{n:06}"), "s", None).unwrap());
        out.expires = Some(UnixTime::from_secs(now.secs() + LIFETIME));
        Ok(())
    }
    fn name(&self) -> &'static str {
        "CountingProvider"
    }
}

static COUNTING: Counting = Counting(AtomicUsize::new(0));

#[test]
fn a_caller_provider_works_like_the_built_in_ones() {
    let dir = tempfile::tempdir().unwrap();
    let env = StdEnv::from_vars([
        ("AWS_REGION", "us-east-1"),
        ("HOME", dir.path().to_str().unwrap()),
    ]);
    let options = Options {
        config: Config::new().with_credentials_provider(&COUNTING),
        ..Options::default()
    };
    let loaded = load_with(&options, env, &HomeResolver::default()).unwrap();
    let session = loaded.session();
    assert_eq!(session.credentials().provider(), ProviderKind::Custom);
    let clock = TestClock(Arc::new(AtomicU64::new(T0)));
    let counters = Arc::default();
    let mut p = platform(&clock, &counters);
    call(session, &mut p).unwrap();
    call(session, &mut p).unwrap();
    assert_eq!(COUNTING.0.load(Ordering::SeqCst), 1);
    clock.0.store(T0 + LIFETIME, Ordering::SeqCst);
    call(session, &mut p).unwrap();
    assert_eq!(COUNTING.0.load(Ordering::SeqCst), 2);
    assert_eq!(
        counters.signers.lock().unwrap().last().unwrap(),
        "AKIDCUSTOM000002"
    );
}
