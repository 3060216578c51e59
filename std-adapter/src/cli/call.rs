//! `aws-session call SERVICE OPERATION [--param NAME=VALUE]… [--body-file F] [--json]`: one
//! operation through a session client, with core's typed operations (`aws_session_core::ops`)
//! where there is one and the raw escape hatch (`ops::raw`) otherwise.
//!
//! * Typed operations print their output, one `Name: value` line each (or one JSON object with
//!   `--json`): STS `GetCallerIdentity`, `AssumeRole` (the masked access key id and expiry; the secret is
//!   never printed — `aws-session credentials` is the one command that does), SQS `SendMessage`,
//!   `ReceiveMessage`, `DeleteMessage`, SNS `Publish`, Kinesis `PutRecord` (`Data` is the
//!   `--body-file` bytes or the `Data` parameter's text) and IoT Data `Publish` (`topic`, `qos`,
//!   the payload from `--body-file`). DynamoDB `GetItem`, `PutItem` and `Query` take their JSON
//!   from `--body-file` and print the answer's JSON. S3 `HeadObject`, `PutObject` (the object
//!   from `--body-file`), `DeleteObject`, `GetObject` (the object written to the output as it
//!   streams in; `--param Range=FIRST-LAST`) and `ListObjectsV2` (one page) take `Bucket` and
//!   `Key` parameters.
//! * `s3 PutObject` with a regular `--body-file` streams it, in constant memory whatever its size
//!   (`aws_session_core::ops::s3::put_object_streaming`): an aws-chunked body
//!   (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`) of [`PUT_CHUNK_LEN`] chunks, each signed as it is
//!   read, its length taken from the file's metadata, signed with the session's credentials at
//!   the system clock plus the session's clock-skew offset. It is one exchange outside the
//!   handler pipeline, so it is not retried. Any other `--body-file` — a pipe, `/dev/stdin` —
//!   is read whole, at most [`MAX_PIPED_BODY_LEN`] bytes waiting at most
//!   [`SPECIAL_FILE_WAIT`](crate::limits::SPECIAL_FILE_WAIT) for each piece (as `curl
//!   --data-file`), and sent through the pipeline as other operations are; so are the bodies of
//!   every other operation, a regular file read whole.
//! * Any other operation is a raw call, by the service's protocol ([`SERVICES`]): query services
//!   send `Action=OPERATION&Version=…` and the parameters as form fields (a `Version` parameter
//!   replaces the table's); JSON services send `--body-file` (else `{}`) with
//!   `X-Amz-Target: PREFIX.OPERATION`; REST services send `--param path=/…` (required: path and
//!   query, percent-encoded as sent) with `--param method=…` (default `GET`, `POST` with a body)
//!   and `--body-file` as the body. The answer body is written as it came.
//! * An error answer is one line on stderr, the decoded code and message (`aws-session:
//!   QueueDoesNotExist: The specified queue does not exist. (HTTP 400, request id …)`), exit 1.

use std::fs::File;
use std::io::{Read, Write};
use std::path::PathBuf;

use aws_session_core::client::Client;
use aws_session_core::config::Config;
use aws_session_core::credentials::sts::AssumeRoleParams;
use aws_session_core::credentials::Credentials;
use aws_session_core::handlers::Request;
use aws_session_core::http::{Method, ResponseHead};
use aws_session_core::ops::{self, raw::RawCall, Value};
use aws_session_core::platform::{Clock as _, Transport as _};
use aws_session_core::protocol::Protocol;
use aws_session_core::text::Escaped;
use clap::Args;

use super::CliError;
use crate::bounded_read::{open_body, Opened, ReadLimit};
use crate::limits::MAX_PIPED_BODY_LEN;
use crate::load::LoadedSession;
use crate::{StdPlatform, SystemClock};

/// Largest answer read (a full SQS `ReceiveMessage` of ten 256 KiB messages is 2.5 MiB).
const MAX_ANSWER: usize = 4 * 1024 * 1024;

/// The payload bytes of each aws-chunked chunk of a streamed `s3 PutObject` (64 KiB, the chunk
/// size of the AWS SDKs): with the transport's buffers, the whole of the upload's memory.
const PUT_CHUNK_LEN: usize = 64 * 1024;

/// `aws-session call` arguments.
#[derive(Args, Debug)]
pub(super) struct CallArgs {
    /// Service: one of the table in `aws-session call --help` (sts, sqs, sns, iam, ec2,
    /// dynamodb, kinesis, kms, logs, iot-data, lambda, s3, …).
    #[arg(value_name = "SERVICE")]
    service: String,
    /// Operation name as in the API reference (GetCallerIdentity, SendMessage, PutItem, …).
    #[arg(value_name = "OPERATION")]
    operation: String,
    /// A parameter (repeatable): a typed operation's input, a query form field, or `path` /
    /// `method` of a REST call.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// The request body: JSON of a JSON service, the payload of IoT Data `Publish`, Kinesis
    /// `Data`, the object of S3 `PutObject` (a regular file is streamed at any size), or the
    /// body of a REST call. A pipe or `/dev/stdin` is read whole, at most 16 MiB.
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// Print a typed operation's output as one JSON object.
    #[arg(long)]
    json: bool,
    /// Region (beats the session's).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Endpoint URL (beats the session's and the endpoint model).
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// Profile to use (Go v1 Options.Profile: beats AWS_PROFILE).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

impl CallArgs {
    /// The `--profile` option.
    pub(super) fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }
}

/// A service `call` knows: its name on the command line, the client's service id, its protocol
/// and its API version (query) or target prefix (JSON).
struct Service {
    name: &'static str,
    id: &'static str,
    protocol: Protocol,
    api: &'static str,
}

const fn svc(
    name: &'static str,
    id: &'static str,
    protocol: Protocol,
    api: &'static str,
) -> Service {
    Service {
        name,
        id,
        protocol,
        api,
    }
}

/// The services `call` knows and how they are spoken.
const SERVICES: &[Service] = &[
    svc("sts", "sts", Protocol::Query, ops::sts::VERSION),
    svc("sqs", "sqs", Protocol::Query, ops::sqs::VERSION),
    svc("sns", "sns", Protocol::Query, ops::sns::VERSION),
    svc("iam", "iam", Protocol::Query, "2010-05-08"),
    svc(
        "cloudformation",
        "cloudformation",
        Protocol::Query,
        "2010-05-15",
    ),
    svc("monitoring", "monitoring", Protocol::Query, "2010-08-01"),
    svc("ec2", "ec2", Protocol::Ec2Query, "2016-11-15"),
    svc(
        "dynamodb",
        "dynamodb",
        Protocol::Json10,
        ops::dynamodb::TARGET_PREFIX,
    ),
    svc(
        "kinesis",
        "kinesis",
        Protocol::Json11,
        ops::kinesis::TARGET_PREFIX,
    ),
    svc("kms", "kms", Protocol::Json11, "TrentService"),
    svc("logs", "logs", Protocol::Json11, "Logs_20140328"),
    svc("ssm", "ssm", Protocol::Json11, "AmazonSSM"),
    svc(
        "secretsmanager",
        "secretsmanager",
        Protocol::Json11,
        "secretsmanager",
    ),
    svc("iot-data", ops::iot_data::SERVICE, Protocol::RestJson, ""),
    svc(
        "data-ats.iot",
        ops::iot_data::SERVICE,
        Protocol::RestJson,
        "",
    ),
    svc("lambda", "lambda", Protocol::RestJson, ""),
    svc("iot", "iot", Protocol::RestJson, ""),
    svc("s3", "s3", Protocol::RestXml, ""),
];

fn service(name: &str) -> Result<&'static Service, CliError> {
    SERVICES.iter().find(|s| s.name == name).ok_or_else(|| {
        let known: Vec<&str> = SERVICES.iter().map(|s| s.name).collect();
        CliError::failed(format!(
            "call does not know the protocol of service {:?} (known: {})",
            name,
            known.join(", ")
        ))
    })
}

/// The `--param` pairs, in order.
fn params(args: &CallArgs) -> Result<Vec<(String, String)>, CliError> {
    args.params
        .iter()
        .map(|p| {
            p.split_once('=')
                .filter(|(n, _)| !n.is_empty())
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .ok_or_else(|| CliError::failed(format!("--param {p:?} is not NAME=VALUE")))
        })
        .collect()
}

/// The value of parameter `name`, if given.
fn get<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The value of a required parameter.
fn need<'p>(params: &'p [(String, String)], name: &str) -> Result<&'p str, CliError> {
    get(params, name).ok_or_else(|| CliError::failed(format!("--param {name}=… is required")))
}

/// A numeric parameter with a default.
fn number<T: core::str::FromStr>(
    params: &[(String, String)],
    name: &str,
    default: T,
) -> Result<T, CliError> {
    match get(params, name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            CliError::failed(format!("--param {name}={v:?} is not a number in range"))
        }),
    }
}

/// Opens `--body-file`: a regular file open with its length (to stream, or to read whole);
/// anything else read whole within [`MAX_PIPED_BODY_LEN`]; `None` without one.
fn open_body_file(args: &CallArgs) -> Result<Option<Opened>, CliError> {
    let Some(path) = &args.body_file else {
        return Ok(None);
    };
    let limit = ReadLimit::new(MAX_PIPED_BODY_LEN, "MAX_PIPED_BODY_LEN");
    open_body(path, limit)
        .map(Some)
        .map_err(|e| CliError::failed(format!("cannot read --body-file {e}")))
}

/// The whole body of an operation that sends it from memory.
fn whole_body(args: &CallArgs, opened: Option<Opened>) -> Result<Vec<u8>, CliError> {
    match opened {
        None => Ok(Vec::new()),
        Some(Opened::Contents(bytes)) => Ok(bytes),
        Some(Opened::Regular(mut file, len)) => {
            let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            file.read_to_end(&mut bytes).map_err(|e| {
                let path = args
                    .body_file
                    .as_deref()
                    .unwrap_or(std::path::Path::new(""));
                CliError::failed(format!("cannot read --body-file {}: {e}", path.display()))
            })?;
            Ok(bytes)
        }
    }
}

/// Runs the call and prints its output; returns the exit status.
pub(super) fn run(
    loaded: &LoadedSession,
    args: &CallArgs,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let svc = service(&args.service)?;
    let bad = |e: &dyn core::fmt::Display| CliError::failed(e.to_string());
    let mut overrides = Config::new();
    if let Some(region) = &args.region {
        overrides = overrides.with_region(region).map_err(|e| bad(&e))?;
    }
    if let Some(url) = &args.endpoint_url {
        overrides = overrides.with_endpoint(url).map_err(|e| bad(&e))?;
    }
    let client = loaded
        .session()
        .client_with(svc.id, &overrides)
        .map_err(|e| bad(&e))?;
    let params = params(args)?;
    // The request's operation name lives as long as the program.
    let operation: &'static str = Box::leak(args.operation.clone().into_boxed_str());
    let body = match open_body_file(args)? {
        Some(Opened::Regular(file, len)) if (svc.name, operation) == ("s3", "PutObject") => {
            let printer = Printer {
                out,
                json: args.json,
                fields: Vec::new(),
            };
            return put_object_file(loaded, &client, &params, file, len, printer);
        }
        opened => whole_body(args, opened)?,
    };
    let mut form = vec![0u8; 64 * 1024 + body.len().saturating_mul(2)];
    let mut answer = vec![0u8; MAX_ANSWER];
    let mut printer = Printer {
        out,
        json: args.json,
        fields: Vec::new(),
    };
    let build =
        |e: &dyn core::fmt::Display| CliError::failed(format!("cannot build {operation}: {e}"));
    let parse = |e: &dyn core::fmt::Display| {
        CliError::failed(format!("cannot read the {operation} answer: {e}"))
    };
    match (svc.name, operation) {
        ("sts", "GetCallerIdentity") => {
            let mut r = ops::sts::get_caller_identity(&client, &mut form).map_err(|e| build(&e))?;
            send(&client, &mut r, &mut answer, svc.protocol)?;
            let id =
                ops::sts::parse_get_caller_identity(r.response_body()).map_err(|e| parse(&e))?;
            printer.field("Account", id.account);
            printer.field("Arn", id.arn);
            printer.field("UserId", id.user_id);
            printer.finish()
        }
        ("sts", "AssumeRole") => {
            let p = AssumeRoleParams {
                role_arn: need(&params, "RoleArn")?,
                session_name: need(&params, "RoleSessionName")?,
                external_id: get(&params, "ExternalId"),
                serial_number: get(&params, "SerialNumber"),
                token_code: get(&params, "TokenCode"),
                duration_secs: number(&params, "DurationSeconds", 3600)?,
            };
            let mut r = ops::sts::assume_role(&client, &p, &mut form).map_err(|e| build(&e))?;
            send(&client, &mut r, &mut answer, svc.protocol)?;
            let mut creds = Credentials::EMPTY;
            ops::sts::parse_assume_role(r.response_body(), &mut creds).map_err(|e| parse(&e))?;
            // Masked as `configure list` shows keys; the secret and token are never printed.
            printer.text("AccessKeyId", &creds.masked_access_key_id().to_string());
            if let Some(at) = creds.expires.and_then(|t| t.to_datetime().ok()) {
                printer.text("Expiration", &at.to_string());
            }
            printer.finish()
        }
        ("sqs", "SendMessage") => {
            let text = need(&params, "MessageBody")?;
            let mut r =
                ops::sqs::send_message(&client, &mut form, need(&params, "QueueUrl")?, text)
                    .map_err(|e| build(&e))?;
            send(&client, &mut r, &mut answer, svc.protocol)?;
            let sent = ops::sqs::parse_send_message(r.response_body()).map_err(|e| parse(&e))?;
            printer.field("MessageId", sent.message_id);
            printer.field("MD5OfMessageBody", sent.md5_of_body);
            printer.finish()
        }
        ("sqs", "ReceiveMessage") => {
            let max = number(&params, "MaxNumberOfMessages", 1u8)?;
            let wait = number(&params, "WaitTimeSeconds", 0u8)?;
            let mut r = ops::sqs::receive_message(
                &client,
                &mut form,
                need(&params, "QueueUrl")?,
                max,
                wait,
            )
            .map_err(|e| build(&e))?;
            send(&client, &mut r, &mut answer, svc.protocol)?;
            let messages =
                ops::sqs::parse_receive_message(r.response_body()).map_err(|e| parse(&e))?;
            printer.messages(&messages)
        }
        ("sqs", "DeleteMessage") => {
            let mut r = ops::sqs::delete_message(
                &client,
                &mut form,
                need(&params, "QueueUrl")?,
                need(&params, "ReceiptHandle")?,
            )
            .map_err(|e| build(&e))?;
            send(&client, &mut r, &mut answer, svc.protocol)?;
            ops::sqs::parse_delete_message(r.response_body()).map_err(|e| parse(&e))?;
            printer.finish()
        }
        ("sns", "Publish") => {
            let mut r = ops::sns::publish(
                &client,
                &mut form,
                need(&params, "TopicArn")?,
                need(&params, "Message")?,
                get(&params, "Subject"),
            )
            .map_err(|e| build(&e))?;
            send(&client, &mut r, &mut answer, svc.protocol)?;
            let out = ops::sns::parse_publish(r.response_body()).map_err(|e| parse(&e))?;
            printer.field("MessageId", out.message_id);
            printer.finish()
        }
        ("kinesis", "PutRecord") => {
            let stream =
                get(&params, "StreamARN").map_or_else(|| need(&params, "StreamName"), Ok)?;
            let data = if args.body_file.is_some() {
                &body[..]
            } else {
                need(&params, "Data")?.as_bytes()
            };
            let mut r = ops::kinesis::put_record(
                &client,
                &mut form,
                stream,
                need(&params, "PartitionKey")?,
                data,
            )
            .map_err(|e| build(&e))?;
            send(&client, &mut r, &mut answer, svc.protocol)?;
            let out = ops::kinesis::parse_put_record(r.response_body()).map_err(|e| parse(&e))?;
            printer.field("ShardId", out.shard_id);
            printer.field("SequenceNumber", out.sequence_number);
            printer.finish()
        }
        ("iot-data" | "data-ats.iot", "Publish") => {
            let qos = number(&params, "qos", 0u8)?;
            let mut r = ops::iot_data::publish(&client, need(&params, "topic")?, qos, &body)
                .map_err(|e| build(&e))?;
            send(&client, &mut r, &mut answer, svc.protocol)?;
            printer.finish()
        }
        ("dynamodb", "GetItem" | "PutItem" | "Query") => {
            if body.is_empty() {
                return Err(CliError::failed(format!(
                    "{operation} needs its JSON in --body-file"
                )));
            }
            let mut r = ops::dynamodb::call(&client, operation, &body).map_err(|e| build(&e))?;
            send(&client, &mut r, &mut answer, svc.protocol)?;
            let json = ops::dynamodb::parse_answer(r.response_body()).map_err(|e| parse(&e))?;
            writeln!(printer.out, "{json}").map_err(CliError::output)?;
            Ok(0)
        }
        ("s3", "HeadObject" | "GetObject" | "PutObject" | "DeleteObject" | "ListObjectsV2") => {
            s3(&client, operation, &params, &body, &mut answer, printer)
        }
        _ => raw(
            &client,
            svc,
            operation,
            &params,
            &body,
            &mut form,
            &mut answer,
            printer.out,
        ),
    }
}

/// A raw call by the service's protocol; writes the answer body as it came.
#[allow(clippy::too_many_arguments)]
fn raw(
    client: &Client<'_>,
    svc: &Service,
    operation: &'static str,
    params: &[(String, String)],
    body: &[u8],
    form: &mut [u8],
    answer: &mut [u8],
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let build =
        |e: &dyn core::fmt::Display| CliError::failed(format!("cannot build {operation}: {e}"));
    let fields: Vec<(&str, &str)> = params
        .iter()
        .filter(|(n, _)| n != "Version")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let call = match svc.protocol {
        Protocol::Query | Protocol::Ec2Query => RawCall::Query {
            protocol: svc.protocol,
            action: operation,
            version: get(params, "Version").unwrap_or(svc.api),
            params: &fields,
        },
        Protocol::Json10 | Protocol::Json11 => RawCall::Json {
            protocol: svc.protocol,
            target_prefix: svc.api,
            operation,
            body,
        },
        _ => {
            let method = match get(params, "method") {
                Some(m) => parse_method(m)?,
                None if body.is_empty() => Method::Get,
                None => Method::Post,
            };
            RawCall::Rest {
                protocol: svc.protocol,
                method,
                target: need(params, "path")?,
                body,
            }
        }
    };
    let mut r = ops::raw::prepare(client, operation, call, form).map_err(|e| build(&e))?;
    send(client, &mut r, answer, svc.protocol)?;
    out.write_all(r.response_body()).map_err(CliError::output)?;
    if !r.response_body().ends_with(b"\n") && !r.response_body().is_empty() {
        writeln!(out).map_err(CliError::output)?;
    }
    Ok(0)
}

/// The typed S3 operations: `Bucket` and `Key` parameters; `Range` (`first-last`) for
/// `GetObject`, whose object is written to the output as it streams in; the object of
/// `PutObject` from `--body-file`; `Prefix`, `ContinuationToken` and `MaxKeys` for
/// `ListObjectsV2`, which prints one page.
fn s3(
    client: &Client<'_>,
    operation: &'static str,
    params: &[(String, String)],
    body: &[u8],
    answer: &mut [u8],
    mut printer: Printer<'_>,
) -> Result<u8, CliError> {
    use ops::s3;
    let build =
        |e: &dyn core::fmt::Display| CliError::failed(format!("cannot build {operation}: {e}"));
    let parse = |e: &dyn core::fmt::Display| {
        CliError::failed(format!("cannot read the {operation} answer: {e}"))
    };
    let bucket = need(params, "Bucket")?;
    let protocol = Protocol::RestXml;
    if operation == "ListObjectsV2" {
        let max_keys = match get(params, "MaxKeys") {
            Some(_) => Some(number(params, "MaxKeys", 1000u32)?),
            None => None,
        };
        let list = s3::ListObjectsV2 {
            prefix: get(params, "Prefix"),
            continuation_token: get(params, "ContinuationToken"),
            max_keys,
        };
        let mut r = s3::list_objects_v2(client, bucket, &list).map_err(|e| build(&e))?;
        send(client, &mut r, answer, protocol)?;
        let page = s3::parse_list_objects_v2(r.response_body()).map_err(|e| parse(&e))?;
        for (i, o) in page.objects().enumerate() {
            let n = i + 1;
            let key: &'static str = Box::leak(format!("Contents.{n}.Key").into_boxed_str());
            let size: &'static str = Box::leak(format!("Contents.{n}.Size").into_boxed_str());
            printer.field(key, o.key);
            printer.text(size, &o.size.to_string());
        }
        printer.text("IsTruncated", &page.is_truncated.to_string());
        if let Some(token) = page.next_continuation_token {
            printer.field("NextContinuationToken", token);
        }
        return printer.finish();
    }
    let key = need(params, "Key")?;
    match operation {
        "HeadObject" => {
            let mut r = s3::head_object(client, bucket, key).map_err(|e| build(&e))?;
            send(client, &mut r, answer, protocol)?;
            let head = s3::parse_head_object(&r.response).map_err(|e| parse(&e))?;
            printer.text(
                "ContentLength",
                &head.content_length.unwrap_or(0).to_string(),
            );
            if let Some(etag) = head.etag {
                printer.text("ETag", etag);
            }
            if let Some(at) = head.last_modified.and_then(|t| t.to_datetime().ok()) {
                printer.text("LastModified", &at.to_string());
            }
            printer.finish()
        }
        "PutObject" => {
            let mut r = s3::put_object(client, bucket, key, body).map_err(|e| build(&e))?;
            send(client, &mut r, answer, protocol)?;
            let etag = s3::parse_put_object(&r.response).map_err(|e| parse(&e))?;
            printer.text("ETag", etag);
            printer.finish()
        }
        "DeleteObject" => {
            let mut r = s3::delete_object(client, bucket, key).map_err(|e| build(&e))?;
            send(client, &mut r, answer, protocol)?;
            s3::parse_delete_object(&r.response).map_err(|e| parse(&e))?;
            printer.finish()
        }
        _ => {
            let range = match get(params, "Range") {
                None => None,
                Some(text) => Some(parse_range(text)?),
            };
            let mut r = s3::get_object(client, bucket, key, range).map_err(|e| build(&e))?;
            // No response buffer: the object streams from the transport to the output.
            let mut platform =
                StdPlatform::new(client.session()).map_err(|e| CliError::failed(e.to_string()))?;
            if let Err(e) = client.send(&mut r, &mut platform) {
                return Err(CliError::failed(match e.status() {
                    Some(status) => format!("{} (HTTP {status})", e.code()),
                    None => format!("{}: {e:?}", e.code()),
                }));
            }
            s3::parse_get_object(&r.response).map_err(|e| parse(&e))?;
            use aws_session_core::platform::Transport as _;
            let mut chunk = vec![0u8; 64 * 1024];
            loop {
                let n = platform
                    .transport
                    .read_body(&mut chunk)
                    .map_err(|e| CliError::failed(format!("reading the object failed: {e}")))?;
                if n == 0 {
                    break;
                }
                printer
                    .out
                    .write_all(&chunk[..n])
                    .map_err(CliError::output)?;
            }
            Ok(0)
        }
    }
}

/// A regular file as the `embedded_io` reader core's streamed upload reads: at most the length
/// the upload announced (a file that grows meanwhile is cut there; one that shrinks ends the
/// upload as truncated).
struct FileReader(std::io::Take<File>);

impl embedded_io::ErrorType for FileReader {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Read for FileReader {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, embedded_io::ErrorKind> {
        loop {
            match self.0.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(embedded_io::ErrorKind::Other),
            }
        }
    }
}

/// `s3 PutObject` of a regular `--body-file` of `len` bytes, streamed aws-chunked in
/// [`PUT_CHUNK_LEN`] chunks (constant memory); prints the `ETag`. An error answer is one line
/// with S3's decoded code and message.
fn put_object_file(
    loaded: &LoadedSession,
    client: &Client<'_>,
    params: &[(String, String)],
    file: File,
    len: u64,
    mut printer: Printer<'_>,
) -> Result<u8, CliError> {
    use ops::s3;
    let (bucket, key) = (need(params, "Bucket")?, need(params, "Key")?);
    let session = client.session();
    let credentials = crate::credentials::resolve(session)
        .map(|(c, _)| c)
        .map_err(|e| {
            CliError::failed(format!(
                "no credentials to sign with: {}",
                super::configure::why_no_credentials(loaded, &e)
            ))
        })?;
    let now = SystemClock
        .now()
        .map_err(|e| CliError::failed(format!("cannot read the system clock: {e:?}")))?;
    let time = aws_session_core::skew::signing_time(session, now);
    let mut platform = StdPlatform::new(session).map_err(|e| CliError::failed(e.to_string()))?;
    let mut reader = FileReader(file.take(len));
    let object = s3::StreamedObject {
        bucket,
        key,
        body: &mut reader,
        length: len,
    };
    let mut chunk = vec![0u8; PUT_CHUNK_LEN];
    let mut head = ResponseHead::new();
    s3::put_object_streaming(
        client,
        &credentials,
        time,
        object,
        &mut chunk,
        &mut platform.transport,
        &mut head,
    )
    .map_err(|e| CliError::failed(format!("PutObject failed: {e}")))?;
    if !head.is_success() {
        return Err(error_answer(&mut platform, &head, &mut chunk));
    }
    let etag = s3::parse_put_object(&head)
        .map_err(|e| CliError::failed(format!("cannot read the PutObject answer: {e}")))?;
    printer.text("ETag", etag);
    printer.finish()
}

/// The one-line error of an S3 error answer whose body is still in the transport: its code and
/// message decoded from the first `buf.len()` bytes of the body, else the status.
fn error_answer(platform: &mut StdPlatform, head: &ResponseHead, buf: &mut [u8]) -> CliError {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..).filter(|r| !r.is_empty()) {
        match platform.transport.read_body(rest) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    let body = buf.get(..filled).unwrap_or_default();
    let status = head.status();
    CliError::failed(
        match aws_session_core::protocol::decode_error(
            Some(Protocol::RestXml),
            status,
            head.headers(),
            body,
        ) {
            Ok(decoded) => decoded.to_string(),
            Err(_) => format!("PutObject failed (HTTP {status})"),
        },
    )
}

/// A `Range` parameter: `first-last` or `first-`.
fn parse_range(text: &str) -> Result<ops::s3::ByteRange, CliError> {
    let bad = || {
        CliError::failed(format!(
            "--param Range={text:?} is not FIRST-LAST or FIRST-"
        ))
    };
    let (first, last) = text.split_once('-').ok_or_else(bad)?;
    Ok(ops::s3::ByteRange {
        first: first.trim().parse().map_err(|_| bad())?,
        last: match last.trim() {
            "" => None,
            n => Some(n.parse().map_err(|_| bad())?),
        },
    })
}

fn parse_method(m: &str) -> Result<Method, CliError> {
    Method::from_name(&m.to_ascii_uppercase())
        .filter(|method| *method != Method::Options)
        .ok_or_else(|| {
            CliError::failed(format!(
                "--param method={m:?} is not a method call can send"
            ))
        })
}

/// Sends `r` with the session's platform, the answer going into `buf`; a failure is one line with
/// the decoded code and message.
fn send<'a>(
    client: &Client<'_>,
    r: &mut Request<'a>,
    buf: &'a mut [u8],
    protocol: Protocol,
) -> Result<(), CliError> {
    r.set_response_buffer(buf);
    let mut platform =
        StdPlatform::new(client.session()).map_err(|e| CliError::failed(e.to_string()))?;
    let Err(e) = client.send(r, &mut platform) else {
        return Ok(());
    };
    Err(CliError::failed(match r.service_error(Some(protocol)) {
        Some(Ok(decoded)) => decoded.to_string(),
        Some(Err(_)) | None => match e.status() {
            Some(status) => format!("{} (HTTP {status})", e.code()),
            None => format!("{}: {e:?}", e.code()),
        },
    }))
}

/// Prints a typed output: `Name: value` lines, or one JSON object.
struct Printer<'o> {
    out: &'o mut dyn Write,
    json: bool,
    fields: Vec<(&'static str, String)>,
}

impl Printer<'_> {
    fn field(&mut self, name: &'static str, value: Value<'_>) {
        self.fields.push((name, value.to_string()));
    }

    fn text(&mut self, name: &'static str, value: &str) {
        self.fields.push((name, value.to_owned()));
    }

    fn object(fields: &[(&'static str, String)]) -> serde_json::Value {
        let map = fields
            .iter()
            .map(|(n, v)| ((*n).to_owned(), serde_json::Value::String(v.clone())))
            .collect();
        serde_json::Value::Object(map)
    }

    fn finish(self) -> Result<u8, CliError> {
        let written = if self.json {
            writeln!(self.out, "{}", Self::object(&self.fields))
        } else {
            self.fields
                .iter()
                .try_for_each(|(n, v)| writeln!(self.out, "{n}: {}", Escaped(v)))
        };
        written.map_err(CliError::output)?;
        Ok(0)
    }

    fn messages(self, messages: &[ops::sqs::Message<'_>]) -> Result<u8, CliError> {
        let each = |m: &ops::sqs::Message<'_>| {
            [
                ("MessageId", m.message_id.to_string()),
                ("ReceiptHandle", m.receipt_handle.to_string()),
                ("Body", m.body.to_string()),
            ]
        };
        let written = if self.json {
            let list: Vec<serde_json::Value> =
                messages.iter().map(|m| Self::object(&each(m))).collect();
            writeln!(self.out, "{}", serde_json::json!({ "Messages": list }))
        } else {
            messages.iter().enumerate().try_for_each(|(i, m)| {
                each(m).iter().try_for_each(|(n, v)| {
                    writeln!(self.out, "Messages.{}.{n}: {}", i + 1, Escaped(v))
                })
            })
        };
        written.map_err(CliError::output)?;
        Ok(0)
    }
}
