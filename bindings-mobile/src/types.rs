//! Custom types and integer conversions shared by every domain.
//!
//! - [`Decimal`] crosses as its decimal text and becomes `java.math.BigDecimal` in Kotlin
//!   and `Foundation.Decimal` in Swift (`uniffi.toml`); text that is not an exact decimal
//!   rust_decimal can hold (28 fractional digits, 96-bit mantissa) is an
//!   `InclusifError.Invalid` with code `invalid_amount`.
//! - [`Timestamp`] (`DateTime<Utc>`) crosses as UniFFI's built-in timestamp:
//!   `java.time.Instant` in Kotlin, `Date` in Swift. An instant outside chrono's range
//!   (about ±262,000 years) is refused.
//! - [`CivilDate`] (`NaiveDate`) crosses as `YYYY-MM-DD` text: `java.time.LocalDate` in
//!   Kotlin, `String` in Swift; other text is refused.
//!
//! A conversion failure is not the core's: it carries the nearest core code of the domain
//! that uses the type most (amounts: funding `invalid_amount`; instants: mandate
//! `invalid_field`; dates: venue `invalid_argument`). Functions that take these types
//! return `Result`, so the failure is thrown as `InclusifError`, never as a panic.
//!
//! Integers are signed on the mobile side (Kotlin's unsigned types are awkward to Java
//! callers); [`to_u32`] and friends check the range and name the argument.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::error::{ErrorDomain, InclusifError, Result};

/// An instant (UTC): `java.time.Instant` in Kotlin, `Date` in Swift.
pub type Timestamp = DateTime<Utc>;

/// A civil date: `java.time.LocalDate` in Kotlin, `YYYY-MM-DD` text in Swift.
pub type CivilDate = NaiveDate;

/// Parses an exact decimal (Kotlin sends plain notation, `BigDecimal.toPlainString()`).
pub fn parse_decimal(text: &str) -> Result<Decimal> {
    text.parse::<Decimal>().map_err(|e| {
        InclusifError::invalid(
            ErrorDomain::Funding,
            "invalid_amount",
            format!("amount: {text:?} is not an exact decimal of at most 28 digits ({e})"),
        )
    })
}

uniffi::custom_type!(Decimal, String, {
    remote,
    lower: |d| d.to_string(),
    try_lift: |s| parse_decimal(&s).map_err(Into::into),
});

/// The instant a [`SystemTime`] names, if chrono can hold it.
pub fn from_system_time(t: SystemTime) -> Result<Timestamp> {
    let converted = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs())
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, after.subsec_nanos())),
        Err(before) => {
            let before = before.duration();
            // -(s + n/1e9) = -(s + 1) + (1e9 - n)/1e9 when n > 0.
            let (secs, nanos) = match before.subsec_nanos() {
                0 => (i64::try_from(before.as_secs()).ok().map(|s| -s), 0),
                n => (
                    i64::try_from(before.as_secs())
                        .ok()
                        .and_then(|s| s.checked_add(1))
                        .map(|s| -s),
                    1_000_000_000 - n,
                ),
            };
            secs.and_then(|s| DateTime::from_timestamp(s, nanos))
        }
    };
    converted.ok_or_else(|| {
        InclusifError::invalid(
            ErrorDomain::Mandate,
            "invalid_field",
            format!("instant: {t:?} is outside the supported range"),
        )
    })
}

/// The [`SystemTime`] of an instant.
pub fn to_system_time(t: Timestamp) -> SystemTime {
    let secs = t.timestamp();
    let nanos = t.timestamp_subsec_nanos();
    if secs >= 0 {
        UNIX_EPOCH + Duration::new(secs.unsigned_abs(), nanos)
    } else {
        UNIX_EPOCH - Duration::new(secs.unsigned_abs(), 0) + Duration::new(0, nanos)
    }
}

uniffi::custom_type!(Timestamp, SystemTime, {
    remote,
    lower: |t| to_system_time(t),
    try_lift: |t| from_system_time(t).map_err(Into::into),
});

/// Parses a civil date written `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<CivilDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| {
        InclusifError::invalid(
            ErrorDomain::Venue,
            "invalid_argument",
            format!("date: {text:?} is not a YYYY-MM-DD date ({e})"),
        )
    })
}

uniffi::custom_type!(CivilDate, String, {
    remote,
    lower: |d| d.format("%Y-%m-%d").to_string(),
    try_lift: |s| parse_date(&s).map_err(Into::into),
});

fn out_of_range(
    domain: ErrorDomain,
    code: &str,
    field: &str,
    value: i64,
    max: u64,
) -> InclusifError {
    InclusifError::invalid(
        domain,
        code,
        format!("{field}: {value} is outside 0..={max}"),
    )
}

/// A non-negative integer that fits in `u16`; `code` in `domain` otherwise.
pub fn to_u16(value: i64, domain: ErrorDomain, code: &str, field: &str) -> Result<u16> {
    u16::try_from(value).map_err(|_| out_of_range(domain, code, field, value, u16::MAX.into()))
}

/// A non-negative integer that fits in `u32`; `code` in `domain` otherwise.
pub fn to_u32(value: i64, domain: ErrorDomain, code: &str, field: &str) -> Result<u32> {
    u32::try_from(value).map_err(|_| out_of_range(domain, code, field, value, u32::MAX.into()))
}

/// A non-negative integer as `u64`; `code` in `domain` otherwise.
pub fn to_u64(value: i64, domain: ErrorDomain, code: &str, field: &str) -> Result<u64> {
    u64::try_from(value)
        .map_err(|_| out_of_range(domain, code, field, value, i64::MAX.unsigned_abs()))
}

/// A count or id for the mobile side (saturating at `i64::MAX`, never reached in practice).
pub fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// [`signed`] for `usize`.
pub fn signed_usize(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_round_trip_on_both_sides_of_the_epoch() {
        for t in [
            Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap()
                + chrono::TimeDelta::nanoseconds(250),
            Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap(),
            DateTime::from_timestamp(0, 0).unwrap(),
        ] {
            assert_eq!(from_system_time(to_system_time(t)).unwrap(), t);
        }
        let far = UNIX_EPOCH + Duration::from_secs(1 << 60);
        assert_eq!(
            from_system_time(far).unwrap_err().error_code(),
            "invalid_field"
        );
    }

    #[test]
    fn decimals_and_dates_are_checked() {
        assert_eq!(parse_decimal("1.50").unwrap().to_string(), "1.50");
        assert_eq!(
            parse_decimal("1,5").unwrap_err().error_code(),
            "invalid_amount"
        );
        assert_eq!(
            parse_decimal("123456789012345678901234567890")
                .unwrap_err()
                .error_code(),
            "invalid_amount"
        );
        assert_eq!(parse_date("2026-11-16").unwrap().to_string(), "2026-11-16");
        assert_eq!(
            parse_date("16/11/2026").unwrap_err().error_code(),
            "invalid_argument"
        );
    }

    #[test]
    fn integers_are_range_checked() {
        assert_eq!(
            to_u16(7, ErrorDomain::Mandate, "invalid_field", "kid").unwrap(),
            7
        );
        let e = to_u16(-1, ErrorDomain::Mandate, "invalid_field", "kid").unwrap_err();
        assert_eq!(e.error_message(), "kid: -1 is outside 0..=65535");
        assert!(to_u32(1 << 40, ErrorDomain::Funding, "invalid_input", "posts").is_err());
        assert_eq!(signed(u64::MAX), i64::MAX);
    }
}
