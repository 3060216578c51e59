//! [`StdEnv`]: a snapshot of the process environment.
//!
//! Go v1 reads each variable with `os.Getenv` when the session is created. We take one snapshot
//! instead, so a session sees a consistent environment even if another thread changes it, and so
//! the values can be borrowed for as long as the session's configuration is being built.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;

use aws_session_core::platform::{Environment, Error as PlatformError, ErrorKind};

/// A variable could not be read from a [`StdEnv`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StdEnvError {
    /// The variable is set, but its value is not valid UTF-8 (kind [`ErrorKind::InvalidData`]).
    NotUnicode,
}

impl fmt::Display for StdEnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StdEnvError::NotUnicode => f.write_str("the value is not valid UTF-8"),
        }
    }
}

impl core::error::Error for StdEnvError {}

impl PlatformError for StdEnvError {
    fn kind(&self) -> ErrorKind {
        match self {
            StdEnvError::NotUnicode => ErrorKind::InvalidData,
        }
    }
}

/// A value as captured: text, or a marker for a value that was not UTF-8.
#[derive(Clone, PartialEq, Eq)]
enum Value {
    Text(String),
    NotUnicode,
}

/// A snapshot of environment variables, implementing core's [`Environment`].
///
/// * Names that are not UTF-8 are dropped (no `&str` name could ask for them).
/// * A value that is not UTF-8 is kept as an error: reading it returns
///   [`StdEnvError::NotUnicode`], and the session reports the variable by name.
/// * On Windows, where variable names are case-insensitive, names are compared ignoring ASCII
///   case, as `os.Getenv` does there.
///
/// `Debug` prints variable names only: values may be secrets.
#[derive(Clone, Default)]
pub struct StdEnv {
    vars: BTreeMap<String, Value>,
}

impl StdEnv {
    /// Captures the current process environment.
    pub fn capture() -> Self {
        Self::from_os_vars(std::env::vars_os())
    }

    /// An environment with exactly these variables (for tests and for embedding applications that
    /// keep their own configuration). A later pair with the same name replaces an earlier one.
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut env = StdEnv::default();
        for (k, v) in vars {
            env.vars
                .insert(normalize_name(k.into()), Value::Text(v.into()));
        }
        env
    }

    /// An environment from raw OS strings, as [`std::env::vars_os`] yields them.
    pub fn from_os_vars<I: IntoIterator<Item = (OsString, OsString)>>(vars: I) -> Self {
        let mut env = StdEnv::default();
        for (k, v) in vars {
            let Ok(name) = k.into_string() else { continue };
            let value = match v.into_string() {
                Ok(s) => Value::Text(s),
                Err(_) => Value::NotUnicode,
            };
            env.vars.insert(normalize_name(name), value);
        }
        env
    }

    /// Sets (or replaces) one variable in the snapshot.
    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.insert(
            normalize_name(name.to_owned()),
            Value::Text(value.to_owned()),
        );
    }

    /// Removes one variable from the snapshot.
    pub fn remove(&mut self, name: &str) {
        self.vars.remove(&normalize_name(name.to_owned()));
    }

    /// How many variables the snapshot holds.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// Whether the snapshot holds no variables.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }
}

/// Windows compares variable names without regard to ASCII case; other platforms compare exactly.
fn normalize_name(name: String) -> String {
    if cfg!(windows) {
        name.to_ascii_uppercase()
    } else {
        name
    }
}

impl Environment for StdEnv {
    type Error = StdEnvError;

    fn var(&self, name: &str) -> Result<Option<&str>, StdEnvError> {
        let found = if cfg!(windows) {
            self.vars.get(&name.to_ascii_uppercase())
        } else {
            self.vars.get(name)
        };
        match found {
            None => Ok(None),
            Some(Value::Text(s)) => Ok(Some(s)),
            Some(Value::NotUnicode) => Err(StdEnvError::NotUnicode),
        }
    }

    fn for_each_with_prefix(&self, prefix: &str, visit: &mut dyn FnMut(&str, &str)) {
        let prefix = normalize_name(prefix.to_owned());
        for (name, value) in self.vars.range(prefix.clone()..) {
            if !name.starts_with(&prefix) {
                break;
            }
            if let Value::Text(v) = value {
                visit(name, v);
            }
        }
    }
}

impl fmt::Debug for StdEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StdEnv")
            .field("names", &self.vars.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_set_and_unset_variables() {
        let env = StdEnv::from_vars([("AWS_REGION", "eu-west-1"), ("EMPTY", "")]);
        assert_eq!(env.var("AWS_REGION"), Ok(Some("eu-west-1")));
        assert_eq!(env.var("EMPTY"), Ok(Some("")));
        assert_eq!(env.var("MISSING"), Ok(None));
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_value_is_invalid_data() {
        use std::os::unix::ffi::OsStringExt;
        let env = StdEnv::from_os_vars([
            (
                OsString::from("AWS_REGION"),
                OsString::from_vec(vec![0x66, 0xff, 0x6f]),
            ),
            (OsString::from_vec(vec![0xfe]), OsString::from("dropped")),
        ]);
        let err = env.var("AWS_REGION").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData);
        assert_eq!(env.len(), 1);
    }

    #[test]
    fn prefix_visits_only_matching_names_in_order() {
        let env = StdEnv::from_vars([
            ("AWS_ENDPOINT_URL_S3", "http://s3"),
            ("AWS_ENDPOINT_URL", "http://all"),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://ddb"),
            ("AWS_ENDPOINT_URM", "x"),
            ("A", "y"),
        ]);
        let mut seen = Vec::new();
        env.for_each_with_prefix("AWS_ENDPOINT_URL_", &mut |n, v| {
            seen.push((n.to_owned(), v.to_owned()))
        });
        assert_eq!(
            seen,
            [
                ("AWS_ENDPOINT_URL_DYNAMODB".into(), "http://ddb".into()),
                ("AWS_ENDPOINT_URL_S3".into(), "http://s3".into())
            ]
        );
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = StdEnv::from_vars([("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG")]);
        let dbg = format!("{env:?}");
        assert!(dbg.contains("AWS_SECRET_ACCESS_KEY"));
        assert!(!dbg.contains("wJalr"));
    }

    #[test]
    fn capture_sees_the_process_environment() {
        // PATH (or Path on Windows) is set in every test runner.
        let env = StdEnv::capture();
        assert!(
            env.var("PATH").ok().flatten().is_some() || env.var("Path").ok().flatten().is_some()
        );
    }
}
