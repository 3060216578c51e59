//! Every endpoint entry of the legacy endpoint model (`endpoints.json`: each service × region ×
//! variant it lists, variants merged with their base entry as Go v1 merges them) resolves through
//! the generated tables to what the JSON says: the hostname with its `{service}`, `{region}` and
//! `{dnsSuffix}` filled in, the credential scope's region (else the region) and service (else the
//! service defaults', else the service id), and the partition. Read straight from the JSON, not
//! through the generator.

mod common;

use aws_session_core::endpoint::{endpoint_for, Model, Options, DUALSTACK, FIPS};
use serde_json::Value;

fn tags_bits(tags: &Value) -> Option<u8> {
    let mut bits = 0;
    for t in tags.as_array()? {
        bits |= match t.as_str()? {
            "fips" => FIPS,
            "dualstack" => DUALSTACK,
            _ => return None,
        };
    }
    Some(bits)
}

#[test]
fn every_listed_endpoint_resolves_as_the_model_says() {
    let Some(path) = common::testdata("endpoints/botocore/botocore/data/endpoints.json") else {
        return;
    };
    let model: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let full = Model::full();
    let (mut checked, mut global) = (0, 0);
    // Go v1 takes the first partition that lists a region: a pseudo-region listed in two
    // partitions (appstream2's `fips`) resolves in the first.
    let mut seen = std::collections::HashSet::new();
    for p in model["partitions"].as_array().unwrap() {
        let pid = p["partition"].as_str().unwrap();
        let defaults = &p["defaults"];
        for (service, s) in p["services"].as_object().unwrap() {
            if service == "data.iot" {
                continue; // Go v1 removes it when loading the model.
            }
            let sdef = &s["defaults"];
            for (region, e) in s["endpoints"].as_object().unwrap() {
                let mut forms = vec![(0u8, e.clone())];
                for v in e["variants"].as_array().into_iter().flatten() {
                    if let Some(bits) = tags_bits(&v["tags"]) {
                        forms.push((bits, v.clone()));
                    }
                }
                for (bits, form) in forms {
                    if !seen.insert((service.clone(), region.clone(), bits)) {
                        continue;
                    }
                    // The hostname: the entry's, else the service's or partition's default for
                    // the variant (an entry without a hostname only when a default has one).
                    let variant_default = |d: &Value, key: &str| -> Option<String> {
                        if bits == 0 {
                            return d[key].as_str().map(str::to_owned);
                        }
                        d["variants"]
                            .as_array()?
                            .iter()
                            .find(|v| tags_bits(&v["tags"]) == Some(bits))?[key]
                            .as_str()
                            .map(str::to_owned)
                    };
                    let Some(host) = form["hostname"]
                        .as_str()
                        .map(str::to_owned)
                        .or_else(|| variant_default(sdef, "hostname"))
                        .or_else(|| variant_default(defaults, "hostname"))
                    else {
                        continue;
                    };
                    let dns = variant_default(sdef, "dnsSuffix")
                        .or_else(|| variant_default(defaults, "dnsSuffix"))
                        .unwrap_or_else(|| p["dnsSuffix"].as_str().unwrap().to_owned());
                    let host = host
                        .replacen("{service}", service, 1)
                        .replacen("{region}", region, 1)
                        .replacen("{dnsSuffix}", &dns, 1);
                    let scope = |k: &str| {
                        e["credentialScope"][k]
                            .as_str()
                            .or(sdef["credentialScope"][k].as_str())
                    };
                    let http = form["protocols"]
                        .as_array()
                        .or(e["protocols"].as_array())
                        .is_some_and(|p| p.iter().all(|x| x != "https"));
                    let want = (
                        format!("{}://{host}", if http { "http" } else { "https" }),
                        scope("region").unwrap_or(region).to_owned(),
                        scope("service").unwrap_or(service).to_owned(),
                        pid,
                    );
                    let options = Options {
                        variant: bits,
                        ..Options::default()
                    };
                    if !region
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    {
                        // Go v1 refuses such a region name (`rds-fips.ca-central-1`) whatever
                        // the model says.
                        assert!(endpoint_for(&full, service, region, &options).is_err());
                        continue;
                    }
                    let got = endpoint_for(&full, service, region, &options)
                        .unwrap_or_else(|e| panic!("{pid} {service} {region} {bits}: {e}"));
                    let got = (
                        got.url().to_owned(),
                        got.signing_region().to_owned(),
                        got.signing_name().to_owned(),
                        got.partition(),
                    );
                    assert_eq!(got, want, "{pid} {service} {region} variant {bits}");
                    checked += 1;
                    if s["isRegionalized"] == false {
                        global += 1;
                    }
                }
            }
        }
    }
    eprintln!("{checked} service × region × variant entries checked ({global} of global services)");
    assert!(checked > 10_000);
}
