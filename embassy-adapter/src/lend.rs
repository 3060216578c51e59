//! One connection's memory, lent to one connection after another.
//!
//! embassy-net's `TcpSocket` and embedded-tls' `TlsConnection` borrow their buffers for the
//! connection's whole life (`&'a mut [u8]`), and a connection that failed cannot be opened again:
//! a new one must be made, in the same memory. A value that keeps its connection between calls
//! and replaces it when it dies ([`crate::link::Link`]) would hold both the buffers and a
//! connection borrowing them, which borrows cannot say. [`Lender`] takes the buffers' borrow
//! once, keeps them as pointers, and lends them out again as slices, one loan at a time.
//!
//! The rule that makes it sound is its caller's: [`Lender::lend`] is `unsafe`, and whoever calls
//! it must have dropped the previous loan, and everything made from it, first. `Link` keeps the
//! one connection made from a loan in a field of its own and never hands it out, and empties that
//! field before it asks for the next loan.
#![allow(unsafe_code)]

use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::tls::Parts;

/// A buffer held as a pointer and a length.
#[derive(Debug, Clone, Copy)]
struct Raw {
    ptr: NonNull<u8>,
    len: usize,
}

impl Raw {
    fn new(slice: &mut [u8]) -> Self {
        Raw {
            ptr: NonNull::from(&mut *slice).cast(),
            len: slice.len(),
        }
    }

    /// The buffer as a slice.
    ///
    /// # Safety
    /// As [`Lender::lend`]; `'a` no longer than the borrow the `Raw` was made from.
    unsafe fn slice<'a>(self) -> &'a mut [u8] {
        // SAFETY: the caller's (see `Lender::lend`).
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

/// The buffers of one connection, borrowed for `'a` and lent out as [`Parts`] (see the
/// [module docs](self)).
#[derive(Debug)]
pub(crate) struct Lender<'a> {
    rx: Raw,
    tx: Raw,
    read_rec: Raw,
    write_rec: Raw,
    head: Raw,
    /// The buffers stay borrowed, mutably, for as long as the lender lives.
    _buffers: PhantomData<&'a mut [u8]>,
}

// SAFETY: a `Lender` stands for the `&'a mut [u8]` borrows it was made from, which are `Send`;
// it shares nothing with anyone (no `Clone`, no `&self` access to the bytes).
unsafe impl Send for Lender<'_> {}

impl<'a> Lender<'a> {
    /// Takes the borrow of `parts` for `'a`.
    pub(crate) fn new(parts: Parts<'a>) -> Self {
        Lender {
            rx: Raw::new(parts.rx),
            tx: Raw::new(parts.tx),
            read_rec: Raw::new(parts.read_rec),
            write_rec: Raw::new(parts.write_rec),
            head: Raw::new(parts.head),
            _buffers: PhantomData,
        }
    }

    /// The buffers, as slices that live for `'a`.
    ///
    /// # Safety
    /// Every [`Parts`] this lender returned before, and everything made from it (a socket, a TLS
    /// connection), must have been dropped: the new slices are the only way to the bytes from
    /// now on.
    pub(crate) unsafe fn lend(&mut self) -> Parts<'a> {
        // SAFETY: each `Raw` was made from one of five disjoint `&'a mut [u8]`: it points to
        // `len` initialised bytes that nothing else may touch during `'a` (the lender took the
        // borrow, and `PhantomData` keeps it taken). The slices made here live for `'a` at most.
        // The caller guarantees that the slices of the earlier loan are gone, so these are the
        // only references to the bytes.
        unsafe {
            Parts {
                rx: self.rx.slice(),
                tx: self.tx.slice(),
                read_rec: self.read_rec.slice(),
                write_rec: self.write_rec.slice(),
                head: self.head.slice(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::TlsBuffers;

    /// Loans one after another see the same memory: what the first wrote, the second reads; and
    /// the buffers are whole again when the lender is gone. Run under Miri (`scripts/test-all.sh
    /// miri`) this also checks that each loan's slices are valid and exclusive.
    #[test]
    fn loans_follow_one_another_in_the_same_memory() {
        let mut buffers = TlsBuffers::<8, 4, 16, 4, 2>::new();
        {
            let mut lender = Lender::new(buffers.parts());
            {
                // SAFETY: the first loan.
                let first = unsafe { lender.lend() };
                assert_eq!(
                    (first.rx.len(), first.tx.len(), first.read_rec.len()),
                    (8, 4, 16)
                );
                assert_eq!((first.write_rec.len(), first.head.len()), (4, 2));
                first.rx.fill(1);
                first.read_rec[15] = 7;
                first.head[1] = 9;
            }
            // SAFETY: the first loan ended with its block.
            let second = unsafe { lender.lend() };
            assert!(second.rx.iter().all(|&b| b == 1));
            assert_eq!((second.read_rec[15], second.head[1]), (7, 9));
            second.tx[3] = 5;
            second.write_rec[0] = 6;
        }
        let parts = buffers.parts();
        assert_eq!((parts.tx[3], parts.write_rec[0], parts.rx[0]), (5, 6, 1));
    }
}
