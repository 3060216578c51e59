//! core's request pipeline (`handlers::run_blocking`) driven with the std adapter's platform —
//! `HttpsTransport`, `SystemClock`, `ThreadSleep`, `StdEntropy` — against moto: a Sign handler
//! signs each attempt with SigV4 at the attempt's time, the driver sends it, the core handlers
//! validate the response. Shows that the transport plugs into core through the trait alone.
//!
//! The second test takes the whole path an application takes: `aws_session_std::load_with`
//! (environment with `AWS_ENDPOINT_URL`) → `Session::client("sts")` (core's endpoint validation
//! and `v4.SignRequestHandler`) → `Client::request` → `run_blocking` over `HttpsTransport`.

use aws_session_core::handlers::{run_blocking, Handlers, Pipeline, Request};
use aws_session_core::http::{Body, HttpRequest, Method, Scheme};
use aws_session_core::secret::SecretKey;
use aws_session_core::session::Options;
use aws_session_core::sigv4::{
    SignableBody, SignableRequest, Signer, SigningCredentials, SigningOutput, SigningParams,
    SigningSettings,
};
use aws_session_core::text::Field;
use aws_session_std::transport::{HttpsConfig, HttpsTransport};
use aws_session_std::{
    load_with, HomeFallback, HomeResolver, Platform, StdEntropy, StdEnv, SystemClock, ThreadSleep,
};
use aws_session_tests::peer;

/// What the Sign handler needs, passed through the request's context slot.
struct SignContext {
    access_key_id: String,
    secret: SecretKey,
    region: String,
    service: &'static str,
}

/// A SigV4 Sign handler: signs the request as built, at this attempt's time.
fn sign_v4(r: &mut Request<'_>) {
    let Some(ctx) = r.context::<SignContext>() else {
        return r.fail("MissingSignContext");
    };
    let headers: Vec<(String, String)> = r
        .http
        .headers()
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let borrowed: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let body = r.http.body().bytes().unwrap_or_default();
    let signable = SignableRequest::new(
        r.http.method().as_str(),
        r.http.path(),
        r.http.query(),
        &borrowed,
        SignableBody::Bytes(body),
    )
    .with_host(r.http.host());
    let params = SigningParams {
        credentials: SigningCredentials {
            access_key_id: &ctx.access_key_id,
            secret: &ctx.secret,
            session_token: None,
        },
        region: &ctx.region,
        service: ctx.service,
        time: r.attempt_time(),
        settings: SigningSettings::for_service(ctx.service),
    };
    let mut out = SigningOutput::new();
    let signed: Vec<(String, String)> = match Signer::<0>::new().sign(&signable, &params, &mut out)
    {
        Ok(s) => s
            .headers()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect(),
        Err(_) => return r.fail("SigningFailed"),
    };
    for (name, value) in signed {
        // Re-signing on a retry replaces the previous attempt's values.
        r.http.headers_mut().remove(&name);
        if r.http.headers_mut().append(&name, &value).is_err() {
            return r.fail("SigningFailed");
        }
    }
}

/// Runs STS GetCallerIdentity through the pipeline; returns the status and body.
fn get_caller_identity(secret: &str) -> (Result<(), String>, u16, String) {
    let p = peer("MOTO");
    let host = p
        .endpoint
        .strip_prefix("http://")
        .expect("http endpoint")
        .to_owned();
    let ctx = SignContext {
        access_key_id: p.access_key_id.clone(),
        secret: SecretKey::new(secret, Field::SecretAccessKey).unwrap(),
        region: p.region.clone(),
        service: "sts",
    };
    let form = b"Action=GetCallerIdentity&Version=2011-06-15";
    let mut handlers = Handlers::with_core_defaults().unwrap();
    handlers.sign.push_front(sign_v4).unwrap();
    let mut http = HttpRequest::new(Method::Post, Scheme::Http, &host, "/").unwrap();
    http.headers_mut()
        .append("Content-Type", "application/x-www-form-urlencoded")
        .unwrap();
    http.set_body(Body::Bytes(form));
    let mut request = Request::with_http("GetCallerIdentity", http);
    request.set_context(&ctx);
    request.set_max_retries(0);
    let mut buf = vec![0u8; 16 * 1024];
    send(&handlers, &mut request, &mut buf)
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn signed_request_through_the_blocking_driver() {
    let p = peer("MOTO");
    let (result, status, body) = get_caller_identity(&p.secret);
    assert_eq!(result, Ok(()), "{body}");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<GetCallerIdentityResult>"), "{body}");

    let (result, status, body) = get_caller_identity("wrongSecretKey0000000000000000000000000000");
    assert!(result.is_err());
    assert_eq!(status, 403);
    assert!(body.contains("SignatureDoesNotMatch"), "{body}");
}

/// STS GetCallerIdentity through a session made from environment variables and a core client.
fn through_a_session_client(secret: &str) -> (Result<(), String>, u16, String) {
    let p = peer("MOTO");
    let env = StdEnv::from_vars([
        ("AWS_ACCESS_KEY_ID", p.access_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", secret),
        ("AWS_REGION", p.region.as_str()),
        ("AWS_ENDPOINT_URL", p.endpoint.as_str()),
    ]);
    let home = HomeResolver {
        platform: Platform::current(),
        fallback: HomeFallback::Nothing,
    };
    let loaded = load_with(&Options::default(), env, &home).expect("session");
    let client = loaded.session().client("sts").expect("client");
    let mut request = client.request("GetCallerIdentity");
    request.http.set_method(Method::Post);
    request
        .http
        .headers_mut()
        .append("Content-Type", "application/x-www-form-urlencoded")
        .unwrap();
    request
        .http
        .set_body(Body::Bytes(b"Action=GetCallerIdentity&Version=2011-06-15"));
    request.set_max_retries(0);
    let mut buf = vec![0u8; 16 * 1024];
    send(client.handlers(), &mut request, &mut buf)
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn session_client_request_through_the_blocking_driver() {
    let p = peer("MOTO");
    let (result, status, body) = through_a_session_client(&p.secret);
    assert_eq!(result, Ok(()), "{body}");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("<Arn>arn:aws:iam::123456789012:user/"),
        "{body}"
    );

    let (result, status, body) =
        through_a_session_client("wrongSecretKey0000000000000000000000000000");
    assert!(result.is_err());
    assert_eq!(status, 403);
    assert!(body.contains("SignatureDoesNotMatch"), "{body}");
}

/// Runs `request` through `handlers` over HTTPS with the std platform, the response body going
/// into `buf`; returns the outcome, the status and the body.
fn send<'a>(
    handlers: &Handlers,
    request: &mut Request<'a>,
    buf: &'a mut [u8],
) -> (Result<(), String>, u16, String) {
    request.set_response_buffer(buf);
    let mut transport = HttpsTransport::new(&HttpsConfig::default()).unwrap();
    let result = run_blocking(
        Pipeline::new(handlers, request),
        &mut transport,
        &SystemClock,
        &mut ThreadSleep,
        &mut StdEntropy::new(),
    );
    let status = request.response.status();
    let body = String::from_utf8_lossy(request.response_body()).into_owned();
    (result.map_err(|e| e.to_string()), status, body)
}
