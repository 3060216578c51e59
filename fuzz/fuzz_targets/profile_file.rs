//! Fuzzes the shared config / credentials file reader: the tokenizer, normalization and the
//! lookups, each input read once as a config file and once as a credentials file.
//!
//! Properties:
//! * nothing panics; a refusal is a `ProfileError` with a line inside the text;
//! * the syntax check, the grouped entries and `CheckedFile::new` agree on whether (and where)
//!   the text is wrong, and every lookup in a refused file fails with the same error;
//! * the lookups' fast path (skim for headers, tokenize only the wanted sections) finds the same
//!   headers as a full tokenization, and visiting a section gives exactly the properties the
//!   full pass puts under every header that is the same section (valid keys only, file order);
//! * a parsed property looked up again (`find_property`, `visit_profile`,
//!   `visit_sso_session`, `visit_services`) gives the same value: last one wins;
//! * a value's `len`, `write_to`, `eq_str`, `as_str`, `to_text` and sub-properties agree;
//! * `Debug` of a property never shows its value.
#![no_main]

use aws_session_core::config::{FileKind, ProfileFile};
use aws_session_core::profile::parse::{check, Entries, Entry};
use aws_session_core::profile::{
    find_property, is_valid_name, visit_profile, CheckedFile, Classified, ProfileErrorKind,
    Property, Section, SectionKind,
};
use aws_session_core::text::{Field, Text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in [FileKind::Config, FileKind::Credentials] {
        check_kind(text, kind);
    }
});

/// A property as a reader sees it: key, line, joined value, sub-properties.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    key: String,
    line: u32,
    value: String,
    subs: Vec<(String, String, u32)>,
}

fn seen(p: &Property<'_>) -> Seen {
    let mut value = String::new();
    p.value.write_to(&mut value).unwrap();
    Seen {
        key: p.key.to_owned(),
        line: p.line,
        value,
        subs: p
            .value
            .sub_properties()
            .map(|s| (s.key.to_owned(), s.value.to_owned(), s.line))
            .collect(),
    }
}

fn check_value(p: &Property<'_>, lines: u32) {
    let s = seen(p);
    assert!(p.line >= 1 && p.line <= lines);
    assert_eq!(p.value.len(), s.value.len());
    assert_eq!(p.value.is_empty(), s.value.is_empty());
    assert!(p.value.eq_str(&s.value));
    assert!(!p.value.eq_str(&format!("{}x", s.value)));
    match p.value.as_str() {
        Some(v) => {
            assert!(!p.value.is_multiline());
            assert_eq!(v, s.value);
        }
        None => assert!(p.value.is_multiline()),
    }
    assert!(s.value.starts_with(p.value.first_line()));
    match p.value.to_text::<64>(Field::Region) {
        Ok(t) => assert_eq!(t.as_str(), s.value),
        Err(_) => assert!(s.value.len() > 64),
    }
    let _: Result<Text<4096>, _> = p.value.to_text(Field::SessionToken);
    if !p.value.has_sub_properties() {
        assert!(s.subs.is_empty());
    }
    for (key, _, line) in &s.subs {
        assert!(is_valid_name(key));
        assert!(*line > p.line && *line <= lines);
        let last = s
            .subs
            .iter()
            .rev()
            .find(|(k, _, _)| k.eq_ignore_ascii_case(key));
        let found = p
            .value
            .sub_property(key)
            .map(|x| (x.key.to_owned(), x.value.to_owned(), x.line));
        assert_eq!(found.as_ref(), last);
    }
    // A value that could not come from the rest of the Debug text must not appear in it. The key
    // is compared as Debug writes it: an escape such as `\t` before a run of `t` can make the
    // value appear in the escaped key only.
    let v = &s.value;
    if v.len() >= 24
        && v.bytes().all(|b| b.is_ascii_alphanumeric())
        && !format!("{:?}", p.key).contains(v.as_str())
    {
        assert!(
            !format!("{p:?}").contains(v.as_str()),
            "Debug shows a value"
        );
    }
}

fn check_kind(text: &str, kind: FileKind) {
    let file = ProfileFile {
        path: "fuzz",
        kind,
        text,
    };
    // Line numbers count from 1; a text ending without a newline still has its last line.
    let lines = u32::try_from(text.split('\n').count()).unwrap_or(u32::MAX);

    // The full pass: every entry, or the first error.
    let syntax = check(text);
    let mut entries = Vec::new();
    let mut entries_error = None;
    for e in Entries::new(text) {
        match e {
            Ok(e) => entries.push(e),
            Err(e) => {
                entries_error = Some(e);
                break;
            }
        }
    }
    assert_eq!(syntax.err(), entries_error, "check and Entries disagree");

    let checked = match CheckedFile::new(file) {
        Ok(c) => c,
        Err(e) => {
            assert!(
                e.line >= 1 && e.line <= lines,
                "error line {} of {lines}",
                e.line
            );
            match syntax {
                // A header error can only come before the first syntax error.
                Err(s) if e != s => {
                    assert!(e.line < s.line);
                    assert_eq!(e.kind, ProfileErrorKind::SsoSessionInCredentialsFile);
                }
                Err(_) => {}
                Ok(()) => {
                    assert_eq!(e.kind, ProfileErrorKind::SsoSessionInCredentialsFile);
                    assert_eq!(kind, FileKind::Credentials);
                }
            }
            assert_eq!(visit_profile(&file, "default", &mut |_| {}), Err(e));
            assert_eq!(find_property(&file, "default", "region").err(), Some(e));
            return;
        }
    };
    assert_eq!(syntax, Ok(()), "a file with a syntax error was accepted");

    // The fast path sees the same headers as the full pass.
    let headers: Vec<_> = checked.headers().collect();
    let full: Vec<(&str, u32)> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Section { header, line } => Some((*header, *line)),
            Entry::Property(_) => None,
        })
        .collect();
    let fast: Vec<(&str, u32)> = headers.iter().map(|h| (h.header, h.line)).collect();
    assert_eq!(fast, full, "header skim and tokenizer disagree");

    // The full pass's properties under each header, with the header's meaning.
    let mut model: Vec<(Classified<'_>, Vec<Property<'_>>)> = Vec::new();
    let mut header = headers.iter();
    for e in &entries {
        match e {
            Entry::Section { .. } => model.push((header.next().unwrap().meaning, Vec::new())),
            Entry::Property(p) => {
                check_value(p, lines);
                if is_valid_name(p.key) {
                    model
                        .last_mut()
                        .expect("a property before any header was accepted")
                        .1
                        .push(*p);
                }
            }
        }
    }

    let sections: Vec<Section<'_>> = checked.sections().collect();
    // Each section once: a repeated one is visited whole on its first occurrence.
    let mut done: Vec<Section<'_>> = Vec::new();
    for s in &sections {
        assert!(is_valid_name(s.name));
        if done.iter().any(|d| d.same_as(s)) {
            continue;
        }
        done.push(*s);
        let mut expected = Vec::new();
        let mut first_line = None;
        for (meaning, props) in &model {
            if let Classified::Section(x) = meaning {
                if s.same_as(x) {
                    first_line.get_or_insert(x.line);
                    expected.extend(props.iter().map(seen));
                }
            }
        }
        let mut visited = Vec::new();
        let info = checked.visit_section(s, &mut |p| visited.push(seen(p)));
        assert_eq!(info.map(|i| i.line), first_line);
        assert_eq!(
            visited, expected,
            "section {:?} differs from the full pass",
            s.header
        );

        // The named lookups agree with visiting the section.
        let mut named = Vec::new();
        let by_name = match s.kind {
            SectionKind::Profile => checked.visit_profile(s.name, &mut |p| named.push(seen(p))),
            SectionKind::SsoSession => {
                checked.visit_sso_session(s.name, &mut |p| named.push(seen(p)))
            }
            SectionKind::Services => checked.visit_services(s.name, &mut |p| named.push(seen(p))),
            _ => {
                named = expected.clone();
                info
            }
        };
        assert_eq!(by_name, info);
        assert_eq!(named, expected);

        // Looked up again, every key gives its last value.
        if s.kind == SectionKind::Profile {
            // Each key once, the first few (a lookup walks the whole section).
            let mut keys: Vec<&str> = Vec::new();
            for p in &expected {
                if keys.len() == 8 || keys.iter().any(|k| k.eq_ignore_ascii_case(&p.key)) {
                    continue;
                }
                keys.push(&p.key);
                let last = expected
                    .iter()
                    .rev()
                    .find(|q| q.key.eq_ignore_ascii_case(&p.key));
                let again = checked.find_property(s.name, &p.key.to_ascii_uppercase());
                assert_eq!(again.as_ref().map(seen).as_ref(), last);
                // The free function checks the whole file again: once per section is enough.
                if keys.len() == 1 {
                    let free = find_property(&file, s.name, &p.key).unwrap();
                    assert_eq!(free.as_ref().map(seen).as_ref(), last);
                }
            }
        }
    }
    // A name no section has finds nothing.
    assert_eq!(checked.visit_profile("", &mut |_| panic!("visited")), None);
}
