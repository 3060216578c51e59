//! The layer table of `core/src/lib.rs`, checked: no module of the crate uses one from a layer
//! above its own.
//!
//! The test reads every `core/src/**/*.rs` file, finds each `crate::<module>` reference in code
//! (`use` lines and paths alike; comments and doc comments are skipped, since a doc link to a
//! higher layer is no dependency), maps the file's top-level module and the referenced one to
//! their layers, and fails naming the file, the line and both modules for every reference that
//! goes up.
//!
//! Test code is exempt, because tests may build whatever they need:
//! * the self-test registry (`selftest`), the test helpers (`test_util`) and `*_tests.rs` files,
//!   as files, and any reference *to* `selftest` or `test_util`;
//! * inline test modules: a `mod NAME {` block whose attributes include a `#[cfg(...)]` that
//!   names `test` (`#[cfg(test)]`, `#[cfg(any(test, feature = "selftest"))]`), skipped to its
//!   closing brace.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may use modules of its own layer and of the layers below.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "bottom: values",
        &[
            "limits",
            "error_kind",
            "text",
            "secret",
            "keys",
            "time",
            "provenance",
            "shared_file",
            "xml",
            "log",
            "macros",
        ],
    ),
    ("platform and HTTP views", &["platform", "http"]),
    ("profile files", &["profile"]),
    ("config", &["config"]),
    ("credentials", &["credentials"]),
    ("protocols", &["protocol"]),
    ("signing", &["sigv4"]),
    ("handlers", &["handlers"]),
    (
        "session and clients",
        &[
            "session",
            "client",
            "endpoint",
            "fetch",
            "skew",
            "user_agent",
            "request_log",
        ],
    ),
    ("operations", &["ops"]),
];

/// Modules that are test code wherever they are used from.
const TEST_MODULES: &[&str] = &["selftest", "test_util"];

/// Known upward references, as (file under `core/src`, used module, why). Empty: every module
/// uses only its own layer and those below. The test fails when an entry no longer matches
/// anything, so the list cannot go stale.
const ALLOWED: &[(&str, &str, &str)] = &[];

struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a line without its `//` comment (a `//` inside a string literal is rare enough
/// in this crate's code that cutting there loses no `crate::` path).
fn code_of(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Every `crate::<name>` in `code` (not `$crate::`, the macro form, which points at the crate's
/// own macro support).
fn crate_refs(code: &str) -> Vec<String> {
    let mut refs = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        let after = &rest[i + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let is_path_start =
            !matches!(before, Some(c) if c.is_ascii_alphanumeric() || c == '_' || c == '$');
        if is_path_start && !name.is_empty() {
            refs.push(name);
        }
        rest = after;
    }
    refs
}

/// Lines of `text` that are not test code, numbered from 1.
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut test_attr = false;
    let mut skip_depth: Option<i64> = None;
    for (i, line) in text.lines().enumerate() {
        let code = code_of(line);
        let trimmed = code.trim();
        if let Some(depth) = skip_depth.as_mut() {
            *depth += code.matches('{').count() as i64 - code.matches('}').count() as i64;
            if *depth <= 0 {
                skip_depth = None;
            }
            continue;
        }
        if trimmed.starts_with("#[cfg(") && cfg_names_test(trimmed) {
            test_attr = true;
            continue;
        }
        let is_attr_or_doc = trimmed.starts_with("#[") || line.trim_start().starts_with("//");
        if test_attr && is_mod_block(trimmed) {
            let depth = code.matches('{').count() as i64 - code.matches('}').count() as i64;
            if depth > 0 {
                skip_depth = Some(depth);
            }
            test_attr = false;
            continue;
        }
        if !is_attr_or_doc && !trimmed.is_empty() {
            test_attr = false;
        }
        out.push((i + 1, line));
    }
    out
}

/// True when a `#[cfg(...)]` attribute names `test` as a predicate.
fn cfg_names_test(attr: &str) -> bool {
    let inner = &attr["#[cfg(".len()..];
    inner
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| word == "test")
}

fn is_mod_block(code: &str) -> bool {
    let code = code
        .trim_start_matches("pub(crate) ")
        .trim_start_matches("pub(super) ")
        .trim_start_matches("pub ");
    code.starts_with("mod ") && code.contains('{')
}

/// The file's top-level module, or `None` for the crate root and exempt files.
fn top_module(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    let module = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
    let file = rel.file_name()?.to_str()?;
    if module == "lib" || TEST_MODULES.contains(&module.as_str()) || file.ends_with("_tests.rs") {
        return None;
    }
    Some(module)
}

fn violations(src: &Path) -> Vec<Violation> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for path in files {
        let rel = path.strip_prefix(src).unwrap();
        let Some(from) = top_module(rel) else {
            continue;
        };
        let from_layer = layer_of(&from)
            .unwrap_or_else(|| panic!("module `{from}` is missing from the layer table"));
        let text = fs::read_to_string(&path).unwrap();
        for (line, text) in non_test_lines(&text) {
            for to in crate_refs(code_of(text)) {
                if TEST_MODULES.contains(&to.as_str()) || to == from {
                    continue;
                }
                let to_layer = layer_of(&to).unwrap_or_else(|| {
                    panic!(
                        "module `{to}` (used in {}) is missing from the layer table",
                        rel.display()
                    )
                });
                if to_layer > from_layer {
                    found.push(Violation {
                        file: rel.to_string_lossy().replace('\\', "/"),
                        line,
                        from: from.clone(),
                        to,
                    });
                }
            }
        }
    }
    found
}

#[test]
fn no_module_uses_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut used: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for v in violations(&src) {
        match ALLOWED
            .iter()
            .find(|(file, to, _)| *file == v.file && *to == v.to)
        {
            Some((file, to, _)) => *used.entry((file, to)).or_default() += 1,
            None => failures.push(format!(
                "{}:{}: `{}` ({}) uses `{}` ({}), a higher layer",
                v.file,
                v.line,
                v.from,
                LAYERS[layer_of(&v.from).unwrap()].0,
                v.to,
                LAYERS[layer_of(&v.to).unwrap()].0,
            )),
        }
    }
    for (file, to, _) in ALLOWED {
        if !used.contains_key(&(*file, *to)) {
            failures.push(format!(
                "allow-list entry ({file}, {to}) matches nothing any more: remove it"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

#[test]
fn the_checker_sees_what_it_should() {
    assert_eq!(crate_refs("use crate::http::{A, B};"), ["http"]);
    assert_eq!(
        crate_refs("let x: crate::a::B = crate::c::d();"),
        ["a", "c"]
    );
    assert!(crate_refs("pub const ALL: &[$crate::selftest::SelfTest] = &[];").is_empty());
    assert!(crate_refs("use super::crate_like::X;").is_empty());
    let text = "use crate::a::X;\n#[cfg(test)]\nmod tests {\n    use crate::z::Y;\n}\n\
        #[cfg(any(test, feature = \"selftest\"))]\n/// Docs.\npub mod selftests {\n    use crate::z::Y;\n    fn f() {}\n}\n\
        #[cfg(feature = \"testing\")]\nmod kept {\n    use crate::b::Y;\n}\n";
    let kept: Vec<usize> = non_test_lines(text)
        .iter()
        .filter(|(_, l)| !crate_refs(l).is_empty())
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(kept, [1, 14]);
}
