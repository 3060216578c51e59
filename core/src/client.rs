//! Clients made from a session (Go v1 `Session.ClientConfig` + `client.New`).
//!
//! A [`Client`] borrows its session: [`Session::client`] and [`Session::client_with`] keep a
//! reference to it, the overrides of [`Session::client_with`] (region, endpoint, credentials…,
//! applied to this client only, as Go v1 `ClientConfig` applies a `*aws.Config`) by reference too,
//! the client's own copy of the handler lists, and the endpoint resolved once. A client is thus
//! a few hundred bytes plus its handler lists, whatever the size of the session. The session's
//! lists bring Go v1's defaults ([`crate::session::add_default_handlers`]), among them Validate
//! `core.ValidateEndpointHandler` ([`VALIDATE_ENDPOINT`]), which fails with `MissingRegion` when
//! there is neither a region nor a signing region, and with `MissingEndpoint` when the endpoint
//! could not be resolved (Go v1 defers a resolver error to this handler); remove it from the
//! session's lists and no client has it. The client adds the handlers every signed AWS client
//! has:
//!
//! * Sign `v4.SignRequestHandler` — signs the request with SigV4 at the attempt's time, with the
//!   client's static credentials; anonymous clients send unsigned requests.
//! * UnmarshalError [`UNMARSHAL_ERROR`] — decodes a failed response's error code.
//!
//! A request made with [`Client::request`] carries the client as its context, as parts a handler
//! looks up by type ([`Request::context`]): [`ClientInfo`] (service and endpoint), the
//! [`Session`], and the override [`Config`] when there is one. That is how these handlers — and any
//! an application adds — see the client's configuration. [`Client::send`] and
//! [`Client::send_async`] run a request through the client's handlers on a [`Platform`] or
//! [`AsyncPlatform`].
//!
//! With the `sigv4a` feature, `SIGN_V4A` (`v4a.SignRequestHandler`) signs with SigV4a instead, for
//! the region set of the client's config (`Config::sigv4a_signing_region_set`,
//! `AWS_SIGV4A_SIGNING_REGION_SET`, profile `sigv4a_signing_region_set`; the signing region when
//! none is set). Swap it in on a client, as Go v1 swaps handlers:
//! `client.handlers_mut().sign.swap(SIGN_V4.name, SIGN_V4A)`. Go v1 has no SigV4a.

use core::any::{Any, TypeId};
use core::fmt;

use crate::config::{Config, ExplicitCredentials, RegionalEndpoint, SettingsView};
use crate::credentials::{CredentialPlan, Credentials};
use crate::endpoint::{self, EndpointError, EndpointParams, ResolvedEndpoint};
use crate::fetch::CredentialGate;
use crate::handlers::{
    run_async_gated, run_blocking_gated, ContextParts, Handlers, ListFullError, NamedHandler,
    Pipeline, Request, RequestError,
};
use crate::http::{Body, HttpError, HttpRequest, Method};
use crate::limits::MAX_SIGNER_HEADERS;
use crate::platform::{AsyncPlatform, Platform};
use crate::session::Session;
use crate::sigv4::{
    self, SignableBody, SignableRequest, SigningOutput, SigningParams, SigningSettings,
};

/// Decodes the error code of a failed response whose body is in the request's buffer (the body
/// of [`UNMARSHAL_ERROR`]) with [`crate::protocol::decode_error`], so that `ExpiredToken`,
/// throttling, clock-skew and the other codes drive retries and credential expiry (Go v1's
/// protocol `UnmarshalError` handlers, reduced to the code; the message and request id are
/// decoded again from the same buffer by whoever shows them). A body that cannot be decoded keeps
/// the placeholder [`RequestError::Status`].
fn unmarshal_error(r: &mut Request<'_>) {
    let Some(RequestError::Status { status }) = r.error else {
        return;
    };
    let decoded =
        crate::protocol::decode_error(None, status, r.response.headers(), r.response_body());
    if let Ok(e) = decoded {
        r.error = Some(RequestError::Service {
            status,
            code: e.code,
        });
    }
}

/// The client's error decoder (`awssession.UnmarshalErrorHandler`), added to every client's
/// UnmarshalError list: it turns an XML `<Error><Code>`, a JSON `__type` / `code`, an
/// `x-amzn-ErrorType` header or an empty answer's status into [`RequestError::Service`], so error
/// codes drive retries and credential expiry.
pub const UNMARSHAL_ERROR: NamedHandler =
    NamedHandler::new("awssession.UnmarshalErrorHandler", unmarshal_error);

/// Go v1 `core.ValidateEndpointHandler`.
pub const VALIDATE_ENDPOINT: NamedHandler =
    NamedHandler::new("core.ValidateEndpointHandler", validate_endpoint);
/// Go v1 `v4.SignRequestHandler`.
pub const SIGN_V4: NamedHandler = NamedHandler::new("v4.SignRequestHandler", sign_v4);
/// SigV4a signing (feature `sigv4a`; not in Go v1): see the module docs.
#[cfg(feature = "sigv4a")]
pub const SIGN_V4A: NamedHandler = NamedHandler::new("v4a.SignRequestHandler", sign_v4a);

use crate::protocol::FORM_CONTENT_TYPE;

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

/// What a client knows about itself (Go v1 `metadata.ClientInfo` and `client.Config`): its
/// service and the endpoint resolved when it was made — URL, signing region, signing name and
/// whether it was derived, partition and resolved region ([`ResolvedEndpoint`]). A request's
/// handlers find it with `r.context::<ClientInfo>()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    service: &'static str,
    endpoint: Result<ResolvedEndpoint, EndpointError>,
}

impl ClientInfo {
    /// The service id (endpoint prefix); the signing name is the endpoint's ([`ResolvedEndpoint::signing_name`]).
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The resolved endpoint, or why there is none (reported by Validate on each request).
    ///
    /// # Errors
    /// The [`EndpointError`] resolution ended with.
    pub fn endpoint(&self) -> Result<&ResolvedEndpoint, EndpointError> {
        self.endpoint.as_ref().map_err(|e| *e)
    }
}

/// A service client: a borrowed session, per-client overrides, its own handler lists and its
/// resolved endpoint.
#[derive(Debug, Clone)]
pub struct Client<'s> {
    session: &'s Session,
    overrides: Option<&'s Config>,
    info: ClientInfo,
    handlers: Handlers,
}

// A client is its handler lists (2016 B on 32-bit targets), its endpoint (URL, signing region
// and name, resolved region, partition: 412 B) and two references: about 2440 B on thumbv7em,
// where a client holding a copy of its session took 10.3 KiB.
#[cfg(target_pointer_width = "32")]
const _: () = assert!(core::mem::size_of::<Client<'static>>() <= 2500);

impl Session {
    /// A client for `service` (its endpoint prefix and signing name, e.g. `sts`, `s3`) with the
    /// session's configuration (Go v1 `sts.New(sess)`). The client borrows the session.
    ///
    /// # Errors
    /// [`ClientError::Handlers`] when the session's Validate or Sign list is full.
    pub fn client(&self, service: &'static str) -> Result<Client<'_>, ClientError> {
        Client::new(self, service, None)
    }

    /// A client for `service` with `overrides` applied to this client only (Go v1
    /// `s3.New(sess, &aws.Config{...})`): each field `overrides` sets wins over the session's,
    /// sourced as an option. The session is not changed; the client borrows both.
    ///
    /// # Errors
    /// [`ClientError::Handlers`] when the session's Validate or Sign list is full.
    pub fn client_with<'s>(
        &'s self,
        service: &'static str,
        overrides: &'s Config,
    ) -> Result<Client<'s>, ClientError> {
        Client::new(self, service, Some(overrides))
    }
}

impl<'s> Client<'s> {
    /// Copies the handler lists, adds the client handlers and resolves the endpoint.
    #[inline(never)] // its temporaries stay out of the callers' frames (64 KiB targets)
    fn new(
        session: &'s Session,
        service: &'static str,
        overrides: Option<&'s Config>,
    ) -> Result<Client<'s>, ClientError> {
        let mut handlers = session.handlers().clone();
        handlers
            .sign
            .set_back_named(SIGN_V4)
            .map_err(ClientError::Handlers)?;
        handlers
            .unmarshal_error
            .set_back_named(UNMARSHAL_ERROR)
            .map_err(ClientError::Handlers)?;
        let view = View {
            session,
            overrides,
            info: &ClientInfo {
                service,
                endpoint: Err(EndpointError::MissingRegion),
            },
        };
        crate::request_log::add_log_handlers(&mut handlers, *view.settings().log_level())
            .map_err(ClientError::Handlers)?;
        let endpoint = view.resolve_endpoint();
        Ok(Client {
            session,
            overrides,
            info: ClientInfo { service, endpoint },
            handlers,
        })
    }

    fn view(&self) -> View<'_> {
        View {
            session: self.session,
            overrides: self.overrides,
            info: &self.info,
        }
    }

    /// The session the client was made from (without the client's overrides).
    pub fn session(&self) -> &'s Session {
        self.session
    }

    /// The overrides the client was made with ([`Session::client_with`]).
    pub fn overrides(&self) -> Option<&'s Config> {
        self.overrides
    }

    /// The service id (endpoint prefix); the signing name is the endpoint's ([`ResolvedEndpoint::signing_name`]).
    pub fn service(&self) -> &'static str {
        self.info.service
    }

    /// The client's service and endpoint.
    pub fn info(&self) -> &ClientInfo {
        &self.info
    }

    /// The resolved endpoint, or why there is none (reported by Validate on each request).
    ///
    /// # Errors
    /// The [`EndpointError`] resolution ended with.
    pub fn endpoint(&self) -> Result<&ResolvedEndpoint, EndpointError> {
        self.info.endpoint()
    }

    /// Resolves the client's endpoint again with the services of `model` (clients resolve with
    /// [`Model::DEFAULT`](endpoint::Model::DEFAULT)): how an image that names its services, e.g.
    /// `Model::of(&[&endpoint::model::IAM])` without the `endpoint-model` feature, reaches a
    /// global service as Go v1 does.
    ///
    /// ```
    /// # use aws_session_core::{config::Config, session::Session};
    /// use aws_session_core::endpoint::{model, Model};
    /// # let session = Session::unconfigured();
    /// # let overrides = Config::new().with_region("eu-west-1").unwrap();
    /// static IAM_ONLY: Model = Model::of(&[&model::IAM]);
    /// let mut iam = session.client_with("iam", &overrides).unwrap();
    /// iam.resolve_endpoint_in(&IAM_ONLY);
    /// let ep = iam.endpoint().unwrap();
    /// assert_eq!((ep.url(), ep.signing_region()), ("https://iam.amazonaws.com", "us-east-1"));
    /// ```
    pub fn resolve_endpoint_in(&mut self, model: &endpoint::Model) {
        self.info.endpoint = self.view().resolve_endpoint_in(model);
    }

    /// The client's region: the override's, else the session's.
    pub fn region(&self) -> Option<&str> {
        self.view().region()
    }

    /// The client's credentials: the override's, else the session's plan.
    pub fn credentials(&self) -> ClientCredentials<'_> {
        self.view().credentials()
    }

    /// The client's handler lists.
    pub fn handlers(&self) -> &Handlers {
        &self.handlers
    }

    /// The client's own handler lists, to add service handlers (marshalers, unmarshalers).
    /// Changing them affects neither the session nor other clients.
    pub fn handlers_mut(&mut self) -> &mut Handlers {
        &mut self.handlers
    }

    /// A request for `operation` that carries this client as its context. Build handlers fill in
    /// the HTTP request; with a resolved endpoint, the scheme, host and any path prefix are set
    /// already.
    pub fn request<'a>(&'a self, operation: &'static str) -> Request<'a> {
        let mut r = Request::new(operation);
        if let Ok(ep) = &self.info.endpoint {
            // The endpoint was checked when it was resolved; a host or path that does not fit
            // the request leaves it unset, and the transport reports it.
            r.http.set_scheme(ep.scheme());
            let _ = r.http.set_host(ep.authority());
            if !ep.path().is_empty() {
                let _ = r.http.set_target(ep.path());
            }
        }
        if let Some(n) = self.view().max_retries() {
            r.set_max_retries(n);
        }
        r.set_context_parts(self);
        r
    }

    /// A `POST` request with a form body (`Action=…&Version=…`): the shape of the query protocol
    /// of STS, IAM, SQS and SNS (Go v1 `query.Build`, which writes the body from parameters).
    ///
    /// # Errors
    /// [`HttpError`] when the `Content-Type` header does not fit.
    pub fn form_request<'a>(
        &'a self,
        operation: &'static str,
        body: &'a str,
    ) -> Result<Request<'a>, HttpError> {
        let mut r = self.request(operation);
        r.http.set_method(Method::Post);
        r.http
            .headers_mut()
            .insert("content-type", FORM_CONTENT_TYPE)?;
        r.http.set_body(Body::Bytes(body.as_bytes()));
        Ok(r)
    }

    /// Runs `request` through the client's handlers on a blocking `platform`: validate, build,
    /// sign, send, retry, unmarshal (Go v1 `request.Send`). The response head is in
    /// `request.response`, the body in the request's response buffer.
    ///
    /// # Errors
    /// The [`RequestError`] the pipeline ended with (a handler's code, a transport error, the
    /// clock).
    pub fn send<P: Platform + ?Sized>(
        &self,
        request: &mut Request<'_>,
        platform: &mut P,
    ) -> Result<(), RequestError> {
        let (transport, clock, sleep, entropy) = platform.parts();
        run_blocking_gated(
            Pipeline::new(&self.handlers, request),
            transport,
            clock,
            sleep,
            entropy,
            &mut CredentialGate,
        )
    }

    /// [`Client::send`] on an async `platform`.
    ///
    /// Named apart from `send` because an adapter's trait method could not share the name: Rust
    /// picks an inherent method before a trait method, whatever the arguments.
    ///
    /// # Errors
    /// As [`Client::send`].
    pub async fn send_async<P: AsyncPlatform + ?Sized>(
        &self,
        request: &mut Request<'_>,
        platform: &mut P,
    ) -> Result<(), RequestError> {
        let (transport, clock, sleep, entropy) = platform.parts();
        run_async_gated(
            Pipeline::new(&self.handlers, request),
            transport,
            clock,
            sleep,
            entropy,
            &mut CredentialGate,
        )
        .await
    }
}

impl ContextParts for Client<'_> {
    fn part(&self, type_id: TypeId) -> Option<&(dyn Any + 'static)> {
        if type_id == TypeId::of::<ClientInfo>() {
            Some(&self.info)
        } else if type_id == TypeId::of::<Session>() {
            Some(self.session)
        } else if type_id == TypeId::of::<Config>() {
            Some(self.overrides?)
        } else {
            None
        }
    }
}

/// Where a client's credentials come from.
#[derive(Debug, Clone, Copy)]
pub enum ClientCredentials<'a> {
    /// The session's credential plan.
    Session(&'a CredentialPlan),
    /// Explicit credentials of the client's overrides.
    Explicit(&'a ExplicitCredentials),
}

/// A client's configuration as its parts see it: each override wins over the session.
#[derive(Clone, Copy)]
struct View<'a> {
    session: &'a Session,
    overrides: Option<&'a Config>,
    info: &'a ClientInfo,
}

impl<'a> View<'a> {
    /// The view of the client that made `r`.
    fn of(r: &Request<'a>) -> Option<View<'a>> {
        Some(View {
            session: r.context::<Session>()?,
            overrides: r.context::<Config>(),
            info: r.context::<ClientInfo>()?,
        })
    }

    /// The session's settings with the client's overrides on top.
    fn settings(&self) -> SettingsView<'a> {
        SettingsView::new(self.session.config(), self.overrides)
    }

    fn region(&self) -> Option<&'a str> {
        self.settings().region().map(|r| r.as_str())
    }

    fn max_retries(&self) -> Option<u32> {
        self.settings().max_retries().copied()
    }

    fn credentials(&self) -> ClientCredentials<'a> {
        match self.overrides.and_then(|o| o.credentials.as_ref()) {
            Some(c) => ClientCredentials::Explicit(c),
            None => ClientCredentials::Session(self.session.credentials()),
        }
    }

    #[cfg(feature = "sigv4a")]
    fn sigv4a_signing_region_set(&self) -> Option<&'a str> {
        self.settings()
            .sigv4a_signing_region_set()
            .map(|s| s.as_str())
    }

    /// Resolves the endpoint from the client's configuration. An override endpoint replaces the
    /// session's per-service ones too (Go v1 `Copy` clears them).
    fn resolve_endpoint(&self) -> Result<ResolvedEndpoint, EndpointError> {
        self.resolve_endpoint_in(&endpoint::Model::DEFAULT)
    }

    /// [`View::resolve_endpoint`] with the services of `model`.
    fn resolve_endpoint_in(
        &self,
        model: &endpoint::Model,
    ) -> Result<ResolvedEndpoint, EndpointError> {
        let c = self.session.config();
        let service = self.info.service;
        let endpoint = match self.overrides.and_then(|o| o.endpoint.as_ref()) {
            Some(e) => Some(e.as_str()),
            None => c.endpoint_for(service).map(|e| e.value.as_str()),
        };
        let s = self.settings();
        let legacy = RegionalEndpoint::Legacy;
        let params = EndpointParams {
            service,
            region: self.region(),
            use_fips: *s.use_fips_endpoint(),
            use_dualstack: *s.use_dualstack_endpoint(),
            endpoint,
            sts_legacy_global: *s.sts_regional_endpoint() == legacy,
            s3_legacy_global: *s.s3_us_east_1_regional_endpoint() == legacy,
            disable_ssl: *s.disable_ssl(),
        };
        endpoint::resolve_in(model, &params)
    }
}

/// Go v1 `core.ValidateEndpointHandler`.
fn validate_endpoint(r: &mut Request<'_>) {
    let Some(client) = View::of(r) else {
        return;
    };
    match &client.info.endpoint {
        Err(EndpointError::MissingRegion) => r.fail("MissingRegion"),
        // Go v1's resolver errors, deferred to Validate as Go v1 defers them.
        Err(EndpointError::UnknownEndpoint) => r.fail("UnknownEndpointError"),
        Err(EndpointError::UnknownService) => r.fail("UnknownServiceError"),
        Err(_) => r.fail("MissingEndpoint"),
        Ok(ep) if ep.signing_region().is_empty() && client.region().is_none() => {
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

/// Signs with SigV4, or SigV4a (`v4a`), and adds the headers, with the client's credentials:
/// explicit ones, the plan's static keys, or the shared cache's valid ones (never expired ones;
/// the driver's credential gate refreshed them before the attempt).
fn sign_request(r: &mut Request<'_>, v4a: bool) {
    let Some(client) = View::of(r) else {
        return;
    };
    let now = r.attempt_time();
    match client.credentials() {
        ClientCredentials::Explicit(ExplicitCredentials::Anonymous)
        | ClientCredentials::Session(CredentialPlan::Anonymous) => {}
        ClientCredentials::Explicit(ExplicitCredentials::Static(c)) => sign_with(r, client, c, v4a),
        ClientCredentials::Explicit(ExplicitCredentials::Provider(p)) => {
            // A client's own provider has no cache to live in: it is asked on every attempt.
            let mut c = Credentials::EMPTY;
            match p.0.retrieve(now, &mut c) {
                Ok(()) => sign_with(r, client, &c, v4a),
                Err(_) => r.fail("NoCredentialProviders"),
            }
        }
        ClientCredentials::Session(plan) => match (
            plan.static_credentials(),
            client.session.shared_credentials(),
        ) {
            (Some(c), _) => sign_with(r, client, c, v4a),
            (None, None) => r.fail("NoCredentialProviders"),
            (None, Some(cache)) => {
                let mut signed = false;
                cache.with_slot(&mut |slot| {
                    if let Some(c) = slot.valid(now) {
                        sign_with(r, client, c, v4a);
                        signed = true;
                    }
                });
                if !signed {
                    r.fail("ExpiredCredentials");
                }
            }
        },
    }
}

/// Signs `r` with `credentials` (`NoCredentialProviders` when they hold no keys).
fn sign_with(r: &mut Request<'_>, client: View<'_>, credentials: &Credentials, v4a: bool) {
    if !credentials.has_keys() {
        return r.fail("NoCredentialProviders");
    }
    let mut out = SigningOutput::new();
    let time = crate::skew::signing_time(client.session, r.attempt_time());
    match signing_instructions(&r.http, client, credentials, time, v4a, &mut out) {
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
    client: View<'o>,
    credentials: &'o Credentials,
    time: crate::time::UnixTime,
    v4a: bool,
    out: &'o mut SigningOutput,
) -> Result<sigv4::SigningInstructions<'o>, &'static str> {
    let endpoint = client.info.endpoint().map_err(|_| "MissingEndpoint")?;
    // The model's signing name (`runtime.sagemaker` signs as `sagemaker`), else the service id.
    let service = match endpoint.signing_name() {
        "" => client.info.service,
        name => name,
    };
    let body = match http.body() {
        Body::Empty => SignableBody::Bytes(b""),
        b => match b.bytes() {
            Some(bytes) => SignableBody::Bytes(bytes),
            None if service == "s3" => SignableBody::Unsigned,
            None => return Err("StreamBodyNeedsPayloadHash"),
        },
    };
    let mut headers: heapless::Vec<(&str, &str), MAX_SIGNER_HEADERS> = heapless::Vec::new();
    // A caller's `Host` header is the one sent (see `HttpRequest`), so it is the one signed.
    if http.headers().get("host").is_none() {
        headers
            .push(("host", http.host()))
            .map_err(|_| "TooManyHeaders")?;
    }
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
        endpoint.signing_region(),
    );
    // SigV4a: the configured region set, else the signing region alone.
    #[cfg(feature = "sigv4a")]
    let (settings, region) = match v4a {
        false => (settings, region),
        true => (
            settings.sigv4a(),
            client.sigv4a_signing_region_set().unwrap_or(region),
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
    use crate::handlers::RequestError;
    use crate::platform::Bundle;
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
        let mut handlers = Handlers::new();
        crate::session::add_default_handlers(&mut handlers).unwrap();
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
        let mut platform = Bundle {
            transport: FakeTransport::new(&script),
            clock: FakeClock::at(T),
            sleep: RecordingSleep::new(),
            entropy: FakeEntropy::new(0),
        };
        let result = c.send(r, &mut platform);
        (result, platform.transport.exchanges())
    }

    selftests! {
        fn clients_inherit_handlers_and_own_their_copies() {
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-east-1"));
            let session_validate = s.handlers().validate.len();
            let mut c = s.client("sts").unwrap();
            assert!(c.handlers().validate.contains("user.custom"), "the session's handlers are inherited");
            assert_eq!(c.handlers().validate.names().next(), Some("core.ValidateEndpointHandler"));
            assert!(c.handlers().sign.contains("v4.SignRequestHandler"));
            c.handlers_mut().send.push_back(user_handler).unwrap();
            assert_eq!(s.handlers().validate.len(), session_validate, "the session's lists are untouched");
            assert_eq!(s.handlers().send.len(), 1);
        }

        fn removing_validate_endpoint_from_the_session_reaches_its_clients() {
            let mut slot = Session::unconfigured();
            let env = MemEnv::new(&[]);
            let files = MemFiles::new(&[]);
            slot.rebuild(&Options::default(), &env, &files).unwrap();
            assert!(slot.client("sts").unwrap().handlers().validate.contains("core.ValidateEndpointHandler"));
            slot.handlers_mut().validate.remove_by_name("core.ValidateEndpointHandler");
            assert!(!slot.client("sts").unwrap().handlers().validate.contains("core.ValidateEndpointHandler"));
        }

        fn user_agent_names_the_sdk_the_host_and_the_app() {
            use crate::handlers::Phase;
            let mut slot = Session::unconfigured();
            let files = MemFiles::new(&[]);
            let env = MemEnv::new(&[("AWS_REGION", "eu-west-1"), ("AWS_EXECUTION_ENV", "AWS_Lambda_rust"), ("AWS_SDK_UA_APP_ID", "fleet-7")]);
            slot.rebuild(&Options::default(), &env, &files).unwrap();
            let s = &slot;
            let env_source = s.config().execution_env.as_ref().map(|v| v.source);
            assert_eq!(env_source, Some(crate::config::Source::Env("AWS_EXECUTION_ENV")));
            let c = s.client("sts").unwrap();
            let mut r = c.request("GetCallerIdentity");
            c.handlers().run(Phase::Build, &mut r);
            let ua = r.http.headers().get("User-Agent").unwrap();
            assert!(ua.starts_with(crate::user_agent::SDK_NAME_VERSION), "{ua}");
            assert!(ua.ends_with(") exec-env/AWS_Lambda_rust app/fleet-7"), "{ua}");
            // Without the variables only the SDK part is there.
            let env = MemEnv::new(&[("AWS_REGION", "eu-west-1")]);
            slot.rebuild(&Options::default(), &env, &files).unwrap();
            let s = &slot;
            let c = s.client("sts").unwrap();
            let mut r = c.request("GetCallerIdentity");
            c.handlers().run(Phase::Build, &mut r);
            assert!(r.http.headers().get("User-Agent").unwrap().ends_with(')'));
        }

        fn copies_keep_handler_order() {
            // Go v1 moves its parameter validator to the end of Validate on Copy; we keep the
            // order (docs/divergences.md, H1).
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-east-1"));
            let before: heapless::Vec<&str, 8> = s.handlers().validate.names().collect();
            let copy = s.copy_with(&Config::default());
            let after: heapless::Vec<&str, 8> = copy.handlers().validate.names().collect();
            assert_eq!(before, after);
            assert_eq!(after.last(), Some(&"user.custom"));
        }

        fn session_copies_own_their_lists() {
            // Session.Copy: the copy has its own lists.
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
            let o = Config { sts_regional_endpoint: Some(crate::config::RegionalEndpoint::Regional), ..Config::default() };
            let c = s.client_with("sts", &o).unwrap();
            assert_eq!(c.endpoint().unwrap().url(), "https://sts.us-east-1.amazonaws.com");
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

        fn clients_sign_with_the_signing_name_of_the_model() {
            // `data-ats.iot` signs as `iotdata`, `streams.dynamodb` as `dynamodb`: the scope's
            // service is the signing name, not the endpoint prefix (Go v1 client.Config).
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("eu-central-1"));
            for (service, url, scope) in [
                ("data-ats.iot", "https://data-ats.iot.eu-central-1.amazonaws.com", "/eu-central-1/iotdata/aws4_request"),
                ("streams.dynamodb", "https://streams.dynamodb.eu-central-1.amazonaws.com", "/eu-central-1/dynamodb/aws4_request"),
                ("runtime.sagemaker", "https://runtime.sagemaker.eu-central-1.amazonaws.com", "/eu-central-1/sagemaker/aws4_request"),
            ] {
                let c = s.client(service).unwrap();
                let ep = c.endpoint().unwrap();
                assert_eq!((ep.url(), ep.signing_region(), ep.partition(), ep.resolved_region()), (url, "eu-central-1", "aws", ""));
                let mut r = c.request("Op");
                let (result, _) = send(&c, &mut r);
                assert_eq!(result, Ok(()));
                let auth = r.http.headers().get("authorization").unwrap();
                assert!(auth.contains(scope), "{service}: {auth}");
            }
        }

        fn empty_endpoint_option_resolves_from_the_model() {
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-west-2"));
            let o = Config { endpoint: Some(crate::text::Text::new()), ..Config::default() };
            let c = s.client_with("sqs", &o).unwrap();
            assert_eq!(c.endpoint().unwrap().url(), "https://sqs.us-west-2.amazonaws.com", "never `https://`");
        }

        fn form_requests_are_posts_with_a_form_body() {
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-east-1"));
            let c = s.client("sts").unwrap();
            let mut r = c.form_request("GetCallerIdentity", "Action=GetCallerIdentity&Version=2011-06-15").unwrap();
            assert_eq!((r.http.method(), r.http.host()), (crate::http::Method::Post, "sts.amazonaws.com"));
            assert_eq!(r.http.headers().get("content-type"), Some(FORM_CONTENT_TYPE));
            assert_eq!(send(&c, &mut r).0, Ok(()));
            assert!(r.http.headers().get("authorization").unwrap().contains("/us-east-1/sts/aws4_request"));
        }

        fn a_caller_host_header_is_the_one_signed() {
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-east-1"));
            let c = s.client("sts").unwrap();
            // The same request, once to the host itself and once with a `Host` header naming it
            // (the connection going elsewhere): one signature, for that host alone.
            let authorization = |caller_header: bool| {
                let mut r = c.form_request("GetCallerIdentity", "Action=GetCallerIdentity&Version=2011-06-15").unwrap();
                match caller_header {
                    true => r.http.headers_mut().insert("Host", "sts.example.test").unwrap(),
                    false => r.http.set_host("sts.example.test").unwrap(),
                }
                assert_eq!(send(&c, &mut r).0, Ok(()));
                let auth = r.http.headers().get("authorization").unwrap();
                heapless::String::<256>::try_from(auth).unwrap()
            };
            let direct = authorization(false);
            assert!(direct.contains("SignedHeaders=content-length;content-type;host;x-amz-date,"), "{direct}");
            assert_eq!(authorization(true), direct);
        }

        fn credential_overrides_stay_in_the_client() {
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-east-1"));
            // Each client and request in its own scope: the image has 64 KiB of RAM.
            {
                let anonymous = Config { credentials: Some(ExplicitCredentials::Anonymous), ..Config::default() };
                let c = s.client_with("sts", &anonymous).unwrap();
                let mut r = c.request("GetCallerIdentity");
                assert_eq!(send(&c, &mut r).0, Ok(()));
                assert!(r.http.headers().get("authorization").is_none(), "anonymous clients do not sign");
            }
            {
                let other = Config::new().with_credentials(Credentials::new("AKIDOTHER", "secret", None).unwrap());
                let c = s.client_with("sts", &other).unwrap();
                let mut r = c.request("GetCallerIdentity");
                assert_eq!(send(&c, &mut r).0, Ok(()));
                assert!(r.http.headers().get("authorization").unwrap().contains("Credential=AKIDOTHER/"));
            }
            let c = s.client("sts").unwrap();
            let mut r = c.request("GetCallerIdentity");
            assert_eq!(send(&c, &mut r).0, Ok(()));
            assert!(r.http.headers().get("authorization").unwrap().contains("Credential=AKIDEXAMPLE/"));
        }

        fn endpoint_overrides_replace_service_endpoints_and_keep_paths() {
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-east-1"));
            let o = Config { endpoint: Some(text("http://[::1]:9000/prefix", Field::Endpoint).unwrap()), ..Config::default() };
            let c = s.client_with("s3", &o).unwrap();
            let ep = c.endpoint().unwrap();
            assert_eq!((ep.host(), ep.port(), ep.path()), ("::1", 9000, "/prefix"));
            let r = c.request("ListBuckets");
            assert_eq!((r.http.scheme(), r.http.host(), r.http.target()), (crate::http::Scheme::Http, "[::1]:9000", "/prefix"));
            let bad = Config { endpoint: Some(text("ftp://example.com", Field::Endpoint).unwrap()), ..Config::default() };
            let c = s.client_with("s3", &bad).unwrap();
            assert_eq!(c.endpoint().unwrap_err(), EndpointError::Invalid);
            let mut r = c.request("ListBuckets");
            let (result, exchanges) = send(&c, &mut r);
            assert!(matches!(result, Err(RequestError::Handler { code: "MissingEndpoint", .. })), "{result:?}");
            assert_eq!(exchanges, 0);
        }

        fn sigv4a_handler_signs_for_the_configured_region_set() {
            #[cfg(feature = "sigv4a")]
            {
                let mut s = Session::unconfigured();
                session_with_keys(&mut s, Some("us-east-1"));
                for (set, expect) in [(None, "us-east-1"), (Some("*"), "*")] {
                    let o = Config { sigv4a_signing_region_set: set.map(|v| text(v, Field::RegionSet).unwrap()), ..Config::default() };
                    let mut c = s.client_with("s3", &o).unwrap();
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
            let c = s.client("dynamodb").unwrap();
            assert_eq!(c.endpoint().unwrap_err(), EndpointError::MissingRegion);
            let mut r = c.request("PutItem");
            let (result, exchanges) = send(&c, &mut r);
            assert!(matches!(result, Err(RequestError::Handler { code: "MissingRegion", .. })), "{result:?}");
            assert_eq!(exchanges, 0, "nothing is sent after a Validate failure");
        }

        fn resolver_errors_are_deferred_to_validate() {
            // No dual-stack in the ISO partitions: Go v1's UnknownEndpointError, set by Validate.
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, Some("us-iso-east-1"));
            let o = Config { use_dualstack_endpoint: Some(true), ..Config::default() };
            let c = s.client_with("ec2", &o).unwrap();
            assert_eq!(c.endpoint().unwrap_err(), EndpointError::UnknownEndpoint);
            let mut r = c.request("DescribeRegions");
            let (result, exchanges) = send(&c, &mut r);
            assert!(matches!(result, Err(RequestError::Handler { code: "UnknownEndpointError", .. })), "{result:?}");
            assert_eq!(exchanges, 0);
        }

        fn per_client_region_stays_in_the_client() {
            // As in Go v1, a per-client region fixes a region-less session for that client only.
            let mut s = Session::unconfigured();
            session_with_keys(&mut s, None);
            let o = Config { region: Some(text("eu-west-1", Field::Region).unwrap()), ..Config::default() };
            let c = s.client_with("dynamodb", &o).unwrap();
            assert_eq!(c.endpoint().unwrap().url(), "https://dynamodb.eu-west-1.amazonaws.com");
            assert_eq!(c.region(), Some("eu-west-1"));
            assert!(s.config().region.is_none());
            let mut r = c.request("PutItem");
            assert_eq!(send(&c, &mut r).0, Ok(()), "Validate sees the client's region");
        }
    }
}
