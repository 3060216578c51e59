//! An embassy-time driver on the Cortex-M SysTick timer: a 1 kHz tick counts time, and each tick
//! wakes the timers that are due. Simple and portable to any Cortex-M; a real product would use a
//! low-power timer with alarms instead of ticking every millisecond.

use core::cell::{Cell, RefCell};
use core::task::Waker;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use cortex_m_rt::exception;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_time_driver::Driver;
use embassy_time_queue_utils::Queue;

/// The core clock of QEMU's mps2-an385 model (25 MHz).
const CORE_HZ: u32 = 25_000_000;
/// Ticks per second; must match the `tick-hz-1_000` feature of embassy-time.
const TICK_HZ: u32 = 1_000;

struct SysTickDriver {
    ticks: Mutex<CriticalSectionRawMutex, Cell<u64>>,
    queue: Mutex<CriticalSectionRawMutex, RefCell<Queue>>,
}

impl Driver for SysTickDriver {
    fn now(&self) -> u64 {
        self.ticks.lock(Cell::get)
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        let now = self.now();
        if at <= now {
            waker.wake_by_ref();
            return;
        }
        self.queue.lock(|q| {
            q.borrow_mut().schedule_wake(at, waker);
        });
    }
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver {
    ticks: Mutex::new(Cell::new(0)),
    queue: Mutex::new(RefCell::new(Queue::new())),
});

/// Starts the tick.
pub fn start(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(CORE_HZ / TICK_HZ - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

#[exception]
fn SysTick() {
    let now = DRIVER.ticks.lock(|t| {
        let n = t.get() + 1;
        t.set(n);
        n
    });
    DRIVER.queue.lock(|q| {
        q.borrow_mut().next_expiration(now);
    });
}
