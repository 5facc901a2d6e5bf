//! From runs to results: every run as measured, the summary per peer × scenario ×
//! concurrency (median over rounds), the ratios the issue asks for, the printed tables and
//! the JSON file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::machine::{Machine, Versions};
use crate::peers::PeerKind;
use crate::scenarios::NotRun;
use crate::wrk::WrkResult;

/// One wrk run against one peer.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub round: usize,
    pub scenario: &'static str,
    pub peer: PeerKind,
    pub connections: usize,
    pub wrk: WrkResult,
    /// CPU time of the peer's processes during the run (user + system).
    pub cpu_seconds: f64,
    /// The peak resident set of the peer's processes during the run (summed).
    pub peak_rss_kib: u64,
}

/// The rounds of one peer × scenario × concurrency, summarised.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub scenario: &'static str,
    pub peer: PeerKind,
    pub connections: usize,
    pub rounds: usize,
    pub requests: u64,
    /// Medians over the rounds.
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Total CPU time over total requests, × 10,000.
    pub cpu_seconds_per_10k_requests: f64,
    /// The highest per-run peak.
    pub peak_rss_mib: f64,
    pub errors: u64,
    /// For `direct` the upstream's own CPU and memory; for the others the proxy's.
    pub measured_processes: &'static str,
}

/// One ratio of two summaries at the same concurrency.
#[derive(Debug, Clone, Serialize)]
pub struct Ratio {
    pub name: String,
    pub connections: usize,
    /// Throughput: numerator's requests/s over the denominator's (higher is better for the
    /// numerator).
    pub throughput: f64,
    /// p99 latency: numerator's over the denominator's (lower is better for the numerator).
    pub p99: f64,
    /// CPU per request: numerator's over the denominator's.
    pub cpu_per_request: f64,
}

/// A ratio to compute: numerator and denominator as (scenario, peer).
struct RatioSpec {
    name: &'static str,
    numerator: (&'static str, PeerKind),
    denominator: (&'static str, PeerKind),
}

const RATIOS: &[RatioSpec] = &[
    RatioSpec {
        name: "proxy-small tollgate/nginx",
        numerator: ("proxy-small", PeerKind::Tollgate),
        denominator: ("proxy-small", PeerKind::Nginx),
    },
    RatioSpec {
        name: "proxy-small tollgate/envoy",
        numerator: ("proxy-small", PeerKind::Tollgate),
        denominator: ("proxy-small", PeerKind::Envoy),
    },
    RatioSpec {
        name: "proxy-small tollgate/direct",
        numerator: ("proxy-small", PeerKind::Tollgate),
        denominator: ("proxy-small", PeerKind::Direct),
    },
    RatioSpec {
        name: "proxy-small tollgate/hyper",
        numerator: ("proxy-small", PeerKind::Tollgate),
        denominator: ("proxy-small", PeerKind::Hyper),
    },
    RatioSpec {
        name: "proxy-small hyper/nginx",
        numerator: ("proxy-small", PeerKind::Hyper),
        denominator: ("proxy-small", PeerKind::Nginx),
    },
    RatioSpec {
        name: "proxy-small-h2 tollgate/nginx",
        numerator: ("proxy-small-h2", PeerKind::Tollgate),
        denominator: ("proxy-small-h2", PeerKind::Nginx),
    },
    RatioSpec {
        name: "proxy-small-h2 tollgate/envoy",
        numerator: ("proxy-small-h2", PeerKind::Tollgate),
        denominator: ("proxy-small-h2", PeerKind::Envoy),
    },
    RatioSpec {
        name: "proxy-small-h2 tollgate/hyper",
        numerator: ("proxy-small-h2", PeerKind::Tollgate),
        denominator: ("proxy-small-h2", PeerKind::Hyper),
    },
    RatioSpec {
        name: "proxy-64k tollgate/nginx",
        numerator: ("proxy-64k", PeerKind::Tollgate),
        denominator: ("proxy-64k", PeerKind::Nginx),
    },
    RatioSpec {
        name: "proxy-64k tollgate/envoy",
        numerator: ("proxy-64k", PeerKind::Tollgate),
        denominator: ("proxy-64k", PeerKind::Envoy),
    },
    RatioSpec {
        name: "proxy-64k tollgate/direct",
        numerator: ("proxy-64k", PeerKind::Tollgate),
        denominator: ("proxy-64k", PeerKind::Direct),
    },
    RatioSpec {
        name: "proxy-64k tollgate/hyper",
        numerator: ("proxy-64k", PeerKind::Tollgate),
        denominator: ("proxy-64k", PeerKind::Hyper),
    },
    RatioSpec {
        name: "proxy-64k hyper/nginx",
        numerator: ("proxy-64k", PeerKind::Hyper),
        denominator: ("proxy-64k", PeerKind::Nginx),
    },
    RatioSpec {
        name: "tollgate wasm-mapper / tollgate proxy-small",
        numerator: ("wasm-mapper", PeerKind::Tollgate),
        denominator: ("proxy-small", PeerKind::Tollgate),
    },
    RatioSpec {
        name: "tollgate wasm-mapper / envoy-wasm wasm-mapper",
        numerator: ("wasm-mapper", PeerKind::Tollgate),
        denominator: ("wasm-mapper", PeerKind::EnvoyWasm),
    },
    RatioSpec {
        name: "envoy-wasm wasm-mapper / envoy proxy-small",
        numerator: ("wasm-mapper", PeerKind::EnvoyWasm),
        denominator: ("proxy-small", PeerKind::Envoy),
    },
    RatioSpec {
        name: "tollgate vtl-templates / tollgate proxy-small",
        numerator: ("vtl-templates", PeerKind::Tollgate),
        denominator: ("proxy-small", PeerKind::Tollgate),
    },
    RatioSpec {
        name: "tollgate access-control / tollgate proxy-small",
        numerator: ("access-control", PeerKind::Tollgate),
        denominator: ("proxy-small", PeerKind::Tollgate),
    },
    RatioSpec {
        name: "tollgate wasm-function / tollgate proxy-small",
        numerator: ("wasm-function", PeerKind::Tollgate),
        denominator: ("proxy-small", PeerKind::Tollgate),
    },
];

/// Memory and start-up, measured outside the load runs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Footprint {
    /// RSS of each peer at idle, after start-up and one request, before any load (MiB).
    pub idle_rss_mib: BTreeMap<PeerKind, f64>,
    /// RSS added by idle keep-alive connections, scaled to 1,000 connections (MiB).
    pub idle_connections: Option<IdleConnections>,
    /// From spawn to the first served request, warm caches: the second of two starts (ms).
    pub startup_ms: BTreeMap<PeerKind, StartupTimes>,
    /// Tollgate with ten APIs deployed (the benchmark API under ten API ids).
    pub tollgate_ten_apis: Option<TenApis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IdleConnections {
    /// How many connections were opened (1,000; 100 in smoke mode, scaled).
    pub opened: usize,
    pub per_1000_mib: BTreeMap<PeerKind, f64>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct StartupTimes {
    pub first_ms: f64,
    /// The one reported.
    pub second_ms: f64,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct TenApis {
    pub idle_rss_mib: f64,
    pub startup: StartupTimes,
}

/// The settings a result was measured with.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub smoke: bool,
    pub duration_seconds: u64,
    pub rounds: usize,
    pub connections: Vec<usize>,
    pub peer_cpus: String,
    pub load_cpus: String,
    pub upstream_cpus: String,
    /// nginx worker processes, Envoy `--concurrency`, Tollgate's worker threads.
    pub peer_workers: usize,
    pub wrk_threads: usize,
    pub tollgate_profile: crate::artifacts::Profile,
}

/// Everything one invocation measured: the JSON file's contents.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub started_utc: String,
    pub settings: Settings,
    pub machine: Machine,
    pub versions: Versions,
    pub scenarios: Vec<ScenarioInfo>,
    pub not_run: Vec<NotRun>,
    pub results: Vec<Summary>,
    pub ratios: Vec<Ratio>,
    pub footprint: Footprint,
    pub runs: Vec<Run>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    pub name: &'static str,
    pub summary: &'static str,
    pub peers: Vec<PeerKind>,
}

/// Summaries in run order (scenario, then concurrency, then peer as listed).
pub fn summarise(runs: &[Run]) -> Vec<Summary> {
    let mut keys: Vec<(&'static str, usize, PeerKind)> = Vec::new();
    for run in runs {
        let key = (run.scenario, run.connections, run.peer);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.into_iter()
        .map(|(scenario, connections, peer)| {
            let rounds: Vec<&Run> = runs
                .iter()
                .filter(|r| {
                    r.scenario == scenario && r.connections == connections && r.peer == peer
                })
                .collect();
            let requests: u64 = rounds.iter().map(|r| r.wrk.requests).sum();
            let cpu: f64 = rounds.iter().map(|r| r.cpu_seconds).sum();
            Summary {
                scenario,
                peer,
                connections,
                rounds: rounds.len(),
                requests,
                requests_per_second: median(rounds.iter().map(|r| r.wrk.requests_per_second())),
                p50_ms: median(rounds.iter().map(|r| r.wrk.latency_us.p50 as f64 / 1000.0)),
                p99_ms: median(rounds.iter().map(|r| r.wrk.latency_us.p99 as f64 / 1000.0)),
                cpu_seconds_per_10k_requests: if requests == 0 {
                    0.0
                } else {
                    cpu / requests as f64 * 10_000.0
                },
                peak_rss_mib: rounds.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0) as f64
                    / 1024.0,
                errors: rounds.iter().map(|r| r.wrk.errors.total()).sum(),
                measured_processes: if peer == PeerKind::Direct {
                    "upstream"
                } else {
                    "proxy"
                },
            }
        })
        .collect()
}

pub fn ratios(summaries: &[Summary]) -> Vec<Ratio> {
    let find = |(scenario, peer): (&str, PeerKind), connections: usize| {
        summaries
            .iter()
            .find(|s| s.scenario == scenario && s.peer == peer && s.connections == connections)
    };
    let mut levels: Vec<usize> = summaries.iter().map(|s| s.connections).collect();
    levels.sort_unstable();
    levels.dedup();
    let mut ratios = Vec::new();
    for spec in RATIOS {
        for &connections in &levels {
            let (Some(top), Some(bottom)) = (
                find(spec.numerator, connections),
                find(spec.denominator, connections),
            ) else {
                continue;
            };
            let cpu_per_request = if bottom.cpu_seconds_per_10k_requests > 0.0 {
                top.cpu_seconds_per_10k_requests / bottom.cpu_seconds_per_10k_requests
            } else {
                f64::NAN
            };
            ratios.push(Ratio {
                name: spec.name.to_owned(),
                connections,
                throughput: top.requests_per_second / bottom.requests_per_second,
                p99: top.p99_ms / bottom.p99_ms,
                cpu_per_request,
            });
        }
    }
    ratios
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

/// The tables, as printed at the end of a run (Markdown, so they paste into BENCHMARKS.md).
pub fn tables(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| scenario | conns | peer | requests/s | p50 ms | p99 ms | CPU s / 10k req | peak RSS MiB | errors |"
    );
    let _ = writeln!(
        out,
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for s in &report.results {
        let _ = writeln!(
            out,
            "| {} | {} | {}{} | {:.0} | {:.2} | {:.2} | {:.3} | {:.1} | {} |",
            s.scenario,
            s.connections,
            s.peer.name(),
            if s.peer == PeerKind::Direct {
                " (upstream)"
            } else {
                ""
            },
            s.requests_per_second,
            s.p50_ms,
            s.p99_ms,
            s.cpu_seconds_per_10k_requests,
            s.peak_rss_mib,
            s.errors
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| ratio | conns | throughput | p99 | CPU per request |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: |");
    for r in &report.ratios {
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} | {:.2} | {:.2} |",
            r.name, r.connections, r.throughput, r.p99, r.cpu_per_request
        );
    }
    let footprint = &report.footprint;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| peer | idle RSS MiB | RSS per 1,000 idle connections MiB | start-up ms (2nd start) |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: |");
    for peer in PeerKind::ALL {
        if peer == PeerKind::Direct {
            continue;
        }
        let cell = |value: Option<f64>, digits: usize| {
            value.map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            peer.name(),
            cell(footprint.idle_rss_mib.get(&peer).copied(), 1),
            cell(
                footprint
                    .idle_connections
                    .as_ref()
                    .and_then(|c| c.per_1000_mib.get(&peer).copied()),
                1
            ),
            cell(footprint.startup_ms.get(&peer).map(|s| s.second_ms), 1),
        );
    }
    if let Some(ten) = &footprint.tollgate_ten_apis {
        let _ = writeln!(
            out,
            "| tollgate, 10 APIs deployed | {:.1} | – | {:.1} |",
            ten.idle_rss_mib, ten.startup.second_ms
        );
    }
    if !report.not_run.is_empty() {
        let _ = writeln!(out);
        for not_run in &report.not_run {
            let _ = writeln!(out, "not run: {} — {}", not_run.scenario, not_run.reason);
        }
    }
    out
}

/// Writes the report as `DIR/NAME.json` and returns the path.
pub fn write(report: &Report, dir: &Path, name: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(report).map_err(std::io::Error::other)?;
    std::fs::write(&path, text + "\n")?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrk::{Latency, WrkErrors};

    const NO_ERRORS: WrkErrors = WrkErrors {
        connect: 0,
        read: 0,
        write: 0,
        status: 0,
        timeout: 0,
    };

    fn run(round: usize, peer: PeerKind, requests: u64, p99: u64) -> Run {
        Run {
            round,
            scenario: "proxy-small",
            peer,
            connections: 16,
            wrk: WrkResult {
                requests,
                duration_us: 1_000_000,
                bytes: 0,
                errors: NO_ERRORS,
                latency_us: Latency {
                    p50: 100,
                    p90: 200,
                    p99,
                    max: 1000,
                    mean: 120.0,
                },
            },
            cpu_seconds: requests as f64 / 10_000.0,
            peak_rss_kib: 2048,
        }
    }

    #[test]
    fn rounds_are_summarised_by_their_median_and_cpu_by_the_total() {
        let runs = [
            run(0, PeerKind::Tollgate, 1000, 900),
            run(1, PeerKind::Tollgate, 3000, 300),
            run(2, PeerKind::Tollgate, 2000, 500),
        ];
        let summary = &summarise(&runs)[0];
        assert_eq!(summary.requests_per_second, 2000.0);
        assert_eq!(summary.p99_ms, 0.5);
        assert!((summary.cpu_seconds_per_10k_requests - 1.0).abs() < 1e-9);
        assert_eq!(summary.peak_rss_mib, 2.0);
    }

    #[test]
    fn ratios_pair_the_same_concurrency() {
        let runs = [
            run(0, PeerKind::Tollgate, 2000, 500),
            run(0, PeerKind::Nginx, 1000, 1000),
        ];
        let ratios = ratios(&summarise(&runs));
        let ratio = ratios
            .iter()
            .find(|r| r.name == "proxy-small tollgate/nginx")
            .unwrap();
        assert_eq!(ratio.throughput, 2.0);
        assert_eq!(ratio.p99, 0.5);
    }
}
