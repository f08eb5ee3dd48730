//! Ed25519 keys: issuer signing keys, programme root keys and checked public keys.
//!
//! Secret keys come from the operating system's CSPRNG, are wiped from memory when
//! dropped (ed25519-dalek's `zeroize` feature) and never appear in `Debug` output.
//! Public keys are decompressed and checked once, when loaded: a weak key (small order,
//! accepting signatures "for any message", or with a torsion component) is refused, and
//! so is a non-canonical encoding.

use core::fmt;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use super::error::VoucherError;

/// Fills `buf` from the operating system's CSPRNG.
///
/// A machine without a working random source cannot issue vouchers safely, so this is
/// one of the few places that panics (getrandom fails only on broken platforms).
pub(crate) fn os_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source failed");
}

/// A checked Ed25519 public key (valid point, not of small order).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Reads 32 bytes: `invalid_key` if they are not a point, `weak_key` if the point
    /// has small order. `kid` only labels the error.
    pub fn from_bytes(bytes: &[u8; 32], kid: u16) -> Result<Self, VoucherError> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| VoucherError::InvalidKey {
            field: "public_key",
            rule: format!("key {kid}: 32 bytes that are not an Ed25519 point"),
        })?;
        // Small order (is_weak) or a torsion component: neither is ever an honest key,
        // and a torsion component would let its holder make signatures that a batch
        // check and a single check judge differently.
        if key.is_weak() || !key.to_edwards().is_torsion_free() {
            return Err(VoucherError::WeakKey { kid });
        }
        // One key, one encoding: refuse y >= p and other non-canonical forms.
        if key.to_edwards().compress().to_bytes() != *bytes {
            return Err(VoucherError::InvalidKey {
                field: "public_key",
                rule: format!("key {kid}: not the canonical encoding of its point"),
            });
        }
        Ok(PublicKey(key))
    }

    /// Reads 64 hex digits.
    pub fn from_hex(text: &str, kid: u16) -> Result<Self, VoucherError> {
        let mut bytes = [0u8; 32];
        if text.len() != 64
            || data_encoding::HEXLOWER_PERMISSIVE
                .decode_mut(text.as_bytes(), &mut bytes)
                .is_err()
        {
            return Err(VoucherError::InvalidKey {
                field: "public_key",
                rule: "must be 64 hex digits (32 bytes)".into(),
            });
        }
        PublicKey::from_bytes(&bytes, kid)
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(self.0.as_bytes())
    }

    pub(crate) fn verifying_key(&self) -> &VerifyingKey {
        &self.0
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

/// An Ed25519 secret key (issuer or programme root). Wiped on drop; `Debug` shows only
/// the public half.
#[derive(Clone)]
pub struct SecretKey(SigningKey);

impl SecretKey {
    /// A new key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut seed = Zeroizing::new([0u8; 32]);
        os_random(seed.as_mut());
        SecretKey(SigningKey::from_bytes(&seed))
    }

    /// A key from its 32-byte seed (for keys kept in a vault or a file).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        SecretKey(SigningKey::from_bytes(seed))
    }

    /// A key from 64 hex digits of seed.
    pub fn from_hex(text: &str) -> Result<Self, VoucherError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        let text = text.trim();
        if text.len() != 64
            || data_encoding::HEXLOWER_PERMISSIVE
                .decode_mut(text.as_bytes(), seed.as_mut())
                .is_err()
        {
            return Err(VoucherError::InvalidKey {
                field: "secret_key",
                rule: "must be 64 hex digits (a 32-byte seed)".into(),
            });
        }
        Ok(SecretKey::from_seed(&seed))
    }

    /// The 32-byte seed, in memory wiped on drop (to store the key in a vault or pass
    /// it to a binding). Handle with care.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The seed as 64 lowercase hex digits, in memory wiped on drop. Handle with care.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(data_encoding::HEXLOWER.encode(self.0.as_bytes()))
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SecretKey {{ public: {}, .. }}",
            self.public_key().to_hex()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let k = SecretKey::from_seed(&[0x42; 32]);
        let shown = format!("{k:?}");
        assert!(!shown.contains(&"42".repeat(32)), "{shown}");
        assert!(shown.contains(&k.public_key().to_hex()));
    }

    #[test]
    fn non_canonical_and_mixed_order_keys_are_refused() {
        // A point written with y + p instead of y (found by fuzzing) is refused.
        let mut found = 0;
        for y in 0u8..19 {
            let mut b = [0xffu8; 32];
            b[0] = 0xed + y;
            b[31] = 0x7f;
            if VerifyingKey::from_bytes(&b).is_ok() {
                let e = PublicKey::from_bytes(&b, 3).unwrap_err();
                assert!(matches!(e.code(), "invalid_key" | "weak_key"), "{e}");
                found += 1;
            }
        }
        assert!(found > 0, "some y >= p decompress");
        // A good key plus a point of order 8: mixed order, refused as weak.
        let good = SecretKey::from_seed(&[3; 32]).public_key();
        let mixed =
            good.verifying_key().to_edwards() + curve25519_dalek::constants::EIGHT_TORSION[1];
        let e = PublicKey::from_bytes(&mixed.compress().to_bytes(), 4).unwrap_err();
        assert_eq!(e.code(), "weak_key");
    }

    #[test]
    fn weak_and_invalid_keys_are_refused() {
        // The identity point (0, 1) has order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            PublicKey::from_bytes(&identity, 9).unwrap_err().code(),
            "weak_key"
        );
        // y = 2 is not on the curve.
        let mut off = [0u8; 32];
        off[0] = 2;
        assert_eq!(
            PublicKey::from_bytes(&off, 9).unwrap_err().code(),
            "invalid_key"
        );
        assert_eq!(
            PublicKey::from_hex("zz", 1).unwrap_err().code(),
            "invalid_key"
        );
    }

    #[test]
    fn seed_bytes_round_trip() {
        let k = SecretKey::from_seed(&[0x42; 32]);
        assert_eq!(*k.to_bytes(), [0x42; 32]);
        let again = SecretKey::from_seed(&k.to_bytes());
        assert_eq!(again.public_key(), k.public_key());
    }

    #[test]
    fn hex_round_trip() {
        let k = SecretKey::generate();
        let again = SecretKey::from_hex(&k.to_hex()).unwrap();
        assert_eq!(k.public_key(), again.public_key());
        let p = PublicKey::from_hex(&k.public_key().to_hex(), 1).unwrap();
        assert_eq!(p, k.public_key());
    }
}
