//! [`FileSource`]: the shared config files of a [`FilePlan`], read from disk.
//!
//! Core decides *which* files a session reads ([`Session::plan_files`]: an explicit list, or
//! `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, or the defaults). This module turns the
//! plan's default locations into paths under the user's home directory, reads every file once,
//! and keeps the texts for the session to borrow.
//!
//! Rules (Go v1 unless noted):
//! * A file that is missing or cannot be read (permissions, a directory) is skipped silently.
//! * Paths are used as given: no `~` or `$VAR` expansion (the Rust SDK and botocore expand `~`).
//! * The home directory is `HOME`; on Windows then `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH`;
//!   then the operating system's record for the user. This is the order of the cross-SDK
//!   file-location suite; Go v1 on Windows reads `USERPROFILE` only (see `docs/divergences.md`).
//! * With no home directory at all, the default files are skipped (Go v1 would look for a relative
//!   `.aws/config` in the working directory).
//! * A file that exists but is not UTF-8 stops session creation with an error naming its path.
//! * Every file is read with a bound ([`crate::bounded_read`]): a file over
//!   [`MAX_SHARED_FILE_LEN`] bytes (`/dev/zero` included), or a FIFO or device that gives nothing
//!   for [`SPECIAL_FILE_WAIT`], stops session creation with an error naming the file and the
//!   bound (Go v1 reads without a bound and blocks on a FIFO with no writer).
//!
//! [`MAX_SHARED_FILE_LEN`]: crate::limits::MAX_SHARED_FILE_LEN
//! [`SPECIAL_FILE_WAIT`]: crate::limits::SPECIAL_FILE_WAIT
//!
//! [`Session::plan_files`]: aws_session_core::session::Session::plan_files

use std::fmt;
use std::io;
use std::path::Path;

use aws_session_core::config::{FileKind, ProfileFile};
use aws_session_core::platform::{Environment, Error as PlatformError, ErrorKind, ProfileSource};
use aws_session_core::session::{FileLocation, FilePlan};

use crate::bounded_read::{read_limited, ReadFailure, ReadLimit};
use crate::limits::MAX_SHARED_FILE_LEN;

/// Which path conventions to apply when looking for the home directory and joining paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Platform {
    /// `HOME`, `/` separators.
    Unix,
    /// `HOME`, `USERPROFILE`, `HOMEDRIVE` + `HOMEPATH`, `\` separators.
    Windows,
}

impl Platform {
    /// The platform this program was built for.
    pub const fn current() -> Self {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }

    /// The path separator.
    pub const fn separator(self) -> char {
        match self {
            Platform::Unix => '/',
            Platform::Windows => '\\',
        }
    }
}

/// Where the home directory comes from when no environment variable names one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HomeFallback {
    /// The operating system's record for the user ([`os_home_dir`]), as Go v1's `user.Current`.
    #[default]
    OperatingSystem,
    /// This directory (tests, sandboxes).
    Fixed(String),
    /// No fallback: without the variables there is no home directory.
    Nothing,
}

/// How to find the home directory: the platform's variables, then a [`HomeFallback`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeResolver {
    /// Path conventions.
    pub platform: Platform,
    /// Used when no environment variable gives a home directory.
    pub fallback: HomeFallback,
}

impl Default for HomeResolver {
    fn default() -> Self {
        HomeResolver {
            platform: Platform::current(),
            fallback: HomeFallback::OperatingSystem,
        }
    }
}

/// The operating system's idea of the user's home directory (on Unix the password database).
pub fn os_home_dir() -> Option<String> {
    // `home_dir` was deprecated for its Windows behaviour until Rust 1.86 fixed it; on every
    // platform we only reach it after the environment variables were checked.
    #[allow(deprecated)]
    let home = std::env::home_dir();
    home.and_then(|p| p.into_os_string().into_string().ok())
        .filter(|s| !s.is_empty())
}

impl HomeResolver {
    /// The home directory per this resolver's rules; empty variables count as unset.
    pub fn home_dir<E: Environment + ?Sized>(&self, env: &E) -> Option<String> {
        let get = |name: &str| env.var(name).ok().flatten().filter(|v| !v.is_empty());
        if let Some(home) = get("HOME") {
            return Some(home.to_owned());
        }
        if self.platform == Platform::Windows {
            if let Some(profile) = get("USERPROFILE") {
                return Some(profile.to_owned());
            }
            if let (Some(drive), Some(path)) = (get("HOMEDRIVE"), get("HOMEPATH")) {
                return Some(format!("{drive}{path}"));
            }
        }
        match &self.fallback {
            HomeFallback::OperatingSystem => os_home_dir(),
            HomeFallback::Fixed(dir) => Some(dir.clone()),
            HomeFallback::Nothing => None,
        }
    }

    /// The default path of a shared file under `home`: `home/.aws/config` or
    /// `home/.aws/credentials`, with the platform's separator.
    pub fn default_path(&self, home: &str, kind: FileKind) -> String {
        let sep = self.platform.separator();
        let name = match kind {
            FileKind::Config => "config",
            FileKind::Credentials => "credentials",
        };
        let home = if home.len() > 1 {
            home.trim_end_matches(['/', sep])
        } else {
            home
        };
        if home.ends_with(sep) {
            format!("{home}.aws{sep}{name}")
        } else {
            format!("{home}{sep}.aws{sep}{name}")
        }
    }
}

/// What happened when a planned file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileStatus {
    /// The file was read; its text takes part in the session.
    Loaded,
    /// The file does not exist (skipped).
    Missing,
    /// The file exists but could not be read (skipped, as Go v1 does); the I/O error kind.
    Unreadable(io::ErrorKind),
    /// No home directory was found, so a default location has no path (skipped).
    NoHome,
    /// The file is not valid UTF-8: session creation fails naming this path.
    NotUnicode,
    /// The file holds more than [`MAX_SHARED_FILE_LEN`]
    /// bytes (or is an endless device such as `/dev/zero`): session creation fails naming this
    /// path and the limit.
    TooLarge,
    /// The file is not a regular file and gave nothing to read for
    /// [`SPECIAL_FILE_WAIT`](crate::limits::SPECIAL_FILE_WAIT) (a FIFO without a writer):
    /// session creation fails naming this path.
    TimedOut,
}

impl FileStatus {
    /// Why a file with this status stops session creation, when it does.
    pub fn failure(self) -> Option<String> {
        use crate::limits::{MAX_SHARED_FILE_LEN, SPECIAL_FILE_WAIT};
        match self {
            FileStatus::NotUnicode => Some("the file is not valid UTF-8".to_owned()),
            FileStatus::TooLarge => Some(format!(
                "the file is larger than the {MAX_SHARED_FILE_LEN}-byte limit (MAX_SHARED_FILE_LEN)"
            )),
            FileStatus::TimedOut => Some(format!(
                "not a regular file, and nothing could be read from it for {} s (a FIFO without a writer?)",
                SPECIAL_FILE_WAIT.as_secs()
            )),
            _ => None,
        }
    }
}

/// One planned file and what reading it gave.
#[derive(Clone)]
pub struct SharedFileEntry {
    /// The path that was read (empty for [`FileStatus::NoHome`]).
    pub path: String,
    /// Config or credentials syntax.
    pub kind: FileKind,
    /// The outcome.
    pub status: FileStatus,
    text: String,
}

impl fmt::Debug for SharedFileEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The text may hold secrets: only its size is shown.
        f.debug_struct("SharedFileEntry")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("len", &self.text.len())
            .finish()
    }
}

/// A shared file was present but could not be used as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileSourceError {
    /// The file is not valid UTF-8 (kind [`ErrorKind::InvalidData`]).
    NotUnicode,
    /// The file is over [`MAX_SHARED_FILE_LEN`] (kind
    /// [`ErrorKind::Capacity`]).
    TooLarge,
    /// Nothing could be read from a non-regular file in time (kind [`ErrorKind::TimedOut`]).
    TimedOut,
}

impl fmt::Display for FileSourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = match self {
            FileSourceError::NotUnicode => FileStatus::NotUnicode,
            FileSourceError::TooLarge => FileStatus::TooLarge,
            FileSourceError::TimedOut => FileStatus::TimedOut,
        };
        f.write_str(&status.failure().unwrap_or_default())
    }
}

impl core::error::Error for FileSourceError {}

impl PlatformError for FileSourceError {
    fn kind(&self) -> ErrorKind {
        match self {
            FileSourceError::NotUnicode => ErrorKind::InvalidData,
            FileSourceError::TooLarge => ErrorKind::Capacity,
            FileSourceError::TimedOut => ErrorKind::TimedOut,
        }
    }
}

/// The shared files of one session, read from disk and kept in memory (core's [`ProfileSource`]).
///
/// The files are parsed by core's cross-SDK profile parser, not by `rust-ini`: `rust-ini` cannot
/// pass the cross-SDK parser suites (continuation lines, sub-properties, comment rules, line
/// numbers for provenance), and parsing in core lets firmware read the same format. See the
/// `aws_session_core::profile` docs for the full reasoning.
#[derive(Debug, Clone, Default)]
pub struct FileSource {
    files: Vec<SharedFileEntry>,
}

impl FileSource {
    /// Reads the files of `plan`, finding default locations under the home directory that
    /// `env` names (see [`HomeResolver`]).
    pub fn read<E: Environment + ?Sized>(plan: &FilePlan<'_>, env: &E) -> Self {
        Self::read_with(plan, env, &HomeResolver::default())
    }

    /// Like [`FileSource::read`] with explicit home-directory rules.
    pub fn read_with<E: Environment + ?Sized>(
        plan: &FilePlan<'_>,
        env: &E,
        home: &HomeResolver,
    ) -> Self {
        let mut home_dir: Option<Option<String>> = None;
        let files = plan
            .iter()
            .map(|planned| {
                let path = match planned.location {
                    FileLocation::Path(p) => Some(p.to_owned()),
                    FileLocation::Default => home_dir
                        .get_or_insert_with(|| home.home_dir(env))
                        .as_deref()
                        .map(|h| home.default_path(h, planned.kind)),
                };
                match path {
                    Some(path) => read_one(path, planned.kind),
                    None => SharedFileEntry {
                        path: String::new(),
                        kind: planned.kind,
                        status: FileStatus::NoHome,
                        text: String::new(),
                    },
                }
            })
            .collect();
        FileSource { files }
    }

    /// Files given as text, in load order (for embedding applications and tests).
    pub fn from_texts<I, P, T>(files: I) -> Self
    where
        I: IntoIterator<Item = (P, FileKind, T)>,
        P: Into<String>,
        T: Into<String>,
    {
        let files = files
            .into_iter()
            .map(|(path, kind, text)| SharedFileEntry {
                path: path.into(),
                kind,
                status: FileStatus::Loaded,
                text: text.into(),
            })
            .collect();
        FileSource { files }
    }

    /// Every planned file with its path and status, in load order.
    pub fn entries(&self) -> &[SharedFileEntry] {
        &self.files
    }
}

fn read_one(path: String, kind: FileKind) -> SharedFileEntry {
    let limit = ReadLimit::new(MAX_SHARED_FILE_LEN, "MAX_SHARED_FILE_LEN");
    let (status, text) = match read_limited(Path::new(&path), limit) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => (FileStatus::Loaded, text),
            Err(_) => (FileStatus::NotUnicode, String::new()),
        },
        Err(e) => {
            let status = match e.failure {
                ReadFailure::NotFound => FileStatus::Missing,
                ReadFailure::TooLarge { .. } => FileStatus::TooLarge,
                ReadFailure::TimedOut(_) => FileStatus::TimedOut,
                ReadFailure::Io(kind) => FileStatus::Unreadable(kind),
            };
            (status, String::new())
        }
    };
    SharedFileEntry {
        path,
        kind,
        status,
        text,
    }
}

impl ProfileSource for FileSource {
    type Error = FileSourceError;

    fn file_count(&self) -> usize {
        self.files.len()
    }

    fn file(&self, index: usize) -> Result<Option<ProfileFile<'_>>, FileSourceError> {
        let Some(f) = self.files.get(index) else {
            return Ok(None);
        };
        match f.status {
            FileStatus::Loaded => Ok(Some(ProfileFile {
                path: &f.path,
                kind: f.kind,
                text: &f.text,
            })),
            FileStatus::NotUnicode => Err(FileSourceError::NotUnicode),
            FileStatus::TooLarge => Err(FileSourceError::TooLarge),
            FileStatus::TimedOut => Err(FileSourceError::TimedOut),
            FileStatus::Missing | FileStatus::Unreadable(_) | FileStatus::NoHome => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StdEnv;

    #[test]
    fn default_path_joins_with_the_platform_separator() {
        let unix = HomeResolver {
            platform: Platform::Unix,
            fallback: HomeFallback::Nothing,
        };
        assert_eq!(
            unix.default_path("/home/u", FileKind::Config),
            "/home/u/.aws/config"
        );
        assert_eq!(
            unix.default_path("/home/u/", FileKind::Credentials),
            "/home/u/.aws/credentials"
        );
        assert_eq!(unix.default_path("/", FileKind::Config), "/.aws/config");
        let win = HomeResolver {
            platform: Platform::Windows,
            fallback: HomeFallback::Nothing,
        };
        assert_eq!(
            win.default_path("C:\\Users\\u", FileKind::Config),
            "C:\\Users\\u\\.aws\\config"
        );
    }

    #[test]
    fn empty_home_counts_as_unset() {
        let env = StdEnv::from_vars([("HOME", "")]);
        let r = HomeResolver {
            platform: Platform::Unix,
            fallback: HomeFallback::Nothing,
        };
        assert_eq!(r.home_dir(&env), None);
    }

    #[test]
    fn windows_needs_both_homedrive_and_homepath() {
        let env = StdEnv::from_vars([("HOMEPATH", "\\users\\u")]);
        let r = HomeResolver {
            platform: Platform::Windows,
            fallback: HomeFallback::Nothing,
        };
        assert_eq!(r.home_dir(&env), None);
    }
}
