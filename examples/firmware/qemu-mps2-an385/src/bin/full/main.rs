//! The device application of the firmware examples (`examples/firmware/common/app.rs`) on QEMU's
//! mps2-an385 (Cortex-M3), against real servers: the profile and device identity from a store
//! image that `aws-session device image` wrote, the AWS IoT credentials provider over mutual TLS,
//! then STS `GetCallerIdentity` over TLS, signed with the credentials it returned. Its purpose is
//! the measurement the size builds cannot make: the peak stack of the whole application, with
//! RSA chain verification, the device's ECDSA signature and both handshakes.
//!
//! `scripts/qemu-full.sh` runs it (README, "Tests"): it starts the servers in a network
//! namespace, writes the store image, and starts QEMU with three blobs in PSRAM (addresses in
//! [`board`]) and UART0 joined to a TAP device ([`serial_link`]). The firmware prints over
//! semihosting and exits with status 0 when `GetCallerIdentity` answered 200.
#![no_std]
#![no_main]

#[path = "../../../../common/app.rs"]
mod app;
#[path = "../../device/board.rs"]
mod board;
#[path = "../../device/serial_link.rs"]
mod serial_link;
#[path = "../../stack.rs"]
mod stack;
#[path = "../../systick.rs"]
mod systick;

use board::finish;
use cortex_m_semihosting::hprintln;
use embassy_executor::Spawner;

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let result = board::start(spawner, "device application")
        .await
        .run(
            "the device application (credentials, then STS over TLS)",
            app::run,
        )
        .await;
    match result {
        Ok(status) => {
            hprintln!("GetCallerIdentity: HTTP {}", status);
            finish(status == 200)
        }
        Err(e) => {
            hprintln!("device application failed: {}", e);
            finish(false)
        }
    }
}
