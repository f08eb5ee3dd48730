//! Text forms of a token: strict Crockford Base32, the QR payload, and hand-typed input.
//!
//! 85 bytes are 680 bits, exactly 136 Base32 characters: no padding and no trailing bits,
//! so a token has exactly one strict text. Strict parsing accepts the 136 characters or
//! `PN1:` followed by them, and nothing else.

use data_encoding::Encoding;

use super::error::VoucherError;
use super::token::{TOKEN_LEN, Token};

/// Crockford's Base32 alphabet, upper case, most significant bit first, no padding.
pub(crate) const CROCKFORD: Encoding = data_encoding_macro::new_encoding! {
    symbols: "0123456789ABCDEFGHJKMNPQRSTVWXYZ",
    check_trailing_bits: true,
};

/// Length of the strict text form.
pub const TEXT_LEN: usize = 136;
/// Prefix of the QR payload.
pub const QR_PREFIX: &str = "PN1:";
/// Longest hand-typed input read before normalisation (136 characters, prefix and
/// separators leave room; anything longer is refused before any work).
pub const MAX_HUMAN_LEN: usize = 400;

impl Token {
    /// The strict text form: 136 Crockford Base32 characters.
    pub fn to_text(&self) -> String {
        CROCKFORD.encode(self.as_bytes())
    }

    /// The QR payload: `PN1:` then the strict text (QR alphanumeric mode).
    pub fn to_qr_payload(&self) -> String {
        format!("{QR_PREFIX}{}", self.to_text())
    }

    /// Parses the strict text form or the QR payload; nothing else is accepted.
    ///
    /// Allocation-free: the input is decoded into a stack buffer.
    pub fn parse_strict(text: &str) -> Result<Self, VoucherError> {
        Token::parse_strict_bytes(text.as_bytes())
    }

    /// [`parse_strict`](Token::parse_strict) over raw bytes (fuzzers and scanners hand
    /// bytes that may not be UTF-8).
    pub fn parse_strict_bytes(input: &[u8]) -> Result<Self, VoucherError> {
        let bytes = decode_strict::<TOKEN_LEN>(input, QR_PREFIX)
            .map_err(|rule| VoucherError::malformed("token", rule))?;
        Token::from_array(bytes)
    }

    /// Parses text typed by a person: drops spaces, tabs and `-`, upper-cases, reads
    /// `O` as `0` and `I`, `L` as `1` (a `U` is an error), then parses strictly.
    ///
    /// The token then re-encodes to exactly [`normalize_human`]'s output: its
    /// [`to_text`](Token::to_text), or its [`to_qr_payload`](Token::to_qr_payload) when
    /// the typed input carried the `PN1:` prefix.
    pub fn parse_human(text: &str) -> Result<Self, VoucherError> {
        let mut buf = [0u8; MAX_HUMAN_LEN];
        let n = normalize_into(text, &mut buf)?;
        Token::parse_strict_bytes(&buf[..n])
    }
}

/// Strict decoding of a fixed-length token's text, shared by vouchers and mandate tokens:
/// exactly the Crockford text of `N` bytes (no padding, no trailing bits), or `prefix`
/// followed by it; nothing else. Allocation-free on success; on failure, the rule broken.
pub(crate) fn decode_strict<const N: usize>(input: &[u8], prefix: &str) -> Result<[u8; N], String> {
    let text_len = CROCKFORD.encode_len(N);
    let body = match input.len() {
        n if n == text_len => input,
        n if n == text_len + prefix.len() => {
            if &input[..prefix.len()] != prefix.as_bytes() {
                return Err(format!(
                    "a {n}-character token must start with the QR prefix {prefix}"
                ));
            }
            &input[prefix.len()..]
        }
        n => {
            return Err(format!(
                "must be {text_len} Base32 characters or {prefix} and {text_len}, got {n} bytes"
            ));
        }
    };
    let mut bytes = [0u8; N];
    CROCKFORD.decode_mut(body, &mut bytes).map_err(|e| {
        let pos = e.error.position;
        format!(
            "character {} ({}) is not upper-case Crockford Base32",
            pos + 1,
            describe_byte(body[pos])
        )
    })?;
    Ok(bytes)
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// The normalisation applied to hand-typed tokens and codes: drops spaces, tabs and
/// `-`, upper-cases, `O`→`0`, `I`/`L`→`1`; `U` is refused (Crockford reserves it).
pub fn normalize_human(text: &str) -> Result<String, VoucherError> {
    let mut buf = [0u8; MAX_HUMAN_LEN];
    let n = normalize_into(text, &mut buf)?;
    Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
}

fn normalize_into(text: &str, out: &mut [u8; MAX_HUMAN_LEN]) -> Result<usize, VoucherError> {
    if text.len() > MAX_HUMAN_LEN {
        return Err(VoucherError::malformed(
            "token",
            format!(
                "typed input is limited to {MAX_HUMAN_LEN} bytes, got {}",
                text.len()
            ),
        ));
    }
    let mut n = 0;
    for (i, c) in text.chars().enumerate() {
        let mapped = match c {
            ' ' | '\t' | '-' => continue,
            'u' | 'U' => {
                return Err(VoucherError::malformed(
                    "token",
                    format!(
                        "character {} is U, which Crockford Base32 never uses",
                        i + 1
                    ),
                ));
            }
            'o' | 'O' => b'0',
            'i' | 'I' | 'l' | 'L' => b'1',
            c if c.is_ascii() => (c as u8).to_ascii_uppercase(),
            c => {
                return Err(VoucherError::malformed(
                    "token",
                    format!("character {} ('{c}') is not ASCII", i + 1),
                ));
            }
        };
        out[n] = mapped;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Token {
        let mut b = [7u8; TOKEN_LEN];
        b[0] = 1;
        Token::from_array(b).unwrap()
    }

    #[test]
    fn strict_round_trip_and_prefix() {
        let t = token();
        let text = t.to_text();
        assert_eq!(text.len(), TEXT_LEN);
        assert_eq!(Token::parse_strict(&text).unwrap(), t);
        assert_eq!(Token::parse_strict(&t.to_qr_payload()).unwrap(), t);
    }

    #[test]
    fn strict_refuses_every_variant() {
        let text = token().to_text();
        assert_eq!(
            Token::parse_strict(&text.to_lowercase())
                .unwrap_err()
                .code(),
            "malformed"
        );
        assert_eq!(
            Token::parse_strict(&format!(" {}", &text[1..]))
                .unwrap_err()
                .code(),
            "malformed"
        );
        assert_eq!(
            Token::parse_strict(&format!("pn1:{text}"))
                .unwrap_err()
                .code(),
            "malformed"
        );
        assert_eq!(
            Token::parse_strict(&text[1..]).unwrap_err().code(),
            "malformed"
        );
        let with_o = format!("O{}", &text[1..]);
        assert_eq!(
            Token::parse_strict(&with_o).unwrap_err().code(),
            "malformed"
        );
    }

    #[test]
    fn human_input_normalises_then_parses() {
        let t = token();
        let text = t.to_text();
        let typed: String = text
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let c = match c {
                    '0' => 'o',
                    '1' => 'l',
                    c => c.to_ascii_lowercase(),
                };
                if i % 4 == 3 { vec![c, '-'] } else { vec![c] }
            })
            .collect();
        assert_eq!(Token::parse_human(&typed).unwrap(), t);
        assert_eq!(normalize_human(&typed).unwrap(), text);
        let with_u = format!("u{}", &text[1..]);
        assert_eq!(Token::parse_human(&with_u).unwrap_err().code(), "malformed");
        assert_eq!(
            Token::parse_human(&"A".repeat(1000)).unwrap_err().code(),
            "malformed"
        );
    }
}
