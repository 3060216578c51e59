//! [`FetchError`]: why a provider could not produce credentials. Small, owned (it is kept
//! in the cache slot as the last failure) and free of secrets: it names the provider, what failed
//! and, for a service refusal, the service's code and message.

use core::fmt;

use super::cache::HostError;
use super::json::CredentialsJsonError;
use super::sts::StsError;
use super::ProviderKind;
use crate::error_kind::ErrorKind;
use crate::text::{CapacityError, ErrorText};

/// What went wrong in a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FetchReason {
    /// Static credentials with an empty key or secret (Go v1 `EmptyStaticCreds`).
    EmptyStatic,
    /// A host facility failed: the token file, `credential_process`, the SSO cache, the MFA code.
    Host {
        /// What was being done (`reading the web identity token file`, …).
        what: &'static str,
        /// How it failed.
        error: HostError,
    },
    /// A JSON answer (process output, container, IMDS, SSO) is not valid credentials.
    Json(CredentialsJsonError),
    /// An STS answer is not valid XML credentials.
    Sts(StsError),
    /// The call failed before an answer arrived (transport, clock, a full buffer); Go v1 code.
    Request {
        /// The request error code (`RequestError`, `ResponseTooLarge`, …).
        code: &'static str,
        /// The transport failure kind, when it was one.
        kind: Option<ErrorKind>,
    },
    /// The service refused: its HTTP status, error code and message.
    Service {
        /// HTTP status.
        status: u16,
        /// The service's error code (`AccessDenied`, `InvalidIdentityToken`, …).
        code: ErrorText,
        /// The service's message.
        message: ErrorText,
    },
    /// `AWS_EC2_METADATA_DISABLED` is `true`.
    ImdsDisabled,
    /// The IMDSv2 token request failed and the fallback to IMDSv1 is disabled.
    ImdsTokenRequired {
        /// The token request's HTTP status.
        status: u16,
    },
    /// The role list could not be read (Go v1 `EC2RoleRequestError`).
    ImdsNoRole,
    /// The role list is empty (Go v1 `EmptyEC2RoleList`).
    ImdsEmptyRoleList,
    /// The container endpoint URL is malformed or names a host plain HTTP may not reach.
    ContainerEndpoint(ErrorText),
    /// The cached SSO token has expired and there is no refresh token (run `aws sso login`).
    SsoTokenExpired,
    /// A value is longer than its limit.
    Capacity(CapacityError),
    /// The provider needs a region and none is set.
    MissingRegion,
    /// The application's provider failed with this reason.
    Custom(&'static str),
    /// The profile asks for a provider this build leaves out (`credential_process`, SSO, the
    /// container endpoint or IMDS without core's `host-providers` feature).
    NotBuilt,
}

/// A provider could not produce credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FetchError {
    /// The provider that failed.
    pub provider: ProviderKind,
    /// What went wrong.
    pub reason: FetchReason,
    /// True when the provider was the last of Go v1's default chain (environment and shared
    /// files had nothing): the message then lists the whole chain.
    pub chain: bool,
}

impl FetchError {
    /// An error of `provider`.
    pub const fn new(provider: ProviderKind, reason: FetchReason) -> Self {
        FetchError {
            provider,
            reason,
            chain: false,
        }
    }

    /// The clock could not be read.
    pub const fn clock(provider: ProviderKind, kind: ErrorKind) -> Self {
        FetchError::new(
            provider,
            FetchReason::Request {
                code: "ClockError",
                kind: Some(kind),
            },
        )
    }

    /// Go v1's error code for the failure.
    pub const fn code(&self) -> &'static str {
        if self.chain {
            return "NoCredentialProviders";
        }
        match (&self.reason, self.provider) {
            (FetchReason::EmptyStatic, _) => "EmptyStaticCreds",
            (_, ProviderKind::Process) => "ProcessProviderExecutionError",
            (_, ProviderKind::WebIdentity) => "WebIdentityErr",
            (_, ProviderKind::AssumeRole) => "AssumeRoleProviderError",
            (_, ProviderKind::Ec2InstanceMetadata) => "EC2RoleRequestError",
            (_, ProviderKind::EcsContainer) => "CredentialsEndpointError",
            (_, ProviderKind::Sso) => "SSOProviderInvalidToken",
            _ => "NoCredentialProviders",
        }
    }
}

impl fmt::Display for FetchReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchReason::EmptyStatic => f.write_str("static credentials are empty"),
            FetchReason::Host { what, error } => write!(f, "{what}: {error}"),
            FetchReason::Json(e) => write!(f, "{e}"),
            FetchReason::Sts(e) => write!(f, "{e}"),
            FetchReason::Request {
                code,
                kind: Some(k),
            } => write!(f, "{code}: {k}"),
            FetchReason::Request { code, kind: None } => f.write_str(code),
            FetchReason::Service {
                status,
                code,
                message,
            } => write!(f, "{code}: {message} (HTTP {status})"),
            FetchReason::ImdsDisabled => {
                f.write_str("EC2 IMDS access disabled via AWS_EC2_METADATA_DISABLED env var")
            }
            FetchReason::ImdsTokenRequired { status } => write!(
                f,
                "failed to get IMDSv2 token and fallback to IMDSv1 is disabled (HTTP {status})"
            ),
            FetchReason::ImdsNoRole => f.write_str("no EC2 instance role found"),
            FetchReason::ImdsEmptyRoleList => f.write_str("EmptyEC2RoleList: empty EC2 Role list"),
            FetchReason::ContainerEndpoint(e) => write!(f, "{e}"),
            FetchReason::SsoTokenExpired => f.write_str(
                "the SSO session has expired or is otherwise invalid; run aws sso login",
            ),
            FetchReason::NotBuilt => f.write_str(
                "this provider is not in this build (aws-session-core feature host-providers)",
            ),
            FetchReason::Capacity(e) => write!(f, "{e}"),
            FetchReason::MissingRegion => f.write_str("could not find region configuration"),
            FetchReason::Custom(why) => f.write_str(why),
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.chain {
            write!(
                f,
                "NoCredentialProviders: no valid providers in chain: EnvAccessKeyNotFound: \
                 failed to find credentials in the environment; SharedCredsLoad: no credentials \
                 in the shared files; {}: ",
                self.provider.name()
            )?;
        } else {
            write!(f, "{}: {}: ", self.code(), self.provider.name())?;
        }
        write!(f, "{}", self.reason)
    }
}

impl core::error::Error for FetchError {}
