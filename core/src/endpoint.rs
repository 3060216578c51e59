//! Endpoint resolution for clients made from a session (Go v1 `Session.ClientConfig`).
//!
//! A configured endpoint wins (a scheme is added when missing: `https`, or `http` with
//! `disable_ssl`). Otherwise the endpoint is built from the region's partition — the partition
//! table of the AWS SDKs (`partitions.json`), reduced to its prefixes and DNS suffixes — with the
//! FIPS and dual-stack variants and the STS and S3 `us-east-1` global endpoints of Go v1's legacy
//! mode. The STS rules are checked against the official STS endpoint rule-set tests.

use core::fmt::{self, Write};

use crate::http::url::UrlParts;
use crate::http::Scheme;
use crate::limits::{MAX_ENDPOINT_LEN, MAX_REGION_LEN};
use crate::text::Text;

/// One partition: which regions it holds and its DNS suffixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// Partition id (`aws`, `aws-cn`, …).
    pub id: &'static str,
    /// Region name prefix that selects the partition (`cn-`); the `aws` partition is the fallback.
    pub region_prefix: &'static str,
    /// DNS suffix for ordinary endpoints.
    pub dns_suffix: &'static str,
    /// DNS suffix for dual-stack endpoints.
    pub dual_stack_dns_suffix: &'static str,
}

/// The partitions of `partitions.json`, most specific prefix first; `aws` last as the fallback.
pub const PARTITIONS: &[Partition] = &[
    Partition {
        id: "aws-us-gov",
        region_prefix: "us-gov-",
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
    },
    Partition {
        id: "aws-iso-b",
        region_prefix: "us-isob-",
        dns_suffix: "sc2s.sgov.gov",
        dual_stack_dns_suffix: "api.aws.scloud",
    },
    Partition {
        id: "aws-iso-f",
        region_prefix: "us-isof-",
        dns_suffix: "csp.hci.ic.gov",
        dual_stack_dns_suffix: "api.aws.hci.ic.gov",
    },
    Partition {
        id: "aws-iso",
        region_prefix: "us-iso-",
        dns_suffix: "c2s.ic.gov",
        dual_stack_dns_suffix: "api.aws.ic.gov",
    },
    Partition {
        id: "aws-iso-e",
        region_prefix: "eu-isoe-",
        dns_suffix: "cloud.adc-e.uk",
        dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
    },
    Partition {
        id: "aws-eusc",
        region_prefix: "eusc-",
        dns_suffix: "amazonaws.eu",
        dual_stack_dns_suffix: "api.amazonwebservices.eu",
    },
    Partition {
        id: "aws-cn",
        region_prefix: "cn-",
        dns_suffix: "amazonaws.com.cn",
        dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
    },
    AWS_PARTITION,
];

/// The `aws` partition, the fallback for regions no other partition claims.
pub const AWS_PARTITION: Partition = Partition {
    id: "aws",
    region_prefix: "",
    dns_suffix: "amazonaws.com",
    dual_stack_dns_suffix: "api.aws",
};

/// Regions whose STS (and S3 in `us-east-1`) calls go to the global endpoint in Go v1's default
/// `legacy` mode.
pub const STS_LEGACY_GLOBAL_REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The partition of `region` (`aws` when no other matches, as the SDKs do).
pub fn partition_of(region: &str) -> &'static Partition {
    PARTITIONS
        .iter()
        .find(|p| region.starts_with(p.region_prefix))
        .unwrap_or(&AWS_PARTITION)
}

/// What to resolve.
#[derive(Debug, Clone, Copy, Default)]
pub struct EndpointParams<'a> {
    /// Endpoint prefix of the service (`sts`, `s3`, `dynamodb`).
    pub service: &'a str,
    /// Region, if any.
    pub region: Option<&'a str>,
    /// FIPS variant.
    pub use_fips: bool,
    /// Dual-stack variant.
    pub use_dualstack: bool,
    /// A configured endpoint (wins over everything else).
    pub endpoint: Option<&'a str>,
    /// Legacy global endpoints for STS (Go v1 `STSRegionalEndpoint = legacy`).
    pub sts_legacy_global: bool,
    /// Legacy global endpoint for S3 in `us-east-1`.
    pub s3_legacy_global: bool,
    /// `http` instead of `https` for a configured endpoint without a scheme.
    pub disable_ssl: bool,
}

/// A resolved endpoint: its URL, split once into scheme, host, port and path when it is resolved,
/// and the region to sign with.
///
/// ```
/// use aws_session_core::endpoint::{resolve, EndpointParams};
/// use aws_session_core::http::Scheme;
///
/// let p = EndpointParams { service: "s3", endpoint: Some("http://[::1]:9000"), ..Default::default() };
/// let ep = resolve(&p)?;
/// assert_eq!((ep.scheme(), ep.host(), ep.port()), (Scheme::Http, "::1", 9000));
/// assert_eq!(ep.authority(), "[::1]:9000");
/// # Ok::<(), aws_session_core::endpoint::EndpointError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEndpoint {
    url: Text<MAX_ENDPOINT_LEN>,
    signing_region: Text<MAX_REGION_LEN>,
    parts: UrlParts,
}

impl ResolvedEndpoint {
    /// An endpoint for `url` (`scheme://host[:port][/path]`) signed for `signing_region`.
    ///
    /// # Errors
    /// [`EndpointError::Invalid`] when `url` is not an `http` or `https` URL with a host and an
    /// optional numeric port; [`EndpointError::TooLong`] past [`MAX_ENDPOINT_LEN`] or
    /// [`MAX_REGION_LEN`].
    pub fn new(url: &str, signing_region: &str) -> Result<ResolvedEndpoint, EndpointError> {
        let parts = UrlParts::parse(url).ok_or(EndpointError::Invalid)?;
        let mut endpoint = ResolvedEndpoint {
            url: Text::new(),
            signing_region: Text::new(),
            parts,
        };
        endpoint
            .url
            .push_str(url)
            .map_err(|_| EndpointError::TooLong)?;
        endpoint
            .signing_region
            .push_str(signing_region)
            .map_err(|_| EndpointError::TooLong)?;
        Ok(endpoint)
    }

    /// The whole URL, as configured or built (`https://sts.amazonaws.com`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> Scheme {
        self.parts.scheme
    }

    /// The host to connect to and to name in TLS: a DNS name or an IP address, without the
    /// brackets of an IPv6 literal (`sts.amazonaws.com`, `127.0.0.1`, `::1`).
    pub fn host(&self) -> &str {
        let (start, end) = self.parts.host;
        self.url
            .get(usize::from(start)..usize::from(end))
            .unwrap_or("")
    }

    /// The port: the URL's own, else the scheme's default (443 for `https`, 80 for `http`).
    pub fn port(&self) -> u16 {
        self.parts.port
    }

    /// Host and port as the URL writes them, for the `Host` header (`127.0.0.1:5000`,
    /// `[::1]:9000`, `sts.amazonaws.com`).
    pub fn authority(&self) -> &str {
        let (start, end) = (self.parts.authority, self.parts.path);
        self.url
            .get(usize::from(start)..usize::from(end))
            .unwrap_or("")
    }

    /// The path the URL carries (`/prefix`), without a lone trailing `/`; empty when none.
    pub fn path(&self) -> &str {
        let path = self.url.get(usize::from(self.parts.path)..).unwrap_or("");
        if path == "/" {
            ""
        } else {
            path
        }
    }

    /// The region to sign with (pseudo-FIPS markers removed); empty when there is no region.
    pub fn signing_region(&self) -> &str {
        &self.signing_region
    }
}

impl fmt::Display for ResolvedEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// Resolution failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EndpointError {
    /// No region and no configured endpoint (Go v1 `MissingRegion`).
    MissingRegion,
    /// The URL is longer than [`MAX_ENDPOINT_LEN`].
    TooLong,
    /// A configured endpoint is not an `http` or `https` URL with a host and an optional port.
    Invalid,
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::MissingRegion => f.write_str("could not find region configuration"),
            EndpointError::TooLong => write!(
                f,
                "endpoint URL is longer than the limit of {MAX_ENDPOINT_LEN}"
            ),
            EndpointError::Invalid => f.write_str("endpoint is not an http or https URL"),
        }
    }
}

impl core::error::Error for EndpointError {}

/// Go v1 A8: strips a pseudo-FIPS marker (`fips-us-east-1`, `us-east-1-fips`) and reports whether
/// one was there.
pub fn normalize_region(region: &str) -> (&str, bool) {
    if let Some(r) = region.strip_prefix("fips-") {
        return (r, true);
    }
    if let Some(r) = region.strip_suffix("-fips") {
        return (r, true);
    }
    (region, false)
}

/// Resolves the endpoint for `params`.
///
/// # Errors
/// [`EndpointError::MissingRegion`] without region and endpoint; [`EndpointError::TooLong`];
/// [`EndpointError::Invalid`] for a configured endpoint that is not an `http(s)://host[:port]` URL.
pub fn resolve(params: &EndpointParams<'_>) -> Result<ResolvedEndpoint, EndpointError> {
    let too_long = |_| EndpointError::TooLong;
    let mut url = Text::<MAX_ENDPOINT_LEN>::new();
    let mut signing_region = Text::<MAX_REGION_LEN>::new();
    if let Some(region) = params.region {
        let (r, _) = normalize_region(region);
        signing_region
            .push_str(r)
            .map_err(|_| EndpointError::TooLong)?;
    }
    if let Some(ep) = params.endpoint {
        if !ep.contains("://") {
            url.push_str(if params.disable_ssl {
                "http://"
            } else {
                "https://"
            })
            .map_err(too_long)?;
        }
        url.push_str(ep).map_err(too_long)?;
        return ResolvedEndpoint::new(&url, &signing_region);
    }
    let region = params.region.ok_or(EndpointError::MissingRegion)?;
    let (region, pseudo_fips) = normalize_region(region);
    let fips = params.use_fips || pseudo_fips;
    let p = partition_of(region);
    let svc = params.service;
    let w = |url: &mut Text<MAX_ENDPOINT_LEN>, args: fmt::Arguments<'_>| {
        url.write_fmt(args).map_err(|_| EndpointError::TooLong)
    };

    let global_sts = svc == "sts"
        && !fips
        && !params.use_dualstack
        && (region == "aws-global"
            || (params.sts_legacy_global && STS_LEGACY_GLOBAL_REGIONS.contains(&region)));
    let global_s3 = svc == "s3"
        && !fips
        && !params.use_dualstack
        && params.s3_legacy_global
        && region == "us-east-1";
    if global_sts || global_s3 {
        w(&mut url, format_args!("https://{svc}.{}", p.dns_suffix))?;
        signing_region.clear();
        signing_region
            .push_str("us-east-1")
            .map_err(|_| EndpointError::TooLong)?;
        return ResolvedEndpoint::new(&url, &signing_region);
    }
    let suffix = if params.use_dualstack {
        p.dual_stack_dns_suffix
    } else {
        p.dns_suffix
    };
    // STS in GovCloud: the FIPS endpoint is the ordinary one (from the STS rule set).
    let fips_label = fips && !(svc == "sts" && p.id == "aws-us-gov" && !params.use_dualstack);
    let fips_part = if fips_label { "-fips" } else { "" };
    w(
        &mut url,
        format_args!("https://{svc}{fips_part}.{region}.{suffix}"),
    )?;
    ResolvedEndpoint::new(&url, &signing_region)
}

#[cfg(any(test, feature = "selftest"))]
/// Self-tests (see [`crate::selftest`]).
pub mod selftests {
    use super::*;

    fn url(p: EndpointParams<'_>) -> Text<MAX_ENDPOINT_LEN> {
        let mut t = Text::new();
        t.push_str(resolve(&p).unwrap().url()).unwrap();
        t
    }

    fn parts(url: &str) -> (Scheme, &str, u16, &str, &str) {
        let p = EndpointParams {
            service: "sts",
            endpoint: Some(url),
            ..Default::default()
        };
        let ep = resolve(&p).unwrap();
        assert_eq!(ep.url(), url);
        // The parts are offsets into the URL; read them back through a copy of it.
        let (start, end) = ep.parts.host;
        let host = url.get(usize::from(start)..usize::from(end)).unwrap();
        let authority = url
            .get(usize::from(ep.parts.authority)..usize::from(ep.parts.path))
            .unwrap();
        let path = url.get(usize::from(ep.parts.path)..).unwrap();
        assert_eq!((ep.host(), ep.authority()), (host, authority));
        (
            ep.scheme(),
            host,
            ep.port(),
            authority,
            if path == "/" { "" } else { path },
        )
    }

    selftests! {
        fn configured_endpoint_wins_and_gets_a_scheme() {
            let p = EndpointParams { service: "s3", region: Some("us-east-1"), endpoint: Some("localhost:9000"), disable_ssl: true, use_fips: true, ..Default::default() };
            assert_eq!(url(p).as_str(), "http://localhost:9000");
            let p = EndpointParams { endpoint: Some("localhost:9000"), ..p };
            assert_eq!(resolve(&EndpointParams { disable_ssl: false, ..p }).unwrap().url(), "https://localhost:9000");
            assert_eq!(resolve(&p).unwrap().signing_region(), "us-east-1");
        }

        fn pseudo_fips_regions_are_normalized() {
            let p = EndpointParams { service: "sts", region: Some("fips-us-east-1"), ..Default::default() };
            let r = resolve(&p).unwrap();
            assert_eq!(r.url(), "https://sts-fips.us-east-1.amazonaws.com");
            assert_eq!(r.signing_region(), "us-east-1");
            let p = EndpointParams { service: "dynamodb", region: Some("us-west-2-fips"), ..Default::default() };
            assert_eq!(url(p).as_str(), "https://dynamodb-fips.us-west-2.amazonaws.com");
        }

        fn legacy_global_endpoints() {
            let p = EndpointParams { service: "sts", region: Some("eu-west-1"), sts_legacy_global: true, ..Default::default() };
            assert_eq!(url(p).as_str(), "https://sts.amazonaws.com");
            let p = EndpointParams { service: "s3", region: Some("us-east-1"), s3_legacy_global: true, ..Default::default() };
            assert_eq!(url(p).as_str(), "https://s3.amazonaws.com");
            let p = EndpointParams { service: "s3", region: Some("cn-north-1"), use_dualstack: true, ..Default::default() };
            assert_eq!(url(p).as_str(), "https://s3.cn-north-1.api.amazonwebservices.com.cn");
            assert_eq!(resolve(&EndpointParams { service: "s3", ..Default::default() }), Err(EndpointError::MissingRegion));
        }

        fn endpoints_split_into_scheme_host_port_and_path() {
            let p = EndpointParams { service: "sts", region: Some("us-east-1"), sts_legacy_global: true, ..Default::default() };
            let ep = resolve(&p).unwrap();
            assert_eq!((ep.url(), ep.scheme(), ep.host(), ep.port(), ep.authority(), ep.path()), ("https://sts.amazonaws.com", Scheme::Https, "sts.amazonaws.com", 443, "sts.amazonaws.com", ""));
            assert_eq!(parts("https://sts.amazonaws.com"), (Scheme::Https, "sts.amazonaws.com", 443, "sts.amazonaws.com", ""));
            assert_eq!(parts("http://127.0.0.1:5000/"), (Scheme::Http, "127.0.0.1", 5000, "127.0.0.1:5000", ""));
            assert_eq!(parts("http://[::1]:9000"), (Scheme::Http, "::1", 9000, "[::1]:9000", ""));
            assert_eq!(parts("https://[::1]"), (Scheme::Https, "::1", 443, "[::1]", ""));
            assert_eq!(parts("https://gateway.example.com:8443/prefix/v1"), (Scheme::Https, "gateway.example.com", 8443, "gateway.example.com:8443", "/prefix/v1"));
            assert_eq!(parts("HTTP://Example.com"), (Scheme::Http, "Example.com", 80, "Example.com", ""));
            // A configured endpoint without a scheme gets one, with the path kept.
            let p = EndpointParams { service: "s3", endpoint: Some("localhost:9000/bucket"), disable_ssl: true, ..Default::default() };
            let ep = resolve(&p).unwrap();
            assert_eq!((ep.scheme(), ep.host(), ep.port(), ep.path()), (Scheme::Http, "localhost", 9000, "/bucket"));
        }

        fn malformed_endpoints_are_rejected_once() {
            for bad in ["ftp://example.com", "https://", "https://:443", "https://host:port", "https://host:99999", "https://[::1", "https://[::1]x", "https://user@host"] {
                let p = EndpointParams { service: "s3", endpoint: Some(bad), ..Default::default() };
                assert_eq!(resolve(&p), Err(EndpointError::Invalid), "{bad}");
            }
        }
    }
}
