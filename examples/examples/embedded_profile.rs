//! A session built the way firmware builds one: the shared config text is provisioned (here a
//! constant; on a device, flash) and the "environment" is a constant table. Each is one small
//! platform trait. Every resolved value is printed with where it came from.

use core::convert::Infallible;

use aws_session_core::config::{FileKind, ProfileFile};
use aws_session_core::platform::{Environment, ProfileSource};
use aws_session_core::session::{Options, Session};

/// The device's provisioned profile, in `~/.aws/config` syntax.
const PROVISIONED: &str = "\
[default]
region = eu-west-1

[profile sensor]
region = eu-central-1
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
sts_regional_endpoints = regional
";

/// Build-time settings standing in for environment variables.
struct ConstEnv(&'static [(&'static str, &'static str)]);

impl Environment for ConstEnv {
    type Error = Infallible;
    fn var(&self, name: &str) -> Result<Option<&str>, Infallible> {
        Ok(self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
    }
}

/// One provisioned file.
struct Provisioned;

impl ProfileSource for Provisioned {
    type Error = Infallible;
    fn file_count(&self) -> usize {
        1
    }
    fn file(&self, index: usize) -> Result<Option<ProfileFile<'_>>, Infallible> {
        Ok((index == 0).then_some(ProfileFile {
            path: "flash:/aws/config",
            kind: FileKind::Config,
            text: PROVISIONED,
        }))
    }
}

fn main() {
    let env = ConstEnv(&[
        ("AWS_PROFILE", "sensor"),
        ("AWS_SDK_LOAD_CONFIG", "1"),
        ("AWS_USE_FIPS_ENDPOINT", "false"),
    ]);
    let session = match Session::new(&Options::default(), &env, &Provisioned) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("aws-session: {e}");
            std::process::exit(1);
        }
    };
    let c = session.config();
    let p = &c.provenance;
    println!("{:<24} {:<28} source", "name", "value");
    println!(
        "{:<24} {:<28} {}",
        "profile",
        c.profile.value,
        p.display_long(c.profile.source)
    );
    if let Some(r) = &c.region {
        println!(
            "{:<24} {:<28} {}",
            "region",
            r.value,
            p.display_long(r.source)
        );
    }
    println!(
        "{:<24} {:<28} {}",
        "sts_regional_endpoints",
        c.sts_regional_endpoint.value,
        p.display_long(c.sts_regional_endpoint.source)
    );
    println!(
        "{:<24} {:<28} {}",
        "use_fips_endpoint",
        c.use_fips_endpoint.value,
        p.display_long(c.use_fips_endpoint.source)
    );
    let creds = session.credentials();
    if let Some(k) = creds.static_credentials() {
        println!(
            "{:<24} {:<28} {}",
            "access_key",
            k.masked_access_key_id().to_string(),
            p.display_long(creds.source())
        );
    }
    println!(
        "{:<24} {:<28}",
        "credential provider",
        creds.provider().name()
    );
}
