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
use crate::files::FileStatus;
use crate::load::LoadedSession;
use std::io::Write;

use aws_session_core::config::shared::{self, SharedConfig, SharedError};
use aws_session_core::config::{Key, SessionConfig};
use aws_session_core::credentials::error::FetchError;
use aws_session_core::credentials::{BaseCredentials, CredentialPlan, ProviderKind};
use aws_session_core::platform::Environment;
use aws_session_core::shared_file::FileKind;
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
fn view(loaded: &LoadedSession, all: bool) -> ListView {
    let session = loaded.session();
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
        Err(e) => (None, Some(why_no_credentials(loaded, &e))),
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
pub(super) fn why_no_credentials(loaded: &LoadedSession, error: &ResolveError) -> String {
    let session = loaded.session();
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
            ResolveError::Fetch(e),
        ) if hops.is_empty() && e.chain => chain_message(loaded, e),
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

/// Go v1's chain message (`NoCredentialProviders`), each provider saying what it really found:
/// the environment's half key pair, a shared file that could not be read, a profile in no file.
fn chain_message(loaded: &LoadedSession, e: &FetchError) -> String {
    format!(
        "NoCredentialProviders: no valid providers in chain: {}; {}; {}: {}",
        env_part(loaded),
        files_part(loaded),
        e.provider.name(),
        e.reason
    )
}

/// What the environment provider found.
fn env_part(loaded: &LoadedSession) -> String {
    let set = |names: [&'static str; 2]| -> Option<&'static str> {
        names
            .into_iter()
            .find(|n| matches!(loaded.env().var(n), Ok(Some(v)) if !v.is_empty()))
    };
    let id = set(["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"]);
    let secret = set(["AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"]);
    match (id, secret) {
        (Some(id), None) => format!(
            "EnvSecretNotFound: {id} is set but AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY) is not"
        ),
        (None, Some(secret)) => format!(
            "EnvAccessKeyNotFound: {secret} is set but AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) is not"
        ),
        (Some(_), Some(_)) => {
            "EnvConfigCredentials: not used, the profile was chosen with --profile".to_owned()
        }
        (None, None) => {
            "EnvAccessKeyNotFound: AWS_ACCESS_KEY_ID or AWS_ACCESS_KEY not found in environment"
                .to_owned()
        }
    }
}

/// What the shared files gave: a file that could not be read, the profile in none of them, or a
/// profile without keys.
fn files_part(loaded: &LoadedSession) -> String {
    let entries = loaded.files().entries();
    let unreadable: Vec<String> = entries
        .iter()
        .filter_map(|f| match f.status {
            FileStatus::Unreadable(kind) => Some(format!(
                "cannot read the shared {} file {:?} ({kind}), so it was skipped",
                match f.kind {
                    FileKind::Config => "config",
                    FileKind::Credentials => "credentials",
                },
                Escaped(&f.path)
            )),
            _ => None,
        })
        .collect();
    if !unreadable.is_empty() {
        return format!("SharedCredsLoad: {}", unreadable.join("; "));
    }
    let config = loaded.session().config();
    let profile = config.profile.value.as_str();
    let source = config.provenance.display(config.profile.source);
    let loaded_files: Vec<String> = entries
        .iter()
        .filter(|f| f.status == FileStatus::Loaded)
        .map(|f| format!("{:?}", Escaped(&f.path)))
        .collect();
    if loaded_files.is_empty() {
        return "SharedCredsLoad: no shared credentials or config file was found".to_owned();
    }
    let mut chain = SharedConfig::default();
    if let Err(SharedError::ProfileNotExists { .. }) = shared::load(
        &mut chain,
        loaded.files(),
        profile,
        config.shared_config_loaded,
    ) {
        return format!(
            "SharedCredsLoad: profile {:?} (from {source}) is in none of the shared files ({})",
            Escaped(profile),
            loaded_files.join(", ")
        );
    }
    format!(
        "SharedCredsLoad: profile {:?} has no access keys in the shared files",
        Escaped(profile)
    )
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
            why_no_credentials(loaded, &e)
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
    loaded: &LoadedSession,
    all: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let v = view(loaded, all);
    let text = serde_json::to_string(&v)
        .map_err(|e| CliError::failed(format!("cannot encode JSON: {e}")))?;
    writeln!(out, "{text}").map_err(CliError::output)
}

/// Prints the view as a table of name / value / source.
pub(super) fn print_table(
    loaded: &LoadedSession,
    all: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let session = loaded.session();
    let v = view(loaded, all);
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
