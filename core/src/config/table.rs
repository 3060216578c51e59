//! How one setting is described, and the machinery that turns the rows of
//! [`settings`](super::settings) into every layer.
//!
//! A row names the setting once: its option field, value kind (which fixes the capacity, the
//! parser and the accepted values), default, builder, environment variables, config-file key,
//! when the file key is read, secrecy, whether a device stores it, and its merge rule. From the
//! rows, the crate-private `settings!` macro writes:
//!
//! * [`Config`](super::Config): one `Option` field and one `with_…` builder per setting, and
//!   `merge_in` (Go v1 `MergeIn`);
//! * [`SessionConfig`](super::SessionConfig): one resolved field per setting (a `Resolved<T>`
//!   when the row has a default, an `Option<Resolved<T>>` when it has none), its `Default`, and
//!   [`SessionConfig::visit`](super::SessionConfig::visit) for listings such as `configure list`;
//! * [`EnvSettings`](super::EnvSettings) and [`FileSettings`](super::FileSettings): the
//!   environment and file layers, values still borrowed from their text;
//! * the merge (option > environment > file > default, per field) and the `Copy`-style
//!   overrides;
//! * [`Key`](super::Key) and [`SETTINGS`](super::SETTINGS): every row as data, which the file
//!   layer's known-key list and the embassy adapter's flash record read.
//!
//! Keys that feed the credential plan (`role_arn`, `source_profile`, static keys, …) are rows too
//! ([`Merge::Credentials`]): the table gives their key, variables, capacity and secrecy, and the
//! credential planner reads their values from the profile layer.

use core::fmt;

use super::env::{EnvError, EnvValue};
use super::merge::{At, MergeError};
use super::model::{Ec2ImdsEndpointMode, LogLevel, RegionalEndpoint};
use super::shared::Prop;
use super::source::{Resolved, Source};
use crate::platform::Environment;
use crate::secret::SecretStr;
use crate::text::{text, CapacityError, Field, Text};

/// When a config-file key is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Read {
    /// Whatever `AWS_SDK_LOAD_CONFIG` / `SharedConfigState` say (Go v1 reads these keys from the
    /// credentials file even with shared config off).
    Always,
    /// Only when shared config is loaded.
    WithSharedConfig,
    /// The setting has no file key.
    Never,
}

/// How the layers of a setting combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Merge {
    /// Option, else environment, else the selected profile, else the default (Go v1
    /// `mergeConfigSrcs`: each field on its own).
    Layered,
    /// As [`Merge::Layered`], but `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` drops the
    /// environment and file values (the endpoint URL).
    LayeredUnlessIgnored,
    /// A key of the credential plan: read into the profile layer and resolved with the
    /// `source_profile` chain by the credential planner, never merged as a plain value.
    Credentials,
}

/// One row of the settings table, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingInfo {
    /// The setting.
    pub key: super::Key,
    /// The option field (`Config::region`) and resolved field (`SessionConfig::region`).
    pub name: &'static str,
    /// The `~/.aws/config` key, if the files may set it.
    pub file_key: Option<&'static str>,
    /// Environment variables, first non-empty wins.
    pub env: &'static [&'static str],
    /// Further variables read only when shared config loading was asked for
    /// (`AWS_DEFAULT_REGION`).
    pub env_when_loading: &'static [&'static str],
    /// When the file key is read.
    pub read: Read,
    /// Longest value, for text settings.
    pub capacity: Option<usize>,
    /// The field named in capacity errors.
    pub field: Field,
    /// The values accepted, for error messages (`true, false`).
    pub accepted: &'static str,
    /// A file value outside the accepted set is read as a value (Go v1 reads file switches as
    /// "`true` or false") instead of failing creation.
    pub lenient_in_files: bool,
    /// An environment value outside the accepted set is ignored, as if the variable were unset
    /// (Go v1 `setBoolPtrFromEnvVal`), instead of failing creation.
    pub lenient_in_env: bool,
    /// Never shown in listings, logs or `Debug`.
    pub secret: bool,
    /// Kept in a device's flash profile record.
    pub device: bool,
    /// How the layers combine.
    pub merge: Merge,
}

impl SettingInfo {
    /// A row whose capacity, accepted values and file leniency come from its kind `K`.
    /// `env` is the variables and those read only when loading; `flags` is secret, device.
    #[allow(clippy::too_many_arguments)] // one argument per column of the table
    pub(crate) const fn row<K: Kind>(
        key: super::Key,
        name: &'static str,
        file_key: Option<&'static str>,
        env: [&'static [&'static str]; 2],
        read: Read,
        field: Field,
        flags: [bool; 2],
        merge: Merge,
    ) -> SettingInfo {
        let [env, env_when_loading] = env;
        let [secret, device] = flags;
        SettingInfo {
            key,
            name,
            file_key,
            env,
            env_when_loading,
            read,
            capacity: K::CAPACITY,
            field,
            accepted: K::ACCEPTED,
            lenient_in_files: K::LENIENT_IN_FILES,
            lenient_in_env: K::LENIENT_IN_ENV,
            secret,
            device,
            merge,
        }
    }
}

/// How the values of one setting are read, checked and kept.
pub trait Kind {
    /// What the environment and file layers hold: borrowed from their text where it is text.
    type Raw<'a>: Copy + fmt::Debug;
    /// What [`Config`](super::Config) and [`SessionConfig`](super::SessionConfig) hold.
    type Value: Clone + PartialEq + fmt::Debug;
    /// What a `Config::with_…` builder takes.
    type Input<'a>;
    /// The accepted values, for messages.
    const ACCEPTED: &'static str;
    /// Longest value, for text.
    const CAPACITY: Option<usize> = None;
    /// [`Kind::parse_file`] never refuses a value.
    const LENIENT_IN_FILES: bool = false;
    /// An environment value [`Kind::parse_env`] refuses is ignored instead of failing creation.
    const LENIENT_IN_ENV: bool = false;
    /// Parses an environment value; `None` is an invalid value (Go v1's environment parsing is
    /// strict for most values it checks), or an ignored one for a kind that is
    /// [`Kind::LENIENT_IN_ENV`].
    fn parse_env(s: &str) -> Option<Self::Raw<'_>>;
    /// Parses a file value; `None` is an invalid value. Lenient kinds never refuse.
    fn parse_file(s: &str) -> Option<Self::Raw<'_>>;
    /// Keeps a layer's value.
    ///
    /// # Errors
    /// [`CapacityError`] when text is longer than the kind holds.
    fn store(raw: Self::Raw<'_>, field: Field) -> Result<Self::Value, CapacityError>;
    /// Keeps a builder's value; `None` leaves the option unset (an empty text, as Go v1 treats an
    /// empty option).
    ///
    /// # Errors
    /// [`CapacityError`] when text is longer than the kind holds.
    fn input(input: Self::Input<'_>, field: Field) -> Result<Option<Self::Value>, CapacityError>;
    /// The value as listings (`configure list`) show it: the value itself, or a redaction marker
    /// for a secret.
    fn shown(value: &Self::Value) -> &dyn fmt::Display;
    /// Whether an option holding `value` counts as unset (an empty text, as Go v1's
    /// `len(aws.StringValue(…)) == 0` checks), so the environment and files still apply.
    fn is_unset(_value: &Self::Value) -> bool {
        false
    }
}

/// Text of at most `N` bytes, taken as written (an empty value is unset).
#[derive(Debug)]
pub struct Txt<const N: usize>;

impl<const N: usize> Kind for Txt<N> {
    type Raw<'a> = &'a str;
    type Value = Text<N>;
    type Input<'a> = &'a str;
    const ACCEPTED: &'static str = "text";
    const CAPACITY: Option<usize> = Some(N);
    const LENIENT_IN_FILES: bool = true;
    fn parse_env(s: &str) -> Option<&str> {
        Some(s)
    }
    fn parse_file(s: &str) -> Option<&str> {
        Some(s)
    }
    fn store(raw: &str, field: Field) -> Result<Text<N>, CapacityError> {
        text(raw, field)
    }
    fn input(input: &str, field: Field) -> Result<Option<Text<N>>, CapacityError> {
        if input.is_empty() {
            return Ok(None);
        }
        text(input, field).map(Some)
    }
    fn shown(value: &Text<N>) -> &dyn fmt::Display {
        value
    }
    fn is_unset(value: &Text<N>) -> bool {
        value.is_empty()
    }
}

/// A secret text of at most `N` bytes (`AWS_CONTAINER_AUTHORIZATION_TOKEN`): kept in a
/// [`SecretStr`], which is wiped on drop and has no `Display`; `Debug` and listings show
/// [`REDACTED`] only. An empty value is unset.
#[derive(Debug)]
pub struct Secret<const N: usize>;

/// What listings show instead of a secret setting's value.
pub const REDACTED: &str = "** redacted **";

/// A secret's text as the environment layer borrows it: `Debug` never shows it.
#[derive(Clone, Copy)]
pub struct SecretRaw<'a>(pub &'a str);

impl fmt::Debug for SecretRaw<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<const N: usize> Kind for Secret<N> {
    type Raw<'a> = SecretRaw<'a>;
    type Value = SecretStr<N>;
    type Input<'a> = &'a str;
    const ACCEPTED: &'static str = "text";
    const CAPACITY: Option<usize> = Some(N);
    const LENIENT_IN_FILES: bool = true;
    fn parse_env(s: &str) -> Option<SecretRaw<'_>> {
        Some(SecretRaw(s))
    }
    fn parse_file(s: &str) -> Option<SecretRaw<'_>> {
        Some(SecretRaw(s))
    }
    fn store(raw: SecretRaw<'_>, field: Field) -> Result<SecretStr<N>, CapacityError> {
        SecretStr::new(raw.0, field)
    }
    fn input(input: &str, field: Field) -> Result<Option<SecretStr<N>>, CapacityError> {
        if input.is_empty() {
            return Ok(None);
        }
        SecretStr::new(input, field).map(Some)
    }
    fn shown(_: &SecretStr<N>) -> &dyn fmt::Display {
        &REDACTED
    }
}

/// A Go v1 endpoint switch: `true`/`false` in any case in the environment (anything else is an
/// error), and in files `true` in any case, anything else false.
#[derive(Debug)]
pub struct Switch;

impl Kind for Switch {
    type Raw<'a> = bool;
    type Value = bool;
    type Input<'a> = bool;
    const ACCEPTED: &'static str = "true, false";
    const LENIENT_IN_FILES: bool = true;
    fn parse_env(s: &str) -> Option<bool> {
        super::env::parse_strict_bool(s)
    }
    fn parse_file(s: &str) -> Option<bool> {
        Some(s.eq_ignore_ascii_case("true"))
    }
    fn store(raw: bool, _: Field) -> Result<bool, CapacityError> {
        Ok(raw)
    }
    fn input(input: bool, _: Field) -> Result<Option<bool>, CapacityError> {
        Ok(Some(input))
    }
    fn shown(value: &bool) -> &dyn fmt::Display {
        value
    }
}

/// A Go v1 optional flag (`setBoolPtrFromEnvVal` / `updateBoolPtr`): `true`/`false` in any case
/// in the environment, where any other value is ignored as if unset; in files `true` in any case,
/// anything else false (`AWS_EC2_METADATA_V1_DISABLED`, `ec2_metadata_v1_disabled`).
#[derive(Debug)]
pub struct Flag;

impl Kind for Flag {
    type Raw<'a> = bool;
    type Value = bool;
    type Input<'a> = bool;
    const ACCEPTED: &'static str = "true, false";
    const LENIENT_IN_FILES: bool = true;
    const LENIENT_IN_ENV: bool = true;
    fn parse_env(s: &str) -> Option<bool> {
        super::env::parse_strict_bool(s)
    }
    fn parse_file(s: &str) -> Option<bool> {
        Switch::parse_file(s)
    }
    fn store(raw: bool, f: Field) -> Result<bool, CapacityError> {
        Switch::store(raw, f)
    }
    fn input(input: bool, f: Field) -> Result<Option<bool>, CapacityError> {
        Switch::input(input, f)
    }
    fn shown(value: &bool) -> &dyn fmt::Display {
        value
    }
}

/// A value parsed strictly in the environment and in files: a word from a fixed set, a number, or
/// a value an application only sets as an option (a row with no variable and no file key).
#[derive(Debug)]
pub struct OneOf<T>(core::marker::PhantomData<T>);

/// Values with one strict text form.
pub trait Choice: Copy + PartialEq + fmt::Debug + fmt::Display {
    /// The accepted values, for messages.
    const ACCEPTED: &'static str;
    /// Parses the text form.
    fn parse(s: &str) -> Option<Self>;
}

impl Choice for bool {
    const ACCEPTED: &'static str = "true, false";
    fn parse(s: &str) -> Option<Self> {
        super::env::parse_strict_bool(s)
    }
}

impl Choice for u32 {
    const ACCEPTED: &'static str = "a whole number";
    fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

impl Choice for LogLevel {
    const ACCEPTED: &'static str = "off, debug, debug-with-signing, debug-with-http-body";
    fn parse(s: &str) -> Option<Self> {
        [
            LogLevel::Off,
            LogLevel::Debug,
            LogLevel::DebugWithSigning,
            LogLevel::DebugWithHttpBody,
        ]
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(s))
    }
}

impl Choice for Ec2ImdsEndpointMode {
    const ACCEPTED: &'static str = "IPv4, IPv6";
    fn parse(s: &str) -> Option<Self> {
        Ec2ImdsEndpointMode::parse(s)
    }
}

impl Choice for RegionalEndpoint {
    const ACCEPTED: &'static str = "legacy, regional";
    fn parse(s: &str) -> Option<Self> {
        RegionalEndpoint::parse(s)
    }
}

impl<T: Choice> Kind for OneOf<T> {
    type Raw<'a> = T;
    type Value = T;
    type Input<'a> = T;
    const ACCEPTED: &'static str = T::ACCEPTED;
    fn parse_env(s: &str) -> Option<T> {
        T::parse(s)
    }
    fn parse_file(s: &str) -> Option<T> {
        T::parse(s)
    }
    fn store(raw: T, _: Field) -> Result<T, CapacityError> {
        Ok(raw)
    }
    fn input(input: T, _: Field) -> Result<Option<T>, CapacityError> {
        Ok(Some(input))
    }
    fn shown(value: &T) -> &dyn fmt::Display {
        value
    }
}

/// The first non-empty variable of the row, parsed by its kind.
pub(crate) fn read_env<'e, K: Kind, E: Environment + ?Sized>(
    env: &'e E,
    info: &SettingInfo,
    loading: bool,
) -> Result<Option<EnvValue<K::Raw<'e>>>, EnvError> {
    let found = match super::env::first(env, info.env)? {
        None if loading => super::env::first(env, info.env_when_loading)?,
        found => found,
    };
    let Some(v) = found else { return Ok(None) };
    match K::parse_env(v.value) {
        Some(raw) => Ok(Some(EnvValue {
            value: raw,
            var: v.var,
        })),
        None if K::LENIENT_IN_ENV => Ok(None),
        None => Err(EnvError::InvalidValue {
            var: v.var,
            accepted: info.accepted,
        }),
    }
}

/// What the merge needs besides the layers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MergeCtx<'i> {
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`.
    pub ignore_configured: bool,
    /// Shared file paths by index, for error locations.
    pub file_paths: &'i [&'i str],
}

impl MergeCtx<'_> {
    /// Where a file value is, for an error.
    pub(crate) fn at(&self, p: Prop<'_>) -> At {
        At::file(self.file_paths, p)
    }
}

/// One setting merged: the option, else the environment, else the selected profile; `None` when
/// no layer sets it (the caller applies the default).
#[inline(never)] // one body per kind, not one per row of the table (flash)
pub(crate) fn pick<K: Kind>(
    info: &SettingInfo,
    option: Option<&K::Value>,
    env: Option<EnvValue<K::Raw<'_>>>,
    file: Option<Prop<'_>>,
    ctx: &MergeCtx<'_>,
) -> Result<Option<Resolved<K::Value>>, MergeError> {
    if let Some(v) = option.filter(|v| !K::is_unset(v)) {
        return Ok(Some(Resolved::new(v.clone(), Source::Option)));
    }
    if info.merge == Merge::LayeredUnlessIgnored && ctx.ignore_configured {
        return Ok(None);
    }
    if let Some(e) = env {
        let value = K::store(e.value, info.field).map_err(|error| MergeError::Capacity {
            error,
            at: At::Env(e.var),
        })?;
        return Ok(Some(Resolved::new(value, Source::Env(e.var))));
    }
    // The file layer checked the value when it read it.
    if let Some((raw, p)) = file.and_then(|p| K::parse_file(p.value).map(|raw| (raw, p))) {
        let value = K::store(raw, info.field).map_err(|error| MergeError::Capacity {
            error,
            at: ctx.at(p),
        })?;
        return Ok(Some(Resolved::new(
            value,
            Source::File {
                file: p.file,
                line: p.line,
                profile: 0,
            },
        )));
    }
    Ok(None)
}

/// A resolved value seen through [`SessionConfig::visit`](super::SessionConfig::visit): its text
/// and where it came from.
#[derive(Clone, Copy)]
pub struct SettingValue<'a> {
    /// The value.
    pub value: &'a dyn fmt::Display,
    /// Where it came from.
    pub source: Source,
}

impl fmt::Debug for SettingValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SettingValue")
            .field("value", &format_args!("{}", self.value))
            .field("source", &self.source)
            .finish()
    }
}

/// Writes the settings table's types and functions (see the module docs). Invoked once, in
/// [`settings`](super::settings).
macro_rules! settings {
    // ---- helpers: a row with a default (`[expr]`) or without one (`[None]`) --------------------
    (@resolved $k:ty, [None]) => { Option<$crate::config::Resolved<<$k as $crate::config::table::Kind>::Value>> };
    (@resolved $k:ty, [$d:expr]) => { $crate::config::Resolved<<$k as $crate::config::table::Kind>::Value> };
    (@default [None]) => { None };
    (@default [$d:expr]) => { $crate::config::Resolved::new($d, $crate::config::Source::Default) };
    (@or_default $r:expr, [None]) => { $r };
    (@or_default $r:expr, [$d:expr]) => {
        $r.unwrap_or($crate::config::Resolved::new($d, $crate::config::Source::Default))
    };
    (@wrap $e:expr, [None]) => { Some($e) };
    (@wrap $e:expr, [$d:expr]) => { $e };
    (@view $k:ty, $e:expr, [None]) => {
        $e.as_ref().map(|r| $crate::config::table::SettingValue {
            value: <$k as $crate::config::table::Kind>::shown(&r.value),
            source: r.source,
        })
    };
    (@view $k:ty, $e:expr, [$d:expr]) => {
        Some($crate::config::table::SettingValue {
            value: <$k as $crate::config::table::Kind>::shown(&$e.value),
            source: $e.source,
        })
    };
    (@view_ty $k:ty, [None]) => { Option<&'a <$k as $crate::config::table::Kind>::Value> };
    (@view_ty $k:ty, [$d:expr]) => { &'a <$k as $crate::config::table::Kind>::Value };
    (@view_get $o:expr, $e:expr, [None]) => { $o.or($e.as_ref().map(|r| &r.value)) };
    (@view_get $o:expr, $e:expr, [$d:expr]) => { $o.unwrap_or(&$e.value) };
    (@file) => { None };
    (@file $f:literal) => { Some($f) };
    (@read $r:ident) => { $crate::config::table::Read::$r };

    // ---- the table --------------------------------------------------------------------------
    (
        session {$(
            $(#[doc = $doc:literal])*
            $key:ident => $field:ident: $kind:ty = [$($def:tt)*], $with:ident,
            env [$($env:literal),*] [$($envl:literal),*],
            file [$($file:literal)?] $read:ident, $fld:ident,
            secret $secret:literal, device $device:literal, $merge:ident;
        )*}
        profile {$(
            $(#[doc = $pdoc:literal])*
            $pkey:ident => $pfield:ident: $pkind:ty,
            env [$($penv:literal),*],
            file [$pfile:literal] $pread:ident, $pfld:ident,
            secret $psecret:literal, device $pdevice:literal;
        )*}
    ) => {
        /// Every setting and profile key of the table, in table order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[non_exhaustive]
        pub enum Key {
            $( $(#[doc = $doc])* $key, )*
            $( $(#[doc = $pdoc])* $pkey, )*
        }

        /// The rows, one constant each.
        #[allow(non_upper_case_globals)]
        mod rows {
            use super::*;
            use $crate::config::table::{Merge, SettingInfo};
            $(
                pub(super) const $key: SettingInfo = SettingInfo::row::<$kind>(
                    Key::$key,
                    stringify!($field),
                    $crate::config::table::settings!(@file $($file)?),
                    [&[$($env),*], &[$($envl),*]],
                    $crate::config::table::settings!(@read $read),
                    Field::$fld,
                    [$secret, $device],
                    Merge::$merge,
                );
            )*
            $(
                pub(super) const $pkey: SettingInfo = SettingInfo::row::<$pkind>(
                    Key::$pkey,
                    stringify!($pfield),
                    Some($pfile),
                    [&[$($penv),*], &[]],
                    $crate::config::table::settings!(@read $pread),
                    Field::$pfld,
                    [$psecret, $pdevice],
                    Merge::Credentials,
                );
            )*
        }

        /// Every row of the table, in [`Key`] order.
        pub const SETTINGS: &[$crate::config::table::SettingInfo] = &[ $( rows::$key, )* $( rows::$pkey, )* ];

        impl Key {
            /// This key's row.
            pub const fn info(self) -> &'static $crate::config::table::SettingInfo {
                match self {
                    $( Key::$key => &rows::$key, )*
                    $( Key::$pkey => &rows::$pkey, )*
                }
            }
        }

        /// What an application sets explicitly: Go v1 `aws.Config`. `None` means "not set here"
        /// and lets the field fall through to the environment, the files and the defaults; `Some`
        /// wins for that field only. Build one with [`Config::new`] and the `with_…` methods.
        #[derive(Debug, Clone, Default)]
        pub struct Config {
            /// Explicit credentials. When set, no credential resolution happens at all (Go v1
            /// `Config.Credentials`).
            pub credentials: Option<ExplicitCredentials>,
            $( $(#[doc = $doc])* pub $field: Option<<$kind as $crate::config::table::Kind>::Value>, )*
        }

        impl Config {
            /// Go v1 `MergeIn`: every field that `other` sets overrides this one; unset fields
            /// stay.
            pub fn merge_in(&mut self, other: &Config) {
                if let Some(c) = &other.credentials {
                    self.credentials = Some(c.clone());
                }
                $( if let Some(v) = &other.$field { self.$field = Some(v.clone()); } )*
            }

            $(
                #[doc = concat!("Sets `", stringify!($field), "` (see [`Config::", stringify!($field),
                    "`]). An empty text leaves it unset, as Go v1 treats an empty option.")]
                ///
                /// # Errors
                /// [`CapacityError`] when the value is longer than the setting holds; `self` is
                /// consumed.
                pub fn $with(
                    mut self,
                    value: <$kind as $crate::config::table::Kind>::Input<'_>,
                ) -> Result<Self, CapacityError> {
                    if let Some(v) = <$kind as $crate::config::table::Kind>::input(value, Field::$fld)? {
                        self.$field = Some(v);
                    }
                    Ok(self)
                }
            )*
        }

        /// The resolved session configuration: every value with its
        /// [`Source`]($crate::config::Source).
        #[derive(Debug)]
        pub struct SessionConfig {
            /// Profile name that was selected.
            pub profile: $crate::config::Resolved<Text<MAX_PROFILE_NAME_LEN>>,
            /// Whether the shared config file was read.
            pub shared_config_loaded: bool,
            $( $(#[doc = $doc])* pub $field: $crate::config::table::settings!(@resolved $kind, [$($def)*]), )*
            /// Endpoint overrides for single services (checked before
            /// [`SessionConfig::endpoint`]).
            pub service_endpoints: heapless::Vec<ServiceEndpoint, MAX_SERVICE_ENDPOINTS>,
            /// File paths and profile names that
            /// [`Source::File`]($crate::config::Source::File) refers to.
            pub provenance: $crate::config::Provenance,
        }

        impl Clone for SessionConfig {
            fn clone(&self) -> Self {
                let mut copy = SessionConfig::default();
                copy.clone_from(self);
                copy
            }

            /// Field by field, in place (the configuration is a few KiB).
            fn clone_from(&mut self, source: &Self) {
                self.profile.clone_from(&source.profile);
                self.shared_config_loaded = source.shared_config_loaded;
                $( self.$field.clone_from(&source.$field); )*
                self.service_endpoints.clone_from(&source.service_endpoints);
                self.provenance.clone_from(&source.provenance);
            }
        }

        impl Default for SessionConfig {
            /// Every field at its built-in default: profile `default`, every setting at its
            /// row's default or unset.
            fn default() -> Self {
                let mut profile = Text::new();
                let _ = profile.push_str($crate::profile::DEFAULT_PROFILE);
                SessionConfig {
                    profile: $crate::config::Resolved::new(profile, $crate::config::Source::Default),
                    shared_config_loaded: false,
                    $( $field: $crate::config::table::settings!(@default [$($def)*]), )*
                    service_endpoints: heapless::Vec::new(),
                    provenance: $crate::config::Provenance::default(),
                }
            }
        }

        impl SessionConfig {
            /// Calls `f` with every setting's row and its resolved value (`None` when unset), in
            /// table order.
            pub fn visit(
                &self,
                f: &mut dyn FnMut(&'static $crate::config::table::SettingInfo, Option<$crate::config::table::SettingValue<'_>>),
            ) {
                $( f(&rows::$key, $crate::config::table::settings!(@view $kind, self.$field, [$($def)*])); )*
            }
        }

        /// A session's resolved settings with optional overrides on top: a client's `Config`, as
        /// Go v1 `ClientConfig` applies one. Each accessor gives the override's value when it sets
        /// one, else the session's.
        #[derive(Debug, Clone, Copy)]
        pub struct SettingsView<'a> {
            resolved: &'a SessionConfig,
            overrides: Option<&'a Config>,
        }

        impl<'a> SettingsView<'a> {
            /// `resolved`, with `overrides` on top where they set a value.
            pub fn new(resolved: &'a SessionConfig, overrides: Option<&'a Config>) -> Self {
                SettingsView { resolved, overrides }
            }

            /// The resolved settings underneath.
            pub fn resolved(&self) -> &'a SessionConfig {
                self.resolved
            }

            /// The overrides on top, if any.
            pub fn overrides(&self) -> Option<&'a Config> {
                self.overrides
            }

            $(
                $(#[doc = $doc])*
                pub fn $field(&self) -> $crate::config::table::settings!(@view_ty $kind, [$($def)*]) {
                    let over = self.overrides.and_then(|o| o.$field.as_ref());
                    $crate::config::table::settings!(@view_get over, self.resolved.$field, [$($def)*])
                }
            )*
        }

        /// The environment layer of the table's settings: each value with the variable that set
        /// it, borrowed from the environment.
        #[derive(Debug, Clone, Copy, Default)]
        pub struct EnvSettings<'e> {
            $( $(#[doc = $doc])* pub $field: Option<$crate::config::env::EnvValue<<$kind as $crate::config::table::Kind>::Raw<'e>>>, )*
        }

        impl<'e> EnvSettings<'e> {
            /// Reads every setting's variables; `loading` adds the variables read only when
            /// shared config loading was asked for.
            pub(crate) fn load<E: $crate::platform::Environment + ?Sized>(
                env: &'e E,
                loading: bool,
            ) -> Result<Self, $crate::config::env::EnvError> {
                Ok(EnvSettings {
                    $( $field: $crate::config::table::read_env::<$kind, E>(env, &rows::$key, loading)?, )*
                })
            }
        }

        /// The file layer of the table's settings for the selected profile: each value's text
        /// with its file and line, borrowed from the file text, checked by its kind when read.
        #[derive(Debug, Clone, Copy, Default)]
        pub struct FileSettings<'p> {
            $( $(#[doc = $doc])* pub $field: Option<$crate::config::shared::Prop<'p>>, )*
        }

        impl<'p> FileSettings<'p> {
            /// Takes a non-empty file value for `key` (a later value replaces an earlier one);
            /// other keys are ignored.
            ///
            /// # Errors
            /// The accepted values, when the kind refuses the value.
            pub(crate) fn set(
                &mut self,
                key: Key,
                prop: $crate::config::shared::Prop<'p>,
            ) -> Result<(), &'static str> {
                match key {
                    $( Key::$key => {
                        <$kind as $crate::config::table::Kind>::parse_file(prop.value)
                            .ok_or(<$kind as $crate::config::table::Kind>::ACCEPTED)?;
                        self.$field = Some(prop);
                    } )*
                    _ => {}
                }
                Ok(())
            }
        }

        /// Merges the table's settings into `out`: per field, option > environment > selected
        /// profile > default.
        pub(crate) fn merge_settings(
            out: &mut SessionConfig,
            user: &Config,
            env: &EnvSettings<'_>,
            file: Option<&FileSettings<'_>>,
            ctx: &$crate::config::table::MergeCtx<'_>,
        ) -> Result<(), $crate::config::merge::MergeError> {
            $(
                let r = $crate::config::table::pick::<$kind>(
                    &rows::$key,
                    user.$field.as_ref(),
                    env.$field,
                    file.and_then(|f| f.$field),
                    ctx,
                )?;
                out.$field = $crate::config::table::settings!(@or_default r, [$($def)*]);
            )*
            Ok(())
        }

        /// Sets every field `o` sets, sourced as an option (the body of `Session::copy_with`).
        pub(crate) fn apply_settings(out: &mut SessionConfig, o: &Config) {
            $(
                if let Some(v) = &o.$field {
                    out.$field = $crate::config::table::settings!(@wrap
                        $crate::config::Resolved::new(v.clone(), $crate::config::Source::Option),
                        [$($def)*]);
                }
            )*
        }
    };
}
pub(crate) use settings;
