//! aws-session on an embassy executor, under QEMU (Cortex-M3, mps2-an385):
//!
//! 1. provisions a profile into NOR flash (in RAM here: `MemFlash`) from `~/.aws` text and
//!    selects it, then reads it back after a simulated reboot;
//! 2. creates a session from flash (`FlashProfiles` + `NoEnv`);
//! 3. shows that the wall clock refuses to sign before it is set (`ClockUnset`, also through the
//!    async request pipeline), then sets it from a response's `Date` header;
//! 4. signs an S3 PUT (header signing) and a presigned S3 GET with the session's credentials and
//!    region, and compares them with the signatures published in the S3 API reference
//!    ("Signature Calculations for the Authorization Header", "Authenticating Requests: Using Query
//!    Parameters");
//! 5. exits through semihosting: status 0 and `N passed, 0 failed` when every check passed.
#![no_std]
#![no_main]

mod stack;
mod systick;

use core::fmt::Write as _;

use aws_session_core::client::Client;
use aws_session_core::handlers::{run_async, Pipeline, RequestError};
use aws_session_core::http::{Body, Method};
use aws_session_core::platform::{Clock, ErrorKind};
use aws_session_core::session::Session;
use aws_session_core::sigv4::{
    SignableBody, SignableRequest, Signer, SigningCredentials, SigningOutput, SigningParams,
    SigningSettings,
};
use aws_session_core::test_util::{FakeEntropy, FakeTransport, Reply};
use aws_session_core::time::UnixTime;
use aws_session_embassy::clock::{ClockError, WallClock};
use aws_session_embassy::store::{FlashProfiles, NoEnv, ProfileStore, Setting};
use aws_session_embassy::test_util::MemFlash;
use cortex_m_rt::{exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};
use embassy_executor::Spawner;
use embassy_time::{Instant, Timer};

/// What a developer's `~/.aws/config` and `~/.aws/credentials` say (the S3 documentation's
/// example keys).
const CONFIG: &str = "[profile device]\nregion = us-east-1\n";
const CREDENTIALS: &str = "[device]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

/// The `Date` of the first response the device sees (the examples' time, 20130524T000000Z).
const FIRST_DATE: &str = "Fri, 24 May 2013 00:00:00 GMT";

/// Published signature of the S3 "PUT Object" header-signing example.
const PUT_SIGNATURE: &str = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd";
/// Published presigned URL of the S3 "GET Object" query-signing example (24 hours).
const GET_URL: &str = "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

static CLOCK: WallClock = WallClock::new();
/// The session lives in a static and is built in place: it is about 12 KiB.
static SESSION: static_cell::StaticCell<Session> = static_cell::StaticCell::new();

/// What the stand-in transport answers (this firmware has no network).
const ANSWER: &[Reply] = &[Reply::status(200)];

/// Two 4 KiB sectors of "NOR flash" in RAM.
type Flash = MemFlash<8192, 4096, 4>;

struct Checks {
    passed: u32,
    failed: u32,
}

impl Checks {
    fn check(&mut self, name: &str, ok: bool) {
        if ok {
            self.passed += 1;
            hprintln!("check {} ... ok", name);
        } else {
            self.failed += 1;
            hprintln!("check {} ... FAILED", name);
        }
    }
}

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    stack::paint();
    let p = cortex_m::Peripherals::take().unwrap();
    systick::start(p.SYST);
    hprintln!("aws-session firmware on Cortex-M3 (mps2-an385), embassy executor + SysTick");
    let mut c = Checks {
        passed: 0,
        failed: 0,
    };

    // 0. Time runs.
    let t = Instant::now();
    Timer::after_millis(5).await;
    c.check("systick_time_driver_advances", Instant::now() > t);

    // Each phase is its own function so that its large values (the flash store, the session)
    // are gone before the next phase's arrive.
    let mut profiles = FlashProfiles::<1024>::new();
    provision(&mut c, &mut profiles).await;
    stack::report("provision");
    let Some(client) = make_client(&mut c, &profiles) else {
        finish(&mut c, false)
    };
    drop(profiles);
    stack::report("session + client");
    pipeline_checks(&mut c, &client).await;
    let at = Instant::now();
    c.check(
        "clock_set_from_date_header",
        CLOCK.observe_date_at(FIRST_DATE, at) == Ok(true),
    );
    let Ok(now) = CLOCK.now_at(at) else {
        finish(&mut c, false)
    };
    signed_request_check(&mut c, &client).await;
    stack::report("pipeline");
    signature_checks(&mut c, &client, now);
    stack::report("signer");
    finish(&mut c, true);
}

/// 1. Provisions the profile from `~/.aws` text, selects it, "reboots", reads it back and loads
/// it for a session.
async fn provision(c: &mut Checks, profiles: &mut FlashProfiles<1024>) {
    let mut store = ProfileStore::new(Flash::new(), 0..8192).unwrap();
    let report = store.import(Some(CONFIG), Some(CREDENTIALS), None).await;
    c.check(
        "import_from_aws_text",
        matches!(report, Ok(r) if r.imported == 1),
    );
    c.check(
        "select_active_profile",
        store.select("device").await.is_ok(),
    );
    // Reboot: a new store over the same flash contents.
    let mut store = ProfileStore::new(store.into_flash(), 0..8192).unwrap();
    let region_ok = matches!(store.read("device").await, Ok(Some(p)) if p.get(Setting::Region) == Some("us-east-1"));
    c.check("profile_survives_reboot", region_ok);
    c.check(
        "load_active_profile",
        store.load(None, profiles).await.is_ok(),
    );
}

/// 2. The session from flash, and an S3 client made from it.
#[inline(never)]
fn make_client(c: &mut Checks, profiles: &FlashProfiles<1024>) -> Option<Client<'static>> {
    let session = SESSION.init_with(Session::unconfigured);
    // Session::rebuild's own stack: the deepest point inside it, less what its caller holds.
    stack::paint();
    let base = stack::in_use();
    let rebuilt = session.rebuild(&profiles.options(), &NoEnv, profiles);
    let inside = stack::high_water().saturating_sub(base);
    hprintln!("stack: {} bytes at most inside Session::rebuild", inside);
    if let Err(e) = rebuilt {
        hprintln!("session: {}", e);
        return None;
    }
    stack::report("session (in place)");
    let session: &'static Session = session;
    let region = session.config().region.as_ref().map(|r| r.value.as_str());
    c.check("session_region_from_flash", region == Some("us-east-1"));
    let creds = session.credentials().static_credentials();
    c.check(
        "session_static_keys_from_flash",
        creds.is_some_and(|k| k.access_key_id.as_str() == "AKIAIOSFODNN7EXAMPLE"),
    );
    session.client("s3").ok()
}

/// Runs a PutObject through the async pipeline with a stand-in transport.
async fn put_object(client: &Client<'_>) -> (Result<(), RequestError>, bool, usize) {
    let mut request = client.request("PutObject");
    request.http.set_method(Method::Put);
    let _ = request.http.set_target("/examplebucket/test.txt");
    request.http.set_body(Body::Bytes(b"Welcome to Amazon S3."));
    let mut transport = FakeTransport::new(ANSWER);
    let result = run_async(
        Pipeline::new(client.handlers(), &mut request),
        &mut transport,
        &CLOCK,
        |ms| Timer::after_millis(ms.into()),
        &mut FakeEntropy::new(1),
    )
    .await;
    let signed = request.http.headers().get("authorization").is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"));
    (result, signed, transport.exchanges())
}

/// 3. No time, no signature: directly, and through the async request pipeline.
async fn pipeline_checks(c: &mut Checks, client: &Client<'_>) {
    c.check(
        "clock_unset_before_first_response",
        CLOCK.now() == Err(ClockError::Unset),
    );
    let (result, _, exchanges) = put_object(client).await;
    c.check(
        "pipeline_fails_with_clock_unset",
        result == Err(RequestError::Clock(ErrorKind::ClockUnset)) && exchanges == 0,
    );
}

/// 3b. Once the clock is set, the pipeline signs and sends.
async fn signed_request_check(c: &mut Checks, client: &Client<'_>) {
    let (result, signed, exchanges) = put_object(client).await;
    c.check(
        "pipeline_signs_once_clock_is_set",
        result.is_ok() && signed && exchanges == 1,
    );
}

/// 4. The published examples, signed with the session's keys, region and clock.
#[inline(never)]
fn signature_checks(c: &mut Checks, client: &Client<'_>, now: UnixTime) {
    let session = client.session();
    let region = session
        .config()
        .region
        .as_ref()
        .map(|r| r.value.as_str())
        .unwrap_or("");
    let Some(creds) = session.credentials().static_credentials() else {
        c.check("static_credentials", false);
        return;
    };
    let params = |settings| SigningParams {
        credentials: SigningCredentials {
            access_key_id: creds.access_key_id.as_str(),
            secret: &creds.secret_access_key,
            session_token: creds.session_token.as_ref(),
        },
        region,
        service: "s3",
        time: now,
        settings,
    };
    let mut signer: Signer = Signer::new();
    let mut out = SigningOutput::new();
    let put_headers = [
        ("Host", "examplebucket.s3.amazonaws.com"),
        ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        (
            "x-amz-content-sha256",
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
        ),
    ];
    let put = SignableRequest::new(
        "PUT",
        "/test$file.text",
        "",
        &put_headers,
        SignableBody::Bytes(b"Welcome to Amazon S3."),
    );
    let put_ok = matches!(signer.sign(&put, &params(SigningSettings::s3()), &mut out), Ok(s) if s.signature() == PUT_SIGNATURE);
    c.check("s3_put_signature_matches_aws_example", put_ok);

    let get_headers = [("host", "examplebucket.s3.amazonaws.com")];
    let get = SignableRequest::new("GET", "/test.txt", "", &get_headers, SignableBody::Unsigned);
    let mut url: heapless::String<512> = heapless::String::new();
    let get_ok = match signer.sign(
        &get,
        &params(SigningSettings::s3().presigned(86_400)),
        &mut out,
    ) {
        Ok(s) => {
            s.write_url(&mut url, "https://examplebucket.s3.amazonaws.com/test.txt")
                .is_ok()
                && url.as_str() == GET_URL
        }
        Err(_) => false,
    };
    c.check("s3_presigned_get_matches_aws_example", get_ok);
}

fn finish(c: &mut Checks, completed: bool) -> ! {
    if !completed {
        c.failed += 1;
    }
    hprintln!(
        "RAM: {} bytes static (.data + .bss), {} bytes peak stack",
        stack::static_ram(),
        stack::high_water()
    );
    let mut line: heapless::String<64> = heapless::String::new();
    let _ = write!(line, "{} passed, {} failed", c.passed, c.failed);
    hprintln!("{}", line.as_str());
    debug::exit(if c.failed == 0 {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfe();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("FAILED: {}", info);
    hprintln!("0 passed, 1 failed");
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    hprintln!(
        "FAILED: hard fault (stack overflow?) at pc={:#x}",
        frame.pc()
    );
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}
