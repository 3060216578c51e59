//! Credential values: an access key pair with its optional session token and expiry.
//!
//! A plain value type at the bottom of the crate, beside the [`secret`](crate::secret) types it
//! holds, so that explicit keys in [`config`](crate::config) and credential plans in
//! [`credentials`](crate::credentials) (which re-exports it) can both carry it.

use core::fmt;

use crate::limits::MAX_ACCESS_KEY_ID_LEN;
use crate::secret::{SecretKey, SessionToken};
use crate::text::{text, CapacityError, Field, Text};
use crate::time::UnixTime;

/// An access key pair with an optional session token and expiry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Access key id (not secret; shown masked by tools).
    pub access_key_id: Text<MAX_ACCESS_KEY_ID_LEN>,
    /// Secret access key.
    pub secret_access_key: SecretKey,
    /// Session token for temporary credentials.
    pub session_token: Option<SessionToken>,
    /// When temporary credentials stop working.
    pub expires: Option<UnixTime>,
}

impl Credentials {
    /// No keys, no token: what credentials are filled from in place.
    pub const EMPTY: Credentials = Credentials {
        access_key_id: Text::new(),
        secret_access_key: SecretKey::empty(),
        session_token: None,
        expires: None,
    };

    /// Long-term keys from text.
    ///
    /// # Errors
    /// [`CapacityError`] when a value is longer than its limit.
    pub fn new(
        access_key_id: &str,
        secret: &str,
        token: Option<&str>,
    ) -> Result<Self, CapacityError> {
        Ok(Credentials {
            access_key_id: text(access_key_id, Field::AccessKeyId)?,
            secret_access_key: SecretKey::new(secret, Field::SecretAccessKey)?,
            session_token: match token {
                Some(t) => Some(SessionToken::new(t, Field::SessionToken)?),
                None => None,
            },
            expires: None,
        })
    }

    /// Empties the credentials in place: the secret key and the session token are wiped (no
    /// temporary [`Credentials`] is built, so this is cheap on a small stack).
    pub fn clear(&mut self) {
        self.access_key_id.clear();
        let _ = self.secret_access_key.set("", Field::SecretAccessKey);
        self.session_token = None;
        self.expires = None;
    }

    /// Go v1 `Value.HasKeys`: both the access key id and the secret are non-empty.
    pub fn has_keys(&self) -> bool {
        !self.access_key_id.is_empty() && !self.secret_access_key.is_empty()
    }

    /// The access key id masked to its last four characters (`****************MPLE`).
    pub fn masked_access_key_id(&self) -> MaskedKey<'_> {
        MaskedKey(&self.access_key_id)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field(
                "access_key_id",
                &format_args!("{}", self.masked_access_key_id()),
            )
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expires", &self.expires)
            .finish()
    }
}

/// An access key id shown as `*` except for its last four characters.
#[derive(Debug, Clone, Copy)]
pub struct MaskedKey<'a>(&'a str);

impl fmt::Display for MaskedKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.chars().count();
        let keep = n.min(4);
        for _ in 0..n - keep {
            f.write_str("*")?;
        }
        for c in self.0.chars().skip(n - keep) {
            fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

/// A credentials provider of the caller's own (Go v1 `credentials.Provider` given as
/// `Config.Credentials`): asked for credentials whenever the cache needs them, like the built-in
/// providers. It may block (on std) and must not call back into the session.
pub trait Provider: Sync {
    /// Fills `out` with credentials valid at `now` (set `out.expires` when they expire).
    ///
    /// # Errors
    /// A short reason, reported with the provider's name.
    fn retrieve(&self, now: UnixTime, out: &mut Credentials) -> Result<(), &'static str>;

    /// The name reported as the credentials' provider.
    fn name(&self) -> &'static str {
        "CustomProvider"
    }

    /// Seconds before expiry to refresh (Go v1 `ExpiryWindow`).
    fn expiry_window_secs(&self) -> u32 {
        0
    }
}

/// A caller's provider, compared by address (so plans and configs stay comparable).
#[derive(Clone, Copy)]
pub struct ProviderRef(pub &'static dyn Provider);

impl PartialEq for ProviderRef {
    fn eq(&self, other: &Self) -> bool {
        core::ptr::addr_eq(
            self.0 as *const dyn Provider,
            other.0 as *const dyn Provider,
        )
    }
}

impl Eq for ProviderRef {}

impl fmt::Debug for ProviderRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Provider({})", self.0.name())
    }
}
