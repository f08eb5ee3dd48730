//! Mandate durations and expiry (the real service's `AuthorizationDurations`).
//!
//! Expiry is an instant: the creation instant plus N × 24 hours, not the end of a civil
//! day, and a mandate is expired when `now > expiry` (at the exact instant it is still
//! valid). Across a daylight-saving change this keeps the UTC hour, not the wall-clock
//! hour: a LONG mandate created on 2026-01-15 at 10:00 in Paris (09:00 UTC) ends on
//! 2027-01-15 at 10:00 (winter to winter), but a MONTH mandate created on 2026-03-15 at
//! 10:00 (09:00 UTC, UTC+1) ends on 2026-04-15 at 11:00 Paris time (09:00 UTC, UTC+2):
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use chrono_tz::Europe::Paris;
//! use inclusif_core::mandate::Duration;
//!
//! let created = Paris.with_ymd_and_hms(2026, 3, 15, 10, 0, 0).unwrap().with_timezone(&Utc);
//! let expiry = Duration::Month.expiry(created).unwrap();
//! assert_eq!(expiry.with_timezone(&Paris).to_string(), "2026-04-15 11:00:00 CEST");
//! ```

use core::fmt;
use core::str::FromStr;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::error::MandateError;

/// How long a mandate lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Duration {
    /// 1 day ("Mandat court", "expire demain").
    Short,
    /// 31 days ("Mandat d'un mois").
    Month,
    /// 182 days ("Mandat de 6 mois").
    Semester,
    /// 365 days ("Mandat long", "12 mois").
    Long,
    /// Historic (COVID-19): until the end of the health emergency, 2020-05-23 23:59:59 +01:00.
    #[serde(rename = "EUS_03_20")]
    Eus0320,
}

/// The end of the EUS_03_20 duration: 2020-05-23T23:59:59+01:00 = 22:59:59 UTC (the real
/// service stores it with a fixed +01:00 offset, although Paris was on +02:00 that day).
pub fn eus_03_20_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 5, 23, 22, 59, 59)
        .single()
        .expect("valid instant")
}

impl Duration {
    /// All five, SHORT first.
    pub const ALL: [Duration; 5] = [
        Duration::Short,
        Duration::Month,
        Duration::Semester,
        Duration::Long,
        Duration::Eus0320,
    ];

    /// The service's keyword.
    pub const fn keyword(self) -> &'static str {
        match self {
            Duration::Short => "SHORT",
            Duration::Month => "MONTH",
            Duration::Semester => "SEMESTER",
            Duration::Long => "LONG",
            Duration::Eus0320 => "EUS_03_20",
        }
    }

    /// Days for the fixed durations (`None` for EUS_03_20).
    pub const fn days(self) -> Option<u32> {
        match self {
            Duration::Short => Some(1),
            Duration::Month => Some(31),
            Duration::Semester => Some(182),
            Duration::Long => Some(365),
            Duration::Eus0320 => None,
        }
    }

    /// The token's code (1 SHORT … 5 EUS_03_20).
    pub const fn code(self) -> u8 {
        match self {
            Duration::Short => 1,
            Duration::Month => 2,
            Duration::Semester => 3,
            Duration::Long => 4,
            Duration::Eus0320 => 5,
        }
    }

    /// From the token's code.
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Duration::Short),
            2 => Some(Duration::Month),
            3 => Some(Duration::Semester),
            4 => Some(Duration::Long),
            5 => Some(Duration::Eus0320),
            _ => None,
        }
    }

    /// The French label of the printed mandate.
    pub const fn label(self) -> &'static str {
        match self {
            Duration::Short => "pour une durée d'un jour (mandat court, qui expire demain)",
            Duration::Month => "pour une durée de 31 jours (mandat d'un mois)",
            Duration::Semester => "pour une durée de 182 jours (mandat de 6 mois)",
            Duration::Long => "pour une durée de 365 jours (mandat long, 12 mois)",
            Duration::Eus0320 => "jusqu'à la fin de l'état d'urgence sanitaire (23 mai 2020)",
        }
    }

    /// The expiry of a mandate created at `created`: `created + days × 24 h`, or the
    /// EUS_03_20 end, which must be after `created` (`invalid_field` otherwise: such a
    /// mandate would last 0 days, as the service computes it).
    pub fn expiry(self, created: DateTime<Utc>) -> Result<DateTime<Utc>, MandateError> {
        match self.days() {
            Some(days) => created
                .checked_add_signed(TimeDelta::days(i64::from(days)))
                .ok_or_else(|| MandateError::invalid("created_at", "out of range")),
            None => {
                let end = eus_03_20_end();
                if created >= end {
                    return Err(MandateError::invalid(
                        "duration",
                        format!(
                            "EUS_03_20 ended at {end}; a mandate created at {created} would last 0 days"
                        ),
                    ));
                }
                Ok(end)
            }
        }
    }

    /// Whether "expires soon" notices apply (SEMESTER and LONG, 30 days before expiry).
    pub const fn warns_before_expiry(self) -> bool {
        matches!(self, Duration::Semester | Duration::Long)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

impl FromStr for Duration {
    type Err = MandateError;
    /// The exact keyword (`LONG`); anything else is `unknown_duration`.
    fn from_str(s: &str) -> Result<Self, MandateError> {
        Duration::ALL
            .into_iter()
            .find(|d| d.keyword() == s)
            .ok_or_else(|| MandateError::UnknownDuration {
                value: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    #[test]
    fn expiry_is_24_hours_times_days() {
        let c = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
        assert_eq!(
            Duration::Long.expiry(c).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 1, 9, 30, 0).unwrap()
        );
        assert_eq!(
            Duration::Short.expiry(c).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap()
        );
        // Winter to summer: the wall clock moves one hour later.
        let winter = Paris
            .with_ymd_and_hms(2026, 1, 15, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let e = Duration::Semester
            .expiry(winter)
            .unwrap()
            .with_timezone(&Paris);
        assert_eq!(e.to_string(), "2026-07-16 11:00:00 CEST");
    }

    #[test]
    fn eus_03_20() {
        let before = Utc.with_ymd_and_hms(2020, 3, 20, 10, 0, 0).unwrap();
        assert_eq!(Duration::Eus0320.expiry(before).unwrap(), eus_03_20_end());
        let after = Utc.with_ymd_and_hms(2020, 5, 24, 10, 0, 0).unwrap();
        assert_eq!(
            Duration::Eus0320.expiry(after).unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(
            Duration::Eus0320
                .expiry(eus_03_20_end())
                .unwrap_err()
                .code(),
            "invalid_field"
        );
    }

    #[test]
    fn keywords_and_codes() {
        for d in Duration::ALL {
            assert_eq!(d.keyword().parse::<Duration>().unwrap(), d);
            assert_eq!(Duration::from_code(d.code()), Some(d));
        }
        assert_eq!(
            "long".parse::<Duration>().unwrap_err().code(),
            "unknown_duration"
        );
        assert_eq!(Duration::from_code(0), None);
        assert_eq!(Duration::from_code(6), None);
        assert_eq!(
            serde_json::to_string(&Duration::Eus0320).unwrap(),
            "\"EUS_03_20\""
        );
    }
}
