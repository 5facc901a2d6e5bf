//! The machine and the versions a result was measured with, written into every result file.

use std::path::Path;
use std::process::Command;

use crate::prerequisites::{Programs, version_of};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Machine {
    pub cpu_model: String,
    /// CPUs this process may run on.
    pub cpus: usize,
    pub kernel: String,
    pub load_average_at_start: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Versions {
    pub tollgate_commit: String,
    /// Whether the work tree had uncommitted changes.
    pub tollgate_dirty: bool,
    pub rustc: String,
    pub nginx: String,
    pub envoy: String,
    pub wrk: String,
    pub h2load: Option<String>,
}

pub fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or_else(
            || "unknown".to_owned(),
            |(_, model)| model.trim().to_owned(),
        );
    Machine {
        cpu_model,
        cpus: std::thread::available_parallelism().map_or(1, usize::from),
        kernel: read_trimmed("/proc/sys/kernel/osrelease"),
        load_average_at_start: read_trimmed("/proc/loadavg"),
    }
}

pub fn versions(workspace: &Path, programs: &Programs) -> Versions {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(workspace)
            .args(args)
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    };
    Versions {
        tollgate_commit: git(&["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".to_owned()),
        tollgate_dirty: git(&["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|status| !status.is_empty()),
        rustc: version_of(Path::new("rustc"), &["--version"]),
        nginx: version_of(&programs.nginx, &["-v"]),
        // Envoy prints its own path first: `/…/envoy  version: SHA/1.40.0/Clean/RELEASE/…`.
        envoy: version_of(&programs.envoy, &["--version"])
            .split_once("version: ")
            .map_or_else(|| "unknown".to_owned(), |(_, version)| version.to_owned()),
        wrk: version_of(&programs.wrk, &["-v"]),
        h2load: Some(version_of(&programs.h2load, &["--version"])),
    }
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|text| text.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}
