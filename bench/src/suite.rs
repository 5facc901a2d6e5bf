//! One invocation of the suite, start to end:
//!
//! 1. find the peers and wrk (`prerequisites`), build Tollgate, its plugins and the Envoy
//!    filter (`artifacts`);
//! 2. start the upstream, set up Tollgate's data directory, start every peer twice and keep
//!    the second (its start-up time is the one reported: warm caches);
//! 3. check every scenario's answer on every peer, and that Tollgate's mapper and Envoy's
//!    filter send the upstream and the client the same bytes;
//! 4. memory at idle and per 1,000 idle keep-alive connections; Tollgate with ten APIs;
//! 5. the load: rounds × concurrency levels × scenarios × peers, interleaved so that drift
//!    on the machine hits every peer alike; a run with any error fails the suite;
//! 6. the report: tables printed, JSON written.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::artifacts::{self, Artifacts, BuildError, Profile};
use crate::h2load::{self, H2loadError, H2loadRun};
use crate::peers::envoy::EnvoyTemplates;
use crate::peers::tollgate::TollgateData;
use crate::peers::{self, PeerError, PeerKind, RunningPeer};
use crate::prerequisites::{self, Overrides, PrerequisiteError, Programs};
use crate::probe::{self, Outgoing, ProbeError};
use crate::proc_stats::{self, ProcError};
use crate::report::{
    self, Footprint, IdleConnections, Report, Run, ScenarioInfo, Settings, StartupTimes, TenApis,
};
use crate::scenarios::{
    self, CRUD_ITEM_BODY, ENVELOPE_STAGE, Protocol, REQUEST_BODY, SCENARIOS, Scenario,
};
use crate::upstream::{UpstreamError, UpstreamProcess};
use crate::wrk::{self, WrkError, WrkRun};

/// What the command line chose.
#[derive(Debug, Clone)]
pub struct Options {
    pub smoke: bool,
    pub duration: Duration,
    pub rounds: usize,
    pub connections: Vec<usize>,
    pub scenarios: Option<Vec<String>>,
    pub peers: Option<Vec<PeerKind>>,
    pub peer_cpus: String,
    pub load_cpus: String,
    pub upstream_cpus: String,
    pub idle_connections: usize,
    pub profile: Profile,
    pub tollgate_binary: Option<PathBuf>,
    pub results_dir: PathBuf,
    pub programs: Overrides,
    /// Install missing peers and load generators (apt-get, pip) before the run.
    pub install_missing: bool,
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error(transparent)]
    Prerequisites(#[from] PrerequisiteError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error(transparent)]
    Peer(#[from] PeerError),
    #[error(transparent)]
    Probe(#[from] ProbeError),
    #[error(transparent)]
    Proc(#[from] ProcError),
    #[error("{scenario} on {peer}, {connections} connections: {source}")]
    Wrk {
        scenario: &'static str,
        peer: &'static str,
        connections: usize,
        source: WrkError,
    },
    #[error("{scenario} on {peer}, {connections} connections: {source}")]
    H2load {
        scenario: &'static str,
        peer: &'static str,
        connections: usize,
        source: H2loadError,
    },
    #[error(
        "{scenario} on {peer} answered {status} to {method} {path} before the load; \
         a benchmark of errors is worthless:\n{body}"
    )]
    WrongStatus {
        scenario: &'static str,
        peer: &'static str,
        method: &'static str,
        path: &'static str,
        status: u16,
        body: String,
    },
    #[error(
        "{scenario} on {peer}: the answer to {method} {path} is not the expected one\n  \
         expected: {expected}\n  got:      {got}"
    )]
    WrongBody {
        scenario: &'static str,
        peer: &'static str,
        method: &'static str,
        path: &'static str,
        expected: String,
        got: String,
    },
    #[error(
        "{scenario} on {peer}, {connections} connections: {errors} errors under load \
         (connect {connect}, read {read}, write {write}, non-2xx/3xx {status}, timeout {timeout}) \
         of {requests} requests; the suite refuses to report a benchmark of errors"
    )]
    ErrorsUnderLoad {
        scenario: &'static str,
        peer: &'static str,
        connections: usize,
        errors: u64,
        connect: u64,
        read: u64,
        write: u64,
        status: u64,
        timeout: u64,
        requests: u64,
    },
    #[error("{scenario} on {peer}, {connections} connections: wrk completed no request")]
    NoRequests {
        scenario: &'static str,
        peer: &'static str,
        connections: usize,
    },
    #[error("unknown scenario `{0}`; known: {1}")]
    UnknownScenario(String, String),
    #[error("CPU list `{0}` is not like `0-3` or `0,2`")]
    CpuList(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

/// Files of `bench/` the suite reads.
struct ConfigFiles {
    tollgate_api: PathBuf,
    nginx: PathBuf,
    envoy: PathBuf,
    envoy_router: PathBuf,
    envoy_wasm: PathBuf,
    wrk_script: PathBuf,
}

impl ConfigFiles {
    fn in_dir(bench: &Path) -> ConfigFiles {
        let config = bench.join("config");
        ConfigFiles {
            tollgate_api: config.join("tollgate-api.yaml"),
            nginx: config.join("nginx.conf"),
            envoy: config.join("envoy.yaml"),
            envoy_router: config.join("envoy-router-filter.yaml"),
            envoy_wasm: config.join("envoy-wasm-filter.yaml"),
            wrk_script: config.join("wrk-scenario.lua"),
        }
    }
}

/// The peers of a run, by kind.
struct Peers {
    running: BTreeMap<PeerKind, RunningPeer>,
}

impl Peers {
    fn get(&self, kind: PeerKind) -> Option<&RunningPeer> {
        self.running.get(&kind)
    }
}

/// Runs the whole suite and returns the report (also written to `results_dir`).
pub fn run(options: &Options, bench_dir: &Path) -> Result<(Report, PathBuf), SuiteError> {
    let workspace = bench_dir
        .parent()
        .ok_or_else(|| SuiteError::Io {
            what: "finding the workspace".into(),
            source: std::io::Error::other("bench/ has no parent"),
        })?
        .to_path_buf();
    let files = ConfigFiles::in_dir(bench_dir);
    let scenarios = selected_scenarios(options)?;
    let started_utc = utc_timestamp();

    let programs = prerequisites::find_or_install(&options.programs, options.install_missing)?;
    let artifacts = artifacts::build_all(
        &workspace,
        options.profile,
        options.tollgate_binary.as_deref(),
    )?;
    let workers = cpu_count(&options.peer_cpus)?;
    let wrk_threads = cpu_count(&options.load_cpus)?;
    let machine = crate::machine::machine();
    let versions = crate::machine::versions(&workspace, &programs);

    let runner = std::env::current_exe().map_err(|source| SuiteError::Io {
        what: "finding the runner's own executable".into(),
        source,
    })?;
    eprintln!("starting the upstream and the peers");
    let upstream = UpstreamProcess::start(&runner, &options.upstream_cpus)?;
    let tollgate_data = TollgateData::prepare(
        &artifacts,
        &files.tollgate_api,
        upstream.address,
        &["bench".to_owned()],
    )?;
    let wanted = |kind: PeerKind| {
        scenarios
            .iter()
            .any(|s| s.targets.iter().any(|(peer, _)| *peer == kind))
            && options
                .peers
                .as_ref()
                .is_none_or(|peers| peers.contains(&kind))
    };
    let mut footprint = Footprint::default();
    let mut running = BTreeMap::new();
    if wanted(PeerKind::Direct) {
        running.insert(
            PeerKind::Direct,
            RunningPeer::direct(upstream.address, upstream.processes()),
        );
    }
    for kind in [
        PeerKind::Tollgate,
        PeerKind::Nginx,
        PeerKind::Envoy,
        PeerKind::EnvoyWasm,
        PeerKind::Hyper,
    ] {
        if !wanted(kind) {
            continue;
        }
        let start = || {
            start_peer(
                kind,
                &runner,
                &programs,
                &files,
                &artifacts,
                &tollgate_data,
                upstream.address,
                workers,
                &options.peer_cpus,
            )
        };
        // Started twice: the first start warms every cache (the page cache for the
        // binaries, Envoy's and Tollgate's compiled WASM); the second is the one measured.
        let first = start()?;
        let first_ms = millis(first.startup);
        drop(first);
        let peer = start()?;
        footprint.startup_ms.insert(
            kind,
            StartupTimes {
                first_ms,
                second_ms: millis(peer.startup),
            },
        );
        running.insert(kind, peer);
    }
    let peers = Peers { running };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|source| SuiteError::Io {
            what: "starting the runner's runtime".into(),
            source,
        })?;

    if let Some(tollgate) = peers.get(PeerKind::Tollgate) {
        seed_crud_item(&runtime, tollgate.address)?;
    }
    eprintln!("checking every scenario's answers");
    check_answers(&runtime, &scenarios, &peers)?;
    check_envelope_equivalence(&runtime, &peers)?;

    eprintln!("measuring memory at idle");
    measure_idle(&runtime, options, &peers, &mut footprint)?;
    if wanted(PeerKind::Tollgate) {
        footprint.tollgate_ten_apis = Some(measure_ten_apis(
            &runtime,
            &programs,
            &artifacts,
            &files,
            upstream.address,
            &options.peer_cpus,
        )?);
    }

    let runs = load(options, &programs, &files, &scenarios, &peers, wrk_threads)?;
    let results = report::summarise(&runs);
    let ratios = report::ratios(&results);
    let report = Report {
        started_utc: started_utc.clone(),
        settings: Settings {
            smoke: options.smoke,
            duration_seconds: options.duration.as_secs().max(1),
            rounds: options.rounds,
            connections: options.connections.clone(),
            peer_cpus: options.peer_cpus.clone(),
            load_cpus: options.load_cpus.clone(),
            upstream_cpus: options.upstream_cpus.clone(),
            peer_workers: workers,
            wrk_threads,
            tollgate_profile: options.profile,
        },
        machine,
        versions,
        scenarios: scenarios
            .iter()
            .map(|s| ScenarioInfo {
                name: s.name,
                summary: s.summary,
                peers: s
                    .targets
                    .iter()
                    .map(|(peer, _)| *peer)
                    .filter(|peer| peers.get(*peer).is_some())
                    .collect(),
            })
            .collect(),
        not_run: scenarios::NOT_RUN.to_vec(),
        results,
        ratios,
        footprint,
        runs,
    };
    let name = if options.smoke {
        format!("smoke-{started_utc}")
    } else {
        started_utc
    };
    let path =
        report::write(&report, &options.results_dir, &name).map_err(|source| SuiteError::Io {
            what: format!("writing the results into {}", options.results_dir.display()),
            source,
        })?;
    Ok((report, path))
}

fn selected_scenarios(options: &Options) -> Result<Vec<&'static Scenario>, SuiteError> {
    let Some(names) = &options.scenarios else {
        return Ok(SCENARIOS.iter().collect());
    };
    names
        .iter()
        .map(|name| {
            scenarios::by_name(name).ok_or_else(|| {
                SuiteError::UnknownScenario(
                    name.clone(),
                    SCENARIOS
                        .iter()
                        .map(|s| s.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn start_peer(
    kind: PeerKind,
    runner: &Path,
    programs: &Programs,
    files: &ConfigFiles,
    artifacts: &Artifacts,
    tollgate_data: &TollgateData,
    upstream: SocketAddr,
    workers: usize,
    cpus: &str,
) -> Result<RunningPeer, PeerError> {
    let envoy_templates = EnvoyTemplates {
        config: &files.envoy,
        router_filter: &files.envoy_router,
        wasm_filter: &files.envoy_wasm,
    };
    match kind {
        PeerKind::Tollgate => tollgate_data.start(programs, cpus),
        PeerKind::Nginx => peers::nginx::start(programs, &files.nginx, upstream, workers, cpus),
        PeerKind::Envoy => {
            peers::envoy::start(programs, &envoy_templates, upstream, None, workers, cpus)
        }
        PeerKind::EnvoyWasm => peers::envoy::start(
            programs,
            &envoy_templates,
            upstream,
            Some(&artifacts.envelope_filter),
            workers,
            cpus,
        ),
        PeerKind::Hyper => peers::hyper::start(&programs.taskset, runner, upstream, cpus),
        PeerKind::Direct => unreachable!("the upstream is started on its own"),
    }
}

fn millis(duration: Option<Duration>) -> f64 {
    duration.map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Creates item 1 for the `wasm-function` scenario (`POST /bench/items`).
fn seed_crud_item(
    runtime: &tokio::runtime::Runtime,
    tollgate: SocketAddr,
) -> Result<(), SuiteError> {
    let answer = runtime.block_on(probe::send_once(
        tollgate,
        &Outgoing {
            method: "POST",
            path: "/bench/items",
            headers: &[("content-type", "application/json")],
            body: CRUD_ITEM_BODY,
        },
        PROBE_TIMEOUT,
    ))?;
    if answer.status != 201 {
        return Err(SuiteError::WrongStatus {
            scenario: "wasm-function",
            peer: "tollgate",
            method: "POST",
            path: "/bench/items",
            status: answer.status,
            body: answer.text(),
        });
    }
    Ok(())
}

/// Every scenario's request once on every peer: a 2xx with the expected body.
fn check_answers(
    runtime: &tokio::runtime::Runtime,
    scenarios: &[&'static Scenario],
    peers: &Peers,
) -> Result<(), SuiteError> {
    for scenario in scenarios {
        let expected = (scenario.expected)();
        for &(kind, path) in scenario.targets {
            let Some(peer) = peers.get(kind) else {
                continue;
            };
            let outgoing = Outgoing {
                method: scenario.method,
                path,
                headers: scenario.headers,
                body: scenario.body,
            };
            let answer = runtime.block_on(async {
                match scenario.protocol {
                    Protocol::Http1 => {
                        probe::send_once(peer.address, &outgoing, PROBE_TIMEOUT).await
                    }
                    Protocol::Http2 => {
                        probe::send_once_h2(peer.h2_address, &outgoing, PROBE_TIMEOUT).await
                    }
                }
            })?;
            if !(200..300).contains(&answer.status) {
                return Err(SuiteError::WrongStatus {
                    scenario: scenario.name,
                    peer: kind.name(),
                    method: scenario.method,
                    path,
                    status: answer.status,
                    body: answer.text(),
                });
            }
            if !expected.accepts(&answer.body) {
                return Err(SuiteError::WrongBody {
                    scenario: scenario.name,
                    peer: kind.name(),
                    method: scenario.method,
                    path,
                    expected: abbreviated(&match &expected {
                        scenarios::ExpectedBody::Exact(bytes) => {
                            String::from_utf8_lossy(bytes).into_owned()
                        }
                        scenarios::ExpectedBody::Json(value) => value.to_string(),
                    }),
                    got: abbreviated(&answer.text()),
                });
            }
        }
    }
    Ok(())
}

/// Through the upstream's `/echo`, Tollgate's mapper and Envoy's filter must send the
/// upstream the same wrapped request and the client the same wrapped response, byte for
/// byte, with `x-envelope: response`: the two WASM scenarios do the same work.
fn check_envelope_equivalence(
    runtime: &tokio::runtime::Runtime,
    peers: &Peers,
) -> Result<(), SuiteError> {
    let expected = scenarios::envelope_response(
        &scenarios::envelope_request(REQUEST_BODY.as_bytes(), ENVELOPE_STAGE),
        200,
    );
    for (kind, path) in [
        (PeerKind::Tollgate, "/bench/mapped-echo"),
        (PeerKind::EnvoyWasm, "/echo"),
    ] {
        let Some(peer) = peers.get(kind) else {
            continue;
        };
        let answer = runtime.block_on(probe::send_once(
            peer.address,
            &Outgoing {
                method: "POST",
                path,
                headers: &[("content-type", "application/json")],
                body: REQUEST_BODY,
            },
            PROBE_TIMEOUT,
        ))?;
        if answer.body != expected || answer.header("x-envelope") != Some("response") {
            return Err(SuiteError::WrongBody {
                scenario: "wasm-mapper",
                peer: kind.name(),
                method: "POST",
                path,
                expected: format!(
                    "{} with x-envelope: response",
                    String::from_utf8_lossy(&expected)
                ),
                got: format!(
                    "{} with x-envelope: {:?}",
                    answer.text(),
                    answer.header("x-envelope")
                ),
            });
        }
    }
    Ok(())
}

fn abbreviated(text: &str) -> String {
    const LIMIT: usize = 300;
    if text.len() <= LIMIT {
        return text.to_owned();
    }
    let cut = (0..=LIMIT)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    format!("{}… ({} bytes)", &text[..cut], text.len())
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Idle RSS of every peer, then the RSS that `idle_connections` keep-alive connections add
/// (each having served one request), scaled to 1,000.
fn measure_idle(
    runtime: &tokio::runtime::Runtime,
    options: &Options,
    peers: &Peers,
    footprint: &mut Footprint,
) -> Result<(), SuiteError> {
    // Let start-up allocations settle (Envoy's and Tollgate's background threads).
    std::thread::sleep(Duration::from_millis(500));
    let mut per_1000 = BTreeMap::new();
    for (kind, peer) in &peers.running {
        if *kind == PeerKind::Direct {
            continue;
        }
        let before = peer.processes.rss_kib()?;
        footprint.idle_rss_mib.insert(*kind, mib(before));
        let request = Outgoing {
            method: "GET",
            path: kind.readiness_path(),
            headers: &[],
            body: "",
        };
        let connections = runtime.block_on(probe::open_idle_connections(
            peer.address,
            options.idle_connections,
            &request,
        ))?;
        std::thread::sleep(Duration::from_millis(500));
        let after = peer.processes.rss_kib()?;
        drop(connections);
        let added = after.saturating_sub(before) as f64 / 1024.0;
        per_1000.insert(*kind, added * 1000.0 / options.idle_connections as f64);
    }
    if !per_1000.is_empty() {
        footprint.idle_connections = Some(IdleConnections {
            opened: options.idle_connections,
            per_1000_mib: per_1000,
        });
    }
    Ok(())
}

/// Tollgate with the benchmark API deployed under ten API ids: start-up (twice, the second
/// reported) and RSS at idle after one request to each API.
fn measure_ten_apis(
    runtime: &tokio::runtime::Runtime,
    programs: &Programs,
    artifacts: &Artifacts,
    files: &ConfigFiles,
    upstream: SocketAddr,
    cpus: &str,
) -> Result<TenApis, SuiteError> {
    let api_ids: Vec<String> = (0..10).map(|i| format!("bench{i}")).collect();
    let data = TollgateData::prepare(artifacts, &files.tollgate_api, upstream, &api_ids)?;
    let first = data.start(programs, cpus)?;
    let first_ms = millis(first.startup);
    drop(first);
    let gateway = data.start(programs, cpus)?;
    let second_ms = millis(gateway.startup);
    for api_id in &api_ids {
        let host = format!("{api_id}.execute-api.localhost");
        let answer = runtime.block_on(probe::send_once(
            gateway.address,
            &Outgoing {
                method: "GET",
                path: "/bench/small",
                headers: &[("host", host.as_str())],
                body: "",
            },
            PROBE_TIMEOUT,
        ))?;
        if answer.status != 200 {
            return Err(SuiteError::WrongStatus {
                scenario: "ten APIs",
                peer: "tollgate",
                method: "GET",
                path: "/bench/small",
                status: answer.status,
                body: answer.text(),
            });
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    Ok(TenApis {
        idle_rss_mib: mib(gateway.processes.rss_kib()?),
        startup: StartupTimes {
            first_ms,
            second_ms,
        },
    })
}

/// The load runs, interleaved: for each round, each concurrency level, each scenario, every
/// peer in turn — so a peer's rounds are spread over the whole run.
fn load(
    options: &Options,
    programs: &Programs,
    files: &ConfigFiles,
    scenarios: &[&'static Scenario],
    peers: &Peers,
    wrk_threads: usize,
) -> Result<Vec<Run>, SuiteError> {
    let ticks_per_second = proc_stats::clock_ticks_per_second() as f64;
    let mut runs = Vec::new();
    for round in 0..options.rounds {
        for &connections in &options.connections {
            for scenario in scenarios {
                for &(kind, path) in scenario.targets {
                    let Some(peer) = peers.get(kind) else {
                        continue;
                    };
                    eprintln!(
                        "round {}/{}: {} on {}, {} connections",
                        round + 1,
                        options.rounds,
                        scenario.name,
                        kind.name(),
                        connections
                    );
                    peer.processes.reset_peak_rss();
                    let cpu_before = peer.processes.cpu_ticks()?;
                    let result = match scenario.protocol {
                        Protocol::Http1 => wrk::run(&WrkRun {
                            wrk: &programs.wrk,
                            taskset: &programs.taskset,
                            cpus: &options.load_cpus,
                            threads: wrk_threads,
                            connections,
                            duration: options.duration,
                            script: &files.wrk_script,
                            address: peer.address,
                            path,
                            method: scenario.method,
                            body: scenario.body,
                            headers: scenario.headers,
                        })
                        .map_err(|source| SuiteError::Wrk {
                            scenario: scenario.name,
                            peer: kind.name(),
                            connections,
                            source,
                        })?,
                        Protocol::Http2 => h2load::run(&H2loadRun {
                            h2load: &programs.h2load,
                            taskset: &programs.taskset,
                            cpus: &options.load_cpus,
                            threads: wrk_threads,
                            connections,
                            streams: 1,
                            duration: options.duration,
                            address: peer.h2_address,
                            path,
                            method: scenario.method,
                            body: scenario.body,
                            headers: scenario.headers,
                        })
                        .map_err(|source| SuiteError::H2load {
                            scenario: scenario.name,
                            peer: kind.name(),
                            connections,
                            source,
                        })?,
                    };
                    let cpu_after = peer.processes.cpu_ticks()?;
                    let peak_rss_kib = peer.processes.peak_rss_kib()?;
                    let errors = result.errors;
                    if errors.total() > 0 {
                        return Err(SuiteError::ErrorsUnderLoad {
                            scenario: scenario.name,
                            peer: kind.name(),
                            connections,
                            errors: errors.total(),
                            connect: errors.connect,
                            read: errors.read,
                            write: errors.write,
                            status: errors.status,
                            timeout: errors.timeout,
                            requests: result.requests,
                        });
                    }
                    if result.requests == 0 {
                        return Err(SuiteError::NoRequests {
                            scenario: scenario.name,
                            peer: kind.name(),
                            connections,
                        });
                    }
                    runs.push(Run {
                        round,
                        scenario: scenario.name,
                        peer: kind,
                        connections,
                        cpu_seconds: cpu_after.saturating_sub(cpu_before) as f64 / ticks_per_second,
                        peak_rss_kib,
                        wrk: result,
                    });
                }
            }
        }
    }
    Ok(runs)
}

/// How many CPUs a `taskset -c` list names (`0-3`, `0,2`, `0-1,4`).
pub fn cpu_count(list: &str) -> Result<usize, SuiteError> {
    let mut count = 0;
    for part in list.split(',') {
        let part = part.trim();
        let bad = || SuiteError::CpuList(list.to_owned());
        match part.split_once('-') {
            Some((low, high)) => {
                let low: usize = low.parse().map_err(|_| bad())?;
                let high: usize = high.parse().map_err(|_| bad())?;
                if high < low {
                    return Err(bad());
                }
                count += high - low + 1;
            }
            None => {
                part.parse::<usize>().map_err(|_| bad())?;
                count += 1;
            }
        }
    }
    Ok(count)
}

/// `20261126T071500Z`, for result file names.
fn utc_timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists_are_counted_as_taskset_reads_them() {
        assert_eq!(cpu_count("0-1").unwrap(), 2);
        assert_eq!(cpu_count("0").unwrap(), 1);
        assert_eq!(cpu_count("0-1,4,6-7").unwrap(), 5);
        assert!(cpu_count("a").is_err());
        assert!(cpu_count("3-1").is_err());
    }

    #[test]
    fn timestamps_sort_as_they_happen() {
        let stamp = utc_timestamp();
        assert_eq!(stamp.len(), 16);
        assert!(stamp.ends_with('Z'));
    }
}
