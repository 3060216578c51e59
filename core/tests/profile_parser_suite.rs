//! The cross-SDK profile parser suites, driven through `aws_session_core::profile`'s visitor API.
//!
//! * smithy-rs `profile-parser-tests.json` (65 cases; outputs nested under `config`, property keys
//!   lowercased, sub-property blocks shown as their raw text `\nkey = value`).
//! * aws-sdk-kotlin `PARSER_TEST_SUITE_JSON` (67 cases; the original output shape, keys as spelled,
//!   sub-property blocks shown as maps, plus `sso-sessions`, `services` and `unknown` sections).
//! * aws-c-auth's fuzz corpus (40 files, no expectations): must not panic.
//!
//! The expected maps are rebuilt from our API only (`sections`, `visit_profile`,
//! `visit_sso_session`, `visit_services`, `visit_section`); errors compare on "an error was
//! returned", not on wording. The data stays in `../shared/testdata` (or `$AWS_SESSION_TESTDATA`).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_session_core::config::{FileKind, ProfileFile};
use aws_session_core::profile::{
    check_file, headers, sections, visit_profile, visit_section, visit_services, visit_sso_session,
    Property, SectionKind,
};
use serde_json::{json, Map, Value as Json};

/// The two suites disagree on how to show keys and sub-property blocks; the parse is the same.
#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    /// Keys lowercased (case-insensitive merge); values always as their joined text.
    SmithyRs,
    /// Keys as spelled; a sub-property block as a map of its valid sub-properties.
    Kotlin,
}

type Props = Map<String, Json>;
type Sections = BTreeMap<String, Props>;

#[derive(Default, Debug, PartialEq)]
struct Model {
    profiles: Sections,
    sso_sessions: Sections,
    services: Sections,
    unknown: Sections,
}

fn put(props: &mut Props, p: &Property<'_>, dialect: Dialect) {
    let key = match dialect {
        Dialect::SmithyRs => p.key.to_ascii_lowercase(),
        Dialect::Kotlin => p.key.to_string(),
    };
    let value = if dialect == Dialect::Kotlin && p.value.has_sub_properties() {
        let mut subs = Map::new();
        for s in p.value.sub_properties() {
            subs.insert(s.key.to_string(), Json::String(s.value.to_string()));
        }
        Json::Object(subs)
    } else {
        let mut text = String::new();
        p.value.write_to(&mut text).unwrap();
        assert_eq!(text.len(), p.value.len(), "Value::len agrees with write_to");
        assert!(p.value.eq_str(&text));
        Json::String(text)
    };
    props.insert(key, value);
}

/// Reads one file into the model: config first, then credentials, so later files win.
fn load(model: &mut Model, file: &ProfileFile<'_>, dialect: Dialect) -> Result<(), String> {
    check_file(file).map_err(|e| e.to_string())?;
    let mut seen: Vec<(SectionKind, String, String)> = Vec::new();
    for s in sections(file).map_err(|e| e.to_string())? {
        let id = (s.kind, s.type_word.to_string(), s.name.to_string());
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let map = match s.kind {
            SectionKind::Profile => &mut model.profiles,
            SectionKind::SsoSession => &mut model.sso_sessions,
            SectionKind::Services => &mut model.services,
            _ => &mut model.unknown,
        };
        let props = map.entry(s.name.to_string()).or_default();
        let mut visit = |p: &Property<'_>| put(props, p, dialect);
        let found = match s.kind {
            SectionKind::Profile => visit_profile(file, s.name, &mut visit),
            SectionKind::SsoSession => visit_sso_session(file, s.name, &mut visit),
            SectionKind::Services => visit_services(file, s.name, &mut visit),
            _ => visit_section(file, &s, &mut visit),
        }
        .map_err(|e| e.to_string())?;
        assert!(found.is_some(), "a listed section is found again: {s:?}");
    }
    Ok(())
}

fn run_case(input: &Json, dialect: Dialect) -> Result<Model, String> {
    let mut model = Model::default();
    for (key, kind, path) in [
        ("configFile", FileKind::Config, "config"),
        ("credentialsFile", FileKind::Credentials, "credentials"),
    ] {
        if let Some(text) = input.get(key).and_then(Json::as_str) {
            load(&mut model, &ProfileFile { path, kind, text }, dialect)?;
        }
    }
    Ok(model)
}

fn sections_of(v: Option<&Json>) -> Sections {
    let mut out = Sections::new();
    if let Some(Json::Object(m)) = v {
        for (name, props) in m {
            out.insert(name.clone(), props.as_object().cloned().unwrap_or_default());
        }
    }
    out
}

/// Runs a suite; returns (passed, total) and the failures' descriptions.
fn run_suite(tests: &[Json], dialect: Dialect) -> (usize, Vec<String>) {
    let mut passed = 0;
    let mut failures = Vec::new();
    for (i, case) in tests.iter().enumerate() {
        let name = case["name"].as_str().unwrap_or("?");
        let output = &case["output"];
        let got = run_case(&case["input"], dialect);
        let verdict = match (output.get("errorContaining"), got) {
            (Some(_), Err(_)) => Ok(()),
            (Some(want), Ok(model)) => Err(format!("expected an error ({want}), parsed {model:?}")),
            (None, Err(e)) => Err(format!("unexpected error: {e}")),
            (None, Ok(model)) => {
                let expected = match dialect {
                    Dialect::SmithyRs => {
                        let c = &output["config"];
                        Model {
                            profiles: sections_of(c.get("profiles")),
                            sso_sessions: sections_of(c.get("sso_sessions")),
                            // The smithy-rs shape has no services or unknown sections.
                            services: model.services.clone(),
                            unknown: model.unknown.clone(),
                        }
                    }
                    Dialect::Kotlin => Model {
                        profiles: sections_of(output.get("profiles")),
                        sso_sessions: sections_of(output.get("sso-sessions")),
                        services: sections_of(output.get("services")),
                        unknown: sections_of(output.get("unknown")),
                    },
                };
                if model == expected {
                    Ok(())
                } else {
                    Err(format!("expected {expected:?}\n      got {model:?}"))
                }
            }
        };
        match verdict {
            Ok(()) => passed += 1,
            Err(why) => failures.push(format!("#{i} {name}: {why}")),
        }
    }
    (passed, failures)
}

fn read_suite(path: PathBuf) -> Vec<Json> {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Json = serde_json::from_str(&text).unwrap();
    doc["tests"].as_array().cloned().unwrap_or_default()
}

fn check_suite(label: &str, path: PathBuf, dialect: Dialect, expected_cases: usize) {
    let tests = read_suite(path);
    assert_eq!(tests.len(), expected_cases, "{label}: case count changed");
    let (passed, failures) = run_suite(&tests, dialect);
    println!("{label}: {passed}/{} cases passed", tests.len());
    assert!(
        failures.is_empty(),
        "{label}: {} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn smithy_rs_profile_parser_suite() {
    let Some(dir) = common::testdata("profile-config-parser") else {
        return;
    };
    let path =
        dir.join("smithy-rs/aws/rust-runtime/aws-runtime/test-data/profile-parser-tests.json");
    check_suite(
        "smithy-rs profile-parser-tests.json",
        path,
        Dialect::SmithyRs,
        65,
    );
}

#[test]
fn kotlin_profile_parser_suite() {
    let Some(dir) = common::testdata("profile-config-parser") else {
        return;
    };
    let path = dir.join(
        "aws-sdk-kotlin/aws-runtime/aws-config/common/test/aws/sdk/kotlin/runtime/config/profile/\
         SpecTestSuites.PARSER_TEST_SUITE_JSON.json",
    );
    check_suite(
        "aws-sdk-kotlin PARSER_TEST_SUITE_JSON",
        path,
        Dialect::Kotlin,
        67,
    );
}

/// Exercises every read path of the API on `text` as both file kinds.
fn exercise(text: &str) {
    for kind in [FileKind::Config, FileKind::Credentials] {
        let file = ProfileFile {
            path: "fuzz",
            kind,
            text,
        };
        let Ok(hs) = headers(&file) else {
            assert!(check_file(&file).is_err());
            continue;
        };
        for h in hs {
            assert!(h.line >= 1);
        }
        for s in sections(&file).unwrap() {
            visit_section(&file, &s, &mut |p| {
                let mut out = String::new();
                p.value.write_to(&mut out).unwrap();
                assert_eq!(out.len(), p.value.len());
                for sub in p.value.sub_properties() {
                    assert!(sub.line > p.line);
                }
                let _ = p
                    .value
                    .to_text::<16>(aws_session_core::text::Field::Setting);
            })
            .unwrap();
        }
        let _ = visit_profile(&file, "default", &mut |_| {});
    }
}

#[test]
fn aws_c_auth_fuzz_corpus_does_not_panic() {
    let Some(dir) = common::testdata("profile-config-parser") else {
        return;
    };
    let corpus = dir.join("aws-c-auth/tests/fuzz/corpus/parse_config_profile");
    let mut files: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 40, "corpus size changed");
    let mut parsed = 0;
    let mut mutated = 0;
    // A fixed-seed xorshift so every run mutates the same way.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    const ALPHABET: &[u8] = b"[]=#; \t\r\n\xc3\xa9aZ-_profilesso";
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        exercise(&text);
        if check_file(&ProfileFile {
            path: "",
            kind: FileKind::Config,
            text: &text,
        })
        .is_ok()
        {
            parsed += 1;
        }
        // 200 single- and multi-byte mutations per seed file.
        for _ in 0..200 {
            let mut m = bytes.clone();
            for _ in 0..=(next() % 4) {
                let at = if m.is_empty() {
                    0
                } else {
                    (next() as usize) % (m.len() + 1)
                };
                let b = ALPHABET[(next() as usize) % ALPHABET.len()];
                match next() % 3 {
                    0 if at < m.len() => m[at] = b,
                    1 if at < m.len() => {
                        m.remove(at);
                    }
                    _ => m.insert(at, b),
                }
            }
            exercise(&String::from_utf8_lossy(&m));
            mutated += 1;
        }
    }
    println!("aws-c-auth corpus: {} files without a panic ({parsed} parse as a config file); {mutated} mutations", files.len());
}

#[test]
fn json_helper_sanity() {
    // Guards the harness itself: a sub-property map compares equal to the Kotlin shape.
    let mut props = Props::new();
    let file = ProfileFile {
        path: "c",
        kind: FileKind::Config,
        text: "[profile a]\ns3 =\n  x = 1\n",
    };
    visit_profile(&file, "a", &mut |p| put(&mut props, p, Dialect::Kotlin)).unwrap();
    assert_eq!(Json::Object(props), json!({"s3": {"x": "1"}}));
}
