//! Turns the end-to-end tests on when `AWS_SESSION_E2E=1` (see `src/lib.rs`).

fn main() {
    println!("cargo:rustc-check-cfg=cfg(e2e)");
    println!("cargo:rerun-if-env-changed=AWS_SESSION_E2E");
    if std::env::var("AWS_SESSION_E2E").is_ok_and(|v| v == "1") {
        println!("cargo:rustc-cfg=e2e");
    }
}
