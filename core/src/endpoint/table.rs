//! The shapes of the endpoint tables ([`model`](super::model) is generated from the legacy
//! endpoint model into them) and the few lookups the resolver makes.
//!
//! The tables hold only what changes a resolution: each partition's defaults, each service's
//! defaults, and the endpoint entries the generator could not drop (global endpoints, credential
//! scopes, hostnames that are not the defaults', deprecated FIPS pseudo-regions, regions the
//! partition's pattern does not match). Each region name is one static ([`RegionName`]) that
//! entries point at; a hostname's own region and service are written `{region}` and `{service}`,
//! so equal shapes are one string. Each service is its own static: an image that resolves through
//! [`Model::of`] with a few services links only those, and only the region names they name.

use super::model::SERVICES;

/// Variant bit: a FIPS endpoint.
pub const FIPS: u8 = 1;
/// Variant bit: a dual-stack endpoint.
pub const DUALSTACK: u8 = 2;
/// A region name of the tables, one static per name (entries point at it: 4 bytes on a 32-bit
/// target, and a name no selected service uses is not linked).
#[derive(Debug, PartialEq, Eq)]
pub struct RegionName(pub &'static str);

/// The region name that names no region (an unset credential scope or partition endpoint).
pub static NO_REGION: RegionName = RegionName("");

/// One endpoint entry of a service: a region (or pseudo-region) and variant, with what differs
/// from the defaults. Variants already carry their base entry's credential scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub(crate) hostname: &'static str,
    pub(crate) scope_service: &'static str,
    pub(crate) region: &'static RegionName,
    pub(crate) scope_region: &'static RegionName,
    pub(crate) variant: u8,
    pub(crate) http: bool,
}

impl Entry {
    /// An entry (generated code): hostname template (empty: the defaults'), signing name (empty:
    /// unset), region and signing region ([`NO_REGION`]: unset), variant bits, and whether `http`
    /// is preferred.
    pub const fn new(
        hostname: &'static str,
        scope_service: &'static str,
        region: &'static RegionName,
        scope_region: &'static RegionName,
        variant: u8,
        http: bool,
    ) -> Entry {
        Entry {
            hostname,
            scope_service,
            region,
            scope_region,
            variant,
            http,
        }
    }

    /// The region (or pseudo-region) the entry is for.
    pub fn region(&self) -> &'static str {
        self.region.0
    }

    /// The variant bits ([`FIPS`], [`DUALSTACK`]).
    pub fn variant(&self) -> u8 {
        self.variant
    }
}

/// Defaults of a partition or a service for one variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Defaults {
    pub(crate) hostname: &'static str,
    pub(crate) dns_suffix: &'static str,
    pub(crate) scope_service: &'static str,
    pub(crate) scope_region: &'static RegionName,
    pub(crate) variant: u8,
    pub(crate) http: bool,
}

impl Defaults {
    /// Defaults (generated code): hostname template, DNS suffix, signing name, signing region
    /// ([`NO_REGION`]: unset), variant bits, whether `http` is preferred. Empty text is unset.
    pub const fn new(
        hostname: &'static str,
        dns_suffix: &'static str,
        scope_service: &'static str,
        scope_region: &'static RegionName,
        variant: u8,
        http: bool,
    ) -> Defaults {
        Defaults {
            hostname,
            dns_suffix,
            scope_service,
            scope_region,
            variant,
            http,
        }
    }
}

/// One partition of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// Partition id (`aws`, `aws-cn`, `aws-us-gov`, …).
    pub id: &'static str,
    /// DNS suffix of ordinary endpoints (`amazonaws.com`).
    pub dns_suffix: &'static str,
    /// The pattern of the partition's region names (`^(us|eu|…)\-\w+\-\d+$`), matched by
    /// [`region_matches`].
    pub region_regex: &'static str,
    /// Defaults by variant bits (index 0: ordinary, 1: FIPS, 2: dual-stack, 3: both).
    pub defaults: [Option<Defaults>; 4],
}

/// A service's tables in one partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServicePartition {
    /// Index into [`PARTITIONS`](super::model::PARTITIONS).
    pub partition: u8,
    /// `isRegionalized: false`: every region resolves to the partition endpoint.
    pub global: bool,
    /// The partition endpoint (`aws-global`), or [`NO_REGION`].
    pub partition_endpoint: &'static RegionName,
    /// Service defaults, by variant.
    pub defaults: &'static [Defaults],
    /// The endpoint entries that differ from the defaults.
    pub endpoints: &'static [Entry],
}

impl ServicePartition {
    pub(crate) fn defaults(&self, variant: u8) -> Option<&'static Defaults> {
        self.defaults.iter().find(|d| d.variant == variant)
    }

    pub(crate) fn entry(&self, region: &str, variant: u8) -> Option<&'static Entry> {
        self.endpoints
            .iter()
            .find(|e| e.variant == variant && e.region.0 == region)
    }

    /// The partition endpoint's region name; empty when none.
    pub fn partition_endpoint(&self) -> &'static str {
        self.partition_endpoint.0
    }
}

/// One service of the model: its id and its tables in each partition that lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The endpoint prefix (`sts`, `s3`, `runtime.sagemaker`).
    pub id: &'static str,
    /// Its tables, one per partition that lists it.
    pub partitions: &'static [ServicePartition],
}

impl Service {
    pub(crate) fn in_partition(&self, partition: usize) -> Option<&'static ServicePartition> {
        self.partitions
            .iter()
            .find(|p| usize::from(p.partition) == partition)
    }
}

/// Which services a resolver knows. Services it does not know resolve from the partition
/// defaults, as Go v1 resolves unknown services (`ResolveUnknownService`).
///
/// ```
/// use aws_session_core::endpoint::{model, Model};
///
/// // Only STS and S3: an image that resolves through this links only their tables.
/// static MINE: Model = Model::of(&[&model::STS, &model::S3]);
/// assert!(MINE.service("sts").is_some());
/// assert!(MINE.service("iam").is_none());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Model {
    services: &'static [&'static Service],
    /// The services are sorted by id (the full tables): lookups bisect.
    sorted: bool,
}

impl Model {
    /// A model of these services.
    pub const fn of(services: &'static [&'static Service]) -> Model {
        Model {
            services,
            sorted: false,
        }
    }

    /// Every service of the legacy endpoint model (about 300): the full tables.
    pub const fn full() -> Model {
        Model {
            services: &SERVICES,
            sorted: true,
        }
    }

    /// No service tables: every service resolves from the partition defaults.
    pub const fn partitions_only() -> Model {
        Model::of(&[])
    }

    /// The services of this model.
    pub fn services(&self) -> &'static [&'static Service] {
        self.services
    }

    /// The tables of `id`, if this model has them.
    pub fn service(&self, id: &str) -> Option<&'static Service> {
        if self.sorted {
            let i = self.services.binary_search_by(|s| s.id.cmp(id)).ok()?;
            return self.services.get(i).copied();
        }
        self.services.iter().copied().find(|s| s.id == id)
    }
}

/// Whether `region` matches `pattern`, a regular expression of the shapes the endpoint model uses:
/// `^`, `$`, ASCII letters and digits, escaped punctuation (`\-`), `\w+`, `\d+`, and groups of
/// literal alternatives (`(us|eu|ap)`). `None` for a pattern outside these shapes (a test checks
/// that every partition's pattern is inside them).
pub fn region_matches(pattern: &str, region: &str) -> Option<bool> {
    let p = pattern.strip_prefix('^')?;
    matches_at(p.as_bytes(), region.as_bytes(), 0)
}

/// The patterns have at most two repetitions and a group: the depth bound is never reached.
const MAX_MATCH_DEPTH: u8 = 16;

fn matches_at(p: &[u8], t: &[u8], depth: u8) -> Option<bool> {
    if depth > MAX_MATCH_DEPTH {
        return None;
    }
    let next = |p: &[u8], t: &[u8]| matches_at(p, t, depth + 1);
    match p {
        [] | [b'$'] => Some(t.is_empty()),
        [b'\\', c @ (b'w' | b'd'), b'+', rest @ ..] => {
            let word = *c == b'w';
            let n = t
                .iter()
                .take_while(|&&b| {
                    if word {
                        b.is_ascii_alphanumeric() || b == b'_'
                    } else {
                        b.is_ascii_digit()
                    }
                })
                .count();
            for k in (1..=n).rev() {
                if next(rest, t.get(k..)?)? {
                    return Some(true);
                }
            }
            Some(false)
        }
        [b'\\', c, rest @ ..] if c.is_ascii_punctuation() => {
            Some(t.first() == Some(c) && next(rest, t.get(1..)?)?)
        }
        [b'(', rest @ ..] => {
            let close = rest.iter().position(|&b| b == b')')?;
            let (group, after) = (rest.get(..close)?, rest.get(close + 1..)?);
            for alt in group.split(|&b| b == b'|') {
                if alt.iter().any(|b| !b.is_ascii_alphanumeric()) {
                    return None;
                }
                if t.starts_with(alt) && next(after, t.get(alt.len()..)?)? {
                    return Some(true);
                }
            }
            Some(false)
        }
        [c, rest @ ..] if c.is_ascii_alphanumeric() => {
            Some(t.first() == Some(c) && next(rest, t.get(1..)?)?)
        }
        _ => None,
    }
}
