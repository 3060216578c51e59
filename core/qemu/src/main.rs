//! Firmware that runs every self-test of `aws-session-core` on a Cortex-M3 and reports through
//! semihosting. Exit status 0 means every test passed; a failing test panics, and the panic
//! handler prints the message and exits with status 1, so `cargo run` fails.
#![no_std]
#![no_main]

use aws_session_core::selftest::{SelfTest, SUITES};
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

#[entry]
fn main() -> ! {
    let total = aws_session_core::selftest::count() + EXTRA.len();
    hprintln!("running {} self-tests on Cortex-M3 (lm3s6965evb)", total);
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
