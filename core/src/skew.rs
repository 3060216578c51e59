//! Clock-skew correction: a device whose clock is off signs requests AWS refuses
//! (`RequestTimeTooSkewed`, `SignatureDoesNotMatch` "Signature expired", `InvalidSignatureException`,
//! `AuthFailure`, …). [`CLOCK_SKEW`] reads the server's `Date` from such an answer, stores the
//! difference in the session ([`Session::clock_offset_secs`]) and retries; every later request of
//! every client of the session signs at the device's clock plus that offset.
//!
//! The rule (`crate::protocol::clock_skew_offset`) is the Java v2 SDK's: a clock-skew code *and* a
//! `Date` more than `MAX_CLOCK_SKEW_SECS` (4 minutes) from the time the attempt was signed at.
//! Go v1 has no correction (`docs/divergences.md`, P1).

use crate::handlers::{NamedHandler, Request};
use crate::protocol::{apply_offset, clock_skew_offset};
use crate::session::Session;
use crate::time::UnixTime;

/// `awssession.ClockSkewHandler` (Retry): on a clock-skew error answer with a `Date` far from the
/// attempt's signing time, corrects the session's clock offset and marks the attempt retryable
/// (unless a handler already decided). Clients add it to their Retry list.
pub const CLOCK_SKEW: NamedHandler = NamedHandler::new("awssession.ClockSkewHandler", clock_skew);

fn clock_skew(r: &mut Request<'_>) {
    let Some(session) = r.context::<Session>() else {
        return;
    };
    let Some(error) = r.error.as_ref() else {
        return;
    };
    let server = r
        .response
        .headers()
        .get("date")
        .and_then(|d| UnixTime::parse_http_date(d.trim()).ok());
    let current = session.clock_offset_secs();
    if let Some(offset) = clock_skew_offset(error.code(), server, r.attempt_time(), current) {
        warn!(
            "clock skew: the server's clock is {} s from this device's; signing with the offset",
            offset
        );
        session.set_clock_offset_secs(offset);
        if r.retryable.is_none() {
            r.retryable = Some(true);
        }
    }
}

/// The time a request of a client of `session` signs at: the attempt's clock reading plus the
/// session's offset.
pub fn signing_time(session: &Session, attempt_time: UnixTime) -> UnixTime {
    apply_offset(attempt_time, session.clock_offset_secs())
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::client::Client;
    use crate::config::ExplicitCredentials;
    use crate::credentials::Credentials;
    use crate::handlers::RequestError;
    use crate::platform::Bundle;
    use crate::session::Options;
    use crate::test_util::{
        FakeClock, FakeEntropy, FakeTransport, MemEnv, MemFiles, RecordingSleep, Reply,
    };
    use crate::text::{text, Field};

    /// 2015-08-30T12:36:00Z: the device's clock, 20 minutes behind the server's.
    const DEVICE: u64 = 1_440_938_160;
    /// The server's `Date`: 2015-08-30T12:56:00Z.
    const SERVER_DATE: &str = "Sun, 30 Aug 2015 12:56:00 GMT";
    /// STS's answer to a request signed 20 minutes in the past (the shape AWS sends).
    const EXPIRED: &[u8] = b"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>Signature expired: 20150830T123600Z is now earlier than 20150830T124100Z (20150830T125600Z - 15 min.)</Message></Error><RequestId>skew-1</RequestId></ErrorResponse>";
    const SKEWED: [Reply; 2] = [
        Reply::with_headers(403, &[("Date", SERVER_DATE)], EXPIRED),
        Reply::status(200),
    ];

    fn session(slot: &mut Session) {
        let mut opts = Options::default();
        opts.config.credentials = Some(ExplicitCredentials::Static(
            Credentials::new(
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                None,
            )
            .unwrap(),
        ));
        opts.config.region = Some(text("us-east-1", Field::Region).unwrap());
        slot.rebuild(&opts, &MemEnv::new(&[]), &MemFiles::new(&[]))
            .unwrap();
    }

    /// Sends GetCallerIdentity through `c` against `script` with the device clock; returns the
    /// outcome, the exchanges made and the `X-Amz-Date` of the last attempt.
    #[inline(never)]
    fn call(
        c: &Client<'_>,
        script: &[Reply],
    ) -> (Result<(), RequestError>, usize, heapless::String<16>) {
        let mut buf = [0u8; 512];
        let mut r = c
            .form_request(
                "GetCallerIdentity",
                "Action=GetCallerIdentity&Version=2011-06-15",
            )
            .unwrap();
        r.set_response_buffer(&mut buf);
        let mut platform = Bundle {
            transport: FakeTransport::new(script),
            clock: FakeClock::at(DEVICE),
            sleep: RecordingSleep::new(),
            entropy: FakeEntropy::new(0),
        };
        let result = c.send(&mut r, &mut platform);
        let date =
            heapless::String::try_from(r.http.headers().get("x-amz-date").unwrap_or("")).unwrap();
        (result, platform.transport.exchanges(), date)
    }

    selftests! {
        fn a_clock_20_minutes_behind_is_corrected_and_the_retry_succeeds() {
            let mut s = Session::unconfigured();
            session(&mut s);
            let c = s.client("sts").unwrap();
            assert!(c.handlers().retry.contains(CLOCK_SKEW.name));
            let (result, exchanges, date) = call(&c, &SKEWED);
            assert_eq!(result, Ok(()));
            assert_eq!(exchanges, 2, "failed as skewed, then retried");
            assert_eq!(s.clock_offset_secs(), 1200);
            assert_eq!(date.as_str(), "20150830T125600Z", "the retry signs at the server's time");
            // Later requests of every client of the session sign with the offset at once.
            let other = s.client("sts").unwrap();
            let (result, exchanges, date) = call(&other, &[Reply::status(200)]);
            assert_eq!((result, exchanges, date.as_str()), (Ok(()), 1, "20150830T125600Z"));
        }

        fn a_wrong_key_with_a_good_clock_is_not_retried() {
            let mut s = Session::unconfigured();
            session(&mut s);
            let c = s.client("sts").unwrap();
            let script = [Reply::with_headers(403, &[("Date", "Sun, 30 Aug 2015 12:37:00 GMT")], EXPIRED)];
            let (result, exchanges, _) = call(&c, &script);
            assert_eq!(result.unwrap_err().code(), "SignatureDoesNotMatch");
            assert_eq!((exchanges, s.clock_offset_secs()), (1, 0));
            // No Date header: nothing to correct with.
            let script = [Reply::with_body(403, EXPIRED)];
            assert_eq!(call(&c, &script).1, 1);
            assert_eq!(s.clock_offset_secs(), 0);
        }
    }
}
