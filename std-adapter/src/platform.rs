//! [`StdPlatform`]: the std adapter's parts in the one value `Client::send` takes.
//!
//! ```no_run
//! use aws_session_core::session::Options;
//! use aws_session_std::{load, StdPlatform};
//!
//! # fn main() -> Result<(), Box<dyn core::error::Error>> {
//! let loaded = load(&Options::default())?;
//! let client = loaded.session().client("sts")?;
//! let mut request = client.form_request("GetCallerIdentity", "Action=GetCallerIdentity&Version=2011-06-15")?;
//! client.send(&mut request, &mut StdPlatform::new(loaded.session())?)?;
//! println!("{}", request.response.status());
//! # Ok(())
//! # }
//! ```
//!
//! The bundle is named `StdPlatform` because [`crate::Platform`] already names the path
//! conventions (Unix or Windows) of the shared files.

use aws_session_core::platform::Platform;
use aws_session_core::session::Session;

use crate::transport::{HttpsConfig, HttpsTransport, TlsFileError};
use crate::{StdEntropy, SystemClock, ThreadSleep};

/// The HTTPS transport, the system clock, thread sleep and OS-seeded entropy.
#[derive(Debug)]
pub struct StdPlatform {
    /// Sends the exchanges (its response headers stay readable after a request).
    pub transport: HttpsTransport,
    /// The wall clock.
    pub clock: SystemClock,
    /// Retry back-off.
    pub sleep: ThreadSleep,
    /// Retry jitter.
    pub entropy: StdEntropy,
}

impl StdPlatform {
    /// A platform for `session`: HTTPS trusting the session's CA bundle (`AWS_CA_BUNDLE`,
    /// `ca_bundle`) when it names one, else the built-in roots.
    ///
    /// # Errors
    /// [`TlsFileError`] when the CA bundle cannot be read or holds no certificate.
    pub fn new(session: &Session) -> Result<StdPlatform, TlsFileError> {
        StdPlatform::with_config(&HttpsConfig::for_session(session))
    }

    /// A platform whose transport uses `config`.
    ///
    /// # Errors
    /// As [`StdPlatform::new`].
    pub fn with_config(config: &HttpsConfig) -> Result<StdPlatform, TlsFileError> {
        Ok(StdPlatform {
            transport: HttpsTransport::new(config)?,
            clock: SystemClock,
            sleep: ThreadSleep,
            entropy: StdEntropy::new(),
        })
    }
}

impl Platform for StdPlatform {
    type Transport = HttpsTransport;
    type Clock = SystemClock;
    type Sleep = ThreadSleep;
    type Entropy = StdEntropy;
    fn parts(
        &mut self,
    ) -> (
        &mut HttpsTransport,
        &SystemClock,
        &mut ThreadSleep,
        &mut StdEntropy,
    ) {
        (
            &mut self.transport,
            &self.clock,
            &mut self.sleep,
            &mut self.entropy,
        )
    }
}
