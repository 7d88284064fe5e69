//! The `xsd:dateTime` scalar.
//!
//! Existing clients send dates in several forms (`2026-01-31`, `2026-01-31T10:00:00`,
//! `2026-01-31T10:00:00Z`, with an offset or fractional seconds); all are accepted. Times are
//! kept in UTC and always written as `YYYY-MM-DDTHH:MM:SSZ`.

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub chrono::DateTime<Utc>);

impl DateTime {
    pub fn now() -> Self {
        // Whole seconds: what the wire carries is what a later read returns.
        let now = Utc::now();
        DateTime(Utc.timestamp_opt(now.timestamp(), 0).unwrap())
    }

    pub fn from_unix(secs: i64) -> Option<Self> {
        Utc.timestamp_opt(secs, 0).single().map(DateTime)
    }

    pub fn unix(&self) -> i64 {
        self.0.timestamp()
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%dT%H:%M:%SZ"))
    }
}

#[derive(Debug)]
pub struct DateTimeError;

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "must be a date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM:SS, optionally with Z or an offset)",
        )
    }
}

impl FromStr for DateTime {
    type Err = DateTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
            return Ok(DateTime(dt.with_timezone(&Utc)));
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
                return Ok(DateTime(Utc.from_utc_datetime(&dt)));
            }
        }
        let date = s.strip_suffix('Z').unwrap_or(s);
        if let Ok(d) = NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            return Ok(DateTime(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap())));
        }
        Err(DateTimeError)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|e: DateTimeError| de::Error::custom(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_forms_clients_send() {
        for s in [
            "2026-01-31",
            "2026-01-31T00:00:00",
            "2026-01-31T00:00:00Z",
            "2026-01-31T00:00:00.000",
            "2026-01-31T01:00:00+01:00",
        ] {
            let d: DateTime = s.parse().unwrap();
            assert_eq!(d.to_string(), "2026-01-31T00:00:00Z", "{s}");
        }
        assert!("2026-02-30".parse::<DateTime>().is_err());
        assert!("yesterday".parse::<DateTime>().is_err());
    }
}
