//! The credential cache: one slot of credentials shared by a session, its copies and every
//! thread or task that signs with them (Go v1 `*credentials.Credentials`).
//!
//! The slot is plain data ([`CacheSlot`]); the lock around it belongs to the platform, behind the
//! small [`SharedCredentials`] trait (a `std::sync::Mutex` on std, a critical-section mutex on
//! embassy). Core never blocks and never allocates: a caller asks the slot what to do at a given
//! time ([`CacheSlot::claim`]) and gets one of three answers:
//!
//! - [`Claim::Use`]: the credentials are valid; sign with them.
//! - [`Claim::Refresh`]: this caller fetches new credentials (single flight: exactly one caller at
//!   a time gets this answer). If the old ones are still valid (the refresh window has started but
//!   they have not expired), every other caller keeps using them meanwhile.
//! - [`Claim::Wait`]: there are no valid credentials and another caller is fetching; wait a
//!   little and ask again.
//!
//! A refresh that fails leaves the old credentials in place until they expire. Credentials are
//! never handed out at or after their expiry, and [`CacheSlot::expire`] (called when a response
//! says `ExpiredToken`, `ExpiredTokenException` or `RequestExpired`) forces the next caller to
//! refresh.

use core::fmt;

use super::error::FetchError;
use super::ProviderKind;
use crate::error_kind::ErrorKind;
use crate::keys::Credentials;
pub use crate::keys::{Provider, ProviderRef};
use crate::limits::REFRESH_STALE_SECS;
use crate::time::UnixTime;

/// How long before expiry Go v1 refreshes credentials of `provider` (its `ExpiryWindow`): five
/// minutes for the instance-metadata and container providers of the default chain, none for the
/// others (assume-role and web-identity providers built by a session refresh only at expiry).
pub const fn expiry_window_secs(provider: ProviderKind) -> u32 {
    match provider {
        ProviderKind::Ec2InstanceMetadata | ProviderKind::EcsContainer => 300,
        // Not in Go v1: the same window as the other remote providers.
        ProviderKind::IotCredentials => 300,
        ProviderKind::RemoteFallback => 300,
        _ => 0,
    }
}

/// What a caller does after asking the cache (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Claim {
    /// Valid credentials are in the slot.
    Use,
    /// Fetch new credentials, then [`CacheSlot::store`] or [`CacheSlot::fail`].
    Refresh,
    /// Another caller is fetching and nothing valid is at hand: wait, then ask again.
    Wait,
}

/// The cached credentials and the refresh state. Lives behind a [`SharedCredentials`] lock.
pub struct CacheSlot {
    credentials: Credentials,
    holding: bool,
    provider: ProviderKind,
    window_secs: u32,
    refreshing_since: Option<UnixTime>,
    refreshes: u32,
    failures: u32,
    last_error: Option<FetchError>,
}

impl fmt::Debug for CacheSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheSlot")
            .field("holding", &self.holding)
            .field("provider", &self.provider)
            .field("expires", &self.credentials.expires)
            .field("refreshing", &self.refreshing_since.is_some())
            .field("refreshes", &self.refreshes)
            .finish_non_exhaustive()
    }
}

impl Default for CacheSlot {
    fn default() -> Self {
        CacheSlot::new()
    }
}

impl CacheSlot {
    /// An empty slot: the first caller refreshes.
    pub const fn new() -> Self {
        CacheSlot {
            credentials: Credentials::EMPTY,
            holding: false,
            provider: ProviderKind::Anonymous,
            window_secs: 0,
            refreshing_since: None,
            refreshes: 0,
            failures: 0,
            last_error: None,
        }
    }

    /// The credentials when they are valid at `now`: held, and not at or past their expiry.
    pub fn valid(&self, now: UnixTime) -> Option<&Credentials> {
        let live = match self.credentials.expires {
            Some(expires) => now.secs() < expires.secs(),
            None => true,
        };
        (self.holding && live).then_some(&self.credentials)
    }

    /// The held credentials' expiry (`None`: none held, or they never expire).
    pub fn expires(&self) -> Option<UnixTime> {
        self.credentials.expires.filter(|_| self.holding)
    }

    /// The provider that produced the held credentials.
    pub fn provider(&self) -> Option<ProviderKind> {
        self.holding.then_some(self.provider)
    }

    /// Successful refreshes so far.
    pub fn refreshes(&self) -> u32 {
        self.refreshes
    }

    /// Failed refreshes so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Whether a refresh is under way (and not yet stale) at `now`.
    fn refreshing(&self, now: UnixTime) -> bool {
        self.refreshing_since
            .is_some_and(|t| now.secs() < t.secs().saturating_add(REFRESH_STALE_SECS))
    }

    /// Decides what a caller at `now` does, and when the answer is [`Claim::Refresh`] records that
    /// this caller is refreshing. A refresh that has run longer than [`REFRESH_STALE_SECS`] is
    /// taken to have died with its caller and is taken over.
    pub fn claim(&mut self, now: UnixTime) -> Claim {
        let refreshing = self.refreshing(now);
        match self.valid(now) {
            Some(c) => {
                let window_open = c.expires.is_some_and(|e| {
                    now.secs() >= e.secs().saturating_sub(u64::from(self.window_secs))
                });
                if window_open && !refreshing {
                    self.refreshing_since = Some(now);
                    Claim::Refresh
                } else {
                    Claim::Use
                }
            }
            None if refreshing => Claim::Wait,
            None => {
                self.refreshing_since = Some(now);
                Claim::Refresh
            }
        }
    }

    /// Ends a refresh with new credentials from `provider`, refreshed `window_secs` before they
    /// expire. Copies in place (credentials hold a 2 KiB token).
    pub fn store(&mut self, credentials: &Credentials, provider: ProviderKind, window_secs: u32) {
        self.credentials.clone_from(credentials);
        self.holding = true;
        self.provider = provider;
        self.window_secs = window_secs;
        self.refreshing_since = None;
        self.refreshes = self.refreshes.saturating_add(1);
    }

    /// Ends a refresh that failed with `error`: the old credentials stay until they expire.
    pub fn fail(&mut self, error: FetchError) {
        self.refreshing_since = None;
        self.failures = self.failures.saturating_add(1);
        self.last_error = Some(error);
    }

    /// The error of the last failed refresh.
    pub fn last_error(&self) -> Option<&FetchError> {
        self.last_error.as_ref()
    }

    /// Go v1 `Credentials.Expire`: the held credentials are no longer used; the next caller
    /// refreshes.
    pub fn expire(&mut self) {
        self.holding = false;
        self.credentials = Credentials::EMPTY;
    }
}

/// A credential cache shared between sessions, copies and threads: a [`CacheSlot`] behind the
/// platform's lock, plus what providers need from the host ([`CredentialsHost`]).
///
/// A session refers to it as `&'static dyn SharedCredentials` (no heap in core): on embassy it
/// lives in a `static`; the std adapter keeps one per loaded session.
pub trait SharedCredentials: Sync {
    /// Runs `f` on the slot while holding the lock. `f` never blocks and never calls back into
    /// the cache.
    fn with_slot(&self, f: &mut dyn FnMut(&mut CacheSlot));
    /// What the providers may ask of the host (files, processes).
    fn host(&self) -> &dyn CredentialsHost;
}

/// A session's reference to its shared cache (compared by address; `Debug` names no content).
#[derive(Clone, Copy)]
pub struct SharedRef(pub &'static dyn SharedCredentials);

impl fmt::Debug for SharedRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedCredentials")
    }
}

/// A host facility failed (or does not exist on this platform).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HostError {
    /// The platform has no such facility (no files on a device, no processes, no terminal).
    Unsupported,
    /// The file does not exist.
    NotFound,
    /// The file or the output is larger than the buffer of this many bytes.
    TooLarge {
        /// The buffer size.
        limit: usize,
    },
    /// Reading, writing or starting failed.
    Io(ErrorKind),
    /// The process ran past its timeout and was killed.
    Timeout,
    /// The process exited unsuccessfully (`None`: ended by a signal).
    Exit(Option<i32>),
    /// The user gave no MFA code.
    NoToken,
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Unsupported => f.write_str("not available on this platform"),
            HostError::NotFound => f.write_str("no such file"),
            HostError::TooLarge { limit } => write!(f, "larger than {limit} bytes"),
            HostError::Io(kind) => write!(f, "{kind}"),
            HostError::Timeout => f.write_str("timed out and was killed"),
            HostError::Exit(Some(code)) => write!(f, "exited with code {code}"),
            HostError::Exit(None) => f.write_str("was ended by a signal"),
            HostError::NoToken => f.write_str("the MFA token provider returned no code"),
        }
    }
}

impl core::error::Error for HostError {}

/// What credential providers need from the host beyond the network: files (web identity tokens,
/// the SSO token cache, container authorization tokens) and `credential_process`. (MFA codes come
/// from the session's `TokenProvider`.)
/// Every method has a default that reports [`HostError::Unsupported`], so a device implements
/// only what it has.
pub trait CredentialsHost: Sync {
    /// Reads the whole file at `path` into `buf` and returns its length.
    ///
    /// # Errors
    /// [`HostError::NotFound`], [`HostError::TooLarge`], [`HostError::Io`].
    fn read_file(&self, path: &str, buf: &mut [u8]) -> Result<usize, HostError> {
        let _ = (path, buf);
        Err(HostError::Unsupported)
    }

    /// Reads the SSO token cache entry for `key` (the `sso_session` name, or the legacy
    /// `sso_start_url`): `~/.aws/sso/cache/<hex SHA-1 of key>.json`.
    ///
    /// # Errors
    /// As [`CredentialsHost::read_file`].
    fn read_sso_cache(&self, key: &str, buf: &mut [u8]) -> Result<usize, HostError> {
        let _ = (key, buf);
        Err(HostError::Unsupported)
    }

    /// Replaces the SSO token cache entry for `key` with `json` (after an OIDC refresh).
    ///
    /// # Errors
    /// [`HostError::Io`] when it cannot be written.
    fn write_sso_cache(&self, key: &str, json: &[u8]) -> Result<(), HostError> {
        let _ = (key, json);
        Err(HostError::Unsupported)
    }

    /// Runs `credential_process` `command` and puts its standard output in `buf`.
    ///
    /// # Errors
    /// Start failure, exit status, timeout or oversized output.
    fn run_process(&self, command: &str, buf: &mut [u8]) -> Result<usize, HostError> {
        let _ = (command, buf);
        Err(HostError::Unsupported)
    }
}

/// A host with no facilities: every method reports [`HostError::Unsupported`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHost;

impl CredentialsHost for NoHost {}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    fn creds(expires: Option<u64>) -> Credentials {
        let mut c = Credentials::new("AKIDCACHE", "secret", Some("token")).unwrap();
        c.expires = expires.map(UnixTime::from_secs);
        c
    }

    fn at(s: u64) -> UnixTime {
        UnixTime::from_secs(s)
    }

    selftests! {
        fn empty_slot_refreshes_once_then_waits() {
            let mut slot = CacheSlot::new();
            assert_eq!(slot.claim(at(100)), Claim::Refresh);
            assert_eq!(slot.claim(at(100)), Claim::Wait, "single flight");
            slot.store(&creds(Some(1000)), ProviderKind::AssumeRole, 0);
            assert_eq!(slot.claim(at(101)), Claim::Use);
            assert_eq!(slot.valid(at(101)).unwrap().access_key_id.as_str(), "AKIDCACHE");
            assert_eq!(slot.refreshes(), 1);
        }

        fn window_refreshes_while_others_keep_using() {
            let mut slot = CacheSlot::new();
            let _ = slot.claim(at(0));
            slot.store(&creds(Some(1000)), ProviderKind::Ec2InstanceMetadata, 300);
            assert_eq!(slot.claim(at(699)), Claim::Use);
            assert_eq!(slot.claim(at(700)), Claim::Refresh, "window open");
            assert_eq!(slot.claim(at(701)), Claim::Use, "still valid while another refreshes");
            slot.fail(FetchError::new(ProviderKind::Ec2InstanceMetadata, crate::credentials::error::FetchReason::ImdsNoRole));
            assert!(slot.valid(at(900)).is_some(), "a failed refresh keeps the old credentials");
            assert_eq!(slot.claim(at(900)), Claim::Refresh);
        }

        fn expired_credentials_are_never_handed_out() {
            let mut slot = CacheSlot::new();
            let _ = slot.claim(at(0));
            slot.store(&creds(Some(1000)), ProviderKind::AssumeRole, 0);
            assert!(slot.valid(at(999)).is_some());
            assert!(slot.valid(at(1000)).is_none());
            assert_eq!(slot.claim(at(1000)), Claim::Refresh);
            assert_eq!(slot.claim(at(1000)), Claim::Wait);
        }

        fn expire_forces_a_refresh() {
            let mut slot = CacheSlot::new();
            let _ = slot.claim(at(0));
            slot.store(&creds(None), ProviderKind::Process, 0);
            assert_eq!(slot.claim(at(5)), Claim::Use);
            slot.expire();
            assert!(slot.valid(at(5)).is_none());
            assert_eq!(slot.claim(at(5)), Claim::Refresh);
        }

        fn a_stale_refresh_is_taken_over() {
            let mut slot = CacheSlot::new();
            assert_eq!(slot.claim(at(0)), Claim::Refresh);
            assert_eq!(slot.claim(at(REFRESH_STALE_SECS - 1)), Claim::Wait);
            assert_eq!(slot.claim(at(REFRESH_STALE_SECS)), Claim::Refresh);
        }

        fn debug_shows_no_secret() {
            let mut slot = CacheSlot::new();
            let _ = slot.claim(at(0));
            slot.store(&creds(Some(5)), ProviderKind::Sso, 0);
            let mut s = heapless::String::<256>::new();
            core::fmt::write(&mut s, format_args!("{slot:?}")).unwrap();
            assert!(!s.contains("secret") && !s.contains("token") && !s.contains("AKID"), "{s}");
        }
    }
}
