//! The merge stage: user options > environment > shared files > defaults, field by field, each
//! resolved value keeping its [`Source`]; then the Go v1 credential precedence as a
//! [`CredentialPlan`].
//!
//! Pure: inputs are the user [`Config`], the [`EnvConfig`] layer and the [`SharedConfig`] layer.

use core::fmt;

use super::env::{EnvConfig, EnvValue, SERVICE_ENDPOINT_PREFIX};
use super::model::{
    Config, ExplicitCredentials, LogLevel, RegionalEndpoint, ServiceEndpoint, SessionConfig,
};
use super::shared::{ProfileLayer, Prop, SharedConfig};
use super::source::{Provenance, Resolved, Source};
use crate::credentials::{BaseCredentials, CredentialPlan, Credentials, ProviderKind, RoleHop};
use crate::limits::{MAX_PROFILE_NAME_LEN, MAX_ROLE_HOPS, MAX_SERVICE_ENDPOINTS, MAX_SHARED_FILES};
use crate::platform::Environment;
use crate::secret::{SecretKey, SessionToken};
use crate::text::{text, CapacityError, Field, Text};

/// Where a value that failed came from, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum At<'a> {
    /// An application option.
    Option,
    /// An environment variable.
    Env(&'static str),
    /// A file and 1-based line.
    File {
        /// The file.
        path: &'a str,
        /// The line.
        line: u32,
    },
    /// A built-in default.
    Default,
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Option => f.write_str("option"),
            At::Env(v) => write!(f, "env:{v}"),
            At::File { path, line } => write!(f, "file:{path}:{line}"),
            At::Default => f.write_str("default"),
        }
    }
}

/// Merging failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum MergeError<'a> {
    /// A value is longer than its limit.
    Capacity {
        /// What overflowed, the limit and the length.
        error: CapacityError,
        /// Where the value came from.
        at: At<'a>,
    },
    /// `AWS_WEB_IDENTITY_TOKEN_FILE` is set without `AWS_ROLE_ARN` (Go v1 `WebIdentityEmptyRoleARNErr`).
    WebIdentityEmptyRoleArn,
    /// `credential_source` is not `Environment`, `Ec2InstanceMetadata` or `EcsContainer`.
    InvalidCredentialSource {
        /// The profile.
        profile: &'a str,
        /// Where the key is.
        at: At<'a>,
    },
    /// `credential_source = EcsContainer` without `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.
    EcsContainerEnvVarEmpty {
        /// The profile.
        profile: &'a str,
    },
    /// `mfa_serial` is set but no assume-role token provider was given.
    TokenProviderNotSet {
        /// The profile.
        profile: &'a str,
    },
    /// More roles to assume than [`MAX_ROLE_HOPS`].
    TooManyRoleHops {
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for MergeError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MergeError::Capacity { error, at } => write!(f, "{error} ({at})"),
            MergeError::WebIdentityEmptyRoleArn => {
                f.write_str("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: role ARN is not set")
            }
            MergeError::InvalidCredentialSource { profile, at } => write!(
                f,
                "credential source values must be EcsContainer, Ec2InstanceMetadata, or Environment \
                 (profile {profile}, {at})"
            ),
            MergeError::EcsContainerEnvVarEmpty { profile } => write!(
                f,
                "EcsContainer was specified as the credential_source of profile {profile}, but \
                 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI' was not set"
            ),
            MergeError::TokenProviderNotSet { profile } => write!(
                f,
                "assume role with MFA enabled (profile {profile}), but AssumeRoleTokenProvider session option not set."
            ),
            MergeError::TooManyRoleHops { limit } => write!(f, "more than {limit} roles to assume in one chain"),
        }
    }
}

impl core::error::Error for MergeError<'_> {}

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
fn copy<'a, const N: usize>(s: &str, field: Field, at: At<'a>) -> Result<Text<N>, MergeError<'a>> {
    text(s, field).map_err(|error| MergeError::Capacity { error, at })
}

struct Ctx<'a, 'i> {
    input: &'i MergeInput<'a>,
    chain: &'i SharedConfig<'a>,
}

impl<'a> Ctx<'a, '_> {
    fn file_source(&self, p: Prop<'a>, layer: usize) -> Source {
        Source::File {
            file: p.file,
            line: p.line,
            profile: u8::try_from(layer).unwrap_or(u8::MAX),
        }
    }

    /// A value of the selected profile with its file source.
    fn top_value<T>(&self, v: Option<(T, Prop<'a>)>) -> Option<(T, Source)> {
        v.map(|(v, p)| (v, self.file_source(p, 0)))
    }

    fn at(&self, p: Prop<'a>) -> At<'a> {
        let path = self
            .input
            .file_paths
            .get(usize::from(p.file))
            .copied()
            .unwrap_or("?");
        At::File { path, line: p.line }
    }

    fn file_text<const N: usize>(
        &self,
        p: Prop<'a>,
        layer: usize,
        field: Field,
    ) -> Result<Resolved<Text<N>>, MergeError<'a>> {
        Ok(Resolved::new(
            copy(p.value, field, self.at(p))?,
            self.file_source(p, layer),
        ))
    }
}

fn env_text<'a, const N: usize>(
    v: EnvValue<&str>,
    field: Field,
) -> Result<Resolved<Text<N>>, MergeError<'a>> {
    Ok(Resolved::new(
        copy(v.value, field, At::Env(v.var))?,
        Source::Env(v.var),
    ))
}

fn opt_text<const N: usize>(v: &Text<N>) -> Resolved<Text<N>> {
    Resolved::new(v.clone(), Source::Option)
}

/// Picks the first set layer for a `Copy` value: option, env, file, default.
fn pick<T: Copy>(
    opt: Option<T>,
    env: Option<EnvValue<T>>,
    file: Option<(T, Source)>,
    default: T,
) -> Resolved<T> {
    if let Some(v) = opt {
        Resolved::new(v, Source::Option)
    } else if let Some(e) = env {
        Resolved::new(e.value, Source::Env(e.var))
    } else if let Some((v, s)) = file {
        Resolved::new(v, s)
    } else {
        Resolved::new(default, Source::Default)
    }
}

/// Merges the layers into `out` (everything but credentials), in place: the configuration is large
/// for a microcontroller stack, so it is written where the caller keeps it.
///
/// # Errors
/// [`MergeError::Capacity`] when a value is longer than its limit; `out` is then unspecified
/// (the session that owns it is not created).
#[inline(never)] // keeps each stage's temporaries out of its caller's frame (64 KiB targets)
pub fn merge_config<'a, E: Environment + ?Sized>(
    out: &mut SessionConfig,
    user: &Config,
    env_cfg: &EnvConfig<'a>,
    env: &E,
    shared: &SharedConfig<'a>,
    input: &MergeInput<'a>,
) -> Result<(), MergeError<'a>> {
    let ctx = Ctx {
        input,
        chain: shared,
    };
    let top = shared.selected();

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

    let region = match (&user.region, env_cfg.region, top.and_then(|t| t.region)) {
        (Some(r), _, _) => Some(opt_text(r)),
        (None, Some(e), _) => Some(env_text(e, Field::Region)?),
        (None, None, Some(p)) => Some(ctx.file_text(p, 0, Field::Region)?),
        _ => None,
    };

    let ignore_configured = env_cfg.ignore_configured_endpoint_urls;
    let endpoint = match (
        &user.endpoint,
        env_cfg.endpoint_url,
        top.and_then(|t| t.endpoint_url),
    ) {
        (Some(e), _, _) => Some(opt_text(e)),
        (None, Some(e), _) if !ignore_configured => Some(env_text(e, Field::Endpoint)?),
        (None, _, Some(p)) if !ignore_configured => Some(ctx.file_text(p, 0, Field::Endpoint)?),
        _ => None,
    };

    let service_endpoints = &mut out.service_endpoints;
    service_endpoints.clear();
    let mut overflow: Option<MergeError<'a>> = None;
    if !ignore_configured && user.endpoint.is_none() {
        env.for_each_with_prefix(SERVICE_ENDPOINT_PREFIX, &mut |name, value| {
            let Some(service) = name.strip_prefix(SERVICE_ENDPOINT_PREFIX) else {
                return;
            };
            if service.is_empty() || value.is_empty() || overflow.is_some() {
                return;
            }
            let at = At::Env("AWS_ENDPOINT_URL_<SERVICE>");
            let entry = copy(service, Field::ServiceId, at).and_then(|service| {
                Ok(ServiceEndpoint {
                    service,
                    endpoint: Resolved::new(
                        copy(value, Field::Endpoint, at)?,
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

    let app_id = match (&user.app_id, env_cfg.app_id, top.and_then(|t| t.app_id)) {
        (Some(a), _, _) => Some(opt_text(a)),
        (None, Some(e), _) => Some(env_text(e, Field::AppId)?),
        (None, None, Some(p)) => Some(ctx.file_text(p, 0, Field::AppId)?),
        _ => None,
    };
    let region_set = match (
        &user.sigv4a_signing_region_set,
        env_cfg.sigv4a_signing_region_set,
        top.and_then(|t| t.sigv4a_signing_region_set),
    ) {
        (Some(a), _, _) => Some(opt_text(a)),
        (None, Some(e), _) => Some(env_text(e, Field::RegionSet)?),
        (None, None, Some(p)) => Some(ctx.file_text(p, 0, Field::RegionSet)?),
        _ => None,
    };
    let ca_bundle = match (env_cfg.ca_bundle, top.and_then(|t| t.ca_bundle)) {
        (Some(e), _) => Some(env_text(e, Field::Path)?),
        (None, Some(p)) => Some(ctx.file_text(p, 0, Field::Path)?),
        _ => None,
    };

    out.profile = profile;
    out.shared_config_loaded = env_cfg.load_shared_config;
    out.region = region;
    out.endpoint = endpoint;
    out.disable_ssl = pick(user.disable_ssl, None, None, false);
    out.max_retries = match user.max_retries {
        Some(n) => Resolved::new(Some(n), Source::Option),
        None => Resolved::new(None, Source::Default),
    };
    out.log_level = pick(user.log_level, None, None, LogLevel::Off);
    out.use_fips_endpoint = pick(
        user.use_fips_endpoint,
        env_cfg.use_fips_endpoint,
        ctx.top_value(top.and_then(|t| t.use_fips_endpoint)),
        false,
    );
    out.use_dualstack_endpoint = pick(
        user.use_dualstack_endpoint,
        env_cfg.use_dualstack_endpoint,
        ctx.top_value(top.and_then(|t| t.use_dualstack_endpoint)),
        false,
    );
    out.sts_regional_endpoint = pick(
        user.sts_regional_endpoint,
        env_cfg.sts_regional_endpoint,
        ctx.top_value(top.and_then(|t| t.sts_regional_endpoints)),
        RegionalEndpoint::Legacy,
    );
    out.s3_us_east_1_regional_endpoint = pick(
        user.s3_us_east_1_regional_endpoint,
        env_cfg.s3_us_east_1_regional_endpoint,
        ctx.top_value(top.and_then(|t| t.s3_us_east_1_regional_endpoint)),
        RegionalEndpoint::Legacy,
    );
    out.s3_force_path_style = pick(user.s3_force_path_style, None, None, false);
    out.s3_use_arn_region = pick(
        user.s3_use_arn_region,
        env_cfg.s3_use_arn_region,
        ctx.top_value(top.and_then(|t| t.s3_use_arn_region)),
        false,
    );
    out.app_id = app_id;
    out.sigv4a_signing_region_set = region_set;
    out.ca_bundle = ca_bundle;
    out.disable_param_validation = pick(user.disable_param_validation, None, None, false);
    Ok(())
}

#[inline(never)] // keeps each stage's temporaries out of its caller's frame (64 KiB targets)
fn static_from_env<'a>(
    out: &mut BaseCredentials,
    env_cfg: &EnvConfig<'a>,
    provider: ProviderKind,
) -> Result<(), MergeError<'a>> {
    let Some(c) = env_cfg.credentials else {
        // `credential_source = Environment` with no keys: Go v1 builds empty static credentials
        // and fails later, at first use, with "static credentials are empty".
        *out = BaseCredentials::Static {
            credentials: Credentials::new("", "", None).map_err(|error| MergeError::Capacity {
                error,
                at: At::Default,
            })?,
            provider,
            source: Source::Default,
        };
        return Ok(());
    };
    let akid = c.access_key_id;
    let secret = c.secret_access_key;
    *out = BaseCredentials::Static {
        credentials: Credentials {
            access_key_id: copy(akid.value, Field::AccessKeyId, At::Env(akid.var))?,
            secret_access_key: SecretKey::new(secret.value, Field::SecretAccessKey).map_err(
                |error| MergeError::Capacity {
                    error,
                    at: At::Env(secret.var),
                },
            )?,
            session_token: match c.session_token {
                Some(t) => Some(SessionToken::new(t.value, Field::SessionToken).map_err(
                    |error| MergeError::Capacity {
                        error,
                        at: At::Env(t.var),
                    },
                )?),
                None => None,
            },
            expires: None,
        },
        provider,
        source: Source::Env(akid.var),
    };
    Ok(())
}

/// The base credentials of the profile at `chain[i]` (which has no `source_profile`), and
/// whether that base already consumed the profile's `role_arn` (web identity does).
#[inline(never)] // keeps each stage's temporaries out of its caller's frame (64 KiB targets)
fn base_from_profile<'a>(
    out: &mut BaseCredentials,
    ctx: &Ctx<'a, '_>,
    env_cfg: &EnvConfig<'a>,
    i: usize,
    layer: &ProfileLayer<'a>,
) -> Result<bool, MergeError<'a>> {
    if let Some(c) = layer.credentials {
        let a = c.access_key_id;
        let s = c.secret_access_key;
        let credentials = Credentials {
            access_key_id: copy(a.value, Field::AccessKeyId, ctx.at(a))?,
            secret_access_key: SecretKey::new(s.value, Field::SecretAccessKey).map_err(
                |error| MergeError::Capacity {
                    error,
                    at: ctx.at(s),
                },
            )?,
            session_token: match c.session_token {
                Some(t) => Some(SessionToken::new(t.value, Field::SessionToken).map_err(
                    |error| MergeError::Capacity {
                        error,
                        at: ctx.at(t),
                    },
                )?),
                None => None,
            },
            expires: None,
        };
        *out = BaseCredentials::Static {
            credentials,
            provider: ProviderKind::SharedConfig,
            source: ctx.file_source(a, i),
        };
        return Ok(false);
    }
    if let Some(cs) = layer.credential_source {
        let source = ctx.file_source(cs, i);
        match cs.value {
            "Environment" => static_from_env(out, env_cfg, ProviderKind::Environment)?,
            "Ec2InstanceMetadata" => {
                *out = BaseCredentials::Remote {
                    provider: ProviderKind::Ec2InstanceMetadata,
                    source,
                }
            }
            "EcsContainer" if env_cfg.container_relative_uri_set => {
                *out = BaseCredentials::Remote {
                    provider: ProviderKind::EcsContainer,
                    source,
                }
            }
            "EcsContainer" => {
                return Err(MergeError::EcsContainerEnvVarEmpty {
                    profile: layer.name,
                })
            }
            _ => {
                return Err(MergeError::InvalidCredentialSource {
                    profile: layer.name,
                    at: ctx.at(cs),
                })
            }
        }
        return Ok(false);
    }
    if let Some(tf) = layer.web_identity_token_file {
        // Validation guaranteed a role_arn next to the token file.
        let role = layer.role_arn.unwrap_or(tf);
        *out = BaseCredentials::WebIdentity {
            role_arn: copy(role.value, Field::RoleArn, ctx.at(role))?,
            token_file: copy(tf.value, Field::Setting, ctx.at(tf))?,
            session_name: match layer.role_session_name {
                Some(n) => Some(copy(n.value, Field::RoleParam, ctx.at(n))?),
                None => None,
            },
            source: ctx.file_source(tf, i),
        };
        return Ok(true);
    }
    if let Some(sso) = layer.sso {
        *out = BaseCredentials::Sso {
            source: ctx.file_source(sso, i),
        };
        return Ok(false);
    }
    if let Some(p) = layer.credential_process {
        *out = BaseCredentials::Process {
            command: copy(p.value, Field::Setting, ctx.at(p))?,
            source: ctx.file_source(p, i),
        };
        return Ok(false);
    }
    *out = BaseCredentials::Remote {
        provider: ProviderKind::RemoteFallback,
        source: Source::Default,
    };
    Ok(false)
}

#[inline(never)] // keeps each stage's temporaries out of its caller's frame (64 KiB targets)
fn hop<'a>(
    ctx: &Ctx<'a, '_>,
    i: usize,
    layer: &ProfileLayer<'a>,
    role: Prop<'a>,
) -> Result<RoleHop, MergeError<'a>> {
    if layer.mfa_serial.is_some() && !ctx.input.has_token_provider {
        return Err(MergeError::TokenProviderNotSet {
            profile: layer.name,
        });
    }
    let opt = |p: Option<Prop<'a>>| -> Result<_, MergeError<'a>> {
        match p {
            Some(p) => Ok(Some(copy(p.value, Field::RoleParam, ctx.at(p))?)),
            None => Ok(None),
        }
    };
    // Go v1 P38: the option if set, else duration_seconds when over 15 whole minutes, else 900 s.
    let duration_secs = match (ctx.input.assume_role_duration_secs, layer.duration_seconds) {
        (d, _) if d != 0 => d,
        (_, Some((d, _))) if d / 60 > 15 => d,
        _ => 900,
    };
    Ok(RoleHop {
        role_arn: copy(role.value, Field::RoleArn, ctx.at(role))?,
        session_name: opt(layer.role_session_name)?,
        external_id: opt(layer.external_id)?,
        mfa_serial: opt(layer.mfa_serial)?,
        duration_secs,
        source: ctx.file_source(role, i),
    })
}

/// Go v1 `resolveCredsFromProfile`: follow `source_profile` to the base, then wrap in an
/// `AssumeRole` for every profile on the way back that has `role_arn`.
#[inline(never)] // keeps each stage's temporaries out of its caller's frame (64 KiB targets)
fn plan_from_profile<'a>(
    out: &mut CredentialPlan,
    ctx: &Ctx<'a, '_>,
    env_cfg: &EnvConfig<'a>,
) -> Result<(), MergeError<'a>> {
    *out = CredentialPlan::Chain {
        base: BaseCredentials::Remote {
            provider: ProviderKind::RemoteFallback,
            source: Source::Default,
        },
        hops: heapless::Vec::new(),
    };
    let CredentialPlan::Chain { base, hops } = out else {
        return Ok(());
    };
    let chain = &ctx.chain.chain;
    if chain.is_empty() {
        return Ok(());
    }
    let mut base_index = 0;
    while chain
        .get(base_index)
        .is_some_and(|l| l.source_profile.is_some())
        && base_index + 1 < chain.len()
    {
        base_index += 1;
    }
    let Some(base_layer) = chain.get(base_index) else {
        return Ok(());
    };
    let consumed_role = base_from_profile(base, ctx, env_cfg, base_index, base_layer)?;
    for i in (0..=base_index).rev() {
        let Some(layer) = chain.get(i) else { continue };
        if i == base_index && consumed_role {
            continue;
        }
        if let Some(role) = layer.role_arn {
            hops.push(hop(ctx, i, layer, role)?)
                .map_err(|_| MergeError::TooManyRoleHops {
                    limit: MAX_ROLE_HOPS,
                })?;
        }
    }
    Ok(())
}

/// Go v1 `resolveCredentials`: explicit credentials stop everything; an explicit profile option
/// goes first; then env keys; then env web identity; then the profile.
///
/// # Errors
/// The Go v1 creation-time credential errors (see [`MergeError`]).
#[inline(never)] // keeps each stage's temporaries out of its caller's frame (64 KiB targets)
pub fn plan_credentials<'a>(
    out: &mut CredentialPlan,
    user: &Config,
    env_cfg: &EnvConfig<'a>,
    shared: &SharedConfig<'a>,
    input: &MergeInput<'a>,
) -> Result<(), MergeError<'a>> {
    let ctx = Ctx {
        input,
        chain: shared,
    };
    let static_plan = |out: &mut CredentialPlan| {
        *out = CredentialPlan::Chain {
            base: BaseCredentials::Remote {
                provider: ProviderKind::RemoteFallback,
                source: Source::Default,
            },
            hops: heapless::Vec::new(),
        };
    };
    match &user.credentials {
        Some(ExplicitCredentials::Anonymous) => {
            *out = CredentialPlan::Anonymous;
            return Ok(());
        }
        Some(ExplicitCredentials::Static(c)) => {
            static_plan(out);
            if let CredentialPlan::Chain { base, .. } = out {
                *base = BaseCredentials::Static {
                    credentials: c.clone(),
                    provider: ProviderKind::Static,
                    source: Source::Option,
                };
            }
            return Ok(());
        }
        None => {}
    }
    if input.explicit_profile_option {
        return plan_from_profile(out, &ctx, env_cfg);
    }
    if env_cfg.credentials.is_some() {
        static_plan(out);
        if let CredentialPlan::Chain { base, .. } = out {
            static_from_env(base, env_cfg, ProviderKind::Environment)?;
        }
        return Ok(());
    }
    if let Some(tf) = env_cfg.web_identity_token_file {
        let role = env_cfg
            .role_arn
            .ok_or(MergeError::WebIdentityEmptyRoleArn)?;
        static_plan(out);
        if let CredentialPlan::Chain { base, .. } = out {
            *base = BaseCredentials::WebIdentity {
                role_arn: copy(role.value, Field::RoleArn, At::Env(role.var))?,
                token_file: copy(tf.value, Field::Setting, At::Env(tf.var))?,
                session_name: match env_cfg.role_session_name {
                    Some(n) => Some(copy(n.value, Field::RoleParam, At::Env(n.var))?),
                    None => None,
                },
                source: Source::Env(tf.var),
            };
        }
        return Ok(());
    }
    plan_from_profile(out, &ctx, env_cfg)
}
