//! A NOR flash in RAM that can lose power in the middle of any write or erase.

use core::fmt;

use embedded_storage_async::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};

/// Why a [`MemFlash`] operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MemFlashError {
    /// Address or length not a multiple of the word (writes) or page (erases) size.
    NotAligned,
    /// Past the end of the flash.
    OutOfBounds,
    /// The simulated power cut happened; nothing works until [`MemFlash::restore_power`].
    PowerLost,
}

impl fmt::Display for MemFlashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MemFlashError::NotAligned => "unaligned flash access",
            MemFlashError::OutOfBounds => "flash access out of bounds",
            MemFlashError::PowerLost => "power lost during a flash operation",
        })
    }
}

impl NorFlashError for MemFlashError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            MemFlashError::NotAligned => NorFlashErrorKind::NotAligned,
            MemFlashError::OutOfBounds => NorFlashErrorKind::OutOfBounds,
            MemFlashError::PowerLost => NorFlashErrorKind::Other,
        }
    }
}

/// `SIZE` bytes of NOR flash in RAM, with `PAGE`-byte erase sectors and `WORD`-byte writes.
///
/// It behaves as NOR flash does: erasing sets a sector to `0xFF`, and writing can only clear bits
/// (the new content is the old content AND the data). Every write and erase is counted; with
/// [`MemFlash::lose_power_at`] the operation with that number (0-based) is cut halfway — a write
/// stores only its first half (rounded down to whole words), an erase clears only the first half of
/// its range — and from then on every call fails with [`MemFlashError::PowerLost`] until
/// [`MemFlash::restore_power`], which stands for the reboot.
#[derive(Clone)]
pub struct MemFlash<const SIZE: usize, const PAGE: usize = 4096, const WORD: usize = 4> {
    bytes: [u8; SIZE],
    operations: u32,
    erases: u32,
    lose_power_at: Option<u32>,
    powered: bool,
}

impl<const SIZE: usize, const PAGE: usize, const WORD: usize> Default
    for MemFlash<SIZE, PAGE, WORD>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const SIZE: usize, const PAGE: usize, const WORD: usize> fmt::Debug
    for MemFlash<SIZE, PAGE, WORD>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The contents may hold secrets; show only the state.
        f.debug_struct("MemFlash")
            .field("size", &SIZE)
            .field("operations", &self.operations)
            .field("lose_power_at", &self.lose_power_at)
            .field("powered", &self.powered)
            .finish()
    }
}

impl<const SIZE: usize, const PAGE: usize, const WORD: usize> MemFlash<SIZE, PAGE, WORD> {
    /// An erased flash (all `0xFF`) that never loses power.
    pub const fn new() -> Self {
        MemFlash {
            bytes: [0xFF; SIZE],
            operations: 0,
            erases: 0,
            lose_power_at: None,
            powered: true,
        }
    }

    /// Cuts the power during write-or-erase operation number `n` (0-based, counted from now on as
    /// well as before: the count is [`MemFlash::operations`]).
    pub fn lose_power_at(&mut self, n: u32) {
        self.lose_power_at = Some(n);
    }

    /// Reboots after a power cut: the contents stay as the cut left them; no further cut is
    /// planned.
    pub fn restore_power(&mut self) {
        self.powered = true;
        self.lose_power_at = None;
    }

    /// True once a planned power cut has happened (and power was not restored).
    pub fn power_lost(&self) -> bool {
        !self.powered
    }

    /// Writes and erases performed (or started) so far.
    pub fn operations(&self) -> u32 {
        self.operations
    }

    /// Erases performed (or started) so far.
    pub fn erases(&self) -> u32 {
        self.erases
    }

    /// The raw contents.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The raw contents, to damage on purpose in tests.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    fn range(
        &self,
        offset: u32,
        len: usize,
        align: usize,
    ) -> Result<core::ops::Range<usize>, MemFlashError> {
        if !self.powered {
            return Err(MemFlashError::PowerLost);
        }
        let start = usize::try_from(offset).map_err(|_| MemFlashError::OutOfBounds)?;
        let end = start.checked_add(len).ok_or(MemFlashError::OutOfBounds)?;
        if end > SIZE {
            return Err(MemFlashError::OutOfBounds);
        }
        if !start.is_multiple_of(align) || !len.is_multiple_of(align) {
            return Err(MemFlashError::NotAligned);
        }
        Ok(start..end)
    }

    /// Counts one operation; returns true when this one is cut.
    fn begin_operation(&mut self) -> bool {
        let n = self.operations;
        self.operations = self.operations.saturating_add(1);
        self.lose_power_at == Some(n)
    }
}

impl<const SIZE: usize, const PAGE: usize, const WORD: usize> ErrorType
    for MemFlash<SIZE, PAGE, WORD>
{
    type Error = MemFlashError;
}

impl<const SIZE: usize, const PAGE: usize, const WORD: usize> ReadNorFlash
    for MemFlash<SIZE, PAGE, WORD>
{
    const READ_SIZE: usize = 1;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), MemFlashError> {
        let range = self.range(offset, bytes.len(), 1)?;
        let src = self.bytes.get(range).ok_or(MemFlashError::OutOfBounds)?;
        bytes.copy_from_slice(src);
        Ok(())
    }

    fn capacity(&self) -> usize {
        SIZE
    }
}

impl<const SIZE: usize, const PAGE: usize, const WORD: usize> NorFlash
    for MemFlash<SIZE, PAGE, WORD>
{
    const WRITE_SIZE: usize = WORD;
    const ERASE_SIZE: usize = PAGE;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), MemFlashError> {
        let len = to.checked_sub(from).ok_or(MemFlashError::OutOfBounds)?;
        let range = self.range(
            from,
            usize::try_from(len).map_err(|_| MemFlashError::OutOfBounds)?,
            PAGE,
        )?;
        let cut = self.begin_operation();
        self.erases = self.erases.saturating_add(1);
        let end = if cut {
            range.start + range.len() / 2
        } else {
            range.end
        };
        if let Some(dst) = self.bytes.get_mut(range.start..end) {
            dst.fill(0xFF);
        }
        if cut {
            self.powered = false;
            return Err(MemFlashError::PowerLost);
        }
        Ok(())
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), MemFlashError> {
        let range = self.range(offset, bytes.len(), WORD)?;
        let cut = self.begin_operation();
        let n = if cut {
            bytes.len() / 2 / WORD * WORD
        } else {
            bytes.len()
        };
        if let Some(dst) = self.bytes.get_mut(range.start..range.start + n) {
            for (d, s) in dst.iter_mut().zip(bytes) {
                *d &= *s;
            }
        }
        if cut {
            self.powered = false;
            return Err(MemFlashError::PowerLost);
        }
        Ok(())
    }
}
