//! Everything a device runs: flash profile store, session, wall clock, core's async pipeline with
//! the SigV4 signer, HTTP/1.1 client, TLS 1.3 with certificate verification, embassy-net.
#![no_std]
#![no_main]

#[path = "../../../common/app.rs"]
mod app;
#[path = "../board.rs"]
mod board;

use aws_session_embassy::clock::WallClock;
use aws_session_embassy::tls::TrustAnchors;
use embassy_executor::Spawner;
use static_cell::StaticCell;

static CLOCK: WallClock = WallClock::new();
static ANCHOR: [u8; 8] = [0x30, 0x82, 0x01, 0x00, 0x30, 0x82, 0x00, 0x00];
static ANCHORS: [&[u8]; 1] = [&ANCHOR];

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, board::Device>) -> ! {
    runner.run().await
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    board::heap();
    let (stack, net, _device) = board::network(1);
    spawner.spawn(net_task(net)).ok();
    static MEMORY: StaticCell<app::AppMemory> = StaticCell::new();
    let memory = MEMORY.init_with(app::AppMemory::new);
    let mut rng = board::BoardRng(7);
    let anchors = TrustAnchors::new(&ANCHORS);
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
