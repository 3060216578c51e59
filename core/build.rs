//! Chooses between the signer's speed paths and its size paths.
//!
//! The `wide_paths` cfg turns on the word-at-a-time byte scans and the inlining choices in
//! `sigv4` that trade flash for speed (see the `sigv4` module docs). It is set when the
//! `wide-paths` feature is enabled, or by default on 64-bit targets, where flash is plentiful,
//! unless `AWS_SESSION_NARROW_PATHS=1` asks for the size paths there too (to test them on a host).

use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wide_paths)");
    println!("cargo::rerun-if-env-changed=AWS_SESSION_NARROW_PATHS");
    println!("cargo::rerun-if-changed=build.rs");
    let feature = env::var_os("CARGO_FEATURE_WIDE_PATHS").is_some();
    let wide_target = env::var("CARGO_CFG_TARGET_POINTER_WIDTH").is_ok_and(|w| w == "64");
    let narrow = env::var("AWS_SESSION_NARROW_PATHS").is_ok_and(|v| v == "1");
    if feature || (wide_target && !narrow) {
        println!("cargo::rustc-cfg=wide_paths");
    }
}
