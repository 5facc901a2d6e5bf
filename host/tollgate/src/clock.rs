//! The gateway's wall clock: request times, quota periods, signature and token expiry all read
//! it here. `TOLLGATE_CLOCK_OFFSET_SECONDS` (signed, read once at start) shifts it, so that a
//! test can restart a gateway "tomorrow" to see a daily quota reset, or "an hour ago" to see
//! signatures expire; nothing else moves time.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The environment variable that shifts the clock, in seconds (may be negative).
pub const OFFSET_VARIABLE: &str = "TOLLGATE_CLOCK_OFFSET_SECONDS";

fn offset() -> i64 {
    static OFFSET: OnceLock<i64> = OnceLock::new();
    *OFFSET.get_or_init(|| {
        std::env::var(OFFSET_VARIABLE)
            .ok()
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or(0)
    })
}

/// Now, shifted by the configured offset.
pub fn now() -> SystemTime {
    let real = SystemTime::now();
    match offset() {
        0 => real,
        seconds if seconds > 0 => real + Duration::from_secs(seconds.unsigned_abs()),
        seconds => real - Duration::from_secs(seconds.unsigned_abs()),
    }
}

/// Seconds since the Unix epoch of a time (0 before it).
pub fn unix_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
