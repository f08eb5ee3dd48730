//! Helpers shared by the `tour` and `inclusif` programs: QR rendering and the command
//! line's JSON shapes. The core stays free of I/O; everything that prints lives here.

pub mod funding_cli;
pub mod mandate_cli;

use inclusif_core::voucher::{Token, VerifiedVoucher, VoucherError};
use qrcode::{EcLevel, QrCode, Version};
use serde_json::{Value, json};

/// The QR code of a token's payload (`PN1:` + 136 characters, alphanumeric mode) at
/// error-correction level M (screens) or Q (paper).
pub fn qr_code(token: &Token, level: EcLevel) -> QrCode {
    QrCode::with_error_correction_level(token.to_qr_payload(), level)
        .expect("a 140-character alphanumeric payload fits QR version 8-Q")
}

/// The QR version as a number (6 for the token at M, 8 at Q).
pub fn qr_version(code: &QrCode) -> i16 {
    match code.version() {
        Version::Normal(v) | Version::Micro(v) => v,
    }
}

/// The QR code drawn with Unicode half blocks, for a terminal.
pub fn qr_terminal(token: &Token) -> String {
    qr_code(token, EcLevel::M)
        .render::<qrcode::render::unicode::Dense1x2>()
        .dark_color(qrcode::render::unicode::Dense1x2::Light)
        .light_color(qrcode::render::unicode::Dense1x2::Dark)
        .quiet_zone(true)
        .build()
}

/// The QR code as an SVG image (level Q, for print).
pub fn qr_svg(token: &Token) -> String {
    qr_code(token, EcLevel::Q)
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .build()
}

/// The JSON line of `inclusif voucher verify` for a verified voucher.
pub fn verified_json(line: usize, v: &VerifiedVoucher) -> Value {
    json!({
        "line": line,
        "ok": true,
        "kid": v.kid().get(),
        "serial": v.serial().to_string(),
        "short_code": v.short_code().to_string(),
        "value_cents": v.value_cents(),
        "valid_from": v.valid_from().to_string(),
        "valid_until": v.valid_until().to_string(),
        "scope": v.scope().0,
    })
}

/// The JSON line of a refused input.
pub fn error_json(line: usize, e: &VoucherError) -> Value {
    json!({ "line": line, "ok": false, "error": e.code(), "message": e.to_string() })
}
