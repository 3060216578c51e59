//! Chooses between the signer's speed paths and its size paths.
//!
//! The `wide_paths` cfg turns on the word-at-a-time byte scans and the inlining choices in
//! `sigv4` that trade flash for speed (see the `sigv4` module docs). It is set when the
//! `wide-paths` feature is enabled, or by default on 64-bit targets, where flash is plentiful,
//! unless `AWS_SESSION_NARROW_PATHS=1` asks for the size paths there too (to test them on a host).
//!
//! The `wide_limits` cfg chooses the wide value of each narrow/wide pair in `limits` (AWS's
//! documented maxima: role ARNs of 2048 bytes, `credential_process` commands of 4096, …) over
//! the narrow one (what real values need, small enough for a microcontroller's RAM). It follows
//! the same rule with its own names, because RAM is another choice than flash: the `wide-limits`
//! feature, or a 64-bit target unless `AWS_SESSION_NARROW_LIMITS=1`.

use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wide_paths)");
    println!("cargo::rustc-check-cfg=cfg(wide_limits)");
    println!("cargo::rerun-if-env-changed=AWS_SESSION_NARROW_PATHS");
    println!("cargo::rerun-if-env-changed=AWS_SESSION_NARROW_LIMITS");
    println!("cargo::rerun-if-changed=build.rs");
    let feature = env::var_os("CARGO_FEATURE_WIDE_PATHS").is_some();
    let wide_target = env::var("CARGO_CFG_TARGET_POINTER_WIDTH").is_ok_and(|w| w == "64");
    let narrow = env::var("AWS_SESSION_NARROW_PATHS").is_ok_and(|v| v == "1");
    if feature || (wide_target && !narrow) {
        println!("cargo::rustc-cfg=wide_paths");
    }
    let wide_limits = env::var_os("CARGO_FEATURE_WIDE_LIMITS").is_some();
    let narrow_limits = env::var("AWS_SESSION_NARROW_LIMITS").is_ok_and(|v| v == "1");
    if wide_limits || (wide_target && !narrow_limits) {
        println!("cargo::rustc-cfg=wide_limits");
    }
}
