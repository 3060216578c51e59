//! Device identities in the profile store: the certificate AWS IoT registered for the device and
//! its ECDSA P-256 private key, stored under a profile's name beside the profile (a separate item:
//! a profile's record stays small and text-only).
//!
//! # Record format (version 1)
//!
//! `1` (the format version), the certificate's length (`u16`, little-endian), the certificate
//! (DER), then the 32-byte private scalar (big-endian). An empty record is a deleted identity.
//! Writes have the power-loss guarantee of profiles: the previous version survives a cut.
//!
//! The key is in flash in plain text, as a profile's secret access key is: protect the flash with
//! the part's read-out protection, or keep the key in a secure element (a
//! [`DeviceKey`](crate::tls::DeviceKey) of your own) and store only the certificate's profile
//! settings here.

use core::fmt;

use embedded_storage_async::nor_flash::NorFlash;

use super::key::StoreKey;
use super::{profile_key, ProfileStore, ReadError, RecordBuffer, StoreError, BUFFER_LEN};
use crate::limits::MAX_DEVICE_CERTIFICATE_LEN;

/// The identity record format version this crate writes and reads.
pub const IDENTITY_FORMAT_VERSION: u8 = 1;

/// Length of a P-256 private scalar.
const KEY_LEN: usize = 32;

/// A stored device identity, borrowing the store's record buffer (wiped by the store's next
/// operation, [`ProfileStore::scrub`], or its drop). `Debug` shows no key.
pub struct StoredIdentity<'a> {
    /// The device certificate, DER.
    pub certificate: &'a [u8],
    key: &'a [u8; KEY_LEN],
}

impl fmt::Debug for StoredIdentity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredIdentity")
            .field("certificate", &self.certificate.len())
            .field("key", &"<secret>")
            .finish()
    }
}

impl StoredIdentity<'_> {
    /// The private scalar: hand it to [`P256Key::from_bytes`](crate::tls::P256Key::from_bytes)
    /// and do not copy it elsewhere.
    pub fn expose_key(&self) -> &[u8; KEY_LEN] {
        self.key
    }

    /// The key for [`ClientIdentity`](crate::tls::ClientIdentity).
    ///
    /// # Errors
    /// [`KeyError`](crate::tls::KeyError) for a scalar that is not a P-256 key.
    #[cfg(feature = "tls")]
    pub fn key(&self) -> Result<crate::tls::P256Key, crate::tls::KeyError> {
        crate::tls::P256Key::from_bytes(self.key)
    }
}

/// Decodes an identity record.
fn decode(record: &[u8]) -> Option<StoredIdentity<'_>> {
    let (&version, rest) = record.split_first()?;
    if version != IDENTITY_FORMAT_VERSION {
        return None;
    }
    let (len, rest) = rest.split_first_chunk::<2>()?;
    let len = usize::from(u16::from_le_bytes(*len));
    let (certificate, key) = rest.split_at_checked(len)?;
    let key: &[u8; KEY_LEN] = key.try_into().ok()?;
    (!certificate.is_empty()).then_some(StoredIdentity { certificate, key })
}

/// The key of profile `name`'s identity.
fn identity_key(name: &str) -> Result<StoreKey, StoreError> {
    match profile_key(name)? {
        StoreKey::Profile(profile) => Ok(StoreKey::Identity(profile)),
        _ => Err(StoreError::InvalidName),
    }
}

impl<F: NorFlash> ProfileStore<F> {
    /// Stores the device identity of profile `name` (its certificate, DER, and P-256 private
    /// scalar), replacing an earlier one. The profile itself need not exist yet.
    ///
    /// # Errors
    /// [`StoreError::InvalidName`]; [`StoreError::IdentityTooBig`] for an empty certificate or
    /// one over [`MAX_DEVICE_CERTIFICATE_LEN`]; storage failures.
    pub async fn provision_identity(
        &mut self,
        name: &str,
        certificate: &[u8],
        key: &[u8; KEY_LEN],
    ) -> Result<(), StoreError> {
        let key_of = identity_key(name)?;
        let too_big = StoreError::IdentityTooBig {
            limit: MAX_DEVICE_CERTIFICATE_LEN,
        };
        if certificate.is_empty() || certificate.len() > MAX_DEVICE_CERTIFICATE_LEN {
            return Err(too_big);
        }
        let [lo, hi] = u16::try_from(certificate.len())
            .map_err(|_| too_big)?
            .to_le_bytes();
        self.scrub();
        let mut record = RecordBuffer([0; BUFFER_LEN]);
        let total = 3 + certificate.len() + KEY_LEN;
        let out = record.0.get_mut(..total).ok_or(too_big)?;
        let (head, rest) = out.split_at_mut(3);
        head.copy_from_slice(&[IDENTITY_FORMAT_VERSION, lo, hi]);
        let (cert_out, key_out) = rest.split_at_mut(certificate.len());
        cert_out.copy_from_slice(certificate);
        key_out.copy_from_slice(key);
        let result = self.store_verified(&key_of, out).await;
        self.scrub();
        debug!(
            "profile store: provisioned a device identity ({} bytes)",
            total
        );
        result
    }

    /// The device identity of profile `name`, borrowing the store's record buffer; `Ok(None)`
    /// when none was stored or it was deleted.
    ///
    /// # Errors
    /// [`ReadError::Corrupt`] for a record that does not decode; storage failures.
    pub async fn identity(&mut self, name: &str) -> Result<Option<StoredIdentity<'_>>, ReadError> {
        let key_of = identity_key(name)?;
        self.check().await?;
        self.scrub();
        let item = self
            .map
            .fetch_item::<&[u8]>(&mut self.buf.0, &key_of)
            .await
            .map_err(StoreError::from)?;
        match item {
            None | Some([]) => Ok(None),
            Some(record) => decode(record).map(Some).ok_or(ReadError::Corrupt),
        }
    }

    /// Deletes the device identity of profile `name` (a tombstone; the old bytes stay in flash
    /// until the page is reclaimed). Returns whether there was one.
    ///
    /// # Errors
    /// [`StoreError::InvalidName`] and storage failures.
    pub async fn delete_identity(&mut self, name: &str) -> Result<bool, StoreError> {
        let existed = match self.identity(name).await {
            Ok(found) => found.is_some(),
            Err(ReadError::Corrupt) => true,
            Err(ReadError::Store(e)) => return Err(e),
        };
        self.scrub();
        if existed {
            self.store_verified(&identity_key(name)?, &[]).await?;
        }
        Ok(existed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_decode_only_when_whole() {
        let mut record = [0u8; 3 + 4 + KEY_LEN];
        record[..3].copy_from_slice(&[1, 4, 0]);
        record[3..7].copy_from_slice(b"cert");
        let id = decode(&record).unwrap();
        assert_eq!(id.certificate, b"cert");
        assert_eq!(
            std::format!("{id:?}"),
            "StoredIdentity { certificate: 4, key: \"<secret>\" }"
        );
        assert!(decode(&record[..record.len() - 1]).is_none(), "a short key");
        let mut longer = [0u8; 3 + 4 + KEY_LEN + 1];
        longer[..record.len()].copy_from_slice(&record);
        assert!(decode(&longer).is_none(), "a byte too many");
        record[0] = 2;
        assert!(decode(&record).is_none(), "another version");
        assert!(decode(&[1, 0, 0]).is_none(), "no certificate");
        assert!(decode(&[]).is_none());
    }
}
