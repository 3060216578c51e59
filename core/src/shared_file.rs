//! The input of the profile-file parser: one shared config file, its kind and its text.
//!
//! A plain value type at the bottom of the crate, because the platform's
//! [`ProfileSource`](crate::platform::ProfileSource) hands it out, the [`profile`](crate::profile)
//! parser reads it and [`config`](crate::config) collects it; `profile` and `config` re-export it.

/// Which shared file a text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FileKind {
    /// `~/.aws/config`: sections are `[profile NAME]` (and `[default]`).
    Config,
    /// `~/.aws/credentials`: sections are `[NAME]`.
    Credentials,
}

/// One shared config file handed to the core: its path (for provenance), kind and text.
#[derive(Debug, Clone, Copy)]
pub struct ProfileFile<'a> {
    /// Path shown in provenance (`file:PATH:LINE`).
    pub path: &'a str,
    /// Config or credentials syntax.
    pub kind: FileKind,
    /// The whole file.
    pub text: &'a str,
}
