//! The configuration model: what an application may set ([`Config`]) and what a session resolved
//! ([`SessionConfig`]).

use core::fmt;

use super::source::{Provenance, Resolved};
use crate::keys::Credentials;
use crate::limits::{
    MAX_APP_ID_LEN, MAX_ENDPOINT_LEN, MAX_PATH_LEN, MAX_PROFILE_NAME_LEN, MAX_REGION_LEN,
    MAX_REGION_SET_LEN, MAX_SERVICE_ENDPOINTS, MAX_SERVICE_ID_LEN,
};
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

/// What an application sets explicitly: Go v1 `aws.Config`. `None` means "not set here" and lets
/// the field fall through to the environment, the files and the defaults; `Some` wins for that
/// field only.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Region (`Config.Region`).
    pub region: Option<Text<MAX_REGION_LEN>>,
    /// Explicit credentials. When set, no credential resolution happens at all (Go v1 P17).
    pub credentials: Option<ExplicitCredentials>,
    /// Endpoint override for every client (`Config.Endpoint`).
    pub endpoint: Option<Text<MAX_ENDPOINT_LEN>>,
    /// Use `http` for endpoints without a scheme (`Config.DisableSSL`).
    pub disable_ssl: Option<bool>,
    /// Retries after the first attempt; `None` keeps the service default (Go v1 `-1`).
    pub max_retries: Option<u32>,
    /// Log level.
    pub log_level: Option<LogLevel>,
    /// FIPS endpoints (`Config.UseFIPSEndpoint`).
    pub use_fips_endpoint: Option<bool>,
    /// Dual-stack endpoints (`Config.UseDualStackEndpoint`).
    pub use_dualstack_endpoint: Option<bool>,
    /// STS endpoint in `us-east-1`.
    pub sts_regional_endpoint: Option<RegionalEndpoint>,
    /// S3 endpoint in `us-east-1`.
    pub s3_us_east_1_regional_endpoint: Option<RegionalEndpoint>,
    /// S3 path-style addressing (`Config.S3ForcePathStyle`).
    pub s3_force_path_style: Option<bool>,
    /// Let an S3 ARN's region override the client region (`Config.S3UseARNRegion`).
    pub s3_use_arn_region: Option<bool>,
    /// Application id appended to the user agent (`sdk_ua_app_id` in later SDKs).
    pub app_id: Option<Text<MAX_APP_ID_LEN>>,
    /// Region set a SigV4a signature covers (`sigv4a_signing_region_set` in later SDKs), e.g.
    /// `*`; used by the `v4a.SignRequestHandler` (feature `sigv4a`).
    pub sigv4a_signing_region_set: Option<Text<MAX_REGION_SET_LEN>>,
    /// Skip the built-in parameter validation handler (`Config.DisableParamValidation`).
    pub disable_param_validation: Option<bool>,
}

/// Credentials an application passes explicitly (Go v1 `Config.Credentials`).
#[allow(clippy::large_enum_variant)] // no heap to box into; the large variant is the common one
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplicitCredentials {
    /// Sign with these keys.
    Static(Credentials),
    /// Do not sign (Go v1 `credentials.AnonymousCredentials`).
    Anonymous,
}

impl Config {
    /// Go v1 `MergeIn`: every field that `other` sets overrides this one; unset fields stay.
    pub fn merge_in(&mut self, other: &Config) {
        fn take<T: Clone>(dst: &mut Option<T>, src: &Option<T>) {
            if let Some(v) = src {
                *dst = Some(v.clone());
            }
        }
        take(&mut self.region, &other.region);
        take(&mut self.credentials, &other.credentials);
        take(&mut self.endpoint, &other.endpoint);
        take(&mut self.disable_ssl, &other.disable_ssl);
        take(&mut self.max_retries, &other.max_retries);
        take(&mut self.log_level, &other.log_level);
        take(&mut self.use_fips_endpoint, &other.use_fips_endpoint);
        take(
            &mut self.use_dualstack_endpoint,
            &other.use_dualstack_endpoint,
        );
        take(
            &mut self.sts_regional_endpoint,
            &other.sts_regional_endpoint,
        );
        take(
            &mut self.s3_us_east_1_regional_endpoint,
            &other.s3_us_east_1_regional_endpoint,
        );
        take(&mut self.s3_force_path_style, &other.s3_force_path_style);
        take(&mut self.s3_use_arn_region, &other.s3_use_arn_region);
        take(&mut self.app_id, &other.app_id);
        take(
            &mut self.sigv4a_signing_region_set,
            &other.sigv4a_signing_region_set,
        );
        take(
            &mut self.disable_param_validation,
            &other.disable_param_validation,
        );
    }
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

/// The resolved session configuration: every value with its [`Source`](super::Source).
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Profile name that was selected.
    pub profile: Resolved<Text<MAX_PROFILE_NAME_LEN>>,
    /// Whether the shared config file was read.
    pub shared_config_loaded: bool,
    /// Region, if any source set one.
    pub region: Option<Resolved<Text<MAX_REGION_LEN>>>,
    /// Endpoint override for every service.
    pub endpoint: Option<Resolved<Text<MAX_ENDPOINT_LEN>>>,
    /// Endpoint overrides for single services (checked before [`SessionConfig::endpoint`]).
    pub service_endpoints: heapless::Vec<ServiceEndpoint, MAX_SERVICE_ENDPOINTS>,
    /// Plain `http` for endpoints without a scheme.
    pub disable_ssl: Resolved<bool>,
    /// Retries after the first attempt; `None` is the service default.
    pub max_retries: Resolved<Option<u32>>,
    /// Log level.
    pub log_level: Resolved<LogLevel>,
    /// FIPS endpoints.
    pub use_fips_endpoint: Resolved<bool>,
    /// Dual-stack endpoints.
    pub use_dualstack_endpoint: Resolved<bool>,
    /// STS endpoint in `us-east-1`.
    pub sts_regional_endpoint: Resolved<RegionalEndpoint>,
    /// S3 endpoint in `us-east-1`.
    pub s3_us_east_1_regional_endpoint: Resolved<RegionalEndpoint>,
    /// S3 path-style addressing.
    pub s3_force_path_style: Resolved<bool>,
    /// S3 ARN region use.
    pub s3_use_arn_region: Resolved<bool>,
    /// Application id for the user agent.
    pub app_id: Option<Resolved<Text<MAX_APP_ID_LEN>>>,
    /// SigV4a region set (option, `AWS_SIGV4A_SIGNING_REGION_SET`, `sigv4a_signing_region_set`).
    pub sigv4a_signing_region_set: Option<Resolved<Text<MAX_REGION_SET_LEN>>>,
    /// Custom CA bundle path (`AWS_CA_BUNDLE`, `ca_bundle`); used by TLS transports.
    pub ca_bundle: Option<Resolved<Text<MAX_PATH_LEN>>>,
    /// Skip parameter validation.
    pub disable_param_validation: Resolved<bool>,
    /// File paths and profile names that [`Source::File`](super::Source::File) refers to.
    pub provenance: Provenance,
}

impl Default for SessionConfig {
    /// Every field at its built-in default: profile `default`, no region, Go v1's legacy regional
    /// endpoints, everything else off.
    fn default() -> Self {
        fn d<T>(value: T) -> Resolved<T> {
            Resolved::new(value, super::Source::Default)
        }
        let mut profile = Text::new();
        let _ = profile.push_str(crate::profile::DEFAULT_PROFILE);
        SessionConfig {
            profile: d(profile),
            shared_config_loaded: false,
            region: None,
            endpoint: None,
            service_endpoints: heapless::Vec::new(),
            disable_ssl: d(false),
            max_retries: d(None),
            log_level: d(LogLevel::Off),
            use_fips_endpoint: d(false),
            use_dualstack_endpoint: d(false),
            sts_regional_endpoint: d(RegionalEndpoint::Legacy),
            s3_us_east_1_regional_endpoint: d(RegionalEndpoint::Legacy),
            s3_force_path_style: d(false),
            s3_use_arn_region: d(false),
            app_id: None,
            sigv4a_signing_region_set: None,
            ca_bundle: None,
            disable_param_validation: d(false),
            provenance: Provenance::default(),
        }
    }
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

impl fmt::Display for RegionalEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
