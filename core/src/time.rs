//! Wall-clock time as a value. The crate never reads a clock itself: callers pass a [`UnixTime`].

/// Seconds since 1970-01-01T00:00:00Z (UTC, no leap seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnixTime(u64);

impl UnixTime {
    /// A time from whole seconds since the Unix epoch.
    pub const fn from_secs(secs: u64) -> Self {
        UnixTime(secs)
    }

    /// Whole seconds since the Unix epoch.
    pub const fn secs(self) -> u64 {
        self.0
    }
}
