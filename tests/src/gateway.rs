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

/// The admin token the harness starts gateways with (`TOLLGATE_ADMIN_TOKEN`) and sends as
/// `Authorization: Bearer ...` unless a test says otherwise.
pub const ADMIN_TOKEN: &str = "test-admin-token";

/// Variables of the test process that would change what a `tollgate` command does; every
/// command the harness runs starts without them and gets only what the test passes.
const AMBIENT_VARIABLES: &[&str] = &[
    "TOLLGATE_ADMIN_TOKEN",
    "TOLLGATE_ADMIN_URL",
    "TOLLGATE_DATA_DIR",
    "TOLLGATE_LOG",
    "TOLLGATE_LOG_FORMAT",
];

/// Runs a `tollgate` command to completion.
pub fn tollgate(args: &[&str]) -> Output {
    tollgate_with_env(args, &[])
}

/// Runs a `tollgate` command to completion with environment variables set (e.g.
/// `TOLLGATE_ADMIN_TOKEN` for a control command against a running gateway's `--admin URL`).
/// `TOLLGATE_LOG` defaults to `warn`; no other `TOLLGATE_*` variable of the test process
/// reaches the command.
pub fn tollgate_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(tollgate_binary());
    for name in AMBIENT_VARIABLES {
        command.env_remove(name);
    }
    command
        .args(args)
        .env("TOLLGATE_LOG", "warn")
        .envs(env.iter().copied())
        .output()
        .expect("running tollgate")
}

/// The standard output of a command that must have succeeded; panics with both streams
/// when it did not.
pub fn expect_success(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A running gateway.
pub struct Gateway {
    child: Child,
    /// The data plane (`listening on http://ADDR`).
    pub address: SocketAddr,
    /// The admin API (`admin on http://ADDR`).
    pub admin_address: SocketAddr,
    /// The token [`Gateway::admin`] and [`Gateway::cli`] send (`None`: the gateway was
    /// started without `TOLLGATE_ADMIN_TOKEN` and generated its own).
    admin_token: Option<String>,
    stdout_lines: std::sync::Mutex<Vec<String>>,
    stdout_rx: mpsc::Receiver<String>,
    stderr_lines: mpsc::Receiver<String>,
}

impl Gateway {
    /// Starts `tollgate ARGS --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0` with
    /// `TOLLGATE_ADMIN_TOKEN=`[`ADMIN_TOKEN`] and waits for its `listening on` and
    /// `admin on` lines.
    pub fn start(args: &[&str]) -> Gateway {
        Gateway::start_with_env(args, &[("TOLLGATE_LOG", "info,access=off")])
    }

    /// Like [`Gateway::start`], with environment variables set for the process (a
    /// `TOLLGATE_ADMIN_TOKEN` given here replaces the harness's).
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Gateway {
        let token = env
            .iter()
            .find(|(name, _)| *name == "TOLLGATE_ADMIN_TOKEN")
            .map_or(ADMIN_TOKEN, |(_, value)| *value);
        Gateway::spawn(args, env, Some(token))
    }

    /// Like [`Gateway::start_with_env`], but without `TOLLGATE_ADMIN_TOKEN`: the gateway
    /// uses (or generates) `DATA_DIR/admin-token`. [`Gateway::admin`] then sends no token
    /// until [`Gateway::use_admin_token`] sets one.
    pub fn start_without_admin_token(args: &[&str], env: &[(&str, &str)]) -> Gateway {
        Gateway::spawn(args, env, None)
    }

    fn spawn(args: &[&str], env: &[(&str, &str)], admin_token: Option<&str>) -> Gateway {
        let mut command = Command::new(tollgate_binary());
        for name in AMBIENT_VARIABLES {
            command.env_remove(name);
        }
        command.args(args).args(["--listen", "127.0.0.1:0"]);
        if !args.contains(&"--admin-listen") {
            command.args(["--admin-listen", "127.0.0.1:0"]);
        }
        if let Some(token) = admin_token {
            command.env("TOLLGATE_ADMIN_TOKEN", token);
        }
        let mut child = command
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting tollgate");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (stdout_tx, stdout_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if stdout_tx.send(line).is_err() {
                    break;
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
        let deadline = std::time::Instant::now() + Duration::from_secs(300);
        let mut stdout_lines = Vec::new();
        let mut address = None;
        let mut admin_address = None;
        while address.is_none() || admin_address.is_none() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match stdout_rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(a) = line.strip_prefix("listening on http://") {
                        address = Some(a.trim().parse().expect("listening address"));
                    } else if let Some(a) = line.strip_prefix("admin on http://") {
                        admin_address = Some(a.trim().parse().expect("admin address"));
                    }
                    stdout_lines.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let lines: Vec<String> = stderr_rx.try_iter().collect();
                    panic!(
                        "tollgate did not print both `listening on` and `admin on`; stdout:\n{}\nstderr:\n{}",
                        stdout_lines.join("\n"),
                        lines.join("\n")
                    );
                }
            }
        }
        Gateway {
            child,
            address: address.expect("listening address"),
            admin_address: admin_address.expect("admin address"),
            admin_token: admin_token.map(str::to_string),
            stdout_lines: std::sync::Mutex::new(stdout_lines),
            stdout_rx,
            stderr_lines: stderr_rx,
        }
    }

    /// `http://ADDR` + path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// `http://ADMIN_ADDR` + path.
    pub fn admin_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.admin_address)
    }

    /// The token [`Gateway::admin`] sends, if any.
    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    /// Makes [`Gateway::admin`] and [`Gateway::cli`] send `token` from now on.
    pub fn use_admin_token(&mut self, token: &str) {
        self.admin_token = Some(token.to_string());
    }

    /// Everything the gateway printed on stdout so far.
    pub fn stdout(&self) -> String {
        let mut lines = self.stdout_lines.lock().expect("stdout lines");
        lines.extend(self.stdout_rx.try_iter());
        lines.join("\n")
    }

    /// Runs a control command against this gateway: `tollgate ARGS --admin URL`, with
    /// `TOLLGATE_ADMIN_TOKEN` set to the gateway's token.
    pub fn cli(&self, args: &[&str]) -> Output {
        let admin = self.admin_url("");
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--admin", admin.as_str()]);
        match &self.admin_token {
            Some(token) => tollgate_with_env(&all, &[("TOLLGATE_ADMIN_TOKEN", token)]),
            None => tollgate_with_env(&all, &[]),
        }
    }

    /// Like [`Gateway::cli`], panicking with the command's output unless it succeeded;
    /// returns its stdout.
    pub fn cli_ok(&self, args: &[&str]) -> String {
        let output = self.cli(args);
        expect_success(&output, &format!("tollgate {}", args.join(" ")))
    }

    /// What the gateway wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr_lines.try_iter().collect::<Vec<_>>().join("\n")
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
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
