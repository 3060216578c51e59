//! # aws-session-endpoints-gen
//!
//! Reads the legacy endpoint model (`endpoints.json`, format version 3: the file Go v1's
//! `aws/endpoints/defaults.go` is generated from) and writes core's compact endpoint tables,
//! `core/src/endpoint/model.rs`.
//!
//! The model is loaded as Go v1 loads it: variants are merged into their base entry (a variant
//! inherits the credential scope and protocols, never the hostname or DNS suffix), and Go v1's
//! load-time customisations are applied (the S3 `aws-global` endpoint, no `data.iot`, Application
//! Auto Scaling in China and GovCloud). Then every endpoint entry that changes nothing is dropped:
//! an entry whose region the partition's `regionRegex` matches, in a regionalized service, whose
//! URL, signing region, signing name and scheme are what the partition and service defaults give
//! anyway. What is left is written as static tables: region names interned once, one static per
//! service (so a firmware image that names a few services links only those).
//!
//! Run `cargo run -p aws-session-endpoints-gen -- PATH/endpoints.json core/src/endpoint/model.rs`;
//! the crate's test regenerates from `../shared/testdata` and fails when the committed file is
//! stale.

use core::fmt::Write;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Variant bit: FIPS.
pub const FIPS: u8 = 1;
/// Variant bit: dual-stack.
pub const DUALSTACK: u8 = 2;

/// One endpoint or defaults entry after Go v1's merge of variants into their base.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ep {
    /// Hostname template (`{service}.{region}.{dnsSuffix}`), empty when unset.
    pub hostname: String,
    /// `protocols`, empty when unset.
    pub protocols: Vec<String>,
    /// `credentialScope.region`.
    pub scope_region: String,
    /// `credentialScope.service`.
    pub scope_service: String,
    /// `dnsSuffix`.
    pub dns_suffix: String,
}

impl Ep {
    fn parse(v: &Value) -> Ep {
        let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
        Ep {
            hostname: s(&v["hostname"]),
            protocols: v["protocols"]
                .as_array()
                .map(|a| a.iter().map(s).collect())
                .unwrap_or_default(),
            scope_region: s(&v["credentialScope"]["region"]),
            scope_service: s(&v["credentialScope"]["service"]),
            dns_suffix: s(&v["dnsSuffix"]),
        }
    }

    /// Go v1 `endpoint.mergeIn`: every set field of `other` wins.
    fn merge_in(&mut self, other: &Ep) {
        let set = |dst: &mut String, src: &String| {
            if !src.is_empty() {
                dst.clone_from(src)
            }
        };
        set(&mut self.hostname, &other.hostname);
        if !other.protocols.is_empty() {
            self.protocols.clone_from(&other.protocols);
        }
        set(&mut self.scope_region, &other.scope_region);
        set(&mut self.scope_service, &other.scope_service);
        set(&mut self.dns_suffix, &other.dns_suffix);
    }

    /// Whether the preferred protocol is `http` (Go v1: `https` wins when listed).
    fn http(&self) -> bool {
        !self.protocols.is_empty()
            && !self.protocols.iter().any(|p| p == "https")
            && self.protocols.iter().any(|p| p == "http")
    }
}

/// The base entry and its variants, keyed by variant bits, as Go v1 decodes them.
fn with_variants(v: &Value) -> BTreeMap<u8, Ep> {
    let mut out = BTreeMap::new();
    let base = Ep::parse(v);
    out.insert(0, base.clone());
    let mut stripped = base;
    stripped.hostname.clear();
    stripped.dns_suffix.clear();
    for variant in v["variants"].as_array().into_iter().flatten() {
        let mut bits = 0;
        let mut unknown = false;
        let tags = variant["tags"].as_array().cloned().unwrap_or_default();
        for t in &tags {
            match t.as_str().map(str::to_ascii_lowercase).as_deref() {
                Some("fips") => bits |= FIPS,
                Some("dualstack") => bits |= DUALSTACK,
                _ => unknown = true,
            }
        }
        if unknown || tags.is_empty() {
            continue;
        }
        let mut ve = stripped.clone();
        ve.merge_in(&Ep::parse(variant));
        out.insert(bits, ve);
    }
    out
}

/// One service in one partition.
#[derive(Debug, Clone, Default)]
pub struct Service {
    /// `partitionEndpoint`.
    pub partition_endpoint: String,
    /// `isRegionalized: false`.
    pub global: bool,
    /// Defaults by variant (absent when the model has none).
    pub defaults: BTreeMap<u8, Ep>,
    /// Endpoints by (region, variant).
    pub endpoints: BTreeMap<(String, u8), Ep>,
}

/// One partition.
#[derive(Debug, Clone)]
pub struct Partition {
    /// `partition` (`aws`).
    pub id: String,
    /// `dnsSuffix`.
    pub dns_suffix: String,
    /// `regionRegex`.
    pub region_regex: String,
    /// Defaults by variant.
    pub defaults: BTreeMap<u8, Ep>,
    /// Services by id.
    pub services: BTreeMap<String, Service>,
}

/// The model as Go v1 holds it after loading.
#[derive(Debug, Clone)]
pub struct Model {
    /// Partitions in file order (`aws` first: Go v1's fallback).
    pub partitions: Vec<Partition>,
}

impl Model {
    /// Parses `endpoints.json` and applies Go v1's load-time customisations.
    ///
    /// # Panics
    /// On a file that is not a version 3 model.
    pub fn parse(json: &str) -> Model {
        let v: Value = serde_json::from_str(json).expect("endpoints.json is JSON");
        assert_eq!(v["version"], 3, "endpoint model version 3");
        let mut partitions = Vec::new();
        for p in v["partitions"].as_array().expect("partitions") {
            let mut services = BTreeMap::new();
            for (name, s) in p["services"].as_object().expect("services") {
                let mut svc = Service {
                    partition_endpoint: s["partitionEndpoint"].as_str().unwrap_or("").to_owned(),
                    global: s["isRegionalized"] == Value::Bool(false),
                    defaults: BTreeMap::new(),
                    endpoints: BTreeMap::new(),
                };
                if s.get("defaults").is_some() {
                    svc.defaults = with_variants(&s["defaults"]);
                }
                for (region, e) in s["endpoints"].as_object().into_iter().flatten() {
                    for (bits, ep) in with_variants(e) {
                        svc.endpoints.insert((region.clone(), bits), ep);
                    }
                }
                services.insert(name.clone(), svc);
            }
            let mut part = Partition {
                id: p["partition"].as_str().expect("partition id").to_owned(),
                dns_suffix: p["dnsSuffix"].as_str().expect("dnsSuffix").to_owned(),
                region_regex: p["regionRegex"].as_str().expect("regionRegex").to_owned(),
                defaults: with_variants(&p["defaults"]),
                services,
            };
            customise(&mut part);
            partitions.push(part);
        }
        Model { partitions }
    }
}

/// Go v1's customisations when it loads the model (`decode.go`).
fn customise(p: &mut Partition) {
    // S3's global endpoint in `aws` (a no-op when the model has it).
    if p.id == "aws" {
        if let Some(s3) = p.services.get_mut("s3") {
            let global = ("aws-global".to_owned(), 0);
            if !s3.endpoints.contains_key(&global) {
                s3.partition_endpoint = "aws-global".into();
                s3.endpoints.entry(("us-east-1".into(), 0)).or_default();
                s3.endpoints.insert(
                    global,
                    Ep {
                        hostname: "s3.amazonaws.com".into(),
                        scope_region: "us-east-1".into(),
                        ..Ep::default()
                    },
                );
            }
        }
    }
    // Clients use `data-ats.iot`.
    p.services.remove("data.iot");
    if let Some(s) = p.services.get_mut("application-autoscaling") {
        if p.id == "aws-cn" {
            if let Some(base) = s.defaults.get_mut(&0) {
                if base.hostname == "autoscaling.{region}.amazonaws.com" {
                    base.hostname = "autoscaling.{region}.amazonaws.com.cn".into();
                }
            }
        }
        if p.id == "aws-us-gov" {
            let base = s.defaults.entry(0).or_default();
            if base.hostname.is_empty() && base.scope_service.is_empty() {
                base.scope_service = "application-autoscaling".into();
                base.hostname = "autoscaling.{region}.amazonaws.com".into();
            }
        }
    }
}

/// What Go v1 resolves (the fields of `endpoints.ResolvedEndpoint` a client uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `https://host`.
    pub url: String,
    /// Signing region.
    pub signing_region: String,
    /// Signing name.
    pub signing_name: String,
    /// Whether the signing name is the service id.
    pub signing_name_derived: bool,
    /// Partition id.
    pub partition: String,
}

/// A Go-syntax regular expression of the shapes `endpoints.json` uses, matched by `regex`-free
/// code: `^`, `$`, literals, `\-`, `\w+`, `\d+` and groups of literal alternatives.
pub fn regex_match(pattern: &str, text: &str) -> Option<bool> {
    fn m(p: &[u8], t: &[u8]) -> Option<bool> {
        match p {
            [] => Some(t.is_empty()),
            [b'$'] => Some(t.is_empty()),
            [b'\\', c @ (b'w' | b'd'), b'+', rest @ ..] => {
                let class = |b: u8| {
                    if *c == b'w' {
                        b.is_ascii_alphanumeric() || b == b'_'
                    } else {
                        b.is_ascii_digit()
                    }
                };
                let n = t.iter().take_while(|&&b| class(b)).count();
                for k in (1..=n).rev() {
                    if m(rest, &t[k..])? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            [b'\\', c, rest @ ..] if !c.is_ascii_alphanumeric() => {
                Some(t.first() == Some(c) && m(rest, &t[1..])?)
            }
            [b'(', rest @ ..] => {
                let close = rest.iter().position(|&b| b == b')')?;
                let (group, after) = (&rest[..close], &rest[close + 1..]);
                for alt in group.split(|&b| b == b'|') {
                    if alt.iter().any(|b| !b.is_ascii_alphanumeric()) {
                        return None;
                    }
                    if t.starts_with(alt) && m(after, &t[alt.len()..])? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            [c, rest @ ..] if c.is_ascii_alphanumeric() => {
                Some(t.first() == Some(c) && m(rest, &t[1..])?)
            }
            _ => None,
        }
    }
    let p = pattern.strip_prefix('^')?;
    m(p.as_bytes(), text.as_bytes())
}

fn valid_region(region: &str) -> bool {
    let b = region.as_bytes();
    !b.is_empty()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// Options of one resolution (Go v1 `endpoints.Options`, as `Session.ClientConfig` sets them).
#[derive(Debug, Clone, Copy, Default)]
pub struct Opts {
    /// Variant bits.
    pub variant: u8,
    /// `STSRegionalEndpoint = regional`.
    pub sts_regional: bool,
    /// `S3UsEast1RegionalEndpoint = regional`.
    pub s3_regional: bool,
}

const LEGACY_STS: &[&str] = &[
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
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

const LEGACY_EMPTY_REGION: &[&str] = &[
    "budgets",
    "ce",
    "chime",
    "cloudfront",
    "ec2metadata",
    "iam",
    "importexport",
    "organizations",
    "route53",
    "sts",
    "support",
    "waf",
];

impl Model {
    /// Go v1 `partitions.EndpointFor` with `ResolveUnknownService` (no `ResolvedRegion`).
    pub fn resolve(&self, service: &str, region: &str, o: Opts) -> Option<Resolved> {
        let p = self
            .partitions
            .iter()
            .find(|p| {
                p.services
                    .get(service)
                    .is_some_and(|s| s.endpoints.contains_key(&(region.to_owned(), o.variant)))
                    || regex_match(&p.region_regex, region) == Some(true)
            })
            .or(self.partitions.first())?;
        p.resolve(service, region, o, None)
    }
}

impl Partition {
    /// Go v1 `partition.EndpointFor`; `skip` leaves one endpoint entry out (for the reduction).
    fn resolve(
        &self,
        service: &str,
        region: &str,
        o: Opts,
        skip: Option<&(String, u8)>,
    ) -> Option<Resolved> {
        if service.is_empty() {
            return None;
        }
        let empty = Service::default();
        let s = self.services.get(service).unwrap_or(&empty);
        let mut region = region.to_owned();
        if region.is_empty() && LEGACY_EMPTY_REGION.contains(&service) {
            region.clone_from(&s.partition_endpoint);
        }
        if o.variant == 0
            && ((service == "sts" && !o.sts_regional && LEGACY_STS.contains(&region.as_str()))
                || (service == "s3" && !o.s3_regional && region == "us-east-1"))
        {
            region = "aws-global".into();
        }
        let v = o.variant;
        let (svc_def, has_svc_def) = match s.defaults.get(&v) {
            Some(d) => (d.clone(), true),
            None if v != 0 => {
                let mut d = s.defaults.get(&0).cloned().unwrap_or_default();
                d.hostname.clear();
                d.dns_suffix.clear();
                (d, false)
            }
            None => (Ep::default(), false),
        };
        let part_def = self.defaults.get(&v);
        let mut dns = if !svc_def.dns_suffix.is_empty() {
            svc_def.dns_suffix.clone()
        } else if v == 0 {
            self.dns_suffix.clone()
        } else {
            String::new()
        };
        let lookup = |r: &str| {
            let key = (r.to_owned(), v);
            if skip == Some(&key) {
                None
            } else {
                s.endpoints.get(&key)
            }
        };
        let (e, has) = match lookup(&region) {
            Some(e) => (e.clone(), true),
            None if s.global => (
                lookup(&s.partition_endpoint).cloned().unwrap_or_default(),
                region == s.partition_endpoint,
            ),
            None => (Ep::default(), false),
        };
        if region.is_empty() || (!has && !has_svc_def && part_def.is_none()) {
            return None;
        }
        let mut merged = part_def.cloned().unwrap_or_default();
        merged.merge_in(&svc_def);
        merged.merge_in(&e);
        if !valid_region(&region) {
            return None;
        }
        if !merged.dns_suffix.is_empty() {
            dns.clone_from(&merged.dns_suffix);
        }
        let host = merged
            .hostname
            .replacen("{service}", service, 1)
            .replacen("{region}", &region, 1)
            .replacen("{dnsSuffix}", &dns, 1);
        let scheme = if merged.http() { "http" } else { "https" };
        Some(Resolved {
            url: format!("{scheme}://{host}"),
            signing_region: if merged.scope_region.is_empty() {
                region.clone()
            } else {
                merged.scope_region.clone()
            },
            signing_name: if merged.scope_service.is_empty() {
                service.to_owned()
            } else {
                merged.scope_service.clone()
            },
            signing_name_derived: merged.scope_service.is_empty(),
            partition: self.id.clone(),
        })
    }
}

/// Every option combination an entry can be reached with.
fn all_opts(variant: u8) -> [Opts; 4] {
    let o = |sts_regional, s3_regional| Opts {
        variant,
        sts_regional,
        s3_regional,
    };
    [
        o(false, false),
        o(true, false),
        o(false, true),
        o(true, true),
    ]
}

/// Drops every endpoint entry that changes no resolution (see the crate docs).
pub fn reduce(model: &Model) -> Model {
    let mut out = model.clone();
    for (pi, p) in model.partitions.iter().enumerate() {
        for (name, s) in &p.services {
            let mut keep = BTreeMap::new();
            let mut current = p.clone();
            for (key, e) in &s.endpoints {
                let (region, variant) = key;
                let droppable = !s.global
                    && *region != s.partition_endpoint
                    && regex_match(&p.region_regex, region) == Some(true)
                    && all_opts(*variant).iter().all(|o| {
                        current.resolve(name, region, *o, None)
                            == current.resolve(name, region, *o, Some(key))
                    });
                if droppable {
                    if let Some(svc) = current.services.get_mut(name) {
                        svc.endpoints.remove(key);
                    }
                } else {
                    keep.insert(key.clone(), e.clone());
                }
            }
            if let Some(svc) = out.partitions[pi].services.get_mut(name) {
                svc.endpoints = keep;
            }
        }
    }
    out
}

/// Rust string literal.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// The generated Rust source for `model` (already loaded; it is reduced here).
pub fn generate(json: &str) -> String {
    let full = Model::parse(json);
    let model = reduce(&full);
    // Region names referenced by entries, credential scopes and partition endpoints.
    let mut regions = BTreeSet::new();
    for p in &model.partitions {
        for s in p.services.values() {
            if !s.partition_endpoint.is_empty() {
                regions.insert(s.partition_endpoint.clone());
            }
            for ((r, _), e) in &s.endpoints {
                regions.insert(r.clone());
                if !e.scope_region.is_empty() {
                    regions.insert(e.scope_region.clone());
                }
            }
            for e in s.defaults.values() {
                if !e.scope_region.is_empty() {
                    regions.insert(e.scope_region.clone());
                }
            }
        }
    }
    let regions: Vec<String> = regions.into_iter().collect();
    // One static per region name, so an image links only the names its services use.
    let region_ident = |r: &str| -> String {
        let mut id = String::from("R_");
        id.extend(r.chars().map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        }));
        id
    };
    let region_idents: BTreeSet<String> = regions.iter().map(|r| region_ident(r)).collect();
    assert_eq!(
        region_idents.len(),
        regions.len(),
        "region statics have distinct names"
    );
    let ri = |r: &str| -> String {
        if r.is_empty() {
            "&NO_REGION".into()
        } else {
            assert!(regions.iter().any(|x| x == r), "interned");
            format!("&{}", region_ident(r))
        }
    };
    // A hostname with its own region and service written as `{region}` and `{service}` (the
    // resolver puts them back), so that equal shapes are one string.
    // Not the region of a global service's partition endpoint: every region resolves to it, and
    // its hostname keeps its own text.
    let template = |service: &str, region: &str, host: &str, keep_region: bool| -> String {
        let mut t = host.to_owned();
        let region = if keep_region { "" } else { region };
        if !host.contains('{') {
            if !service.is_empty() {
                t = t.replacen(service, "{service}", 1);
            }
            if !region.is_empty() {
                t = t.replacen(region, "{region}", 1);
            }
        }
        let back = t
            .replacen("{service}", service, 1)
            .replacen("{region}", region, 1);
        if back == host {
            t
        } else {
            host.to_owned()
        }
    };
    let entry = |service: &str, region: &str, variant: u8, e: &Ep, keep: bool| -> String {
        assert!(
            e.dns_suffix.is_empty(),
            "endpoint entries carry no dnsSuffix"
        );
        format!(
            "Entry::new({}, {}, {}, {}, {}, {})",
            lit(&template(service, region, &e.hostname, keep)),
            lit(&e.scope_service),
            ri(region),
            ri(&e.scope_region),
            variant,
            e.http(),
        )
    };
    let defaults = |variant: u8, e: &Ep| -> String {
        // The resolver lets an entry's `http` win over the defaults': exact while no defaults
        // prefer `http`.
        assert!(!e.http(), "no defaults prefer http");
        format!(
            "Defaults::new({}, {}, {}, {}, {}, {})",
            lit(&e.hostname),
            lit(&e.dns_suffix),
            lit(&e.scope_service),
            ri(&e.scope_region),
            variant,
            e.http(),
        )
    };
    let mut o = String::new();
    o.push_str(
        "// @generated by tools/endpoints-gen from the legacy endpoint model (endpoints.json).\n\
         // Do not edit: run `cargo run -p aws-session-endpoints-gen -- ENDPOINTS_JSON core/src/endpoint/model.rs`.\n\
         //! The endpoint tables: partitions, the region names the services name, and one static per\n\
         //! service with only the entries that differ from the defaults.\n\n\
         use super::table::{Defaults, Entry, Partition, RegionName, Service, ServicePartition, NO_REGION};\n\n",
    );
    let _ = writeln!(o, "// The region names the tables name, one static each.");
    for r in &regions {
        let _ = writeln!(
            o,
            "/// `{r}`.\n#[rustfmt::skip]\npub static {}: RegionName = RegionName({});",
            region_ident(r),
            lit(r)
        );
    }
    o.push('\n');
    let _ = writeln!(o, "/// The partitions, in the model's order (`aws` first).");
    let _ = writeln!(
        o,
        "#[rustfmt::skip]\npub static PARTITIONS: [Partition; {}] = [",
        model.partitions.len()
    );
    for p in &model.partitions {
        let defs: Vec<String> = (0..4u8)
            .map(|v| match p.defaults.get(&v) {
                Some(e) => format!("Some({})", defaults(v, e)),
                None => "None".into(),
            })
            .collect();
        let _ = writeln!(
            o,
            "    Partition {{ id: {}, dns_suffix: {}, region_regex: {}, defaults: [{}] }},",
            lit(&p.id),
            lit(&p.dns_suffix),
            lit(&p.region_regex),
            defs.join(", ")
        );
    }
    o.push_str("];\n\n");
    // Services across partitions.
    let mut names = BTreeSet::new();
    for p in &model.partitions {
        names.extend(p.services.keys().cloned());
    }
    let ident = |n: &str| -> String {
        n.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect()
    };
    let idents: BTreeSet<String> = names.iter().map(|n| ident(n)).collect();
    assert_eq!(
        idents.len(),
        names.len(),
        "service statics have distinct names"
    );
    let _ = writeln!(o, "/// Every service, sorted by id.");
    let _ = writeln!(
        o,
        "#[rustfmt::skip]\npub static SERVICES: [&Service; {}] = [",
        names.len()
    );
    for n in &names {
        let _ = writeln!(o, "    &{},", ident(n));
    }
    o.push_str("];\n\n");
    for n in &names {
        let _ = writeln!(o, "/// `{n}`.");
        let _ = writeln!(
            o,
            "#[rustfmt::skip]\npub static {}: Service = Service {{ id: {}, partitions: &[",
            ident(n),
            lit(n)
        );
        for (pi, p) in model.partitions.iter().enumerate() {
            let Some(s) = p.services.get(n) else { continue };
            let defs: Vec<String> = s.defaults.iter().map(|(v, e)| defaults(*v, e)).collect();
            let eps: Vec<String> = s
                .endpoints
                .iter()
                .map(|((r, v), e)| entry(n, r, *v, e, s.global && *r == s.partition_endpoint))
                .collect();
            let _ = writeln!(
                o,
                "    ServicePartition {{ partition: {pi}, global: {}, partition_endpoint: {}, defaults: &[{}], endpoints: &[{}] }},",
                s.global,
                ri(&s.partition_endpoint),
                defs.join(", "),
                eps.join(", ")
            );
        }
        o.push_str("] };\n");
    }
    o
}

/// Counts for the generator's report: (entries in the model, entries kept).
pub fn counts(json: &str) -> (usize, usize) {
    let full = Model::parse(json);
    let reduced = reduce(&full);
    let n = |m: &Model| {
        m.partitions
            .iter()
            .flat_map(|p| p.services.values())
            .map(|s| s.endpoints.len())
            .sum()
    };
    (n(&full), n(&reduced))
}
