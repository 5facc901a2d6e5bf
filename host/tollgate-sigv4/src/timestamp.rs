//! Signing times: ISO 8601 basic format (`20150830T123600Z`, what SigV4 signs) and HTTP
//! dates (the `Date` header AWS also accepts), in whole UTC seconds.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp(i64);

impl Timestamp {
    pub(crate) fn from_system_time(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => Self(after.as_secs() as i64),
            Err(before) => Self(-(before.duration().as_secs() as i64)),
        }
    }

    pub(crate) fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds))
    }

    /// `yyyymmddThhmmssZ`, exactly: no separators, no fraction, `Z` only.
    pub(crate) fn parse_iso_basic(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<i64> {
            let digits = &text[range];
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        };
        let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
        let (hour, minute, second) = (number(9..11)?, number(11..13)?, number(13..15)?);
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        Some(Self(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }

    /// An HTTP date (IMF-fixdate, RFC 850 or asctime), also with the RFC 2822 zones `+0000`,
    /// `-0000` and `UTC` that mail-style formatters write (botocore's `formatdate` writes
    /// `-0000`); or ISO 8601 basic format.
    pub(crate) fn parse_date_header(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(time) = Self::parse_iso_basic(text) {
            return Some(time);
        }
        let gmt = ["+0000", "-0000", "UTC"]
            .iter()
            .find_map(|zone| text.strip_suffix(zone))
            .map(|rest| format!("{}GMT", rest));
        let text = gmt.as_deref().unwrap_or(text);
        httpdate::parse_http_date(text)
            .ok()
            .map(Self::from_system_time)
    }

    pub(crate) fn iso_basic(self) -> String {
        let days = self.0.div_euclid(86_400);
        let seconds = self.0.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
            seconds / 3_600,
            seconds % 3_600 / 60,
            seconds % 60
        )
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian calendar), so the
// crate needs no calendar dependency for two conversions.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn iso_basic_round_trips_through_unix_time() {
        // 2015-08-30T12:36:00Z, the test suite's time, is 1440938160 (date -d ... +%s).
        let time = Timestamp::parse_iso_basic("20150830T123600Z").unwrap();
        assert_eq!(time, Timestamp(1_440_938_160));
        assert_eq!(time.iso_basic(), "20150830T123600Z");
        for text in [
            "19700101T000000Z",
            "20000229T235959Z",
            "21000301T000000Z",
            "19691231T235959Z",
        ] {
            assert_eq!(Timestamp::parse_iso_basic(text).unwrap().iso_basic(), text);
        }
    }

    #[test]
    fn iso_basic_rejects_other_shapes() {
        for text in [
            "",
            "201",
            "2015-08-30T12:36:00Z",
            "20150830T123600",
            "20150830t123600z",
            "20150230T000000Z",
            "20150830T246000Z",
            "2015083OT123600Z",
            "+0150830T123600Z",
        ] {
            assert_eq!(Timestamp::parse_iso_basic(text), None, "{text}");
        }
    }

    #[test]
    fn date_header_accepts_http_and_mail_dates() {
        let expected = Timestamp(1_440_938_160);
        for text in [
            "Sun, 30 Aug 2015 12:36:00 GMT",
            "Sun, 30 Aug 2015 12:36:00 -0000",
            "Sun, 30 Aug 2015 12:36:00 +0000",
            "Sunday, 30-Aug-15 12:36:00 GMT",
            "20150830T123600Z",
        ] {
            assert_eq!(Timestamp::parse_date_header(text), Some(expected), "{text}");
        }
        assert_eq!(
            Timestamp::parse_date_header("Sun, 30 Aug 2015 12:36:00 +0200"),
            None
        );
    }

    #[test]
    fn system_time_conversion_keeps_whole_seconds() {
        let time = UNIX_EPOCH + Duration::from_millis(1_440_938_160_999);
        assert_eq!(Timestamp::from_system_time(time), Timestamp(1_440_938_160));
        assert_eq!(
            Timestamp(1_440_938_160).plus_seconds(-300).iso_basic(),
            "20150830T123100Z"
        );
    }
}
