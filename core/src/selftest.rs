//! Core's no_std self-test suite, runnable on the host (`cargo test`) and on a target (the QEMU
//! firmware in `core/qemu`, built for a Cortex-M3 and for a 32-bit RISC-V core, iterates
//! [`SHARDS`] and exits through semihosting).
//!
//! A test signals failure by panicking (`assert!`); the firmware's panic handler reports the
//! message and exits non-zero, so a failing test fails the QEMU run.

#![cfg_attr(not(feature = "selftest"), allow(dead_code))] // host `cargo test` runs them as #[test]s instead

/// One self-test: its path and its body.
#[derive(Clone, Copy)]
pub struct SelfTest {
    /// `module::path::name` of the test.
    pub name: &'static str,
    /// The test body; it panics on failure.
    pub run: fn(),
}

impl core::fmt::Debug for SelfTest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name)
    }
}

/// Every module's self-tests, in shards. A firmware image runs one shard, so that each image's
/// tests fit the 256 KiB flash of the smallest QEMU target (lm3s6965evb); both architectures' images
/// use these same shards, and the host runs them all as `#[test]`s. Add a module's
/// `selftests::ALL` to the shard of its area (`scripts/test-all.sh qemu` prints each image's flash).
pub const SHARDS: &[&[&[SelfTest]]] = &[
    // Configuration and session creation.
    &[
        crate::session::selftests::ALL,
        crate::config::settings::selftests::ALL,
        crate::credentials::cache::selftests::ALL,
        crate::text::selftests::ALL,
        crate::profile::parse::selftests::ALL,
        crate::profile::value::selftests::ALL,
        crate::profile::normalize::selftests::ALL,
        crate::profile::lookup::selftests::ALL,
    ],
    // Signing.
    &[
        crate::time::selftests::ALL,
        crate::sigv4::selftests::DATE_CACHE,
        crate::sigv4::selftests::ENCODING,
        crate::sigv4::selftests::SIGNING_KEY,
        crate::sigv4::selftests::CONFORMANCE,
        #[cfg(feature = "sigv4a")]
        crate::sigv4::selftests::V4A,
    ],
    // Handlers and the request pipeline.
    &[
        crate::handlers::selftests::ALL,
        crate::handlers::list::selftests::ALL,
        crate::handlers::request::selftests::ALL,
        crate::handlers::retry::selftests::ALL,
        crate::handlers::pipeline::selftests::ALL,
        crate::handlers::driver::selftests::ALL,
        crate::user_agent::selftests::ALL,
        crate::request_log::selftests::ALL,
    ],
    // Clients made from a session: endpoints, signing, the credential gate, clock skew. (Apart
    // from the handlers since the protocol decoders and the endpoint tables made the two together
    // overflow the lm3s6965's flash.)
    &[crate::client::selftests::ALL, crate::skew::selftests::ALL],
    // HTTP messages (header store, bodies, request and response), the sans-IO parsers and
    // bodies of the credential providers, and the protocol decoders. (The HTTP tests sit here, not with the pipeline, so
    // that the pipeline's image keeps room in the lm3s6965's flash.)
    &[
        crate::http::selftests::HEADERS,
        crate::http::selftests::BODY,
        crate::http::selftests::REQUEST,
        crate::http::selftests::RESPONSE,
        crate::http::selftests::URL,
        crate::http::selftests::FRAMING,
        crate::credentials::json::selftests::ALL,
        crate::credentials::json::sso::selftests::ALL,
        crate::credentials::sts::selftests::ALL,
        crate::protocol::selftests::ALL,
        crate::protocol::decode::selftests::ALL,
        crate::protocol::request::selftests::ALL,
    ],
    // Endpoint resolution with the default tables (STS, S3, SSO, SSO OIDC).
    &[crate::endpoint::selftests::ALL],
    // Thin typed operations: request builders and answer parsers.
    &[
        crate::ops::selftests::ALL,
        crate::ops::sts::selftests::ALL,
        crate::ops::sqs::selftests::ALL,
        crate::ops::sns::selftests::ALL,
        crate::ops::dynamodb::selftests::ALL,
        crate::ops::kinesis::selftests::ALL,
        crate::ops::iot_data::selftests::ALL,
        crate::ops::raw::selftests::ALL,
        crate::ops::s3::selftests::ALL,
    ],
];

/// Number of self-tests in shard `shard` (0 for an unknown shard), computed at compile time when
/// `shard` is a constant, so it does not pull other shards' tests into an image.
pub const fn count(shard: usize) -> usize {
    let mut n = 0;
    if shard < SHARDS.len() {
        let suites = SHARDS[shard];
        let mut i = 0;
        while i < suites.len() {
            n += suites[i].len();
            i += 1;
        }
    }
    n
}
