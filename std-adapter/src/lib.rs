//! # aws-session-std
//!
//! The `std` adapter of [`aws_session_core`]: what a desktop or server process needs to create a
//! session exactly as the AWS SDK for Go v1 does from its environment and `~/.aws` files, and to
//! send signed requests.
//!
//! | module | what it provides | core trait |
//! |---|---|---|
//! | [`env`](mod@env) | [`StdEnv`], a snapshot of the process environment | [`Environment`](aws_session_core::platform::Environment) |
//! | [`files`] | [`FileSource`], the shared config files read from disk | [`ProfileSource`](aws_session_core::platform::ProfileSource) |
//! | [`bounded_read`] | reads of files named by settings, bounded in size and in waiting (bounds in [`limits`]) | — |
//! | [`load`](mod@load) | [`load()`], environment + files + `Session::new` in one call | — |
//! | [`credentials`] | `resolve`: the session's credentials through core's providers; `credential_process` | — |
//! | [`cache`] | [`StdCredentials`]: the shared credential cache and the host providers use (files, SSO cache, processes, MFA) | [`SharedCredentials`](aws_session_core::credentials::cache::SharedCredentials) |
//! | [`clock`] | [`SystemClock`], the wall clock | [`Clock`](aws_session_core::platform::Clock) |
//! | [`sleep`] | [`ThreadSleep`], retry back-off | [`Sleep`](aws_session_core::platform::Sleep) |
//! | [`entropy`] | [`StdEntropy`], retry jitter | [`Entropy`](aws_session_core::platform::Entropy) |
//! | [`transport`] (feature `https`) | `HttpsTransport`: HTTP/1.1 over std sockets and rustls, kept-alive connections | [`Transport`](aws_session_core::platform::Transport) |
//! | [`platform`] (feature `https`) | `StdPlatform`: transport, clock, sleep and entropy in one value for `Client::send` | [`Platform`](aws_session_core::platform::Platform) |
//!
//! Shared files are parsed by core's cross-SDK profile parser rather than by `rust-ini`, which
//! cannot pass the cross-SDK parser suites; see [`files`] and `aws_session_core::profile`.
//!
//! The `aws-session` command-line tool ([`cli`], feature `cli`) is built on this crate: `configure list`
//! shows where every value came from; `sign`, `presign` and `curl` sign real requests.
//!
//! ## Features
//! * `https` (default): the blocking HTTPS transport. Without it, plug your own client by
//!   implementing core's `Transport` trait.
//! * `cli` (default): the `aws-session` binary.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bounded_read;
pub mod cache;
#[cfg(feature = "cli")]
pub mod cli;
pub mod clock;
pub mod credentials;
pub mod entropy;
pub mod env;
pub mod files;
pub mod limits;
pub mod load;
#[cfg(feature = "https")]
pub mod platform;
pub mod sleep;
#[cfg(feature = "https")]
pub mod transport;

pub use cache::{StdCredentials, StdHost};
pub use clock::SystemClock;
pub use entropy::StdEntropy;
pub use env::{StdEnv, StdEnvError};
pub use files::{FileSource, FileStatus, HomeFallback, HomeResolver, Platform};
pub use load::{load, load_with, LoadError, LoadErrorKind, LoadedSession};
#[cfg(feature = "https")]
pub use platform::StdPlatform;
pub use sleep::ThreadSleep;
#[cfg(feature = "https")]
pub use transport::{HttpsConfig, HttpsTransport, TransportError};
