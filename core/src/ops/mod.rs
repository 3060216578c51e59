//! Thin typed operations, sans IO: each operation is a function that prepares the [`Request`] of a
//! [`Client`] (with the [`crate::protocol`] helpers) and a parser that reads the answer from the
//! request's response buffer into a typed output that borrows from that buffer.
//!
//! | service | operations | protocol | module |
//! |---|---|---|---|
//! | STS | `GetCallerIdentity`, `AssumeRole` | query | [`sts`] |
//! | SQS | `SendMessage`, `ReceiveMessage`, `DeleteMessage` | query | [`sqs`] |
//! | SNS | `Publish` | query | [`sns`] |
//! | DynamoDB | `GetItem`, `PutItem`, `Query` (the caller's JSON) | JSON 1.0 | [`dynamodb`] |
//! | Kinesis | `PutRecord` | JSON 1.1 | [`kinesis`] |
//! | IoT Data | `Publish` | REST-JSON | [`iot_data`] |
//! | S3 | `HeadObject`, `GetObject` (ranges, streamed), `PutObject`, `DeleteObject` | REST-XML | [`s3`] |
//! | any | a raw call of any protocol | all | [`raw`] |
//!
//! The flow of every operation:
//!
//! ```text
//! let mut r = ops::sqs::send_message(&client, &mut body_buf, queue_url, "hello")?; // prepare
//! r.set_response_buffer(&mut answer_buf);
//! client.send(&mut r, &mut platform)?;                                              // I/O
//! let out = ops::sqs::parse_send_message(r.response_body())?;                       // parse
//! ```
//!
//! Nothing is copied: a request body is written into a caller buffer, and output values are
//! [`Value`]s, the raw text of an XML element or JSON string in the answer, checked once when the
//! answer is parsed and decoded (character references, JSON escapes) only when they are written
//! out ([`Value::write_to`], [`core::fmt::Display`], [`Value::to_text`]). A failed call's error
//! answer is decoded by [`Request::service_error`].
//!
//! Errors are one small `Copy` enum per protocol family: [`QueryError`] (STS, SQS, SNS),
//! [`JsonError`] (DynamoDB, Kinesis), [`S3Error`] (S3: REST-XML, answers in the head) and
//! [`RawError`] (IoT Data and the raw calls). Each says
//! what went wrong and names the parameter or answer element.

pub mod dynamodb;
pub mod iot_data;
pub mod kinesis;
pub mod raw;
pub mod s3;
pub mod sns;
pub mod sqs;
pub mod sts;

mod error;
mod query;

pub use error::{JsonError, QueryError, RawError};
pub use s3::S3Error;

use core::fmt;

#[cfg(doc)]
use crate::client::Client;
#[cfg(doc)]
use crate::handlers::Request;
use crate::text::{CapacityError, Field, Text};

/// How a [`Value`]'s raw text is escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escaping {
    /// XML element content: character references, CDATA, comments.
    Xml,
    /// The inside of a JSON string: backslash escapes.
    Json,
}

/// A value of an answer: the raw text of an XML element or JSON string, borrowed from the
/// response buffer. The parser checked that it decodes; it is decoded on output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Value<'a> {
    raw: &'a str,
    escaping: Escaping,
}

impl<'a> Value<'a> {
    /// An XML element's content, checked: `None` when it holds markup or a bad reference.
    pub(crate) fn xml(raw: &'a str) -> Option<Self> {
        crate::xml::text(raw, &mut |_| {}).ok()?;
        Some(Value {
            raw,
            escaping: Escaping::Xml,
        })
    }

    /// The inside of a JSON string, checked: `None` for a bad escape.
    pub(crate) fn json(raw: &'a str) -> Option<Self> {
        decode_json(raw, &mut |_| {}).ok()?;
        Some(Value {
            raw,
            escaping: Escaping::Json,
        })
    }

    /// The raw text, as it is in the answer (escapes and references undecoded).
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Decodes the value into `sink`, piece by piece.
    fn decode(&self, sink: &mut dyn FnMut(&str)) -> usize {
        let r = match self.escaping {
            Escaping::Xml => crate::xml::text(self.raw, sink),
            Escaping::Json => decode_json(self.raw, sink),
        };
        // Checked when the value was made.
        r.unwrap_or(0)
    }

    /// The decoded length in bytes.
    pub fn len(&self) -> usize {
        self.decode(&mut |_| {})
    }

    /// True when the decoded value is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the decoded value to `w`.
    ///
    /// # Errors
    /// The writer's error.
    pub fn write_to(&self, w: &mut dyn fmt::Write) -> fmt::Result {
        let mut result = Ok(());
        self.decode(&mut |piece| {
            if result.is_ok() {
                result = w.write_str(piece);
            }
        });
        result
    }

    /// The decoded value in a fixed-capacity text.
    ///
    /// # Errors
    /// [`CapacityError`] (naming `field`) when it is longer than `N`; nothing is written.
    pub fn to_text<const N: usize>(&self, field: Field) -> Result<Text<N>, CapacityError> {
        let len = self.len();
        if len > N {
            return Err(CapacityError {
                field,
                limit: N,
                len,
            });
        }
        let mut out = Text::<N>::new();
        self.decode(&mut |piece| {
            let _ = out.push_str(piece);
        });
        Ok(out)
    }

    /// True when the decoded value is `s`.
    pub fn eq_str(&self, s: &str) -> bool {
        let mut rest = Some(s);
        self.decode(&mut |piece| {
            rest = rest.and_then(|r| r.strip_prefix(piece));
        });
        rest == Some("")
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Value(")?;
        fmt::Debug::fmt(self.raw, f)?;
        f.write_str(")")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Value<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.raw);
    }
}

/// Decodes the inside of a JSON string.
fn decode_json(raw: &str, sink: &mut dyn FnMut(&str)) -> Result<usize, ()> {
    let decode = crate::credentials::json::decoder(serde_json_core::str::EscapedStr(raw));
    decode(sink)
}

/// The answer body as text.
fn utf8(body: &[u8]) -> Option<&str> {
    core::str::from_utf8(body).ok()
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    /// `s` with every `from` replaced by `to`, without a heap (the self-tests run on devices).
    pub(crate) fn replaced(s: &str, from: &str, to: &str) -> Text<2048> {
        let mut out = Text::<2048>::new();
        let mut parts = s.split(from);
        if let Some(first) = parts.next() {
            out.push_str(first).unwrap();
        }
        for part in parts {
            out.push_str(to).unwrap();
            out.push_str(part).unwrap();
        }
        out
    }

    selftests! {
        fn values_decode_on_output() {
            let v = Value::xml(" a &amp; b<![CDATA[<c>]]> ").unwrap();
            assert_eq!(v.len(), 8);
            assert!(v.eq_str("a & b<c>"));
            assert!(!v.eq_str("a & b"));
            let t: Text<16> = v.to_text(Field::Setting).unwrap();
            assert_eq!(t.as_str(), "a & b<c>");
            assert!(v.to_text::<4>(Field::Setting).is_err());
            assert!(Value::xml("a<b/>").is_none());
            assert!(Value::xml("&bogus;").is_none());
            let j = Value::json("line\\nnext \\u00e9").unwrap();
            assert!(j.eq_str("line\nnext \u{e9}"));
            assert!(Value::json("bad\\x").is_none());
            assert!(Value::xml("").unwrap().is_empty());
        }
    }
}
