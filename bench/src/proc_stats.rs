//! What the kernel says about a peer's processes (`/proc`): CPU time and resident memory.
//!
//! A peer may be several processes (nginx's master and workers); every figure is the sum
//! over its [`ProcessGroup`]. CPU time is `utime + stime` of `/proc/PID/stat` (all threads
//! of the process); memory is `VmRSS` (now) and `VmHWM` (the peak, which
//! [`ProcessGroup::reset_peak_rss`] restarts so each run reports its own peak).

use std::fs;
use std::process::Command;

/// The processes that make up one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessGroup {
    pids: Vec<u32>,
}

/// Reading `/proc` failed (the process is gone, or `/proc` is not Linux's).
#[derive(Debug, thiserror::Error)]
#[error("reading /proc/{pid}/{file}: {source}")]
pub struct ProcError {
    pid: u32,
    file: &'static str,
    source: std::io::Error,
}

impl ProcessGroup {
    /// One process.
    pub fn single(pid: u32) -> ProcessGroup {
        ProcessGroup { pids: vec![pid] }
    }

    /// A process and its direct children (nginx: the master and its workers).
    pub fn with_children(pid: u32) -> ProcessGroup {
        let mut pids = vec![pid];
        pids.extend(children_of(pid));
        ProcessGroup { pids }
    }

    pub fn pids(&self) -> &[u32] {
        &self.pids
    }

    /// User plus system CPU time of every process, in clock ticks.
    pub fn cpu_ticks(&self) -> Result<u64, ProcError> {
        let mut total = 0;
        for &pid in &self.pids {
            let stat = read(pid, "stat")?;
            // The command name (field 2) is in parentheses and may hold spaces; the fields
            // after its closing parenthesis start at field 3 (state).
            let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            let fields: Vec<&str> = after_name.split_whitespace().collect();
            // utime and stime are fields 14 and 15, i.e. 11 and 12 after the name.
            let ticks = |index: usize| -> u64 {
                fields
                    .get(index)
                    .and_then(|value| value.parse().ok())
                    .unwrap_or(0)
            };
            total += ticks(11) + ticks(12);
        }
        Ok(total)
    }

    /// The resident set of every process now, in KiB.
    pub fn rss_kib(&self) -> Result<u64, ProcError> {
        self.status_field_kib("VmRSS:")
    }

    /// The peak resident set of every process since start or since
    /// [`ProcessGroup::reset_peak_rss`], in KiB, summed.
    pub fn peak_rss_kib(&self) -> Result<u64, ProcError> {
        self.status_field_kib("VmHWM:")
    }

    /// Restarts the peak-RSS counters (writing 5 to `/proc/PID/clear_refs`, Linux ≥ 4.0).
    /// Returns false where the kernel refuses; the peak is then the process's lifetime peak.
    pub fn reset_peak_rss(&self) -> bool {
        self.pids
            .iter()
            .all(|pid| fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok())
    }

    fn status_field_kib(&self, field: &str) -> Result<u64, ProcError> {
        let mut total = 0;
        for &pid in &self.pids {
            let status = read(pid, "status")?;
            total += status
                .lines()
                .find_map(|line| line.strip_prefix(field))
                .and_then(|value| value.split_whitespace().next())
                .and_then(|kib| kib.parse::<u64>().ok())
                .unwrap_or(0);
        }
        Ok(total)
    }
}

fn read(pid: u32, file: &'static str) -> Result<String, ProcError> {
    fs::read_to_string(format!("/proc/{pid}/{file}")).map_err(|source| ProcError {
        pid,
        file,
        source,
    })
}

/// The processes whose parent is `pid`.
pub fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut children = Vec::new();
    for entry in entries.flatten() {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // Field 4 (ppid) is the second field after the command name.
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|ppid| ppid.parse::<u32>().ok());
        if parent == Some(pid) {
            children.push(child);
        }
    }
    children.sort_unstable();
    children
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on every Linux this runs on otherwise).
pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_cpu_time_and_memory() {
        let me = ProcessGroup::single(std::process::id());
        // Burn a little CPU so that at least one tick is accounted.
        let mut x = 0u64;
        for i in 0..50_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i * i));
        }
        assert!(x > 0);
        assert!(me.cpu_ticks().unwrap() > 0);
        assert!(me.rss_kib().unwrap() > 0);
        assert!(me.peak_rss_kib().unwrap() >= me.rss_kib().unwrap() / 2);
    }

    #[test]
    fn a_missing_process_is_an_error() {
        assert!(ProcessGroup::single(u32::MAX).cpu_ticks().is_err());
    }
}
