//! Converts the trust anchors from PEM to DER for `include_bytes!`: Amazon Root CA 1 (RSA) and 3
//! (ECDSA P-256) from the build machine's CA store (Debian's `ca-certificates`), or the PEM files
//! listed in `TRUST_ANCHORS_PEM` (colon-separated).
use std::{env, fs, path::PathBuf};

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    base64_decode(&body)
}

fn main() {
    println!("cargo:rerun-if-env-changed=TRUST_ANCHORS_PEM");
    let files: Vec<String> = match env::var("TRUST_ANCHORS_PEM") {
        Ok(list) => list.split(':').map(String::from).collect(),
        Err(_) => vec!["/etc/ssl/certs/Amazon_Root_CA_1.pem".into(), "/etc/ssl/certs/Amazon_Root_CA_3.pem".into()],
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    for (i, file) in files.iter().enumerate().take(2) {
        println!("cargo:rerun-if-changed={file}");
        let pem = fs::read_to_string(file).unwrap_or_else(|e| {
            panic!("trust anchor {file}: {e} (install ca-certificates or set TRUST_ANCHORS_PEM)")
        });
        fs::write(out.join(format!("anchor{i}.der")), pem_to_der(&pem)).expect("write anchor");
    }
}
