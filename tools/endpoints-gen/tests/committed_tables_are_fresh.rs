//! The committed endpoint tables (`core/src/endpoint/model.rs`) are what the generator writes from
//! `../shared/testdata/endpoints/botocore/botocore/data/endpoints.json`: a stale file fails here
//! (skipped with a notice outside CI when the test data is missing).

use std::path::Path;

#[test]
fn committed_tables_match_the_model() {
    let Some(json) =
        aws_session_testdata::testdata("endpoints/botocore/botocore/data/endpoints.json")
    else {
        return;
    };
    let json = std::fs::read_to_string(json).unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../core/src/endpoint/model.rs");
    let committed = std::fs::read_to_string(committed).unwrap();
    assert!(
        aws_session_endpoints_gen::generate(&json) == committed,
        "core/src/endpoint/model.rs is stale: run `cargo run -p aws-session-endpoints-gen -- \
         ../shared/testdata/endpoints/botocore/botocore/data/endpoints.json core/src/endpoint/model.rs`"
    );
}

#[test]
fn every_partition_pattern_is_one_the_matcher_reads() {
    let Some(json) =
        aws_session_testdata::testdata("endpoints/botocore/botocore/data/endpoints.json")
    else {
        return;
    };
    let model = aws_session_endpoints_gen::Model::parse(&std::fs::read_to_string(json).unwrap());
    for p in &model.partitions {
        assert!(
            aws_session_endpoints_gen::regex_match(&p.region_regex, "x").is_some(),
            "{}",
            p.region_regex
        );
    }
}

#[test]
fn generated_services_are_sorted_for_bisection() {
    // `Model::full` bisects `SERVICES` by id: the generator writes them in byte order.
    let Some(json) =
        aws_session_testdata::testdata("endpoints/botocore/botocore/data/endpoints.json")
    else {
        return;
    };
    let out = aws_session_endpoints_gen::generate(&std::fs::read_to_string(json).unwrap());
    let ids: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split("Service { id: \"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(ids.len() > 300);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}
