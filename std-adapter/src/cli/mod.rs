//! The `aws-session` command-line tool.
//!
//! ```text
//! aws-session configure list [--profile NAME] [--shared-config enable|disable] [--all] [--json]
//! aws-session sign    --service SVC [--region R] [--profile P] [--time YYYYMMDDTHHMMSSZ]
//!                     [--sigv4a | --region-set SET] [-X METHOD] [-H 'Name: value']...
//!                     [--data STRING | --data-file PATH] [--unsigned-payload] URL
//! aws-session presign --service SVC [--region R] [--profile P] [--time T] [--sigv4a | --region-set SET]
//!                     [--expires SECS] [-X METHOD] URL
//! aws-session curl    (the options of sign) [-i] [--fail] URL
//! aws-session credentials [--profile P] [--format process|json|env]
//! aws-session call    SERVICE OPERATION [--param NAME=VALUE]... [--body-file F] [--json]
//!                     [--region R] [--endpoint-url URL] [--profile P]
//! aws-session device image [--profile P] (--board BOARD | --write-size N --erase-size N --size N)
//!                     -o FILE
//! ```
//!
//! `device image` writes a flash-store image of a profile for a device (see the README's
//! provisioning runbook): the profile and its `source_profile` profiles, the profile selected.
//!
//! `credentials` resolves the session's credentials (running assume-role, web identity, SSO,
//! container, instance-metadata or `credential_process` providers as the session says) and prints
//! them for another tool, as `aws configure export-credentials` does: `process` is the
//! `credential_process` Version 1 JSON, `json` the same object with the provider's name, `env`
//! `export` lines. It is the one command that prints a secret.
//!
//! `--sigv4a` signs with SigV4a (`AWS4-ECDSA-P256-SHA256`) for the region set `--region-set`
//! (which implies `--sigv4a`), by default the session's (`AWS_SIGV4A_SIGNING_REGION_SET`,
//! profile `sigv4a_signing_region_set`) or else the region; the region set is signed as
//! `X-Amz-Region-Set` (a header, or a query parameter of a presigned URL).
//!
//! `curl` sends through core's retry handlers (Go v1's default retryer: up to `max_retries` + 1
//! attempts, 4 by default) and connects to the URL's host even when `-H 'Host: …'` names another
//! (that header is signed and sent, as curl does). A header the signer writes replaces a `-H` header
//! of the same name. Every value written to the terminal goes through one escaping
//! (`aws_session_core::text::Escaped`): control characters never reach it.
//!
//! Exit status: 0 on success; 1 when the session cannot be created or a request cannot be signed
//! or sent; 2 for a usage error; 22 for `curl --fail` when the server answers with a status of
//! 400 or more (as curl does). Every error is one line on stderr and never holds a secret.
//!
//! [`run`] is the whole program with its inputs passed in (arguments, environment snapshot,
//! output streams), so it can be tested without a process.

mod call;
mod configure;
mod curl;
mod device;
mod endpoint;
mod request;

use std::ffi::OsString;
use std::fmt;
use std::io::Write;

use aws_session_core::config::SharedConfigState;
use aws_session_core::session::{Options, TokenProvider};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::env::StdEnv;
use crate::files::HomeResolver;
use crate::load::{load_with, LoadedSession};

/// Exit status for a usage error.
pub const EXIT_USAGE: u8 = 2;
/// Exit status for any other failure.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status of `curl --fail` when the server answered with a status of 400 or more.
pub const EXIT_HTTP_ERROR: u8 = 22;

#[derive(Parser, Debug)]
#[command(
    name = "aws-session",
    version,
    about = "Show the AWS session your environment and ~/.aws files produce, and sign requests with it",
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Inspect the session configuration.
    Configure {
        #[command(subcommand)]
        action: ConfigureAction,
    },
    /// Print a request signed with SigV4 or SigV4a (request line and headers) without sending it.
    Sign(SignArgs),
    /// Print a presigned URL.
    Presign(PresignArgs),
    /// Sign a request, send it, and write the response body to stdout.
    Curl(CurlArgs),
    /// Resolve the session's credentials and print them, secret included, for another tool.
    Credentials(CredentialsArgs),
    /// Print how the session would reach a service: URL, signing region and name, partition.
    Endpoint(EndpointArgs),
    /// Call one operation of a service (typed where core has it, raw otherwise) and print the answer.
    Call(call::CallArgs),
    /// Prepare a device: write a flash-store image of a profile for the firmware.
    Device {
        #[command(subcommand)]
        action: DeviceAction,
    },
}

#[derive(Subcommand, Debug)]
enum DeviceAction {
    /// Write a profile store image (the profile, its source profiles, selected as active) for a
    /// board's flash; a flasher writes it at the store's partition.
    Image(device::ImageArgs),
}

#[derive(Args, Debug)]
struct EndpointArgs {
    /// Service id, the endpoint prefix of the endpoint model (sts, s3, iam, runtime.sagemaker).
    #[arg(value_name = "SERVICE")]
    service: String,
    /// Region (beats the session's).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Use the FIPS endpoint.
    #[arg(long)]
    fips: bool,
    /// Use the dual-stack endpoint.
    #[arg(long)]
    dualstack: bool,
    /// Profile to use (Go v1 Options.Profile: beats AWS_PROFILE).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Print one JSON object (url, signing_region, signing_name, partition).
    #[arg(long)]
    json: bool,
}

/// `credentials --format`.
#[derive(ValueEnum, Clone, Copy, Debug, Default)]
enum CredentialsFormat {
    /// The credential_process Version 1 JSON object.
    #[default]
    Process,
    /// The same object with the provider's name.
    Json,
    /// `export NAME=value` lines for a POSIX shell.
    Env,
}

#[derive(Args, Debug)]
struct CredentialsArgs {
    /// Profile to use (Go v1 Options.Profile: beats AWS_PROFILE and environment keys).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "process")]
    format: CredentialsFormat,
}

#[derive(Subcommand, Debug)]
enum ConfigureAction {
    /// Show profile, region and credentials, each with where it came from.
    List(ListArgs),
}

/// `--shared-config`: Go v1 `SharedConfigState`.
#[derive(ValueEnum, Clone, Copy, Debug)]
enum SharedConfigArg {
    /// Read ~/.aws/config (as AWS_SDK_LOAD_CONFIG=1 would).
    Enable,
    /// Never read ~/.aws/config.
    Disable,
}

#[derive(Args, Debug)]
struct ListArgs {
    /// Profile to use (Go v1 Options.Profile: beats AWS_PROFILE and environment keys).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Whether ~/.aws/config is read (default: AWS_SDK_LOAD_CONFIG decides).
    #[arg(long, value_name = "STATE")]
    shared_config: Option<SharedConfigArg>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Also list every setting of the session, set or not, with its source.
    #[arg(long)]
    all: bool,
}

/// What every signing command (`sign`, `presign`, `curl`) takes: the signature's scope.
#[derive(Args, Debug)]
struct ScopeArgs {
    /// Service signing name (s3, sts, dynamodb, sqs, ...).
    #[arg(long, value_name = "SVC")]
    service: String,
    /// Region of the signature (default: the session's region).
    #[arg(long, value_name = "R")]
    region: Option<String>,
    /// Profile to use (Go v1 Options.Profile).
    #[arg(long, value_name = "P")]
    profile: Option<String>,
    /// Signing time instead of the clock, as YYYYMMDDTHHMMSSZ.
    #[arg(long, value_name = "YYYYMMDDTHHMMSSZ")]
    time: Option<String>,
    /// Sign with SigV4a (AWS4-ECDSA-P256-SHA256): one signature valid in every region of the
    /// region set (default: AWS_SIGV4A_SIGNING_REGION_SET or the profile's
    /// sigv4a_signing_region_set, else the region).
    #[arg(long)]
    sigv4a: bool,
    /// SigV4a region set: '*', 'us-*' or 'us-east-1,us-west-2' (implies --sigv4a).
    #[arg(long, value_name = "SET")]
    region_set: Option<String>,
}

/// What `sign` and `curl` share.
#[derive(Args, Debug)]
struct SignArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// HTTP method (default: GET, or POST when a body is given).
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    method: Option<String>,
    /// A header to send and sign, as 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "'Name: value'")]
    headers: Vec<String>,
    /// Request body.
    #[arg(long, short = 'd', value_name = "STRING", conflicts_with = "data_file")]
    data: Option<String>,
    /// Request body from a file.
    #[arg(long, value_name = "PATH")]
    data_file: Option<std::path::PathBuf>,
    /// Sign with UNSIGNED-PAYLOAD instead of the body's SHA-256.
    #[arg(long)]
    unsigned_payload: bool,
    /// The URL; its path is taken as already percent-encoded.
    #[arg(value_name = "URL")]
    url: String,
}

#[derive(Args, Debug)]
struct PresignArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// Seconds the URL stays valid (1 to 604800).
    #[arg(long, value_name = "SECS", default_value_t = 3600, allow_negative_numbers = true,
          value_parser = parse_expires)]
    expires: u32,
    /// HTTP method the URL is for.
    #[arg(
        short = 'X',
        long = "request",
        value_name = "METHOD",
        default_value = "GET"
    )]
    method: String,
    /// The URL; its path is taken as already percent-encoded.
    #[arg(value_name = "URL")]
    url: String,
}

/// `--expires`: whole seconds in 1..=[`MAX_PRESIGN_EXPIRES_SECS`] (seven days), the range SigV4
/// accepts; a negative or huge number gets the same message.
fn parse_expires(text: &str) -> Result<u32, String> {
    let max = aws_session_core::limits::MAX_PRESIGN_EXPIRES_SECS;
    let range = format!("expected whole seconds from 1 to {max} (7 days)");
    match text.trim().parse::<i128>() {
        Ok(n) => u32::try_from(n)
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| format!("{n} is out of range: {range}")),
        Err(_) => Err(format!("not a number: {range}")),
    }
}

#[derive(Args, Debug)]
struct CurlArgs {
    #[command(flatten)]
    sign: SignArgs,
    /// Print the response status line and headers before the body.
    #[arg(short = 'i', long = "include")]
    include: bool,
    /// Exit with status 22, printing no body, when the response status is 400 or more.
    #[arg(long)]
    fail: bool,
}

/// A failure: the one line for stderr and the exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    message: String,
    code: u8,
}

impl CliError {
    /// A failure with exit status [`EXIT_FAILURE`].
    fn failed(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: EXIT_FAILURE,
        }
    }

    /// Writing to stdout failed (for example a closed pipe).
    fn output(e: std::io::Error) -> Self {
        CliError::failed(format!("cannot write output: {e}"))
    }

    /// The exit status.
    pub fn code(&self) -> u8 {
        self.code
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, whatever the cause said: control characters (a newline, an escape sequence
        // from a value) are shown escaped.
        write!(f, "{}", aws_session_core::text::Escaped(&self.message))
    }
}

impl core::error::Error for CliError {}

/// Runs the program: parses `args` (the first is the program name), works with `env` as the
/// process environment, writes results to `out` and the error line to `err`, and returns the
/// exit status.
pub fn run<I, T>(args: I, env: StdEnv, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind as K;
            return match e.kind() {
                K::DisplayHelp | K::DisplayVersion => {
                    let _ = write!(out, "{}", e.render());
                    0
                }
                K::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = writeln!(
                        err,
                        "aws-session: a command is required (see aws-session --help)"
                    );
                    EXIT_USAGE
                }
                _ => {
                    // clap's first paragraph, folded onto one line; usage and tips dropped.
                    let text = e.render().to_string();
                    let first: Vec<&str> = text
                        .lines()
                        .map(str::trim)
                        .take_while(|l| !l.is_empty())
                        .collect();
                    let line = first.join(" ");
                    let line = line.strip_prefix("error: ").unwrap_or(&line);
                    let _ = writeln!(
                        err,
                        "aws-session: {} (see aws-session --help)",
                        configure::printable(line)
                    );
                    EXIT_USAGE
                }
            };
        }
    };
    match dispatch(cli, env, out) {
        Ok(code) => code,
        Err(e) => {
            let _ = out.flush();
            let _ = writeln!(err, "aws-session: {e}");
            e.code
        }
    }
}

/// The whole program for `main`: the process arguments, environment and standard streams.
pub fn main() -> std::process::ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = run(
        std::env::args_os(),
        StdEnv::capture(),
        &mut stdout.lock(),
        &mut stderr.lock(),
    );
    std::process::ExitCode::from(code)
}

fn dispatch(cli: Cli, env: StdEnv, out: &mut dyn Write) -> Result<u8, CliError> {
    match cli.command {
        Command::Configure {
            action: ConfigureAction::List(args),
        } => {
            let state = match args.shared_config {
                None => SharedConfigState::FromEnv,
                Some(SharedConfigArg::Enable) => SharedConfigState::Enable,
                Some(SharedConfigArg::Disable) => SharedConfigState::Disable,
            };
            let loaded = open_session(env, args.profile.as_deref(), state)?;
            if args.json {
                configure::print_json(&loaded, args.all, out)?;
            } else {
                configure::print_table(&loaded, args.all, out)?;
            }
            Ok(0)
        }
        Command::Sign(args) => {
            let loaded = open_session(
                env,
                args.scope.profile.as_deref(),
                SharedConfigState::FromEnv,
            )?;
            let prepared = request::prepare(&loaded, &args)?;
            request::print_signed(&prepared, out)?;
            Ok(0)
        }
        Command::Presign(args) => {
            let loaded = open_session(
                env,
                args.scope.profile.as_deref(),
                SharedConfigState::FromEnv,
            )?;
            let url = request::presign(&loaded, &args)?;
            writeln!(out, "{}", configure::printable(&url)).map_err(CliError::output)?;
            Ok(0)
        }
        Command::Curl(args) => {
            let loaded = open_session(
                env,
                args.sign.scope.profile.as_deref(),
                SharedConfigState::FromEnv,
            )?;
            let mut prepared = request::prepare(&loaded, &args.sign)?;
            curl::send(&loaded, &mut prepared, args.include, args.fail, out)
        }
        Command::Credentials(args) => {
            let loaded = open_session(env, args.profile.as_deref(), SharedConfigState::FromEnv)?;
            configure::print_credentials(&loaded, args.format, out)?;
            Ok(0)
        }
        Command::Device {
            action: DeviceAction::Image(args),
        } => {
            // The config file is read whatever AWS_SDK_LOAD_CONFIG says: a device profile
            // usually has its region there.
            let loaded = open_session(env, args.profile(), SharedConfigState::Enable)?;
            device::image(&loaded, &args, out)
        }
        Command::Endpoint(args) => {
            let loaded = open_session(env, args.profile.as_deref(), SharedConfigState::FromEnv)?;
            endpoint::print(&loaded, &args, out)?;
            Ok(0)
        }
        Command::Call(args) => {
            let loaded = open_session(env, args.profile(), SharedConfigState::FromEnv)?;
            call::run(&loaded, &args, out)
        }
    }
}

/// Creates the session as Go v1 `NewSessionWithOptions` would.
fn open_session(
    env: StdEnv,
    profile: Option<&str>,
    state: SharedConfigState,
) -> Result<LoadedSession, CliError> {
    let options = Options {
        profile,
        shared_config_state: state,
        assume_role_token_provider: Some(TokenProvider::new(
            &crate::credentials::terminal_mfa_prompt,
        )),
        ..Options::default()
    };
    load_with(&options, env, &HomeResolver::default()).map_err(|e| CliError::failed(e.to_string()))
}
