//! Filling a fixed-capacity value in place from text that must be decoded first (JSON string
//! escapes, XML entities), without a heap and without a second copy of the decoded text.
//!
//! A decoder is a function that walks its raw text once and hands each decoded piece to a sink,
//! returning the decoded length, or `Err(())` when the raw text is not valid for its syntax.
//! [`fill`] runs it twice: first to validate and measure (so an overflow is refused before the
//! target changes, and the error names the full decoded length), then to write the pieces into
//! the target.

use crate::secret::SecretStr;
use crate::text::{CapacityError, Field, Text};

/// A fixed-capacity value that decoded pieces are appended to.
pub(crate) trait Target {
    /// Bytes the value holds at most.
    const CAPACITY: usize;
    /// Empties the value (a secret is wiped).
    fn clear(&mut self);
    /// Appends `s`; [`fill`] has checked that the whole decoded text fits.
    fn push(&mut self, s: &str);
}

impl<const N: usize> Target for Text<N> {
    const CAPACITY: usize = N;
    fn clear(&mut self) {
        Text::clear(self);
    }
    fn push(&mut self, s: &str) {
        let _ = self.push_str(s);
    }
}

impl<const N: usize> Target for SecretStr<N> {
    const CAPACITY: usize = N;
    fn clear(&mut self) {
        let _ = self.set("", Field::Setting);
    }
    fn push(&mut self, s: &str) {
        let _ = self.push_str(s, Field::Setting);
    }
}

/// A decoder: calls its sink with each decoded piece, in order; returns the decoded length, or
/// `Err(())` when the raw text is malformed.
pub(crate) type Decode<'a> = &'a dyn Fn(&mut dyn FnMut(&str)) -> Result<usize, ()>;

/// A decoder as a value (for functions that return one): anything usable as a [`Decode`].
pub(crate) trait Decoder: Fn(&mut dyn FnMut(&str)) -> Result<usize, ()> {}

impl<F: Fn(&mut dyn FnMut(&str)) -> Result<usize, ()>> Decoder for F {}

/// Why [`fill`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FillError {
    /// The raw text is malformed for the decoder's syntax.
    Syntax,
    /// The decoded text is longer than the target's capacity.
    Capacity(CapacityError),
}

/// Checks that the text `decode` produces is valid and fits a `T`, without writing it.
pub(crate) fn check<T: Target>(field: Field, decode: Decode<'_>) -> Result<(), FillError> {
    let len = decode(&mut |_| {}).map_err(|()| FillError::Syntax)?;
    if len > T::CAPACITY {
        return Err(FillError::Capacity(CapacityError {
            field,
            limit: T::CAPACITY,
            len,
        }));
    }
    Ok(())
}

/// Replaces `out` with the text `decode` produces. On error `out` is unchanged.
pub(crate) fn fill<T: Target>(
    out: &mut T,
    field: Field,
    decode: Decode<'_>,
) -> Result<(), FillError> {
    check::<T>(field, decode)?;
    out.clear();
    decode(&mut |piece| out.push(piece)).map_err(|()| FillError::Syntax)?;
    Ok(())
}

/// The decoded text's first bytes, whole characters only, up to `N` bytes: for text kept in an
/// error, which is cut rather than refused (see [`crate::text::ErrorText::head`]).
pub(crate) fn head<const N: usize>(decode: Decode<'_>) -> Result<Text<N>, ()> {
    let mut out = Text::<N>::new();
    let mut full = false;
    decode(&mut |piece| {
        if full || out.push_str(piece).is_ok() {
            return;
        }
        for c in piece.chars() {
            if out.push(c).is_err() {
                full = true;
                return;
            }
        }
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretKey;

    fn pieces(parts: &'static [&'static str]) -> impl Decoder {
        move |sink| {
            parts.iter().for_each(|p| sink(p));
            Ok(parts.iter().map(|p| p.len()).sum())
        }
    }

    #[test]
    fn fills_from_pieces_and_refuses_overflow_unchanged() {
        let mut t = Text::<6>::new();
        fill(&mut t, Field::Region, &pieces(&["us-", "w2"])).unwrap();
        assert_eq!(t.as_str(), "us-w2");
        let err = fill(&mut t, Field::Region, &pieces(&["us-", "west-2"])).unwrap_err();
        assert_eq!(
            err,
            FillError::Capacity(CapacityError {
                field: Field::Region,
                limit: 6,
                len: 9
            })
        );
        assert_eq!(t.as_str(), "us-w2", "unchanged on overflow");
        let mut s = SecretKey::empty();
        fill(&mut s, Field::SecretAccessKey, &pieces(&["ab", "/", "cd"])).unwrap();
        assert_eq!(s.expose(), "ab/cd");
        let bad = |_: &mut dyn FnMut(&str)| Err(());
        assert_eq!(
            fill(&mut s, Field::SecretAccessKey, &bad),
            Err(FillError::Syntax)
        );
        assert_eq!(s.expose(), "ab/cd");
    }

    #[test]
    fn head_keeps_whole_characters() {
        let t = head::<5>(&pieces(&["ab", "ééé"])).unwrap();
        assert_eq!(t.as_str(), "abé");
    }
}
