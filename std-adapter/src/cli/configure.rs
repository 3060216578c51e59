//! `aws-session configure list`: the session the environment and files produce, and where every
//! value came from.
//!
//! JSON contract (`--json`, one object on one line):
//!
//! ```text
//! {"profile": {"value": S, "source": S},
//!  "region": {"value": S|null, "source": S|null},
//!  "credentials": {"access_key_id": S, "session_token": BOOL, "provider": S, "source": S,
//!                  "expires": S|null} | null,
//!  "credentials_error": S|null,
//!  "shared_config_loaded": BOOL,
//!  "settings": [{"name": S, "value": S|null, "source": S}, ...]}   (only with --all)
//! ```
//!
//! `--all` adds every setting of core's settings table (`aws_session_core::config::SETTINGS`), in
//! table order, named by its config-file key (or its option name when it has none), with its
//! value, or `null` / `<not set>`, and its source (`default` for a built-in default, `-` when
//! unset). A secret row of the table (`AWS_CONTAINER_AUTHORIZATION_TOKEN`) is listed as
//! `** redacted **` with its source; keys and tokens appear only in the credentials rows.
//!
//! A source is `option`, `env:NAME`, `file:PATH:LINE` or `default`. `access_key_id` is masked to
//! its last four characters; the secret and the token never appear. `provider` names the provider
//! that produced the credentials (Go v1 `Value.ProviderName`), `expires` is their expiry in
//! RFC 3339 (`null`: they do not expire). Listing resolves the credentials: providers that need a
//! call (STS, SSO, the container endpoint, instance metadata, `credential_process`) run.

use crate::credentials::ResolveError;
use crate::load::LoadedSession;
use std::io::Write;

use aws_session_core::config::{Key, SessionConfig};
use aws_session_core::credentials::{BaseCredentials, CredentialPlan, ProviderKind};
use aws_session_core::session::Session;
use aws_session_core::text::Escaped;
use serde::Serialize;

use super::CliError;

/// `{"value": S, "source": S}`.
#[derive(Serialize)]
struct Sourced {
    value: String,
    source: String,
}

/// `{"value": S|null, "source": S|null}`.
#[derive(Serialize)]
struct OptionalSourced {
    value: Option<String>,
    source: Option<String>,
}

/// The credentials object of the contract.
#[derive(Serialize)]
struct CredentialsView {
    access_key_id: String,
    session_token: bool,
    provider: &'static str,
    source: String,
    expires: Option<String>,
}

/// One setting of the table (`--all`).
#[derive(Serialize)]
struct SettingView {
    name: &'static str,
    value: Option<String>,
    source: String,
}

/// The whole `--json` object, fields in contract order.
#[derive(Serialize)]
struct ListView {
    profile: Sourced,
    region: OptionalSourced,
    credentials: Option<CredentialsView>,
    credentials_error: Option<String>,
    shared_config_loaded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    settings: Option<Vec<SettingView>>,
}

/// Every setting of the table with its value and source, in table order.
fn settings_of(config: &SessionConfig) -> Vec<SettingView> {
    let prov = &config.provenance;
    let mut rows = Vec::new();
    config.visit(&mut |info, value| {
        rows.push(SettingView {
            name: info.key.name(),
            value: value.map(|v| v.value.to_string()),
            source: value.map_or_else(|| "-".to_owned(), |v| prov.display(v.source).to_string()),
        })
    });
    rows
}

/// Builds the view of a session; `all` adds every setting of the table.
fn view(session: &Session, all: bool) -> ListView {
    let config = session.config();
    let prov = &config.provenance;
    let profile = Sourced {
        value: config.profile.value.as_str().to_owned(),
        source: prov.display(config.profile.source).to_string(),
    };
    let settings = settings_of(config);
    let region = match settings.iter().find(|s| s.name == Key::Region.name()) {
        Some(SettingView {
            value: Some(v),
            source,
            ..
        }) => OptionalSourced {
            value: Some(v.clone()),
            source: Some(source.clone()),
        },
        _ => OptionalSourced {
            value: None,
            source: None,
        },
    };
    let plan = session.credentials();
    let (credentials, credentials_error) = match crate::credentials::resolve(session) {
        Ok((c, provider)) => (
            Some(CredentialsView {
                access_key_id: c.masked_access_key_id().to_string(),
                session_token: c.session_token.is_some(),
                provider: provider.name(),
                source: prov.display(plan.source()).to_string(),
                expires: c
                    .expires
                    .and_then(|t| t.to_datetime().ok())
                    .map(|d| d.to_string()),
            }),
            None,
        ),
        Err(e) => (None, Some(why_no_credentials(session, &e))),
    };
    ListView {
        profile,
        region,
        credentials,
        credentials_error,
        shared_config_loaded: config.shared_config_loaded,
        settings: all.then_some(settings),
    }
}

/// Why a session has no credentials, with where the deciding setting came from.
pub(super) fn why_no_credentials(session: &Session, error: &ResolveError) -> String {
    let plan = session.credentials();
    let at = session.config().provenance.display(plan.source());
    match (plan, error) {
        (CredentialPlan::Anonymous, _) => {
            "anonymous credentials: requests are not signed".to_owned()
        }
        (
            CredentialPlan::Chain {
                base:
                    BaseCredentials::Remote {
                        provider: ProviderKind::RemoteFallback,
                        ..
                    },
                hops,
            },
            _,
        ) if hops.is_empty() => error.to_string(),
        _ => format!("{error} (set at {at})"),
    }
}

/// `credentials`: resolves the session's credentials and prints them in `format`.
pub(super) fn print_credentials(
    loaded: &LoadedSession,
    format: super::CredentialsFormat,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let session = loaded.session();
    let (c, provider) = crate::credentials::resolve(session).map_err(|e| {
        CliError::failed(format!(
            "no credentials: {}",
            why_no_credentials(session, &e)
        ))
    })?;
    let expires = c
        .expires
        .and_then(|t| t.to_datetime().ok())
        .map(|d| d.to_string());
    let token = c.session_token.as_ref().map(|t| t.expose());
    let text = match format {
        super::CredentialsFormat::Env => {
            let mut lines = format!(
                "export AWS_ACCESS_KEY_ID={}\nexport AWS_SECRET_ACCESS_KEY={}\n",
                shell_quote(&c.access_key_id),
                shell_quote(c.secret_access_key.expose())
            );
            if let Some(t) = token {
                lines.push_str(&format!("export AWS_SESSION_TOKEN={}\n", shell_quote(t)));
            }
            if let Some(e) = &expires {
                lines.push_str(&format!("export AWS_CREDENTIAL_EXPIRATION={e}\n"));
            }
            lines
        }
        super::CredentialsFormat::Process | super::CredentialsFormat::Json => {
            let mut object = serde_json::Map::new();
            object.insert("Version".into(), 1.into());
            object.insert("AccessKeyId".into(), c.access_key_id.as_str().into());
            object.insert(
                "SecretAccessKey".into(),
                c.secret_access_key.expose().into(),
            );
            if let Some(t) = token {
                object.insert("SessionToken".into(), t.into());
            }
            if let Some(e) = &expires {
                object.insert("Expiration".into(), e.as_str().into());
            }
            if matches!(format, super::CredentialsFormat::Json) {
                object.insert("ProviderName".into(), provider.name().into());
            }
            let json = serde_json::to_string(&object)
                .map_err(|e| CliError::failed(format!("cannot encode JSON: {e}")))?;
            format!("{json}\n")
        }
    };
    out.write_all(text.as_bytes()).map_err(CliError::output)
}

/// `s` quoted for a POSIX shell when it holds anything but safe characters.
fn shell_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "+/=_-.:@%".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Prints the view as the JSON object of the contract.
pub(super) fn print_json(
    session: &Session,
    all: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let v = view(session, all);
    let text = serde_json::to_string(&v)
        .map_err(|e| CliError::failed(format!("cannot encode JSON: {e}")))?;
    writeln!(out, "{text}").map_err(CliError::output)
}

/// Prints the view as a table of name / value / source.
pub(super) fn print_table(
    session: &Session,
    all: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let v = view(session, all);
    let mut rows: Vec<[String; 3]> = Vec::new();
    rows.push(["profile".into(), v.profile.value, v.profile.source]);
    rows.push([
        "region".into(),
        v.region.value.unwrap_or_else(|| "<not set>".into()),
        v.region.source.unwrap_or_else(|| "-".into()),
    ]);
    match &v.credentials {
        Some(c) => {
            rows.push([
                "access_key".into(),
                c.access_key_id.clone(),
                c.source.clone(),
            ]);
            // The secret is never shown, not even masked. Core records where the access key was
            // found; the secret and token come from the same place (a pair from one section).
            let token = if c.session_token {
                "<hidden>"
            } else {
                "<not set>"
            };
            rows.push(["session_token".into(), token.into(), "-".into()]);
            rows.push(["provider".into(), c.provider.into(), "-".into()]);
            if let Some(e) = &c.expires {
                rows.push(["expires".into(), e.clone(), "-".into()]);
            }
        }
        None => {
            rows.push(["access_key".into(), "<not set>".into(), "-".into()]);
            rows.push([
                "provider".into(),
                session.credentials().provider().name().into(),
                "-".into(),
            ]);
        }
    }
    let loaded = if v.shared_config_loaded {
        "loaded"
    } else {
        "not loaded"
    };
    rows.push(["shared_config".into(), loaded.into(), "-".into()]);
    // The region has its row above already.
    for s in v
        .settings
        .into_iter()
        .flatten()
        .filter(|s| s.name != Key::Region.name())
    {
        let value = s.value.unwrap_or_else(|| "<not set>".into());
        rows.push([s.name.into(), value, s.source]);
    }

    // Values come from the environment and files: a control character (an escape sequence, a
    // newline) is shown escaped, never sent to the terminal.
    for cell in rows.iter_mut().flatten() {
        *cell = printable(cell);
    }
    let w0 = rows.iter().map(|r| r[0].len()).max().unwrap_or(0).max(4);
    let w1 = rows
        .iter()
        .map(|r| r[1].chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let mut text = format!("{:<w0$}  {:<w1$}  {}\n", "NAME", "VALUE", "SOURCE");
    for [name, value, source] in &rows {
        text.push_str(&format!("{name:<w0$}  {value:<w1$}  {source}\n"));
    }
    if let Some(e) = &v.credentials_error {
        text.push_str(&format!("\ncredentials: {}\n", printable(e)));
    }
    out.write_all(text.as_bytes()).map_err(CliError::output)
}

/// `s` as the terminal is shown it: every control character escaped ([`Escaped`], the one escaping
/// every output of the tool goes through).
pub(super) fn printable(s: &str) -> String {
    Escaped(s).to_string()
}
