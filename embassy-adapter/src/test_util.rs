//! In-memory fakes for tests and examples (feature `test-util`).

mod mem_flash;
pub use mem_flash::{MemFlash, MemFlashError};
