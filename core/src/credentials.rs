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

pub mod cache;
pub mod error;
pub(crate) mod fill;
pub mod json;
pub mod plan;
pub mod sts;

pub use plan::PlanError;

use core::fmt;

use crate::config::{ExplicitCredentials, Source};
use crate::keys::ProviderRef;
pub use crate::keys::{Credentials, MaskedKey};
use crate::limits::{
    MAX_ACCOUNT_ID_LEN, MAX_COMMAND_LEN, MAX_ENDPOINT_LEN, MAX_IOT_NAME_LEN, MAX_PATH_LEN,
    MAX_REGION_LEN, MAX_ROLE_ARN_LEN, MAX_ROLE_HOPS, MAX_ROLE_NAME_LEN, MAX_ROLE_SESSION_NAME_LEN,
    MAX_ROLE_TEXT_LEN, MAX_SETTING_LEN, MAX_SSO_START_URL_LEN, MAX_TOKEN_FILE_LEN,
};
use crate::text::{CapacityError, Field, Text};

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
    /// A provider of the application's own (`Config::with_credentials_provider`).
    Custom,
    /// The AWS IoT credentials provider (a device certificate exchanged for a role alias's
    /// temporary credentials; not in Go v1).
    IotCredentials,
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
            ProviderKind::Custom => "CustomProvider",
            ProviderKind::IotCredentials => "IoTCredentialsProvider",
        }
    }
}

/// One `AssumeRole` call in a plan, as [`RoleHops`] lends it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleHop<'a> {
    /// `role_arn`.
    pub role_arn: &'a str,
    /// `role_session_name`; `None` means the Go v1 default (Unix nanoseconds at call time).
    pub session_name: Option<&'a str>,
    /// `external_id`.
    pub external_id: Option<&'a str>,
    /// `mfa_serial` (a token provider was checked to exist at creation).
    pub mfa_serial: Option<&'a str>,
    /// Session duration in seconds (Go v1 rule: option, else `duration_seconds` over 15 minutes, else 900).
    pub duration_secs: u32,
    /// Where `role_arn` was found.
    pub source: Source,
}

/// Where one text of a hop is in [`RoleHops`]' shared text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u16,
    len: u16,
}

/// One stored hop: its texts as spans of the shared text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StoredHop {
    role_arn: Span,
    session_name: Option<Span>,
    external_id: Option<Span>,
    mfa_serial: Option<Span>,
    duration_secs: u32,
    source: Source,
}

/// The `AssumeRole` hops of a plan, innermost first. Each hop's texts are stored once, end to end,
/// in one text of [`MAX_ROLE_TEXT_LEN`] bytes, so a plan does not hold [`MAX_ROLE_HOPS`] copies of
/// every AWS maximum (a role ARN alone may be 2048 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleHops {
    hops: heapless::Vec<StoredHop, MAX_ROLE_HOPS>,
    text: Text<MAX_ROLE_TEXT_LEN>,
}

/// Adding a hop to [`RoleHops`] failed; nothing was added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushHopError {
    /// The plan holds [`MAX_ROLE_HOPS`] hops already.
    TooMany,
    /// The hops' texts would pass [`MAX_ROLE_TEXT_LEN`] bytes.
    Capacity(CapacityError),
}

impl RoleHops {
    /// No hops.
    pub const fn new() -> Self {
        RoleHops {
            hops: heapless::Vec::new(),
            text: Text::new(),
        }
    }

    /// How many hops.
    pub fn len(&self) -> usize {
        self.hops.len()
    }

    /// True without hops.
    pub fn is_empty(&self) -> bool {
        self.hops.is_empty()
    }

    /// Hop `i`, innermost first.
    pub fn get(&self, i: usize) -> Option<RoleHop<'_>> {
        self.hops.get(i).map(|h| self.view(h))
    }

    /// The outermost hop.
    pub fn last(&self) -> Option<RoleHop<'_>> {
        self.hops.last().map(|h| self.view(h))
    }

    /// The hops, innermost first.
    pub fn iter(&self) -> impl Iterator<Item = RoleHop<'_>> {
        self.hops.iter().map(|h| self.view(h))
    }

    /// Adds the outermost hop. Each text must already be within its own limit.
    ///
    /// # Errors
    /// [`PushHopError`]; the hops are then unchanged.
    pub fn push(&mut self, hop: RoleHop<'_>) -> Result<(), PushHopError> {
        if self.hops.is_full() {
            return Err(PushHopError::TooMany);
        }
        let mark = self.text.len();
        let stored = self.store(&hop).inspect_err(|_| self.text.truncate(mark))?;
        self.hops.push(stored).map_err(|_| PushHopError::TooMany)
    }

    fn store(&mut self, hop: &RoleHop<'_>) -> Result<StoredHop, PushHopError> {
        let mut span = |s: &str, field: Field| -> Result<Span, PushHopError> {
            let start = self.text.len();
            let overflow = PushHopError::Capacity(CapacityError {
                field,
                limit: MAX_ROLE_TEXT_LEN,
                len: start + s.len(),
            });
            self.text.push_str(s).map_err(|_| overflow)?;
            Ok(Span {
                start: u16::try_from(start).map_err(|_| overflow)?,
                len: u16::try_from(s.len()).map_err(|_| overflow)?,
            })
        };
        Ok(StoredHop {
            role_arn: span(hop.role_arn, Field::RoleArn)?,
            session_name: hop
                .session_name
                .map(|s| span(s, Field::RoleParam))
                .transpose()?,
            external_id: hop
                .external_id
                .map(|s| span(s, Field::RoleParam))
                .transpose()?,
            mfa_serial: hop
                .mfa_serial
                .map(|s| span(s, Field::RoleParam))
                .transpose()?,
            duration_secs: hop.duration_secs,
            source: hop.source,
        })
    }

    fn view(&self, h: &StoredHop) -> RoleHop<'_> {
        let at = |s: Span| {
            let start = usize::from(s.start);
            self.text
                .get(start..start + usize::from(s.len))
                .unwrap_or("")
        };
        RoleHop {
            role_arn: at(h.role_arn),
            session_name: h.session_name.map(at),
            external_id: h.external_id.map(at),
            mfa_serial: h.mfa_serial.map(at),
            duration_secs: h.duration_secs,
            source: h.source,
        }
    }
}

/// What an SSO provider needs (`GetRoleCredentials` with a cached token), checked at creation with
/// Go v1's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSettings {
    /// `sso_start_url` (from the `[sso-session]` section when the profile names one).
    pub start_url: Text<MAX_SSO_START_URL_LEN>,
    /// `sso_region` (likewise).
    pub region: Text<MAX_REGION_LEN>,
    /// `sso_account_id` (Go v1 requires it only without an `sso_session`).
    pub account_id: Text<MAX_ACCOUNT_ID_LEN>,
    /// `sso_role_name` (likewise).
    pub role_name: Text<MAX_ROLE_NAME_LEN>,
    /// `sso_session`: the `[sso-session NAME]` whose token the provider uses (the token cache file
    /// is named after it), or `None` for the legacy form (named after the start URL).
    pub session_name: Option<Text<MAX_SETTING_LEN>>,
}

/// Where the first credentials of a plan come from.
///
/// Its `Debug` shows a `credential_process` command as its program and length only: the rest of a
/// command line may hold a secret (a password argument, or keys a script echoes).
#[allow(clippy::large_enum_variant)] // no heap to box into; sized once per session
#[derive(Clone, PartialEq, Eq)]
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
        command: Text<MAX_COMMAND_LEN>,
        /// Where it was found.
        source: Source,
    },
    /// `AssumeRoleWithWebIdentity` with a token read from a file.
    WebIdentity {
        /// Role to assume.
        role_arn: Text<MAX_ROLE_ARN_LEN>,
        /// File holding the OIDC token.
        token_file: Text<MAX_TOKEN_FILE_LEN>,
        /// Session name (default: Unix nanoseconds).
        session_name: Option<Text<MAX_ROLE_SESSION_NAME_LEN>>,
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
        /// Start URL, regions, account, role and session.
        settings: SsoSettings,
        /// Where the SSO settings were found.
        source: Source,
    },
    /// The application's own provider (`Config::with_credentials_provider`).
    Custom(ProviderRef),
    /// The AWS IoT credentials provider: `GET /role-aliases/<alias>/credentials` over mutual TLS
    /// with the device certificate.
    Iot(IotSettings),
}

impl BaseCredentials {
    /// The provider that produces these credentials.
    pub fn provider(&self) -> ProviderKind {
        match self {
            BaseCredentials::Static { provider, .. } | BaseCredentials::Remote { provider, .. } => {
                *provider
            }
            BaseCredentials::Process { .. } => ProviderKind::Process,
            BaseCredentials::WebIdentity { .. } => ProviderKind::WebIdentity,
            BaseCredentials::Sso { .. } => ProviderKind::Sso,
            BaseCredentials::Custom(_) => ProviderKind::Custom,
            BaseCredentials::Iot(_) => ProviderKind::IotCredentials,
        }
    }
}

/// What the AWS IoT credentials provider needs, from a profile's `iot_*` keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IotSettings {
    /// `iot_credentials_endpoint`: `host`, `host:port` or an `https://` URL.
    pub endpoint: Text<MAX_ENDPOINT_LEN>,
    /// `iot_role_alias`.
    pub role_alias: Text<MAX_IOT_NAME_LEN>,
    /// `iot_thing_name`, sent as `x-amzn-iot-thingname`.
    pub thing_name: Option<Text<MAX_IOT_NAME_LEN>>,
    /// `iot_certificate` and `iot_private_key`: PEM files of the device certificate (std; a
    /// device's transport holds its own).
    pub certificate: Option<(Text<MAX_PATH_LEN>, Text<MAX_PATH_LEN>)>,
    /// Where `iot_credentials_endpoint` was found.
    pub source: Source,
}

impl IotSettings {
    /// Where to connect: `host` or `host:port` of `iot_credentials_endpoint` (an `https://` URL's
    /// authority, without a trailing `/`); `None` for another scheme, a path, or an empty host.
    pub fn authority(&self) -> Option<&str> {
        let endpoint = self.endpoint.as_str();
        let authority = match endpoint.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => {
                rest.strip_suffix('/').unwrap_or(rest)
            }
            Some(_) => return None,
            None => endpoint,
        };
        (!authority.is_empty() && !authority.contains(['/', '?', '#', '@'])).then_some(authority)
    }
}

impl fmt::Debug for BaseCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BaseCredentials::Static {
                credentials,
                provider,
                source,
            } => f
                .debug_struct("Static")
                .field("credentials", credentials)
                .field("provider", provider)
                .field("source", source)
                .finish(),
            BaseCredentials::Process { command, source } => {
                let program = command.split_whitespace().next().unwrap_or("");
                f.debug_struct("Process")
                    .field(
                        "command",
                        &format_args!(
                            "{program:?} … ({} bytes, arguments not shown)",
                            command.len()
                        ),
                    )
                    .field("source", source)
                    .finish()
            }
            BaseCredentials::WebIdentity {
                role_arn,
                token_file,
                session_name,
                source,
            } => f
                .debug_struct("WebIdentity")
                .field("role_arn", role_arn)
                .field("token_file", token_file)
                .field("session_name", session_name)
                .field("source", source)
                .finish(),
            BaseCredentials::Remote { provider, source } => f
                .debug_struct("Remote")
                .field("provider", provider)
                .field("source", source)
                .finish(),
            BaseCredentials::Sso { settings, source } => f
                .debug_struct("Sso")
                .field("settings", settings)
                .field("source", source)
                .finish(),
            BaseCredentials::Custom(provider) => f.debug_tuple("Custom").field(provider).finish(),
            BaseCredentials::Iot(settings) => f.debug_tuple("Iot").field(settings).finish(),
        }
    }
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
        hops: RoleHops,
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

    /// The plan for credentials the application passed (Go v1 `Config.Credentials`), set in
    /// place: a plan holds a 2 KiB token, too much for a temporary on a small stack.
    pub fn set_explicit(&mut self, explicit: &ExplicitCredentials) {
        let base = match explicit {
            ExplicitCredentials::Anonymous => {
                *self = CredentialPlan::Anonymous;
                return;
            }
            ExplicitCredentials::Provider(p) => BaseCredentials::Custom(*p),
            ExplicitCredentials::Static(_) => BaseCredentials::Remote {
                provider: ProviderKind::Static,
                source: Source::Option,
            },
        };
        *self = CredentialPlan::Chain {
            base,
            hops: RoleHops::new(),
        };
        if let (ExplicitCredentials::Static(c), CredentialPlan::Chain { base, .. }) =
            (explicit, self)
        {
            *base = BaseCredentials::Static {
                credentials: Credentials::EMPTY,
                provider: ProviderKind::Static,
                source: Source::Option,
            };
            if let BaseCredentials::Static { credentials, .. } = base {
                credentials.clone_from(c);
            }
        }
    }

    /// The AWS IoT credentials provider's settings, when the chain starts there (a device
    /// connects to [`IotSettings::authority`] with its certificate to refresh).
    pub fn iot(&self) -> Option<&IotSettings> {
        match self {
            CredentialPlan::Chain {
                base: BaseCredentials::Iot(settings),
                ..
            } => Some(settings),
            _ => None,
        }
    }

    /// Whether credentials come only from a provider call (not known at creation), so a shared
    /// credential cache is needed to sign.
    pub fn needs_provider(&self) -> bool {
        !matches!(self, CredentialPlan::Anonymous) && self.static_credentials().is_none()
    }

    /// The provider that will produce the final credentials.
    pub fn provider(&self) -> ProviderKind {
        match self {
            CredentialPlan::Anonymous => ProviderKind::Anonymous,
            CredentialPlan::Chain { hops, .. } if !hops.is_empty() => ProviderKind::AssumeRole,
            CredentialPlan::Chain { base, .. } => base.provider(),
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
                    | BaseCredentials::Sso { source, .. } => *source,
                    BaseCredentials::Iot(settings) => settings.source,
                    BaseCredentials::Custom(_) => Source::Option,
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn debug_shows_a_credential_process_program_not_its_arguments() {
        let command = "/usr/bin/helper --password hunter2-marker";
        let base = BaseCredentials::Process {
            command: crate::text::text(command, Field::Setting).unwrap(),
            source: Source::Default,
        };
        let shown = format!("{base:?} {base:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("\"/usr/bin/helper\" … (41 bytes, arguments not shown)"),
            "{shown}"
        );
    }
}
