//! The official STS endpoint rule-set tests (botocore `endpoint-rules/sts/endpoint-tests-1.json`)
//! against `aws_session_core::endpoint::resolve`.
//!
//! `UseGlobalEndpoint` maps to Go v1's `sts_regional_endpoints = legacy`. Two cases are not
//! followed on purpose: the rule set rejects FIPS or dual-stack together with a custom endpoint,
//! while Go v1's `ClientConfig` lets a configured endpoint win whatever the FIPS and dual-stack
//! settings say; we follow Go v1 and assert it.

mod common;

use aws_session_core::endpoint::{resolve, EndpointError, EndpointParams};

#[test]
fn sts_endpoint_rule_set_tests() {
    let Some(dir) = common::testdata("endpoints/botocore/tests/functional/endpoint-rules/sts")
    else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("endpoint-tests-1.json")).unwrap();
    let suite: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (mut passed, mut go_v1_cases) = (0, 0);
    for case in suite["testCases"].as_array().unwrap() {
        let p = &case["params"];
        let params = EndpointParams {
            service: "sts",
            region: p["Region"].as_str(),
            use_fips: p["UseFIPS"].as_bool().unwrap_or(false),
            use_dualstack: p["UseDualStack"].as_bool().unwrap_or(false),
            endpoint: p["Endpoint"].as_str(),
            sts_legacy_global: p["UseGlobalEndpoint"].as_bool().unwrap_or(false),
            ..EndpointParams::default()
        };
        let doc = case["documentation"].as_str().unwrap_or("?");
        let got = resolve(&params);
        match (
            &case["expect"]["endpoint"]["url"],
            case["expect"]["error"].as_str(),
        ) {
            (serde_json::Value::String(url), _) => {
                assert_eq!(got.as_ref().map(|e| e.url()), Ok(url.as_str()), "{doc}");
                passed += 1;
            }
            (_, Some(err)) if err.contains("Missing Region") => {
                assert_eq!(got, Err(EndpointError::MissingRegion), "{doc}");
                passed += 1;
            }
            (_, Some(_)) => {
                // FIPS / dual-stack with a custom endpoint: Go v1 lets the endpoint win.
                assert_eq!(got.unwrap().url(), params.endpoint.unwrap(), "{doc}");
                go_v1_cases += 1;
            }
            _ => panic!("unexpected case shape: {doc}"),
        }
    }
    eprintln!(
        "STS endpoint suite: {passed} cases as the rule set says, {go_v1_cases} as Go v1 says"
    );
    assert_eq!(passed + go_v1_cases, 69);
    assert_eq!(go_v1_cases, 2);
}
