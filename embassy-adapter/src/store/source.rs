//! A session's profile source from flash: the selected profile and its `source_profile` chain,
//! rendered as `~/.aws/config` text so that `Session::new` reads flash exactly as it reads a
//! desktop's files.

use core::convert::Infallible;
use core::fmt::{self, Write as _};

use aws_session_core::config::{FileKind, ProfileFile, SharedConfigState};
use aws_session_core::limits::MAX_PROFILE_CHAIN;
use aws_session_core::platform::{Environment, ProfileSource};
use aws_session_core::session::Options;
use aws_session_core::text::SliceWriter;
use embedded_storage_async::nor_flash::NorFlash;
use zeroize::Zeroize;

use crate::limits::MAX_FLASH_PROFILE_TEXT_LEN;

use super::record::{ProfileData, Setting};
use super::{ProfileName, ProfileStore, ReadError, StoreError};

/// The path flash profiles show in provenance (`file:flash:profiles:LINE`).
pub const FLASH_PROFILES_PATH: &str = "flash:profiles";

/// Loading profiles for a session failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum LoadError {
    /// No profile was named and none is active.
    NoActiveProfile,
    /// The profile (`hop` 0) or a `source_profile` it names (`hop` 1, 2, …) has a corrupt record.
    Corrupt {
        /// Position in the chain.
        hop: u8,
    },
    /// The selected profile is not in flash (source profiles that are missing are left to the
    /// session, which reports them as Go v1 does).
    NotFound,
    /// The rendered text does not fit the [`FlashProfiles`] buffer.
    TextFull {
        /// The buffer's size.
        limit: usize,
    },
    /// The storage failed.
    Store(StoreError),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NoActiveProfile => {
                f.write_str("no profile named and none is active in flash")
            }
            LoadError::Corrupt { hop } => write!(
                f,
                "profile {hop} of the source_profile chain is corrupt in flash"
            ),
            LoadError::NotFound => f.write_str("the profile is not in flash"),
            LoadError::TextFull { limit } => {
                write!(f, "the profiles do not fit the {limit}-byte text buffer")
            }
            LoadError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for LoadError {}

impl From<StoreError> for LoadError {
    fn from(e: StoreError) -> Self {
        LoadError::Store(e)
    }
}

/// Profiles loaded from flash for one session, as config text in an `N`-byte buffer (wiped on
/// drop; `Debug` shows only the profile name and the length).
///
/// ```ignore
/// let mut profiles = FlashProfiles::<4096>::new();
/// store.load(None, &mut profiles).await?;          // the active profile
/// let session = Session::new(&profiles.options(), &NoEnv, &profiles)?;
/// ```
pub struct FlashProfiles<const N: usize = MAX_FLASH_PROFILE_TEXT_LEN> {
    text: [u8; N],
    len: usize,
    profile: ProfileName,
}

impl<const N: usize> Default for FlashProfiles<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> FlashProfiles<N> {
    /// Nothing loaded.
    pub const fn new() -> Self {
        FlashProfiles {
            text: [0; N],
            len: 0,
            profile: ProfileName::new(),
        }
    }

    /// The selected profile's name (empty before a load).
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// Session options for the loaded profile: this profile, shared config loading on (the
    /// flash text is in config-file syntax; Go v1 reads region and role settings from it only with
    /// loading on). Adjust the other fields as needed.
    pub fn options(&self) -> Options<'_> {
        Options {
            profile: Some(self.profile()),
            shared_config_state: SharedConfigState::Enable,
            ..Options::default()
        }
    }

    /// The rendered text. It contains secrets: do not log it.
    pub fn expose_text(&self) -> &str {
        core::str::from_utf8(self.text.get(..self.len).unwrap_or(&[])).unwrap_or("")
    }

    fn clear(&mut self) {
        self.text.zeroize();
        self.len = 0;
        self.profile.clear();
    }

    /// Appends `[profile NAME]` and the profile's settings.
    fn append(&mut self, name: &str, data: &ProfileData<'_>) -> Result<(), LoadError> {
        let full = LoadError::TextFull { limit: N };
        let rest = self.text.get_mut(self.len..).ok_or(full)?;
        let mut w = SliceWriter::new(rest);
        writeln!(w, "[profile {name}]").map_err(|_| full)?;
        for (setting, value) in data.iter_exposed() {
            writeln!(w, "{} = {}", setting.name(), value).map_err(|_| full)?;
        }
        self.len += w.len();
        Ok(())
    }
}

impl<const N: usize> Drop for FlashProfiles<N> {
    fn drop(&mut self) {
        self.text.zeroize();
    }
}

impl<const N: usize> fmt::Debug for FlashProfiles<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlashProfiles")
            .field("profile", &self.profile.as_str())
            .field("text_len", &self.len)
            .finish()
    }
}

impl<const N: usize> ProfileSource for FlashProfiles<N> {
    type Error = Infallible;
    fn file_count(&self) -> usize {
        1
    }
    fn file(&self, index: usize) -> Result<Option<ProfileFile<'_>>, Infallible> {
        Ok((index == 0).then(|| ProfileFile {
            path: FLASH_PROFILES_PATH,
            kind: FileKind::Config,
            text: self.expose_text(),
        }))
    }
}

/// An environment with no variables: firmware has none, and every setting comes from flash or
/// from `Options`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEnv;

impl Environment for NoEnv {
    type Error = Infallible;
    fn var(&self, _name: &str) -> Result<Option<&str>, Infallible> {
        Ok(None)
    }
}

impl<F: NorFlash> ProfileStore<F> {
    /// Loads profile `name` — or the active profile when `None` — and the profiles its
    /// `source_profile` chain names into `out`, for `Session::new`.
    ///
    /// # Errors
    /// [`LoadError`]: nothing active, the profile missing, a corrupt record, a full text buffer,
    /// a storage failure.
    pub async fn load<const N: usize>(
        &mut self,
        name: Option<&str>,
        out: &mut FlashProfiles<N>,
    ) -> Result<(), LoadError> {
        out.clear();
        let first = match name {
            Some(n) => {
                ProfileName::try_from(n).map_err(|_| LoadError::Store(StoreError::InvalidName))?
            }
            None => self.active().await?.ok_or(LoadError::NoActiveProfile)?,
        };
        let mut done: heapless::Vec<ProfileName, MAX_PROFILE_CHAIN> = heapless::Vec::new();
        let mut next = Some(first.clone());
        let mut hop = 0u8;
        while let Some(current) = next.take() {
            if done.contains(&current) || done.is_full() {
                break;
            }
            let data = match self.read(&current).await {
                Ok(Some(d)) => d,
                Ok(None) if hop == 0 => return Err(LoadError::NotFound),
                Ok(None) => break,
                Err(ReadError::Corrupt) => return Err(LoadError::Corrupt { hop }),
                Err(ReadError::Store(e)) => return Err(e.into()),
            };
            let appended = out.append(&current, &data);
            next = data
                .get(Setting::SourceProfile)
                .and_then(|s| ProfileName::try_from(s).ok());
            self.scrub();
            appended?;
            // `done` is not full (checked above).
            let _ = done.push(current);
            hop = hop.saturating_add(1);
        }
        out.profile = first;
        Ok(())
    }
}
