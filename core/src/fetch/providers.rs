//! The providers, one `async fn` each, run by [`fetch`] in the plan's order: the base
//! credentials, then one `AssumeRole` per hop signed with the credentials before it.

use core::fmt::Write as _;

use crate::client::Client;
#[cfg(feature = "host-providers")]
use crate::config::Ec2ImdsEndpointMode;
use crate::config::{Config, ExplicitCredentials, SettingsView};
use crate::credentials::cache::{CredentialsHost, HostError};
use crate::credentials::error::{FetchError, FetchReason};
use crate::credentials::json;
#[cfg(feature = "host-providers")]
use crate::credentials::json::{parse_container_credentials, parse_process_output};
use crate::credentials::sts::{self, AssumeRoleParams};
use crate::credentials::{BaseCredentials, CredentialPlan, Credentials, ProviderKind, RoleHop};
use crate::handlers::{run_async_gated, NamedHandler, NoGate, Pipeline, Request, RequestError};
#[cfg(feature = "host-providers")]
use crate::http::Method;
use crate::limits::{
    MAX_ASSUME_ROLE_BODY_LEN, MAX_MFA_TOKEN_LEN, MAX_PROVIDER_REQUEST_LEN,
    MAX_PROVIDER_RESPONSE_LEN,
};
use crate::platform::{AsyncSleep, AsyncTransport, Clock, Entropy};
use crate::session::Session;
use crate::text::{ErrorText, Text};
use crate::time::UnixTime;

/// Go v1's IMDSv2 token lifetime.
#[cfg(feature = "host-providers")]
const IMDS_TOKEN_TTL: &str = "21600";
/// Retries of each IMDS call (Go v1 sets 2 when it shortens the timeout).
#[cfg(feature = "host-providers")]
const IMDS_MAX_RETRIES: u32 = 2;
/// Time allowed for each IMDS exchange to connect and answer (Go v1: a 1 s client timeout), so a
/// machine that is not on EC2 gives up in seconds.
#[cfg(feature = "host-providers")]
const IMDS_TIMEOUT_MS: u32 = 1000;
/// The ECS credentials host of `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.
#[cfg(feature = "host-providers")]
const ECS_HOST: &str = "http://169.254.170.2";

/// The platform parts a provider call uses.
pub(super) struct Io<'p, T: ?Sized, C: ?Sized, S: ?Sized, E: ?Sized> {
    transport: &'p mut T,
    clock: &'p C,
    sleep: &'p S,
    entropy: &'p mut E,
}

impl<T, C, S, E> Io<'_, T, C, S, E>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    /// Runs `request` through `client`'s handlers (no credential gate: provider clients carry
    /// explicit credentials or none).
    pub(super) async fn send(
        &mut self,
        client: &Client<'_>,
        request: &mut Request<'_>,
    ) -> Result<(), RequestError> {
        run_async_gated(
            Pipeline::new(client.handlers(), request),
            &mut *self.transport,
            self.clock,
            self.sleep,
            &mut *self.entropy,
            &mut NoGate,
        )
        .await
    }
}

/// Runs the session's credential plan and puts the final credentials in `out`; returns the
/// provider that produced them.
///
/// # Errors
/// [`FetchError`] naming the provider that failed and why.
#[allow(clippy::too_many_arguments)] // the platform's parts, passed apart so each is borrowed once
pub async fn fetch<T, C, S, E>(
    session: &Session,
    host: &dyn CredentialsHost,
    transport: &mut T,
    clock: &C,
    sleep: &S,
    entropy: &mut E,
    now: UnixTime,
    out: &mut Credentials,
) -> Result<ProviderKind, FetchError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    let mut io = Io {
        transport,
        clock,
        sleep,
        entropy,
    };
    let (base, hops) = match session.credentials() {
        CredentialPlan::Anonymous => {
            return Err(FetchError::new(
                ProviderKind::Anonymous,
                FetchReason::Custom("anonymous credentials: requests are not signed"),
            ))
        }
        CredentialPlan::Chain { base, hops } => (base, hops),
    };
    let mut provider = base_credentials(session, host, base, &mut io, now, out).await?;
    if !hops.is_empty() {
        let mut next = Credentials::EMPTY;
        for hop in hops.iter() {
            assume_role(session, &hop, &mut io, now, out, &mut next).await?;
            out.clone_from(&next);
        }
        provider = ProviderKind::AssumeRole;
    }
    Ok(provider)
}

async fn base_credentials<T, C, S, E>(
    session: &Session,
    host: &dyn CredentialsHost,
    base: &BaseCredentials,
    io: &mut Io<'_, T, C, S, E>,
    now: UnixTime,
    out: &mut Credentials,
) -> Result<ProviderKind, FetchError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    #[cfg(not(feature = "host-providers"))]
    let _ = host; // only the host providers read files or run commands
    match base {
        BaseCredentials::Static {
            credentials,
            provider,
            ..
        } => {
            if !credentials.has_keys() {
                return Err(FetchError::new(*provider, FetchReason::EmptyStatic));
            }
            out.clone_from(credentials);
            Ok(*provider)
        }
        BaseCredentials::Custom(p) => {
            p.0.retrieve(now, out)
                .map_err(|why| FetchError::new(ProviderKind::Custom, FetchReason::Custom(why)))?;
            Ok(ProviderKind::Custom)
        }
        #[cfg(feature = "host-providers")]
        BaseCredentials::Process { command, .. } => {
            let kind = ProviderKind::Process;
            let mut buf = [0u8; MAX_PROVIDER_RESPONSE_LEN];
            let n = host
                .run_process(command, &mut buf)
                .map_err(|error| host_error(kind, "running credential_process", error))?;
            let text = utf8(kind, buf.get(..n).unwrap_or_default())?;
            *out = parse_process_output(text)
                .map_err(|e| FetchError::new(kind, FetchReason::Json(e)))?;
            Ok(kind)
        }
        BaseCredentials::WebIdentity {
            role_arn,
            token_file,
            session_name,
            ..
        } => {
            web_identity(
                session,
                host,
                role_arn,
                token_file,
                session_name.as_deref(),
                io,
                now,
                out,
            )
            .await?;
            Ok(ProviderKind::WebIdentity)
        }
        #[cfg(feature = "host-providers")]
        BaseCredentials::Remote { provider, .. } => remote(session, host, *provider, io, out).await,
        #[cfg(feature = "host-providers")]
        BaseCredentials::Sso { .. } => super::sso::fetch(session, host, base, io, now, out)
            .await
            .map(|()| ProviderKind::Sso),
        // Left out of this build (core's `host-providers` feature is off).
        #[cfg(not(feature = "host-providers"))]
        BaseCredentials::Process { .. }
        | BaseCredentials::Remote { .. }
        | BaseCredentials::Sso { .. } => {
            Err(FetchError::new(base.provider(), FetchReason::NotBuilt))
        }
        BaseCredentials::Iot(settings) => iot_credentials(session, settings, io, out)
            .await
            .map(|()| ProviderKind::IotCredentials),
    }
}

/// The credentials' provider error for a host failure.
pub(super) fn host_error(
    provider: ProviderKind,
    what: &'static str,
    error: HostError,
) -> FetchError {
    FetchError::new(provider, FetchReason::Host { what, error })
}

/// `bytes` as text, or a JSON error of `provider`.
pub(super) fn utf8(provider: ProviderKind, bytes: &[u8]) -> Result<&str, FetchError> {
    core::str::from_utf8(bytes).map_err(|_| {
        FetchError::new(
            provider,
            FetchReason::Json(json::CredentialsJsonError::InvalidJson),
        )
    })
}

/// Go v1's default role session name: the time in Unix nanoseconds (the sub-second part drawn
/// from entropy: the platform clock has whole seconds).
pub(super) fn default_session_name(now: UnixTime, random: u32) -> Text<24> {
    let mut name = Text::new();
    let nanos = now
        .secs()
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(random % 1_000_000_000));
    let _ = write!(name, "{nanos}");
    name
}

/// A client of `service` for a provider call, signing with `credentials` (or not at all).
pub(super) fn provider_config(credentials: Option<&Credentials>) -> Config {
    let mut config = Config::new();
    config.credentials = Some(match credentials {
        Some(c) => ExplicitCredentials::Static(c.clone()),
        None => ExplicitCredentials::Anonymous,
    });
    config
}

/// The error of a failed provider call: the service's code and message when the body says them.
pub(super) fn call_error(
    provider: ProviderKind,
    error: RequestError,
    status: u16,
    body: &[u8],
    parse: fn(&str) -> Option<(ErrorText, ErrorText)>,
) -> FetchError {
    let parsed = core::str::from_utf8(body).ok().and_then(parse);
    let reason = match (parsed, error.status()) {
        _ if error.code() == "MissingRegion" => FetchReason::MissingRegion,
        (Some((code, message)), _) => FetchReason::Service {
            status,
            code,
            message,
        },
        (None, Some(status)) => FetchReason::Service {
            status,
            code: ErrorText::head(error.code()),
            message: ErrorText::head(""),
        },
        (None, None) => FetchReason::Request {
            code: request_code(&error),
            kind: match error {
                RequestError::Transport { kind, .. } => Some(kind),
                _ => None,
            },
        },
    };
    FetchError::new(provider, reason)
}

/// A request error's code as a `'static` string.
fn request_code(error: &RequestError) -> &'static str {
    match error {
        RequestError::Handler { code, .. } => code,
        RequestError::Transport { .. } => "RequestError",
        RequestError::ResponseTooLarge { .. } => "ResponseTooLarge",
        RequestError::Clock(_) => "ClockError",
        RequestError::Http(_) => "SerializationError",
        _ => "RequestError",
    }
}

/// STS's `<ErrorResponse>` as code and message.
fn sts_error(body: &str) -> Option<(ErrorText, ErrorText)> {
    sts::parse_error(body).map(|e| (e.code, e.message))
}

/// Go v1's web identity provider adds `InvalidIdentityToken` to its request's `RetryErrorCodes`
/// (the identity provider may not have published a fresh token's keys yet).
const RETRY_INVALID_IDENTITY_TOKEN: NamedHandler = NamedHandler::new(
    "stscreds.WebIdentityRetryInvalidIdentityToken",
    retry_invalid_identity_token,
);

fn retry_invalid_identity_token(r: &mut Request<'_>) {
    if r.error
        .as_ref()
        .is_some_and(|e| e.code() == "InvalidIdentityToken")
    {
        r.retryable = Some(true);
    }
}

/// One STS query-protocol call that answers with credentials.
#[allow(clippy::too_many_arguments)] // the call's inputs; grouped types would only be unpacked
async fn sts_call<T, C, S, E>(
    session: &Session,
    provider: ProviderKind,
    signer: Option<&Credentials>,
    operation: &'static str,
    body: &str,
    io: &mut Io<'_, T, C, S, E>,
    out: &mut Credentials,
) -> Result<(), FetchError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    let config = provider_config(signer);
    let full = FetchError::new(
        provider,
        FetchReason::Request {
            code: "HandlerListFull",
            kind: None,
        },
    );
    let mut client = session
        .client_with("sts", &config)
        .map_err(|_| full.clone())?;
    // The error code itself is decoded by the client's `awssession.UnmarshalErrorHandler`.
    if provider == ProviderKind::WebIdentity {
        client
            .handlers_mut()
            .retry
            .push_back_named(RETRY_INVALID_IDENTITY_TOKEN)
            .map_err(|_| full)?;
    }
    let mut response = [0u8; MAX_PROVIDER_RESPONSE_LEN];
    let mut request = client.form_request(operation, body).map_err(|_| {
        FetchError::new(
            provider,
            FetchReason::Request {
                code: "SerializationError",
                kind: None,
            },
        )
    })?;
    request.set_response_buffer(&mut response);
    let result = io.send(&client, &mut request).await;
    let status = request.response.status();
    let answer = request.response_body();
    match result {
        Ok(()) => {
            let text = utf8(provider, answer)?;
            sts::parse_credentials(text, out)
                .map_err(|e| FetchError::new(provider, FetchReason::Sts(e)))
        }
        Err(e) => Err(call_error(provider, e, status, answer, sts_error)),
    }
}

/// The `AssumeRoleWithWebIdentity` form body, with the token read from `token_file` now. Not
/// `async`: the token's buffer is on the stack only while the body is written, not in the
/// provider's future (and so in the firmware's static task memory) for the whole call.
#[inline(never)]
fn web_identity_request<'b>(
    host: &dyn CredentialsHost,
    role_arn: &str,
    token_file: &str,
    session_name: &str,
    body: &'b mut [u8; MAX_PROVIDER_REQUEST_LEN],
) -> Result<&'b str, FetchError> {
    let kind = ProviderKind::WebIdentity;
    let mut file = [0u8; MAX_PROVIDER_REQUEST_LEN];
    let n = host
        .read_file(token_file, &mut file)
        .map_err(|error| host_error(kind, "reading the web identity token file", error))?;
    let written = utf8(kind, file.get(..n).unwrap_or_default()).and_then(|token| {
        sts::web_identity_body(role_arn, session_name, token.trim(), None, body)
            .map_err(|e| FetchError::new(kind, FetchReason::Sts(e)))
    });
    zeroize::Zeroize::zeroize(&mut file);
    written
}

/// `AssumeRoleWithWebIdentity` with the token read from `token_file` now (Go v1 reads it on
/// every refresh). Unsigned, as STS expects.
#[allow(clippy::too_many_arguments)] // the hop's inputs
async fn web_identity<T, C, S, E>(
    session: &Session,
    host: &dyn CredentialsHost,
    role_arn: &str,
    token_file: &str,
    session_name: Option<&str>,
    io: &mut Io<'_, T, C, S, E>,
    now: UnixTime,
    out: &mut Credentials,
) -> Result<(), FetchError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    let kind = ProviderKind::WebIdentity;
    let default = default_session_name(now, io.entropy.next_u32());
    let name = session_name.unwrap_or(&default);
    let mut body = [0u8; MAX_PROVIDER_REQUEST_LEN];
    let body = web_identity_request(host, role_arn, token_file, name, &mut body)?;
    sts_call(
        session,
        kind,
        None,
        "AssumeRoleWithWebIdentity",
        body,
        io,
        out,
    )
    .await
}

/// One `AssumeRole` hop signed with `signer`; the new credentials go to `out`.
#[allow(clippy::too_many_arguments)] // the hop's inputs
async fn assume_role<T, C, S, E>(
    session: &Session,
    hop: &RoleHop<'_>,
    io: &mut Io<'_, T, C, S, E>,
    now: UnixTime,
    signer: &Credentials,
    out: &mut Credentials,
) -> Result<(), FetchError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    let kind = ProviderKind::AssumeRole;
    let mut code = Text::<MAX_MFA_TOKEN_LEN>::new();
    if hop.mfa_serial.is_some() {
        let asked = match session.token_provider() {
            Some(provider) => provider.code(&mut code).map_err(|_| HostError::NoToken),
            None => Err(HostError::NoToken),
        };
        asked.map_err(|error| host_error(kind, "asking for the MFA code", error))?;
    }
    let default = default_session_name(now, io.entropy.next_u32());
    let params = AssumeRoleParams {
        role_arn: hop.role_arn,
        session_name: hop.session_name.unwrap_or(&default),
        external_id: hop.external_id,
        serial_number: hop.mfa_serial,
        token_code: hop.mfa_serial.map(|_| code.as_str()),
        duration_secs: hop.duration_secs,
    };
    let mut body = [0u8; MAX_ASSUME_ROLE_BODY_LEN];
    let body = sts::assume_role_body(&params, &mut body)
        .map_err(|e| FetchError::new(kind, FetchReason::Sts(e)))?;
    sts_call(session, kind, Some(signer), "AssumeRole", body, io, out).await
}

#[cfg(feature = "host-providers")]
/// Go v1's remote providers: the container endpoint, or EC2 instance metadata; as the last step
/// of the default chain (`RemoteFallback`), the container when its variables are set, else IMDS.
async fn remote<T, C, S, E>(
    session: &Session,
    host: &dyn CredentialsHost,
    provider: ProviderKind,
    io: &mut Io<'_, T, C, S, E>,
    out: &mut Credentials,
) -> Result<ProviderKind, FetchError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    let view = SettingsView::new(session.config(), None);
    let container = view.container_credentials_full_uri().is_some()
        || view.container_credentials_relative_uri().is_some();
    let (kind, chain) = match provider {
        ProviderKind::RemoteFallback if container => (ProviderKind::EcsContainer, true),
        ProviderKind::RemoteFallback => (ProviderKind::Ec2InstanceMetadata, true),
        other => (other, false),
    };
    let result = match kind {
        ProviderKind::EcsContainer => container_credentials(session, host, io, out).await,
        _ => imds(session, io, out).await,
    };
    result.map(|()| kind).map_err(|mut e| {
        e.chain = chain;
        e
    })
}

#[cfg(feature = "host-providers")]
/// Whether plain HTTP may reach `host` (Go v1: loopback, the ECS and EKS addresses).
pub(super) fn http_allowed(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((h, port))
            if !h.ends_with(':')
                && port.bytes().all(|b| b.is_ascii_digit())
                && !host.ends_with(']') =>
        {
            h
        }
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name == "::1"
        || name == "169.254.170.2"
        || name == "169.254.170.23"
        || name.eq_ignore_ascii_case("fd00:ec2::23")
        || (name.starts_with("127.")
            && name.split('.').count() == 4
            && name.split('.').all(|p| p.parse::<u8>().is_ok()))
}

#[cfg(feature = "host-providers")]
/// ECS / EKS container credentials (`AWS_CONTAINER_CREDENTIALS_FULL_URI` beats `…_RELATIVE_URI`).
async fn container_credentials<T, C, S, E>(
    session: &Session,
    host: &dyn CredentialsHost,
    io: &mut Io<'_, T, C, S, E>,
    out: &mut Credentials,
) -> Result<(), FetchError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    let kind = ProviderKind::EcsContainer;
    let view = SettingsView::new(session.config(), None);
    let mut url = Text::<{ crate::limits::MAX_CONTAINER_URI_LEN + 32 }>::new();
    let pushed = match (
        view.container_credentials_full_uri(),
        view.container_credentials_relative_uri(),
    ) {
        (Some(full), _) => url.push_str(full),
        (None, Some(rel)) => url.push_str(ECS_HOST).and_then(|()| url.push_str(rel)),
        (None, None) => Ok(()),
    };
    let bad =
        |why: &str| FetchError::new(kind, FetchReason::ContainerEndpoint(ErrorText::head(why)));
    if pushed.is_err() || url.is_empty() {
        return Err(bad("the container credentials URI is missing or too long"));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("the container credentials URI has no scheme"))?;
    let (authority, target) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    if scheme.eq_ignore_ascii_case("http") {
        if !http_allowed(authority) {
            let mut why = Text::<200>::new();
            let _ = write!(
                why,
                "invalid endpoint host, \"{authority}\", only loopback/ecs/eks hosts are allowed."
            );
            return Err(bad(&why));
        }
    } else if !scheme.eq_ignore_ascii_case("https") {
        return Err(bad("the container credentials URI must use http or https"));
    }
    // The token file is read on every fetch and beats the plain token.
    let mut file = [0u8; MAX_PROVIDER_REQUEST_LEN];
    let token: Option<&str> = match view.container_authorization_token_file() {
        Some(path) => {
            let n = host.read_file(path, &mut file).map_err(|error| {
                host_error(
                    kind,
                    "reading AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                    error,
                )
            })?;
            Some(utf8(kind, file.get(..n).unwrap_or_default())?.trim())
        }
        None => view.container_authorization_token().map(|t| t.expose()),
    };
    let mut base = Text::<{ crate::limits::MAX_CONTAINER_URI_LEN + 32 }>::new();
    let _ = write!(base, "{scheme}://{authority}");
    let call = EndpointCall {
        kind,
        base: &base,
        service: "ecs-credentials",
        target,
        header: token.map(|t| ("authorization", t)),
        parse: parse_container_credentials,
        error: json_error,
    };
    call.get(session, io, out).await
}

/// An unsigned `GET` of a credentials endpoint (container, AWS IoT) and the parse of its answer.
struct EndpointCall<'a> {
    /// The provider, for errors.
    kind: ProviderKind,
    /// `scheme://authority` of the endpoint.
    base: &'a str,
    /// The service id of the client made for it.
    service: &'static str,
    /// Path and query.
    target: &'a str,
    /// One header of the provider's own (`authorization`, `x-amzn-iot-thingname`).
    header: Option<(&'static str, &'a str)>,
    /// Reads a success body into the credentials.
    parse: fn(&str, &mut Credentials) -> Result<(), json::CredentialsJsonError>,
    /// Reads an error body's code and message.
    error: fn(&str) -> Option<(ErrorText, ErrorText)>,
}

impl EndpointCall<'_> {
    async fn get<T, C, S, E>(
        &self,
        session: &Session,
        io: &mut Io<'_, T, C, S, E>,
        out: &mut Credentials,
    ) -> Result<(), FetchError>
    where
        T: AsyncTransport + ?Sized,
        C: Clock + ?Sized,
        S: AsyncSleep + ?Sized,
        E: Entropy + ?Sized,
    {
        let kind = self.kind;
        let capacity = |e| FetchError::new(kind, FetchReason::Capacity(e));
        let request_error = |code| FetchError::new(kind, FetchReason::Request { code, kind: None });
        let mut config = provider_config(None);
        config.endpoint =
            Some(crate::text::text(self.base, crate::text::Field::Endpoint).map_err(capacity)?);
        if SettingsView::new(session.config(), None).region().is_none() {
            config.region =
                Some(crate::text::text("us-east-1", crate::text::Field::Region).map_err(capacity)?);
        }
        let client = session
            .client_with(self.service, &config)
            .map_err(|_| request_error("HandlerListFull"))?;
        let mut response = [0u8; MAX_PROVIDER_RESPONSE_LEN];
        let mut request = client.request("GetCredentials");
        let built = request
            .http
            .set_target(self.target)
            .and_then(|()| {
                request
                    .http
                    .headers_mut()
                    .insert("accept", "application/json")
            })
            .and_then(|()| match self.header {
                Some((name, value)) => request.http.headers_mut().insert(name, value),
                None => Ok(()),
            });
        built.map_err(|_| request_error("SerializationError"))?;
        request.set_response_buffer(&mut response);
        let result = io.send(&client, &mut request).await;
        let status = request.response.status();
        let answer = request.response_body();
        match result {
            Ok(()) => (self.parse)(utf8(kind, answer)?, out)
                .map_err(|e| FetchError::new(kind, FetchReason::Json(e))),
            Err(e) => Err(call_error(kind, e, status, answer, self.error)),
        }
    }
}

/// The AWS IoT credentials provider: `GET https://<endpoint>/role-aliases/<alias>/credentials`
/// with `x-amzn-iot-thingname`, unsigned (the device certificate, which the transport presents,
/// authenticates the call).
async fn iot_credentials<T, C, S, E>(
    session: &Session,
    settings: &crate::credentials::IotSettings,
    io: &mut Io<'_, T, C, S, E>,
    out: &mut Credentials,
) -> Result<(), FetchError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    let kind = ProviderKind::IotCredentials;
    let bad =
        |why: &str| FetchError::new(kind, FetchReason::ContainerEndpoint(ErrorText::head(why)));
    // `host`, `host:port` or `https://host[:port][/]`; TLS is required.
    let authority = settings.authority().ok_or_else(|| {
        bad("iot_credentials_endpoint must be a host, host:port or an https:// URL")
    })?;
    // Role aliases are `[\w=,@-]+`: nothing in them needs escaping in a path.
    let alias = settings.role_alias.as_str();
    let alias_ok = alias
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_=,@-".contains(&b));
    if alias.is_empty() || !alias_ok {
        return Err(bad(
            "iot_role_alias may hold only letters, digits and _=,@-",
        ));
    }
    let mut base = Text::<{ crate::limits::MAX_ENDPOINT_LEN + 8 }>::new();
    let mut target = Text::<{ crate::limits::MAX_IOT_NAME_LEN + 32 }>::new();
    if write!(base, "https://{authority}").is_err()
        || write!(target, "/role-aliases/{alias}/credentials").is_err()
    {
        return Err(bad("iot_credentials_endpoint is too long"));
    }
    let call = EndpointCall {
        kind,
        base: &base,
        service: "iot-credentials",
        target: &target,
        header: settings
            .thing_name
            .as_deref()
            .map(|thing| ("x-amzn-iot-thingname", thing)),
        parse: json::parse_iot_credentials,
        error: iot_error,
    };
    call.get(session, io, out).await
}

/// An IoT credentials provider error body's message (`{"message": …}`), under the HTTP status
/// as the code (the body has none).
fn iot_error(body: &str) -> Option<(ErrorText, ErrorText)> {
    let message = json::error_message(body)?;
    Some((ErrorText::head("IoTCredentialsProviderError"), message))
}

#[cfg(feature = "host-providers")]
/// A container or IMDS error body's code and message (`{"code": …, "message": …}` or
/// `{"Code": …, "Message": …}`).
fn json_error(body: &str) -> Option<(ErrorText, ErrorText)> {
    let mut scratch = Credentials::EMPTY;
    match parse_container_credentials(body, &mut scratch) {
        Err(json::CredentialsJsonError::ProviderCode(code)) => Some((
            ErrorText::head(code.as_str()),
            json::error_message(body).unwrap_or_else(|| ErrorText::head("")),
        )),
        _ => None,
    }
}

#[cfg(feature = "host-providers")]
/// EC2 instance metadata (IMDSv2 with Go v1's fallback to v1).
async fn imds<T, C, S, E>(
    session: &Session,
    io: &mut Io<'_, T, C, S, E>,
    out: &mut Credentials,
) -> Result<(), FetchError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    let kind = ProviderKind::Ec2InstanceMetadata;
    let view = SettingsView::new(session.config(), None);
    if *view.ec2_imds_disabled() {
        return Err(FetchError::new(kind, FetchReason::ImdsDisabled));
    }
    let endpoint = match (view.ec2_imds_endpoint(), *view.ec2_imds_endpoint_mode()) {
        (Some(e), _) => e.as_str(),
        (None, Ec2ImdsEndpointMode::IPv4) => "http://169.254.169.254",
        (None, Ec2ImdsEndpointMode::IPv6) => "http://[fd00:ec2::254]",
    };
    let cap = |e| FetchError::new(kind, FetchReason::Capacity(e));
    let mut config = provider_config(None);
    config.endpoint = Some(
        crate::text::text(endpoint.trim_end_matches('/'), crate::text::Field::Endpoint)
            .map_err(cap)?,
    );
    config.max_retries = Some(IMDS_MAX_RETRIES);
    if view.region().is_none() {
        config.region =
            Some(crate::text::text("us-east-1", crate::text::Field::Region).map_err(cap)?);
    }
    let client = session.client_with("ec2metadata", &config).map_err(|_| {
        FetchError::new(
            kind,
            FetchReason::Request {
                code: "HandlerListFull",
                kind: None,
            },
        )
    })?;
    let serialization = |_| {
        FetchError::new(
            kind,
            FetchReason::Request {
                code: "SerializationError",
                kind: None,
            },
        )
    };

    // 1. The session token (PUT). 403/404/405: IMDSv1 (unless disabled); 400: an error; a
    //    failure without an answer: go on without a token, as Go v1 does.
    let mut token_buf = [0u8; 128];
    let mut token: Option<&str> = None;
    {
        let mut request = client.request("GetToken");
        request.http.set_timeout_ms(Some(IMDS_TIMEOUT_MS));
        request.http.set_method(Method::Put);
        request
            .http
            .set_target("/latest/api/token")
            .map_err(serialization)?;
        request
            .http
            .headers_mut()
            .insert("x-aws-ec2-metadata-token-ttl-seconds", IMDS_TOKEN_TTL)
            .map_err(serialization)?;
        request.set_response_buffer(&mut token_buf);
        let result = io.send(&client, &mut request).await;
        let status = request.response.status();
        let len = request.response_body().len();
        drop(request);
        match (result, status) {
            (Ok(()), _) => {
                token = core::str::from_utf8(token_buf.get(..len).unwrap_or_default())
                    .ok()
                    .map(str::trim)
                    .filter(|t| !t.is_empty());
            }
            (Err(_), 403..=405) if *view.ec2_imds_v1_disabled() => {
                return Err(FetchError::new(
                    kind,
                    FetchReason::ImdsTokenRequired { status },
                ))
            }
            (Err(_), 403..=405) => {}
            (Err(e), 400) => return Err(call_error(kind, e, status, &[], json_error)),
            (Err(_), _) if *view.ec2_imds_v1_disabled() => {
                return Err(FetchError::new(
                    kind,
                    FetchReason::ImdsTokenRequired { status },
                ))
            }
            (Err(_), _) => {}
        }
    }

    // 2. The role name, then 3. its credentials.
    let mut response = [0u8; MAX_PROVIDER_RESPONSE_LEN];
    let mut path = Text::<{ crate::limits::MAX_ROLE_NAME_LEN + 48 }>::new();
    let _ = path.push_str("/latest/meta-data/iam/security-credentials/");
    let role_len = {
        let mut request = client.request("GetRole");
        request.http.set_timeout_ms(Some(IMDS_TIMEOUT_MS));
        request.http.set_method(Method::Get);
        request.http.set_target(&path).map_err(serialization)?;
        if let Some(t) = token {
            request
                .http
                .headers_mut()
                .insert("x-aws-ec2-metadata-token", t)
                .map_err(serialization)?;
        }
        request.set_response_buffer(&mut response);
        let result = io.send(&client, &mut request).await;
        let status = request.response.status();
        if let Err(e) = result {
            // Go v1: any answer but a role list is "no EC2 instance role found"; a failure
            // without an answer keeps its transport reason.
            return Err(match e.status() {
                Some(_) => FetchError::new(kind, FetchReason::ImdsNoRole),
                None => call_error(kind, e, status, &[], json_error),
            });
        }
        request.response_body().len()
    };
    let roles = utf8(kind, response.get(..role_len).unwrap_or_default())?;
    let role = roles
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .ok_or(FetchError::new(kind, FetchReason::ImdsEmptyRoleList))?;
    path.push_str(role).map_err(|_| {
        cap(crate::text::CapacityError {
            field: crate::text::Field::RoleParam,
            limit: crate::limits::MAX_ROLE_NAME_LEN,
            len: role.len(),
        })
    })?;
    let mut request = client.request("GetCredentials");
    request.http.set_timeout_ms(Some(IMDS_TIMEOUT_MS));
    request.http.set_method(Method::Get);
    request.http.set_target(&path).map_err(serialization)?;
    if let Some(t) = token {
        request
            .http
            .headers_mut()
            .insert("x-aws-ec2-metadata-token", t)
            .map_err(serialization)?;
    }
    let mut answer_buf = [0u8; MAX_PROVIDER_RESPONSE_LEN];
    request.set_response_buffer(&mut answer_buf);
    let result = io.send(&client, &mut request).await;
    let status = request.response.status();
    let answer = request.response_body();
    match result {
        Ok(()) => parse_container_credentials(utf8(kind, answer)?, out)
            .map_err(|e| FetchError::new(kind, FetchReason::Json(e))),
        Err(e) => Err(call_error(kind, e, status, answer, json_error)),
    }
}
