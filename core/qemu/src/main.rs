//! Firmware that runs every self-test of `aws-session-core` on a Cortex-M3 and reports through
//! semihosting. Exit status 0 means every test passed; a failing test panics, and the panic
//! handler prints the message and exits with status 1, so `cargo run` fails.
#![no_std]
#![no_main]

use aws_session_core::selftest::{self, SelfTest, SHARDS};
use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};

#[cfg(feature = "fail-demo")]
fn deliberately_failing() {
    assert_eq!(1 + 1, 3, "this test fails on purpose (feature fail-demo)");
}

#[cfg(feature = "fail-demo")]
const EXTRA: &[SelfTest] = &[SelfTest { name: "qemu::deliberately_failing", run: deliberately_failing }];
#[cfg(not(feature = "fail-demo"))]
const EXTRA: &[SelfTest] = &[];

/// Which shard of `selftest::SHARDS` this image runs (build-time `SELFTEST_SHARD`, default 0).
const SHARD: usize = parse_shard(option_env!("SELFTEST_SHARD"));
/// The shard's suites: selected at compile time, so other shards' tests are not linked in.
const SUITES: &[&[SelfTest]] = SHARDS[SHARD];
const TOTAL: usize = selftest::count(SHARD) + EXTRA.len();

const fn parse_shard(v: Option<&str>) -> usize {
    match v {
        Some(s) if !s.is_empty() => {
            let b = s.as_bytes();
            let mut n = 0;
            let mut i = 0;
            while i < b.len() {
                n = n * 10 + (b[i] - b'0') as usize;
                i += 1;
            }
            n
        }
        _ => 0,
    }
}

#[entry]
fn main() -> ! {
    hprintln!("running {} self-tests of shard {}/{} on Cortex-M3 (lm3s6965evb)", TOTAL, SHARD, SHARDS.len());
    let mut passed = 0usize;
    for suite in SUITES.iter().copied().chain(core::iter::once(EXTRA)) {
        for test in suite {
            hprintln!("test {} ...", test.name);
            (test.run)();
            passed += 1;
        }
    }
    hprintln!("{} passed, 0 failed", passed);
    debug::exit(debug::EXIT_SUCCESS);
    loop {}
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("FAILED: {}", info);
    hprintln!("0 passed, 1 failed");
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    hprintln!("FAILED: hard fault (stack overflow?) at pc={:#x}", frame.pc());
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}
