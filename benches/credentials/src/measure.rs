//! Measurement helpers: a counting global allocator and a median-of-batches timer (the same as
//! the SigV4 benchmark's, `benches/sigv4/src/lib.rs`; this crate is outside the workspace, so it
//! carries its own copy).
//!
//! The allocator wrapper must implement `GlobalAlloc`, an unsafe trait. Every unsafe block says
//! why it is sound.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// A global allocator that counts allocations (and bytes) and forwards to the system allocator.
pub struct CountingAlloc;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's own arguments, so `System`'s
// guarantees hold unchanged; the counters are plain atomics.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through `alloc`/`realloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: `ptr`/`layout` came from this allocator; forwarded as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocation calls so far in the whole process (alloc, alloc_zeroed and realloc).
pub fn allocations() -> u64 {
    ALLOCS.load(Ordering::Relaxed)
}

/// Bytes requested so far in the whole process.
pub fn allocated_bytes() -> u64 {
    BYTES.load(Ordering::Relaxed)
}

/// Heap allocations and bytes during `n` calls of `f` (after one warm-up call): totals, not
/// averages, so that "0" means none at all.
pub fn allocs_during(n: u32, mut f: impl FnMut()) -> (u64, u64) {
    f();
    let (a0, b0) = (allocations(), allocated_bytes());
    for _ in 0..n {
        f();
    }
    (allocations() - a0, allocated_bytes() - b0)
}

/// Median nanoseconds per call of each function, measured interleaved: every round times one
/// batch of `per_batch` calls of each function in turn, so that load changes on a shared machine
/// hit all of them alike; the median over `rounds` batch means is reported. One warm-up round.
pub fn interleaved_medians(rounds: usize, per_batch: u32, fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); fs.len()];
    for round in 0..=rounds {
        for (f, s) in fs.iter_mut().zip(samples.iter_mut()) {
            let start = Instant::now();
            for _ in 0..per_batch {
                f();
            }
            if round > 0 {
                s.push(start.elapsed().as_nanos() as f64 / f64::from(per_batch));
            }
        }
    }
    samples.into_iter().map(median).collect()
}

/// The median of `s` (the upper one of an even count).
pub fn median(mut s: Vec<f64>) -> f64 {
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}
