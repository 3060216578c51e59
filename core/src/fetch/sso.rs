//! IAM Identity Center (SSO): the access token from the token cache (`~/.aws/sso/cache`, through
//! the host), refreshed through SSO OIDC `CreateToken` when it has expired and the cache holds a
//! refresh token (the `sso-session` form, as Go v1's `ssooidc` token provider does), then the
//! role's credentials from the SSO portal (`GetRoleCredentials`, unsigned, with the token as
//! `x-amz-sso_bearer_token`).

use core::fmt::Write as _;

use super::providers::{call_error, host_error, provider_config, utf8, Io};
use crate::credentials::cache::CredentialsHost;
use crate::credentials::error::{FetchError, FetchReason};
use crate::credentials::json::{
    parse_oidc_create_token, parse_sso_cache, parse_sso_role_credentials, write_oidc_refresh_body,
    write_sso_cache, CredentialsJsonError, SsoToken,
};
use crate::credentials::sts::write_form_value;
use crate::credentials::{BaseCredentials, Credentials, ProviderKind, SsoSettings};
use crate::http::{Body, Method};
use crate::limits::{MAX_PROVIDER_REQUEST_LEN, MAX_PROVIDER_RESPONSE_LEN, MAX_REQUEST_TARGET_LEN};
use crate::platform::{AsyncSleep, AsyncTransport, Clock, Entropy};
use crate::session::Session;
use crate::text::{text, ErrorText, Field, Text};
use crate::time::UnixTime;

const KIND: ProviderKind = ProviderKind::Sso;

fn json(e: CredentialsJsonError) -> FetchError {
    FetchError::new(KIND, FetchReason::Json(e))
}

fn serialization<E>(_: E) -> FetchError {
    FetchError::new(
        KIND,
        FetchReason::Request {
            code: "SerializationError",
            kind: None,
        },
    )
}

/// A JSON error body of the SSO services: `{"message": …}` / `{"error": …}`; only the code is
/// kept (by the HTTP status), messages are not parsed.
fn no_body(_: &str) -> Option<(ErrorText, ErrorText)> {
    None
}

/// A client of `service` in the SSO region, unsigned.
fn sso_config(settings: &SsoSettings) -> Result<crate::config::Config, FetchError> {
    let mut config = provider_config(None);
    config.region = Some(
        text(&settings.region, Field::Region)
            .map_err(|e| FetchError::new(KIND, FetchReason::Capacity(e)))?,
    );
    Ok(config)
}

/// Credentials for the SSO settings of `base`.
pub(super) async fn fetch<T, C, S, E>(
    session: &Session,
    host: &dyn CredentialsHost,
    base: &BaseCredentials,
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
    let BaseCredentials::Sso { settings, .. } = base else {
        return Err(FetchError::new(
            KIND,
            FetchReason::Custom("not an SSO plan"),
        ));
    };
    let key = settings
        .session_name
        .as_deref()
        .unwrap_or(&settings.start_url);
    let mut token = SsoToken::EMPTY;
    {
        let mut file = [0u8; MAX_PROVIDER_REQUEST_LEN];
        let n = host
            .read_sso_cache(key, &mut file)
            .map_err(|error| host_error(KIND, "reading the SSO token cache", error))?;
        parse_sso_cache(utf8(KIND, file.get(..n).unwrap_or_default())?, &mut token)
            .map_err(json)?;
    }
    if now.secs() >= token.expires_at.secs() {
        let refreshable = settings.session_name.is_some()
            && token.refresh_token.as_ref().is_some_and(|r| !r.is_empty());
        if !refreshable {
            return Err(FetchError::new(KIND, FetchReason::SsoTokenExpired));
        }
        refresh(session, host, settings, key, &mut token, io, now).await?;
    }
    role_credentials(session, settings, &token, io, out).await
}

/// Refreshes `token` through SSO OIDC `CreateToken` and writes it back to the cache.
async fn refresh<T, C, S, E>(
    session: &Session,
    host: &dyn CredentialsHost,
    settings: &SsoSettings,
    key: &str,
    token: &mut SsoToken,
    io: &mut Io<'_, T, C, S, E>,
    now: UnixTime,
) -> Result<(), FetchError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    let region_config = {
        let mut config = sso_config(settings)?;
        if !token.region.is_empty() {
            config.region = Some(
                text(&token.region, Field::Region)
                    .map_err(|e| FetchError::new(KIND, FetchReason::Capacity(e)))?,
            );
        }
        config
    };
    let client = session.client_with("oidc", &region_config).map_err(|_| {
        FetchError::new(
            KIND,
            FetchReason::Request {
                code: "HandlerListFull",
                kind: None,
            },
        )
    })?;
    let mut body = [0u8; MAX_PROVIDER_REQUEST_LEN];
    let n = write_oidc_refresh_body(token, &mut body).map_err(json)?;
    let mut response = [0u8; MAX_PROVIDER_RESPONSE_LEN];
    let mut request = client.request("CreateToken");
    request.http.set_method(Method::Post);
    request.http.set_target("/token").map_err(serialization)?;
    request
        .http
        .headers_mut()
        .insert("content-type", "application/json")
        .map_err(serialization)?;
    request
        .http
        .set_body(Body::Bytes(body.get(..n).unwrap_or_default()));
    request.set_response_buffer(&mut response);
    let result = io.send(&client, &mut request).await;
    let status = request.response.status();
    let answer = request.response_body();
    match result {
        Ok(()) => parse_oidc_create_token(utf8(KIND, answer)?, now, token).map_err(json)?,
        Err(e) => return Err(call_error(KIND, e, status, answer, no_body)),
    }
    // Best effort, as the SDKs do: a cache that cannot be written only costs a refresh next time.
    let mut file = [0u8; MAX_PROVIDER_REQUEST_LEN + 2048];
    if let Ok(len) = write_sso_cache(token, &mut file) {
        let _ = host.write_sso_cache(key, file.get(..len).unwrap_or_default());
    }
    Ok(())
}

/// `GetRoleCredentials` with `token`.
async fn role_credentials<T, C, S, E>(
    session: &Session,
    settings: &SsoSettings,
    token: &SsoToken,
    io: &mut Io<'_, T, C, S, E>,
    out: &mut Credentials,
) -> Result<(), FetchError>
where
    T: AsyncTransport + ?Sized,
    C: Clock + ?Sized,
    S: AsyncSleep + ?Sized,
    E: Entropy + ?Sized,
{
    let config = sso_config(settings)?;
    let client = session.client_with("portal.sso", &config).map_err(|_| {
        FetchError::new(
            KIND,
            FetchReason::Request {
                code: "HandlerListFull",
                kind: None,
            },
        )
    })?;
    let mut target = Text::<MAX_REQUEST_TARGET_LEN>::new();
    let written = write!(target, "/federation/credentials?account_id=")
        .and_then(|()| write_form_value(&mut target, &settings.account_id))
        .and_then(|()| target.write_str("&role_name="))
        .and_then(|()| write_form_value(&mut target, &settings.role_name));
    written.map_err(serialization)?;
    let mut response = [0u8; MAX_PROVIDER_RESPONSE_LEN];
    let mut request = client.request("GetRoleCredentials");
    request.http.set_method(Method::Get);
    request.http.set_target(&target).map_err(serialization)?;
    request
        .http
        .headers_mut()
        .insert("x-amz-sso_bearer_token", token.access_token.expose())
        .map_err(serialization)?;
    request.set_response_buffer(&mut response);
    let result = io.send(&client, &mut request).await;
    let status = request.response.status();
    let answer = request.response_body();
    match result {
        Ok(()) => parse_sso_role_credentials(utf8(KIND, answer)?, out).map_err(json),
        Err(e) => Err(call_error(KIND, e, status, answer, no_body)),
    }
}
