//! The IAM Identity Center (SSO) token: read from and written back to the token cache
//! (`~/.aws/sso/cache/<sha1>.json`), and refreshed from an SSO OIDC `CreateToken` response.

use core::fmt::{self, Write};

use serde::Deserialize;
use serde_json_core::str::EscapedStr;

use super::{required, rfc3339, set, set_opt, wire, CredentialsJsonError};
use crate::limits::{
    MAX_REGION_LEN, MAX_SSO_CLIENT_ID_LEN, MAX_SSO_CLIENT_SECRET_LEN, MAX_SSO_START_URL_LEN,
    MAX_SSO_TOKEN_LEN,
};
use crate::secret::SecretStr;
use crate::text::{Field, SliceWriter, Text};
use crate::time::UnixTime;

/// An SSO access token with what refreshing it needs, as the token cache holds it.
///
/// Fixed capacity (about 6.5 KiB: fill it in place, see [`SsoToken::EMPTY`]); the tokens and the
/// client secret are [`SecretStr`]s, redacted in `Debug` and wiped on drop. Text fields the cache
/// file may omit are empty when absent.
#[derive(Clone, PartialEq, Eq)]
pub struct SsoToken {
    /// `accessToken`: the bearer token for the SSO portal (`GetRoleCredentials`).
    pub access_token: SecretStr<MAX_SSO_TOKEN_LEN>,
    /// `expiresAt`: when the access token stops working.
    pub expires_at: UnixTime,
    /// `refreshToken`, present for tokens from an `sso-session` (OIDC with refresh).
    pub refresh_token: Option<SecretStr<MAX_SSO_TOKEN_LEN>>,
    /// `clientId` of the OIDC client registration (empty when absent).
    pub client_id: Text<MAX_SSO_CLIENT_ID_LEN>,
    /// `clientSecret` of the OIDC client registration (empty when absent).
    pub client_secret: SecretStr<MAX_SSO_CLIENT_SECRET_LEN>,
    /// `registrationExpiresAt`: when the client registration expires.
    pub registration_expires_at: Option<UnixTime>,
    /// `region` of the SSO OIDC service (empty when absent).
    pub region: Text<MAX_REGION_LEN>,
    /// `startUrl` of the SSO portal (empty when absent).
    pub start_url: Text<MAX_SSO_START_URL_LEN>,
}

impl SsoToken {
    /// No token: what a token is filled from in place.
    pub const EMPTY: SsoToken = SsoToken {
        access_token: SecretStr::empty(),
        expires_at: UnixTime::from_secs(0),
        refresh_token: None,
        client_id: Text::new(),
        client_secret: SecretStr::empty(),
        registration_expires_at: None,
        region: Text::new(),
        start_url: Text::new(),
    };

    /// Empties the token in place; the secrets are wiped.
    pub fn clear(&mut self) {
        let _ = self.access_token.set("", Field::SsoAccessToken);
        self.expires_at = UnixTime::from_secs(0);
        self.refresh_token = None;
        self.client_id.clear();
        let _ = self.client_secret.set("", Field::SsoClientSecret);
        self.registration_expires_at = None;
        self.region.clear();
        self.start_url.clear();
    }
}

impl fmt::Debug for SsoToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoToken")
            .field("access_token", &self.access_token)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("registration_expires_at", &self.registration_expires_at)
            .field("region", &self.region)
            .field("start_url", &self.start_url)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CacheWire<'a> {
    #[serde(borrow)]
    access_token: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    expires_at: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    refresh_token: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    client_id: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    client_secret: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    registration_expires_at: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    region: Option<EscapedStr<'a>>,
    #[serde(borrow)]
    start_url: Option<EscapedStr<'a>>,
}

/// Decodes an optional string into a text or secret that is empty when absent.
fn set_or_clear<T: super::Target>(
    out: &mut T,
    raw: Option<EscapedStr<'_>>,
    field: Field,
) -> Result<(), CredentialsJsonError> {
    set(out, raw.unwrap_or(EscapedStr("")), field)
}

/// Parses a token cache file (`~/.aws/sso/cache/<sha1>.json`) into `out` in place: `accessToken`
/// and `expiresAt` (RFC 3339) are required; `refreshToken`, `clientId`, `clientSecret`,
/// `registrationExpiresAt`, `region` and `startUrl` are optional; unknown keys are ignored.
///
/// # Errors
/// [`CredentialsJsonError`]: not JSON, `Missing("accessToken")` / `Missing("expiresAt")`, a bad
/// time (`Time` naming the key), or a value over its limit. `out` is then empty.
#[inline(never)] // keeps the parser's temporaries out of its caller's frame (small-RAM targets)
pub fn parse_sso_cache(json: &str, out: &mut SsoToken) -> Result<(), CredentialsJsonError> {
    let r = wire::<CacheWire<'_>>(json).and_then(|w| fill_cache(&w, out));
    if r.is_err() {
        out.clear();
    }
    r
}

fn fill_cache(w: &CacheWire<'_>, out: &mut SsoToken) -> Result<(), CredentialsJsonError> {
    let access = required(w.access_token, "accessToken")?;
    let expires = required(w.expires_at, "expiresAt")?;
    out.expires_at = rfc3339(expires, CredentialsJsonError::Time("expiresAt"))?;
    out.registration_expires_at = w
        .registration_expires_at
        .map(|t| rfc3339(t, CredentialsJsonError::Time("registrationExpiresAt")))
        .transpose()?;
    set(&mut out.access_token, access, Field::SsoAccessToken)?;
    set_opt(
        &mut out.refresh_token,
        w.refresh_token,
        SecretStr::empty,
        Field::SsoRefreshToken,
    )?;
    set_or_clear(&mut out.client_id, w.client_id, Field::SsoClientId)?;
    set_or_clear(
        &mut out.client_secret,
        w.client_secret,
        Field::SsoClientSecret,
    )?;
    set_or_clear(&mut out.region, w.region, Field::Region)?;
    set_or_clear(&mut out.start_url, w.start_url, Field::SsoStartUrl)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateTokenWire<'a> {
    #[serde(borrow)]
    access_token: Option<EscapedStr<'a>>,
    expires_in: Option<u64>,
    #[serde(borrow)]
    refresh_token: Option<EscapedStr<'a>>,
}

/// Applies an SSO OIDC `CreateToken` response (`{"accessToken", "expiresIn", "refreshToken"?,
/// "tokenType", "idToken"?}`) to `out`: the access token is replaced, `expires_at` becomes
/// `now + expiresIn`, and the refresh token is replaced when the response has one. The client
/// registration, region and start URL are kept.
///
/// # Errors
/// [`CredentialsJsonError`]: not JSON (or `expiresIn` not a non-negative integer),
/// `Missing("accessToken")` / `Missing("expiresIn")`, `Time("expiresIn")` when the expiry is past
/// 9999, or a token over its limit. `out` is then unchanged.
#[inline(never)] // keeps the parser's temporaries out of its caller's frame (small-RAM targets)
pub fn parse_oidc_create_token(
    json: &str,
    now: UnixTime,
    out: &mut SsoToken,
) -> Result<(), CredentialsJsonError> {
    let w = wire::<CreateTokenWire<'_>>(json)?;
    let access = required(w.access_token, "accessToken")?;
    let expires_in = w
        .expires_in
        .ok_or(CredentialsJsonError::Missing("expiresIn"))?;
    let expires_at = now
        .checked_add_secs(expires_in)
        .filter(|t| t.to_datetime().is_ok())
        .ok_or(CredentialsJsonError::Time("expiresIn"))?;
    let refresh = w.refresh_token.filter(|r| !r.0.is_empty());
    // Both tokens are checked before either is written, so an error changes nothing.
    if let Some(refresh) = refresh {
        super::fill::check::<SecretStr<MAX_SSO_TOKEN_LEN>>(
            Field::SsoRefreshToken,
            &super::decoder(refresh),
        )?;
    }
    set(&mut out.access_token, access, Field::SsoAccessToken)?;
    if refresh.is_some() {
        set_opt(
            &mut out.refresh_token,
            refresh,
            SecretStr::empty,
            Field::SsoRefreshToken,
        )?;
    }
    out.expires_at = expires_at;
    Ok(())
}

/// Writes `s` as a JSON string: quotes, `"` and `\` escaped, control characters as `\n`, `\r`,
/// `\t` or `\u00XX`.
pub(crate) fn write_json_str(w: &mut impl Write, s: &str) -> fmt::Result {
    w.write_char('"')?;
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        w.write_str(s.get(run..i).unwrap_or(""))?;
        if escape.is_empty() {
            write!(w, "\\u{b:04x}")?;
        } else {
            w.write_str(escape)?;
        }
        run = i + 1;
    }
    w.write_str(s.get(run..).unwrap_or(""))?;
    w.write_char('"')
}

/// Writes `,"key":` (no comma before the first key).
fn write_key(w: &mut impl Write, first: &mut bool, key: &str) -> fmt::Result {
    if !*first {
        w.write_char(',')?;
    }
    *first = false;
    write!(w, "\"{key}\":")
}

fn write_time(w: &mut impl Write, t: UnixTime) -> fmt::Result {
    let dt = t.to_datetime().map_err(|_| fmt::Error)?;
    write!(w, "\"{dt}\"")
}

fn write_cache(w: &mut impl Write, t: &SsoToken) -> fmt::Result {
    let mut first = true;
    let texts: [(&str, &str); 2] = [("startUrl", &t.start_url), ("region", &t.region)];
    w.write_char('{')?;
    for (key, value) in texts {
        if !value.is_empty() {
            write_key(w, &mut first, key)?;
            write_json_str(w, value)?;
        }
    }
    write_key(w, &mut first, "accessToken")?;
    write_json_str(w, t.access_token.expose())?;
    write_key(w, &mut first, "expiresAt")?;
    write_time(w, t.expires_at)?;
    let client: [(&str, &str); 2] = [
        ("clientId", &t.client_id),
        ("clientSecret", t.client_secret.expose()),
    ];
    for (key, value) in client {
        if !value.is_empty() {
            write_key(w, &mut first, key)?;
            write_json_str(w, value)?;
        }
    }
    if let Some(r) = t.registration_expires_at {
        write_key(w, &mut first, "registrationExpiresAt")?;
        write_time(w, r)?;
    }
    if let Some(r) = t.refresh_token.as_ref().filter(|r| !r.is_empty()) {
        write_key(w, &mut first, "refreshToken")?;
        write_json_str(w, r.expose())?;
    }
    w.write_char('}')
}

/// Writes `token` as a token cache file (the AWS CLI's key order; absent fields omitted) into
/// `out`, for a refreshed token written back to `~/.aws/sso/cache/<sha1>.json`. Returns the
/// length written. The output holds the secrets: treat the buffer as secret.
///
/// # Errors
/// [`CredentialsJsonError::BufferTooSmall`] when `out` is too small (what was written is then
/// garbage); [`CredentialsJsonError::Time`] for a time past 9999.
pub fn write_sso_cache(token: &SsoToken, out: &mut [u8]) -> Result<usize, CredentialsJsonError> {
    for (t, key) in [
        (Some(token.expires_at), "expiresAt"),
        (token.registration_expires_at, "registrationExpiresAt"),
    ] {
        if t.is_some_and(|t| t.to_datetime().is_err()) {
            return Err(CredentialsJsonError::Time(key));
        }
    }
    let limit = out.len();
    let mut w = SliceWriter::new(out);
    write_cache(&mut w, token).map_err(|_| CredentialsJsonError::BufferTooSmall { limit })?;
    Ok(w.len())
}

/// Writes the body of an SSO OIDC `CreateToken` call that refreshes `token` with its refresh
/// token: `{"clientId", "clientSecret", "grantType": "refresh_token", "refreshToken"}`. Returns the
/// length written. The output holds secrets: treat the buffer as secret.
///
/// # Errors
/// [`CredentialsJsonError::Missing`] without a refresh token or client registration;
/// [`CredentialsJsonError::BufferTooSmall`] when `out` is too small.
pub fn write_oidc_refresh_body(
    token: &SsoToken,
    out: &mut [u8],
) -> Result<usize, CredentialsJsonError> {
    let refresh = token
        .refresh_token
        .as_ref()
        .filter(|r| !r.is_empty())
        .ok_or(CredentialsJsonError::Missing("refreshToken"))?;
    if token.client_id.is_empty() || token.client_secret.is_empty() {
        return Err(CredentialsJsonError::Missing("clientId"));
    }
    let limit = out.len();
    let mut w = SliceWriter::new(out);
    let mut write = || -> fmt::Result {
        let mut first = true;
        w.write_char('{')?;
        write_key(&mut w, &mut first, "clientId")?;
        write_json_str(&mut w, &token.client_id)?;
        write_key(&mut w, &mut first, "clientSecret")?;
        write_json_str(&mut w, token.client_secret.expose())?;
        write_key(&mut w, &mut first, "grantType")?;
        write_json_str(&mut w, "refresh_token")?;
        write_key(&mut w, &mut first, "refreshToken")?;
        write_json_str(&mut w, refresh.expose())?;
        w.write_char('}')
    };
    write().map_err(|_| CredentialsJsonError::BufferTooSmall { limit })?;
    Ok(w.len())
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::text::CapacityError;

    /// A cache file as the AWS CLI writes it for an `sso-session` (smithy-rs test data shape).
    const CACHE: &str = r#"{
        "startUrl": "https://d-123.awsapps.com/start",
        "region": "us-west-2",
        "accessToken": "cachedtoken\/with\u002Fescapes",
        "expiresAt": "2021-12-25T21:30:00Z",
        "clientId": "clientid",
        "clientSecret": "YSBzZWNyZXQ=",
        "registrationExpiresAt": "2022-12-25T13:30:00Z",
        "refreshToken": "cachedrefreshtoken",
        "unknown": {"nested": [1, 2, {"x": "y"}]}
    }"#;

    selftests! {
        fn cache_file_parses_every_field() {
            let mut t = SsoToken::EMPTY;
            parse_sso_cache(CACHE, &mut t).unwrap();
            assert_eq!(t.access_token.expose(), "cachedtoken/with/escapes");
            assert_eq!(t.expires_at, UnixTime::parse_rfc3339("2021-12-25T21:30:00Z").unwrap());
            assert_eq!(t.refresh_token.as_ref().unwrap().expose(), "cachedrefreshtoken");
            assert_eq!(t.client_id.as_str(), "clientid");
            assert_eq!(t.client_secret.expose(), "YSBzZWNyZXQ=");
            assert_eq!(t.registration_expires_at, Some(UnixTime::parse_rfc3339("2022-12-25T13:30:00Z").unwrap()));
            assert_eq!(t.region.as_str(), "us-west-2");
            assert_eq!(t.start_url.as_str(), "https://d-123.awsapps.com/start");
            let mut shown = Text::<512>::new();
            write!(shown, "{t:?}").unwrap();
            assert!(!shown.contains("cachedtoken") && !shown.contains("YSBz") && !shown.contains("cachedrefresh"));
        }

        fn legacy_cache_file_has_no_registration() {
            let mut t = SsoToken::EMPTY;
            parse_sso_cache(
                r#"{"accessToken":"base-token","expiresAt":"2021-12-25T21:30:00Z","region":"us-west-2","startUrl":"https://d-abc123.awsapps.com/start"}"#,
                &mut t,
            )
            .unwrap();
            assert!(t.refresh_token.is_none() && t.client_id.is_empty() && t.client_secret.is_empty());
            assert!(t.registration_expires_at.is_none());
        }

        fn cache_file_errors_are_typed_and_leave_the_token_empty() {
            let cases: [(&str, CredentialsJsonError); 6] = [
                (r#"{"expiresAt":"2021-12-25T21:30:00Z"}"#, CredentialsJsonError::Missing("accessToken")),
                (r#"{"accessToken":"a"}"#, CredentialsJsonError::Missing("expiresAt")),
                (r#"{"accessToken":"a","expiresAt":"tomorrow"}"#, CredentialsJsonError::Time("expiresAt")),
                (r#"{"accessToken":"a","expiresAt":"2021-12-25T21:30:00Z","registrationExpiresAt":"x"}"#, CredentialsJsonError::Time("registrationExpiresAt")),
                (r#"{"accessToken":1,"expiresAt":"2021-12-25T21:30:00Z"}"#, CredentialsJsonError::InvalidJson),
                (r#"{"accessToken":"a","expiresAt":"2021-12-25T21:30:00Z","region":"a-region-name-far-too-long-to-be-real"}"#,
                 CredentialsJsonError::Capacity(CapacityError { field: Field::Region, limit: MAX_REGION_LEN, len: 37 })),
            ];
            for (json, want) in cases {
                let mut t = SsoToken::EMPTY;
                parse_sso_cache(CACHE, &mut t).unwrap();
                assert_eq!(parse_sso_cache(json, &mut t).unwrap_err(), want, "{json}");
                assert!(t.access_token.is_empty() && t.refresh_token.is_none() && t.client_secret.is_empty());
            }
        }

        fn create_token_refreshes_in_place() {
            let mut t = SsoToken::EMPTY;
            parse_sso_cache(CACHE, &mut t).unwrap();
            let now = UnixTime::from_secs(1_640_000_000);
            parse_oidc_create_token(
                r#"{"accessToken":"newtoken","expiresIn":28800,"refreshToken":"newrefresh","tokenType":"Bearer"}"#,
                now,
                &mut t,
            )
            .unwrap();
            assert_eq!(t.access_token.expose(), "newtoken");
            assert_eq!(t.expires_at, UnixTime::from_secs(1_640_028_800));
            assert_eq!(t.refresh_token.as_ref().unwrap().expose(), "newrefresh");
            assert_eq!(t.client_id.as_str(), "clientid", "registration kept");
            // No refresh token in the response: the old one stays.
            parse_oidc_create_token(r#"{"accessToken":"third","expiresIn":1,"tokenType":"Bearer"}"#, now, &mut t).unwrap();
            assert_eq!(t.refresh_token.as_ref().unwrap().expose(), "newrefresh");
            let cases: [(&str, CredentialsJsonError); 5] = [
                (r#"{"expiresIn":1}"#, CredentialsJsonError::Missing("accessToken")),
                (r#"{"accessToken":"x"}"#, CredentialsJsonError::Missing("expiresIn")),
                (r#"{"accessToken":"x","expiresIn":-1}"#, CredentialsJsonError::InvalidJson),
                (r#"{"accessToken":"x","expiresIn":"1"}"#, CredentialsJsonError::InvalidJson),
                (r#"{"accessToken":"x","expiresIn":18446744073709551615}"#, CredentialsJsonError::Time("expiresIn")),
            ];
            for (json, want) in cases {
                assert_eq!(parse_oidc_create_token(json, now, &mut t).unwrap_err(), want, "{json}");
                assert_eq!(t.access_token.expose(), "third", "unchanged on error");
            }
        }

        fn create_token_with_oversized_refresh_token_changes_nothing() {
            let mut json = Text::<{ MAX_SSO_TOKEN_LEN + 96 }>::new();
            json.push_str(r#"{"accessToken":"new","expiresIn":1,"refreshToken":""#).unwrap();
            for _ in 0..=MAX_SSO_TOKEN_LEN {
                json.push('r').unwrap();
            }
            json.push_str(r#""}"#).unwrap();
            let mut t = SsoToken::EMPTY;
            parse_sso_cache(CACHE, &mut t).unwrap();
            let err = parse_oidc_create_token(&json, UnixTime::from_secs(0), &mut t).unwrap_err();
            assert!(matches!(err, CredentialsJsonError::Capacity(CapacityError { field: Field::SsoRefreshToken, .. })));
            assert_eq!(t.access_token.expose(), "cachedtoken/with/escapes");
        }

        fn cache_round_trips_with_escapes() {
            let mut t = SsoToken::EMPTY;
            parse_sso_cache(CACHE, &mut t).unwrap();
            t.access_token.set("quote\" back\\ nl\n ctl\u{1} é", Field::SsoAccessToken).unwrap();
            let mut buf = [0u8; 1024];
            let n = write_sso_cache(&t, &mut buf).unwrap();
            let text = core::str::from_utf8(&buf[..n]).unwrap();
            assert!(text.starts_with(r#"{"startUrl":"https://d-123.awsapps.com/start","region":"us-west-2","accessToken":"quote\" back\\ nl\n ctl\u0001 é","expiresAt":"2021-12-25T21:30:00Z""#), "{text}");
            let mut again = SsoToken::EMPTY;
            parse_sso_cache(text, &mut again).unwrap();
            assert_eq!(again, t);
            assert_eq!(write_sso_cache(&t, &mut buf[..40]), Err(CredentialsJsonError::BufferTooSmall { limit: 40 }));
            t.expires_at = UnixTime::from_secs(u64::MAX);
            assert_eq!(write_sso_cache(&t, &mut buf), Err(CredentialsJsonError::Time("expiresAt")));
        }
    }
}
