//! Measurement helpers for the SigV4 benchmark (`cargo bench -p aws-session-bench`): a counting
//! global allocator and a median-of-batches timer.
//!
//! The benchmark itself is `benches/sigv4.rs`; it signs the same four requests with
//! `aws-session-core`'s signer and with the `aws-sigv4` crate in one run, and two of them with
//! SigV4a as well.
//!
//! This crate is not `no_std` and may use `unsafe`: the allocator wrapper must implement
//! `GlobalAlloc`, an unsafe trait. Every unsafe block says why it is sound.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
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

/// Allocation calls so far (alloc, alloc_zeroed and realloc).
pub fn allocations() -> u64 {
    ALLOCS.load(Ordering::Relaxed)
}

/// Bytes requested so far.
pub fn allocated_bytes() -> u64 {
    BYTES.load(Ordering::Relaxed)
}

/// Heap allocations (and bytes) per call of `f`, averaged over `n` calls after one warm-up call.
pub fn allocs_per_call(n: u32, mut f: impl FnMut()) -> (f64, f64) {
    f();
    let (a0, b0) = (allocations(), allocated_bytes());
    for _ in 0..n {
        f();
    }
    let (a1, b1) = (allocations(), allocated_bytes());
    (
        (a1 - a0) as f64 / f64::from(n),
        (b1 - b0) as f64 / f64::from(n),
    )
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
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect()
}

/// Median nanoseconds per call of `f`: `batches` timed batches of `per_batch` calls each, after a
/// warm-up batch. The median of batch means resists scheduler noise on a shared machine.
pub fn median_ns(batches: usize, per_batch: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..per_batch {
        f();
    }
    let mut samples: Vec<f64> = (0..batches)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_batch {
                f();
            }
            start.elapsed().as_nanos() as f64 / f64::from(per_batch)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    black_box(samples[samples.len() / 2])
}
