//! A client made from a session signs a DynamoDB `PutItem` through the handler pipeline. The
//! transport here only records the exchange, so nothing leaves the machine.

use aws_session_core::config::{Config, ExplicitCredentials};
use aws_session_core::credentials::Credentials;
use aws_session_core::handlers::{run_blocking, Pipeline};
use aws_session_core::http::{Body, Method};
use aws_session_core::session::{Options, Session};
use aws_session_core::test_util::{
    FakeClock, FakeEntropy, FakeTransport, MemEnv, MemFiles, RecordingSleep, Reply,
};

fn main() -> Result<(), Box<dyn core::error::Error>> {
    let mut options = Options::default();
    options.config.credentials = Some(ExplicitCredentials::Static(Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
    )?));
    let env = MemEnv::new(&[("AWS_REGION", "eu-west-1")]);
    let files = MemFiles::new(&[]);
    let session = Session::new(&options, &env, &files).map_err(|e| e.to_string())?;
    let client = session.client("dynamodb", &Config::default())?;
    println!("endpoint: {}", client.endpoint()?.url);

    let mut request = client.request("PutItem");
    request.http.set_method(Method::Post);
    request
        .http
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.0")?;
    request
        .http
        .headers_mut()
        .insert("x-amz-target", "DynamoDB_20120810.PutItem")?;
    request
        .http
        .set_body(Body::Bytes(br#"{"TableName":"t","Item":{"pk":{"S":"1"}}}"#));

    let script = [Reply::status(200)];
    let mut transport = FakeTransport::new(&script);
    run_blocking(
        Pipeline::new(client.handlers(), &mut request),
        &mut transport,
        &FakeClock::at(1_440_938_160),
        &mut RecordingSleep::new(),
        &mut FakeEntropy::new(0),
    )?;
    println!(
        "{} {}{}",
        request.http.method(),
        request.http.host(),
        request.http.target()
    );
    for (name, value) in request.http.headers().iter() {
        println!("{name}: {value}");
    }
    Ok(())
}
