//! inclusif's Pass numérique tokens side by side with the formats an operator would pick
//! instead: a JSON Web Token signed with EdDSA, a PASETO v4.public token, a biscuit token
//! and a COSE_Sign1 / CWT structure in Base45 like the EU Digital COVID Certificate's.
//!
//! Every format carries the same [`VoucherClaims`] (key id, serial, value, validity
//! dates, scope) under the same Ed25519 seed. This library holds what needs no peer crate:
//! the claims, the [`Peer`] trait, inclusif's own entry ([`Inclusif`]), QR fitting
//! ([`qr`]) and the Markdown table ([`table`]). The peers themselves live in `peers/` and
//! are compiled into the benchmark (`benches/peers.rs`), the misuse tests
//! (`tests/misuse.rs`) and the table program (`examples/peers_table.rs`), so the peer
//! crates stay dev-dependencies.
//!
//! Regenerate the table of `docs/benchmarks.md`:
//!
//! ```text
//! cargo bench -p inclusif-peers --bench peers
//! cargo run --release -p inclusif-peers --example peers-table
//! ```
#![deny(missing_docs)]

pub mod claims;
pub mod inclusif;
pub mod qr;
pub mod table;

use std::fmt;

use chrono::{DateTime, Utc};

pub use claims::VoucherClaims;
pub use inclusif::Inclusif;

/// The Ed25519 seed every format signs with (the core's benchmarks use the same).
pub const SEED: [u8; 32] = [7; 32];

/// Why a peer refused or failed: the peer crate's own error, as text.
///
/// Peers have unrelated error types; the comparison only needs to know that a token was
/// refused and to show why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerError(pub String);

impl PeerError {
    /// Wraps any displayable error.
    pub fn from_display(error: impl fmt::Display) -> Self {
        PeerError(error.to_string())
    }
}

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PeerError {}

/// One token format, used the careful way: each peer's verifier is configured (or coded
/// by hand) to check the signature, the algorithm, the key id, not-before and expiry, and
/// to return the claims.
///
/// inclusif's verifier does more, and its time includes it: the trust list's freshness,
/// key revocation, the key's validity window, value limit and scopes, and revoked serials.
/// No peer does these, so the timings lean, slightly, against inclusif.
pub trait Peer {
    /// Short identifier, used as the benchmark id (`jwt`).
    fn id(&self) -> &'static str;
    /// Name shown in the table.
    fn name(&self) -> &'static str;
    /// Signs the claims and returns the token as it travels (its text form).
    fn sign(&self, claims: &VoucherClaims) -> Result<String, PeerError>;
    /// Parses and verifies a token from its text form and returns its claims.
    ///
    /// `now` is the verification instant. jsonwebtoken and pasetors read the system
    /// clock themselves and ignore it (neither takes a time), which is why the fixtures
    /// are dated relative to today.
    fn verify(&self, text: &str, now: DateTime<Utc>) -> Result<VoucherClaims, PeerError>;
    /// Size of the token's binary form (before the text encoding).
    fn binary_len(&self, text: &str) -> Result<usize, PeerError>;
    /// What a verifier must remember to check by hand with this format.
    fn by_hand(&self) -> &'static str;
}
