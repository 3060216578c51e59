//! One stored profile: its settings ([`ProfileData`]) and their record format in flash.
//!
//! # Record format (version 1)
//!
//! A record is one JSON object, written with `serde-json-core`, whose keys are the `~/.aws/config`
//! key names of the settings that are set, after a format version `"v"`:
//!
//! ```json
//! {"v":1,"region":"eu-west-1","aws_access_key_id":"AKIDEXAMPLE","aws_secret_access_key":"…"}
//! ```
//!
//! * Keys appear in [`Setting::ALL`] order; unset settings are left out. A reader ignores keys it
//!   does not know (a newer firmware may add some) and refuses a record whose `"v"` is not 1.
//! * Values are JSON strings that never need an escape: [`ProfileData::set`] refuses `"`, `\` and
//!   control characters (no AWS value contains them), so a record decodes without copying — every
//!   value borrows the read buffer — and renders back to config text unchanged.
//! * A record is at most [`MAX_PROFILE_RECORD_LEN`] bytes.
//! * Integrity is the storage's job: sequential-storage keeps a CRC of every item's length and data
//!   and ignores items that fail it (a write cut by a power loss). A record that passes the CRC but
//!   does not decode — an unknown version, a bit pattern the CRC missed — is reported as
//!   [`super::ReadError::Corrupt`] and skipped by listings.
//!
//! JSON costs about 30 % more bytes than a binary encoding, but a record can be read with any tool
//! from a flash dump during bring-up, and `serde-json-core` is small (a few KiB of code).

use core::fmt;

use crate::limits::MAX_PROFILE_RECORD_LEN;
use aws_session_core::credentials::Credentials;
use aws_session_core::limits::{
    MAX_ACCESS_KEY_ID_LEN, MAX_APP_ID_LEN, MAX_ENDPOINT_LEN, MAX_PROFILE_NAME_LEN, MAX_REGION_LEN,
    MAX_ROLE_ARN_LEN, MAX_ROLE_PARAM_LEN, MAX_SECRET_KEY_LEN, MAX_SESSION_TOKEN_LEN,
    MAX_SETTING_LEN,
};
use aws_session_core::text::CapacityError;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The record format version this crate writes and reads.
pub const FORMAT_VERSION: u8 = 1;

/// A setting a stored profile may hold, named by its `~/.aws/config` key.
///
/// These are the keys a device can use: static keys, region and endpoint, role chaining and the
/// endpoint switches. Keys that need a desktop (`credential_process`, `sso_*`,
/// `web_identity_token_file`, `ca_bundle`) are not stored; an import counts them as skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Setting {
    /// `region`.
    Region,
    /// `aws_access_key_id`.
    AccessKeyId,
    /// `aws_secret_access_key` (secret).
    SecretAccessKey,
    /// `aws_session_token` (secret).
    SessionToken,
    /// `endpoint_url`.
    EndpointUrl,
    /// `role_arn`.
    RoleArn,
    /// `source_profile`.
    SourceProfile,
    /// `credential_source`.
    CredentialSource,
    /// `role_session_name`.
    RoleSessionName,
    /// `external_id`.
    ExternalId,
    /// `mfa_serial`.
    MfaSerial,
    /// `duration_seconds`.
    DurationSeconds,
    /// `sts_regional_endpoints`.
    StsRegionalEndpoints,
    /// `s3_us_east_1_regional_endpoint`.
    S3UsEast1RegionalEndpoint,
    /// `use_fips_endpoint`.
    UseFipsEndpoint,
    /// `use_dualstack_endpoint`.
    UseDualstackEndpoint,
    /// `s3_use_arn_region`.
    S3UseArnRegion,
    /// `sdk_ua_app_id`.
    SdkUaAppId,
}

/// How many settings there are.
const COUNT: usize = 18;

impl Setting {
    /// Every setting, in record order.
    pub const ALL: [Setting; COUNT] = [
        Setting::Region,
        Setting::AccessKeyId,
        Setting::SecretAccessKey,
        Setting::SessionToken,
        Setting::EndpointUrl,
        Setting::RoleArn,
        Setting::SourceProfile,
        Setting::CredentialSource,
        Setting::RoleSessionName,
        Setting::ExternalId,
        Setting::MfaSerial,
        Setting::DurationSeconds,
        Setting::StsRegionalEndpoints,
        Setting::S3UsEast1RegionalEndpoint,
        Setting::UseFipsEndpoint,
        Setting::UseDualstackEndpoint,
        Setting::S3UseArnRegion,
        Setting::SdkUaAppId,
    ];

    /// The `~/.aws/config` key.
    pub const fn key(self) -> &'static str {
        match self {
            Setting::Region => "region",
            Setting::AccessKeyId => "aws_access_key_id",
            Setting::SecretAccessKey => "aws_secret_access_key",
            Setting::SessionToken => "aws_session_token",
            Setting::EndpointUrl => "endpoint_url",
            Setting::RoleArn => "role_arn",
            Setting::SourceProfile => "source_profile",
            Setting::CredentialSource => "credential_source",
            Setting::RoleSessionName => "role_session_name",
            Setting::ExternalId => "external_id",
            Setting::MfaSerial => "mfa_serial",
            Setting::DurationSeconds => "duration_seconds",
            Setting::StsRegionalEndpoints => "sts_regional_endpoints",
            Setting::S3UsEast1RegionalEndpoint => "s3_us_east_1_regional_endpoint",
            Setting::UseFipsEndpoint => "use_fips_endpoint",
            Setting::UseDualstackEndpoint => "use_dualstack_endpoint",
            Setting::S3UseArnRegion => "s3_use_arn_region",
            Setting::SdkUaAppId => "sdk_ua_app_id",
        }
    }

    /// The setting for a config key, ignoring ASCII case as the config files do.
    pub fn from_key(key: &str) -> Option<Setting> {
        Setting::ALL
            .iter()
            .copied()
            .find(|s| s.key().eq_ignore_ascii_case(key))
    }

    /// True for the secret access key and the session token.
    pub const fn is_secret(self) -> bool {
        matches!(self, Setting::SecretAccessKey | Setting::SessionToken)
    }

    /// The longest value accepted, from core's limits for the same value.
    pub const fn max_len(self) -> usize {
        match self {
            Setting::Region => MAX_REGION_LEN,
            Setting::AccessKeyId => MAX_ACCESS_KEY_ID_LEN,
            Setting::SecretAccessKey => MAX_SECRET_KEY_LEN,
            Setting::SessionToken => MAX_SESSION_TOKEN_LEN,
            Setting::EndpointUrl => MAX_ENDPOINT_LEN,
            Setting::RoleArn => MAX_ROLE_ARN_LEN,
            Setting::SourceProfile => MAX_PROFILE_NAME_LEN,
            Setting::RoleSessionName | Setting::ExternalId | Setting::MfaSerial => {
                MAX_ROLE_PARAM_LEN
            }
            Setting::SdkUaAppId => MAX_APP_ID_LEN,
            _ => MAX_SETTING_LEN,
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Why a value cannot be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ValueError {
    /// The value is empty (leave the setting unset instead).
    Empty {
        /// The setting.
        setting: Setting,
    },
    /// The value is longer than [`Setting::max_len`].
    TooLong {
        /// The setting.
        setting: Setting,
        /// The limit.
        limit: usize,
        /// The length offered.
        len: usize,
    },
    /// The value holds a character no AWS value has and the record format refuses: `"`, `\`, a
    /// control character, leading or trailing whitespace, or a ` #`/` ;` that would read back as
    /// a comment.
    InvalidCharacter {
        /// The setting.
        setting: Setting,
        /// Byte offset of the first offending character.
        at: usize,
    },
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueError::Empty { setting } => write!(f, "{setting} is empty"),
            ValueError::TooLong {
                setting,
                limit,
                len,
            } => {
                write!(
                    f,
                    "{setting} is {len} bytes long, over the limit of {limit}"
                )
            }
            ValueError::InvalidCharacter { setting, at } => {
                write!(
                    f,
                    "{setting} has a character that cannot be stored at byte {at}"
                )
            }
        }
    }
}

impl core::error::Error for ValueError {}

/// Checks `value` for `setting` (see [`ValueError`]).
fn check_value(setting: Setting, value: &str) -> Result<(), ValueError> {
    if value.is_empty() {
        return Err(ValueError::Empty { setting });
    }
    if value.len() > setting.max_len() {
        return Err(ValueError::TooLong {
            setting,
            limit: setting.max_len(),
            len: value.len(),
        });
    }
    let bytes = value.as_bytes();
    let mut prev_space = false;
    for (at, &b) in bytes.iter().enumerate() {
        let bad = b == b'"'
            || b == b'\\'
            || b.is_ascii_control()
            || (prev_space && (b == b'#' || b == b';'))
            || ((at == 0 || at + 1 == bytes.len()) && b == b' ');
        if bad {
            return Err(ValueError::InvalidCharacter { setting, at });
        }
        prev_space = b == b' ';
    }
    Ok(())
}

/// The settings of one profile, borrowed from wherever they live: config text being imported, the
/// store's read buffer, or the application's constants.
///
/// `Debug` shows which settings are set and every value except the secret ones, which are shown
/// as `** redacted **`. Read secrets only through [`ProfileData::expose`] or
/// [`ProfileData::credentials`].
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct ProfileData<'a> {
    values: [Option<&'a str>; COUNT],
}

impl<'a> ProfileData<'a> {
    /// A profile with nothing set.
    pub const fn new() -> Self {
        ProfileData {
            values: [None; COUNT],
        }
    }

    /// Sets `setting` to `value`, replacing an earlier value.
    ///
    /// # Errors
    /// [`ValueError`] when the value is empty, too long, or has a character the record format
    /// refuses; the profile is then unchanged.
    pub fn set(&mut self, setting: Setting, value: &'a str) -> Result<(), ValueError> {
        check_value(setting, value)?;
        if let Some(slot) = self.values.get_mut(setting.index()) {
            *slot = Some(value);
        }
        Ok(())
    }

    /// Like [`ProfileData::set`], by value (for building a profile in one expression).
    ///
    /// # Errors
    /// As [`ProfileData::set`].
    pub fn with(mut self, setting: Setting, value: &'a str) -> Result<Self, ValueError> {
        self.set(setting, value)?;
        Ok(self)
    }

    /// Unsets `setting`.
    pub fn clear(&mut self, setting: Setting) {
        if let Some(slot) = self.values.get_mut(setting.index()) {
            *slot = None;
        }
    }

    /// The value of a non-secret setting; `None` when unset **or secret** (use
    /// [`ProfileData::expose`] for secrets).
    pub fn get(&self, setting: Setting) -> Option<&'a str> {
        if setting.is_secret() {
            return None;
        }
        self.expose(setting)
    }

    /// The value of any setting, secrets included. Call only where a secret must be used.
    pub fn expose(&self, setting: Setting) -> Option<&'a str> {
        self.values.get(setting.index()).copied().flatten()
    }

    /// True when `setting` has a value.
    pub fn is_set(&self, setting: Setting) -> bool {
        self.expose(setting).is_some()
    }

    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.values.iter().all(Option::is_none)
    }

    /// Every set value with its setting, in record order (secrets exposed).
    pub fn iter_exposed(&self) -> impl Iterator<Item = (Setting, &'a str)> + '_ {
        Setting::ALL
            .iter()
            .filter_map(move |s| self.expose(*s).map(|v| (*s, v)))
    }

    /// The static credentials of this profile (access key id, secret, optional token), as core's
    /// secret-holding type; `None` without both an access key id and a secret.
    ///
    /// # Errors
    /// Never for a value accepted by [`ProfileData::set`]; the `Result` keeps the no-panic rule.
    pub fn credentials(&self) -> Result<Option<Credentials>, CapacityError> {
        match (
            self.expose(Setting::AccessKeyId),
            self.expose(Setting::SecretAccessKey),
        ) {
            (Some(id), Some(secret)) => {
                Credentials::new(id, secret, self.expose(Setting::SessionToken)).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Encodes the record (see the module docs) into `buf`, returning its length.
    ///
    /// # Errors
    /// [`EncodeError`] when `buf` is too small or the record would exceed
    /// [`MAX_PROFILE_RECORD_LEN`].
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        let limit = buf.len().min(MAX_PROFILE_RECORD_LEN);
        let out = buf.get_mut(..limit).ok_or(EncodeError { limit })?;
        serde_json_core::to_slice(self, out).map_err(|_| EncodeError { limit })
    }

    /// Decodes a record written by [`ProfileData::encode`]; values borrow `bytes`.
    ///
    /// # Errors
    /// [`DecodeError`] for anything that is not a version-1 record with valid values.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        match serde_json_core::from_slice::<ProfileData<'a>>(bytes) {
            Ok((data, used)) if used == bytes.len() => Ok(data),
            _ => Err(DecodeError),
        }
    }
}

impl fmt::Debug for ProfileData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (setting, value) in self.iter_exposed() {
            if setting.is_secret() {
                m.entry(&setting.key(), &format_args!("** redacted **"));
            } else {
                m.entry(&setting.key(), &value);
            }
        }
        m.finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for ProfileData<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "ProfileData {{");
        for (setting, value) in self.iter_exposed() {
            if setting.is_secret() {
                defmt::write!(f, " {}: ** redacted **", setting.key());
            } else {
                defmt::write!(f, " {}: {}", setting.key(), value);
            }
        }
        defmt::write!(f, " }}");
    }
}

/// A record did not fit its buffer or [`MAX_PROFILE_RECORD_LEN`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EncodeError {
    /// The space that was available.
    pub limit: usize,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the profile record does not fit in {} bytes (MAX_PROFILE_RECORD_LEN)",
            self.limit
        )
    }
}

impl core::error::Error for EncodeError {}

/// Bytes that are not a valid version-1 record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DecodeError;

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a valid version-1 profile record")
    }
}

impl core::error::Error for DecodeError {}

impl Serialize for ProfileData<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let count = 1 + self.values.iter().filter(|v| v.is_some()).count();
        let mut st = serializer.serialize_struct("Profile", count)?;
        st.serialize_field("v", &FORMAT_VERSION)?;
        for (setting, value) in self.iter_exposed() {
            st.serialize_field(setting.key(), value)?;
        }
        st.end()
    }
}

impl<'de> Deserialize<'de> for ProfileData<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RecordVisitor;
        impl<'de> Visitor<'de> for RecordVisitor {
            type Value = ProfileData<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a profile record")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ProfileData<'de>, A::Error> {
                let mut data = ProfileData::new();
                let mut version = None;
                while let Some(key) = map.next_key::<&'de str>()? {
                    if key == "v" {
                        version = Some(map.next_value::<u8>()?);
                    } else if let Some(setting) =
                        Setting::ALL.iter().copied().find(|s| s.key() == key)
                    {
                        let value = map.next_value::<&'de str>()?;
                        data.set(setting, value)
                            .map_err(|_| de::Error::custom("invalid value"))?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                match version {
                    Some(FORMAT_VERSION) => Ok(data),
                    _ => Err(de::Error::custom("unsupported record version")),
                }
            }
        }
        deserializer.deserialize_struct("Profile", &[], RecordVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    const TOKEN: &str = "AQoDYXdzEJr//////////wEa8AFtoken+with/base64=";

    fn sample() -> ProfileData<'static> {
        ProfileData::new()
            .with(Setting::Region, "eu-west-1")
            .and_then(|p| p.with(Setting::AccessKeyId, "AKIDEXAMPLE"))
            .and_then(|p| {
                p.with(
                    Setting::SecretAccessKey,
                    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                )
            })
            .and_then(|p| p.with(Setting::SessionToken, TOKEN))
            .and_then(|p| p.with(Setting::EndpointUrl, "http://10.0.2.2:5000"))
            .unwrap()
    }

    #[test]
    fn round_trip_borrows_and_keeps_every_value() {
        let p = sample();
        let mut buf = [0u8; 512];
        let n = p.encode(&mut buf).unwrap();
        let text = core::str::from_utf8(&buf[..n]).unwrap();
        assert!(
            text.starts_with("{\"v\":1,\"region\":\"eu-west-1\",\"aws_access_key_id\""),
            "{text}"
        );
        let back = ProfileData::decode(&buf[..n]).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.expose(Setting::SessionToken), Some(TOKEN));
        let c = back.credentials().unwrap().unwrap();
        assert_eq!(c.access_key_id.as_str(), "AKIDEXAMPLE");
    }

    #[test]
    fn debug_redacts_secrets() {
        let shown = format!("{:?}", sample());
        assert!(shown.contains("eu-west-1"), "{shown}");
        assert!(!shown.contains("wJalr"), "{shown}");
        assert!(!shown.contains("AQoD"), "{shown}");
        assert!(shown.contains("redacted"));
        assert_eq!(sample().get(Setting::SecretAccessKey), None);
    }

    #[test]
    fn values_that_would_not_round_trip_are_refused() {
        let mut p = ProfileData::new();
        for bad in [
            "a\"b",
            "a\\b",
            "a\nb",
            " lead",
            "trail ",
            "x #comment",
            "x ;c",
        ] {
            let err = p.set(Setting::Region, bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    ValueError::InvalidCharacter {
                        setting: Setting::Region,
                        ..
                    }
                ),
                "{bad}"
            );
        }
        assert_eq!(
            p.set(Setting::Region, ""),
            Err(ValueError::Empty {
                setting: Setting::Region
            })
        );
        let long = "x".repeat(MAX_REGION_LEN + 1);
        assert!(matches!(
            p.set(Setting::Region, &long),
            Err(ValueError::TooLong {
                limit: MAX_REGION_LEN,
                ..
            })
        ));
        assert!(p.is_empty(), "a refused value changes nothing");
        p.set(Setting::CredentialSource, "a#b;c").unwrap();
    }

    #[test]
    fn decoding_refuses_other_versions_garbage_and_trailing_bytes() {
        assert_eq!(
            ProfileData::decode(b"{\"v\":2,\"region\":\"x\"}"),
            Err(DecodeError)
        );
        assert_eq!(ProfileData::decode(b"{\"region\":\"x\"}"), Err(DecodeError));
        assert_eq!(
            ProfileData::decode(b"{\"v\":1,\"region\":\"x\"}xx"),
            Err(DecodeError)
        );
        assert_eq!(
            ProfileData::decode(b"{\"v\":1,\"region\":\"a\\\"b\"}"),
            Err(DecodeError)
        );
        assert_eq!(ProfileData::decode(&[0xff; 16]), Err(DecodeError));
        // unknown keys from a newer writer are skipped
        let p =
            ProfileData::decode(b"{\"v\":1,\"future\":\"x\",\"n\":3,\"region\":\"r\"}").unwrap();
        assert_eq!(p.get(Setting::Region), Some("r"));
    }

    #[test]
    fn encode_reports_small_buffers() {
        let mut buf = [0u8; 16];
        assert_eq!(sample().encode(&mut buf), Err(EncodeError { limit: 16 }));
    }

    #[test]
    fn keys_match_config_names_ignoring_case() {
        assert_eq!(
            Setting::from_key("AWS_Secret_Access_Key"),
            Some(Setting::SecretAccessKey)
        );
        assert_eq!(Setting::from_key("sso_start_url"), None);
        for (i, s) in Setting::ALL.iter().enumerate() {
            assert_eq!(s.index(), i);
        }
    }
}
