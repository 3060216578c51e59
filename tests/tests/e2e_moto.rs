//! `aws-session curl` against moto server with signature checking on (see `src/lib.rs`).
//!
//! Every call succeeds with the key moto issued and fails with `SignatureDoesNotMatch` when the
//! secret is wrong, which shows the server really verifies what we sign.

use std::process::Output;

use aws_session_tests::{aws_session, err, form_encode, ok, out, peer, unique, Peer};

const WRONG_SECRET: &str = "wrongSecretKey0000000000000000000000000000";

fn moto() -> Peer {
    peer("MOTO")
}

/// `aws-session curl [--fail] ARGS...` signed with `secret`.
fn curl(p: &Peer, secret: &str, fail: bool, args: &[&str]) -> Output {
    let mut all = vec!["curl"];
    if fail {
        all.push("--fail");
    }
    all.extend_from_slice(args);
    aws_session(p, secret, &all)
}

/// With a wrong secret the request is refused with SignatureDoesNotMatch: in the body without
/// `--fail`, and in the one error line with exit status 22 with `--fail`.
fn assert_wrong_secret_refused(p: &Peer, args: &[&str]) {
    let o = curl(p, WRONG_SECRET, false, args);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        out(&o).contains("SignatureDoesNotMatch"),
        "body: {}",
        out(&o)
    );
    let o = curl(p, WRONG_SECRET, true, args);
    assert_eq!(o.status.code(), Some(22), "{}", err(&o));
    assert!(err(&o).contains("SignatureDoesNotMatch"), "{}", err(&o));
    assert!(!err(&o).contains(WRONG_SECRET) && !out(&o).contains(WRONG_SECRET));
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn sts_get_caller_identity_as_a_post_form() {
    let p = moto();
    let args = [
        "--service",
        "sts",
        "-H",
        "Content-Type: application/x-www-form-urlencoded",
        "--data",
        "Action=GetCallerIdentity&Version=2011-06-15",
        &p.endpoint,
    ];
    let body = ok(&curl(&p, &p.secret, true, &args));
    assert!(body.contains("<GetCallerIdentityResult>"), "{body}");
    assert!(
        body.contains("<Arn>arn:aws:iam::123456789012:user/"),
        "{body}"
    );
    assert_wrong_secret_refused(&p, &args);
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn s3_put_then_get_object() {
    let p = moto();
    let url = format!("{}/{}/{}.txt", p.endpoint, p.bucket, unique("moto-obj"));
    let content = "hello from aws-session, signed with SigV4\n";
    assert_eq!(
        ok(&curl(
            &p,
            &p.secret,
            true,
            &["--service", "s3", "-X", "PUT", "--data", content, &url]
        )),
        ""
    );
    assert_eq!(
        ok(&curl(&p, &p.secret, true, &["--service", "s3", &url])),
        content
    );
    assert_wrong_secret_refused(&p, &["--service", "s3", &url]);
    assert_wrong_secret_refused(
        &p,
        &["--service", "s3", "-X", "PUT", "--data", "overwrite?", &url],
    );
    // The refused PUT changed nothing.
    assert_eq!(
        ok(&curl(&p, &p.secret, true, &["--service", "s3", &url])),
        content
    );
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn dynamodb_put_item() {
    let p = moto();
    let table = std::env::var("MOTO_TABLE").unwrap_or_else(|_| "sigv4-test-table".to_owned());
    let pk = unique("item");
    let put = format!(
        r#"{{"TableName":"{table}","Item":{{"pk":{{"S":"{pk}"}},"note":{{"S":"signed"}}}}}}"#
    );
    let json = "Content-Type: application/x-amz-json-1.0";
    let put_args = [
        "--service",
        "dynamodb",
        "-H",
        json,
        "-H",
        "X-Amz-Target: DynamoDB_20120810.PutItem",
        "--data",
        &put,
        &p.endpoint,
    ];
    assert_eq!(ok(&curl(&p, &p.secret, true, &put_args)), "{}");
    let get = format!(r#"{{"TableName":"{table}","Key":{{"pk":{{"S":"{pk}"}}}}}}"#);
    let get_args = [
        "--service",
        "dynamodb",
        "-H",
        json,
        "-H",
        "X-Amz-Target: DynamoDB_20120810.GetItem",
        "--data",
        &get,
        &p.endpoint,
    ];
    let item = ok(&curl(&p, &p.secret, true, &get_args));
    assert!(item.contains(&pk) && item.contains("signed"), "{item}");
    assert_wrong_secret_refused(&p, &put_args);
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn sqs_send_message() {
    let p = moto();
    let queue = std::env::var("MOTO_QUEUE_URL")
        .unwrap_or_else(|_| format!("{}/123456789012/sigv4-test-queue", p.endpoint));
    let form = format!(
        "Action=SendMessage&Version=2012-11-05&QueueUrl={}&MessageBody={}",
        form_encode(&queue),
        form_encode("hello & welcome")
    );
    let args = [
        "--service",
        "sqs",
        "-H",
        "Content-Type: application/x-www-form-urlencoded",
        "--data",
        &form,
        &p.endpoint,
    ];
    let body = ok(&curl(&p, &p.secret, true, &args));
    assert!(body.contains("<MessageId>"), "{body}");
    assert_wrong_secret_refused(&p, &args);
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn credentials_from_a_profile_in_the_shared_credentials_file() {
    // The same STS call, with the key in ~/.aws/credentials under a named profile instead of env.
    let p = moto();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        format!(
            "[e2e]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            p.access_key_id, p.secret
        ),
    )
    .unwrap();
    let o = std::process::Command::new(aws_session_tests::binary())
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_REGION", &p.region)
        // Env keys lose to --profile (Go v1 Options.Profile).
        .env("AWS_ACCESS_KEY_ID", "AKIDWRONG")
        .env("AWS_SECRET_ACCESS_KEY", WRONG_SECRET)
        .args(["curl", "--fail", "--profile", "e2e", "--service", "sts"])
        .args(["-H", "Content-Type: application/x-www-form-urlencoded"])
        .args([
            "--data",
            "Action=GetCallerIdentity&Version=2011-06-15",
            &p.endpoint,
        ])
        .output()
        .unwrap();
    assert!(ok(&o).contains("<GetCallerIdentityResult>"));
}

/// The std example (`examples/examples/sts_std.rs`, five statements) against moto: the session
/// from the environment, `session.client("sts")`, a form request, `client.send`.
#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn the_std_example_sends_a_signed_sts_call() {
    let p = moto();
    let example = aws_session_tests::example("sts_std");
    let run = |secret: &str| {
        let home = tempfile::tempdir().expect("temp HOME");
        std::process::Command::new(&example)
            .env_clear()
            .env("HOME", home.path())
            .env("AWS_ACCESS_KEY_ID", &p.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_REGION", &p.region)
            .env("AWS_ENDPOINT_URL", &p.endpoint)
            .output()
            .expect("run the sts_std example")
    };
    let o = run(&p.secret);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(out(&o), "GetCallerIdentity: HTTP 200\n");
    let o = run(WRONG_SECRET);
    assert!(!out(&o).contains("HTTP 200"), "{}", out(&o));
    assert!(!out(&o).contains(WRONG_SECRET) && !err(&o).contains(WRONG_SECRET));
}
