//! A client made from a session signs a DynamoDB `PutItem` through the handler pipeline. The
//! platform here is core's in-memory fakes, so nothing leaves the machine.

use aws_session_core::config::Config;
use aws_session_core::credentials::Credentials;
use aws_session_core::http::Body;
use aws_session_core::platform::Bundle;
use aws_session_core::session::{Options, Session};
use aws_session_core::test_util::{
    FakeClock, FakeEntropy, FakeTransport, MemEnv, MemFiles, RecordingSleep, Reply,
};

fn main() -> Result<(), Box<dyn core::error::Error>> {
    let keys = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
    )?;
    let options = Options {
        config: Config::new().with_credentials(keys),
        ..Options::default()
    };
    let (env, files) = (
        MemEnv::new(&[("AWS_REGION", "eu-west-1")]),
        MemFiles::new(&[]),
    );
    let session = Session::new(&options, &env, &files)?;
    let client = session.client("dynamodb")?;
    println!("endpoint: {}", client.endpoint()?);

    let mut request = client.request("PutItem");
    let headers = request.http.headers_mut();
    headers.insert("content-type", "application/x-amz-json-1.0")?;
    headers.insert("x-amz-target", "DynamoDB_20120810.PutItem")?;
    request
        .http
        .set_method(aws_session_core::http::Method::Post);
    request
        .http
        .set_body(Body::Bytes(br#"{"TableName":"t","Item":{"pk":{"S":"1"}}}"#));

    let replies = [Reply::status(200)];
    let mut platform = Bundle {
        transport: FakeTransport::new(&replies),
        clock: FakeClock::at(1_440_938_160),
        sleep: RecordingSleep::new(),
        entropy: FakeEntropy::new(0),
    };
    client.send(&mut request, &mut platform)?;
    let http = &request.http;
    println!("{} {}{}", http.method(), http.host(), http.target());
    for (name, value) in http.headers().iter() {
        println!("{name}: {value}");
    }
    Ok(())
}
