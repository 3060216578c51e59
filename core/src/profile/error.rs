//! The one error of reading a shared config file: what was wrong, and on which line.

use core::fmt;

/// A shared config or credentials file could not be read as profile syntax.
///
/// The caller knows which file it handed in and adds the path when it reports the error; the
/// error itself only says *where in the text* (a 1-based line number) and *what* was wrong. It
/// never quotes the offending line, because that line may hold a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ProfileError {
    /// 1-based line number of the offending line.
    pub line: u32,
    /// What was wrong with it.
    pub kind: ProfileErrorKind,
}

/// What was wrong with a line of a shared config or credentials file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ProfileErrorKind {
    /// A line starting with `[` has no closing `]` (comments after it are not counted).
    UnclosedSectionHeader,
    /// A `key = value` line appears before any `[section]` header.
    PropertyBeforeSection,
    /// An indented (continuation) line appears before any `[section]` header.
    ContinuationBeforeSection,
    /// An indented (continuation) line follows a section header rather than a property.
    ContinuationWithoutProperty,
    /// A property line has no `=` (`key : value` is not accepted either).
    PropertyMissingEquals,
    /// A property line has nothing before its `=`.
    PropertyMissingName,
    /// An indented line under an empty-valued property (a sub-property) has no `=`.
    SubPropertyMissingEquals,
    /// A sub-property line has nothing before its `=`.
    SubPropertyMissingName,
    /// A `[sso-session NAME]` section appears in a credentials file; it belongs in the config file.
    SsoSessionInCredentialsFile,
}

impl ProfileErrorKind {
    /// A short description of the problem, without the line number.
    pub const fn message(self) -> &'static str {
        match self {
            ProfileErrorKind::UnclosedSectionHeader => "section header does not end with ']'",
            ProfileErrorKind::PropertyBeforeSection => {
                "property defined before any section header (expected a profile definition)"
            }
            ProfileErrorKind::ContinuationBeforeSection => {
                "continuation line before any section header (expected a profile definition)"
            }
            ProfileErrorKind::ContinuationWithoutProperty => {
                "continuation line does not follow a property (expected a property definition)"
            }
            ProfileErrorKind::PropertyMissingEquals => "expected an '=' sign defining a property",
            ProfileErrorKind::PropertyMissingName => "property has no name before '='",
            ProfileErrorKind::SubPropertyMissingEquals => {
                "expected an '=' sign defining a sub-property"
            }
            ProfileErrorKind::SubPropertyMissingName => "sub-property has no name before '='",
            ProfileErrorKind::SsoSessionInCredentialsFile => {
                "[sso-session] sections are only allowed in the config file, not the credentials file"
            }
        }
    }
}

impl fmt::Display for ProfileErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

impl core::error::Error for ProfileError {}
