//! The environment layer: Go v1 `loadEnvConfig` / `loadSharedEnvConfig`.
//!
//! Every variable follows Go's `setFromEnvVal`: an empty value counts as unset, and for a list of
//! names the first non-empty one wins. Values are borrowed from the [`Environment`]; the merge
//! stage copies what it keeps into fixed-capacity text.

use core::fmt;

use super::model::SharedConfigState;
use super::settings::{EnvSettings, Key};
use crate::platform::{Environment, Error as _, ErrorKind};

/// Prefix of the per-service endpoint variables (`AWS_ENDPOINT_URL_DYNAMODB`).
pub const SERVICE_ENDPOINT_PREFIX: &str = "AWS_ENDPOINT_URL_";

/// A value read from the environment, with the variable that supplied it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvValue<T> {
    /// The value.
    pub value: T,
    /// The variable it came from.
    pub var: &'static str,
}

impl<T> EnvValue<T> {
    fn new(value: T, var: &'static str) -> Self {
        EnvValue { value, var }
    }
}

/// Access keys from the environment (only ever both halves).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EnvCredentials<'e> {
    /// Access key id and its variable.
    pub access_key_id: EnvValue<&'e str>,
    /// Secret and its variable.
    pub secret_access_key: EnvValue<&'e str>,
    /// Session token, when set.
    pub session_token: Option<EnvValue<&'e str>>,
}

impl fmt::Debug for EnvCredentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvCredentials")
            .field("access_key_id", &self.access_key_id.var)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// Everything the session reads from the environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvConfig<'e> {
    /// Whether shared config is loaded (after [`SharedConfigState`] is applied).
    pub load_shared_config: bool,
    /// The settings of the table ([`EnvSettings`]): region, endpoint, switches….
    pub settings: EnvSettings<'e>,
    /// Access keys, when both halves are set.
    pub credentials: Option<EnvCredentials<'e>>,
    /// `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE` (the latter only when loading was asked for).
    pub profile: Option<EnvValue<&'e str>>,
    /// `AWS_CONFIG_FILE`.
    pub config_file: Option<EnvValue<&'e str>>,
    /// `AWS_SHARED_CREDENTIALS_FILE`.
    pub shared_credentials_file: Option<EnvValue<&'e str>>,
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (`true`/`false`, any case).
    pub ignore_configured_endpoint_urls: bool,
    /// `AWS_WEB_IDENTITY_TOKEN_FILE`.
    pub web_identity_token_file: Option<EnvValue<&'e str>>,
    /// `AWS_ROLE_ARN`.
    pub role_arn: Option<EnvValue<&'e str>>,
    /// `AWS_ROLE_SESSION_NAME`.
    pub role_session_name: Option<EnvValue<&'e str>>,
}

/// Reading the environment failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EnvError {
    /// A variable has a value outside its accepted set.
    InvalidValue {
        /// The variable.
        var: &'static str,
        /// The accepted values, for the message.
        accepted: &'static str,
    },
    /// The platform could not read a variable (for example it is not UTF-8).
    Unreadable {
        /// The variable.
        var: &'static str,
        /// What the platform said.
        kind: ErrorKind,
    },
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvError::InvalidValue { var, accepted } => {
                write!(
                    f,
                    "invalid value for environment variable {var}, need {accepted}"
                )
            }
            EnvError::Unreadable { var, kind } => {
                write!(f, "cannot read environment variable {var}: {kind}")
            }
        }
    }
}

impl core::error::Error for EnvError {}

/// Go's `strconv.ParseBool` truthy set, as `AWS_SDK_LOAD_CONFIG` uses it: exactly
/// `1 t T TRUE true True`. Everything else (including `yes`, `on`, invalid text) is false.
pub fn parse_go_bool_true(s: &str) -> bool {
    matches!(s, "1" | "t" | "T" | "TRUE" | "true" | "True")
}

/// `true` / `false` in any ASCII case (Go v1's strict flags such as `AWS_USE_FIPS_ENDPOINT`).
pub fn parse_strict_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A non-empty variable, or `None`.
fn get<'e, E: Environment + ?Sized>(
    env: &'e E,
    var: &'static str,
) -> Result<Option<EnvValue<&'e str>>, EnvError> {
    match env.var(var) {
        Ok(Some(v)) if !v.is_empty() => Ok(Some(EnvValue::new(v, var))),
        Ok(_) => Ok(None),
        Err(e) => Err(EnvError::Unreadable {
            var,
            kind: e.kind(),
        }),
    }
}

/// The first non-empty variable of `vars`.
pub(crate) fn first<'e, E: Environment + ?Sized>(
    env: &'e E,
    vars: &[&'static str],
) -> Result<Option<EnvValue<&'e str>>, EnvError> {
    for var in vars {
        if let Some(v) = get(env, var)? {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

fn strict<E: Environment + ?Sized, T: Copy>(
    env: &E,
    var: &'static str,
    accepted: &'static str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<EnvValue<T>>, EnvError> {
    match get(env, var)? {
        None => Ok(None),
        Some(v) => match parse(v.value) {
            Some(t) => Ok(Some(EnvValue::new(t, var))),
            None => Err(EnvError::InvalidValue { var, accepted }),
        },
    }
}

impl<'e> EnvConfig<'e> {
    /// Reads the environment as Go v1 `NewSessionWithOptions` does (its step 1 and 2): with
    /// [`SharedConfigState::Enable`] as `loadSharedEnvConfig`, otherwise as `loadEnvConfig`, then
    /// the state overrides whether shared config is loaded.
    ///
    /// # Errors
    /// [`EnvError::InvalidValue`] for a strict variable with a value outside its set;
    /// [`EnvError::Unreadable`] when the platform cannot read one.
    pub fn load<E: Environment>(env: &'e E, state: SharedConfigState) -> Result<Self, EnvError> {
        let sdk_load =
            get(env, "AWS_SDK_LOAD_CONFIG")?.is_some_and(|v| parse_go_bool_true(v.value));
        // Go reads the "load only" variables when either the option or the env asked for loading,
        // even if the option later turns loading off.
        let read_load_vars = sdk_load || state == SharedConfigState::Enable;
        let load_shared_config = match state {
            SharedConfigState::FromEnv => sdk_load,
            SharedConfigState::Disable => false,
            SharedConfigState::Enable => true,
        };

        let var = |key: Key| key.info().env;
        let credentials = match (
            first(env, var(Key::AccessKeyId))?,
            first(env, var(Key::SecretAccessKey))?,
        ) {
            (Some(access_key_id), Some(secret_access_key)) => Some(EnvCredentials {
                access_key_id,
                secret_access_key,
                session_token: first(env, var(Key::SessionToken))?,
            }),
            _ => None,
        };
        let profile = if read_load_vars {
            first(env, &["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])?
        } else {
            get(env, "AWS_PROFILE")?
        };
        let config_file = get(env, "AWS_CONFIG_FILE")?;
        let shared_credentials_file = get(env, "AWS_SHARED_CREDENTIALS_FILE")?;
        let settings = EnvSettings::load(env, read_load_vars)?;

        Ok(EnvConfig {
            load_shared_config,
            settings,
            credentials,
            profile,
            config_file,
            shared_credentials_file,
            ignore_configured_endpoint_urls: strict(
                env,
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                "true, false",
                parse_strict_bool,
            )?
            .is_some_and(|v| v.value),
            web_identity_token_file: first(env, var(Key::WebIdentityTokenFile))?,
            role_arn: first(env, var(Key::RoleArn))?,
            role_session_name: first(env, var(Key::RoleSessionName))?,
        })
    }
}
