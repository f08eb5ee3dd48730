//! The token, format v1: 85 bytes, big-endian, fixed offsets.
//!
//! | offset | size | field | rule |
//! |---|---|---|---|
//! | 0 | 1 | version | `0x01` |
//! | 1 | 2 | kid | registry key id; 0 is reserved |
//! | 3 | 10 | serial | 80 random bits; with the issuer, the redemption key |
//! | 13 | 2 | value_cents | 1..=65535 |
//! | 15 | 2 | valid_from | days since 2000-01-01 |
//! | 17 | 2 | valid_until | inclusive; valid_from <= valid_until <= valid_from + 1100 |
//! | 19 | 2 | scope | 0 = national, otherwise a programme or territory code |
//! | 21 | 64 | signature | Ed25519 over `FR.PASSNUM.V1\0` then bytes 0..21 |
//!
//! The layout is the product's contract (research note `token-formats.md` §5.1). Every
//! field is fixed-width, so one token has exactly one byte string and one strict text.

use core::fmt;
use core::num::NonZeroU16;

use chrono::{Days, NaiveDate};

use super::error::VoucherError;

/// Length of a token in bytes.
pub const TOKEN_LEN: usize = 85;
/// Length of the signed body (bytes 0..21).
pub const BODY_LEN: usize = 21;
/// The only supported version byte.
pub const VERSION_1: u8 = 0x01;
/// Domain-separation tag signed before the body: 13 ASCII bytes and a zero byte.
pub const SIGNING_DOMAIN: &[u8; 14] = b"FR.PASSNUM.V1\0";
/// Longest validity, in days after `valid_from` (policy of format v1).
pub const MAX_VALIDITY_DAYS: u16 = 1100;

/// The day numbers' epoch: 2000-01-01 (the 2D-Doc epoch).
pub(crate) const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => unreachable!(),
};

/// A key id assigned by the programme registry. Never 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Kid(NonZeroU16);

impl Kid {
    /// A key id; `None` for the reserved 0.
    pub const fn new(kid: u16) -> Option<Self> {
        match NonZeroU16::new(kid) {
            Some(k) => Some(Kid(k)),
            None => None,
        }
    }

    /// The key id as a number.
    pub const fn get(self) -> u16 {
        self.0.get()
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An 80-bit serial number, drawn from a CSPRNG at issuance.
///
/// Displayed as 20 lowercase hex digits. Together with the issuer it is the redemption
/// key: a serial is redeemed at most once per issuer, whatever the signature bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Serial([u8; 10]);

impl Serial {
    /// A serial from its 10 bytes.
    pub const fn from_bytes(bytes: [u8; 10]) -> Self {
        Serial(bytes)
    }

    /// A fresh serial from the operating system's CSPRNG.
    pub fn random() -> Self {
        let mut bytes = [0u8; 10];
        super::keys::os_random(&mut bytes);
        Serial(bytes)
    }

    /// The serial's bytes.
    pub const fn as_bytes(&self) -> &[u8; 10] {
        &self.0
    }

    /// The serial as a number below 2^80.
    pub fn to_u128(self) -> u128 {
        self.0
            .iter()
            .fold(0u128, |acc, &b| (acc << 8) | u128::from(b))
    }

    /// The serial from a number; `None` at or above 2^80.
    pub fn from_u128(n: u128) -> Option<Self> {
        if n >> 80 != 0 {
            return None;
        }
        let all = n.to_be_bytes();
        let mut bytes = [0u8; 10];
        bytes.copy_from_slice(&all[6..]);
        Some(Serial(bytes))
    }

    /// Parses 20 hex digits (either case).
    pub fn from_hex(text: &str) -> Result<Self, VoucherError> {
        let mut bytes = [0u8; 10];
        if text.len() != 20 {
            return Err(VoucherError::malformed(
                "serial",
                format!(
                    "must be 20 hex digits, got {} characters",
                    text.chars().count()
                ),
            ));
        }
        data_encoding::HEXLOWER_PERMISSIVE
            .decode_mut(text.as_bytes(), &mut bytes)
            .map_err(|e| {
                VoucherError::malformed(
                    "serial",
                    format!(
                        "must be 20 hex digits (bad character at position {})",
                        e.error.position + 1
                    ),
                )
            })?;
        Ok(Serial(bytes))
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Serial({self})")
    }
}

/// A civil date as the token carries it: days since 2000-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(u16);

impl Day {
    /// The first representable day, 2000-01-01.
    pub const MIN: Day = Day(0);
    /// The last representable day, 2179-06-06.
    pub const MAX: Day = Day(u16::MAX);

    /// A day from its number.
    pub const fn from_number(n: u16) -> Self {
        Day(n)
    }

    /// The day's number (days since 2000-01-01).
    pub const fn number(self) -> u16 {
        self.0
    }

    /// The day of a civil date; an error outside 2000-01-01..=2179-06-06.
    pub fn from_date(date: NaiveDate) -> Result<Self, VoucherError> {
        let n = date.signed_duration_since(EPOCH).num_days();
        u16::try_from(n).map(Day).map_err(|_| {
            VoucherError::invalid(
                "date",
                format!("{date} is outside the token's range 2000-01-01..=2179-06-06"),
            )
        })
    }

    /// The civil date.
    pub fn date(self) -> NaiveDate {
        // 65535 days after 2000-01-01 is well inside chrono's range.
        EPOCH
            .checked_add_days(Days::new(u64::from(self.0)))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// A validity window of civil dates, `from..=until`, at most 1100 days long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Validity {
    from: Day,
    until: Day,
}

impl Validity {
    /// A window from its day numbers; `invalid_field` unless from <= until <= from + 1100.
    pub fn new(from: Day, until: Day) -> Result<Self, VoucherError> {
        if until < from {
            return Err(VoucherError::invalid(
                "valid_until",
                format!("{} is before valid_from {}", until.date(), from.date()),
            ));
        }
        if u32::from(until.0) > u32::from(from.0) + u32::from(MAX_VALIDITY_DAYS) {
            return Err(VoucherError::invalid(
                "valid_until",
                format!(
                    "{} is more than {MAX_VALIDITY_DAYS} days after valid_from {}",
                    until.date(),
                    from.date()
                ),
            ));
        }
        Ok(Validity { from, until })
    }

    /// A window from civil dates (both inclusive).
    pub fn from_dates(from: NaiveDate, until: NaiveDate) -> Result<Self, VoucherError> {
        Validity::new(Day::from_date(from)?, Day::from_date(until)?)
    }

    /// First valid day.
    pub const fn from(self) -> Day {
        self.from
    }

    /// Last valid day (inclusive).
    pub const fn until(self) -> Day {
        self.until
    }
}

/// A voucher's scope: 0 is national, any other value a programme or territory code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope(pub u16);

impl Scope {
    /// National: every verifier accepts it.
    pub const NATIONAL: Scope = Scope(0);

    /// Whether this is the national scope.
    pub const fn is_national(self) -> bool {
        self.0 == 0
    }
}

/// A token's fields once their rules hold (not yet proof of anything: see
/// [`Verifier`](super::Verifier) for that).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Claims {
    /// Key id.
    pub kid: Kid,
    /// Serial number.
    pub serial: Serial,
    /// Face value in euro cents, never 0.
    pub value_cents: NonZeroU16,
    /// Validity window.
    pub validity: Validity,
    /// Scope.
    pub scope: Scope,
}

impl Claims {
    /// The 21-byte body these claims sign.
    pub fn body(&self) -> [u8; BODY_LEN] {
        let mut b = [0u8; BODY_LEN];
        b[0] = VERSION_1;
        b[1..3].copy_from_slice(&self.kid.get().to_be_bytes());
        b[3..13].copy_from_slice(self.serial.as_bytes());
        b[13..15].copy_from_slice(&self.value_cents.get().to_be_bytes());
        b[15..17].copy_from_slice(&self.validity.from.0.to_be_bytes());
        b[17..19].copy_from_slice(&self.validity.until.0.to_be_bytes());
        b[19..21].copy_from_slice(&self.scope.0.to_be_bytes());
        b
    }
}

/// The message that the signature covers: the domain tag, then the body.
pub(crate) fn signed_message(body: &[u8; BODY_LEN]) -> [u8; 35] {
    let mut m = [0u8; 35];
    m[..14].copy_from_slice(SIGNING_DOMAIN);
    m[14..].copy_from_slice(body);
    m
}

/// A token of format v1 whose length and version are right.
///
/// Nothing about it is trusted yet: its fields are read as they are, and only a
/// [`Verifier`](super::Verifier) says whether it is genuine and valid.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token {
    bytes: [u8; TOKEN_LEN],
}

impl Token {
    /// Reads a token from its 85 bytes: `malformed` for another length,
    /// `unsupported_version` for a version byte other than 0x01.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VoucherError> {
        let bytes: [u8; TOKEN_LEN] = bytes.try_into().map_err(|_| {
            VoucherError::malformed(
                "token",
                format!("must be {TOKEN_LEN} bytes, got {}", bytes.len()),
            )
        })?;
        Token::from_array(bytes)
    }

    /// Reads a token from an 85-byte array.
    pub fn from_array(bytes: [u8; TOKEN_LEN]) -> Result<Self, VoucherError> {
        if bytes[0] != VERSION_1 {
            return Err(VoucherError::UnsupportedVersion { version: bytes[0] });
        }
        Ok(Token { bytes })
    }

    /// Assembles a token from claims and a signature (used by the issuer).
    pub(crate) fn assemble(claims: &Claims, signature: &[u8; 64]) -> Self {
        let mut bytes = [0u8; TOKEN_LEN];
        bytes[..BODY_LEN].copy_from_slice(&claims.body());
        bytes[BODY_LEN..].copy_from_slice(signature);
        Token { bytes }
    }

    /// The 85 bytes.
    pub const fn as_bytes(&self) -> &[u8; TOKEN_LEN] {
        &self.bytes
    }

    /// The signed body (bytes 0..21).
    pub fn body(&self) -> &[u8; BODY_LEN] {
        self.bytes[..BODY_LEN].try_into().expect("fixed length")
    }

    /// The 64 signature bytes.
    pub fn signature(&self) -> &[u8; 64] {
        self.bytes[BODY_LEN..].try_into().expect("fixed length")
    }

    fn u16_at(&self, at: usize) -> u16 {
        u16::from_be_bytes([self.bytes[at], self.bytes[at + 1]])
    }

    /// The key id as written (0 is possible here; it never verifies).
    pub fn kid_raw(&self) -> u16 {
        self.u16_at(1)
    }

    /// The serial as written.
    pub fn serial(&self) -> Serial {
        Serial(self.bytes[3..13].try_into().expect("fixed length"))
    }

    /// The value in cents as written.
    pub fn value_cents_raw(&self) -> u16 {
        self.u16_at(13)
    }

    /// The scope as written.
    pub fn scope(&self) -> Scope {
        Scope(self.u16_at(19))
    }

    /// Applies the field rules: kid not 0, value at least 1 cent,
    /// valid_from <= valid_until <= valid_from + 1100.
    pub fn claims(&self) -> Result<Claims, VoucherError> {
        let kid = Kid::new(self.kid_raw())
            .ok_or_else(|| VoucherError::invalid("kid", "0 is reserved and never assigned"))?;
        let value_cents = NonZeroU16::new(self.value_cents_raw())
            .ok_or_else(|| VoucherError::invalid("value_cents", "must be at least 1 cent"))?;
        let validity = Validity::new(Day(self.u16_at(15)), Day(self.u16_at(17)))?;
        Ok(Claims {
            kid,
            serial: self.serial(),
            value_cents,
            validity,
            scope: self.scope(),
        })
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("kid", &self.kid_raw())
            .field("serial", &self.serial())
            .field("value_cents", &self.value_cents_raw())
            .field("valid_from", &self.u16_at(15))
            .field("valid_until", &self.u16_at(17))
            .field("scope", &self.scope().0)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Claims {
        Claims {
            kid: Kid::new(0x0102).unwrap(),
            serial: Serial::from_bytes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
            value_cents: NonZeroU16::new(1000).unwrap(),
            validity: Validity::new(Day(9497), Day(9861)).unwrap(),
            scope: Scope(75),
        }
    }

    #[test]
    fn body_layout_is_big_endian_fixed_offsets() {
        let b = sample().body();
        assert_eq!(b[0], 1);
        assert_eq!(&b[1..3], &[1, 2]);
        assert_eq!(&b[3..13], &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(&b[13..15], &1000u16.to_be_bytes());
        assert_eq!(&b[15..17], &9497u16.to_be_bytes());
        assert_eq!(&b[17..19], &9861u16.to_be_bytes());
        assert_eq!(&b[19..21], &75u16.to_be_bytes());
    }

    #[test]
    fn days_map_to_civil_dates() {
        assert_eq!(Day(0).date(), NaiveDate::from_ymd_opt(2000, 1, 1).unwrap());
        assert_eq!(
            Day::MAX.date(),
            NaiveDate::from_ymd_opt(2179, 6, 6).unwrap()
        );
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(Day::from_date(d).unwrap().date(), d);
        assert!(Day::from_date(NaiveDate::from_ymd_opt(1999, 12, 31).unwrap()).is_err());
        assert!(Day::from_date(NaiveDate::from_ymd_opt(2179, 6, 7).unwrap()).is_err());
    }

    #[test]
    fn validity_rules() {
        assert!(Validity::new(Day(10), Day(10)).is_ok());
        assert!(Validity::new(Day(10), Day(1110)).is_ok());
        assert_eq!(
            Validity::new(Day(10), Day(1111)).unwrap_err().code(),
            "invalid_field"
        );
        assert_eq!(
            Validity::new(Day(10), Day(9)).unwrap_err().code(),
            "invalid_field"
        );
        // No overflow at the top of the range.
        assert!(Validity::new(Day(65000), Day(65535)).is_ok());
    }

    #[test]
    fn field_rules_on_raw_tokens() {
        let t = Token::assemble(&sample(), &[0; 64]);
        assert_eq!(t.claims().unwrap(), sample());
        let mut raw = *t.as_bytes();
        raw[1] = 0;
        raw[2] = 0;
        let e = Token::from_array(raw).unwrap().claims().unwrap_err();
        assert!(e.to_string().starts_with("kid:"), "{e}");
        let mut raw = *t.as_bytes();
        raw[13] = 0;
        raw[14] = 0;
        assert!(
            Token::from_array(raw)
                .unwrap()
                .claims()
                .unwrap_err()
                .to_string()
                .starts_with("value_cents:")
        );
        raw[0] = 2;
        assert_eq!(
            Token::from_array(raw).unwrap_err().code(),
            "unsupported_version"
        );
        assert_eq!(
            Token::from_bytes(&raw[..84]).unwrap_err().code(),
            "malformed"
        );
    }

    #[test]
    fn serial_number_round_trip() {
        let s = Serial::from_bytes([0xff; 10]);
        assert_eq!(Serial::from_u128(s.to_u128()), Some(s));
        assert_eq!(Serial::from_u128(1 << 80), None);
        assert_eq!(s.to_string(), "ffffffffffffffffffff");
        assert_eq!(Serial::from_hex("FFFFFFFFFFFFFFFFFFFF").unwrap(), s);
        assert!(Serial::from_hex("fffffffffffffffffffg").is_err());
    }
}
