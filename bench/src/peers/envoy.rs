//! Envoy as a peer: `bench/config/envoy.yaml` filled in, with either the router alone
//! (`envoy`) or the envelope proxy-wasm filter before it (`envoy-wasm`), `--concurrency`
//! equal to the peer set's CPUs. Hot restart is disabled so two Envoys can run at once.

use std::net::SocketAddr;
use std::path::Path;

use super::{Launch, PeerError, PeerKind, RunningPeer, free_address, launch, render, run_dir};
use crate::prerequisites::Programs;

/// The configuration files, in `bench/config/`.
pub struct EnvoyTemplates<'a> {
    pub config: &'a Path,
    pub router_filter: &'a Path,
    pub wasm_filter: &'a Path,
}

/// Starts Envoy; with `filter_wasm`, the envelope filter runs on every request.
pub fn start(
    programs: &Programs,
    templates: &EnvoyTemplates<'_>,
    upstream: SocketAddr,
    filter_wasm: Option<&Path>,
    workers: usize,
    cpus: &str,
) -> Result<RunningPeer, PeerError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(PeerError::io(format!("reading {}", path.display())))
    };
    let kind = match filter_wasm {
        Some(_) => PeerKind::EnvoyWasm,
        None => PeerKind::Envoy,
    };
    let run_dir = run_dir(kind)?;
    let address = free_address()?;
    let filters = match filter_wasm {
        Some(wasm) => render(
            &read(templates.wasm_filter)?,
            &[("filter_wasm", wasm.display().to_string())],
        ),
        None => read(templates.router_filter)?,
    };
    let config = render(
        &read(templates.config)?,
        &[
            ("listen_port", address.port().to_string()),
            ("upstream_host", upstream.ip().to_string()),
            ("upstream_port", upstream.port().to_string()),
            ("http_filters", filters.trim_end().to_owned()),
        ],
    );
    let config_path = run_dir.path().join("envoy.yaml");
    std::fs::write(&config_path, config)
        .map_err(PeerError::io(format!("writing {}", config_path.display())))?;
    let args = vec![
        "-c".to_owned(),
        config_path.display().to_string(),
        "--concurrency".to_owned(),
        workers.to_string(),
        "--log-level".to_owned(),
        "warn".to_owned(),
        "--disable-hot-restart".to_owned(),
    ];
    let log_file = run_dir.path().join("envoy.log");
    launch(Launch {
        kind,
        taskset: &programs.taskset,
        cpus,
        program: &programs.envoy,
        args,
        env: Vec::new(),
        env_remove: &[],
        log_file,
        address,
        ready_host: None,
        run_dir: Some(run_dir),
        with_children: false,
    })
}
