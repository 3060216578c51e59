//! In-memory environment and shared files.

use core::convert::Infallible;

use crate::config::{FileKind, ProfileFile};
use crate::platform::{Environment, ProfileSource};

/// An environment held in a slice of `(name, value)` pairs; later pairs do not override earlier.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemEnv<'a> {
    vars: &'a [(&'a str, &'a str)],
}

impl<'a> MemEnv<'a> {
    /// An environment with exactly these variables.
    pub const fn new(vars: &'a [(&'a str, &'a str)]) -> Self {
        MemEnv { vars }
    }
}

impl Environment for MemEnv<'_> {
    type Error = Infallible;
    fn var(&self, name: &str) -> Result<Option<&str>, Infallible> {
        Ok(self.vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
    }
    fn for_each_with_prefix(&self, prefix: &str, visit: &mut dyn FnMut(&str, &str)) {
        for (n, v) in self.vars {
            if n.starts_with(prefix) {
                visit(n, v);
            }
        }
    }
}

/// Shared files held in memory. A file with `text == None` stands for a missing file.
#[derive(Debug, Clone, Copy)]
pub struct MemFiles<'a> {
    files: &'a [(&'a str, FileKind, Option<&'a str>)],
}

impl<'a> MemFiles<'a> {
    /// Files as `(path, kind, text)`; `None` text is a missing file.
    pub const fn new(files: &'a [(&'a str, FileKind, Option<&'a str>)]) -> Self {
        MemFiles { files }
    }
}

impl ProfileSource for MemFiles<'_> {
    type Error = Infallible;
    fn file_count(&self) -> usize {
        self.files.len()
    }
    fn file(&self, index: usize) -> Result<Option<ProfileFile<'_>>, Infallible> {
        Ok(self.files.get(index).and_then(|(path, kind, text)| {
            text.map(|text| ProfileFile {
                path,
                kind: *kind,
                text,
            })
        }))
    }
}

/// Shorthand for a config file (`~/.aws/config` syntax) at `/home/.aws/config`.
pub const fn config_file(text: &str) -> (&str, FileKind, Option<&str>) {
    ("/home/.aws/config", FileKind::Config, Some(text))
}

/// Shorthand for a credentials file at `/home/.aws/credentials`.
pub const fn credentials_file(text: &str) -> (&str, FileKind, Option<&str>) {
    ("/home/.aws/credentials", FileKind::Credentials, Some(text))
}

/// A session made from `env` and one in-memory config file named `config`, with shared config
/// loading on (as a device's flash profiles are read).
///
/// # Errors
/// The session's creation error.
pub fn session_with_config(
    env: &[(&str, &str)],
    config: &str,
) -> Result<crate::session::Session, crate::session::SessionError> {
    let env = MemEnv::new(env);
    let file = [("config", FileKind::Config, Some(config))];
    let files = MemFiles::new(&file);
    let shared = [crate::session::SharedFile {
        path: "config",
        kind: FileKind::Config,
    }];
    let options = crate::session::Options {
        shared_config_state: crate::config::SharedConfigState::Enable,
        shared_config_files: Some(&shared),
        ..crate::session::Options::default()
    };
    crate::session::Session::new(&options, &env, &files)
}
