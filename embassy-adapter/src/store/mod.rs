//! Named profiles in NOR flash, safe against power loss.
//!
//! A [`ProfileStore`] keeps profiles — region, static keys, endpoint, role settings, see
//! [`Setting`] — in a range of NOR flash through [`sequential-storage`]'s map, plus which profile
//! is active. Operations: [`provision`](ProfileStore::provision) (create or overwrite),
//! [`read`](ProfileStore::read), [`list`](ProfileStore::list), [`delete`](ProfileStore::delete),
//! [`select`](ProfileStore::select) / [`active`](ProfileStore::active),
//! [`import`](ProfileStore::import) from `~/.aws/config` and `~/.aws/credentials` text (core's
//! parser), and [`load`](ProfileStore::load) into a [`FlashProfiles`] that `Session::new` reads.
//!
//! # Power loss
//!
//! sequential-storage only appends: storing a profile writes a new item after the old one, and an
//! item counts only once its header and data CRCs are complete. A write cut by a power loss leaves
//! an item whose CRC fails; after the reboot it is ignored (and the page repaired on the next
//! write), so the **previous version survives**. The store's tests cut the power at every single
//! flash write and erase of a provision/overwrite/select/delete sequence, and at a random write of
//! hundreds of random histories (with imports), and check exactly that. A record that passes the
//! CRC but does not decode is [`ReadError::Corrupt`] and is skipped (and counted) by
//! [`ProfileStore::list`].
//!
//! An [`import`](ProfileStore::import) stores profile after profile: a cut leaves the profiles
//! before it stored and the one being written in its previous version.
//!
//! # Secrets in flash
//!
//! Records hold the secret access key and session token in plain text, and sequential-storage marks
//! old items stale without erasing them until their page is reclaimed. Protect the flash with the
//! part's read-out protection, and prefer short-lived credentials where the device can get them.
//! In RAM, the store's record buffer is wiped after every operation and on drop, and a
//! [`ProfileData`] read from it redacts secrets in `Debug` and `defmt`.
//!
//! [`sequential-storage`]: sequential_storage

mod check;
mod identity;
mod import;
mod key;
mod record;
mod source;
mod watched;

use core::fmt;
use core::ops::Range;

use aws_session_core::limits::MAX_PROFILE_NAME_LEN;
use aws_session_core::profile::is_valid_name;
use aws_session_core::text::Text;
use embedded_storage_async::nor_flash::{NorFlash, NorFlashError, NorFlashErrorKind};
use sequential_storage::cache::{Cache, Uncached};
use sequential_storage::map::{MapConfig, MapStorage};
use zeroize::Zeroize;

use check::Walk;

use crate::limits::{MAX_PROFILE_RECORD_LEN, MAX_STORED_PROFILES};

pub use identity::{StoredIdentity, IDENTITY_FORMAT_VERSION};
pub use import::{ImportError, ImportReport};
pub use record::{
    max_len, setting_for_key, settings, DecodeError, EncodeError, ProfileData, Setting, ValueError,
    FORMAT_VERSION,
};
pub use source::{FlashProfiles, LoadError, NoEnv, FLASH_PROFILES_PATH};

use key::StoreKey;
use watched::Watched;

/// A profile name as stored.
pub type ProfileName = Text<MAX_PROFILE_NAME_LEN>;

/// Largest flash word sequential-storage supports (STM32H7 internal flash: 32 bytes).
const MAX_WORD: usize = 32;
/// The record buffer: key, record, and padding to a whole flash word.
const BUFFER_LEN: usize = key::MAX_KEY_LEN + MAX_PROFILE_RECORD_LEN + MAX_WORD;
/// Items a listing inspects at most (stale versions included): a guard against a damaged page
/// that would make the walk go on forever. 4096 items cover 16 MiB of the smallest records.
const MAX_ITEMS_SCANNED: u32 = 4096;
/// Passes a listing makes at most. A pass during which sequential-storage repaired a page (a
/// write or erase) is made again; each repair leaves less damage, so a few passes suffice, and
/// flash that is still being repaired after this many is reported as corrupted.
const MAX_LIST_PASSES: u32 = 4;

/// A storage operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum StoreError {
    /// The flash driver failed (for example a power cut during the operation).
    Flash(NorFlashErrorKind),
    /// No room is left even after reclaiming stale items: delete a profile or give the store
    /// more pages.
    Full,
    /// The flash holds something the storage cannot repair, or a write did not read back
    /// (erase the range to recover).
    Corrupted,
    /// A record does not fit a page of this flash (pages of at least 4 KiB hold any record).
    RecordTooBig,
    /// The flash range is unusable: not page-aligned, or fewer than two pages.
    BadRange,
    /// The profile name is empty, longer than [`MAX_PROFILE_NAME_LEN`], or has characters a
    /// profile name may not have.
    InvalidName,
    /// The profile does not exist (selecting or loading it).
    NotFound,
    /// More distinct names are in flash than a listing can track ([`MAX_STORED_PROFILES`]), or
    /// than the caller's list holds.
    TooManyProfiles {
        /// The capacity that overflowed.
        limit: usize,
    },
    /// The record does not fit [`MAX_PROFILE_RECORD_LEN`].
    Encode(EncodeError),
    /// A device certificate that is empty or longer than the limit
    /// ([`MAX_DEVICE_CERTIFICATE_LEN`](crate::limits::MAX_DEVICE_CERTIFICATE_LEN)).
    IdentityTooBig {
        /// The limit.
        limit: usize,
    },
    /// sequential-storage reported an internal inconsistency.
    Internal,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Flash(kind) => write!(f, "profile store: flash error ({kind})"),
            StoreError::Full => f.write_str("profile store: flash range is full"),
            StoreError::Corrupted => f.write_str("profile store: flash is corrupted beyond repair"),
            StoreError::RecordTooBig => {
                f.write_str("profile store: record larger than a flash page")
            }
            StoreError::BadRange => {
                f.write_str("profile store: flash range must be at least two whole pages")
            }
            StoreError::InvalidName => f.write_str("profile store: invalid profile name"),
            StoreError::NotFound => f.write_str("profile store: no such profile"),
            StoreError::TooManyProfiles { limit } => {
                write!(f, "profile store: more than {limit} profiles")
            }
            StoreError::Encode(e) => write!(f, "profile store: {e}"),
            StoreError::IdentityTooBig { limit } => write!(
                f,
                "profile store: a device certificate must be 1 to {limit} bytes of DER"
            ),
            StoreError::Internal => f.write_str("profile store: internal storage error"),
        }
    }
}

impl core::error::Error for StoreError {}

impl<E: NorFlashError> From<sequential_storage::Error<E>> for StoreError {
    fn from(e: sequential_storage::Error<E>) -> Self {
        match e {
            sequential_storage::Error::Storage { value, .. } => StoreError::Flash(value.kind()),
            sequential_storage::Error::FullStorage => StoreError::Full,
            sequential_storage::Error::Corrupted { .. } => StoreError::Corrupted,
            sequential_storage::Error::ItemTooBig
            | sequential_storage::Error::BufferTooSmall(_) => StoreError::RecordTooBig,
            _ => StoreError::Internal,
        }
    }
}

/// Reading one profile failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ReadError {
    /// The storage failed.
    Store(StoreError),
    /// The newest record of the profile passed the storage's CRC but is not a valid record
    /// (another format version, or damage the CRC did not catch). Provision it again.
    Corrupt,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Store(e) => write!(f, "{e}"),
            ReadError::Corrupt => f.write_str("profile store: the stored record is corrupt"),
        }
    }
}

impl core::error::Error for ReadError {}

impl From<StoreError> for ReadError {
    fn from(e: StoreError) -> Self {
        ReadError::Store(e)
    }
}

/// What [`ProfileStore::list`] found besides the names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ListReport {
    /// Profiles whose newest record is corrupt; they are not in the list.
    pub corrupt: u16,
}

/// The flash record buffer, wiped when dropped.
struct RecordBuffer([u8; BUFFER_LEN]);

impl Drop for RecordBuffer {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Profiles in a range of NOR flash. See the [module docs](self).
///
/// The store owns the flash driver and a record buffer of about 3.7 KiB; place it in a
/// `static_cell::StaticCell` or a task's state.
pub struct ProfileStore<F: NorFlash> {
    map: MapStorage<StoreKey, Watched<F>, Cache<Uncached, Uncached, Uncached, StoreKey>>,
    buf: RecordBuffer,
    /// The flash's change count ([`Watched::changes`]) when [`check::walk`] last passed: a write
    /// or erase since (the store's own, or a repair) can bring items into view that the walk
    /// did not see (items past an erased gap or in a page that counted as empty), so the walk
    /// runs again before the map is used.
    walked_at: Option<u32>,
}

impl<F: NorFlash> fmt::Debug for ProfileStore<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProfileStore")
    }
}

/// Checks a profile name and copies it into a key.
fn profile_key(name: &str) -> Result<StoreKey, StoreError> {
    if !is_valid_name(name) {
        return Err(StoreError::InvalidName);
    }
    ProfileName::try_from(name)
        .map(StoreKey::Profile)
        .map_err(|_| StoreError::InvalidName)
}

impl<F: NorFlash> ProfileStore<F> {
    /// A store over `range` of `flash` (whole erase pages, at least two; pages of 4 KiB or more
    /// hold the largest record). Nothing is read or written yet: an erased range is an empty
    /// store, and a range written by an earlier boot keeps its profiles.
    ///
    /// # Errors
    /// [`StoreError::BadRange`] for a range that is not whole pages or has fewer than two.
    pub fn new(flash: F, range: Range<u32>) -> Result<Self, StoreError> {
        let config = MapConfig::<Watched<F>>::try_new(range).map_err(|_| StoreError::BadRange)?;
        Ok(ProfileStore {
            map: MapStorage::new(Watched::new(flash), config, Cache::new_uncached()),
            buf: RecordBuffer([0; BUFFER_LEN]),
            walked_at: None,
        })
    }

    /// Gives the flash driver back.
    pub fn into_flash(self) -> F {
        let ProfileStore { map, buf, .. } = self;
        drop(buf);
        map.destroy().0.into_inner()
    }

    /// Wipes the record buffer (every operation does this first; call it after using a
    /// [`ProfileData`] from [`ProfileStore::read`] that held secrets).
    pub fn scrub(&mut self) {
        self.buf.0.zeroize();
    }

    /// Stores `profile` under `name`, replacing an earlier version. Until the new record is
    /// complete in flash the old one stays the current one.
    ///
    /// # Errors
    /// [`StoreError::InvalidName`], [`StoreError::Encode`], and storage failures.
    pub async fn provision(
        &mut self,
        name: &str,
        profile: &ProfileData<'_>,
    ) -> Result<(), StoreError> {
        let key = profile_key(name)?;
        self.scrub();
        let mut record = RecordBuffer([0; BUFFER_LEN]);
        let len = profile.encode(&mut record.0).map_err(StoreError::Encode)?;
        // A power cut inside `delete` can leave the active pointer naming the deleted profile
        // (`active` reports nothing then). Clear it before the profile exists again, or creating
        // a profile of that name would silently make it active.
        if self.active_pointer().await?.as_deref() == Some(name) && !self.contains(name).await? {
            self.clear_active().await?;
        }
        let bytes: &[u8] = record.0.get(..len).unwrap_or(&[]);
        let result = self.store_verified(&key, bytes).await;
        self.scrub();
        debug!("profile store: provisioned a profile ({} bytes)", len);
        result
    }

    /// Refuses flash holding an item that sequential-storage cannot read without panicking (see
    /// [`check`]); runs before the store's first use of the map and again after anything wrote to
    /// the flash.
    async fn check(&mut self) -> Result<(), StoreError> {
        if self.walked_at == Some(self.map.flash().changes()) {
            return Ok(());
        }
        let range = self.map.flash_range();
        let mut walk = check::walk(self.map.flash(), range.clone(), &mut self.buf.0).await;
        if walk == Ok(Walk::NeedsRepair) {
            // A lookup repairs what it meets, with the store's own key. This one matches no item
            // (no stored key decodes to an empty profile name), so it never slices an item's
            // data by a key length.
            let nothing = StoreKey::Profile(ProfileName::new());
            self.map
                .fetch_item::<&[u8]>(&mut self.buf.0, &nothing)
                .await?;
            walk = check::walk(self.map.flash(), range, &mut self.buf.0).await;
        }
        self.scrub();
        match walk? {
            Walk::Safe => {
                self.walked_at = Some(self.map.flash().changes());
                Ok(())
            }
            Walk::NeedsRepair => Err(StoreError::Corrupted),
        }
    }

    /// Stores `value` under `key`, then reads it back: over flash that holds something other
    /// than a store (a range used for something else before, or damage the CRCs do not
    /// catch), the storage can accept a write that it then cannot find. That is reported as
    /// [`StoreError::Corrupted`] instead of a success that silently lost the value.
    async fn store_verified(&mut self, key: &StoreKey, value: &[u8]) -> Result<(), StoreError> {
        self.check().await?;
        self.map.store_item(&mut self.buf.0, key, &value).await?;
        // The write may have brought other items into view: walk again before the read-back.
        self.check().await?;
        let back = self.map.fetch_item::<&[u8]>(&mut self.buf.0, key).await?;
        if back != Some(value) {
            warn!("profile store: a write did not read back; erase the range");
            return Err(StoreError::Corrupted);
        }
        Ok(())
    }

    /// The newest version of profile `name`, borrowing the store's record buffer; `Ok(None)` when
    /// it was never stored or was deleted.
    ///
    /// # Errors
    /// [`ReadError::Corrupt`] for a record that does not decode; storage failures.
    pub async fn read(&mut self, name: &str) -> Result<Option<ProfileData<'_>>, ReadError> {
        let key = profile_key(name)?;
        self.check().await?;
        self.scrub();
        let item = self
            .map
            .fetch_item::<&[u8]>(&mut self.buf.0, &key)
            .await
            .map_err(StoreError::from)?;
        match item {
            None | Some([]) => Ok(None),
            Some(bytes) => ProfileData::decode(bytes)
                .map(Some)
                .map_err(|_| ReadError::Corrupt),
        }
    }

    /// True when profile `name` exists with a readable record.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn contains(&mut self, name: &str) -> Result<bool, StoreError> {
        let found = match self.read(name).await {
            Ok(p) => p.is_some(),
            Err(ReadError::Corrupt) => false,
            Err(ReadError::Store(e)) => return Err(e),
        };
        self.scrub();
        Ok(found)
    }

    /// Deletes profile `name` (a tombstone record; the old record's bytes stay in flash until
    /// the page is reclaimed). When it was the active profile, no profile is active afterwards.
    /// Returns whether the profile existed.
    ///
    /// # Errors
    /// [`StoreError::InvalidName`] and storage failures.
    pub async fn delete(&mut self, name: &str) -> Result<bool, StoreError> {
        let key = profile_key(name)?;
        let existed = self.contains(name).await?;
        if existed {
            self.store_verified(&key, &[]).await?;
        }
        // The tombstone goes first: from then on `active` no longer reports the profile, so a
        // power cut before the pointer is cleared still reads as "deleted, nothing active".
        if self.active_pointer().await?.as_deref() == Some(name) {
            self.clear_active().await?;
        }
        self.scrub();
        Ok(existed)
    }

    /// Stores an empty active-profile pointer: no profile is active.
    async fn clear_active(&mut self) -> Result<(), StoreError> {
        self.store_verified(&StoreKey::Active, &[]).await
    }

    /// Makes `name` the active profile (the one [`ProfileStore::load`] uses by default).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no readable profile has that name; storage failures.
    pub async fn select(&mut self, name: &str) -> Result<(), StoreError> {
        if !self.contains(name).await? {
            return Err(StoreError::NotFound);
        }
        self.store_verified(&StoreKey::Active, name.as_bytes())
            .await
    }

    /// The active profile's name, if one is selected and still readable.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn active(&mut self) -> Result<Option<ProfileName>, StoreError> {
        match self.active_pointer().await? {
            Some(name) if self.contains(&name).await? => Ok(Some(name)),
            _ => Ok(None),
        }
    }

    /// The stored active-profile pointer, whether or not the profile still exists.
    async fn active_pointer(&mut self) -> Result<Option<ProfileName>, StoreError> {
        self.check().await?;
        self.scrub();
        let item = self
            .map
            .fetch_item::<&[u8]>(&mut self.buf.0, &StoreKey::Active)
            .await?;
        Ok(item
            .and_then(|b| core::str::from_utf8(b).ok())
            .filter(|n| is_valid_name(n))
            .and_then(|n| ProfileName::try_from(n).ok()))
    }

    /// Puts the names of all readable profiles into `out` (cleared first), in the order they
    /// were first stored. Corrupt records are skipped and counted in the report.
    ///
    /// A listed name is one [`ProfileStore::read`] finds: the walk over the flash only collects
    /// names, and each name's current record is then looked up as `read` does. On damaged flash
    /// the walk and the lookup can disagree about which version of a record is the newest, and a
    /// lookup can make sequential-storage repair a page (erasing what an earlier lookup found);
    /// a pass that changed the flash is made again, so the listing names exactly the profiles
    /// that read back once it returns.
    ///
    /// # Errors
    /// [`StoreError::TooManyProfiles`] when `out` or the listing's own table
    /// ([`MAX_STORED_PROFILES`]) is too small; [`StoreError::Corrupted`] when the flash still
    /// changes after four passes (`MAX_LIST_PASSES`); storage failures.
    pub async fn list<const N: usize>(
        &mut self,
        out: &mut heapless::Vec<ProfileName, N>,
    ) -> Result<ListReport, StoreError> {
        for _ in 0..MAX_LIST_PASSES {
            let before = self.map.flash().changes();
            let report = self.list_pass(out).await;
            if report.is_err() || self.map.flash().changes() == before {
                return report;
            }
            debug!("profile store: the flash was repaired while listing; listing again");
        }
        out.clear();
        Err(StoreError::Corrupted)
    }

    /// One pass of [`ProfileStore::list`]: collects the names, then looks each one up.
    async fn list_pass<const N: usize>(
        &mut self,
        out: &mut heapless::Vec<ProfileName, N>,
    ) -> Result<ListReport, StoreError> {
        out.clear();
        self.check().await?;
        self.scrub();
        let mut names: heapless::Vec<ProfileName, MAX_STORED_PROFILES> = heapless::Vec::new();
        let mut report = ListReport::default();
        let mut iter = self.map.fetch_all_items(&mut self.buf.0).await?;
        let mut scanned = 0u32;
        loop {
            scanned += 1;
            if scanned > MAX_ITEMS_SCANNED {
                return Err(StoreError::Corrupted);
            }
            let name = match iter.next::<&[u8]>(&mut self.buf.0).await {
                Ok(None) => break,
                Ok(Some((StoreKey::Active | StoreKey::Identity(_), _))) => continue,
                Ok(Some((StoreKey::Profile(name), _))) => name,
                Err(sequential_storage::Error::SerializationError(_)) => {
                    report.corrupt = report.corrupt.saturating_add(1);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            if !names.contains(&name) {
                names.push(name).map_err(|_| StoreError::TooManyProfiles {
                    limit: MAX_STORED_PROFILES,
                })?;
            }
        }
        for name in names {
            match self.read(&name).await {
                Ok(Some(_)) => out
                    .push(name)
                    .map_err(|_| StoreError::TooManyProfiles { limit: N })?,
                Ok(None) => {}
                Err(ReadError::Corrupt) => report.corrupt = report.corrupt.saturating_add(1),
                Err(ReadError::Store(e)) => return Err(e),
            }
        }
        self.scrub();
        Ok(report)
    }
}

#[cfg(test)]
mod history;
#[cfg(test)]
mod tests;
