//! Stage 1, parse: a streaming tokenizer over the text of one shared config file.
//!
//! The tokenizer is purely syntactic. It knows nothing about config versus credentials files, valid
//! names or duplicate sections — that is [`normalize`](super::normalize)'s job — so the same tokens
//! come out of either file kind, and every syntax error is found whatever section it sits in.
//!
//! # Line kinds
//!
//! Lines end at `\n`; a `\r` just before it is dropped. "Whitespace" below means space or tab.
//!
//! | line (first character) | meaning |
//! |---|---|
//! | only whitespace, or empty | blank: ignored everywhere, also between continuation lines |
//! | `#` or `;` | comment: ignored everywhere, also between continuation lines |
//! | `[` | section header: `[` text `]`, then optionally a comment; anything from the first `#` or `;` on is dropped before the `]` is looked for |
//! | whitespace | continuation of the previous property (see below) |
//! | anything else | property definition `key = value` |
//!
//! A **property** splits at its first `=`; key and value are trimmed. In the value, a `#` or `;`
//! that follows whitespace starts a comment (`value # note` → `value`), while an adjacent one is
//! kept (`value#x` stays `value#x`).
//!
//! A **continuation** line belongs to the last property of the current section. If that property's
//! value is non-empty the line is a plain continuation: trimmed, comments kept, joined with `\n`. If
//! the value is empty the line is a **sub-property**, `key = value` with comments kept, and a line
//! without `=` or without a key is an error. A section header ends the current property.

use super::error::{ProfileError, ProfileErrorKind};
use super::value::{Property, Value};

/// Space or tab: the only characters trimmed from keys, values and section names.
pub(crate) fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// `s` without leading and trailing spaces and tabs.
/// `text` without a leading UTF-8 byte order mark (U+FEFF), which editors on Windows write: it
/// is not part of the first line. The cross-SDK parser suite has no case for it; skipping it
/// keeps the first header or property where the writer put it (docs/divergences.md, P-BOM).
pub(crate) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// One physical line: its text (without the line break), byte span in the file and number.
#[derive(Clone, Copy)]
pub(crate) struct Line<'a> {
    pub(crate) text: &'a str,
    /// Byte offset just past this line's line break (or the end of the text).
    pub(crate) end: usize,
    pub(crate) number: u32,
}

/// Physical lines of a text, numbered from a given line number.
#[derive(Clone)]
pub(crate) struct Lines<'a> {
    rest: &'a str,
    offset: usize,
    number: u32,
}

impl<'a> Lines<'a> {
    /// The lines of `text`; the first one is numbered `first_number`, and byte spans are reported
    /// relative to `text` plus `base_offset`.
    pub(crate) fn new(text: &'a str, base_offset: usize, first_number: u32) -> Self {
        Lines {
            rest: text,
            offset: base_offset,
            number: first_number,
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let (raw, consumed, rest) = match self.rest.split_once('\n') {
            Some((line, rest)) => (line, line.len().saturating_add(1), rest),
            None => (self.rest, self.rest.len(), ""),
        };
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        let number = self.number;
        self.rest = rest;
        self.offset = self.offset.saturating_add(consumed);
        self.number = self.number.saturating_add(1);
        Some(Line {
            text,
            end: self.offset,
            number,
        })
    }
}

/// What a physical line is, judged by its first character alone.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    Blank,
    Comment,
    Header,
    Continuation,
    Definition,
}

pub(crate) fn line_kind(text: &str) -> LineKind {
    if trim(text).is_empty() {
        return LineKind::Blank;
    }
    match text.chars().next() {
        Some('#' | ';') => LineKind::Comment,
        Some('[') => LineKind::Header,
        Some(c) if is_space(c) => LineKind::Continuation,
        _ => LineKind::Definition,
    }
}

/// The trimmed text between the brackets of a header line, or `None` when there is no closing `]`.
fn header_text(line: &str) -> Option<&str> {
    let content = match line.find(['#', ';']) {
        Some(at) => line.get(..at)?,
        None => line,
    };
    let inner = content
        .trim_end_matches(is_space)
        .strip_prefix('[')?
        .strip_suffix(']')?;
    Some(trim(inner))
}

/// `value` up to a `#` or `;` that follows a space or tab.
fn strip_inline_comment(value: &str) -> &str {
    let mut previous_is_space = false;
    for (at, c) in value.char_indices() {
        if previous_is_space && (c == '#' || c == ';') {
            return value.get(..at).unwrap_or(value);
        }
        previous_is_space = is_space(c);
    }
    value
}

/// Splits `key = value` at the first `=`, trimming both sides.
pub(crate) fn split_assignment(text: &str) -> Option<(&str, &str)> {
    text.split_once('=')
        .map(|(key, value)| (trim(key), trim(value)))
}

/// One syntactic element of a shared config file.
///
/// `Debug` shows keys, section headers and line numbers, but only the length of values: a value
/// may be a secret access key or a session token.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// A `[...]` header; `header` is the trimmed text between the brackets.
    Section {
        /// Trimmed text inside the brackets, e.g. `profile dev` or `default`.
        header: &'a str,
        /// 1-based line number.
        line: u32,
    },
    /// A `key = value` line; `value` is the first line of the value (trimmed, inline comment removed).
    Property {
        /// Trimmed key, as spelled in the file.
        key: &'a str,
        /// Trimmed value on the property's own line; may be empty.
        value: &'a str,
        /// 1-based line number.
        line: u32,
    },
    /// An indented line continuing a non-empty property value (trimmed, comments kept).
    Continuation {
        /// The trimmed line.
        text: &'a str,
        /// 1-based line number.
        line: u32,
    },
    /// An indented `key = value` line under a property whose own value is empty.
    SubProperty {
        /// Trimmed sub-property key, as spelled in the file.
        key: &'a str,
        /// Trimmed sub-property value (comments kept).
        value: &'a str,
        /// 1-based line number.
        line: u32,
    },
}

impl Token<'_> {
    /// The 1-based line the token came from.
    pub fn line(&self) -> u32 {
        match *self {
            Token::Section { line, .. }
            | Token::Property { line, .. }
            | Token::Continuation { line, .. }
            | Token::SubProperty { line, .. } => line,
        }
    }
}

impl core::fmt::Debug for Token<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            Token::Section { header, line } => f
                .debug_struct("Section")
                .field("header", &header)
                .field("line", &line)
                .finish(),
            Token::Property { key, value, line } => f
                .debug_struct("Property")
                .field("key", &key)
                .field("value_len", &value.len())
                .field("line", &line)
                .finish(),
            Token::Continuation { text, line } => f
                .debug_struct("Continuation")
                .field("len", &text.len())
                .field("line", &line)
                .finish(),
            Token::SubProperty { key, value, line } => f
                .debug_struct("SubProperty")
                .field("key", &key)
                .field("value_len", &value.len())
                .field("line", &line)
                .finish(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// No section header seen yet.
    Start,
    /// In a section, no property yet (or the last header ended it).
    Section,
    /// After a property with a non-empty value: indented lines continue it.
    Continued,
    /// After a property with an empty value: indented lines are sub-properties.
    SubProperties,
}

/// A streaming tokenizer: yields each [`Token`] of a text in order, or the first error, then stops.
///
/// It borrows the text and keeps a few words of state, so it runs the same in a firmware image as
/// on a desktop.
#[derive(Clone)]
pub struct Tokenizer<'a> {
    lines: Lines<'a>,
    state: State,
    done: bool,
    /// Byte offset just past the line of the last token returned.
    end: usize,
}

impl<'a> Tokenizer<'a> {
    /// A tokenizer over the whole of `text` (a leading UTF-8 byte order mark is skipped).
    pub fn new(text: &'a str) -> Self {
        Tokenizer {
            lines: Lines::new(without_bom(text), 0, 1),
            state: State::Start,
            done: false,
            end: 0,
        }
    }

    /// A tokenizer over the body of one section of an already [checked](check) text: `text`
    /// starts just after a header line, on line `first_line`, so properties need no header first.
    pub(crate) fn section_body(text: &'a str, first_line: u32) -> Self {
        Tokenizer {
            lines: Lines::new(text, 0, first_line),
            state: State::Section,
            done: false,
            end: 0,
        }
    }

    /// Byte offset just past the line of the token returned last.
    pub(crate) fn end(&self) -> usize {
        self.end
    }

    fn fail(
        &mut self,
        line: u32,
        kind: ProfileErrorKind,
    ) -> Option<Result<Token<'a>, ProfileError>> {
        self.done = true;
        Some(Err(ProfileError { line, kind }))
    }

    fn token(
        &mut self,
        line: &Line<'a>,
        token: Token<'a>,
    ) -> Option<Result<Token<'a>, ProfileError>> {
        self.end = line.end;
        Some(Ok(token))
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Result<Token<'a>, ProfileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            let Some(line) = self.lines.next() else {
                self.done = true;
                return None;
            };
            let number = line.number;
            match line_kind(line.text) {
                LineKind::Blank | LineKind::Comment => continue,
                LineKind::Header => {
                    let Some(header) = header_text(line.text) else {
                        return self.fail(number, ProfileErrorKind::UnclosedSectionHeader);
                    };
                    self.state = State::Section;
                    return self.token(
                        &line,
                        Token::Section {
                            header,
                            line: number,
                        },
                    );
                }
                LineKind::Definition => {
                    if self.state == State::Start {
                        return self.fail(number, ProfileErrorKind::PropertyBeforeSection);
                    }
                    let Some((key, value)) = line.text.split_once('=') else {
                        return self.fail(number, ProfileErrorKind::PropertyMissingEquals);
                    };
                    let key = trim(key);
                    if key.is_empty() {
                        return self.fail(number, ProfileErrorKind::PropertyMissingName);
                    }
                    let value = trim(strip_inline_comment(value));
                    self.state = if value.is_empty() {
                        State::SubProperties
                    } else {
                        State::Continued
                    };
                    return self.token(
                        &line,
                        Token::Property {
                            key,
                            value,
                            line: number,
                        },
                    );
                }
                LineKind::Continuation => match self.state {
                    State::Start => {
                        return self.fail(number, ProfileErrorKind::ContinuationBeforeSection)
                    }
                    State::Section => {
                        return self.fail(number, ProfileErrorKind::ContinuationWithoutProperty)
                    }
                    State::Continued => {
                        let text = trim(line.text);
                        return self.token(&line, Token::Continuation { text, line: number });
                    }
                    State::SubProperties => {
                        let Some((key, value)) = split_assignment(line.text) else {
                            return self.fail(number, ProfileErrorKind::SubPropertyMissingEquals);
                        };
                        if key.is_empty() {
                            return self.fail(number, ProfileErrorKind::SubPropertyMissingName);
                        }
                        return self.token(
                            &line,
                            Token::SubProperty {
                                key,
                                value,
                                line: number,
                            },
                        );
                    }
                },
            }
        }
    }
}

/// A section header or a whole property (its value spanning any continuation lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    /// A `[...]` header.
    Section {
        /// Trimmed text inside the brackets.
        header: &'a str,
        /// 1-based line number.
        line: u32,
    },
    /// A property with its complete value.
    Property(Property<'a>),
}

/// Groups [`Tokenizer`] output into [`Entry`]s: a property and its continuation or sub-property
/// lines come out as one [`Property`] whose [`Value`] spans them all.
#[derive(Clone)]
pub struct Entries<'a> {
    text: &'a str,
    tokens: Tokenizer<'a>,
    /// A token (or error) read ahead while looking for the end of a property.
    pending: Option<Result<Token<'a>, ProfileError>>,
}

impl<'a> Entries<'a> {
    /// The entries of `text`, in file order (a leading UTF-8 byte order mark is skipped).
    pub fn new(text: &'a str) -> Self {
        let text = without_bom(text);
        Entries {
            text,
            tokens: Tokenizer::new(text),
            pending: None,
        }
    }
}

impl<'a> Entries<'a> {
    /// The entries of one section body of an already [checked](check) text (see
    /// [`SectionSpan::body`]).
    pub(crate) fn section_body(text: &'a str, first_line: u32) -> Self {
        Entries {
            text,
            tokens: Tokenizer::section_body(text, first_line),
            pending: None,
        }
    }
}

/// One section of a checked text: its header line and the raw lines up to the next header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SectionSpan<'a> {
    /// Trimmed text between the brackets.
    pub(crate) header: &'a str,
    /// 1-based line of the header.
    pub(crate) line: u32,
    /// The lines after the header line up to the next header (or the end), line breaks included.
    pub(crate) body: &'a str,
}

/// The sections of a text that [`check`] accepted, found without tokenizing their bodies.
///
/// In a checked text every line that starts with `[` is a section header and no other line is
/// (blank, comment, continuation and property lines start with something else), so the headers
/// are found by searching for `\n[`, at memory-search speed; only the line breaks are counted on
/// the way, for line numbers. On a text that does not pass [`check`] the iteration ends at the
/// first header without a closing `]`; nothing panics.
#[derive(Clone)]
pub(crate) struct SectionSpans<'a> {
    text: &'a str,
    /// Byte offset of the next header line, or `None` when there is none.
    next: Option<usize>,
    /// Line number of `next`'s line, counted up to the previous section's body.
    line: u32,
    /// Byte offset up to which `line` counts line breaks.
    counted: usize,
}

impl<'a> SectionSpans<'a> {
    /// The sections of `text`, which [`check`] accepted.
    pub(crate) fn new(text: &'a str) -> Self {
        let text = without_bom(text);
        SectionSpans {
            text,
            next: header_at_or_after(text, 0),
            line: 1,
            counted: 0,
        }
    }
}

/// The offset of the first header line starting at or after `from` (itself a line start).
fn header_at_or_after(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    if rest.starts_with('[') {
        return Some(from);
    }
    rest.find("\n[")
        .map(|at| from.saturating_add(at).saturating_add(1))
}

/// How many `\n` are in `text`.
fn line_breaks(text: &str) -> u32 {
    let n = text.bytes().filter(|b| *b == b'\n').count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<'a> Iterator for SectionSpans<'a> {
    type Item = SectionSpan<'a>;

    fn next(&mut self) -> Option<SectionSpan<'a>> {
        let start = self.next.take()?;
        let line = self
            .line
            .saturating_add(line_breaks(self.text.get(self.counted..start)?));
        let from_header = self.text.get(start..)?;
        let (raw, body_start) = match from_header.find('\n') {
            Some(at) => (
                from_header.get(..at)?,
                start.saturating_add(at).saturating_add(1),
            ),
            None => (from_header, self.text.len()),
        };
        let header = header_text(raw.strip_suffix('\r').unwrap_or(raw))?;
        self.next = header_at_or_after(self.text, body_start);
        let body_end = self.next.unwrap_or(self.text.len());
        self.line = line.saturating_add(1);
        self.counted = body_start;
        Some(SectionSpan {
            header,
            line,
            body: self.text.get(body_start..body_end)?,
        })
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Entry<'a>, ProfileError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (key, first, line) = loop {
            let token = match self.pending.take() {
                Some(token) => token,
                None => self.tokens.next()?,
            };
            match token {
                Err(e) => return Some(Err(e)),
                Ok(Token::Section { header, line }) => {
                    return Some(Ok(Entry::Section { header, line }))
                }
                Ok(Token::Property { key, value, line }) => break (key, value, line),
                // Continuation lines are consumed with their property below; one can only come
                // first if the tokenizer misbehaved, so it is skipped rather than trusted.
                Ok(Token::Continuation { .. } | Token::SubProperty { .. }) => continue,
            }
        };
        let start = self.tokens.end();
        let mut end = start;
        loop {
            match self.tokens.next() {
                Some(Ok(Token::Continuation { .. } | Token::SubProperty { .. })) => {
                    end = self.tokens.end();
                }
                other => {
                    self.pending = other;
                    break;
                }
            }
        }
        let rest = self.text.get(start..end).unwrap_or("");
        let value = Value::new(first, rest, line);
        Some(Ok(Entry::Property(Property { key, value, line })))
    }
}

/// Checks the syntax of a whole text.
///
/// # Errors
/// The first [`ProfileError`] in the text.
pub fn check(text: &str) -> Result<(), ProfileError> {
    for token in Tokenizer::new(text) {
        token?;
    }
    Ok(())
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    fn err(text: &str) -> ProfileError {
        check(text).unwrap_err()
    }

    selftests! {
        fn tokens_carry_one_based_lines() {
            let mut t = Tokenizer::new("# c\n[profile a]\nk = v # note\n  more ; kept\n");
            assert_eq!(t.next(), Some(Ok(Token::Section { header: "profile a", line: 2 })));
            assert_eq!(t.next(), Some(Ok(Token::Property { key: "k", value: "v", line: 3 })));
            assert_eq!(t.next(), Some(Ok(Token::Continuation { text: "more ; kept", line: 4 })));
            assert_eq!(t.next(), None);
        }

        fn sub_properties_follow_an_empty_value() {
            let mut t = Tokenizer::new("[x]\ns3 =\n\n  a = 1 # kept\n\tb=\n");
            assert!(matches!(t.next(), Some(Ok(Token::Section { .. }))));
            assert_eq!(t.next(), Some(Ok(Token::Property { key: "s3", value: "", line: 2 })));
            assert_eq!(t.next(), Some(Ok(Token::SubProperty { key: "a", value: "1 # kept", line: 4 })));
            assert_eq!(t.next(), Some(Ok(Token::SubProperty { key: "b", value: "", line: 5 })));
            assert_eq!(t.next(), None);
        }

        fn header_comments_and_crlf() {
            let mut t = Tokenizer::new("[ profile a ];x\r\n[b]#y\r\nk=v;w\r\n");
            assert_eq!(t.next(), Some(Ok(Token::Section { header: "profile a", line: 1 })));
            assert_eq!(t.next(), Some(Ok(Token::Section { header: "b", line: 2 })));
            assert_eq!(t.next(), Some(Ok(Token::Property { key: "k", value: "v;w", line: 3 })));
        }

        fn errors_name_line_and_kind() {
            assert_eq!(err("[profile a"), ProfileError { line: 1, kind: ProfileErrorKind::UnclosedSectionHeader });
            assert_eq!(err("\nk = v").kind, ProfileErrorKind::PropertyBeforeSection);
            assert_eq!(err("\nk = v").line, 2);
            assert_eq!(err("  x").kind, ProfileErrorKind::ContinuationBeforeSection);
            assert_eq!(err("[a]\n  x").kind, ProfileErrorKind::ContinuationWithoutProperty);
            assert_eq!(err("[a]\nk = v\n[a]\n  x").line, 4);
            assert_eq!(err("[a]\nk : v").kind, ProfileErrorKind::PropertyMissingEquals);
            assert_eq!(err("[a]\n= v").kind, ProfileErrorKind::PropertyMissingName);
            assert_eq!(err("[a]\ns3 =\n  nope").kind, ProfileErrorKind::SubPropertyMissingEquals);
            assert_eq!(err("[a]\ns3 =\n  = v").kind, ProfileErrorKind::SubPropertyMissingName);
        }

        fn tokenizer_stops_after_an_error() {
            let mut t = Tokenizer::new("k = v\n[a]\n");
            assert!(matches!(t.next(), Some(Err(_))));
            assert_eq!(t.next(), None);
        }

        fn entries_group_continuations_into_one_value() {
            let text = "[a]\nk = one\n  two\n# c\n  three\nj = x\n";
            let mut e = Entries::new(text);
            assert!(matches!(e.next(), Some(Ok(Entry::Section { header: "a", line: 1 }))));
            let Some(Ok(Entry::Property(p))) = e.next() else { panic!("property expected") };
            assert_eq!((p.key, p.line), ("k", 2));
            assert!(p.value.eq_str("one\ntwo\nthree"));
            let Some(Ok(Entry::Property(p))) = e.next() else { panic!("property expected") };
            assert_eq!(p.value.as_str(), Some("x"));
            assert!(e.next().is_none());
        }

        fn section_spans_match_the_tokenizer() {
            let texts = [
                "",
                "# only a comment\n",
                "[a]",
                "[a]\n",
                "\n\n[ a ] # c\r\nk = v\n  more\n\n; c\n[b];x\ns3 =\n  x = [not a header]\n[c]\r\n",
                "[a]\nk = v # [x]\nj = [y]\n[b]\n[c]\nz=1",
            ];
            for text in texts {
                check(text).unwrap();
                let mut spans = SectionSpans::new(text);
                let mut entries = Entries::new(text).peekable();
                while let Some(token) = entries.next() {
                    let Ok(Entry::Section { header, line }) = token else { panic!("header first: {text:?}") };
                    let span = spans.next().unwrap();
                    assert_eq!((span.header, span.line), (header, line), "{text:?}");
                    let mut body = Entries::section_body(span.body, line + 1);
                    while let Some(Ok(Entry::Property(p))) = entries.peek() {
                        assert_eq!(body.next(), Some(Ok(Entry::Property(*p))), "{text:?}");
                        entries.next();
                    }
                    assert_eq!(body.next(), None, "{text:?}");
                }
                assert_eq!(spans.next(), None, "{text:?}");
            }
        }

        fn section_spans_stop_at_an_unclosed_header() {
            let mut spans = SectionSpans::new("[a]\nk = v\n[b\n[c]\n");
            assert_eq!(spans.next().map(|s| (s.header, s.line, s.body)), Some(("a", 1, "k = v\n")));
            assert_eq!(spans.next(), None);
        }

        fn debug_never_shows_values() {
            let mut buf = [0u8; 128];
            let mut w = crate::text::SliceWriter::new(&mut buf);
            let t = Token::Property { key: "aws_secret_access_key", value: "SECRETSECRET", line: 3 };
            core::fmt::write(&mut w, format_args!("{t:?}")).unwrap();
            assert!(!w.as_str().contains("SECRET"));
        }
    }
}
