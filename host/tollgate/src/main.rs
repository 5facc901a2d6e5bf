//! The `tollgate` binary. Reading order: `cli.rs` (commands) → `listener.rs` (step 1) →
//! `pipeline.rs` (the steps in order) → `gateway.rs` / `stage.rs` (what is served) →
//! `integration/` (steps 9–11) → `gateway_response.rs` (every error's response).

mod access;
mod admin;
mod body;
mod bundled;
mod cli;
mod clock;
mod control;
mod cors;
mod gateway;
mod gateway_response;
mod integration;
mod listener;
mod mapping;
mod metrics;
mod pipeline;
mod request;
mod stage;
mod upstream;
mod validation;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// glibc's malloc was about 5% of a proxied request in the profile (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let filter = EnvFilter::try_from_env("TOLLGATE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    // One JSON object per line for log shippers; human-readable text otherwise.
    if std::env::var("TOLLGATE_LOG_FORMAT").is_ok_and(|format| format == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: starting the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
