//! What the device applications on QEMU's mps2-an385 share (`src/bin/full`, `src/bin/publish`):
//! the store image, trust anchor and RNG seed that `scripts/qemu-full.sh` loads into PSRAM, the
//! network (Ethernet frames over UART0, [`serial_link`]), the application's memory, and the way a
//! run ends (semihosting exit status, static RAM and stack reports).

use crate::{app, serial_link, stack, systick};
use aws_session_embassy::clock::WallClock;
use aws_session_embassy::tls::{ClockPolicy, TrustAnchors, BUILD_TIME};
use cortex_m_rt::{exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};
use embassy_executor::Spawner;
use embassy_net::{Ipv4Address, Ipv4Cidr, StackResources, StaticConfigV4};
use embassy_net_driver_channel as ch;
use embedded_storage_async::nor_flash::{ErrorType, NorFlash, NorFlashErrorKind, ReadNorFlash};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use static_cell::{ConstStaticCell, StaticCell};

/// Where QEMU loads the store image (`-device loader`), and its geometry: what
/// `aws-session device image --write-size 4 --erase-size 4096 --size 16384` was told.
const STORE_ADDR: usize = 0x2100_0000;
pub const STORE_LEN: usize = 16 * 1024;
const STORE_WRITE_SIZE: usize = 4;
const STORE_ERASE_SIZE: usize = 4096;
/// Where QEMU loads the trust anchor (one DER certificate, the test PKI's root).
const ANCHOR_ADDR: usize = 0x2101_0000;
/// The largest anchor accepted.
const MAX_ANCHOR_LEN: usize = 4096;
/// Where QEMU loads 32 bytes of seed for the RNG (this machine has no TRNG).
const SEED_ADDR: usize = 0x2102_0000;

/// The device's address on the link, and the host's (the TAP device's).
const DEVICE: Ipv4Address = Ipv4Address::new(10, 77, 1, 2);
const HOST: Ipv4Address = Ipv4Address::new(10, 77, 1, 1);

/// The device's wall clock.
pub static CLOCK: WallClock = WallClock::new();

/// The store image in PSRAM, as a NOR flash.
pub struct LoadedFlash;

impl LoadedFlash {
    fn range(offset: u32, len: usize) -> Result<*mut u8, NorFlashErrorKind> {
        let start = offset as usize;
        match start.checked_add(len) {
            Some(end) if end <= STORE_LEN => Ok((STORE_ADDR + start) as *mut u8),
            _ => Err(NorFlashErrorKind::OutOfBounds),
        }
    }
}

impl ErrorType for LoadedFlash {
    type Error = NorFlashErrorKind;
}

impl ReadNorFlash for LoadedFlash {
    const READ_SIZE: usize = 1;
    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        let at = Self::range(offset, bytes.len())?;
        // SAFETY: inside the store's PSRAM range, which nothing else uses.
        unsafe { core::ptr::copy_nonoverlapping(at, bytes.as_mut_ptr(), bytes.len()) };
        Ok(())
    }
    fn capacity(&self) -> usize {
        STORE_LEN
    }
}

impl NorFlash for LoadedFlash {
    const WRITE_SIZE: usize = STORE_WRITE_SIZE;
    const ERASE_SIZE: usize = STORE_ERASE_SIZE;
    async fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        let len = to.checked_sub(from).ok_or(NorFlashErrorKind::OutOfBounds)? as usize;
        let at = Self::range(from, len)?;
        // SAFETY: as in `read`.
        unsafe { core::ptr::write_bytes(at, 0xFF, len) };
        Ok(())
    }
    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        let at = Self::range(offset, bytes.len())?;
        // SAFETY: as in `read`.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), at, bytes.len()) };
        Ok(())
    }
}

/// The DER certificate QEMU loaded at [`ANCHOR_ADDR`], if one is there.
fn loaded_anchor() -> Option<&'static [u8]> {
    // SAFETY: PSRAM, which QEMU loaded and nothing writes.
    let at = |n: usize| unsafe { core::slice::from_raw_parts(ANCHOR_ADDR as *const u8, n) };
    let head = at(4);
    let len = match (head[0], head[1]) {
        (0x30, 0x81) => 3 + usize::from(head[2]),
        (0x30, 0x82) => 4 + usize::from(u16::from_be_bytes([head[2], head[3]])),
        _ => return None,
    };
    (len <= MAX_ANCHOR_LEN).then(|| at(len))
}

/// The RNG, seeded from the 32 bytes QEMU loaded at [`SEED_ADDR`] (none: all zero).
fn loaded_rng() -> Option<ChaCha20Rng> {
    let mut seed = [0u8; 32];
    // SAFETY: as in `loaded_anchor`.
    unsafe { core::ptr::copy_nonoverlapping(SEED_ADDR as *const u8, seed.as_mut_ptr(), 32) };
    (seed != [0; 32]).then(|| ChaCha20Rng::from_seed(seed))
}

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, serial_link::Device>) -> ! {
    runner.run().await
}

/// Reports the static RAM and ends the run: exit status 0 when `ok`.
pub fn finish(ok: bool) -> ! {
    hprintln!("static RAM: {} bytes (.data + .bss)", stack::static_ram());
    if ok {
        hprintln!("device application: passed");
        debug::exit(debug::EXIT_SUCCESS);
    } else {
        hprintln!("device application: FAILED");
        debug::exit(debug::EXIT_FAILURE);
    }
    loop {}
}

/// What a run starts with: the network up, the trust anchor, the RNG and the application's
/// memory.
pub struct Started {
    /// The network stack (10.77.1.2, the host at 10.77.1.1).
    pub stack: embassy_net::Stack<'static>,
    /// The loaded anchor, validity checked against the build time until the clock is set.
    pub anchors: TrustAnchors<'static>,
    /// The RNG seeded from PSRAM.
    pub rng: ChaCha20Rng,
    /// The application's memory, made in place.
    pub memory: &'static mut app::AppMemory,
}

impl Started {
    /// Runs `app` (the shape of `app::run` and `publish::run`) on the board's parts: the
    /// network, the store image as flash, the RNG, the clock, the anchors and the memory. Then
    /// reports the deepest stack it used, naming it `what`.
    pub async fn run<T>(
        self,
        what: &str,
        app: impl AsyncFnOnce(
            embassy_net::Stack<'static>,
            LoadedFlash,
            core::ops::Range<u32>,
            &mut ChaCha20Rng,
            &'static WallClock,
            &TrustAnchors<'static>,
            &'static mut app::AppMemory,
        ) -> T,
    ) -> T {
        let Started {
            stack,
            anchors,
            mut rng,
            memory,
        } = self;
        let out = app(
            stack,
            LoadedFlash,
            0..STORE_LEN as u32,
            &mut rng,
            &CLOCK,
            &anchors,
            memory,
        )
        .await;
        stack::report(what);
        out
    }
}

/// Paints the stack, starts the SysTick driver and the network, and loads the anchor and seed;
/// `what` names the application in the first line printed. Ends the run when a part is missing.
pub async fn start(spawner: Spawner, what: &str) -> Started {
    stack::paint();
    let Some(p) = cortex_m::Peripherals::take() else {
        finish(false)
    };
    systick::start(p.SYST);
    hprintln!(
        "aws-session {} on Cortex-M3 (mps2-an385), network over UART0",
        what
    );
    let (Some(anchor), Some(mut rng)) = (loaded_anchor(), loaded_rng()) else {
        hprintln!("no trust anchor or seed loaded (run scripts/qemu-full.sh)");
        finish(false)
    };

    // Const cells: in .bss from the start, not built on the stack and moved there.
    static LINK: ConstStaticCell<ch::State<{ serial_link::MTU }, 2, 2>> =
        ConstStaticCell::new(ch::State::new());
    static RESOURCES: ConstStaticCell<StackResources<3>> =
        ConstStaticCell::new(StackResources::new());
    let (link, device) = ch::new(
        LINK.take(),
        ch::driver::HardwareAddress::Ethernet([2, 0, 0, 0, 0, 2]),
    );
    let config = embassy_net::Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(DEVICE, 24),
        gateway: Some(HOST),
        dns_servers: Default::default(),
    });
    let seed = rand_core::RngCore::next_u64(&mut rng);
    let (stack, net) = embassy_net::new(device, config, RESOURCES.take(), seed);
    if spawner.spawn(net_task(net)).is_err() || spawner.spawn(serial_link::run(link)).is_err() {
        finish(false)
    }
    stack.wait_config_up().await;
    stack::report("start-up");

    static ANCHORS: StaticCell<[&'static [u8]; 1]> = StaticCell::new();
    let anchors = TrustAnchors::new(ANCHORS.init([anchor]))
        .with_clock_policy(ClockPolicy::BuildTimeLowerBound(BUILD_TIME));
    static MEMORY: StaticCell<app::AppMemory> = StaticCell::new();
    let memory = app::AppMemory::init(MEMORY.uninit());
    Started {
        stack,
        anchors,
        rng,
        memory,
    }
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    hprintln!("HardFault at {:#010x}", frame.pc());
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}
