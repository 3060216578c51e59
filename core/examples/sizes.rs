//! Prints the sizes of the main session types (see docs/performance.md).
fn main() {
    use aws_session_core::*;
    use core::mem::size_of;
    println!("Session {}", size_of::<session::Session>());
    println!("  SessionConfig {}", size_of::<config::SessionConfig>());
    println!(
        "  CredentialPlan {}",
        size_of::<credentials::CredentialPlan>()
    );
    println!("  Handlers {}", size_of::<handlers::Handlers>());
    println!("Options {}", size_of::<session::Options>());
    println!("SharedConfig {}", size_of::<config::shared::SharedConfig>());
    println!("Credentials {}", size_of::<credentials::Credentials>());
    println!("Client {}", size_of::<client::Client<'static>>());
    println!("  ClientInfo {}", size_of::<client::ClientInfo>());
}
