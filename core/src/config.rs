//! Session configuration (being written).

/// Which shared file a text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
