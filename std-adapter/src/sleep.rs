//! [`ThreadSleep`]: retry back-off on a thread, as core's [`Sleep`].

use aws_session_core::platform::Sleep;

/// Blocks the calling thread with [`std::thread::sleep`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadSleep;

impl Sleep for ThreadSleep {
    fn sleep_ms(&mut self, millis: u32) {
        std::thread::sleep(core::time::Duration::from_millis(u64::from(millis)));
    }
}
