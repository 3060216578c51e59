//! aws-session on an ESP32-C3 over Wi-Fi: esp-rtos runs embassy, esp-radio joins the network
//! (`WIFI_SSID` / `WIFI_PASSWORD` at build time), the profile lives in two 4 KiB sectors at the end
//! of the 4 MiB SPI flash, TLS 1.3 to STS with Amazon's roots, `GetCallerIdentity` signed with the
//! flash profile's keys. Logs over the USB serial console.
//!
//! Provision the profile from a desktop: `aws-session device image --profile NAME --board esp32c3
//! -o store.bin`, then flash `store.bin` at the address it prints (README, "Provisioning a device").
#![no_std]
#![no_main]

#[path = "../../common/app.rs"]
mod app;

use aws_session_embassy::clock::WallClock;
use aws_session_embassy::tls::{self, ClockPolicy, TrustAnchors};
use embassy_embedded_hal::adapter::BlockingAsync;
use embassy_executor::Spawner;
use embassy_net::StackResources;
use embassy_time::Timer;
use esp_hal::clock::CpuClock;
use esp_hal::rng::{Trng, TrngSource};
use esp_hal::timer::timg::TimerGroup;
use esp_println::println;
use esp_radio::wifi::sta::StationConfig;
use esp_radio::wifi::{
    AuthenticationMethodConfig, Config as WifiConfig, Interface, WifiController,
};
use esp_storage::FlashStorage;
use static_cell::{ConstStaticCell, StaticCell};

esp_bootloader_esp_idf::esp_app_desc!();

const SSID: &str = match option_env!("WIFI_SSID") {
    Some(s) => s,
    None => "aws-session-demo",
};
const PASSWORD: &str = match option_env!("WIFI_PASSWORD") {
    Some(s) => s,
    None => "change-me-please",
};

/// The trust anchors: Amazon Root CA 1 and 3, converted by build.rs.
static ANCHOR_RSA: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/anchor0.der"));
static ANCHOR_EC: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/anchor1.der"));
static ANCHORS: [&[u8]; 2] = [ANCHOR_RSA, ANCHOR_EC];

/// The last two 4 KiB sectors of a 4 MiB flash (give it a partition of its own in a product).
const PROFILE_RANGE: core::ops::Range<u32> = 0x3F_E000..0x40_0000;

static CLOCK: WallClock = WallClock::new();

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    println!("panic: {}", info);
    loop {}
}

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, Interface>) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn wifi_task(mut controller: WifiController<'static>) -> ! {
    loop {
        match controller.connect_async().await {
            Ok(_) => {
                let _ = controller.wait_for_disconnect_async().await;
                println!("wifi: disconnected");
            }
            Err(e) => println!("wifi: connect failed: {:?}", e),
        }
        Timer::after_secs(5).await;
    }
}

#[esp_rtos::main]
async fn main(spawner: Spawner) -> ! {
    let peripherals = esp_hal::init(esp_hal::Config::default().with_cpu_clock(CpuClock::max()));
    // Wi-Fi buffers (certificate verification needs no heap).
    esp_alloc::heap_allocator!(size: 96 * 1024);
    let timg0 = TimerGroup::new(peripherals.TIMG0);
    esp_rtos::start(timg0.timer0, peripherals.FROM_CPU_INTR0);
    tls::check_validity_with(&CLOCK);

    let _entropy = TrngSource::new(peripherals.RNG, peripherals.ADC1);
    let mut rng = Trng::try_new().expect("the TRNG source is enabled above");
    let seed = u64::from(rng.random()) << 32 | u64::from(rng.random());

    let mut controller =
        WifiController::new(peripherals.WIFI, Default::default()).expect("wifi controller");
    let station = StationConfig::default()
        .with_ssid(SSID.try_into().expect("SSID fits"))
        .with_authentication(AuthenticationMethodConfig::Wpa2Personal(
            PASSWORD.try_into().expect("password fits"),
        ));
    controller
        .set_config(&WifiConfig::Station(station))
        .expect("wifi config");
    spawner.spawn(wifi_task(controller).expect("spawn the wifi task"));

    // A const cell: in .bss from the start, not built on the stack and moved there.
    static RESOURCES: ConstStaticCell<StackResources<4>> =
        ConstStaticCell::new(StackResources::new());
    let net_config = embassy_net::Config::dhcpv4(Default::default());
    let (stack, runner) =
        embassy_net::new(Interface::station(), net_config, RESOURCES.take(), seed);
    spawner.spawn(net_task(runner).expect("spawn the network task"));
    stack.wait_config_up().await;
    println!("network up");

    let flash = BlockingAsync::new(FlashStorage::new(peripherals.FLASH));
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
        Ok(status) => println!("GetCallerIdentity: HTTP {}", status),
        Err(e) => println!("failed: {:?}", e),
    }
    loop {
        Timer::after_secs(60).await;
    }
}
