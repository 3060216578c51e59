//! Fixed-capacity text and the error every capacity overflow reports.

use core::fmt;

/// A named piece of configuration or request data, used to say *what* overflowed or was invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Field {
    /// Region name.
    Region,
    /// Profile name.
    Profile,
    /// Access key id.
    AccessKeyId,
    /// Secret access key.
    SecretAccessKey,
    /// Session token.
    SessionToken,
    /// Endpoint URL.
    Endpoint,
    /// Application id / user agent suffix.
    AppId,
    /// SigV4a signing region set.
    RegionSet,
    /// A file path.
    Path,
    /// Role ARN.
    RoleArn,
    /// Role session name, external id or MFA serial.
    RoleParam,
    /// Any other string setting (credential_source, credential_process, token file…).
    Setting,
    /// A service id (endpoint overrides).
    ServiceId,
    /// A list of shared config files.
    SharedFiles,
    /// A list of service endpoint overrides.
    ServiceEndpoints,
    /// A handler list.
    Handlers,
    /// A chain of source profiles.
    ProfileChain,
}

impl Field {
    /// The field's name as users see it in config.
    pub const fn name(self) -> &'static str {
        match self {
            Field::Region => "region",
            Field::Profile => "profile",
            Field::AccessKeyId => "aws_access_key_id",
            Field::SecretAccessKey => "aws_secret_access_key",
            Field::SessionToken => "aws_session_token",
            Field::Endpoint => "endpoint_url",
            Field::AppId => "sdk_ua_app_id",
            Field::RegionSet => "sigv4a_signing_region_set",
            Field::Path => "path",
            Field::RoleArn => "role_arn",
            Field::RoleParam => "role parameter",
            Field::Setting => "setting",
            Field::ServiceId => "service id",
            Field::SharedFiles => "shared config files",
            Field::ServiceEndpoints => "service endpoints",
            Field::Handlers => "handler list",
            Field::ProfileChain => "source_profile chain",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A value did not fit the fixed capacity reserved for it. Nothing was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CapacityError {
    /// What overflowed.
    pub field: Field,
    /// The capacity (a constant from [`crate::limits`]).
    pub limit: usize,
    /// The length that was offered.
    pub len: usize,
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is {} long, over the limit of {}",
            self.field, self.len, self.limit
        )
    }
}

impl core::error::Error for CapacityError {}

/// A fixed-capacity string. A thin alias so limits stay visible in signatures.
pub type Text<const N: usize> = heapless::String<N>;

/// Copies `s` into a new [`Text`], or reports which field overflowed and by how much.
///
/// # Errors
/// [`CapacityError`] when `s` is longer than `N` bytes.
pub fn text<const N: usize>(s: &str, field: Field) -> Result<Text<N>, CapacityError> {
    let mut out = Text::<N>::new();
    out.push_str(s).map_err(|_| CapacityError {
        field,
        limit: N,
        len: s.len(),
    })?;
    Ok(out)
}

/// A `core::fmt::Write` sink over a caller-owned byte slice. Writing past the end fails without
/// writing anything of the failing piece.
#[derive(Debug)]
pub struct SliceWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceWriter<'a> {
    /// A writer that starts at the beginning of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        SliceWriter { buf, len: 0 }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The written text.
    pub fn as_str(&self) -> &str {
        let bytes = self.buf.get(..self.len).unwrap_or(&[]);
        core::str::from_utf8(bytes).unwrap_or("")
    }
}

impl fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use core::fmt::Write;

    selftests! {
        fn text_overflow_names_field_and_limit() {
            let err = text::<4>("us-east-1", Field::Region).unwrap_err();
            assert_eq!(err, CapacityError { field: Field::Region, limit: 4, len: 9 });
            assert_eq!(text::<16>("us-east-1", Field::Region).unwrap().as_str(), "us-east-1");
        }

        fn slice_writer_refuses_overflow_whole() {
            let mut buf = [0u8; 8];
            let mut w = SliceWriter::new(&mut buf);
            w.write_str("abcde").unwrap();
            assert!(w.write_str("fghi").is_err());
            assert_eq!(w.as_str(), "abcde");
        }
    }
}
