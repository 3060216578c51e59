//! The map key of the profile store: a profile by name, a device identity by name, or the
//! active-profile pointer.
//!
//! Encoding: one length byte, then that many bytes of UTF-8 name. Length 0 is the active-profile
//! pointer (profile names are never empty); 1..=[`MAX_PROFILE_NAME_LEN`] is a profile. A device
//! identity is [`IDENTITY_TAG`] (a length no name has), then the name's length byte and the name;
//! firmware older than identities reads such an item as a corrupt record and skips it.

use aws_session_core::limits::MAX_PROFILE_NAME_LEN;
use sequential_storage::map::{Key, SerializationError};

use super::ProfileName;

/// The first byte of an identity's key.
pub(crate) const IDENTITY_TAG: u8 = 0xFF;

// The tag is not a profile name's length.
const _: () = assert!(MAX_PROFILE_NAME_LEN < IDENTITY_TAG as usize);

/// The longest key: the identity tag, a length byte and the longest name.
pub(crate) const MAX_KEY_LEN: usize = 2 + MAX_PROFILE_NAME_LEN;

/// One item of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StoreKey {
    /// The name of the active profile (value: the name's bytes; empty value: none selected).
    Active,
    /// A profile record (value: a record; empty value: deleted).
    Profile(ProfileName),
    /// The device identity (certificate and key) of a profile (empty value: deleted).
    Identity(ProfileName),
}

impl Key for StoreKey {
    fn serialize_into(&self, buffer: &mut [u8]) -> Result<usize, SerializationError> {
        let (tag, name): (&[u8], &[u8]) = match self {
            StoreKey::Active => (&[], &[]),
            StoreKey::Profile(n) => (&[], n.as_bytes()),
            StoreKey::Identity(n) => (&[IDENTITY_TAG], n.as_bytes()),
        };
        let len = u8::try_from(name.len()).map_err(|_| SerializationError::InvalidData)?;
        let total = tag.len() + 1 + name.len();
        let out = buffer
            .get_mut(..total)
            .ok_or(SerializationError::BufferTooSmall)?;
        let (head, rest) = out.split_at_mut(tag.len());
        head.copy_from_slice(tag);
        let (len_byte, tail) = rest.split_at_mut(1);
        len_byte.fill(len);
        tail.copy_from_slice(name);
        Ok(total)
    }

    fn deserialize_from(buffer: &[u8]) -> Result<(Self, usize), SerializationError> {
        let first = *buffer.first().ok_or(SerializationError::BufferTooSmall)?;
        if first == IDENTITY_TAG {
            let rest = buffer.get(1..).unwrap_or(&[]);
            return match name_at(rest)? {
                Some((name, used)) => Ok((StoreKey::Identity(name), used + 1)),
                None => Err(SerializationError::InvalidFormat),
            };
        }
        match name_at(buffer)? {
            Some((name, used)) => Ok((StoreKey::Profile(name), used)),
            None => Ok((StoreKey::Active, 1)),
        }
    }

    fn get_len(buffer: &[u8]) -> Result<usize, SerializationError> {
        // sequential-storage gives this the item's data only; a key longer than that is an error
        // here, or its caller's subtraction would underflow.
        let first = *buffer.first().ok_or(SerializationError::BufferTooSmall)?;
        let len = if first == IDENTITY_TAG {
            usize::from(*buffer.get(1).ok_or(SerializationError::BufferTooSmall)?) + 2
        } else {
            usize::from(first) + 1
        };
        if len > buffer.len() {
            return Err(SerializationError::BufferTooSmall);
        }
        Ok(len)
    }
}

/// A length byte and a name at the start of `buffer`: the name and the bytes used, or `None` for
/// length 0.
fn name_at(buffer: &[u8]) -> Result<Option<(ProfileName, usize)>, SerializationError> {
    let len = usize::from(*buffer.first().ok_or(SerializationError::BufferTooSmall)?);
    if len == 0 {
        return Ok(None);
    }
    if len > MAX_PROFILE_NAME_LEN {
        return Err(SerializationError::InvalidFormat);
    }
    let bytes = buffer
        .get(1..=len)
        .ok_or(SerializationError::BufferTooSmall)?;
    let name = core::str::from_utf8(bytes).map_err(|_| SerializationError::InvalidFormat)?;
    let mut out = ProfileName::new();
    out.push_str(name)
        .map_err(|_| SerializationError::InvalidFormat)?;
    Ok(Some((out, len + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let mut buf = [0u8; 80];
        for key in [
            StoreKey::Active,
            StoreKey::Profile(ProfileName::try_from("dev-1").unwrap()),
            StoreKey::Identity(ProfileName::try_from("dev-1").unwrap()),
        ] {
            let n = key.serialize_into(&mut buf).unwrap();
            assert_eq!(
                StoreKey::deserialize_from(&buf[..n]).unwrap(),
                (key.clone(), n)
            );
            assert_eq!(StoreKey::get_len(&buf).unwrap(), n);
        }
        assert_eq!(
            StoreKey::deserialize_from(&[65, b'a']),
            Err(SerializationError::InvalidFormat)
        );
        assert_eq!(
            StoreKey::deserialize_from(&[2, 0xff, 0xfe]),
            Err(SerializationError::InvalidFormat)
        );
        // An identity key needs its name; its length byte is checked like a profile's.
        assert_eq!(
            StoreKey::deserialize_from(&[IDENTITY_TAG, 0]),
            Err(SerializationError::InvalidFormat)
        );
        assert_eq!(
            StoreKey::deserialize_from(&[IDENTITY_TAG, 3, b'a']),
            Err(SerializationError::BufferTooSmall)
        );
        assert_eq!(
            StoreKey::get_len(&[IDENTITY_TAG, 3, b'a']),
            Err(SerializationError::BufferTooSmall)
        );
        assert_eq!(
            StoreKey::get_len(&[IDENTITY_TAG]),
            Err(SerializationError::BufferTooSmall)
        );
        // `get_len` sees only the item's data: a key longer than that is refused.
        assert_eq!(
            StoreKey::get_len(&[5, b'a']),
            Err(SerializationError::BufferTooSmall)
        );
        assert_eq!(
            StoreKey::Active.serialize_into(&mut []),
            Err(SerializationError::BufferTooSmall)
        );
    }
}
