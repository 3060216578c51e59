//! STS `GetCallerIdentity`, signed and sent over HTTPS, with the session loaded the way the Go v1
//! SDK loads one: environment variables, then `~/.aws/config` and `~/.aws/credentials`.
//!
//! `cargo run -p aws-session-examples --example sts_std` (needs credentials and network).

use aws_session_core::session::Options;
use aws_session_std::{load, StdPlatform};

fn main() -> Result<(), Box<dyn core::error::Error>> {
    let loaded = load(&Options::default())?;
    let client = loaded.session().client("sts")?;
    let mut request = client.form_request(
        "GetCallerIdentity",
        "Action=GetCallerIdentity&Version=2011-06-15",
    )?;
    client.send(&mut request, &mut StdPlatform::new(loaded.session())?)?;
    println!("GetCallerIdentity: HTTP {}", request.response.status());
    Ok(())
}
