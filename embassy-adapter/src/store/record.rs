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
//! * Keys appear in [`settings`] order (the order of core's settings table); unset settings are left out. A reader ignores keys it
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
use aws_session_core::config::{Key, SETTINGS};
use aws_session_core::credentials::Credentials;
use aws_session_core::limits::MAX_SETTING_LEN;
use aws_session_core::text::CapacityError;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The record format version this crate writes and reads.
pub const FORMAT_VERSION: u8 = 1;

/// A setting a stored profile may hold: a key of core's [settings table](aws_session_core::config::settings)
/// whose row says `device` (see [`settings`]). Named in records by its `~/.aws/config` key.
///
/// These are the keys a device can use: static keys, region and endpoint, role chaining and the
/// endpoint switches. Keys that need a desktop (`credential_process`, `sso_*`,
/// `web_identity_token_file`, `ca_bundle`) are not stored; an import counts them as skipped.
pub type Setting = Key;

/// How many settings a record can hold: the device rows of the table.
const COUNT: usize = device_count();

/// Counts the device rows at compile time.
#[allow(clippy::indexing_slicing)] // const evaluation: an index out of range is a compile error
const fn device_count() -> usize {
    let (mut i, mut n) = (0, 0);
    while i < SETTINGS.len() {
        if SETTINGS[i].device {
            n += 1;
        }
        i += 1;
    }
    n
}

/// Every setting a record can hold, in record order (the table's order).
pub fn settings() -> impl Iterator<Item = Setting> {
    SETTINGS.iter().filter(|s| s.device).map(|s| s.key)
}

/// The setting stored under config key `key`, ignoring ASCII case as the config files do;
/// `None` for keys a device does not store.
pub fn setting_for_key(key: &str) -> Option<Setting> {
    Key::from_file_key(key).filter(|k| k.info().device)
}

/// The longest value accepted for `setting`: its capacity in core's table, or
/// [`MAX_SETTING_LEN`] for values that are not text.
pub fn max_len(setting: Setting) -> usize {
    setting.info().capacity.unwrap_or(MAX_SETTING_LEN)
}

/// Where `setting` lives in a [`ProfileData`]; `None` for a setting a device does not store.
fn slot(setting: Setting) -> Option<usize> {
    settings().position(|s| s == setting)
}

/// Why a value cannot be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ValueError {
    /// The setting is not one a device stores (its table row does not say `device`).
    NotStored {
        /// The setting.
        setting: Setting,
    },
    /// The value is empty (leave the setting unset instead).
    Empty {
        /// The setting.
        setting: Setting,
    },
    /// The value is longer than [`max_len`].
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
            ValueError::NotStored { setting } => write!(f, "{setting} is not stored on a device"),
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
    if !setting.info().device {
        return Err(ValueError::NotStored { setting });
    }
    if value.is_empty() {
        return Err(ValueError::Empty { setting });
    }
    if value.len() > max_len(setting) {
        return Err(ValueError::TooLong {
            setting,
            limit: max_len(setting),
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
        if let Some(slot) = slot(setting).and_then(|i| self.values.get_mut(i)) {
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
        if let Some(slot) = slot(setting).and_then(|i| self.values.get_mut(i)) {
            *slot = None;
        }
    }

    /// The value of a non-secret setting; `None` when unset **or secret** (use
    /// [`ProfileData::expose`] for secrets).
    pub fn get(&self, setting: Setting) -> Option<&'a str> {
        if setting.info().secret {
            return None;
        }
        self.expose(setting)
    }

    /// The value of any setting, secrets included. Call only where a secret must be used.
    pub fn expose(&self, setting: Setting) -> Option<&'a str> {
        slot(setting)
            .and_then(|i| self.values.get(i))
            .copied()
            .flatten()
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
        settings().filter_map(move |s| self.expose(s).map(|v| (s, v)))
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
            if setting.info().secret {
                m.entry(&setting.name(), &format_args!("** redacted **"));
            } else {
                m.entry(&setting.name(), &value);
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
            if setting.info().secret {
                defmt::write!(f, " {}: ** redacted **", setting.name());
            } else {
                defmt::write!(f, " {}: {}", setting.name(), value);
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
            st.serialize_field(setting.name(), value)?;
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
                    } else if let Some(setting) = settings().find(|s| s.name() == key) {
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
            text.starts_with("{\"v\":1,\"region\":\"eu-west-1\",\"endpoint_url\""),
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
        let long = "x".repeat(aws_session_core::limits::MAX_REGION_LEN + 1);
        assert!(matches!(
            p.set(Setting::Region, &long),
            Err(ValueError::TooLong {
                limit: aws_session_core::limits::MAX_REGION_LEN,
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
            setting_for_key("AWS_Secret_Access_Key"),
            Some(Setting::SecretAccessKey)
        );
        assert_eq!(setting_for_key("sso_start_url"), None);
        for (i, s) in settings().enumerate() {
            assert_eq!(slot(s), Some(i));
        }
        assert_eq!(settings().count(), COUNT);
    }

    #[test]
    fn settings_a_device_does_not_store_are_refused() {
        let mut p = ProfileData::new();
        assert_eq!(
            p.set(Setting::CredentialProcess, "echo"),
            Err(ValueError::NotStored {
                setting: Setting::CredentialProcess
            })
        );
        assert!(p.is_empty());
    }
}
