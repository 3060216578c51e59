//! The session: Go v1 `NewSessionWithOptions`, `Session.Copy`, rebuilt without a heap.
//!
//! A [`Session`] is built once from [`Options`], an [`Environment`] and a [`ProfileSource`], and is
//! immutable afterwards. It is `Send + Sync`: many threads may create clients from one session.
//! [`Session::copy_with`] makes a new session with overrides and its own copy of the handler lists,
//! sharing the credential plan (Go v1 `Copy`).
//!
//! ```
//! use aws_session_core::session::{Options, Session, SessionError};
//! use aws_session_core::test_util::{MemEnv, MemFiles};
//!
//! let env = MemEnv::new(&[("AWS_REGION", "eu-west-1"), ("AWS_USE_FIPS_ENDPOINT", "1")]);
//! let files = MemFiles::new(&[]);
//! let err = Session::new(&Options::default(), &env, &files).unwrap_err();
//! assert!(matches!(err, SessionError::Env(_)));
//! assert!(err.to_string().contains("AWS_USE_FIPS_ENDPOINT"));
//! ```
//!
//! A [`SessionError`] owns what it names (file paths, profile names) in fixed-capacity text, so
//! `?` carries it past the environment and files it was read from, into `Box<dyn Error>` or
//! `anyhow::Error` (it is `Send + Sync + 'static`):
//!
//! ```
//! use aws_session_core::session::{Options, Session};
//! use aws_session_core::test_util::{config_file, MemEnv, MemFiles};
//!
//! fn region_of(text: &str) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
//!     let env = MemEnv::new(&[("AWS_SDK_LOAD_CONFIG", "1")]);
//!     let list = [config_file(text)];
//!     let session = Session::new(&Options::default(), &env, &MemFiles::new(&list))?;
//!     Ok(session.config().region.as_ref().map(|r| r.value.to_string()).unwrap_or_default())
//! }
//!
//! assert_eq!(region_of("[default]\nregion = eu-west-1\n").unwrap(), "eu-west-1");
//! let err = region_of("[default]\nsts_regional_endpoints = global\n").unwrap_err();
//! assert!(err.to_string().contains("/home/.aws/config:2"), "{err}");
//! ```

use core::fmt;
use core::sync::atomic::{AtomicI32, Ordering};

use crate::config::env::{EnvConfig, EnvError};
use crate::config::merge::{self, MergeError, MergeInput};
use crate::config::settings::apply_settings;
use crate::config::shared::{self, SharedConfig, SharedError};
use crate::config::{Config, FileKind, SessionConfig, SharedConfigState, Source};
use crate::credentials::cache::{SharedCredentials, SharedRef};
use crate::credentials::plan::{self, PlanError};
use crate::credentials::CredentialPlan;
use crate::handlers::{Handlers, ListFullError};
use crate::limits::{MAX_MFA_TOKEN_LEN, MAX_SHARED_FILES};
use crate::platform::{Environment, ProfileSource};
use crate::text::Text;

pub use crate::profile::DEFAULT_PROFILE;

/// Asks the user for an MFA code (Go v1 `AssumeRoleTokenProvider`), called on every role refresh
/// that needs one. It may carry state (a closure over statics, or a leaked box on std) and is
/// shared by every copy of the session, so it must be `Sync`.
#[derive(Clone, Copy)]
pub struct TokenProvider(
    pub &'static (dyn Fn(&mut Text<MAX_MFA_TOKEN_LEN>) -> Result<(), TokenError> + Sync),
);

impl TokenProvider {
    /// A provider that calls `f`.
    pub const fn new(
        f: &'static (dyn Fn(&mut Text<MAX_MFA_TOKEN_LEN>) -> Result<(), TokenError> + Sync),
    ) -> Self {
        TokenProvider(f)
    }

    /// Asks for a code; it is written to `out`.
    ///
    /// # Errors
    /// [`TokenError`] when the provider gives none.
    pub fn code(&self, out: &mut Text<MAX_MFA_TOKEN_LEN>) -> Result<(), TokenError> {
        (self.0)(out)
    }
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenProvider")
    }
}

/// A token provider could not produce a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TokenError;

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the MFA token provider returned no code")
    }
}

/// A shared config file named explicitly (Go v1 `Options.SharedConfigFiles`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedFile<'a> {
    /// Path to read.
    pub path: &'a str,
    /// Which syntax it uses.
    pub kind: FileKind,
}

/// Go v1 `session.Options`.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    /// Explicit configuration; every field set here beats env and files.
    pub config: Config,
    /// Profile to use; beats `AWS_PROFILE` and, unlike it, also beats env credentials.
    pub profile: Option<&'a str>,
    /// Whether the shared config file is read.
    pub shared_config_state: SharedConfigState,
    /// Files that replace `[AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE]`, in load order.
    pub shared_config_files: Option<&'a [SharedFile<'a>]>,
    /// Handler lists that replace the defaults ([`add_default_handlers`]) entirely, as Go v1
    /// `Options.Handlers` does: a non-empty set must be complete (with [`SEND`] for any I/O). An
    /// empty set means the defaults. Borrowed, so the options stay small; the session keeps its
    /// own copy.
    ///
    /// [`SEND`]: crate::handlers::SEND
    pub handlers: Option<&'a Handlers>,
    /// Required when the profile has `mfa_serial`.
    pub assume_role_token_provider: Option<TokenProvider>,
    /// Assume-role duration in seconds; `0` means "from the profile, else 15 minutes".
    pub assume_role_duration_secs: u32,
}

/// Where an adapter should look for a shared file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileLocation<'a> {
    /// This exact path (from an option or an environment variable).
    Path(&'a str),
    /// The platform default for the kind (`$HOME/.aws/config`, `$HOME/.aws/credentials`).
    Default,
}

/// One file an adapter must read, in load order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedFile<'a> {
    /// The syntax of the file.
    pub kind: FileKind,
    /// Where it is.
    pub location: FileLocation<'a>,
}

/// The files a session reads, in order.
pub type FilePlan<'a> = heapless::Vec<PlannedFile<'a>, MAX_SHARED_FILES>;

/// Creating a session failed. The error owns what it names (paths, profile names, keys), so
/// `?` carries it past the environment and file text it was read from, into `Box<dyn Error>` or
/// `anyhow`, with no heap in core.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SessionError {
    /// An environment variable is invalid.
    Env(EnvError),
    /// A shared file is invalid, or the profile graph is.
    Shared(SharedError),
    /// Merging failed (a value over its capacity).
    Merge(MergeError),
    /// The credential plan failed (credential source, MFA, web identity, capacity).
    Credentials(PlanError),
    /// More shared files than [`MAX_SHARED_FILES`].
    TooManyFiles {
        /// The limit.
        limit: usize,
    },
    /// A handler list could not take the default handlers.
    Handlers(ListFullError),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Env(e) => write!(f, "failed to load environment config, {e}"),
            SessionError::Shared(e) => write!(f, "failed to load shared config, {e}"),
            SessionError::Merge(e) => write!(f, "{e}"),
            SessionError::Credentials(e) => write!(f, "{e}"),
            SessionError::TooManyFiles { limit } => {
                write!(f, "more than {limit} shared config files")
            }
            SessionError::Handlers(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            SessionError::Env(e) => Some(e),
            SessionError::Shared(e) => Some(e),
            SessionError::Merge(e) => Some(e),
            SessionError::Credentials(e) => Some(e),
            SessionError::Handlers(e) => Some(e),
            SessionError::TooManyFiles { .. } => None,
        }
    }
}

// `?` must carry a creation error anywhere: owned, thread-safe, no borrowed input.
const _: fn() = || {
    fn portable<T: core::error::Error + Send + Sync + 'static>() {}
    portable::<SessionError>();
};

impl From<EnvError> for SessionError {
    fn from(e: EnvError) -> Self {
        SessionError::Env(e)
    }
}

impl From<SharedError> for SessionError {
    fn from(e: SharedError) -> Self {
        SessionError::Shared(e)
    }
}

impl From<MergeError> for SessionError {
    fn from(e: MergeError) -> Self {
        SessionError::Merge(e)
    }
}

impl From<PlanError> for SessionError {
    fn from(e: PlanError) -> Self {
        SessionError::Credentials(e)
    }
}

/// Adds the handlers every session starts with (Go v1 `defaults.Handlers()`, as the session
/// applies them) to `h`:
///
/// | list | handlers |
/// |---|---|
/// | Validate | `core.ValidateEndpointHandler` ([`crate::client::VALIDATE_ENDPOINT`]) |
/// | Build | `core.SDKVersionUserAgentHandler`, `core.AddHostExecEnvUserAgentHander`, `awssession.AppIdUserAgentHandler` ([`crate::user_agent`]) |
/// | Sign | `core.BuildContentLengthHandler` |
/// | Send | `core.SendHandler` ([`SEND`](crate::handlers::SEND): the driver's exchange) |
/// | ValidateResponse | `core.ValidateResponseHandler` |
/// | Retry | `awssession.ClockSkewHandler` ([`crate::skew::CLOCK_SKEW`]) |
/// | AfterRetry | `core.AfterRetryHandler` |
///
/// A client adds its signer (Sign) and error decoder (UnmarshalError) to its copy. Go v1's
/// `core.ValidateParametersHandler` and `core.ValidateReqSigHandler` are not here: there are no
/// generated parameter shapes to check, and Sign runs again before every attempt, so a signature
/// cannot go stale between signing and sending (`docs/divergences.md`, H4 and H5).
///
/// # Errors
/// [`ListFullError`] when a list has no room (never with empty lists).
pub fn add_default_handlers(h: &mut Handlers) -> Result<(), ListFullError> {
    h.validate
        .push_back_named(crate::client::VALIDATE_ENDPOINT)?;
    h.build.push_back_named(crate::user_agent::SDK_VERSION)?;
    h.build.push_back_named(crate::user_agent::EXEC_ENV)?;
    h.build.push_back_named(crate::user_agent::APP_ID)?;
    h.add_core_defaults()?;
    h.retry.push_back_named(crate::skew::CLOCK_SKEW)?;
    Ok(())
}

/// A session: resolved configuration, a credential plan and the handler lists.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    credentials: CredentialPlan,
    shared: Option<SharedRef>,
    handlers: Handlers,
    token_provider: Option<TokenProvider>,
    /// Seconds to add to the device clock when signing, learnt from a clock-skew error answer's
    /// `Date` (`crate::skew`). An atomic: every client of the session reads it, and the clock-skew
    /// handler of any of them may set it.
    clock_offset: AtomicI32,
}

impl Clone for Session {
    fn clone(&self) -> Self {
        let mut copy = Session::unconfigured();
        copy.clone_from(self);
        copy
    }

    /// Part by part, in place: a session is about 10 KiB, too much for whole temporaries on a
    /// small stack.
    fn clone_from(&mut self, source: &Self) {
        self.config.clone_from(&source.config);
        self.credentials.clone_from(&source.credentials);
        self.shared = source.shared;
        self.handlers.clone_from(&source.handlers);
        self.token_provider = source.token_provider;
        self.clock_offset
            .store(source.clock_offset_secs(), Ordering::Relaxed);
    }
}

impl Session {
    /// The shared files to read for `options` in this environment, in load order (Go v1 step 4):
    /// `Options::shared_config_files` if given, else `[AWS_CONFIG_FILE or default,
    /// AWS_SHARED_CREDENTIALS_FILE or default]`, the config file dropped when loading is off.
    ///
    /// # Errors
    /// [`SessionError::Env`] for an invalid environment; [`SessionError::TooManyFiles`].
    pub fn plan_files<'a, E: Environment>(
        options: &Options<'a>,
        env: &'a E,
    ) -> Result<FilePlan<'a>, SessionError> {
        let env_cfg = EnvConfig::load(env, options.shared_config_state)?;
        let mut plan = FilePlan::new();
        let too_many = || SessionError::TooManyFiles {
            limit: MAX_SHARED_FILES,
        };
        if let Some(files) = options.shared_config_files {
            for f in files {
                plan.push(PlannedFile {
                    kind: f.kind,
                    location: FileLocation::Path(f.path),
                })
                .map_err(|_| too_many())?;
            }
            return Ok(plan);
        }
        let at = |v: Option<crate::config::env::EnvValue<&'a str>>| match v {
            Some(v) => FileLocation::Path(v.value),
            None => FileLocation::Default,
        };
        if env_cfg.load_shared_config {
            plan.push(PlannedFile {
                kind: FileKind::Config,
                location: at(env_cfg.config_file),
            })
            .map_err(|_| too_many())?;
        }
        plan.push(PlannedFile {
            kind: FileKind::Credentials,
            location: at(env_cfg.shared_credentials_file),
        })
        .map_err(|_| too_many())?;
        Ok(plan)
    }

    /// Go v1 `NewSessionWithOptions`. Reads the environment, then the files `files` holds (made
    /// from [`Session::plan_files`]), merges everything per field and plans credentials. Nothing
    /// touches the network.
    ///
    /// A session is several kilobytes; on a small stack prefer [`Session::rebuild`], which builds it
    /// in caller-owned memory (for example a `static` cell).
    ///
    /// # Errors
    /// Every Go v1 creation error: invalid env values, an unparsable file (except Go v1's
    /// case), role graph errors, missing MFA token provider, capacity overflow. A missing profile
    /// is **not** an error: the session then has no shared-file credentials.
    pub fn new<'a, E: Environment, P: ProfileSource>(
        options: &Options<'a>,
        env: &'a E,
        files: &'a P,
    ) -> Result<Session, SessionError> {
        let mut session = Session::unconfigured();
        session.fill(options, env, files)?;
        Ok(session)
    }

    /// A session with nothing configured: profile `default`, no region, anonymous credentials,
    /// empty handler lists. Firmware keeps one in a `static` and fills it with
    /// [`Session::rebuild`], so the session never has to fit on a small stack.
    pub fn unconfigured() -> Session {
        Session {
            config: SessionConfig::default(),
            credentials: CredentialPlan::Anonymous,
            shared: None,
            handlers: Handlers::new(),
            token_provider: None,
            clock_offset: AtomicI32::new(0),
        }
    }

    /// [`Session::new`] in place: rebuilds this session from `options`, the environment and the
    /// files. On error the session is reset to [`Session::unconfigured`]: nothing half-built
    /// survives, and any secret it held is wiped.
    ///
    /// # Errors
    /// As [`Session::new`].
    pub fn rebuild<'a, E: Environment, P: ProfileSource>(
        &mut self,
        options: &Options<'a>,
        env: &'a E,
        files: &'a P,
    ) -> Result<(), SessionError> {
        // New settings, new credentials: the old cache belongs to the old plan.
        self.shared = None;
        let result = self.fill(options, env, files);
        if result.is_err() {
            self.reset();
        }
        result
    }

    #[inline(never)] // its temporaries exist only on the error path
    fn reset(&mut self) {
        self.config = SessionConfig::default();
        self.credentials = CredentialPlan::Anonymous;
        self.shared = None;
        self.handlers = Handlers::new();
        self.token_provider = None;
    }

    #[inline(never)] // one frame for creation, however many call sites (64 KiB targets)
    fn fill<'a, E: Environment, P: ProfileSource>(
        &mut self,
        options: &Options<'a>,
        env: &'a E,
        files: &'a P,
    ) -> Result<(), SessionError> {
        let env_cfg = EnvConfig::load(env, options.shared_config_state)?;
        let (profile, profile_source) =
            match (options.profile.filter(|p| !p.is_empty()), env_cfg.profile) {
                (Some(p), _) => (p, Source::Option),
                (None, Some(e)) => (e.value, Source::Env(e.var)),
                (None, None) => (DEFAULT_PROFILE, Source::Default),
            };
        let explicit_profile_option = profile_source == Source::Option;
        let load = env_cfg.load_shared_config;

        let mut shared = SharedConfig::default();
        match shared::load(&mut shared, files, profile, load) {
            Ok(()) => {}
            Err(SharedError::ProfileNotExists { .. }) => shared.chain.clear(),
            // Go v1 (aws-sdk-go#2455): with no profile named anywhere, loading off and
            // credentials already in hand, a broken file is ignored.
            Err(_)
                if profile_source == Source::Default
                    && !load
                    && (env_cfg.credentials.is_some() || options.config.credentials.is_some()) =>
            {
                shared.chain.clear()
            }
            Err(e) => return Err(e.into()),
        }

        let mut paths: heapless::Vec<&'a str, MAX_SHARED_FILES> = heapless::Vec::new();
        for i in 0..files.file_count() {
            let path = match files.file(i) {
                Ok(Some(f)) => f.path,
                _ => "",
            };
            paths.push(path).map_err(|_| SessionError::TooManyFiles {
                limit: MAX_SHARED_FILES,
            })?;
        }
        let input = MergeInput {
            profile: (profile, profile_source),
            explicit_profile_option,
            file_paths: paths,
            has_token_provider: options.assume_role_token_provider.is_some(),
            assume_role_duration_secs: options.assume_role_duration_secs,
        };
        merge::merge_config(
            &mut self.config,
            &options.config,
            &env_cfg,
            env,
            &shared,
            &input,
        )?;
        plan::plan_credentials(
            &mut self.credentials,
            &options.config,
            &env_cfg,
            &shared,
            &input,
        )?;
        match options.handlers {
            // Go v1: a non-empty set replaces the defaults entirely; an empty one means them.
            Some(h) if !h.is_empty() => self.handlers.clone_from(h),
            _ => {
                self.handlers.clear();
                add_default_handlers(&mut self.handlers).map_err(SessionError::Handlers)?;
            }
        }
        self.token_provider = options.assume_role_token_provider;
        debug!("session created");
        Ok(())
    }

    /// The resolved configuration, with a source for every value.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// How credentials are obtained.
    pub fn credentials(&self) -> &CredentialPlan {
        &self.credentials
    }

    /// Gives the session the cache its credentials are kept in (Go v1 `Session.Config.Credentials`):
    /// needed when the plan calls a provider ([`CredentialPlan::needs_provider`]). Copies made
    /// with [`Session::copy_with`] share it, as Go v1's `Copy` shares `Credentials`. The std
    /// adapter's `load` does this for you; on a device, give it a `static` cache.
    pub fn share_credentials(&mut self, cache: &'static dyn SharedCredentials) {
        self.shared = Some(SharedRef(cache));
    }

    /// Seconds added to the device clock when a client of this session signs (0 until a
    /// clock-skew error answer corrected it; see `crate::skew`). Copies start from the value of
    /// the session they were made from.
    pub fn clock_offset_secs(&self) -> i32 {
        self.clock_offset.load(Ordering::Relaxed)
    }

    /// Sets the offset of [`Session::clock_offset_secs`] (an application that knows the true
    /// time, from SNTP for example, may set it; the clock-skew handler does).
    pub fn set_clock_offset_secs(&self, offset: i32) {
        self.clock_offset.store(offset, Ordering::Relaxed);
    }

    /// The cache given with [`Session::share_credentials`].
    pub fn shared_credentials(&self) -> Option<&'static dyn SharedCredentials> {
        self.shared.map(|s| s.0)
    }

    /// The session's handler lists. Clients copy them when they are made.
    pub fn handlers(&self) -> &Handlers {
        &self.handlers
    }

    /// The session's handler lists, to change before clients are made (Go v1
    /// `sess.Handlers.Validate.Remove(...)`): every client made afterwards starts from them. A
    /// client borrows its session, so none can exist while they change.
    pub fn handlers_mut(&mut self) -> &mut Handlers {
        &mut self.handlers
    }

    /// The MFA token provider given at creation.
    pub fn token_provider(&self) -> Option<TokenProvider> {
        self.token_provider
    }

    /// Go v1 `Session.Copy(&aws.Config{...})`: a new session with `overrides` merged in (each set
    /// field wins, sourced [`Source::Option`]) and its own copy of the handler lists. Env and
    /// files are not read again; the credential plan is shared unless `overrides` sets
    /// credentials.
    #[inline(never)] // one frame for the clone, wherever it is called (64 KiB targets)
    pub fn copy_with(&self, overrides: &Config) -> Session {
        let mut copy = Session::unconfigured();
        copy.clone_from(self);
        copy.apply(overrides);
        copy
    }

    /// Like [`Session::copy_with`], with `handlers` replacing the copied lists.
    pub fn copy_with_handlers(&self, overrides: &Config, handlers: &Handlers) -> Session {
        let mut copy = self.copy_with(overrides);
        copy.handlers.clone_from(handlers);
        copy
    }

    /// Merges `overrides` into this session in place (the body of `Copy`).
    #[inline(never)] // its temporaries stay out of the callers' frames (64 KiB targets)
    pub(crate) fn apply(&mut self, overrides: &Config) {
        apply_overrides(&mut self.config, overrides);
        if let Some(explicit) = &overrides.credentials {
            // New credentials: the copy no longer shares the cache of the old ones.
            self.credentials.set_explicit(explicit);
            self.shared = None;
        }
    }
}

/// Applies every field `o` sets onto a resolved configuration, sourced as an option; an endpoint
/// option also drops the per-service endpoint overrides, as it does at creation.
fn apply_overrides(c: &mut SessionConfig, o: &Config) {
    apply_settings(c, o);
    if o.endpoint.is_some() {
        c.service_endpoints.clear();
    }
}

#[cfg(any(test, feature = "selftest"))]
#[path = "session_tests.rs"]
pub mod selftests;
