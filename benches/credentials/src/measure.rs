//! What this benchmark adds to the SigV4 benchmark's helpers (`aws_session_bench`, the counting
//! allocator and the interleaved timer): allocation totals, and a plain median.

use aws_session_bench::{allocated_bytes, allocations};

/// Heap allocations and bytes during `n` calls of `f` (after one warm-up call): totals, not
/// averages, so that "0" means none at all. The counter is process-wide: nothing else may run.
pub fn allocs_during(n: u32, mut f: impl FnMut()) -> (u64, u64) {
    f();
    let (a0, b0) = (allocations(), allocated_bytes());
    for _ in 0..n {
        f();
    }
    (allocations() - a0, allocated_bytes() - b0)
}

/// The median of `s` (the upper one of an even count).
pub fn median(mut s: Vec<f64>) -> f64 {
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}
