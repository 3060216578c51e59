//! [`StdEntropy`]: randomness for retry jitter, as core's [`Entropy`].
//!
//! Jitter only has to keep clients from retrying in lockstep; it is not key material (core never
//! makes keys). The generator is xorshift64*, seeded from the standard library's per-process
//! random hash keys and the clock, so no extra crate is needed.

use core::hash::{BuildHasher, Hasher};
use std::collections::hash_map::RandomState;

use aws_session_core::platform::Entropy;

/// A small non-cryptographic generator with a random seed.
#[derive(Debug, Clone)]
pub struct StdEntropy {
    state: u64,
}

impl StdEntropy {
    /// A generator seeded from the process's random hash keys and the current time.
    pub fn new() -> Self {
        let mut h = RandomState::new().build_hasher();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        h.write_u128(nanos);
        Self::from_seed(h.finish())
    }

    /// A generator with a fixed seed (reproducible jitter in tests).
    pub fn from_seed(seed: u64) -> Self {
        // xorshift must not start at zero.
        StdEntropy { state: seed | 1 }
    }
}

impl Default for StdEntropy {
    fn default() -> Self {
        Self::new()
    }
}

impl Entropy for StdEntropy {
    fn next_u32(&mut self) -> u32 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_spread_and_seeds_repeat() {
        let mut a = StdEntropy::from_seed(42);
        let mut b = StdEntropy::from_seed(42);
        let xs: Vec<u32> = (0..64).map(|_| a.next_u32()).collect();
        let ys: Vec<u32> = (0..64).map(|_| b.next_u32()).collect();
        assert_eq!(xs, ys);
        let distinct: std::collections::BTreeSet<_> = xs.iter().collect();
        assert_eq!(distinct.len(), 64);
        assert!(xs.iter().any(|x| *x > u32::MAX / 2) && xs.iter().any(|x| *x < u32::MAX / 2));
    }
}
