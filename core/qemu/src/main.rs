//! Firmware that runs every self-test of `aws-session-core` on a Cortex-M3 (QEMU lm3s6965evb,
//! `thumbv7m-none-eabi`) or a 32-bit RISC-V core (QEMU virt, `riscv32imc-unknown-none-elf`) and
//! reports through semihosting. Exit status 0 means every test passed; a failing test panics, and
//! the panic handler prints the message and exits with status 1, so `cargo run` fails. A CPU
//! fault (hard fault, trap) and a stack that reached the bottom of its region fail the same way.
//!
//! Everything but startup, the stack pointer and the exit call is shared by both architectures
//! (the `arch` module holds those), and both run the same shards (`selftest::SHARDS` in core).
#![no_std]
#![no_main]

use arch::{exit, hprintln};
use aws_session_core::selftest::{self, SelfTest, SHARDS};

#[cfg(feature = "fail-demo")]
fn deliberately_failing() {
    assert_eq!(1 + 1, 3, "this test fails on purpose (feature fail-demo)");
}

#[cfg(feature = "fail-demo")]
const EXTRA: &[SelfTest] = &[SelfTest {
    name: "qemu::deliberately_failing",
    run: deliberately_failing,
}];
#[cfg(not(feature = "fail-demo"))]
const EXTRA: &[SelfTest] = &[];

/// The address of a linker symbol, as a number. Only the address is taken, never the contents.
macro_rules! linker_symbol {
    ($name:ident) => {{
        extern "C" {
            static $name: u32;
        }
        core::ptr::addr_of!($name) as usize
    }};
}

/// What differs between the Cortex-M3 and the RISC-V image.
#[cfg(target_arch = "arm")]
mod arch {
    pub use cortex_m_rt::entry;
    use cortex_m_rt::{exception, ExceptionFrame};
    pub use cortex_m_semihosting::hprintln;

    /// The core and machine the image runs on, for the report.
    pub const NAME: &str = "Cortex-M3 (lm3s6965evb)";

    /// The current stack pointer.
    #[inline(always)]
    pub fn sp() -> usize {
        cortex_m::register::msp::read() as usize
    }

    /// The lowest address the stack may reach: free RAM starts after `.bss` (cortex-m-rt puts the
    /// stack at the top of RAM, growing down towards it).
    pub fn stack_floor() -> usize {
        linker_symbol!(__sheap)
    }

    /// Where the image starts in flash: the vector table.
    pub fn flash_start() -> usize {
        linker_symbol!(__vector_table)
    }

    /// Leaves QEMU with status 0 (`ok`) or 1.
    pub fn exit(ok: bool) -> ! {
        use cortex_m_semihosting::debug;
        debug::exit(if ok {
            debug::EXIT_SUCCESS
        } else {
            debug::EXIT_FAILURE
        });
        #[allow(clippy::empty_loop)] // semihosting exit does not return under QEMU
        loop {}
    }

    #[exception]
    unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
        hprintln!(
            "FAILED: hard fault (stack overflow?) at pc={:#x}",
            frame.pc()
        );
        exit(false)
    }
}

/// What differs between the Cortex-M3 and the RISC-V image.
#[cfg(target_arch = "riscv32")]
mod arch {
    pub use riscv_rt::entry;
    pub use semihosting::println as hprintln;

    /// The core and machine the image runs on, for the report.
    pub const NAME: &str = "RISC-V rv32imc (virt)";

    /// The current stack pointer.
    #[inline(always)]
    pub fn sp() -> usize {
        let sp: usize;
        // SAFETY: copies the stack pointer into a register; no memory is touched.
        unsafe { core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack)) };
        sp
    }

    /// The lowest address the stack may reach: the bottom of memory.x's STACK region, which lies
    /// below `.data` and `.bss`, so an overflow runs into unused flash space instead of statics.
    pub fn stack_floor() -> usize {
        linker_symbol!(__estack)
    }

    /// Where the image starts in flash: riscv-rt's `.init` code at the start of `.text`.
    pub fn flash_start() -> usize {
        linker_symbol!(__stext)
    }

    /// Leaves QEMU with status 0 (`ok`) or 1.
    pub fn exit(ok: bool) -> ! {
        semihosting::process::exit(if ok { 0 } else { 1 })
    }

    /// Any trap (illegal instruction, misaligned or faulting access, `ecall`) fails the run
    /// instead of riscv-rt's default, which spins forever.
    #[export_name = "ExceptionHandler"]
    fn trap(frame: &riscv_rt::TrapFrame) -> ! {
        let _ = frame;
        hprintln!(
            "FAILED: trap, mcause={:#x} mepc={:#x} mtval={:#x}",
            riscv::register::mcause::read().bits(),
            riscv::register::mepc::read(),
            riscv::register::mtval::read()
        );
        exit(false)
    }
}

mod classic {
    include!(concat!(env!("OUT_DIR"), "/classic_suite.rs"));
}

/// Which image this is (build-time `SELFTEST_SHARD`, default 0): shards `0..SHARDS.len()` run that
/// shard of `selftest::SHARDS`; the last image, `SHARDS.len()`, runs the classic SigV4 suite.
const SHARD: usize = parse_shard(option_env!("SELFTEST_SHARD"));
/// How many images there are.
const IMAGES: usize = SHARDS.len() + 1;
/// This image's self-test suites, selected at compile time so other shards' tests are not linked in.
const SUITES: &[&[SelfTest]] = if SHARD < SHARDS.len() {
    SHARDS[SHARD]
} else {
    &[]
};
/// This image's classic SigV4 cases.
const CLASSIC: &[(&str, &str, &str, &str, &str)] = if SHARD == SHARDS.len() {
    classic::CLASSIC
} else {
    &[]
};
const TOTAL: usize = selftest::count(SHARD) + EXTRA.len() + CLASSIC.len();

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

/// The image's footprint, from the linker symbols both runtimes define.
mod footprint {
    /// Bytes of `.data` (its initial values are stored in flash too).
    fn data() -> usize {
        linker_symbol!(__edata) - linker_symbol!(__sdata)
    }

    /// Bytes of flash the image takes: code, constants and the initial values of `.data`.
    pub fn flash() -> usize {
        linker_symbol!(__sidata) + data() - crate::arch::flash_start()
    }

    /// Bytes of RAM the statics take (`.data` and `.bss`).
    pub fn statics() -> usize {
        data() + (linker_symbol!(__ebss) - linker_symbol!(__sbss))
    }
}

/// Stack high-water marks: the free RAM below the stack is painted before each test and read back
/// after it, so every test reports the deepest stack it reached (including this runner's frames).
mod watermark {
    use core::ptr::{read_volatile, write_volatile};

    use crate::arch;

    const PAINT: u32 = 0xA5A5_5A5A;

    /// The lowest address the stack may reach and its top.
    fn bounds() -> (usize, usize) {
        (arch::stack_floor(), linker_symbol!(_stack_start))
    }

    /// Bytes the stack can grow to.
    pub fn capacity() -> usize {
        let (low, top) = bounds();
        top - ((low + 3) & !3)
    }

    /// Paints from the bottom of free RAM up to a little below the current stack pointer.
    #[inline(never)]
    pub fn paint() {
        let (low, _) = bounds();
        let sp = arch::sp();
        let mut a = (low + 3) & !3;
        while a + 256 < sp {
            // SAFETY: [low, sp - 256) is unused RAM between the heap start and the live stack.
            unsafe { write_volatile(a as *mut u32, PAINT) };
            a += 4;
        }
    }

    /// Paints, and returns the stack in use at the call (the baseline for a measurement).
    #[inline(never)]
    pub fn peak_reset() -> usize {
        paint();
        let (_, top) = bounds();
        top - arch::sp()
    }

    /// Bytes of stack in use at the deepest point since the last `paint`.
    #[inline(never)]
    pub fn peak() -> usize {
        let (low, top) = bounds();
        let mut a = (low + 3) & !3;
        // SAFETY: reads of RAM below the stack that `paint` wrote.
        while a < top && unsafe { read_volatile(a as *const u32) } == PAINT {
            a += 4;
        }
        top - a
    }
}

/// The stack `Session::rebuild` takes on this core for a one-profile config file with static keys,
/// a region and an STS setting. The session is a local of this frame, above the measured region
/// (a static would take its 11 KiB from every test's stack for the whole run).
#[inline(never)]
fn session_stack() -> usize {
    use aws_session_core::session::{Options, Session};
    use aws_session_core::test_util::{config_file, MemEnv, MemFiles};

    const TEXT: &str = "[default]\nregion = eu-west-1\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\nsts_regional_endpoints = regional\n";
    let files_list = [config_file(TEXT)];
    let files = MemFiles::new(&files_list);
    let env = MemEnv::new(&[("AWS_SDK_LOAD_CONFIG", "1")]);
    let options = Options::default();
    let mut session = Session::unconfigured();
    let slot = &mut session;
    let base = watermark::peak_reset();
    let ok = slot.rebuild(&options, &env, &files).is_ok();
    let used = watermark::peak().saturating_sub(base);
    if ok {
        used
    } else {
        0
    }
}

/// The stack one header signature takes on this core: everything `sigv4::sign` needs (signing-key
/// derivation, canonical request hashing, output), measured from inside a painted region.
#[inline(never)]
fn signer_stack() -> usize {
    use aws_session_core::sigv4::{sign, SignableBody, SignableRequest};
    let headers = [
        ("host", "sts.us-east-1.amazonaws.com"),
        ("x-amz-date", "20150830T123600Z"),
        ("accept", "application/xml"),
    ];
    let req = SignableRequest::new(
        "GET",
        "/",
        "Action=GetCallerIdentity&Version=2011-06-15",
        &headers,
        SignableBody::Bytes(b""),
    );
    measure_signing(|params, out| sign(&req, params, out).is_ok())
}

/// The same for `sigv4::sign_canonical`, with the same request in canonical form.
#[inline(never)]
fn canonical_signer_stack() -> usize {
    use aws_session_core::sigv4::{sign_canonical, CanonicalParts, SignableBody};
    let headers = [
        ("accept", "application/xml"),
        ("host", "sts.us-east-1.amazonaws.com"),
    ];
    let parts = CanonicalParts::new(
        "GET",
        "/",
        "Action=GetCallerIdentity&Version=2011-06-15",
        &headers,
        SignableBody::Bytes(b""),
    );
    measure_signing(|params, out| sign_canonical(&parts, params, out).is_ok())
}

/// Runs `sign_it` with the STS signing parameters and a static output, and returns the stack it
/// took (0 when it failed).
#[inline(always)]
fn measure_signing(
    sign_it: impl FnOnce(
        &aws_session_core::sigv4::SigningParams<'_>,
        &mut aws_session_core::sigv4::SigningOutput,
    ) -> bool,
) -> usize {
    use aws_session_core::secret::SecretKey;
    use aws_session_core::sigv4::{
        SigningCredentials, SigningOutput, SigningParams, SigningSettings,
    };
    use aws_session_core::text::Field;
    use aws_session_core::time::UnixTime;

    static mut OUT: Option<SigningOutput> = None;
    let Ok(secret) = SecretKey::new(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Field::SecretAccessKey,
    ) else {
        return 0;
    };
    let params = SigningParams {
        credentials: SigningCredentials {
            access_key_id: "AKIDEXAMPLE",
            secret: &secret,
            session_token: None,
        },
        region: "us-east-1",
        service: "sts",
        time: UnixTime::from_secs(1_440_938_160),
        settings: SigningSettings::for_service("sts"),
    };
    // SAFETY: single-threaded firmware; the output buffer lives in a static so that only the
    // signer's own stack use is measured.
    let out = unsafe { (*core::ptr::addr_of_mut!(OUT)).get_or_insert_with(SigningOutput::new) };
    let base = watermark::peak_reset();
    let ok = sign_it(&params, out);
    let used = watermark::peak().saturating_sub(base);
    if ok {
        used
    } else {
        0
    }
}

#[arch::entry]
fn main() -> ! {
    hprintln!(
        "running {} self-tests of shard {}/{} on {}",
        TOTAL,
        SHARD,
        IMAGES,
        arch::NAME
    );
    let mut passed = 0usize;
    let mut deepest = 0usize;
    if SHARD == SHARDS.len() && !classic::SUITE_FOUND {
        hprintln!("SKIPPED: the classic SigV4 suite was not found at build time");
    }
    if SHARD == 0 {
        use aws_session_core::{
            client::Client,
            config::SessionConfig,
            credentials::CredentialPlan,
            handlers::{Handlers, Request},
            session::Session,
        };
        use core::mem::size_of;
        hprintln!(
            "measure: sizes on this target: Session {} B (SessionConfig {}, CredentialPlan {}, Handlers {}), Client {} B, Request {} B",
            size_of::<Session>(), size_of::<SessionConfig>(), size_of::<CredentialPlan>(), size_of::<Handlers>(), size_of::<Client>(), size_of::<Request<'static>>()
        );
        hprintln!(
            "measure: session creation's layers: SharedConfig {} B (ProfileLayer {}), EnvConfig {} B, SessionError {} B",
            size_of::<aws_session_core::config::shared::SharedConfig<'static>>(),
            size_of::<aws_session_core::config::shared::ProfileLayer<'static>>(),
            size_of::<aws_session_core::config::env::EnvConfig<'static>>(),
            size_of::<aws_session_core::session::SessionError>()
        );
        hprintln!(
            "measure: peak stack of Session::rebuild (one profile, static keys, in place): {} B",
            session_stack()
        );
    }
    if SHARD == SHARDS.len() {
        hprintln!(
            "measure: peak stack of sigv4::sign for an STS GET with 3 headers: {} B",
            signer_stack()
        );
        hprintln!("measure: peak stack of sigv4::sign_canonical for the same STS GET in canonical form: {} B", canonical_signer_stack());
    }
    for (name, req, creq, sts, authz) in CLASSIC {
        watermark::paint();
        if let Err(stage) =
            aws_session_core::sigv4::conformance::check_classic_case(req, creq, sts, authz)
        {
            panic!("classic case {} failed at {}", name, stage);
        }
        let peak = watermark::peak();
        check_stack(peak);
        deepest = deepest.max(peak);
        hprintln!("test sigv4 classic {} ... ok (peak stack {} B)", name, peak);
        passed += 1;
    }
    for suite in SUITES.iter().copied().chain(core::iter::once(EXTRA)) {
        for test in suite {
            hprintln!("test {} ...", test.name);
            watermark::paint();
            (test.run)();
            let peak = watermark::peak();
            check_stack(peak);
            deepest = deepest.max(peak);
            hprintln!("  ok (peak stack {} B)", peak);
            passed += 1;
        }
    }
    hprintln!(
        "{} passed, 0 failed (peak stack {} B of {} B; flash {} B; statics {} B)",
        passed,
        deepest,
        watermark::capacity(),
        footprint::flash(),
        footprint::statics()
    );
    exit(true)
}

/// Fails the run when a test's stack reached the bottom of the stack's region: the watermark
/// cannot tell how far past it went, and what lies below may have been overwritten.
fn check_stack(peak: usize) {
    if peak >= watermark::capacity() {
        panic!(
            "the stack reached the bottom of its {} B region (overflow)",
            watermark::capacity()
        );
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("FAILED: {}", info);
    hprintln!("0 passed, 1 failed");
    exit(false)
}
