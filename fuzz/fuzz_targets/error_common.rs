//! What the `error_xml` and `error_json` targets share: the input format and the properties.
//!
//! Input: one flags byte, then the body. Flags: bits 0–1 pick one of the target's protocols (3 =
//! none); bit 2 adds an `x-amzn-ErrorType` header holding the body's first line (the body is
//! then the rest); bit 3 adds an `x-amzn-RequestId` header; bits 4–7 pick the status.
//!
//! Properties:
//! * nothing panics; every refusal is a typed `DecodeError` that displays;
//! * a decoded code is non-empty and within `MAX_ERROR_CODE_LEN`, message and request id within
//!   `MAX_ERROR_TEXT_LEN`;
//! * a code from the body is a substring of the body when nothing in the body rewrites text
//!   (`&` references, CDATA sections, comments, which XML text leaves out, and `\` escapes); a code from the header is a substring of the header; a code from the status is the
//!   status's name;
//! * XML errors only for a body that starts with `<`, JSON errors only for one that starts with `{`.

use aws_session_core::http::{Headers, ResponseHeaders};
use aws_session_core::limits::{MAX_ERROR_CODE_LEN, MAX_ERROR_TEXT_LEN};
use aws_session_core::protocol::{decode_error, status_code, CodeSource, DecodeError, Protocol};

const STATUSES: [u16; 16] = [
    200, 301, 304, 400, 401, 403, 404, 409, 412, 429, 500, 502, 503, 504, 599, 0,
];

pub fn run(data: &[u8], protocols: [Protocol; 3]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let protocol = protocols.get(usize::from(flags & 3)).copied();
    let status = STATUSES[usize::from(flags >> 4)];
    let mut headers: ResponseHeaders = Headers::new();
    let mut body = rest;
    let mut header_code = None;
    if flags & 4 != 0 {
        let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let (line, tail) = rest.split_at(line_end);
        body = tail.get(1..).unwrap_or(&[]);
        if let Ok(line) = std::str::from_utf8(line) {
            if headers.append("x-amzn-ErrorType", line).is_ok() {
                header_code = Some(line);
            }
        }
    }
    if flags & 8 != 0 {
        let _ = headers.append("x-amzn-RequestId", "fuzz-request-id");
    }
    let text = std::str::from_utf8(body).ok();
    let trimmed =
        text.map(|t| t.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{feff}'));
    match decode_error(protocol, status, &headers, body) {
        Ok(e) => {
            let code = e.code.as_str();
            assert!(!code.is_empty() && code.len() <= MAX_ERROR_CODE_LEN);
            assert!(e.message.as_str().len() <= MAX_ERROR_TEXT_LEN);
            assert!(e.request_id.as_str().len() <= MAX_ERROR_TEXT_LEN);
            let _ = format!("{e}");
            match e.source {
                CodeSource::Body => {
                    let t = text.expect("a body code comes from UTF-8 text");
                    let rewritten = ["&", "CDATA", "<!--", "\\"];
                    if !rewritten.iter().any(|r| t.contains(r)) {
                        assert!(t.contains(code), "code {code:?} not in the body");
                    }
                }
                CodeSource::Header => {
                    assert!(header_code.expect("a header was sent").contains(code));
                }
                CodeSource::Status => {
                    let named = status_code(status).map(|(c, _)| c);
                    assert!(named == Some(code) || code == "BucketRegionError", "{code}");
                }
            }
        }
        Err(e) => {
            let _ = format!("{e}");
            match e {
                DecodeError::MalformedXml
                | DecodeError::XmlTooDeep { .. }
                | DecodeError::XmlDeclaration => {
                    assert!(trimmed.is_some_and(|t| t.starts_with('<')));
                }
                DecodeError::MalformedJson => {
                    assert!(trimmed.is_some_and(|t| t.starts_with('{')));
                }
                _ => {}
            }
        }
    }
}
