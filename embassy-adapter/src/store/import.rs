//! Provisioning from `~/.aws/config` and `~/.aws/credentials` text, with core's parser.

use core::fmt;

use crate::limits::MAX_STORED_PROFILES;
use aws_session_core::config::{FileKind, ProfileFile};
use aws_session_core::profile::{check_file, sections, visit_profile, ProfileError, SectionKind};
use embedded_storage_async::nor_flash::NorFlash;

use super::record::{setting_for_key, ProfileData, ValueError};
use super::{ProfileStore, StoreError};

/// Importing profiles failed. Profiles stored before the failure stay stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ImportError<'t> {
    /// A file does not parse (nothing was stored).
    Parse {
        /// Which file.
        file: FileKind,
        /// What is wrong, and on which line.
        error: ProfileError,
    },
    /// A value cannot be stored (nothing of this profile was stored).
    Value {
        /// The profile.
        profile: &'t str,
        /// The value's problem.
        error: ValueError,
    },
    /// The files define more profiles than [`MAX_STORED_PROFILES`] (nothing was stored).
    TooManyProfiles {
        /// The limit.
        limit: usize,
    },
    /// The profile asked for is in neither file (nothing was stored).
    NotFound {
        /// The profile.
        profile: &'t str,
    },
    /// Storing a profile failed.
    Store {
        /// The profile being stored.
        profile: &'t str,
        /// What the store said.
        error: StoreError,
    },
}

impl fmt::Display for ImportError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Parse { file, error } => {
                let name = match file {
                    FileKind::Config => "config",
                    FileKind::Credentials => "credentials",
                };
                write!(f, "import: the {name} file does not parse: {error}")
            }
            ImportError::Value { profile, error } => {
                write!(f, "import: profile {profile}: {error}")
            }
            ImportError::TooManyProfiles { limit } => {
                write!(f, "import: more than {limit} profiles")
            }
            ImportError::NotFound { profile } => {
                write!(f, "import: no profile {profile} in the files")
            }
            ImportError::Store { profile, error } => {
                write!(f, "import: profile {profile}: {error}")
            }
        }
    }
}

impl core::error::Error for ImportError<'_> {}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ImportReport {
    /// Profiles stored.
    pub imported: u16,
    /// Profiles with no setting a device can use (for example SSO-only profiles); not stored.
    pub skipped_profiles: u16,
    /// Properties not stored: keys that need a desktop (`credential_process`, `sso_*`, …),
    /// unknown keys, multi-line values and empty values.
    pub skipped_keys: u16,
}

/// One profile's settings merged over the files (a later file wins per key, as in Go v1).
fn collect<'t>(
    files: &[ProfileFile<'t>],
    name: &'t str,
    skipped: &mut u16,
) -> Result<ProfileData<'t>, ImportError<'t>> {
    let mut data = ProfileData::new();
    let mut error = None;
    for file in files {
        visit_profile(file, name, &mut |p| {
            let value = p.value.as_str().filter(|v| !v.is_empty());
            match (setting_for_key(p.key), value) {
                (Some(setting), Some(v)) => {
                    if let Err(e) = data.set(setting, v) {
                        error.get_or_insert(e);
                    }
                }
                _ => *skipped = skipped.saturating_add(1),
            }
        })
        .map_err(|error| ImportError::Parse {
            file: file.kind,
            error,
        })?;
    }
    match error {
        Some(error) => Err(ImportError::Value {
            profile: name,
            error,
        }),
        None => Ok(data),
    }
}

impl<F: NorFlash> ProfileStore<F> {
    /// Stores the profiles of a desktop's `~/.aws/config` and `~/.aws/credentials` text (either
    /// may be `None`), parsed exactly as the session parses them. A profile in both files is
    /// merged, the credentials file winning per key. With `only`, just that profile is stored.
    ///
    /// Both files are parsed and every profile is checked before anything is written; then each
    /// profile is stored as in [`ProfileStore::provision`]. Settings a device cannot use are
    /// skipped and counted.
    ///
    /// # Errors
    /// [`ImportError`]: a parse error (with file and line), an unstorable value, too many
    /// profiles, a missing `only` profile, or a storage failure.
    pub async fn import<'t>(
        &mut self,
        config: Option<&'t str>,
        credentials: Option<&'t str>,
        only: Option<&'t str>,
    ) -> Result<ImportReport, ImportError<'t>> {
        let mut files: heapless::Vec<ProfileFile<'t>, 2> = heapless::Vec::new();
        let parts = [
            (config, FileKind::Config, "~/.aws/config"),
            (credentials, FileKind::Credentials, "~/.aws/credentials"),
        ];
        for (text, kind, path) in parts {
            if let Some(text) = text {
                let file = ProfileFile { path, kind, text };
                check_file(&file).map_err(|error| ImportError::Parse { file: kind, error })?;
                // Two slots for two files: this push cannot fail.
                let _ = files.push(file);
            }
        }

        let mut names: heapless::Vec<&'t str, MAX_STORED_PROFILES> = heapless::Vec::new();
        for file in &files {
            let found = sections(file).map_err(|error| ImportError::Parse {
                file: file.kind,
                error,
            })?;
            for s in found.filter(|s| s.kind == SectionKind::Profile) {
                if only.is_some_and(|o| o != s.name) || names.contains(&s.name) {
                    continue;
                }
                names
                    .push(s.name)
                    .map_err(|_| ImportError::TooManyProfiles {
                        limit: MAX_STORED_PROFILES,
                    })?;
            }
        }
        if let (Some(profile), true) = (only, names.is_empty()) {
            return Err(ImportError::NotFound { profile });
        }

        // Check every profile before writing any.
        let mut report = ImportReport::default();
        for name in &names {
            collect(&files, name, &mut report.skipped_keys)?;
        }
        report.skipped_keys = 0;
        for name in names {
            let data = collect(&files, name, &mut report.skipped_keys)?;
            if data.is_empty() {
                report.skipped_profiles = report.skipped_profiles.saturating_add(1);
                continue;
            }
            self.provision(name, &data)
                .await
                .map_err(|error| ImportError::Store {
                    profile: name,
                    error,
                })?;
            report.imported = report.imported.saturating_add(1);
        }
        debug!("profile store: imported {} profiles", report.imported);
        Ok(report)
    }
}
