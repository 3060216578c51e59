//! A walk over the flash, before the store's first use of it and again after every change to it,
//! for items that sequential-storage 8.0.2 would panic on.
//!
//! sequential-storage hands a key decoder the whole record buffer, not just the item's data, then
//! slices the data at the key length the decoder returned. An item whose CRCs are valid but whose
//! data is shorter than the key it starts with (possible only in crafted or foreign flash) then
//! decodes its key from bytes that an earlier item left in the buffer, and the slice panics (the
//! `flash_store` fuzz target found this; see `docs/fuzzing.md`).
//!
//! The walk reads the same items through the map with a key type that takes no bytes, so each
//! value is exactly one item's data, and checks that a [`StoreKey`] fits inside it. It reads
//! through [`ReadOnly`]: sequential-storage repairs damaged pages as it meets them, and a repair
//! made with that key type would merge items of different keys. When the walk needs a repair it
//! reports [`Walk::NeedsRepair`] instead, and the store lets the map repair with its real key
//! (the repair decodes keys but never slices by them) through a lookup that matches no item,
//! then walks again.

use core::ops::Range;

use embedded_storage_async::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};
use sequential_storage::cache::{Cache, Uncached};
use sequential_storage::map::{Key, MapConfig, MapStorage, SerializationError};

use super::key::StoreKey;
use super::{StoreError, MAX_ITEMS_SCANNED};

/// What a walk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Walk {
    /// Every item holds a whole key.
    Safe,
    /// sequential-storage wanted to repair a page before it could walk on.
    NeedsRepair,
}

/// Walks every item in `range` of `flash` without changing it; `buf` is the store's record
/// buffer (left holding item data: the caller scrubs it).
///
/// # Errors
/// [`StoreError::Corrupted`] for an item whose data is shorter than its key, or for more items
/// than [`MAX_ITEMS_SCANNED`]; storage failures.
pub(super) async fn walk<F: NorFlash>(
    flash: &mut F,
    range: Range<u32>,
    buf: &mut [u8],
) -> Result<Walk, StoreError> {
    let config = MapConfig::<ReadOnly<'_, F>>::try_new(range).map_err(|_| StoreError::BadRange)?;
    let mut map: MapStorage<
        WholeItem,
        ReadOnly<'_, F>,
        Cache<Uncached, Uncached, Uncached, WholeItem>,
    > = MapStorage::new(ReadOnly(flash), config, Cache::new_uncached());
    let mut items = match map.fetch_all_items(buf).await {
        Ok(items) => items,
        Err(e) => return refusal(e),
    };
    let mut scanned = 0u32;
    loop {
        let data = match items.next::<&[u8]>(buf).await {
            Ok(Some((WholeItem, data))) => data,
            Ok(None) => return Ok(Walk::Safe),
            Err(e) => return refusal(e),
        };
        scanned += 1;
        if scanned > MAX_ITEMS_SCANNED {
            return Err(StoreError::Corrupted);
        }
        if let Err(SerializationError::BufferTooSmall) = StoreKey::deserialize_from(data) {
            warn!("profile store: an item is shorter than its key; erase the range");
            return Err(StoreError::Corrupted);
        }
    }
}

/// A walk's failure: a refused write is a repair the walk could not make, and damage the map
/// reports is damage a repair may fix (opening the map's iterator does not repair a half-erased
/// page; a lookup does).
fn refusal<E: NorFlashError>(
    e: sequential_storage::Error<ReadOnlyError<E>>,
) -> Result<Walk, StoreError> {
    match e {
        sequential_storage::Error::Storage {
            value: ReadOnlyError::WriteRefused,
            ..
        }
        | sequential_storage::Error::Corrupted { .. } => Ok(Walk::NeedsRepair),
        e => Err(e.into()),
    }
}

/// A key that takes no bytes of an item: reading the map with it yields every item's whole
/// data as the value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WholeItem;

impl Key for WholeItem {
    fn serialize_into(&self, _buffer: &mut [u8]) -> Result<usize, SerializationError> {
        Ok(0)
    }

    fn deserialize_from(_buffer: &[u8]) -> Result<(Self, usize), SerializationError> {
        Ok((WholeItem, 0))
    }

    fn get_len(_buffer: &[u8]) -> Result<usize, SerializationError> {
        Ok(0)
    }
}

/// A flash driver that reads and refuses every write and erase.
struct ReadOnly<'a, F>(&'a mut F);

/// [`ReadOnly`]'s error: the driver's own, or a refused change.
#[derive(Debug)]
enum ReadOnlyError<E> {
    /// The driver failed a read.
    Flash(E),
    /// A write or erase was asked for.
    WriteRefused,
}

impl<E: NorFlashError> NorFlashError for ReadOnlyError<E> {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            ReadOnlyError::Flash(e) => e.kind(),
            ReadOnlyError::WriteRefused => NorFlashErrorKind::Other,
        }
    }
}

impl<F: ErrorType> ErrorType for ReadOnly<'_, F> {
    type Error = ReadOnlyError<F::Error>;
}

impl<F: ReadNorFlash> ReadNorFlash for ReadOnly<'_, F> {
    const READ_SIZE: usize = F::READ_SIZE;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        self.0
            .read(offset, bytes)
            .await
            .map_err(ReadOnlyError::Flash)
    }

    fn capacity(&self) -> usize {
        self.0.capacity()
    }
}

impl<F: NorFlash> NorFlash for ReadOnly<'_, F> {
    const WRITE_SIZE: usize = F::WRITE_SIZE;
    const ERASE_SIZE: usize = F::ERASE_SIZE;

    async fn erase(&mut self, _from: u32, _to: u32) -> Result<(), Self::Error> {
        Err(ReadOnlyError::WriteRefused)
    }

    async fn write(&mut self, _offset: u32, _bytes: &[u8]) -> Result<(), Self::Error> {
        Err(ReadOnlyError::WriteRefused)
    }
}
