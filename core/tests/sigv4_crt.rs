//! The CRT-format SigV4 suite (smithy-rs `aws-signing-test-suite/v4`, taken from aws-c-auth):
//! 40 cases, each signed twice — into headers and into query parameters (presigned) — and
//! compared stage by stage: canonical request, string to sign, signature and signed request.
//!
//! The SigV4a suite (`v4a`, 38 cases, feature `sigv4a`) runs through the same checker. Its
//! ECDSA signatures are randomized, so instead of comparing them: our signature must verify under
//! the suite's `public-key.json` (with `p256`'s verifier, not our code), the key we derive from
//! the credentials must be that public key, and the suite's own example signature must verify
//! over the string to sign we wrote. Signed requests are compared without the signature.
//!
//! `context.json` drives the settings: `normalize` (path normalization), `sign_body` (add
//! `x-amz-content-sha256`), `omit_session_token` (token added after signing), the token itself
//! and `expiration_in_seconds` for the query form.
//!
//! aws-c-auth's own copy differs in one request (`get-space-normalized` has a literal space where
//! smithy-rs wrote `%20` for its HTTP parser; the expected outputs are the aws-c-auth ones), so
//! that case is read from `aws-c-auth-delta`, as SOURCE.md describes. The two cases smithy-rs
//! migrated from its legacy suite (`double-encode-path`, `double-url-encode`) have no
//! `context.json`; their canonical requests (and, where given, string to sign and signature) are
//! checked with the time and scope they name.

mod common;
mod sigv4_support;

use sigv4_support::{crt_context, sha256_hex, verifies_v4a, verifying_key, CrtContext};

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use aws_session_core::secret::SecretKey;
use aws_session_core::sigv4::conformance::parse_request;
use aws_session_core::sigv4::{
    CanonicalRequest, SignableBody, SignableRequest, Signer, SigningCredentials, SigningKeyV4a,
    SigningOutput, SigningParams, SigningSettings, StringToSign,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;
use p256::ecdsa::VerifyingKey;

const V4: &str = "sigv4-test-suite/smithy-rs/aws/rust-runtime/aws-sigv4/aws-signing-test-suite/v4";
const DELTA_V4: &str = "sigv4-test-suite/aws-c-auth-delta/tests/aws-signing-test-suite/v4";
const V4A: &str =
    "sigv4-test-suite/smithy-rs/aws/rust-runtime/aws-sigv4/aws-signing-test-suite/v4a";

fn read(dir: &Path, file: &str) -> Option<String> {
    fs::read_to_string(dir.join(file)).ok()
}

fn trim_end(s: &str) -> &str {
    s.trim_end_matches(['\n', '\r'])
}

/// The v4a suite's verification key of a case (`public-key.json`).
fn public_key(dir: &Path) -> Option<VerifyingKey> {
    let json: serde_json::Value = serde_json::from_str(&read(dir, "public-key.json")?).ok()?;
    verifying_key(json["X"].as_str()?, json["Y"].as_str()?)
}

/// SigV4a: the signature checks that replace the byte comparison (see the module docs).
fn check_v4a_signature(
    dir: &Path,
    prefix: &str,
    ctx: &CrtContext,
    sts: &str,
    ours: &str,
) -> Result<(), String> {
    let key = public_key(dir).ok_or("no public-key.json")?;
    let derived = SigningKeyV4a::derive(&ctx.access_key_id, &ctx.secret)
        .map_err(|e| format!("key derivation failed: {e}"))?
        .public_key();
    let point = key.to_sec1_point(false);
    if (
        point.x().map(|x| x.as_slice()),
        point.y().map(|y| y.as_slice()),
    ) != (Some(&derived.0[..]), Some(&derived.1[..]))
    {
        return Err("derived public key differs from public-key.json".into());
    }
    if !verifies_v4a(&key, sts, ours) {
        return Err(format!("{prefix}: our signature {ours} does not verify"));
    }
    if let Some(example) = read(dir, &format!("{prefix}-signature.txt")) {
        if !verifies_v4a(&key, sts, &example) {
            return Err(format!(
                "{prefix}: the suite's signature does not verify over our string to sign"
            ));
        }
    }
    Ok(())
}

/// Drops the (randomized) SigV4a signature from a signed-request header or query parameter.
fn without_signature(item: &str) -> &str {
    match item.find("Signature=") {
        Some(i) => &item[..i],
        None => item,
    }
}

/// Signs one form of one case and compares every stage the suite gives.
fn check_form(
    dir: &Path,
    request_text: &str,
    ctx: &CrtContext,
    presign: bool,
    v4a: bool,
) -> Result<(), String> {
    let prefix = if presign { "query" } else { "header" };
    let mut scratch = [0u8; 1024];
    let parsed = parse_request(request_text, &mut scratch).map_err(|e| e.to_owned())?;
    let params = ctx.params(ctx.settings(presign, v4a));
    let request = parsed.signable();

    let canonical = CanonicalRequest::new(&request, &params)
        .map_err(|e| format!("{prefix}: cannot sign: {e}"))?;
    let creq = canonical.to_string();
    if let Some(expected) = read(dir, &format!("{prefix}-canonical-request.txt")) {
        if creq != trim_end(&expected) {
            return Err(format!(
                "{prefix} canonical request differs\n--- expected\n{expected}\n--- ours\n{creq}"
            ));
        }
    }
    let hash = sha256_hex(creq.as_bytes());
    let sts = StringToSign::for_request(canonical.scope(), &hash).to_string();
    if let Some(expected) = read(dir, &format!("{prefix}-string-to-sign.txt")) {
        if sts != trim_end(&expected) {
            return Err(format!(
                "{prefix} string to sign differs\n--- expected\n{expected}\n--- ours\n{sts}"
            ));
        }
    }
    let mut signer: Signer = Signer::new();
    let mut out = SigningOutput::new();
    let signed = signer
        .sign(&request, &params, &mut out)
        .map_err(|e| format!("{prefix}: cannot sign: {e}"))?;
    if v4a {
        check_v4a_signature(dir, prefix, ctx, &sts, signed.signature())?;
    } else if let Some(expected) = read(dir, &format!("{prefix}-signature.txt")) {
        if signed.signature() != trim_end(&expected) {
            return Err(format!(
                "{prefix} signature differs: expected {expected}, ours {}",
                signed.signature()
            ));
        }
    }

    let Some(signed_text) = read(dir, &format!("{prefix}-signed-request.txt")) else {
        return Ok(());
    };
    let mut scratch2 = [0u8; 1024];
    let expected = parse_request(&signed_text, &mut scratch2).map_err(|e| e.to_owned())?;
    // Headers: the request's own (less those the signer replaces) plus the instructions'.
    let norm = |(n, v): &(&str, &str)| {
        let v = if v4a { without_signature(v) } else { v };
        (n.to_ascii_lowercase(), v.trim().to_owned())
    };
    let want: BTreeSet<_> = expected.headers().iter().map(norm).collect();
    let got: BTreeSet<_> = parsed
        .headers()
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("x-amz-date"))
        .chain(signed.headers().collect::<Vec<_>>().iter())
        .map(norm)
        .collect();
    if want != got {
        return Err(format!(
            "{prefix} signed request headers differ\n--- expected\n{want:#?}\n--- ours\n{got:#?}"
        ));
    }
    // Query: the request's own parameters plus the presigned ones, as encoded on the wire.
    let split = |q: &str| -> BTreeSet<String> {
        q.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| if v4a { without_signature(p) } else { p })
            .map(str::to_owned)
            .collect()
    };
    let mut ours_query = parsed.query.to_owned();
    let mut added = String::new();
    signed.write_query(&mut added).unwrap();
    ours_query.push('&');
    ours_query.push_str(&added);
    if split(expected.query) != split(&ours_query) {
        return Err(format!(
            "{prefix} signed request query differs\n--- expected\n{}\n--- ours\n{ours_query}",
            expected.query
        ));
    }
    if expected.path != parsed.path || expected.method != parsed.method {
        return Err(format!("{prefix} signed request line differs"));
    }
    Ok(())
}

/// Runs both forms of every case with a context in `suite` (request files taken from `delta`
/// where aws-c-auth's copy is the one the expectations match) and returns the forms checked.
fn run_suite(suite: &str, delta: Option<&str>, cases: usize, v4a: bool) -> Option<usize> {
    let dir = common::testdata(suite)?;
    let delta = delta.and_then(common::testdata);
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), cases, "{suite} has {cases} cases");
    let mut failures = Vec::new();
    let mut forms = 0;
    for name in &names {
        let case = dir.join(name);
        let Some(ctx) = crt_context(&case) else {
            continue;
        };
        // aws-c-auth's request for this case (literal space) is the one its expectations match.
        let request_dir = match (&delta, name.as_str()) {
            (Some(d), "get-space-normalized") => d.join(name),
            _ => case.clone(),
        };
        let request = read(&request_dir, "request.txt").unwrap();
        for presign in [false, true] {
            forms += 1;
            if let Err(e) = check_form(&case, &request, &ctx, presign, v4a) {
                failures.push(format!("{name}: {e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {forms} forms failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    Some(forms)
}

#[test]
fn crt_v4_suite_header_and_query_forms() {
    let Some(forms) = run_suite(V4, Some(DELTA_V4), 40, false) else {
        return;
    };
    assert_eq!(forms, 76, "38 cases with a context, two forms each");
    println!("CRT v4 suite: {forms} forms of 38 cases passed");
}

#[test]
fn crt_v4a_suite_header_and_query_forms() {
    let Some(forms) = run_suite(V4A, None, 38, true) else {
        return;
    };
    assert_eq!(forms, 76, "38 cases, two forms each");
    println!("CRT v4a suite: {forms} forms of 38 cases passed");
}

/// The two Rust-SDK cases migrated from the legacy suite: an `@` and an already-encoded `%3D`
/// / `%3A` in the path must be encoded once more.
#[test]
fn crt_v4_migrated_double_encoding_cases() {
    let Some(dir) = common::testdata(V4) else {
        return;
    };
    let secret = SecretKey::new(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Field::SecretAccessKey,
    )
    .unwrap();
    let time = UnixTime::parse_amz("20210511T154045Z").unwrap();
    for (name, region, service, access_key_id) in [
        ("double-encode-path", "us-east-1", "service", "ANOTREAL"),
        ("double-url-encode", "us-east-2", "lambda", "AKIDEXAMPLE"),
    ] {
        let case = dir.join(name);
        let text = read(&case, "request.txt").unwrap();
        let mut scratch = [0u8; 256];
        let parsed = parse_request(&text, &mut scratch).unwrap();
        let params = SigningParams {
            credentials: SigningCredentials {
                access_key_id,
                secret: &secret,
                session_token: None,
            },
            region,
            service,
            time,
            settings: SigningSettings::standard(),
        };
        let request = SignableRequest::new(
            parsed.method,
            parsed.path,
            parsed.query,
            parsed.headers(),
            SignableBody::Bytes(b""),
        );
        let canonical = CanonicalRequest::new(&request, &params).unwrap();
        let creq = canonical.to_string();
        assert_eq!(
            creq,
            trim_end(&read(&case, "header-canonical-request.txt").unwrap()),
            "{name}"
        );
        if let Some(sts) = read(&case, "header-string-to-sign.txt") {
            let hash = sha256_hex(creq.as_bytes());
            assert_eq!(
                StringToSign::for_request(canonical.scope(), &hash).to_string(),
                trim_end(&sts),
                "{name}"
            );
            // The signed request's Authorization was made with the suite's secret.
            let signed_text = read(&case, "header-signed-request.txt").unwrap();
            let expected_sig = signed_text.rsplit("Signature=").next().unwrap().trim();
            let mut out = SigningOutput::new();
            let signed = aws_session_core::sigv4::sign(&request, &params, &mut out).unwrap();
            assert_eq!(signed.signature(), expected_sig, "{name}");
        }
    }
}

/// SigV4a nonces are deterministic (RFC 6979): the same request at the same time gives the same
/// signature, cold or from the key cache, and it verifies. aws-c-auth and smithy-rs draw a
/// random nonce instead (docs/divergences.md, G1).
#[test]
fn sigv4a_signatures_are_deterministic() {
    let Some(dir) = common::testdata(V4A) else {
        return;
    };
    let case = dir.join("get-vanilla");
    let ctx = crt_context(&case).unwrap();
    let text = read(&case, "request.txt").unwrap();
    let mut scratch = [0u8; 1024];
    let parsed = parse_request(&text, &mut scratch).unwrap();
    let params = SigningParams {
        credentials: SigningCredentials {
            access_key_id: &ctx.access_key_id,
            secret: &ctx.secret,
            session_token: None,
        },
        region: &ctx.region,
        service: &ctx.service,
        time: ctx.time,
        settings: SigningSettings::standard().sigv4a(),
    };
    let request = parsed.signable();
    let (mut a, mut b) = (SigningOutput::new(), SigningOutput::new());
    let cold = aws_session_core::sigv4::sign(&request, &params, &mut a).unwrap();
    let mut signer: Signer = Signer::new();
    let cached = signer.sign(&request, &params, &mut b).unwrap();
    assert_eq!(cold.signature(), cached.signature());
    let sts = read(&case, "header-string-to-sign.txt").unwrap();
    assert!(verifies_v4a(
        &public_key(&case).unwrap(),
        trim_end(&sts),
        cold.signature()
    ));
}
