//! The map key of the profile store: a profile by name, or the active-profile pointer.
//!
//! Encoding: one length byte, then that many bytes of UTF-8 name. Length 0 is the active-profile
//! pointer (profile names are never empty); 1..=[`MAX_PROFILE_NAME_LEN`] is a profile.

use aws_session_core::limits::MAX_PROFILE_NAME_LEN;
use sequential_storage::map::{Key, SerializationError};

use super::ProfileName;

/// One item of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StoreKey {
    /// The name of the active profile (value: the name's bytes; empty value: none selected).
    Active,
    /// A profile record (value: a record; empty value: deleted).
    Profile(ProfileName),
}

impl Key for StoreKey {
    fn serialize_into(&self, buffer: &mut [u8]) -> Result<usize, SerializationError> {
        let name: &[u8] = match self {
            StoreKey::Active => &[],
            StoreKey::Profile(n) => n.as_bytes(),
        };
        let len = u8::try_from(name.len()).map_err(|_| SerializationError::InvalidData)?;
        let total = name.len() + 1;
        let out = buffer
            .get_mut(..total)
            .ok_or(SerializationError::BufferTooSmall)?;
        let (head, tail) = out.split_at_mut(1);
        head.fill(len);
        tail.copy_from_slice(name);
        Ok(total)
    }

    fn deserialize_from(buffer: &[u8]) -> Result<(Self, usize), SerializationError> {
        let len = usize::from(*buffer.first().ok_or(SerializationError::BufferTooSmall)?);
        if len == 0 {
            return Ok((StoreKey::Active, 1));
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
        Ok((StoreKey::Profile(out), len + 1))
    }

    fn get_len(buffer: &[u8]) -> Result<usize, SerializationError> {
        // sequential-storage gives this the item's data only; a key longer than that is an error
        // here, or its caller's subtraction would underflow.
        let len = usize::from(*buffer.first().ok_or(SerializationError::BufferTooSmall)?) + 1;
        if len > buffer.len() {
            return Err(SerializationError::BufferTooSmall);
        }
        Ok(len)
    }
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
