//! The peers under load, each started as its own process(es) on the peer CPU set:
//!
//! | peer | what it is |
//! | --- | --- |
//! | `direct` | the upstream itself, no proxy: the limit |
//! | `tollgate` | the release `tollgate serve`, the benchmark API deployed (`tollgate.rs`) |
//! | `nginx` | nginx, `proxy_pass` with keep-alive upstream connections (`nginx.rs`) |
//! | `envoy` | Envoy as a plain HTTP proxy (`envoy.rs`) |
//! | `envoy-wasm` | Envoy with the envelope proxy-wasm filter (`envoy.rs`) |
//! | `hyper` | a bare proxy on Tollgate's HTTP stack, no pipeline (`hyper.rs`) |
//!
//! Every peer is started and then polled until it answers a first request with a 2xx; that
//! time, from spawn to the first answer, is its start-up time.

pub mod envoy;
pub mod hyper;
pub mod nginx;
pub mod tollgate;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::probe::{self, Outgoing};
use crate::proc_stats::ProcessGroup;

/// Who answers.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum PeerKind {
    Direct,
    Tollgate,
    Nginx,
    Envoy,
    EnvoyWasm,
    Hyper,
}

impl PeerKind {
    pub const ALL: [PeerKind; 6] = [
        PeerKind::Direct,
        PeerKind::Tollgate,
        PeerKind::Nginx,
        PeerKind::Envoy,
        PeerKind::EnvoyWasm,
        PeerKind::Hyper,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PeerKind::Direct => "direct",
            PeerKind::Tollgate => "tollgate",
            PeerKind::Nginx => "nginx",
            PeerKind::Envoy => "envoy",
            PeerKind::EnvoyWasm => "envoy-wasm",
            PeerKind::Hyper => "hyper",
        }
    }

    /// A path every instance of this peer answers 2xx to, once ready.
    pub fn readiness_path(self) -> &'static str {
        match self {
            PeerKind::Tollgate => "/bench/small",
            _ => "/small",
        }
    }
}

/// A peer that failed to start or to answer.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("starting {peer} ({program}): {source}")]
    Spawn {
        peer: &'static str,
        program: String,
        source: std::io::Error,
    },
    #[error("{peer} did not answer GET {path} with a 2xx within {waited:?}; last: {last}{log}")]
    NotReady {
        peer: &'static str,
        path: &'static str,
        waited: Duration,
        last: String,
        log: String,
    },
    #[error("{peer} exited during start-up ({status}){log}")]
    Exited {
        peer: &'static str,
        status: String,
        log: String,
    },
    #[error("`{command}` failed ({status}):\n{output}")]
    Command {
        command: String,
        status: String,
        output: String,
    },
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

impl PeerError {
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> PeerError {
        let what = what.into();
        move |source| PeerError::Io { what, source }
    }
}

/// A running peer.
pub struct RunningPeer {
    pub address: SocketAddr,
    /// Where it takes cleartext HTTP/2 with prior knowledge: `address`, except for nginx.
    pub h2_address: SocketAddr,
    /// What its CPU time and memory are read from (for `direct`: the upstream).
    pub processes: ProcessGroup,
    /// From spawn to the first 2xx answer (`None` for `direct`, which the runner does not
    /// start as a peer).
    pub startup: Option<Duration>,
    child: Option<Child>,
    /// The configuration and logs; removed when the peer is dropped.
    _run_dir: Option<tempfile::TempDir>,
}

impl RunningPeer {
    /// The upstream, measured as the `direct` peer.
    pub fn direct(address: SocketAddr, processes: ProcessGroup) -> RunningPeer {
        RunningPeer {
            address,
            h2_address: address,
            processes,
            startup: None,
            child: None,
            _run_dir: None,
        }
    }
}

impl Drop for RunningPeer {
    fn drop(&mut self) {
        let Some(child) = self.child.as_mut() else {
            return;
        };
        // SIGTERM to every process of the group (nginx's workers outlive a killed master
        // otherwise), then SIGKILL what is left.
        for pid in self.processes.pids() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        for pid in self.processes.pids() {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A loopback port free now (the peer binds it right after; nothing else on the box is
/// expected to grab it in between).
pub fn free_port() -> Result<u16, PeerError> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(PeerError::io("finding a free port"))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(PeerError::io("finding a free port"))
}

/// A free loopback address ([`free_port`] on 127.0.0.1).
pub fn free_address() -> Result<SocketAddr, PeerError> {
    Ok(SocketAddr::from(([127, 0, 0, 1], free_port()?)))
}

/// A peer's own temporary directory (configuration, logs), removed with the peer.
pub fn run_dir(peer: PeerKind) -> Result<tempfile::TempDir, PeerError> {
    tempfile::Builder::new()
        .prefix(&format!("tollgate-bench-{}", peer.name()))
        .tempdir()
        .map_err(PeerError::io(format!(
            "creating {}'s directory",
            peer.name()
        )))
}

/// How a peer process is launched.
pub struct Launch<'a> {
    pub kind: PeerKind,
    pub taskset: &'a Path,
    pub cpus: &'a str,
    pub program: &'a Path,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Variables of the runner's environment the peer must not see.
    pub env_remove: &'a [&'a str],
    /// Where its stdout and stderr go.
    pub log_file: PathBuf,
    pub address: SocketAddr,
    /// A `Host` header for the readiness request (Tollgate with several APIs picks the API
    /// by host).
    pub ready_host: Option<String>,
    pub run_dir: Option<tempfile::TempDir>,
    /// nginx: the master's children are part of the peer.
    pub with_children: bool,
}

/// How long a peer may take to answer its first request (Envoy compiling the filter with
/// V8, a debug-built Tollgate loading components): a liveness bound, not a measurement.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Spawns the peer under `taskset` and polls it until it answers its readiness path.
pub fn launch(launch: Launch<'_>) -> Result<RunningPeer, PeerError> {
    let log = std::fs::File::create(&launch.log_file).map_err(PeerError::io(format!(
        "creating {}",
        launch.log_file.display()
    )))?;
    let log_err = log
        .try_clone()
        .map_err(PeerError::io("duplicating the log file"))?;
    let started = Instant::now();
    let mut command = Command::new(launch.taskset);
    for name in launch.env_remove {
        command.env_remove(name);
    }
    let mut child = command
        .args(["-c", launch.cpus])
        .arg(launch.program)
        .args(&launch.args)
        .envs(launch.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|source| PeerError::Spawn {
            peer: launch.kind.name(),
            program: launch.program.display().to_string(),
            source,
        })?;
    let path = launch.kind.readiness_path();
    let host_header;
    let headers: &[(&str, &str)] = match &launch.ready_host {
        Some(host) => {
            host_header = [("host", host.as_str())];
            &host_header
        }
        None => &[],
    };
    let request = Outgoing {
        method: "GET",
        path,
        headers,
        body: "",
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(PeerError::io("starting a runtime"))?;
    let mut last = String::from("no connection yet");
    let startup = loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(PeerError::Exited {
                peer: launch.kind.name(),
                status: status.to_string(),
                log: log_tail(&launch.log_file),
            });
        }
        if started.elapsed() > START_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(PeerError::NotReady {
                peer: launch.kind.name(),
                path,
                waited: START_TIMEOUT,
                last,
                log: log_tail(&launch.log_file),
            });
        }
        match runtime.block_on(probe::send_once(
            launch.address,
            &request,
            Duration::from_secs(5),
        )) {
            Ok(answer) if (200..300).contains(&answer.status) => break started.elapsed(),
            Ok(answer) => last = format!("{} {}", answer.status, answer.text()),
            Err(error) => {
                last = error.to_string();
                // Not listening yet: poll often, start-up is what is being timed.
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    };
    let pid = child.id();
    let processes = if launch.with_children {
        ProcessGroup::with_children(pid)
    } else {
        ProcessGroup::single(pid)
    };
    Ok(RunningPeer {
        address: launch.address,
        h2_address: launch.address,
        processes,
        startup: Some(startup),
        child: Some(child),
        _run_dir: launch.run_dir,
    })
}

/// The end of a peer's log, for an error message.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    if tail.is_empty() {
        String::new()
    } else {
        format!("\n--- {} (last lines) ---\n{tail}", path.display())
    }
}

/// Fills `{{name}}` placeholders of a configuration template.
pub fn render(template: &str, values: &[(&str, String)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{{{name}}}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_everywhere() {
        assert_eq!(
            render(
                "a {{x}} b {{x}} {{y}}",
                &[("x", "1".into()), ("y", "2".into())]
            ),
            "a 1 b 1 2"
        );
    }
}
