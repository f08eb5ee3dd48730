//! Helpers shared by the `tour` and `inclusif` programs: QR rendering and the command
//! line's JSON shapes. The core stays free of I/O; everything that prints lives here.

pub mod funding_cli;
pub mod mandate_cli;
pub mod venues_cli;

use std::io::BufRead;

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

/// Longest line kept: a token with its prefix and typing separators fits in far less.
pub const MAX_LINE: usize = 1024;

/// Stdin's lines as bytes, without their `\n` or `\r\n`, at most [`MAX_LINE`] bytes
/// each (`None` for a longer line, which is read through but not kept). A line that is
/// not UTF-8 is an input to refuse (`malformed`), not a reason to stop.
pub struct Lines<R> {
    reader: R,
}

impl<R: BufRead> Lines<R> {
    /// Reads lines from `reader`.
    pub fn new(reader: R) -> Self {
        Lines { reader }
    }

    /// The next line (`None` at the end; `Some(None)` for a line over [`MAX_LINE`]).
    pub fn next_line(&mut self) -> std::io::Result<Option<Option<Vec<u8>>>> {
        let mut line = Vec::new();
        let mut too_long = false;
        let mut any = false;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            any = true;
            let (part, used, end) = match buf.iter().position(|&b| b == b'\n') {
                Some(n) => (&buf[..n], n + 1, true),
                None => (buf, buf.len(), false),
            };
            // One byte of slack for a trailing '\r'.
            if !too_long && line.len() + part.len() > MAX_LINE + 1 {
                too_long = true;
                line = Vec::new();
            }
            if !too_long {
                line.extend_from_slice(part);
            }
            self.reader.consume(used);
            if end {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(Some((!too_long && line.len() <= MAX_LINE).then_some(line)))
    }

    /// Up to `n` lines.
    pub fn next_chunk(&mut self, n: usize) -> std::io::Result<Vec<Option<Vec<u8>>>> {
        let mut chunk = Vec::new();
        while chunk.len() < n {
            match self.next_line()? {
                Some(line) => chunk.push(line),
                None => break,
            }
        }
        Ok(chunk)
    }
}
