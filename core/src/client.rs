//! Clients made from a session (Go v1 `Session.ClientConfig` + `client.New`).
//!
//! [`Session::client`] copies the session with per-client overrides (Go v1 P49: region, endpoint,
//! credentials…), gives the client its own copy of the handler lists, resolves the endpoint once,
//! and adds the two handlers every signed AWS client has:
//!
//! * Validate `core.ValidateEndpointHandler` — fails with `MissingRegion` when there is neither a
//!   region nor a signing region, and with `MissingEndpoint` when the endpoint could not be
//!   resolved (Go v1 defers a resolver error to this handler).
//! * Sign `v4.SignRequestHandler` — signs the request with SigV4 at the attempt's time, with the
//!   session's static credentials; anonymous sessions send unsigned requests.
//!
//! A request made with [`Client::request`] carries the client as its context, which is how these
//! handlers — and any an application adds — see the client's configuration.
//!
//! With the `sigv4a` feature, `SIGN_V4A` (`v4a.SignRequestHandler`) signs with SigV4a instead, for
//! the region set of the client's config (`Config::sigv4a_signing_region_set`,
//! `AWS_SIGV4A_SIGNING_REGION_SET`, profile `sigv4a_signing_region_set`; the signing region when
//! none is set). Swap it in on a client, as Go v1 swaps handlers:
//! `client.handlers_mut().sign.swap(SIGN_V4.name, SIGN_V4A)`. Go v1 has no SigV4a.

use core::fmt;

use crate::config::Config;
use crate::credentials::CredentialPlan;
use crate::endpoint::{self, EndpointError, EndpointParams, ResolvedEndpoint};
use crate::handlers::{Handlers, ListFullError, NamedHandler, Request};
use crate::http::{Body, HttpRequest};
use crate::limits::MAX_SIGNER_HEADERS;
use crate::session::Session;
use crate::sigv4::{
    self, SignableBody, SignableRequest, SigningOutput, SigningParams, SigningSettings,
};

/// Go v1 `core.ValidateEndpointHandler`.
pub const VALIDATE_ENDPOINT: NamedHandler =
    NamedHandler::new("core.ValidateEndpointHandler", validate_endpoint);
/// Go v1 `v4.SignRequestHandler`.
pub const SIGN_V4: NamedHandler = NamedHandler::new("v4.SignRequestHandler", sign_v4);
/// SigV4a signing (feature `sigv4a`; not in Go v1): see the module docs.
#[cfg(feature = "sigv4a")]
pub const SIGN_V4A: NamedHandler = NamedHandler::new("v4a.SignRequestHandler", sign_v4a);

/// Making a client failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ClientError {
    /// A handler list had no room for the client's handlers.
    Handlers(ListFullError),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Handlers(e) => write!(f, "cannot add the client handlers: {e}"),
        }
    }
}

impl core::error::Error for ClientError {}

/// A service client's configuration and handler lists.
#[derive(Debug, Clone)]
pub struct Client {
    session: Session,
    service: &'static str,
    endpoint: Result<ResolvedEndpoint, EndpointError>,
}

impl Session {
    /// A client for `service` (its endpoint prefix and signing name, e.g. `sts`, `s3`), with
    /// `overrides` applied to this client only. The session is not changed.
    ///
    /// # Errors
    /// [`ClientError::Handlers`] when the session's Validate or Sign list is full.
    pub fn client(&self, service: &'static str, overrides: &Config) -> Result<Client, ClientError> {
        let mut client = Client {
            session: self.clone(),
            service,
            endpoint: Err(EndpointError::MissingRegion),
        };
        client.setup(overrides)?;
        Ok(client)
    }
}

impl Client {
    /// Applies the overrides, adds the client handlers and resolves the endpoint, in place.
    #[inline(never)] // its temporaries stay out of the callers' frames (64 KiB targets)
    fn setup(&mut self, overrides: &Config) -> Result<(), ClientError> {
        let service = self.service;
        self.session.apply(overrides);
        let handlers = self.session.handlers_mut_for_client();
        handlers
            .validate
            .set_front_named(VALIDATE_ENDPOINT)
            .map_err(ClientError::Handlers)?;
        handlers
            .sign
            .set_back_named(SIGN_V4)
            .map_err(ClientError::Handlers)?;
        let c = self.session.config();
        let endpoint_override = c.endpoint_for(service).map(|e| e.value.as_str());
        let params = EndpointParams {
            service,
            region: c.region.as_ref().map(|r| r.value.as_str()),
            use_fips: c.use_fips_endpoint.value,
            use_dualstack: c.use_dualstack_endpoint.value,
            endpoint: endpoint_override,
            sts_legacy_global: c.sts_regional_endpoint.value
                == crate::config::RegionalEndpoint::Legacy,
            s3_legacy_global: c.s3_us_east_1_regional_endpoint.value
                == crate::config::RegionalEndpoint::Legacy,
            disable_ssl: c.disable_ssl.value,
        };
        self.endpoint = endpoint::resolve(&params);
        Ok(())
    }
    /// The client's session (a copy of the one it was made from, with its overrides).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The service's endpoint prefix and signing name.
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The resolved endpoint, or why there is none (reported by Validate on each request).
    pub fn endpoint(&self) -> Result<&ResolvedEndpoint, EndpointError> {
        self.endpoint.as_ref().map_err(|e| *e)
    }

    /// The client's handler lists.
    pub fn handlers(&self) -> &Handlers {
        self.session.handlers()
    }

    /// The client's own handler lists, to add service handlers (marshalers, unmarshalers).
    /// Changing them affects neither the session nor other clients.
    pub fn handlers_mut(&mut self) -> &mut Handlers {
        self.session.handlers_mut_for_client()
    }

    /// A request for `operation` that carries this client as its context. Build handlers fill in
    /// the HTTP request; with a resolved endpoint, the scheme and host are set already.
    pub fn request<'a>(&'a self, operation: &'static str) -> Request<'a> {
        let mut r = Request::new(operation);
        if let Ok(ep) = &self.endpoint {
            // A bad endpoint is reported by the Validate handler; nothing to do here.
            let _ = r.http.set_endpoint(ep.url.as_str());
        }
        if let Some(n) = self.session.config().max_retries.as_ref().map(|r| r.value) {
            r.set_max_retries(n);
        }
        r.set_context(self);
        r
    }
}

/// Go v1 `core.ValidateEndpointHandler`.
fn validate_endpoint(r: &mut Request<'_>) {
    let Some(client) = r.context::<Client>() else {
        return;
    };
    match &client.endpoint {
        Err(EndpointError::MissingRegion) => r.fail("MissingRegion"),
        Err(_) => r.fail("MissingEndpoint"),
        Ok(ep) if ep.signing_region.is_empty() && client.session.config().region.is_none() => {
            r.fail("MissingRegion")
        }
        Ok(_) => {}
    }
}

/// Go v1 `v4.SignRequestHandler`: SigV4 header signing at the attempt's time.
fn sign_v4(r: &mut Request<'_>) {
    sign_request(r, false);
}

#[cfg(feature = "sigv4a")]
fn sign_v4a(r: &mut Request<'_>) {
    sign_request(r, true);
}

/// Signs with SigV4, or SigV4a (`v4a`), and adds the headers.
fn sign_request(r: &mut Request<'_>, v4a: bool) {
    let Some(client) = r.context::<Client>() else {
        return;
    };
    let credentials = match client.session.credentials() {
        CredentialPlan::Anonymous => return,
        plan => match plan.static_credentials() {
            Some(c) if c.has_keys() => c,
            _ => return r.fail("NoCredentialProviders"),
        },
    };
    let mut out = SigningOutput::new();
    match signing_instructions(
        &r.http,
        client,
        credentials,
        r.attempt_time(),
        v4a,
        &mut out,
    ) {
        Err(code) => r.fail(code),
        Ok(signed) => {
            for (name, value) in signed.headers() {
                if r.http.headers_mut().insert(name, value).is_err() {
                    return r.fail("TooManyHeaders");
                }
            }
        }
    }
}

/// Signs `http` for `client`; the error is the handler's error code.
fn signing_instructions<'o>(
    http: &HttpRequest<'_>,
    client: &'o Client,
    credentials: &'o crate::credentials::Credentials,
    time: crate::time::UnixTime,
    v4a: bool,
    out: &'o mut SigningOutput,
) -> Result<sigv4::SigningInstructions<'o>, &'static str> {
    let endpoint = client.endpoint.as_ref().map_err(|_| "MissingEndpoint")?;
    let service = client.service;
    let body = match http.body() {
        Body::Empty => SignableBody::Bytes(b""),
        b => match b.bytes() {
            Some(bytes) => SignableBody::Bytes(bytes),
            None if service == "s3" => SignableBody::Unsigned,
            None => return Err("StreamBodyNeedsPayloadHash"),
        },
    };
    let mut headers: heapless::Vec<(&str, &str), MAX_SIGNER_HEADERS> = heapless::Vec::new();
    headers
        .push(("host", http.host()))
        .map_err(|_| "TooManyHeaders")?;
    for h in http.headers().iter() {
        headers.push(h).map_err(|_| "TooManyHeaders")?;
    }
    let req = SignableRequest::new(
        http.method().as_str(),
        http.path(),
        http.query(),
        &headers,
        body,
    );
    let (settings, region) = (
        SigningSettings::for_service(service),
        endpoint.signing_region.as_str(),
    );
    // SigV4a: the configured region set, else the signing region alone.
    #[cfg(feature = "sigv4a")]
    let (settings, region) = match (v4a, &client.session.config().sigv4a_signing_region_set) {
        (false, _) => (settings, region),
        (true, set) => (
            settings.sigv4a(),
            set.as_ref().map_or(region, |s| s.value.as_str()),
        ),
    };
    let _ = v4a;
    let params = SigningParams {
        credentials: credentials.signing(),
        region,
        service,
        time,
        settings,
    };
    sigv4::sign(&req, &params, out).map_err(|_| "SigningFailed")
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::config::ExplicitCredentials;
    use crate::credentials::Credentials;
    use crate::handlers::{run_blocking, Pipeline, RequestError};
    use crate::session::Options;
    use crate::test_util::{
        FakeClock, FakeEntropy, FakeTransport, MemEnv, MemFiles, RecordingSleep, Reply,
    };
    use crate::text::{text, Field};

    /// 2015-08-30T12:36:00Z, the time of the SigV4 suites.
    const T: u64 = 1_440_938_160;

    fn user_handler(_: &mut Request<'_>) {}
    const USER: NamedHandler = NamedHandler::new("user.custom", user_handler);

    fn session_with_keys(slot: &mut Session, region: Option<&str>) {
        let mut handlers = Handlers::with_core_defaults().unwrap();
        handlers.validate.push_back_named(USER).unwrap();
        let mut opts = Options {
            handlers: Some(&handlers),
            ..Options::default()
        };
        opts.config.credentials = Some(ExplicitCredentials::Static(
            Credentials::new(
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                None,
            )
            .unwrap(),
        ));
        opts.config.region = region.map(|r| text(r, Field::Region).unwrap());
        slot.rebuild(&opts, &MemEnv::new(&[]), &MemFiles::new(&[]))
            .unwrap();
    }

    /// Runs `r` through `c`'s pipeline at time `T` against a transport that answers 200; returns the
    /// outcome and how many exchanges reached the transport.
    #[inline(never)]
    fn send(c: &Client, r: &mut Request<'_>) -> (Result<(), RequestError>, usize) {
        let script = [Reply::status(200)];
        let mut transport = FakeTransport::new(&script);
        let result = run_blocking(
            Pipeline::new(c.handlers(), r),
            &mut transport,
            &FakeClock::at(T),
            &mut RecordingSleep::new(),
            &mut FakeEntropy::new(0),
        );
        (result, transport.exchanges())
    }

    selftests! {
        fn clients_inherit_handlers_and_own_their_copies() {
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-east-1"));
            let session_validate = s.handlers().validate.len();
            let mut c = s.client("sts", &Config::default()).unwrap();
            assert!(c.handlers().validate.contains("user.custom"), "the session's handlers are inherited");
            assert_eq!(c.handlers().validate.names().next(), Some("core.ValidateEndpointHandler"));
            assert!(c.handlers().sign.contains("v4.SignRequestHandler"));
            c.handlers_mut().send.push_back(user_handler).unwrap();
            assert_eq!(s.handlers().validate.len(), session_validate, "the session's lists are untouched");
            assert_eq!(s.handlers().send.len(), 0);
        }

        fn copies_keep_handler_order() {
            // Go v1 P52 moves its parameter validator to the end of Validate on Copy; we keep order.
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-east-1"));
            let before: heapless::Vec<&str, 8> = s.handlers().validate.names().collect();
            let copy = s.copy_with(&Config::default());
            let after: heapless::Vec<&str, 8> = copy.handlers().validate.names().collect();
            assert_eq!(before, after);
            assert_eq!(after.last(), Some(&"user.custom"));
        }

        fn session_copies_own_their_lists() {
            // Session.Copy: its own lists (Go v1 P51).
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-east-1"));
            let mut lists = s.handlers().clone();
            lists.complete.push_back(user_handler).unwrap();
            let copy = s.copy_with_handlers(&Config::default(), &lists);
            assert_eq!(copy.handlers().complete.len(), 1);
            assert_eq!(s.handlers().complete.len(), 0);
        }

        fn requests_are_signed_at_the_attempt_time() {
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-east-1"));
            let c = s.client("sts", &Config { sts_regional_endpoint: Some(crate::config::RegionalEndpoint::Regional), ..Config::default() }).unwrap();
            assert_eq!(c.endpoint().unwrap().url.as_str(), "https://sts.us-east-1.amazonaws.com");
            let mut r = c.request("GetCallerIdentity");
            r.http.set_method(crate::http::Method::Post);
            r.http.headers_mut().insert("content-type", "application/x-www-form-urlencoded").unwrap();
            r.http.set_body(Body::Bytes(b"Action=GetCallerIdentity&Version=2011-06-15"));
            let (result, _) = send(&c, &mut r);
            assert_eq!(result, Ok(()));
            let auth = r.http.headers().get("authorization").unwrap();
            assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, SignedHeaders="), "{auth}");
            assert_eq!(r.http.headers().get("x-amz-date"), Some("20150830T123600Z"));
        }

        fn sigv4a_handler_signs_for_the_configured_region_set() {
            #[cfg(feature = "sigv4a")]
            {
                let mut s = Session::unconfigured();
                session_with_keys(&mut s, Some("us-east-1"));
                for (set, expect) in [(None, "us-east-1"), (Some("*"), "*")] {
                    let o = Config { sigv4a_signing_region_set: set.map(|v| text(v, Field::RegionSet).unwrap()), ..Config::default() };
                    let mut c = s.client("s3", &o).unwrap();
                    assert!(c.handlers_mut().sign.swap(SIGN_V4.name, SIGN_V4A));
                    assert!(c.handlers().sign.contains("v4a.SignRequestHandler") && !c.handlers().sign.contains("v4.SignRequestHandler"));
                    let mut r = c.request("GetObject");
                    let (result, _) = send(&c, &mut r);
                    assert_eq!(result, Ok(()));
                    let auth = r.http.headers().get("authorization").unwrap();
                    assert!(auth.starts_with("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set, Signature=30"), "{auth}");
                    assert_eq!(r.http.headers().get("x-amz-region-set"), Some(expect));
                }
            }
        }

        fn missing_region_fails_validate_and_complete_still_runs() {
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, None);
            let c = s.client("dynamodb", &Config::default()).unwrap();
            assert_eq!(c.endpoint().unwrap_err(), EndpointError::MissingRegion);
            let mut r = c.request("PutItem");
            let (result, exchanges) = send(&c, &mut r);
            assert!(matches!(result, Err(RequestError::Handler { code: "MissingRegion", .. })), "{result:?}");
            assert_eq!(exchanges, 0, "nothing is sent after a Validate failure");
        }

        fn per_client_region_stays_in_the_client() {
            // Go v1 P49: a per-client region fixes a region-less session for that client only.
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, None);
            let c = s.client("dynamodb", &Config { region: Some(text("eu-west-1", Field::Region).unwrap()), ..Config::default() }).unwrap();
            assert_eq!(c.endpoint().unwrap().url.as_str(), "https://dynamodb.eu-west-1.amazonaws.com");
            assert!(s.config().region.is_none());
        }
    }
}
