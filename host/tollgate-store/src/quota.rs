//! Usage-plan quotas and their periods, with AWS's reset semantics: periods are in UTC; a DAY
//! starts at 00:00; a WEEK on Sunday plus `offset` days; a MONTH on day 1 plus `offset`.
//!
//! Both the gateway and `tollgate usage` compute periods here, so that they agree to the
//! second on when a period starts and ends. Days and weeks are counted in days since the Unix
//! epoch; months use the `time` crate's calendar (the proleptic Gregorian calendar, as UTC
//! uses), which ends with the year 9999: later instants are taken as its last second.

use serde::{Deserialize, Serialize};
use time::{Date, Month, UtcDateTime};

use crate::StoreError;

const SECONDS_PER_DAY: u64 = 86_400;

/// How long a quota lasts before its count starts again (AWS's `QuotaSettings.period`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum QuotaPeriod {
    /// A UTC day, from 00:00.
    Day,
    /// Seven days from a Sunday (plus the quota's offset) at 00:00 UTC.
    Week,
    /// A calendar month from day 1 (plus the quota's offset) at 00:00 UTC.
    Month,
}

impl QuotaPeriod {
    /// AWS's spelling: `DAY`, `WEEK`, `MONTH`.
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaPeriod::Day => "DAY",
            QuotaPeriod::Week => "WEEK",
            QuotaPeriod::Month => "MONTH",
        }
    }

    /// The largest offset AWS accepts for the period: none for a day, Saturday for a week,
    /// day 28 for a month (so that every month has the starting day).
    pub fn max_offset(self) -> u32 {
        match self {
            QuotaPeriod::Day => 0,
            QuotaPeriod::Week => 6,
            QuotaPeriod::Month => 27,
        }
    }
}

impl std::fmt::Display for QuotaPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for QuotaPeriod {
    type Err = String;

    /// `DAY`, `WEEK` or `MONTH`, in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_uppercase().as_str() {
            "DAY" => Ok(QuotaPeriod::Day),
            "WEEK" => Ok(QuotaPeriod::Week),
            "MONTH" => Ok(QuotaPeriod::Month),
            _ => Err(format!("expected DAY, WEEK or MONTH, found {text:?}")),
        }
    }
}

/// How many requests a key may make per period (AWS's `QuotaSettings`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    /// The requests allowed in one period.
    pub limit: u64,
    /// The period.
    pub period: QuotaPeriod,
    /// The day the period starts, as AWS: for WEEK 0 is Sunday, 1 Monday...; for MONTH 0 is
    /// the 1st; for DAY it must be 0.
    #[serde(default)]
    pub offset: u32,
}

impl Quota {
    /// Checks the offset against the period, as AWS does.
    pub fn check(&self) -> Result<(), StoreError> {
        let max = self.period.max_offset();
        if self.offset > max {
            return Err(StoreError::Invalid {
                what: "quota offset",
                reason: format!(
                    "{} is past the {} period: expected 0 to {max}",
                    self.offset, self.period
                ),
            });
        }
        Ok(())
    }
}

/// The start, in unix seconds, of the quota period that contains `now_unix`.
pub fn quota_period_start(quota: &Quota, now_unix: u64) -> u64 {
    let today = now_unix / SECONDS_PER_DAY;
    let offset = quota.offset.min(quota.period.max_offset());
    match quota.period {
        QuotaPeriod::Day => today * SECONDS_PER_DAY,
        QuotaPeriod::Week => {
            // 1970-01-01 was a Thursday: day 0 is weekday 4 counting from Sunday.
            let weekday = (today + 4) % 7;
            let back = (weekday + 7 - u64::from(offset)) % 7;
            today.saturating_sub(back) * SECONDS_PER_DAY
        }
        QuotaPeriod::Month => {
            let today = utc(now_unix).date();
            // At most 28 (`max_offset`), a day that every month has.
            let first = offset as u8 + 1;
            let (year, month) = if today.day() >= first {
                (today.year(), today.month())
            } else {
                previous_month(today.year(), today.month())
            };
            // Before 1970 (only from January 1970), the epoch.
            midnight(year, month, first).unwrap_or(0)
        }
    }
}

/// The end, in unix seconds, of the quota period that contains `now_unix`: the start of the
/// next one (exclusive).
pub fn quota_period_end(quota: &Quota, now_unix: u64) -> u64 {
    let start = quota_period_start(quota, now_unix);
    match quota.period {
        QuotaPeriod::Day => start + SECONDS_PER_DAY,
        QuotaPeriod::Week => start + 7 * SECONDS_PER_DAY,
        QuotaPeriod::Month => {
            let start = utc(start).date();
            let (year, month) = next_month(start.year(), start.month());
            // Past the year 9999, the end of time.
            midnight(year, month, start.day()).unwrap_or(u64::MAX)
        }
    }
}

/// `unix` (seconds) as ISO 8601 in UTC, `2024-02-29T00:00:00Z`.
pub fn format_utc(unix: u64) -> String {
    let time = utc(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

/// The UTC date and time of `unix` seconds; after the year 9999, the last second of it.
fn utc(unix: u64) -> UtcDateTime {
    i64::try_from(unix)
        .ok()
        .and_then(|unix| UtcDateTime::from_unix_timestamp(unix).ok())
        .unwrap_or(UtcDateTime::MAX)
}

/// Unix seconds of 00:00 UTC on a date: `None` when the date does not exist, is before 1970
/// or after the year 9999.
fn midnight(year: i32, month: Month, day: u8) -> Option<u64> {
    let date = Date::from_calendar_date(year, month, day).ok()?;
    u64::try_from(UtcDateTime::new(date, time::Time::MIDNIGHT).unix_timestamp()).ok()
}

fn previous_month(year: i32, month: Month) -> (i32, Month) {
    match month {
        Month::January => (year - 1, Month::December),
        month => (year, month.previous()),
    }
}

fn next_month(year: i32, month: Month) -> (i32, Month) {
    match month {
        Month::December => (year + 1, Month::January),
        month => (year, month.next()),
    }
}

/// Days since 1970-01-01 of a date on or after it (the tests' way to write instants).
#[cfg(test)]
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = i32::try_from(year).expect("a year of the calendar");
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok());
    let day = u8::try_from(day).expect("a day of the month");
    midnight(year, month.expect("a month"), day).expect("a date from 1970 to 9999")
        / SECONDS_PER_DAY
}

/// The (year, month, day) of a count of days since 1970-01-01.
#[cfg(test)]
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let date = utc(days * SECONDS_PER_DAY).date();
    let year = u64::try_from(date.year()).expect("a year after 1970");
    (year, u8::from(date.month()).into(), date.day().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix seconds of a UTC date and time.
    fn at(year: u64, month: u64, day: u64, hour: u64, minute: u64) -> u64 {
        days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60
    }

    fn quota(period: QuotaPeriod, offset: u32) -> Quota {
        Quota {
            limit: 1000,
            period,
            offset,
        }
    }

    fn period(quota: &Quota, now: u64) -> (String, String) {
        (
            format_utc(quota_period_start(quota, now)),
            format_utc(quota_period_end(quota, now)),
        )
    }

    #[test]
    fn the_calendar_round_trips_and_knows_leap_years() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
        // 2000 is a leap year (divisible by 400), 2100 is not (by 100), 2024 is, 2023 not.
        assert_eq!(
            days_from_civil(2100, 3, 1) - days_from_civil(2100, 2, 28),
            1
        );
        assert_eq!(
            days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28),
            2
        );
        assert_eq!(
            days_from_civil(2023, 3, 1) - days_from_civil(2023, 2, 28),
            1
        );
        for days in (0..200_000).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn format_utc_is_iso_8601() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(
            format_utc(at(2024, 12, 31, 23, 59) + 59),
            "2024-12-31T23:59:59Z"
        );
    }

    #[test]
    fn a_day_runs_from_midnight_to_midnight_utc() {
        let day = quota(QuotaPeriod::Day, 0);
        assert_eq!(
            period(&day, at(2024, 2, 28, 23, 59)),
            ("2024-02-28T00:00:00Z".into(), "2024-02-29T00:00:00Z".into())
        );
        assert_eq!(
            period(&day, at(2024, 2, 29, 0, 0)),
            ("2024-02-29T00:00:00Z".into(), "2024-03-01T00:00:00Z".into())
        );
        assert_eq!(
            period(&day, at(2024, 12, 31, 12, 0)),
            ("2024-12-31T00:00:00Z".into(), "2025-01-01T00:00:00Z".into())
        );
    }

    #[test]
    fn a_week_starts_on_sunday_plus_the_offset() {
        // 2025-01-01 is a Wednesday; the Sunday before is 2024-12-29.
        let sunday = quota(QuotaPeriod::Week, 0);
        assert_eq!(
            period(&sunday, at(2025, 1, 1, 10, 0)),
            ("2024-12-29T00:00:00Z".into(), "2025-01-05T00:00:00Z".into())
        );
        // On the starting day itself, the period starts that day.
        assert_eq!(
            quota_period_start(&sunday, at(2024, 12, 29, 0, 0)),
            at(2024, 12, 29, 0, 0)
        );
        assert_eq!(
            quota_period_start(&sunday, at(2024, 12, 28, 23, 59)),
            at(2024, 12, 22, 0, 0)
        );
        let monday = quota(QuotaPeriod::Week, 1);
        assert_eq!(
            period(&monday, at(2025, 1, 1, 10, 0)),
            ("2024-12-30T00:00:00Z".into(), "2025-01-06T00:00:00Z".into())
        );
        // Thursday-started weeks: 1970-01-01 (day 0) was a Thursday.
        let thursday = quota(QuotaPeriod::Week, 4);
        assert_eq!(quota_period_start(&thursday, 3600), 0);
        let saturday = quota(QuotaPeriod::Week, 6);
        assert_eq!(
            period(&saturday, at(2024, 3, 1, 0, 0)),
            ("2024-02-24T00:00:00Z".into(), "2024-03-02T00:00:00Z".into())
        );
    }

    #[test]
    fn a_month_starts_on_day_one_plus_the_offset() {
        let first = quota(QuotaPeriod::Month, 0);
        assert_eq!(
            period(&first, at(2024, 2, 29, 13, 0)),
            ("2024-02-01T00:00:00Z".into(), "2024-03-01T00:00:00Z".into())
        );
        assert_eq!(
            period(&first, at(2024, 12, 31, 23, 59)),
            ("2024-12-01T00:00:00Z".into(), "2025-01-01T00:00:00Z".into())
        );
        assert_eq!(
            period(&first, at(2025, 1, 1, 0, 0)),
            ("2025-01-01T00:00:00Z".into(), "2025-02-01T00:00:00Z".into())
        );
        // Starting on the 15th: before it, the period began in the month before, across a
        // year boundary.
        let fifteenth = quota(QuotaPeriod::Month, 14);
        assert_eq!(
            period(&fifteenth, at(2025, 1, 14, 23, 59)),
            ("2024-12-15T00:00:00Z".into(), "2025-01-15T00:00:00Z".into())
        );
        assert_eq!(
            period(&fifteenth, at(2025, 1, 15, 0, 0)),
            ("2025-01-15T00:00:00Z".into(), "2025-02-15T00:00:00Z".into())
        );
        // Day 28, the last offset AWS allows: February in leap and common years.
        let last = quota(QuotaPeriod::Month, 27);
        assert_eq!(
            period(&last, at(2024, 2, 29, 0, 0)),
            ("2024-02-28T00:00:00Z".into(), "2024-03-28T00:00:00Z".into())
        );
        assert_eq!(
            period(&last, at(2023, 3, 1, 0, 0)),
            ("2023-02-28T00:00:00Z".into(), "2023-03-28T00:00:00Z".into())
        );
        assert_eq!(
            period(&last, at(2024, 1, 27, 0, 0)),
            ("2023-12-28T00:00:00Z".into(), "2024-01-28T00:00:00Z".into())
        );
    }

    #[test]
    fn every_instant_falls_in_its_period() {
        for period_kind in [QuotaPeriod::Day, QuotaPeriod::Week, QuotaPeriod::Month] {
            for offset in [0, period_kind.max_offset()] {
                let q = quota(period_kind, offset);
                let mut now = at(2023, 11, 1, 0, 0);
                while now < at(2025, 3, 1, 0, 0) {
                    let start = quota_period_start(&q, now);
                    let end = quota_period_end(&q, now);
                    assert!(start <= now && now < end, "{q:?} at {}", format_utc(now));
                    // The next period starts where this one ends.
                    assert_eq!(quota_period_start(&q, end), end);
                    now += 7 * 3600 + 13 * 60;
                }
            }
        }
    }

    #[test]
    fn offsets_are_checked_against_the_period() {
        assert!(quota(QuotaPeriod::Day, 0).check().is_ok());
        assert!(quota(QuotaPeriod::Day, 1).check().is_err());
        assert!(quota(QuotaPeriod::Week, 6).check().is_ok());
        assert!(quota(QuotaPeriod::Week, 7).check().is_err());
        assert!(quota(QuotaPeriod::Month, 27).check().is_ok());
        let error = quota(QuotaPeriod::Month, 28)
            .check()
            .expect_err("past day 28");
        assert_eq!(
            error.to_string(),
            "invalid quota offset: 28 is past the MONTH period: expected 0 to 27"
        );
    }

    #[test]
    fn periods_parse_and_serialize_as_aws_spells_them() {
        assert_eq!("day".parse::<QuotaPeriod>(), Ok(QuotaPeriod::Day));
        assert_eq!("MONTH".parse::<QuotaPeriod>(), Ok(QuotaPeriod::Month));
        assert!("year".parse::<QuotaPeriod>().is_err());
        assert_eq!(
            serde_json::to_string(&quota(QuotaPeriod::Week, 1)).expect("json"),
            r#"{"limit":1000,"period":"WEEK","offset":1}"#
        );
    }

    #[test]
    fn instants_after_the_year_9999_saturate_without_panicking() {
        let end_of_9999 = at(9999, 12, 31, 23, 59) + 59;
        assert_eq!(format_utc(end_of_9999), "9999-12-31T23:59:59Z");
        assert_eq!(format_utc(end_of_9999 + 1), "9999-12-31T23:59:59Z");
        assert_eq!(format_utc(u64::MAX), "9999-12-31T23:59:59Z");
        let month = quota(QuotaPeriod::Month, 0);
        assert_eq!(
            quota_period_start(&month, end_of_9999),
            at(9999, 12, 1, 0, 0)
        );
        assert_eq!(quota_period_end(&month, end_of_9999), u64::MAX);
        assert_eq!(
            quota_period_start(&month, u64::MAX - 1),
            at(9999, 12, 1, 0, 0)
        );
        let sunday = quota(QuotaPeriod::Week, 0);
        let start = quota_period_start(&sunday, u64::MAX / 2);
        assert!(start <= u64::MAX / 2 && u64::MAX / 2 < quota_period_end(&sunday, u64::MAX / 2));
    }

    #[test]
    fn a_month_period_in_january_1970_starts_at_the_epoch() {
        // The period would start in December 1969; unix seconds start at 0.
        let fifteenth = quota(QuotaPeriod::Month, 14);
        assert_eq!(quota_period_start(&fifteenth, at(1970, 1, 10, 0, 0)), 0);
        assert_eq!(
            format_utc(quota_period_end(&fifteenth, at(1970, 1, 10, 0, 0))),
            "1970-02-01T00:00:00Z"
        );
    }
}
