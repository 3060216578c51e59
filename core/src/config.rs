//! Session configuration in stages: parse → normalize → merge → resolve.
//!
//! * [`profile`](crate::profile) parses and normalizes shared config text.
//! * [`env`](mod@env) reads the Go v1 environment variables into an [`env::EnvConfig`] layer.
//! * [`shared`] collects the selected profile's keys from each file into a [`shared::SharedConfig`]
//!   layer and validates the `source_profile` / `credential_source` graph as Go v1 does.
//! * [`settings`] is the table that describes every setting once; [`table`] turns its rows into
//!   the fields, layers, merge and overrides below.
//! * [`merge`] combines user options, environment, files and defaults per field (Go v1 `MergeIn`:
//!   a later source overrides only the fields it sets) into a [`SessionConfig`] in which every value
//!   remembers its [`Source`].
//!
//! All of it is pure: the adapters only hand in an [`Environment`](crate::platform::Environment) and
//! a [`ProfileSource`](crate::platform::ProfileSource).

pub mod env;
pub mod merge;
pub mod model;
pub mod settings;
pub mod shared;
pub mod source;
pub mod table;

pub use crate::shared_file::{FileKind, ProfileFile};
pub use model::*;
pub use settings::{Config, EnvSettings, FileSettings, Key, SessionConfig, SettingsView, SETTINGS};
pub use source::{Provenance, Resolved, Source, SourceDisplay};
pub use table::{Kind, Merge, Read, SettingInfo, SettingValue};
