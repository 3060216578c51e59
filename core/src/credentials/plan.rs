//! The credential plan: Go v1's credential precedence worked out from the configuration layers
//! at session creation, as data. Nothing here touches the network; providers that need a call
//! are named in the plan and run later.
//!
//! Order (Go v1 `resolveCredentials`): explicit credentials stop everything; an explicit profile
//! option goes first; then the environment's keys; then the environment's web identity; then the
//! selected profile, following `source_profile` to its base and wrapping that base in one
//! `AssumeRole` hop per profile on the way back that has a `role_arn`.

use core::fmt;

use super::{
    BaseCredentials, CredentialPlan, Credentials, IotSettings, ProviderKind, PushHopError, RoleHop,
    RoleHops, SsoSettings,
};
use crate::config::env::EnvConfig;
use crate::config::merge::{At, MergeInput};
use crate::config::shared::{ProfileLayer, Prop, SharedConfig};
use crate::config::{Config, Source};
use crate::limits::{
    MAX_EXTERNAL_ID_LEN, MAX_MFA_SERIAL_LEN, MAX_ROLE_ARN_LEN, MAX_ROLE_HOPS,
    MAX_ROLE_SESSION_NAME_LEN,
};
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
    /// An SSO profile lacks required keys (Go v1: `profile "P" is configured to use SSO but is
    /// missing required configuration: …`). With an `sso_session`, its section must give
    /// `sso_region` and `sso_start_url`; without one, the profile needs `sso_region`,
    /// `sso_start_url`, `sso_account_id` and `sso_role_name`.
    SsoMissingConfiguration {
        /// The profile.
        profile: ErrorText,
        /// The missing keys, in Go v1's order, comma-separated.
        missing: &'static str,
    },
    /// A profile's `sso_region` or `sso_start_url` differs from its `[sso-session]`'s (Go v1:
    /// `sso_region in profile "P" must match sso_region in sso-session `).
    SsoSessionMismatch {
        /// The profile.
        profile: ErrorText,
        /// `sso_region` or `sso_start_url`.
        key: &'static str,
    },
    /// A profile with `iot_credentials_endpoint` lacks `iot_role_alias`, or has only one of
    /// `iot_certificate` and `iot_private_key` (not in Go v1).
    IotMissingConfiguration {
        /// The profile.
        profile: ErrorText,
        /// The missing key.
        missing: &'static str,
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
            PlanError::SsoMissingConfiguration { profile, missing } => write!(
                f,
                "profile \"{profile}\" is configured to use SSO but is missing required configuration: {missing}"
            ),
            // Go v1 names the section by its prefix, `sso-session ` with its trailing space.
            PlanError::SsoSessionMismatch { profile, key } => {
                write!(f, "{key} in profile \"{profile}\" must match {key} in sso-session ")
            }
            PlanError::IotMissingConfiguration { profile, missing } => write!(
                f,
                "profile \"{profile}\" is configured to use the AWS IoT credentials provider but is \
                 missing {missing}"
            ),
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
            // Go v1 checks only the relative URI here (the full URI alone does not count).
            "EcsContainer"
                if env_cfg
                    .settings
                    .container_credentials_relative_uri
                    .is_some() =>
            {
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
    if layer.has_sso() {
        sso_from_profile(out, ctx, i, layer)?;
        return Ok(false);
    }
    if let Some(endpoint) = layer.iot_credentials_endpoint {
        iot_from_profile(out, ctx, i, layer, endpoint)?;
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

/// What the AWS IoT credentials provider needs, copied into `out`: `iot_role_alias` is required,
/// and `iot_certificate` and `iot_private_key` come as a pair.
#[inline(never)] // keeps each stage's temporaries out of its caller's frame (small-RAM targets)
fn iot_from_profile<'a>(
    out: &mut BaseCredentials,
    ctx: &Ctx<'a, '_>,
    i: usize,
    layer: &ProfileLayer<'a>,
    endpoint: Prop<'a>,
) -> Result<(), PlanError> {
    let missing = |key: &'static str| PlanError::IotMissingConfiguration {
        profile: ErrorText::head(layer.name),
        missing: key,
    };
    let alias = layer.iot_role_alias.ok_or(missing("iot_role_alias"))?;
    let certificate = match (layer.iot_certificate, layer.iot_private_key) {
        (None, None) => None,
        (Some(c), Some(k)) => Some((
            copy(c.value, Field::Path, || ctx.at(c))?,
            copy(k.value, Field::Path, || ctx.at(k))?,
        )),
        (Some(_), None) => return Err(missing("iot_private_key")),
        (None, Some(_)) => return Err(missing("iot_certificate")),
    };
    *out = BaseCredentials::Iot(IotSettings {
        endpoint: copy(endpoint.value, Field::Endpoint, || ctx.at(endpoint))?,
        role_alias: copy(alias.value, Field::Setting, || ctx.at(alias))?,
        thing_name: match layer.iot_thing_name {
            Some(t) => Some(copy(t.value, Field::Setting, || ctx.at(t))?),
            None => None,
        },
        certificate,
        source: ctx.file_source(endpoint, i),
    });
    Ok(())
}

/// Go v1 `validateSSOConfiguration`, then what an SSO provider needs, copied into `out`.
#[inline(never)] // keeps each stage's temporaries out of its caller's frame (small-RAM targets)
fn sso_from_profile<'a>(
    out: &mut BaseCredentials,
    ctx: &Ctx<'a, '_>,
    i: usize,
    layer: &ProfileLayer<'a>,
) -> Result<(), PlanError> {
    let profile = || ErrorText::head(layer.name);
    let (region, start_url) = match (layer.sso_session, layer.sso_session_section) {
        (Some(_), Some(section)) => {
            let missing = match (section.sso_region, section.sso_start_url) {
                (None, None) => Some("sso_region, sso_start_url"),
                (None, Some(_)) => Some("sso_region"),
                (Some(_), None) => Some("sso_start_url"),
                (Some(_), Some(_)) => None,
            };
            if let Some(missing) = missing {
                return Err(PlanError::SsoMissingConfiguration {
                    profile: profile(),
                    missing,
                });
            }
            for (key, mine, theirs) in [
                ("sso_region", layer.sso_region, section.sso_region),
                ("sso_start_url", layer.sso_start_url, section.sso_start_url),
            ] {
                if mine.is_some_and(|m| Some(m.value) != theirs.map(|t| t.value)) {
                    return Err(PlanError::SsoSessionMismatch {
                        profile: profile(),
                        key,
                    });
                }
            }
            (section.sso_region, section.sso_start_url)
        }
        // The file layer found every named section (SharedError::SsoSessionNotFound otherwise).
        (Some(_), None) => (None, None),
        (None, _) => {
            let present = [
                layer.sso_region.is_some(),
                layer.sso_start_url.is_some(),
                layer.sso_account_id.is_some(),
                layer.sso_role_name.is_some(),
            ];
            if let Some(missing) = legacy_missing(present) {
                return Err(PlanError::SsoMissingConfiguration {
                    profile: profile(),
                    missing,
                });
            }
            (layer.sso_region, layer.sso_start_url)
        }
    };
    let first = [
        layer.sso_session,
        layer.sso_start_url,
        layer.sso_region,
        layer.sso_account_id,
        layer.sso_role_name,
    ]
    .into_iter()
    .flatten()
    .min_by_key(|p| (p.file, p.line));
    *out = BaseCredentials::Sso {
        settings: SsoSettings {
            start_url: Text::new(),
            region: Text::new(),
            account_id: Text::new(),
            role_name: Text::new(),
            session_name: None,
        },
        source: first.map_or(Source::Default, |p| ctx.file_source(p, i)),
    };
    let BaseCredentials::Sso { settings, .. } = out else {
        return Ok(());
    };
    settings.start_url = opt_copy(ctx, start_url, Field::Setting)?.unwrap_or_default();
    settings.region = opt_copy(ctx, region, Field::Region)?.unwrap_or_default();
    settings.account_id = opt_copy(ctx, layer.sso_account_id, Field::Setting)?.unwrap_or_default();
    settings.role_name = opt_copy(ctx, layer.sso_role_name, Field::Setting)?.unwrap_or_default();
    settings.session_name = opt_copy(ctx, layer.sso_session, Field::Setting)?;
    Ok(())
}

/// Copies a value when there is one; on overflow the error says where it came from.
fn opt_copy<'a, const N: usize>(
    ctx: &Ctx<'a, '_>,
    p: Option<Prop<'a>>,
    field: Field,
) -> Result<Option<Text<N>>, PlanError> {
    p.map(|p| copy(p.value, field, || ctx.at(p))).transpose()
}

/// Go v1 `validateLegacySSOConfiguration`: the missing keys of `sso_region`, `sso_start_url`,
/// `sso_account_id`, `sso_role_name` (in that order), joined with `, `.
fn legacy_missing(present: [bool; 4]) -> Option<&'static str> {
    // Index: bit i set when key i is missing.
    const JOINED: [&str; 16] = [
        "",
        "sso_region",
        "sso_start_url",
        "sso_region, sso_start_url",
        "sso_account_id",
        "sso_region, sso_account_id",
        "sso_start_url, sso_account_id",
        "sso_region, sso_start_url, sso_account_id",
        "sso_role_name",
        "sso_region, sso_role_name",
        "sso_start_url, sso_role_name",
        "sso_region, sso_start_url, sso_role_name",
        "sso_account_id, sso_role_name",
        "sso_region, sso_account_id, sso_role_name",
        "sso_start_url, sso_account_id, sso_role_name",
        "sso_region, sso_start_url, sso_account_id, sso_role_name",
    ];
    let mask = present
        .iter()
        .enumerate()
        .filter(|(_, p)| !**p)
        .fold(0usize, |m, (i, _)| m | (1 << i));
    JOINED.get(mask).copied().filter(|s| !s.is_empty())
}

/// Checks one hop's texts against their own limits (as copying them would), then adds the hop.
#[inline(never)] // keeps each stage's temporaries out of its caller's frame (small-RAM targets)
fn push_hop<'a>(
    hops: &mut RoleHops,
    ctx: &Ctx<'a, '_>,
    i: usize,
    layer: &ProfileLayer<'a>,
    role: Prop<'a>,
) -> Result<(), PlanError> {
    if layer.mfa_serial.is_some() && !ctx.input.has_token_provider {
        return Err(PlanError::TokenProviderNotSet {
            profile: ErrorText::head(layer.name),
        });
    }
    let check = |p: Option<Prop<'a>>, field: Field, limit: usize| -> Result<_, PlanError> {
        match p {
            Some(p) if p.value.len() > limit => Err(PlanError::Capacity {
                error: CapacityError {
                    field,
                    limit,
                    len: p.value.len(),
                },
                at: ctx.at(p),
            }),
            p => Ok(p.map(|p| p.value)),
        }
    };
    // Go v1: the option if set, else duration_seconds when over 15 whole minutes, else 900 s.
    let duration_secs = match (ctx.input.assume_role_duration_secs, layer.duration_seconds) {
        (d, _) if d != 0 => d,
        (_, Some((d, _))) if d / 60 > 15 => d,
        _ => 900,
    };
    let hop = RoleHop {
        role_arn: check(Some(role), Field::RoleArn, MAX_ROLE_ARN_LEN)?.unwrap_or(""),
        session_name: check(
            layer.role_session_name,
            Field::RoleParam,
            MAX_ROLE_SESSION_NAME_LEN,
        )?,
        external_id: check(layer.external_id, Field::RoleParam, MAX_EXTERNAL_ID_LEN)?,
        mfa_serial: check(layer.mfa_serial, Field::RoleParam, MAX_MFA_SERIAL_LEN)?,
        duration_secs,
        source: ctx.file_source(role, i),
    };
    hops.push(hop).map_err(|e| match e {
        PushHopError::TooMany => PlanError::TooManyRoleHops {
            limit: MAX_ROLE_HOPS,
        },
        PushHopError::Capacity(error) => PlanError::Capacity {
            error,
            at: ctx.at(role),
        },
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
        hops: RoleHops::new(),
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
            push_hop(hops, ctx, i, layer, role)?;
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
            hops: RoleHops::new(),
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
