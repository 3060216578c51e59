//! Helpers shared by the SigV4 integration tests.
#![allow(dead_code)] // each test binary uses a different subset

pub mod strategies;

use core::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use aws_session_core::secret::{SecretKey, SessionToken};
use aws_session_core::sigv4::{
    SessionTokenMode, SigningCredentials, SigningParams, SigningSettings,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;

/// Every directory below `dir` holding a classic-suite case `<name>/<name>.req`.
pub fn classic_cases(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let name = path.file_name().unwrap().to_str().unwrap().to_owned();
                if path.join(format!("{name}.req")).is_file() {
                    out.push(path.clone());
                }
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The credentials and settings of a CRT-format suite case (`context.json`).
pub struct CrtContext {
    pub access_key_id: String,
    pub secret: SecretKey,
    pub token: Option<SessionToken>,
    pub omit_token: bool,
    pub normalize: bool,
    pub sign_body: bool,
    pub region: String,
    pub service: String,
    pub time: UnixTime,
    pub expires: u32,
}

/// The case's `context.json`, or `None` when it has none.
pub fn crt_context(dir: &Path) -> Option<CrtContext> {
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("context.json")).ok()?).unwrap();
    let creds = &json["credentials"];
    Some(CrtContext {
        access_key_id: creds["access_key_id"].as_str().unwrap().to_owned(),
        secret: SecretKey::new(
            creds["secret_access_key"].as_str().unwrap(),
            Field::SecretAccessKey,
        )
        .unwrap(),
        token: creds["token"]
            .as_str()
            .map(|t| SessionToken::new(t, Field::SessionToken).unwrap()),
        omit_token: json["omit_session_token"].as_bool().unwrap_or(false),
        normalize: json["normalize"].as_bool().unwrap(),
        sign_body: json["sign_body"].as_bool().unwrap(),
        region: json["region"].as_str().unwrap().to_owned(),
        service: json["service"].as_str().unwrap().to_owned(),
        time: UnixTime::parse_rfc3339(json["timestamp"].as_str().unwrap()).unwrap(),
        expires: json["expiration_in_seconds"].as_u64().unwrap() as u32,
    })
}

impl CrtContext {
    /// The settings the context names, for the header (or query, `presign`) form, SigV4 or
    /// SigV4a.
    pub fn settings(&self, presign: bool, v4a: bool) -> SigningSettings {
        let mut settings = SigningSettings::standard();
        if v4a {
            settings = settings.sigv4a();
        }
        settings.normalize_path = self.normalize;
        settings.content_sha256_header = self.sign_body;
        if self.omit_token {
            settings.session_token = SessionTokenMode::AfterSigning;
        }
        if presign {
            settings = settings.presigned(self.expires);
        }
        settings
    }

    /// The signing parameters of the context with `settings`.
    pub fn params(&self, settings: SigningSettings) -> SigningParams<'_> {
        SigningParams {
            credentials: SigningCredentials {
                access_key_id: &self.access_key_id,
                secret: &self.secret,
                session_token: self.token.as_ref(),
            },
            region: &self.region,
            service: &self.service,
            time: self.time,
            settings,
        }
    }
}

/// Lower-case hex SHA-256 of `bytes`, computed by the independent implementation below (so a
/// hashing mistake in the signer cannot hide behind the same code).
pub fn sha256_hex(bytes: &[u8]) -> [u8; 64] {
    let digest = sha256::digest(bytes);
    let mut hex = [0u8; 64];
    let mut s = String::new();
    for b in digest {
        write!(s, "{b:02x}").unwrap();
    }
    hex.copy_from_slice(s.as_bytes());
    hex
}

/// An independent SHA-256 (FIPS 180-4) for the tests (so a hashing bug in the signer cannot hide).
mod sha256 {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    pub fn digest(msg: &[u8]) -> [u8; 32] {
        let mut h: [u32; 8] = [
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
            0x5be0cd19,
        ];
        let mut data = msg.to_vec();
        data.push(0x80);
        while data.len() % 64 != 56 {
            data.push(0);
        }
        data.extend_from_slice(&((msg.len() as u64) * 8).to_be_bytes());
        for block in data.chunks(64) {
            let mut w = [0u32; 64];
            for i in 0..16 {
                w[i] = u32::from_be_bytes(block[i * 4..i * 4 + 4].try_into().unwrap());
            }
            for i in 16..64 {
                let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
                let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16]
                    .wrapping_add(s0)
                    .wrapping_add(w[i - 7])
                    .wrapping_add(s1);
            }
            let mut v = h;
            for i in 0..64 {
                let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
                let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
                let t1 = v[7]
                    .wrapping_add(s1)
                    .wrapping_add(ch)
                    .wrapping_add(K[i])
                    .wrapping_add(w[i]);
                let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
                let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
                let t2 = s0.wrapping_add(maj);
                v = [
                    t1.wrapping_add(t2),
                    v[0],
                    v[1],
                    v[2],
                    v[3].wrapping_add(t1),
                    v[4],
                    v[5],
                    v[6],
                ];
            }
            for (a, b) in h.iter_mut().zip(v) {
                *a = a.wrapping_add(b);
            }
        }
        let mut out = [0u8; 32];
        for (i, word) in h.iter().enumerate() {
            out[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

/// SHA-256 of `bytes` (the independent implementation).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    sha256::digest(bytes)
}

/// Lower-case hex of any bytes.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::new();
    for b in bytes {
        write!(s, "{b:02x}").unwrap();
    }
    s
}

/// Bytes of a hex text (surrounding whitespace ignored), or `None` when it is not hex.
pub fn unhex(hex: &str) -> Option<Vec<u8>> {
    let hex = hex.trim();
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// A P-256 verifying key from its big-endian affine coordinates in hex.
pub fn verifying_key(x_hex: &str, y_hex: &str) -> Option<p256::ecdsa::VerifyingKey> {
    let x: [u8; 32] = unhex(x_hex)?.try_into().ok()?;
    let y: [u8; 32] = unhex(y_hex)?.try_into().ok()?;
    let point = p256::Sec1Point::from_affine_coordinates(&x.into(), &y.into(), false);
    p256::ecdsa::VerifyingKey::from_sec1_point(&point).ok()
}

/// True when a hex DER ECDSA signature verifies over the SHA-256 of `sts` (SigV4a), checked with
/// `p256` rather than the signer's own code.
pub fn verifies_v4a(key: &p256::ecdsa::VerifyingKey, sts: &str, signature_hex: &str) -> bool {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    let digest = sha256(sts.as_bytes());
    unhex(signature_hex)
        .and_then(|der| p256::ecdsa::Signature::from_der(&der).ok())
        .is_some_and(|sig| key.verify_prehash(&digest, &sig).is_ok())
}
