//! Lookups over one file after normalization: visit every property of a profile (or SSO session,
//! or services block) in file order, list the sections a file defines, find one property.
//!
//! Every lookup works on a [`CheckedFile`]: a file whose whole text was tokenized once without an
//! error — Go v1 also refuses a file it cannot parse even when the wanted profile is fine — so a
//! visitor is only ever called for a file that is entirely valid. The free functions
//! ([`visit_profile`], …) check the file and look up in one call; a caller with several lookups in
//! one file (the session: the profile, its `source_profile` chain, its `[sso-session]`) checks it
//! once and looks up on the [`CheckedFile`], where a lookup skims the text for headers and
//! tokenizes only the sections it wants. Both borrow the text and use a few words of stack; there
//! is no index to build or store.

use super::error::ProfileError;
use super::normalize::{
    classify_header, is_valid_name, Classified, HeaderForm, IgnoreReason, Section, SectionKind,
};
use super::parse::{Entries, Entry, SectionSpans, Token, Tokenizer};
use super::value::Property;
use crate::shared_file::{FileKind, ProfileFile};

/// Where the first section that matched a lookup starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionInfo<'a> {
    /// 1-based line of the first matching header.
    pub line: u32,
    /// Its trimmed text between the brackets, e.g. `profile dev`.
    pub header: &'a str,
}

/// Facts about a whole file that normalization needs before visiting it.
#[derive(Debug, Clone, Copy)]
struct FileFacts {
    kind: FileKind,
    /// Config file with a `[profile default]` header: bare `[default]` headers are ignored.
    has_prefixed_default: bool,
}

impl FileFacts {
    /// What the header means in this file, shadowed `[default]` included.
    fn meaning<'a>(&self, header: &'a str, line: u32) -> Result<Classified<'a>, ProfileError> {
        let meaning = classify_header(self.kind, header, line)?;
        Ok(match meaning {
            Classified::Section(s) if self.shadows(&s) => {
                Classified::Ignored(IgnoreReason::ShadowedDefault)
            }
            other => other,
        })
    }

    fn shadows(&self, s: &Section<'_>) -> bool {
        self.has_prefixed_default
            && self.kind == FileKind::Config
            && s.kind == SectionKind::Profile
            && s.form == HeaderForm::Bare
    }
}

/// What to visit.
#[derive(Clone, Copy)]
enum Wanted<'n> {
    Named(SectionKind, &'n str),
    Like(&'n Section<'n>),
}

impl Wanted<'_> {
    fn matches(&self, s: &Section<'_>) -> bool {
        match *self {
            Wanted::Named(kind, name) => s.kind == kind && s.name == name,
            Wanted::Like(other) => other.same_as(s),
        }
    }
}

/// A file whose whole text has been checked, so its lookups cannot fail.
///
/// [`CheckedFile::new`] is the one pass over the whole text that tokenizes every line; every
/// lookup after it finds the section headers by searching the text for `\n[` and tokenizes only
/// the sections it wants. A session checks each of its files once and then looks up the selected
/// profile, its `source_profile` chain and its `[sso-session]` in them, so creation costs one
/// full pass per file plus a fast skim per lookup, not two full passes per lookup.
///
/// Like the file it wraps it borrows the text and holds a few words.
///
/// ```
/// use aws_session_core::config::{FileKind, ProfileFile};
/// use aws_session_core::profile::{CheckedFile, ProfileErrorKind};
///
/// let file = ProfileFile { path: "config", kind: FileKind::Config, text: "[profile a]\nk = 1\n" };
/// let checked = CheckedFile::new(file)?;
/// assert_eq!(checked.find_property("a", "K").and_then(|p| p.value.as_str()), Some("1"));
///
/// let bad = ProfileFile { text: "[profile a]\nk = 1\n[profile b\n", ..file };
/// assert_eq!(CheckedFile::new(bad).unwrap_err().kind, ProfileErrorKind::UnclosedSectionHeader);
/// # Ok::<(), aws_session_core::profile::ProfileError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CheckedFile<'a> {
    file: ProfileFile<'a>,
    facts: FileFacts,
}

impl<'a> CheckedFile<'a> {
    /// Checks the whole of `file`: its syntax and every header (a `[sso-session …]` header in a
    /// credentials file is an error, for example).
    ///
    /// # Errors
    /// The first [`ProfileError`] in the file.
    pub fn new(file: ProfileFile<'a>) -> Result<Self, ProfileError> {
        let mut facts = FileFacts {
            kind: file.kind,
            has_prefixed_default: false,
        };
        for token in Tokenizer::new(file.text) {
            if let Token::Section { header, line } = token? {
                if let Classified::Section(s) = classify_header(file.kind, header, line)? {
                    if s.kind == SectionKind::Profile
                        && s.form == HeaderForm::Prefixed
                        && s.name == "default"
                    {
                        facts.has_prefixed_default = true;
                    }
                }
            }
        }
        Ok(CheckedFile { file, facts })
    }

    /// The file that was checked.
    pub fn file(&self) -> &ProfileFile<'a> {
        &self.file
    }

    fn visit_matching(
        &self,
        wanted: Wanted<'_>,
        visit: &mut dyn FnMut(&Property<'a>),
    ) -> Option<SectionInfo<'a>> {
        let mut found = None;
        for span in SectionSpans::new(self.file.text) {
            // The headers were classified by `new`, so `meaning` cannot fail here.
            let Ok(Classified::Section(s)) = self.facts.meaning(span.header, span.line) else {
                continue;
            };
            if !wanted.matches(&s) {
                continue;
            }
            found.get_or_insert(SectionInfo {
                line: span.line,
                header: span.header,
            });
            // The body was tokenized by `new` without error, so every entry is `Ok`.
            for entry in Entries::section_body(span.body, span.line.saturating_add(1)) {
                if let Ok(Entry::Property(p)) = entry {
                    if is_valid_name(p.key) {
                        visit(&p);
                    }
                }
            }
        }
        found
    }

    /// Visits every property of profile `name`, in file order; see [`visit_profile`].
    pub fn visit_profile(
        &self,
        name: &str,
        visit: &mut dyn FnMut(&Property<'a>),
    ) -> Option<SectionInfo<'a>> {
        self.visit_matching(Wanted::Named(SectionKind::Profile, name), visit)
    }

    /// Visits every property of `[sso-session name]`; see [`visit_sso_session`].
    pub fn visit_sso_session(
        &self,
        name: &str,
        visit: &mut dyn FnMut(&Property<'a>),
    ) -> Option<SectionInfo<'a>> {
        self.visit_matching(Wanted::Named(SectionKind::SsoSession, name), visit)
    }

    /// Visits every property of `[services name]`; see [`visit_services`].
    pub fn visit_services(
        &self,
        name: &str,
        visit: &mut dyn FnMut(&Property<'a>),
    ) -> Option<SectionInfo<'a>> {
        self.visit_matching(Wanted::Named(SectionKind::Services, name), visit)
    }

    /// Visits every property of every section that is the [same](Section::same_as) as
    /// `section`; see [`visit_section`].
    pub fn visit_section(
        &self,
        section: &Section<'_>,
        visit: &mut dyn FnMut(&Property<'a>),
    ) -> Option<SectionInfo<'a>> {
        self.visit_matching(Wanted::Like(section), visit)
    }

    /// The last property `key` (ASCII case-insensitive) of profile `profile`; see
    /// [`find_property`].
    pub fn find_property(&self, profile: &str, key: &str) -> Option<Property<'a>> {
        let mut last = None;
        self.visit_profile(profile, &mut |p| {
            if p.key_is(key) {
                last = Some(*p);
            }
        });
        last
    }

    /// Every section header with its meaning; see [`headers`].
    pub fn headers(&self) -> Headers<'a> {
        Headers {
            spans: SectionSpans::new(self.file.text),
            facts: self.facts,
        }
    }

    /// Every section that counts, in file order; see [`sections`].
    pub fn sections(&self) -> impl Iterator<Item = Section<'a>> + Clone + 'a {
        self.headers().filter_map(|h| match h.meaning {
            Classified::Section(s) => Some(s),
            Classified::Ignored(_) => None,
        })
    }
}

/// Checks that the whole file parses, as every lookup does first ([`CheckedFile::new`] keeps the
/// result, so that several lookups check once).
///
/// # Errors
/// The first [`ProfileError`] in the file.
pub fn check_file(file: &ProfileFile<'_>) -> Result<(), ProfileError> {
    CheckedFile::new(*file).map(|_| ())
}

/// Visits every property of profile `name` in `file`, in file order.
///
/// Normalization applies: only the header form valid for the file kind counts, `[profile default]`
/// hides `[default]` in a config file, properties with invalid names are skipped, and a profile
/// that appears several times is visited section after section — so a caller that lets a later
/// property overwrite an earlier one gets "last one wins". Keys are compared ignoring ASCII case
/// ([`Property::key_is`]); profile names exactly.
///
/// Returns `Ok(None)` when the profile is not in the file, and the first matching header when it
/// is (even if it has no properties). This checks the whole file first; for several lookups in
/// one file, check it once with [`CheckedFile::new`] and look up there.
///
/// # Errors
/// The first [`ProfileError`] anywhere in the file; `visit` is not called then.
pub fn visit_profile<'a>(
    file: &ProfileFile<'a>,
    name: &str,
    visit: &mut dyn FnMut(&Property<'a>),
) -> Result<Option<SectionInfo<'a>>, ProfileError> {
    Ok(CheckedFile::new(*file)?.visit_profile(name, visit))
}

/// Visits every property of `[sso-session name]` in `file`, like [`visit_profile`].
///
/// # Errors
/// The first [`ProfileError`] anywhere in the file; `visit` is not called then.
pub fn visit_sso_session<'a>(
    file: &ProfileFile<'a>,
    name: &str,
    visit: &mut dyn FnMut(&Property<'a>),
) -> Result<Option<SectionInfo<'a>>, ProfileError> {
    Ok(CheckedFile::new(*file)?.visit_sso_session(name, visit))
}

/// Visits every property of `[services name]` in `file`, like [`visit_profile`]. The per-service
/// settings are sub-properties (`s3 =` then indented `endpoint_url = …`); see
/// [`Value::sub_properties`](super::Value::sub_properties).
///
/// # Errors
/// The first [`ProfileError`] anywhere in the file; `visit` is not called then.
pub fn visit_services<'a>(
    file: &ProfileFile<'a>,
    name: &str,
    visit: &mut dyn FnMut(&Property<'a>),
) -> Result<Option<SectionInfo<'a>>, ProfileError> {
    Ok(CheckedFile::new(*file)?.visit_services(name, visit))
}

/// Visits every property of every section that is the [same](Section::same_as) as `section`
/// (typically one returned by [`sections`]), like [`visit_profile`]. This reaches
/// [`SectionKind::Other`] sections too.
///
/// # Errors
/// The first [`ProfileError`] anywhere in the file; `visit` is not called then.
pub fn visit_section<'a>(
    file: &ProfileFile<'a>,
    section: &Section<'_>,
    visit: &mut dyn FnMut(&Property<'a>),
) -> Result<Option<SectionInfo<'a>>, ProfileError> {
    Ok(CheckedFile::new(*file)?.visit_section(section, visit))
}

/// The last property `key` (ASCII case-insensitive) of profile `profile` in `file`.
///
/// # Errors
/// The first [`ProfileError`] anywhere in the file.
pub fn find_property<'a>(
    file: &ProfileFile<'a>,
    profile: &str,
    key: &str,
) -> Result<Option<Property<'a>>, ProfileError> {
    Ok(CheckedFile::new(*file)?.find_property(profile, key))
}

/// A section header of a file and what it means there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// Trimmed text between the brackets.
    pub header: &'a str,
    /// 1-based line number.
    pub line: u32,
    /// The section it opens, or why it is ignored.
    pub meaning: Classified<'a>,
}

/// Iterator over the headers of a checked file, in file order (see [`headers`]).
#[derive(Clone)]
pub struct Headers<'a> {
    spans: SectionSpans<'a>,
    facts: FileFacts,
}

impl<'a> Iterator for Headers<'a> {
    type Item = Header<'a>;

    fn next(&mut self) -> Option<Header<'a>> {
        // The file was checked when the iterator was made, so errors cannot occur here; if one
        // did, the iteration simply ends.
        let span = self.spans.next()?;
        let meaning = self.facts.meaning(span.header, span.line).ok()?;
        Some(Header {
            header: span.header,
            line: span.line,
            meaning,
        })
    }
}

/// Every section header of `file` with its meaning, ignored ones included (useful for warnings
/// such as "`[dev]` in the config file is ignored: it needs the `profile ` prefix").
///
/// # Errors
/// The first [`ProfileError`] anywhere in the file.
pub fn headers<'a>(file: &ProfileFile<'a>) -> Result<Headers<'a>, ProfileError> {
    Ok(CheckedFile::new(*file)?.headers())
}

/// Every section of `file` that counts, in file order; a section that appears several times is
/// listed each time.
///
/// # Errors
/// The first [`ProfileError`] anywhere in the file.
pub fn sections<'a>(
    file: &ProfileFile<'a>,
) -> Result<impl Iterator<Item = Section<'a>> + Clone + 'a, ProfileError> {
    Ok(CheckedFile::new(*file)?.sections())
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::super::error::ProfileErrorKind;
    use super::*;

    fn config(text: &str) -> ProfileFile<'_> {
        ProfileFile {
            path: "config",
            kind: FileKind::Config,
            text,
        }
    }

    fn creds(text: &str) -> ProfileFile<'_> {
        ProfileFile {
            path: "credentials",
            kind: FileKind::Credentials,
            text,
        }
    }

    /// The last value of `key` in profile `name`, or `None`; panics on a parse error.
    fn get<'a>(file: &ProfileFile<'a>, name: &str, key: &str) -> Option<&'a str> {
        find_property(file, name, key)
            .unwrap()
            .and_then(|p| p.value.as_str())
    }

    /// How many properties profile `name` has (counting repeats), or `None` when missing.
    fn count(file: &ProfileFile<'_>, name: &str) -> Option<usize> {
        let mut n = 0;
        visit_profile(file, name, &mut |_| n += 1)
            .unwrap()
            .map(|_| n)
    }

    selftests! {
        fn visits_in_file_order_with_section_info() {
            let f = config("[profile a]\nk = 1\n[profile b]\nk = 2\n[profile a]\nk = 3\nj = 4\n");
            let mut seen = [0u32; 4];
            let mut n = 0;
            let info = visit_profile(&f, "a", &mut |p| {
                seen[n] = p.line;
                n += 1;
            })
            .unwrap();
            assert_eq!(info, Some(SectionInfo { line: 1, header: "profile a" }));
            assert_eq!(&seen[..n], &[2, 6, 7]);
            assert_eq!(get(&f, "a", "K"), Some("3"));
            assert_eq!(count(&f, "missing"), None);
        }

        fn empty_profile_is_found() {
            assert_eq!(count(&config("[profile a]\n"), "a"), Some(0));
        }

        fn error_anywhere_fails_without_visiting() {
            let f = config("[profile a]\nk = 1\n[profile b]\nbroken\n");
            let mut called = false;
            let err = visit_profile(&f, "a", &mut |_| called = true).unwrap_err();
            assert_eq!(err, ProfileError { line: 4, kind: ProfileErrorKind::PropertyMissingEquals });
            assert!(!called);
        }

        fn default_forms_in_config() {
            let f = config("[default]\nk = bare\nj = only-bare\n[profile default]\nk = prefixed\n");
            assert_eq!(get(&f, "default", "k"), Some("prefixed"));
            assert_eq!(get(&f, "default", "j"), None);
            let f = config("[default]\nk = bare\n");
            assert_eq!(get(&f, "default", "k"), Some("bare"));
        }

        fn invalid_property_names_are_skipped() {
            let f = config("[profile a]\nin valid = 1\nok = 2\n");
            assert_eq!(count(&f, "a"), Some(1));
        }

        fn sso_sessions_and_services_are_separate_namespaces() {
            let f = config("[sso-session a]\nsso_region = r1\n[profile a]\nregion = r2\n[services a]\ns3 =\n  endpoint_url = http://x\n");
            let mut region = None;
            visit_sso_session(&f, "a", &mut |p| region = p.value.as_str()).unwrap().unwrap();
            assert_eq!(region, Some("r1"));
            assert_eq!(get(&f, "a", "region"), Some("r2"));
            let mut url = None;
            visit_services(&f, "a", &mut |p| {
                url = p.value.sub_property("endpoint_url").map(|s| s.value);
            })
            .unwrap()
            .unwrap();
            assert_eq!(url, Some("http://x"));
        }

        fn headers_report_ignored_sections() {
            let f = config("[dev]\n[profile ok]\n[default]\n[profile default]\n");
            let mut h = headers(&f).unwrap();
            assert_eq!(h.next().unwrap().meaning, Classified::Ignored(IgnoreReason::MissingProfilePrefix));
            assert!(matches!(h.next().unwrap().meaning, Classified::Section(s) if s.name == "ok"));
            assert_eq!(h.next().unwrap().meaning, Classified::Ignored(IgnoreReason::ShadowedDefault));
            assert!(matches!(h.next().unwrap().meaning, Classified::Section(s) if s.name == "default"));
            assert!(h.next().is_none());
            assert_eq!(sections(&f).unwrap().count(), 2);
        }

        fn other_sections_are_reachable() {
            let f = config("[foobar thing]\napple = 1\n[profile thing]\napple = 2\n");
            let s = sections(&f).unwrap().next().unwrap();
            assert_eq!((s.kind, s.type_word, s.name), (SectionKind::Other, "foobar", "thing"));
            let mut apple = None;
            visit_section(&f, &s, &mut |p| apple = p.value.as_str()).unwrap();
            assert_eq!(apple, Some("1"));
        }

        fn checked_file_lookups_match_the_checking_ones() {
            let text = "[default]\nregion = bare\n[profile default]\nregion = p\n  more\n[profile a]\nk = 1\n\
                        [sso-session a]\nsso_region = r\n[services a]\ns3 =\n  endpoint_url = u\n[profile a]\nk = 2\n";
            let f = config(text);
            let checked = CheckedFile::new(f).unwrap();
            for name in ["default", "a", "missing"] {
                let (mut one, mut two) = ([(0u32, ""); 4], [(0u32, ""); 4]);
                let (mut n1, mut n2) = (0, 0);
                let found = visit_profile(&f, name, &mut |p| {
                    one[n1] = (p.line, p.key);
                    n1 += 1;
                })
                .unwrap();
                let found_checked = checked.visit_profile(name, &mut |p| {
                    two[n2] = (p.line, p.key);
                    n2 += 1;
                });
                assert_eq!(found, found_checked, "{name}");
                assert_eq!(&one[..n1], &two[..n2], "{name}");
            }
            let p = checked.find_property("default", "region").unwrap();
            assert!(p.value.eq_str("p\nmore"));
            assert_eq!(checked.find_property("a", "k").and_then(|p| p.value.as_str()), Some("2"));
            let info = checked.visit_sso_session("a", &mut |_| {}).unwrap();
            assert_eq!(info, SectionInfo { line: 8, header: "sso-session a" });
            let mut url = None;
            checked.visit_services("a", &mut |p| url = p.value.sub_property("endpoint_url").map(|s| s.value));
            assert_eq!(url, Some("u"));
            assert!(headers(&f).unwrap().eq(checked.headers()));
            assert_eq!(checked.sections().count(), 5);
            assert_eq!(checked.headers().next().unwrap().meaning, Classified::Ignored(IgnoreReason::ShadowedDefault));
            assert_eq!(checked.file().text, text);
        }

        fn a_leading_byte_order_mark_is_skipped() {
            // Notepad writes one; it is not "a property before any section header".
            let text = "\u{feff}[default]\naws_access_key_id = A\n[profile b]\nregion = r\n";
            for f in [creds(text), config(text)] {
                let checked = CheckedFile::new(f).unwrap();
                let p = checked.find_property("default", "aws_access_key_id").unwrap();
                assert_eq!((p.value.as_str(), p.line), (Some("A"), 2));
                assert_eq!(get(&f, "default", "aws_access_key_id"), Some("A"));
            }
            assert_eq!(get(&config(text), "b", "region"), Some("r"));
            // Only at the very start: elsewhere it is text like any other.
            let err = CheckedFile::new(creds("\n\u{feff}[default]\n")).unwrap_err();
            assert_eq!(err.line, 2);
        }

        fn checked_file_refuses_an_error_anywhere() {
            let err = CheckedFile::new(creds("[a]\nk = 1\n[sso-session s]\n")).unwrap_err();
            assert_eq!(err, ProfileError { line: 3, kind: ProfileErrorKind::SsoSessionInCredentialsFile });
        }

        // ---- documented divergences from Go v1 (docs/divergences.md, "Profile file syntax") ----

        fn go_v1_divergence_bare_section_in_config_is_ignored() {
            // Go v1 accepts [p] in the config file (and prefers it over [profile p]).
            let f = config("[p]\nregion = bare\n");
            assert_eq!(count(&f, "p"), None);
            let f = config("[p]\nregion = bare\n[profile p]\nregion = prefixed\n");
            assert_eq!(get(&f, "p", "region"), Some("prefixed"));
        }

        fn go_v1_divergence_profile_default_beats_default() {
            // Go v1: the bare [default] wins when both forms exist.
            let f = config("[profile default]\nregion = prefixed\n[default]\nregion = bare\n");
            assert_eq!(get(&f, "default", "region"), Some("prefixed"));
        }

        fn go_v1_divergence_prefixed_section_in_credentials_is_ignored() {
            // Go v1 falls back to [profile p] in the credentials file.
            let f = creds("[profile p]\naws_access_key_id = AKID\n");
            assert_eq!(count(&f, "p"), None);
        }

        fn go_v1_divergence_duplicate_sections_merge() {
            // Go v1: a repeated header resets the section, so only `region` would survive.
            let f = creds("[default]\naws_access_key_id = AKID\n[default]\nregion = r\n");
            assert_eq!(get(&f, "default", "aws_access_key_id"), Some("AKID"));
            assert_eq!(get(&f, "default", "region"), Some("r"));
        }

        fn go_v1_divergence_keys_ignore_case() {
            // Go v1 keys are case-sensitive: `AWS_ACCESS_KEY_ID=` in a file is ignored there.
            let f = creds("[default]\nAWS_ACCESS_KEY_ID = AKID\n");
            assert_eq!(get(&f, "default", "aws_access_key_id"), Some("AKID"));
        }

        fn go_v1_divergence_padded_header_matches() {
            // Go v1 does not match `[  profile   p  ]` to profile p.
            let f = config("[  profile   p  ]\nregion = r\n");
            assert_eq!(get(&f, "p", "region"), Some("r"));
        }

        fn go_v1_divergence_inline_comment_needs_whitespace() {
            // Go v1 strips `# …` / `; …` after a value; here only when whitespace precedes it.
            let f = creds("[a]\nx = v # note\ny = v#not-a-note\nz = v;not-a-note\n");
            assert_eq!(get(&f, "a", "x"), Some("v"));
            assert_eq!(get(&f, "a", "y"), Some("v#not-a-note"));
            assert_eq!(get(&f, "a", "z"), Some("v;not-a-note"));
        }

        fn go_v1_divergence_colon_separator_is_an_error() {
            // Go v1 accepts `key: value`.
            let err = check_file(&creds("[a]\nregion: us-east-1\n")).unwrap_err();
            assert_eq!(err, ProfileError { line: 2, kind: ProfileErrorKind::PropertyMissingEquals });
        }

        fn go_v1_divergence_quotes_are_kept() {
            // Go v1 strips surrounding double quotes, and dropped a value with quotes inside.
            let f = creds("[a]\nregion = \"us-east-1\"\ncredential_process = echo '{\"Version\": 1}'\n");
            assert_eq!(get(&f, "a", "region"), Some("\"us-east-1\""));
            assert_eq!(get(&f, "a", "credential_process"), Some("echo '{\"Version\": 1}'"));
        }

        fn go_v1_divergence_nested_properties_are_kept() {
            // Go v1 drops an empty-valued key and the indented key under it.
            let f = creds("[a]\naws_access_key_id =\n    aws_secret_access_key = x\nregion = r\n");
            let p = find_property(&f, "a", "aws_access_key_id").unwrap().unwrap();
            assert!(p.value.has_sub_properties());
            assert_eq!(p.value.as_str(), None);
            assert_eq!(get(&f, "a", "aws_secret_access_key"), None);
            assert_eq!(get(&f, "a", "region"), Some("r"));
        }

        fn go_v1_divergence_sso_session_in_credentials_is_an_error() {
            // Go v1 finds [sso-session s] in either file.
            let err = check_file(&creds("[sso-session s]\nsso_region = r\n")).unwrap_err();
            assert_eq!(err, ProfileError { line: 1, kind: ProfileErrorKind::SsoSessionInCredentialsFile });
        }

        fn go_v1_divergence_invalid_profile_names_are_ignored() {
            // Go v1 accepts any section name.
            let f = creds("[my profile]\nregion = r\n[ok!]\nregion = r\n");
            assert_eq!(count(&f, "my profile"), None);
            assert_eq!(count(&f, "ok!"), None);
        }
    }
}
