//! The IoT Core publishing example (`examples/firmware/common/publish.rs`) on QEMU's mps2-an385
//! (Cortex-M3), against real servers: the profile and device identity from a store image that
//! `aws-session device image` wrote, temporary keys from the AWS IoT credentials provider over
//! mutual TLS, then one publish with the device certificate on port 8443, one with it on port
//! 443 (ALPN `x-amzn-http-ca`), and one signed with SigV4 on port 443.
//!
//! `scripts/qemu-full.sh` runs it beside `full` (same board code, `src/device`): the servers in
//! a network namespace play IoT Core (client certificates on 8443, and on 443 when the ALPN
//! protocol is offered; moto, which checks the signature, behind 443 otherwise). The firmware
//! exits with status 0 when all three publishes answered 200.
#![no_std]
#![no_main]

// The publishing example uses the app's loading, not its STS call.
#[allow(dead_code)]
#[path = "../../../../common/app.rs"]
mod app;
#[path = "../../device/board.rs"]
mod board;
#[path = "../../../../common/publish.rs"]
mod publish;
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
    let result = board::start(spawner, "IoT Core publishing")
        .await
        .run(
            "the publishing (credentials, then three publishes over TLS)",
            publish::run,
        )
        .await;
    match result {
        Ok(statuses) => {
            for (auth, status) in publish::Auth::ALL.iter().zip(statuses) {
                hprintln!("publish, {}: HTTP {}", auth.describe(), status);
            }
            finish(statuses == [200; 3])
        }
        Err(e) => {
            hprintln!("device application failed: {}", e);
            finish(false)
        }
    }
}
