//! The four peers, each used the careful way. Included with `#[path]` by the benchmark,
//! the misuse tests and the table program, so the peer crates stay dev-dependencies.

// Each including target uses a different subset.
#![allow(dead_code)]

pub mod biscuit;
pub mod cose;
pub mod jwt;
pub mod paseto;

use chrono::{DateTime, Utc};
use inclusif_peers::{Inclusif, Peer};

/// inclusif first (the ratios' numerator), then the peers.
pub fn all(now: DateTime<Utc>) -> Vec<Box<dyn Peer>> {
    vec![
        Box::new(Inclusif::new(now)),
        Box::new(jwt::Jwt::new()),
        Box::new(paseto::Paseto::new()),
        Box::new(biscuit::BiscuitPeer::new()),
        Box::new(cose::Cose::new()),
    ]
}

/// Bytes carried by unpadded base64url parts (JWT and PASETO texts are dot-separated).
pub fn base64url_len<'a>(
    parts: impl Iterator<Item = &'a str>,
) -> Result<usize, inclusif_peers::PeerError> {
    parts
        .map(|part| {
            data_encoding::BASE64URL_NOPAD
                .decode_len(part.len())
                .map_err(inclusif_peers::PeerError::from_display)
        })
        .sum()
}

/// The serial as the JSON formats carry it: unpadded base64url, 14 characters.
pub fn serial_b64(serial: &[u8; 10]) -> String {
    data_encoding::BASE64URL_NOPAD.encode(serial)
}

/// Back from [`serial_b64`], refusing anything but 10 bytes.
pub fn serial_from_b64(text: &str) -> Result<[u8; 10], inclusif_peers::PeerError> {
    let bytes = data_encoding::BASE64URL_NOPAD
        .decode(text.as_bytes())
        .map_err(inclusif_peers::PeerError::from_display)?;
    bytes
        .try_into()
        .map_err(|_| inclusif_peers::PeerError("serial is not 10 bytes".into()))
}
