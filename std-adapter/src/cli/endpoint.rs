//! `aws-session endpoint SERVICE`: how the session would reach a service — the client's
//! resolved endpoint (Go v1 `Session.ClientConfig`): URL, signing region and name, partition.

use std::io::Write;

use aws_session_core::config::Config;

use super::{CliError, EndpointArgs};
use crate::load::LoadedSession;

/// `--json`: one object, fields in this order.
#[derive(serde::Serialize)]
struct Shown<'a> {
    url: &'a str,
    signing_region: &'a str,
    signing_name: &'a str,
    partition: &'a str,
    signing_name_derived: bool,
    resolved_region: &'a str,
}

/// Resolves `args.service` with the session's settings (and `--region`, `--fips`,
/// `--dualstack` on top, as a client's overrides) and prints it.
pub(super) fn print(
    loaded: &LoadedSession,
    args: &EndpointArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut overrides = Config::new();
    let bad = |e: &dyn core::fmt::Display| CliError::failed(e.to_string());
    if let Some(region) = &args.region {
        overrides = overrides.with_region(region).map_err(|e| bad(&e))?;
    }
    if args.fips {
        overrides = overrides
            .with_use_fips_endpoint(true)
            .map_err(|e| bad(&e))?;
    }
    if args.dualstack {
        overrides = overrides
            .with_use_dualstack_endpoint(true)
            .map_err(|e| bad(&e))?;
    }
    // A client names its service for its whole life; this one lives until the program ends.
    let service: &'static str = Box::leak(args.service.clone().into_boxed_str());
    let client = loaded
        .session()
        .client_with(service, &overrides)
        .map_err(|e| bad(&e))?;
    let ep = client
        .endpoint()
        .map_err(|e| CliError::failed(format!("cannot resolve {}: {e}", args.service)))?;
    let written = if args.json {
        let object = Shown {
            url: ep.url(),
            signing_region: ep.signing_region(),
            signing_name: ep.signing_name(),
            partition: ep.partition(),
            signing_name_derived: ep.signing_name_derived(),
            resolved_region: ep.resolved_region(),
        };
        let text = serde_json::to_string(&object)
            .map_err(|e| CliError::failed(format!("cannot write JSON: {e}")))?;
        writeln!(out, "{text}")
    } else {
        writeln!(out, "url            {}", ep.url())
            .and_then(|()| writeln!(out, "signing_region {}", ep.signing_region()))
            .and_then(|()| {
                let derived = if ep.signing_name_derived() {
                    " (derived)"
                } else {
                    ""
                };
                writeln!(out, "signing_name   {}{derived}", ep.signing_name())
            })
            .and_then(|()| writeln!(out, "partition      {}", ep.partition()))
    };
    written.map_err(CliError::output)
}
