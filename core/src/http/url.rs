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
        let (host, port) = split_authority(authority, scheme.default_port())?;
        // The host without brackets: after `[` when the authority is an IPv6 literal.
        let host_from = usize::from(authority.starts_with('['));
        let host_len = host.len();
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

/// Splits a URL's authority, `host[:port]` or `[ipv6][:port]`, into the host (without brackets)
/// and the port (`default_port` when there is none). `None` for an empty host, a port that is not
/// all digits or does not fit 16 bits, an unclosed bracket, or anything but `:port` after one.
/// The one splitter of the crates: endpoint URLs here, and the adapters' transports.
pub fn split_authority(authority: &str, default_port: u16) -> Option<(&str, u16)> {
    // An IPv6 literal is bracketed; the port follows the closing bracket.
    let (host, port) = match authority.strip_prefix('[') {
        Some(inner) => {
            let (host, after) = inner.split_once(']')?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':')?),
            };
            (host, port)
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        None => default_port,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
        Some(_) => return None,
    };
    Some((host, port))
}

/// True when `url` is written as `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>` and
/// `endpoint_url` must be: an explicit `http://` or `https://` scheme, a host, an optional
/// numeric port, and no space or control character anywhere.
pub fn is_configured_url(url: &str) -> bool {
    !url.bytes().any(|b| b <= b' ' || b == 0x7f) && UrlParts::parse(url).is_some()
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::{is_configured_url, split_authority, UrlParts};

    selftests! {
        fn authorities_split_into_host_and_port() {
            assert_eq!(split_authority("example.com", 443), Some(("example.com", 443)));
            assert_eq!(split_authority("10.0.0.2:5055", 80), Some(("10.0.0.2", 5055)));
            assert_eq!(split_authority("[::1]", 80), Some(("::1", 80)));
            assert_eq!(split_authority("[::1]:8080", 80), Some(("::1", 8080)));
            assert_eq!(split_authority("h:65535", 80), Some(("h", 65535)));
            for bad in [
                "", ":80", "[]", "[]:80", "h:", "h:port", "h:+1", "h:65536", "h:1:2", "[::1",
                "[::1]80", "[::1]:", "::1",
            ] {
                assert_eq!(split_authority(bad, 80), None, "{bad:?}");
            }
        }

        fn urls_locate_host_port_and_path() {
            let url = "https://[::1]:8443/x?y";
            let p = UrlParts::parse(url).unwrap();
            assert_eq!(&url[usize::from(p.host.0)..usize::from(p.host.1)], "::1");
            assert_eq!((p.port, &url[usize::from(p.path)..]), (8443, "/x?y"));
            let p = UrlParts::parse("http://sts.amazonaws.com").unwrap();
            assert_eq!((p.host, p.port, p.path), ((7, 24), 80, 24));
            assert!(!is_configured_url("https://user@host"));
            assert!(!is_configured_url("https://host:x"));
            assert!(is_configured_url("https://host:1/"));
        }
    }
}
