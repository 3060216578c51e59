//! Runnable examples for aws-session.
//!
//! * `cargo run -p aws-session-examples --example embedded_profile` — a session built the way
//!   firmware builds one: a provisioned profile text and a constant environment table, each
//!   implementing one small platform trait; prints every value with its source.
//! * `cargo run -p aws-session-examples --example signed_request` — a client made from a session
//!   signs a DynamoDB request through the handler pipeline (nothing is sent).
//! * `cargo run -p aws-session-examples --example sts_std` — STS `GetCallerIdentity` over HTTPS
//!   with the session loaded from the environment and `~/.aws` (needs credentials and network).
//! * `examples/firmware/` — firmware examples (QEMU, STM32, ESP32-C3), built from their folders.
