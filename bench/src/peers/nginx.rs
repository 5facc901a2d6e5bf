//! nginx as a peer: `bench/config/nginx.conf` filled in and run in the foreground
//! (`daemon off`) from a temporary prefix directory, one worker per CPU of the peer set,
//! with a second port for cleartext HTTP/2.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{Launch, PeerError, PeerKind, RunningPeer, free_address, launch, render, run_dir};
use crate::prerequisites::Programs;

pub fn start(
    programs: &Programs,
    template: &Path,
    upstream: SocketAddr,
    workers: usize,
    cpus: &str,
) -> Result<RunningPeer, PeerError> {
    let run_dir = run_dir(PeerKind::Nginx)?;
    // Workers run as `nobody` when nginx starts as root; they must reach their temp paths.
    std::fs::set_permissions(run_dir.path(), std::fs::Permissions::from_mode(0o755))
        .map_err(PeerError::io("opening nginx's directory"))?;
    let address = free_address()?;
    let h2_address = free_address()?;
    let template = std::fs::read_to_string(template)
        .map_err(PeerError::io(format!("reading {}", template.display())))?;
    let config = render(
        &template,
        &[
            ("workers", workers.to_string()),
            ("run_dir", run_dir.path().display().to_string()),
            ("upstream", upstream.to_string()),
            ("listen", address.to_string()),
            ("listen_h2", h2_address.to_string()),
        ],
    );
    let config_path = run_dir.path().join("nginx.conf");
    std::fs::write(&config_path, config)
        .map_err(PeerError::io(format!("writing {}", config_path.display())))?;
    let error_log = run_dir.path().join("error.log");
    let args = vec![
        "-p".to_owned(),
        run_dir.path().display().to_string(),
        "-c".to_owned(),
        config_path.display().to_string(),
        // The error log before the configuration is read (nginx ≥ 1.19.5).
        "-e".to_owned(),
        error_log.display().to_string(),
    ];
    let log_file = run_dir.path().join("stdout.log");
    let mut peer = launch(Launch {
        kind: PeerKind::Nginx,
        taskset: &programs.taskset,
        cpus,
        program: &programs.nginx,
        args,
        env: Vec::new(),
        env_remove: &[],
        log_file,
        address,
        ready_host: None,
        run_dir: Some(run_dir),
        with_children: true,
    })?;
    peer.h2_address = h2_address;
    Ok(peer)
}
