//! Credentials and the plan for obtaining them.
//!
//! Session creation never touches the network (Go v1 step 11): it decides *how* credentials will be
//! obtained — a [`CredentialPlan`] — and validates it. Static keys are ready at once; plans that need
//! STS (assume role, web identity) or a platform facility (credential_process, IMDS, ECS) are
//! executed later by an adapter, on first use.

pub mod json;
pub mod plan;

pub use plan::PlanError;

use core::fmt;

use crate::config::Source;
use crate::limits::{
    MAX_ACCESS_KEY_ID_LEN, MAX_ROLE_ARN_LEN, MAX_ROLE_HOPS, MAX_ROLE_PARAM_LEN, MAX_SETTING_LEN,
};
use crate::secret::{SecretKey, SessionToken};
use crate::text::{text, CapacityError, Field, Text};
use crate::time::UnixTime;

/// An access key pair with an optional session token and expiry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Access key id (not secret; shown masked by tools).
    pub access_key_id: Text<MAX_ACCESS_KEY_ID_LEN>,
    /// Secret access key.
    pub secret_access_key: SecretKey,
    /// Session token for temporary credentials.
    pub session_token: Option<SessionToken>,
    /// When temporary credentials stop working.
    pub expires: Option<UnixTime>,
}

impl Credentials {
    /// No keys, no token: what credentials are filled from in place.
    pub const EMPTY: Credentials = Credentials {
        access_key_id: Text::new(),
        secret_access_key: SecretKey::empty(),
        session_token: None,
        expires: None,
    };

    /// Long-term keys from text.
    ///
    /// # Errors
    /// [`CapacityError`] when a value is longer than its limit.
    pub fn new(
        access_key_id: &str,
        secret: &str,
        token: Option<&str>,
    ) -> Result<Self, CapacityError> {
        Ok(Credentials {
            access_key_id: text(access_key_id, Field::AccessKeyId)?,
            secret_access_key: SecretKey::new(secret, Field::SecretAccessKey)?,
            session_token: match token {
                Some(t) => Some(SessionToken::new(t, Field::SessionToken)?),
                None => None,
            },
            expires: None,
        })
    }

    /// Go v1 `Value.HasKeys`: both the access key id and the secret are non-empty.
    pub fn has_keys(&self) -> bool {
        !self.access_key_id.is_empty() && !self.secret_access_key.is_empty()
    }

    /// The borrowed view the SigV4 signer takes.
    pub fn signing(&self) -> crate::sigv4::SigningCredentials<'_> {
        crate::sigv4::SigningCredentials {
            access_key_id: self.access_key_id.as_str(),
            secret: &self.secret_access_key,
            session_token: self.session_token.as_ref(),
        }
    }

    /// The access key id masked to its last four characters (`****************MPLE`).
    pub fn masked_access_key_id(&self) -> MaskedKey<'_> {
        MaskedKey(&self.access_key_id)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field(
                "access_key_id",
                &format_args!("{}", self.masked_access_key_id()),
            )
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expires", &self.expires)
            .finish()
    }
}

/// An access key id shown as `*` except for its last four characters.
#[derive(Debug, Clone, Copy)]
pub struct MaskedKey<'a>(&'a str);

impl fmt::Display for MaskedKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.chars().count();
        let keep = n.min(4);
        for _ in 0..n - keep {
            f.write_str("*")?;
        }
        for c in self.0.chars().skip(n - keep) {
            fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

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
