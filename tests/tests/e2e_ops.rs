//! Core's thin typed operations (`aws_session_core::ops`) end to end against moto with its
//! signature checks on: each operation is prepared by core, sent through a session client on the
//! std platform, and its answer parsed by core. The tables, queues, topics and streams they need
//! are made with the raw escape hatch (`ops::raw`), which is thus tested too.
//!
//! moto re-encodes a parsed form body the way Python's `urlencode` does (a space as `+`) before it
//! checks the payload hash; core writes a space as `+` too, as Go v1's `url.Values.Encode` does, so
//! values with spaces pass its signature check (the SQS message below has some).

use aws_session_core::client::Client;
use aws_session_core::credentials::sts::AssumeRoleParams;
use aws_session_core::credentials::Credentials;
use aws_session_core::handlers::{Request, RequestError};
use aws_session_core::http::Method;
use aws_session_core::ops::{self, raw::RawCall};
use aws_session_core::protocol::Protocol;
use aws_session_std::StdPlatform;
use aws_session_tests::{aws_session, err, ok, peer, peer_session as session, unique, Peer};

/// Sends `r` through `client`, the answer going into `buf`; panics with the decoded error.
fn send<'a>(client: &Client<'_>, r: &mut Request<'a>, buf: &'a mut [u8]) {
    r.set_response_buffer(buf);
    let mut platform = StdPlatform::new(client.session()).unwrap();
    let result: Result<(), RequestError> = client.send(r, &mut platform);
    if let Err(e) = result {
        panic!(
            "{} failed: {e:?} {:?}",
            r.operation(),
            String::from_utf8_lossy(r.response_body())
        );
    }
    assert_eq!(r.response.status(), 200);
}

/// A raw call; returns the answer body.
fn raw(client: &Client<'_>, operation: &'static str, call: RawCall<'_>) -> String {
    let mut form = vec![0u8; 4096];
    let mut buf = vec![0u8; 64 * 1024];
    let mut r = ops::raw::prepare(client, operation, call, &mut form).unwrap();
    send(client, &mut r, &mut buf);
    String::from_utf8(r.response_body().to_vec()).unwrap()
}

/// The text of the first `<name>` element of `xml`.
fn element(xml: &str, name: &str) -> String {
    let open = format!("<{name}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no {name} in {xml}"))
        + open.len();
    let end = xml[start..].find('<').unwrap() + start;
    xml[start..end].to_owned()
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn sts_get_caller_identity_and_assume_role() {
    let p = peer("MOTO");
    let loaded = session(&p);
    let sts = loaded.session().client("sts").unwrap();
    let mut form = [0u8; 64];
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ops::sts::get_caller_identity(&sts, &mut form).unwrap();
    send(&sts, &mut r, &mut buf);
    let id = ops::sts::parse_get_caller_identity(r.response_body()).unwrap();
    assert!(id.account.eq_str("123456789012"), "{id:?}");
    assert!(
        id.arn
            .to_string()
            .starts_with("arn:aws:iam::123456789012:user/"),
        "{id:?}"
    );
    assert!(!id.user_id.is_empty());

    let role = std::env::var("MOTO_ROLE_ARNS")
        .ok()
        .and_then(|r| r.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "arn:aws:iam::123456789012:role/aws-session-e2e-hop-1".to_owned());
    let params = AssumeRoleParams {
        role_arn: &role,
        session_name: "ops-e2e",
        external_id: None,
        serial_number: None,
        token_code: None,
        duration_secs: 900,
    };
    let mut form = [0u8; 512];
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ops::sts::assume_role(&sts, &params, &mut form).unwrap();
    send(&sts, &mut r, &mut buf);
    let mut creds = Credentials::EMPTY;
    ops::sts::parse_assume_role(r.response_body(), &mut creds).unwrap();
    assert!(creds.access_key_id.starts_with("ASIA"), "{creds:?}");
    assert!(creds.session_token.is_some() && creds.expires.is_some());
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn dynamodb_put_get_and_query() {
    let p = peer("MOTO");
    let loaded = session(&p);
    let ddb = loaded.session().client("dynamodb").unwrap();
    let table = unique("ops-table");
    let create = format!(
        r#"{{"TableName":"{table}","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{{"AttributeName":"pk","AttributeType":"S"}}],"KeySchema":[{{"AttributeName":"pk","KeyType":"HASH"}}]}}"#
    );
    let answer = raw(
        &ddb,
        "CreateTable",
        RawCall::Json {
            protocol: Protocol::Json10,
            target_prefix: ops::dynamodb::TARGET_PREFIX,
            operation: "CreateTable",
            body: create.as_bytes(),
        },
    );
    assert!(answer.contains(&table), "{answer}");

    let put = format!(
        r#"{{"TableName":"{table}","Item":{{"pk":{{"S":"k1"}},"note":{{"S":"typed \"op\""}}}}}}"#
    );
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ops::dynamodb::put_item(&ddb, put.as_bytes()).unwrap();
    send(&ddb, &mut r, &mut buf);
    assert_eq!(ops::dynamodb::parse_answer(r.response_body()), Ok("{}"));

    let get = format!(r#"{{"TableName":"{table}","Key":{{"pk":{{"S":"k1"}}}}}}"#);
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ops::dynamodb::get_item(&ddb, get.as_bytes()).unwrap();
    send(&ddb, &mut r, &mut buf);
    let item: serde_json::Value =
        serde_json::from_str(ops::dynamodb::parse_answer(r.response_body()).unwrap()).unwrap();
    assert_eq!(item["Item"]["note"]["S"], "typed \"op\"");

    let query = format!(
        r#"{{"TableName":"{table}","KeyConditionExpression":"pk = :v","ExpressionAttributeValues":{{":v":{{"S":"k1"}}}}}}"#
    );
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ops::dynamodb::query(&ddb, query.as_bytes()).unwrap();
    send(&ddb, &mut r, &mut buf);
    let found: serde_json::Value =
        serde_json::from_str(ops::dynamodb::parse_answer(r.response_body()).unwrap()).unwrap();
    assert_eq!(found["Count"], 1, "{found}");
    assert_eq!(found["Items"][0]["pk"]["S"], "k1");
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn sqs_send_receive_and_delete() {
    let p = peer("MOTO");
    let loaded = session(&p);
    let sqs = loaded.session().client("sqs").unwrap();
    let name = unique("ops-queue");
    let params = [("QueueName", name.as_str())];
    let answer = raw(
        &sqs,
        "CreateQueue",
        RawCall::Query {
            protocol: Protocol::Query,
            action: "CreateQueue",
            version: ops::sqs::VERSION,
            params: &params,
        },
    );
    let queue = element(&answer, "QueueUrl");

    let text = "hello &<typed>/ops~ with spaces";
    let mut form = vec![0u8; 1024];
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ops::sqs::send_message(&sqs, &mut form, &queue, text).unwrap();
    send(&sqs, &mut r, &mut buf);
    let sent = ops::sqs::parse_send_message(r.response_body()).unwrap();
    // The MD5 of the body SQS received (python3 hashlib.md5 of the text).
    assert!(
        sent.md5_of_body.eq_str("a9e6172758b0bfcab2373b74bdcfefdf"),
        "{sent:?}"
    );
    let sent_id = sent.message_id.to_string();

    let mut form = vec![0u8; 1024];
    let mut buf = vec![0u8; 64 * 1024];
    let mut r = ops::sqs::receive_message(&sqs, &mut form, &queue, 10, 0).unwrap();
    send(&sqs, &mut r, &mut buf);
    let messages = ops::sqs::parse_receive_message(r.response_body()).unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].message_id.eq_str(&sent_id));
    assert!(messages[0].body.eq_str(text), "{:?}", messages[0].body);
    let handle = messages[0].receipt_handle.to_string();

    let mut form = vec![0u8; 2048];
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ops::sqs::delete_message(&sqs, &mut form, &queue, &handle).unwrap();
    send(&sqs, &mut r, &mut buf);
    ops::sqs::parse_delete_message(r.response_body()).unwrap();

    // Deleted: the queue is empty now.
    let mut form = vec![0u8; 1024];
    let mut buf = vec![0u8; 64 * 1024];
    let mut r = ops::sqs::receive_message(&sqs, &mut form, &queue, 10, 0).unwrap();
    send(&sqs, &mut r, &mut buf);
    assert!(ops::sqs::parse_receive_message(r.response_body())
        .unwrap()
        .is_empty());
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn sns_publish() {
    let p = peer("MOTO");
    let loaded = session(&p);
    let sns = loaded.session().client("sns").unwrap();
    let name = unique("ops-topic");
    let params = [("Name", name.as_str())];
    let answer = raw(
        &sns,
        "CreateTopic",
        RawCall::Query {
            protocol: Protocol::Query,
            action: "CreateTopic",
            version: ops::sns::VERSION,
            params: &params,
        },
    );
    let topic = element(&answer, "TopicArn");
    let mut form = vec![0u8; 1024];
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ops::sns::publish(&sns, &mut form, &topic, "published&typed", Some("s")).unwrap();
    send(&sns, &mut r, &mut buf);
    let out = ops::sns::parse_publish(r.response_body()).unwrap();
    assert_eq!(out.message_id.len(), 36, "{out:?}");
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn kinesis_put_record() {
    let p = peer("MOTO");
    let loaded = session(&p);
    let kinesis = loaded.session().client("kinesis").unwrap();
    let stream = unique("ops-stream");
    let create = format!(r#"{{"StreamName":"{stream}","ShardCount":1}}"#);
    raw(
        &kinesis,
        "CreateStream",
        RawCall::Json {
            protocol: Protocol::Json11,
            target_prefix: ops::kinesis::TARGET_PREFIX,
            operation: "CreateStream",
            body: create.as_bytes(),
        },
    );
    let data: Vec<u8> = (0..=255u8).collect();
    let mut body = vec![0u8; 1024];
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ops::kinesis::put_record(&kinesis, &mut body, &stream, "pk-1", &data).unwrap();
    send(&kinesis, &mut r, &mut buf);
    let out = ops::kinesis::parse_put_record(r.response_body()).unwrap();
    assert!(out.shard_id.to_string().starts_with("shardId-"), "{out:?}");
    assert!(!out.sequence_number.is_empty());

    // The record reads back with the same bytes (the Data went out as base64).
    let describe = format!(
        r#"{{"StreamName":"{stream}","ShardId":"{}","ShardIteratorType":"TRIM_HORIZON"}}"#,
        out.shard_id
    );
    let iterator: serde_json::Value = serde_json::from_str(&raw(
        &kinesis,
        "GetShardIterator",
        RawCall::Json {
            protocol: Protocol::Json11,
            target_prefix: ops::kinesis::TARGET_PREFIX,
            operation: "GetShardIterator",
            body: describe.as_bytes(),
        },
    ))
    .unwrap();
    let get = format!(r#"{{"ShardIterator":{}}}"#, iterator["ShardIterator"]);
    let records: serde_json::Value = serde_json::from_str(&raw(
        &kinesis,
        "GetRecords",
        RawCall::Json {
            protocol: Protocol::Json11,
            target_prefix: ops::kinesis::TARGET_PREFIX,
            operation: "GetRecords",
            body: get.as_bytes(),
        },
    ))
    .unwrap();
    let mut expected = vec![0u8; 1024];
    let expected = {
        let body = ops::kinesis::put_record_body(&mut expected, "s", "k", &data).unwrap();
        let text = core::str::from_utf8(body).unwrap();
        let start = text.find("\"Data\":\"").unwrap() + 8;
        text[start..text.len() - 2].to_owned()
    };
    assert_eq!(
        records["Records"][0]["Data"],
        expected.as_str(),
        "{records}"
    );
    assert!(out
        .sequence_number
        .eq_str(records["Records"][0]["SequenceNumber"].as_str().unwrap()));
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn iot_data_publish() {
    let p = peer("MOTO");
    let loaded = session(&p);
    let iot = loaded.session().client(ops::iot_data::SERVICE).unwrap();
    assert_eq!(iot.endpoint().unwrap().signing_name(), "iotdata");
    let topic = format!("dt/{}/temp", unique("thing"));
    let payload = br#"{"celsius":21.5}"#;
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ops::iot_data::publish(&iot, &topic, 1, payload).unwrap();
    send(&iot, &mut r, &mut buf);
    assert_eq!(r.http.method(), Method::Post);
}

// ---- aws-session call ------------------------------------------------------------------------

/// `aws-session call ARGS… --endpoint-url MOTO` with moto's key.
fn call(p: &Peer, args: &[&str]) -> std::process::Output {
    let mut all = vec!["call"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--endpoint-url", &p.endpoint]);
    aws_session(p, &p.secret, &all)
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn call_prints_typed_outputs_and_raw_answers() {
    let p = peer("MOTO");
    let id = ok(&call(&p, &["sts", "GetCallerIdentity"]));
    let lines: Vec<&str> = id.lines().collect();
    assert_eq!(lines.len(), 3, "{id}");
    assert_eq!(lines[0], "Account: 123456789012");
    assert!(
        lines[1].starts_with("Arn: arn:aws:iam::123456789012:user/"),
        "{id}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&call(&p, &["sts", "GetCallerIdentity", "--json"]))).unwrap();
    assert_eq!(json["Account"], "123456789012");

    // AssumeRole shows the masked key id and the expiry, never the secret or token.
    let role = std::env::var("MOTO_ROLE_ARNS")
        .ok()
        .and_then(|r| r.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "arn:aws:iam::123456789012:role/aws-session-e2e-hop-1".to_owned());
    let assumed = ok(&call(
        &p,
        &[
            "sts",
            "AssumeRole",
            "--param",
            &format!("RoleArn={role}"),
            "--param",
            "RoleSessionName=cli",
            "--param",
            "DurationSeconds=900",
        ],
    ));
    let lines: Vec<&str> = assumed.lines().collect();
    assert_eq!(lines.len(), 2, "{assumed}");
    assert!(
        lines[0].starts_with("AccessKeyId: ****") && lines[1].starts_with("Expiration: 20"),
        "{assumed}"
    );

    // Raw query call, then the typed SQS operations on the queue it made.
    let name = unique("call-queue");
    let created = ok(&call(
        &p,
        &[
            "sqs",
            "CreateQueue",
            "--param",
            &format!("QueueName={name}"),
        ],
    ));
    let queue = element(&created, "QueueUrl");
    let queue_param = format!("QueueUrl={queue}");
    let sent = ok(&call(
        &p,
        &[
            "sqs",
            "SendMessage",
            "--param",
            &queue_param,
            "--param",
            "MessageBody=from the cli",
        ],
    ));
    assert!(
        sent.starts_with("MessageId: ") && sent.contains("\nMD5OfMessageBody: "),
        "{sent}"
    );
    let received: serde_json::Value = serde_json::from_str(&ok(&call(
        &p,
        &["sqs", "ReceiveMessage", "--param", &queue_param, "--json"],
    )))
    .unwrap();
    assert_eq!(
        received["Messages"][0]["Body"], "from the cli",
        "{received}"
    );
    let handle = received["Messages"][0]["ReceiptHandle"].as_str().unwrap();
    let deleted = ok(&call(
        &p,
        &[
            "sqs",
            "DeleteMessage",
            "--param",
            &queue_param,
            "--param",
            &format!("ReceiptHandle={handle}"),
        ],
    ));
    assert_eq!(deleted, "");

    // JSON: a raw CreateTable from --body-file, then the typed PutItem and GetItem.
    let dir = tempfile::tempdir().unwrap();
    let table = unique("call-table");
    let file = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let create = file(
        "create.json",
        format!(
            r#"{{"TableName":"{table}","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{{"AttributeName":"pk","AttributeType":"S"}}],"KeySchema":[{{"AttributeName":"pk","KeyType":"HASH"}}]}}"#
        ),
    );
    assert!(ok(&call(
        &p,
        &["dynamodb", "CreateTable", "--body-file", &create]
    ))
    .contains(&table));
    let put = file(
        "put.json",
        format!(r#"{{"TableName":"{table}","Item":{{"pk":{{"S":"c1"}}}}}}"#),
    );
    assert_eq!(
        ok(&call(&p, &["dynamodb", "PutItem", "--body-file", &put])),
        "{}\n"
    );
    let get = file(
        "get.json",
        format!(r#"{{"TableName":"{table}","Key":{{"pk":{{"S":"c1"}}}}}}"#),
    );
    let item: serde_json::Value = serde_json::from_str(&ok(&call(
        &p,
        &["dynamodb", "GetItem", "--body-file", &get],
    )))
    .unwrap();
    assert_eq!(item["Item"]["pk"]["S"], "c1");

    // SNS, Kinesis and IoT Data.
    let topic_name = unique("call-topic");
    let topic = element(
        &ok(&call(
            &p,
            &[
                "sns",
                "CreateTopic",
                "--param",
                &format!("Name={topic_name}"),
            ],
        )),
        "TopicArn",
    );
    let published = ok(&call(
        &p,
        &[
            "sns",
            "Publish",
            "--param",
            &format!("TopicArn={topic}"),
            "--param",
            "Message=m",
        ],
    ));
    assert!(published.starts_with("MessageId: "), "{published}");
    let stream = unique("call-stream");
    let create = file(
        "stream.json",
        format!(r#"{{"StreamName":"{stream}","ShardCount":1}}"#),
    );
    ok(&call(
        &p,
        &["kinesis", "CreateStream", "--body-file", &create],
    ));
    let record = ok(&call(
        &p,
        &[
            "kinesis",
            "PutRecord",
            "--param",
            &format!("StreamName={stream}"),
            "--param",
            "PartitionKey=k",
            "--param",
            "Data=bytes",
        ],
    ));
    assert!(
        record.starts_with("ShardId: shardId-") && record.contains("\nSequenceNumber: "),
        "{record}"
    );
    let payload = file("payload.json", r#"{"on":true}"#.to_owned());
    assert_eq!(
        ok(&call(
            &p,
            &[
                "iot-data",
                "Publish",
                "--param",
                "topic=dt/cli",
                "--param",
                "qos=1",
                "--body-file",
                &payload
            ]
        )),
        ""
    );
}

#[test]
#[cfg_attr(
    not(e2e),
    ignore = "end-to-end: needs moto; run scripts/e2e.sh (AWS_SESSION_E2E=1)"
)]
fn call_errors_are_one_line_with_the_decoded_code() {
    let p = peer("MOTO");
    let o = call(
        &p,
        &[
            "sqs",
            "SendMessage",
            "--param",
            &format!("QueueUrl={}/123456789012/no-such-queue", p.endpoint),
            "--param",
            "MessageBody=x",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.contains("NonExistentQueue: The specified queue does not exist"),
        "{e}"
    );
    let missing = format!(
        r#"{{"TableName":"{}","Key":{{"pk":{{"S":"1"}}}}}}"#,
        unique("no-table")
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("get.json");
    std::fs::write(&path, missing).unwrap();
    let o = call(
        &p,
        &["dynamodb", "GetItem", "--body-file", path.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with(
            "aws-session: ResourceNotFoundException: Requested resource not found (HTTP 400"
        ),
        "{}",
        err(&o)
    );
    // A wrong secret: the signature error, decoded.
    let o = aws_session(
        &p,
        "wrongSecretKey0000000000000000000000000000",
        &[
            "call",
            "sts",
            "GetCallerIdentity",
            "--endpoint-url",
            &p.endpoint,
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("SignatureDoesNotMatch"), "{}", err(&o));
    // Usage: an unknown service, a parameter without `=`.
    let o = call(&p, &["nosuch", "Op"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("does not know the protocol of service \"nosuch\""),
        "{}",
        err(&o)
    );
    let o = call(&p, &["sqs", "SendMessage", "--param", "QueueUrl"]);
    assert!(err(&o).contains("is not NAME=VALUE"), "{}", err(&o));
}
