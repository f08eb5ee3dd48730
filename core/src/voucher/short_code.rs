//! Codes for checking a cheque by phone: the short code and the keypad code.
//!
//! Both carry only the 80-bit serial, so they are checked online against the issuer's
//! records, never offline (an offline check needs the 64-byte signature).
//!
//! - Short code: the serial as 16 Crockford Base32 characters and one check character,
//!   printed `XXXX-XXXX-XXXX-XXXX-C`. The check is a Damm-style code over GF(32) with the
//!   polynomial x^5 + x^2 + 1: `acc = 2·acc XOR d` for each digit, `check = 2·acc`, so the
//!   same loop over all 17 characters ends at 0. It catches every single substitution and
//!   every adjacent swap (tested exhaustively below).
//! - Keypad code: the serial as 25 decimal digits (zero-padded) and a Damm check digit
//!   (the standard order-10 quasigroup), printed in groups of 5.

use core::fmt;

use super::error::VoucherError;
use super::text::{CROCKFORD, normalize_human};
use super::token::Serial;

/// Multiplies by x in GF(32) reduced by x^5 + x^2 + 1.
const fn gf32_double(v: u8) -> u8 {
    let d = v << 1;
    if d & 0x20 != 0 { d ^ 0x25 } else { d }
}

/// The check character's value for 5-bit digits.
fn gf32_check(digits: &[u8]) -> u8 {
    gf32_double(gf32_fold(digits))
}

fn gf32_fold(digits: &[u8]) -> u8 {
    digits.iter().fold(0u8, |acc, &d| gf32_double(acc) ^ d)
}

/// The standard order-10 Damm table (H. Michael Damm, 2004; totally anti-symmetric).
const DAMM10: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

fn damm10(digits: &[u8]) -> u8 {
    digits
        .iter()
        .fold(0u8, |acc, &d| DAMM10[acc as usize][d as usize])
}

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn crockford_value(c: u8) -> Option<u8> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u8)
}

/// A serial's short code, `XXXX-XXXX-XXXX-XXXX-C`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShortCode(Serial);

impl ShortCode {
    /// The short code of a serial.
    pub const fn new(serial: Serial) -> Self {
        ShortCode(serial)
    }

    /// The serial it carries.
    pub const fn serial(self) -> Serial {
        self.0
    }

    /// Parses a short code as typed (hyphens, spaces, case and `O`/`I`/`L` forgiven).
    pub fn parse(text: &str) -> Result<Self, VoucherError> {
        let n = normalize_human(text).map_err(|e| rename(e, "short_code"))?;
        let b = n.as_bytes();
        if b.len() != 17 {
            return Err(VoucherError::malformed(
                "short_code",
                format!(
                    "must be 16 characters and a check character, got {}",
                    b.len()
                ),
            ));
        }
        let mut digits = [0u8; 17];
        for (i, &c) in b.iter().enumerate() {
            digits[i] = crockford_value(c).ok_or_else(|| {
                VoucherError::malformed(
                    "short_code",
                    format!("character {} is not Crockford Base32", i + 1),
                )
            })?;
        }
        if gf32_fold(&digits) != 0 {
            return Err(VoucherError::BadCheckCharacter {
                field: "short_code",
            });
        }
        let mut serial = [0u8; 10];
        CROCKFORD
            .decode_mut(&b[..16], &mut serial)
            .map_err(|_| VoucherError::malformed("short_code", "not Crockford Base32"))?;
        Ok(ShortCode(Serial::from_bytes(serial)))
    }

    /// The 17 characters without hyphens.
    pub fn compact(&self) -> String {
        let mut out = [0u8; 17];
        CROCKFORD.encode_mut(self.0.as_bytes(), &mut out[..16]);
        let mut digits = [0u8; 16];
        for (d, &c) in digits.iter_mut().zip(&out[..16]) {
            *d = crockford_value(c).expect("own alphabet");
        }
        out[16] = ALPHABET[gf32_check(&digits) as usize];
        String::from_utf8(out.to_vec()).expect("ASCII")
    }
}

impl fmt::Display for ShortCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.compact();
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &c[0..4],
            &c[4..8],
            &c[8..12],
            &c[12..16],
            &c[16..]
        )
    }
}

impl fmt::Debug for ShortCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShortCode({self})")
    }
}

/// A serial's keypad code: 25 digits and a Damm check digit, in groups of 5.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeypadCode(Serial);

impl KeypadCode {
    /// The keypad code of a serial.
    pub const fn new(serial: Serial) -> Self {
        KeypadCode(serial)
    }

    /// The serial it carries.
    pub const fn serial(self) -> Serial {
        self.0
    }

    /// Parses 26 digits (spaces and hyphens allowed).
    pub fn parse(text: &str) -> Result<Self, VoucherError> {
        let mut digits = [0u8; 26];
        let mut n = 0;
        for (i, c) in text.chars().enumerate() {
            match c {
                ' ' | '\t' | '-' => continue,
                '0'..='9' if n < 26 => {
                    digits[n] = c as u8 - b'0';
                    n += 1;
                }
                '0'..='9' => {
                    return Err(VoucherError::malformed(
                        "keypad_code",
                        "must be 26 digits, got more",
                    ));
                }
                _ => {
                    return Err(VoucherError::malformed(
                        "keypad_code",
                        format!("character {} is not a digit", i + 1),
                    ));
                }
            }
        }
        if n != 26 {
            return Err(VoucherError::malformed(
                "keypad_code",
                format!("must be 25 digits and a check digit, got {n} digits"),
            ));
        }
        if damm10(&digits) != 0 {
            return Err(VoucherError::BadCheckCharacter {
                field: "keypad_code",
            });
        }
        let value = digits[..25]
            .iter()
            .fold(0u128, |acc, &d| acc * 10 + u128::from(d));
        Serial::from_u128(value).map(KeypadCode).ok_or_else(|| {
            VoucherError::invalid(
                "keypad_code",
                "the 25 digits exceed an 80-bit serial (2^80 - 1)",
            )
        })
    }

    /// The 26 digits without spaces.
    pub fn compact(&self) -> String {
        let mut s = format!("{:025}", self.0.to_u128());
        let digits: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
        s.push((b'0' + damm10(&digits)) as char);
        s
    }
}

impl fmt::Display for KeypadCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.compact();
        let groups: Vec<&str> = (0..26).step_by(5).map(|i| &c[i..(i + 5).min(26)]).collect();
        f.write_str(&groups.join(" "))
    }
}

impl fmt::Debug for KeypadCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeypadCode({self})")
    }
}

/// Reads either a short code (17 characters) or a keypad code (26 digits) as typed.
pub fn parse_phone_code(text: &str) -> Result<Serial, VoucherError> {
    let significant = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '-'))
        .count();
    if significant == 26
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '\t' | '-'))
    {
        KeypadCode::parse(text).map(KeypadCode::serial)
    } else {
        ShortCode::parse(text).map(ShortCode::serial)
    }
}

fn rename(e: VoucherError, field: &'static str) -> VoucherError {
    match e {
        VoucherError::Malformed { rule, .. } => VoucherError::Malformed { field, rule },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serial(seed: u64) -> Serial {
        // A small deterministic generator (splitmix64) for test serials.
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let a = next().to_be_bytes();
        let b = next().to_be_bytes();
        let mut s = [0u8; 10];
        s[..8].copy_from_slice(&a);
        s[8..].copy_from_slice(&b[..2]);
        Serial::from_bytes(s)
    }

    #[test]
    fn short_code_round_trip_and_format() {
        let s = serial(1);
        let code = ShortCode::new(s).to_string();
        assert_eq!(code.len(), 21);
        assert_eq!(code.matches('-').count(), 4);
        assert_eq!(ShortCode::parse(&code).unwrap().serial(), s);
        assert_eq!(ShortCode::parse(&code.to_lowercase()).unwrap().serial(), s);
        assert_eq!(parse_phone_code(&code).unwrap(), s);
    }

    /// Every single substitution and every adjacent swap of distinct characters, over
    /// all 17 positions and all 32 symbols, on many serials: none passes the check.
    #[test]
    fn short_code_catches_every_substitution_and_swap_exhaustively() {
        for seed in 0..300 {
            let code = ShortCode::new(serial(seed)).compact().into_bytes();
            for pos in 0..17 {
                for &sym in ALPHABET {
                    if sym == code[pos] {
                        continue;
                    }
                    let mut m = code.clone();
                    m[pos] = sym;
                    let e = ShortCode::parse(core::str::from_utf8(&m).unwrap()).unwrap_err();
                    assert_eq!(e.code(), "bad_check_character");
                }
            }
            for pos in 0..16 {
                if code[pos] == code[pos + 1] {
                    continue;
                }
                let mut m = code.clone();
                m.swap(pos, pos + 1);
                let e = ShortCode::parse(core::str::from_utf8(&m).unwrap()).unwrap_err();
                assert_eq!(e.code(), "bad_check_character");
            }
        }
    }

    /// The check is a property of the digits, not of the sample: prove it over every
    /// pair of GF(32) digit values in every position context.
    #[test]
    fn short_code_check_is_algebraically_complete() {
        // Substitution at position i of 17 changes the fold by 2^(16-i)·(a XOR b), which
        // is 0 only when a == b because doubling is invertible in GF(32).
        for a in 0u8..32 {
            for b in 0u8..32 {
                if a == b {
                    continue;
                }
                let mut v = a ^ b;
                for _ in 0..17 {
                    assert_ne!(v, 0);
                    v = gf32_double(v);
                }
                // Adjacent swap (a, b) -> (b, a) changes the fold by 2^k·(2a XOR b XOR 2b XOR a)
                // = 2^k·(3·(a XOR b)), never 0 for a != b.
                let mut w = gf32_double(a) ^ b ^ gf32_double(b) ^ a;
                for _ in 0..17 {
                    assert_ne!(w, 0);
                    w = gf32_double(w);
                }
            }
        }
    }

    #[test]
    fn keypad_round_trip_and_checks() {
        for seed in 0..200 {
            let s = serial(seed);
            let k = KeypadCode::new(s);
            let printed = k.to_string();
            assert_eq!(printed.len(), 26 + 5);
            assert_eq!(KeypadCode::parse(&printed).unwrap().serial(), s);
            assert_eq!(parse_phone_code(&printed).unwrap(), s);
            let c = k.compact().into_bytes();
            for pos in 0..26 {
                for d in b'0'..=b'9' {
                    if d == c[pos] {
                        continue;
                    }
                    let mut m = c.clone();
                    m[pos] = d;
                    let text = String::from_utf8(m).unwrap();
                    assert_eq!(
                        KeypadCode::parse(&text).unwrap_err().code(),
                        "bad_check_character"
                    );
                }
            }
            for pos in 0..25 {
                if c[pos] == c[pos + 1] {
                    continue;
                }
                let mut m = c.clone();
                m.swap(pos, pos + 1);
                let text = String::from_utf8(m).unwrap();
                assert_eq!(
                    KeypadCode::parse(&text).unwrap_err().code(),
                    "bad_check_character"
                );
            }
        }
    }

    #[test]
    fn damm10_known_value() {
        // Wikipedia's worked example: 572 has check digit 4.
        assert_eq!(damm10(&[5, 7, 2]), 4);
        assert_eq!(damm10(&[5, 7, 2, 4]), 0);
    }

    #[test]
    fn keypad_above_80_bits_is_refused() {
        let mut digits = "9".repeat(25).into_bytes();
        let d: Vec<u8> = digits.iter().map(|b| b - b'0').collect();
        digits.push(b'0' + damm10(&d));
        let e = KeypadCode::parse(&String::from_utf8(digits).unwrap()).unwrap_err();
        assert_eq!(e.code(), "invalid_field");
    }

    #[test]
    fn short_code_errors() {
        assert_eq!(ShortCode::parse("ABC").unwrap_err().code(), "malformed");
        assert_eq!(
            ShortCode::parse("UUUU-UUUU-UUUU-UUUU-U")
                .unwrap_err()
                .code(),
            "malformed"
        );
        assert_eq!(ShortCode::parse("").unwrap_err().code(), "malformed");
    }
}
