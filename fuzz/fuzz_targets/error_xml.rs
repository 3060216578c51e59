//! Fuzzes the XML error decoder (query, EC2 and REST-XML answers) of `protocol::decode_error`.
//! Input format and properties: `error_common.rs`.
#![no_main]

use aws_session_core::protocol::Protocol;
use libfuzzer_sys::fuzz_target;

#[path = "error_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::run(
        data,
        [Protocol::Query, Protocol::Ec2Query, Protocol::RestXml],
    );
});
