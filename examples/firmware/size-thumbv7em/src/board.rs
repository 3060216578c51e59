//! The smallest board the size binaries need: a SysTick time driver, an in-memory network device
//! (embassy-net-driver-channel; a real Ethernet or Wi-Fi driver adds its own size), a NOR flash
//! stand-in, an RNG stand-in, and a panic handler. None of it is measured as "ours".

use core::cell::{Cell, RefCell};
use core::task::Waker;

use cortex_m_rt::exception;
use embassy_net::{Stack, StackResources};
use embassy_net_driver_channel as ch;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_time_driver::Driver;
use embassy_time_queue_utils::Queue;
use embedded_storage_async::nor_flash::{ErrorType, NorFlash, NorFlashErrorKind, ReadNorFlash};
use static_cell::ConstStaticCell;

pub const MTU: usize = 1514;
pub type Device = ch::Device<'static, MTU>;

struct SysTickDriver {
    ticks: Mutex<CriticalSectionRawMutex, Cell<u64>>,
    queue: Mutex<CriticalSectionRawMutex, RefCell<Queue>>,
}

impl Driver for SysTickDriver {
    fn now(&self) -> u64 {
        self.ticks.lock(Cell::get)
    }
    fn schedule_wake(&self, at: u64, waker: &Waker) {
        self.queue.lock(|q| {
            q.borrow_mut().schedule_wake(at, waker);
        });
    }
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver {
    ticks: Mutex::new(Cell::new(0)),
    queue: Mutex::new(RefCell::new(Queue::new())),
});

#[exception]
fn SysTick() {
    let now = DRIVER.ticks.lock(|t| {
        t.set(t.get() + 1);
        t.get()
    });
    DRIVER.queue.lock(|q| {
        q.borrow_mut().next_expiration(now);
    });
}

/// The network stack on a channel device (2 RX + 2 TX packet buffers), DHCP.
pub fn network(
    seed: u64,
) -> (
    Stack<'static>,
    embassy_net::Runner<'static, Device>,
    ch::Runner<'static, MTU>,
) {
    // Const cells: in .bss from the start, not built on the stack and moved there.
    static STATE: ConstStaticCell<ch::State<MTU, 2, 2>> = ConstStaticCell::new(ch::State::new());
    static RESOURCES: ConstStaticCell<StackResources<3>> =
        ConstStaticCell::new(StackResources::new());
    let (runner, device) = ch::new(
        STATE.take(),
        ch::driver::HardwareAddress::Ethernet([2, 0, 0, 0, 0, 1]),
    );
    let config = embassy_net::Config::dhcpv4(Default::default());
    let (stack, net) = embassy_net::new(device, config, RESOURCES.take(), seed);
    (stack, net, runner)
}

/// A NOR flash that reads erased and accepts writes (a real driver replaces it).
#[allow(dead_code)] // used by `full` only
pub struct NullFlash;

impl ErrorType for NullFlash {
    type Error = NorFlashErrorKind;
}

impl ReadNorFlash for NullFlash {
    const READ_SIZE: usize = 1;
    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        // Volatile so that the optimizer cannot reason the storage code away.
        let v = unsafe { core::ptr::read_volatile(&offset) };
        bytes.fill((v >> 31) as u8 | 0xFF);
        Ok(())
    }
    fn capacity(&self) -> usize {
        64 * 1024
    }
}

impl NorFlash for NullFlash {
    const WRITE_SIZE: usize = 4;
    const ERASE_SIZE: usize = 4096;
    async fn erase(&mut self, _from: u32, _to: u32) -> Result<(), Self::Error> {
        Ok(())
    }
    async fn write(&mut self, _offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        core::hint::black_box(bytes);
        Ok(())
    }
}

/// An RNG stand-in (a real board uses its hardware TRNG).
#[allow(dead_code)] // not used by `reqwless_tls`
pub struct BoardRng(pub u64);

impl rand_core::RngCore for BoardRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for BoardRng {}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        cortex_m::asm::udf();
    }
}

#[cfg(feature = "rsa")]
#[global_allocator]
static HEAP: embedded_alloc::LlffHeap = embedded_alloc::LlffHeap::empty();

/// Gives reqwless' RSA verifier (embedded-tls `rustpki`) its heap (feature `rsa`); our verifier
/// needs none.
#[allow(dead_code)] // only reqwless_tls calls it
pub fn heap() {
    #[cfg(feature = "rsa")]
    {
        const SIZE: usize = 24 * 1024;
        static mut MEM: [core::mem::MaybeUninit<u8>; SIZE] =
            [core::mem::MaybeUninit::uninit(); SIZE];
        unsafe { HEAP.init(core::ptr::addr_of_mut!(MEM) as usize, SIZE) }
    }
}
