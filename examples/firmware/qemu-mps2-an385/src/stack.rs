//! Stack high-water mark: the free stack is painted with a pattern at start, and the deepest
//! word that lost it is found at the end. Reported so that the RAM figures in
//! `docs/performance.md` include the stack, not only `.bss`.

const PAINT: u32 = 0xDEAD_BEEF;
/// Bytes below the current stack pointer left unpainted (the painting code's own frame).
const MARGIN: usize = 256;

extern "C" {
    static mut __ebss: u32;
    static _stack_start: u32;
}

fn bounds() -> (usize, usize) {
    // Only the addresses of the linker symbols are taken (no access).
    let bottom = core::ptr::addr_of!(__ebss) as usize;
    let top = core::ptr::addr_of!(_stack_start) as usize;
    (bottom, top)
}

/// Paints the unused stack between the end of `.bss` and the current stack pointer.
pub fn paint() {
    let (bottom, _) = bounds();
    let sp = cortex_m::register::msp::read() as usize - MARGIN;
    let mut p = bottom;
    while p < sp {
        // SAFETY: [bottom, sp) is RAM below the live stack that nothing else uses.
        unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// Deepest stack use since [`paint`], in bytes.
pub fn high_water() -> usize {
    let (bottom, top) = bounds();
    let mut p = bottom;
    // SAFETY: reads of RAM inside the stack region.
    while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    top - p
}

/// Stack in use at the call (from the top of RAM to the stack pointer), in bytes.
#[allow(dead_code)] // not used by `full`
pub fn in_use() -> usize {
    let (_, top) = bounds();
    top - cortex_m::register::msp::read() as usize
}

/// Bytes of `.bss` + `.data` (static RAM).
pub fn static_ram() -> usize {
    let (bottom, _) = bounds();
    bottom - 0x2000_0000
}

/// Prints the deepest stack use since the last report (or the start) and paints again.
pub fn report(phase: &str) {
    cortex_m_semihosting::hprintln!("stack: {} bytes at most during {}", high_water(), phase);
    paint();
}
