//! Puts the target's memory layout where the runtime's linker script finds it, and embeds the classic SigV4 suite
//! (botocore's copy of the AWS "Signature Version 4 Test Suite") from the shared test data, so the
//! firmware can check every case on the target. The data is read at build time from
//! `$AWS_SESSION_TESTDATA` or `../shared/testdata` beside the repository (found by the
//! `aws-session-testdata` crate); it is never copied into the repository.
use std::{env, fs, path::Path, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    // The memory layout of the image's machine: memory-arm.x (lm3s6965evb) or memory-riscv32.x
    // (virt), as the memory.x that the runtime's link.x includes.
    let arch = env::var("CARGO_CFG_TARGET_ARCH").expect("CARGO_CFG_TARGET_ARCH");
    let layout = format!("memory-{arch}.x");
    fs::copy(&layout, out.join("memory.x"))
        .unwrap_or_else(|e| panic!("copy {layout} (no QEMU image for {arch}?): {e}"));
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed={layout}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SELFTEST_SHARD");
    println!("cargo:rerun-if-env-changed=AWS_SESSION_TESTDATA");
    println!("cargo:rerun-if-env-changed=CI");

    let suite =
        aws_session_testdata::testdata("sigv4-test-suite/botocore/tests/unit/auth/aws4_testsuite");
    let mut code = String::from("/// The classic SigV4 suite: (name, req, creq, sts, authz).\npub const CLASSIC: &[(&str, &str, &str, &str, &str)] = &[\n");
    if let Some(suite) = suite {
        println!("cargo:rerun-if-changed={}", suite.display());
        let mut cases = Vec::new();
        collect(&suite, &mut cases);
        cases.sort();
        for case in &cases {
            let name = case
                .file_name()
                .and_then(|n| n.to_str())
                .expect("case name");
            let file = |ext: &str| {
                format!(
                    "{:?}",
                    case.join(format!("{name}.{ext}")).display().to_string()
                )
            };
            code.push_str(&format!(
                "    ({:?}, include_str!({}), include_str!({}), include_str!({}), include_str!({})),\n",
                case.strip_prefix(&suite).expect("prefix").display().to_string(),
                file("req"),
                file("creq"),
                file("sts"),
                file("authz"),
            ));
        }
        code.push_str("];\npub const SUITE_FOUND: bool = true;\n");
    } else {
        // Under CI=true `testdata` has already failed the build.
        println!(
            "cargo:warning=SigV4 test suite not found in {}; the firmware will report it SKIPPED",
            aws_session_testdata::root().display()
        );
        code.push_str("];\npub const SUITE_FOUND: bool = false;\n");
    }
    fs::write(out.join("classic_suite.rs"), code).expect("write classic_suite.rs");
}

/// Every directory below `dir` holding `<name>/<name>.req`.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if path.join(format!("{name}.req")).is_file() {
                out.push(path.clone());
            }
            collect(&path, out);
        }
    }
}
