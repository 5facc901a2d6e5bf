//! One load run with h2load: HTTP/2 over cleartext with prior knowledge (h2c, no upgrade),
//! a fixed duration, latency percentiles — the HTTP/2 twin of `wrk.rs`, giving the same
//! [`WrkResult`] so the suite treats both alike.
//!
//! h2load's summary has counts but only min/max/mean/sd of latency, so every request is
//! also written to a `--log-file` (one row per finished request: start time in µs since the
//! epoch, status — `-1` for a stream that ended without an answer — and µs until the end of
//! the response) and the percentiles come from there.
//!
//! What h2load 1.52's numbers mean (read from its source, `src/h2load.cc`, and checked
//! against real runs):
//! - every count, the bytes and the log cover only the "main duration" (`-D`); a request
//!   still in flight when it ends is started but never done, and not counted;
//! - `succeeded` is answers with a 2xx or 3xx status; `failed` is every other answer *plus*
//!   every `errored` request; `errored` is requests that got no complete answer (stream
//!   reset or refused, connection lost or timed out with it in flight); `timeout` is the
//!   part of `errored` lost to a `-N`/`-T` connection timeout;
//! - `finished in` is the wall time from starting the threads to joining them — warm-up and
//!   start-up included, printed to 10 ms — while h2load's own req/s divides by the main
//!   duration. So the run's duration is that main duration, as h2load states it when it
//!   spawns its threads (`… and 2s of main duration for measurements.`), not `finished in`;
//! - a connection that cannot be made is not reported at all: the client stays idle, the
//!   run exits 0 and, if no connection was made, every count is 0 (the suite rejects a run
//!   with no requests);
//! - after a GOAWAY (a server's requests-per-connection limit) the client does not
//!   reconnect: it stays idle for the rest of the run, and the streams the server refused
//!   show up as `errored`.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::wrk::{Latency, WrkErrors, WrkResult};

/// h2load did not run or said nothing the runner understands.
#[derive(Debug, thiserror::Error)]
pub enum H2loadError {
    #[error("writing h2load's request body or creating its log file: {0}")]
    TempFile(std::io::Error),
    #[error("running h2load: {0}")]
    Spawn(std::io::Error),
    #[error("h2load failed ({status}):\n{output}")]
    Failed { status: String, output: String },
    #[error("h2load's output has no {missing}:\n{output}")]
    NoSummary {
        missing: &'static str,
        output: String,
    },
    #[error("reading h2load's request log: {0}")]
    ReadLog(std::io::Error),
    #[error("h2load's request log, line {line}, is not `start<TAB>status<TAB>µs`: {text:?}")]
    BadLog { line: usize, text: String },
    #[error(
        "h2load's request log has {logged} answered requests but its summary counts \
         {summary}:\n{output}"
    )]
    LogMismatch {
        logged: u64,
        summary: u64,
        output: String,
    },
}

/// One run's settings.
pub struct H2loadRun<'a> {
    pub h2load: &'a Path,
    pub taskset: &'a Path,
    /// `taskset -c` CPU list for h2load.
    pub cpus: &'a str,
    /// h2load's `-t`, at most the number of connections (h2load refuses more) and at least 1.
    pub threads: usize,
    /// h2load's `-c`: one HTTP/2 connection per client.
    pub connections: usize,
    /// h2load's `-m`: concurrent streams per connection.
    pub streams: usize,
    /// h2load's `-D`, in whole seconds, at least one.
    pub duration: Duration,
    pub address: SocketAddr,
    pub path: &'a str,
    pub method: &'a str,
    /// Sent with every request when not empty (`-d`, from a temporary file).
    pub body: &'a str,
    /// Each sent as `-H "name: value"`.
    pub headers: &'a [(&'a str, &'a str)],
}

pub fn run(spec: &H2loadRun<'_>) -> Result<WrkResult, H2loadError> {
    // h2load only posts from a file, and mmaps it, so an empty one makes it fail: a file
    // only when there is a body.
    let body = if spec.body.is_empty() {
        None
    } else {
        let mut file = tempfile::NamedTempFile::new().map_err(H2loadError::TempFile)?;
        file.write_all(spec.body.as_bytes())
            .and_then(|()| file.flush())
            .map_err(H2loadError::TempFile)?;
        Some(file)
    };
    // h2load appends to the log file (O_APPEND, no truncation): it must start empty.
    let log = tempfile::NamedTempFile::new().map_err(H2loadError::TempFile)?;
    let output = Command::new(spec.taskset)
        .args(["-c", spec.cpus])
        .arg(spec.h2load)
        .args(arguments(
            spec,
            body.as_ref().map(|file| file.path()),
            log.path(),
        ))
        .output()
        .map_err(H2loadError::Spawn)?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        return Err(H2loadError::Failed {
            status: output.status.to_string(),
            output: text,
        });
    }
    let log = log.reopen().map_err(H2loadError::ReadLog)?;
    parse(&text, BufReader::new(log))
}

/// h2load's arguments after its own path.
fn arguments(spec: &H2loadRun<'_>, body: Option<&Path>, log: &Path) -> Vec<String> {
    // h2load takes whole seconds here; the smoke mode's shortest run is one.
    let seconds = spec.duration.as_secs().max(1);
    let mut arguments = vec![
        "-t".to_owned(),
        spec.threads.min(spec.connections).max(1).to_string(),
        "-c".to_owned(),
        spec.connections.max(1).to_string(),
        "-m".to_owned(),
        spec.streams.max(1).to_string(),
        "-D".to_owned(),
        format!("{seconds}s"),
        // No --warm-up-time: the counts would leave it out, but the suite measures the
        // peer's CPU over the whole h2load process, so a warm-up's work would be charged to
        // the measured requests. wrk has none either.
        //
        // A connection silent for 10 s counts its requests as timed out and is closed — as
        // wrk's `--timeout 10s` — so a stuck peer cannot hold the run past its duration.
        "-N".to_owned(),
        "10s".to_owned(),
        format!("--log-file={}", log.display()),
        // The method as asked, whether or not there is a body: h2load would send GET, or
        // POST with `-d`.
        "-H".to_owned(),
        format!(":method: {}", spec.method),
    ];
    for (name, value) in spec.headers {
        arguments.push("-H".to_owned());
        arguments.push(format!("{name}: {value}"));
    }
    if let Some(body) = body {
        arguments.push("-d".to_owned());
        arguments.push(body.display().to_string());
    }
    // An http URL without --h1: h2c with prior knowledge.
    arguments.push(format!("http://{}{}", spec.address, spec.path));
    arguments
}

/// The counts of h2load's summary that make a [`WrkResult`].
#[derive(Debug, PartialEq, Eq)]
struct Summary {
    duration_us: u64,
    succeeded: u64,
    failed: u64,
    errored: u64,
    timeout: u64,
    bytes: u64,
}

/// What the request log says: the latency of every answered request and how many answers
/// were not 2xx or 3xx.
#[derive(Debug)]
struct Log {
    latencies_us: Vec<u64>,
    bad_status: u64,
}

fn parse(text: &str, log: impl BufRead) -> Result<WrkResult, H2loadError> {
    let summary = summary(text)?;
    let mut log = read_log(log)?;
    // Every request that got an answer, whatever its status: those wrk counts too. A
    // request without one is an error, not a request.
    let requests = (summary.succeeded + summary.failed).saturating_sub(summary.errored);
    let logged = log.latencies_us.len() as u64;
    if logged != requests {
        return Err(H2loadError::LogMismatch {
            logged,
            summary: requests,
            output: text.to_owned(),
        });
    }
    Ok(WrkResult {
        requests,
        duration_us: summary.duration_us,
        bytes: summary.bytes,
        errors: WrkErrors {
            // Not reported by h2load (see the module's documentation).
            connect: 0,
            // h2load cannot tell a failed read from a failed write: every request without a
            // complete answer that was not lost to a timeout is a read error, as a
            // connection closed under wrk's requests is.
            read: summary.errored.saturating_sub(summary.timeout),
            write: 0,
            status: log.bad_status,
            timeout: summary.timeout,
        },
        latency_us: latency(&mut log.latencies_us),
    })
}

fn summary(text: &str) -> Result<Summary, H2loadError> {
    let missing = |missing| H2loadError::NoSummary {
        missing,
        output: text.to_owned(),
    };
    let line = |prefix: &str| text.lines().find_map(|line| line.strip_prefix(prefix));
    // "spawning thread #0: 4 total client(s). Timing-based test with 0s of warm-up time and
    // 1s of main duration for measurements." — one such line per thread, all alike.
    let duration_us = text
        .lines()
        .find_map(|line| line.strip_suffix("s of main duration for measurements."))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|seconds| seconds.parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .map(|seconds| (seconds * 1e6).round() as u64)
        .ok_or_else(|| missing("main duration (`…s of main duration for measurements.`)"))?;
    // "requests: 423 total, 423 started, 423 done, 400 succeeded, 23 failed, 23 errored,
    // 0 timeout"
    let requests = line("requests: ").ok_or_else(|| missing("`requests:` line"))?;
    let count = |label: &str| {
        requests.split(", ").find_map(|field| {
            let (number, name) = field.trim().split_once(' ')?;
            (name == label).then_some(number)?.parse::<u64>().ok()
        })
    };
    let succeeded = count("succeeded").ok_or_else(|| missing("`succeeded` count"))?;
    let failed = count("failed").ok_or_else(|| missing("`failed` count"))?;
    let errored = count("errored").ok_or_else(|| missing("`errored` count"))?;
    let timeout = count("timeout").ok_or_else(|| missing("`timeout` count"))?;
    // "traffic: 61.59KB (63064) total, 21.09KB (21600) headers (…), 33.20KB (34000) data"
    let bytes = line("traffic: ")
        .and_then(|traffic| {
            traffic
                .split_once(") total")?
                .0
                .rsplit_once('(')?
                .1
                .parse()
                .ok()
        })
        .ok_or_else(|| missing("total in the `traffic:` line"))?;
    Ok(Summary {
        duration_us,
        succeeded,
        failed,
        errored,
        timeout,
        bytes,
    })
}

/// Reads h2load's `--log-file`: `start µs<TAB>status<TAB>µs to the end of the response`,
/// status `-1` for a stream that ended without an answer (counted by the summary already,
/// and with no latency to speak of).
fn read_log(log: impl BufRead) -> Result<Log, H2loadError> {
    let mut latencies_us = Vec::new();
    let mut bad_status = 0;
    for (index, row) in log.lines().enumerate() {
        let row = row.map_err(H2loadError::ReadLog)?;
        let bad = || H2loadError::BadLog {
            line: index + 1,
            text: row.clone(),
        };
        // h2load says more columns may come; the first three are the ones read.
        let mut columns = row.split('\t');
        let (Some(start), Some(status), Some(time)) =
            (columns.next(), columns.next(), columns.next())
        else {
            return Err(bad());
        };
        start.parse::<u64>().map_err(|_| bad())?;
        let status: i64 = status.parse().map_err(|_| bad())?;
        let time: u64 = time.parse().map_err(|_| bad())?;
        if status == -1 {
            continue;
        }
        if !(200..400).contains(&status) {
            bad_status += 1;
        }
        latencies_us.push(time);
    }
    Ok(Log {
        latencies_us,
        bad_status,
    })
}

/// Nearest-rank percentiles, the max and the mean; all zero when nothing was answered.
fn latency(latencies_us: &mut [u64]) -> Latency {
    latencies_us.sort_unstable();
    let rank = |percent: u64| -> u64 {
        let count = latencies_us.len() as u64;
        if count == 0 {
            return 0;
        }
        // The smallest value with at least `percent` % of the values at or below it.
        let rank = (percent * count).div_ceil(100).max(1);
        latencies_us[(rank - 1) as usize]
    };
    let mean = if latencies_us.is_empty() {
        0.0
    } else {
        latencies_us.iter().map(|&us| us as f64).sum::<f64>() / latencies_us.len() as f64
    };
    Latency {
        p50: rank(50),
        p90: rank(90),
        p99: rank(99),
        max: latencies_us.last().copied().unwrap_or(0),
        mean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `h2load -t 1 -c 4 -m 8 -D 1 --log-file=… http://127.0.0.1:19084/small` against a
    /// peer that answered every HTTP/2 request 502 (the `hyper` peer before it sent HTTP/2
    /// requests on as HTTP/1.1): all of them `failed`, none `errored`.
    const ALL_502: &str = "starting benchmark...
spawning thread #0: 4 total client(s). Timing-based test with 0s of warm-up time and 1s of main duration for measurements.
Warm-up started for thread #0.
progress: 25% of clients started
progress: 50% of clients started
progress: 75% of clients started
progress: 100% of clients started
Warm-up phase is over for thread #0.
Main benchmark duration is started for thread #0.
Application protocol: h2c
Main benchmark duration is over for thread #0. Stopping all clients.
Stopped all clients for thread #0

finished in 1.00s, 161840.00 req/s, 1.70MB/s
requests: 161840 total, 161872 started, 161840 done, 0 succeeded, 161840 failed, 0 errored, 0 timeout
status codes: 0 2xx, 0 3xx, 0 4xx, 161840 5xx
traffic: 1.70MB (1780660) total, 316.29KB (323880) headers (space savings 95.35%), 0B (0) data
                     min         max         mean         sd        +/- sd
time for request:       41us      5.14ms       160us       255us    99.23%
time for connect:       55us        87us        74us        13us    75.00%
time to 1st byte:      740us      1.43ms      1.12ms       355us    75.00%
req/s           :   36615.71    44131.61    40451.36     4166.73   100.00%
";

    /// The same against nginx with `keepalive_requests 100`: each connection's GOAWAY after
    /// 100 requests refused the streams in flight (`errored`, `-1` in the log) and h2load
    /// did not reconnect.
    const GOAWAY: &str = "starting benchmark...
spawning thread #0: 4 total client(s). Timing-based test with 0s of warm-up time and 1s of main duration for measurements.
Warm-up started for thread #0.
progress: 25% of clients started
progress: 50% of clients started
progress: 75% of clients started
progress: 100% of clients started
Warm-up phase is over for thread #0.
Main benchmark duration is started for thread #0.
Application protocol: h2c
Process Request Failure:2
Process Request Failure:7
Process Request Failure:13
Process Request Failure:21
Main benchmark duration is over for thread #0. Stopping all clients.
Stopped all clients for thread #0

finished in 1.01s, 400.00 req/s, 61.59KB/s
requests: 423 total, 423 started, 423 done, 400 succeeded, 23 failed, 23 errored, 0 timeout
status codes: 400 2xx, 0 3xx, 0 4xx, 0 5xx
traffic: 61.59KB (63064) total, 21.09KB (21600) headers (space savings 48.57%), 33.20KB (34000) data
                     min         max         mean         sd        +/- sd
time for request:       66us      2.35ms       881us       415us    89.25%
time for connect:       55us        88us        75us        14us    75.00%
time to 1st byte:      2.18ms      2.42ms      2.28ms       103us    75.00%
req/s           :    8471.92     8734.44     8605.91      128.64    75.00%
";

    /// A log of `answered` rows of `status` taking 100 µs, then `unanswered` `-1` rows.
    fn log_of(answered: u64, status: u16, unanswered: u64) -> String {
        let mut log = String::new();
        for i in 0..answered {
            log.push_str(&format!("{}\t{status}\t100\n", 1795686692357585 + i));
        }
        for i in 0..unanswered {
            log.push_str(&format!("{}\t-1\t2000\n", 1795686692400000 + i));
        }
        log
    }

    #[test]
    fn the_summary_of_a_real_run_is_read() {
        assert_eq!(
            summary(ALL_502).unwrap(),
            Summary {
                duration_us: 1_000_000,
                succeeded: 0,
                failed: 161840,
                errored: 0,
                timeout: 0,
                bytes: 1780660,
            }
        );
        let result = parse(ALL_502, log_of(161840, 502, 0).as_bytes()).unwrap();
        assert_eq!(result.requests, 161840);
        assert_eq!(result.errors.status, 161840);
        assert_eq!(result.errors.total(), 161840);
        // The rate h2load printed.
        assert!((result.requests_per_second() - 161840.0).abs() < 1e-9);
    }

    #[test]
    fn a_log_sample_gives_nearest_rank_percentiles_and_status_errors() {
        // Rows as h2load writes them (first three from a real run), out of order as with
        // several threads; one stream without an answer, one 404, one 502.
        let sample = "1795686693389528\t200\t1042\n\
            1795686693389529\t200\t1068\n\
            1795686693389529\t200\t1071\n\
            1795686693389530\t404\t90\n\
            1795686693389531\t-1\t99999\n\
            1795686693389530\t200\t700\n\
            1795686693389532\t200\t800\n\
            1795686693389533\t502\t5000\n\
            1795686693389534\t200\t900\n\
            1795686693389535\t204\t950\n\
            1795686693389536\t301\t1000\n";
        let mut log = read_log(sample.as_bytes()).unwrap();
        assert_eq!(log.latencies_us.len(), 10);
        assert_eq!(log.bad_status, 2);
        let latency = latency(&mut log.latencies_us);
        // Sorted: 90 700 800 900 950 1000 1042 1068 1071 5000.
        assert_eq!(latency.p50, 950);
        assert_eq!(latency.p90, 1071);
        assert_eq!(latency.p99, 5000);
        assert_eq!(latency.max, 5000);
        assert!((latency.mean - 1262.1).abs() < 1e-9);
    }

    #[test]
    fn nearest_rank_on_a_hundred_values_and_on_none() {
        let mut values: Vec<u64> = (1..=100).rev().collect();
        let latency = latency(&mut values);
        assert_eq!((latency.p50, latency.p90, latency.p99), (50, 90, 99));
        assert_eq!(latency.max, 100);
        let none = super::latency(&mut []);
        assert_eq!((none.p50, none.max, none.mean), (0, 0, 0.0));
    }

    #[test]
    fn unanswered_requests_are_read_errors_and_not_requests() {
        let result = parse(GOAWAY, log_of(400, 200, 23).as_bytes()).unwrap();
        assert_eq!(result.requests, 400);
        assert_eq!(result.bytes, 63064);
        assert_eq!(result.errors.read, 23);
        assert_eq!(result.errors.status, 0);
        assert_eq!(result.errors.total(), 23);
        assert_eq!(result.latency_us.p99, 100);
    }

    #[test]
    fn timeouts_are_not_counted_twice() {
        let text = GOAWAY.replace("23 errored, 0 timeout", "23 errored, 5 timeout");
        let result = parse(&text, log_of(400, 200, 0).as_bytes()).unwrap();
        assert_eq!(result.errors.timeout, 5);
        assert_eq!(result.errors.read, 18);
        assert_eq!(result.errors.total(), 23);
    }

    #[test]
    fn a_whole_second_duration_other_than_one_is_read() {
        let text = ALL_502.replace("and 1s of main", "and 30s of main");
        assert_eq!(summary(&text).unwrap().duration_us, 30_000_000);
    }

    #[test]
    fn output_without_a_summary_is_an_error() {
        let text = "starting benchmark...\nspawning thread #0: 4 total client(s). \
            Timing-based test with 0s of warm-up time and 1s of main duration for \
            measurements.\nSegmentation fault\n";
        let error = parse(text, &b""[..]).unwrap_err();
        assert!(
            matches!(
                error,
                H2loadError::NoSummary {
                    missing: "`requests:` line",
                    ..
                }
            ),
            "{error}"
        );
        let truncated = ALL_502.replace(" 0 errored,", "");
        let error = summary(&truncated).unwrap_err();
        assert!(
            matches!(
                error,
                H2loadError::NoSummary {
                    missing: "`errored` count",
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("161840 failed"));
    }

    #[test]
    fn a_malformed_or_disagreeing_log_is_an_error() {
        let error = read_log("1795686693389528\t200\t1042\n1795686693389529\t200\n".as_bytes())
            .unwrap_err();
        assert!(
            matches!(error, H2loadError::BadLog { line: 2, .. }),
            "{error}"
        );
        let error = parse(GOAWAY, log_of(399, 200, 23).as_bytes()).unwrap_err();
        assert!(
            matches!(
                error,
                H2loadError::LogMismatch {
                    logged: 399,
                    summary: 400,
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn the_request_is_passed_as_asked() {
        let spec = H2loadRun {
            h2load: Path::new("/usr/bin/h2load"),
            taskset: Path::new("/usr/bin/taskset"),
            cpus: "1",
            threads: 4,
            connections: 2,
            streams: 10,
            duration: Duration::from_millis(500),
            address: "127.0.0.1:19084".parse().unwrap(),
            path: "/small",
            method: "POST",
            body: "{}",
            headers: &[("content-type", "application/json")],
        };
        let arguments = arguments(&spec, Some(Path::new("/tmp/body")), Path::new("/tmp/log"));
        assert_eq!(
            arguments.join(" "),
            "-t 2 -c 2 -m 10 -D 1s -N 10s --log-file=/tmp/log -H :method: POST \
             -H content-type: application/json -d /tmp/body http://127.0.0.1:19084/small"
        );
    }
}
