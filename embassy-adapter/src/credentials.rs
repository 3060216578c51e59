//! The device's credential cache: core's [`CacheSlot`] behind an embassy-sync critical-section
//! mutex, in a `static`, and what the providers may ask of the device ([`DeviceCredentials`] is
//! also the host: a web identity token held in RAM, typically read from the flash store at boot).
//!
//! ```ignore
//! static CREDENTIALS: DeviceCredentials = DeviceCredentials::new();
//!
//! session.share_credentials(&CREDENTIALS);            // a role_arn profile: AssumeRole on the device
//! CREDENTIALS.set_web_identity_token(token);          // a web-identity profile: the token from flash
//! client.send_async(&mut request, &mut platform).await?; // refreshed over `platform` when needed
//! ```
//!
//! The refresh runs over the transport of the request that needs it, so that transport must reach
//! STS: the client is STS itself, the session's `endpoint_url` serves every service (a local
//! test server), or the application refreshes first with [`Session::retrieve_credentials`] over a
//! connection to STS (see `aws_session_core::fetch`).
//!
//! [`Session::retrieve_credentials`]: aws_session_core::session::Session

use core::cell::{Cell, RefCell};

use aws_session_core::credentials::cache::{
    CacheSlot, CredentialsHost, HostError, SharedCredentials,
};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;

/// A credential cache for a `static`, shared by a session, its copies and every task.
pub struct DeviceCredentials {
    slot: Mutex<CriticalSectionRawMutex, RefCell<CacheSlot>>,
    token: Mutex<CriticalSectionRawMutex, Cell<Option<&'static str>>>,
}

impl core::fmt::Debug for DeviceCredentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("DeviceCredentials")
    }
}

impl Default for DeviceCredentials {
    fn default() -> Self {
        DeviceCredentials::new()
    }
}

impl DeviceCredentials {
    /// An empty cache with no web identity token.
    pub const fn new() -> Self {
        DeviceCredentials {
            slot: Mutex::new(RefCell::new(CacheSlot::new())),
            token: Mutex::new(Cell::new(None)),
        }
    }

    /// The OIDC token `AssumeRoleWithWebIdentity` sends (a device has no token file: the profile's
    /// `web_identity_token_file` names the token, this gives its text). Replace it when it is
    /// rotated; every refresh reads the current one.
    pub fn set_web_identity_token(&self, token: &'static str) {
        self.token.lock(|t| t.set(Some(token)));
    }
}

impl SharedCredentials for DeviceCredentials {
    fn with_slot(&self, f: &mut dyn FnMut(&mut CacheSlot)) {
        self.slot.lock(|slot| {
            if let Ok(mut slot) = slot.try_borrow_mut() {
                f(&mut slot);
            }
        });
    }

    fn host(&self) -> &dyn CredentialsHost {
        self
    }
}

impl CredentialsHost for DeviceCredentials {
    fn read_file(&self, _path: &str, buf: &mut [u8]) -> Result<usize, HostError> {
        let token = self.token.lock(Cell::get).ok_or(HostError::NotFound)?;
        let limit = buf.len();
        let dst = buf
            .get_mut(..token.len())
            .ok_or(HostError::TooLarge { limit })?;
        dst.copy_from_slice(token.as_bytes());
        Ok(token.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_session_core::platform::Bundle;
    use aws_session_core::test_util::{
        session_with_config, FakeClock, FakeEntropy, FakeTransport, Reply,
    };

    use crate::platform::TimerSleep;

    const ASSUMED: &[u8] =
        b"<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>\
        <AccessKeyId>ASIADEVICE000001</AccessKeyId><SecretAccessKey>devsecret</SecretAccessKey>\
        <SessionToken>devtoken</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>\
        </Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";

    static CREDENTIALS: DeviceCredentials = DeviceCredentials::new();

    #[test]
    fn a_web_identity_profile_refreshes_on_the_device_and_then_hits_the_cache() {
        let profile = "[default]\nrole_arn = arn:aws:iam::123456789012:role/device\nweb_identity_token_file = flash:token\n";
        let mut session = session_with_config(&[("AWS_REGION", "us-east-1")], profile).unwrap();
        assert!(session.credentials().needs_provider());
        CREDENTIALS.set_web_identity_token("eyJ.device.token");
        session.share_credentials(&CREDENTIALS);
        let script = [
            Reply::with_body(200, ASSUMED),
            Reply::with_body(200, b"<GetCallerIdentityResponse/>"),
            Reply::with_body(200, b"<GetCallerIdentityResponse/>"),
        ];
        let mut platform = Bundle {
            transport: FakeTransport::new(&script),
            clock: FakeClock::at(1_800_000_000),
            sleep: TimerSleep,
            entropy: FakeEntropy::new(1),
        };
        let client = session.client("sts").unwrap();
        for _ in 0..2 {
            let mut request = client
                .form_request("GetCallerIdentity", "Action=GetCallerIdentity")
                .unwrap();
            embassy_futures::block_on(client.send_async(&mut request, &mut platform)).unwrap();
        }
        assert_eq!(
            platform.transport.exchanges(),
            3,
            "one STS call, then the cache"
        );
        let mut expires = None;
        CREDENTIALS.with_slot(&mut |slot| expires = slot.expires());
        assert_eq!(expires.map(|t| t.secs()), Some(1_893_456_000));
    }
}
