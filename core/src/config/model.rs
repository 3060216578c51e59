//! The value types of the configuration: the choices settings take ([`RegionalEndpoint`],
//! [`LogLevel`], [`SharedConfigState`]), explicit credentials and per-service endpoints. The
//! structs that hold the settings, [`Config`](super::Config) and [`SessionConfig`], are written from the settings table.

use core::fmt;

use super::settings::SessionConfig;
use super::source::Resolved;
use crate::keys::Credentials;
use crate::limits::{MAX_ENDPOINT_LEN, MAX_SERVICE_ID_LEN};
use crate::text::Text;

/// Go v1 `endpoints.RegionalEndpoint` for STS and S3 in `us-east-1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RegionalEndpoint {
    /// The global endpoint for the legacy regions (`sts.amazonaws.com`): Go v1's default.
    #[default]
    Legacy,
    /// Always the regional endpoint (`sts.us-east-1.amazonaws.com`).
    Regional,
}

impl RegionalEndpoint {
    /// Parses `legacy` / `regional`, ignoring ASCII case (Go v1's rule for env and files).
    pub fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("legacy") {
            Some(RegionalEndpoint::Legacy)
        } else if s.eq_ignore_ascii_case("regional") {
            Some(RegionalEndpoint::Regional)
        } else {
            None
        }
    }

    /// `legacy` or `regional`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RegionalEndpoint::Legacy => "legacy",
            RegionalEndpoint::Regional => "regional",
        }
    }
}

/// How the EC2 instance metadata service is reached when no endpoint is set (Go v1
/// `endpoints.EC2IMDSEndpointModeState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Ec2ImdsEndpointMode {
    /// `http://169.254.169.254` (the default).
    #[default]
    IPv4,
    /// `http://[fd00:ec2::254]`.
    IPv6,
}

impl Ec2ImdsEndpointMode {
    /// Parses `IPv4` / `IPv6` in any case, surrounding whitespace ignored (Go v1's rule).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("ipv4") {
            Some(Ec2ImdsEndpointMode::IPv4)
        } else if s.eq_ignore_ascii_case("ipv6") {
            Some(Ec2ImdsEndpointMode::IPv6)
        } else {
            None
        }
    }

    /// `IPv4` or `IPv6`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Ec2ImdsEndpointMode::IPv4 => "IPv4",
            Ec2ImdsEndpointMode::IPv6 => "IPv6",
        }
    }
}

impl fmt::Display for Ec2ImdsEndpointMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Log verbosity (Go v1 `aws.LogLevel`, as a level rather than bit flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LogLevel {
    /// No logging (Go v1 `LogOff`, the default).
    #[default]
    Off,
    /// Request summaries and retries.
    Debug,
    /// Also the canonical request and string to sign (secrets are still never shown).
    DebugWithSigning,
    /// Also HTTP headers and bodies (bodies of credential calls are never shown).
    DebugWithHttpBody,
}

/// Credentials an application passes explicitly (Go v1 `Config.Credentials`).
#[allow(clippy::large_enum_variant)] // no heap to box into; the large variant is the common one
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplicitCredentials {
    /// Sign with these keys.
    Static(Credentials),
    /// Do not sign (Go v1 `credentials.AnonymousCredentials`).
    Anonymous,
    /// Ask this provider, through the session's credential cache (Go v1 `Config.Credentials`
    /// made from any `credentials.Provider`).
    Provider(crate::keys::ProviderRef),
}

/// Whether the shared config file is read (Go v1 `SharedConfigState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SharedConfigState {
    /// Decided by `AWS_SDK_LOAD_CONFIG` (Go's `ParseBool` truthy set).
    #[default]
    FromEnv,
    /// Never read the config file; only the "always" keys of the credentials file count.
    Disable,
    /// Read it, as if `AWS_SDK_LOAD_CONFIG` were truthy (also enables `AWS_DEFAULT_REGION`/`_PROFILE`).
    Enable,
}

/// An endpoint override for one service (`AWS_ENDPOINT_URL_<SERVICE>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEndpoint {
    /// The service id as written in the variable suffix, upper case (`DYNAMODB`, `S3`).
    pub service: Text<MAX_SERVICE_ID_LEN>,
    /// The endpoint URL and where it came from.
    pub endpoint: Resolved<Text<MAX_ENDPOINT_LEN>>,
}

impl SessionConfig {
    /// The endpoint override for `service` (matched like `AWS_ENDPOINT_URL_<SERVICE>`: case and
    /// `-`/`_`/space ignored), else the global one.
    pub fn endpoint_for(&self, service: &str) -> Option<&Resolved<Text<MAX_ENDPOINT_LEN>>> {
        self.service_endpoints
            .iter()
            .find(|e| service_id_eq(&e.service, service))
            .map(|e| &e.endpoint)
            .or(self.endpoint.as_ref())
    }
}

/// Compares service ids the way `AWS_ENDPOINT_URL_<SERVICE>` names them: ASCII case-insensitive,
/// with `-`, `_` and spaces treated alike.
pub fn service_id_eq(a: &str, b: &str) -> bool {
    fn norm(c: u8) -> u8 {
        match c {
            b'-' | b' ' => b'_',
            c => c.to_ascii_uppercase(),
        }
    }
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| norm(x) == norm(y))
}

impl LogLevel {
    /// The level's name: `off`, `debug`, `debug-with-signing`, `debug-with-http-body`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LogLevel::Off => "off",
            LogLevel::Debug => "debug",
            LogLevel::DebugWithSigning => "debug-with-signing",
            LogLevel::DebugWithHttpBody => "debug-with-http-body",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Display for RegionalEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
