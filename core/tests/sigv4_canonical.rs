//! The canonical-input signer (`sign_canonical`, `Signer::sign_canonical`):
//!
//! * conformance — every case of the classic botocore suite and of the smithy-rs v4 suite (header
//!   and query forms), and the v4a suite: the suite's expected canonical request is parsed into
//!   `CanonicalParts` (the lines the signer writes itself dropped), signed through the canonical
//!   entry points, and compared with the suite's `Authorization` / signature (v4a: verified with
//!   the suite's public key, and equal to the general signer's deterministic signature);
//! * equivalence (proptest) — arbitrary requests, canonicalized by the general signer and parsed
//!   back into parts, get the general signer's signature; arbitrary mutations of those parts never
//!   panic, and when accepted they sign as the general signer signs them taken as a request;
//! * bad input — each rule broken once, with the part and index the error names.
//!
//! No case of the three suites is left out: every expected canonical request is expressible.

mod common;
mod sigv4_support;

use std::fs;
use std::path::Path;

use aws_session_core::secret::{SecretKey, SessionToken};
use aws_session_core::sigv4::conformance::{
    parse_canonical_request, parse_request, suite_params, SUITE_SECRET_KEY, SUITE_SESSION_TOKEN,
};
use aws_session_core::sigv4::{
    sign, sign_canonical, CanonicalPart, CanonicalParts, CanonicalRequest, SignableBody,
    SignableRequest, Signer, SigningCredentials, SigningError, SigningInstructions, SigningOutput,
    SigningParams, SigningSettings, UriEncoding,
};
use aws_session_core::text::Field;
use aws_session_core::time::UnixTime;
use proptest::prelude::*;
use sigv4_support::strategies::{body, input, settings, Input};
use sigv4_support::{classic_cases, crt_context, verifies_v4a, verifying_key};

// ---- canonical request text → parts --------------------------------------------------------------

/// Canonical parts, owned (so that the property test can edit them).
#[derive(Debug, Clone)]
struct Owned {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
}

impl Owned {
    /// Parses canonical request text with `parse_canonical_request`, leaving out the headers and
    /// query parameters the signer writes itself (`owned_headers`, `owned_params`).
    fn parse(creq: &str, owned_headers: &[&str], owned_params: &[&str]) -> Owned {
        let mut headers = [("", ""); 64];
        let mut scratch = vec![0u8; creq.len()];
        let p = parse_canonical_request(
            creq,
            owned_headers,
            owned_params,
            &mut headers,
            &mut scratch,
        )
        .unwrap();
        Owned {
            method: p.method.to_owned(),
            path: p.path.to_owned(),
            query: p.query.to_owned(),
            headers: p
                .headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    fn header_refs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }
}

/// The header and query parameter names the signer owns under these settings: what a canonical
/// request written by the general signer holds that canonical parts must not.
fn owned_names(
    s: &SigningSettings,
    has_token: bool,
    streaming: bool,
) -> (Vec<&'static str>, Vec<&'static str>) {
    let v4a = s.algorithm != aws_session_core::sigv4::SigningAlgorithm::V4;
    let presigned = s.location != aws_session_core::sigv4::SignatureLocation::Headers;
    let mut headers = vec!["x-amz-date"];
    if !presigned && (s.content_sha256_header || streaming) {
        headers.push("x-amz-content-sha256");
    }
    let mut params = vec![
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    ];
    if has_token {
        headers.push("x-amz-security-token");
        params.push("X-Amz-Security-Token");
    }
    if v4a {
        headers.push("x-amz-region-set");
        params.push("X-Amz-Region-Set");
    }
    (headers, params)
}

/// What two signatures of the same request must agree on.
fn summary(ins: &SigningInstructions<'_>) -> (String, String, String, String, String) {
    let mut query = String::new();
    ins.write_query(&mut query).unwrap();
    let headers: Vec<String> = ins.headers().map(|(n, v)| format!("{n}: {v}")).collect();
    (
        ins.signature().to_owned(),
        ins.signed_headers().to_owned(),
        ins.credential().to_owned(),
        headers.join("\n"),
        query,
    )
}

/// Signs `parts` cold and cached; both must succeed and agree.
fn sign_both<'o>(
    parts: &CanonicalParts<'_>,
    params: &SigningParams<'o>,
    out: &'o mut SigningOutput,
) -> Result<SigningInstructions<'o>, SigningError> {
    let mut signer: Signer = Signer::new();
    let mut cached_out = SigningOutput::new();
    let cached = signer
        .sign_canonical(parts, params, &mut cached_out)
        .map(|i| summary(&i));
    let cold = sign_canonical(parts, params, out)?;
    assert_eq!(Ok(summary(&cold)), cached, "cold and cached differ");
    Ok(cold)
}

// ---- conformance ---------------------------------------------------------------------------------

/// Signs a suite's expected canonical request through canonical parts (cold and cached): the
/// `Authorization` value (header signing) and the signature.
fn sign_expected(
    creq: &str,
    params: &SigningParams<'_>,
    has_token: bool,
) -> Result<(Option<String>, String), SigningError> {
    let payload = creq.trim_end().rsplit('\n').next().unwrap();
    let streaming = payload.starts_with("STREAMING");
    let (own_h, own_p) = owned_names(&params.settings, has_token, streaming);
    let mut headers = [("", ""); 64];
    let mut scratch = vec![0u8; creq.len()];
    let parts = parse_canonical_request(creq, &own_h, &own_p, &mut headers, &mut scratch).unwrap();
    let mut out = SigningOutput::new();
    let ins = sign_both(&parts, params, &mut out)?;
    Ok((
        ins.authorization().map(str::to_owned),
        ins.signature().to_owned(),
    ))
}

#[test]
fn botocore_classic_suite_through_canonical_parts() {
    let Some(dir) = common::testdata("sigv4-test-suite/botocore/tests/unit/auth/aws4_testsuite")
    else {
        return;
    };
    let cases = classic_cases(&dir);
    assert_eq!(cases.len(), 34);
    let secret = SecretKey::new(SUITE_SECRET_KEY, Field::SecretAccessKey).unwrap();
    let token = SessionToken::new(SUITE_SESSION_TOKEN, Field::SessionToken).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_str().unwrap();
        let read = |ext: &str| fs::read_to_string(case.join(format!("{name}.{ext}"))).unwrap();
        let (req, creq, authz) = (read("req"), read("creq"), read("authz"));
        let mut scratch = [0u8; 512];
        let parsed = parse_request(&req, &mut scratch).unwrap();
        // As the stage-by-stage test: the token case signs with the suite's token.
        let has_token =
            creq.contains("\nx-amz-security-token:") && !parsed.has_header("x-amz-security-token");
        let params = suite_params(&secret, has_token.then_some(&token));
        match sign_expected(&creq, &params, has_token) {
            Ok((authorization, _)) if authorization.as_deref() == Some(authz.trim_end()) => {}
            Ok((authorization, _)) => {
                failures.push(format!("{name}: {authorization:?} != {authz}"))
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const V4: &str = "sigv4-test-suite/smithy-rs/aws/rust-runtime/aws-sigv4/aws-signing-test-suite/v4";
const V4A: &str =
    "sigv4-test-suite/smithy-rs/aws/rust-runtime/aws-sigv4/aws-signing-test-suite/v4a";

/// Signs one form of one CRT-format case from its expected canonical request.
fn check_crt_form(case: &Path, presign: bool, v4a: bool) -> Result<bool, String> {
    let Some(ctx) = crt_context(case) else {
        return Ok(false);
    };
    let prefix = if presign { "query" } else { "header" };
    let read = |file: &str| fs::read_to_string(case.join(format!("{prefix}-{file}"))).ok();
    let Some(creq) = read("canonical-request.txt") else {
        return Ok(false);
    };
    let params = ctx.params(ctx.settings(presign, v4a));
    let (_, signature) =
        sign_expected(&creq, &params, ctx.token.is_some()).map_err(|e| format!("{prefix}: {e}"))?;
    if v4a {
        // Randomized in the suite: ours must verify over the suite's string to sign.
        let json: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(case.join("public-key.json")).unwrap())
                .unwrap();
        let key = verifying_key(json["X"].as_str().unwrap(), json["Y"].as_str().unwrap()).unwrap();
        let sts = read("string-to-sign.txt").unwrap();
        if !verifies_v4a(&key, sts.trim_end(), &signature) {
            return Err(format!("{prefix}: signature does not verify"));
        }
    } else {
        let expected = read("signature.txt").unwrap();
        if signature != expected.trim_end() {
            return Err(format!("{prefix}: {signature} != {expected}"));
        }
    }
    Ok(true)
}

fn run_crt_suite(suite: &str, v4a: bool) -> Option<usize> {
    let dir = common::testdata(suite)?;
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut forms = 0;
    for name in &names {
        for presign in [false, true] {
            match check_crt_form(&dir.join(name), presign, v4a) {
                Ok(checked) => forms += usize::from(checked),
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Some(forms)
}

#[test]
fn crt_v4_suite_header_and_query_forms_through_canonical_parts() {
    let Some(forms) = run_crt_suite(V4, false) else {
        return;
    };
    // 38 cases with a context, two forms each (the two migrated cases have no context).
    assert_eq!(forms, 76);
}

#[test]
fn crt_v4a_suite_header_and_query_forms_through_canonical_parts() {
    let Some(forms) = run_crt_suite(V4A, true) else {
        return;
    };
    assert_eq!(forms, 76);
}

// ---- equivalence with the general signer ----------------------------------------------------------

/// The general signer's canonical request of `req`, parsed back into parts.
fn parts_of(req: &SignableRequest<'_>, params: &SigningParams<'_>) -> Option<Owned> {
    let creq = CanonicalRequest::new(req, params).ok()?.to_string();
    let has_token = params
        .credentials
        .session_token
        .is_some_and(|t| !t.expose().is_empty());
    let (own_h, own_p) = owned_names(&params.settings, has_token, req.body.is_streaming());
    Some(Owned::parse(&creq, &own_h, &own_p))
}

/// One random edit of canonical parts.
#[derive(Debug, Clone)]
enum Mutation {
    /// Insert a byte into the path, query, a header name or a header value.
    Insert { target: u8, at: usize, byte: char },
    /// Remove the byte at a position.
    Remove { target: u8, at: usize },
    /// Swap two headers.
    Swap(usize, usize),
    /// Duplicate a header.
    Duplicate(usize),
    /// Add a header (name, value) at a position.
    Add(usize, String, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop::sample::select(vec![
        'a', 'Z', '/', '%', '2', 'f', 'F', '.', '=', '&', ' ', '\t', '+', '~', ':', '\u{e9}',
    ]);
    prop_oneof![
        (0u8..4, 0usize..64, byte).prop_map(|(target, at, byte)| Mutation::Insert {
            target,
            at,
            byte
        }),
        (0u8..4, 0usize..64).prop_map(|(target, at)| Mutation::Remove { target, at }),
        (0usize..8, 0usize..8).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (0usize..8).prop_map(Mutation::Duplicate),
        (
            0usize..8,
            prop::sample::select(vec![
                "x-amz-date",
                "x-amz-security-token",
                "x-amz-content-sha256",
                "x-amz-region-set",
                "authorization",
                "user-agent",
                "host",
                "Upper",
                "zzz",
                "a",
            ]),
            "[ -~]{0,6}",
        )
            .prop_map(|(at, n, v)| Mutation::Add(at, n.to_owned(), v)),
    ]
}

/// Edits a string at a char boundary near `at`.
fn edit(s: &mut String, at: usize, insert: Option<char>) {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    match insert {
        Some(c) => s.insert(at, c),
        None if at < s.len() => {
            s.remove(at);
        }
        None => {}
    }
}

/// The text a byte edit applies to: path, query, a header name or a header value.
fn target(p: &mut Owned, t: u8, at: usize) -> &mut String {
    let n = p.headers.len();
    match t {
        0 => &mut p.path,
        2 if n > 0 => &mut p.headers[at % n].0,
        3 if n > 0 => &mut p.headers[at % n].1,
        _ => &mut p.query,
    }
}

fn mutate(p: &mut Owned, m: &Mutation) {
    let n = p.headers.len();
    match m {
        Mutation::Insert {
            target: t,
            at,
            byte,
        } => edit(target(p, *t, *at), *at, Some(*byte)),
        Mutation::Remove { target: t, at } => edit(target(p, *t, *at), *at, None),
        Mutation::Swap(a, b) if n > 0 => p.headers.swap(a % n, b % n),
        Mutation::Duplicate(a) if n > 0 => {
            let h = p.headers[a % n].clone();
            p.headers.insert(a % n, h);
        }
        Mutation::Add(at, name, value) => p
            .headers
            .insert(at % (n + 1), (name.clone(), value.clone())),
        _ => {}
    }
}

fn test_params<'a>(
    i: &'a Input,
    secret: &'a SecretKey,
    token: Option<&'a SessionToken>,
) -> SigningParams<'a> {
    SigningParams {
        credentials: SigningCredentials {
            access_key_id: "AKIDEXAMPLE",
            secret,
            session_token: token,
        },
        region: &i.region,
        service: &i.service,
        time: UnixTime::from_secs(i.time),
        settings: settings(i),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn canonical_parts_of_any_request_sign_as_the_general_signer(i in input(), m in mutation()) {
        let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Field::SecretAccessKey).unwrap();
        let token = i.token.as_deref().and_then(|t| SessionToken::new(t, Field::SessionToken).ok());
        let params = test_params(&i, &secret, token.as_ref());
        let headers: Vec<(&str, &str)> = i.headers.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let mut req = SignableRequest::new(&i.method, &i.path, &i.query, &headers, body(&i));
        if let Some(h) = &i.host {
            req = req.with_host(h);
        }
        let mut general_out = SigningOutput::new();
        let Ok(general) = sign(&req, &params, &mut general_out) else {
            return Ok(());
        };
        let owned = parts_of(&req, &params).unwrap();
        let part_headers = owned.header_refs();
        // The request's own payload mode (the hash line alone cannot tell bytes from a hash).
        let parts = CanonicalParts::new(&owned.method, &owned.path, &owned.query, &part_headers, req.body);
        let mut out = SigningOutput::new();
        let ours = sign_both(&parts, &params, &mut out);
        prop_assert!(ours.is_ok(), "refused: {:?}\nparts {:?}", ours.err(), owned);
        prop_assert_eq!(summary(&ours.unwrap()), summary(&general));

        // A mutation: refused with a typed error, or signed as the general signer signs the
        // mutated parts taken as a request (with single encoding and no normalization, under
        // which canonical text is its own canonical form).
        let mut bad = owned.clone();
        mutate(&mut bad, &m);
        let bad_headers = bad.header_refs();
        let bad_parts = CanonicalParts::new(&bad.method, &bad.path, &bad.query, &bad_headers, req.body);
        let mut bad_out = SigningOutput::new();
        if let Ok(ins) = sign_both(&bad_parts, &params, &mut bad_out) {
            let mut s = params.settings;
            s.uri_encoding = UriEncoding::Single;
            s.normalize_path = false;
            let as_request = SignableRequest::new(&bad.method, &bad.path, &bad.query, &bad_headers, req.body);
            let mut again_out = SigningOutput::new();
            match sign(&as_request, &SigningParams { settings: s, ..params }, &mut again_out) {
                Ok(again) => prop_assert_eq!(summary(&ins), summary(&again), "{:?}", m),
                Err(SigningError::TooManyHeaders { .. } | SigningError::TooManyQueryParams { .. }) => {}
                Err(e) => prop_assert!(false, "accepted parts the general signer refuses: {e:?} {bad:?}"),
            }
        }
    }
}

// ---- bad input -----------------------------------------------------------------------------------

fn check(
    settings: SigningSettings,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    token: Option<&str>,
) -> Result<String, SigningError> {
    let secret = SecretKey::new(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Field::SecretAccessKey,
    )
    .unwrap();
    let token = token.map(|t| SessionToken::new(t, Field::SessionToken).unwrap());
    let params = SigningParams {
        credentials: SigningCredentials {
            access_key_id: "AKIDEXAMPLE",
            secret: &secret,
            session_token: token.as_ref(),
        },
        region: "us-east-1",
        service: "service",
        time: UnixTime::from_secs(1_440_938_160),
        settings,
    };
    let parts = CanonicalParts::new("GET", path, query, headers, SignableBody::Bytes(b""));
    let mut out = SigningOutput::new();
    sign_both(&parts, &params, &mut out).map(|i| i.signature().to_owned())
}

fn not(part: CanonicalPart, index: usize) -> Result<String, SigningError> {
    Err(SigningError::NotCanonical { part, index })
}

const HOST: (&str, &str) = ("host", "example.amazonaws.com");

#[test]
fn headers_must_be_sorted_lower_case_trimmed_and_the_callers_own() {
    let std = SigningSettings::standard();
    let c = |headers: &[(&str, &str)]| check(std, "/", "", headers, None);
    assert!(c(&[("a", "1"), HOST, ("x-b", "two words")]).is_ok());
    assert_eq!(c(&[HOST, ("a", "1")]), not(CanonicalPart::HeaderOrder, 1));
    assert_eq!(
        c(&[("a", "1"), ("a", "2"), HOST]),
        not(CanonicalPart::HeaderOrder, 1)
    );
    assert_eq!(c(&[("A", "1"), HOST]), not(CanonicalPart::HeaderName, 0));
    assert_eq!(c(&[("", "1"), HOST]), not(CanonicalPart::HeaderName, 0));
    assert_eq!(c(&[("a b", "1"), HOST]), not(CanonicalPart::HeaderName, 0));
    assert_eq!(
        c(&[("a", "x  y"), HOST]),
        not(CanonicalPart::HeaderValue, 0)
    );
    assert_eq!(c(&[("a", " x"), HOST]), not(CanonicalPart::HeaderValue, 0));
    assert_eq!(c(&[("a", "x "), HOST]), not(CanonicalPart::HeaderValue, 0));
    assert_eq!(
        c(&[("a", "x\ty"), HOST]),
        not(CanonicalPart::HeaderValue, 0)
    );
    assert_eq!(
        c(&[("a", "x\ny"), HOST]),
        not(CanonicalPart::HeaderValue, 0)
    );
    for owned in ["user-agent", "x-amz-date", "x-amzn-trace-id"] {
        assert_eq!(
            c(&[HOST, (owned, "v")]),
            not(CanonicalPart::SignerHeader, 1),
            "{owned}"
        );
    }
    let auth = [("authorization", "v"), HOST];
    assert_eq!(c(&auth), not(CanonicalPart::SignerHeader, 0));
    assert_eq!(c(&[("a", "1")]), Err(SigningError::MissingHost));
    assert_eq!(c(&[]), Err(SigningError::MissingHost));
    // Owned only when the signer writes it: the token with a token, the payload hash for S3.
    let token = [HOST, ("x-amz-security-token", "t")];
    assert!(check(std, "/", "", &token, None).is_ok());
    assert_eq!(
        check(std, "/", "", &token, Some("t")),
        not(CanonicalPart::SignerHeader, 1)
    );
    let sha = [("host", "h"), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD")];
    assert!(c(&sha).is_ok());
    assert_eq!(
        check(SigningSettings::s3(), "/", "", &sha, None),
        not(CanonicalPart::SignerHeader, 1)
    );
    let set = [HOST, ("x-amz-region-set", "*")];
    assert!(c(&set).is_ok());
    assert_eq!(
        check(std.sigv4a(), "/", "", &set, None),
        not(CanonicalPart::SignerHeader, 1)
    );
}

#[test]
fn the_query_must_be_sorted_encoded_pairs() {
    let std = SigningSettings::standard();
    let q = |query: &str| check(std, "/", query, &[HOST], None);
    assert!(q("a=1&a=2&b=&c=%2F%E2%82%AC").is_ok());
    assert!(q("a=1&a=1").is_ok(), "equal pairs may repeat");
    assert_eq!(q("b=1&a=1"), not(CanonicalPart::QueryOrder, 4));
    assert_eq!(q("a=2&a=1"), not(CanonicalPart::QueryOrder, 4));
    // By key, then value: `a-b` sorts after `a` though `-` < `=`.
    assert!(q("a=1&a-b=1").is_ok());
    assert_eq!(q("a-b=1&a=1"), not(CanonicalPart::QueryOrder, 6));
    assert_eq!(q("a=1&b"), not(CanonicalPart::QueryPair, 4));
    assert_eq!(q("a=1&"), not(CanonicalPart::QueryPair, 4));
    assert_eq!(q("a=1&&b=2"), not(CanonicalPart::QueryPair, 4));
    assert_eq!(q("a=x/y"), not(CanonicalPart::Query, 3));
    assert_eq!(q("a=%2f"), not(CanonicalPart::Query, 2));
    assert_eq!(
        q("a=%41"),
        not(CanonicalPart::Query, 2),
        "an unreserved byte is never escaped"
    );
    assert_eq!(q("a=b=c"), not(CanonicalPart::Query, 3));
    assert_eq!(q("a%2=1"), not(CanonicalPart::Query, 1));
    assert_eq!(q("a=+"), not(CanonicalPart::Query, 2));
    // Escapes decode to UTF-8: a lone continuation byte, a truncated sequence, an overlong `/`.
    assert_eq!(q("a=%FF"), not(CanonicalPart::Query, 2));
    assert_eq!(q("a=%E2%82"), not(CanonicalPart::Query, 8));
    assert_eq!(q("a=%E2%82x"), not(CanonicalPart::Query, 8));
    assert_eq!(q("a=%C0%AF"), not(CanonicalPart::Query, 5));
    assert_eq!(q("%E2%82=1"), not(CanonicalPart::Query, 6));
    // Presigned: the signer's own parameters must be absent.
    let pre = SigningSettings::standard().presigned(60);
    assert!(check(pre, "/", "Action=x&X-Amz-Foo=1", &[HOST], None).is_ok());
    assert_eq!(
        check(pre, "/", "Action=x&X-Amz-Signature=1", &[HOST], None),
        not(CanonicalPart::SignerParam, 9)
    );
    assert_eq!(
        check(pre, "/", "X-Amz-Date=1", &[HOST], None),
        not(CanonicalPart::SignerParam, 0)
    );
    // Header signing leaves them to the caller.
    assert!(q("X-Amz-Date=1").is_ok());
}

#[test]
fn the_path_must_be_encoded_and_normalized_as_the_settings_say() {
    let std = SigningSettings::standard();
    let p = |s: SigningSettings, path: &str| check(s, path, "", &[HOST], None);
    assert!(p(std, "/").is_ok());
    assert!(p(std, "/a/b%20c/").is_ok());
    assert!(p(std, "/%25").is_ok());
    assert_eq!(p(std, ""), not(CanonicalPart::Path, 0));
    assert_eq!(p(std, "a"), not(CanonicalPart::Path, 0));
    assert_eq!(p(std, "/a b"), not(CanonicalPart::Path, 2));
    assert_eq!(p(std, "/a%2f"), not(CanonicalPart::Path, 2));
    assert_eq!(
        p(std, "/a%2F"),
        not(CanonicalPart::Path, 2),
        "`/` is never escaped"
    );
    assert_eq!(
        p(std, "/a%7E"),
        not(CanonicalPart::Path, 2),
        "`~` is never escaped"
    );
    assert_eq!(
        p(std, "/%FF"),
        not(CanonicalPart::Path, 1),
        "double encoding: UTF-8"
    );
    assert_eq!(p(std, "/a//b"), not(CanonicalPart::PathSegment, 3));
    assert_eq!(p(std, "/a/./b"), not(CanonicalPart::PathSegment, 3));
    assert_eq!(p(std, "/a/.."), not(CanonicalPart::PathSegment, 3));
    assert_eq!(p(std, "//"), not(CanonicalPart::PathSegment, 1));
    // Without normalization such paths are canonical.
    let mut plain = std;
    plain.normalize_path = false;
    assert!(p(plain, "/a//b/./c/..").is_ok());
    let s3 = SigningSettings::s3();
    assert!(p(s3, "/a//b/../%FF").is_ok());
    // S3 signs the path as sent: any escape, in either case, is its own canonical form.
    assert!(p(s3, "/key%2Fwith%2fslash/%41").is_ok());
    assert_eq!(p(s3, "/a b"), not(CanonicalPart::Path, 2));
    assert_eq!(p(s3, "/a%2"), not(CanonicalPart::Path, 2));
    let mut s3_normalized = s3;
    s3_normalized.normalize_path = true;
    assert_eq!(
        p(s3_normalized, "/./a//"),
        not(CanonicalPart::PathSegment, 1)
    );
}

#[test]
fn bad_credentials_and_method_are_the_general_signers_errors() {
    let secret = SecretKey::new("x", Field::SecretAccessKey).unwrap();
    let headers = [HOST];
    let parts = CanonicalParts::new("GET", "/", "", &headers, SignableBody::Unsigned);
    let params = |id| SigningParams {
        credentials: SigningCredentials {
            access_key_id: id,
            secret: &secret,
            session_token: None,
        },
        region: "us-east-1",
        service: "service",
        time: UnixTime::from_secs(1_440_938_160),
        settings: SigningSettings::standard(),
    };
    let mut out = SigningOutput::new();
    assert_eq!(
        sign_canonical(&parts, &params(""), &mut out).err(),
        Some(SigningError::InvalidAccessKeyId)
    );
    let bad_method = CanonicalParts::new("G ET", "/", "", &headers, SignableBody::Unsigned);
    assert_eq!(
        sign_canonical(&bad_method, &params("AKID"), &mut out).err(),
        Some(SigningError::NotCanonical {
            part: CanonicalPart::Method,
            index: 0
        })
    );
    let bad_hash = CanonicalParts::new("GET", "/", "", &headers, SignableBody::Precomputed("xyz"));
    assert_eq!(
        sign_canonical(&bad_hash, &params("AKID"), &mut out).err(),
        Some(SigningError::InvalidPayloadHash)
    );
    // A failed signature leaves the output empty.
    let ok = sign_canonical(&parts, &params("AKID"), &mut out)
        .unwrap()
        .signature()
        .len();
    assert_eq!(ok, 64);
    let _ = sign_canonical(&bad_method, &params("AKID"), &mut out);
    assert!(format!("{out:?}").contains("signature: \"\""));
    let e = SigningError::NotCanonical {
        part: CanonicalPart::HeaderOrder,
        index: 2,
    };
    assert_eq!(
        e.to_string(),
        "not in canonical form: header name is out of order or repeated (index 2)"
    );
}

/// The signer's own header values are written as the general signer writes them: a session
/// token with spaces or tabs is trimmed in the canonical request (proptest found this).
#[test]
fn a_padded_session_token_signs_as_with_the_general_signer() {
    let secret = SecretKey::new(SUITE_SECRET_KEY, Field::SecretAccessKey).unwrap();
    for raw in ["\t", " a  b ", "a\tb"] {
        let token = SessionToken::new(raw, Field::SessionToken).unwrap();
        let params = suite_params(&secret, Some(&token));
        let headers = [HOST];
        let req = SignableRequest::new("GET", "/", "", &headers, SignableBody::Unsigned);
        let parts = CanonicalParts::new("GET", "/", "", &headers, SignableBody::Unsigned);
        let (mut a, mut b) = (SigningOutput::new(), SigningOutput::new());
        let general = sign(&req, &params, &mut a).unwrap();
        let canonical = sign_both(&parts, &params, &mut b).unwrap();
        assert_eq!(summary(&canonical), summary(&general), "{raw:?}");
    }
}

/// S3 signs a path exactly as it is sent, as Go v1, botocore and aws-sigv4 do: a key holding an
/// escaped `/` (`%2F`) is signed as `%2F`, not as the `/` it decodes to; other escapes stay as
/// written and bytes that need one are escaped.
#[test]
fn s3_paths_are_signed_as_sent() {
    let secret = SecretKey::new(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Field::SecretAccessKey,
    )
    .unwrap();
    let params = SigningParams {
        credentials: SigningCredentials {
            access_key_id: "AKIDEXAMPLE",
            secret: &secret,
            session_token: None,
        },
        region: "us-east-1",
        service: "s3",
        time: UnixTime::from_secs(1_440_938_160),
        settings: SigningSettings::s3(),
    };
    let headers = [("host", "bucket.s3.amazonaws.com")];
    for (sent, canonical) in [
        ("/dir%2Fkey.txt", "/dir%2Fkey.txt"),
        ("/dir%2fkey.txt", "/dir%2fkey.txt"),
        ("/a b/%41", "/a%20b/%41"),
        ("/a%20b", "/a%20b"),
        ("/100%", "/100%25"),
    ] {
        let req = SignableRequest::new("GET", sent, "", &headers, SignableBody::Unsigned);
        let creq = CanonicalRequest::new(&req, &params).unwrap();
        let text = creq.to_string();
        assert_eq!(text.lines().nth(1), Some(canonical), "{sent}");
    }
}
