//! Stage 2, normalize: what a section header means in a config file versus a credentials file,
//! and which names count.
//!
//! These are the cross-SDK rules (the profile-file test suites shared by the newer AWS SDKs):
//!
//! | header | config file | credentials file |
//! |---|---|---|
//! | `[default]` | profile `default`, unless the same file also has `[profile default]` | profile `default` |
//! | `[profile NAME]` | profile `NAME` | ignored (a name with a space is invalid) |
//! | `[NAME]` (one word, not `default`) | ignored (the `profile ` prefix is missing) | profile `NAME` |
//! | `[sso-session NAME]` | SSO session `NAME` | **error** |
//! | `[services NAME]` | services block `NAME` | ignored |
//! | `[WORD NAME]`, another word | kept as an [`SectionKind::Other`] section | ignored |
//! | `[profile]`, `[sso-session]`, `[services]` (no name) | ignored | a one-word header is a profile of that name |
//!
//! The prefix and the name may be separated by any run of spaces and tabs, and the header may be
//! padded inside the brackets. A name must be non-empty and made of ASCII letters, digits and
//! `- / . % @ _ : +`; a section with any other name is ignored together with its properties.
//! Property names follow the same rule (a property with an invalid name is ignored) and are
//! compared ignoring ASCII case ([`key_eq`]). Section names are compared exactly.
//!
//! Sections that occur more than once in a file are merged in file order, so that a later
//! property wins; the lookup functions in [`super`] implement that by visiting every matching
//! section in order.

use core::fmt;

use super::error::{ProfileError, ProfileErrorKind};
use super::parse::is_space;
use crate::shared_file::FileKind;

/// True when `name` is a valid profile, section or property name: non-empty, and only ASCII
/// letters, digits and `- / . % @ _ : +`.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-/.%@_:+".contains(&b))
}

/// Compares two property keys the cross-SDK way: ASCII case-insensitive.
///
/// Valid keys are ASCII only (see [`is_valid_name`]), so this is the whole rule.
pub fn key_eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// What kind of section a header opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SectionKind {
    /// A profile: `[profile NAME]` or `[default]` in a config file, `[NAME]` in a credentials file.
    Profile,
    /// `[sso-session NAME]` (config file only).
    SsoSession,
    /// `[services NAME]`: per-service settings such as `endpoint_url` (config file only).
    Services,
    /// `[WORD NAME]` with any other first word, in a config file; see [`Section::type_word`].
    Other,
}

/// Whether a profile header carries the `profile ` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HeaderForm {
    /// `[NAME]`: credentials-file profiles, and `[default]` in a config file.
    Bare,
    /// `[WORD NAME]`: `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`, …
    Prefixed,
}

/// A section header that counts, after normalization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section<'a> {
    /// What the section is.
    pub kind: SectionKind,
    /// The first word of a prefixed header (`profile`, `sso-session`, `services`, or the unknown
    /// word of an [`SectionKind::Other`] section); empty for a bare header.
    pub type_word: &'a str,
    /// The section's name, e.g. `dev` for `[profile dev]`.
    pub name: &'a str,
    /// Bare or prefixed header.
    pub form: HeaderForm,
    /// The trimmed text between the brackets, for messages and provenance.
    pub header: &'a str,
    /// 1-based line of the header.
    pub line: u32,
}

impl Section<'_> {
    /// True when `other` opens the same section (same kind and name, and for
    /// [`SectionKind::Other`] the same type word), so that both occurrences are merged.
    pub fn same_as(&self, other: &Section<'_>) -> bool {
        self.kind == other.kind
            && self.name == other.name
            && (self.kind != SectionKind::Other || self.type_word == other.type_word)
    }
}

/// Why a section header does not count. Its properties are ignored with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum IgnoreReason {
    /// Config file: `[NAME]` without the `profile ` prefix (only `[default]` may omit it).
    MissingProfilePrefix,
    /// Credentials file: `[profile NAME]`; credentials-file profiles are written `[NAME]`.
    ProfilePrefixInCredentials,
    /// The name has characters outside letters, digits and `- / . % @ _ : +` (or is empty).
    InvalidName,
    /// `[profile]`, `[sso-session]` or `[services]` without a name.
    MissingName,
    /// Config file: `[default]` when the same file also has `[profile default]`, which wins.
    ShadowedDefault,
}

impl IgnoreReason {
    /// A short description, for warnings.
    pub const fn message(self) -> &'static str {
        match self {
            IgnoreReason::MissingProfilePrefix => {
                "config file sections need the 'profile ' prefix (only [default] may omit it)"
            }
            IgnoreReason::ProfilePrefixInCredentials => {
                "credentials file sections are written [NAME], without the 'profile ' prefix"
            }
            IgnoreReason::InvalidName => {
                "the name may only hold letters, digits and - / . % @ _ : +"
            }
            IgnoreReason::MissingName => "the section has no name",
            IgnoreReason::ShadowedDefault => "[profile default] in the same file takes precedence",
        }
    }
}

impl fmt::Display for IgnoreReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// What a header means in a file of a given kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classified<'a> {
    /// The header opens a section that counts.
    Section(Section<'a>),
    /// The header and its properties are ignored.
    Ignored(IgnoreReason),
}

/// Splits a trimmed header at its first run of whitespace: `(first word, trimmed rest)`.
fn split_header(header: &str) -> (&str, &str) {
    match header.find(is_space) {
        Some(at) => {
            let (word, rest) = header.split_at(at);
            (word, rest.trim_start_matches(is_space))
        }
        None => (header, ""),
    }
}

const PROFILE: &str = "profile";
const SSO_SESSION: &str = "sso-session";
const SERVICES: &str = "services";
const DEFAULT: &str = "default";

/// Decides what the header text `header` (trimmed, between the brackets) means in a file of
/// `kind`. It does not know about other headers in the file, so a `[default]` shadowed by
/// `[profile default]` is still returned as a section here; the lookup functions apply that rule.
///
/// # Errors
/// [`ProfileErrorKind::SsoSessionInCredentialsFile`] for `[sso-session NAME]` in a credentials file.
pub fn classify_header(
    kind: FileKind,
    header: &str,
    line: u32,
) -> Result<Classified<'_>, ProfileError> {
    let (word, rest) = split_header(header);
    let section = |kind, type_word, name, form| {
        if is_valid_name(name) {
            Classified::Section(Section {
                kind,
                type_word,
                name,
                form,
                header,
                line,
            })
        } else {
            Classified::Ignored(IgnoreReason::InvalidName)
        }
    };
    match kind {
        FileKind::Credentials => {
            if word == SSO_SESSION && !rest.is_empty() {
                return Err(ProfileError {
                    line,
                    kind: ProfileErrorKind::SsoSessionInCredentialsFile,
                });
            }
            if word == PROFILE && !rest.is_empty() {
                return Ok(Classified::Ignored(
                    IgnoreReason::ProfilePrefixInCredentials,
                ));
            }
            Ok(section(SectionKind::Profile, "", header, HeaderForm::Bare))
        }
        FileKind::Config => {
            if rest.is_empty() {
                return Ok(match word {
                    DEFAULT => section(SectionKind::Profile, "", DEFAULT, HeaderForm::Bare),
                    PROFILE | SSO_SESSION | SERVICES => {
                        Classified::Ignored(IgnoreReason::MissingName)
                    }
                    "" => Classified::Ignored(IgnoreReason::InvalidName),
                    _ => Classified::Ignored(IgnoreReason::MissingProfilePrefix),
                });
            }
            let kind = match word {
                PROFILE => SectionKind::Profile,
                SSO_SESSION => SectionKind::SsoSession,
                SERVICES => SectionKind::Services,
                _ => SectionKind::Other,
            };
            Ok(section(kind, word, rest, HeaderForm::Prefixed))
        }
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    fn config(header: &str) -> Classified<'_> {
        classify_header(FileKind::Config, header, 1).unwrap()
    }

    fn creds(header: &str) -> Classified<'_> {
        classify_header(FileKind::Credentials, header, 1).unwrap()
    }

    fn name_of(c: Classified<'_>) -> Option<(SectionKind, &str)> {
        match c {
            Classified::Section(s) => Some((s.kind, s.name)),
            Classified::Ignored(_) => None,
        }
    }

    selftests! {
        fn config_headers() {
            assert_eq!(name_of(config("profile dev")), Some((SectionKind::Profile, "dev")));
            assert_eq!(name_of(config("profile \t dev")), Some((SectionKind::Profile, "dev")));
            assert_eq!(name_of(config("default")), Some((SectionKind::Profile, "default")));
            assert_eq!(name_of(config("profile default")), Some((SectionKind::Profile, "default")));
            assert_eq!(name_of(config("sso-session s")), Some((SectionKind::SsoSession, "s")));
            assert_eq!(name_of(config("services svc")), Some((SectionKind::Services, "svc")));
            assert_eq!(name_of(config("foobar x")), Some((SectionKind::Other, "x")));
            assert_eq!(config("dev"), Classified::Ignored(IgnoreReason::MissingProfilePrefix));
            assert_eq!(config("profiledev"), Classified::Ignored(IgnoreReason::MissingProfilePrefix));
            assert_eq!(config("profile"), Classified::Ignored(IgnoreReason::MissingName));
            assert_eq!(config("sso-session"), Classified::Ignored(IgnoreReason::MissingName));
            assert_eq!(config("profile in valid"), Classified::Ignored(IgnoreReason::InvalidName));
            assert_eq!(config(""), Classified::Ignored(IgnoreReason::InvalidName));
        }

        fn credentials_headers() {
            assert_eq!(name_of(creds("dev")), Some((SectionKind::Profile, "dev")));
            assert_eq!(name_of(creds("default")), Some((SectionKind::Profile, "default")));
            assert_eq!(name_of(creds("sso-sessionfoo")), Some((SectionKind::Profile, "sso-sessionfoo")));
            assert_eq!(creds("profile dev"), Classified::Ignored(IgnoreReason::ProfilePrefixInCredentials));
            assert_eq!(creds("in valid"), Classified::Ignored(IgnoreReason::InvalidName));
            assert_eq!(creds("services x"), Classified::Ignored(IgnoreReason::InvalidName));
            let err = classify_header(FileKind::Credentials, "sso-session s", 7).unwrap_err();
            assert_eq!(err, ProfileError { line: 7, kind: ProfileErrorKind::SsoSessionInCredentialsFile });
        }

        fn name_charset() {
            assert!(is_valid_name("some-thing:long/the_one%only.foo@bar+"));
            assert!(is_valid_name("ABCxyz019-_"));
            assert!(!is_valid_name("foo!bar"));
            assert!(!is_valid_name("in valid"));
            assert!(!is_valid_name(""));
            assert!(!is_valid_name("caf\u{e9}"));
        }

        fn keys_compare_ignoring_ascii_case() {
            assert!(key_eq("Region", "region"));
            assert!(!key_eq("region", "regions"));
        }
    }
}
