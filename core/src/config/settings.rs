//! The settings table: every setting the session reads, described once.
//!
//! Each row gives, in order: the [`Key`]; the option and resolved field name; the value kind
//! (capacity, parser, accepted values: see [`table`](super::table)); the default (`[None]` for
//! none); the `Config` builder; the environment variables, then those read only when shared
//! config loading was asked for; the config-file key and when it is read; the field named in
//! capacity errors; whether the value is secret; whether a device's flash record stores it; and
//! the merge rule. The `profile` rows are the keys the credential planner reads from the
//! selected profile and its `source_profile` chain.
//!
//! Everything else is written from these rows by the `settings!` macro of [`table`](super::table): the
//! `Config` fields and builders, the `SessionConfig` fields and defaults, the environment and
//! file layers, the merge, the `Copy`-style overrides, the list of known file keys, `configure
//! list`'s rows and the embassy adapter's flash record. Adding a plain setting is one row here
//! (and, for a new value type, one [`Kind`](super::table::Kind)); `docs/settings.md` walks
//! through one.

use super::model::{
    Ec2ImdsEndpointMode, ExplicitCredentials, LogLevel, RegionalEndpoint, ServiceEndpoint,
};
use super::table::{settings, Flag, OneOf, Secret, Switch, Txt};
use crate::limits::{
    MAX_ACCESS_KEY_ID_LEN, MAX_ACCOUNT_ID_LEN, MAX_APP_ID_LEN, MAX_COMMAND_LEN,
    MAX_CONTAINER_TOKEN_LEN, MAX_CONTAINER_URI_LEN, MAX_ENDPOINT_LEN, MAX_EXECUTION_ENV_LEN,
    MAX_EXTERNAL_ID_LEN, MAX_IOT_NAME_LEN, MAX_MFA_SERIAL_LEN, MAX_PATH_LEN, MAX_PROFILE_NAME_LEN,
    MAX_REGION_LEN, MAX_REGION_SET_LEN, MAX_ROLE_ARN_LEN, MAX_ROLE_NAME_LEN,
    MAX_ROLE_SESSION_NAME_LEN, MAX_SECRET_KEY_LEN, MAX_SERVICE_ENDPOINTS, MAX_SESSION_TOKEN_LEN,
    MAX_SETTING_LEN, MAX_SSO_START_URL_LEN, MAX_TOKEN_FILE_LEN,
};
use crate::text::{CapacityError, Field, Text};

settings! {
    session {
        /// Region (`Config.Region`, `AWS_REGION`, `region`; `AWS_DEFAULT_REGION` only when shared config loading was asked for).
        Region => region: Txt<MAX_REGION_LEN> = [None], with_region,
            env ["AWS_REGION"] ["AWS_DEFAULT_REGION"], file ["region"] WithSharedConfig, Region, secret false, device true, Layered;
        /// Endpoint override for every client (`Config.Endpoint`, `AWS_ENDPOINT_URL`, `endpoint_url`; the last two dropped by `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`).
        EndpointUrl => endpoint: Txt<MAX_ENDPOINT_LEN> = [None], with_endpoint,
            env ["AWS_ENDPOINT_URL"] [], file ["endpoint_url"] WithSharedConfig, Endpoint, secret false, device true, LayeredUnlessIgnored;
        /// STS endpoint in `us-east-1` (`AWS_STS_REGIONAL_ENDPOINTS`, `sts_regional_endpoints`).
        StsRegionalEndpoints => sts_regional_endpoint: OneOf<RegionalEndpoint> = [RegionalEndpoint::Legacy], with_sts_regional_endpoint,
            env ["AWS_STS_REGIONAL_ENDPOINTS"] [], file ["sts_regional_endpoints"] WithSharedConfig, Setting, secret false, device true, Layered;
        /// S3 endpoint in `us-east-1` (`AWS_S3_US_EAST_1_REGIONAL_ENDPOINT`, `s3_us_east_1_regional_endpoint`).
        S3UsEast1RegionalEndpoint => s3_us_east_1_regional_endpoint: OneOf<RegionalEndpoint> = [RegionalEndpoint::Legacy], with_s3_us_east_1_regional_endpoint,
            env ["AWS_S3_US_EAST_1_REGIONAL_ENDPOINT"] [], file ["s3_us_east_1_regional_endpoint"] WithSharedConfig, Setting, secret false, device true, Layered;
        /// FIPS endpoints (`Config.UseFIPSEndpoint`, `AWS_USE_FIPS_ENDPOINT`, `use_fips_endpoint`).
        UseFipsEndpoint => use_fips_endpoint: Switch = [false], with_use_fips_endpoint,
            env ["AWS_USE_FIPS_ENDPOINT"] [], file ["use_fips_endpoint"] WithSharedConfig, Setting, secret false, device true, Layered;
        /// Dual-stack endpoints (`Config.UseDualStackEndpoint`, `AWS_USE_DUALSTACK_ENDPOINT`, `use_dualstack_endpoint`).
        UseDualstackEndpoint => use_dualstack_endpoint: Switch = [false], with_use_dualstack_endpoint,
            env ["AWS_USE_DUALSTACK_ENDPOINT"] [], file ["use_dualstack_endpoint"] WithSharedConfig, Setting, secret false, device true, Layered;
        /// Let an S3 ARN's region override the client region (`Config.S3UseARNRegion`, `AWS_S3_USE_ARN_REGION`, `s3_use_arn_region`, read even with shared config off).
        S3UseArnRegion => s3_use_arn_region: Switch = [false], with_s3_use_arn_region,
            env ["AWS_S3_USE_ARN_REGION"] [], file ["s3_use_arn_region"] Always, Setting, secret false, device true, Layered;
        /// Application id appended to the user agent (`AWS_SDK_UA_APP_ID`, `sdk_ua_app_id`; later SDKs).
        SdkUaAppId => app_id: Txt<MAX_APP_ID_LEN> = [None], with_app_id,
            env ["AWS_SDK_UA_APP_ID"] [], file ["sdk_ua_app_id"] WithSharedConfig, AppId, secret false, device true, Layered;
        /// Host execution environment, appended to the user agent as `exec-env/…` (`AWS_EXECUTION_ENV`, set by Lambda, ECS, CloudShell…; environment only, as Go v1 reads it).
        ExecutionEnv => execution_env: Txt<MAX_EXECUTION_ENV_LEN> = [None], with_execution_env,
            env ["AWS_EXECUTION_ENV"] [], file [] Never, Setting, secret false, device false, Layered;
        /// Region set a SigV4a signature covers, e.g. `*` (`AWS_SIGV4A_SIGNING_REGION_SET`, `sigv4a_signing_region_set`; later SDKs).
        Sigv4aSigningRegionSet => sigv4a_signing_region_set: Txt<MAX_REGION_SET_LEN> = [None], with_sigv4a_signing_region_set,
            env ["AWS_SIGV4A_SIGNING_REGION_SET"] [], file ["sigv4a_signing_region_set"] WithSharedConfig, RegionSet, secret false, device false, Layered;
        /// Custom CA bundle path for TLS transports (`AWS_CA_BUNDLE`, `ca_bundle`).
        CaBundle => ca_bundle: Txt<MAX_PATH_LEN> = [None], with_ca_bundle,
            env ["AWS_CA_BUNDLE"] [], file ["ca_bundle"] WithSharedConfig, Path, secret false, device false, Layered;
        /// Client certificate chain (PEM file path) for mutual TLS, with its key (Go v1 `Options.ClientTLSCert`, `AWS_SDK_GO_CLIENT_TLS_CERT`; one without the other fails creation).
        ClientTlsCert => client_tls_cert: Txt<MAX_PATH_LEN> = [None], with_client_tls_cert,
            env ["AWS_SDK_GO_CLIENT_TLS_CERT"] [], file [] Never, Path, secret false, device false, Layered;
        /// Private key (PEM file path) of the client certificate (Go v1 `Options.ClientTLSKey`, `AWS_SDK_GO_CLIENT_TLS_KEY`).
        ClientTlsKey => client_tls_key: Txt<MAX_PATH_LEN> = [None], with_client_tls_key,
            env ["AWS_SDK_GO_CLIENT_TLS_KEY"] [], file [] Never, Path, secret false, device false, Layered;
        /// EC2 instance metadata endpoint (Go v1 `Options.EC2IMDSEndpoint`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`, `ec2_metadata_service_endpoint`).
        Ec2MetadataServiceEndpoint => ec2_imds_endpoint: Txt<MAX_ENDPOINT_LEN> = [None], with_ec2_imds_endpoint,
            env ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] [], file ["ec2_metadata_service_endpoint"] WithSharedConfig, Endpoint, secret false, device false, Layered;
        /// EC2 instance metadata endpoint mode when no endpoint is set (Go v1 `Options.EC2IMDSEndpointMode`, `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, `ec2_metadata_service_endpoint_mode`).
        Ec2MetadataServiceEndpointMode => ec2_imds_endpoint_mode: OneOf<Ec2ImdsEndpointMode> = [Ec2ImdsEndpointMode::IPv4], with_ec2_imds_endpoint_mode,
            env ["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] [], file ["ec2_metadata_service_endpoint_mode"] WithSharedConfig, Setting, secret false, device false, Layered;
        /// No fallback to IMDSv1 when the IMDSv2 token request fails (Go v1 `Config.EC2MetadataEnableFallback` inverted, `AWS_EC2_METADATA_V1_DISABLED`, `ec2_metadata_v1_disabled`; another value in the variable is ignored, as Go v1 does).
        Ec2MetadataV1Disabled => ec2_imds_v1_disabled: Flag = [false], with_ec2_imds_v1_disabled,
            env ["AWS_EC2_METADATA_V1_DISABLED"] [], file ["ec2_metadata_v1_disabled"] WithSharedConfig, Setting, secret false, device false, Layered;
        /// Every EC2 instance metadata call fails (`AWS_EC2_METADATA_DISABLED`: a value equal to `true` in any case; Go v1 has no option or file key).
        Ec2MetadataDisabled => ec2_imds_disabled: Flag = [false], with_ec2_imds_disabled,
            env ["AWS_EC2_METADATA_DISABLED"] [], file [] Never, Setting, secret false, device false, Layered;
        /// Container credentials endpoint, any host with `https`, loopback or the ECS/EKS hosts with `http` (`AWS_CONTAINER_CREDENTIALS_FULL_URI`; beats the relative URI).
        ContainerCredentialsFullUri => container_credentials_full_uri: Txt<MAX_CONTAINER_URI_LEN> = [None], with_container_credentials_full_uri,
            env ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] [], file [] Never, Endpoint, secret false, device false, Layered;
        /// Container credentials path on `http://169.254.170.2` (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`; also what `credential_source = EcsContainer` needs).
        ContainerCredentialsRelativeUri => container_credentials_relative_uri: Txt<MAX_CONTAINER_URI_LEN> = [None], with_container_credentials_relative_uri,
            env ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] [], file [] Never, Endpoint, secret false, device false, Layered;
        /// `Authorization` header for the container credentials endpoint (`AWS_CONTAINER_AUTHORIZATION_TOKEN`; secret).
        ContainerAuthorizationToken => container_authorization_token: Secret<MAX_CONTAINER_TOKEN_LEN> = [None], with_container_authorization_token,
            env ["AWS_CONTAINER_AUTHORIZATION_TOKEN"] [], file [] Never, Setting, secret true, device false, Layered;
        /// File holding the `Authorization` header, read again on every fetch and beating the plain token (`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, EKS Pod Identity).
        ContainerAuthorizationTokenFile => container_authorization_token_file: Txt<MAX_TOKEN_FILE_LEN> = [None], with_container_authorization_token_file,
            env ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] [], file [] Never, Path, secret false, device false, Layered;
        /// Plain `http` for endpoints without a scheme (`Config.DisableSSL`).
        DisableSsl => disable_ssl: OneOf<bool> = [false], with_disable_ssl,
            env [] [], file [] Never, Setting, secret false, device false, Layered;
        /// Retries after the first attempt; unset keeps the service default (`Config.MaxRetries`).
        MaxRetries => max_retries: OneOf<u32> = [None], with_max_retries,
            env [] [], file [] Never, Setting, secret false, device false, Layered;
        /// Log level (`Config.LogLevel`).
        LogLevel => log_level: OneOf<LogLevel> = [LogLevel::Off], with_log_level,
            env [] [], file [] Never, Setting, secret false, device false, Layered;
        /// S3 path-style addressing (`Config.S3ForcePathStyle`).
        S3ForcePathStyle => s3_force_path_style: OneOf<bool> = [false], with_s3_force_path_style,
            env [] [], file [] Never, Setting, secret false, device false, Layered;
        /// Skip the built-in parameter validation handler (`Config.DisableParamValidation`).
        DisableParamValidation => disable_param_validation: OneOf<bool> = [false], with_disable_param_validation,
            env [] [], file [] Never, Setting, secret false, device false, Layered;
    }
    profile {
        /// `aws_access_key_id` (read with the secret as a group, from one section of one file).
        AccessKeyId => aws_access_key_id: Txt<MAX_ACCESS_KEY_ID_LEN>,
            env ["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"], file ["aws_access_key_id"] Always, AccessKeyId, secret false, device true;
        /// `aws_secret_access_key` (secret).
        SecretAccessKey => aws_secret_access_key: Txt<MAX_SECRET_KEY_LEN>,
            env ["AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"], file ["aws_secret_access_key"] Always, SecretAccessKey, secret true, device true;
        /// `aws_session_token` (secret).
        SessionToken => aws_session_token: Txt<MAX_SESSION_TOKEN_LEN>,
            env ["AWS_SESSION_TOKEN"], file ["aws_session_token"] Always, SessionToken, secret true, device true;
        /// `credential_process`: a command that prints credentials.
        CredentialProcess => credential_process: Txt<MAX_COMMAND_LEN>,
            env [], file ["credential_process"] Always, Setting, secret false, device false;
        /// `web_identity_token_file`: an OIDC token to exchange for role credentials (on a device, the name of the token the application hands to its credential cache).
        WebIdentityTokenFile => web_identity_token_file: Txt<MAX_TOKEN_FILE_LEN>,
            env ["AWS_WEB_IDENTITY_TOKEN_FILE"], file ["web_identity_token_file"] Always, Setting, secret false, device true;
        /// `role_arn`: the role to assume.
        RoleArn => role_arn: Txt<MAX_ROLE_ARN_LEN>,
            env ["AWS_ROLE_ARN"], file ["role_arn"] WithSharedConfig, RoleArn, secret false, device true;
        /// `source_profile`: the profile whose credentials assume the role.
        SourceProfile => source_profile: Txt<MAX_PROFILE_NAME_LEN>,
            env [], file ["source_profile"] WithSharedConfig, Profile, secret false, device true;
        /// `credential_source`: `Environment`, `Ec2InstanceMetadata` or `EcsContainer`.
        CredentialSource => credential_source: Txt<MAX_SETTING_LEN>,
            env [], file ["credential_source"] WithSharedConfig, Setting, secret false, device true;
        /// `role_session_name`.
        RoleSessionName => role_session_name: Txt<MAX_ROLE_SESSION_NAME_LEN>,
            env ["AWS_ROLE_SESSION_NAME"], file ["role_session_name"] WithSharedConfig, RoleParam, secret false, device true;
        /// `external_id`.
        ExternalId => external_id: Txt<MAX_EXTERNAL_ID_LEN>,
            env [], file ["external_id"] WithSharedConfig, RoleParam, secret false, device true;
        /// `mfa_serial`: needs an assume-role token provider.
        MfaSerial => mfa_serial: Txt<MAX_MFA_SERIAL_LEN>,
            env [], file ["mfa_serial"] WithSharedConfig, RoleParam, secret false, device true;
        /// `duration_seconds` of an assumed role (a non-integer is unset, as Go v1 reads it).
        DurationSeconds => duration_seconds: OneOf<u32>,
            env [], file ["duration_seconds"] WithSharedConfig, Setting, secret false, device true;
        /// `sso_session`: the `[sso-session NAME]` section to use.
        SsoSession => sso_session: Txt<MAX_SETTING_LEN>,
            env [], file ["sso_session"] WithSharedConfig, Setting, secret false, device false;
        /// `sso_start_url`.
        SsoStartUrl => sso_start_url: Txt<MAX_SSO_START_URL_LEN>,
            env [], file ["sso_start_url"] WithSharedConfig, Setting, secret false, device false;
        /// `sso_region`.
        SsoRegion => sso_region: Txt<MAX_REGION_LEN>,
            env [], file ["sso_region"] WithSharedConfig, Region, secret false, device false;
        /// `sso_account_id`.
        SsoAccountId => sso_account_id: Txt<MAX_ACCOUNT_ID_LEN>,
            env [], file ["sso_account_id"] WithSharedConfig, Setting, secret false, device false;
        /// `sso_role_name`.
        SsoRoleName => sso_role_name: Txt<MAX_ROLE_NAME_LEN>,
            env [], file ["sso_role_name"] WithSharedConfig, Setting, secret false, device false;
        /// `iot_credentials_endpoint`: the AWS IoT credentials provider of the account (`host`, `host:port` or an `https://` URL; `aws iot describe-endpoint --endpoint-type iot:CredentialProvider`). With `iot_role_alias`, the profile's credentials come from it.
        IotCredentialsEndpoint => iot_credentials_endpoint: Txt<MAX_ENDPOINT_LEN>,
            env [], file ["iot_credentials_endpoint"] WithSharedConfig, Endpoint, secret false, device true;
        /// `iot_role_alias`: the role alias the IoT credentials provider assumes.
        IotRoleAlias => iot_role_alias: Txt<MAX_IOT_NAME_LEN>,
            env [], file ["iot_role_alias"] WithSharedConfig, Setting, secret false, device true;
        /// `iot_thing_name`: sent as `x-amzn-iot-thingname` (the role alias's policy may require it).
        IotThingName => iot_thing_name: Txt<MAX_IOT_NAME_LEN>,
            env [], file ["iot_thing_name"] WithSharedConfig, Setting, secret false, device true;
        /// `iot_certificate`: the device certificate (PEM file) presented to the IoT credentials provider.
        IotCertificate => iot_certificate: Txt<MAX_PATH_LEN>,
            env [], file ["iot_certificate"] WithSharedConfig, Path, secret false, device false;
        /// `iot_private_key`: the device certificate's private key (PEM file).
        IotPrivateKey => iot_private_key: Txt<MAX_PATH_LEN>,
            env [], file ["iot_private_key"] WithSharedConfig, Path, secret false, device false;
    }
}

impl Config {
    /// Nothing set: every setting falls through to the environment, the files and the defaults.
    /// Chain the `with_…` builders to set options:
    ///
    /// ```
    /// use aws_session_core::config::Config;
    ///
    /// let config = Config::new().with_region("eu-central-1")?.with_use_fips_endpoint(true)?;
    /// assert_eq!(config.region.as_deref(), Some("eu-central-1"));
    ///
    /// // A value longer than the setting holds is a typed error naming the limit.
    /// let err = Config::new().with_region(&"x".repeat(64)).unwrap_err();
    /// assert_eq!(err.limit, aws_session_core::limits::MAX_REGION_LEN);
    /// # Ok::<(), aws_session_core::text::CapacityError>(())
    /// ```
    pub fn new() -> Self {
        Config::default()
    }

    /// Signs with `credentials`; no credential resolution happens (Go v1 `Config.Credentials`
    /// with static credentials).
    pub fn with_credentials(mut self, credentials: crate::keys::Credentials) -> Self {
        self.credentials = Some(ExplicitCredentials::Static(credentials));
        self
    }

    /// Never signs (Go v1 `credentials.AnonymousCredentials`).
    pub fn with_anonymous_credentials(mut self) -> Self {
        self.credentials = Some(ExplicitCredentials::Anonymous);
        self
    }

    /// Credentials from `provider`, asked whenever the session's cache needs new ones (Go v1
    /// `Config.Credentials` with a custom `credentials.Provider`).
    pub fn with_credentials_provider(
        mut self,
        provider: &'static dyn crate::keys::Provider,
    ) -> Self {
        self.credentials = Some(ExplicitCredentials::Provider(crate::keys::ProviderRef(
            provider,
        )));
        self
    }
}

impl Key {
    /// Every key, in table order.
    pub fn all() -> impl Iterator<Item = Key> {
        SETTINGS.iter().map(|s| s.key)
    }

    /// The key whose config-file key is `name` (ASCII case ignored, as the files do).
    pub fn from_file_key(name: &str) -> Option<Key> {
        SETTINGS
            .iter()
            .find(|s| s.file_key.is_some_and(|k| crate::profile::key_eq(name, k)))
            .map(|s| s.key)
    }

    /// The config-file key, or the field name for option-only settings.
    pub fn name(self) -> &'static str {
        let info = self.info();
        info.file_key.unwrap_or(info.name)
    }
}

impl core::fmt::Display for Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests of the settings table (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use crate::config::table::{Merge, Read};
    use crate::config::Source;

    selftests! {
        fn rows_are_consistent() {
            for (i, row) in SETTINGS.iter().enumerate() {
                // Key order is table order, and every key finds its own row.
                assert_eq!(row.key as usize, i, "{}", row.name);
                assert!(core::ptr::eq(row.key.info(), row) || row.key.info() == row);
                // A file key is unique and finds its row, whatever its case.
                if let Some(k) = row.file_key {
                    assert_eq!(Key::from_file_key(k), Some(row.key));
                    let mut upper = crate::text::Text::<64>::new();
                    for c in k.chars() {
                        let _ = upper.push(c.to_ascii_uppercase());
                    }
                    assert_eq!(Key::from_file_key(&upper), Some(row.key));
                    assert_ne!(row.read, Read::Never, "{k}");
                } else {
                    assert_eq!(row.read, Read::Never, "{}", row.name);
                }
                // No variable or file key belongs to two rows.
                for other in SETTINGS.iter().skip(i + 1) {
                    assert!(row.file_key.is_none() || row.file_key != other.file_key);
                    for v in row.env.iter().chain(row.env_when_loading) {
                        assert!(!other.env.contains(v) && !other.env_when_loading.contains(v), "{v}");
                    }
                }
                // What a device stores and what is secret can be written to a file.
                assert!(!row.device || row.file_key.is_some(), "{}", row.name);
                // A secret outside the credential keys is never read from a file (and its kind
                // redacts it: `session_tests` checks every secret row's listing).
                assert!(!row.secret || row.merge == Merge::Credentials || row.read == Read::Never, "{}", row.name);
            }
            assert_eq!(Key::from_file_key("no_such_key"), None);
            assert_eq!(Key::all().count(), SETTINGS.len());
        }

        fn builders_set_options_and_refuse_overflow() {
            let c = Config::new()
                .with_region("eu-central-1")
                .and_then(|c| c.with_use_fips_endpoint(true))
                .and_then(|c| c.with_max_retries(2))
                .and_then(|c| c.with_sts_regional_endpoint(RegionalEndpoint::Regional))
                .and_then(|c| c.with_endpoint(""))
                .unwrap();
            assert_eq!(c.region.as_deref(), Some("eu-central-1"));
            assert_eq!(c.use_fips_endpoint, Some(true));
            assert_eq!(c.max_retries, Some(2));
            assert_eq!(c.sts_regional_endpoint, Some(RegionalEndpoint::Regional));
            assert_eq!(c.endpoint, None, "an empty text is unset, as in Go v1");
            let long = [b'x'; MAX_REGION_LEN + 1];
            let err = Config::new().with_region(core::str::from_utf8(&long).unwrap()).unwrap_err();
            assert_eq!((err.field, err.limit, err.len), (Field::Region, MAX_REGION_LEN, MAX_REGION_LEN + 1));
        }

        fn merge_in_and_overrides_cover_every_option() {
            // Every option the builders can set survives merge_in and reaches the resolved
            // configuration through the overrides, sourced as an option.
            let all = Config::new()
                .with_region("r1")
                .and_then(|c| c.with_endpoint("http://127.0.0.1:1"))
                .and_then(|c| c.with_sts_regional_endpoint(RegionalEndpoint::Regional))
                .and_then(|c| c.with_s3_us_east_1_regional_endpoint(RegionalEndpoint::Regional))
                .and_then(|c| c.with_use_fips_endpoint(true))
                .and_then(|c| c.with_use_dualstack_endpoint(true))
                .and_then(|c| c.with_s3_use_arn_region(true))
                .and_then(|c| c.with_app_id("app"))
                .and_then(|c| c.with_sigv4a_signing_region_set("*"))
                .and_then(|c| c.with_ca_bundle("/ca.pem"))
                .and_then(|c| c.with_disable_ssl(true))
                .and_then(|c| c.with_max_retries(1))
                .and_then(|c| c.with_log_level(LogLevel::Debug))
                .and_then(|c| c.with_s3_force_path_style(true))
                .and_then(|c| c.with_disable_param_validation(true))
                .unwrap();
            let mut merged = Config::new();
            merged.merge_in(&all);
            let mut resolved = SessionConfig::default();
            apply_settings(&mut resolved, &merged);
            let mut seen = 0;
            resolved.visit(&mut |info, value| match value {
                Some(v) if v.source == Source::Option => seen += 1,
                // A row this test has no builder call for keeps its default.
                v => assert!(v.is_none_or(|v| v.source == Source::Default), "{}", info.name),
            });
            assert_eq!(seen, 15, "every option set above reached the resolved configuration");
            // Unset options leave the defaults alone.
            let mut defaults = SessionConfig::default();
            apply_settings(&mut defaults, &Config::new());
            defaults.visit(&mut |info, value| {
                if let Some(v) = value {
                    assert_eq!(v.source, Source::Default, "{}", info.name);
                }
            });
        }
    }
}
