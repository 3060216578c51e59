//! The raw-operation escape hatch: any operation of any service and protocol, prepared from its
//! parts; the answer is the raw body in the request's response buffer
//! ([`Request::response_body`]), and an error answer decodes with [`Request::service_error`].

use super::RawError;
use crate::client::Client;
use crate::handlers::Request;
use crate::http::Method;
use crate::protocol::{prepare_json, prepare_rest, FormBody, Protocol};

/// What a raw call sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawCall<'a> {
    /// Query or EC2 query: `POST /` with the form `Action=…&Version=…&NAME=VALUE…` (names as
    /// given, values form-urlencoded), written into the caller's buffer.
    Query {
        /// [`Protocol::Query`] or [`Protocol::Ec2Query`].
        protocol: Protocol,
        /// `Action`.
        action: &'a str,
        /// `Version` (the service's API version, `2012-11-05` for SQS).
        version: &'a str,
        /// The other parameters, in order (`QueueName`, `Attribute.1.Name`, …).
        params: &'a [(&'a str, &'a str)],
    },
    /// JSON 1.0 / 1.1: `POST /` with `X-Amz-Target: {target_prefix}.{operation}` and the JSON
    /// body (`{}` when empty).
    Json {
        /// [`Protocol::Json10`] or [`Protocol::Json11`] (it picks the `Content-Type`).
        protocol: Protocol,
        /// The target prefix (`DynamoDB_20120810`, `Kinesis_20131202`, `TrentService`).
        target_prefix: &'a str,
        /// The operation (`CreateTable`).
        operation: &'a str,
        /// The JSON body.
        body: &'a [u8],
    },
    /// REST-JSON or REST-XML: `method`, `target` (path and query, percent-encoded as sent) and
    /// `body` (with the protocol's `Content-Type` when not empty).
    Rest {
        /// [`Protocol::RestJson`] or [`Protocol::RestXml`].
        protocol: Protocol,
        /// The method.
        method: Method,
        /// Path and query (`/2015-03-31/functions`).
        target: &'a str,
        /// The body.
        body: &'a [u8],
    },
}

/// The request of a raw call named `operation` on `client`; a query form is written into
/// `form_buf` (unused otherwise).
///
/// # Errors
/// [`RawError::Invalid`] naming `action` or `operation` when empty; [`RawError::Body`] when a
/// form does not fit `form_buf`; [`RawError::Http`] when the target or a header does not fit.
pub fn prepare<'a>(
    client: &'a Client<'_>,
    operation: &'static str,
    call: RawCall<'a>,
    form_buf: &'a mut [u8],
) -> Result<Request<'a>, RawError> {
    let mut r = client.request(operation);
    match call {
        RawCall::Query {
            protocol,
            action,
            version,
            params,
        } => {
            if action.is_empty() {
                return Err(RawError::Invalid("action"));
            }
            let mut form = FormBody::new(form_buf, action, version)?;
            for (name, value) in params {
                form.param(name, value)?;
            }
            let body = form.finish();
            prepare_rest(&mut r.http, protocol, Method::Post, "/", body.as_bytes())?;
        }
        RawCall::Json {
            protocol,
            target_prefix,
            operation,
            body,
        } => {
            if operation.is_empty() {
                return Err(RawError::Invalid("operation"));
            }
            prepare_json(&mut r.http, protocol, target_prefix, operation, body)?;
        }
        RawCall::Rest {
            protocol,
            method,
            target,
            body,
        } => prepare_rest(&mut r.http, protocol, method, target, body)?,
    }
    Ok(r)
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::session::{Options, Session};
    use crate::test_util::{MemEnv, MemFiles};

    fn session(slot: &mut Session) {
        let env = MemEnv::new(&[("AWS_REGION", "eu-west-1")]);
        slot.rebuild(&Options::default(), &env, &MemFiles::new(&[]))
            .unwrap();
    }

    // Each check runs in its own frame (one client and one request at a time), so the self-tests
    // fit a small device's stack beside the session.

    #[inline(never)]
    fn query_form(s: &Session) {
        let c = s.client("sqs").unwrap();
        let mut form = [0u8; 128];
        let params = [("QueueName", "q 1"), ("Attribute.1.Name", "DelaySeconds")];
        let call = RawCall::Query {
            protocol: Protocol::Query,
            action: "CreateQueue",
            version: "2012-11-05",
            params: &params,
        };
        let r = prepare(&c, "CreateQueue", call, &mut form).unwrap();
        assert_eq!((r.http.method(), r.http.target()), (Method::Post, "/"));
        assert_eq!(r.http.body().bytes(), Some(&b"Action=CreateQueue&Version=2012-11-05&QueueName=q+1&Attribute.1.Name=DelaySeconds"[..]));
        assert_eq!(
            r.http.headers().get("content-type"),
            Some(crate::protocol::FORM_CONTENT_TYPE)
        );
    }

    #[inline(never)]
    fn query_refusals(s: &Session) {
        let c = s.client("sqs").unwrap();
        let params = [("QueueName", "q 1"), ("Attribute.1.Name", "DelaySeconds")];
        let call = RawCall::Query {
            protocol: Protocol::Query,
            action: "CreateQueue",
            version: "2012-11-05",
            params: &params,
        };
        let mut small = [0u8; 50];
        assert!(matches!(
            prepare(&c, "CreateQueue", call, &mut small),
            Err(RawError::Body(_))
        ));
        let mut form = [0u8; 128];
        let empty = RawCall::Query {
            protocol: Protocol::Query,
            action: "",
            version: "v",
            params: &[],
        };
        assert!(matches!(
            prepare(&c, "X", empty, &mut form),
            Err(RawError::Invalid("action"))
        ));
    }

    #[inline(never)]
    fn json_target(s: &Session) {
        let c = s.client("kinesis").unwrap();
        let call = RawCall::Json {
            protocol: Protocol::Json11,
            target_prefix: "Kinesis_20131202",
            operation: "CreateStream",
            body: b"{\"StreamName\":\"s\"}",
        };
        let r = prepare(&c, "CreateStream", call, &mut []).unwrap();
        assert_eq!(
            r.http.headers().get("x-amz-target"),
            Some("Kinesis_20131202.CreateStream")
        );
        assert_eq!(
            r.http.headers().get("content-type"),
            Some("application/x-amz-json-1.1")
        );
    }

    #[inline(never)]
    fn rest_target(s: &Session) {
        let c = s.client("lambda").unwrap();
        let call = RawCall::Rest {
            protocol: Protocol::RestJson,
            method: Method::Get,
            target: "/2015-03-31/functions",
            body: b"",
        };
        let r = prepare(&c, "ListFunctions", call, &mut []).unwrap();
        assert_eq!(
            (r.http.method(), r.http.target()),
            (Method::Get, "/2015-03-31/functions")
        );
        assert!(!r.http.headers().contains("content-type"));
    }

    #[inline(never)]
    fn dynamodb_request(s: &Session) {
        let c = s.client("dynamodb").unwrap();
        let r = crate::ops::dynamodb::query(&c, b"{\"TableName\":\"t\"}").unwrap();
        assert_eq!(
            r.http.headers().get("x-amz-target"),
            Some("DynamoDB_20120810.Query")
        );
        assert_eq!(r.operation(), "Query");
        assert!(matches!(
            crate::ops::dynamodb::get_item(&c, b""),
            Err(crate::ops::JsonError::Missing("body"))
        ));
    }

    #[inline(never)]
    fn iot_request(s: &Session) {
        let c = s.client(crate::ops::iot_data::SERVICE).unwrap();
        assert_eq!(c.endpoint().unwrap().signing_name(), "iotdata");
        let r = crate::ops::iot_data::publish(&c, "a/b", 1, b"{\"t\":1}").unwrap();
        assert_eq!(
            (r.http.method(), r.http.target()),
            (Method::Post, "/topics/a%2Fb?qos=1")
        );
        assert_eq!(
            r.http.headers().get("content-type"),
            Some("application/json")
        );
    }

    #[inline(never)]
    fn sts_request(s: &Session) {
        let c = s.client("sts").unwrap();
        let mut buf = [0u8; 64];
        let r = crate::ops::sts::get_caller_identity(&c, &mut buf).unwrap();
        assert_eq!(
            r.http.body().bytes(),
            Some(&b"Action=GetCallerIdentity&Version=2011-06-15"[..])
        );
    }

    #[inline(never)]
    fn kinesis_request(s: &Session) {
        let c = s.client("kinesis").unwrap();
        let mut buf = [0u8; 128];
        let r = crate::ops::kinesis::put_record(&c, &mut buf, "s", "k", b"x").unwrap();
        assert_eq!(
            r.http.headers().get("x-amz-target"),
            Some("Kinesis_20131202.PutRecord")
        );
    }

    selftests! {
        fn raw_calls_of_every_protocol() {
            let mut s = Session::unconfigured();
            session(&mut s);
            query_form(&s);
            query_refusals(&s);
            json_target(&s);
            rest_target(&s);
        }

        fn typed_requests_have_their_shapes() {
            let mut s = Session::unconfigured();
            session(&mut s);
            dynamodb_request(&s);
            iot_request(&s);
            sts_request(&s);
            kinesis_request(&s);
        }
    }
}
