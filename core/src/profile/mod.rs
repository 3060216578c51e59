//! Shared config and credentials files (`~/.aws/config`, `~/.aws/credentials`): reading the text.
//!
//! This is the first half of configuration resolution ([`crate::config`] does the rest):
//!
//! 1. **parse** ([`parse`]) — a streaming tokenizer over `&str`: section headers, properties,
//!    continuation lines and sub-properties, each with its 1-based line number, or a
//!    [`ProfileError`] saying which line is wrong and how. Purely syntactic.
//! 2. **normalize** ([`normalize`]) — the cross-SDK rules that depend on the file kind: `[profile
//!    NAME]` in a config file but `[NAME]` in a credentials file, `[profile default]` over
//!    `[default]`, invalid names ignored, `[sso-session …]` and `[services …]` sections,
//!    case-insensitive keys.
//! 3. **lookup** (this module's functions) — [`visit_profile`] and friends walk one file and hand
//!    each property of the wanted section to a visitor, in file order. Repeated sections are
//!    merged by visiting them all, later ones later, so "last one wins" falls out of overwriting.
//!    Merging across files and resolving values is the session merger's job.
//!
//! Values are borrowed from the text. A [`Value`] is either one line ([`Value::as_str`]), several
//! lines joined with `\n` ([`Value::write_to`], [`Value::to_text`]), or a block of sub-properties
//! ([`Value::sub_properties`]). Nothing is copied or allocated, and every pass takes a few words of
//! stack, so firmware reads an embedded config blob with exactly the code that reads a desktop
//! user's `~/.aws/config`.
//!
//! ```
//! use aws_session_core::config::{FileKind, ProfileFile};
//! use aws_session_core::profile::{visit_profile, ProfileErrorKind};
//!
//! let file = ProfileFile {
//!     path: "~/.aws/config",
//!     kind: FileKind::Config,
//!     text: "[profile dev]\nregion = eu-west-1 # Ireland\nRegion = eu-north-1\n",
//! };
//! let mut region = None;
//! let found = visit_profile(&file, "dev", &mut |p| {
//!     if p.key_is("region") {
//!         region = p.value.as_str(); // later lines overwrite earlier ones
//!     }
//! })?;
//! assert_eq!(found.map(|s| s.line), Some(1));
//! assert_eq!(region, Some("eu-north-1"));
//!
//! // A syntax error anywhere in the file fails every lookup in it, with the line.
//! let bad = ProfileFile { text: "[profile dev]\nregion: eu-west-1\n", ..file };
//! let err = visit_profile(&bad, "dev", &mut |_| {}).unwrap_err();
//! assert_eq!((err.line, err.kind), (2, ProfileErrorKind::PropertyMissingEquals));
//! # Ok::<(), aws_session_core::profile::ProfileError>(())
//! ```
//!
//! # Which dialect
//!
//! Go v1, whose session semantics this crate rebuilds, reads these files with its own loose INI
//! reader. The newer SDKs (Java v2, Kotlin, Rust, …) agree on a stricter dialect pinned by shared
//! test suites, and that is what users' files are written against today. We follow the cross-SDK
//! suites; every place where that differs from Go v1 is listed, each with the test that pins it,
//! under "Profile file syntax" in `docs/divergences.md`.
//!
//! # Why not rust-ini
//!
//! The std adapter could have used the `rust-ini` crate. We parse here instead because:
//!
//! * rust-ini needs `std` and allocates; firmware must read the very same text format, and `core`
//!   is `no_std` without a heap.
//! * It is a generic INI reader, not this dialect: it takes `:` as a separator where the suites
//!   demand an error, and it has no rule for the suites' comment handling (a `#`/`;` comment only
//!   after whitespace in values, anywhere in headers, never in continuation lines).
//! * Continuation lines and sub-properties are one rule in the suites: indented lines continue a
//!   non-empty value but form `key = value` sub-properties under an empty one, with errors for
//!   indented lines in the wrong place. rust-ini's optional indented multi-line values cannot
//!   tell the two apart or report those errors.
//! * Section-name rules (`[profile NAME]` versus `[NAME]` by file kind, allowed characters,
//!   `[profile default]` over `[default]`, `sso-session` and `services`) would have to be rebuilt
//!   on top anyway, and the suites want errors with line numbers.

pub mod error;
pub mod lookup;
pub mod normalize;
pub mod parse;
pub mod value;

/// The profile a session reads when none is named (Go v1 `DefaultSharedConfigProfile`).
pub const DEFAULT_PROFILE: &str = "default";

pub use crate::shared_file::{FileKind, ProfileFile};
pub use error::{ProfileError, ProfileErrorKind};
pub use lookup::{
    check_file, find_property, headers, sections, visit_profile, visit_section, visit_services,
    visit_sso_session, CheckedFile, Header, Headers, SectionInfo,
};
pub use normalize::{
    classify_header, is_valid_name, key_eq, Classified, HeaderForm, IgnoreReason, Section,
    SectionKind,
};
pub use value::{ContinuationLines, Property, SubProperties, SubProperty, Value};
