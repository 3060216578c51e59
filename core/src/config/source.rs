//! Provenance types, re-exported from the bottom layer ([`crate::provenance`]) so that
//! `config::source::…` paths keep working.

pub use crate::provenance::{Provenance, Resolved, Source, SourceDisplay};
