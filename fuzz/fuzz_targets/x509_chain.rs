//! Fuzzes the TLS server verifier (`aws-session-tls-verify`): arbitrary certificate chains through
//! path building, every X.509 check and the host name, then the handshake signature check with
//! the key of an accepted leaf.
//!
//! Input: one flags byte (bit 0: the clock is set; bit 1: an unset clock uses the build-time
//! policy; bits 2–4: which of `HOSTS` to check), four bytes of Unix time (big-endian), then
//! records of a big-endian `u16` length and that many bytes (a last short record takes what is
//! left). The first record is the trust anchor as a DER certificate (when it does not parse, the
//! AWS roots are used); the others are the chain as a server sends it. The seeds are the test PKI's
//! chains (`TLS_VERIFY_FUZZ_SEEDS`, see tls-verify/tests/pki.rs; scripts/fuzz.sh writes them).
//!
//! Properties:
//! * nothing panics; a refusal is a typed `CertError` whose `Display` is not empty;
//! * an accepted chain gives a key whose SubjectPublicKeyInfo fits `MAX_SPKI_LEN`, and handshake
//!   signatures over any bytes under every scheme give a typed result, never a panic.
#![no_main]

use aws_session_tls_verify::{anchor_from_der, ClockPolicy, Verifier, MAX_SPKI_LEN};
use libfuzzer_sys::fuzz_target;

const HOSTS: [&str; 8] = [
    "sts.amazonaws.test",
    "s3.r1.aws.test",
    "bucket.s3.r42.aws.test",
    "tls.test",
    "x-ats.iot.aws.test",
    "attacker.test",
    "127.0.0.1",
    "a.b",
];

const SCHEMES: [u16; 7] = [0x0403, 0x0503, 0x0804, 0x0805, 0x0806, 0x0401, 0x0807];

fuzz_target!(|data: &[u8]| chain(data));

fn chain(data: &[u8]) {
    let [flags, t0, t1, t2, t3, rest @ ..] = data else {
        return;
    };
    let now = u64::from(u32::from_be_bytes([*t0, *t1, *t2, *t3]));
    let mut records = Vec::new();
    let mut rest = rest;
    while let [a, b, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*a, *b])).min(tail.len());
        let (record, after) = tail.split_at(len);
        records.push(record);
        rest = after;
    }
    let Some((anchor, chain)) = records.split_first() else {
        return;
    };
    let parsed;
    let verifier = match anchor_from_der(anchor) {
        Ok(a) => {
            parsed = [a];
            Verifier::new(&parsed)
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            Verifier::aws()
        }
    };
    let verifier = if flags & 2 != 0 {
        verifier.with_clock_policy(ClockPolicy::BuildTimeLowerBound(now))
    } else {
        verifier
    };
    let host = HOSTS[usize::from((flags >> 2) & 7)];
    let clock = (flags & 1 != 0).then_some(now);
    match verifier.verify_server(chain, host, clock) {
        Ok(key) => {
            assert!(key.spki().len() <= MAX_SPKI_LEN);
            let transcript = rest.get(..32).unwrap_or(rest);
            for scheme in SCHEMES {
                let _ = key.verify_tls13(scheme, transcript, rest);
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}
