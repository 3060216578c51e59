//! Splitting an `http(s)://host[:port][/path]` URL into its parts, shared by endpoint resolution
//! and the check of configured endpoint URLs at session creation.

use super::Scheme;

/// Where the parts of an endpoint URL are, as byte offsets into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UrlParts {
    pub(crate) scheme: Scheme,
    /// Start of the authority (after `://`).
    pub(crate) authority: u16,
    /// The host without IPv6 brackets.
    pub(crate) host: (u16, u16),
    /// Start of the path (the URL's length when there is none).
    pub(crate) path: u16,
    /// The explicit port, or the scheme's default.
    pub(crate) port: u16,
}

impl UrlParts {
    /// Splits `url` (`scheme://host[:port][/path]`); `None` when it is not such a URL.
    pub(crate) fn parse(url: &str) -> Option<UrlParts> {
        let (scheme_text, rest) = url.split_once("://")?;
        let scheme = if scheme_text.eq_ignore_ascii_case("https") {
            Scheme::Https
        } else if scheme_text.eq_ignore_ascii_case("http") {
            Scheme::Http
        } else {
            return None;
        };
        let authority_start = url.len().checked_sub(rest.len())?;
        let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = rest.get(..authority_len)?;
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        // An IPv6 literal is bracketed; the port follows the closing bracket.
        let (host_from, host_len, port_text) = match authority.strip_prefix('[') {
            Some(inner) => {
                let close = inner.find(']')?;
                let after = inner.get(close.checked_add(1)?..)?;
                let port = match after {
                    "" => None,
                    p => Some(p.strip_prefix(':')?),
                };
                (1, close, port)
            }
            None => match authority.split_once(':') {
                Some((host, port)) => (0, host.len(), Some(port)),
                None => (0, authority.len(), None),
            },
        };
        if host_len == 0 {
            return None;
        }
        let port = match port_text {
            None => scheme.default_port(),
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
            Some(_) => return None,
        };
        let offset = |n: usize| u16::try_from(n).ok();
        let host_start = authority_start.checked_add(host_from)?;
        Some(UrlParts {
            scheme,
            authority: offset(authority_start)?,
            host: (
                offset(host_start)?,
                offset(host_start.checked_add(host_len)?)?,
            ),
            path: offset(authority_start.checked_add(authority_len)?)?,
            port,
        })
    }
}

/// True when `url` is written as `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>` and
/// `endpoint_url` must be: an explicit `http://` or `https://` scheme, a host, an optional
/// numeric port, and no space or control character anywhere.
pub fn is_configured_url(url: &str) -> bool {
    !url.bytes().any(|b| b <= b' ' || b == 0x7f) && UrlParts::parse(url).is_some()
}
