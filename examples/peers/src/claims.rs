//! The voucher claims every format carries.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;

/// A Pass numérique cheque's claims, as inclusif's format v1 holds them.
///
/// Validity is a range of civil dates in Europe/Paris, both ends included. The formats
/// that only know instants get `nbf` = the first day's midnight in Paris and `exp` = the
/// midnight after the last day (see [`not_before`](Self::not_before) and
/// [`expires_at`](Self::expires_at)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoucherClaims {
    /// Issuer key id.
    pub kid: u16,
    /// 80-bit serial.
    pub serial: [u8; 10],
    /// Face value in cents (1000 for a 10 € cheque).
    pub value_cents: u16,
    /// First valid day (Europe/Paris).
    pub valid_from: NaiveDate,
    /// Last valid day (Europe/Paris).
    pub valid_until: NaiveDate,
    /// Scope (0 = national).
    pub scope: u16,
}

impl VoucherClaims {
    /// The cheque every format signs: kid 7, a fixed serial, 10 €, valid from 30 days
    /// before `today` to 364 days after it, national scope.
    ///
    /// Relative to `today` because jsonwebtoken and pasetors check against the system
    /// clock and cannot be given another time.
    pub fn fixture(today: NaiveDate) -> Self {
        VoucherClaims {
            kid: 7,
            serial: [0x5a, 0x17, 0x00, 0xc3, 0x9e, 0x42, 0x81, 0x0d, 0xf0, 0x66],
            value_cents: 1000,
            valid_from: today - Days::new(30),
            valid_until: today + Days::new(364),
            scope: 0,
        }
    }

    /// [`fixture`](Self::fixture) for today's date in Paris.
    pub fn today() -> Self {
        Self::fixture(Utc::now().with_timezone(&Paris).date_naive())
    }

    /// The first valid instant: midnight in Paris at the start of `valid_from`.
    pub fn not_before(&self) -> DateTime<Utc> {
        paris_midnight(self.valid_from)
    }

    /// The first instant no longer valid: midnight in Paris after `valid_until`.
    pub fn expires_at(&self) -> DateTime<Utc> {
        paris_midnight(self.valid_until + Days::new(1))
    }

    /// Rebuilds the dates from the instants [`not_before`](Self::not_before) and
    /// [`expires_at`](Self::expires_at) give (Unix seconds).
    pub fn dates_from_instants(nbf: i64, exp: i64) -> Option<(NaiveDate, NaiveDate)> {
        let from = DateTime::from_timestamp(nbf, 0)?.with_timezone(&Paris);
        let until = DateTime::from_timestamp(exp.checked_sub(1)?, 0)?.with_timezone(&Paris);
        Some((from.date_naive(), until.date_naive()))
    }
}

fn paris_midnight(day: NaiveDate) -> DateTime<Utc> {
    // Paris changes its clocks at 02:00 and 03:00, never at midnight.
    Paris
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .expect("midnight exists in Europe/Paris")
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_to_the_same_dates_across_daylight_saving() {
        // 2026-03-29 and 2026-10-25 are the clock changes in Paris.
        for (from, until) in [
            ((2026, 3, 28), (2026, 3, 29)),
            ((2026, 10, 25), (2027, 3, 28)),
        ] {
            let mut c = VoucherClaims::fixture(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
            c.valid_from = NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap();
            c.valid_until = NaiveDate::from_ymd_opt(until.0, until.1, until.2).unwrap();
            let back = VoucherClaims::dates_from_instants(
                c.not_before().timestamp(),
                c.expires_at().timestamp(),
            );
            assert_eq!(back, Some((c.valid_from, c.valid_until)));
        }
        let c = VoucherClaims::fixture(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(c.not_before().to_rfc3339(), "2026-05-31T22:00:00+00:00");
    }
}
