//! AWS wire protocols, without heap: small request helpers and the decoding of error responses.
//!
//! | protocol | request | error answer |
//! |---|---|---|
//! | [`Protocol::Query`] (STS, IAM, SQS, SNS), [`Protocol::Ec2Query`] | `POST /`, form body `Action=…&Version=…` ([`FormBody`]) | XML `<ErrorResponse><Error><Code/><Message/></Error><RequestId/>` (EC2: `<Response><Errors><Error>…<RequestID/>`) |
//! | [`Protocol::Json10`], [`Protocol::Json11`] (DynamoDB, Kinesis, KMS, …) | `POST /`, `X-Amz-Target: Prefix.Operation`, `application/x-amz-json-1.x` ([`prepare_json`]) | JSON `{"__type": "ns#Code", "message": …}` |
//! | [`Protocol::RestJson`] (Lambda, IoT Data, …) | method and path per operation, `application/json` | `x-amzn-ErrorType` header and/or JSON `code` / `message` |
//! | [`Protocol::RestXml`] (S3, Route 53, CloudFront) | method and path per operation, `application/xml` | XML `<Error><Code/><Message/><RequestId/></Error>`; HEAD and other empty answers from the status |
//!
//! [`decode_error`] reads an error answer of any of them into a [`ServiceError`]: code, message
//! and request id in fixed-capacity fields. The rules, as Go v1 and botocore apply them:
//!
//! * An `x-amzn-ErrorType` header wins over a REST-JSON body (or a JSON body of an unknown
//!   protocol); a JSON 1.0/1.1 body (`__type`, Go v1 `jsonrpc`) and an XML body win over it.
//!   Codes are cleaned the Go v1 `restjson` way: everything from the first `:` is dropped, then
//!   everything up to the first `#` (`aws.protocoltests#FooError:http://…` is `FooError`).
//! * JSON: `__type`, else `code`, else `Code`; `message`, else `Message`; `x-amzn-ErrorMessage`
//!   when the body has none.
//! * XML: the first `Code` and `Message` whose parent is `Error`, and the first `RequestId` /
//!   `RequestID` anywhere.
//! * Request id: the body's, else `x-amzn-RequestId`, else `x-amz-request-id`.
//! * An empty body (HEAD, many S3 answers) takes its code from the status, Go v1's S3 way
//!   (`404` → `NotFound`, `403` → `Forbidden`, the status text without spaces); with REST-XML a
//!   `301` is Go v1's `BucketRegionError`.
//! * A body that is not XML or JSON, or is malformed, is a typed [`DecodeError`] (unless a header
//!   gave the code); nothing panics, and text is cut, never overflowed.
//!
//! The codes then drive retries ([`crate::handlers::retry`]), the expiry of cached credentials and
//! clock-skew correction ([`clock_skew_offset`]).

pub(crate) mod decode;
pub(crate) mod request;

pub use decode::{
    decode_error, status_code, CodeSource, DecodeError, ServiceError, REQUEST_ID_HEADERS,
};
pub use request::{prepare_json, prepare_rest, FormBody, FormError};

use crate::limits::MAX_CLOCK_SKEW_SECS;
use crate::time::UnixTime;

/// The wire protocol of a service (its Smithy model's `protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Protocol {
    /// `awsQuery`: form body, XML answers (STS, IAM, SQS, SNS, …).
    Query,
    /// `ec2Query`: as query; errors are `<Response><Errors><Error>`.
    Ec2Query,
    /// `awsJson1_0` (DynamoDB, …).
    Json10,
    /// `awsJson1_1` (Kinesis, KMS, CloudWatch Logs, …).
    Json11,
    /// `restJson1` (Lambda, IoT Data, API Gateway, …).
    RestJson,
    /// `restXml` (S3, Route 53, CloudFront).
    RestXml,
}

impl Protocol {
    /// The `Content-Type` of a request body in this protocol.
    pub const fn content_type(self) -> &'static str {
        match self {
            Protocol::Query | Protocol::Ec2Query => FORM_CONTENT_TYPE,
            Protocol::Json10 => "application/x-amz-json-1.0",
            Protocol::Json11 => "application/x-amz-json-1.1",
            Protocol::RestJson => "application/json",
            Protocol::RestXml => "application/xml",
        }
    }

    /// True when error answers are XML.
    pub const fn is_xml(self) -> bool {
        matches!(
            self,
            Protocol::Query | Protocol::Ec2Query | Protocol::RestXml
        )
    }
}

/// The `Content-Type` of a query-protocol body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// Error codes that can mean the request's clock is off (the codes the JavaScript v3 and Java v2
/// SDKs correct for, and S3's `RequestTimeTooSkewed`; `SignatureExpired` for presigned URLs).
/// Go v1 corrects none (`docs/divergences.md`, P1).
pub const CLOCK_SKEW_CODES: [&str; 7] = [
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "SignatureExpired",
];

/// True when `code` is one of [`CLOCK_SKEW_CODES`].
pub fn is_clock_skew_code(code: &str) -> bool {
    CLOCK_SKEW_CODES.contains(&code)
}

/// The clock offset to sign later requests with, or `None` to keep the current one.
///
/// `code` is the failed attempt's error code, `server` the response's `Date`, `local` the device
/// clock's reading for the attempt (without any offset) and `current` the offset the attempt was
/// signed with, in seconds. The rule is the Java v2 SDK's: when the code is a clock-skew code and
/// the server's time differs from the time the attempt was signed at by more than
/// [`MAX_CLOCK_SKEW_SECS`], the new offset is `server - local`. A `SignatureDoesNotMatch` with a
/// good clock (a wrong secret key) therefore changes nothing and is not retried.
pub fn clock_skew_offset(
    code: &str,
    server: Option<UnixTime>,
    local: UnixTime,
    current: i32,
) -> Option<i32> {
    if !is_clock_skew_code(code) {
        return None;
    }
    let server = i64::try_from(server?.secs()).ok()?;
    let local = i64::try_from(local.secs()).ok()?;
    let signed_at = local.saturating_add(i64::from(current));
    if server.saturating_sub(signed_at).unsigned_abs() <= u64::from(MAX_CLOCK_SKEW_SECS) {
        return None;
    }
    i32::try_from(server.saturating_sub(local)).ok()
}

/// `local` moved by `offset` seconds (the time to sign at), saturating at the ends of time.
pub fn apply_offset(local: UnixTime, offset: i32) -> UnixTime {
    let secs = local.secs();
    let moved = if offset >= 0 {
        secs.saturating_add(u64::from(offset.unsigned_abs()))
    } else {
        secs.saturating_sub(u64::from(offset.unsigned_abs()))
    };
    UnixTime::from_secs(moved)
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    selftests! {
        fn skew_offset_follows_the_four_minute_rule() {
            let local = UnixTime::from_secs(1_700_000_000);
            let ahead = UnixTime::from_secs(1_700_000_000 + 20 * 60);
            assert_eq!(clock_skew_offset("RequestTimeTooSkewed", Some(ahead), local, 0), Some(1200));
            assert_eq!(clock_skew_offset("SignatureDoesNotMatch", Some(ahead), local, 0), Some(1200));
            // Already corrected: the attempt was signed at the server's time.
            assert_eq!(clock_skew_offset("RequestTimeTooSkewed", Some(ahead), local, 1200), None);
            // Within four minutes: a wrong key, not a wrong clock.
            let near = UnixTime::from_secs(1_700_000_000 + 240);
            assert_eq!(clock_skew_offset("SignatureDoesNotMatch", Some(near), local, 0), None);
            let behind = UnixTime::from_secs(1_700_000_000 - 241);
            assert_eq!(clock_skew_offset("InvalidSignatureException", Some(behind), local, 0), Some(-241));
            // Not a skew code, or no Date.
            assert_eq!(clock_skew_offset("AccessDenied", Some(ahead), local, 0), None);
            assert_eq!(clock_skew_offset("RequestTimeTooSkewed", None, local, 0), None);
            // Extreme values saturate or refuse, never panic.
            assert_eq!(clock_skew_offset("AuthFailure", Some(UnixTime::from_secs(u64::MAX)), local, 0), None);
            assert_eq!(clock_skew_offset("AuthFailure", Some(local), UnixTime::from_secs(u64::MAX), i32::MIN), None);
        }

        fn offsets_apply_both_ways() {
            let t = UnixTime::from_secs(1000);
            assert_eq!(apply_offset(t, 20).secs(), 1020);
            assert_eq!(apply_offset(t, -20).secs(), 980);
            assert_eq!(apply_offset(t, i32::MIN).secs(), 0);
            assert_eq!(apply_offset(UnixTime::from_secs(u64::MAX), 1).secs(), u64::MAX);
        }

        fn content_types() {
            assert_eq!(Protocol::Json10.content_type(), "application/x-amz-json-1.0");
            assert_eq!(Protocol::Json11.content_type(), "application/x-amz-json-1.1");
            assert!(Protocol::Query.is_xml() && Protocol::RestXml.is_xml() && !Protocol::RestJson.is_xml());
        }
    }
}
