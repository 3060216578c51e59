//! # aws-session-embassy
//!
//! The embassy adapter of aws-session: what an ESP32 or STM32 firmware needs to create a session
//! and sign requests without `~/.aws` and without an RTC.
//!
//! | module | what it does |
//! |---|---|
//! | [`store`] | named profiles in NOR flash (sequential-storage), safe against power loss; import from `~/.aws/config` text; a `ProfileSource` for `Session::new` |
//! | [`clock`] | a wall clock on embassy-time, set from HTTP `Date` headers or SNTP; typed `ClockUnset` before that |
//! | [`http`] | an HTTP/1.1 client over any `embedded-io-async` stream (httparse; content-length, chunked, keep-alive; typed errors; caller-owned buffers), implementing core's `AsyncTransport` |
//! | [`net`] | DNS + TCP over embassy-net with reconnects: `TcpTransport` for `http://` endpoints (feature `net`) |
//! | [`link`] | HTTPS requests, and credential calls, over a kept-alive connection that is opened again inside the handlers' retries when the server closed it or it broke, and before a request when it sat idle too long (feature `tls`) |
//! | [`tls`] | HTTPS: TLS 1.3 with `embedded-tls`, the server authenticated by `aws-session-tls-verify` against the AWS roots or the application's anchors, no heap (feature `tls`) |
//! | [`platform`] | [`EmbassyPlatform`]: transport, wall clock, `Timer` sleep and RNG in one value for `Client::send_async`; sets an unset clock from the endpoint's `Date` before the first request |
//! | [`credentials`] | [`DeviceCredentials`](credentials::DeviceCredentials): the shared credential cache in a `static` (critical-section mutex) and the web identity token, so assume-role and web-identity profiles refresh on the device |
//! | [`error`] | [`Error`]: one error for the device flow (store, session, client, connection, request) |
//! | `test_util` | an in-RAM NOR flash that can lose power at any write (feature `test-util`) |
//!
//! All state is caller-owned: each type has a `new` you can put in a `static_cell::StaticCell`.
//! Logging goes through one shim to `defmt` (feature `defmt`); secrets are never logged.
#![no_std]
// Denied, not forbidden: `lend` and its one caller in `link` allow it for themselves alone
// (buffers lent to one connection after another, which borrows cannot say; see `lend`).
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

#[macro_use]
mod log;

pub mod clock;
pub mod credentials;
pub mod error;
pub mod http;
#[cfg(feature = "tls")]
mod lend;
pub mod limits;
#[cfg(feature = "tls")]
pub mod link;
#[cfg(feature = "net")]
pub mod net;
pub mod platform;
pub mod store;
#[cfg(feature = "tls")]
pub mod tls;

#[cfg(any(test, feature = "test-util"))]
pub mod test_util;

pub use error::Error;
pub use platform::EmbassyPlatform;
