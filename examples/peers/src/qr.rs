//! The smallest QR code that holds a token's text.

use qrcode::{EcLevel, QrCode, Version};

/// The smallest QR version (1 to 40) holding `text` at error-correction `level`, with the
/// segment modes (numeric, alphanumeric, byte) the qrcode crate picks; `None` when even
/// version 40 is too small.
pub fn smallest_version(text: &str, level: EcLevel) -> Option<i16> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), level).ok()?;
    match code.version() {
        Version::Normal(v) => Some(v),
        Version::Micro(_) => None,
    }
}

/// Version at levels M (15 % recovery) and Q (25 %), as `"6 / 8"`.
pub fn versions_m_q(text: &str) -> String {
    let show = |level| smallest_version(text, level).map_or("none".to_owned(), |v| v.to_string());
    format!("{} / {}", show(EcLevel::M), show(EcLevel::Q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_text_packs_denser_than_bytes() {
        // 140 alphanumeric characters: version 6 at M holds 154 of them; as bytes (lower
        // case) 140 bytes need version 8 (version 7 at M holds 122 bytes).
        let upper = format!("PN1:{}", "A".repeat(136));
        assert_eq!(smallest_version(&upper, EcLevel::M), Some(6));
        assert_eq!(smallest_version(&upper.to_lowercase(), EcLevel::M), Some(8));
        assert_eq!(smallest_version(&"a".repeat(3000), EcLevel::H), None);
    }
}
