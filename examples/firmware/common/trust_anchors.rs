//! Build script shared by the STM32 and ESP32-C3 examples: converts the trust anchors from PEM to
//! DER for `include_bytes!` — Amazon Root CA 1 (RSA) and 3 (ECDSA P-256) from the build machine's
//! CA store (Debian's `ca-certificates`), or the PEM files listed in `TRUST_ANCHORS_PEM`
//! (colon-separated).
use std::{env, fs, path::PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=TRUST_ANCHORS_PEM");
    let files: Vec<String> = match env::var("TRUST_ANCHORS_PEM") {
        Ok(list) => list.split(':').map(String::from).collect(),
        Err(_) => vec![
            "/etc/ssl/certs/Amazon_Root_CA_1.pem".into(),
            "/etc/ssl/certs/Amazon_Root_CA_3.pem".into(),
        ],
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    for (i, file) in files.iter().enumerate().take(2) {
        println!("cargo:rerun-if-changed={file}");
        let text = fs::read_to_string(file).unwrap_or_else(|e| {
            panic!("trust anchor {file}: {e} (install ca-certificates or set TRUST_ANCHORS_PEM)")
        });
        let cert =
            pem::parse(&text).unwrap_or_else(|e| panic!("trust anchor {file}: not PEM: {e}"));
        fs::write(out.join(format!("anchor{i}.der")), cert.contents()).expect("write anchor");
    }
}
