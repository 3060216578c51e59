//! Wall-clock time as a value. The crate never reads a clock itself: callers pass a [`UnixTime`].
//!
//! Besides the instant itself this module converts between [`UnixTime`] and the three textual forms
//! AWS uses:
//!
//! | form | example | where |
//! |---|---|---|
//! | amz date / date-time | `20150830`, `20150830T123600Z` | SigV4 credential scope, `X-Amz-Date` |
//! | RFC 3339 | `2015-08-30T12:36:00Z` | credential expirations in JSON (STS, SSO, IMDS, ECS) |
//! | IMF-fixdate (HTTP `Date`) | `Sun, 30 Aug 2015 12:36:00 GMT` | response `Date` header (clock skew) |
//!
//! Every function here is pure and total: bad text or an instant that the form cannot express is a
//! [`TimeError`], never a panic. Instants run from the Unix epoch to `9999-12-31T23:59:59Z`, the
//! last second a four-digit year can write.

use core::fmt;

/// Seconds since 1970-01-01T00:00:00Z (UTC, no leap seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnixTime(u64);

/// The last second a four-digit year can express: 9999-12-31T23:59:59Z.
pub(crate) const MAX_SECS: u64 = 253_402_300_799;
const SECS_PER_DAY: u64 = 86_400;

impl UnixTime {
    /// A time from whole seconds since the Unix epoch.
    pub const fn from_secs(secs: u64) -> Self {
        UnixTime(secs)
    }

    /// Whole seconds since the Unix epoch.
    pub const fn secs(self) -> u64 {
        self.0
    }

    /// This instant plus `secs` seconds, or `None` on overflow.
    pub const fn checked_add_secs(self, secs: u64) -> Option<Self> {
        match self.0.checked_add(secs) {
            Some(s) => Some(UnixTime(s)),
            None => None,
        }
    }

    /// The calendar date and time of this instant (UTC).
    ///
    /// # Errors
    /// [`TimeError::OutOfRange`] after 9999-12-31T23:59:59Z.
    pub fn to_datetime(self) -> Result<DateTime, TimeError> {
        if self.0 > MAX_SECS {
            return Err(TimeError::OutOfRange);
        }
        let (days, [hour, minute, second]) = self.split_day();
        let (year, month, day) = civil_from_days(days);
        Ok(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Days since 1970-01-01 and the time of day as hour, minute and second, for an instant no
    /// later than [`MAX_SECS`].
    pub(crate) fn split_day(self) -> (u32, [u8; 3]) {
        // 86 400 = 2^7 * 675, and secs < 2^38 here: dividing in 32 bits keeps 64-bit division
        // routines out of small firmware images.
        let days = ((self.0 >> 7) as u32) / 675;
        let rem = (self.0 - u64::from(days) * SECS_PER_DAY) as u32;
        let hms = [
            (rem / 3600) as u8,
            (rem % 3600 / 60) as u8,
            (rem % 60) as u8,
        ];
        (days, hms)
    }

    /// The SigV4 `X-Amz-Date` form of this instant (`YYYYMMDDTHHMMSSZ`).
    ///
    /// # Errors
    /// [`TimeError::OutOfRange`] after 9999-12-31T23:59:59Z.
    pub fn amz_datetime(self) -> Result<AmzDateTime, TimeError> {
        Ok(self.to_datetime()?.amz_datetime())
    }

    /// Parses the SigV4 form `YYYYMMDDTHHMMSSZ` (exactly 16 characters).
    ///
    /// # Errors
    /// [`TimeError::Syntax`] naming the first unexpected byte, or [`TimeError::FieldRange`].
    pub fn parse_amz(s: &str) -> Result<Self, TimeError> {
        let mut p = Cursor::new(s);
        let year = p.digits(4)?;
        let month = p.digits(2)?;
        let day = p.digits(2)?;
        p.expect(b'T')?;
        let hour = p.digits(2)?;
        let minute = p.digits(2)?;
        let second = p.digits(2)?;
        p.expect(b'Z')?;
        p.end()?;
        DateTime::new(
            year as u16,
            month as u8,
            day as u8,
            hour as u8,
            minute as u8,
            second as u8,
        )?
        .to_unix()
    }

    /// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`. The `T` and `Z`
    /// may be lower case; fractional seconds are truncated; an offset is applied.
    ///
    /// # Errors
    /// [`TimeError::Syntax`] naming the first unexpected byte, [`TimeError::FieldRange`], or
    /// [`TimeError::OutOfRange`] when the offset moves the instant before 1970 or past 9999.
    pub fn parse_rfc3339(s: &str) -> Result<Self, TimeError> {
        let mut p = Cursor::new(s);
        let year = p.digits(4)?;
        p.expect(b'-')?;
        let month = p.digits(2)?;
        p.expect(b'-')?;
        let day = p.digits(2)?;
        p.expect_any(b"Tt")?;
        let hour = p.digits(2)?;
        p.expect(b':')?;
        let minute = p.digits(2)?;
        p.expect(b':')?;
        let second = p.digits(2)?;
        if p.peek() == Some(b'.') {
            p.bump();
            let start = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.bump();
            }
            if p.pos == start {
                return Err(TimeError::Syntax { at: p.pos });
            }
        }
        let at = p.pos;
        let offset_secs: i64 = match p.peek() {
            Some(b'Z' | b'z') => {
                p.bump();
                0
            }
            Some(sign @ (b'+' | b'-')) => {
                p.bump();
                let oh = p.digits(2)?;
                p.expect(b':')?;
                let om = p.digits(2)?;
                if oh > 23 || om > 59 {
                    return Err(TimeError::FieldRange {
                        field: TimeField::Offset,
                    });
                }
                let secs = i64::from(oh * 3600 + om * 60);
                if sign == b'+' {
                    secs
                } else {
                    -secs
                }
            }
            _ => return Err(TimeError::Syntax { at }),
        };
        p.end()?;
        let local = DateTime::new(
            year as u16,
            month as u8,
            day as u8,
            hour as u8,
            minute as u8,
            second as u8,
        )?
        .to_unix()?;
        // Local time minus its offset is UTC.
        let utc = i128::from(local.0) - i128::from(offset_secs);
        if utc < 0 || utc > i128::from(MAX_SECS) {
            return Err(TimeError::OutOfRange);
        }
        Ok(UnixTime(utc as u64))
    }

    /// Parses the HTTP `Date` header's preferred form, IMF-fixdate:
    /// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7). The day name must be one of the seven;
    /// it is not checked against the date.
    ///
    /// # Errors
    /// [`TimeError::Syntax`] naming the first unexpected byte, or [`TimeError::FieldRange`].
    pub fn parse_http_date(s: &str) -> Result<Self, TimeError> {
        const DAYS: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
        const MONTHS: [&[u8; 3]; 12] = [
            b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
            b"Dec",
        ];
        let mut p = Cursor::new(s);
        let day_name = p.take3()?;
        if !DAYS.iter().any(|d| **d == day_name) {
            return Err(TimeError::FieldRange {
                field: TimeField::Weekday,
            });
        }
        p.expect(b',')?;
        p.expect(b' ')?;
        let day = p.digits(2)?;
        p.expect(b' ')?;
        let month_name = p.take3()?;
        let month = MONTHS
            .iter()
            .position(|m| **m == month_name)
            .ok_or(TimeError::FieldRange {
                field: TimeField::Month,
            })?;
        p.expect(b' ')?;
        let year = p.digits(4)?;
        p.expect(b' ')?;
        let hour = p.digits(2)?;
        p.expect(b':')?;
        let minute = p.digits(2)?;
        p.expect(b':')?;
        let second = p.digits(2)?;
        p.expect(b' ')?;
        p.expect(b'G')?;
        p.expect(b'M')?;
        p.expect(b'T')?;
        p.end()?;
        DateTime::new(
            year as u16,
            month as u8 + 1,
            day as u8,
            hour as u8,
            minute as u8,
            second as u8,
        )?
        .to_unix()
    }
}

/// A calendar date and time of day in UTC, as the textual forms write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl DateTime {
    /// A validated date and time: year 1970..=9999, a real day of that month, 00:00:00..=23:59:59.
    ///
    /// # Errors
    /// [`TimeError::FieldRange`] naming the first field out of range.
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Result<Self, TimeError> {
        let bad = |field| Err(TimeError::FieldRange { field });
        if !(1970..=9999).contains(&year) {
            return bad(TimeField::Year);
        }
        if !(1..=12).contains(&month) {
            return bad(TimeField::Month);
        }
        if day == 0 || day > days_in_month(year, month) {
            return bad(TimeField::Day);
        }
        if hour > 23 {
            return bad(TimeField::Hour);
        }
        if minute > 59 {
            return bad(TimeField::Minute);
        }
        if second > 59 {
            return bad(TimeField::Second);
        }
        Ok(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Year (1970..=9999).
    pub const fn year(&self) -> u16 {
        self.year
    }
    /// Month (1..=12).
    pub const fn month(&self) -> u8 {
        self.month
    }
    /// Day of the month (1..=31).
    pub const fn day(&self) -> u8 {
        self.day
    }
    /// Hour (0..=23).
    pub const fn hour(&self) -> u8 {
        self.hour
    }
    /// Minute (0..=59).
    pub const fn minute(&self) -> u8 {
        self.minute
    }
    /// Second (0..=59).
    pub const fn second(&self) -> u8 {
        self.second
    }

    /// The instant this date and time names.
    ///
    /// # Errors
    /// Never for a value built by [`DateTime::new`]; the `Result` keeps the conversion total.
    pub fn to_unix(&self) -> Result<UnixTime, TimeError> {
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = days * SECS_PER_DAY
            + u64::from(self.hour) * 3600
            + u64::from(self.minute) * 60
            + u64::from(self.second);
        if secs > MAX_SECS {
            return Err(TimeError::OutOfRange);
        }
        Ok(UnixTime(secs))
    }

    /// The `YYYYMMDDTHHMMSSZ` form.
    pub fn amz_datetime(&self) -> AmzDateTime {
        let mut b = [b'0'; 16];
        b[8] = b'T';
        b[15] = b'Z';
        // Every pair is below 100 (the fields are validated, the year is at most 9999).
        write_pairs(
            &mut b,
            &[
                (0, (self.year / 100) as u8),
                (2, (self.year % 100) as u8),
                (4, self.month),
                (6, self.day),
                (9, self.hour),
                (11, self.minute),
                (13, self.second),
            ],
        );
        AmzDateTime(b)
    }
}

/// Writes each `(offset, value)` pair's value (below 100) as two decimal digits at its offset.
/// Two digits at a time, in a loop: a fraction of the flash of unrolled conversions.
pub(crate) fn write_pairs(b: &mut [u8; 16], pairs: &[(usize, u8)]) {
    for &(at, v) in pairs {
        if let Some([hi, lo]) = b.get_mut(at..at + 2) {
            *hi = b'0' + v / 10;
            *lo = b'0' + v % 10;
        }
    }
}

impl fmt::Display for DateTime {
    /// RFC 3339 in UTC, e.g. `2015-08-30T12:36:00Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// A SigV4 timestamp `YYYYMMDDTHHMMSSZ`; its first eight characters are the scope date `YYYYMMDD`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AmzDateTime([u8; 16]);

impl AmzDateTime {
    /// The full `YYYYMMDDTHHMMSSZ` text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, `T` and `Z` are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The `YYYYMMDD` date part, used in the credential scope.
    pub fn date(&self) -> &str {
        self.as_str().get(..8).unwrap_or("")
    }

    /// The raw 16 ASCII bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// A timestamp from text the caller has checked to be `YYYYMMDDTHHMMSSZ` (the signer's
    /// timestamp cache keeps such text).
    pub(crate) const fn from_checked_bytes(text: [u8; 16]) -> Self {
        AmzDateTime(text)
    }
}

impl fmt::Debug for AmzDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for AmzDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for AmzDateTime {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.as_str())
    }
}

/// A field of a date or time, named by [`TimeError::FieldRange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TimeField {
    /// The year (1970..=9999).
    Year,
    /// The month (1..=12 or a three-letter English name).
    Month,
    /// The day of the month.
    Day,
    /// The hour (0..=23).
    Hour,
    /// The minute (0..=59).
    Minute,
    /// The second (0..=59; leap seconds are not accepted).
    Second,
    /// An RFC 3339 UTC offset.
    Offset,
    /// The day name of an HTTP date.
    Weekday,
}

impl TimeField {
    /// The field's name in messages.
    pub const fn name(self) -> &'static str {
        match self {
            TimeField::Year => "year",
            TimeField::Month => "month",
            TimeField::Day => "day",
            TimeField::Hour => "hour",
            TimeField::Minute => "minute",
            TimeField::Second => "second",
            TimeField::Offset => "UTC offset",
            TimeField::Weekday => "day name",
        }
    }
}

/// Parsing or formatting a time failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TimeError {
    /// The text does not have the expected shape; `at` is the byte offset of the first
    /// unexpected character (the text's length when it ends too early).
    Syntax {
        /// Byte offset of the first unexpected character.
        at: usize,
    },
    /// A field has the right shape but an impossible value (month 13, 31 April, hour 24…).
    FieldRange {
        /// Which field.
        field: TimeField,
    },
    /// The instant is before 1970-01-01T00:00:00Z or after 9999-12-31T23:59:59Z.
    OutOfRange,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeError::Syntax { at } => write!(f, "malformed time text at byte {at}"),
            TimeError::FieldRange { field } => write!(f, "time has an impossible {}", field.name()),
            TimeError::OutOfRange => {
                f.write_str("time is outside 1970-01-01T00:00:00Z..=9999-12-31T23:59:59Z")
            }
        }
    }
}

impl core::error::Error for TimeError {}

// ---- calendar arithmetic -------------------------------------------------------------------------

const fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a valid date in 1970..=9999 (proleptic Gregorian, eras of 400 years).
fn days_from_civil(year: u16, month: u8, day: u8) -> u64 {
    // Shift the year to start in March so the leap day is the last day of the year. Everything
    // fits `u32` for years up to 9999 (no 64-bit division on 32-bit targets).
    let y = u32::from(year) - u32::from(month <= 2);
    let era = y / 400;
    let yoe = y - era * 400;
    let m = u32::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + u32::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    // 719_468 days separate 0000-03-01 from 1970-01-01.
    u64::from(era * 146_097 + doe - 719_468)
}

/// The date of a day count since 1970-01-01 (the inverse of [`days_from_civil`]), for days up to
/// 9999-12-31 (all arithmetic fits `u32`).
fn civil_from_days(days: u32) -> (u16, u8, u8) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + u32::from(month <= 2)) as u16;
    (year, month, day)
}

/// A byte cursor over ASCII time text; every miss reports its offset.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor {
            bytes: s.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos += 1;
    }

    fn expect(&mut self, b: u8) -> Result<(), TimeError> {
        self.expect_any(&[b])
    }

    fn expect_any(&mut self, set: &[u8]) -> Result<(), TimeError> {
        match self.peek() {
            Some(c) if set.contains(&c) => {
                self.bump();
                Ok(())
            }
            _ => Err(TimeError::Syntax { at: self.pos }),
        }
    }

    fn digits(&mut self, n: usize) -> Result<u32, TimeError> {
        let mut v = 0u32;
        for _ in 0..n {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    v = v * 10 + u32::from(c - b'0');
                    self.bump();
                }
                _ => return Err(TimeError::Syntax { at: self.pos }),
            }
        }
        Ok(v)
    }

    fn take3(&mut self) -> Result<[u8; 3], TimeError> {
        let mut out = [0u8; 3];
        for slot in &mut out {
            match self.peek() {
                Some(c) if c.is_ascii_alphabetic() => {
                    *slot = c;
                    self.bump();
                }
                _ => return Err(TimeError::Syntax { at: self.pos }),
            }
        }
        Ok(out)
    }

    fn end(&self) -> Result<(), TimeError> {
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(TimeError::Syntax { at: self.pos })
        }
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    selftests! {
        fn amz_format_of_the_sigv4_suite_time() {
            // 2015-08-30T12:36:00Z is the time every SigV4 suite case signs at.
            let t = UnixTime::from_secs(1_440_938_160);
            let amz = t.amz_datetime().unwrap();
            assert_eq!(amz.as_str(), "20150830T123600Z");
            assert_eq!(amz.date(), "20150830");
            assert_eq!(UnixTime::parse_amz("20150830T123600Z"), Ok(t));
            assert_eq!(UnixTime::parse_rfc3339("2015-08-30T12:36:00Z"), Ok(t));
            assert_eq!(UnixTime::parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"), Ok(t));
        }

        fn epoch_leap_days_and_the_last_second() {
            assert_eq!(UnixTime::from_secs(0).amz_datetime().unwrap().as_str(), "19700101T000000Z");
            let leap = UnixTime::parse_amz("20240229T235959Z").unwrap();
            assert_eq!(leap.checked_add_secs(1).unwrap().amz_datetime().unwrap().as_str(), "20240301T000000Z");
            assert_eq!(UnixTime::parse_amz("20000229T000000Z").unwrap().secs(), 951_782_400);
            let last = UnixTime::from_secs(MAX_SECS);
            assert_eq!(last.amz_datetime().unwrap().as_str(), "99991231T235959Z");
            assert_eq!(UnixTime::from_secs(MAX_SECS + 1).amz_datetime(), Err(TimeError::OutOfRange));
            assert_eq!(UnixTime::from_secs(u64::MAX).to_datetime(), Err(TimeError::OutOfRange));
        }

        fn round_trip_every_day_boundary_sample() {
            let mut secs = 0u64;
            while secs < MAX_SECS {
                let t = UnixTime::from_secs(secs);
                let dt = t.to_datetime().unwrap();
                assert_eq!(dt.to_unix().unwrap(), t);
                assert_eq!(UnixTime::parse_amz(dt.amz_datetime().as_str()).unwrap(), t);
                secs += 86_400 * 37 + 3_601;
            }
        }

        fn rfc3339_offsets_fractions_and_case() {
            let t = UnixTime::parse_rfc3339("2015-08-30T12:36:00Z").unwrap();
            assert_eq!(UnixTime::parse_rfc3339("2015-08-30t14:36:00.123456+02:00"), Ok(t));
            assert_eq!(UnixTime::parse_rfc3339("2015-08-30T10:06:00-02:30"), Ok(t));
            assert_eq!(UnixTime::parse_rfc3339("2015-08-30T12:36:00z"), Ok(t));
            assert_eq!(UnixTime::parse_rfc3339("1970-01-01T00:30:00+01:00"), Err(TimeError::OutOfRange));
            assert_eq!(UnixTime::parse_rfc3339("2015-08-30T12:36:00."), Err(TimeError::Syntax { at: 20 }));
            assert_eq!(UnixTime::parse_rfc3339("2015-08-30T12:36:00"), Err(TimeError::Syntax { at: 19 }));
            assert_eq!(
                UnixTime::parse_rfc3339("2015-08-30T12:36:00+24:00"),
                Err(TimeError::FieldRange { field: TimeField::Offset })
            );
        }

        fn bad_text_is_a_typed_error() {
            assert_eq!(UnixTime::parse_amz(""), Err(TimeError::Syntax { at: 0 }));
            assert_eq!(UnixTime::parse_amz("20150830T123600"), Err(TimeError::Syntax { at: 15 }));
            assert_eq!(UnixTime::parse_amz("20150830T123600ZZ"), Err(TimeError::Syntax { at: 16 }));
            assert_eq!(UnixTime::parse_amz("2015083OT123600Z"), Err(TimeError::Syntax { at: 7 }));
            assert_eq!(
                UnixTime::parse_amz("20150431T000000Z"),
                Err(TimeError::FieldRange { field: TimeField::Day })
            );
            assert_eq!(
                UnixTime::parse_amz("20150229T000000Z"),
                Err(TimeError::FieldRange { field: TimeField::Day })
            );
            assert_eq!(
                UnixTime::parse_amz("19691231T235959Z"),
                Err(TimeError::FieldRange { field: TimeField::Year })
            );
            assert_eq!(
                UnixTime::parse_amz("20150830T240000Z"),
                Err(TimeError::FieldRange { field: TimeField::Hour })
            );
            assert_eq!(
                UnixTime::parse_amz("20150830T235960Z"),
                Err(TimeError::FieldRange { field: TimeField::Second })
            );
            assert_eq!(
                UnixTime::parse_http_date("Sun, 30 Aug 2015 12:36:00 UTC"),
                Err(TimeError::Syntax { at: 26 })
            );
            assert_eq!(
                UnixTime::parse_http_date("Sun, 30 Auh 2015 12:36:00 GMT"),
                Err(TimeError::FieldRange { field: TimeField::Month })
            );
            assert_eq!(
                UnixTime::parse_http_date("Sux, 30 Aug 2015 12:36:00 GMT"),
                Err(TimeError::FieldRange { field: TimeField::Weekday })
            );
            assert_eq!(UnixTime::parse_http_date("Sun, 30 Aug 2015 12:36:00 GM"), Err(TimeError::Syntax { at: 28 }));
            // Multi-byte UTF-8 never confuses the cursor.
            assert_eq!(UnixTime::parse_amz("2015é830T123600Z"), Err(TimeError::Syntax { at: 4 }));
        }
    }
}
