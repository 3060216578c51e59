//! The shared-file layer: the selected profile's keys from every file, and its `source_profile`
//! chain, validated as Go v1's `loadSharedConfig` does.
//!
//! Files are read in order and a later file overrides an earlier one key by key, except static
//! keys: `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token` count only as a group
//! from one section of one file, as Go v1 reads them. With shared config loading off only the keys
//! whose row in the [settings table](super::settings) says [`Read::Always`] are read: the static
//! keys, `credential_process`, `web_identity_token_file` and `s3_use_arn_region`.

use core::fmt;

use super::settings::{FileSettings, Key};
use super::table::Read;
use crate::limits::{MAX_PROFILE_CHAIN, MAX_SHARED_FILES};
use crate::platform::{Error as _, ErrorKind, ProfileSource};
use crate::profile::{CheckedFile, ProfileError, Property};
use crate::text::ErrorText;
use crate::text::Escaped;

/// A property value with the file and line it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prop<'p> {
    /// The value text (single line).
    pub value: &'p str,
    /// Index of the file in the profile source.
    pub file: u8,
    /// 1-based line.
    pub line: u32,
}

/// A static key group from one section of one file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FileCredentials<'p> {
    /// `aws_access_key_id`.
    pub access_key_id: Prop<'p>,
    /// `aws_secret_access_key`.
    pub secret_access_key: Prop<'p>,
    /// `aws_session_token`.
    pub session_token: Option<Prop<'p>>,
}

impl fmt::Debug for FileCredentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileCredentials")
            .field("access_key_id_line", &self.access_key_id.line)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// The keys of one profile, merged over all files (Go v1 `sharedConfig`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProfileLayer<'p> {
    /// The profile's name.
    pub name: &'p str,
    /// Static keys.
    pub credentials: Option<FileCredentials<'p>>,
    /// `role_arn` (load only).
    pub role_arn: Option<Prop<'p>>,
    /// `source_profile` (load only).
    pub source_profile: Option<Prop<'p>>,
    /// `credential_source` (load only).
    pub credential_source: Option<Prop<'p>>,
    /// `external_id` (load only).
    pub external_id: Option<Prop<'p>>,
    /// `mfa_serial` (load only).
    pub mfa_serial: Option<Prop<'p>>,
    /// `role_session_name` (load only).
    pub role_session_name: Option<Prop<'p>>,
    /// `duration_seconds` (load only; a non-integer is treated as unset, as Go v1 does).
    pub duration_seconds: Option<(u32, Prop<'p>)>,
    /// `credential_process` (always).
    pub credential_process: Option<Prop<'p>>,
    /// `web_identity_token_file` (always).
    pub web_identity_token_file: Option<Prop<'p>>,
    /// `sso_session` (load only).
    pub sso_session: Option<Prop<'p>>,
    /// `sso_start_url` (load only).
    pub sso_start_url: Option<Prop<'p>>,
    /// `sso_region` (load only).
    pub sso_region: Option<Prop<'p>>,
    /// `sso_account_id` (load only).
    pub sso_account_id: Option<Prop<'p>>,
    /// `sso_role_name` (load only).
    pub sso_role_name: Option<Prop<'p>>,
    /// The `[sso-session NAME]` section that `sso_session` names, once found (Go v1 `SSOSession`).
    pub sso_session_section: Option<SsoSessionSection<'p>>,
    /// `iot_credentials_endpoint` (load only).
    pub iot_credentials_endpoint: Option<Prop<'p>>,
    /// `iot_role_alias` (load only).
    pub iot_role_alias: Option<Prop<'p>>,
    /// `iot_thing_name` (load only).
    pub iot_thing_name: Option<Prop<'p>>,
    /// `iot_certificate` (load only).
    pub iot_certificate: Option<Prop<'p>>,
    /// `iot_private_key` (load only).
    pub iot_private_key: Option<Prop<'p>>,
}

/// The keys of an `[sso-session NAME]` section (Go v1 `ssoSession`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SsoSessionSection<'p> {
    /// `sso_region`.
    pub sso_region: Option<Prop<'p>>,
    /// `sso_start_url`.
    pub sso_start_url: Option<Prop<'p>>,
}

impl<'p> ProfileLayer<'p> {
    /// Go v1 `hasCredentials`: some credential type is configured.
    pub fn has_credentials(&self) -> bool {
        self.source_profile.is_some()
            || self.credential_source.is_some()
            || self.credential_process.is_some()
            || self.web_identity_token_file.is_some()
            || self.has_sso()
            || self.credentials.is_some()
            || self.iot_credentials_endpoint.is_some()
    }

    /// Go v1 `hasSSOConfiguration`: an `sso_session` or any legacy SSO key.
    pub fn has_sso(&self) -> bool {
        self.sso_session.is_some() || self.has_legacy_sso()
    }

    /// Go v1 `hasLegacySSOConfiguration`: any of `sso_region`, `sso_account_id`, `sso_start_url`,
    /// `sso_role_name`.
    pub fn has_legacy_sso(&self) -> bool {
        self.sso_region.is_some()
            || self.sso_account_id.is_some()
            || self.sso_start_url.is_some()
            || self.sso_role_name.is_some()
    }

    /// Go v1 `clearAssumeRoleOptions`: the second visit of a profile keeps only credential material.
    fn clear_assume_role_options(&mut self) {
        self.role_arn = None;
        self.external_id = None;
        self.mfa_serial = None;
        self.role_session_name = None;
        self.source_profile = None;
    }

    /// Go v1 `clearCredentialOptions`: a profile with `source_profile` takes its credentials from
    /// the source only.
    fn clear_credential_options(&mut self) {
        self.credential_source = None;
        self.credential_process = None;
        self.web_identity_token_file = None;
        self.credentials = None;
        self.sso_account_id = None;
        self.sso_region = None;
        self.sso_role_name = None;
        self.sso_start_url = None;
        self.iot_credentials_endpoint = None;
        self.iot_role_alias = None;
        self.iot_thing_name = None;
        self.iot_certificate = None;
        self.iot_private_key = None;
    }

    /// Applies one file's layer: every key it set overrides; static keys as a group.
    fn override_with(&mut self, other: &ProfileLayer<'p>) {
        macro_rules! over { ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* } }
        over!(
            credentials,
            role_arn,
            source_profile,
            credential_source,
            external_id,
            mfa_serial,
            role_session_name,
            duration_seconds,
            credential_process,
            web_identity_token_file,
            sso_session,
            sso_start_url,
            sso_region,
            sso_account_id,
            sso_role_name,
            iot_credentials_endpoint,
            iot_role_alias,
            iot_thing_name,
            iot_certificate,
            iot_private_key
        );
    }
}

/// The selected profile and its `source_profile` chain: `chain[0]` is the selected profile,
/// `chain[i + 1]` is the source profile of `chain[i]`.
#[derive(Debug, Clone, Default)]
pub struct SharedConfig<'p> {
    /// The chain, outermost (selected) profile first.
    pub chain: heapless::Vec<ProfileLayer<'p>, MAX_PROFILE_CHAIN>,
    /// The table's settings of the selected profile (the other profiles of the chain only
    /// contribute credentials).
    pub settings: FileSettings<'p>,
}

impl<'p> SharedConfig<'p> {
    /// The selected profile's layer, if the profile exists.
    pub fn selected(&self) -> Option<&ProfileLayer<'p>> {
        self.chain.first()
    }

    /// The selected profile's settings, if the profile exists.
    pub fn selected_settings(&self) -> Option<&FileSettings<'p>> {
        self.selected().map(|_| &self.settings)
    }
}

/// Loading the shared files failed. Owns what it names, so it outlives the file text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SharedError {
    /// A file exists but does not parse (Go v1 `SharedConfigLoadError`).
    Parse {
        /// The file.
        path: ErrorText,
        /// What is wrong, and where.
        error: ProfileError,
    },
    /// The profile source could not read file `index`.
    Read {
        /// Index of the file.
        index: usize,
        /// What the platform said.
        kind: ErrorKind,
    },
    /// The profile is in none of the files (Go v1 `SharedConfigProfileNotExistsError`; session
    /// creation ignores it).
    ProfileNotExists {
        /// The profile.
        profile: ErrorText,
    },
    /// `source_profile`, `credential_source` or `web_identity_token_file` without `role_arn`.
    CredentialRequiresArn {
        /// The key that needs a role.
        kind: &'static str,
        /// The profile.
        profile: ErrorText,
    },
    /// More than one of source_profile / credential_source / credential_process /
    /// web_identity_token_file in one profile (Go v1 `ErrSharedConfigSourceCollision`).
    SourceCollision {
        /// The profile.
        profile: ErrorText,
    },
    /// A `source_profile` is missing or has no credentials (Go v1 `SharedConfigAssumeRoleError`).
    AssumeRole {
        /// The role that needed the source.
        role_arn: ErrorText,
        /// The source profile.
        source_profile: ErrorText,
    },
    /// A key has a value outside its accepted set.
    InvalidValue {
        /// The key.
        key: &'static str,
        /// The file.
        path: ErrorText,
        /// 1-based line.
        line: u32,
        /// The accepted values, for the message.
        accepted: &'static str,
    },
    /// A setting that must be one line spans continuation lines.
    MultiLineValue {
        /// The key.
        key: &'static str,
        /// The file.
        path: ErrorText,
        /// 1-based line.
        line: u32,
    },
    /// The `source_profile` chain is longer than [`MAX_PROFILE_CHAIN`].
    ChainTooLong {
        /// The limit.
        limit: usize,
        /// The last profile the chain could hold: its `source_profile` is one too many.
        profile: ErrorText,
        /// The file of that `source_profile` line.
        path: ErrorText,
        /// Its 1-based line.
        line: u32,
    },
    /// A profile's `sso_session` names a section that is in no file (Go v1: "failed to find SSO
    /// session section, NAME").
    SsoSessionNotFound {
        /// The `sso_session` value.
        name: ErrorText,
    },
}

impl fmt::Display for SharedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SharedError::Parse { path, error } => {
                write!(f, "failed to load config file, {path}: {error}")
            }
            SharedError::Read { index, kind } => {
                write!(f, "failed to read shared config file #{index}: {kind}")
            }
            SharedError::ProfileNotExists { profile } => {
                write!(f, "failed to get profile, {profile}")
            }
            SharedError::CredentialRequiresArn { kind, profile } => {
                write!(f, "credential type {kind} requires role_arn, profile {profile}")
            }
            SharedError::SourceCollision { profile } => write!(
                f,
                "only one credential type may be specified per profile: source profile, credential source, \
                 credential process, web identity token (profile {profile})"
            ),
            SharedError::AssumeRole { role_arn, source_profile } => write!(
                f,
                "failed to load assume role for {role_arn}, source profile {source_profile} has no shared credentials"
            ),
            SharedError::InvalidValue { key, path, line, accepted } => {
                write!(f, "failed to load {key} from shared config, {path}:{line}: need {accepted}")
            }
            SharedError::MultiLineValue { key, path, line } => {
                write!(f, "{key} in {path}:{line} must be a single line")
            }
            SharedError::ChainTooLong {
                limit,
                profile,
                path,
                line,
            } => {
                write!(
                    f,
                    "source_profile chain is longer than the limit of {limit} profiles: the \
                     source_profile of profile {:?} is one too many (file:{path}:{line})",
                    Escaped(profile.as_str()),
                )
            }
            SharedError::SsoSessionNotFound { name } => {
                write!(f, "failed to find SSO session section, {name}")
            }
        }
    }
}

impl core::error::Error for SharedError {}

/// The files of a profile source, each checked once, on first use: the session's lookups (each
/// profile of the chain, its `[sso-session]`) then skim them instead of checking them again.
struct Files<'p, P: ?Sized> {
    source: &'p P,
    /// Files `0..len` in order, `None` for a missing one. Files past [`MAX_SHARED_FILES`] (a
    /// source that a session's file plan did not make) are checked on every use instead.
    checked: heapless::Vec<Option<CheckedFile<'p>>, MAX_SHARED_FILES>,
}

impl<'p, P: ProfileSource + ?Sized> Files<'p, P> {
    fn new(source: &'p P) -> Self {
        Files {
            source,
            checked: heapless::Vec::new(),
        }
    }

    fn count(&self) -> usize {
        self.source.file_count()
    }

    /// File `index`, checked: `Ok(None)` when it is missing or unreadable (skipped, as Go v1
    /// does).
    fn get(&mut self, index: usize) -> Result<Option<CheckedFile<'p>>, SharedError> {
        if let Some(checked) = self.checked.get(index) {
            return Ok(*checked);
        }
        let checked = match self.source.file(index) {
            Ok(Some(file)) => Some(CheckedFile::new(file).map_err(|error| SharedError::Parse {
                path: ErrorText::tail(file.path),
                error,
            })?),
            Ok(None) => None,
            Err(e) => {
                return Err(SharedError::Read {
                    index,
                    kind: e.kind(),
                })
            }
        };
        if index == self.checked.len() {
            // Fails only past MAX_SHARED_FILES: such a file is checked again on its next use.
            let _ = self.checked.push(checked);
        }
        Ok(checked)
    }
}

/// Reads one profile's keys from one file into a fresh layer.
fn read_file_layer<'p>(
    file: &CheckedFile<'p>,
    index: u8,
    name: &'p str,
    load: bool,
    settings: &mut FileSettings<'p>,
) -> Result<Option<ProfileLayer<'p>>, SharedError> {
    /// A value the file layer refuses: the key, line and what it accepts (`None`: not one line).
    struct Refused {
        key: &'static str,
        line: u32,
        accepted: Option<&'static str>,
    }
    let mut layer = ProfileLayer {
        name,
        ..ProfileLayer::default()
    };
    let (mut akid, mut secret, mut token) = (None, None, None);
    let mut refused: Option<Refused> = None;
    let found = file.visit_profile(name, &mut |p: &Property<'p>| {
        if refused.is_some() {
            return;
        }
        let Some(key) = Key::from_file_key(p.key) else {
            return;
        };
        let info = key.info();
        let file_key = info.file_key.unwrap_or(info.name);
        if !load && info.read != Read::Always {
            return;
        }
        let Some(value) = p.value.as_str() else {
            refused = Some(Refused {
                key: file_key,
                line: p.line,
                accepted: None,
            });
            return;
        };
        let prop = Prop {
            value,
            file: index,
            line: p.line,
        };
        match key {
            Key::AccessKeyId => akid = Some(prop),
            Key::SecretAccessKey => secret = Some(prop),
            Key::SessionToken => token = Some(prop),
            _ if value.is_empty() => {}
            Key::RoleArn => layer.role_arn = Some(prop),
            Key::SourceProfile => layer.source_profile = Some(prop),
            Key::CredentialSource => layer.credential_source = Some(prop),
            Key::ExternalId => layer.external_id = Some(prop),
            Key::MfaSerial => layer.mfa_serial = Some(prop),
            Key::RoleSessionName => layer.role_session_name = Some(prop),
            Key::DurationSeconds => {
                layer.duration_seconds = value.parse::<u32>().ok().map(|d| (d, prop))
            }
            Key::CredentialProcess => layer.credential_process = Some(prop),
            Key::WebIdentityTokenFile => layer.web_identity_token_file = Some(prop),
            Key::SsoSession => layer.sso_session = Some(prop),
            Key::SsoStartUrl => layer.sso_start_url = Some(prop),
            Key::SsoRegion => layer.sso_region = Some(prop),
            Key::SsoAccountId => layer.sso_account_id = Some(prop),
            Key::SsoRoleName => layer.sso_role_name = Some(prop),
            Key::IotCredentialsEndpoint => layer.iot_credentials_endpoint = Some(prop),
            Key::IotRoleAlias => layer.iot_role_alias = Some(prop),
            Key::IotThingName => layer.iot_thing_name = Some(prop),
            Key::IotCertificate => layer.iot_certificate = Some(prop),
            Key::IotPrivateKey => layer.iot_private_key = Some(prop),
            _ => {
                if let Err(accepted) = settings.set(key, prop) {
                    refused = Some(Refused {
                        key: file_key,
                        line: p.line,
                        accepted: Some(accepted),
                    });
                }
            }
        }
    });
    if let Some(r) = refused {
        let path = ErrorText::tail(file.file().path);
        return Err(match r.accepted {
            Some(accepted) => SharedError::InvalidValue {
                key: r.key,
                path,
                line: r.line,
                accepted,
            },
            None => SharedError::MultiLineValue {
                key: r.key,
                path,
                line: r.line,
            },
        });
    }
    if found.is_none() {
        return Ok(None);
    }
    // Go v1: the static keys count only as a complete pair from this section of this file.
    if let (Some(a), Some(s)) = (akid, secret) {
        if !a.value.is_empty() && !s.value.is_empty() {
            layer.credentials = Some(FileCredentials {
                access_key_id: a,
                secret_access_key: s,
                session_token: token.filter(|t| !t.value.is_empty()),
            });
        }
    }
    Ok(Some(layer))
}

/// Reads profile `name` from every file of `source`, later files overriding earlier ones.
/// `Ok(None)`: the profile is in no file.
///
/// The table's settings go to `settings` when given (the selected profile); otherwise they are
/// only checked, as Go v1 checks every profile of the chain.
fn read_layer<'p, P: ProfileSource + ?Sized>(
    files: &mut Files<'p, P>,
    name: &'p str,
    load: bool,
    settings: Option<&mut FileSettings<'p>>,
) -> Result<Option<ProfileLayer<'p>>, SharedError> {
    let mut scratch = FileSettings::default();
    let settings = settings.unwrap_or(&mut scratch);
    let mut merged: Option<ProfileLayer<'p>> = None;
    for index in 0..files.count() {
        let Some(file) = files.get(index)? else {
            continue; // missing or unreadable: skipped, as Go v1 does
        };
        let idx = u8::try_from(index).unwrap_or(u8::MAX);
        if let Some(layer) = read_file_layer(&file, idx, name, load, settings)? {
            match merged.as_mut() {
                Some(m) => m.override_with(&layer),
                None => merged = Some(layer),
            }
        }
    }
    Ok(merged)
}

/// Go v1 `loadSharedConfig(profile, files, load)`: the profile and its `source_profile` chain,
/// with Go v1's validation (role ARN requirements, one credential type per profile, missing or
/// empty source profiles, and Go v1's rule for a profile met twice in the chain).
///
/// The chain is written into `out` (cleared first), which the caller owns: it is large for a
/// microcontroller stack.
///
/// # Errors
/// Any [`SharedError`]; [`SharedError::ProfileNotExists`] when the selected profile is in no file.
/// `out` then holds the part of the chain read so far.
#[inline(never)] // keeps file-reading temporaries out of the caller's frame (64 KiB targets)
pub fn load<'p, P: ProfileSource + ?Sized>(
    out: &mut SharedConfig<'p>,
    source: &'p P,
    profile: &'p str,
    load: bool,
) -> Result<(), SharedError> {
    // The first lookup checks every file whole, so an unparsable file fails creation even when it
    // does not hold the profile (Go v1 parses all files first); later lookups reuse the check.
    let mut files = Files::new(source);
    out.chain.clear();
    out.settings = FileSettings::default();
    let mut name = profile;
    loop {
        let settings = out.chain.is_empty().then_some(&mut out.settings);
        let Some(mut layer) = read_layer(&mut files, name, load, settings)? else {
            return Err(match out.chain.last() {
                None => SharedError::ProfileNotExists {
                    profile: ErrorText::head(name),
                },
                Some(parent) => SharedError::AssumeRole {
                    role_arn: ErrorText::head(parent.role_arn.map(|p| p.value).unwrap_or("")),
                    source_profile: ErrorText::head(name),
                },
            });
        };
        if out.chain.iter().any(|l| l.name == name) {
            // Second visit: only credential material counts (Go v1 `clearAssumeRoleOptions`).
            layer.clear_assume_role_options();
        } else if layer.role_arn.is_none() {
            let kind = if layer.source_profile.is_some() {
                Some("source_profile")
            } else if layer.credential_source.is_some() {
                Some("credential_source")
            } else if layer.web_identity_token_file.is_some() {
                Some("web_identity_token_file")
            } else {
                None
            };
            if let Some(kind) = kind {
                return Err(SharedError::CredentialRequiresArn {
                    kind,
                    profile: ErrorText::head(name),
                });
            }
        }
        let kinds = [
            layer.source_profile.is_some(),
            layer.credential_source.is_some(),
            layer.credential_process.is_some(),
            layer.web_identity_token_file.is_some(),
            layer.iot_credentials_endpoint.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() > 1 {
            return Err(SharedError::SourceCollision {
                profile: ErrorText::head(name),
            });
        }
        let next = layer.source_profile.map(|p| p.value);
        if next.is_some() {
            layer.clear_credential_options();
        }
        if let Some(parent) = out.chain.last() {
            if !layer.has_credentials() {
                return Err(SharedError::AssumeRole {
                    role_arn: ErrorText::head(parent.role_arn.map(|p| p.value).unwrap_or("")),
                    source_profile: ErrorText::head(name),
                });
            }
        }
        out.chain
            .push(layer)
            .map_err(|_| chain_too_long(source, out.chain.last()))?;
        match next {
            Some(n) => name = n,
            None => break,
        }
    }
    // Go v1 looks up a profile's `[sso-session]` once its source profiles are linked, so the
    // deepest profile's section is checked first.
    for layer in out.chain.iter_mut().rev() {
        if let Some(session) = layer.sso_session {
            layer.sso_session_section = Some(find_sso_session(&mut files, session.value.trim())?);
        }
    }
    Ok(())
}

/// [`SharedError::ChainTooLong`] at the `source_profile` line of `last` (the chain's last profile).
#[inline(never)] // error path only (flash)
fn chain_too_long<P: ProfileSource + ?Sized>(
    source: &P,
    last: Option<&ProfileLayer<'_>>,
) -> SharedError {
    let at = last.and_then(|l| l.source_profile);
    let path = at
        .and_then(|p| source.file(usize::from(p.file)).ok().flatten())
        .map_or("?", |f| f.path);
    SharedError::ChainTooLong {
        limit: MAX_PROFILE_CHAIN,
        profile: ErrorText::head(last.map_or("", |l| l.name)),
        path: ErrorText::tail(path),
        line: at.map_or(0, |p| p.line),
    }
}

/// The first file's `[sso-session name]` section (Go v1 stops at the first file that has it).
fn find_sso_session<'p, P: ProfileSource + ?Sized>(
    files: &mut Files<'p, P>,
    name: &str,
) -> Result<SsoSessionSection<'p>, SharedError> {
    for index in 0..files.count() {
        let file = match files.get(index) {
            Ok(Some(file)) => file,
            // An unreadable file was reported while reading the profile.
            Ok(None) | Err(SharedError::Read { .. }) => continue,
            Err(e) => return Err(e),
        };
        let idx = u8::try_from(index).unwrap_or(u8::MAX);
        let mut section = SsoSessionSection::default();
        let found = file.visit_sso_session(name, &mut |p: &Property<'p>| {
            let Some(value) = p.value.as_str() else {
                return;
            };
            // A later empty value clears an earlier one (Go v1 `updateString`).
            let prop = (!value.is_empty()).then_some(Prop {
                value,
                file: idx,
                line: p.line,
            });
            if p.key_is("sso_region") {
                section.sso_region = prop;
            } else if p.key_is("sso_start_url") {
                section.sso_start_url = prop;
            }
        });
        if found.is_some() {
            return Ok(section);
        }
    }
    Err(SharedError::SsoSessionNotFound {
        name: ErrorText::head(name),
    })
}
