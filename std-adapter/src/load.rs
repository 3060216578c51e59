//! [`load`]: Go v1 `session.NewSessionWithOptions` for a desktop or server process.
//!
//! It captures the environment, plans and reads the shared files, and creates core's
//! [`Session`]; the returned [`LoadedSession`] owns all three, so the caller needs no lifetimes.

use std::fmt;

use aws_session_core::config::shared::SharedError;
use aws_session_core::session::{Options, Session, SessionError};

use std::path::PathBuf;

use crate::cache::{StdCredentials, StdHost};
use crate::env::StdEnv;
use crate::files::{FileSource, HomeResolver};

/// A session together with the environment snapshot and file texts it was made from.
#[derive(Debug, Clone)]
pub struct LoadedSession {
    env: StdEnv,
    files: FileSource,
    session: Session,
}

impl LoadedSession {
    /// The session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The environment snapshot the session was made from.
    pub fn env(&self) -> &StdEnv {
        &self.env
    }

    /// The shared files that were planned, with the path and outcome of each.
    pub fn files(&self) -> &FileSource {
        &self.files
    }

    /// Takes the session out, dropping the environment snapshot and file texts.
    pub fn into_session(self) -> Session {
        self.session
    }
}

/// Which stage of [`load`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// An environment variable is invalid or unreadable (Go v1 "failed to load environment
    /// config").
    Environment,
    /// A shared file does not parse or cannot be read as text, or the profile graph is invalid
    /// (Go v1 "failed to load shared config").
    SharedConfig,
    /// Combining the sources failed: a value over its limit, an invalid credential source, a
    /// missing MFA token provider, web identity without a role.
    Config,
    /// More shared files than core can hold.
    TooManyFiles,
}

/// Creating a session failed. The message says what and where (variable name, file path and
/// line); it never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    kind: LoadErrorKind,
    message: String,
}

impl LoadError {
    /// Which stage failed.
    pub fn kind(&self) -> LoadErrorKind {
        self.kind
    }

    fn from_session(e: &SessionError, files: Option<&FileSource>) -> Self {
        let kind = match e {
            SessionError::Env(_) => LoadErrorKind::Environment,
            SessionError::Shared(_) => LoadErrorKind::SharedConfig,
            SessionError::TooManyFiles { .. } => LoadErrorKind::TooManyFiles,
            _ => LoadErrorKind::Config,
        };
        // Core names an unreadable file by index; we know its path.
        let message = match (e, files) {
            (SessionError::Shared(SharedError::Read { index, kind }), Some(files)) => {
                let entry = files.entries().get(*index);
                match entry {
                    Some(f) if f.status.failure().is_some() => format!(
                        "failed to load shared config, {}: {}",
                        f.path,
                        f.status.failure().unwrap_or_default()
                    ),
                    Some(f) => format!("failed to load shared config, {}: {kind}", f.path),
                    None => e.to_string(),
                }
            }
            _ => e.to_string(),
        };
        LoadError { kind, message }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for LoadError {}

/// Creates a session from the process environment and the shared files on disk, as Go v1
/// `session.NewSessionWithOptions(options)` does.
///
/// # Errors
/// Every Go v1 creation error ([`LoadErrorKind`]): an invalid environment value, an unparsable
/// shared file, an invalid `source_profile` / `credential_source` graph, `mfa_serial` without a
/// token provider. A missing profile or missing files are not errors.
///
/// ```no_run
/// use aws_session_core::session::Options;
///
/// let loaded = aws_session_std::load(&Options::default())?;
/// let config = loaded.session().config();
/// if let Some(region) = &config.region {
///     println!("region {} from {}", region.value, config.provenance.display(region.source));
/// }
/// # Ok::<(), aws_session_std::LoadError>(())
/// ```
pub fn load(options: &Options<'_>) -> Result<LoadedSession, LoadError> {
    load_with(options, StdEnv::capture(), &HomeResolver::default())
}

/// Like [`load`] with a given environment snapshot and home-directory rules (for tests and for
/// applications that build their environment themselves).
///
/// # Errors
/// As [`load`].
pub fn load_with(
    options: &Options<'_>,
    env: StdEnv,
    home: &HomeResolver,
) -> Result<LoadedSession, LoadError> {
    let files = {
        let plan =
            Session::plan_files(options, &env).map_err(|e| LoadError::from_session(&e, None))?;
        FileSource::read_with(&plan, &env, home)
    };
    let mut session = Session::new(options, &env, &files)
        .map_err(|e| LoadError::from_session(&e, Some(&files)))?;
    if session.credentials().needs_provider() {
        let host = StdHost::new(home.home_dir(&env).map(PathBuf::from));
        session.share_credentials(StdCredentials::leak(host));
    }
    Ok(LoadedSession {
        env,
        files,
        session,
    })
}
