//! `aws-session`: show the AWS session your environment and `~/.aws` files produce, and sign
//! requests with it. See `aws_session_std::cli` for the interface.

fn main() -> std::process::ExitCode {
    aws_session_std::cli::main()
}
