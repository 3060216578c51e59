//! The credential plan: Go v1's credential precedence worked out from the configuration layers
//! at session creation, as data. Nothing here touches the network; providers that need a call
//! are named in the plan and run later.
//!
//! Order (Go v1 `resolveCredentials`): explicit credentials stop everything; an explicit profile
//! option goes first; then the environment's keys; then the environment's web identity; then the
//! selected profile, following `source_profile` to its base and wrapping that base in one
//! `AssumeRole` hop per profile on the way back that has a `role_arn`.

use core::fmt;

use super::{BaseCredentials, CredentialPlan, Credentials, ProviderKind, RoleHop};
use crate::config::env::EnvConfig;
use crate::config::merge::{At, MergeInput};
use crate::config::shared::{ProfileLayer, Prop, SharedConfig};
use crate::config::{Config, Source};
use crate::limits::MAX_ROLE_HOPS;
use crate::secret::{SecretKey, SessionToken};
use crate::text::{text, CapacityError, ErrorText, Field, Text};

/// Planning credentials failed (Go v1's creation-time credential errors).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PlanError {
    /// A value is longer than its limit.
    Capacity {
        /// What overflowed, the limit and the length.
        error: CapacityError,
        /// Where the value came from.
        at: At,
    },
    /// `AWS_WEB_IDENTITY_TOKEN_FILE` is set without `AWS_ROLE_ARN` (Go v1 `WebIdentityEmptyRoleARNErr`).
    WebIdentityEmptyRoleArn,
    /// `credential_source` is not `Environment`, `Ec2InstanceMetadata` or `EcsContainer`.
    InvalidCredentialSource {
        /// The profile.
        profile: ErrorText,
        /// Where the key is.
        at: At,
    },
    /// `credential_source = EcsContainer` without `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.
    EcsContainerEnvVarEmpty {
        /// The profile.
        profile: ErrorText,
    },
    /// `mfa_serial` is set but no assume-role token provider was given.
    TokenProviderNotSet {
        /// The profile.
        profile: ErrorText,
    },
    /// More roles to assume than [`MAX_ROLE_HOPS`].
    TooManyRoleHops {
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Capacity { error, at } => write!(f, "{error} ({at})"),
            PlanError::WebIdentityEmptyRoleArn => f.write_str(
                "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: role ARN is not set",
            ),
            PlanError::InvalidCredentialSource { profile, at } => write!(
                f,
                "credential source values must be EcsContainer, Ec2InstanceMetadata, or Environment \
                 (profile {profile}, {at})"
            ),
            PlanError::EcsContainerEnvVarEmpty { profile } => write!(
                f,
                "EcsContainer was specified as the credential_source of profile {profile}, but \
                 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI' was not set"
            ),
            PlanError::TokenProviderNotSet { profile } => write!(
                f,
                "assume role with MFA enabled (profile {profile}), but AssumeRoleTokenProvider session option not set."
            ),
            PlanError::TooManyRoleHops { limit } => {
                write!(f, "more than {limit} roles to assume in one chain")
            }
        }
    }
}

impl core::error::Error for PlanError {}

/// Copies `s` into a fixed-capacity text; on overflow, `at` says where the value came from (built
/// only then).
fn copy<const N: usize>(
    s: &str,
    field: Field,
    at: impl FnOnce() -> At,
) -> Result<Text<N>, PlanError> {
    text(s, field).map_err(|error| PlanError::Capacity { error, at: at() })
}

/// Makes `out` static credentials of `provider`, filled in place by `fill`: credentials hold a
/// 2 KiB session token, too much to build as a temporary on a small stack.
fn set_static(
    out: &mut BaseCredentials,
    provider: ProviderKind,
    source: Source,
    fill: impl FnOnce(&mut Credentials) -> Result<(), PlanError>,
) -> Result<(), PlanError> {
    *out = BaseCredentials::Static {
        credentials: Credentials::EMPTY,
        provider,
        source,
    };
    match out {
        BaseCredentials::Static { credentials, .. } => fill(credentials),
        _ => Ok(()),
    }
}

/// Sets the secret key in place; on overflow, `at` says where the value came from.
fn set_secret(dst: &mut SecretKey, value: &str, at: impl FnOnce() -> At) -> Result<(), PlanError> {
    dst.set(value, Field::SecretAccessKey)
        .map_err(|error| PlanError::Capacity { error, at: at() })
}

/// Sets the session token in place; on overflow, `at` says where the value came from.
fn set_token(
    dst: &mut Option<SessionToken>,
    value: &str,
    at: impl FnOnce() -> At,
) -> Result<(), PlanError> {
    dst.get_or_insert_with(SessionToken::empty)
        .set(value, Field::SessionToken)
        .map_err(|error| PlanError::Capacity { error, at: at() })
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

    fn at(&self, p: Prop<'a>) -> At {
        At::file(&self.input.file_paths, p)
    }
}

#[inline(never)] // keeps each stage's temporaries out of its caller's frame (small-RAM targets)
fn static_from_env<'a>(
    out: &mut BaseCredentials,
    env_cfg: &EnvConfig<'a>,
    provider: ProviderKind,
) -> Result<(), PlanError> {
    let Some(c) = env_cfg.credentials else {
        // `credential_source = Environment` with no keys: Go v1 builds empty static credentials
        // and fails later, at first use, with "static credentials are empty".
        return set_static(out, provider, Source::Default, |_| Ok(()));
    };
    let (akid, secret, token) = (c.access_key_id, c.secret_access_key, c.session_token);
    set_static(out, provider, Source::Env(akid.var), |credentials| {
        credentials.access_key_id = copy(akid.value, Field::AccessKeyId, || At::Env(akid.var))?;
        set_secret(&mut credentials.secret_access_key, secret.value, || {
            At::Env(secret.var)
        })?;
        match token {
            Some(t) => set_token(&mut credentials.session_token, t.value, || At::Env(t.var)),
            None => Ok(()),
        }
    })?;
    Ok(())
}

/// The base credentials of the profile at `chain[i]` (which has no `source_profile`), and
/// whether that base already consumed the profile's `role_arn` (web identity does).
#[inline(never)] // keeps each stage's temporaries out of its caller's frame (small-RAM targets)
fn base_from_profile<'a>(
    out: &mut BaseCredentials,
    ctx: &Ctx<'a, '_>,
    env_cfg: &EnvConfig<'a>,
    i: usize,
    layer: &ProfileLayer<'a>,
) -> Result<bool, PlanError> {
    if let Some(c) = layer.credentials {
        let (a, s, token) = (c.access_key_id, c.secret_access_key, c.session_token);
        set_static(
            out,
            ProviderKind::SharedConfig,
            ctx.file_source(a, i),
            |credentials| {
                credentials.access_key_id = copy(a.value, Field::AccessKeyId, || ctx.at(a))?;
                set_secret(&mut credentials.secret_access_key, s.value, || ctx.at(s))?;
                match token {
                    Some(t) => set_token(&mut credentials.session_token, t.value, || ctx.at(t)),
                    None => Ok(()),
                }
            },
        )?;
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
                return Err(PlanError::EcsContainerEnvVarEmpty {
                    profile: ErrorText::head(layer.name),
                })
            }
            _ => {
                return Err(PlanError::InvalidCredentialSource {
                    profile: ErrorText::head(layer.name),
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
            role_arn: copy(role.value, Field::RoleArn, || ctx.at(role))?,
            token_file: copy(tf.value, Field::Setting, || ctx.at(tf))?,
            session_name: match layer.role_session_name {
                Some(n) => Some(copy(n.value, Field::RoleParam, || ctx.at(n))?),
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
            command: copy(p.value, Field::Setting, || ctx.at(p))?,
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

#[inline(never)] // keeps each stage's temporaries out of its caller's frame (small-RAM targets)
fn hop<'a>(
    ctx: &Ctx<'a, '_>,
    i: usize,
    layer: &ProfileLayer<'a>,
    role: Prop<'a>,
) -> Result<RoleHop, PlanError> {
    if layer.mfa_serial.is_some() && !ctx.input.has_token_provider {
        return Err(PlanError::TokenProviderNotSet {
            profile: ErrorText::head(layer.name),
        });
    }
    let opt = |p: Option<Prop<'a>>| -> Result<_, PlanError> {
        match p {
            Some(p) => Ok(Some(copy(p.value, Field::RoleParam, || ctx.at(p))?)),
            None => Ok(None),
        }
    };
    // Go v1: the option if set, else duration_seconds when over 15 whole minutes, else 900 s.
    let duration_secs = match (ctx.input.assume_role_duration_secs, layer.duration_seconds) {
        (d, _) if d != 0 => d,
        (_, Some((d, _))) if d / 60 > 15 => d,
        _ => 900,
    };
    Ok(RoleHop {
        role_arn: copy(role.value, Field::RoleArn, || ctx.at(role))?,
        session_name: opt(layer.role_session_name)?,
        external_id: opt(layer.external_id)?,
        mfa_serial: opt(layer.mfa_serial)?,
        duration_secs,
        source: ctx.file_source(role, i),
    })
}

/// Go v1 `resolveCredsFromProfile`: follow `source_profile` to the base, then wrap in an
/// `AssumeRole` for every profile on the way back that has `role_arn`.
#[inline(never)] // keeps each stage's temporaries out of its caller's frame (small-RAM targets)
fn plan_from_profile<'a>(
    out: &mut CredentialPlan,
    ctx: &Ctx<'a, '_>,
    env_cfg: &EnvConfig<'a>,
) -> Result<(), PlanError> {
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
                .map_err(|_| PlanError::TooManyRoleHops {
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
/// The Go v1 creation-time credential errors (see [`PlanError`]).
#[inline(never)] // keeps each stage's temporaries out of its caller's frame (small-RAM targets)
pub fn plan_credentials<'a>(
    out: &mut CredentialPlan,
    user: &Config,
    env_cfg: &EnvConfig<'a>,
    shared: &SharedConfig<'a>,
    input: &MergeInput<'a>,
) -> Result<(), PlanError> {
    let ctx = Ctx {
        input,
        chain: shared,
    };
    if let Some(explicit) = &user.credentials {
        out.set_explicit(explicit);
        return Ok(());
    }
    if input.explicit_profile_option {
        return plan_from_profile(out, &ctx, env_cfg);
    }
    let static_plan = |out: &mut CredentialPlan| {
        *out = CredentialPlan::Chain {
            base: BaseCredentials::Remote {
                provider: ProviderKind::RemoteFallback,
                source: Source::Default,
            },
            hops: heapless::Vec::new(),
        };
    };
    if env_cfg.credentials.is_some() {
        static_plan(out);
        if let CredentialPlan::Chain { base, .. } = out {
            static_from_env(base, env_cfg, ProviderKind::Environment)?;
        }
        return Ok(());
    }
    if let Some(tf) = env_cfg.web_identity_token_file {
        let role = env_cfg.role_arn.ok_or(PlanError::WebIdentityEmptyRoleArn)?;
        static_plan(out);
        if let CredentialPlan::Chain { base, .. } = out {
            *base = BaseCredentials::WebIdentity {
                role_arn: copy(role.value, Field::RoleArn, || At::Env(role.var))?,
                token_file: copy(tf.value, Field::Setting, || At::Env(tf.var))?,
                session_name: match env_cfg.role_session_name {
                    Some(n) => Some(copy(n.value, Field::RoleParam, || At::Env(n.var))?),
                    None => None,
                },
                source: Source::Env(tf.var),
            };
        }
        return Ok(());
    }
    plan_from_profile(out, &ctx, env_cfg)
}
