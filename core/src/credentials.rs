//! Credentials and the plan for obtaining them.
//!
//! Session creation never touches the network (Go v1 step 11): it decides *how* credentials will be
//! obtained — a [`CredentialPlan`] — and validates it. Static keys are ready at once; plans that need
//! STS (assume role, web identity) or a platform facility (credential_process, IMDS, ECS) are
//! executed later by an adapter, on first use.
//!
//! The providers an adapter runs over the network are sans IO here: [`sts`] writes the
//! `AssumeRole` / `AssumeRoleWithWebIdentity` request bodies and reads their XML responses;
//! [`json`] reads the `credential_process`, container (ECS / EKS), instance-metadata and SSO
//! credentials bodies, and reads, refreshes and writes the SSO token cache.

mod fill;
pub mod json;
pub mod plan;
pub mod sts;

pub use plan::PlanError;

use crate::config::Source;
pub use crate::keys::{Credentials, MaskedKey};
use crate::limits::{MAX_ROLE_ARN_LEN, MAX_ROLE_HOPS, MAX_ROLE_PARAM_LEN, MAX_SETTING_LEN};
use crate::text::Text;

/// The provider that produced, or will produce, a session's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ProviderKind {
    /// Passed by the application.
    Static,
    /// Environment variables (`EnvProvider`).
    Environment,
    /// A shared file (`SharedConfigCredentials` / `SharedCredentialsProvider`).
    SharedConfig,
    /// `credential_process`.
    Process,
    /// Web identity token (env or profile).
    WebIdentity,
    /// EC2 instance metadata.
    Ec2InstanceMetadata,
    /// ECS / container credentials endpoint.
    EcsContainer,
    /// AWS IAM Identity Center (SSO).
    Sso,
    /// STS AssumeRole on top of another provider.
    AssumeRole,
    /// The Go v1 fallback chain (env, shared file, remote) with nothing found yet.
    RemoteFallback,
    /// Anonymous: requests are not signed.
    Anonymous,
}

impl ProviderKind {
    /// The provider name as Go v1 reports it in `Value.ProviderName`.
    pub const fn name(self) -> &'static str {
        match self {
            ProviderKind::Static => "StaticProvider",
            ProviderKind::Environment => "EnvConfigCredentials",
            ProviderKind::SharedConfig => "SharedConfigCredentials",
            ProviderKind::Process => "ProcessProvider",
            ProviderKind::WebIdentity => "WebIdentityCredentials",
            ProviderKind::Ec2InstanceMetadata => "EC2RoleProvider",
            ProviderKind::EcsContainer => "CredentialsEndpointProvider",
            ProviderKind::Sso => "SSOProvider",
            ProviderKind::AssumeRole => "AssumeRoleProvider",
            ProviderKind::RemoteFallback => "RemoteCredProvider",
            ProviderKind::Anonymous => "AnonymousCredentials",
        }
    }
}

/// One `AssumeRole` call in a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleHop {
    /// `role_arn`.
    pub role_arn: Text<MAX_ROLE_ARN_LEN>,
    /// `role_session_name`; `None` means the Go v1 default (Unix nanoseconds at call time).
    pub session_name: Option<Text<MAX_ROLE_PARAM_LEN>>,
    /// `external_id`.
    pub external_id: Option<Text<MAX_ROLE_PARAM_LEN>>,
    /// `mfa_serial` (a token provider was checked to exist at creation).
    pub mfa_serial: Option<Text<MAX_ROLE_PARAM_LEN>>,
    /// Session duration in seconds (Go v1 rule: option, else `duration_seconds` over 15 minutes, else 900).
    pub duration_secs: u32,
    /// Where `role_arn` was found.
    pub source: Source,
}

/// Where the first credentials of a plan come from.
#[allow(clippy::large_enum_variant)] // no heap to box into; sized once per session
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseCredentials {
    /// Keys known now.
    Static {
        /// The keys.
        credentials: Credentials,
        /// Which provider found them.
        provider: ProviderKind,
        /// Where the access key id was found.
        source: Source,
    },
    /// Run `credential_process` (std only).
    Process {
        /// The command line.
        command: Text<MAX_SETTING_LEN>,
        /// Where it was found.
        source: Source,
    },
    /// `AssumeRoleWithWebIdentity` with a token read from a file.
    WebIdentity {
        /// Role to assume.
        role_arn: Text<MAX_ROLE_ARN_LEN>,
        /// File holding the OIDC token.
        token_file: Text<MAX_SETTING_LEN>,
        /// Session name (default: Unix nanoseconds).
        session_name: Option<Text<MAX_ROLE_PARAM_LEN>>,
        /// Where the token file setting was found.
        source: Source,
    },
    /// A remote provider: IMDS, the ECS endpoint, or the Go v1 fallback chain.
    Remote {
        /// Which one.
        provider: ProviderKind,
        /// Where the choice was made (`credential_source` line, or default).
        source: Source,
    },
    /// IAM Identity Center; the adapter resolves the token cache.
    Sso {
        /// Where the SSO settings were found.
        source: Source,
    },
}

/// How a session's credentials are obtained.
#[allow(clippy::large_enum_variant)] // no heap to box into; sized once per session
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialPlan {
    /// Requests are not signed.
    Anonymous,
    /// Base credentials, then zero or more `AssumeRole` hops applied in order.
    Chain {
        /// The first credentials.
        base: BaseCredentials,
        /// Roles to assume with them, innermost first.
        hops: heapless::Vec<RoleHop, MAX_ROLE_HOPS>,
    },
}

impl CredentialPlan {
    /// Static credentials usable without any call, when the plan has them.
    pub fn static_credentials(&self) -> Option<&Credentials> {
        match self {
            CredentialPlan::Chain {
                base: BaseCredentials::Static { credentials, .. },
                hops,
            } if hops.is_empty() => Some(credentials),
            _ => None,
        }
    }

    /// The provider that will produce the final credentials.
    pub fn provider(&self) -> ProviderKind {
        match self {
            CredentialPlan::Anonymous => ProviderKind::Anonymous,
            CredentialPlan::Chain { hops, .. } if !hops.is_empty() => ProviderKind::AssumeRole,
            CredentialPlan::Chain { base, .. } => match base {
                BaseCredentials::Static { provider, .. }
                | BaseCredentials::Remote { provider, .. } => *provider,
                BaseCredentials::Process { .. } => ProviderKind::Process,
                BaseCredentials::WebIdentity { .. } => ProviderKind::WebIdentity,
                BaseCredentials::Sso { .. } => ProviderKind::Sso,
            },
        }
    }

    /// Where the plan's decisive setting came from (the outermost role, else the base).
    pub fn source(&self) -> Source {
        match self {
            CredentialPlan::Anonymous => Source::Option,
            CredentialPlan::Chain { base, hops } => match hops.last() {
                Some(hop) => hop.source,
                None => match base {
                    BaseCredentials::Static { source, .. }
                    | BaseCredentials::Process { source, .. }
                    | BaseCredentials::WebIdentity { source, .. }
                    | BaseCredentials::Remote { source, .. }
                    | BaseCredentials::Sso { source } => *source,
                },
            },
        }
    }
}
