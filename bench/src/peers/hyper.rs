//! The `hyper` peer: this same binary's `hyper-proxy` subcommand (`hyper_proxy.rs`), a bare
//! proxy on Tollgate's HTTP stack and threading, so the suite shows what Tollgate's pipeline
//! costs on top of hyper and what hyper costs against nginx.

use std::net::SocketAddr;
use std::path::Path;

use super::{Launch, PeerError, PeerKind, RunningPeer, free_address, launch, run_dir};

pub fn start(
    taskset: &Path,
    runner: &Path,
    upstream: SocketAddr,
    cpus: &str,
) -> Result<RunningPeer, PeerError> {
    let run_dir = run_dir(PeerKind::Hyper)?;
    let address = free_address()?;
    let log_file = run_dir.path().join("hyper-proxy.log");
    launch(Launch {
        kind: PeerKind::Hyper,
        taskset,
        cpus,
        program: runner,
        args: vec![
            "hyper-proxy".to_owned(),
            "--listen".to_owned(),
            address.to_string(),
            "--upstream".to_owned(),
            upstream.to_string(),
        ],
        env: Vec::new(),
        env_remove: &[],
        log_file,
        address,
        ready_host: None,
        run_dir: Some(run_dir),
        with_children: false,
    })
}
