//! One session shared by 8 threads: each makes clients (with per-client overrides and handlers),
//! copies the session, and runs signed requests through the pipeline. Go v1 documents a session
//! as safe for concurrent use once created; here that is `Send + Sync` checked by the compiler and
//! exercised by real threads.

use core::sync::atomic::{AtomicUsize, Ordering};

use aws_session_core::client::Client;
use aws_session_core::config::{Config, ExplicitCredentials};
use aws_session_core::credentials::Credentials;
use aws_session_core::handlers::{run_blocking, Handlers, NamedHandler, Pipeline, Request};
use aws_session_core::session::{Options, Session};
use aws_session_core::test_util::{
    FakeClock, FakeEntropy, FakeTransport, MemEnv, MemFiles, RecordingSleep, Reply,
};
use aws_session_core::text::{text, Field};

fn assert_send_sync<T: Send + Sync>() {}

static COMPLETES: AtomicUsize = AtomicUsize::new(0);
fn count_complete(_: &mut Request<'_>) {
    COMPLETES.fetch_add(1, Ordering::Relaxed);
}

const REGIONS: [&str; 8] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-south-1",
    "sa-east-1",
    "ca-central-1",
    "ap-northeast-1",
];

#[test]
fn one_session_eight_threads() {
    assert_send_sync::<Session>();
    assert_send_sync::<Client>();
    assert_send_sync::<Handlers>();

    let mut handlers = Handlers::with_core_defaults().unwrap();
    handlers
        .complete
        .push_back_named(NamedHandler::new("test.count", count_complete))
        .unwrap();
    let mut opts = Options {
        handlers: Some(&handlers),
        ..Options::default()
    };
    opts.config.credentials = Some(ExplicitCredentials::Static(
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
        )
        .unwrap(),
    ));
    let env = MemEnv::new(&[("AWS_REGION", "us-east-1")]);
    let files = MemFiles::new(&[]);
    let session = Session::new(&opts, &env, &files).unwrap();
    let session_send_len = session.handlers().send.len();

    const PER_THREAD: usize = 25;
    std::thread::scope(|scope| {
        for (i, region) in REGIONS.iter().enumerate() {
            let session = &session;
            scope.spawn(move || {
                let overrides = Config {
                    region: Some(text(region, Field::Region).unwrap()),
                    ..Config::default()
                };
                let mut client = session.client_with("dynamodb", &overrides).unwrap();
                client.handlers_mut().send.push_back(|_| {}).unwrap();
                assert_eq!(
                    client.endpoint().unwrap().url(),
                    format!("https://dynamodb.{region}.amazonaws.com")
                );
                let copy = session.copy_with(&overrides);
                assert_eq!(
                    copy.config().region.as_ref().unwrap().value.as_str(),
                    *region
                );
                let script = [Reply::status(200)];
                for n in 0..PER_THREAD {
                    let mut request = client.request("PutItem");
                    request
                        .http
                        .set_body(aws_session_core::http::Body::Bytes(b"{}"));
                    let mut transport = FakeTransport::new(&script);
                    let result = run_blocking(
                        Pipeline::new(client.handlers(), &mut request),
                        &mut transport,
                        &FakeClock::at(1_440_938_160 + (i * PER_THREAD + n) as u64),
                        &mut RecordingSleep::new(),
                        &mut FakeEntropy::new(7),
                    );
                    assert_eq!(result, Ok(()));
                    let auth = request.http.headers().get("authorization").unwrap();
                    assert!(
                        auth.contains(&format!("/{region}/dynamodb/aws4_request")),
                        "{auth}"
                    );
                }
            });
        }
    });
    assert_eq!(
        COMPLETES.load(Ordering::Relaxed),
        REGIONS.len() * PER_THREAD
    );
    assert_eq!(
        session.handlers().send.len(),
        session_send_len,
        "clients' handler changes stay in the clients"
    );
    assert_eq!(
        session.config().region.as_ref().unwrap().value.as_str(),
        "us-east-1"
    );
}
