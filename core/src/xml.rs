//! A small XML scanner for AWS answers, without heap: query and REST-XML responses, their error
//! documents, and S3's.
//!
//! Not a general XML parser: AWS documents are small and flat, so the scanner knows elements,
//! attributes (skipped), comments, processing instructions, CDATA and the five predefined and
//! numeric character references, and refuses document type declarations (so no entity can be
//! defined, nor expanded). Nesting is bounded by [`MAX_XML_DEPTH`]. Nothing is copied: [`walk`]
//! hands out the raw content of each element, and [`text`] decodes it piece by piece into
//! whatever fixed-capacity target the caller fills.

use core::fmt;

use crate::limits::MAX_XML_DEPTH;

/// Scanning an XML document failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) enum XmlError {
    /// Not well-formed: truncated, mismatched tags, a bad name, or text outside the root.
    Malformed,
    /// Elements nest deeper than [`MAX_XML_DEPTH`].
    TooDeep {
        /// The limit ([`MAX_XML_DEPTH`]).
        limit: usize,
    },
    /// A document type or entity declaration, which is refused.
    Declaration,
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XmlError::Malformed => f.write_str("malformed XML"),
            XmlError::TooDeep { limit } => write!(f, "XML nests elements deeper than {limit}"),
            XmlError::Declaration => f.write_str("XML document type declaration (refused)"),
        }
    }
}

/// A tag the scanner found.
enum Tag<'a> {
    /// `<name …>` or `<name …/>`; `end` is the offset after its `>`.
    Start {
        name: &'a str,
        empty: bool,
        end: usize,
    },
    /// `</name>`; `start` is the offset of its `<`.
    End { name: &'a str, start: usize },
}

/// The text after `start` up to and including `close`, skipped: the offset after it.
fn skip_past(s: &str, start: usize, close: &str) -> Result<usize, XmlError> {
    let rest = s.get(start..).ok_or(XmlError::Malformed)?;
    let at = rest.find(close).ok_or(XmlError::Malformed)?;
    Ok(start + at + close.len())
}

/// The offset of the `>` that ends a start tag's body (quoted attribute values may hold `>`).
fn tag_close(body: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in body.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(i),
            (None, b'<') => return None,
            _ => {}
        }
    }
    None
}

/// True for a plausible element name (no markup or white space).
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b"<>/=\"'&".contains(&b))
}

/// The name without its namespace prefix.
pub(crate) fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Finds the next start or end tag at or after `pos`, skipping text, comments, processing
/// instructions and CDATA; `None` at the end of the text.
fn next_tag<'a>(s: &'a str, pos: &mut usize) -> Result<Option<Tag<'a>>, XmlError> {
    loop {
        let rest = s.get(*pos..).ok_or(XmlError::Malformed)?;
        let Some(lt) = rest.find('<') else {
            *pos = s.len();
            return Ok(None);
        };
        let at = *pos + lt;
        let tag = rest.get(lt..).ok_or(XmlError::Malformed)?;
        if tag.starts_with("<!--") {
            *pos = skip_past(s, at + 4, "-->")?;
        } else if tag.starts_with("<![CDATA[") {
            *pos = skip_past(s, at + 9, "]]>")?;
        } else if tag.starts_with("<!") {
            return Err(XmlError::Declaration);
        } else if tag.starts_with("<?") {
            *pos = skip_past(s, at + 2, "?>")?;
        } else if let Some(body) = tag.strip_prefix("</") {
            let gt = body.find('>').ok_or(XmlError::Malformed)?;
            let name = body.get(..gt).ok_or(XmlError::Malformed)?.trim_end();
            if !is_name(name) {
                return Err(XmlError::Malformed);
            }
            *pos = at + 2 + gt + 1;
            return Ok(Some(Tag::End { name, start: at }));
        } else {
            let body = tag.get(1..).ok_or(XmlError::Malformed)?;
            let gt = tag_close(body).ok_or(XmlError::Malformed)?;
            let inner = body.get(..gt).ok_or(XmlError::Malformed)?;
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(i) => (i, true),
                None => (inner, false),
            };
            let name_end = inner
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(inner.len());
            let name = inner.get(..name_end).ok_or(XmlError::Malformed)?;
            if !is_name(name) {
                return Err(XmlError::Malformed);
            }
            let end = at + 1 + gt + 1;
            *pos = end;
            return Ok(Some(Tag::Start { name, empty, end }));
        }
    }
}

/// A pull scanner over a whole document: [`Reader::next_element`] hands out each element as it
/// closes, with its path and raw content, and checks that tags nest and match, so a caller can
/// stop and resume (an iterator over a list's items) without a heap.
pub(crate) struct Reader<'a> {
    xml: &'a str,
    names: [&'a str; MAX_XML_DEPTH],
    starts: [usize; MAX_XML_DEPTH],
    depth: usize,
    seen_root: bool,
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `xml`.
    pub(crate) fn new(xml: &'a str) -> Self {
        Reader {
            xml,
            names: [""; MAX_XML_DEPTH],
            starts: [0; MAX_XML_DEPTH],
            depth: 0,
            seen_root: false,
            pos: 0,
        }
    }

    /// The next element to close: its path (root first, the element last) and its raw content
    /// (between its tags; empty for `<x/>`). `None` at the end of a well-formed document.
    ///
    /// # Errors
    /// [`XmlError`] when the document is not well-formed, too deep or declares a type.
    pub(crate) fn next_element(&mut self) -> Result<Option<(&[&'a str], &'a str)>, XmlError> {
        loop {
            let Some(tag) = next_tag(self.xml, &mut self.pos)? else {
                if self.depth != 0 || !self.seen_root {
                    return Err(XmlError::Malformed);
                }
                return Ok(None);
            };
            match tag {
                Tag::Start { name, empty, end } => {
                    if self.depth == 0 && self.seen_root {
                        return Err(XmlError::Malformed);
                    }
                    self.seen_root = true;
                    let slot = self.names.get_mut(self.depth).ok_or(XmlError::TooDeep {
                        limit: MAX_XML_DEPTH,
                    })?;
                    *slot = name;
                    if let Some(s) = self.starts.get_mut(self.depth) {
                        *s = end;
                    }
                    if empty {
                        return Ok(Some((self.names.get(..=self.depth).unwrap_or(&[]), "")));
                    }
                    self.depth += 1;
                }
                Tag::End { name, start } => {
                    let open = self.depth.checked_sub(1).ok_or(XmlError::Malformed)?;
                    if self.names.get(open) != Some(&name) {
                        return Err(XmlError::Malformed);
                    }
                    let from = self.starts.get(open).copied().unwrap_or(0);
                    let content = self.xml.get(from..start).ok_or(XmlError::Malformed)?;
                    self.depth = open;
                    return Ok(Some((self.names.get(..=open).unwrap_or(&[]), content)));
                }
            }
        }
    }
}

/// Walks a whole document, checking that its tags nest and match, and calls `visit` for every
/// element with its path (root first, the element last) and its raw content (between its tags;
/// empty for `<x/>`).
pub(crate) fn walk<'a, E: From<XmlError>>(
    xml: &'a str,
    mut visit: impl FnMut(&[&'a str], &'a str) -> Result<(), E>,
) -> Result<(), E> {
    let mut reader = Reader::new(xml);
    while let Some((path, content)) = reader.next_element()? {
        visit(path, content)?;
    }
    Ok(())
}

/// The character a reference (`amp`, `#38`, `#x26`: the text between `&` and `;`) names.
fn reference(name: &str) -> Option<char> {
    let code = match name {
        "amp" => return Some('&'),
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        _ => {
            let num = name.strip_prefix('#')?;
            let (digits, radix) = match num.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (num, 10),
            };
            if digits.is_empty()
                || digits.len() > 8
                || !digits.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return None;
            }
            u32::from_str_radix(digits, radix).ok()?
        }
    };
    char::from_u32(code).filter(|&c| c != '\0')
}

/// Decodes an element's raw content (white space around it trimmed): text with character
/// references, CDATA sections taken as they are, comments left out. `Err(())` for an element
/// inside it or a bad reference.
pub(crate) fn text(raw: &str, sink: &mut dyn FnMut(&str)) -> Result<usize, ()> {
    let mut rest = raw.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
    let mut len = 0usize;
    let mut emit = |piece: &str, len: &mut usize| {
        sink(piece);
        *len = len.saturating_add(piece.len());
    };
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let end = r.find("]]>").ok_or(())?;
            emit(r.get(..end).ok_or(())?, &mut len);
            rest = r.get(end + 3..).ok_or(())?;
        } else if let Some(r) = rest.strip_prefix("<!--") {
            let end = r.find("-->").ok_or(())?;
            rest = r.get(end + 3..).ok_or(())?;
        } else if rest.starts_with('<') {
            return Err(());
        } else if let Some(r) = rest.strip_prefix('&') {
            let semi = r.find(';').ok_or(())?;
            let c = reference(r.get(..semi).ok_or(())?).ok_or(())?;
            let mut buf = [0u8; 4];
            emit(c.encode_utf8(&mut buf), &mut len);
            rest = r.get(semi + 1..).ok_or(())?;
        } else {
            let end = rest.find(['<', '&']).unwrap_or(rest.len());
            emit(rest.get(..end).ok_or(())?, &mut len);
            rest = rest.get(end..).ok_or(())?;
        }
    }
    Ok(len)
}

/// The raw (undecoded) parts of an AWS XML error document, as [`error_parts`] finds them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ErrorParts<'a> {
    /// The content of the first `Code` whose parent is an `Error` element.
    pub code: Option<&'a str>,
    /// The content of the first `Message` whose parent is an `Error` element.
    pub message: Option<&'a str>,
    /// The content of the first `RequestId` (or EC2's `RequestID`) anywhere.
    pub request_id: Option<&'a str>,
}

/// Finds the code, message and request id of an AWS XML error document, whatever its root:
/// query `<ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>`, EC2
/// `<Response><Errors><Error>…</Error></Errors><RequestID/></Response>`, and S3 / REST-XML
/// `<Error><Code/><Message/><RequestId/></Error>`.
///
/// # Errors
/// [`XmlError`] when the document is not well-formed (the whole document is checked).
pub(crate) fn error_parts(xml: &str) -> Result<ErrorParts<'_>, XmlError> {
    let mut parts = ErrorParts::default();
    walk(xml, |path, content| {
        let Some((name, parents)) = path.split_last() else {
            return Ok::<(), XmlError>(());
        };
        let under_error = parents.last().is_some_and(|p| local(p) == "Error");
        let slot = match local(name) {
            "Code" if under_error => &mut parts.code,
            "Message" if under_error => &mut parts.message,
            "RequestId" | "RequestID" => &mut parts.request_id,
            _ => return Ok(()),
        };
        if slot.is_none() {
            *slot = Some(content);
        }
        Ok(())
    })?;
    Ok(parts)
}
