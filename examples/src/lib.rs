//! Runnable examples for aws-session.
//!
//! * `cargo run -p aws-session-examples --example embedded_profile` — a session built the way
//!   firmware builds one: a provisioned profile text and a constant environment table, each
//!   implementing one small platform trait; prints every value with its source.
//! * `cargo run -p aws-session-examples --example signed_request` — a client made from a session
//!   signs a DynamoDB request through the handler pipeline (nothing is sent).
//! * `examples/firmware/` — firmware examples (QEMU, STM32, ESP32-C3), built from their folders.
