//! Provenance: where each resolved value came from.

use core::fmt;

use crate::limits::{MAX_PATH_LEN, MAX_PROFILE_CHAIN, MAX_PROFILE_NAME_LEN, MAX_SHARED_FILES};
use crate::text::Text;

/// Where a configuration value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Source {
    /// Passed by the application (`Options::config`, `Options::profile`, `copy_with`).
    Option,
    /// An environment variable, by name.
    Env(&'static str),
    /// A shared config file: index into [`Provenance::files`], 1-based line, and index into
    /// [`Provenance::profiles`] for the section's profile name.
    File {
        /// Which file (index into the session's file list).
        file: u8,
        /// 1-based line of the property.
        line: u32,
        /// Which profile's section (index into the session's profile list; 0 is the selected one).
        profile: u8,
    },
    /// The built-in default.
    Default,
}

/// A value together with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Resolved<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

impl<T> Resolved<T> {
    /// Pairs a value with its source.
    pub const fn new(value: T, source: Source) -> Self {
        Resolved { value, source }
    }
}

/// The tables that [`Source::File`] indexes: file paths and profile names, in the order the session
/// met them.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// Paths of the shared files that were read, in load order.
    pub files: heapless::Vec<Text<MAX_PATH_LEN>, MAX_SHARED_FILES>,
    /// Profile names met while resolving: the selected profile first, then `source_profile` hops.
    pub profiles: heapless::Vec<Text<MAX_PROFILE_NAME_LEN>, MAX_PROFILE_CHAIN>,
}

impl Provenance {
    /// Renders `source` as `option`, `env:NAME`, `file:PATH:LINE` or `default`.
    pub fn display(&self, source: Source) -> SourceDisplay<'_> {
        SourceDisplay {
            source,
            provenance: self,
            with_section: false,
        }
    }

    /// Like [`Provenance::display`], adding the profile for file sources:
    /// `file:PATH:LINE (profile NAME)`.
    pub fn display_long(&self, source: Source) -> SourceDisplay<'_> {
        SourceDisplay {
            source,
            provenance: self,
            with_section: true,
        }
    }

    /// The path of file `index`, or `?` when out of range.
    pub fn file_path(&self, index: u8) -> &str {
        self.files
            .get(usize::from(index))
            .map(|p| p.as_str())
            .unwrap_or("?")
    }

    /// The profile name at `index`, or `?` when out of range.
    pub fn profile_name(&self, index: u8) -> &str {
        self.profiles
            .get(usize::from(index))
            .map(|p| p.as_str())
            .unwrap_or("?")
    }
}

/// `Display` for a [`Source`] with its file and profile names filled in.
#[derive(Debug, Clone, Copy)]
pub struct SourceDisplay<'a> {
    source: Source,
    provenance: &'a Provenance,
    with_section: bool,
}

impl fmt::Display for SourceDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.source {
            Source::Option => f.write_str("option"),
            Source::Env(name) => write!(f, "env:{name}"),
            Source::Default => f.write_str("default"),
            Source::File {
                file,
                line,
                profile,
            } => {
                write!(f, "file:{}:{}", self.provenance.file_path(file), line)?;
                if self.with_section {
                    write!(f, " (profile {})", self.provenance.profile_name(profile))?;
                }
                Ok(())
            }
        }
    }
}
