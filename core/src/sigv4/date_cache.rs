//! The signer's timestamp cache: the last time it converted to `X-Amz-Date` text.
//!
//! Signing the same second again reuses the text; the same day rewrites only the time of day. The
//! calendar itself ([`crate::time`]) stays pure and cache-free.

use crate::time::{write_pairs, AmzDateTime, TimeError, UnixTime, MAX_SECS};

/// The last time converted to `YYYYMMDDTHHMMSSZ` text, so that a signer asked for the same
/// second again reuses the text, and for the same day writes only the time of day (the calendar
/// is most of the conversion's cost). Holds public text only.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DateCache {
    /// The seconds `text` shows; `u64::MAX` (out of range, never looked up) while empty.
    secs: u64,
    /// Days since 1970-01-01 of `text`.
    day: u32,
    text: [u8; 16],
}

impl DateCache {
    /// An empty cache.
    pub(crate) const fn new() -> Self {
        DateCache {
            secs: u64::MAX,
            day: u32::MAX,
            text: [0; 16],
        }
    }

    /// [`UnixTime::amz_datetime`], from the cache when `t` is the time converted last, or with
    /// its date text when `t` falls on the same day; the cache then holds `t`.
    ///
    /// # Errors
    /// As [`UnixTime::amz_datetime`].
    pub(crate) fn amz_datetime(&mut self, t: UnixTime) -> Result<AmzDateTime, TimeError> {
        // Checked first: an empty cache holds `u64::MAX`, itself out of range.
        if t.secs() > MAX_SECS {
            return Err(TimeError::OutOfRange);
        }
        if t.secs() == self.secs {
            return Ok(AmzDateTime::from_checked_bytes(self.text));
        }
        let (days, hms) = t.split_day();
        let text = if days == self.day {
            let mut b = self.text;
            let [hour, minute, second] = hms;
            write_pairs(&mut b, &[(9, hour), (11, minute), (13, second)]);
            b
        } else {
            *t.amz_datetime()?.as_bytes()
        };
        *self = DateCache {
            secs: t.secs(),
            day: days,
            text,
        };
        Ok(AmzDateTime::from_checked_bytes(text))
    }
}

impl Default for DateCache {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    selftests! {
        fn date_cache_agrees_with_the_calendar() {
            // An empty cache converts (or refuses) every time, the largest one too.
            for secs in [u64::MAX, MAX_SECS + 1, 0, MAX_SECS] {
                let t = UnixTime::from_secs(secs);
                assert_eq!(DateCache::new().amz_datetime(t), t.amz_datetime(), "{secs}");
            }
            // Same second, same day, the next and an earlier day, the edges, out of range.
            let mut cache = DateCache::new();
            let times = [
                1_440_938_160, 1_440_938_160, 1_440_938_161, 1_440_979_199, 1_440_979_200,
                1_440_979_200, 0, 59, 86_399, 86_400, MAX_SECS, MAX_SECS + 1, MAX_SECS,
                u64::MAX, u64::MAX - 1, 951_782_399, 951_782_400, 1_440_938_160,
            ];
            for secs in times {
                let t = UnixTime::from_secs(secs);
                assert_eq!(cache.amz_datetime(t), t.amz_datetime(), "{secs}");
            }
            let mut secs = 0u64;
            while secs < MAX_SECS {
                let t = UnixTime::from_secs(secs);
                assert_eq!(cache.amz_datetime(t), t.amz_datetime(), "{secs}");
                secs += 86_400 * 5 + 7_919;
            }
            for k in 0..300 {
                let t = UnixTime::from_secs(1_699_999_000 + k * 997);
                assert_eq!(cache.amz_datetime(t), t.amz_datetime(), "{t:?}");
            }
        }
    }
}
