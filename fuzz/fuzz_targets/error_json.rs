//! Fuzzes the JSON error decoder (JSON 1.0 / 1.1 and REST-JSON answers, `x-amzn-ErrorType`) of
//! `protocol::decode_error`. Input format and properties: `error_common.rs`.
#![no_main]

use aws_session_core::protocol::Protocol;
use libfuzzer_sys::fuzz_target;

#[path = "error_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::run(
        data,
        [Protocol::Json10, Protocol::Json11, Protocol::RestJson],
    );
});
