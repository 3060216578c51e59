//! The std credential cache: core's [`CacheSlot`] behind a `std::sync::Mutex`, and the host
//! facilities providers need on a desktop or server ([`StdHost`]): files, the SSO token cache
//! under `~/.aws/sso/cache`, and `credential_process`.
//!
//! [`crate::load()`] gives every session whose plan needs a provider call one [`StdCredentials`];
//! copies of the session share it. It is leaked (`&'static`, as core needs without a heap of its
//! own): one small cache per loaded session, which Go v1's advice — make one session and share
//! it — keeps to one per program.

use core::time::Duration;
use std::path::PathBuf;
use std::sync::Mutex;

use aws_session_core::credentials::cache::{
    CacheSlot, CredentialsHost, HostError, SharedCredentials,
};
use aws_session_core::error_kind::ErrorKind;

use crate::bounded_read::{read_into, ReadFailure};
use crate::credentials::{run_process_output, DEFAULT_PROCESS_TIMEOUT};

/// Reads the whole file at `path` into `buf`, refusing more than fits (through
/// [`crate::bounded_read`]: `/dev/zero` cannot grow memory and a FIFO with no writer cannot block
/// for more than [`SPECIAL_FILE_WAIT`](crate::limits::SPECIAL_FILE_WAIT)).
pub(crate) fn read_bounded(path: &std::path::Path, buf: &mut [u8]) -> Result<usize, HostError> {
    // The bound is the caller's buffer, which core sizes (token file, SSO cache JSON).
    read_into(path, buf, "the provider's buffer").map_err(|e| match e.failure {
        ReadFailure::NotFound => HostError::NotFound,
        ReadFailure::TooLarge { limit, .. } => HostError::TooLarge { limit },
        ReadFailure::TimedOut(_) => HostError::Io(ErrorKind::TimedOut),
        ReadFailure::Io(std::io::ErrorKind::PermissionDenied) => {
            HostError::Io(ErrorKind::PermissionDenied)
        }
        ReadFailure::Io(_) => HostError::Io(ErrorKind::Other),
    })
}

fn io_error(e: std::io::Error) -> HostError {
    match e.kind() {
        std::io::ErrorKind::NotFound => HostError::NotFound,
        std::io::ErrorKind::PermissionDenied => HostError::Io(ErrorKind::PermissionDenied),
        std::io::ErrorKind::TimedOut => HostError::Io(ErrorKind::TimedOut),
        _ => HostError::Io(ErrorKind::Other),
    }
}

/// The SSO token cache file name of `key` (an `sso_session` name or a legacy start URL): the hex
/// SHA-1 of the key, as the AWS CLI and the SDKs write it.
pub fn sso_cache_file_name(key: &str) -> String {
    use sha1::Digest;
    let digest = sha1::Sha1::digest(key.as_bytes());
    let mut name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    name.push_str(".json");
    name
}

/// What providers may ask of this machine.
pub struct StdHost {
    /// The home directory (for `~/.aws/sso/cache`), when there is one.
    pub home: Option<PathBuf>,
    /// How long `credential_process` may run.
    pub process_timeout: Duration,
}

impl core::fmt::Debug for StdHost {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StdHost")
            .field("home", &self.home)
            .field("process_timeout", &self.process_timeout)
            .finish()
    }
}

impl StdHost {
    /// A host for files under `home`, with Go v1's process timeout.
    pub fn new(home: Option<PathBuf>) -> Self {
        StdHost {
            home,
            process_timeout: DEFAULT_PROCESS_TIMEOUT,
        }
    }

    fn sso_cache_path(&self, key: &str) -> Result<PathBuf, HostError> {
        let home = self.home.as_ref().ok_or(HostError::NotFound)?;
        Ok(home
            .join(".aws")
            .join("sso")
            .join("cache")
            .join(sso_cache_file_name(key)))
    }
}

impl CredentialsHost for StdHost {
    fn read_file(&self, path: &str, buf: &mut [u8]) -> Result<usize, HostError> {
        read_bounded(std::path::Path::new(path), buf)
    }

    fn read_sso_cache(&self, key: &str, buf: &mut [u8]) -> Result<usize, HostError> {
        read_bounded(&self.sso_cache_path(key)?, buf)
    }

    fn write_sso_cache(&self, key: &str, json: &[u8]) -> Result<(), HostError> {
        let path = self.sso_cache_path(key)?;
        // Write beside, then rename: a reader never sees half a file.
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(io_error)?;
        std::fs::rename(&tmp, &path).map_err(io_error)
    }

    fn run_process(&self, command: &str, buf: &mut [u8]) -> Result<usize, HostError> {
        run_process_output(command, self.process_timeout, buf)
    }
}

/// A credential cache shared by a session and its copies, across threads.
#[derive(Debug)]
pub struct StdCredentials {
    slot: Mutex<CacheSlot>,
    host: StdHost,
}

impl StdCredentials {
    /// An empty cache whose providers use `host`.
    pub fn new(host: StdHost) -> Self {
        StdCredentials {
            slot: Mutex::new(CacheSlot::new()),
            host,
        }
    }

    /// A cache that lives as long as the program (a session refers to it as `&'static`).
    pub fn leak(host: StdHost) -> &'static StdCredentials {
        Box::leak(Box::new(StdCredentials::new(host)))
    }
}

impl SharedCredentials for StdCredentials {
    fn with_slot(&self, f: &mut dyn FnMut(&mut CacheSlot)) {
        // A panic while the lock was held cannot leave the slot half-written (every change is
        // one assignment), so a poisoned lock is still usable.
        let mut slot = self
            .slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut slot);
    }

    fn host(&self) -> &dyn CredentialsHost {
        &self.host
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sso_cache_names_are_the_sha1_of_the_key() {
        // FIPS 180 test vector for "abc".
        assert_eq!(
            sso_cache_file_name("abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d.json"
        );
    }

    #[test]
    fn bounded_reads_refuse_what_does_not_fit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"12345").unwrap();
        let mut buf = [0u8; 5];
        assert_eq!(read_bounded(&p, &mut buf), Ok(5));
        let mut small = [0u8; 4];
        assert_eq!(
            read_bounded(&p, &mut small),
            Err(HostError::TooLarge { limit: 4 })
        );
        assert_eq!(
            read_bounded(&dir.path().join("missing"), &mut buf),
            Err(HostError::NotFound)
        );
        let mut zero = [0u8; 64];
        assert_eq!(
            read_bounded(std::path::Path::new("/dev/zero"), &mut zero),
            Err(HostError::TooLarge { limit: 64 })
        );
    }
}
