//! A flash driver that counts the writes and erases made through it.
//!
//! sequential-storage repairs a damaged page when a read meets it, which may erase what an
//! earlier read of the same operation found. [`ProfileStore::list`](super::ProfileStore::list)
//! watches this count to know when its walk and its lookups saw different flash.

use embedded_storage_async::nor_flash::{ErrorType, NorFlash, ReadNorFlash};

/// `F` with a count of the writes and erases started through it.
pub(super) struct Watched<F> {
    flash: F,
    changes: u32,
}

impl<F> Watched<F> {
    /// Wraps `flash` with a count of zero.
    pub(super) const fn new(flash: F) -> Self {
        Watched { flash, changes: 0 }
    }

    /// Writes and erases started so far (wrapping).
    pub(super) const fn changes(&self) -> u32 {
        self.changes
    }

    /// The flash driver.
    pub(super) fn into_inner(self) -> F {
        self.flash
    }
}

impl<F: ErrorType> ErrorType for Watched<F> {
    type Error = F::Error;
}

impl<F: ReadNorFlash> ReadNorFlash for Watched<F> {
    const READ_SIZE: usize = F::READ_SIZE;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        self.flash.read(offset, bytes).await
    }

    fn capacity(&self) -> usize {
        self.flash.capacity()
    }
}

impl<F: NorFlash> NorFlash for Watched<F> {
    const WRITE_SIZE: usize = F::WRITE_SIZE;
    const ERASE_SIZE: usize = F::ERASE_SIZE;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        self.changes = self.changes.wrapping_add(1);
        self.flash.erase(from, to).await
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        self.changes = self.changes.wrapping_add(1);
        self.flash.write(offset, bytes).await
    }
}
