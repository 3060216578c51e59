//! `aws-session curl`: send a signed request and stream the response body to stdout.

use std::io::Write;

use aws_session_core::http::{HttpError, HttpPart, HttpRequest, Method, ResponseHead};
use aws_session_core::platform::Transport;

use super::request::Prepared;
use super::{CliError, EXIT_HTTP_ERROR};
use crate::load::LoadedSession;
use crate::transport::{HttpsConfig, HttpsTransport};

/// How much of an error body `--fail` reads to find the service's error code.
const ERROR_BODY_PEEK: usize = 64 * 1024;

fn method(m: &str) -> Result<Method, CliError> {
    Ok(match m {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        "PATCH" => Method::Patch,
        "OPTIONS" => Method::Options,
        other => {
            return Err(CliError::failed(format!(
                "curl cannot send method {other:?} (sign can sign it)"
            )))
        }
    })
}

/// Signs, sends and prints; returns the exit status.
pub(super) fn send(
    loaded: &LoadedSession,
    p: &mut Prepared,
    include: bool,
    fail: bool,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let mut request = HttpRequest::new(method(&p.method)?, p.scheme, &p.host, &p.target)
        .map_err(|e| CliError::failed(format!("cannot build the request: {e}")))?;
    for (name, value) in &p.headers {
        request
            .headers_mut()
            .append(name, value)
            .map_err(|e| header_error(p, name, e))?;
    }
    let config = HttpsConfig::for_session(loaded.session());
    let mut transport =
        HttpsTransport::new(&config).map_err(|e| CliError::failed(e.to_string()))?;
    let net = |e: crate::transport::TransportError| {
        CliError::failed(format!("request to {} failed: {e}", p.host))
    };
    transport.begin(&request).map_err(net)?;
    // A file body goes out piece by piece: memory stays constant whatever its size.
    p.body
        .for_each_piece(|piece| transport.write_body(piece).map_err(net))?;
    let mut head = ResponseHead::new();
    transport.finish(&mut head).map_err(net)?;
    let status = head.status();

    if fail && status >= 400 {
        let mut body = Vec::new();
        let mut buf = [0u8; 8192];
        while body.len() < ERROR_BODY_PEEK {
            let n = transport.read_body(&mut buf).map_err(net)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(buf.get(..n).unwrap_or_default());
        }
        let detail = match error_code(&body) {
            Some(code) => format!(" ({code})"),
            None => String::new(),
        };
        return Err(CliError {
            message: format!("the server answered HTTP {status}{detail}"),
            code: EXIT_HTTP_ERROR,
        });
    }

    if include {
        let mut text = format!("HTTP/1.1 {status}\r\n");
        for (name, value) in transport.response_headers() {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        out.write_all(text.as_bytes()).map_err(CliError::output)?;
    }
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = transport.read_body(&mut buf).map_err(net)?;
        if n == 0 {
            break;
        }
        out.write_all(buf.get(..n).unwrap_or_default())
            .map_err(CliError::output)?;
    }
    out.flush().map_err(CliError::output)?;
    Ok(0)
}

/// Why the headers of `p` do not fit core's request: the capacity that ran out, and for the byte
/// capacity the headers that take the most room and who added them — not merely the header that
/// happened to be added last (often the signer's `Authorization`).
fn header_error(p: &Prepared, adding: &str, e: HttpError) -> CliError {
    match e {
        HttpError::Capacity {
            part: HttpPart::HeaderBytes,
            limit,
            ..
        } => {
            let mut sizes: Vec<(usize, &str, &str)> = p
                .headers
                .iter()
                .enumerate()
                .map(|(i, (n, v))| {
                    let origin = if i < p.caller_headers {
                        "-H"
                    } else if n.eq_ignore_ascii_case("x-amz-security-token") {
                        "the session token"
                    } else {
                        "the signer"
                    };
                    (n.len() + v.len(), n.as_str(), origin)
                })
                .collect();
            let total: usize = sizes.iter().map(|(len, _, _)| len).sum();
            sizes.sort_by_key(|s| core::cmp::Reverse(s.0));
            let largest: Vec<String> = sizes
                .iter()
                .take(3)
                .map(|(len, name, origin)| format!("{name} {len} bytes (from {origin})"))
                .collect();
            CliError::failed(format!(
                "the request headers take {total} bytes, over the {limit}-byte capacity \
                 (MAX_REQUEST_HEADER_BYTES); the largest: {}",
                largest.join(", ")
            ))
        }
        HttpError::Capacity {
            part: HttpPart::HeaderCount,
            limit,
            ..
        } => CliError::failed(format!(
            "the request has {} headers, over the capacity of {limit} (MAX_REQUEST_HEADERS); {} \
             of them from -H",
            p.headers.len(),
            p.caller_headers
        )),
        other => CliError::failed(format!("cannot add header {adding}: {other}")),
    }
}

/// The service error code in an error body: `<Code>…</Code>` (XML protocols) or `"__type"` /
/// `"code"` (JSON protocols, `namespace#Code` shortened to `Code`).
fn error_code(body: &[u8]) -> Option<String> {
    let text = core::str::from_utf8(body).ok()?;
    if let Some(start) = text.find("<Code>") {
        let rest = text.get(start + "<Code>".len()..)?;
        let end = rest.find("</Code>")?;
        return Some(rest.get(..end)?.trim().to_owned())
            .filter(|c| !c.is_empty() && c.len() <= 128);
    }
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let raw = ["__type", "code", "Code"]
        .iter()
        .find_map(|k| json.get(*k).and_then(|v| v.as_str()))?;
    let code = raw.rsplit('#').next().unwrap_or(raw);
    Some(code.to_owned()).filter(|c| !c.is_empty() && c.len() <= 128)
}

#[cfg(test)]
mod tests {
    use super::error_code;

    #[test]
    fn error_codes_from_xml_and_json_bodies() {
        let xml = b"<?xml version='1.0'?><ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>";
        assert_eq!(error_code(xml).as_deref(), Some("SignatureDoesNotMatch"));
        let json =
            br#"{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"x"}"#;
        assert_eq!(
            error_code(json).as_deref(),
            Some("UnrecognizedClientException")
        );
        assert_eq!(error_code(b"plain"), None);
    }
}
