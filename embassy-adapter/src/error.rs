//! [`Error`]: one error for an application that goes from flash to a signed request, so that
//! firmware can use `?` on every step (the store, the session, the client, the connection, the
//! request) without an error type of its own.

use core::fmt;

use aws_session_core::client::ClientError;
use aws_session_core::credentials::error::FetchError;
use aws_session_core::endpoint::EndpointError;
use aws_session_core::handlers::RequestError;
use aws_session_core::ops::RawError;
use aws_session_core::session::SessionError;

use crate::http::HttpError;
use crate::store::{ImportError, LoadError, ReadError, StoreError};

/// Which step of the device flow failed, with that step's error.
// The session's error owns the file line and key it names (no heap to box into); the other
// steps' errors are a few words.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The flash store failed.
    Store(StoreError),
    /// Importing profiles into flash failed (call `ProfileStore::import` directly for the
    /// profile and line).
    Import,
    /// Loading the profile from flash failed.
    Load(LoadError),
    /// The session could not be created from the profile; the error names the key and line.
    Session(SessionError),
    /// The client could not be made.
    Client(ClientError),
    /// The client has no endpoint (no region, or an invalid endpoint override).
    Endpoint(EndpointError),
    /// Connecting or TLS failed.
    Http(HttpError),
    /// The request could not be built, or failed.
    Request(RequestError),
    /// An operation's request could not be made from its parameters (one too long or invalid,
    /// named).
    Operation(RawError),
    /// A credential provider (STS, the AWS IoT credentials provider, …) failed.
    Credentials(FetchError),
    /// The device identity in flash is unusable (a corrupt record, or a key that is not P-256).
    Identity,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Store(e) => write!(f, "profile store: {e}"),
            Error::Import => f.write_str("importing the provisioned profiles failed"),
            Error::Load(e) => write!(f, "loading the profile: {e}"),
            Error::Session(e) => write!(f, "{e}"),
            Error::Client(e) => write!(f, "{e}"),
            Error::Endpoint(e) => write!(f, "{e}"),
            Error::Http(e) => write!(f, "connecting: {e}"),
            Error::Request(e) => write!(f, "request: {e}"),
            Error::Operation(e) => write!(f, "building the request: {e}"),
            Error::Credentials(e) => write!(f, "credentials: {e}"),
            Error::Identity => f.write_str("the device identity in flash is unusable"),
        }
    }
}

impl core::error::Error for Error {}

/// `From` impls for each step's error.
macro_rules! from {
    ($($variant:ident($ty:ty)),* $(,)?) => {$(
        impl From<$ty> for Error {
            fn from(e: $ty) -> Self {
                Error::$variant(e)
            }
        }
    )*};
}

from!(
    Store(StoreError),
    Load(LoadError),
    Session(SessionError),
    Client(ClientError),
    Endpoint(EndpointError),
    Http(HttpError),
    Request(RequestError),
    Operation(RawError),
    Credentials(FetchError),
);

impl From<ReadError> for Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Store(e) => Error::Store(e),
            ReadError::Corrupt => Error::Identity,
        }
    }
}

#[cfg(feature = "tls")]
impl From<crate::tls::KeyError> for Error {
    fn from(_: crate::tls::KeyError) -> Self {
        Error::Identity
    }
}

impl From<ImportError<'_>> for Error {
    fn from(_: ImportError<'_>) -> Self {
        Error::Import
    }
}

impl From<aws_session_core::http::HttpError> for Error {
    fn from(e: aws_session_core::http::HttpError) -> Self {
        Error::Request(e.into())
    }
}
