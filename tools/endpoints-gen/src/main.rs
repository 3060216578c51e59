//! `aws-session-endpoints-gen ENDPOINTS_JSON OUT_RS`: writes core's endpoint tables.

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: aws-session-endpoints-gen ENDPOINTS_JSON OUT_RS");
        return std::process::ExitCode::from(2);
    };
    let json = match std::fs::read_to_string(input) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("cannot read {input}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let (all, kept) = aws_session_endpoints_gen::counts(&json);
    if let Err(e) = std::fs::write(output, aws_session_endpoints_gen::generate(&json)) {
        eprintln!("cannot write {output}: {e}");
        return std::process::ExitCode::FAILURE;
    }
    eprintln!("{output}: {kept} of {all} endpoint entries kept");
    std::process::ExitCode::SUCCESS
}
