//! aws-session on a NUCLEO-F429ZI: Ethernet (RMII, LAN8742) with DHCP, the profile in the last two
//! 128 KiB sectors of bank 1, TLS 1.3 to STS with Amazon's roots, `GetCallerIdentity` signed with
//! the flash profile's keys. Logs over defmt-RTT.
//!
//! Provision the profile from a desktop: `aws-session device image --profile NAME --board nucleo-f429zi
//! -o store.bin`, then flash `store.bin` at the address it prints (README, "Provisioning a device").
#![no_std]
#![no_main]

#[path = "../../common/app.rs"]
mod app;

use aws_session_embassy::clock::WallClock;
use aws_session_embassy::tls::{self, ClockPolicy, TrustAnchors};
use defmt::{error, info};
use embassy_embedded_hal::adapter::BlockingAsync;
use embassy_executor::Spawner;
use embassy_net::StackResources;
use embassy_stm32::eth::{Ethernet, GenericPhy, PacketQueue, Sma};
use embassy_stm32::flash::Flash;
use embassy_stm32::peripherals::{ETH, ETH_SMA};
use embassy_stm32::rng::Rng;
use embassy_stm32::time::Hertz;
use embassy_stm32::{bind_interrupts, eth, peripherals, rng, Config};
use embassy_time::Timer;
use static_cell::{ConstStaticCell, StaticCell};
use {defmt_rtt as _, panic_probe as _};

bind_interrupts!(struct Irqs {
    ETH => eth::InterruptHandler;
    HASH_RNG => rng::InterruptHandler<peripherals::RNG>;
});

type Device = Ethernet<'static, ETH, GenericPhy<Sma<'static, ETH_SMA>>>;

/// The trust anchors: Amazon Root CA 1 and 3, converted by build.rs.
static ANCHOR_RSA: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/anchor0.der"));
static ANCHOR_EC: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/anchor1.der"));
static ANCHORS: [&[u8]; 2] = [ANCHOR_RSA, ANCHOR_EC];

/// Bank 1, region 3 (sectors 5–11, 128 KiB each, from 0x0802_0000): the last two sectors.
const PROFILE_RANGE: core::ops::Range<u32> = (5 * 128 * 1024)..(7 * 128 * 1024);

static CLOCK: WallClock = WallClock::new();

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, Device>) -> ! {
    runner.run().await
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let mut config = Config::default();
    {
        use embassy_stm32::rcc::*;
        config.rcc.hse = Some(Hse {
            freq: Hertz(8_000_000),
            mode: HseMode::Bypass,
        });
        config.rcc.pll_src = PllSource::HSE;
        config.rcc.pll = Some(Pll {
            prediv: PllPreDiv::DIV4,
            mul: PllMul::MUL180,
            divp: Some(PllPDiv::DIV2), // 180 MHz
            divq: None,
            divr: None,
        });
        config.rcc.ahb_pre = AHBPrescaler::DIV1;
        config.rcc.apb1_pre = APBPrescaler::DIV4;
        config.rcc.apb2_pre = APBPrescaler::DIV2;
        config.rcc.sys = Sysclk::PLL1_P;
    }
    let p = embassy_stm32::init(config);
    tls::check_validity_with(&CLOCK);

    let mut rng = Rng::new(p.RNG, Irqs);
    let seed = rng.next_u64();
    let mac = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x01];
    static PACKETS: ConstStaticCell<PacketQueue<4, 4>> = ConstStaticCell::new(PacketQueue::new());
    let device = Ethernet::new(
        PACKETS.take(),
        p.ETH,
        Irqs,
        p.PA1,
        p.PA7,
        p.PC4,
        p.PC5,
        p.PG13,
        p.PB13,
        p.PG11,
        mac,
        p.ETH_SMA,
        p.PA2,
        p.PC1,
    );
    // A const cell: in .bss from the start, not built on the stack and moved there.
    static RESOURCES: ConstStaticCell<StackResources<4>> =
        ConstStaticCell::new(StackResources::new());
    let net_config = embassy_net::Config::dhcpv4(Default::default());
    let (stack, runner) = embassy_net::new(device, net_config, RESOURCES.take(), seed);
    spawner
        .spawn(net_task(runner))
        .expect("spawn the network task");
    stack.wait_config_up().await;
    info!("network up");

    let flash = BlockingAsync::new(
        Flash::new_blocking(p.FLASH)
            .into_blocking_regions()
            .bank1_region3,
    );
    static MEMORY: StaticCell<app::AppMemory> = StaticCell::new();
    let memory = app::AppMemory::init(MEMORY.uninit());
    // Certificate dates are checked from the build time until the first response's `Date` sets
    // the clock.
    let anchors = TrustAnchors::new(&ANCHORS)
        .with_clock_policy(ClockPolicy::BuildTimeLowerBound(tls::BUILD_TIME));
    match app::run(
        stack,
        flash,
        PROFILE_RANGE,
        &mut rng,
        &CLOCK,
        &anchors,
        memory,
    )
    .await
    {
        Ok(status) => info!("GetCallerIdentity: HTTP {}", status),
        Err(e) => error!("failed: {}", defmt::Debug2Format(&e)),
    }
    loop {
        Timer::after_secs(60).await;
    }
}
