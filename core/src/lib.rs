//! # aws-session-core
//!
//! A `no_std`, heap-free rebuild of the AWS SDK for Go v1 `session` package: the object that gathers
//! region, credentials, endpoint settings and request handlers once, and from which every service
//! client is made.
//!
//! ## Layers
//!
//! Bottom first. A module uses only modules of its own layer and of the layers below it;
//! `tests/layers.rs` checks every `crate::` path against this table (test code and the
//! self-test registry aside).
//!
//! | layer | module | what it does |
//! |---|---|---|
//! | values | [`limits`], [`error_kind`], [`text`], [`secret`], [`keys`], [`time`], [`provenance`], [`shared_file`], `xml` | every fixed capacity with its reason; the shared platform error kind; fixed-capacity text; secrets that wipe themselves and the access key pair that holds them; time as a value; where each setting came from; the shared config file a parser reads; the crate's small XML scanner |
//! | platform | [`platform`], [`http`] | small capability traits an adapter implements (clock, environment, profile source, transport, entropy, sleep), and the neutral HTTP views transports read and fill |
//! | profile files | [`profile`] | the cross-SDK `~/.aws/config` / `credentials` parser, with line numbers |
//! | config | [`config`] | the settings table (every setting described once), the environment and file layers written from it, and the merge, every value remembering where it came from |
//! | credentials | [`credentials`] | the Go v1 credential plan made from the config layers; the sans-IO parts of the network providers: credentials JSON (process, container, IMDS, SSO), the SSO token cache, STS request bodies and response XML |
//! | protocols | [`protocol`] | query, JSON 1.0/1.1, REST-JSON and REST-XML request helpers; error answers decoded (code, message, request id) for retries, credential expiry and clock-skew correction |
//! | signing | [`sigv4`] | AWS Signature Version 4: header signing, presigned URLs, aws-chunked streaming |
//! | handlers | [`handlers`] | the 14 Go v1 handler lists and the request pipeline that runs them |
//! | session and clients | [`session`], [`client`], [`endpoint`], [`skew`] | `Session::new` / `rebuild` / `copy_with` (the Go v1 `NewSessionWithOptions` contract); clients made from a session, with endpoint resolution (Go v1's legacy endpoint model as generated tables: global services, signing names, FIPS and dual-stack variants), validation and signing handlers, and the session's clock-skew correction. Endpoint resolution uses only the values layer, but only clients call it, so it sits with them |
//! | operations | [`ops`] | thin typed operations on a client, sans IO: each prepares its request and parses the answer from the response buffer (STS, SQS, SNS, DynamoDB, Kinesis, IoT Data), and raw calls of any protocol |
//!
//! ## Driving I/O: a sans-IO pipeline
//!
//! The request pipeline ([`handlers::Pipeline`]) never performs I/O itself. It is a state machine
//! that tells its driver what to do next — send these bytes, sleep this long, finished — and is fed
//! the outcome. A blocking std adapter drives it with a loop; an async embassy adapter drives the very
//! same state machine with `.await`s between steps. We chose this over async traits with a tiny
//! executor on std because (1) the phase order, retry decisions and handler calls then exist exactly
//! once, in `core`, (2) no executor or waker plumbing is needed on std, and (3) every step is a pure
//! function of its inputs, so tests replay exact sequences without a network or a clock.
//!
//! ## Guarantees
//!
//! * `#![no_std]`, no `alloc`, `#![forbid(unsafe_code)]`.
//! * No panicking paths outside tests: capacities overflow into typed errors that name the limit.
//! * Secrets (secret access key, session token, signing key) have redacted `Debug`, no `Display`,
//!   and are zeroized on drop.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(any(test, feature = "selftest")),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![deny(missing_docs)]
// Creation errors own the path or name they report (`text::ErrorText`), so `?` can carry them
// anywhere; with no heap to box into they are a few hundred bytes. Their cost on a small stack is
// measured (the QEMU image's `Session::rebuild` figure), not guessed by this lint.
#![allow(clippy::result_large_err)]

#[cfg(test)]
extern crate std;

// Modules in layer order, bottom first (see the table above).

#[macro_use]
mod log;
#[macro_use]
mod macros;

pub mod error_kind;
pub mod keys;
pub mod limits;
pub mod provenance;
pub mod secret;
pub mod shared_file;
pub mod text;
pub mod time;
pub(crate) mod xml;

pub mod http;
pub mod platform;

pub mod profile;

pub mod config;

pub mod credentials;

pub mod protocol;

pub mod sigv4;

pub mod handlers;

pub mod client;
pub mod endpoint;
pub mod fetch;
pub mod request_log;
pub mod session;
pub mod skew;
pub mod user_agent;

pub mod ops;

#[cfg(any(test, feature = "test-util"))]
pub mod test_util;

#[cfg(feature = "selftest")]
pub mod selftest;
#[cfg(all(test, not(feature = "selftest")))]
mod selftest;
