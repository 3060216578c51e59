//! Fixed-capacity text and the error every capacity overflow reports.

use core::fmt;

use crate::limits::{MAX_ERROR_CODE_LEN, MAX_ERROR_TEXT_LEN};

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
    /// An SSO access token (`accessToken`).
    SsoAccessToken,
    /// An SSO refresh token (`refreshToken`).
    SsoRefreshToken,
    /// An SSO OIDC client id (`clientId`).
    SsoClientId,
    /// An SSO OIDC client secret (`clientSecret`).
    SsoClientSecret,
    /// An SSO start URL (`startUrl`, `sso_start_url`).
    SsoStartUrl,
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
            Field::SsoAccessToken => "accessToken",
            Field::SsoRefreshToken => "refreshToken",
            Field::SsoClientId => "clientId",
            Field::SsoClientSecret => "clientSecret",
            Field::SsoStartUrl => "startUrl",
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

/// Shows text from outside (a value from the environment or a file) with every control character
/// escaped as Rust writes it (`\n`, `\u{1b}`), so a message can never carry a terminal escape
/// sequence or a line break; other characters are written as they are.
#[derive(Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        for c in self.0.chars() {
            if c.is_control() {
                for e in c.escape_debug() {
                    f.write_char(e)?;
                }
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Escaped<'_> {
    /// In double quotes, with quotes and backslashes escaped too.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        f.write_char('"')?;
        for c in self.0.chars() {
            if c.is_control() || c == '"' || c == '\\' {
                for e in c.escape_debug() {
                    f.write_char(e)?;
                }
            } else {
                f.write_char(c)?;
            }
        }
        f.write_char('"')
    }
}

/// Text owned by an error: a path, profile name or value copied out of the input, so the error
/// outlives that input (and `?` can carry it into `Box<dyn Error>` or `anyhow`) without a heap.
///
/// Holds at most [`MAX_ERROR_TEXT_LEN`] bytes. Longer text is cut at a character boundary and
/// marked with `…`: [`ErrorText::tail`] keeps the end (the useful part of a path),
/// [`ErrorText::head`] keeps the start (names, ARNs).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ErrorText(Text<MAX_ERROR_TEXT_LEN>);

/// The mark that replaces the part of a long text an [`ErrorText`] leaves out.
const CUT_MARK: &str = "…";

impl ErrorText {
    /// `s` whole, or its first bytes followed by `…`.
    #[inline(never)] // error paths only; one body for every caller (flash)
    pub fn head(s: &str) -> Self {
        let mut out = Text::new();
        if out.push_str(s).is_err() {
            let mut end = MAX_ERROR_TEXT_LEN - CUT_MARK.len();
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            let _ = out.push_str(s.get(..end).unwrap_or(""));
            let _ = out.push_str(CUT_MARK);
        }
        ErrorText(out)
    }

    /// `s` whole, or `…` followed by its last bytes.
    #[inline(never)] // error paths only; one body for every caller (flash)
    pub fn tail(s: &str) -> Self {
        let mut out = Text::new();
        if out.push_str(s).is_err() {
            let mut start = s.len() - (MAX_ERROR_TEXT_LEN - CUT_MARK.len());
            while !s.is_char_boundary(start) {
                start += 1;
            }
            let _ = out.push_str(CUT_MARK);
            let _ = out.push_str(s.get(start..).unwrap_or(""));
        }
        ErrorText(out)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for ErrorText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ErrorText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for ErrorText {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.as_str())
    }
}

impl PartialEq<&str> for ErrorText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A service or provider error code (`ThrottlingException`, `ExpiredToken`, …) kept by value so
/// the errors that carry it (`handlers::RequestError`, the credentials parsers' errors) stay `Copy`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    len: u8,
    bytes: [u8; MAX_ERROR_CODE_LEN],
}

/// An error code longer than [`MAX_ERROR_CODE_LEN`] was offered; nothing was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ErrorCodeTooLong {
    /// Its length.
    pub len: usize,
    /// The limit ([`MAX_ERROR_CODE_LEN`]).
    pub limit: usize,
}

impl fmt::Display for ErrorCodeTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "service error code is {} bytes, over the limit of {}",
            self.len, self.limit
        )
    }
}

impl core::error::Error for ErrorCodeTooLong {}

impl ErrorCode {
    /// Copies `code`.
    ///
    /// # Errors
    /// [`ErrorCodeTooLong`] past [`MAX_ERROR_CODE_LEN`] bytes.
    pub fn new(code: &str) -> Result<Self, ErrorCodeTooLong> {
        let too_long = ErrorCodeTooLong {
            len: code.len(),
            limit: MAX_ERROR_CODE_LEN,
        };
        let len = u8::try_from(code.len()).map_err(|_| too_long)?;
        let mut bytes = [0u8; MAX_ERROR_CODE_LEN];
        bytes
            .get_mut(..code.len())
            .ok_or(too_long)?
            .copy_from_slice(code.as_bytes());
        Ok(ErrorCode { len, bytes })
    }

    /// `code` whole, or its first bytes (cut at a character boundary) when it is longer than
    /// [`MAX_ERROR_CODE_LEN`]: for codes read from a response body, where the code only names the
    /// failure and a cut one still does.
    #[inline(never)] // error paths only; one body for every caller (flash)
    pub fn head(code: &str) -> Self {
        let mut end = code.len().min(MAX_ERROR_CODE_LEN);
        while !code.is_char_boundary(end) {
            end -= 1;
        }
        ErrorCode::new(code.get(..end).unwrap_or("")).unwrap_or(ErrorCode {
            len: 0,
            bytes: [0; MAX_ERROR_CODE_LEN],
        })
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or(&[]);
        core::str::from_utf8(bytes).unwrap_or("")
    }
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for ErrorCode {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.as_str())
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;
    use core::fmt::Write;

    selftests! {
        fn error_text_keeps_head_or_tail_of_long_text() {
            assert_eq!(ErrorText::head("dev"), "dev");
            let mut long = Text::<256>::new();
            for _ in 0..100 {
                let _ = long.push('é'); // 200 bytes, two per character
            }
            let head = ErrorText::head(&long);
            assert!(head.as_str().len() <= MAX_ERROR_TEXT_LEN);
            assert!(head.as_str().starts_with("éé") && head.as_str().ends_with('…'));
            let mut path = Text::<300>::new();
            let _ = path.push_str("/home/");
            for _ in 0..40 {
                let _ = path.push_str("dir/");
            }
            let _ = path.push_str("config");
            let tail = ErrorText::tail(&path);
            assert!(tail.as_str().len() <= MAX_ERROR_TEXT_LEN);
            assert!(tail.as_str().starts_with('…') && tail.as_str().ends_with("dir/config"));
        }

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
