//! A property and its value, borrowed from the file text: single-line, continued over several
//! lines, or a block of sub-properties.

use core::fmt;

use super::normalize::{is_valid_name, key_eq};
use super::parse::{line_kind, split_assignment, trim, LineKind, Lines};
use crate::text::{CapacityError, Field, Text};

/// A property of a section, as found in one file.
///
/// `Debug` shows the key and line but not the value, which may be a secret.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Property<'a> {
    /// The key as spelled in the file (compare with [`Property::key_is`]: keys are
    /// case-insensitive).
    pub key: &'a str,
    /// The value, spanning any continuation or sub-property lines.
    pub value: Value<'a>,
    /// 1-based line of the `key = value` line.
    pub line: u32,
}

impl Property<'_> {
    /// True when this property's key is `key`, ignoring ASCII case (the cross-SDK rule).
    pub fn key_is(&self, key: &str) -> bool {
        key_eq(self.key, key)
    }
}

impl fmt::Debug for Property<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Property")
            .field("key", &self.key)
            .field("value", &self.value)
            .field("line", &self.line)
            .finish()
    }
}

/// A property value: the text after `=` on the property's line plus any indented lines after it.
///
/// * One line: [`as_str`](Value::as_str) gives it without copying.
/// * Continued (`key = a` then indented `b`): [`write_to`](Value::write_to) writes `a\nb`, the lines
///   trimmed and joined with `\n`; [`len`](Value::len) tells the joined length first, so a caller
///   can check capacity before writing anything; [`to_text`](Value::to_text) does both.
/// * Sub-properties (`s3 =` then indented `key = value` lines):
///   [`sub_properties`](Value::sub_properties) yields them (sub-properties with invalid names are
///   skipped), and `write_to` gives the raw form `\nkey = value…` that some SDKs expose.
///
/// `Debug` prints only the length and line count: a value may be a secret.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Value<'a> {
    /// Trimmed text after `=` on the property line, inline comment removed.
    first: &'a str,
    /// The raw text of the lines after the property line, up to and including the last
    /// continuation line (blank and comment lines in between included, and skipped when read).
    /// Empty when the value is on one line.
    rest: &'a str,
    /// Line number of the property line.
    line: u32,
}

impl<'a> Value<'a> {
    pub(crate) fn new(first: &'a str, rest: &'a str, line: u32) -> Self {
        Value { first, rest, line }
    }

    /// The value when it is a single line; `None` when it continues over more lines.
    pub fn as_str(&self) -> Option<&'a str> {
        if self.rest.is_empty() {
            Some(self.first)
        } else {
            None
        }
    }

    /// The part of the value on the property's own line (empty for a sub-property block).
    pub fn first_line(&self) -> &'a str {
        self.first
    }

    /// True when continuation or sub-property lines follow the property line.
    pub fn is_multiline(&self) -> bool {
        !self.rest.is_empty()
    }

    /// True when the value is a block of sub-properties (`key =` followed by indented lines).
    pub fn has_sub_properties(&self) -> bool {
        self.first.is_empty() && !self.rest.is_empty()
    }

    /// The continuation lines after the property line, trimmed, with their line numbers.
    pub fn continuation_lines(&self) -> ContinuationLines<'a> {
        ContinuationLines {
            lines: Lines::new(self.rest, 0, self.line.saturating_add(1)),
        }
    }

    /// The sub-properties of a sub-property block, in file order; empty for other values.
    /// Sub-properties whose names are not valid identifiers are skipped.
    pub fn sub_properties(&self) -> SubProperties<'a> {
        let lines = if self.first.is_empty() { self.rest } else { "" };
        SubProperties {
            lines: ContinuationLines {
                lines: Lines::new(lines, 0, self.line.saturating_add(1)),
            },
        }
    }

    /// The last sub-property named `key` (ASCII case-insensitive), as later lines win.
    pub fn sub_property(&self, key: &str) -> Option<SubProperty<'a>> {
        self.sub_properties().filter(|s| key_eq(s.key, key)).last()
    }

    /// Length in bytes of the joined value that [`write_to`](Value::write_to) writes.
    pub fn len(&self) -> usize {
        self.continuation_lines()
            .fold(self.first.len(), |n, (text, _)| {
                n.saturating_add(1).saturating_add(text.len())
            })
    }

    /// True when the joined value is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the value, continuation lines joined with `\n`.
    ///
    /// # Errors
    /// When `out` fails; what was written before the failure stays written, so check
    /// [`len`](Value::len) first when the sink has a fixed capacity (or use
    /// [`to_text`](Value::to_text)).
    pub fn write_to<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_str(self.first)?;
        for (text, _) in self.continuation_lines() {
            out.write_char('\n')?;
            out.write_str(text)?;
        }
        Ok(())
    }

    /// Copies the joined value into a fixed-capacity string.
    ///
    /// # Errors
    /// [`CapacityError`] naming `field` when the joined value is longer than `N` bytes; nothing is
    /// written then.
    pub fn to_text<const N: usize>(&self, field: Field) -> Result<Text<N>, CapacityError> {
        let len = self.len();
        let mut out = Text::<N>::new();
        if len > N || self.write_to(&mut out).is_err() {
            return Err(CapacityError {
                field,
                limit: N,
                len,
            });
        }
        Ok(out)
    }

    /// True when the joined value equals `s` (compared without copying).
    pub fn eq_str(&self, s: &str) -> bool {
        let Some(mut rest) = s.strip_prefix(self.first) else {
            return false;
        };
        for (text, _) in self.continuation_lines() {
            let Some(after) = rest.strip_prefix('\n').and_then(|r| r.strip_prefix(text)) else {
                return false;
            };
            rest = after;
        }
        rest.is_empty()
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Value")
            .field("len", &self.len())
            .field(
                "lines",
                &self.continuation_lines().count().saturating_add(1),
            )
            .finish()
    }
}

/// Iterator over a value's continuation lines: `(trimmed text, 1-based line number)`.
#[derive(Clone)]
pub struct ContinuationLines<'a> {
    lines: Lines<'a>,
}

impl<'a> Iterator for ContinuationLines<'a> {
    type Item = (&'a str, u32);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = self.lines.next()?;
            match line_kind(line.text) {
                LineKind::Blank | LineKind::Comment => continue,
                LineKind::Continuation => return Some((trim(line.text), line.number)),
                // A value's span only holds the lines above; anything else means it ended.
                LineKind::Header | LineKind::Definition => return None,
            }
        }
    }
}

/// One `key = value` line of a sub-property block.
///
/// `Debug` shows the key and line but not the value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SubProperty<'a> {
    /// Trimmed key as spelled in the file.
    pub key: &'a str,
    /// Trimmed value; `#` and `;` are part of it.
    pub value: &'a str,
    /// 1-based line number.
    pub line: u32,
}

impl fmt::Debug for SubProperty<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubProperty")
            .field("key", &self.key)
            .field("value_len", &self.value.len())
            .field("line", &self.line)
            .finish()
    }
}

/// Iterator over the valid sub-properties of a value, in file order.
#[derive(Clone)]
pub struct SubProperties<'a> {
    lines: ContinuationLines<'a>,
}

impl<'a> Iterator for SubProperties<'a> {
    type Item = SubProperty<'a>;

    fn next(&mut self) -> Option<SubProperty<'a>> {
        loop {
            let (text, line) = self.lines.next()?;
            match split_assignment(text) {
                Some((key, value)) if is_valid_name(key) => {
                    return Some(SubProperty { key, value, line })
                }
                _ => continue,
            }
        }
    }
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::super::parse::{Entries, Entry};
    use super::*;

    fn first_property(text: &str) -> Property<'_> {
        for entry in Entries::new(text) {
            if let Entry::Property(p) = entry.unwrap() {
                return p;
            }
        }
        panic!("no property in the text")
    }

    selftests! {
        fn single_line_value_borrows() {
            let p = first_property("[a]\nregion = us-east-1 # comment\n");
            assert_eq!(p.value.as_str(), Some("us-east-1"));
            assert!(!p.value.is_multiline());
            assert_eq!(p.value.len(), 9);
        }

        fn continued_value_joins_with_newlines() {
            let p = first_property("[a]\nk = one\n\t two \n\n; c\n  three # kept\n[b]\n");
            assert_eq!(p.value.as_str(), None);
            assert_eq!(p.value.len(), "one\ntwo\nthree # kept".len());
            let t: Text<32> = p.value.to_text(Field::Setting).unwrap();
            assert_eq!(t.as_str(), "one\ntwo\nthree # kept");
            assert!(p.value.eq_str("one\ntwo\nthree # kept"));
            assert!(!p.value.eq_str("one\ntwo"));
            let mut lines = p.value.continuation_lines();
            assert_eq!(lines.next(), Some(("two", 3)));
            assert_eq!(lines.next(), Some(("three # kept", 6)));
            assert_eq!(lines.next(), None);
        }

        fn to_text_overflow_writes_nothing() {
            let p = first_property("[a]\nk = one\n  two\n");
            let err = p.value.to_text::<4>(Field::Setting).unwrap_err();
            assert_eq!(err, CapacityError { field: Field::Setting, limit: 4, len: 7 });
        }

        fn sub_properties_skip_invalid_names_and_last_wins() {
            let p = first_property("[a]\ns3 =\n  bad name = 1\n  max = 10\n  Max = 20\n");
            assert!(p.value.has_sub_properties());
            let mut subs = p.value.sub_properties();
            assert_eq!(subs.next(), Some(SubProperty { key: "max", value: "10", line: 4 }));
            assert_eq!(subs.next(), Some(SubProperty { key: "Max", value: "20", line: 5 }));
            assert_eq!(subs.next(), None);
            assert_eq!(p.value.sub_property("MAX").map(|s| s.value), Some("20"));
            let mut raw: Text<64> = Text::new();
            p.value.write_to(&mut raw).unwrap();
            assert_eq!(raw.as_str(), "\nbad name = 1\nmax = 10\nMax = 20");
        }

        fn plain_value_has_no_sub_properties() {
            let p = first_property("[a]\nk = v\n  x = 1\n");
            assert!(!p.value.has_sub_properties());
            assert_eq!(p.value.sub_properties().count(), 0);
        }

        fn key_comparison_ignores_ascii_case() {
            let p = first_property("[a]\nAWS_Access_Key_ID = x\n");
            assert!(p.key_is("aws_access_key_id"));
            assert_eq!(p.key, "AWS_Access_Key_ID");
        }
    }
}
