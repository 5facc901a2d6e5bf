//! One load run with wrk: keep-alive connections, a fixed duration, latency percentiles.
//! The request comes from `bench/config/wrk-scenario.lua`, which also prints wrk's summary as
//! one JSON line (`BENCH-RESULT {…}`) so nothing depends on wrk's human-readable output.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// What one wrk run saw.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct WrkResult {
    pub requests: u64,
    pub duration_us: u64,
    pub bytes: u64,
    pub errors: WrkErrors,
    pub latency_us: Latency,
}

/// wrk's error counts: `status` is answers that were not 2xx or 3xx.
#[derive(Debug, Clone, Copy, serde::Deserialize, serde::Serialize)]
pub struct WrkErrors {
    pub connect: u64,
    pub read: u64,
    pub write: u64,
    pub status: u64,
    pub timeout: u64,
}

impl WrkErrors {
    pub fn total(&self) -> u64 {
        self.connect + self.read + self.write + self.status + self.timeout
    }
}

#[derive(Debug, Clone, Copy, serde::Deserialize, serde::Serialize)]
pub struct Latency {
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
    pub mean: f64,
}

impl WrkResult {
    pub fn requests_per_second(&self) -> f64 {
        if self.duration_us == 0 {
            return 0.0;
        }
        self.requests as f64 / (self.duration_us as f64 / 1e6)
    }
}

/// wrk did not run or said nothing the runner understands.
#[derive(Debug, thiserror::Error)]
pub enum WrkError {
    #[error("running wrk: {0}")]
    Spawn(std::io::Error),
    #[error("wrk failed ({status}):\n{output}")]
    Failed { status: String, output: String },
    #[error("wrk printed no BENCH-RESULT line:\n{0}")]
    NoResult(String),
    #[error("wrk's BENCH-RESULT line is not what the script writes ({0}):\n{1}")]
    BadResult(serde_json::Error, String),
}

/// One run's settings.
pub struct WrkRun<'a> {
    pub wrk: &'a Path,
    pub taskset: &'a Path,
    pub cpus: &'a str,
    pub threads: usize,
    pub connections: usize,
    pub duration: Duration,
    pub script: &'a Path,
    pub address: SocketAddr,
    pub path: &'a str,
    pub method: &'a str,
    pub body: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
}

pub fn run(spec: &WrkRun<'_>) -> Result<WrkResult, WrkError> {
    let headers: String = spec
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\n"))
        .collect();
    // wrk takes whole seconds; the smoke mode's shortest run is one.
    let seconds = spec.duration.as_secs().max(1);
    let output = Command::new(spec.taskset)
        .args(["-c", spec.cpus])
        .arg(spec.wrk)
        .arg("-t")
        .arg(spec.threads.min(spec.connections).max(1).to_string())
        .arg("-c")
        .arg(spec.connections.to_string())
        .arg("-d")
        .arg(format!("{seconds}s"))
        .args(["--timeout", "10s", "--latency", "-s"])
        .arg(spec.script)
        .arg(format!("http://{}{}", spec.address, spec.path))
        .env("BENCH_METHOD", spec.method)
        .env("BENCH_BODY", spec.body)
        .env("BENCH_HEADERS", headers)
        .output()
        .map_err(WrkError::Spawn)?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        return Err(WrkError::Failed {
            status: output.status.to_string(),
            output: text,
        });
    }
    parse(&text)
}

fn parse(text: &str) -> Result<WrkResult, WrkError> {
    let line = text
        .lines()
        .find_map(|line| line.strip_prefix("BENCH-RESULT "))
        .ok_or_else(|| WrkError::NoResult(text.to_owned()))?;
    serde_json::from_str(line).map_err(|error| WrkError::BadResult(error, line.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scripts_line_is_parsed_among_wrks_own_output() {
        let text = "Running 1s test @ http://127.0.0.1:1/small\n  2 threads and 16 connections\n\
            BENCH-RESULT {\"requests\":1000,\"duration_us\":1000000,\"bytes\":5,\
            \"errors\":{\"connect\":0,\"read\":0,\"write\":0,\"status\":3,\"timeout\":0},\
            \"latency_us\":{\"p50\":100,\"p90\":150,\"p99\":300,\"max\":900,\"mean\":110.5}}\n";
        let result = parse(text).unwrap();
        assert_eq!(result.requests, 1000);
        assert_eq!(result.errors.total(), 3);
        assert_eq!(result.latency_us.p99, 300);
        assert!((result.requests_per_second() - 1000.0).abs() < 1e-9);
    }
}
