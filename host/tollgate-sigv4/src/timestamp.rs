//! Signing times: ISO 8601 basic format (`20150830T123600Z`, what SigV4 signs) and HTTP
//! dates (the `Date` header AWS also accepts), in whole UTC seconds. The calendar is the
//! `time` crate's (proleptic Gregorian, years -9999 to 9999).

use std::time::{SystemTime, UNIX_EPOCH};

use time::{Date, Month, Time, UtcDateTime};

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
        // On bytes, not `str` slices: a multi-byte character must be rejected, not split.
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            bytes[range].iter().try_fold(0u16, |number, &byte| {
                byte.is_ascii_digit()
                    .then(|| number * 10 + u16::from(byte - b'0'))
            })
        };
        let two_digits = |range| number(range).and_then(|value| u8::try_from(value).ok());
        let month = Month::try_from(two_digits(4..6)?).ok()?;
        let date = Date::from_calendar_date(i32::from(number(0..4)?), month, two_digits(6..8)?);
        let time = Time::from_hms(two_digits(9..11)?, two_digits(11..13)?, two_digits(13..15)?);
        let time = UtcDateTime::new(date.ok()?, time.ok()?);
        Some(Self(time.unix_timestamp()))
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

    /// `yyyymmddThhmmssZ`. Outside the years -9999 to 9999 that `time` represents (which
    /// neither a parsed time nor the clock reaches), the first or last second of that range.
    pub(crate) fn iso_basic(self) -> String {
        let time = UtcDateTime::from_unix_timestamp(self.0).unwrap_or(if self.0 < 0 {
            UtcDateTime::MIN
        } else {
            UtcDateTime::MAX
        });
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            time.year(),
            u8::from(time.month()),
            time.day(),
            time.hour(),
            time.minute(),
            time.second()
        )
    }
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

    #[test]
    fn iso_basic_rejects_multi_byte_text_without_panicking() {
        // 16 bytes with `T` and `Z` in place, but `é` straddles the year and the month.
        for text in ["201\u{e9}830T123600Z", "20150830T1\u{e9}600Z"] {
            assert_eq!(text.len(), 16);
            assert_eq!(Timestamp::parse_iso_basic(text), None, "{text}");
            assert_eq!(Timestamp::parse_date_header(text), None, "{text}");
        }
    }

    #[test]
    fn iso_basic_knows_leap_years_and_the_ends_of_the_range() {
        for (text, valid) in [
            ("20000229T000000Z", true),
            ("21000229T000000Z", false),
            ("20240229T000000Z", true),
            ("20230229T000000Z", false),
            ("20240431T000000Z", false),
            ("20241301T000000Z", false),
            ("20240001T000000Z", false),
            ("20240100T000000Z", false),
            ("20240101T236000Z", false),
            ("20240101T235960Z", false),
        ] {
            assert_eq!(Timestamp::parse_iso_basic(text).is_some(), valid, "{text}");
        }
        assert_eq!(
            Timestamp::parse_iso_basic("21000301T000000Z").unwrap().0
                - Timestamp::parse_iso_basic("21000228T000000Z").unwrap().0,
            86_400
        );
        for text in ["00000101T000000Z", "99991231T235959Z"] {
            assert_eq!(Timestamp::parse_iso_basic(text).unwrap().iso_basic(), text);
        }
        assert_eq!(Timestamp(i64::MAX).iso_basic(), "99991231T235959Z");
        assert_eq!(Timestamp(i64::MIN).iso_basic(), "-99990101T000000Z");
    }
}
