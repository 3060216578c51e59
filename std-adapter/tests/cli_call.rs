//! `aws-session call` without a real service: usage errors, and answers of a loopback server
//! (a decoded error answer is one line with its code and message; a raw REST call sends what
//! `--param method` / `path` and `--body-file` say).

mod common;

use common::cli::{assert_one_line_error, home, run, stdout};
use common::server::{self, Reply};

const KEYS: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    ("AWS_REGION", "us-east-1"),
];

#[test]
fn usage_errors_are_one_line() {
    let h = home();
    let o = run(h.path(), &KEYS, &["call", "nosuch", "Op"]);
    let e = assert_one_line_error(&o, 1);
    assert!(
        e.contains("does not know the protocol of service \"nosuch\""),
        "{e}"
    );
    let o = run(
        h.path(),
        &KEYS,
        &["call", "sqs", "SendMessage", "--param", "=x"],
    );
    assert!(assert_one_line_error(&o, 1).contains("is not NAME=VALUE"));
    let o = run(
        h.path(),
        &KEYS,
        &["call", "sqs", "SendMessage", "--param", "MessageBody=x"],
    );
    assert!(assert_one_line_error(&o, 1).contains("--param QueueUrl=… is required"));
    let o = run(h.path(), &KEYS, &["call", "dynamodb", "GetItem"]);
    assert!(assert_one_line_error(&o, 1).contains("GetItem needs its JSON in --body-file"));
    let o = run(
        h.path(),
        &KEYS,
        &[
            "call", "iot-data", "Publish", "--param", "topic=t", "--param", "qos=2",
        ],
    );
    assert!(assert_one_line_error(&o, 1).contains("qos is missing, empty or out of range"));
    let o = run(h.path(), &KEYS, &["call", "lambda", "ListFunctions"]);
    assert!(assert_one_line_error(&o, 1).contains("--param path=… is required"));
    let o = run(h.path(), &KEYS, &["call", "sts"]);
    assert_one_line_error(&o, 2);
}

#[test]
fn an_error_answer_is_one_line_with_code_and_message() {
    let h = home();
    let body = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>Topic bad\nline</Message></Error><RequestId>req-1</RequestId></ErrorResponse>";
    let (port, server) = server::plain(Reply::With("400 Bad Request", body));
    let url = format!("http://127.0.0.1:{port}");
    let o = run(
        h.path(),
        &KEYS,
        &[
            "call",
            "sns",
            "Publish",
            "--param",
            "TopicArn=arn:aws:sns:us-east-1:1:t",
            "--param",
            "Message=m",
            "--endpoint-url",
            &url,
        ],
    );
    let e = assert_one_line_error(&o, 1);
    assert_eq!(
        e.trim_end(),
        "aws-session: InvalidParameterValue: Topic bad\\nline (HTTP 400, request id req-1)"
    );
    let request = server.join().unwrap();
    assert!(request.starts_with("POST / HTTP/1.1\r\n"), "{request}");
    assert!(request.ends_with("Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At&Message=m"), "{request}");
}

#[test]
fn a_raw_rest_call_sends_method_path_and_body_and_prints_the_answer() {
    let h = home();
    let (port, server) = server::plain(Reply::With("200 OK", "{\"Functions\":[]}"));
    let url = format!("http://127.0.0.1:{port}");
    let file = common::write(h.path(), "body.json", "{\"a\":1}");
    let o = run(
        h.path(),
        &KEYS,
        &[
            "call",
            "lambda",
            "Invoke",
            "--param",
            "method=post",
            "--param",
            "path=/2015-03-31/functions/f/invocations",
            "--body-file",
            &file,
            "--endpoint-url",
            &url,
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "{\"Functions\":[]}\n");
    let request = server.join().unwrap();
    assert!(
        request.starts_with("POST /2015-03-31/functions/f/invocations HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(
        request
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{request}"
    );
    assert!(
        request.contains("/lambda/aws4_request"),
        "signed for lambda: {request}"
    );
    assert!(request.ends_with("{\"a\":1}"), "{request}");
}

/// `call s3 PutObject` of `body_file` as `bkt/dir/k` at `url`.
fn put_object(home: &std::path::Path, body_file: &str, url: &str) -> std::process::Output {
    let args = [
        "call",
        "s3",
        "PutObject",
        "--param",
        "Bucket=bkt",
        "--param",
        "Key=dir/k",
        "--body-file",
        body_file,
        "--endpoint-url",
        url,
    ];
    run(home, &KEYS, &args)
}

#[test]
fn s3_put_object_streams_a_regular_file_aws_chunked_and_an_error_is_one_line() {
    let h = home();
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>req-2</RequestId></Error>";
    let (port, server) = server::plain(Reply::With("403 Forbidden", body));
    let url = format!("http://127.0.0.1:{port}");
    // Two full 64 KiB chunks and a short one.
    let content = "0123456789abcdef".repeat(9 * 1024);
    let file = common::write(h.path(), "object.bin", &content);
    let o = put_object(h.path(), &file, &url);
    let e = assert_one_line_error(&o, 1);
    assert_eq!(
        e.trim_end(),
        "aws-session: AccessDenied: Access Denied (HTTP 403, request id req-2)"
    );
    let request = server.join().unwrap();
    let lower = request.to_ascii_lowercase();
    let line = request.lines().next().unwrap_or_default();
    assert!(
        line.starts_with("PUT /") && line.ends_with("/dir/k HTTP/1.1"),
        "{line}"
    );
    for header in [
        "content-encoding: aws-chunked\r\n",
        "x-amz-content-sha256: streaming-aws4-hmac-sha256-payload\r\n",
        &format!("x-amz-decoded-content-length: {}\r\n", content.len()),
    ] {
        assert!(lower.contains(header), "{header} in {request}");
    }
    // Each chunk is signed: 64 KiB, 64 KiB, the rest, and the final empty chunk.
    assert_eq!(
        request.matches(";chunk-signature=").count(),
        4,
        "{request:.2000}"
    );
    assert!(
        request.contains("10000;chunk-signature="),
        "{request:.2000}"
    );
    assert!(
        request.contains("\r\n0;chunk-signature="),
        "{request:.2000}"
    );
}

#[test]
fn a_body_file_that_is_not_a_regular_file_is_bounded() {
    let h = home();
    let o = put_object(h.path(), "/dev/zero", "http://127.0.0.1:9");
    let e = assert_one_line_error(&o, 1);
    assert!(
        e.contains("/dev/zero") && e.contains("MAX_PIPED_BODY_LEN"),
        "{e}"
    );
}
