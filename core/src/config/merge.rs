//! The merge stage: user options > environment > shared files > defaults, field by field, each
//! resolved value keeping its [`Source`]. The per-setting rules come from the
//! [settings table](super::settings); this module adds what is not a plain setting: the profile
//! name, the provenance tables and the per-service endpoint overrides. The credential plan is
//! made from the same layers by [`crate::credentials::plan`].
//!
//! Pure: inputs are the user [`Config`], the [`EnvConfig`] layer and the [`SharedConfig`] layer.

use core::fmt;

use super::env::{EnvConfig, SERVICE_ENDPOINT_PREFIX};
use super::model::ServiceEndpoint;
use super::settings::{merge_settings, Config, SessionConfig};
use super::shared::{Prop, SharedConfig};
use super::source::{Provenance, Resolved, Source};
use super::table::MergeCtx;
use crate::http::url::is_configured_url;
use crate::limits::{
    MAX_PROFILE_NAME_LEN, MAX_SERVICE_ENDPOINTS, MAX_SERVICE_ID_LEN, MAX_SHARED_FILES,
};
use crate::platform::Environment;
use crate::text::{text, CapacityError, ErrorText, Escaped, Field, Text};

/// Where a value that failed came from, for error messages. Owns the path it names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum At {
    /// An application option.
    Option,
    /// An environment variable.
    Env(&'static str),
    /// A file and 1-based line.
    File {
        /// The file.
        path: ErrorText,
        /// The line.
        line: u32,
    },
    /// A built-in default.
    Default,
}

impl At {
    /// The file and line of `p`, with the path looked up in `paths` (the session's file list).
    #[inline(never)] // error paths only; one body for every caller (flash)
    pub(crate) fn file(paths: &[&str], p: Prop<'_>) -> At {
        let path = paths.get(usize::from(p.file)).copied().unwrap_or("?");
        At::File {
            path: ErrorText::tail(path),
            line: p.line,
        }
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Option => f.write_str("option"),
            At::Env(v) => write!(f, "env:{v}"),
            At::File { path, line } => write!(f, "file:{path}:{line}"),
            At::Default => f.write_str("default"),
        }
    }
}

/// Merging the configuration failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // no heap to box into; made at most once per creation
pub enum MergeError {
    /// A value is longer than its limit.
    Capacity {
        /// What overflowed, the limit and the length.
        error: CapacityError,
        /// Where the value came from.
        at: At,
    },
    /// A configured endpoint URL (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`,
    /// `endpoint_url`) is not an `http` or `https` URL with a host and an optional numeric port
    /// ([`crate::http::url::is_configured_url`]).
    InvalidEndpoint {
        /// The value as configured (cut to the error text limit).
        value: ErrorText,
        /// The service of an `AWS_ENDPOINT_URL_<SERVICE>` variable; empty otherwise.
        service: Text<MAX_SERVICE_ID_LEN>,
        /// Where the value came from.
        at: At,
    },
    /// Only one of the client certificate and its key is set (Go v1 `LoadClientTLSCertError`):
    /// mutual TLS needs both.
    ClientTlsPair {
        /// Whether the certificate is set.
        cert: bool,
        /// Whether the key is set.
        key: bool,
    },
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MergeError::Capacity { error, at } => write!(f, "{error} ({at})"),
            MergeError::InvalidEndpoint { value, service, at } => {
                write!(f, "endpoint URL {:?} from ", Escaped(value.as_str()))?;
                match at {
                    At::Env(var) if !service.as_str().is_empty() => {
                        let var = var.strip_suffix("<SERVICE>").unwrap_or(var);
                        write!(f, "env:{var}{service}")?;
                    }
                    at => write!(f, "{at}")?,
                }
                f.write_str(" is not an http:// or https:// URL with a host and an optional port")
            }
            MergeError::ClientTlsPair { cert, key } => write!(
                f,
                "client TLS cert({cert}) and key({key}) must both be provided \
                 (AWS_SDK_GO_CLIENT_TLS_CERT and AWS_SDK_GO_CLIENT_TLS_KEY, or both options)"
            ),
        }
    }
}

impl core::error::Error for MergeError {}

/// Inputs to the merge beyond the three layers.
#[derive(Debug, Clone)]
pub struct MergeInput<'a> {
    /// The profile name and its source.
    pub profile: (&'a str, Source),
    /// Whether the profile was given as an application option (Go v1 `Options.Profile`).
    pub explicit_profile_option: bool,
    /// Paths of the shared files by index (an empty string for a missing file).
    pub file_paths: heapless::Vec<&'a str, MAX_SHARED_FILES>,
    /// Whether an assume-role token provider was given.
    pub has_token_provider: bool,
    /// `Options.AssumeRoleDuration` in seconds, `0` when unset.
    pub assume_role_duration_secs: u32,
}

/// Copies `s` into a fixed-capacity text, reporting overflow with where the value came from.
pub(crate) fn copy<const N: usize>(s: &str, field: Field, at: At) -> Result<Text<N>, MergeError> {
    text(s, field).map_err(|error| MergeError::Capacity { error, at })
}

/// Merges the layers into `out` (everything but credentials), in place: the configuration is large
/// for a microcontroller stack, so it is written where the caller keeps it.
///
/// # Errors
/// [`MergeError::Capacity`] when a value is longer than its limit; `out` is then unspecified
/// (the session that owns it is not created).
#[inline(never)] // keeps each stage's temporaries out of its caller's frame (small-RAM targets)
pub fn merge_config<'a, E: Environment + ?Sized>(
    out: &mut SessionConfig,
    user: &Config,
    env_cfg: &EnvConfig<'a>,
    env: &E,
    shared: &SharedConfig<'a>,
    input: &MergeInput<'a>,
) -> Result<(), MergeError> {
    let ignore_configured = env_cfg.ignore_configured_endpoint_urls;

    let provenance = &mut out.provenance;
    *provenance = Provenance::default();
    for path in &input.file_paths {
        // A path over the limit is shown cut to nothing rather than failing creation: provenance
        // paths are informational, and the file itself was already read by the adapter.
        let _ = provenance
            .files
            .push(text(path, Field::Path).unwrap_or_default());
    }
    for layer in &shared.chain {
        let _ = provenance
            .profiles
            .push(copy(layer.name, Field::Profile, At::Default)?);
    }
    let (profile_name, profile_source) = input.profile;
    let profile_at = match profile_source {
        Source::Env(v) => At::Env(v),
        Source::Option => At::Option,
        _ => At::Default,
    };
    let profile = Resolved::new(
        copy::<MAX_PROFILE_NAME_LEN>(profile_name, Field::Profile, profile_at)?,
        profile_source,
    );
    if provenance.profiles.is_empty() {
        let _ = provenance.profiles.push(profile.value.clone());
    }

    let service_endpoints = &mut out.service_endpoints;
    service_endpoints.clear();
    let mut overflow: Option<MergeError> = None;
    // An empty endpoint option is unset (Go v1), so the per-service variables still apply.
    if !ignore_configured && user.endpoint.as_ref().is_none_or(|e| e.is_empty()) {
        env.for_each_with_prefix(SERVICE_ENDPOINT_PREFIX, &mut |name, value| {
            let Some(service) = name.strip_prefix(SERVICE_ENDPOINT_PREFIX) else {
                return;
            };
            if service.is_empty() || value.is_empty() || overflow.is_some() {
                return;
            }
            let at = At::Env("AWS_ENDPOINT_URL_<SERVICE>");
            let entry = copy(service, Field::ServiceId, at.clone()).and_then(|service| {
                Ok(ServiceEndpoint {
                    service,
                    endpoint: Resolved::new(
                        copy(value, Field::Endpoint, at.clone())?,
                        Source::Env("AWS_ENDPOINT_URL_<SERVICE>"),
                    ),
                })
            });
            match entry {
                Ok(e) => {
                    if service_endpoints.push(e).is_err() {
                        overflow = Some(MergeError::Capacity {
                            error: CapacityError {
                                field: Field::ServiceEndpoints,
                                limit: MAX_SERVICE_ENDPOINTS,
                                len: MAX_SERVICE_ENDPOINTS + 1,
                            },
                            at,
                        });
                    }
                }
                Err(e) => overflow = Some(e),
            }
        });
    }
    if let Some(e) = overflow {
        return Err(e);
    }

    let ctx = MergeCtx {
        ignore_configured,
        file_paths: &input.file_paths,
    };
    out.profile = profile;
    out.shared_config_loaded = env_cfg.load_shared_config;
    merge_settings(
        out,
        user,
        &env_cfg.settings,
        shared.selected_settings(),
        &ctx,
    )?;
    check_endpoints(out, &input.file_paths)?;
    check_client_tls(out)
}

/// The client certificate and key resolve as a pair, as in Go v1: when either option is given,
/// both come from the options (the environment's pair is not looked at); otherwise both come from
/// the environment. Half a pair is [`MergeError::ClientTlsPair`].
fn check_client_tls(out: &SessionConfig) -> Result<(), MergeError> {
    let from_option = |v: &Option<Resolved<_>>| v.as_ref().map(|r| r.source == Source::Option);
    let (cert, key) = (
        from_option(&out.client_tls_cert),
        from_option(&out.client_tls_key),
    );
    let (cert, key) = match (cert, key) {
        (Some(true), _) | (_, Some(true)) => (cert == Some(true), key == Some(true)),
        _ => (cert.is_some(), key.is_some()),
    };
    match cert == key {
        true => Ok(()),
        false => Err(MergeError::ClientTlsPair { cert, key }),
    }
}

/// Refuses a configured endpoint URL that is not one (from the environment or a file; an
/// application's `Config.endpoint` may leave out the scheme, as in Go v1).
#[inline(never)] // error paths only (flash)
fn check_endpoints(out: &SessionConfig, paths: &[&str]) -> Result<(), MergeError> {
    let general = out.endpoint.as_ref().map(|e| (None, e));
    let services = out
        .service_endpoints
        .iter()
        .map(|s| (Some(&s.service), &s.endpoint));
    for (service, endpoint) in general.into_iter().chain(services) {
        let at = match endpoint.source {
            Source::Env(var) => At::Env(var),
            Source::File { file, line, .. } => At::File {
                path: ErrorText::tail(paths.get(usize::from(file)).copied().unwrap_or("?")),
                line,
            },
            _ => continue,
        };
        if !is_configured_url(endpoint.value.as_str()) {
            return Err(MergeError::InvalidEndpoint {
                value: ErrorText::head(endpoint.value.as_str()),
                service: service.cloned().unwrap_or_default(),
                at,
            });
        }
    }
    Ok(())
}
