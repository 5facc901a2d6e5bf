//! Starting and stopping the real binary.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The `tollgate` binary cargo built for this test run (`target/<profile>/tollgate`).
pub fn tollgate_binary() -> PathBuf {
    let test_exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test>-<hash> → target/<profile>/tollgate
    let profile_dir = test_exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let binary = profile_dir.join(format!("tollgate{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing: run the suite with `cargo test --workspace` so the binary is built",
        binary.display()
    );
    binary
}

/// A data directory that is removed when dropped.
pub struct TempData {
    dir: tempfile::TempDir,
}

impl TempData {
    pub fn new() -> TempData {
        TempData {
            dir: tempfile::Builder::new()
                .prefix("tollgate-test")
                .tempdir()
                .expect("temporary directory"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file into the directory and returns its path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("writing a test file");
        path
    }
}

impl Default for TempData {
    fn default() -> Self {
        TempData::new()
    }
}

/// Runs a `tollgate` command to completion.
pub fn tollgate(args: &[&str]) -> Output {
    Command::new(tollgate_binary())
        .args(args)
        .env("TOLLGATE_LOG", "warn")
        .output()
        .expect("running tollgate")
}

/// A running gateway.
pub struct Gateway {
    child: Child,
    pub address: SocketAddr,
    stderr_lines: mpsc::Receiver<String>,
}

impl Gateway {
    /// Starts `tollgate ARGS --listen 127.0.0.1:0` and waits for its `listening on` line.
    pub fn start(args: &[&str]) -> Gateway {
        Gateway::start_with_env(args, &[("TOLLGATE_LOG", "info,access=off")])
    }

    /// Like [`Gateway::start`], with environment variables set for the process.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Gateway {
        let mut child = Command::new(tollgate_binary())
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting tollgate");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (address_tx, address_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("listening on http://") {
                    let _ = address_tx.send(address.trim().to_string());
                }
            }
        });
        let (stderr_tx, stderr_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if stderr_tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Compiling a component the first time takes a while in debug builds; this is a
        // liveness bound, not a timing assertion.
        let address = match address_rx.recv_timeout(Duration::from_secs(300)) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                let lines: Vec<String> = stderr_rx.try_iter().collect();
                panic!("tollgate did not start; stderr:\n{}", lines.join("\n"));
            }
        };
        Gateway {
            child,
            address: address.parse().expect("listening address"),
            stderr_lines: stderr_rx,
        }
    }

    /// `http://ADDR` + path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// What the gateway wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr_lines.try_iter().collect::<Vec<_>>().join("\n")
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills the process with SIGKILL (no chance to flush or clean up) and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for a clean exit.
    #[cfg(unix)]
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("waiting for tollgate")
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Imports `definition` into `data` as stage `stage`, publishing `functions` (`NAME`, path)
/// first, with stage variables `vars` (`NAME=VALUE`); panics with the CLI's output on failure.
pub fn deploy(
    data: &TempData,
    definition: &str,
    stage: &str,
    functions: &[(&str, &str)],
    vars: &[&str],
) {
    let file = data.write(&format!("{stage}-api.yaml"), definition);
    let mut args: Vec<String> = vec![
        "import".into(),
        file.display().to_string(),
        "--stage".into(),
        stage.into(),
        "--data-dir".into(),
        data.path().display().to_string(),
    ];
    for (name, path) in functions {
        args.push("--function".into());
        args.push(format!("{name}={path}"));
    }
    for var in vars {
        args.push("--var".into());
        args.push((*var).to_string());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = tollgate(&refs);
    assert!(
        output.status.success(),
        "tollgate import failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
