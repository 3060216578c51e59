//! The `aws-session` command-line tool (placeholder until the CLI lands).
fn main() {}
