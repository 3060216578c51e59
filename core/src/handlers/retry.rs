//! Go v1 retry rules (`client.DefaultRetryer`, `request/retryer.go`) as pure functions, and the
//! three core handlers that need nothing but the request.
//!
//! * Retryable: status 500; codes `RequestError`, `RequestTimeout`, `ResponseTimeout`,
//!   `RequestTimeoutException`; expired-credential codes; transport failures of a transient kind.
//! * Throttle (also retryable, longer back-off): status 429, 502, 503, 504; the Go v1 throttle codes.
//! * Back-off: `2^retry_count × jitter(min)` where `jitter(d)` is uniform in `[d, 2d)` and `min` is
//!   [`MIN_RETRY_DELAY_MS`] or, when throttled, [`MIN_THROTTLE_DELAY_MS`]; past the maximum it is
//!   `jitter(max / 2)`. A throttled 429/503 response adds its `Retry-After` seconds.
//! * Per request, [`Request::retry_error_codes`] and [`Request::throttle_error_codes`] add codes
//!   (Go v1 `r.RetryErrorCodes`, `r.ThrottleErrorCodes`); a [`Retryer`] replaces the policy.
//!
//! The codes come from the error answer's body or headers, decoded by the client's
//! UnmarshalError handler (`crate::protocol`).
//!
//! Divergences from Go v1, on purpose: a `Retry-After` delay is capped at
//! [`MAX_THROTTLE_DELAY_MS`] (Go adds it unbounded); TLS, permission, capacity and data errors from
//! a transport are not retried (Go retries most unknown network errors).

use super::{NamedHandler, Request, RequestError};
use crate::limits::{
    MAX_RETRY_DELAY_MS, MAX_THROTTLE_DELAY_MS, MIN_RETRY_DELAY_MS, MIN_THROTTLE_DELAY_MS,
};
use crate::platform::ErrorKind;

/// Codes Go v1 retries as they are.
pub const RETRYABLE_CODES: [&str; 4] = [
    "RequestError",
    "RequestTimeout",
    "ResponseTimeout",
    "RequestTimeoutException",
];

/// Codes Go v1 treats as throttling (`request/retryer.go` `throttleCodes`).
pub const THROTTLE_CODES: [&str; 11] = [
    "ProvisionedThroughputExceededException",
    "ThrottledException",
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "PriorRequestNotComplete",
    "TransactionInProgressException",
    "EC2ThrottledException",
];

/// Codes that mean the credentials expired; Go v1 retries them after expiring the credentials.
pub const EXPIRED_CREDENTIALS_CODES: [&str; 3] =
    ["ExpiredToken", "ExpiredTokenException", "RequestExpired"];

fn transient(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::ConnectionReset
            | ErrorKind::ConnectionRefused
            | ErrorKind::TimedOut
            | ErrorKind::Dns
            | ErrorKind::Protocol
            | ErrorKind::Other
    )
}

/// True when `error` (with response `status`, 0 for none) is one Go v1 retries without
/// throttling (`Request.IsErrorRetryable`).
pub fn is_error_retryable(error: &RequestError, status: u16) -> bool {
    if status == 500 {
        return true;
    }
    match error {
        RequestError::Transport { kind, .. } => transient(*kind),
        e => {
            let code = e.code();
            RETRYABLE_CODES.contains(&code) || EXPIRED_CREDENTIALS_CODES.contains(&code)
        }
    }
}

/// True when `error` (with response `status`) is throttling (`Request.IsErrorThrottle`).
pub fn is_error_throttle(error: &RequestError, status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504) || THROTTLE_CODES.contains(&error.code())
}

/// True when `error` says the credentials expired (`Request.IsErrorExpired`).
pub fn is_error_expired_credentials(error: &RequestError) -> bool {
    EXPIRED_CREDENTIALS_CODES.contains(&error.code())
}

/// Uniform in `[d, 2d)` from `random` (Go v1 `getJitterDelay`).
fn jitter(d: u64, random: u32) -> u64 {
    if d == 0 {
        return 0;
    }
    d.saturating_add(u64::from(random).checked_rem(d).unwrap_or(0))
}

/// The back-off before retry number `retry_count + 1` (Go v1 `DefaultRetryer.RetryRules`).
///
/// `retry_after_secs` is the response's `Retry-After`, used only when `throttle` and the status is
/// 429 or 503 (the caller checks the status). `random` is the driver's draw for this attempt.
pub fn retry_delay_ms(
    retry_count: u32,
    throttle: bool,
    retry_after_secs: Option<u32>,
    random: u32,
) -> u32 {
    let (min, max) = if throttle {
        (
            u64::from(MIN_THROTTLE_DELAY_MS),
            u64::from(MAX_THROTTLE_DELAY_MS),
        )
    } else {
        (u64::from(MIN_RETRY_DELAY_MS), u64::from(MAX_RETRY_DELAY_MS))
    };
    let scaled = 1u64
        .checked_shl(retry_count)
        .and_then(|f| f.checked_mul(jitter(min, random)));
    let delay = match scaled {
        Some(d) if d <= max => d,
        _ => jitter(max / 2, random),
    };
    let initial = if throttle {
        retry_after_secs.map_or(0, |s| {
            u64::from(s)
                .saturating_mul(1000)
                .min(u64::from(MAX_THROTTLE_DELAY_MS))
        })
    } else {
        0
    };
    u32::try_from(delay.saturating_add(initial)).unwrap_or(u32::MAX)
}

impl Request<'_> {
    /// Go v1 `r.IsErrorRetryable()`: false without an error; true for a code in
    /// [`Request::retry_error_codes`], else the Go v1 rules ([`is_error_retryable`]).
    pub fn is_error_retryable(&self) -> bool {
        self.error.as_ref().is_some_and(|e| {
            self.retry_error_codes.contains(&e.code())
                || is_error_retryable(e, self.response.status())
        })
    }

    /// Go v1 `r.IsErrorThrottle()`: false without an error; true for a code in
    /// [`Request::throttle_error_codes`], else the Go v1 rules ([`is_error_throttle`]).
    pub fn is_error_throttle(&self) -> bool {
        self.error.as_ref().is_some_and(|e| {
            self.throttle_error_codes.contains(&e.code())
                || is_error_throttle(e, self.response.status())
        })
    }

    /// Go v1 `r.IsErrorExpired()`.
    pub fn is_error_expired_credentials(&self) -> bool {
        self.error
            .as_ref()
            .is_some_and(is_error_expired_credentials)
    }

    /// Go v1 `DefaultRetryer.ShouldRetry`: a handler's decision wins; no retries when
    /// `max_retries` is 0; otherwise retryable or throttled.
    pub fn should_retry(&self) -> bool {
        if self.max_retries() == 0 {
            return false;
        }
        if let Some(decided) = self.retryable {
            return decided;
        }
        self.is_error_retryable() || self.is_error_throttle()
    }

    /// Go v1 `r.WillRetry()`: an error, marked retryable, and retries left.
    pub fn will_retry(&self) -> bool {
        self.error.is_some()
            && self.retryable == Some(true)
            && self.retry_count < self.max_retries()
    }
}

/// A retry policy (Go v1 `request.Retryer`): whether a failed attempt is retried and how long to
/// wait first. `core.AfterRetryHandler` asks [`DefaultRetryer`]; to use another, put
/// [`AfterRetryWith`] in its place in the AfterRetry list
/// (`handlers.after_retry.swap(AFTER_RETRY.name, …)`). The number of retries stays the request's
/// ([`Request::max_retries`]); a handler's [`Request::retryable`] decision still wins over
/// [`Retryer::should_retry`].
pub trait Retryer: Sync {
    /// Whether the failed attempt in `r` should be retried (Go v1 `ShouldRetry`).
    fn should_retry(&self, r: &Request<'_>) -> bool;
    /// The wait before the next attempt, in milliseconds (Go v1 `RetryRules`).
    fn retry_delay_ms(&self, r: &Request<'_>) -> u32;
}

/// Go v1's `client.DefaultRetryer`: [`Request::should_retry`] and [`retry_delay_ms`] with the
/// response's `Retry-After` on a throttled 429 or 503.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultRetryer;

impl Retryer for DefaultRetryer {
    fn should_retry(&self, r: &Request<'_>) -> bool {
        r.should_retry()
    }

    fn retry_delay_ms(&self, r: &Request<'_>) -> u32 {
        let throttle = r.is_error_throttle();
        let retry_after = if matches!(r.response.status(), 429 | 503) {
            r.response.retry_after_secs()
        } else {
            None
        };
        retry_delay_ms(r.retry_count, throttle, retry_after, r.jitter())
    }
}

/// `core.AfterRetryHandler` with another [`Retryer`]: a `static` of it goes in the AfterRetry
/// list with [`NamedHandler::with_dyn`].
#[derive(Debug)]
pub struct AfterRetryWith<R>(pub R);

impl<R: Retryer> super::RequestHandler for AfterRetryWith<R> {
    fn handle(&self, request: &mut Request<'_>) {
        after_retry_using(&self.0, request);
    }
}

fn after_retry(r: &mut Request<'_>) {
    after_retry_using(&DefaultRetryer, r);
}

fn after_retry_using(retryer: &dyn Retryer, r: &mut Request<'_>) {
    if r.retryable.is_none() {
        r.retryable = Some(retryer.should_retry(r));
    }
    if !r.will_retry() {
        return;
    }
    r.retry_delay_ms = retryer.retry_delay_ms(r);
    if r.is_error_expired_credentials() {
        r.credentials_expired = true;
    }
    r.retry_count = r.retry_count.saturating_add(1);
    r.error = None;
}

/// `core.AfterRetryHandler` (AfterRetry): decides `retryable` unless a handler did, and when the
/// request will retry sets the back-off (returned to the driver as [`super::Step::Sleep`] instead
/// of sleeping), flags expired credentials, counts the retry and clears the error.
pub const AFTER_RETRY: NamedHandler = NamedHandler::new("core.AfterRetryHandler", after_retry);

fn validate_response(r: &mut Request<'_>) {
    let status = r.response.status();
    if status == 0 || status >= 300 {
        r.error = Some(RequestError::Status { status });
    }
}

/// `core.ValidateResponseHandler` (ValidateResponse): status 0 or ≥ 300 sets the placeholder
/// [`RequestError::Status`] that an UnmarshalError handler may replace.
pub const VALIDATE_RESPONSE: NamedHandler =
    NamedHandler::new("core.ValidateResponseHandler", validate_response);

fn build_content_length(r: &mut Request<'_>) {
    if r.http.headers().contains("content-length") {
        return;
    }
    let length = r.http.body().length();
    if length == 0 {
        r.http.headers_mut().remove("content-length");
        return;
    }
    let mut text = heapless::String::<20>::new();
    if core::fmt::write(&mut text, format_args!("{length}")).is_err() {
        r.fail("SerializationError");
        return;
    }
    if let Err(e) = r.http.headers_mut().insert("Content-Length", &text) {
        r.error = Some(RequestError::Http(e));
    }
}

/// `core.BuildContentLengthHandler` (Sign): sets `Content-Length` from the body unless a handler
/// already set it; no header for an empty body.
pub const BUILD_CONTENT_LENGTH: NamedHandler =
    NamedHandler::new("core.BuildContentLengthHandler", build_content_length);

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::handlers::{ErrorCode, Phase, TransportStage};
    use crate::http::Body;

    fn service(status: u16, code: &str) -> RequestError {
        RequestError::Service {
            status,
            code: ErrorCode::new(code).unwrap(),
        }
    }

    /// Puts `r` back into "attempt failed with `error` at `status`", in place.
    fn fail_with(r: &mut Request<'_>, status: u16, error: RequestError) {
        r.response.clear();
        r.response.set_status(status);
        r.error = Some(error);
        r.retryable = None;
        r.retry_count = 0;
        r.retry_delay_ms = 0;
        r.credentials_expired = false;
    }

    struct Never;
    impl Retryer for Never {
        fn should_retry(&self, _: &Request<'_>) -> bool {
            false
        }
        fn retry_delay_ms(&self, _: &Request<'_>) -> u32 {
            7
        }
    }
    struct Always;
    impl Retryer for Always {
        fn should_retry(&self, _: &Request<'_>) -> bool {
            true
        }
        fn retry_delay_ms(&self, r: &Request<'_>) -> u32 {
            1000 * (r.retry_count + 1)
        }
    }
    static NEVER: AfterRetryWith<Never> = AfterRetryWith(Never);
    static ALWAYS: AfterRetryWith<Always> = AfterRetryWith(Always);

    selftests! {
        fn ec2_throttling_is_throttling() {
            assert!(is_error_throttle(&service(503, "EC2ThrottledException"), 400));
            assert!(is_error_throttle(&service(400, "EC2ThrottledException"), 400));
            assert_eq!(THROTTLE_CODES.len(), 11);
        }

        fn per_request_codes_add_to_the_lists() {
            let mut r = Request::new("Op");
            fail_with(&mut r, 400, service(400, "InvalidIdentityToken"));
            assert!(!r.is_error_retryable() && !r.is_error_throttle());
            r.retry_error_codes = &["InvalidIdentityToken"];
            assert!(r.is_error_retryable() && !r.is_error_throttle());
            r.retry_error_codes = &[];
            r.throttle_error_codes = &["SlowDown", "InvalidIdentityToken"];
            assert!(r.is_error_throttle());
            after_retry(&mut r);
            assert!(r.error.is_none(), "retried as throttled");
            assert!(r.retry_delay_ms >= MIN_THROTTLE_DELAY_MS, "{}", r.retry_delay_ms);
        }

        fn a_pluggable_retryer_replaces_the_policy() {
            let mut h = crate::handlers::Handlers::with_core_defaults().unwrap();
            assert!(h.after_retry.swap(AFTER_RETRY.name, NamedHandler::with_dyn(AFTER_RETRY.name, &NEVER)));
            let mut r = Request::new("Op");
            fail_with(&mut r, 503, RequestError::Status { status: 503 });
            h.run(Phase::AfterRetry, &mut r);
            assert_eq!(r.retryable, Some(false));
            assert!(r.error.is_some());
            assert!(h.after_retry.swap(AFTER_RETRY.name, NamedHandler::with_dyn(AFTER_RETRY.name, &ALWAYS)));
            fail_with(&mut r, 403, service(403, "AccessDenied"));
            h.run(Phase::AfterRetry, &mut r);
            assert_eq!((r.retryable, r.retry_delay_ms, r.retry_count), (Some(true), 1000, 1));
            assert!(r.error.is_none());
            // The request's retry budget still bounds a retryer that always says yes.
            fail_with(&mut r, 403, service(403, "AccessDenied"));
            r.set_max_retries(0);
            h.run(Phase::AfterRetry, &mut r);
            assert!(r.error.is_some());
        }

        fn classification_follows_go_v1() {
            let unknown = |s| RequestError::Status { status: s };
            // 500 retryable without throttle; 501 not; 502/503/504/429 throttle.
            assert!(is_error_retryable(&unknown(500), 500));
            assert!(!is_error_throttle(&unknown(500), 500));
            assert!(!is_error_retryable(&unknown(501), 501) && !is_error_throttle(&unknown(501), 501));
            for s in [429, 502, 503, 504] {
                assert!(is_error_throttle(&unknown(s), s), "{s}");
            }
            assert!(!is_error_retryable(&unknown(400), 400) && !is_error_throttle(&unknown(400), 400));
            assert!(is_error_throttle(&service(400, "ThrottlingException"), 400));
            assert!(is_error_throttle(&service(400, "PriorRequestNotComplete"), 400));
            assert!(is_error_retryable(&service(400, "RequestTimeout"), 400));
            assert!(is_error_retryable(&service(400, "ExpiredToken"), 400));
            assert!(is_error_expired_credentials(&service(400, "ExpiredTokenException")));
            assert!(!is_error_retryable(&service(403, "AccessDenied"), 403));
            let reset = RequestError::Transport { stage: TransportStage::Begin, kind: ErrorKind::ConnectionReset };
            let tls = RequestError::Transport { stage: TransportStage::Begin, kind: ErrorKind::Tls };
            assert!(is_error_retryable(&reset, 0));
            assert!(!is_error_retryable(&tls, 0));
            let validation = RequestError::Handler { phase: Phase::Validate, code: "MissingRegion" };
            assert!(!is_error_retryable(&validation, 0) && !is_error_throttle(&validation, 0));
        }

        fn delay_grows_with_jitter_in_go_bounds() {
            for (count, random) in [(0u32, 0u32), (0, 29), (1, 7), (3, 12345), (5, u32::MAX)] {
                let d = retry_delay_ms(count, false, None, random);
                let lo = MIN_RETRY_DELAY_MS << count;
                assert!(d >= lo && d < 2 * lo, "count {count}: {d}");
            }
            assert_eq!(retry_delay_ms(0, false, None, 0), 30);
            assert_eq!(retry_delay_ms(2, false, None, 5), 4 * 35);
            // Throttled: 500 ms minimum.
            let t = retry_delay_ms(0, true, None, 1);
            assert_eq!(t, 501);
        }

        fn delay_past_maximum_uses_half_max_jitter() {
            // 2^14 * 30ms > 300s: falls back to jitter(150s) in [150s, 300s).
            let d = retry_delay_ms(14, false, None, 99);
            assert_eq!(d, 150_000 + 99);
            // Shift overflow is handled, not a panic.
            let d = retry_delay_ms(200, true, None, 0);
            assert_eq!(d, 150_000);
        }

        fn retry_after_adds_and_is_capped() {
            assert_eq!(retry_delay_ms(0, true, Some(2), 0), 500 + 2000);
            assert_eq!(retry_delay_ms(0, true, Some(u32::MAX), 0), 500 + MAX_THROTTLE_DELAY_MS);
            // Not throttled: ignored.
            assert_eq!(retry_delay_ms(0, false, Some(2), 0), 30);
        }

        fn after_retry_handler_retries_then_stops_at_max() {
            let mut r = Request::new("Op");
            fail_with(&mut r, 503, RequestError::Status { status: 503 });
            r.set_max_retries(1);
            after_retry(&mut r);
            assert_eq!(r.retryable, Some(true));
            assert!(r.error.is_none());
            assert_eq!(r.retry_count, 1);
            assert!(r.retry_delay_ms >= 500 && r.retry_delay_ms < 1000);
            r.error = Some(RequestError::Status { status: 503 });
            r.retryable = None;
            after_retry(&mut r);
            assert_eq!(r.retryable, Some(true));
            assert!(r.error.is_some(), "no retries left: the error stays");
            assert_eq!(r.retry_count, 1);
        }

        fn after_retry_respects_handler_decision_and_zero_max() {
            let mut r = Request::new("Op");
            fail_with(&mut r, 500, RequestError::Status { status: 500 });
            r.retryable = Some(false);
            after_retry(&mut r);
            assert!(r.error.is_some());
            fail_with(&mut r, 400, service(400, "AccessDenied"));
            r.retryable = Some(true);
            after_retry(&mut r);
            assert!(r.error.is_none(), "a handler forced the retry");
            fail_with(&mut r, 500, RequestError::Status { status: 500 });
            r.set_max_retries(0);
            after_retry(&mut r);
            assert_eq!(r.retryable, Some(false));
            assert!(r.error.is_some());
        }

        fn after_retry_flags_expired_credentials() {
            let mut r = Request::new("Op");
            fail_with(&mut r, 400, service(400, "ExpiredToken"));
            after_retry(&mut r);
            assert!(r.credentials_expired);
            assert_eq!(r.retry_count, 1);
            assert!(r.retry_delay_ms >= 30 && r.retry_delay_ms < 60);
        }

        fn retry_after_header_used_for_429() {
            let mut r = Request::new("Op");
            fail_with(&mut r, 429, RequestError::Status { status: 429 });
            r.response.push_header("Retry-After", "3").unwrap();
            after_retry(&mut r);
            assert!(r.retry_delay_ms >= 3500 && r.retry_delay_ms < 4000, "{}", r.retry_delay_ms);
        }

        fn validate_response_sets_placeholder() {
            for (status, bad) in [(0u16, true), (200, false), (204, false), (301, true), (404, true), (500, true)] {
                let mut r = Request::new("Op");
                r.response.set_status(status);
                validate_response(&mut r);
                assert_eq!(r.error.is_some(), bad, "{status}");
            }
        }

        fn content_length_from_body() {
            let body = b"hello";
            let mut r = Request::new("Op");
            r.http.set_body(Body::Bytes(body));
            build_content_length(&mut r);
            assert_eq!(r.http.headers().get("content-length"), Some("5"));
            // A header already set wins.
            r.http.headers_mut().insert("Content-Length", "9").unwrap();
            build_content_length(&mut r);
            assert_eq!(r.http.headers().get("content-length"), Some("9"));
            // No body, no header.
            r.http.headers_mut().clear();
            r.http.set_body(Body::Empty);
            build_content_length(&mut r);
            assert!(!r.http.headers().contains("content-length"));
        }
    }
}
