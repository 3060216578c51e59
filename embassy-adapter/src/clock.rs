//! A wall clock for devices without an RTC: embassy-time's monotonic clock plus an anchor set from
//! the HTTP `Date` header of any response, from SNTP, or by the application.
//!
//! Until something sets it, [`WallClock::now`] fails with [`ClockError::Unset`], whose kind is
//! [`ErrorKind::ClockUnset`]: the request pipeline reads the clock once per attempt, so a request
//! signed too early fails with that typed error instead of carrying a 1970 signature.
//!
//! The usual bootstrap is one unsigned request (any AWS endpoint answers even an anonymous `GET /`
//! with a `Date` header): the HTTP client hands every response head to [`WallClock::observe`], and
//! from then on the clock runs on the monotonic timer. Later responses correct it only when it is
//! off by [`MAX_DATE_DRIFT_SECS`] or more, because `Date` has whole seconds and would otherwise
//! move the clock back and forth by up to one second. SigV4 accepts 5 minutes of skew.
//!
//! Trust: `Date` comes from the server the client just talked to. Over TLS with verified
//! certificates that is the AWS endpoint; over plain HTTP an attacker could set the clock, which at
//! worst makes signatures fail or be valid at a wrong time (a replay window). Certificate expiry
//! checks in TLS use this clock too, so set it from SNTP or an RTC first where that matters.

use core::cell::Cell;
use core::fmt;

use crate::limits::MAX_DATE_DRIFT_SECS;
use aws_session_core::http::ResponseHead;
use aws_session_core::platform::{Clock, Error, ErrorKind};
use aws_session_core::time::{TimeError, UnixTime};
use embassy_sync::blocking_mutex::raw::{CriticalSectionRawMutex, RawMutex};
use embassy_sync::blocking_mutex::Mutex;
use embassy_time::Instant;

/// Seconds from the NTP era (1900-01-01) to the Unix epoch.
pub const NTP_UNIX_OFFSET_SECS: u64 = 2_208_988_800;

/// Reading the wall clock failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ClockError {
    /// Nothing has set the clock yet (no response seen, no SNTP, no RTC).
    Unset,
    /// The clock would pass 9999-12-31 (a corrupt anchor).
    Overflow,
}

impl fmt::Display for ClockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClockError::Unset => {
                "the wall clock is not set yet (no Date header, SNTP or RTC reading)"
            }
            ClockError::Overflow => "the wall clock overflowed",
        })
    }
}

impl core::error::Error for ClockError {}

impl Error for ClockError {
    fn kind(&self) -> ErrorKind {
        match self {
            ClockError::Unset => ErrorKind::ClockUnset,
            ClockError::Overflow => ErrorKind::Other,
        }
    }
}

/// Where the clock's current anchor came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ClockSource {
    /// An HTTP response's `Date` header.
    HttpDate,
    /// SNTP.
    Sntp,
    /// The application (an RTC, a GNSS fix, a provisioning tool).
    Application,
}

#[derive(Clone, Copy)]
struct Anchor {
    unix_secs: u64,
    at: Instant,
    source: ClockSource,
}

/// The wall clock. `const fn new()`, so it can be a `static`; share it by reference between the
/// HTTP client (which sets it) and the session's pipeline (which reads it).
///
/// `M` is the mutex guarding the anchor: [`CriticalSectionRawMutex`] (the default) for a clock
/// shared between executors or interrupts, `NoopRawMutex` for one executor.
pub struct WallClock<M: RawMutex = CriticalSectionRawMutex> {
    anchor: Mutex<M, Cell<Option<Anchor>>>,
}

impl<M: RawMutex> Default for WallClock<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: RawMutex> fmt::Debug for WallClock<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.anchor.lock(Cell::get);
        f.debug_struct("WallClock")
            .field("set", &a.is_some())
            .field("source", &a.map(|a| a.source))
            .finish()
    }
}

impl<M: RawMutex> WallClock<M> {
    /// A clock that is not set.
    pub const fn new() -> Self {
        WallClock {
            anchor: Mutex::new(Cell::new(None)),
        }
    }

    /// True once something has set the clock.
    pub fn is_set(&self) -> bool {
        self.anchor.lock(Cell::get).is_some()
    }

    /// Where the current setting came from.
    pub fn source(&self) -> Option<ClockSource> {
        self.anchor.lock(Cell::get).map(|a| a.source)
    }

    /// Sets the clock: it is `now` at monotonic instant `at`.
    pub fn set_at(&self, now: UnixTime, at: Instant, source: ClockSource) {
        self.anchor.lock(|c| {
            c.set(Some(Anchor {
                unix_secs: now.secs(),
                at,
                source,
            }))
        });
        debug!("wall clock set to {} s", now.secs());
    }

    /// Sets the clock to `now` at this moment (an RTC or GNSS reading, say).
    pub fn set(&self, now: UnixTime) {
        self.set_at(now, Instant::now(), ClockSource::Application);
    }

    /// Sets the clock from an SNTP reply's transmit timestamp, in whole seconds since 1900 (NTP
    /// era 0) taken at monotonic instant `at`.
    ///
    /// # Errors
    /// [`TimeError::OutOfRange`] for a timestamp before 1970.
    pub fn set_from_sntp(&self, ntp_secs: u64, at: Instant) -> Result<(), TimeError> {
        let unix = ntp_secs
            .checked_sub(NTP_UNIX_OFFSET_SECS)
            .ok_or(TimeError::OutOfRange)?;
        self.set_at(UnixTime::from_secs(unix), at, ClockSource::Sntp);
        Ok(())
    }

    /// Takes an HTTP `Date` value (IMF-fixdate) received at monotonic instant `at`: sets the clock
    /// when it is unset or off by [`MAX_DATE_DRIFT_SECS`] or more. Returns whether it changed.
    ///
    /// # Errors
    /// [`TimeError`] when the value is not an IMF-fixdate; the clock is unchanged.
    pub fn observe_date_at(&self, date: &str, at: Instant) -> Result<bool, TimeError> {
        let server = UnixTime::parse_http_date(date)?;
        let drift_ok = match self.now_at(at) {
            Ok(ours) => ours.secs().abs_diff(server.secs()) < MAX_DATE_DRIFT_SECS,
            Err(_) => false,
        };
        if drift_ok {
            return Ok(false);
        }
        self.set_at(server, at, ClockSource::HttpDate);
        Ok(true)
    }

    /// [`WallClock::observe_date_at`] with the response's `Date` header, now. A response without
    /// a valid `Date` changes nothing. Returns whether the clock changed.
    pub fn observe(&self, response: &ResponseHead) -> bool {
        match response.headers().get("date") {
            Some(date) => self.observe_date_at(date, Instant::now()).unwrap_or(false),
            None => false,
        }
    }

    /// The time at monotonic instant `at`.
    ///
    /// # Errors
    /// [`ClockError::Unset`] before the clock is set.
    pub fn now_at(&self, at: Instant) -> Result<UnixTime, ClockError> {
        let a = self.anchor.lock(Cell::get).ok_or(ClockError::Unset)?;
        // An instant before the anchor (a reading taken earlier) counts backwards.
        let secs = if at >= a.at {
            a.unix_secs.checked_add(at.duration_since(a.at).as_secs())
        } else {
            a.unix_secs.checked_sub(a.at.duration_since(at).as_secs())
        };
        secs.map(UnixTime::from_secs).ok_or(ClockError::Overflow)
    }
}

impl<M: RawMutex> Clock for WallClock<M> {
    type Error = ClockError;
    fn now(&self) -> Result<UnixTime, ClockError> {
        self.now_at(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embassy_sync::blocking_mutex::raw::NoopRawMutex;

    const DATE: &str = "Sun, 30 Aug 2015 12:36:00 GMT";
    const DATE_SECS: u64 = 1_440_938_160;

    #[test]
    fn unset_clock_is_a_typed_clock_unset_error() {
        let clock = WallClock::<NoopRawMutex>::new();
        assert!(!clock.is_set());
        let err = clock.now().unwrap_err();
        assert_eq!(err, ClockError::Unset);
        assert_eq!(err.kind(), ErrorKind::ClockUnset);
    }

    #[test]
    fn date_header_sets_and_monotonic_time_advances_it() {
        let clock = WallClock::<NoopRawMutex>::new();
        let t0 = Instant::from_secs(100);
        assert_eq!(clock.observe_date_at(DATE, t0), Ok(true));
        assert_eq!(clock.source(), Some(ClockSource::HttpDate));
        assert_eq!(clock.now_at(t0).unwrap().secs(), DATE_SECS);
        assert_eq!(
            clock.now_at(Instant::from_millis(190_500)).unwrap().secs(),
            DATE_SECS + 90
        );
        assert_eq!(
            clock.now_at(Instant::from_secs(40)).unwrap().secs(),
            DATE_SECS - 60
        );
    }

    #[test]
    fn small_drift_is_ignored_large_drift_corrects() {
        let clock = WallClock::<NoopRawMutex>::new();
        clock.observe_date_at(DATE, Instant::from_secs(0)).unwrap();
        // One second later the server says the same second: within tolerance, unchanged.
        assert_eq!(
            clock.observe_date_at(DATE, Instant::from_secs(1)),
            Ok(false)
        );
        assert_eq!(
            clock.now_at(Instant::from_secs(1)).unwrap().secs(),
            DATE_SECS + 1
        );
        // The local timer ran slow by a minute: corrected.
        assert_eq!(
            clock.observe_date_at("Sun, 30 Aug 2015 12:38:00 GMT", Instant::from_secs(60)),
            Ok(true)
        );
        assert_eq!(
            clock.now_at(Instant::from_secs(60)).unwrap().secs(),
            DATE_SECS + 120
        );
    }

    #[test]
    fn bad_dates_change_nothing() {
        let clock = WallClock::<NoopRawMutex>::new();
        assert!(clock
            .observe_date_at("yesterday", Instant::from_secs(0))
            .is_err());
        assert!(!clock.is_set());
        let mut head = ResponseHead::new();
        head.push_header("Server", "x").unwrap();
        assert!(!clock.observe(&head));
        head.push_header("Date", DATE).unwrap();
        assert!(clock.observe(&head));
        assert!(clock.now().unwrap().secs() >= DATE_SECS);
    }

    #[test]
    fn sntp_and_application_sources() {
        let clock = WallClock::<NoopRawMutex>::new();
        assert_eq!(
            clock.set_from_sntp(5, Instant::from_secs(0)),
            Err(TimeError::OutOfRange)
        );
        clock
            .set_from_sntp(DATE_SECS + NTP_UNIX_OFFSET_SECS, Instant::from_secs(10))
            .unwrap();
        assert_eq!(clock.source(), Some(ClockSource::Sntp));
        assert_eq!(
            clock.now_at(Instant::from_secs(12)).unwrap().secs(),
            DATE_SECS + 2
        );
        clock.set(UnixTime::from_secs(7));
        assert_eq!(clock.source(), Some(ClockSource::Application));
        assert!(clock.now().unwrap().secs() >= 7);
    }
}
