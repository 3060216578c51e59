//! Stage 2: the credential scope, `YYYYMMDD/region/service/aws4_request`.

use core::fmt::{self, Write};

use crate::limits::{MAX_REGION_LEN, MAX_SERVICE_NAME_LEN};
use crate::time::AmzDateTime;

use super::encoding::is_unreserved;
use super::error::SigningError;

/// The credential scope of a signature: the date, region and service the signing key is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialScope<'a> {
    time: AmzDateTime,
    region: &'a str,
    service: &'a str,
}

/// True for the characters a region or service name may hold in a scope: the unreserved
/// characters but `~` (a lookup in the byte-class table, not a chain of range checks).
fn is_scope_char(b: u8) -> bool {
    is_unreserved(b) & (b != b'~')
}

/// True for a region or service name of 1 to `max` scope characters. Every byte is looked at
/// (no early exit), which keeps the loop free of branches.
fn is_scope_text(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().fold(true, |ok, b| ok & is_scope_char(b))
}

/// Checks a region as a credential scope carries it: 1 to [`MAX_REGION_LEN`] characters of
/// `[A-Za-z0-9-_.]`.
///
/// # Errors
/// [`SigningError::InvalidRegion`] otherwise.
pub fn validate_region(region: &str) -> Result<(), SigningError> {
    if !is_scope_text(region, MAX_REGION_LEN) {
        return Err(SigningError::InvalidRegion);
    }
    Ok(())
}

pub(crate) fn validate_service(service: &str) -> Result<(), SigningError> {
    if !is_scope_text(service, MAX_SERVICE_NAME_LEN) {
        return Err(SigningError::InvalidService);
    }
    Ok(())
}

impl<'a> CredentialScope<'a> {
    /// A scope for the date of `time`.
    ///
    /// # Errors
    /// [`SigningError::InvalidRegion`] or [`SigningError::InvalidService`] when either is empty,
    /// longer than its limit, or holds a character outside `[A-Za-z0-9-_.]`.
    pub fn new(time: AmzDateTime, region: &'a str, service: &'a str) -> Result<Self, SigningError> {
        validate_region(region)?;
        validate_service(service)?;
        Ok(CredentialScope {
            time,
            region,
            service,
        })
    }

    /// The scope of a SigV4a signature (feature `sigv4a`): `YYYYMMDD/service/aws4_request`,
    /// without a region (the region set is signed as a header or query parameter instead).
    ///
    /// # Errors
    /// [`SigningError::InvalidService`] as for [`CredentialScope::new`].
    #[cfg(feature = "sigv4a")]
    pub fn new_v4a(time: AmzDateTime, service: &'a str) -> Result<Self, SigningError> {
        validate_service(service)?;
        Ok(CredentialScope {
            time,
            region: "",
            service,
        })
    }

    /// True for a SigV4a scope (no region): its strings to sign name the ECDSA algorithm.
    pub fn is_v4a(&self) -> bool {
        self.region.is_empty()
    }

    /// The signing timestamp (its date is the scope date).
    pub fn time(&self) -> &AmzDateTime {
        &self.time
    }

    /// The `YYYYMMDD` scope date.
    pub fn date(&self) -> &str {
        self.time.date()
    }

    /// The region (empty in a SigV4a scope).
    pub fn region(&self) -> &'a str {
        self.region
    }

    /// The service signing name.
    pub fn service(&self) -> &'a str {
        self.service
    }

    /// Writes `YYYYMMDD/region/service/aws4_request`.
    ///
    /// # Errors
    /// Whatever the writer reports.
    pub fn write_to<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        self.write_with_date(self.date(), w)
    }

    /// [`CredentialScope::write_to`] with the date text given: for a writer that has just
    /// written the full timestamp and can reuse its first eight characters.
    #[cfg_attr(wide_paths, inline(always))]
    pub(crate) fn write_with_date<W: Write + ?Sized>(&self, date: &str, w: &mut W) -> fmt::Result {
        w.write_str(date)?;
        w.write_char('/')?;
        if !self.is_v4a() {
            w.write_str(self.region)?;
            w.write_char('/')?;
        }
        w.write_str(self.service)?;
        w.write_str("/aws4_request")
    }

    /// Length of the written scope in bytes.
    pub fn len(&self) -> usize {
        let region = if self.is_v4a() {
            0
        } else {
            self.region.len() + 1
        };
        8 + 1 + region + self.service.len() + "/aws4_request".len()
    }

    /// Never true: a scope always has its date and terminator.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for CredentialScope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}
