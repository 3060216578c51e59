//! Everything a device runs: flash profile store, session, wall clock, core's async pipeline with
//! the SigV4 signer, HTTP/1.1 client, TLS 1.3 with certificate verification, embassy-net.
#![no_std]
#![no_main]

#[path = "../../../common/app.rs"]
mod app;
#[path = "../board.rs"]
mod board;

use aws_session_embassy::clock::WallClock;
use aws_session_embassy::tls::{ClockPolicy, TrustAnchors, BUILD_TIME};
use embassy_executor::Spawner;
use static_cell::StaticCell;

static CLOCK: WallClock = WallClock::new();

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, board::Device>) -> ! {
    runner.run().await
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let (stack, net, _device) = board::network(1);
    spawner.spawn(net_task(net)).ok();
    static MEMORY: StaticCell<app::AppMemory> = StaticCell::new();
    let memory = app::AppMemory::init(MEMORY.uninit());
    let mut rng = board::BoardRng(7);
    // The AWS roots, pre-parsed; certificate dates from the build time until the clock is set.
    let anchors =
        TrustAnchors::aws().with_clock_policy(ClockPolicy::BuildTimeLowerBound(BUILD_TIME));
    let result = app::run(
        stack,
        board::NullFlash,
        0..8192,
        &mut rng,
        &CLOCK,
        &anchors,
        memory,
    )
    .await;
    core::hint::black_box(&result);
}
