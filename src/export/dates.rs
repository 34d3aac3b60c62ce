//! Dates in front matter: reading `date` fields and writing them for feeds
//! and sitemaps.
//!
//! casebook never reads the clock: every date printed comes from an entry.
//! Calendar arithmetic is `jiff`'s; the lenient reading of what authors type
//! (`2024-05-01`, with an optional time and offset) is written here.

use jiff::civil::Date;
use jiff::Timestamp;

use crate::model::Entry;

/// The entry's `date` field as seconds since 1970 (UTC), if it is a valid date.
pub fn entry_time(entry: &Entry) -> Option<i64> {
    entry
        .fields
        .get("date")
        .and_then(|d| d.as_str())
        .and_then(parse_date)
}

/// Reads `2024-05-01`, `2024-05-01T09:30:00Z` or `2024-05-01T09:30:00+02:00`
/// (seconds optional, fractions ignored) as seconds since 1970 (UTC).
pub fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, day) = (number(y)?, number(m)?, number(d)?);
    let mut seconds = day_start(year, month, day)?;
    if let Some(time) = time {
        let (clock, offset) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
            (clock, 0)
        } else if let Some(at) = time.rfind(['+', '-']) {
            let (clock, zone) = time.split_at(at);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = zone[1..].split_once(':')?;
            let (h, m) = (number(h)?, number(m)?);
            if h > 23 || m > 59 {
                return None;
            }
            (clock, sign * (h * 3600 + m * 60))
        } else {
            (time, 0) // no zone: read as UTC
        };
        let clock = clock.split('.').next()?;
        let mut fields = clock.split(':');
        let hour = number(fields.next()?)?;
        let minute = number(fields.next()?)?;
        let second = fields.next().map_or(Some(0), number)?;
        if fields.next().is_some() || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        seconds += hour * 3600 + minute * 60 + second - offset;
    }
    Some(seconds)
}

/// Seconds since 1970 (UTC) at the start of a day, if the date exists.
fn day_start(year: i64, month: i64, day: i64) -> Option<i64> {
    let date = Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let start = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(start.timestamp().as_second())
}

/// `2024-05-01` for seconds since 1970 (UTC).
pub fn format_date(seconds: i64) -> String {
    utc(seconds).strftime("%Y-%m-%d").to_string()
}

/// `2024-05-01T09:30:00Z` for seconds since 1970 (UTC).
pub fn format_rfc3339(seconds: i64) -> String {
    utc(seconds).strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The instant `seconds` after 1970 began, clamped to what can be written
/// (years -9999 to 9999).
fn utc(seconds: i64) -> jiff::Zoned {
    let clamped = seconds.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    Timestamp::from_second(clamped)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_offsets_are_applied() {
        let t = parse_date("2024-02-29").unwrap();
        assert_eq!(format_rfc3339(t), "2024-02-29T00:00:00Z");
        assert_eq!(
            format_rfc3339(parse_date("2024-03-01T01:30:00+02:00").unwrap()),
            "2024-02-29T23:30:00Z"
        );
        assert_eq!(
            format_rfc3339(parse_date("1999-12-31T23:59Z").unwrap()),
            "1999-12-31T23:59:00Z"
        );
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "24-01-01",
            "2024-1-1",
            "yesterday",
            "2024-01-01T25:00Z",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
